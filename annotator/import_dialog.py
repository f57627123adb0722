"""File ▸ Import text…: options for the plain-text importer, then a preview of its report."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

import tei
from tei import TeiDocument

from . import settings
from .errors import show_error

if TYPE_CHECKING:
    from .main_window import MainWindow

log = logging.getLogger(__name__)


class ImportOptionsDialog(QDialog):
    """Asks for the importer's options (every 'auto' can be overridden)."""

    def __init__(self, path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import text")
        self.setObjectName("import_options_dialog")
        form = QFormLayout(self)
        form.addRow(QLabel(f"<b>{path}</b>"))
        self.title_edit = QLineEdit()
        self.author_edit = QLineEdit()
        self.url_edit = QLineEdit()
        self.lang_edit = QLineEdit()
        self.lang_edit.setPlaceholderText("e.g. en, ru (optional)")
        self.encoding_combo = QComboBox()
        self.encoding_combo.addItems(["(detect)", "utf-8", "cp1251", "cp1252", "latin-1", "utf-16"])
        self.pages_combo = QComboBox()
        self.pages_combo.addItems(["auto", "page-line", "bracket", "dash", "formfeed", "none"])
        self.notes_combo = QComboBox()
        self.notes_combo.addItems(["auto", "none"])
        self.paras_combo = QComboBox()
        self.paras_combo.addItems(["auto", "lines", "blank"])
        self.boiler_check = QCheckBox("Drop website boilerplate after the last page")
        self.boiler_check.setChecked(True)
        for label, w in (("Title", self.title_edit), ("Author", self.author_edit),
                         ("Source URL", self.url_edit), ("Language", self.lang_edit),
                         ("Encoding", self.encoding_combo), ("Page markers", self.pages_combo),
                         ("Footnotes", self.notes_combo), ("Paragraphs", self.paras_combo)):  # fmt: skip
            w.setAccessibleName(label)
            form.addRow(label, w)
        form.addRow(self.boiler_check)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def options(self) -> object:
        """Return the ``TextImportOptions`` chosen."""
        from tei.importers.plaintext import TextImportOptions

        enc = self.encoding_combo.currentText()
        return TextImportOptions(
            title=self.title_edit.text().strip() or None,
            author=self.author_edit.text().strip() or None,
            source_url=self.url_edit.text().strip() or None,
            lang=self.lang_edit.text().strip() or None,
            encoding=None if enc.startswith("(") else enc,
            page_markers=self.pages_combo.currentText(),
            footnotes=self.notes_combo.currentText(),
            paragraphs=self.paras_combo.currentText(),
            drop_boilerplate=self.boiler_check.isChecked(),
        )


class ImportPreviewDialog(QDialog):
    """Shows the importer's report; OK opens the result as a new unsaved document."""

    def __init__(self, report_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import report")
        self.setObjectName("import_preview_dialog")
        self.resize(720, 480)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Check what the importer found before opening the result:"))
        self.report = QPlainTextEdit(report_text)
        self.report.setObjectName("import_report")
        self.report.setAccessibleName("Import report")
        self.report.setReadOnly(True)
        font = QFont("DejaVu Sans Mono")
        font.setPointSize(9)
        self.report.setFont(font)
        lay.addWidget(self.report)
        buttons = QDialogButtonBox()
        buttons.addButton("Open as new document", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)


def import_text(win: MainWindow, path: str | None = None) -> bool:
    """File ▸ Import text…: run the plain-text importer and preview its report."""
    if path is None:
        path, _ = QFileDialog.getOpenFileName(win, "Import plain text", settings.get("files/last_dir"),
                                              "Text (*.txt *.md);;All files (*)")  # fmt: skip
        if not path:
            return False
    opts_dialog = ImportOptionsDialog(path, win)
    if opts_dialog.exec() != ImportOptionsDialog.DialogCode.Accepted:
        return False
    try:
        from tei.importers.plaintext import import_text_file

        result = import_text_file(path, opts_dialog.options())
        doc = TeiDocument.from_bytes(result.xml)
    except (tei.TeiError, OSError) as exc:
        show_error(win, exc, f"{os.path.basename(path)} cannot be imported.")
        return False
    preview = ImportPreviewDialog(result.report.format_text(), win)
    if preview.exec() != ImportPreviewDialog.DialogCode.Accepted:
        return False
    win.lifecycle.open_document(doc, os.path.splitext(os.path.basename(path))[0])
    return True

