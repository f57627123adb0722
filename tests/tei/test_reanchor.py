"""Re-anchoring annotations onto a changed text (``tei.anchoring.reanchor``, ``glossator reanchor``,
``glossator check``): the cascade kept → moved → fuzzy → orphan, and nothing is ever lost."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from rapidfuzz import fuzz

import tei
from tei.anchoring import (
    FUZZY_WINDOW,
    ReadingIndex,
    Unanchored,
    anchor_target,
    check_quotes,
    collapse_ws,
    reanchor,
)
from tests.conftest import CORPUS

ROOT = Path(__file__).resolve().parents[2]
HEAD = ('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>T</title>'
        '</titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc>'
        '</teiHeader><text><body>')  # fmt: skip
TAIL = "</body></text></TEI>"
_WORDS = random.Random(7)
_SYL = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "de", "po", "zu", "fa", "gre", "bil"]
#: Six paragraphs of made-up words: every passage of 20 characters occurs once.
PARAS = [" ".join("".join(_WORDS.choice(_SYL) for _ in range(_WORDS.randint(1, 4)))
                  for _ in range(60)) for _ in range(6)]  # fmt: skip
#: Annotated spans (paragraph, start, end): 20 to 50 characters, apart from each other.
SPANS = [(b, s, s + n) for b in range(6) for s, n in ((30, 24), (150, 40), (260, 30))]


def _xml(paras: list[str], ids: bool = True) -> str:
    body = "".join(f'<p xml:id="p{i}">{t}</p>' if ids else f"<p>{t}</p>" for i, t in enumerate(paras))
    return HEAD + body + TAIL


def _annotated(paras: list[str] = PARAS, spans=SPANS) -> tuple[tei.TeiDocument, list[str]]:
    doc = tei.TeiDocument.from_bytes(_xml(paras).encode())
    pid = doc.ensure_annotator("Reader")
    ids = []
    for b, s, e in spans:
        ann = doc.add_annotation(doc.target_for(b, s, b, e), "gl-comment", annotator=pid)
        ann.note = [f"note {b}:{s}"]
        ids.append(ann.id)
    return doc, ids


def _shows(doc: tei.TeiDocument, ann_id: str) -> tuple[int, str]:
    """Return (block, text) that the annotation's pointer shows in ``doc``."""
    res = doc.resolve(doc.annotation(ann_id).target)
    assert res and all(r.ok for r in res), ann_id
    index = ReadingIndex(doc)
    start, end = index.span_of(res[0].start, res[-1].end)
    return index.block_at(start)[0], index.text[start:end]


def _outcomes(report) -> dict[str, str]:
    return {i.id: i.outcome for i in report.items}


# -- each outcome, by hand ------------------------------------------------------------------------
def test_unchanged_text_keeps_every_annotation_with_its_note_and_annotator() -> None:
    doc, ids = _annotated()
    new = tei.TeiDocument.from_bytes(_xml(PARAS).encode())
    report = reanchor(doc, new)
    assert _outcomes(report) == dict.fromkeys(ids, "kept") and not report.needs_review
    for ann_id, (b, s, e) in zip(ids, SPANS, strict=True):
        assert _shows(new, ann_id) == (b, PARAS[b][s:e])
        assert new.annotation(ann_id).note == [f"note {b}:{s}"]
        assert new.annotation(ann_id).annotator_name == "Reader"
    assert list(new.annotators().values()) == ["Reader"]


def test_text_inserted_before_moves_annotations_exactly() -> None:
    doc, ids = _annotated()
    paras = ["Inserted words at the start. " + PARAS[0], *PARAS[1:]]
    new = tei.TeiDocument.from_bytes(_xml(paras).encode())
    report = reanchor(doc, new)
    assert [_outcomes(report)[i] for i in ids[:3]] == ["moved"] * 3
    assert all(_outcomes(report)[i] == "kept" for i in ids[3:])
    assert _shows(new, ids[0]) == (0, PARAS[0][30:54])


def test_a_new_file_without_our_ids_gets_the_annotations_moved() -> None:
    doc, ids = _annotated()
    new = tei.TeiDocument.from_bytes(_xml(PARAS, ids=False).encode())
    report = reanchor(doc, new)
    assert set(_outcomes(report).values()) == {"moved"}
    assert all(_shows(new, i) == (b, PARAS[b][s:e]) for i, (b, s, e) in zip(ids, SPANS, strict=True))


