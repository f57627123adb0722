"""Annotations, lossless saving and safety of ``TeiDocument``."""

from __future__ import annotations

import difflib
import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import tei
from tei import annotations as A
from tei import ns
from tei.errors import AnnotationError, SaveConflictError, SaveError
from tests.conftest import DATA, corpus_files

TEI_DATA = DATA / "tei"
WHEN = "2026-01-02T03:04:05Z"


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(A, "now_iso", lambda: WHEN)


def copy_of(name: str, tmp_path: Path) -> Path:
    dest = tmp_path / name
    shutil.copyfile(TEI_DATA / name, dest)
    return dest


def first_text_blocks(doc: tei.TeiDocument, n: int) -> list[int]:
    return [i for i, b in enumerate(doc.text.blocks) if len(b.reading) > 12 and not b.is_note][:n]


def annotate_every_kind(doc: tei.TeiDocument) -> dict[str, str]:
    """Create one annotation of each kind; return kind -> annotation id."""
    who = doc.ensure_annotator("Jane Historian", "0000-0002-1825-0097")
    src = doc.add_source(author="Smith, J.", title="Aid & Trade", date="1985")
    blocks = first_text_blocks(doc, 3)
    blocks += [blocks[-1]] * (3 - len(blocks))
    b = blocks[0]
    made: dict[str, str] = {}
    fig = doc.add_annotation(doc.target_for(b, 0, b, 6), "gl-figure", annotator=who)
    fig.figure = A.ContestedFigure(
        stated="$ 500 million",
        normalised=A.Quantity(5e8, unit="USD", approximate=True),
        alternatives=[A.Alternative("300 million", A.Quantity(3e8, unit="USD"), src, "p. 12", "medium", "n")],
        status="disputed",
        preferred=A.Quantity(low=3e8, high=4e8, unit="USD"),
        rationale="Archival totals.",
    )
    fig.certainty = "low"
    made["figure"] = fig.id
    bias = doc.add_annotation(doc.target_for(b, 2, blocks[1], 4), "gl-bias", annotator=who)
    bias.bias = A.BiasNote("gl-bias-glorification", "Heroic framing.")
    made["bias"] = bias.id
    link = doc.add_annotation(doc.target_for(blocks[2], 1, blocks[2], 5), "gl-source")
    link.source_link = A.SourceLink("contradicts", src, "p. 3")
    made["source"] = link.id
    for kind, cat in (("comment", "gl-comment"), ("question", "gl-question")):
        ann = doc.add_annotation(doc.target_for(blocks[-1], 0, blocks[-1], 3), cat, annotator=who)
        ann.note = [f"A {kind} <script>alert(1)</script> & more.", "Second paragraph."]
        made[kind] = ann.id
    return made


def test_annotations_of_every_kind_round_trip(tmp_path: Path) -> None:
    path = copy_of("minimal.xml", tmp_path)
    doc = tei.load(str(path))
    made = annotate_every_kind(doc)
    before = {a.id: (a.target, a.quote, a.prefix, a.suffix, a.category, a.note, a.certainty,
                     a.figure, a.bias, a.source_link, a.annotator, a.created) for a in doc.annotations()}  # fmt: skip
    doc.save()
    again = tei.load(str(path))
    after = {a.id: (a.target, a.quote, a.prefix, a.suffix, a.category, a.note, a.certainty,
                    a.figure, a.bias, a.source_link, a.annotator, a.created) for a in again.annotations()}  # fmt: skip
    assert after == before
    assert again.annotation(made["figure"]).kind == "figure"
    assert again.annotation(made["bias"]).bias.technique == "gl-bias-glorification"
    assert again.annotation(made["comment"]).note[0].startswith("A comment <script>")
    for ann in again.annotations():
        (res,) = again.resolve(ann.target)
        assert res.ok and again.quote_for(res.start, res.end)[0] == ann.quote


def test_save_only_inserts_owned_parts(tmp_path: Path) -> None:
    path = copy_of("crlf-bom.xml", tmp_path)
    original = path.read_bytes()
    doc = tei.load(str(path))
    annotate_every_kind(doc)
    doc.save(who="gl-person-1")
    new = path.read_bytes()
    assert new.startswith(original[:150])  # BOM, declaration, comment, PI, DOCTYPE untouched
    a, b = original.decode("utf-8-sig"), new.decode("utf-8-sig")
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    assert all(tag == "insert" for tag, *_ in ops if tag != "equal")
    owned = [
        r' xml:id="gl-[a-z]+-[0-9a-z]{10}"',
        r'\s*<standOff type="glossator">.*?</standOff>',
        r"\s*<encodingDesc>\s*<classDecl>.*?</classDecl>\s*</encodingDesc>",
        r"\s*<revisionDesc>\s*<change [^>]*>[^<]*</change>\s*</revisionDesc>",
    ]
    stripped = b
    for pattern in owned:
        stripped = re.sub(pattern, "", stripped, flags=re.S)
    assert stripped == a
    assert "\r\n" in b and b.endswith("<!-- trailing </TEI> comment -->\r\n")
    assert (tmp_path / "crlf-bom.xml.bak").read_bytes() == original


