"""The review queue, used with hands: after another program changed the text, and after carrying
annotations to another version, every annotation placed approximately or not at all is listed
with its passage before and now; Accept, Re-attach to the selection and Delete are buttons
clicked with the mouse, each one undoable step."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

import tei
from annotator.main_window import MainWindow

from .test_hands import drag
from .test_lifecycle import annotate_by_keys

LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier
A = "proletarian internationalism"
B = "providing assistance to oppressed peoples"
C = "friendly socialist power"


def _edit_text(path: Path, *pairs: tuple[str, str]) -> None:
    """Change the text of the file as another program would: the first occurrence of each old
    string inside ``<text>`` (the standOff keeps its own copies of the quotes)."""
    data = path.read_text(encoding="utf-8")
    start, end = data.index("<text"), data.index("</text>")
    body = data[start:end]
    for old, new in pairs:
        assert old in body, old
        body = body.replace(old, new, 1)
    path.write_text(data[:start] + body + data[end:], encoding="utf-8")


def _annotate_three(window: MainWindow, qtbot) -> dict[str, str]:  # noqa: ANN001
    reading = window.session.doc.text.blocks[0].reading
    ids = {}
    for phrase, note in ((A, "a slogan"), (B, "what kind of help?"), (C, "whose liberation?")):
        ids[phrase] = annotate_by_keys(window, qtbot, 0, reading.index(phrase), len(phrase), note=note)
    assert window.save()
    return ids


def _click(qtbot, button) -> None:  # noqa: ANN001
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, LEFT)


def _row(window: MainWindow, ann_id: str) -> None:
    """Click the queue's row of an annotation."""
    lst = window.review_queue.list
    row = window.review_queue._row_of(ann_id)  # noqa: SLF001
    assert row >= 0, ann_id
    rect = lst.visualItemRect(lst.item(row))
    from PySide6.QtTest import QTest

    QTest.mouseClick(lst.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, rect.center())


@pytest.fixture
def changed(window: MainWindow, qtbot, sample_copy: Path) -> tuple[MainWindow, dict[str, str]]:  # noqa: ANN001
    """The window after another program edited the text under three saved annotations and the
    user pressed Reload: one moved exactly, one placed approximately, one not found."""
    ids = _annotate_three(window, qtbot)
    _edit_text(sample_copy, ("The Great October", "The Glorious Great October"),
               ("providing assistance", "providing asistence"),
               ("a friendly socialist power", "a new neighbour"))  # fmt: skip
    window.lifecycle.file_changed(str(sample_copy))
    window.message_bar.button("Reload").click()  # nothing unsaved: no question
    return window, ids


def test_reload_after_outside_edits_finds_each_annotation_again_and_lists_the_doubtful(changed, qtbot) -> None:  # noqa: ANN001
    window, ids = changed
    doc = window.session.doc
    assert doc.annotation(ids[A]).anchoring is None  # moved exactly: nothing to review
    assert doc.quote_for(*[(r.start, r.end) for r in doc.resolve(doc.annotation(ids[A]).target)][0])[0] == A
    fuzzy, orphan = doc.annotation(ids[B]).anchoring, doc.annotation(ids[C]).anchoring
    assert fuzzy.outcome == "fuzzy" and fuzzy.previous == B
    assert doc.annotation(ids[B]).quote == "providing asistence to oppressed peoples"
    assert orphan.outcome == "orphan" and doc.annotation(ids[C]).note == ["whose liberation?"]
    bar = window.message_bar.label.text()
    assert "changed by another program" in bar and "1 placed approximately" in bar and "1 not found" in bar
    queue = window.review_queue
    assert window.review_dock.isVisible() and queue.count() == 2
    assert ids[C] in window.view.unresolved  # the orphan is not shown on the words now there
    assert ids[B] in window.view.ann_blocks and window.view.ann_blocks[ids[B]]
    # the comparison marks the difference
    _row(window, ids[B])
    assert queue.current_id() == ids[B] and window.editor.ann_id == ids[B]
    assert "line-through" in queue.before.toHtml() and "underline" in queue.now.toHtml()
    assert "asistence" in queue.now.toPlainText() and "assistance" in queue.before.toPlainText()
    # one undoable step: undo shows the file as another program left it
    assert window.isWindowModified()
    window.session.undo_stack.undo()
    assert queue.count() == 0 and not window.isWindowModified()
    window.session.undo_stack.redo()
    assert queue.count() == 2


