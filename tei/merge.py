"""Three-way merge of annotated TEI files, for git (``glossator git merge-driver %O %A %B %P``).

Git hands the driver three versions of a file: the common ancestor (*base*), ours and theirs, and
expects the result in ours' place. Glossator's parts are merged by ``xml:id``, the text by git:

- **Annotations** (Glossator's ``listAnnotation``): one added on either side is kept; one changed
  on one side only takes that change; changed on both sides, the changes are merged field by field
  (category, note, certainty, passage, each kind's data…; the change logs are joined); the same
  field changed differently on both sides keeps **both** readings: ours, and theirs under a new id,
  each marked ``<note type="disagreement" corresp="#other">`` naming the fields, so that nothing
  is decided behind the historians' backs. Deleted on one side and changed on the other: the
  change is kept (and reported). Deleted on one side, unchanged on the other: deleted.
- **Annotators, sources, relations** (the other lists of Glossator's standOff) and **categories**
  (Glossator's taxonomy) by id the same way; an element changed differently on both sides keeps
  ours, and theirs as a copy under a new id marked as a disagreement.
- **The text** (everything else in the file): when only one side changed it, that side's text is
  taken; when both did, ``git merge-file`` merges it; annotations made on another text than the
  result's are found again on it (:func:`tei.anchoring.reanchor`: moved, fuzzy or orphans, never
  dropped). When the text itself conflicts, ours is kept and theirs' text changes are reported.

The result is parsed again before it is written: a merge never writes conflict markers into XML
nor an unreadable file. :func:`merge_files` returns a report whose ``needs_decision`` tells git
(exit 1) that a person should look (disagreements, a text conflict); the file is well-formed and
opens with the disagreements listed.
"""

from __future__ import annotations

import copy
import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field

from lxml import etree

from . import ns
from .anchoring import fingerprint, reanchor
from .document import TeiDocument
from .errors import TeiError
from .interventions import log_list
from .storage import atomic_write

log = logging.getLogger("glossator.merge")

DISAGREEMENT = "disagreement"
_ANNOTATION = ns.qn("annotation")
_LIST_ANNOTATION = ns.qn("listAnnotation")
_NOTE = ns.qn("note")
_CHANGE = ns.qn("change")
_REVISION = ns.qn("revisionDesc")
_CATEGORY = ns.qn("category")


@dataclass
class MergeReport:
    """What a merge did: lines for a person, and whether one should decide something."""

    kept: list[str] = field(default_factory=list)  # what was merged without question
    disagreements: list[str] = field(default_factory=list)  # both readings kept: to decide
    text: str = "same"  # same | ours | theirs | merged | conflict

    @property
    def needs_decision(self) -> bool:
        """Tell whether a person should look at the result (git reports a conflict)."""
        return bool(self.disagreements) or self.text == "conflict"

    def format_text(self, name: str = "") -> str:
        """Return the report, one line per event, headed by the file's name."""
        head = f"{name}: " if name else ""
        lines = [f"{head}text {self._text_words()}; {len(self.kept)} annotation change(s) merged, "
                 f"{len(self.disagreements)} disagreement(s) kept for a decision"]  # fmt: skip
        lines += [f"  {line}" for line in self.kept]
        lines += [f"  disagreement: {line}" for line in self.disagreements]
        return "\n".join(lines)

    def _text_words(self) -> str:
        return {"same": "unchanged on both sides", "ours": "changed on our side only",
                "theirs": "changed on their side only", "merged": "changed on both sides, merged by git",
                "conflict": "changed on both sides in the same place: ours kept, theirs NOT merged"}[self.text]  # fmt: skip


