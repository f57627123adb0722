"""Every change of an annotation, remembered: who, when, which fields, and their earlier values.

Each change is a ``<change when who>`` in the annotation's ``revisionDesc`` holding, for each
field it changed, the value the field had *before* (a change without ``@status`` is a
modification; ``created`` and ``text-changed`` say otherwise)::

    <change when="2026-12-04T10:00:00Z" who="#gl-person-x">
      <seg n="certainty">medium</seg>
      <seg n="note">&lt;note type="body"&gt;&lt;p&gt;An earlier note.&lt;/p&gt;&lt;/note&gt;</seg>
      <seg n="figure" type="absent"/>
    </change>

The value after a change is the value recorded by the next change of that field, or the current
one: storing only earlier values keeps the history compact, and every version can be rebuilt by
walking back from the annotation as it is (:func:`versions`). Element fields (the note, the
passage's quote, the figure…) are kept as escaped XML text, so that a history never adds pointers,
ids or notes to the document. A change by the same person within :data:`COALESCE_SECONDS` of
their previous one is folded into it (typing a note over two minutes is one change). Files
written before the history (one ``change status="modified"`` without fields) read as before, and
so do changes written with ``status="modified"`` (as Glossator did until the history grew large).
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from . import ns
from .parser import make_parser

log = logging.getLogger("glossator.history")

COALESCE_SECONDS = 300
_CHANGE = ns.qn("change")
_REVISION = ns.qn("revisionDesc")
_SEG = ns.qn("seg")
_NOTE = ns.qn("note")
#: attribute fields, by name
ATTRIBUTES = {"ana": "category", "cert": "certainty", "motivation": "motivation", "resp": "annotator"}
#: element fields: (tag, @type) -> name; "passage" is @target with the quote note
ELEMENTS = {("note", "body"): "note", ("note", "explanation"): "bias explanation",
            ("note", "figure"): "figure", ("note", "source"): "source link",
            ("note", "anchoring"): "anchoring", ("note", "disagreement"): "disagreement",
            ("respStmt", None): "creator"}  # fmt: skip
#: fields not remembered: bookkeeping
_SKIPPED = {("revisionDesc", None)}


def fields(el: etree._Element) -> dict[str, str | None]:
    """Return an annotation's fields as comparable, storable values: attributes as their text,
    elements as their XML, the passage as its target and quote; None for an absent field."""
    out: dict[str, str | None] = {name: el.get(attr) for attr, name in ATTRIBUTES.items()}
    quote = next((c for c in el if c.tag == _NOTE and c.get("type") == "quote"), None)
    out["passage"] = (el.get("target") or "") + "\n" + (_xml(quote) if quote is not None else "")
    for name in ELEMENTS.values():
        out.setdefault(name, None)
    for child in el:
        if not isinstance(child.tag, str):
            continue
        key = (etree.QName(child).localname, child.get("type"))
        if key in _SKIPPED or (key == ("note", "quote")):
            continue
        name = ELEMENTS.get(key) or f"{key[0]}" + (f"[{key[1]}]" if key[1] else "")
        value = _xml(child)
        out[name] = value if out.get(name) is None else out[name] + value  # type: ignore[operator]
    return out


def _xml(el: etree._Element) -> str:
    clone = copy.deepcopy(el)
    clone.tail = None
    return etree.tostring(clone, encoding=str, with_tail=False).replace(f' xmlns="{ns.TEI}"', "")


def record(el: etree._Element, before: etree._Element, who: str, when: str) -> list[str]:
    """Record on annotation ``el`` a change by person id ``who`` at ``when``: the fields that
    differ from ``before`` (a snapshot) with their earlier values. Return the fields' names."""
    old, new = fields(before), fields(el)
    changed = [k for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k)]
    rev = _revision(el)
    last = next((c for c in reversed(rev) if c.tag == _CHANGE), None)
    if last is not None and _coalesces(last, who, when):
        segs = last.findall(_SEG)
        earlier = {i.get("n") or "": _value(i, old.get(i.get("n") or "")) for i in segs}
        for k in changed:
            earlier.setdefault(k, old.get(k))  # the value before the first of the folded edits
        for item in segs:
            last.remove(item)
        for k, value in earlier.items():
            if value != new.get(k):  # a field back to its earlier value is no change
                last.append(_item(k, value, new.get(k)))
        last.set("when", when)
        if last.find(_SEG) is None:  # back to how it was before the folded edits: no change at all
            remove_change(rev, last)
        return changed
    change = etree.Element(_CHANGE, when=when)  # no @status: a modification, and 18 bytes less
    if who:
        change.set("who", "#" + who)
    for k in changed:
        change.append(_item(k, old.get(k), new.get(k)))
    append_change(rev, change)
    return changed


