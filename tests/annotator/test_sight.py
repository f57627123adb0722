"""Sight: categories differ by more than a colour that colour-blind readers may not see."""

from __future__ import annotations

import itertools
from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette, QTextCursor

from annotator import app
from annotator.document_view import PAPER
from annotator.main_window import MainWindow
from tei import colours

from .conftest import first_paragraph, select_words

KEYS = {"gl-bias": Qt.Key.Key_B, "gl-figure": Qt.Key.Key_F, "gl-source": Qt.Key.Key_S,
        "gl-comment": Qt.Key.Key_C, "gl-question": Qt.Key.Key_Q}  # fmt: skip
VIEWS = (None, *colours.SIMULATIONS)
APART = 9.0  # least CIEDE2000 between two categories' fills, as seen with each kind of vision


def seen(colour: str, vision: str | None) -> str:
    return colour if vision is None else colours.simulate(colour, vision)


def least_difference(fills: list[str], others: list[str] | None = None) -> float:
    pairs = itertools.product(fills, others) if others else itertools.combinations(fills, 2)
    return min(colours.delta_e(seen(a, v), seen(b, v)) for a, b in pairs for v in VIEWS)


def annotate_each_category(window: MainWindow, qtbot) -> dict[str, tuple[int, int]]:  # noqa: ANN001
    """Annotate five words of the first paragraph, one per category key, the way a user does:
    Shift+Right from the word's start, then the category's key. Return the Qt spans."""
    window.activateWindow()
    view = window.view
    p = first_paragraph(window)
    spans = {}
    for k, (cat, key) in enumerate(KEYS.items()):
        cur = QTextCursor(view.document())
        start = view.map.reading_to_qt(p, 12 * k)
        cur.setPosition(start)
        view.setTextCursor(cur)
        view.setFocus()
        for _ in range(8):
            qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
        qtbot.keyClick(view, key)
        assert window.session.doc.annotations()[-1].category == cat
        spans[cat] = (start, start + 8)
    select_words(window, p, 80, 86)  # a sixth one, so that none of the five is the selected one
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_C)
    assert len(window.session.doc.annotations()) == 6
    assert window.view.selected_id == window.session.doc.annotations()[-1].id
    return spans


def fill_on_screen(window: MainWindow, span: tuple[int, int]) -> str:
    """Return the commonest colour of the grabbed pixels under a span (its background)."""
    view = window.view
    shot = view.viewport().grab().toImage()
    counts: Counter[str] = Counter()
    cur = QTextCursor(view.document())
    for pos in range(*span):
        cur.setPosition(pos)
        left = view.cursorRect(cur)
        cur.setPosition(pos + 1)
        right = view.cursorRect(cur)
        if left.top() != right.top():  # the line wraps here
            continue
        for x in range(left.left() + 2, right.left() - 1):
            for y in range(left.top() + 1, left.bottom()):
                counts[shot.pixelColor(x, y).name()] += 1
    return counts.most_common(1)[0][0]


def test_default_categories_stay_apart_under_colour_blindness(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    """The five default categories, as drawn on screen, differ for protanopes, deuteranopes and
    tritanopes too, stand out from the page, and none looks like a selection."""
    spans = annotate_each_category(window, qtbot)
    window.view.repaint()
    fills = [fill_on_screen(window, span) for span in spans.values()]
    assert len(set(fills)) == 5
    assert least_difference(fills) >= APART
    assert least_difference(fills, [PAPER, window.view.palette().color(QPalette.ColorRole.Base).name()]) >= 12
    selections = [window.view.palette().color(QPalette.ColorRole.Highlight).name(), "#d7e3f1"]
    assert "selection-background-color: #d7e3f1" in app.STYLE  # the lists' selection
    assert least_difference(fills, selections) >= 10
