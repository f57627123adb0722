"""The window used with hands: selections by dragging and Shift+arrows, category keys, Delete,
context menus and the Sources panel's Cite, all through real key and mouse events (QTest).

Keys go to the application's focus widget, as a keyboard's do; menu items are clicked.
"""

from __future__ import annotations

import pytest
from lxml import etree
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu, QPushButton, QWidget

import tei
from annotator.main_window import MainWindow
from annotator.models import ID_ROLE

Key = Qt.Key
Mod = Qt.KeyboardModifier
LEFT = Qt.MouseButton.LeftButton


# -- hands ----------------------------------------------------------------------------------------
def press(qtbot, key: Qt.Key, mod: Qt.KeyboardModifier = Mod.NoModifier, times: int = 1) -> None:  # noqa: ANN001
    """Press a key ``times`` times on whatever has the keyboard focus."""
    for _ in range(times):
        if QApplication.focusWidget() is None:
            # A closing popup hands the focus back to its window; the offscreen platform sometimes
            # leaves no window active, which a window manager never does: activate it as one would.
            window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
            window.activateWindow()
            qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=2000)
        target = QApplication.focusWidget()
        qtbot.keyClick(target, key, mod)


def type_text(qtbot, text: str) -> None:  # noqa: ANN001
    """Type text on whatever has the keyboard focus."""
    target = QApplication.focusWidget()
    assert target is not None
    qtbot.keyClicks(target, text)


def find(doc: tei.TeiDocument, phrase: str) -> tuple[int, int]:
    """Return (block, reading offset) of a phrase of the text."""
    for i, b in enumerate(doc.text.blocks):
        r = b.reading.find(phrase)
        if r >= 0:
            return i, r
    raise AssertionError(phrase)


def point(window: MainWindow, block: int, reading: int, end: bool = False) -> QPoint:
    """Return the viewport point of the caret position before reading offset ``reading``."""
    view = window.view
    cur = QTextCursor(view.document())
    cur.setPosition(view.map.reading_to_qt(block, reading, end=end))
    return view.cursorRect(cur).center()


def show(window: MainWindow, block: int, reading: int) -> None:
    """Scroll a passage into view (as the scroll bar or the outline would)."""
    view = window.view
    view.verticalScrollBar().setValue(0)
    view.goto_reading(block, reading)


def drag(qtbot, window: MainWindow, phrase: str, within: tuple[int, int] | None = None) -> tuple[int, int]:  # noqa: ANN001
    """Select a phrase (or the part ``within`` = (from, to) of it) by dragging the mouse."""
    b, r = find(window.session.doc, phrase)
    r0, r1 = (r + within[0], r + within[1]) if within else (r, r + len(phrase))
    show(window, b, r0)
    vp = window.view.viewport()
    a, z = point(window, b, r0), point(window, b, r1, end=True)
    qtbot.mousePress(vp, LEFT, pos=a)
    qtbot.mouseMove(vp, z)
    qtbot.mouseRelease(vp, LEFT, pos=z)
    return b, r0


def annotate_by_hand(qtbot, window: MainWindow, phrase: str, key: Qt.Key, note: str = "") -> tei.Annotation:  # noqa: ANN001
    """Drag over a phrase, press a category key, type a note; return the new annotation."""
    before = {a.id for a in window.session.doc.annotations()}
    drag(qtbot, window, phrase)
    assert window.view.textCursor().selectedText() == phrase
    press(qtbot, key)
    new = [a for a in window.session.doc.annotations() if a.id not in before]
    assert len(new) == 1, window.statusBar().currentMessage()
    if note:
        type_text(qtbot, note)
        window.editor.commit_pending()
    return new[0]


def menu_item(menu: QMenu, text: str):  # noqa: ANN201
    """Return the action of a menu whose text starts with ``text`` (without accelerators)."""
    for act in menu.actions():
        if act.text().replace("&", "").startswith(text):
            return act
    raise AssertionError(f"no {text!r} in {[a.text() for a in menu.actions()]}")