def test_of_several_occurrences_the_one_near_its_old_place_is_chosen() -> None:
    paras = ["the same words here, " * 3 + "end.", "middle " * 10, "the same words here, end."]
    doc, ids = _annotated(paras, [(2, 0, 19)])
    paras2 = ["prefix " + paras[0], paras[1], "more " + paras[2]]  # its context changes too
    new = tei.TeiDocument.from_bytes(_xml(paras2, ids=False).encode())
    report = reanchor(doc, new)
    assert _outcomes(report) == {ids[0]: "moved"}
    assert _shows(new, ids[0]) == (2, "the same words here")


def test_an_edited_passage_is_fuzzy_with_its_score_recorded() -> None:
    doc, ids = _annotated()
    b, s, e = SPANS[4]
    old = PARAS[b][s:e]
    edited = old[:10] + "XY" + old[12:30] + old[31:]
    paras = list(PARAS)
    paras[b] = PARAS[b][:s] + edited + PARAS[b][e:]
    new = tei.TeiDocument.from_bytes(_xml(paras).encode())
    report = reanchor(doc, new, threshold=0.8)
    item = next(i for i in report.items if i.id == ids[4])
    assert item.outcome == "fuzzy" and 0.8 <= item.score < 1 and item.new_quote == edited
    assert report.needs_review and report.counts()["fuzzy"] == 1
    ann = new.annotation(ids[4])
    assert _shows(new, ids[4]) == (b, edited) and ann.quote == edited
    note = ann.element.find("{http://www.tei-c.org/ns/1.0}note[@type='anchoring']")
    assert note.get("subtype") == "fuzzy" and float(note.get("cert")) == pytest.approx(item.score, abs=0.01)
    assert note.findtext("{http://www.tei-c.org/ns/1.0}quote") == old
    assert not check_quotes(new)  # its pointer shows its (new) quote
    # above the score, the same edit makes an orphan
    new2 = tei.TeiDocument.from_bytes(_xml(paras).encode())
    assert _outcomes(reanchor(doc, new2, threshold=0.99))[ids[4]] == "orphan"


def test_a_deleted_passage_is_an_orphan_kept_with_its_quote() -> None:
    doc, ids = _annotated()
    b, s, e = SPANS[7]
    paras = list(PARAS)
    paras[b] = PARAS[b][:s] + PARAS[b][e:]
    new = tei.TeiDocument.from_bytes(_xml(paras).encode())
    report = reanchor(doc, new)
    item = next(i for i in report.items if i.id == ids[7])
    assert item.outcome == "orphan" and item.quote == PARAS[b][s:e] and item.reason
    assert sum(i.outcome == "orphan" for i in report.items) == 1
    again = tei.TeiDocument.from_bytes(new.to_bytes())
    ann = again.annotation(ids[7])
    assert ann.quote == PARAS[b][s:e] and ann.note == [f"note {b}:{s}"]
    note = ann.element.find("{http://www.tei-c.org/ns/1.0}note[@type='anchoring']")
    assert note.get("subtype") == "orphan" and note.text == item.reason
    assert [m.id for m in check_quotes(again)] == [ids[7]]


def test_categories_and_sources_come_along() -> None:
    doc, ids = _annotated(PARAS, SPANS[:1])
    tax, _ = doc.materialize_taxonomy()
    cat = doc.taxonomy.new_category_element("my-cat", "Mine", "#123456")
    tax.append(cat)
    doc.register_ids(cat)
    doc.taxonomy.invalidate()
    ann = doc.annotation(ids[0])
    ann.category = "my-cat"
    sid = doc.add_source(author="Smith, J.", title="A Book")
    from tei.annotations import SourceLink

    ann.source_link = SourceLink(relation="corroborates", source=sid)
    doc = tei.TeiDocument.from_bytes(doc.to_bytes())  # as saved
    new = tei.TeiDocument.from_bytes(_xml(PARAS, ids=False).encode())
    reanchor(doc, new)
    again = tei.TeiDocument.from_bytes(new.to_bytes())
    carried = again.annotation(ids[0])
    assert carried.category == "my-cat" and again.taxonomy.label("my-cat") == "Mine"
    assert carried.cited_sources() == [sid] and again.element_by_id(sid) is not None


def test_threshold_out_of_range_is_refused() -> None:
    doc, _ = _annotated()
    with pytest.raises(ValueError):
        reanchor(doc, tei.TeiDocument.from_bytes(_xml(PARAS).encode()), threshold=1.5)


# -- properties -------------------------------------------------------------------------------------
_EDIT = st.tuples(st.integers(0, 5), st.floats(0, 1), st.sampled_from(["insert", "delete", "replace"]),
                  st.integers(1, 6), st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=6))  # fmt: skip


