"""Export formats for annotated documents: a registry and :func:`export`.

Built-in formats (``html``, ``tei-inline``, ``csv``, ``webanno``) are imported lazily on first use;
other packages add theirs with :func:`register` (the GUI registers ``pdf`` from ``annotator.pdf``).
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import TeiError


@dataclass
class ExportReport:
    """What an export wrote and what the user should know about it."""

    path: str
    format: str = ""
    warnings: list[str] = field(default_factory=list)
    count: int = 0  # annotations exported
    also: list[str] = field(default_factory=list)  # other files written beside ``path``


#: An exporter writes ``doc`` to ``dest`` and returns a report.
Exporter = Callable[..., ExportReport]

_TRUE, _FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


@dataclass(frozen=True)
class Option:
    """An option of an export format: its name, a help line, and what values it takes.

    ``kind`` is ``bool``, ``str`` or ``None`` (undeclared: strings become booleans or integers
    when they look like one); ``values`` maps each accepted spelling to the value passed on.
    """

    name: str
    help: str = ""
    kind: type | None = str
    values: Mapping[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """Return the name, the values taken and the help line, as the CLI lists them."""
        shown = ", ".join(repr(k) for k in self.values if k.isprintable()) or (
            "true or false" if self.kind is bool else "text" if self.kind is str else "")
        return self.name + (f" ({shown})" if shown else "") + (f": {self.help}" if self.help else "")

    def convert(self, value: Any) -> Any:
        """Return ``value`` as the exporter takes it; raise ``TeiError`` if it is not allowed."""
        if self.values:
            if isinstance(value, str) and value in self.values:
                return self.values[value]
            if value in self.values.values():
                return value
            allowed = ", ".join(repr(k) for k in self.values if k.isprintable())
            raise TeiError(f"option {self.name} cannot be {value!r}; use one of {allowed}")
        text = value.strip().lower() if isinstance(value, str) else None
        if self.kind is bool:
            if isinstance(value, bool) or text in _TRUE + _FALSE:
                return value if isinstance(value, bool) else text in _TRUE
            raise TeiError(f"option {self.name} is true or false, not {value!r}")
        if self.kind is str:
            if isinstance(value, str):
                return value
            raise TeiError(f"option {self.name} takes text, not {value!r}")
        if text in _TRUE + _FALSE and text not in ("0", "1"):
            return text in _TRUE
        if text is not None and text.lstrip("-").isdigit():
            return int(text)
        return value


#: Options every format takes (handled by :func:`export` before the exporter runs).
COMMON_OPTIONS = [
    Option("annotators", "only the annotations of these annotators (names, comma-separated; "
           "'anonymous' for those without one)"),
]

#: format -> one-line description (what the CLI and the Export dialog list).
FORMATS: dict[str, str] = {}
#: format -> its options by name.
OPTIONS: dict[str, dict[str, Option]] = {}
_FUNCS: dict[str, Exporter | str] = {}


def register(fmt: str, func: Exporter | str, description: str,
             options: Iterable[Option] | None = None) -> None:  # fmt: skip
    """Register (or replace) an export format; ``func`` may be ``"module:function"`` (lazy).

    Without ``options``, the keyword-only arguments of ``func`` (a function) are its options;
    one that has none takes any.
    """
    FORMATS[fmt] = description
    _FUNCS[fmt] = func
    if options is None and callable(func):
        params = inspect.signature(func).parameters.values()
        options = [Option(p.name, kind=None) for p in params if p.kind is p.KEYWORD_ONLY] or None
    if options is None:
        OPTIONS.pop(fmt, None)
    else:
        OPTIONS[fmt] = {o.name: o for o in [*options, *COMMON_OPTIONS]}


def check_options(fmt: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``options`` converted for ``fmt``'s exporter; raise ``TeiError`` naming the valid
    options and values for an unknown format, option or value."""
    exporter(fmt)
    known = OPTIONS.get(fmt)
    out = {}
    for key, value in options.items():
        option = Option(key, kind=None) if known is None else known.get(key)
        if option is None:
            takes = "; ".join(o.describe() for o in known.values())  # type: ignore[union-attr]
            raise TeiError(f"the {fmt} export has no option {key!r}; "
                           + (f"its options: {takes}" if takes else "it takes none"))  # fmt: skip
        out[key] = option.convert(value)
    return out


