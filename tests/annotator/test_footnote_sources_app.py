"""Sources ▸ Make sources from footnotes… by hand: the table, completing a note, one undo step."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from annotator.footnote_sources_dialog import FootnoteSourcesDialog
from annotator.main_window import MainWindow
from annotator.new_source_dialog import NewSourceDialog
from tei.footnote_sources import citing_notes
from tei.ns import TEI, XML_ID

from .conftest import FROZEN
from .test_hands import LEFT, click_menu_item, hands  # noqa: F401 - the fixture

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def open_from_menu(qtbot, w: MainWindow) -> FootnoteSourcesDialog:  # noqa: ANN001
    """Click Sources in the menu bar, then Make sources from footnotes…; return the dialog."""
    bar = w.menuBar()
    act = next(a for a in bar.actions() if a.text() == "&Sources")
    qtbot.mouseClick(bar, LEFT, pos=bar.actionGeometry(act).center())
    click_menu_item(qtbot, act.menu(), "Make sources from footnotes")
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), FootnoteSourcesDialog))
    return QApplication.activeModalWidget()


def row_of(dialog: FootnoteSourcesDialog, n: str):  # noqa: ANN201
    tree = dialog.tree
    return next(tree.topLevelItem(r) for r in range(tree.topLevelItemCount()) if tree.topLevelItem(r).text(0) == n)


def click_row(qtbot, dialog: FootnoteSourcesDialog, n: str) -> None:  # noqa: ANN001
    item = row_of(dialog, n)
    dialog.tree.scrollToItem(item)
    qtbot.mouseClick(dialog.tree.viewport(), LEFT, pos=dialog.tree.visualItemRect(item).center())
    assert dialog.tree.currentItem() is item


def test_the_seed_footnotes_become_sources_in_one_undo_step(hands: MainWindow, qtbot) -> None:  # noqa: ANN001, F811
    w = hands
    before = w.session.to_bytes(FROZEN)
    dialog = open_from_menu(qtbot, w)
    assert dialog.summary.text().startswith("49 of 49 footnotes read as citations of 32 sources")
    assert [row_of(dialog, "33").text(c) for c in range(3)] == ["33", "Chuikov V. I. Mission in China. Moscow, 1981", "pp. 54-55"]
    assert row_of(dialog, "2").text(1).endswith("(ibid)")
    assert row_of(dialog, "37").text(2) == "p. 607 (cited by)"
    steps = w.session.undo_stack.count()
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert w.session.undo_stack.count() == steps + 1
    assert len(w.session.doc.sources()) == 32
    assert w.sources_panel.model.index(0, 0).data().startswith("Bibliography (32)")
    assert "32 sources added" in w.statusBar().currentMessage()
    chuikov = next(s for s in w.session.doc.sources() if "fn33" in citing_notes(s.element))
    assert citing_notes(chuikov.element) == {"fn33": "pp. 54-55", "fn40": "p. 113"}
    w.view.setFocus()
    QTest.keyClick(w.view, Qt.Key.Key_Z, CTRL)
    assert w.session.doc.sources() == [] and w.session.to_bytes(FROZEN) == before
    assert not w.session.is_dirty()
    QTest.keyClick(w.view, Qt.Key.Key_Z, CTRL | SHIFT)
    assert len(w.session.doc.sources()) == 32
    # again: every note already points at its source, nothing is added and no step is pushed
    after = w.session.to_bytes(FROZEN)
    dialog = open_from_menu(qtbot, w)
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert w.session.undo_stack.count() == steps + 1 and w.session.to_bytes(FROZEN) == after
    assert "nothing to add" in w.statusBar().currentMessage()


@pytest.fixture
def notes_window(qtbot, tmp_path: Path) -> MainWindow:  # noqa: ANN001
    texts = ["Chuikov V. I. Mission in China, Moscow, 1981, pp. 54-55.", "Ibid., p. 60.",
             "Archive of Foreign Policy of the Russian Federation, f. 100, op. 5, d. 3."]  # fmt: skip
    notes = "".join(f'<note place="foot" n="{i}">{t}</note> and ' for i, t in enumerate(texts, 1))
    path = tmp_path / "notes.xml"
    path.write_text(f'<TEI xmlns="{TEI}">\n  <teiHeader>\n    <fileDesc><titleStmt><title>T</title>'
                    '</titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc>'
                    f'</fileDesc>\n  </teiHeader>\n  <text>\n    <body>\n      <p>Text {notes}end.</p>\n'
                    '    </body>\n  </text>\n</TEI>\n', encoding="utf-8")  # fmt: skip
    w = MainWindow(str(path))
    w.session.set_identity("Test Historian")
    qtbot.addWidget(w)
    w.resize(1300, 850)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_a_note_that_could_not_be_parsed_is_completed_by_hand(notes_window: MainWindow, qtbot) -> None:  # noqa: ANN001
    w = notes_window
    w.findChild(QAction, "action_sources_from_notes").trigger()  # triggered(False), as a menu click
    dialog = w.footnote_sources_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert "1 could not be parsed" in dialog.summary.text()
    assert row_of(dialog, "3").text(1).startswith("Could not parse: ")
    box = dialog.only_unparsed
    qtbot.mouseClick(box, LEFT, pos=QPoint(8, box.height() // 2))
    assert row_of(dialog, "1").isHidden() and not row_of(dialog, "3").isHidden()
    click_row(qtbot, dialog, "3")
    assert dialog.edit_button.isEnabled()
    seen: dict[str, str] = {}

    def fill_in() -> None:
        form = QApplication.activeModalWidget()
        assert isinstance(form, NewSourceDialog)
        seen.update(title=form.edits["title"].text(), window=form.windowTitle())
        QTest.keyClick(form.edits["title"], Qt.Key.Key_A, CTRL)
        QTest.keyClicks(form.edits["title"], "Fond 100, opis 5, delo 3")
        QTest.keyClicks(form.edits["author"], "AVP RF")
        QTest.keyClicks(form.edits["date"], "1950")
        box = form.findChild(QDialogButtonBox)
        QTest.mouseClick(box.button(QDialogButtonBox.StandardButton.Ok), LEFT)

    QTimer.singleShot(0, fill_in)
    qtbot.mouseClick(dialog.edit_button, LEFT)
    assert seen == {"title": "Archive of Foreign Policy of the Russian Federation, f. 100, op. 5, d. 3.",
                    "window": "Source of note 3"}  # fmt: skip
    assert row_of(dialog, "3").text(1) == "AVP RF. Fond 100, opis 5, delo 3. 1950  (completed by hand)"
    steps = w.session.undo_stack.count()
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert w.session.undo_stack.count() == steps + 1
    sources = w.session.doc.sources()
    assert len(sources) == 2
    linked = [citing_notes(s.element) for s in sources]
    assert [sorted(x.values()) for x in linked] == [["p. 60", "pp. 54-55"], [""]]
    notes = list(w.session.doc.root.iter(f"{{{TEI}}}note"))
    assert set(linked[1]) == {notes[2].get(XML_ID)}
    w.session.undo_stack.undo()  # one step: the sources and the ids the notes got go together
    assert w.session.doc.sources() == [] and all(not n.get(XML_ID) for n in notes)
