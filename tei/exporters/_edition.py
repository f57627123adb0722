"""What every edition export needs from a document: resolved annotations, pages, notes, sources.

Qt-free; shared by the HTML edition, the CSV table and the PDF print edition (``annotator.pdf``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .. import annotations as _ann
from .. import citations, ns
from ..annotations import Annotation
from ..errors import TeiError
from ..textmodel import PB, SKIPPED_TAGS, Block

_NOT_TEXT = (etree._Comment, etree._ProcessingInstruction, etree._Entity)
SAFE_URL = re.compile(r"^(?:https?://|mailto:)[^\s<>\"'`]+$", re.I)
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


#: ISO 639-2/3 codes with a two-letter ISO 639-1 form (BCP 47, and so browsers' hyphenation
#: and screen readers, want the shortest); codes without one (grc, ang, …) stay as they are.
_ISO639_1 = {
    "ara": "ar", "bul": "bg", "ces": "cs", "cze": "cs", "dan": "da", "deu": "de", "ger": "de",
    "ell": "el", "gre": "el", "eng": "en", "spa": "es", "fas": "fa", "per": "fa", "fin": "fi",
    "fra": "fr", "fre": "fr", "heb": "he", "hin": "hi", "hun": "hu", "ita": "it", "jpn": "ja",
    "kor": "ko", "lat": "la", "mkd": "mk", "mac": "mk", "nld": "nl", "dut": "nl", "nor": "no",
    "pol": "pl", "por": "pt", "rus": "ru", "san": "sa", "swe": "sv", "tur": "tr", "ukr": "uk",
    "zho": "zh", "chi": "zh",
}  # fmt: skip


def bcp47(code: str) -> str:
    """Return ``xml:lang`` in its shortest BCP 47 form ('eng-GB' -> 'en-GB'; 'grc' stays)."""
    primary, sep, rest = (code or "").strip().partition("-")
    return _ISO639_1.get(primary.lower(), primary) + sep + rest


def safe_url(url: str) -> str:
    """Return ``url`` if it is an http(s) or mailto URL, else '' (no javascript:, data:, …)."""
    url = (url or "").strip()
    return url if SAFE_URL.match(url) else ""


def safe_color(color: str) -> str:
    """Return a ``#rrggbb`` colour, or a neutral grey for anything else."""
    return color if _COLOR.match(color or "") else "#cccccc"


@dataclass
class Note:
    """One annotation as placed in an edition."""

    ann: Annotation
    id: str  # the annotation's xml:id (or a generated one)
    category: str
    root: str  # top-level ancestor of the category
    label: str
    kind: str
    color: str
    pieces: list[tuple[int, int, int]] = field(default_factory=list)
    start: int = 0  # global raw offset (for ordering)
    number: int = 0  # 1-based, in text order (0 for orphans)
    status: str = "ok"
    message: str = ""
    page: str = ""

    @property
    def anchor_block(self) -> int:
        """Return the block where the passage starts."""
        return self.pieces[0][0]


@dataclass
class HeaderInfo:
    """Title-page data from the teiHeader."""

    title: str = ""
    subtitles: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    publisher: str = ""
    pub_date: str = ""
    pub_place: str = ""
    availability: str = ""
    source: list[str] = field(default_factory=list)
    lang: str = ""
    title_lang: str = ""  # xml:lang in force on the title (inherited, as in TEI)


def _txt(el: etree._Element | None) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def _name(el: etree._Element) -> str:
    """Return a person's display name: the first ``persName`` (variants and ``idno`` dropped)."""
    pers = el.find(ns.qn("persName"))
    if pers is not None:
        return _txt(pers)
    parts = [el.text or ""]
    for child in el:
        if child.tag != ns.qn("idno"):
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def _source_line(el: etree._Element) -> str:
    """Return one line describing a ``sourceDesc`` child (a citation for bibliographic ones)."""
    from ..document import format_citation

    if ns.local_name(el.tag) in ("bibl", "biblStruct", "biblFull", "msDesc"):
        if ns.local_name(el.tag) == "msDesc":
            ident = el.find(ns.qn("msIdentifier"))
            return ", ".join(_txt(c) for c in ident if isinstance(c.tag, str) and _txt(c)) \
                if ident is not None else _txt(el)
        return format_citation(el)
    return _txt(el)


