"""Editorial interventions (``tei.interventions``): the TEI markup they add, annotations that move
with the text, byte-faithful saving (only the edited text, the standOff and the header change
differ) and undo back to the original bytes, on hand-made files and on the shared corpus."""

from __future__ import annotations

import re

import pytest
from lxml import etree

import tei
from tei import interventions as iv
from tei.anchoring import ReadingIndex, check_quotes
from tei.source import Edit, apply_edits
from tests.conftest import corpus_files

T = "{http://www.tei-c.org/ns/1.0}"
HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<TEI xmlns="http://www.tei-c.org/ns/1.0">\n'
        '  <teiHeader><fileDesc><titleStmt><title>T</title></titleStmt><publicationStmt><p/>'
        '</publicationStmt><sourceDesc><p/></sourceDesc></fileDesc></teiHeader>\n  <text><body>\n')  # fmt: skip
TAIL = "  </body></text>\n</TEI>\n"
PARAS = ["The howl- said that the  CFC congress met in &amp; at Yan&#x2019;an.",
         "Well, the second paragraph <hi>stays</hi> as it was.",
         "A third one, with a <![CDATA[CDATA <section>]]> in it."]  # fmt: skip


def _doc(paras: list[str] = PARAS, newline: str = "\n", encoding: str = "UTF-8") -> tei.TeiDocument:
    xml = HEAD + "".join(f"    <p>{p}</p>\n" for p in paras) + TAIL
    xml = xml.replace('encoding="UTF-8"', f'encoding="{encoding}"').replace("\n", newline)
    return tei.TeiDocument.from_bytes(xml.encode(encoding))


def _at(doc: tei.TeiDocument, block: int, word: str) -> tuple[int, int, int]:
    r = doc.text.blocks[block].reading.index(word)
    return block, r, r + len(word)


def _annotate(doc: tei.TeiDocument, block: int, word: str) -> str:
    b, r0, r1 = _at(doc, block, word)
    return doc.add_annotation(doc.target_for(b, r0, b, r1), "gl-comment").id


def _shows(doc: tei.TeiDocument, ann_id: str) -> str:
    res = doc.resolve(doc.annotation(ann_id).target)
    assert res and all(r.ok for r in res)
    index = ReadingIndex(doc)
    start, end = index.span_of(res[0].start, res[-1].end)
    return index.text[start:end]


def _reload(data: bytes) -> tei.TeiDocument:
    return tei.TeiDocument.from_bytes(data)


# -- what each intervention writes --------------------------------------------------------------
def test_emend_keeps_the_source_reading_and_shows_the_correction():
    doc = _doc()
    pid = doc.ensure_annotator("Ada")
    done = iv.intervene(doc, "emend", *_at(doc, 0, "howl-"), text="war", cert="medium", resp=pid,
                        when="2026-12-04T10:00:00Z")  # fmt: skip
    assert done.label == "Emend 'howl-' → 'war'"
    assert doc.text.blocks[0].reading.startswith("The war said")
    out = doc.to_bytes(when="W").decode()
    assert f'<choice xml:id="{done.element.get(tei.ns.XML_ID)}"><sic>howl-</sic><corr resp="#{pid}" cert="medium">war</corr></choice>' in out
    again = _reload(out.encode())
    assert again.text.blocks[0].reading.startswith("The war said")  # read back: corr shown
    change = again.root.find(f".//{T}standOff/{T}listChange/{T}change")
    assert change.get("type") == "emend" and change.get("who") == f"#{pid}"
    assert change.get("when") == "2026-12-04T10:00:00Z" and change.get("target") == "#" + done.element.get(tei.ns.XML_ID)
    assert "Emended ‘howl-’ to ‘war’." in change.text
    header = again.root.find(f"{T}teiHeader/{T}revisionDesc/{T}change")
    assert "Text changed: Emended ‘howl-’ to ‘war’." in header.text


