"""Annotations, lossless saving and safety of ``TeiDocument``."""

from __future__ import annotations

import difflib
import os
import re
import shutil
from pathlib import Path

import pytest

import tei
from tei import annotations as A
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
        r' xml:id="gl-[a-z]+\d+"',
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
