"""Tests of the plain-text -> TEI importer (issue 3): pages, footnotes, paragraphs, encodings."""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tei import cli
from tei.errors import EncodingError, TextImportError
from tei.importers import plaintext
from tei.importers._decode import decode_bytes
from tei.importers.plaintext import (
    ImportReport,
    TextImportOptions,
    import_text,
    import_text_file,
)
from tei.ns import TEI, XML_ID, XML_LANG

NS = {"t": TEI}
ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT.parent / "shared" / "seed" / "soviet-aid-to-china.txt"
SAMPLE_XML = ROOT / "resources" / "samples" / "soviet-aid-to-china.xml"


# ---------------------------------------------------------------- helpers


def run(text: str | bytes, **options: object) -> tuple[etree._Element, ImportReport]:
    """Import ``text`` (str is UTF-8 encoded) and return the parsed TEI root and the report."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    result = import_text(data, TextImportOptions(**options), filename="test.txt")
    assert result.xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return etree.fromstring(result.xml), result.report


def paras(root: etree._Element) -> list[etree._Element]:
    """Return the paragraphs of the body in document order."""
    return root.findall(".//t:body//t:p", NS)


def flat(elem: etree._Element) -> str:
    """Return the text of ``elem`` with notes shown as ``[^n]`` and page breaks as ``|n|``."""
    out = [elem.text or ""]
    for child in elem:
        local = etree.QName(child).localname
        if local == "note":
            out.append(f"[^{child.get('n')}]")
        elif local == "pb":
            out.append(f"|{child.get('n')}{'-' if child.get('break') == 'no' else ''}|")
        else:
            out.append(flat(child))
        out.append(child.tail or "")
    return "".join(out)


def source_lines(root: etree._Element) -> list[str]:
    """Rebuild the source's text lines from the body: anchored notes back to their digits."""
    rebuilt: list[str] = []
    for p in paras(root):
        parts = [p.text or ""]
        for child in p:
            local = etree.QName(child).localname
            if local == "note" and child.get("type") != "unanchored":
                parts.append(child.get("n"))
            elif local == "pb" and child.get("break") == "no":
                parts.append("\n")  # a word split at the page break: no whitespace in the text
            parts.append(child.tail or "")
        rebuilt.extend("".join(parts).split("\n"))
    return rebuilt


def notes(root: etree._Element) -> dict[str, etree._Element]:
    """Return the text's notes (body and back) by their number."""
    return {n.get("n"): n for n in root.iterfind(".//t:text//t:note", NS)}


def back_notes(root: etree._Element) -> list[tuple[str | None, str]]:
    """Return (page, note number) of the notes kept outside the running text, in order."""
    return [(n.getparent().get("n"), n.get("n"))
            for n in root.iterfind("t:text/t:back/t:div[@type='notes']/t:div[@type='page']/t:note", NS)]


def page_doc(lines: list[str], count: int) -> str:
    """Return a one-page text (``page 1`` convention) with ``lines`` and footnotes 1..count."""
    foot = [f"{k} Author {k}. Book {k}. Moscow, 1959, p. {k}." for k in range(1, count + 1)]
    return "\n".join([*lines, *foot, "page 1"]) + "\n"


def with_refs_before(line: str, n: int) -> str:
    """Return a page whose first line holds references 1..n-1 and whose second line is ``line``."""
    filler = " ".join(f"Point {k} ." for k in range(1, n))
    return page_doc([filler, line] if filler else [line], n)


# ---------------------------------------------------------------- footnote references


@pytest.mark.parametrize(
    ("line", "n", "expected"),
    [
        ("China's right to customs autonomy 2 . This document", 2, "autonomy [^2] . This"),
        ("China of May 31, 1924.3 Not limited to that", 3, "May 31, 1924.[^3] Not limited"),
        ("agriculture continued to recover14, and industry", 14, "to recover[^14], and"),
        ("to deliver military cargo by air23 . Then it", 23, "by air[^23] . Then"),
        ("the army regained strength5 and then attacked", 5, "strength[^5] and then"),
        ("the conflict on the CER in 1929,17 created conditions", 17, "in 1929,[^17] created"),
        ("Sheng Shicai seized power in April 193310 . He pretended", 10, "April 1933[^10] . He"),
        ('the peoples of the East is now quite feasible." 6', 6, 'feasible." [^6]'),
        (
            "from the power of the oppressors .7 Chiang Kai-shek's coup",
            7,
            "oppressors .[^7] Chiang",
        ),
        ('service personnel. " 19 In extremely difficult', 19, 'personnel. " [^19] In'),
    ],
)
def test_glued_reference_forms(line: str, n: int, expected: str) -> None:
    root, report = run(with_refs_before(line, n), page_markers="page-line")
    assert report.footnotes_found == n
    assert report.unanchored_footnotes == []
    target = flat(paras(root)[-1])
    assert expected in target
    # the digits of the reference are gone from the text, the rest is as written
    assert target.replace(f"[^{n}]", str(n)) == line


def test_real_numbers_are_not_references() -> None:
    text = page_doc(
        [
            "In 1950 the 3 divisions crossed the river 1 . Losses were heavy 2 . In 1951 the 3 "
            "divisions and 4 brigades rested; they were reinforced by 1952.3 Then peace came.",
        ],
        3,
    )
    root, report = run(text, page_markers="page-line")
    assert report.unanchored_footnotes == []
    assert flat(paras(root)[0]) == (
        "In 1950 the 3 divisions crossed the river [^1] . Losses were heavy [^2] . In 1951 the 3 "
        "divisions and 4 brigades rested; they were reinforced by 1952.[^3] Then peace came."
    )


