"""Comparing one's annotations with another scholar's copy of the same text (File ▸ Compare
annotations with…), and taking over what one agrees with.

Their annotations are first placed on *my* text (:func:`place_theirs`: the cascade of
:func:`tei.anchoring.reanchor`, so a copy whose text differs slightly is found again by quote; an
annotation that cannot be found is kept as an orphan). Then annotations are matched (:func:`compare`):

1. by ``xml:id`` (ids are random, so one id in both copies is the same annotation, perhaps edited);
2. the rest by overlapping passage (reading offsets) within the same category, one to one, the
   largest overlaps first (as :mod:`tei.agreement` matches two annotators).

Each match is *same* or *changed* (the fields that differ, before and after, in the words of
:func:`tei.diff.view`; who annotated is shown but is not a difference: two scholars' matching
annotations are by two people); the others are *only in mine* or *only in theirs*. A pair of
mine kept side by side as a disagreement whose other reading is theirs is *both kept*.

The operations change my document only: :func:`adopt` (take their fields into my annotation, or
add their annotation with its annotator, sources and categories), :func:`keep_both` (add theirs as
a second reading, both marked ``<note type="disagreement">`` as :mod:`tei.merge` does, so the
Agreement panel lists them); rejecting theirs changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from lxml import etree

from . import ns
from .agreement import Span, _match
from .anchoring import (
    ReadingIndex,
    ReanchorReport,
    _carried_copy,
    _carry_categories,
    _reading_span,
    reanchor,
)
from .annotations import Annotation
from .diff import AnnotationView, view
from .document import TeiDocument
from .errors import AnnotationError
from .merge import DISAGREEMENT, _drop_field, _fields, _take_field

log = logging.getLogger("glossator.compare")

#: The kinds of difference, in the order the panel lists them.
KINDS = ("changed", "theirs", "mine", "both", "same")
KIND_NAMES = {"changed": "changed", "theirs": "only in theirs", "mine": "only in mine",
              "both": "both kept", "same": "same"}  # fmt: skip
_NOTE = ns.qn("note")
_ANNOTATION = ns.qn("annotation")
#: Fields of an annotation element (``tei.merge._fields`` keys) that adopting theirs leaves alone:
#: who made it (the annotation stays mine) and how it was placed.
_KEEP_MINE = ("@resp", "respStmt", "note[anchoring]")


@dataclass
class FieldChange:
    """One field that differs: its name (as ``tei.diff`` names it), mine and theirs."""

    name: str
    mine: str
    theirs: str


@dataclass
class Difference:
    """One annotation of either copy, or a matched pair, and how they differ."""

    kind: str  # one of KINDS
    mine_id: str = ""  # '' when only in theirs
    theirs_id: str = ""  # their annotation's id in the placed copy ('' when only in mine)
    matched_by: str = ""  # "id", "passage" or ''
    mine: AnnotationView | None = None
    theirs: AnnotationView | None = None
    changes: list[FieldChange] = field(default_factory=list)
    placed: str = ""  # how theirs was found on my text: kept, moved, fuzzy, orphan

    @property
    def position(self) -> int:
        """Return where the passage is in the text (for reading order)."""
        v = self.mine or self.theirs
        return v.position if v is not None else 0

    @property
    def quote(self) -> str:
        """Return the passage's quote (mine when both have it)."""
        v = self.mine or self.theirs
        return v.quote if v is not None else ""

    def changed_names(self) -> str:
        """Return the names of the fields that differ, joined (``'category, note'``)."""
        return ", ".join(c.name for c in self.changes)


@dataclass
class Comparison:
    """My document compared with their copy (placed on my text)."""

    theirs: TeiDocument  # their annotations on a copy of my text
    name: str  # a name for their copy (the file's)
    differences: list[Difference] = field(default_factory=list)
    text_differs: bool = False
    placing: ReanchorReport = field(default_factory=ReanchorReport)

    def counts(self) -> dict[str, int]:
        """Return kind -> number of differences (every kind listed)."""
        return {k: sum(1 for d in self.differences if d.kind == k) for k in KINDS}

    def summary(self) -> str:
        """Return one sentence on what the comparison found."""
        c = self.counts()
        text = (f"{c['changed']} changed, {c['theirs']} only in theirs, {c['mine']} only in mine, "
                f"{c['same']} the same" + (f", {c['both']} with both readings kept" if c["both"] else ""))  # fmt: skip
        if self.text_differs:
            counts = self.placing.counts()
            text += (f". Their text differs from mine: their annotations were found again by quote "
                     f"({counts['moved']} moved, {counts['fuzzy']} approximately, {counts['orphan']} "
                     f"not found)")  # fmt: skip
        return text + "."

    def find(self, mine_id: str = "", theirs_id: str = "") -> Difference | None:
        """Return the difference about these annotations, or None."""
        for d in self.differences:
            if (mine_id and d.mine_id == mine_id) or (theirs_id and d.theirs_id == theirs_id):
                return d
        return None


