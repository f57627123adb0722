"""The notes pane names each note by its page or section, in tight one-line rows."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from annotator.main_window import MainWindow

from .conftest import CORPUS

HEAD = ('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>T</title></titleStmt>'
        "<publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc></teiHeader><text><body>")
BY_SECTION = HEAD + (
    '<div><head>Act I</head><p>Alpha beta<note n="1">The first act has a note.</note> gamma.</p></div>'
    '<div><head>Act II</head><p>Delta<note n="1">The second act has one too.</note> epsilon.</p></div>'
    "</body></text></TEI>")  # fmt: skip
BY_PAGE = HEAD + (
    '<p><pb n="75"/>Alpha beta<note n="1">A note on page 75.</note> gamma.</p>'
    '<p><pb n="76"/>Delta<note n="1">A note on page 76.</note> epsilon.</p>'
    "</body></text></TEI>")  # fmt: skip
DINGLER = CORPUS / "dingler__pj254.xml"


def _open(qtbot, path: Path) -> MainWindow:  # noqa: ANN001
    w = MainWindow(str(path))
    qtbot.addWidget(w)
    w.resize(1300, 850)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.notes_pane.count() > 0)
    w.notes_dock.raise_()
    qtbot.wait(50)
    return w


def _rows(w: MainWindow) -> list[str]:
    return [w.notes_pane.item(i).text() for i in range(w.notes_pane.count())]


@pytest.mark.parametrize(("xml", "expected"), [(BY_SECTION, ["§ Act I · n. 1", "§ Act II · n. 1"]),
                                               (BY_PAGE, ["p. 75 · n. 1", "p. 76 · n. 1"])])  # fmt: skip
def test_notes_numbered_anew_are_told_apart_by_section_or_page(qtbot, tmp_path: Path, xml: str,
                                                               expected: list[str]) -> None:  # noqa: ANN001
    doc = tmp_path / "doc.xml"
    doc.write_text(xml, encoding="utf-8")
    w = _open(qtbot, doc)
    rows = _rows(w)
    assert [r.split("   ")[0] for r in rows] == expected, rows
    assert "The" in rows[0] or "A note" in rows[0]
    qtbot.mouseClick(w.notes_pane.viewport(), Qt.MouseButton.LeftButton,
                     pos=w.notes_pane.visualItemRect(w.notes_pane.item(1)).center())  # fmt: skip
    block = w.view.map.qt_to_reading(w.view.textCursor().position())[0]
    assert "Delta" in w.session.doc.text.blocks[block].reading  # the second note's callout


@pytest.mark.skipif(not DINGLER.is_file(), reason="no corpus")
def test_rows_are_tight_and_say_where_each_note_is(qtbot) -> None:  # noqa: ANN001
    w = _open(qtbot, DINGLER)
    pane = w.notes_pane
    rows = _rows(w)
    places = [r.split("   ")[0] for r in rows]
    numbers = Counter(p.split(" · ")[-1] for p in places)
    assert numbers["n. 1"] > 10  # the source numbers its notes anew in each article
    assert len(set(places)) >= len(places) - 2, Counter(places).most_common(3)  # yet they differ
    line = pane.fontMetrics().lineSpacing()
    for width in (250, 500):  # a narrow and a widened pane: no blank gaps between entries
        w.resizeDocks([w.notes_dock], [width], Qt.Orientation.Horizontal)
        qtbot.wait(50)
        rects = [pane.visualItemRect(pane.item(i)) for i in range(12)]
        assert all(r.height() <= 2 * line for r in rects), [r.height() for r in rects]
        assert all(b.top() - a.bottom() <= 2 for a, b in zip(rects, rects[1:], strict=False))
        assert all(r.right() <= pane.viewport().width() for r in rects)  # elided, not scrolled sideways
        assert not pane.horizontalScrollBar().isVisible()
    img = pane.viewport().grab().toImage()  # the rows fill the pane: ink in every 2 lines' band
    band = 2 * line
    for top in range(0, min(img.height(), 12 * rects[0].height()) - band, band):
        ink = {img.pixel(x, y) for y in range(top, top + band) for x in range(0, img.width(), 3)}
        assert len(ink) > 3, f"a blank band at y={top}"
