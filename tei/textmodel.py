"""The text model: raw TEI offsets, display blocks with a whitespace-collapsed reading text, and
exact maps between the two.

Two coordinate systems exist.

*Raw* offsets are those of the TEI pointer schemes (Guidelines §SATS): characters (Python code
points) of the text nodes in document order, no whitespace normalisation, notes and every
``<choice>`` alternative included. A raw offset is either local to an element (``string-range``)
or *global*: an offset into the string value of the root element.

*Reading* offsets count characters of a block's reading text: what a reader sees, with runs of
XML whitespace collapsed to one space, leading/trailing whitespace trimmed, notes taken out (each
note is a block of its own, listed right after the block that contains it; ``place="inline"``
notes stay in the line), one alternative of a ``<choice>`` shown, the lemma (or first reading) of
an ``<app>`` and the base of a ``<ruby>`` (other readings, witnesses and witness notes hidden),
and the whitespace around ``<lb break="no"/>``, or around an ``<lb/>`` between two characters of
a script written without spaces (CJK, Thai…), removed.

A *block* is an element shown as one paragraph: a member of ``BLOCK_TAGS``, a note, or any element
with text of its own that is not inside another block (so unknown elements still show their text).
Reading texts of plain blocks are computed in C (``tostring`` and one regex); the per-character map
is built lazily, only for blocks that are actually mapped. Lookups are O(log n) (``bisect``).
"""

from __future__ import annotations

import gc
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import accumulate
from operator import add

from lxml import etree

from . import ns

_T = "{" + ns.TEI + "}"
BLOCK_TAGS = frozenset(
    _T + t
    for t in (
        "p ab head l item label cell speaker stage note trailer byline dateline salute signed "
        "docTitle titlePart docAuthor docDate docImprint argument epigraph castItem roleDesc "
        "figDesc caption bibl biblStruct entry line u fw closer opener postscript seg"
    ).split()
)
BLOCK_TAGS = BLOCK_TAGS - {_T + "seg", _T + "bibl", _T + "label"}  # inline unless they hold text alone
#: Blocks that usually wrap other blocks (a title and its subtitle, an epigraph's verse and its
#: source, an opener's dateline and salute): a block only when they hold text of their own.
BLOCK_TAGS = BLOCK_TAGS - {_T + t for t in "docTitle epigraph argument opener closer postscript".split()}
CONTAINER_TAGS = frozenset(
    _T + t
    for t in (
        "TEI teiCorpus text body front back group div div1 div2 div3 div4 div5 div6 div7 lg sp "
        "spGrp list listBibl table row figure castList castGroup floatingText sourceDoc surface "
        "surfaceGrp zone titlePage quote cit div listPerson listPlace listEvent listOrg "
        "superEntry re sense form dictScrap"
    ).split()
)
#: A title page and the parts of a manuscript description: each child is a line of its own.
STRUCTURED_TAGS = frozenset(
    _T + t
    for t in (
        "titlePage msDesc msContents msItem msItemStruct msPart msFrag physDesc objectDesc "
        "supportDesc layoutDesc handDesc decoDesc scriptDesc musicNotation bindingDesc sealDesc "
        "additional adminInfo recordHist surrogates history"
    ).split()
)
CONTAINER_TAGS = CONTAINER_TAGS | STRUCTURED_TAGS
#: Subtrees never shown in the reading text (they still count for raw offsets).
SKIPPED_TAGS = frozenset(_T + t for t in ("teiHeader", "standOff", "facsimile", "fsdDecl"))
NOTE = _T + "note"
CHOICE = _T + "choice"
APP = _T + "app"
RDG_GRP = _T + "rdgGrp"
RUBY = _T + "ruby"
LB = _T + "lb"
PB = _T + "pb"
#: In a ``<choice>``, the first child (in this order) present is the one shown.
CHOICE_PREFERENCE = tuple(_T + t for t in ("corr", "reg", "expan", "ex", "seg", "sic", "orig", "abbr"))
#: In an ``<app>`` (or ``<rdgGrp>``): the lemma, else the first reading; in ``<ruby>``: the base.
APP_PREFERENCE = tuple(_T + t for t in ("lem", "rdgGrp", "rdg"))
RUBY_PREFERENCE = (_T + "rb",)
#: Elements of which one child is shown and the others (readings, witness notes) are hidden.
SELECTORS = {CHOICE: CHOICE_PREFERENCE, APP: APP_PREFERENCE, RDG_GRP: APP_PREFERENCE,
             RUBY: RUBY_PREFERENCE}  # fmt: skip
