"""Citations out in a CSL style: TEI entries read as CSL-JSON, formatted by citeproc-py."""

from __future__ import annotations

import csv
import difflib
import io
import os
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

import tei
from tei import citations, cli, ns
from tei.bibliography import csl_to_biblstruct
from tei.citations import CitationStyleError, biblstruct_to_csl, format_bibliography
from tei.citations import format_citation as cite
from tei.exporters import export
from tei.exporters.csv_export import render_csv
from tei.exporters.html import render_html

from ..conftest import DATA

CSL = DATA / "csl"
BIB = CSL / "bibliography.xml"
#: The golden styles: Chicago notes and bibliography, and APA.
GOLDEN_STYLES = ("chicago-notes-bibliography", "apa")


@pytest.fixture
def doc() -> tei.TeiDocument:
    return tei.load(str(BIB))


def entry(doc: tei.TeiDocument, sid: str) -> etree._Element:
    el = doc.element_by_id(sid)
    assert el is not None
    return el


def golden(name: str, actual: str) -> None:
    """Compare with ``tests/data/csl/NAME`` (``GLOSSATOR_UPDATE_GOLDEN=1`` rewrites it)."""
    path = CSL / name
    if os.environ.get("GLOSSATOR_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    if expected != actual:
        print("".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                           f"golden/{name}", "actual")))  # fmt: skip
        raise AssertionError(f"{name} differs from the golden file (GLOSSATOR_UPDATE_GOLDEN=1)")


def rendered(doc: tei.TeiDocument, style: str, fmt: str) -> str:
    """The golden text: the bibliography, then each source cited at pages 54-55."""
    lines = ["# bibliography", *format_bibliography(doc, style, fmt), "", "# cited at pp. 54-55"]
    lines += [f"{s.id}: {cite(s, 'pp. 54-55', style, fmt)}" for s in doc.sources()]
    return "\n".join(lines) + "\n"


# -- golden files ---------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["text", "html"])
@pytest.mark.parametrize("style", GOLDEN_STYLES)
def test_golden_bibliography_and_citations(doc, style: str, fmt: str) -> None:
    golden(f"{style}.{'txt' if fmt == 'text' else 'html'}", rendered(doc, style, fmt))


def test_chicago_bibliography_as_a_reader_expects_it(doc) -> None:
    entries = format_bibliography(doc, "chicago-notes-bibliography")
    # sorted by author, the title-only book among them by its title
    assert [e.split(" ")[0] for e in entries] == ["Garver,", "Kirby,", "Mitter,", "The", "Сладковский,"]
    book, chapter, article, title_only, russian = entries
    assert book == ("Garver, John W. Chinese-Soviet Relations, 1937-1945: The Diplomacy of Chinese "
                    "Nationalism. Oxford University Press, 1988.")  # full given names (initialize="false")
    assert chapter.startswith("Kirby, William C. “The Nationalist Regime and the Chinese Party-State.” In")
    assert "edited by Merle Goldman and Andrew Gordon" in chapter
    assert "38, no. 1 (2003): 117–31. https://doi.org/10.1177/0022009403038001961." in article
    assert title_only == "The Red Banner of the Far East. n.d."  # the title once, not twice
    # a Russian title keeps its own capitalisation (no English title case)
    assert russian == "Сладковский, М. И. Очерки экономических отношений СССР с Китаем. Внешторгиздат, 1957."


def test_apa_html_sorts_like_text_and_italicises(doc) -> None:
    text = format_bibliography(doc, "apa")
    html = format_bibliography(doc, "apa", "html")
    assert [lxml.html.fragment_fromstring(h, create_parent="p").text_content() for h in html] == text
    assert "<i>Journal of Contemporary History</i>, <i>38</i>(1), 117–131." in html[2]
    assert "In M. Goldman &amp; A. Gordon (Eds.), <i>Historical" in html[1]  # a label in title case


