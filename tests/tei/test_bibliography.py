"""Bibliographies in: BibTeX, RIS, CSL-JSON and Zotero's local API become ``<biblStruct>`` sources."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import pytest
from lxml import etree

import tei
from tei import bibliography as bib
from tei import ns
from tei.document import bibl_fields, fill_bibl

from ..conftest import DATA

BIB = DATA / "bib"
MINIMAL = DATA / "tei" / "minimal.xml"
T = ns.qn


def outcomes(plan: bib.ImportPlan) -> list[tuple[str, str, str]]:
    return [(o.outcome, o.label, o.reason) for o in plan.outcomes]


def by_label(cands: list[bib.Candidate]) -> dict[str, bib.Candidate]:
    return {c.label: c for c in cands}


def struct(doc: tei.TeiDocument, sid: str) -> etree._Element:
    el = doc.element_by_id(sid)
    assert el is not None and el.tag == T("biblStruct")
    return el


def text(el: etree._Element, path: str) -> str:
    found = el.find(path, namespaces={"t": ns.TEI})
    return " ".join("".join(found.itertext()).split()) if found is not None else ""


# -- BibTeX -----------------------------------------------------------------------------------
def test_bibtex_entries_become_csl_with_names_split_and_latex_decoded() -> None:
    found = by_label(bib.read_bibliography(BIB / "sample.bib"))
    mueller = found["@article{mueller1999}"].item
    assert mueller is not None
    assert mueller["type"] == "article-journal"
    assert mueller["title"] == "Škoda and the Soviet Aid — a Reassessment"
    assert mueller["author"] == [{"family": "Müller", "given": "Hans"},
                                 {"family": "Fontaine", "given": "Jean", "non-dropping-particle": "de la"},
                                 {"literal": "World Bank"}]  # fmt: skip
    assert mueller["issued"] == {"date-parts": [[1999, 3]]}
    assert (mueller["container-title"], mueller["issue"], mueller["page"]) == (
        "Journal of Cold War Studies", "3", "54-78")
    smith = found["@incollection{smith2003}"].item
    assert smith is not None
    assert smith["author"] == [{"family": "Smith", "given": "John", "suffix": "Jr."}]
    assert smith["editor"] == [{"family": "Doe", "given": "Jane"}]
    assert smith["issued"] == {"date-parts": [[2003, 6]]}  # year + month = jun
    assert found["@book{chuikov1981}"].item["publisher-place"] == "Moscow"  # @string resolved


def test_bad_bibtex_entries_are_reported_and_the_rest_is_read() -> None:
    cands = bib.read_bibliography(BIB / "sample.bib")
    skipped = {c.label: c.reason for c in cands if c.item is None}
    broken = next(label for label in skipped if "broken1990" in label)
    assert "(line 38)" in broken and skipped[broken].startswith("malformed BibTeX: ")
    assert skipped["@misc{untitled2001} (line 43)"] == "it has no title"
    found = by_label(cands)
    assert found["@thingamajig{odd2010}"].item["type"] == "document"
    assert found["@thingamajig{odd2010}"].warnings == [
        "unknown entry type @thingamajig: imported as a generic document"]
    twice = found["@book{twice2005}"]
    assert twice.item["title"] == "The second title wins"
    assert "given twice: title" in twice.warnings[0]
    assert len([c for c in cands if c.item]) == 5


LATEX = [r"a--b---c", r"``q'' x", r"a~b", r"{\v{S}}koda", r"\v Skoda", r"\'{\i}", r"{\ss}e",
         r"\ss e", r"\o{}x", r"\AA ngstr", r"\c{c}a", r"\k{a}", r"\H{o}", r'\"{u}', r'\"u', r"\&",
         r"\%", r"\_", "a  b", r"\emph{x}", r"\$5", r"\l{}odz", r"\L odz", r"{\AE}", r"\={a}",
         r"\.{z}", r"\^{o}", r"\~n", r"\r{a}", r"\u{a}", r'{\"U}ber', "it's", r"a \{b\}", "10% of",
         r"On the {History} of {USSR}", r"M{\"u}ller", r"\'E", r"\`a", "plain title"]  # fmt: skip


@pytest.mark.parametrize("latex", LATEX)
def test_latex_decoding_gives_what_the_bibtexparser_middleware_gives(latex: str) -> None:
    from bibtexparser.middlewares import LatexDecodingMiddleware

    expected = LatexDecodingMiddleware()._decoder.latex_to_text(latex)  # noqa: SLF001
    assert bib.latex_to_text(latex) == expected


# -- RIS ----------------------------------------------------------------------------------------
def test_ris_records_are_read_one_by_one() -> None:
    cands = bib.read_bibliography(BIB / "sample.ris")
    found = by_label(cands)
    kapitsa = found["“The Karakhan Manifesto Reconsidered”"].item
    assert kapitsa["type"] == "article-journal"
    assert kapitsa["DOI"] == "10.1000/RIS.1"  # the resolver prefix dropped, as Zotero stores it
    assert kapitsa["page"] == "54-55"
    assert kapitsa["issued"] == {"date-parts": [[1969, 7, 25]]}
    assert kapitsa["container-title"] == "Voprosy istorii"
    borisov = found["“Soviet-Chinese Relations, 1945-1970”"].item
    assert [a["family"] for a in borisov["author"]] == ["Borisov", "Koloskov"]
    assert borisov["editor"] == [{"family": "Editor", "given": "Ed"}]
    assert borisov["ISBN"] == "0-253-35401-5"
    odd = found["“A record of a type RIS does not know”"]
    assert odd.item["type"] == "document"
    assert odd.warnings == ["unknown RIS type 'XYZ': imported as a generic document"]
    skipped = [(c.label, c.reason) for c in cands if c.item is None]
    assert skipped == [("record at line 40", "it has no title"),
                       ("record at line 45", "malformed RIS: a record must start with a TY line"),
                       ("record at line 48", "the record has no end (no ER line)")]  # fmt: skip


# -- CSL-JSON and files ---------------------------------------------------------------------------
def test_csl_json_items_are_checked_one_by_one() -> None:
    cands = bib.read_bibliography(BIB / "sample.json")
    assert [(c.label, c.reason) for c in cands if c.item is None] == [
        ("item 3", "it has no title"),
        ("item 5", "not a CSL-JSON item (a JSON str, not an object)")]
    odd = next(c for c in cands if c.label.startswith("oddtype"))
    assert odd.item["type"] == "document" and "clay-tablet" in odd.warnings[0]
    assert odd.item["issued"] == {"raw": "c. 1800 BC"}  # not the year 1800


def test_invalid_json_skips_the_file_with_where() -> None:
    [cand] = bib.read_bibliography(BIB / "invalid.json")
    assert cand.item is None
    assert cand.reason == "invalid JSON at line 3, column 3: Expecting ',' delimiter"


def test_a_latin1_file_is_decoded_and_said_so() -> None:
    [cand] = bib.read_bibliography(BIB / "latin1.bib")
    assert cand.item["author"] == [{"family": "Müller", "given": "Jürgen"}]
    assert cand.item["title"] == "Études sur la Chine"
    assert cand.warnings == ["the file is not UTF-8; it was read as latin-1"]


def test_a_damaged_utf8_file_is_refused_whole(tmp_path: Path) -> None:
    [cand] = bib.read_bibliography(BIB / "bad-utf8.bib")
    assert cand.item is None and "invalid byte" in cand.reason
    empty = tmp_path / "empty.bib"
    empty.write_bytes(b"  \n")
    assert [c.reason for c in bib.read_bibliography(empty)] == ["the file is empty"]
    other = tmp_path / "notes.txt"
    other.write_text("just some notes\n")
    assert "not a bibliography" in bib.read_bibliography(other)[0].reason
    assert bib.read_bibliography(tmp_path / "missing.bib")[0].reason == "no such file"


def test_the_format_is_sniffed_when_the_extension_does_not_say(tmp_path: Path) -> None:
    for name in ("sample.bib", "sample.ris", "sample.json"):
        copy = tmp_path / (name + ".txt")
        shutil.copy(BIB / name, copy)
        assert [c.label for c in bib.read_bibliography(copy)] == [
            c.label for c in bib.read_bibliography(BIB / name)]


# -- biblStruct -------------------------------------------------------------------------------------
def test_biblstruct_has_the_shape_of_zoteros_tei_export() -> None:
    item = {"id": "http://zotero.org/users/8989645/items/RLRXRWYM", "type": "article-journal",
            "title": "Not closing", "language": "fr", "volume": "22", "page": "117-118",
            "issue": "85", "container-title": "Archives de psychologie",
            "issued": {"date-parts": [[1929]]}, "DOI": "10.1/x", "URL": "https://example.org/a",
            "author": [{"family": "Piaget", "given": "Jean"}],
            "editor": [{"family": "Editor", "given": "M."}],
            "contributor": [{"family": "Contributor", "given": "J."}]}  # fmt: skip
    el = bib.csl_to_biblstruct(item)
    assert el.get("type") == "journalArticle"
    assert el.get("corresp") == "http://zotero.org/users/8989645/items/RLRXRWYM"
    assert [ns.local_name(c.tag) for c in el] == ["analytic", "monogr"]
    analytic, monogr = el
    assert analytic.get(ns.XML_LANG) == "fr"
    assert [ns.local_name(c.tag) for c in analytic] == ["author", "respStmt", "title", "idno"]
    assert [ns.local_name(c.tag) for c in analytic[0]] == ["persName"]  # author/persName/forename+surname
    assert [ns.local_name(c.tag) for c in analytic[0][0]] == ["forename", "surname"]
    assert text(analytic, "t:respStmt/t:resp") == "contributor"
    assert text(analytic, "t:respStmt/t:persName/t:surname") == "Contributor"
    assert analytic.find(T("title")).get("level") == "a"
    assert analytic.find(T("idno")).get("type") == "DOI"
    assert [ns.local_name(c.tag) for c in monogr] == ["editor", "title", "ptr", "imprint"]
    assert monogr.find(T("title")).get("level") == "j"
    assert monogr.find(T("ptr")).get("target") == "https://example.org/a"
    imprint = monogr.find(T("imprint"))
    assert [(ns.local_name(c.tag), c.get("unit") or c.get("when"), c.text) for c in imprint] == [
        ("date", "1929", "1929"), ("biblScope", "volume", "22"), ("biblScope", "issue", "85"),
        ("biblScope", "page", "117-118")]


def test_a_book_is_a_monogr_with_isbn_series_extent_and_the_rest_in_extra() -> None:
    [item] = [c.item for c in bib.read_bibliography(BIB / "sample.json") if c.label.startswith("http")]
    el = bib.csl_to_biblstruct(item)
    assert el.get("type") == "book"
    assert [ns.local_name(c.tag) for c in el] == ["monogr", "series", "note"]
    assert text(el, "t:monogr/t:idno[@type='ISBN']") == "9785203001986"
    assert el.find("t:monogr/t:extent/t:measure", {"t": ns.TEI}).attrib == {"unit": "page", "quantity": "286"}
    assert text(el, "t:series/t:title[@level='s']") == "Military Memoirs"
    assert text(el, "t:note[@type='abstract']").startswith("Memoirs of the chief")
    [kapitsa] = [c.item for c in bib.read_bibliography(BIB / "sample.json") if c.label.startswith("kap")]
    extra = bib.csl_to_biblstruct(kapitsa).find(T("note")).text
    assert extra.splitlines() == ["archive: GARF", "archive_location: f. 5446, op. 1", "language: Russian"]
    assert bib.csl_to_biblstruct(kapitsa).find(T("analytic")).get(ns.XML_LANG) is None
    thesis = {"type": "thesis", "title": "T", "genre": "PhD thesis", "original-date": {"date-parts": [[1950]]},
              "number": "12", "citation-key": "li1999"}  # fmt: skip
    assert bib.csl_to_biblstruct(thesis).find(T("note")).text.splitlines() == [
        "genre: PhD thesis", "original-date: 1950", "number: 12", "citation-key: li1999"]


def test_dates_become_iso_values_that_exist() -> None:
    def when(issued: dict) -> tuple[str | None, str | None]:
        el = bib.csl_to_biblstruct({"type": "book", "title": "T", "issued": issued})
        date = el.find(f"{T('monogr')}/{T('imprint')}/{T('date')}")
        return date.get("when"), date.text

    assert when({"date-parts": [[1981, 2, 31]]}) == ("1981-02", "1981-02")
    assert when({"date-parts": [[1980, 2, 29]]}) == ("1980-02-29", "1980-02-29")
    assert when({"date-parts": [[1981, 13]]}) == ("1981", "1981")
    assert when({"raw": "March 1981"}) == ("1981", "March 1981")
    assert when({"literal": "undated"}) == (None, "undated")
    el = bib.csl_to_biblstruct({"type": "book", "title": "T", "issued": {"date-parts": [[1981], [1983]]}})
    date = el.find(f".//{T('date')}")
    assert (date.get("from"), date.get("to"), date.get("when")) == ("1981", "1983", None)


def test_imported_sources_are_valid_tei(tmp_path: Path, tei_all_schema) -> None:  # noqa: ANN001
    doc = tei.load(MINIMAL)
    plan = bib.import_files(doc, [str(BIB / f) for f in ("sample.bib", "sample.ris", "sample.json",
                                                          "latin1.bib", "varied.json")])  # fmt: skip
    bib.apply_plan(doc, plan)
    some = plan.outcomes[0].source_id
    fill_bibl(doc.element_by_id(some), **{**bibl_fields(doc.element_by_id(some)),
                                         "title": "Edited", "url": "https://example.org/x",
                                         "note": "checked", "date": "1982"})  # fmt: skip
    out = tmp_path / "out.xml"
    doc.save(out)
    tree = etree.parse(str(out))
    assert tei_all_schema.validate(tree), tei_all_schema.error_log
    assert len(tree.findall(f".//{T('biblStruct')}")) == plan.counts()["added"] == 15


# -- merging ------------------------------------------------------------------------------------------
def test_importing_twice_merges_instead_of_doubling() -> None:
    doc = tei.load(MINIMAL)
    first = bib.import_files(doc, [str(BIB / "sample.json")])
    bib.apply_plan(doc, first)
    saved = doc.to_bytes(when="2024-01-01T00:00:00Z")
    again = bib.import_files(doc, [str(BIB / "sample.json")])
    assert again.counts() == {"added": 0, "merged": 3, "skipped": 2}
    assert not again.changes
    assert {o.reason for o in again.outcomes if o.outcome == "merged"} == {
        "same ISBN; nothing new to add", "same DOI; nothing new to add",
        "same title, year and first author; nothing new to add"}
    bib.apply_plan(doc, again)
    assert doc.to_bytes(when="2024-01-01T00:00:00Z") == saved


def test_a_merge_fills_missing_fields_and_keeps_the_users_edits() -> None:
    doc = tei.load(MINIMAL)
    bib.apply_plan(doc, bib.import_files(doc, [str(BIB / "sample.bib")]))
    el = struct(doc, next(s.id for s in doc.sources() if "Chuikov" in s.citation))
    fill_bibl(el, **{**bibl_fields(el), "title": "Mission in China (my reading)", "place": "Moskva"})
    plan = bib.import_files(doc, [str(BIB / "sample.json")])  # same ISBN (10 vs 13 digits)
    merged = [o for o in plan.outcomes if o.outcome == "merged"]
    assert [(o.source_id, o.reason) for o in merged] == [(el.get(ns.XML_ID), "same ISBN")]
    assert bibl_fields(el)["place"] == "Moskva"  # the plan leaves the document alone
    bib.apply_plan(doc, plan)
    assert bibl_fields(el)["title"] == "Mission in China (my reading)"
    assert bibl_fields(el)["place"] == "Moskva"
    assert text(el, "t:monogr/t:imprint/t:publisher") == "Voenizdat"  # kept, not Nauka
    assert text(el, "t:series/t:title") == "Military Memoirs"  # filled in
    assert text(el, "t:note[@type='abstract']").startswith("Memoirs")
    assert el.get("corresp") == "http://zotero.org/users/12345/items/ABCD2345"
    assert len(el.findall(f".//{T('author')}")) == 1
    assert [ns.local_name(c.tag) for c in el] == ["monogr", "series", "note"]


def test_matching_keys() -> None:
    doc = tei.load(MINIMAL)
    base = {"type": "book", "title": "Mission in China!", "author": [{"family": "Čuikov"}],
            "issued": {"date-parts": [[1981]]}}  # fmt: skip
    bib.apply_plan(doc, bib.plan_import(doc, [bib.Candidate("a", "a", base)]))
    same = {**base, "title": "mission in  CHINA", "author": [{"family": "Cuikov", "given": "V."}]}
    other_year = {**base, "issued": {"date-parts": [[1982]]}}
    article = {**base, "type": "article-journal", "container-title": "J"}
    plan = bib.plan_import(doc, [bib.Candidate("b", n, i) for n, i in
                                 (("same", same), ("year", other_year), ("article", article))])  # fmt: skip
    assert [(o.label, o.outcome) for o in plan.outcomes] == [
        ("same", "merged"), ("year", "added"), ("article", "added")]


def test_two_entries_of_one_import_make_one_source() -> None:
    doc = tei.load(MINIMAL)
    a = {"type": "book", "title": "T", "DOI": "10.5555/ab", "publisher": "P"}
    b = {"type": "book", "title": "T (2nd)", "DOI": "https://doi.org/10.5555/AB", "publisher-place": "Q"}
    plan = bib.plan_import(doc, [bib.Candidate("f", "a", a), bib.Candidate("f", "b", b)])
    assert [o.outcome for o in plan.outcomes] == ["added", "merged"]
    [el] = plan.added
    assert bibl_fields(el)["publisher"] == "P" and bibl_fields(el)["place"] == "Q"
    assert bibl_fields(el)["title"] == "T"


def test_a_hand_made_bibl_is_merged_into() -> None:
    doc = tei.load(MINIMAL)
    sid = doc.add_source(author="Chuikov, V. I.", title="Mission in China", date="1981")
    plan = bib.import_files(doc, [str(BIB / "sample.json")])
    assert plan.outcomes[0].outcome == "merged" and plan.outcomes[0].source_id == sid
    bib.apply_plan(doc, plan)
    fields = bibl_fields(doc.element_by_id(sid))
    assert (fields["author"], fields["place"], fields["publisher"]) == ("Chuikov, V. I.", "Moscow", "Voenizdat")
    assert len(doc.sources()) == 3


def test_planning_changes_nothing_until_applied() -> None:
    doc = tei.load(MINIMAL)
    before = doc.to_bytes(when="2024-01-01T00:00:00Z")
    plan = bib.import_files(doc, [str(BIB / f) for f in ("sample.bib", "sample.ris", "sample.json")])
    assert plan.changes
    assert doc.to_bytes(when="2024-01-01T00:00:00Z") == before
    assert doc.sources() == []


def test_editing_a_biblstruct_changes_only_the_changed_fields() -> None:
    doc = tei.load(MINIMAL)
    bib.apply_plan(doc, bib.import_files(doc, [str(BIB / "sample.bib")]))
    sid = next(s.id for s in doc.sources() if "Müller" in s.citation)
    el = struct(doc, sid)
    before = etree.tostring(el)
    fill_bibl(el, **bibl_fields(el))
    assert etree.tostring(el) == before
    fields = bibl_fields(el)
    assert fields["author"] == "Müller, Hans; de la Fontaine, Jean; World Bank"
    fill_bibl(el, **{**fields, "date": "2000", "publisher": "MIT Press"})
    assert text(el, "t:monogr/t:imprint/t:date") == "2000"
    assert el.find(".//t:imprint/t:date", {"t": ns.TEI}).get("when") == "2000"
    assert text(el, "t:monogr/t:imprint/t:publisher") == "MIT Press"
    assert text(el, "t:analytic/t:title") == "Škoda and the Soviet Aid — a Reassessment"
    assert len(el.findall(f"{T('analytic')}/{T('author')}")) == 3


# -- Zotero ------------------------------------------------------------------------------------------
def recorded(requests: list[str]):  # noqa: ANN201
    """A transport that answers like Zotero desktop's local API, from the recorded files."""

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(f"{request.url.path}?{request.url.query.decode()}")
        path = request.url.path
        name = {"/api/users/0/items": "items.json", "/api/users/0/collections": "collections.json",
                "/api/users/0/collections/SOVAID01/items": "collection-SOVAID01.json"}.get(path)  # fmt: skip
        if name is None:
            return httpx.Response(404, text="Not found")
        data = json.loads((BIB / "zotero" / name).read_text(encoding="utf-8"))
        return httpx.Response(200, json=data, headers={"Total-Results": str(len(data))})

    return httpx.MockTransport(handler)


