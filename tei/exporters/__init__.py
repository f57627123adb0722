"""Export formats for annotated documents: a registry and :func:`export`.

Built-in formats (``html``, ``tei-inline``, ``csv``, ``webanno``) are imported lazily on first use;
other packages add theirs with :func:`register` (the GUI registers ``pdf`` from ``annotator.pdf``).
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable
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


#: An exporter writes ``doc`` to ``dest`` and returns a report.
Exporter = Callable[..., ExportReport]

#: format -> one-line description (what the CLI and the Export dialog list).
FORMATS: dict[str, str] = {}
_FUNCS: dict[str, Exporter | str] = {}


def register(fmt: str, func: Exporter | str, description: str) -> None:
    """Register (or replace) an export format; ``func`` may be ``"module:function"`` (lazy)."""
    FORMATS[fmt] = description
    _FUNCS[fmt] = func


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
    """Export ``doc`` (a ``TeiDocument``) as ``fmt`` to the file ``dest``."""
    func = exporter(fmt)
    report = func(doc, os.fspath(dest), **options)
    if not report.format:
        report.format = fmt
    return report


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


register("html", "tei.exporters.html:export_html", "HTML edition (one self-contained file)")
register("tei-inline", "tei.exporters.tei_inline:export_tei_inline",
         "TEI with annotations merged into the text (<seg> + <note>)")  # fmt: skip
register("webanno", export_webanno, "W3C Web Annotation JSON-LD")
register("csv", "tei.exporters.csv_export:export_csv", "CSV table, one row per annotation")

__all__ = ["FORMATS", "ExportReport", "export", "exporter", "register", "write_bytes", "write_text"]
