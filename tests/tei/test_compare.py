"""Comparing my annotations with another scholar's copy (``tei.compare``): matched by id, then by
passage and category; same, changed (which fields, before and after), only in mine, only in
theirs; a copy whose text differs slightly; adopting theirs, keeping both, adopting all."""

from __future__ import annotations

import pytest

import tei
from tei.annotations import SourceLink
from tei.compare import adopt, adopt_missing, compare, keep_both, place_theirs
from tei.merge import DISAGREEMENT
from tests.tei.test_agreement import HEAD, TEXT

TEI = "{http://www.tei-c.org/ns/1.0}"
BASE = (HEAD + TEXT + "</p></body></text></TEI>").encode()


def doc_of(data: bytes = BASE) -> tei.TeiDocument:
    return tei.TeiDocument.from_bytes(data)


def again(doc: tei.TeiDocument) -> tei.TeiDocument:
    """The document as saved and read back."""
    return tei.TeiDocument.from_bytes(doc.to_bytes(who="", when="2026-01-01T00:00:00Z"))


def add(doc: tei.TeiDocument, who: str, cat: str, start: int, end: int, note: str = "") -> str:
    ann = doc.add_annotation(doc.target_for(0, start, 0, end), cat, annotator=doc.ensure_annotator(who))
    if note:
        ann.note = [note]
    return ann.id


def pair() -> tuple[tei.TeiDocument, tei.TeiDocument, dict[str, str]]:
    """Ann's copy and Ben's, from one annotated ancestor: a shared annotation Ben changed, one
    both made separately on the same passage, one only Ann has, one only Ben has."""
    base = doc_of()
    ids = {"shared": add(base, "Ann", "gl-comment", 0, 9, "first word"),
           "untouched": add(base, "Ann", "gl-question", 90, 99)}  # fmt: skip
    mine, theirs = again(base), again(base)
    ids["mine_bravo"] = add(mine, "Ann", "gl-bias", 10, 19, "Ann's reading")
    ids["theirs_bravo"] = add(theirs, "Ben", "gl-bias", 12, 17, "Ben's reading")
    ids["only_mine"] = add(mine, "Ann", "gl-comment", 30, 39)
    ids["only_theirs"] = add(theirs, "Ben", "gl-question", 50, 59, "why foxtrot?")
    changed = theirs.annotation(ids["shared"])
    changed.certainty = "high"
    changed.note = ["the first word, surely"]
    return again(mine), again(theirs), ids


def kinds(cmp) -> dict[str, str]:  # noqa: ANN001
    return {(d.mine_id or d.theirs_id): d.kind for d in cmp.differences}


def test_matched_by_id_then_by_passage_and_category() -> None:
    mine, theirs, ids = pair()
    cmp = compare(mine, theirs)
    assert not cmp.text_differs
    found = kinds(cmp)
    assert found == {ids["shared"]: "changed", ids["untouched"]: "same", ids["mine_bravo"]: "changed",
                     ids["only_mine"]: "mine", ids["only_theirs"]: "theirs"}  # fmt: skip
    shared = cmp.find(mine_id=ids["shared"])
    assert shared.matched_by == "id" and shared.theirs_id == ids["shared"]
    changes = {c.name: (c.mine, c.theirs) for c in shared.changes}
    assert changes == {"certainty": ("unknown", "high"), "note": ("first word", "the first word, surely")}
    bravo = cmp.find(mine_id=ids["mine_bravo"])
    assert bravo.matched_by == "passage" and bravo.theirs_id == ids["theirs_bravo"]
    assert [c.name for c in bravo.changes] == ["passage", "note"]  # the annotator is no difference
    assert bravo.mine.fields["annotator"] == "Ann" and bravo.theirs.fields["annotator"] == "Ben"
    assert [d.kind for d in cmp.differences][:3] == ["changed", "changed", "mine"]  # reading order
    assert "2 changed, 1 only in theirs, 1 only in mine, 1 the same" in cmp.summary()


def test_a_different_category_on_the_same_passage_is_not_a_match() -> None:
    mine, theirs = doc_of(), doc_of()
    a = add(mine, "Ann", "gl-comment", 0, 9)
    b = add(theirs, "Ben", "gl-question", 0, 9)
    found = kinds(compare(mine, theirs))
    assert found == {a: "mine", b: "theirs"}


def test_a_copy_whose_text_differs_is_matched_by_quote() -> None:
    mine, theirs = doc_of(), doc_of(BASE.replace(b"alphaxxxx ", b"alphaxxxx inserted "))
    a = add(mine, "Ann", "gl-comment", 20, 29, "mine")  # charliexx
    b = add(theirs, "Ben", "gl-comment", 29, 38, "theirs")  # charliexx, 9 characters later there
    c = add(theirs, "Ben", "gl-question", 39, 48)  # deltaxxxx
    cmp = compare(mine, theirs)
    assert cmp.text_differs and "found again by quote" in cmp.summary()
    d = cmp.find(mine_id=a)
    assert d.kind == "changed" and d.theirs_id == b and [x.name for x in d.changes] == ["note"]
    only = cmp.find(theirs_id=c)
    assert only.kind == "theirs" and only.placed == "moved" and only.theirs.quote == "deltaxxxx"
    new = adopt(mine, cmp, only)
    res = mine.resolve(mine.annotation(new).target)[0]
    assert mine.quote_for(res.start, res.end)[0] == "deltaxxxx"  # placed on my text