# -- reading entries ------------------------------------------------------------------------
def test_zotero_biblstruct_becomes_csl(doc) -> None:
    chapter = biblstruct_to_csl(entry(doc, "kirby2000"))
    assert chapter == {
        "type": "chapter", "id": "kirby2000",
        "title": "The Nationalist Regime and the Chinese Party-State",
        "author": [{"family": "Kirby", "given": "William C."}],
        "container-title": "Historical Perspectives on Contemporary East Asia",
        "editor": [{"family": "Goldman", "given": "Merle"}, {"family": "Gordon", "given": "Andrew"}],
        "issued": {"date-parts": [[2000]]}, "publisher": "Harvard University Press",
        "publisher-place": "Cambridge, MA", "page": "211-237",
    }  # fmt: skip
    article = biblstruct_to_csl(entry(doc, "mitter2003"))
    assert article["type"] == "article-journal" and article["DOI"] == "10.1177/0022009403038001961"
    assert article["issued"] == {"date-parts": [[2003, 1]]} and article["ISSN"] == "0022-0094"
    assert (article["volume"], article["issue"], article["page"]) == ("38", "1", "117-131")
    assert biblstruct_to_csl(entry(doc, "garver1988"))["ISBN"] == "9780195054323"
    assert biblstruct_to_csl(entry(doc, "sladkovsky1957"))["language"] == "ru"
    assert biblstruct_to_csl(entry(doc, "redbanner")) == {
        "type": "book", "title": "The Red Banner of the Far East", "id": "redbanner"}


def test_zotero_shapes_ptr_url_corresp_name_and_resp() -> None:
    el = etree.fromstring(f"""<biblStruct xmlns="{ns.TEI}" type="webpage"
        corresp="http://zotero.org/users/1/items/ZZZZ9999"><analytic>
        <author><name>Ministry of Foreign Affairs</name></author>
        <respStmt><resp>translator</resp><persName><forename>Ann</forename><surname>Lee</surname>
        </persName></respStmt><title level="a">Note on aid</title><title type="short">Aid</title>
        </analytic><monogr><title level="m">Archive site</title><ptr target="https://example.org/n"/>
        <imprint><date when="1950-05-12">12 May 1950</date><date type="accessed">2024-01-02</date>
        </imprint></monogr></biblStruct>""")  # fmt: skip
    item = biblstruct_to_csl(el)
    assert item["id"] == "http://zotero.org/users/1/items/ZZZZ9999" and item["type"] == "webpage"
    assert item["author"] == [{"literal": "Ministry of Foreign Affairs"}]
    assert item["translator"] == [{"family": "Lee", "given": "Ann"}]
    assert item["URL"] == "https://example.org/n" and item["title-short"] == "Aid"
    assert item["issued"] == {"date-parts": [[1950, 5, 12]]}
    assert item["accessed"] == {"date-parts": [[2024, 1, 2]]}


def test_app_bibl_is_read_with_its_names(tmp_path) -> None:
    doc = tei.load(str(BIB))
    sid = doc.add_source(author="Whiting, Allen S.; Sheng Shih-ts'ai; Chuikov V. I.; V. K. Blucher",
                         title="Sinkiang: Pawn or Pivot?", place="East Lansing",
                         publisher="Michigan State University Press", date="1958")  # fmt: skip
    item = biblstruct_to_csl(entry(doc, sid))
    assert item["type"] == "book" and item["publisher-place"] == "East Lansing"
    assert item["author"] == [{"family": "Whiting", "given": "Allen S."},
                              {"literal": "Sheng Shih-ts'ai"},  # order not knowable: as written
                              {"family": "Chuikov", "given": "V. I."},
                              {"family": "Blucher", "given": "V. K."}]  # fmt: skip
    assert cite(entry(doc, sid), "p. 45", "chicago") == (
        "Allen S. Whiting et al., Sinkiang: Pawn or Pivot? (Michigan State University Press, 1958), 45.")


