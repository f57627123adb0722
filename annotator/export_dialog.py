"""File ▸ Export…: choose a format and options; the export runs off the GUI thread."""

from __future__ import annotations

import logging
import os

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from . import settings

log = logging.getLogger(__name__)

EXTENSIONS = {"html": ".html", "pdf": ".pdf", "tei-inline": ".xml", "webanno": ".json", "csv": ".csv"}


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
    """Return ``tei.exporters.export`` or raise a clear error if it is missing."""
    import tei

    try:
        from tei import exporters
    except ImportError:
        exporters = None
    fn = getattr(exporters, "export", None)
    if fn is None:
        raise tei.TeiError("exporting is not available in this version of Glossator "
                           "(tei.exporters.export is missing)")  # fmt: skip
    return fn


class ExportDialog(QDialog):
    """Format, destination, options and 'open when done'."""

    def __init__(self, doc_path: str | None, formats: dict[str, str], fmt: str = "",
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.setObjectName("export_dialog")
        self.doc_path = doc_path
        form = QFormLayout(self)
        self.format_combo = QComboBox()
        self.format_combo.setObjectName("export_format")
        self.format_combo.setAccessibleName("Export format")
        for key, desc in formats.items():
            self.format_combo.addItem(f"{desc}", key)
        want = fmt or settings.get("export/last_format")
        i = self.format_combo.findData(want)
        self.format_combo.setCurrentIndex(max(i, 0))
        form.addRow("Format", self.format_combo)
        row = QHBoxLayout()
        self.dest_edit = QLineEdit()
        self.dest_edit.setObjectName("export_dest")
        self.dest_edit.setAccessibleName("Export destination")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row.addWidget(self.dest_edit)
        row.addWidget(browse)
        form.addRow("Save to", row)
        self.notes_check = QCheckBox("Include annotation notes")
        self.notes_check.setChecked(True)
        form.addRow(self.notes_check)
        self.open_check = QCheckBox("Open when done")
        self.open_check.setObjectName("export_open")
        self.open_check.setChecked(settings.get("export/open_when_done"))
        form.addRow(self.open_check)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.format_combo.currentIndexChanged.connect(self._suggest)
        self._suggest()

    def fmt(self) -> str:
        """Return the chosen format key."""
        return self.format_combo.currentData() or ""

    def _suggest(self) -> None:
        base = os.path.splitext(self.doc_path or os.path.join(os.path.expanduser("~"), "untitled"))[0]
        self.dest_edit.setText(base + EXTENSIONS.get(self.fmt(), "." + self.fmt()))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.dest_edit.text())
        if path:
            self.dest_edit.setText(path)

    def options(self) -> dict[str, object]:
        """Return exporter options."""
        return {} if self.notes_check.isChecked() else {"notes": False}

    def accept(self) -> None:
        """Remember the choices."""
        settings.put("export/last_format", self.fmt())
        settings.put("export/open_when_done", self.open_check.isChecked())
        super().accept()
