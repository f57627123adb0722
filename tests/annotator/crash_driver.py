"""A Glossator window in its own process, driven line by line from stdin, for crash tests.

Run as ``python -m tests.annotator.crash_driver FILE`` (offscreen, with HOME and the XDG folders
pointing at a temporary folder). It prints ``ready <recovery folder>``, then for each command
line performs it with real key events and prints ``ok <detail>`` once it is done, so that the
test knows exactly what had reached the window when it kills the process:

- ``annotate BLOCK START LENGTH`` — Shift+Right LENGTH times from (BLOCK, START), key C
- ``type TEXT`` — type TEXT into the note, one key event per character, ``ok`` after each
- ``autosave-loop N`` — N times: type one character and write a recovery copy at once
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def main(path: str) -> None:
    """Open ``path`` and obey the commands on stdin until it closes (or the process is killed)."""
    QStandardPaths.setTestModeEnabled(True)
    from annotator import recovery
    from annotator.app import make_app
    from annotator.main_window import MainWindow

    app = make_app([sys.argv[0]])
    window = MainWindow(path)
    window.session.set_identity("Crash Tester")
    window.show()
    window.activateWindow()
    QTest.qWaitForWindowActive(window)
    print("ready", recovery.recovery_dir(), flush=True)
    for line in sys.stdin:
        cmd, _, arg = line.rstrip("\n").partition(" ")
        if cmd == "annotate":
            block, start, length = (int(x) for x in arg.split())
            view = window.view
            cur = QTextCursor(view.document())
            cur.setPosition(view.map.reading_to_qt(block, start))
            view.setTextCursor(cur)
            view.setFocus()
            for _ in range(length):
                QTest.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
            QTest.keyClick(view, Qt.Key.Key_C)
            app.processEvents()
            print("ok", window.editor.ann_id, flush=True)
        elif cmd == "type":
            for ch in arg:
                QTest.keyClicks(window.note_edit, ch)
                print("ok", ch, flush=True)
        elif cmd == "autosave-loop":
            for n in range(int(arg)):
                QTest.keyClicks(window.note_edit, "x")
                window.autosave()
                print("ok", n, flush=True)
        app.processEvents()
    QApplication.quit()


if __name__ == "__main__":
    main(sys.argv[1])
