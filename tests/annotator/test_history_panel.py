"""History with hands: edits by typing are remembered field by field, the History panel lists
every version with who changed what, "Restore this version" and Tools ▸ Undo someone's changes…
are one undo step each."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

import tei
from annotator.history_panel import RollbackDialog
from annotator.main_window import MainWindow

from .test_lifecycle import annotate_by_keys

LEFT = Qt.MouseButton.LeftButton
TIMES = iter(f"2026-05-0{d}T{h:02d}:00:00Z" for d in range(1, 10) for h in range(8, 20))


def _tick(window: MainWindow) -> None:
    """Let an hour pass between edits (quick edits by one person fold into one change)."""
    now = next(TIMES)
    window.session.clock = lambda: now


def _type_note(window: MainWindow, qtbot, text: str) -> None:  # noqa: ANN001
    window.note_edit.setFocus()
    window.note_edit.selectAll()
    qtbot.keyClicks(window.note_edit, text)
    window.editor.commit_pending()
    window.session.end_typing()


def test_history_panel_lists_versions_and_restores_one(window: MainWindow, qtbot, sample_copy: Path) -> None:  # noqa: ANN001
    _tick(window)
    aid = annotate_by_keys(window, qtbot, 0, 4, 18, note="first thoughts")
    _tick(window)
    _type_note(window, qtbot, "second thoughts")
    window.session.set_identity("Second Reader")
    _tick(window)
    _type_note(window, qtbot, "a third opinion")
    window.select_annotation(aid)
    window.history_dock.show()
    window.history_dock.raise_()
    panel = window.history_panel
    table = panel.table
    assert table.rowCount() == 4  # created, note typed, two later notes
    assert table.item(0, 1).text() == "Second Reader" and table.item(1, 1).text() == "Test Historian"
    assert "second thoughts → a third opinion" in table.item(0, 2).text()
    assert table.item(3, 2).text() == "created"
    rect = table.visualItemRect(table.item(1, 0))
    QTest.mouseClick(table.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, rect.center())
    assert panel.restore_button.isEnabled()
    _tick(window)
    qtbot.mouseClick(panel.restore_button, LEFT)
    assert window.session.doc.annotation(aid).note == ["second thoughts"]
    assert table.rowCount() == 5 and "a third opinion → second thoughts" in table.item(0, 2).text()
    window.session.undo_stack.undo()
    assert window.session.doc.annotation(aid).note == ["a third opinion"] and table.rowCount() == 4
    assert window.save()
    saved = tei.load(str(sample_copy)).annotation(aid)
    assert len(saved.element.findall(".//{http://www.tei-c.org/ns/1.0}change")) == 4


def test_undo_someones_changes_previews_then_undoes_in_one_step(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    _tick(window)
    mine = annotate_by_keys(window, qtbot, 0, 4, 18, note="mine")
    window.session.set_identity("Careless Student")
    _tick(window)
    _type_note(window, qtbot, "overwritten by the student")
    _tick(window)
    theirs = annotate_by_keys(window, qtbot, 0, 40, 12, note="the student's own")
    window.session.set_identity("Test Historian")
    steps_before = window.session.undo_stack.count()
    tools = next(a.menu() for a in window.menuBar().actions() if a.menu().objectName() == "tools_menu")
    next(a for a in tools.actions() if a.objectName() == "action_rollback").trigger()
    dialog = window.findChild(RollbackDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.person.setCurrentIndex(dialog.person.findText("Careless Student"))
    dialog.since.setDateTime(dialog.since.dateTime().fromString("2026-05-01 00:00", "yyyy-MM-dd HH:mm"))
    items = [dialog.preview.item(i).text() for i in range(dialog.preview.count())]
    assert any(t.startswith("put back note") for t in items) and any(t.startswith("delete") for t in items)
    qtbot.mouseClick(dialog.apply_button, LEFT)
    QApplication.processEvents()
    doc = window.session.doc
    assert doc.annotation(mine).note == ["mine"]
    assert theirs not in {a.id for a in doc.annotations()}
    assert window.session.undo_stack.count() == steps_before + 1  # one step
    window.session.undo_stack.undo()
    assert window.session.doc.annotation(mine).note == ["overwritten by the student"]
