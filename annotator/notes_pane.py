"""The notes pane: the document's footnotes, in order; activating one shows it in the text."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

import tei
from annotator.display import unreferenced, unreferenced_label


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
        for i, b in enumerate(doc.text.blocks):
            if not b.is_note:
                continue
            label = labels.get(i) or b.element.get("n") or "•"
            if unreferenced(b.element):
                label += f" ({unreferenced_label(b.element)})"
            text = b.reading
            item = QListWidgetItem(f"{label}  {text[:400]}{'…' if len(text) > 400 else ''}")
            item.setData(Qt.ItemDataRole.UserRole, i)
            item.setToolTip(text[:1500])
            self._row_of[i] = self.count()
            self.addItem(item)
            if self.count() >= 20000:
                break

    def show_note(self, block: int) -> None:
        """Select the note of this block."""
        row = self._row_of.get(block)
        if row is not None:
            self.setCurrentRow(row)
            self.scrollToItem(self.item(row))

    def _activated(self, item: QListWidgetItem) -> None:
        self.note_activated.emit(int(item.data(Qt.ItemDataRole.UserRole)))
