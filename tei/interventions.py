"""Editorial interventions in the text: emend, regularise, mark unclear, record a gap, supply,
and plain correction of a transcription, each undoable and saved byte-faithfully.

An intervention works on a passage of one *text node* (the selected characters may not cross
markup): it changes that node in the tree, lays out its block again
(:meth:`tei.textmodel.TextModel.refresh`), moves every annotation pointer into the element that
holds the node so that it still resolves to the same passage (a pointer into the replaced
characters covers their replacement) and records itself in Glossator's standOff
(``<listChange type="glossator-interventions">``, one ``<change when who type>`` each). See
``docs/standoff-format.md`` § Interventions.

Saving never re-serialises the text. The file span of each text node an intervention touched
(its *slot*: the node plus the elements inserted into it) is known from its original bytes; at
save time the slot's current content is compared with its original string and only the
characters between their common prefix and suffix are replaced, by the new markup
(:func:`text_edits`). Undoing every intervention leaves no difference, hence the original bytes.
"""

from __future__ import annotations

import copy
import html
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lxml import etree

from . import history, ns, pointers
from .annotations import CERTAINTIES, Annotation, check_xml_text, now_iso
from .errors import AnnotationError
from .source import Edit
from .textmodel import NOTE, is_inline_note, visible_in

if TYPE_CHECKING:
    from .document import TeiDocument

log = logging.getLogger(__name__)

#: The kinds of intervention, with the verb their undo label and log entry use.
KINDS = {"emend": "Emend", "regularise": "Regularise", "unclear": "Mark unclear", "gap": "Gap",
         "supplied": "Supply", "correct": "Correct"}  # fmt: skip
LOG_TYPE = "glossator-interventions"
_LIST_CHANGE = ns.qn("listChange")
_CHANGE = ns.qn("change")
_NOT_TEXT = (etree._Comment, etree._ProcessingInstruction)
_XMLNS = re.compile(r'\s+xmlns(?::[\w.-]+)?="[^"]*"')
_REF = re.compile(r"&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(amp|lt|gt|quot|apos));|<!\[CDATA\[(.*?)\]\]>|\r\n?|&", re.S)
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


@dataclass
class Slot:
    """An original text node's string and its span in the original text, with the offset in the
    file of each character boundary (-1 inside a CDATA section, where no tag can go)."""

    original: str
    start: int
    end: int
    bounds: list[int] = field(repr=False)


@dataclass
class Intervention:
    """One applied intervention; :meth:`undo` and :meth:`redo` restore or re-apply it exactly."""

    doc: Any = field(repr=False)
    kind: str
    label: str
    block: int
    parent: etree._Element = field(repr=False)
    prev: etree._Element | None = field(repr=False)
    old: str | None
    new: str | None
    element: etree._Element | None = field(default=None, repr=False)
    index: int = 0
    log: list[tuple[etree._Element, etree._Element, int]] = field(default_factory=list, repr=False)
    before: dict[str, etree._Element] = field(default_factory=dict, repr=False)
    after: dict[str, etree._Element] = field(default_factory=dict, repr=False)

    @property
    def changed_annotations(self) -> list[str]:
        """Return the ids of the annotations whose pointer or quote the intervention changed."""
        return list(self.after)

    def undo(self) -> None:
        """Put the text, the annotations and the log back as they were before."""
        for ann_id, el in self.before.items():
            self.doc.replace_annotation_element(ann_id, _copy(el))
        for el, parent, _ in reversed(self.log):
            if el.getparent() is parent:
                parent.remove(el)
                self.doc.unregister_ids(el)
        if self.element is not None:
            self.doc.unregister_ids(self.element)
            self.parent.remove(self.element)
        _set_node(self.parent, self.prev, self.old)
        self.doc.text.refresh(self.parent)

    def redo(self) -> None:
        """Apply the intervention again after :meth:`undo`."""
        _set_node(self.parent, self.prev, self.new)
        if self.element is not None:
            self.parent.insert(self.index, self.element)
            self.doc.register_ids(self.element)
        for el, parent, index in self.log:
            if el.getparent() is None:
                parent.insert(index, el)
                self.doc.register_ids(el)
        self.doc.text.refresh(self.parent)
        for ann_id, el in self.after.items():
            self.doc.replace_annotation_element(ann_id, _copy(el))


