"""The contested-figure editor as a historian fills it in, at a laptop's 1366×768."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QComboBox, QLineEdit

from annotator.new_source_dialog import NewSourceDialog

from .conftest import select_words


def _figure(window, qtbot) -> str:  # noqa: ANN001
    """Annotate a number in the text as a contested figure with the F key; return its id."""
    doc = window.session.doc
    block = next(i for i, b in enumerate(doc.text.blocks) if "million" in b.reading and not b.is_note)
    start = doc.text.blocks[block].reading.index("million")
    select_words(window, block, max(0, start - 8), start + 7)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_F)
    ann = doc.annotations()[-1]
    assert ann.kind == "figure"
    return ann.id


@pytest.mark.parametrize("size", [(1366, 768), (1440, 900)])
def test_four_alternative_rows_show_at_1366x768(window, qtbot, size) -> None:  # noqa: ANN001
    """On a laptop screen the whole figure editor shows, with room for four rows of values,
    without scrolling the editor either way."""
    window.resize(*size)
    qtbot.wait(50)
    _figure(window, qtbot)
    qtbot.wait(50)
    table = window.editor.alt_table
    viewport = window.editor.scroll.viewport()
    assert table.isVisible()
    bottom = table.mapTo(viewport, QPoint(0, table.height())).y()
    assert bottom <= viewport.height(), (bottom, viewport.height())
    assert window.editor.scroll.verticalScrollBar().value() == 0
    assert window.editor.scroll.horizontalScrollBar().maximum() == 0, "the editor is wider than its dock"
    row = table.verticalHeader().defaultSectionSize()
    assert table.viewport().height() >= 4 * row, (table.viewport().height(), row)
    assert window.list_dock.isVisible() and window.list_dock.height() >= 100  # the list stays usable


def test_add_value_puts_the_cursor_in_the_new_row(window, qtbot) -> None:  # noqa: ANN001
    """Click Add value, type the value, press Enter: it is stored, nothing else to click."""
    ann_id = _figure(window, qtbot)
    editor = window.editor
    qtbot.mouseClick(editor.add_alt_button, Qt.MouseButton.LeftButton)
    table = editor.alt_table
    assert table.state() == QAbstractItemView.State.EditingState
    assert (table.currentRow(), table.currentColumn()) == (0, 0)
    typing_into = QApplication.focusWidget()
    assert isinstance(typing_into, QLineEdit) and table.isAncestorOf(typing_into)
    qtbot.keyClicks(typing_into, "3,900 specialists")
    qtbot.keyClick(typing_into, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState)
    (alt,) = window.session.doc.annotation(ann_id).figure.alternatives
    assert alt.value == "3,900 specialists" and alt.quantity is not None and alt.quantity.value == 3900
    # a click and nothing typed: an empty row, not the button's checked flag as a value
    qtbot.mouseClick(editor.add_alt_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    second = window.session.doc.annotation(ann_id).figure.alternatives[1]
    assert second.value == "" and second.quantity is None


def test_the_rationale_takes_several_lines_and_preferred_keeps_what_was_typed(window, qtbot) -> None:  # noqa: ANN001
    """Enter starts a new line in the rationale; the preferred value reads as typed afterwards."""
    ann_id = _figure(window, qtbot)
    editor = window.editor
    editor.rationale_edit.setFocus()
    qtbot.keyClicks(editor.rationale_edit, "Archival totals differ.")
    qtbot.keyClick(editor.rationale_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(editor.rationale_edit, "Kirby counts deliveries only.")
    editor.preferred_edit.setFocus()
    qtbot.keyClicks(editor.preferred_edit, "about 350 million")
    qtbot.keyClick(editor.preferred_edit, Qt.Key.Key_Tab)
    editor.commit_pending()
    fig = window.session.doc.annotation(ann_id).figure
    assert fig.rationale == "Archival totals differ.\nKirby counts deliveries only."
    assert fig.preferred is not None and fig.preferred.value == 3.5e8 and fig.preferred.approximate
    window.view.setFocus()
    editor.set_annotation("")
    editor.set_annotation(ann_id)
    assert editor.preferred_edit.text() == "about 350 million"
    assert editor.rationale_edit.toPlainText() == fig.rationale


def test_new_source_from_an_alternative_values_source_list(window, qtbot, monkeypatch) -> None:  # noqa: ANN001
    """"New source…" in the value's source list makes the source and cites it: one undo step."""
    ann_id = _figure(window, qtbot)
    editor = window.editor
    editor.add_alternative("250 million")
    asked: list[bool] = []

    def answer(_parent):  # noqa: ANN001, ANN202
        asked.append(True)
        return {"author": "Kirby, William", "title": "The Chinese War Economy", "date": "1992"}

    monkeypatch.setattr(NewSourceDialog, "ask", staticmethod(answer))
    table = editor.alt_table
    if table.state() == QAbstractItemView.State.EditingState:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    table.setCurrentCell(0, 1)
    table.editItem(table.item(0, 1))
    combo = next(c for c in table.findChildren(QComboBox) if c.isVisible())
    assert combo.itemText(combo.count() - 1) == "New source…"
    combo.setCurrentIndex(combo.count() - 1)
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(asked))
    qtbot.waitUntil(lambda: window.session.doc.annotation(ann_id).figure.alternatives[0].source != "")
    doc = window.session.doc
    sid = doc.annotation(ann_id).figure.alternatives[0].source
    assert [s.id for s in doc.sources()] == [sid]
    assert table.item(0, 1).text().startswith("Kirby")
    window.session.undo_stack.undo()
    assert doc.sources() == [] and doc.annotation(ann_id).figure.alternatives[0].source == ""
