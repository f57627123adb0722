"""Benchmark the plain-text importer on 5 MB texts (not a test).

Three inputs, each timed over several runs:

* ``seed``: the seed article (9 pages, 49 footnotes) repeated with its page numbers shifted so that
  the pages keep rising (74-82, 83-91, ...); footnote numbering restarts at 1 in each copy
  (accepted as per-page-restart numbering). The website boilerplate is kept once, at the end.
  UTF-8, ``page N`` markers, one paragraph per line: the footnote and page-break path.
* ``prose``: hard-wrapped Russian prose in cp1251 with ``##`` headings, blank-line paragraphs and
  ``[p. N]`` markers, no footnotes: the encoding-detection, paragraph and heading path.
* ``endnotes``: the seed's paragraphs without page markers, references numbered on through the
  copies and every citation at the end: one page with thousands of notes, where every number of
  the text up to the last note (years included) is a candidate reference.

Usage: ``python bench/bench_import.py [--mb 5] [--runs 5]``. Target: well under 2 s for 5 MB; the
last column is the median time as a fraction of that budget.
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

from lxml import etree  # noqa: E402

from tei.importers.plaintext import TextImportOptions, import_text  # noqa: E402
from tei.ns import TEI, XML_ID  # noqa: E402

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


def build_prose(megabytes: float) -> bytes:
    """Return at least ``megabytes`` MB of cp1251 prose with headings, blank lines and [p. N]."""
    line = "Советские специалисты прибыли в 1938 году и построили дорогу в 2925 км,"
    paragraph = "\n".join([line] * 5) + "\n\n"
    parts: list[str] = []
    size, page = 0, 1
    while size < megabytes * 1_000_000:
        part = f"## Глава {page}\n\n" + paragraph * 6 + f"[p. {page + 1}]\n\n"
        parts.append(part)
        size += len(part.encode("cp1251"))
        page += 1
    return "".join(parts).encode("cp1251")


def build_endnotes(megabytes: float) -> bytes:
    """Return at least ``megabytes`` MB: the seed's paragraphs, notes renumbered on, all at the end.

    The seed is imported once; its paragraphs are written back as text with each copy's references
    numbered on (1-49, 50-98, ...) and every citation listed at the end: a book with endnotes and
    no page markers, where every number of the text up to the last note is a candidate.
    """
    root = etree.fromstring(import_text(SEED.read_bytes()).xml)
    paragraphs: list[list[str | int]] = []  # text pieces and note numbers
    citations: dict[int, str] = {}
    for p in root.iter(f"{{{TEI}}}p"):
        if p.getparent().tag == f"{{{TEI}}}publicationStmt" or p.get(XML_ID) is None:
            continue
        pieces: list[str | int] = [p.text or ""]
        for child in p:
            if child.tag == f"{{{TEI}}}note":
                citations[int(child.get("n"))] = child.findtext(f"{{{TEI}}}bibl") or ""
                if child.get("type") != "unanchored":
                    pieces.append(int(child.get("n")))
            elif child.tag == f"{{{TEI}}}pb" and child.get("break") == "no":
                pieces.append("")
            pieces.append(child.tail or "")
        paragraphs.append(pieces)
    lines: list[str] = []
    notes: list[str] = []
    size, offset = 0, 0
    while size < megabytes * 1_000_000:
        for pieces in paragraphs:
            line = "".join(str(x + offset) if isinstance(x, int) else x for x in pieces)
            line = line.replace("\n", " ")
            lines.append(line)
            size += len(line.encode("utf-8")) + 1
        for n in sorted(citations):
            notes.append(f"{n + offset} {citations[n]}")
        offset += max(citations)
    return ("\n".join(lines) + "\n" + "\n".join(notes) + "\n").encode("utf-8")


def time_import(name: str, data: bytes, runs: int) -> None:
    """Time ``import_text`` on ``data`` and print one line of figures."""
    options = TextImportOptions(title="Benchmark", lang="ru" if name == "prose" else "en")
    times: list[float] = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = import_text(data, options, filename=f"{name}.txt")
        times.append(time.perf_counter() - start)
    assert result is not None
    report = result.report
    mb = len(data) / 1_000_000
    best, median = min(times), statistics.median(times)
    print(
        f"{name}: {mb:.2f} MB {report.encoding}, {len(report.pages)} pages, "
        f"{report.paragraph_count} paragraphs, {report.footnotes_found} footnotes "
        f"({report.references_anchored} anchored), output {len(result.xml) / 1e6:.2f} MB; "
        f"runs {runs}: min {best:.3f} s, median {median:.3f} s, {mb / median:.1f} MB/s; "
        f"median/2 s budget = {median / 2:.2f}"
    )


def main() -> None:
    """Time ``import_text`` over several runs and print min/median seconds and MB/s."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=5.0, help="size of the text in MB (10^6 bytes)")
    parser.add_argument("--runs", type=int, default=5, help="number of timed runs")
    args = parser.parse_args()
    time_import("seed", build_text(args.mb), args.runs)
    time_import("prose", build_prose(args.mb), args.runs)
    time_import("endnotes", build_endnotes(args.mb), args.runs)


if __name__ == "__main__":
    main()
