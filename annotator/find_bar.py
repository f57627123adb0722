"""Find in text: match count, next/previous, case and whole-word options."""

from __future__ import annotations

import re
from bisect import bisect_right

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from .document_view import DocumentView


class FindBar(QWidget):
    """A bar under the text: type to search, Enter for the next match, Shift+Enter previous."""

    closed = Signal()

    def __init__(self, view: DocumentView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("find_bar")
        self.setAccessibleName("Find in text")
        self.view = view
        self.matches: list[tuple[int, int]] = []  # Qt positions (start, end)
        self.current = -1
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        self.edit = QLineEdit()
        self.edit.setObjectName("find_edit")
        self.edit.setAccessibleName("Search text")
        self.edit.setPlaceholderText("Find in text")
        self.edit.setClearButtonEnabled(True)
        self.case_box = QCheckBox("Match case")
        self.case_box.setObjectName("find_case")
        self.word_box = QCheckBox("Whole words")
        self.word_box.setObjectName("find_word")
        self.prev_button = QToolButton()
        self.prev_button.setText("▲")
        self.prev_button.setToolTip("Previous match (Shift+Enter)")
        self.prev_button.setAccessibleName("Previous match")
        self.next_button = QToolButton()
        self.next_button.setText("▼")
        self.next_button.setToolTip("Next match (Enter)")
        self.next_button.setAccessibleName("Next match")
        self.count_label = QLabel("")
        self.count_label.setObjectName("find_count")
        self.count_label.setMinimumWidth(90)
        close = QToolButton()
        close.setText("✕")
        close.setAccessibleName("Close find bar")
        close.clicked.connect(self.close_bar)
        for w in (self.edit, self.case_box, self.word_box, self.prev_button, self.next_button,
                  self.count_label, close):  # fmt: skip
            lay.addWidget(w)
        lay.setStretch(0, 1)
        self.edit.textChanged.connect(self.search)
        self.case_box.toggled.connect(self.search)
        self.word_box.toggled.connect(self.search)
        self.edit.returnPressed.connect(self.next)
        QShortcut(QKeySequence("Shift+Return"), self.edit, activated=self.previous)
        QShortcut(QKeySequence("Escape"), self, activated=self.close_bar,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)  # fmt: skip
        self.prev_button.clicked.connect(self.previous)
        self.next_button.clicked.connect(self.next)

    def open_bar(self) -> None:
        """Show the bar and focus the search field (with the selection as the query)."""
        sel = self.view.textCursor().selectedText()
        if sel and "\u2029" not in sel and len(sel) < 80:
            self.edit.setText(sel)
        self.show()
        self.edit.setFocus()
        self.edit.selectAll()

    def close_bar(self) -> None:
        """Hide the bar and give the focus back to the text."""
        self.hide()
        self.view.setFocus()
        self.closed.emit()

    def search(self) -> int:
        """Find every match of the query; return the count."""
        query = self.edit.text()
        self.matches = []
        self.current = -1
        m = self.view.map
        if not query or m is None:
            self.count_label.setText("")
            return 0
        flags = 0 if self.case_box.isChecked() else re.IGNORECASE
        pattern = re.escape(query)
        if self.word_box.isChecked():
            pattern = rf"(?<!\w){pattern}(?!\w)"
        rx = re.compile(pattern, flags)
        for n, db in enumerate(m.blocks):
            if db.index < 0 or not db.text:
                continue
            base = m.starts[n]
            for hit in rx.finditer(db.text):
                self.matches.append((base + db.cp_to_q(hit.start()), base + db.cp_to_q(hit.end())))
                if len(self.matches) >= 100000:
                    break
        self._show_count()
        if self.matches:
            pos = self.view.textCursor().selectionStart()
            self.current = bisect_right([s for s, _ in self.matches], pos - 1) % len(self.matches) - 1
            self.next()
        return len(self.matches)

    def _show_count(self) -> None:
        if not self.matches:
            self.count_label.setText("No matches")
        elif self.current < 0:
            self.count_label.setText(f"{len(self.matches)} matches")
        else:
            self.count_label.setText(f"{self.current + 1} of {len(self.matches)}")

    def next(self) -> None:
        """Select the next match."""
        self._go(1)

    def previous(self) -> None:
        """Select the previous match."""
        self._go(-1)

    def _go(self, step: int) -> None:
        if not self.matches:
            return
        self.current = (self.current + step) % len(self.matches)
        start, end = self.matches[self.current]
        cur = QTextCursor(self.view.document())
        cur.setPosition(start)
        cur.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self.view.setTextCursor(cur)
        self.view.centerCursor()
        self._show_count()
