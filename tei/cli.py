"""The ``glossator`` command line: import, export, validate and summarise TEI documents.

Commands::

    glossator import-text SOURCE.txt -o OUT.xml [--title T --author A --source-url U --lang L
                                                 --encoding E --page-markers M --paragraphs P
                                                 --no-footnotes --keep-boilerplate]
    glossator import-annotations DOC.xml ANNOTATIONS.jsonld -o OUT.xml
    glossator export DOC.xml --to FORMAT -o OUT [--option KEY=VALUE ...]
    glossator validate DOC.xml [--schema RNG] [--strict] [--json]
    glossator stats DOC.xml [--json]
    glossator reanchor ANNOTATED.xml NEW.xml -o OUT.xml [--threshold 0.0-1.0] [--json]
    glossator check DOC.xml [--json]
    glossator diff A.xml B.xml                      (exit 1 when they differ)
    glossator matrix DOC.xml [--csv] [-o OUT]       (the claim × source matrix)
    glossator git setup [REPO] [--global]  |  glossator git textconv FILE
    glossator sources import DOC.xml FILE [FILE...] -o OUT.xml      (BibTeX, RIS, CSL-JSON)
    glossator sources from-notes DOC.xml -o OUT.xml   (exit 1 when some notes could not be parsed)

Exit codes (stable; scripts may rely on them):

- 0: success (``validate``: no error found; ``import-annotations``: every annotation anchored;
  ``reanchor``: every annotation kept or moved exactly; ``check``: every quote still matches);
- 1: the command ran but found problems (``validate``: errors, or warnings with ``--strict``;
  ``import-annotations``: some annotations could not be anchored; the output is still written;
  ``reanchor``: some annotations are fuzzy or orphaned and need review, the output is written;
  ``check``: some annotations' pointers no longer show their stored quote; ``sources import``:
  some entries were skipped, the others are written);
- 2: bad input or usage: a file that is missing, unreadable, empty, binary, truncated, malformed,
  not TEI, hostile (entity-expansion bomb), invalid JSON; an unknown format or option; an output
  that cannot be written;
- 3: internal error (a bug); ``--debug`` shows the traceback.

``export`` options are declared per format (``tei.exporters.OPTIONS``; ``export --help`` lists
them) and checked before anything is read; so is every ``-o``: it may not be an input file (under
any spelling or link), a folder, or in a missing or unwritable folder. A successful export prints
one line on stderr (``wrote OUT: N annotations``); on a terminal it shows the seconds spent while
it runs. ``-v`` logs what is done, ``--debug`` also tracebacks.

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
import threading
import time
from collections import Counter
from typing import Any

from . import cli_agreement, cli_sources, ns
from .errors import EncodingError, NotXmlError, TeiError
from .parser import read_file

log = logging.getLogger("glossator.cli")

COMMANDS = {"import-text", "import-annotations", "export", "validate", "stats", "reanchor", "check"}
EXIT_OK, EXIT_PROBLEMS, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
SCHEMA_ENV = "GLOSSATOR_SCHEMA"
_EPILOG = """exit codes: 0 success; 1 problems found (validate, check), annotations not anchored
(import-annotations) or to review (reanchor); 2 bad input, usage or unwritable output; 3 internal
error.
Errors are one line on stderr: "glossator: error: PATH:LINE:COL: MESSAGE"."""


class _UsageError(Exception):
    """A bad command-line value (unknown format, malformed --option)."""


#: command -> one-line description (``glossator --help`` lists them).
DESCRIPTIONS = {
    "import-text": "turn a plain-text source (web copy, OCR) into a TEI edition, with a report",
    "import-annotations": "anchor W3C Web Annotations (JSON-LD, e.g. Hypothesis) on a TEI document",
    "export": "export an annotated document as HTML, PDF, inline TEI, Web Annotation or CSV",
    "validate": "check pointers, ids, categories (and a RELAX NG schema)",
    "stats": "summarise the text and its annotations",
    "reanchor": "carry the annotations of one version of a text onto another, finding each again",
    "check": "list annotations whose pointer no longer shows their stored quote",
}


def commands_help() -> str:
    """Return the commands with their one-line descriptions, as ``glossator --help`` lists them."""
    width = max(map(len, DESCRIPTIONS))
    lines = [f"  {name:<{width}}  {text}" for name, text in DESCRIPTIONS.items()]
    return "commands (glossator COMMAND --help for their options):\n" + "\n".join(lines)


def _export_epilog() -> str:
    from . import exporters

    lines = ["formats and their options (--option KEY=VALUE):"]
    for fmt, text in exporters.FORMATS.items():
        lines.append(f"  {fmt}: {text}")
        lines += [f"      {o.describe()}" for o in exporters.OPTIONS.get(fmt, {}).values()]
    return "\n".join(lines) + "\n\n" + _EPILOG


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``glossator`` command."""
    from . import exporters

    fmt = argparse.RawDescriptionHelpFormatter
    p = argparse.ArgumentParser(prog="glossator", description="Glossator: source criticism "
                                "over TEI XML.", epilog=_EPILOG, formatter_class=fmt)  # fmt: skip
    p.add_argument("--debug", action="store_true", help="log details (and tracebacks) to stderr")
    p.add_argument("-v", "--verbose", action="store_true", help="log what is done to stderr")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND",
                           help="what to do (glossator COMMAND --help for its options)")

    def command(name: str, epilog: str = _EPILOG) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=DESCRIPTIONS[name], description=DESCRIPTIONS[name],
                              epilog=epilog, formatter_class=fmt)  # fmt: skip

    t = command("import-text")
    t.add_argument("source", metavar="SOURCE.txt", help="the text file (any common encoding)")
    t.add_argument("-o", "--output", required=True, metavar="OUT.xml", help="the TEI file to write")
    t.add_argument("--title", help="title of the text (default: its first line if it looks like "
                   "a title, else the file name)")  # fmt: skip
    t.add_argument("--author", help="author of the text")
    t.add_argument("--source-url", metavar="URL", help="where the text was copied from")
    t.add_argument("--lang", help="language of the text (e.g. en, ru, zh-Hant)")
    t.add_argument("--encoding", help="encoding of the file (default: detected)")
    t.add_argument("--page-markers", default="auto", metavar="M",
                   help="how page ends are marked: auto (detect), page-line, bracket, dash, "
                   "formfeed or none")  # fmt: skip
    t.add_argument("--paragraphs", default="auto", metavar="P",
                   help="auto (detect), lines (one paragraph per line) or blank (blank lines "
                   "between paragraphs)")  # fmt: skip
    t.add_argument("--no-footnotes", action="store_true", help="do not look for footnotes")
    t.add_argument("--keep-boilerplate", action="store_true",
                   help="keep trailing website text (menus, copyright lines) instead of dropping it")
    a = command("import-annotations")
    a.add_argument("document", metavar="DOC.xml", help="the TEI document to annotate")
    a.add_argument("annotations", metavar="ANNOTATIONS.jsonld", help="the Web Annotations")
    a.add_argument("-o", "--output", required=True, metavar="OUT.xml",
                   help="the TEI file to write (may be DOC.xml; a .bak is kept)")  # fmt: skip
    a.add_argument("--annotator", help="creator name for annotations that have none")
    e = command("export", _export_epilog())
    e.add_argument("document", metavar="DOC.xml", help="the annotated TEI document")
    e.add_argument("--to", required=True, dest="format", metavar="FORMAT",
                   help="one of: " + ", ".join(exporters.FORMATS))  # fmt: skip
    e.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="the file to write ('-': Web Annotation to standard output)")  # fmt: skip
    e.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                   help="an option of the format (repeatable; listed below)")  # fmt: skip
    v = command("validate")
    v.add_argument("document", metavar="DOC.xml", help="the TEI document to check")
    v.add_argument("--schema", metavar="RNG", help=f"RELAX NG schema (default: ${SCHEMA_ENV})")
    v.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    v.add_argument("--json", action="store_true", help="print the problems as JSON")
    s = command("stats")
    s.add_argument("document", metavar="DOC.xml", help="the TEI document to summarise")
    s.add_argument("--json", action="store_true", help="print JSON")
    r = command("reanchor")
    r.add_argument("annotated", metavar="ANNOTATED.xml", help="the annotated version of the text")
    r.add_argument("new", metavar="NEW.xml", help="the other version, to carry the annotations onto")
    r.add_argument("-o", "--output", required=True, metavar="OUT.xml",
                   help="the TEI file to write: NEW.xml with the annotations")  # fmt: skip
    r.add_argument("--threshold", default="0.8", metavar="0.0-1.0",
                   help="lowest score of an approximate match (default 0.8); below it an "
                   "annotation is an orphan")  # fmt: skip
    r.add_argument("--json", action="store_true", help="print the outcomes as JSON")
    c = command("check")
    c.add_argument("document", metavar="DOC.xml", help="the annotated TEI document")
    c.add_argument("--json", action="store_true", help="print the mismatches as JSON")
    _add_diff_and_git(command)
    cli_matrix.add_parser(command)
    cli_agreement.add_commands(command)
    cli_sources.add_sources_commands(sub)
    return p


