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
    for combo in (w.list_panel.filter_category, w.findChild(QComboBox, "category_combo")):
        labels = [combo.itemText(i) for i in range(combo.count())]
        assert labels and not any("edition" in t.lower() or len(t) > 40 for t in labels), labels


def test_a_footnote_without_a_reference_is_shown_apart_not_as_a_callout(window: MainWindow) -> None:
    doc, view = window.session.doc, window.view
    p20 = doc.text.block_index(doc.element_by_id("p20"))
    db = view.map.blocks[view.map.qt_block_of[p20]]
    assert "between them." in db.text
    assert "29" not in [r.text for r in db.runs if r.kind == "noteref"]
    assert "between them.29" not in view.toPlainText()
    note = doc.text.block_index(doc.element_by_id("fn29"))
    shown = view.map.blocks[view.map.qt_block_of[note]].text
    assert shown.startswith("29\u2002[note without a reference in the source, page 79]")
    pane = window.notes_pane
    rows = [pane.item(k).text() for k in range(pane.count())]
    assert any(r.startswith("n. 29 (note without a reference in the source, page 79)") for r in rows)
    assert sum(1 for r in rows if r.split("n. ")[1].split()[0].isdigit()) == 49  # every footnote still listed


def test_an_older_import_with_the_note_in_the_paragraph_shows_no_callout(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    from tests.tei.test_import_text import SAMPLE_XML

    old = SAMPLE_XML.read_text("utf-8")
    note = old[old.index('<note place="foot" n="29"'):]
    note = note[: note.index("</note>") + 7]
    old = old.replace(note, "").replace("between them.", "between them." + note, 1)
    path = tmp_path / "old.xml"
    path.write_text(old, "utf-8")
    w = open_window(qtbot, path)
    assert "between them.29" not in w.view.toPlainText()
    assert "29\u2002[note without a reference in the source]" in w.view.toPlainText()


VARIANTS = """<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>V</title>
</titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc></teiHeader>
<text><body>
<p>εἰς τὸν οἶκον <app><lem wit="#A">Ἀβιμέλεχ</lem><rdg wit="#B #C">Ἀχιμέλεχ</rdg><note>siehe aber den
Namen</note></app> ἦλθεν, <app><rdg wit="#A">πρῶτον</rdg><rdg wit="#B">πρώτως</rdg></app> δέ.</p>
<p><ruby><rb>漢字</rb><rt>かんじ</rt></ruby>を書く<note place="inline">注記</note>。第一行
<lb/>第二行<lb/>
第三行 and an English
<lb/>line.</p>
</body></text></TEI>"""


def test_apparatus_ruby_inline_notes_and_cjk_line_breaks_read_as_the_text(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    path = tmp_path / "variants.xml"
    path.write_text(VARIANTS, "utf-8")
    w = open_window(qtbot, path)
    text = w.view.toPlainText()
    assert "εἰς τὸν οἶκον Ἀβιμέλεχ ἦλθεν, πρῶτον δέ." in text
    assert "Ἀχιμέλεχ" not in text and "siehe" not in text and "πρώτως" not in text
    assert "漢字を書く注記。第一行第二行第三行 and an English line." in text
    assert "かんじ" not in text
    # hovering the lemma lists every reading with its witnesses, and the witness note
    view = w.view
    doc = w.session.doc
    qt = view.map.reading_to_qt(0, doc.text.blocks[0].reading.index("Ἀβιμέλεχ") + 2)
    cur = QTextCursor(view.document())
    cur.setPosition(qt)
    pt = view.cursorRect(cur).center()
    QApplication.sendEvent(view.viewport(), QHelpEvent(QEvent.Type.ToolTip, pt, view.viewport().mapToGlobal(pt)))
    tip = QToolTip.text()
    assert "lem (A): Ἀβιμέλεχ" in tip and "rdg (B, C): Ἀχιμέλεχ" in tip and "siehe aber den Namen" in tip
    qt = view.map.reading_to_qt(1, 1)
    cur.setPosition(qt)
    pt = view.cursorRect(cur).center()
    QApplication.sendEvent(view.viewport(), QHelpEvent(QEvent.Type.ToolTip, pt, view.viewport().mapToGlobal(pt)))
    assert "rt: かんじ" in QToolTip.text()
    pane = w.notes_pane
    rows = [pane.item(k).text() for k in range(pane.count())]
    assert rows[0].startswith("‡") and "rdg (B, C): Ἀχιμέλεχ" in rows[0] and "note: siehe" in rows[0]
    assert rows[1].startswith("‡") and "rdg (A): πρῶτον ‖ rdg (B): πρώτως" in rows[1]
    assert len(rows) == 2  # no footnote block for the witness note or the inline note


PLAY = """<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>P</title>
</titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc></teiHeader>
<text><front><titlePage><docTitle><titlePart type="main">Die letzten Tage der Menschheit</titlePart>
<titlePart type="sub">Tragödie in fünf Akten</titlePart></docTitle></titlePage>
<epigraph><lg><l>Verse one,</l><l>verse two.</l></lg></epigraph></front>
<body><p>First<note>a note</note> and second<note>another</note>.</p><p>Third<note>more</note>.</p>
<msDesc><msIdentifier><settlement>Oxford</settlement> <idno>MS. Abinger c. 56</idno></msIdentifier>
<msContents><msItem><locus>1r-20v</locus><title>Frankenstein</title></msItem></msContents></msDesc>
</body></text></TEI>"""


def test_plays_and_manuscript_descriptions_keep_their_lines(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "play.xml"
    path.write_text(PLAY, "utf-8")
    w = open_window(qtbot, path)
    lines = w.view.toPlainText().split("\n")
    start = lines.index("Die letzten Tage der Menschheit")
    assert lines[start + 1] == "Tragödie in fünf Akten"  # the subtitle on its own line, smaller
    formats = [w.view.block_formats(w.view.map.qt_block_of[i]) for i in (0, 1)]
    title, sub = (f[0].format.fontPointSize() for f in formats)
    assert sub < title
    assert lines[lines.index("Verse one,") + 1] == "verse two."  # verse as verse
    assert "First1 and second2." in lines and "Third3." in lines  # not all labelled "1"
    assert "Identifier: Oxford MS. Abinger c. 56" in lines
    assert "Folios: 1r-20v" in lines and "Title: Frankenstein" in lines
    # the labels are shown, not text: selecting the title's line selects "Frankenstein" only
    i = next(k for k, b in enumerate(w.session.doc.text.blocks) if b.reading == "Frankenstein")
    w.view.select_reading(i, 0, i, len("Frankenstein"))
    assert w.view.textCursor().selectedText() == "Frankenstein"


def test_a_source_document_made_of_xincludes_says_so(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "sourcedoc.xml"
    path.write_text(PLAY.split("<text>")[0] + '<sourceDoc xmlns:xi="http://www.w3.org/2001/XInclude">'
                    '<xi:include href="pages/0001.xml"/><xi:include href="pages/0002.xml"/>'
                    "</sourceDoc></TEI>", "utf-8")  # fmt: skip
    w = open_window(qtbot, path)
    text = w.message_bar.label.text()
    assert "<sourceDoc>" in text and "XInclude" in text and "pages/0001.xml" in text
    assert "2 part(s)" in text and "its <text> is empty" not in text


def test_recogito_annotations_are_placed_and_their_tags_shown(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QAbstractItemView, QLabel

    from tests.tei.test_foreign import RECOGITO

    path = tmp_path / "recogito.xml"
    path.write_text(RECOGITO, "utf-8")
    w = open_window(qtbot, path)
    assert not w.view.unresolved  # none listed as an orphan
    assert [r[:2] for r in w.view.pieces[0]] == [(0, 8), (9, 26)]
    listing = w.findChild(QAbstractItemView, "annotation_list")
    model = listing.model()
    cells = [[model.index(r, c).data() for c in (0, 1)] for r in range(model.rowCount())]
    assert ["Napoleon", "tag: Name"] in cells and ["Milan", "tag: Place"] in cells
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "Napoleon")
    rect = listing.visualRect(model.index(row, 0))
    qtbot.mouseClick(listing.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert w.editor.ann_id == "uid-1"
    tags = w.findChild(QLabel, "tags_label")
    assert tags.isVisible() and tags.text() == "Name"
    assert "Napoleon" in w.editor.quote_label.text()


def test_document_panel_shows_the_header_and_the_source_of_the_selection(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QDockWidget, QPlainTextEdit, QTextBrowser

    dock = window.findChild(QDockWidget, "document_dock")
    dock.show()
    dock.raise_()
    header = window.findChild(QTextBrowser, "document_header").toPlainText()
    assert "Title" in header and "Soviet aid to China (English machine translation" in header
    assert "Revision history" in header and "2026-12-01T20:24:25+00:00" in header
    assert "Source" in header and "Imported from the plain-text file" in header
    # select "between them." with the keyboard; Ctrl+U shows the paragraph's XML, passage marked
    doc, view = window.session.doc, window.view
    p20 = doc.text.block_index(doc.element_by_id("p20"))
    start = doc.text.blocks[p20].reading.index("between them.")
    cur = QTextCursor(view.document())
    cur.setPosition(view.map.reading_to_qt(p20, start))
    view.setTextCursor(cur)
    view.setFocus()
    for _ in range(len("between them.")):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(view, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    dialog = window.document_panel.dialog
    assert dialog is not None and dialog.isVisible()
    source = dialog.findChild(QPlainTextEdit, "source_text")
    assert source.isReadOnly()
    assert source.toPlainText().startswith('<p xml:id="p20">The work of Soviet military advisers')
    assert dialog.marked_text() == "between them."
    assert source.extraSelections()[0].cursor.selectedText() == "between them."


def test_source_of_a_passage_across_markup_marks_the_markup_too() -> None:
    import tei
    from annotator.document_panel import marked_source

    doc = tei.TeiDocument.from_bytes(VARIANTS.encode())
    p = doc.text.blocks[1].element
    xml, a, b = marked_source(p, 0, len("漢字かんじ"))
    assert xml[a:b] == "漢字</rb><rt>かんじ"
    xml, a, b = marked_source(p, 2, 2)  # a caret: an empty mark at its place
    assert a == b and xml[:a].endswith("漢字</rb><rt>")


def test_recogito_annotations_on_the_header_show_their_passage_and_why_they_are_not_placed(qtbot) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QAbstractItemView

    path = CORPUS / "malformed" / "recogito__buonaparte.tei.xml"
    if not path.is_file():
        pytest.skip("no corpus")
    w = open_window(qtbot, path)
    model = w.findChild(QAbstractItemView, "annotation_list").model()
    cells = [[model.index(r, c).data() for c in (0, 1)] for r in range(model.rowCount())]
    assert cells[0][0] and "tag: Name" in cells[0][1]
    assert all("outside" in reason for reason in w.view.unresolved.values())


def test_a_manuscript_description_in_the_header_reads_as_fields() -> None:
    import tei
    from annotator.document_panel import header_fields

    path = CORPUS / "fihrist__WMS_Arabic_84.xml"
    if not path.is_file():
        pytest.skip("no corpus")
    fields = dict(header_fields(tei.load(path)))
    source = fields["Source"]
    assert source[0].startswith("Identifier: United Kingdom London Wellcome")
    assert "Folios: ff. 1b.-148b." in source and any(s.startswith("Incipit: ") for s in source)
    assert all(len(s) < 320 for s in source)


def test_deletions_read_struck_out_and_additions_set_off(window: MainWindow) -> None:
    import tei

    doc = tei.TeiDocument.from_bytes(
        b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader/><text><body><p>regulated my fate I '
        b'<del rend="strikethrough">wish</del> <add place="superlinear">desire</add> in this account'
        b"</p></body></text></TEI>")  # fmt: skip
    window.open_document(doc, "draft")
    view = window.view
    formats = view.block_formats(view.map.qt_block_of[0])
    text = view.map.blocks[view.map.qt_block_of[0]].text
    struck = [text[f.start : f.start + f.length] for f in formats if f.format.fontStrikeOut()]
    assert struck == ["wish"]
    added = [text[f.start : f.start + f.length] for f in formats
             if f.format.foreground().color().name() == "#7a4b1c"]  # fmt: skip
    assert added == ["desire"]


def test_a_page_turning_inside_a_word_adds_no_space(window: MainWindow) -> None:
    text = window.view.toPlainText()
    assert "totaling bo-[77]more than" in text  # <pb break="no"/>: the word goes on
    assert "supply and [78] credit" in text  # between words the marker stands apart
