"""Opening a long text: what the first screenful and the complete layout do not wait for is
still filled in, correctly, when the user looks at it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from annotator.document_view import PROGRESSIVE_BLOCKS
from annotator.main_window import MainWindow
from annotator.models import ID_ROLE

HEAD = ('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>L</title>'
        "</titleStmt><publicationStmt><p/></publicationStmt><sourceDesc>"
        '<bibl xml:id="src-1"><author>Smith, J.</author> <title>Aid and Trade</title> <date>1985</date></bibl>'
        "</sourceDesc></fileDesc></teiHeader><text><body>")  # fmt: skip
SECTIONS = 4


def _long(tmp_path: Path) -> Path:
    """Write a text of more blocks than are shown at once: sections, page breaks, footnotes."""
    per = PROGRESSIVE_BLOCKS // SECTIONS + 100
    parts = []
    for s in range(SECTIONS):
        parts.append(f"<div><head>Section {s}</head>")
        for k in range(per):
            n = s * per + k
            note = f'<note n="{n}">Footnote of paragraph {n}.</note>' if k % 100 == 0 else ""
            parts.append(f'<pb n="{n}"/><p>Paragraph {n} of the long text{note}, with words to read.</p>')
        parts.append("</div>")
    path = tmp_path / "long.xml"
    path.write_text(HEAD + "".join(parts) + "</body></text></TEI>", encoding="utf-8")
    return path


def _outline(window: MainWindow) -> dict[str, list[str]]:
    model = window.outline_model
    out = {}
    for r in range(model.rowCount()):
        top = model.item(r)
        out[top.text()] = [top.child(c).text() for c in range(top.rowCount())]
    return out


def test_the_navigation_panes_of_a_long_text_fill_in_after_its_complete_layout(qtbot, tmp_path) -> None:  # noqa: ANN001
    path = _long(tmp_path)
    window = MainWindow(str(path))
    qtbot.addWidget(window)
    window.persist_layout = False
    view = window.view
    assert not view.shown_map.complete  # a first screenful: the rest after the first paint
    at_complete = []
    view.display_completed.connect(lambda: at_complete.append((window.outline_model.rowCount(),
                                                               window.notes_pane.count())))
    with qtbot.waitSignal(view.display_completed, timeout=20_000):
        window.show()
    assert at_complete == [(0, 0)]  # the whole text was laid out without waiting for the panes

    qtbot.waitUntil(lambda: window.notes_pane.count() > 0, timeout=10_000)
    doc = window.session.doc
    per = PROGRESSIVE_BLOCKS // SECTIONS + 100
    pages = SECTIONS * per
    outline = _outline(window)
    assert outline["Contents"] == [f"Section {s}" for s in range(SECTIONS)]
    assert len(outline[f"Pages ({pages})"]) == pages and outline[f"Pages ({pages})"][-1] == f"Page {pages - 1}"
    notes = [b for b in doc.text.blocks if b.is_note]
    assert window.notes_pane.count() == len(notes) == SECTIONS * ((per + 99) // 100)
    assert "Footnote of paragraph 100." in window.notes_pane.item(1).text()
    sources = window.sources_panel.model
    assert sources.item(0).text() == "Bibliography (1)" and "Smith" in sources.item(0).child(0).text()
    assert sources.item(1).text() == f"Footnotes of the document ({len(notes)})"
    assert f"{pages:,} pages" in window.stats_label.text()


def test_a_short_text_has_its_panes_filled_when_the_window_is_made(qtbot, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "short.xml"
    path.write_text(HEAD + '<div><head>Only</head><p><pb n="1"/>Text<note n="1">A note.</note> here.</p></div>'
                    "</body></text></TEI>", encoding="utf-8")  # fmt: skip
    window = MainWindow(str(path))  # no event loop has run yet
    qtbot.addWidget(window)
    window.persist_layout = False
    assert _outline(window) == {"Contents": ["Only"], "Pages (1)": ["Page 1"]}
    assert window.notes_pane.count() == 1 and window.sources_panel.model.item(0).text() == "Bibliography (1)"


def test_the_list_filter_finds_an_annotation_by_the_source_it_cites_after_opening(qtbot, tmp_path) -> None:  # noqa: ANN001
    import tei
    from tei.annotations import SourceLink

    path = tmp_path / "cited.xml"
    path.write_text(HEAD + '<p xml:id="p1">Alpha beta gamma.</p><p xml:id="p2">Delta epsilon.</p>'
                    "</body></text></TEI>", encoding="utf-8")  # fmt: skip
    doc = tei.load(str(path))
    doc.add_annotation(doc.target_for(0, 0, 0, 5), "gl-comment").source_link = SourceLink(source="src-1")
    doc.add_annotation(doc.target_for(1, 0, 1, 5), "gl-comment")
    doc.save(str(path))
    window = MainWindow(str(path))
    qtbot.addWidget(window)
    window.persist_layout = False
    window.show()
    window.list_dock.raise_()
    qtbot.waitExposed(window)
    qtbot.mouseClick(window.filter_edit, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(window.filter_edit, "aid and trade")  # the cited source's title, not its id
    qtbot.waitUntil(lambda: window.filter_model.rowCount() == 1)
    shown = window.filter_model.index(0, 0).data(ID_ROLE)
    assert window.session.doc.annotation(shown).cited_sources() == ["src-1"]


def test_the_app_started_from_the_command_line_is_styled(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    from PySide6.QtGui import QColor, QImage

    import annotator.main_window
    from annotator.__main__ import main

    opened = []

    class Recorded(annotator.main_window.MainWindow):
        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            super().__init__(*args, **kwargs)
            opened.append(self)

    monkeypatch.setattr(annotator.main_window, "MainWindow", Recorded)
    path = tmp_path / "short.xml"
    path.write_text(HEAD + "<p>Some text.</p></body></text></TEI>", encoding="utf-8")
    out = tmp_path / "shot.png"
    assert main([str(path), "--screenshot", str(out)]) == 0
    (window,) = opened
    shot = QImage(str(out))
    title = window.outline_dock.geometry().topLeft()  # the style sheet's dock title colour
    assert QColor(shot.pixel(title.x() + 60, title.y() + 3)).name() == "#e9e5dc"


def test_page_breaks_between_blocks_far_past_the_first_screenful_are_shown() -> None:
    import tei
    from annotator.display import DisplayMap

    parts = []
    for k in range(1200):  # page breaks between divisions, before blocks far apart
        if k % 290 == 0:
            parts.append(f'</div><pb n="{k // 290 + 1}"/><div>' if k else '<pb n="1"/><div>')
        parts.append(f"<p>Paragraph {k}.</p>")
    doc = tei.TeiDocument.from_bytes((HEAD + "".join(parts) + "</div></body></text></TEI>").encode())
    part = DisplayMap(doc, first_chars=100)
    assert not part.complete and "[2]" not in part.text()
    part.complete_all()
    whole = DisplayMap(doc)
    assert part.text() == whole.text() and (part.starts, part.length) == (whole.starts, whole.length)
    marks = [(db.index, r.text) for db in part.blocks for r in db.runs if r.kind == "pb"]
    assert marks == [(k, f"[{k // 290 + 1}] ") for k in range(0, 1200, 290)]


@pytest.mark.parametrize("text", [
    "plain ASCII", "Crème brûlée — “quoted”", "Кириллица and Ԁ (U+0500) and Armenian Աբ", "ﬁne ligature ﬂ",
    "Hebrew שלום inside", "Arabic سلام", "presentation ﻷ form", "Syriac ܐ", "astral 𝔄 and 😀 only",
    "\ufeffBOM", "\u05ff edge", "\u058f just below", "\ufb1c below", "\ufb1d Hebrew yod",
    "\ufefc last", "\ufefd after",
])  # fmt: skip
def test_right_to_left_text_is_told_as_the_pattern_tells_it(text: str) -> None:
    from annotator.document_view import _RTL, has_rtl

    assert has_rtl(text) is (_RTL.search(text) is not None)
    assert has_rtl("a" * 100_000 + text) is (_RTL.search(text) is not None)


def test_a_long_text_opened_right_after_another_is_still_shown_a_screenful_first(qtbot, tmp_path) -> None:  # noqa: ANN001
    first = _long(tmp_path)
    second = tmp_path / "second.xml"
    second.write_text(first.read_text(encoding="utf-8").replace("Section ", "Part "), encoding="utf-8")
    window = MainWindow(str(first))
    qtbot.addWidget(window)
    window.persist_layout = False
    assert window.view.map.complete  # laid out whole on demand: the panes are due next turn
    assert window.open_path(str(second), background=False)  # before that turn came
    assert not window.view.shown_map.complete  # the second text: its first screenful only, as ever
    with qtbot.waitSignal(window.view.display_completed, timeout=20_000):
        window.show()
    qtbot.waitUntil(lambda: _outline(window).get("Contents", [""])[0] == "Part 0", timeout=10_000)
    assert _outline(window)["Contents"] == [f"Part {s}" for s in range(SECTIONS)]
