"""Reading-text coordinates for interchange: positions, quotes and re-anchoring of passages.

W3C selectors (``TextQuoteSelector``, ``TextPositionSelector``) count code points of the
document's reading text: :meth:`tei.textmodel.TextModel.reading_text`, every block's reading text
joined with ``"\\n"``. :class:`ReadingIndex` maps between that string and global raw spans (what
TEI pointers resolve to) and finds quotes in it after whitespace collapsing, using an approximate
prefix/suffix match to choose among several occurrences. Lookups are O(log n) (``bisect``).
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right, insort
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .annotations import Annotation
from .errors import TeiError
from .pointers import span_pointer

_WS = re.compile(r"\s+")
_WS_RUN = re.compile(r"\s{2,}")
#: Two candidate occurrences whose context scores (0..2) differ by less than this are a tie.
TIE_MARGIN = 0.05
#: At most this many occurrences of a quote are scored; more without context is ambiguous.
MAX_CANDIDATES = 20000


def collapse_ws(text: str) -> str:
    """Collapse every run of Unicode whitespace to one space and strip the ends."""
    return _WS.sub(" ", text).strip(" ")


@dataclass(frozen=True)
class Found:
    """The result of looking for a passage: reading [start, end) or why it was not found."""

    start: int = -1
    end: int = -1
    error: str = ""

    @property
    def ok(self) -> bool:
        """Tell whether the passage was found."""
        return not self.error


class ReadingIndex:
    """The reading text of a document with maps to blocks and raw offsets (build once, reuse)."""

    def __init__(self, doc: object) -> None:
        self.doc = doc
        model = doc.text  # type: ignore[attr-defined]
        self.model = model
        self.text: str = model.reading_text()
        self.starts: list[int] = model.reading_starts()
        self._norm: tuple[str, list[int], list[int]] | None = None

    # -- raw spans <-> reading positions -------------------------------------------------------
    def span_of(self, g0: int, g1: int) -> tuple[int, int] | None:
        """Return reading [start, end) for global raw [g0, g1), or None if it shows nowhere."""
        if g1 <= g0:  # a point: in the block where it is, else the one whose text it ends
            i = self.model.find_block(g0)
            if i < 0:
                i = self.model.find_block(g0, end=True)
            if i < 0 or self.model.blocks[i].end < g0:
                return None
            b = self.model.blocks[i]
            pos = self.starts[i] + b.to_reading(g0 - b.start)
            return pos, pos
        pieces = self.model.blocks_between(g0, g1)
        if not pieces:
            return None
        by_block = {i: (r0, r1) for i, r0, r1 in pieces}
        first = self.model.find_block(g0)
        last = self.model.find_block(g1, end=True)
        b0 = first if first in by_block else pieces[0][0]
        b1 = last if last in by_block else pieces[-1][0]
        start = self.starts[b0] + by_block[b0][0]
        end = self.starts[b1] + by_block[b1][1]
        if end < start:  # e.g. from inside a footnote back into its paragraph
            return None
        return start, end

    def block_at(self, pos: int, *, end: bool = False, point: bool = False) -> tuple[int, int]:
        """Map a reading position to (block index, offset in the block's reading text).

        A start position on a block separator moves to the next block; an exclusive end
        position just after a separator stays at the end of the previous block; a ``point``
        (empty passage) stays in the block whose text it ends or starts.
        """
        blocks = self.model.blocks
        probe = pos - 1 if end and pos > 0 else pos
        i = max(bisect_right(self.starts, probe) - 1, 0)
        r = min(max(pos - self.starts[i], 0), len(blocks[i].reading))
        if not end and not point and r == len(blocks[i].reading) and i + 1 < len(blocks):
            return i + 1, 0
        return i, r

    def context(self, start: int, end: int, size: int = 32) -> tuple[str, str, str]:
        """Return (exact, prefix, suffix) around reading [start, end)."""
        t = self.text
        return t[start:end], t[max(0, start - size) : start], t[end : end + size]

    # -- searching -----------------------------------------------------------------------------
    def _normalised(self) -> tuple[str, list[int], list[int]]:
        """Return the whitespace-collapsed text and its segment map back to ``self.text``."""
        if self._norm is None:
            norm_starts, orig_starts = [0], [0]
            shift = 0
            for m in _WS_RUN.finditer(self.text):
                shift += len(m.group()) - 1
                norm_starts.append(m.end() - shift)
                orig_starts.append(m.end())
            self._norm = (_WS.sub(" ", self.text), norm_starts, orig_starts)
        return self._norm

    def _to_orig(self, k: int) -> int:
        _, ns_, os_ = self._normalised()
        i = bisect_right(ns_, k) - 1
        return os_[i] + (k - ns_[i])

    def matches_at(self, start: int, end: int, exact: str) -> bool:
        """Tell whether reading [start, end) is ``exact`` after whitespace collapsing."""
        return 0 <= start <= end <= len(self.text) and collapse_ws(
            self.text[start:end]
        ) == collapse_ws(exact)

    def find_quote(self, exact: str, prefix: str = "", suffix: str = "") -> Found:
        """Find ``exact`` (whitespace runs compared as one space; whitespace at its ends kept when
        the text has it there) and pick the occurrence whose context fits best."""
        if not exact.strip():
            return Found(error="the quote is empty")
        hits, needle = self._occurrences(exact)
        if not hits:
            return Found(error="quote not found in the text")
        pre, suf = _WS.sub(" ", prefix).lstrip(" "), _WS.sub(" ", suffix).rstrip(" ")
        if len(hits) > 1:
            if not pre.strip() and not suf.strip():
                return Found(
                    error=f"ambiguous quote: it occurs {len(hits)} times and no prefix or suffix tells them apart"
                )
            scored = sorted(
                ((self._score(h, len(needle), pre, suf), h) for h in hits), reverse=True
            )
            if scored[0][0] - scored[1][0] < TIE_MARGIN:
                return Found(
                    error=f"ambiguous quote: {len(hits)} occurrences fit the prefix/suffix equally well"
                )
            hit = scored[0][1]
        else:
            hit = hits[0]
        return Found(*self._reading_span(hit, needle))

    def _occurrences(self, exact: str, near: int = -1, reach: int = 0) -> tuple[list[int], str]:
        """Return the positions of ``exact`` in the whitespace-collapsed text and the needle found
        (only those within ``reach`` of reading position ``near`` when that is given)."""
        norm, ns_, os_ = self._normalised()
        lo, hi = 0, len(norm)
        if near >= 0:
            i = bisect_right(os_, near) - 1
            centre = ns_[i] + min(near - os_[i], (ns_[i + 1] - ns_[i]) if i + 1 < len(ns_) else near)
            lo, hi = max(0, centre - reach), centre + reach + len(exact)
        hits: list[int] = []
        needle = ""
        for needle in dict.fromkeys((_WS.sub(" ", exact), collapse_ws(exact))):
            i = norm.find(needle, lo, hi)
            while i >= 0 and len(hits) < MAX_CANDIDATES:
                hits.append(i)
                i = norm.find(needle, i + 1, hi)
            if hits:
                break
        return hits, needle

    def _reading_span(self, hit: int, needle: str) -> tuple[int, int]:
        """Return reading [start, end) of ``needle`` found at ``hit`` of the collapsed text."""
        return self._to_orig(hit), self._to_orig(hit + len(needle) - 1) + 1

    def _score(self, hit: int, length: int, pre: str, suf: str) -> float:
        norm, _, _ = self._normalised()
        score = 0.0
        if pre.strip():
            window = norm[max(0, hit - len(pre)) : hit]
            score += _similarity(pre, window, tail=True)
        if suf.strip():
            end = hit + length
            score += _similarity(suf, norm[end : end + len(suf)], tail=False)
        return score


def _similarity(given: str, actual: str, *, tail: bool) -> float:
    """Return 0..1: how well ``actual`` context matches ``given`` (approximate, edit-tolerant)."""
    if not actual:
        return 0.0
    g, a = given.strip(" "), actual.strip(" ")
    if not g or not a:
        return 0.0
    from rapidfuzz import fuzz  # (imported when first needed: 10 ms that opening a file may not)

    ratio = fuzz.ratio(g, a) / 100
    # the characters nearest the quote matter most: bonus for an exact run next to it
    run = 0
    pairs = zip(reversed(g), reversed(a), strict=False) if tail else zip(g, a, strict=False)
    for x, y in pairs:
        if x != y:
            break
        run += 1
    return 0.8 * ratio + 0.2 * (run / len(g))


class Unanchored(Exception):
    """A W3C target cannot be anchored in the document (the message says why)."""


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _type(sel: dict[str, Any]) -> str:
    raw = sel.get("type", sel.get("@type", ""))
    raw = raw[0] if isinstance(raw, list) and raw else raw
    return str(raw).rpartition(":")[2]


def anchor_target(doc: Any, index: ReadingIndex, target: Any) -> str:
    """Return the TEI pointer for one W3C target, or raise ``Unanchored`` with the reason."""
    if isinstance(target, str) or not isinstance(target, dict):
        raise Unanchored("no selector: the target is a whole resource, not a passage")
    selectors: list[dict[str, Any]] = []
    pending = list(_as_list(target.get("selector")))
    while pending:
        sel = pending.pop(0)
        if isinstance(sel, dict):
            selectors.append(sel)
            pending += _as_list(sel.get("refinedBy"))
    by_type: dict[str, dict[str, Any]] = {}
    for sel in selectors:
        by_type.setdefault(_type(sel), sel)
    quote, pos = by_type.get("TextQuoteSelector"), by_type.get("TextPositionSelector")
    frag = by_type.get("FragmentSelector")
    if quote is None and pos is None and frag is None:
        raise Unanchored("no selector: the target has no TextQuoteSelector or TextPositionSelector")
    exact = str(quote.get("exact", "")) if quote else ""
    reason = ""
    found = None
    if pos is not None:
        start, end = pos.get("start"), pos.get("end")
        if not (
            isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(index.text)
        ):
            reason = (
                f"position out of range: {start}..{end} (the text has {len(index.text)} characters)"
            )
        elif quote is None or index.matches_at(start, end, exact):
            found = (start, end)
    if found is None and quote is not None:
        hit = index.find_quote(exact, str(quote.get("prefix", "")), str(quote.get("suffix", "")))
        if hit.ok:
            found = (hit.start, hit.end)
        else:
            reason = hit.error
    if found is None and frag is not None:
        pointer = _fragment_pointer(doc, frag, exact if quote else None)
        if pointer:
            return pointer
        reason = reason or "the TEI pointer of the fragment selector does not resolve here"
    if found is None:
        raise Unanchored(reason or "quote not found in the text")
    if found[1] == found[0]:  # a point: keep it in the block it ends, as exported
        b0, r0 = b1, r1 = index.block_at(found[0], point=True)
    else:
        b0, r0 = index.block_at(found[0])
        b1, r1 = index.block_at(found[1], end=True)
    try:
        if (b0, r0) == (b1, r1):  # a point: target_for maps an empty span's end before its start
            block = doc.text.blocks[b0]
            raw = block.to_raw(r0, end=0 < r0 == len(block.reading))
            eid, shift = doc.anchor_id(block.element)
            return str(span_pointer(eid, raw + shift, eid, raw + shift))
        return doc.target_for(b0, r0, b1, r1)
    except TeiError as exc:
        raise Unanchored(f"cannot point at this passage: {exc.message}") from None


def _fragment_pointer(doc: Any, frag: dict[str, Any], exact: str | None) -> str:
    value = str(frag.get("value", "")).strip()
    if not value or " " in value:
        return ""
    pointer = value if value.startswith("#") else "#" + value
    res = doc.resolve(pointer)
    if not res or not all(r.ok for r in res):
        return ""
    if exact is not None:
        got = doc.quote_for(res[0].start or 0, res[0].end or 0)[0]
        if collapse_ws(got) != collapse_ws(exact):
            return ""
    return pointer


# -- carrying annotations from one version of a document onto another ---------------------------
def fingerprint(el: Any) -> str:
    """Return a digest of an annotation element that ignores indentation (to tell edits apart)."""
    clone = deepcopy(el)
    clone.tail = None
    for node in clone.iter():
        if node.text is not None and not node.text.strip() and len(node):
            node.text = None
        if node is not clone and node.tail is not None and not node.tail.strip():
            node.tail = None
    return hashlib.sha1(etree.tostring(clone, method="c14n")).hexdigest()[:20]


def fingerprints(doc: Any) -> dict[str, str]:
    """Return id -> :func:`fingerprint` for the annotations of Glossator's own standOff."""
    return {a.id: fingerprint(a.element) for a in doc.annotations() if a.id and a.editable}


@dataclass
class Reapplied:
    """What :func:`reapply` did: annotations placed, moved by their quote, renamed, unplaced."""

    placed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)
    unplaced: list[tuple[str, str, str]] = field(default_factory=list)  # id, quote, reason

    @property
    def changed(self) -> bool:
        """Tell whether anything was carried over."""
        return bool(self.placed or self.moved or self.deleted or self.unplaced)

    def summary(self) -> str:
        """Return one sentence on what was carried over (for a status or message bar)."""
        n = len(self.placed) + len(self.moved) + len(self.unplaced)
        parts = [f"{n} unsaved annotation{'s' if n != 1 else ''} re-applied"]
        if self.moved:
            parts.append(f"{len(self.moved)} found again by their quote")
        if self.deleted:
            parts.append(f"{len(self.deleted)} deletion{'s' if len(self.deleted) != 1 else ''} repeated")
        if self.renamed:
            parts.append(f"{len(self.renamed)} kept beside another version under a new id")
        text = "; ".join(parts) + "."
        if self.unplaced:
            quotes = "; ".join(f"“{q[:40]}”" + (f" ({why})" if why else "") for _, q, why in self.unplaced[:5])
            more = f" and {len(self.unplaced) - 5} more" if len(self.unplaced) > 5 else ""
            n = len(self.unplaced)
            text += (f" {n} could not be placed in the changed text; {'they are' if n > 1 else 'it is'} "
                     f"kept with {'their' if n > 1 else 'its'} quote for you to review: {quotes}{more}.")  # fmt: skip
        return text


