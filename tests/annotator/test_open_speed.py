"""Foreground or background by the expected time of an open (learnt on this machine), not by bytes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from annotator import settings
from annotator.main_window import MainWindow


def _big(tmp_path: Path, paragraphs: int = 3000) -> Path:
    body = "".join(f"<p>Paragraph {i} of a long transcription, with enough words to lay out.</p>"
                   for i in range(paragraphs))  # fmt: skip
    path = tmp_path / "long.xml"
    path.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>L'
                    "</title></titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/>"
                    f"</sourceDesc></fileDesc></teiHeader><text><body>{body}</body></text></TEI>")  # fmt: skip
    assert path.stat().st_size > 200_000
    return path


def _open_with_ctrl_o(qtbot, window: MainWindow, path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)


def test_a_file_expected_to_be_slow_opens_in_the_background(window, qtbot, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    path = _big(tmp_path)
    settings.put("files/open_bytes_per_second", 50_000.0)  # a slow machine: seconds for this file
    _open_with_ctrl_o(qtbot, window, path, monkeypatch)
    assert window.progress.isVisible() and not window.view.isEnabled()  # the window stays live
    qtbot.waitUntil(lambda: window.session.path == str(path), timeout=20000)
    assert window.view.isEnabled() and not window.progress.isVisible()
    learnt = settings.get("files/open_bytes_per_second")
    assert learnt > 50_000.0  # this machine is faster than assumed: the estimate moves toward it


def test_the_same_file_on_a_fast_machine_opens_at_once(window, qtbot, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    path = _big(tmp_path)
    settings.put("files/open_bytes_per_second", 500_000_000.0)
    _open_with_ctrl_o(qtbot, window, path, monkeypatch)
    assert window.session.path == str(path)  # opened in the foreground, before the key returned
    assert not window.progress.isVisible()
    assert settings.get("files/open_bytes_per_second") < 500_000_000.0  # learnt from the real open