@pytest.mark.parametrize(("kind", "word", "kw", "markup", "reading"), [
    ("regularise", "Yan’an", {"text": "Yan'an"}, "<choice {id}><orig>Yan&#x2019;an</orig><reg>Yan'an</reg></choice>", "in & at Yan'an."),
    ("unclear", "congress", {"reason": "faded"}, '<unclear {id} reason="faded">congress</unclear>', "CFC congress met"),
    ("gap", "met", {"reason": "illegible", "extent": "1 word"}, '<gap {id} reason="illegible" extent="1 word"/>', "CFC congress in"),
    ("supplied", "said", {"reason": "omitted"}, '<supplied {id} reason="omitted">said</supplied>', "howl- said that"),
])  # fmt: skip
def test_other_interventions_write_their_tei_element(kind, word, kw, markup, reading):
    doc = _doc()
    done = iv.intervene(doc, kind, *_at(doc, 0, word), **kw)
    out = doc.to_bytes(when="W").decode()
    xml_id = f'xml:id="{done.element.get(tei.ns.XML_ID)}"'
    expected = markup.format(id=xml_id)
    if kind == "regularise":  # the kept reading is the tree's text, written plainly
        expected = expected.replace("&#x2019;", "’")
    assert expected in out
    assert reading in doc.text.blocks[0].reading and reading in _reload(out.encode()).text.blocks[0].reading


def test_supply_at_a_point_inserts_the_supplied_text():
    doc = _doc()
    b, r, _ = _at(doc, 1, "paragraph")
    done = iv.intervene(doc, "supplied", b, r, r, text="long ", reason="omitted")
    assert done.label == "Supply 'long'"
    assert "second long paragraph" in doc.text.blocks[1].reading
    assert '<supplied xml:id="' in doc.to_bytes(when="W").decode()


def test_plain_correction_replaces_inserts_and_deletes_and_notes_it_in_the_header():
    doc = _doc()
    iv.intervene(doc, "correct", *_at(doc, 0, "CFC"), text="CPC")
    b, r, _ = _at(doc, 1, "paragraph")
    iv.intervene(doc, "correct", b, r, r, text="long ")
    iv.intervene(doc, "correct", *_at(doc, 1, "Well, "), text="")
    assert "the CPC congress" in doc.text.blocks[0].reading
    assert doc.text.blocks[1].reading == "the second long paragraph stays as it was."
    out = doc.to_bytes(when="W").decode()
    assert "  CPC congress" in out and "<p>the second long paragraph <hi>stays</hi>" in out
    assert ("Text changed: Corrected ‘CFC’ to ‘CPC’. Inserted ‘long’. Deleted ‘Well,’." in out)
    assert "<choice" not in out and "<corr" not in out  # a plain correction adds no markup


def test_refuses_what_it_cannot_do_and_changes_nothing():
    doc = _doc()
    before = doc.to_bytes(when="W")
    b, r0, _ = _at(doc, 1, "paragraph")
    with pytest.raises(tei.AnnotationError, match="same as the old"):
        iv.intervene(doc, "correct", *_at(doc, 1, "paragraph stays"), text="paragraph stays")
    with pytest.raises(tei.AnnotationError, match="select the text"):
        iv.intervene(doc, "emend", b, r0, r0, text="x")
    assert doc.to_bytes(when="W") == before


def test_refuses_text_written_with_an_entity_of_the_document():
    xml = ('<?xml version="1.0"?>\n<!DOCTYPE TEI [<!ENTITY ye "the">]>\n'
           + HEAD.split("\n", 1)[1] + "    <p>Sing &ye; song of it</p>\n" + TAIL)  # fmt: skip
    doc = tei.TeiDocument.from_bytes(xml.encode())
    with pytest.raises(tei.AnnotationError, match="entity"):
        iv.intervene(doc, "emend", *_at(doc, 0, "song"), text="psalm")
    assert doc.text.blocks[0].reading == "Sing the song of it"


# -- annotations move with the text -------------------------------------------------------------
def test_annotations_before_inside_around_and_after_keep_their_passage():
    doc = _doc()
    ids = {w: _annotate(doc, 0, w) for w in ("The", "howl", "howl- said", "said", "congress")}
    around = doc.add_annotation(doc.target_for(*_at(doc, 0, "The howl- said")[:2], 0,
                                               _at(doc, 0, "The howl- said")[2]), "gl-comment").id  # fmt: skip
    other = _annotate(doc, 1, "second")
    done = iv.intervene(doc, "emend", *_at(doc, 0, "howl-"), text="war")
    assert _shows(doc, ids["The"]) == "The"
    assert _shows(doc, ids["howl"]) == "war"  # a pointer into the replaced text covers its replacement
    assert _shows(doc, ids["howl- said"]) == "war said"
    assert _shows(doc, ids["said"]) == "said"
    assert _shows(doc, ids["congress"]) == "congress"
    assert _shows(doc, around) == "The war said"
    assert _shows(doc, other) == "second"
    assert check_quotes(doc) == []  # every stored quote is what its pointer shows
    history = doc.annotation(ids["howl"]).element.find(f"{T}revisionDesc/{T}change[@status='text-changed']")
    assert history.find(f"{T}quote").text == "howl" and history.get("type") == "emend"
    assert doc.annotation(ids["said"]).element.find(f".//{T}change[@status='text-changed']") is None
    assert set(done.changed_annotations) >= {ids["howl"], ids["howl- said"], around, ids["said"]}
    assert other not in done.changed_annotations
    done.undo()
    assert _shows(doc, ids["howl"]) == "howl" and doc.annotation(ids["howl"]).quote == "howl"
    done.redo()
    assert _shows(doc, ids["howl"]) == "war" and doc.annotation(ids["howl"]).quote == "war"


