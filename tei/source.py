"""The original bytes of a document, and byte-exact splicing of the parts Glossator changes.

lxml cannot re-serialise a file byte for byte (quotes, entity references, DOCTYPE, attribute
whitespace and CRLF all change), so a save never re-serialises the document. It keeps the original
text and replaces only the spans it owns: the Glossator ``<standOff>``, its taxonomy, an added
``<change>``, and ``xml:id`` attributes inserted into start tags.

Start tags are found from lxml's ``sourceline`` (the line on which the tag's ``>`` stands), then
verified by name and attributes on that line. libxml2 reports exact lines only up to 65,534;
beyond that, on very long lines (minified files), and whenever a line is ambiguous, the n-th original ``<name`` element of the tree is
mapped to the n-th ``<name`` start tag of the text (outside comments, CDATA, PIs and the
DOCTYPE, found once with C-speed regexes). Element ends are found the same way, by counting the
element's own start and end tags after it.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Callable
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
_OPAQUE = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>"
    r"|<!DOCTYPE(?:[^\[>]|\[(?:<!--.*?-->|\"[^\"]*\"|'[^']*'|[^\]])*\])*>",
    re.S,
)
_ENTITY_VALUE = re.compile(r"""<!ENTITY\s+(?:%\s+)?\S+\s+(?:"([^"]*)"|'([^']*)')""")
_MARKUP_NAME = re.compile(r"<([^\s/>!?]+)")
#: libxml2 reports an element's line exactly up to here; beyond, only approximately.
EXACT_LINES = 65534
#: Lines longer than this (minified files) are not searched tag by tag.
LONG_LINE = 20_000
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
    """The original bytes of a document, decoded on first use, and how to encode text back."""

    data: bytes = field(repr=False)
    encoding: str
    bom: bytes
    #: Elements whose xml:id was added after loading (ignored when matching start tags).
    added_ids: dict[etree._Element, str] = field(default_factory=dict, repr=False)
    #: Spans of the original text the full scan skips (owned regions, rewritten wholesale).
    owned_spans: list[tuple[int, int]] = field(default_factory=list, repr=False)
    #: Elements (with their subtrees) that own those regions in the current tree.
    owned_elements: list[etree._Element] = field(default_factory=list, repr=False)
    #: Lines of original elements read before their text was changed: libxml2 derives the line
    #: of an element past line 65,534 from its first child (or next node), so changing a text
    #: node there changes what ``sourceline`` says (see :meth:`pin_lines`).
    pinned: dict[etree._Element, int | None] = field(default_factory=dict, repr=False)
    _lines: list[int] | None = field(default=None, repr=False)
    _text: str | None = field(default=None, repr=False)
    _opaque: list[tuple[int, int]] | None = field(default=None, repr=False)
    _opaque_starts: list[int] = field(default_factory=list, repr=False)
    _entity_names: frozenset[str] | None = field(default=None, repr=False)
    _tags: dict[str, list[int]] = field(default_factory=dict, repr=False)
    _by_name: dict[tuple[str, str | None], dict[etree._Element, int]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_bytes(cls, data: bytes, encoding: str, bom: bytes) -> Source:
        """Keep ``data`` (a file's bytes, BOM first) to decode with ``encoding`` when needed."""
        return cls(data, encoding, bom)

    @property
    def text(self) -> str:
        """Return the original text (after the BOM), decoded on first use."""
        if self._text is None:
            try:
                self._text = self.data[len(self.bom) :].decode(self.encoding)
            except (UnicodeDecodeError, LookupError) as exc:
                raise SaveError(f"cannot decode the original file as {self.encoding} to splice "
                                f"the changes into it ({exc}); export it instead") from None  # fmt: skip
        return self._text

    @property
    def newline(self) -> str:
        """Return the file's line ending ("\\r\\n" if its first line ends so, else "\\n")."""
        first = self.text.find("\n")
        return "\r\n" if first > 0 and self.text[first - 1] == "\r" else "\n"

    def encode(self, text: str) -> bytes:
        """Encode text back in the original encoding (unencodable characters as references)."""
        return self.bom + text.encode(self.encoding, errors="xmlcharrefreplace")

    # -- locating -----------------------------------------------------------------------------
    def line(self, el: etree._Element) -> int | None:
        """Return the line of an original element as parsed (None: made after loading)."""
        pinned = self.pinned
        return pinned[el] if pinned and el in pinned else el.sourceline

    def pin_lines(self, elements: list[etree._Element]) -> None:
        """Remember the lines of ``elements`` (before their text or their neighbours change)."""
        for el in elements:
            if el not in self.pinned and isinstance(el.tag, str):
                self.pinned[el] = el.sourceline

    def start_tag(self, root: etree._Element, el: etree._Element) -> tuple[int, int]:
        """Return the [start, end) span of ``el``'s start tag in the original text."""
        return self.start_tags(root, [el])[el]

    def start_tags(self, root: etree._Element,
                   elements: list[etree._Element]) -> dict[etree._Element, tuple[int, int]]:  # fmt: skip
        """Return the start-tag spans of several original elements (one pass per element name)."""
        found: dict[etree._Element, tuple[int, int]] = {}
        by_name: dict[tuple[str, str | None], list[etree._Element]] = {}
        made_by_entities = self.entity_element_names()
        for el in elements:
            line = self.line(el)
            exact = line and line <= EXACT_LINES and written_name(el) not in made_by_entities
            span = self._start_tag_by_line(el) if exact and self._short_line(line) else None
            if span is None:
                by_name.setdefault((etree.QName(el).localname, el.prefix), []).append(el)
            else:
                found[el] = span
        for (local, prefix), wanted in by_name.items():
            found.update(self._start_tags_by_name(root, local, prefix, wanted))
        return found

    def element_span(self, root: etree._Element, el: etree._Element) -> tuple[int, int]:
        """Return the [start, end) span of the whole element, from ``<`` to its end tag's ``>``."""
        start, tag_end = self.start_tag(root, el)
        if self.text[tag_end - 2] == "/":
            return start, tag_end
        name = written_name(el)
        opens, closes = self._positions("<" + name), self._positions("</" + name)
        i, depth = bisect_right(opens, start), 1
        for close in closes[bisect_right(closes, start) :]:
            while i < len(opens) and opens[i] < close:
                m = _TOKEN.match(self.text, opens[i])
                if m is not None and m.group("start") and not m.group("empty"):
                    depth += 1
                i += 1
            depth -= 1
            if depth == 0:
                return start, self.text.index(">", close) + 1
        raise SaveError("cannot find the end tag of an element in the original file")

    def _positions(self, opening: str) -> list[int]:
        """Return the offsets of ``opening`` (``<name`` or ``</name``) as a real tag, cached."""
        found = self._tags.get(opening)
        if found is None:
            pattern = re.compile(re.escape(opening) + r"(?=[\s/>])")
            found = [m.start() for m in pattern.finditer(self.text) if not self._opaque_at(m.start())]
            self._tags[opening] = found
        return found

    def _opaque_at(self, pos: int) -> bool:
        """Tell whether ``pos`` is inside a comment, CDATA section, PI or the DOCTYPE."""
        if self._opaque is None:
            self._opaque = [m.span() for m in _OPAQUE.finditer(self.text)]
            self._opaque_starts = [a for a, _ in self._opaque]
        k = bisect_right(self._opaque_starts, pos) - 1
        return k >= 0 and pos < self._opaque[k][1]

    def entity_element_names(self) -> frozenset[str]:
        """Return the names of elements that entities of the internal subset write.

        Such elements exist in the tree but have no start tag of their own in the text, so they
        cannot be told apart from real ones by counting: their names never use the line method
        and a count that does not match refuses the save instead of guessing.
        """
        if self._entity_names is None:
            names: set[str] = set()
            at = self.text.find("<!DOCTYPE")
            doctype = _TOKEN.match(self.text, at) if at >= 0 else None
            if doctype is not None and not re.search(r"<[^!?]", self.text[:at]):  # in the prolog
                for double, single in _ENTITY_VALUE.findall(doctype.group()):
                    names.update(_MARKUP_NAME.findall(double or single))
            self._entity_names = frozenset(names)
        return self._entity_names

    def _start_tags_by_name(self, root: etree._Element, local: str, prefix: str | None,
                            wanted: list[etree._Element]) -> dict[etree._Element, tuple[int, int]]:  # fmt: skip
        """Map the n-th original element written ``prefix:local`` to the n-th such start tag.

        Elements created after loading have no ``sourceline``; owned subtrees (``owned_spans`` in
        the text, ``owned_elements`` in the tree) are rewritten wholesale and skipped on both
        sides, so the rest aligns one to one.
        """
        name = written_name(wanted[0])
        order = self._by_name.get((local, prefix))
        if order is None or any(el not in order for el in wanted):
            order = self._name_order(root, local, prefix, name)
        found = {}
        for el in wanted:
            at = order.get(el, -1) if order is not None else -1
            m = _TOKEN.match(self.text, at) if at >= 0 else None
            if m is None or m.group("start") != name:
                break
            found[el] = (m.start(), m.end())
        else:
            return found
        if name in self.entity_element_names():
            raise SaveError(f"cannot add an xml:id to a <{name}>: this document builds <{name}> "
                            "elements from entities, so its text cannot be matched safely; give "
                            "the element an xml:id in the file first")  # fmt: skip
        raise SaveError("the original file does not match its parsed tree; save it under a new name")

    def _name_order(self, root: etree._Element, local: str, prefix: str | None,
                    name: str) -> dict[etree._Element, int] | None:  # fmt: skip
        """Return (and keep) the offset of the start tag of every original element written
        ``name``: the n-th of the tree's to the n-th of the text's; None when they do not pair
        up. Kept, as original elements are never added or moved: later lookups cost nothing."""
        positions = [p for p in self._positions("<" + name)
                     if not any(a <= p < b for a, b in self.owned_spans)]  # fmt: skip
        skip = {x for o in self.owned_elements for x in o.iter()}
        order: dict[etree._Element, int] = {}
        for element in root.iter("{*}" + local):  # any namespace: the text only shows prefixes
            if element.prefix != prefix or self.line(element) is None or element in skip:
                continue
            if len(order) >= len(positions):
                return None
            order[element] = positions[len(order)]
        if len(order) != len(positions):
            return None
        self._by_name[(local, prefix)] = order
        return order

    def root_end_tag(self, root: etree._Element) -> int:
        """Return the offset of the root element's end tag ``</…>``."""
        name = written_name(root)
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

    def _short_line(self, line: int) -> bool:
        """Tell whether a line is short enough to search tag by tag (minified files are not)."""
        lines = self._line_starts()
        end = lines[line] if line < len(lines) else len(self.text)
        return line <= len(lines) and end - lines[line - 1] <= LONG_LINE

    def _start_tag_by_line(self, el: etree._Element) -> tuple[int, int] | None:
        line = self.line(el)
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
                if m and m.end() == pos + 1 and m.group("start") and not self._opaque_at(lt):
                    if _tag_signature(m) == signature:
                        spans.append((lt, pos + 1))
            pos = self.text.find(">", pos + 1, le)
        same_line = _same_line_twins(el, signature, self.added_ids, self.line)
        if len(spans) != len(same_line):
            return None
        return spans[same_line.index(el)]


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


def written_name(el: etree._Element) -> str:
    """Return an element's name as written in the file (``prefix:local`` or ``local``)."""
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
    return written_name(el), tuple(sorted(attrs))


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


def _same_line_twins(el: etree._Element, signature: tuple, added: dict[etree._Element, str],
                     line_of: Callable[[etree._Element], int | None]) -> list[etree._Element]:  # fmt: skip
    """Return the elements whose start tag ends on ``el``'s line and look exactly like it."""
    line = line_of(el)
    twins: list[etree._Element] = []
    prev = _doc_prev(el)
    while prev is not None and line_of(prev) == line:
        if isinstance(prev.tag, str) and _signature(prev, added) == signature:
            twins.append(prev)
        prev = _doc_prev(prev)
    twins.reverse()
    twins.append(el)
    nxt = _doc_next(el)
    while nxt is not None and line_of(nxt) == line:
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