# -- the text ---------------------------------------------------------------------------------------
def text_key(doc: TeiDocument) -> str:
    """Return the file's text without Glossator's own parts (standOff, taxonomy, the changes it
    logged): what the historians' text is, for comparing versions and merging them."""
    from .document import _with_line  # noqa: PLC0415 - the line-removal rule saves use

    text = doc.source.text
    owned = [doc.standoff(), doc.taxonomy.element(), *_glossator_changes(doc)]
    spans = sorted(_with_line(text, *doc.source.element_span(doc.root, el))
                   for el in owned if el is not None and el.sourceline)  # fmt: skip
    out, pos = [], 0
    for start, end in spans:
        if start < pos:
            continue
        out.append(text[pos:start])
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _glossator_changes(doc: TeiDocument) -> list[etree._Element]:
    header = doc.root.find(ns.qn("teiHeader"))
    rev = header.find(_REVISION) if header is not None else None
    if rev is None:
        return []
    return [c for c in rev.iter(_CHANGE) if "".join(c.itertext()).strip().startswith("Glossator ")]


def _merge_text(base: str, ours: str, theirs: str) -> str | None:
    """Merge three texts with ``git merge-file``; None when they conflict (or git is missing)."""
    git = shutil.which("git")
    if git is None:
        return None
    with tempfile.TemporaryDirectory(prefix="glossator-merge-") as tmp:
        paths = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = os.path.join(tmp, name)
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            paths.append(path)
        run = subprocess.run([git, "merge-file", "-p", "--quiet", *paths], capture_output=True,
                             check=False)  # fmt: skip
    if run.returncode != 0:
        return None
    return run.stdout.decode("utf-8")


# -- elements by id ---------------------------------------------------------------------------------
def _own(el: etree._Element) -> etree._Element:
    """Return a copy of ``el`` without its change log (compared apart) or nested categories."""
    clone = copy.deepcopy(el)
    for child in list(clone):
        if child.tag in (_REVISION, _CATEGORY) or (child.tag == _NOTE and child.get("type") == DISAGREEMENT):
            clone.remove(child)
    return clone


def _same(a: etree._Element | None, b: etree._Element | None) -> bool:
    if a is None or b is None:
        return a is b
    return fingerprint(_own(a)) == fingerprint(_own(b))


def _fields(el: etree._Element) -> dict[str, str]:
    """Return an annotation's fields: attributes, the passage (target and quote) and each typed
    child, as comparable strings."""
    own = _own(el)
    out = {f"@{k}": v for k, v in own.attrib.items() if k not in ("target", ns.XML_ID)}
    counts: dict[str, int] = {}
    for child in own:
        if not isinstance(child.tag, str):
            continue
        key = etree.QName(child).localname + (f"[{child.get('type')}]" if child.get("type") else "")
        counts[key] = counts.get(key, 0) + 1
        if counts[key] > 1:
            key += f"#{counts[key]}"
        out[key] = fingerprint(child)
    out["passage"] = (el.get("target") or "") + "|" + out.pop("note[quote]", "")
    return out


_FIELD_NAMES = {"@ana": "category", "@cert": "certainty", "@resp": "annotator", "passage": "passage",
                "note[body]": "note", "note[explanation]": "bias explanation",
                "note[figure]": "contested figure", "note[source]": "source link",
                "@motivation": "motivation"}  # fmt: skip


def _field_name(key: str) -> str:
    return _FIELD_NAMES.get(key, key.lstrip("@"))


def _quote_of(el: etree._Element) -> str:
    q = el.find(f"{_NOTE}[@type='quote']/{ns.qn('quote')}")
    text = " ".join("".join(q.itertext()).split()) if q is not None else ""
    return text if len(text) <= 50 else text[:49] + "…"


def _describe(el: etree._Element) -> str:
    return f"{el.get(ns.XML_ID)} “{_quote_of(el)}”"


