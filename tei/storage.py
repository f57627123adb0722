"""Atomic, backed-up writes, and detection of files changed on disk by another program.

A save writes ``.glossator-<host>-<pid>-<random>-<size>.<name>.tmp`` and, for the backup, the
hard link ``.glossator-<host>-<pid>.<name>.bak`` beside the file; a save or open of ``<name>``
removes those left by a Glossator that was killed (see "Saving" in ``docs/standoff-format.md``).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import socket
import stat
import sys
import tempfile
import time
from dataclasses import dataclass, field

from .errors import ReadOnlyFileError, SaveConflictError, SaveError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DiskState:
    """What a file looked like when we last read or wrote it (its bytes are kept, not copied)."""

    size: int
    mtime_ns: int
    data: bytes = field(repr=False, compare=False)

    @classmethod
    def of_bytes(cls, path: str, data: bytes) -> DiskState:
        """Describe ``path`` as just read or written with content ``data``."""
        st = os.stat(path)
        return cls(st.st_size, st.st_mtime_ns, data)

    @functools.cached_property
    def sha256(self) -> str:
        """Return the SHA-256 of the content (computed on first use)."""
        return hashlib.sha256(self.data).hexdigest()

    def changed(self, path: str) -> bool:
        """Tell whether the file at ``path`` differs from this state (by size, then content)."""
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return True
        if st.st_size != self.size:
            return True
        if st.st_mtime_ns == self.mtime_ns:
            return False
        with open(path, "rb") as fh:
            return fh.read() != self.data


def backup_path(path: str) -> str:
    """Return where the previous version of ``path`` is kept."""
    return path + ".bak"


def atomic_write(path: str, data: bytes, *, expected: DiskState | None = None,
                 force: bool = False, backup: bool = True) -> DiskState:  # fmt: skip
    """Write ``data`` to ``path`` atomically (temp file, fsync, rename) and return its new state.

    The previous file is kept as ``path + '.bak'``. If ``expected`` is given and the file on
    disk no longer matches it, :class:`SaveConflictError` is raised, and if the file is read-only
    :class:`ReadOnlyFileError`, unless ``force`` is true. Leftovers of killed saves of the same
    file are cleaned up first (:func:`clean_leftovers`).
    """
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    if not force and is_read_only(path):
        raise ReadOnlyFileError(
            "the file is read-only; save it under another name, or save anyway to replace it",
            path=path,
        )
    if expected is not None and not force and expected.changed(path):
        raise SaveConflictError(
            "the file was changed on disk by another program since it was opened; "
            "reload it, or save anyway to overwrite those changes",
            path=path,
        )
    for message in clean_leftovers(path):
        log.warning("%s", message)
    try:
        if backup and os.path.exists(path):
            _keep_backup(path, folder)
        _write_replace(path, data, folder, mode_of=path)
    except PermissionError:
        raise SaveError("permission denied: cannot write here", path=path) from None
    except FileNotFoundError:
        raise SaveError("the folder does not exist", path=path) from None
    except OSError as exc:
        raise SaveError(f"cannot write the file: {exc.strerror or exc}", path=path) from None
    return DiskState.of_bytes(path, data)


def _keep_backup(path: str, folder: str) -> None:
    """Make ``path + '.bak'`` the current file: a hard link (no copy), else a copy."""
    bak = backup_path(path)
    link = os.path.join(folder, f"{_PREFIX}{_HOST}-{os.getpid()}.{_tag(os.path.basename(path))}.bak")
    try:
        if os.path.lexists(link):
            os.unlink(link)
        os.link(path, link)
        os.replace(link, bak)
        if os.path.lexists(link):  # bak was already this file: rename(2) then does nothing
            os.unlink(link)
    except OSError:  # no hard links here (some network or FAT file systems)
        if os.path.lexists(link):
            os.unlink(link)
        with open(path, "rb") as fh:
            _write_replace(bak, fh.read(), folder, mode_of=path)


def _write_replace(path: str, data: bytes, folder: str, mode_of: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f"{_PREFIX}{_HOST}-{os.getpid()}-", dir=folder,
                               suffix=f"-{len(data)}.{_tag(os.path.basename(path))}.tmp")  # fmt: skip
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if os.path.exists(mode_of):
            os.chmod(tmp, os.stat(mode_of).st_mode & 0o7777)
        else:  # a new file gets the usual permissions (mkstemp makes it private)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on folders
        log.debug("could not fsync folder %s", folder)


def is_read_only(path: str) -> bool:
    """Tell whether an existing file is read-only, as vim judges it (also when run as root).

    Read-only means no write permission bit at all (``chmod 444``), or none for us.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    if not stat.S_ISREG(mode):
        return False
    return not mode & 0o222 or not os.access(path, os.W_OK)