def reapply(onto: Any, source: Any, base: dict[str, str] | None = None) -> Reapplied:
    """Carry the annotations of ``source`` that differ from ``base`` onto the document ``onto``.

    ``source`` holds unsaved work on an earlier version of the file, ``onto`` the file as it is
    now, ``base`` the :func:`fingerprints` of the version ``source`` started from (None if
    unknown: then every annotation of ``source`` that ``onto`` lacks is carried). Changes made by
    another program are kept. Each carried annotation keeps its target if that still shows its
    quote, else is anchored again by its quote, prefix and suffix; one that cannot be placed is
    kept all the same (an orphan with its quote) and listed in ``unplaced``. An annotation edited
    on both sides is kept twice (ours under a new id); one deleted here but changed there stays.
    """
    known = base
    base = base or {}
    out = Reapplied()
    theirs = fingerprints(onto)
    mine = {a.id: a for a in source.annotations() if a.id and a.editable}
    index: ReadingIndex | None = None
    names = source.annotators()
    for ann_id, ann in mine.items():
        fp = fingerprint(ann.element)
        if theirs.get(ann_id) == fp or (known is not None and base.get(ann_id) == fp):
            continue  # unchanged by us (or the same on both sides)
        el = _carried_copy(onto, source, ann.element, names)
        if ann_id in theirs and (known is None or theirs[ann_id] != base.get(ann_id)):
            new_id = onto.new_id("gl-a")  # edited on both sides, or two new ones with one id
            el.set(_XML_ID, new_id)
            out.renamed[ann_id] = new_id
        if el.get(_XML_ID) in theirs:
            carried = onto.replace_annotation_element(ann_id, el)
        else:
            onto._list_annotation().append(el)  # noqa: SLF001 - the library's own list
            onto.register_ids(el)
            carried = Annotation(el, onto)
        if index is None:
            index = ReadingIndex(onto)
        _place(onto, index, carried, out)
    if known is not None:
        for ann_id, fp in base.items():
            if ann_id not in mine and theirs.get(ann_id) == fp:
                onto.remove_annotation(ann_id)  # deleted here, unchanged there
                out.deleted.append(ann_id)
    return out


