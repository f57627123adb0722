"""``glossator`` without a file opens the bundled annotated sample, annotations included."""

from __future__ import annotations

from pathlib import Path

import pytest

import annotator.main_window
from annotator.__main__ import main
from tei.resources import ANNOTATED_SAMPLE


def test_start_without_a_file_opens_the_annotated_sample(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[annotator.main_window.MainWindow] = []

    class Recorded(annotator.main_window.MainWindow):
        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            super().__init__(*args, **kwargs)
            opened.append(self)

    monkeypatch.setattr(annotator.main_window, "MainWindow", Recorded)
    before = ANNOTATED_SAMPLE.read_bytes()
    out = tmp_path / "shot.png"
    assert main(["--screenshot", str(out)]) == 0
    assert out.stat().st_size > 10_000
    (window,) = opened
    assert Path(window.session.path) == ANNOTATED_SAMPLE
    assert len(window.session.doc.annotations()) == 13
    assert window.table_model.rowCount() == 13
    assert ANNOTATED_SAMPLE.read_bytes() == before  # looking is not saving