def test_annotations_follow_a_plain_correction_and_a_range_across_blocks_requotes():
    doc = _doc()
    after = _annotate(doc, 0, "met")
    span = doc.add_annotation(doc.target_for(0, _at(doc, 0, "said")[1], 1, 4), "gl-comment").id
    iv.intervene(doc, "correct", *_at(doc, 0, "CFC"), text="Communist Party")
    assert _shows(doc, after) == "met"
    assert "Communist Party congress" in doc.annotation(span).quote
    assert check_quotes(doc) == []
    saved = _reload(doc.to_bytes(when="W"))
    assert check_quotes(saved) == [] and _shows(saved, after) == "met"


# -- bytes ----------------------------------------------------------------------------------------
def assert_only_text_changed(doc: tei.TeiDocument, out: str, old: str) -> None:
    """Assert that ``out`` is the original text with Glossator's own parts (the standOff, the
    header change: written by the tested code of ``tei.document``) and, in one place, the
    characters of ``old`` replaced by the intervention's markup; every other byte is the same."""
    nl = doc.source.newline
    owned = [e for e in (doc._change_edit("", "W"),) if e is not None]
    owned += doc._owned_edit("standoff", doc.standoff())
    expected = apply_edits(doc.source.text, [Edit(e.start, e.end, e.new.replace("\n", nl)) for e in owned])
    assert out != expected
    p = 0
    while expected[p] == out[p]:
        p += 1
    q = 0
    while q < min(len(out), len(expected)) - p and expected[-1 - q] == out[-1 - q]:
        q += 1
    assert expected[p : len(expected) - q] in old, (expected[p : len(expected) - q], old)
    assert "<" not in expected[p : len(expected) - q]


def test_only_the_edited_characters_change_with_crlf_latin1_cdata_and_references():
    for newline, encoding in (("\n", "UTF-8"), ("\r\n", "UTF-8"), ("\n", "ISO-8859-1")):
        doc = _doc(newline=newline, encoding=encoding)
        orig = doc.source.data
        anns = [_annotate(doc, 0, "said"), _annotate(doc, 2, "third")]
        annotated = doc.to_bytes(when="W")
        steps = [iv.intervene(doc, "emend", *_at(doc, 0, "that"), text="thaţ"),
                 iv.intervene(doc, "correct", *_at(doc, 2, "in it"), text="inside")]  # fmt: skip
        out = doc.to_bytes(when="W")
        text = out.decode(encoding)
        assert "<choice" in text and "CDATA <section>]]> inside." in text
        assert newline + "    <p>Well, the second" in text  # the line ending is the file's
        assert ("&#355;" in text) == (encoding != "UTF-8")  # unencodable: a character reference
        assert "&amp; at Yan&#x2019;an." in text  # references outside the edited text kept
        again = _reload(out)
        assert again.text.blocks[0].reading.startswith("The howl- said thaţ the")
        assert again.text.blocks[2].reading.endswith("CDATA <section> inside.")
        assert [_shows(again, i) for i in anns] == ["said", "third"]
        for step in reversed(steps):
            step.undo()
        assert doc.to_bytes(when="W") == annotated
        assert doc.source.data == orig


def test_undo_of_every_kind_gives_back_the_original_bytes():
    doc = _doc()
    orig = doc.source.data
    steps = []
    for kind, word, kw in (("emend", "howl-", {"text": "war"}), ("regularise", "Yan’an", {"text": "Yanan"}),
                           ("unclear", "congress", {}), ("gap", "met", {}), ("supplied", "said", {}),
                           ("correct", "second", {"text": "2nd"}), ("emend", "war", {"text": "war!"})):  # fmt: skip
        block = 1 if word == "second" else 0
        steps.append(iv.intervene(doc, kind, *_at(doc, block, word), **kw))
    assert doc.to_bytes(when="W") != orig
    for step in reversed(steps):
        step.undo()
    assert doc.to_bytes(when="W") == orig
    for step in steps:
        step.redo()
    assert "war!" in doc.text.blocks[0].reading


