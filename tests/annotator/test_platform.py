"""The Qt binding must not be the one that aborts the interpreter on Python 3.11."""

from __future__ import annotations

import sys

import PySide6
from PySide6.QtGui import QTextCursor, QTextDocument


def test_pyside_version_is_safe_on_python_311() -> None:
    major, minor = (int(x) for x in PySide6.__version__.split(".")[:2])
    if sys.version_info < (3, 12):
        assert (major, minor) < (6, 12), "PySide6 6.12 aborts CPython 3.11 (none_dealloc)"
    assert (major, minor) >= (6, 11)


def test_many_void_calls_do_not_abort(qapp) -> None:  # noqa: ANN001
    refs_before = sys.getrefcount(None)
    document = QTextDocument("x")
    cursor = QTextCursor(document)
    for _ in range(200_000):
        cursor.setPosition(0)
    assert cursor.position() == 0
    if sys.version_info < (3, 12):
        assert sys.getrefcount(None) >= refs_before - 1000
