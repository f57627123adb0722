"""The ``glossator`` command line: import, export, validate and summarise TEI documents.

Commands::

    glossator import-text SOURCE.txt -o OUT.xml [--title T --author A --source-url U --lang L
                                                 --encoding E --page-markers M --paragraphs P
                                                 --no-footnotes --keep-boilerplate]
    glossator import-annotations DOC.xml ANNOTATIONS.jsonld -o OUT.xml
    glossator export DOC.xml --to FORMAT -o OUT [--option KEY=VALUE ...]
    glossator validate DOC.xml [--schema RNG] [--strict] [--json]
    glossator stats DOC.xml [--json]

Exit codes (stable; scripts may rely on them):

- 0: success (``validate``: no error found; ``import-annotations``: every annotation anchored);
- 1: the command ran but found problems (``validate``: errors, or warnings with ``--strict``;
  ``import-annotations``: some annotations could not be anchored; the output is still written);
- 2: bad input or usage: a file that is missing, unreadable, empty, binary, truncated, malformed,
  not TEI, hostile (entity-expansion bomb), invalid JSON; an unknown format or option; an output
  that cannot be written;
- 3: internal error (a bug); ``--debug`` shows the traceback.

Errors are reported as ONE line on stderr: ``glossator: error: PATH:LINE:COL: MESSAGE`` (line and
column when known), never a traceback. A document that loads with a warning (duplicate
``xml:id``s) gets one ``glossator: warning: PATH: MESSAGE`` line per warning on stderr. The schema for ``validate`` may also be given by the
environment variable ``GLOSSATOR_SCHEMA``. External entities and DTDs are never read.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections import Counter
from typing import TYPE_CHECKING, Any

from lxml import etree

from . import ns
from .errors import EncodingError, NotXmlError, TeiError
from .parser import read_file

if TYPE_CHECKING:
    from .exporters import ExportReport

log = logging.getLogger("glossator.cli")

COMMANDS = {"import-text", "import-annotations", "export", "validate", "stats"}
EXIT_OK, EXIT_PROBLEMS, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
SCHEMA_ENV = "GLOSSATOR_SCHEMA"
_EPILOG = """exit codes: 0 success; 1 problems found (validate) or annotations not anchored
(import-annotations); 2 bad input, usage or unwritable output; 3 internal error.
Errors are one line on stderr: "glossator: error: PATH:LINE:COL: MESSAGE"."""


class _UsageError(Exception):
    """A bad command-line value (unknown format, malformed --option)."""


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``glossator`` command."""
    fmt = argparse.RawDescriptionHelpFormatter
    p = argparse.ArgumentParser(prog="glossator", description="Glossator: source criticism "
                                "over TEI XML.", epilog=_EPILOG, formatter_class=fmt)  # fmt: skip
    p.add_argument("--debug", action="store_true", help="log details (and tracebacks) to stderr")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    t = sub.add_parser(
        "import-text", help="import a plain-text source as TEI", epilog=_EPILOG, formatter_class=fmt
    )
    t.add_argument("source", metavar="SOURCE.txt")
    t.add_argument("-o", "--output", required=True, metavar="OUT.xml")
    for opt in ("title", "author", "source-url", "lang", "encoding"):
        t.add_argument(f"--{opt}")
    t.add_argument("--page-markers", default="auto", metavar="M",
                   help="how page ends are marked: auto (detect), page-line, bracket, dash, "
                   "formfeed or none")  # fmt: skip
    t.add_argument("--paragraphs", default="auto", metavar="P",
                   help="auto (detect), lines (one paragraph per line) or blank (blank lines "
                   "between paragraphs)")  # fmt: skip
    t.add_argument("--no-footnotes", action="store_true", help="do not look for footnotes")
    t.add_argument("--keep-boilerplate", action="store_true",
                   help="keep trailing website text (menus, copyright lines) instead of dropping it")
    a = sub.add_parser("import-annotations", epilog=_EPILOG,
                       help="anchor W3C Web Annotations (JSON-LD) on a TEI document")  # fmt: skip
    a.add_argument("document", metavar="DOC.xml")
    a.add_argument("annotations", metavar="ANNOTATIONS.jsonld")
    a.add_argument("-o", "--output", required=True, metavar="OUT.xml")
    a.add_argument("--annotator", help="creator name for annotations that have none")
    e = sub.add_parser("export", help="export a document (webanno, or a registered format)",
                       epilog=_EPILOG, formatter_class=fmt)  # fmt: skip
    e.add_argument("document", metavar="DOC.xml")
    e.add_argument("--to", required=True, dest="format", metavar="FORMAT")
    e.add_argument("-o", "--output", required=True, metavar="OUT", help="output file ('-': stdout)")
    e.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="exporter option (repeatable), e.g. base_uri=https://example.org/d.xml",
    )
    v = sub.add_parser("validate", help="check pointers, ids, categories (and a RELAX NG schema)",
                       epilog=_EPILOG, formatter_class=fmt)  # fmt: skip
    v.add_argument("document", metavar="DOC.xml")
    v.add_argument("--schema", metavar="RNG", help=f"RELAX NG schema (default: ${SCHEMA_ENV})")
    v.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    v.add_argument("--json", action="store_true", help="print the problems as JSON")
    s = sub.add_parser(
        "stats", help="summarise text and annotations", epilog=_EPILOG, formatter_class=fmt
    )
    s.add_argument("document", metavar="DOC.xml")
    s.add_argument("--json", action="store_true", help="print JSON")
    return p