def zotero_with(transport: httpx.BaseTransport) -> bib.ZoteroLocal:
    from pyzotero import zotero

    zot = zotero.Zotero(0, "user", local=True)
    zot.client = httpx.Client(transport=transport)
    return bib.ZoteroLocal(zot)


def test_zotero_collections_and_items_from_the_local_api() -> None:
    seen: list[str] = []
    z = zotero_with(recorded(seen))
    cols = z.collections()
    assert [(c.key, c.name, c.parent, c.count) for c in cols] == [
        ("SOVAID01", "Soviet aid to China", "", 2), ("ADVIS002", "Advisers", "SOVAID01", 1)]
    items = z.items()
    assert [i.key for i in items] == ["CHUIK001", "KAPIT002"]  # the note and the PDF left out
    assert items[0].label == "Chuikov · 1981 · Mission in China"
    assert items[0].csl["id"] == "http://zotero.org/users/4711/items/CHUIK001"
    assert any("/api/users/0/items?" in s and "include=data%2Ccsljson" in s for s in seen)
    assert [i.key for i in z.items("SOVAID01")] == ["KAPIT002"]
    doc = tei.load(MINIMAL)
    plan = bib.plan_import(doc, z.candidates(items))
    bib.apply_plan(doc, plan)
    [chuikov, kapitsa] = [struct(doc, o.source_id) for o in plan.outcomes]
    assert chuikov.get("corresp") == "http://zotero.org/users/4711/items/CHUIK001"
    assert kapitsa.get("type") == "journalArticle"
    again = bib.plan_import(doc, z.candidates(z.items()))
    assert [o.reason for o in again.outcomes] == ["same ISBN; nothing new to add",
                                                  "same DOI; nothing new to add"]  # fmt: skip


def test_zotero_not_running_says_so() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    z = zotero_with(httpx.MockTransport(refuse))
    with pytest.raises(bib.ZoteroUnavailable, match="Zotero is not running"):
        z.collections()
    forbidden = zotero_with(httpx.MockTransport(lambda r: httpx.Response(403, text="Local API is not enabled")))
    with pytest.raises(bib.ZoteroUnavailable, match="local API is off"):
        forbidden.items()
