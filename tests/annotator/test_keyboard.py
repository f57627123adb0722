"""Keyboard and focus: Tab walks text → note → editor, never into containers or hidden panels;
a focused widget of every kind shows a frame; a double-click on punctuation annotates no mark."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabBar,
    QTableView,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from annotator.annotation_editor import NoteEdit
from annotator.app import apply_style
from annotator.document_view import DocumentView
from annotator.main_window import MainWindow

from .conftest import first_paragraph


def _annotate_by_keys(qtbot, w: MainWindow) -> str:  # noqa: ANN001
    """Select six characters with Shift+Right and press the comment key; return the new id."""
    with qtbot.waitActive(w):
        w.activateWindow()
    view = w.view
    cur = QTextCursor(view.document())
    cur.setPosition(view.map.reading_to_qt(first_paragraph(w), 0))
    view.setTextCursor(cur)
    view.setFocus()
    for _ in range(6):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(view, Qt.Key.Key_C)
    assert w.editor.ann_id
    return w.editor.ann_id


def _tab(qtbot, back: bool = False) -> QWidget:  # noqa: ANN001
    """Press Tab (Shift+Tab) on the focused widget; return the widget that has the focus then."""
    focused = QApplication.focusWidget()
    assert focused is not None
    if back:
        qtbot.keyClick(focused, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    else:
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    return QApplication.focusWidget()


def test_tab_goes_from_the_text_to_the_note_then_the_editor_and_shift_tab_back(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    _annotate_by_keys(qtbot, window)
    window.view.setFocus()
    assert _tab(qtbot) is window.note_edit
    field = _tab(qtbot)
    assert field is not window.note_edit and window.editor.isAncestorOf(field), field
    assert _tab(qtbot, back=True) is window.note_edit
    assert _tab(qtbot, back=True) is window.view


def test_tab_never_stops_on_a_container_or_in_a_hidden_panel(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    _annotate_by_keys(qtbot, window)
    window.list_dock.raise_()  # the sources, categories and problems panels are tabs behind it
    qtbot.wait(20)
    window.view.setFocus()
    hidden = [window.sources_dock, window.taxonomy_dock, window.validation_dock, window.notes_dock,
              window.document_dock]  # fmt: skip
    assert all(d.visibleRegion().isEmpty() for d in hidden)
    visited: list[QWidget] = []
    for _ in range(80):
        w = _tab(qtbot)
        if w is window.view:
            break
        visited.append(w)
        assert not isinstance(w, QScrollArea), (w.objectName(), w.parentWidget())
        assert w.isVisible() and not w.visibleRegion().isEmpty(), (w.objectName(), w.accessibleName())
        assert not any(d.isAncestorOf(w) for d in hidden), (w.objectName(), w.accessibleName())
    else:
        pytest.fail("Tab never came back to the text")
    names = [w.objectName() for w in visited]
    assert "annotation_filter_text" in names and "outline" in names  # the panels shown are reachable
    assert visited[0] is window.note_edit


def _ring(img: QImage) -> list[int]:
    w, h = img.width(), img.height()
    return ([img.pixel(x, y) for x in range(w) for y in (0, 1, h - 2, h - 1)]
            + [img.pixel(x, y) for y in range(h) for x in (0, 1, w - 2, w - 1)])  # fmt: skip


def test_every_kind_of_focusable_widget_shows_a_focus_frame(qtbot) -> None:  # noqa: ANN001
    apply_style(QApplication.instance())
    box = QWidget()
    lay = QVBoxLayout(box)
    note = NoteEdit()
    note.setObjectName("note_edit")
    explanation = NoteEdit()
    explanation.setObjectName("explanation_edit")
    tool = QToolButton()
    tool.setText("Use selection")
    items = QListWidget()
    items.addItems(["one", "two"])
    tabs = QTabBar()
    tabs.addTab("one")
    tabs.addTab("two")
    framed = [QLineEdit("x"), QComboBox(), note, explanation, QPushButton("Apply"), tool, items, QTreeView(),
              QTableView(), DocumentView(), QSpinBox()]  # fmt: skip
    inner = [QCheckBox("Match case"), tabs]  # the frame is around the label / the current tab
    for w in [*framed, *inner]:
        lay.addWidget(w)
    start = QLineEdit()
    lay.addWidget(start)
    qtbot.addWidget(box)
    box.resize(500, 1200)
    box.show()
    with qtbot.waitActive(box):
        box.activateWindow()
    for w in [*framed, *inner]:
        start.setFocus()
        qtbot.wait(10)
        before = w.grab().toImage()
        w.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.wait(10)
        assert w.hasFocus()
        after = w.grab().toImage()
        if w in framed:
            changed = sum(p != q for p, q in zip(_ring(before), _ring(after), strict=True))
            assert changed > len(_ring(before)) // 4, f"{type(w).__name__} shows no focus frame"
        else:
            assert before != after, f"{type(w).__name__} shows no focus"


def _double_click_char(qtbot, w: MainWindow, pos: int) -> None:  # noqa: ANN001
    """Double-click the middle of the character at Qt position ``pos`` in the text."""
    view = w.view
    cur = QTextCursor(view.document())
    cur.setPosition(pos)
    left = view.cursorRect(cur)
    cur.setPosition(pos + 1)
    right = view.cursorRect(cur)
    point = left.center()
    point.setX((left.x() + right.x()) // 2)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)


@pytest.mark.parametrize("mark", [".", ",", " "])
def test_a_double_click_on_punctuation_or_space_selects_no_lone_mark(qtbot, window: MainWindow, mark: str) -> None:  # noqa: ANN001
    with qtbot.waitActive(window):
        window.activateWindow()
    view, p = window.view, first_paragraph(window)
    reading = window.session.doc.text.blocks[p].reading
    r = reading.index(mark, 10)
    _double_click_char(qtbot, window, view.map.reading_to_qt(p, r))
    selected = view.textCursor().selectedText()
    assert not selected or any(ch.isalnum() for ch in selected), repr(selected)
    qtbot.keyClick(view, Qt.Key.Key_C)
    assert all(any(ch.isalnum() for ch in a.quote) for a in window.session.doc.annotations())
    if not selected:  # the key says why nothing happened
        assert "Select a passage" in window.statusBar().currentMessage()


def test_a_double_click_on_a_word_still_selects_it(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    with qtbot.waitActive(window):
        window.activateWindow()
    view, p = window.view, first_paragraph(window)
    reading = window.session.doc.text.blocks[p].reading
    r = reading.index(" ", 10) + 2  # inside the word after a space
    _double_click_char(qtbot, window, view.map.reading_to_qt(p, r))
    word = view.textCursor().selectedText()
    assert word and word.isalpha() and word in reading, repr(word)
    qtbot.keyClick(view, Qt.Key.Key_C)
    assert [a.quote for a in window.session.doc.annotations()] == [word]


def test_the_span_arrows_are_labelled_start_and_end_and_move_the_passage(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    ann_id = _annotate_by_keys(qtbot, window)
    editor = window.editor
    row = [w for w in editor.findChildren(QWidget) if w.isVisible() and w.parentWidget() is editor.panel
           and abs(w.geometry().center().y() - editor.span_buttons["start-"].geometry().center().y()) < 4]  # fmt: skip
    row.sort(key=lambda w: w.x())
    shown = [w.text() for w in row]
    assert shown[:7] == ["Passage:", "start", "◂", "▸", "end", "◂", "▸"], shown
    for key, words in (("start-", "start one word earlier"), ("start+", "start one word later"),
                       ("end-", "end one word earlier"), ("end+", "end one word later")):  # fmt: skip
        button = editor.span_buttons[key]
        assert words in button.accessibleName() and words in button.toolTip()
        right = button.mapTo(editor, button.rect().topRight()).x()
        assert right <= editor.width(), f"{key} is cut off"
    quote = window.session.doc.annotation(ann_id).quote
    qtbot.mouseClick(editor.span_buttons["end+"], Qt.MouseButton.LeftButton)
    longer = window.session.doc.annotation(ann_id).quote
    assert longer.startswith(quote) and len(longer) > len(quote)