def test_undo_by_removal_restores_identical_bytes() -> None:
    doc = tei.load(str(TEI_DATA / "minimal.xml"))
    original = doc.to_bytes()
    blocks = first_text_blocks(doc, 2)
    ids_before = doc.added_ids()
    ann = doc.add_annotation(doc.target_for(blocks[1], 0, blocks[1], 5), "gl-comment")
    assert doc.to_bytes() != original
    doc.remove_annotation(ann.id)
    for el in set(doc.added_ids()) - set(ids_before):
        doc.drop_added_id(el)
    assert doc.to_bytes() == original



def test_serialising_never_changes_the_tree(tmp_path: Path) -> None:
    path = copy_of("minimal.xml", tmp_path)
    doc = tei.load(str(path))
    annotate_every_kind(doc)
    doc.save()
    on_disk = path.read_bytes()
    doc = tei.load(str(path))  # the standOff and taxonomy are now read from the file
    tree = etree.tostring(doc.root)
    b = first_text_blocks(doc, 1)[0]
    ann = doc.add_annotation(doc.target_for(b, 0, b, 3), "gl-comment")
    doc.taxonomy.element().append(etree.Element(ns.qn("category")))
    doc.to_bytes()  # a recovery copy indents the new parts of the standOff and taxonomy
    doc.remove_annotation(ann.id)
    doc.taxonomy.element().remove(doc.taxonomy.element()[-1])
    assert etree.tostring(doc.root) == tree
    assert doc.to_bytes() == on_disk

def test_remove_and_restore_annotation_in_place() -> None:
    doc = tei.load(str(TEI_DATA / "minimal.xml"))
    b = first_text_blocks(doc, 1)[0]
    first = doc.add_annotation(doc.target_for(b, 0, b, 2), "gl-comment")
    second = doc.add_annotation(doc.target_for(b, 3, b, 5), "gl-question")
    snapshot = doc.to_bytes()
    removed = doc.remove_annotation(first.id)
    assert [a.id for a in doc.annotations()] == [second.id]
    doc.restore_annotation(removed)
    assert [a.id for a in doc.annotations()] == [first.id, second.id]
    assert doc.to_bytes() == snapshot


def test_edit_snapshot_restores_previous_state() -> None:
    doc = tei.load(str(TEI_DATA / "minimal.xml"))
    b = first_text_blocks(doc, 1)[0]
    ann = doc.add_annotation(doc.target_for(b, 0, b, 2), "gl-comment")
    before, snap = doc.to_bytes(), ann.snapshot()
    ann.note = ["changed"]
    ann.certainty = "high"
    assert doc.to_bytes() != before
    doc.replace_annotation_element(ann.id, snap)
    assert doc.to_bytes() == before


def test_changed_on_disk_is_refused_unless_forced(tmp_path: Path) -> None:
    path = copy_of("minimal.xml", tmp_path)
    doc = tei.load(str(path))
    b = first_text_blocks(doc, 1)[0]
    doc.add_annotation(doc.target_for(b, 0, b, 2), "gl-comment")
    path.write_text(path.read_text() + "\n<!-- edited elsewhere -->\n")
    with pytest.raises(SaveConflictError):
        doc.save()
    assert "edited elsewhere" in path.read_text()
    doc.save(force=True)
    assert "gl-comment" in path.read_text()
    assert "edited elsewhere" in (tmp_path / "minimal.xml.bak").read_text()


def test_unwritable_location_gives_save_error(tmp_path: Path) -> None:
    doc = tei.load(str(TEI_DATA / "minimal.xml"))
    with pytest.raises(SaveError):
        doc.save(str(tmp_path / "no-such-folder" / "x.xml"))
    if os.geteuid() != 0:  # root ignores permissions
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(SaveError):
            doc.save(str(locked / "x.xml"))


