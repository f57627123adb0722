"""Import a plain-text source (e.g. a scraped journal article) as a TEI P5 document.

The importer works in stages; each has small documented rules, and an option to override them:

1. **Decoding** (``encoding``; rules in :mod:`tei.importers._decode`): BOMs, UTF-16 without a BOM
   by its NUL bytes, strict UTF-8, then cp1251 vs cp1252/latin-1 by letter statistics. Binary
   input (NUL bytes that are not UTF-16) and empty or whitespace-only input are refused with
   :class:`~tei.errors.TextImportError`; bytes that do not decode in an explicit encoding, or are
   mostly but not entirely UTF-8, raise an error that is both a ``TextImportError`` and an
   :class:`~tei.errors.EncodingError`. Files over ``MAX_TEXT_BYTES`` (half the XML parser's limit,
   so that the TEI made from them can be opened) are refused before they are read.
2. **Normalisation**: CRLF and CR become LF, each line's leading and trailing whitespace is
   stripped, XML-illegal control characters are dropped (and counted in a warning). Nothing else
   in the text is changed: no whitespace collapsing, no spelling or translation fixes.
3. **Pages** (``page_markers``; rules in :mod:`tei.importers._pages`): ``page N`` lines that end
   page N, ``[p. N]``, ``- N -`` and form feeds that start a page; ``auto`` counts them. Website
   boilerplate after the last page is dropped and reported (``drop_boilerplate``).
4. **Footnotes** (``footnotes``; rules in :mod:`tei.importers._notes`): the numbered lines ending a
   page are its footnotes; their references, bare numbers often glued to words, years or
   punctuation, are found in order and scored so that real numbers are not taken for references.
   A footnote whose reference is not found, or fits equally well at two places, is kept outside
   the running text, in ``back/div[@type="notes"]`` under its page (``<note type="unanchored">``), and reported,
   never guessed into the text.
   Numbered end lines with neither a reference in the text nor the look of a citation stay text.
5. **Paragraphs and headings** (``paragraphs``; rules in :mod:`tei.importers._blocks`): one per
   line or blank-line separated; Markdown-like headings open nested ``<div>``s; a paragraph cut by
   a page break is one ``<p>`` with a ``<pb/>`` inside.

The result is a TEI document (``<pb n>`` at every page start, ``<note place="foot" n xml:id>`` at
the point of reference with a ``<bibl>`` inside, ``xml:id`` ``p1``, ``p2``... on paragraphs and
``fn1``... on notes) with a header recording the source and every decision (the report's
warnings included, in ``interpretation``), and a report.
The ``change/@when`` date is the import time, or ``SOURCE_DATE_EPOCH`` when that is set.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from tei.errors import TextImportError
from tei.importers._blocks import (
    Join,
    Unit,
    choose_mode,
    continuation,
    make_units,
    text_without_references,
)
from tei.importers._build import BodyBuilder, HeaderInfo, build_header, new_document, serialise
from tei.importers._decode import decode_bytes
from tei.importers._describe import (
    DescribeState,
    describe_blocks,
    describe_notes,
    describe_pages,
    page_range,
)
from tei.importers._notes import (
    Anchor,
    Footnote,
    has_strong_candidate,
    looks_like_citation,
    strong_anchors,
    take_footnotes,
    weak_anchors,
)
from tei.importers._pages import (
    CONVENTIONS,
    detect_convention,
    marker_numbers,
    split_lines,
    split_pages,
)
from tei.parser import MAX_BYTES

__all__ = [
    "ImportReport",
    "ImportResult",
    "TextImportOptions",
    "import_text",
    "import_text_file",
]

# The TEI made from a text is a little larger than the text: keep it well under the parser's limit.
MAX_TEXT_BYTES = MAX_BYTES // 2
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_WORDS = re.compile(r"[^\W\d_]+")
_LANG = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")


@dataclass
class TextImportOptions:
    """How to read a plain-text source; every ``auto`` can be overridden."""

    title: str | None = None
    author: str | None = None
    source_url: str | None = None
    lang: str | None = None
    encoding: str | None = None  # None = detect
    page_markers: str = "auto"  # "auto" | "page-line" | "bracket" | "dash" | "formfeed" | "none"
    footnotes: str = "auto"  # "auto" | "none"
    paragraphs: str = "auto"  # "auto" | "lines" | "blank"
    drop_boilerplate: bool = True


@dataclass
class ImportReport:
    """What the import found, anchored, dropped and found suspicious."""

    pages: list[str]
    footnotes_found: int
    references_anchored: int
    unanchored_footnotes: list[int]
    dropped: list[str]
    warnings: list[str]
    encoding: str
    page_markers: str = "none"
    paragraph_count: int = 0
    source: str | None = None

    def format_text(self) -> str:
        """Return a readable multi-line report for the command line and the import dialog."""
        out = [f"Source: {self.source or '(bytes)'} (encoding {self.encoding})"]
        if self.pages:
            out.append(
                f"Pages: {len(self.pages)} ({page_range(self.pages)}), markers: {self.page_markers}"
            )
        else:
            out.append("Pages: none (no page markers)")
        out.append(f"Paragraphs: {self.paragraph_count}")
        out.append(f"Footnotes found: {self.footnotes_found}")
        out.append(f"References anchored: {self.references_anchored} of {self.footnotes_found}")
        if self.unanchored_footnotes:
            numbers = ", ".join(str(n) for n in self.unanchored_footnotes)
            out.append(
                f"Footnotes without a reference in the text (kept at their page's end): {numbers}"
            )
        if self.dropped:
            out.append(f"Dropped as website boilerplate ({len(self.dropped)} lines):")
            out.extend(f"  {line}" for line in self.dropped)
        if self.warnings:
            out.append(f"Warnings ({len(self.warnings)}):")
            out.extend(f"  - {w}" for w in self.warnings)
        return "\n".join(out)


@dataclass
class ImportResult:
    """The TEI document (UTF-8 bytes with an XML declaration) and the import report."""

    xml: bytes
    report: ImportReport


def _check_options(opts: TextImportOptions) -> None:
    for name, value, allowed in (
        ("page_markers", opts.page_markers, ("auto", *CONVENTIONS)),
        ("footnotes", opts.footnotes, ("auto", "none")),
        ("paragraphs", opts.paragraphs, ("auto", "lines", "blank")),
    ):
        if value not in allowed:
            raise TextImportError(f"{name} must be one of {', '.join(allowed)}; not {value!r}")
    for name, value in (
        ("title", opts.title),
        ("author", opts.author),
        ("source URL", opts.source_url),
    ):
        if value and _ILLEGAL.search(value):
            raise TextImportError(f"the {name} contains a character not allowed in XML: {value!r}")
    if opts.lang is not None and not _LANG.match(opts.lang):
        raise TextImportError(f"{opts.lang!r} is not a language tag such as 'en' or 'ru'")


def _too_large(size: int) -> str:
    return (
        f"the file is {size / 1e6:.0f} MB; the limit for a text import is "
        f"{MAX_TEXT_BYTES / 1e6:.0f} MB (its TEI must stay openable)"
    )


def _now() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        moment = _dt.datetime.fromtimestamp(int(epoch), _dt.UTC)
    else:
        moment = _dt.datetime.now(_dt.UTC).replace(microsecond=0)
    return moment.isoformat()


def import_text_file(
    path: str | os.PathLike, options: TextImportOptions | None = None
) -> ImportResult:
    """Read a plain-text file and import it as TEI (see :func:`import_text`)."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise TextImportError(_too_large(size), path=str(p))
        data = p.read_bytes()
    except OSError as exc:
        raise TextImportError(f"cannot read the file: {exc.strerror or exc}", path=str(p)) from None
    try:
        return import_text(data, options, filename=p.name)
    except TextImportError as exc:
        exc.path = exc.path or str(p)
        raise


