"""File ▸ Export…: choose a format and its options; the export runs off the GUI thread."""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

import tei
import tei.exporters
from tei import TeiDocument

from . import citation_style, settings
from .errors import show_error

if TYPE_CHECKING:
    from .main_window import MainWindow

log = logging.getLogger(__name__)

EXTENSIONS = {"html": ".html", "pdf": ".pdf", "tei-inline": ".xml", "webanno": ".json", "csv": ".csv"}
#: PDF note placement: option value -> label.
PDF_NOTES = {"endnotes": "Endnotes after the text", "": "None (passages marked only)"}


def available_formats() -> dict[str, str]:
    """Return fmt -> description from ``tei.exporters.FORMATS`` (empty if not available)."""
    try:
        import annotator.pdf  # noqa: F401 - registers the PDF exporter
    except ImportError:
        pass
    try:
        from tei import exporters
    except ImportError:
        return {}
    formats = getattr(exporters, "FORMATS", None)
    return dict(formats) if isinstance(formats, dict) else {}


def export_function():  # noqa: ANN201
    """Return ``tei.exporters.export`` (with ``pdf`` registered) or raise a clear error."""
    import tei

    available_formats()  # registers the PDF exporter, whatever asked for the export

    try:
        from tei import exporters
    except ImportError:
        exporters = None
    fn = getattr(exporters, "export", None)
    if fn is None:
        raise tei.TeiError("exporting is not available in this version of Glossator "
                           "(tei.exporters.export is missing)")  # fmt: skip
    return fn


def _combo(name: str, items: dict[str, str]) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for value, label in items.items():
        combo.addItem(label, value)
    return combo


class ExportDialog(QDialog):
    """Format, destination, the chosen format's options and 'open when done'."""

    def __init__(self, doc_path: str | None, formats: dict[str, str], fmt: str = "",
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.setObjectName("export_dialog")
        self.doc_path = doc_path
        form = QFormLayout(self)
        self.format_combo = _combo("export_format", formats)
        self.format_combo.setAccessibleName("Export format")
        want = fmt or settings.get("export/last_format")
        i = self.format_combo.findData(want)
        self.format_combo.setCurrentIndex(max(i, 0))
        form.addRow("&Format", self.format_combo)
        row = QHBoxLayout()
        self.dest_edit = QLineEdit()
        self.dest_edit.setObjectName("export_dest")
        self.dest_edit.setAccessibleName("Export destination")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        row.addWidget(self.dest_edit)
        row.addWidget(browse)
        label = QLabel("&Save to")
        label.setBuddy(self.dest_edit)
        form.addRow(label, row)
        # per-format options (only the chosen format's are shown)
        self.notes_check = QCheckBox("Include the annotations' notes (margin, popovers, endnotes)")
        self.notes_check.setObjectName("export_html_notes")
        self.notes_check.setChecked(True)
        self.pdf_notes = _combo("export_pdf_notes", PDF_NOTES)
        self.pdf_notes.setAccessibleName("Notes in the PDF")
        self.page_size = _combo("export_page_size", {"A4": "A4", "Letter": "US Letter"})
        self.page_size.setAccessibleName("Page size")
        self.bom_check = QCheckBox("Start with a byte-order mark (spreadsheets then read UTF-8)")
        self.bom_check.setObjectName("export_csv_bom")
        self.bom_check.setChecked(True)
        self.delimiter = _combo("export_csv_delimiter", {",": "Comma", ";": "Semicolon", "\t": "Tab"})
        self.delimiter.setAccessibleName("Column separator")
        self.base_uri = QLineEdit()
        self.base_uri.setObjectName("export_base_uri")
        self.base_uri.setPlaceholderText("the file's own address (file://…)")
        self.base_uri.setAccessibleName("Document URI for the annotation targets")
        self._rows: dict[str, list[tuple[str, QWidget]]] = {
            "html": [("", self.notes_check)],
            "pdf": [("&Notes", self.pdf_notes), ("&Page size", self.page_size)],
            "csv": [("", self.bom_check), ("Se&parator", self.delimiter)],
            "webanno": [("Document &URI", self.base_uri)],
        }
        for rows in self._rows.values():
            for label, widget in rows:
                if label:
                    form.addRow(label, widget)
                else:
                    form.addRow(widget)
        self.open_check = QCheckBox("&Open when done")
        self.open_check.setObjectName("export_open")
        self.open_check.setChecked(settings.get("export/open_when_done"))
        form.addRow(self.open_check)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)  # fmt: skip
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self._form = form
        self.format_combo.currentIndexChanged.connect(self._format_changed)
        self.dest_edit.textChanged.connect(self._update_ok)
        self._format_changed()

    def fmt(self) -> str:
        """Return the chosen format key."""
        return self.format_combo.currentData() or ""

    def _format_changed(self) -> None:
        chosen = self.dest_edit.text().strip()  # keep a folder and name the user picked
        base = os.path.splitext(chosen or self.doc_path
                                or os.path.join(os.path.expanduser("~"), "untitled"))[0]  # fmt: skip
        self.dest_edit.setText(base + EXTENSIONS.get(self.fmt(), "." + self.fmt()))
        for fmt, rows in self._rows.items():
            for _label, widget in rows:
                self._form.setRowVisible(widget, fmt == self.fmt())
        self.adjustSize()

    def _update_ok(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.dest_edit.text().strip()))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.dest_edit.text())
        if path:
            self.dest_edit.setText(path)

    def options(self) -> dict[str, object]:
        """Return the exporter options of the chosen format (with the citation style chosen in
        Preferences for the formats that print citations)."""
        fmt = self.fmt()
        options = self._format_options(fmt)
        if "style" in tei.exporters.OPTIONS.get(fmt, {}):
            options["style"] = citation_style.current()
        return options

    def _format_options(self, fmt: str) -> dict[str, object]:
        if fmt == "html":
            return {} if self.notes_check.isChecked() else {"notes": False}
        if fmt == "pdf":
            return {"notes": self.pdf_notes.currentData(), "page_size": self.page_size.currentData()}
        if fmt == "csv":
            return {"bom": self.bom_check.isChecked(), "delimiter": self.delimiter.currentData()}
        if fmt == "webanno" and self.base_uri.text().strip():
            return {"base_uri": self.base_uri.text().strip()}
        return {}

    def accept(self) -> None:
        """Remember the choices."""
        settings.put("export/last_format", self.fmt())
        settings.put("export/open_when_done", self.open_check.isChecked())
        super().accept()


