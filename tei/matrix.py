"""The claim × source matrix: for each claim, what each source says about it.

Rows are *claims*: every contested figure, and every annotation marked as a claim
(``<note type="claim">``, :attr:`tei.Annotation.claim`). Columns are *sources*: the entries of
Glossator's bibliography (``listBibl``), any other bibliographic entry the evidence cites, the
other documents that evidence relations point into, and "this document" for evidence found in
the text itself. A cell lists the evidence that the source gives about the claim; no evidence is
*silent*. Evidence comes from

- a contested figure's alternative values: the value source S gives is "other value: X" in
  column S (or "corroborates" when its normalised quantity is the figure's own);
- source links (``<note type="source">``): corroborates / contradicts / context (shown as
  *qualifies*) in the column of the cited source, for the source link's own row when it is a claim
  and for every claim whose passage its passage overlaps;
- evidence links (:mod:`tei.relations`: ``<relation name="corroborates|contradicts|qualifies|
  alternative-value" active="#a" passive="#b | other.xml#x" cert/>``): a link counts for a claim
  at either end; the other end is the evidence, in the column of the source it cites (a source
  link), the bibliographic entry it is, the other document it is in, or this document.

Each piece of evidence keeps the annotation and relation it came from, so that a view can jump
to it. Qt-free; used by ``glossator matrix``, the HTML edition, the CSV export and the app.
"""

from __future__ import annotations

import csv
import io
import os
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from . import ns, relations
from .annotations import Annotation, ContestedFigure, Quantity
from .document import format_citation, short_citation
from .errors import TeiError
from .textmodel import PB, SKIPPED_TAGS

SILENT = "silent"
#: evidence verdicts, in the order a cell lists them
VERDICTS = ("corroborates", "contradicts", "other value", "qualifies")
#: relation ``@name`` -> verdict
RELATION_VERDICTS = {"corroborates": "corroborates", "contradicts": "contradicts",
                     "qualifies": "qualifies", "alternative-value": "other value"}  # fmt: skip
#: source link ``@subtype`` -> verdict
LINK_VERDICTS = {"corroborates": "corroborates", "contradicts": "contradicts", "context": "qualifies"}
_ENTRIES = (ns.qn("bibl"), ns.qn("biblStruct"))
SELF = "#this-document"  # the column of evidence found in the document itself
NO_SOURCE = "#no-source"  # the column of alternative values given without a source


@dataclass(frozen=True)
class Evidence:
    """What one source says about one claim, and where that is recorded."""

    verdict: str  # one of VERDICTS
    value: str = ""  # the other value (or the value that agrees)
    certainty: str = "unknown"
    annotation: str = ""  # the annotation that records it (to jump to)
    relation: str = ""  # the xml:id of the <relation> it comes from, if any
    locator: str = ""  # page or place in the source
    note: str = ""

    def label(self) -> str:
        """Return the cell text: 'other value: 300 million, p. 12 (medium)'."""
        text = self.verdict + (f": {self.value}" if self.value else "")
        if self.locator:
            text += f", {self.locator}"
        return text + (f" ({self.certainty})" if self.certainty not in ("", "unknown") else "")


@dataclass
class SourceColumn:
    """A column: a bibliographic entry, another document, this document or 'no source'."""

    id: str  # xml:id of the entry, 'doc:PATH' for another document, SELF or NO_SOURCE
    label: str  # short form for a column header ('Garver 1988')
    citation: str  # the full citation (a tooltip, the CSV's second header)
    kind: str  # 'bibl' | 'document' | 'self' | 'none'


@dataclass
class Claim:
    """A row: the claim, where it is, and the evidence per source column id."""

    id: str  # the annotation's xml:id
    text: str  # the claim as worded by the editor, else the passage
    quote: str
    kind: str  # the annotation's kind (figure, source, comment, …)
    category: str  # its category label
    stated: str = ""  # a figure's stated value (with its normalised form)
    certainty: str = "unknown"
    page: str = ""
    position: int = -1  # global raw offset of the passage (-1: not placed in the text)
    cells: dict[str, list[Evidence]] = field(default_factory=dict)


