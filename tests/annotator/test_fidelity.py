"""What the source says, shown as the source says it: taxonomies, notes, apparatus, other tools."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QComboBox

from annotator.main_window import MainWindow

from .conftest import CORPUS, first_paragraph

PTA = CORPUS / "pta__pta0022.pta002.pta-MsH.xml"


def open_window(qtbot, path: Path) -> MainWindow:  # noqa: ANN001
    w = MainWindow(str(path))
    w.session.set_identity("Test Historian")
    qtbot.addWidget(w)
    w.resize(1300, 850)
    w.show()
    qtbot.waitExposed(w)
    with qtbot.waitActive(w):
        w.activateWindow()
    return w


@pytest.mark.skipif(not PTA.is_file(), reason="no corpus")
def test_a_documents_own_taxonomies_are_not_annotation_categories(qtbot) -> None:  # noqa: ANN001
    w = open_window(qtbot, PTA)
    toolbar = [a.text() for a in w.category_toolbar.actions()]
    menu = [a.text().strip() for a in w.annotate_menu.actions() if a.objectName().startswith("action_annotate_")]
    assert toolbar == ["Bias note", "Contested figure", "Source link", "Comment", "Question"]
    assert set(toolbar) < set(menu) and not any(len(t) > 40 for t in menu), menu
    view = w.view
    p = first_paragraph(w)
    cur = QTextCursor(view.document())
    cur.setPosition(view.map.reading_to_qt(p, 0))
    view.setTextCursor(cur)
    view.setFocus()
    for _ in range(6):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(view, Qt.Key.Key_C)  # a comment: the editor opens with its category list
    assert w.session.doc.annotations()[0].category == "gl-comment"
    for combo in (w.filter_category, w.findChild(QComboBox, "category_combo")):
        labels = [combo.itemText(i) for i in range(combo.count())]
        assert labels and not any("edition" in t.lower() or len(t) > 40 for t in labels), labels