def test_the_result_is_valid_tei(tei_all_schema):
    doc = _doc()
    pid = doc.ensure_annotator("Ada")
    _annotate(doc, 0, "howl- said")
    for kind, word, kw in (("emend", "howl-", {"text": "war", "cert": "high"}),
                           ("unclear", "congress", {"reason": "faded"}),
                           ("gap", "met", {"reason": "illegible", "extent": "1 word"}),
                           ("correct", "second", {"text": "2nd"})):  # fmt: skip
        iv.intervene(doc, kind, *_at(doc, 1 if word == "second" else 0, word), resp=pid, **kw)
    tree = etree.fromstring(doc.to_bytes(when="2026-12-04T10:00:00Z"))
    assert tei_all_schema.validate(tree), tei_all_schema.error_log


# -- the corpus -------------------------------------------------------------------------------------
def _first_word(doc: tei.TeiDocument, kind: str) -> tuple[iv.Intervention, str] | None:
    """Intervene on the first plain word of a paragraph that can be changed; return it and the word."""
    tried = 0
    for i, b in enumerate(doc.text.blocks):
        if etree.QName(b.element).localname not in ("p", "l", "ab") or b.parent >= 0:
            continue
        for m in re.finditer(r"\b[a-z]{5,}\b", b.reading):
            tried += 1
            if tried > 200:
                return None
            try:
                return iv.intervene(doc, kind, i, m.start(), m.end(), text=m.group().upper()), m.group()
            except tei.AnnotationError:
                continue
    return None


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_intervention_changes_only_the_edited_text_and_undo_restores(path):
    try:
        doc = tei.TeiDocument.load(path)
    except tei.TeiError:
        pytest.skip("not loadable")
    orig = doc.source.data
    for kind in ("emend", "correct"):
        found = _first_word(doc, kind)
        if found is None:
            pytest.skip("no paragraph with a plain word")
        done, word = found
        out = doc.to_bytes(when="W")
        assert_only_text_changed(doc, out[len(doc.source.bom) :].decode(doc.source.encoding), word)
        shown = _reload(out).text.blocks[done.block].reading
        done.undo()
        assert doc.to_bytes(when="W") == orig
        before = doc.text.blocks[done.block].reading
        assert shown.count(word) == before.count(word) - 1  # the word reads as its correction
        assert shown.count(word.upper()) == before.count(word.upper()) + 1


# -- exports ----------------------------------------------------------------------------------------
def test_exports_show_the_corrected_text_and_the_html_edition_the_source_reading():
    from tei.exporters.csv_export import render_csv
    from tei.exporters.html import render_html
    from tei.webanno import to_webanno

    doc = _doc()
    pid = doc.ensure_annotator("Ada")
    _annotate(doc, 0, "howl- said")
    iv.intervene(doc, "emend", *_at(doc, 0, "howl-"), text="war", resp=pid, when="2026-12-04T10:00:00Z")
    iv.intervene(doc, "supplied", *_at(doc, 0, "that"), reason="omitted", resp=pid, when="2026-12-04T10:01:00Z")
    page, _ = render_html(doc)
    assert '<span class="corr" title="The source reads: howl-">' in page
    assert '<span class="supplied" title="Supplied by the editor (omitted)">that</span>' in page
    listed = page.split('id="interventions"')[1].split("</section>")[0]
    assert "Emended ‘howl-’ to ‘war’. — Ada, 2026-12-04" in listed and "Supplied ‘that’ (omitted)." in listed
    assert "war said" in render_csv(doc)[0] and "howl" not in render_csv(doc)[0]
    selector = next(s for s in to_webanno(doc)["first"]["items"][0]["target"]["selector"] if s["type"] == "TextQuoteSelector")
    assert selector["exact"] == "war said" and selector["prefix"].endswith("The ")


