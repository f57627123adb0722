"""Application setup: names, style, palette and the global exception hook."""

from __future__ import annotations

import logging
import os
import re
import sys
import traceback
from types import TracebackType

from PySide6.QtCore import QCoreApplication, Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QMessageBox

from . import __version__, settings

log = logging.getLogger(__name__)

STYLE = """
QMainWindow, QDockWidget { background: #f3f1ec; }
QDockWidget::title { background: #e9e5dc; padding: 5px 8px; font-weight: 600; color: #4a4438; }
QToolBar { background: #f3f1ec; border: none; border-bottom: 1px solid #dcd6ca; spacing: 4px; padding: 3px; }
QToolButton { padding: 3px 8px; border-radius: 4px; color: #3d382f; }
QToolButton:hover { background: #e6e1d6; }
QToolButton#qt_toolbar_ext_button { padding: 0; border: none; background: #e6e1d6; }
QToolButton:disabled { color: #a9a397; }
QStatusBar { background: #ebe7de; color: #5d574b; }
QTableView, QTreeView, QListWidget { background: #fdfcf9; alternate-background-color: #f6f3ed;
    selection-background-color: #d7e3f1; selection-color: #1e2a36; border: 1px solid #dcd6ca; }
QHeaderView::section { background: #ece8df; border: none; border-right: 1px solid #dcd6ca;
    padding: 3px 6px; color: #4a4438; }
QGroupBox { border: 1px solid #dcd6ca; border-radius: 5px; margin-top: 12px; padding-top: 6px; }
QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; color: #6b6353; }
QGroupBox#evidence_section { margin-top: 2px; padding-top: 0; }
QLineEdit, QPlainTextEdit#note_edit, QPlainTextEdit#explanation_edit, QComboBox {
    background: #ffffff; border: 1px solid #cfc8ba; border-radius: 4px; padding: 2px 4px; }
QPlainTextEdit, QTextEdit, QAbstractSpinBox { border: 1px solid #cfc8ba; }
QPlainTextEdit#document_view { border: 2px solid transparent; }
QToolButton { border: 1px solid transparent; }
QLineEdit:focus, QComboBox:focus, QAbstractSpinBox:focus { border: 2px solid #3d6fb6; padding: 1px 3px; }
QPlainTextEdit:focus, QTextEdit:focus, QTableView:focus, QTreeView:focus, QListView:focus,
QPlainTextEdit#note_edit:focus, QPlainTextEdit#explanation_edit:focus { border: 2px solid #3d6fb6; }
QPlainTextEdit#document_view:focus { border: 2px solid #9db7d9; }
QPushButton { background: #ece8df; border: 1px solid #c4bcab; border-radius: 4px; padding: 3px 10px;
    min-width: 48px; color: #2f2b25; }
QPushButton:hover { background: #e4dfd4; }
QPushButton:pressed, QPushButton:checked { background: #d8d2c4; }
QPushButton:disabled { color: #a9a397; border-color: #dcd6ca; }
QPushButton:default { border-color: #8e8674; }
QPushButton:focus { border: 2px solid #3d6fb6; padding: 2px 9px; }
/* the styled buttons' size ignores an icon, so dialog buttons carry text only (no clipped labels) */
QDialogButtonBox { dialogbuttonbox-buttons-have-icons: 0; }
QCheckBox, QRadioButton { border: 1px solid transparent; border-radius: 3px; padding: 1px 2px; }
QCheckBox:focus, QRadioButton:focus, QTabBar::tab:focus { border: 1px solid #3d6fb6; }
QToolButton:focus { border: 1px solid #3d6fb6; }
QComboBox QAbstractItemView { background: #fdfcf9; color: #2f2b25; border: 1px solid #cfc8ba;
    selection-background-color: #d7e3f1; selection-color: #1e2a36; outline: 0; }
QComboBox QAbstractItemView::item { min-height: 20px; padding: 0 4px; }
QComboBox QAbstractItemView::item:selected { background: #d7e3f1; color: #1e2a36; }
QComboBox { combobox-popup: 0; }
QTabBar::tab { background: #e9e5dc; padding: 4px 12px; border: 1px solid #dcd6ca; border-bottom: none; }
QTabBar::tab:selected { background: #fdfcf9; }
"""


NO_WINDOW_HINT = ("run Glossator in an X11 or Wayland session, or set QT_QPA_PLATFORM=offscreen to "
                  "make a --screenshot without a display")  # fmt: skip


