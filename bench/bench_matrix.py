"""Time building the claim × source matrix (tei.matrix) of a long annotated text.

Usage: python bench/bench_matrix.py [FILE] [--claims N] [--links N] [--sources N]

Adds N contested figures (two alternative values each, from random sources), N source links
(half of them marked as claims) and evidence links between figures to FILE (default: the
Brontë novel of ../shared/corpus), then prints the time of ``build_matrix`` and its ratio to the
time of loading the file. The app rebuilds the matrix 0.2 s after a burst of changes, while its
panel is shown. Recorded (2 shared cores, loaded machine; Brontë, 31 sources):

    150 claims, 200 annotations      0.13–0.18 s   (0.23–0.33× the load)
    1,500 claims, 2,000 annotations  0.95 s        (2.4× the load; 6.9 s before the overlap of
                                                    passages was looked up by buckets)
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import tei  # noqa: E402
from tei import relations  # noqa: E402
from tei.annotations import Alternative, ContestedFigure, Quantity, SourceLink  # noqa: E402
from tei.matrix import build_matrix  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "corpus" / "eltec-eng__ENG18570_Bronte_level2.xml"


def _span(doc: tei.TeiDocument, rng: random.Random) -> str:
    blocks = [i for i, b in enumerate(doc.text.blocks) if len(b.reading) > 40]
    b = rng.choice(blocks)
    r0 = rng.randrange(0, len(doc.text.blocks[b].reading) - 30)
    return doc.target_for(b, r0, b, r0 + rng.randrange(5, 30))


def main(argv: list[str]) -> int:
    """Annotate, then time the matrix."""
    p = argparse.ArgumentParser()
    p.add_argument("file", nargs="?", default=str(DEFAULT))
    p.add_argument("--claims", type=int, default=1000)
    p.add_argument("--links", type=int, default=1000)
    p.add_argument("--sources", type=int, default=30)
    args = p.parse_args(argv)
    if not Path(args.file).is_file():
        print(f"{args.file} not found", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    doc = tei.load(args.file)
    load = time.perf_counter() - t0
    rng = random.Random(7)
    sources = [doc.add_source(author=f"Author{i}, A.", title=f"Book {i}", date=str(1900 + i))
               for i in range(args.sources)]  # fmt: skip
    figures = []
    for _ in range(args.claims):
        a = doc.add_annotation(_span(doc, rng), "gl-figure")
        a.figure = ContestedFigure("12", Quantity(value=12), [
            Alternative(str(rng.randrange(100)), Quantity(value=rng.randrange(100)), rng.choice(sources))
            for _ in range(2)])  # fmt: skip
        figures.append(a.id)
    for i in range(args.links):
        a = doc.add_annotation(_span(doc, rng), "gl-source")
        a.source_link = SourceLink(rng.choice(("corroborates", "contradicts", "context")), rng.choice(sources))
        if i % 2:
            a.claim = ""
    for _ in range(args.claims // 2):
        x, y = rng.sample(figures, 2)
        relations.add_relation(doc, x, "#" + y, rng.choice(relations.NAMES))
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        m = build_matrix(doc)
        times.append(time.perf_counter() - t0)
    best = min(times)
    print(f"{Path(args.file).name}: {len(doc.annotations())} annotations, {len(m.claims)} claims × "
          f"{len(m.sources)} sources")  # fmt: skip
    print(f"load {load:.2f} s; build_matrix best of 3 {best:.3f} s ({best / load:.2f}× the load)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
