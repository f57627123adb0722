"""``glossator git setup`` and ``git textconv`` with the real ``git`` binary in temporary
repositories (HOME is a temporary folder: the user's git configuration is never touched)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tei
from tei import cli

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "samples" / "soviet-aid-to-china-annotated.xml"
PLAIN = ROOT / "resources" / "samples" / "soviet-aid-to-china.xml"
NOT_TEI = ROOT / "tests" / "data" / "tei" / "cli_not_tei.xml"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A fresh HOME (and no system config), so only what the test writes is seen by git."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_CONFIG_GLOBAL", "GIT_INDEX_FILE"):
        monkeypatch.delenv(var, raising=False)
    # git runs `python -m annotator git textconv`: it must import this checkout's packages
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    return home


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=Tester", "-c", "user.email=t@example.org",
                           *args], cwd=repo, capture_output=True, text=True, check=True)  # fmt: skip
    return done.stdout


@pytest.fixture
def repo(tmp_path, home) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q")
    return path


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.run([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def glossator(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the real entry point in a child process, as a user would."""
    return subprocess.run([sys.executable, "-m", "annotator", *argv], cwd=cwd,
                          capture_output=True, text=True, check=False)  # fmt: skip


def test_setup_writes_attribute_and_textconv_and_is_idempotent(capsys, repo):
    code, out, err = run(capsys, "git", "setup", repo)
    assert code == 0 and not err
    assert (repo / ".gitattributes").read_text() == "*.xml diff=glossator merge=glossator\n"
    command = git(repo, "config", "--local", "--get", "diff.glossator.textconv").strip()
    assert command == f"{sys.executable} -m annotator git textconv"
    driver = git(repo, "config", "--local", "--get", "merge.glossator.driver").strip()
    assert driver == f"{sys.executable} -m annotator git merge-driver %O %A %B %P"
    assert "merge annotations by id" in out
    config = (repo / ".git" / "config").read_bytes()
    code, again, _ = run(capsys, "git", "setup", repo)
    assert code == 0 and "already has '*.xml diff=glossator merge=glossator'" in again
    assert "diff.glossator.textconv is already" in again and "merge.glossator.driver is already" in again
    assert (repo / ".gitattributes").read_text() == "*.xml diff=glossator merge=glossator\n"
    assert (repo / ".git" / "config").read_bytes() == config
    assert not list(repo.glob(".gitattributes*[!s]"))  # no backup or temporary file left


def test_setup_from_a_subfolder_keeps_existing_attributes(capsys, repo):
    (repo / ".gitattributes").write_text("*.txt text eol=lf")  # no final newline
    (repo / "sub").mkdir()
    code, _, err = run(capsys, "git", "setup", repo / "sub")
    assert code == 0 and not err
    assert (repo / ".gitattributes").read_text() == "*.txt text eol=lf\n*.xml diff=glossator merge=glossator\n"
    assert not (repo / "sub" / ".gitattributes").exists()


def test_setup_outside_a_repository_or_without_git_is_one_line(capsys, tmp_path, home,
                                                                 monkeypatch):  # fmt: skip
    code, out, err = run(capsys, "git", "setup", tmp_path)
    assert code == 2 and not out
    assert err.strip().splitlines() == [f"glossator: error: {tmp_path}: not in a git "
                                        "repository (run git init first)"]  # fmt: skip
    code, _, err = run(capsys, "git", "setup", tmp_path / "nope")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "no such folder" in err
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code, _, err = run(capsys, "git", "setup", tmp_path)
    assert code == 2 and err.strip() == "glossator: error: git is not installed (or not on PATH)"


