"""``tei.validate``: every problem code, the report, and RELAX NG validation with a cached schema."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import tei
from tei import validate as v

DATA = Path(__file__).resolve().parent.parent / "data" / "tei"
SHARED = Path(__file__).resolve().parents[3] / "shared"


def test_every_problem_code_is_found_where_it_is():
    doc = tei.load(DATA / "cli_problems.xml")
    report = v.validate(doc)
    assert report.codes() == set(v.CODES) - {"schema"}
    by_ann = {p.annotation_id: p.code for p in report.problems if p.annotation_id}
    assert by_ann == {
        "a-no-target": "missing-target", "a-orphan": "orphan-target",
        "a-past-end": "orphan-target", "a-ambiguous": "ambiguous-target",
        "a-outside": "target-outside", "a-unsupported": "unsupported-target",
        "a-category": "unknown-category", "a-source": "missing-source",
        "a-annotator": "missing-annotator", "a-drift": "quote-drift",
        "a-cert": "invalid-certainty", "a-motivation": "invalid-motivation",
    }  # fmt: skip
    assert "ok1" not in by_ann and "a-prob" not in by_ann  # a probability is a valid @cert
    dup = next(p for p in report.problems if p.code == "duplicate-id")
    assert "'dup'" in dup.message and dup.line == 14
    missing = next(p for p in report.problems if p.code == "missing-id")
    assert missing.annotation_id is None and missing.line == 25
    assert all(p.severity == v.CODES[p.code] for p in report.problems)
    assert not report.ok and len(report.errors) == 10 and len(report.warnings) == 4
    text = report.format_text("x.xml")
    assert "x.xml:27: error: [orphan-target]" in text and text.endswith("10 error(s), 4 warning(s)")


def test_every_code_is_documented():
    for code in v.CODES:
        assert f"``{code}``" in (v.__doc__ or "")


def test_a_clean_document_and_fresh_annotations_have_no_problems():
    doc = tei.load(DATA / "wa_sample.xml")
    assert v.validate(doc).problems == []
    ann = doc.add_annotation(doc.target_for(1, 0, 1, 10), "gl-comment")
    ann.certainty = "high"
    assert v.validate(doc).problems == []


def test_quote_drift_after_the_text_changes():
    doc = tei.load(DATA / "wa_sample.xml")
    ann = doc.add_annotation(doc.target_for(1, 0, 1, 7), "gl-comment")
    ann.set_quote("In 1951")
    (p,) = v.validate(doc).problems
    assert p.code == "quote-drift" and "In 1950" in p.message and p.annotation_id == ann.id


def test_shared_corpus_orphans_of_other_tools_are_listed():
    path = SHARED / "corpus" / "malformed" / "recogito__buonaparte.tei.xml"
    if not path.is_file():
        pytest.skip("shared corpus not available")
    report = v.validate(tei.load(path))
    # Recogito's selectors resolve: these four point into the header, outside the text
    assert "duplicate-id" in report.codes() and "target-outside" in report.codes()
    assert "unsupported-target" not in report.codes()


def test_schema_is_compiled_once_and_reports_lines(tmp_path):
    rng = DATA / "cli_tiny.rng"
    first = v.compiled_schema(rng)
    assert v.compiled_schema(str(rng)) is first
    doc = tei.load(DATA / "cli_problems.xml")  # has a standOff, which the tiny schema forbids
    problems = [p for p in v.validate(doc, rng).problems if p.code == "schema"]
    assert problems and problems[0].line == 17
    assert v.validate(tei.load(DATA / "wa_sample.xml"), rng).problems == []


@pytest.mark.parametrize("content", [b"", b"<grammar", b"<notrng/>"])
def test_unusable_schema_raises_tei_error(tmp_path, content):
    bad = tmp_path / "bad.rng"
    bad.write_bytes(content)
    with pytest.raises(tei.TeiError):
        v.compiled_schema(bad)
    with pytest.raises(tei.TeiError):
        v.compiled_schema(tmp_path / "missing.rng")


@pytest.mark.slow
def test_tei_all_schema_accepts_annotated_output_and_rejects_bad_values(tei_all_schema):
    schema = SHARED / "schema" / "tei_all.rng"
    name = os.path.abspath(schema)
    v._SCHEMAS[name] = (os.path.getmtime(name), tei_all_schema)  # reuse the session's compile
    doc = tei.load(DATA / "wa_sample.xml")
    ann = doc.add_annotation(doc.target_for(1, 0, 1, 10), "gl-figure",
                             annotator=doc.ensure_annotator("A. Historian"))  # fmt: skip
    ann.figure = tei.ContestedFigure(stated="1950", normalised=tei.Quantity(value=1950))
    assert v.validate(doc, schema).problems == []
    ann.element.set("cert", "certain")
    codes = [p.code for p in v.validate(doc, schema).problems]
    assert "invalid-certainty" in codes and "schema" in codes
