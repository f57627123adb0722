"""A small dialog for a new bibliography entry, offered wherever a source is chosen."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget


class NewSourceDialog(QDialog):
    """Asks for author, title, year and place of a new source."""

    FIELDS = (("author", "&Author", "Surname, Forename"), ("title", "&Title", ""),
              ("date", "&Year", "e.g. 1981"), ("place", "&Place", "e.g. Moscow"))  # fmt: skip

    def __init__(self, parent: QWidget | None = None, values: dict[str, str] | None = None,
                 title: str = "New source") -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("new_source_dialog")
        form = QFormLayout(self)
        self.edits: dict[str, QLineEdit] = {}
        for key, label, placeholder in self.FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"new_source_{key}")
            edit.setAccessibleName(label.replace("&", ""))
            edit.setPlaceholderText(placeholder)
            edit.setText((values or {}).get(key, ""))
            form.addRow(label, edit)
            self.edits[key] = edit
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def fields(self) -> dict[str, str]:
        """Return the fields typed (empty ones left out)."""
        return {k: e.text().strip() for k, e in self.edits.items() if e.text().strip()}

    @staticmethod
    def ask(parent: QWidget | None, values: dict[str, str] | None = None,
            title: str = "New source") -> dict[str, str] | None:  # fmt: skip
        """Show the dialog (prefilled with ``values``); return the fields of the new source, or
        None when cancelled or empty."""
        dialog = NewSourceDialog(parent, values, title)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        fields = dialog.fields()
        return fields if fields.get("author") or fields.get("title") else None