def test_git_log_reads_like_a_history_of_annotations(repo):
    done = glossator("git", "setup", cwd=repo)
    assert done.returncode == 0, done.stderr
    doc_path = repo / "doc.xml"
    shutil.copy(PLAIN, doc_path)  # not annotated yet
    git(repo, "add", ".gitattributes", "doc.xml")
    git(repo, "commit", "-q", "-m", "the text")
    doc = tei.load(doc_path)
    ann = doc.add_annotation(doc.find("Hands off China"), "gl-question")
    ann.note = ["Which demonstrations?"]
    doc.save(doc_path)
    git(repo, "commit", "-q", "-m", "a question", "doc.xml")
    doc = tei.load(doc_path)
    doc.annotation(ann.id).certainty = "high"
    doc.save(doc_path)
    git(repo, "commit", "-q", "-m", "surer", "doc.xml")

    log = git(repo, "log", "-p", "--", "doc.xml")
    added = [line for line in log.splitlines() if line.startswith("+") and "+++" not in line]
    removed = [line for line in log.splitlines() if line.startswith("-") and "---" not in line]
    assert f'+annotation {ann.id} · Question · "Hands off China"' in added
    assert "+  note: Which demonstrations?" in added
    assert removed == ["-  certainty: unknown"] and "+  certainty: high" in added
    assert not [line for line in added if "<" in line or "xmlns" in line]
    first = git(repo, "show", "HEAD~2", "--", "doc.xml")  # the file's creation, rendered too
    assert "+  ¶ Lenin V. I. PSS. Vol. 39, p. 321." in first.splitlines()
    raw = git(repo, "log", "-p", "--no-textconv", "-1", "--", "doc.xml")
    assert "+<annotation" in raw.replace(" ", "")  # the XML is still there for who wants it


def test_global_setup_serves_every_repository(repo, home):
    done = glossator("git", "setup", "--global", cwd=home)
    assert done.returncode == 0, done.stderr
    assert (home / ".config" / "git" / "attributes").read_text() == "*.xml diff=glossator merge=glossator\n"
    assert "git textconv" in (home / ".gitconfig").read_text()
    assert not (repo / ".gitattributes").exists()
    again = glossator("git", "setup", "--global", cwd=home)
    assert again.returncode == 0 and "already" in again.stdout
    assert (home / ".config" / "git" / "attributes").read_text() == "*.xml diff=glossator merge=glossator\n"
    shutil.copy(SAMPLE, repo / "doc.xml")
    git(repo, "add", "doc.xml")
    git(repo, "commit", "-q", "-m", "one")
    doc = tei.load(repo / "doc.xml")
    doc.remove_annotation("gl-a-zeswmn9397")
    doc.save(repo / "doc.xml")
    shown = git(repo, "diff", "--", "doc.xml")
    assert '-annotation gl-a-zeswmn9397 · Contested figure · "700 people"' in shown.splitlines()


def test_textconv_shows_other_xml_and_broken_files_as_they_are(repo, tmp_path):
    assert glossator("git", "setup", cwd=repo).returncode == 0
    other = repo / "pom.xml"
    other.write_bytes(NOT_TEI.read_bytes())
    git(repo, "add", "pom.xml")
    git(repo, "commit", "-q", "-m", "other")
    other.write_bytes(NOT_TEI.read_bytes().replace(b"Not TEI at all.", b"Still not TEI."))
    shown = git(repo, "diff", "--", "pom.xml")
    assert '-<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Not TEI at all.</p></body></html>' \
        in shown.splitlines()
    assert "+<html" in shown and "Still not TEI." in shown
    for raw in (b"", b"\x00\xff\xfe binary", b"<TEI><text><body><p>broken", SAMPLE.read_bytes()[:900]):
        path = tmp_path / "version.xml"
        path.write_bytes(raw)
        done = subprocess.run([sys.executable, "-m", "annotator", "git", "textconv", str(path)],
                              capture_output=True, check=False)  # fmt: skip
        assert (done.returncode, done.stdout, done.stderr) == (0, raw, b"")


def test_setup_from_the_installed_entry_point_names_it_by_absolute_path(repo):
    script = Path(sys.executable).parent / "glossator"
    if not script.is_file():
        pytest.skip("no glossator entry point next to this Python")
    done = subprocess.run([str(script), "git", "setup"], cwd=repo, capture_output=True, text=True,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    command = git(repo, "config", "--get", "diff.glossator.textconv").strip()
    assert command == f"{script} git textconv"
