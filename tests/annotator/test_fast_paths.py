"""The shortcuts taken for speed (issue 8) change nothing that can be seen: the command line as a
process, the file loaded while Qt is imported, the complete display map grown from the first
screenful's."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

import tei
from annotator import preload
from annotator.__main__ import main
from annotator.display import DisplayMap

from .conftest import CORPUS, sample_source

ROOT = Path(__file__).resolve().parents[2]


def _program(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``glossator ARGS`` as the console script does (``main()`` reading ``sys.argv``)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "annotator", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_a_command_as_the_program_prints_everything_and_exits_with_its_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = str(sample_source())
    assert main(["stats", doc, "--json"]) == 0
    expected = capsys.readouterr().out
    done = _program("stats", doc, "--json", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, expected, "")
    out = tmp_path / "out.html"
    done = _program("export", doc, "--to", "html", "-o", str(out), cwd=tmp_path)
    assert done.returncode == 0 and out.read_text(encoding="utf-8").rstrip().endswith("</html>")
    missing = _program("stats", str(tmp_path / "missing.xml"), cwd=tmp_path)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_a_command_called_in_process_leaves_the_garbage_collector_on(tmp_path: Path) -> None:
    assert gc.isenabled()
    assert main(["stats", str(sample_source())]) == 0
    assert gc.isenabled()


def test_a_file_loaded_in_advance_is_the_file_opened(tmp_path: Path) -> None:
    path = tmp_path / "doc.xml"
    path.write_bytes(sample_source().read_bytes())
    preload.start(str(path))
    doc = preload.load(str(tmp_path / "." / "doc.xml"))  # the same file, however it is named
    assert doc.path == str(path) and doc.to_bytes() == tei.load(path).to_bytes()
    again = preload.load(str(path))  # taken once: a later open reads the file again
    assert again is not doc and again.to_bytes() == doc.to_bytes()


def test_a_file_that_cannot_be_loaded_in_advance_fails_as_it_would_have(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text("<TEI><text>unclosed", encoding="utf-8")
    with pytest.raises(tei.TeiError) as direct:
        tei.load(path)
    preload.start(str(path))
    with pytest.raises(type(direct.value)) as ahead:
        preload.load(str(path))
    assert str(ahead.value) == str(direct.value)


@pytest.mark.parametrize("name", ["sample", "dingler__pj254.xml", "eltec-eng__ENG18570_Bronte_level2.xml"])
def test_a_first_screenful_completed_is_the_whole_map(name: str) -> None:
    path = sample_source() if name == "sample" else CORPUS / name
    if not path.is_file():
        pytest.skip(f"{name} is not in the corpus")
    doc = tei.load(path)
    part = DisplayMap(doc, first_chars=2000)
    assert not part.complete and 0 < len(part.blocks)
    part.complete_all()
    whole = DisplayMap(tei.load(path))
    assert part.complete and part.text() == whole.text()
    assert (part.starts, part.qt_block_of, part.length) == (whole.starts, whole.qt_block_of, whole.length)
    assert [(db.index, db.qlen, [(r.reading, r.start, r.text, r.kind, r.note_block) for r in db.runs])
            for db in part.blocks] == [(db.index, db.qlen, [(r.reading, r.start, r.text, r.kind, r.note_block)
                                                           for r in db.runs]) for db in whole.blocks]  # fmt: skip


def test_the_rest_of_a_long_text_arrives_without_moving_the_selection(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from annotator.document_view import PROGRESSIVE_BLOCKS
    from annotator.main_window import MainWindow

    n = PROGRESSIVE_BLOCKS + 40
    body = "".join(f"<p>Line {k} of a text long enough to fill more than one screen.</p>" for k in range(n))
    doc = tei.TeiDocument.from_bytes(
        ('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader/><text><body><head>The title</head>'
         f"{body}</body></text></TEI>").encode())  # fmt: skip
    window = MainWindow(None)
    qtbot.addWidget(window)
    view = window.view
    view.set_document(doc)
    assert not view.shown_map.complete
    view.setFocus()
    for _ in range(9):
        QTest.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.textCursor().selectedText() == "The title"
    heading = [f.format.fontWeight() for f in view.document().firstBlock().layout().formats()]
    assert heading  # the title is set in bold
    view.map  # noqa: B018 - asking for the map brings the rest of the text
    assert view.shown_map.complete
    assert view.textCursor().selectedText() == "The title"
    assert view.document().toPlainText().split("\n") == [db.text for db in view.shown_map.blocks]
    assert [f.format.fontWeight() for f in view.document().firstBlock().layout().formats()] == heading
    last = view.map.reading_to_qt(len(doc.text.blocks) - 1, 0)
    assert view.document().findBlock(last).text().startswith(f"Line {n - 1} of")


def test_the_app_collects_garbage_again_once_the_text_is_shown(tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    assert main([str(sample_source()), "--screenshot", str(out)]) == 0
    assert out.is_file() and gc.isenabled()
