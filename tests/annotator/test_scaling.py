"""Scaling and narrow screens: the window fits the screen at 1.5× and at 1024 px, the text wraps
within its column, toolbar overflow shows, and View ▸ Reset layout brings the first layout back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, sample_source

DRIVER = r"""
import json, sys, tempfile
from PySide6.QtCore import QPoint, QRect, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDockWidget, QToolBar, QToolButton
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
from annotator import settings
from annotator.app import make_app
app = make_app([])
from annotator.main_window import MainWindow

def rect(r): return [r.x(), r.y(), r.width(), r.height()]
def glob(w): return rect(QRect(w.mapToGlobal(QPoint(0, 0)), w.size()))

def facts(w):
    QTest.qWait(200)
    view = w.view
    vp = view.viewport().width()
    widest, b = 0, view.firstVisibleBlock()
    while b.isValid() and view.blockBoundingGeometry(b).translated(view.contentOffset()).top() < view.viewport().height():
        lay = b.layout()
        for i in range(lay.lineCount() if lay else 0):
            line = lay.lineAt(i)
            widest = max(widest, int(line.x() + line.naturalTextWidth()))
        b = b.next()
    bars = {}
    for tb in w.findChildren(QToolBar):
        ext = tb.findChild(QToolButton, "qt_toolbar_ext_button")
        hidden = [a.iconText() for a in tb.actions() if not a.isSeparator() and tb.widgetForAction(a) is not None
                  and not tb.widgetForAction(a).isVisible()]
        colours = 0
        if ext is not None and ext.isVisible():
            img = ext.grab().toImage()
            colours = len({img.pixel(x, y) for x in range(img.width()) for y in range(img.height())})
        bars[tb.objectName()] = {"hidden": hidden, "ext": glob(ext) if ext is not None and ext.isVisible() else None,
                                 "ext_colours": colours, "rect": glob(tb)}
    docks = {d.objectName(): glob(d) for d in w.findChildren(QDockWidget) if d.isVisible() and not d.visibleRegion().isEmpty()}
    return {"frame": rect(w.frameGeometry()), "view": glob(view), "viewport": vp, "widest_line": widest,
            "toolbars": bars, "docks": docks}

out = {"avail": rect(app.primaryScreen().availableGeometry())}
w = MainWindow(sys.argv[1])
w.show(); QTest.qWaitForWindowExposed(w)
out["opened"] = facts(w)
avail = app.primaryScreen().availableGeometry()
w.resize(avail.width() - 40, avail.height() - 40)  # the user makes it a little smaller
out["resized"] = facts(w)
w.resize(2400, 1600)  # then stretches it beyond the screen and quits: the geometry is remembered
QTest.qWait(100)
w.close()
w2 = MainWindow(sys.argv[1])
w2.show(); QTest.qWaitForWindowExposed(w2)
out["restored"] = facts(w2)
w2.persist_layout = False
print("FACTS" + json.dumps(out), flush=True)
out = {}
w2.editor_dock.hide()  # the user loses the editor, floats the outline, widens the list
w2.outline_dock.setFloating(True)
w2.resizeDocks([w2.list_dock], [w2.width() // 2], Qt.Orientation.Horizontal)
w2.notes_dock.raise_()
QTest.qWait(100)
w2.action_reset_layout.trigger()  # as a menu click
out["reset"] = facts(w2)
out["reset"]["in_view_menu"] = w2.action_reset_layout in next(
    m.menu() for m in w2.menuBar().actions() if m.text() == "&View").actions()
out["reset"]["sizes"] = {"outline": w2.outline_dock.width(), "editor": w2.editor_dock.width(),
                         "outline_left": w2.dockWidgetArea(w2.outline_dock) == Qt.DockWidgetArea.LeftDockWidgetArea,
                         "editor_right": w2.dockWidgetArea(w2.editor_dock) == Qt.DockWidgetArea.RightDockWidgetArea,
                         "floating": [d.objectName() for d in w2.findChildren(QDockWidget) if d.isFloating()]}
print("RESET" + json.dumps(out["reset"]))
"""


def _run(tmp_path: Path, scale: str, width: int, height: int, what: str = "FACTS") -> dict:
    screens = tmp_path / "screens.json"
    screens.write_text(json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": width, "height": height,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))  # fmt: skip
    env = dict(os.environ, QT_SCALE_FACTOR=scale, QT_QPA_PLATFORM=f"offscreen:configfile={screens}",
               PYTHONPATH=str(ROOT), HOME=str(tmp_path))  # fmt: skip
    doc = tmp_path / "doc.xml"
    doc.write_bytes(sample_source().read_bytes())
    proc = subprocess.run([sys.executable, "-c", DRIVER, str(doc)], env=env, capture_output=True, text=True,
                          timeout=120, cwd=str(tmp_path))  # fmt: skip
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith(what)), None)
    assert line is not None, proc.stdout[-2000:] + proc.stderr[-2000:]
    return json.loads(line[len(what):])


def _inside(r: list[int], area: list[int]) -> bool:
    x, y, w, h = r
    ax, ay, aw, ah = area
    return ax <= x and ay <= y and x + w <= ax + aw and y + h <= ay + ah


@pytest.mark.parametrize(("scale", "width", "height"), [("1.5", 1366, 768), ("1", 1024, 768)])
def test_the_window_fits_the_screen_and_the_text_wraps_in_its_column(tmp_path: Path, scale: str, width: int,
                                                                      height: int) -> None:  # fmt: skip
    facts = _run(tmp_path, scale, width, height)
    avail = facts["avail"]
    for when in ("opened", "resized", "restored"):
        f = facts[when]
        assert _inside(f["frame"], avail), (when, f["frame"], avail)
        assert _inside(f["view"], avail), (when, f["view"], avail)
        assert f["widest_line"] <= f["viewport"], (when, f["widest_line"], f["viewport"])
        assert f["view"][2] >= 380, (when, "the text column is too narrow", f["view"])
        vx, _, vw, _ = f["view"]
        for name, (dx, _dy, dw, _dh) in f["docks"].items():
            assert _inside([dx, _dy, dw, _dh], avail), (when, name)
            assert dx + dw <= vx or dx >= vx + vw, (when, name, "covers the text")
        for name, bar in f["toolbars"].items():
            assert _inside(bar["rect"], avail), (when, name, bar["rect"])
            if bar["hidden"]:  # what does not fit is behind a visible » button
                assert bar["ext"] is not None and _inside(bar["ext"], bar["rect"]), (when, name, bar)
                assert bar["ext_colours"] > 2, (when, name, "the overflow button is blank")


def test_reset_layout_brings_back_the_first_start_panels(tmp_path: Path) -> None:
    facts = _run(tmp_path, "1", 1366, 768, "RESET")
    assert facts["in_view_menu"]
    sizes = facts["sizes"]
    assert sizes["outline_left"] and sizes["editor_right"] and not sizes["floating"], sizes
    assert {"outline_dock", "editor_dock", "list_dock"} <= set(facts["docks"]), facts["docks"]
    assert 200 <= sizes["outline"] <= 260 and 400 <= sizes["editor"] <= 480, sizes
    assert facts["view"][2] >= 500, facts["view"]
