"""Evidence links in the app, used with hands: a second source opened beside the first, a passage
selected in each with Shift+arrows, Link…, the kind picked in the dialog; the editor's Evidence
section (Add, Edit, Remove, each one undo step) and the highlight's tooltip; a missing or changed
other file reported in the editor."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QHelpEvent, QTextCursor
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton, QToolTip

import tei
from annotator.document_view import DocumentView
from annotator.main_window import MainWindow
from tei import ns
from tei import relations as R
from tests.annotator.test_hands import LEFT, Key, Mod, annotate_by_hand, find, press, type_text
from tests.conftest import DATA

TEI = {"t": ns.TEI}


@pytest.fixture
def other(tmp_path: Path) -> Path:
    """A second source in a folder beside the sample copy."""
    (tmp_path / "sources").mkdir()
    dst = tmp_path / "sources" / "b.xml"
    shutil.copyfile(DATA / "tei" / "minimal.xml", dst)
    return dst


@pytest.fixture
def hands(window: MainWindow, qtbot) -> MainWindow:  # noqa: ANN001
    window.resize(1500, 850)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.view.setFocus()
    return window


def open_compare(qtbot, w: MainWindow, path: Path, monkeypatch) -> None:  # noqa: ANN001
    """View ▸ Compare with…, choosing ``path`` in the (replaced) file dialog."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
    w.compare.action.trigger()  # emits triggered(False), as a click in the View menu does
    assert w.compare.pane is not None
    qtbot.waitUntil(lambda: w.compare.pane.view.isVisible())


def select_by_keys(qtbot, view: DocumentView, phrase: str) -> None:  # noqa: ANN001
    """Click before a phrase in ``view`` and select it with Shift+Right, as a user would."""
    b, r = find(view.doc, phrase)
    view.verticalScrollBar().setValue(0)
    view.goto_reading(b, r)
    cur = QTextCursor(view.document())
    cur.setPosition(view.map.reading_to_qt(b, r))
    qtbot.mouseClick(view.viewport(), LEFT, pos=view.cursorRect(cur).center() + QPoint(1, 0))
    assert view.hasFocus()
    press(qtbot, Key.Key_Right, Mod.ShiftModifier, times=len(phrase))
    assert view.textCursor().selectedText() == phrase


def link_by_hand(qtbot, w: MainWindow, here: str, there: str, downs: int, note: str = "") -> str:  # noqa: ANN001
    """Select a passage in each text, click Link…, pick the kind (``downs`` down the list),
    type a note, click OK; return the new link's id."""
    select_by_keys(qtbot, w.view, here)
    select_by_keys(qtbot, w.compare.pane.view, there)
    before = {r.id for r in R.relations(w.session.doc)}
    qtbot.mouseClick(w.compare.pane.buttons["link"], LEFT)
    dialog = w.compare.dialog
    qtbot.waitUntil(lambda: dialog is not None and dialog.isVisible())
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.kind_combo)
    press(qtbot, Key.Key_Down, times=downs)
    press(qtbot, Key.Key_Tab)
    press(qtbot, Key.Key_Up, times=2)  # unknown → low → medium
    press(qtbot, Key.Key_Tab)
    type_text(qtbot, note)
    qtbot.mouseClick(dialog.findChild(QPushButton, "link_ok"), LEFT)
    new = [r.id for r in R.relations(w.session.doc) if r.id not in before]
    assert len(new) == 1, w.statusBar().currentMessage()
    return new[0]


