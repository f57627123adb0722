"""The text model: raw offsets as TEI defines them, reading text, and the maps between them."""

from __future__ import annotations

import copy
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import tei
from tei import ns
from tei.textmodel import TextModel, text_of

HEAD = "<teiHeader><fileDesc><titleStmt><title>t</title></titleStmt></fileDesc></teiHeader>"


def doc_of(body: str) -> tei.TeiDocument:
    xml = f'<TEI xmlns="{ns.TEI}">{HEAD}<text><body>{body}</body></text></TEI>'
    return tei.TeiDocument.from_bytes(xml.encode("utf-8"))


def test_reading_text_collapses_whitespace_and_separates_notes() -> None:
    doc = doc_of(
        '<p xml:id="p1">  In   1850\n the <hi>army</hi> numbered<note n="1">See\n  Smith.</note>'
        " 40,000 <choice><sic>acording</sic><corr>according</corr></choice> to the re"
        '<lb break="no"/>\n   port.<pb n="75"/> More. </p>'
    )
    para, note = doc.text.blocks
    assert para.reading == "In 1850 the army numbered 40,000 according to the report. More."
    assert note.reading == "See Smith." and note.parent == 0 and note.is_note
    kinds = [(a.kind, a.position, a.label) for a in para.anchors]
    assert kinds == [("note", len("In 1850 the army numbered"), "1"), ("pb", len(para.reading) - 6, "75")]


def test_raw_offsets_follow_the_guidelines() -> None:
    doc = doc_of('<p xml:id="p1">ab <hi>cd</hi><note>NOTE</note> ef</p>')
    p = doc.text.blocks[0]
    raw = text_of(p.element)
    assert raw == "ab cdNOTE ef"  # notes and all text nodes count, no normalisation
    assert p.to_raw(p.reading.index("ef")) == raw.index("ef")
    assert p.to_raw(len("ab cd"), end=True) == len("ab cd")  # not swallowing the note


def test_unknown_elements_and_containers() -> None:
    doc = doc_of("<div><lg><l>one</l><l>two</l></lg><foo>own text <bar>x</bar></foo></div>")
    assert [b.reading for b in doc.text.blocks] == ["one", "two", "own text x"]


def test_global_offsets_skip_header_and_standoff() -> None:
    doc = doc_of("<p>abc</p><p>def</p>")
    a, b = doc.text.blocks
    assert doc.text.find_block(b.start + 1) == 1
    assert doc.text.global_to_reading(b.start + 2) == (1, 2)
    assert doc.text.blocks_between(a.start + 1, b.start + 2) == [(0, 1, 3), (1, 0, 2)]


def test_choice_shows_preferred_alternative() -> None:
    doc = doc_of("<p><choice><abbr>Dr</abbr><expan>Doctor</expan></choice> Who</p>")
    assert doc.text.blocks[0].reading == "Doctor Who"


def test_apparatus_shows_the_lemma_and_hides_readings_witnesses_and_their_notes() -> None:
    doc = doc_of('<p>εἰς τὸν οἶκον <app><lem wit="#A">Ἀβιμέλεχ</lem><rdg wit="#B #C">Ἀχιμέλεχ</rdg>'
                 "<note>siehe aber den Namen</note></app> ἦλθεν, <app><rdg wit='#A'>πρῶτον</rdg>"
                 "<rdg wit='#B'>πρώτως</rdg></app> δέ.</p>")  # fmt: skip
    (p,) = doc.text.blocks  # the witness note is no block of its own
    assert p.reading == "εἰς τὸν οἶκον Ἀβιμέλεχ ἦλθεν, πρῶτον δέ."
    assert p.anchors == []
    raw = text_of(p.element)  # raw offsets still count every reading (TEI pointers)
    assert p.to_raw(p.reading.index("ἦλθεν")) == raw.index("ἦλθεν")


def test_ruby_shows_its_base_and_inline_notes_stay_in_the_line() -> None:
    doc = doc_of('<p><ruby><rb>漢字</rb><rt>かんじ</rt></ruby>を書く<note place="inline">注記</note>。'
                 '<note place="foot" n="1">A footnote.</note></p>')  # fmt: skip
    p, note = doc.text.blocks
    assert p.reading == "漢字を書く注記。" and note.reading == "A footnote."
    assert [a.kind for a in p.anchors] == ["note"] and p.anchors[0].element.get("n") == "1"


# -- properties ------------------------------------------------------------------------------

WORD_CHARS = st.sampled_from(list("abcxyzАБВ文字αβ") + ["e\u0301", "\U0001d504", "😀", "&amp;", "1"])
SPACE = st.sampled_from([" ", "  ", "\n", "\n    ", "\t", ""])


