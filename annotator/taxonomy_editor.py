"""The taxonomy editor: add, rename, recolour and re-shortcut categories (stored in the file)."""

from __future__ import annotations

import logging
import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

import tei
from tei.taxonomy import set_category_fields

from .session import Session

log = logging.getLogger(__name__)


def swatch(color: str) -> QIcon:
    """Return a small colour swatch icon."""
    pm = QPixmap(14, 14)
    pm.fill(QColor(color))
    return QIcon(pm)


class TaxonomyEditor(QWidget):
    """Edits the document's categories through the session (each change one undo step)."""

    error = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("taxonomy_editor")
        self.setAccessibleName("Taxonomy editor")
        self.session = session
        self._color = ""
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        self.tree = QTreeWidget()
        self.tree.setObjectName("taxonomy_tree")
        self.tree.setAccessibleName("Categories")
        self.tree.setHeaderLabels(["Category", "Key", "Id"])
        self.tree.setColumnWidth(0, 200)
        self.tree.setColumnWidth(1, 40)
        self.tree.currentItemChanged.connect(self._selected)
        lay.addWidget(self.tree, 3)
        form = QFormLayout()
        self.label_edit = QLineEdit()
        self.label_edit.setObjectName("category_label")
        self.label_edit.setAccessibleName("Category label")
        form.addRow("Label", self.label_edit)
        self.shortcut_edit = QLineEdit()
        self.shortcut_edit.setObjectName("category_shortcut")
        self.shortcut_edit.setAccessibleName("Category shortcut key")
        self.shortcut_edit.setMaxLength(1)
        self.shortcut_edit.setToolTip("One letter or digit; pressed in the text it annotates the selection")
        form.addRow("Key", self.shortcut_edit)
        self.color_button = QPushButton("Colour…")
        self.color_button.setObjectName("category_color")
        self.color_button.setAccessibleName("Category colour")
        self.color_button.clicked.connect(self._pick_color)
        form.addRow("Colour", self.color_button)
        self.parent_combo = QComboBox()
        self.parent_combo.setObjectName("category_parent")
        self.parent_combo.setAccessibleName("Parent category for new categories")
        form.addRow("New under", self.parent_combo)
        lay.addLayout(form)
        row = QHBoxLayout()
        self.apply_button = QPushButton("Apply")
        self.apply_button.setObjectName("category_apply")
        self.apply_button.clicked.connect(self.apply)
        self.add_button = QPushButton("Add category")
        self.add_button.setObjectName("category_add")
        self.add_button.clicked.connect(self.add_from_form)
        for b in (self.apply_button, self.add_button):
            b.setAccessibleName(b.text())
            row.addWidget(b)
        lay.addLayout(row)
        session.taxonomy_changed.connect(self.reload)
        session.document_replaced.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        """Refill the tree from the document's taxonomy."""
        current = self.current_id()
        self.tree.clear()
        self.parent_combo.clear()
        self.parent_combo.addItem("(top level)", "")
        items: dict[str, QTreeWidgetItem] = {}
        for cat in self.session.doc.taxonomy.categories.values():
            parent = items.get(cat.parent)
            item = QTreeWidgetItem([cat.label, cat.shortcut, cat.id])
            item.setIcon(0, swatch(cat.color))
            item.setData(0, Qt.ItemDataRole.UserRole, cat.id)
            if parent is None:
                self.tree.addTopLevelItem(item)
            else:
                parent.addChild(item)
            items[cat.id] = item
            if not cat.parent:
                self.parent_combo.addItem(cat.label, cat.id)
        self.tree.expandAll()
        if current in items:
            self.tree.setCurrentItem(items[current])

    def current_id(self) -> str:
        """Return the selected category id ('' if none)."""
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else ""

    def select(self, cat_id: str) -> None:
        """Select a category in the tree."""
        for item in self.tree.findItems(cat_id, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive, 2):
            self.tree.setCurrentItem(item)

    def _selected(self) -> None:
        cid = self.current_id()
        cat = self.session.doc.taxonomy.categories.get(cid)
        self.label_edit.setText(cat.label if cat else "")
        self.shortcut_edit.setText(cat.shortcut if cat else "")
        self._color = cat.color if cat else ""
        self.color_button.setIcon(swatch(self._color) if self._color else QIcon())
        self.color_button.setText(self._color or "Colour…")

    def _pick_color(self) -> None:
        color = QColorDialog.getColor(QColor(self._color or "#cccccc"), self, "Category colour")
        if color.isValid():
            self.set_color(color.name())

    def set_color(self, color: str) -> None:
        """Set the colour in the form (applied with Apply)."""
        self._color = color
        self.color_button.setIcon(swatch(color))
        self.color_button.setText(color)

    def _key_taken(self, key: str, cid: str = "") -> bool:
        """Report (through ``error``) whether another category already uses ``key``."""
        for other in self.session.doc.taxonomy.categories.values():
            if key and other.id != cid and other.shortcut.upper() == key:
                self.error.emit(tei.TaxonomyError(
                    f"The key {key} already annotates as “{other.label}”; choose another key or "
                    "clear that category's key first."))  # fmt: skip
                return True
        return False

    def apply(self) -> None:
        """Rename, recolour and re-shortcut the selected category (one undo step)."""
        cid = self.current_id()
        if not cid:
            return
        label = self.label_edit.text().strip()
        key = self.shortcut_edit.text().strip().upper()
        color = self._color
        if self._key_taken(key, cid):
            return

        def change(_tax: object) -> None:
            el = self.session.doc.taxonomy.find(cid)
            set_category_fields(el, label=label or None, color=color or None, shortcut=key)

        self._push(f"Edit category {label or cid}", change)

    def add_from_form(self) -> str:
        """Add a category with the form's label, key and colour (one undo step); return its id."""
        label = self.label_edit.text().strip()
        if not label:
            self.error.emit(tei.AnnotationError("a category needs a label"))
            return ""
        parent_id = self.parent_combo.currentData() or ""
        doc = self.session.doc
        stem = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "category"
        base = f"{parent_id}-{stem}" if parent_id else f"gl-user-{stem}"
        cid, n = base, 2
        while cid in doc.taxonomy.categories or doc.element_by_id(cid) is not None:
            cid, n = f"{base}-{n}", n + 1
        key = self.shortcut_edit.text().strip().upper()
        color = self._color
        if self._key_taken(key):
            return ""

        def change(tax: object) -> None:
            el = doc.taxonomy.new_category_element(cid, label, color, key)
            parent = doc.taxonomy.find(parent_id) if parent_id else tax
            parent.append(el)  # type: ignore[attr-defined]

        if self._push(f"Add category {label}", change):
            self.select(cid)
            return cid
        return ""

    def _push(self, text: str, change) -> bool:  # noqa: ANN001
        try:
            self.session.edit_taxonomy(text, change)
        except tei.TeiError as exc:
            self.error.emit(exc)
            return False
        return True
