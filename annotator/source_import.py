"""Bibliographies into the Sources: Sources ▸ Import…, Sources ▸ Import from Zotero…, and files
dropped on the Sources panel. Each import is read and planned first (``tei.bibliography``), then
applied as ONE undoable step; a report dialog says what was added, merged and skipped, and why."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from lxml import etree
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

import tei

from . import settings
from .commands import SourcesStep
from .errors import show_error

if TYPE_CHECKING:
    from tei import bibliography

    from .main_window import MainWindow
    from .session import Session

log = logging.getLogger(__name__)
FILE_FILTER = "Bibliographies (*.bib *.ris *.json);;All files (*)"


class ImportSources(SourcesStep):
    """Add and merge the sources of one bibliography import (one undo step)."""

    def __init__(self, session: Session, plan: bibliography.ImportPlan) -> None:
        c = plan.counts()
        super().__init__(session, f"Import sources ({c['added']} added, {c['merged']} merged)")
        self.plan = plan

    def touched(self) -> list[etree._Element]:
        return [old for old, _ in self.plan.merged]

    def apply(self) -> None:
        from tei import bibliography  # (imported when needed: its patterns take a while to compile)

        bibliography.apply_plan(self.doc, self.plan)


class ImportReportDialog(QDialog):
    """What an import did with each entry: added, merged or skipped, and why."""

    COLUMNS = ("Outcome", "Entry", "Source", "Why / warnings")

    def __init__(self, plan: bibliography.ImportPlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Bibliography import")
        self.setObjectName("source_import_report")
        lay = QVBoxLayout(self)
        self.summary = QLabel(plan.summary() + ("" if plan.changes else " — the document is unchanged"))
        self.summary.setObjectName("source_import_summary")
        lay.addWidget(self.summary)
        self.table = QTreeWidget()
        self.table.setObjectName("source_import_table")
        self.table.setAccessibleName("Imported entries")
        self.table.setHeaderLabels(list(self.COLUMNS))
        self.table.setRootIsDecorated(False)
        for o in plan.outcomes:
            why = "; ".join(x for x in (o.reason, *o.warnings) if x)
            where = f"{os.path.basename(o.file)}: " if o.file else ""
            row = QTreeWidgetItem([o.outcome, where + o.label, o.source_id, why])
            row.setToolTip(3, why)
            self.table.addTopLevelItem(row)
        for col in range(3):
            self.table.resizeColumnToContents(col)
        lay.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        lay.addWidget(buttons)
        self.resize(820, 420)

    def rows(self) -> list[tuple[str, ...]]:
        """Return the table's rows (outcome, entry, source id, why)."""
        return [tuple(self.table.topLevelItem(i).text(c) for c in range(len(self.COLUMNS)))
                for i in range(self.table.topLevelItemCount())]  # fmt: skip