def header_info(doc: Any) -> HeaderInfo:
    """Read title, authors, publication and source description from the teiHeader."""
    q = ns.qn
    info = HeaderInfo()
    header = doc.root.find(q("teiHeader"))
    if header is None:
        header = next(doc.root.iter(q("teiHeader")), None)
    lang = doc.root.get(ns.XML_LANG)
    if not lang:
        text = next(doc.root.iter(q("text")), None)
        lang = text.get(ns.XML_LANG) if text is not None else None
    if not lang and header is not None:
        language = header.find(f".//{q('langUsage')}/{q('language')}")
        lang = language.get("ident") if language is not None else None
    info.lang = lang or ""
    if header is None:
        return info
    stmt = header.find(f"{q('fileDesc')}/{q('titleStmt')}")
    if stmt is not None:
        titles = stmt.findall(q("title"))
        main = [t for t in titles if t.get("type") in (None, "main", "full")] or titles
        if main:
            info.title = _txt(main[0])
            info.title_lang = next((str(x) for x in main[0].xpath("ancestor-or-self::*/@xml:lang")[::-1]), "")
        info.subtitles = [_txt(t) for t in titles if t is not (main[0] if main else None)
                          and t.get("type") in ("sub", "subtitle", "alt")]  # fmt: skip
        info.authors = [_name(a) for a in stmt.findall(q("author")) if _name(a)]
        info.editors = [_name(e) for e in stmt.findall(q("editor")) if _name(e)]
    pub = header.find(f"{q('fileDesc')}/{q('publicationStmt')}")
    if pub is not None:
        info.publisher = _txt(pub.find(q("publisher"))) or _txt(pub.find(q("authority")))
        info.pub_date = _txt(pub.find(q("date")))
        info.pub_place = _txt(pub.find(q("pubPlace")))
        info.availability = _txt(pub.find(q("availability")))
    src = header.find(f"{q('fileDesc')}/{q('sourceDesc')}")
    if src is not None:
        for child in src:
            line = _source_line(child) if isinstance(child.tag, str) else ""
            if line:
                info.source.append(line)
    return info


