"""Carrying unsaved annotations onto a file another program changed (``tei.anchoring.reapply``)."""

from __future__ import annotations

import tei
from tei.anchoring import fingerprints, reapply

XML = ('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>T</title>'
       '</titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc>'
       '</teiHeader><text><body><p xml:id="p1">The quick brown fox jumps over the lazy dog.</p>'
       '<p xml:id="p2">A second paragraph with other words.</p></body></text></TEI>')  # fmt: skip


def _doc(xml: str = XML) -> tei.TeiDocument:
    return tei.TeiDocument.from_bytes(xml.encode())


def _add(doc: tei.TeiDocument, block: int, r0: int, r1: int, note: str) -> str:
    pid = doc.ensure_annotator("Reader")
    ann = doc.add_annotation(doc.target_for(block, r0, block, r1), "gl-comment", annotator=pid)
    ann.note = [note]
    return ann.id


def _quote(doc: tei.TeiDocument, ann_id: str) -> str:
    res = doc.resolve(doc.annotation(ann_id).target)[0]
    return doc.quote_for(res.start, res.end)[0] if res.ok else ""


def test_moved_text_is_found_by_its_quote_and_their_annotations_stay() -> None:
    mine = _doc()
    base = fingerprints(mine)
    fox = _add(mine, 0, 16, 19, "a fox")  # "fox"
    theirs = _doc(XML.replace("The quick", "Then the very quick"))
    their_note = _add(theirs, 1, 2, 8, "theirs")  # saved by another window
    report = reapply(theirs, mine, base)
    fox = report.renamed.get(fox, fox)  # both windows made "gl-a1": ours gets a new id
    assert report.moved == [fox] and not report.unplaced
    assert _quote(theirs, fox) == "fox" and theirs.annotation(fox).note == ["a fox"]
    assert theirs.annotation(their_note).note == ["theirs"]


def test_unplaceable_annotations_are_kept_and_listed() -> None:
    mine = _doc()
    base = fingerprints(mine)
    dog = _add(mine, 0, 40, 43, "the dog")
    theirs = _doc(XML.replace("lazy dog", "sleeping cat"))
    report = reapply(theirs, mine, base)
    assert [u[0] for u in report.unplaced] == [dog] and report.unplaced[0][1] == "dog"
    assert theirs.annotation(dog).note == ["the dog"]
    assert "could not be placed" in report.summary() and "“dog”" in report.summary()


def test_same_id_on_both_sides_keeps_both_and_deletions_are_repeated() -> None:
    start = _doc()
    old = _add(start, 1, 0, 8, "old note")
    data = start.to_bytes()
    mine, theirs = tei.TeiDocument.from_bytes(data), tei.TeiDocument.from_bytes(data)
    base = fingerprints(mine)
    new_mine = _add(mine, 0, 4, 9, "mine")
    new_theirs = _add(theirs, 0, 10, 15, "theirs")
    assert new_mine == new_theirs  # two windows, one next id
    mine.remove_annotation(old)  # deleted here, untouched there
    report = reapply(theirs, mine, base)
    assert report.renamed and report.deleted == [old]
    notes = sorted(a.note[0] for a in theirs.annotations())
    assert notes == ["mine", "theirs"]
    assert len({a.id for a in theirs.annotations()}) == 2
    assert tei.TeiDocument.from_bytes(theirs.to_bytes()).annotation(report.renamed[new_mine]).note == ["mine"]


def test_without_a_base_nothing_of_theirs_is_removed() -> None:
    mine = _doc()
    _add(mine, 0, 4, 9, "mine")
    theirs = _doc()
    kept = _add(theirs, 1, 0, 8, "theirs")
    report = reapply(theirs, mine, None)
    assert report.renamed  # same id, unknown history: both kept
    assert theirs.annotation(kept).note == ["theirs"] and len(theirs.annotations()) == 2
