"""The HTML edition: golden file, structure, accessibility hooks, escaping, the whole corpus."""

from __future__ import annotations

import csv
import re

import lxml.html
import pytest

import tei
from tei.exporters import export
from tei.exporters.html import render_html
from tests.conftest import DATA, corpus_files
from tests.tei.export_helpers import (
    QUOTED,
    annotate_some,
    build_sample,
    check_golden,
    fix_time,
    nth_id,
)


@pytest.fixture
def sample(monkeypatch):
    fix_time(monkeypatch)
    return build_sample()


@pytest.fixture
def page(sample):
    text, warnings = render_html(sample, source_name="sample.xml")
    return text, warnings, lxml.html.document_fromstring(text)


def test_golden(sample) -> None:
    text, _ = render_html(sample, source_name="sample.xml")
    check_golden("sample.html", text)


def test_self_contained(page) -> None:
    text, _, root = page
    assert not root.xpath("//link | //img | //iframe | //script[@src] | //object | //embed")
    assert "@import" not in text and "url(" not in text
    external = [a.get("href") for a in root.iter("a") if not a.get("href", "#").startswith("#")]
    assert external == ["https://example.org/borisov"]  # the one safe link a user recorded


def test_landmarks_and_language(page) -> None:
    _, _, root = page
    assert root.get("lang") == "en"
    assert root.xpath("//main[@id='text']") and root.xpath("//main/@lang") == ["en"]
    assert root.xpath("//nav[@aria-label]") and root.xpath("//header[@class='titlepage']/h1")
    assert root.xpath("//footer[@id='about']")
    assert root.xpath("//i[@lang='zh']/text()") == ["老大哥"]
    assert root.xpath("//meta[@name='viewport']")


def test_text_structure(page) -> None:
    _, _, root = page
    assert root.xpath("//main//h2[contains(., 'The first years')]")
    assert len(root.xpath("//main//div[contains(@class, 'lg')]//div[contains(@class, 'text l')]")) == 2
    assert len(root.xpath("//main//ul[@class='list']/li")) == 2
    assert root.xpath("//main//blockquote//p[contains(., 'only ally')]")
    assert root.xpath("//main//em[. = 'Great October']")
    assert [s.text for s in root.xpath("//span[@class='pbn']")] == ["74", "75"]
    # the source's own footnote: a reference in the text and a numbered note
    assert root.xpath("//sup[@class='fr']/a[@href]/text()") == ["1"]
    assert "Collected Works" in root.xpath("string(//section[@id='footnotes'])")
    # the choice shows one reading, the unknown-to-us element its text
    main = root.xpath("string(//main)")
    assert "received" in main and "recieved" not in main and "An unknown word" in main


def test_annotations_marked_and_numbered(page, sample) -> None:
    _, _, root = page
    refs = root.xpath("//sup[@class='ar']/a")
    assert sorted(int(a.text) for a in refs) == list(range(1, len(refs) + 1))
    assert len(refs) == len(sample.annotations()) - 1  # one orphan
    for a in refs:
        n = a.get("data-n")
        assert a.get("href") == f"#n-{n}" and a.get("aria-describedby") == f"n-{n}"
        assert root.xpath(f"//li[@id='n-{n}']") and root.xpath(f"//div[@class][@data-n='{n}']")
    # overlapping passages: nested spans with distinct stacking levels
    nested = root.xpath("//span[contains(@class, ' a ') or starts-with(@class, 'a ')]"
                        "[span[starts-with(@class, 'a ')]]")
    assert nested
    levels = {c.split()[-1] for s in root.xpath("//span[starts-with(@class, 'a ')]")
              for c in [s.get("class")]}
    assert {"l0", "l1"} <= levels


def test_front_and_back_matter(page) -> None:
    _, warnings, root = page
    boxes = root.xpath("//section[@id='legend']//input[@type='checkbox']")
    assert len(boxes) == 5 and all(b.get("checked") is not None for b in boxes)
    legend = root.xpath("string(//section[@id='legend'])")
    assert "Comment (6)" in legend.replace("\n", " ") and "Loaded language (1)" in legend
    rows = root.xpath("//table[@class='figidx']/tbody/tr")
    assert len(rows) == 2 and "300 million dollars" in rows[0].text_content()
    assert "disputed" in rows[0].text_content() and "Borisov 1975" not in rows[0].text_content()
    bib = root.xpath("//ul[@class='bib']/li")
    assert len(bib) == 2 and "Borisov" in bib[0].text_content()
    about = root.xpath("string(//footer[@id='about'])")
    assert "Ada Historian" in about and "Glossator" in about and "sample.xml" in about
    assert "2024-05-01" in about
    assert "points nowhere" in root.xpath("string(//section[@id='orphans'])")
    assert any("no-such-element" in w for w in warnings)
    note7 = root.xpath("string(//li[@id='n-7'])")
    assert "Values given by other sources" in note7 and "Paid in instalments" in note7
    assert "Contradicts" in root.xpath("string(//li[@id='n-9'])")


