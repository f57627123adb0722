"""Inter-annotator agreement: Krippendorff's alpha against the published example and the
``krippendorff`` package, and per-category scores on a hand-made document with known values."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tei
from tei import cli
from tei.agreement import annotators, compare, krippendorff_alpha

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the nominal example: 0.743
PAPER = [[1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
         [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]]  # fmt: skip


def test_alpha_of_the_published_example() -> None:
    units = [list(u) for u in zip(*PAPER, strict=True)]
    assert krippendorff_alpha(units) == pytest.approx(0.743, abs=0.0005)


def test_alpha_is_undefined_without_variation_or_pairs() -> None:
    assert krippendorff_alpha([["a", "a"], ["a", "a"]]) is None
    assert krippendorff_alpha([["a", None], [None, "b"]]) is None
    assert krippendorff_alpha([["a", "a"], ["b", "b"]]) == 1.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=3, max_size=3),
                min_size=2, max_size=25))  # fmt: skip
def test_alpha_agrees_with_the_krippendorff_package(units) -> None:
    kd = pytest.importorskip("krippendorff")
    np = pytest.importorskip("numpy")
    ours = krippendorff_alpha(units)
    data = np.array([[math.nan if v is None else v for v in u] for u in units], dtype=float).T
    try:
        with np.errstate(invalid="ignore", divide="ignore"):
            theirs = kd.alpha(reliability_data=data, level_of_measurement="nominal")
    except (ValueError, ZeroDivisionError):
        theirs = math.nan
    if ours is None:
        assert theirs is None or math.isnan(theirs) or theirs == pytest.approx(1.0)
    else:
        assert ours == pytest.approx(theirs, abs=1e-9)


HEAD = ('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>T</title>'
        '</titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc>'
        '</teiHeader><text><body><p xml:id="p1">')  # fmt: skip
#: ten words of nine letters and a space: word n is at [10n, 10n + 10)
TEXT = " ".join(f"{w:x<9}" for w in ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf",
                                     "hotel", "india", "juliet"]) + " "  # fmt: skip
#: (annotator, category, start, end, certainty)
SPANS = [("Ann", "gl-bias", 0, 10, "unknown"), ("Ann", "gl-comment", 20, 30, "unknown"),
         ("Ann", "gl-comment", 40, 50, "high"), ("Ann", "gl-question", 60, 70, "unknown"),
         ("Ben", "gl-bias", 2, 9, "unknown"), ("Ben", "gl-question", 21, 29, "unknown"),
         ("Ben", "gl-comment", 40, 50, "low"), ("Ben", "gl-comment", 80, 90, "unknown")]  # fmt: skip


@pytest.fixture
def two(tmp_path):  # noqa: ANN201
    doc = tei.TeiDocument.from_bytes((HEAD + TEXT + "</p></body></text></TEI>").encode())
    for who, cat, s, e, cert in SPANS:
        pid = doc.ensure_annotator(who)
        ann = doc.add_annotation(doc.target_for(0, s, 0, e), cat, annotator=pid)
        ann.certainty = cert
    path = tmp_path / "two.xml"
    doc.save(str(path))
    return tei.load(str(path)), path


def test_scores_of_a_hand_made_document(two) -> None:  # noqa: ANN001
    doc, _ = two
    assert annotators(doc) == ["Ann", "Ben"]
    result = compare(doc, "Ann", "Ben")
    assert result.units == 5
    # units (Ann, Ben): bias/bias, comment/question, comment/comment, question/–, –/comment
    # o(b,b)=2, o(c,q)=o(q,c)=1, o(c,c)=2; n=6; alpha = 1 - 2 / ((2*3 + 2*1 + 3*1) * 2 / 5)
    assert result.alpha == pytest.approx(1 - 2 / 4.4)
    by = {c.category: c for c in result.categories}
    assert (by["gl-bias"].matched, by["gl-bias"].precision, by["gl-bias"].recall, by["gl-bias"].f1) == (1, 1, 1, 1)
    c = by["gl-comment"]
    assert (c.reference, c.other, c.matched) == (2, 2, 1) and c.precision == c.recall == c.f1 == 0.5
    q = by["gl-question"]
    assert (q.matched, q.precision, q.recall, q.f1) == (0, 0, 0, 0)
    # comment, marked or not on the five units: (F,F) (T,F) (T,T) (F,F) (F,T)
    assert c.alpha == pytest.approx(krippendorff_alpha(
        [[False, False], [True, False], [True, True], [False, False], [False, True]]))
    kinds = sorted(d.what for d in result.disagreements)
    assert kinds == ["category", "certainty", "only one annotated it", "only one annotated it"]
    cert = next(d for d in result.disagreements if d.what == "certainty")
    assert (cert.first, cert.second) == ("high", "low") and cert.quote.startswith("echoxxxxx")
    text = result.format_text()
    assert "Ann (reference) and Ben" in text and "0.55" in text and "4 disagreement(s)" in text


def test_cli_prints_the_table_and_json(two, capsys) -> None:  # noqa: ANN001
    _, path = two
    assert cli.run(["agreement", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Krippendorff's alpha (categories) 0.55" in out and "Comment" in out
    assert cli.run(["agreement", str(path), "--annotators", "Ben,Ann", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    pair = data["pairs"][0]
    assert pair["annotators"] == ["Ben", "Ann"] and pair["units"] == 5
    assert cli.run(["agreement", str(path), "--annotators", "Ann,Zoe"]) == 2
    assert "not found: Zoe" in capsys.readouterr().err


def test_exports_filter_by_annotator(two, tmp_path) -> None:  # noqa: ANN001
    doc, path = two
    out = tmp_path / "ben.csv"
    report = tei.export(doc, "csv", out, annotators="Ben")
    rows = out.read_text(encoding="utf-8").splitlines()
    assert report.count == 4 and len(rows) == 5 and all("Ann" not in r for r in rows[1:])
    both = tei.export(doc, "csv", tmp_path / "both.csv", annotators="Ann,Ben")
    assert both.count == 8
    with pytest.raises(tei.TeiError, match="no annotator named Zoe.*Ann, Ben"):
        tei.export(doc, "html", tmp_path / "x.html", annotators="Zoe")
    assert len(doc.annotations()) == 8  # the document itself is untouched
    assert cli.run(["export", str(path), "--to", "webanno", "-o", str(tmp_path / "a.json"),
                    "--option", "annotators=Ann"]) == 0  # fmt: skip
    data = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert len(data["first"]["items"]) == 4