# -- leftovers of killed saves --------------------------------------------------------------------
_PREFIX = ".glossator-"
_HOST = re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:16] or "host"
#: A temporary file: owner (host, pid), mkstemp's random part, the size it will have, the target.
_TMP = re.compile(r"\.glossator-(?P<host>[A-Za-z0-9]+)-(?P<pid>\d+)-[a-z0-9_]{8}-(?P<size>\d+)"
                  r"\.(?P<name>.+)\.tmp")  # fmt: skip
#: The hard link made on the way to ``<name>.bak``, and as Glossator 0.1 named it.
_LINK = re.compile(r"\.glossator-(?P<host>[A-Za-z0-9]+)-(?P<pid>\d+)\.(?P<name>.+)\.bak")
_OLD_LINK = re.compile(r"\.glossator-(?P<pid>\d+)-(?P<name>.+)\.bak")
#: A save never takes this long: files of another computer older than this are leftovers.
_FOREIGN_AGE = 24 * 3600


def leftover_is_dead(name: str) -> bool | None:
    """Tell whether a Glossator temporary or link file name belongs to a process that is gone
    (None: not such a name, or made by an older Glossator that recorded no owner)."""
    m = _TMP.fullmatch(name) or _LINK.fullmatch(name)
    if m is None:
        return None
    if m.group("host") != _HOST:
        return None  # another computer's: its owner cannot be asked from here
    return not _alive(int(m.group("pid")))


def _tag(name: str) -> str:
    """Return the form of a file name used inside temporary names (long names are shortened)."""
    if len(name) <= 120:
        return name
    return name[:100] + "~" + hashlib.sha1(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]


def _alive(pid: int) -> bool:
    """Tell whether a process with this id is running on this computer (if unsure: yes)."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # pragma: no cover - os.kill(pid, 0) would stop the process
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5  # access denied: it exists
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, another user's
        return True
    return True


def _same_bytes(a: str, b: str) -> bool:
    """Tell whether two files have the same content (False if either cannot be read)."""
    try:
        if os.path.getsize(a) != os.path.getsize(b):
            return False
        with open(a, "rb") as fa, open(b, "rb") as fb:
            while True:
                x, y = fa.read(1 << 20), fb.read(1 << 20)
                if x != y:
                    return False
                if not x:
                    return True
    except OSError:
        return False


def _rescue_name(path: str, mtime: float) -> str:
    root, ext = os.path.splitext(path)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(mtime))
    name, n = f"{root}.interrupted-save-{stamp}{ext}", 2
    while os.path.lexists(name):
        name, n = f"{root}.interrupted-save-{stamp}-{n}{ext}", n + 1
    return name


def clean_leftovers(path: str) -> list[str]:
    """Remove what killed Glossator saves of ``path`` left beside it; return messages to show.

    Only Glossator's temporary and link files *of this file* whose process is gone are touched:
    a user's ``notes.tmp``, another program's ``.bak`` and the files of a Glossator still saving
    here stay. A temporary file that is complete, newer than the file and unlike both the file
    and its backup may be the only copy of a save: it is kept, renamed
    ``<name>.interrupted-save-<time><ext>``, and a message says so. Never raises.
    """
    path = os.path.abspath(path)
    folder, base = os.path.split(path)
    ours = {_tag(base), _tag(base + ".bak")}
    messages: list[str] = []
    try:
        names = [n for n in os.listdir(folder) if n.startswith(_PREFIX)]
    except OSError:
        return messages
    for name in names:
        tmp = _TMP.fullmatch(name)
        found = [m for m in (tmp, _LINK.fullmatch(name), _OLD_LINK.fullmatch(name))
                 if m is not None and m.group("name") in ours]  # fmt: skip
        if not found:
            continue
        m, target = found[0], found[0].group("name")
        leftover = os.path.join(folder, name)
        try:
            st = os.lstat(leftover)
            host = m.groupdict().get("host") or _HOST
            pid = int(m.group("pid"))
            if host == _HOST and _alive(pid):
                continue
            if host != _HOST and time.time() - st.st_mtime < _FOREIGN_AGE:
                continue  # another computer's save may still be running
            if m is tmp and target == _tag(base) and st.st_size == int(tmp.group("size")):
                newer = not os.path.exists(path) or st.st_mtime_ns > os.stat(path).st_mtime_ns
                if newer and not any(_same_bytes(leftover, p) for p in (path, backup_path(path))):
                    kept = _rescue_name(path, st.st_mtime)
                    os.rename(leftover, kept)
                    if os.path.exists(path):  # readable like the file, not private like a temp
                        os.chmod(kept, os.stat(path).st_mode & 0o7777)
                    messages.append(
                        f"A save of {base} was interrupted after writing it completely; that "
                        f"version is newer than the file and was kept as {os.path.basename(kept)}"
                    )
                    continue
            os.unlink(leftover)
            log.info("removed %s, left by an interrupted save", leftover)
        except OSError as exc:
            log.warning("cannot clean up %s: %s", leftover, exc)
    return messages
