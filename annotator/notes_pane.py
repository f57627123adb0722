"""The notes pane: the document's footnotes and apparatus entries (variant readings with their
witnesses), in order, each with the page or section it stands in ("p. 76 · n. 8", "§ Act II ·
n. 1": sources often number notes anew on each page or in each section); activating one shows
it in the text."""

from __future__ import annotations

import html
from bisect import bisect_right

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

import tei
from annotator.display import readings, unreferenced, unreferenced_label
from tei import ns
from tei.textmodel import APP

#: A position in the text: (tei block index, reading offset).
Place = tuple[int, int]


class NotesPane(QListWidget):
    """Lists every note block of the document with its place and label, one tight row each
    (the whole note in the row's tooltip)."""

    note_activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notes_pane")
        self.setAccessibleName("Footnotes")
        self.setWordWrap(False)  # wrapped rows of varying height left blank gaps between entries
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setUniformItemSizes(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAlternatingRowColors(True)
        self.setStyleSheet("QListWidget::item { padding: 2px 3px; }")
        self.itemActivated.connect(self._activated)
        self.itemClicked.connect(self._activated)
        self._row_of: dict[int, int] = {}

    def set_document(self, doc: tei.TeiDocument, labels: dict[int, str] | None = None,
                     refs: dict[int, Place] | None = None,
                     pages: list[tuple[str, int, int]] | None = None) -> None:  # fmt: skip
        """Fill the pane from a document: ``labels`` are the display labels of note blocks,
        ``refs`` where each note is referenced in the text, ``pages`` the page markers
        (label, block, reading offset) in order."""
        self.clear()
        self._row_of.clear()
        labels, refs = labels or {}, refs or {}
        context = _Context(doc, pages or [])
        apparatus: dict[int, list[str]] = {}
        for app in doc.root.iter(APP):  # variant readings, listed where they stand in the text
            i = doc.text.enclosing_block(app)
            if i >= 0:
                apparatus.setdefault(i, []).append(" ‖ ".join(f"{k}: {v}" for k, v in readings(app)))
        for i, b in enumerate(doc.text.blocks):
            for entry in apparatus.get(i, ()):
                self._add(context.label((i, 0), "‡"), entry, i)
            if not b.is_note:
                continue
            label = (labels.get(i) or b.element.get("n") or "").strip().strip("()[]").rstrip(".)") or "•"
            where = context.label(refs.get(i, (i, 0)), f"n. {label}")
            if unreferenced(b.element):  # it says where it belongs itself
                where = f"n. {label} ({unreferenced_label(b.element)})"
            self._row_of[i] = self.count()
            self._add(where, b.reading, i)
            if self.count() >= 20000:
                break

    def _add(self, where: str, text: str, block: int) -> None:
        one_line = " ".join(text[:400].split())
        item = QListWidgetItem(f"{where}   {one_line}")
        item.setData(Qt.ItemDataRole.UserRole, block)
        item.setSizeHint(QSize(1, self.fontMetrics().height() + 6))  # as wide as the pane: elided
        item.setToolTip(f"<p><b>{html.escape(where)}</b><br>{html.escape(text[:1500])}</p>")  # rich text wraps
        self.addItem(item)

    def show_note(self, block: int) -> None:
        """Select the note of this block."""
        row = self._row_of.get(block)
        if row is not None:
            self.setCurrentRow(row)
            self.scrollToItem(self.item(row))

    def _activated(self, item: QListWidgetItem) -> None:
        self.note_activated.emit(int(item.data(Qt.ItemDataRole.UserRole)))


class _Context:
    """Names the place of a position: its page ("p. 76") when the document has page markers,
    else the heading of its section ("§ Act II")."""

    def __init__(self, doc: tei.TeiDocument, pages: list[tuple[str, int, int]]) -> None:
        self.pages = [(i, r) for _n, i, r in pages]
        self.page_names = [n for n, _i, _r in pages]
        head = ns.qn("head")
        self.heads = [(i, " ".join(b.reading.split())) for i, b in enumerate(doc.text.blocks)
                      if b.element.tag == head and b.parent < 0 and b.reading.strip()]  # fmt: skip
        self.head_blocks = [i for i, _ in self.heads]

    def label(self, place: Place, what: str) -> str:
        """Return "p. 76 · n. 8", "§ Act II · n. 1" or "n. 1" (nothing precedes the first page)."""
        where = ""
        if self.pages:
            k = bisect_right(self.pages, place) - 1
            if k >= 0 and self.page_names[k]:
                where = f"p. {self.page_names[k]}"
        elif self.heads:
            k = bisect_right(self.head_blocks, place[0]) - 1
            if k >= 0:
                name = self.heads[k][1]
                where = f"§ {name[:28].rstrip()}{'…' if len(name) > 28 else ''}"
        return f"{where} · {what}" if where else what

