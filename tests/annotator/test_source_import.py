"""Bibliographies into the Sources panel: Sources ▸ Import…, Zotero, and files dropped on the panel."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog

from annotator import errors
from annotator.main_window import MainWindow
from annotator.source_import import ImportReportDialog, ZoteroPickDialog
from tei import bibliography, ns
from tests.tei.test_bibliography import recorded, zotero_with

from .test_hands import LEFT, click_source, hands  # noqa: F401 - the fixture

BIB = Path(__file__).resolve().parents[1] / "data" / "bib"
WHEN = "2025-01-01T00:00:00Z"


@pytest.fixture
def reports(monkeypatch: pytest.MonkeyPatch) -> list[list[tuple[str, ...]]]:
    """The report dialogs shown (their rows); the dialog itself is closed at once."""
    shown: list[list[tuple[str, ...]]] = []

    def exec_(self: ImportReportDialog) -> int:
        shown.append(self.rows())
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ImportReportDialog, "exec", exec_)
    return shown


def bibl_structs(window: MainWindow) -> list[str]:
    return [s.id for s in window.session.doc.sources() if s.element.tag == ns.qn("biblStruct")]


def test_sources_menu_import_is_one_undo_step_with_a_report(window: MainWindow, monkeypatch, reports) -> None:  # noqa: ANN001
    picked = [str(BIB / "sample.bib"), str(BIB / "sample.ris")]
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: (picked, "")))
    before = window.session.to_bytes(WHEN)
    steps = window.session.undo_stack.count()
    menu = window.source_import.menu
    texts = [a.text() for a in menu.actions()]
    assert texts[:2] == ["&Import…", "Import from &Zotero…"] and "Make sources from &footnotes…" in texts
    assert menu.menuAction() in window.menuBar().actions()
    assert [a.text() for a in window.menuBar().actions()].count("&Sources") == 1  # one Sources menu
    window.source_import.action_import.trigger()  # as a menu click: triggered(False)
    assert window.session.undo_stack.count() == steps + 1
    assert len(bibl_structs(window)) == 8
    [rows] = reports
    assert ("skipped", "sample.bib: @misc{untitled2001} (line 43)", "", "it has no title") in rows
    assert [r[0] for r in rows].count("added") == 8 and [r[0] for r in rows].count("merged") == 1
    after = window.session.to_bytes(WHEN)
    assert window.session.is_dirty()
    window.session.undo_stack.undo()
    assert window.session.to_bytes(WHEN) == before and bibl_structs(window) == []
    window.session.undo_stack.redo()
    assert window.session.to_bytes(WHEN) == after
    assert window.sources_panel.select_id(bibl_structs(window)[0])


def test_a_merge_is_undone_back_to_the_users_entry(window: MainWindow, reports) -> None:  # noqa: ANN001
    sid = window.session.add_source({"author": "Chuikov, V. I.", "title": "Mission in China", "date": "1981"})
    before = window.session.to_bytes(WHEN)
    window.source_import.import_paths([str(BIB / "sample.json")])
    assert reports[0][0][:3] == ("merged", "sample.json: http://zotero.org/users/12345/items/ABCD2345 "
                                 "“Mission in China”", sid)  # fmt: skip
    fields = tei_fields(window, sid)
    assert (fields["author"], fields["place"]) == ("Chuikov, V. I.", "Moscow")
    window.session.undo_stack.undo()
    assert window.session.to_bytes(WHEN) == before


def tei_fields(window: MainWindow, sid: str) -> dict[str, str]:
    from tei.document import bibl_fields

    return bibl_fields(window.session.doc.element_by_id(sid))


def drop(widget, paths: list[Path]) -> tuple[bool, bool]:  # noqa: ANN001
    """Drag files over ``widget`` and drop them; return whether the enter and the drop were taken."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = widget.rect().center()
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)  # fmt: skip
    QApplication.sendEvent(widget, enter)
    event = QDropEvent(QPointF(pos), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)  # fmt: skip
    QApplication.sendEvent(widget, event)
    return enter.isAccepted(), event.isAccepted()


