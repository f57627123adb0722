"""One ``QUndoCommand`` per user action, each over invertible ``tei`` edits.

Every command restores the tree exactly, so that undoing any sequence of steps gives back
byte-identical ``doc.to_bytes()`` output. Structure that a step creates on the way (the
``<standOff>``, its lists, an annotator's ``<person>``, ``xml:id``s added to text elements) is
recorded by :class:`Recorder` and detached on undo, re-attached on redo.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from lxml import etree
from PySide6.QtGui import QUndoCommand

from tei import history, ns
from tei.document import TeiDocument

if TYPE_CHECKING:
    from .session import Session

log = logging.getLogger(__name__)

_LIST_ANNOTATION = ns.qn("listAnnotation")
_PERSON = ns.qn("person")
_MERGE_EDIT = 4711


def _xml(el: etree._Element) -> bytes:
    """Serialise a copy (an element in the tree also writes the namespaces in scope)."""
    return etree.tostring(copy.deepcopy(el))


class Recorder:
    """Remember the standOff structure and xml:ids a step creates, and the annotators it
    changes (a new ORCID), to take them out again."""

    def __init__(self, doc: TeiDocument) -> None:
        self.doc = doc
        self._before = set(self._structure())
        self._ids_before = doc.added_ids()
        self._people = [(p, copy.deepcopy(p)) for p in self._persons()]
        self.created: list[tuple[etree._Element, etree._Element, int]] = []
        self.new_ids: dict[etree._Element, str] = {}
        self.changed: list[tuple[etree._Element, etree._Element, etree._Element]] = []

    def _persons(self) -> list[etree._Element]:
        so = self.doc.standoff()
        if so is None:
            return []
        return [p for lst in so.iterchildren(ns.qn("listPerson")) for p in lst.iter(_PERSON)]

    def _structure(self) -> list[etree._Element]:
        so = self.doc.standoff()
        if so is None:
            return []
        found = [so]
        for lst in so:
            if not isinstance(lst.tag, str):
                continue
            found.append(lst)
            if lst.tag != _LIST_ANNOTATION:
                found.extend(c for c in lst if isinstance(c.tag, str))
        return found

    def finish(self, *extra: etree._Element) -> Recorder:
        """Record what was created since construction (plus ``extra`` elements) and return self."""
        for el in [*self._structure(), *extra]:
            if el not in self._before:
                parent = el.getparent()
                assert parent is not None
                self.created.append((el, parent, parent.index(el)))
        self.new_ids = {
            el: i for el, i in self.doc.added_ids().items() if self._ids_before.get(el) != i
        }
        self.changed = [(p, old, copy.deepcopy(p)) for p, old in self._people if _xml(p) != _xml(old)]
        del self._before, self._people
        return self

    @staticmethod
    def unchanged(rec: Recorder) -> bool:
        """Tell whether nothing structural was created or changed since ``rec`` was made."""
        return (set(rec._structure()) <= rec._before and rec.doc.added_ids() == rec._ids_before
                and all(_xml(p) == _xml(old) for p, old in rec._people))  # fmt: skip

    @property
    def empty(self) -> bool:
        """Tell whether the step created or changed nothing structural."""
        return not self.created and not self.new_ids and not self.changed

    def undo(self) -> None:
        """Detach the created elements (children first) and drop the added xml:ids."""
        for el, parent, _ in reversed(self.created):
            if el.getparent() is parent:
                parent.remove(el)
                self.doc.unregister_ids(el)
        for el in self.new_ids:
            self.doc.drop_added_id(el)
        for person, old, _ in self.changed:
            _restore_content(person, old)

    def redo(self) -> None:
        """Re-attach the created elements and put the added xml:ids back."""
        for person, _, new in self.changed:
            _restore_content(person, new)
        for el, xml_id in self.new_ids.items():
            self.doc.restore_added_id(el, xml_id)
        for el, parent, index in self.created:
            if el.getparent() is None:
                parent.insert(index, el)
                self.doc.register_ids(el)


class SessionCommand(QUndoCommand):
    """Base: a command bound to a session; the first redo performs the action."""

    def __init__(self, session: Session, text: str) -> None:
        super().__init__(text)
        self.session = session
        self.doc = session.doc
        self._done_once = False
        self._skip = False

    def perform(self) -> None:
        """Run the action now (raising on failure); the stack's own first redo is then skipped."""
        self.redo()
        self._skip = True

    def redo(self) -> None:
        if self._skip:
            self._skip = False
            return
        if not self._done_once:
            self._done_once = True
            self.first()
        else:
            self.again()

    def first(self) -> None:
        """Perform the action the first time."""
        raise NotImplementedError

    def again(self) -> None:
        """Perform the action again after an undo."""
        raise NotImplementedError


