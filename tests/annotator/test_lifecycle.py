"""The document lifecycle as a person meets it: Save As, reload, message bars, read-only files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QTextCursor
from PySide6.QtWidgets import QFileDialog, QMessageBox

import tei
from annotator.main_window import MainWindow

from .conftest import FROZEN, first_paragraph

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def annotate_by_keys(window: MainWindow, qtbot, block: int, start: int, length: int,  # noqa: ANN001
                     key: Qt.Key = Qt.Key.Key_C, note: str = "") -> str:  # fmt: skip
    """Select ``length`` characters with Shift+Right, press a category key, type a note."""
    if not window.isVisible():
        window.show()
        qtbot.waitExposed(window)
    window.activateWindow()  # shortcuts go to the active window
    qtbot.waitUntil(window.isActiveWindow)
    view = window.view
    cur = QTextCursor(view.document())
    cur.setPosition(view.map.reading_to_qt(block, start))
    view.setTextCursor(cur)
    view.setFocus()
    for _ in range(length):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    before = {a.id for a in window.session.doc.annotations()}
    qtbot.keyClick(view, key)
    new = [a.id for a in window.session.doc.annotations() if a.id not in before]
    assert len(new) == 1, "the category key made no annotation"
    if note:
        qtbot.keyClicks(window.note_edit, note)
        window.editor.commit_pending()
    return new[0]


def patch_save_dialog(monkeypatch: pytest.MonkeyPatch, answer: str) -> list[tuple]:
    """Make the Save dialog return ``answer``; return the list of calls it received."""
    calls: list[tuple] = []

    def fake(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(args)
        return answer, "TEI XML (*.xml)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
    return calls


# -- Save As always asks ------------------------------------------------------------------------
def test_ctrl_shift_s_asks_for_a_name_and_leaves_the_original(window: MainWindow, qtbot,  # noqa: ANN001
                                                                sample_copy: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    original = sample_copy.read_bytes()
    aid = annotate_by_keys(window, qtbot, first_paragraph(window), 0, 9, note="kept in the copy")
    out = tmp_path / "copy.xml"
    calls = patch_save_dialog(monkeypatch, str(out))
    window.activateWindow()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_S, CTRL_SHIFT)
    assert len(calls) == 1
    assert sample_copy.read_bytes() == original
    assert tei.load(str(out)).annotation(aid).note == ["kept in the copy"]
    assert window.session.path == str(out) and "copy.xml" in window.windowTitle()
    assert not window.isWindowModified()


def test_save_as_from_the_menu_asks_and_cancel_writes_nothing(window: MainWindow, qtbot,  # noqa: ANN001
                                                             sample_copy: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    original = sample_copy.read_bytes()
    annotate_by_keys(window, qtbot, first_paragraph(window), 0, 9)
    calls = patch_save_dialog(monkeypatch, "")  # the user cancels
    file_menu = window.menuBar().actions()[0].menu()
    save_as = next(a for a in file_menu.actions() if a.objectName() == "action_save_as")
    save_as.trigger()  # emits triggered(False), as a click in the menu does
    assert len(calls) == 1
    assert sample_copy.read_bytes() == original
    assert window.isWindowModified() and window.session.path == str(sample_copy)


# -- Reload keeps unsaved work -------------------------------------------------------------------
def patch_question(monkeypatch: pytest.MonkeyPatch, answer: QMessageBox.StandardButton) -> list[str]:
    """Make ``QMessageBox.question`` answer ``answer``; return the texts it was asked."""
    asked: list[str] = []

    def fake(parent, title, text, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        asked.append(text)
        return answer

    monkeypatch.setattr(QMessageBox, "question", staticmethod(fake))
    return asked


def _outside_edit(path: Path, *pairs: tuple[str, str]) -> None:
    """Change the file as another program would (each old text occurs once)."""
    data = path.read_bytes()
    for old, new in pairs:
        assert data.count(old.encode()) == 1, old
        data = data.replace(old.encode(), new.encode())
    path.write_bytes(data)


def test_reload_asks_and_cancel_keeps_everything(window: MainWindow, qtbot, sample_copy: Path,  # noqa: ANN001
                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    aid = annotate_by_keys(window, qtbot, 0, 4, 34, note="mine")
    _outside_edit(sample_copy, ("Great October", "Great  October"))
    window.lifecycle.file_changed(str(sample_copy))  # what QFileSystemWatcher reports
    assert window.message_bar.kind == "changed" and "unsaved changes" in window.message_bar.label.text()
    asked = patch_question(monkeypatch, QMessageBox.StandardButton.Cancel)
    window.message_bar.button("Reload").click()
    assert len(asked) == 1 and "unsaved annotations" in asked[0]
    assert window.session.doc.annotation(aid).note == ["mine"]
    assert window.isWindowModified() and window.session.undo_stack.count() > 0


def test_reload_reapplies_unsaved_annotations_onto_the_changed_file(window: MainWindow, qtbot,  # noqa: ANN001
                                                                     sample_copy: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    blocks = window.session.doc.text.blocks
    moved_quote, lost_quote = blocks[0].reading[4:38], blocks[1].reading[:20]
    moved = annotate_by_keys(window, qtbot, 0, 4, 34, note="moved by the other program")
    lost = annotate_by_keys(window, qtbot, 1, 0, 20, Qt.Key.Key_Q, note="its words were rewritten")
    _outside_edit(sample_copy, (moved_quote, "Glorious " + moved_quote),
                  ("In an address to the Chinese", "In a speech to the Chinese"))  # fmt: skip
    window.lifecycle.file_changed(str(sample_copy))
    asked = patch_question(monkeypatch, QMessageBox.StandardButton.Yes)
    window.message_bar.button("Reload").click()
    assert len(asked) == 1
    doc = window.session.doc
    assert doc.text.blocks[0].reading.startswith("The Glorious Great October")  # their change is kept
    ann = doc.annotation(moved)
    assert ann.note == ["moved by the other program"]
    res = doc.resolve(ann.target)[0]
    assert res.ok and doc.quote_for(res.start, res.end)[0] == moved_quote
    assert 0 in window.view.pieces  # highlighted again
    kept = doc.annotation(lost)  # not placed, but never dropped
    assert kept.note == ["its words were rewritten"] and kept.quote == lost_quote
    bar = window.message_bar.label.text()
    assert window.message_bar.isVisible() and "could not be placed" in bar and lost_quote[:20] in bar
    assert window.isWindowModified()
    window.message_bar.button("Review").click()  # the review queue lists what could not be placed
    assert window.review_dock.isVisible() and window.review_queue.count() == 1
    assert window.review_queue.current_id() == lost and window.editor.ann_id == lost
    assert lost in window.view.unresolved and lost not in {p[2] for ps in window.view.pieces.values() for p in ps}
    # one undoable step: undo gives the file as it is on disk
    window.session.undo_stack.undo()
    assert window.session.doc.annotations() == [] and not window.isWindowModified()
    window.session.undo_stack.redo()
    window.session.clock = lambda: FROZEN
    assert window.save()
    again = tei.load(str(sample_copy))
    assert again.annotation(moved).note == ["moved by the other program"]
    assert "Glorious" in again.text.blocks[0].reading


# -- message bars belong to their document --------------------------------------------------------
HEAD = ('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>T</title>'
        '</titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc>'
        '</teiHeader>')  # fmt: skip
ORPHAN = (HEAD + '<text><body><p xml:id="p1">Some text to read here.</p></body></text>'
          '<standOff type="glossator"><listAnnotation type="glossator"><annotation xml:id="gl-a1" '
          'target="#string-range(gone,0,4)" ana="#gl-comment"/></listAnnotation></standOff></TEI>')  # fmt: skip
NO_TEXT = HEAD + "<text><body><p/></body></text></TEI>"


def _open_by_menu(window: MainWindow, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """File ▸ Open… with the dialog answering ``path``."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
    window.findChild(QAction, "action_open").trigger()


