"""Crash recovery when the file changed meanwhile, copies nobody has seen, and stray temp files."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

import tei
from annotator import recovery
from annotator.main_window import MainWindow

from .conftest import FROZEN
from .test_lifecycle import _outside_edit, annotate_by_keys


def _crash(window: MainWindow) -> None:
    """What a kill leaves: the recovery copy on disk, no save, no question."""
    window.editor._timer.stop()  # noqa: SLF001 - no pending commit fires
    window.session.undo_stack.setClean()
    window.has_document = False
    window.lifecycle.stop()


def _notes(doc: tei.TeiDocument) -> list[str]:
    return sorted(" ".join(a.note) for a in doc.annotations())


def _restart(qtbot, path: Path) -> MainWindow:  # noqa: ANN001
    w = MainWindow(str(path))
    w.session.set_identity("Test Historian")
    w.session.clock = lambda: FROZEN
    qtbot.addWidget(w)
    return w


def test_work_lost_in_a_crash_is_restored_onto_a_file_changed_since(window: MainWindow, qtbot,  # noqa: ANN001
                                                                     sample_copy: Path) -> None:  # fmt: skip
    quote = window.session.doc.text.blocks[0].reading[4:38]
    aid = annotate_by_keys(window, qtbot, 0, 4, 34, note="typed before the crash")
    assert window.autosave()
    qtbot.keyClicks(window.note_edit, " and after")  # only in the typing journal
    _crash(window)
    time.sleep(0.01)
    _outside_edit(sample_copy, (quote, "Glorious " + quote))  # a sync client, a git pull…
    second = _restart(qtbot, sample_copy)
    bar = second.message_bar
    assert bar.kind == "recovery" and "changed by another program since" in bar.label.text()
    bar.button("Restore").click()
    doc = second.session.doc
    assert "Glorious" in doc.text.blocks[0].reading  # the other program's change is kept
    ann = doc.annotation(aid)
    assert ann.note == ["typed before the crash and after"]
    res = doc.resolve(ann.target)[0]
    assert res.ok and doc.quote_for(res.start, res.end)[0] == quote  # re-anchored by its quote
    assert second.save()
    saved = tei.load(str(sample_copy))
    assert "Glorious" in saved.text.blocks[0].reading
    assert saved.annotation(aid).note == ["typed before the crash and after"]
    assert recovery.find(str(sample_copy)) is None


def test_a_save_does_not_delete_a_recovery_copy_nobody_has_seen(window: MainWindow, qtbot,  # noqa: ANN001
                                                                 sample_copy: Path) -> None:  # fmt: skip
    annotate_by_keys(window, qtbot, 0, 4, 34, note="lost unless kept")
    written = window.autosave()
    _crash(window)
    os.utime(written, (time.time() + 5, time.time() + 5))
    second = _restart(qtbot, sample_copy)
    assert second.message_bar.kind == "recovery"
    second.show()
    qtbot.waitExposed(second)
    # the user ignores the bar, annotates something else and saves with Ctrl+S
    other = annotate_by_keys(second, qtbot, 1, 0, 12, Qt.Key.Key_B)
    second.editor.commit_pending()
    second.activateWindow()
    second.view.setFocus()
    qtbot.keyClick(second.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not second.isWindowModified() and tei.load(str(sample_copy)).annotation(other)
    kept = recovery.find(str(sample_copy))
    assert kept is not None and kept.data_path != str(sample_copy)
    # the bar still restores it, onto the file as saved now (both annotations survive)
    assert second.message_bar.kind == "recovery"
    second.message_bar.button("Restore").click()
    assert _notes(second.session.doc) == ["", "lost unless kept"]  # both, whatever their ids
    assert second.save()
    assert _notes(tei.load(str(sample_copy))) == ["", "lost unless kept"]
    assert recovery.find(str(sample_copy)) is None


def test_a_copy_left_unanswered_is_offered_again_next_time(window: MainWindow, qtbot,  # noqa: ANN001
                                                           sample_copy: Path) -> None:  # fmt: skip
    annotate_by_keys(window, qtbot, 0, 4, 34, note="offered again")
    written = window.autosave()
    _crash(window)
    os.utime(written, (time.time() + 5, time.time() + 5))
    second = _restart(qtbot, sample_copy)
    annotate_by_keys(second, qtbot, 1, 0, 12)
    assert second.save()  # the offer was not answered
    second.close()
    third = _restart(qtbot, sample_copy)
    assert third.message_bar.kind == "recovery"
    third.message_bar.button("Restore").click()
    assert _notes(third.session.doc) == ["", "offered again"]


@pytest.mark.parametrize("dead", [True, False])
def test_a_restore_of_a_copy_for_another_file_is_refused(window: MainWindow, dead: bool) -> None:
    rec = recovery.Recovered("/nonexistent/recovery.xml", "/elsewhere/other.xml", time.time())
    assert not window.lifecycle.restore_recovery(rec)
    assert "another file" in window.statusBar().currentMessage()
    del dead


def test_temp_files_of_a_killed_write_are_cleaned_up_only_for_dead_processes(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    import subprocess
    import sys

    folder = Path(recovery.recovery_dir())
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        names = {f".glossator-{dead.pid}-k3j4.tmp": False, f".glossator-{alive.pid}-x9.tmp": True,
                 f".glossator-{os.getpid()}-mine.tmp": True, "0123abcd.xml": True}  # fmt: skip
        for name in names:
            (folder / name).write_bytes(b"<TEI")
        old = folder / ".glossator-q1w2e3.tmp"  # an older Glossator's name, an hour old
        old.write_bytes(b"<TEI")
        os.utime(old, (time.time() - 7200, time.time() - 7200))
        w = MainWindow(None)
        qtbot.addWidget(w)
        for name, kept in names.items():
            assert (folder / name).exists() == kept, name
        assert not old.exists()
    finally:
        alive.kill()
        alive.wait()


def test_a_real_write_leaves_only_temp_names_that_carry_the_process_id(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    seen: list[str] = []
    real_replace = os.replace

    def spy(src, dst):  # noqa: ANN001, ANN202
        seen.append(os.path.basename(str(src)))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    recovery.write(str(tmp_path / "doc.xml"), b"<TEI/>")
    recovery.write_typing(str(tmp_path / "doc.xml"), "", [("a", "note_edit", "x")])
    temps = [n for n in seen if n.endswith(".tmp")]
    # the process id is a field of every temporary name (after the host on the saves' names)
    assert len(temps) == 3 and all(f"-{os.getpid()}-" in n and n.startswith(".glossator-") for n in temps)


def test_clean_stale_removes_a_dead_saves_temporary_file_with_the_hosts_name(tmp_path: Path) -> None:
    """A kill during an atomic write of a recovery copy leaves ``.glossator-HOST-PID-…tmp``: the
    next start deletes it when that process is gone, and keeps a live process's."""
    import subprocess
    import sys

    from tei import storage

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    folder = Path(recovery.recovery_dir())
    gone = folder / f".glossator-{storage._HOST}-{dead.pid}-abcd1234-6.0123456789abcdef.xml.tmp"
    live = folder / f".glossator-{storage._HOST}-{os.getpid()}-abcd1234-6.0123456789abcdef.xml.tmp"
    mine = folder / "notes.tmp"
    for p in (gone, live, mine):
        p.write_text("<TEI/>")
    recovery.clean_stale()
    assert not gone.exists() and live.exists() and mine.exists()
