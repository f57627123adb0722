"""Sight: categories differ by more than a colour that colour-blind readers may not see."""

from __future__ import annotations

import itertools
from collections import Counter

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPalette, QTextCharFormat, QTextCursor

import tei
from annotator import app, settings
from annotator.document_view import INK, PAPER
from annotator.main_window import MainWindow
from tei import colours

from .conftest import FROZEN, first_paragraph, select_words

KEYS = {"gl-bias": Qt.Key.Key_B, "gl-figure": Qt.Key.Key_F, "gl-source": Qt.Key.Key_S,
        "gl-comment": Qt.Key.Key_C, "gl-question": Qt.Key.Key_Q}  # fmt: skip
VIEWS = (None, *colours.SIMULATIONS)
APART = 9.0  # least CIEDE2000 between two categories' fills, as seen with each kind of vision


#: A paragraph without descenders, so that only underlines are drawn below the baseline.
PLAIN = ("<TEI xmlns='http://www.tei-c.org/ns/1.0'><teiHeader/><text><body><p>"
         + " ".join(["anna nana mama nona"] * 12) + "</p></body></text></TEI>")  # fmt: skip


def open_plain(qtbot, taxonomy: str = "") -> MainWindow:  # noqa: ANN001
    """Return a shown window with :data:`PLAIN` open (with a taxonomy in its header, if given)."""
    text = PLAIN.replace("<teiHeader/>", f"<teiHeader><encodingDesc><classDecl>{taxonomy}</classDecl>"
                                          "</encodingDesc></teiHeader>") if taxonomy else PLAIN  # fmt: skip
    window = MainWindow(None)
    qtbot.addWidget(window)
    window.open_document(tei.TeiDocument.from_bytes(text.encode()), "plain")
    window.session.set_identity("Test Historian")
    window.session.clock = lambda: FROZEN
    window.resize(1300, 850)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


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


def underline_marks(window: MainWindow, span: tuple[int, int]) -> list[frozenset[int]]:
    """Return, for each pixel column under a span, the rows below the baseline (the text has no
    descenders) that differ from the fill: the shape of the underline, whatever its colour."""
    view = window.view
    shot = view.viewport().grab().toImage()
    marks = []
    cur = QTextCursor(view.document())
    for pos in range(*span):
        cur.setPosition(pos)
        left = view.cursorRect(cur)
        cur.setPosition(pos + 1)
        right = view.cursorRect(cur)
        if left.top() != right.top():
            continue
        columns = range(left.left(), right.left())
        rows = range(left.top(), left.bottom() + 1)
        pixels = {(x, y): shot.pixelColor(x, y).name() for x in columns for y in rows}
        fill = Counter(pixels.values()).most_common(1)[0][0]
        ink = [y for (x, y), c in pixels.items() if colours.delta_e(c, INK) < 10]
        if not ink:  # a space
            continue
        baseline = max(ink)
        for x in columns:
            marks.append(frozenset(y - baseline for y in rows
                                   if y > baseline and colours.delta_e(pixels[x, y], fill) > 6))  # fmt: skip
    return marks


def test_each_category_has_its_own_underline(qtbot) -> None:  # noqa: ANN001
    """Categories differ by the shape of their underline, not only by colour: drawn under a
    lone annotation of each kind, the five underlines make five different pixel patterns."""
    window = open_plain(qtbot)
    spans = annotate_each_category(window, qtbot)
    window.view.repaint()
    shapes = {cat: underline_marks(window, span) for cat, span in spans.items()}
    for cat, marks in shapes.items():
        assert sum(1 for m in marks if m) >= len(marks) / 3, f"{cat} has no underline"
    patterns = {cat: tuple(marks[:40]) for cat, marks in shapes.items()}
    assert len(set(patterns.values())) == 5
    solid = [m for m in shapes["gl-comment"] if m]
    dotted = [m for m in shapes["gl-source"] if m]
    assert len(solid) >= len(shapes["gl-comment"]) - 2  # unbroken
    assert len(dotted) < 0.75 * len(shapes["gl-source"])  # broken
    wavy_rows = {min(m) for m in shapes["gl-bias"] if m}
    assert len(wavy_rows) >= 2 > len({min(m) for m in solid})  # it goes up and down