def _apply(paras: list[str], spans: list[list[int]], edit, *, inside: int | None = None) -> bool:
    """Apply one edit to ``paras`` outside every span (or inside span ``inside``), shifting the
    spans; return False when there is no room for it."""
    b, where, kind, n, text = edit
    if inside is not None:
        b = spans[inside][0]
    ranges = [(s, e) for pb, s, e in spans if pb == b]
    length = len(paras[b])
    if inside is not None:
        _, s0, e0 = spans[inside]
        lo, hi = s0 + 1, e0 - 1  # strictly inside: the span's ends stay put
    else:
        lo, hi = 0, length
    pos = lo + int(where * (hi - lo))
    dele = 0 if kind == "insert" else min(n, hi - pos)
    ins = "" if kind == "delete" else text
    if inside is None and any(pos < e and pos + dele > s or s < pos < e for s, e in ranges):
        return False
    if inside is not None and (dele == 0 and not ins or pos + dele > hi):
        return False
    paras[b] = paras[b][:pos] + ins + paras[b][pos + dele :]
    shift = len(ins) - dele
    for span in spans:
        if span[0] == b and span[1] >= pos + dele:  # after the edit
            span[1] += shift
            span[2] += shift
        elif span[0] == b and span[2] > pos:  # around it
            span[2] += shift
    return True


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_EDIT, min_size=1, max_size=30))
def test_edits_outside_the_spans_keep_or_move_every_annotation_exactly(edits) -> None:
    doc, ids = _annotated()
    paras, spans = list(PARAS), [list(s) for s in SPANS]
    for edit in edits:
        _apply(paras, spans, edit)
    new = tei.TeiDocument.from_bytes(_xml(paras, ids=False).encode())
    report = reanchor(doc, new)
    assert len(report.items) == len(ids)
    for ann_id, (b, s, e) in zip(ids, SPANS, strict=True):
        assert _outcomes(report)[ann_id] in ("kept", "moved")
        block, shown = _shows(new, ann_id)
        assert block == b and collapse_ws(shown) == collapse_ws(PARAS[b][s:e])
    assert not check_quotes(new)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(SPANS) - 1), st.lists(_EDIT, min_size=1, max_size=3))
def test_small_edits_inside_a_span_make_it_fuzzy_on_the_edited_passage(which, edits) -> None:
    doc, ids = _annotated()
    paras, spans = list(PARAS), [list(s) for s in SPANS]
    budget = (SPANS[which][2] - SPANS[which][1]) // 10  # at most 10 % of its characters
    for edit in edits:
        b, where, kind, n, text = edit
        n, text = min(n, budget), text[:budget]
        if budget <= 0 or not _apply(paras, spans, (b, where, kind, n, text), inside=which):
            continue
        budget -= max(n if kind != "insert" else 0, len(text) if kind != "delete" else 0)
    b, s, e = spans[which]
    edited = paras[b][s:e]
    new = tei.TeiDocument.from_bytes(_xml(paras).encode())
    report = reanchor(doc, new)
    outcome = _outcomes(report)
    assert len(report.items) == len(ids)
    old = PARAS[b][SPANS[which][1] : SPANS[which][2]]
    if collapse_ws(old) in edited:  # e.g. "a fade" edited to "aa fade": the quote is still there
        assert outcome[ids[which]] in ("kept", "moved")
    else:
        assert outcome[ids[which]] == "fuzzy"
    assert all(outcome[i] in ("kept", "moved") for i in ids if i != ids[which])
    block, shown = _shows(new, ids[which])
    assert block == b and collapse_ws(shown) == collapse_ws(new.annotation(ids[which]).quote)
    index = ReadingIndex(new)  # where the edited passage is (an edit may leave two spaces, read as one)
    start = index.starts[b] + new.text.blocks[b].to_reading(s)
    got = index.span_of(*[(r.start, r.end) for r in new.resolve(new.annotation(ids[which]).target)][0])
    slack = 3 + (e - s) // 10
    assert abs(got[0] - start) <= slack and abs(got[1] - (start + e - s)) <= slack
    assert not check_quotes(new)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sets(st.integers(0, len(SPANS) - 1), min_size=1, max_size=5), st.lists(_EDIT, max_size=10))