def test_numbers_of_every_kind_stay_text() -> None:
    lines = [
        "A loan of $ 1 million was granted 1 .",
        "There were 2,665 specialists at 1.2 - 2 thousand meters with ZIS-2 trucks of the 2nd "
        "Army, and they worked hard .2",
        "The delivery time fell to 3 days, and the highway opened 3 .",
        "The uprising of 1899-1904 was crushed; the 4th Army flew TB-4 planes in 1934. Peace 4 .",
        "It cost 5% more, about 5\u00b0 colder, see p. 5 and N 5, in (5 copies) 5 .",
    ]
    root, report = run(page_doc(lines, 5), page_markers="page-line")
    assert report.references_anchored == 5
    assert [flat(p) for p in paras(root)] == [
        "A loan of $ 1 million was granted [^1] .",
        "There were 2,665 specialists at 1.2 - 2 thousand meters with ZIS-2 trucks of the 2nd "
        "Army, and they worked hard .[^2]",
        "The delivery time fell to 3 days, and the highway opened [^3] .",
        "The uprising of 1899-1904 was crushed; the 4th Army flew TB-4 planes in 1934. "
        "Peace [^4] .",
        "It cost 5% more, about 5\u00b0 colder, see p. 5 and N 5, in (5 copies) [^5] .",
    ]


def test_unanchored_footnote_is_kept_reported_and_not_guessed() -> None:
    text = page_doc(["First claim 1 . The army had 2 regiments. Third claim 3 ."], 3)
    root, report = run(text, page_markers="page-line")
    assert report.unanchored_footnotes == [2]
    assert report.references_anchored == 2
    assert "2" in report.format_text().split("Footnotes without a reference")[1].splitlines()[0]
    p = paras(root)[0]
    assert flat(p) == "First claim [^1] . The army had 2 regiments. Third claim [^3] ."
    note = notes(root)["2"]
    assert note.get("type") == "unanchored"
    assert root.find(".//t:body//t:note[@n='2']", NS) is None  # outside the running text
    assert back_notes(root) == [("1", "2")]  # with its page
    assert note.findtext("t:bibl", namespaces=NS) == "Author 2. Book 2. Moscow, 1959, p. 2."


def test_weak_reference_between_anchored_neighbours_is_used_and_warned() -> None:
    text = page_doc(["Loans came 1 . Trucks delivered 2 military goods. Planes came 3 ."], 3)
    root, report = run(text, page_markers="page-line")
    assert report.unanchored_footnotes == []
    assert (
        flat(paras(root)[0])
        == "Loans came [^1] . Trucks delivered [^2] military goods. Planes came [^3] ."
    )
    assert any("footnote 2" in w and "weak" in w for w in report.warnings)


def test_two_weak_candidates_are_ambiguous_and_left_alone() -> None:
    line = (
        "Loans came 1 . Trucks delivered 2 military goods and carried 2 heavy guns. Planes came 3 ."
    )
    root, report = run(page_doc([line], 3), page_markers="page-line")
    assert report.unanchored_footnotes == [2]
    assert flat(paras(root)[0]).replace("[^1]", "1").replace("[^3]", "3") == line


def test_number_opening_a_clause_is_not_a_reference() -> None:
    line = "Intro 1 . In 1938, 2 Chinese pilots graduated. Later 3 ."
    root, report = run(page_doc([line], 3), page_markers="page-line")
    assert report.unanchored_footnotes == [2]
    assert "In 1938, 2 Chinese pilots" in flat(paras(root)[0])


def test_weak_candidate_without_anchored_neighbour_is_not_used() -> None:
    text = page_doc(["Trucks delivered 1 military goods. Planes came."], 1)
    root, report = run(text, page_markers="page-line")
    assert report.unanchored_footnotes == [1]
    assert flat(paras(root)[0]) == "Trucks delivered 1 military goods. Planes came."


def test_references_keep_order_and_stay_on_their_page() -> None:
    text = (
        "Claims on page one 1 . Another number 2 here? No.\n1 Source one.\npage 1\n"
        "Second page opens 2 . Later 3 .\n2 Source two.\n3 Source three.\npage 2\n"
    )
    root, report = run(text)
    assert report.unanchored_footnotes == []
    assert notes(root)["2"].getparent() is paras(root)[1]
    assert flat(paras(root)[0]) == "Claims on page one [^1] . Another number 2 here? No."


def test_footnote_lines_need_the_expected_number() -> None:
    # "200 Soviet pilots..." ends a page but is no footnote: 200 does not continue the numbering
    text = (
        "Intro 1 .\n200 Soviet pilots gave their lives.\n1 Source.\npage 5\n"
        "Next page text.\npage 6\n"
    )
    root, report = run(text)
    assert report.footnotes_found == 1
    assert [flat(p) for p in paras(root)] == [
        "Intro [^1] .",
        "200 Soviet pilots gave their lives.",
        "Next page text.",
    ]


def test_footnotes_none_keeps_numbered_lines_as_text() -> None:
    root, report = run("Claim 1 .\n1 Source.\npage 1\nMore.\npage 2\n", footnotes="none")
    assert report.footnotes_found == 0
    assert [flat(p) for p in paras(root)] == ["Claim 1 .", "1 Source.", "More."]


def test_per_page_numbering_restart_is_accepted_with_warning() -> None:
    text = "Alpha 1 .\n1 Note A.\npage 1\nBeta 1 .\n1 Note B.\npage 2\n"
    root, report = run(text)
    assert report.references_anchored == 2
    ids = [n.get(XML_ID) for n in root.iterfind(".//t:body//t:note", NS)]
    assert ids == ["fn1", "fn2"]
    assert any("restarts" in w for w in report.warnings)


def test_endnotes_without_page_markers() -> None:
    root, report = run("A claim 1 . Another one.2\n\n1 Source one.\n2 Source two.\n")
    assert report.pages == []
    assert report.references_anchored == 2
    assert [flat(p) for p in paras(root)] == ["A claim [^1] . Another one.[^2]"]


def test_superscript_references() -> None:
    root, report = run("A claim\u00b9 and another\u00b2.\n1 One.\n2 Two.\npage 1\nEnd.\npage 2\n")
    assert report.references_anchored == 2
    assert flat(paras(root)[0]) == "A claim[^1] and another[^2]."