_XML_ID = "{http://www.w3.org/XML/1998/namespace}id"


def _place(onto: Any, index: ReadingIndex, ann: Any, out: Reapplied) -> None:
    """Keep ``ann``'s target if it still shows its quote, else anchor it again by the quote."""
    quote = ann.quote
    res = onto.resolve(ann.target)
    if res and all(r.ok for r in res):
        got = onto.quote_for(res[0].start or 0, res[-1].end or 0)[0]
        if not quote or collapse_ws(got) == collapse_ws(quote):
            out.placed.append(ann.id)
            return
    hit = index.find_quote(quote, ann.prefix, ann.suffix) if quote else None
    error = "no quote was recorded to find it again" if hit is None else hit.error
    if hit is not None and hit.ok:
        error = _retarget(index, ann, hit.start, hit.end)
    if error:  # kept, marked for review (and not shown on whatever its old pointer shows now)
        mark_orphan(ann, error)
        out.unplaced.append((ann.id, quote, error))
        return
    out.moved.append(ann.id)


def _retarget(index: ReadingIndex, ann: Any, start: int, end: int) -> str:
    """Point ``ann`` at reading [start, end) of ``index``'s document; return why not, or ''."""
    b0, r0 = index.block_at(start)
    b1, r1 = index.block_at(end, end=True)
    try:
        ann.target = index.doc.target_for(b0, r0, b1, r1)  # type: ignore[attr-defined]
    except TeiError as exc:
        return exc.message
    return ""