class _Relay(QObject):
    finished = Signal(object)


def export_document(win: MainWindow, fmt: str = "") -> bool:
    """File ▸ Export…: choose format and options, export off the GUI thread."""
    try:
        fn = export_function()
    except tei.TeiError as exc:
        show_error(win, exc)
        return False
    formats = available_formats() or {"html": "HTML"}
    dialog = ExportDialog(win.session.path, formats, fmt, win)
    if dialog.exec() != ExportDialog.DialogCode.Accepted:
        return False
    win.editor.commit_pending()
    run_export(win, fn, dialog.fmt(), dialog.dest_edit.text(), dialog.options(), dialog.open_check.isChecked())
    return True


def run_export(win: MainWindow, fn, fmt: str, dest: str, options: dict, open_when_done: bool) -> None:  # noqa: ANN001
    """Export in a worker thread with a busy indicator; report errors through show_error."""
    doc = TeiDocument.from_bytes(win.session.to_bytes(), win.session.path)
    relay = _Relay(win)

    def work() -> None:
        try:
            report = fn(doc, fmt, dest, **options)
        except BaseException as exc:  # noqa: BLE001 - reported in the GUI
            relay.finished.emit(exc)
            return
        relay.finished.emit(report)

    def finished(result: object) -> None:
        win.progress.hide()
        if isinstance(result, BaseException):
            show_error(win, result, "The export failed.")
            return
        also = "".join(f" and {p}" for p in getattr(result, "also", []))
        win.statusBar().showMessage(f"Exported to {dest}{also}", 5000)
        warnings = list(getattr(result, "warnings", None) or [])
        if warnings:  # what the reader of the edition will miss (fonts, split passages)
            more = f" (and {len(warnings) - 5} more)" if len(warnings) > 5 else ""
            win.message_bar.show_message(
                f"Exported to {os.path.basename(dest)}, with notes: " + " · ".join(warnings[:5])
                + more, level="warning", kind="export")  # fmt: skip
        if open_when_done:
            QDesktopServices.openUrl(QUrl.fromLocalFile(dest))

    relay.finished.connect(finished)
    win.progress.show()
    threading.Thread(target=work, daemon=True, name="glossator-export").start()

