"""File ▸ Compare annotations with…, used with hands: the differences with another scholar's copy
listed, the selected one shown in the text and side by side; Adopt theirs, Keep mine, Keep both
and Adopt all, each one Ctrl+Z away, and what they save."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

import tei
from annotator.compare_annotations import CompareAnnotations
from annotator.main_window import MainWindow
from annotator.session import Session
from tests.tei.test_compare import BASE, pair

LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier
TEI = "{http://www.tei-c.org/ns/1.0}"


def _open(qtbot, tmp_path: Path, monkeypatch) -> tuple[MainWindow, Path, dict[str, str]]:  # noqa: ANN001
    mine, theirs, ids = pair()
    mine_path, theirs_path = tmp_path / "ann.xml", tmp_path / "ben.xml"
    mine.save(str(mine_path))
    theirs.save(str(theirs_path))
    w = MainWindow(str(mine_path))
    w.session.set_identity("Ann")
    qtbot.addWidget(w)
    w.resize(1300, 850)
    w.show()
    qtbot.waitExposed(w)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(theirs_path), "")))
    file_menu = next(a.menu() for a in w.menuBar().actions() if a.text() == "&File")
    action = next(a for a in file_menu.actions() if a.objectName() == "action_compare")
    action.trigger()  # triggered(False), as a menu click
    return w, mine_path, ids


def _rows(panel) -> dict[str, int]:  # noqa: ANN001
    return {(d.mine_id or d.theirs_id): i for i, d in enumerate(panel.differences())}


def _click_row(table, row: int) -> None:  # noqa: ANN001
    rect = table.visualItemRect(table.item(row, 0))
    QTest.mouseClick(table.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, rect.center())


def _key(w: MainWindow, qtbot, key: Qt.Key) -> None:  # noqa: ANN001
    """Press Ctrl+``key`` in the text, the window active (a shortcut of the window's)."""
    if QApplication.activeWindow() is not w:  # the offscreen platform may leave no window active
        w.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=2000)
    w.view.setFocus()
    qtbot.keyClick(w.view, key, CTRL)


def _saved(w: MainWindow, qtbot, path: Path) -> tei.TeiDocument:  # noqa: ANN001
    _key(w, qtbot, Qt.Key.Key_S)
    assert not w.session.is_dirty()
    return tei.load(path)


def _side(panel) -> dict[str, tuple[str, str]]:  # noqa: ANN001
    t = panel.fields
    return {t.item(r, 0).text(): (t.item(r, 1).text(), t.item(r, 2).text()) for r in range(t.rowCount())}


