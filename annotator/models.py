"""Thin Qt model adapters over the session (read-only: edits go through commands)."""

from __future__ import annotations

import html
import logging
import sys
from bisect import bisect_right
from dataclasses import dataclass, field

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel

import tei
from tei import ns

from . import citation_style
from .display import category_text, passage_text
from .document_view import tint
from .session import Session

log = logging.getLogger(__name__)

_Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1
CATEGORY_ROLE = Qt.ItemDataRole.UserRole + 2
ANNOTATOR_ROLE = Qt.ItemDataRole.UserRole + 3
CERTAINTY_ROLE = Qt.ItemDataRole.UserRole + 4
SORT_ROLE = Qt.ItemDataRole.UserRole + 5
TEXT_ROLE = Qt.ItemDataRole.UserRole + 6
STATUS_ROLE = Qt.ItemDataRole.UserRole + 7  # '' or why the annotation's target does not resolve
ORPHAN_COLOR = "#a8322b"


@dataclass(slots=True)
class Row:
    """What the annotation list shows for one annotation."""

    id: str
    quote: str
    category: str
    category_label: str
    color: str
    note: str
    annotator: str
    certainty: str
    created: str
    status: str  # "" or why the target does not resolve
    position: int = sys.maxsize  # where the passage starts in the text (orphans last)
    page: str = ""
    search: str = field(default="", repr=False)  # everything the filter matches, lower-cased
    seq: int = 0  # the order in the file (ties and orphans keep it)

    def key(self) -> tuple[int, int]:
        """Sort key of reading order (ties, and orphans, in the file's order)."""
        return (self.position, self.seq)


class _Citations:
    """The citations of a document's sources by id, read on first use: not at all for a
    document whose annotations cite none (its whole tree is searched for them)."""

    def __init__(self, doc: tei.TeiDocument) -> None:
        self.doc = doc
        self._by_id: dict[str, str] | None = None

    def get(self, sid: str) -> str:
        """Return the citation of source ``sid`` (its id if there is no such source)."""
        if self._by_id is None:
            self._by_id = {s.id: s.citation for s in self.doc.sources()}
        return self._by_id.get(sid, sid)