def run(argv: list[str]) -> int:
    """Run the command line ``argv`` (without the program name) and return the exit code."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already printed by argparse
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    if args.debug or args.verbose:
        level = logging.DEBUG if args.debug else logging.INFO
        logging.basicConfig(level=level, format="%(name)s: %(message)s")
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
    check_output(args.output, args.source, what="source text")
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

    check_output(args.output, args.annotations, what="annotation file")
    doc = _load(args.document)
    data = read_json(args.annotations)
    try:
        report = import_webanno(doc, data, annotator_name=args.annotator)
    except TeiError as exc:
        exc.path = exc.path or args.annotations
        raise
    doc.save(args.output)
    print(report.format_text(), file=sys.stderr)
    return EXIT_PROBLEMS if report.needs_review else EXIT_OK


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


def check_output(out: str, *inputs: str, what: str = "document") -> None:
    """Refuse, before any work, an output path that is one of the ``inputs`` (under any spelling
    or link), a folder, or in a folder that is missing or not writable."""
    for source in inputs:
        try:
            same = os.path.samefile(source, out)
        except OSError:  # one of them does not exist (yet): not the same file
            continue
        if same:
            raise _UsageError(f"-o {out} is the {what} itself; it would be replaced: "
                              "choose another -o")  # fmt: skip
    if os.path.isdir(out):
        raise _UsageError(f"-o {out} is a folder; give a file name")
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        raise _UsageError(f"-o {out}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _UsageError(f"-o {out}: the folder {folder} is not writable")


def _cmd_export(args: argparse.Namespace) -> int:
    from . import exporters

    try:
        options = exporters.check_options(args.format, parse_options(args.option))
    except TeiError as exc:
        raise _UsageError(str(exc)) from None
    if args.output == "-":
        if args.format != "webanno":
            raise _UsageError("only --to webanno can be written to standard output (-o -)")
        _webanno_to_stdout(_load(args.document), options.get("base_uri"))
        return EXIT_OK
    check_output(args.output, args.document)
    doc = _load(args.document)
    with _Progress(f"exporting {args.document} as {args.format}") as shown:
        if args.format == "pdf" and shown.thread is not None:  # the printer says how far it is
            options["progress"] = shown.hear
        try:
            report = exporters.export(doc, args.format, args.output, **options)
        except OSError as exc:  # the exporter's temporary file names a path the user never gave
            raise _UsageError(f"-o {args.output}: cannot write: {exc.strerror or exc}") from None
    for warning in report.warnings:
        print(f"glossator: warning: {args.output}: {warning}", file=sys.stderr)
    plural = "" if report.count == 1 else "s"
    print(f"wrote {args.output}: {report.count} annotation{plural}", file=sys.stderr)
    for also in report.also:
        print(f"wrote {also}", file=sys.stderr)
    return EXIT_OK


def parse_options(items: list[str]) -> dict[str, str]:
    """Turn ``KEY=VALUE`` strings into a dict (``tei.exporters.check_options`` converts values)."""
    out: dict[str, str] = {}
    for item in items:
        key, eq, value = item.partition("=")
        key = key.strip().replace("-", "_")
        if not eq or not key.isidentifier():
            raise _UsageError(f"--option must look like KEY=VALUE, not {item!r}")
        out[key] = value
    return out


def _webanno_to_stdout(doc: Any, base_uri: str | None) -> None:
    from . import webanno

    print(json.dumps(webanno.to_webanno(doc, base_uri=base_uri), ensure_ascii=False, indent=2))


class _Progress:
    """While a long step runs, show what it is and the seconds spent on the terminal's stderr
    (nothing when stderr is not a terminal); the line is erased when the step ends."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.stage = ""
        self.began = time.monotonic()
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.thread: threading.Thread | None = None

    def __enter__(self) -> _Progress:
        if sys.stderr.isatty():
            self.thread = threading.Thread(target=self._tick, daemon=True)
            self.thread.start()
        return self

    def hear(self, fraction: float | None, message: str) -> None:
        """Take an exporter's progress report and show it at once."""
        self.stage = (f"{round(fraction * 100)} % " if fraction is not None else "") + message
        if self.thread is not None and not self.done.is_set():
            self._draw()

    def _draw(self) -> None:
        with self.lock:
            stage = f" — {self.stage}" if self.stage else ""
            sys.stderr.write(f"\r{self.what}… {int(time.monotonic() - self.began)} s{stage}\033[K")
            sys.stderr.flush()

    def _tick(self) -> None:
        while True:
            self._draw()
            if self.done.wait(1.0):
                break
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        if self.thread is not None:
            self.thread.join()


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