def test_linking_two_sources_side_by_side_saves_a_relation_that_resolves(hands: MainWindow, qtbot, other: Path,
                                                                         monkeypatch) -> None:  # noqa: ANN001
    w = hands
    open_compare(qtbot, w, other, monkeypatch)
    pane = w.compare.pane
    assert pane.session is not w.session and pane.session.undo_stack is not w.session.undo_stack
    assert w.reading_splitter.indexOf(pane) == 1  # beside the text
    main_steps = w.session.undo_stack.count()

    rel_id = link_by_hand(qtbot, w, "truly nationwide", "40,000 men", downs=1, note="Other figure")
    rel = R.relation(w.session.doc, rel_id)
    (theirs,) = pane.session.doc.annotations()
    assert theirs.quote == "40,000 men"
    assert (rel.name, rel.certainty, rel.note) == ("contradicts", "medium", "Other figure")
    assert rel.passive == f"sources/b.xml#{theirs.id}"
    ours = w.session.doc.annotation(rel.active_id)
    assert ours.quote == "truly nationwide"
    assert w.session.undo_stack.count() == main_steps + 1  # annotation and link: one step
    assert pane.session.undo_stack.count() == 1  # the other document's own step
    assert w.editor.ann_id == ours.id
    assert w.evidence.table.item(0, 0).text() == "contradicts"
    assert w.evidence.table.item(0, 1).text() == "“40,000 men” — sources/b.xml"
    assert not w.evidence.problem_label.isVisible()

    # the hover text of the highlight lists the link
    b, r = find(w.session.doc, "truly nationwide")
    cur = QTextCursor(w.view.document())
    cur.setPosition(w.view.map.reading_to_qt(b, r + 3))
    pos = w.view.cursorRect(cur).center()
    QApplication.sendEvent(w.view.viewport(), QHelpEvent(QHelpEvent.Type.ToolTip, pos, w.view.viewport().mapToGlobal(pos)))
    assert "Evidence" in QToolTip.text() and "contradicts “40,000 men” — sources/b.xml" in QToolTip.text()
    # and hovering the other passage says what links to it
    view = pane.view
    b, r = find(pane.session.doc, "40,000 men")
    cur = QTextCursor(view.document())
    cur.setPosition(view.map.reading_to_qt(b, r + 3))
    pos = view.cursorRect(cur).center()
    QApplication.sendEvent(view.viewport(), QHelpEvent(QHelpEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos)))
    assert "← contradicts “truly nationwide” (sample.xml)" in QToolTip.text()

    # save both: Ctrl+S in the first, the pane's Save for the second
    w.view.setFocus()
    press(qtbot, Key.Key_S, Mod.ControlModifier)
    qtbot.mouseClick(pane.buttons["save"], LEFT)
    assert not w.session.is_dirty() and not pane.session.is_dirty()
    root = etree.parse(w.session.path).getroot()
    (el,) = root.xpath("/t:TEI/t:standOff[@type='glossator']/t:listRelation/t:relation", namespaces=TEI)
    assert {k: v for k, v in el.attrib.items() if k != ns.XML_ID} == {
        "name": "contradicts", "active": f"#{ours.id}", "passive": f"sources/b.xml#{theirs.id}",
        "cert": "medium", "resp": f"#{w.session.existing_person_id()}"}  # fmt: skip
    assert el.xpath("string(t:desc)", namespaces=TEI) == "Other figure"
    assert etree.parse(str(other)).getroot().xpath("count(//t:annotation)", namespaces=TEI) == 1

    # reloaded from the files: the link resolves to the passage of the other file
    again = tei.load(w.session.path)
    got = R.resolve(R.relation(again, rel_id))
    assert (got.status, got.file, got.found, got.annotation.id) == ("ok", "sources/b.xml", "40,000 men", theirs.id)


def test_a_missing_or_changed_other_file_is_reported_in_the_editor(hands: MainWindow, qtbot, other: Path,
                                                                   monkeypatch) -> None:  # noqa: ANN001
    w = hands
    open_compare(qtbot, w, other, monkeypatch)
    link_by_hand(qtbot, w, "truly nationwide", "40,000 men", downs=0)
    w.save()
    qtbot.mouseClick(w.compare.pane.buttons["save"], LEFT)
    qtbot.mouseClick(w.compare.pane.buttons["close"], LEFT)
    assert w.compare.pane is None and w.reading_splitter.count() == 1
    ann_id = w.editor.ann_id

    other.write_bytes(other.read_bytes().replace(b"numbered 40,000 men", b"numbered 50,000 men"))
    w.select_annotation(ann_id)
    assert w.evidence.table.item(0, 1).text() == "⚠ “40,000 men” — sources/b.xml"
    assert w.evidence.problem_label.isVisible() and w.evidence.problem_label.text() == "passage changed"

    other.unlink()
    w.select_annotation(ann_id)
    assert w.evidence.problem_label.text() == "sources/b.xml: b.xml not found"
    assert len(R.relations(w.session.doc)) == 1  # reported, never dropped


