"""Crash recovery: the unsaved document is written to a recovery file on a timer and after
changes; the next start offers to restore it when it is newer than the file on disk.

Documents without a file (imports) are written as ``untitled-<key>``; :func:`find_untitled`
lists those left behind by a previous run (a process that is no longer running).

Text typed in the annotation editor reaches the document (and so a recovery copy) after a short
pause; until then it is kept, keystroke by keystroke, in a small *typing journal* beside the
recovery copy (``<stem>.typing.json``: [ann id, field name, text] triples), so a kill loses
nothing that was typed. Restoring replays the journal into the editor.

A copy also records what the file was when the work began (``base_sha256`` and the fingerprints
of its annotations), so that a copy is offered even when another program changed the file
since: restoring then carries the recovered annotations onto the file as it is now. A copy that
was offered and neither restored nor discarded is never deleted: :func:`set_aside` moves it to a
``<stem>.kept-<n>`` stem before a save or a newer copy would replace it."""

from __future__ import annotations

import glob
import hashlib
import json
import logging
import os
import re
import secrets
import time
from dataclasses import dataclass, field

from PySide6.QtCore import QStandardPaths

from tei.storage import atomic_write, leftover_is_dead

log = logging.getLogger(__name__)


def recovery_dir() -> str:
    """Return (creating it) the folder holding recovery files."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    folder = os.path.join(base or os.path.expanduser("~/.glossator"), "recovery")
    os.makedirs(folder, exist_ok=True)
    return folder


def key_for(path: str | None, untitled_key: str = "") -> str:
    """Return the recovery file stem for a document path (or an untitled document's key)."""
    if path:
        return hashlib.sha1(os.path.abspath(path).encode()).hexdigest()[:16]
    return "untitled-" + (untitled_key or "0")


def _stem(path: str | None, untitled_key: str = "") -> str:
    """Return the recovery files' path without extension for a document."""
    return os.path.join(recovery_dir(), key_for(path, untitled_key))


@dataclass
class Recovered:
    """A recovery file found on disk."""

    data_path: str
    original: str | None
    saved_at: float
    untitled_key: str = ""
    title: str = ""
    typing: list[tuple[str, str, str]] = field(default_factory=list)
    stem: str = ""
    #: the file changed on disk since the work began: restore onto it, do not replace it
    file_changed: bool = False
    #: annotation fingerprints of the file the work began from (None: not recorded)
    base: dict[str, str] | None = None
    #: SHA-256 of the file the work began from ('' if not recorded)
    base_sha256: str = ""

    def read(self) -> bytes:
        """Return the recovered document bytes."""
        with open(self.data_path, "rb") as fh:
            return fh.read()


def new_untitled_key() -> str:
    """Return a key for an untitled document: unique, starting with this process's id."""
    return f"{os.getpid()}-{int(time.time())}-{secrets.token_hex(4)}"  # (uuid: 6 ms to import)


def write(path: str | None, data: bytes, untitled_key: str = "", title: str = "",
          base_sha256: str = "", base: dict[str, str] | None = None) -> str:  # fmt: skip
    """Write a recovery copy (atomically) and return its path.

    ``base_sha256`` and ``base`` describe the file the unsaved work began from (see above)."""
    stem = _stem(path, untitled_key)
    atomic_write(stem + ".xml", data, backup=False)
    meta: dict[str, object] = {"original": os.path.abspath(path) if path else None, "saved_at": time.time()}
    if not path:
        meta.update(key=untitled_key, title=title)
    if base_sha256:
        meta.update(base_sha256=base_sha256, base=base or {})
    atomic_write(stem + ".json", json.dumps(meta).encode(), backup=False)
    return stem + ".xml"


def write_typing(path: str | None, untitled_key: str, journal: list[tuple[str, str, str]]) -> None:
    """Write the typing journal of a document (cheap: no fsync, it guards against kills)."""
    stem = _stem(path, untitled_key)
    tmp = os.path.join(os.path.dirname(stem), f".glossator-{os.getpid()}-{os.path.basename(stem)}.typing.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump([list(entry) for entry in journal], fh)
    os.replace(tmp, stem + ".typing.json")


def read_typing(path: str | None, untitled_key: str = "", stem: str = "") -> list[tuple[str, str, str]]:
    """Return a document's typing journal ([] if there is none or it is unreadable)."""
    stem = stem or _stem(path, untitled_key)
    try:
        with open(stem + ".typing.json", encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return []
    if not isinstance(data, list):
        return []
    return [(str(e[0]), str(e[1]), str(e[2])) for e in data if isinstance(e, list) and len(e) == 3]


def discard_typing(path: str | None, untitled_key: str = "") -> None:
    """Delete a document's typing journal, if any."""
    try:
        os.unlink(_stem(path, untitled_key) + ".typing.json")
    except FileNotFoundError:
        pass
    except OSError as exc:  # pragma: no cover
        log.warning("cannot delete typing journal: %s", exc)


def discard(path: str | None, untitled_key: str = "", stem: str = "") -> None:
    """Delete the recovery copy of a document (and its typing journal), if any."""
    stem = stem or _stem(path, untitled_key)
    for ext in (".xml", ".json", ".typing.json"):
        try:
            os.unlink(stem + ext)
        except FileNotFoundError:
            pass
        except OSError as exc:  # pragma: no cover
            log.warning("cannot delete recovery file: %s", exc)


def process_alive(pid: int) -> bool:
    """Tell whether process ``pid`` is running and looks like Glossator (not a reused pid)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists, owned by someone else
    try:  # Linux: a reused pid of an unrelated program does not count
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            cmdline = fh.read().lower()
    except OSError:
        return True
    return any(word in cmdline for word in (b"python", b"glossator", b"annotator"))


def find_untitled(exclude: set[str] | frozenset[str] = frozenset()) -> list[Recovered]:
    """Return recovery copies of untitled documents left by earlier runs, newest first.

    Keys in ``exclude`` (documents open in this process) are skipped, and so are those of
    another Glossator process that is still running (it may still be editing them).
    """
    found = []
    try:
        names = os.listdir(recovery_dir())
    except OSError:
        return []
    for name in names:
        if not (name.startswith("untitled-") and name.endswith(".json")):
            continue
        stem = os.path.join(recovery_dir(), name[: -len(".json")])
        try:
            with open(stem + ".json", encoding="utf-8") as fh:
                meta = json.load(fh)
        except (OSError, ValueError):
            continue
        if not isinstance(meta, dict) or meta.get("original") or not os.path.exists(stem + ".xml"):
            continue
        key = str(meta.get("key") or name[len("untitled-") : -len(".json")])
        if key in exclude:
            continue
        pid_text = key.split("-", 1)[0]
        pid = int(pid_text) if pid_text.isdigit() else 0
        if pid != os.getpid() and process_alive(pid):
            continue
        found.append(Recovered(stem + ".xml", None, float(meta.get("saved_at", 0) or 0), key,
                               str(meta.get("title") or ""), read_typing(None, key)))  # fmt: skip
    found.sort(key=lambda r: r.saved_at, reverse=True)
    return found


def find(path: str) -> Recovered | None:
    """Return the newest of :func:`find_all` (None if there is nothing to recover)."""
    found = find_all(path)
    return found[0] if found else None


def find_all(path: str) -> list[Recovered]:
    """Return what can be recovered for ``path``, newest first: its recovery copy (and copies
    set aside) when it differs from the file, and any typing journal (replayed on the file
    itself if there is no recovery copy). A copy is offered even if the file is newer: then
    ``file_changed`` says that the work is to be carried onto the file as it is now."""
    main = _stem(path)
    stems = [main]
    for name in sorted(glob.glob(glob.escape(main) + ".kept-*.json")):
        stems.append(name.removesuffix(".json").removesuffix(".typing"))
    current: bytes | None = None
    mtime = 0.0
    if any(os.path.exists(stem + ".json") for stem in stems):  # a copy to compare with the file
        try:  # (else not read: a large file takes a while)
            with open(path, "rb") as fh:
                current = fh.read()
            mtime = os.path.getmtime(path)
        except OSError:
            current, mtime = None, 0.0
    found = []
    for stem in dict.fromkeys(stems):
        rec = _found(path, stem, current, mtime)
        if rec is not None:
            found.append(rec)
    found.sort(key=lambda r: r.saved_at, reverse=True)
    return found


def _found(path: str, stem: str, current: bytes | None, mtime: float) -> Recovered | None:
    typing = read_typing(None, stem=stem)
    try:
        with open(stem + ".json", encoding="utf-8") as fh:
            meta = json.load(fh)
        rec = Recovered(stem + ".xml", meta.get("original"), float(meta.get("saved_at", 0)),
                        typing=typing, stem=stem)  # fmt: skip
        data = rec.read()
    except (OSError, ValueError, AttributeError):
        if not typing:
            return None
        when = os.path.getmtime(stem + ".typing.json")
        return Recovered(path, os.path.abspath(path), when, typing=typing, stem=stem)
    if current is None:
        return rec
    if current == data:  # already saved: only what was typed since, if anything
        if not typing:
            return None
        return Recovered(path, os.path.abspath(path), rec.saved_at, typing=typing, stem=stem)
    base_sha = meta.get("base_sha256")
    if base_sha:
        rec.file_changed = hashlib.sha256(current).hexdigest() != base_sha
        rec.base_sha256 = str(base_sha)
        rec.base = {str(k): str(v) for k, v in (meta.get("base") or {}).items()}
    else:  # written by an older Glossator: judge by the times
        rec.file_changed = mtime > rec.saved_at
    return rec


def set_aside(rec: Recovered) -> Recovered:
    """Move a recovery copy the user has not decided on out of the way of newer copies and
    saves (to ``<stem>.kept-<n>``); return it as moved."""
    main = rec.stem.split(".kept-")[0]
    if rec.stem != main or not rec.stem:
        return rec
    n = 1
    while os.path.exists(f"{main}.kept-{n}.json") or os.path.exists(f"{main}.kept-{n}.typing.json"):
        n += 1
    new = f"{main}.kept-{n}"
    for ext in (".xml", ".json", ".typing.json"):
        if os.path.exists(rec.stem + ext):
            os.replace(rec.stem + ext, new + ext)
    data_path = new + ".xml" if rec.data_path == rec.stem + ".xml" else rec.data_path
    return Recovered(data_path, rec.original, rec.saved_at, rec.untitled_key, rec.title, rec.typing,
                     new, rec.file_changed, rec.base, rec.base_sha256)  # fmt: skip


_TEMP = re.compile(r"\.glossator-(\d+)-.*\.tmp$")
#: a temporary file without a process id (older Glossators) is surely dead after this long
LEGACY_TEMP_AGE = 3600.0


def clean_stale() -> list[str]:
    """Delete what processes that are no longer running left in the recovery folder: temporary
    files of a write they did not finish, and their lock files. Return the names deleted."""
    folder = recovery_dir()
    gone = []
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    for name in names:
        full = os.path.join(folder, name)
        m = _TEMP.match(name)
        dead = leftover_is_dead(name)  # a save's temporary file (host and pid in its name)
        if dead is not None:
            stale = dead
        elif m:
            stale = int(m.group(1)) != os.getpid() and not process_alive(int(m.group(1)))
        elif name.endswith(".tmp") and (name.startswith(".glossator-") or name.endswith(".typing.tmp")):
            try:
                stale = time.time() - os.path.getmtime(full) > LEGACY_TEMP_AGE
            except OSError:
                continue
        elif name.endswith(".lock"):
            stale = _lock_is_stale(full)
        else:
            continue
        if stale:
            try:
                os.unlink(full)
                gone.append(name)
            except OSError as exc:
                log.warning("cannot delete %s: %s", full, exc)
    return gone


def _lock_is_stale(path: str) -> bool:
    try:
        with open(path, encoding="utf-8") as fh:
            pid = int(json.load(fh).get("pid", 0))
    except (OSError, ValueError, AttributeError, TypeError):
        return False
    return pid != os.getpid() and not process_alive(pid)