def exporter(fmt: str) -> Exporter:
    """Return the export function of a format, or raise ``TeiError`` listing the known ones."""
    func = _FUNCS.get(fmt)
    if func is None:
        known = ", ".join(sorted(FORMATS))
        raise TeiError(f"unknown export format {fmt!r} (known formats: {known})")
    if isinstance(func, str):
        module, _, name = func.partition(":")
        func = getattr(importlib.import_module(module), name)
        _FUNCS[fmt] = func
    return func


def export(doc: Any, fmt: str, dest: str | os.PathLike[str], **options: Any) -> ExportReport:
    """Export ``doc`` (a ``TeiDocument``) as ``fmt`` to the file ``dest`` (options as listed in
    :data:`OPTIONS`; ``TeiError`` for an unknown one or a value it does not take)."""
    options = check_options(fmt, options)
    who = options.pop("annotators", None)
    if who:
        doc = only_annotators(doc, [w.strip() for w in str(who).split(",") if w.strip()])
    report = exporter(fmt)(doc, os.fspath(dest), **options)
    if not report.format:
        report.format = fmt
    return report


def only_annotators(doc: Any, names: list[str]) -> Any:
    """Return a copy of ``doc`` keeping only the annotations of the annotators ``names``
    (``anonymous``: those without one); ``TeiError`` names the annotators for an unknown name."""
    from ..document import TeiDocument

    people = doc.annotators()
    known = set(people.values())
    unknown = [n for n in names if n not in known and n != "anonymous"]
    if unknown:
        listed = ", ".join(sorted(known)) or "none"
        raise TeiError(f"no annotator named {', '.join(unknown)} (the document's: {listed})")
    copy_ = TeiDocument.from_bytes(doc.to_bytes(), doc.path)
    keep = set(names)
    for ann in copy_.annotations():
        name = people.get(ann.annotator, "") or ann.annotator_name or "anonymous"
        if ann.editable and name not in keep:
            copy_.remove_annotation(ann.id)
    return copy_


def write_text(dest: str, text: str, *, encoding: str = "utf-8", newline: str = "\n") -> None:
    """Write ``text`` to ``dest`` through a temporary file, so a failed export leaves no stub."""
    path = Path(dest)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "w", encoding=encoding, newline=newline) as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_bytes(dest: str, data: bytes) -> None:
    """Write ``data`` to ``dest`` through a temporary file."""
    path = Path(dest)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def export_webanno(doc: Any, dest: str, *, base_uri: str | None = None, **_: Any) -> ExportReport:
    """Write the W3C Web Annotation JSON-LD of ``doc`` (see :mod:`tei.webanno`)."""
    from .. import webanno

    data = webanno.to_webanno(doc, base_uri=base_uri)
    write_text(dest, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    items = data.get("first", {}).get("items") if isinstance(data, dict) else None
    if items is None and isinstance(data, dict):
        items = data.get("items")
    return ExportReport(dest, "webanno", count=len(items) if isinstance(items, list) else 0)


#: The ``style`` option of the exports that print citations (checked when the export starts).
STYLE_OPTION = Option("style", "citation style: chicago-notes-bibliography (default), "
                      "chicago-author-date, apa, mla, mhra, iso690, or any bundled CSL style")
register("html", "tei.exporters.html:export_html", "HTML edition (one self-contained file)", [
    Option("title", "title of the edition (default: the document's)"),
    Option("notes", "false: mark the annotated passages without their notes", bool),
    STYLE_OPTION,
])  # fmt: skip
register("tei-inline", "tei.exporters.tei_inline:export_tei_inline",
         "TEI with annotations merged into the text (<seg> + <note>)", [])  # fmt: skip
register("webanno", export_webanno, "W3C Web Annotation JSON-LD", [
    Option("base_uri", "IRI of the document that ids and sources are made from (default: the "
           "document's xml:base or URI idno, else its file name)"),
])  # fmt: skip
register("csv", "tei.exporters.csv_export:export_csv", "CSV table, one row per annotation", [
    Option("delimiter", "field separator (default ',')", str,
           {",": ",", ";": ";", "tab": "\t", "\t": "\t", "|": "|"}),
    Option("bom", "start with a UTF-8 byte order mark (for spreadsheet apps)", bool),
    STYLE_OPTION,
    Option("matrix", "false: do not write the claim × source matrix beside it (OUT-matrix.csv, "
           "written when the document has claims)", bool),
])  # fmt: skip

__all__ = ["FORMATS", "OPTIONS", "STYLE_OPTION", "ExportReport", "Option", "check_options",
           "export", "exporter", "register", "write_bytes", "write_text"]  # fmt: skip
