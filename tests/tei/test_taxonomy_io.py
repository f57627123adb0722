"""A taxonomy as the historian's method: delete, move, export, import and merge categories."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

import tei
from tei import ns
from tei.taxonomy import (
    TAXONOMY_ID,
    category_elements,
    export_taxonomy,
    merge_taxonomy,
    move_category,
    read_taxonomy,
    recategorize,
    remove_category,
)

DOC = """<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>T</title>
</titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc>
</teiHeader><text><body><p xml:id="p1">Hello world from Rome.</p></body></text></TEI>"""


def _doc(tmp_path: Path) -> tei.TeiDocument:
    path = tmp_path / "d.xml"
    path.write_text(DOC, encoding="utf-8")
    return tei.load(path)


def _tree(tax: etree._Element) -> list[tuple[str, str]]:
    """Return (id, parent id) pairs in document order."""
    out = []
    for el in tax.iter(ns.qn("category")):
        parent = el.getparent()
        out.append((el.get(ns.XML_ID), parent.get(ns.XML_ID) if parent.tag == ns.qn("category") else ""))
    return out


def test_removing_a_category_moves_its_subcategories_up_in_its_place(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    tax, _ = doc.materialize_taxonomy()
    moved = remove_category(tax, "gl-bias")
    assert moved[:2] == ["gl-bias-loaded-language", "gl-bias-omission"]
    pairs = _tree(tax)
    assert "gl-bias" not in dict(pairs)
    assert pairs[0] == ("gl-bias-loaded-language", "")  # where the bias category was
    assert dict(pairs)["gl-figure"] == ""
    doc.taxonomy.invalidate()
    assert doc.taxonomy.categories["gl-bias-omission"].depth == 0
    with pytest.raises(tei.TaxonomyError):
        remove_category(tax, "gl-bias")
    reread = tei.TeiDocument.from_bytes(doc.to_bytes())  # saved layout is indented and parses
    assert "gl-bias-teleology" in reread.taxonomy.categories


def test_moving_a_category_refuses_cycles_and_keeps_the_subtree(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    tax, _ = doc.materialize_taxonomy()
    move_category(tax, "gl-bias", "gl-comment")
    assert dict(_tree(tax))["gl-bias"] == "gl-comment"
    assert dict(_tree(tax))["gl-bias-omission"] == "gl-bias"
    before = etree.tostring(tax)
    with pytest.raises(tei.TaxonomyError, match="its own subcategory"):
        move_category(tax, "gl-comment", "gl-bias-omission")
    with pytest.raises(tei.TaxonomyError, match="itself"):
        move_category(tax, "gl-comment", "gl-comment")
    assert etree.tostring(tax) == before
    move_category(tax, "gl-question", "", 0)
    assert _tree(tax)[0] == ("gl-question", "")
    text = tei.TeiDocument.from_bytes(doc.to_bytes()).to_bytes().decode()
    lines = {line.strip().split('"')[1]: len(line) - len(line.lstrip())
             for line in text.splitlines() if line.strip().startswith("<category xml:id=")}
    assert lines["gl-bias"] == lines["gl-comment"] + 2  # indented for its new depth
    assert lines["gl-bias-omission"] == lines["gl-bias"] + 2


def test_recategorize_replaces_the_token_without_duplicates() -> None:
    ann = etree.Element("annotation", ana="#gl-bias #gl-bias-omission")
    recategorize(ann, "gl-bias-omission", "gl-bias")
    assert ann.get("ana") == "#gl-bias"
    recategorize(ann, "gl-bias", "gl-comment")
    assert ann.get("ana") == "#gl-comment"


def test_export_then_read_gives_the_same_categories(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    tax, _ = doc.materialize_taxonomy()
    tax.append(doc.taxonomy.new_category_element("my-dating", "Dating & chronology", "#77aadd", "D"))
    out = export_taxonomy(tax, tmp_path / "method.xml", "My method")
    data = Path(out).read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<TEI xmlns=')
    assert b"<title>My method</title>" in data
    back = read_taxonomy(out)
    assert back.get(ns.XML_ID) == TAXONOMY_ID
    assert [(c, p) for c, p in _tree(back)] == _tree(tax)
    assert b"Dating &amp; chronology" in data
    other = _doc(tmp_path)
    other.taxonomy.use_default(back)
    assert other.taxonomy.categories["my-dating"].shortcut == "D"


def test_reading_refuses_files_without_usable_categories(tmp_path: Path) -> None:
    plain = tmp_path / "plain.xml"
    plain.write_text(DOC, encoding="utf-8")
    with pytest.raises(tei.TaxonomyError, match="no taxonomy"):
        read_taxonomy(plain)
    dup = tmp_path / "dup.xml"
    dup.write_text(DOC.replace("</teiHeader>", "<encodingDesc><classDecl><taxonomy><category xml:id='a'>"
                               "<catDesc>A</catDesc></category><category xml:id='a'/></taxonomy>"
                               "</classDecl></encodingDesc></teiHeader>"), encoding="utf-8")
    with pytest.raises(tei.TaxonomyError, match="used twice"):
        read_taxonomy(dup)
    with pytest.raises(tei.NotXmlError):
        (tmp_path / "bin.xml").write_bytes(b"\x00\x01binary")
        read_taxonomy(tmp_path / "bin.xml")


def test_merge_adds_missing_categories_and_reports_differences(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    tax, _ = doc.materialize_taxonomy()
    mine = etree.fromstring(etree.tostring(tax))
    move_category(mine, "gl-question", "", -1)
    set_label = mine.find(f".//{ns.qn('category')}[@{{{ns.XML}}}id='gl-comment']/{ns.qn('catDesc')}")
    set_label.text = "Remark"
    bias = category_elements(mine)["gl-bias"]
    bias.append(doc.taxonomy.new_category_element("gl-bias-euphemism", "Euphemism", "#f6c343", ""))
    mine.append(doc.taxonomy.new_category_element("my-dating", "Dating", "#77aadd", "F"))  # F is taken
    mine.append(doc.taxonomy.new_category_element("p1", "Clash", "#77aadd", ""))
    report = merge_taxonomy(tax, mine, taken={"p1"})
    assert report.added == ["gl-bias-euphemism", "my-dating"]
    assert report.differing == ["gl-comment"]
    assert report.skipped == ["p1"] and report.keys_dropped == ["my-dating"]
    pairs = dict(_tree(tax))
    assert pairs["gl-bias-euphemism"] == "gl-bias" and pairs["my-dating"] == ""
    assert category_elements(tax)["gl-comment"].findtext(ns.qn("catDesc")) == "Comment"
    assert "1 already here" in report.summary() and "2 categories added" in report.summary()