def test_number_standing_alone_before_glued_punctuation_is_prose() -> None:
    # "lost 2." and "pilots 2," are numbers of the text; "back 2 ." is the reference
    line = "Intro 1 . The division lost 2. Of the pilots 2, died. The army came back 2 ."
    root, report = run(page_doc([line], 2), page_markers="page-line")
    assert report.unanchored_footnotes == []
    assert flat(paras(root)[0]) == (
        "Intro [^1] . The division lost 2. Of the pilots 2, died. The army came back [^2] ."
    )
    root, report = run(page_doc(["The losses were 1."], 1), page_markers="page-line")
    assert report.unanchored_footnotes == [1]
    assert flat(paras(root)[0]) == "The losses were 1."


def test_reference_fitting_two_places_equally_is_not_placed() -> None:
    line = "Intro 1 . The army came 2 . Later the army came back 2 . End 3 ."
    root, report = run(page_doc([line], 3), page_markers="page-line")
    assert report.unanchored_footnotes == [2]
    assert report.references_anchored == 2
    assert flat(paras(root)[0]) == (
        "Intro [^1] . The army came 2 . Later the army came back 2 . End [^3] ."
    )
    assert notes(root)["2"].get("type") == "unanchored"
    (warning,) = [w for w in report.warnings if w.startswith("footnote 2:")]
    assert "2 places" in warning and "came 2 ." in warning and "back 2 ." in warning


def test_ambiguous_strong_places_are_not_resolved_by_a_weak_one() -> None:
    line = "Intro 1 . Came 2 . Went 2 . Trucks delivered 2 military goods. End 3 ."
    root, report = run(page_doc([line], 3), page_markers="page-line")
    assert report.unanchored_footnotes == [2]
    assert not any("weak" in w for w in report.warnings)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # a numbered list ending a text without pages: no reference, nothing like a citation
        ("My list for the trip is short.\n\n1 Buy milk\n2 Buy eggs\n", "1 Buy milk"),
        # a page ending with a line that opens with a number: 3 does not start the numbering
        ("Intro paragraph.\n3 divisions crossed the river in 1937.\npage 1\nNext.\npage 2\n",
         "3 divisions crossed the river in 1937."),
    ],
)  # fmt: skip
def test_numbered_end_lines_without_reference_stay_text(text: str, kept: str) -> None:
    root, report = run(text)
    assert report.footnotes_found == 0
    assert root.find(".//t:body//t:note", NS) is None
    assert kept in [line for p in paras(root) for line in flat(p).split("\n")]
    assert any("kept as text, not read as footnotes" in w for w in report.warnings)


def test_footnote_without_reference_is_kept_when_it_looks_like_a_citation() -> None:
    text = (
        "A claim with no reference.\n1 Ivanov I. Istoriya. Moscow, 1959, p. 4.\npage 1\n"
        "Another claim without one.\n2 A remark of the editor.\npage 2\n"
    )
    root, report = run(text)
    # 1 looks like a citation; 2 continues the numbering begun on page 1
    assert report.footnotes_found == 2
    assert report.unanchored_footnotes == [1, 2]
    assert [flat(p) for p in paras(root)] == [
        "A claim with no reference.",
        "Another claim without one.",
    ]
    assert notes(root)["2"].findtext("t:bibl", namespaces=NS) == "A remark of the editor."


# ---------------------------------------------------------------- paragraphs across pages


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("despite the differences between them.", "them again, he said.", "them.\n|2|them"),
        ("To China were", "V. K. Blucher and others.", "were\n|2|V. K."),
        ("a loan totaling bo-", "more than 30 million.", "bo-|2-|more"),
        ("restricted supplies to the Kuomintang-", "Nevsky authorities.", "Kuomintang-|2-|Nevsky"),
    ],
)
def test_paragraph_continues_across_page_break(first: str, second: str, expected: str) -> None:
    root, report = run(f"Opening.\n{first}\npage 1\n{second}\nClosing.\npage 2\n")
    texts = [flat(p) for p in paras(root)]
    assert texts[0] == "Opening."
    assert expected in texts[1]
    assert texts[2] == "Closing."
    assert len(texts) == 3


def test_new_paragraph_after_closing_punctuation_and_reference() -> None:
    text = 'Opening.\nHe wrote "it is feasible." 1\n1 Source.\npage 1\nA new paragraph.\npage 2\n'
    root, _ = run(text)
    body = root.find(".//t:body", NS)
    assert [etree.QName(e).localname for e in body] == ["pb", "p", "p", "pb", "p"]


def test_continued_paragraph_keeps_unanchored_note_at_page_end() -> None:
    text = "Text goes on 1 . More without number and\n1 One.\n2 Two.\npage 1\ncontinues.\npage 2\n"
    root, report = run(text)
    assert report.unanchored_footnotes == [2]
    assert flat(paras(root)[0]) == "Text goes on [^1] . More without number and\n|2|continues."
    assert back_notes(root) == [("1", "2")]
    head = root.find("t:text/t:back/t:div[@type='notes']/t:head", NS)
    assert head is not None and head.text == "Notes without a reference in the source"


def test_word_repeated_across_a_page_break_is_reported_and_kept() -> None:
    text = 'He wrote about the differences between them.\npage 1\nthem " we go on.\npage 2\n'
    root, report = run(text)
    assert (
        flat(paras(root)[0]) == 'He wrote about the differences between them.\n|2|them " we go on.'
    )
    assert any(
        "page 2 begins with \u201cthem\u201d, the word that ends page 1" in w
        for w in report.warnings
    )
    _, report = run("A sentence ends there.\npage 1\nhere is another one.\npage 2\n")
    assert report.warnings == []


# ---------------------------------------------------------------- boilerplate


