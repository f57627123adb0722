"""The Agreement panel: how far two annotators of the document agree (per category: precision,
recall, F1 and Krippendorff's alpha; see ``tei.agreement``), the passages they treated
differently, and the readings a git merge kept side by side for a decision.

The panel only shows and asks: going to a passage and keeping one reading are request signals the
main window carries out through the session (keeping a reading is one undoable step).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

import tei
from tei import agreement
from tei.merge import DISAGREEMENT

from .session import Session
from .whole_document_panel import WholeDocumentPanel

log = logging.getLogger(__name__)

_ID = Qt.ItemDataRole.UserRole


def _num(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def _table(name: str, headers: list[str], accessible: str) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setAccessibleName(accessible)
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setAlternatingRowColors(True)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


class AgreementPanel(WholeDocumentPanel):
    """Two annotators compared, and the two-reading pairs a merge left."""

    show_requested = Signal(str)  # annotation id
    keep_requested = Signal(str, str)  # keep this annotation id, drop that one

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("agreement_panel")
        self.first = QComboBox()
        self.first.setObjectName("agreement_first")
        self.first.setAccessibleName("Reference annotator")
        self.second = QComboBox()
        self.second.setObjectName("agreement_second")
        self.second.setAccessibleName("Compared annotator")
        pick = QHBoxLayout()
        pick.addWidget(QLabel("Compare"))
        pick.addWidget(self.first, 1)
        pick.addWidget(QLabel("with"))
        pick.addWidget(self.second, 1)
        self.summary = QLabel()
        self.summary.setObjectName("agreement_summary")
        self.summary.setWordWrap(True)
        self.scores = _table("agreement_scores", ["Category", "First", "Second", "Matched", "Precision",
                                                  "Recall", "F1", "Alpha"], "Agreement per category")  # fmt: skip
        self.differences = _table("agreement_differences", ["Passage", "Difference", "First", "Second"],
                                  "Passages the two annotators treated differently")  # fmt: skip
        self.readings = _table("agreement_readings", ["Passage", "Changed", "This reading", "Other reading"],
                               "Readings a merge kept side by side")  # fmt: skip
        self.keep_button = QPushButton("&Keep this reading")
        self.keep_button.setObjectName("agreement_keep")
        self.keep_button.setToolTip("Keep the selected reading and delete the other one (undoable)")
        self.readings_label = QLabel()
        self.readings_label.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("agreement_tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.scores, "Per category")
        differences = QWidget()
        dl = QVBoxLayout(differences)
        dl.setContentsMargins(0, 4, 0, 0)
        dl.addWidget(QLabel("Passages the two treated differently (double-click to go there)"))
        dl.addWidget(self.differences)
        self.tabs.addTab(differences, "Differences")
        readings = QWidget()
        rl = QVBoxLayout(readings)
        rl.setContentsMargins(0, 4, 0, 0)
        rl.addWidget(self.readings_label)
        rl.addWidget(self.readings)
        keep_row = QHBoxLayout()
        keep_row.addWidget(self.keep_button)
        keep_row.addStretch(1)
        rl.addLayout(keep_row)
        self.tabs.addTab(readings, "Merged readings")
        lay = QVBoxLayout(self)
        lay.addLayout(pick)
        lay.addWidget(self.summary)
        lay.addWidget(self.tabs, 1)
        self.first.currentIndexChanged.connect(lambda _i: self.compare())
        self.second.currentIndexChanged.connect(lambda _i: self.compare())
        self.differences.itemDoubleClicked.connect(lambda item: self._go(self.differences, item.row()))
        self.readings.itemDoubleClicked.connect(lambda item: self._go(self.readings, item.row()))
        self.readings.itemSelectionChanged.connect(self._update_keep)
        self.keep_button.clicked.connect(self._keep)
        session.document_replaced.connect(self.mark_stale)
        session.annotation_added.connect(self.mark_stale)
        session.annotation_changed.connect(self.mark_stale)
        session.annotation_removed.connect(self.mark_stale)

    # -- refreshing (only when shown: agreement reads the whole document) -----------------------
    def refresh(self) -> None:
        """Read the annotators and the merge readings again, and compare."""
        self.stale = False
        people = agreement.annotators(self.session.doc)
        for combo, default in ((self.first, 0), (self.second, 1)):
            current = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(people)
            at = combo.findText(current)
            combo.setCurrentIndex(at if at >= 0 else min(default, len(people) - 1))
            combo.blockSignals(False)
        self.compare()
        self._fill_readings()

    def compare(self) -> None:
        """Compare the two annotators chosen."""
        a, b = self.first.currentText(), self.second.currentText()
        self.scores.setRowCount(0)
        self.differences.setRowCount(0)
        if not a or not b or a == b:
            n = self.first.count()
            self.summary.setText("Agreement needs two annotators: this document has "
                                 f"{n} with annotations." if n < 2 else "Choose two different annotators.")  # fmt: skip
            return
        result = agreement.compare(self.session.doc, a, b)
        self.summary.setText(f"{result.units} passage(s) annotated by {a} or {b}. Krippendorff's alpha "
                             f"(categories): {_num(result.alpha)}. {a} is the reference: precision is "
                             f"the share of {b}'s annotations matching one of {a}'s.")  # fmt: skip
        for c in result.categories:
            self._row(self.scores, [c.label, str(c.reference), str(c.other), str(c.matched),
                                    _num(c.precision), _num(c.recall), _num(c.f1), _num(c.alpha)])  # fmt: skip
        for d in result.disagreements:
            self._row(self.differences, [d.quote, d.what, d.first, d.second], d.ann_id)

    def _fill_readings(self) -> None:
        self.readings.setRowCount(0)
        doc = self.session.doc
        pairs = 0
        for ann in doc.annotations():
            note = ann.element.find(f"{tei.ns.qn('note')}[@type='{DISAGREEMENT}']")
            if note is None:
                continue
            other_id = (note.get("corresp") or "").lstrip("#")
            try:
                other = doc.annotation(other_id)
            except tei.TeiError:
                other = None
            pairs += 1
            changed = (note.text or "").rpartition("changed ")[2].removesuffix(" differently")
            self._row(self.readings, [" ".join(ann.quote.split())[:60], changed, _reading(doc, ann),
                                      _reading(doc, other) if other is not None else "(gone)"],
                      ann.id, other_id)  # fmt: skip
        n = pairs // 2 or pairs
        self.readings_label.setText(
            f"{n} annotation{'s' if n != 1 else ''} changed differently in two versions merged by "
            "git: both readings are kept. Select the one to keep (double-click to go there)."
            if pairs else "No readings left side by side by a merge.")  # fmt: skip
        self.tabs.setTabText(2, f"Merged readings ({n})" if pairs else "Merged readings")
        self.tabs.setTabText(1, f"Differences ({self.differences.rowCount()})")
        self._update_keep()

    @staticmethod
    def _row(table: QTableWidget, values: list[str], ann_id: str = "", other: str = "") -> None:
        sorting = table.isSortingEnabled()
        table.setSortingEnabled(False)
        row = table.rowCount()
        table.insertRow(row)
        for col, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setToolTip(value)
            item.setData(_ID, (ann_id, other))
            table.setItem(row, col, item)
        table.setSortingEnabled(sorting)

    def _go(self, table: QTableWidget, row: int) -> None:
        item = table.item(row, 0)
        if item is not None and item.data(_ID)[0]:
            self.show_requested.emit(item.data(_ID)[0])

    def _update_keep(self) -> None:
        self.keep_button.setEnabled(bool(self.readings.selectedItems()))

    def _keep(self) -> None:
        items = self.readings.selectedItems()
        if items:
            keep, drop = items[0].data(_ID)
            self.keep_requested.emit(keep, drop)


def _reading(doc: tei.TeiDocument, ann: tei.Annotation) -> str:
    """Return what one reading says: annotator, category, certainty and note."""
    who = doc.annotators().get(ann.annotator, "") or ann.annotator_name or "anonymous"
    label = doc.taxonomy.label(ann.category) if ann.category in doc.taxonomy.categories else ann.category
    note = " ".join(" ".join(ann.note).split())
    return f"{who}: {label}, {ann.certainty}" + (f" — {note[:80]}" if note else "")
