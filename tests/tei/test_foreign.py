"""Annotations made by other tools: Recogito's selectors and tags."""

from __future__ import annotations

import tei
from tei import pointers as P

RECOGITO = """<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt>
<title>Buonaparte</title><author>Anonymous writer</author></titleStmt><publicationStmt><p/>
</publicationStmt><sourceDesc><p/></sourceDesc></fileDesc></teiHeader>
<text><body><div><p>Napoleon crossed the Alps.</p><p>He reached <hi>Milan</hi> in May.</p></div></body></text>
<standOff type="recogito_studio_annotations"><listAnnotation>
 <annotation target="/TEI[1]/text[1]/body[1]/div[1]/p[1]::0 /TEI[1]/text[1]/body[1]/div[1]/p[1]::8"
   xml:id="uid-1"><note resp="#uid-u">The emperor</note><rs ana="Name"/>
   <respStmt xml:id="uid-u"><name>aboutgeo</name></respStmt></annotation>
 <annotation target="#xpath(/TEI[1]/text[1]/body[1]/div[1]/p[2])::11 #xpath(/TEI[1]/text[1]/body[1]/div[1]/p[2])::16"
   xml:id="uid-2"><rs ana="Place"/></annotation>
 <annotation target="/TEI[1]/text[1]/body[1]/div[1]/p[1]::9 /TEI[1]/text[1]/body[1]/div[1]/p[2]::2"
   xml:id="uid-3"/>
</listAnnotation></standOff></TEI>"""


def test_recogito_selectors_resolve_and_are_kept_verbatim() -> None:
    doc = tei.TeiDocument.from_bytes(RECOGITO.encode())
    quotes = {}
    for ann in doc.annotations():
        (res,) = doc.resolve(ann.target)
        assert res.ok, (ann.id, res.message)
        quotes[ann.id] = doc.quote_for(res.start, res.end)[0]
        (p,) = P.parse_target(ann.target)
        assert str(p) == ann.target  # written back as it was
    assert quotes == {"uid-1": "Napoleon", "uid-2": "Milan", "uid-3": "crossed the Alps.\nHe"}


def test_foreign_tags_are_read_as_tags() -> None:
    doc = tei.TeiDocument.from_bytes(RECOGITO.encode())
    assert [a.tags for a in doc.annotations()] == [["Name"], ["Place"], []]
    assert doc.annotation("uid-1").annotator_name == "aboutgeo"


def test_xpaths_through_text_and_div_elements_resolve() -> None:
    doc = tei.TeiDocument.from_bytes(RECOGITO.encode())
    (res,) = doc.resolve("#xpath(/TEI/text/body/div/p[2])")
    assert res.ok and doc.quote_for(res.start, res.end)[0] == "He reached Milan in May."