class AnnotationTableModel(QAbstractTableModel):
    """One row per annotation, in reading order: quote, category, note, annotator, certainty,
    created, page."""

    HEADERS = ("Passage", "Category", "Note", "Annotator", "Certainty", "Created", "Page")
    PAGE_COLUMN = 6

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.rows: list[Row] = []
        self._row_of: dict[str, int] = {}
        self.unresolved: dict[str, str] = {}
        self._next_seq = 0
        self._page_starts: list[int] = []  # global offsets of the page markers, in order
        self._page_labels: list[str] = []
        session.annotation_added.connect(self.on_added)
        session.annotation_changed.connect(self.on_changed)
        session.annotation_removed.connect(self.on_removed)
        session.taxonomy_changed.connect(self.reset)
        session.document_replaced.connect(self.reset)
        self.reset()

    # -- building ---------------------------------------------------------------------------
    def _row(self, ann: tei.Annotation, citations: _Citations | None = None) -> Row:
        doc = self.session.doc
        quote = " ".join(passage_text(doc, ann).split())
        position = self._position(ann)
        row = Row(
            id=ann.id,
            quote=quote,
            category=ann.category,
            category_label=category_text(doc, ann),
            color=doc.taxonomy.color(ann.category),
            note=" ".join(ann.note_text.split()),
            annotator=ann.annotator_name,
            certainty=ann.certainty,
            created=ann.created[:16].replace("T", " "),
            status=self.unresolved.get(ann.id, ""),
            position=position,
            page=self._page_at(position),
        )
        row.search = self._search_text(ann, row, citations)
        return row

    def _position(self, ann: tei.Annotation) -> int:
        try:
            found = self.session.doc.resolve(ann.target)
        except tei.TeiError:
            return sys.maxsize
        starts = [r.start for r in found if r.ok and r.start is not None]
        return min(starts) if starts else sys.maxsize

    def _page_at(self, position: int) -> str:
        i = bisect_right(self._page_starts, position) - 1
        return self._page_labels[i] if i >= 0 and position != sys.maxsize else ""

    def _search_text(self, ann: tei.Annotation, row: Row, citations: _Citations | None) -> str:
        """Return what the filter matches: passage, note, category, technique, sources, values."""
        doc = self.session.doc
        parts = [row.quote, ann.note_text, row.category_label, row.annotator]
        cited = ann.cited_sources()
        if cited:
            parts += map((citations or _Citations(doc)).get, cited)
        if ann.kind == "bias":
            parts.append(doc.taxonomy.label(ann.bias.technique) if ann.bias.technique else "")
            parts.append(ann.bias.explanation)
        elif ann.kind == "figure":
            fig = ann.figure
            parts += [fig.stated, fig.rationale]
            for alt in fig.alternatives:
                parts += [alt.value, alt.locator, alt.note]
        elif ann.kind == "source":
            parts.append(ann.source_link.locator)
        return "\n".join(p for p in parts if p).lower()

    def set_pages(self, pages: list[tuple[str, int]]) -> None:
        """Record the page markers as (label, global offset) and show each passage's page."""
        pages = sorted(pages, key=lambda p: p[1])
        self._page_labels = [label for label, _ in pages]
        self._page_starts = [offset for _, offset in pages]
        for r in self.rows:
            r.page = self._page_at(r.position)
        if self.rows:
            col = self.PAGE_COLUMN
            self.dataChanged.emit(self.index(0, col), self.index(len(self.rows) - 1, col))

    def reset(self) -> None:
        """Rebuild all rows (document replaced or taxonomy changed)."""
        self.beginResetModel()
        citations = _Citations(self.session.doc)  # read if an annotation cites a source
        self.rows = []
        for seq, ann in enumerate(a for a in self.session.doc.annotations() if a.id):
            row = self._row(ann, citations)
            row.seq = seq
            self.rows.append(row)
        self.rows.sort(key=Row.key)
        self._next_seq = len(self.rows)
        self._reindex()
        self.endResetModel()

    def _reindex(self) -> None:
        self._row_of = {r.id: i for i, r in enumerate(self.rows)}

    def set_unresolved(self, unresolved: dict[str, str]) -> None:
        """Record which annotations do not resolve (shown with a warning)."""
        self.unresolved = dict(unresolved)
        for r in self.rows:
            r.status = self.unresolved.get(r.id, "")
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, 0))

    def set_status(self, ann_id: str, reason: str) -> None:
        """Record whether one annotation resolves ('' = it does; else why not) and refresh its row."""
        if reason:
            self.unresolved[ann_id] = reason
        else:
            self.unresolved.pop(ann_id, None)
        i = self._row_of.get(ann_id)
        if i is not None and self.rows[i].status != reason:
            self.rows[i].status = reason
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.HEADERS) - 1))

    def on_added(self, ann_id: str) -> None:
        """Insert the row of a new (or restored) annotation at its place in reading order."""
        if ann_id in self._row_of:
            self.on_changed(ann_id)
            return
        row = self._row(self.session.doc.annotation(ann_id))
        row.seq, self._next_seq = self._next_seq, self._next_seq + 1
        pos = bisect_right([r.key() for r in self.rows], row.key())
        self.beginInsertRows(QModelIndex(), pos, pos)
        self.rows.insert(pos, row)
        self._reindex()
        self.endInsertRows()

    def on_changed(self, ann_id: str) -> None:
        """Refresh one row (moved when its passage now starts elsewhere)."""
        i = self._row_of.get(ann_id)
        if i is None:
            return
        row = self._row(self.session.doc.annotation(ann_id))
        row.seq = self.rows[i].seq
        if row.position == self.rows[i].position:
            self.rows[i] = row
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.HEADERS) - 1))
            return
        self.on_removed(ann_id)
        keys = [r.key() for r in self.rows]
        pos = bisect_right(keys, row.key())
        self.beginInsertRows(QModelIndex(), pos, pos)
        self.rows.insert(pos, row)
        self._reindex()
        self.endInsertRows()

    def on_removed(self, ann_id: str) -> None:
        """Remove one row."""
        i = self._row_of.get(ann_id)
        if i is None:
            return
        self.beginRemoveRows(QModelIndex(), i, i)
        del self.rows[i]
        self._reindex()
        self.endRemoveRows()

    def row_of(self, ann_id: str) -> int:
        """Return the row of an annotation, or -1."""
        return self._row_of.get(ann_id, -1)

    # -- Qt model API -----------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:  # fmt: skip
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self.HEADERS):
                return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            value = (r.quote, r.category_label, r.note, r.annotator, r.certainty, r.created, r.page)[col]
            if role == SORT_ROLE and col == self.PAGE_COLUMN:
                return r.position
            if role == SORT_ROLE and col == 4:
                return ("high", "medium", "low", "unknown").index(r.certainty) if r.certainty in (
                    "high", "medium", "low", "unknown") else 9  # fmt: skip
            if role == Qt.ItemDataRole.DisplayRole and col == 0 and r.status:
                return "⚠ orphan · " + value
            return value
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 2 and r.note:  # the whole note, wrapped (rich text tooltips wrap)
                return f"<p>{html.escape(r.note[:3000])}</p>"
            tip = r.quote[:400]
            if r.status:
                tip = (f"Orphan: this annotation's passage cannot be found in the text ({r.status}).\n"
                       f"Select the right passage and use “Use selection” in the editor, or delete it."
                       f"\n\n{tip}")  # fmt: skip
            return tip
        if role == Qt.ItemDataRole.ForegroundRole and r.status and col != 1:
            return QColor(ORPHAN_COLOR)
        if role == STATUS_ROLE:
            return r.status
        if role == Qt.ItemDataRole.BackgroundRole and col == 1:
            return tint(r.color, 0.45)
        if role == Qt.ItemDataRole.DecorationRole and col == 1:
            return QColor(r.color)
        if role == ID_ROLE:
            return r.id
        if role == CATEGORY_ROLE:
            return r.category
        if role == ANNOTATOR_ROLE:
            return r.annotator
        if role == CERTAINTY_ROLE:
            return r.certainty
        if role == TEXT_ROLE:
            return r.search
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{'Orphan (passage not found) ' if r.status else ''}{r.category_label}: {r.quote[:80]}"
        return None