def test_boilerplate_after_last_page_dropped_and_reported() -> None:
    text = (
        "Article text.\npage 1\nMore article text.\npage 2\nNew publications: |\n"
        "Editorial Contacts |\nAbout \u00b7 News \u00b7 For Advertisers |\n"
        "![]() 2023-2025, EXAMPLE.ORG is a part of some network |\n"
    )
    root, report = run(text)
    assert report.dropped == [
        "New publications: |",
        "Editorial Contacts |",
        "About \u00b7 News \u00b7 For Advertisers |",
        "![]() 2023-2025, EXAMPLE.ORG is a part of some network |",
    ]
    assert "Editorial" not in "".join(root.find(".//t:body", NS).itertext())
    assert "Editorial Contacts |" in report.format_text()
    decl = "".join(root.find(".//t:editorialDecl", NS).itertext())
    assert "boilerplate" in decl and "New publications" in decl


def test_boilerplate_kept_when_asked_and_in_texts_without_pages() -> None:
    text = "Article text.\npage 1\nMore text.\npage 2\nEditorial Contacts |\n"
    _, report = run(text, drop_boilerplate=False)
    assert report.dropped == []
    assert report.pages == ["1", "2", "3"]
    root, report = run("Just prose.\nCopyright \u00a9 2024 Someone |\n")
    assert report.dropped == []
    assert len(paras(root)) == 2


def test_boilerplate_ending_the_last_page_of_start_markers_is_dropped() -> None:
    last = "The copyright of this translation belongs to the translator, who kept every error."
    text = (
        f"Page one text.\n[p. 2]\nPage two text.\n[p. 3]\n{last}\n"
        "Home | About | Contact\n\u00a9 2024 example.org\n"
    )
    root, report = run(text)
    assert report.pages == ["1", "2", "3"]
    assert report.dropped == ["Home | About | Contact", "\u00a9 2024 example.org"]
    assert [flat(p) for p in paras(root)] == ["Page one text.", "Page two text.", last]


def test_real_text_after_last_marker_is_an_unmarked_page() -> None:
    text = (
        "One.\npage 1\nTwo.\npage 2\n"
        "An epilogue with a full sentence in it, long enough.\n\u00a9 2024 Site\n"
    )
    root, report = run(text)
    assert report.pages == ["1", "2", "3"]
    assert report.dropped == ["\u00a9 2024 Site"]
    assert any("unmarked page 3" in w for w in report.warnings)


# ---------------------------------------------------------------- page-marker conventions


def test_page_line_convention_first_page_has_no_marker() -> None:
    root, report = run("First.\npage 10\nSecond.\nPage 11\n")
    assert report.pages == ["10", "11"]
    body = root.find(".//t:body", NS)
    assert [(etree.QName(e).localname, e.get("n")) for e in body] == [
        ("pb", "10"),
        ("p", None),
        ("pb", "11"),
        ("p", None),
    ]


def test_bracket_convention_own_line_and_inline() -> None:
    text = "Before the first marker.\n[p. 12]\nPage twelve runs [p. 13] into thirteen.\nEnd.\n"
    root, report = run(text)
    assert report.page_markers == "bracket"
    assert report.pages == ["11", "12", "13"]
    assert [flat(p) for p in paras(root)] == [
        "Before the first marker.",
        "Page twelve runs |13| into thirteen.",
        "End.",
    ]
    assert root.find(".//t:body/t:pb", NS).get("n") == "11"


def test_dash_convention() -> None:
    root, report = run("Page one.\n- 2 -\nPage two.\n\u2013 3 \u2013\nPage three.\n")
    assert report.page_markers == "dash"
    assert report.pages == ["1", "2", "3"]
    assert [flat(p) for p in paras(root)] == ["Page one.", "Page two.", "Page three."]


def test_formfeed_convention() -> None:
    root, report = run("Page one.\fPage two text\n\fand page three.\f\n")
    assert report.page_markers == "formfeed"
    assert report.pages == ["1", "2", "3"]
    assert [flat(p) for p in paras(root)] == ["Page one.", "Page two text\n|3|and page three."]


def test_form_feeds_before_any_text_start_no_page() -> None:
    root, report = run("\f\n\fFirst page.\fSecond page.\f\f")
    assert report.pages == ["1", "2", "3"]
    body = root.find(".//t:body", NS)
    assert [(etree.QName(e).localname, e.get("n")) for e in body] == [
        ("pb", "1"),
        ("p", None),
        ("pb", "2"),
        ("p", None),
        ("pb", "3"),
    ]


def test_auto_needs_two_numbered_markers() -> None:
    root, report = run("A single line\npage 3\nand more text.\n")
    assert report.page_markers == "none"
    assert [flat(p) for p in paras(root)] == ["A single line", "page 3", "and more text."]


def test_page_numbers_that_do_not_rise_are_not_page_markers() -> None:
    line = "He cites the memoir [p. 45] and the diary [p. 12], then [p. 300]."
    root, report = run(f"{line}\nMore text.\n")
    assert report.page_markers == "none" and report.pages == []
    assert [flat(p) for p in paras(root)] == [line, "More text."]
    assert any("3 bracket page markers" in w and "do not rise" in w for w in report.warnings)
    _, report = run(f"{line}\nMore text.\n", page_markers="bracket")  # the user can force them
    assert report.pages == ["44", "45", "12", "300"]


def test_auto_picks_the_convention_with_most_markers() -> None:
    text = "A.\n- 1 -\nB.\n- 2 -\nC.\n- 3 -\nSee page 4\nD.\npage 5\n"
    _, report = run(text)
    assert report.page_markers == "dash"


@pytest.mark.parametrize(
    ("option", "pages"),
    [("none", []), ("bracket", ["1", "2"]), ("page-line", ["1", "2"])],
)
def test_page_marker_override(option: str, pages: list[str]) -> None:
    text = "Alpha.\npage 1\nBeta [p. 2] gamma.\npage 2\n"
    root, report = run(text, page_markers=option)
    assert report.page_markers == option
    assert report.pages == pages
    if option == "none":
        assert [flat(p) for p in paras(root)] == [
            "Alpha.",
            "page 1",
            "Beta [p. 2] gamma.",
            "page 2",
        ]


