"""Make the README screenshots: the annotated sample article (tools/annotate_sample.py) in the app,
once as it opens, once with a contested figure selected in the editor, the Evidence matrix panel,
and once compared with a second source (a short illustrative text made here), the figure linked
to a passage of it.

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
    """Write docs/screenshot.png, docs/screenshot-editor.png, docs/screenshot-matrix.png and
    docs/screenshot-compare.png."""
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
    window.matrix_panel.refresh()  # not the 0.2 s timer that gathers a burst of changes
    settle(app)
    window.matrix_panel.table.resizeRowsToContents()
    settle(app)
    window.matrix_dock.grab().save(str(ROOT / "docs" / "screenshot-matrix.png"))
    window.matrix_dock.hide()
    compare(app, window, figure.id, path.parent)
    window.session.undo_stack.setClean()
    window.close()
    return 0


SECOND = """<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0">
  <teiHeader>
    <fileDesc>
      <titleStmt><title>An illustrative second source</title></titleStmt>
      <publicationStmt><p>Made up for Glossator's README screenshot; not a historical source.</p></publicationStmt>
      <sourceDesc><p>Illustrative text.</p></sourceDesc>
    </fileDesc>
  </teiHeader>
  <text>
    <body>
      <head>Soviet credits to China, 1938–1939</head>
      <p>In 1938 and 1939 the Soviet Union opened three credits to the Chinese government, of
         $ 50 million, $ 50 million and $ 150 million: $ 250 million in all, repaid in goods.</p>
      <p>Not all of it was drawn before the war in Europe cut the deliveries short.</p>
    </body>
  </text>
</TEI>
"""


def compare(app, window, figure_id: str, folder: Path) -> None:  # noqa: ANN001
    """Open the second source beside the article and link the figure to its total."""
    second = folder / "sources" / "credits-1938.xml"
    second.parent.mkdir(exist_ok=True)
    second.write_text(SECOND, encoding="utf-8")
    for dock in (window.outline_dock, window.notes_dock, window.document_dock):
        dock.hide()
    window.compare.open_path(str(second))
    settle(app)
    doc, pane = window.session.doc, window.compare.pane
    res = doc.resolve(doc.annotation(figure_id).target)[0]
    (b0, r0, _), *_, (b1, _, r1) = doc.text.blocks_between(res.start, res.end) * 2
    window.view.select_reading(b0, r0, b1, r1)
    block = next(i for i, b in enumerate(pane.session.doc.text.blocks) if "$ 250 million" in b.reading)
    at = pane.session.doc.text.blocks[block].reading.index("$ 250 million")
    pane.view.select_reading(block, at, block, at + len("$ 250 million"))
    window.compare.make_link(window.view.reading_selection(), pane.view.reading_selection(),
                             "alternative-value", "medium", "Three credits; the article adds the 1937 promise.")  # fmt: skip
    for view in (window.view, pane.view):
        cur = view.textCursor()
        cur.clearSelection()
        view.setTextCursor(cur)
    window.view.scroll_to_annotation(figure_id)
    window.select_annotation(figure_id)
    settle(app)
    window.grab().save(str(ROOT / "docs" / "screenshot-compare.png"))
    pane.session.undo_stack.setClean()


if __name__ == "__main__":
    raise SystemExit(main())