@dataclass
class Matrix:
    """Claims (rows) × sources (columns)."""

    claims: list[Claim]
    sources: list[SourceColumn]

    def cell(self, claim: Claim, source_id: str) -> list[Evidence]:
        """Return the evidence a source gives for a claim (empty: silent)."""
        return claim.cells.get(source_id, [])

    def cell_text(self, claim: Claim, source_id: str) -> str:
        """Return a cell as text: its evidence joined by '; ', or 'silent'."""
        return "; ".join(e.label() for e in self.cell(claim, source_id)) or SILENT

    def claim_label(self, claim: Claim) -> str:
        """Return the row header: the claim, its stated value and page."""
        text = f"“{_short(claim.text, 80)}”"
        if claim.stated.startswith(claim.text + " ("):
            text += claim.stated[len(claim.text):]  # the passage is the stated value: its normal form
        elif claim.stated and claim.stated != claim.text:
            text += f" = {claim.stated}"
        return text + (f", p. {claim.page}" if claim.page else "")

    def headers(self) -> list[str]:
        """Return the column headers, each source's label unique (its id added when two agree)."""
        seen: dict[str, int] = {}
        for s in self.sources:
            seen[s.label] = seen.get(s.label, 0) + 1
        return [s.label if seen[s.label] == 1 else f"{s.label} [{s.id}]" for s in self.sources]


def build_matrix(doc: Any) -> Matrix:
    """Return the claim × source matrix of a ``TeiDocument``."""
    anns = [a for a in doc.annotations() if a.id]
    by_id = {a.id: a for a in anns}
    figures = {a.id: a.figure for a in anns if a.kind == "figure"}  # read once: parsing is not free
    links = {a.id: sid for a in anns if (sid := _link_source(a))}
    claim_ids = [a.id for a in anns if a.id in figures or a.claim is not None]
    spans = {aid: _spans(doc, by_id[aid]) for aid in [*claim_ids, *links]}
    pages = _Pages(doc)
    claims = {aid: _claim_of(doc, by_id[aid], figures.get(aid), spans[aid], pages) for aid in claim_ids}
    columns = _Columns(doc)
    near = _Buckets({cid: spans[cid] for cid in claims})
    for aid, sid in links.items():  # source links
        a = by_id[aid]
        link = a.source_link
        ev = Evidence(LINK_VERDICTS.get(link.relation, "qualifies"), certainty=a.certainty,
                      annotation=aid, locator=link.locator)  # fmt: skip
        for cid in near.overlapping(spans[aid]) | ({aid} if aid in claims else set()):
            _add(claims[cid], columns.bibl(sid), ev)
    for c in claims.values():  # contested figures' alternative values
        fig = figures.get(c.id)
        for alt in fig.alternatives if fig is not None else []:
            same = _same_quantity(alt.quantity, fig.normalised)
            value = alt.value or (alt.quantity.display() if alt.quantity else "")
            ev = Evidence("corroborates" if same else "other value", value, alt.certainty,
                          c.id, locator=alt.locator, note=alt.note)  # fmt: skip
            _add(c, columns.bibl(alt.source) if alt.source else columns.none(), ev)
    for rel in relations.relations(doc):
        verdict = RELATION_VERDICTS.get(rel.name)
        if verdict is None:
            continue
        for here, there in ((rel.active_id, rel.passive), (rel.passive_id, rel.active)):
            claim = claims.get(here)
            if claim is None or there.strip() in ("", "#" + here):
                continue
            column, jump, value = _other_end(doc, by_id, figures, columns, rel, there)
            ev = Evidence(verdict, value if verdict == "other value" else "", rel.certainty,
                          jump or claim.id, rel.id, note=rel.note)  # fmt: skip
            _add(claim, column, ev)
    ordered = sorted(claims.values(), key=lambda c: (c.position < 0, c.position))
    return Matrix(ordered, columns.ordered())


# -- helpers ------------------------------------------------------------------------------------
def _link_source(a: Annotation) -> str:
    """Return the source a source link cites ('' if the annotation is no source link)."""
    if a.element.find(f"{ns.qn('note')}[@type='source']") is None:
        return ""
    return a.source_link.source


def _spans(doc: Any, a: Annotation) -> list[tuple[int, int]]:
    try:
        return [(r.start, r.end) for r in doc.resolve(a.target)
                if r.ok and r.start is not None and r.end is not None]  # fmt: skip
    except TeiError:
        return []