def run(argv: list[str]) -> int:
    """Run the command line ``argv`` (without the program name) and return the exit code."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already printed by argparse
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    if args.debug:
        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")
    try:
        return _COMMANDS[args.command](args)
    except TeiError as exc:
        return _error(str(exc) if exc.path else f"{getattr(args, 'document', '')}: {exc}")
    except _UsageError as exc:
        return _error(str(exc))
    except BrokenPipeError:  # e.g. piped into `head`: not an error worth a message
        _silence_stdout()
        return EXIT_PROBLEMS
    except OSError as exc:
        return _error(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
    except KeyboardInterrupt:
        return _error("interrupted", 130)
    except Exception as exc:  # a bug: one line for the user, the traceback in the debug log
        log.debug("internal error", exc_info=True)
        return _error(f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
                      EXIT_INTERNAL)  # fmt: skip


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (e.g. captured in tests)
        pass


def _error(message: str, code: int = EXIT_BAD_INPUT) -> int:
    line = " ".join(message.split())
    print(f"glossator: error: {line}", file=sys.stderr)
    return code


def _load(path: str, *, warn: bool = True) -> Any:
    """Open a document; print its load warnings (duplicate ids) on stderr unless told not to."""
    from .document import TeiDocument

    doc = TeiDocument.load(path)
    for warning in doc.warnings if warn else []:
        print(f"glossator: warning: {path}: {' '.join(warning.split())}", file=sys.stderr)
    return doc


# -- commands -----------------------------------------------------------------------------------
def _cmd_import_text(args: argparse.Namespace) -> int:
    from .importers.plaintext import TextImportOptions, import_text_file
    from .storage import atomic_write

    opts = TextImportOptions(title=args.title, author=args.author, source_url=args.source_url,
                             lang=args.lang, encoding=args.encoding,
                             page_markers=args.page_markers, paragraphs=args.paragraphs,
                             footnotes="none" if args.no_footnotes else "auto",
                             drop_boilerplate=not args.keep_boilerplate)  # fmt: skip
    if os.path.exists(args.output) and os.path.exists(args.source) and os.path.samefile(
            args.source, args.output):  # fmt: skip
        raise _UsageError("the output would overwrite the source text; choose another -o")
    try:
        result = import_text_file(args.source, opts)
    except TeiError as exc:
        exc.path = exc.path or args.source
        raise
    print(result.report.format_text(), file=sys.stderr)
    atomic_write(args.output, result.xml)
    return EXIT_OK


def _cmd_import_annotations(args: argparse.Namespace) -> int:
    from .webanno import import_webanno

    doc = _load(args.document)
    data = read_json(args.annotations)
    try:
        report = import_webanno(doc, data, annotator_name=args.annotator)
    except TeiError as exc:
        exc.path = exc.path or args.annotations
        raise
    doc.save(args.output)
    print(report.format_text(), file=sys.stderr)
    return EXIT_PROBLEMS if report.failed else EXIT_OK


def read_json(path: str) -> Any:
    """Read a JSON(-LD) file; raise ``TeiError`` with line/column for anything wrong with it."""
    data = read_file(path)
    if not data.strip():
        raise NotXmlError("the file is empty", path=path)
    if b"\x00" in data[:4096]:
        raise NotXmlError("this is a binary file, not JSON", path=path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise EncodingError(f"cannot decode the file as UTF-8: {exc.reason}", path=path,
                            line=line) from None  # fmt: skip
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TeiError(f"invalid JSON: {exc.msg}", path=path, line=exc.lineno,
                       column=exc.colno) from None  # fmt: skip
    except RecursionError:
        raise TeiError("invalid JSON: nested too deeply", path=path) from None


def _cmd_export(args: argparse.Namespace) -> int:
    options = parse_options(args.option)
    doc = _load(args.document)
    report = export(doc, args.format, args.output, **options)
    for warning in report.warnings if report is not None else []:
        print(f"glossator: warning: {args.output}: {warning}", file=sys.stderr)
    return EXIT_OK


def parse_options(items: list[str]) -> dict[str, Any]:
    """Turn ``KEY=VALUE`` strings into keyword arguments (true/false and integers converted)."""
    out: dict[str, Any] = {}
    for item in items:
        key, eq, value = item.partition("=")
        key = key.strip().replace("-", "_")
        if not eq or not key.isidentifier():
            raise _UsageError(f"--option must look like KEY=VALUE, not {item!r}")
        low = value.lower()
        if low in ("true", "yes", "on", "false", "no", "off"):
            out[key] = low in ("true", "yes", "on")
        elif value.lstrip("-").isdigit():
            out[key] = int(value)
        else:
            out[key] = value
    return out


def export(doc: Any, fmt: str, out: str, **options: Any) -> ExportReport | None:
    """Export through the ``tei.exporters`` registry ('-' writes Web Annotation to stdout);
    return the exporter's report (None for standard output)."""
    from . import exporters, webanno

    if fmt not in exporters.FORMATS:
        known = ", ".join(sorted(exporters.FORMATS))
        raise _UsageError(f"unknown export format {fmt!r}; available: {known}")
    if out == "-":
        if fmt != "webanno":
            raise _UsageError("only --to webanno can be written to standard output")
        print(json.dumps(webanno.to_webanno(doc, base_uri=options.get("base_uri")),
                         ensure_ascii=False, indent=2))  # fmt: skip
        return None
    return exporters.export(doc, fmt, out, **options)


