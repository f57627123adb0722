"""The parser checks xml:ids as it reads (no walk of their own for a document whose ids are
unique); a document whose ids it refuses loads as before, and a broken one reports its own error."""

from __future__ import annotations

import pytest

import tei
from tei import ns
from tei.errors import MalformedXmlError
from tei.parser import parse_checking_ids

HEAD = ('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>T</title>'
        "</titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc>"
        "</teiHeader><text><body>")  # fmt: skip
TAIL = "</body></text></TEI>"


def _doc(body: str) -> bytes:
    return (HEAD + body + TAIL).encode()


@pytest.mark.parametrize(("body", "unique"), [
    ('<p xml:id="a">One</p><p xml:id="b">Two</p>', True),
    ('<p xml:id="a">One</p><p xml:id=" a ">Two</p>', True),  # other strings: other ids
    ('<p xml:id="a">One</p><p xml:id="a">Two</p>', False),  # repeated
    ('<p xml:id="1a">One</p>', False),  # not a name: refused by the check, read all the same
])  # fmt: skip
def test_the_parser_says_whether_every_xml_id_is_unique(body: str, unique: bool) -> None:
    tree, found = parse_checking_ids(_doc(body))
    assert found is unique
    body_el = next(tree.getroot().iter(ns.qn("body")))
    assert [p.text for p in body_el] == ["One", "Two"][: body.count("<p ")]


def test_documents_whose_ids_the_check_refuses_load_with_the_same_ids_and_warnings() -> None:
    doc = tei.TeiDocument.from_bytes(_doc('<p xml:id="1a">One</p><p xml:id="x">Two</p><p xml:id="x">3</p>'))
    assert doc.element_by_id("1a").text == "One"
    assert doc.id_counts() == {"1a": 1, "x": 2}
    assert doc.warnings == ["1 xml:id value(s) are used more than once (x); pointers to them are ambiguous"]
    unique = tei.TeiDocument.from_bytes(_doc('<p xml:id="a">One</p><p xml:id="b">Two</p>'))
    assert unique.warnings == [] and unique.element_by_id("b").text == "Two"
    new = unique.new_id("a")
    assert new != "a" and new != "b"


def test_a_broken_document_with_a_repeated_id_reports_its_own_error() -> None:
    data = _doc('<p xml:id="a">One</p><p xml:id="a">Two</p><p>Three</q>')
    with pytest.raises(MalformedXmlError) as err:
        tei.TeiDocument.from_bytes(data)
    assert "already defined" not in str(err.value) and "mismatch" in str(err.value).lower()
