"""The main window driven like a user would: select, annotate, edit, undo, save, filter, delete."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QTextCursor
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QPlainTextEdit

import tei
from annotator import errors
from annotator.main_window import MainWindow

from .conftest import first_paragraph, into_own_footnote, select_words

WHEN = "2025-02-02T00:00:00Z"


def action(window: MainWindow, name: str) -> QAction:
    act = window.findChild(QAction, name)
    assert act is not None, name
    return act


def rows(window: MainWindow) -> int:
    view = window.findChild(QAbstractItemView, "annotation_list")
    return view.model().rowCount()


def test_open_shows_the_text_and_the_automation_surface(window: MainWindow) -> None:
    view = window.findChild(QPlainTextEdit, "document_view")
    assert view is window.view and view.isReadOnly()
    first = window.session.doc.text.blocks[first_paragraph(window)].reading[:40]
    assert first in view.toPlainText()
    for name in ("action_open", "action_save", "action_save_as", "action_undo", "action_redo",
                 "action_delete_annotation", "action_export_html"):  # fmt: skip
        assert action(window, name).menu() is None
    for cat in window.session.doc.taxonomy.categories:
        assert window.findChild(QAction, f"action_annotate_{cat}") is not None
    assert "B" in action(window, "action_annotate_gl-bias").toolTip()
    assert window.findChild(QPlainTextEdit, "note_edit") is window.note_edit
    assert "Glossator" in window.windowTitle() and not window.isWindowModified()
    assert "paragraphs" in window.stats_label.text()


def test_select_by_keyboard_and_annotate_with_the_action(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    view = window.view
    p = first_paragraph(window)
    cur = QTextCursor(view.document())
    cur.setPosition(window.view.map.reading_to_qt(p, 0))
    view.setTextCursor(cur)
    view.setFocus()
    for _ in range(9):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    sel = view.reading_selection()
    assert sel == (p, 0, p, 9)
    action(window, "action_annotate_gl-comment").trigger()
    assert rows(window) == 1
    ann = window.session.doc.annotations()[0]
    assert ann.quote == window.session.doc.text.blocks[p].reading[:9]
    assert window.editor.ann_id == ann.id
    assert window.isWindowModified()
    assert p in view.pieces and view.pieces[p][0][:2] == (0, 9)


def test_select_by_mouse(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    view = window.view
    p = first_paragraph(window)
    start = view.cursorRect(_cursor_at(view, window.view.map.reading_to_qt(p, 4))).center()
    end = view.cursorRect(_cursor_at(view, window.view.map.reading_to_qt(p, 20))).center()
    vp = view.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(vp, QPoint(end.x(), end.y()))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=end)
    sel = view.reading_selection()
    assert sel is not None and sel[0] == p and sel[1] in (3, 4, 5) and sel[3] in (19, 20, 21)
    action(window, "action_annotate_gl-question").trigger()
    assert window.session.doc.annotations()[0].kind == "question"
    # clicking inside the highlight selects the annotation
    window.editor.set_annotation("")
    mid = view.cursorRect(_cursor_at(view, window.view.map.reading_to_qt(p, 10))).center()
    with qtbot.waitSignal(view.annotation_clicked) as blocker:
        qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=mid)
    assert blocker.args == [window.session.doc.annotations()[0].id]


def _cursor_at(view, pos: int) -> QTextCursor:  # noqa: ANN001
    cur = QTextCursor(view.document())
    cur.setPosition(pos)
    return cur


def test_single_key_shortcuts_create_each_kind(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    window.activateWindow()
    p = first_paragraph(window)
    kinds = []
    for k, key in enumerate((Qt.Key.Key_B, Qt.Key.Key_F, Qt.Key.Key_S, Qt.Key.Key_C, Qt.Key.Key_Q)):
        select_words(window, p, 10 * k, 10 * k + 6)
        window.view.setFocus()
        qtbot.keyClick(window.view, key)
        kinds.append(window.session.doc.annotations()[-1].kind if window.session.doc.annotations() else None)
    assert kinds == ["bias", "figure", "source", "comment", "question"]
    assert rows(window) == 5
    # typing a letter in the note field types, it does not annotate
    window.focus_note()
    qtbot.keyClicks(window.note_edit, "BFS")
    window.editor.commit_pending()
    assert rows(window) == 5
    assert window.session.doc.annotations()[-1].note == ["BFS"]


def test_figure_is_prefilled_and_every_field_edits(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    doc = window.session.doc
    p = next(i for i, b in enumerate(doc.text.blocks) if "$ 500 million" in b.reading)
    r = doc.text.blocks[p].reading.index("$ 500 million")
    select_words(window, p, r, r + len("$ 500 million"))
    aid = window.annotate("gl-figure")
    fig = doc.annotation(aid).figure
    assert fig.stated == "$ 500 million"
    assert fig.normalised is not None and fig.normalised.value == 5e8 and fig.normalised.unit == "USD"
    ed = window.editor
    stack = window.session.undo_stack
    snaps = [window.session.to_bytes(WHEN)]

    def commit_line(edit, text: str) -> None:  # noqa: ANN001
        edit.setFocus()
        edit.selectAll()
        qtbot.keyClicks(edit, text)
        ed.commit_pending()
        snaps.append(window.session.to_bytes(WHEN))

    commit_line(ed.stated_edit, "$500 mln")
    commit_line(ed.normalised_edit, "300-400")
    commit_line(ed.unit_edit, "EUR")
    ed.approx_check.click()
    snaps.append(window.session.to_bytes(WHEN))
    src = window.session.add_source({"author": "Kirby, W.", "title": "The Chinese War Economy"})
    snaps.append(window.session.to_bytes(WHEN))
    ed.add_alternative("250 million", "")
    snaps.append(window.session.to_bytes(WHEN))

    def choose(col: int, label: str) -> None:  # as a user: the cell's combo box
        table = ed.alt_table
        table.setCurrentCell(0, col)
        if table.state() != QAbstractItemView.State.EditingState:
            table.editItem(table.item(0, col))
        combo = next(c for c in table.findChildren(QComboBox) if c.isVisible())
        combo.setCurrentIndex(combo.findText(label, Qt.MatchFlag.MatchStartsWith))
        qtbot.keyClick(combo, Qt.Key.Key_Return)  # commits in the next turn of the event loop
        qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState)
        snaps.append(window.session.to_bytes(WHEN))

    choose(1, "Kirby")
    assert ed.alt_table.item(0, 1).text().startswith("Kirby")  # the citation, not the id
    for col, value in ((2, "p. 12"), (4, "archive")):
        ed.alt_table.item(0, col).setText(value)
        snaps.append(window.session.to_bytes(WHEN))
    choose(3, "low")
    ed.status_combo.setCurrentText("resolved")
    ed.status_combo.activated.emit(ed.status_combo.currentIndex())
    snaps.append(window.session.to_bytes(WHEN))
    commit_line(ed.preferred_edit, "350000000")
    commit_line(ed.rationale_edit, "Archival totals")
    ed.certainty_combo.setCurrentText("low")
    ed.certainty_combo.activated.emit(ed.certainty_combo.currentIndex())
    snaps.append(window.session.to_bytes(WHEN))
    window.focus_note()
    qtbot.keyClicks(window.note_edit, "Compare with the Chinese figures.")
    ed.commit_pending()
    snaps.append(window.session.to_bytes(WHEN))
    ann = doc.annotation(aid)
    fig = ann.figure
    assert fig.stated == "$500 mln" and fig.status == "resolved" and fig.rationale == "Archival totals"
    assert (fig.normalised.low, fig.normalised.high, fig.normalised.unit) == (300, 400, "EUR")
    assert fig.normalised.approximate
    alt = fig.alternatives[0]
    assert (alt.value, alt.source, alt.locator, alt.certainty, alt.note) == ("250 million", src, "p. 12", "low", "archive")
    assert fig.preferred.value == 3.5e8
    assert ann.certainty == "low" and ann.note == ["Compare with the Chinese figures."]
    assert len(set(snaps)) == len(snaps)
    for i in range(len(snaps) - 1, 0, -1):
        action(window, "action_undo").trigger()
        assert window.session.to_bytes(WHEN) == snaps[i - 1]
    for i in range(1, len(snaps)):
        action(window, "action_redo").trigger()
        assert window.session.to_bytes(WHEN) == snaps[i]
    assert stack.undoText() == "Edit note"


def test_bias_source_and_category_fields(window: MainWindow) -> None:
    p = first_paragraph(window)
    select_words(window, p, 0, 12)
    aid = window.annotate("gl-bias")
    ed = window.editor
    ed.technique_combo.setCurrentIndex(ed.technique_combo.findData("gl-bias-omission"))
    ed.technique_combo.activated.emit(ed.technique_combo.currentIndex())
    ed.explanation_edit.setPlainText("Leaves out the context.")
    ed.commit_pending()
    bias = window.session.doc.annotation(aid).bias
    assert (bias.technique, bias.explanation) == ("gl-bias-omission", "Leaves out the context.")
    sid = window.session.add_source({"author": "Kaple", "title": "Advisers"})
    ed.category_combo.setCurrentIndex(ed.category_combo.findData("gl-source"))
    ed.category_combo.activated.emit(ed.category_combo.currentIndex())
    assert window.session.doc.annotation(aid).kind == "source"
    ed.relation_combo.setCurrentText("contradicts")
    ed.relation_combo.activated.emit(ed.relation_combo.currentIndex())
    ed.source_combo.setCurrentIndex(ed.source_combo.findData(sid))
    ed.source_combo.activated.emit(ed.source_combo.currentIndex())
    ed.locator_edit.setText("p. 7")
    ed.locator_edit.textEdited.emit("p. 7")
    ed.commit_pending()
    link = window.session.doc.annotation(aid).source_link
    assert (link.relation, link.source, link.locator) == ("contradicts", sid, "p. 7")
    # cite a footnote of the document as the source
    note_block = next(i for i, b in enumerate(window.session.doc.text.blocks) if b.is_note)
    window.cite(window.session.doc.text.blocks[note_block].element)
    cited = window.session.doc.annotation(aid).source_link.source
    assert cited and window.session.doc.element_by_id(cited) is window.session.doc.text.blocks[note_block].element


def test_retarget_extend_and_shrink(window: MainWindow) -> None:
    p = first_paragraph(window)
    reading = window.session.doc.text.blocks[p].reading
    w2 = reading.index(" ", reading.index(" ") + 1)
    select_words(window, p, reading.index(" ") + 1, w2)
    aid = window.annotate("gl-comment")
    q0 = window.session.doc.annotation(aid).quote
    window.retarget(aid, "end+")
    q1 = window.session.doc.annotation(aid).quote
    assert q1.startswith(q0) and len(q1) > len(q0)
    window.retarget(aid, "start-")
    assert window.session.doc.annotation(aid).quote.endswith(q1)
    select_words(window, p, 0, 5)
    window.retarget(aid, "selection")
    assert window.session.doc.annotation(aid).quote == reading[:5]
    assert window.view.pieces[p][0][:2] == (0, 5)


def test_filter_list(window: MainWindow) -> None:
    p = first_paragraph(window)
    for k, cat in enumerate(("gl-bias", "gl-comment", "gl-comment", "gl-question")):
        select_words(window, p, 10 * k, 10 * k + 5)
        window.annotate(cat)
    window.session.edit_annotation(window.session.doc.annotations()[1].id, "n",
                                   lambda a: (setattr(a, "note", ["needle here"]), setattr(a, "certainty", "high")))  # fmt: skip
    assert rows(window) == 4
    window.list_panel.filter_category.setCurrentIndex(window.list_panel.filter_category.findData("gl-comment"))
    assert rows(window) == 2
    window.filter_edit.setText("needle")
    assert rows(window) == 1
    window.filter_edit.setText("")
    window.list_panel.filter_category.setCurrentIndex(0)
    window.list_panel.filter_certainty.setCurrentIndex(window.list_panel.filter_certainty.findData("high"))
    assert rows(window) == 1
    window.list_panel.filter_certainty.setCurrentIndex(0)
    window.list_panel.fill_filters()  # the annotator list is refreshed on open
    window.filter_annotator.setCurrentIndex(window.filter_annotator.findData("Test Historian"))
    assert rows(window) == 4
    window.annotation_list.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    labels = [window.filter_model.index(r, 1).data() for r in range(4)]
    assert labels == sorted(labels)


def test_delete_goes_through_undo(window: MainWindow) -> None:
    p = first_paragraph(window)
    before = window.session.to_bytes(WHEN)
    select_words(window, p, 0, 8)
    aid = window.annotate("gl-comment")
    with_ann = window.session.to_bytes(WHEN)
    window.view.setFocus()
    action(window, "action_delete_annotation").trigger()
    assert rows(window) == 0 and p not in window.view.pieces
    assert "Delete" in window.session.undo_stack.undoText()
    action(window, "action_undo").trigger()
    assert rows(window) == 1 and window.session.doc.annotation(aid)
    assert window.session.to_bytes(WHEN) == with_ann
    action(window, "action_undo").trigger()
    assert window.session.to_bytes(WHEN) == before
    assert not window.isWindowModified()


def test_save_and_reload(window: MainWindow, qtbot, sample_copy: Path) -> None:  # noqa: ANN001
    p = first_paragraph(window)
    select_words(window, p, 0, 8)
    aid = window.annotate("gl-bias")
    window.focus_note()
    qtbot.keyClicks(window.note_edit, "Saved note")
    action(window, "action_save").trigger()
    assert not window.isWindowModified()
    again = MainWindow(str(sample_copy))
    qtbot.addWidget(again)
    assert again.table_model.rowCount() == 1
    assert again.session.doc.annotation(aid).note == ["Saved note"]
    assert p in again.view.pieces


def test_save_as_and_unwritable_location(window: MainWindow, tmp_path: Path) -> None:
    p = first_paragraph(window)
    select_words(window, p, 0, 8)
    window.annotate("gl-comment")
    assert window.save_as(str(tmp_path / "copy.xml"))
    assert window.session.path == str(tmp_path / "copy.xml")
    assert tei.load(str(tmp_path / "copy.xml")).annotations()
    from annotator import errors

    select_words(window, p, 10, 18)
    window.annotate("gl-comment")
    assert not window.save_as(str(tmp_path / "missing-folder" / "x.xml"))
    assert errors.history and "Cannot save" in errors.history[-1][0]
    assert window.isWindowModified()


def test_file_changed_on_disk_conflict(window: MainWindow, sample_copy: Path) -> None:
    p = first_paragraph(window)
    select_words(window, p, 0, 8)
    window.annotate("gl-comment")
    data = sample_copy.read_bytes()
    sample_copy.write_bytes(data.replace(b"</TEI>", b"<!-- edited elsewhere --></TEI>"))
    assert not window.save()
    assert window.message_bar.kind == "conflict"
    window.message_bar.button("Overwrite").click()
    assert not window.isWindowModified()
    assert b"edited elsewhere" not in sample_copy.read_bytes()
    assert tei.load(str(sample_copy)).annotations()
    # another outside change: reload drops ours and shows theirs
    sample_copy.write_bytes(data)
    window.lifecycle.file_changed(str(sample_copy))  # what QFileSystemWatcher calls
    assert window.message_bar.kind == "changed"
    window.message_bar.button("Reload").click()
    assert window.session.doc.annotations() == []


def test_find_bar(window: MainWindow) -> None:
    action(window, "action_find").trigger()
    fb = window.find_bar
    assert fb.isVisible()
    fb.edit.setText("china")
    n_any = len(fb.matches)
    assert n_any > 3 and "of" in fb.count_label.text()
    fb.case_box.setChecked(True)
    assert len(fb.matches) < n_any or all(window.view.toPlainText()[s:e] == "china" for s, e in fb.matches)
    fb.case_box.setChecked(False)
    fb.word_box.setChecked(True)
    assert 0 < len(fb.matches) <= n_any
    first = fb.current
    fb.next()
    assert fb.current == (first + 1) % len(fb.matches)
    assert window.view.textCursor().selectedText().lower() == "china"


def test_outline_notes_and_go_to_page(window: MainWindow) -> None:
    pages = window.view.map.pages()
    if pages:
        assert window.go_to_page(pages[-1][0])
        assert not window.go_to_page("no-such-page")
    assert window.outline_model.rowCount() >= 1
    if window.notes_pane.count():
        window.notes_pane.item(0).setSelected(True)
        window.notes_pane.note_activated.emit(window.notes_pane.item(0).data(Qt.ItemDataRole.UserRole))
        run = window.view.map.run_at(window.view.textCursor().position())
        assert run is not None and run.kind == "noteref"


def test_tooltip_summarises_annotation_and_note(window: MainWindow) -> None:
    p = first_paragraph(window)
    select_words(window, p, 0, 8)
    aid = window.annotate("gl-bias")
    window.session.edit_annotation(aid, "n", lambda a: setattr(a, "note", ["Tooltip note"]))
    tip = window.view.tooltip_at(window.view.map.reading_to_qt(p, 3))
    assert "Tooltip note" in tip and "Bias" in tip
    for db in window.view.map.blocks:
        ref = next((r for r in db.runs if r.kind == "noteref"), None)
        if ref is not None:
            pos = window.view.map.starts[window.view.map.blocks.index(db)] + db.cp_to_q(ref.start)
            assert "Note" in window.view.tooltip_at(pos)
            break


def test_overlapping_highlights_are_distinguishable(window: MainWindow) -> None:
    p = first_paragraph(window)
    select_words(window, p, 0, 20)
    window.annotate("gl-bias")
    select_words(window, p, 5, 10)
    window.annotate("gl-comment")
    n = window.view.map.qt_block_of[p]
    formats = window.view.block_formats(n)
    backgrounds = {(f.start, f.length): f.format.background().color().name() for f in formats
                   if f.format.background().style() != Qt.BrushStyle.NoBrush}  # fmt: skip
    assert len(set(backgrounds.values())) >= 2
    assert any(f.format.fontUnderline() or f.format.underlineStyle() != f.format.UnderlineStyle.NoUnderline
               for f in formats)  # fmt: skip


def test_long_document_shows_a_first_screenful_then_the_whole_text(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    from annotator.document_view import PROGRESSIVE_BLOCKS

    n = PROGRESSIVE_BLOCKS + 500
    paras = "".join(f'<pb n="{k}"/><p>Paragraph {k} of the long text, with some words to read.</p>'
                    for k in range(n))  # fmt: skip
    path = tmp_path / "long.xml"
    path.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>L'
                    "</title></titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/>"
                    f"</sourceDesc></fileDesc></teiHeader><text><body>{paras}</body></text></TEI>",
                    encoding="utf-8")  # fmt: skip
    window = MainWindow(str(path))
    qtbot.addWidget(window)
    window.persist_layout = False
    view = window.view
    shown = view.shown_map
    assert shown is not None and not shown.complete  # only the first screenful so far
    assert "Paragraph 0 of" in view.toPlainText() and f"Paragraph {n - 1} " not in view.toPlainText()
    with qtbot.waitSignal(view.display_completed, timeout=10_000):
        window.show()  # the first paint schedules the rest
    assert view.shown_map.complete and f"Paragraph {n - 1} of" in view.toPlainText()
    qtbot.waitUntil(lambda: window.outline_model.rowCount() > 0)  # the panes right after the layout
    assert f"{n:,} pages" in window.stats_label.text()
    assert window.go_to_page(str(n - 1))
    i, _ = view.map.qt_to_reading(view.textCursor().position())
    assert window.session.doc.text.blocks[i].reading.startswith(f"Paragraph {n - 1} ")


def test_a_hidden_view_completes_its_text_when_asked(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    from annotator.document_view import PROGRESSIVE_BLOCKS

    n = PROGRESSIVE_BLOCKS + 10
    body = "".join(f"<p>Line {k} of a text long enough to fill more than one screen.</p>" for k in range(n))
    doc = tei.TeiDocument.from_bytes(
        ('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader/><text><body>'
         f"{body}</body></text></TEI>").encode())  # fmt: skip
    window = MainWindow(None)
    qtbot.addWidget(window)
    window.view.set_document(doc)
    assert not window.view.shown_map.complete
    last = window.view.map.reading_to_qt(n - 1, 0)  # asking for the map completes it
    assert window.view.shown_map.complete
    assert window.view.document().findBlock(last).text().startswith(f"Line {n - 1} of")


def test_typing_a_note_with_pauses_keeps_text_and_cursor(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    select_words(window, first_paragraph(window), 0, 12)
    aid = window.annotate("gl-comment")
    note = window.note_edit
    assert note.hasFocus()
    for chunk in ("The figure is ", "wrong.", "\n\n", "See the archive."):
        qtbot.keyClicks(note, chunk.replace("\n", "")) if chunk != "\n\n" else (
            qtbot.keyClick(note, Qt.Key.Key_Return), qtbot.keyClick(note, Qt.Key.Key_Return))
        window.editor.commit_pending()  # the pause: the text is committed while typing goes on
        assert note.textCursor().position() == len(note.toPlainText())
    assert note.toPlainText() == "The figure is wrong.\n\nSee the archive."
    assert window.session.doc.annotation(aid).note == ["The figure is wrong.", "See the archive."]


def test_ctrl_z_in_the_note_undoes_the_last_step_only(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    select_words(window, first_paragraph(window), 0, 12)
    aid = window.annotate("gl-comment")
    note = window.note_edit
    qtbot.keyClicks(note, "alice note")
    window.editor.commit_pending()
    window.view.setFocus()  # the typing session ends
    note.setFocus()
    note.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(note, " bob")
    qtbot.keyClick(note, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    doc = window.session.doc
    assert doc.annotation(aid).note == ["alice note"]
    assert note.toPlainText() == "alice note"
    qtbot.keyClick(note, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert doc.annotation(aid).note == ["alice note bob"] and note.toPlainText() == "alice note bob"
    assert action(window, "action_undo").text() == "&Undo Edit note"


def test_citing_from_a_bias_note_keeps_its_kind(window: MainWindow) -> None:
    from annotator import errors

    select_words(window, first_paragraph(window), 0, 12)
    aid = window.annotate("gl-bias")
    before = window.session.to_bytes(WHEN)
    sid = window.session.add_source({"author": "Kaple", "title": "Advisers"})
    window.cite(sid)
    assert window.session.doc.annotation(aid).kind == "bias"
    assert errors.history and "Source link" in errors.history[-1][1]
    window.session.undo_stack.undo()  # only the source was added
    assert window.session.to_bytes(WHEN) == before


def test_annotator_filter_lists_new_annotators_at_once(window: MainWindow) -> None:
    p = first_paragraph(window)
    select_words(window, p, 0, 5)
    window.annotate("gl-comment")
    window.session.set_identity("Bob Builder")
    select_words(window, p, 10, 15)
    window.annotate("gl-comment")
    combo = window.filter_annotator
    names = [combo.itemData(i) for i in range(combo.count())]
    assert "Test Historian" in names and "Bob Builder" in names
    combo.setCurrentIndex(combo.findData("Bob Builder"))
    assert window.filter_model.rowCount() == 1


def test_clicking_anywhere_on_a_footnote_mark_opens_the_note(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    view = window.view
    m = view.map
    n, db = next((k, b) for k, b in enumerate(m.blocks) if any(r.kind == "noteref" for r in b.runs))
    ref = next(r for r in db.runs if r.kind == "noteref")
    view.goto_qt(m.starts[n] + db.cp_to_q(ref.start))
    qtbot.wait(10)
    cur = QTextCursor(view.document())
    cur.setPosition(m.starts[n] + db.cp_to_q(ref.start))
    left = view.cursorRect(cur).x()
    cur.setPosition(cur.position() + len(ref.text))
    right, y = view.cursorRect(cur).x(), view.cursorRect(cur).center().y()
    for x in (left + 1, right - 1):  # the left and the right edge of the mark
        with qtbot.waitSignal(view.note_activated) as sig:
            qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, y))
        assert sig.args == [ref.note_block]


def test_outline_nests_headings_by_their_divisions(qtmodeltester) -> None:  # noqa: ANN001
    from annotator.models import OutlineModel

    doc = tei.TeiDocument.from_bytes(
        b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader/><text><front><castList>'
        b"<castGroup><head>courtiers</head><castItem>Osric</castItem></castGroup></castList></front>"
        b"<body><div><head>ACT 1</head><div><head>Scene 1</head><p>x</p></div>"
        b"<div><head>Scene 2</head><p>y</p></div></div><div><head>ACT 2</head><p>z</p></div>"
        b"</body></text></TEI>")  # fmt: skip
    model = OutlineModel()
    model.build(doc, [])
    qtmodeltester.check(model)
    contents = model.item(0)

    def tree(item) -> list:  # noqa: ANN001
        return [(item.child(r).text(), tree(item.child(r))) for r in range(item.rowCount())]

    assert tree(contents) == [("courtiers", []), ("ACT 1", [("Scene 1", []), ("Scene 2", [])]),
                              ("ACT 2", [])]  # fmt: skip


def test_a_deleted_file_is_reported_and_saved_again(window: MainWindow, sample_copy: Path) -> None:
    select_words(window, first_paragraph(window), 0, 8)
    aid = window.annotate("gl-comment")
    sample_copy.unlink()
    window.lifecycle.file_changed(str(sample_copy))  # what the file watcher reports
    assert window.message_bar.kind == "changed" and "moved or deleted" in window.message_bar.label.text()
    window.message_bar.button("Save").click()
    assert tei.load(str(sample_copy)).annotation(aid) is not None
    assert not window.isWindowModified()


def test_right_to_left_paragraphs_start_at_the_right(qtbot) -> None:  # noqa: ANN001
    doc = tei.TeiDocument.from_bytes(
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader/><text><body><p>English first.</p>'
        '<p xml:lang="ar">هذا نص عربي قصير</p></body></text></TEI>'.encode())  # fmt: skip
    window = MainWindow(None)
    qtbot.addWidget(window)
    window.open_document(doc, "rtl")
    window.show()
    qtbot.waitExposed(window)
    view = window.view
    width = view.viewport().width()

    def start_x(i: int) -> int:
        cur = QTextCursor(view.document())
        cur.setPosition(view.map.reading_to_qt(i, 0))
        return view.cursorRect(cur).x()

    assert start_x(0) < width / 4  # left to right: starts at the left
    assert start_x(1) > width * 3 / 4  # right to left: starts at the right


def test_block_quotations_are_set_off(window: MainWindow) -> None:
    doc = tei.TeiDocument.from_bytes(
        b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader/><text><body><p>Before.</p>'
        b"<quote><p>Quoted words.</p></quote><p>After.</p></body></text></TEI>")  # fmt: skip
    window.open_document(doc, "quote")
    view = window.view
    sizes = [view.block_formats(view.map.qt_block_of[i]) for i in range(3)]
    assert sizes[0] == [] and sizes[2] == []
    assert sizes[1] and sizes[1][0].format.fontPointSize() < view.font().pointSizeF()


def test_selecting_into_the_paragraphs_own_footnote_is_refused_and_changes_nothing(
        window: MainWindow, qtbot) -> None:  # noqa: ANN001  # fmt: skip
    doc = window.session.doc
    on_disk = Path(window.session.path).read_bytes()
    b0, r0, b1, r1 = into_own_footnote(doc)
    view = window.view
    view.setTextCursor(_cursor_at(view, view.map.reading_to_qt(b0, r0)))
    view.setFocus()
    for _ in range(r1 + 20):  # to the paragraph's end, then into the footnote shown below it
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    sel = view.reading_selection()
    assert sel is not None and sel[:2] == (b0, r0) and sel[2] == b1
    qtbot.keyClick(view, Qt.Key.Key_C)
    assert "run forward" in errors.history[-1][1]
    assert window.session.to_bytes() == on_disk
    assert window.session.undo_stack.count() == 0 and not window.isWindowModified()
    assert window.session.existing_person_id() == ""


def test_pasted_control_characters_are_replaced_with_a_notice(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    from PySide6.QtGui import QGuiApplication

    p = first_paragraph(window)
    select_words(window, p, 0, 12)
    aid = window.annotate("gl-comment")
    note = window.note_edit
    assert note.hasFocus()
    qtbot.keyClicks(note, "Page one.")
    QGuiApplication.clipboard().setText("\fPage two\x00 ends\x07 here.\ufffe")  # as copied from a PDF
    qtbot.keyClick(note, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(note, " More.")
    window.editor.commit_pending()
    assert window.session.doc.annotation(aid).note == ["Page one.", "Page two ends here. More."]
    assert note.toPlainText() == "Page one.\n\nPage two ends here. More."
    assert "cannot hold" in window.statusBar().currentMessage()
    assert errors.history == []
    select_words(window, p, 20, 30)
    fid = window.annotate("gl-figure")
    stated = window.editor.stated_edit
    stated.setFocus()
    stated.selectAll()
    QGuiApplication.clipboard().setText("12\f000\x00")
    qtbot.keyClick(stated, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    window.editor.commit_pending()
    assert window.session.doc.annotation(fid).figure.stated == "12 000"
    window.save()
    assert tei.load(window.session.path).annotation(aid).note == ["Page one.", "Page two ends here. More."]