def test_hostile_input_is_escaped(sample, tmp_path) -> None:
    from tei.annotations import Alternative, SourceLink
    from tei.taxonomy import set_category_fields

    ann = sample.annotations()[0]
    ann.note = ["</div></main><script>alert(1)</script>", '<img src=x onerror="alert(2)">',
                "javascript:alert(3)"]  # fmt: skip
    sid = sample.add_source(title="</li><script>bad()</script>", url="javascript:alert(4)")
    ann2 = sample.annotations()[1]
    ann2.note = ["]]><!-- -->"]
    ann2.source_link = SourceLink("context", sid, "<b>p. 1</b>")
    sample.materialize_taxonomy()
    set_category_fields(sample.taxonomy.find("gl-question"), label='Q</label><script>x()</script>')
    sample.taxonomy.invalidate()
    evil = sample.ensure_annotator('Eve "><svg onload=alert(5)>')
    sample.add_annotation(sample.target_for(1, 0, 1, 3), "gl-question", annotator=evil,
                          annotator_name='Eve "><svg onload=alert(5)>')  # fmt: skip
    fig = sample.annotation(nth_id(sample, 2))
    f = fig.figure
    f.alternatives = [Alternative("</td></tr></table><script>y()</script>", None, sid)]
    fig.figure = f
    report = export(sample, "html", tmp_path / "h.html")
    text = (tmp_path / "h.html").read_text(encoding="utf-8")
    root = lxml.html.document_fromstring(text)
    assert len(root.xpath("//script")) == 1 and "alert" not in root.xpath("string(//script)")
    assert not root.xpath("//img | //svg | //*[@onerror] | //*[@onload]")
    for el in root.iter():
        for name, value in el.attrib.items():
            assert "javascript:" not in value.lower(), (el.tag, name, value)
    assert "</div></main><script>alert(1)</script>" in root.xpath("string(//main)")
    assert "<script>bad()</script>" in root.xpath("string(//ul[@class='bib'])")
    assert "Q</label><script>x()</script>" in root.xpath("string(//section[@id='legend'])")
    assert 'Eve "><svg onload=alert(5)>' in root.xpath("string(//footer[@id='about'])")
    assert "</td></tr></table><script>y()</script>" in root.xpath("string(//table[@class='figidx'])")
    assert len(root.xpath("//table[@class='figidx']/tbody/tr")) == 2  # the table is intact
    assert report.path == str(tmp_path / "h.html")


def test_title_page_names_and_source(tmp_path) -> None:
    src = tmp_path / "h.xml"
    src.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt>'
                   "<title>Frogs</title><author><persName>Ἀριστοφάνης</persName><persName "
                   'xml:lang="la">Aristophanes</persName><idno type="wikidata">Q43353</idno>'
                   "</author><editor>F. W. Hall <idno>Q1</idno></editor></titleStmt>"
                   "<publicationStmt><p>x</p></publicationStmt><sourceDesc><bibl><title>Ranae"
                   "</title><note>Imported from frogs.txt</note><idno type='sha256'>ab12</idno>"
                   "<date>1907</date></bibl></sourceDesc></fileDesc></teiHeader><text><body>"
                   "<p>Brekekekex koax koax.</p></body></text></TEI>", encoding="utf-8")  # fmt: skip
    root = lxml.html.document_fromstring(render_html(tei.load(str(src)))[0])
    assert root.xpath("string(//p[@class='authors'])") == "Ἀριστοφάνης"
    assert root.xpath("string(//p[@class='editors'])") == "Edited by F. W. Hall"
    assert root.xpath("string(//p[@class='srcdesc'])") == "Source: Ranae. 1907"
    # no xml:lang anywhere: the text is marked as of unknown language, not as English
    assert root.xpath("//main/@lang") == [""] and root.get("lang") == "en"
    assert root.xpath("//h1/@lang") == []
    greek = tmp_path / "g.xml"
    greek.write_text(src.read_text(encoding="utf-8").replace(
        'ns/1.0">', 'ns/1.0" xml:lang="grc">', 1).replace("<title>Frogs</title>",
                                                           "<title>Βάτραχοι</title>"),
        encoding="utf-8")  # fmt: skip
    root = lxml.html.document_fromstring(render_html(tei.load(str(greek)))[0])
    assert root.xpath("//h1/@lang") == ["grc"] and root.xpath("//main/@lang") == ["grc"]
    # three-letter codes with a two-letter form are written in the short form BCP 47 wants
    eng = tmp_path / "e.xml"
    eng.write_text(greek.read_text(encoding="utf-8").replace('"grc"', '"eng-GB"').replace(
        "Brekekekex koax koax.", '<q xml:lang="ger">Quak</q> und <q xml:lang="ang">cwæð</q>'),
        encoding="utf-8")  # fmt: skip
    root = lxml.html.document_fromstring(render_html(tei.load(str(eng)))[0])
    assert root.xpath("//main/@lang") == ["en-GB"]
    assert root.xpath("//main//q/@lang") == ["de", "ang"]


