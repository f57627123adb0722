"""The real ``glossator`` command in a subprocess: it never destroys its input and speaks plainly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "data" / "tei" / "wa_sample.xml"


def glossator(*argv: object, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run ``glossator ARGV`` (``python -m annotator``) with this checkout on the path."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "annotator", *map(str, argv)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def error_line(proc: subprocess.CompletedProcess[str]) -> str:
    """Return the one error line of a failed run (and check there is exactly one)."""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("glossator: error: "), proc.stderr
    return lines[0]


# -- export never replaces the document it reads -----------------------------------------------
@pytest.mark.parametrize("spelling", ["same", "dot-path", "symlink", "hardlink"])
def test_export_refuses_to_write_over_its_document(tmp_path, spelling):
    doc = tmp_path / "doc.xml"
    doc.write_bytes(SAMPLE.read_bytes())
    before = doc.read_bytes()
    out = {"same": doc, "dot-path": tmp_path / "." / ".." / tmp_path.name / "doc.xml",
           "symlink": tmp_path / "link.xml", "hardlink": tmp_path / "hard.xml"}[spelling]
    if spelling == "symlink":
        out.symlink_to(doc)
    elif spelling == "hardlink":
        os.link(doc, out)
    for fmt in ("html", "csv", "tei-inline", "webanno"):
        proc = glossator("export", doc, "--to", fmt, "-o", out)
        assert proc.returncode == 2
        assert "is the document itself" in error_line(proc)
        assert doc.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        {"doc.xml", out.name if spelling in ("symlink", "hardlink") else "doc.xml"}
    )  # no backup, no temp file, nothing written


# -- options are checked per format --------------------------------------------------------------
@pytest.mark.parametrize(("option", "expected"), [
    ("delimiter=ab", "option delimiter cannot be 'ab'; use one of ',', ';', 'tab', '|'"),
    ('delimiter="', "option delimiter cannot be '\"'"),
    ("delimeter=;", "the csv export has no option 'delimeter'; its options: delimiter (',', ';', 'tab', "
                    "'|'): field separator"),
    ("bom=maybe", "option bom is true or false, not 'maybe'"),
])  # fmt: skip
def test_bad_export_options_are_usage_errors_naming_the_valid_ones(tmp_path, option, expected):
    out = tmp_path / "out.csv"
    proc = glossator("export", SAMPLE, "--to", "csv", "-o", out, "--option", option)
    assert proc.returncode == 2 and expected in error_line(proc)
    assert not out.exists()


def test_good_export_options_are_converted(tmp_path):
    out = tmp_path / "out.csv"
    proc = glossator("export", SAMPLE, "--to", "csv", "-o", out, "--option", "delimiter=tab",
                     "--option", "bom=yes")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbfid\tnumber\t")
    proc = glossator("export", SAMPLE, "--to", "html", "-o", "-", "--option", "notes=no")
    assert proc.returncode == 2 and "only --to webanno" in error_line(proc)


def test_tei_inline_takes_only_the_common_options(tmp_path):
    proc = glossator("export", SAMPLE, "--to", "tei-inline", "-o", tmp_path / "x.xml",
                     "--option", "title=X")  # fmt: skip
    assert proc.returncode == 2 and "has no option 'title'; its options: annotators" in error_line(proc)


# -- output paths --------------------------------------------------------------------------------
def test_output_errors_name_the_path_given_before_any_work(tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text("<TEI><unclosed>")
    proc = glossator("export", broken, "--to", "html", "-o", tmp_path)  # the -o is judged first
    assert proc.returncode == 2
    assert error_line(proc) == f"glossator: error: -o {tmp_path} is a folder; give a file name"
    missing = tmp_path / "no" / "such" / "out.html"
    proc = glossator("export", SAMPLE, "--to", "html", "-o", missing)
    assert proc.returncode == 2
    assert f"-o {missing}: the folder {missing.parent} does not exist" in error_line(proc)
    proc = glossator("import-text", SAMPLE, "-o", tmp_path)
    assert proc.returncode == 2 and "is a folder; give a file name" in error_line(proc)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.xml"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in any folder")
def test_an_unwritable_output_folder_is_named(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    proc = glossator("export", SAMPLE, "--to", "csv", "-o", locked / "out.csv")
    assert proc.returncode == 2
    assert error_line(proc).endswith(f"-o {locked / 'out.csv'}: the folder {locked} is not writable")


# -- help and success --------------------------------------------------------------------------
def test_help_lists_commands_with_descriptions_and_global_options():
    out = glossator("--help").stdout
    for command in ("import-text", "import-annotations", "export", "validate", "stats"):
        line = next(x for x in out.splitlines() if x.strip().startswith(command + " "))
        assert len(line.split()) > 3, line  # a one-line description follows the name
    assert "--debug" in out and "-v" in out
    export_help = glossator("export", "--help").stdout
    assert "one of: html, tei-inline, webanno, csv, pdf" in export_help
    assert "delimiter (',', ';', 'tab', '|')" in export_help and "base_uri (text)" in export_help


def test_every_option_of_every_command_has_help():
    from tei import cli

    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command").choices
    for name, sub in [("glossator", parser), *subparsers.items()]:
        missing = [a.dest for a in sub._actions if not a.help]
        assert missing == [], (name, missing)
        assert sub is parser or sub.description


def test_verbose_works_for_commands_too():
    proc = glossator("-v", "stats", SAMPLE)
    assert proc.returncode == 0 and "blocks:" in proc.stdout


def test_success_prints_one_line(tmp_path):
    out = tmp_path / "out.html"
    proc = glossator("export", SAMPLE, "--to", "html", "-o", out)
    assert proc.returncode == 0 and out.exists()
    count = len(__import__("tei").load(str(SAMPLE)).annotations())
    assert proc.stderr == f"wrote {out}: {count} annotations\n"


def _on_a_terminal(*args: object) -> str:
    """Run glossator with its stderr on a pseudo-terminal; return what the terminal showed."""
    import pty

    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen([sys.executable, "-m", "annotator", *map(str, args)], cwd=ROOT, env=env,
                            stderr=slave, stdout=subprocess.DEVNULL)  # fmt: skip
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    assert proc.wait(timeout=300) == 0, seen.decode(errors="replace")
    os.close(master)
    return seen.decode()


def test_progress_is_shown_on_a_terminal_only(tmp_path):
    out = tmp_path / "out.html"
    text = _on_a_terminal("export", SAMPLE, "--to", "html", "-o", out)
    assert f"\rexporting {SAMPLE} as html… 0 s" in text
    assert text.split("\r\x1b[K")[-1] == f"wrote {out}: 0 annotations\r\n"  # the line is erased
    piped = glossator("export", SAMPLE, "--to", "html", "-o", out)
    assert piped.stderr == f"wrote {out}: 0 annotations\n"


def test_a_pdf_export_says_how_far_the_printer_is(tmp_path):
    import shutil

    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (tools/setup.sh installs it)")
    out = tmp_path / "out.pdf"
    text = _on_a_terminal("export", SAMPLE, "--to", "pdf", "-o", out)
    assert f"exporting {SAMPLE} as pdf… " in text and " — " in text and "%" in text
    assert out.read_bytes().startswith(b"%PDF")


def test_import_annotations_never_writes_over_the_annotations_it_reads(tmp_path):
    doc = tmp_path / "doc.xml"
    doc.write_bytes(SAMPLE.read_bytes())
    anns = tmp_path / "notes.jsonld"
    anns.write_text("[]")
    proc = glossator("import-annotations", doc, anns, "-o", anns)
    assert proc.returncode == 2 and "is the annotation file itself" in error_line(proc)
    assert anns.read_text() == "[]"
    proc = glossator("import-annotations", doc, anns, "-o", doc)  # into the document: allowed
    assert proc.returncode == 0, proc.stderr