def _carried_copy(onto: Any, source: Any, element: Any, names: dict[str, str]) -> Any:
    """Return a copy of an annotation element of ``source`` whose annotators and sources are
    ``onto``'s (brought over when ``onto`` lacks them); ``names`` are ``source.annotators()``."""
    el = deepcopy(element)
    el.tail = None
    _carry_people_and_sources(onto, source, el, names)
    return el


def _carry_people_and_sources(onto: Any, source: Any, el: Any, names: dict[str, str]) -> None:
    """Point ``el``'s annotator at ``onto``'s record of that person, and bring the sources it
    cites that ``onto`` lacks."""
    mapping: dict[str, str] = {}
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        for attr in ("resp", "who", "ref"):
            value = node.get(attr) or ""
            pid = value[1:] if value.startswith("#") else ""
            if pid in names:
                if pid not in mapping:
                    mapping[pid] = onto.ensure_annotator(names[pid] or pid)
                node.set(attr, "#" + mapping[pid])
    for sid in Annotation(el, source).cited_sources():
        if onto.element_by_id(sid) is not None:
            continue
        bibl = source.element_by_id(sid)
        if bibl is None or not isinstance(bibl.tag, str) or not bibl.tag.endswith(("}bibl", "}biblStruct")):
            continue
        copy_ = deepcopy(bibl)
        copy_.tail = None
        onto._standoff_list("listBibl").append(copy_)  # noqa: SLF001
        onto.register_ids(copy_)


