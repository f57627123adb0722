"""CSV export: one row per annotation, safe to open in LibreOffice or Excel."""

from __future__ import annotations

import csv
import io
import os
from typing import Any

from .. import ns, pointers
from ..errors import TeiError
from . import ExportReport, write_text
from ._edition import Edition, Note

COLUMNS = [
    "id", "number", "category", "category_path", "kind", "quote", "prefix", "suffix",
    "start_element", "start_offset", "end_element", "end_offset", "page", "note",
    "certainty", "annotator", "created", "modified", "stated", "normalised", "status",
    "preferred", "alternatives", "relation", "sources", "citation", "target", "resolution",
]  # fmt: skip
_RISKY = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: str) -> str:
    """Prefix a cell that a spreadsheet would read as a formula with an apostrophe."""
    return "'" + value if value.startswith(_RISKY) else value


def _category_path(ed: Edition, cat: str) -> str:
    path = []
    while cat:
        path.append(ed.taxonomy.label(cat))
        cat = ed.taxonomy.parent_of(cat)
    return " > ".join(reversed(path))


def _end(p: Any, side: str) -> tuple[str, int] | None:
    """Return (element id, offset) where a pointer starts or ends, if it says so by id."""
    if isinstance(p, pointers.Range):
        return _end(p.start if side == "start" else p.end, side)
    node = getattr(p, "node", None)
    if not isinstance(node, pointers.IdRef):
        return None
    if isinstance(p, pointers.StringRange):
        return node.id, p.offset + (p.length if side == "end" else 0)
    if isinstance(p, pointers.StringIndex):
        return node.id, p.offset
    return None


def _position(ed: Edition, n: Note) -> tuple[str, str, str, str]:
    """Return (start element id, offset in it, end element id, offset in it) of the passage.

    Taken from the pointer itself when it names elements by id (offsets as in the pointer:
    characters of the element's text content); otherwise from the blocks the passage is in.
    """
    if n.status != "ok":
        return "", "", "", ""
    try:
        parsed = pointers.parse_target(n.ann.target)
    except TeiError:
        parsed = []
    first = _end(parsed[0], "start") if parsed else None
    last = _end(parsed[-1], "end") if parsed else None
    if first and last:
        return first[0], str(first[1]), last[0], str(last[1])
    res = [r for r in ed.doc.resolve(n.ann.target) if r.ok]
    start, end = min(r.start for r in res), max(r.end for r in res)
    b0 = ed.text.find_block(start)
    b1 = ed.text.find_block(end, end=True)
    if b0 < 0 or b1 < 0:
        return "", str(start), "", str(end)
    e0, e1 = ed.blocks[b0], ed.blocks[b1]
    return (e0.element.get(ns.XML_ID) or "", str(start - e0.start),
            e1.element.get(ns.XML_ID) or "", str(end - e1.start))  # fmt: skip


def row_of(ed: Edition, n: Note) -> dict[str, str]:
    """Return the CSV cells of one annotation (not yet defused)."""
    ann = n.ann
    cat = ann.category
    if n.kind == "bias" and ann.bias.technique and ann.bias.technique != cat:
        cat = ann.bias.technique
    fig = ann.figure if n.kind == "figure" else None
    link = ann.source_link
    alts = []
    for alt in fig.alternatives if fig else []:
        text = alt.value + (f" ({alt.quantity.display()})" if alt.quantity else "")
        where = ", ".join(x for x in (ed.short_citation(alt.source) if alt.source else "",
                                      alt.locator) if x)  # fmt: skip
        extra = "; ".join(x for x in (where, alt.certainty if alt.certainty != "unknown" else "",
                                      alt.note) if x)  # fmt: skip
        alts.append(text + (f" [{extra}]" if extra else ""))
    s0, o0, s1, o1 = _position(ed, n)
    note = ann.note_text
    if n.kind == "bias" and ann.bias.explanation:
        note = "\n\n".join(x for x in (note, ann.bias.explanation) if x)
    return {
        "id": n.id, "number": str(n.number or ""), "category": cat,
        "category_path": _category_path(ed, cat), "kind": n.kind, "quote": ann.quote,
        "prefix": ann.prefix, "suffix": ann.suffix, "start_element": s0, "start_offset": o0,
        "end_element": s1, "end_offset": o1, "page": n.page, "note": note,
        "certainty": ann.certainty, "annotator": ed.annotator_name(n), "created": ann.created,
        "modified": ann.modified, "stated": fig.stated if fig else "",
        "normalised": fig.normalised.display() if fig and fig.normalised else "",
        "status": fig.status if fig else "",
        "preferred": fig.preferred.display() if fig and fig.preferred else "",
        "alternatives": " | ".join(alts),
        "relation": link.relation if link.source or n.kind == "source" else "",
        "sources": " | ".join(ed.citation(s) for s in ann.cited_sources()),
        "citation": ed.cite(link.source, link.locator) if link.source else "",
        "target": ann.target, "resolution": n.status if n.status == "ok" else
        f"{n.status}: {n.message}",
    }  # fmt: skip


def render_csv(doc: Any, *, delimiter: str = ",", style: str = "") -> tuple[str, int]:
    """Return the CSV text (header row + one row per annotation, in text order) and the count;
    sources and citations in the CSL ``style``."""
    ed = Edition(doc, style)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for n in ed.notes + ed.orphans:
        row = row_of(ed, n)
        writer.writerow([defuse(row[c]) for c in COLUMNS])
    return out.getvalue(), len(ed.notes) + len(ed.orphans)


def matrix_path(dest: str) -> str:
    """Return where the evidence matrix goes beside the CSV table: ``OUT-matrix.csv``."""
    root, ext = os.path.splitext(dest)
    return f"{root}-matrix{ext or '.csv'}"


def export_csv(doc: Any, dest: str, *, bom: bool = False, delimiter: str = ",", style: str = "",
               matrix: bool = True, **_: Any) -> ExportReport:  # fmt: skip
    """Write the CSV table to ``dest`` (``bom=True`` adds a UTF-8 BOM for spreadsheet apps;
    ``style``: the citation style) and, when the document has claims and ``matrix`` is true, the
    claim × source matrix beside it (:func:`matrix_path`, same separator and BOM)."""
    from ..matrix import build_matrix, to_csv

    text, count = render_csv(doc, delimiter=delimiter, style=style)
    encoding = "utf-8-sig" if bom else "utf-8"
    write_text(dest, text, encoding=encoding, newline="")
    report = ExportReport(dest, "csv", count=count)
    m = build_matrix(doc) if matrix else None
    if m is not None and m.claims:
        write_text(matrix_path(dest), to_csv(m, delimiter=delimiter), encoding=encoding, newline="")
        report.also.append(matrix_path(dest))
    return report