class _Merger:
    """One merge: base, ours and theirs documents, building the elements of the result."""

    def __init__(self, base: TeiDocument, ours: TeiDocument, theirs: TeiDocument) -> None:
        self.docs = {"base": base, "ours": ours, "theirs": theirs}
        self.report = MergeReport()
        self.taken: set[str] = set()  # every id of the three versions (new ids avoid them all)
        for doc in self.docs.values():
            self.taken.update(doc.ids())

    def new_id(self, old: str) -> str:
        stem = old.rsplit("-", 1)[0] if "-" in old else old
        for n in range(2, 10_000):
            candidate = f"{old}-theirs" if n == 2 else f"{stem}-theirs{n}"
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        raise TeiError(f"cannot find a new id for {old}")

    # annotations: (element, home side) in the result's order
    def annotations(self) -> list[tuple[etree._Element, str]]:
        """Merge the annotations; return (element, side whose passage it has) in order."""
        by = {side: {a.id: a.element for a in doc.annotations() if a.id and a.editable}
              for side, doc in self.docs.items()}  # fmt: skip
        base, ours, theirs = by["base"], by["ours"], by["theirs"]
        out: list[tuple[etree._Element, str]] = []
        for ann_id, mine in ours.items():
            old, other = base.get(ann_id), theirs.get(ann_id)
            out.extend(self._one(ann_id, old, mine, other))
        for ann_id, other in theirs.items():
            if ann_id in ours:
                continue
            old = base.get(ann_id)
            if old is None:
                out.append((copy.deepcopy(other), "theirs"))
                self.report.kept.append(f"added by them: {_describe(other)}")
            elif _same(old, other):
                self.report.kept.append(f"deleted by us: {_describe(old)}")
            else:
                out.append((copy.deepcopy(other), "theirs"))
                self.report.kept.append(f"deleted by us but changed by them, kept: {_describe(other)}")
        return out

    def _one(self, ann_id: str, old: etree._Element | None, mine: etree._Element,
             other: etree._Element | None) -> list[tuple[etree._Element, str]]:  # fmt: skip
        if other is None:
            if old is None:
                self.report.kept.append(f"added by us: {_describe(mine)}")
                return [(copy.deepcopy(mine), "ours")]
            if _same(old, mine):
                self.report.kept.append(f"deleted by them: {_describe(old)}")
                return []
            self.report.kept.append(f"deleted by them but changed by us, kept: {_describe(mine)}")
            return [(copy.deepcopy(mine), "ours")]
        if _same(mine, other):
            return [(self._joined_log(copy.deepcopy(mine), other), "ours")]
        if old is not None and _same(old, other):
            return [(copy.deepcopy(mine), "ours")]
        if old is not None and _same(old, mine):
            self.report.kept.append(f"changed by them: {_describe(other)}")
            return [(copy.deepcopy(other), "theirs")]
        return self._both_changed(ann_id, old, mine, other)

    def _both_changed(self, ann_id: str, old: etree._Element | None, mine: etree._Element,
                      other: etree._Element) -> list[tuple[etree._Element, str]]:  # fmt: skip
        f_old = _fields(old) if old is not None else {}
        f_mine, f_other = _fields(mine), _fields(other)
        clash = [k for k in dict.fromkeys([*f_mine, *f_other])
                 if f_mine.get(k) != f_other.get(k) and f_old.get(k) not in (f_mine.get(k), f_other.get(k))]  # fmt: skip
        if old is None or clash:  # the same field changed differently (or two adds with one id)
            names = ", ".join(dict.fromkeys(_field_name(k) for k in clash)) or "everything"
            theirs_el = copy.deepcopy(other)
            new_id = self.new_id(ann_id)
            theirs_el.set(ns.XML_ID, new_id)
            ours_el = copy.deepcopy(mine)
            _mark(ours_el, new_id, names)
            _mark(theirs_el, ann_id, names)
            self.report.disagreements.append(
                f"{_describe(mine)}: {names} changed differently on both sides; ours kept as "
                f"{ann_id}, theirs as {new_id}")  # fmt: skip
            return [(ours_el, "ours"), (theirs_el, "theirs")]
        # changes to different fields: ours, with the fields only they changed taken from theirs
        result = copy.deepcopy(mine)
        home = "ours"
        for key, value in f_other.items():
            if value == f_old.get(key) or value == f_mine.get(key):
                continue
            _take_field(result, other, key)
            if key == "passage":
                home = "theirs"
        for key in [k for k in f_mine if k not in f_other and k in f_old]:  # they removed it
            if f_mine[key] == f_old[key]:
                _drop_field(result, key)
        self.report.kept.append(f"changed on both sides, merged: {_describe(result)}")
        return [(self._joined_log(result, other), home)]

    @staticmethod
    def _joined_log(el: etree._Element, other: etree._Element) -> etree._Element:
        """Give ``el`` the union of its change log and ``other``'s, in time order."""
        mine, theirs = el.find(_REVISION), other.find(_REVISION)
        if theirs is None:
            return el
        if mine is None:
            el.append(copy.deepcopy(theirs))
            return el
        seen = {etree.tostring(c, method="c14n") for c in mine}
        for change in theirs:
            if etree.tostring(change, method="c14n") not in seen:
                mine.append(copy.deepcopy(change))
        changes = sorted(mine, key=lambda c: c.get("when") or "")
        for c in changes:
            mine.append(c)
        return el

    # the other lists of the standOff, and the categories
    def listed(self, tag: str) -> list[etree._Element]:
        """Merge the elements of one of the standOff's lists (``listPerson``, ``listBibl``…)."""
        by = {}
        for side, doc in self.docs.items():
            so = doc.standoff()
            lst = so.find(ns.qn(tag)) if so is not None else None
            by[side] = {} if lst is None else {
                (c.get(ns.XML_ID) or f"#{i}"): c for i, c in enumerate(lst) if isinstance(c.tag, str)}
        return self._by_id(by, tag)

    def change_log(self) -> list[etree._Element]:
        """Merge the editorial interventions' logs (``listChange``, whose entries have no ids, so
        compared whole): both sides' new entries kept in time order, an entry one side removed
        (its intervention undone) dropped."""
        logs: dict[str, dict[bytes, etree._Element]] = {}
        for side, doc in self.docs.items():
            lst = log_list(doc)
            logs[side] = {} if lst is None else {
                etree.tostring(c, method="c14n"): c for c in lst if isinstance(c.tag, str)}
        base, ours, theirs = logs["base"], logs["ours"], logs["theirs"]
        kept = [c for key, c in ours.items() if key in theirs or key not in base]
        kept += [c for key, c in theirs.items() if key not in ours and key not in base]
        return sorted((copy.deepcopy(c) for c in kept), key=lambda c: c.get("when") or "")

    def _by_id(self, by: dict[str, dict[str, etree._Element]], what: str) -> list[etree._Element]:
        base, ours, theirs = by["base"], by["ours"], by["theirs"]
        out: list[etree._Element] = []
        for key, mine in ours.items():
            old, other = base.get(key), theirs.get(key)
            if other is None:
                if old is None or not _same(old, mine):
                    out.append(copy.deepcopy(mine))  # ours' addition, or changed by us
                continue
            if _same(mine, other) or (old is not None and _same(old, other)):
                out.append(copy.deepcopy(mine))
            elif old is not None and _same(old, mine):
                out.append(copy.deepcopy(other))
            else:
                copy_ = copy.deepcopy(other)
                new_id = self.new_id(key)
                copy_.set(ns.XML_ID, new_id)
                out.append(_mark(copy.deepcopy(mine), new_id, "everything"))
                out.append(_mark(copy_, key, "everything"))
                self.report.disagreements.append(f"{what} {key} changed differently on both sides; "
                                                 f"ours kept, theirs as {new_id}")  # fmt: skip
        for key, other in theirs.items():
            if key in ours:
                continue
            old = base.get(key)
            if old is None or not _same(old, other):
                out.append(copy.deepcopy(other))
        return out


