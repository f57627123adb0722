"""The sources panel: the document's bibliography (add, edit, remove) and its footnotes, citable
from the current annotation."""

from __future__ import annotations

import logging

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

import tei
from tei.document import bibl_fields

from .models import CATEGORY_ROLE, ID_ROLE, SORT_ROLE, SourcesModel
from .session import Session

log = logging.getLogger(__name__)
FIELDS = ("author", "title", "date", "place", "publisher", "url", "note")


class SourcesPanel(QWidget):
    """Lists sources; edits ours; emits ``cite_requested`` to cite the selected one."""

    cite_requested = Signal(object)  # a source id, or a footnote element
    note_jump_requested = Signal(int)
    error = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sources_panel")
        self.setAccessibleName("Sources")
        self.session = session
        self.model = SourcesModel(session, self)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        self.tree = QTreeView()
        self.tree.setObjectName("sources_tree")
        self.tree.setAccessibleName("Source list")
        self.tree.setModel(self.model)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setStretchLastSection(False)
        self.tree.selectionModel().selectionChanged.connect(self._selected)
        self.tree.doubleClicked.connect(self._double_clicked)
        self.model.rebuilt.connect(self._expand)
        self.tree.setMinimumHeight(120)  # the dock scrolls the form below when space is short
        lay.addWidget(self.tree, 3)

        form = QFormLayout()
        self.edits: dict[str, QLineEdit] = {}
        for key in FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"source_{key}")
            edit.setAccessibleName(f"Source {key}")
            self.edits[key] = edit
            form.addRow(key.capitalize(), edit)
        lay.addLayout(form)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add")
        self.add_button.setObjectName("source_add")
        self.add_button.setToolTip("Add a new source with these fields")
        self.save_button = QPushButton("Apply")
        self.save_button.setObjectName("source_apply")
        self.save_button.setToolTip("Save the changed fields of the selected source")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setObjectName("source_remove")
        self.cite_button = QPushButton("Cite")
        self.cite_button.setObjectName("source_cite")
        self.cite_button.setToolTip("Cite the selected source or footnote: for the passage selected in the "
                                    "text (a new source link), else in the current annotation")
        for b in (self.add_button, self.save_button, self.remove_button, self.cite_button):
            b.setAccessibleName(b.text() + " source")
            buttons.addWidget(b)
        lay.addLayout(buttons)
        self.add_button.clicked.connect(self.add_from_form)
        self.save_button.clicked.connect(self.apply_form)
        self.remove_button.clicked.connect(self.remove_selected)
        self.cite_button.clicked.connect(self.cite_selected)
        self._expand()
        self._selected()

    def _expand(self) -> None:
        """Open the bibliography; the document's own footnotes stay folded under their count."""
        self.tree.expand(self.model.index(0, 0))
        self.tree.setColumnWidth(0, max(260, self.tree.width() - 170))
        self.tree.setColumnWidth(1, 110)

    def current(self) -> tuple[str, str, int]:
        """Return (id, kind, note block) of the selected entry ('' if none)."""
        idx = self.tree.currentIndex()
        if not idx.isValid() or not self.tree.selectionModel().hasSelection():
            return "", "", -1
        idx = idx.siblingAtColumn(0)
        return idx.data(ID_ROLE) or "", idx.data(CATEGORY_ROLE) or "", idx.data(SORT_ROLE) or -1

    def select_id(self, sid: str) -> bool:
        """Select the entry with this id."""
        for r in range(self.model.rowCount()):
            group = self.model.index(r, 0)
            for c in range(self.model.rowCount(group)):
                idx = self.model.index(c, 0, group)
                if idx.data(ID_ROLE) == sid:
                    self.tree.setCurrentIndex(idx)
                    return True
        return False

    def _selected(self) -> None:
        sid, kind, _ = self.current()
        editable = kind == "source"
        el = self.session.doc.element_by_id(sid) if sid and kind != "note" else None
        fields = bibl_fields(el) if el is not None else dict.fromkeys(FIELDS, "")
        for key, edit in self.edits.items():
            edit.setText(fields.get(key, ""))
            edit.setReadOnly(bool(sid) and not editable)
        self.save_button.setEnabled(editable)
        self.remove_button.setEnabled(editable)
        self.cite_button.setEnabled(bool(kind))

    def _double_clicked(self, idx: QModelIndex) -> None:
        kind = idx.siblingAtColumn(0).data(CATEGORY_ROLE)
        block = idx.siblingAtColumn(0).data(SORT_ROLE)
        if kind == "note" and isinstance(block, int) and block >= 0:
            self.note_jump_requested.emit(block)

    def form_fields(self) -> dict[str, str]:
        """Return the form's values."""
        return {k: e.text().strip() for k, e in self.edits.items()}

    def add_from_form(self) -> str:
        """Add a source from the form (one undo step); return its id."""
        fields = self.form_fields()
        if not fields["author"] and not fields["title"]:
            self.error.emit(tei.AnnotationError("a source needs at least an author or a title"))
            return ""
        try:
            sid = self.session.add_source(fields)
        except tei.TeiError as exc:
            self.error.emit(exc)
            return ""
        if self.select_id(sid):  # shown in the list; the form is empty for the next one
            self.tree.scrollTo(self.tree.currentIndex())
            self.tree.selectionModel().clearSelection()
        for edit in self.edits.values():
            edit.clear()
        return sid

    def apply_form(self) -> None:
        """Save the form into the selected source (one undo step)."""
        sid, kind, _ = self.current()
        if kind != "source":
            return
        try:
            self.session.edit_source(sid, self.form_fields())
        except tei.TeiError as exc:
            self.error.emit(exc)
            return
        self.select_id(sid)

    def remove_selected(self) -> None:
        """Remove the selected source (undoable); refused while annotations cite it."""
        sid, kind, _ = self.current()
        if kind != "source":
            return
        citing = [a for a in self.session.doc.annotations() if sid in a.cited_sources()]
        if citing:
            quotes = ", ".join(f"“{' '.join(a.quote.split())[:40]}”" for a in citing[:3])
            more = f" and {len(citing) - 3} more" if len(citing) > 3 else ""
            self.error.emit(tei.AnnotationError(
                f"This source is cited by {len(citing)} annotation(s): {quotes}{more}. Remove or "
                "change those citations first, so that no annotation points at a missing source."))  # fmt: skip
            return
        try:
            self.session.remove_source(sid)
        except tei.TeiError as exc:
            self.error.emit(exc)

    def cite_selected(self) -> None:
        """Ask to cite the selected source or footnote (the window decides where)."""
        sid, kind, block = self.current()
        if kind == "note":
            self.cite_requested.emit(self.session.doc.text.blocks[block].element)
        elif sid:
            self.cite_requested.emit(sid)