# -- re-anchoring every annotation of one version of a text onto another --------------------------
#: What happened to an annotation, from best to worst: its pointer still shows its quote; the quote
#: was found exactly elsewhere; something like it was found (to review); nothing was (to review).
OUTCOMES = ("kept", "moved", "fuzzy", "orphan")
#: Weights of a fuzzy match's score: the quote's similarity, its context's, nearness to its place.
FUZZY_WEIGHTS = (0.6, 0.3, 0.1)
#: How many reading characters either side of where an annotation should be the fuzzy search reads.
FUZZY_WINDOW = 2000
#: At most this many exact occurrences nearest the expected place are scored by their context.
NEAREST_HITS = 50
ANCHORING_NOTE = "anchoring"


@dataclass(frozen=True)
class Reanchored:
    """What :func:`reanchor` did with one annotation."""

    id: str
    outcome: str  # one of OUTCOMES
    quote: str  # the quote it had
    score: float = 1.0  # 1 for kept and moved; the match's score for fuzzy; the best one for orphans
    new_quote: str = ""  # the passage it now points at, when that differs (fuzzy)
    reason: str = ""  # why an orphan was not placed


@dataclass
class ReanchorReport:
    """Every annotation :func:`reanchor` carried, in document order, with its outcome."""

    items: list[Reanchored] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Return outcome -> number of annotations (every outcome listed)."""
        return {o: sum(1 for i in self.items if i.outcome == o) for o in OUTCOMES}

    @property
    def needs_review(self) -> bool:
        """Tell whether some annotation was placed approximately or not at all."""
        return any(i.outcome in ("fuzzy", "orphan") for i in self.items)

    def summary(self) -> str:
        """Return one sentence: how many annotations had each outcome."""
        n = len(self.items)
        counts = ", ".join(f"{k} {v}" for k, v in self.counts().items())
        return f"{n} annotation{'s' if n != 1 else ''}: {counts}."


def reanchor(annotated: Any, new: Any, threshold: float = 0.8) -> ReanchorReport:
    """Carry every annotation of Glossator's standOff in ``annotated`` onto the document ``new``.

    Each is found again by a cascade: its pointer still shows its stored quote (*kept*); the
    quote is found exactly, the occurrence whose prefix/suffix fit best and nearest its old place
    (*moved*); a passage like it is found near its old place, scored 0..1 on the quote, its context
    and the distance (*fuzzy*, when the score reaches ``threshold``: the annotation records the
    score and the quote it had in a ``<note type="anchoring">`` and quotes the new passage);
    otherwise it is kept with its quote and old pointer and marked an *orphan*. Nothing is
    dropped. The categories, annotators and sources the annotations use come along. ``new`` is
    changed in place; an annotation it already has unchanged is not copied twice.
    """
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"the threshold must be between 0 and 1, not {threshold}")
    sources = [a for a in annotated.annotations() if a.editable]
    _carry_categories(new, annotated, sources)
    old_index = ReadingIndex(annotated)
    theirs = fingerprints(new)
    pending: list[tuple[Annotation, tuple[int, int] | None]] = []
    names = annotated.annotators()
    for src in sources:
        if src.id in theirs and theirs[src.id] == fingerprint(src.element):
            ann = new.annotation(src.id)
        else:
            el = _carried_copy(new, annotated, src.element, names)
            if src.id and new.element_by_id(src.id) is not None:
                el.set(_XML_ID, new.new_id("gl-a"))
            new._list_annotation().append(el)  # noqa: SLF001 - the library's own list
            new.register_ids(el)
            ann = Annotation(el, new)
        pending.append((ann, _reading_span(annotated, old_index, src.target)))
    return _Cascade(new, len(old_index.text), threshold).run(pending)


def find_again(doc: Any, ann: Annotation, near: tuple[int, int] | None = None,
               threshold: float = 0.8, index: ReadingIndex | None = None) -> Reanchored:
    """Place one annotation whose pointer does not show its quote by the cascade of
    :func:`reanchor` (``near``: the reading span where it was expected, if known): *moved*,
    *fuzzy* or *orphan* (kept with its quote and a note saying why)."""
    index = index or ReadingIndex(doc)
    return _Cascade(doc, len(index.text), threshold, index).run([(ann, near)]).items[0]


def mark_orphan(ann: Annotation, reason: str) -> None:
    """Keep ``ann`` as an orphan for a person to review: a note says why it is not placed."""
    _anchoring_note(ann, "orphan").text = reason


def repair(doc: Any, threshold: float = 0.8) -> ReanchorReport:
    """Find again, in place, the annotations of ``doc`` whose pointer no longer shows their
    stored quote (the text was changed by another program), by the cascade of :func:`reanchor`
    starting from where the pointer points now. Return the report of those annotations only
    (moved, fuzzy or orphan); an annotation that still shows its quote is not touched."""
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"the threshold must be between 0 and 1, not {threshold}")
    stale = {m.id for m in check_quotes(doc)}
    if not stale:
        return ReanchorReport()
    index = ReadingIndex(doc)
    pending = [(ann, _reading_span(doc, index, ann.target))
               for ann in doc.annotations() if ann.id in stale and ann.editable]  # fmt: skip
    # an orphan that stays an orphan is left exactly as it was (and not reported again)
    was_orphan = {ann.id: deepcopy(ann.element) for ann, _ in pending
                  if ann.anchoring is not None and ann.anchoring.outcome == "orphan"}  # fmt: skip
    report = _Cascade(doc, len(index.text), threshold).run(pending)
    for item in [i for i in report.items if i.outcome == "orphan" and i.id in was_orphan]:
        doc.replace_annotation_element(item.id, was_orphan[item.id])
        report.items.remove(item)
    return report


def _reading_span(doc: Any, index: ReadingIndex, target: str) -> tuple[int, int] | None:
    """Return reading [start, end) of ``target`` in ``doc``, or None if it does not resolve."""
    res = doc.resolve(target) if target.strip() else []
    if not res or not all(r.ok for r in res):
        return None
    return index.span_of(res[0].start or 0, res[-1].end or 0)


def _carry_categories(new: Any, annotated: Any, anns: list[Annotation]) -> None:
    """Bring into ``new``'s taxonomy the categories of ``annotated`` the annotations use."""
    from .taxonomy import category_elements, merge_taxonomy

    have, theirs = new.taxonomy.categories, annotated.taxonomy.categories
    if all(c in have or c not in theirs for a in anns for c in a.categories):
        return
    tax, _ = new.materialize_taxonomy()
    taken = set(new.ids()) - set(category_elements(tax))
    merge_taxonomy(tax, annotated.taxonomy.effective(), taken)
    new.register_ids(tax)
    new.taxonomy.invalidate()


