"""The Evidence matrix panel: claims down, sources across (``tei.matrix``), sortable and
filterable; a click on a cell asks to show the evidence, "Mark as claim" marks the current
annotation and a double click on a claim words it (each one undo step through the session)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

import tei
from tei.matrix import VERDICTS, Matrix, build_matrix

from .session import Session
from .whole_document_panel import WholeDocumentPanel

log = logging.getLogger(__name__)

_Index = QModelIndex | QPersistentModelIndex
#: the annotation a cell's evidence is recorded in (a click shows it)
JUMP_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
#: a light tint per verdict (the cell also says it in words)
TINTS = {"corroborates": "#dcefd9", "contradicts": "#f6d9d4", "other value": "#f7ebcf",
         "qualifies": "#dde6f3"}  # fmt: skip
SILENT_COLOR = "#8a8170"


class MatrixModel(QAbstractTableModel):
    """Read-only adapter over a :class:`tei.matrix.Matrix`: column 0 the claim, then one column
    per source."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.matrix = Matrix([], [])

    def set_matrix(self, matrix: Matrix) -> None:
        """Show another matrix (a model reset)."""
        self.beginResetModel()
        self.matrix = matrix
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt override
        return 0 if parent.isValid() else len(self.matrix.claims)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt override
        return 0 if parent.isValid() else 1 + len(self.matrix.sources)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:  # fmt: skip
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return "Claim" if section == 0 else self.matrix.headers()[section - 1]
        if role == Qt.ItemDataRole.ToolTipRole:
            return ("The contested figures and the annotations marked as claims" if section == 0
                    else self.matrix.sources[section - 1].citation)  # fmt: skip
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not (0 <= index.row() < self.rowCount() and 0 <= index.column() < self.columnCount()):
            return None
        m = self.matrix
        claim = m.claims[index.row()]
        if index.column() == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return m.claim_label(claim)
            if role == Qt.ItemDataRole.ToolTipRole:
                lines = [claim.text, f"{claim.category} · passage: “{claim.quote}”"]
                lines += [f"stated: {claim.stated}"] if claim.stated else []
                return "\n".join(lines + ["Double-click to word the claim"])
            if role == JUMP_ROLE:
                return claim.id
            if role == SORT_ROLE:
                return m.claim_label(claim).lower()
            return None
        source = m.sources[index.column() - 1]
        evidence = m.cell(claim, source.id)
        if role == Qt.ItemDataRole.DisplayRole:
            return m.cell_text(claim, source.id)
        if role == Qt.ItemDataRole.ToolTipRole:
            if not evidence:
                return f"{source.label} says nothing recorded about this claim"
            return "\n".join(e.label() + (f" — {e.note}" if e.note else "") for e in evidence)
        if role == Qt.ItemDataRole.ForegroundRole and not evidence:
            return QColor(SILENT_COLOR)
        if role == Qt.ItemDataRole.BackgroundRole and evidence:
            return QColor(TINTS[evidence[0].verdict])
        if role == JUMP_ROLE:
            return evidence[0].annotation if evidence else claim.id
        if role == SORT_ROLE:  # by verdict, then value; silent last
            rank = VERDICTS.index(evidence[0].verdict) if evidence else len(VERDICTS)
            return f"{rank}{m.cell_text(claim, source.id).lower()}"
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class MatrixFilterModel(QSortFilterProxyModel):
    """Sorts by :data:`SORT_ROLE` and keeps the rows where any cell contains the filter text."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)


class MatrixPanel(WholeDocumentPanel):
    """The filter field, "Mark as claim", the table and a count ("4 claims × 3 sources")."""

    #: an annotation to show (the evidence of a clicked cell)
    evidence_requested = Signal(str)
    #: a line for the status bar
    message = Signal(str)
    error = Signal(object)

    def __init__(self, session: Session, current: Callable[[], str],
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("matrix_panel")
        self.setAccessibleName("Evidence matrix")
        self.session = session
        self.current = current
        self.model = MatrixModel(self)
        self._sized = False
        self.proxy = MatrixFilterModel(self)
        self.proxy.setSourceModel(self.model)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)  # a burst of changes (typing a note) rebuilds once
        self._timer.timeout.connect(self.refresh)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 2)
        lay.setSpacing(3)
        top = QHBoxLayout()
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("matrix_filter")
        self.filter_edit.setAccessibleName("Filter claims")
        self.filter_edit.setPlaceholderText("Filter claims…")
        self.filter_edit.setToolTip("Shows the claims whose passage, value or any cell contains this text")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter)
        top.addWidget(self.filter_edit, 1)
        self.mark_action = QAction("Mark as &Claim", self)
        self.mark_action.setObjectName("action_mark_claim")
        self.mark_action.setCheckable(True)
        self.mark_action.setToolTip("Make the current annotation a row of the evidence matrix "
                                    "(contested figures always are)")  # fmt: skip
        self.mark_action.triggered.connect(self.toggle_claim)
        self.mark_button = QToolButton()
        self.mark_button.setObjectName("matrix_mark_claim")
        self.mark_button.setDefaultAction(self.mark_action)
        top.addWidget(self.mark_button)
        lay.addLayout(top)
        self.table = QTableView()
        self.table.setObjectName("matrix_table")
        self.table.setAccessibleName("Claims and sources")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the model's order: reading order
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setDefaultSectionSize(190)
        self.table.horizontalHeader().setMinimumSectionSize(60)
        self.table.clicked.connect(self._clicked)
        self.table.activated.connect(self._clicked)  # Enter on a cell
        self.table.doubleClicked.connect(self._double_clicked)
        lay.addWidget(self.table, 1)
        self.count_label = QLabel()
        self.count_label.setObjectName("matrix_count")
        self.count_label.setAccessibleName("Claims shown")
        self.count_label.setStyleSheet(f"color:{SILENT_COLOR};")
        lay.addWidget(self.count_label)

        s = session
        for signal in (s.annotation_added, s.annotation_changed, s.annotation_removed):
            signal.connect(self.schedule)
        for signal in (s.sources_changed, s.taxonomy_changed, s.document_replaced):
            signal.connect(self.schedule)
        s.undo_stack.indexChanged.connect(self.schedule)  # evidence relations, and any other step
        self.sync_action()

    # -- refreshing ----------------------------------------------------------------------------
    def schedule(self, *_args: object) -> None:
        """Rebuild the matrix soon (once for a burst of changes; when shown, not while hidden)."""
        self.mark_stale()
        if shiboken6.isValid(self):  # a signal of the session may outlive the window
            self.sync_action()

    def refresh_soon(self) -> None:
        """Rebuild in 0.2 s: a burst of changes (typing a note) rebuilds once."""
        self._timer.start()

    def refresh(self) -> None:
        """Rebuild the matrix from the document now."""
        self.stale = False
        try:
            matrix = build_matrix(self.session.doc)
        except tei.TeiError as exc:  # a document the matrix cannot read: say so, keep the old one
            log.warning("evidence matrix not rebuilt: %s", exc)
            self.error.emit(exc)
            return
        widths = {self.model.headerData(c, Qt.Orientation.Horizontal): self.table.columnWidth(c)
                  for c in range(self.model.columnCount())}  # fmt: skip
        self.model.set_matrix(matrix)
        if not self._sized:  # the first time: room for the claims
            widths["Claim"], self._sized = 320, True
        for c in range(self.model.columnCount()):  # a column keeps the width the user gave it
            width = widths.get(self.model.headerData(c, Qt.Orientation.Horizontal))
            if width:
                self.table.setColumnWidth(c, width)
        self.table.resizeRowsToContents()
        self._update_count()

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self._update_count()

    def _update_count(self) -> None:
        m = self.model.matrix
        shown, total = self.proxy.rowCount(), len(m.claims)
        claims = f"{total} claim{'s' if total != 1 else ''}"
        if shown != total:
            claims = f"{shown} of {claims} shown"
        sources = f"{len(m.sources)} source{'s' if len(m.sources) != 1 else ''}"
        self.count_label.setText(f"{claims} × {sources}" if total else
                                 "No claims yet: contested figures and the annotations marked as "
                                 "claims appear here.")  # fmt: skip

    # -- actions -------------------------------------------------------------------------------
    def _clicked(self, index: QModelIndex) -> None:
        ann_id = index.data(JUMP_ROLE) if index.isValid() else ""
        if ann_id:
            self.evidence_requested.emit(ann_id)

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.isValid() and index.column() == 0:
            self.word_claim(index.data(JUMP_ROLE))

    def word_claim(self, ann_id: str) -> None:
        """Ask for the claim's wording (empty: the passage itself) and store it (one undo step)."""
        try:
            ann = self.session.doc.annotation(ann_id)
        except tei.TeiError as exc:
            self.error.emit(exc)
            return
        if not ann.editable:
            self.message.emit("This annotation belongs to another tool and cannot be changed.")
            return
        old = ann.claim or ""
        text, ok = QInputDialog.getText(self, "Word the claim", "The claim as you would state it "
                                        "(empty: the passage itself):", text=old)  # fmt: skip
        text = " ".join(text.split())
        if not ok or (text == old and ann.claim is not None):
            return

        def change(a: tei.Annotation) -> None:
            a.claim = text

        try:
            self.session.edit_annotation(ann_id, "Word claim", change)
        except tei.TeiError as exc:
            self.error.emit(exc)

    def _current(self) -> tei.Annotation | None:
        ann_id = self.current()
        if not ann_id:
            return None
        try:
            return self.session.doc.annotation(ann_id)
        except tei.TeiError:
            return None

    def sync_action(self, *_args: object) -> None:
        """Show whether the current annotation is marked as a claim (and whether it can be)."""
        if not shiboken6.isValid(self.mark_action):  # the window is being destroyed
            return
        ann = self._current()
        figure = ann is not None and ann.kind == "figure"
        self.mark_action.setEnabled(ann is not None and ann.editable and not figure)
        self.mark_action.setChecked(ann is not None and (figure or ann.claim is not None))

    def toggle_claim(self, _checked: bool = False) -> None:
        """Mark the current annotation as a claim, or unmark it (one undo step)."""
        ann = self._current()
        if ann is None:
            self.message.emit("Select an annotation first: it becomes a claim of the evidence matrix.")
            self.sync_action()
            return
        if ann.kind == "figure":
            self.message.emit("A contested figure is always a claim of the evidence matrix.")
            self.sync_action()
            return
        mark = ann.claim is None

        def change(a: tei.Annotation) -> None:
            a.claim = "" if mark else None

        try:
            self.session.edit_annotation(ann.id, "Mark as claim" if mark else "Unmark claim", change)
        except tei.TeiError as exc:
            self.error.emit(exc)
        self.sync_action()
        self.message.emit("The annotation is a claim of the evidence matrix." if mark else
                          "The annotation is no longer a claim of the evidence matrix.")  # fmt: skip
