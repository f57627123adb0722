"""The taxonomy editor: add, rename, recolour, re-shortcut, move and delete categories (stored in
the file), and carry a taxonomy between documents (export, import, the user's default)."""

from __future__ import annotations

import copy
import logging
import os
import re
from dataclasses import dataclass

from lxml import etree
from PySide6.QtCore import QByteArray, QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QDropEvent, QIcon, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

import tei
from tei import ns
from tei.document import TeiDocument
from tei.taxonomy import (
    UNDERLINES,
    category_elements,
    export_taxonomy,
    merge_taxonomy,
    move_category,
    read_taxonomy,
    recategorize,
    remove_category,
    set_category_fields,
)

from . import settings
from .session import Session

log = logging.getLogger(__name__)
_ID = Qt.ItemDataRole.UserRole


_UNDERLINE_NAMES = {"solid": "Solid line", "dotted": "Dotted", "dashed": "Dashed", "dash-dot": "Dash-dot",
                    "dash-dot-dot": "Dash-dot-dot", "wavy": "Wavy", "none": "None"}  # fmt: skip


def swatch(color: str) -> QIcon:
    """Return a small colour swatch icon."""
    pm = QPixmap(14, 14)
    pm.fill(QColor(color))
    return QIcon(pm)


def adopt_user_default(doc: TeiDocument) -> str:
    """Let a document without categories of its own start from the user's default taxonomy;
    return why that file could not be used ('' if it was, or none is set)."""
    path = settings.get("taxonomy/default").strip()
    if not path or doc.taxonomy.element() is not None:
        return ""
    try:
        doc.taxonomy.use_default(read_taxonomy(path))
    except tei.TeiError as exc:  # the built-in taxonomy stays
        log.warning("default taxonomy %s not used: %s", path, exc)
        return (f"Your default categories could not be read ({exc}); this document uses Glossator's. "
                "See Edit ▸ Preferences.")  # fmt: skip
    return ""