# -- placing theirs on my text --------------------------------------------------------------------
def place_theirs(mine: TeiDocument, theirs: TeiDocument) -> tuple[TeiDocument, ReanchorReport]:
    """Return a copy of ``mine``'s text holding ``theirs``' annotations (found again on it where
    the texts differ; with their annotators, sources and categories) and how each was placed."""
    placed = TeiDocument.from_bytes(mine.to_bytes(), mine.path)
    so = placed.standoff()
    lst = so.find(ns.qn("listAnnotation")) if so is not None else None
    if lst is not None:
        for el in [c for c in lst if c.tag == _ANNOTATION]:
            lst.remove(el)
            placed.unregister_ids(el)
    report = reanchor(theirs, placed)
    return placed, report


# -- comparing -------------------------------------------------------------------------------------
def _key(v: AnnotationView, span: Span | None) -> tuple[tuple[str, str], ...]:
    """Return what decides whether two annotations are the same: every field but who made it,
    the passage as reading offsets and quote (two pointers may write one passage differently)."""
    fields = {k: val for k, val in v.fields.items() if k not in ("annotator", "passage")}
    fields["passage"] = f"{span.start}-{span.end} {v.quote}" if span is not None else v.fields.get("passage", "")
    return tuple(sorted(fields.items()))


def _changes(raw_mine: AnnotationView, raw_theirs: AnnotationView, key_mine: tuple, key_theirs: tuple,
             mine: AnnotationView, theirs: AnnotationView) -> list[FieldChange]:  # fmt: skip
    a, b = dict(key_mine), dict(key_theirs)
    names = [k for k in [*raw_mine.fields, *[k for k in raw_theirs.fields if k not in raw_mine.fields]]
             if k != "annotator" and a.get(k, "") != b.get(k, "")]  # fmt: skip
    if a.get("passage") != b.get("passage") and "passage" not in names:
        names.insert(0, "passage")
    return [FieldChange(k, mine.fields.get(k, ""), theirs.fields.get(k, "")) for k in names]


def _partners(doc: TeiDocument) -> dict[str, str]:
    """Return annotation id -> the id its disagreement note points at (pairs kept side by side)."""
    out = {}
    for a in doc.annotations():
        note = a.element.find(f"{_NOTE}[@type='{DISAGREEMENT}']")
        if note is not None:
            out[a.id] = (note.get("corresp") or "").lstrip("#")
    return out


@dataclass(frozen=True)
class _Described:
    """One annotation as compared: its fields by id and labelled, its reading span, its key."""

    raw: AnnotationView
    shown: AnnotationView
    span: Span | None
    key: tuple[tuple[str, str], ...]


def _described(doc: TeiDocument, cache: dict, fresh: dict) -> dict[str, _Described]:
    """Describe the editable annotations of ``doc`` by id; an annotation whose element, labels
    and annotators' names are as in ``cache`` is not described again (``fresh`` collects the
    entries used)."""
    names = doc.annotators()
    tax = doc.taxonomy
    sig = (tuple(sorted(names.items())), tuple((c, tax.label(c)) for c in tax.categories))
    index: ReadingIndex | None = None
    out = {}
    for ann in doc.annotations():
        if not ann.id or not ann.editable:
            continue
        k = (sig, etree.tostring(ann.element, with_tail=False))
        found = cache.get(k)
        if found is None:
            index = index or ReadingIndex(doc)
            where = _reading_span(doc, index, ann.target)
            span = Span(ann.id, "", ann.category, *where, "", "", "") if where is not None else None
            raw = view(doc, ann, labels=False, names=names)
            found = _Described(raw, view(doc, ann, names=names), span, _key(raw, span))
        fresh[k] = found
        out[ann.id] = found
    return out


