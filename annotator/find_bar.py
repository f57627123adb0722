"""Find in text as browsers do: case, diacritics and ligatures folded, page and line markers
invisible, hits across blocks; next/previous, and annotate every hit in one step."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QToolButton,
    QWidget,
)

from tei.search import Query

from .display import DisplayMap
from .document_view import DocumentView

#: Display-only runs a search looks through (page numbers, note marks, note labels).
_HIDDEN = frozenset({"pb", "noteref", "notelabel", "unref"})


class SearchText:
    """The displayed text as one string without markers, with a map back to Qt positions."""

    def __init__(self, m: DisplayMap) -> None:
        parts: list[str] = []
        self.starts: list[int] = []  # offset in ``text`` where each piece starts
        self.places: list[tuple[int, int]] = []  # (display block, code point) of each piece
        size = 0
        for n, db in enumerate(m.blocks):
            if db.index < 0 or not db.text:
                continue
            cut = 0
            for r in [*(r for r in db.runs if r.kind in _HIDDEN), None]:
                end = r.start if r is not None else len(db.text)
                if end > cut:
                    self.starts.append(size)
                    self.places.append((n, cut))
                    parts.append(db.text[cut:end])
                    size += end - cut
                if r is not None:
                    cut = max(cut, r.start + len(r.text))
            parts.append("\n")
            size += 1
        self.text = "".join(parts)
        self.alphabet = frozenset(self.text)
        self.map = m

    def to_qt(self, offset: int, *, end: bool = False) -> int:
        """Map an offset of ``text`` to a Qt position (an end stays in the piece it ends)."""
        j = max(0, bisect_right(self.starts, offset - 1 if end else offset) - 1)
        n, cp = self.places[j]
        db = self.map.blocks[n]
        return self.map.starts[n] + db.cp_to_q(cp + offset - self.starts[j])


class FindBar(QWidget):
    """A bar under the text: type to search, Enter for the next match, Shift+Enter previous."""

    closed = Signal()
    #: Give every hit a category: (reading selections, category id, query); one undo step.
    annotate_all_requested = Signal(list, str, str)

    def __init__(self, view: DocumentView, categories: Callable[[], list[tuple[str, str]]] = list,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.categories = categories  # [(id, label)] of the categories one can annotate with
        self._search_text: SearchText | None = None
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
        self.case_box.setToolTip("Tell capitals from small letters (off: “china” finds “China”)")
        self.diacritics_box = QCheckBox("Match diacritics")
        self.diacritics_box.setObjectName("find_diacritics")
        self.diacritics_box.setToolTip("Tell accented letters apart (off: “και” finds “καὶ”, “еще” "
                                       "finds “ещё”, “first” finds “ﬁrst”)")  # fmt: skip
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
        self.annotate_button = QToolButton()
        self.annotate_button.setObjectName("find_annotate_all")
        self.annotate_button.setText("Annotate all")
        self.annotate_button.setAccessibleName("Annotate all hits")
        self.annotate_button.setToolTip("Give every hit the same category, in one undo step")
        self.annotate_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.annotate_menu = QMenu(self.annotate_button)
        self.annotate_menu.aboutToShow.connect(self._fill_annotate_menu)
        self.annotate_button.setMenu(self.annotate_menu)
        close = QToolButton()
        close.setText("✕")
        close.setAccessibleName("Close find bar")
        close.clicked.connect(self.close_bar)
        for w in (self.edit, self.case_box, self.diacritics_box, self.word_box, self.prev_button,
                  self.next_button, self.count_label, self.annotate_button, close):  # fmt: skip
            lay.addWidget(w)
        lay.setStretch(0, 1)
        self.edit.textChanged.connect(self.search)
        for box in (self.case_box, self.diacritics_box, self.word_box):
            box.toggled.connect(self.search)
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

    def searchable(self) -> SearchText | None:
        """Return the view's text prepared for searching (built once per displayed document)."""
        m = self.view.map
        if m is None:
            return None
        if self._search_text is None or self._search_text.map is not m:
            self._search_text = SearchText(m)
        return self._search_text

    def text_changed(self, _blocks: list[int] | None = None) -> None:
        """Forget the prepared text (an intervention changed the text); search again if open."""
        self._search_text = None
        if self.isVisible() and self.edit.text().strip():
            self.search()

    def search(self) -> int:
        """Find every match of the query; return the count."""
        query = self.edit.text()
        self.matches = []
        self.current = -1
        st = self.searchable() if query.strip() else None
        if st is None:
            self.count_label.setText("")
            self.annotate_button.setEnabled(False)
            return 0
        q = Query(query, st.alphabet, match_case=self.case_box.isChecked(),
                  match_diacritics=self.diacritics_box.isChecked(), whole_words=self.word_box.isChecked())  # fmt: skip
        self.matches = [(st.to_qt(a), st.to_qt(b, end=True)) for a, b in q.finditer(st.text)]
        self.annotate_button.setEnabled(bool(self.matches))
        self._show_count()
        if self.matches:
            pos = self.view.textCursor().selectionStart()
            self.current = bisect_right([s for s, _ in self.matches], pos - 1) % len(self.matches) - 1
            self.next()
        return len(self.matches)

    def _fill_annotate_menu(self) -> None:
        self.annotate_menu.clear()
        for cid, label in self.categories():
            act = self.annotate_menu.addAction(f"as {label}…")
            act.setObjectName(f"find_annotate_{cid}")
            act.triggered.connect(lambda _=False, c=cid, lab=label: self.annotate_all(c, lab))

    def annotate_all(self, category: str, label: str) -> None:
        """After a preview of the count, ask to give every hit ``category`` (one undo step)."""
        m = self.view.map
        if not self.matches or m is None:
            return
        n = len(self.matches)
        answer = QMessageBox.question(
            self, "Annotate all hits",
            f"Annotate all {n} hit{'s' if n != 1 else ''} of “{self.edit.text().strip()}” as {label}?"
            "\n\nThis is one step: Undo takes them all back.")  # fmt: skip
        if answer != QMessageBox.StandardButton.Yes:
            return
        sels = [(*m.qt_to_reading(a), *m.qt_to_reading(b, end=True)) for a, b in self.matches]
        self.annotate_all_requested.emit(sels, category, self.edit.text().strip())

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
