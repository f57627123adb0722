"""The ``glossator sources`` command group.

    glossator sources from-notes DOC.xml -o OUT.xml    make sources from the document's footnotes
"""

from __future__ import annotations

import argparse
from typing import Any

DESCRIPTION = "the document's sources: 'sources from-notes' makes them from its own footnotes"
_FROM_NOTES = """Parse every footnote of DOC.xml as a citation (author, title, place, year, volume;
the pages become the note's locator), resolve "Ibid." to the previous note's source and "op.
cit." / "Uk. soch." / "Cit. by" / a short title to the earlier source by the same author, and
store each source once as a <biblStruct> in Glossator's listBibl that points back at its notes.
The notes are not rewritten (a note without an xml:id gets one). Running it again merges.
Prints one line per note: its number, its source (or "could not parse: why") and its locator.
exit codes: 0 every note parsed; 1 some could not be parsed (OUT.xml is still written);
2 bad input or usage; 3 internal error."""


def add_sources_commands(sub: Any, formatter: type[argparse.HelpFormatter] = argparse.RawDescriptionHelpFormatter,
                         epilog: str = "") -> None:  # fmt: skip
    """Declare ``sources`` and its actions on the ``glossator`` subparsers ``sub``."""
    p = sub.add_parser("sources", help=DESCRIPTION, description=DESCRIPTION, epilog=epilog,
                       formatter_class=formatter)  # fmt: skip
    actions = p.add_subparsers(dest="sources_command", required=True, metavar="ACTION",
                               help="from-notes")  # fmt: skip
    f = actions.add_parser("from-notes", help="make sources from the document's own footnotes",
                           description=_FROM_NOTES, formatter_class=formatter)  # fmt: skip
    f.add_argument("document", metavar="DOC.xml", help="the TEI document whose footnotes cite sources")
    f.add_argument("-o", "--output", required=True, metavar="OUT.xml",
                   help="the TEI file to write: DOC.xml with the sources")  # fmt: skip


def run_sources(args: argparse.Namespace) -> int:
    """Run a ``sources`` action; return the exit code."""
    from . import cli
    from .footnote_sources import from_notes

    cli.check_output(args.output, args.document)
    doc = cli._load(args.document)
    table, report = from_notes(doc)
    print(table.format_text())
    doc.save(args.output)
    print(f"wrote {args.output}: {report.summary()}")
    return cli.EXIT_PROBLEMS if table.unparsed else cli.EXIT_OK
