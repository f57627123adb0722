"""The Sources panel by hand: add from the form, cite, and a bibliography before the footnotes."""

from __future__ import annotations

from PySide6.QtCore import Qt

from annotator.main_window import MainWindow
from annotator.models import ID_ROLE

from .test_hands import LEFT, click_source, drag, hands  # noqa: F401 - the fixture


def _cited_by(window: MainWindow, sid: str) -> str:
    model = window.sources_panel.model
    for r in range(model.rowCount()):
        group = model.item(r, 0)
        for c in range(group.rowCount()):
            if group.child(c, 0).data(ID_ROLE) == sid:
                return group.child(c, 2).text()
    raise AssertionError(sid)


def test_the_form_clears_after_add_and_cited_by_follows_cite(hands: MainWindow, qtbot) -> None:  # noqa: ANN001, F811
    w = hands
    w.sources_dock.show()
    w.sources_dock.raise_()
    panel = w.sources_panel
    qtbot.mouseClick(panel.edits["author"], LEFT)
    qtbot.keyClicks(panel.edits["author"], "Kirby, William")
    qtbot.keyClicks(panel.edits["title"], "The Chinese War Economy")
    qtbot.mouseClick(panel.add_button, LEFT)
    (source,) = w.session.doc.sources()
    assert all(edit.text() == "" for edit in panel.edits.values()), "the form still holds the old entry"
    assert _cited_by(w, source.id) == ""
    drag(qtbot, w, "Hands off China!")
    click_source(qtbot, w, source.id)
    qtbot.mouseClick(panel.cite_button, LEFT)
    assert any(source.id in a.cited_sources() for a in w.session.doc.annotations())
    assert _cited_by(w, source.id) == "1"
    w.session.undo_stack.undo()
    assert _cited_by(w, source.id) == ""


def test_the_bibliography_comes_first_and_the_footnotes_stay_folded(hands: MainWindow) -> None:  # noqa: F811
    w = hands
    w.session.add_source({"author": "Garver, John", "title": "Chinese-Soviet Relations"})
    tree = w.sources_panel.tree
    model = tree.model()
    bibliography, footnotes = model.index(0, 0), model.index(1, 0)
    assert bibliography.data().startswith("Bibliography (1)")
    n_notes = sum(1 for b in w.session.doc.text.blocks if b.is_note)
    assert footnotes.data() == f"Footnotes of the document ({n_notes})" and n_notes > 10
    assert tree.isExpanded(bibliography) and not tree.isExpanded(footnotes)
    assert model.index(0, 0, bibliography).data(Qt.ItemDataRole.DisplayRole).startswith("Garver")


def _source_text(window: MainWindow, sid: str) -> str:
    model = window.sources_panel.model
    bibliography = model.index(0, 0)
    return next(model.index(c, 0, bibliography).data() for c in range(model.rowCount(bibliography))
                if model.index(c, 0, bibliography).data(ID_ROLE) == sid)  # fmt: skip


def test_the_citation_style_from_the_preferences_formats_panel_and_editor(
        hands: MainWindow, qtbot, monkeypatch) -> None:  # noqa: ANN001, F811
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QDialog

    from annotator.preferences import PreferencesDialog

    w = hands
    sid = w.session.add_source({"author": "Garver, John W.", "title": "Chinese-Soviet Relations",
                                "place": "New York", "publisher": "Oxford University Press",
                                "date": "1988"})  # fmt: skip
    assert _source_text(w, sid) == "Garver, John W. Chinese-Soviet Relations. Oxford University Press, 1988."
    # cite it by hand, then type a locator in the editor: the citation shows with it
    drag(qtbot, w, "Hands off China!")
    click_source(qtbot, w, sid)
    qtbot.mouseClick(w.sources_panel.cite_button, LEFT)
    ed = w.editor
    qtbot.mouseClick(ed.locator_edit, LEFT)
    qtbot.keyClicks(ed.locator_edit, "pp. 54-55")
    qtbot.keyClick(ed.locator_edit, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: ed.citation_label.text() == (
        "John W. Garver, <i>Chinese-Soviet Relations</i> (Oxford University Press, 1988), 54–55."))
    assert ed.source_combo.currentText().startswith("Garver, John W. Chinese-Soviet Relations.")

    def choose_apa(dialog: PreferencesDialog) -> int:  # the dialog's boundary: what the user chose
        dialog.style_combo.setCurrentIndex(dialog.style_combo.findText("APA"))
        dialog.accept()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(PreferencesDialog, "exec", choose_apa)
    w.findChild(QAction, "action_preferences").trigger()  # triggered(bool), as a menu click
    assert _source_text(w, sid) == "Garver, J. W. (1988). Chinese-Soviet Relations. Oxford University Press."
    assert ed.source_combo.currentText().startswith("Garver, J. W. (1988).")
    assert ed.citation_label.text() == "(Garver, 1988, pp. 54–55)"