#: Witness sigla and details inside a reading: apparatus, not text.
WITNESS_TAGS = frozenset(_T + t for t in ("wit", "witDetail"))

_WS_RUN = re.compile(r"[ \t\n\r]+")
_WS_LONG = re.compile(r"([ \t\n\r]{2,})")  # (captured: re.split keeps the runs)
#: Scripts written without spaces between words: a line break there joins, it does not space.
_SPACELESS = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u2e80-\u9fff\uf900-\ufaff"
                        "\uff00-\uffef\U00020000-\U0003ffff]")
#: Characters ``str.split()`` treats as whitespace but XML does not (no-break space, …).
#: Listed, not ``[^\S \t\n\r]``: a negated class is twice as slow on non-ASCII text.
_NON_XML_SPACE = re.compile("[\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_NOT_TEXT = (etree._Comment, etree._ProcessingInstruction)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while many long-lived objects are made (a block per
    paragraph: its passes would traverse them all, again and again, and find no garbage)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def spaceless(ch: str) -> bool:
    """Tell whether a character belongs to a script written without spaces (CJK, Thai…)."""
    return _SPACELESS.match(ch) is not None


def text_of(el: etree._Element) -> str:
    """Return the raw string value of an element (all descendant text, no tail)."""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def collapse(text: str) -> str:
    """Collapse XML whitespace runs to one space and strip the ends (the reading-text rule)."""
    if text.isascii() or _NON_XML_SPACE.search(text) is None:  # split() knows more spaces
        return " ".join(text.split())
    return _WS_RUN.sub(" ", text).strip(" ")


@dataclass(slots=True)
class Anchor:
    """A zero-width thing in a block's reading text: a note reference or a page break."""

    kind: str  # "note" | "pb"
    position: int  # reading offset in the block
    element: etree._Element
    label: str


@dataclass(slots=True, eq=False)
class Block:
    """One displayed paragraph: its element, global raw span and (lazily) reading text and map."""

    element: etree._Element
    start: int  # global raw offset of the element's first character
    length: int  # raw length of the element's string value
    parent: int  # index of the enclosing block (for notes inside a paragraph), else -1
    is_note: bool = False
    _reading: str | None = None
    _raw: str | None = None  # the raw text seen at layout, kept until the reading text is made
    _map: tuple[list[int], list[int]] | None = None  # reading seg starts, raw seg starts
    _anchors: list[Anchor] | None = field(default=None)
    complex: bool = False  # has notes, choices or lb break="no": needs the full walk

    @property
    def end(self) -> int:
        """Return the global raw offset just after the block."""
        return self.start + self.length

    @property
    def reading(self) -> str:
        """Return the block's reading text."""
        if self._reading is None:
            if self.complex:
                self._build_map()
            else:
                raw, self._raw = self._raw, None
                self._reading = collapse(raw if raw is not None else text_of(self.element))
        assert self._reading is not None
        return self._reading

    @property
    def anchors(self) -> list[Anchor]:
        """Return the note references and page breaks in the block, in reading order."""
        if self._anchors is None:
            if self.complex or (len(self.element) and next(self.element.iter(PB), None) is not None):
                self._build_map()  # a plain block's page breaks are placed with its map
            else:
                self._anchors = []
        assert self._anchors is not None
        return self._anchors

    def to_raw(self, pos: int, *, end: bool = False) -> int:
        """Map a reading offset to a raw offset local to the block element.

        With ``end=True`` the offset is an exclusive end: it maps just after the raw character
        of ``pos - 1``, so skipped raw text (a following note, trailing spaces) is not included.
        """
        r_starts, w_starts = self._segments()
        if not r_starts:
            return 0
        if end and pos > 0:
            return self.to_raw(pos - 1) + 1
        pos = max(0, min(pos, len(self.reading)))
        i = bisect_right(r_starts, pos) - 1
        return w_starts[i] + (pos - r_starts[i])

    def to_reading(self, raw: int) -> int:
        """Map a raw offset local to the block to the nearest reading offset at or after it."""
        r_starts, w_starts = self._segments()
        return _to_reading(r_starts, w_starts, len(self.reading), raw)

    def _segments(self) -> tuple[list[int], list[int]]:
        """Return (reading starts, raw starts) of the block's 1:1 segments, built on first use."""
        if self._map is None:
            self._build_map()
        assert self._map is not None
        return self._map

    def _build_map(self) -> None:
        if self.complex:
            reading, r_starts, w_starts, anchors = _reading_map(self.element)
        else:
            reading, r_starts, w_starts, anchors = _simple_map(self.element, self._reading)
        if self._reading is not None and self._reading != reading:  # pragma: no cover - invariant
            raise AssertionError("reading text and map disagree")
        self._reading, self._map, self._anchors = reading, (r_starts, w_starts), anchors


