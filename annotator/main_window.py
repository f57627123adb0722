"""The main window: menus, toolbars and docks; wires the widgets' request signals to the session.

Nothing here edits the document directly: every change goes through :class:`Session`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDockWidget,
    QFrame,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QSplitter,
    QTabBar,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

import tei
from tei.document import TeiDocument
from tei.storage import DiskState

from . import footnote_sources_dialog, help_pages, interventions, settings
from .agreement_panel import AgreementPanel
from .annotation_editor import AnnotationEditor
from .annotation_list import AnnotationListPanel
from .collaboration import Collaboration, swatch
from .compare_annotations import CompareAnnotations
from .compare_view import CompareController
from .display import DisplayMap
from .document_panel import DocumentPanel
from .document_view import DocumentView, tint
from .errors import show_error
from .evidence import EvidenceSection, hover_text
from .figures import parse_figure
from .find_bar import FindBar
from .focus_chain import TabOrder
from .history_panel import HistoryPanel
from .identity_bar import IdentityBar, Signing
from .lifecycle import Lifecycle
from .matrix_dock import MatrixPanel
from .message_bar import MessageBar
from .models import ID_ROLE, OutlineModel
from .notes_pane import NotesPane
from .review_queue import ReviewQueue
from .session import Session
from .source_import import SourceImport
from .sources_panel import SourcesPanel
from .taxonomy_editor import TaxonomyEditor
from .validation import Validation, ValidationPanel, ValidationRunner

log = logging.getLogger(__name__)

_BLANK = (b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>'
          b"Glossator</title></titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/>"
          b"</sourceDesc></fileDesc></teiHeader><text><body><p/></body></text></TEI>")  # fmt: skip


class MainWindow(QMainWindow):
    """Glossator's main window; ``MainWindow(path)`` opens ``path`` (synchronously)."""

    document_shown = Signal()

    def __init__(self, path: str | None = None) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.setWindowTitle("Glossator")
        self.setAcceptDrops(True)
        self.resize(1440, 900)  # at most the screen's free area (see fit_to_screen)
        self.session = Session(TeiDocument.from_bytes(_BLANK), None)
        self.session.untitled = False
        self.has_document = False
        self.persist_layout = True
        self._tabs_switchable = False
        self._display_cache: tuple[TeiDocument, DisplayMap] | None = None
        self._navigation_timer = QTimer(self)  # the panes of a long text: after its whole layout
        self._navigation_timer.setSingleShot(True)
        self._navigation_timer.timeout.connect(self._show_navigation)
        self.category_actions: dict[str, QAction] = {}
        self.tab_order = TabOrder(self)
        self.lifecycle = Lifecycle(self)
        self._build_view()
        self.collab = Collaboration(self)  # review, agreement, history and layer actions
        self._build_docks()
        self._build_actions()
        self._build_menus()
        self.source_import = SourceImport(self)  # the Sources menu: bibliography import
        self._build_toolbar()
        self._build_status()
        self._wire()
        self.interventions = interventions.install(self)  # Edit ▸ Correct text
        self._first_state = self.saveState()  # View ▸ Reset layout goes back to it
        self._restore_layout()
        self.tab_order.no_container_focus()
        self.lifecycle.wire()
        self._show_session()
        if path:
            self.open_path(path, background=False)
        self.view.setFocus()  # the keys work in the text from the first second
        self._update_title()
        if self.message_bar.kind != "recovery":
            self.lifecycle.offer_untitled_recovery()

    # -- construction -------------------------------------------------------------------------
    def _build_view(self) -> None:
        central = QWidget()
        central.setObjectName("central")
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.message_bar = MessageBar()
        lay.addWidget(self.message_bar)
        self.identity_bar = IdentityBar()
        self.signing = Signing(self, self.identity_bar)
        self.identity_bar.given.connect(self.signing.given)
        self.identity_bar.declined.connect(self.signing.declined)
        lay.addWidget(self.identity_bar)
        self.view = DocumentView()
        self.view.setAcceptDrops(False)
        self.view.viewport().setAcceptDrops(False)
        self.view.setMinimumWidth(400)  # the text column the docks yield to (some 50 characters)
        self.view.set_reading_font(settings.get("view/font_size"), settings.get("view/font_family"))
        self.reading_splitter = QSplitter()  # a second source opens beside the text (compare_view)
        self.reading_splitter.setObjectName("reading_splitter")
        self.reading_splitter.setChildrenCollapsible(False)
        self.reading_splitter.addWidget(self.view)
        lay.addWidget(self.reading_splitter, 1)
        self.find_bar = FindBar(self.view, lambda: [(c.id, c.label) for c in self.session.doc.taxonomy.categories.values()])
        self.find_bar.hide()
        lay.addWidget(self.find_bar)
        self.setCentralWidget(central)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea,
              scroll: bool = False) -> QDockWidget:  # fmt: skip
        """Add a dock; ``scroll`` wraps a tall panel in a scroll area so that its minimum height
        does not dictate the height of the docks it is tabified with."""
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setAccessibleName(title)
        if scroll:
            area_widget = QScrollArea()
            area_widget.setObjectName(f"{name}_scroll")
            area_widget.setWidgetResizable(True)
            area_widget.setFrameShape(QFrame.Shape.NoFrame)
            area_widget.setWidget(widget)
            widget = area_widget
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        s = self.session
        self.editor = AnnotationEditor(s)
        self.note_edit = self.editor.note_edit
        self.editor_dock = self._dock("Annotation", "editor_dock", self.editor, Qt.DockWidgetArea.RightDockWidgetArea)
        self.compare = CompareController(self)
        self.evidence = EvidenceSection(s, self.editor, self.compare.open_docs, self.compare.candidates)
        self.editor.add_section(self.evidence)
        self.view.extra_summary = lambda aid: hover_text(self.session.doc, aid, self.compare.open_docs())

        self.list_panel = AnnotationListPanel(s)
        self.table_model = self.list_panel.table_model
        self.filter_model = self.list_panel.filter_model
        self.annotation_list = self.list_panel.table
        self.filter_edit = self.list_panel.filter_edit
        self.filter_annotator = self.list_panel.filter_annotator
        list_widget = self.list_panel
        self.list_dock = self._dock("Annotations", "list_dock", list_widget, Qt.DockWidgetArea.RightDockWidgetArea)

        self.sources_panel = SourcesPanel(s)
        # The sources and categories panels are tabified with the list; wrapped in scroll areas so
        # that their tall forms (330 px minimum) do not keep the list area from shrinking.
        self.sources_dock = self._dock("Sources", "sources_dock", self.sources_panel,
                                       Qt.DockWidgetArea.RightDockWidgetArea, scroll=True)  # fmt: skip
        self.taxonomy_editor = TaxonomyEditor(s)
        self.taxonomy_dock = self._dock("Categories", "taxonomy_dock", self.taxonomy_editor,
                                        Qt.DockWidgetArea.RightDockWidgetArea, scroll=True)  # fmt: skip
        self.validation_panel = ValidationPanel()
        self.validation_dock = self._dock("Validation", "validation_dock", self.validation_panel,
                                          Qt.DockWidgetArea.RightDockWidgetArea)  # fmt: skip
        self.review_queue = ReviewQueue(s)
        self.review_dock = self._dock("Review", "review_dock", self.review_queue,
                                      Qt.DockWidgetArea.RightDockWidgetArea, scroll=True)  # fmt: skip
        self.tabifyDockWidget(self.list_dock, self.sources_dock)
        self.tabifyDockWidget(self.sources_dock, self.taxonomy_dock)
        self.tabifyDockWidget(self.taxonomy_dock, self.validation_dock)
        self.agreement_panel = AgreementPanel(s)
        self.agreement_dock = self._dock("Agreement", "agreement_dock", self.agreement_panel,
                                         Qt.DockWidgetArea.RightDockWidgetArea, scroll=True)  # fmt: skip
        self.tabifyDockWidget(self.validation_dock, self.review_dock)
        self.history_panel = HistoryPanel(s)
        self.history_dock = self._dock("History", "history_dock", self.history_panel,
                                       Qt.DockWidgetArea.RightDockWidgetArea, scroll=True)  # fmt: skip
        self.tabifyDockWidget(self.review_dock, self.agreement_dock)
        self.tabifyDockWidget(self.list_dock, self.history_dock)
        self.list_dock.raise_()
        self.validation_dock.hide()  # shown by Tools ▸ Validate
        self.review_dock.hide()  # shown when re-anchoring leaves annotations to review
        self.agreement_dock.hide()  # shown by Tools ▸ Agreement
        self.compare_panel = CompareAnnotations(s)
        self.compare_dock = self._dock("Compare", "compare_dock", self.compare_panel, Qt.DockWidgetArea.RightDockWidgetArea,
                                       scroll=True)
        self.tabifyDockWidget(self.agreement_dock, self.compare_dock)
        self.compare_dock.hide()  # shown by File ▸ Compare annotations with…
        self.list_dock.raise_()
        self.validator = ValidationRunner(self)
        self.validation = Validation(self, self.validator, self.validation_panel)

        self.outline_model = OutlineModel(self)
        self.outline = QTreeView()
        self.outline.setObjectName("outline")
        self.outline.setAccessibleName("Outline")
        self.outline.setModel(self.outline_model)
        self.outline.setHeaderHidden(True)
        self.outline.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.outline_dock = self._dock("Outline", "outline_dock", self.outline, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.notes_pane = NotesPane()
        self.notes_dock = self._dock("Notes", "notes_dock", self.notes_pane, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.tabifyDockWidget(self.outline_dock, self.notes_dock)
        self.document_panel = DocumentPanel(s, self.view)
        self.document_dock = self._dock("Document", "document_dock", self.document_panel,
                                        Qt.DockWidgetArea.LeftDockWidgetArea, scroll=True)  # fmt: skip
        self.tabifyDockWidget(self.notes_dock, self.document_dock)
        self.outline_dock.raise_()
        self.matrix_panel = MatrixPanel(s, self.current_annotation)  # View ▸ Evidence matrix
        self.matrix_dock = self._dock("Evidence matrix", "matrix_dock", self.matrix_panel, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.matrix_dock.hide()
        self._let_docks_yield()
        self._default_dock_sizes()
        for dock in (self.list_dock, self.sources_dock, self.taxonomy_dock, self.validation_dock):
            dock.visibilityChanged.connect(lambda shown, d=dock: shown and self._make_room(d))

    def _let_docks_yield(self) -> None:
        """Let the side panels give their width to the text: their choice lists may narrow to a
        few characters (they widen when there is room), so the window fits a small screen."""
        for dock in self.findChildren(QDockWidget):
            for combo in dock.findChildren(QComboBox):
                combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                combo.setMinimumContentsLength(4)
                QApplication.sendEvent(combo, QEvent(QEvent.Type.StyleChange))  # drops its cached minimum

    def _default_dock_sizes(self) -> None:
        """First-start layout: outline 250 px, right side 470 px, the editor two thirds of it;
        on a narrow window the text keeps at least half the width."""
        spare = max(0, self.width() // 2)
        left, right = min(250, spare * 250 // 720), min(470, spare * 470 // 720)
        self.resizeDocks([self.outline_dock, self.editor_dock], [left, right], Qt.Orientation.Horizontal)
        self.resizeDocks([self.editor_dock, self.list_dock], [2, 1], Qt.Orientation.Vertical)

    def reset_layout(self) -> None:
        """View ▸ Reset layout: the panels as at the first start, the window within the screen."""
        self.restoreState(self._first_state)
        for dock in self.findChildren(QDockWidget):
            dock.setFloating(False)
        for dock in (self.editor_dock, self.list_dock, self.sources_dock, self.taxonomy_dock, self.outline_dock,
                     self.notes_dock, self.document_dock):  # fmt: skip
            dock.show()
        self.validation_dock.hide()
        self.list_dock.raise_()
        self.outline_dock.raise_()
        self.fit_to_screen()
        QTimer.singleShot(0, self._default_dock_sizes)  # once the docks taken back are laid out
        QTimer.singleShot(0, self._hide_stray_tab_bars)
        self.statusBar().showMessage("The panels are back where they were at the first start.", 5000)

    def fit_to_screen(self) -> None:
        """Keep the window, frame included, within the free area of its screen (a remembered
        geometry from a larger screen or a lower scaling too)."""
        if self.isMaximized() or self.isFullScreen():
            return
        geo, frame = self.geometry(), self.frameGeometry()
        screen = QGuiApplication.screenAt(frame.center()) or self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        avail = screen.availableGeometry()
        extra_w, extra_h = frame.width() - geo.width(), frame.height() - geo.height()
        width = min(geo.width(), avail.width() - extra_w)
        height = min(geo.height(), avail.height() - extra_h)
        if (width, height) != (geo.width(), geo.height()):
            self.resize(width, height)
        x = min(max(frame.x(), avail.x()), avail.x() + avail.width() - width - extra_w)
        y = min(max(frame.y(), avail.y()), avail.y() + avail.height() - height - extra_h)
        if (x, y) != (frame.x(), frame.y()):
            self.move(x, y)

    def _action(self, name: str, text: str, slot, shortcut: QKeySequence | str | None = None,  # noqa: ANN001
                tip: str = "") -> QAction:  # fmt: skip
        act = QAction(text, self)
        act.setObjectName(name)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.setToolTip(tip or text.replace("&", "").rstrip("…"))
        act.setStatusTip(act.toolTip())
        act.triggered.connect(slot)
        self.addAction(act)
        return act

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey  # noqa: N806
        self.action_open = self._action("action_open", "&Open…", self.lifecycle.open_dialog, K.Open)
        self.action_save = self._action("action_save", "&Save", self.lifecycle.save, K.Save)
        self.action_save_as = self._action("action_save_as", "Save &As…", lambda: self.lifecycle.save_as(),
                                           "Ctrl+Shift+S")  # fmt: skip - triggered(bool) is no path
        self.action_import_text = self._action("action_import_text", "&Import text…", self.import_text, "Ctrl+I")
        self.action_compare = self._action("action_compare", "Co&mpare annotations with…", self.compare_annotations,
                                           tip="Compare your annotations with another scholar's copy of this text")
        self.action_export = self._action("action_export", "&Export…", lambda: self.export_dialog(), "Ctrl+E")
        self.action_export_html = self._action("action_export_html", "Export as &HTML…",
                                               lambda: self.export_dialog("html"))  # fmt: skip
        self.action_close = self._action("action_close", "&Close window", self.close, K.Close)
        self.action_quit = self._action("action_quit", "&Quit", self.close, "Ctrl+Q")
        self.action_undo = self._action("action_undo", "&Undo", self.undo, K.Undo)
        self.action_redo = self._action("action_redo", "&Redo", self.redo)
        self.action_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.session.undo_stack.indexChanged.connect(self._refresh_undo_actions)
        self._refresh_undo_actions()
        self.action_delete_annotation = self._action(
            "action_delete_annotation", "&Delete annotation", self.delete_current, "Delete",
            "Delete the annotation at the caret or selection, or the rows selected in the list "
            "(undo brings it back)")  # fmt: skip
        self.action_delete_annotation.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.removeAction(self.action_delete_annotation)
        self.view.addAction(self.action_delete_annotation)
        self.annotation_list.addAction(self.action_delete_annotation)
        self.action_find = self._action("action_find", "&Find…", self.find_bar.open_bar, K.Find)
        self.action_find_next = self._action("action_find_next", "Find &next", self.find_bar.next, K.FindNext)
        self.action_find_previous = self._action("action_find_previous", "Find &previous",
                                                 self.find_bar.previous, K.FindPrevious)  # fmt: skip
        self.action_goto_page = self._action("action_goto_page", "&Go to page…", self.goto_page_dialog, "Ctrl+G")
        self.action_edit_note = self._action("action_edit_note", "Edit &note", self.focus_note, "Ctrl+Return",
                                             "Put the cursor in the current annotation's note")  # fmt: skip
        self.action_back_to_text = self._action("action_back_to_text", "Back to &text", self.focus_text, "Ctrl+T")
        self.action_preferences = self._action("action_preferences", "&Preferences…", self.preferences, "Ctrl+,")
        self.action_about = self._action("action_about", "&About Glossator", self.about)
        self.action_guide = self._action("action_guide", "User &guide", self.show_guide, K.HelpContents)
        self.action_shortcuts = self._action("action_shortcuts", "&Keyboard shortcuts", self.show_shortcuts,
                                             "Ctrl+/")  # fmt: skip
        self.action_zoom_in = self._action("action_zoom_in", "Larger text", lambda: self.zoom(1), K.ZoomIn)
        self.action_zoom_out = self._action("action_zoom_out", "Smaller text", lambda: self.zoom(-1), K.ZoomOut)
        self.action_reset_layout = self._action(
            "action_reset_layout", "&Reset layout", self.reset_layout, None,
            "Put the panels back as at the first start and fit the window to the screen")  # fmt: skip
        self.action_margin_letters = self._action(
            "action_margin_letters", "Category &letters in the margin", self.show_margin_letters,
            tip="Show the key letter of each annotation's category beside its lines")  # fmt: skip
        self.action_margin_letters.setCheckable(True)
        self.action_margin_letters.setChecked(settings.get("view/margin_letters"))
        self.view.set_margin_letters(self.action_margin_letters.isChecked())
        self.action_validate = self._action(
            "action_validate", "&Validate", self.validation.start, "F7",
            "Check annotations, ids and references (and the schema set in the preferences)")  # fmt: skip
        self.action_agreement = self._action(
            "action_agreement", "&Agreement and disagreements", self.show_agreement, None,
            "How far the document's annotators agree, per category, and where they differ")  # fmt: skip
        self.action_rollback = self._action(
            "action_rollback", "&Undo someone's changes…", lambda: self.collab.undo_someones_changes(), None,
            "Undo everything one annotator did since a date, after seeing what it is")  # fmt: skip
        self.action_carry = self._action(
            "action_carry", "&Carry annotations to another version…", self.lifecycle.carry_to_version,
            None, "Open another version of this text (a corrected transcription, a new edition) "
            "with these annotations found again in it")  # fmt: skip

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu("&File")
        m.addAction(self.action_open)
        self.recent_menu = m.addMenu("Open &Recent")
        self.recent_menu.setObjectName("recent_menu")
        self.recent_menu.aboutToShow.connect(self.lifecycle.fill_recent)
        m.addAction(self.action_import_text)
        m.addAction(self.action_compare)
        m.addSeparator()
        m.addAction(self.action_save)
        m.addAction(self.action_save_as)
        m.addSeparator()
        m.addAction(self.action_export)
        m.addAction(self.action_export_html)
        m.addSeparator()
        m.addAction(self.action_close)
        m.addAction(self.action_quit)
        m = self.edit_menu = mb.addMenu("&Edit")
        m.addAction(self.action_undo)
        m.addAction(self.action_redo)
        m.addSeparator()
        m.addAction(self.action_find)
        m.addAction(self.action_find_next)
        m.addAction(self.action_find_previous)
        m.addSeparator()
        m.addAction(self.action_preferences)
        self.annotate_menu = mb.addMenu("&Annotate")
        m = mb.addMenu("&View")
        m.addAction(self.action_goto_page)
        m.addAction(self.action_back_to_text)
        m.addAction(self.action_zoom_in)
        m.addAction(self.action_zoom_out)
        m.addAction(self.action_margin_letters)
        self.layers_menu = m.addMenu("Annotators (&layers)")
        self.layers_menu.setObjectName("layers_menu")
        self.layers_menu.aboutToShow.connect(lambda: self.collab.fill_layers_menu())
        m.addAction(self.compare.action)
        m.addSeparator()
        for dock in (self.editor_dock, self.list_dock, self.sources_dock, self.taxonomy_dock,
                     self.validation_dock, self.review_dock, self.agreement_dock, self.history_dock,
                     self.outline_dock, self.notes_dock, self.document_dock, self.matrix_dock):  # fmt: skip
            m.addAction(dock.toggleViewAction())
        m.addAction(self.compare_dock.toggleViewAction())
        m.addAction(self.document_panel.source_action)
        m.addSeparator()
        m.addAction(self.action_reset_layout)
        footnote_sources_dialog.install(self)  # Sources ▸ Make sources from footnotes…
        m = mb.addMenu("&Tools")
        m.setObjectName("tools_menu")
        m.addAction(self.action_validate)
        m.addAction(self.action_carry)
        m.addAction(self.action_agreement)
        m.addAction(self.action_rollback)
        m = mb.addMenu("&Help")
        m.setObjectName("help_menu")
        for act in (self.action_guide, self.action_shortcuts, self.action_about):
            m.addAction(act)

    def _build_toolbar(self) -> None:
        tb = QToolBar("Main", self)
        tb.setObjectName("main_toolbar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for a in (self.action_open, self.action_save, self.action_undo, self.action_redo):
            tb.addAction(a)
        tb.addSeparator()
        self.addToolBar(tb)
        self.category_toolbar = QToolBar("Categories", self)
        self.category_toolbar.setObjectName("category_toolbar")
        self.category_toolbar.setMovable(False)
        self.category_toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(self.category_toolbar)
        tb2 = QToolBar("Find", self)
        tb2.setObjectName("find_toolbar")
        tb2.setMovable(False)
        tb2.addAction(self.action_find)
        tb2.addAction(self.action_goto_page)
        self.addToolBar(tb2)

    def _build_status(self) -> None:
        sb = self.statusBar()
        self.stats_label = QLabel()
        self.stats_label.setObjectName("stats_label")
        self.stats_label.setAccessibleName("Document statistics")
        self.position_label = QLabel()
        self.position_label.setObjectName("position_label")
        self.progress = QProgressBar()
        self.progress.setObjectName("progress")
        self.progress.setMaximumWidth(160)
        self.progress.setRange(0, 0)
        self.progress.setAccessibleName("Working")
        self.progress.hide()
        sb.addPermanentWidget(self.position_label)
        sb.addPermanentWidget(self.stats_label)
        sb.addPermanentWidget(self.progress)

    def _wire(self) -> None:
        s = self.session
        s.annotation_added.connect(self._on_annotation_added)
        s.annotation_changed.connect(self._on_annotation_changed)
        s.annotation_removed.connect(self._on_annotation_removed)
        s.taxonomy_changed.connect(self._on_taxonomy_changed)
        s.document_replaced.connect(self._show_session)
        s.dirty_changed.connect(lambda _d: self._update_title())
        s.undo_stack.indexChanged.connect(self._on_stack_changed)
        s.saved.connect(lambda p: self.statusBar().showMessage(f"Saved {p}", 4000))
        s.notice.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.view.annotation_clicked.connect(self.select_annotation)
        self.view.display_completed.connect(self._navigation_timer.start)
        self.view.note_activated.connect(self.show_note)
        self.view.cursorPositionChanged.connect(self._update_position)
        self.annotation_list.selectionModel().currentRowChanged.connect(self._list_current_changed)
        self.annotation_list.activated.connect(lambda _i: self.focus_note())
        self.list_panel.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.editor.error.connect(lambda exc: show_error(self, exc))
        self.editor.annotation_shown.connect(self.evidence.show_annotation)
        self.evidence.error.connect(lambda exc: show_error(self, exc))
        self.editor.notice.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self._editor_height_before = 0  # the editor's height before a figure needed more
        self.editor.wants_height.connect(self._give_editor_room)
        self.find_bar.annotate_all_requested.connect(self.annotate_all)
        self.editor.retarget_requested.connect(self.retarget)
        self.editor.jump_requested.connect(self.jump_to_annotation)
        self.sources_panel.error.connect(lambda exc: show_error(self, exc))
        self.sources_panel.cite_requested.connect(self.cite)
        self.sources_panel.note_jump_requested.connect(self.show_note)
        self.taxonomy_editor.error.connect(lambda exc: show_error(self, exc))
        self.taxonomy_editor.notice.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.outline.activated.connect(self._outline_activated)
        self.outline.clicked.connect(self._outline_activated)
        self.notes_pane.note_activated.connect(self._note_pane_activated)
        self.agreement_panel.show_requested.connect(lambda aid: (self.select_annotation(aid),
                                                                 self.jump_to_annotation(aid)))
        self.agreement_panel.keep_requested.connect(self.collab.keep_reading)
        self.history_panel.restore_requested.connect(self.collab.restore_version)
        self.compare_panel.show_requested.connect(lambda aid: (self.select_annotation(aid), self.view.scroll_to_annotation(aid)))
        self.compare_panel.passage_requested.connect(self.view.select_reading)
        self.review_queue.show_requested.connect(self.select_annotation)
        self.review_queue.accept_requested.connect(self.collab.accept_anchoring)
        self.review_queue.reattach_requested.connect(lambda aid: self.retarget(aid, "selection"))
        self.review_queue.delete_requested.connect(self.delete_annotations)
        self.review_queue.list.currentItemChanged.connect(lambda *_: self._review_current())
        self.validation_panel.annotation_activated.connect(self.validation.activated)
        self.matrix_panel.evidence_requested.connect(self.show_evidence)
        self.matrix_panel.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.matrix_panel.error.connect(lambda exc: show_error(self, exc))
        self.validation_panel.validate_requested.connect(self.validation.start)
        self.validator.progress.connect(self.validation.progress)
        self.validator.finished.connect(self.validation.finished)
        self.validator.failed.connect(self.validation.failed)

    def _restore_layout(self) -> None:
        geo = settings.load_state("geometry")
        if geo is not None:
            self.restoreGeometry(geo)
        state = settings.load_state("window_state")
        if state is not None:
            self.restoreState(state)
        self._first_start = state is None
        self.fit_to_screen()
        self._fitted_size = self.size()  # showing fits it again unless it was resized since

    # -- keyboard focus -----------------------------------------------------------------------
    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002 - Qt override
        """Tab and Shift+Tab follow the window's :class:`TabOrder`."""
        try:
            if self.tab_order.move(next):
                return True
        except RuntimeError:  # an error escaping a Qt override crashes PySide: Qt's own order then
            log.exception("Tab order")
        return super().focusNextPrevChild(next)

    # -- documents ----------------------------------------------------------------------------
    def _show_session(self) -> None:
        doc = self.session.doc
        cached = self._display_cache
        self._display_cache = None
        self.view.hidden_annotators.clear()  # layers belong to one document's annotators
        self.view.annotator_colours.clear()
        self.view.set_document(doc, cached[1] if cached is not None and cached[0] is doc else None)
        if self._navigation_timer.isActive():  # (started by this text, or the one shown before)
            self._navigation_timer.stop()
            shown = self.view.shown_map
            if shown is not None and shown.complete:  # laid out in one step: the panes at once too
                self._show_navigation()
        self.table_model.set_unresolved(self.view.unresolved)
        self._rebuild_category_actions()
        self.editor.set_annotation("")
        self.editor.clear_typing_journal()
        self.signing.forget()  # ids of the document shown before
        self._update_title()
        self._update_stats()
        self.document_shown.emit()

    def _show_navigation(self) -> None:
        """Fill the outline, the notes pane, the sources and the statistics once the view shows
        the whole document: with it, or for a long one (laid out after its first paint) in the
        event loop's next turn after its complete layout, which it does not hold up."""
        self._navigation_timer.stop()
        self.sources_panel.model.reset()
        doc = self.session.doc
        pages = self.view.map.pages() if self.view.map else []
        self.outline_model.build(doc, pages)
        self.table_model.set_pages([(label, doc.text.reading_to_global(i, r)) for label, i, r in pages])
        self.outline.expandToDepth(1)
        labels, refs = {}, {}  # the callout of each note and where it stands
        if self.view.map is not None:
            for db in self.view.map.blocks:
                for r in db.runs:
                    if r.kind == "noteref" and r.note_block >= 0:
                        labels[r.note_block] = r.text
                        refs.setdefault(r.note_block, (db.index, r.reading))
        self.notes_pane.set_document(doc, labels, refs, pages)
        self._update_stats()

    def open_path(self, path: str, background: bool | None = None) -> bool:
        """Open a TEI file; returns False (after a clear message) if it cannot be opened."""
        return self.lifecycle.open_path(path, background)

    def open_document(self, doc: TeiDocument, title: str = "") -> bool:
        """Show a document that has no file yet (e.g. an import): Save asks for a name."""
        return self.lifecycle.open_document(doc, title)

    def save(self) -> bool:
        """Save to the document's file (asks for a name if it has none)."""
        return self.lifecycle.save()

    def save_as(self, path: str | None = None) -> bool:
        """Save under a new name (asks for it unless ``path`` is given)."""
        return self.lifecycle.save_as(path)

    def autosave(self) -> str:
        """Write a recovery copy if there are unsaved changes; return its path ('' if none)."""
        return self.lifecycle.autosave()

    # -- annotating ---------------------------------------------------------------------------
    def _rebuild_category_actions(self) -> None:
        for act in self.category_actions.values():
            self.view.removeAction(act)
            self.removeAction(act)
            act.deleteLater()
        self.category_actions.clear()
        self.category_toolbar.clear()
        self.annotate_menu.clear()
        taxonomy = self.session.doc.taxonomy
        for cat in taxonomy.categories.values():
            act = QAction(cat.label, self)
            act.setObjectName(f"action_annotate_{cat.id}")
            act.setIcon(swatch(cat.color))
            key = cat.shortcut.strip()
            tip = f"Annotate the selection as {cat.label}"
            if key:
                act.setShortcut(QKeySequence(key))
                act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                tip += f" (key {key})"
            act.setToolTip(tip)
            act.setStatusTip(tip)
            act.triggered.connect(lambda _=False, c=cat.id: self.annotate(c))
            self.view.addAction(act)
            self.category_actions[cat.id] = act
            if cat.depth == 0:
                self.category_toolbar.addAction(act)
                self.annotate_menu.addAction(act)
            else:
                act.setText("    " + cat.label)
                self.annotate_menu.addAction(act)
        self.annotate_menu.addSeparator()
        self.annotate_menu.addAction(self.action_delete_annotation)
        self.annotate_menu.addAction(self.action_edit_note)
        self.annotate_menu.addAction(self.matrix_panel.mark_action)
        self.view.set_annotate_actions([a for a in self.category_actions.values()],
                                       [self.action_delete_annotation, self.document_panel.source_action])  # fmt: skip

    def annotate(self, category: str, init: Callable[[tei.Annotation], None] | None = None) -> str:
        """Annotate the current selection in ``category`` at once (``init`` fills in fields in
        the same undo step); focus the editor's note."""
        sel = self.view.reading_selection()
        if sel is None:
            if self.view.textCursor().hasSelection():
                self.statusBar().showMessage("The selection holds only a page or note marker, not text of the "
                                             "source: extend it over some words.", 6000)  # fmt: skip
            else:
                self.statusBar().showMessage("Select a passage first (mouse, or Shift+arrow keys).", 5000)
            return ""
        if init is None and self.session.doc.taxonomy.kind_of(category) == "figure":
            init = self._figure_init(sel)
        try:
            ann_id = self.session.annotate(sel, category, init)
        except tei.TeiError as exc:
            show_error(self, exc, "The passage cannot be annotated.")
            return ""
        cur = self.view.textCursor()
        cur.clearSelection()
        self.view.setTextCursor(cur)
        self.select_annotation(ann_id)
        self.focus_note()
        self.signing.ask(ann_id)
        return ann_id

    def _figure_init(self, sel: tuple[int, int, int, int]):  # noqa: ANN202
        b0, r0, b1, r1 = sel
        blocks = self.session.doc.text.blocks
        text = blocks[b0].reading[r0:r1] if b0 == b1 else blocks[b0].reading[r0:]
        q = parse_figure(text)

        def init(ann: tei.Annotation) -> None:
            ann.figure = tei.ContestedFigure(stated=" ".join(text.split()), normalised=q)

        return init

    def select_annotation(self, ann_id: str) -> None:
        """Make an annotation current: list row, editor, highlight."""
        self.editor.set_annotation(ann_id)
        self.history_panel.show_annotation(ann_id)
        self.view.set_selected(ann_id)
        row = self.table_model.row_of(ann_id)
        if row >= 0:
            idx = self.filter_model.mapFromSource(self.table_model.index(row, 0))
            if idx.isValid():
                sm = self.annotation_list.selectionModel()
                sm.blockSignals(True)
                self.annotation_list.setCurrentIndex(idx)
                self.annotation_list.selectRow(idx.row())
                sm.blockSignals(False)
                self.annotation_list.scrollTo(idx)
        self.editor_dock.raise_()
        self.matrix_panel.sync_action()

    def show_evidence(self, ann_id: str) -> None:
        """Select an annotation and bring its passage into view (a cell of the evidence matrix)."""
        self.select_annotation(ann_id)
        if not self.view.scroll_to_annotation(ann_id):
            reason = self.view.unresolved.get(ann_id, "")
            self.statusBar().showMessage(f"This annotation cannot be placed in the text: {reason}", 6000)

    def current_annotation(self) -> str:
        """Return the id of the current annotation ('' if none)."""
        return self.editor.ann_id

    def _make_room(self, dock: QDockWidget) -> None:
        """Share the right side between the editor and the tab shown below it: the list needs a
        third, the sources, categories and problems panels (forms) need more than half."""
        if (not self._tabs_switchable or dock.isFloating()
                or self.dockWidgetArea(dock) != self.dockWidgetArea(self.editor_dock)):  # fmt: skip
            return  # not while the window first shows (it keeps the remembered layout)
        share = (2, 1) if dock is self.list_dock else (2, 3)
        self.resizeDocks([self.editor_dock, dock], list(share), Qt.Orientation.Vertical)

    def annotate_all(self, sels: list[tuple[int, int, int, int]], category: str, query: str) -> None:
        """Annotate every hit of a search with one category, as one undo step."""
        label = self.session.doc.taxonomy.label(category)
        stack = self.session.undo_stack
        made, refused = 0, []
        stack.beginMacro(f"Annotate {len(sels)} hits of “{query[:30]}” as {label}")
        try:
            for sel in sels:
                try:
                    self.session.annotate(sel, category)
                    made += 1
                except tei.TeiError as exc:
                    refused.append(str(exc))
        finally:
            stack.endMacro()
        text = f"Annotated {made} hit{'s' if made != 1 else ''} as {label} — Ctrl+Z takes them back."
        if refused:
            text += f" {len(refused)} could not be annotated ({refused[0]})."
        self.statusBar().showMessage(text, 10000)

    def _give_editor_room(self, needed: int) -> None:
        """Grow the editor dock at the expense of the panel below it until the annotation shown
        fits without scrolling (a contested figure's four rows of values at 1366×768); give the
        room back when a smaller one is shown."""
        below = next((d for d in (self.list_dock, self.sources_dock, self.taxonomy_dock, self.validation_dock)
                      if d.isVisible() and not d.visibleRegion().isEmpty() and not d.isFloating()
                      and self.dockWidgetArea(d) == self.dockWidgetArea(self.editor_dock)), None)  # fmt: skip
        dock = self.editor_dock
        if below is None or dock.isFloating():
            return
        want = needed + dock.height() - dock.widget().height()  # plus the title bar
        total = dock.height() + below.height()
        if dock.height() < want:
            self._editor_height_before = self._editor_height_before or dock.height()
            want = min(want, total - 100)
        elif self._editor_height_before and dock.height() > max(want, self._editor_height_before):
            want, self._editor_height_before = max(want, self._editor_height_before), 0
        else:
            return
        if want != dock.height():
            self.resizeDocks([dock, below], [want, total - want], Qt.Orientation.Vertical)

    def _refresh_undo_actions(self) -> None:
        """Name the step Undo and Redo would take ("Undo Add Bias note"), or disable them."""
        stack = self.session.undo_stack
        if not shiboken6.isValid(stack):  # the window is being destroyed
            return
        for act, can, text, label in ((self.action_undo, stack.canUndo(), stack.undoText(), "&Undo"),
                                      (self.action_redo, stack.canRedo(), stack.redoText(), "&Redo")):  # fmt: skip
            act.setEnabled(can)
            act.setText(f"{label} {text}".rstrip())  # the menu names the step
            act.setIconText(label.replace("&", ""))  # the toolbar keeps a fixed label: nothing shifts
            keys = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            act.setToolTip(act.text().replace("&", "") + (f" ({keys})" if keys else ""))

    def undo(self) -> None:
        """Undo the last step (typing still waiting to be committed is that step)."""
        self.editor.commit_pending()
        self.session.undo_stack.undo()

    def redo(self) -> None:
        """Redo the step last undone."""
        self.editor.commit_pending()
        self.session.undo_stack.redo()

    def delete_current(self) -> None:
        """Delete what the user points at: the rows selected in the annotations list when it has
        the focus, else the annotation under the caret or selection (a small menu chooses when
        there are several); one undo step, and the status bar says what went."""
        if self.annotation_list.hasFocus():
            ids = [idx.data(ID_ROLE) for idx in self.annotation_list.selectionModel().selectedRows()]
            where = "selected in the list"
        else:
            ids = self.view.annotations_under_cursor()
            where = "in the selection" if self.view.textCursor().hasSelection() else "at the caret"
            if len(ids) > 1:
                ids = self.choose_annotations(ids)
                if not ids:
                    self.statusBar().showMessage("Nothing deleted.", 4000)
                    return
        ids = [aid for aid in ids if aid]
        if not ids:
            self.statusBar().showMessage(f"Nothing to delete: no annotation {where}.", 5000)
            return
        self.delete_annotations(ids)

    def delete_annotations(self, ids: list[str]) -> None:
        """Delete these annotations as one undo step; the status bar says what went."""
        what = self.describe_annotation(ids[0]) if len(ids) == 1 else f"{len(ids)} annotations"
        stack = self.session.undo_stack
        if len(ids) > 1:
            stack.beginMacro(f"Delete {len(ids)} annotations")
        try:
            for aid in ids:
                self.session.delete_annotation(aid)
        except tei.TeiError as exc:
            show_error(self, exc, "The annotation cannot be deleted.")
            return
        finally:
            if len(ids) > 1:
                stack.endMacro()
        undo = self.action_undo.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        self.statusBar().showMessage(f"Deleted {what} — {undo} to restore", 8000)

    def _review_current(self) -> None:
        """Show the annotation the review queue compares: in the editor and, placed, in the text."""
        ann_id = self.review_queue.current_id()
        if not ann_id:
            return
        self.select_annotation(ann_id)
        if ann_id not in self.view.unresolved:
            self.view.scroll_to_annotation(ann_id)

    def show_agreement(self) -> None:
        """Tools ▸ Agreement: show the Agreement panel."""
        self.agreement_dock.show()
        self.agreement_dock.raise_()
        self._make_room(self.agreement_dock)

    def compare_annotations(self) -> None:
        """File ▸ Compare annotations with…: choose another copy and show the Compare panel."""
        if self.compare_panel.choose_copy():
            self.compare_dock.show()
            self.compare_dock.raise_()
            self._make_room(self.compare_dock)

    def show_merged_readings(self) -> None:
        """Show the Agreement panel's tab of the readings a git merge kept side by side."""
        self.show_agreement()
        self.agreement_panel.tabs.setCurrentIndex(2)

    def show_review(self) -> None:
        """Show the review queue (annotations placed approximately or not at all)."""
        self.review_dock.show()
        self.review_dock.raise_()
        self._make_room(self.review_dock)
        self.review_queue.list.setFocus()
        self._review_current()

    def describe_annotation(self, ann_id: str) -> str:
        """Return "bias note on 'truly nationwide'" for an annotation."""
        doc = self.session.doc
        ann = doc.annotation(ann_id)
        quote = " ".join(ann.quote.split())
        if len(quote) > 40:
            quote = quote[:39].rstrip() + "…"
        label = doc.taxonomy.label(ann.category).lower()
        return f"{label} on '{quote}'" if quote else label

    def choose_annotations(self, ids: list[str]) -> list[str]:
        """Ask which of several annotations to delete with a small menu at the caret (the
        innermost first and active, so Delete then Enter deletes it); [] when cancelled."""
        menu = QMenu(self)
        menu.setObjectName("delete_choice_menu")
        menu.setAccessibleName("Which annotation to delete")
        for aid in ids:
            menu.addAction(swatch(self.session.doc.taxonomy.color(self.session.doc.annotation(aid).category)),
                           "Delete " + self.describe_annotation(aid)).setData([aid])  # fmt: skip
        menu.addSeparator()
        menu.addAction(f"Delete all {len(ids)}").setData(list(ids))
        menu.setActiveAction(menu.actions()[0])
        rect = self.view.cursorRect()
        chosen = menu.exec(self.view.viewport().mapToGlobal(rect.bottomLeft()), menu.actions()[0])
        return list(chosen.data()) if chosen is not None else []

    def focus_note(self) -> None:
        """Raise the editor and put the cursor in its note field."""
        if not self.editor.ann_id:
            return
        self.editor_dock.show()
        self.editor_dock.raise_()
        self.note_edit.setFocus()
        cur = self.note_edit.textCursor()
        cur.movePosition(cur.MoveOperation.End)
        self.note_edit.setTextCursor(cur)

    def focus_text(self) -> None:
        """Give the focus back to the text."""
        self.editor.commit_pending()
        self.view.setFocus()

    def jump_to_annotation(self, ann_id: str) -> None:
        """Scroll the text to an annotation and focus the text."""
        if ann_id and not self.view.scroll_to_annotation(ann_id):
            reason = self.view.unresolved.get(ann_id, "")
            self.statusBar().showMessage(f"This annotation cannot be placed in the text: {reason}", 6000)
        self.view.setFocus()

    def retarget(self, ann_id: str, how: str) -> None:
        """Change an annotation's passage: to the selection, or a word more/less at either end."""
        doc = self.session.doc
        try:
            ann = doc.annotation(ann_id)
            if how == "selection":
                sel = self.view.reading_selection()
                if sel is None:
                    self.statusBar().showMessage("Select the new passage in the text first.", 5000)
                    return
            else:
                sel = self._adjusted_span(ann, how)
                if sel is None:
                    return
            b0, r0, b1, r1 = sel

            def change(a: tei.Annotation) -> None:
                a.target = doc.target_for(b0, r0, b1, r1)
                res = doc.resolve(a.target)
                if res and res[0].ok:
                    a.set_quote(*doc.quote_for(res[0].start or 0, res[0].end or 0))
                a.clear_anchoring()  # placed by a person: nothing left to review

            self.session.edit_annotation(ann_id, "Change passage", change)
        except tei.TeiError as exc:
            show_error(self, exc, "The passage cannot be changed.")

    def _adjusted_span(self, ann: tei.Annotation, how: str) -> tuple[int, int, int, int] | None:
        doc = self.session.doc
        res = doc.resolve(ann.target)
        if not res or not res[0].ok:
            return None
        pieces = doc.text.blocks_between(res[0].start or 0, res[0].end or 0)
        if not pieces:
            return None
        b0, r0, _ = pieces[0]
        b1, _, r1 = pieces[-1]
        t0, t1 = doc.text.blocks[b0].reading, doc.text.blocks[b1].reading
        if how == "start-":
            m = list(re.finditer(r"\S+\s*", t0[:r0]))
            r0 = m[-1].start() if m else r0
        elif how == "start+":
            m = re.match(r"\S+\s*", t0[r0:])
            if m and (b0 != b1 or r0 + m.end() < r1):
                r0 += m.end()
        elif how == "end+":
            m = re.match(r"\s*\S+", t1[r1:])
            r1 = r1 + m.end() if m else r1
        elif how == "end-":
            m = list(re.finditer(r"\s*\S+", t1[:r1]))
            if m and (b0 != b1 or m[-1].start() > r0):
                r1 = m[-1].start()
        return b0, r0, b1, r1

    def cite(self, source: object) -> str:
        """Cite a source (id) or footnote (element): on the passage selected in the text, as a
        new Source link (one undo step); without a selection, from the annotation open in the
        editor. Return the id of the annotation that cites it ('' if none)."""
        if self.view.reading_selection() is not None:
            return self._link_selection_to(source)
        if not self.editor.ann_id:
            self.statusBar().showMessage("Select the passage that the source is for (or an annotation) "
                                         "first.", 5000)  # fmt: skip
            return ""
        try:
            self.editor.cite(source)
        except tei.TeiError as exc:
            show_error(self, exc)
            return ""
        return self.editor.ann_id

    def _link_selection_to(self, source: object) -> str:
        taxonomy = self.session.doc.taxonomy
        category = next((c for c in taxonomy.categories if taxonomy.kind_of(c) == "source"), "")
        if not category:
            self.statusBar().showMessage("This document's categories have no source link to cite with.", 6000)
            return ""
        session = self.session

        def init(ann: tei.Annotation) -> None:
            sid = source if isinstance(source, str) else session.ensure_note_id(source)
            ann.source_link = tei.SourceLink(source=sid)

        return self.annotate(category, init)

    # -- session signals ----------------------------------------------------------------------
    def _on_annotation_added(self, ann_id: str) -> None:
        self.view.annotation_updated(ann_id)
        self.table_model.set_status(ann_id, self.view.unresolved.get(ann_id, ""))
        self._update_stats()
        name = self.session.doc.annotation(ann_id).annotator_name
        if name and self.filter_annotator.findData(name) < 0:  # a new annotator
            self.list_panel.fill_annotator_filter()

    def _on_annotation_changed(self, ann_id: str) -> None:
        self.view.annotation_updated(ann_id)
        self.table_model.set_status(ann_id, self.view.unresolved.get(ann_id, ""))
        self._update_stats()

    def _on_annotation_removed(self, ann_id: str) -> None:
        self.view.annotation_removed(ann_id)
        self._update_stats()

    def _on_taxonomy_changed(self) -> None:
        self._rebuild_category_actions()
        self.view.refresh_all()

    def _on_stack_changed(self, _index: int) -> None:
        self.validation.note_change()
        self._update_title()

    def _list_current_changed(self, current: QModelIndex, _prev: QModelIndex) -> None:
        ann_id = current.data(ID_ROLE) if current.isValid() else ""
        if ann_id:
            self.editor.set_annotation(ann_id)
            self.view.set_selected(ann_id)
            self.view.scroll_to_annotation(ann_id)
            self.matrix_panel.sync_action()

    # -- navigation ---------------------------------------------------------------------------
    def _outline_activated(self, idx: QModelIndex) -> None:
        block = idx.data(OutlineModel.BLOCK_ROLE)
        if block is None:
            return
        self.view.goto_reading(int(block), int(idx.data(OutlineModel.OFFSET_ROLE) or 0))

    def show_note(self, block: int) -> None:
        """Show a footnote in the notes pane."""
        self.notes_dock.show()
        self.notes_dock.raise_()
        self.notes_pane.show_note(block)

    def _note_pane_activated(self, block: int) -> None:
        m = self.view.map
        if m is None:
            return
        for n, db in enumerate(m.blocks):
            for r in db.runs:
                if r.kind == "noteref" and r.note_block == block:
                    self.view.goto_qt(m.starts[n] + db.cp_to_q(r.start))
                    return
        self.view.goto_reading(block, 0)

    def go_to_page(self, label: str) -> bool:
        """Scroll to the page marker with this label."""
        if self.view.map is None:
            return False
        for n, i, r in self.view.map.pages():
            if n == label.strip():
                self.view.goto_reading(i, r)
                return True
        self.statusBar().showMessage(f"There is no page {label} in this document.", 5000)
        return False

    def goto_page_dialog(self) -> None:
        """Ask for a page, offering the document's page names (typed or chosen), and go there."""
        names = [n for n, _i, _r in (self.view.map.pages() if self.view.map else []) if n]
        if not names:
            self.statusBar().showMessage("This document has no page markers.", 5000)
            return
        span = f"{names[0]}–{names[-1]}" if len(names) > 1 else names[0]
        label, ok = QInputDialog.getItem(self, "Go to page", f"Page ({len(names)} pages: {span}):",
                                         names, 0, True)  # fmt: skip
        if ok and label:
            self.go_to_page(label)

    def zoom(self, step: int) -> None:
        """Change the reading font size."""
        size = max(7, min(32, settings.get("view/font_size") + step))
        settings.put("view/font_size", size)
        self.view.set_reading_font(size, settings.get("view/font_family"))

    def show_margin_letters(self, on: bool) -> None:
        """Show or hide the category letters in the text's margin (remembered)."""
        settings.put("view/margin_letters", on)
        self.view.set_margin_letters(on)

    def ask_save_changes(self) -> str:
        """Ask whether to save unsaved changes: 'save', 'discard' or 'cancel'."""
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved changes",
                          f"Save the changes to {self.session.display_name()}?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self)  # fmt: skip
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        return {QMessageBox.StandardButton.Save: "save",
                QMessageBox.StandardButton.Discard: "discard"}.get(
                    QMessageBox.StandardButton(answer), "cancel")  # fmt: skip

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self.lifecycle.confirm_discard() or not self.compare.close():
            event.ignore()
            return
        if self.persist_layout:
            settings.save_state("geometry", self.saveGeometry())
            settings.save_state("window_state", self.saveState())
        self.lifecycle.stop()
        self.validator.stop()
        event.accept()

    # -- validation ---------------------------------------------------------------------------
    # -- dialogs ------------------------------------------------------------------------------
    def import_text(self, path: str | None = None) -> bool:
        """File ▸ Import text…: run the plain-text importer and preview its report."""
        from .import_dialog import import_text

        return import_text(self, path)

    def export_dialog(self, fmt: str = "") -> bool:
        """File ▸ Export…: choose format and options, export off the GUI thread."""
        from .export_dialog import export_document

        return export_document(self, fmt)

    def preferences(self) -> None:
        """Edit preferences (identity, autosave, font)."""
        from .preferences import PreferencesDialog

        if PreferencesDialog(self).exec():
            self.lifecycle.apply_autosave_interval()
            self.view.set_reading_font(settings.get("view/font_size"), settings.get("view/font_family"))
            self.sources_panel.model.reset()  # citations in the chosen style
            self.editor.refresh_sources()
            self.signing.answered_elsewhere()

    def _show_help(self, title: str, text: str, *, html: bool = False) -> help_pages.HelpBrowser:
        dialog = help_pages.HelpBrowser(title, text, self, html=html)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def about(self) -> help_pages.HelpBrowser:
        """Show versions, licence and links to the guide and the file format."""
        return self._show_help("About Glossator", help_pages.about_html(), html=True)

    def show_guide(self) -> help_pages.HelpBrowser:
        """Show the user guide."""
        return self._show_help("Glossator user guide", help_pages.read_help("guide.md"))

    def show_shortcuts(self) -> help_pages.HelpBrowser:
        """Show every keyboard shortcut, read from the actions themselves."""
        return self._show_help("Keyboard shortcuts", help_pages.shortcut_sheet(self))

    # -- title and status ---------------------------------------------------------------------
    def _update_title(self) -> None:
        name = self.session.display_name()
        if self.session.untitled and not self.session.path:
            name = self.lifecycle.untitled_title or "Untitled"
        if not self.has_document:
            self.setWindowTitle("Glossator")
            self.setWindowModified(False)
            return
        self.setWindowTitle(f"{name}[*] — Glossator")
        self.setWindowModified(self.session.is_dirty())

    def _update_stats(self) -> None:
        doc = self.session.doc
        n_ann = len(self.table_model.rows)
        blocks = len(doc.text.blocks)
        shown = self.view.shown_map
        pages = len(shown.pages()) if shown is not None and shown.complete else 0
        text = f"{blocks:,} paragraphs"
        if pages:
            text += f" · {pages:,} pages"
        text += f" · {n_ann:,} annotation{'s' if n_ann != 1 else ''}"
        if self.view.unresolved:
            text += f" · ⚠ {len(self.view.unresolved)} unplaced"
        self.stats_label.setText(text)

    def _update_position(self) -> None:
        m = self.view.shown_map
        if m is None or not m.blocks:
            return
        pos = self.view.textCursor().position()
        n = m.display_block_at(pos)
        self.position_label.setText(f"¶ {n * 100 // max(1, len(m.blocks))}%")

    # -- showing ------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not event.spontaneous() and self.size() == self._fitted_size:
            QTimer.singleShot(0, self._fit_shown)
        QTimer.singleShot(0, self._hide_stray_tab_bars)
        QTimer.singleShot(0, lambda: setattr(self, "_tabs_switchable", True))
        if self.review_queue.count() and not self.review_dock.isHidden():
            QTimer.singleShot(0, self.show_review)  # asked for before the window showed

    def _fit_shown(self) -> None:
        """Fit the window once laid out (its frame's size known); on the first start, size the
        docks for the width the screen allows."""
        self.fit_to_screen()
        if self._first_start:
            self._default_dock_sizes()
        self._fitted_size = QSize()  # once

    def _hide_stray_tab_bars(self) -> None:
        """Work around a Qt 6.11 QMainWindowLayout bug: tabified docks laid out once at the
        default size and then restored to another leave a duplicate tab bar that the layout
        never manages. It stays where it was first placed (over the status bar, or outside the
        window), so hide every dock tab bar that is not inside the dock area."""
        bottom = self.statusBar().geometry().top() if self.statusBar().isVisible() else self.height()
        area = self.rect().adjusted(0, 0, 0, bottom - self.height())
        for bar in self.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if bar.isVisible() and not area.contains(bar.geometry()):
                bar.hide()

    # -- drag and drop ------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        for url in event.mimeData().urls():
            if url.isLocalFile():
                path = url.toLocalFile()
                event.acceptProposedAction()
                if path.lower().endswith((".txt", ".md")):
                    self.import_text(path)
                elif self.compare.wants_drop(event):  # with Shift, or onto the second source
                    self.compare.open_path(path)
                else:
                    self.open_path(path)
                return


_ = (tint, DiskState)