def _copy(el: etree._Element) -> etree._Element:
    return copy.deepcopy(el)


def label_for(kind: str, old: str, new: str = "") -> str:
    """Return the readable name of an intervention (an undo step), e.g. ``Emend 'howl-' → 'war'``."""
    verb = KINDS[kind]
    if kind in ("emend", "regularise", "correct"):
        if not old:
            return f"{'Insert' if kind == 'correct' else verb} '{_short(new)}'"
        if not new and kind == "correct":
            return f"Delete '{_short(old)}'"
        return f"{verb} '{_short(old)}' → '{_short(new)}'"
    if kind == "supplied" and not old:
        return f"{verb} '{_short(new)}'"
    return f"{verb} '{_short(old)}'" if old else verb


def _short(text: str, limit: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def intervene(doc: TeiDocument, kind: str, block: int, r0: int, r1: int, *, text: str = "",
              reason: str = "", cert: str = "", extent: str = "", resp: str = "",
              when: str | None = None) -> Intervention | Across:  # fmt: skip
    """Apply an intervention to reading characters [r0, r1) of block ``block`` and return it.

    ``kind`` is one of :data:`KINDS`. ``text`` is the new reading (emend, regularise, correct) or
    the supplied text (supply at a point); ``reason`` goes in ``@reason`` (unclear, gap,
    supplied), ``extent`` in a gap's ``@extent``, ``cert`` (high/medium/low) in ``@cert`` of the
    correction; ``resp`` is the annotator's person id. A passage across markup (a page break,
    emphasis) is changed stretch by stretch (:class:`Across`). Raise ``AnnotationError`` (nothing
    changed) when the passage cannot be changed or saved safely.
    """
    if kind not in KINDS:
        raise AnnotationError(f"unknown intervention {kind!r}; one of: {', '.join(KINDS)}")
    check_xml_text(text, reason, extent)
    if cert and cert not in CERTAINTIES:
        raise AnnotationError(f"certainty must be one of {', '.join(CERTAINTIES)}")
    blocks = doc.text.blocks
    if not 0 <= block < len(blocks):
        raise AnnotationError(f"there is no block {block}")
    b = blocks[block]
    if r1 < r0:
        r0, r1 = r1, r0
    if not 0 <= r0 <= r1 <= len(b.reading):
        raise AnnotationError(f"the passage {r0}–{r1} is outside block {block}")
    if r0 == r1 and kind not in ("correct", "gap", "supplied"):
        raise AnnotationError("select the text to change first")
    if kind == "correct" and b.reading[r0:r1] == text:
        raise AnnotationError("the new text is the same as the old")
    s0 = b.to_raw(r0)
    s1 = b.to_raw(r1, end=True) if r1 > r0 else s0
    top = block
    while blocks[top].parent >= 0:
        top = blocks[top].parent
    _pin(doc, blocks[top].element)
    try:
        pieces = [_locate(b.element, s0, s1)]
    except AnnotationError:  # across markup: each stretch of text is changed in its place
        pieces = _pieces_between(b.element, s0, s1)
        if len(pieces) < 2 or kind == "supplied" and not r1 > r0:
            raise
    for parent, prev, _, _ in pieces:
        _slot(doc, *_slot_of(doc, parent, prev))  # refuses text that cannot be spliced, before any change
    when = when or now_iso()
    if len(pieces) == 1:
        return _apply(doc, kind, block, pieces[0], s0, s1, text, reason, cert, extent, resp, when)
    return _apply_across(doc, kind, block, pieces, s0, s1, b.reading[r0:r1], text, reason, cert, extent,
                         resp, when)  # fmt: skip


def _apply(doc: TeiDocument, kind: str, block: int, piece: tuple[etree._Element, etree._Element | None, int, str],
           s0: int, s1: int, text: str, reason: str, cert: str, extent: str, resp: str, when: str, *,
           log: bool = True) -> Intervention:  # fmt: skip
    """Apply an intervention to raw [s0, s1) of the block, all inside one text node (``piece``)."""
    parent, prev, start, old = piece
    a, z = max(s0, start) - start, min(s1, start + len(old)) - start
    mid = old[a:z]
    if kind == "correct" and mid == text:
        raise AnnotationError("the new text is the same as the old")
    if kind == "supplied" and mid:
        text = ""  # the selection is wrapped: it is what the editor supplies
    elif kind == "supplied" and not text.strip():
        raise AnnotationError("type the text to supply")
    g0 = doc.text.blocks[block].start + start + a
    raw_len = {"correct": len(text), "emend": len(mid) + len(text), "regularise": len(mid) + len(text),
               "gap": 0, "supplied": len(mid) + len(text), "unclear": len(mid)}[kind]  # fmt: skip
    wraps = kind == "unclear" or (kind == "supplied" and mid)  # the raw text stays as it is
    moves = None if wraps else _Moves(doc, parent, g0, g0 + len(mid), raw_len)
    done = Intervention(doc, kind, label_for(kind, mid, text), block, parent, prev, old, None)
    if kind == "correct":
        done.new = (old[:a] + text + old[z:]) or None
        _set_node(parent, prev, done.new)
    else:
        done.new = old[:a] or None
        done.element = _build(doc, parent, kind, mid, text, reason, cert, extent, resp)
        done.element.tail = old[z:] or None
        done.index = 0 if prev is None else parent.index(prev) + 1
        _set_node(parent, prev, done.new)
        parent.insert(done.index, done.element)
        doc.register_ids(done.element)
    doc.text.refresh(parent)
    if moves is not None:
        moves.apply(done, resp, when, history=log)
    if log:
        done.log = _log(doc, done.kind, [done.element], mid, text, resp, when, reason)
    return done


@dataclass
class Across:
    """An intervention on a passage that crosses markup: one :class:`Intervention` per stretch
    of text (the new reading goes in the first; the others keep their text in ``sic``/``orig``
    with an empty correction, or lose it in a plain correction), undone and redone together."""

    doc: Any = field(repr=False)
    kind: str
    label: str
    block: int
    parts: list[Intervention] = field(repr=False)  # in the order they were applied (last first)
    log: list[tuple[etree._Element, etree._Element, int]] = field(default_factory=list, repr=False)

    @property
    def changed_annotations(self) -> list[str]:
        """Return the ids of the annotations whose pointer or quote the intervention changed."""
        return list(dict.fromkeys(a for p in self.parts for a in p.changed_annotations))

    @property
    def element(self) -> etree._Element | None:
        """Return the element written for the first stretch of text."""
        return self.parts[-1].element

    def undo(self) -> None:
        """Put everything back as it was before."""
        for el, parent, _ in reversed(self.log):
            if el.getparent() is parent:
                parent.remove(el)
                self.doc.unregister_ids(el)
        for part in reversed(self.parts):
            part.undo()

    def redo(self) -> None:
        """Apply the intervention again after :meth:`undo`."""
        for part in self.parts:
            part.redo()
        for el, parent, index in self.log:
            if el.getparent() is None:
                parent.insert(index, el)
                self.doc.register_ids(el)


def _apply_across(doc: TeiDocument, kind: str, block: int, pieces: list, s0: int, s1: int, old: str,
                  text: str, reason: str, cert: str, extent: str, resp: str, when: str) -> Across:  # fmt: skip
    """Apply an intervention to raw [s0, s1), which runs over several text nodes ``pieces``: from
    the last to the first, so that the offsets of those before stay as they are."""
    parts: list[Intervention] = []
    try:
        for k in range(len(pieces) - 1, -1, -1):
            first = k == 0
            _, _, start, value = pieces[k]
            if kind == "correct" and value[max(s0, start) - start : s1 - start] == (text if first else ""):
                continue  # this stretch stays as it is
            part_kind = kind if first or kind not in ("gap", "supplied") else "correct"
            if kind == "supplied":
                part_kind = "supplied"
            parts.append(_apply(doc, part_kind, block, pieces[k], s0, s1, text if first else "",
                                reason, cert, extent, resp, when, log=False))  # fmt: skip
    except BaseException:
        for part in reversed(parts):
            part.undo()
        raise
    if not parts:
        raise AnnotationError("the new text is the same as the old")
    done = Across(doc, kind, label_for(kind, old, text), block, parts)
    before: dict[str, etree._Element] = {}
    for part in parts:  # the quote each annotation had before the first part changed it
        for ann_id, el in part.before.items():
            before.setdefault(ann_id, el)
    for ann_id, el in before.items():
        old_quote = Annotation(el, doc).quote
        ann = doc.annotation(ann_id)
        if ann.quote != old_quote:
            _quote_history(ann, old_quote, kind, resp, when)
            last = next(p for p in reversed(parts) if ann_id in p.after)
            last.after[ann_id] = _copy(ann.element)
    elements = [p.element for p in reversed(parts) if p.element is not None]
    done.log = _log(doc, kind, elements, old, text, resp, when, reason)
    return done


def _pieces_between(root: etree._Element, s0: int, s1: int) -> list[tuple[etree._Element, etree._Element | None, int, str]]:
    """Return the shown text nodes of ``root`` that raw [s0, s1) overlaps, in document order."""
    out = []
    for start, parent, prev, value in _text_nodes(root):
        if start >= s1:
            break
        if value and start + len(value) > s0 and _shown(parent, root):
            out.append((parent, prev, start, value))
    return out


def _locate(root: etree._Element, s0: int, s1: int) -> tuple[etree._Element, etree._Element | None, int, str]:
    """Return (parent, previous sibling or None, raw start, string) of the shown text node of
    ``root`` that holds raw [s0, s1)."""
    found = None
    for start, parent, prev, value in _text_nodes(root):
        if start <= s0 and s1 <= start + len(value) and _shown(parent, root):
            if s1 > s0 or value:
                return parent, prev, start, value
            found = found or (parent, prev, start, value)
        if start > s1:
            break
    if found is not None:
        return found
    raise AnnotationError("the passage crosses markup (emphasis, a name, a line break…): "
                          "select text inside one stretch of plain text")  # fmt: skip


def _text_nodes(root: etree._Element):  # noqa: ANN202 - a generator of tuples
    """Yield (raw start, parent, previous sibling or None, string) of every text node of
    ``root``, in document order, counted as raw offsets count them."""
    pos = 0

    def walk(el: etree._Element):  # noqa: ANN202
        nonlocal pos
        value = el.text or ""
        yield pos, el, None, value
        pos += len(value)
        for child in el:
            if not isinstance(child, _NOT_TEXT):
                yield from walk(child)
            tail = child.tail or ""
            yield pos, el, child, tail
            pos += len(tail)

    yield from walk(root)


def _shown(parent: etree._Element, root: etree._Element) -> bool:
    """Tell whether text directly inside ``parent`` is part of ``root``'s reading text."""
    if parent is not root:
        for el in (parent, *parent.iterancestors()):
            if el is root:
                break
            if el.tag == NOTE and not is_inline_note(el):
                return False
    return visible_in(parent, root) if parent is not root else True


def _set_node(parent: etree._Element, prev: etree._Element | None, value: str | None) -> None:
    if prev is None:
        parent.text = value
    else:
        prev.tail = value


def _is_new(doc: TeiDocument, el: etree._Element) -> bool:
    """Tell whether an element was made after loading (it has no line in the original file)."""
    return isinstance(el.tag, str) and doc.source.line(el) is None


def _pin(doc: TeiDocument, block: etree._Element) -> None:
    """Remember the lines of the elements whose line libxml2 may derive from text in ``block``:
    the block's, its descendants', its ancestors' and the empty elements just before them."""
    near = [*block.iter(), *block.iterancestors()]
    for el in [block, *block.iterancestors()]:
        sib = el.getprevious()
        while sib is not None and not len(sib) and not sib.tail:
            near.append(sib)
            sib = sib.getprevious()
    doc.source.pin_lines(near)


def _slot_of(doc: TeiDocument, parent: etree._Element,
             prev: etree._Element | None) -> tuple[etree._Element, etree._Element | None]:  # fmt: skip
    """Return the original text node whose file span holds the text node (parent, prev)."""
    while True:
        while prev is not None and _is_new(doc, prev):
            prev = prev.getprevious()
        if not _is_new(doc, parent):
            return parent, prev
        grand = parent.getparent()
        if grand is None:  # pragma: no cover - new elements are always inside the text
            raise AnnotationError("this text is not in the document")
        prev, parent = parent.getprevious(), grand


def _slot(doc: TeiDocument, parent: etree._Element, prev: etree._Element | None) -> Slot:
    """Return (recording on first use) the original text and file span of a text node."""
    key = (parent, prev)
    found = doc.text_slots.get(key)
    if found is not None:
        return found
    if prev is not None and isinstance(prev, _NOT_TEXT):
        raise AnnotationError("this text follows a comment or processing instruction in the file; "
                              "Glossator cannot change it safely")  # fmt: skip
    original = (parent.text if prev is None else prev.tail) or ""
    src = doc.source
    doc.sync_source()
    try:
        if prev is None:
            start = src.start_tag(doc.root, parent)[1]
            if src.text[start - 2] == "/":
                raise AnnotationError("this element is empty in the file; Glossator cannot add text to it")
        else:
            start = src.element_span(doc.root, prev)[1]
    except AnnotationError:
        raise
    except Exception as exc:  # a SaveError from locating the tag: refuse, change nothing
        raise AnnotationError(f"cannot find this text in the original file ({exc})") from None
    text = src.text
    end = start
    while True:
        end = text.find("<", end)
        if end < 0:
            raise AnnotationError("cannot find the end of this text in the original file")
        if not text.startswith("<![CDATA[", end):
            break
        end = text.index("]]>", end) + 3
    decoded, bounds = _decode(text, start, end)
    if decoded != original:
        raise AnnotationError("this text is written with entity references in the file; Glossator "
                              "cannot change it without rewriting them")  # fmt: skip
    slot = doc.text_slots[key] = Slot(original, start, end, bounds)
    return slot


def _decode(text: str, start: int, end: int) -> tuple[str, list[int]]:
    """Return the string value of the file text [start, end) and the file offset of each of its
    character boundaries (-1 inside CDATA)."""
    chars: list[str] = []
    bounds: list[int] = []
    pos = start
    for m in _REF.finditer(text, start, end):
        if m.start() > pos:
            chars.append(text[pos : m.start()])
            bounds.extend(range(pos, m.start()))
        token = m.group()
        if token == "&":
            raise AnnotationError("this text uses an entity defined by the document; Glossator "
                                  "cannot change it without rewriting it")  # fmt: skip
        if m.group(4) is not None:
            inner = m.group(4).replace("\r\n", "\n").replace("\r", "\n")
            chars.append(inner)
            bounds.append(m.start())
            bounds.extend([-1] * (len(inner) - 1))
            if not inner:
                bounds.pop()
        elif token.startswith("\r"):
            chars.append("\n")
            bounds.append(m.start())
        else:
            code = m.group(1) or m.group(2)
            chars.append(chr(int(code, 16 if m.group(1) else 10)) if code else _NAMED[m.group(3)])
            bounds.append(m.start())
        pos = m.end()
    chars.append(text[pos:end])
    bounds.extend(range(pos, end))
    bounds.append(end)
    return "".join(chars), bounds


def _build(doc: TeiDocument, parent: etree._Element, kind: str, mid: str, text: str, reason: str,
           cert: str, extent: str, resp: str) -> etree._Element:  # fmt: skip
    """Make the intervention's element inside ``parent`` (so it shares its namespace prefix)."""
    who = {"resp": "#" + resp} if resp else {}
    sure = {"cert": cert} if cert and cert != "unknown" else {}
    tag = {"emend": "choice", "regularise": "choice"}.get(kind, kind)
    el = etree.SubElement(parent, ns.qn(tag))
    el.set(ns.XML_ID, doc.new_id("gl-int"))
    if kind in ("emend", "regularise"):
        first, second = ("sic", "corr") if kind == "emend" else ("orig", "reg")
        etree.SubElement(el, ns.qn(first)).text = mid or None
        etree.SubElement(el, ns.qn(second), {**who, **sure}).text = text or None
        return el
    for key, value in {**who, **sure, "reason": reason.strip(), "extent": extent.strip()}.items():
        if value and not (key == "extent" and kind != "gap") and not (key == "reason" and kind == "correct"):
            el.set(key, value)
    if kind != "gap":
        el.text = (mid or text) or None
    return el


class _Moves:
    """The annotations whose pointers or quotes an edit of raw [g0, g1) (now ``length`` raw
    characters) in the text of ``parent`` changes, found before the edit and moved after it."""

    def __init__(self, doc: TeiDocument, parent: etree._Element, g0: int, g1: int, length: int) -> None:
        self.doc = doc
        self.g0, self.g1, self.length = g0, g1, length
        self.holders = [parent, *parent.iterancestors()]
        holder_set = set(self.holders)
        ids = {el.get(ns.XML_ID) or "" for el in self.holders} - {""}
        # a pointer into an element holding the edit names it; ranges, XPaths and Recogito's
        # paths may cover it without naming it: those are read too (and moved or not by _move).
        # Glossator's own one-element pointers are told apart by their id alone (an edit next to
        # 10,000 annotations stays quick).
        alternatives = "|".join(re.escape(i) for i in sorted(ids))
        names = re.compile((rf"[(#](?:{alternatives})(?![\w.-])|" if ids else "") + r"#range\(|xpath\(|xpointer\(|::")
        search, simple, start = names.search, "#string-range(", len("#string-range(")
        found = []
        for el in doc._annotation_elements():  # noqa: SLF001 - the library's own walk
            target = el.get("target") or ""
            if target.startswith(simple) and " " not in target:
                if target[start : target.find(",", start)] in ids:
                    found.append(el)
            elif search(target) is not None:
                found.append(el)
        self.items: list[tuple[Annotation, list[pointers.Pointer], tuple[int, int] | None]] = []
        for el in found:
            target = el.get("target") or ""
            parsed = pointers.parse_target(target)
            res = doc.resolve(target)
            span = (res[0].start or 0, res[-1].end or 0) if res and all(r.ok for r in res) else None
            moved = [self._move(p, holder_set) for p in parsed]
            if moved == parsed and not (span and span[0] <= g1 and span[1] >= g0):
                continue
            self.items.append((Annotation(el, doc), moved, span))

    def _move(self, p: pointers.Pointer, holders: set[etree._Element]) -> pointers.Pointer:
        """Return pointer ``p`` with its offsets moved over the edit (p itself if unchanged)."""
        if isinstance(p, pointers.StringRange | pointers.StringIndex):
            el = self._node(p.node)
            if el is None or el not in holders:
                return p
            base = self.doc.text.global_start(el)
            a = self.g0 - base
            if isinstance(p, pointers.StringIndex):
                return pointers.StringIndex(p.node, self._start(a, p.offset))
            s, e = self._start(a, p.offset), self._end(a, p.offset + p.length)
            return pointers.StringRange(p.node, s, max(e - s, 0))
        if isinstance(p, pointers.Range) and not isinstance(p, pointers.PathOffsets):
            return pointers.Range(self._move(p.start, holders), self._move(p.end, holders))
        if isinstance(p, pointers.Side):
            return pointers.Side(p.side, self._move(p.inner_pointer, holders))
        return p

    def _node(self, node: pointers.Node) -> etree._Element | None:
        try:
            return self.doc._node(node)  # noqa: SLF001
        except Exception:  # an unresolved node: the pointer stays as it is
            return None

    def _start(self, a: int, x: int) -> int:
        b, delta = a + (self.g1 - self.g0), self.length - (self.g1 - self.g0)
        return x if x <= a else x + delta if x >= b else a

    def _end(self, a: int, x: int) -> int:
        b, delta = a + (self.g1 - self.g0), self.length - (self.g1 - self.g0)
        return x if x <= a else x + delta if x >= b else a + self.length

    def apply(self, done: Intervention, resp: str, when: str, *, history: bool = True) -> None:
        """Point the annotations at their passages in the edited text and refresh their quotes,
        keeping a quote that changed in the annotation's history."""
        doc = self.doc
        for ann, moved, _ in self.items:
            before = _copy(ann.element)
            old_quote = ann.quote
            new_target = pointers.format_target(moved)
            if new_target != ann.target:
                ann.target = new_target
            res = doc.resolve(ann.target)
            if res and all(r.ok for r in res) and ann.element.find(f"{ns.qn('note')}[@type='quote']") is not None:
                exact, prefix, suffix = doc.quote_for(res[0].start or 0, res[-1].end or 0)
                if (exact, prefix, suffix) != (old_quote, ann.prefix, ann.suffix):
                    ann.set_quote(exact, prefix, suffix)
                if exact != old_quote and history:
                    _quote_history(ann, old_quote, done.kind, resp, when)
            if _xml(before) != _xml(ann.element):
                done.before[ann.id] = before
                done.after[ann.id] = _copy(ann.element)


def _xml(el: etree._Element) -> bytes:
    return etree.tostring(el)


def _quote_history(ann: Annotation, old: str, kind: str, resp: str, when: str) -> None:
    """Keep the quote an annotation had before an intervention: a ``<change status="text-changed">``
    in its ``revisionDesc`` holding the old ``<quote>``."""
    rev = ann._revision_desc()  # noqa: SLF001 - the annotation's own history
    change = etree.Element(_CHANGE, status="text-changed", when=when, type=kind)
    if resp:
        change.set("who", "#" + resp)
    etree.SubElement(change, ns.qn("quote")).text = old or None
    history.append_change(rev, change)


def _log(doc: TeiDocument, kind: str, elements: list[etree._Element | None], old: str, new: str, resp: str,
         when: str, reason: str) -> list[tuple[etree._Element, etree._Element, int]]:  # fmt: skip
    """Record the intervention in the standOff's ``listChange``; return what was created."""
    so_before, lst_before = doc.standoff(), log_list(doc)
    lst = log_list(doc, create=True)
    assert lst is not None
    made = [el for el, before in ((lst.getparent(), so_before), (lst, lst_before)) if before is None]
    attrib = {"when": when, "type": kind}
    if resp:
        attrib["who"] = "#" + resp
    targets = " ".join("#" + (el.get(ns.XML_ID) or "") for el in elements if el is not None)
    if targets:
        attrib["target"] = targets
    change = etree.SubElement(lst, _CHANGE, attrib)
    change.text = describe(kind, old, new, reason)
    made.append(change)
    return [(el, el.getparent(), el.getparent().index(el)) for el in made]  # type: ignore[union-attr]


def log_list(doc: TeiDocument, *, create: bool = False) -> etree._Element | None:
    """Return the standOff's log of interventions (a ``listChange``), made before the
    annotations (with the standOff) when there is none and ``create``; else None."""
    so = doc.ensure_standoff() if create else doc.standoff()
    if so is None:
        return None
    lst = next((c for c in so.iterchildren(_LIST_CHANGE) if c.get("type") == LOG_TYPE), None)
    if lst is None and create:
        lst = etree.Element(_LIST_CHANGE, type=LOG_TYPE)
        anchor = so.find(ns.qn("listAnnotation"))
        so.insert(so.index(anchor) if anchor is not None else len(so), lst)
    return lst


def describe(kind: str, old: str, new: str, reason: str = "") -> str:
    """Return the sentence that records an intervention in the log and the header."""
    old, new = " ".join(old.split()), " ".join(new.split())
    why = f" ({reason.strip()})" if reason.strip() else ""
    return {
        "emend": f"Emended ‘{old}’ to ‘{new}’.",
        "regularise": f"Regularised ‘{old}’ to ‘{new}’.",
        "unclear": f"Marked ‘{old}’ as unclear{why}.",
        "gap": f"Recorded a gap{why}" + (f" in place of ‘{old}’." if old else "."),
        "supplied": f"Supplied ‘{old or new}’{why}.",
        "correct": (f"Corrected ‘{old}’ to ‘{new}’." if old and new else
                    f"Deleted ‘{old}’." if old else f"Inserted ‘{new}’."),
    }[kind]  # fmt: skip


# -- saving ----------------------------------------------------------------------------------
def text_edits(doc: TeiDocument) -> list[Edit]:
    """Return the edits of the original text that write the current content of every text node
    an intervention touched: only the characters that differ, and the new markup between them."""
    out = []
    for (parent, prev), slot in doc.text_slots.items():
        first = (parent.text if prev is None else prev.tail) or ""
        inserted = []
        sib = parent[0] if prev is None and len(parent) else (prev.getnext() if prev is not None else None)
        while sib is not None and _is_new(doc, sib):
            inserted.append(sib)
            sib = sib.getnext()
        if not inserted and first == slot.original:
            continue
        last = (inserted[-1].tail or "") if inserted else first
        s = slot.original
        p = _common_prefix(s, first)
        room = min(len(s) - p, len(last) - (0 if inserted else p))
        q = _common_suffix(s, last, room)
        while slot.bounds[p] < 0:
            p -= 1
        e = len(s) - q
        while slot.bounds[e] < 0:
            e += 1
        q = len(s) - e
        if not inserted:
            new = _esc(first[p : len(first) - q])
        else:
            parts = [_esc(first[p:])]
            for k, el in enumerate(inserted):
                parts.append(_markup(el))
                tail = el.tail or ""
                parts.append(_esc(tail[: len(tail) - q] if k == len(inserted) - 1 else tail))
            new = "".join(parts)
        out.append(Edit(slot.bounds[p], slot.bounds[e], new))
    return out


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _common_suffix(a: str, b: str, limit: int) -> int:
    i = 0
    while i < limit and a[len(a) - 1 - i] == b[len(b) - 1 - i]:
        i += 1
    return i


def _esc(text: str) -> str:
    return html.escape(text, quote=False).replace("\r", "&#13;")


def _markup(el: etree._Element) -> str:
    """Return a new element as XML (no namespace declarations: the file declares them)."""
    el = copy.deepcopy(el)
    el.tail = None
    xml = etree.tostring(el, encoding=str, with_tail=False)
    head = xml.index(">")
    return _XMLNS.sub("", xml[:head]) + xml[head:]


def logged(doc: TeiDocument) -> list[etree._Element]:
    """Return the ``<change>`` entries of every intervention recorded in Glossator's standOff."""
    so = doc.standoff()
    if so is None:
        return []
    return [c for lst in so.iterchildren(_LIST_CHANGE) if lst.get("type") == LOG_TYPE
            for c in lst.iterchildren(_CHANGE)]  # fmt: skip


def new_changes(doc: TeiDocument) -> list[str]:
    """Return the log sentences of the interventions made since the document was loaded."""
    return [c.text or "" for c in logged(doc) if c.sourceline is None]


def change_summary(doc: TeiDocument, limit: int = 12) -> str:
    """Return the text added to the header's ``<change>`` for this session's interventions."""
    done = new_changes(doc)
    if not done:
        return ""
    shown = " ".join(done[:limit])
    more = f" And {len(done) - limit} more (listed in the Glossator standOff)." if len(done) > limit else ""
    return f" Text changed: {shown}{more}"
