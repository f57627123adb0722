"""``glossator diff A.xml B.xml``: annotations added, removed and changed, in reading order."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

import tei
from tei import cli
from tei.annotations import Alternative, SourceLink
from tei.diff import textconv

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "samples" / "soviet-aid-to-china-annotated.xml"
NOT_TEI = ROOT / "tests" / "data" / "tei" / "cli_not_tei.xml"
COMMENT = "gl-a-m0jb9fc43p"  # "Ibid., pp. 43-44."
FIGURE = "gl-a-zeswmn9397"  # "700 people", one alternative
LINK = "gl-a-aq1t7a2k7y"  # "A total of 135 advisers", a source link
BIAS = "gl-a-9t6b28faq6"  # "proletarian internationalism"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.run([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def edited(tmp_path: Path, change: Callable[[tei.TeiDocument], object], name: str = "b.xml") -> Path:
    """Save a copy of the sample changed by ``change``."""
    doc = tei.load(SAMPLE)
    change(doc)
    out = tmp_path / name
    doc.save(out)
    return out


def diff(capsys, tmp_path: Path, change: Callable[[tei.TeiDocument], object]) -> str:
    code, out, err = run(capsys, "diff", SAMPLE, edited(tmp_path, change))
    assert code == 1 and not err, err
    assert "<annotation" not in out and "xmlns" not in out
    return out


def test_identical_files_exit_0_with_no_differences(capsys, tmp_path):
    copy = edited(tmp_path, lambda doc: None)  # saved again: same annotations, maybe new bytes
    code, out, err = run(capsys, "diff", SAMPLE, copy)
    assert code == 0 and not err
    assert out.strip().endswith("no differences") and len(out.strip().splitlines()) == 1


def test_added_annotation_with_quote_label_and_fields(capsys, tmp_path):
    def add(doc):
        ann = doc.add_annotation(doc.find("Hands off China"), "gl-question", annotator="gl-x",
                                 annotator_name="Boris")  # fmt: skip
        ann.note = ["Which units?"]
        ann.certainty = "low"
        return ann

    out = diff(capsys, tmp_path, add)
    lines = out.splitlines()
    assert lines[1] == "annotations: 1 added, 0 removed, 0 changed"
    added = next(i for i, line in enumerate(lines) if line.startswith("+ added "))
    assert '· Question · "Hands off China"' in lines[added]
    body = lines[added + 1 : added + 5]
    assert "    note: Which units?" in body and "    certainty: low" in body
    assert "    annotator: Boris" in body


def test_removed_annotation(capsys, tmp_path):
    out = diff(capsys, tmp_path, lambda doc: doc.remove_annotation(COMMENT))
    assert f'- removed {COMMENT} · Comment · "Ibid., pp. 43-44."' in out.splitlines()
    assert "0 added, 1 removed, 0 changed" in out


def _set(name: str, value: object) -> Callable[[tei.TeiDocument], None]:
    def change(doc):
        ann = doc.annotation(_FIELD_OWNER[name])
        if name in ("stated", "status", "rationale"):
            ann.figure = dataclasses.replace(ann.figure, **{name: value})
        else:
            setattr(ann, name, value)

    return change


_FIELD_OWNER = {"category": COMMENT, "note": COMMENT, "certainty": COMMENT, "stated": FIGURE,
                "status": FIGURE, "rationale": FIGURE}  # fmt: skip


def _alternatives(doc):
    ann = doc.annotation(FIGURE)
    fig = ann.figure
    fig.alternatives[0].certainty = "low"
    fig.alternatives.append(Alternative(value="1,500", source="src-kapitsa-9510b4c3y6"))
    ann.figure = fig


def _link(doc):
    doc.annotation(LINK).source_link = SourceLink("contradicts", "src-garver-j11w4tb88x", "p. 9")


def _move(doc):
    doc.retarget_annotation(COMMENT, doc.find("Hands off China"))


def _explanation(doc):
    ann = doc.annotation(BIAS)
    ann.bias = dataclasses.replace(ann.bias, explanation="Class vocabulary.")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_set("category", "gl-question"),
         ["    category: Comment (gl-comment) → Question (gl-question)"]),
        (_set("note", ["First.", "Second."]),
         ["    note:", "      after:  First. ¶ Second."]),
        (_set("certainty", "high"), ["    certainty: unknown → high"]),
        (_set("stated", "seven hundred"), ["    stated: 700 people → seven hundred"]),
        (_set("status", "resolved"), ["    status: disputed → resolved"]),
        (_set("rationale", "Rotations."), ["    rationale: (none) → Rotations."]),
        (_alternatives, ["      after:  over 2,000 pilots and ground crew, source "
                         "src-garver-j11w4tb88x (Garver, John W. Chinese-Soviet Relations, "
                         "1937–1945. New York, Oxford Universit…), ch. 2, certainty low, "
                         "Counts rotations, not a single contingent.",
                         "    alternative 2:", "      before: (none)",
                         "      after:  1,500, source src-kapitsa-9510b4c3y6 (Kapitsa, M. S. "
                         "Sovetsko-kitaiskie otnosheniia. Moscow. 1958), certainty unknown"]),
        (_link, ["      before: context, src-kapitsa-9510b4c3y6 (Kapitsa, M. S. "
                 "Sovetsko-kitaiskie otnosheniia. Moscow. 1958)"]),
        (_explanation, ["      after:  Class vocabulary."]),
        (_move, ['    passage: "Ibid., pp. 43-44." at #string-range(fn2,0,17) → '
                 '"Hands off China" at #string-range(p3,752,15)']),
    ],
    ids=["category", "note", "certainty", "stated", "status", "rationale", "alternatives",
         "source-link", "explanation", "passage"],
)  # fmt: skip
def test_each_changed_field_before_and_after(capsys, tmp_path, change, expected):
    out = diff(capsys, tmp_path, change)
    lines = out.splitlines()
    assert "0 added, 0 removed, 1 changed" in lines[1]
    assert lines[2].startswith("~ changed ")
    for line in expected:
        assert line in lines, out


def test_changes_come_in_reading_order(capsys, tmp_path):
    def two(doc):
        doc.add_annotation(doc.find("Lenin wrote"), "gl-comment")  # after p3, before the figure
        doc.add_annotation(doc.find("Hands off China"), "gl-comment")  # p3
        doc.annotation(FIGURE).certainty = "high"
        doc.remove_annotation(BIAS)  # the first one

    out = diff(capsys, tmp_path, two)
    heads = [line for line in out.splitlines() if line[:2] in ("+ ", "- ", "~ ")]
    assert [h.split(" · ")[-1] for h in heads] == [
        '"proletarian internationalism"', '"Hands off China"', '"Lenin wrote"', '"700 people"']
    again = run(capsys, "diff", SAMPLE, tmp_path / "b.xml")[1]
    assert again == out  # stable across runs


def test_taxonomy_and_sources(capsys, tmp_path):
    def header(doc):
        tax, _ = doc.materialize_taxonomy()
        tax.append(doc.taxonomy.new_category_element("gl-rumour", "Rumour", "#123456"))
        from tei.taxonomy import set_category_fields

        set_category_fields(doc.taxonomy.find("gl-question"), label="Open question")
        doc.taxonomy.invalidate()
        sid = doc.add_source(author="Doe, Jane", title="Advisers", date="2001")
        assert sid
        doc.remove_source("src-whiting-htc4vj9cze")
        from tei.document import fill_bibl

        fill_bibl(doc.element_by_id("src-garver-j11w4tb88x"), author="Garver, John W.",
                  title="Chinese-Soviet Relations", date="1988")  # fmt: skip

    out = diff(capsys, tmp_path, header)
    lines = out.splitlines()
    cats = lines[lines.index("categories:") + 1 :]
    assert "  + gl-rumour  Rumour (kind comment, colour #123456)" in cats
    assert any(x.startswith("  ~ gl-question  Question (") and "→ Open question (" in x for x in cats)
    srcs = lines[lines.index("sources:") + 1 :]
    assert any(x.startswith("  + src-doe-") and x.endswith("Doe, Jane. Advisers. 2001") for x in srcs)
    assert any(x.startswith("  - src-whiting-htc4vj9cze  Whiting") for x in srcs)
    assert "  ~ src-garver-j11w4tb88x  Garver, John W. Chinese-Soviet Relations, 1937–1945. New " \
        "York, Oxford University Press. 1988 → Garver, John W. Chinese-Soviet Relations. 1988" in srcs
    assert "annotations: 0 added, 0 removed, 0 changed" in lines


@pytest.mark.parametrize("bad", ["missing", "not-tei", "empty"])
def test_bad_input_is_one_line_exit_2(capsys, tmp_path, bad):
    path = {"missing": tmp_path / "nope.xml", "not-tei": NOT_TEI, "empty": tmp_path / "e.xml"}[bad]
    (tmp_path / "e.xml").write_bytes(b"")
    for argv in (("diff", path, SAMPLE), ("diff", SAMPLE, path)):
        code, out, err = run(capsys, *argv)
        lines = err.strip().splitlines()
        assert code == 2 and not out and len(lines) == 1, err
        assert lines[0].startswith("glossator: error: ") and str(path) in lines[0]


def test_textconv_renders_annotations_and_passes_anything_else(tmp_path):
    text = textconv(SAMPLE.read_bytes(), str(SAMPLE)).decode()
    assert "<annotation" not in text
    assert f'annotation {FIGURE} · Contested figure · "700 people"' in text
    assert text == textconv(SAMPLE.read_bytes()).decode()  # stable
    for raw in (b"", b"\x00\x01binary", b"<a><b>", NOT_TEI.read_bytes()):
        assert textconv(raw) == raw
    plain = textconv((ROOT / "resources" / "samples" / "soviet-aid-to-china.xml").read_bytes())
    lines = plain.decode().splitlines()  # not annotated yet: no blocks, the same other sections
    assert lines[:3] == ["Glossator annotations (git diff --no-textconv shows the XML)", "",
                         "categories"]  # fmt: skip
    assert "  ¶ Lenin V. I. PSS. Vol. 39, p. 321." in lines


def test_a_changed_text_is_summarised(capsys, tmp_path):
    changed = tmp_path / "b.xml"
    changed.write_bytes(SAMPLE.read_bytes().replace(b"Hands off China", b"Hands off Korea"))
    code, out, err = run(capsys, "diff", SAMPLE, changed)
    assert code == 1 and not err
    assert out.splitlines()[1:] == ["annotations: 0 added, 0 removed, 0 changed",
                                    "text: 1 paragraph of the text changed"]  # fmt: skip


def test_textconv_gives_each_note_paragraph_its_line(tmp_path):
    path = edited(tmp_path, _set("note", ["First ¶ still first.", "Second."]))
    lines = textconv(path.read_bytes()).decode().splitlines()
    at = lines.index("  note: First ¶ still first.")
    assert lines[at + 1] == "        Second."