_Placed = tuple[Reanchored, tuple[int, int] | None]


class _Cascade:
    """Place annotations in three rounds, each using the places the earlier ones found."""

    def __init__(self, doc: Any, old_length: int, threshold: float,
                 index: ReadingIndex | None = None) -> None:  # fmt: skip
        self.doc = doc
        self.index = index or ReadingIndex(doc)
        self.threshold = threshold
        self.scale = len(self.index.text) / old_length if old_length else 1.0
        self.shifts: list[tuple[int, int]] = []  # (old start, new start - old start), sorted

    def run(self, pending: list[tuple[Annotation, tuple[int, int] | None]]) -> ReanchorReport:
        """Return the report after placing every annotation of ``pending`` (in its order)."""
        done: dict[int, Reanchored] = {}
        order = sorted(range(len(pending)), key=lambda i: (pending[i][1] or (-1,))[0])
        for step in (self._keep, self._move, self._fuzzy):
            for i in order:
                ann, old = pending[i]
                if i in done:
                    continue
                placed = step(ann, old)
                if placed is None:
                    continue
                done[i], span = placed
                if span is not None and old is not None:
                    insort(self.shifts, (old[0], span[0] - old[0]))
        report = ReanchorReport()
        for i, (ann, _) in enumerate(pending):
            report.items.append(done.get(i) or self._orphan(ann, "no quote was recorded to find it again"))
        return report

    def _expected(self, old: tuple[int, int] | None) -> int:
        """Return where the passage that was at ``old`` should be now."""
        if old is None:
            return -1
        if not self.shifts:
            return round(old[0] * self.scale)
        i = bisect_right(self.shifts, (old[0], float("inf")))
        near = [self.shifts[j] for j in (i - 1, i) if 0 <= j < len(self.shifts)]
        return old[0] + min(near, key=lambda s: abs(s[0] - old[0]))[1]

    # each round returns None (not placed), or what happened and the span it now has (if placed)
    def _keep(self, ann: Annotation, old: tuple[int, int] | None) -> _Placed | None:
        span = _reading_span(self.doc, self.index, ann.target)
        quote = ann.quote
        if span is None or (quote and not self.index.matches_at(*span, quote)):
            return None
        return Reanchored(ann.id, "kept", quote), span

    def _hits(self, ann: Annotation, quote: str, expected: int) -> list[tuple[float, int, tuple[int, int]]]:
        """Return (context score 0..1, distance, reading span) of the exact occurrences of
        ``quote`` nearest ``expected``, the best first."""
        if expected >= 0:  # nearby first: found there with its context, that is the one
            near = self._scored(ann, expected, *self.index._occurrences(quote, expected, FUZZY_WINDOW))  # noqa: SLF001
            if near and near[0][0] >= 0.5:
                return near
        return self._scored(ann, expected, *self.index._occurrences(quote))  # noqa: SLF001

    def _scored(self, ann: Annotation, expected: int, hits: list[int], needle: str) -> list[tuple[float, int, tuple[int, int]]]:
        """Return (context score, distance, span) of ``hits`` of ``needle``, the best first."""
        spans = [self.index._reading_span(h, needle) for h in hits]  # noqa: SLF001
        if expected >= 0:
            pairs = sorted(zip(spans, hits, strict=True), key=lambda p: abs(p[0][0] - expected))
        else:
            pairs = list(zip(spans, hits, strict=True))
        pre = _WS.sub(" ", ann.prefix).lstrip(" ")
        suf = _WS.sub(" ", ann.suffix).rstrip(" ")
        parts = bool(pre.strip()) + bool(suf.strip())
        out = []
        for span, hit in pairs[:NEAREST_HITS]:
            ctx = self.index._score(hit, len(needle), pre, suf) / parts if parts else 1.0  # noqa: SLF001
            out.append((ctx, abs(span[0] - expected) if expected >= 0 else 0, span))
        best = max((c for c, _, _ in out), default=0.0)
        return sorted(out, key=lambda h: (h[0] < best - TIE_MARGIN, h[1]))

    def _move(self, ann: Annotation, old: tuple[int, int] | None) -> _Placed | None:
        quote = ann.quote
        if not quote.strip():
            return None
        hits = self._hits(ann, quote, self._expected(old))
        if not hits:
            return None
        ctx, distance, span = hits[0]
        if ctx < 0.5 and not (len(hits) == 1 and distance <= FUZZY_WINDOW):
            return None  # found, but somewhere else: the fuzzy round weighs it against others
        if _retarget(self.index, ann, *span):
            return None
        return Reanchored(ann.id, "moved", quote), span

    def _fuzzy(self, ann: Annotation, old: tuple[int, int] | None) -> _Placed | None:
        quote = ann.quote
        if not quote.strip():
            return None
        text, expected = self.index.text, self._expected(old)
        candidates = [span for _, _, span in self._hits(ann, quote, expected)[:3]]
        # near its old place; with no old place, anywhere (rapidfuzz reads ~100 MB/s)
        lo = max(0, expected - FUZZY_WINDOW - len(quote)) if expected >= 0 else 0
        window = text[lo : expected + FUZZY_WINDOW + len(quote)] if expected >= 0 else text
        from rapidfuzz import fuzz

        hit = fuzz.partial_ratio_alignment(quote, window)
        if hit is not None and hit.score > 0:
            candidates.append(_refine(quote, text, lo + hit.dest_start, lo + hit.dest_end))
        scored = sorted(((self._score(ann, span, expected), span) for span in candidates), reverse=True)
        if not scored or scored[0][0] < self.threshold:
            best = scored[0][0] if scored else 0.0
            where = "near its old place" if expected >= 0 else "in the text"
            why = f"nothing like its quote {where} (best match scored {best:.2f}, below {self.threshold:.2f})"  # fmt: skip
            return self._orphan(ann, why, best), None
        score, span = scored[0]
        error = _retarget(self.index, ann, *span)
        if error:
            return self._orphan(ann, error, score), None
        res = self.doc.resolve(ann.target)
        exact, prefix, suffix = self.doc.quote_for(res[0].start or 0, res[-1].end or 0)
        old_prefix, old_suffix = ann.prefix, ann.suffix
        ann.set_quote(exact, prefix, suffix)
        note = _anchoring_note(ann, "fuzzy")
        note.set("cert", f"{score:.2f}")
        if old_prefix:
            etree.SubElement(note, f"{{{_TEI}}}seg", type="prefix").text = old_prefix
        etree.SubElement(note, f"{{{_TEI}}}quote", type="previous").text = quote
        if old_suffix:
            etree.SubElement(note, f"{{{_TEI}}}seg", type="suffix").text = old_suffix
        return Reanchored(ann.id, "fuzzy", quote, round(score, 4), exact), span

    def _score(self, ann: Annotation, span: tuple[int, int], expected: int) -> float:
        """Return 0..1: how well reading ``span`` fits ``ann``'s quote, context and old place."""
        from rapidfuzz import fuzz

        text = self.index.text
        w_quote, w_context, w_place = FUZZY_WEIGHTS
        score = w_quote * fuzz.ratio(collapse_ws(ann.quote), collapse_ws(text[span[0] : span[1]])) / 100
        weight = w_quote
        pre, suf = collapse_ws(ann.prefix), collapse_ws(ann.suffix)
        if pre or suf:
            before = collapse_ws(text[max(0, span[0] - len(ann.prefix) - 8) : span[0]])[-len(pre) :]
            after = collapse_ws(text[span[1] : span[1] + len(ann.suffix) + 8])[: len(suf)]
            ctx = [fuzz.ratio(pre, before) / 100] if pre else []
            ctx += [fuzz.ratio(suf, after) / 100] if suf else []
            score += w_context * sum(ctx) / len(ctx)
            weight += w_context
        if expected >= 0:
            score += w_place * max(0.0, 1 - abs(span[0] - expected) / FUZZY_WINDOW)
            weight += w_place
        return score / weight

    def _orphan(self, ann: Annotation, reason: str, score: float = 0.0) -> Reanchored:
        mark_orphan(ann, reason)
        return Reanchored(ann.id, "orphan", ann.quote, round(score, 4), reason=reason)


