"""``Session``: one open document, its file path and its undo stack; the only way to change it.

Views never edit the ``TeiDocument`` themselves: they call the session, which pushes one
``QUndoCommand`` per user action and emits fine-grained signals that the views follow.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

import tei
from tei.annotations import now_iso
from tei.document import TeiDocument

from . import commands, settings

log = logging.getLogger(__name__)


class Session(QObject):
    """A TEI document opened in the application, with undo and change signals."""

    annotation_added = Signal(str)
    annotation_changed = Signal(str)
    annotation_removed = Signal(str)
    taxonomy_changed = Signal()
    text_changed = Signal(list)  # indexes of the tei blocks whose text an intervention changed
    sources_changed = Signal()
    document_replaced = Signal()
    saved = Signal(str)
    dirty_changed = Signal(bool)
    notice = Signal(str)  # a one-line message for the status bar

    def __init__(self, doc: TeiDocument, path: str | None = None, *, untitled: bool = False,
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.doc = doc
        self.path = os.path.abspath(path) if path else None
        self.untitled = untitled or self.path is None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.clock: Callable[[], str] = now_iso
        self._identity: tuple[str, str] | None = None

    def _on_clean_changed(self, _clean: bool) -> None:
        try:
            self.dirty_changed.emit(self.is_dirty())
        except RuntimeError:  # the stack is being destroyed
            pass

    # -- state -------------------------------------------------------------------------------
    def is_dirty(self) -> bool:
        """Tell whether there are unsaved changes (or the document was never saved)."""
        try:
            clean = self.undo_stack.isClean()
        except RuntimeError:  # the stack is being destroyed with the window
            return False
        return not clean or (self.untitled and self.path is None)

    def display_name(self) -> str:
        """Return the file name shown in the title bar."""
        if self.path:
            return os.path.basename(self.path)
        return self.doc.path and os.path.basename(self.doc.path) or "Untitled"

    def identity(self) -> tuple[str, str]:
        """Return the annotator's (name, ORCID) from the preferences."""
        if self._identity is not None:
            return self._identity
        return settings.annotator_name(), settings.get("annotator/orcid").strip()

    def set_identity(self, name: str, orcid: str = "") -> None:
        """Override the annotator identity for this session (tests, scripts)."""
        self._identity = (name, orcid)

    def person_id(self) -> str:
        """Return the annotator's person id, adding the person to the document if needed
        ('' while the annotator has given no name: the work is recorded anonymously).

        Only called inside commands: adding the person is part of the undoable step.
        """
        name, orcid = self.identity()
        return self.doc.ensure_annotator(name, orcid) if name.strip() else ""

    def existing_person_id(self) -> str:
        """Return the annotator's person id if the document already knows them, else ''."""
        name = self.identity()[0].strip()
        if not name:
            return ""
        for pid, pname in self.doc.annotators().items():
            if pname == name:
                return pid
        return ""

    # -- changes -----------------------------------------------------------------------------
    def push(self, cmd: QUndoCommand) -> None:
        """Perform a command (raising ``TeiError`` on failure, leaving nothing) and record it."""
        if isinstance(cmd, commands.SessionCommand):
            cmd.perform()
        self.undo_stack.push(cmd)

    def annotate(self, sel: tuple[int, int, int, int], category: str,
                 init: Callable[[tei.Annotation], None] | None = None) -> str:  # fmt: skip
        """Annotate the reading selection (b0, r0, b1, r1) with ``category``; return the new id.

        ``init`` may fill in fields of the new annotation within the same undo step.
        """
        if category not in self.doc.taxonomy.categories:
            raise tei.AnnotationError(f"unknown category {category!r}")
        cmd = commands.AddAnnotation(self, sel, category, init)  # type: ignore[arg-type]
        self.push(cmd)
        return cmd.ann_id

    def edit_annotation(self, ann_id: str, text: str, change: Callable[[tei.Annotation], None],
                        merge_key: str = "") -> None:  # fmt: skip
        """Apply ``change(annotation)`` as one undoable step labelled ``text``."""
        self.push(commands.EditAnnotation(self, ann_id, text, change, merge_key))  # type: ignore[arg-type]

    def end_typing(self) -> None:
        """End a typing session: the next edit of the same field becomes a new undo step."""
        cmd = self.undo_stack.command(self.undo_stack.index() - 1)
        if isinstance(cmd, commands.EditAnnotation):
            cmd.merge_key = ""

    def intervene(self, kind: str, sel: tuple[int, int, int, int], **fields: str) -> str:
        """Apply an editorial intervention (see :mod:`tei.interventions`) to the reading
        selection (b0, r0, b1, r1) as one undoable step; return its label."""
        from .interventions import Intervene

        b0, r0, b1, r1 = sel
        if b0 != b1:
            raise tei.AnnotationError("an intervention changes text inside one paragraph: "
                                      "select the text within a single paragraph")  # fmt: skip
        cmd = Intervene(self, kind, b0, r0, r1, fields)
        self.push(cmd)
        return cmd.text()

    def delete_annotation(self, ann_id: str) -> None:
        """Delete an annotation (undoable)."""
        self.push(commands.DeleteAnnotation(self, ann_id))

    def sign_annotations(self, ids: list[str]) -> None:
        """Record the annotator, now named, on annotations made anonymously (one undo step)."""
        if ids and self.identity()[0].strip():
            self.push(commands.SignAnnotations(self, ids))

    def add_source(self, fields: dict[str, str]) -> str:
        """Add a source and return its id."""
        cmd = commands.AddSource(self, fields)
        self.push(cmd)
        return cmd.sid

    def edit_source(self, sid: str, fields: dict[str, str]) -> None:
        """Change one of our sources."""
        self.push(commands.EditSource(self, sid, fields))

    def remove_source(self, sid: str) -> None:
        """Remove one of our sources (undoable)."""
        self.push(commands.RemoveSource(self, sid))

    def make_sources_from_notes(self, table: object) -> object:
        """Store the sources read from the footnotes as one undo step (none when nothing is new);
        return the ``tei.footnote_sources.StoreReport``."""
        from .footnote_sources_dialog import MakeSourcesFromNotes

        cmd = MakeSourcesFromNotes(self, table)  # type: ignore[arg-type]
        cmd.perform()
        if not cmd.did_nothing:
            self.undo_stack.push(cmd)
        return cmd.report

    def import_sources(self, plan: object) -> None:
        """Add and merge the sources of a planned bibliography import (one undo step)."""
        from .source_import import ImportSources

        self.push(ImportSources(self, plan))  # type: ignore[arg-type]

    def edit_taxonomy(self, text: str, change: Callable[[object], None]) -> None:
        """Change the taxonomy element (materialised into the header first) as one step."""
        self.push(commands.EditTaxonomy(self, text, change))  # type: ignore[arg-type]

    def ensure_note_id(self, el: object) -> str:
        """Give a footnote an xml:id (to cite it as a source) as part of an edit; return the id."""
        return self.doc.ensure_id(el)  # type: ignore[arg-type]

    def restore_document(self, new: TeiDocument, text: str = "Restore recovered changes") -> None:
        """Replace the whole document as one undoable step (used for crash recovery)."""
        self.undo_stack.push(commands.ReplaceDocument(self, new, text))

    def replace_document(self, new: TeiDocument) -> None:
        """Replace the document without undo (reload from disk): the stack is cleared."""
        self.undo_stack.clear()
        self._set_doc(new)
        self.undo_stack.setClean()

    def _set_doc(self, doc: TeiDocument) -> None:
        self.doc = doc
        self.document_replaced.emit()

    # -- saving ------------------------------------------------------------------------------
    def to_bytes(self, when: str | None = None) -> bytes:
        """Return what a save would write now."""
        return self.doc.to_bytes(who=self.existing_person_id(), when=when)

    def save(self, path: str | None = None, *, force: bool = False) -> str:
        """Save atomically (raising ``SaveConflictError`` if changed on disk) and mark clean."""
        target = os.path.abspath(path) if path else self.path
        if not target:
            raise tei.SaveError("choose a file name first (File ▸ Save As…)")
        written = self.doc.save(target, force=force, who=self.existing_person_id())
        self.path = os.path.abspath(written)
        self.untitled = False
        self.undo_stack.setClean()
        self.dirty_changed.emit(self.is_dirty())
        self.saved.emit(self.path)
        return self.path
