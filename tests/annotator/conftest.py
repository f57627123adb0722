"""GUI test fixtures: isolated settings and recovery folder, frozen time, patched modal dialogs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLE = ROOT / "resources" / "samples" / "soviet-aid-to-china.xml"
FROZEN = "2025-01-01T00:00:00Z"


def sample_source() -> Path:
    """Return the bundled sample, or a corpus file if it is missing."""
    if SAMPLE.is_file():
        return SAMPLE
    fallback = CORPUS / "tei-p5-test__tei_lite.xml"
    if not fallback.is_file():
        pytest.skip("no sample document available")
    return fallback


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp):  # noqa: ANN001, ANN201
    """Isolate settings, the recovery folder and modal dialogs; freeze annotation times."""
    from PySide6.QtCore import QSettings, QStandardPaths
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    import tei.annotations
    import tei.document
    from annotator import errors, recovery

    QStandardPaths.setTestModeEnabled(True)
    settings_dir = tmp_path / "settings"
    settings_dir.mkdir()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(settings_dir))
    rec_dir = tmp_path / "recovery"
    rec_dir.mkdir()
    monkeypatch.setattr(recovery, "recovery_dir", lambda: str(rec_dir))
    monkeypatch.setattr(tei.annotations, "now_iso", lambda: FROZEN)
    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.StandardButton.Discard)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    errors.history.clear()
    yield tmp_path


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """Return a writable copy of the sample document."""
    dst = tmp_path / "sample.xml"
    shutil.copy(sample_source(), dst)
    return dst


@pytest.fixture
def window(qtbot, sample_copy: Path):  # noqa: ANN001, ANN201
    """Return a shown main window with the sample copy open and a fixed identity and clock."""
    from annotator.main_window import MainWindow

    w = MainWindow(str(sample_copy))
    w.session.set_identity("Test Historian")
    w.session.clock = lambda: FROZEN
    qtbot.addWidget(w)
    w.resize(1300, 850)
    w.show()
    qtbot.waitExposed(w)
    return w


def select_words(window, block: int, start: int, end: int) -> None:  # noqa: ANN001
    """Select reading offsets [start, end) of a block in the document view."""
    window.view.select_reading(block, start, block, end)


def first_paragraph(window) -> int:  # noqa: ANN001
    """Return the index of the first non-note block with some text."""
    for i, b in enumerate(window.session.doc.text.blocks):
        if not b.is_note and len(b.reading) > 60:
            return i
    raise AssertionError("no paragraph")


def into_own_footnote(doc) -> tuple[int, int, int, int]:  # noqa: ANN001
    """Return a selection from late in a paragraph into a footnote anchored earlier in it."""
    for i, b in enumerate(doc.text.blocks[:-1]):
        note = doc.text.blocks[i + 1]
        if not b.is_note and note.is_note and note.start < b.start + len(b.reading) - 20:
            return i, len(b.reading) - 5, i + 1, 5
    raise AssertionError("no paragraph with a footnote")
