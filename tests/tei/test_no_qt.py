"""The library must stay usable without Qt: importing it must not load PySide6."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_import_tei_does_not_load_qt_or_the_app() -> None:
    code = (
        "import sys, tei, tei.document, tei.textmodel, tei.pointers, tei.annotations\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'annotator'))]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_no_module_in_tei_imports_qt() -> None:
    offenders = []
    for path in (ROOT / "tei").rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith(("import PySide6", "from PySide6", "import annotator",
                                    "from annotator")):  # fmt: skip
                offenders.append(f"{path.name}: {stripped}")
    assert offenders == []


# Runs ``annotator.__main__.main`` (the ``glossator`` entry point) with PySide6 unimportable, and
# prints every attempt to import it on stderr: the CLI must neither need Qt nor try to load it.
_BLOCKED_MAIN = """
import sys

class _NoQt:
    def find_spec(self, name, path=None, target=None):
        if name.partition('.')[0] in ('PySide6', 'shiboken6'):
            print('QT-IMPORT-ATTEMPT ' + name, file=sys.stderr)
            raise ImportError('PySide6 is not installed (blocked by the test)')
        return None

sys.meta_path.insert(0, _NoQt())
from annotator.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


def _glossator_without_qt(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", _BLOCKED_MAIN, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


@pytest.mark.parametrize(
    "command",
    [["stats"], ["stats", "--json"], ["validate"], ["export", "--to", "html", "-o", "out.html"],
     ["export", "--to", "csv", "-o", "out.csv"]],  # fmt: skip
)
def test_cli_commands_run_with_pyside6_unimportable(command: list[str], tmp_path: Path) -> None:
    doc = ROOT / "resources" / "samples" / "soviet-aid-to-china.xml"
    out = _glossator_without_qt(command[0], str(doc), *command[1:], cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "QT-IMPORT-ATTEMPT" not in out.stderr
    if command[0] == "export":
        assert (tmp_path / command[-1]).read_text(encoding="utf-8").strip()
    else:
        assert out.stdout.strip()  # the report or the statistics


def test_pdf_export_needs_no_qt(tmp_path: Path) -> None:
    """The PDF is printed by headless Chromium from the HTML edition: no Qt is loaded for it."""
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (tools/setup.sh installs it)")
    doc = ROOT / "resources" / "samples" / "soviet-aid-to-china.xml"
    out = _glossator_without_qt("export", str(doc), "--to", "pdf", "-o", "out.pdf", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "QT-IMPORT-ATTEMPT" not in out.stderr and "Traceback" not in out.stderr
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")


def test_unknown_format_lists_pdf_without_loading_qt(tmp_path: Path) -> None:
    doc = ROOT / "resources" / "samples" / "soviet-aid-to-china.xml"
    out = _glossator_without_qt("export", str(doc), "--to", "nope", "-o", "x", cwd=tmp_path)
    assert out.returncode == 2
    assert "pdf" in out.stderr  # the unknown-format message lists the lazily registered format
    assert "QT-IMPORT-ATTEMPT" not in out.stderr
