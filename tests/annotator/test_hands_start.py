"""Starting the real ``glossator`` where no window can open, or on a file it cannot read: one
line saying what to do and exit status 2, never Qt's abort (SIGABRT, a core dump) or a 0."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT


def glossator(args: list[str], tmp_path: Path, **env: str | None) -> subprocess.CompletedProcess[str]:
    """Run the installed ``glossator`` script (this checkout's code) with changes to the
    environment (None removes a variable); settings and recovery go to ``tmp_path``."""
    script = Path(sys.executable).parent / "glossator"
    cmd = [str(script)] if script.is_file() else [sys.executable, "-m", "annotator"]
    environ = dict(os.environ, PYTHONPATH=str(ROOT), XDG_CONFIG_HOME=str(tmp_path / "config"),
                   XDG_DATA_HOME=str(tmp_path / "data"), XDG_CACHE_HOME=str(tmp_path / "cache"))  # fmt: skip
    for key, value in env.items():
        if value is None:
            environ.pop(key, None)
        else:
            environ[key] = value
    return subprocess.run(cmd + args, capture_output=True, text=True, env=environ, timeout=120,
                          cwd=tmp_path, stdin=subprocess.DEVNULL)  # fmt: skip


def test_without_any_display_one_line_and_exit_2(sample_copy: Path, tmp_path: Path) -> None:
    run = glossator([str(sample_copy)], tmp_path, DISPLAY=None, WAYLAND_DISPLAY=None, QT_QPA_PLATFORM=None)
    assert run.returncode == 2, run.stderr
    assert run.stderr.splitlines() == [
        "glossator: error: there is no display (DISPLAY is not set): run Glossator in an X11 or Wayland "
        "session, or set QT_QPA_PLATFORM=offscreen to make a --screenshot without a display"]


def test_a_display_that_is_not_there_one_line_and_exit_2(sample_copy: Path, tmp_path: Path) -> None:
    free = next(n for n in range(171, 300) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    run = glossator([str(sample_copy)], tmp_path, DISPLAY=f":{free}", WAYLAND_DISPLAY=None, QT_QPA_PLATFORM=None)
    assert run.returncode == 2, run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"glossator: error: cannot connect to the display :{free}: ")


def test_screenshot_of_a_file_that_cannot_be_opened_fails_with_the_cli_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.xml"
    broken = tmp_path / "broken.xml"
    broken.write_text("<TEI><text>unclosed", encoding="utf-8")
    for bad in (missing, broken):
        shot = tmp_path / "shot.png"
        run = glossator([str(bad), "--screenshot", str(shot)], tmp_path, QT_QPA_PLATFORM="offscreen")
        cli = glossator(["stats", str(bad)], tmp_path, QT_QPA_PLATFORM="offscreen")
        assert run.returncode == 2 and not shot.exists()
        assert run.stderr.splitlines() == cli.stderr.splitlines()
        assert len(cli.stderr.splitlines()) == 1 and cli.stderr.startswith(f"glossator: error: {bad}")


def test_qts_x11_plugin_finds_every_library_it_needs() -> None:
    """tools/setup.sh installs what Qt's xcb plugin links to (else the app aborts under X11)."""
    import PySide6

    qt = Path(PySide6.__file__).parent / "Qt"
    plugin = qt / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.is_file() or shutil.which("ldd") is None:
        pytest.skip("no xcb plugin or no ldd on this system")
    missing = set()
    for lib in (plugin, *sorted((qt / "lib").glob("libQt6XcbQpa.so*"))[:1]):
        out = subprocess.run(["ldd", str(lib)], capture_output=True, text=True, check=True).stdout
        missing |= {line.split()[0] for line in out.splitlines() if "not found" in line}
    assert not missing, f"run sh tools/setup.sh: missing {sorted(missing)}"
