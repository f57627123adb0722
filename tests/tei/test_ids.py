"""Ids Glossator mints: unique without coordination, never reused, never duplicated (docs/ids.md)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from lxml import etree

import tei
from tei import ns
from tei.validate import validate
from tests.conftest import DATA

MINIMAL = DATA / "tei" / "minimal.xml"
NEW_ID = re.compile(r"[A-Za-z_][\w.-]*-[0-9abcdefghjkmnpqrstvwxyz]{10}")
HEADER = ('<teiHeader><fileDesc><titleStmt><title>t</title></titleStmt><publicationStmt><p>x</p>'
          "</publicationStmt><sourceDesc><p>y</p></sourceDesc></fileDesc></teiHeader>")  # fmt: skip
#: Paragraphs without ids holding footnotes without ids, and a word with an id (issue 15).
NOTES = (f'<TEI xmlns="{ns.TEI}">{HEADER}<text><body>\n'
         '<p>The army numbered<note place="foot">Counted by the staff in May.</note> forty '
         'thousand <w xml:id="w1">men</w> that spring.</p>\n'
         '<p>The navy numbered<note place="foot">Counted by the admiralty later.</note> ten '
         "thousand sailors that summer.</p>\n</body></text></TEI>\n")  # fmt: skip


def block(doc: tei.TeiDocument, text: str) -> int:
    """Return the index of the first block whose reading text starts with ``text``."""
    return next(i for i, b in enumerate(doc.text.blocks) if b.reading.startswith(text))


def annotate(doc: tei.TeiDocument, text: str, category: str = "gl-comment") -> tei.Annotation:
    b = block(doc, text)
    return doc.add_annotation(doc.target_for(b, 0, b, 5), category)


def undo_add(doc: tei.TeiDocument, ann: tei.Annotation, ids_before: dict) -> None:
    """Undo an :meth:`add_annotation` as the app's undo does (remove it, drop the ids it added)."""
    doc.remove_annotation(ann.id)
    for el in set(doc.added_ids()) - set(ids_before):
        doc.drop_added_id(el)


def duplicates(doc: tei.TeiDocument) -> list[str]:
    fresh = tei.TeiDocument.from_bytes(doc.to_bytes())
    return sorted(k for k, els in fresh.ids().items() if len(els) > 1)


def test_100k_new_ids_are_unique_valid_ncnames() -> None:
    doc = tei.load(str(MINIMAL))
    made = [doc.new_id("gl-a") for _ in range(100_000)]
    assert len(set(made)) == len(made)
    assert all(NEW_ID.fullmatch(i) and i.startswith("gl-a-") for i in made)


def test_two_copies_of_a_file_never_mint_the_same_annotation_or_source_id() -> None:
    one, two = tei.load(str(MINIMAL)), tei.load(str(MINIMAL))
    b = block(one, "")
    a1 = one.add_annotation(one.target_for(b, 0, b, 4), "gl-comment")
    a2 = two.add_annotation(two.target_for(b, 0, b, 4), "gl-comment")
    assert a1.id != a2.id and NEW_ID.fullmatch(a1.id) and NEW_ID.fullmatch(a2.id)
    assert one.add_source(author="Smith", title="T") != two.add_source(author="Smith", title="T")


def test_two_copies_name_the_same_element_and_the_same_annotator_alike() -> None:
    """Anchors and persons are derived ids: copies that anchor on one paragraph agree (merge)."""
    one, two = (tei.TeiDocument.from_bytes(NOTES.encode()) for _ in range(2))
    annotate(one, "The army")
    annotate(two, "The army")
    annotate(two, "The navy")
    p_one = one.text.blocks[block(one, "The army")].element.get(ns.XML_ID)
    p_two = two.text.blocks[block(two, "The army")].element.get(ns.XML_ID)
    navy = two.text.blocks[block(two, "The navy")].element.get(ns.XML_ID)
    assert p_one == p_two and re.fullmatch(r"gl-p-[0-9a-z]{10}", p_one) and navy != p_one
    assert one.ensure_annotator("Jane Historian") == two.ensure_annotator("Jane Historian")
    assert one.ensure_annotator("Jane Historian") != one.ensure_annotator("John Critic")


def test_a_removed_id_is_not_handed_out_again_after_save_and_reload(tmp_path: Path) -> None:
    path = tmp_path / "d.xml"
    path.write_bytes(MINIMAL.read_bytes())
    doc = tei.load(str(path))
    removed = {annotate(doc, "").id for _ in range(3)}
    doc.save()
    doc = tei.load(str(path))
    for ann_id in removed:
        doc.remove_annotation(ann_id)
    doc.save()
    doc = tei.load(str(path))
    made = {annotate(doc, "").id for _ in range(200)}
    assert not made & removed and len(made) == 200


