"""The library must stay usable without Qt: importing it must not load PySide6."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