def click_menu_item(qtbot, menu: QMenu, text: str) -> None:  # noqa: ANN001
    """Click a menu item with the mouse (the menu emits triggered(bool) as for a user)."""
    qtbot.waitUntil(menu.isVisible)
    act = menu_item(menu, text)
    qtbot.mouseClick(menu, LEFT, pos=menu.actionGeometry(act).center())


def context_menu(qtbot, window: MainWindow, block: int, reading: int) -> QMenu:  # noqa: ANN001
    """Right-click on the text at a reading position and return the menu that opens."""
    show(window, block, reading)
    vp = window.view.viewport()
    pos = point(window, block, reading) + QPoint(3, 0)
    # through the window, as the platform delivers it: Qt makes the context menu event
    qtbot.mouseClick(window.windowHandle(), Qt.MouseButton.RightButton, pos=vp.mapTo(window, pos))
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    return QApplication.activePopupWidget()


def ids(window: MainWindow) -> set[str]:
    return {a.id for a in window.session.doc.annotations()}


@pytest.fixture
def hands(window: MainWindow, qtbot) -> MainWindow:  # noqa: ANN001
    """The sample window, active, with the keyboard focus in the text."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.view.setFocus()
    return window


# -- Delete ---------------------------------------------------------------------------------------
def test_delete_key_removes_what_the_selection_or_caret_is_on_not_the_editors(hands: MainWindow, qtbot) -> None:  # noqa: ANN001
    w = hands
    bias = annotate_by_hand(qtbot, w, "truly nationwide", Key.Key_B, "Overstated")
    comment = annotate_by_hand(qtbot, w, "Hands off China!", Key.Key_C, "Slogan")
    assert w.editor.ann_id == comment.id  # the editor shows the comment from here on

    # an unannotated passage selected: Delete does nothing, and says so
    drag(qtbot, w, "The very fact of the appearance")
    press(qtbot, Key.Key_Delete)
    assert ids(w) == {bias.id, comment.id}
    assert w.statusBar().currentMessage() == "Nothing to delete: no annotation in the selection."

    # part of the bias note selected: that one goes, the comment in the editor stays
    drag(qtbot, w, "truly nationwide", within=(6, 12))
    press(qtbot, Key.Key_Delete)
    assert ids(w) == {comment.id}
    assert w.statusBar().currentMessage() == "Deleted bias note on 'truly nationwide' — Ctrl+Z to restore"
    press(qtbot, Key.Key_Z, Mod.ControlModifier)
    assert ids(w) == {bias.id, comment.id}
    assert w.session.doc.annotation(bias.id).note == ["Overstated"]

    # a caret inside it (the selection collapsed with an arrow key)
    drag(qtbot, w, "truly nationwide", within=(2, 4))
    press(qtbot, Key.Key_Left)
    assert not w.view.textCursor().hasSelection()
    press(qtbot, Key.Key_Delete)
    assert ids(w) == {comment.id}
    # a caret in plain text
    press(qtbot, Key.Key_Home, Mod.ControlModifier)
    press(qtbot, Key.Key_Right, times=8)
    press(qtbot, Key.Key_Delete)
    assert ids(w) == {comment.id}
    assert w.statusBar().currentMessage() == "Nothing to delete: no annotation at the caret."


def test_context_menu_delete_acts_where_the_menu_was_opened(hands: MainWindow, qtbot) -> None:  # noqa: ANN001
    w = hands
    bias = annotate_by_hand(qtbot, w, "truly nationwide", Key.Key_B)
    comment = annotate_by_hand(qtbot, w, "Hands off China!", Key.Key_C)
    assert w.editor.ann_id == comment.id
    b, r = find(w.session.doc, "extremely broad")
    click_menu_item(qtbot, context_menu(qtbot, w, b, r + 3), "Delete annotation")
    assert ids(w) == {bias.id, comment.id}
    assert w.statusBar().currentMessage() == "Nothing to delete: no annotation at the caret."
    b, r = find(w.session.doc, "truly nationwide")
    click_menu_item(qtbot, context_menu(qtbot, w, b, r + 8), "Delete annotation")
    assert ids(w) == {comment.id}
    assert "Delete" in w.session.undo_stack.undoText()


def test_delete_in_the_list_removes_its_selected_rows_in_one_step(hands: MainWindow, qtbot) -> None:  # noqa: ANN001
    w = hands
    made = [annotate_by_hand(qtbot, w, phrase, Key.Key_C)
            for phrase in ("truly nationwide", "Hands off China!", "extremely broad")]  # fmt: skip
    before = w.session.undo_stack.count()
    table = w.annotation_list
    w.list_dock.raise_()
    w.annotation_list.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # by passage, alphabetically
    order = [table.model().index(r, 0).data() for r in range(3)]
    assert order == sorted(order)
    vp = table.viewport()
    qtbot.mouseClick(vp, LEFT, pos=table.visualRect(table.model().index(0, 0)).center())
    qtbot.mouseClick(vp, LEFT, Mod.ControlModifier, pos=table.visualRect(table.model().index(2, 0)).center())
    assert table.hasFocus()
    press(qtbot, Key.Key_Delete)
    left = w.session.doc.annotations()
    assert [a.quote for a in left] == [order[1]]
    assert w.statusBar().currentMessage() == "Deleted 2 annotations — Ctrl+Z to restore"
    assert w.session.undo_stack.count() == before + 1
    press(qtbot, Key.Key_Z, Mod.ControlModifier)
    assert ids(w) == {a.id for a in made}


def test_delete_on_nested_annotations_asks_which_innermost_first(hands: MainWindow, qtbot) -> None:  # noqa: ANN001
    w = hands
    inner = annotate_by_hand(qtbot, w, "truly nationwide", Key.Key_B)
    outer = annotate_by_hand(qtbot, w, "extremely broad and truly nationwide", Key.Key_C)
    assert w.editor.ann_id == outer.id
    drag(qtbot, w, "truly nationwide", within=(8, 10))
    press(qtbot, Key.Key_Left)
    seen: list[list[str]] = []

    def answer(keys: list[Qt.Key]) -> None:
        menu = QApplication.activePopupWidget()
        if menu is None:  # not open yet (a loaded machine): look again shortly
            QTimer.singleShot(20, lambda: answer(keys))
            return
        seen.append([a.text() for a in menu.actions() if a.text()])
        for k in keys:
            qtbot.keyClick(menu, k)

    def delete_and_answer(keys: list[Qt.Key]) -> None:
        QTimer.singleShot(50, lambda: answer(keys))
        press(qtbot, Key.Key_Delete)
        w.activateWindow()  # the offscreen platform does not give the window back its activation
        qtbot.waitUntil(lambda: QApplication.focusWidget() is w.view)

    delete_and_answer([Key.Key_Escape])
    assert ids(w) == {inner.id, outer.id}
    assert seen[0] == ["Delete bias note on 'truly nationwide'",
                       "Delete comment on 'extremely broad and truly nationwide'", "Delete all 2"]  # fmt: skip
    delete_and_answer([Key.Key_Return])  # the innermost is the default
    assert ids(w) == {outer.id}
    press(qtbot, Key.Key_Z, Mod.ControlModifier)
    delete_and_answer([Key.Key_Up, Key.Key_Return])  # the last item: all
    assert ids(w) == set()
    assert w.statusBar().currentMessage() == "Deleted 2 annotations — Ctrl+Z to restore"




# -- the first second -----------------------------------------------------------------------------
def test_category_key_after_shift_arrows_works_in_a_freshly_shown_window(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    """No click first: the page marker that opens the sample ("[74] ") is not what Shift+arrows
    select, the B key annotates, and the note typed next lands in the note."""
    w = window
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    assert QApplication.focusWidget() is w.view
    press(qtbot, Key.Key_Right, Mod.ShiftModifier, times=3)
    press(qtbot, Key.Key_B)
    anns = w.session.doc.annotations()
    assert len(anns) == 1, w.statusBar().currentMessage()
    first = next(b.reading for b in w.session.doc.text.blocks if b.reading)
    assert anns[0].quote == first[:3] and anns[0].category == "gl-bias"
    assert QApplication.focusWidget() is w.note_edit
    type_text(qtbot, "typed at once")
    w.editor.commit_pending()
    assert w.session.doc.annotation(anns[0].id).note == ["typed at once"]


def test_a_selection_of_only_a_page_marker_says_what_is_wrong(hands: MainWindow, qtbot) -> None:  # noqa: ANN001
    w = hands
    press(qtbot, Key.Key_Home, Mod.ControlModifier)  # before the opening page marker "[74] "
    press(qtbot, Key.Key_Right, Mod.ShiftModifier, times=3)
    press(qtbot, Key.Key_B)
    assert w.session.doc.annotations() == []
    assert "only a page or note marker" in w.statusBar().currentMessage()
    assert QApplication.focusWidget() is w.view


# -- Cite -----------------------------------------------------------------------------------------
def click_source(qtbot, window: MainWindow, sid: str) -> None:  # noqa: ANN001
    """Show the Sources panel and click the entry with this id."""
    window.sources_dock.show()
    window.sources_dock.raise_()
    tree = window.sources_panel.tree
    model = tree.model()
    found = [model.index(c, 0, model.index(r, 0)) for r in range(model.rowCount())
             for c in range(model.rowCount(model.index(r, 0)))]  # fmt: skip
    idx = next(i for i in found if i.data(ID_ROLE) == sid)
    tree.scrollTo(idx)
    qtbot.mouseClick(tree.viewport(), LEFT, pos=tree.visualRect(idx).center())
    assert window.sources_panel.current()[0] == sid


def test_cite_with_a_passage_selected_links_that_passage(hands: MainWindow, qtbot) -> None:  # noqa: ANN001
    w = hands
    comment = annotate_by_hand(qtbot, w, "truly nationwide", Key.Key_C, "Which evidence?")
    comment_xml = w.session.doc.annotation(comment.id).snapshot()
    steps = w.session.undo_stack.count()
    drag(qtbot, w, "Hands off China!")
    click_source(qtbot, w, "fn3")
    qtbot.mouseClick(w.sources_panel.cite_button, LEFT)
    new = [a for a in w.session.doc.annotations() if a.id != comment.id]
    assert len(new) == 1, w.statusBar().currentMessage()
    link = new[0]
    assert link.kind == "source" and link.quote == "Hands off China!"
    assert link.source_link.source == "fn3"
    assert w.editor.ann_id == link.id
    assert etree.tostring(w.session.doc.annotation(comment.id).element) == etree.tostring(comment_xml)
    assert w.session.undo_stack.count() == steps + 1
    # without a selection, Cite goes to the annotation open in the editor (the new link)
    press_at = find(w.session.doc, "extremely broad")
    show(w, *press_at)
    qtbot.mouseClick(w.view.viewport(), LEFT, pos=point(w, press_at[0], press_at[1] + 3))
    assert not w.view.textCursor().hasSelection()
    click_source(qtbot, w, "fn4")
    qtbot.mouseClick(w.sources_panel.cite_button, LEFT)
    assert w.session.doc.annotation(link.id).source_link.source == "fn4"
    assert len(w.session.doc.annotations()) == 2


# -- who is annotating ----------------------------------------------------------------------------
@pytest.fixture
def nameless(qtbot, sample_copy, monkeypatch: pytest.MonkeyPatch) -> MainWindow:  # noqa: ANN001
    """A window whose user has given no name yet; the login is a recognisable word."""
    import getpass

    monkeypatch.setattr(getpass, "getuser", lambda: "loginname")
    for var in ("USER", "LOGNAME", "USERNAME"):
        monkeypatch.setenv(var, "loginname")
    w = MainWindow(str(sample_copy))
    w.session.clock = lambda: "2025-01-01T00:00:00Z"
    qtbot.addWidget(w)
    w.resize(1300, 850)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    w.view.setFocus()
    return w


def html_of(window: MainWindow, tmp_path) -> str:  # noqa: ANN001
    """Export the HTML edition of the open document and return it."""
    from tei.exporters import export

    out = tmp_path / "edition.html"
    export(tei.TeiDocument.from_bytes(window.session.to_bytes()), "html", out)
    return out.read_text(encoding="utf-8")


def test_the_first_annotation_asks_for_a_name_without_blocking_and_signs_earlier_ones(
        nameless: MainWindow, qtbot, sample_copy, tmp_path) -> None:  # noqa: ANN001
    from annotator import settings

    w = nameless
    bar = w.findChild(QWidget, "identity_bar")
    assert bar is not None and not bar.isVisible()
    first = annotate_by_hand(qtbot, w, "truly nationwide", Key.Key_B, "Typed while asked")
    assert bar.isVisible()
    assert w.session.doc.annotation(first.id).note == ["Typed while asked"]  # the focus stayed
    assert w.session.doc.annotation(first.id).annotator == ""
    assert b"loginname" not in w.session.to_bytes()
    second = annotate_by_hand(qtbot, w, "Hands off China!", Key.Key_C)
    steps = w.session.undo_stack.count()

    name = w.findChild(QLineEdit, "identity_name")
    qtbot.mouseClick(name, LEFT)
    type_text(qtbot, "Jane Historian")
    press(qtbot, Key.Key_Tab)
    type_text(qtbot, "0000-0002-1825-0097")
    press(qtbot, Key.Key_Return)
    assert not bar.isVisible()
    assert settings.get("annotator/name") == "Jane Historian"
    doc = w.session.doc
    assert [doc.annotation(a.id).annotator_name for a in (first, second)] == ["Jane Historian"] * 2
    assert w.session.undo_stack.count() == steps + 1
    assert w.session.undo_stack.undoText() == "Sign 2 annotations as Jane Historian"
    third = annotate_by_hand(qtbot, w, "extremely broad", Key.Key_Q)
    assert w.session.doc.annotation(third.id).annotator_name == "Jane Historian"
    assert not bar.isVisible()
    assert "0000-0002-1825-0097" in w.session.to_bytes().decode()

    w.view.setFocus()
    press(qtbot, Key.Key_S, Mod.ControlModifier)
    saved = sample_copy.read_text(encoding="utf-8")
    assert "Jane Historian" in saved and "loginname" not in saved
    html = html_of(w, tmp_path)
    assert "by Jane Historian" in html and "loginname" not in html


def test_staying_anonymous_publishes_no_login_name(nameless: MainWindow, qtbot, tmp_path) -> None:  # noqa: ANN001
    w = nameless
    annotate_by_hand(qtbot, w, "truly nationwide", Key.Key_B, "A note")
    assert b"loginname" not in w.session.to_bytes()
    bar = w.findChild(QWidget, "identity_bar")
    assert bar.isVisible()
    qtbot.mouseClick(w.findChild(QPushButton, "identity_anonymous"), LEFT)
    assert not bar.isVisible()
    annotate_by_hand(qtbot, w, "Hands off China!", Key.Key_C, "Another")
    assert not bar.isVisible()
    assert all(a.annotator == "" for a in w.session.doc.annotations())
    data = w.session.to_bytes().decode()
    assert "loginname" not in data and 'who="#"' not in data
    html = html_of(w, tmp_path)
    assert "loginname" not in html and "annotations by" not in html


def test_a_name_given_in_the_preferences_answers_the_bar(nameless: MainWindow, qtbot,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QDialog

    from annotator.preferences import PreferencesDialog

    w = nameless
    ann = annotate_by_hand(qtbot, w, "truly nationwide", Key.Key_B)
    assert w.identity_bar.isVisible()

    def fill(dialog: PreferencesDialog) -> int:  # the dialog's boundary: what the user typed there
        dialog.name_edit.setText("Olga Archivist")
        dialog.accept()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(PreferencesDialog, "exec", fill)
    w.findChild(QAction, "action_preferences").trigger()
    assert not w.identity_bar.isVisible()
    assert w.session.doc.annotation(ann.id).annotator_name == "Olga Archivist"