def test_unknown_elements_show_their_text(tmp_path) -> None:
    src = tmp_path / "u.xml"
    src.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt>'
                   "<title>U</title></titleStmt></fileDesc></teiHeader><text><body>"
                   "<div><gloss>Glossed text of an unknown block.</gloss><p>Then a paragraph."
                   "</p><mystery><wrapped>Deep text.</wrapped></mystery></div></body></text></TEI>",
                   encoding="utf-8")  # fmt: skip
    doc = tei.load(str(src))
    text, _ = render_html(doc)
    main = lxml.html.document_fromstring(text).xpath("string(//main)")
    assert "Glossed text of an unknown block." in main and "Deep text." in main


def test_no_notes_option(sample, tmp_path) -> None:
    export(sample, "html", tmp_path / "n.html", notes=False)
    root = lxml.html.parse(str(tmp_path / "n.html")).getroot()
    assert root.xpath("//span[starts-with(@class, 'a ')]")


def test_document_is_not_modified(sample) -> None:
    before = sample.to_bytes(when="2024-01-01T00:00:00Z")
    render_html(sample)
    assert sample.to_bytes(when="2024-01-01T00:00:00Z") == before


@pytest.mark.slow
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_exports(path, tmp_path) -> None:
    doc = tei.load(str(path))
    made = annotate_some(doc)
    assert len(doc.annotations()) >= 1
    for fmt, ext in (("html", "html"), ("csv", "csv"), ("tei-inline", "xml"), ("webanno", "json")):
        report = export(doc, fmt, tmp_path / f"out.{ext}")
        assert (tmp_path / f"out.{ext}").stat().st_size > 0
        assert report.count == len(doc.annotations()) >= made
    text = (tmp_path / "out.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<sup class="ar">', text)) == made
    page = lxml.html.document_fromstring(text)
    notes = page.xpath("//ol[@class='app']/li") + page.xpath("//ul[@class='orph']/li")
    assert len(notes) == len(doc.annotations())  # each one in the apparatus or the appendix
    assert len(csv_rows(tmp_path / "out.csv")) == len(doc.annotations())


def csv_rows(path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))[1:]


def test_corpus_present_or_skipped() -> None:
    if not corpus_files():
        pytest.skip("the shared corpus is absent")
    assert len(corpus_files()) > 5




def test_styles_cut_by_annotations_stay_one_element() -> None:
    """A quotation cut into runs by annotations is still one <q> (one pair of quotation marks)."""
    doc = tei.TeiDocument.from_bytes(QUOTED.encode())
    doc.add_annotation("#string-range(p,12,3)", "gl-comment")  # "two", inside the quotation
    doc.add_annotation("#string-range(p,8,13)", "gl-question")  # the whole quotation
    root = lxml.html.document_fromstring(render_html(doc)[0])
    qs = root.xpath("//main//q")
    assert len(qs) == 1 and qs[0].text_content().replace("2", "") == "one two three"
    assert qs[0].xpath(".//em[. = 'two']") and qs[0].xpath(".//sup[@class='ar']")
    # the reference of the passage ending with the quotation comes after it, not inside
    assert qs[0].getnext().get("class") == "ar"


def test_direction_from_language() -> None:
    from tei.direction import direction

    for lang in ("syc", "ar", "he", "fa", "ur", "ps", "yi", "dv", "ar-EG", "tr-Arab", "ota",
                 "syr-Syrn", "AR"):  # fmt: skip
        assert direction(lang) == "rtl", lang
    for lang in ("", "en", "grc", "ja", "ar-Latn", "ar-Latn-x-lc", "syc-Latn", "he-Latn", "x-ar"):
        assert direction(lang) == "ltr", lang


def test_right_to_left_blocks_and_phrases() -> None:
    """Syriac and Arabic paragraphs get dir="rtl"; a Syriac word in English is isolated."""
    text, _ = render_html(tei.load(str(DATA / "tei" / "syriac.xml")))
    page = lxml.html.document_fromstring(text)
    syc = page.xpath("//main//*[@lang='syc' and contains(@class, 'text')]")
    ar = page.xpath("//main//*[@lang='ar' and contains(@class, 'text')]")
    assert len(syc) == 2 and len(ar) == 1
    assert all(p.get("dir") == "rtl" for p in syc + ar)
    english = page.xpath("//main//p[contains(@class, 'text') and not(@lang)]")
    assert english and all(p.get("dir") is None for p in english)
    word = page.xpath("//main//*[@lang='syc' and not(contains(@class, 'text'))]")
    assert [w.get("dir") for w in word] == ["rtl"]
    assert page.xpath("//main//*[@lang='syc-Latn']")[0].get("dir") is None