# ---------------------------------------------------------------- headings and prose


def test_markdown_headings_make_nested_divs() -> None:
    text = (
        "# Title\n\nIntro text\nwrapped.\n\n## Section A\n\nText of A\ngoes on.\n\n"
        "Section B\n---------\n\nText of B\nhere.\n\nPart Two\n========\n\nLast words\nhere.\n"
    )
    root, _ = run(text)
    body = root.find(".//t:body", NS)
    top = body.findall("t:div", NS)
    assert [d.findtext("t:head", namespaces=NS) for d in top] == ["Title", "Part Two"]
    subs = top[0].findall("t:div", NS)
    assert [d.findtext("t:head", namespaces=NS) for d in subs] == ["Section A", "Section B"]
    assert flat(top[0].find("t:p", NS)) == "Intro text\nwrapped."
    assert flat(subs[1].find("t:p", NS)) == "Text of B\nhere."
    heads = root.findall(".//t:head", NS)
    assert all(h.get(XML_ID) for h in heads)


def test_blank_line_prose_auto_and_override() -> None:
    text = "First paragraph line one\nline two.\n\nSecond paragraph\nends here.\n"
    root, _ = run(text)
    assert [flat(p) for p in paras(root)] == [
        "First paragraph line one\nline two.",
        "Second paragraph\nends here.",
    ]
    root, _ = run(text, paragraphs="lines")
    assert len(paras(root)) == 4


def test_one_paragraph_per_line_even_with_blank_lines_between() -> None:
    text = "One long paragraph.\n\nAnother one.\n\nThird.\n"
    root, _ = run(text)
    assert [flat(p) for p in paras(root)] == ["One long paragraph.", "Another one.", "Third."]
    root, _ = run("Line a\nLine b\n", paragraphs="blank")
    assert [flat(p) for p in paras(root)] == ["Line a\nLine b"]


def test_text_kept_exactly_whitespace_and_errors() -> None:
    line = "The  workers ' government\tsaid:  \u00abwe , the people\u00bb \u2014 recieved ."
    root, _ = run("   " + line + "   \r\nNext\rLast\r\n")
    assert [flat(p) for p in paras(root)] == [line, "Next", "Last"]
    decl = "".join(root.find(".//t:editorialDecl", NS).itertext())
    assert "whitespace" in decl and "CRLF" in decl


def test_illegal_control_characters_dropped_and_warned() -> None:
    root, report = run("Bell\x07 and\x0b vertical tab\x1b.\nOK\n")
    assert flat(paras(root)[0]) == "Bell and vertical tab."
    assert any("3 control character" in w for w in report.warnings)


# ---------------------------------------------------------------- encodings and errors


RUSSIAN = "Советский Союз оказал помощь Китаю. «Это был подвиг», — писал он."
FRENCH = "L\u2019été dernier, le café était très animé \u2014 \u201cvoilà\u201d."
SPANISH = "\u00c9l est\u00e1 aqu\u00ed, se\u00f1or. O\u00f9 est la gare? \u00c7a va tr\u00e8s bien."


@pytest.mark.parametrize(
    ("data", "encoding", "text"),
    [
        (RUSSIAN.encode("utf-8"), "utf-8", RUSSIAN),
        (RUSSIAN.encode("utf-8-sig"), "utf-8-sig", RUSSIAN),
        (RUSSIAN.encode("utf-16"), "utf-16", RUSSIAN),
        (b"\xfe\xff" + RUSSIAN.encode("utf-16-be"), "utf-16", RUSSIAN),
        (RUSSIAN.encode("cp1251"), "cp1251", RUSSIAN),
        (FRENCH.encode("cp1252"), "cp1252", FRENCH),
        (SPANISH.encode("latin-1"), "latin-1", SPANISH),
    ],
)
def test_encodings_detected(data: bytes, encoding: str, text: str) -> None:
    root, report = run(data)
    assert report.encoding == encoding
    assert flat(paras(root)[0]) == text
    note = root.findtext(".//t:sourceDesc/t:bibl/t:note", namespaces=NS)
    assert encoding in note


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_detected_by_its_nul_bytes(codec: str) -> None:
    text = f"{RUSSIAN}\n{FRENCH}"
    root, report = run(text.encode(codec))
    assert report.encoding == codec
    assert [flat(p) for p in paras(root)] == [RUSSIAN, FRENCH]


@pytest.mark.parametrize(
    "data",
    [
        "odd length".encode("utf-16-le") + b"x",  # not whole UTF-16 code units
        b"a\x00b\x00\x00c",  # NULs at odd and even offsets
        "\x01\x02 control".encode("utf-16-le"),  # decodes, but to control characters
    ],
)
def test_nul_bytes_that_are_not_utf16_are_binary(data: bytes) -> None:
    with pytest.raises(TextImportError, match="binary"):
        import_text(data)


def test_mostly_utf8_with_a_bad_byte_is_refused_not_misread() -> None:
    data = RUSSIAN.encode("utf-8") + b" \xe9t\xe9"
    with pytest.raises(EncodingError, match="mostly UTF-8") as info:
        import_text(data)
    assert isinstance(info.value, TextImportError)
    offset = len(RUSSIAN.encode("utf-8")) + 1
    assert f"0xe9 at offset {offset}" in str(info.value) and "\n" not in str(info.value)
    root, report = run(data, encoding="latin-1")  # the user may still choose an encoding
    assert report.encoding == "latin-1"
    assert flat(paras(root)[0]).endswith(" \u00e9t\u00e9")


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufeff"),
        min_size=1,
    ),
    codec=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]),
)
def test_property_unicode_encodings_decode_exactly(text: str, codec: str) -> None:
    decoded, _ = decode_bytes(text.encode(codec))
    assert decoded == text