def _short(text: str, size: int = 60) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= size else text[: size - 1] + '…'}”"


def _cmd_reanchor(args: argparse.Namespace) -> int:
    from .anchoring import reanchor

    try:
        threshold = float(args.threshold)
    except ValueError:
        threshold = -1.0
    if not 0.0 <= threshold <= 1.0:  # also refuses nan
        raise _UsageError(f"--threshold {args.threshold}: give a number from 0.0 to 1.0")
    check_output(args.output, args.annotated, args.new)
    annotated = _load(args.annotated)
    args.document = args.new  # errors while loading or writing name the file concerned
    new = _load(args.new)
    report = reanchor(annotated, new, threshold)
    new.save(args.output)
    if args.json:
        print(json.dumps({"annotated": args.annotated, "new": args.new, "output": args.output,
                          "threshold": threshold, "counts": report.counts(),
                          "needs_review": report.needs_review,
                          "annotations": [vars(i) for i in report.items]}, indent=2,
                         ensure_ascii=False))  # fmt: skip
    else:
        for item in report.items:
            line = f"{item.outcome:<7} {item.id or '(no id)'} {_short(item.quote)}"
            if item.outcome == "fuzzy":
                line += f" -> {_short(item.new_quote)} (score {item.score:.2f})"
            elif item.outcome == "orphan":
                line += f": {item.reason}"
            print(line)
        print(report.summary())
    return EXIT_PROBLEMS if report.needs_review else EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    from .anchoring import check_quotes

    doc = _load(args.document)
    problems = check_quotes(doc)
    if args.json:
        print(json.dumps({"document": args.document, "ok": not problems,
                          "mismatches": [vars(p) for p in problems]}, indent=2,
                         ensure_ascii=False))  # fmt: skip
    else:
        for p in problems:
            shows = "does not resolve" if p.problem == "unresolved" else f"shows {_short(p.found)}"
            print(f"{args.document}: {p.id or '(no id)'}: quote {_short(p.quote)} but {p.target} {shows}")
        n = len(doc.annotations())
        print(f"{args.document}: {len(problems)} of {n} annotation{'s' if n != 1 else ''} "
              "no longer show their stored quote" if problems else
              f"{args.document}: every annotation shows its stored quote ({n})")  # fmt: skip
    return EXIT_PROBLEMS if problems else EXIT_OK


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
        "elements": int(doc.root.xpath("count(descendant-or-self::*)")),
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
    "reanchor": _cmd_reanchor,
    "check": _cmd_check,
}
assert set(_COMMANDS) == COMMANDS