class AddAnnotation(SessionCommand):
    """Annotate a reading selection with a category."""

    def __init__(self, session: Session, sel: tuple[int, int, int, int], category: str,
                 init: Callable[[object], None] | None = None) -> None:  # fmt: skip
        label = session.doc.taxonomy.label(category)
        super().__init__(session, f"Add {label}")
        self.init = init
        self.sel = sel
        self.category = category
        self.ann_id = ""
        self.rec: Recorder | None = None
        self.place: tuple[etree._Element, etree._Element, int] | None = None

    def first(self) -> None:
        doc = self.doc
        rec = Recorder(doc)
        ann = None
        try:
            target = doc.target_for(*self.sel)  # refuses a backward passage before any change
            person = self.session.person_id()
            ann = doc.add_annotation(target, self.category, annotator=person,
                                     annotator_name=self.session.identity()[0],
                                     when=self.session.clock())  # fmt: skip
            if self.init is not None:
                self.init(ann)
        except BaseException:
            if ann is not None and ann.element.getparent() is not None:
                ann.element.getparent().remove(ann.element)
                doc.unregister_ids(ann.element)
            rec.finish().undo()
            raise
        self.ann_id = ann.id
        self.rec = rec.finish()
        self.session.annotation_added.emit(self.ann_id)

    def again(self) -> None:
        assert self.rec is not None and self.place is not None
        self.rec.redo()
        el, parent, index = self.place
        parent.insert(index, el)
        self.doc.register_ids(el)
        self.session.annotation_added.emit(self.ann_id)

    def undo(self) -> None:
        assert self.rec is not None
        el = self.doc.annotation(self.ann_id).element  # edits may have swapped the element
        parent = el.getparent()
        assert parent is not None
        self.place = (el, parent, parent.index(el))
        parent.remove(el)
        self.doc.unregister_ids(el)
        self.rec.undo()
        self.session.annotation_removed.emit(self.ann_id)


class EditAnnotation(SessionCommand):
    """Change fields of one annotation (snapshot before and after)."""

    def __init__(self, session: Session, ann_id: str, text: str,
                 change: Callable[[object], None], merge_key: str = "") -> None:  # fmt: skip
        super().__init__(session, text)
        self.ann_id = ann_id
        self.change = change
        self.merge_key = merge_key
        self.before: etree._Element | None = None
        self.after: etree._Element | None = None
        self.rec: Recorder | None = None

    def first(self) -> None:
        doc = self.doc
        ann = doc.annotation(self.ann_id)
        self.before = ann.snapshot()
        rec = Recorder(doc)
        try:
            self.change(ann)
            ann = doc.annotation(self.ann_id)
            if _xml(ann.element) == _xml(self.before) and Recorder.unchanged(rec):
                self.setObsolete(True)  # nothing changed: no undo step
                return
            history.record(ann.element, self.before, self.session.person_id(), self.session.clock())
        except BaseException:
            doc.replace_annotation_element(self.ann_id, copy.deepcopy(self.before))
            rec.finish().undo()
            raise
        self.rec = rec.finish()
        self.after = doc.annotation(self.ann_id).snapshot()
        self.session.annotation_changed.emit(self.ann_id)

    def again(self) -> None:
        assert self.rec is not None and self.after is not None
        self.rec.redo()
        self.doc.replace_annotation_element(self.ann_id, copy.deepcopy(self.after))
        self.session.annotation_changed.emit(self.ann_id)

    def undo(self) -> None:
        assert self.rec is not None and self.before is not None
        self.doc.replace_annotation_element(self.ann_id, copy.deepcopy(self.before))
        self.rec.undo()
        self.session.annotation_changed.emit(self.ann_id)

    def id(self) -> int:
        return _MERGE_EDIT if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt override
        if not isinstance(other, EditAnnotation) or other.ann_id != self.ann_id:
            return False
        if not self.merge_key or other.merge_key != self.merge_key:
            return False
        if other.rec is None or not other.rec.empty:
            return False
        self.after = other.after
        return True


