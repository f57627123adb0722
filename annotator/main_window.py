"""The main window: menus, toolbars and docks; wires the widgets' request signals to the session.

Nothing here edits the document directly: every change goes through :class:`Session`.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time

import shiboken6
from PySide6.QtCore import QFileSystemWatcher, QModelIndex, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QKeySequence,
    QPixmap,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QTabBar,
    QTableView,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

import tei
from tei.document import TeiDocument
from tei.storage import DiskState

from . import recovery, settings
from .annotation_editor import AnnotationEditor
from .display import DisplayMap, empty_text_message
from .document_panel import DocumentPanel
from .document_view import DocumentView, tint
from .errors import show_error
from .figures import parse_figure
from .find_bar import FindBar
from .message_bar import MessageBar
from .models import ID_ROLE, AnnotationFilterModel, AnnotationTableModel, OutlineModel
from .notes_pane import NotesPane
from .session import Session
from .sources_panel import SourcesPanel
from .taxonomy_editor import TaxonomyEditor
from .validation import ValidationPanel, ValidationRunner

log = logging.getLogger(__name__)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE = os.path.join(ROOT, "resources", "samples", "soviet-aid-to-china.xml")
BACKGROUND_BYTES = 1_500_000
_BLANK = (b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>'
          b"Glossator</title></titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/>"
          b"</sourceDesc></fileDesc></teiHeader><text><body><p/></body></text></TEI>")  # fmt: skip


def _swatch(color: str, size: int = 12) -> QIcon:
    pm = QPixmap(size, size)
    pm.fill(QColor(color))
    return QIcon(pm)


class Loader(QObject):
    """Loads a TEI file and builds its display map on a worker thread."""

    done = Signal(object, object, str)  # doc, display map, path
    failed = Signal(object, str)

    def start(self, path: str) -> None:
        """Begin loading ``path`` in the background."""
        threading.Thread(target=self._run, args=(path,), daemon=True, name="glossator-load").start()

    def _run(self, path: str) -> None:
        try:
            doc = tei.load(path)
            display = DisplayMap(doc)
        except BaseException as exc:  # noqa: BLE001 - reported through show_error
            self.failed.emit(exc, path)
            return
        self.done.emit(doc, display, path)


class MainWindow(QMainWindow):
    """Glossator's main window; ``MainWindow(path)`` opens ``path`` (synchronously)."""

    document_shown = Signal()

    def __init__(self, path: str | None = None) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.setWindowTitle("Glossator")
        self.setAcceptDrops(True)
        self.resize(1440, 900)
        self.session = Session(TeiDocument.from_bytes(_BLANK), None)
        self.session.untitled = False
        self.has_document = False
        self.persist_layout = True
        self._tabs_switchable = False
        self._untitled_key = recovery.new_untitled_key()
        self._loader: Loader | None = None
        self._display_cache: tuple[TeiDocument, DisplayMap] | None = None
        self._untitled_title = ""
        self._change_count = 0
        self._validated_at: tuple[object, int, int] | None = None
        self.category_actions: dict[str, QAction] = {}
        self._build_view()
        self._build_docks()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status()
        self._wire()
        self._restore_layout()
        self.watcher = QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(self._file_changed)
        self.autosave_timer = QTimer(self)
        self.autosave_timer.timeout.connect(self.autosave)
        self._apply_autosave_interval()
        self._change_timer = QTimer(self)
        self._change_timer.setSingleShot(True)
        self._change_timer.setInterval(2500)
        self._change_timer.timeout.connect(self.autosave)
        self._show_session()
        if path:
            self.open_path(path, background=False)
        self._update_title()
        self.message_bar.closed.connect(self._message_closed)
        if self.message_bar.kind != "recovery":
            self.offer_untitled_recovery()

    # -- construction -------------------------------------------------------------------------
    def _build_view(self) -> None:
        central = QWidget()
        central.setObjectName("central")
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.message_bar = MessageBar()
        lay.addWidget(self.message_bar)
        self.view = DocumentView()
        self.view.setAcceptDrops(False)
        self.view.viewport().setAcceptDrops(False)
        self.view.setMinimumWidth(460)
        self.view.set_reading_font(settings.get("view/font_size"), settings.get("view/font_family"))
        lay.addWidget(self.view, 1)
        self.find_bar = FindBar(self.view)
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

        self.table_model = AnnotationTableModel(s, self)
        self.filter_model = AnnotationFilterModel(self)
        self.filter_model.setSourceModel(self.table_model)
        list_widget = QWidget()
        ll = QVBoxLayout(list_widget)
        ll.setContentsMargins(6, 6, 6, 6)
        ll.setSpacing(4)
        filters = QHBoxLayout()
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("annotation_filter_text")
        self.filter_edit.setAccessibleName("Filter annotations by text")
        self.filter_edit.setPlaceholderText("Filter…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_category = QComboBox()
        self.filter_category.setObjectName("annotation_filter_category")
        self.filter_category.setAccessibleName("Filter by category")
        self.filter_annotator = QComboBox()
        self.filter_annotator.setObjectName("annotation_filter_annotator")
        self.filter_annotator.setAccessibleName("Filter by annotator")
        self.filter_certainty = QComboBox()
        self.filter_certainty.setObjectName("annotation_filter_certainty")
        self.filter_certainty.setAccessibleName("Filter by certainty")
        self.filter_certainty.addItem("Any certainty", "")
        for c in ("high", "medium", "low", "unknown"):
            self.filter_certainty.addItem(c, c)
        filters.addWidget(self.filter_edit, 2)
        filters.addWidget(self.filter_category, 1)
        filters.addWidget(self.filter_annotator, 1)
        filters.addWidget(self.filter_certainty, 1)
        ll.addLayout(filters)
        self.annotation_list = QTableView()
        self.annotation_list.setObjectName("annotation_list")
        self.annotation_list.setAccessibleName("Annotations")
        self.annotation_list.setModel(self.filter_model)
        self.annotation_list.setSortingEnabled(True)
        self.annotation_list.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.annotation_list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.annotation_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.annotation_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.annotation_list.setAlternatingRowColors(True)
        self.annotation_list.setWordWrap(False)
        self.annotation_list.verticalHeader().setVisible(False)
        self.annotation_list.verticalHeader().setDefaultSectionSize(24)
        hh = self.annotation_list.horizontalHeader()
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for c, w in ((0, 140), (1, 105), (3, 90), (4, 62), (5, 110)):
            self.annotation_list.setColumnWidth(c, w)
        self.annotation_list.setColumnHidden(5, True)
        ll.addWidget(self.annotation_list)
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
        self.tabifyDockWidget(self.list_dock, self.sources_dock)
        self.tabifyDockWidget(self.sources_dock, self.taxonomy_dock)
        self.tabifyDockWidget(self.taxonomy_dock, self.validation_dock)
        self.validation_dock.hide()  # shown by Tools ▸ Validate
        self.list_dock.raise_()
        self.validator = ValidationRunner(self)

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
        self.document_dock = self._dock("Document", "document_dock", self.document_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.tabifyDockWidget(self.notes_dock, self.document_dock)
        self.outline_dock.raise_()
        self._default_dock_sizes()

    def _default_dock_sizes(self) -> None:
        """First-start layout: outline 250 px, right side 470 px, the editor two thirds of it."""
        self.resizeDocks([self.outline_dock], [250], Qt.Orientation.Horizontal)
        self.resizeDocks([self.editor_dock], [470], Qt.Orientation.Horizontal)
        self.resizeDocks([self.editor_dock, self.list_dock], [2, 1], Qt.Orientation.Vertical)
        for dock in (self.list_dock, self.sources_dock, self.taxonomy_dock, self.validation_dock):
            dock.visibilityChanged.connect(lambda shown, d=dock: shown and self._make_room(d))

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
        self.action_open = self._action("action_open", "&Open…", self.open_dialog, K.Open)
        self.action_save = self._action("action_save", "&Save", self.save, K.Save)
        self.action_save_as = self._action("action_save_as", "Save &As…", self.save_as, "Ctrl+Shift+S")
        self.action_import_text = self._action("action_import_text", "&Import text…", self.import_text, "Ctrl+I")
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
            "Delete the selected annotation (undo brings it back)")  # fmt: skip
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
        self.action_zoom_in = self._action("action_zoom_in", "Larger text", lambda: self.zoom(1), K.ZoomIn)
        self.action_zoom_out = self._action("action_zoom_out", "Smaller text", lambda: self.zoom(-1), K.ZoomOut)
        self.action_validate = self._action(
            "action_validate", "&Validate", self.validate, "F7",
            "Check annotations, ids and references (and the schema set in the preferences)")  # fmt: skip

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu("&File")
        m.addAction(self.action_open)
        self.recent_menu = m.addMenu("Open &Recent")
        self.recent_menu.setObjectName("recent_menu")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        m.addAction(self.action_import_text)
        m.addSeparator()
        m.addAction(self.action_save)
        m.addAction(self.action_save_as)
        m.addSeparator()
        m.addAction(self.action_export)
        m.addAction(self.action_export_html)
        m.addSeparator()
        m.addAction(self.action_close)
        m.addAction(self.action_quit)
        m = mb.addMenu("&Edit")
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
        m.addSeparator()
        for dock in (self.editor_dock, self.list_dock, self.sources_dock, self.taxonomy_dock,
                     self.validation_dock, self.outline_dock, self.notes_dock, self.document_dock):  # fmt: skip
            m.addAction(dock.toggleViewAction())
        m.addAction(self.document_panel.source_action)
        m = mb.addMenu("&Tools")
        m.setObjectName("tools_menu")
        m.addAction(self.action_validate)
        m = mb.addMenu("&Help")
        m.addAction(self.action_about)

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
        self.view.annotation_clicked.connect(self.select_annotation)
        self.view.display_completed.connect(self._show_navigation)
        self.view.note_activated.connect(self.show_note)
        self.view.cursorPositionChanged.connect(self._update_position)
        self.annotation_list.selectionModel().currentRowChanged.connect(self._list_current_changed)
        self.annotation_list.activated.connect(lambda _i: self.focus_note())
        self.filter_edit.textChanged.connect(lambda t: self.filter_model.set_filter(text=t))
        self.filter_category.currentIndexChanged.connect(self._category_filter_changed)
        self.filter_annotator.currentIndexChanged.connect(
            lambda: self.filter_model.set_filter(annotator=self.filter_annotator.currentData() or ""))
        self.filter_certainty.currentIndexChanged.connect(
            lambda: self.filter_model.set_filter(certainty=self.filter_certainty.currentData() or ""))
        self.editor.error.connect(lambda exc: show_error(self, exc))
        self.editor.typed.connect(self._write_typing)
        self.editor.retarget_requested.connect(self.retarget)
        self.editor.jump_requested.connect(self.jump_to_annotation)
        self.sources_panel.error.connect(lambda exc: show_error(self, exc))
        self.sources_panel.cite_requested.connect(self.cite)
        self.sources_panel.note_jump_requested.connect(self.show_note)
        self.taxonomy_editor.error.connect(lambda exc: show_error(self, exc))
        self.outline.activated.connect(self._outline_activated)
        self.outline.clicked.connect(self._outline_activated)
        self.notes_pane.note_activated.connect(self._note_pane_activated)
        self.validation_panel.annotation_activated.connect(self._validation_activated)
        self.validation_panel.validate_requested.connect(self.validate)
        self.validator.progress.connect(self._validation_progress)
        self.validator.finished.connect(self._validation_finished)
        self.validator.failed.connect(self._validation_failed)

    def _restore_layout(self) -> None:
        geo = settings.load_state("geometry")
        if geo is not None:
            self.restoreGeometry(geo)
        state = settings.load_state("window_state")
        if state is not None:
            self.restoreState(state)

    # -- documents ----------------------------------------------------------------------------
    def _show_session(self) -> None:
        doc = self.session.doc
        cached = self._display_cache
        self._display_cache = None
        self.view.set_document(doc, cached[1] if cached is not None and cached[0] is doc else None)
        self.table_model.set_unresolved(self.view.unresolved)
        self._rebuild_category_actions()
        self._fill_filters()
        self.editor.set_annotation("")
        self.editor.clear_typing_journal()
        self._recovered_at = self.session.undo_stack.index()
        self._update_title()
        self._update_stats()
        self.document_shown.emit()

    def _show_navigation(self) -> None:
        """Fill the outline, the notes pane, the sources and the statistics once the view shows
        the whole document (after the first paint of a long one)."""
        self.sources_panel.model.reset()
        doc = self.session.doc
        self.outline_model.build(doc, self.view.map.pages() if self.view.map else [])
        self.outline.expandToDepth(1)
        labels = {}
        if self.view.map is not None:
            for db in self.view.map.blocks:
                for r in db.runs:
                    if r.kind == "noteref" and r.note_block >= 0:
                        labels[r.note_block] = r.text
        self.notes_pane.set_document(doc, labels)
        self._update_stats()

    def open_path(self, path: str, background: bool | None = None) -> bool:
        """Open a TEI file; returns False (after a clear message) if it cannot be opened."""
        if not self._confirm_discard():
            return False
        path = os.path.abspath(path)
        if background is None:
            try:
                background = os.path.getsize(path) > BACKGROUND_BYTES
            except OSError:
                background = False
        if background:
            self._loader = Loader()
            self._loader.done.connect(self._loaded)
            self._loader.failed.connect(self._load_failed)
            self.progress.show()
            self.statusBar().showMessage(f"Opening {os.path.basename(path)}…")
            self.view.setEnabled(False)
            self._loader.start(path)
            return True
        try:
            doc = tei.load(path)
        except (tei.TeiError, OSError) as exc:
            self._load_failed(exc, path)
            return False
        self._loaded(doc, None, path)
        return True

    def _load_failed(self, exc: BaseException, path: str) -> None:
        self.progress.hide()
        self.view.setEnabled(True)
        self.statusBar().clearMessage()
        show_error(self, exc, f"Glossator cannot open {os.path.basename(path)}.")

    def _loaded(self, doc: TeiDocument, display: DisplayMap | None, path: str) -> None:
        self.progress.hide()
        self.view.setEnabled(True)
        self.statusBar().clearMessage()
        if self.session.path:
            self._unwatch()
            if not self.session.is_dirty():
                recovery.discard(self.session.path)
        self.session.path = path
        self.session.untitled = False
        self.has_document = True
        if display is not None:
            self._display_cache = (doc, display)  # reuse the map built off-thread
        self.session.replace_document(doc)
        self.watcher.addPath(path)
        settings.add_recent(path)
        self._after_open(doc)

    def _after_open(self, doc: TeiDocument) -> None:
        notes = list(doc.warnings)
        if empty := empty_text_message(doc):
            notes.append(empty)
        if self.view.unresolved:
            n = len(self.view.unresolved)
            notes.append(f"{n} annotation(s) could not be placed in the text (marked ⚠ in the list); "
                         "edit their passage or delete them.")  # fmt: skip
        if self.session.path:
            rec = recovery.find(self.session.path)
            if rec is not None:
                when = time.strftime("%Y-%m-%d %H:%M", time.localtime(rec.saved_at))
                self.message_bar.show_message(
                    f"Glossator found unsaved changes to this file from {when} (the program was "
                    "closed before they were saved).",
                    [("Restore", lambda r=rec: self.restore_recovery(r)),
                     ("Discard", lambda: recovery.discard(self.session.path))],
                    level="warning", kind="recovery")  # fmt: skip
                return
        if notes:
            self.message_bar.show_message(" ".join(notes), level="warning", kind="warnings")

    def restore_recovery(self, rec: recovery.Recovered) -> bool:
        """Replace the document with its recovery copy (one undoable step), then type again
        what its typing journal kept (a journal alone is replayed on the open file)."""
        if rec.data_path != self.session.path:
            try:
                new = TeiDocument.from_bytes(rec.read(), self.session.path)
            except (tei.TeiError, OSError) as exc:
                show_error(self, exc, "The recovery copy cannot be read.")
                return False
            new.disk = self.session.doc.disk
            self.session.restore_document(new)
        self.editor.replay_typing(rec.typing)
        self.statusBar().showMessage("Unsaved changes restored; save to keep them.", 6000)
        return True

    def offer_untitled_recovery(self) -> bool:
        """Offer to restore an untitled document (an import) left unsaved by an earlier run."""
        found = recovery.find_untitled(exclude={self._untitled_key})
        if not found:
            return False
        rec = found[0]
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(rec.saved_at))
        name = f"“{rec.title}”" if rec.title else "an untitled document"
        more = f" ({len(found) - 1} more after this one)" if len(found) > 1 else ""
        self.message_bar.show_message(
            f"Glossator found unsaved work on {name} (never saved to a file) from {when}; the "
            f"program was closed before it was saved{more}.",
            [("Restore", lambda r=rec: self.restore_untitled(r)),
             ("Discard", lambda r=rec: recovery.discard(None, r.untitled_key))],
            level="warning", kind="untitled-recovery")  # fmt: skip
        return True

    def _message_closed(self, kind: str) -> None:
        if kind in ("recovery", "untitled-recovery"):
            self.offer_untitled_recovery()

    def restore_untitled(self, rec: recovery.Recovered) -> bool:
        """Open a recovered untitled document as an unsaved document (Save asks for a name)."""
        try:
            doc = TeiDocument.from_bytes(rec.read(), None)
        except (tei.TeiError, OSError) as exc:
            show_error(self, exc, "The recovery copy cannot be read; it is kept in "
                       f"{os.path.dirname(rec.data_path)}.")  # fmt: skip
            return False
        if not self.open_document(doc, rec.title):
            return False
        # adopt its recovery file: it stays until the document is saved or discarded
        if rec.untitled_key != self._untitled_key:
            recovery.discard(None, self._untitled_key)
            self._untitled_key = rec.untitled_key
        self.editor.replay_typing(rec.typing)
        self.statusBar().showMessage("Unsaved document restored; save it to keep it.", 6000)
        return True

    def open_document(self, doc: TeiDocument, title: str = "") -> bool:
        """Show a document that has no file yet (e.g. an import): Save asks for a name."""
        if not self._confirm_discard():
            return False
        self._unwatch()
        self.session.path = None
        self.session.untitled = True
        self.has_document = True
        self._untitled_title = title
        self.session.replace_document(doc)
        self._update_title()
        return True

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
            act.setIcon(_swatch(cat.color))
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
        self.view.set_annotate_actions([a for a in self.category_actions.values()],
                                       [self.action_delete_annotation, self.document_panel.source_action])  # fmt: skip

    def annotate(self, category: str) -> str:
        """Annotate the current selection in ``category`` at once; focus the editor's note."""
        sel = self.view.reading_selection()
        if sel is None:
            self.statusBar().showMessage("Select a passage first (mouse, or Shift+arrow keys).", 5000)
            return ""
        init = None
        if self.session.doc.taxonomy.kind_of(category) == "figure":
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

    def _refresh_undo_actions(self) -> None:
        """Name the step Undo and Redo would take ("Undo Add Bias note"), or disable them."""
        stack = self.session.undo_stack
        if not shiboken6.isValid(stack):  # the window is being destroyed
            return
        for act, can, text, label in ((self.action_undo, stack.canUndo(), stack.undoText(), "&Undo"),
                                      (self.action_redo, stack.canRedo(), stack.redoText(), "&Redo")):  # fmt: skip
            act.setEnabled(can)
            act.setText(f"{label} {text}".rstrip())
            act.setToolTip(act.text().replace("&", ""))

    def undo(self) -> None:
        """Undo the last step (typing still waiting to be committed is that step)."""
        self.editor.commit_pending()
        self.session.undo_stack.undo()

    def redo(self) -> None:
        """Redo the step last undone."""
        self.editor.commit_pending()
        self.session.undo_stack.redo()

    def delete_current(self) -> None:
        """Delete the selected annotation(s) (each undoable)."""
        ids = []
        if self.annotation_list.hasFocus():
            for idx in self.annotation_list.selectionModel().selectedRows():
                ids.append(idx.data(ID_ROLE))
        if not ids and self.editor.ann_id:
            ids = [self.editor.ann_id]
        if not ids:
            self.statusBar().showMessage("No annotation selected.", 4000)
            return
        stack = self.session.undo_stack
        if len(ids) > 1:
            stack.beginMacro(f"Delete {len(ids)} annotations")
        try:
            for aid in ids:
                self.session.delete_annotation(aid)
        except tei.TeiError as exc:
            show_error(self, exc, "The annotation cannot be deleted.")
        finally:
            if len(ids) > 1:
                stack.endMacro()
        self.statusBar().showMessage("Deleted. Undo (Ctrl+Z) brings it back.", 5000)

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

    def cite(self, source: object) -> None:
        """Cite a source or footnote from the current annotation."""
        if not self.editor.ann_id:
            self.statusBar().showMessage("Select an annotation to cite the source from.", 5000)
            return
        try:
            self.editor.cite(source)
        except tei.TeiError as exc:
            show_error(self, exc)

    # -- session signals ----------------------------------------------------------------------
    def _on_annotation_added(self, ann_id: str) -> None:
        self.view.annotation_updated(ann_id)
        self.table_model.set_status(ann_id, self.view.unresolved.get(ann_id, ""))
        self._update_stats()
        name = self.session.doc.annotation(ann_id).annotator_name
        if name and self.filter_annotator.findData(name) < 0:  # a new annotator
            self._fill_annotator_filter()

    def _on_annotation_changed(self, ann_id: str) -> None:
        self.view.annotation_updated(ann_id)
        self.table_model.set_status(ann_id, self.view.unresolved.get(ann_id, ""))
        self._update_stats()

    def _on_annotation_removed(self, ann_id: str) -> None:
        self.view.annotation_removed(ann_id)
        self._update_stats()

    def _on_taxonomy_changed(self) -> None:
        self._rebuild_category_actions()
        self._fill_filters()
        self.view.refresh_all()

    def _on_stack_changed(self, _index: int) -> None:
        self._change_count += 1
        self._update_title()
        self._change_timer.start()

    def _list_current_changed(self, current: QModelIndex, _prev: QModelIndex) -> None:
        ann_id = current.data(ID_ROLE) if current.isValid() else ""
        if ann_id:
            self.editor.set_annotation(ann_id)
            self.view.set_selected(ann_id)
            self.view.scroll_to_annotation(ann_id)

    def _fill_filters(self) -> None:
        combo = self.filter_category
        combo.blockSignals(True)
        keep = combo.currentData()
        combo.clear()
        combo.addItem("All categories", "")
        for cat in self.session.doc.taxonomy.top_level():
            combo.addItem(_swatch(cat.color), cat.label, cat.id)
        combo.setCurrentIndex(max(0, combo.findData(keep)))
        combo.blockSignals(False)
        self._fill_annotator_filter()

    def _fill_annotator_filter(self) -> None:
        combo = self.filter_annotator
        combo.blockSignals(True)
        keep = combo.currentData()
        combo.clear()
        combo.addItem("Any annotator", "")
        names = sorted({r.annotator for r in self.table_model.rows if r.annotator})
        for n in names:
            combo.addItem(n, n)
        combo.setCurrentIndex(max(0, combo.findData(keep)))
        combo.blockSignals(False)

    def _category_filter_changed(self) -> None:
        cat = self.filter_category.currentData()
        self.filter_model.set_filter(categories={cat} if cat else None)

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
        """Ask for a page label and go there."""
        label, ok = QInputDialog.getText(self, "Go to page", "Page:")
        if ok and label:
            self.go_to_page(label)

    def zoom(self, step: int) -> None:
        """Change the reading font size."""
        size = max(7, min(32, settings.get("view/font_size") + step))
        settings.put("view/font_size", size)
        self.view.set_reading_font(size, settings.get("view/font_family"))

    # -- saving -------------------------------------------------------------------------------
    def save(self) -> bool:
        """Save to the document's file (asks for a name if it has none)."""
        self.editor.commit_pending()
        if not self.session.path:
            return self.save_as()
        return self._save_to(None)

    def save_as(self, path: str | None = None) -> bool:
        """Save under a new name."""
        self.editor.commit_pending()
        if path is None:
            start = self.session.path or os.path.join(settings.get("files/last_dir") or os.path.expanduser("~"),
                                                      "untitled.xml")  # fmt: skip
            path, _ = QFileDialog.getSaveFileName(self, "Save As", start, "TEI XML (*.xml);;All files (*)")
            if not path:
                return False
        return self._save_to(path)

    def _save_to(self, path: str | None, force: bool = False) -> bool:
        old_path = self.session.path
        try:
            written = self.session.save(path, force=force)
        except tei.SaveConflictError:
            self._offer_conflict()
            return False
        except (tei.TeiError, OSError) as exc:
            show_error(self, exc, "The document was not saved; your changes are still here.")
            return False
        if old_path and old_path != written:
            self.watcher.removePath(old_path)
        recovery.discard(old_path, self._untitled_key)
        recovery.discard(written)
        self.editor.clear_typing_journal()
        if written not in self.watcher.files():
            self.watcher.addPath(written)
        settings.add_recent(written)
        if self.message_bar.kind in ("conflict", "changed"):
            self.message_bar.hide()
        self._update_title()
        return True

    def _offer_conflict(self) -> None:
        self.message_bar.show_message(
            "The file was changed on disk by another program since you opened it. Saving now would "
            "overwrite those changes.",
            [("Reload", self.reload_from_disk), ("Overwrite", lambda: self._save_to(None, force=True)),
             ("Save As…", self.save_as)],
            level="error", kind="conflict")  # fmt: skip

    def _file_changed(self, path: str) -> None:
        if path != self.session.path:
            return
        if os.path.exists(path) and path not in self.watcher.files():
            self.watcher.addPath(path)  # atomic replaces drop the watch
        disk = self.session.doc.disk
        if disk is not None and not disk.changed(path):
            return
        if not os.path.exists(path):
            self.message_bar.show_message(
                f"{os.path.basename(path)} was moved or deleted by another program. The document "
                "is still open here: Save writes it again at its old place, Save As… elsewhere.",
                [("Save", lambda: self._save_to(None, force=not os.path.exists(path))),
                 ("Save As…", self.save_as)], level="warning", kind="changed")  # fmt: skip
            return
        actions = [("Reload", self.reload_from_disk), ("Keep mine", lambda: None)]
        self.message_bar.show_message(
            f"{os.path.basename(path)} was changed on disk by another program."
            + (" You have unsaved changes here." if self.session.is_dirty() else ""),
            actions, level="warning", kind="changed")  # fmt: skip

    def reload_from_disk(self) -> bool:
        """Load the file again from disk, dropping unsaved changes (they stay in recovery)."""
        path = self.session.path
        if not path:
            return False
        try:
            doc = tei.load(path)
        except (tei.TeiError, OSError) as exc:
            show_error(self, exc, "The file on disk cannot be opened.")
            return False
        self.session.replace_document(doc)
        self._after_open(doc)
        return True

    # -- autosave and closing -----------------------------------------------------------------
    def _apply_autosave_interval(self) -> None:
        seconds = settings.get("editor/autosave_seconds")
        if seconds > 0:
            self.autosave_timer.start(seconds * 1000)
        else:
            self.autosave_timer.stop()

    def autosave(self) -> str:
        """Write a recovery copy if there are unsaved changes; return its path ('' if none)."""
        if not self.has_document:
            return ""
        self.editor.commit_pending()
        if not self.session.is_dirty():  # an untitled document (an import) is kept from the start
            return ""
        try:
            written = recovery.write(self.session.path, self.session.to_bytes(), self._untitled_key,
                                     self._untitled_title)  # fmt: skip
            self.editor.clear_typing_journal()
            recovery.discard_typing(self.session.path, self._untitled_key)
            self._recovered_at = self.session.undo_stack.index()
            return written
        except (tei.TeiError, OSError) as exc:
            log.warning("autosave failed: %s", exc)
            self.statusBar().showMessage(f"Recovery autosave failed: {exc}", 6000)
            return ""

    def _unwatch(self) -> None:
        """Stop watching the open file for changes by other programs."""
        if self.watcher.files():
            self.watcher.removePaths(self.watcher.files())

    def _write_typing(self, journal: list[tuple[str, str, str]]) -> None:
        """Keep every keystroke of the editor in the typing journal (see recovery); first write
        a recovery copy if the document has changed since the last one (the journal's
        annotation may be new)."""
        if self.session.undo_stack.index() != self._recovered_at and self.autosave():
            return
        try:
            recovery.write_typing(self.session.path, self._untitled_key, journal)
        except OSError as exc:
            log.warning("typing journal not written: %s", exc)

    def _confirm_discard(self) -> bool:
        self.editor.commit_pending()
        if not self.has_document or not self.session.is_dirty():
            return True
        choice = self.ask_save_changes()
        if choice == "save":
            return self.save()
        if choice == "discard":
            recovery.discard(self.session.path, self._untitled_key)
            return True
        return False

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
        if not self._confirm_discard():
            event.ignore()
            return
        if self.persist_layout:
            settings.save_state("geometry", self.saveGeometry())
            settings.save_state("window_state", self.saveState())
        self.autosave_timer.stop()
        self._change_timer.stop()
        self.validator.stop()
        event.accept()

    # -- validation ---------------------------------------------------------------------------
    def validate(self) -> bool:
        """Tools ▸ Validate: check a snapshot of the document in a worker process.

        The live document is not touched while the worker runs (it validates the bytes a save
        would write now), so editing may go on; results are flagged if it changed meanwhile.
        """
        if not self.has_document:
            self.statusBar().showMessage("Open a document to validate it.", 4000)
            return False
        if self.validator.busy:
            self.statusBar().showMessage("A validation is already running.", 4000)
            return False
        self.editor.commit_pending()
        schema = settings.get("validation/schema").strip() or None
        try:
            data = self.session.to_bytes()
            self.validator.start(data, self.session.path, schema)
        except (tei.TeiError, OSError) as exc:
            show_error(self, exc, "The document cannot be validated.")
            return False
        self._validated_at = (self.session.doc, self.session.undo_stack.index(), self._change_count)
        self.action_validate.setEnabled(False)
        self.validation_dock.show()
        self.validation_dock.raise_()
        self.validation_panel.set_running("Validating…")
        self.progress.show()
        return True

    def _validation_progress(self, text: str) -> None:
        self.validation_panel.set_running(text)
        self.statusBar().showMessage(text)

    def _validation_done(self) -> None:
        self.action_validate.setEnabled(True)
        self.progress.hide()
        self.statusBar().clearMessage()

    def _validation_finished(self, report: object) -> None:
        self._validation_done()
        stale = self._validated_at != (self.session.doc, self.session.undo_stack.index(), self._change_count)
        self.validation_panel.show_report(report, stale=stale)  # type: ignore[arg-type]
        self.validation_dock.show()
        self.validation_dock.raise_()
        self.statusBar().showMessage("Validation: " + self.validation_panel.summary.text(), 6000)

    def _validation_failed(self, exc: object) -> None:
        self._validation_done()
        self.validation_panel.set_running("The validation did not complete.")
        self.validation_panel.again_button.setEnabled(True)
        show_error(self, exc, "The validation did not complete.")  # type: ignore[arg-type]

    def _validation_activated(self, ann_id: str) -> None:
        try:
            self.session.doc.annotation(ann_id)
        except tei.AnnotationError:
            self.statusBar().showMessage(f"Annotation {ann_id} no longer exists.", 5000)
            return
        self.select_annotation(ann_id)
        if ann_id not in self.view.unresolved:
            self.view.scroll_to_annotation(ann_id)

    # -- dialogs ------------------------------------------------------------------------------
    def open_dialog(self) -> None:
        """Ask for a TEI file and open it."""
        start = settings.get("files/last_dir") or os.path.dirname(self.session.path or SAMPLE)
        path, _ = QFileDialog.getOpenFileName(self, "Open TEI file", start,
                                              "TEI XML (*.xml *.tei);;All files (*)")  # fmt: skip
        if path:
            settings.put("files/last_dir", os.path.dirname(path))
            self.open_path(path)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = [p for p in settings.get("files/recent") if os.path.exists(p)]
        for p in recent:
            act = self.recent_menu.addAction(os.path.basename(p))
            act.setToolTip(p)
            act.triggered.connect(lambda _=False, path=p: self.open_path(path))
        if not recent:
            self.recent_menu.addAction("(none)").setEnabled(False)

    def import_text(self, path: str | None = None) -> bool:
        """File ▸ Import text…: run the plain-text importer and preview its report."""
        from .import_dialog import ImportOptionsDialog, ImportPreviewDialog

        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Import plain text", settings.get("files/last_dir"),
                                                  "Text (*.txt *.md);;All files (*)")  # fmt: skip
            if not path:
                return False
        opts_dialog = ImportOptionsDialog(path, self)
        if opts_dialog.exec() != ImportOptionsDialog.DialogCode.Accepted:
            return False
        try:
            from tei.importers.plaintext import import_text_file

            result = import_text_file(path, opts_dialog.options())
            doc = TeiDocument.from_bytes(result.xml)
        except (tei.TeiError, OSError) as exc:
            show_error(self, exc, f"{os.path.basename(path)} cannot be imported.")
            return False
        preview = ImportPreviewDialog(result.report.format_text(), self)
        if preview.exec() != ImportPreviewDialog.DialogCode.Accepted:
            return False
        self.open_document(doc, os.path.splitext(os.path.basename(path))[0])
        return True

    def export_dialog(self, fmt: str = "") -> bool:
        """File ▸ Export…: choose format and options, export off the GUI thread."""
        from .export_dialog import ExportDialog, available_formats, export_function

        try:
            fn = export_function()
        except tei.TeiError as exc:
            show_error(self, exc)
            return False
        formats = available_formats() or {"html": "HTML"}
        dialog = ExportDialog(self.session.path, formats, fmt, self)
        if dialog.exec() != ExportDialog.DialogCode.Accepted:
            return False
        self.editor.commit_pending()
        self.run_export(fn, dialog.fmt(), dialog.dest_edit.text(), dialog.options(), dialog.open_check.isChecked())
        return True

    def run_export(self, fn, fmt: str, dest: str, options: dict, open_when_done: bool) -> None:  # noqa: ANN001
        """Export in a worker thread with a busy indicator; report errors through show_error."""
        doc = TeiDocument.from_bytes(self.session.to_bytes(), self.session.path)
        relay = _Relay(self)

        def work() -> None:
            try:
                report = fn(doc, fmt, dest, **options)
            except BaseException as exc:  # noqa: BLE001 - reported in the GUI
                relay.finished.emit(exc)
                return
            relay.finished.emit(report)

        def finished(result: object) -> None:
            self.progress.hide()
            if isinstance(result, BaseException):
                show_error(self, result, "The export failed.")
                return
            self.statusBar().showMessage(f"Exported to {dest}", 5000)
            warnings = list(getattr(result, "warnings", None) or [])
            if warnings:  # what the reader of the edition will miss (fonts, split passages)
                more = f" (and {len(warnings) - 5} more)" if len(warnings) > 5 else ""
                self.message_bar.show_message(
                    f"Exported to {os.path.basename(dest)}, with notes: " + " · ".join(warnings[:5])
                    + more, level="warning", kind="export")  # fmt: skip
            if open_when_done:
                QDesktopServices.openUrl(QUrl.fromLocalFile(dest))

        relay.finished.connect(finished)
        self.progress.show()
        threading.Thread(target=work, daemon=True, name="glossator-export").start()

    def preferences(self) -> None:
        """Edit preferences (identity, autosave, font)."""
        from .preferences import PreferencesDialog

        if PreferencesDialog(self).exec():
            self._apply_autosave_interval()
            self.view.set_reading_font(settings.get("view/font_size"), settings.get("view/font_family"))

    def about(self) -> None:
        """Show the About box."""
        from . import __version__

        QMessageBox.about(self, "About Glossator",
                          f"<b>Glossator {__version__}</b><br/>A workbench for source criticism over "
                          "TEI XML: critical annotations saved as TEI standoff markup.")  # fmt: skip

    # -- title and status ---------------------------------------------------------------------
    def _update_title(self) -> None:
        name = self.session.display_name()
        if self.session.untitled and not self.session.path:
            name = getattr(self, "_untitled_title", "") or "Untitled"
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
        QTimer.singleShot(0, self._hide_stray_tab_bars)
        QTimer.singleShot(0, lambda: setattr(self, "_tabs_switchable", True))

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
                else:
                    self.open_path(path)
                return


class _Relay(QObject):
    finished = Signal(object)


_ = (tint, DiskState)
