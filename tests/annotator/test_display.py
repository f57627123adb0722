"""Qt positions <-> reading offsets, with inserted page markers, note numbers and non-BMP text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import tei
from annotator.display import DisplayMap
from tei import ns
from tei.textmodel import collapse
from tests.tei.test_textmodel import doc_of, inline

DOC = """<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>t</title>
</titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc></teiHeader>
<text><body><div><head>Heading</head><pb n="1"/>
<p xml:id="a">Gothic 𐌰𐌱𐌲 letters and <hi rend="italic">emph</hi> with a note<note n="7">Note 𝔉 text.</note> here.</p>
<p>Before <pb n="2"/>after the break, <choice><sic>teh</sic><corr>the</corr></choice> end.</p>
<p xml:lang="he">שלום עולם 😀 עברית</p>
<l>verse one</l><l>verse two</l>
</div></body></text></TEI>"""


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def test_round_trip_every_offset() -> None:
    doc = tei.TeiDocument.from_bytes(DOC.encode())
    m = DisplayMap(doc)
    for i, b in enumerate(doc.text.blocks):
        for r in range(len(b.reading) + 1):
            assert m.qt_to_reading(m.reading_to_qt(i, r)) == (i, r)


def test_inserted_runs_and_utf16_positions() -> None:
    doc = tei.TeiDocument.from_bytes(DOC.encode())
    m = DisplayMap(doc)
    text = m.text()
    assert "[1] Gothic" in text and "[2]" in text
    p = doc.text.blocks.index(next(b for b in doc.text.blocks if b.reading.startswith("Gothic")))
    db = m.blocks[m.qt_block_of[p]]
    assert [r.kind for r in db.runs] == ["pb", "noteref"]
    assert db.runs[1].text == "7"
    # the Qt position of "letters" counts the three Gothic letters twice (UTF-16)
    r = doc.text.blocks[p].reading.index("letters")
    qpos = m.reading_to_qt(p, r)
    display = db.text
    assert qpos - m.starts[m.qt_block_of[p]] == utf16_len(display[: display.index("letters")])
    he = next(i for i, b in enumerate(doc.text.blocks) if "שלום" in b.reading)
    r = doc.text.blocks[he].reading.index("עברית")
    assert m.qt_to_reading(m.reading_to_qt(he, r)) == (he, r)


def test_spacers_snap_to_neighbouring_blocks() -> None:
    doc = tei.TeiDocument.from_bytes(DOC.encode())
    m = DisplayMap(doc)
    spacer = next(n for n, db in enumerate(m.blocks) if db.index < 0)
    pos = m.starts[spacer]
    after = m.qt_to_reading(pos)
    before = m.qt_to_reading(pos, end=True)
    assert after[1] == 0 and after[0] == m.blocks[spacer + 1].index
    assert before[0] == m.blocks[spacer - 1].index
    verse = [n for n, db in enumerate(m.blocks) if db.index >= 0 and db.text.startswith("verse")]
    assert verse[1] == verse[0] + 1  # verse lines are not separated by spacers


SEPARATED = """<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader/><text><front><castList>
<castItem><role>Claudius</role><roleDesc>king of Denmark</roleDesc></castItem>
<castItem><role>Hamlet</role> <roleDesc>his nephew</roleDesc></castItem>
<castItem><role>Osric</role>, <roleDesc>a courtier</roleDesc></castItem></castList></front>
<body><p>Herausgegeben<lb/>von<lb/> Prof. Zeman und<lb break="no"/>Fischer<note>in<lb/>Hannover</note>.</p>
<p><q>Hands off China!</q> was the slogan of <q>the movement</q>.</p>
<list><item>first</item><item>second</item></list><list rend="numbered"><item>one</item><item n="7">seven</item></list>
</body></text></TEI>"""


def test_markup_implied_separators_are_shown_but_not_part_of_the_text() -> None:
    doc = tei.TeiDocument.from_bytes(SEPARATED.encode())
    m = DisplayMap(doc)
    shown = [db.text for db in m.blocks if db.index >= 0]
    assert "Claudius, king of Denmark" in shown
    assert "Hamlet, his nephew" in shown and "Osric, a courtier" in shown
    p = next(i for i, b in enumerate(doc.text.blocks) if b.reading.startswith("Herausgegeben"))
    assert doc.text.blocks[p].reading.startswith("Herausgegebenvon Prof.")  # the text is untouched
    db = m.blocks[m.qt_block_of[p]]
    assert db.text.startswith("Herausgegeben von Prof. Zeman undFischer")  # break="no" joins
    note = next(db.text for db in m.blocks if db.index >= 0 and "Hannover" in db.text)
    assert "in Hannover" in note
    # every display position maps into the reading text; the inserted space maps to its place
    for i, b in enumerate(doc.text.blocks):
        for r in range(len(b.reading) + 1):
            assert m.qt_to_reading(m.reading_to_qt(i, r)) == (i, r)
    space = m.starts[m.qt_block_of[p]] + len("Herausgegeben")
    assert m.qt_to_reading(space) == (p, len("Herausgegeben"))
    shown = [db.text for db in m.blocks if db.index >= 0]
    assert "“Hands off China!” was the slogan of “the movement”." in shown
    assert shown[-4:] == ["• first", "• second", "1. one", "7. seven"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", " ", "  ", "\n", "\t", "\u00a0", "é", "𐌰", "<lb/>", "<hi>x</hi>",
                                 "<pb/>"]), max_size=30))  # fmt: skip
def test_line_break_spaces_and_page_markers_sit_where_the_collapsed_prefix_ends(parts: list[str]) -> None:
    doc = tei.TeiDocument.from_bytes(
        f'<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader/><text><body><p>{"".join(parts)}</p>'
        "</body></text></TEI>".encode())  # fmt: skip
    b = doc.text.blocks[0] if doc.text.blocks else None
    if b is None or b.complex:
        return
    raw = etree.tostring(b.element, method="text", encoding=str, with_tail=False)

    def oracle(o: int) -> int:  # reading offset of raw offset o, from the collapsed texts alone
        n = len(collapse(raw[:o]))
        return n + 1 if n and raw[o - 1] in " \t\n\r" and collapse(raw[o:]) else n

    offsets = doc.text.offsets_within(b.element)
    for o in range(len(raw) + 1):
        assert b.to_reading(o) == oracle(o)
    pbs = [len(collapse(raw[: offsets[pb]].rstrip(" \t\n\r"))) for pb in b.element.iter(ns.qn("pb"))]
    assert [a.position for a in b.anchors] == pbs
    spaces = [oracle(offsets[lb]) for lb in b.element.iter(ns.qn("lb"))
              if 0 < offsets[lb] < len(raw) and not (raw[offsets[lb] - 1].isspace() or raw[offsets[lb]].isspace())]
    db = DisplayMap(doc).blocks[0]
    assert [r.reading for r in db.runs if r.kind == "sep"] == spaces


@settings(max_examples=120, deadline=None)
@given(st.lists(inline(), min_size=1, max_size=3))
def test_display_round_trips_every_offset_with_apparatus_ruby_and_inline_notes(paragraphs: list[str]) -> None:
    doc = doc_of("".join(f"<p>{p}</p>" for p in paragraphs))
    m = DisplayMap(doc)
    for i, b in enumerate(doc.text.blocks):
        previous = -1
        for r in range(len(b.reading) + 1):
            q = m.reading_to_qt(i, r)
            assert q > previous or r == 0
            previous = q
            assert m.qt_to_reading(q) == (i, r)
        db = m.blocks[m.qt_block_of[i]]
        inserted = "".join(run.text for run in db.runs)
        assert len(db.text) == len(b.reading) + len(inserted)  # display = reading + inserted runs
        assert "B" not in db.text  # a witness siglum (<wit>B</wit>) is apparatus, never text