@pytest.mark.parametrize(("xml", "said"), [(ORPHAN, "could not be placed"), (NO_TEXT, "no text to read")])
def test_a_warning_about_one_file_is_not_shown_over_the_next(window: MainWindow, tmp_path: Path, xml: str,
                                                             said: str, sample_copy: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    first = tmp_path / "first.xml"
    first.write_text(xml, encoding="utf-8")
    _open_by_menu(window, first, monkeypatch)
    assert window.message_bar.isVisible() and said in window.message_bar.label.text()
    _open_by_menu(window, sample_copy, monkeypatch)
    assert window.session.path == str(sample_copy)
    assert not window.message_bar.isVisible()


def test_a_recovery_offer_is_not_carried_over_to_the_next_file(window: MainWindow, qtbot, tmp_path: Path,  # noqa: ANN001
                                                               sample_copy: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    aid = annotate_by_keys(window, qtbot, 0, 4, 34, note="left by a crash")
    window.autosave()
    window.session.undo_stack.setClean()  # the crash
    window.lifecycle.stop()
    second = MainWindow(str(sample_copy))
    qtbot.addWidget(second)
    assert second.message_bar.kind == "recovery"
    other = tmp_path / "other.xml"
    other.write_text(HEAD + "<text><body><p>Another text.</p></body></text></TEI>", encoding="utf-8")
    _open_by_menu(second, other, monkeypatch)
    assert not second.message_bar.isVisible()
    # the unseen copy was not deleted with the bar: opening the file again offers it
    _open_by_menu(second, sample_copy, monkeypatch)
    assert second.message_bar.kind == "recovery"
    second.message_bar.button("Restore").click()
    assert second.session.doc.annotation(aid).note == ["left by a crash"]


# -- the same file in two windows -----------------------------------------------------------------
def test_a_second_window_on_an_open_file_is_read_only_and_can_switch(window: MainWindow, qtbot,  # noqa: ANN001
                                                                     sample_copy: Path) -> None:  # fmt: skip
    original = sample_copy.read_bytes()
    second = MainWindow(str(sample_copy))
    qtbot.addWidget(second)
    bar = second.message_bar
    assert bar.kind == "locked" and "already open in another Glossator window" in bar.label.text()
    annotate_by_keys(second, qtbot, 0, 4, 10)
    qtbot.keyClick(second.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert sample_copy.read_bytes() == original and second.isWindowModified()
    assert second.message_bar.kind == "locked" and "read-only" in second.message_bar.label.text()
    # the first window saves as usual
    aid = annotate_by_keys(window, qtbot, 1, 0, 10, note="the writer's")
    assert window.save() and tei.load(str(sample_copy)).annotation(aid).note == ["the writer's"]
    third = MainWindow(str(sample_copy))
    qtbot.addWidget(third)
    third.show()
    third.message_bar.button("Switch to it").click()
    assert not third.isVisible() and window.isActiveWindow()


def test_a_file_open_in_another_process_opens_read_only_until_that_process_dies(qtbot, sample_copy: Path) -> None:  # noqa: ANN001
    import json
    import subprocess
    import sys

    from annotator import lock

    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        Path(lock.lock_path(str(sample_copy))).write_text(json.dumps({"pid": other.pid}))
        first = MainWindow(str(sample_copy))
        qtbot.addWidget(first)
        assert first.lifecycle.read_only and f"process {other.pid}" in first.message_bar.label.text()
        assert first.message_bar.button("Switch to it") is None
        first.close()
    finally:
        other.kill()
        other.wait()
    again = MainWindow(str(sample_copy))  # the lock of a dead process is not stuck
    qtbot.addWidget(again)
    assert not again.lifecycle.read_only and again.message_bar.kind != "locked"
    assert json.loads(Path(lock.lock_path(str(sample_copy))).read_text())["pid"] == os.getpid()
    again.close()
    assert not Path(lock.lock_path(str(sample_copy))).exists()


# -- read-only files and folders -------------------------------------------------------------------
def test_a_read_only_file_says_so_is_not_replaced_and_save_as_is_offered(qtbot, sample_copy: Path,  # noqa: ANN001
                                                                         tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    sample_copy.chmod(0o444)  # a historian's master copy
    original = sample_copy.read_bytes()
    w = MainWindow(str(sample_copy))
    qtbot.addWidget(w)
    assert not w.message_bar.isHidden() and "is read-only" in w.message_bar.label.text()
    aid = annotate_by_keys(w, qtbot, 0, 4, 34, note="kept elsewhere")
    qtbot.keyClick(w.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert sample_copy.read_bytes() == original and (sample_copy.stat().st_mode & 0o777) == 0o444
    assert w.message_bar.kind == "readonly" and w.isWindowModified()
    out = tmp_path / "mine.xml"
    calls = patch_save_dialog(monkeypatch, str(out))
    w.message_bar.button("Save As…").click()
    assert len(calls) == 1 and tei.load(str(out)).annotation(aid).note == ["kept elsewhere"]
    assert sample_copy.read_bytes() == original and not w.isWindowModified()


def test_a_file_in_a_folder_that_cannot_be_written_says_so(qtbot, sample_copy: Path,  # noqa: ANN001
                                                           monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    folder = str(sample_copy.parent)
    real_access = os.access
    # a read-only mount (EROFS), as the operating system reports it
    monkeypatch.setattr(os, "access", lambda p, mode, **k: False if (str(p) == folder and mode == os.W_OK)
                        else real_access(p, mode, **k))  # fmt: skip
    w = MainWindow(str(sample_copy))
    qtbot.addWidget(w)
    assert not w.message_bar.isHidden() and "read-only disk" in w.message_bar.label.text()


def test_the_same_file_through_a_link_is_the_same_file(window: MainWindow, qtbot, sample_copy: Path,  # noqa: ANN001
                                                       tmp_path: Path) -> None:  # fmt: skip
    link = tmp_path / "elsewhere.xml"
    link.symlink_to(sample_copy)
    second = MainWindow(str(link))
    qtbot.addWidget(second)
    assert second.lifecycle.read_only and second.message_bar.kind == "locked"