def test_accept_keeps_the_approximate_place_and_undo_brings_the_row_back(changed, qtbot) -> None:  # noqa: ANN001
    window, ids = changed
    queue = window.review_queue
    _row(window, ids[C])
    assert not queue.accept_button.isEnabled()  # an orphan has no place to accept
    _row(window, ids[B])
    target = window.session.doc.annotation(ids[B]).target
    _click(qtbot, queue.accept_button)
    ann = window.session.doc.annotation(ids[B])
    assert ann.anchoring is None and ann.target == target and queue.count() == 1
    window.activateWindow()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert window.session.doc.annotation(ids[B]).anchoring.outcome == "fuzzy" and queue.count() == 2


def test_reattach_puts_the_orphan_on_the_passage_selected_by_hand(changed, qtbot, sample_copy: Path) -> None:  # noqa: ANN001
    window, ids = changed
    queue = window.review_queue
    window.show_review()
    _row(window, ids[C])
    drag(qtbot, window, "new neighbour")
    _click(qtbot, queue.reattach_button)
    ann = window.session.doc.annotation(ids[C])
    assert ann.anchoring is None and ann.quote == "new neighbour" and ann.note == ["whose liberation?"]
    assert ids[C] not in window.view.unresolved and queue.count() == 1
    assert window.save()
    saved = tei.load(str(sample_copy)).annotation(ids[C])
    assert saved.quote == "new neighbour" and saved.anchoring is None


def test_delete_in_the_queue_removes_the_annotation_in_one_undoable_step(changed, qtbot) -> None:  # noqa: ANN001
    window, ids = changed
    queue = window.review_queue
    _row(window, ids[C])
    _click(qtbot, queue.delete_button)
    assert ids[C] not in {a.id for a in window.session.doc.annotations()} and queue.count() == 1
    assert "Deleted" in window.statusBar().currentMessage()
    window.session.undo_stack.undo()
    assert queue.count() == 2 and window.session.doc.annotation(ids[C]).note == ["whose liberation?"]


def test_opening_a_file_changed_while_glossator_was_closed_finds_annotations_again(
        window: MainWindow, qtbot, sample_copy: Path) -> None:  # noqa: ANN001
    ids = _annotate_three(window, qtbot)
    _edit_text(sample_copy, ("The Great October", "The Glorious Great October"))
    other = MainWindow(str(sample_copy))
    qtbot.addWidget(other)
    doc = other.session.doc
    ann = doc.annotation(ids[A])
    res = doc.resolve(ann.target)[0]
    assert doc.quote_for(res.start, res.end)[0] == A  # pointed at its words again, not 9 letters off
    assert "changed by another program" in other.message_bar.label.text()
    assert other.review_queue.count() == 0  # all moved exactly
    assert other.session.undo_stack.count() == 1 and other.isWindowModified()


def test_carry_annotations_to_another_version(window: MainWindow, qtbot, sample_copy: Path, tmp_path: Path,  # noqa: ANN001
                                             monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    ids = _annotate_three(window, qtbot)
    new = tmp_path / "corrected.xml"
    new.write_bytes(Path(sample_copy).read_bytes())
    doc_new = tei.load(str(new))
    for a in list(doc_new.annotations()):  # a fresh transcription: no annotations yet
        doc_new.remove_annotation(a.id)
    doc_new.save(str(new))
    _edit_text(new, ("providing assistance", "providing asistence"))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(new), "")))
    tools = next(a.menu() for a in window.menuBar().actions() if a.menu().objectName() == "tools_menu")
    carry = next(a for a in tools.actions() if a.objectName() == "action_carry")
    carry.trigger()
    assert window.session.path == str(new)
    doc = window.session.doc
    assert {a.id for a in doc.annotations()} == set(ids.values())
    assert doc.annotation(ids[B]).anchoring.outcome == "fuzzy"
    assert window.review_queue.count() == 1 and window.review_dock.isVisible()
    assert "Carried from" in window.message_bar.label.text()
    window.session.undo_stack.undo()  # the new version as delivered
    assert window.session.doc.annotations() == []