def test_add_edit_remove_in_the_editor_each_one_undo_step(hands: MainWindow, qtbot) -> None:  # noqa: ANN001
    w = hands
    first = annotate_by_hand(qtbot, w, "truly nationwide", Key.Key_B)
    second = annotate_by_hand(qtbot, w, "Hands off China!", Key.Key_C)
    w.select_annotation(first.id)
    stack = w.session.undo_stack
    steps = stack.count()
    saved = w.session.to_bytes(when="x")

    qtbot.mouseClick(w.evidence.add_button, LEFT)
    dialog = w.evidence.dialog
    qtbot.waitUntil(dialog.isVisible)
    assert [dialog.other_combo.itemData(i)[0] for i in range(dialog.other_combo.count())] == [f"#{second.id}"]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.kind_combo)  # the kind first
    press(qtbot, Key.Key_Down, times=2)  # qualifies
    qtbot.mouseClick(dialog.findChild(QPushButton, "link_ok"), LEFT)
    (rel,) = R.relations(w.session.doc)
    assert (rel.name, rel.active_id, rel.passive) == ("qualifies", first.id, f"#{second.id}")
    assert stack.count() == steps + 1
    assert w.evidence.table.item(0, 1).text() == "“Hands off China!”"
    w.select_annotation(second.id)  # the other end lists it too
    assert w.evidence.table.item(0, 0).text() == "← qualifies"
    w.select_annotation(first.id)

    qtbot.mouseClick(w.evidence.table.viewport(), LEFT, pos=w.evidence.table.visualItemRect(w.evidence.table.item(0, 0)).center())
    qtbot.mouseClick(w.evidence.edit_button, LEFT)
    dialog = w.evidence.dialog
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.kind_combo)
    press(qtbot, Key.Key_Tab)
    press(qtbot, Key.Key_Home)  # high
    press(qtbot, Key.Key_Tab)
    type_text(qtbot, "Both slogans")
    qtbot.mouseClick(dialog.findChild(QPushButton, "link_ok"), LEFT)
    rel = R.relations(w.session.doc)[0]
    assert (rel.certainty, rel.note) == ("high", "Both slogans")
    assert stack.count() == steps + 2
    assert w.evidence.table.item(0, 3).text() == "Both slogans"

    qtbot.mouseClick(w.evidence.remove_button, LEFT)
    assert R.relations(w.session.doc) == [] and stack.count() == steps + 3
    w.view.setFocus()
    press(qtbot, Key.Key_Z, Mod.ControlModifier)
    assert R.relations(w.session.doc)[0].note == "Both slogans"
    press(qtbot, Key.Key_Z, Mod.ControlModifier)
    assert R.relations(w.session.doc)[0].certainty == "unknown"
    press(qtbot, Key.Key_Z, Mod.ControlModifier)
    assert R.relations(w.session.doc) == []
    assert w.session.to_bytes(when="x") == saved  # undone to the byte


def test_deleting_an_end_takes_its_links_and_undo_brings_them_back(hands: MainWindow, qtbot) -> None:  # noqa: ANN001
    w = hands
    first = annotate_by_hand(qtbot, w, "truly nationwide", Key.Key_B)
    second = annotate_by_hand(qtbot, w, "Hands off China!", Key.Key_C)
    from annotator.evidence import add_link

    add_link(w.session, first.id, f"#{second.id}", "corroborates")
    before = w.session.to_bytes(when="x")
    w.select_annotation(second.id)
    b, r = find(w.session.doc, "Hands off China!")
    w.view.select_reading(b, r + 2, b, r + 4)
    w.view.setFocus()
    press(qtbot, Key.Key_Delete)
    assert [a.id for a in w.session.doc.annotations()] == [first.id]
    assert R.relations(w.session.doc) == []  # no link left pointing at nothing
    press(qtbot, Key.Key_Z, Mod.ControlModifier)
    assert [r.passive for r in R.relations(w.session.doc)] == [f"#{second.id}"]
    assert w.session.to_bytes(when="x") == before
    press(qtbot, Key.Key_Z, Mod.ControlModifier, times=1)
    assert R.relations(w.session.doc) == []


def test_a_file_dropped_with_shift_opens_beside_the_text(window: MainWindow, other: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(other))])
    path = window.session.path
    window.dropEvent(QDropEvent(QPointF(300, 300), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                                Qt.KeyboardModifier.ShiftModifier))  # fmt: skip
    assert window.session.path == path  # the document stays
    assert window.compare.pane is not None and window.compare.pane.path == str(other)
    third = other.with_name("c.xml")
    shutil.copyfile(other, third)
    mime.setUrls([QUrl.fromLocalFile(str(third))])
    pane = window.compare.pane
    at = QPointF(pane.mapTo(window, pane.rect().center()))
    window.dropEvent(QDropEvent(at, Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                                Qt.KeyboardModifier.NoModifier))  # fmt: skip
    assert window.session.path == path and window.compare.pane.path == str(third)  # replaces the second
    assert window.reading_splitter.count() == 2
