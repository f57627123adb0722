"""The review queue: annotations that re-anchoring placed approximately (*fuzzy*) or could not
place (*orphan*), each with the passage before and now side by side, the difference marked.

The queue is read from the document itself (each annotation's ``<note type="anchoring">``, see
``tei.anchoring``), so it can never drift from what will be saved. The panel only asks: Accept,
Re-attach to the selection and Delete are request signals that the main window carries out
through the session, each one undoable step.
"""

from __future__ import annotations

import difflib
import html
import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

import tei

from .session import Session

log = logging.getLogger(__name__)

_ID = Qt.ItemDataRole.UserRole
_OUTCOME = Qt.ItemDataRole.UserRole + 1
_CONTEXT = 60  # characters of context shown either side


class ReviewQueue(QWidget):
    """Lists the annotations left for review and compares each one's old and new passage."""

    accept_requested = Signal(list)  # annotation ids: keep where they are now
    reattach_requested = Signal(str)  # annotation id: put on the text selected now
    delete_requested = Signal(list)  # annotation ids
    show_requested = Signal(str)  # annotation id: select it (text and editor)
    count_changed = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("review_queue")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("review_list")
        self.list.setAccessibleName("Annotations to review")
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.list.setMinimumHeight(60)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.before = self._browser("review_before", "The passage before")
        self.now = self._browser("review_now", "The passage now")
        sides = QWidget()
        row = QHBoxLayout(sides)
        row.setContentsMargins(0, 0, 0, 0)
        for title, browser in (("Before", self.before), ("Now", self.now)):
            col = QVBoxLayout()
            col.addWidget(QLabel(f"<b>{title}</b>"))
            col.addWidget(browser)
            row.addLayout(col)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.list)
        split.addWidget(sides)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([80, 240])
        self.accept_button = QPushButton("&Accept")
        self.accept_button.setObjectName("review_accept")
        self.accept_button.setToolTip("Keep the annotation where it is now (it leaves the queue)")
        self.reattach_button = QPushButton("Re-attach to &selection")
        self.reattach_button.setObjectName("review_reattach")
        self.reattach_button.setToolTip("Put the annotation on the passage selected in the text")
        self.delete_button = QPushButton("&Delete")
        self.delete_button.setObjectName("review_delete")
        buttons = QHBoxLayout()
        for b in (self.accept_button, self.reattach_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self.list.currentItemChanged.connect(lambda *_: self._show_current())
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.list.itemActivated.connect(lambda item: self.show_requested.emit(item.data(_ID)))
        self.accept_button.clicked.connect(lambda: self.accept_requested.emit(self.selected_ids()))
        self.reattach_button.clicked.connect(self._reattach)
        self.delete_button.clicked.connect(lambda: self.delete_requested.emit(self.selected_ids()))
        session.document_replaced.connect(self.refresh)
        session.annotation_added.connect(self._update_one)
        session.annotation_changed.connect(self._update_one)
        session.annotation_removed.connect(self._remove_one)
        self.refresh()

    @staticmethod
    def _browser(name: str, accessible: str) -> QTextBrowser:
        b = QTextBrowser()
        b.setObjectName(name)
        b.setAccessibleName(accessible)
        b.setOpenLinks(False)
        b.setMinimumHeight(90)
        return b

    # -- contents ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the queue again from the whole document."""
        current = self.current_id()
        self.list.clear()
        for ann in self.session.doc.annotations():
            if ann.anchoring is not None:
                self.list.addItem(self._item(ann))
        self._select(current)
        self._changed()

    def _item(self, ann: tei.Annotation) -> QListWidgetItem:
        item = QListWidgetItem()
        self._fill(item, ann)
        return item

    def _fill(self, item: QListWidgetItem, ann: tei.Annotation) -> None:
        a = ann.anchoring
        assert a is not None
        label = self.session.doc.taxonomy.label(ann.category) if ann.category else "Annotation"
        if a.outcome == "fuzzy":
            score = f" {a.score:.2f}" if a.score is not None else ""
            text = f"≈{score}  {label}: “{_short(a.previous)}” → “{_short(ann.quote)}”"
        else:
            text = f"⚠ not placed  {label}: “{_short(a.previous)}”"
        item.setText(text)
        item.setToolTip(a.reason or "Placed approximately: check the passage")
        item.setData(_ID, ann.id)
        item.setData(_OUTCOME, a.outcome)

    def _row_of(self, ann_id: str) -> int:
        for row in range(self.list.count()):
            if self.list.item(row).data(_ID) == ann_id:
                return row
        return -1

    def _update_one(self, ann_id: str) -> None:
        row = self._row_of(ann_id)
        try:
            ann = self.session.doc.annotation(ann_id)
        except tei.TeiError:
            ann = None
        if ann is None or ann.anchoring is None:
            if row >= 0:
                self.list.takeItem(row)
                self._changed()
            return
        if row >= 0:
            self._fill(self.list.item(row), ann)
            if row == self.list.currentRow():
                self._show_current()
        else:
            self.list.addItem(self._item(ann))
            self._changed()

    def _remove_one(self, ann_id: str) -> None:
        row = self._row_of(ann_id)
        if row >= 0:
            self.list.takeItem(row)
            self._changed()

    def _changed(self) -> None:
        n = self.list.count()
        fuzzy = sum(1 for r in range(n) if self.list.item(r).data(_OUTCOME) == "fuzzy")
        if n:
            self.summary.setText(
                f"{n} annotation{'s' if n != 1 else ''} to review: {fuzzy} placed approximately, "
                f"{n - fuzzy} not placed. Compare the passages, then accept, re-attach (select the "
                "right passage in the text first) or delete."
            )  # fmt: skip
        else:
            self.summary.setText("Nothing to review: every annotation shows the passage it was made on.")
        if self.list.currentRow() < 0 and n:
            self.list.setCurrentRow(0)
        self._show_current()
        self._update_buttons()
        self.count_changed.emit(n)

    def _select(self, ann_id: str) -> None:
        row = self._row_of(ann_id) if ann_id else -1
        if row >= 0:
            self.list.setCurrentRow(row)

    # -- the comparison ---------------------------------------------------------------------------
    def _show_current(self) -> None:
        ann_id = self.current_id()
        if not ann_id:
            self.before.clear()
            self.now.clear()
            return
        ann = self.session.doc.annotation(ann_id)
        a = ann.anchoring
        if a is None:
            return
        if a.outcome == "fuzzy":
            old, new = _compare(a.previous, ann.quote)
            score = f"<p><i>Placed approximately (score {a.score:.2f}).</i></p>" if a.score is not None else ""
            self.before.setHtml(_passage(a.previous_prefix, old, a.previous_suffix))
            self.now.setHtml(_passage(ann.prefix, new, ann.suffix) + score)
        else:
            self.before.setHtml(_passage(a.previous_prefix, html.escape(a.previous), a.previous_suffix))
            self.now.setHtml(f"<p><b>Not found in the text.</b></p><p>{html.escape(a.reason)}</p>"
                             "<p>Select the passage it belongs to and press Re-attach, or delete it.</p>")  # fmt: skip

    def _update_buttons(self) -> None:
        ids = self.selected_ids()
        self.accept_button.setEnabled(bool(ids) and all(self._is_fuzzy(i) for i in ids))
        self.reattach_button.setEnabled(len(ids) == 1)
        self.delete_button.setEnabled(bool(ids))

    def _is_fuzzy(self, ann_id: str) -> bool:
        a = self.session.doc.annotation(ann_id).anchoring
        return a is not None and a.outcome == "fuzzy"

    def _reattach(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            self.reattach_requested.emit(ids[0])

    # -- what is selected -------------------------------------------------------------------------
    def current_id(self) -> str:
        """Return the id of the annotation shown in the comparison ('' if none)."""
        item = self.list.currentItem()
        return str(item.data(_ID)) if item is not None else ""

    def selected_ids(self) -> list[str]:
        """Return the ids of the selected rows, in list order (the current one if none)."""
        rows = sorted(self.list.row(i) for i in self.list.selectedItems())
        ids = [str(self.list.item(r).data(_ID)) for r in rows]
        return ids or ([self.current_id()] if self.current_id() else [])

    def count(self) -> int:
        """Return how many annotations wait for review."""
        return self.list.count()


def _short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _compare(old: str, new: str) -> tuple[str, str]:
    """Return ``old`` and ``new`` as HTML, what was taken out struck red and what came in green."""
    a, b = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            a.append(html.escape(old[i1:i2]))
            b.append(html.escape(new[j1:j2]))
            continue
        if i2 > i1:
            a.append(f'<span style="background:#f6c6c6;text-decoration:line-through">{html.escape(old[i1:i2])}</span>')
        if j2 > j1:
            b.append(f'<span style="background:#c8ecc8;text-decoration:underline">{html.escape(new[j1:j2])}</span>')
    return "".join(a), "".join(b)


def _passage(prefix: str, quote_html: str, suffix: str) -> str:
    """Return the quote (already HTML) in bold with its context, grey, either side."""
    pre = html.escape(prefix[-_CONTEXT:])
    suf = html.escape(suffix[:_CONTEXT])
    return f'<p><span style="color:#777">…{pre}</span><b>{quote_html}</b><span style="color:#777">{suf}…</span></p>'
