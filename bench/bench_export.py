"""Time the exports of the largest corpus file with about 1,000 annotations.

Usage: python bench/bench_export.py [FILE] [--count N] [--pdf]

Prints, per format, the time, the output size and the ratio to the time of loading the file
(measured in the same run); the target (issue 5) is "a few seconds": under TARGET_S each.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
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


def main() -> None:
    """Run the benchmark and print one line per format."""
    ap = argparse.ArgumentParser()
    ap.add_argument("file", nargs="?", default=str(DEFAULT))
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--pdf", action="store_true", help="also time the PDF (needs PySide6)")
    args = ap.parse_args()
    t = time.perf_counter()
    doc = tei.load(args.file)
    load = time.perf_counter() - t
    print(f"load            {load:6.2f} s  ({len(doc.text.blocks)} blocks, "
          f"{Path(args.file).stat().st_size / 1e6:.1f} MB)")  # fmt: skip
    t = time.perf_counter()
    annotate(doc, args.count)
    print(f"annotate        {time.perf_counter() - t:6.2f} s  ({args.count} annotations)")
    formats = ["html", "csv", "tei-inline", "webanno"]
    if args.pdf:
        import annotator.pdf  # noqa: F401

        formats.append("pdf")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in formats:
            dest = Path(tmp) / f"out.{fmt}"
            t = time.perf_counter()
            report = export(doc, fmt, dest)
            took = time.perf_counter() - t
            size = dest.stat().st_size / 1e6
            verdict = "ok" if took < TARGET_S else f"SLOW (target {TARGET_S:.0f} s)"
            print(f"{fmt:<15} {took:6.2f} s  {size:6.1f} MB  x{took / load:5.1f} load  "
                  f"{len(report.warnings)} warnings  {verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