def test_a_bibl_that_is_only_text_is_printed_as_written() -> None:
    el = etree.fromstring(f'<bibl xmlns="{ns.TEI}" xml:id="fn33">Chuikov V. I. Mission in China, '
                          "Moscow, 1981.</bibl>")  # fmt: skip
    assert format_bibliography([el], "apa") == ["Chuikov V. I. Mission in China, Moscow, 1981."]
    assert cite(el, "pp. 54-55", "apa") == "Chuikov V. I. Mission in China, Moscow, 1981, pp. 54-55."
    assert cite(el, "<b>p. 1</b>", "apa", "html") == (
        "Chuikov V. I. Mission in China, Moscow, 1981, &lt;b&gt;p. 1&lt;/b&gt;.")
    # a biblStruct without a title or a name (invalid TEI) is not made into "(n.d.)."
    odd = etree.fromstring(f'<biblStruct xmlns="{ns.TEI}"><monogr><imprint><note>Archive box 4</note>'
                           "</imprint></monogr></biblStruct>")  # fmt: skip
    assert format_bibliography([odd], "apa") == ["Archive box 4"]
    assert citations.format_entry(odd, "chicago") == "Archive box 4"
    # among formatted entries it takes its alphabetical place
    doc = tei.load(str(BIB))
    mixed = {s.id: s.element for s in doc.sources()} | {"fn33": el}
    assert [e.split(" ")[0] for e in format_bibliography(mixed, "apa")] == [
        "Chuikov", "Garver,", "Kirby,", "Mitter,", "The", "Сладковский,"]


def test_round_trip_through_the_bib_helpers_biblstruct() -> None:
    items = [
        {"id": "http://zotero.org/users/1/items/AAAA1111", "type": "book", "title": "Mission in China",
         "author": [{"family": "Chuikov", "given": "V. I."}], "issued": {"date-parts": [[1981]]},
         "publisher": "Nauka", "publisher-place": "Moscow", "ISBN": "9780195054323", "language": "ru"},
        {"id": "http://zotero.org/users/1/items/BBBB2222", "type": "article-journal",
         "title": "Soviet aid", "container-title": "Voprosy istorii", "volume": "5", "issue": "2",
         "page": "10-20", "DOI": "10.1234/abc", "URL": "https://example.org/x", "ISSN": "0042-8779",
         "author": [{"family": "Borisov", "given": "O."}], "issued": {"date-parts": [[1975, 3]]}},
        {"id": "http://zotero.org/users/1/items/CCCC3333", "type": "chapter", "title": "A chapter",
         "container-title": "Edited volume", "editor": [{"family": "Smith", "given": "J."}],
         "author": [{"family": "Doe", "given": "Jane"}], "page": "1-5", "publisher": "OUP",
         "publisher-place": "Oxford", "issued": {"date-parts": [[2001]]}, "edition": "2",
         "collection-title": "Series X", "collection-number": "4",
         "translator": [{"family": "Tr", "given": "A."}]},
        {"id": "http://zotero.org/users/1/items/DDDD4444", "type": "report",
         "title": "Org report", "author": [{"literal": "Ministry of Foreign Affairs"}],
         "issued": {"date-parts": [[1950, 5, 12]]}, "accessed": {"date-parts": [[2020, 1, 2]]}},
    ]  # fmt: skip
    for item in items:
        assert biblstruct_to_csl(csl_to_biblstruct(item)) == item


# -- locators and styles --------------------------------------------------------------------
@pytest.mark.parametrize(("locator", "label", "value"), [
    ("54-55", "page", "54-55"), ("pp. 54-55", "page", "54-55"), ("p. 607", "page", "607"),
    ("xii", "page", "xii"), ("ch. 2", "chapter", "2"), ("vol. 39", "volume", "39"),
    ("f. 12v", "folio", "12v"), ("§ 4", "section", "4"), ("l. 4", "line", "4"),
    ("doc. 12", "", "doc. 12"), ("", "", ""),
])  # fmt: skip
def test_parse_locator(locator: str, label: str, value: str) -> None:
    assert citations.parse_locator(locator) == (label, value)


def test_citations_carry_their_locators(doc) -> None:
    garver = entry(doc, "garver1988")
    assert cite(garver, "ch. 2", "chicago").endswith("(Oxford University Press, 1988), chap. 2.")
    assert cite(garver, "l. 4", "chicago").endswith("1988), line 4.")
    assert cite(garver, "pp. 54-55", "apa") == "(Garver, 1988, pp. 54–55)"
    assert cite(garver, "p. 7", "chicago-author-date") == "(Garver 1988, 7)"
    assert cite(garver, "doc. 12", "apa") == "(Garver, 1988, doc. 12)"  # a kind CSL does not know
    assert cite(garver, "", "mla") == (
        "(Garver, Chinese-Soviet Relations, 1937-1945: The Diplomacy of Chinese Nationalism)")
    article = cite(entry(doc, "mitter2003"), "p. 120", "mhra")
    assert "Politics’, Journal" in article  # British usage: the comma outside the quotation mark
    assert "Edition" not in article and article.endswith("pp. 117–31 (p. 120), doi:10.1177/0022009403038001961.")


