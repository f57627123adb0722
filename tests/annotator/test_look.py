"""What a person sees: rendered widgets checked pixel by pixel (offscreen)."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox

from annotator.app import apply_style


def _colours(image: QImage, rect: QRect) -> Counter[tuple[int, int, int]]:
    """Count the colours of the pixels inside ``rect`` of ``image``."""
    return Counter(QColor(image.pixel(x, y)).getRgb()[:3]
                   for x in range(rect.left() + 2, rect.right() - 1)
                   for y in range(rect.top() + 1, rect.bottom()))  # fmt: skip


def test_the_highlighted_item_of_a_drop_down_list_is_readable(qtbot) -> None:  # noqa: ANN001
    """Choosing by keyboard is not choosing blind: the highlighted item shows its text on a tint."""
    apply_style(QApplication.instance())
    combo = QComboBox()
    combo.addItems(["disputed", "accepted", "rejected", "unresolved"])
    qtbot.addWidget(combo)
    combo.show()
    qtbot.waitExposed(combo)
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Space)  # opens the list, as a keyboard user does
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    QTest.keyClick(view, Qt.Key.Key_Down)
    assert view.currentIndex().row() == 1
    image = view.viewport().grab().toImage()
    highlighted = _colours(image, view.visualRect(view.currentIndex()))
    plain = _colours(image, view.visualRect(combo.model().index(3, 0)))
    tint = highlighted.most_common(1)[0][0]
    assert tint != plain.most_common(1)[0][0], "the highlighted item looks like the others"
    assert tint != (255, 255, 255)
    assert any(sum(c) < 3 * 110 for c in highlighted), "the highlighted item's text is not drawn"


def test_toolbar_buttons_stay_put_when_the_undo_step_changes(window, qtbot) -> None:  # noqa: ANN001
    """Undo/Redo keep short labels on the toolbar (the step is in the tooltip and the menu)."""
    from PySide6.QtWidgets import QToolBar

    from .conftest import select_words

    main = window.findChild(QToolBar, "main_toolbar")
    undo_button = main.widgetForAction(window.action_undo)
    categories = window.category_toolbar
    before = [categories.widgetForAction(a).geometry() for a in categories.actions()]
    p = next(i for i, b in enumerate(window.session.doc.text.blocks) if len(b.reading) > 40)
    select_words(window, p, 0, 12)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_B)
    assert len(window.session.doc.annotations()) == 1
    qtbot.wait(10)
    assert undo_button.text() == "Undo"
    assert "Undo" in window.action_undo.toolTip() and len(window.action_undo.toolTip()) > len("Undo ")
    assert window.action_undo.text().replace("&", "").startswith("Undo ")  # the menu names the step
    after = [categories.widgetForAction(a).geometry() for a in categories.actions()]
    assert after == before


def test_dialog_buttons_show_their_whole_label(qtbot) -> None:  # noqa: ANN001
    """"Discard" and "Cancel" were clipped to "Discar" and "Cance": the styled buttons' size
    ignored their icon. Dialog buttons carry text only and fit it."""
    from PySide6.QtWidgets import QMessageBox

    apply_style(QApplication.instance())
    Button = QMessageBox.StandardButton  # noqa: N806
    box = QMessageBox(QMessageBox.Icon.Question, "Unsaved changes", "Save the changes to x.xml?",
                      Button.Save | Button.Discard | Button.Cancel)  # fmt: skip
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    for button in box.buttons():
        text = button.text().replace("&", "")
        assert button.icon().isNull(), text
        assert button.width() >= button.fontMetrics().horizontalAdvance(text) + 16, text
