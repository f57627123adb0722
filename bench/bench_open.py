"""Opening a file in the app, as whole processes, against a bare lxml parse (a script, not a test).

Usage: ``python bench/bench_open.py [--runs N] [--corpus DIR] [--profile]``

For Brontë, Dingler and the derived >= 12 MB ``teiCorpus`` of ``bench_tei.py``, each in its own
process and ``--runs`` times (min and median of the ratios):

- ``python -c 'lxml.etree.parse(FILE)'``: the baseline (interpreter start + lxml import + parse);
- ``glossator FILE --screenshot OUT.png``: its first screenful (the view's ``first_paint``, from
  the process's start), its complete, scrollable, searchable layout (the display map and Qt
  document of the whole text, ``display_completed``), and the whole process, which waits for that
  layout before it grabs and exits.

Ratios are of minimum wall times, then of minimum CPU times (user + system, which a busy machine
disturbs less: the CPU of the app's process at its first paint, complete layout and exit); with
several runs, a second line gives the medians of each run's ratios.

Targets (issue 8): complete layout within 4x the parse, first screenful within 2.5x.
``--profile`` prints the cProfile top functions of one ``--screenshot`` run of the teiCorpus.
``--before DIR`` also runs another checkout's code (e.g. ``git worktree add DIR main``), interleaved
with this one's in the same run, for before/after figures.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_tei import CORPUS, build_corpus  # noqa: E402

FILES = ["eltec-eng__ENG18570_Bronte_level2.xml", "dingler__pj254.xml"]

#: Run in the child: ``glossator FILE --screenshot OUT`` with the first paint's and the completed
#: layout's wall-clock times written to stderr.
_CHILD = """
import sys, time
import annotator.__main__ as m
real = m._screenshot
def spy(app, window, out, QTimer):
    v = window.view
    v.first_paint.connect(lambda: print("first", time.time(), time.process_time(), file=sys.stderr))
    v.display_completed.connect(lambda: print("complete", time.time(), time.process_time(), file=sys.stderr))
    if v.shown_map is not None and v.shown_map.complete:
        print("complete", time.time(), time.process_time(), file=sys.stderr)
    return real(app, window, out, QTimer)
m._screenshot = spy
sys.argv[1:] = [sys.argv[1], "--screenshot", sys.argv[2]]
sys.exit(m.main())  # as the console script runs it
"""


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_parse(path: str, env: dict[str, str]) -> tuple[float, float]:
    """Return (wall, CPU) seconds of a process that imports lxml and parses ``path``."""
    t0, c0 = time.time(), _cpu()
    subprocess.run([sys.executable, "-c", f"import lxml.etree; lxml.etree.parse({path!r})"],
                   check=True, env=env)  # fmt: skip
    return time.time() - t0, _cpu() - c0


def run_app(path: str, out: str, env: dict[str, str]) -> tuple[float, ...]:
    """Return wall seconds to the first paint, the complete layout and the process's end, then
    the process's CPU seconds at those three points, of one screenshot process."""
    t0, c0 = time.time(), _cpu()
    res = subprocess.run([sys.executable, "-c", _CHILD, path, out], env=env, text=True, cwd=env["PYTHONPATH"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    end, cpu = time.time() - t0, _cpu() - c0
    marks = {}
    for line in res.stderr.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] in ("first", "complete"):
            marks.setdefault(parts[0], (float(parts[1]) - t0, float(parts[2])))
    if res.returncode or "first" not in marks or "complete" not in marks:
        raise SystemExit(f"{path}: screenshot run failed\n{res.stderr[-2000:]}")
    return marks["first"][0], marks["complete"][0], end, marks["first"][1], marks["complete"][1], cpu


def main() -> int:
    """Build the corpus, time the processes, print the ratios."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--before", type=Path, help="another checkout to measure alongside this one")
    args = ap.parse_args()
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        files = [str(args.corpus / f) for f in FILES if (args.corpus / f).is_file()]
        files.append(str(build_corpus(args.corpus, Path(tmp) / "corpus.xml")))
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen",
                   PYTHONPYCACHEPREFIX=str(Path(tmp) / "pycache"),
                   XDG_CONFIG_HOME=str(Path(tmp) / "config"))  # fmt: skip
        shot = str(Path(tmp) / "shot.png")
        variants = {"": env}
        if args.before is not None:
            variants = {"before": dict(env, PYTHONPATH=str(args.before.resolve())), "after": env}
        for venv in variants.values():
            run_app(files[0], shot, venv)  # warm-up: bytecode cache, fonts
        print(f"{'file':40} {'MB':>5} {'parse s':>7} {'first s':>7} {'full s':>7} {'exit s':>7} "
              f"{'first/parse':>11} {'full/parse':>10} {'exit/parse':>10} {'CPU: first':>10} {'full':>5} {'exit':>5}")
        for f in files:
            rows: dict[str, list[tuple[float, ...]]] = {name: [] for name in variants}
            for _ in range(args.runs):
                for name, venv in variants.items():
                    rows[name].append((*run_parse(f, env), *run_app(f, shot, venv)))
            for name, got in rows.items():
                parse, pcpu = min(r[0] for r in got), min(r[1] for r in got)
                first, full, end = (min(r[k] for r in got) for k in (2, 3, 4))
                cpu = [min(r[k] for r in got) / pcpu for k in (5, 6, 7)]
                label = f"{Path(f).name[:32]} {name}".strip()
                print(f"{label[:40]:40} {os.path.getsize(f) / 1e6:5.1f} {parse:7.2f} {first:7.2f} "
                      f"{full:7.2f} {end:7.2f} {first / parse:11.2f} {full / parse:10.2f} {end / parse:10.2f} "
                      f"{cpu[0]:10.2f} {cpu[1]:5.2f} {cpu[2]:5.2f}")  # fmt: skip
                if len(got) > 1:  # medians of each run's ratios (the app against its own run's parse)
                    wall = [statistics.median(r[k] / r[0] for r in got) for k in (2, 3, 4)]
                    cpu = [statistics.median(r[k] / r[1] for r in got) for k in (5, 6, 7)]
                    print(f"{'  (medians of the runs)':40} {'':5} {'':7} {'':7} {'':7} {'':7} {wall[0]:11.2f} "
                          f"{wall[1]:10.2f} {wall[2]:10.2f} {cpu[0]:10.2f} {cpu[1]:5.2f} {cpu[2]:5.2f}")  # fmt: skip
        print("targets: first screenful <= 2.5x, complete layout (whole --screenshot process) <= 4x")
        if args.profile:
            os.environ.update(QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(Path(tmp) / "config"))
            from annotator.__main__ import main as glossator

            prof = cProfile.Profile()
            prof.runcall(glossator, [files[-1], "--screenshot", shot])
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(40)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
