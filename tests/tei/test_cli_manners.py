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
