"""Every undoable step returns the document to byte-identical output."""

from __future__ import annotations

from pathlib import Path

import pytest

import tei
from annotator.session import Session
from tei.annotations import Alternative, BiasNote, ContestedFigure, Quantity, SourceLink
from tei.taxonomy import set_category_fields

from .conftest import FROZEN, into_own_footnote

WHEN = "2025-02-02T00:00:00Z"


@pytest.fixture
def session(sample_copy: Path, qapp) -> Session:  # noqa: ANN001
    s = Session(tei.load(str(sample_copy)), str(sample_copy))
    s.set_identity("Test Historian", "0000-0002-1825-0097")
    s.clock = lambda: FROZEN
    return s


def paragraph(doc: tei.TeiDocument, nth: int = 0) -> int:
    found = [i for i, b in enumerate(doc.text.blocks) if not b.is_note and len(b.reading) > 80]
    return found[nth]


def test_each_step_undoes_and_redoes_to_identical_bytes(session: Session) -> None:
    doc = session.doc
    p0, p1 = paragraph(doc, 0), paragraph(doc, 1)
    snaps = [session.to_bytes(WHEN)]

    def step(fn) -> None:  # noqa: ANN001
        fn()
        snaps.append(session.to_bytes(WHEN))
        assert snaps[-1] != snaps[-2]

    ids: dict[str, str] = {}
    step(lambda: ids.setdefault("bias", session.annotate((p0, 4, p0, 30), "gl-bias")))
    step(lambda: session.edit_annotation(ids["bias"], "note", lambda a: setattr(a, "note", ["One.", "Two."])))
    step(lambda: session.edit_annotation(ids["bias"], "cert", lambda a: setattr(a, "certainty", "high")))
    step(lambda: session.edit_annotation(
        ids["bias"], "bias", lambda a: setattr(a, "bias", BiasNote("gl-bias-omission", "Leaves out X.")))
    )
    step(lambda: ids.setdefault("fig", session.annotate((p1, 0, p1, 12), "gl-figure")))
    sid_box: list[str] = []
    step(lambda: sid_box.append(session.add_source({"author": "Smith", "title": "Aid", "date": "1990"})))
    fig = ContestedFigure(
        stated="$ 500 million", normalised=Quantity(value=5e8, unit="USD"),
        alternatives=[Alternative("450 million", Quantity(value=4.5e8), "src-x", "p. 3", "low", "n")],
        status="resolved", preferred=Quantity(value=4.5e8, unit="USD"), rationale="archives",
    )  # fmt: skip
    step(lambda: session.edit_annotation(ids["fig"], "fig", lambda a: setattr(a, "figure", fig)))
    step(lambda: ids.setdefault("src", session.annotate((p0, 40, p1, 5), "gl-source")))
    step(lambda: session.edit_annotation(
        ids["src"], "link", lambda a: setattr(a, "source_link", SourceLink("contradicts", sid_box[0], "p. 9")))
    )
    step(lambda: session.edit_source(sid_box[0], {"author": "Smith, J.", "title": "Aid"}))
    step(lambda: session.edit_taxonomy(
        "rename", lambda _t: set_category_fields(session.doc.taxonomy.find("gl-bias"), label="Slant", color="#123456"))
    )
    step(lambda: session.edit_annotation(ids["fig"], "cat", lambda a: setattr(a, "category", "gl-question")))
    step(lambda: session.delete_annotation(ids["bias"]))
    step(lambda: session.remove_source(sid_box[0]))
    stack = session.undo_stack
    assert stack.count() == len(snaps) - 1
    for _ in range(2):
        for i in range(len(snaps) - 1, 0, -1):
            stack.undo()
            assert session.to_bytes(WHEN) == snaps[i - 1], f"undo of step {i}"
        for i in range(1, len(snaps)):
            stack.redo()
            assert session.to_bytes(WHEN) == snaps[i], f"redo of step {i}"
    while stack.canUndo():
        stack.undo()
    assert session.doc.to_bytes() == Path(session.path).read_bytes()
    assert stack.isClean()


def test_failed_step_leaves_nothing(session: Session) -> None:
    before = session.to_bytes(WHEN)
    aid = session.annotate((paragraph(session.doc), 0, paragraph(session.doc), 5), "gl-comment")
    mid = session.to_bytes(WHEN)
    with pytest.raises(tei.AnnotationError):
        session.edit_annotation(aid, "bad", lambda a: setattr(a, "certainty", "sure"))
    assert session.to_bytes(WHEN) == mid
    assert session.undo_stack.count() == 1
    session.undo_stack.undo()
    assert session.to_bytes(WHEN) == before


def test_typing_steps_merge(session: Session) -> None:
    aid = session.annotate((paragraph(session.doc), 0, paragraph(session.doc), 5), "gl-comment")
    for text in ("a", "ab", "abc"):
        session.edit_annotation(aid, "Edit note", lambda a, t=text: setattr(a, "note", [t]), merge_key="note")
    assert session.undo_stack.count() == 2
    assert session.doc.annotation(aid).note == ["abc"]
    session.undo_stack.undo()
    assert session.doc.annotation(aid).note == []


