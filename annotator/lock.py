"""One window edits a file at a time: a lock file in the recovery folder names the process that
has the file open, and an in-process table the window.

A second window on a file that is already open opens it read-only and says so (and offers to
switch to the other window when it is in this process). A lock left by a process that is no
longer running (a crash) is taken over, with the same liveness rule as recovery copies.
"""

from __future__ import annotations

import json
import logging
import os
import weakref
from dataclasses import dataclass
from typing import Protocol

from . import recovery

log = logging.getLogger(__name__)


class Owner(Protocol):
    """What holds a lock: it can tell whether it still has the file open for writing."""

    def holds(self, path: str) -> bool:
        """Tell whether the file at ``path`` is open here for writing."""


@dataclass(frozen=True)
class Holder:
    """Who has a file open: a process id, and the owner when it is in this process."""

    pid: int
    owner: Owner | None = None

    @property
    def same_process(self) -> bool:
        """Tell whether the file is open in another window of this process."""
        return self.owner is not None


_held: dict[str, weakref.ref[Owner]] = {}


def lock_path(path: str) -> str:
    """Return the lock file for the document at ``path`` (the same through any link to it)."""
    return os.path.join(recovery.recovery_dir(), recovery.key_for(os.path.realpath(path)) + ".lock")


def holder(path: str, me: Owner | None = None) -> Holder | None:
    """Return who else has ``path`` open (a live process, or another window here), or None."""
    path = os.path.realpath(path)
    ref = _held.get(path)
    other = ref() if ref is not None else None
    if other is not None and other is not me and other.holds(path):
        return Holder(os.getpid(), other)
    try:
        with open(lock_path(path), encoding="utf-8") as fh:
            pid = int(json.load(fh).get("pid", 0))
    except (OSError, ValueError, AttributeError, TypeError):
        return None
    if pid != os.getpid() and recovery.process_alive(pid):
        return Holder(pid)
    return None  # ours, or left by a process that is gone


def acquire(path: str, owner: Owner) -> Holder | None:
    """Take the lock on ``path`` for ``owner``; if someone else has it, return who (and take nothing)."""
    path = os.path.realpath(path)
    other = holder(path, owner)
    if other is not None:
        return other
    lp = lock_path(path)
    tmp = os.path.join(os.path.dirname(lp), f".glossator-{os.getpid()}-{os.path.basename(lp)}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"pid": os.getpid(), "file": path}, fh)
        os.replace(tmp, lp)
    except OSError as exc:  # no lock is no reason not to open the file
        log.warning("cannot write the lock file %s: %s", lp, exc)
    _held[path] = weakref.ref(owner)
    return None


def release(path: str | None, owner: Owner) -> None:
    """Give up ``owner``'s lock on ``path`` (nothing if it does not hold it)."""
    if not path:
        return
    path = os.path.realpath(path)
    ref = _held.get(path)
    if ref is None or ref() is not owner:
        return
    del _held[path]
    try:
        with open(lock_path(path), encoding="utf-8") as fh:
            mine = int(json.load(fh).get("pid", 0)) == os.getpid()
        if mine:
            os.unlink(lock_path(path))
    except (OSError, ValueError, AttributeError, TypeError):
        pass