def test_foreign_annotations_and_pointer_problems() -> None:
    doc = tei.load(str(TEI_DATA / "duplicate-ids.xml"))
    assert any("used more than once" in w for w in doc.warnings)
    status = {a.id: doc.resolve(a.target)[0].status for a in doc.annotations()}
    assert status == {"x1": "ambiguous", "x2": "orphan", "x3": "orphan", "x4": "unsupported",
                      "x5": "ok", "x6": "ok"}  # fmt: skip
    assert not doc.annotation("x1").editable
    with pytest.raises(AnnotationError):
        doc.remove_annotation("x1")
    original = (TEI_DATA / "duplicate-ids.xml").read_bytes()
    b = doc.text.blocks[2]
    doc.add_annotation(doc.target_for(2, 0, 2, len(b.reading)), "gl-comment")
    out = doc.to_bytes()
    foreign = original[original.index(b'<standOff type="other-tool">') : original.index(b"</standOff>")]
    assert foreign in out  # other tools' standOff untouched, orphans written back unchanged


def test_tei_corpus_annotations(tei_all_schema) -> None:
    doc = tei.load(str(TEI_DATA / "corpus.xml"))
    assert [b.reading for b in doc.text.blocks][1] == "Second text, with the error."
    ann = doc.add_annotation(doc.target_for(1, 18, 1, 21), "gl-comment")
    assert ann.quote == "the"
    again = tei.TeiDocument.from_bytes(doc.to_bytes())
    (res,) = again.resolve(again.annotation(ann.id).target)
    assert again.quote_for(res.start, res.end)[0] == "the"
    assert tei_all_schema.validate(again.tree), tei_all_schema.error_log


def test_output_stays_valid(tei_all_schema) -> None:
    for name in ("minimal.xml", "crlf-bom.xml"):
        doc = tei.load(str(TEI_DATA / name))
        annotate_every_kind(doc)
        tax, _ = doc.materialize_taxonomy()
        tax.append(doc.taxonomy.new_category_element("my-cat", "Propaganda claim", "#123456", "P"))
        doc.taxonomy.invalidate()
        out = tei.TeiDocument.from_bytes(doc.to_bytes(who="gl-person-1"))
        assert tei_all_schema.validate(out.tree), (name, tei_all_schema.error_log)
        assert out.taxonomy.label("my-cat") == "Propaganda claim"


def test_many_annotations_load_and_save(tmp_path: Path) -> None:
    path = copy_of("minimal.xml", tmp_path)
    doc = tei.load(str(path))
    b = first_text_blocks(doc, 1)[0]
    n = len(doc.text.blocks[b].reading)
    for i in range(2000):
        doc.add_annotation(doc.target_for(b, i % (n - 3), b, i % (n - 3) + 3), "gl-comment")
    doc.save()
    again = tei.load(str(path))
    assert len(again.annotations()) == 2000
    assert all(again.resolve(a.target)[0].ok for a in again.annotations()[:50])


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_opens_and_saves_identically(path: Path, tmp_path: Path) -> None:
    doc = tei.load(str(path))
    dest = tmp_path / path.name
    shutil.copyfile(path, dest)
    doc.save(str(dest))
    assert dest.read_bytes() == path.read_bytes()


@pytest.mark.parametrize(
    "path", [p for p in corpus_files() if p.stat().st_size < 1_500_000], ids=lambda p: p.name
)
def test_corpus_annotate_save_reload(path: Path) -> None:
    doc = tei.load(str(path))
    blocks = first_text_blocks(doc, 3)
    if len(blocks) < 2:
        pytest.skip("no text blocks")
    made = []
    for i in blocks:
        n = len(doc.text.blocks[i].reading)
        made.append(doc.add_annotation(doc.target_for(i, 1, i, min(n, 9)), "gl-comment"))
    made.append(doc.add_annotation(doc.target_for(blocks[0], 2, blocks[-1], 3), "gl-question"))
    out = doc.to_bytes()
    original = path.read_bytes()
    root_tag = re.search(rb"<(TEI|teiCorpus)\b[^>]*>", original)
    assert root_tag and out.startswith(original[: root_tag.end()])
    again = tei.TeiDocument.from_bytes(out)
    for ann in made:
        (res,) = again.resolve(again.annotation(ann.id).target)
        assert res.ok and again.quote_for(res.start, res.end)[0] == ann.quote


def test_malformed_corpus_files_are_refused_clearly() -> None:
    folder = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "malformed"
    if not folder.is_dir():
        pytest.skip("shared corpus absent")
    broken = tei.TeiError
    with pytest.raises(broken) as info:
        tei.load(str(folder / "schnitzler-briefe__editionsrichtlinien.xml"))
    assert info.value.line == 684
    doc = tei.load(str(folder / "recogito__buonaparte.tei.xml"))  # duplicate ids: loads, warns
    assert doc.warnings and all(not doc.resolve(a.target)[0].ok for a in doc.annotations())