# -- across markup ----------------------------------------------------------------------------------
def test_an_emendation_across_a_page_break_keeps_the_page_and_every_piece_of_the_source():
    paras = ['By joining the howl-<pb n="82" break="no"/>Well, against Japan, the USSR acted.',
             "Another paragraph."]  # fmt: skip
    doc = _doc(paras)
    around = _annotate(doc, 0, "joining the howl-Well, against")
    after = _annotate(doc, 0, "USSR")
    pid = doc.ensure_annotator("Ada")
    done = iv.intervene(doc, "emend", *_at(doc, 0, "howl-Well"), text="war", resp=pid)
    assert done.label == "Emend 'howl-Well' → 'war'"
    assert doc.text.blocks[0].reading == "By joining the war, against Japan, the USSR acted."
    out = doc.to_bytes(when="W").decode()
    assert re.search(r'the <choice xml:id="[^"]+"><sic>howl-</sic><corr resp="#[^"]+">war</corr></choice>'
                     r'<pb n="82" break="no"/><choice xml:id="[^"]+"><sic>Well</sic><corr resp="#[^"]+"/></choice>, against', out)
    assert out.count("Emended ‘howl-Well’ to ‘war’.") == 2  # the log and the header, once each
    assert _shows(doc, around) == "joining the war, against" and _shows(doc, after) == "USSR"
    history = doc.annotation(around).element.findall(f".//{T}change[@status='text-changed']")
    assert [h.find(f"{T}quote").text for h in history] == ["joining the howl-Well, against"]
    again = _reload(out.encode())
    assert again.text.blocks[0].reading == "By joining the war, against Japan, the USSR acted."
    assert check_quotes(again) == []
    done.undo()
    assert doc.text.blocks[0].reading == "By joining the howl-Well, against Japan, the USSR acted."
    assert b'>By joining the howl-<pb n="82" break="no"/>Well, against Japan, the USSR acted.</p>' in doc.to_bytes(when="W")
    assert b"<choice" not in doc.to_bytes(when="W")
    done.redo()
    assert doc.text.blocks[0].reading.startswith("By joining the war,")


def test_a_plain_correction_across_emphasis_rewrites_each_stretch():
    doc = _doc()
    orig = doc.source.data
    done = iv.intervene(doc, "correct", *_at(doc, 1, "paragraph stays as"), text="text remains as")
    assert doc.text.blocks[1].reading == "Well, the second text remains as it was."
    out = doc.to_bytes(when="W").decode()
    assert "<p>Well, the second text remains as<hi></hi> it was.</p>" in out  # the tags stay
    done.undo()
    assert doc.to_bytes(when="W") == orig


def _across_markup(doc: tei.TeiDocument) -> tuple[iv.Across, str] | None:
    """Emend the first two words of a paragraph that markup separates; return it and the words."""
    tried = 0
    for i, b in enumerate(doc.text.blocks):
        if b.parent >= 0 or not len(b.element):
            continue
        for m in re.finditer(r"\b[a-z]{3,} [a-z]{3,}\b", b.reading):
            tried += 1
            if tried > 400:
                return None
            try:
                done = iv.intervene(doc, "emend", i, m.start(), m.end(), text="X")
            except tei.AnnotationError:
                continue
            if isinstance(done, iv.Across):
                return done, m.group()
            done.undo()
    return None


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_emendation_across_markup_keeps_the_markup_and_every_other_byte(path):
    try:
        doc = tei.TeiDocument.load(path)
    except tei.TeiError:
        pytest.skip("not loadable")
    orig = doc.source.data
    found = _across_markup(doc)
    if found is None:
        pytest.skip("no two words with markup between them")
    done, words = found
    out = doc.to_bytes(when="W")[len(doc.source.bom) :].decode(doc.source.encoding)
    nl = doc.source.newline
    owned = [e for e in (doc._change_edit("", "W"),) if e is not None]
    owned += doc._owned_edit("standoff", doc.standoff())
    expected = apply_edits(doc.source.text, [Edit(e.start, e.end, e.new.replace("\n", nl)) for e in owned])
    p = 0
    while expected[p] == out[p]:
        p += 1
    q = 0
    while q < min(len(out), len(expected)) - p and expected[-1 - q] == out[-1 - q]:
        q += 1
    changed = expected[p : len(expected) - q]  # of the original: the words, and the markup between
    text = re.sub(r"<[^>]*>", "", changed)  # what the original had there besides markup: the words
    assert "".join(text.split()) in "".join(words.split()), (changed, words)
    for tag in re.findall(r"<[^>]*>", changed):  # the markup is all still there, as it was
        assert tag in out[p : len(out) - q]
    again = _reload(doc.to_bytes(when="W"))
    assert "X" in again.text.blocks[done.block].reading
    done.undo()
    assert doc.to_bytes(when="W") == orig
