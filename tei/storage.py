"""Atomic, backed-up writes, and detection of files changed on disk by another program."""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import tempfile
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
    disk no longer matches it, :class:`SaveConflictError` is raised unless ``force`` is true;
    so is :class:`ReadOnlyFileError` for a file without write permission bits.
    """
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    if expected is not None and not force and expected.changed(path):
        raise SaveConflictError(
            "the file was changed on disk by another program since it was opened; "
            "reload it, or save anyway to overwrite those changes",
            path=path,
        )
    if not force and is_read_only(path):
        raise ReadOnlyFileError(
            "the file is read-only (its permissions allow no writing); save under another name, "
            "or make it writable first",
            path=path,
        )
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


def is_read_only(path: str) -> bool:
    """Tell whether an existing file has no write permission bit at all (as vim judges it: a
    rename could replace it, and root could write it, but its owner made it read-only)."""
    try:
        return not os.stat(path).st_mode & 0o222
    except OSError:
        return False


def _keep_backup(path: str, folder: str) -> None:
    """Make ``path + '.bak'`` the current file: a hard link (no copy), else a copy."""
    bak = backup_path(path)
    link = os.path.join(folder, f".glossator-{os.getpid()}-{os.path.basename(bak)}")
    try:
        if os.path.lexists(link):
            os.unlink(link)
        os.link(path, link)
        os.replace(link, bak)
    except OSError:  # no hard links here (some network or FAT file systems)
        if os.path.lexists(link):
            os.unlink(link)
        with open(path, "rb") as fh:
            _write_replace(bak, fh.read(), folder, mode_of=path)


def _write_replace(path: str, data: bytes, folder: str, mode_of: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".glossator-{os.getpid()}-", suffix=".tmp", dir=folder)  # pid: see cleanup
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
