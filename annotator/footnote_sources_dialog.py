"""Sources ▸ Make sources from footnotes…: the document's own citations become sources.

The dialog shows what ``tei.footnote_sources`` read in every footnote (its source, or why it
could not be parsed, and its locator); the notes it could not parse can be completed by hand
(Edit… opens the source form prefilled); Make sources stores them all as one undo step.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from lxml import etree
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

import tei

from .commands import SourcesStep
from .new_source_dialog import NewSourceDialog

if TYPE_CHECKING:
    from tei import footnote_sources as fs

    from .main_window import MainWindow
    from .session import Session

log = logging.getLogger(__name__)
_UNPARSED = QBrush(QColor("#a33a00"))


class MakeSourcesFromNotes(SourcesStep):
    """Store the sources read from the footnotes (new ones added, existing ones merged)."""

    def __init__(self, session: Session, table: fs.FootnoteTable) -> None:
        from tei import footnote_sources as fs  # (its many patterns are compiled on first use)

        super().__init__(session, "Make sources from footnotes")
        self.table = table
        self.report = fs.StoreReport()

    def touched(self) -> list[etree._Element]:
        return [s.element for s in self.doc.sources() if s.editable]

    def apply(self) -> None:
        from tei import footnote_sources as fs

        self.report = fs.store_sources(self.doc, self.table)

    @property
    def did_nothing(self) -> bool:
        """Tell whether the step added and changed nothing (every note already had its source)."""
        return not self.report.added and not self.report.links


class FootnoteSourcesDialog(QDialog):
    """The table of footnotes and their sources; accepting stores them."""

    def __init__(self, table: fs.FootnoteTable, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = table
        self.setWindowTitle("Make sources from footnotes")
        self.setObjectName("footnote_sources_dialog")
        self.resize(900, 560)
        lay = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setObjectName("footnote_sources_summary")
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        self.tree = QTreeWidget()
        self.tree.setObjectName("footnote_sources_table")
        self.tree.setAccessibleName("Footnotes and their sources")
        self.tree.setHeaderLabels(["Note", "Source", "Locator"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setStretchLastSection(False)
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.tree.itemDoubleClicked.connect(lambda *_: self.edit_current())
        lay.addWidget(self.tree, 1)
        self.only_unparsed = QCheckBox("Show only the notes that could not be parsed")
        self.only_unparsed.setObjectName("footnote_sources_only_unparsed")
        self.only_unparsed.toggled.connect(self._filter)
        lay.addWidget(self.only_unparsed)
        buttons = QDialogButtonBox()
        self.edit_button = QPushButton("&Edit…")
        self.edit_button.setObjectName("footnote_sources_edit")
        self.edit_button.setToolTip("Complete the source of the selected note by hand")
        buttons.addButton(self.edit_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.ok_button = buttons.addButton("&Make sources", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("footnote_sources_ok")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.edit_button.clicked.connect(self.edit_current)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self._fill()

    def _fill(self) -> None:
        from tei import footnote_sources as fs

        self.tree.clear()
        for i, c in enumerate(self.table.citations):
            if c.source is None:
                source, locator = f"Could not parse: {c.reason}", c.locator
            else:
                how = "" if c.how == "full" else f"  ({c.how})"
                source = fs.format_item(self.table.sources[c.source].item) + how
                locator = c.locator + (" (cited by)" if c.indirect else "")
            item = QTreeWidgetItem([c.label, source, locator])
            item.setData(0, Qt.ItemDataRole.UserRole, i)
            item.setToolTip(1, c.text)
            if c.source is None:
                for col in range(3):
                    item.setForeground(col, _UNPARSED)
            self.tree.addTopLevelItem(item)
        for col in (0, 2):
            self.tree.resizeColumnToContents(col)
        n, bad = len(self.table.citations), len(self.table.unparsed)
        self.summary.setText(
            f"{n - bad} of {n} footnotes read as citations of {len(self.table.sources)} sources"
            + (f"; {bad} could not be parsed: select one and press Edit… to complete it, or leave "
               "it out." if bad else ".")
            + " Sources already in the document are merged, not doubled; the notes are not changed."
        )  # fmt: skip
        self._filter(self.only_unparsed.isChecked())
        self._update_buttons()

    def _filter(self, only_unparsed: bool) -> None:
        for r in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(r)
            c = self.table.citations[item.data(0, Qt.ItemDataRole.UserRole)]
            item.setHidden(only_unparsed and c.source is not None)

    def current(self) -> fs.Citation | None:
        """Return the citation of the selected row."""
        item = self.tree.currentItem()
        return None if item is None else self.table.citations[item.data(0, Qt.ItemDataRole.UserRole)]

    def _update_buttons(self) -> None:
        c = self.current()
        self.edit_button.setEnabled(c is not None and (c.source is None or c.how == "completed by hand"))
        self.ok_button.setEnabled(bool(self.table.sources))

    def edit_current(self) -> None:
        """Complete the selected unparsed note with the source form, prefilled with its text."""
        from tei import footnote_sources as fs

        c = self.current()
        if c is None or not (c.source is None or c.how == "completed by hand"):
            return
        if c.source is not None:
            item = self.table.sources[c.source].item
            values = {"author": ", ".join(f"{a['family']}, {a.get('given', '')}".strip(", ")
                                          for a in item.get("author", [])),
                      "title": item.get("title", ""), "place": item.get("publisher-place", ""),
                      "date": str((item.get("issued") or {}).get("date-parts", [[""]])[0][0])}  # fmt: skip
        else:
            values = {"title": c.text}
        fields = NewSourceDialog.ask(self, values, f"Source of note {c.label}")
        if fields is None:
            return
        row = self.tree.currentItem().data(0, Qt.ItemDataRole.UserRole)
        fs.complete(self.table, c, fields)
        self._fill()
        self.tree.setCurrentItem(self.tree.topLevelItem(row))


def sources_menu(window: MainWindow) -> QMenu:
    """Return the window's Sources menu, adding it (before Tools) if it is not there yet."""
    mb = window.menuBar()
    for act in mb.actions():
        if act.menu() is not None and act.text().replace("&", "") == "Sources":
            return act.menu()
    tools = next((a for a in mb.actions() if a.text().replace("&", "") == "Tools"), None)
    menu = QMenu("&Sources", mb)
    menu.setObjectName("sources_menu")
    if tools is not None:
        mb.insertMenu(tools, menu)
    else:
        mb.addMenu(menu)
    return menu


