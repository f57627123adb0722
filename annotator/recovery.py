"""Crash recovery: the unsaved document is written to a recovery file on a timer and after
changes; the next start offers to restore it when it is newer than the file on disk.

Documents without a file (imports) are written as ``untitled-<key>``; :func:`find_untitled`
lists those left behind by a previous run (a process that is no longer running).

Text typed in the annotation editor reaches the document (and so a recovery copy) after a short
pause; until then it is kept, keystroke by keystroke, in a small *typing journal* beside the
recovery copy (``<stem>.typing.json``: [ann id, field name, text] triples), so a kill loses
nothing that was typed. Restoring replays the journal into the editor."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import uuid
from dataclasses import dataclass, field

from PySide6.QtCore import QStandardPaths

from tei.storage import atomic_write

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

    def read(self) -> bytes:
        """Return the recovered document bytes."""
        with open(self.data_path, "rb") as fh:
            return fh.read()


def new_untitled_key() -> str:
    """Return a key for an untitled document: unique, starting with this process's id."""
    return f"{os.getpid()}-{int(time.time())}-{uuid.uuid4().hex[:8]}"


def write(path: str | None, data: bytes, untitled_key: str = "", title: str = "") -> str:
    """Write a recovery copy (atomically) and return its path."""
    stem = _stem(path, untitled_key)
    atomic_write(stem + ".xml", data, backup=False)
    meta = {"original": os.path.abspath(path) if path else None, "saved_at": time.time()}
    if not path:
        meta.update(key=untitled_key, title=title)
    atomic_write(stem + ".json", json.dumps(meta).encode(), backup=False)
    return stem + ".xml"


def write_typing(path: str | None, untitled_key: str, journal: list[tuple[str, str, str]]) -> None:
    """Write the typing journal of a document (cheap: no fsync, it guards against kills)."""
    stem = _stem(path, untitled_key)
    tmp = f"{stem}.typing.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump([list(entry) for entry in journal], fh)
    os.replace(tmp, stem + ".typing.json")


def read_typing(path: str | None, untitled_key: str = "") -> list[tuple[str, str, str]]:
    """Return a document's typing journal ([] if there is none or it is unreadable)."""
    stem = _stem(path, untitled_key)
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


def discard(path: str | None, untitled_key: str = "") -> None:
    """Delete the recovery copy of a document (and its typing journal), if any."""
    stem = _stem(path, untitled_key)
    for ext in (".xml", ".json", ".typing.json"):
        try:
            os.unlink(stem + ext)
        except FileNotFoundError:
            pass
        except OSError as exc:  # pragma: no cover
            log.warning("cannot delete recovery file: %s", exc)


def _process_alive(pid: int) -> bool:
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
        if pid != os.getpid() and _process_alive(pid):
            continue
        found.append(Recovered(stem + ".xml", None, float(meta.get("saved_at", 0) or 0), key,
                               str(meta.get("title") or ""), read_typing(None, key)))  # fmt: skip
    found.sort(key=lambda r: r.saved_at, reverse=True)
    return found


def find(path: str) -> Recovered | None:
    """Return what can be recovered for ``path``: its recovery copy if that is newer than the
    file and differs from it, and any typing journal (replayed on the file itself if there is
    no recovery copy)."""
    stem = _stem(path)
    typing = read_typing(path)
    try:
        with open(stem + ".json", encoding="utf-8") as fh:
            meta = json.load(fh)
        rec = Recovered(stem + ".xml", meta.get("original"), float(meta.get("saved_at", 0)),
                        typing=typing)  # fmt: skip
        data = rec.read()
    except (OSError, ValueError):
        if not typing:
            return None
        when = os.path.getmtime(stem + ".typing.json")
        return Recovered(path, os.path.abspath(path), when, typing=typing)
    try:
        st = os.stat(path)
        with open(path, "rb") as fh:
            same = fh.read() == data
    except OSError:
        return rec
    if same or os.path.getmtime(rec.data_path) < st.st_mtime:  # the file is newer
        if not typing:
            return None
        when = os.path.getmtime(stem + ".typing.json")
        return Recovered(path, os.path.abspath(path), when, typing=typing)
    return rec
