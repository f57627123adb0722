"""The ``glossator`` command line: commands, exit codes and one-line errors on bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import tei
from tei import cli
from tei.webanno import to_webanno
from tests.tei.export_helpers import add_orphan

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "tei"
SAMPLE = DATA / "wa_sample.xml"
CORPUS = ROOT.parent / "shared" / "corpus"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.run([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("glossator: error: ") and "Traceback" not in err
    return lines[0]


def test_commands_and_help_mention_exit_codes(capsys):
    assert {"import-text", "import-annotations", "export", "validate", "stats", "diff", "git",
            "reanchor", "check"} <= cli.COMMANDS  # fmt: skip
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "exit codes" in out and out.startswith("usage: glossator")
    code, out, _ = run(capsys, "validate", "--help")
    assert code == 0 and "GLOSSATOR_SCHEMA" in out and "exit codes" in out
    assert "Exit codes" in (cli.__doc__ or "")
    code, _, err = run(capsys, "frobnicate")
    assert code == 2 and "invalid choice" in err


# -- bad input: one line, non-zero, for every command ------------------------------------------
def _bad_inputs(tmp: Path) -> dict[str, Path]:
    text = SAMPLE.read_bytes()
    files = {
        "empty": b"",
        "blank": b"  \n\n",
        "binary": bytes(range(256)) * 4,
        "truncated": text[: len(text) // 2],
        "not-xml": b"Just some words, no markup.\n",
        "utf16-garbage": b"\xff\xfe<\x00T\x00\xff\xdb",
        "bom-only": b"\xef\xbb\xbf\n",
        "latin1-declared-utf8": b'<?xml version="1.0" encoding="UTF-8"?>\n<TEI>Caf\xe9</TEI>',
        "utf8-declared-utf16": b'<?xml version="1.0" encoding="UTF-16"?>\n<TEI/>',
        "cut-mid-character": "<TEI>\u4e2d".encode()[:-1],
        "gzip": b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + bytes(40),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = tmp / f"{name}.xml"
        paths[name].write_bytes(data)
    paths["non-tei"] = DATA / "cli_not_tei.xml"
    paths["bomb"] = DATA / "cli_bomb.xml"
    paths["missing"] = tmp / "does-not-exist.xml"
    paths["folder"] = tmp
    for p in sorted((CORPUS / "malformed").glob("*.xml")):
        if "schnitzler" in p.name:  # the other one is well-formed (duplicate ids only)
            paths["malformed-" + p.stem] = p
    return paths


def _commands(doc: Path, tmp: Path) -> dict[str, list]:
    ann = tmp / "empty.jsonld"
    ann.write_text("[]")
    return {
        "stats": ["stats", doc],
        "validate": ["validate", doc],
        "export": ["export", doc, "--to", "webanno", "-o", tmp / "out.jsonld"],
        "import-annotations": ["import-annotations", doc, ann, "-o", tmp / "out.xml"],
        "reanchor": ["reanchor", SAMPLE, doc, "-o", tmp / "out.xml"],
        "check": ["check", doc],
    }


@pytest.mark.parametrize("command", ["stats", "validate", "export", "import-annotations", "reanchor", "check"])
def test_bad_documents_give_one_line_and_exit_2(capsys, tmp_path, command):
    for name, path in _bad_inputs(tmp_path).items():
        start = time.monotonic()
        code, out, err = run(capsys, *_commands(path, tmp_path)[command])
        assert code == 2, (name, err)
        line = one_error_line(err)
        assert str(path) in line, (name, line)
        assert time.monotonic() - start < 5, name
        assert not (tmp_path / "out.xml").exists() and not (tmp_path / "out.jsonld").exists()


def test_error_lines_carry_line_and_column(capsys, tmp_path):
    truncated = tmp_path / "t.xml"
    truncated.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0">\n<text><body><p>cut')
    _, _, err = run(capsys, "stats", truncated)
    assert one_error_line(err).startswith(
        f"glossator: error: {truncated}:2:19: the file is truncated"
    )
    malformed = CORPUS / "malformed" / "schnitzler-briefe__editionsrichtlinien.xml"
    if malformed.is_file():
        _, _, err = run(capsys, "validate", malformed)
        assert f"{malformed}:684:12: malformed XML" in one_error_line(err)


@pytest.mark.parametrize(("data", "expected"), [
    (b'<?xml version="1.0" encoding="UTF-8"?>\n<TEI>Caf\xe9</TEI>', ":2:9: cannot decode the file: "
                                                                  "Invalid bytes in character encoding"),
    (b'<?xml version="1.0" encoding="UTF-16"?>\n<TEI/>', ":1: the XML declaration says the file "
                                                        "is in 'utf-16', but it is not"),
    (b"\xef\xbb\xbf", ": the file is empty"),
])  # fmt: skip
def test_wrong_encodings_say_what_and_where(capsys, tmp_path, data, expected):
    path = tmp_path / "enc.xml"
    path.write_bytes(data)
    for command in ("stats", "validate"):
        code, _, err = run(capsys, command, path)
        assert code == 2 and one_error_line(err) == f"glossator: error: {path}{expected}"


def test_duplicate_ids_load_with_a_warning_line(capsys):
    path = DATA / "duplicate-ids.xml"
    code, out, err = run(capsys, "stats", path, "--json")
    assert code == 0 and json.loads(out)["duplicate_ids"] == 1
    assert err == f"glossator: warning: {path}: 1 xml:id value(s) are used more than once (a); " \
                  "pointers to them are ambiguous\n"
    code, out, err = run(capsys, "validate", path)
    assert code == 1 and "[duplicate-id] xml:id 'a'" in out and err == ""


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file(capsys, tmp_path):
    locked = tmp_path / "locked.xml"
    locked.write_bytes(SAMPLE.read_bytes())
    locked.chmod(0)
    code, _, err = run(capsys, "stats", locked)
    assert code == 2 and "permission denied" in one_error_line(err)


def test_external_entities_are_never_read(capsys, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY leak "TOP-SECRET-CONTENT">')
    doc = tmp_path / "xxe.xml"
    doc.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE TEI SYSTEM "{dtd.as_uri()}" [\n'
        f'  <!ENTITY xxe SYSTEM "{secret.as_uri()}">\n  <!ENTITY % pe SYSTEM "{dtd.as_uri()}"> %pe;\n]>\n'
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>x</title>'
        "</titleStmt></fileDesc></teiHeader><text><body><p>A &xxe; B</p><p>&leak;</p></body></text></TEI>"
    )
    outputs = []
    for argv in (["stats", doc, "--json"], ["validate", doc],
                 ["export", doc, "--to", "webanno", "-o", tmp_path / "x.jsonld"]):  # fmt: skip
        code, out, err = run(capsys, *argv)
        outputs.append(out + err)
    if (tmp_path / "x.jsonld").exists():
        outputs.append((tmp_path / "x.jsonld").read_text())
    assert outputs and not any("TOP-SECRET" in o for o in outputs)


# -- stats ---------------------------------------------------------------------------------------
def test_stats_on_a_corpus_file(capsys):
    path = CORPUS / "tei-gettingstarted__diaryfragment.xml"
    if not path.is_file():
        pytest.skip("shared corpus not available")
    code, out, _ = run(capsys, "stats", path, "--json")
    data = json.loads(out)
    doc = tei.load(path)
    assert code == 0 and data["blocks"] == len(doc.text.blocks) == 10
    assert data["notes"] == 1 and data["annotations"] == 0 and data["words"] > 50
    assert data["characters"] == sum(len(b.reading) for b in doc.text.blocks)
    code, out, _ = run(capsys, "stats", path)
    assert code == 0 and "blocks: 10" in out and "by_kind: none" in out


def test_stats_counts_annotations(capsys, tmp_path):
    doc = tei.load(SAMPLE)
    pid = doc.ensure_annotator("Ann")
    doc.add_annotation(doc.target_for(1, 0, 1, 5), "gl-bias", annotator=pid).certainty = "low"
    doc.add_annotation(doc.target_for(3, 0, 3, 5), "gl-comment", annotator=pid)
    add_orphan(doc, "#gone", "gl-comment")
    doc.save(tmp_path / "a.xml")
    code, out, _ = run(capsys, "stats", tmp_path / "a.xml", "--json")
    data = json.loads(out)
    assert (data["annotations"], data["orphans"], data["pages"], data["notes"]) == (3, 1, 1, 1)
    assert data["by_kind"] == {"bias": 1, "comment": 2}
    assert data["by_category"] == {"Bias note": 1, "Comment": 2}
    assert data["by_annotator"] == {"Ann": 2, "(unknown)": 1}
    assert data["by_certainty"] == {"low": 1, "unknown": 2}


# -- validate ------------------------------------------------------------------------------------
def test_validate_exit_codes_and_schema_from_the_environment(capsys, monkeypatch):
    code, out, _ = run(capsys, "validate", SAMPLE)
    assert code == 0 and "0 error(s), 0 warning(s)" in out
    code, out, _ = run(capsys, "validate", DATA / "cli_problems.xml")
    assert code == 1 and "[orphan-target]" in out
    code, out, _ = run(capsys, "validate", DATA / "cli_problems.xml", "--json")
    assert code == 1 and {p["code"] for p in json.loads(out)["problems"]} >= {"duplicate-id"}
    monkeypatch.setenv("GLOSSATOR_SCHEMA", str(DATA / "cli_not_tei.xml"))  # not a schema
    code, _, err = run(capsys, "validate", SAMPLE)
    assert code == 2 and "schema" in one_error_line(err)
    monkeypatch.setenv("GLOSSATOR_SCHEMA", str(DATA / "cli_tiny.rng"))
    assert run(capsys, "validate", SAMPLE)[0] == 0
    code, out, _ = run(capsys, "validate", DATA / "cli_problems.xml")
    assert code == 1 and "[schema]" in out


# -- export and import ---------------------------------------------------------------------------
def _annotated(tmp_path: Path) -> Path:
    doc = tei.load(SAMPLE)
    pid = doc.ensure_annotator("Ann")
    doc.add_annotation(doc.target_for(1, 0, 1, 7), "gl-comment", annotator=pid).note = ["Hi"]
    doc.add_annotation(doc.target_for(4, 0, 4, 13), "gl-question", annotator=pid)
    path = tmp_path / "annotated.xml"
    doc.save(path)
    return path


def test_export_webanno_and_import_back(capsys, tmp_path):
    src = _annotated(tmp_path)
    out = tmp_path / "a.jsonld"
    code, _, err = run(capsys, "export", src, "--to", "webanno", "-o", out,
                       "--option", "base_uri=https://example.org/d.xml")  # fmt: skip
    assert code == 0, err
    data = json.loads(out.read_text("utf-8"))
    first_id = tei.load(str(src)).annotations()[0].id
    assert data["first"]["items"][0]["id"] == "https://example.org/d.xml#" + first_id
    code, stdout, _ = run(capsys, "export", src, "--to", "webanno", "-o", "-")
    assert code == 0 and json.loads(stdout)["total"] == 2
    result = tmp_path / "imported.xml"
    code, _, err = run(capsys, "import-annotations", SAMPLE, out, "-o", result)
    assert code == 0 and "Imported 2 annotation(s): 2 placed exactly, 0 approximately, 0 kept unplaced" in err
    again = tei.load(result)
    assert [a.quote for a in again.annotations()] == ["In 1950", "Shared phrase"]
    assert to_webanno(again, base_uri="u")["total"] == 2


def test_import_reports_what_it_could_not_anchor(capsys, tmp_path):
    anns = tmp_path / "a.jsonld"
    anns.write_text(json.dumps([
        {"id": "good", "type": "Annotation", "target": {"selector": {
            "type": "TextQuoteSelector", "exact": "Both camps"}}},
        {"id": "bad", "type": "Annotation", "target": {"selector": {
            "type": "TextQuoteSelector", "exact": "nowhere to be found"}}},
    ]))  # fmt: skip
    out = tmp_path / "o.xml"
    code, _, err = run(capsys, "import-annotations", SAMPLE, anns, "-o", out)
    assert code == 1 and "1 kept unplaced" in err and "quote not found" in err
    kept = tei.load(out).annotations()
    assert len(kept) == 2 and kept[1].quote == "nowhere to be found"  # kept, for review
    assert kept[1].anchoring.outcome == "orphan" and kept[0].anchoring is None


@pytest.mark.parametrize("content,where", [
    (b"", "the file is empty"), (b"\x00\x01\x02binary", "binary"),
    (b'{"type": "Annotation",\n "target": }', ":2:12: invalid JSON"),
    (b"\xff\xfe\xfa not utf8", "cannot decode"), (b"[" * 100000, "JSON"),
    (b'{"type": "Nothing"}', "not a W3C Web Annotation"),
])  # fmt: skip
def test_bad_annotation_files(capsys, tmp_path, content, where):
    anns = tmp_path / "a.jsonld"
    anns.write_bytes(content)
    code, _, err = run(capsys, "import-annotations", SAMPLE, anns, "-o", tmp_path / "o.xml")
    assert code == 2 and where in one_error_line(err) and str(anns) in err


def test_export_usage_errors(capsys, tmp_path):
    code, _, err = run(capsys, "export", SAMPLE, "--to", "nope", "-o", tmp_path / "x")
    assert code == 2 and "unknown export format 'nope'" in one_error_line(err)
    assert "webanno" in err
    code, _, err = run(capsys, "export", SAMPLE, "--to", "webanno", "-o", tmp_path / "x",
                       "--option", "no-equals-sign")  # fmt: skip
    assert code == 2 and "KEY=VALUE" in one_error_line(err)
    code, _, err = run(capsys, "export", SAMPLE, "--to", "webanno", "-o",
                       tmp_path / "missing-dir" / "x.jsonld")  # fmt: skip
    assert code == 2 and one_error_line(err)
    assert cli.parse_options(["a=1", "b=true", "c-d=x=y"]) == {"a": "1", "b": "true", "c_d": "x=y"}


def test_internal_errors_are_one_line_with_exit_3(capsys, monkeypatch):
    def boom(doc):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(cli, "document_stats", boom)
    code, _, err = run(capsys, "stats", SAMPLE)
    assert code == 3 and "internal error: RuntimeError: unexpected" in one_error_line(err)


# -- import-text ---------------------------------------------------------------------------------
def test_import_text(capsys, tmp_path):
    pytest.importorskip("tei.importers.plaintext")
    src = tmp_path / "article.txt"
    src.write_text("A title\n\nFirst paragraph of the article.\n\nSecond paragraph.\n", "utf-8")
    out = tmp_path / "article.xml"
    code, _, err = run(capsys, "import-text", src, "-o", out, "--title", "An article",
                       "--lang", "en", "--no-footnotes")  # fmt: skip
    assert code == 0, err
    assert "Paragraphs" in err
    doc = tei.load(out)
    assert "First paragraph of the article." in doc.text.reading_text()
    for bad in (b"", b"\x00\x01\x02\x03" * 50):
        src.write_bytes(bad)
        code, _, err = run(capsys, "import-text", src, "-o", tmp_path / "bad.xml")
        assert code == 2 and str(src) in one_error_line(err)
    code, _, err = run(capsys, "import-text", tmp_path / "missing.txt", "-o", tmp_path / "b.xml")
    assert code == 2 and one_error_line(err)
    assert not (tmp_path / "bad.xml").exists()


def test_import_text_overrides_and_never_overwrites_its_source(capsys, tmp_path):
    src = tmp_path / "page.txt"
    text = ("First paragraph of the article.\nSecond paragraph here.\npage 74\n"
            "Third paragraph of the article.\nFourth paragraph here.\npage 75\n"
            "Editorial Contacts |\nAbout · News · For Advertisers |\n")  # fmt: skip
    src.write_text(text, "utf-8")
    code, _, err = run(capsys, "import-text", src, "-o", src)
    assert code == 2 and "source text itself" in one_error_line(err)
    assert src.read_text("utf-8") == text
    dropped, kept = tmp_path / "dropped.xml", tmp_path / "kept.xml"
    assert run(capsys, "import-text", src, "-o", dropped)[0] == 0
    assert run(capsys, "import-text", src, "-o", kept, "--keep-boilerplate", "--paragraphs", "lines")[0] == 0
    assert "Editorial Contacts |" not in tei.load(dropped).text.reading_text()
    assert "Editorial Contacts |" in tei.load(kept).text.reading_text()
    for option in ("--page-markers", "--paragraphs"):
        code, _, err = run(capsys, "import-text", src, "-o", kept, option, "bogus")
        assert code == 2 and "must be one of" in one_error_line(err)


def test_export_prints_the_exporters_warnings(capsys, tmp_path):
    doc = tei.load(SAMPLE)
    first = next(i for i, b in enumerate(doc.text.blocks) if len(b.reading) > 20)
    for a, b in ((0, 12), (6, 18)):  # two overlapping passages: inline TEI splits one
        doc.add_annotation(doc.target_for(first, a, first, b), "gl-comment")
    path = tmp_path / "doc.xml"
    doc.save(str(path))
    code, _, err = run(capsys, "export", path, "--to", "tei-inline", "-o", tmp_path / "inline.xml")
    assert code == 0 and "glossator: warning:" in err and "split" in err


# -- a real process ------------------------------------------------------------------------------
def test_python_dash_m_runs_the_cli(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ok = subprocess.run([sys.executable, "-m", "tei.cli", "stats", str(SAMPLE), "--json"],
                        capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)  # fmt: skip
    assert ok.returncode == 0 and json.loads(ok.stdout)["blocks"] == 5
    empty = tmp_path / "e.xml"
    empty.write_bytes(b"")
    bad = subprocess.run([sys.executable, "-m", "tei.cli", "validate", str(empty)],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)  # fmt: skip
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr == f"glossator: error: {empty}: the file is empty\n"
    bomb = subprocess.run([sys.executable, "-m", "tei.cli", "stats", str(DATA / "cli_bomb.xml")],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=30)  # fmt: skip
    assert bomb.returncode == 2 and "entity-expansion bomb" in bomb.stderr
    assert "PySide6" not in subprocess.run(
        [sys.executable, "-c", "import sys, tei.cli, tei.webanno, tei.validate; print(sorted(sys.modules))"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=60).stdout  # fmt: skip


def test_export_to_stdout_is_for_webanno_only(capsys, tmp_path):
    code, out, err = run(capsys, "export", SAMPLE, "--to", "webanno", "-o", "-")
    assert code == 0, err
    assert json.loads(out)["type"] == "AnnotationCollection"
    code, _, err = run(capsys, "export", SAMPLE, "--to", "html", "-o", "-")
    assert code == 2 and "standard output" in one_error_line(err)
    code, _, err = run(capsys, "export", SAMPLE, "--to", "docx", "-o", tmp_path / "x.docx")
    assert code == 2 and "known formats: csv, html" in one_error_line(err)