def _refine(quote: str, text: str, start: int, end: int) -> tuple[int, int]:
    """Move the ends of an approximate match of ``quote`` to where it reads most like ``quote``."""
    from rapidfuzz import fuzz

    reach = len(quote) // 10 + 3
    best_end = max(range(max(start + 1, end - reach), min(len(text), end + reach) + 1),
                   key=lambda e: (fuzz.ratio(quote, text[start:e]), -abs(e - end)))  # fmt: skip
    best_start = max(range(max(0, start - reach), min(best_end - 1, start + reach) + 1),
                     key=lambda s: (fuzz.ratio(quote, text[s:best_end]), -abs(s - start)))  # fmt: skip
    return best_start, best_end


_TEI = "http://www.tei-c.org/ns/1.0"


def _anchoring_note(ann: Annotation, outcome: str) -> Any:
    """Return a fresh ``<note type="anchoring" subtype=outcome>`` of ``ann`` (replacing any
    earlier one), placed after its quote."""
    el = ann.element
    for old in el.findall(f"{{{_TEI}}}note[@type='{ANCHORING_NOTE}']"):
        el.remove(old)
    note = etree.Element(f"{{{_TEI}}}note", type=ANCHORING_NOTE, subtype=outcome)
    quote = el.find(f"{{{_TEI}}}note[@type='quote']")
    if quote is not None:
        quote.addnext(note)
    else:
        el.append(note)
    return note


@dataclass(frozen=True)
class QuoteMismatch:
    """An annotation whose pointer no longer shows its stored quote (see :func:`check_quotes`)."""

    id: str
    target: str
    quote: str
    found: str  # what the pointer shows now ('' when it does not resolve)
    problem: str  # "unresolved" or "changed"


def check_quotes(doc: Any) -> list[QuoteMismatch]:
    """Return the annotations (with a stored quote) whose pointer no longer shows that quote."""
    index: ReadingIndex | None = None
    out = []
    for ann in doc.annotations():
        quote = ann.quote
        if not quote:
            continue
        index = index or ReadingIndex(doc)
        problem, found = quote_problem(doc, index, ann.target, quote)
        if problem:
            out.append(QuoteMismatch(ann.id, ann.target, quote, found, problem))
    return out


def quote_problem(doc: Any, index: ReadingIndex, target: str, quote: str) -> tuple[str, str]:
    """Return ('' | 'unresolved' | 'changed', the text ``target`` shows now) for a stored quote."""
    span = _reading_span(doc, index, target)
    if span is None:
        return "unresolved", ""
    found = index.text[span[0] : span[1]]
    return ("" if index.matches_at(*span, quote) else "changed"), found
