"""The document's own footnotes become sources (issue 9): parsing, resolution, storing, CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import tei
from tei import cli, footnote_sources
from tei.footnote_sources import citing_notes, from_notes, parse_citation, read_footnotes
from tei.ns import TEI

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "samples" / "soviet-aid-to-china.xml"
NS = {"t": TEI}


@pytest.fixture(scope="module")
def table() -> footnote_sources.FootnoteTable:
    return read_footnotes(tei.load(SAMPLE))


def row(table: footnote_sources.FootnoteTable, n: str) -> tuple[footnote_sources.Citation, dict]:
    c = next(c for c in table.citations if c.n == n)
    assert c.source is not None, (n, c.reason)
    return c, table.sources[c.source].item


def authors(item: dict) -> list[tuple[str, str]]:
    return [(a["family"], a.get("given", "")) for a in item.get("author", [])]


def year(item: dict) -> int:
    return item["issued"]["date-parts"][0][0]


# -- the seed's 49 footnotes -----------------------------------------------------------------------
def test_every_seed_footnote_is_read_in_numbered_order(table) -> None:
    assert [c.n for c in table.citations] == [str(i) for i in range(1, 50)]  # 29 is kept at the end
    assert not table.unparsed, [(c.n, c.reason) for c in table.unparsed]


def test_full_citations_are_split_into_fields_and_locator(table) -> None:
    c, item = row(table, "33")  # Chuikov V. I. Mission in China, Moscow, 1981, pp. 54-55.
    assert authors(item) == [("Chuikov", "V. I.")]
    assert (item["title"], item["publisher-place"], year(item)) == ("Mission in China", "Moscow", 1981)
    assert c.locator == "pp. 54-55" and c.how == "full"
    c, item = row(table, "8")  # Norins M. R. Gateway to Asia - Sinkjang. N. Y. 1944, pp. 15 - 16.
    assert item["title"] == "Gateway to Asia - Sinkjang" and item["publisher-place"] == "N. Y."
    assert year(item) == 1944 and c.locator == "pp. 15-16"
    c, item = row(table, "20")  # Dubinsky A.M. … (initials without a space)
    assert authors(item) == [("Dubinsky", "A. M.")] and item["title"] == "Soviet-Chinese Relations, 1937-1945"
    c, item = row(table, "17")  # See about him: Yanguzov Z. Sh. … Blagoveshchensk. 1970.
    assert authors(item) == [("Yanguzov", "Z. Sh.")] and item["publisher-place"] == "Blagoveshchensk"
    assert c.locator == ""
    _, item = row(table, "31")  # Pyn Min. A brief history … (a Chinese name, family name first)
    assert authors(item) == [("Pyn", "Min")] and item["title"].startswith("A brief history")
    c, item = row(table, "6")  # Lenin V. I. PSS. Vol. 39, p. 321.
    assert (item["title"], item["volume"], c.locator) == ("PSS", "39", "p. 321")
    c, item = row(table, "35")
    assert item["title"] == "Po znakomimym dorogam [On unfamiliar roads]" and c.locator == "p. 49 sl."


def test_articles_and_periodicals(table) -> None:
    _, item = row(table, "43")  # … imperialist Japan. - Voprosy istorii, 1983, N 9.
    assert item["type"] == "article-journal"
    assert authors(item) == [("Achkasov", "V. I."), ("Yuryev", "M. F.")]
    assert item["title"].endswith("imperialist Japan") and item["container-title"] == "Voprosy istorii"
    assert (year(item), item["issue"]) == (1983, "9")
    _, item = row(table, "13")  # Or Xinjiang Daily, 21. V. 1938. (an issue of a newspaper)
    assert item["issued"]["date-parts"] == [[1938, 5, 21]] and item["type"] == "periodical"
    _, item = row(table, "15")  # China at War, April 1940, N 3.
    assert item["title"] == "China at War" and item["issue"] == "3"
    assert item["issued"]["date-parts"] == [[1940, 4]]


def test_ibid_is_the_previous_notes_source(table) -> None:
    c1, _ = row(table, "1")
    c2, item = row(table, "2")  # Ibid., pp. 43-44.
    assert c2.source == c1.source and c2.how == "ibid" and c2.locator == "pp. 43-44"
    assert item["title"] == "Soviet-Chinese Relations, 1917-1957. Collected papers" and year(item) == 1959
    c35, _ = row(table, "35")
    c36, item = row(table, "36")  # Ibid., pp. 63, 78.
    assert c36.source == c35.source and c36.locator == "pp. 63, 78" and authors(item)[0][0] == "Kalyagin"


def test_op_cit_uk_soch_and_cit_by_are_the_earlier_source_by_the_author(table) -> None:
    for n, first in (("11", "8"), ("14", "8"), ("23", "8"), ("24", "20"), ("40", "33")):
        c, _ = row(table, n)
        assert c.source == row(table, first)[0].source and c.how == "op. cit.", n
    assert row(table, "40")[0].locator == "p. 113"
    c, item = row(table, "37")  # Cit. by: Cherepanov A. I. Uk. soch., p. 607.
    assert c.source == row(table, "19")[0].source and c.indirect and c.locator == "p. 607"
    assert year(item) == 1976


def test_short_titles_are_the_earlier_source_they_begin(table) -> None:
    pairs = {"18": "1", "44": "1", "26": "4", "34": "5", "41": "5", "25": "22", "27": "22",
             "42": "22", "32": "29"}  # fmt: skip  # 32 begins the bracketed translation of 29
    for n, first in pairs.items():
        c, _ = row(table, n)
        assert c.source == row(table, first)[0].source and c.how == "short title", n
    assert row(table, "32")[0].locator == "p. 74"
    # "On the Chinese land, Moscow, 1977" is another book than "On Chinese soil … 1974"
    assert row(table, "21")[0].source != row(table, "4")[0].source
    # Sladkovsky's "Istoriya" is not his "Ocherki"
    assert row(table, "25")[0].source != row(table, "12")[0].source


def test_identical_sources_are_grouped(table) -> None:
    assert len(table.sources) == 32
    assert sum(len(s.citations) for s in table.sources) == 49


# -- invented citations in other common shapes -----------------------------------------------------
@pytest.mark.parametrize(("text", "expect", "locator"), [
    ("Ivanov I. I. Sovetsko-kitaiskie otnosheniya // Voprosy istorii. 1960. No. 3. P. 12.",
     {"type": "article-journal", "title": "Sovetsko-kitaiskie otnosheniya",
      "container-title": "Voprosy istorii", "issue": "3", "year": 1960}, "P. 12"),
    ("Petrov P. P. Istoriya Kitaya. M.: Nauka, 1970. S. 45-47.",
     {"title": "Istoriya Kitaya", "publisher-place": "M.", "publisher": "Nauka", "year": 1970},
     "S. 45-47"),
    ("J. R. Smith, Aid and Trade in Asia (London: Faber, 1970), 45.",
     {"title": "Aid and Trade in Asia", "publisher-place": "London", "publisher": "Faber",
      "year": 1970, "author": [("Smith", "J. R.")]}, "45"),
    ("Smith, J. Aid and Trade. London: Faber, 1970.",
     {"title": "Aid and Trade", "author": [("Smith", "J.")], "publisher": "Faber"}, ""),
    ("Ivanov I. I., Petrov P. P. Kitai. M.; L., 1950. T. 2. S. 3.",
     {"title": "Kitai", "publisher-place": "M.; L.", "volume": "2",
      "author": [("Ivanov", "I. I."), ("Petrov", "P. P.")]}, "S. 3"),
    ("See also: Brown, A. China. Oxford, 1999, pp. 3 ff.",
     {"title": "China", "publisher-place": "Oxford", "year": 1999}, "pp. 3 ff."),
    ("Mao Zedong. Selected Works. Peking, 1965, vol. 4, p. 3.",
     {"title": "Selected Works", "author": [("Mao", "Zedong")], "volume": "4"}, "p. 3"),
])  # fmt: skip
def test_other_common_shapes(text: str, expect: dict, locator: str) -> None:
    p = parse_citation(text)
    assert p.kind == "full", p
    for key, value in expect.items():
        got = year(p.item) if key == "year" else authors(p.item) if key == "author" else p.item.get(key)
        assert got == value, (key, p.item)
    assert p.locator == locator


def test_what_does_not_read_as_a_citation_is_listed_with_why() -> None:
    assert parse_citation("This figure is disputed by other sources.").kind == "unparsed"
    assert "empty" in parse_citation("  ").reason
    assert "too long" in parse_citation("A. " * 20000).reason  # no pattern runs over a book-long note
    assert parse_citation("Only M.G.T. reads this line.").kind == "unparsed"  # not an author
    prose = parse_citation("The same machine, already described above, was also shown in Vienna by "
                           "two makers from Stuttgart, see p. 180.")  # fmt: skip
    assert prose.kind == "unparsed" and "prose" in prose.reason
    doc = tei.TeiDocument.from_bytes(_notes_doc([
        "Ibid., p. 3.", "Smith J. Op. cit., p. 5.", "Archive of Foreign Policy, f. 100, op. 5, d. 3.",
        "Chuikov V. I. Mission in China, Moscow, 1981, p. 9.", "Ibid.",
    ]))  # fmt: skip
    t = read_footnotes(doc)
    reasons = {c.n: c.reason for c in t.unparsed}
    assert set(reasons) == {"1", "2", "3"}
    assert "first note" in reasons["1"] and "Smith" in reasons["2"] and "citation" in reasons["3"]
    assert t.citations[4].source == t.citations[3].source  # Ibid. after a parsed note
    lines = t.format_text().splitlines()
    assert lines[0].startswith("1  could not parse: “Ibid.” in the first note")
    assert lines[-1] == "2 of 5 footnotes parsed into 1 sources; 3 could not be parsed"


# -- storing -------------------------------------------------------------------------------------
def _notes_doc(texts: list[str], ids: bool = True) -> bytes:
    notes = "".join(f'<note place="foot" n="{i}"' + (f' xml:id="n{i}"' if ids else "") + f">{t}</note> and "
                    for i, t in enumerate(texts, 1))  # fmt: skip
    return (f'<TEI xmlns="{TEI}">\n  <teiHeader>\n    <fileDesc><titleStmt><title>T</title></titleStmt>'
            '<publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc>\n'
            f'  </teiHeader>\n  <text>\n    <body>\n      <p>Text {notes}end.</p>\n    </body>\n'
            '  </text>\n</TEI>\n').encode()  # fmt: skip


def test_sources_point_back_at_their_notes_with_locators() -> None:
    doc = tei.load(SAMPLE)
    _, report = from_notes(doc)
    assert (len(report.added), report.links) == (32, 49)
    chuikov = next(s for s in doc.sources() if "Mission in China" in "".join(s.element.itertext()))
    assert chuikov.element.tag == f"{{{TEI}}}biblStruct" and chuikov.id.startswith("src-chuikov-")
    assert citing_notes(chuikov.element) == {"fn33": "pp. 54-55", "fn40": "p. 113"}
    rng = chuikov.element.find(".//t:relatedItem/t:bibl/t:citedRange", NS)
    assert (rng.get("unit"), rng.get("from"), rng.get("to")) == ("page", "54", "55")
    assert chuikov.element.findtext("t:monogr/t:author/t:persName/t:surname", namespaces=NS) == "Chuikov"
    cherepanov = next(s for s in doc.sources() if "fn37" in citing_notes(s.element))
    indirect = [r for r in cherepanov.element.iter(f"{{{TEI}}}relatedItem") if r.get("subtype")]
    assert [r.get("subtype") for r in indirect] == ["indirect"]


def test_rerunning_merges_and_keeps_user_edits() -> None:
    doc = tei.load(SAMPLE)
    from_notes(doc)
    first = doc.to_bytes(when="2026-01-01T00:00:00Z")
    _, again = from_notes(doc)
    assert (again.added, again.merged, again.links) == ([], [], 0)
    assert doc.to_bytes(when="2026-01-01T00:00:00Z") == first
    # after a save and reload, and after the user retitled a source: still no double
    doc = tei.TeiDocument.from_bytes(first)
    chuikov = next(s for s in doc.sources() if "fn33" in citing_notes(s.element))
    chuikov.element.find(".//t:title", NS).text = "Missiya v Kitae [Mission in China]"
    _, again = from_notes(doc)
    assert (again.added, again.links) == ([], 0)
    assert len(doc.sources()) == 32
    assert chuikov.element.find(".//t:title", NS).text == "Missiya v Kitae [Mission in China]"


def test_a_new_note_merges_into_the_existing_source() -> None:
    texts = ["Chuikov V. I. Mission in China, Moscow, 1981, p. 9."]
    doc = tei.TeiDocument.from_bytes(_notes_doc(texts))
    from_notes(doc)
    added = '<note place="foot" n="2" xml:id="n2">Chuikov V. I. Mission in China. Moscow, 1981, p. 12.</note>'
    more = tei.TeiDocument.from_bytes(doc.to_bytes().replace(b"end.", added.encode() + b" end."))
    _, report = from_notes(more)
    assert (report.added, report.links) == ([], 1) and len(report.merged) == 1
    assert citing_notes(more.sources()[0].element) == {"n1": "p. 9", "n2": "p. 12"}


def test_notes_are_byte_identical_and_get_ids_only_when_missing() -> None:
    data = SAMPLE.read_bytes()
    doc = tei.TeiDocument.from_bytes(data)
    from_notes(doc)
    out = doc.to_bytes(when="2026-01-01T00:00:00Z")
    text, new = data.decode(), out.decode()
    notes = re.findall(r"<note place=\"foot\".*?</note>", text)
    assert len(notes) == 49 and all(n in new for n in notes)
    body = slice(text.index("<text "), text.index("</text>"))
    assert new[new.index("<text ") : new.index("</text>")] == text[body]
    # notes without an xml:id get one in their start tag, and nothing else changes
    plain = _notes_doc(["Chuikov V. I. Mission in China, Moscow, 1981, p. 9.", "Ibid., p. 10."], ids=False)
    doc = tei.TeiDocument.from_bytes(plain)
    _, report = from_notes(doc)
    out = doc.to_bytes(when="2026-01-01T00:00:00Z").decode()
    ids = re.findall(r'<note place="foot" n="\d" xml:id="(gl-note-[0-9a-z]{10})">', out)
    assert len(ids) == 2 and list(report.note_ids.values()) == ids
    stripped = re.sub(r' xml:id="gl-note-[0-9a-z]{10}"', "", out)
    part = slice(plain.index(b"<text>"), plain.index(b"</text>"))
    assert stripped[stripped.index("<text>") : stripped.index("</text>")] == plain[part].decode()
    assert citing_notes(doc.sources()[0].element) == {ids[0]: "p. 9", ids[1]: "p. 10"}


def test_output_is_valid_tei(tei_all_schema) -> None:
    doc = tei.load(SAMPLE)
    from_notes(doc)
    again = tei.TeiDocument.from_bytes(doc.to_bytes())
    assert tei_all_schema.validate(again.tree), tei_all_schema.error_log


# -- the command -----------------------------------------------------------------------------------
def test_cli_prints_the_table_and_writes_the_sources(tmp_path, capsys) -> None:
    out = tmp_path / "out.xml"
    assert cli.run(["sources", "from-notes", str(SAMPLE), "-o", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[32] == "33  Chuikov V. I. Mission in China. Moscow, 1981  — pp. 54-55"
    assert printed[1].startswith(" 2  Soviet-Chinese Relations, 1917-1957. Collected papers. Moscow, 1959  (ibid)")
    assert printed[-2] == "49 of 49 footnotes parsed into 32 sources; 0 could not be parsed"
    assert printed[-1] == f"wrote {out}: 32 sources added, 0 merged with existing ones, 49 notes linked"
    doc = tei.load(out)
    assert len(doc.sources()) == 32
    assert cli.run(["sources", "from-notes", str(out), "-o", str(tmp_path / "again.xml")]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("0 sources added, 0 merged with existing ones, 0 notes linked")


def test_cli_lists_what_could_not_be_parsed_and_refuses_bad_input(tmp_path, capsys) -> None:
    src = tmp_path / "doc.xml"
    src.write_bytes(_notes_doc(["Ibid., p. 3.", "Chuikov V. I. Mission in China, Moscow, 1981."]))
    assert cli.run(["sources", "from-notes", str(src), "-o", str(tmp_path / "o.xml")]) == 1
    out = capsys.readouterr().out
    assert "1  could not parse: “Ibid.” in the first note" in out
    assert cli.run(["sources", "from-notes", str(src), "-o", str(src)]) == 2
    assert "would be replaced" in capsys.readouterr().err
    bad = tmp_path / "bad.xml"
    bad.write_text("<TEI")
    assert cli.run(["sources", "from-notes", str(bad), "-o", str(tmp_path / "o2.xml")]) == 2
    assert capsys.readouterr().err.startswith("glossator: error: ")


def test_a_note_citing_several_sources_links_each_and_reruns_cleanly() -> None:
    doc = tei.TeiDocument.from_bytes(_notes_doc([
        "Chuikov V. I. Mission in China, Moscow, 1981, p. 5.",
        "Ibid., p. 7; Kapitsa M. S. Sovetsko-kitayskie otnosheniya, Moscow, 1958, p. 3.",
        "Ivanov I. I., Petrov P. P. Kitai. M.; L., 1950. T. 2. S. 3.",  # "M.; L." is one imprint
    ]))  # fmt: skip
    table, report = from_notes(doc)
    assert [c.label for c in table.citations] == ["1", "2.1", "2.2", "3"]
    assert table.citations[1].source == table.citations[0].source
    assert table.sources[table.citations[3].source].item["publisher-place"] == "M.; L."
    assert (len(report.added), report.links) == (3, 4)
    chuikov, kapitsa, _ = (s.element for s in doc.sources())
    assert citing_notes(chuikov) == {"n1": "p. 5", "n2": "p. 7"} and citing_notes(kapitsa) == {"n2": "p. 3"}
    assert [r.get("n") for r in kapitsa.iter(f"{{{TEI}}}relatedItem")] == ["2"]
    saved = doc.to_bytes(when="2026-01-01T00:00:00Z")
    again = tei.TeiDocument.from_bytes(saved)
    _, report = from_notes(again)
    assert (report.added, report.links) == ([], 0)
    assert again.to_bytes(when="2026-01-01T00:00:00Z") == saved


def test_numbering_that_restarts_keeps_the_documents_order() -> None:
    data = _notes_doc(["Chuikov V. I. Mission in China, Moscow, 1981, p. 5.", "Ibid., p. 6.",
                       "Kapitsa M. S. Sovetsko-kitayskie otnosheniya, Moscow, 1958, p. 3.", "Ibid., p. 4."])  # fmt: skip
    data = data.replace(b'n="3"', b'n="1"').replace(b'n="4"', b'n="2"')  # chapter 2 numbers anew
    table = read_footnotes(tei.TeiDocument.from_bytes(data))
    assert [c.n for c in table.citations] == ["1", "2", "1", "2"]
    assert table.citations[3].source == table.citations[2].source != table.citations[0].source


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Ibid.", "Chuikov", "V. I.", "Op. cit.", "Uk. soch.", "Cit. by:", "See:",
                                 "Moscow", "M.:", "1981", ",", ".", ";", "//", " - ", "pp. 54-55", "[History]",
                                 "(London: Faber, 1970)", "vol. 2", "N 9", "21. V. 1938", "April", "x"]),
                max_size=14).map(" ".join) | st.text(max_size=200))  # fmt: skip
@example(", (London: Faber, 1970)")  # a place and a year but no title: once read as a titleless book
def test_any_text_reads_as_a_citation_or_says_why_not(text: str) -> None:
    for part in footnote_sources.split_citations(text):
        p = parse_citation(part)
        assert p.kind in ("full", "short", "ibid", "op-cit") or p.reason
        assert p.kind != "full" or p.item.get("title") or p.item.get("container-title")
