"""CSV export: one row per annotation, spreadsheet-safe."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import tei
from tei.exporters import export
from tei.exporters.csv_export import COLUMNS, defuse, render_csv
from tests.tei.export_helpers import SMALL, build_sample, check_golden, fix_time, nth_id


@pytest.fixture
def sample(monkeypatch):
    fix_time(monkeypatch)
    return build_sample()


def note_id(doc) -> str:
    """Return the id Glossator gave the sample's annotated footnote."""
    (found,) = [i for i in doc.ids() if i.startswith("gl-note-")]
    return found


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_golden(sample) -> None:
    text, count = render_csv(sample)
    assert count == 14
    check_golden("sample.csv", text)


def test_columns_and_values(sample) -> None:
    table = rows(render_csv(sample)[0])
    assert list(table[0]) == COLUMNS and len(table) == 14
    by_id = {r["id"]: r for r in table}
    bias = by_id[nth_id(sample, 1)]
    assert bias["category_path"] == "Bias note > Loaded language" and bias["kind"] == "bias"
    assert bias["start_element"] == "p1" and int(bias["end_offset"]) > int(bias["start_offset"])
    assert bias["page"] == "74" and bias["certainty"] == "high"
    assert "Second paragraph" in bias["note"] and "Party jargon" in bias["note"]
    fig = by_id[nth_id(sample, 2)]
    assert fig["stated"] == "300 million dollars" and fig["normalised"] == "300,000,000 USD"
    assert "Borisov 1975, p. 55" in fig["alternatives"] and " | " in fig["alternatives"]
    assert "Lüthi" in fig["sources"] and fig["status"] == "disputed"
    assert by_id[nth_id(sample, 4)]["relation"] == "contradicts" and by_id[nth_id(sample, 4)]["page"] == "75"
    assert by_id[nth_id(sample, 14)]["resolution"].startswith("orphan")
    assert by_id[nth_id(sample, 5)]["annotator"] == "Bob <b>Critic</b>"
    assert by_id[nth_id(sample, 5)]["modified"] > by_id[nth_id(sample, 5)]["created"]
    # element ids and offsets are those of the TEI pointer (also across paragraphs and notes)
    across = by_id[nth_id(sample, 7)]
    assert across["target"] == "#range(string-index(p1,200),string-index(p2,114))"
    assert [across[k] for k in ("start_element", "start_offset", "end_element", "end_offset")] == [
        "p1", "200", "p2", "114"]
    in_note = by_id[nth_id(sample, 8)]
    assert (in_note["start_element"], in_note["start_offset"], in_note["end_offset"]) == (
        note_id(sample), "7", "22")


def test_positions_from_a_note_to_the_next_paragraph(sample) -> None:
    """A passage starting in a footnote: the row names the note, not an id-less paragraph."""
    from tests.tei.export_helpers import find

    b0, r0, _ = find(sample, "vol. 41")
    b1, _, r1 = find(sample, "In 1950 the")
    ann = sample.add_annotation(sample.target_for(b0, r0, b1, r1), "gl-comment")
    row = next(r for r in rows(render_csv(sample)[0]) if r["id"] == ann.id)
    assert row["start_element"] == note_id(sample) and row["end_element"] == "p2"
    note = sample.element_by_id(note_id(sample))
    text = "".join(note.itertext())
    assert text[int(row["start_offset"]):].startswith("vol. 41")
    assert int(row["end_offset"]) == len("In 1950 the")


def test_formula_injection_defused(sample) -> None:
    sample.annotations()[0].note = ["=HYPERLINK(\"http://evil\")"]
    sample.annotations()[1].note = ["+1+1", "x"]
    sample.annotations()[2].note = ["@SUM(A1)"]
    sample.annotations()[3].note = ["-2"]
    sample.annotations()[4].note = ["\tcmd"]
    table = rows(render_csv(sample)[0])
    notes = {r["id"]: r["note"] for r in table}
    assert notes[nth_id(sample, 1)].startswith("'=HYPERLINK(\"http://evil\")")
    assert notes[nth_id(sample, 2)].startswith("'+1+1") and notes[nth_id(sample, 3)] == "'@SUM(A1)"
    assert notes[nth_id(sample, 4)].startswith("'-2")
    for r in table:
        for value in r.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    assert defuse("plain") == "plain" and defuse("\rx") == "'\rx"


def test_bom_option_and_quoting(sample, tmp_path) -> None:
    sample.annotations()[0].note = ['A "quoted", multi-line\nnote; with ; semicolons']
    export(sample, "csv", tmp_path / "plain.csv")
    export(sample, "csv", tmp_path / "bom.csv", bom=True)
    plain, bom = (tmp_path / "plain.csv").read_bytes(), (tmp_path / "bom.csv").read_bytes()
    assert not plain.startswith(b"\xef\xbb\xbf") and bom == b"\xef\xbb\xbf" + plain
    table = rows(bom.decode("utf-8-sig"))
    assert table[1]["note"].startswith('A "quoted", multi-line\nnote')
    assert b"\r\n" in plain


def test_semicolon_delimiter(sample) -> None:
    text, _ = render_csv(sample, delimiter=";")
    assert text.splitlines()[0].startswith("id;number;category")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 3), st.integers(0, 40), st.integers(0, 3), st.integers(0, 40))
def test_positions_point_at_the_quote(b0, r0, b1, r1) -> None:
    """The element ids and offsets of a row locate the quoted passage in the element's text."""
    doc = tei.TeiDocument.from_bytes(SMALL.encode())
    blocks = doc.text.blocks
    (b0, r0), (b1, r1) = sorted([(b0, r0), (b1, r1)])
    r0, r1 = min(r0, len(blocks[b0].reading)), min(r1, len(blocks[b1].reading))
    assume((b0, r0) != (b1, r1))
    ann = doc.add_annotation(doc.target_for(b0, r0, b1, r1), "gl-comment")
    row = rows(render_csv(doc)[0])[0]
    start = "".join(doc.element_by_id(row["start_element"]).itertext())
    end = "".join(doc.element_by_id(row["end_element"]).itertext())
    s0, s1 = int(row["start_offset"]), int(row["end_offset"])
    if row["start_element"] == row["end_element"]:
        assert start[s0:s1] == ann.quote
    else:
        assert ann.quote.startswith(start[s0:]) and ann.quote.endswith(end[:s1])
