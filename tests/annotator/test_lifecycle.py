"""The document lifecycle as a person meets it: Save As, reload, message bars, read-only files."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QFileDialog

import tei
from annotator.main_window import MainWindow

from .conftest import first_paragraph

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def annotate_by_keys(window: MainWindow, qtbot, block: int, start: int, length: int,  # noqa: ANN001
                     key: Qt.Key = Qt.Key.Key_C, note: str = "") -> str:  # fmt: skip
    """Select ``length`` characters with Shift+Right, press a category key, type a note."""
    view = window.view
    cur = QTextCursor(view.document())
    cur.setPosition(view.map.reading_to_qt(block, start))
    view.setTextCursor(cur)
    view.setFocus()
    for _ in range(length):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    before = {a.id for a in window.session.doc.annotations()}
    qtbot.keyClick(view, key)
    new = [a.id for a in window.session.doc.annotations() if a.id not in before]
    assert len(new) == 1, "the category key made no annotation"
    if note:
        qtbot.keyClicks(window.note_edit, note)
        window.editor.commit_pending()
    return new[0]


def patch_save_dialog(monkeypatch: pytest.MonkeyPatch, answer: str) -> list[tuple]:
    """Make the Save dialog return ``answer``; return the list of calls it received."""
    calls: list[tuple] = []

    def fake(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(args)
        return answer, "TEI XML (*.xml)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
    return calls


# -- Save As always asks ------------------------------------------------------------------------
def test_ctrl_shift_s_asks_for_a_name_and_leaves_the_original(window: MainWindow, qtbot,  # noqa: ANN001
                                                                sample_copy: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    original = sample_copy.read_bytes()
    aid = annotate_by_keys(window, qtbot, first_paragraph(window), 0, 9, note="kept in the copy")
    out = tmp_path / "copy.xml"
    calls = patch_save_dialog(monkeypatch, str(out))
    window.activateWindow()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_S, CTRL_SHIFT)
    assert len(calls) == 1
    assert sample_copy.read_bytes() == original
    assert tei.load(str(out)).annotation(aid).note == ["kept in the copy"]
    assert window.session.path == str(out) and "copy.xml" in window.windowTitle()
    assert not window.isWindowModified()


def test_save_as_from_the_menu_asks_and_cancel_writes_nothing(window: MainWindow, qtbot,  # noqa: ANN001
                                                             sample_copy: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    original = sample_copy.read_bytes()
    annotate_by_keys(window, qtbot, first_paragraph(window), 0, 9)
    calls = patch_save_dialog(monkeypatch, "")  # the user cancels
    file_menu = window.menuBar().actions()[0].menu()
    save_as = next(a for a in file_menu.actions() if a.objectName() == "action_save_as")
    save_as.trigger()  # emits triggered(False), as a click in the menu does
    assert len(calls) == 1
    assert sample_copy.read_bytes() == original
    assert window.isWindowModified() and window.session.path == str(sample_copy)