# -- diff and git (tei.diff) -------------------------------------------------------------------
_DIFF_GIT = {
    "diff": "list the annotations added, removed and changed between two versions of a document",
    "git": "git integration: 'git setup' (readable diffs, annotation-aware merges), 'git textconv', "
           "'git merge-driver'",
}


def _add_diff_and_git(command: Any) -> None:
    """Declare the ``diff`` and ``git`` commands (``command`` makes a subparser)."""
    d = command("diff", _DIFF_EPILOG)
    d.add_argument("old", metavar="A.xml", help="the earlier version")
    d.add_argument("new", metavar="B.xml", help="the later version")
    g = command("git")
    actions = g.add_subparsers(dest="git_command", required=True, metavar="ACTION",
                               help="setup (once per repository) or textconv (called by git)")  # fmt: skip
    setup = actions.add_parser("setup", help="make git show annotated files as annotations",
                               description=_GIT_SETUP_HELP,
                               formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    setup.add_argument("repo", nargs="?", default=".", metavar="REPO",
                       help="the repository (default: the current folder)")  # fmt: skip
    setup.add_argument("--global", dest="global_", action="store_true",
                       help="for all your repositories (~/.gitconfig and your global "
                       "attributes file) instead of one")  # fmt: skip
    conv_help = "what git's diff calls: print FILE's annotations as lines (exit 0 for any file)"
    conv = actions.add_parser("textconv", help=conv_help, description=conv_help)
    conv.add_argument("file", metavar="FILE", help="one version of a file, as git hands it")
    merge_help = ("what git's merge calls: merge BASE, OURS and THEIRS of an annotated file into "
                  "OURS (exit 0 merged; 1 a person should look: disagreements kept, or the text "
                  "conflicts; the file is still well-formed)")  # fmt: skip
    merge = actions.add_parser("merge-driver", help=merge_help, description=merge_help)
    merge.add_argument("base", metavar="BASE", help="the common ancestor (git's %%O)")
    merge.add_argument("ours", metavar="OURS", help="our version, replaced by the result (%%A)")
    merge.add_argument("theirs", metavar="THEIRS", help="their version (%%B)")
    merge.add_argument("name", nargs="?", default="", metavar="PATH",
                       help="the file's name in the repository (%%P)")


_DIFF_EPILOG = """Annotations are matched by xml:id and listed in reading order: + added, - removed,
~ changed (with each changed field: before → after); then categories, sources and the text.
exit codes: 0 no differences; 1 differences; 2 bad input or usage; 3 internal error."""

_GIT_SETUP_HELP = """Write "*.xml diff=glossator" to .gitattributes and set diff.glossator.textconv
in the repository's git config (with --global: your global attributes file and ~/.gitconfig),
so that git diff and git log -p show annotations instead of XML, and "merge=glossator" with
merge.glossator.driver, so that git merges annotations by id (both sides' additions kept, the same
field changed differently kept as two readings marked as a disagreement). Running it again
changes nothing."""


def _cmd_diff(args: argparse.Namespace) -> int:
    from .diff import compare, format_changes

    docs = []
    for path in (args.old, args.new):
        try:
            docs.append(_load(path))  # duplicate ids are told; they are matched by rank
        except TeiError as exc:
            exc.path = exc.path or path
            raise
    changes = compare(*docs)
    print(format_changes(changes, args.old, args.new))
    return EXIT_PROBLEMS if changes else EXIT_OK


def _cmd_git(args: argparse.Namespace) -> int:
    if args.git_command == "textconv":
        return _git_textconv(args.file)
    if args.git_command == "merge-driver":
        return _git_merge(args)
    from . import gitsetup

    try:
        lines = gitsetup.setup(args.repo, global_=args.global_, command=gitsetup.textconv_command())
    except gitsetup.GitError as exc:
        raise _UsageError(str(exc)) from None
    print("\n".join(lines))
    return EXIT_OK


def _git_merge(args: argparse.Namespace) -> int:
    """Merge three versions for git; on any failure leave ours as it is and ask for a person."""
    from .merge import merge_files

    name = args.name or args.ours
    try:
        report = merge_files(args.base, args.ours, args.theirs)
    except (TeiError, OSError) as exc:
        print(f"glossator: {name}: cannot merge annotations ({exc}); our version is left as it "
              "is: merge by hand", file=sys.stderr)  # fmt: skip
        return EXIT_PROBLEMS
    print(report.format_text(name), file=sys.stderr)
    return EXIT_PROBLEMS if report.needs_decision else EXIT_OK


def _git_textconv(path: str) -> int:
    """Print one version of a file as git's diff should see it; never fail on its content."""
    from .diff import textconv

    with open(path, "rb") as f:  # a missing file is an OSError: one line, exit 2
        data = f.read()
    try:
        out = textconv(data, path)
    except Exception:  # a bug must not break `git diff`: show the file as it is
        log.debug("textconv failed; showing the raw file", exc_info=True)
        out = data
    sys.stdout.flush()
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()
    return EXIT_OK


COMMANDS |= set(_DIFF_GIT)
DESCRIPTIONS.update(_DIFF_GIT)
_COMMANDS.update({"diff": _cmd_diff, "git": _cmd_git})
COMMANDS |= set(cli_agreement.DESCRIPTIONS)
DESCRIPTIONS.update(cli_agreement.DESCRIPTIONS)
_COMMANDS["agreement"] = lambda args: cli_agreement.run(args, _load, _UsageError)
COMMANDS.add("sources")  # tei/cli_sources.py
DESCRIPTIONS["sources"] = cli_sources.DESCRIPTION
_COMMANDS["sources"] = cli_sources.run_sources

from . import cli_matrix  # noqa: E402 - the matrix command lives in its own module

cli_matrix.register(COMMANDS, DESCRIPTIONS, _COMMANDS)


def main() -> None:
    """Console-script entry point."""
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
