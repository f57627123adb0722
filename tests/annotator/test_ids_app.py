"""Ids in the app: undo never leaves a duplicate or forgotten xml:id, and says when an id changed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction

import tei
from annotator.main_window import MainWindow
from annotator.session import Session
from tei import ns
from tests.tei.test_ids import NOTES

from .conftest import FROZEN, first_paragraph, select_words


def action(window: MainWindow, name: str) -> QAction:
    act = window.findChild(QAction, name)
    assert act is not None, name
    return act


def block(doc: tei.TeiDocument, text: str) -> int:
    return next(i for i, b in enumerate(doc.text.blocks) if b.reading.startswith(text))


def test_undoing_a_delete_whose_id_was_taken_restores_it_under_a_new_id(window: MainWindow) -> None:
    p = first_paragraph(window)
    select_words(window, p, 0, 8)
    first = window.annotate("gl-comment")
    window.view.setFocus()
    action(window, "action_delete_annotation").trigger()
    doc = window.session.doc
    el = doc.text.blocks[p].element  # another element took the id meanwhile (a merge, a replay)
    el.set(ns.XML_ID, first)
    doc.register_ids(el)
    action(window, "action_undo").trigger()
    message = window.statusBar().currentMessage()
    assert f"annotation {first} was restored as" in message
    (ann,) = doc.annotations()
    assert ann.id != first and ann.id in message and window.editor.ann_id in ("", ann.id)
    fresh = tei.TeiDocument.from_bytes(window.session.to_bytes(FROZEN))
    assert not [k for k, els in fresh.ids().items() if len(els) > 1]


def test_undo_of_a_paragraph_annotation_keeps_its_footnote_id(tmp_path: Path, qapp) -> None:  # noqa: ANN001
    """Issue 15: annotate a footnote, save, reopen, annotate its paragraph, undo, annotate the
    next footnote: the saved file has no duplicate id and validates."""
    path = tmp_path / "notes.xml"
    path.write_text(NOTES, encoding="utf-8")

    def session() -> Session:
        s = Session(tei.load(str(path)), str(path))
        s.set_identity("Test Historian")
        s.clock = lambda: FROZEN
        return s

    s = session()
    b = block(s.doc, "Counted by the staff")
    s.annotate((b, 0, b, 7), "gl-comment")
    s.save()
    s = session()
    note = s.doc.text.blocks[block(s.doc, "Counted by the staff")].element
    p = block(s.doc, "The army")
    s.annotate((p, 4, p, 8), "gl-comment")
    s.undo_stack.undo()
    assert s.doc.element_by_id(note.get(ns.XML_ID)) is note
    b = block(s.doc, "Counted by the admiralty")
    s.annotate((b, 0, b, 7), "gl-comment")
    s.save()
    report = tei.validate.validate(tei.load(str(path)))
    assert report.ok and "duplicate-id" not in report.codes(), report.format_text()


def test_a_category_added_by_the_first_taxonomy_edit_is_indexed_at_once(window: MainWindow) -> None:
    ed = window.taxonomy_editor
    ed.label_edit.setText("Anachronism")
    ed.parent_combo.setCurrentIndex(0)
    cid = ed.add_from_form()
    doc = window.session.doc
    assert doc.element_by_id(cid) is doc.taxonomy.find(cid)
    assert doc.element_by_id("gl-bias") is doc.taxonomy.find("gl-bias")
    window.session.undo_stack.undo()
    assert doc.element_by_id(cid) is None and doc.element_by_id("gl-bias") is None
    window.session.undo_stack.redo()
    assert doc.element_by_id(cid) is doc.taxonomy.find(cid)
