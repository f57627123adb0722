"""Wording a person reads: labels, message titles and hints say what they mean."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QWidget

import tei
from annotator.errors import describe
from annotator.preferences import PreferencesDialog

_LONE_AMPERSAND = re.compile(r"(?<!&)&(?!&)")


def _labels_showing_an_ampersand(root: QWidget) -> list[str]:
    """Return the texts of labels that would show a mnemonic '&' literally (no buddy to act on)."""
    return [label.text() for label in root.findChildren(QLabel)
            if _LONE_AMPERSAND.search(label.text()) and label.buddy() is None
            and not label.textFormat() == label.textFormat().RichText]  # fmt: skip


def test_no_label_in_the_preferences_or_the_window_shows_a_literal_ampersand(qtbot, window) -> None:  # noqa: ANN001
    """"Validation &schema" showed its ampersand: a mnemonic needs a buddy to become an underline."""
    dialog = PreferencesDialog(window)
    qtbot.addWidget(dialog)
    assert _labels_showing_an_ampersand(dialog) == []
    assert _labels_showing_an_ampersand(window) == []


def test_an_external_entity_is_refused_as_unsafe_not_called_broken(tmp_path: Path) -> None:
    """The XXE refusal is titled as what it is: the file is well-formed, Glossator refuses it."""
    path = tmp_path / "xxe.xml"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE TEI [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
                    '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader/><text><body><p>&xxe;</p>'
                    "</body></text></TEI>\n")  # fmt: skip
    with pytest.raises(tei.TeiError) as info:
        tei.load(str(path))
    title, text = describe(info.value)
    assert title == "Unsafe XML refused"
    assert "outside the document" in text and "/etc/passwd" not in text


def test_a_text_file_is_not_called_empty_or_not_text(tmp_path: Path) -> None:
    """A plain-text file given as XML is told it is not XML, and where to import it instead."""
    path = tmp_path / "notes.xml"
    path.write_text("Plain notes, not XML.\n")
    with pytest.raises(tei.NotXmlError) as info:
        tei.load(str(path))
    title, text = describe(info.value)
    assert title == "Not an XML file"
    assert "not text" not in text and "empty" not in text
    assert "Import text" in text


def test_a_taken_category_key_is_not_called_an_annotation_problem(qtbot, window) -> None:  # noqa: ANN001
    """The taxonomy editor's duplicate-key refusal has a title about categories."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    window.taxonomy_dock.show()
    window.taxonomy_dock.raise_()
    editor = window.taxonomy_editor
    first, second = list(window.session.doc.taxonomy.categories.values())[:2]
    assert first.shortcut
    editor.select(second.id)
    editor.shortcut_edit.setFocus()
    editor.shortcut_edit.selectAll()
    QTest.keyClicks(editor.shortcut_edit, first.shortcut)
    QTest.mouseClick(editor.apply_button, Qt.MouseButton.LeftButton)
    from annotator import errors

    assert [title for title, _ in errors.history] == ["Category not changed"]
    assert window.session.doc.taxonomy.categories[second.id].shortcut != first.shortcut.upper()


def test_two_warnings_read_as_two_sentences(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    """A duplicate id and an orphan annotation: the bar shows two sentences, not one run-on."""
    from annotator.main_window import MainWindow

    path = tmp_path / "two.xml"
    path.write_text(
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>T</title>'
        "</titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc>"
        '</teiHeader><text><body><p xml:id="a">One.</p><p xml:id="a">Two.</p></body></text>'
        '<standOff type="glossator"><listAnnotation><annotation xml:id="x" target="#nowhere" '
        'motivation="commenting"/></listAnnotation></standOff></TEI>')  # fmt: skip
    w = MainWindow(str(path))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    text = w.message_bar.label.text()
    assert "pointers to them are ambiguous. 1 annotation(s) could not be placed" in text, text
