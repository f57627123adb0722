"""The HTML edition cut into pieces for printing: every passage and note whole, exactly once and
in order; sections kept whole where they fit; containers re-opened with their language."""

from __future__ import annotations

import re

import lxml.html
import pytest
from lxml import etree

import tei
from tei.exporters._html_chunks import OTHER_PIECE, split_edition
from tei.exporters.html import build_html, render_html
from tests.tei.export_helpers import build_sample, fix_time


def long_doc(sections: int = 6, paragraphs: int = 12, notes_every: int = 5) -> tei.TeiDocument:
    """A document of Greek and English sections of numbered paragraphs, some annotated."""
    divs = []
    for s in range(sections):
        lang = ' xml:lang="grc"' if s % 2 else ""
        body = "".join(f"<p>Section {s} paragraph {p}: " + "λόγος word " * 30 + "</p>"
                       for p in range(paragraphs))  # fmt: skip
        divs.append(f"<div{lang}><head>Chapter {s}</head>{body}</div>")
    src = ('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt>'
           "<title>Long</title></titleStmt></fileDesc></teiHeader><text><body>"
           + "".join(divs) + "</body></text></TEI>")  # fmt: skip
    doc = tei.TeiDocument.from_bytes(src.encode("utf-8"))
    for i in range(1, len(doc.text.blocks), notes_every):
        ann = doc.add_annotation(doc.target_for(i, 0, i, 5), "gl-comment")
        ann.note = [f"Remark {i} on this passage <b>&amp; more</b>."]
    return doc


def body_of(document: str) -> etree._Element:
    page = lxml.html.document_fromstring(document)
    assert page.find("head/style") is not None  # every piece carries the stylesheet
    return page.find("body")


def ids(el: etree._Element, pattern: str) -> list[str]:
    return [i for i in el.xpath(".//@id") if re.fullmatch(pattern, i)]


@pytest.mark.parametrize("limit", [2_000, 9_000, 40_000])
def test_every_passage_and_note_once_in_order(limit) -> None:
    doc = long_doc()
    html, _ = build_html(doc, paper="A4")
    whole = lxml.html.document_fromstring(render_html(doc, paper="A4")[0]).find("body")
    pieces = split_edition(html, limit)
    assert len(pieces) > 1
    documents = [pieces.document(k) for k in range(len(pieces))]
    # a link to another piece points outside while printing (the joiner points it back in), and
    # the ids other pieces link to are linked from a hidden list in their own piece
    for page in documents:
        here = set(re.findall(r' id="([^"]+)"', page))
        for target in re.findall(re.escape(OTHER_PIECE) + r'([^"]+)"', page):
            assert target not in here
            owner = next(j for j, other in enumerate(documents) if f' id="{target}"' in other)
            assert f'<a href="#{target}"></a>' in documents[owner]
    bodies = [body_of(page.replace(OTHER_PIECE, "#")) for page in documents]
    assert any(OTHER_PIECE in page for page in documents)
    # each row (a paragraph or heading) and each endnote once, whole, in the original order
    for pattern in (r"b\d+", r"n-\d+"):
        assert [i for b in bodies for i in ids(b, pattern)] == ids(whole, pattern)
    for b in bodies:
        for el in b.xpath('.//*[starts-with(@id, "b") or starts-with(@id, "n-")]'):
            original = whole.xpath(f'.//*[@id="{el.get("id")}"]')[0]
            assert etree.tostring(el) == etree.tostring(original)
    text = "".join("".join(b.text_content().split()) for b in bodies)
    assert text == "".join(whole.text_content().split())  # nothing lost, nothing doubled
    # the pieces are bounded: a cut comes before a row would pass the limit (the re-opened
    # containers' tags come on top)
    assert all(len(body) <= limit + 300 for body in pieces.bodies)