def test_explicit_encoding_overrides_detection() -> None:
    data = "Dvořák & Wałęsa".encode("cp1250")
    root, report = run(data, encoding="cp1250")
    assert report.encoding == "cp1250"
    assert flat(paras(root)[0]) == "Dvořák & Wałęsa"


def test_explicit_encoding_that_fails_raises() -> None:
    with pytest.raises(
        TextImportError, match="cannot be decoded as utf-8: invalid byte 0xd1"
    ) as info:
        run(RUSSIAN.encode("cp1251"), encoding="utf-8")
    assert isinstance(info.value, EncodingError)
    assert "\n" not in str(info.value)
    with pytest.raises(TextImportError, match="unknown encoding"):
        run(b"abc", encoding="no-such-codec")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"  \n\t\r\n  \n", "only whitespace"),
        ("\ufeff \n".encode(), "only whitespace"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"text\x00with NUL", "binary"),
    ],
)
def test_unusable_inputs_raise_clear_errors(data: bytes, message: str) -> None:
    with pytest.raises(TextImportError, match=message) as info:
        import_text(data)
    assert "\n" not in str(info.value)


def test_binary_refused_even_with_explicit_single_byte_encoding() -> None:
    with pytest.raises(TextImportError, match="binary"):
        import_text(b"abc\x00def", TextImportOptions(encoding="cp1252"))


def test_no_text_besides_markers_raises() -> None:
    with pytest.raises(TextImportError, match="no text"):
        import_text(b"page 1\npage 2\n")


@pytest.mark.parametrize(
    "options",
    [
        {"page_markers": "roman"},
        {"footnotes": "endnotes"},
        {"paragraphs": "sentences"},
        {"lang": "English language"},
        {"title": "A\x01title"},
        {"author": "Nul\x00"},
        {"source_url": "https://example.org/\x1b"},
    ],
)
def test_bad_options_raise(options: dict[str, str]) -> None:
    with pytest.raises(TextImportError):
        import_text(b"Some text.", TextImportOptions(**options))


# ---------------------------------------------------------------- header, files, validity


def test_header_records_source_and_import(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    root, _ = run(
        "Claim 1 .\n1 Source.\npage 1\nMore.\npage 2\n",
        title="A title",
        author="An Author",
        source_url="https://example.org/article?id=1",
        lang="en",
    )
    header = root.find("t:teiHeader", NS)
    assert header.findtext("t:fileDesc/t:titleStmt/t:title", namespaces=NS) == "A title"
    assert header.findtext("t:fileDesc/t:titleStmt/t:author", namespaces=NS) == "An Author"
    bibl = header.find("t:fileDesc/t:sourceDesc/t:bibl", NS)
    assert bibl.find("t:ref", NS).get("target") == "https://example.org/article?id=1"
    assert "test.txt" in bibl.findtext("t:note", namespaces=NS)
    assert header.find("t:profileDesc/t:langUsage/t:language", NS).get("ident") == "en"
    assert root.find("t:text", NS).get(XML_LANG) == "en"
    change = header.find("t:revisionDesc/t:change", NS)
    when = dt.datetime.fromisoformat(change.get("when"))
    assert before <= when <= dt.datetime.now(dt.UTC)
    interp = "".join(header.find(".//t:interpretation", NS).itertext())
    assert "page-line" in interp and "1 placed at their reference" in interp


def test_warnings_are_recorded_in_the_header() -> None:
    root, report = run("Intro 1 . Came 2 . Went 2 . End 3 .\n1 A, 1950.\n2 B.\n3 C.\n")
    assert len(report.warnings) == 1
    interp = [
        "".join(p.itertext()) for p in root.iterfind(".//t:editorialDecl/t:interpretation/t:p", NS)
    ]
    assert f"Import warning: {report.warnings[0]}." in interp


def test_title_defaults_to_file_name_and_no_lang(tmp_path: Path) -> None:
    path = tmp_path / "my source.txt"
    path.write_bytes(b"Just a line.\n")
    result = import_text_file(path)
    root = etree.fromstring(result.xml)
    assert root.findtext(".//t:titleStmt/t:title", namespaces=NS) == "my source.txt"
    assert root.find(".//t:profileDesc", NS) is None
    assert root.find("t:text", NS).get(XML_LANG) is None
    assert result.report.source == "my source.txt"


def test_control_characters_in_the_file_name_do_not_break_the_header() -> None:
    result = import_text(b"Text.\n", filename="odd\x01name\udcff.txt")
    root = etree.fromstring(result.xml)
    assert root.findtext(".//t:titleStmt/t:title", namespaces=NS) == "odd\ufffdname\ufffd.txt"


def test_too_large_input_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plaintext, "MAX_TEXT_BYTES", 10)
    path = tmp_path / "big.txt"
    path.write_bytes(b"Eleven byte")
    with pytest.raises(TextImportError, match="limit for a text import") as info:
        import_text_file(path)
    assert info.value.path == str(path)
    with pytest.raises(TextImportError, match="limit for a text import"):
        import_text(b"Eleven byte")
    path.write_bytes(b"Ten bytes.")  # at the limit: imported
    assert import_text_file(path).report.paragraph_count == 1


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(TextImportError, match="cannot read") as info:
        import_text_file(tmp_path / "nope.txt")
    assert info.value.path.endswith("nope.txt")


def test_source_date_epoch_makes_output_reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    first = import_text(b"Same text.\n").xml
    assert first == import_text(b"Same text.\n").xml
    assert b'when="1970-01-01T00:00:00+00:00"' in first


