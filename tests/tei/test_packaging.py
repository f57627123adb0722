"""The built distribution: the wheel carries the modules, the bundled resources and the licence, and
works installed outside the checkout; the sdist carries the sources, LICENSE and CITATION.cff."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import tei
from tei.validate import validate

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "resources" / "samples"
ANNOTATED = "soviet-aid-to-china-annotated.xml"
_JUNK = shutil.ignore_patterns(".git", ".venv", "__pycache__", "build", "dist", "*.egg-info",
                               ".pytest_cache", ".ruff_cache", "*.bak")  # fmt: skip

def _run(*cmd: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    out = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                         timeout=300)  # fmt: skip
    assert out.returncode == 0, f"{cmd}: {out.stdout}\n{out.stderr}"
    return out.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel and the sdist from a copy of the checkout (offline, no build isolation)."""
    tmp = tmp_path_factory.mktemp("dist")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=_JUNK, symlinks=True)
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", tmp, src, cwd=tmp)  # fmt: skip
    _run(sys.executable, "-c", f"from setuptools import build_meta; build_meta.build_sdist({str(tmp)!r})",
         cwd=src)  # fmt: skip
    return tmp


@pytest.fixture(scope="module")
def installed(dist: Path) -> Path:
    """Install the wheel (without dependencies, which the test's own environment provides)."""
    site = dist / "site"
    wheel = next(dist.glob("glossator-*.whl"))
    _run(sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", site,
         wheel, cwd=dist)  # fmt: skip
    return site


