"""Edit ▸ Correct text: editorial interventions on the selected text (emend, regularise, mark
unclear, record a gap, supply, correct the transcription), one undoable step each.

The work is done by :mod:`tei.interventions`; here are the undo command, the small dialog that asks
for the new reading, reason and certainty, and the menu actions.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QVBoxLayout,
    QWidget,
)

import tei
from tei import interventions as iv

from .commands import Recorder, SessionCommand
from .errors import show_error

if TYPE_CHECKING:
    from .main_window import MainWindow
    from .session import Session

log = logging.getLogger(__name__)

#: (kind, menu text, what the dialog says it does)
ACTIONS = (
    ("emend", "&Emend…", "Correct an error of the source; its reading is kept (sic/corr) and shown on hover."),
    ("regularise", "&Regularise…", "Give the modern or normal form; the source's spelling is kept (orig/reg)."),
    ("unclear", "Mark &unclear…", "Mark the selected text as hard to read in the source."),
    ("gap", "&Gap…", "Record that text is missing or illegible here (the selection, if any, is taken out)."),
    ("supplied", "&Supplied…", "Mark the selected text, or text you add here, as supplied by the editor."),
    ("correct", "&Correct transcription…", "Fix a transcription or import error: the text itself changes "
                                           "(noted in the header's revision history)."),
)  # fmt: skip
REASONS = {
    "unclear": ["illegible", "faded", "damage", "background noise"],
    "gap": ["illegible", "damage", "omitted", "cancelled"],
    "supplied": ["omitted", "illegible", "damage", "lost"],
}
CERTAINTY = [("", "—"), ("high", "high"), ("medium", "medium"), ("low", "low")]


class Intervene(SessionCommand):
    """One intervention in the text (its label names it, e.g. "Emend 'howl-' → 'war'")."""

    def __init__(self, session: Session, kind: str, block: int, r0: int, r1: int,
                 fields: dict[str, str]) -> None:  # fmt: skip
        super().__init__(session, iv.KINDS.get(kind, kind))
        self.kind, self.block, self.r0, self.r1, self.fields = kind, block, r0, r1, fields
        self.done: iv.Intervention | None = None
        self.rec: Recorder | None = None

    def first(self) -> None:
        rec = Recorder(self.doc)
        try:
            person = self.session.person_id()
            self.done = iv.intervene(self.doc, self.kind, self.block, self.r0, self.r1, resp=person,
                                     when=self.session.clock(), **self.fields)  # fmt: skip
        except BaseException:
            rec.finish().undo()
            raise
        self.rec = rec.finish()
        self.setText(self.done.label)
        self._changed()

    def again(self) -> None:
        assert self.rec is not None and self.done is not None
        self.rec.redo()
        self.done.redo()
        self._changed()

    def undo(self) -> None:
        assert self.rec is not None and self.done is not None
        self.done.undo()
        self.rec.undo()
        self._changed()

    def _changed(self) -> None:
        assert self.done is not None
        blocks_ = self.doc.text.blocks
        top = self.done.block
        while blocks_[top].parent >= 0:
            top = blocks_[top].parent
        blocks = [top]
        while blocks[-1] + 1 < len(blocks_) and blocks_[blocks[-1] + 1].parent == top:  # its notes
            blocks.append(blocks[-1] + 1)
        self.session.text_changed.emit(blocks)
        for ann_id in self.done.changed_annotations:
            self.session.annotation_changed.emit(ann_id)


class InterventionDialog(QDialog):
    """Ask for what an intervention needs: the new reading, a reason, an extent, a certainty."""

    def __init__(self, kind: str, selected: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        title, what = next((t.replace("&", "").rstrip("…"), w) for k, t, w in ACTIONS if k == kind)
        self.setWindowTitle(title)
        self.setObjectName("intervention_dialog")
        lay = QVBoxLayout(self)
        intro = QLabel(what)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        lay.addLayout(form)
        if selected:
            shown = QLabel(f"‘{selected}’")
            shown.setObjectName("intervention_selected")
            shown.setWordWrap(True)
            form.addRow("The text reads:", shown)
        self.text_edit: QLineEdit | None = None
        self.reason_box: QComboBox | None = None
        self.extent_edit: QLineEdit | None = None
        self.cert_box: QComboBox | None = None
        wants_text = kind in ("emend", "regularise", "correct") or (kind == "supplied" and not selected)
        if wants_text:
            self.text_edit = QLineEdit(selected if kind == "correct" else "")
            self.text_edit.setObjectName("intervention_text")
            self.text_edit.selectAll()
            label = {"emend": "Correction:", "regularise": "Regular form:", "correct": "Corrected text:",
                     "supplied": "Text to supply:"}[kind]  # fmt: skip
            form.addRow(label, self.text_edit)
        if kind in REASONS:
            self.reason_box = QComboBox()
            self.reason_box.setObjectName("intervention_reason")
            self.reason_box.setEditable(True)
            self.reason_box.addItems(REASONS[kind])
            form.addRow("Reason:", self.reason_box)
        if kind == "gap":
            self.extent_edit = QLineEdit()
            self.extent_edit.setObjectName("intervention_extent")
            self.extent_edit.setPlaceholderText("e.g. 2 words, 3 lines")
            form.addRow("Extent:", self.extent_edit)
        if kind in ("emend", "regularise"):
            self.cert_box = QComboBox()
            self.cert_box.setObjectName("intervention_cert")
            for value, text in CERTAINTY:
                self.cert_box.addItem(text, value)
            form.addRow("Certainty:", self.cert_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        first = self.text_edit or self.reason_box
        if first is not None:
            first.setFocus()

    def fields(self) -> dict[str, str]:
        """Return the keyword arguments of :func:`tei.interventions.intervene` the user gave."""
        out: dict[str, str] = {}
        if self.text_edit is not None:
            out["text"] = self.text_edit.text()
        if self.reason_box is not None:
            out["reason"] = self.reason_box.currentText()
        if self.extent_edit is not None:
            out["extent"] = self.extent_edit.text()
        if self.cert_box is not None:
            out["cert"] = self.cert_box.currentData() or ""
        return out


def ask(parent: QWidget, kind: str, selected: str) -> dict[str, str] | None:
    """Show the dialog for ``kind``; return the fields, or None when cancelled."""
    dialog = InterventionDialog(kind, selected, parent)
    try:
        return dialog.fields() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()
        parent.window().activateWindow()  # the keys go back to the text at once


class Interventions:
    """The Edit ▸ Correct text submenu and its actions, for one main window."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.actions: dict[str, QAction] = {}
        for kind, text, tip in ACTIONS:
            act = QAction(text, window)
            act.setObjectName(f"action_intervene_{kind}")
            act.setToolTip(tip)
            act.setStatusTip(tip)
            act.triggered.connect(lambda _checked=False, k=kind: self.run(k))
            self.actions[kind] = act
        self.menu = QMenu("Correct &text", window)
        self.menu.setObjectName("correct_text_menu")
        self.menu.addActions(list(self.actions.values()))
        window.session.text_changed.connect(window.view.text_changed)
        window.session.text_changed.connect(window.find_bar.text_changed)

    def run(self, kind: str) -> str:
        """Apply intervention ``kind`` to the selection (or at the caret), asking for details."""
        w = self.window
        view, m = w.view, w.view.map
        if m is None:
            return ""
        cursor = view.textCursor()
        sel = view.reading_selection()
        if sel is None:
            if cursor.hasSelection() or kind not in ("correct", "gap", "supplied"):
                w.statusBar().showMessage("Select the text to change first (mouse, or Shift+arrow keys).", 6000)
                return ""
            b, r = m.qt_to_reading(cursor.position())
            sel = (b, r, b, r)
        b0, r0, b1, r1 = sel
        if b0 != b1:
            w.statusBar().showMessage("An intervention changes text inside one paragraph: select "
                                      "within a single paragraph.", 6000)  # fmt: skip
            return ""
        selected = w.session.doc.text.blocks[b0].reading[r0:r1]
        fields = ask(w, kind, selected)
        if fields is None:
            return ""
        try:
            label = w.session.intervene(kind, sel, **fields)
        except tei.TeiError as exc:
            show_error(w, exc, "The text cannot be changed here.")
            return ""
        w.statusBar().showMessage(f"{label} (Edit ▸ Undo takes it back).", 6000)
        return label


def install(window: MainWindow) -> Interventions:
    """Add Edit ▸ Correct text and the same submenu to the text's context menu."""
    found = Interventions(window)
    edit_menu = window.edit_menu
    before = edit_menu.actions()[edit_menu.actions().index(window.action_find) - 1]  # its separator
    edit_menu.insertMenu(before, found.menu)
    edit_menu.insertSeparator(found.menu.menuAction())
    window.view.correct_menu = found.menu
    return found