def test_old_style_ids_open_keep_their_ids_and_save_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "old.xml"
    old = tei.load(str(MINIMAL))
    for _ in range(3):
        annotate(old, "")
    data = old.to_bytes(who="gl-person-1")
    for n, ann in enumerate(old.annotations(), 1):  # as Glossator 0.1 named them
        data = data.replace(ann.id.encode(), f"gl-a{n}".encode())
    p_id = old.text.blocks[block(old, "")].element.get(ns.XML_ID)
    data = data.replace(p_id.encode(), b"gl-p1")
    path.write_bytes(data)

    doc = tei.load(str(path))
    assert [a.id for a in doc.annotations()] == ["gl-a1", "gl-a2", "gl-a3"]
    assert doc.to_bytes() == data
    doc.save()
    assert path.read_bytes() == data
    doc.remove_annotation("gl-a3")
    again = annotate(doc, "")
    assert NEW_ID.fullmatch(again.id) and again.id != "gl-a3"
    assert again.target.startswith("#string-range(gl-p1,")  # the old anchor is reused
    doc.save()
    kept = tei.load(str(path))
    assert [a.id for a in kept.annotations()] == ["gl-a1", "gl-a2", again.id]
    assert not duplicates(kept)


def test_restore_gets_a_fresh_id_when_its_id_was_taken(caplog: pytest.LogCaptureFixture) -> None:
    doc = tei.load(str(MINIMAL))
    ann = annotate(doc, "")
    ann.note = ["Keep me."]
    old_id = ann.id
    assert doc.restore_annotation(doc.remove_annotation(old_id)).id == old_id  # free: kept
    removed = doc.remove_annotation(old_id)
    other = annotate(doc, "", "gl-question")  # an undo or recovery replay gave it the same id
    other.element.set(ns.XML_ID, old_id)
    doc.register_ids(other.element)
    with caplog.at_level(logging.WARNING, logger="tei.document"):
        back = doc.restore_annotation(removed)
    assert back.id != old_id and NEW_ID.fullmatch(back.id)
    assert back.note == ["Keep me."] and doc.annotation(back.id).element is back.element
    assert doc.annotation(old_id).element is other.element
    assert not duplicates(doc)
    assert f"{old_id} restored as {back.id}" in caplog.text


def test_undoing_an_annotation_on_a_paragraph_keeps_the_ids_inside_it(tmp_path: Path) -> None:
    """Issue 15: annotate a footnote, save, reopen, annotate its paragraph, undo, annotate the
    next footnote: the index still knows the first note's id and no id is duplicated."""
    path = tmp_path / "notes.xml"
    path.write_text(NOTES, encoding="utf-8")
    doc = tei.load(str(path))
    annotate(doc, "Counted by the staff")
    doc.save()
    doc = tei.load(str(path))
    note = doc.text.blocks[block(doc, "Counted by the staff")].element
    note_id = note.get(ns.XML_ID)
    before = doc.added_ids()
    para = annotate(doc, "The army")
    undo_add(doc, para, before)
    assert doc.element_by_id(note_id) is note and doc.element_by_id("w1") is not None
    second = annotate(doc, "Counted by the admiralty")
    assert not duplicates(doc)
    doc.save()
    report = validate(tei.load(str(path)))
    assert report.ok and "duplicate-id" not in report.codes(), report.format_text()
    again = tei.load(str(path))
    for ann in again.annotations():
        assert again.resolve(ann.target)[0].ok
    assert again.annotation(second.id).quote == "Count"


def test_the_first_taxonomy_edit_puts_its_ids_in_the_index() -> None:
    doc = tei.load(str(MINIMAL))
    assert doc.element_by_id("gl-bias") is None  # the index is built before the edit
    tax, added = doc.materialize_taxonomy()
    assert added and doc.element_by_id("gl-bias") is tax.find(f"{ns.qn('category')}")
    assert doc.element_by_id("gl-bias-loaded-language") is not None


def test_id_counts_follow_every_change_of_ids() -> None:
    doc = tei.TeiDocument.from_bytes(
        b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader/><text><body>'
        b'<p xml:id="a">one two</p><p xml:id="a">three four</p></body></text></TEI>'
    )
    assert any("used more than once (a)" in w for w in doc.warnings)
    assert doc.id_counts() == {"a": 2}
    doc.id_counts()["a"] = 7  # the caller's copy
    assert doc.id_counts() == {"a": 2}
    ann = doc.add_annotation(doc.target_for(1, 0, 1, 5), "gl-comment")
    counts = doc.id_counts()
    assert counts[ann.id] == 1 and counts["a"] == 2
    doc.remove_annotation(ann.id)
    assert ann.id not in doc.id_counts()
    other = tei.TeiDocument.from_bytes(doc.to_bytes())
    assert other.id_counts()["a"] == 2
    body = other.root.find(".//{http://www.tei-c.org/ns/1.0}body")
    p = etree.SubElement(body, "{http://www.tei-c.org/ns/1.0}p", {"{http://www.w3.org/XML/1998/namespace}id": "b"})
    other.register_ids(p)
    assert other.id_counts()["b"] == 1
    body.remove(p)
    other.unregister_ids(p)
    assert "b" not in other.id_counts()