def test_pretty_printing_never_touches_mixed_content() -> None:
    result = import_text(b"Claim 1 . End.2\n1 One.\n2 Two.\npage 1\nMore.\npage 2\n")
    xml = result.xml.decode()
    assert (
        '<p xml:id="p1">Claim <note place="foot" n="1" xml:id="fn1"><bibl>One.</bibl></note> . End.'
        in xml
    )
    assert '\n      <pb n="2"/>' in xml  # block level is indented


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        "# Title\n\nIntro\ntext.\n\n## Sub\n\nBody 1 .\n\n1 Note.\n",
        "Lead-in.\n[p. 3]\nPage three [p. 4] and four.\n- not a marker -\n",
        "Claim 1 . Other 2 words.\n1 A.\n2 B.\n3 C.\npage 9\ncontinued here\npage 10\n"
        "\u00a9 2024 X |\n",
        "Only a heading\n===\n",
        "P\u00e1gina uno.\fP\u00e1gina dos\n",
    ],
)
def test_hand_made_outputs_are_valid_tei(tei_all_schema, text: str) -> None:
    result = import_text(text.encode(), TextImportOptions(title="T", lang="es"))
    doc = etree.ElementTree(etree.fromstring(result.xml))
    assert tei_all_schema.validate(doc), tei_all_schema.error_log


GOLDEN = ROOT / "tests" / "data" / "import"


@pytest.mark.parametrize("name", sorted(p.stem for p in GOLDEN.glob("*.txt")))
def test_golden_imports(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hand-made inputs (see tests/data/import/README.md) give exactly their golden TEI."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    result = import_text_file(GOLDEN / f"{name}.txt")
    golden = GOLDEN / f"{name}.xml"
    if os.environ.get("GLOSSATOR_REGENERATE_GOLDEN") == "1":
        golden.write_bytes(result.xml)
    assert result.xml == golden.read_bytes()


@pytest.mark.slow
def test_golden_files_are_valid_tei(tei_all_schema) -> None:
    goldens = sorted(GOLDEN.glob("*.xml"))
    assert len(goldens) == len(list(GOLDEN.glob("*.txt"))) >= 5
    for path in goldens:
        doc = etree.parse(str(path))
        assert tei_all_schema.validate(doc), (path.name, tei_all_schema.error_log)


@pytest.mark.parametrize(
    ("data", "extra", "message"),
    [
        (b"", [], "is empty"),
        (b" \n\t\n", [], "only whitespace"),
        (b"\x00\x01\x02\x03" * 8, [], "binary"),
        (RUSSIAN.encode("cp1251"), ["--encoding", "utf-8"], "cannot be decoded as utf-8"),
        (RUSSIAN.encode("utf-8") + b"\xff", [], "mostly UTF-8"),
        (b"text", ["--encoding", "klingon"], "unknown encoding"),
        (b"text", ["--page-markers", "roman"], "page_markers must be one of"),
    ],
)
def test_cli_refuses_bad_input_with_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture, data: bytes, extra: list[str], message: str
) -> None:
    src, out = tmp_path / "src.txt", tmp_path / "out.xml"
    src.write_bytes(data)
    code = cli.run(["import-text", str(src), "-o", str(out), *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("glossator: error: ") and message in err and "src.txt" in err
    assert not out.exists()


def test_cli_imports_with_options_and_prints_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    src, out = tmp_path / "Memoir.txt", tmp_path / "out.xml"
    src.write_bytes(
        "Claim 1 .\n1 \u0422\u0430\u043c \u0436\u0435.\npage 4\nMore.\npage 5\n".encode("cp1251")
    )
    code = cli.run(["import-text", str(src), "-o", str(out), "--encoding", "cp1251",
                    "--page-markers", "none", "--author", "A. N. Other"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0, err
    assert "encoding cp1251" in err and "Pages: none" in err
    root = etree.fromstring(out.read_bytes())
    assert root.findtext(".//t:titleStmt/t:title", namespaces=NS) == "Memoir.txt"
    assert root.findtext(".//t:titleStmt/t:author", namespaces=NS) == "A. N. Other"
    assert root.find(".//t:body/t:pb", NS) is None  # page markers overridden: kept as text
    assert "page 4" in [flat(p) for p in paras(root)]


# ---------------------------------------------------------------- property


_LINE = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cc", "Cs", "Cn", "Nd", "Zl", "Zp"),
            blacklist_characters="\ufeff",
        ),
        min_size=1,
        max_size=60,
    )
    .map(str.strip)
    .filter(lambda s: bool(s) and not re.match(r"^(#{1,6}\s|={3,}$|-{3,}$)", s))
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(_LINE, min_size=1, max_size=12), eol=st.sampled_from(["\n", "\r\n", "\r"]))
def test_property_paragraph_text_round_trips(lines: list[str], eol: str) -> None:
    data = eol.join(lines).encode("utf-8")
    root = etree.fromstring(import_text(data).xml)
    assert [flat(p) for p in paras(root)] == lines


_WORDS = st.sampled_from(
    "the Army loan of in was Xinjiang \u0421\u0421\u0421\u0420 (c) \u2014".split()
)
_NUMBERS = st.sampled_from(["1", "2", "3", "4", "12", "1933", "193310", "1,140", "1.5", "3rd"])
_TOKEN = st.one_of(_WORDS, _NUMBERS, st.sampled_from([".", ",", " .", '"', "-"]))
_TEXT_LINE = st.lists(
    st.tuples(_TOKEN, st.sampled_from([" ", "", "  "])), min_size=1, max_size=14
).map(lambda ts: "Word " + "".join(t + sep for t, sep in ts).strip())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pages=st.lists(
        st.tuples(st.lists(_TEXT_LINE, min_size=1, max_size=4), st.integers(0, 3)),
        min_size=1,
        max_size=4,
    )
)
def test_property_text_survives_footnote_anchoring(pages: list[tuple[list[str], int]]) -> None:
    # each page: text lines, then `count` footnotes numbered on through the text, then `page N`
    out, expected, n = [], [], 0
    for k, (lines, count) in enumerate(pages, start=1):
        out.extend(lines)
        expected.extend(lines)
        for _ in range(count):
            n += 1
            out.append(f"{n} Ibid., p. {n}.")
        out.append(f"page {k}")
    root, report = run("\n".join(out) + "\n", page_markers="page-line")
    assert report.footnotes_found == n
    assert len(notes(root)) == n
    # every character of the text is kept: the anchored notes stand exactly for their digits
    assert source_lines(root) == expected


