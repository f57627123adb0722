"""Smoke run of the real application as a person uses it: ``glossator`` on a virtual X display
with a window manager, driven by real key events (xdotool, through the X server), the real Save
dialog (Qt's own, typed into), screenshots at every step.

Select a passage with the keyboard, press a category key, type a note, Ctrl+S, type more,
Ctrl+Shift+S and a new file name, Enter, Ctrl+Q; then both files are read back. It also proves
the install: Qt's X11 plugin loads (every system library it needs is there).

Skipped only when Xvfb, openbox, xdotool or ImageMagick's ``import`` are missing
(``sh tools/setup.sh --test`` installs them, so in CI it runs). Set ``GLOSSATOR_SMOKE_SHOTS`` to a
folder to keep the screenshots.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import tei

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "samples" / "soviet-aid-to-china.xml"
TOOLS = ("Xvfb", "openbox", "xdotool", "import")
WAIT = 60.0  # seconds any one step may take on a busy machine (a hang fails, slowness does not)

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or any(shutil.which(t) is None for t in TOOLS),
    reason="needs Xvfb, openbox, xdotool and ImageMagick (sh tools/setup.sh --test installs them)",
)


class Desktop:
    """A virtual X display with a window manager; runs commands on it and takes screenshots."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.shots = tmp / "shots"
        self.shots.mkdir()
        self.procs: list[subprocess.Popen] = []
        read, write = os.pipe()
        xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1600x1000x24",
                                 "-nolisten", "tcp"], pass_fds=(write,),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        self.procs.append(xvfb)
        os.close(write)
        with os.fdopen(read) as f:
            number = f.readline().strip()
        assert number, "Xvfb did not start"
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("QT_QPA_PLATFORM", "QT_QPA_PLATFORMTHEME", "WAYLAND_DISPLAY",
                                 "XDG_CURRENT_DESKTOP", "DESKTOP_SESSION", "XAUTHORITY")}  # fmt: skip
        self.env["DISPLAY"] = f":{number}"
        self.start(["openbox"])

    def start(self, cmd: list[str], **env: str) -> subprocess.Popen:
        """Start a program on the display."""
        log = open(self.tmp / f"{Path(cmd[0]).name}.log", "w")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(cmd, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=self.tmp)  # fmt: skip
        self.procs.append(proc)
        return proc

    def run(self, *cmd: str) -> str:
        """Run a command on the display and return its output."""
        return subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=WAIT).stdout.strip()

    def keys(self, *keys: str) -> None:
        """Press keys (xdotool names) on the focused window, as a keyboard does."""
        self.run("xdotool", "key", "--delay", "60", *keys)

    def type(self, text: str) -> None:
        """Type text on the focused window."""
        self.run("xdotool", "type", "--delay", "40", text)

    def shot(self, name: str) -> Path:
        """Screenshot the whole screen."""
        path = self.shots / f"{len(list(self.shots.iterdir())) + 1:02d}-{name}.png"
        self.run("import", "-window", "root", str(path))
        return path

    def wait(self, what: str, ok: Callable[[], object]) -> None:
        """Wait until ``ok()`` is true; fail with a screenshot after ``WAIT`` seconds."""
        deadline = time.monotonic() + WAIT
        while not ok():
            if time.monotonic() > deadline:
                self.shot("timeout")
                raise AssertionError(f"timed out waiting for {what}; see {self.shots}")
            time.sleep(0.1)

    def window_named(self, text: str) -> str:
        """Return the id of a visible window whose title contains ``text`` ('' if none)."""
        out = self.run("xdotool", "search", "--onlyvisible", "--name", text)
        return out.splitlines()[0] if out else ""

    def active_title(self) -> str:
        return self.run("xdotool", "getactivewindow", "getwindowname")

    def close(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        keep = os.environ.get("GLOSSATOR_SMOKE_SHOTS")
        if keep:
            shutil.copytree(self.shots, keep, dirs_exist_ok=True)


@pytest.fixture
def desktop(tmp_path: Path):  # noqa: ANN201
    d = Desktop(tmp_path)
    yield d
    d.close()


def glossator_command() -> list[str]:
    script = Path(sys.executable).parent / "glossator"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "annotator"]


