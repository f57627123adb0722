"""Which taxonomies of a document are annotation categories."""

from __future__ import annotations

import pytest

import tei
from tests.conftest import CORPUS

DOC = """<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>T</title>
</titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc>
<encodingDesc><classDecl>
 <taxonomy xml:id="genre"><category xml:id="letter"><catDesc>A letter written by a person to another
 person, in prose, with a salutation and a signature.</catDesc></category>
 <category xml:id="diary"><catDesc>Diary</catDesc></category></taxonomy>
 <taxonomy xml:id="tags"><category xml:id="tag-root"><catDesc>Tags</catDesc>
  <category xml:id="tag-person"><catDesc>Person</catDesc></category>
  <category xml:id="tag-place"><catDesc>Place</catDesc></category></category></taxonomy>
</classDecl></encodingDesc></teiHeader>
<text><body><p xml:id="p1">Hello world from Rome.</p></body></text>
<standOff><listAnnotation><annotation xml:id="a1" target="#string-range(p1,17,4)"
 ana="#tag-place"/></listAnnotation></standOff></TEI>"""


def test_only_used_foreign_categories_are_annotation_categories(tmp_path) -> None:
    path = tmp_path / "d.xml"
    path.write_text(DOC, encoding="utf-8")
    doc = tei.load(path)
    cats = doc.taxonomy.categories
    assert "gl-bias" in cats and "gl-comment" in cats  # Glossator's taxonomy, all of it
    assert "letter" not in cats and "diary" not in cats and "tag-root" not in cats
    assert "tag-person" not in cats
    place = cats["tag-place"]  # another tool's tag an annotation uses
    assert (place.label, place.parent, place.depth, place.kind) == ("Place", "", 0, "comment")
    assert doc.taxonomy.label("tag-place") == "Place"
    # the document's own taxonomies stay as they are
    assert b'<category xml:id="letter">' in doc.to_bytes()
    assert doc.to_bytes() == path.read_bytes()


@pytest.mark.skipif(not (CORPUS / "pta__pta0022.pta002.pta-MsH.xml").is_file(), reason="no corpus")
def test_patristic_edition_status_is_not_offered() -> None:
    doc = tei.load(CORPUS / "pta__pta0022.pta002.pta-MsH.xml")
    ids = list(doc.taxonomy.categories)
    assert ids and all(i.startswith("gl-") for i in ids)
    assert not any(len(c.label) > 40 for c in doc.taxonomy.categories.values())


def test_an_underline_set_keeps_the_other_rend_tokens_and_clearing_it_inherits_again() -> None:
    from lxml import etree

    from tei.errors import AnnotationError
    from tei.taxonomy import set_category_fields

    el = etree.fromstring('<category xmlns="http://www.tei-c.org/ns/1.0" rend="bold underline-wavy"/>')
    set_category_fields(el, underline="dotted")
    assert el.get("rend") == "bold underline-dotted"
    set_category_fields(el, underline="")
    assert el.get("rend") == "bold"
    set_category_fields(el, label="x")  # other fields leave it alone
    assert el.get("rend") == "bold"
    el.set("rend", "underline-dashed")
    set_category_fields(el, underline="")
    assert "rend" not in el.attrib
    with pytest.raises(AnnotationError):
        set_category_fields(el, underline="zigzag")
