"""Elements standing between blocks (page breaks between paragraphs) are known from loading,
without a search of the whole tree, and are exactly those outside blocks and the header."""

from __future__ import annotations

import pytest

import tei
from tei import ns
from tei.errors import TeiError
from tests.conftest import corpus_files

PB = ns.qn("pb")


def _outside(doc: tei.TeiDocument) -> list[object]:
    """What a search of the whole tree finds: page breaks outside blocks and the header."""
    return [pb for pb in doc.root.iter(PB) if doc.text.start_outside_blocks(pb) is not None]


def test_page_breaks_between_blocks_in_document_order() -> None:
    doc = tei.TeiDocument.from_bytes(
        b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>T</title>'
        b'</titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p><pb n="h"/></p>'
        b'</sourceDesc></fileDesc></teiHeader><text><front><pb n="i"/><p>Front</p></front><body>'
        b'<pb n="1"/><div><p>One <pb n="in"/>two</p><pb n="2"/><div><pb n="3"/><p>Three</p></div></div>'
        b'<p>Four</p><pb n="4"/></body></text></TEI>')  # fmt: skip
    found = doc.text.between_blocks(PB)
    assert [pb.get("n") for pb in found] == ["i", "1", "2", "3", "4"]
    assert found == _outside(doc)


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_the_corpus_page_breaks_between_blocks_are_those_a_search_finds(path) -> None:  # noqa: ANN001
    try:
        doc = tei.load(path)
    except TeiError:
        pytest.skip("not loadable")
    assert doc.text.between_blocks(PB) == _outside(doc)