def test_compare_adopt_keep_both_and_adopt_all_each_undone_by_ctrl_z(qtbot, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    w, path, ids = _open(qtbot, tmp_path, monkeypatch)
    panel = w.compare_panel
    assert w.compare_dock.isVisible()
    assert "Compared with ben.xml: 2 changed, 1 only in theirs, 1 only in mine, 1 the same" in panel.header.text()
    rows = _rows(panel)
    assert set(rows) == {ids["shared"], ids["mine_bravo"], ids["only_mine"], ids["only_theirs"]}
    assert panel.table.item(rows[ids["shared"]], 1).text() == "changed"
    assert panel.table.item(rows[ids["shared"]], 2).text() == "certainty, note"
    original = path.read_bytes()
    panel.filter.setFocus()
    qtbot.keyClick(panel.filter, Qt.Key.Key_Down)  # Differences → Changed
    assert set(_rows(panel)) == {ids["shared"], ids["mine_bravo"]}
    for _ in range(4):  # → Only in theirs, Only in mine, Both kept, Same
        qtbot.keyClick(panel.filter, Qt.Key.Key_Down)
    assert set(_rows(panel)) == {ids["untouched"]} and panel.table.item(0, 1).text() == "same"
    qtbot.keyClick(panel.filter, Qt.Key.Key_Home)
    assert _rows(panel) == rows

    # a changed annotation: shown in the text and side by side, then adopted
    _click_row(panel.table, rows[ids["shared"]])
    assert w.editor.ann_id == ids["shared"] and w.view.selected_id == ids["shared"]
    side = _side(panel)
    assert side["≠ certainty"] == ("unknown", "high") and side["≠ note"][1] == "the first word, surely"
    assert side["annotator"] == ("Ann", "Ann")  # Ben changed Ann's annotation
    assert panel.table.item(rows[ids["shared"]], 0).isSelected()
    qtbot.mouseClick(panel.adopt_button, LEFT)
    saved = _saved(w, qtbot, path).annotation(ids["shared"])
    assert saved.certainty == "high" and saved.note == ["the first word, surely"] and saved.annotator_name == "Ann"
    assert ids["shared"] not in _rows(panel)  # the same now: not a difference any more
    _key(w, qtbot, Qt.Key.Key_Z)
    assert w.session.doc.annotation(ids["shared"]).certainty == "unknown"
    assert _rows(panel)[ids["shared"]] == rows[ids["shared"]]

    # only in theirs: the passage is selected in my text; adopted with Ben as its annotator
    rows = _rows(panel)
    _click_row(panel.table, rows[ids["only_theirs"]])
    assert w.view.textCursor().selectedText() == "foxtrotxx"
    assert _side(panel)["note"] == ("—", "why foxtrot?")
    qtbot.mouseClick(panel.adopt_button, LEFT)
    doc = _saved(w, qtbot, path)
    added = doc.annotation(ids["only_theirs"])
    assert doc.annotators()[added.annotator] == "Ben" and added.quote == "foxtrotxx"
    _key(w, qtbot, Qt.Key.Key_Z)
    assert ids["only_theirs"] not in {a.id for a in w.session.doc.annotations()}
    assert "Ben" not in w.session.doc.annotators().values()  # he came with his annotation

    # keep both: their reading beside mine, both marked as a disagreement
    rows = _rows(panel)
    _click_row(panel.table, rows[ids["mine_bravo"]])
    assert _side(panel)["annotator"] == ("Ann", "Ben") and "≠ passage" in _side(panel)
    qtbot.mouseClick(panel.both_button, LEFT)
    doc = _saved(w, qtbot, path)
    bravo = doc.annotation(ids["mine_bravo"])
    note = bravo.element.find(f"{TEI}note[@type='disagreement']")
    other = doc.annotation(note.get("corresp").lstrip("#"))
    assert other.note == ["Ben's reading"] and bravo.note == ["Ann's reading"]
    assert other.element.find(f"{TEI}note[@type='disagreement']").get("corresp") == "#" + ids["mine_bravo"]
    w.show_agreement()
    assert w.agreement_panel.readings.rowCount() == 2  # the Agreement panel's merged readings
    assert w.session.undo_stack.undoText().startswith("Keep both readings")
    _key(w, qtbot, Qt.Key.Key_Z)
    assert len(w.session.doc.annotations()) == 4
    assert w.session.doc.annotation(ids["mine_bravo"]).element.find(f"{TEI}note[@type='disagreement']") is None

    # keep mine: nothing changes, the row is marked as seen
    w.compare_dock.raise_()
    rows = _rows(panel)
    _click_row(panel.table, rows[ids["shared"]])
    steps = w.session.undo_stack.count()
    qtbot.mouseClick(panel.mine_button, LEFT)
    assert w.session.undo_stack.count() == steps
    assert panel.table.item(rows[ids["shared"]], 1).text() == "changed, kept mine"

    # adopt all theirs that I don't have
    assert panel.all_button.text() == "Adopt all theirs that I don't have (1)"
    qtbot.mouseClick(panel.all_button, LEFT)
    assert ids["only_theirs"] in {a.id for a in _saved(w, qtbot, path).annotations()}
    assert not panel.all_button.isEnabled()
    _key(w, qtbot, Qt.Key.Key_Z)
    assert w.session.to_bytes(when="x") == tei.TeiDocument.from_bytes(original).to_bytes(when="x")


def test_an_unreadable_copy_is_a_clear_message(qtbot, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    from annotator import errors

    bad = tmp_path / "bad.xml"
    bad.write_text("<TEI><unclosed></TEI>", encoding="utf-8")
    mine, _, _ = pair()
    mine.save(str(tmp_path / "ann.xml"))
    w = MainWindow(str(tmp_path / "ann.xml"))
    qtbot.addWidget(w)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(bad), "")))
    w.action_compare.trigger()
    assert not w.compare_dock.isVisible() and w.compare_panel.result is None
    assert any("bad.xml cannot be compared" in text for text in map(str, errors.history))


def test_adopting_into_a_document_without_annotations_and_undoing_restores_its_bytes(qtbot, tmp_path) -> None:  # noqa: ANN001
    _, theirs, ids = pair()
    (tmp_path / "ben.xml").write_bytes(theirs.to_bytes())
    session = Session(tei.TeiDocument.from_bytes(BASE), None)
    session.set_identity("Ann")
    panel = CompareAnnotations(session)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.open_copy(str(tmp_path / "ben.xml"))
    assert panel.result.counts()["theirs"] == 4
    before = session.doc.to_bytes(when="x")
    panel.adopt_all()
    assert len(session.doc.annotations()) == 4 and panel.result.counts()["same"] == 4  # refreshed: the panel is on screen
    session.undo_stack.undo()
    assert session.doc.to_bytes(when="x") == before and session.doc.standoff() is None
    session.undo_stack.redo()
    assert len(session.doc.annotations()) == 4