def _pieces(root: etree._Element) -> Iterator[tuple[int, str, int, object]]:
    """Yield (raw offset, text, flag, payload) over a block: flag 1 visible, 0 hidden, 2 anchor,
    3 no-break marker, 4 line break."""
    pos = 0

    def walk(el: etree._Element, hidden: bool) -> Iterator[tuple[int, str, int, object]]:
        nonlocal pos
        if el.text and not isinstance(el, _NOT_TEXT):
            yield pos, el.text, 0 if hidden else 1, None
            pos += len(el.text)
        shown = shown_child(el) if el.tag in SELECTORS else None
        for child in el:
            if isinstance(child, _NOT_TEXT):
                pass
            elif (shown is not None and child is not shown) or child.tag in WITNESS_TAGS:
                yield from walk(child, True)
            elif child.tag == NOTE and not is_inline_note(child):
                if not hidden:
                    yield pos, "", 2, child
                yield from walk(child, True)
            elif child.tag == PB and not hidden:
                yield pos, "", 2, child
            elif child.tag == LB and not hidden:
                yield pos, "", 3 if child.get("break") == "no" else 4, child
            else:
                yield from walk(child, hidden)
            if child.tail:
                yield pos, child.tail, 0 if hidden else 1, None
                pos += len(child.tail)

    yield from walk(root, False)


def shown_child(el: etree._Element) -> etree._Element | None:
    """Return the child of a ``<choice>``, ``<app>``, ``<rdgGrp>`` or ``<ruby>`` that the reading
    text shows (None: an apparatus entry without readings, shown as it is)."""
    children = [c for c in el if isinstance(c.tag, str)]
    for tag in SELECTORS[el.tag]:
        for c in children:
            if c.tag == tag:
                return c
    if el.tag == CHOICE:
        return children[0] if children else None
    if el.tag == RUBY:
        return next((c for c in children if c.tag not in (_T + "rt", _T + "rtc")), None)
    return None


def is_inline_note(note: etree._Element) -> bool:
    """Tell whether a note is part of the line (``place="inline"``), not set apart as a block."""
    return note.get("place") == "inline"


def visible_in(el: etree._Element, top: etree._Element) -> bool:
    """Tell whether ``el`` is shown in the reading text of ``top`` (not an unchosen reading)."""
    child = el
    for anc in el.iterancestors():
        if anc.tag in SELECTORS:
            shown = shown_child(anc)
            if shown is not None and child is not shown:
                return False
        if child.tag in WITNESS_TAGS:
            return False
        if anc is top:
            return True
        child = anc
    return True


