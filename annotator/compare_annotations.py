"""The Compare panel (File ▸ Compare annotations with…): my annotations beside another scholar's
copy of the same text (``tei.compare``), one row per difference, the selected one side by side
(field by field, the differing fields marked), and buttons to adopt theirs, keep mine or keep
both, and to adopt every annotation of theirs I lack.

Every action is one undoable step through the session (a macro of the taxonomy edit bringing
their categories, if any, and the annotation edit or the :class:`AddTheirs` command). Keeping mine
changes nothing: the row is only marked as seen. Selecting a row shows the passage in the text
through :attr:`CompareAnnotations.show_requested` (my annotation) or
:attr:`CompareAnnotations.passage_requested` (a passage only they annotated).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

import tei
from tei import compare
from tei.anchoring import ReadingIndex
from tei.document import TeiDocument
from tei.taxonomy import category_elements, merge_taxonomy

from . import settings
from .commands import Recorder, SessionCommand
from .errors import show_error
from .session import Session
from .whole_document_panel import WholeDocumentPanel

log = logging.getLogger(__name__)

_ROW = Qt.ItemDataRole.UserRole
#: The filter's choices: label -> kinds shown.
FILTERS = {"Differences": ("changed", "theirs", "mine"), "Changed": ("changed",),
           "Only in theirs": ("theirs",), "Only in mine": ("mine",), "Both kept": ("both",),
           "Same": ("same",), "Everything": compare.KINDS}  # fmt: skip
_MINE_BG = QColor("#fde2e1")  # a differing field: mine (before) …
_THEIRS_BG = QColor("#dff3e3")  # … and theirs (after)


class AddTheirs(SessionCommand):
    """Add annotations of their copy (``make`` adds them and returns their ids); undo takes them
    out again with the annotators and sources that came with them."""

    def __init__(self, session: Session, text: str, make: Callable[[TeiDocument], list[str]]) -> None:
        super().__init__(session, text)
        self.make = make
        self.ids: list[str] = []
        self.rec: Recorder | None = None
        self.places: list[tuple[object, object, int]] = []

    def first(self) -> None:
        rec = Recorder(self.doc)
        try:
            self.ids = self.make(self.doc)
        except BaseException:
            for el in [a.element for a in self.doc.annotations() if a.id in self.ids]:
                el.getparent().remove(el)
                self.doc.unregister_ids(el)
            rec.finish().undo()
            raise
        self.rec = rec.finish()
        for ann_id in self.ids:
            self.session.annotation_added.emit(ann_id)

    def again(self) -> None:
        assert self.rec is not None
        self.rec.redo()
        for el, parent, index in self.places:
            parent.insert(index, el)  # type: ignore[attr-defined]
            self.doc.register_ids(el)  # type: ignore[arg-type]
        for ann_id in self.ids:
            self.session.annotation_added.emit(ann_id)

    def undo(self) -> None:
        assert self.rec is not None
        places = []
        for ann_id in reversed(self.ids):
            el = self.doc.annotation(ann_id).element
            parent = el.getparent()
            assert parent is not None
            places.append((el, parent, parent.index(el)))
            parent.remove(el)
            self.doc.unregister_ids(el)
        self.places = list(reversed(places))
        self.rec.undo()
        for ann_id in self.ids:
            self.session.annotation_removed.emit(ann_id)


def _item(text: str, row: int = -1) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    item.setData(_ROW, row)
    return item


def _table(name: str, headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    t.horizontalHeader().setStretchLastSection(True)
    return t


class CompareAnnotations(WholeDocumentPanel):
    """My annotations compared with another copy's, and the decisions about them."""

    show_requested = Signal(str)  # my annotation's id
    passage_requested = Signal(int, int, int, int)  # a reading selection (b0, r0, b1, r1)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("compare_panel")
        self.their_doc: TeiDocument | None = None  # their copy as read
        self.name = ""
        self.placed: TeiDocument | None = None  # their annotations on my text
        self.placing: tei.anchoring.ReanchorReport | None = None
        self.result: compare.Comparison | None = None
        self.seen: set[tuple[str, str]] = set()  # rows whose "keep mine" was chosen
        self.cache: dict = {}  # annotations already described (tei.compare.compare's cache)
        self.stale = False
        self.header = QLabel("Compare your annotations with another scholar's copy of this text: "
                             "File ▸ Compare annotations with…")  # fmt: skip
        self.header.setObjectName("compare_header")
        self.header.setWordWrap(True)
        self.filter = QComboBox()
        self.filter.setObjectName("compare_filter")
        self.filter.setAccessibleName("Show")
        self.filter.addItems(list(FILTERS))
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        top.addWidget(self.filter, 1)  # (the style sheet's padding makes a combo's own width too small)
        self.table = _table("compare_rows", ["Passage", "Difference", "Fields"])
        self.table.setAccessibleName("Differences")
        head = self.table.horizontalHeader()
        head.setStretchLastSection(False)
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2):
            head.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.fields = _table("compare_fields", ["Field", "Mine", "Theirs"])
        self.fields.setAccessibleName("Mine and theirs side by side")
        self.fields.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.fields.setWordWrap(True)
        head = self.fields.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for col in (1, 2):  # mine and theirs equally wide
            head.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        self.adopt_button = QPushButton("A&dopt theirs")
        self.adopt_button.setObjectName("compare_adopt")
        self.adopt_button.setToolTip("Take their reading into your copy (undoable)")
        self.mine_button = QPushButton("Keep &mine")
        self.mine_button.setObjectName("compare_keep_mine")
        self.mine_button.setToolTip("Leave your annotation as it is and mark this difference as seen")
        self.both_button = QPushButton("Keep &both")
        self.both_button.setObjectName("compare_keep_both")
        self.both_button.setToolTip("Add their reading beside yours, both marked as a disagreement (undoable)")
        self.all_button = QPushButton("Adopt all theirs that I don't have")
        self.all_button.setObjectName("compare_adopt_all")
        self.all_button.setToolTip("Add every annotation only their copy has (one undoable step)")
        buttons = QGridLayout()  # two rows: the panel shares the side of the window with the editor
        for col, b in enumerate((self.adopt_button, self.mine_button, self.both_button)):
            buttons.addWidget(b, 0, col)
        buttons.addWidget(self.all_button, 1, 0, 1, 3)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("compare_split")
        split.setChildrenCollapsible(False)
        split.addWidget(self.table)
        split.addWidget(self.fields)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.header)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        lay.addLayout(buttons)
        self.filter.currentIndexChanged.connect(lambda _i: self._fill())
        self.table.itemSelectionChanged.connect(self._current_changed)
        self.table.cellClicked.connect(lambda _r, _c: self._current_changed())  # the row already selected
        self.adopt_button.clicked.connect(lambda: self._act("adopt"))
        self.mine_button.clicked.connect(self.keep_mine)
        self.both_button.clicked.connect(lambda: self._act("both"))
        self.all_button.clicked.connect(self.adopt_all)
        session.document_replaced.connect(self._document_replaced)
        session.undo_stack.indexChanged.connect(self.mark_stale)  # once a step, however many it changed
        self._fill()

    # -- their copy --------------------------------------------------------------------------
    def choose_copy(self) -> bool:
        """Ask for their copy's file and compare with it; False when cancelled or unreadable."""
        path, _ = QFileDialog.getOpenFileName(self, "Compare annotations with another copy",
                                              settings.get("files/last_dir"),
                                              "TEI files (*.xml *.tei);;All files (*)")  # fmt: skip
        return bool(path) and self.open_copy(path)

    def open_copy(self, path: str) -> bool:
        """Compare the document with the copy at ``path`` (an error is shown if it cannot be read)."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a few seconds for thousands
        try:
            doc = TeiDocument.load(path)
            placed, placing = compare.place_theirs(self.session.doc, doc)
            self.their_doc, self.name, self.placed, self.placing = doc, os.path.basename(path), placed, placing
            self.seen.clear()
            self.cache.clear()
            self.refresh()
        except (tei.TeiError, OSError) as exc:
            QApplication.restoreOverrideCursor()
            show_error(self, exc, f"{os.path.basename(path)} cannot be compared with this document.")
            return False
        except BaseException:
            QApplication.restoreOverrideCursor()
            raise
        QApplication.restoreOverrideCursor()
        return True

    def _document_replaced(self) -> None:
        self.cache.clear()
        if self.their_doc is None:
            return
        try:  # another text (or a restored one): place theirs on it again
            self.placed, self.placing = compare.place_theirs(self.session.doc, self.their_doc)
        except tei.TeiError as exc:
            log.info("their copy no longer placed: %s", exc)
            self.their_doc = self.placed = self.result = None
        self.mark_stale()

    def refresh(self) -> None:
        """Compare the document with their copy again and list the differences."""
        self.stale = False
        if self.placed is not None and self.placing is not None:
            self.result = compare.compare(self.session.doc, self.placed, self.placing, self.name, self.cache)
        else:
            self.result = None
        self._fill()

    # -- the list ------------------------------------------------------------------------------
    def differences(self) -> list[compare.Difference]:
        """Return the differences the filter shows, in reading order."""
        if self.result is None:
            return []
        kinds = FILTERS[self.filter.currentText()]
        return [d for d in self.result.differences if d.kind in kinds]

    def _fill(self) -> None:
        row = max(self.table.currentRow(), 0)
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        shown = self.differences()
        for i, d in enumerate(shown):
            self.table.insertRow(i)
            kind = compare.KIND_NAMES[d.kind]
            if (d.mine_id, d.theirs_id) in self.seen:
                kind += ", kept mine"
            if d.placed in ("fuzzy", "orphan"):
                kind += " (found approximately)" if d.placed == "fuzzy" else " (not found in my text)"
            values = [d.quote, kind, d.changed_names()]
            for col, value in enumerate(values):
                item = _item(value, i)
                if (d.mine_id, d.theirs_id) in self.seen:
                    item.setForeground(QBrush(QColor("#777777")))
                self.table.setItem(i, col, item)
        self.table.blockSignals(False)
        if self.result is None:
            self.header.setText("Compare your annotations with another scholar's copy of this text: "
                                "File ▸ Compare annotations with…")  # fmt: skip
        else:
            self.header.setText(f"Compared with {self.name}: {self.result.summary()}")
        missing = self.result.counts()["theirs"] if self.result is not None else 0
        self.all_button.setText(f"Adopt all theirs that I don't have ({missing})")
        self.all_button.setEnabled(missing > 0)
        if shown:
            self.table.blockSignals(True)
            self.table.selectRow(min(row, len(shown) - 1))
            self.table.blockSignals(False)
        self._current_changed(show=False)

    def current(self) -> compare.Difference | None:
        """Return the selected difference, or None."""
        row = self.table.currentRow()
        shown = self.differences()
        if not self.table.selectedItems() or not 0 <= row < len(shown):
            return None
        return shown[row]

    def _current_changed(self, show: bool = True) -> None:
        d = self.current()
        self.adopt_button.setEnabled(d is not None and d.kind in ("changed", "theirs"))
        self.both_button.setEnabled(d is not None and d.kind == "changed")
        self.mine_button.setEnabled(d is not None and d.kind in ("changed", "theirs"))
        self._side_by_side(d)
        if d is None or not show:
            return
        if d.mine_id:
            self.show_requested.emit(d.mine_id)
        else:
            sel = self._their_selection(d.theirs_id)
            if sel is not None:
                self.passage_requested.emit(*sel)

    def _their_selection(self, theirs_id: str) -> tuple[int, int, int, int] | None:
        """Return the reading selection of their annotation on my text (None if not placed)."""
        assert self.placed is not None
        target = self.placed.annotation(theirs_id).target
        res = self.placed.resolve(target) if target.strip() else []
        if not res or not all(r.ok for r in res):
            return None
        index = ReadingIndex(self.placed)
        span = index.span_of(res[0].start or 0, res[-1].end or 0)
        if span is None:
            return None
        return (*index.block_at(span[0]), *index.block_at(span[1], end=True))

    def _side_by_side(self, d: compare.Difference | None) -> None:
        self.fields.setRowCount(0)
        if d is None:
            return
        mine = _readable(d.mine)
        theirs = _readable(d.theirs)
        if mine.get("passage") == theirs.get("passage") and "passage" in {c.name for c in d.changes}:
            mine["passage"], theirs["passage"] = d.mine.fields["passage"], d.theirs.fields["passage"]  # type: ignore[union-attr]
        differing = {c.name for c in d.changes}
        bold = QFont(self.fields.font())
        bold.setBold(True)
        keys = list(dict.fromkeys([*mine, *theirs]))
        keys.sort(key=lambda k: k not in differing)  # the differences first
        for i, key in enumerate(keys):
            self.fields.insertRow(i)
            differs = key in differing or (d.kind in ("mine", "theirs") and key != "annotator")
            name = _item(f"≠ {key}" if key in differing else key)
            a = _item(mine.get(key, "—" if d.mine is None else "(none)"))
            b = _item(theirs.get(key, "—" if d.theirs is None else "(none)"))
            if differs:
                name.setFont(bold)
                if d.mine is not None:
                    a.setBackground(_MINE_BG)
                if d.theirs is not None:
                    b.setBackground(_THEIRS_BG)
            for col, item in enumerate((name, a, b)):
                self.fields.setItem(i, col, item)
        self.fields.resizeRowsToContents()

    # -- decisions -------------------------------------------------------------------------------
    def keep_mine(self) -> None:
        """Leave my annotation as it is: the difference is marked as seen (nothing changes)."""
        d = self.current()
        if d is None:
            return
        self.seen.add((d.mine_id, d.theirs_id))
        row = self.table.currentRow()
        self._fill()
        self.table.selectRow(min(row + 1, self.table.rowCount() - 1))
        self.session.notice.emit("Kept yours: nothing changed.")

    def _act(self, what: str) -> None:
        d = self.current()
        if d is None or self.result is None:
            return
        placed = self.result.theirs
        who = f"{self.name}'s"
        if what == "adopt" and d.kind == "changed":
            self._step(f"Adopt {who} {d.changed_names()} of “{_short(d.quote)}”", [d.theirs_id],
                       lambda: self.session.edit_annotation(
                           d.mine_id, "Adopt their fields",
                           lambda _a: compare.take_fields(self.session.doc, placed, d.mine_id, d.theirs_id)))  # fmt: skip
        elif what == "adopt" and d.kind == "theirs":
            self._step(f"Adopt {who} annotation on “{_short(d.quote)}”", [d.theirs_id],
                       lambda: self.session.push(AddTheirs(
                           self.session, "Add their annotation",
                           lambda doc: [compare.add_theirs(doc, placed, d.theirs_id)])))  # fmt: skip
        elif what == "both" and d.kind == "changed":
            names = d.changed_names()

            def both() -> None:
                cmd = AddTheirs(self.session, "Add their reading",
                                lambda doc: [_added_reading(doc, placed, d, names)])  # fmt: skip
                self.session.push(cmd)
                self.session.edit_annotation(d.mine_id, "Mark as a disagreement",
                                             lambda a: compare.mark_disagreement(a, cmd.ids[0], names))  # fmt: skip

            self._step(f"Keep both readings of “{_short(d.quote)}”", [d.theirs_id], both)

    def adopt_all(self) -> None:
        """Add every annotation only their copy has, as one undoable step."""
        if self.result is None:
            return
        result = self.result
        missing = [d.theirs_id for d in result.differences if d.kind == "theirs"]
        if not missing:
            return
        n = len(missing)
        self._step(f"Adopt {n} annotation{'s' if n != 1 else ''} from {self.name}", missing,
                   lambda: self.session.push(AddTheirs(self.session, "Add their annotations",
                                                       lambda doc: compare.adopt_missing(doc, result))))  # fmt: skip
        self.session.notice.emit(f"Added {n} annotation{'s' if n != 1 else ''} of {self.name} — Ctrl+Z takes "
                                 f"{'them' if n != 1 else 'it'} back.")  # fmt: skip

    def _step(self, text: str, theirs_ids: list[str], act: Callable[[], None]) -> None:
        """Run ``act`` as one undo step ``text``, their categories brought in first if needed."""
        placed = self.placed
        assert placed is not None
        stack = self.session.undo_stack
        stack.beginMacro(text)
        try:
            if compare.needs_categories(self.session.doc, placed, theirs_ids):
                def bring(tax) -> None:  # noqa: ANN001
                    taken = set(self.session.doc.ids()) - set(category_elements(tax))
                    merge_taxonomy(tax, placed.taxonomy.effective(), taken)

                self.session.edit_taxonomy(f"Add the categories of {self.name}", bring)
            act()
        except tei.TeiError as exc:
            show_error(self, exc, "Their reading cannot be taken over.")
        finally:
            stack.endMacro()


def _added_reading(doc: TeiDocument, placed: TeiDocument, d: compare.Difference, names: str) -> str:
    new_id = compare.add_theirs(doc, placed, d.theirs_id)
    compare.mark_disagreement(doc.annotation(new_id), d.mine_id, names)
    return new_id


def _readable(v: compare.AnnotationView | None) -> dict[str, str]:
    """Return the fields of one side as the panel shows them: the passage by its quote."""
    if v is None:
        return {}
    fields = dict(v.fields)
    if "not found in the text" not in fields.get("passage", ""):
        fields["passage"] = f"“{v.quote}”"
    return fields


def _short(text: str, n: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