def no_window_reason(qt_messages: list[str]) -> str:
    """Return one line saying why Qt could not open a window, from the messages it gave."""
    text = " ".join(qt_messages)
    if "could not connect to display" in text:
        display = os.environ.get("DISPLAY", "")
        where = f"cannot connect to the display {display}" if display else "there is no display (DISPLAY is not set)"
        return f"{where}: {NO_WINDOW_HINT}"
    plugin = re.search(r'platform plugin "([^"]+)"', text)
    name = plugin.group(1) if plugin else os.environ.get("QT_QPA_PLATFORM", "")
    return (f"Qt cannot open a window: its platform plugin {name!r} did not start (missing system "
            f"libraries? run sh tools/setup.sh); {NO_WINDOW_HINT}")  # fmt: skip


def _create_application(argv: list[str]) -> QApplication:
    """Create the QApplication; if Qt finds no way to open a window (no display, a display it
    cannot reach, a platform plugin that cannot load), print one line and exit with status 2
    instead of letting Qt abort the process with a core dump. Qt's own messages go to the log
    (shown with --verbose), not to the terminal."""
    messages: list[str] | None = []  # what Qt said while starting (None once started)

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        if kind == QtMsgType.QtFatalMsg:
            if messages is not None:
                print(f"glossator: error: {no_window_reason([*messages, message])}", file=sys.stderr, flush=True)
                os._exit(2)  # Qt aborts right after this handler returns
            log.critical("Qt: %s", message)
            return
        if messages is not None:
            messages.append(message)
        log.info("Qt: %s", message)

    qInstallMessageHandler(handler)
    app = QApplication(argv)
    messages = None
    return app


def make_app(argv: list[str], *, sheet: bool = True) -> QApplication:
    """Create (or return) the QApplication with Glossator's names and look (without its style
    sheet if not ``sheet``: see :func:`annotator.__main__.run_gui`)."""
    app = QApplication.instance()
    if app is None:
        QCoreApplication.setOrganizationName(settings.ORGANIZATION)
        QCoreApplication.setApplicationName(settings.APPLICATION)
        QCoreApplication.setApplicationVersion(__version__)
        app = _create_application(argv)
    assert isinstance(app, QApplication)
    apply_style(app, sheet=sheet)
    return app


def apply_style(app: QApplication, *, sheet: bool = True) -> None:
    """Use the Fusion style with a calm, warm palette, and (if ``sheet``) the style sheet."""
    app.setStyle("Fusion")
    pal = QPalette()
    pal.setColor(QPalette.ColorRole.Window, QColor("#f3f1ec"))
    pal.setColor(QPalette.ColorRole.WindowText, QColor("#2f2b25"))
    pal.setColor(QPalette.ColorRole.Base, QColor("#fdfcf9"))
    pal.setColor(QPalette.ColorRole.AlternateBase, QColor("#f6f3ed"))
    pal.setColor(QPalette.ColorRole.Button, QColor("#ece8df"))
    pal.setColor(QPalette.ColorRole.ButtonText, QColor("#2f2b25"))
    pal.setColor(QPalette.ColorRole.Highlight, QColor("#3d6fb6"))
    pal.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    pal.setColor(QPalette.ColorRole.ToolTipBase, QColor("#fffdf6"))
    pal.setColor(QPalette.ColorRole.ToolTipText, QColor("#2f2b25"))
    app.setPalette(pal)
    font = QFont()
    font.setFamilies(["Noto Sans", "DejaVu Sans", "sans-serif"])
    font.setPointSize(9)
    app.setFont(font)
    if sheet:
        app.setStyleSheet(STYLE)
    app.setAttribute(Qt.ApplicationAttribute.AA_DontShowIconsInMenus, False)


def open_error_line(path: str) -> str:
    """Return the command line's one-line error for a file that cannot be opened."""
    import tei

    try:
        tei.load(path)
    except tei.TeiError as exc:
        message = str(exc) if exc.path else f"{path}: {exc}"
    except OSError as exc:
        message = f"{exc.filename or path}: {exc.strerror or exc}"
    else:
        message = f"{path}: the file could not be opened"
    return "glossator: error: " + " ".join(message.split())


def install_excepthook() -> None:
    """Show unexpected exceptions in a dialog instead of crashing (the document stays open)."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("unhandled exception:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        if QApplication.instance() is not None:
            box = QMessageBox(QMessageBox.Icon.Critical, "Unexpected error",
                              f"{exc_type.__name__}: {exc}\n\nYour document is still open; save it "
                              "under a new name if in doubt. Details are in the log.")  # fmt: skip
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()

    sys.excepthook = hook
