"""Benchmark of ``glossator stats`` as a whole process against a bare lxml parse (a script, not a test).

Usage: ``python bench/bench_cli.py [--runs N] [--corpus DIR] [--profile]``

Builds the derived >= 12 MB ``teiCorpus`` of ``bench_tei.py`` from the shared corpus, then runs, each
in its own process and ``--runs`` times (min and median):

- ``python -c 'lxml.etree.parse(FILE)'`` (the baseline: interpreter start + lxml import + parse);
- ``glossator stats FILE`` (``python -m annotator stats FILE``, the console script's code path);
- ``glossator stats FILE --json``;
- ``glossator validate FILE`` (for reference: it has more to do).

and prints each as a ratio of the baseline (wall time, and CPU time, which a busy machine disturbs
less), plus whether Qt was imported. Target (issue 8): ``stats``
within 2.5x the parse. ``--profile`` prints the cProfile top functions of one ``stats`` run.
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

_QT_CHECK = ("import sys; import annotator.__main__ as m; m.main(['stats', {path!r}]); "
             "print('qt loaded' if 'PySide6' in sys.modules else 'no qt', file=sys.stderr)")  # fmt: skip


def run(cmd: list[str], runs: int, env: dict[str, str]) -> tuple[float, float, float]:
    """Return (min wall, median wall, min CPU) seconds of ``runs`` runs of the process ``cmd``
    (after one warm-up run that also writes the bytecode cache)."""
    walls, cpus = [], []
    for i in range(runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if i:
            walls.append(wall)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return min(walls), statistics.median(walls), min(cpus)


def main() -> int:
    """Build the corpus, time the processes, print the ratios."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 1
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        path = str(build_corpus(args.corpus, Path(tmp) / "corpus.xml"))
        cases = {
            "lxml.etree.parse": [py, "-c", f"import lxml.etree; lxml.etree.parse({path!r})"],
            "glossator stats": [py, "-m", "annotator", "stats", path],
            "glossator stats --json": [py, "-m", "annotator", "stats", path, "--json"],
            "glossator validate": [py, "-m", "annotator", "validate", path],
        }
        # As installed: modules come from a bytecode cache (this sandbox may forbid writing one).
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen",
                   PYTHONPYCACHEPREFIX=str(Path(tmp) / "pycache"))  # fmt: skip
        base = None
        print(f"{'process':24} {'wall min':>8} {'wall med':>8} {'CPU min':>8} "
              f"{'ratio wall':>10} {'ratio CPU':>9}")  # fmt: skip
        for name, cmd in cases.items():
            lo, med, cpu = run(cmd, args.runs, env)
            base = base or (lo, med, cpu)
            print(f"{name:24} {lo:8.3f} {med:8.3f} {cpu:8.3f} {lo / base[0]:10.2f} "
                  f"{cpu / base[2]:9.2f}")  # fmt: skip
        qt = subprocess.run([py, "-c", _QT_CHECK.format(path=path)], env=env, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).stderr.strip()  # fmt: skip
        print(f"Qt during glossator stats: {qt}  (target: stats <= 2.5x the parse)")
        if args.profile:
            from annotator.__main__ import main as glossator

            prof = cProfile.Profile()
            sys.stdout, real = io.StringIO(), sys.stdout
            try:
                prof.runcall(glossator, ["stats", path])
            finally:
                sys.stdout = real
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(30)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
