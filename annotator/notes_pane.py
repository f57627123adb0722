"""The notes pane: the document's footnotes and apparatus entries (variant readings with their
witnesses), in order; activating one shows it in the text."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

import tei
from annotator.display import readings, unreferenced, unreferenced_label
from tei.textmodel import APP


class NotesPane(QListWidget):
    """Lists every note block of the document with its label."""

    note_activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notes_pane")
        self.setAccessibleName("Footnotes")
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.setUniformItemSizes(False)
        self.itemActivated.connect(self._activated)
        self.itemClicked.connect(self._activated)
        self._row_of: dict[int, int] = {}

    def set_document(self, doc: tei.TeiDocument, labels: dict[int, str] | None = None) -> None:
        """Fill the pane from a document (``labels``: display labels by note block)."""
        self.clear()
        self._row_of.clear()
        labels = labels or {}
        apparatus: dict[int, list[str]] = {}
        for app in doc.root.iter(APP):  # variant readings, listed where they stand in the text
            i = doc.text.enclosing_block(app)
            if i >= 0:
                apparatus.setdefault(i, []).append(" ‖ ".join(f"{k}: {v}" for k, v in readings(app)))
        for i, b in enumerate(doc.text.blocks):
            for entry in apparatus.get(i, ()):
                self._add(f"‡  {entry}", i)
            if not b.is_note:
                continue
            label = labels.get(i) or b.element.get("n") or "•"
            if unreferenced(b.element):
                label += f" ({unreferenced_label(b.element)})"
            self._row_of[i] = self.count()
            self._add(f"{label}  {b.reading}", i)
            if self.count() >= 20000:
                break

    def _add(self, text: str, block: int) -> None:
        item = QListWidgetItem(f"{text[:400]}{'…' if len(text) > 400 else ''}")
        item.setData(Qt.ItemDataRole.UserRole, block)
        item.setToolTip(text[:1500])
        self.addItem(item)

    def show_note(self, block: int) -> None:
        """Select the note of this block."""
        row = self._row_of.get(block)
        if row is not None:
            self.setCurrentRow(row)
            self.scrollToItem(self.item(row))

    def _activated(self, item: QListWidgetItem) -> None:
        self.note_activated.emit(int(item.data(Qt.ItemDataRole.UserRole)))