# ---------------------------------------------------------------- the sample article


@pytest.fixture(scope="module")
def sample() -> tuple[etree._Element, ImportReport, list[str]]:
    """Import the seed article once."""
    if not SEED.is_file():
        pytest.skip("the seed article is not available")
    result = import_text_file(SEED, TextImportOptions(lang="en"))
    return etree.fromstring(result.xml), result.report, SEED.read_text("utf-8").split("\n")


def test_sample_pages_and_footnotes(sample) -> None:
    root, report, _ = sample
    assert report.pages == [str(n) for n in range(74, 83)]
    assert [pb.get("n") for pb in root.iterfind(".//t:pb", NS)] == report.pages
    found = notes(root)
    assert sorted(int(n) for n in found) == list(range(1, 50))
    assert report.footnotes_found == 49
    assert report.references_anchored == 48
    print(report.format_text())
    # 29 has no reference: the text reads "Their total number was 700 people. 200 Soviet pilots"
    assert report.unanchored_footnotes == [29]
    assert found["29"].get("type") == "unanchored"
    assert [n.get(XML_ID) for n in found.values()] == [f"fn{n}" for n in found]


def test_sample_references_at_the_right_places(sample) -> None:
    root, _, _ = sample
    found = notes(root)

    def before(n: str) -> str:
        note = found[n]
        prev = note.getprevious()
        return (prev.tail if prev is not None else note.getparent().text) or ""

    assert before("2").endswith("customs autonomy ")
    assert before("3").endswith("May 31, 1924.")
    assert before("10").endswith("in April 1933")
    assert before("14").endswith("continued to recover")
    assert before("17").endswith("on the CER in 1929,")
    assert before("20").endswith("worked on the highway ")
    assert before("23").endswith("military cargo by air")
    assert before("26").endswith("aircraft delivered ")
    assert before("36").endswith("1045 pilots were ")
    body_text = "".join(t for p in paras(root) for t in p.xpath("text()"))
    for real in (
        "$ 500 million",
        "3,665 such",
        "1,140 guns",
        "2925 km",
        "reduced to 20 days",
        "had 12 agricultural",
        "1.5 - 2 thousand",
        "ZIS-5",
        "140 motor vehicles",
    ):
        assert real in body_text, real


def test_sample_text_is_kept_exactly(sample) -> None:
    root, report, source = sample
    marker = re.compile(r"^page \d+$")
    expected = []
    for line in source[: source.index("page 82")]:
        if marker.match(line) or (re.match(r"^\d+ ", line) and len(line) < 200):
            continue
        expected.append(line)
    assert source_lines(root) == expected


def test_sample_paragraphs_continue_across_pages_and_boilerplate_is_gone(sample) -> None:
    root, report, _ = sample
    inner = [pb.get("n") for pb in root.iterfind(".//t:p/t:pb", NS)]
    assert inner == ["75", "76", "77", "78", "80", "81", "82"]
    assert [pb.get("n") for pb in root.iterfind(".//t:p/t:pb[@break='no']", NS)] == [
        "77",
        "81",
        "82",
    ]
    assert len(report.dropped) == 7
    assert report.dropped[0] == "New publications: |"
    assert "ELIBRARY" not in "".join(root.find(".//t:body", NS).itertext())
    assert report.paragraph_count == len(paras(root)) == 29


@pytest.mark.parametrize(
    ("codec", "eol"),
    [("utf-8-sig", "\r\n"), ("utf-16", "\n"), ("utf-16-le", "\r"), ("utf-8", "  \n")],
)
def test_sample_text_does_not_depend_on_encoding_or_line_ends(sample, codec: str, eol: str) -> None:
    root, _, source = sample
    data = eol.join(source).encode(codec)
    other = etree.fromstring(import_text(data, TextImportOptions(lang="en")).xml)
    assert etree.tostring(other.find("t:text", NS)) == etree.tostring(root.find("t:text", NS))


@pytest.mark.slow
def test_sample_is_valid_tei(sample, tei_all_schema) -> None:
    root, _, _ = sample
    assert tei_all_schema.validate(etree.ElementTree(root)), tei_all_schema.error_log


def test_sample_report_flags_what_to_check(sample) -> None:
    _, report, _ = sample
    assert len(report.warnings) == 3
    assert report.warnings[0].startswith("footnote 11: reference accepted on weak evidence")
    assert report.warnings[1].startswith("footnote 26: reference accepted on weak evidence")
    # "...despite the differences between them." / "them " 33 ." on the next page
    assert report.warnings[2].startswith("page 80 begins with \u201cthem\u201d")


def regeneration_command() -> list[str]:
    """Return the arguments of the command in resources/samples/README.md (without the program)."""
    readme = (SAMPLE_XML.parent / "README.md").read_text("utf-8")
    block = re.search(r"```sh\n(.*?)```", readme, re.S)
    assert block, "resources/samples/README.md has no sh block"
    argv = shlex.split(block.group(1).replace("\\\n", " "))
    assert argv[:2] == ["glossator", "import-text"]
    return argv[1:]


def test_committed_sample_is_what_the_documented_command_produces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    if not SAMPLE_XML.is_file() or not SEED.is_file():
        pytest.skip("the generated sample is not there")
    committed = SAMPLE_XML.read_bytes()
    when = etree.fromstring(committed).find(".//t:revisionDesc/t:change", NS).get("when")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime.fromisoformat(when).timestamp())))
    monkeypatch.chdir(ROOT)
    argv = regeneration_command()
    out = tmp_path / "fresh.xml"
    argv[argv.index("-o") + 1] = str(out)
    assert cli.run(argv) == 0, capsys.readouterr().err
    assert out.read_bytes() == committed
