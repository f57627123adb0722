"""The History panel (every version of the selected annotation, with what each change did and
who made it; "Restore this version") and the dialog of Tools ▸ Undo someone's changes….

Both only show and ask: restoring a version and rolling back someone's changes are request
signals the main window carries out through the session, each one undoable step.
"""

from __future__ import annotations

import html
import logging
import re

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

import tei
from tei import history

from .session import Session

log = logging.getLogger(__name__)

_TAG = re.compile(r"<[^>]+>")


def _readable(value: str | None, width: int = 60) -> str:
    """Return a stored field value as a person reads it (XML tags dropped, shortened)."""
    if value is None:
        return "(none)"
    text = " ".join(html.unescape(_TAG.sub(" ", value)).split())
    if value.startswith("#string-range") or "\n" in value:  # a passage: its quote says it best
        text = " ".join(html.unescape(_TAG.sub(" ", value.partition("\n")[2])).split()) or value.partition("\n")[0]
    text = text.replace("#gl-", "")
    return text if len(text) <= width else text[: width - 1] + "…"


class HistoryPanel(QWidget):
    """Every version of one annotation, the newest first."""

    restore_requested = Signal(str, object)  # annotation id, history.Version

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.ann_id = ""
        self.setObjectName("history_panel")
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("history_table")
        self.table.setAccessibleName("Versions of the annotation")
        self.table.setHorizontalHeaderLabels(["When", "Who", "What changed"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.restore_button = QPushButton("&Restore this version")
        self.restore_button.setObjectName("history_restore")
        self.restore_button.setToolTip("Give the annotation the fields it had in the selected version "
                                       "(one undo step; the restoring is itself remembered)")  # fmt: skip
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.restore_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.versions: list[history.Version] = []
        self.table.itemSelectionChanged.connect(self._update_button)
        self.restore_button.clicked.connect(self._restore)
        session.annotation_changed.connect(self._changed)
        session.annotation_removed.connect(self._changed)
        session.document_replaced.connect(lambda: self.show_annotation(""))
        self.show_annotation("")

    def _changed(self, ann_id: str) -> None:
        if ann_id == self.ann_id:
            self.show_annotation(ann_id)

    def show_annotation(self, ann_id: str) -> None:
        """Show the versions of annotation ``ann_id`` ('' for none)."""
        self.ann_id = ann_id
        self.table.setRowCount(0)
        self.versions = []
        doc = self.session.doc
        try:
            ann = doc.annotation(ann_id) if ann_id else None
        except tei.TeiError:
            ann = None
        if ann is None:
            self.ann_id = ""
            self.title.setText("Select an annotation to see its history.")
            self._update_button()
            return
        names = doc.annotators()
        self.versions = history.versions(ann.element)
        quote = " ".join(ann.quote.split())
        self.title.setText(f"<b>{len(self.versions)} version{'s' if len(self.versions) != 1 else ''}</b> "
                           f"of “{html.escape(quote[:60])}” — the newest first.")  # fmt: skip
        for v in self.versions:
            row = self.table.rowCount()
            self.table.insertRow(row)
            if v.status == "created":
                what = "created"
            elif v.status == "text-changed":  # an editorial intervention corrected the text under it
                what = "the text under it was corrected" + (f" (it read “{_readable(v.note, 40)}”)" if v.note else "")
            elif v.changed:
                what = "; ".join(f"{name}: {_readable(b)} → {_readable(a)}" for name, (b, a) in v.changed.items())
            else:
                what = "changed (which fields was not recorded)"
            who = names.get(v.who, v.who) or "anonymous"
            for col, text in enumerate([v.when.replace("T", " ").removesuffix("Z"), who, what]):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, col, item)
        self._update_button()

    def _update_button(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        v = self.versions[rows[0].row()] if rows else None
        self.restore_button.setEnabled(v is not None and v.index > 0 and v.complete)

    def _restore(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows and self.ann_id:
            self.restore_requested.emit(self.ann_id, self.versions[rows[0].row()])


class RollbackDialog(QDialog):
    """Tools ▸ Undo someone's changes…: choose a person and a date; see what would be undone."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("rollback_dialog")
        self.setWindowTitle("Undo someone's changes")
        self.person = QComboBox()
        self.person.setObjectName("rollback_person")
        for pid, name in sorted(session.doc.annotators().items(), key=lambda p: p[1]):
            self.person.addItem(name or pid, pid)
        self.since = QDateTimeEdit(QDateTime.currentDateTimeUtc().addDays(-7))
        self.since.setObjectName("rollback_since")
        self.since.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.since.setCalendarPopup(True)
        self.preview = QListWidget()
        self.preview.setObjectName("rollback_preview")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Annotator", self.person)
        form.addRow("&Since (UTC)", self.since)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = self.buttons.addButton("&Undo these changes", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setObjectName("rollback_apply")
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.summary)
        lay.addWidget(self.preview, 1)
        lay.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.person.currentIndexChanged.connect(lambda _i: self.refresh())
        self.since.dateTimeChanged.connect(lambda _d: self.refresh())
        self.resize(640, 420)
        self.plan: list[history.Rollback] = []
        self.refresh()

    def since_iso(self) -> str:
        """Return the chosen time as ISO 8601 UTC."""
        dt = self.since.dateTime()
        dt.setTimeZone(QDateTime.currentDateTimeUtc().timeZone())
        return dt.toString("yyyy-MM-ddTHH:mm:00Z")

    def refresh(self) -> None:
        """List what would be undone."""
        pid = self.person.currentData() or ""
        self.plan = history.rollback_plan(self.session.doc, pid, self.since_iso()) if pid else []
        self.preview.clear()
        for step in self.plan:
            quote = " ".join(step.quote.split())[:50]
            if step.action == "delete":
                self.preview.addItem(f"delete “{quote}” (they made it)")
            else:
                back = ", ".join(step.fields) or "nothing"
                kept = f"; kept (changed again later by someone else): {', '.join(step.kept)}" if step.kept else ""
                self.preview.addItem(f"put back {back} of “{quote}”{kept}")
        n = len(self.plan)
        who = self.person.currentText() or "nobody"
        self.summary.setText(f"{n} annotation{'s' if n != 1 else ''} changed by {who} since then. "
                             "Everything is undone in one step (Ctrl+Z brings it back)." if n else
                             f"{who} changed no annotation since then.")  # fmt: skip
        self.apply_button.setEnabled(bool(n))
