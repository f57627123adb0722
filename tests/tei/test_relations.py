"""Evidence links (``tei.relations``): stored as TEI ``<relation>``s, resolved across files, every
problem with the other end reported, deletions kept consistent, saves byte-faithful."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from lxml import etree

import tei
from tei import ns
from tei import relations as R
from tests.conftest import DATA

MINIMAL = DATA / "tei" / "minimal.xml"


@pytest.fixture
def pair(tmp_path: Path) -> tuple[tei.TeiDocument, tei.TeiDocument, str, str]:
    """A claim in a.xml, an annotation in sources/b.xml (saved); returns docs and their ids."""
    (tmp_path / "sources").mkdir()
    shutil.copyfile(MINIMAL, tmp_path / "a.xml")
    shutil.copyfile(MINIMAL, tmp_path / "sources" / "b.xml")
    a, b = tei.load(tmp_path / "a.xml"), tei.load(tmp_path / "sources" / "b.xml")
    claim = a.add_annotation(a.find("40,000 men"), "gl-figure")
    other = b.add_annotation(b.find("$ 500 million"), "gl-comment")
    b.save()
    a.save()
    return a, b, claim.id, other.id


def test_a_link_is_stored_as_a_tei_relation_in_our_standoff(pair) -> None:
    a, b, claim, other = pair
    who = a.ensure_annotator("Jane Historian")
    passive = R.passive_uri(a.path, b.path, other)
    assert passive == f"sources/b.xml#{other}"
    rel = R.add_relation(a, claim, passive, "contradicts", certainty="medium", note="Another figure.",
                         resp=who)  # fmt: skip
    assert rel.id.startswith("gl-r-") and len(rel.id) == len("gl-r-") + 10
    el = etree.fromstring(a.to_bytes()).find(f".//{ns.qn('standOff')}/{ns.qn('listRelation')}/{ns.qn('relation')}")
    assert dict(el.attrib) == {ns.XML_ID: rel.id, "name": "contradicts", "active": f"#{claim}",
                               "passive": passive, "cert": "medium", "resp": f"#{who}"}  # fmt: skip
    assert [("".join(c.itertext()), c.tag) for c in el] == [("Another figure.", ns.qn("desc"))]
    assert [r.id for r in R.relations(a, claim)] == [rel.id]
    assert R.relations(a, "gl-a-nothing") == []


def test_add_edit_remove(pair) -> None:
    a, b, claim, other = pair
    rel = R.add_relation(a, claim, f"sources/b.xml#{other}", "corroborates")
    assert (rel.name, rel.certainty, rel.note) == ("corroborates", "unknown", "")
    R.edit_relation(a, rel.id, name="alternative-value", certainty="low", note="Counts credits only.")
    rel = R.relation(a, rel.id)
    assert (rel.name, rel.certainty, rel.note) == ("alternative-value", "low", "Counts credits only.")
    R.edit_relation(a, rel.id, note="")
    assert rel.element.find(ns.qn("desc")) is None
    with pytest.raises(tei.AnnotationError):
        R.edit_relation(a, rel.id, name="agrees")
    with pytest.raises(tei.AnnotationError):
        R.add_relation(a, claim, "#" + claim, "qualifies")  # itself
    with pytest.raises(tei.AnnotationError):
        R.add_relation(a, "gl-a-none", f"b.xml#{other}", "qualifies")
    with pytest.raises(tei.AnnotationError):
        R.add_relation(a, claim, "b.xml", "qualifies")  # no id or pointer
    before = a.to_bytes()
    gone = R.remove_relation(a, rel.id)
    assert R.relations(a) == [] and a.standoff().find(R.LIST_RELATION) is None
    gone.restore(a)
    assert a.to_bytes() == before


def test_resolves_in_this_document_and_in_another_file(pair) -> None:
    a, b, claim, other = pair
    second = a.add_annotation(a.find("$ 500 million"), "gl-comment")
    here = R.add_relation(a, claim, "#" + second.id, "qualifies")
    there = R.add_relation(a, claim, f"sources/b.xml#{other}", "contradicts")
    span = R.add_relation(a, claim, "sources/b.xml#string-range(p1,3,4)", "alternative-value",
                          quote_text="1850")  # fmt: skip
    got = R.resolve(here)
    assert (got.status, got.file, got.found, got.annotation.id) == ("ok", "", "$ 500 million", second.id)
    got = R.resolve(there)
    assert (got.status, got.file, got.quote, got.annotation.id) == ("ok", "sources/b.xml", "$ 500 million", other)
    assert got.path == str(Path(b.path).resolve())
    got = R.resolve(span)
    assert (got.status, got.found, got.annotation) == ("ok", "1850", None)


def test_a_missing_file_a_missing_id_and_a_changed_passage_are_reported(pair, tmp_path: Path) -> None:
    a, b, claim, other = pair
    no_id = R.add_relation(a, claim, "sources/b.xml#gl-a-gone000000", "contradicts")
    no_file = R.add_relation(a, claim, "elsewhere/c.xml#x", "contradicts")
    span = R.add_relation(a, claim, "sources/b.xml#string-range(p1,3,4)", "qualifies", quote_text="1850")
    ann = R.add_relation(a, claim, f"sources/b.xml#{other}", "corroborates")
    assert R.resolve(no_file).status == "missing-file"
    assert R.resolve(no_file).message == "c.xml not found"
    assert R.resolve(no_id).status == "missing-id" and "gl-a-gone000000" in R.resolve(no_id).message
    # another program edits b.xml: the paragraph's text changes under both pointers
    path = Path(b.path)
    path.write_bytes(path.read_bytes().replace(b"In 1850 the army", b"In 1861 the army").replace(
        b"<hi rend=\"italic\">$ 500 million</hi>", b"<hi rend=\"italic\">$ 300 million</hi>"))  # fmt: skip
    got = R.resolve(span)
    assert (got.status, got.message, got.quote, got.found) == ("changed", "passage changed", "1850", "1861")
    got = R.resolve(ann)
    assert (got.status, got.quote, got.found) == ("changed", "$ 500 million", "$ 300 million")
    path.unlink()
    assert R.resolve(ann).status == "missing-file" and R.resolve(ann).message == "b.xml not found"
    assert len(R.relations(a, claim)) == 4  # reported, never dropped


def test_a_document_open_elsewhere_is_used_instead_of_its_file(pair) -> None:
    a, b, claim, _ = pair
    fresh = b.add_annotation(b.find("It was repaid"), "gl-question")  # not saved yet
    rel = R.add_relation(a, claim, f"sources/b.xml#{fresh.id}", "qualifies")
    assert R.resolve(rel).status == "missing-id"
    got = R.resolve(rel, {str(Path(b.path).resolve()): b})
    assert (got.status, got.found) == ("ok", "It was repaid")


def test_deleting_an_end_takes_its_links_and_restoring_brings_them_back(pair) -> None:
    a, _b, claim, other = pair
    second = a.add_annotation(a.find("It was repaid"), "gl-comment")
    third = a.add_annotation(a.find("the report"), "gl-comment")
    r1 = R.add_relation(a, claim, f"sources/b.xml#{other}", "contradicts")
    r2 = R.add_relation(a, third.id, "#" + second.id, "corroborates")
    r3 = R.add_relation(a, second.id, "#" + claim, "qualifies")
    a.save()
    saved = Path(a.path).read_bytes()
    removed = a.remove_annotation(claim)
    assert [r.id for r in R.relations(a)] == [r2.id]  # r1 (active) and r3 (passive) went with it
    a.restore_annotation(removed)
    assert [r.id for r in R.relations(a)] == [r1.id, r2.id, r3.id]
    assert a.to_bytes() == saved
    for ann_id in (second.id, third.id, claim):  # the last one empties everything
        a.remove_annotation(ann_id)
    assert a.standoff() is None
    assert b"listRelation" not in a.to_bytes()


def test_save_and_reload_are_byte_faithful(pair, tmp_path: Path) -> None:
    a, _b, claim, other = pair
    original = Path(a.path).read_bytes()
    rel = R.add_relation(a, claim, f"sources/b.xml#{other}", "contradicts", certainty="high", note="x & y")
    a.save()
    out = Path(a.path).read_bytes()
    cut = out.index(b"    <listRelation>")
    end = out.index(b"</listRelation>\n") + len(b"</listRelation>\n")
    assert out[:cut] + out[end:] == original  # only the list of links was added
    again = tei.load(a.path)
    assert again.to_bytes() == out  # opening and saving changes nothing
    got = R.resolve(R.relation(again, rel.id))
    assert (got.status, R.relation(again, rel.id).note) == ("ok", "x & y")
    R.edit_relation(again, rel.id, certainty="low")
    edited = again.to_bytes()
    assert edited != out

    def without_changes(data: bytes) -> bytes:
        return re.sub(rb"<change when=[^>]*>Glossator [^<]*</change>\s*", b"", data)

    assert without_changes(edited).replace(b'cert="low"', b'cert="high"') == without_changes(out)


def test_links_are_valid_tei(pair, tei_all_schema) -> None:
    a, _b, claim, other = pair
    R.add_relation(a, claim, f"sources/b.xml#{other}", "contradicts", certainty="medium", note="A note.",
                   resp=a.ensure_annotator("Jane"))  # fmt: skip
    R.add_relation(a, claim, "sources/b.xml#string-range(p1,3,4)", "alternative-value", quote_text="1850",
                   note="Another year.")  # fmt: skip
    R.add_relation(a, claim, "my%20notes/c.xml#gl-a-0000000000", "qualifies")
    out = tei.TeiDocument.from_bytes(a.to_bytes())
    assert tei_all_schema.validate(out.tree), tei_all_schema.error_log
    rel = R.relations(out)[1]
    assert (rel.quote, rel.note) == ("1850", "Another year.")
    assert R.relations(out)[2].other_file == "my notes/c.xml"


def test_relative_uri_escapes_what_a_uri_cannot_hold(tmp_path: Path) -> None:
    assert R.relative_uri(str(tmp_path / "a.xml"), str(tmp_path / "my notes" / "b c.xml")) == "my%20notes/b%20c.xml"
    assert R.relative_uri(str(tmp_path / "x" / "a.xml"), str(tmp_path / "b.xml")) == "../b.xml"


def test_an_annotation_restored_under_a_fresh_id_keeps_its_links(pair) -> None:
    a, _b, claim, other = pair
    rel = R.add_relation(a, claim, f"sources/b.xml#{other}", "contradicts")
    removed = a.remove_annotation(claim)
    squatter = a.add_annotation(a.find("the report"), "gl-comment")
    squatter.element.set(ns.XML_ID, claim)  # another element takes the id meanwhile (a merge, a script)
    a.unregister_ids(squatter.element)
    a.register_ids(squatter.element)
    back = a.restore_annotation(removed)
    assert back.id != claim
    assert R.relation(a, rel.id).active == f"#{back.id}"

