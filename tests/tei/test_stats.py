"""``glossator stats`` counts: the text model's fast reading counts equal the reading texts' own."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import tei
from tei.cli import document_stats
from tei.textmodel import collapse
from tests.conftest import corpus_files

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "resources" / "samples"
#: Every character ``str.split()`` splits on that XML allows (it forbids \x0b, \x0c, \x1c-\x1f).
_ALL_SPACES = "".join(c for c in map(chr, range(sys.maxunicode + 1))
                      if c.isspace() and c not in "\x0b\x0c\x1c\x1d\x1e\x1f")  # fmt: skip
TRICKY = f"""<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>T
</title></titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc>
</teiHeader><text><body>
<p>  plain   ASCII
  text  </p>
<p>no\u00a0break and\u2003em  space, ideographic\u3000space, line\u2028separator</p>
<p>Кириллица   с\u00a0пробелом </p>
<p>a note<note place="foot">in   the foot</note> inside, a <choice><sic>teh</sic><corr>the</corr>
</choice> choice and a bro<lb break="no"/>ken word</p>
<p>   </p><p/>
<ab>every space: a{_ALL_SPACES}b</ab>
</body></text></TEI>"""


def _expected(doc: tei.TeiDocument) -> tuple[int, int]:
    readings = [b.reading for b in doc.text.blocks]
    return sum(len(r) for r in readings), sum(len(r.split()) for r in readings)


def test_reading_counts_equal_the_reading_texts_on_tricky_spaces_and_structures() -> None:
    counts = tei.TeiDocument.from_bytes(TRICKY.encode()).text.reading_counts()
    assert counts == _expected(tei.TeiDocument.from_bytes(TRICKY.encode()))
    assert counts[1] > 30


def test_collapse_keeps_every_non_xml_space_and_collapses_xml_ones() -> None:
    for c in _ALL_SPACES:
        text = f" a \t{c}\r\n b "
        kept = c not in " \t\n\r"
        assert collapse(text) == (f"a {c} b" if kept else "a b"), hex(ord(c))


@pytest.mark.slow
@pytest.mark.parametrize("path", [SAMPLES / "soviet-aid-to-china-annotated.xml",
                                  *corpus_files()], ids=lambda p: p.name)  # fmt: skip
def test_stats_counts_equal_the_reading_texts(path: Path) -> None:
    doc = tei.load(path)
    data = document_stats(doc)
    fresh = tei.load(path)
    chars, words = _expected(fresh)
    assert (data["characters"], data["words"]) == (chars, words)
    assert data["blocks"] == len(fresh.text.blocks)


def test_id_counts_agree_with_the_id_index_before_and_after_edits() -> None:
    xml = TRICKY.replace("<p>  plain", '<p xml:id="a">  plain').replace(
        "<p>Кириллица", '<p xml:id="a">Кириллица').replace("<p>no", '<p xml:id="b">no')
    doc = tei.TeiDocument.from_bytes(xml.encode())
    assert doc.id_counts() == {"a": 2, "b": 1}
    assert any("used more than once (a)" in w for w in doc.warnings)
    assert document_stats(doc)["duplicate_ids"] == 1
    doc.add_annotation(doc.target_for(1, 0, 1, 2), "gl-comment")
    assert doc.id_counts() == {k: len(v) for k, v in doc.ids().items()}
    assert sum(doc.id_counts().values()) > 3
