"""View ▸ Compare with…: a second source beside the first, and links between passages of the two.

The second source has its own :class:`Session` (document, undo stack, save) and its own
:class:`DocumentView`; the window's own document stays the first. "Link…" links the passage
selected in the first to the one selected in the second: each gets an annotation if it has none,
and the first document records the link (its passive end is the other file, relative to the
first, and the other annotation's id).
"""

from __future__ import annotations

import html
import logging
import os
from typing import TYPE_CHECKING
from urllib.parse import unquote

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QDropEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

import tei
from tei import relations
from tei.document import TeiDocument

from . import lock, settings
from .document_view import DocumentView
from .errors import show_error
from .evidence import AddRelation, LinkDialog, annotation_candidates
from .session import Session

if TYPE_CHECKING:
    from .main_window import MainWindow

log = logging.getLogger(__name__)


class ComparePane(QWidget):
    """The second source: a title bar with Link…, Undo, Redo, Save and Close, and its text."""

    def __init__(self, doc: TeiDocument, path: str, read_only: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compare_pane")
        self.setAccessibleName("Second source")
        self.read_only = read_only
        self.session = Session(doc, path)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        bar = QWidget()
        bar.setObjectName("compare_bar")
        bar.setStyleSheet("#compare_bar { background:#ece6d8; border-bottom:1px solid #d6cdb8; }")
        row = QHBoxLayout(bar)
        row.setContentsMargins(8, 3, 4, 3)
        self.name_label = QLabel()
        self.name_label.setObjectName("compare_name")
        row.addWidget(self.name_label, 1)
        self.buttons: dict[str, QToolButton] = {}
        for key, text, tip in (
            ("link", "Link…", "Link the passage selected in the first text to the one selected here"),
            ("undo", "Undo", "Undo the last change to this source"),
            ("redo", "Redo", "Redo the change to this source last undone"),
            ("save", "Save", "Save this source"),
            ("close", "✕", "Close the second source"),
        ):
            b = QToolButton()
            b.setObjectName(f"compare_{key}")
            b.setText(text)
            b.setToolTip(tip)
            b.setAccessibleName(tip)
            row.addWidget(b)
            self.buttons[key] = b
        lay.addWidget(bar)
        self.view = DocumentView()
        self.view.setObjectName("compare_view")
        self.view.setAccessibleName("Second source text")
        self.view.setMinimumWidth(280)
        self.view.setAcceptDrops(False)  # a file dropped here goes to the window (it opens here)
        self.view.viewport().setAcceptDrops(False)
        self.view.set_reading_font(settings.get("view/font_size"), settings.get("view/font_family"))
        lay.addWidget(self.view, 1)
        self.view.set_document(doc)
        self.view.annotation_clicked.connect(self.view.set_selected)
        s = self.session
        s.annotation_added.connect(self.view.annotation_updated)
        s.annotation_changed.connect(self.view.annotation_updated)
        s.annotation_removed.connect(self.view.annotation_removed)
        stack = s.undo_stack
        self.buttons["undo"].clicked.connect(stack.undo)
        self.buttons["redo"].clicked.connect(stack.redo)
        stack.indexChanged.connect(lambda _i: self._update())
        stack.cleanChanged.connect(lambda _c: self._update())
        self._update()

    @property
    def path(self) -> str:
        """Return the second source's file."""
        return self.session.path or ""

    def _update(self) -> None:
        stack = self.session.undo_stack
        if not shiboken6.isValid(stack) or not shiboken6.isValid(self.name_label):
            return  # being destroyed
        name = os.path.basename(self.path) + (" *" if self.session.is_dirty() else "")
        if self.read_only:
            name += " (read-only: open in another window)"
        self.name_label.setText(name)
        self.name_label.setToolTip(self.path)
        self.buttons["undo"].setEnabled(stack.canUndo())
        self.buttons["undo"].setToolTip(f"Undo {stack.undoText()}".strip())
        self.buttons["redo"].setEnabled(stack.canRedo())
        self.buttons["save"].setEnabled(self.session.is_dirty() and not self.read_only)


class CompareController(QObject):
    """Opens, closes and saves the second source, and links passages of the two."""

    def __init__(self, win: MainWindow) -> None:
        super().__init__(win)
        self.win = win
        self.pane: ComparePane | None = None
        self.dialog: LinkDialog | None = None
        self.action = QAction("Compare &with…", win)
        self.action.setObjectName("action_compare")
        self.action.setToolTip("Open a second source beside this one, to link passages of the two")
        self.action.setStatusTip(self.action.toolTip())
        self.action.triggered.connect(lambda _checked=False: self.open_dialog())
        win.addAction(self.action)

    # -- lock owner -----------------------------------------------------------------------------
    def holds(self, path: str) -> bool:
        """Tell whether the second source is ``path``, open here for writing (see :mod:`lock`)."""
        return self.pane is not None and not self.pane.read_only and os.path.realpath(self.pane.path) == path

    def wants_drop(self, event: QDropEvent) -> bool:
        """Tell whether a file dropped on the window opens beside the text: dropped with Shift
        held, or onto the second source."""
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            return True
        pane = self.pane
        if pane is None:
            return False
        return pane.rect().contains(pane.mapFrom(self.win, event.position().toPoint()))

    # -- opening and closing ----------------------------------------------------------------------
    def open_dialog(self) -> bool:
        """Ask for a TEI file and open it beside the document."""
        start = os.path.dirname(self.win.session.path or "") or settings.get("files/last_dir")
        path, _ = QFileDialog.getOpenFileName(self.win, "Compare with", start, "TEI XML (*.xml *.tei);;All files (*)")
        return self.open_path(path) if path else False

    def open_path(self, path: str) -> bool:
        """Open ``path`` as the second source (replacing one open before); False if it cannot be."""
        path = os.path.abspath(path)
        mine = self.win.session.path
        if not self.win.has_document:
            self.win.statusBar().showMessage("Open a document first, then compare it with another.", 6000)
            return False
        if mine and os.path.realpath(mine) == os.path.realpath(path):
            show_error(self.win, tei.TeiError("this is the document itself; choose another source to compare"),
                       f"{os.path.basename(path)} is not opened a second time.")  # fmt: skip
            return False
        try:
            doc = tei.load(path)
        except (tei.TeiError, OSError) as exc:
            show_error(self.win, exc, f"Glossator cannot open {os.path.basename(path)}.")
            return False
        if not self.close():
            return False
        read_only = lock.acquire(path, self) is not None
        pane = self.pane = ComparePane(doc, path, read_only)
        pane.view.extra_summary = self.incoming_hover
        pane.buttons["link"].clicked.connect(lambda: self.link())
        pane.buttons["save"].clicked.connect(lambda: self.save())
        pane.buttons["close"].clicked.connect(lambda: self.close())
        pane.session.notice.connect(lambda text: self.win.statusBar().showMessage(text, 8000))
        splitter = self.win.reading_splitter
        splitter.addWidget(pane)
        half = max(splitter.width() // 2, 1)
        splitter.setSizes([half, half])
        self.win.statusBar().showMessage(
            f"{os.path.basename(path)} is open beside the text: select a passage in each and press "
            "Link… to link them.", 8000)  # fmt: skip
        self.win.evidence.refresh()
        return True

    def close(self) -> bool:
        """Close the second source, asking to save its changes; False if the user cancelled."""
        pane = self.pane
        if pane is None:
            return True
        if pane.session.is_dirty() and not pane.read_only:
            box = QMessageBox(QMessageBox.Icon.Question, "Unsaved changes",
                              f"Save the changes to {os.path.basename(pane.path)}?",
                              QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                              | QMessageBox.StandardButton.Cancel, self.win)  # fmt: skip
            answer = QMessageBox.StandardButton(box.exec())
            if answer == QMessageBox.StandardButton.Save and not self.save():
                return False
            if answer not in (QMessageBox.StandardButton.Save, QMessageBox.StandardButton.Discard):
                return False
        lock.release(pane.path, self)
        self.pane = None
        pane.hide()
        pane.setParent(None)
        pane.deleteLater()
        self.win.evidence.refresh()
        return True

    def save(self) -> bool:
        """Save the second source (atomically, as the first); False after a message if it fails."""
        pane = self.pane
        if pane is None or pane.read_only:
            return False
        try:
            pane.session.save()
        except (tei.TeiError, OSError) as exc:
            show_error(self.win, exc, f"{os.path.basename(pane.path)} was not saved; your changes are still here.")
            return False
        self.win.statusBar().showMessage(f"Saved {pane.path}", 4000)
        self.win.evidence.refresh()  # links to it resolve against the file now
        return True

    # -- what the evidence section asks -----------------------------------------------------------
    def open_docs(self) -> dict[str, TeiDocument]:
        """Return the second source's document by real path (its unsaved changes included)."""
        if self.pane is None:
            return {}
        return {os.path.realpath(self.pane.path): self.pane.session.doc}

    def candidates(self) -> list[tuple[str, str, str]]:
        """Return the annotations a link from the editor may point at: this document's, then the
        second source's."""
        out = annotation_candidates(self.win.session.doc)
        if self.pane is not None and self.win.session.path:
            prefix = relations.passive_uri(self.win.session.path, self.pane.path, "")
            out += annotation_candidates(self.pane.session.doc, prefix)
        return out

    def incoming_hover(self, ann_id: str) -> str:
        """Return the hover text of the links the first document makes to an annotation of the
        second ('' when there are none)."""
        doc, pane, mine = self.win.session.doc, self.pane, self.win.session.path
        if pane is None or not mine:
            return ""
        lines = []
        for rel in relations.relations(doc):
            written, _, frag = rel.passive.partition("#")
            there = os.path.join(os.path.dirname(mine), unquote(written))
            if written and frag == ann_id and os.path.realpath(there) == os.path.realpath(pane.path):
                try:
                    quote = " ".join(doc.annotation(rel.active_id).quote.split())
                except tei.AnnotationError:
                    continue
                lines.append(f"← {html.escape(relations.LABELS.get(rel.name, rel.name))} "
                             f"“{html.escape(quote[:80])}” ({html.escape(os.path.basename(mine))})")  # fmt: skip
        return "<br/><b>Evidence</b><br/>" + "<br/>".join(lines) if lines else ""

    # -- linking ----------------------------------------------------------------------------------
    def link(self) -> LinkDialog | None:
        """Link the passage selected in the first text to the one selected in the second: ask
        the kind of link (the dialog is returned, open; accepting it makes the link)."""
        pane, win = self.pane, self.win
        if pane is None:
            return None
        problem = ""
        here, there = win.view.reading_selection(), pane.view.reading_selection()
        if here is None or there is None:
            problem = ("Select a passage in each text first (mouse, or Shift+arrow keys), then press "
                       "Link….")  # fmt: skip
        elif not win.session.path:
            problem = "Save this document first (File ▸ Save As…): a link names the other file relative to it."
        elif pane.read_only:
            problem = (f"{os.path.basename(pane.path)} is open read-only here (it is open in another window): "
                       "its passage cannot be annotated for the link.")  # fmt: skip
        if problem:
            win.statusBar().showMessage(problem, 8000)
            return None
        assert here is not None and there is not None
        dialog = self.dialog = LinkDialog(win, "Link passages")
        dialog.accepted.connect(lambda: self.make_link(here, there, **dialog.values()))
        dialog.open()
        return dialog

    def make_link(self, here: tuple[int, int, int, int], there: tuple[int, int, int, int], name: str,
                  certainty: str = "unknown", note: str = "") -> str:  # fmt: skip
        """Annotate both passages if needed and record the link in the first document; return
        the link's id ('' after a message if it could not be made)."""
        pane, win = self.pane, self.win
        assert pane is not None
        try:
            other_id = _annotation_on(pane.session, pane.view, there) or pane.session.annotate(
                there, _category(pane.session.doc))
            passive = relations.passive_uri(win.session.path or "", pane.path, other_id)
            stack = win.session.undo_stack
            stack.beginMacro(f"Link to {os.path.basename(pane.path)}")
            try:
                active_id = _annotation_on(win.session, win.view, here) or win.session.annotate(
                    here, _category(win.session.doc))
                cmd = AddRelation(win.session, active_id, passive, name, certainty, note)
                win.session.push(cmd)
            finally:
                stack.endMacro()
        except tei.TeiError as exc:
            show_error(win, exc, "The passages could not be linked.")
            return ""
        pane.view.set_selected(other_id)
        win.select_annotation(active_id)
        win.statusBar().showMessage(f"Linked: {relations.LABELS[name]} a passage of {os.path.basename(pane.path)} "
                                    "— save both documents to keep the link.", 8000)  # fmt: skip
        return cmd.rel_id


def _category(doc: TeiDocument) -> str:
    """Return the category given to a passage annotated for a link: a comment."""
    tax = doc.taxonomy
    return next((c for c in tax.categories if tax.kind_of(c) == "comment"), next(iter(tax.categories)))


def _annotation_on(session: Session, view: DocumentView, sel: tuple[int, int, int, int]) -> str:
    """Return the annotation whose passage is exactly the selection ('' if none)."""
    doc = session.doc
    for aid in view.annotations_under_cursor():
        res = doc.resolve(doc.annotation(aid).target)
        if not res or not all(r.ok for r in res):
            continue
        pieces = doc.text.blocks_between(res[0].start or 0, res[-1].end or 0)
        if pieces and (pieces[0][0], pieces[0][1], pieces[-1][0], pieces[-1][2]) == sel:
            return aid
    return ""

