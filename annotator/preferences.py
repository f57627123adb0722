"""Preferences: the annotator's identity (name, ORCID), autosave, reading font, citation style,
validation schema, the default categories."""

from __future__ import annotations

import os
import re

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

import tei
from tei import citations
from tei.taxonomy import read_taxonomy

from . import citation_style, settings


def orcid_ok(text: str) -> bool:
    """Tell whether an ORCID iD is empty or well-formed (with or without https://orcid.org/)."""
    text = text.strip()
    return not text or bool(re.fullmatch(r"(https://orcid\.org/)?\d{4}-\d{4}-\d{4}-\d{3}[\dX]", text))


class PreferencesDialog(QDialog):
    """Edits the declared settings a user is expected to change."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.setObjectName("preferences_dialog")
        form = QFormLayout(self)
        self.name_edit = QLineEdit(settings.get("annotator/name"))
        self.name_edit.setObjectName("pref_name")
        self.name_edit.setAccessibleName("Your name")
        self.name_edit.setPlaceholderText("as it will appear on your annotations")
        form.addRow("Your &name", self.name_edit)
        self.orcid_edit = QLineEdit(settings.get("annotator/orcid"))
        self.orcid_edit.setObjectName("pref_orcid")
        self.orcid_edit.setAccessibleName("ORCID iD")
        self.orcid_edit.setPlaceholderText("0000-0000-0000-0000 (optional)")
        form.addRow("&ORCID iD", self.orcid_edit)
        self.autosave_spin = QSpinBox()
        self.autosave_spin.setObjectName("pref_autosave")
        self.autosave_spin.setAccessibleName("Autosave interval in seconds")
        self.autosave_spin.setRange(0, 3600)
        self.autosave_spin.setSuffix(" s")
        self.autosave_spin.setValue(settings.get("editor/autosave_seconds"))
        form.addRow("Recovery &autosave", self.autosave_spin)
        self.font_spin = QSpinBox()
        self.font_spin.setObjectName("pref_font_size")
        self.font_spin.setAccessibleName("Reading font size")
        self.font_spin.setRange(7, 32)
        self.font_spin.setValue(settings.get("view/font_size"))
        form.addRow("Reading &font size", self.font_spin)
        self.style_combo = QComboBox()
        self.style_combo.setObjectName("pref_citation_style")
        self.style_combo.setAccessibleName("Citation style")
        self.style_combo.setToolTip("How sources are cited in the Sources panel, the editor and the "
                                    "HTML, PDF and CSV exports (CSL styles)")
        chosen = citation_style.current()
        styles = dict(citations.STYLES)
        if chosen not in styles:  # a bundled style named in the settings file by hand
            styles[chosen] = chosen
        for name, label in styles.items():
            self.style_combo.addItem(label, name)
        self.style_combo.setCurrentIndex(self.style_combo.findData(chosen))
        form.addRow("Citation st&yle", self.style_combo)
        self.schema_edit = QLineEdit(settings.get("validation/schema"))
        self.schema_edit.setObjectName("pref_schema")
        self.schema_edit.setAccessibleName("RELAX NG schema for validation")
        self.schema_edit.setPlaceholderText("none: check annotations, ids and references only")
        self.schema_edit.setToolTip("A RELAX NG schema (.rng), e.g. tei_all.rng, that Tools ▸ Validate "
                                    "also checks against. Compiled once per session, in the background.")
        self.schema_edit.setClearButtonEnabled(True)
        browse = QPushButton("Browse…")
        browse.setObjectName("pref_schema_browse")
        browse.setAccessibleName("Choose a schema file")
        browse.clicked.connect(self.choose_schema)
        row = QHBoxLayout()
        row.addWidget(self.schema_edit, 1)
        row.addWidget(browse)
        label = QLabel("Validation &schema")
        label.setBuddy(self.schema_edit)
        form.addRow(label, row)
        self.taxonomy_edit = QLineEdit(settings.get("taxonomy/default"))
        self.taxonomy_edit.setObjectName("pref_taxonomy")
        self.taxonomy_edit.setAccessibleName("Default categories file")
        self.taxonomy_edit.setPlaceholderText("Glossator's source-criticism categories")
        self.taxonomy_edit.setToolTip("A taxonomy file (Categories ▸ Export…) that new documents and documents "
                                      "without categories of their own start from.")  # fmt: skip
        self.taxonomy_edit.setClearButtonEnabled(True)
        self.taxonomy_edit.textEdited.connect(lambda _t: self.taxonomy_edit.setStyleSheet(""))
        browse_tax = QPushButton("Browse…")
        browse_tax.setObjectName("pref_taxonomy_browse")
        browse_tax.setAccessibleName("Choose a default categories file")
        browse_tax.clicked.connect(self.choose_taxonomy)
        row = QHBoxLayout()
        row.addWidget(self.taxonomy_edit, 1)
        row.addWidget(browse_tax)
        label = QLabel("Default &categories")
        label.setBuddy(self.taxonomy_edit)
        form.addRow(label, row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _choose_file(self, edit: QLineEdit, title: str, filters: str) -> None:
        """Let the user pick a file for ``edit``, starting in the folder of its current value."""
        current = edit.text().strip()
        path, _ = QFileDialog.getOpenFileName(self, title, os.path.dirname(current) if current else "", filters)
        if path:
            edit.setText(path)

    def choose_schema(self) -> None:
        """Pick a RELAX NG schema file."""
        self._choose_file(self.schema_edit, "RELAX NG schema", "RELAX NG schema (*.rng);;All files (*)")

    def choose_taxonomy(self) -> None:
        """Pick a taxonomy file for new documents."""
        self._choose_file(self.taxonomy_edit, "Default categories", "TEI taxonomy (*.xml);;All files (*)")

    def taxonomy_problem(self) -> str:
        """Return why the default-categories file cannot be used ('' if it can or is empty)."""
        text = self.taxonomy_edit.text().strip()
        if not text:
            return ""
        try:
            read_taxonomy(os.path.expanduser(text))
        except tei.TeiError as exc:
            return str(exc)
        return ""

    def schema_ok(self) -> bool:
        """Tell whether the schema field is empty or names an existing file."""
        text = self.schema_edit.text().strip()
        return not text or os.path.isfile(os.path.expanduser(text))

    def orcid_ok(self) -> bool:
        """Tell whether the ORCID field is empty or well-formed."""
        return orcid_ok(self.orcid_edit.text())

    def accept(self) -> None:
        """Store the values."""
        if not self.orcid_ok():
            self.orcid_edit.setFocus()
            self.orcid_edit.setStyleSheet("border:1px solid #c0392b;")
            return
        if not self.schema_ok():
            self.schema_edit.setFocus()
            self.schema_edit.setStyleSheet("border:1px solid #c0392b;")
            self.schema_edit.setToolTip("There is no file at this path; choose a .rng file or leave it empty.")
            return
        problem = self.taxonomy_problem()
        if problem:
            self.taxonomy_edit.setFocus()
            self.taxonomy_edit.setStyleSheet("border:1px solid #c0392b;")
            self.taxonomy_edit.setToolTip(f"This file cannot be used: {problem}")
            return
        taxonomy = self.taxonomy_edit.text().strip()
        settings.put("taxonomy/default", os.path.abspath(os.path.expanduser(taxonomy)) if taxonomy else "")
        settings.put("annotator/name", self.name_edit.text().strip())
        settings.put("annotator/orcid", self.orcid_edit.text().strip())
        settings.put("editor/autosave_seconds", self.autosave_spin.value())
        settings.put("view/font_size", self.font_spin.value())
        settings.put("citations/style", self.style_combo.currentData())
        schema = self.schema_edit.text().strip()
        settings.put("validation/schema", os.path.abspath(os.path.expanduser(schema)) if schema else "")
        super().accept()
