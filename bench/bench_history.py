"""Benchmark of the annotation history (``tei.history``): a script, not a test.

Usage: ``python bench/bench_history.py [--annotations N] [--edits E] [--file F]``

Adds N annotations (default 10,000) with a note of about 120 characters to the 4 MB Brontë of
``../shared/corpus``, then edits every annotation E times (default 10: the note reworded, the
certainty changed, by two people an hour apart) in two copies: one as before the history (only
the last "modified" change kept), one with every change recorded as the app records it, and
times saving each (``to_bytes``, the work of a save). Target (issue 11): within 2× the first. Prints both (the best of three),
the ratio and the file sizes.
"""

from __future__ import annotations

import argparse
import copy
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import tei  # noqa: E402
from tei import history  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BRONTE = ROOT.parent / "shared" / "corpus" / "eltec-eng__ENG18570_Bronte_level2.xml"
TARGET = 2.0
WORDS = "source claim figure archive witness report census memoir translation estimate".split()


def note(rnd: random.Random) -> str:
    """Return a note of about 120 characters."""
    return " ".join(rnd.choice(WORDS) for _ in range(14)).capitalize() + "."


def save_seconds(doc: tei.TeiDocument) -> tuple[float, int]:
    """Return the best of three ``to_bytes`` times and the size written."""
    best, size = float("inf"), 0
    for _ in range(3):
        t = time.perf_counter()
        data = doc.to_bytes(when="2026-12-01T00:00:00Z")
        best = min(best, time.perf_counter() - t)
        size = len(data)
    return best, size


def main() -> int:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--annotations", type=int, default=10_000)
    ap.add_argument("--edits", type=int, default=10)
    ap.add_argument("--file", default=str(BRONTE))
    args = ap.parse_args()
    if not Path(args.file).is_file():
        print(f"{args.file} not found (../shared/corpus)", file=sys.stderr)
        return 2
    rnd = random.Random(11)
    doc = tei.load(args.file)
    people = [doc.ensure_annotator("First Reader"), doc.ensure_annotator("Second Reader")]
    blocks = [i for i, b in enumerate(doc.text.blocks) if len(b.reading) >= 60]
    t = time.perf_counter()
    anns = []
    for _ in range(args.annotations):
        b = rnd.choice(blocks)
        start = rnd.randrange(0, len(doc.text.blocks[b].reading) - 40)
        ann = doc.add_annotation(doc.target_for(b, start, b, start + 30), "gl-comment", annotator=people[0],
                                 when="2026-01-01T00:00:00Z")  # fmt: skip
        ann.note = [note(rnd)]
        anns.append(ann.id)
    print(f"set up {args.annotations} annotations in {time.perf_counter() - t:.1f} s")
    saved = doc.to_bytes()
    today = tei.TeiDocument.from_bytes(saved)  # edited as before the history: one "modified" kept
    doc = tei.TeiDocument.from_bytes(saved)
    t = time.perf_counter()
    for e in range(args.edits):
        when = f"2026-02-{1 + e // 12:02d}T{8 + e % 12:02d}:00:00Z"
        who = people[e % 2]
        seed = rnd.random()
        for d, record in ((today, False), (doc, True)):
            edit_rnd = random.Random(seed)
            for aid in anns:
                ann = d.annotation(aid)
                snap = copy.deepcopy(ann.element)
                if e % 3 == 2:
                    ann.certainty = ["low", "medium", "high"][e % 3]
                else:
                    words = ann.note[0].split()
                    words[edit_rnd.randrange(len(words))] = edit_rnd.choice(WORDS)
                    ann.note = [" ".join(words)]
                if record:
                    history.record(ann.element, snap, who, when)
                else:
                    ann.touch(who, when)
    print(f"{args.edits} edits of each annotation made in {time.perf_counter() - t:.1f} s")
    before, size_before = save_seconds(today)
    after, size_after = save_seconds(doc)
    ratio = after / before
    print(f"save after {args.edits} edits each, without history (one 'modified' kept): "
          f"{before:.3f} s ({size_before / 1e6:.1f} MB)")
    print(f"the same with every change remembered: {after:.3f} s ({size_after / 1e6:.1f} MB)")
    print(f"ratio {ratio:.2f}× (target ≤ {TARGET:.0f}×): {'met' if ratio <= TARGET else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