def import_text(
    data: bytes, options: TextImportOptions | None = None, *, filename: str | None = None
) -> ImportResult:
    """Import the bytes of a plain-text source as a TEI document with a report."""
    opts = options or TextImportOptions()
    _check_options(opts)
    if filename:
        filename = _ILLEGAL.sub("\ufffd", filename)  # control bytes in a file name: shown as �
    st = DescribeState()
    if not data:
        raise TextImportError("the file is empty (0 bytes); there is no text to import")
    if len(data) > MAX_TEXT_BYTES:
        raise TextImportError(_too_large(len(data)))
    text, encoding = decode_bytes(data, opts.encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text, illegal = _ILLEGAL.subn("", text)
    if not text.strip():
        raise TextImportError("the file contains only whitespace; there is no text to import")
    how = "given by the user" if opts.encoding else "detected"
    st.normalization.append(
        f"Decoded from {encoding} ({how}). Line endings (CRLF, CR) normalised to LF; the leading "
        "and trailing whitespace of each line stripped; no other character changed, no "
        "whitespace collapsed."
    )
    if illegal:
        st.warnings.append(f"{illegal} control character(s) not allowed in XML were dropped")
        st.normalization.append(f"{illegal} control character(s) not allowed in XML removed.")

    found_markers = marker_numbers(text)
    counts = {name: len(numbers) for name, numbers in found_markers.items()}
    if opts.page_markers == "auto":
        convention, refused = detect_convention(found_markers)
        st.warnings.extend(refused)
    else:
        convention = opts.page_markers
    if convention != "formfeed" and "\f" in text:
        st.warnings.append(f"{text.count(chr(12))} form feed(s) treated as line breaks")
        text = text.replace("\f", "\n")
    lines = split_lines(text, convention)
    pages, dropped, page_warnings = split_pages(lines, convention, opts.drop_boilerplate)
    st.warnings.extend(page_warnings)
    describe_pages(st, opts.page_markers, convention, counts, pages, dropped)

    notes_by_page = _take_notes(pages, opts.footnotes == "auto", st)
    mode = opts.paragraphs if opts.paragraphs != "auto" else choose_mode([p.lines for p in pages])
    units = [make_units(page.lines, mode) for page in pages]
    if not any(units):
        raise TextImportError("the file has no text besides page markers, footnotes or boilerplate")
    _fix_glue(units)
    unanchored = _anchor(notes_by_page, units, st)
    joins = _joins(units)
    st.warnings.extend(_repeated_words(pages, units))
    describe_blocks(st, mode, opts.paragraphs, joins, units)

    tei, body = new_document(opts.lang)
    builder = BodyBuilder(body)
    for k, page in enumerate(pages):
        join_in = joins[k - 1] if k else None
        join_out = joins[k] if k < len(joins) else None
        builder.page(page, units[k], join_in, join_out, unanchored[k])
    builder.back_notes(body.getparent())

    found = sum(len(n) for n in notes_by_page)
    missing = [fn.n for page in unanchored for fn in page]
    report = ImportReport(
        pages=[p.n for p in pages if p.n is not None],
        footnotes_found=found,
        references_anchored=found - len(missing),
        unanchored_footnotes=missing,
        dropped=[line.text for line in dropped],
        warnings=st.warnings,
        encoding=encoding,
        page_markers=convention,
        paragraph_count=builder.paragraphs,
        source=filename,
    )
    describe_notes(st, found, report.references_anchored, missing)
    st.interpretation.extend(f"Import warning: {w}." for w in st.warnings)
    name = filename or "a plain text"
    info = HeaderInfo(
        title=opts.title or filename or "Untitled plain text",
        author=opts.author,
        source_url=opts.source_url,
        filename=filename,
        encoding=encoding,
        size=len(data),
        line_count=text.count("\n") + (not text.endswith("\n")),
        sha256=hashlib.sha256(data).hexdigest(),
        lang=opts.lang,
        when=_now(),
        normalization=st.normalization,
        segmentation=st.segmentation,
        interpretation=st.interpretation,
        change=(
            f"Imported from {name} (encoding {encoding}) by the Glossator plain-text importer: "
            f"{len(report.pages)} pages, {builder.paragraphs} paragraphs, {found} footnotes "
            f"({report.references_anchored} anchored), {len(dropped)} boilerplate lines dropped."
        ),
    )
    build_header(tei, info)
    return ImportResult(serialise(tei), report)


def _take_notes(pages: list, enabled: bool, st: DescribeState) -> list[list[Footnote]]:
    """Remove each page's footnote lines from its text; return the footnotes per page."""
    out: list[list[Footnote]] = []
    expected, seq = 1, 0
    restarts: list[str] = []
    for index, page in enumerate(pages):
        found: list[Footnote] = []
        content = [line for line in page.lines if line.text]
        if enabled and content and not content[-1].glue:
            cut, notes, warning = take_footnotes([line.text for line in page.lines], expected)
            if notes and not _credible(page.lines[:cut], notes, expected):
                numbers = ", ".join(str(n) for n, _ in notes)
                where = f"page {page.n}: the numbered lines at its end" if page.n else (
                    "the numbered lines at the end of the text"
                )  # fmt: skip
                st.warnings.append(
                    f"{where} ({numbers}) were kept as text, not read as footnotes: none of "
                    "their references is in the text"
                )
                cut, notes, warning = len(page.lines), [], None
            if warning and "restarts" in warning:
                restarts.append(page.n or "?")
            elif warning:
                st.warnings.append(f"page {page.n}: {warning}" if page.n else warning)
            for line, (n, citation) in zip(
                [ln for ln in page.lines[cut:] if ln.text], notes, strict=True
            ):
                seq += 1
                found.append(Footnote(n, citation, seq, line.lineno, index))
            if notes:
                page.lines = page.lines[:cut]
                expected = notes[-1][0] + 1
        out.append(found)
    if restarts:
        shown = ", ".join(restarts[:10]) + (", \u2026" if len(restarts) > 10 else "")
        st.warnings.append(
            f"footnote numbering restarts at 1 on {len(restarts)} page(s) ({shown}); "
            "read as footnotes numbered per page"
        )
    return out


def _credible(lines: list, notes: list[tuple[int, str]], expected: int) -> bool:
    """Tell whether a page's numbered end lines are footnotes (rule in :mod:`._notes`)."""
    first = notes[0][0]
    if first == expected > 1:
        return True
    cited = sum(1 for _, text in notes if looks_like_citation(text))
    if first in (1, expected) and 2 * cited >= len(notes):
        return True
    return has_strong_candidate([ln.text for ln in lines if ln.text], [n for n, _ in notes])


def _fix_glue(units: list[list[Unit]]) -> None:
    """Strip the break-side whitespace of inline-marker pieces that do not join a paragraph."""
    for k, page_units in enumerate(units):
        if not page_units:
            continue
        previous = units[k - 1] if k else []
        if not (previous and previous[-1].glue):
            page_units[0].text = page_units[0].text.lstrip()
        last = page_units[-1]
        following = units[k + 1] if k + 1 < len(units) else []
        if last.glue and not (last.kind == "p" and following and following[0].kind == "p"):
            last.glue = False
            last.text = last.text.rstrip()


def _joins(units: list[list[Unit]]) -> list[Join | None]:
    """Decide, for each page boundary, whether a paragraph continues across it."""
    return [
        continuation(units[k][-1], units[k + 1][0]) if units[k] and units[k + 1] else None
        for k in range(len(units) - 1)
    ]


def _repeated_words(pages: list, units: list[list[Unit]]) -> list[str]:
    """Warn where a page starts with the word that ends the previous page (a scraping slip)."""
    out = []
    for k in range(len(units) - 1):
        if not (units[k] and units[k + 1]):
            continue
        before = _WORDS.findall(text_without_references(units[k][-1])[-80:])
        after = _WORDS.findall(units[k + 1][0].text[:80])
        if before and after and len(after[0]) > 1 and before[-1].lower() == after[0].lower():
            out.append(
                f"page {pages[k + 1].n or '?'} begins with \u201c{after[0]}\u201d, the word that "
                f"ends page {pages[k].n or '?'}: possibly repeated at the page break (kept as "
                "written)"
            )
    return out


def _anchor(
    notes_by_page: list[list[Footnote]], units: list[list[Unit]], st: DescribeState
) -> list[list[Footnote]]:
    """Anchor every footnote's reference; return the unanchored footnotes per page."""
    anchored: set[int] = set()
    per_page = []
    for notes, page_units in zip(notes_by_page, units, strict=True):
        paras = [u for u in page_units if u.kind == "p"]
        texts = [u.text for u in paras]
        numbers = [fn.n for fn in notes]
        anchors, ambiguous = strong_anchors(texts, numbers) if notes else ({}, {})
        anchored.update(notes[i].seq for i in anchors)
        for i, places in ambiguous.items():
            shown = "; ".join(_place(paras[a.unit], a) for a in places)
            st.warnings.append(
                f"footnote {notes[i].n}: its reference fits equally well at {len(places)} places "
                f"({shown}); not placed, check it"
            )
        per_page.append((notes, paras, texts, numbers, anchors, ambiguous))
    unanchored: list[list[Footnote]] = []
    for notes, paras, texts, numbers, anchors, ambiguous in per_page:
        if notes and len(anchors) < len(notes):
            outer = (notes[0].seq - 1 in anchored, notes[-1].seq + 1 in anchored)
            for i in weak_anchors(texts, numbers, anchors, outer, ambiguous):
                anchored.add(notes[i].seq)
                st.warnings.append(
                    f"footnote {notes[i].n}: reference accepted on weak evidence "
                    f"({_place(paras[anchors[i].unit], anchors[i])}); check it"
                )
        for i, a in anchors.items():
            paras[a.unit].anchors.append((a, notes[i]))
        unanchored.append([fn for i, fn in enumerate(notes) if i not in anchors])
    return unanchored


def _place(unit: Unit, a: Anchor) -> str:
    """Return ``line N: …context…`` for the digits of anchor ``a`` in paragraph ``unit``."""
    context = unit.text[max(0, a.start - 25) : a.end + 25].replace("\n", " ")
    line = unit.lineno + unit.text.count("\n", 0, a.start)
    return f"line {line}: \u2026{context}\u2026"