def append_change(rev: etree._Element, change: etree._Element) -> None:
    """Append ``change`` to the change log ``rev`` on a line of its own, indented like the
    changes before it (so that saving need not lay out a long log again)."""
    last = rev[-1] if len(rev) else None
    rev.append(change)
    if last is not None and _blank(rev.text) and _blank(last.tail):
        change.tail, last.tail = last.tail, rev.text


def remove_change(rev: etree._Element, change: etree._Element) -> None:
    """Remove ``change`` from the change log ``rev``, keeping the log's layout."""
    prev = change.getprevious()
    if change.getnext() is None and prev is not None and _blank(change.tail):
        prev.tail = change.tail
    rev.remove(change)


def _blank(text: str | None) -> bool:
    return bool(text) and not text.strip()  # type: ignore[union-attr]


def _coalesces(last: etree._Element, who: str, when: str) -> bool:
    if status(last) != "modified" or (last.get("who") or "") != ("#" + who if who else ""):
        return False
    if last.find(_SEG) is None:  # a change from before the history: keep it as it is
        return False
    try:
        gap = (_time(when) - _time(last.get("when") or "")).total_seconds()
    except ValueError:
        return False
    return 0 <= gap <= COALESCE_SECONDS


def status(change: etree._Element) -> str:
    """Return what a change of an annotation did: created, modified (no ``@status``), text-changed."""
    return change.get("status") or "modified"


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


#: An earlier value longer than this is stored as the edits that make it from the later one
#: (diff-match-patch's delta: ``=45\t-7\t+memoir\t=60``) when that is shorter.
DELTA_FROM = 40
_DMP = None


def _dmp():  # noqa: ANN202 - diff_match_patch, imported when first needed
    global _DMP  # noqa: PLW0603 - one differ, made once
    if _DMP is None:
        from diff_match_patch import diff_match_patch

        _DMP = diff_match_patch()
        _DMP.Diff_Timeout = 0.05
    return _DMP


def _item(name: str, value: str | None, later: str | None = None) -> etree._Element:
    """Return the item recording that field ``name`` was ``value`` before it became ``later``."""
    item = etree.Element(_SEG, n=name)
    if value is None:
        item.set("type", "absent")
        return item
    if later is not None and len(value) > DELTA_FROM:
        dmp = _dmp()
        diffs = dmp.diff_main(later, value, False)
        dmp.diff_cleanupEfficiency(diffs)
        delta = dmp.diff_toDelta(diffs)
        if len(delta) < len(value) * 0.8:
            item.set("type", "delta")
            item.text = delta
            return item
    item.text = value
    return item


def _value(item: etree._Element, later: str | None) -> str | None:
    """Return the earlier value an item records (``later``: the value after its change)."""
    kind = item.get("type")
    if kind == "absent":
        return None
    if kind == "delta":
        dmp = _dmp()
        return dmp.diff_text2(dmp.diff_fromDelta(later or "", item.text or ""))
    return item.text or ""


def _revision(el: etree._Element) -> etree._Element:
    rev = el.find(_REVISION)
    if rev is None:
        rev = etree.SubElement(el, _REVISION)
    return rev


@dataclass
class Version:
    """One version of an annotation: the state after a change (the newest first in lists)."""

    index: int  # 0 = the current version, 1 = the one before…
    when: str
    who: str  # person id, '' if unknown
    status: str  # created / modified
    changed: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # field: (before, after)
    state: dict[str, str | None] = field(default_factory=dict)  # every field's value in this version
    complete: bool = True  # False: a change from before the history (fields unknown)
    note: str = ""  # what the change says in words (a text correction: the words before)


def versions(el: etree._Element) -> list[Version]:
    """Return the versions of an annotation, the current first, each with what its change did."""
    rev = el.find(_REVISION)
    changes = [c for c in rev if c.tag == _CHANGE] if rev is not None else []
    state = fields(el)
    out: list[Version] = []
    complete = True
    for i, change in enumerate(reversed(changes)):
        segs = change.findall(_SEG)
        changed: dict[str, tuple[str | None, str | None]] = {}
        earlier = dict(state)
        for item in segs:
            name = item.get("n") or ""
            value = _value(item, state.get(name))
            changed[name] = (value, state.get(name))
            earlier[name] = value
        if not segs and status(change) == "modified":
            complete = False
        words = "".join(change.itertext()).strip() if not segs else ""
        out.append(Version(i, change.get("when") or "", (change.get("who") or "").lstrip("#"),
                           status(change), changed, dict(state), complete, words))  # fmt: skip
        state = earlier
    if not out:
        out.append(Version(0, "", "", "current", {}, state))
    return out


