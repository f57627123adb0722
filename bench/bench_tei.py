"""Benchmark of the ``tei`` library against bare lxml (a script, not a test).

Usage: ``python bench/bench_tei.py [--runs N] [--corpus DIR] [--profile]``

Measured in one run, min and median of N runs each:

- load: ``tei.load`` (hardened parse + text model) vs a bare ``lxml.etree.parse`` of the file;
- save: ``doc.save`` to a temp path (atomic: temp file, fsync, rename, backup) vs a bare
  ``tree.write`` of the lxml tree; both for an unchanged document and after adding one
  annotation (which makes the save splice the standOff and header into the original text);
- for the largest corpus files and for a derived >= 12 MB ``teiCorpus`` built here from them;
- 10,000 annotations added, saved and reloaded (seconds);
- pointer resolution and position mapping per call (microseconds) on a small and a large
  document, to show they stay O(log n).

Targets (issue 2): load <= 3x lxml, save <= 2x lxml. ``--profile`` prints the cProfile top
functions of one load and one save of the largest input.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import io
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import tei  # noqa: E402
from tei.parser import make_parser  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
FILES = [
    "eltec-eng__ENG18570_Bronte_level2.xml",
    "dingler__pj254.xml",
    "eltec-rus__015_anna-karenina.xml",
]
TEI_NS = "http://www.tei-c.org/ns/1.0"


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Return (min, median) seconds of ``runs`` calls of ``fn``."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def build_corpus(corpus: Path, out: Path, minimum: int = 12_000_000) -> Path:
    """Wrap the TEI roots of the largest corpus files in one ``teiCorpus`` of >= ``minimum`` bytes."""
    files = sorted(
        (p for p in corpus.glob("*.xml") if p.is_file()),
        key=lambda p: p.stat().st_size,
        reverse=True,
    )
    root = etree.Element(f"{{{TEI_NS}}}teiCorpus", nsmap={None: TEI_NS})
    header = etree.SubElement(root, f"{{{TEI_NS}}}teiHeader")
    fd = etree.SubElement(header, f"{{{TEI_NS}}}fileDesc")
    ts = etree.SubElement(fd, f"{{{TEI_NS}}}titleStmt")
    etree.SubElement(ts, f"{{{TEI_NS}}}title").text = "Glossator benchmark corpus"
    ps = etree.SubElement(fd, f"{{{TEI_NS}}}publicationStmt")
    etree.SubElement(ps, f"{{{TEI_NS}}}p").text = "Derived from the shared test corpus."
    sd = etree.SubElement(fd, f"{{{TEI_NS}}}sourceDesc")
    etree.SubElement(sd, f"{{{TEI_NS}}}p").text = "Largest files of shared/corpus."
    size = 0
    used = []
    for p in files:
        tree = etree.fromstring(p.read_bytes(), make_parser()).getroottree()
        if tree.getroot().tag != f"{{{TEI_NS}}}TEI":
            continue
        root.append(copy.deepcopy(tree.getroot()))
        size += p.stat().st_size
        used.append(p.name)
        if size >= minimum * 1.05:
            break
    out.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    print(f"derived teiCorpus: {out.stat().st_size / 1e6:.1f} MB from {len(used)} files")
    return out


def bench_file(path: Path, runs: int, tmp: Path) -> dict[str, float]:
    """Measure load and save ratios for one file."""
    res: dict[str, float] = {"MB": path.stat().st_size / 1e6}
    lx_min, lx_med = timed(lambda: etree.parse(str(path)), runs)
    ld_min, ld_med = timed(lambda: tei.load(path), runs)
    res.update(
        lxml_parse=lx_min, load=ld_min, load_ratio=ld_min / lx_min, load_ratio_med=ld_med / lx_med
    )
    tree = etree.parse(str(path))
    out_lx = tmp / "lxml-out.xml"
    w_min, w_med = timed(
        lambda: tree.write(str(out_lx), encoding="UTF-8", xml_declaration=True), runs
    )
    doc = tei.load(path)
    target = tmp / "tei-out.xml"
    s_min, s_med = timed(lambda: doc.save(target, force=True), runs)
    blocks = [i for i, b in enumerate(doc.text.blocks) if len(b.reading) > 10]
    if blocks:
        doc.add_annotation(doc.target_for(blocks[0], 0, blocks[0], 5), "gl-comment")
    a_min, a_med = timed(lambda: doc.save(target, force=True), runs)
    res.update(lxml_write=w_min, save=s_min, save_ratio=s_min / w_min, save_ratio_med=s_med / w_med,
               save_annotated=a_min, save_annotated_ratio=a_min / w_min,
               save_annotated_ratio_med=a_med / w_med)  # fmt: skip
    return res


def bench_many_annotations(path: Path, tmp: Path, n: int = 10_000) -> dict[str, float]:
    """Add ``n`` annotations, save, reload and list them; return seconds per step."""
    doc = tei.load(path)
    rng = random.Random(1)
    blocks = [i for i, b in enumerate(doc.text.blocks) if len(b.reading) > 20]
    t0 = time.perf_counter()
    for _ in range(n):
        i = rng.choice(blocks)
        r0 = rng.randrange(0, len(doc.text.blocks[i].reading) - 10)
        doc.add_annotation(doc.target_for(i, r0, i, r0 + 8), "gl-comment")
    t1 = time.perf_counter()
    out = tmp / "many.xml"
    doc.save(out, force=True)
    t2 = time.perf_counter()
    again = tei.load(out)
    t3 = time.perf_counter()
    anns = again.annotations()
    quotes = sum(1 for a in anns if a.quote)
    t4 = time.perf_counter()
    assert len(anns) == n and quotes == n
    return {"add": t1 - t0, "save": t2 - t1, "reload": t3 - t2, "list+read": t4 - t3}


def bench_lookups(doc: tei.TeiDocument, calls: int = 20_000) -> dict[str, float]:
    """Return microseconds per pointer resolution and per position mapping (warm maps)."""
    rng = random.Random(2)
    blocks = [i for i, b in enumerate(doc.text.blocks) if len(b.reading) > 10]
    sample = [rng.choice(blocks) for _ in range(200)]
    targets = []
    for i in sample:
        b = doc.text.blocks[i]
        targets.append(doc.target_for(i, 1, i, min(len(b.reading), 9)))
        b.to_raw(0)  # build the lazy per-block map once
    t0 = time.perf_counter()
    for k in range(calls):
        doc.resolve(targets[k % len(targets)])
    resolve_us = (time.perf_counter() - t0) / calls * 1e6
    positions = [rng.randrange(doc.text.blocks[i].start, doc.text.blocks[i].end) for i in sample]
    t0 = time.perf_counter()
    for k in range(calls):
        doc.text.global_to_reading(positions[k % len(positions)])
    g2r_us = (time.perf_counter() - t0) / calls * 1e6
    t0 = time.perf_counter()
    for k in range(calls):
        i = sample[k % len(sample)]
        doc.text.reading_to_global(i, 3)
    r2g_us = (time.perf_counter() - t0) / calls * 1e6
    return {"blocks": len(doc.text.blocks), "resolve_us": resolve_us, "global_to_reading_us": g2r_us,
            "reading_to_global_us": r2g_us}  # fmt: skip


def profile_once(path: Path, tmp: Path) -> None:
    """Print the top cProfile entries of one load and one annotated save."""
    for label, fn in (("load", lambda: tei.load(path)),):
        prof = cProfile.Profile()
        prof.runcall(fn)
        _print_profile(label, prof)
    doc = tei.load(path)
    blocks = [i for i, b in enumerate(doc.text.blocks) if len(b.reading) > 10]
    doc.add_annotation(doc.target_for(blocks[0], 0, blocks[0], 5), "gl-comment")
    prof = cProfile.Profile()
    prof.runcall(lambda: doc.save(tmp / "prof.xml", force=True))
    _print_profile("save (1 annotation added)", prof)


def _print_profile(label: str, prof: cProfile.Profile) -> None:
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(12)
    print(f"\n--- cProfile: {label} ---")
    print("\n".join(line for line in buf.getvalue().splitlines() if line.strip())[:4000])


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="glossator-bench-") as name:
        tmp = Path(name)
        inputs = [args.corpus / f for f in FILES if (args.corpus / f).is_file()]
        big = build_corpus(args.corpus, tmp / "derived-teiCorpus.xml")
        inputs.append(big)
        print(f"\n{'file':42} {'MB':>5} {'lxml parse':>10} {'tei.load':>9} {'load x':>7} "
              f"{'(med)':>6} {'lxml write':>10} {'save':>7} {'save x':>7} {'(med)':>6} "
              f"{'save+1 ann':>10} {'x':>5} {'(med)':>6}")  # fmt: skip
        for path in inputs:
            r = bench_file(path, args.runs if path != big else max(3, args.runs - 2), tmp)
            print(f"{path.name[:42]:42} {r['MB']:5.1f} {r['lxml_parse']:10.3f} {r['load']:9.3f} "
                  f"{r['load_ratio']:6.2f}x {r['load_ratio_med']:5.2f}x {r['lxml_write']:10.3f} "
                  f"{r['save']:7.3f} {r['save_ratio']:6.2f}x {r['save_ratio_med']:5.2f}x "
                  f"{r['save_annotated']:10.3f} {r['save_annotated_ratio']:4.2f}x "
                  f"{r['save_annotated_ratio_med']:5.2f}x")  # fmt: skip
        print(
            "(seconds; ratios = tei / lxml of the min times, (med) of the medians; "
            "targets: load <= 3x, save <= 2x)"
        )
        many = bench_many_annotations(inputs[0], tmp)
        print(f"\n10,000 annotations on {inputs[0].name}: " +
              ", ".join(f"{k} {v:.2f} s" for k, v in many.items()))  # fmt: skip
        small = tei.load(args.corpus / "tei-gettingstarted__diaryfragment.xml")
        print(
            f"\n{'document':42} {'blocks':>7} {'resolve µs':>11} {'g→reading µs':>13} {'reading→g µs':>13}"
        )
        for label, doc in (
            ("diaryfragment (small)", small),
            (big.name + " (large)", tei.load(big)),
        ):
            r = bench_lookups(doc)
            print(f"{label[:42]:42} {r['blocks']:7d} {r['resolve_us']:11.1f} "
                  f"{r['global_to_reading_us']:13.2f} {r['reading_to_global_us']:13.2f}")  # fmt: skip
        if args.profile:
            profile_once(big, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
