"""The claim × source matrix (tei.matrix): the annotated sample, hand-made cases, the claim
marker, ``glossator matrix``, the HTML edition's table and the CSV export's matrix file."""

from __future__ import annotations

import csv
import io
import shutil
import sys
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

import tei
from tei import cli, ns, relations
from tei.annotations import Alternative, ContestedFigure, Quantity, SourceLink
from tei.exporters import export
from tei.exporters.html import render_html
from tei.matrix import NO_SOURCE, SELF, build_matrix, to_csv, to_text

ROOT = Path(__file__).resolve().parents[2]
PLAIN = ROOT / "resources" / "samples" / "soviet-aid-to-china.xml"


def _annotated_sample(tmp_path: Path) -> tei.TeiDocument:
    """The sample article annotated by tools/annotate_sample.py (the README's illustrative file)."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import annotate_sample
    finally:
        sys.path.remove(str(ROOT / "tools"))
    path = tmp_path / "annotated.xml"
    shutil.copy(PLAIN, path)
    doc = tei.load(str(path))
    annotate_sample.annotate(doc)
    return doc


def _by_quote(m, quote: str):  # noqa: ANN001, ANN202
    return next(c for c in m.claims if c.quote == quote)


def _col(m, label: str) -> str:  # noqa: ANN001
    return next(s.id for s in m.sources if s.label == label)


def _mark(doc: tei.TeiDocument, text: str, category: str, nth: int = 0) -> tei.Annotation:
    for i, b in enumerate(doc.text.blocks):
        start = b.reading.find(text)
        while start >= 0:
            if nth == 0:
                return doc.add_annotation(doc.target_for(i, start, i, start + len(text)), category)
            nth -= 1
            start = b.reading.find(text, start + 1)
    raise AssertionError(text)


@pytest.fixture
def sample(tmp_path: Path) -> tei.TeiDocument:
    return _annotated_sample(tmp_path)


# -- the illustrative sample ------------------------------------------------------------------
def test_the_annotated_samples_matrix(sample: tei.TeiDocument) -> None:
    m = build_matrix(sample)
    assert [s.label for s in m.sources] == ["Garver 1988", "Whiting 1958", "Kapitsa 1958"]
    # the four contested figures and the two source links marked as claims, in reading order
    assert [c.quote for c in m.claims] == [
        "A total of 135 advisers", "highway length of 2925 km", "$ 500 million",
        "about 1 thousand fighters and bombers", "1,140 guns", "700 people"]  # fmt: skip
    garver, whiting, kapitsa = (_col(m, x) for x in ("Garver 1988", "Whiting 1958", "Kapitsa 1958"))
    loan = _by_quote(m, "$ 500 million")
    assert m.cell_text(loan, garver) == ("other value: $ 250 million (three credits, 1938–1939), "
                                         "ch. 2 (medium)")  # fmt: skip
    assert m.cell_text(loan, kapitsa) == "other value: $ 100 million (1938) (low)"
    assert m.cell_text(loan, whiting) == "silent"
    assert loan.stated == "$ 500 million (500,000,000 USD)" and loan.page == "79"
    (ev,) = m.cell(loan, garver)
    assert ev.annotation == loan.id and ev.note == "The article itself gives $ 250 million below."
    highway = _by_quote(m, "highway length of 2925 km")
    assert highway.text == "The Sary-Ozek – Lanzhou highway was 2,925 km long."
    assert m.cell_text(highway, whiting) == "corroborates"
    assert m.cell_text(highway, garver) == m.cell_text(highway, kapitsa) == "silent"
    advisers = _by_quote(m, "A total of 135 advisers")
    assert advisers.text == advisers.quote  # marked without a wording: the passage is the claim
    assert m.cell_text(advisers, kapitsa) == "qualifies"  # a source link giving context
    guns = _by_quote(m, "1,140 guns")
    assert all(m.cell_text(guns, s.id) == "silent" for s in m.sources)
    assert m.cell_text(_by_quote(m, "700 people"), garver) == (
        "other value: over 2,000 pilots and ground crew, ch. 2 (medium)")
    # the comments, the question and the bias notes are not claims
    assert {c.kind for c in m.claims} == {"figure", "source"}


def test_the_shipped_annotated_sample_has_the_same_claims(sample: tei.TeiDocument) -> None:
    shipped = tei.load(str(ROOT / "resources" / "samples" / "soviet-aid-to-china-annotated.xml"))
    assert [(c.text, c.kind) for c in build_matrix(shipped).claims] == \
        [(c.text, c.kind) for c in build_matrix(sample).claims]


# -- hand-made cases --------------------------------------------------------------------------
@pytest.fixture
def doc(tmp_path: Path) -> tei.TeiDocument:
    path = tmp_path / "doc.xml"
    shutil.copy(PLAIN, path)
    return tei.load(str(path))


def test_a_source_giving_the_same_value_corroborates_and_values_without_a_source_have_a_column(
        doc: tei.TeiDocument) -> None:  # fmt: skip
    a = doc.add_source(author="Alpha, A.", title="One", date="1990")
    fig = _mark(doc, "$ 500 million", "gl-figure")
    fig.figure = ContestedFigure("$ 500 million", Quantity(value=500e6, unit="USD"), [
        Alternative("half a billion dollars", Quantity(value=500e6, unit="usd"), a, "p. 3", "high"),
        Alternative("600 million", Quantity(value=600e6, unit="USD")),
    ])  # fmt: skip
    m = build_matrix(doc)
    (claim,) = m.claims
    assert m.cell_text(claim, a) == "corroborates: half a billion dollars, p. 3 (high)"
    assert m.cell_text(claim, NO_SOURCE) == "other value: 600 million"
    assert [s.id for s in m.sources] == [a, NO_SOURCE]


def test_source_links_count_for_the_claims_their_passage_overlaps(doc: tei.TeiDocument) -> None:
    a = doc.add_source(author="Alpha, A.", title="One", date="1990")
    b = doc.add_source(author="Beta, B.", title="Two", date="1991")
    fig = _mark(doc, "$ 500 million", "gl-figure")
    comment = _mark(doc, "1,140 guns", "gl-comment")
    comment.claim = "The USSR sent 1,140 guns."
    wide = _mark(doc, "500 million", "gl-source")  # inside the figure's passage
    wide.source_link = SourceLink("contradicts", a, "p. 9")
    wide.certainty = "low"
    far = _mark(doc, "A total of 135 advisers", "gl-source")  # overlaps no claim
    far.source_link = SourceLink("corroborates", b)
    m = build_matrix(doc)
    assert [c.id for c in m.claims] == [fig.id, comment.id]  # a plain source link is no claim
    fig_row, guns = m.claims
    assert m.cell_text(fig_row, a) == "contradicts, p. 9 (low)"
    assert m.cell(fig_row, a)[0].annotation == wide.id  # a click goes to the source link
    assert m.cell_text(fig_row, b) == m.cell_text(guns, a) == m.cell_text(guns, b) == "silent"
    assert guns.text == "The USSR sent 1,140 guns." and guns.kind == "comment"


def test_evidence_links_fill_the_columns_of_their_other_end(doc: tei.TeiDocument) -> None:
    a = doc.add_source(author="Alpha, A.", title="One", date="1990")
    fig = _mark(doc, "$ 500 million", "gl-figure")
    fig.figure = ContestedFigure("$ 500 million", Quantity(value=500e6, unit="USD"))
    later = _mark(doc, "$ 250 million", "gl-figure")  # the article itself, further on
    later.figure = ContestedFigure("$ 250 million", Quantity(value=250e6, unit="USD"))
    cite = _mark(doc, "A total of 135 advisers", "gl-source")
    cite.source_link = SourceLink("corroborates", a)
    r1 = relations.add_relation(doc, later.id, f"#{fig.id}", "alternative-value", certainty="medium")
    r2 = relations.add_relation(doc, cite.id, f"#{fig.id}", "corroborates", note="Same total.")
    r3 = relations.add_relation(doc, fig.id, "other.xml#gl-a-x", "contradicts")  # claim is active
    relations.add_relation(doc, later.id, f"#{a}", "qualifies")  # a bibliographic entry itself
    odd = relations.add_relation(doc, cite.id, f"#{fig.id}", "corroborates")
    odd.element.set("name", "nonsense")  # a name the matrix does not know is left out
    m = build_matrix(doc)
    row = next(c for c in m.claims if c.id == fig.id)
    assert m.cell_text(row, SELF) == "other value: $ 250 million (medium)"
    (ev,) = m.cell(row, SELF)
    assert (ev.annotation, ev.relation) == (later.id, r1.id)
    (ev,) = m.cell(row, a)
    assert (ev.relation, ev.annotation, ev.note) == (r2.id, cite.id, "Same total.")
    assert m.cell_text(row, "doc:other.xml") == "contradicts"
    (ev,) = m.cell(row, "doc:other.xml")
    assert ev.annotation == fig.id and ev.relation == r3.id  # nothing here to jump to but the claim
    other = next(c for c in m.claims if c.id == later.id)
    # both ends are claims: each row shows the other as evidence
    assert m.cell_text(other, SELF) == "other value: $ 500 million (medium)"
    assert m.cell_text(other, a) == "qualifies"
    labels = {s.id: s.label for s in m.sources}
    assert labels["doc:other.xml"] == "other.xml" and labels[SELF] == "This document"
    assert [s.kind for s in m.sources] == ["bibl", "document", "self"]


def test_another_value_in_another_document_is_read_from_it(doc: tei.TeiDocument,
                                                            tmp_path: Path) -> None:  # fmt: skip
    other_path = tmp_path / "other source.xml"
    shutil.copy(PLAIN, other_path)
    other = tei.load(str(other_path))
    theirs = _mark(other, "1,140 guns", "gl-figure")
    theirs.figure = ContestedFigure("1,140 guns", Quantity(value=1140, unit="guns"))
    other.save(str(other_path))
    ours = _mark(doc, "$ 500 million", "gl-figure")
    doc.save(str(tmp_path / "doc.xml"))
    uri = relations.passive_uri(doc.path, str(other_path), theirs.id)
    relations.add_relation(doc, ours.id, uri, "alternative-value", certainty="low")
    m = build_matrix(doc)
    (column,) = [s for s in m.sources if s.kind == "document"]
    assert column.label == "other source.xml" and column.id == "doc:other source.xml"
    assert m.cell_text(m.claims[0], column.id) == "other value: 1,140 guns (low)"
    other_path.unlink()  # a missing file: the link is still shown, without a value
    assert m.cell_text(build_matrix(doc).claims[0], column.id) == "other value (low)"


def test_no_claims_no_rows(doc: tei.TeiDocument) -> None:
    _mark(doc, "1,140 guns", "gl-comment")
    m = build_matrix(doc)
    assert m.claims == [] and "no claims" in to_text(m)


# -- the claim marker -------------------------------------------------------------------------
def test_the_claim_marker_is_a_typed_note_that_survives_a_save(doc: tei.TeiDocument,
                                                               tmp_path: Path) -> None:  # fmt: skip
    ann = _mark(doc, "1,140 guns", "gl-comment")
    ann.note = ["My note."]
    assert ann.claim is None
    ann.claim = "  The   USSR sent guns. "
    assert ann.claim == "The USSR sent guns." and ann.note == ["My note."]
    notes = [n.get("type") for n in ann.element.iter(ns.qn("note"))]
    assert notes == ["quote", "body", "claim"]
    out = tmp_path / "out.xml"
    doc.save(str(out))
    back = tei.load(str(out)).annotation(ann.id)
    assert back.claim == "The USSR sent guns." and back.note == ["My note."]
    back.claim = ""
    assert back.claim == "" and back.element.find(f"{ns.qn('note')}[@type='claim']").text is None
    back.claim = None
    assert back.claim is None and back.element.find(f"{ns.qn('note')}[@type='claim']") is None


def test_a_document_with_claims_and_relations_is_valid_tei(doc: tei.TeiDocument, tmp_path: Path,
                                                            tei_all_schema) -> None:  # noqa: ANN001
    ann = _mark(doc, "1,140 guns", "gl-comment")
    ann.claim = "Guns."
    empty = _mark(doc, "700 people", "gl-figure")
    empty.claim = ""
    out = tmp_path / "valid.xml"
    doc.save(str(out))
    tree = etree.parse(str(out))
    assert tei_all_schema.validate(tree), tei_all_schema.error_log


# -- outputs ----------------------------------------------------------------------------------
def _save(doc: tei.TeiDocument, tmp_path: Path) -> Path:
    out = tmp_path / "saved.xml"
    doc.save(str(out))
    return out


def test_cli_prints_the_table_and_csv(sample: tei.TeiDocument, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    path = _save(sample, tmp_path)
    assert cli.run(["matrix", str(path)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split(" | ") == ["claim".ljust(len(lines[0].split(" | ")[0])),
                                     "Garver 1988".ljust(28), "Whiting 1958  ", "Kapitsa 1958"]
    row = next(line for line in lines if line.startswith("“$ 500 million”"))
    assert row.split(" | ")[3] == "≠ $ 100 million (1938) (low)"
    assert row.split(" | ")[2].strip() == "·"
    assert "Garver 1988: Garver, John W. Chinese-Soviet Relations, 1937–1945." in out
    assert cli.run(["matrix", str(path), "--csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out, newline="")))
    assert rows[0] == ["claim_id", "claim", "passage", "kind", "stated_value", "page", "certainty",
                       "Garver 1988", "Whiting 1958", "Kapitsa 1958"]  # fmt: skip
    loan = next(r for r in rows if r[2] == "$ 500 million")
    assert loan[7:] == ["other value: $ 250 million (three credits, 1938–1939), ch. 2 (medium)",
                        "silent", "other value: $ 100 million (1938) (low)"]  # fmt: skip
    assert len(rows) == 7


def test_cli_writes_a_file_and_refuses_bad_input(sample: tei.TeiDocument, tmp_path: Path,
                                                 capsys) -> None:  # noqa: ANN001
    path = _save(sample, tmp_path)
    out = tmp_path / "m.csv"
    assert cli.run(["matrix", str(path), "--csv", "--delimiter", ";", "-o", str(out)]) == 0
    assert "wrote" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8").startswith("claim_id;claim;passage;")
    assert cli.run(["matrix", str(path), "-o", str(path)]) == 2  # never over its input
    assert "would be replaced" in capsys.readouterr().err
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<TEI><text>cut")
    assert cli.run(["matrix", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("glossator: error: ") and "Traceback" not in err
    assert "matrix" in cli.COMMANDS and "matrix" in cli.commands_help()


def test_csv_cells_that_look_like_formulas_are_defused(doc: tei.TeiDocument) -> None:
    fig = _mark(doc, "$ 500 million", "gl-figure")
    src = doc.add_source(author="=HYPERLINK(1)", title="x")
    fig.figure = ContestedFigure("$ 500 million", alternatives=[Alternative("=1+1", source=src)])
    text = to_csv(build_matrix(doc))
    assert "'=HYPERLINK(1)" in text and "'=1+1" not in text  # a cell starting 'other value: =1+1'
    assert "other value: =1+1" in text


def test_the_html_edition_has_the_matrix_table(sample: tei.TeiDocument) -> None:
    html, _ = render_html(sample)
    page = lxml.html.document_fromstring(html)
    table = page.get_element_by_id("matrix").find(".//table")
    heads = [th.text_content() for th in table.findall("thead/tr/th")]
    assert heads == ["Claim", "Garver 1988", "Whiting 1958", "Kapitsa 1958"]
    assert table.find("thead/tr/th[2]/a").get("href").startswith("#bib-")
    rows = table.findall("tbody/tr")
    assert len(rows) == 6
    loan = next(r for r in rows if "$ 500 million" in r.find("th").text_content())
    cells = loan.findall("td")
    assert cells[0].text_content() == ("other value: $ 250 million (three credits, 1938–1939), "
                                       "ch. 2 (medium)")  # fmt: skip
    assert cells[1].text_content() == "silent" and cells[1].get("class") == "silent"
    number = loan.find("th/a").get("href")
    assert cells[0].find(".//a").get("href") == number  # the evidence is in the figure's own note
    assert page.get_element_by_id(number[1:]) is not None
    assert any(a.get("href") == "#matrix" for a in page.iter("a"))  # in the contents


def test_the_html_edition_has_no_matrix_without_claims(doc: tei.TeiDocument) -> None:
    _mark(doc, "1,140 guns", "gl-comment")
    html, _ = render_html(doc)
    assert 'id="matrix"' not in html and "#matrix" not in html


def test_the_csv_export_writes_the_matrix_beside_the_table(sample: tei.TeiDocument,
                                                           tmp_path: Path) -> None:  # fmt: skip
    dest = tmp_path / "notes.csv"
    report = export(sample, "csv", dest, bom=True, delimiter=";")
    matrix = tmp_path / "notes-matrix.csv"
    assert report.also == [str(matrix)]
    data = matrix.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the same BOM and separator as the table
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0][-3:] == ["Garver 1988", "Whiting 1958", "Kapitsa 1958"] and len(rows) == 7
    dest.unlink()
    matrix.unlink()
    assert export(sample, "csv", dest, matrix=False).also == []
    assert not matrix.exists() and dest.exists()


def test_the_csv_export_writes_no_matrix_without_claims(doc: tei.TeiDocument, tmp_path: Path,
                                                        capsys) -> None:  # noqa: ANN001
    _mark(doc, "1,140 guns", "gl-comment")
    path = _save(doc, tmp_path)
    assert cli.run(["export", str(path), "--to", "csv", "-o", str(tmp_path / "t.csv")]) == 0
    assert sorted(p.name for p in tmp_path.glob("t*.csv")) == ["t.csv"]
    assert "matrix" not in capsys.readouterr().err


def test_export_cli_says_it_wrote_the_matrix(sample: tei.TeiDocument, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    path = _save(sample, tmp_path)
    assert cli.run(["export", str(path), "--to", "csv", "-o", str(tmp_path / "t.csv")]) == 0
    assert f"wrote {tmp_path / 't-matrix.csv'}" in capsys.readouterr().err


def test_diff_shows_a_claim_marked(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    before = tmp_path / "a.xml"
    shutil.copy(PLAIN, before)
    doc = tei.load(str(before))
    ann = _mark(doc, "1,140 guns", "gl-comment")
    doc.save(str(before))
    ann.claim = "Guns were sent."
    after = tmp_path / "b.xml"
    doc.save(str(after))
    assert cli.run(["diff", str(before), str(after)]) == 1
    out = capsys.readouterr().out
    assert "    claim: (none) → Guns were sent." in out.splitlines(), out


def test_web_annotation_export_and_import_keep_the_claim_marker(sample: tei.TeiDocument,
                                                                 tmp_path: Path) -> None:  # fmt: skip
    from tei.webanno import import_webanno, to_webanno

    data = to_webanno(sample)
    target = tmp_path / "plain.xml"
    shutil.copy(PLAIN, target)
    fresh = tei.load(str(target))
    report = import_webanno(fresh, data)
    assert not report.failed
    assert [(c.text, c.quote) for c in build_matrix(fresh).claims] == \
        [(c.text, c.quote) for c in build_matrix(sample).claims]


def test_a_cited_footnote_is_a_column_named_after_it(doc: tei.TeiDocument) -> None:
    comment = _mark(doc, "A total of 135 advisers", "gl-source")
    comment.source_link = SourceLink("corroborates", "fn5")  # what the app's Cite of a note makes
    comment.claim = ""
    m = build_matrix(doc)
    (column,) = m.sources
    assert (column.id, column.label) == ("fn5", "Note 5")
    assert column.citation.startswith("Military aid to the USSR in the liberation struggle")
    assert m.cell_text(m.claims[0], "fn5") == "corroborates"
