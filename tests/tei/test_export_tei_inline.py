"""Inline TEI: segs and notes in a copy of the text, valid TEI, a report of the splits."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import tei
from tei import ns
from tei.exporters import export
from tei.exporters.tei_inline import render_tei_inline
from tests.conftest import DATA, corpus_files
from tests.tei.export_helpers import (
    SMALL,
    annotate_some,
    build_sample,
    check_golden,
    fix_time,
    nth_id,
)

T = {"t": ns.TEI}


@pytest.fixture
def sample(monkeypatch):
    fix_time(monkeypatch)
    return build_sample()


@pytest.fixture
def inline(sample):
    data, warnings = render_tei_inline(sample)
    return data, warnings, etree.fromstring(data)


def test_golden(inline) -> None:
    check_golden("sample.inline.xml", inline[0].decode("utf-8"))


@pytest.mark.slow
def test_valid_against_tei_all(inline, tei_all_schema) -> None:
    assert tei_all_schema.validate(etree.ElementTree(inline[2])), tei_all_schema.error_log


def _errors(schema, tree) -> set[str]:
    schema.validate(tree)
    return {re.sub(r"\d+", "N", e.message) for e in schema.error_log}


def annotate_awkward(doc: tei.TeiDocument, per_tag: int = 2) -> int:
    """Annotate across the edges of inline elements of every kind (ruby, app, choice, lb, note…).

    For up to ``per_tag`` elements of each tag inside a block: a passage from just before the
    element into it, one from inside it to just after it, and one covering it exactly.
    """
    text, seen, made = doc.text, {}, 0
    body = next(doc.root.iter(f"{{{ns.TEI}}}text"), None)
    for el in body.iter() if body is not None else ():
        if not isinstance(el.tag, str):
            continue
        # a block inside a block (a note in a paragraph) is crossed from its parent block
        b = text.enclosing_block(el.getparent()) if text.block_index(el) is not None else \
            text.enclosing_block(el)
        if b < 0 or seen.get(el.tag, 0) >= per_tag:
            continue
        seen[el.tag] = seen.get(el.tag, 0) + 1
        blk = text.blocks[b]
        s = text.global_start(el) - blk.start
        e = s + len(etree.tostring(el, method="text", encoding=str, with_tail=False))
        spans = {(s - 1, s + 1), (e - 1, e + 1), (s, e)} if e > s else {(s - 1, s + 1)}
        node, shift = doc.anchor_id(blk.element)
        for a, z in sorted(spans):
            a, z = max(a, 0), min(z, blk.length)
            if z > a:
                target = f"#string-range({node},{a + shift},{z - a})"
                doc.add_annotation(target, "gl-comment", annotator="").note = [el.tag]
                made += 1
    return made


AWKWARD_JA = DATA / "tei" / "awkward-ja.xml"


@pytest.mark.slow
def test_ruby_app_choice_stay_valid(tei_all_schema) -> None:
    """A Japanese source with ruby, app, choice, lb and notes, annotated across their edges."""
    doc = tei.load(str(AWKWARD_JA))
    assert not _errors(tei_all_schema, doc.tree)
    tags = {ns.local_name(t) for t in _annotated_tags(doc)}
    assert {"ruby", "rb", "rt", "app", "lem", "rdg", "choice", "lb", "note", "subst"} <= tags
    data, _ = render_tei_inline(doc)
    root = etree.fromstring(data)
    assert not _errors(tei_all_schema, etree.ElementTree(root))
    for ruby in root.iter(f"{{{ns.TEI}}}ruby"):
        assert {ns.local_name(c.tag) for c in ruby} <= {"rb", "rt"}
    # the passages are still marked: inside the ruby base and its gloss
    assert root.xpath("//t:rb/t:seg", namespaces=T) and root.xpath("//t:rt/t:seg", namespaces=T)


def _annotated_tags(doc: tei.TeiDocument) -> set[str]:
    made = annotate_awkward(doc)
    assert made > 20
    return {a.note[0] for a in doc.annotations()}


@pytest.mark.slow
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_inline_adds_no_schema_error(path, tei_all_schema) -> None:
    """Every valid source stays valid with passages across the edges of every inline element.

    A source that is itself invalid only must not get errors about what the export adds.
    """
    doc = tei.load(str(path))
    before = _errors(tei_all_schema, doc.tree)
    annotate_some(doc)
    annotate_awkward(doc)
    data, _ = render_tei_inline(doc)
    after = _errors(tei_all_schema, etree.ElementTree(etree.fromstring(data)))
    if not before:
        assert not after, sorted(after)[:5]
    ours = [e for e in after - before if re.search(r"\b(seg|anchor)\b", e)]
    assert not ours, ours[:5]


def test_every_passage_is_in_segs(sample, inline) -> None:
    _, _, root = inline
    notes = {n.get(ns.XML_ID): n for n in root.iterfind(".//t:back//t:note[@type='annotation']", T)}
    assert len(notes) == len(sample.annotations())
    segs = {s.get(ns.XML_ID): s for s in root.iterfind(".//t:seg[@corresp]", T)}
    for ann in sample.annotations():
        note = notes[ann.id]
        if not note.get("target"):
            assert ann.id == nth_id(sample, 14)  # the orphan
            continue
        parts = [segs[t.lstrip("#")] for t in note.get("target").split()]
        text = "".join("".join(p.itertext()) for p in parts)
        assert " ".join(text.split()).replace(" ", "") == ann.quote.replace("\n", "").replace(" ", "")
        assert all(p.get("corresp") == "#" + ann.id for p in parts)
        assert all(p.get("ana") for p in parts)
        for a, b in zip(parts, parts[1:], strict=False):
            assert a.get("next") == "#" + b.get(ns.XML_ID)
            assert b.get("prev") == "#" + a.get(ns.XML_ID)


def test_splits_are_reported(sample, inline) -> None:
    _, warnings, root = inline
    found = root.xpath("//t:back/t:div[@type='annotations']/t:p[@xml:id='split-report']",
                       namespaces=T)  # fmt: skip
    assert len(found) == 1 and "split into parts" in found[0].text
    report = found[0]
    # the report in the file links each split annotation's note and counts its parts
    refs = {r.get("target"): r.tail for r in report.iterfind("t:ref", T)}
    a6, a7, a14 = (nth_id(sample, n) for n in (6, 7, 14))
    assert refs["#" + a7].startswith(" (2 parts)") and refs["#" + a6].startswith(" (2 parts)")
    notes = {n.get(ns.XML_ID): n for n in root.iterfind(".//t:note[@type='annotation']", T)}
    for target in refs:
        assert len(notes[target[1:]].get("target").split()) == 2
    joined = "\n".join(warnings)
    assert f"{a7}) was split into 2 parts" in joined  # two paragraphs
    assert f"{a6}) was split into 2 parts" in joined  # overlaps another passage
    assert f"{a14} has no passage" in joined


def test_reading_text_unchanged(sample, inline) -> None:
    data, _, _ = inline
    copy = tei.TeiDocument.from_bytes(data)
    orig = [b.reading for b in sample.text.blocks]
    assert [b.reading for b in copy.text.blocks][: len(orig)] == orig


def test_document_is_not_modified(sample, tmp_path) -> None:
    before = sample.to_bytes(when="2024-01-01T00:00:00Z")
    report = export(sample, "tei-inline", tmp_path / "i.xml")
    assert sample.to_bytes(when="2024-01-01T00:00:00Z") == before
    assert report.warnings and (tmp_path / "i.xml").read_bytes().startswith(b"<?xml")
    assert sample.standoff() is not None and len(sample.annotations()) == 14


def test_taxonomy_and_sources_kept(sample, inline) -> None:
    _, _, root = inline
    ids = set(root.xpath("//@xml:id"))
    ours = {s.id for s in sample.sources() if s.editable} | set(sample.annotators())
    assert len(ours) == 4 and {"gl-bias", "gl-figure"} | ours <= ids
    assert not root.findall(".//t:listAnnotation", T)


def test_nested_and_point_annotations(tmp_path) -> None:
    src = tmp_path / "n.xml"
    src.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt>'
                   "<title>N</title></titleStmt><publicationStmt><p>x</p></publicationStmt>"
                   "<sourceDesc><p>x</p></sourceDesc></fileDesc></teiHeader><text><body>"
                   '<p xml:id="p">alpha <hi>beta gamma</hi> delta</p></body></text></TEI>',
                   encoding="utf-8")  # fmt: skip
    doc = tei.load(str(src))
    doc.add_annotation("#string-range(p,0,22)", "gl-comment")  # alpha … delta (outer)
    doc.add_annotation("#string-range(p,6,4)", "gl-question")  # beta (nested, inside hi)
    doc.add_annotation("#string-index(p,3)", "gl-comment")  # a point
    data, warnings = render_tei_inline(doc)
    root = etree.fromstring(data)
    outer = root.find(".//t:body//t:seg", T)
    assert "".join(outer.itertext()) == "alpha beta gamma delta"
    assert outer.find(".//t:hi/t:seg", T).text == "beta"
    assert root.find(".//t:body//t:anchor", T) is not None
    assert not [w for w in warnings if "split" in w]


def test_segs_respect_content_models(tmp_path) -> None:
    """No <seg> around a roleDesc (castItem allows it, seg does not) or inside a text-only gi."""
    src = tmp_path / "c.xml"
    src.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt>'
                   "<title>C</title></titleStmt><publicationStmt><p>x</p></publicationStmt>"
                   "<sourceDesc><p>x</p></sourceDesc></fileDesc></teiHeader><text><body><div>"
                   "<castList><castItem><role>Hamlet</role> <roleDesc>Prince of Denmark"
                   "</roleDesc></castItem></castList><p>The element <gi>persName</gi> holds "
                   "names.</p></div></body></text></TEI>", encoding="utf-8")  # fmt: skip
    doc = tei.load(str(src))
    cast = next(i for i, b in enumerate(doc.text.blocks) if "Hamlet" in b.reading)
    para = next(i for i, b in enumerate(doc.text.blocks) if "element" in b.reading)
    reading = doc.text.blocks[cast].reading
    doc.add_annotation(doc.target_for(cast, 2, cast, len(reading) - 2), "gl-comment")
    doc.add_annotation(doc.target_for(para, 4, para, 16), "gl-question")  # "element pers"
    data, warnings = render_tei_inline(doc)
    root = etree.fromstring(data)
    assert not root.findall(".//t:seg//t:roleDesc", T) and not root.findall(".//t:seg//t:role", T)
    assert not root.findall(".//t:gi//t:seg", T)
    texts = ["".join(s.itertext()) for s in root.iterfind(".//t:body//t:seg", T)]
    # the cast item is marked in parts; the "pers" inside <gi> cannot be, and the report says so
    assert "".join(texts).replace(" ", "") == (reading[2:-2] + "element").replace(" ", "")
    first, second = (a.id for a in doc.annotations())
    assert [w for w in warnings if "inside <gi> is not marked" in w and f"({second})" in w]
    assert not [w for w in warnings if f"({first}): the part" in w]




@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 40), st.integers(0, 3),
                          st.integers(0, 40)), min_size=1, max_size=4))  # fmt: skip
def test_inline_keeps_text_and_marks_every_passage(spans) -> None:
    """Random (overlapping, multi-block) passages: same text, each passage exactly in its segs."""
    doc = tei.TeiDocument.from_bytes(SMALL.encode())
    blocks = doc.text.blocks
    made = []
    for b0, r0, b1, r1 in spans:
        (b0, r0), (b1, r1) = sorted([(b0, r0), (b1, r1)])
        r0, r1 = min(r0, len(blocks[b0].reading)), min(r1, len(blocks[b1].reading))
        if (b0, r0) == (b1, r1):
            continue
        made.append(doc.add_annotation(doc.target_for(b0, r0, b1, r1), "gl-comment"))
    data, _ = render_tei_inline(doc)
    root = etree.fromstring(data)
    body = root.find(".//t:body", T)
    assert "".join(body.itertext()) == "".join(doc.root.find(".//t:body", T).itertext())
    segs = {s.get(ns.XML_ID): s for s in body.iterfind(".//t:seg", T)}
    segs.update((a.get(ns.XML_ID), a) for a in body.iterfind(".//t:anchor", T))  # empty passages
    notes = {n.get(ns.XML_ID): n for n in root.iterfind(".//t:back//t:note[@type='annotation']", T)}
    for ann in made:
        parts = [segs[t[1:]] for t in notes[ann.id].get("target").split()]
        text = "".join("".join(p.itertext()) for p in parts)
        assert "".join(text.split()) == "".join(ann.quote.split())
        for a, b in zip(parts, parts[1:], strict=False):
            assert a.get("next") == "#" + b.get(ns.XML_ID) and b.get("prev") == "#" + a.get(ns.XML_ID)
