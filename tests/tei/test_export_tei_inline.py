"""Inline TEI: segs and notes in a copy of the text, valid TEI, a report of the splits."""

from __future__ import annotations

import pytest
from lxml import etree

import tei
from tei import ns
from tei.exporters import export
from tei.exporters.tei_inline import render_tei_inline
from tests.tei.export_helpers import build_sample, check_golden, fix_time

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


def test_every_passage_is_in_segs(sample, inline) -> None:
    _, _, root = inline
    notes = {n.get(ns.XML_ID): n for n in root.iterfind(".//t:back//t:note[@type='annotation']", T)}
    assert len(notes) == len(sample.annotations())
    segs = {s.get(ns.XML_ID): s for s in root.iterfind(".//t:seg[@corresp]", T)}
    for ann in sample.annotations():
        note = notes[ann.id]
        if not note.get("target"):
            assert ann.id == "gl-a14"  # the orphan
            continue
        parts = [segs[t.lstrip("#")] for t in note.get("target").split()]
        text = "".join("".join(p.itertext()) for p in parts)
        assert " ".join(text.split()).replace(" ", "") == ann.quote.replace("\n", "").replace(" ", "")
        assert all(p.get("corresp") == "#" + ann.id for p in parts)
        assert all(p.get("ana") for p in parts)
        for a, b in zip(parts, parts[1:], strict=False):
            assert a.get("next") == "#" + b.get(ns.XML_ID)
            assert b.get("prev") == "#" + a.get(ns.XML_ID)


def test_splits_are_reported(inline) -> None:
    _, warnings, _ = inline
    joined = "\n".join(warnings)
    assert "gl-a7) was split into 2 parts" in joined  # two paragraphs
    assert "gl-a6) was split into 2 parts" in joined  # overlaps another passage
    assert "gl-a14 has no passage" in joined


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


def test_taxonomy_and_sources_kept(inline) -> None:
    _, _, root = inline
    ids = set(root.xpath("//@xml:id"))
    assert {"gl-bias", "gl-figure", "src-borisov-1", "gl-person-1"} <= ids
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
