"""The HTML edition: golden file, structure, accessibility hooks, escaping, the whole corpus."""

from __future__ import annotations

import re
import time

import lxml.html
import pytest

import tei
from tei.exporters import export
from tei.exporters.html import render_html
from tests.conftest import corpus_files
from tests.tei.export_helpers import annotate_some, build_sample, check_golden, fix_time


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
    ann = sample.annotations()[0]
    ann.note = ["</div></main><script>alert(1)</script>", '<img src=x onerror="alert(2)">',
                "javascript:alert(3)"]  # fmt: skip
    sid = sample.add_source(title="</li><script>bad()</script>", url="javascript:alert(4)")
    ann2 = sample.annotations()[1]
    ann2.note = ["]]><!-- -->"]
    from tei.annotations import SourceLink

    ann2.source_link = SourceLink("context", sid, "<b>p. 1</b>")
    report = export(sample, "html", tmp_path / "h.html")
    text = (tmp_path / "h.html").read_text(encoding="utf-8")
    root = lxml.html.document_fromstring(text)
    assert len(root.xpath("//script")) == 1 and "alert" not in root.xpath("string(//script)")
    assert not root.xpath("//img | //*[@onerror]")
    for el in root.iter():
        for name, value in el.attrib.items():
            assert "javascript:" not in value.lower(), (el.tag, name, value)
    assert "</div></main><script>alert(1)</script>" in root.xpath("string(//main)")
    assert "<script>bad()</script>" in root.xpath("string(//ul[@class='bib'])")
    assert report.path == str(tmp_path / "h.html")


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
    t = time.perf_counter()
    for fmt, ext in (("html", "html"), ("csv", "csv"), ("tei-inline", "xml")):
        report = export(doc, fmt, tmp_path / f"out.{ext}")
        assert (tmp_path / f"out.{ext}").stat().st_size > 0
        assert report.count == len(doc.annotations()) >= made
    assert time.perf_counter() - t < 60
    text = (tmp_path / "out.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<sup class="ar">', text)) == made


def test_corpus_present_or_skipped() -> None:
    if not corpus_files():
        pytest.skip("the shared corpus is absent")
    assert len(corpus_files()) > 5