def _outside(site: Path, tmp_path: Path) -> tuple[dict[str, str], Path]:
    """An environment that imports Glossator from ``site`` only, and a working folder outside it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(site)
    work = tmp_path / "work"
    work.mkdir()
    return env, work


@pytest.mark.slow
def test_wheel_carries_every_module_the_resources_and_the_licence(dist: Path) -> None:
    names = set(zipfile.ZipFile(next(dist.glob("glossator-*.whl"))).namelist())
    modules = {p.relative_to(ROOT).as_posix() for pkg in ("tei", "annotator")
               for p in (ROOT / pkg).rglob("*.py")}  # fmt: skip
    assert modules - names == set()
    resources = {"glossator_resources/" + p.relative_to(ROOT / "resources").as_posix()
                 for p in (ROOT / "resources").rglob("*") if p.suffix in (".xml", ".md", ".py")}
    assert "glossator_resources/taxonomy/source-criticism.xml" in resources
    assert resources - names == set()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(next(dist.glob("glossator-*.whl"))).read(meta).decode()
    assert "License-Expression: MIT" in text


@pytest.mark.slow
def test_sdist_carries_the_sources_licence_and_citation(dist: Path) -> None:
    with tarfile.open(next(dist.glob("glossator-*.tar.gz"))) as tar:
        names = {n.partition("/")[2] for n in tar.getnames()}
    for name in ("LICENSE", "CITATION.cff", "pyproject.toml", "README.md", "tei/cli.py",
                 "annotator/__main__.py", "resources/taxonomy/source-criticism.xml",
                 "resources/samples/soviet-aid-to-china.xml"):  # fmt: skip
        assert name in names


@pytest.mark.slow
def test_installed_wheel_runs_stats_on_its_bundled_sample(installed: Path, tmp_path: Path) -> None:
    env, work = _outside(installed, tmp_path)
    where = _run(sys.executable, "-c", "import tei, tei.resources as r; print(tei.__file__); "
                 "print(r.SAMPLE)", cwd=work, env=env).split("\n")  # fmt: skip
    assert Path(where[0]).is_relative_to(installed)
    sample = Path(where[1])
    assert sample.is_relative_to(installed / "glossator_resources")
    stats = json.loads(_run(installed / "bin" / "glossator", "stats", sample, "--json", cwd=work,
                            env=env))  # fmt: skip
    assert stats["notes"] == 49 and stats["pages"] == 9
    annotated = json.loads(_run(installed / "bin" / "glossator", "stats", "--json",
                                sample.with_name(ANNOTATED), cwd=work, env=env))  # fmt: skip
    assert annotated["annotations"] == 13 and annotated["orphans"] == 0


@pytest.mark.slow
def test_installed_wheel_annotates_and_saves_with_its_default_taxonomy(
    installed: Path, tmp_path: Path
) -> None:
    env, work = _outside(installed, tmp_path)
    script = (
        "import shutil, tei, tei.resources as r\n"
        "shutil.copy(r.SAMPLE, 'mine.xml')\n"
        "doc = tei.load('mine.xml')\n"
        "b = doc.text.blocks[0]\n"
        "doc.add_annotation(doc.target_for(0, 0, 0, len(b.reading)), 'gl-question')\n"
        "doc.save()\n"
        "again = tei.load('mine.xml')\n"
        "print(len(again.annotations()), again.taxonomy.label('gl-question'))\n"
    )
    out = _run(sys.executable, "-c", script, cwd=work, env=env)
    count, label = out.split(maxsplit=1)
    assert int(count) >= 1 and label.strip()


def test_citation_cff_is_complete_and_matches_the_version() -> None:
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    version = re.search(r'^version = "(.+)"', (ROOT / "pyproject.toml").read_text(), re.M)
    assert version
    for key in ("cff-version: 1.2.0", "message: ", "title: ", "authors:",
                f'version: "{version.group(1)}"', "license: MIT"):  # fmt: skip
        assert re.search("^" + re.escape(key), text, re.M), key
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")


def _marks(doc: tei.TeiDocument) -> list[tuple[str, str, str]]:
    """(category, marked text, notes) of every annotation, in document order."""
    out = []
    for a in doc.annotations():
        (r,) = doc.resolve(a.target)
        assert r.ok, a.target
        text = "|".join(doc.text.blocks[b].reading[p0:p1]
                        for b, p0, p1 in doc.text.blocks_between(r.start, r.end))  # fmt: skip
        out.append((a.category, text, " ".join(a.note)))
    return sorted(out)


def test_annotated_sample_is_the_script_output_on_the_plain_sample(tmp_path: Path) -> None:
    shipped = tei.load(SAMPLES / ANNOTATED)
    plain = tei.load(SAMPLES / "soviet-aid-to-china.xml")
    assert [b.reading for b in shipped.text.blocks] == [b.reading for b in plain.text.blocks]
    fresh = tmp_path / "fresh.xml"
    _run(sys.executable, ROOT / "tools" / "annotate_sample.py", fresh, cwd=tmp_path)
    assert len(shipped.annotations()) == 13
    assert _marks(shipped) == _marks(tei.load(fresh)), (
        "resources/samples/soviet-aid-to-china-annotated.xml is stale: regenerate it "
        "(resources/samples/README.md)"
    )
    report = validate(shipped)
    assert report.ok and not report.problems, report.format_text(ANNOTATED)


def _has_cjk_font() -> bool:
    """Tell whether fontconfig knows a Chinese font (Debian: fonts-noto-cjk, from tools/setup.sh)."""
    if shutil.which("fc-list"):
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
        return bool(out.stdout.strip())
    return any(Path("/usr/share/fonts").rglob("*CJK*"))


@pytest.mark.slow
def test_pdf_of_the_annotated_sample_keeps_its_chinese_characters(tmp_path: Path) -> None:
    if not _has_cjk_font():
        pytest.skip("no CJK font installed (tools/setup.sh installs fonts-noto-cjk)")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed")
    out = tmp_path / "sample.pdf"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    _run(sys.executable, "-m", "annotator", "export", SAMPLES / ANNOTATED, "--to", "pdf", "-o", out,
         cwd=tmp_path, env=env)  # fmt: skip
    text = _run("pdftotext", "-raw", out, "-", cwd=tmp_path)  # content order: CJK glyphs of another font sit apart in the layout
    assert "Dutu gongsi (督辦公司)" in text