def _simple_map(root: etree._Element, reading: str | None = None) -> tuple[str, list[int], list[int], list[Anchor]]:
    """Build the reading map of a block without notes, choices or no-break line breaks.

    Equivalent to :func:`_reading_map` for such blocks, from whitespace runs only.
    """
    raw = text_of(root)
    r_starts: list[int] = []
    w_starts: list[int] = []
    start = len(raw) - len(raw.lstrip(" \t\n\r"))
    end = len(raw.rstrip(" \t\n\r"))
    if start < end:
        # A word or a one-character whitespace run maps 1:1 (the run becomes one space): only a
        # longer run starts a new segment, at the word after it. Lengths of the text between
        # such runs (t) and of the runs (w) give the segment starts (sums made in C).
        lengths = list(map(len, _WS_LONG.split(raw[start:end])))
        t, w = lengths[0::2], lengths[1::2]
        r_starts = list(accumulate(map((1).__add__, t[:-1]), initial=0))
        w_starts = list(accumulate(map(add, t[:-1], w), initial=start))
    if reading is None:  # (else already made, by collapse() of the same raw text)
        reading = collapse(raw)
    anchors = []
    if len(root):
        for pb in root.iter(PB):
            x = _offset_in(root, pb)
            while x and raw[x - 1] in " \t\n\r":  # marks attach before spaces
                x -= 1
            anchors.append(Anchor("pb", _to_reading(r_starts, w_starts, len(reading), x), pb, pb.get("n") or ""))
    return reading, r_starts, w_starts, anchors


def _to_reading(r_starts: list[int], w_starts: list[int], length: int, raw: int) -> int:
    """Map a raw offset to the nearest reading offset at or after it, with a block's segment map
    (``length``: of its reading text)."""
    i = bisect_right(w_starts, raw) - 1
    if i < 0:
        return 0
    seg_len = (r_starts[i + 1] if i + 1 < len(r_starts) else length) - r_starts[i]
    return r_starts[i] + min(raw - w_starts[i], seg_len)


def _offset_in(root: etree._Element, el: etree._Element) -> int:
    """Return the raw offset of ``el`` inside ``root`` by summing what precedes it (C calls)."""
    pos = 0
    while el is not root:
        parent = el.getparent()
        assert parent is not None
        prev = el.getprevious()
        while prev is not None:
            if not isinstance(prev, _NOT_TEXT):
                pos += len(text_of(prev))
            if prev.tail:
                pos += len(prev.tail)
            prev = prev.getprevious()
        if parent.text:
            pos += len(parent.text)
        el = parent
    return pos


def _reading_map(root: etree._Element) -> tuple[str, list[int], list[int], list[Anchor]]:
    """Build the reading text of a block and its segment map (see module docstring)."""
    out: list[str] = []
    r_starts: list[int] = []
    w_starts: list[int] = []
    anchors: list[Anchor] = []
    rlen = 0
    pending: int | None = None  # raw offset of a whitespace run waiting to become one space
    nobreak = False
    soft = False  # a line break since the last word: no space between two CJK characters
    next_raw = -1  # raw offset that would continue the current segment

    def emit(raw: int, s: str) -> None:
        nonlocal rlen, next_raw
        if raw != next_raw:
            r_starts.append(rlen)
            w_starts.append(raw)
        out.append(s)
        rlen += len(s)
        next_raw = raw + len(s)

    for raw, text, flag, payload in _pieces(root):
        if flag == 2:
            el = payload
            assert isinstance(el, etree._Element)
            kind = "note" if el.tag == NOTE else "pb"
            label = el.get("n") or ""
            anchors.append(Anchor(kind, rlen, el, label))  # marks attach to the word before
            continue
        if flag == 3:
            nobreak, pending = True, None
            continue
        if flag == 4:
            soft = True
            continue
        if flag == 0:
            continue
        start = 0
        for m in _WS_RUN.finditer(text):  # words between whitespace runs, then the run
            if m.start() > start:
                if pending is not None:
                    if not (soft and spaceless(out[-1][-1]) and spaceless(text[start])):
                        emit(pending, " ")
                    pending = None
                nobreak = soft = False
                emit(raw + start, text[start : m.start()])
            if rlen and pending is None and not nobreak:
                pending = raw + m.start()
            start = m.end()
        if start < len(text):
            if pending is not None:
                if not (soft and spaceless(out[-1][-1]) and spaceless(text[start])):
                    emit(pending, " ")
                pending = None
            nobreak = soft = False
            emit(raw + start, text[start:])
    for a in anchors:  # an anchor after trailing whitespace sits at the end of the text
        a.position = min(a.position, rlen)
    return "".join(out), r_starts, w_starts, anchors


