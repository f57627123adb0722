"""Help by hand: F1 opens the guide, Ctrl+/ the shortcuts (read from the actions), About says what runs."""

from __future__ import annotations

import subprocess
import sys

from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication

from annotator import __version__
from annotator.help_pages import HelpBrowser
from tests.conftest import ROOT

from .test_hands import hands  # noqa: F401 - the fixture


def _shown(qtbot) -> HelpBrowser:  # noqa: ANN001
    qtbot.waitUntil(lambda: any(isinstance(w, HelpBrowser) and w.isVisible() for w in QApplication.topLevelWidgets()))
    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, HelpBrowser) and w.isVisible())


def test_f1_opens_the_user_guide(hands, qtbot) -> None:  # noqa: ANN001, F811
    qtbot.keyClick(hands.view, Qt.Key.Key_F1)
    guide = _shown(qtbot)
    text = guide.browser.toPlainText()
    assert "Working in the app" in text and "Annotate" in text and "The file format" in text
    guide.close()


def test_the_shortcut_sheet_lists_every_key_of_the_window(hands, qtbot) -> None:  # noqa: ANN001, F811
    qtbot.keyClick(hands.view, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    sheet = _shown(qtbot)
    text = sheet.browser.toPlainText()
    keys = {k.toString(QKeySequence.SequenceFormat.NativeText)
            for act in hands.findChildren(QAction) if act.isVisible() for k in act.shortcuts()}  # fmt: skip
    assert len(keys) > 15
    missing = [k for k in keys if k and k not in text]
    assert missing == []
    assert "Bias note" in text and "Ctrl+Shift+S" in text and "Shift+arrows" in text
    sheet.close()


def test_about_names_the_versions_the_licence_and_links_the_file_format(hands, qtbot) -> None:  # noqa: ANN001, F811
    menu = hands.menuBar().findChild(type(hands.menuBar().actions()[0].menu()), "help_menu")
    about = next(a for a in menu.actions() if a.objectName() == "action_about")
    about.trigger()
    box = _shown(qtbot)
    text = box.browser.toPlainText()
    assert __version__ in text and qVersion() in text and "MIT" in text
    assert f"Python {sys.version.split()[0]}" in text
    box.browser.anchorClicked.emit(QUrl("file-format.md"))  # the link, as a click sends it
    assert "standOff" in box.browser.toPlainText()
    box.close()


def test_the_in_app_help_is_made_from_the_readme() -> None:
    """resources/help is regenerated from README.md and docs/ (tools/make_help.py --check)."""
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "make_help.py"), "--check"],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
