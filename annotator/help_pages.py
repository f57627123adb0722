"""Help: the user guide, a keyboard shortcut sheet made from the window's own actions, and About."""

from __future__ import annotations

import logging
import sys

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QUrl, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMainWindow,
    QMenu,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from tei.document import FORMAT_VERSION
from tei.resources import resource_path

from . import __version__

log = logging.getLogger(__name__)

#: Keys that belong to a widget rather than to an action (they have no menu item).
FIELD_KEYS = (
    ("In the text", "Shift+arrows", "select a passage"),
    ("In the text", "Ctrl+A", "select all"),
    ("In a note", "Esc", "back to the text"),
    ("In a note", "Tab", "next field of the editor"),
    ("In the find bar", "Enter / Shift+Enter", "next / previous hit"),
    ("In the find bar", "Esc", "close the bar"),
)


class HelpBrowser(QDialog):
    """A window showing a Markdown help page; links between help pages stay inside it."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None, *, html: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("help_browser")
        self.resize(760, 640)
        self.browser = QTextBrowser()
        self.browser.setObjectName("help_text")
        self.browser.setAccessibleName(title)
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._follow)
        self.browser.setSearchPaths([str(resource_path("help"))])
        if html:
            self.browser.setHtml(text)
        else:
            self.browser.setMarkdown(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.browser)
        lay.addWidget(buttons)

    def _follow(self, url: QUrl) -> None:
        """Open help pages in place; anything else goes to the system (a browser, a mail client)."""
        name = url.path().rsplit("/", 1)[-1]
        page = resource_path("help", name)
        if not url.scheme() and name.endswith(".md") and page.is_file():
            self.browser.setMarkdown(page.read_text(encoding="utf-8"))
            return
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(url)


def read_help(name: str) -> str:
    """Return a help page's Markdown (a clear line when the file is missing)."""
    path = resource_path("help", name)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        log.warning("help page missing: %s", exc)
        return f"The help page {name} is missing from this installation ({path}). Reinstall Glossator."


def shortcut_sheet(window: QMainWindow) -> str:
    """Return a Markdown table of every keyboard shortcut, read from the window's actions (menu
    by menu, in menu order), then the keys of the text and the editor's fields."""
    rows: list[tuple[str, str, str]] = []
    seen: set[int] = set()

    def walk(menu: QMenu, where: str) -> None:
        for act in menu.actions():
            if act.menu() is not None:
                walk(act.menu(), f"{where} ▸ {act.menu().title().replace('&', '')}")
            elif act.isSeparator() or id(act) in seen:
                continue
            else:
                seen.add(id(act))
                keys = _keys(act)
                if keys:
                    rows.append((where, keys, _name(act)))

    for act in window.menuBar().actions():
        if act.menu() is not None:
            walk(act.menu(), act.menu().title().replace("&", ""))
    for act in window.findChildren(QAction):  # actions with keys but no menu item (categories)
        if id(act) not in seen and _keys(act) and act.isVisible():
            seen.add(id(act))
            rows.append(("Annotate", _keys(act), _name(act)))
    rows += FIELD_KEYS
    lines = ["# Keyboard shortcuts", "", "| Where | Keys | What it does |", "|---|---|---|"]
    lines += [f"| {w} | {k} | {d} |" for w, k, d in rows]
    return "\n".join(lines) + "\n"


def _keys(act: QAction) -> str:
    return " or ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in act.shortcuts() if not k.isEmpty())


def _name(act: QAction) -> str:
    text = act.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…")
    return text.split(" — ")[0].replace("|", "\\|")


def about_html() -> str:
    """Return the About text: versions, licence and where the file format is documented."""
    import platform  # (here: 3 ms to import that starting the app does not need)

    return (f"<h3>Glossator {__version__}</h3>"
            "<p>A workbench for source criticism on TEI XML: critical annotations saved as TEI "
            "standoff markup, in the same file, never rewriting the text.</p>"
            f"<p>Standoff format version {FORMAT_VERSION}: "
            "<a href='file-format.md'>the file format</a> · <a href='guide.md'>the user guide</a></p>"
            f"<p>Python {platform.python_version()} · Qt {qVersion()} · PySide6 {pyside_version}"
            f" · {platform.system() or sys.platform}</p>"
            "<p>Free software under the MIT licence. Copyright © the Glossator developers.</p>")  # fmt: skip
