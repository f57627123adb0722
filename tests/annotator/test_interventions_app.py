"""Edit ▸ Correct text in the app: select with Shift+arrows, fill in the real dialog with keys, one
undo step with a readable label; the view, the annotations and the saved file follow."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

from annotator.interventions import InterventionDialog
from annotator.main_window import MainWindow
from tei import ns


def _block_of(w: MainWindow, xml_id: str) -> int:
    return next(i for i, b in enumerate(w.session.doc.text.blocks) if b.element.get(ns.XML_ID) == xml_id)


def _select_by_keys(qtbot, w: MainWindow, block: int, word: str) -> None:  # noqa: ANN001
    """Put the caret before ``word`` and select it with Shift+Right, as a user does."""
    with qtbot.waitActive(w):
        w.activateWindow()
    view = w.view
    r = w.session.doc.text.blocks[block].reading.index(word)
    cur = QTextCursor(view.document())
    cur.setPosition(view.map.reading_to_qt(block, r))
    view.setTextCursor(cur)
    view.setFocus()
    for _ in word:
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.textCursor().selectedText() == word


def _answer_dialog(qtbot, typed: str, seen: list[str]) -> None:  # noqa: ANN001
    """When the dialog opens, type ``typed`` into its focused field and press Enter."""

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, InterventionDialog):
            QTimer.singleShot(20, fill)
            return
        seen.append(dialog.windowTitle())
        field = dialog.focusWidget()
        qtbot.keyClicks(field, typed)
        qtbot.keyClick(field, Qt.Key.Key_Return)

    QTimer.singleShot(0, fill)


def _qt_text(w: MainWindow, block: int) -> str:
    return w.view.document().findBlockByNumber(w.view.map.qt_block_of[block]).text()


def test_emend_by_keys_shows_the_correction_moves_annotations_and_undoes(qtbot, window: MainWindow,
                                                                        sample_copy: Path, tmp_path: Path) -> None:  # noqa: ANN001
    w = window
    original = sample_copy.read_bytes()
    block = _block_of(w, "p23")
    reading = w.session.doc.text.blocks[block].reading
    r = reading.index("deliveries")
    later = w.session.annotate((block, r, block, r + len("deliveries")), "gl-comment")
    w.find_bar.open_bar()
    qtbot.keyClicks(w.find_bar.edit, "with the CFC were")
    assert len(w.find_bar.matches) == 1
    w.find_bar.close_bar()
    _select_by_keys(qtbot, w, block, "CFC")
    seen: list[str] = []
    _answer_dialog(qtbot, "CPC", seen)
    w.interventions.actions["emend"].trigger()  # what a menu click does: triggered(bool)
    assert seen == ["Emend"]
    assert w.session.undo_stack.undoText() == "Emend 'CFC' → 'CPC'"
    assert "relations with the CPC were deliveries" in w.session.doc.text.blocks[block].reading
    assert "relations with the CPC were deliveries" in _qt_text(w, block)
    assert w.session.doc.annotation(later).quote == "deliveries"
    r0, r1, _ = next(p for p in w.view.pieces[block] if p[2] == later)  # the highlight moved with the word
    assert w.session.doc.text.blocks[block].reading[r0:r1] == "deliveries"
    pos = w.view.map.reading_to_qt(block, w.session.doc.text.blocks[block].reading.index("CPC") + 1)
    assert "sic: CFC" in w.view._choice_at(pos)  # noqa: SLF001 - the hover text: the source's reading
    assert w.isWindowModified() or w.session.is_dirty()
    w.find_bar.open_bar()
    w.find_bar.edit.clear()
    qtbot.keyClicks(w.find_bar.edit, "with the CPC were")
    assert len(w.find_bar.matches) == 1  # find sees the corrected text
    w.find_bar.close_bar()
    w.grab().save(str(tmp_path / "emend.png"))
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)  # the dialog gave the keys back
    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "relations with the CFC were deliveries" in _qt_text(w, block)
    assert w.session.doc.annotation(later).quote == "deliveries"
    w.session.undo_stack.undo()  # the annotation too: back to the file as it was
    assert not w.session.is_dirty()
    assert w.session.to_bytes() == original


def test_plain_correction_in_a_paragraph_without_notes_rewrites_only_its_line(qtbot, window: MainWindow,
                                                                             sample_copy: Path) -> None:  # noqa: ANN001
    w = window
    doc = w.session.doc
    block = next(i for i, b in enumerate(doc.text.blocks)
                 if not b.is_note and " the " in b.reading and not any(x.parent == i for x in doc.text.blocks))  # fmt: skip
    before_next = _qt_text(w, block + 1) if block + 1 < len(doc.text.blocks) else ""
    reading = doc.text.blocks[block].reading
    r = reading.index(" the ")
    phrase = reading[max(0, r - 12) : r + 5]
    w.find_bar.open_bar()
    qtbot.keyClicks(w.find_bar.edit, phrase)
    found = len(w.find_bar.matches)
    assert found >= 1
    w.find_bar.close_bar()
    _select_by_keys(qtbot, w, block, "the")
    seen: list[str] = []
    _answer_dialog(qtbot, "THE", seen)  # the field holds the selection, selected: typing replaces it
    w.interventions.actions["correct"].trigger()
    assert seen == ["Correct transcription"]
    assert w.session.undo_stack.undoText() == "Correct 'the' → 'THE'"
    assert " THE " in _qt_text(w, block)
    if before_next:
        assert _qt_text(w, block + 1) == before_next
    w.find_bar.open_bar()
    w.find_bar.edit.clear()
    qtbot.keyClicks(w.find_bar.edit, phrase.replace(" the ", " THE "))
    w.find_bar.case_box.setChecked(True)
    w.find_bar.search()
    assert len(w.find_bar.matches) == 1  # find sees the corrected text
    w.find_bar.close_bar()
    w.lifecycle.save()
    saved = sample_copy.read_text(encoding="utf-8")
    assert "Text changed: Corrected ‘the’ to ‘THE’." in saved


def test_a_selection_across_paragraphs_is_refused_with_a_message(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    w = window
    block = _block_of(w, "p23")
    w.view.select_reading(block, 10, block + 2, 5)
    w.interventions.actions["emend"].trigger()
    assert "one paragraph" in w.statusBar().currentMessage()
    assert w.session.undo_stack.count() == 0


def test_correct_text_is_in_the_edit_menu_and_the_context_menu(window: MainWindow) -> None:
    w = window
    titles = [a.text() for a in w.edit_menu.actions()]
    assert "Correct &text" in titles
    sub = w.interventions.menu
    assert [a.text() for a in sub.actions()] == ["&Emend…", "&Regularise…", "Mark &unclear…", "&Gap…",
                                                 "&Supplied…", "&Correct transcription…"]  # fmt: skip
    assert w.view.correct_menu is sub


def test_emend_across_a_page_break_keeps_the_page_marker(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    w = window
    block = _block_of(w, "p28")
    reading = w.session.doc.text.blocks[block].reading
    r0 = reading.index("howl-Well")
    view = w.view
    with qtbot.waitActive(w):
        w.activateWindow()
    start = view.map.reading_to_qt(block, r0)
    end = view.map.reading_to_qt(block, r0 + len("howl-Well"), end=True)
    cur = QTextCursor(view.document())
    cur.setPosition(start)
    view.setTextCursor(cur)
    view.setFocus()
    for _ in range(end - start):  # over the page marker [82] too, as a reader's selection goes
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    seen: list[str] = []
    _answer_dialog(qtbot, "war", seen)
    w.interventions.actions["emend"].trigger()
    assert w.session.undo_stack.undoText() == "Emend 'howl-Well' → 'war'"
    assert "By joining the war, against Japan" in w.session.doc.text.blocks[block].reading
    shown = _qt_text(w, block)
    assert "joining the war" in shown and "[82]" in shown  # the page marker stays


def test_reload_after_an_outside_change_never_drops_unsaved_corrections_quietly(
        qtbot, window: MainWindow, sample_copy: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    w = window
    block = _block_of(w, "p23")
    _select_by_keys(qtbot, w, block, "CFC")
    seen: list[str] = []
    _answer_dialog(qtbot, "CPC", seen)
    w.interventions.actions["emend"].trigger()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    data = sample_copy.read_text(encoding="utf-8")  # another program edits the file meanwhile
    sample_copy.write_text(data.replace("The Great October", "The Glorious Great October", 1), encoding="utf-8")
    asked: list[str] = []
    answers = iter([QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save])

    def warning(_parent, _title, text, *_a, **_k):  # noqa: ANN001, ANN002, ANN003, ANN202
        asked.append(text)
        return next(answers)

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(warning))
    kept = tmp_path / "my-corrections.xml"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(kept), "")))
    assert not w.lifecycle.reload_from_disk()  # Cancel: nothing happens
    assert "corrected the text 1 time" in asked[0] and "CPC" in w.session.doc.text.blocks[block].reading
    assert not w.lifecycle.reload_from_disk()  # Save: kept under another name first
    assert kept.is_file() and "<corr" in kept.read_text(encoding="utf-8")
    assert "Glorious" in sample_copy.read_text(encoding="utf-8")  # their change is not overwritten