def _cmd_validate(args: argparse.Namespace) -> int:
    from .validate import validate

    schema = args.schema or os.environ.get(SCHEMA_ENV) or None
    doc = _load(args.document, warn=False)  # the report lists duplicate ids itself
    report = validate(doc, schema)
    if args.json:
        print(json.dumps({"document": args.document, "schema": schema, "ok": report.ok,
                          "problems": [vars(p) for p in report.problems]}, indent=2,
                         ensure_ascii=False))  # fmt: skip
    else:
        print(report.format_text(args.document))
    failed = report.errors or (args.strict and report.problems)
    return EXIT_PROBLEMS if failed else EXIT_OK


def _cmd_stats(args: argparse.Namespace) -> int:
    doc = _load(args.document)
    data = document_stats(doc)
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return EXIT_OK
    for key, value in data.items():
        if isinstance(value, dict):
            print(f"{key}:" + ("" if value else " none"))
            for k, n in value.items():
                print(f"  {k}: {n}")
        else:
            print(f"{key}: {value}")
    return EXIT_OK


def document_stats(doc: Any) -> dict[str, Any]:
    """Return counts describing the text and the annotations of a document."""
    from .textmodel import SKIPPED_TAGS

    blocks = doc.text.blocks
    characters, words = doc.text.reading_counts()
    in_text = [el for el in doc.root.iter(ns.qn("note"), ns.qn("pb"))
               if not any(a.tag in SKIPPED_TAGS for a in el.iterancestors())]  # fmt: skip
    ids = doc.id_counts()
    anns = doc.annotations()
    orphans = sum(
        1 for a in anns if not a.target.strip() or not all(r.ok for r in doc.resolve(a.target))
    )
    names = doc.annotators()
    return {
        "file": doc.path,
        "root": ns.local_name(doc.root.tag),
        "blocks": len(blocks),
        "characters": characters,
        "raw_characters": doc.text.length,
        "words": words,
        "pages": sum(1 for el in in_text if el.tag == ns.qn("pb")),
        "notes": sum(1 for el in in_text if el.tag == ns.qn("note")),
        "elements": sum(1 for _ in doc.root.iter(tag=etree.Element)),
        "ids": len(ids),
        "duplicate_ids": sum(1 for n in ids.values() if n > 1),
        "annotations": len(anns),
        "orphans": orphans,
        "sources": len(doc.sources()),
        "by_category": dict(Counter(doc.taxonomy.label(a.category) or "(none)" for a in anns)),
        "by_kind": dict(Counter(a.kind for a in anns)),
        "by_annotator": dict(
            Counter(names.get(a.annotator) or a.annotator_name or "(unknown)" for a in anns)
        ),  # fmt: skip
        "by_certainty": dict(Counter(a.certainty for a in anns)),
    }


_COMMANDS = {
    "import-text": _cmd_import_text,
    "import-annotations": _cmd_import_annotations,
    "export": _cmd_export,
    "validate": _cmd_validate,
    "stats": _cmd_stats,
}
assert set(_COMMANDS) == COMMANDS


def main() -> None:
    """Console-script entry point."""
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