def install(window: MainWindow) -> QAction:
    """Add Sources ▸ Make sources from footnotes… to the window and return the action."""
    act = QAction("Make sources from &footnotes…", window)
    act.setObjectName("action_sources_from_notes")
    act.setToolTip("Read the document's footnotes as citations and make them sources of the "
                   "bibliography, each pointing back at its notes")  # fmt: skip
    act.setStatusTip(act.toolTip())
    act.triggered.connect(lambda _checked=False: open_dialog(window))
    window.addAction(act)
    sources_menu(window).addAction(act)
    return act


def open_dialog(window: MainWindow) -> FootnoteSourcesDialog | None:
    """Read the footnotes and show the table (window-modal); accepting stores the sources."""
    from tei import footnote_sources as fs

    session = window.session
    table = fs.read_footnotes(session.doc)
    if not table.citations:
        window.statusBar().showMessage("The document has no footnotes to make sources from.", 8000)
        return None
    dialog = FootnoteSourcesDialog(table, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.footnote_sources_dialog = dialog  # type: ignore[attr-defined]

    def accepted() -> None:
        try:
            report = session.make_sources_from_notes(dialog.table)
        except tei.TeiError as exc:
            from .errors import show_error

            show_error(window, exc)
            return
        text = (f"Sources from footnotes: {report.summary()}" if report.added or report.links
                else "Every footnote already points at its source: nothing to add.")  # fmt: skip
        window.statusBar().showMessage(text, 10000)

    dialog.accepted.connect(accepted)
    dialog.open()
    return dialog