def test_sections_kept_whole_when_they_fit() -> None:
    """Cuts fall between sections: no chapter is spread over two pieces if it fits in one."""
    doc = long_doc(sections=8, paragraphs=6)
    html, _ = build_html(doc, paper="A4")
    sections = html.xpath('//main//section[@class="div"]')
    biggest = max(len(etree.tostring(s, method="html")) for s in sections)
    pieces = split_edition(html, 2 * biggest)
    assert 1 < len(pieces) < len(sections)
    where: dict[str, set[int]] = {}
    for k in range(len(pieces)):
        for sec in body_of(pieces.document(k)).xpath('.//main//section[@class="div"]'):
            rows = sec.xpath('.//*[@class="row"]/@id')
            where.setdefault(sec.xpath("string(.//h2)"), set()).add(k)
            assert len(rows) == 7  # the head and six paragraphs
    assert len(where) == 8 and all(len(k) == 1 for k in where.values())


def test_long_section_cut_between_rows_keeps_its_language() -> None:
    """A Greek chapter longer than a piece goes on in the next piece as Greek, without its id."""
    doc = long_doc(sections=2, paragraphs=40)
    html, _ = build_html(doc, paper="A4")
    pieces = split_edition(html, 6_000)
    greek = [k for k in range(len(pieces)) if "Chapter 1" in pieces.bodies[k]
             or re.search(r"Section 1 paragraph", pieces.bodies[k])]  # fmt: skip
    assert len(greek) > 2
    for k in greek[1:]:
        body = body_of(pieces.document(k))
        rows = body.xpath('.//section[@class="div"]/div[@class="row"]')
        assert rows and all(r.xpath('ancestor::section[@lang="grc"]') for r in rows)
        assert body.find('.//main').get("id") is None and body.find(".//main").get("lang") == ""
    first = body_of(pieces.document(0))
    assert first.find(".//main").get("id") == "text" and first.find(".//header") is not None


def test_sample_in_pieces_has_all_back_matter(monkeypatch) -> None:
    """The sample cut small: notes, figures, bibliography, about, all present and whole."""
    fix_time(monkeypatch)
    doc = build_sample()
    html, _ = build_html(doc, paper="A4")
    whole = lxml.html.document_fromstring(render_html(doc, paper="A4")[0]).find("body")
    pieces = split_edition(html, 3_000)
    bodies = [body_of(pieces.document(k).replace(OTHER_PIECE, "#")) for k in range(len(pieces))]
    for section in ("apparatus", "figures", "bibliography", "about", "footnotes"):
        assert sum(len(b.xpath(f'.//*[@id="{section}"]')) for b in bodies) == 1, section
    got = [etree.tostring(li) for b in bodies for li in b.xpath('.//li[contains(@class, "enote")]')]
    assert got == [etree.tostring(li) for li in whole.xpath('.//li[contains(@class, "enote")]')]
    table = whole.xpath('.//table[@class="figidx"]')[0]
    assert [etree.tostring(t) for b in bodies for t in b.xpath('.//table[@class="figidx"]')] == [
        etree.tostring(table)]  # a table is never cut


def test_extra_css_is_the_last_stylesheet() -> None:
    html, _ = build_html(long_doc(), paper="A4")
    pieces = split_edition(html, 5_000)
    page = lxml.html.document_fromstring(pieces.document(1, "html{counter-reset:page 7}"))
    assert page.findall("head/style")[-1].text == "html{counter-reset:page 7}"
    assert len(lxml.html.document_fromstring(pieces.document(1)).findall("head/style")) == 1


def test_one_piece_when_it_fits() -> None:
    doc = long_doc(sections=1, paragraphs=2)
    html, _ = build_html(doc, paper="A4")
    text = render_html(doc, paper="A4")[0]
    pieces = split_edition(html, len(text))
    assert len(pieces) == 1
    assert " ".join(body_of(pieces.document(0)).text_content().split()) == " ".join(
        lxml.html.document_fromstring(text).find("body").text_content().split())
