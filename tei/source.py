"""The original bytes of a document, and byte-exact splicing of the parts Glossator changes.

lxml cannot re-serialise a file byte for byte (quotes, entity references, DOCTYPE, attribute
whitespace and CRLF all change), so a save never re-serialises the document. It keeps the original
text and replaces only the spans it owns: the Glossator ``<standOff>``, its taxonomy, an added
``<change>``, and ``xml:id`` attributes inserted into start tags.

Start tags are found from lxml's ``sourceline`` (the line on which the tag's ``>`` stands), then
verified by name and attributes on that line; anything ambiguous falls back to a full lexical scan
of the file that maps the n-th start tag to the n-th element. Element ends are found by a lexical
scan forward from the start tag, which costs only the size of that element.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from lxml import etree

from .errors import SaveError

_TOKEN = re.compile(
    r"<!--.*?-->"
    r"|<!\[CDATA\[.*?\]\]>"
    r"|<\?.*?\?>"
    r"|<!DOCTYPE(?:[^\[>]|\[(?:<!--.*?-->|\"[^\"]*\"|'[^']*'|[^\]])*\])*>"
    r"|</(?P<end>[^\s>]+)\s*>"
    r"|<(?P<start>[^\s/>!?]+)(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(?P<empty>/?)>",
    re.S,
)
_ATTR = re.compile(r"""([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_TAIL_MISC = re.compile(r"(?:\s+|<!--.*?-->|<\?.*?\?>)*\Z", re.S)


@dataclass(slots=True)
class Edit:
    """Replace ``text[start:end]`` with ``new``."""

    start: int
    end: int
    new: str


@dataclass
class Source:
    """The decoded original text of a document plus what is needed to encode it back."""

    text: str
    encoding: str
    bom: bytes
    #: Elements whose xml:id was added after loading (ignored when matching start tags).
    added_ids: dict[etree._Element, str] = field(default_factory=dict, repr=False)
    #: Spans of the original text the full scan skips (owned regions, rewritten wholesale).
    owned_spans: list[tuple[int, int]] = field(default_factory=list, repr=False)
    #: Elements (with their subtrees) that own those regions in the current tree.
    owned_elements: list[etree._Element] = field(default_factory=list, repr=False)
    _lines: list[int] | None = field(default=None, repr=False)

    @classmethod
    def from_bytes(cls, data: bytes, encoding: str, bom: bytes) -> Source:
        """Decode ``data`` (after its BOM) with ``encoding``."""
        return cls(data[len(bom) :].decode(encoding), encoding, bom)

    @property
    def newline(self) -> str:
        """Return the file's line ending ("\\r\\n" if its first line ends so, else "\\n")."""
        first = self.text.find("\n")
        return "\r\n" if first > 0 and self.text[first - 1] == "\r" else "\n"

    def encode(self, text: str) -> bytes:
        """Encode text back in the original encoding (unencodable characters as references)."""
        return self.bom + text.encode(self.encoding, errors="xmlcharrefreplace")

    # -- locating -----------------------------------------------------------------------------
    def start_tag(self, root: etree._Element, el: etree._Element) -> tuple[int, int]:
        """Return the [start, end) span of ``el``'s start tag in the original text."""
        span = self._start_tag_by_line(el)
        if span is None:
            span = self._start_tag_by_scan(root, el)
        return span

    def element_span(self, root: etree._Element, el: etree._Element) -> tuple[int, int]:
        """Return the [start, end) span of the whole element, from ``<`` to its end tag's ``>``."""
        start, tag_end = self.start_tag(root, el)
        if self.text[tag_end - 2] == "/":
            return start, tag_end
        depth = 1
        for m in _TOKEN.finditer(self.text, tag_end):
            if m.group("start") and not m.group("empty"):
                depth += 1
            elif m.group("end"):
                depth -= 1
                if depth == 0:
                    return start, m.end()
        raise SaveError("cannot find the end tag of an element in the original file")

    def root_end_tag(self, root: etree._Element) -> int:
        """Return the offset of the root element's end tag ``</…>``."""
        name = _qname(root)
        pos = len(self.text)
        while True:
            pos = self.text.rfind("</" + name, 0, pos)
            if pos < 0:
                raise SaveError("cannot find the end tag of the root element")
            close = self.text.find(">", pos)
            if close >= 0 and not self.text[pos + 2 + len(name) : close].strip():
                if _TAIL_MISC.match(self.text, close + 1):
                    return pos

    def line_indent(self, pos: int) -> str:
        """Return the whitespace that starts the line containing ``pos``."""
        line_start = self.text.rfind("\n", 0, pos) + 1
        m = re.match(r"[ \t]*", self.text[line_start:pos])
        return m.group() if m else ""

    def _line_starts(self) -> list[int]:
        if self._lines is None:
            self._lines = [0] + [m.end() for m in re.finditer("\n", self.text)]
        return self._lines

    def _start_tag_by_line(self, el: etree._Element) -> tuple[int, int] | None:
        line = el.sourceline
        lines = self._line_starts()
        if not line or line > len(lines):
            return None
        ls = lines[line - 1]
        le = lines[line] if line < len(lines) else len(self.text)
        signature = _signature(el, self.added_ids)
        spans = []
        pos = self.text.find(">", ls, le)
        while pos >= 0:
            lt = self.text.rfind("<", 0, pos)
            if lt >= 0:
                m = _TOKEN.match(self.text, lt)
                if m and m.end() == pos + 1 and m.group("start"):
                    if _tag_signature(m) == signature:
                        spans.append((lt, pos + 1))
            pos = self.text.find(">", pos + 1, le)
        same_line = _same_line_twins(el, signature, self.added_ids)
        if len(spans) != len(same_line):
            return None
        return spans[same_line.index(el)]

    def _start_tag_by_scan(self, root: etree._Element, el: etree._Element) -> tuple[int, int]:
        """Map the n-th start tag of the text to the n-th original element, skipping owned parts.

        Elements created after loading have no ``sourceline``; owned subtrees (``owned_spans`` in
        the text, elements inside them in the tree) are rewritten wholesale and skipped on both
        sides, so the rest aligns one to one.
        """
        tags = (
            m for m in _TOKEN.finditer(self.text)
            if m.group("start") and not any(a <= m.start() < b for a, b in self.owned_spans)
        )  # fmt: skip
        skip = {id(x) for o in self.owned_elements for x in o.iter()}
        for element in root.getroottree().iter(tag=etree.Element):
            if element.sourceline is None or id(element) in skip:
                continue
            m = next(tags, None)
            if m is None:
                break
            if element is el:
                if _tag_signature(m)[0] != _qname(el):
                    break
                return m.start(), m.end()
        raise SaveError("the original file does not match its parsed tree; save it under a new name")


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits to ``text`` and return the new text."""
    out, pos = [], 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        if e.start < pos:
            raise SaveError("internal error: overlapping edits")
        out.append(text[pos : e.start])
        out.append(e.new)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)


def insert_attribute(source: Source, span: tuple[int, int], name: str, value: str) -> Edit:
    """Return an edit inserting ``name="value"`` at the end of the start tag at ``span``."""
    start, end = span
    close = end - 2 if source.text[end - 2] == "/" else end - 1
    while close > start and source.text[close - 1] in " \t\r\n":
        close -= 1
    return Edit(close, close, f' {name}="{html.escape(value, quote=True)}"')


def _qname(el: etree._Element) -> str:
    local = etree.QName(el).localname
    return f"{el.prefix}:{local}" if el.prefix else local


def _signature(el: etree._Element, added: dict[etree._Element, str] | None = None
               ) -> tuple[str, tuple[tuple[str, str], ...]]:  # fmt: skip
    attrs = []
    skip_id = added is not None and el in added
    nsmap_rev = {v: k for k, v in (el.nsmap or {}).items() if k}
    for key, value in el.attrib.items():
        q = etree.QName(key)
        if q.namespace == "http://www.w3.org/XML/1998/namespace":
            if skip_id and q.localname == "id":
                continue
            name = "xml:" + q.localname
        elif q.namespace:
            name = f"{nsmap_rev.get(q.namespace, '')}:{q.localname}"
        else:
            name = q.localname
        attrs.append((name, value))
    return _qname(el), tuple(sorted(attrs))


def _tag_signature(m: re.Match[str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    attrs = []
    for a in _ATTR.finditer(m.group("attrs") or ""):
        name = a.group(1)
        if name == "xmlns" or name.startswith("xmlns:"):
            continue
        raw = a.group(2) if a.group(2) is not None else a.group(3)
        value = html.unescape(re.sub(r"[\t\n\r]", " ", raw))
        attrs.append((name, value))
    return m.group("start"), tuple(sorted(attrs))


def _same_line_twins(el: etree._Element, signature: tuple,
                     added: dict[etree._Element, str]) -> list[etree._Element]:  # fmt: skip
    """Return the elements whose start tag ends on ``el``'s line and look exactly like it."""
    line = el.sourceline
    twins: list[etree._Element] = []
    prev = _doc_prev(el)
    while prev is not None and prev.sourceline == line:
        if isinstance(prev.tag, str) and _signature(prev, added) == signature:
            twins.append(prev)
        prev = _doc_prev(prev)
    twins.reverse()
    twins.append(el)
    nxt = _doc_next(el)
    while nxt is not None and nxt.sourceline == line:
        if isinstance(nxt.tag, str) and _signature(nxt, added) == signature:
            twins.append(nxt)
        nxt = _doc_next(nxt)
    return twins


def _doc_prev(el: etree._Element) -> etree._Element | None:
    prev = el.getprevious()
    if prev is None:
        return el.getparent()
    while len(prev):
        prev = prev[-1]
    return prev


def _doc_next(el: etree._Element) -> etree._Element | None:
    if len(el):
        return el[0]
    while el is not None:
        nxt = el.getnext()
        if nxt is not None:
            return nxt
        el = el.getparent()
    return None

