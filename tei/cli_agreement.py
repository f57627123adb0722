"""``glossator agreement``: how far the annotators of a document agree (see :mod:`tei.agreement`)."""

from __future__ import annotations

import argparse
import itertools
import json
from collections.abc import Callable
from typing import Any

DESCRIPTIONS = {
    "agreement": "inter-annotator agreement per category (span-overlap precision, recall, F1 and "
                 "Krippendorff's alpha) and the passages annotators treated differently",
}


def add_commands(command: Callable[..., argparse.ArgumentParser]) -> None:
    """Declare the ``agreement`` command (``command`` makes a subparser)."""
    a = command("agreement", _EPILOG)
    a.add_argument("document", metavar="DOC.xml", help="a document annotated by several people")
    a.add_argument("--annotators", metavar="A,B",
                   help="the two annotators to compare, by name, the first as the reference "
                   "(default: every pair)")  # fmt: skip
    a.add_argument("--json", action="store_true", help="print the figures as JSON")


_EPILOG = """Units are the passages anyone annotated (overlapping annotations make one unit). Per
category, the second annotator's annotations are matched one to one with the first's when their
passages overlap: precision = matched / second's, recall = matched / first's. Alpha is nominal
Krippendorff's alpha over the units ("—" when undefined, e.g. one value used throughout).
exit codes: 0 done; 2 bad input or fewer than two annotators; 3 internal error."""


def run(args: argparse.Namespace, load: Callable[[str], Any], usage_error: type[Exception]) -> int:
    """Print the agreement of the document's annotators (every pair, or the two named)."""
    from .agreement import annotators, compare

    doc = load(args.document)
    people = annotators(doc)
    if args.annotators:
        pair = [p.strip() for p in args.annotators.split(",")]
        missing = [p for p in pair if p not in people]
        if len(pair) != 2 or missing:
            known = ", ".join(people) or "none"
            raise usage_error(f"--annotators takes two names of this document's annotators "
                              f"({known}); {'not found: ' + ', '.join(missing) if missing else 'give two'}")  # fmt: skip
        pairs = [tuple(pair)]
    else:
        if len(people) < 2:
            raise usage_error(f"{args.document}: fewer than two annotators "
                              f"({', '.join(people) or 'no annotations'}): nothing to compare")  # fmt: skip
        pairs = list(itertools.combinations(people, 2))
    results = [compare(doc, a, b) for a, b in pairs]
    if args.json:
        print(json.dumps({"document": args.document, "pairs": [r.as_dict() for r in results]},
                         indent=2, ensure_ascii=False))  # fmt: skip
    else:
        print("\n\n".join(r.format_text() for r in results))
    return 0