def _mark(el: etree._Element, other_id: str, names: str) -> etree._Element:
    """Mark ``el`` as one reading of a disagreement with ``#other_id`` about ``names``."""
    for old in el.findall(f"{_NOTE}[@type='{DISAGREEMENT}']"):
        el.remove(old)
    note = etree.Element(_NOTE, type=DISAGREEMENT, corresp="#" + other_id)
    note.text = f"merged from two versions that changed {names} differently"
    rev = el.find(_REVISION)
    if rev is not None:
        rev.addprevious(note)
    else:
        el.append(note)
    return el


def _field_children(el: etree._Element, key: str) -> list[etree._Element]:
    if key.startswith("@") or key == "passage":
        return []
    name, _, rest = key.partition("[")
    type_ = rest.split("]")[0] if rest else None
    return [c for c in el if isinstance(c.tag, str) and etree.QName(c).localname == name
            and c.get("type") == type_]  # fmt: skip


def _take_field(result: etree._Element, other: etree._Element, key: str) -> None:
    """Copy field ``key`` of ``other`` into ``result`` (replacing it there)."""
    if key.startswith("@"):
        result.set(key[1:], other.get(key[1:]) or "")
        return
    if key == "passage":
        result.set("target", other.get("target") or "")
        key = "note[quote]"
    base_key = key.split("#")[0]
    theirs = _field_children(other, base_key)
    mine = _field_children(result, base_key)
    anchor = mine[0] if mine else result.find(_REVISION)
    for c in mine:
        result.remove(c)
    for c in theirs:
        if anchor is not None and anchor.getparent() is result:
            anchor.addprevious(copy.deepcopy(c))
        else:
            result.append(copy.deepcopy(c))


