"""The annotation editor dock: every field the library supports, edited without modal prompts.

Each change becomes one undoable step through the session. Typed text is committed after a short
pause, when the field loses focus, and before any save or autosave (``commit_pending``); steps of
one typing session in one field merge into a single undo step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFocusEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

import tei
from tei import ns
from tei.annotations import (
    CERTAINTIES,
    RELATIONS,
    STATUSES,
    Alternative,
    BiasNote,
    ContestedFigure,
    Quantity,
    SourceLink,
    xml_safe_text,
)

from .display import passage_text
from .document_view import tint
from .figures import parse_value
from .new_source_dialog import NewSourceDialog
from .session import Session

log = logging.getLogger(__name__)

#: The choice at the end of an alternative value's source list that makes a new source.
NEW_SOURCE = "\x00new-source"
COMMIT_DELAY_MS = 800


class NoteEdit(QPlainTextEdit):
    """A plain-text field that reports when it loses focus. Undo and redo keys go to the
    window's undo stack (the field keeps no undo history of its own)."""

    focus_lost = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setUndoRedoEnabled(False)

    def event(self, event: QEvent) -> bool:  # noqa: D102 - Qt override
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and (
                event.matches(QKeySequence.StandardKey.Undo)
                or event.matches(QKeySequence.StandardKey.Redo)):  # fmt: skip
            event.ignore()  # let the window's Undo/Redo actions have the key
            return True
        return super().event(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusOutEvent(event)
        self.focus_lost.emit()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        # Four lines, not QAbstractScrollArea's 192 px: the editor's scroll area sizes its body
        # by preferred heights (its labels wrap), so large hints would force a scroll bar.
        lines = 4 * self.fontMetrics().lineSpacing() + 2 * self.frameWidth() + 10
        return QSize(super().sizeHint().width(), max(self.minimumHeight(), lines))


class CompactTable(QTableWidget):
    """A table whose preferred height is its minimum height (it grows with the stretch)."""

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(super().sizeHint().width(), self.minimumHeight())


class ChoiceDelegate(QStyledItemDelegate):
    """Edits a table cell with a combo box of (label, value) choices; the cell shows the label
    and keeps the value in ``Qt.UserRole``."""

    def __init__(self, choices: Callable[[], list[tuple[str, object]]], parent: QWidget) -> None:
        super().__init__(parent)
        self.choices = choices

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,  # noqa: N802
                     index: QModelIndex) -> QWidget:  # fmt: skip
        combo = QComboBox(parent)
        combo.setAccessibleName("Choose a value")
        for label, value in self.choices():
            combo.addItem(label, value)
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:  # noqa: N802
        current = index.data(Qt.ItemDataRole.UserRole)
        assert isinstance(editor, QComboBox)
        for i in range(editor.count()):
            if editor.itemData(i) == current:
                editor.setCurrentIndex(i)
                return

    def setModelData(self, editor: QWidget, model: QAbstractItemModel,  # noqa: N802
                     index: QModelIndex) -> None:  # fmt: skip
        assert isinstance(editor, QComboBox)
        model.setItemData(index, {Qt.ItemDataRole.DisplayRole: editor.currentText(),
                                  Qt.ItemDataRole.UserRole: editor.currentData()})  # fmt: skip


def quantity_text(q: Quantity | None) -> str:
    """Return an editable text for a quantity ('' for none)."""
    if q is None:
        return ""
    if q.value is not None:
        num = f"{q.value:g}" if q.value < 1e15 else str(q.value)
        num = str(int(q.value)) if float(q.value).is_integer() else num
    elif q.low is not None or q.high is not None:
        lo = "" if q.low is None else (str(int(q.low)) if float(q.low).is_integer() else str(q.low))
        hi = "" if q.high is None else (str(int(q.high)) if float(q.high).is_integer() else str(q.high))
        num = f"{lo}-{hi}"
    else:
        return q.text
    return num


