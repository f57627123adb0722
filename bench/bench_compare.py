"""Benchmark of comparing with another scholar's copy (``tei.compare``): a script, not a test.

Usage: ``python bench/bench_compare.py [--annotations N] [--seed S]``

Adds N annotations (default 2,000) to the bundled sample article; their copy has a tenth of them
changed (certainty), a twentieth deleted and as many new ones. Times reading their copy, placing
their annotations on my text (``place_theirs``), the first comparison, and the comparison the
Compare panel makes after each undo step (one annotation edited, the cache kept). Prints seconds
(wall) and ratios to reading the file: what a person waits for when opening the comparison and
after each decision.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import tei  # noqa: E402
from tei.compare import compare, place_theirs  # noqa: E402

SAMPLE = Path(__file__).resolve().parent.parent / "resources" / "samples" / "soviet-aid-to-china.xml"


def annotate(doc: tei.TeiDocument, n: int, rnd: random.Random, who: str) -> None:
    """Add ``n`` annotations on random passages of ``doc`` by ``who``."""
    blocks = [i for i, b in enumerate(doc.text.blocks) if len(b.reading) >= 40]
    pid = doc.ensure_annotator(who)
    for _ in range(n):
        i = rnd.choice(blocks)
        length = rnd.randint(5, 30)
        r0 = rnd.randint(0, len(doc.text.blocks[i].reading) - length)
        doc.add_annotation(doc.target_for(i, r0, i, r0 + length), rnd.choice(["gl-comment", "gl-question"]),
                           annotator=pid)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--annotations", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    rnd = random.Random(args.seed)
    base = tei.load(SAMPLE)
    annotate(base, args.annotations, rnd, "Ann")
    mine = tei.TeiDocument.from_bytes(base.to_bytes())
    theirs = tei.TeiDocument.from_bytes(base.to_bytes())
    anns = theirs.annotations()
    for a in anns[: len(anns) // 10]:
        a.certainty = "high"
    for a in anns[-(len(anns) // 20):]:
        theirs.remove_annotation(a.id)
    annotate(theirs, len(anns) // 20, rnd, "Ben")
    data = theirs.to_bytes()

    t0 = time.perf_counter()
    theirs = tei.TeiDocument.from_bytes(data)
    t1 = time.perf_counter()
    placed, placing = place_theirs(mine, theirs)
    t2 = time.perf_counter()
    cache: dict = {}
    result = compare(mine, placed, placing, cache=cache)
    t3 = time.perf_counter()
    mine.annotations()[0].certainty = "low"
    compare(mine, placed, placing, cache=cache)
    t4 = time.perf_counter()
    read, place, first, again = t1 - t0, t2 - t1, t3 - t2, t4 - t3
    print(f"{args.annotations} annotations, their copy {len(data) / 1e6:.1f} MB: {result.summary()}")
    print(f"read their copy      {read:7.3f} s")
    print(f"place theirs on mine {place:7.3f} s  ({place / read:.1f}× reading)")
    print(f"first comparison     {first:7.3f} s  ({first / read:.1f}× reading)")
    print(f"after an undo step   {again:7.3f} s  ({again / read:.1f}× reading; {again / first:.2f}× the first)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
