"""Finding annotations again in place after another program edited the text of their file
(``tei.anchoring.repair``), and Web Annotation import through the same cascade."""

from __future__ import annotations

import pytest

import tei
from tei.anchoring import check_quotes, find_again, repair
from tei.webanno import import_webanno
from tests.tei.test_reanchor import PARAS, SPANS, _annotated, _shows


def _edited_outside(doc: tei.TeiDocument, old: str, new: str) -> tei.TeiDocument:
    """Return ``doc`` as saved, then changed by another program: ``old`` text replaced once."""
    data = doc.to_bytes().decode()
    body = data.index("<body>")
    end = data.index("</body>")
    assert data.count(old, body, end) == 1, old
    at = data.index(old, body)
    return tei.TeiDocument.from_bytes((data[:at] + new + data[at + len(old) :]).encode())


def test_text_inserted_before_in_the_same_paragraph_moves_the_annotation_back_onto_its_quote() -> None:
    doc, ids = _annotated()
    b, s, e = SPANS[3]  # paragraph 1, 30..54: string-range offsets inside <p xml:id="p1">
    changed = _edited_outside(doc, f'<p xml:id="p{b}">', f'<p xml:id="p{b}">An added sentence. ')
    stale = {m.id for m in check_quotes(changed)}
    assert ids[3] in stale  # its pointer now shows other words
    report = repair(changed)
    outcomes = {i.id: i.outcome for i in report.items}
    assert outcomes == dict.fromkeys(stale, "moved")
    for i in stale:
        assert changed.annotation(i).anchoring is None  # moved exactly: nothing to review
    assert _shows(changed, ids[3]) == (b, PARAS[b][s:e])
    assert not check_quotes(changed)
    assert repair(changed).items == []  # nothing left to do


def test_an_edited_quote_is_fuzzy_and_a_deleted_one_an_orphan_kept_for_review() -> None:
    doc, ids = _annotated()
    b, s, e = SPANS[4]
    old = PARAS[b][s:e]
    edited = old[:10] + "XY" + old[12:]
    changed = _edited_outside(doc, old, edited)
    b7, s7, e7 = SPANS[7]
    changed = _edited_outside(changed, PARAS[b7][s7:e7], "")
    report = repair(changed)
    outcomes = {i.id: i.outcome for i in report.items}
    assert outcomes[ids[4]] == "fuzzy" and outcomes[ids[7]] == "orphan"
    fuzzy = changed.annotation(ids[4]).anchoring
    assert fuzzy.outcome == "fuzzy" and 0.8 <= fuzzy.score < 1 and fuzzy.previous == old
    assert fuzzy.previous_prefix == PARAS[b][s - len(fuzzy.previous_prefix) : s]  # old context kept
    assert changed.annotation(ids[4]).quote == edited
    orphan = changed.annotation(ids[7]).anchoring
    assert orphan.outcome == "orphan" and orphan.previous == PARAS[b7][s7:e7] and orphan.reason
    # an orphan that is still one is left exactly as it was: opening again changes nothing
    saved = changed.to_bytes()
    again = tei.TeiDocument.from_bytes(saved)
    assert repair(again).items == [] and again.to_bytes() == saved


def test_accepting_a_fuzzy_annotation_drops_only_its_anchoring_note() -> None:
    doc, ids = _annotated()
    b, s, e = SPANS[4]
    old = PARAS[b][s:e]
    changed = _edited_outside(doc, old, old[:5] + "Q" + old[6:])
    repair(changed)
    ann = changed.annotation(ids[4])
    before = (ann.quote, ann.target, ann.note)
    ann.clear_anchoring()
    assert ann.anchoring is None and (ann.quote, ann.target, ann.note) == before


@pytest.mark.parametrize("near", [True, False])
def test_find_again_places_a_mangled_quote_approximately(near: bool) -> None:
    doc, ids = _annotated()
    b, s, e = SPANS[10]
    ann = doc.annotation(ids[10])
    true_quote = ann.quote
    ann.set_quote(true_quote[:8] + "zz" + true_quote[10:], ann.prefix, ann.suffix)
    index_span = None
    if near:
        text = doc.text.reading_text()
        start = text.index(true_quote)
        index_span = (start, start + len(true_quote))
    placed = find_again(doc, ann, index_span)
    assert placed.outcome == "fuzzy" and placed.new_quote == true_quote
    assert _shows(doc, ids[10]) == (b, PARAS[b][s:e])


# -- Web Annotation import uses the same cascade ---------------------------------------------------
def _wa(exact: str, prefix: str = "", suffix: str = "", start: int | None = None) -> dict:
    sels: list[dict] = [{"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix}]
    if start is not None:
        sels.append({"type": "TextPositionSelector", "start": start, "end": start + len(exact)})
    return {"type": "Annotation", "body": {"type": "TextualBody", "value": "the historian's comment"},
            "target": {"source": "https://example.org/t.xml", "selector": sels}}  # fmt: skip


def test_web_annotations_with_a_mangled_quote_are_fuzzy_and_unknown_ones_orphans() -> None:
    doc, _ = _annotated(spans=[])
    text = doc.text.reading_text()
    b, s, e = SPANS[2]
    true_quote = PARAS[b][s:e]
    start = text.index(true_quote)
    mangled = true_quote[:6] + "q" + true_quote[7:]
    report = import_webanno(doc, [
        _wa(mangled, start=start + 3),  # a typo, and positions counted a little differently
        _wa(mangled),  # no position: searched in the whole text
        _wa("words that this text never had at all"),
    ])  # fmt: skip
    assert not report.failed and len(report.added) == 3
    assert [i for i, _ in report.fuzzy] == report.added[:2]
    for ann_id in report.added[:2]:
        assert _shows(doc, ann_id) == (b, true_quote)
        assert doc.annotation(ann_id).anchoring.previous == mangled
    orphan = doc.annotation(report.added[2])
    assert report.orphaned[0][0] == orphan.id and orphan.anchoring.outcome == "orphan"
    assert orphan.quote == "words that this text never had at all"
    assert orphan.note == ["the historian's comment"]  # the comment is kept with it
    saved = tei.TeiDocument.from_bytes(doc.to_bytes())
    assert saved.annotation(orphan.id).anchoring.outcome == "orphan"
    assert {m.id for m in check_quotes(saved)} == {orphan.id}
