"""Recovery after a crash, broken files, the corpus, models, import/export and panels."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

import tei
from annotator import errors, recovery
from annotator.main_window import MainWindow

from .conftest import CORPUS, FROZEN, ROOT, first_paragraph, select_words


def test_recover_after_a_simulated_crash(window: MainWindow, qtbot, sample_copy: Path) -> None:  # noqa: ANN001
    p = first_paragraph(window)
    select_words(window, p, 0, 10)
    aid = window.annotate("gl-question")
    window.focus_note()
    qtbot.keyClicks(window.note_edit, "typed just before the crash")
    # no commit: autosave must pick up what was typed
    written = window.autosave()
    assert written and os.path.exists(written)
    window.session.undo_stack.setClean()  # simulate the kill: nothing saved, no prompt
    window.has_document = False
    os.utime(written, (time.time() + 5, time.time() + 5))
    second = MainWindow(str(sample_copy))
    qtbot.addWidget(second)
    assert second.session.doc.annotations() == []
    assert second.message_bar.kind == "recovery"
    second.message_bar.button("Restore").click()
    ann = second.session.doc.annotation(aid)
    assert ann.note == ["typed just before the crash"]
    assert second.isWindowModified()
    assert second.table_model.rowCount() == 1
    second.session.clock = lambda: FROZEN
    assert second.save()
    assert recovery.find(str(sample_copy)) is None
    assert tei.load(str(sample_copy)).annotation(aid).note == ["typed just before the crash"]
    # undoing the restore gives back the file as it was on disk
    second.session.undo_stack.undo()
    assert second.session.doc.annotations() == []


def test_a_kill_loses_nothing_that_was_typed(window: MainWindow, qtbot, sample_copy: Path) -> None:  # noqa: ANN001
    select_words(window, first_paragraph(window), 0, 10)
    aid = window.annotate("gl-comment")
    qtbot.keyClicks(window.note_edit, "first words")  # no pause, no timer: nothing committed
    window.editor.commit_pending()
    written = window.autosave()
    qtbot.keyClicks(window.note_edit, " and the LAST WORDS")  # typed just before the kill
    assert window.editor.has_pending()
    window.editor._timer.stop()  # the kill: no timer fires, nothing else is written
    window.session.undo_stack.setClean()
    window.has_document = False
    os.utime(written, (time.time() + 5, time.time() + 5))
    second = MainWindow(str(sample_copy))
    qtbot.addWidget(second)
    assert second.message_bar.kind == "recovery"
    second.message_bar.button("Restore").click()
    assert second.session.doc.annotation(aid).note == ["first words and the LAST WORDS"]
    second.session.clock = lambda: FROZEN
    assert second.save() and recovery.find(str(sample_copy)) is None
    assert tei.load(str(sample_copy)).annotation(aid).note == ["first words and the LAST WORDS"]


def test_typing_into_a_new_annotation_is_recoverable_at_once(window: MainWindow, qtbot, sample_copy: Path) -> None:  # noqa: ANN001
    select_words(window, first_paragraph(window), 0, 10)
    aid = window.annotate("gl-question")
    qtbot.keyClicks(window.note_edit, "Why?")  # the first keystroke writes a recovery copy
    window.editor._timer.stop()
    window.session.undo_stack.setClean()
    window.has_document = False
    rec = recovery.find(str(sample_copy))
    assert rec is not None and rec.typing == [(aid, "note_edit", "Why?")]
    second = MainWindow(str(sample_copy))
    qtbot.addWidget(second)
    second.message_bar.button("Restore").click()
    assert second.session.doc.annotation(aid).note == ["Why?"]


def test_recovery_discard(window: MainWindow, qtbot, sample_copy: Path) -> None:  # noqa: ANN001
    select_words(window, first_paragraph(window), 0, 10)
    window.annotate("gl-comment")
    written = window.autosave()
    os.utime(written, (time.time() + 5, time.time() + 5))
    window.session.undo_stack.setClean()
    window.has_document = False  # the kill: the first window no longer has the file open
    second = MainWindow(str(sample_copy))
    qtbot.addWidget(second)
    second.message_bar.button("Discard").click()
    assert recovery.find(str(sample_copy)) is None


BROKEN = sorted((CORPUS / "malformed").glob("*")) if (CORPUS / "malformed").is_dir() else []


@pytest.mark.parametrize("name", ["empty", "binary", "not-tei", "truncated", *[p.name for p in BROKEN]])
def test_refuse_a_broken_file_gracefully(name: str, tmp_path: Path, qtbot) -> None:  # noqa: ANN001
    src = CORPUS / "malformed" / name
    path = tmp_path / (name if "." in name else name + ".xml")
    if src.is_file():
        path.write_bytes(src.read_bytes())
    else:
        path.write_bytes({"empty": b"", "binary": bytes(range(256)) * 8,
                          "not-tei": b"<html><body>hi</body></html>",
                          "truncated": b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><p>x'}[name])  # fmt: skip
    w = MainWindow(str(path))
    qtbot.addWidget(w)
    if w.has_document:  # some "malformed" corpus files are only odd, still loadable
        assert w.view.map is not None
        return
    assert errors.history, "a message must be shown"
    title, text = errors.history[-1]
    assert "Traceback" not in text and path.name in text
    assert title in {"Not an XML file", "The XML is broken", "Not a TEI document", "Unreadable characters",
                     "Unsafe XML refused", "Problem with the document"}  # fmt: skip
    assert w.windowTitle() == "Glossator"


def test_open_missing_file(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    w = MainWindow(str(tmp_path / "nope.xml"))
    qtbot.addWidget(w)
    assert not w.has_document and errors.history


@pytest.mark.slow
def test_open_every_corpus_file(qtbot) -> None:  # noqa: ANN001
    files = sorted(p for p in CORPUS.glob("*") if p.suffix in (".xml", ".tei")) if CORPUS.is_dir() else []
    if not files:
        pytest.skip("shared corpus not available")
    w = MainWindow()
    qtbot.addWidget(w)
    for path in files:
        errors.history.clear()
        assert w.open_path(str(path), background=False), (path.name, errors.history)
        m = w.view.map
        assert m is not None and w.view.document().blockCount() == max(1, len(m.blocks))
        assert w.view.document().characterCount() - 1 == m.length
        w.view.format_visible()


def test_background_open_keeps_the_window_responsive(qtbot) -> None:  # noqa: ANN001
    path = CORPUS / "tei-p5-test__tei_lite.xml"
    if not path.is_file():
        pytest.skip("corpus not available")
    w = MainWindow()
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.document_shown, timeout=20000):
        w.open_path(str(path), background=True)
        assert w.progress.isVisibleTo(w)
    assert w.has_document and not w.progress.isVisibleTo(w)


def test_models(qtmodeltester, window: MainWindow) -> None:  # noqa: ANN001
    p = first_paragraph(window)
    for k, cat in enumerate(("gl-bias", "gl-figure", "gl-source")):
        select_words(window, p, 10 * k, 10 * k + 5)
        window.annotate(cat)
    window.session.add_source({"author": "A", "title": "T"})
    qtmodeltester.check(window.table_model)
    qtmodeltester.check(window.filter_model)
    qtmodeltester.check(window.sources_panel.model)
    qtmodeltester.check(window.outline_model)


def test_taxonomy_editor_adds_recolours_and_undoes(window: MainWindow) -> None:
    before = window.session.to_bytes(FROZEN)
    ed = window.taxonomy_editor
    ed.label_edit.setText("Anachronism")
    ed.shortcut_edit.setText("A")
    ed.set_color("#336699")
    ed.parent_combo.setCurrentIndex(0)
    cid = ed.add_from_form()
    assert cid and window.findChild(type(window.action_save), f"action_annotate_{cid}") is not None
    assert window.session.doc.taxonomy.categories[cid].shortcut == "A"
    ed.select("gl-comment")
    ed.label_edit.setText("Remark")
    ed.set_color("#aabbcc")
    ed.apply()
    cat = window.session.doc.taxonomy.categories["gl-comment"]
    assert (cat.label, cat.color) == ("Remark", "#aabbcc")
    assert window.findChild(type(window.action_save), "action_annotate_gl-comment").text() == "Remark"
    window.session.undo_stack.undo()
    window.session.undo_stack.undo()
    assert window.session.to_bytes(FROZEN) == before
    assert window.findChild(type(window.action_save), f"action_annotate_{cid}") is None


def test_taxonomy_editor_refuses_a_key_already_in_use(window: MainWindow) -> None:
    from annotator import errors

    before = window.session.to_bytes(FROZEN)
    ed = window.taxonomy_editor
    ed.select("gl-comment")  # selecting a category does not make it the parent of new ones
    ed.label_edit.setText("Chronology")
    ed.shortcut_edit.setText("f")  # Contested figure's key
    assert ed.add_from_form() == ""
    assert "Contested figure" in errors.history[-1][1]
    ed.select("gl-question")
    ed.shortcut_edit.setText("B")
    ed.apply()
    assert window.session.to_bytes(FROZEN) == before
    ed.label_edit.setText("Chronology")
    ed.shortcut_edit.setText("H")
    cid = ed.add_from_form()
    assert window.session.doc.taxonomy.categories[cid].parent == ""  # top level: in the toolbar
    assert window.findChild(type(window.action_save), f"action_annotate_{cid}") is not None


def test_sources_panel_add_edit_remove(window: MainWindow) -> None:
    panel = window.sources_panel
    panel.edits["author"].setText("Westad, O. A.")
    panel.edits["title"].setText("Brothers in Arms")
    sid = panel.add_from_form()
    assert sid and any(e.id == sid for e in window.session.doc.sources())
    assert panel.edits["author"].text() == ""  # the form is free for the next source
    panel.select_id(sid)  # editing a source starts from choosing it
    assert panel.edits["author"].text() == "Westad, O. A."
    panel.edits["date"].setText("1998")
    panel.apply_form()
    assert "1998" in next(e.citation for e in window.session.doc.sources() if e.id == sid)
    panel.select_id(sid)
    panel.remove_selected()
    assert all(e.id != sid for e in window.session.doc.sources())
    window.session.undo_stack.undo()
    assert any(e.id == sid for e in window.session.doc.sources())
    notes = panel.model.item(1)
    assert notes.rowCount() == sum(1 for b in window.session.doc.text.blocks if b.is_note)
    # a cited source is not removed: no annotation may point at a missing source
    select_words(window, first_paragraph(window), 0, 10)
    aid = window.annotate("gl-source")
    window.cite(sid)
    assert window.session.doc.annotation(aid).source_link.source == sid
    panel.select_id(sid)
    panel.remove_selected()
    assert any(e.id == sid for e in window.session.doc.sources())
    assert "cited by 1 annotation" in errors.history[-1][1]


def test_import_text_opens_an_unsaved_document(window: MainWindow, monkeypatch, tmp_path: Path) -> None:  # noqa: ANN001
    seed = ROOT.parent / "shared" / "seed" / "soviet-aid-to-china.txt"
    if not seed.is_file():
        seed = tmp_path / "a.txt"
        seed.write_text("Title\n\nFirst paragraph.\n\nSecond paragraph.\n", encoding="utf-8")
    shown: list[str] = []
    monkeypatch.setattr(QDialog, "exec", lambda self: (shown.append(self.objectName()), QDialog.DialogCode.Accepted)[1])
    assert window.import_text(str(seed))
    assert shown == ["import_options_dialog", "import_preview_dialog"]
    assert window.session.path is None and window.isWindowModified()
    assert window.view.document().blockCount() > 3
    out = tmp_path / "imported.xml"
    assert window.save_as(str(out))
    assert tei.load(str(out)).text.blocks


def test_export_action_reports_missing_exporter_or_runs(window: MainWindow, monkeypatch, tmp_path: Path, qtbot) -> None:  # noqa: ANN001
    from tei import exporters

    if getattr(exporters, "export", None) is None:
        window.action_export_html.trigger()
        assert errors.history and "export" in errors.history[-1][1].lower()
        return
    monkeypatch.setattr(QDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr("annotator.export_dialog.QDesktopServices.openUrl", lambda url: True)
    dest = tmp_path / "out.html"
    monkeypatch.setattr("annotator.export_dialog.ExportDialog.accept", lambda self: None)
    from annotator.export_dialog import export_function, run_export

    with qtbot.waitSignal(window.statusBar().messageChanged, timeout=20000):
        run_export(window, export_function(), "html", str(dest), {}, False)
    qtbot.waitUntil(lambda: dest.exists() or bool(errors.history), timeout=20000)
    assert dest.exists()
    # the exporter's warnings reach the user
    p = first_paragraph(window)
    for a, b in ((0, 12), (6, 18)):  # overlapping passages: inline TEI splits one of them
        select_words(window, p, a, b)
        window.annotate("gl-comment")
    inline = tmp_path / "inline.xml"
    with qtbot.waitSignal(window.statusBar().messageChanged, timeout=20000):
        run_export(window, export_function(), "tei-inline", str(inline), {}, False)
    assert window.message_bar.kind == "export" and "split" in window.message_bar.label.text()


def test_close_with_unsaved_changes_asks(window: MainWindow, monkeypatch) -> None:  # noqa: ANN001
    select_words(window, first_paragraph(window), 0, 5)
    window.annotate("gl-comment")
    asked: list[int] = []
    monkeypatch.setattr(MainWindow, "ask_save_changes", lambda self: (asked.append(1), "cancel")[1])
    assert not window.close()
    assert asked and window.isVisible()
    monkeypatch.setattr(MainWindow, "ask_save_changes", lambda self: "discard")
    assert window.close()


def test_entry_point_screenshot_and_cli_dispatch(tmp_path: Path, sample_copy: Path, monkeypatch) -> None:  # noqa: ANN001
    from annotator.__main__ import main

    out = tmp_path / "shot.png"
    assert main([str(sample_copy), "--screenshot", str(out)]) == 0
    assert out.stat().st_size > 10_000
    import types

    fake = types.SimpleNamespace(COMMANDS={"export"}, run=lambda argv: 7 if "export" in argv[:2] else 1)
    monkeypatch.setitem(__import__("sys").modules, "tei.cli", fake)
    import tei as tei_pkg

    monkeypatch.setattr(tei_pkg, "cli", fake, raising=False)
    assert main(["export", "x"]) == 7
    assert main(["--debug", "export", "x"]) == 7  # the CLI's --debug does not start the app


def test_a_document_without_text_says_so(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "record.xml"
    path.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>'
                    "MS</title></titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><msDesc>"
                    "<msIdentifier><idno>84</idno></msIdentifier></msDesc></sourceDesc></fileDesc>"
                    "</teiHeader><text><body><p/></body></text></TEI>", encoding="utf-8")  # fmt: skip
    window = MainWindow(str(path))
    qtbot.addWidget(window)
    assert window.message_bar.kind == "warnings" and "no text to read" in window.message_bar.label.text()