def test_retarget_updates_target_and_quote() -> None:
    doc = tei.load(str(TEI_DATA / "minimal.xml"))
    b = first_text_blocks(doc, 1)[0]
    ann = doc.add_annotation(doc.target_for(b, 0, b, 2), "gl-comment")
    assert ann.quote == "In"
    doc.retarget_annotation(ann.id, doc.target_for(b, 0, b, 7))
    assert doc.annotation(ann.id).quote == "In 1850"


def test_save_keeps_permissions_for_file_and_backup(tmp_path: Path) -> None:
    path = copy_of("minimal.xml", tmp_path)
    path.chmod(0o644)
    doc = tei.load(str(path))
    b = first_text_blocks(doc, 1)[0]
    doc.add_annotation(doc.target_for(b, 0, b, 2), "gl-comment")
    doc.save()
    assert path.stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "minimal.xml.bak").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_valid_corpus_files_stay_valid_when_annotated(path: Path, tei_all_schema) -> None:
    doc = tei.load(str(path))
    if not tei_all_schema.validate(doc.tree):
        pytest.skip("the input is not valid against tei_all")
    blocks = first_text_blocks(doc, 3)
    if len(blocks) < 2:
        pytest.skip("no text blocks")
    who = doc.ensure_annotator("Jane Historian")
    for i in blocks:
        doc.add_annotation(doc.target_for(i, 0, i, 5), "gl-comment", annotator=who).note = ["n"]
    doc.add_annotation(doc.target_for(blocks[0], 1, blocks[-1], 2), "gl-figure").figure = A.ContestedFigure(
        stated="5", normalised=A.Quantity(5), status="resolved"
    )
    again = tei.TeiDocument.from_bytes(doc.to_bytes(who=who))
    assert tei_all_schema.validate(again.tree), tei_all_schema.error_log