class ZoteroPickDialog(QDialog):
    """Pick items of the Zotero library, or a whole collection, to import."""

    def __init__(self, zotero: bibliography.ZoteroLocal, collections: list[bibliography.ZoteroCollection],
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Import from Zotero")
        self.setObjectName("zotero_pick_dialog")
        self.zotero = zotero
        lay = QVBoxLayout(self)
        self.collection = QComboBox()
        self.collection.setObjectName("zotero_collection")
        self.collection.setAccessibleName("Zotero collection")
        self.collection.addItem("Whole library", "")
        names = {c.key: c.name for c in collections}
        for c in collections:
            label = f"{names[c.parent]} ▸ {c.name}" if c.parent in names else c.name
            self.collection.addItem(f"{label} ({c.count})", c.key)
        lay.addWidget(self.collection)
        self.items = QListWidget()
        self.items.setObjectName("zotero_items")
        self.items.setAccessibleName("Zotero items")
        lay.addWidget(self.items)
        self.message = QLabel()
        self.message.setObjectName("zotero_message")
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        self.select_all = QPushButton("Select &all")
        self.select_all.setObjectName("zotero_select_all")
        buttons.addButton(self.select_all, QDialogButtonBox.ButtonRole.ActionRole)
        self.select_all.clicked.connect(lambda: self._check_all(True))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self._found: list[bibliography.ZoteroItem] = []
        self.collection.currentIndexChanged.connect(self.load)
        self.resize(640, 480)
        self.load()

    def load(self) -> None:
        """List the items of the collection chosen (all unticked)."""
        self.items.clear()
        self._found = []
        try:
            self._found = self.zotero.items(self.collection.currentData() or None)
        except tei.TeiError as exc:
            self.message.setText(str(exc))
            return
        for z in self._found:
            row = QListWidgetItem(z.label)
            row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            row.setCheckState(Qt.CheckState.Unchecked)
            self.items.addItem(row)
        self.message.setText(f"{len(self._found)} item(s). Tick the ones to import, or Select all.")

    def _check_all(self, on: bool) -> None:
        for i in range(self.items.count()):
            self.items.item(i).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def chosen(self) -> list[bibliography.ZoteroItem]:
        """Return the ticked items."""
        return [z for i, z in enumerate(self._found)
                if self.items.item(i).checkState() == Qt.CheckState.Checked]  # fmt: skip


class SourceImport(QObject):
    """The Sources menu's import actions and the Sources panel's file drops, for one window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.action_import = QAction("&Import…", window)
        self.action_import.setObjectName("action_import_sources")
        self.action_import.setToolTip("Add sources from BibTeX, RIS or CSL-JSON files (repeats are merged)")
        self.action_import.triggered.connect(lambda _=False: self.import_files())
        self.action_zotero = QAction("Import from &Zotero…", window)
        self.action_zotero.setObjectName("action_import_zotero")
        self.action_zotero.setToolTip("Add sources from the Zotero desktop app running on this computer")
        self.action_zotero.triggered.connect(lambda _=False: self.import_zotero())
        for act in (self.action_import, self.action_zotero):
            act.setStatusTip(act.toolTip())
        from .footnote_sources_dialog import sources_menu

        self.menu = sources_menu(window)  # the one Sources menu (Make sources from footnotes… too)
        first = self.menu.actions()[0] if self.menu.actions() else None
        self.menu.insertAction(first, self.action_import)
        self.menu.insertAction(first, self.action_zotero)
        if first is not None:
            self.menu.insertSeparator(first)
        panel = window.sources_panel
        panel.setAcceptDrops(True)
        for widget in (panel, *panel.findChildren(QLineEdit)):  # a form field would take the path as text
            widget.installEventFilter(self)

    # -- drops on the Sources panel -----------------------------------------------------------
    @staticmethod
    def bibliography_paths(event: QDragEnterEvent | QDropEvent) -> list[str]:
        """Return the dropped local files that are bibliographies (.bib, .ris, .json)."""
        from tei import bibliography

        data = event.mimeData()
        if not data.hasUrls():
            return []
        paths = [u.toLocalFile() for u in data.urls() if u.isLocalFile()]
        return [p for p in paths if os.path.splitext(p)[1].lower() in bibliography.EXTENSIONS]

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and self.bibliography_paths(event):  # type: ignore[arg-type]
            event.acceptProposedAction()  # type: ignore[attr-defined]
            return True
        if kind == QEvent.Type.Drop:
            paths = self.bibliography_paths(event)  # type: ignore[arg-type]
            if paths:
                event.acceptProposedAction()  # type: ignore[attr-defined]
                self.import_paths(paths)
                return True
        return super().eventFilter(obj, event)

    # -- importing --------------------------------------------------------------------------------
    def import_files(self) -> bool:
        """Sources ▸ Import…: choose bibliography files (several at once) and import them."""
        paths, _ = QFileDialog.getOpenFileNames(self.window, "Import bibliography",
                                                settings.get("files/last_dir"), FILE_FILTER)  # fmt: skip
        return bool(paths) and self.import_paths(paths)

    def import_paths(self, paths: list[str]) -> bool:
        """Read, plan and apply the import of bibliography files; show the report."""
        from tei import bibliography

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            plan = bibliography.import_files(self.window.session.doc, paths)
        except Exception as exc:  # a bug: the document is untouched (nothing was applied)
            show_error(self.window, exc, "The bibliography could not be imported.")
            return False
        finally:
            QApplication.restoreOverrideCursor()
        return self.apply(plan)

    def import_zotero(self) -> bool:
        """Sources ▸ Import from Zotero…: pick items or a collection of the running Zotero."""
        from tei import bibliography

        try:
            zotero = bibliography.ZoteroLocal()
            collections = zotero.collections()
        except tei.TeiError as exc:
            show_error(self.window, exc, "Nothing can be imported from Zotero.")
            return False
        dialog = ZoteroPickDialog(zotero, collections, self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        chosen = dialog.chosen()
        if not chosen:
            self.window.statusBar().showMessage("No Zotero item was ticked: nothing imported.", 6000)
            return False
        plan = bibliography.plan_import(self.window.session.doc, zotero.candidates(chosen))
        return self.apply(plan)

    def apply(self, plan: bibliography.ImportPlan) -> bool:
        """Apply a plan as one undo step (if it changes anything) and show its report."""
        if plan.changes:
            try:
                self.window.session.import_sources(plan)
            except tei.TeiError as exc:
                show_error(self.window, exc, "The sources could not be imported.")
                return False
        self.window.statusBar().showMessage(f"Sources imported: {plan.summary()}.", 8000)
        self.report(plan)
        return plan.changes

    def report(self, plan: bibliography.ImportPlan) -> None:
        """Show the per-entry report."""
        ImportReportDialog(plan, self.window).exec()
