"""Benchmark importing a 5,000-entry BibTeX bibliography into a document (not a test).

The bibliography is generated: articles, books and chapters in turn, with accented names written
in LaTeX (``M{\\"u}ller``, ``{\\v{S}}koda``), particles (``de la``), protective braces, ``--``
page ranges, DOIs and ISBNs, like a historian's real file. Timed: reading the file (bibtexparser
with its name middlewares, LaTeX decoding), planning the import (every entry turned into a
``<biblStruct>`` and matched against the sources) and applying it; then the same file again,
when every entry merges. Usage: ``python bench/bench_bib_import.py [--entries 5000] [--runs 3]``.
Target: under 3 s; the last column is the median as a fraction of that budget. Both the wall time
and the CPU time of the process are printed: on a machine busy with other work the CPU time is the
one that says what the import costs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import tei  # noqa: E402
from tei import bibliography  # noqa: E402

MINIMAL = ROOT / "tests" / "data" / "tei" / "minimal.xml"
BUDGET = 3.0
NAMES = [r"M{\"u}ller, Hans", r"{\v{S}}koda, Jan", "de la Fontaine, Jean", r"Ch{\'e}rest, Aim{\'e}",
         "Chuikov, Vasily I.", r"Gro{\ss}, Peter", "Smith, Jr., John", "{World Bank}", "Kapitsa, M. S.",
         r"{\O}stergaard, Lars", "Borisov, O. B.", r"Wa{\l}{\k{e}}sa, Lech"]  # fmt: skip


def build(entries: int) -> str:
    """Return a BibTeX bibliography of ``entries`` varied entries."""
    out = []
    for i in range(entries):
        a, b = NAMES[i % len(NAMES)], NAMES[(i * 7 + 3) % len(NAMES)]
        year = 1900 + i % 120
        kind = i % 3
        if kind == 0:
            out.append(f"@article{{art{i},\n  author = {{{a} and {b}}},\n  title = {{On the {{Soviet}} "
                       f"Aid to {{China}}, Part {i}}},\n  journal = {{Journal of Cold War Studies}},\n"
                       f"  volume = {{{i % 40}}},\n  number = {{{i % 4 + 1}}},\n  pages = {{{i % 300}--"
                       f"{i % 300 + 20}}},\n  year = {{{year}}},\n  doi = {{10.5555/jcws.{i}}},\n}}\n")
        elif kind == 1:
            out.append(f"@book{{book{i},\n  author = {{{a}}},\n  title = {{Mission in China "
                       f"--- Volume {i}}},\n  publisher = {{Nauka}},\n  address = {{Moscow}},\n"
                       f"  year = {{{year}}},\n  isbn = {{978-5-{i:08d}-0}},\n}}\n")
        else:
            out.append(f"@incollection{{ch{i},\n  author = {{{a}}},\n  editor = {{{b}}},\n  title = "
                       f"{{Advisers in the Field, {i}}},\n  booktitle = {{Soviet Advisers in "
                       f"{{China}}}},\n  publisher = {{Stanford University Press}},\n  year = {{{year}}},\n"
                       f"  pages = {{{i % 90}--{i % 90 + 9}}},\n}}\n")
    return "".join(out)


def run_once(path: Path) -> tuple[tuple[float, float], tuple[float, float], bibliography.ImportPlan]:
    """Import the file into a fresh document, then again; return both (wall, CPU) times and the
    first plan."""
    doc = tei.load(MINIMAL)
    w0, c0 = time.perf_counter(), time.process_time()
    plan = bibliography.import_files(doc, [str(path)])
    bibliography.apply_plan(doc, plan)
    w1, c1 = time.perf_counter(), time.process_time()
    bibliography.apply_plan(doc, bibliography.import_files(doc, [str(path)]))
    w2, c2 = time.perf_counter(), time.process_time()
    return (w1 - w0, c1 - c0), (w2 - w1, c2 - c1), plan


def main() -> None:
    """Print the median import times of a generated bibliography."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--entries", type=int, default=5000)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.bib"
        path.write_text(build(args.entries), encoding="utf-8")
        firsts, agains = [], []
        for _ in range(args.runs):
            first, again, plan = run_once(path)
            firsts.append(first)
            agains.append(again)
        size = path.stat().st_size
    print(f"{args.entries} BibTeX entries ({size / 1e6:.1f} MB): {plan.summary()}")
    for label, times in (("import", firsts), ("re-import (all merge)", agains)):
        wall = statistics.median(t[0] for t in times)
        cpu = statistics.median(t[1] for t in times)
        print(f"  {label:<22} median wall {wall:.2f} s, CPU {cpu:.2f} s  "
              f"{wall / BUDGET:.2f} / {cpu / BUDGET:.2f} of the 3 s budget")


if __name__ == "__main__":
    main()
