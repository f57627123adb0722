"""Benchmark of re-anchoring (``tei.anchoring.reanchor``): a script, not a test.

Usage: ``python bench/bench_reanchor.py [--annotations N] [--edits PERCENT] [--seed S] [--file F]``

Adds N annotations (default 10,000; 15 to 60 characters each) to the 4 MB Brontë of
``../shared/corpus``, then makes a new version of the original file with PERCENT (default 1) of its
text characters changed by small insertions, deletions and replacements scattered over every text
node, and times carrying the annotations onto it. Target (issue 10): within 5 s. Prints the
seconds (wall and CPU), the target ratio and the outcomes. The new version has none of the
xml:ids Glossator added, so no pointer resolves and every annotation is looked for by its quote
(the worst case).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import tei  # noqa: E402
from tei.anchoring import reanchor  # noqa: E402
from tei.parser import make_parser  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BRONTE = ROOT.parent / "shared" / "corpus" / "eltec-eng__ENG18570_Bronte_level2.xml"
TARGET_S = 5.0


def annotate(data: bytes, n: int, rnd: random.Random) -> bytes:
    """Return ``data`` with ``n`` annotations on random passages, as saved."""
    doc = tei.TeiDocument.from_bytes(data)
    blocks = [(i, b) for i, b in enumerate(doc.text.blocks) if len(b.reading) >= 60]
    pid = doc.ensure_annotator("Bench")
    for _ in range(n):
        i, block = rnd.choice(blocks)
        length = rnd.randint(15, 60)
        r0 = rnd.randint(0, len(block.reading) - length)
        doc.add_annotation(doc.target_for(i, r0, i, r0 + length), "gl-comment", annotator=pid)
    return doc.to_bytes()


def edit(data: bytes, percent: float, rnd: random.Random) -> tuple[bytes, int]:
    """Return ``data`` with ``percent`` % of the characters of its text nodes edited, and the
    number of edits."""
    root = etree.fromstring(data, make_parser())
    body = root.find(".//{http://www.tei-c.org/ns/1.0}body")
    nodes: list[tuple[etree._Element, str]] = []
    for el in body.iter(etree.Element):
        nodes += [(el, "text")] if el.text and el.text.strip() else []
        nodes += [(el, "tail")] if el.tail and el.tail.strip() and el is not body else []
    total = sum(len(getattr(el, attr)) for el, attr in nodes)
    budget, edits = int(total * percent / 100), 0
    weights = [len(getattr(el, attr)) for el, attr in nodes]
    while budget > 0:
        el, attr = rnd.choices(nodes, weights)[0]
        text = getattr(el, attr)
        pos, n = rnd.randrange(len(text)), rnd.randint(1, 6)
        kind = rnd.choice(("insert", "delete", "replace"))
        new = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))
        cut = 0 if kind == "insert" else n
        setattr(el, attr, text[:pos] + ("" if kind == "delete" else new) + text[pos + cut :])
        budget -= n
        edits += 1
    return etree.tostring(root.getroottree(), encoding="utf-8", xml_declaration=True), edits


def main() -> None:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--annotations", type=int, default=10_000)
    ap.add_argument("--edits", type=float, default=1.0, help="percent of the text's characters")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--file", type=Path, default=BRONTE)
    args = ap.parse_args()
    if not args.file.is_file():
        sys.exit(f"bench_reanchor: {args.file} is not there (the shared corpus is needed)")
    rnd = random.Random(args.seed)
    original = args.file.read_bytes()
    t0 = time.perf_counter()
    annotated_bytes = annotate(original, args.annotations, rnd)
    new_bytes, edits = edit(original, args.edits, rnd)
    print(f"{args.file.name}: {len(original) / 1e6:.1f} MB, {args.annotations} annotations, "
          f"{edits} edits ({args.edits:g} % of the text); set up in {time.perf_counter() - t0:.1f} s")  # fmt: skip
    annotated = tei.TeiDocument.from_bytes(annotated_bytes)
    new = tei.TeiDocument.from_bytes(new_bytes)
    t0, c0 = time.perf_counter(), time.process_time()
    report = reanchor(annotated, new)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"reanchor: {seconds:.2f} s wall, {cpu:.2f} s CPU (target {TARGET_S:g} s: "
          f"{seconds / TARGET_S:.2f} of it; the CPU time tells on a busy machine)")
    print(report.summary())


if __name__ == "__main__":
    main()