def test_deleted_spans_become_orphans_and_nothing_is_lost(gone, edits) -> None:
    doc, ids = _annotated()
    paras, spans = list(PARAS), [list(s) for s in SPANS]
    for edit in edits:
        _apply(paras, spans, edit)
    for i in sorted(gone, key=lambda i: -spans[i][1]):  # right to left: the others stay put
        b, s, e = spans[i]
        paras[b] = paras[b][:s] + paras[b][e:]
    new = tei.TeiDocument.from_bytes(_xml(paras).encode())
    report = reanchor(doc, new)
    outcome = _outcomes(report)
    assert {ids[i] for i in gone} == {i for i, o in outcome.items() if o == "orphan"}
    again = tei.TeiDocument.from_bytes(new.to_bytes())
    assert sorted(a.id for a in again.annotations()) == sorted(ids)
    for i, (b, s, e) in enumerate(SPANS):
        assert again.annotation(ids[i]).quote == PARAS[b][s:e]
    assert {m.id for m in check_quotes(again)} <= {ids[i] for i in gone}


# -- the corpus, with generated edits ---------------------------------------------------------------
#: Every well-formed file of the corpus (the malformed ones are in a folder of their own).
CORPUS_FILES = sorted(p.name for p in CORPUS.glob("*") if p.suffix in (".xml", ".tei")) or ["(no corpus)"]


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_file_with_generated_edits(name) -> None:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"{name} is not in ../shared/corpus")
    original = path.read_bytes()
    rnd = random.Random(name)
    doc = tei.TeiDocument.from_bytes(original)
    index = ReadingIndex(doc)
    text = index.text
    tree = doc.root.getroottree()
    # text nodes (an element's text, or a child's tail) inside blocks, long enough to annotate a
    # passage of and to edit around it
    slots = [(el, slot) for block in doc.text.blocks for el in block.element.iter()
             if isinstance(el.tag, str) for slot in ("text", "tail")
             if (slot == "text" or el is not block.element) and len((getattr(el, slot) or "").strip()) > 40]  # fmt: skip
    rnd.shuffle(slots)
    chosen: dict[str, tuple[str, str, int, int]] = {}  # id -> element path, slot, start, end
    for el, slot in slots:
        if len(chosen) == 40:
            break
        node = getattr(el, slot)
        n = rnd.randint(20, min(35, len(node)))
        s = rnd.randint(0, len(node) - n)
        passage = node[s : s + n]
        if " ".join(passage.split()) != passage or text.count(passage) != 1:
            continue  # whitespace the reading text collapses, or not a unique passage (or not read)
        key = (tree.getpath(el), slot)
        if any((p, sl) == key and s < pe and ps < s + n for p, sl, ps, pe in chosen.values()):
            continue
        try:
            target = anchor_target(doc, index, {"selector": {"type": "TextQuoteSelector", "exact": passage}})
        except Unanchored:
            continue
        ann = doc.add_annotation(target, "gl-comment")
        assert ann.quote == passage
        chosen[ann.id] = (*key, s, s + n)
    if len(chosen) < 5:
        pytest.skip(f"{name}: fewer than 5 passages of plain text to annotate and edit around")
    annotated = tei.TeiDocument.from_bytes(doc.to_bytes())

    # passages edited inside or deleted must have no near-twin elsewhere (formulaic letters and
    # verse repeat themselves: a twin scoring above the threshold is rightly found instead)
    def unique(ann_id: str) -> bool:
        q = annotated.annotation(ann_id).quote
        at = text.index(q)
        near = 3 * FUZZY_WINDOW  # the cascade looks for a twin near the old place only
        return (fuzz.partial_ratio(q, text[max(0, at - near) : at]) < 70
                and fuzz.partial_ratio(q, text[at + len(q) : at + len(q) + near]) < 70)  # fmt: skip

    ids = sorted(chosen, key=lambda i: not unique(i))
    if not all(unique(i) for i in ids[:4]):
        pytest.skip(f"{name}: too few passages without a near-twin in the text")
    fuzzy, orphan = set(ids[:2]), set(ids[2:4])
    # the new version: the original file (none of our ids) with edits around the passages,
    # a few passages edited inside (fuzzy) and a few deleted (orphans)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(original, parser)
    new_tree = root.getroottree()
    by_node: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
    for ann_id, (p, slot, s, e) in chosen.items():
        by_node.setdefault((p, slot), []).append((s, e, ann_id))
    edited = 0
    for (p, slot), spans in by_node.items():
        el = new_tree.xpath(p)[0]
        t = getattr(el, slot)
        for s, e, ann_id in sorted(spans, reverse=True):  # right to left: offsets stay valid
            after = e + rnd.randint(1, 20)
            if after < len(t) and t[after - 1 : after + 1].strip():  # not where spaces would merge
                t = t[:after] + "qz" + t[after:]
                edited += 1
            if ann_id in fuzzy:
                mid = (s + e) // 2
                t = t[:mid] + "X" + t[mid + 1 :]
            elif ann_id in orphan:
                t = t[:s] + t[e:]
            before = s - rnd.randint(1, 20)
            if before > 0 and t[before - 1 : before + 1].strip():
                t = t[:before] + "zq" + t[before:]
                edited += 1
        setattr(el, slot, t)
    new = tei.TeiDocument.from_bytes(etree.tostring(new_tree, encoding="utf-8"))
    report = reanchor(annotated, new)
    outcome = _outcomes(report)
    assert len(report.items) == len(chosen) and edited
    for ann_id in ids:
        want = "fuzzy" if ann_id in fuzzy else "orphan" if ann_id in orphan else None
        if want:
            assert outcome[ann_id] == want, (ann_id, report.items)
        else:
            assert outcome[ann_id] in ("kept", "moved"), (ann_id, outcome[ann_id])
    mismatched = {m.id for m in check_quotes(new)}
    assert mismatched == orphan
    again = tei.TeiDocument.from_bytes(new.to_bytes())
    assert sorted(a.id for a in again.annotations() if a.editable) == sorted(ids)