class TextModel:
    """Blocks of a TEI document with global raw offsets; read-only.

    Loading walks only the structure above the blocks (containers), so it costs little more than
    the parse; block lengths, offsets and nested notes are laid out on first use.
    """

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self._tops: list[tuple[etree._Element, int]] = []  # top-level block, gap before it
        self._top_of: dict[etree._Element, int] = {}
        self._container_at: dict[etree._Element, tuple[int, int]] = {}  # (tops before, gap)
        self._gap = 0
        with paused_gc():
            self._walk(root)
        self._tail_gap = self._gap
        self._blocks: list[Block] | None = None
        self._block_of: dict[etree._Element, int] = {}
        self._top_index: list[int] = []
        self._starts: list[int] = []
        self._offsets: dict[etree._Element, dict[etree._Element, int]] = {}

    # -- building ---------------------------------------------------------------------------
    def _walk(self, el: etree._Element) -> None:
        """Record top-level blocks and containers under ``el`` with the text between them."""
        tops, top_of, container_at = self._tops, self._top_of, self._container_at
        gap = self._gap
        container_at[el] = (len(tops), gap)
        if el.text:
            gap += len(el.text)
        for child in el:  # the hot loop of loading: one read of tag, text and tail per child
            tag = child.tag
            if tag.__class__ is not str or tag in SKIPPED_TAGS:  # comment, PI, header, standOff
                pass
            elif tag in BLOCK_TAGS or _is_block(child):
                top_of[child] = len(tops)
                tops.append((child, gap))
                gap = 0
            elif len(child):
                self._gap = gap
                self._walk(child)
                gap = self._gap
            else:
                container_at[child] = (len(tops), gap)
                text = child.text
                if text:
                    gap += len(text)
            tail = child.tail
            if tail:
                gap += len(tail)
        self._gap = gap

    @property
    def blocks(self) -> list[Block]:
        """Return every block in document order (notes right after their paragraph)."""
        if self._blocks is None:
            self._layout()
        assert self._blocks is not None
        return self._blocks

    @property
    def length(self) -> int:
        """Return the number of raw characters outside the header and standOff."""
        blocks = self.blocks
        ends = [blocks[i].end for i in self._top_index]
        return (ends[-1] if ends else 0) + self._tail_gap

    def _layout(self) -> None:
        with paused_gc():
            self._layout_blocks()

    def _layout_blocks(self) -> None:
        marked = list(self.root.iter(CHOICE, LB, NOTE, APP, RUBY))  # one pass for both uses
        note_list = [el for el in marked if el.tag == NOTE]
        notes = self._notes_by_top(note_list)
        all_notes = set(note_list)  # (looked up for every block: cheaper than its tag)
        blocks: list[Block] = []
        append, top_index, tostring = blocks.append, self._top_index, etree.tostring
        pos = 0
        for k, (el, gap) in enumerate(self._tops):  # the hot loop: one text_of() per block, inlined
            pos += gap
            raw = tostring(el, method="text", encoding=str, with_tail=False)
            index = len(blocks)
            top_index.append(index)
            append(Block(el, pos, len(raw), -1, el in all_notes, None, raw))
            for note in notes.get(k, ()):
                blocks[index].complex = True
                offset = self.offsets_within(el)[note]
                append(Block(note, pos + offset, len(text_of(note)), index, is_note=True))
            pos += len(raw)
        self._block_of = {b.element: i for i, b in enumerate(blocks)}
        self._blocks = blocks
        self._starts = [b.start for b in blocks]
        self._mark_complex(marked)

    def _notes_by_top(self, notes: Iterable[etree._Element]) -> dict[int, list[etree._Element]]:
        """Find which of the document's ``notes`` become blocks of their own, by top-level block
        ordinal."""
        found: dict[int, list[etree._Element]] = {}
        for note in notes:
            if is_inline_note(note):
                continue
            for anc in note.iterancestors():
                if anc.tag == NOTE and not is_inline_note(anc):
                    break
                k = self._top_of.get(anc)
                if k is not None:
                    if visible_in(note, anc):
                        found.setdefault(k, []).append(note)
                    break
        return found

    def refresh(self, el: etree._Element) -> int:
        """Lay out again the top-level block holding ``el`` (and its notes) after its text was
        changed in the tree; shift the blocks after it. Return the change in raw length.

        The blocks stay the same objects at the same indexes (an edit inside a block adds or
        removes no block); the changed ones are read with the full walk.
        """
        blocks = self.blocks
        i = self.enclosing_block(el)
        if i < 0:
            raise ValueError("the element is not inside a block of the text")
        while blocks[i].parent >= 0:
            i = blocks[i].parent
        self._offsets.clear()
        top = blocks[i]
        length = len(text_of(top.element))
        delta = length - top.length
        top.length = length
        changed = [top]
        j = i + 1
        if j < len(blocks) and blocks[j].parent == i:
            offsets = self.offsets_within(top.element)
            while j < len(blocks) and blocks[j].parent == i:
                note = blocks[j]
                note.start = top.start + offsets[note.element]
                note.length = len(text_of(note.element))
                self._starts[j] = note.start
                changed.append(note)
                j += 1
        for b in changed:
            b._reading = b._raw = b._map = b._anchors = None
            b.complex = True
        if delta:
            starts = self._starts
            for k in range(j, len(blocks)):
                blocks[k].start += delta
                starts[k] += delta
        return delta

    def offsets_within(self, root: etree._Element) -> dict[etree._Element, int]:
        """Return (cached) raw offsets of every descendant element of ``root``, relative to it."""
        found = self._offsets.get(root)
        if found is None:
            if len(self._offsets) > 64:
                self._offsets.clear()
            found = self._offsets[root] = _offsets_within(root)
        return found

    def _block_ancestor(self, el: etree._Element) -> int:
        for anc in el.iterancestors():
            i = self._block_of.get(anc)
            if i is not None:
                return i
        return -1

    def _mark_complex(self, marked: list[etree._Element]) -> None:
        """Mark the blocks that need the full walk, from the document's choices, line breaks,
        notes, apparatus and ruby elements (``marked``)."""
        checked: set[int] = set()
        for el in marked:
            if el.tag == LB and el.get("break") != "no":
                # a line break between two CJK characters joins them: only then the full walk
                after = (el.tail or "").lstrip(" \t\n\r")[:1]
                if after and not spaceless(after):
                    continue
                i = self._block_ancestor(el)
                if i < 0 or i in checked:
                    continue
                checked.add(i)
                b = self.blocks[i]
                if _SPACELESS.search(b._raw if b._raw is not None else text_of(b.element)):
                    b.complex = True
                continue
            i = self._block_ancestor(el)
            if i >= 0:
                self.blocks[i].complex = True

    # -- lookups ----------------------------------------------------------------------------
    def block_index(self, el: etree._Element) -> int | None:
        """Return the index of the block whose element is ``el``, if it is one."""
        self.blocks  # noqa: B018 - lay out first
        return self._block_of.get(el)

    def enclosing_block(self, el: etree._Element) -> int:
        """Return the index of the block that is or contains ``el``, or -1."""
        self.blocks  # noqa: B018 - lay out first
        i = self._block_of.get(el)
        return i if i is not None else self._block_ancestor(el)

    def global_start(self, el: etree._Element) -> int:
        """Return the global raw offset at which ``el``'s string value starts."""
        blocks = self.blocks
        i = self._block_of.get(el)
        if i is not None:
            return blocks[i].start
        start = self._container_start(el)
        if start is not None:
            return start
        for anc in el.iterancestors():
            i = self._block_of.get(anc)
            if i is not None:
                return blocks[i].start + self.offsets_within(anc)[el]
            start = self._container_start(anc)
            if start is not None:
                return start + self.offsets_within(anc)[el]
        raise ValueError("element is not in this document")

    def start_outside_blocks(self, el: etree._Element) -> int | None:
        """Return the global raw offset of an element that stands between blocks (a container, or
        an empty element such as a page break in one); None for one inside a block or the header."""
        return self._container_start(el)

    def between_blocks(self, tag: str) -> list[etree._Element]:
        """Return the elements named ``tag`` that stand between blocks (in containers: not in a
        block, nor in the header), in document order, from what loading recorded (no search of
        the whole tree)."""
        return [el for el in self._container_at if el.tag == tag]

    def _container_start(self, el: etree._Element) -> int | None:
        at = self._container_at.get(el)
        if at is None:
            return None
        k, gap = at
        return (self.blocks[self._top_index[k - 1]].end if k else 0) + gap

    def find_block(self, gpos: int, *, end: bool = False) -> int:
        """Return the index of the innermost block containing global offset ``gpos``, or -1.

        With ``end=True`` the offset is an exclusive end (it belongs to the block it closes).
        """
        probe = gpos - 1 if end and gpos > 0 else gpos
        blocks = self.blocks
        i = bisect_right(self._starts, probe) - 1
        while i >= 0:
            b = blocks[i]
            if b.start <= probe < b.end:
                return i
            i = b.parent
        return -1

    def blocks_between(self, g0: int, g1: int) -> list[tuple[int, int, int]]:
        """Return (block index, reading start, reading end) pieces covering global [g0, g1).

        A note inside a paragraph is included only if the span starts or ends inside it: a
        passage selected across a footnote marker does not take in the footnote's text.
        """
        if g1 <= g0:
            i = self.find_block(g0)
            if i < 0:
                i = self.find_block(g0, end=True)
            if i < 0:
                return []
            r = self.blocks[i].to_reading(g0 - self.blocks[i].start)
            return [(i, r, r)]
        pieces: list[tuple[int, int, int]] = []
        self.blocks  # noqa: B018 - lay out first
        first = bisect_right(self._starts, g0) - 1
        while first >= 0 and self.blocks[first].parent >= 0:
            first = self.blocks[first].parent
        for i in range(max(first, 0), len(self.blocks)):
            b = self.blocks[i]
            if b.start >= g1:
                break
            if b.end <= g0:
                continue
            if b.parent >= 0 and not (b.start <= g0 < b.end or b.start < g1 <= b.end):
                continue
            r0 = b.to_reading(max(g0 - b.start, 0))
            r1 = b.to_reading(g1 - b.start) if g1 < b.end else len(b.reading)
            if r1 > r0:
                pieces.append((i, r0, r1))
        return pieces

    def reading_to_global(self, index: int, pos: int, *, end: bool = False) -> int:
        """Map (block index, reading offset) to a global raw offset."""
        b = self.blocks[index]
        return b.start + b.to_raw(pos, end=end)

    def global_to_reading(self, gpos: int) -> tuple[int, int]:
        """Map a global raw offset to (block index, reading offset); (-1, 0) outside blocks."""
        i = self.find_block(gpos)
        if i < 0:
            return -1, 0
        b = self.blocks[i]
        return i, b.to_reading(gpos - b.start)

    def element_offset(self, index: int, pos: int) -> tuple[etree._Element, int]:
        """Map (block, reading offset) to the innermost element there and the raw offset in it."""
        block = self.blocks[index]
        raw = block.to_raw(pos)
        best, best_off = block.element, raw
        for el, start in self.offsets_within(block.element).items():
            if el is block.element or not isinstance(el.tag, str):
                continue
            if start <= raw < start + len(text_of(el)) and raw - start <= best_off:
                best, best_off = el, raw - start
        return best, best_off

    def reading_position(self, el: etree._Element, offset: int) -> tuple[int, int]:
        """Map (element, raw offset in it) to (block index, reading offset); (-1, 0) if hidden."""
        return self.global_to_reading(self.global_start(el) + offset)

    def readings(self) -> list[str]:
        """Return every block's reading text, making those of plain blocks in one pass."""
        blocks = self.blocks
        todo = [b for b in blocks if b._reading is None and not b.complex]
        with paused_gc():
            raws = [text_of(b.element) if b._raw is None else b._raw for b in todo]
            search, sub = _NON_XML_SPACE.search, _WS_RUN.sub
            made = [" ".join(raw.split()) if raw.isascii() or search(raw) is None else sub(" ", raw).strip(" ")
                    for raw in raws]  # collapse(), inlined  # fmt: skip
            for b, reading in zip(todo, made, strict=True):
                b._reading, b._raw = reading, None
            for b in blocks:
                if b._reading is None:  # a block that needs the full walk
                    b.reading  # noqa: B018 - made now
        return [b._reading for b in blocks]  # type: ignore[misc]

    def reading_text(self) -> str:
        """Return the document's reading text: every block's reading text, joined by newlines."""
        return "\n".join(b.reading for b in self.blocks)

    def reading_starts(self) -> list[int]:
        """Return each block's start offset in ``reading_text()``."""
        starts, pos = [], 0
        for b in self.blocks:
            starts.append(pos)
            pos += len(b.reading) + 1
        return starts

    def reading_counts(self) -> tuple[int, int]:
        """Return (characters, words) of the reading text (``str.split`` words), without making
        and keeping every block's reading string: what ``glossator stats`` reports."""
        chars = words = 0
        plain: list[str] = []  # raw texts of plain blocks, whose reading text is collapse(raw)
        for b in self.blocks:
            if b._raw is not None and not b.complex:
                plain.append(b._raw)
            else:  # reading text made already, or it needs the full walk
                chars += len(b.reading)
                words += len(b.reading.split())
        # collapse() joins a block's XML-space-separated words with one space: count them in C
        # over all blocks at once (a word starts where a non-space follows a space).
        text = "\n".join(plain)
        marks = text.encode().translate(_WORD_STARTS)
        found = marks.count(b" x") + marks.startswith(b"x")
        letters = len(text) - sum(map(text.count, " \t\n\r"))
        filled = sum(1 for raw in plain if not raw.isspace() and raw)  # blocks with a word
        chars += letters + found - filled
        words += found
        if not text.isascii():  # str.split() also splits at no-break and other non-XML spaces
            ends = list(accumulate(len(raw) + 1 for raw in plain))
            odd = {bisect_right(ends, m.start()) for m in _NON_XML_SPACE.finditer(text)}
            for k in odd:
                xml_words = plain[k].strip(" \t\n\r")
                words += len(plain[k].split()) - len(_WS_RUN.split(xml_words))
                chars -= plain[k].isspace()  # a word for XML (e.g. one no-break space) after all
        return chars, words