class Edition:
    """A document prepared for export: annotations resolved to reading pieces, in text order.

    Citations and the bibliography are formatted in the CSL ``style`` (see :mod:`tei.citations`;
    ``CitationStyleError`` for an unknown one, before any work is done).
    """

    def __init__(self, doc: Any, style: str | None = None) -> None:
        self.style = citations.resolve_style(style)
        self.doc = doc
        self.text = doc.text
        self.blocks: list[Block] = doc.text.blocks
        self.taxonomy = doc.taxonomy
        self.header = header_info(doc)
        self.notes: list[Note] = []
        self.orphans: list[Note] = []
        self._pb_pos: list[int] = []
        self._pb_label: list[str] = []
        self._index_pages()
        self._resolve()
        self.by_block: dict[int, list[tuple[int, int, Note]]] = {}
        for n in self.notes:
            for b, r0, r1 in n.pieces:
                self.by_block.setdefault(b, []).append((r0, r1, n))
        self.levels = self._levels()
        self.footnotes = self._number_footnotes()
        self.sources = {s.id: s for s in doc.sources()}
        self.annotators: dict[str, str] = doc.annotators()
        self._bib: dict[str, int] | None = None
        self._entries: dict[str, dict[str, str]] = {}

    # -- pages -------------------------------------------------------------------------------
    def _index_pages(self) -> None:
        """Index page breaks by global raw offset (the text model's coordinates)."""
        for el in self.doc.root.iter(PB):
            if any(a.tag in SKIPPED_TAGS for a in el.iterancestors()):
                continue
            self._pb_pos.append(self.doc.text.global_start(el))
            self._pb_label.append(el.get("n") or "")

    @property
    def has_pages(self) -> bool:
        """Tell whether the document records page breaks with numbers."""
        return any(self._pb_label)

    def page_at_global(self, gpos: int) -> str:
        """Return the ``n`` of the nearest page break at or before global offset ``gpos``."""
        i = bisect_right(self._pb_pos, gpos) - 1
        while i >= 0 and not self._pb_label[i]:
            i -= 1
        return self._pb_label[i] if i >= 0 else ""

    def page_at(self, block: int, pos: int) -> str:
        """Return the page (nearest preceding ``pb/@n``) of a reading position."""
        b = self.blocks[block]
        return self.page_at_global(b.start + b.to_raw(pos))

    # -- annotations -------------------------------------------------------------------------
    def _resolve(self) -> None:
        seen: set[str] = set()
        for i, ann in enumerate(self.doc.annotations()):
            cat = ann.category
            root = self.taxonomy.root_of(cat) if cat else ""
            ann_id = ann.id or f"annotation-{i + 1}"
            while ann_id in seen:
                ann_id += "-"
            seen.add(ann_id)
            note = Note(ann, ann_id, cat, root or cat, self.taxonomy.label(cat) if cat else "",
                        ann.kind, safe_color(self.taxonomy.color(cat)))  # fmt: skip
            try:
                resolutions = self.doc.resolve(ann.target)
            except TeiError as exc:
                note.status, note.message = "unsupported", str(exc)
                self.orphans.append(note)
                continue
            starts = []
            for res in resolutions:
                if res.ok and res.start is not None and res.end is not None:
                    note.pieces.extend(self.text.blocks_between(res.start, res.end))
                    starts.append(res.start)
                elif note.status == "ok":
                    note.status, note.message = res.status, res.message
            if not note.pieces:
                if note.status == "ok":
                    note.status = "orphan"
                    note.message = note.message or "the target is not in the displayed text"
                self.orphans.append(note)
                continue
            note.status, note.message = "ok", ""
            note.start = min(starts)
            note.pieces = sorted(set(note.pieces), key=lambda p: (self.blocks[p[0]].start, p[1]))
            self.notes.append(note)
        self.notes.sort(key=lambda n: (n.start, n.pieces[0][0], n.pieces[0][1], -len(n.pieces)))
        for k, n in enumerate(self.notes, 1):
            n.number = k
            b, r0, _ = n.pieces[0]
            n.page = self.page_at(b, r0)

    def _levels(self) -> dict[tuple[str, int], int]:
        """Give each (annotation, block) a stacking level so overlaps draw distinct underlines."""
        levels: dict[tuple[str, int], int] = {}
        for b, spans in self.by_block.items():
            ends: list[int] = []  # end offset per level
            for r0, r1, n in sorted(spans, key=lambda s: (s[0], -s[1])):
                lv = next((i for i, e in enumerate(ends) if e <= r0), len(ends))
                if lv == len(ends):
                    ends.append(r1)
                else:
                    ends[lv] = r1
                levels[(n.id, b)] = min(lv, 3)
        return levels

    def _number_footnotes(self) -> dict[int, str]:
        """Number the source's own notes (note blocks inside paragraphs) in reading order."""
        out: dict[int, str] = {}
        k = 0
        for b in self.blocks:
            for a in b.anchors if b.complex else ():
                if a.kind != "note":
                    continue
                idx = self.text.block_index(a.element)
                if idx is None or idx in out:
                    continue
                k += 1
                out[idx] = a.label or str(k)
        return out

    # -- summaries ---------------------------------------------------------------------------
    def category_counts(self) -> list[tuple[str, str, str, int, list[tuple[str, str, int]]]]:
        """Return (id, label, colour, count, [(sub id, sub label, count)]) per used top category."""
        tops = Counter(n.root for n in self.notes + self.orphans)
        subs: dict[str, Counter[str]] = {}
        for n in self.notes + self.orphans:
            sub = n.ann.bias.technique if n.kind == "bias" else n.category
            if sub and sub != n.root:
                subs.setdefault(n.root, Counter())[sub] += 1
        order = [c.id for c in self.taxonomy.top_level()]
        order += sorted(c for c in tops if c not in order)
        out = []
        for cid in order:
            if not tops.get(cid):
                continue
            sub = [(s, self.taxonomy.label(s), k) for s, k in sorted(subs.get(cid, {}).items())]
            out.append((cid, self.taxonomy.label(cid), safe_color(self.taxonomy.color(cid)),
                        tops[cid], sub))  # fmt: skip
        return out

    def figures(self) -> list[Note]:
        """Return the contested-figure annotations (resolved first, then orphans)."""
        return [n for n in self.notes + self.orphans if n.kind == "figure"]

    def cited_sources(self) -> list[str]:
        """Return the ids of the bibliographic entries cited by annotations, in the order of the
        style's bibliography."""
        ids: list[str] = []
        for n in self.notes + self.orphans:
            for sid in n.ann.cited_sources():
                if sid in self.sources and sid not in ids:
                    ids.append(sid)
        for s in self.sources.values():  # the editor's own bibliography, even if uncited
            if s.editable and s.id not in ids:
                ids.append(s.id)
        done = next(iter(self._entries.values()), None)  # text and HTML sort alike
        order = {sid: i for i, sid in enumerate(done or self.entries())}
        return sorted(ids, key=lambda s: order[s])

    def entries(self, fmt: str = "text") -> dict[str, str]:
        """Return source id -> bibliography entry in the edition's style, in the style's order
        (``fmt`` ``html``: HTML fragments)."""
        if fmt not in self._entries:
            self._entries[fmt] = citations.format_entries(
                {sid: s.element for sid, s in self.sources.items()}, self.style, fmt)
        return self._entries[fmt]

    def citation(self, sid: str, fmt: str = "text") -> str:
        """Return the bibliography entry of a source id in the edition's style (the id if
        unknown)."""
        return self.entries(fmt).get(sid, sid)

    def cite(self, sid: str, locator: str = "", fmt: str = "text") -> str:
        """Return a citation of a source with its locator in the edition's style."""
        entry = self.sources.get(sid)
        if entry is None:
            return ", ".join(x for x in (sid, locator) if x)
        return citations.format_citation(entry, locator, self.style, fmt)

    def short_citation(self, sid: str) -> str:
        """Return an author–year form of a source ('Borisov 1975'), or a short citation."""
        from ..document import short_citation

        entry = self.sources.get(sid)
        return short_citation(entry.element) if entry is not None else sid

    def bib_number(self, sid: str) -> int:
        """Return the 1-based position of a source in the bibliography (0 if not listed)."""
        if self._bib is None:
            self._bib = {s: i for i, s in enumerate(self.cited_sources(), 1)}
        return self._bib.get(sid, 0)

    def source_url(self, sid: str) -> str:
        """Return a safe URL recorded in a bibliographic entry ('' if none)."""
        entry = self.sources.get(sid)
        if entry is None:
            return ""
        for el in entry.element.iter(ns.qn("ref"), ns.qn("ptr"), ns.qn("idno")):
            url = safe_url(el.get("target") or _txt(el))
            if url:
                return url
        return ""

    def annotator_name(self, n: Note) -> str:
        """Return the annotator's display name."""
        return n.ann.annotator_name or self.annotators.get(n.ann.annotator, n.ann.annotator)

    def dates(self) -> tuple[str, str]:
        """Return the earliest creation and latest modification dates of the annotations."""
        created = [n.ann.created for n in self.notes + self.orphans if n.ann.created]
        modified = [n.ann.modified for n in self.notes + self.orphans if n.ann.modified]
        return (min(created) if created else "", max(modified) if modified else "")


def generated_at() -> str:
    """Return the export time (ISO 8601; ``tei.annotations.now_iso`` so tests can fix it)."""
    return _ann.now_iso()


def short(text: str, limit: int = 80) -> str:
    """Shorten ``text`` to ``limit`` characters with an ellipsis in the middle."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    half = (limit - 3) // 2
    return text[:half].rstrip() + " … " + text[-half:].lstrip()
