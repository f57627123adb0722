"""The library as a script uses it: wrong offsets, categories and targets fail at the call, and the
examples of the README and of ``tei``'s docstring run on the bundled sample."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tei

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "samples" / "soviet-aid-to-china.xml"


def code_blocks(text: str, lang: str = "python") -> list[str]:
    """Return the fenced code blocks of a Markdown text written in ``lang``."""
    return re.findall(rf"^```{lang}\n(.*?)^```", text, flags=re.S | re.M)


def run_script(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with this checkout's ``tei`` (cwd has the sample)."""
    sample = cwd / "resources" / "samples"
    sample.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE, sample / SAMPLE.name)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip


def check_annotated(path: Path) -> None:
    """The script's output has one valid annotation on the passage it meant."""
    doc = tei.load(str(path))
    [ann] = doc.annotations()
    assert ann.target == "#string-range(p2,39,13)" and ann.quote == "July 25, 1919"
    assert tei.validate(doc).ok if hasattr(tei, "validate") else True


def test_readme_library_example_runs_on_the_sample(tmp_path):
    section = (ROOT / "README.md").read_text("utf-8").split("## The `tei` library", 1)[1]
    [code] = code_blocks(section.split("\n## ", 1)[0])
    proc = run_script(code, tmp_path)
    assert proc.returncode == 0, proc.stderr
    check_annotated(tmp_path / "annotated.xml")


def test_package_docstring_example_runs_on_the_sample(tmp_path):
    doc = tei.__doc__ or ""
    code = "\n".join(line[4:] for line in doc.split("::", 1)[1].splitlines() if line.strip())
    proc = run_script(code, tmp_path)
    assert proc.returncode == 0, proc.stderr
    check_annotated(tmp_path / "annotated.xml")


# -- mistakes fail at the call ----------------------------------------------------------------
@pytest.fixture
def doc():
    return tei.load(str(SAMPLE))


@pytest.mark.parametrize("sel", [(3, 10, 3, 25), (3, 18, 3, 18), (1, -1, 1, 4), (1, 0, 99, 0),
                                 (-1, 0, -1, 3), (0, 0, 1, 99999)])  # fmt: skip
def test_target_for_refuses_offsets_outside_the_text(doc, sel):
    with pytest.raises(tei.PointerError):
        doc.target_for(*sel)
    assert doc.added_ids() == {}


def test_target_for_accepts_a_whole_block(doc):
    n = len(doc.text.blocks[3].reading)
    assert doc.target_for(3, 0, 3, n) == f"#string-range(fn2,0,{n})"


@pytest.mark.parametrize("target", ["#string-range(fn2,10,8)", "#no-such-id", "#string-range(p2,0",
                                    "#teiHeader", "#string-range(p2,3,4) #missing"])  # fmt: skip
def test_add_annotation_refuses_a_target_that_points_nowhere(doc, target):
    with pytest.raises(tei.PointerError, match="does not point into the text"):
        doc.add_annotation(target, "gl-comment")
    assert doc.annotations() == []


def test_add_annotation_refuses_an_unknown_category(doc):
    with pytest.raises(tei.AnnotationError, match="unknown category 'gl-coment'.*gl-comment"):
        doc.add_annotation("#string-range(p2,39,13)", "gl-coment")
    assert doc.annotations() == []
    assert doc.add_annotation("#string-range(p2,39,13)", "gl-comment").quote == "July 25, 1919"