def test_a_category_underline_is_read_from_its_rend(qtbot) -> None:  # noqa: ANN001
    """A document's taxonomy may give a category another underline (``@rend``); the built-in
    kinds keep their defaults when it names none, and subcategories inherit it."""
    taxonomy = ("<taxonomy xml:id='glossator-taxonomy'><category xml:id='gl-comment' n='C' rend='underline-dotted'"
                " style='background-color:#4400ff'><catDesc>Comment</catDesc><category xml:id='gl-comment-x'>"
                "<catDesc>Sub</catDesc></category></category><category xml:id='gl-bias' n='B' "
                "style='background-color:#ccaa00'><catDesc>Bias</catDesc></category></taxonomy>")  # fmt: skip
    window = open_plain(qtbot, taxonomy)
    tax = window.session.doc.taxonomy
    assert (tax.underline("gl-comment"), tax.underline("gl-comment-x"), tax.underline("gl-bias")) == (
        "dotted", "dotted", "wavy")  # fmt: skip
    p = first_paragraph(window)
    select_words(window, p, 0, 9)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_C)
    n = window.view.map.qt_block_of[p]
    styles = {f.format.underlineStyle() for f in window.view.block_formats(n)
              if f.format.background().style() != Qt.BrushStyle.NoBrush}  # fmt: skip
    assert styles == {QTextCharFormat.UnderlineStyle.DotLine}


def margin_pixels(window: MainWindow, rect) -> list[str]:  # noqa: ANN001
    """Return the colours of the grabbed pixels of a margin rectangle that are not the page."""
    shot = window.view.viewport().grab(rect).toImage()
    page = window.view.palette().color(QPalette.ColorRole.Base).name()
    return [c for x in range(shot.width()) for y in range(shot.height())
            if (c := shot.pixelColor(x, y).name()) != page]  # fmt: skip


def test_category_letters_in_the_margin(window: MainWindow, qtbot, sample_copy) -> None:  # noqa: ANN001
    """View ▸ Category letters in the margin shows, beside each line, the key letter of every
    annotation on it, in the order they start; it is remembered for the next window."""
    view = window.view
    p = first_paragraph(window)
    for start, key in ((8, Qt.Key.Key_Q), (0, Qt.Key.Key_B)):  # made in the other order
        select_words(window, p, start, start + 5)
        view.setFocus()
        qtbot.keyClick(view, key)
    view.set_selected("")
    cur = QTextCursor(view.document())
    cur.setPosition(view.map.reading_to_qt(p, 0))
    line = view.cursorRect(cur)
    margin = QRect(0, line.top(), round(view.document().documentMargin()) - 4, line.height())
    assert not window.action_margin_letters.isChecked()
    assert margin_pixels(window, margin) == []

    menu_action = next(a for a in window.menuBar().actions() if a.text() == "&View").menu().actions()
    assert window.action_margin_letters in menu_action
    window.action_margin_letters.trigger()  # as a menu click does: triggered(True)
    assert settings.get("view/margin_letters") is True
    tax = window.session.doc.taxonomy
    bias, question = (QColor(tax.color(c)).darker(160).name() for c in ("gl-bias", "gl-question"))
    labels = view.margin_labels()
    assert labels[0][0].intersects(margin)
    assert labels[0][1] == [("B", bias), ("Q", question)]
    drawn = margin_pixels(window, margin)
    assert drawn
    for colour in (bias, question):
        assert min(colours.delta_e(c, colour) for c in drawn) < 8

    again = MainWindow(str(sample_copy))
    qtbot.addWidget(again)
    assert again.action_margin_letters.isChecked() and again.view.margin_letters
    window.action_margin_letters.trigger()
    assert settings.get("view/margin_letters") is False
    assert margin_pixels(window, margin) == []
