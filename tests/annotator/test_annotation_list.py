"""The annotations list as a reader uses it: reading order, pages, a filter that finds, counts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

import tei
from annotator.models import AnnotationTableModel

from .conftest import select_words


def _paragraphs(window, n: int) -> list[int]:  # noqa: ANN001
    """Return ``n`` blocks of running text far apart from each other."""
    blocks = [i for i, b in enumerate(window.session.doc.text.blocks) if len(b.reading) > 60 and not b.is_note]
    step = len(blocks) // n
    return [blocks[k * step] for k in range(n)]


def _annotate(window, qtbot, block: int, key: Qt.Key, length: int = 12) -> str:  # noqa: ANN001
    """Select the start of ``block`` in the view and press a category key; return the new id."""
    select_words(window, block, 0, length)
    window.view.setFocus()
    before = {a.id for a in window.session.doc.annotations()}
    qtbot.keyClick(window.view, key)
    (new,) = {a.id for a in window.session.doc.annotations()} - before
    return new


def _listed(window) -> list[str]:  # noqa: ANN001
    from annotator.models import ID_ROLE

    model = window.annotation_list.model()
    return [model.index(r, 0).data(ID_ROLE) for r in range(model.rowCount())]


def test_the_list_is_in_reading_order_with_the_page_of_each_passage(window, qtbot) -> None:  # noqa: ANN001
    """Annotations made late in the text first still list after those made early."""
    late, middle, early = sorted(_paragraphs(window, 3), reverse=True)
    ids = [_annotate(window, qtbot, b, k) for b, k in ((late, Qt.Key.Key_C), (early, Qt.Key.Key_Q),
                                                       (middle, Qt.Key.Key_B))]  # fmt: skip
    assert _listed(window) == [ids[1], ids[2], ids[0]]
    model = window.annotation_list.model()
    page_col = AnnotationTableModel.PAGE_COLUMN
    header = window.annotation_list.horizontalHeader()
    assert header.visualIndex(page_col) == 0 and model.headerData(page_col, Qt.Orientation.Horizontal) == "Page"
    pages = [model.index(r, page_col).data() for r in range(3)]
    assert all(pages), pages
    assert [int(p) for p in pages] == sorted(int(p) for p in pages) and pages[0] != pages[-1]


def test_the_filter_matches_techniques_sources_and_alternative_values(window, qtbot) -> None:  # noqa: ANN001
    """Typing a source's author, a bias technique or an alternative value finds the annotation."""
    first, second, third = _paragraphs(window, 3)
    bias = _annotate(window, qtbot, first, Qt.Key.Key_B)
    figure = _annotate(window, qtbot, second, Qt.Key.Key_F)
    _annotate(window, qtbot, third, Qt.Key.Key_C)
    session = window.session
    sid = session.add_source({"author": "Zhukov, Ivan", "title": "Soviet aid reconsidered", "date": "1999"})
    technique = next(c.id for c in session.doc.taxonomy.categories.values()
                     if session.doc.taxonomy.parent_of(c.id) == "gl-bias")  # fmt: skip
    technique_label = session.doc.taxonomy.label(technique)
    session.edit_annotation(bias, "Set technique",
                            lambda a: setattr(a, "bias", tei.BiasNote(technique, "")))  # fmt: skip

    def add_value(a: tei.Annotation) -> None:
        fig = a.figure
        fig.alternatives.append(tei.Alternative(value="3,900 specialists", source=sid))
        a.figure = fig

    session.edit_annotation(figure, "Add value", add_value)
    counter = window.list_panel.count_label
    assert isinstance(counter, QLabel) and counter.text() == "3 annotations"
    for typed, expected in (("zhukov", [figure]), ("3,900", [figure]), (technique_label[:6], [bias])):
        window.filter_edit.setFocus()
        window.filter_edit.selectAll()
        qtbot.keyClicks(window.filter_edit, typed)
        assert _listed(window) == expected, typed
        assert counter.text() == "1 of 3 annotations shown"
    window.filter_edit.clear()
    assert len(_listed(window)) == 3 and counter.text() == "3 annotations"


def test_a_new_annotation_hidden_by_the_filter_is_announced(window, qtbot) -> None:  # noqa: ANN001
    """Annotating while the list is filtered says where the new annotation went."""
    first, second = _paragraphs(window, 2)
    _annotate(window, qtbot, first, Qt.Key.Key_C)
    window.filter_edit.setFocus()
    qtbot.keyClicks(window.filter_edit, "no such words anywhere")
    _annotate(window, qtbot, second, Qt.Key.Key_Q)
    assert "hidden by the list's filter" in window.statusBar().currentMessage()
    assert window.list_panel.count_label.text() == "0 of 2 annotations shown"


def test_the_note_column_shows_the_whole_note_in_its_tooltip(window, qtbot) -> None:  # noqa: ANN001
    """A long note is elided in its cell and readable whole in the tooltip."""
    (block,) = _paragraphs(window, 1)
    ann_id = _annotate(window, qtbot, block, Qt.Key.Key_C)
    long_note = "The figure of 3,665 specialists appears only here; " * 8 + "end."
    qtbot.keyClicks(window.note_edit, long_note)
    window.editor.commit_pending()
    model = window.annotation_list.model()
    tip = model.index(0, 2).data(Qt.ItemDataRole.ToolTipRole)
    assert "end." in tip and tip.count("3,665") == 8
    assert window.session.doc.annotation(ann_id).note_text.endswith("end.")


def test_the_list_model_is_a_well_behaved_qt_model(window, qtbot, qtmodeltester) -> None:  # noqa: ANN001
    """The adapter passes Qt's model checks with rows in reading order and pages set."""
    for b, key in zip(_paragraphs(window, 3), (Qt.Key.Key_C, Qt.Key.Key_B, Qt.Key.Key_Q), strict=True):
        _annotate(window, qtbot, b, key)
    qtmodeltester.check(window.table_model)
    qtmodeltester.check(window.filter_model)
