"""Merging annotated files (``tei.merge``, ``glossator git merge-driver``): every scenario in
memory, then two clones of a real repository annotating concurrently and pulling, with the real
``git`` binary and the driver ``glossator git setup`` configures; and random concurrent edits
that never lose an annotation."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

import tei
from tei.anchoring import check_quotes
from tei.merge import DISAGREEMENT, merge_documents, text_key
from tests.tei.test_git import SAMPLE, git, glossator, home  # noqa: F401 - the fixture

TEI = "{http://www.tei-c.org/ns/1.0}"
P_NOTE, Q_NOTE, R_GONE = "gl-a-d6w0q1h8yv", "gl-a-kt2mw65fjs", "gl-a-wdrdxmkjhr"


def fresh() -> tei.TeiDocument:
    return tei.load(SAMPLE)


def again(doc: tei.TeiDocument) -> tei.TeiDocument:
    """The document as saved and read back (what the other clone gets)."""
    return tei.TeiDocument.from_bytes(doc.to_bytes(who="", when="2026-01-01T00:00:00Z"))


def annotate(doc: tei.TeiDocument, phrase: str, category: str = "gl-comment", note: str = "") -> str:
    ann = doc.add_annotation(doc.find(phrase), category)
    if note:
        ann.note = [note]
    return ann.id


def merged(base, ours, theirs):  # noqa: ANN001, ANN201
    result, report = merge_documents(again(base), again(ours), again(theirs))
    return again(result), report


def disagreeing(doc: tei.TeiDocument) -> dict[str, str]:
    """Return annotation id -> the id its disagreement note points at."""
    out = {}
    for a in doc.annotations():
        note = a.element.find(f"{TEI}note[@type='{DISAGREEMENT}']")
        if note is not None:
            out[a.id] = note.get("corresp", "").lstrip("#")
    return out


# -- in memory ----------------------------------------------------------------------------------------
def test_additions_on_both_sides_and_edits_of_different_fields_are_all_kept() -> None:
    base = fresh()
    ours, theirs = again(base), again(base)
    mine = annotate(ours, "Blagoveshchensk", note="ours")
    yours = annotate(theirs, "Chuguchak", note="theirs")
    ours.annotation(P_NOTE).note = ["our better note"]
    theirs.annotation(P_NOTE).certainty = "high"
    result, report = merged(base, ours, theirs)
    ids = {a.id for a in result.annotations()}
    assert {mine, yours} <= ids and len(ids) == len(base.annotations()) + 2
    p = result.annotation(P_NOTE)
    assert p.note == ["our better note"] and p.certainty == "high"  # both changes
    assert not report.needs_decision and report.text == "same"
    assert not check_quotes(result) and not disagreeing(result)


def test_annotations_from_both_sides_are_laid_out_alike() -> None:
    base = fresh()
    ours, theirs = again(base), again(base)
    annotate(ours, "Blagoveshchensk", note="ours")
    annotate(theirs, "hinterlands", note="theirs")
    result, _ = merged(base, ours, theirs)
    lines = result.to_bytes().decode().splitlines()
    starts = {len(line) - len(line.lstrip()) for line in lines if line.lstrip().startswith("<annotation ")}
    ends = {len(line) - len(line.lstrip()) for line in lines if line.strip() == "</annotation>"}
    assert len(starts) == 1 and starts == ends


def test_the_same_field_changed_differently_keeps_both_readings_linked() -> None:
    base = fresh()
    ours, theirs = again(base), again(base)
    ours.annotation(Q_NOTE).note = ["about 900 by Soviet counts"]
    theirs.annotation(Q_NOTE).note = ["about 1,200 by Chinese counts"]
    result, report = merged(base, ours, theirs)
    assert report.needs_decision and len(report.disagreements) == 1 and "note" in report.disagreements[0]
    links = disagreeing(result)
    other = links[Q_NOTE]
    assert links[other] == Q_NOTE
    assert result.annotation(Q_NOTE).note == ["about 900 by Soviet counts"]
    assert result.annotation(other).note == ["about 1,200 by Chinese counts"]
    assert result.annotation(other).quote == result.annotation(Q_NOTE).quote
    assert len(result.annotations()) == len(base.annotations()) + 1
    assert not result.warnings or all("duplicate" not in w for w in result.warnings)


def test_delete_against_edit_keeps_the_edit_and_delete_against_nothing_deletes() -> None:
    base = fresh()
    ours, theirs = again(base), again(base)
    ours.remove_annotation(R_GONE)
    theirs.annotation(R_GONE).note = ["still needed"]
    ours.remove_annotation(P_NOTE)  # unchanged there: gone
    result, report = merged(base, ours, theirs)
    ids = {a.id for a in result.annotations()}
    assert R_GONE in ids and result.annotation(R_GONE).note == ["still needed"]
    assert P_NOTE not in ids
    assert any("deleted by us but changed by them" in line for line in report.kept)


def test_text_changed_on_one_side_carries_the_other_sides_annotations_onto_it() -> None:
    base = fresh()
    ours, theirs = again(base), again(base)
    data = theirs.to_bytes().decode()
    at = data.index("<text")
    data = data[:at] + data[at:].replace("The Great October", "The Glorious Great October", 1)
    theirs = tei.TeiDocument.from_bytes(data.encode())
    mine = annotate(ours, "proclaimed proletarian", note="carried")
    result, report = merged(base, ours, theirs)
    assert report.text == "theirs" and "Glorious" in result.text.blocks[0].reading
    ann = result.annotation(mine)
    res = result.resolve(ann.target)[0]
    assert result.quote_for(res.start, res.end)[0] == "proclaimed proletarian"
    assert not check_quotes(result) and len(result.annotations()) == len(base.annotations()) + 1


def test_text_changed_on_both_sides_is_merged_by_git_and_a_clash_keeps_ours() -> None:
    base = fresh()
    ours, theirs = again(base), again(base)

    def edit(doc: tei.TeiDocument, old: str, new: str) -> tei.TeiDocument:
        data = doc.to_bytes().decode()
        at = data.index("<text")
        return tei.TeiDocument.from_bytes((data[:at] + data[at:].replace(old, new, 1)).encode())

    ours = edit(ours, "The Great October", "The Great October (1917)")
    theirs = edit(theirs, "Tuchangunsy", "Tuchangunsy [sic]")
    result, report = merged(base, ours, theirs)
    assert report.text == "merged" and not report.needs_decision
    text = result.text.reading_text()
    assert "October (1917)" in text and "Tuchangunsy [sic]" in text
    assert len(result.annotations()) == len(base.annotations())
    clash = edit(again(base), "The Great October", "The Red October")
    result, report = merged(base, ours, clash)
    assert report.text == "conflict" and report.needs_decision
    assert "October (1917)" in result.text.reading_text()  # ours kept, well-formed, no markers
    assert "<<<<<<<" not in result.to_bytes().decode()


def test_text_key_ignores_only_glossators_parts() -> None:
    base = fresh()
    other = again(base)
    annotate(other, "Blagoveshchensk")
    assert text_key(again(other)) == text_key(base)
    key = text_key(base)
    assert 'type="glossator"' not in key and "<annotation " not in key and "Great October" in key
    assert "Glossator 0" not in key  # its own change log lines are not the text


def test_both_sides_text_corrections_are_kept_in_the_merged_intervention_log() -> None:
    from tei import interventions as iv

    base = fresh()

    def correct(doc: tei.TeiDocument, word: str, new: str) -> tei.TeiDocument:
        block = next(i for i, b in enumerate(doc.text.blocks) if f" {word} " in b.reading)
        r = doc.text.blocks[block].reading.index(f" {word} ") + 1
        iv.intervene(doc, "emend", block, r, r + len(word), text=new, when=f"2026-01-0{len(new)}T00:00:00Z")
        return again(doc)

    ours = correct(again(base), "October", "Octobre")
    theirs = correct(again(base), "hinterlands", "hinterland")
    result, report = merged(base, ours, theirs)
    assert report.text == "merged" and not report.needs_decision
    text = result.text.reading_text()
    assert "Octobre" in text and "the hinterland of" in text
    log = result.standoff().find(f"{TEI}listChange[@type='{iv.LOG_TYPE}']")
    entries = ["".join(c.itertext()) for c in log]
    assert len(entries) == 2 and any("October" in e for e in entries) and any("hinterlands" in e for e in entries)
    assert [c.get("when") for c in log] == sorted(c.get("when") for c in log)
    # a clash keeps our text, and with it only our corrections
    clash = correct(again(base), "October", "Oktober")
    result, report = merged(base, ours, clash)
    assert report.text == "conflict"
    log = result.standoff().find(f"{TEI}listChange[@type='{iv.LOG_TYPE}']")
    assert ["".join(c.itertext()).count("Octobre") for c in log] == [1]


@pytest.mark.parametrize("seed", range(12))
def test_random_concurrent_edits_never_lose_an_annotation(seed: int) -> None:
    rnd = random.Random(seed)
    base = fresh()
    phrases = ["Blagoveshchensk", "Chuguchak", "Guangdong", "credit", "Achkasov", "Astafyev", "Batitsky",
               "Big Horse", "Chongqing", "East Turkestan", "Fung Yuxiang", "Borisov", "Bubnov"]  # fmt: skip
    sides = [again(base), again(base)]
    expected: set[str] = set()
    deleted: dict[int, set[str]] = {0: set(), 1: set()}
    edited: dict[int, set[str]] = {0: set(), 1: set()}
    for i, doc in enumerate(sides):
        for _ in range(rnd.randint(1, 6)):
            action = rnd.choice(["add", "note", "cert", "delete"])
            existing = [a.id for a in doc.annotations()]
            if action == "add":
                try:
                    expected.add(annotate(doc, rnd.choice(phrases), note=f"side {i}"))
                except tei.TeiError:
                    pass  # the phrase occurs several times: not placeable by quote alone
            elif action == "delete" and existing:
                victim = rnd.choice(existing)
                doc.remove_annotation(victim)
                deleted[i].add(victim)
            elif existing:
                aid = rnd.choice(existing)
                if action == "note":
                    doc.annotation(aid).note = [f"side {i} says {rnd.random():.3f}"]
                else:
                    doc.annotation(aid).certainty = rnd.choice(["low", "medium", "high"])
                edited[i].add(aid)
    result, report = merged(base, *sides)
    ids = {a.id for a in result.annotations()}
    survivors = {a.id for a in base.annotations()} - (deleted[0] - edited[1]) - (deleted[1] - edited[0])
    assert expected - deleted[0] - deleted[1] <= ids  # nothing added is lost
    assert survivors <= ids  # nothing edited on one side is lost to a deletion on the other
    for other in disagreeing(result).values():
        assert other in ids  # both readings are there
    assert not check_quotes(result)
    assert tei.TeiDocument.from_bytes(result.to_bytes()).annotations()  # reads back


# -- two clones and the real git ----------------------------------------------------------------------
def _clone(origin: Path, where: Path) -> Path:
    git(where.parent, "clone", "-q", str(origin), str(where))
    done = glossator("git", "setup", cwd=where)
    assert done.returncode == 0, done.stderr
    return where


@pytest.fixture
def clones(tmp_path, home) -> tuple[Path, Path]:  # noqa: ANN001, F811
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    lead = tmp_path / "lead"
    seed = tmp_path / "seed"
    git(tmp_path, "clone", "-q", str(origin), str(seed))
    assert glossator("git", "setup", cwd=seed).returncode == 0
    shutil.copy(SAMPLE, seed / "article.xml")
    git(seed, "add", ".gitattributes", "article.xml")
    git(seed, "commit", "-q", "-m", "the annotated article")
    git(seed, "push", "-q", "origin", "HEAD")
    return _clone(origin, lead), _clone(origin, tmp_path / "student")


def test_two_clones_annotate_concurrently_and_pull_merges_annotations(clones) -> None:  # noqa: ANN001
    lead, student = clones
    a = tei.load(lead / "article.xml")
    lead_ann = annotate(a, "Blagoveshchensk", note="the lead's question")
    a.annotation(P_NOTE).note = ["the lead rewrote this"]
    a.save(lead / "article.xml", backup=False)
    git(lead, "commit", "-q", "-am", "lead annotates")
    git(lead, "push", "-q")
    b = tei.load(student / "article.xml")
    student_ann = annotate(b, "Chuguchak", note="the student's comment")
    b.annotation(P_NOTE).certainty = "low"
    b.save(student / "article.xml", backup=False)
    git(student, "commit", "-q", "-am", "student annotates")
    git(student, "pull", "-q", "--no-rebase", "--no-edit")  # the driver merges: no conflict
    result = tei.load(student / "article.xml")
    ids = {x.id for x in result.annotations()}
    assert {lead_ann, student_ann} <= ids
    assert result.annotation(P_NOTE).note == ["the lead rewrote this"]
    assert result.annotation(P_NOTE).certainty == "low"
    assert "Merge" in git(student, "log", "-1", "--format=%s")
    assert not list(student.glob("article.xml.*"))  # no backup or temporary files in the repo


def test_a_real_disagreement_stops_the_pull_with_a_valid_file_holding_both(clones) -> None:  # noqa: ANN001
    lead, student = clones
    for clone, text in ((lead, "900 by Soviet counts"), (student, "1,200 by Chinese counts")):
        doc = tei.load(clone / "article.xml")
        doc.annotation(Q_NOTE).note = [text]
        doc.save(clone / "article.xml", backup=False)
        git(clone, "commit", "-q", "-am", f"note: {text}")
    git(lead, "push", "-q")
    pulled = git_status(student, "pull", "--no-rebase", "--no-edit")
    assert pulled.returncode != 0 and "article.xml" in pulled.stdout + pulled.stderr
    data = (student / "article.xml").read_text(encoding="utf-8")
    assert "<<<<<<<" not in data
    result = tei.load(student / "article.xml")
    links = disagreeing(result)
    assert result.annotation(Q_NOTE).note == ["1,200 by Chinese counts"]  # ours (the student's)
    assert result.annotation(links[Q_NOTE]).note == ["900 by Soviet counts"]
    git(student, "commit", "-q", "-am", "merged; the disagreement is kept for discussion")
    assert disagreeing(tei.load(student / "article.xml"))


def git_status(repo: Path, *args: str):  # noqa: ANN201
    import subprocess

    return subprocess.run(["git", "-c", "user.name=Tester", "-c", "user.email=t@example.org", *args],
                          cwd=repo, capture_output=True, text=True, check=False)  # fmt: skip


def _commit(clone: Path, doc: tei.TeiDocument, message: str) -> None:
    doc.save(clone / "article.xml", backup=False)
    git(clone, "commit", "-q", "-am", message)


def test_through_git_delete_against_edit_and_a_text_changed_on_one_side(clones) -> None:  # noqa: ANN001
    lead, student = clones
    a = tei.load(lead / "article.xml")
    a.remove_annotation(R_GONE)
    _commit(lead, a, "lead deletes an annotation")
    data = (lead / "article.xml").read_text(encoding="utf-8")
    at = data.index("<text")
    (lead / "article.xml").write_text(data[:at] + data[at:].replace("The Great October", "The Glorious Great October", 1),
                                      encoding="utf-8")  # fmt: skip
    git(lead, "commit", "-q", "-am", "lead corrects the text in another editor")
    git(lead, "push", "-q")
    b = tei.load(student / "article.xml")
    b.annotation(R_GONE).note = ["the student still needs this"]
    mine = annotate(b, "proclaimed proletarian", note="made on the old text")
    _commit(student, b, "student edits")
    done = git_status(student, "pull", "--no-rebase", "--no-edit")
    assert done.returncode == 0, done.stdout + done.stderr
    result = tei.load(student / "article.xml")
    assert "Glorious" in result.text.blocks[0].reading  # their text
    assert result.annotation(R_GONE).note == ["the student still needs this"]  # the edit kept
    res = result.resolve(result.annotation(mine).target)[0]
    assert result.quote_for(res.start, res.end)[0] == "proclaimed proletarian"  # carried onto it
    assert not check_quotes(result)


@pytest.mark.parametrize("seed", range(3))
def test_through_git_random_concurrent_edits_never_lose_an_annotation(clones, seed: int) -> None:  # noqa: ANN001
    lead, student = clones
    rnd = random.Random(1000 + seed)
    phrases = ["Blagoveshchensk", "Chuguchak", "Guangdong", "Achkasov", "Astafyev", "Batitsky", "Chongqing"]
    made, deleted, edited = set(), {}, {}
    for side, clone in enumerate((lead, student)):
        doc = tei.load(clone / "article.xml")
        deleted[side], edited[side] = set(), set()
        for _ in range(rnd.randint(2, 6)):
            ids = [x.id for x in doc.annotations()]
            action = rnd.choice(["add", "note", "cert", "delete"])
            if action == "add":
                try:
                    made.add(annotate(doc, rnd.choice(phrases), note=f"side {side}"))
                except tei.TeiError:
                    pass
            elif action == "delete":
                victim = rnd.choice(ids)
                doc.remove_annotation(victim)
                deleted[side].add(victim)
            else:
                aid = rnd.choice(ids)
                if action == "note":
                    doc.annotation(aid).note = [f"side {side}: {rnd.random():.4f}"]
                else:
                    doc.annotation(aid).certainty = rnd.choice(["low", "medium", "high"])
                edited[side].add(aid)
        _commit(clone, doc, f"side {side}")
        if side == 0:
            git(lead, "push", "-q")
    pulled = git_status(student, "pull", "--no-rebase", "--no-edit")
    result = tei.load(student / "article.xml")  # well-formed whether git stopped for a decision or not
    assert "<<<<<<<" not in (student / "article.xml").read_text(encoding="utf-8")
    ids = {x.id for x in result.annotations()}
    base = {x.id for x in tei.load(SAMPLE).annotations()}
    assert made - deleted[0] - deleted[1] <= ids
    assert base - (deleted[0] - edited[1]) - (deleted[1] - edited[0]) <= ids
    assert (pulled.returncode != 0) == bool(disagreeing(result))  # it stops exactly when both readings are kept