def test_adopting_theirs_changes_my_annotation_and_adds_theirs_with_its_annotator() -> None:
    mine, theirs, ids = pair()
    cmp = compare(mine, theirs)
    before = mine.annotation(ids["shared"]).element.find(f"{TEI}revisionDesc")
    adopt(mine, cmp, cmp.find(mine_id=ids["shared"]))
    shared = mine.annotation(ids["shared"])
    assert shared.certainty == "high" and shared.note == ["the first word, surely"]
    assert shared.annotator_name == "Ann" and shared.element.find(f"{TEI}revisionDesc") is not None
    assert before is not None
    adopt(mine, cmp, cmp.find(mine_id=ids["mine_bravo"]))  # their passage and note
    bravo = mine.annotation(ids["mine_bravo"])
    assert bravo.quote == "avoxx" and bravo.note == ["Ben's reading"] and bravo.annotator_name == "Ann"
    new = adopt(mine, cmp, cmp.find(theirs_id=ids["only_theirs"]))
    assert new == ids["only_theirs"]  # its id was free here
    added = mine.annotation(new)
    assert mine.annotators()[added.annotator] == "Ben" and added.note == ["why foxtrot?"]
    assert added.quote == "foxtrotxx"
    saved = again(mine)
    after = kinds(compare(saved, theirs))
    assert after[ids["shared"]] == after[ids["only_theirs"]] == after[ids["mine_bravo"]] == "same"
    with pytest.raises(tei.AnnotationError):
        adopt(mine, cmp, cmp.find(mine_id=ids["only_mine"]))


def test_keeping_both_adds_theirs_as_a_disagreement_the_agreement_panel_lists() -> None:
    mine, theirs, ids = pair()
    cmp = compare(mine, theirs)
    new = keep_both(mine, cmp, cmp.find(mine_id=ids["shared"]))
    saved = again(mine)
    notes = {a.id: a.element.find(f"{TEI}note[@type='{DISAGREEMENT}']") for a in saved.annotations()}
    assert notes[ids["shared"]].get("corresp") == "#" + new and notes[new].get("corresp") == "#" + ids["shared"]
    assert notes[new].text.endswith("changed certainty, note differently")
    assert saved.annotation(new).note == ["the first word, surely"] and saved.annotation(new).certainty == "high"
    assert saved.annotation(ids["shared"]).note == ["first word"]
    after = kinds(compare(saved, theirs))
    assert after[ids["shared"]] == "both" and after[new] == "both"


def test_adopting_all_missing_brings_their_categories_and_sources() -> None:
    mine, theirs, ids = pair()
    tax, _ = theirs.materialize_taxonomy()
    tax.append(theirs.taxonomy.new_category_element("gl-dating", "Dating"))
    theirs.register_ids(tax)
    theirs.taxonomy.invalidate()
    dating = add(theirs, "Ben", "gl-dating", 70, 79)
    sid = theirs.add_source(author="Ivanov", title="Soviet advisers", date="1960")
    theirs.annotation(ids["only_theirs"]).source_link = SourceLink(source=sid, relation="corroborates")
    theirs = again(theirs)
    cmp = compare(mine, theirs)
    assert "gl-dating" not in mine.taxonomy.categories
    added = adopt_missing(mine, cmp)
    assert added == [ids["only_theirs"], dating]
    assert mine.annotation(added[0]).cited_sources() == [sid] and mine.element_by_id(sid) is not None
    assert mine.taxonomy.label("gl-dating") == "Dating" and mine.annotation(dating).category == "gl-dating"
    after = compare(again(mine), theirs).counts()
    assert after["theirs"] == 0 and after["same"] == 3  # the two added and the one untouched


def test_a_copy_of_the_document_itself_is_all_the_same() -> None:
    mine, _, _ = pair()
    cmp = compare(mine, again(mine))
    assert {d.kind for d in cmp.differences} == {"same"}
    placed, report = place_theirs(mine, mine)
    assert len(placed.annotations()) == len(mine.annotations()) and report.counts()["kept"] == len(report.items)


def test_a_kept_cache_sees_every_change_and_relabelled_category() -> None:
    mine, theirs, ids = pair()
    placed, placing = place_theirs(mine, theirs)
    cache: dict = {}
    first = compare(mine, placed, placing, cache=cache)
    assert first.find(mine_id=ids["untouched"]).kind == "same" and cache
    mine.annotation(ids["untouched"]).certainty = "low"
    tax, _ = mine.materialize_taxonomy()
    tax.find(f".//{TEI}category[@{{http://www.w3.org/XML/1998/namespace}}id='gl-comment']/{TEI}catDesc").text = "Remark"
    mine.taxonomy.invalidate()
    again_ = compare(mine, placed, placing, cache=cache)
    changed = again_.find(mine_id=ids["untouched"])
    assert changed.kind == "changed" and [(c.name, c.mine, c.theirs) for c in changed.changes] == [
        ("certainty", "low", "unknown")]
    assert again_.find(mine_id=ids["only_mine"]).mine.label == "Remark"
    assert [(d.kind, d.mine_id, d.theirs_id) for d in again_.differences] == [
        (d.kind, d.mine_id, d.theirs_id) for d in compare(mine, placed, placing).differences]
