"""Time the exports of a large file with about 1,000 annotations: seconds and peak memory.

Usage: python bench/bench_export.py [FILE | --corpus] [--count N] [--pdf] [--only FMT ...]

``--corpus`` uses the derived >= 12 MB ``teiCorpus`` of ``bench_tei.py`` (built in a temporary
folder from ../shared/corpus). Prints, per format, the time, the peak resident memory of this
process and its children together (the PDF is printed by Chromium's child processes; sampled
from /proc every 0.25 s on Linux: summed RSS, and PSS, which counts shared pages once), the CPU
time, the output size and the ratio to the time of loading the file.
The target (issue 5) is "a few seconds": under TARGET_S each; the PDF is measured, not judged.
Recorded figures (2 shared cores, quiet machine; see docs/pdf.md, "Big files"):

    13.7 MB teiCorpus, 1,000 annotations   html                    25.4 s    385 MB RSS (loaded)
                                            pdf  Qt (issue 14)      16.8 s    498 MB RSS
                                            pdf  Chromium, 1 piece 265.8 s   4857 MB RSS  4106 MB PSS
                                            pdf  Chromium, pieces   38.8 s   1444 MB RSS   755 MB PSS
                                                 (CPU 10.5 s Python + 32.3 s Chromium)
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import tei  # noqa: E402
from tei.exporters import export  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "corpus" / "eltec-eng__ENG18570_Bronte_level2.xml"
CATEGORIES = ("gl-comment", "gl-bias", "gl-figure", "gl-source", "gl-question")
TARGET_S = 5.0


def annotate(doc: tei.TeiDocument, count: int) -> None:
    """Add ``count`` annotations at random places (some spanning two blocks)."""
    rng = random.Random(1)
    blocks = [i for i, b in enumerate(doc.text.blocks) if len(b.reading) > 40]
    for k in range(count):
        i = rng.choice(blocks)
        r0 = rng.randrange(0, len(doc.text.blocks[i].reading) - 30)
        j, r1 = i, r0 + rng.randrange(5, 30)
        if k % 10 == 0 and blocks.index(i) + 1 < len(blocks):
            j, r1 = blocks[blocks.index(i) + 1], 20
        ann = doc.add_annotation(doc.target_for(i, r0, j, r1), CATEGORIES[k % 5])
        ann.note = [f"Note {k}: a remark on this passage."]


def _tree(pid: int) -> list[int]:
    """Return ``pid`` and all its descendants (Linux)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return out


class PeakMemory:
    """Sample the memory of this process tree in a thread while the block runs: the peak of the
    summed resident memory (RSS counts the pages Chromium's processes share once per process,
    ~1 GB for a browser printing one line) and of the proportional memory (PSS shares them out,
    so it adds up honestly), and the CPU time of the children (Chromium)."""

    def __enter__(self) -> PeakMemory:
        self.peak = self.peak_pss = 0
        self._cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    @property
    def children_cpu(self) -> float:
        """Return the CPU seconds of the child processes (as last sampled)."""
        return sum(self._cpu.values())

    def _sample(self) -> None:
        rss = pss = 0
        me = os.getpid()
        for p in _tree(me):
            try:
                with open(f"/proc/{p}/smaps_rollup") as fh:
                    for line in fh:
                        if line.startswith("Rss:"):
                            rss += int(line.split()[1]) * 1024
                        elif line.startswith("Pss:"):
                            pss += int(line.split()[1]) * 1024
                if p != me:
                    with open(f"/proc/{p}/stat") as fh:
                        fields = fh.read().rsplit(")", 1)[1].split()
                    self._cpu[p] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except (OSError, ValueError):
                continue
        self.peak, self.peak_pss = max(self.peak, rss), max(self.peak_pss, pss)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(0.25)  # smaps_rollup costs ~0.1 s of CPU for gigabytes of Chromium

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def main() -> None:
    """Run the benchmark and print one line per format."""
    ap = argparse.ArgumentParser()
    ap.add_argument("file", nargs="?", default=str(DEFAULT))
    ap.add_argument("--corpus", action="store_true", help="the derived >= 12 MB teiCorpus")
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--pdf", action="store_true", help="also time the PDF (needs Chromium)")
    ap.add_argument("--only", nargs="*", help="only these formats")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.file)
        if args.corpus:
            sys.path.insert(0, str(ROOT / "bench"))
            from bench_tei import build_corpus

            path = build_corpus(ROOT.parent / "shared" / "corpus", Path(tmp) / "corpus.xml")
        t = time.perf_counter()
        doc = tei.load(str(path))
        load = time.perf_counter() - t
        print(f"load            {load:6.2f} s  ({len(doc.text.blocks)} blocks, "
              f"{path.stat().st_size / 1e6:.1f} MB)")  # fmt: skip
        t = time.perf_counter()
        annotate(doc, args.count)
        print(f"annotate        {time.perf_counter() - t:6.2f} s  ({args.count} annotations)")
        formats = ["html", "csv", "tei-inline", "webanno"]
        if args.pdf:
            import annotator.pdf  # noqa: F401

            formats.append("pdf")
        for fmt in args.only or formats:
            dest = Path(tmp) / f"out.{fmt}"
            options = {"progress": _progress} if fmt == "pdf" else {}
            with PeakMemory() as mem:
                t, cpu = time.perf_counter(), time.process_time()
                report = export(doc, fmt, dest, **options)
                took, cpu = time.perf_counter() - t, time.process_time() - cpu
            size = dest.stat().st_size / 1e6
            verdict = "ok" if took < TARGET_S else f"SLOW (target {TARGET_S:.0f} s)"
            print(f"{fmt:<15} {took:6.2f} s  (CPU {cpu:5.1f} s here + {mem.children_cpu:5.1f} s children)  "
                  f"{mem.peak / 2**20:6.0f} MB peak RSS  "
                  f"{mem.peak_pss / 2**20:6.0f} MB PSS  {size:6.1f} MB out  "
                  f"x{took / load:5.1f} load  {len(report.warnings)} warnings  {verdict}")  # fmt: skip


def _progress(fraction: float | None, message: str) -> None:
    """Show the PDF export's progress on stderr (as the command line does on a terminal)."""
    done = f"{fraction * 100:3.0f}%" if fraction is not None else " ..."
    print(f"\r  pdf {done} {message:<60}", end="", file=sys.stderr, flush=True)
    if fraction == 1.0:
        print(file=sys.stderr)


if __name__ == "__main__":
    main()