def compare(mine: TeiDocument, theirs: TeiDocument, placing: ReanchorReport | None = None,
            name: str = "", cache: dict | None = None) -> Comparison:  # fmt: skip
    """Compare ``mine`` with ``theirs`` (a copy from :func:`place_theirs`, whose ``placing`` is
    its report; any other copy of the text is placed first); return the differences in reading
    order. ``cache`` (a dict the caller keeps between comparisons of the same copies) spares
    describing again the annotations that did not change."""
    if placing is None:
        theirs, placing = place_theirs(mine, theirs)
    result = Comparison(theirs, name or (theirs.path or "their copy"), placing=placing)
    result.text_differs = any(i.outcome != "kept" for i in placing.items)
    cache = {} if cache is None else cache
    fresh: dict = {}
    found = {"mine": _described(mine, cache, fresh), "theirs": _described(theirs, cache, fresh)}
    cache.clear()
    cache.update(fresh)
    anns = {side: dict.fromkeys(d) for side, d in found.items()}
    raw = {side: {i: x.raw for i, x in d.items()} for side, d in found.items()}
    shown = {side: {i: x.shown for i, x in d.items()} for side, d in found.items()}
    where = {side: {i: x.span for i, x in d.items() if x.span is not None} for side, d in found.items()}
    keys = {side: {i: x.key for i, x in d.items()} for side, d in found.items()}
    outcome = {i.id: i.outcome for i in placing.items}
    pairs: list[tuple[str, str, str]] = []  # mine id, theirs id, matched by
    left_mine, left_theirs = dict.fromkeys(anns["mine"]), dict.fromkeys(anns["theirs"])
    for ann_id in list(left_mine):
        if ann_id in left_theirs:
            pairs.append((ann_id, ann_id, "id"))
            del left_mine[ann_id], left_theirs[ann_id]
    waiting: dict[tuple, list[str]] = {}
    for tid in left_theirs:
        waiting.setdefault(keys["theirs"][tid], []).append(tid)
    for mid in list(left_mine):  # the same passage with the same fields: the same annotation
        found = waiting.get(keys["mine"][mid])
        if found and mid in where["mine"]:
            tid = found.pop(0)
            pairs.append((mid, tid, "passage"))
            del left_mine[mid], left_theirs[tid]
    cats = {s.category for side in ("mine", "theirs") for s in where[side].values()}
    for cat in sorted(cats):
        a = [where["mine"][i] for i in left_mine if i in where["mine"] and where["mine"][i].category == cat]
        b = [where["theirs"][i] for i in left_theirs if i in where["theirs"] and where["theirs"][i].category == cat]
        for x, y in _match(a, b):
            pairs.append((x.id, y.id, "passage"))
            del left_mine[x.id], left_theirs[y.id]
    partners = _partners(mine)
    for mid, tid, how in pairs:
        d = Difference("same", mid, tid, how, shown["mine"][mid], shown["theirs"][tid], placed=outcome.get(tid, ""))
        if keys["mine"][mid] != keys["theirs"][tid]:
            other = partners.get(mid, "")
            if other in anns["mine"] and keys["mine"][other] == keys["theirs"][tid]:
                d.kind = "both"  # their reading is kept beside mine
            else:
                d.kind = "changed"
                d.changes = _changes(raw["mine"][mid], raw["theirs"][tid], keys["mine"][mid],
                                     keys["theirs"][tid], shown["mine"][mid], shown["theirs"][tid])  # fmt: skip
        result.differences.append(d)
    kept_beside = {partners[d.mine_id] for d in result.differences if d.mine_id in partners}
    for mid in left_mine:
        kind = "both" if mid in kept_beside else "mine"
        result.differences.append(Difference(kind, mid, mine=shown["mine"][mid]))
    for tid in left_theirs:
        result.differences.append(Difference("theirs", theirs_id=tid, theirs=shown["theirs"][tid],
                                             placed=outcome.get(tid, "")))  # fmt: skip
    result.differences.sort(key=lambda d: (d.position, d.mine_id or d.theirs_id))
    return result


# -- taking theirs over ----------------------------------------------------------------------------
def _carried(doc: TeiDocument, theirs: TeiDocument, theirs_id: str) -> etree._Element:
    """Return a copy of their annotation whose annotators and sources are ``doc``'s (brought over
    when missing), after bringing the categories it uses into ``doc``'s taxonomy."""
    src = theirs.annotation(theirs_id)
    _carry_categories(doc, theirs, [src])
    return _carried_copy(doc, theirs, src.element, theirs.annotators())