def test_annotate_save_and_save_as_with_real_input(desktop: Desktop, tmp_path: Path) -> None:
    if not SAMPLE.is_file():
        pytest.skip("the bundled sample is missing")
    work = tmp_path / "work"
    work.mkdir()
    original = work / "article.xml"
    copy = work / "article-copy.xml"
    shutil.copy(SAMPLE, original)
    home = tmp_path / "home"
    app = desktop.start([*glossator_command(), str(original)], PYTHONPATH=str(ROOT), HOME=str(home),
                        XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
                        XDG_CACHE_HOME=str(home / "cache"))  # fmt: skip

    def title() -> str:
        return desktop.active_title() if app.poll() is None else "(the app has exited)"

    desktop.wait("the window", lambda: app.poll() is not None or desktop.window_named("article.xml"))
    assert app.poll() is None, (tmp_path / "glossator.log").read_text()
    desktop.run("xdotool", "windowactivate", "--sync", desktop.window_named("article.xml"))
    desktop.wait("the window to have the focus", lambda: title().startswith("article.xml"))
    time.sleep(1.0)  # the first paint; keys typed before it are not lost, but nothing to see yet
    desktop.shot("started")

    first = next(b.reading for b in tei.load(str(original)).text.blocks if b.reading)
    passage = first[:17]  # "The Great October"
    desktop.keys(*["shift+Right"] * len(passage))
    desktop.shot("selected")
    desktop.keys("b")
    desktop.wait("the annotation (a * in the title)", lambda: title().startswith("article.xml*"))
    desktop.type("Smoke note, typed with xdotool")
    desktop.shot("annotated")

    desktop.keys("ctrl+s")
    desktop.wait("Ctrl+S to write the note", lambda: "Smoke note, typed with xdotool" in original.read_text("utf-8"))
    desktop.wait("the title to show no unsaved change", lambda: title().startswith("article.xml —"))
    saved = original.stat()
    desktop.type(" and more after the save")
    desktop.wait("the new typing", lambda: title().startswith("article.xml*"))

    desktop.keys("ctrl+shift+s")
    desktop.wait("the Save As dialog", lambda: desktop.window_named("Save As"))
    desktop.shot("save-as-dialog")
    desktop.keys("ctrl+a")
    desktop.type(str(copy))
    desktop.shot("save-as-typed")
    desktop.keys("Return")
    desktop.wait("the copy to be written", copy.exists)
    desktop.wait("the title to name the copy", lambda: title().startswith("article-copy.xml"))
    desktop.shot("saved-as")

    desktop.keys("ctrl+q")
    try:
        app.wait(WAIT)
    except subprocess.TimeoutExpired:
        desktop.shot("not-quit")
        raise
    assert app.returncode == 0, (tmp_path / "glossator.log").read_text()

    # the original has the annotation and the note as saved with Ctrl+S, untouched by Save As
    after = original.stat()
    assert (after.st_ino, after.st_mtime_ns, after.st_size) == (saved.st_ino, saved.st_mtime_ns, saved.st_size)
    doc = tei.load(str(original))
    (ann,) = doc.annotations()
    assert ann.category == "gl-bias" and ann.quote == passage
    assert ann.note == ["Smoke note, typed with xdotool"]
    # the copy has them too, with what was typed after the save
    (ann2,) = tei.load(str(copy)).annotations()
    assert ann2.id == ann.id and ann2.quote == passage
    assert ann2.note == ["Smoke note, typed with xdotool and more after the save"]
    assert "Traceback" not in (tmp_path / "glossator.log").read_text()
