"""The Categories panel: delete, move, colour, form discipline, export/import and the user's default.

Real mouse and key events on the real tree, form and buttons; dialogs are replaced only at their
boundary (``DeleteCategoryDialog.ask``/``exec``, ``QMessageBox``, ``QFileDialog`` statics).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPushButton,
)

from annotator import errors
from annotator.main_window import MainWindow
from annotator.taxonomy_editor import DeleteCategoryDialog, TaxonomyEditor
from tei import colours
from tests.annotator.conftest import FROZEN, select_words

SHOTS = Path(os.environ.get("GLOSSATOR_SHOTS", "/tmp/glossator-shots"))


def _editor(window: MainWindow) -> TaxonomyEditor:
    window.taxonomy_dock.show()
    window.taxonomy_dock.raise_()
    QApplication.processEvents()
    return window.taxonomy_editor


def _item(ed: TaxonomyEditor, cid: str):  # noqa: ANN202
    items = ed.tree.findItems(cid, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive, 2)
    assert items, cid
    ed.tree.scrollToItem(items[0])
    return items[0]


def _click_row(ed: TaxonomyEditor, cid: str) -> None:
    rect = ed.tree.visualItemRect(_item(ed, cid))
    QTest.mouseClick(ed.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _type(widget, text: str) -> None:  # noqa: ANN001
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(widget, Qt.Key.Key_Backspace)
    if text:
        QTest.keyClicks(widget, text)


def _click(button) -> None:  # noqa: ANN001
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def _annotate(window: MainWindow, category: str, start: int) -> str:
    p = next(i for i, b in enumerate(window.session.doc.text.blocks) if len(b.reading) > 80)
    select_words(window, p, start, start + 6)
    return window.annotate(category)


def _shot(widget, name: str) -> None:  # noqa: ANN001
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


# -- 1. deleting a category --------------------------------------------------------------------
def test_delete_moves_the_annotations_to_another_category_in_one_undo_step(window, monkeypatch) -> None:  # noqa: ANN001
    a1, a2 = _annotate(window, "gl-comment", 0), _annotate(window, "gl-comment", 20)
    keep = _annotate(window, "gl-figure", 40)
    ed = _editor(window)
    stack = window.session.undo_stack
    before, steps = window.session.to_bytes(FROZEN), stack.count()
    asked = []

    def ask(parent, label, count, children, choices, default):  # noqa: ANN001, ANN202
        asked.append((label, count, children, [c for c, _ in choices]))
        return "move", "gl-question"

    monkeypatch.setattr(DeleteCategoryDialog, "ask", staticmethod(ask))
    _click_row(ed, "gl-comment")
    QTest.keyClick(ed.tree, Qt.Key.Key_Delete)
    assert asked and asked[0][:3] == ("Comment", 2, 0)
    assert "gl-comment" not in asked[0][3] and "gl-question" in asked[0][3]
    doc = window.session.doc
    assert "gl-comment" not in doc.taxonomy.categories
    assert [doc.annotation(a).category for a in (a1, a2, keep)] == ["gl-question", "gl-question", "gl-figure"]
    assert window.findChild(type(window.action_save), "action_annotate_gl-comment") is None
    assert stack.count() == steps + 1 and stack.undoText() == "Delete category Comment"
    stack.undo()
    assert window.session.to_bytes(FROZEN) == before
    assert ed.current_id() != "" or ed.label_edit.text() == ""
    stack.redo()
    assert "gl-comment" not in window.session.doc.taxonomy.categories
    stack.undo()
    assert window.session.to_bytes(FROZEN) == before


def test_delete_with_its_annotations_moves_subcategories_up(window, monkeypatch) -> None:  # noqa: ANN001
    gone = _annotate(window, "gl-bias", 0)
    stays = _annotate(window, "gl-bias-omission", 20)
    ed = _editor(window)
    before = window.session.to_bytes(FROZEN)

    texts: list[str] = []

    def exec_(dlg: DeleteCategoryDialog) -> int:  # the real dialog, answered with the mouse
        dlg.show()
        QTest.qWaitForWindowExposed(dlg)
        texts.append(" ".join(label.text() for label in dlg.findChildren(QLabel)))
        _shot(dlg, "delete-category-dialog")
        assert dlg.target_combo.currentData() == "gl-comment"  # a broad category first, not a technique
        QTest.mouseClick(dlg.delete_radio, Qt.MouseButton.LeftButton, pos=QPoint(8, dlg.delete_radio.height() // 2))
        assert not dlg.target_combo.isEnabled()
        _click(dlg.findChild(QPushButton, "delete_category_ok"))
        return dlg.result()

    monkeypatch.setattr(DeleteCategoryDialog, "exec", exec_)
    _click_row(ed, "gl-bias")
    _click(ed.delete_button)
    assert "1 annotation uses the category “Bias note”" in texts[0]
    assert "Its 7 subcategories move up one level" in texts[0]
    doc = window.session.doc
    assert "gl-bias" not in doc.taxonomy.categories
    assert gone not in {a.id for a in doc.annotations()}
    assert doc.annotation(stays).category == "gl-bias-omission"
    assert doc.taxonomy.categories["gl-bias-omission"].parent == ""
    window.session.undo_stack.undo()
    assert window.session.to_bytes(FROZEN) == before


def test_delete_without_annotations_asks_nothing_and_cancel_changes_nothing(window, monkeypatch) -> None:  # noqa: ANN001
    _annotate(window, "gl-figure", 0)
    ed = _editor(window)
    stack = window.session.undo_stack
    before, steps = window.session.to_bytes(FROZEN), stack.count()
    monkeypatch.setattr(DeleteCategoryDialog, "ask", staticmethod(lambda *a: None))  # Cancel
    _click_row(ed, "gl-figure")
    _click(ed.delete_button)
    assert "gl-figure" in window.session.doc.taxonomy.categories and stack.count() == steps

    def never(*_a):  # noqa: ANN002, ANN202
        raise AssertionError("no annotation uses it: nothing to ask")

    monkeypatch.setattr(DeleteCategoryDialog, "ask", staticmethod(never))
    _click_row(ed, "gl-question")
    QTest.keyClick(ed.tree, Qt.Key.Key_Delete)
    assert "gl-question" not in window.session.doc.taxonomy.categories
    assert stack.count() == steps + 1
    stack.undo()
    assert window.session.to_bytes(FROZEN) == before


# -- 2. moving a category ------------------------------------------------------------------------
def _drag(ed: TaxonomyEditor, cid: str, onto: str, above: bool = False) -> None:
    """Drag row ``cid`` onto the middle of row ``onto`` (or its top edge: ``above``), with the
    mouse press and then the drag events Qt sends."""
    _click_row(ed, cid)
    tree = ed.tree
    source = tree.indexFromItem(_item(ed, cid))
    mime = tree.model().mimeData([source])
    rect = tree.visualItemRect(_item(ed, onto))
    pos = QPoint(rect.center().x(), rect.top() + 1) if above else rect.center()
    actions = Qt.DropAction.MoveAction
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    vp = tree.viewport()
    QApplication.sendEvent(vp, QDragEnterEvent(pos, actions, mime, left, none))
    QApplication.sendEvent(vp, QDragMoveEvent(pos, actions, mime, left, none))
    QApplication.sendEvent(vp, QDropEvent(pos.toPointF(), actions, mime, left, none))


def test_drag_and_drop_moves_a_category_and_refuses_cycles(window) -> None:  # noqa: ANN001
    ed = _editor(window)
    stack = window.session.undo_stack
    before, steps = window.session.to_bytes(FROZEN), stack.count()
    said: list[str] = []
    ed.notice.connect(said.append)
    _drag(ed, "gl-question", "gl-comment")
    assert said == ["Question now sits under Comment: its annotations are edited as comment notes, "
                    "no longer as question notes (Ctrl+Z moves it back)."]
    cats = window.session.doc.taxonomy.categories
    assert cats["gl-question"].parent == "gl-comment"
    assert _item(ed, "gl-question").parent() is _item(ed, "gl-comment")
    assert stack.count() == steps + 1 and stack.undoText() == "Move category Question to Comment"
    _drag(ed, "gl-source", "gl-figure", above=True)  # onto the top edge: before it
    assert [c.id for c in window.session.doc.taxonomy.top_level()][1:3] == ["gl-source", "gl-figure"]
    assert stack.count() == steps + 2
    stack.undo()
    _drag(ed, "gl-bias", "gl-bias-omission")  # under its own subcategory: refused
    assert "its own subcategory" in errors.history[-1][1]
    assert window.session.doc.taxonomy.categories["gl-bias"].parent == ""
    assert stack.index() == steps + 1
    stack.undo()
    assert window.session.to_bytes(FROZEN) == before


def test_a_default_categories_file_that_went_missing_is_reported(window, tmp_path) -> None:  # noqa: ANN001
    from annotator import settings

    settings.put("taxonomy/default", str(tmp_path / "gone.xml"))
    shown: list[str] = []
    window.taxonomy_editor.notice.connect(shown.append)
    assert window.open_path(str(_pristine()), background=False)
    assert "gl-question" in window.session.doc.taxonomy.categories  # Glossator's, still usable
    assert shown and "default categories could not be read" in shown[-1]


def test_the_parent_field_moves_the_selected_category(window) -> None:  # noqa: ANN001
    ed = _editor(window)
    before = window.session.to_bytes(FROZEN)
    _click_row(ed, "gl-bias")
    assert ed.parent_combo.currentData() == ""
    assert ed.parent_combo.findData("gl-bias-omission") == -1  # no cycles offered
    assert ed.parent_combo.findData("gl-bias") == -1
    _click_row(ed, "gl-question")
    ed.parent_combo.setFocus()
    for _ in range(ed.parent_combo.count()):
        if ed.parent_combo.currentData() == "gl-source":
            break
        QTest.keyClick(ed.parent_combo, Qt.Key.Key_Down)
    _click(ed.apply_button)
    assert window.session.doc.taxonomy.categories["gl-question"].parent == "gl-source"
    assert window.session.undo_stack.undoText() == "Move category Question to Source link"
    assert ed.current_id() == "gl-question" and ed.parent_combo.currentData() == "gl-source"
    window.session.undo_stack.undo()
    assert window.session.to_bytes(FROZEN) == before
    assert ed.parent_combo.currentData() == ""  # the form follows the undo


def _choose(combo, data: str) -> None:  # noqa: ANN001
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentData() == data:
            return
        QTest.keyClick(combo, Qt.Key.Key_Down)
    raise AssertionError(f"{data} not offered")


def test_the_underline_field_sets_a_categorys_underline_and_undo_restores_it(window) -> None:  # noqa: ANN001
    ed = _editor(window)
    tax = window.session.doc.taxonomy
    before = window.session.to_bytes(FROZEN)
    _click_row(ed, "gl-comment")
    assert ed.underline_combo.currentData() == tax.underline("gl-comment") == "solid"
    _choose(ed.underline_combo, "dotted")
    _click(ed.apply_button)
    assert tax.underline("gl-comment") == "dotted"
    assert "underline-dotted" in tax.find("gl-comment").get("rend").split()
    assert window.session.undo_stack.undoText() == "Edit category Comment"
    assert ed.underline_combo.currentData() == "dotted"
    window.session.undo_stack.undo()
    assert window.session.to_bytes(FROZEN) == before and ed.underline_combo.currentData() == "solid"
    # a subcategory shows what it inherits, and keeps inheriting when only its label changes
    _click_row(ed, "gl-bias-omission")
    assert ed.underline_combo.currentData() == tax.underline("gl-bias") == "wavy"
    _type(ed.label_edit, "Omission (silence)")
    _click(ed.apply_button)
    assert "rend" not in tax.find("gl-bias-omission").attrib


def test_a_new_category_takes_an_underline_only_when_one_is_chosen(window) -> None:  # noqa: ANN001
    ed = _editor(window)
    tax = window.session.doc.taxonomy
    _click_row(ed, "gl-bias")  # wavy, shown in the form
    _type(ed.label_edit, "Dating")
    _type(ed.shortcut_edit, "")
    _click(ed.add_button)
    assert "rend" not in tax.find("gl-user-dating").attrib  # not the selected row's underline
    _click_row(ed, "gl-bias")
    _type(ed.label_edit, "Place")
    _type(ed.shortcut_edit, "")
    _choose(ed.underline_combo, "dash-dot-dot")
    _click(ed.add_button)
    assert tax.underline("gl-user-place") == "dash-dot-dot"


# -- 3. colours and the form ----------------------------------------------------------------------
def test_a_new_category_gets_an_unused_palette_colour_not_the_selected_rows(window) -> None:  # noqa: ANN001
    ed = _editor(window)
    _click_row(ed, "gl-comment")
    _type(ed.label_edit, "Dating")
    _type(ed.shortcut_edit, "")
    _click(ed.add_button)
    cats = window.session.doc.taxonomy.categories
    new = cats["gl-user-dating"]
    others = {c.color for c in cats.values() if c.id != new.id}
    assert new.color != cats["gl-comment"].color and new.color not in others
    assert new.color == colours.PALETTE[5]  # the first colour of the palette the defaults leave
    _type(ed.label_edit, "Place")
    _type(ed.shortcut_edit, "")
    _click(ed.add_button)
    assert window.session.doc.taxonomy.categories["gl-user-place"].color not in others | {new.color}
    _shot(ed, "categories-panel")


def test_the_form_follows_the_undo_stack(window) -> None:  # noqa: ANN001
    ed = _editor(window)
    stack = window.session.undo_stack
    _click_row(ed, "gl-comment")
    _type(ed.label_edit, "Remark")
    _click(ed.apply_button)
    stack.undo()
    assert ed.current_id() == "gl-comment" and ed.label_edit.text() == "Comment"
    _type(ed.label_edit, "Dating")
    _type(ed.shortcut_edit, "")
    _click(ed.add_button)
    assert ed.label_edit.text() == "Dating" and ed.current_id() == "gl-user-dating"
    window.action_undo.trigger()
    assert "gl-user-dating" not in window.session.doc.taxonomy.categories
    assert ed.label_edit.text() != "Dating"  # no stale values of a category that is gone
    before, steps = window.session.to_bytes(FROZEN), stack.index()
    _click(ed.apply_button)  # nothing stale to write onto another row
    assert window.session.to_bytes(FROZEN) == before and stack.index() == steps
    _drag(ed, "gl-question", "gl-comment")
    assert ed.current_id() == "gl-question" and ed.parent_combo.currentData() == "gl-comment"
    window.action_undo.trigger()
    assert ed.current_id() == "gl-question" and ed.parent_combo.currentData() == ""
    _click(ed.apply_button)  # the form shows the undone state: Apply changes nothing
    assert window.session.to_bytes(FROZEN) == before and stack.index() == steps


def test_leaving_a_changed_form_asks_apply_discard_or_cancel(qtbot, window, monkeypatch) -> None:  # noqa: ANN001
    ed = _editor(window)
    answers: list[QMessageBox.StandardButton] = []
    asked: list[str] = []

    def exec_(box: QMessageBox) -> int:
        if box.objectName() != "category_leave_box":  # closing the window at the end
            return QMessageBox.StandardButton.Discard
        asked.append(box.text())
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    _click_row(ed, "gl-comment")
    _type(ed.label_edit, "Remark")
    answers.append(QMessageBox.StandardButton.Cancel)
    _click_row(ed, "gl-question")
    assert asked == ["The changes to “Comment” are not applied yet."]
    assert ed.current_id() == "gl-comment" and ed.label_edit.text() == "Remark"
    answers.append(QMessageBox.StandardButton.Apply)
    _click_row(ed, "gl-question")
    qtbot.waitUntil(lambda: window.session.doc.taxonomy.label("gl-comment") == "Remark")
    assert ed.current_id() == "gl-question" and ed.label_edit.text() == "Question"
    _type(ed.label_edit, "Query")
    answers.append(QMessageBox.StandardButton.Discard)
    _click_row(ed, "gl-figure")
    assert window.session.doc.taxonomy.label("gl-question") == "Question"
    assert ed.label_edit.text() == "Contested figure"
    _click_row(ed, "gl-source")  # nothing changed: no question
    assert len(asked) == 3 and not answers


# -- 4. a taxonomy carried between documents -------------------------------------------------------
def test_export_then_import_restores_missing_categories_in_one_step(window, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    ed = _editor(window)
    out = tmp_path / "method.xml"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    _click(ed.export_button)
    assert b'<taxonomy xml:id="glossator-taxonomy">' in out.read_bytes()
    _click_row(ed, "gl-question")
    _click(ed.delete_button)
    _click_row(ed, "gl-comment")
    _type(ed.label_edit, "Remark")
    _click(ed.apply_button)
    stack = window.session.undo_stack
    before, steps = window.session.to_bytes(FROZEN), stack.count()
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda _p, _t, text, *a: shown.append(text)))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(out), "")))
    _click(ed.import_button)
    cats = window.session.doc.taxonomy.categories
    assert "gl-question" in cats and cats["gl-question"].shortcut == "Q"
    assert cats["gl-comment"].label == "Remark"  # kept; reported
    assert stack.count() == steps + 1
    assert "1 category added" in shown[0] and "gl-comment" in shown[0]
    stack.undo()
    assert window.session.to_bytes(FROZEN) == before
    bad = tmp_path / "bad.xml"
    bad.write_text("<TEI xmlns='http://www.tei-c.org/ns/1.0'><teiHeader/></TEI>", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(bad), "")))
    _click(ed.import_button)
    assert "no taxonomy" in errors.history[-1][1] and stack.index() == steps


def test_preferences_default_taxonomy_is_where_new_documents_start(window, tmp_path) -> None:  # noqa: ANN001
    from annotator import settings
    from annotator.preferences import PreferencesDialog

    ed = _editor(window)
    _click_row(ed, "gl-question")
    _click(ed.delete_button)
    _type(ed.label_edit, "Dating")
    _type(ed.shortcut_edit, "D")
    _click(ed.add_button)
    mine = ed.export_to(str(tmp_path / "mine.xml"))
    dlg = PreferencesDialog(window)
    dlg.show()
    _type(dlg.taxonomy_edit, str(tmp_path / "missing.xml"))
    ok = dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    _click(ok)
    assert dlg.isVisible() and settings.get("taxonomy/default") == ""  # refused, said why
    assert "cannot be used" in dlg.taxonomy_edit.toolTip()
    _type(dlg.taxonomy_edit, mine)
    _shot(dlg, "preferences-default-categories")
    _click(ok)
    assert dlg.result() == QDialog.DialogCode.Accepted and settings.get("taxonomy/default") == mine
    other = tmp_path / "other.xml"
    shutil.copy(_pristine(), other)
    window.session.undo_stack.setClean()
    assert window.open_path(str(other), background=False)
    cats = window.session.doc.taxonomy.categories
    assert "gl-user-dating" in cats and "gl-question" not in cats
    assert window.findChild(type(window.action_save), "action_annotate_gl-user-dating") is not None
    assert _item(ed, "gl-user-dating")
    cid = _annotate(window, "gl-user-dating", 0)
    assert cid and window.save()
    assert b'xml:id="gl-user-dating"' in other.read_bytes()


def _pristine() -> Path:
    from tests.annotator.conftest import sample_source

    return sample_source()


@pytest.fixture(autouse=True)
def _no_leftover_dialogs():  # noqa: ANN202
    yield
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QDialog):
            w.close()