class CategoryTree(QTreeWidget):
    """The category tree: dragging a row onto another moves it there (through the session)."""

    move_requested = Signal(str, str, int)  # category id, new parent id ('' = top), index (-1 = last)
    delete_requested = Signal()
    MIME = "application/x-glossator-category"

    def __init__(self) -> None:
        super().__init__()
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)

    def mimeTypes(self) -> list[str]:  # noqa: N802 - Qt override
        """Drag categories by id only."""
        return [self.MIME]

    def mimeData(self, items: list[QTreeWidgetItem]) -> QMimeData:  # noqa: N802 - Qt override
        """Carry the dragged category's id."""
        data = QMimeData()
        data.setData(self.MIME, QByteArray(items[0].data(0, _ID).encode("utf-8")) if items else QByteArray())
        return data

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802 - Qt override
        """Rows are moved, never copied."""
        return Qt.DropAction.MoveAction

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        """Ask for the move instead of moving rows: the tree is refilled from the document."""
        cid = bytes(event.mimeData().data(self.MIME).data()).decode("utf-8", "replace")
        point = event.position().toPoint()
        target = self.itemAt(point)
        where = self._drop_position(target, point.y())
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        if not cid or (target is not None and target.data(0, _ID) == cid):
            return
        if target is None or where == QAbstractItemView.DropIndicatorPosition.OnViewport:
            parent, index = None, -1
        elif where == QAbstractItemView.DropIndicatorPosition.OnItem:
            parent, index = target, -1
        else:
            parent = target.parent()
            siblings = [parent.child(i) for i in range(parent.childCount())] if parent else \
                [self.topLevelItem(i) for i in range(self.topLevelItemCount())]  # fmt: skip
            siblings = [s for s in siblings if s.data(0, _ID) != cid]
            index = siblings.index(target) + (where == QAbstractItemView.DropIndicatorPosition.BelowItem)
        self.move_requested.emit(cid, parent.data(0, _ID) if parent else "", index)

    def _drop_position(self, target: QTreeWidgetItem | None, y: int) -> QAbstractItemView.DropIndicatorPosition:
        """Where a drop at height ``y`` lands on ``target``: its top or bottom quarter puts the
        category before or after it, its middle under it (read from the row itself: Qt's own
        indicator says "viewport" over the dragged row's subcategories)."""
        pos = QAbstractItemView.DropIndicatorPosition
        if target is None:
            return pos.OnViewport
        rect = self.visualItemRect(target)
        edge = max(2, rect.height() // 4)
        if y < rect.top() + edge:
            return pos.AboveItem
        if y > rect.bottom() - edge:
            return pos.BelowItem
        return pos.OnItem

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        """Delete asks to delete the selected category."""
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.currentItem() is not None:
            self.delete_requested.emit()
            return
        super().keyPressEvent(event)


class DeleteCategoryDialog(QDialog):
    """Asks what becomes of the annotations that use a category about to be deleted."""

    def __init__(self, label: str, count: int, children: int, choices: list[tuple[str, str]],
                 parent: QWidget | None = None, default: str = "") -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Delete category")
        self.setObjectName("delete_category_dialog")
        lay = QVBoxLayout(self)
        text = (f"{count} annotation{'s use' if count != 1 else ' uses'} the category “{label}”. "
                "What should become of {them}?").replace("{them}", "them" if count != 1 else "it")
        if children:
            text += (f"\n\nIts {children} subcategor{'ies move' if children != 1 else 'y moves'} up one "
                     "level and keep their annotations.")  # fmt: skip
        info = QLabel(text)
        info.setWordWrap(True)
        lay.addWidget(info)
        them = "them" if count != 1 else "it"
        self.setMinimumWidth(420)
        self.move_radio = QRadioButton(f"&Move {them} to another category:")
        self.move_radio.setObjectName("delete_category_move")
        self.move_radio.setChecked(True)
        self.target_combo = QComboBox()
        self.target_combo.setObjectName("delete_category_target")
        self.target_combo.setAccessibleName("Category to move the annotations to")
        for cid, text_ in choices:
            self.target_combo.addItem(text_, cid)
        self.target_combo.setCurrentIndex(max(self.target_combo.findData(default), 0))
        self.delete_radio = QRadioButton(f"&Delete the {count} annotations too" if count != 1
                                         else "&Delete the annotation too")  # fmt: skip
        self.delete_radio.setObjectName("delete_category_delete")
        group = QButtonGroup(self)
        for b in (self.move_radio, self.delete_radio):
            group.addButton(b)
        self.move_radio.toggled.connect(self.target_combo.setEnabled)
        lay.addWidget(self.move_radio)
        row = QHBoxLayout()
        row.addSpacing(24)
        row.addWidget(self.target_combo, 1)
        lay.addLayout(row)
        lay.addWidget(self.delete_radio)
        note = QLabel("Edit ▸ Undo brings everything back.")
        note.setEnabled(False)
        lay.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.addButton("Delete category", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("delete_category_ok")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        if not choices:
            self.move_radio.setEnabled(False)
            self.delete_radio.setChecked(True)

    def choice(self) -> tuple[str, str]:
        """Return ('move', target id) or ('delete', '')."""
        if self.move_radio.isChecked():
            return "move", self.target_combo.currentData() or ""
        return "delete", ""

    @staticmethod
    def ask(parent: QWidget, label: str, count: int, children: int, choices: list[tuple[str, str]],
            default: str = "") -> tuple[str, str] | None:  # fmt: skip
        """Show the dialog (``default``: the category offered first); return the choice, or None
        when cancelled."""
        dlg = DeleteCategoryDialog(label, count, children, choices, parent, default)
        try:
            return dlg.choice() if dlg.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dlg.deleteLater()


@dataclass(frozen=True)
class _Form:
    label: str
    key: str
    color: str
    parent: str
    underline: str


class TaxonomyEditor(QWidget):
    """Edits the document's categories through the session (each change one undo step)."""

    error = Signal(object)
    notice = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("taxonomy_editor")
        self.setAccessibleName("Taxonomy editor")
        self.session = session
        self._color = ""
        self._color_chosen = False  # a colour picked for this form, not the selected row's
        self._form_id = ""  # the category the form shows
        self._reloading = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        self.tree = CategoryTree()
        self.tree.setObjectName("taxonomy_tree")
        self.tree.setAccessibleName("Categories")
        self.tree.setToolTip("Drag a category onto another to put it there; Delete deletes it")
        self.tree.setHeaderLabels(["Category", "Key", "Id"])
        self.tree.setColumnWidth(0, 200)
        self.tree.setColumnWidth(1, 40)
        self.tree.currentItemChanged.connect(self._selected)
        self.tree.move_requested.connect(self.move)
        self.tree.delete_requested.connect(self.delete_current)
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
        self.underline_combo = QComboBox()
        self.underline_combo.setObjectName("category_underline")
        self.underline_combo.setAccessibleName("Category underline")
        self.underline_combo.setToolTip("How the category's passages are underlined: tells categories apart "
                                        "without colour (in print, and for colour-blind readers)")  # fmt: skip
        for style in UNDERLINES:
            self.underline_combo.addItem(_UNDERLINE_NAMES.get(style, style), style)
        form.addRow("Underline", self.underline_combo)
        self.parent_combo = QComboBox()
        self.parent_combo.setObjectName("category_parent")
        self.parent_combo.setAccessibleName("Parent category")
        self.parent_combo.setToolTip("Where the category sits: Apply moves the selected category here; "
                                     "Add category adds a new one here")  # fmt: skip
        form.addRow("Parent", self.parent_combo)
        lay.addLayout(form)
        row = QHBoxLayout()
        self.apply_button = QPushButton("Apply")
        self.apply_button.setObjectName("category_apply")
        self.apply_button.clicked.connect(self.apply)
        self.add_button = QPushButton("Add category")
        self.add_button.setObjectName("category_add")
        self.add_button.clicked.connect(self.add_from_form)
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setObjectName("category_delete")
        self.delete_button.setToolTip("Delete the selected category (asks about its annotations)")
        self.delete_button.clicked.connect(self.delete_current)
        for b in (self.apply_button, self.add_button, self.delete_button):
            b.setAccessibleName(b.text().rstrip("…"))
            row.addWidget(b)
        lay.addLayout(row)
        row = QHBoxLayout()
        self.import_button = QPushButton("Import…")
        self.import_button.setObjectName("taxonomy_import")
        self.import_button.setToolTip("Add the categories of a taxonomy file or another document")
        self.import_button.clicked.connect(self.import_from)
        self.export_button = QPushButton("Export…")
        self.export_button.setObjectName("taxonomy_export")
        self.export_button.setToolTip("Save these categories as a taxonomy file, to use in other documents "
                                      "or as your default (Preferences)")  # fmt: skip
        self.export_button.clicked.connect(self.export_to)
        for b in (self.import_button, self.export_button):
            b.setAccessibleName(b.text().rstrip("…") + " categories")
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        session.document_replaced.connect(self._document_replaced)
        session.taxonomy_changed.connect(self.reload)
        adopt_user_default(session.doc)
        self.reload()

    # -- filling -----------------------------------------------------------------------------
    def _own(self) -> dict[str, etree._Element]:
        """Return the categories of Glossator's taxonomy (editable here) by id."""
        return category_elements(self.session.doc.taxonomy.effective())

    def _document_replaced(self) -> None:
        problem = adopt_user_default(self.session.doc)
        if problem:
            self.notice.emit(problem)
        self._form_id = ""
        self.reload()

    def reload(self) -> None:
        """Refill the tree from the document's taxonomy; the form shows the current values."""
        current = self.current_id()
        cats = self.session.doc.taxonomy.categories
        if current not in cats:
            current = self._form_id if self._form_id in cats else ""
        self._reloading = True
        try:
            self.tree.clear()
            items: dict[str, QTreeWidgetItem] = {}
            for cat in cats.values():
                parent = items.get(cat.parent)
                item = QTreeWidgetItem([cat.label, cat.shortcut, cat.id])
                item.setIcon(0, swatch(cat.color))
                item.setData(0, _ID, cat.id)
                if parent is None:
                    self.tree.addTopLevelItem(item)
                else:
                    parent.addChild(item)
                items[cat.id] = item
            self.tree.expandAll()
            if current in items:
                self.tree.setCurrentItem(items[current])
        finally:
            self._reloading = False
        self._fill_form(current)

    def _fill_parents(self, cid: str) -> None:
        """List the possible parents: not the category itself nor its subcategories."""
        self.parent_combo.clear()
        self.parent_combo.addItem("(top level)", "")
        own = self._own()
        excluded = {d.get(ns.XML_ID) for d in own[cid].iter()} if cid in own else set()
        for cat in self.session.doc.taxonomy.categories.values():
            if cat.id in own and cat.id not in excluded:
                self.parent_combo.addItem("   " * cat.depth + cat.label, cat.id)

    def _fill_form(self, cid: str) -> None:
        cat = self.session.doc.taxonomy.categories.get(cid)
        self._form_id = cid if cat else ""
        self.label_edit.setText(cat.label if cat else "")
        self.shortcut_edit.setText(cat.shortcut if cat else "")
        self._color = cat.color if cat else ""
        self._color_chosen = False
        self.color_button.setIcon(swatch(self._color) if self._color else QIcon())
        self.color_button.setText(self._color or "Colour…")
        self._fill_parents(self._form_id)
        index = self.parent_combo.findData(cat.parent if cat else "")
        self.parent_combo.setCurrentIndex(max(index, 0))
        self.underline_combo.setCurrentIndex(max(self.underline_combo.findData(cat.underline if cat else "solid"), 0))
        for b in (self.apply_button, self.delete_button):
            b.setEnabled(self._form_id in self._own())

    def _form(self) -> _Form:
        return _Form(self.label_edit.text().strip(), self.shortcut_edit.text().strip().upper(),
                     self._color.lower(), self.parent_combo.currentData() or "",
                     self.underline_combo.currentData() or "solid")  # fmt: skip

    def _stored(self, cid: str) -> _Form | None:
        cat = self.session.doc.taxonomy.categories.get(cid)
        if cat is None:
            return None
        return _Form(cat.label, cat.shortcut.upper(), cat.color.lower(), cat.parent, cat.underline)

    def form_changed(self) -> bool:
        """Tell whether the form holds edits not applied to the category it shows."""
        stored = self._stored(self._form_id)
        return stored is not None and self._form_id in self._own() and self._form() != stored

    def current_id(self) -> str:
        """Return the selected category id ('' if none)."""
        item = self.tree.currentItem()
        return item.data(0, _ID) if item is not None else ""

    def select(self, cat_id: str) -> None:
        """Select a category in the tree."""
        for item in self.tree.findItems(cat_id, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive, 2):
            self.tree.setCurrentItem(item)

    def _selected(self, current: QTreeWidgetItem | None, previous: QTreeWidgetItem | None) -> None:
        if self._reloading:
            return
        if self.form_changed():
            old, values = self._form_id, self._form()
            answer = self._ask_leave(self.session.doc.taxonomy.label(old))
            if answer == QMessageBox.StandardButton.Cancel:
                self.tree.blockSignals(True)
                self.tree.setCurrentItem(previous)
                self.tree.blockSignals(False)
                return
            if answer == QMessageBox.StandardButton.Apply:  # after this signal: applying refills the tree
                QTimer.singleShot(0, lambda: self._apply(old, values))
        self._fill_form(current.data(0, _ID) if current is not None else "")

    def _ask_leave(self, label: str) -> QMessageBox.StandardButton:
        box = QMessageBox(QMessageBox.Icon.Question, "Unapplied changes",
                          f"The changes to “{label}” are not applied yet.",
                          QMessageBox.StandardButton.Apply | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self)  # fmt: skip
        box.setObjectName("category_leave_box")
        box.setInformativeText("Apply them to that category, or discard them?")
        box.setDefaultButton(QMessageBox.StandardButton.Apply)
        try:
            return QMessageBox.StandardButton(box.exec())
        finally:
            box.deleteLater()

    def _pick_color(self) -> None:
        color = QColorDialog.getColor(QColor(self._color or "#cccccc"), self, "Category colour")
        if color.isValid():
            self.set_color(color.name())

    def set_color(self, color: str) -> None:
        """Set the colour in the form (applied with Apply, used by Add category)."""
        self._color = color
        self._color_chosen = True
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

    # -- changes -----------------------------------------------------------------------------
    def apply(self) -> None:
        """Rename, recolour, re-shortcut and move the selected category (one undo step)."""
        if self._form_id:
            self._apply(self._form_id, self._form())

    def _apply(self, cid: str, form: _Form) -> bool:
        stored = self._stored(cid)
        if stored is None or cid not in self._own() or form == stored:
            return False
        if self._key_taken(form.key, cid):
            return False
        moved = form.parent != stored.parent
        edited = form != _Form(stored.label, stored.key, stored.color, form.parent, stored.underline)
        underline = form.underline if form.underline != stored.underline else None  # an inherited one stays so

        def change(tax: object) -> None:
            el = self.session.doc.taxonomy.find(cid)
            set_category_fields(el, label=form.label or None, color=form.color or None, shortcut=form.key,
                                underline=underline)  # fmt: skip
            if moved:
                move_category(tax, cid, form.parent)  # type: ignore[arg-type]

        label = form.label or stored.label
        text = f"Edit category {label}"
        if moved and not edited:
            where = self.session.doc.taxonomy.label(form.parent) if form.parent else "the top level"
            text = f"Move category {label} to {where}"
        kind = self.session.doc.taxonomy.kind_of(cid)
        return self._push(text, change) and self._kind_notice(cid, kind)

    def move(self, cid: str, parent_id: str, index: int = -1) -> bool:
        """Put a category under ``parent_id`` ('' = top level) at ``index`` (one undo step)."""
        if cid not in self._own() or (parent_id and parent_id not in self._own()):
            self.error.emit(tei.TaxonomyError(
                "only the document's annotation categories can be moved; this one belongs to "
                "another taxonomy of the document"))  # fmt: skip
            return False
        tax = self.session.doc.taxonomy
        label = tax.label(cid)
        where = tax.label(parent_id) if parent_id else "the top level"
        kind = tax.kind_of(cid)
        done = self._push(f"Move category {label} to {where}",
                          lambda t: move_category(t, cid, parent_id, index))  # type: ignore[arg-type]
        return done and self._kind_notice(cid, kind)

    def _kind_notice(self, cid: str, before: str) -> bool:
        """Say when a move changed what kind of annotation (bias, figure…) a category makes."""
        tax = self.session.doc.taxonomy
        after = tax.kind_of(cid)
        if after != before:
            self.notice.emit(f"{tax.label(cid)} now sits under {tax.label(tax.root_of(cid))}: its annotations "
                             f"are edited as {after} notes, no longer as {before} notes (Ctrl+Z moves it back).")
        return True

    def add_from_form(self) -> str:
        """Add a category with the form's label, key, colour and underline (one undo step);
        return its id."""
        label = self.label_edit.text().strip()
        if not label:
            self.error.emit(tei.AnnotationError("a category needs a label"))
            return ""
        parent_id = self.parent_combo.currentData() or ""
        doc = self.session.doc
        stem = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "category"
        base = f"{parent_id}-{stem}" if parent_id else f"gl-user-{stem}"
        cid = base  # one label, one id in every copy; a second one gets a unique suffix
        if cid in doc.taxonomy.categories or doc.element_by_id(cid) is not None:
            cid = doc.new_id(base)
        key = self.shortcut_edit.text().strip().upper()
        color = self._color if self._color_chosen else doc.taxonomy.next_color()
        if self._key_taken(key):
            return ""

        shown = self._stored(self._form_id)  # an underline chosen in the form, not the selected row's
        underline = self._form().underline
        chosen = underline != (shown.underline if shown else "solid")

        def change(tax: object) -> None:
            el = doc.taxonomy.new_category_element(cid, label, color, key)
            if chosen:
                set_category_fields(el, underline=underline)
            parent = doc.taxonomy.find(parent_id) if parent_id else tax
            parent.append(el)  # type: ignore[attr-defined]

        if self._push(f"Add category {label}", change):
            self.select(cid)
            return cid
        return ""

    def delete_current(self) -> bool:
        """Delete the selected category, asking what becomes of its annotations (one undo step)."""
        cid = self.current_id()
        if not cid:
            return False
        doc = self.session.doc
        if cid not in self._own():
            self.error.emit(tei.TaxonomyError(
                "this category belongs to another taxonomy of the document, not to its annotation "
                "categories; it cannot be deleted here"))  # fmt: skip
            return False
        users = [a for a in doc.annotations() if cid in a.categories]
        if any(not a.editable for a in users):
            self.error.emit(tei.TaxonomyError(
                "annotations of another tool use this category; it cannot be deleted"))  # fmt: skip
            return False
        label = doc.taxonomy.label(cid)
        children = len(doc.taxonomy.subcategories(cid))
        choice = ("delete", "")
        if users:
            choices = [(c.id, "   " * c.depth + c.label) for c in doc.taxonomy.categories.values()
                       if c.id != cid and c.id in self._own()]  # fmt: skip
            default = doc.taxonomy.parent_of(cid) or ("gl-comment" if cid != "gl-comment" else "")
            answer = DeleteCategoryDialog.ask(self, label, len(users), children, choices, default)
            if answer is None:
                return False
            choice = answer
        stack = self.session.undo_stack
        before = stack.index()
        stack.beginMacro(f"Delete category {label}")
        try:
            for ann in users:
                if choice[0] == "move":
                    target = choice[1]
                    self.session.edit_annotation(
                        ann.id, f"Move to {doc.taxonomy.label(target)}",
                        lambda a, t=target: recategorize(a.element, cid, t))  # fmt: skip
                else:
                    self.session.delete_annotation(ann.id)
            self.session.edit_taxonomy(f"Delete category {label}", lambda t: remove_category(t, cid))
        except tei.TeiError as exc:
            stack.endMacro()
            if stack.index() > before:
                stack.command(stack.index() - 1).setObsolete(True)
                stack.undo()  # takes back what was done and drops the step
            self.error.emit(exc)
            return False
        stack.endMacro()
        moved = f"; its {children} subcategor{'ies' if children != 1 else 'y'} moved up" if children else ""
        self.notice.emit(f"Deleted the category {label}{moved}. Ctrl+Z brings it back.")
        return True

    def _push(self, text: str, change) -> bool:  # noqa: ANN001
        try:
            self.session.edit_taxonomy(text, change)
        except tei.TeiError as exc:
            self.error.emit(exc)
            return False
        return True

    # -- a taxonomy between documents --------------------------------------------------------
    def export_to(self, path: str = "") -> str:
        """Save the document's categories as a small TEI taxonomy file; return the path ('' if not)."""
        name = os.path.splitext(self.session.display_name())[0]
        if not path:
            start = os.path.join(settings.get("files/last_dir") or os.path.expanduser("~"),
                                 f"{name}-categories.xml")  # fmt: skip
            path, _ = QFileDialog.getSaveFileName(self, "Export categories", start,
                                                  "TEI taxonomy (*.xml);;All files (*)")  # fmt: skip
            if not path:
                return ""
        try:
            written = export_taxonomy(self.session.doc.taxonomy.effective(), path,
                                      f"Annotation categories of {name}")  # fmt: skip
        except (tei.TeiError, OSError) as exc:
            self.error.emit(exc)
            return ""
        self.notice.emit(f"Categories exported to {written}")
        return written

    def import_from(self, path: str = "") -> bool:
        """Add the categories of a taxonomy file that the document lacks (one undo step)."""
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "Import categories", settings.get("files/last_dir"),
                                                  "TEI files (*.xml);;All files (*)")  # fmt: skip
            if not path:
                return False
        doc = self.session.doc
        try:
            incoming = read_taxonomy(path)
        except tei.TeiError as exc:
            self.error.emit(exc)
            return False
        taken = {i for i in doc.ids() if i not in self._own()}
        report = merge_taxonomy(copy.deepcopy(doc.taxonomy.effective()), incoming, taken)  # a dry run
        done = bool(report.added) and self._push(
            f"Import categories from {os.path.basename(path)}",
            lambda t: merge_taxonomy(t, incoming, taken))  # type: ignore[arg-type]  # fmt: skip
        text = report.summary()
        if report.differing or report.skipped or report.keys_dropped or not report.added:
            QMessageBox.information(self, "Categories imported", text)
        self.notice.emit(f"Imported from {os.path.basename(path)}: {text}")
        return done