@st.composite
def words(draw: st.DrawFn) -> str:
    return "".join(draw(st.lists(WORD_CHARS, min_size=1, max_size=4)))


@st.composite
def inline(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["text", "text", "hi", "note", "choice", "lb", "pb", "misc", "app",
                                     "ruby", "inline-note"]))  # fmt: skip
        if kind == "text" or depth > 1:
            parts.append(draw(SPACE) + draw(words()) + draw(SPACE))
        elif kind == "hi":
            parts.append(f"<hi>{draw(inline(depth + 1))}</hi>")
        elif kind == "note":
            parts.append(f"<note>{draw(inline(depth + 1))}</note>")
        elif kind == "choice":
            parts.append(f"<choice><sic>{draw(words())}</sic><corr>{draw(words())}</corr></choice>")
        elif kind == "app":  # lemma (or first reading) shown; readings, witnesses, notes hidden
            lem = f'<lem wit="#A">{draw(words())}</lem>' if draw(st.booleans()) else ""
            rdgs = "".join(f'<rdg wit="#B"><wit>B</wit>{draw(words())}</rdg>'
                           for _ in range(draw(st.integers(0 if lem else 1, 2))))  # fmt: skip
            note = f"<note>{draw(words())} {draw(words())}</note>" if draw(st.booleans()) else ""
            parts.append(f"<app>{lem}{rdgs}{note}</app>")
        elif kind == "ruby":
            parts.append(f"<ruby><rb>{draw(words())}</rb><rt>{draw(words())}</rt></ruby>")
        elif kind == "inline-note":
            parts.append(f'<note place="inline">{draw(inline(depth + 1))}</note>')
        elif kind == "lb":
            parts.append('<lb break="no"/>' if draw(st.booleans()) else "<lb/>")
        elif kind == "misc":  # comments and PIs hold no text; CDATA is text
            parts.append(draw(st.sampled_from(["<!-- a note? -->", "<?pi x?>", "<![CDATA[ <&> ]]>"])))
        else:
            parts.append('<pb n="9"/>')
    return "".join(parts)


def visible_non_space(el: etree._Element) -> str:
    """Independent oracle: the element's text without notes and unchosen alternatives."""
    el = copy.deepcopy(el)
    el.tail = None
    for app in list(el.iter(ns.qn("app"))):
        readings = [c for c in app if c.tag in (ns.qn("lem"), ns.qn("rdg"))]
        shown = next((c for c in readings if c.tag == ns.qn("lem")), readings[0] if readings else None)
        for child in app:
            if child is not shown:
                child.text = None
                for sub in list(child):
                    child.remove(sub)
    for hidden in list(el.iter(ns.qn("rt"), ns.qn("wit"))):
        hidden.text = None
    for note in list(el.iter(ns.qn("note"))):
        if note is not el and note.get("place") != "inline":
            note.text = None
            for child in list(note):
                note.remove(child)
    for sic in list(el.iter(ns.qn("sic"))):
        sic.text = None
    return re.sub(r"[ \t\n\r]", "", text_of(el))


@settings(max_examples=150, deadline=None)
@given(st.lists(inline(), min_size=1, max_size=3))
def test_reading_map_is_exact_and_bidirectional(paragraphs: list[str]) -> None:
    doc = doc_of("".join(f"<p>{p}</p>" for p in paragraphs))
    model: TextModel = doc.text
    for index, block in enumerate(model.blocks):
        reading, raw = block.reading, text_of(block.element)
        assert "  " not in reading and reading == reading.strip(" ")
        if not block.is_note:
            assert re.sub(" ", "", reading) == visible_non_space(block.element)
        previous = -1
        for r in range(len(reading)):
            w = block.to_raw(r)
            assert w > previous
            previous = w
            if reading[r] == " ":
                assert raw[w] in " \t\n\r"
            else:
                assert raw[w] == reading[r]
            assert block.to_reading(w) == r
            g = model.reading_to_global(index, r)
            assert model.global_to_reading(g) == (index, r)
            el, off = model.element_offset(index, r)
            assert text_of(el)[off] == raw[w]
            assert model.reading_position(el, off) == (index, r)
        if reading:
            assert block.to_raw(len(reading), end=True) == block.to_raw(len(reading) - 1) + 1


