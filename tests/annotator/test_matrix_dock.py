"""The Evidence matrix panel with real clicks and keys: the annotated sample's cells, sorting,
filtering, a click that shows the evidence, "Mark as claim" as one undo step, refreshes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

import tei
from annotator.main_window import MainWindow
from tests.annotator.conftest import FROZEN
from tests.annotator.test_hands import find, point, show

ROOT = Path(__file__).resolve().parents[2]
ANNOTATED = ROOT / "resources" / "samples" / "soviet-aid-to-china-annotated.xml"
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def window(qtbot, tmp_path: Path):  # noqa: ANN001, ANN201
    """The annotated sample open, the Evidence matrix shown from the View menu."""
    path = tmp_path / "annotated.xml"
    shutil.copy(ANNOTATED, path)
    w = MainWindow(str(path))
    w.session.set_identity("Test Historian")
    w.session.clock = lambda: FROZEN
    qtbot.addWidget(w)
    w.resize(1300, 900)
    w.show()
    qtbot.waitExposed(w)
    action = w.matrix_dock.toggleViewAction()
    assert not w.matrix_dock.isVisible() and action in _view_menu(w).actions()
    action.trigger()  # as the menu's click: triggered(bool)
    qtbot.waitUntil(lambda: w.matrix_panel.model.rowCount() > 0, timeout=3000)
    return w


def _view_menu(w: MainWindow):  # noqa: ANN202
    return next(a.menu() for a in w.menuBar().actions() if a.text() == "&View")


def _texts(w: MainWindow) -> list[list[str]]:
    """The table as shown (through the sort and filter proxy)."""
    model = w.matrix_panel.table.model()
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def _headers(w: MainWindow) -> list[str]:
    model = w.matrix_panel.table.model()
    return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]


def _row(w: MainWindow, start: str) -> int:
    return next(i for i, r in enumerate(_texts(w)) if r[0].startswith(start))


def _click_cell(qtbot, w: MainWindow, row: int, column: int) -> None:  # noqa: ANN001
    table = w.matrix_panel.table
    index = table.model().index(row, column)
    table.scrollTo(index)
    qtbot.mouseClick(table.viewport(), LEFT, pos=table.visualRect(index).center())


def test_the_model_and_its_proxy_are_well_behaved(window: MainWindow, qtmodeltester) -> None:  # noqa: ANN001
    qtmodeltester.check(window.matrix_panel.model)
    qtmodeltester.check(window.matrix_panel.proxy)


def test_the_annotated_samples_matrix_in_the_panel(window: MainWindow) -> None:
    assert _headers(window) == ["Claim", "Garver 1988", "Whiting 1958", "Kapitsa 1958"]
    rows = _texts(window)
    assert [r[0].split("”")[0] for r in rows] == [
        "“A total of 135 advisers", "“The Sary-Ozek – Lanzhou highway was 2,925 km long.",
        "“$ 500 million", "“about 1 thousand fighters and bombers", "“1,140 guns", "“700 people"]  # fmt: skip
    loan = rows[2]
    assert loan[1] == "other value: $ 250 million (three credits, 1938–1939), ch. 2 (medium)"
    assert loan[2] == "silent" and loan[3] == "other value: $ 100 million (1938) (low)"
    assert rows[1][2] == "corroborates" and rows[0][3] == "qualifies"
    assert window.matrix_panel.count_label.text() == "6 claims × 3 sources"


def test_filter_field_and_sorting_by_a_source(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    panel = window.matrix_panel
    qtbot.mouseClick(panel.filter_edit, LEFT)
    qtbot.keyClicks(panel.filter_edit, "garver")  # no claim's text says Garver: none match …
    assert panel.proxy.rowCount() == 0
    panel.filter_edit.selectAll()
    qtbot.keyClicks(panel.filter_edit, "ch. 2")  # … but his cells do
    assert [r[0].split("”")[0][1:] for r in _texts(window)] == [
        "$ 500 million", "about 1 thousand fighters and bombers", "700 people"]
    assert panel.count_label.text() == "3 of 6 claims shown × 3 sources"
    qtbot.keyClick(panel.filter_edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(panel.filter_edit, Qt.Key.Key_Delete)
    assert panel.proxy.rowCount() == 6
    header = panel.table.horizontalHeader()
    x = header.sectionViewportPosition(2) + header.sectionSize(2) // 2
    qtbot.mouseClick(header.viewport(), LEFT, pos=QPoint(x, header.height() // 2))
    column = [r[2] for r in _texts(window)]
    assert column[0] == "corroborates" and set(column[1:]) == {"silent"}  # Whiting's evidence first


def test_clicking_a_cell_shows_its_evidence(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    doc = window.session.doc
    loan = next(a for a in doc.annotations() if a.quote == "$ 500 million")
    highway = next(a for a in doc.annotations() if a.quote == "highway length of 2925 km")
    _click_cell(qtbot, window, _row(window, "“$ 500 million"), 1)  # Garver's other value
    assert window.editor.ann_id == loan.id and window.view.selected_id == loan.id
    assert window.view.cursorRect().intersects(window.view.viewport().rect())  # brought into view
    _click_cell(qtbot, window, _row(window, "“The Sary-Ozek"), 2)  # Whiting corroborates: the link
    assert window.editor.ann_id == highway.id and window.view.selected_id == highway.id


def test_mark_as_claim_is_one_undo_step_and_the_matrix_follows(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    doc = window.session.doc
    question = next(a for a in doc.annotations() if a.quote == "Tuchangunsy")
    b, r = find(doc, "Tuchangunsy")
    show(window, b, r)
    qtbot.mouseClick(window.view.viewport(), LEFT, pos=point(window, b, r + 3))  # click on it
    assert window.editor.ann_id == question.id
    panel = window.matrix_panel
    assert panel.mark_action.isEnabled() and not panel.mark_action.isChecked()
    steps = window.session.undo_stack.count()
    qtbot.mouseClick(panel.mark_button, LEFT)
    assert window.session.undo_stack.count() == steps + 1
    assert doc.annotation(question.id).claim == ""
    qtbot.waitUntil(lambda: panel.model.rowCount() == 7, timeout=3000)
    assert panel.mark_action.isChecked()
    row = _texts(window)[_row(window, "“Tuchangunsy")]
    assert row[1:] == ["silent", "silent", "silent"]
    window.view.setFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.annotation(question.id).claim is None
    qtbot.waitUntil(lambda: panel.model.rowCount() == 6, timeout=3000)
    assert not panel.mark_action.isChecked()
    # a contested figure always is a claim: the action shows it checked and cannot unmark it
    loan = next(a for a in doc.annotations() if a.quote == "$ 500 million")
    _click_cell(qtbot, window, _row(window, "“$ 500 million"), 0)
    assert window.editor.ann_id == loan.id
    assert panel.mark_action.isChecked() and not panel.mark_action.isEnabled()


def test_the_annotate_menu_offers_mark_as_claim(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    menu = window.annotate_menu
    assert window.matrix_panel.mark_action in menu.actions()
    doc = window.session.doc
    comment = next(a for a in doc.annotations() if a.quote == "Ibid., pp. 43-44.")
    window.select_annotation(comment.id)
    window.matrix_panel.mark_action.trigger()  # triggered(bool), as a menu click sends
    assert doc.annotation(comment.id).claim == ""
    qtbot.waitUntil(lambda: window.matrix_panel.model.rowCount() == 7, timeout=3000)


def test_the_matrix_follows_edits_and_undo(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    doc = window.session.doc
    panel = window.matrix_panel
    guns = next(a for a in doc.annotations() if a.quote == "1,140 guns")
    window.select_annotation(guns.id)
    window.session.delete_annotation(guns.id)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 5, timeout=3000)
    window.session.undo_stack.undo()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 6, timeout=3000)
    # a new alternative value given by Whiting appears in his column
    whiting = next(s.id for s in doc.sources() if s.citation.startswith("Whiting"))

    def add(a: tei.Annotation) -> None:
        fig = a.figure
        fig.alternatives.append(tei.Alternative("1,200 guns", source=whiting))
        a.figure = fig

    window.session.edit_annotation(guns.id, "Add value", add)
    qtbot.waitUntil(lambda: _texts(window)[_row(window, "“1,140 guns")][2] == "other value: 1,200 guns",
                    timeout=3000)  # fmt: skip


def test_a_hidden_panel_does_no_work_until_shown(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    panel = window.matrix_panel
    window.matrix_dock.toggleViewAction().trigger()
    assert not panel.isVisible()
    doc = window.session.doc
    guns = next(a for a in doc.annotations() if a.quote == "1,140 guns")
    window.session.delete_annotation(guns.id)
    QApplication.processEvents()
    assert panel.stale and panel.model.rowCount() == 6  # not rebuilt while hidden
    window.matrix_dock.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 5, timeout=3000)


def test_screenshot_of_the_panel(window: MainWindow, qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    image = window.matrix_dock.grab()
    assert not image.isNull() and image.width() > 300


def test_an_evidence_link_made_in_the_app_appears_and_a_click_shows_its_other_end(
        window: MainWindow, qtbot) -> None:  # noqa: ANN001  # fmt: skip
    from annotator.evidence import add_link

    doc = window.session.doc
    guns = next(a for a in doc.annotations() if a.quote == "1,140 guns")
    comment = next(a for a in doc.annotations() if a.quote == "Ibid., pp. 43-44.")
    add_link(window.session, comment.id, f"#{guns.id}", "contradicts", "high")
    panel = window.matrix_panel
    qtbot.waitUntil(lambda: "This document" in _headers(window), timeout=3000)
    column = _headers(window).index("This document")
    assert _texts(window)[_row(window, "“1,140 guns")][column] == "contradicts (high)"
    _click_cell(qtbot, window, _row(window, "“1,140 guns"), column)
    assert window.editor.ann_id == comment.id and window.view.selected_id == comment.id
    window.session.undo_stack.undo()
    qtbot.waitUntil(lambda: "This document" not in _headers(window), timeout=3000)
    assert panel.model.columnCount() == 4


def test_double_clicking_a_claim_words_it(window: MainWindow, qtbot, monkeypatch) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QInputDialog

    asked = []

    def answer(parent, title, label, *args, text="", **kw):  # noqa: ANN001, ANN002, ANN003, ANN202
        asked.append(text)
        return "  The USSR lent   China $ 500 million. ", True

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(answer))
    doc = window.session.doc
    loan = next(a for a in doc.annotations() if a.quote == "$ 500 million")
    steps = window.session.undo_stack.count()
    table = window.matrix_panel.table
    index = table.model().index(_row(window, "“$ 500 million"), 0)
    at = table.visualRect(index).center()
    qtbot.mouseClick(table.viewport(), LEFT, pos=at)  # a double click: press, release, then
    qtbot.mouseDClick(table.viewport(), LEFT, pos=at)  # the double-click event (as a mouse sends)
    assert asked == [""]  # a figure not worded yet
    assert doc.annotation(loan.id).claim == "The USSR lent China $ 500 million."
    assert window.session.undo_stack.count() == steps + 1
    qtbot.waitUntil(lambda: any(r[0].startswith("“The USSR lent China") for r in _texts(window)),
                    timeout=3000)  # fmt: skip
    row = _texts(window)[_row(window, "“The USSR lent China")]
    assert row[0] == "“The USSR lent China $ 500 million.” = $ 500 million (500,000,000 USD), p. 79"
    window.session.undo_stack.undo()
    assert doc.annotation(loan.id).claim is None