def test_every_named_style_formats_the_bibliography(doc) -> None:
    for name in citations.STYLES:
        entries = format_bibliography(doc, name)
        assert len(entries) == 5 and all(entries), name
    iso = format_bibliography(doc, "iso690")
    assert iso[0].startswith("GARVER, John W., 1988. Chinese-Soviet Relations")
    assert format_bibliography(doc, "mla") == format_bibliography(doc, "modern-language-association")
    assert format_bibliography(doc, "harvard-cite-them-right")  # any bundled style by name


@pytest.mark.parametrize("style", ["chicago-notes-bibliography", "apa", "mla", "iso690"])
def test_sorting_only_tied_entries_by_the_next_key_orders_as_citeproc_does(style: str) -> None:
    import random

    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    from tei import _citeproc_fixes

    rnd = random.Random(7)
    items = []
    for i in range(120):  # many ties: few authors, titles and years, some missing
        item = {"id": f"i{i}", "type": rnd.choice(["book", "chapter", "article-journal", "document"]),
                "title": rnd.choice(["Alpha", "beta", "Gamma", "The Red", "10 Days", "9 Days"])}
        family = rnd.choice(["Garver", "Kirby", None, "Borisov", "borisov", "Ånström"])
        if family:
            item["author"] = [{"family": family, "given": rnd.choice(["A.", "B.", "John"])}]
        if rnd.random() < 0.7:
            item["issued"] = {"date-parts": [[rnd.choice([1950, 1960, 1975])]]}
        if item["type"] != "book":
            item |= {"container-title": rnd.choice(["J", "K"]), "volume": str(rnd.randint(1, 12))}
        items.append(item)
    csl = citations.load_style(style)
    bib = CitationStylesBibliography(csl, CiteProcJSON(items), formatter.plain)
    for item in items:
        bib.register(Citation([CitationItem(item["id"])]))
    sort, layout = csl.root.bibliography.find("cs:sort", csl.root.nsmap), csl.root.bibliography.layout
    everything = [i.key for i in _citeproc_fixes.ORIGINALS["Sort.sort"](sort, list(bib.items), layout)]
    assert [i.key for i in sort.sort(list(bib.items), layout)] == everything


@pytest.mark.parametrize("name", ["bogus", "../../etc/passwd", "APA 7"])
def test_unknown_style_lists_the_choices(doc, name: str) -> None:
    with pytest.raises(CitationStyleError) as err:
        format_bibliography(doc, name)
    message = str(err.value)
    assert message.startswith(f"unknown citation style {name!r}; choose one of")
    assert all(style in message for style in citations.STYLES) and "apa (APA)" in message
    with pytest.raises(CitationStyleError, match="unknown citation format 'rtf'"):
        format_bibliography(doc, "apa", "rtf")


def test_html_output_escapes_what_the_user_typed() -> None:
    doc = tei.load(str(BIB))
    sid = doc.add_source(author="<b>Evil</b>, Eve", title="</li><script>bad()</script> & co")
    entries = format_bibliography(doc, "apa", "html")
    mine = next(e for e in entries if "Evil" in e)
    assert mine == ("&lt;b&gt;Evil&lt;/b&gt;, E. (n.d.). <i>&lt;/li&gt;&lt;script&gt;bad()&lt;/script&gt; "
                    "&amp; co</i>.")  # fmt: skip
    assert cite(entry(doc, sid), "p. <script>x()</script>", "chicago", "html").endswith(
        "&lt;script&gt;x()&lt;/script&gt;.")