def restore(el: etree._Element, version: Version) -> None:
    """Give annotation ``el`` the fields of ``version`` (its change log is left as it is: the
    caller records the restoring as a change of its own)."""
    for name, value in version.state.items():
        _set_field(el, name, value)


def _set_field(el: etree._Element, name: str, value: str | None) -> None:
    attr = next((a for a, n in ATTRIBUTES.items() if n == name), None)
    if attr is not None:
        if value is None:
            el.attrib.pop(attr, None)
        else:
            el.set(attr, value)
        return
    if name == "passage":
        target, _, quote = (value or "\n").partition("\n")
        el.set("target", target)
        _replace_children(el, lambda c: c.tag == _NOTE and c.get("type") == "quote", quote)
        return
    key = next((k for k, n in ELEMENTS.items() if n == name), None)
    if key is None:
        tag, _, rest = name.partition("[")
        key = (tag, rest.rstrip("]") or None)
    _replace_children(el, lambda c: isinstance(c.tag, str) and (etree.QName(c).localname, c.get("type")) == key,
                      value or "")  # fmt: skip


def _replace_children(el: etree._Element, match, xml: str) -> None:  # noqa: ANN001
    """Replace the children ``match`` selects with the elements of ``xml`` (at the same place)."""
    old = [c for c in el if match(c)]
    at = el.index(old[0]) if old else _insert_point(el)
    for c in old:
        el.remove(c)
    for i, new in enumerate(_fragment(xml) if xml else []):
        el.insert(at + i, new)


def _fragment(xml: str) -> list[etree._Element]:
    """Parse stored element XML (TEI namespace by default) with the hardened parser."""
    wrap = etree.fromstring(f'<w xmlns="{ns.TEI}">{xml}</w>'.encode(), make_parser())
    return list(wrap)


def _insert_point(el: etree._Element) -> int:
    rev = el.find(_REVISION)
    return el.index(rev) + 1 if rev is not None else len(el)


def changes_by(el: etree._Element, who: str, since: str) -> list[etree._Element]:
    """Return the changes of an annotation made by person id ``who`` at or after ``since``."""
    rev = el.find(_REVISION)
    if rev is None:
        return []
    return [c for c in rev if c.tag == _CHANGE and (c.get("who") or "") == "#" + who
            and (c.get("when") or "") >= since]  # fmt: skip


@dataclass
class Rollback:
    """What undoing one person's changes does to one annotation."""

    ann_id: str
    action: str  # "delete" (they made it) or "revert" (they changed it)
    fields: dict[str, str | None] = field(default_factory=dict)  # field -> value to put back
    kept: list[str] = field(default_factory=list)  # fields changed again later by someone else
    quote: str = ""


def rollback_plan(doc: object, who: str, since: str) -> list[Rollback]:
    """Return what undoing everything person id ``who`` did to annotations at or after ``since``
    (ISO time) would do: delete the annotations they created, put back the fields they changed
    (a field changed again later by someone else is kept, and listed)."""
    plan: list[Rollback] = []
    for ann in doc.annotations():  # type: ignore[attr-defined]
        if not ann.editable:
            continue
        oldest_first = list(reversed(versions(ann.element)))
        mine = [v for v in oldest_first if v.who == who and v.when >= since]
        if not mine:
            continue
        if any(v.status == "created" for v in mine):
            plan.append(Rollback(ann.id, "delete", quote=ann.quote))
            continue
        put_back: dict[str, str | None] = {}
        touched_later: set[str] = set()
        for v in oldest_first[oldest_first.index(mine[0]):]:
            if v in mine:
                for name, (before, _) in v.changed.items():
                    if name not in put_back and name not in touched_later:
                        put_back[name] = before
            else:
                touched_later.update(name for name in v.changed if name in put_back)
        kept = sorted(touched_later)
        for name in kept:
            put_back.pop(name, None)
        if put_back or kept:
            plan.append(Rollback(ann.id, "revert", put_back, kept, ann.quote))
    return plan


def apply_rollback(el: etree._Element, step: Rollback) -> None:
    """Put back the fields of one annotation that ``step`` (a "revert") names."""
    for name, value in step.fields.items():
        _set_field(el, name, value)
