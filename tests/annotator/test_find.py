"""Find by hand: folded diacritics, phrases across page markers, and annotating every hit."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from annotator.main_window import MainWindow
from tests.conftest import DATA

from .test_hands import LEFT, hands  # noqa: F401 - the fixture


def type_unicode(widget, text: str) -> None:  # noqa: ANN001
    """Type any characters as key events carrying their text (QTest.keyClicks takes ASCII only)."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


def _find(qtbot, w: MainWindow, text: str) -> None:  # noqa: ANN001
    """Open the find bar with Ctrl+F and type ``text``."""
    qtbot.keyClick(w.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert w.find_bar.isVisible() and w.find_bar.edit.hasFocus()
    w.find_bar.edit.selectAll()
    type_unicode(w.find_bar.edit, text)
    assert w.find_bar.edit.text() == text


def _open(qtbot, path: Path) -> MainWindow:  # noqa: ANN001
    w = MainWindow(str(path))
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    w.view.setFocus()
    return w


def test_a_phrase_across_a_page_break_is_found(hands: MainWindow, qtbot) -> None:  # noqa: ANN001, F811
    """The page marker [76] and the line break around it are invisible to Find."""
    w = hands
    _find(qtbot, w, "along their border a chain")
    assert w.find_bar.count_label.text() == "1 of 1"
    selected = w.view.textCursor().selectedText()
    assert selected.startswith("along their border") and selected.endswith("a chain") and "76" in selected


def test_diacritics_and_ligatures_are_folded_unless_asked(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    """“еще” finds “ещё”, “και” finds “καὶ”, “first” finds “ﬁrst”; Match diacritics tells accents
    apart (ligatures and long s stay folded: they are not diacritics)."""
    w = _open(qtbot, DATA / "tei" / "diacritics.xml")
    bar = w.find_bar
    for query, folded, exact in (("еще", 2, 1), ("και", 2, 1), ("first", 1, 1), ("sachsen", 1, 1)):
        _find(qtbot, w, query)
        assert len(bar.matches) == folded, query
        qtbot.mouseClick(bar.diacritics_box, LEFT)
        assert len(bar.matches) == exact, query
        qtbot.mouseClick(bar.diacritics_box, LEFT)
        w.view.setFocus()


def test_annotate_all_hits_is_one_step(hands: MainWindow, qtbot, monkeypatch) -> None:  # noqa: ANN001, F811
    """Annotate all: a preview of the count, every hit annotated, one Undo takes them back."""
    w = hands
    asked: list[str] = []

    def yes(_parent, _title, text, *args, **kwargs):  # noqa: ANN001, ANN202
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(yes))
    _find(qtbot, w, "Xinjiang")
    bar = w.find_bar
    n = len(bar.matches)
    assert n >= 3
    chosen: list[str] = []

    def choose_comment() -> None:  # while the menu is open, as a click on its item would
        menu = bar.annotate_menu
        action = next(a for a in menu.actions() if a.objectName() == "find_annotate_gl-comment")
        chosen.append(action.text())
        qtbot.mouseClick(menu, LEFT, pos=menu.actionGeometry(action).center())

    QTimer.singleShot(200, choose_comment)
    qtbot.mouseClick(bar.annotate_button, LEFT)  # opens the menu of categories (runs until chosen)
    qtbot.waitUntil(lambda: bool(asked))
    assert chosen == ["as Comment…"]
    assert asked and f"all {n} hits" in asked[0]
    made = w.session.doc.annotations()
    assert len(made) == n and {a.category for a in made} == {"gl-comment"}
    assert {a.quote for a in made} == {"Xinjiang"}
    assert f"Annotated {n} hits" in w.statusBar().currentMessage()
    w.session.undo_stack.undo()
    assert w.session.doc.annotations() == []