def _drop_field(result: etree._Element, key: str) -> None:
    if key.startswith("@"):
        result.attrib.pop(key[1:], None)
        return
    for c in _field_children(result, key.split("#")[0]):
        result.remove(c)


# -- the whole merge ----------------------------------------------------------------------------------
def merge_documents(base: TeiDocument, ours: TeiDocument, theirs: TeiDocument
                    ) -> tuple[TeiDocument, MergeReport]:  # fmt: skip
    """Merge three versions of an annotated file (see the module); return the result and report."""
    m = _Merger(base, ours, theirs)
    keys = {side: text_key(doc) for side, doc in m.docs.items()}
    if keys["ours"] == keys["theirs"]:
        result, m.report.text = ours, "same"
    elif keys["theirs"] == keys["base"]:
        result, m.report.text = ours, "ours"
    elif keys["ours"] == keys["base"]:
        result, m.report.text = TeiDocument.from_bytes(theirs.source.data, ours.path), "theirs"
    else:
        merged = _merge_text(keys["base"], keys["ours"], keys["theirs"])
        if merged is None:
            result, m.report.text = ours, "conflict"
        else:
            result = TeiDocument.from_bytes(ours.source.encode(merged), ours.path)
            m.report.text = "merged"
    result_key = keys["ours"] if result is ours else text_key(result)
    if result is ours:
        result = TeiDocument.from_bytes(ours.source.data, ours.path)  # a fresh copy to build on
    anns = m.annotations()
    lists = {tag: m.listed(tag) for tag in ("listPerson", "listBibl", "listRelation")}
    if m.report.text != "same" and m.report.text != "ours" and m.report.text != "conflict":
        _take_taxonomy(ours, result)  # the result's text came from elsewhere: start from ours'
    _merge_taxonomy(m, result)
    so = result.ensure_standoff()
    for tag, items in lists.items():
        lst = so.find(ns.qn(tag))
        if lst is None and not items:
            continue
        if lst is None:
            lst = result._standoff_list(tag)  # noqa: SLF001 - the library's own list
        for c in list(lst):
            lst.remove(c)
            result.unregister_ids(c)
        lst.extend(items)
    if m.report.text != "conflict":  # a clash keeps our text, so only our corrections are in it
        _put_change_log(result, m.change_log())
    target = result._list_annotation()  # noqa: SLF001
    for c in list(target):
        if c.tag == _ANNOTATION:
            target.remove(c)
            result.unregister_ids(c)
    carried: dict[str, list[etree._Element]] = {"ours": [], "theirs": []}
    for el, home in anns:
        if keys[home] == result_key:
            target.append(el)
        else:
            carried[home].append(el)
    for el in so.iterdescendants():  # laid out afresh: lines read from either side's file mean nothing here
        el.sourceline = 0
    result.register_ids(so)
    for home, elements in carried.items():
        if elements:
            _carry(m.docs[home], elements, result, m.report)
    return result, m.report


def _put_change_log(result: TeiDocument, entries: list[etree._Element]) -> None:
    """Give the result's intervention log the merged ``entries`` (made where none was)."""
    lst = log_list(result, create=bool(entries))
    if lst is None:
        return
    if not entries:  # every correction undone: no empty list (TEI wants one change at least)
        lst.getparent().remove(lst)  # type: ignore[union-attr]
        return
    for c in list(lst):
        lst.remove(c)
    lst.extend(entries)


