"""Crash tests: a real window process killed with SIGKILL at random moments, then a restart.

The child (``crash_driver``) reports every keystroke once the window has handled it; whatever
was reported before the kill must come back, exactly. Seeds are random and printed on failure.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import tei
from annotator import recovery
from annotator.main_window import MainWindow

from .conftest import ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

TEXT = "Doubtful: the figure comes from a single Soviet source"


class Child:
    """A window process on ``path`` with its own home, settings and recovery folders."""

    def __init__(self, path: Path, home: Path) -> None:
        env = dict(os.environ, HOME=str(home), XDG_DATA_HOME=str(home / "data"),
                   XDG_CONFIG_HOME=str(home / "config"), QT_QPA_PLATFORM="offscreen",
                   PYTHONPATH=str(ROOT))  # fmt: skip
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.annotator.crash_driver", str(path)],
                                     cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, bufsize=1)  # fmt: skip
        word, _, folder = self.read().partition(" ")
        assert word == "ready", word
        self.recovery_dir = folder

    def read(self) -> str:
        line = self.proc.stdout.readline()  # type: ignore[union-attr]
        assert line, "the window process ended"
        return line.rstrip("\n")

    def send(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


def _restart(qtbot, path: Path, folder: str, monkeypatch: pytest.MonkeyPatch) -> MainWindow:  # noqa: ANN001
    monkeypatch.setattr(recovery, "recovery_dir", lambda: folder)
    w = MainWindow(str(path))
    qtbot.addWidget(w)
    return w


def _crash_while_typing(tmp_path: Path, sample_copy: Path, rng: random.Random) -> tuple[Child, str, str]:
    child = Child(sample_copy, tmp_path / "home")
    child.send("annotate 0 4 34")
    aid = child.read().split()[1]
    n = rng.randint(1, len(TEXT))
    child.send("type " + TEXT)
    for _ in range(n):
        assert child.read().startswith("ok")
    if rng.random() < 0.5:
        time.sleep(rng.random() * 0.05)  # sometimes a little later: more may have been typed
    return child, aid, TEXT[:n]


@pytest.mark.parametrize("outside_change", [False, True])
def test_kill_while_typing_restores_exactly_what_was_typed(qtbot, tmp_path: Path, sample_copy: Path,  # noqa: ANN001
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           outside_change: bool) -> None:  # fmt: skip
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    child, aid, typed = _crash_while_typing(tmp_path, sample_copy, rng)
    quote = tei.load(str(sample_copy)).text.blocks[0].reading[4:38]
    if outside_change:  # another program changes the file while the window still runs
        data = sample_copy.read_bytes()
        sample_copy.write_bytes(data.replace(quote.encode(), b"Glorious " + quote.encode(), 1))
        time.sleep(rng.random() * 0.2)
    child.kill()
    w = _restart(qtbot, sample_copy, child.recovery_dir, monkeypatch)
    assert w.message_bar.kind == "recovery", f"seed {seed}"
    if outside_change:
        assert "changed by another program" in w.message_bar.label.text(), f"seed {seed}"
    w.message_bar.button("Restore").click()
    note = w.session.doc.annotation(aid).note
    text = note[0] if note else ""
    # everything reported typed is there, and nothing but what was typed (a note is stored without
    # trailing spaces, crash or not: the kill may come right after a typed space)
    assert text.startswith(typed.rstrip()) and TEXT.startswith(text), f"seed {seed}: {text!r} vs {typed!r}"
    if outside_change:
        doc = w.session.doc
        assert "Glorious" in doc.text.blocks[0].reading, f"seed {seed}"
        res = doc.resolve(doc.annotation(aid).target)[0]
        assert res.ok and doc.quote_for(res.start, res.end)[0] == quote, f"seed {seed}"
    assert not list(Path(child.recovery_dir).glob(".glossator-*.tmp"))


def test_kill_in_the_middle_of_writing_recovery_copies(qtbot, tmp_path: Path, sample_copy: Path,  # noqa: ANN001
                                                       monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    child = Child(sample_copy, tmp_path / "home")
    child.send("annotate 1 0 20")
    aid = child.read().split()[1]
    child.send("autosave-loop 100000")  # writes as fast as it can until killed
    folder = Path(child.recovery_dir)
    skip = rng.randint(0, 3)  # let a few copies complete first
    deadline = time.monotonic() + 20
    caught = False
    while time.monotonic() < deadline:  # kill while a temporary file of a write exists
        if any(n.endswith(".tmp") for n in os.listdir(folder)):
            if skip == 0:
                child.kill()
                caught = True
                break
            skip -= 1
            while any(n.endswith(".tmp") for n in os.listdir(folder)) and time.monotonic() < deadline:
                pass
    if not caught:
        child.kill()
    acknowledged = sum(1 for line in child.proc.stdout if line.startswith("ok"))  # type: ignore[union-attr]
    left = [n for n in os.listdir(folder) if n.endswith(".tmp")]
    w = _restart(qtbot, sample_copy, child.recovery_dir, monkeypatch)
    assert not list(folder.glob("*.tmp")), f"seed {seed}: left {left}, not cleaned"
    assert w.message_bar.kind == "recovery", f"seed {seed}"
    w.message_bar.button("Restore").click()
    note = w.session.doc.annotation(aid).note
    # every acknowledged write is restored (none acknowledged: the kill came first, nothing to lose)
    typed = note[0] if note else ""
    assert set(typed) <= {"x"} and len(typed) >= acknowledged, f"seed {seed}: {note}, {acknowledged} acknowledged, left {left}"
    # the kill was sent while a temporary file existed; the write may just have finished (a race)
    assert caught, f"seed {seed}: no write was seen"
