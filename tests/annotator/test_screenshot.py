"""``glossator FILE --screenshot OUT.png`` grabs the window once the whole text is laid out."""

from __future__ import annotations

from pathlib import Path

import pytest

import annotator.main_window
from annotator.__main__ import main
from annotator.document_view import PROGRESSIVE_BLOCKS


def test_screenshot_of_a_long_document_waits_for_the_whole_text(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    opened: list[annotator.main_window.MainWindow] = []

    class Recorded(annotator.main_window.MainWindow):
        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            super().__init__(*args, **kwargs)
            opened.append(self)

    monkeypatch.setattr(annotator.main_window, "MainWindow", Recorded)
    n = PROGRESSIVE_BLOCKS + 300  # long enough to be shown a first screenful first
    paras = "".join(f'<pb n="{k}"/><p>Paragraph {k} of the long text.</p>' for k in range(n))
    path = tmp_path / "long.xml"
    path.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>L'
                    "</title></titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/>"
                    f"</sourceDesc></fileDesc></teiHeader><text><body>{paras}</body></text></TEI>",
                    encoding="utf-8")  # fmt: skip
    out = tmp_path / "shot.png"
    assert main([str(path), "--screenshot", str(out)]) == 0
    assert out.stat().st_size > 10_000
    (window,) = opened
    view = window.view
    assert view.shown_map is not None and view.shown_map.complete
    assert f"Paragraph {n - 1} of the long text." in view.toPlainText()
    assert f"{n:,} pages" in window.stats_label.text()  # the navigation was filled in too
