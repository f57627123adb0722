"""``glossator matrix DOC.xml [--csv] [-o OUT]``: the claim × source matrix (see :mod:`tei.matrix`).

Registered in :mod:`tei.cli` by :func:`register`; needs no Qt.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

DESCRIPTION = "print the claim × source matrix: what each source says about each claim"
_EPILOG = """Rows are the contested figures and the annotations marked as claims; columns are the
bibliography's sources, other documents that evidence links point into, and this document.
A cell is: + corroborates, − contradicts, ≠ other value (with the value), ~ qualifies, · silent.
The text table shortens long cells; --csv gives them whole (one column per source).
exit codes: 0 success; 2 bad input or usage; 3 internal error."""


def add_parser(command: Any) -> None:
    """Declare the ``matrix`` command (``command(name, epilog)`` makes a subparser)."""
    p = command("matrix", _EPILOG)
    p.add_argument("document", metavar="DOC.xml", help="the annotated TEI document")
    p.add_argument("--csv", action="store_true", help="print CSV (claims down, sources across)")
    p.add_argument("-o", "--output", metavar="OUT", help="write to this file instead of standard output")
    p.add_argument("--delimiter", default=",", choices=[",", ";", "tab"],
                   help="CSV field separator (default ',')")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Print (or write) the matrix of ``args.document``."""
    from . import cli
    from .exporters import write_text
    from .matrix import build_matrix, to_csv, to_text

    if args.output:
        cli.check_output(args.output, args.document)
    doc = cli._load(args.document)
    m = build_matrix(doc)
    if args.csv:
        text = to_csv(m, delimiter="\t" if args.delimiter == "tab" else args.delimiter)
    else:
        text = to_text(m) + "\n"
    if args.output:
        write_text(args.output, text, newline="")
        print(f"wrote {args.output}: {len(m.claims)} claims × {len(m.sources)} sources", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return cli.EXIT_OK


def register(commands: set[str], descriptions: dict[str, str], runners: dict[str, Any]) -> None:
    """Add ``matrix`` to the CLI's tables of commands."""
    commands.add("matrix")
    descriptions["matrix"] = DESCRIPTION
    runners["matrix"] = run