# -- the command line, in a real process --------------------------------------------------------------
def _cli(*argv) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "tei.cli", *map(str, argv)], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)  # fmt: skip


def test_cli_reanchor_reports_each_annotation_and_exits_1_to_review(tmp_path) -> None:
    doc, ids = _annotated()
    annotated = tmp_path / "annotated.xml"
    annotated.write_bytes(doc.to_bytes())
    b, s, e = SPANS[7]
    paras = list(PARAS)
    paras[b] = PARAS[b][:s] + PARAS[b][e:]  # one passage deleted
    paras[0] = "New words. " + paras[0]  # the first three move, and the one after the deleted one
    new = tmp_path / "new.xml"
    new.write_text(_xml(paras))
    out = tmp_path / "out.xml"
    run = _cli("reanchor", annotated, new, "-o", out)
    assert run.returncode == 1, run.stderr
    lines = run.stdout.splitlines()
    assert lines[-1] == f"{len(ids)} annotations: kept {len(ids) - 5}, moved 4, fuzzy 0, orphan 1."
    assert sum(line.startswith("orphan ") and ids[7] in line for line in lines) == 1
    assert sorted(a.id for a in tei.TeiDocument.load(out).annotations()) == sorted(ids)
    run = _cli("reanchor", annotated, new, "-o", tmp_path / "o.json.xml", "--json", "--threshold", "0.5")
    data = json.loads(run.stdout)
    assert data["threshold"] == 0.5 and data["needs_review"] and len(data["annotations"]) == len(ids)
    assert data["counts"]["fuzzy"] + data["counts"]["orphan"] == 1  # a low threshold takes a poor match
    # nothing to review: exit 0
    clean = tmp_path / "clean.xml"
    clean.write_text(_xml(["New words. " + PARAS[0], *PARAS[1:]]))
    assert _cli("reanchor", annotated, clean, "-o", out).returncode == 0
    # bad input: one line, exit 2, nothing written
    for argv in (["--threshold", "1.5"], ["--threshold", "nan"], ["--threshold", "x"]):
        bad = _cli("reanchor", annotated, new, "-o", tmp_path / "never.xml", *argv)
        assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--threshold" in bad.stderr
    bad = _cli("reanchor", annotated, new, "-o", new)
    assert bad.returncode == 2 and "would be replaced" in bad.stderr
    assert not (tmp_path / "never.xml").exists()


def test_cli_check_lists_annotations_whose_quote_is_gone(tmp_path) -> None:
    doc, ids = _annotated()
    good = tmp_path / "good.xml"
    good.write_bytes(doc.to_bytes())
    run = _cli("check", good)
    assert run.returncode == 0 and "every annotation shows its stored quote" in run.stdout
    b = 1
    changed = tmp_path / "changed.xml"  # edited in another program: the pointer shows other text
    old_p = f'<p xml:id="p{b}">{PARAS[b]}</p>'
    changed.write_bytes(doc.to_bytes().replace(old_p.encode(), f'<p xml:id="p{b}">Oh. {PARAS[b]}</p>'.encode()))
    run = _cli("check", changed, "--json")
    assert run.returncode == 1
    data = json.loads(run.stdout)
    assert [m["id"] for m in data["mismatches"]] == ids[3:6] and not data["ok"]
    assert data["mismatches"][0]["problem"] == "changed" and data["mismatches"][0]["quote"] == PARAS[b][30:54]
    run = _cli("check", changed)
    assert run.returncode == 1 and "3 of 18 annotations no longer show their stored quote" in run.stdout