def _carry(side: TeiDocument, elements: list[etree._Element], onto: TeiDocument,
           report: MergeReport) -> None:  # fmt: skip
    """Find ``elements`` (annotations made on ``side``'s text) again on ``onto``'s text."""
    scratch = TeiDocument.from_bytes(side.source.data)
    lst = scratch._list_annotation()  # noqa: SLF001
    for c in list(lst):
        if c.tag == _ANNOTATION:
            lst.remove(c)
    for el in elements:
        lst.append(copy.deepcopy(el))
    scratch.register_ids(lst)
    done = reanchor(scratch, onto)
    for item in done.items:
        if item.outcome in ("fuzzy", "orphan"):
            report.disagreements.append(f"{item.id} “{item.quote[:50]}”: the text under it changed; "
                                        f"{item.outcome} ({item.reason or f'score {item.score:.2f}'})")  # fmt: skip


def _take_taxonomy(ours: TeiDocument, result: TeiDocument) -> None:
    """Put a copy of ours' taxonomy in place of the result's (which came with another text)."""
    mine, current = ours.taxonomy.element(), result.taxonomy.element()
    if current is not None:
        current.getparent().remove(current)  # type: ignore[union-attr]
        result.unregister_ids(current)
    if mine is not None:
        tax = copy.deepcopy(mine)
        result._header_child_path(["encodingDesc", "classDecl"]).append(tax)  # noqa: SLF001
        result.register_ids(tax)
    result.taxonomy.invalidate()


def _merge_taxonomy(m: _Merger, result: TeiDocument) -> None:
    """Bring the categories added or changed on either side into the result's taxonomy."""
    taxes = {side: doc.taxonomy.element() for side, doc in m.docs.items()}
    if taxes["ours"] is None and taxes["theirs"] is None:
        return
    flat = {side: ({c.get(ns.XML_ID) or "": c for c in tax.iter(_CATEGORY)} if tax is not None else {})
            for side, tax in taxes.items()}  # fmt: skip
    if all(_same(flat["ours"].get(k), flat["theirs"].get(k)) for k in {*flat["ours"], *flat["theirs"]}):
        return
    tax, _ = result.materialize_taxonomy()
    have = {c.get(ns.XML_ID): c for c in tax.iter(_CATEGORY)}
    base, ours, theirs = flat["base"], flat["ours"], flat["theirs"]
    for key, other in theirs.items():
        mine, old = ours.get(key), base.get(key)
        if mine is None:
            if old is not None and _same(old, other):
                continue  # deleted by us
            parent = other.getparent()
            pid = parent.get(ns.XML_ID) if parent is not None and parent.tag == _CATEGORY else None
            home = have.get(pid, tax) if pid else tax
            el = _own(other)
            home.append(el)
            have[key] = el
            m.report.kept.append(f"category {key} added by them")
        elif not _same(mine, other) and old is not None and _same(old, mine):
            here = have.get(key)
            if here is not None:
                for c in list(here):
                    if c.tag != _CATEGORY:
                        here.remove(c)
                for i, c in enumerate(list(_own(other))):
                    here.insert(i, c)
                here.attrib.clear()
                here.attrib.update(other.attrib)
                m.report.kept.append(f"category {key} changed by them")
        elif not _same(mine, other) and (old is None or not _same(old, other)):
            m.report.disagreements.append(f"category {key} changed differently on both sides; ours kept")
    result.register_ids(tax)
    result.taxonomy.invalidate()


def merge_files(base: str, ours: str, theirs: str, out: str | None = None) -> MergeReport:
    """Merge three files (git's %O %A %B) and write the result to ``out`` (default: ``ours``,
    as git expects), atomically and without a backup; raise ``TeiError`` (nothing written) when
    a version cannot be read."""
    docs = [TeiDocument.load(p) for p in (base, ours, theirs)]
    result, report = merge_documents(*docs)
    data = result.to_bytes()
    TeiDocument.from_bytes(data)  # never write what does not read back
    atomic_write(out or ours, data, force=True, backup=False)
    return report