class _Buckets:
    """Find the claims whose passage overlaps a span without comparing every pair."""

    SIZE = 4096  # characters of the raw text per bucket

    def __init__(self, spans: dict[str, list[tuple[int, int]]]) -> None:
        self.spans = spans
        self.buckets: dict[int, list[str]] = {}
        for cid, pieces in spans.items():
            for k in {k for s, e in pieces for k in range(s // self.SIZE, max(s, e - 1) // self.SIZE + 1)}:
                self.buckets.setdefault(k, []).append(cid)

    def overlapping(self, pieces: list[tuple[int, int]]) -> set[str]:
        """Return the ids of the claims with a piece overlapping one of ``pieces``."""
        out = set()
        for s, e in pieces:
            for k in range(s // self.SIZE, max(s, e - 1) // self.SIZE + 1):
                for cid in self.buckets.get(k, ()):
                    if cid not in out and any(s1 < e and s < e1 for s1, e1 in self.spans[cid]):
                        out.add(cid)
        return out


def _same_quantity(a: Quantity | None, b: Quantity | None) -> bool:
    if a is None or b is None or (a.value, a.low, a.high) == (None, None, None):
        return False
    return (a.value, a.low, a.high) == (b.value, b.low, b.high) and \
        a.unit.strip().lower() == b.unit.strip().lower()


def _add(claim: Claim, column: str, ev: Evidence) -> None:
    cell = claim.cells.setdefault(column, [])
    if ev not in cell:
        cell.append(ev)
        cell.sort(key=lambda e: VERDICTS.index(e.verdict))


def _claim_of(doc: Any, a: Annotation, fig: ContestedFigure | None, spans: list[tuple[int, int]],
              pages: _Pages) -> Claim:  # fmt: skip
    stated = ""
    if fig is not None:
        norm = fig.normalised.display() if fig.normalised else ""
        stated = fig.stated + (f" ({norm})" if norm and norm != fig.stated else "") if fig.stated else norm
    position = min(s for s, _ in spans) if spans else -1
    quote = " ".join(a.quote.split())
    return Claim(a.id, a.claim or quote or a.target, quote, a.kind, doc.taxonomy.label(a.category),
                 stated, a.certainty, pages.at(position) if position >= 0 else "", position)  # fmt: skip


def _other_end(doc: Any, by_id: dict[str, Annotation], figures: dict[str, ContestedFigure],
               columns: _Columns, rel: relations.Relation, pointer: str) -> tuple[str, str, str]:  # fmt: skip
    """Return (column, annotation to jump to, value) for the evidence end of a relation."""
    path, _, frag = pointer.strip().partition("#")
    if path:  # a passage of another document: the value is what it read when linked
        value = rel.quote
        if not value and rel.name == "alternative-value":
            found = relations.resolve(rel)
            other = found.annotation
            fig = other.figure if other is not None and other.kind == "figure" else None
            value = (fig.stated if fig else "") or " ".join(found.quote.split())
        return columns.document(unquote(path)), "", _short(value, 80)
    other = by_id.get(frag)
    if other is not None:
        fig = figures.get(frag)
        value = (fig.stated if fig else "") or " ".join(other.quote.split())
        sid = _link_source(other)
        return (columns.bibl(sid) if sid else columns.self()), other.id, value
    el = doc.element_by_id(frag)
    if el is not None and ns.local_name(el.tag) in ("bibl", "biblStruct"):
        return columns.bibl(frag), "", ""
    text = " ".join("".join(el.itertext()).split()) if el is not None else ""
    return columns.self(), "", _short(text, 80)


class _Columns:
    """The source columns met so far; the bibliography's own entries are always there."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.cols: dict[str, SourceColumn] = {}
        so = doc.standoff()  # our bibliography: not the whole tree (a book's footnotes)
        for lst in so.iter(ns.qn("listBibl")) if so is not None else []:
            for el in lst:
                if el.tag in _ENTRIES and el.get(ns.XML_ID):
                    self.bibl(el.get(ns.XML_ID) or "")

    def bibl(self, sid: str) -> str:
        if sid not in self.cols:
            el = self.doc.element_by_id(sid)
            if el is not None and el.tag in _ENTRIES:
                self.cols[sid] = SourceColumn(sid, short_citation(el), format_citation(el), "bibl")
            elif el is not None and el.tag == ns.qn("note"):  # a footnote of the source, cited
                text = " ".join("".join(el.itertext()).split())
                self.cols[sid] = SourceColumn(sid, f"Note {el.get('n') or sid}", text or sid, "bibl")
            else:
                self.cols[sid] = SourceColumn(sid, sid, f"{sid} (not in the bibliography)", "bibl")
        return sid

    def document(self, path: str) -> str:
        key = "doc:" + path
        if key not in self.cols:
            self.cols[key] = SourceColumn(key, os.path.basename(path) or path, path, "document")
        return key

    def self(self) -> str:
        if SELF not in self.cols:
            self.cols[SELF] = SourceColumn(SELF, "This document", "the annotated document itself", "self")
        return SELF

    def none(self) -> str:
        if NO_SOURCE not in self.cols:
            self.cols[NO_SOURCE] = SourceColumn(NO_SOURCE, "No source given",
                                                "values given without a source", "none")  # fmt: skip
        return NO_SOURCE

    def ordered(self) -> list[SourceColumn]:
        rank = {"bibl": 0, "document": 1, "self": 2, "none": 3}
        return sorted(self.cols.values(), key=lambda c: rank[c.kind])  # stable: order met


class _Pages:
    """The page (nearest preceding ``pb/@n``) of a global raw offset."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self._pos: list[int] | None = None
        self._label: list[str] = []

    def at(self, gpos: int) -> str:
        if self._pos is None:
            self._pos = []
            for el in self.doc.root.iter(PB):
                if el.get("n") and not any(a.tag in SKIPPED_TAGS for a in el.iterancestors()):
                    self._pos.append(self.doc.text.global_start(el))
                    self._label.append(el.get("n") or "")
        i = bisect_right(self._pos, gpos) - 1
        return self._label[i] if i >= 0 else ""


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# -- output -------------------------------------------------------------------------------------
def claim_columns() -> list[str]:
    """Return the CSV's leading columns (before one column per source)."""
    return ["claim_id", "claim", "passage", "kind", "stated_value", "page", "certainty"]


def to_rows(m: Matrix) -> list[list[str]]:
    """Return the matrix as a table: a header row, then one row per claim."""
    rows = [claim_columns() + m.headers()]
    for c in m.claims:
        rows.append([c.id, c.text, c.quote, c.kind, c.stated, c.page, c.certainty]
                    + [m.cell_text(c, s.id) for s in m.sources])  # fmt: skip
    return rows


def to_csv(m: Matrix, *, delimiter: str = ",") -> str:
    """Return the matrix as CSV (formula-like cells defused, as in the CSV export)."""
    from .exporters.csv_export import defuse

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    for row in to_rows(m):
        writer.writerow([defuse(cell) for cell in row])
    return out.getvalue()


#: a cell's verdict as one mark, for the text table
MARKS = {"corroborates": "+", "contradicts": "−", "other value": "≠", "qualifies": "~"}


def to_text(m: Matrix, width: int = 28) -> str:
    """Return the matrix as a text table for a terminal: claims down, sources across (cells
    shortened to ``width``; ``--csv`` has them whole), then the sources in full."""
    if not m.claims:
        return "no claims: mark an annotation as a claim, or annotate a contested figure"
    heads = ["claim"] + [_short(h, width) for h in m.headers()]
    body = []
    for c in m.claims:
        cells = []
        for s in m.sources:
            evs = m.cell(c, s.id)
            text = "; ".join(f"{MARKS[e.verdict]} {e.value or e.verdict}"
                             + (f" ({e.certainty})" if e.certainty not in ("", "unknown") else "")
                             for e in evs)  # fmt: skip
            cells.append(_short(text, width) if evs else "·")
        body.append([_short(m.claim_label(c), 2 * width)] + cells)
    widths = [max(len(r[i]) for r in [heads, *body]) for i in range(len(heads))]
    lines = [" | ".join(x.ljust(w) for x, w in zip(r, widths, strict=True)).rstrip()
             for r in [heads, ["-" * w for w in widths], *body]]  # fmt: skip
    lines.append("")
    lines.append("+ corroborates   − contradicts   ≠ other value   ~ qualifies   · silent")
    for s, h in zip(m.sources, m.headers(), strict=True):
        lines.append(f"{h}: {s.citation}")
    return "\n".join(lines)