class AnnotationEditor(QWidget):
    """Edits the current annotation; emits requests the main window carries out."""

    error = Signal(object)
    retarget_requested = Signal(str, str)  # ann id, "selection" | "start-" | "start+" | "end-" | "end+"
    jump_requested = Signal(str)
    delete_requested = Signal(str)
    #: Every keystroke in a text field: the typing journal, [(ann id, field name, text), …].
    typed = Signal(list)
    #: A one-line message for the status bar (characters removed from typed or pasted text).
    notice = Signal(str)
    #: The height the editor needs to show the current annotation without scrolling.
    wants_height = Signal(int)
    #: The annotation shown changed ('' for none).
    annotation_shown = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("annotation_editor")
        self.setAccessibleName("Annotation editor")
        self.session = session
        self.ann_id = ""
        self._loading = False
        self._pending: dict[str, Callable[[], None]] = {}
        self._journal: dict[tuple[str, str], str] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COMMIT_DELAY_MS)
        self._timer.timeout.connect(self.commit_pending)
        self._build()
        session.annotation_changed.connect(self._on_changed)
        session.annotation_removed.connect(self._on_removed)
        session.taxonomy_changed.connect(self._fill_categories)
        session.sources_changed.connect(self._fill_sources)
        session.document_replaced.connect(lambda: self.set_annotation(""))
        self.set_annotation("")

    # -- building -------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = self.scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(10, 4, 10, 2)
        lay.setSpacing(5)

        self.empty_label = QLabel("Select a passage and press a category key (B, F, S, C, Q), "
                                  "or click a highlight to edit it.")  # fmt: skip
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color:#7a7467; padding:12px;")
        lay.addWidget(self.empty_label, 0, Qt.AlignmentFlag.AlignTop)

        self.panel = QWidget()
        lay.addWidget(self.panel, 1)
        pl = QVBoxLayout(self.panel)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.setSpacing(6)

        self.quote_label = QLabel()
        self.quote_label.setObjectName("quote_label")
        self.quote_label.setWordWrap(True)
        self.quote_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.quote_label.setAccessibleName("Annotated passage")
        pl.addWidget(self.quote_label)

        # One "adjust passage" control: each end of the passage moves a word earlier or later
        span_row = QHBoxLayout()
        span_row.setSpacing(2)
        self.span_buttons: dict[str, QToolButton] = {}
        passage_label = QLabel("Passage:")
        passage_label.setObjectName("span_label")
        span_row.addWidget(passage_label)
        for key, text, tip in (
            ("start", "start", ""),
            ("start-", "◂", "Move the passage's start one word earlier"),
            ("start+", "▸", "Move the passage's start one word later"),
            ("end", "end", ""),
            ("end-", "◂", "Move the passage's end one word earlier"),
            ("end+", "▸", "Move the passage's end one word later"),
            ("selection", "Use selection", "Set the passage to the current text selection"),
        ):
            if not tip:  # the label of a pair of arrows
                label = QLabel(text)
                label.setObjectName(f"span_{key}_label")
                label.setContentsMargins(6, 0, 0, 0)
                label.setStyleSheet("color:#6b6353;")
                span_row.addWidget(label)
                continue
            b = QToolButton()
            b.setText(text)
            b.setToolTip(tip)
            b.setAccessibleName(tip)
            b.setObjectName(f"span_{key.replace('+', '_plus').replace('-', '_minus')}")
            if key != "selection":
                b.setStyleSheet("padding: 2px 4px;")  # arrows: narrow, so the row fits a narrow dock
            b.clicked.connect(lambda _=False, k=key: self.retarget_requested.emit(self.ann_id, k))
            self.span_buttons[key] = b
            span_row.addWidget(b)
        span_row.addStretch(1)
        self.jump_button = QToolButton()
        self.jump_button.setText("Show")
        self.jump_button.setObjectName("jump_button")
        self.jump_button.setAccessibleName("Show in text")
        self.jump_button.setToolTip("Show the passage in the text")
        self.jump_button.clicked.connect(lambda: self.jump_requested.emit(self.ann_id))
        span_row.addWidget(self.jump_button)
        pl.addLayout(span_row)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setVerticalSpacing(6)
        self.category_combo = QComboBox()
        self.category_combo.setObjectName("category_combo")
        self.category_combo.setAccessibleName("Category")
        self.category_combo.activated.connect(self._category_chosen)
        self.certainty_combo = QComboBox()
        self.certainty_combo.setObjectName("certainty_combo")
        self.certainty_combo.setAccessibleName("Certainty")
        self.certainty_combo.addItems(list(CERTAINTIES))
        self.certainty_combo.activated.connect(
            lambda: self._edit("Set certainty", lambda a: setattr(a, "certainty", self.certainty_combo.currentText()))
        )
        certainty_label = QLabel("Cer&tainty")
        certainty_label.setBuddy(self.certainty_combo)
        cat_row = QHBoxLayout()
        cat_row.addWidget(self.category_combo, 3)
        cat_row.addWidget(certainty_label)
        cat_row.addWidget(self.certainty_combo, 1)
        form.addRow("&Category", cat_row)
        self.tags_label = QLabel()  # another tool's tags (Recogito's "Name"…), shown as they are
        self.tags_label.setObjectName("tags_label")
        self.tags_label.setWordWrap(True)
        form.addRow("Tags", self.tags_label)
        self.form = form
        category_label = form.labelForField(cat_row)
        if isinstance(category_label, QLabel):
            category_label.setBuddy(self.category_combo)

        self.note_edit = NoteEdit()
        self.note_edit.setObjectName("note_edit")
        self.note_edit.setAccessibleName("Note")
        self.note_edit.setPlaceholderText("Your note (blank line = new paragraph)")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setMinimumHeight(2 * self.note_edit.fontMetrics().lineSpacing() + 14)
        self.note_edit.setMaximumHeight(120)
        self.note_edit.textChanged.connect(self._note_typed)
        self.note_edit.focus_lost.connect(self.finish_typing)
        form.addRow("&Note", self.note_edit)
        pl.addLayout(form)

        self.kind_stack = QStackedWidget()
        self.kind_pages: dict[str, QWidget] = {
            "bias": _top_aligned(self._build_bias()),
            "figure": self._build_figure(),
            "source": _top_aligned(self._build_source()),
            "comment": QWidget(),
            "question": QWidget(),
        }
        for page in self.kind_pages.values():
            self.kind_stack.addWidget(page)
        pl.addWidget(self.kind_stack, 1)

        self.meta_label = QLabel()
        self.meta_label.setObjectName("meta_label")
        self.meta_label.setWordWrap(True)
        self.meta_label.setStyleSheet("color:#7a7467;")
        pl.addWidget(self.meta_label)

        QShortcut(QKeySequence("Escape"), self, activated=self._escape,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)  # fmt: skip

    def _line(self, name: str, accessible: str, key: str, text: str,
              apply: Callable[[str], Callable[[tei.Annotation], None]]) -> QLineEdit:  # fmt: skip
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.textEdited.connect(lambda value: self._queue(key, text, apply(value), edit, value))
        edit.editingFinished.connect(self.finish_typing)
        return edit

    def _build_bias(self) -> QWidget:
        box = QGroupBox("Bias")
        form = QFormLayout(box)
        self.technique_combo = QComboBox()
        self.technique_combo.setObjectName("technique_combo")
        self.technique_combo.setAccessibleName("Bias technique")
        self.technique_combo.activated.connect(self._technique_chosen)
        form.addRow("Technique", self.technique_combo)
        self.explanation_edit = NoteEdit()
        self.explanation_edit.setObjectName("explanation_edit")
        self.explanation_edit.setAccessibleName("Explanation")
        self.explanation_edit.setTabChangesFocus(True)
        self.explanation_edit.setMaximumHeight(80)
        self.explanation_edit.textChanged.connect(self._explanation_typed)
        self.explanation_edit.focus_lost.connect(self.finish_typing)
        form.addRow("Explanation", self.explanation_edit)
        return box

    def _build_figure(self) -> QWidget:
        """The contested-figure group, compact enough that the stated and normalised values, the
        status, the preferred value and three rows of alternatives fit a 1440x900 window."""
        box = QGroupBox("Contested figure")
        box.setObjectName("figure_group")
        outer = QVBoxLayout(box)
        outer.setContentsMargins(8, 2, 8, 4)
        outer.setSpacing(3)
        form = QFormLayout()
        form.setVerticalSpacing(4)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        outer.addLayout(form)

        def fig_setter(field: str) -> Callable[[str], Callable[[tei.Annotation], None]]:
            def make(value: str) -> Callable[[tei.Annotation], None]:
                def change(a: tei.Annotation) -> None:
                    fig = a.figure
                    self._apply_figure_field(fig, field, value)
                    a.figure = fig
                return change
            return make

        self.stated_edit = self._line("stated_edit", "Stated value", "stated", "Edit stated value",
                                      fig_setter("stated"))  # fmt: skip
        form.addRow("Stated", self.stated_edit)
        row = QHBoxLayout()
        self.normalised_edit = self._line("normalised_edit", "Normalised value", "normalised",
                                          "Edit normalised value", fig_setter("normalised"))  # fmt: skip
        self.normalised_edit.setPlaceholderText("number or range, e.g. 500000000 or 300-400")
        self.unit_edit = self._line("unit_edit", "Unit", "unit", "Edit unit", fig_setter("unit"))
        self.unit_edit.setPlaceholderText("unit")
        self.unit_edit.setMaximumWidth(90)
        self.approx_check = QCheckBox("≈")
        self.approx_check.setObjectName("approx_check")
        self.approx_check.setAccessibleName("Approximate")
        self.approx_check.setToolTip("The value is approximate")
        self.approx_check.clicked.connect(
            lambda on: self._edit("Set approximate", fig_setter("approximate")("1" if on else ""))
        )
        row.addWidget(self.normalised_edit, 2)
        row.addWidget(self.unit_edit, 1)
        row.addWidget(self.approx_check)
        form.addRow("Normalised", row)

        verdict = QHBoxLayout()
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("status_combo")
        self.status_combo.setAccessibleName("Status")
        self.status_combo.addItems(list(STATUSES))
        self.status_combo.activated.connect(
            lambda: self._edit("Set status", fig_setter("status")(self.status_combo.currentText()))
        )
        self.preferred_edit = self._line("preferred_edit", "Preferred value", "preferred",
                                         "Edit preferred value", fig_setter("preferred"))  # fmt: skip
        self.preferred_edit.setPlaceholderText("the value you consider right")
        preferred_label = QLabel("Preferred")
        preferred_label.setBuddy(self.preferred_edit)
        verdict.addWidget(self.status_combo, 1)
        verdict.addWidget(preferred_label)
        verdict.addWidget(self.preferred_edit, 2)
        form.addRow("Status", verdict)
        self.rationale_edit = NoteEdit()
        self.rationale_edit.setObjectName("rationale_edit")
        self.rationale_edit.setAccessibleName("Rationale")
        self.rationale_edit.setPlaceholderText("why you prefer this value")
        self.rationale_edit.setTabChangesFocus(True)
        self.rationale_edit.setMaximumHeight(2 * self.fontMetrics().lineSpacing() + 14)
        self.rationale_edit.textChanged.connect(
            lambda: self._queue("rationale", "Edit rationale",
                                fig_setter("rationale")(self.rationale_edit.toPlainText()),
                                self.rationale_edit, self.rationale_edit.toPlainText()))  # fmt: skip
        self.rationale_edit.focus_lost.connect(self.finish_typing)
        form.addRow("Rationale", self.rationale_edit)

        alt_head = QHBoxLayout()
        alt_head.setSpacing(4)
        alt_label = QLabel("Alternative values")
        alt_head.addWidget(alt_label, 1)
        self.add_alt_button = QPushButton("Add value")
        self.add_alt_button.setObjectName("add_alternative")
        self.add_alt_button.setAccessibleName("Add alternative value")
        self.add_alt_button.clicked.connect(lambda: self.add_alternative(edit=True))
        self.remove_alt_button = QPushButton("Remove value")
        self.remove_alt_button.setObjectName("remove_alternative")
        self.remove_alt_button.setAccessibleName("Remove alternative value")
        self.remove_alt_button.clicked.connect(self.remove_alternative)
        alt_head.addWidget(self.add_alt_button)
        alt_head.addWidget(self.remove_alt_button)
        outer.addLayout(alt_head)

        self.alt_table = CompactTable(0, 5)
        self.alt_table.setObjectName("alternatives_table")
        self.alt_table.setAccessibleName("Alternative values")
        alt_label.setBuddy(self.alt_table)
        self.alt_table.setHorizontalHeaderLabels(["Value", "Source", "Locator", "Certainty", "Note"])
        self.alt_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.alt_table.verticalHeader().setVisible(False)
        row_height = self.fontMetrics().height() + 6
        self.alt_table.verticalHeader().setDefaultSectionSize(row_height)
        self.alt_table.verticalHeader().setMinimumSectionSize(row_height)
        self.alt_table.setWordWrap(False)
        # header + four rows without scrolling; grows with the dock
        head = self.alt_table.horizontalHeader().sizeHint().height()
        self.alt_table.setMinimumHeight(head + 4 * row_height + 2 * self.alt_table.frameWidth() + 2)
        self.alt_table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.alt_table.setItemDelegateForColumn(
            1, ChoiceDelegate(lambda: [*self.source_choices(), ("New source…", NEW_SOURCE)], self))
        self.alt_table.setItemDelegateForColumn(
            3, ChoiceDelegate(lambda: [(c, c) for c in CERTAINTIES], self))
        self.alt_table.itemChanged.connect(self._alt_item_changed)
        outer.addWidget(self.alt_table, 1)
        return box

    def _build_source(self) -> QWidget:
        box = QGroupBox("Source link")
        form = QFormLayout(box)
        self.relation_combo = QComboBox()
        self.relation_combo.setObjectName("relation_combo")
        self.relation_combo.setAccessibleName("Relation")
        self.relation_combo.addItems(list(RELATIONS))
        self.relation_combo.activated.connect(lambda: self._edit_link(relation=self.relation_combo.currentText()))
        form.addRow("Relation", self.relation_combo)
        self.source_combo = QComboBox()
        self.source_combo.setObjectName("source_combo")
        self.source_combo.setAccessibleName("Source")
        self.source_combo.activated.connect(self._source_chosen)
        form.addRow("Source", self.source_combo)
        self.locator_edit = self._line("locator_edit", "Locator", "locator", "Edit locator",
                                       lambda v: self._link_change(locator=v))  # fmt: skip
        self.locator_edit.setPlaceholderText("page, folio, section…")
        form.addRow("Locator", self.locator_edit)
        return box

    # -- filling --------------------------------------------------------------------------------
    def _fill_categories(self) -> None:
        doc = self.session.doc
        self.category_combo.clear()
        for cat in doc.taxonomy.categories.values():
            if cat.parent and cat.kind == "bias":
                continue  # techniques are chosen below
            self.category_combo.addItem("   " * cat.depth + cat.label, cat.id)
            self.category_combo.setItemData(self.category_combo.count() - 1, tint(cat.color, 0.35),
                                            Qt.ItemDataRole.BackgroundRole)  # fmt: skip
        self.technique_combo.clear()
        self.technique_combo.addItem("(none)", "")
        for cat in doc.taxonomy.categories.values():
            if cat.kind == "bias" and cat.parent:
                self.technique_combo.addItem(cat.label, cat.id)
        if self.ann_id:
            self.load()

    def _fill_sources(self) -> None:
        doc = self.session.doc
        combos = [self.source_combo]
        for combo in combos:
            combo.clear()
            combo.addItem("(none)", "")
            for entry in doc.sources():
                combo.addItem(entry.citation[:90], entry.id)
            for b in doc.text.blocks:
                if b.is_note:
                    label = b.element.get("n") or "?"
                    combo.addItem(f"Footnote {label}: {b.reading[:70]}", b.element)
        if self.ann_id:
            self.load()

    def add_section(self, section: QWidget) -> None:
        """Show another section (a panel of its own module) above the signature line."""
        lay = self.panel.layout()
        lay.insertWidget(lay.indexOf(self.meta_label), section)

    def source_choices(self) -> list[tuple[str, object]]:
        """Return (text, id or note element) for every citable source."""
        return [(self.source_combo.itemText(i), self.source_combo.itemData(i))
                for i in range(self.source_combo.count())]  # fmt: skip

    def set_annotation(self, ann_id: str) -> None:
        """Show an annotation ('' for none)."""
        if ann_id != self.ann_id:
            self.commit_pending()
        self.ann_id = ann_id
        self.annotation_shown.emit(ann_id)
        has = bool(ann_id)
        self.panel.setVisible(has)
        self.empty_label.setVisible(not has)
        if has:
            if not self.category_combo.count():
                self._fill_categories()
                self._fill_sources()
            self.load()
            body = self.scroll.widget()
            body.adjustSize()
            self.wants_height.emit(body.sizeHint().height() + 2 * self.scroll.frameWidth())

    def load(self) -> None:
        """Refresh every field from the document."""
        try:
            ann = self.session.doc.annotation(self.ann_id)
        except tei.AnnotationError:
            self.set_annotation("")
            return
        self._loading = True
        try:
            self._load(ann)
        finally:
            self._loading = False

    def _load(self, ann: tei.Annotation) -> None:
        doc = self.session.doc
        color = doc.taxonomy.color(ann.category)
        quote = " ".join(passage_text(doc, ann).split())
        self.tags_label.setText(", ".join(ann.tags))
        self.tags_label.setVisible(bool(ann.tags))
        self.form.labelForField(self.tags_label).setVisible(bool(ann.tags))
        self.quote_label.setText(
            f"<div style='background:{tint(color, 0.55).name()}; padding:4px; "
            f"font-family:\"Noto Serif\",serif;'>“{_esc(quote[:500])}{'…' if len(quote) > 500 else ''}”</div>"
        )
        # a contested figure needs the room for its values: the note keeps two lines then
        lines = 2 if ann.kind == "figure" else 6
        self.note_edit.setMaximumHeight(lines * self.note_edit.fontMetrics().lineSpacing() + 14)
        editable = ann.editable
        for w in (self.category_combo, self.certainty_combo, self.note_edit, self.kind_stack,
                  *self.span_buttons.values()):  # fmt: skip
            w.setEnabled(editable)
        main = ann.category
        if doc.taxonomy.kind_of(main) == "bias" and doc.taxonomy.parent_of(main):
            main = doc.taxonomy.root_of(main)
        _select_data(self.category_combo, main)
        self.certainty_combo.setCurrentText(ann.certainty)
        if "note" not in self._pending and note_paragraphs(self.note_edit.toPlainText()) != ann.note:
            _set_plain(self.note_edit, ann.note_text)  # never while the typed text is the note
        kind = ann.kind
        page = self.kind_pages.get(kind, self.kind_pages["comment"])
        self.kind_stack.setCurrentWidget(page)
        for other in self.kind_pages.values():  # the stack as tall as the page shown, not the tallest
            policy = QSizePolicy.Policy.Preferred if other is page else QSizePolicy.Policy.Ignored
            other.setSizePolicy(policy, policy)
        self.kind_stack.updateGeometry()
        if kind == "bias":
            bias = ann.bias
            _select_data(self.technique_combo, bias.technique)
            if "explanation" not in self._pending and self.explanation_edit.toPlainText() != bias.explanation:
                _set_plain(self.explanation_edit, bias.explanation)
        elif kind == "figure":
            self._load_figure(ann.figure)
        elif kind == "source":
            link = ann.source_link
            self.relation_combo.setCurrentText(link.relation)
            _select_data(self.source_combo, link.source)
            _set_line(self.locator_edit, link.locator)
        meta = f"{_esc(ann.annotator_name or 'not signed')} · created {ann.created[:16].replace('T', ' ')}"
        if ann.modified and ann.modified != ann.created:
            meta += f" · modified {ann.modified[:16].replace('T', ' ')}"
        if not editable:
            meta += "<br/>This annotation belongs to another tool and is read-only."
        self.meta_label.setText(meta)

    def _load_figure(self, fig: ContestedFigure) -> None:
        _set_line(self.stated_edit, fig.stated)
        _set_line(self.normalised_edit, quantity_text(fig.normalised))
        _set_line(self.unit_edit, fig.normalised.unit if fig.normalised else "")
        self.approx_check.setChecked(bool(fig.normalised and fig.normalised.approximate))
        self.status_combo.setCurrentText(fig.status)
        _set_line(self.preferred_edit, (fig.preferred.text or fig.preferred.display()) if fig.preferred else "")
        if self.rationale_edit.toPlainText() != fig.rationale and not self.rationale_edit.hasFocus():
            self.rationale_edit.setPlainText(fig.rationale)
        if self.alt_table.state() == QAbstractItemView.State.EditingState:
            return
        self.alt_table.blockSignals(True)
        self.alt_table.setRowCount(len(fig.alternatives))
        for r, alt in enumerate(fig.alternatives):
            for c, value in enumerate((alt.value, alt.source, alt.locator, alt.certainty, alt.note)):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, value)
                if c == 1:
                    item.setText(self._source_title(value) if value else "")
                    item.setToolTip(item.text())
                self.alt_table.setItem(r, c, item)
        self.alt_table.blockSignals(False)

    def _source_title(self, sid: str) -> str:
        for label, data in self.source_choices():
            if data == sid or (not isinstance(data, str) and data.get(ns.XML_ID) == sid):
                return label
        return sid

    # -- editing --------------------------------------------------------------------------------
    def _edit(self, text: str, change: Callable[[tei.Annotation], None], merge_key: str = "") -> bool:
        if self._loading or not self.ann_id:
            return False
        try:
            self.session.edit_annotation(self.ann_id, text, change, merge_key)
        except tei.TeiError as exc:
            self.error.emit(exc)
            self.load()
            return False
        return True

    def _queue(self, key: str, text: str, change: Callable[[tei.Annotation], None],
               field: QWidget, typed: str) -> None:  # fmt: skip
        if self._loading or not self.ann_id:
            return
        if _clean_field(field, typed):  # the field's own signal brings back the cleaned text
            self.notice.emit("Removed characters a TEI file cannot hold from the text "
                             "(a page break became a paragraph break).")  # fmt: skip
            return
        ann_id = self.ann_id
        self._pending[key] = lambda: self._edit_for(ann_id, text, change, key)
        self._timer.start()
        self._journal[(ann_id, field.objectName())] = typed
        self.typed.emit(self.typing_journal())

    def typing_journal(self) -> list[tuple[str, str, str]]:
        """Return what was typed since the journal was last cleared: (ann id, field, text)."""
        return [(a, f, t) for (a, f), t in self._journal.items()]

    def clear_typing_journal(self) -> None:
        """Forget the journal (its text is in a recovery copy or a saved file now)."""
        self._journal.clear()

    def replay_typing(self, journal: list[tuple[str, str, str]]) -> None:
        """Type the journal's text again into the fields it came from (crash recovery)."""
        for ann_id, name, text in journal:
            self.set_annotation(ann_id)
            field = self.findChild(QWidget, name)
            if self.ann_id != ann_id or field is None:
                continue
            if isinstance(field, QLineEdit):
                field.setText(text)
                field.textEdited.emit(text)
            elif isinstance(field, QPlainTextEdit):
                field.setPlainText(text)  # textChanged queues the edit
            self.commit_pending()

    def _edit_for(self, ann_id: str, text: str, change: Callable[[tei.Annotation], None], key: str) -> None:
        current, self.ann_id = self.ann_id, ann_id
        try:
            self._edit(text, change, merge_key=key)
        finally:
            self.ann_id = current

    def commit_pending(self) -> None:
        """Apply typed but not yet committed text (called before saving and autosaving)."""
        self._timer.stop()
        pending, self._pending = self._pending, {}
        for fn in pending.values():
            fn()

    def finish_typing(self) -> None:
        """Commit what was typed and end the typing session (the field lost focus)."""
        self.commit_pending()
        self.session.end_typing()

    def has_pending(self) -> bool:
        """Tell whether typed text waits to be committed."""
        return bool(self._pending)

    def _note_typed(self) -> None:
        text = self.note_edit.toPlainText()
        paras = note_paragraphs(text)
        self._queue("note", "Edit note", lambda a: setattr(a, "note", paras), self.note_edit, text)

    def _explanation_typed(self) -> None:
        text = self.explanation_edit.toPlainText()

        def change(a: tei.Annotation) -> None:
            b = a.bias
            a.bias = BiasNote(b.technique, text)

        self._queue("explanation", "Edit explanation", change, self.explanation_edit, text)

    def _category_chosen(self) -> None:
        cat = self.category_combo.currentData()
        if not cat:
            return
        label = self.session.doc.taxonomy.label(cat)
        self._edit(f"Change category to {label}", lambda a: setattr(a, "category", cat))
        self.load()

    def _technique_chosen(self) -> None:
        tech = self.technique_combo.currentData() or ""

        def change(a: tei.Annotation) -> None:
            a.bias = BiasNote(tech, a.bias.explanation)

        self._edit("Set bias technique", change)

    @staticmethod
    def _apply_figure_field(fig: ContestedFigure, field: str, value: str) -> None:
        if field == "stated":
            fig.stated = value
        elif field == "normalised":
            q = parse_value(value) if value.strip() else None
            if q is not None and fig.normalised is not None:
                q.unit = q.unit or fig.normalised.unit
                q.approximate = q.approximate or fig.normalised.approximate
            fig.normalised = q
        elif field == "unit":
            fig.normalised = fig.normalised or Quantity()
            fig.normalised.unit = value.strip()
        elif field == "approximate":
            fig.normalised = fig.normalised or Quantity()
            fig.normalised.approximate = bool(value)
        elif field == "status":
            fig.status = value
        elif field == "preferred":
            fig.preferred = parse_value(value) if value.strip() else None
        elif field == "rationale":
            fig.rationale = value

    def _alt_item_changed(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        row, col = item.row(), item.column()
        field = ("value", "source", "locator", "certainty", "note")[col]
        if field in ("source", "certainty"):  # chosen in a combo box (ChoiceDelegate)
            value = item.data(Qt.ItemDataRole.UserRole)
            if field == "source" and value is not None and not isinstance(value, str):
                self.cite_for_alternative(row, value)
                return
            if field == "source" and value == NEW_SOURCE:
                QTimer.singleShot(0, lambda: self.new_source_for_alternative(row))  # after the editor closes
                return
            value = value or ("unknown" if field == "certainty" else "")
        else:
            value = item.text()
        self.set_alternative_field(row, field, value)

    def set_alternative_field(self, row: int, field: str, value: str) -> None:
        """Change one field of one alternative value (one undo step)."""

        def change(a: tei.Annotation) -> None:
            fig = a.figure
            alt = fig.alternatives[row]
            setattr(alt, field, value)
            if field == "value":
                alt.quantity = parse_value(value)
            a.figure = fig

        self._edit(f"Edit alternative {field}", change)

    def new_source_for_alternative(self, row: int) -> None:
        """Ask for a new bibliography entry and make it the source of an alternative value
        (one undo step for both)."""
        fields = NewSourceDialog.ask(self)
        if not fields:
            self.load()  # the cell shows the source it had
            return
        stack = self.session.undo_stack
        stack.beginMacro("Add a source for a value")
        try:
            sid = self.session.add_source(fields)
            self.set_alternative_field(row, "source", sid)
        finally:
            stack.endMacro()
        self._fill_sources()

    def cite_for_alternative(self, row: int, note: object) -> None:
        """Make one of the document's footnotes the source of an alternative value."""
        session = self.session

        def change(a: tei.Annotation) -> None:
            fig = a.figure
            fig.alternatives[row].source = session.ensure_note_id(note)
            a.figure = fig

        self._edit("Cite footnote for a value", change)

    def add_alternative(self, value: str = "", source: str = "", *, edit: bool = False) -> None:
        """Append an alternative value (one undo step); with ``edit``, the cursor goes to it."""

        def change(a: tei.Annotation) -> None:
            fig = a.figure
            fig.alternatives.append(Alternative(value=value, quantity=parse_value(value) if value else None,
                                                source=source))  # fmt: skip
            a.figure = fig

        if self._edit("Add alternative value", change) and edit:
            row = self.alt_table.rowCount() - 1
            if row >= 0:  # the cursor goes to the new row's value, ready to type
                self.alt_table.setFocus()
                self.alt_table.setCurrentCell(row, 0)
                self.alt_table.editItem(self.alt_table.item(row, 0))

    def remove_alternative(self) -> None:
        """Remove the selected alternative value (one undo step)."""
        row = self.alt_table.currentRow()
        if row < 0:
            row = self.alt_table.rowCount() - 1
        if row < 0:
            return

        def change(a: tei.Annotation) -> None:
            fig = a.figure
            del fig.alternatives[row]
            a.figure = fig

        self._edit("Remove alternative value", change)

    def _link_change(self, **fields: str) -> Callable[[tei.Annotation], None]:
        def change(a: tei.Annotation) -> None:
            link = a.source_link
            a.source_link = SourceLink(
                relation=fields.get("relation", link.relation),
                source=fields.get("source", link.source),
                locator=fields.get("locator", link.locator),
            )
        return change

    def _edit_link(self, **fields: str) -> None:
        self._edit("Edit source link", self._link_change(**fields))

    def _source_chosen(self) -> None:
        data = self.source_combo.currentData()
        self.cite(data)

    def cite(self, source: object) -> None:
        """Cite a source (id) or a footnote (element) from the current annotation."""
        if not self.ann_id:
            return
        session = self.session

        def resolve() -> str:
            if source is None or source == "":
                return ""
            if isinstance(source, str):
                return source
            return session.ensure_note_id(source)

        ann = session.doc.annotation(self.ann_id)
        if ann.kind == "figure":
            def change(a: tei.Annotation) -> None:
                fig = a.figure
                fig.alternatives.append(Alternative(source=resolve()))
                a.figure = fig
            self._edit("Cite source for a value", change)
        elif ann.kind == "source":
            def change2(a: tei.Annotation) -> None:
                link = a.source_link
                a.source_link = SourceLink(link.relation, resolve(), link.locator)
            self._edit("Cite source", change2)
        else:  # never change the kind of a bias note, comment or question behind the user's back
            label = session.doc.taxonomy.label(ann.category)
            self.error.emit(tei.AnnotationError(
                f"A {label.lower()} does not cite sources: sources are cited by a Source link or "
                "by the values of a Contested figure. Select the passage again and press S to "
                "link it to this source."))  # fmt: skip
            return
        self.load()

    # -- signals --------------------------------------------------------------------------------
    def _on_changed(self, ann_id: str) -> None:
        if ann_id == self.ann_id:
            self.load()

    def _on_removed(self, ann_id: str) -> None:
        if ann_id == self.ann_id:
            self._pending.clear()
            self.set_annotation("")

    def _escape(self) -> None:
        self.commit_pending()
        self.jump_requested.emit(self.ann_id)


def note_paragraphs(text: str) -> list[str]:
    """Split a typed note into paragraphs (a blank line starts a new one)."""
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def _clean_field(field: QWidget, typed: str) -> bool:
    """Replace what XML cannot hold in a text field's content; tell whether anything changed."""
    multiline = isinstance(field, QPlainTextEdit)
    clean = xml_safe_text(typed, "\n\n" if multiline else " ")
    if clean == typed:
        return False
    if multiline:
        pos = field.textCursor().position() + len(clean) - len(typed)
        field.setPlainText(clean)  # textChanged: the cleaned text is queued
        cur = field.textCursor()
        cur.setPosition(max(0, min(pos, len(clean))))
        field.setTextCursor(cur)
    elif isinstance(field, QLineEdit):
        pos = field.cursorPosition() + len(clean) - len(typed)
        field.setText(clean)
        field.setCursorPosition(max(0, pos))
        field.textEdited.emit(clean)
    return True


def _top_aligned(widget: QWidget) -> QWidget:
    """Wrap a page so that it keeps its natural height at the top of the stack."""
    page = QWidget()
    lay = QVBoxLayout(page)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(widget)
    lay.addStretch(1)
    return page


def _esc(s: str) -> str:
    import html

    return html.escape(s)


def _select_data(combo: QComboBox, data: object) -> None:
    i = combo.findData(data)
    combo.setCurrentIndex(max(i, 0))


def _set_plain(edit: QPlainTextEdit, text: str) -> None:
    if edit.toPlainText() != text:
        edit.blockSignals(True)
        edit.setPlainText(text)
        edit.blockSignals(False)


def _set_line(edit: QLineEdit, text: str) -> None:
    if edit.text() != text and not edit.hasFocus():
        edit.setText(text)


_ = QColor