def needs_categories(doc: TeiDocument, theirs: TeiDocument, theirs_ids: list[str]) -> bool:
    """Tell whether their annotations ``theirs_ids`` use categories ``doc`` lacks."""
    have, known = doc.taxonomy.categories, theirs.taxonomy.categories
    return any(c not in have and c in known for t in theirs_ids for c in theirs.annotation(t).categories)


def take_fields(doc: TeiDocument, theirs: TeiDocument, mine_id: str, theirs_id: str) -> None:
    """Give my annotation ``mine_id`` the fields of theirs (category, certainty, note, passage,
    each kind's data…); who made it and its change log stay mine."""
    ann = doc.annotation(mine_id)
    other = _carried(doc, theirs, theirs_id)
    f_mine, f_theirs = _fields(ann.element), _fields(other)
    keep = [k for k in f_mine if k.startswith(_KEEP_MINE)]
    for key, value in f_theirs.items():
        if not key.startswith(_KEEP_MINE) and f_mine.get(key) != value:
            _take_field(ann.element, other, key)
    for key in [k for k in f_mine if k not in f_theirs and k not in keep]:
        _drop_field(ann.element, key)


def add_theirs(doc: TeiDocument, theirs: TeiDocument, theirs_id: str) -> str:
    """Add their annotation ``theirs_id`` to ``doc`` (with its annotator, sources and categories;
    a new id if ``doc`` has its id); return its id in ``doc``."""
    el = _carried(doc, theirs, theirs_id)
    for note in el.findall(f"{_NOTE}[@type='{DISAGREEMENT}']"):
        el.remove(note)  # their own merge's disagreement points at an annotation we lack
    if doc.element_by_id(el.get(ns.XML_ID) or "") is not None or not el.get(ns.XML_ID):
        el.set(ns.XML_ID, doc.new_id("gl-a"))
    doc._list_annotation().append(el)  # noqa: SLF001 - the library's own list
    doc.register_ids(el)
    return el.get(ns.XML_ID) or ""


def mark_disagreement(ann: Annotation, other_id: str, names: str) -> None:
    """Mark ``ann`` as one of two readings kept side by side (``tei.merge``'s convention), the
    other being ``other_id``, differing in ``names``."""
    el = ann.element
    for old in el.findall(f"{_NOTE}[@type='{DISAGREEMENT}']"):
        el.remove(old)
    note = etree.Element(_NOTE, type=DISAGREEMENT, corresp="#" + other_id)
    note.text = f"kept both readings of two copies that changed {names or 'everything'} differently"
    rev = el.find(ns.qn("revisionDesc"))
    if rev is not None:
        rev.addprevious(note)
    else:
        el.append(note)


def adopt(doc: TeiDocument, comparison: Comparison, d: Difference) -> str:
    """Take their side of ``d`` into ``doc``: their fields into my annotation (changed), or their
    annotation added (only in theirs); return the id of my annotation it concerns."""
    if d.kind == "changed":
        take_fields(doc, comparison.theirs, d.mine_id, d.theirs_id)
        return d.mine_id
    if d.kind == "theirs":
        return add_theirs(doc, comparison.theirs, d.theirs_id)
    raise AnnotationError(f"nothing of theirs to adopt here: the annotation is {KIND_NAMES[d.kind]}")


def keep_both(doc: TeiDocument, comparison: Comparison, d: Difference) -> str:
    """Keep my annotation and add theirs beside it, both marked as a disagreement; return the
    id of the reading added."""
    if d.kind != "changed":
        raise AnnotationError("both readings can only be kept of an annotation the copies changed differently")
    new_id = add_theirs(doc, comparison.theirs, d.theirs_id)
    mark_disagreement(doc.annotation(new_id), d.mine_id, d.changed_names())
    mark_disagreement(doc.annotation(d.mine_id), new_id, d.changed_names())
    return new_id


def adopt_missing(doc: TeiDocument, comparison: Comparison) -> list[str]:
    """Add every annotation only their copy has; return the new ids."""
    return [add_theirs(doc, comparison.theirs, d.theirs_id) for d in comparison.differences if d.kind == "theirs"]

