"""Make the README screenshots: the annotated sample article (tools/annotate_sample.py) in the app,
once as it opens, once with a contested figure selected in the editor, and the Evidence matrix
panel.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python tools/readme_screenshots.py`` (writes docs/*.png)
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import annotate_sample  # noqa: E402
from PySide6.QtCore import QSettings, QStandardPaths, Qt  # noqa: E402


def settle(app, rounds: int = 20) -> None:  # noqa: ANN001
    """Let the window lay out and paint."""
    for _ in range(rounds):
        app.processEvents()


def main() -> int:
    """Write docs/screenshot.png, docs/screenshot-editor.png and docs/screenshot-matrix.png."""
    QStandardPaths.setTestModeEnabled(True)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    from annotator.app import make_app
    from annotator.main_window import MainWindow

    path = Path(tempfile.mkdtemp()) / "soviet-aid-to-china.xml"
    annotate_sample.main([str(path)])
    app = make_app(["glossator"])
    window = MainWindow(str(path))
    window.persist_layout = False
    window.resize(1440, 900)
    window.show()
    settle(app)
    window.grab().save(str(ROOT / "docs" / "screenshot.png"))
    figure = next(a for a in window.session.doc.annotations() if a.quote == "$ 500 million")
    window.select_annotation(figure.id)
    window.view.scroll_to_annotation(figure.id)
    settle(app)
    window.grab().save(str(ROOT / "docs" / "screenshot-editor.png"))
    window.matrix_dock.show()
    window.resizeDocks([window.matrix_dock], [400], Qt.Orientation.Vertical)
    settle(app)
    window.matrix_panel.table.resizeRowsToContents()
    settle(app)
    window.matrix_dock.grab().save(str(ROOT / "docs" / "screenshot-matrix.png"))
    window.session.undo_stack.setClean()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