def test_dropping_bibliographies_on_the_sources_panel_imports_them(window: MainWindow, reports, tmp_path: Path) -> None:  # noqa: ANN001
    window.sources_dock.show()
    window.sources_dock.raise_()
    other = tmp_path / "notes.txt"
    other.write_text("not a bibliography")
    steps = window.session.undo_stack.count()
    assert drop(window.sources_panel, [BIB / "sample.json", BIB / "invalid.json", other]) == (True, True)
    assert window.session.undo_stack.count() == steps + 1
    assert len(bibl_structs(window)) == 3
    [rows] = reports
    assert ("skipped", "invalid.json: (the file)", "",
            "invalid JSON at line 3, column 3: Expecting ',' delimiter") in rows  # fmt: skip
    assert window.sources_panel.model.rowCount() >= 1
    assert window.sources_panel.select_id(bibl_structs(window)[0])
    title = window.sources_panel.edits["title"]
    assert drop(title, [BIB / "sample.ris"]) == (True, True)  # on a form field: imported, not typed
    assert "sample.ris" not in title.text() and len(reports) == 2 and len(bibl_structs(window)) == 6


def test_an_imported_source_is_edited_in_the_panel_without_losing_its_structure(
        hands: MainWindow, qtbot, reports) -> None:  # noqa: ANN001, F811  # fmt: skip
    w = hands
    w.source_import.import_paths([str(BIB / "sample.bib")])
    sid = next(s.id for s in w.session.doc.sources() if "Müller" in s.citation)
    click_source(qtbot, w, sid)
    panel = w.sources_panel
    assert panel.edits["title"].text() == "Škoda and the Soviet Aid — a Reassessment"
    assert panel.edits["author"].text() == "Müller, Hans; de la Fontaine, Jean; World Bank"
    panel.edits["date"].selectAll()
    qtbot.keyClicks(panel.edits["date"], "2001")
    qtbot.mouseClick(panel.save_button, LEFT)
    el = w.session.doc.element_by_id(sid)
    assert [ns.local_name(c.tag) for c in el] == ["analytic", "monogr"]
    date = el.find(f".//{ns.qn('imprint')}/{ns.qn('date')}")
    assert (date.text, date.get("when")) == ("2001", "2001")
    assert len(el.findall(f"{ns.qn('analytic')}/{ns.qn('author')}")) == 3


def test_zotero_items_of_a_collection_are_picked_and_imported(window: MainWindow, monkeypatch, reports) -> None:  # noqa: ANN001
    seen: list[str] = []
    zotero = zotero_with(recorded(seen))
    monkeypatch.setattr(bibliography, "ZoteroLocal", lambda: zotero)

    def pick(dialog: ZoteroPickDialog) -> int:
        assert dialog.items.count() == 2  # the whole library: notes and files left out
        dialog.collection.setCurrentIndex(1)  # "Soviet aid to China (2)"
        assert dialog.collection.currentText() == "Soviet aid to China (2)"
        assert dialog.collection.itemText(2) == "Soviet aid to China ▸ Advisers (1)"
        assert [dialog.items.item(i).text() for i in range(dialog.items.count())] == [
            "Kapitsa · 1979 · Sino-Soviet Relations: A Reassessment"]
        dialog.select_all.click()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ZoteroPickDialog, "exec", pick)
    window.source_import.action_zotero.trigger()  # as a menu click: triggered(False)
    [sid] = bibl_structs(window)
    el = window.session.doc.element_by_id(sid)
    assert el.get("corresp") == "http://zotero.org/users/4711/items/KAPIT002"
    assert reports[0][0][0] == "added"


def test_zotero_not_running_gets_a_clear_message(window: MainWindow, monkeypatch, reports) -> None:  # noqa: ANN001
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    zotero = zotero_with(httpx.MockTransport(refuse))
    monkeypatch.setattr(bibliography, "ZoteroLocal", lambda: zotero)
    steps = window.session.undo_stack.count()
    window.source_import.action_zotero.trigger()  # as a menu click: triggered(False)
    title, text = errors.history[-1]
    assert "Zotero is not running" in text and "Allow other applications" in text
    assert window.session.undo_stack.count() == steps and reports == []


def test_a_single_zotero_item_is_ticked_with_the_keyboard(window: MainWindow, qtbot, monkeypatch, reports) -> None:  # noqa: ANN001
    zotero = zotero_with(recorded([]))
    monkeypatch.setattr(bibliography, "ZoteroLocal", lambda: zotero)

    def pick(dialog: ZoteroPickDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.items.setFocus()
        dialog.items.setCurrentRow(0)
        qtbot.keyClick(dialog.items, Qt.Key.Key_Space)
        assert [z.key for z in dialog.chosen()] == ["CHUIK001"]
        dialog.hide()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ZoteroPickDialog, "exec", pick)
    window.source_import.action_zotero.trigger()  # as a menu click: triggered(False)
    [sid] = bibl_structs(window)
    assert window.session.doc.element_by_id(sid).get("corresp") == "http://zotero.org/users/4711/items/CHUIK001"
