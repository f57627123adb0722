"""The Agreement panel, used with hands: Tools ▸ Agreement shows two annotators' scores and the
passages they treated differently; a double-click goes to one; a merge's two readings are settled
by selecting one and pressing Keep (one undo step)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

import tei
from annotator.main_window import MainWindow
from tei.merge import merge_documents
from tests.tei.test_agreement import HEAD, SPANS, TEXT
from tests.tei.test_git_merge import Q_NOTE, again, disagreeing, fresh

LEFT = Qt.MouseButton.LeftButton


def _open(qtbot, path: Path) -> MainWindow:  # noqa: ANN001
    w = MainWindow(str(path))
    w.session.set_identity("Test Historian")
    qtbot.addWidget(w)
    w.resize(1300, 850)
    w.show()
    qtbot.waitExposed(w)
    return w


def _tools_action(window: MainWindow, name: str):  # noqa: ANN202
    tools = next(a.menu() for a in window.menuBar().actions() if a.menu().objectName() == "tools_menu")
    return next(a for a in tools.actions() if a.objectName() == name)


def _click_row(table, row: int, double: bool = False) -> None:  # noqa: ANN001
    rect = table.visualItemRect(table.item(row, 0))
    QTest.mouseClick(table.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, rect.center())
    if double:
        QTest.mouseDClick(table.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, rect.center())


def test_agreement_of_two_annotators_by_hand(qtbot, tmp_path) -> None:  # noqa: ANN001
    doc = tei.TeiDocument.from_bytes((HEAD + TEXT + "</p></body></text></TEI>").encode())
    for who, cat, s, e, cert in SPANS:
        ann = doc.add_annotation(doc.target_for(0, s, 0, e), cat, annotator=doc.ensure_annotator(who))
        ann.certainty = cert
    path = tmp_path / "two.xml"
    doc.save(str(path))
    w = _open(qtbot, path)
    _tools_action(w, "action_agreement").trigger()  # triggered(False), as a menu click
    panel = w.agreement_panel
    assert w.agreement_dock.isVisible()
    assert (panel.first.currentText(), panel.second.currentText()) == ("Ann", "Ben")
    assert "alpha (categories): 0.55" in panel.summary.text()
    rows = {panel.scores.item(r, 0).text(): [panel.scores.item(r, c).text() for c in range(8)]
            for r in range(panel.scores.rowCount())}  # fmt: skip
    assert rows["Comment"][1:7] == ["2", "2", "1", "0.50", "0.50", "0.50"]
    assert panel.differences.rowCount() == 4
    row = next(r for r in range(4) if panel.differences.item(r, 1).text() == "certainty")
    _click_row(panel.differences, row, double=True)
    target = w.session.doc.annotation(w.editor.ann_id)
    assert target.quote.startswith("echoxxxxx") and target.certainty == "high"
    panel.second.setCurrentIndex(0)  # the same annotator twice
    assert "two different annotators" in panel.summary.text()


def test_keeping_one_of_two_merged_readings_is_one_undoable_step(qtbot, tmp_path) -> None:  # noqa: ANN001
    base = fresh()
    ours, theirs = again(base), again(base)
    ours.annotation(Q_NOTE).note = ["about 900 by Soviet counts"]
    theirs.annotation(Q_NOTE).note = ["about 1,200 by Chinese counts"]
    result, _ = merge_documents(again(base), again(ours), again(theirs))
    path = tmp_path / "merged.xml"
    path.write_bytes(result.to_bytes())
    w = _open(qtbot, path)
    other = disagreeing(w.session.doc)[Q_NOTE]
    bar = w.message_bar  # opening the merged file says so
    assert "1 annotation was changed differently in two versions merged by git" in bar.label.text()
    bar.button("Show them").click()
    panel = w.agreement_panel
    assert w.agreement_dock.isVisible() and panel.tabs.currentIndex() == 2
    assert panel.readings.rowCount() == 2
    row = next(r for r in range(2) if panel.readings.item(r, 0).data(Qt.ItemDataRole.UserRole)[0] == other)
    assert "1,200" in panel.readings.item(row, 2).text() and "900" in panel.readings.item(row, 3).text()
    _click_row(panel.readings, row)
    qtbot.mouseClick(panel.keep_button, LEFT)
    ids = {a.id for a in w.session.doc.annotations()}
    assert other in ids and Q_NOTE not in ids and not disagreeing(w.session.doc)
    assert w.session.doc.annotation(other).note == ["about 1,200 by Chinese counts"]
    assert panel.readings.rowCount() == 0
    w.session.undo_stack.undo()
    assert set(disagreeing(w.session.doc)) == {Q_NOTE, other} and panel.readings.rowCount() == 2


def test_layers_hide_an_annotator_and_colour_by_annotator(qtbot, tmp_path) -> None:  # noqa: ANN001
    from PySide6.QtCore import QTimer

    from .test_hands import click_menu_item

    doc = tei.TeiDocument.from_bytes((HEAD + TEXT + "</p></body></text></TEI>").encode())
    for who, cat, s, e, _cert in SPANS:
        doc.add_annotation(doc.target_for(0, s, 0, e), cat, annotator=doc.ensure_annotator(who))
    path = tmp_path / "two.xml"
    doc.save(str(path))
    w = _open(qtbot, path)
    people = {name: pid for pid, name in w.session.doc.annotators().items()}
    bens = {a.id for a in w.session.doc.annotations() if a.annotator == people["Ben"]}
    shown = lambda: {p[2] for ps in w.view.pieces.values() for p in ps}  # noqa: E731
    assert bens <= shown()
    view_menu = next(a.menu() for a in w.menuBar().actions() if a.text().replace("&", "") == "View")
    layers = w.layers_menu
    for step in ("Show Ben", "Colour by annotator"):
        QTimer.singleShot(0, lambda: layers.popup(w.mapToGlobal(w.rect().center())))
        qtbot.waitUntil(layers.isVisible)
        click_menu_item(qtbot, layers, step)
    assert not bens & shown() and len(shown()) == 4  # Ben's layer is off; Ann's four remain
    assert w.view.annotator_colours and "hidden" in w.statusBar().currentMessage()
    assert view_menu is not None
    w.collab.set_layers(set(), False)
    assert bens <= shown() and not w.view.annotator_colours


def test_a_hidden_agreement_panel_reads_the_changes_when_shown_again(qtbot, tmp_path) -> None:  # noqa: ANN001
    doc = tei.TeiDocument.from_bytes((HEAD + TEXT + "</p></body></text></TEI>").encode())
    for who, cat, s, e, _ in SPANS:
        doc.add_annotation(doc.target_for(0, s, 0, e), cat, annotator=doc.ensure_annotator(who))
    path = tmp_path / "two.xml"
    doc.save(str(path))
    w = _open(qtbot, path)
    _tools_action(w, "action_agreement").trigger()
    panel = w.agreement_panel
    shown = panel.differences.rowCount()
    w.agreement_dock.toggleViewAction().trigger()  # hidden
    assert not panel.isVisible()
    ben = next(a for a in w.session.doc.annotations() if a.annotator_name == "Ben")
    w.session.delete_annotation(ben.id)
    assert panel.stale and panel.differences.rowCount() == shown  # no work while hidden
    w.agreement_dock.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: not panel.stale, timeout=3000)
    assert panel.differences.rowCount() != shown