class SignAnnotations(SessionCommand):
    """Sign annotations made before the annotator gave a name (they were anonymous)."""

    def __init__(self, session: Session, ids: list[str]) -> None:
        n = len(ids)
        super().__init__(session, f"Sign {n} annotation{'s' if n != 1 else ''} as {session.identity()[0]}")
        self.ids = list(ids)
        self.before: dict[str, etree._Element] = {}
        self.after: dict[str, etree._Element] = {}
        self.rec: Recorder | None = None

    def first(self) -> None:
        doc = self.doc
        rec = Recorder(doc)
        try:
            pid, name = self.session.person_id(), self.session.identity()[0]
            for aid in self.ids:
                ann = doc.annotation(aid)
                self.before[aid] = ann.snapshot()
                ann.set_creator(pid, name)
                self.after[aid] = doc.annotation(aid).snapshot()
        except BaseException:
            for aid, el in self.before.items():
                doc.replace_annotation_element(aid, copy.deepcopy(el))
            rec.finish().undo()
            raise
        self.rec = rec.finish()
        for aid in self.ids:
            self.session.annotation_changed.emit(aid)

    def again(self) -> None:
        assert self.rec is not None
        self.rec.redo()
        for aid, el in self.after.items():
            self.doc.replace_annotation_element(aid, copy.deepcopy(el))
            self.session.annotation_changed.emit(aid)

    def undo(self) -> None:
        assert self.rec is not None
        for aid, el in self.before.items():
            self.doc.replace_annotation_element(aid, copy.deepcopy(el))
        self.rec.undo()
        for aid in self.ids:
            self.session.annotation_changed.emit(aid)


class DeleteAnnotation(SessionCommand):
    """Delete an annotation (undo puts it back in place)."""

    def __init__(self, session: Session, ann_id: str) -> None:
        ann = session.doc.annotation(ann_id)
        super().__init__(session, f"Delete {session.doc.taxonomy.label(ann.category)}")
        self.ann_id = ann_id
        self.removed = None

    def first(self) -> None:
        self.removed = self.doc.remove_annotation(self.ann_id)
        self.session.annotation_removed.emit(self.ann_id)

    again = first

    def undo(self) -> None:
        assert self.removed is not None
        ann = self.doc.restore_annotation(self.removed)
        if ann.id != self.ann_id:  # its id was taken meanwhile: it never gets a duplicate one
            self.session.notice.emit(f"The annotation {self.ann_id} was restored as {ann.id}: "
                                     "another element now has its old id.")  # fmt: skip
            self.ann_id = ann.id
        self.session.annotation_added.emit(self.ann_id)


class SourcesStep(SessionCommand):
    """A step that adds sources (the structure it creates recorded) and may change existing
    ones in place (those :meth:`touched` names, snapshotted); :meth:`apply` does the work."""

    def __init__(self, session: Session, text: str) -> None:
        super().__init__(session, text)
        self.rec: Recorder | None = None
        self.changed: list[tuple[etree._Element, etree._Element, etree._Element]] = []  # el, before, after

    def touched(self) -> list[etree._Element]:
        """Return the existing elements :meth:`apply` may change in place."""
        return []

    def apply(self) -> None:
        """Change the document (raising leaves it as it was)."""
        raise NotImplementedError

    def first(self) -> None:
        before = [(el, copy.deepcopy(el)) for el in self.touched()]
        rec = Recorder(self.doc)
        try:
            self.apply()
        except BaseException:
            for el, old in before:
                _restore_content(el, old)
            rec.finish().undo()
            raise
        self.rec = rec.finish()
        self.changed = [(el, old, copy.deepcopy(el)) for el, old in before if _xml(el) != _xml(old)]
        self.session.sources_changed.emit()

    def again(self) -> None:
        assert self.rec is not None
        self.rec.redo()
        for el, _, after in self.changed:
            _restore_content(el, after)
        self.session.sources_changed.emit()

    def undo(self) -> None:
        assert self.rec is not None
        for el, before, _ in self.changed:
            _restore_content(el, before)
        self.rec.undo()
        self.session.sources_changed.emit()


class AddSource(SourcesStep):
    """Add a bibliographic entry to the document's sources."""

    def __init__(self, session: Session, fields: dict[str, str]) -> None:
        super().__init__(session, f"Add source {fields.get('title') or fields.get('author') or ''}".strip())
        self.fields = fields
        self.sid = ""

    def apply(self) -> None:
        self.sid = self.doc.add_source(**self.fields)


