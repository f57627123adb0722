"""Check issue 13's bar by hand: ids of two copies, no reuse after reload, kill -9 during saves.

Usage: python bench/bench_ids_kills.py [--kills N] [--folder DIR]

1. Two copies of a corpus file each get annotations at the same places: prints how many ids
   the copies share (anchors on the same paragraphs should agree, annotations never).
2. Remove, save, reopen, add: prints whether a removed id came back.
3. Builds a ~12 MB ``teiCorpus`` from the largest corpus texts, then starts a process that saves
   it again and again (one more annotation each time) and kills it with SIGKILL at a random
   moment, N times; after each kill checks that the file parses and that no finished save was
   lost. Then one open and one save; prints the leftovers found after the kills and after that
   save, and whether a user's ``notes.tmp`` and another program's ``.bak`` survived.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import tei  # noqa: E402
from tei import ns  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
BIG = ["eltec-eng__ENG18570_Bronte_level2.xml", "dingler__pj254.xml",
       "eltec-rus__015_anna-karenina.xml", "eltec-eng__ENG18481_Dickens.xml"]  # fmt: skip
SAVER = """
import sys
import tei
path, log = sys.argv[1], sys.argv[2]
doc = tei.load(path)
blocks = [i for i, b in enumerate(doc.text.blocks) if len(b.reading) > 10]
while True:
    b = blocks[(len(doc.annotations()) * 37) % len(blocks)]
    doc.add_annotation(doc.target_for(b, 0, b, 5), "gl-comment")
    doc.save()
    with open(log, "a") as fh:
        fh.write(f"{len(doc.annotations())}\\n")
"""


def corpus(dest: Path) -> int:
    """Write a teiCorpus of the BIG texts to ``dest``; return its size."""
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<teiCorpus xmlns="{ns.TEI}">\n'
             "<teiHeader><fileDesc><titleStmt><title>Concatenated corpus</title></titleStmt>"
             "<publicationStmt><p>test</p></publicationStmt><sourceDesc><p>shared corpus</p>"
             "</sourceDesc></fileDesc></teiHeader>\n"]  # fmt: skip
    for name in BIG:
        text = (CORPUS / name).read_text("utf-8")
        parts.append(text[text.index("<TEI") :].rstrip() + "\n")
    parts.append("</teiCorpus>\n")
    dest.write_text("".join(parts), "utf-8")
    return dest.stat().st_size


def count(data: bytes) -> int:
    return len(tei.TeiDocument.from_bytes(data).annotations())


def two_copies(path: Path) -> None:
    one, two = tei.load(str(path)), tei.load(str(path))
    blocks = [i for i, b in enumerate(one.text.blocks) if len(b.reading) > 10][:: 200][:50]
    made = []
    for doc in (one, two):
        made.append({doc.add_annotation(doc.target_for(b, 0, b, 5), "gl-comment").id for b in blocks})
    anchors = [{el.get(ns.XML_ID) for el in doc.added_ids()} for doc in (one, two)]
    print(f"two copies: {len(blocks)} annotations each; shared annotation ids: "
          f"{len(made[0] & made[1])}; anchors added {len(anchors[0])}, the same in both: "
          f"{len(anchors[0] & anchors[1])}")  # fmt: skip


def no_reuse(path: Path, folder: Path) -> None:
    copy = folder / "reuse.xml"
    copy.write_bytes(path.read_bytes())
    doc = tei.load(str(copy))
    b = next(i for i, blk in enumerate(doc.text.blocks) if len(blk.reading) > 10)
    first = doc.add_annotation(doc.target_for(b, 0, b, 5), "gl-comment").id
    doc.save()
    doc = tei.load(str(copy))
    doc.remove_annotation(first)
    doc.save()
    doc = tei.load(str(copy))
    again = [doc.add_annotation(doc.target_for(b, 0, b, 5), "gl-comment").id for _ in range(100)]
    print(f"remove {first}, save, reopen, add 100: the removed id came back: {first in again}; "
          f"e.g. {again[0]}")  # fmt: skip
    copy.unlink()
    for leftover in folder.glob("reuse.xml*"):
        leftover.unlink()


def kills(path: Path, n: int, folder: Path) -> None:
    (folder / "notes.tmp").write_text("the user's own notes")
    (folder / "other.bak").write_text("another program's backup")
    log = folder / "saved.log"
    rng = random.Random()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    lost = broken = 0
    litter_after_kill = []
    t0 = time.monotonic()
    for _ in range(n):
        log.write_text("")
        proc = subprocess.Popen([sys.executable, "-c", SAVER, str(path), str(log)], env=env)
        while not log.read_text() and proc.poll() is None:
            time.sleep(0.02)
        time.sleep(rng.uniform(0, 3.0))
        proc.kill()
        proc.wait()
        saved = [int(x) for x in log.read_text().split()]
        try:
            have = count(path.read_bytes())
        except tei.TeiError:
            broken += 1
            continue
        lost += bool(saved) and have < saved[-1]
        litter = [p for p in folder.iterdir() if p.name.startswith(".glossator-")]
        litter_after_kill.append((len(litter), sum(p.stat().st_size for p in litter)))
    elapsed = time.monotonic() - t0
    left = sum(1 for c, _ in litter_after_kill if c)
    print(f"{n} kills in {elapsed:.0f} s: file unreadable {broken} times, finished saves lost "
          f"{lost} times; kills that left leftovers (each removed by the next open): {left}, "
          f"up to {max(s for _, s in litter_after_kill) / 1e6:.1f} MB")  # fmt: skip
    doc = tei.load(str(path))
    for w in doc.warnings:
        print("  open says:", w)
    b = next(i for i, blk in enumerate(doc.text.blocks) if len(blk.reading) > 10)
    doc.add_annotation(doc.target_for(b, 0, b, 5), "gl-comment")
    doc.save()
    names = sorted(p.name for p in folder.iterdir())
    litter = [x for x in names if x.startswith(".glossator-")]
    rescued = [x for x in names if ".interrupted-save-" in x]
    intact = (folder / "notes.tmp").read_text() == "the user's own notes"
    print(f"after one open and save: {len(litter)} leftovers {litter}; kept interrupted saves: "
          f"{rescued}; notes.tmp intact: {intact}; other.bak intact: "
          f"{(folder / 'other.bak').exists()}")  # fmt: skip
    print("folder:", names)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=25)
    ap.add_argument("--folder", default="")
    args = ap.parse_args()
    if not all((CORPUS / n).is_file() for n in BIG):
        sys.exit("the shared corpus is not available")
    folder = Path(args.folder or tempfile.mkdtemp(prefix="glossator-bar-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "corpus.xml"
    size = corpus(path)
    print(f"corpus: {size / 1e6:.1f} MB in {folder}")
    two_copies(path)
    no_reuse(path, folder)
    kills(path, args.kills, folder)


if __name__ == "__main__":
    main()
