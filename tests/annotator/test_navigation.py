"""Finding one's way: Go to page offers the page names and brings the marker to the top."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog


def test_go_to_page_offers_the_pages_and_brings_the_marker_to_the_top(window, qtbot, monkeypatch) -> None:  # noqa: ANN001
    """Ctrl+G lists the document's page names with their range; the chosen marker opens the view."""
    pages = window.view.map.pages()
    assert len(pages) > 3
    asked: list[tuple[str, list[str], bool]] = []
    target = pages[len(pages) // 2]

    def choose(_parent, _title, label, items, _current=0, editable=True, *args, **kwargs):  # noqa: ANN001, ANN202
        asked.append((label, list(items), editable))
        return target[0], True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(choose))
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert asked, "Ctrl+G did not ask for a page"
    label, items, editable = asked[0]
    assert items == [p[0] for p in pages] and editable
    assert f"{pages[0][0]}–{pages[-1][0]}" in label
    view = window.view
    marker = view.map.reading_to_qt(target[1], target[2])
    assert view.textCursor().position() == marker
    from PySide6.QtGui import QTextCursor

    cur = QTextCursor(view.document())
    cur.setPosition(marker)
    top = view.cursorRect(cur).top()
    assert 0 <= top < view.viewport().height() * 0.15, (top, view.viewport().height())


def test_go_to_page_in_a_document_without_pages_says_so(qtbot, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """No page markers: nothing to choose, a status line instead of an empty dialog."""
    from annotator.main_window import MainWindow

    path = tmp_path / "nopages.xml"
    path.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>T'
                    "</title></titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/>"
                    "</sourceDesc></fileDesc></teiHeader><text><body><p>Only one paragraph.</p>"
                    "</body></text></TEI>")  # fmt: skip
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *a, **k: pytest.fail("asked")))
    w = MainWindow(str(path))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    shown: list[str] = []
    w.statusBar().messageChanged.connect(shown.append)
    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert "This document has no page markers." in shown, shown