def _restore_content(el: etree._Element, snap: etree._Element) -> None:
    """Make ``el`` equal to ``snap`` in place (attributes, text, children), keeping ``el``."""
    tail = el.tail
    el.clear()
    el.tail = tail
    for k, v in snap.attrib.items():
        el.set(k, v)
    el.text = snap.text
    for child in snap:
        el.append(copy.deepcopy(child))


class EditSource(SessionCommand):
    """Change the fields of one of the document's own sources."""

    def __init__(self, session: Session, sid: str, fields: dict[str, str]) -> None:
        super().__init__(session, "Edit source")
        self.sid = sid
        self.fields = fields
        self.before: etree._Element | None = None
        self.after: etree._Element | None = None

    def _el(self) -> etree._Element:
        el = self.doc.element_by_id(self.sid)
        assert el is not None
        return el

    def first(self) -> None:
        from tei.document import fill_bibl

        el = self._el()
        self.before = copy.deepcopy(el)
        try:
            fill_bibl(el, **self.fields)
        except BaseException:
            _restore_content(el, self.before)
            raise
        self.after = copy.deepcopy(el)
        self.session.sources_changed.emit()

    def again(self) -> None:
        assert self.after is not None
        _restore_content(self._el(), self.after)
        self.session.sources_changed.emit()

    def undo(self) -> None:
        assert self.before is not None
        _restore_content(self._el(), self.before)
        self.session.sources_changed.emit()


class RemoveSource(SessionCommand):
    """Remove one of the document's own sources."""

    def __init__(self, session: Session, sid: str) -> None:
        super().__init__(session, "Remove source")
        self.sid = sid
        self.where: tuple[etree._Element, int, etree._Element] | None = None

    def first(self) -> None:
        self.where = self.doc.remove_source(self.sid)
        self.session.sources_changed.emit()

    again = first

    def undo(self) -> None:
        assert self.where is not None
        parent, index, el = self.where
        parent.insert(index, el)
        self.doc.register_ids(el)
        self.session.sources_changed.emit()


class EditTaxonomy(SessionCommand):
    """Add, rename, recolour, re-shortcut, move, delete or import categories (the taxonomy is stored
    in the file)."""

    def __init__(self, session: Session, text: str,
                 change: Callable[[etree._Element], None]) -> None:  # fmt: skip
        super().__init__(session, text)
        self.change = change
        self.added = False
        self.parent: etree._Element | None = None
        self.index = 0
        self.el: etree._Element | None = None
        self.before: etree._Element | None = None
        self.after: etree._Element | None = None

    def first(self) -> None:
        existing = self.doc.taxonomy.element()
        self.before = copy.deepcopy(existing) if existing is not None else None
        el, self.added = self.doc.materialize_taxonomy()
        self.el = el
        self.parent = el.getparent()
        assert self.parent is not None
        self.index = self.parent.index(el)
        self.doc.unregister_ids(el)  # a change may take categories out: index what is left after it
        try:
            self.change(el)
        except BaseException:
            self._put_back()
            raise
        self.doc.register_ids(el)  # the categories the change left, added or moved
        self.after = copy.deepcopy(el)
        self._changed()

    def _put_back(self) -> None:
        assert self.el is not None and self.parent is not None
        self.doc.unregister_ids(self.el)
        if self.added:
            self.parent.remove(self.el)
        elif self.before is not None:
            _restore_content(self.el, self.before)
            self.doc.register_ids(self.el)
        self._changed()

    def again(self) -> None:
        assert self.el is not None and self.parent is not None and self.after is not None
        if self.added:
            self.parent.insert(self.index, self.el)
        self.doc.unregister_ids(self.el)
        _restore_content(self.el, self.after)
        self.doc.register_ids(self.el)
        self._changed()

    def undo(self) -> None:
        self._put_back()

    def _changed(self) -> None:
        self.doc.taxonomy.invalidate()
        self.session.taxonomy_changed.emit()


class ReplaceDocument(QUndoCommand):
    """Swap the whole document (restore from a recovery file); undo goes back to the old one."""

    def __init__(self, session: Session, new: TeiDocument, text: str) -> None:
        super().__init__(text)
        self.session = session
        self.old = session.doc
        self.new = new

    def redo(self) -> None:
        self.session._set_doc(self.new)  # noqa: SLF001

    def undo(self) -> None:
        self.session._set_doc(self.old)  # noqa: SLF001