@settings(max_examples=80, deadline=None)
@given(st.lists(inline(), min_size=2, max_size=3), st.data())
def test_selection_target_resolves_to_the_selected_text(paragraphs: list[str], data: st.DataObject) -> None:
    doc = doc_of("".join(f"<p>{p}</p>" for p in paragraphs))
    top = [i for i, b in enumerate(doc.text.blocks) if not b.is_note and b.reading]
    if not top:
        return
    b0 = data.draw(st.sampled_from(top))
    b1 = data.draw(st.sampled_from([i for i in top if i >= b0]))
    r0 = data.draw(st.integers(0, len(doc.text.blocks[b0].reading) - 1))
    lo = r0 + 1 if b1 == b0 else 1
    r1 = data.draw(st.integers(lo, len(doc.text.blocks[b1].reading)))
    target = doc.target_for(b0, r0, b1, r1)
    (res,) = doc.resolve(target)
    assert res.ok
    exact, _, _ = doc.quote_for(res.start, res.end)
    if b0 == b1:
        assert exact == doc.text.blocks[b0].reading[r0:r1]
    else:
        assert exact.startswith(doc.text.blocks[b0].reading[r0:])
        assert exact.endswith(doc.text.blocks[b1].reading[:r1])


def test_empty_selection_next_to_a_note_and_at_block_end() -> None:
    doc = doc_of("<p>a<note>n</note>b</p>")
    target = doc.target_for(0, 1, 0, 1)
    (res,) = doc.resolve(target)
    assert res.ok and res.start == res.end
    end = doc.text.blocks[0].end
    assert doc.text.blocks_between(end, end) == [(0, 2, 2)]


def test_container_elements_with_only_inline_content_are_blocks() -> None:
    doc = doc_of("<div><quote>Quoted text alone.</quote><p>Para.</p><cit><quote><p>Q</p></quote></cit></div>")
    assert [b.reading for b in doc.text.blocks] == ["Quoted text alone.", "Para.", "Q"]


@settings(max_examples=150, deadline=None)
@given(inline())
def test_fast_map_of_plain_blocks_equals_the_full_walk(content: str) -> None:
    from tei.textmodel import _reading_map, _simple_map

    doc = doc_of(f"<p>{content}</p>")
    el = doc.text.blocks[0].element
    if doc.text.blocks[0].complex:
        return
    fast, full = _simple_map(el), _reading_map(el)
    assert fast[:3] == full[:3]
    assert [(a.kind, a.position, a.element) for a in fast[3]] == [
        (a.kind, a.position, a.element) for a in full[3]
    ]


def test_footnotes_are_annotated_like_any_passage() -> None:
    doc = doc_of('<p>The army<note n="1" xml:id="n1">See <bibl>Smith 1951</bibl>, p. 3.</note> grew.</p>'
                 "<p>Next.</p>")  # fmt: skip
    para, note, _ = doc.text.blocks
    assert note.is_note and note.reading == "See Smith 1951, p. 3."
    inside = doc.add_annotation(doc.target_for(1, 4, 1, 14), "gl-comment")
    assert inside.target == "#string-range(n1,4,10)" and inside.quote == "Smith 1951"
    across = doc.add_annotation(doc.target_for(0, 4, 2, 4), "gl-question")  # over the note marker
    assert across.quote == "army grew.\nNext"
    again = tei.TeiDocument.from_bytes(doc.to_bytes())
    for ann in (inside, across):
        (res,) = again.resolve(ann.target)
        assert again.quote_for(res.start, res.end)[0] == ann.quote


def test_title_and_subtitle_epigraph_verse_and_manuscript_parts_are_blocks_of_their_own() -> None:
    doc = doc_of(
        "<div><docTitle><titlePart type='main'>Die letzten Tage der Menschheit</titlePart>"
        "<titlePart type='sub'>Tragödie in fünf Akten</titlePart></docTitle>"
        "<epigraph><lg><l>Verse one,</l><l>verse two.</l></lg><bibl>Goethe</bibl></epigraph>"
        "<epigraph>A prose motto.</epigraph>"
        "<msDesc><msIdentifier><settlement>Oxford</settlement> <repository>Bodleian</repository>"
        " <idno>MS. Abinger c. 56</idno></msIdentifier><msContents><msItem><locus>1r-20v</locus>"
        "<title>Frankenstein</title><author>Mary Shelley</author></msItem></msContents>"
        "<physDesc><objectDesc><supportDesc><support>Paper</support></supportDesc></objectDesc>"
        "</physDesc><history><origin>Geneva, 1816</origin></history></msDesc></div>"
    )
    assert [b.reading for b in doc.text.blocks] == [
        "Die letzten Tage der Menschheit", "Tragödie in fünf Akten", "Verse one,", "verse two.",
        "Goethe", "A prose motto.", "Oxford Bodleian MS. Abinger c. 56", "1r-20v", "Frankenstein",
        "Mary Shelley", "Paper", "Geneva, 1816",
    ]  # fmt: skip
