"""The annotations panel: filters, the list in reading order, and how many rows the filter shows."""

from __future__ import annotations

import logging

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from .models import AnnotationFilterModel, AnnotationTableModel
from .session import Session
from .taxonomy_editor import swatch

log = logging.getLogger(__name__)


class AnnotationListPanel(QWidget):
    """Filter fields over a table of annotations; says "12 of 40 shown" while a filter hides rows."""

    #: A line for the status bar (e.g. a new annotation the filter hides).
    message = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.table_model = AnnotationTableModel(session, self)
        self.filter_model = AnnotationFilterModel(self)
        self.filter_model.setSourceModel(self.table_model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 2)
        layout.setSpacing(3)
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("annotation_filter_text")
        self.filter_edit.setAccessibleName("Filter annotations by text")
        self.filter_edit.setPlaceholderText("Filter…")
        self.filter_edit.setToolTip("Shows annotations whose passage, note, category, technique, "
                                    "cited sources or alternative values contain this text")  # fmt: skip
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_category = self._combo("annotation_filter_category", "Filter by category")
        self.filter_annotator = self._combo("annotation_filter_annotator", "Filter by annotator")
        self.filter_certainty = self._combo("annotation_filter_certainty", "Filter by certainty")
        self.filter_certainty.addItem("Any certainty", "")
        for c in ("high", "medium", "low", "unknown"):
            self.filter_certainty.addItem(c, c)
        filters = QHBoxLayout()
        filters.addWidget(self.filter_edit, 2)
        for combo in (self.filter_category, self.filter_annotator, self.filter_certainty):
            filters.addWidget(combo, 1)
        layout.addLayout(filters)
        self.table = self._build_table()
        layout.addWidget(self.table)
        self.count_label = QLabel()
        self.count_label.setObjectName("annotation_count")
        self.count_label.setAccessibleName("Annotations shown")
        self.count_label.setStyleSheet("color:#6b6353;")
        layout.addWidget(self.count_label)

        self.filter_edit.textChanged.connect(lambda t: self.set_filter(text=t))
        self.filter_category.currentIndexChanged.connect(self._category_filter_changed)
        self.filter_annotator.currentIndexChanged.connect(
            lambda: self.set_filter(annotator=self.filter_annotator.currentData() or ""))
        self.filter_certainty.currentIndexChanged.connect(
            lambda: self.set_filter(certainty=self.filter_certainty.currentData() or ""))
        for model in (self.table_model, self.filter_model):  # the list may change while hidden
            for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset, model.layoutChanged):
                signal.connect(self._update_count)
        session.annotation_added.connect(self._announce_if_hidden)
        session.taxonomy_changed.connect(self.fill_filters)
        session.document_replaced.connect(self.fill_filters)
        self.fill_filters()
        self._update_count()

    def _combo(self, name: str, accessible: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        return combo

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setObjectName("annotation_list")
        table.setAccessibleName("Annotations")
        table.setModel(self.filter_model)
        table.setSortingEnabled(True)
        table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the model's own order: reading order
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)  # the whole note is in the tooltip
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(24)
        table.setMinimumHeight(2 * 24)  # the panel may shrink while a large annotation is edited
        hh = table.horizontalHeader()
        page = AnnotationTableModel.PAGE_COLUMN
        hh.moveSection(hh.visualIndex(page), 0)  # the page comes first, as in a printed index
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for c, w in ((page, 40), (0, 130), (1, 100), (3, 80), (4, 58), (5, 110)):
            table.setColumnWidth(c, w)
        table.setColumnHidden(5, True)
        return table

    # -- filters ------------------------------------------------------------------------------
    def fill_filters(self) -> None:
        """List the document's top-level categories and its annotators in the filter boxes."""
        combo = self.filter_category
        combo.blockSignals(True)
        keep = combo.currentData()
        combo.clear()
        combo.addItem("All categories", "")
        for cat in self.session.doc.taxonomy.top_level():
            combo.addItem(swatch(cat.color), cat.label, cat.id)
        combo.setCurrentIndex(max(0, combo.findData(keep)))
        combo.blockSignals(False)
        self.fill_annotator_filter()

    def fill_annotator_filter(self) -> None:
        """List the annotators of the document (kept selection if still there)."""
        combo = self.filter_annotator
        combo.blockSignals(True)
        keep = combo.currentData()
        combo.clear()
        combo.addItem("Any annotator", "")
        names = sorted({r.annotator for r in self.table_model.rows if r.annotator})
        for name in names:
            combo.addItem(name, name)
        combo.setCurrentIndex(max(0, combo.findData(keep)))
        combo.blockSignals(False)
        self.table.setColumnHidden(3, len(names) < 2)  # one annotator: give the note the room

    def set_filter(self, **criteria: object) -> None:
        """Change some filter criteria (see :meth:`AnnotationFilterModel.set_filter`)."""
        self.filter_model.set_filter(**criteria)  # type: ignore[arg-type]
        self._update_count()

    def _category_filter_changed(self) -> None:
        cat = self.filter_category.currentData()
        self.set_filter(categories={cat} if cat else None)

    def filtering(self) -> bool:
        """Tell whether any filter is set."""
        return bool(self.filter_model.text or self.filter_model.annotator or self.filter_model.certainty
                    or self.filter_model.categories is not None)  # fmt: skip

    def _update_count(self, *_args: object) -> None:
        total = self.table_model.rowCount()
        shown = self.filter_model.rowCount()
        noun = "annotation" if total == 1 else "annotations"
        text = f"{shown} of {total} {noun} shown" if self.filtering() and shown != total else f"{total} {noun}"
        self.count_label.setText(text)

    def _announce_if_hidden(self, ann_id: str) -> None:
        row = self.table_model.row_of(ann_id)
        if row < 0 or self.filter_model.mapFromSource(self.table_model.index(row, 0)).isValid():
            return
        r = self.table_model.rows[row]
        quote = r.quote if len(r.quote) <= 40 else r.quote[:39] + "…"
        self.message.emit(f"The new {r.category_label.lower()} on “{quote}” is hidden by the list's "
                          "filter; clear the filter to see it.")  # fmt: skip

    def index_of(self, ann_id: str) -> QModelIndex:
        """Return the list index showing ``ann_id`` (invalid when filtered out or unknown)."""
        row = self.table_model.row_of(ann_id)
        if row < 0:
            return QModelIndex()
        return self.filter_model.mapFromSource(self.table_model.index(row, 0))
