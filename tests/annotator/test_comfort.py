"""Comfort features: recent files, drag and drop, remembered layout, identity from the preferences
and accessible names on every control."""

from __future__ import annotations

import shutil
from pathlib import Path

from lxml import etree
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

import tei
from annotator import settings
from annotator.main_window import MainWindow
from annotator.preferences import PreferencesDialog

from .conftest import SAMPLE, first_paragraph, select_words


def copies(tmp_path: Path, *names: str) -> list[Path]:
    out = []
    for name in names:
        shutil.copy(SAMPLE, tmp_path / name)
        out.append(tmp_path / name)
    return out


def test_recent_files_are_listed_newest_first_and_open(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    a, b = copies(tmp_path, "a.xml", "b.xml")
    window = MainWindow(str(a))
    qtbot.addWidget(window)
    window.open_path(str(b), background=False)
    window.recent_menu.aboutToShow.emit()
    acts = [act for act in window.recent_menu.actions() if act.isEnabled()]
    assert [act.text() for act in acts][:2] == ["b.xml", "a.xml"]
    acts[1].trigger()
    assert window.session.path == str(a)
    assert settings.get("files/recent")[0] == str(a)


def test_dropping_a_file_opens_it(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    (b,) = copies(tmp_path, "dropped.xml")
    window = MainWindow(None)
    qtbot.addWidget(window)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(b))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)  # fmt: skip
    window.dropEvent(event)
    assert window.session.path == str(b) and window.has_document


def test_dock_layout_is_remembered(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    (a,) = copies(tmp_path, "a.xml")
    first = MainWindow(str(a))
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    assert first.outline_dock.isVisible()
    first.outline_dock.hide()
    first.close()
    second = MainWindow(str(a))
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    assert not second.outline_dock.isVisible() and second.editor_dock.isVisible()


def test_identity_and_orcid_from_the_preferences_are_recorded(qtbot, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    (a,) = copies(tmp_path, "a.xml")
    window = MainWindow(str(a))
    qtbot.addWidget(window)

    def fill(dialog: PreferencesDialog) -> int:
        dialog.name_edit.setText("Olga Archivist")
        dialog.orcid_edit.setText("0000-0002-1825-0097")
        dialog.accept()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(PreferencesDialog, "exec", fill)
    window.preferences()
    select_words(window, first_paragraph(window), 0, 10)
    aid = window.annotate("gl-comment")
    assert window.save()
    doc = tei.load(str(a))
    ann = doc.annotation(aid)
    assert ann.annotator_name == "Olga Archivist"
    person = doc.element_by_id(ann.annotator)
    assert person is not None and b"0000-0002-1825-0097" in etree.tostring(person)

CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QPlainTextEdit, QAbstractSpinBox)


def test_every_control_has_an_accessible_name(window: MainWindow) -> None:
    window.editor_dock.show()
    missing = []
    for w in window.findChildren(QWidget):
        if not isinstance(w, CONTROLS) or w.objectName().startswith("qt_"):
            continue
        parent = w.parent()
        if (isinstance(w, QHeaderView) or isinstance(parent, (QComboBox, QLineEdit))
                or parent.inherits("QComboBoxPrivateContainer")):  # fmt: skip
            continue  # Qt's own parts: table headers, combo popups, clear buttons
        text = w.text() if isinstance(w, QAbstractButton) else ""
        if not (w.accessibleName() or text.replace("&", "").strip() or w.toolTip()):
            missing.append(f"{type(w).__name__} {w.objectName()!r} in {type(w.parent()).__name__} {w.parent().objectName()!r}")
    assert missing == [], "\n".join(missing)