def test_save_marks_clean_and_reloads(session: Session) -> None:
    aid = session.annotate((paragraph(session.doc), 0, paragraph(session.doc), 5), "gl-comment")
    assert session.is_dirty()
    session.save()
    assert not session.is_dirty()
    again = tei.load(session.path)
    assert again.annotation(aid).category == "gl-comment"
    assert again.annotation(aid).annotator_name == "Test Historian"


def _reopened(session: Session) -> Session:
    """Save, then open the saved file in a fresh session (the file now has a standOff)."""
    session.save()
    fresh = Session(tei.load(session.path), session.path)
    fresh.set_identity("Test Historian", "0000-0002-1825-0097")
    fresh.clock = lambda: FROZEN
    return fresh


def test_autosaves_never_change_what_undo_returns_to(session: Session) -> None:
    p = paragraph(session.doc)
    session.annotate((p, 0, p, 5), "gl-comment")
    session = _reopened(session)
    on_disk = Path(session.path).read_bytes()
    tree_before = tei.document.etree.tostring(session.doc.root)
    session.annotate((p, 10, p, 20), "gl-bias")
    session.to_bytes()  # the recovery copy
    session.to_bytes()
    session.undo_stack.undo()
    assert session.undo_stack.isClean()
    assert session.to_bytes(WHEN) == on_disk
    assert tei.document.etree.tostring(session.doc.root) == tree_before


def test_serialising_leaves_the_tree_as_it_was(session: Session) -> None:
    p = paragraph(session.doc)
    session.annotate((p, 0, p, 5), "gl-comment")
    tree = tei.document.etree.tostring(session.doc.root)
    session.to_bytes()
    session.save()
    assert tei.document.etree.tostring(session.doc.root) == tree


def test_a_refused_annotation_changes_nothing(session: Session) -> None:
    on_disk = Path(session.path).read_bytes()
    tree = tei.document.etree.tostring(session.doc.root)
    with pytest.raises(tei.AnnotationError, match="run forward"):
        session.annotate(into_own_footnote(session.doc), "gl-comment")
    assert session.to_bytes(WHEN) == on_disk
    assert tei.document.etree.tostring(session.doc.root) == tree
    assert session.undo_stack.count() == 0 and not session.is_dirty()
    assert session.existing_person_id() == ""


def test_a_failed_source_edit_or_addition_changes_nothing(session: Session) -> None:
    sid = session.add_source({"author": "Smith", "title": "Aid"})
    before = session.to_bytes(WHEN)
    for bad in ({"author": "Sm\x00ith"}, {"title": "Aid\ud800"}):
        with pytest.raises(tei.AnnotationError):
            session.edit_source(sid, bad)
        with pytest.raises(tei.AnnotationError):
            session.add_source(bad)
        assert session.to_bytes(WHEN) == before
    assert session.undo_stack.count() == 1


def test_undo_takes_back_an_orcid_added_to_a_known_annotator(session: Session) -> None:
    p = paragraph(session.doc)
    session.set_identity("Test Historian")
    session.annotate((p, 0, p, 5), "gl-comment")
    session = _reopened(session)
    on_disk = Path(session.path).read_bytes()
    session.set_identity("Test Historian", "0000-0002-1825-0097")  # the ORCID is set in the preferences
    aid = session.annotate((p, 10, p, 20), "gl-bias")
    session.edit_annotation(aid, "note", lambda a: setattr(a, "note", ["x"]))
    with_orcid = session.to_bytes(WHEN)
    assert b"0000-0002-1825-0097" in with_orcid
    session.undo_stack.undo()
    session.undo_stack.undo()
    assert session.to_bytes(WHEN) == on_disk
    session.undo_stack.redo()
    session.undo_stack.redo()
    assert session.to_bytes(WHEN) == with_orcid


def test_an_edit_that_changes_nothing_is_no_step_when_the_root_declares_namespaces(
        sample_copy: Path, qapp) -> None:  # noqa: ANN001  # fmt: skip
    data = sample_copy.read_bytes().replace(
        b'<TEI xmlns="http://www.tei-c.org/ns/1.0">',
        b'<TEI xmlns="http://www.tei-c.org/ns/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">')
    sample_copy.write_bytes(data)
    session = Session(tei.load(str(sample_copy)), str(sample_copy))
    session.set_identity("Test Historian")
    p = paragraph(session.doc)
    aid = session.annotate((p, 0, p, 5), "gl-comment")
    before = session.to_bytes(WHEN)
    session.edit_annotation(aid, "note", lambda a: setattr(a, "note", []))
    assert session.undo_stack.count() == 1
    assert session.to_bytes(WHEN) == before
