"""The reading view: a read-only ``QPlainTextEdit`` over a detached, plain-text ``QTextDocument``.

All formatting (TEI headings and emphasis, page markers, note references, annotation highlights)
is applied lazily per visible block with ``QTextLayout.setFormats``: nothing touches the document,
and a change to one annotation re-formats only the blocks it covers (see the performance notes).
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QContextMenuEvent,
    QFont,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextBlock,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextLayout,
)
from PySide6.QtWidgets import QMenu, QPlainTextDocumentLayout, QPlainTextEdit, QToolTip, QWidget

import tei
from tei import colours, ns
from tei.textmodel import is_inline_note, text_of

from .display import HEADS, VARIANTS, DisplayMap, readings

log = logging.getLogger(__name__)

STRIP_WIDTH = 8
#: Hebrew, Arabic, Syriac, Thaana, N'Ko and their presentation forms.
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
#: Every UTF-16 high byte but those of _RTL's ranges (05-08, FB-FE).
_NOT_RTL_HIGH = bytes(b for b in range(256) if not (0x05 <= b <= 0x08 or 0xFB <= b <= 0xFE))
#: Documents with more blocks than this are shown a first screenful at a time (see set_document).
PROGRESSIVE_BLOCKS = 1500
FIRST_SCREEN_CHARS = 30_000
SERIF = ["Noto Serif", "Source Serif 4", "Georgia", "DejaVu Serif", "Liberation Serif", "serif"]
PAPER = "#fbfaf6"
INK = "#2b2a27"
MUTED = "#8a8578"
ACCENT = "#7a4b1c"

_ITALIC = {ns.qn(t) for t in ("emph", "foreign", "title", "term", "mentioned", "soCalled", "distinct")}
_HI = ns.qn("hi")
_NOTE = ns.qn("note")
_DEL, _ADD = ns.qn("del"), ns.qn("add")
_STAGE = ns.qn("stage")
_SPEAKER = ns.qn("speaker")
_QUOTES = {ns.qn("quote"), ns.qn("cit"), ns.qn("epigraph")}
_LABEL = ns.qn("label")
_LINE = QTextCharFormat.UnderlineStyle
#: A category's underline (tei.taxonomy.UNDERLINES) as Qt draws it.
UNDERLINES = {"solid": _LINE.SingleUnderline, "dotted": _LINE.DotLine, "dashed": _LINE.DashUnderline,
              "dash-dot": _LINE.DashDotLine, "dash-dot-dot": _LINE.DashDotDotLine,
              "wavy": _LINE.WaveUnderline, "none": _LINE.NoUnderline}  # fmt: skip


def tint(color: str | QColor, amount: float) -> QColor:
    """Mix a colour with white (amount 0 = colour, 1 = white)."""
    c = QColor(color)
    return QColor(
        round(c.red() + (255 - c.red()) * amount),
        round(c.green() + (255 - c.green()) * amount),
        round(c.blue() + (255 - c.blue()) * amount),
    )


def highlight(color: str, depth: int, selected: bool) -> QColor:
    """Return the background of a passage (see :func:`tei.colours.highlight_fill`)."""
    return QColor(colours.highlight_fill(QColor(color).name(), depth, selected))


def has_rtl(text: str) -> bool:
    """Tell whether ``text`` holds a right-to-left letter (Hebrew, Arabic, Syriac…). A long text
    without one is told by its UTF-16 high bytes, in C, in half the time the pattern takes."""
    if text.isascii():
        return False
    high = text.encode("utf-16-le", "surrogatepass")[1::2]
    return bool(high.translate(None, _NOT_RTL_HIGH)) and _RTL.search(text) is not None


def _justify(qdoc: QTextDocument) -> None:
    """Justify every paragraph: the only alignment that puts right-to-left paragraphs on the right
    in a plain-text layout."""
    option = qdoc.defaultTextOption()
    option.setAlignment(Qt.AlignmentFlag.AlignJustify)
    qdoc.setDefaultTextOption(option)


class DensityStrip(QWidget):
    """A thin strip beside the scrollbar showing where the annotations are; click to jump."""

    jump_requested = Signal(float)

    def __init__(self, view: DocumentView) -> None:
        super().__init__(view)
        self.view = view
        self.setObjectName("density_strip")
        self.setAccessibleName("Annotation density")
        self.setToolTip("Where the annotations are; click to jump")
        self._marks: list[tuple[float, str]] | None = None

    def invalidate(self) -> None:
        """Recompute the marks at the next paint."""
        self._marks = None
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#efece4"))
        if self._marks is None:
            self._marks = self.view.density_marks()
        h = max(1, self.height())
        rows: dict[int, str] = {}
        for frac, color in self._marks:
            rows.setdefault(int(frac * (h - 2)), color)
        for y, color in rows.items():
            p.fillRect(1, y, self.width() - 2, 2, QColor(color).darker(115))
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self.jump_requested.emit(event.position().y() / max(1, self.height()))


class DocumentView(QPlainTextEdit):
    """Shows a document's reading text with highlights; selecting text is what gets annotated."""

    annotation_clicked = Signal(str)
    note_activated = Signal(int)
    annotations_at_changed = Signal(list)
    first_paint = Signal()
    display_completed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("document_view")
        self.setAccessibleName("Document text")
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setCursorWidth(2)
        self.setMouseTracking(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setFrameShape(QPlainTextEdit.Shape.NoFrame)
        self.doc: tei.TeiDocument | None = None
        self._map: DisplayMap | None = None
        self.pieces: dict[int, list[tuple[int, int, str]]] = {}  # tei block -> (r0, r1, ann id)
        self.ann_blocks: dict[str, list[int]] = {}
        self.unresolved: dict[str, str] = {}
        #: layers: the annotators (person ids, '' = anonymous) whose annotations are not shown
        self.hidden_annotators: set[str] = set()
        #: person id -> colour, when passages are coloured by annotator instead of category
        self.annotator_colours: dict[str, str] = {}
        self.selected_id = ""
        self.hidden_categories: set[str] = set()
        self._formatted: set[int] = set()
        self._painted = False
        self._annotate_actions: list[QAction] = []
        self._extra_actions: list[QAction] = []
        self.correct_menu: QMenu | None = None  # Edit ▸ Correct text, also offered here
        self._font_size = 12
        self.margin_letters = False
        #: More hover text for an annotation (its evidence links), given its id.
        self.extra_summary: Callable[[str], str] | None = None
        self.strip = DensityStrip(self)
        self.strip.jump_requested.connect(self.jump_to_fraction)
        self._format_timer = QTimer(self)
        self._format_timer.setSingleShot(True)
        self._format_timer.setInterval(0)
        self._format_timer.timeout.connect(self.format_visible)
        self.setViewportMargins(0, 0, STRIP_WIDTH, 0)
        self.updateRequest.connect(self._on_update_request)
        self._style()

    # -- look ---------------------------------------------------------------------------------
    def _style(self) -> None:
        pal = self.palette()
        pal.setColor(QPalette.ColorRole.Base, QColor(PAPER))
        pal.setColor(QPalette.ColorRole.Text, QColor(INK))
        pal.setColor(QPalette.ColorRole.Highlight, QColor("#3d6fb6"))
        pal.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
        self.setPalette(pal)
        self.set_reading_font(self._font_size)

    def set_reading_font(self, size: int, family: str = "") -> None:
        """Set the reading font (a serif by default) and re-format."""
        self._font_size = size
        font = QFont()
        font.setFamilies([family] + SERIF if family else SERIF)
        font.setPointSize(size)
        font.setStyleHint(QFont.StyleHint.Serif)
        self.setFont(font)
        if self.document() is not None:
            self.document().setDefaultFont(font)
        self.refresh_all()

    @property
    def map(self) -> DisplayMap | None:
        """Return the display map, completing a first-screenful map first (see set_document)."""
        if self._map is not None and not self._map.complete and self.doc is not None:
            self._complete(self.doc)
        return self._map

    @property
    def shown_map(self) -> DisplayMap | None:
        """Return the map of what is shown now (perhaps only a first screenful), never waiting."""
        return self._map

    # -- loading ------------------------------------------------------------------------------
    def set_document(self, doc: tei.TeiDocument, display: DisplayMap | None = None) -> None:
        """Show ``doc`` (building the display map unless given one).

        A long document is shown in two steps: its first screenful at once, the rest right after
        the first paint, or as soon as :attr:`map` is asked for (``display_completed`` is emitted
        when the map is whole).
        """
        self.doc = doc
        if display is None and len(doc.text.blocks) > PROGRESSIVE_BLOCKS:
            display = DisplayMap(doc, first_chars=FIRST_SCREEN_CHARS)
        self.selected_id = ""
        self.index_annotations()
        self._install(display or DisplayMap(doc))
        self._caret_to_text()
        if self._map is not None and self._map.complete:
            self.display_completed.emit()

    def _caret_to_text(self) -> None:
        """Put the caret before the first character of the text, after any page marker that
        opens it, so that Shift+arrows from the start select words (a marker is not text)."""
        assert self._map is not None and self.doc is not None
        for db in self._map.blocks:
            if db.index >= 0 and self.doc.text.blocks[db.index].reading:
                cursor = self.textCursor()
                cursor.setPosition(self._map.reading_to_qt(db.index, 0))
                self.setTextCursor(cursor)
                return

    def _complete(self, doc: tei.TeiDocument) -> None:
        """Second step of :meth:`set_document`: add the rest of the text after the first
        screenful (the caret, the scroll position and the formats shown stay as they are)."""
        if self.doc is not doc or self._map is None or self._map.complete:
            return
        shown = len(self._map.blocks)
        self._map.complete_all()
        rest = "\n".join([db.text for db in self._map.blocks[shown:]])
        qdoc = self.document()
        if has_rtl(rest):
            _justify(qdoc)
        cursor = QTextCursor(qdoc)
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText("\n" + rest if shown else rest)
        qdoc.setModified(False)
        self._formatted.discard(shown - 1)  # the block the text was added after: laid out anew
        self.strip.invalidate()
        self.format_visible()
        self.display_completed.emit()

    def _install(self, display: DisplayMap) -> None:
        """Put a display map's text into a fresh Qt document (built detached, then shown)."""
        self._map = display
        qdoc = QTextDocument(self)
        qdoc.setDocumentLayout(QPlainTextDocumentLayout(qdoc))
        qdoc.setUndoRedoEnabled(False)
        qdoc.setDefaultFont(self.font())
        qdoc.setDocumentMargin(28)
        text = self._map.text()
        if has_rtl(text):
            _justify(qdoc)
        qdoc.setPlainText(text)
        qdoc.setModified(False)
        self.setDocument(qdoc)  # deletes the previous document (a child of the view)
        self._formatted.clear()
        self.strip.invalidate()
        self.format_visible()

    def index_annotations(self) -> None:
        """Build the per-block index of annotation pieces from scratch."""
        self.pieces.clear()
        self.ann_blocks.clear()
        self.unresolved.clear()
        if self.doc is None:
            return
        for ann in self.doc.annotations():
            self._index_one(ann)

    def _index_one(self, ann: tei.Annotation) -> None:
        assert self.doc is not None
        blocks: list[int] = []
        self.ann_blocks[ann.id] = blocks
        if ann.annotator in self.hidden_annotators:  # a layer switched off
            return
        anchoring = ann.anchoring
        if anchoring is not None and anchoring.outcome == "orphan":  # its pointer shows other words
            self.unresolved[ann.id] = f"not found in the text ({anchoring.reason})"
            return
        for res in self.doc.resolve(ann.target):
            if not res.ok or res.start is None or res.end is None:
                self.unresolved[ann.id] = res.message or res.status
                continue
            for i, r0, r1 in self.doc.text.blocks_between(res.start, res.end):
                self.pieces.setdefault(i, []).append((r0, r1, ann.id))
                blocks.append(i)

    def _unindex(self, ann_id: str) -> list[int]:
        blocks = self.ann_blocks.pop(ann_id, [])
        self.unresolved.pop(ann_id, None)
        for i in set(blocks):
            kept = [p for p in self.pieces.get(i, []) if p[2] != ann_id]
            if kept:
                self.pieces[i] = kept
            else:
                self.pieces.pop(i, None)
        return blocks

    # -- incremental updates -----------------------------------------------------------------
    def annotation_updated(self, ann_id: str) -> None:
        """Re-index one annotation (added or changed) and re-format only its blocks."""
        if self.doc is None:
            return
        old = self._unindex(ann_id)
        try:
            ann = self.doc.annotation(ann_id)
        except tei.AnnotationError:
            ann = None
        if ann is not None:
            self._index_one(ann)
        self.refresh_blocks(set(old) | set(self.ann_blocks.get(ann_id, [])))
        self.strip.invalidate()

    def text_changed(self, indexes: list[int]) -> None:
        """Show the new text of tei blocks an intervention changed (only their Qt blocks are
        rewritten) and re-index the annotations shown in them."""
        if self.doc is None or self._map is None:
            return
        m = self.map
        assert m is not None
        shown = {p[2] for i in indexes for p in self.pieces.get(i, [])}
        if m.refresh_blocks(indexes):
            for i in indexes:
                n = m.qt_block_of[i]
                cursor = QTextCursor(self.document().findBlockByNumber(n))
                cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
                cursor.insertText(m.blocks[n].text)
                self._formatted.discard(n)
        else:  # footnotes are numbered through the text: lay the whole text out again
            bar = self.verticalScrollBar().value()
            pos = self.textCursor().position()
            self._install(DisplayMap(self.doc))
            cursor = self.textCursor()
            cursor.setPosition(min(pos, self.document().characterCount() - 1))
            self.setTextCursor(cursor)
            self.verticalScrollBar().setValue(bar)
        for ann_id in shown:
            self.annotation_updated(ann_id)
        self.format_visible()

    def annotation_removed(self, ann_id: str) -> None:
        """Drop one annotation's highlight."""
        if ann_id == self.selected_id:
            self.selected_id = ""
        self.refresh_blocks(set(self._unindex(ann_id)))
        self.strip.invalidate()

    def refresh_blocks(self, tei_blocks: Iterable[int]) -> None:
        """Forget the formats of these tei blocks; re-format the visible ones now."""
        if self.map is None:
            return
        for i in tei_blocks:
            n = self.map.qt_block_of[i]
            if n in self._formatted:
                self._formatted.discard(n)
                block = self.document().findBlockByNumber(n)
                if self._is_visible(block):
                    self._apply(block)
                else:
                    block.layout().clearFormats()

    def set_layers(self, hidden: set[str], colours: dict[str, str]) -> None:
        """Show only the annotations of the annotators not in ``hidden``; colour passages by
        annotator with ``colours`` (person id -> colour; empty: by category)."""
        self.hidden_annotators = set(hidden)
        self.annotator_colours = dict(colours)
        self.index_annotations()
        self.refresh_all()

    def refresh_all(self) -> None:
        """Forget every block's formats (taxonomy or font change); re-format the visible ones."""
        if self._map is None:
            return
        doc = self.document()
        for n in list(self._formatted):
            doc.findBlockByNumber(n).layout().clearFormats()
        self._formatted.clear()
        doc.markContentsDirty(0, doc.characterCount())
        self.strip.invalidate()
        self.format_visible()

    def set_selected(self, ann_id: str) -> None:
        """Mark one annotation as selected (stronger highlight)."""
        old = self.selected_id
        self.selected_id = ann_id
        self.refresh_blocks(set(self.ann_blocks.get(old, [])) | set(self.ann_blocks.get(ann_id, [])))

    def set_hidden_categories(self, cats: set[str]) -> None:
        """Hide highlights of these categories."""
        self.hidden_categories = set(cats)
        self.refresh_all()

    # -- lazy formatting ---------------------------------------------------------------------
    def _on_update_request(self, rect: QRect, dy: int) -> None:
        self._format_timer.start()

    def _is_visible(self, block: QTextBlock) -> bool:
        if not block.isVisible():
            return False
        geo = self.blockBoundingGeometry(block).translated(self.contentOffset())
        return geo.bottom() >= 0 and geo.top() <= self.viewport().height()

    def visible_blocks(self) -> list[QTextBlock]:
        """Return the Qt blocks currently on screen."""
        out = []
        block = self.firstVisibleBlock()
        height = self.viewport().height()
        offset = self.contentOffset()
        while block.isValid():
            geo = self.blockBoundingGeometry(block).translated(offset)
            if geo.top() > height:
                break
            out.append(block)
            block = block.next()
        return out

    def format_visible(self) -> None:
        """Apply formats to visible blocks that have none yet."""
        if self._map is None:
            return
        for block in self.visible_blocks():
            if block.blockNumber() not in self._formatted:
                self._apply(block)

    def _apply(self, block: QTextBlock) -> None:
        n = block.blockNumber()
        self._formatted.add(n)
        formats = self.block_formats(n)
        layout = block.layout()
        layout.setFormats(formats)
        self.document().markContentsDirty(block.position(), block.length())

    def block_formats(self, n: int) -> list[QTextLayout.FormatRange]:
        """Compute the format ranges of display block ``n`` (TEI styling, then highlights)."""
        assert self._map is not None and self.doc is not None
        if n >= len(self._map.blocks):
            return []
        db = self._map.blocks[n]
        if db.index < 0 or db.qlen == 0:
            return []
        block = self.doc.text.blocks[db.index]
        out: list[QTextLayout.FormatRange] = []

        def add(q0: int, q1: int, fmt: QTextCharFormat) -> None:
            if q1 > q0:
                r = QTextLayout.FormatRange()
                r.start, r.length, r.format = q0, q1 - q0, fmt
                out.append(r)

        def span(r0: int, r1: int) -> tuple[int, int]:
            return db.cp_to_q(db.to_display(r0)), db.cp_to_q(db.to_display(r1, end=True))

        base = self._block_base_format(block.element, block.is_note and block.parent >= 0)
        if base is not None:
            add(0, db.qlen, base)
        if len(block.element):
            self._inline_formats(block, span, add)
        for run in db.runs:
            q0, q1 = db.cp_to_q(run.start), db.cp_to_q(run.start + len(run.text))
            if run.kind != "sep":  # separators read as the text around them
                add(q0, q1, self._run_format(run.kind))
        pieces = [p for p in self.pieces.get(db.index, []) if self._shown(p[2])]
        if pieces:
            self._highlight_formats(db, pieces, add)
        return out

    def _shown(self, ann_id: str) -> bool:
        if not self.hidden_categories:
            return True
        try:
            return self.doc.annotation(ann_id).category not in self.hidden_categories  # type: ignore[union-attr]
        except tei.AnnotationError:
            return False

    def _block_base_format(self, el: object, is_note: bool) -> QTextCharFormat | None:
        tag = el.tag  # type: ignore[attr-defined]
        fmt = QTextCharFormat()
        if tag in HEADS:
            fmt.setFontWeight(QFont.Weight.DemiBold)
            subtitle = el.get("type") in ("sub", "subtitle", "desc")  # type: ignore[attr-defined]
            fmt.setFontPointSize(self._font_size * (1.1 if subtitle else 1.3))
            fmt.setForeground(QColor("#3b352c"))
        elif is_note:
            fmt.setFontPointSize(self._font_size * 0.82)
            fmt.setForeground(QColor("#5d584e"))
        elif tag == _STAGE:
            fmt.setFontItalic(True)
            fmt.setForeground(QColor(MUTED))
        elif tag in (_SPEAKER, _LABEL):
            fmt.setFontCapitalization(QFont.Capitalization.SmallCaps)
            fmt.setFontWeight(QFont.Weight.DemiBold)
        elif tag in _QUOTES or any(a.tag in _QUOTES for a in el.iterancestors()):  # type: ignore[attr-defined]
            fmt.setFontPointSize(self._font_size * 0.92)  # a block quotation, set off as in print
            fmt.setForeground(QColor("#4a453c"))
        else:
            return None
        return fmt

    def _run_format(self, kind: str) -> QTextCharFormat:
        fmt = QTextCharFormat()
        if kind == "noteref":
            fmt.setVerticalAlignment(QTextCharFormat.VerticalAlignment.AlignSuperScript)
            fmt.setForeground(QColor(ACCENT))
            fmt.setFontWeight(QFont.Weight.DemiBold)
            fmt.setToolTip("footnote")
        elif kind == "notelabel":
            fmt.setForeground(QColor(ACCENT))
            fmt.setFontWeight(QFont.Weight.DemiBold)
        else:  # page break
            fmt.setForeground(QColor("#a39c8c"))
            fmt.setFontPointSize(self._font_size * 0.72)
            fmt.setFontFamilies(["Noto Sans", "DejaVu Sans", "sans-serif"])
        return fmt

    def _inline_formats(self, block: object, span, add) -> None:  # noqa: ANN001
        assert self.doc is not None
        root = block.element  # type: ignore[attr-defined]
        offsets = None
        for el in root.iterdescendants():
            tag = el.tag
            if not isinstance(tag, str):
                continue
            fmt = None
            if tag == _HI:
                rend = (el.get("rend") or el.get("rendition") or "").lower()
                fmt = QTextCharFormat()
                if "bold" in rend or "strong" in rend:
                    fmt.setFontWeight(QFont.Weight.Bold)
                if "italic" in rend or "ital" in rend or not rend:
                    fmt.setFontItalic(True)
                if "sup" in rend:
                    fmt.setVerticalAlignment(QTextCharFormat.VerticalAlignment.AlignSuperScript)
                if "sub" in rend:
                    fmt.setVerticalAlignment(QTextCharFormat.VerticalAlignment.AlignSubScript)
                if "smallcap" in rend or "small-caps" in rend:
                    fmt.setFontCapitalization(QFont.Capitalization.SmallCaps)
                if "spaced" in rend or "letterspac" in rend:
                    fmt.setFontLetterSpacing(112)
                if "underline" in rend:
                    fmt.setFontUnderline(True)
            elif tag in _ITALIC:
                fmt = QTextCharFormat()
                fmt.setFontItalic(True)
            elif tag == _DEL:  # a deletion in the source reads as struck out, not as text
                fmt = QTextCharFormat()
                fmt.setFontStrikeOut(True)
                fmt.setForeground(QColor(MUTED))
            elif tag == _ADD:  # an addition (above the line, in the margin) is set off
                fmt = QTextCharFormat()
                fmt.setForeground(QColor(ACCENT))
            elif tag in VARIANTS:
                fmt = QTextCharFormat()
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
                fmt.setUnderlineColor(QColor(MUTED))
            elif tag == _NOTE and is_inline_note(el):  # in the line, set off like a gloss
                fmt = QTextCharFormat()
                fmt.setFontPointSize(self._font_size * 0.78)
                fmt.setForeground(QColor(ACCENT))
            if fmt is None:
                continue
            if offsets is None:
                offsets = self.doc.text.offsets_within(root)
            raw0 = offsets.get(el)
            if raw0 is None:
                continue
            b = block  # type: ignore[assignment]
            r0 = b.to_reading(raw0)
            r1 = b.to_reading(raw0 + len(text_of(el)))
            add(*span(r0, r1), fmt)

    def _highlight_formats(self, db, pieces, add) -> None:  # noqa: ANN001
        """Fill each passage with its innermost annotation's colour (deeper where annotations
        overlap) and underline it in that category's style, so categories differ by shape too."""
        assert self.doc is not None
        doc = self.doc
        colors: dict[str, str] = {}
        lines: dict[str, QTextCharFormat.UnderlineStyle] = {}
        lengths: dict[str, int] = {}
        for r0, r1, aid in pieces:
            try:
                ann = doc.annotation(aid)
                cat, who = ann.category, ann.annotator
            except tei.AnnotationError:
                cat = who = ""
            colors[aid] = self.annotator_colours.get(who) or doc.taxonomy.color(cat)
            lines[aid] = UNDERLINES[doc.taxonomy.underline(cat)]
            lengths[aid] = lengths.get(aid, 0) + (r1 - r0)
        bounds = sorted({p[0] for p in pieces} | {p[1] for p in pieces})
        for a, b in zip(bounds, bounds[1:], strict=False):
            cover = [p[2] for p in pieces if p[0] <= a and p[1] >= b]
            if not cover:
                continue
            fmt = QTextCharFormat()
            inner = min(cover, key=lambda c: lengths[c])
            fmt.setBackground(highlight(colors[inner], len(cover), self.selected_id in cover))
            fmt.setUnderlineStyle(lines[inner])
            fmt.setUnderlineColor(QColor(colors[inner]).darker(160))
            add(db.cp_to_q(db.to_display(a)), db.cp_to_q(db.to_display(b, end=True)), fmt)

    # -- painting ----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        if self._map is not None:
            self.format_visible()
        super().paintEvent(event)
        if self.margin_letters and self._map is not None:
            self._paint_margin_letters()
        if not self._painted and self._map is not None:
            self._painted = True
            QTimer.singleShot(0, self.first_paint.emit)
        if self._map is not None and not self._map.complete and self.doc is not None:
            QTimer.singleShot(0, lambda d=self.doc: self._complete(d))  # the rest, once shown

    def set_margin_letters(self, on: bool) -> None:
        """Show (or not) the key letter of each annotation's category beside its lines."""
        self.margin_letters = on
        self.viewport().update()

    def margin_labels(self) -> list[tuple[QRect, list[tuple[str, str]]]]:
        """Return, for each visible line that annotations cover, its rectangle in the viewport
        and the (letter, colour) of their categories, in order of first appearance."""
        if self._map is None or self.doc is None:
            return []
        tax = self.doc.taxonomy
        offset = self.contentOffset()
        out = []
        for block in self.visible_blocks():
            db = self._map.blocks[block.blockNumber()] if block.blockNumber() < len(self._map.blocks) else None
            pieces = [p for p in self.pieces.get(db.index, []) if self._shown(p[2])] if db and db.index >= 0 else []
            layout = block.layout()
            if not pieces or layout is None:
                continue
            spans = []
            for r0, r1, aid in pieces:
                try:
                    cat = tax.root_of(self.doc.annotation(aid).category)
                except tei.AnnotationError:
                    continue
                letter = (tax.categories[cat].shortcut or tax.label(cat)[:1]) if cat in tax.categories else "?"
                colour = QColor(tax.color(cat)).darker(160).name()
                spans.append((db.cp_to_q(db.to_display(r0)), db.cp_to_q(db.to_display(r1, end=True)),
                              (letter.upper(), colour)))  # fmt: skip
            top = self.blockBoundingGeometry(block).translated(offset).top()
            for k in range(layout.lineCount()):
                line = layout.lineAt(k)
                a, b = line.textStart(), line.textStart() + line.textLength()
                found = list(dict.fromkeys(label for q0, q1, label in sorted(spans) if q0 < b and q1 > a))
                if found:
                    rect = QRect(0, round(top + line.y()), round(self.document().documentMargin()) - 4,
                                 round(line.height()))  # fmt: skip
                    out.append((rect, found))
        return out

    def _paint_margin_letters(self) -> None:
        p = QPainter(self.viewport())
        font = QFont()
        font.setFamilies(["Noto Sans", "DejaVu Sans", "sans-serif"])
        font.setPixelSize(10)
        font.setBold(True)
        p.setFont(font)
        metrics = p.fontMetrics()
        for rect, labels in self.margin_labels():
            while sum(metrics.horizontalAdvance(letter) + 1 for letter, _ in labels) > rect.width():
                labels = labels[:-1]  # too many for the margin: the first ones are kept
            x = rect.right() - sum(metrics.horizontalAdvance(letter) + 1 for letter, _ in labels)
            for letter, colour in labels:
                p.setPen(QColor(colour))
                width = metrics.horizontalAdvance(letter)
                p.drawText(QRect(x, rect.top(), width, rect.height()), Qt.AlignmentFlag.AlignVCenter, letter)
                x += width + 1
        p.end()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        vp = self.viewport().geometry()
        self.strip.setGeometry(QRect(vp.right() + 1, vp.top(), STRIP_WIDTH, vp.height()))
        self._format_timer.start()

    def density_marks(self) -> list[tuple[float, str]]:
        """Return (fraction of the document, colour) for each annotated block."""
        if self._map is None or self.doc is None or not self._map.blocks:
            return []
        total = len(self._map.blocks)
        out = []
        for i, pieces in self.pieces.items():
            aid = pieces[0][2]
            try:
                ann = self.doc.annotation(aid)
            except tei.AnnotationError:
                continue
            color = self.annotator_colours.get(ann.annotator) or self.doc.taxonomy.color(ann.category)
            out.append((self._map.qt_block_of[i] / total, color))
        return out

    # -- positions and selection -------------------------------------------------------------
    def reading_selection(self) -> tuple[int, int, int, int] | None:
        """Return the selection as (block, offset, block, offset) in reading coordinates."""
        if self.map is None:
            return None
        cur = self.textCursor()
        if not cur.hasSelection():
            return None
        b0, r0 = self.map.qt_to_reading(cur.selectionStart())
        b1, r1 = self.map.qt_to_reading(cur.selectionEnd(), end=True)
        if (b1, r1) <= (b0, r0):
            return None
        return b0, r0, b1, r1

    def select_reading(self, b0: int, r0: int, b1: int, r1: int) -> None:
        """Select a reading span (and scroll to it)."""
        assert self.map is not None
        cur = QTextCursor(self.document())
        cur.setPosition(self.map.reading_to_qt(b0, r0))
        cur.setPosition(self.map.reading_to_qt(b1, r1, end=True), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cur)
        self.ensureCursorVisible()

    def annotations_at(self, pos: int) -> list[str]:
        """Return the ids of annotations covering Qt position ``pos``, innermost first."""
        if self.map is None:
            return []
        i, r = self.map.qt_to_reading(pos)
        found = [(p[1] - p[0], p[2]) for p in self.pieces.get(i, []) if p[0] <= r < p[1]]
        return [aid for _, aid in sorted(found)]

    def annotations_under_cursor(self) -> list[str]:
        """Return the annotations the selection overlaps, or the caret touches (the character
        after it, else the one before it), innermost (shortest) first."""
        m = self.map
        if m is None:
            return []
        cur = self.textCursor()
        if not cur.hasSelection():
            pos = cur.position()
            return self.annotations_at(pos) or (self.annotations_at(pos - 1) if pos > 0 else [])
        s, e = cur.selectionStart(), cur.selectionEnd()
        n0, n1 = m.display_block_at(s), m.display_block_at(e)
        found: set[str] = set()
        for n in range(n0, n1 + 1):
            i = m.blocks[n].index
            if i < 0:
                continue
            lo = m.qt_to_reading(s)[1] if n == n0 else 0
            hi = m.qt_to_reading(e, end=True)[1] if n == n1 else len(self.doc.text.blocks[i].reading)  # type: ignore[union-attr]
            found.update(aid for p0, p1, aid in self.pieces.get(i, []) if p0 < hi and p1 > lo)
        return sorted(found, key=self._length)

    def _length(self, ann_id: str) -> int:
        return sum(p1 - p0 for i in set(self.ann_blocks.get(ann_id, []))
                   for p0, p1, aid in self.pieces.get(i, []) if aid == ann_id)  # fmt: skip

    def scroll_to_annotation(self, ann_id: str) -> bool:
        """Scroll to an annotation's first piece and put the caret there; False if unresolved."""
        if self.doc is None or self.map is None:
            return False
        for i, pieces in ((i, self.pieces.get(i, [])) for i in self.ann_blocks.get(ann_id, [])):
            for r0, _r1, aid in pieces:
                if aid == ann_id:
                    self.goto_reading(i, r0)
                    return True
        return False

    def goto_reading(self, index: int, reading: int) -> None:
        """Put the caret at a reading position and scroll it into the upper part of the view."""
        assert self.map is not None
        self.goto_qt(self.map.reading_to_qt(index, reading))

    def goto_qt(self, pos: int) -> None:
        """Put the caret at a Qt position and scroll it into the upper part of the view."""
        cur = QTextCursor(self.document())
        cur.setPosition(pos)
        self.setTextCursor(cur)
        block = self.document().findBlock(pos)
        line = block.layout().lineForTextPosition(pos - block.position()) if block.layout() else None
        within = line.lineNumber() if line is not None and line.isValid() else 0
        # the line holding the position comes to the top, with one line of context above it
        self.verticalScrollBar().setValue(max(0, self._scroll_value_of(block) + within - 1))
        self.ensureCursorVisible()
        self.format_visible()

    def _scroll_value_of(self, block: QTextBlock) -> int:
        # QPlainTextEdit scrolls by lines; not-yet-laid-out blocks count as one line each
        value = 0
        b = self.document().firstBlock()
        n = block.blockNumber()
        if n > 2000:  # approximate for long documents: one line per block
            return n
        while b.isValid() and b.blockNumber() < n:
            value += max(1, b.lineCount())
            b = b.next()
        return value

    def jump_to_fraction(self, frac: float) -> None:
        """Scroll to a fraction of the document (by block number)."""
        if self.map is None or not self.map.blocks:
            return
        n = min(len(self.map.blocks) - 1, max(0, int(frac * len(self.map.blocks))))
        while n < len(self.map.blocks) - 1 and self.map.blocks[n].index < 0:
            n += 1
        self.goto_reading(self.map.blocks[n].index, 0)

    # -- mouse and tooltips ------------------------------------------------------------------
    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton or self.textCursor().hasSelection():
            return
        pos = self.char_at(event.position().toPoint())
        run = self.map.run_at(pos) if self.map is not None else None
        if run is not None and run.kind == "noteref" and run.note_block >= 0:
            self.note_activated.emit(run.note_block)
            return
        ids = self.annotations_at(pos)
        if ids:
            self.annotation_clicked.emit(ids[0])

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        """Select the word double-clicked; on punctuation or a space, select nothing (Qt would
        select the lone mark, and a category key would then annotate it without a word)."""
        super().mouseDoubleClickEvent(event)
        cur = self.textCursor()
        if cur.hasSelection() and not any(ch.isalnum() for ch in cur.selectedText()):
            cur.clearSelection()
            self.setTextCursor(cur)

    def char_at(self, point: QPoint) -> int:
        """Return the Qt position of the character under a viewport point (not the nearest
        caret position, which is after the character when the point is on its right half)."""
        cursor = self.cursorForPosition(point)
        pos = cursor.position()
        if pos > 0 and cursor.block().position() < pos and self.cursorRect(cursor).x() > point.x():
            return pos - 1
        return pos

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.ToolTip and self.map is not None:
            pt = event.pos()  # type: ignore[attr-defined]
            text = self.tooltip_at(self.char_at(pt))
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())  # type: ignore[attr-defined]
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def tooltip_at(self, pos: int) -> str:
        """Return the hover text at Qt position ``pos``: annotations, a note, or a choice."""
        assert self.map is not None and self.doc is not None
        parts = []
        run = self.map.run_at(pos)
        if run is not None and run.kind == "noteref" and run.note_block >= 0:
            note = self.doc.text.blocks[run.note_block].reading
            parts.append(f"<b>Note {html.escape(run.text)}</b>: {html.escape(note[:600])}")
        elif run is not None and run.kind == "pb":
            parts.append(f"Page {html.escape(run.element.get('n') or '') if run.element is not None else ''}")
        for aid in self.annotations_at(pos)[:4]:
            parts.append(self.annotation_summary(aid))
        choice = self._choice_at(pos)
        if choice:
            parts.append(choice)
        return "<hr/>".join(parts)

    def annotation_summary(self, ann_id: str) -> str:
        """Return a short rich-text summary of an annotation for tooltips."""
        assert self.doc is not None
        try:
            ann = self.doc.annotation(ann_id)
        except tei.AnnotationError:
            return ""
        color = self.doc.taxonomy.color(ann.category)
        label = html.escape(self.doc.taxonomy.label(ann.category))
        out = (f"<span style='background:{tint(color, 0.4).name()}'>&nbsp;{label}&nbsp;</span> "
               f"<i>{html.escape(ann.certainty)}</i>")  # fmt: skip
        if ann.kind == "figure":
            fig = ann.figure
            out += f"<br/>stated: <b>{html.escape(fig.stated)}</b> ({html.escape(fig.status)})"
            if fig.alternatives:
                out += "; others: " + ", ".join(html.escape(a.value) for a in fig.alternatives[:4])
        elif ann.kind == "source":
            link = ann.source_link
            out += f"<br/>{html.escape(link.relation)} {html.escape(link.source)} {html.escape(link.locator)}"
        elif ann.kind == "bias" and ann.bias.technique:
            out += f"<br/>{html.escape(self.doc.taxonomy.label(ann.bias.technique))}"
        note = ann.note_text
        if note:
            out += "<br/>" + html.escape(note[:300] + ("…" if len(note) > 300 else ""))
        out += f"<br/><span style='color:{MUTED}'>{html.escape(ann.annotator_name)}</span>"
        if self.extra_summary is not None:
            out += self.extra_summary(ann_id)
        return out

    def _choice_at(self, pos: int) -> str:
        assert self.map is not None and self.doc is not None
        i, r = self.map.qt_to_reading(pos)
        block = self.doc.text.blocks[i]
        if not block.complex:
            return ""
        offsets = None
        for ch in block.element.iter(*VARIANTS):
            if offsets is None:
                offsets = self.doc.text.offsets_within(block.element)
            raw0 = offsets.get(ch)
            if raw0 is None:
                continue
            r0, r1 = block.to_reading(raw0), block.to_reading(raw0 + len(text_of(ch)))
            if r0 <= r < max(r1, r0 + 1):
                alts = [f"{html.escape(k)}: {html.escape(v)}" for k, v in readings(ch)]
                return "<b>Readings</b><br/>" + "<br/>".join(alts)
        return ""

    # -- context menu ------------------------------------------------------------------------
    def set_annotate_actions(self, actions: list[QAction], extra: list[QAction]) -> None:
        """Give the view the category actions (and others) for its context menu."""
        self._annotate_actions = actions
        self._extra_actions = extra

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 - Qt override
        menu = QMenu(self)
        if self.textCursor().hasSelection():
            sub = menu.addMenu("Annotate as")
            for act in self._annotate_actions:
                sub.addAction(act)
            menu.addSeparator()
        else:  # the caret goes where the menu was asked for: its actions act there
            pos = self.char_at(event.pos())
            cursor = self.textCursor()
            cursor.setPosition(pos)
            self.setTextCursor(cursor)
            ids = self.annotations_at(pos)
            if ids:
                self.annotation_clicked.emit(ids[0])
        for act in self._extra_actions:
            menu.addAction(act)
        if self.correct_menu is not None:
            menu.addMenu(self.correct_menu)
        menu.addSeparator()
        copy_act = menu.addAction("Copy")
        copy_act.setEnabled(self.textCursor().hasSelection())
        copy_act.triggered.connect(self.copy)
        menu.addAction("Select All").triggered.connect(self.selectAll)
        menu.popup(event.globalPos())
