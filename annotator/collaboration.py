"""Working with others in the window: Review's Accept, the Agreement panel's Keep this reading,
the History panel's Restore, Tools ▸ Undo someone's changes…, and layers (View ▸ Annotators).

:class:`Collaboration` carries out what those panels ask, each action one undoable step through
the session; the main window builds it and wires the panels' request signals to it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QIcon, QPixmap

import tei
from tei import history
from tei.colours import PALETTE

from .errors import show_error
from .history_panel import RollbackDialog

if TYPE_CHECKING:
    from .main_window import MainWindow

log = logging.getLogger(__name__)


def swatch(color: str, size: int = 12) -> QIcon:
    """Return a small square icon of one colour."""
    pm = QPixmap(size, size)
    pm.fill(QColor(color))
    return QIcon(pm)


class Collaboration:
    """The actions of the review, agreement, history and layer controls of one window."""

    def __init__(self, win: MainWindow) -> None:
        self.win = win
        self.session = win.session
        self.view = win.view

    def accept_anchoring(self, ids: list[str]) -> None:
        """Keep annotations placed approximately where they are now (one undo step)."""
        if not ids:
            return
        stack = self.session.undo_stack
        stack.beginMacro(f"Accept {len(ids)} re-anchored annotations" if len(ids) > 1 else
                         f"Accept re-anchored {self.win.describe_annotation(ids[0])}")  # fmt: skip
        try:
            for aid in ids:
                self.session.edit_annotation(aid, "Accept re-anchored passage", lambda a: a.clear_anchoring())
        except tei.TeiError as exc:
            show_error(self.win, exc, "The annotation cannot be accepted.")
        finally:
            stack.endMacro()

    def restore_version(self, ann_id: str, version: object) -> None:
        """Give an annotation the fields of one of its earlier versions (one undo step)."""
        when = getattr(version, "when", "").replace("T", " ").removesuffix("Z")
        try:
            self.session.edit_annotation(ann_id, f"Restore the version of {when}",
                                         lambda a: history.restore(a.element, version))  # type: ignore[arg-type]
        except tei.TeiError as exc:
            show_error(self.win, exc, "That version cannot be restored.")
            return
        self.win.statusBar().showMessage(f"Restored the version of {when} — Ctrl+Z to undo", 8000)

    def undo_someones_changes(self) -> None:
        """Tools ▸ Undo someone's changes…: choose who and since when, see, then undo (one step)."""
        dialog = RollbackDialog(self.session, self.win)
        dialog.accepted.connect(lambda: self._roll_back(dialog.plan, dialog.person.currentText()))
        dialog.open()

    def _roll_back(self, plan: list[history.Rollback], who: str) -> None:
        if not plan:
            return
        stack = self.session.undo_stack
        stack.beginMacro(f"Undo {who}'s changes to {len(plan)} annotation{'s' if len(plan) != 1 else ''}")
        try:
            for step in plan:
                if step.action == "delete":
                    self.session.delete_annotation(step.ann_id)
                elif step.fields:
                    self.session.edit_annotation(step.ann_id, "Undo changes",
                                                 lambda a, st=step: history.apply_rollback(a.element, st))  # fmt: skip
        except tei.TeiError as exc:
            show_error(self.win, exc, "The changes cannot be undone.")
        finally:
            stack.endMacro()
        self.win.statusBar().showMessage(f"Undid {who}'s changes to {len(plan)} annotation(s) — Ctrl+Z to "
                                     "bring them back", 8000)  # fmt: skip

    def fill_layers_menu(self) -> None:
        """List the annotators: show or hide each one's annotations; colour by annotator."""
        m = self.win.layers_menu
        m.clear()
        by = m.addAction("&Colour by annotator")
        by.setObjectName("action_colour_by_annotator")
        by.setCheckable(True)
        by.setChecked(bool(self.view.annotator_colours))
        by.toggled.connect(lambda on: self.set_layers(self.view.hidden_annotators, on))
        m.addSeparator()
        colours = self.annotator_colours()
        for pid, name in self.annotator_names().items():
            act = m.addAction(swatch(colours[pid]), f"Show {name}'s annotations" if pid else
                              "Show anonymous annotations")  # fmt: skip
            act.setObjectName(f"layer_{pid or 'anonymous'}")
            act.setCheckable(True)
            act.setChecked(pid not in self.view.hidden_annotators)
            act.toggled.connect(lambda on, p=pid: self.set_layers(
                self.view.hidden_annotators - {p} if on else self.view.hidden_annotators | {p},
                bool(self.view.annotator_colours)))  # fmt: skip

    def annotator_names(self) -> dict[str, str]:
        """Return person id -> name of everyone who annotated the document ('' = anonymous)."""
        doc = self.session.doc
        people = doc.annotators()
        used = dict.fromkeys(a.annotator for a in doc.annotations() if a.editable)
        return {pid: people.get(pid, "") or pid for pid in sorted(used, key=lambda p: (not p, people.get(p, p)))}

    def annotator_colours(self) -> dict[str, str]:
        return {pid: PALETTE[i % len(PALETTE)] for i, pid in enumerate(self.annotator_names())}

    def set_layers(self, hidden: set[str], by_annotator: bool) -> None:
        """Show only some annotators' annotations; colour passages by annotator or by category."""
        self.view.set_layers(hidden, self.annotator_colours() if by_annotator else {})
        n = len(hidden)
        self.win.statusBar().showMessage(f"The annotations of {n} annotator{'s' if n != 1 else ''} hidden (View ▸ "
                                     "Annotators)" if n else "Every annotator's annotations shown", 5000)  # fmt: skip

    def keep_reading(self, keep: str, drop: str) -> None:
        """Settle a merge's disagreement: keep one reading, delete the other (one undo step)."""
        doc = self.session.doc
        ids = {a.id for a in doc.annotations()}
        stack = self.session.undo_stack
        stack.beginMacro(f"Keep one reading of {self.win.describe_annotation(keep)}")
        try:
            if drop in ids:
                self.session.delete_annotation(drop)

            def settle(a: tei.Annotation) -> None:
                for note in a.element.findall(f"{tei.ns.qn('note')}[@type='disagreement']"):
                    a.element.remove(note)

            self.session.edit_annotation(keep, "Keep this reading", settle)
        except tei.TeiError as exc:
            show_error(self.win, exc, "The reading cannot be kept.")
        finally:
            stack.endMacro()