class AnnotationFilterModel(QSortFilterProxyModel):
    """Filters the annotation list by categories, annotator, certainty and free text."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.categories: set[str] | None = None  # None = all
        self.annotator = ""
        self.certainty = ""
        self.text = ""
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    def set_filter(self, *, categories: set[str] | None | bool = False, annotator: str | None = None,
                   certainty: str | None = None, text: str | None = None) -> None:  # fmt: skip
        """Change some filter criteria (others stay as they are)."""
        if categories is not False:
            self.categories = categories  # type: ignore[assignment]
        if annotator is not None:
            self.annotator = annotator
        if certainty is not None:
            self.certainty = certainty
        if text is not None:
            self.text = text.strip().lower()
        self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent: _Index) -> bool:  # noqa: N802 - Qt override
        model = self.sourceModel()
        idx = model.index(row, 0, parent)
        if self.categories is not None:
            cat = model.data(idx, CATEGORY_ROLE)
            session = getattr(model, "session", None)
            root = session.doc.taxonomy.root_of(cat) if session is not None else cat
            if cat not in self.categories and root not in self.categories:
                return False
        if self.annotator and model.data(idx, ANNOTATOR_ROLE) != self.annotator:
            return False
        if self.certainty and model.data(idx, CERTAINTY_ROLE) != self.certainty:
            return False
        return not (self.text and self.text not in model.data(idx, TEXT_ROLE))


class SourcesModel(QStandardItemModel):
    """The document's bibliography and its footnotes, as citable sources. Rebuilt when the
    sources change; a new document is shown first and listed here right after (``reset``)."""

    rebuilt = Signal()

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._cited: dict[str, set[str]] = {}  # annotation id -> the sources it cites
        self._counts: dict[str, int] = {}
        session.sources_changed.connect(self.reset)
        for signal in (session.annotation_added, session.annotation_changed):
            signal.connect(self._recount)
        session.annotation_removed.connect(self._recount)
        self.reset()

    def reset(self) -> None:
        """Rebuild the list from the document."""
        self.clear()
        self.setHorizontalHeaderLabels(["Source", "Id", "Cited by"])
        doc = self.session.doc
        self._cited = {a.id: set(a.cited_sources()) for a in doc.annotations()}
        counts = self._counts = {}
        for cited in self._cited.values():
            for sid in cited:
                counts[sid] = counts.get(sid, 0) + 1
        sources = doc.sources()
        notes_count = sum(1 for b in doc.text.blocks if b.is_note)
        bib = QStandardItem(f"Bibliography ({len(sources)})")
        notes = QStandardItem(f"Footnotes of the document ({notes_count})")
        for item in (bib, notes):
            item.setEditable(False)
            item.setSelectable(False)
        for entry in sources:
            row = self._row(citation_style.entry(entry), entry.id, counts.get(entry.id, 0),
                            "source" if entry.editable else "foreign-source")  # fmt: skip
            bib.appendRow(row)
        for i, b in enumerate(doc.text.blocks):
            if b.is_note:
                xml_id = b.element.get(ns.XML_ID) or ""
                label = b.element.get("n") or ""
                text = (f"[{label}] " if label else "") + b.reading[:200]
                row = self._row(text, xml_id, counts.get(xml_id, 0), "note", block=i)
                notes.appendRow(row)
        self.appendRow([bib, QStandardItem(""), QStandardItem("")])
        self.appendRow([notes, QStandardItem(""), QStandardItem("")])
        for r in range(self.rowCount()):
            for c in range(1, 3):
                it = self.item(r, c)
                it.setEditable(False)
                it.setSelectable(False)
        self.rebuilt.emit()

    def _recount(self, ann_id: str) -> None:
        """Update "Cited by" when an annotation starts or stops citing a source."""
        try:
            now = set(self.session.doc.annotation(ann_id).cited_sources())
        except tei.TeiError:  # removed
            now = set()
        before = self._cited.get(ann_id, set())
        if now == before:
            return
        self._cited[ann_id] = now
        for sid in before ^ now:
            self._counts[sid] = self._counts.get(sid, 0) + (1 if sid in now else -1)
            for item in self._items_of(sid):
                count = self._counts[sid]
                item.setText(str(count) if count else "")

    def _items_of(self, sid: str) -> list[QStandardItem]:
        """Return the "Cited by" cells of a source or footnote id."""
        cells = []
        for r in range(self.rowCount()):
            group = self.item(r, 0)
            for c in range(group.rowCount()):
                if group.child(c, 0).data(ID_ROLE) == sid:
                    cells.append(group.child(c, 2))
        return cells

    @staticmethod
    def _row(text: str, sid: str, count: int, kind: str, block: int = -1) -> list[QStandardItem]:
        a, b, c = QStandardItem(text), QStandardItem(sid), QStandardItem(str(count) if count else "")
        for it in (a, b, c):
            it.setEditable(False)
            it.setData(sid, ID_ROLE)
            it.setData(kind, CATEGORY_ROLE)
            it.setData(block, SORT_ROLE)
            it.setToolTip(text)
        return [a, b, c]


class OutlineModel(QStandardItemModel):
    """Divisions, headings and pages of the document, for navigation."""

    BLOCK_ROLE = Qt.ItemDataRole.UserRole + 10
    OFFSET_ROLE = Qt.ItemDataRole.UserRole + 11

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)

    def build(self, doc: tei.TeiDocument, pages: list[tuple[str, int, int]]) -> None:
        """Fill the outline from the document's headings and the view's page markers."""
        self.clear()
        self.setHorizontalHeaderLabels(["Outline"])
        heads_root = QStandardItem("Contents")
        heads_root.setEditable(False)
        # (the element a heading heads, its item): a heading nests under the nearest heading
        # of an enclosing division, whatever the division's element (div, castList, lg …)
        stack: list[tuple[object, QStandardItem]] = [(None, heads_root)]
        head_tag = ns.qn("head")
        count = 0
        for i, b in enumerate(doc.text.blocks):
            if b.element.tag != head_tag or b.parent >= 0:
                continue
            section = b.element.getparent()
            item = QStandardItem(b.reading[:90] or "(untitled)")
            item.setEditable(False)
            item.setData(i, self.BLOCK_ROLE)
            item.setData(0, self.OFFSET_ROLE)
            item.setToolTip(b.reading[:300])
            ancestors = set(section.iterancestors()) if section is not None else set()
            while len(stack) > 1 and stack[-1][0] not in ancestors:
                stack.pop()
            stack[-1][1].appendRow(item)
            stack.append((section, item))
            count += 1
            if count > 5000:
                break
        if heads_root.rowCount():
            self.appendRow(heads_root)
        if pages:
            pages_root = QStandardItem(f"Pages ({len(pages)})")
            pages_root.setEditable(False)
            for label, i, r in pages[:20000]:
                item = QStandardItem(f"Page {label}")
                item.setEditable(False)
                item.setData(i, self.BLOCK_ROLE)
                item.setData(r, self.OFFSET_ROLE)
                pages_root.appendRow(item)
            self.appendRow(pages_root)
