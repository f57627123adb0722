"""Crash recovery: the unsaved document is written to a recovery file on a timer and after
changes; the next start offers to restore it when it is newer than the file on disk."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass

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


@dataclass
class Recovered:
    """A recovery file found on disk."""

    data_path: str
    original: str | None
    saved_at: float

    def read(self) -> bytes:
        """Return the recovered document bytes."""
        with open(self.data_path, "rb") as fh:
            return fh.read()


def write(path: str | None, data: bytes, untitled_key: str = "") -> str:
    """Write a recovery copy (atomically) and return its path."""
    stem = os.path.join(recovery_dir(), key_for(path, untitled_key))
    atomic_write(stem + ".xml", data, backup=False)
    meta = {"original": os.path.abspath(path) if path else None, "saved_at": time.time()}
    atomic_write(stem + ".json", json.dumps(meta).encode(), backup=False)
    return stem + ".xml"


def discard(path: str | None, untitled_key: str = "") -> None:
    """Delete the recovery copy of a document, if any."""
    stem = os.path.join(recovery_dir(), key_for(path, untitled_key))
    for ext in (".xml", ".json"):
        try:
            os.unlink(stem + ext)
        except FileNotFoundError:
            pass
        except OSError as exc:  # pragma: no cover
            log.warning("cannot delete recovery file: %s", exc)


def find(path: str) -> Recovered | None:
    """Return the recovery copy of ``path`` if it is newer than the file and differs from it."""
    stem = os.path.join(recovery_dir(), key_for(path))
    try:
        with open(stem + ".json", encoding="utf-8") as fh:
            meta = json.load(fh)
        rec = Recovered(stem + ".xml", meta.get("original"), float(meta.get("saved_at", 0)))
        data = rec.read()
    except (OSError, ValueError):
        return None
    try:
        st = os.stat(path)
        with open(path, "rb") as fh:
            same = fh.read() == data
    except OSError:
        return rec
    if same or os.path.getmtime(rec.data_path) < st.st_mtime:
        return None
    return rec
