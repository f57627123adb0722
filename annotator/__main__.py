"""``glossator``: the desktop application, or a CLI subcommand (``glossator export …``)."""

from __future__ import annotations

import argparse
import atexit
import gc
import logging
import os
import sys
from typing import Any, NoReturn

from tei.errors import TeiError
from tei.textmodel import paused_gc

log = logging.getLogger("annotator")


def _cli_commands() -> set[str]:
    try:
        from tei import cli
    except ImportError:
        return set()
    return set(getattr(cli, "COMMANDS", set()))


def main(argv: list[str] | None = None) -> int:
    """Run Glossator: a CLI subcommand if the first argument (after ``--debug``) names one, else
    the GUI. Without ``argv`` (the program itself, reading ``sys.argv``) a command ends the
    process when it is done (see :func:`_exit_now`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    first = next((a for a in args if a not in ("--debug", "-v", "--verbose")), "")  # CLI options
    if first in _cli_commands():
        from tei import cli, exporters

        # Qt is imported only when a PDF is asked for (annotator.pdf re-registers the real function).
        exporters.register("pdf", _export_pdf, "PDF print edition")
        with paused_gc():  # a command's objects live until it ends: the GC's passes find nothing
            code = int(cli.run(args))
        if argv is None:
            _exit_now(code)
        return code
    code = run_gui(args)
    if argv is None:
        gc.freeze()  # the interpreter's last collection would traverse every object left
    return code


def _exit_now(code: int) -> NoReturn:
    """End the process without freeing its objects one by one (a large document's tree, blocks
    and maps: 0.1-0.2 s of nothing): run the exit handlers, flush the output, exit."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`): nothing more to say there
            pass
    os._exit(code)


def _export_pdf(doc: Any, dest: str, **options: Any) -> Any:
    """Import the Qt-based PDF exporter on first use and run it."""
    try:
        from .pdf import export_pdf
    except ImportError as exc:
        raise TeiError(f"PDF export needs PySide6, which cannot be loaded ({exc})") from None
    return export_pdf(doc, dest, **options)


def _parse(args: list[str]) -> argparse.Namespace:
    try:
        from tei.cli import commands_help
    except ImportError:
        commands_help = str
    parser = argparse.ArgumentParser(
        prog="glossator",
        usage="glossator [-h] [-v] [--screenshot OUT.png] [FILE]\n"
              "       glossator [--debug] [-v] COMMAND ...",
        description="Critical annotation of TEI texts: without a COMMAND, open FILE in the app.",
        epilog=commands_help(), formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", nargs="?", help="TEI file to open (default: the bundled sample)")
    parser.add_argument("--screenshot", metavar="OUT.png",
                        help="open the file, save a screenshot of the window after the first paint, exit")
    parser.add_argument("--verbose", "-v", "--debug", action="store_true",
                        help="log debugging details (also before a COMMAND)")
    return parser.parse_args(args)


def run_gui(args: list[str]) -> int:
    """Start the GUI."""
    ns = _parse(args)
    logging.basicConfig(level=logging.DEBUG if ns.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")  # fmt: skip
    gc.disable()  # start-up makes only long-lived objects (see _collect_when_shown)
    if ns.file:
        from . import preload

        preload.start(ns.file)  # parsed while Qt is imported and the window made
    from PySide6.QtCore import QTimer

    from .app import STYLE, install_excepthook, make_app, open_error_line
    from .lifecycle import SAMPLE
    from .main_window import MainWindow

    # The style sheet once the window is made: while it is, each panel put in place would have
    # every widget in it styled again (a third of the window's making, 0.05-0.08 s).
    app = make_app([sys.argv[0]], sheet=False)
    install_excepthook()
    path = ns.file
    if path is None and os.path.exists(SAMPLE):
        path = SAMPLE
    try:
        window = MainWindow(path)
    except BaseException:
        gc.enable()
        raise
    finally:
        app.setStyleSheet(STYLE)  # before anything is shown or painted
    _collect_when_shown(window.view)
    if ns.screenshot:
        if path and not window.has_document:  # nobody would read the error box
            print(open_error_line(path), file=sys.stderr)
            return 2
        return _screenshot(app, window, ns.screenshot, QTimer)
    window.show()
    return int(app.exec())


def _collect_when_shown(view: Any) -> None:
    """Turn the cyclic garbage collector back on once the document's whole text is shown: until
    then its passes would traverse the modules, widgets and document being made (hundreds of
    thousands of objects for a large text) again and again and find no garbage."""
    shown = view.shown_map
    if shown is None or shown.complete:
        gc.enable()
    else:
        view.display_completed.connect(gc.enable)


def _screenshot(app, window, out: str, QTimer) -> int:  # noqa: ANN001, N803
    """Show the window, wait for the first paint and the complete layout, save a grab, return 0."""
    window.persist_layout = False
    window.resize(1440, 900)
    window.show()
    done = {"painted": False}
    window.view.first_paint.connect(lambda: done.__setitem__("painted", True))
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.start(15000)
    view = window.view  # wait for the first paint, then for the whole text's layout
    while not (done["painted"] and (view.shown_map is None or view.shown_map.complete)) and deadline.isActive():
        app.processEvents()
    for _ in range(5):
        app.processEvents()
    window.view.format_visible()
    app.processEvents()
    ok = window.grab().save(out)
    window.session.undo_stack.setClean()
    window.close()
    if not ok:
        print(f"glossator: cannot write {out}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