#: ``bytes.translate`` table: an XML space (one byte in UTF-8) to b" ", any other byte to b"x".
_WORD_STARTS = bytes(32 if chr(i) in " \t\n\r" else 120 for i in range(256))


def _is_block(el: etree._Element) -> bool:
    tag = el.tag
    if tag in BLOCK_TAGS:
        return True
    if not isinstance(tag, str):
        return False
    if el.text and el.text.strip():
        return True
    if tag in STRUCTURED_TAGS:  # fields on lines of their own, unless text runs between them
        return any(c.tail and c.tail.strip() for c in el)
    has_children = False
    for child in el:
        if not isinstance(child.tag, str):
            if child.tail and child.tail.strip():
                return True
            continue
        has_children = True
        if child.tag in BLOCK_TAGS or child.tag in CONTAINER_TAGS:
            return False
        if child.tail and child.tail.strip():
            return True
    return has_children and bool(text_of(el).strip())


def _offsets_within(root: etree._Element) -> dict[etree._Element, int]:
    """Return the raw offset of every descendant element of ``root``, relative to ``root``."""
    offsets: dict[etree._Element, int] = {}
    pos = 0

    def walk(el: etree._Element) -> None:
        nonlocal pos
        offsets[el] = pos
        if el.text and not isinstance(el, _NOT_TEXT):
            pos += len(el.text)
        for child in el:
            if not isinstance(child, _NOT_TEXT):
                walk(child)
            if child.tail:
                pos += len(child.tail)

    walk(root)
    return offsets