# -- exports --------------------------------------------------------------------------------
def cited_doc() -> tei.TeiDocument:
    doc = tei.load(str(BIB))
    ann = doc.add_annotation(doc.target_for(0, 0, 0, 6), "gl-source")
    link = ann.source_link
    link.source, link.locator, link.relation = "kirby2000", "pp. 214-215", "corroborates"
    ann.source_link = link
    return doc


def test_html_edition_bibliography_and_notes_in_the_chosen_style() -> None:
    doc = cited_doc()
    page = lxml.html.document_fromstring(render_html(doc, style="apa")[0])
    bib = [li.text_content() for li in page.xpath("//section[@id='bibliography']//li")]
    assert [b.split(" — cited")[0] for b in bib] == format_bibliography(doc, "apa")
    assert page.xpath("//section[@id='bibliography']//li[@id='bib-3']//i")  # italics kept
    doi = page.xpath("//li[@id='bib-3']//a[starts-with(@href, 'https://doi.org/')]/@href")
    assert doi == ["https://doi.org/10.1177/0022009403038001961"]
    note = page.xpath("string(//li[@id='n-1']//p[@class='src'])")
    assert note == "Corroborates: (Kirby, 2000, pp. 214–215)"
    chicago = lxml.html.document_fromstring(render_html(doc)[0])
    assert chicago.xpath("string(//li[@id='n-1']//a[@class='cite'])") == (
        "William C. Kirby, “The Nationalist Regime and the Chinese Party-State,” in Historical "
        "Perspectives on Contemporary East Asia, ed. Merle Goldman and Andrew Gordon (Harvard "
        "University Press, 2000), 214–15.")


def test_export_option_style_and_unknown_style(tmp_path: Path) -> None:
    doc = cited_doc()
    export(doc, "html", tmp_path / "e.html", style="mla")
    text = (tmp_path / "e.html").read_text(encoding="utf-8")
    assert "(Kirby, “The Nationalist Regime and the Chinese Party-State” 214–15)" in text
    with pytest.raises(CitationStyleError, match="unknown citation style 'nope'"):
        export(doc, "html", tmp_path / "bad.html", style="nope")
    assert not (tmp_path / "bad.html").exists()


def test_csv_has_a_formatted_citation_column() -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(cited_doc(), style="apa")[0])))
    assert rows[0]["citation"] == "(Kirby, 2000, pp. 214–215)"
    assert rows[0]["sources"] == format_bibliography([entry(tei.load(str(BIB)), "kirby2000")], "apa")[0]


def test_cli_export_option_style(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    src = tmp_path / "doc.xml"
    cited_doc().save(str(src))
    assert cli.run(["export", str(src), "--to", "csv", "-o", str(tmp_path / "o.csv"),
                    "--option", "style=chicago-author-date"]) == 0  # fmt: skip
    rows = list(csv.DictReader(io.StringIO((tmp_path / "o.csv").read_text(encoding="utf-8"))))
    assert rows[0]["citation"] == "(Kirby 2000, 214–15)"
    capsys.readouterr()
    assert cli.run(["export", str(src), "--to", "html", "-o", str(tmp_path / "o.html"),
                    "--option", "style=bogus"]) == 2  # fmt: skip
    assert "unknown citation style 'bogus'" in capsys.readouterr().err
    assert not (tmp_path / "o.html").exists()


# -- glossator sources list -----------------------------------------------------------------
def test_cli_sources_list(capsys) -> None:  # noqa: ANN001
    assert cli.run(["sources", "list", str(BIB), "--style", "apa"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == format_bibliography(tei.load(str(BIB)), "apa") and err == ""
    assert cli.run(["sources", "list", str(BIB), "--format", "html"]) == 0
    out = capsys.readouterr()[0]
    assert out.startswith('<div class="csl-bib-body" data-style="chicago-notes-bibliography">\n')
    assert out.count('<div class="csl-entry">') == 5 and "<i>Journal of Contemporary History</i>" in out


def test_cli_sources_list_unknown_style_and_no_sources(capsys) -> None:  # noqa: ANN001
    assert cli.run(["sources", "list", str(BIB), "--style", "bogus"]) == 2
    assert "unknown citation style 'bogus'; choose one of" in capsys.readouterr().err
    assert cli.run(["sources", "list", str(DATA / "tei" / "minimal.xml")]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "has no sources" in err
