"""Benchmark the plain-text importer on a 5 MB text made from the seed article (not a test).

The seed article (9 pages, 49 footnotes) is repeated with its page numbers shifted so that the
pages keep rising (74-82, 83-91, ...); footnote numbering restarts at 1 in each copy (accepted as
per-page-restart numbering). The website boilerplate is kept once, at the end.

Usage: ``python bench/bench_import.py [--mb 5] [--runs 5]``. Target: well under 2 s for 5 MB.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tei.importers.plaintext import TextImportOptions, import_text  # noqa: E402

SEED = ROOT.parent / "shared" / "seed" / "soviet-aid-to-china.txt"
_PAGE = re.compile(r"^page (\d+)$", re.MULTILINE)


def build_text(megabytes: float) -> bytes:
    """Return at least ``megabytes`` MB of text made by repeating the seed with shifted pages."""
    seed = SEED.read_text("utf-8")
    cut = seed.index("page 82") + len("page 82\n")
    article, boilerplate = seed[:cut], seed[cut:]
    first, last = 74, 82
    span = last - first + 1
    parts: list[str] = []
    size, copy = 0, 0
    while size < megabytes * 1_000_000:
        shift = copy * span
        part = _PAGE.sub(lambda m, s=shift: f"page {int(m.group(1)) + s}", article)
        parts.append(part)
        size += len(part.encode("utf-8"))
        copy += 1
    return ("".join(parts) + boilerplate).encode("utf-8")


def main() -> None:
    """Time ``import_text`` over several runs and print min/median seconds and MB/s."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=5.0, help="size of the text in MB (10^6 bytes)")
    parser.add_argument("--runs", type=int, default=5, help="number of timed runs")
    args = parser.parse_args()
    data = build_text(args.mb)
    mb = len(data) / 1_000_000
    options = TextImportOptions(title="Benchmark", lang="en")
    times: list[float] = []
    result = None
    for _ in range(args.runs):
        start = time.perf_counter()
        result = import_text(data, options, filename="bench.txt")
        times.append(time.perf_counter() - start)
    assert result is not None
    report = result.report
    best, median = min(times), statistics.median(times)
    print(
        f"input: {mb:.2f} MB, {len(report.pages)} pages, {report.footnotes_found} footnotes "
        f"({report.references_anchored} anchored), output {len(result.xml) / 1e6:.2f} MB"
    )
    print(
        f"runs: {args.runs}; min {best:.3f} s; median {median:.3f} s; "
        f"{mb / best:.1f} MB/s (best), {mb / median:.1f} MB/s (median)"
    )


if __name__ == "__main__":
    main()
