"""Benchmark of an editorial intervention in the app's session: a script, not a test.

Usage: ``python bench/bench_edit.py [--annotations N] [--edits K] [--seed S] [--file F]``

Puts N annotations (default 10,000; 15 to 60 characters each, on random paragraphs) on the 4 MB
Brontë of ``../shared/corpus``, opens the result in a :class:`annotator.session.Session` and times
K (default 30) interventions on random words of annotated paragraphs, alternately an emendation
and a plain correction, each through ``Session.intervene`` (the undo command, the pointer and
quote updates, the text model), and their undo. Target (issue 10): an edit within 50 ms. Prints
the first (cold: the id and line indexes are built then) and the median and worst of the rest,
wall and CPU time (on a loaded machine the wall time also counts other processes' turns).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lxml import etree  # noqa: E402
from PySide6.QtCore import QCoreApplication  # noqa: E402

import tei  # noqa: E402
from annotator.session import Session  # noqa: E402
from tei import ns  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BRONTE = ROOT.parent / "shared" / "corpus" / "eltec-eng__ENG18570_Bronte_level2.xml"
TARGET_MS = 50.0


def annotated(data: bytes, n: int, rnd: random.Random) -> bytes:
    """Return ``data`` with ``n`` annotations (pointer, category, quote) on random passages."""
    doc = tei.TeiDocument.from_bytes(data)
    blocks = [(i, b) for i, b in enumerate(doc.text.blocks) if len(b.reading) >= 60 and b.parent < 0]
    lst = doc._list_annotation()  # noqa: SLF001 - made directly: add_annotation takes minutes for 10,000
    for k in range(n):
        i, block = rnd.choice(blocks)
        length = rnd.randint(15, 60)
        r0 = rnd.randint(0, len(block.reading) - length)
        el = etree.SubElement(lst, ns.qn("annotation"), {ns.XML_ID: f"gl-a-bench{k}", "ana": "#gl-comment",
                              "target": doc.target_for(i, r0, i, r0 + length), "motivation": "commenting"})  # fmt: skip
        note = etree.SubElement(el, ns.qn("note"), type="quote")
        etree.SubElement(note, ns.qn("quote")).text = block.reading[r0 : r0 + length]
    return doc.to_bytes()


def main() -> int:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--annotations", type=int, default=10_000)
    ap.add_argument("--edits", type=int, default=30)
    ap.add_argument("--seed", type=int, default=10)
    ap.add_argument("--file", type=Path, default=BRONTE)
    args = ap.parse_args()
    if not args.file.is_file():
        print(f"{args.file} is not there (the shared corpus is needed)")
        return 1
    rnd = random.Random(args.seed)
    QCoreApplication.instance() or QCoreApplication([])
    t0 = time.perf_counter()
    data = annotated(args.file.read_bytes(), args.annotations, rnd)
    doc = tei.TeiDocument.from_bytes(data)
    session = Session(doc, str(args.file))
    session.set_identity("Bench")
    print(f"set-up: {args.annotations} annotations on {args.file.name} "
          f"({len(data) / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s")  # fmt: skip
    annotated_blocks = sorted({doc.text.global_to_reading(r.start)[0] for a in doc.annotations()[:2000]
                               for r in doc.resolve(a.target) if r.ok})  # fmt: skip
    edits, cpus, undos, moved = [], [], [], []
    for k in range(args.edits):
        while True:
            i = rnd.choice(annotated_blocks)
            words = list(re.finditer(r"\b[a-z]{4,}\b", doc.text.blocks[i].reading))
            if words:
                break
        m = rnd.choice(words)
        kind = "emend" if k % 2 == 0 else "correct"
        t, c = time.perf_counter(), time.process_time()
        try:
            session.intervene(kind, (i, m.start(), i, m.end()), text=m.group().upper())
        except tei.TeiError as exc:  # crosses markup, say: another word
            print(f"  skipped {m.group()!r}: {exc}")
            continue
        edits.append((time.perf_counter() - t) * 1000)
        cpus.append((time.process_time() - c) * 1000)
        cmd = session.undo_stack.command(session.undo_stack.index() - 1)
        moved.append(len(cmd.done.changed_annotations))
        t = time.perf_counter()
        session.undo_stack.undo()
        undos.append((time.perf_counter() - t) * 1000)
    if not edits:
        print("no intervention could be made")
        return 1
    first, rest, cpu = edits[0], edits[1:] or edits, cpus[1:] or cpus
    print(f"first intervention (cold: id and line indexes built): {first:.1f} ms")
    print(f"intervention, {len(rest)} more: median {statistics.median(rest):.1f} ms wall "
          f"({statistics.median(cpu):.1f} ms CPU), worst {max(rest):.1f} ms wall ({max(cpu):.1f} ms CPU); "
          f"target {TARGET_MS:.0f} ms: median at {statistics.median(rest) / TARGET_MS:.2f}× the target "
          f"({statistics.median(cpu) / TARGET_MS:.2f}× in CPU time)")  # fmt: skip
    print(f"undo: median {statistics.median(undos):.1f} ms, worst {max(undos):.1f} ms")
    print(f"annotations moved or re-quoted per edit: median {statistics.median(moved):.0f}, most {max(moved)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
