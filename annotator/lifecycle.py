"""The document lifecycle: open (foreground or background), save, save as, reload, watching the
file for changes by other programs, and crash recovery (autosave, restore offers).

:class:`Lifecycle` is built by the main window and works on its session, editor and message
bar; the window keeps only thin entry points (``open_path``, ``save``…) that call it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from typing import TYPE_CHECKING

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox

import tei
from tei import anchoring
from tei.document import TeiDocument
from tei.resources import ANNOTATED_SAMPLE
from tei.storage import is_read_only

from . import lock, preload, recovery, settings
from .display import DisplayMap, empty_text_message
from .errors import show_error

if TYPE_CHECKING:
    from .main_window import MainWindow

log = logging.getLogger(__name__)

SAMPLE = str(ANNOTATED_SAMPLE)  # what `glossator` without a file opens
#: seconds: a file expected to open slower than this opens in the background (the window stays live)
FOREGROUND_SECONDS = 0.2
#: milliseconds: recovery copies are written at most about this often during a burst of changes
CHANGE_PAUSE = 2500


class Loader(QObject):
    """Loads a TEI file and builds its display map on a worker thread."""

    done = Signal(object, object, str)  # doc, display map, path
    failed = Signal(object, str)

    def start(self, path: str) -> None:
        """Begin loading ``path`` in the background."""
        threading.Thread(target=self._run, args=(path,), daemon=True, name="glossator-load").start()

    def _run(self, path: str) -> None:
        started = time.perf_counter()
        try:
            doc = preload.load(path)  # (perhaps loaded while the app started: see preload.py)
            display = DisplayMap(doc)
        except BaseException as exc:  # noqa: BLE001 - reported through show_error
            self.failed.emit(exc, path)
            return
        self.seconds = time.perf_counter() - started  # learnt on the GUI thread (settings)
        self.done.emit(doc, display, path)


def expected_open_seconds(path: str) -> float:
    """Return how long opening ``path`` should take here, from the speed learnt on earlier opens."""
    try:
        size = os.path.getsize(path)
    except OSError:
        return 0.0
    return size / max(1.0, settings.get("files/open_bytes_per_second"))


def learn_open_speed(path: str, seconds: float) -> None:
    """Fold one measured open (parse and text layout) into the learnt speed (a moving average)."""
    try:
        size = os.path.getsize(path)
    except OSError:
        return
    if size < 200_000 or seconds <= 0:  # small files measure overheads, not speed
        return
    old = settings.get("files/open_bytes_per_second")
    settings.put("files/open_bytes_per_second", 0.7 * old + 0.3 * (size / seconds))


class Lifecycle(QObject):
    """Opens, saves, reloads and recovers the window's document; watches its file."""

    #: the open windows' lifecycles: their untitled recovery copies are theirs, not left behind
    live: weakref.WeakSet[Lifecycle] = weakref.WeakSet()

    def __init__(self, win: MainWindow) -> None:
        super().__init__(win)
        self.win = win
        Lifecycle.live.add(self)
        self.untitled_key = recovery.new_untitled_key()
        self.untitled_title = ""
        self.base: dict[str, str] = {}  # fingerprints of the annotations as in the file
        self.pending: recovery.Recovered | None = None  # offered, neither restored nor discarded
        self.locked_by: lock.Holder | None = None  # the file is open in another window
        self.recovered_at = 0
        self._loader: Loader | None = None
        self.watcher = QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(self.file_changed)
        self.autosave_timer = QTimer(self)
        self.autosave_timer.timeout.connect(self.autosave)
        self.change_timer = QTimer(self)
        self.change_timer.setSingleShot(True)
        self._last_write = 0.0
        self.change_timer.timeout.connect(self.autosave)

    def wire(self) -> None:
        """Follow the session and the editor (called once the window is built)."""
        w = self.win
        w.session.document_replaced.connect(self._document_shown)
        w.session.undo_stack.indexChanged.connect(self._stack_changed)
        w.editor.typed.connect(self.write_typing)
        w.message_bar.closed.connect(self._message_closed)
        self.apply_autosave_interval()
        recovery.clean_stale()

    def stop(self) -> None:
        """Stop the timers and give up the file (the window is closing)."""
        self.autosave_timer.stop()
        self.change_timer.stop()
        lock.release(self.win.session.path, self)
        Lifecycle.live.discard(self)

    @property
    def read_only(self) -> bool:
        """Tell whether the file is open read-only here (another window has it open)."""
        return self.locked_by is not None

    def holds(self, path: str) -> bool:
        """Tell whether this window has ``path`` open for writing (see :mod:`lock`)."""
        w = self.win
        mine = w.session.path
        return w.has_document and bool(mine) and os.path.realpath(mine) == path and not self.read_only

    def _rec_path(self) -> str | None:
        """Return the path recovery copies are kept under (None: as an untitled document,
        for a file open read-only, whose copy belongs to the window that has it open)."""
        return None if self.read_only else self.win.session.path

    def _stack_changed(self, _index: int) -> None:
        """Write a recovery copy after every change: at once after a quiet spell (so that a
        kill right after one action loses nothing), else once a burst of changes pauses."""
        quiet = time.monotonic() - self._last_write >= CHANGE_PAUSE / 1000
        self.change_timer.start(0 if quiet and not self.change_timer.isActive() else CHANGE_PAUSE)

    def _document_shown(self) -> None:
        self.recovered_at = self.win.session.undo_stack.index()

    # -- opening ------------------------------------------------------------------------------
    def open_path(self, path: str, background: bool | None = None) -> bool:
        """Open a TEI file; returns False (after a clear message) if it cannot be opened."""
        if not self.confirm_discard():
            return False
        path = os.path.abspath(path)
        if background is None:
            background = expected_open_seconds(path) > FOREGROUND_SECONDS
        if background:
            self._loader = Loader()
            self._loader.done.connect(self._loaded)
            self._loader.failed.connect(self._load_failed)
            self.win.progress.show()
            self.win.statusBar().showMessage(f"Opening {os.path.basename(path)}…")
            self.win.view.setEnabled(False)
            self._loader.start(path)
            return True
        started = time.perf_counter()
        try:
            doc = preload.load(path)  # (perhaps loaded while the app started: see preload.py)
        except (tei.TeiError, OSError) as exc:
            self._load_failed(exc, path)
            return False
        self._loaded(doc, None, path)
        learn_open_speed(path, time.perf_counter() - started)  # loading and laying out the text
        return True

    def _load_failed(self, exc: BaseException, path: str) -> None:
        self.win.progress.hide()
        self.win.view.setEnabled(True)
        self.win.statusBar().clearMessage()
        show_error(self.win, exc, f"Glossator cannot open {os.path.basename(path)}.")

    def _loaded(self, doc: TeiDocument, display: DisplayMap | None, path: str) -> None:
        self.win.progress.hide()
        self.win.view.setEnabled(True)
        self.win.statusBar().clearMessage()
        if self.win.session.path:
            self.unwatch()
            if not self.win.session.is_dirty() and self.pending is None:
                recovery.discard(self._rec_path(), self.untitled_key)
            lock.release(self.win.session.path, self)
        self.pending = None
        self.locked_by = lock.acquire(path, self)
        self.win.session.path = path
        self.win.session.untitled = False
        self.win.has_document = True
        if display is not None:
            self.win._display_cache = (doc, display)  # reuse the map built off-thread
            learn_open_speed(path, getattr(self._loader, "seconds", 0.0))
        self.win.session.replace_document(doc)
        self.base = anchoring.fingerprints(doc)
        self.watcher.addPath(path)
        settings.add_recent(path)
        repaired = self._find_again(doc, path)
        self._after_open(self.win.session.doc, repaired=repaired)

    def _find_again(self, doc: TeiDocument, path: str) -> anchoring.ReanchorReport | None:
        """If another program changed the text under some annotations of the file just opened,
        find them again (one undoable step over a fresh copy) and return what happened."""
        if not anchoring.check_quotes(doc):
            return None
        try:
            fixed = tei.load(path)
        except (tei.TeiError, OSError) as exc:
            log.warning("cannot re-read %s to re-anchor: %s", path, exc)
            return None
        report = anchoring.repair(fixed)
        if not report.items:
            return None
        fixed.disk = doc.disk
        self.win.session.restore_document(fixed, _found_again_label(report))
        return report

    def _after_open(self, doc: TeiDocument, reapplied: anchoring.Reapplied | None = None,
                    offer_recovery: bool = True,
                    repaired: anchoring.ReanchorReport | None = None) -> None:  # fmt: skip
        """Say what there is to know about a document just shown (warnings, recovery, orphans)."""
        self.clear_document_bars()
        notes = list(doc.warnings)
        if repaired is not None:
            notes.append(_found_again_sentence(repaired))
        if empty := empty_text_message(doc):
            notes.append(empty)
        path = self.win.session.path
        if path and is_read_only(path):
            notes.append(f"{os.path.basename(path)} is read-only: you can annotate it, but to keep "
                         "your annotations save them under another name (File ▸ Save As…).")  # fmt: skip
        elif path and not os.access(os.path.dirname(path), os.W_OK):
            notes.append(f"{os.path.basename(path)} is on a read-only disk or in a folder you cannot "
                         "write to: to keep your annotations save them elsewhere (File ▸ Save As…).")  # fmt: skip
        if reapplied is not None and reapplied.changed:
            notes.append(reapplied.summary())
        elif self.win.view.unresolved and repaired is None:
            n = len(self.win.view.unresolved)
            notes.append(f"{n} annotation(s) could not be placed in the text (marked ⚠ in the list); "
                         "edit their passage or delete them.")  # fmt: skip
        if self.locked_by is not None:
            self._say_locked(self.locked_by, notes)
            return
        if self.win.session.path and offer_recovery:
            found = recovery.find_all(self.win.session.path)
            if found:
                self.offer_recovery(found[0], len(found) - 1)
                return
        if (reapplied is not None and reapplied.unplaced) or (repaired is not None and repaired.needs_review):
            self.win.show_review()
            self.win.message_bar.show_message(as_sentences(notes), [("Review", self.win.show_review)],
                                              level="warning", kind="review")  # fmt: skip
        elif readings := merged_readings(doc):
            notes.append(f"{readings} annotation{'s were' if readings != 1 else ' was'} changed differently in "
                         "two versions merged by git: both readings are kept for you to choose.")  # fmt: skip
            self.win.message_bar.show_message(as_sentences(notes), [("Show them", self.win.show_merged_readings)],
                                              level="warning", kind="readings")  # fmt: skip
        elif notes:
            self.win.message_bar.show_message(as_sentences(notes), level="warning", kind="warnings")

    def _say_locked(self, holder: lock.Holder, notes: list[str]) -> None:
        name = os.path.basename(self.win.session.path or "")
        where = "another Glossator window" if holder.same_process else f"another Glossator (process {holder.pid})"
        actions = []
        if holder.same_process:
            actions.append(("Switch to it", lambda: self._switch_to(holder)))
        actions.append(("Save As…", lambda: self.save_as()))
        self.win.message_bar.show_message(
            f"{name} is already open in {where}. It is open here read-only, so that neither "
            "window overwrites the other's work: Save As… keeps what you do here in another file. "
            + " ".join(notes), actions, level="warning", kind="locked")  # fmt: skip

    def _switch_to(self, holder: lock.Holder) -> None:
        other = getattr(holder.owner, "win", None)
        if other is None:
            return
        other.show()
        other.raise_()
        other.activateWindow()
        if not self.win.session.is_dirty():
            self.win.close()

    def offer_recovery(self, rec: recovery.Recovered, more: int = 0) -> None:
        """Offer to restore (or discard) unsaved work on the open file left by an earlier run."""
        self.pending = rec
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(rec.saved_at))
        text = (f"Glossator found unsaved changes to this file from {when} (the program was "
                "closed before they were saved).")  # fmt: skip
        if rec.file_changed:
            text += (" The file was changed by another program since: Restore puts your "
                     "annotations back onto the file as it is now and lists any it cannot place.")  # fmt: skip
        if more:
            text += f" ({more} older unsaved cop{'ies' if more > 1 else 'y'} kept after this one.)"
        self.win.message_bar.show_message(
            text, [("Restore", lambda: self.pending is not None and self.restore_recovery(self.pending)),
                   ("Discard", self._discard_pending)],
            level="warning", kind="recovery")  # fmt: skip

    def _discard_pending(self) -> None:
        rec, self.pending = self.pending, None
        if rec is not None:
            recovery.discard(None, stem=rec.stem)
            self._offer_next_recovery()

    def _offer_next_recovery(self) -> None:
        path = self.win.session.path
        found = recovery.find_all(path) if path else []
        if found:
            self.offer_recovery(found[0], len(found) - 1)

    def _protect_pending(self) -> None:
        """Move an offered copy the user has not decided on out of the way of a save or of a
        newer recovery copy (it stays offered: nothing is gone until the user has seen it)."""
        if self.pending is not None:
            try:
                self.pending = recovery.set_aside(self.pending)
            except OSError as exc:
                log.warning("cannot set the recovery copy aside: %s", exc)

    def restore_recovery(self, rec: recovery.Recovered) -> bool:
        """Restore unsaved work from a recovery copy (one undoable step), then type again what
        its typing journal kept (a journal alone is replayed on the open file).

        The copy replaces the document when the file is as the work began and nothing was
        changed here since; otherwise its annotations are carried onto the document as it is
        (re-anchored by their quotes; those that cannot be placed are kept and listed)."""
        w = self.win
        path = w.session.path
        if not path or (rec.original and os.path.abspath(rec.original) != path):
            w.statusBar().showMessage("That recovery copy belongs to another file.", 6000)
            return False
        typing = rec.typing
        report = None
        if rec.data_path != path:
            try:
                new = TeiDocument.from_bytes(rec.read(), path)
                disk = w.session.doc.disk
                as_begun = (disk is not None and disk.sha256 == rec.base_sha256 if rec.base_sha256
                            else not rec.file_changed)  # fmt: skip
                if not as_begun or w.session.is_dirty():
                    onto = TeiDocument.from_bytes(w.session.to_bytes(), path)
                    report = anchoring.reapply(onto, new, rec.base)
                    typing = [(report.renamed.get(a, a), f, t) for a, f, t in typing]
                    new = onto
            except (tei.TeiError, OSError) as exc:
                show_error(w, exc, "The recovery copy cannot be read; it is kept in "
                           f"{os.path.dirname(rec.data_path)}.")  # fmt: skip
                return False
            new.disk = w.session.doc.disk
            w.session.restore_document(new)
        self.pending = None
        if ".kept-" in rec.stem:  # a copy set aside: its work is in this session now
            recovery.discard(None, stem=rec.stem)
        w.editor.replay_typing(typing)
        if report is not None and report.unplaced:
            self.win.show_review()
            self.win.message_bar.show_message("Restored onto the file as it is now: " + report.summary(),
                                              [("Review", self.win.show_review)], level="warning",
                                              kind="review")  # fmt: skip
        elif report is not None and report.renamed:
            w.message_bar.show_message("Restored onto the file as it is now: " + report.summary(),
                                       level="warning", kind="restored")  # fmt: skip
        else:
            w.statusBar().showMessage("Unsaved changes restored; save to keep them.", 6000)
        return True

    def offer_untitled_recovery(self) -> bool:
        """Offer to restore an untitled document (an import) left unsaved by an earlier run."""
        mine = {lc.untitled_key for lc in Lifecycle.live if lc.win.has_document}  # windows still open
        found = recovery.find_untitled(exclude=mine | {self.untitled_key})
        if not found:
            return False
        rec = found[0]
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(rec.saved_at))
        name = f"“{rec.title}”" if rec.title else "an untitled document"
        more = f" ({len(found) - 1} more after this one)" if len(found) > 1 else ""
        self.win.message_bar.show_message(
            f"Glossator found unsaved work on {name} (never saved to a file) from {when}; the "
            f"program was closed before it was saved{more}.",
            [("Restore", lambda r=rec: self.restore_untitled(r)),
             ("Discard", lambda r=rec: recovery.discard(None, r.untitled_key))],
            level="warning", kind="untitled-recovery")  # fmt: skip
        return True

    def clear_document_bars(self) -> None:
        """Hide a message about the document shown before (bars belong to their document)."""
        if self.win.message_bar.kind != "untitled-recovery":
            self.win.message_bar.hide()
            self.win.message_bar.kind = ""

    def _message_closed(self, kind: str) -> None:
        if kind in ("recovery", "untitled-recovery"):
            self.offer_untitled_recovery()

    def restore_untitled(self, rec: recovery.Recovered) -> bool:
        """Open a recovered untitled document as an unsaved document (Save asks for a name)."""
        try:
            doc = TeiDocument.from_bytes(rec.read(), None)
        except (tei.TeiError, OSError) as exc:
            show_error(self.win, exc, "The recovery copy cannot be read; it is kept in "
                       f"{os.path.dirname(rec.data_path)}.")  # fmt: skip
            return False
        if not self.open_document(doc, rec.title):
            return False
        # adopt its recovery file: it stays until the document is saved or discarded
        if rec.untitled_key != self.untitled_key:
            recovery.discard(None, self.untitled_key)
            self.untitled_key = rec.untitled_key
        self.win.editor.replay_typing(rec.typing)
        self.win.statusBar().showMessage("Unsaved document restored; save it to keep it.", 6000)
        return True

    def open_document(self, doc: TeiDocument, title: str = "") -> bool:
        """Show a document that has no file yet (e.g. an import): Save asks for a name."""
        if not self.confirm_discard():
            return False
        self.unwatch()
        self.win.session.path = None
        self.win.session.untitled = True
        self.win.has_document = True
        self.untitled_title = title
        lock.release(self.win.session.path, self)
        self.locked_by = None
        self.base = {}
        self.clear_document_bars()
        self.win.session.replace_document(doc)
        self.win._update_title()
        return True

    # -- saving -------------------------------------------------------------------------------
    def save(self) -> bool:
        """Save to the document's file (asks for a name if it has none)."""
        self.win.editor.commit_pending()
        if not self.win.session.path:
            return self.save_as()
        return self._save_to(None)

    def save_as(self, path: str | None = None) -> bool:
        """Save under a new name."""
        self.win.editor.commit_pending()
        if path is None:
            start = self.win.session.path or os.path.join(settings.get("files/last_dir") or os.path.expanduser("~"),
                                                      "untitled.xml")  # fmt: skip
            path, _ = QFileDialog.getSaveFileName(self.win, "Save As", start, "TEI XML (*.xml);;All files (*)")
            if not path:
                return False
        return self._save_to(path)

    def _save_to(self, path: str | None, force: bool = False) -> bool:
        old_path = self.win.session.path
        if self.read_only and (path is None or os.path.abspath(path) == old_path):
            self.win.message_bar.show_message(
                f"{os.path.basename(old_path or '')} is open read-only here (it is open in another "
                "window): save what you did here under another name.",
                [("Save As…", lambda: self.save_as())], level="warning", kind="locked")  # fmt: skip
            return False
        if path is not None and os.path.abspath(path) != old_path and lock.holder(path, self):
            show_error(self.win, tei.SaveError("this file is open in another Glossator window; "
                                                    "choose another name", path=os.path.abspath(path)),
                       "The document was not saved; your changes are still here.")  # fmt: skip
            return False
        self._protect_pending()
        rec_old = self._rec_path()
        try:
            written = self.win.session.save(path, force=force)
        except tei.SaveConflictError:
            self._offer_conflict()
            return False
        except tei.ReadOnlyFileError:
            self.win.message_bar.show_message(
                f"{os.path.basename(old_path or path or '')} is read-only (its permissions allow no "
                "writing), so it was not replaced: your changes are still here. Save them under "
                "another name, or make the file writable and save again.",
                [("Save As…", lambda: self.save_as())], level="error", kind="readonly")  # fmt: skip
            return False
        except (tei.TeiError, OSError) as exc:
            show_error(self.win, exc, "The document was not saved; your changes are still here.")
            return False
        self.base = anchoring.fingerprints(self.win.session.doc)
        if old_path and old_path != written:
            self.watcher.removePath(old_path)
        recovery.discard(rec_old, self.untitled_key)
        if old_path != written or not self.read_only:
            recovery.discard(written)
        if old_path != written:
            lock.release(old_path, self)
            self.locked_by = lock.acquire(written, self)
        self.win.editor.clear_typing_journal()
        if written not in self.watcher.files():
            self.watcher.addPath(written)
        settings.add_recent(written)
        if self.win.message_bar.kind in ("conflict", "changed", "locked", "readonly"):
            self.win.message_bar.hide()
        self.win._update_title()
        return True

    def _offer_conflict(self) -> None:
        self.win.message_bar.show_message(
            "The file was changed on disk by another program since you opened it. Saving now would "
            "overwrite those changes.",
            [("Reload", self.reload_from_disk), ("Overwrite", lambda: self._save_to(None, force=True)),
             ("Save As…", self.save_as)],
            level="error", kind="conflict")  # fmt: skip

    def file_changed(self, path: str) -> None:
        """React to the watcher: offer to reload (or save again) when another program changed the file."""
        if path != self.win.session.path:
            return
        if os.path.exists(path) and path not in self.watcher.files():
            self.watcher.addPath(path)  # atomic replaces drop the watch
        disk = self.win.session.doc.disk
        if disk is not None and not disk.changed(path):
            return
        if not os.path.exists(path):
            self.win.message_bar.show_message(
                f"{os.path.basename(path)} was moved or deleted by another program. The document "
                "is still open here: Save writes it again at its old place, Save As… elsewhere.",
                [("Save", lambda: self._save_to(None, force=not os.path.exists(path))),
                 ("Save As…", self.save_as)], level="warning", kind="changed")  # fmt: skip
            return
        actions = [("Reload", self.reload_from_disk), ("Keep mine", lambda: None)]
        self.win.message_bar.show_message(
            f"{os.path.basename(path)} was changed on disk by another program."
            + (" You have unsaved changes here." if self.win.session.is_dirty() else ""),
            actions, level="warning", kind="changed")  # fmt: skip

    def _unsaved_corrections(self) -> int:
        """Return how many text corrections (editorial interventions) are not saved yet."""
        from .interventions import Intervene

        stack = self.win.session.undo_stack
        clean, now = stack.cleanIndex(), stack.index()
        if clean < 0 or clean > now:  # never saved here, or undone past the save: count what is done
            clean = 0 if clean < 0 else now
        return sum(1 for i in range(clean, now) if _is(stack.command(i), Intervene))

    def reload_from_disk(self) -> bool:
        """Load the file again from disk. Unsaved annotations are re-applied onto it (after
        asking), as one undoable step; those that cannot be placed are kept and listed."""
        w = self.win
        path = w.session.path
        if not path:
            return False
        w.editor.commit_pending()
        dirty = w.session.is_dirty()
        corrections = self._unsaved_corrections()
        if corrections:  # text corrections cannot be carried onto another text: never lose them quietly
            answer = QMessageBox.warning(
                w, "Reload from disk",
                f"You corrected the text {corrections} time{'s' if corrections != 1 else ''} since the "
                f"last save, and another program changed {os.path.basename(path)} meanwhile. Those "
                "corrections cannot be put onto the file as it is now.\n\nSave: keep your version "
                "under another name first (File ▸ Save As…). Discard: reload and lose the "
                "corrections (your unsaved annotations are still put back).",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)  # fmt: skip
            if answer == QMessageBox.StandardButton.Save:
                self.save_as()
                return False
            if answer != QMessageBox.StandardButton.Discard:
                return False
        elif dirty:
            answer = QMessageBox.question(
                w, "Reload from disk",
                f"Reload {os.path.basename(path)} as it is on disk now?\n\nYour unsaved annotations "
                "will be put back onto it (Undo takes them off again); any that cannot be placed "
                "in the changed text are kept and listed for you to review.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)  # fmt: skip
            if answer != QMessageBox.StandardButton.Yes:
                return False
        try:
            doc = tei.load(path)
            merged = tei.load(path) if dirty or anchoring.check_quotes(doc) else None
        except (tei.TeiError, OSError) as exc:
            show_error(w, exc, "The file on disk cannot be opened.")
            return False
        mine, base = w.session.doc, self.base
        w.session.replace_document(doc)
        self.base = anchoring.fingerprints(doc)
        report = repaired = None
        if merged is not None:
            repaired = anchoring.repair(merged)  # the file's own annotations, on its new text
            report = anchoring.reapply(merged, mine, base) if dirty else None
            merged.disk = doc.disk
            if report is not None and report.changed:
                label = "Re-apply unsaved annotations"
            elif repaired.items:
                label = _found_again_label(repaired)
            else:
                label = ""
            if label:
                w.session.restore_document(merged, label)
        self._after_open(w.session.doc, report, offer_recovery=False,
                         repaired=repaired if repaired is not None and repaired.items else None)  # fmt: skip
        return True

    def carry_to_version(self) -> bool:
        """Tools ▸ Carry annotations to another version…: open another version of this text
        with this document's annotations found again in it (one undoable step), the ones
        placed approximately or not at all listed for review."""
        w = self.win
        if not w.has_document:
            return False
        w.editor.commit_pending()
        start = os.path.dirname(w.session.path) if w.session.path else (settings.get("files/last_dir") or os.path.expanduser("~"))
        path, _ = QFileDialog.getOpenFileName(
            w, "Carry annotations to another version", start, "TEI XML (*.xml *.tei);;All files (*)")
        if not path:
            return False
        path = os.path.abspath(path)
        if w.session.path and os.path.abspath(w.session.path) == path:
            w.statusBar().showMessage("That is the file open now: choose the other version.", 6000)
            return False
        try:
            onto = tei.load(path)
        except (tei.TeiError, OSError) as exc:
            show_error(w, exc, f"Glossator cannot open {os.path.basename(path)}.")
            return False
        annotated = w.session.doc
        name = w.session.display_name()
        if not self.open_path(path, background=False):
            return False
        report = anchoring.reanchor(annotated, onto)
        onto.disk = w.session.doc.disk
        n = len(report.items)
        w.session.restore_document(onto, f"Carry {n} annotation{'s' if n != 1 else ''} from {name}")
        text = f"Carried from {name}: {report.summary()}"
        if report.needs_review:
            w.show_review()
            w.message_bar.show_message(text, [("Review", w.show_review)], level="warning", kind="review")
        else:
            w.message_bar.show_message(text, level="info", kind="review")
        return True

    # -- autosave and closing -----------------------------------------------------------------
    def apply_autosave_interval(self) -> None:
        """Start (or stop) the autosave timer as the preferences say."""
        seconds = settings.get("editor/autosave_seconds")
        if seconds > 0:
            self.autosave_timer.start(seconds * 1000)
        else:
            self.autosave_timer.stop()

    def autosave(self) -> str:
        """Write a recovery copy if there are unsaved changes; return its path ('' if none)."""
        if not self.win.has_document:
            return ""
        self.win.editor.commit_pending()
        if not self.win.session.is_dirty():  # an untitled document (an import) is kept from the start
            return ""
        self._protect_pending()
        disk = self.win.session.doc.disk
        try:
            title = self.untitled_title or (f"{self.win.session.display_name()} (opened read-only)"
                                            if self.read_only else "")  # fmt: skip
            written = recovery.write(self._rec_path(), self.win.session.to_bytes(), self.untitled_key,
                                     title, disk.sha256 if disk else "", self.base)  # fmt: skip
            self._last_write = time.monotonic()
            self.win.editor.clear_typing_journal()
            recovery.discard_typing(self._rec_path(), self.untitled_key)
            self.recovered_at = self.win.session.undo_stack.index()
            return written
        except (tei.TeiError, OSError) as exc:
            log.warning("autosave failed: %s", exc)
            self.win.statusBar().showMessage(f"Recovery autosave failed: {exc}", 6000)
            return ""

    def unwatch(self) -> None:
        """Stop watching the open file for changes by other programs."""
        if self.watcher.files():
            self.watcher.removePaths(self.watcher.files())

    def write_typing(self, journal: list[tuple[str, str, str]]) -> None:
        """Keep every keystroke of the editor in the typing journal (see recovery); first write
        a recovery copy if the document has changed since the last one (the journal's
        annotation may be new)."""
        if self.win.session.undo_stack.index() != self.recovered_at and self.autosave():
            return
        self._protect_pending()
        try:
            recovery.write_typing(self._rec_path(), self.untitled_key, journal)
        except OSError as exc:
            log.warning("typing journal not written: %s", exc)

    def confirm_discard(self) -> bool:
        """Ask to save unsaved changes; False if the user cancelled."""
        self.win.editor.commit_pending()
        if not self.win.has_document or not self.win.session.is_dirty():
            return True
        choice = self.win.ask_save_changes()
        if choice == "save":
            return self.save()
        if choice == "discard":
            self._protect_pending()
            recovery.discard(self._rec_path(), self.untitled_key)
            return True
        return False

    # -- dialogs ------------------------------------------------------------------------------
    def open_dialog(self) -> None:
        """Ask for a TEI file and open it."""
        start = settings.get("files/last_dir") or os.path.dirname(self.win.session.path or SAMPLE)
        path, _ = QFileDialog.getOpenFileName(self.win, "Open TEI file", start,
                                              "TEI XML (*.xml *.tei);;All files (*)")  # fmt: skip
        if path:
            settings.put("files/last_dir", os.path.dirname(path))
            self.open_path(path)

    def fill_recent(self) -> None:
        """Fill File ▸ Open Recent with the recent files that still exist."""
        self.win.recent_menu.clear()
        recent = [p for p in settings.get("files/recent") if os.path.exists(p)]
        for p in recent:
            act = self.win.recent_menu.addAction(os.path.basename(p))
            act.setToolTip(p)
            act.triggered.connect(lambda _=False, path=p: self.open_path(path))
        if not recent:
            self.win.recent_menu.addAction("(none)").setEnabled(False)


def as_sentences(notes: list[str]) -> str:
    """Join messages as sentences: each begins with a capital and ends with a full stop."""
    out = []
    for note in notes:
        note = note.strip()
        if note:
            note = note[0].upper() + note[1:]
            out.append(note if note[-1] in ".!?…)" else note + ".")
    return " ".join(out)


def _found_again_label(report: anchoring.ReanchorReport) -> str:
    """Return the undo label for annotations found again after another program changed the text."""
    n = len(report.items)
    return f"Find {n} annotation{'s' if n != 1 else ''} again in the changed text"


def _found_again_sentence(report: anchoring.ReanchorReport) -> str:
    """Return what re-anchoring did on open or reload, for the message bar."""
    c = report.counts()
    n = len(report.items)
    parts = [f"{c['moved']} found again exactly"] if c["moved"] else []
    if c["fuzzy"]:
        parts.append(f"{c['fuzzy']} placed approximately")
    if c["orphan"]:
        parts.append(f"{c['orphan']} not found (kept, with their quote)")
    review = " Review the approximate and missing ones; Undo puts them back as they were." \
        if report.needs_review else " Undo puts them back as they were."
    return (f"The text under {n} annotation{'s' if n != 1 else ''} was changed by another program: "
            + ", ".join(parts) + "." + review)  # fmt: skip


def merged_readings(doc: TeiDocument) -> int:
    """Return how many annotations a git merge left with two readings (pairs counted once)."""
    from tei.merge import DISAGREEMENT

    marked = sum(1 for a in doc.annotations()
                 if a.element.find(f"{tei.ns.qn('note')}[@type='{DISAGREEMENT}']") is not None)  # fmt: skip
    return (marked + 1) // 2


def _is(cmd: object, kind: type) -> bool:
    """Tell whether an undo command is ``kind`` or a macro holding one."""
    if isinstance(cmd, kind):
        return True
    count = getattr(cmd, "childCount", lambda: 0)()
    return any(_is(cmd.child(i), kind) for i in range(count))  # type: ignore[attr-defined]
