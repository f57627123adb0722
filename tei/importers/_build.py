"""The TEI tree of the plain-text importer: body, header and a text-preserving serialisation."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from tei.importers._blocks import Join, Unit
from tei.importers._notes import Footnote
from tei.importers._pages import Page
from tei.ns import TEI, XML_ID, XML_LANG, qn

# Elements that only ever hold other elements here: the only ones that get indentation whitespace.
_BLOCK = frozenset(
    qn(name)
    for name in (
        "TEI teiHeader fileDesc titleStmt publicationStmt sourceDesc encodingDesc editorialDecl "
        "normalization correction segmentation interpretation profileDesc langUsage revisionDesc "
        "text body back div bibl"
    ).split()
)


@dataclass
class HeaderInfo:
    """What the header says about the source and the import."""

    title: str
    author: str | None
    source_url: str | None
    filename: str | None
    encoding: str
    size: int
    line_count: int
    sha256: str
    lang: str | None
    when: str
    normalization: list[str] = field(default_factory=list)
    segmentation: list[str] = field(default_factory=list)
    interpretation: list[str] = field(default_factory=list)
    change: str = ""


def _el(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    elem = etree.SubElement(parent, qn(name))
    for key, value in attrs.items():
        elem.set(XML_ID if key == "xml_id" else key, value)
    if text is not None:
        elem.text = text
    return elem


def _append_text(parent: etree._Element, text: str) -> None:
    if not text:
        return
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


class BodyBuilder:
    """Build ``<body>`` page by page: paragraphs, headings in nested divs, page breaks, notes."""

    def __init__(self, body: etree._Element) -> None:
        self.stack: list[tuple[etree._Element, int]] = [(body, 0)]
        self.open_p: etree._Element | None = None
        self.paragraphs = 0
        self.headings = 0
        self.unreferenced: list[tuple[str | None, list[etree._Element]]] = []  # by page

    @property
    def container(self) -> etree._Element:
        """Return the element new blocks go into (the body or the innermost div)."""
        return self.stack[-1][0]

    def note(self, fn: Footnote, *, unanchored: bool = False) -> etree._Element:
        """Return a ``<note place="foot">`` holding the citation as ``<bibl>``."""
        elem = etree.Element(qn("note"))
        elem.set("place", "foot")
        elem.set("n", str(fn.n))
        if unanchored:
            elem.set("type", "unanchored")
        elem.set(XML_ID, f"fn{fn.seq}")
        etree.SubElement(elem, qn("bibl")).text = fn.text
        return elem

    def _fill(self, p: etree._Element, unit: Unit) -> None:
        # Track the last child: len(p) and p[-1] walk all children in lxml (quadratic in notes).
        last = p[-1] if len(p) else None
        pos = 0
        for anchor, fn in sorted(unit.anchors, key=lambda a: a[0].start):
            piece = unit.text[pos : anchor.start]
            if last is None:
                p.text = (p.text or "") + piece
            else:
                last.tail = (last.tail or "") + piece
            last = self.note(fn)
            p.append(last)
            pos = anchor.end
        if last is None:
            p.text = (p.text or "") + unit.text[pos:]
        else:
            last.tail = (last.tail or "") + unit.text[pos:]

    def page(
        self,
        page: Page,
        units: list[Unit],
        join_in: Join | None,
        join_out: Join | None,
        unanchored: list[Footnote],
    ) -> None:
        """Add one page: its ``<pb/>``, units, and the notes whose reference was not found."""
        pb = etree.Element(qn("pb"))
        if page.n is not None:
            pb.set("n", page.n)
        rest = units
        if self.open_p is not None and join_in is not None and units:
            _append_text(self.open_p, join_in.separator)
            if join_in.no_break:
                pb.set("break", "no")
            self.open_p.append(pb)
            self._fill(self.open_p, units[0])
            last_p = self.open_p
            rest = units[1:]
        else:
            if page.n is not None:
                self.container.append(pb)
            last_p = None
        for unit in rest:
            if unit.kind == "head":
                while len(self.stack) > 1 and self.stack[-1][1] >= unit.level:
                    self.stack.pop()
                div = _el(self.container, "div")
                self.stack.append((div, unit.level))
                self.headings += 1
                _el(div, "head", unit.text, xml_id=f"h{self.headings}")
                last_p = None
            else:
                self.paragraphs += 1
                last_p = _el(self.container, "p", xml_id=f"p{self.paragraphs}")
                self._fill(last_p, unit)
        self.open_p = last_p if join_out is not None else None
        if unanchored:
            self.unreferenced.append((page.n, [self.note(fn, unanchored=True) for fn in unanchored]))

    def back_notes(self, text: etree._Element) -> None:
        """Put the notes without a reference outside the running text: ``back/div[@type='notes']``,
        one ``div type="page"`` per page (its ``@n``) holding them, so no reader cites a callout
        the source does not have."""
        if not self.unreferenced:
            return
        div = _el(_el(text, "back"), "div", type="notes", subtype="unreferenced")
        _el(div, "head", "Notes without a reference in the source")
        for n, found in self.unreferenced:
            page = _el(div, "div", type="page", **({"n": n} if n is not None else {}))
            page.extend(found)


def build_header(tei: etree._Element, info: HeaderInfo) -> None:
    """Add a complete ``teiHeader`` describing the source file and the import."""
    header = etree.Element(qn("teiHeader"))
    tei.insert(0, header)
    file_desc = _el(header, "fileDesc")
    title_stmt = _el(file_desc, "titleStmt")
    _el(title_stmt, "title", info.title)
    if info.author:
        _el(title_stmt, "author", info.author)
    pub = _el(file_desc, "publicationStmt")
    _el(pub, "p", "Unpublished TEI encoding, generated by the Glossator plain-text importer.")
    bibl = _el(_el(file_desc, "sourceDesc"), "bibl")
    _el(bibl, "title", info.title)
    if info.author:
        _el(bibl, "author", info.author)
    if info.source_url:
        _el(bibl, "ref", info.source_url, target=info.source_url)
    name = f"the plain-text file {info.filename}" if info.filename else "a plain text"
    _el(
        bibl,
        "note",
        f"Imported from {name} ({info.size:,} bytes, {info.line_count:,} lines, "
        f"encoding {info.encoding}).",
    )
    _el(bibl, "idno", info.sha256, type="sha256")
    decl = _el(_el(header, "encodingDesc"), "editorialDecl")
    for part, paragraphs in (
        ("normalization", info.normalization),
        (
            "correction",
            [
                "The text is kept exactly as written: spelling, translation and OCR "
                "errors are not corrected; they are left for annotation."
            ],
        ),
        ("segmentation", info.segmentation),
        ("interpretation", info.interpretation),
    ):
        if paragraphs:
            elem = _el(decl, part)
            for text in paragraphs:
                _el(elem, "p", text)
    if info.lang:
        lang_usage = _el(_el(header, "profileDesc"), "langUsage")
        _el(lang_usage, "language", ident=info.lang)
    _el(_el(header, "revisionDesc"), "change", info.change, when=info.when)


def new_document(lang: str | None) -> tuple[etree._Element, etree._Element]:
    """Return a ``<TEI>`` root holding ``<text><body/></text>``, and the body (no header yet)."""
    tei = etree.Element(qn("TEI"), nsmap={None: TEI})
    text = _el(tei, "text")
    if lang:
        text.set(XML_LANG, lang)
    return tei, _el(text, "body")


def indent(elem: etree._Element, level: int = 0) -> None:
    """Indent element-only block containers; mixed content (p, head, note) is never touched."""
    if elem.tag not in _BLOCK or not len(elem):
        return
    if (elem.text and elem.text.strip()) or any(c.tail and c.tail.strip() for c in elem):
        return
    pad = "\n" + "  " * (level + 1)
    elem.text = pad
    for child in elem:
        child.tail = pad
        indent(child, level + 1)
    elem[-1].tail = "\n" + "  " * level


def serialise(tei: etree._Element) -> bytes:
    """Serialise with an XML declaration, UTF-8, indentation between blocks only."""
    indent(tei)
    body = etree.tostring(tei, encoding="UTF-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"