_OWNED_INSERTION = re.compile(
    r"(?:"
    r' xml:id="gl-[\w.-]+"'
    r'|\s*<standOff type="glossator">.*?</standOff>\s*'
    r"|\s*(?:<encodingDesc>\s*)?(?:<classDecl>\s*)?<taxonomy xml:id=\"glossator-taxonomy\">.*?"
    r"</taxonomy>\s*(?:</classDecl>\s*)?(?:</encodingDesc>\s*)?"
    r'|\s*(?:<revisionDesc>\s*)?<change when="[^"]+"(?: who="[^"]*")?>Glossator [^<]*</change>\s*'
    r"(?:</revisionDesc>\s*)?"
    r")+",
    re.S,
)


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_annotation_changes_only_owned_bytes(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every change is an insertion of an owned part; splicing them into the original gives the output."""
    import tei.document as document

    doc = tei.load(str(path))
    blocks = first_text_blocks(doc, 200)
    if len(blocks) < 2:
        pytest.skip("no text blocks")
    targeted = {doc.text.blocks[i].element for i in (blocks[0], blocks[len(blocks) // 2], blocks[-1])}
    had_id = sum(1 for el in targeted if el.get(ns.XML_ID))
    doc.add_annotation(doc.target_for(blocks[0], 1, blocks[0], 8), "gl-comment")
    doc.add_annotation(doc.target_for(blocks[len(blocks) // 2], 0, blocks[-1], 3), "gl-bias")
    ids_at = {doc.tree.getelementpath(el): el.get(ns.XML_ID) for el in targeted}
    seen: list[tuple[str, list]] = []
    real = document.apply_edits
    monkeypatch.setattr(document, "apply_edits", lambda text, edits: seen.append((text, edits)) or real(text, edits))
    out = doc.to_bytes(who="")
    ((text, edits),) = seen
    original = path.read_bytes()
    assert doc.source.encode(text) == original
    assert all(e.start == e.end for e in edits), "nothing of the original is replaced or deleted"
    for e in edits:
        assert _OWNED_INSERTION.fullmatch(e.new.replace("\r\n", "\n")), e.new[:200]
    rebuilt, pos = [], 0
    for e in sorted(edits, key=lambda e: e.start):
        rebuilt += [text[pos : e.start], e.new]
        pos = e.start
    rebuilt.append(text[pos:])
    assert doc.source.encode("".join(rebuilt)) == out
    assert sum(e.new.startswith(" xml:id=") for e in edits) == len(targeted) - had_id
    again = tei.TeiDocument.from_bytes(out)
    for xpath, xml_id in ids_at.items():  # the ids went into the targeted start tags
        el = again.tree.find(xpath)
        assert xml_id and el is not None and el.get(ns.XML_ID) == xml_id
    assert [b.reading for b in again.text.blocks] == [b.reading for b in doc.text.blocks]


def test_orphans_are_kept_listed_and_written_back_unchanged(tmp_path: Path) -> None:
    from tei.validate import validate

    path = copy_of("orphans.xml", tmp_path)
    original = path.read_text("utf-8")
    doc = tei.load(str(path))
    status = {a.id: doc.resolve(a.target)[0].status for a in doc.annotations()}
    assert status == {
        "o-id": "orphan", "o-past": "orphan", "o-index": "orphan", "o-scheme": "unsupported",
        "o-xpath": "orphan", "o-match": "orphan", "o-external": "unsupported",
        "ok-xpath": "ok", "ok-match": "ok", "f-past": "orphan",
    }  # fmt: skip
    (ok,) = doc.resolve(doc.annotation("ok-match").target)
    assert doc.quote_for(ok.start, ok.end)[0] == "forty thousand"
    (ok,) = doc.resolve(doc.annotation("ok-xpath").target)
    assert doc.quote_for(ok.start, ok.end)[0] == "A paragraph without an id."
    listed = {p.annotation_id: p.code for p in validate(doc).problems}
    assert listed == {
        "o-id": "orphan-target", "o-past": "orphan-target", "o-index": "orphan-target",
        "o-scheme": "unsupported-target", "o-xpath": "orphan-target", "o-match": "orphan-target",
        "o-external": "unsupported-target", "f-past": "orphan-target",
    }  # fmt: skip
    lines = [ln.strip() for ln in original.splitlines() if "<annotation " in ln]
    doc.add_annotation(doc.target_for(0, 4, 0, 8), "gl-comment").note = ["new"]  # rewrites our standOff
    doc.save()
    saved = path.read_text("utf-8")
    assert all(line in saved for line in lines)  # every orphan, byte for byte
    again = tei.load(str(path))
    assert {a.id: a.target for a in again.annotations()} == {
        **{a.id: a.target for a in tei.TeiDocument.from_bytes(original.encode()).annotations()},
        again.annotations()[-2].id: "#string-range(p1,4,4)",
    }


_free_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)
_line = _free_text.filter(lambda t: t.strip() != "")
_numbers = st.none() | st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False)
_quantities = st.none() | st.builds(
    A.Quantity, value=_numbers, low=_numbers, high=_numbers,
    unit=st.sampled_from(["", "USD", "US dollars", "men", "km2"]), approximate=st.booleans(),
    text=st.sampled_from(["", "about 500 million dollars", "300–400"]),
)  # fmt: skip
_ids = st.sampled_from(["", "src-smith-1"])  # any id: the reference is kept as written
_alternatives = st.builds(A.Alternative, value=_free_text, quantity=_quantities, source=_ids,
                          locator=_free_text, certainty=st.sampled_from(A.CERTAINTIES),
                          note=_free_text)  # fmt: skip
_figures = st.builds(A.ContestedFigure, stated=_free_text, normalised=_quantities,
                     alternatives=st.lists(_alternatives, max_size=3),
                     status=st.sampled_from(A.STATUSES), preferred=_quantities,
                     rationale=_free_text)  # fmt: skip
_links = st.builds(A.SourceLink, relation=st.sampled_from(A.RELATIONS), source=_ids, locator=_free_text)
_techniques = st.sampled_from(["", "gl-bias-loaded-language", "gl-bias-omission", "gl-bias-glorification",
                               "gl-bias-demonisation", "gl-bias-appeal-to-authority"])  # fmt: skip


def _normal_quantity(q: A.Quantity | None) -> A.Quantity | None:
    """A range is stored only when there is no single value; -0.0 reads back as 0."""
    if q is None:
        return None
    low, high = (None, None) if q.value is not None else (q.low, q.high)
    fix = lambda x: None if x is None else float(x) + 0.0  # noqa: E731
    return A.Quantity(fix(q.value), fix(low), fix(high), q.unit, q.approximate, q.text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(figure=_figures, link=_links, technique=_techniques, explanation=_free_text,
       notes=st.lists(_line, max_size=3), certainty=st.sampled_from(A.CERTAINTIES),
       motivation=st.lists(st.sampled_from(A.MOTIVATIONS), min_size=1, max_size=3, unique=True))  # fmt: skip
def test_every_field_of_every_kind_round_trips(figure, link, technique, explanation, notes,
                                               certainty, motivation) -> None:  # fmt: skip
    doc = tei.load(str(TEI_DATA / "minimal.xml"))
    sid = doc.add_source(author="Smith", title="T")
    assert re.fullmatch(r"src-smith-[0-9a-z]{10}", sid)
    b = first_text_blocks(doc, 1)[0]
    fig = doc.add_annotation(doc.target_for(b, 0, b, 4), "gl-figure")
    fig.figure, fig.certainty, fig.note = figure, certainty, notes
    src = doc.add_annotation(doc.target_for(b, 1, b, 5), "gl-source")
    src.source_link, src.certainty, src.motivation = link, certainty, motivation
    bias = doc.add_annotation(doc.target_for(b, 2, b, 6), "gl-bias")
    bias.bias = A.BiasNote(technique, explanation)
    question = doc.add_annotation(doc.target_for(b, 0, b, 2), "gl-question")
    question.note = notes
    again = tei.TeiDocument.from_bytes(doc.to_bytes())
    got = again.annotation(fig.id).figure
    assert got.alternatives == [
        A.Alternative(a.value, _normal_quantity(a.quantity), a.source, a.locator, a.certainty, a.note)
        for a in figure.alternatives
    ]
    assert (got.stated, got.status, got.rationale) == (figure.stated, figure.status, figure.rationale)
    assert got.normalised == _normal_quantity(figure.normalised)
    assert got.preferred == _normal_quantity(figure.preferred)
    assert again.annotation(fig.id).note == notes and again.annotation(fig.id).certainty == certainty
    got_link = again.annotation(src.id)
    assert (got_link.source_link, got_link.certainty, got_link.motivation) == (link, certainty, motivation)
    # A blank explanation is no explanation: it is dropped, not stored as whitespace.
    assert again.annotation(bias.id).bias == A.BiasNote(technique, explanation if explanation.strip() else "")
    assert again.annotation(question.id).note == notes and again.annotation(question.id).kind == "question"


def test_a_failed_save_leaves_the_file_and_folder_as_they_were(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tei.storage as storage

    path = copy_of("minimal.xml", tmp_path)
    original = path.read_bytes()
    doc = tei.load(str(path))
    b = first_text_blocks(doc, 1)[0]
    doc.add_annotation(doc.target_for(b, 0, b, 2), "gl-comment")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage.os, "fsync", disk_full)
    with pytest.raises(SaveError, match="No space left"):
        doc.save()
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["minimal.xml", "minimal.xml.bak"]
    monkeypatch.undo()
    doc.save()  # the document is still intact and the disk state still the one loaded
    assert b"gl-comment" in path.read_bytes() and (tmp_path / "minimal.xml.bak").read_bytes() == original


def test_elements_past_line_65535_get_their_ids_in_the_right_start_tag() -> None:
    """libxml2 reports approximate lines beyond 65,534: ids must still land in the right tags."""
    padding = "<p>x</p>\n" * 70_000
    body = padding + '<div>\n<p>\nfirst</p><p>\nsecond</p>\n<p rend="x">\nthird</p>\n<!-- <p> --></div>'
    xml = f'<TEI xmlns="{ns.TEI}"><teiHeader><fileDesc><titleStmt><title>t</title></titleStmt>' \
          f"</fileDesc></teiHeader><text><body>\n{body}\n</body></text></TEI>"  # fmt: skip
    doc = tei.TeiDocument.from_bytes(xml.encode())
    where = {b.reading: i for i, b in enumerate(doc.text.blocks) if b.reading in ("first", "second", "third")}
    made = {w: doc.add_annotation(doc.target_for(where[w], 0, where[w], 5), "gl-comment").id
            for w in ("second", "third", "first")}  # fmt: skip
    out = doc.to_bytes()
    again = tei.TeiDocument.from_bytes(out)
    for word, ann_id in made.items():
        (res,) = again.resolve(again.annotation(ann_id).target)
        assert again.quote_for(res.start, res.end)[0] == word[:5]
    more = again.add_annotation(again.target_for(where["third"], 1, where["third"], 4), "gl-question")
    third = tei.TeiDocument.from_bytes(again.to_bytes())  # our standOff, read back past the line limit
    assert [a.quote for a in third.annotations()] == ["secon", "third", "first", "hir"]
    assert third.annotation(more.id).kind == "question"


def test_markup_in_entities_or_comments_never_receives_an_id() -> None:
    """A <p> written by an entity has no start tag of its own: refuse rather than damage the file."""
    head = "<teiHeader><fileDesc><titleStmt><title>t</title></titleStmt></fileDesc></teiHeader>"
    xml = (f'<!DOCTYPE TEI [<!ENTITY bp "<p>Boiler plate.</p>"><!ENTITY ed "the editor">]>\n'
           f'<TEI xmlns="{ns.TEI}">{head}<text><body>\n&bp;\n<!-- <p> --><p>Real one.</p>\n'
           f"<ab>Real &ed; two.</ab>\n</body></text></TEI>")  # fmt: skip
    for block in (0, 1):
        doc = tei.TeiDocument.from_bytes(xml.encode())
        doc.add_annotation(doc.target_for(block, 0, block, 4), "gl-comment")
        with pytest.raises(SaveError, match="builds <p> elements from entities"):
            doc.to_bytes()
    doc = tei.TeiDocument.from_bytes(xml.encode())
    ann = doc.add_annotation(doc.target_for(2, 5, 2, 15), "gl-comment")
    out = doc.to_bytes()
    assert out.startswith(xml.encode()[: xml.index("</fileDesc>")])
    assert re.search(rb'<ab xml:id="gl-ab-[0-9a-z]{10}">Real &ed; two.', out)
    again = tei.TeiDocument.from_bytes(out)
    (res,) = again.resolve(ann.target)
    assert again.quote_for(res.start, res.end)[0] == ann.quote == "the editor"
    plain = xml.replace('<!ENTITY bp "<p>Boiler plate.</p>">', "").replace("&bp;", "")
    doc = tei.TeiDocument.from_bytes(plain.encode())  # no entity markup: the comment is no tag
    doc.add_annotation(doc.target_for(0, 0, 0, 4), "gl-comment")
    assert re.search(rb'<!-- <p> --><p xml:id="gl-p-[0-9a-z]{10}">Real one.</p>', doc.to_bytes())


def test_new_annotations_on_a_duplicated_id_point_through_an_unambiguous_ancestor() -> None:
    doc = tei.load(str(TEI_DATA / "duplicate-ids.xml"))
    assert [b.element.get(ns.XML_ID) for b in doc.text.blocks] == ["a", "a", "b"]
    made = [doc.add_annotation(doc.target_for(i, 1, i, 5), "gl-comment") for i in range(3)]
    made.append(doc.add_annotation(doc.target_for(0, 1, 2, 3), "gl-question"))
    body = doc.root.find(f".//{ns.qn('body')}").get(ns.XML_ID)
    assert re.fullmatch(r"gl-body-[0-9a-z]{10}", body)
    assert [a.target for a in made] == [
        f"#string-range({body},1,4)", f"#string-range({body},7,4)", "#string-range(b,1,4)",
        f"#range(string-index({body},1),string-index(b,3))",
    ]  # fmt: skip
    again = tei.TeiDocument.from_bytes(doc.to_bytes())
    quotes = []
    for ann in made:
        (res,) = again.resolve(ann.target)
        quotes.append(again.quote_for(res.start, res.end)[0])
    assert quotes == [a.quote for a in made] == ["irst", "econ", "hird", "irst.\nSecond.\nThi"]
    assert f'<body xml:id="{body}"><p xml:id="a">First.</p><p xml:id="a">Second.</p>'.encode() in doc.to_bytes()


def test_minified_single_line_documents_get_ids_in_the_right_tags() -> None:
    from tei import source

    paras = "".join(f"<p>para {n}</p>" for n in range(3000))
    xml = f'<TEI xmlns="{ns.TEI}"><teiHeader><fileDesc><titleStmt><title>t</title></titleStmt>' \
          f"</fileDesc></teiHeader><text><body>{paras}</body></text></TEI>"  # fmt: skip
    assert len(xml) > source.LONG_LINE and "\n" not in xml
    doc = tei.TeiDocument.from_bytes(xml.encode())
    picked = [2999, 7, 1500, 0]
    made = [doc.add_annotation(doc.target_for(i, 5, i, len(f"para {i}")), "gl-comment") for i in picked]
    again = tei.TeiDocument.from_bytes(doc.to_bytes())
    for i, ann in zip(picked, made, strict=True):
        (res,) = again.resolve(ann.target)
        assert again.quote_for(res.start, res.end)[0] == str(i)
        assert again.element_by_id(ann.target.split("(")[1].split(",")[0]).text == f"para {i}"


@pytest.mark.parametrize("header", [
    "<encodingDesc/>", "<encodingDesc><classDecl/></encodingDesc>",
    "<encodingDesc><p/></encodingDesc><revisionDesc/>", "<revisionDesc><listChange/></revisionDesc>",
    "\n  <encodingDesc>\n    <p/>\n  </encodingDesc>\n  <revisionDesc>\n    <listChange>\n    </listChange>\n  </revisionDesc>\n",
])  # fmt: skip
def test_empty_or_self_closing_header_parts_receive_owned_content(header: str) -> None:
    start = (f'<TEI xmlns="{ns.TEI}"><teiHeader><fileDesc><titleStmt><title>t</title></titleStmt>'
             "<publicationStmt><p>x</p></publicationStmt><sourceDesc><p>y</p></sourceDesc></fileDesc>")  # fmt: skip
    xml = f"{start}{header}</teiHeader><text><body><p>Hello world.</p></body></text></TEI>"
    doc = tei.TeiDocument.from_bytes(xml.encode())
    ann = doc.add_annotation(doc.target_for(0, 0, 0, 5), "gl-comment")
    out = doc.to_bytes(when=WHEN).decode()
    assert out.startswith(start) and re.search(r'<text><body><p xml:id="gl-p-[0-9a-z]{10}">Hello world.</p></body></text>', out)
    again = tei.TeiDocument.from_bytes(out.encode())
    assert again.taxonomy.element() is not None and again.annotation(ann.id).quote == "Hello"
    (change,) = [c for c in again.root.iter(ns.qn("change")) if "Glossator" in (c.text or "")]
    assert change.get("when") == WHEN and change.getparent().tag in (ns.qn("revisionDesc"), ns.qn("listChange"))


@pytest.mark.parametrize("header", ["", "<teiHeader/>", "<teiHeader><profileDesc/></teiHeader>"])
def test_documents_with_a_missing_or_partial_header_still_save_annotations(header: str) -> None:
    xml = f'<TEI xmlns="{ns.TEI}">{header}<text><body><p>Hello world.</p></body></text></TEI>'
    doc = tei.TeiDocument.from_bytes(xml.encode())
    ann = doc.add_annotation(doc.target_for(0, 0, 0, 5), "gl-bias")
    ann.bias = A.BiasNote("gl-bias-omission", "why")
    again = tei.TeiDocument.from_bytes(doc.to_bytes())
    assert again.annotation(ann.id).bias == A.BiasNote("gl-bias-omission", "why")
    assert (again.taxonomy.element() is not None) == ("profileDesc" in header)
    if "profileDesc" in header:  # the taxonomy goes first in the header, indented as new content
        assert b"<teiHeader>\n  <encodingDesc>\n    <classDecl>\n      <taxonomy" in doc.to_bytes()
        assert b'\n        <category xml:id="gl-bias" ' in doc.to_bytes()


BAD_TEXT = ["Page one.\fPage two.", "nul\x00byte", "lone \ud800 surrogate", "bell\x07", "not\ufffe"]


@pytest.mark.parametrize("bad", BAD_TEXT)
def test_text_xml_cannot_hold_is_refused_and_changes_nothing(bad: str) -> None:
    doc = tei.load(str(TEI_DATA / "minimal.xml"))
    made = annotate_every_kind(doc)
    before = doc.to_bytes()
    fig, bias, link = (doc.annotation(made[k]) for k in ("figure", "bias", "source"))
    q = A.Quantity(1.0, unit="USD")
    setters = [
        lambda: setattr(fig, "note", ["fine", bad]),
        lambda: setattr(bias, "bias", A.BiasNote("gl-bias-glorification", bad)),
        lambda: setattr(fig, "figure", A.ContestedFigure(stated=bad)),
        lambda: setattr(fig, "figure", A.ContestedFigure(stated="1", rationale=bad)),
        lambda: setattr(fig, "figure", A.ContestedFigure(normalised=A.Quantity(1.0, unit=bad))),
        lambda: setattr(fig, "figure", A.ContestedFigure(alternatives=[A.Alternative("2", q, note=bad)])),
        lambda: setattr(fig, "figure", A.ContestedFigure(alternatives=[A.Alternative(bad)])),
        lambda: setattr(fig, "figure", A.ContestedFigure(alternatives=[A.Alternative("2", locator=bad)])),
        lambda: setattr(link, "source_link", A.SourceLink("contradicts", "src", bad)),
        lambda: setattr(link, "source_link", A.SourceLink("contradicts", bad)),
        lambda: fig.set_quote(bad),
        lambda: doc.add_source(title=bad),
        lambda: tei.document.fill_bibl(doc.element_by_id(doc.sources()[0].id), author=bad),
        lambda: doc.ensure_annotator(bad),
    ]
    for i, setter in enumerate(setters):
        with pytest.raises(AnnotationError, match="XML cannot store"):
            setter()
        assert doc.to_bytes() == before, f"setter {i} changed the document"


def test_xml_safe_text_turns_form_feeds_into_paragraphs_and_drops_the_rest() -> None:
    assert A.xml_safe_text("One.\fTwo.\x00\ud800\x07\ufffe") == "One.\n\nTwo."
    assert A.xml_safe_text("a\fb", paragraph=" ") == "a b"
    assert A.xml_safe_text("tab\tnew\nline\r😀") == "tab\tnew\nline\r😀"
