"""Lines, page markers, pages and website boilerplate for the plain-text importer.

Page-marker conventions (``TextImportOptions.page_markers``):

``page-line``  a line ``page N`` (also ``Page N``, ``pg. N``) **ends** page N; the first page has
               no marker before it. Text after the last marker belongs to no page: it is website
               boilerplate when it looks like it (see below), otherwise an unmarked last page N+1.
``bracket``    ``[p. 12]``, ``[page 12]``, ``[pg. 12]``, ``[S. 12]`` **starts** page 12, on its own
               line or inside a line (the paragraph then continues across the page break).
``dash``       a line ``- 12 -`` (hyphen, en or em dash) **starts** page 12, as in typescripts.
``formfeed``   a form feed (U+000C) starts the next page; pages are numbered 1, 2, 3...
``none``       no pages.

With start markers, text before the first marker ``N`` is page N-1 (when N > 1).

``auto`` counts the markers of each convention: own-line ``page N`` lines, bracket markers anywhere,
own-line dash markers, form feeds. A numbered convention needs at least two markers, form feeds at
least one; the convention with most markers wins (ties in the order page-line, bracket, dash,
formfeed); if none qualifies the text has no pages.

Boilerplate (``drop_boilerplate``): a line is *chrome* when it has a copyright sign or word, ``All
rights reserved``, a Markdown image ``![...](...)``, a menu separator (`` | `` at either end, ``·``)
or a bare domain name (strong signs); a line of at most 60 characters without sentence-final
punctuation is weakly chrome (a menu item). After the last ``page N`` marker, the trailing lines are
dropped when they are all chrome; otherwise, and in the last page of the start-marker conventions,
the longest run of chrome lines at the very end is dropped if it contains a strong sign. Texts
without pages lose nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CONVENTIONS = ("page-line", "bracket", "dash", "formfeed", "none")

PAGE_LINE = re.compile(r"(?i)^(?:page|pg\.)\s*(\d{1,5})$")
BRACKET = re.compile(r"(?i)\[(?:p|pg|page|s)\.?\s*(\d{1,5})\]")
DASH = re.compile(r"^[-\u2013\u2014]\s*(\d{1,5})\s*[-\u2013\u2014]$")

_STRONG_CHROME = re.compile(
    r"(?i)\u00a9|\(c\)\s*\d{4}|copyright|all rights reserved|!\[[^\]]*\]\([^)]*\)"
    r"|^\||\|$|\s\u00b7\s|\b[a-z0-9-]+\.(?:com|org|net|info|ru|cn|de|fr|uk)\b"
)
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019\u00bb)\]]*$")


@dataclass
class Line:
    """One line (or the part of a line between inline page markers) of the input text."""

    text: str
    lineno: int
    marker: str | None = None  # the page number when this line is a page marker
    glue: bool = False  # an inline page marker follows: the next line continues this one


@dataclass
class Page:
    """The lines of one page; ``n`` is None for text outside any numbered page."""

    n: str | None
    lines: list[Line] = field(default_factory=list)


def count_markers(text: str) -> dict[str, int]:
    """Count the markers of each page convention in the (line-normalised) text."""
    counts = {"page-line": 0, "bracket": 0, "dash": 0, "formfeed": text.count("\f")}
    counts["bracket"] = len(BRACKET.findall(text))
    for raw in text.split("\n"):
        line = raw.strip()
        if len(line) > 12:
            continue
        if PAGE_LINE.match(line):
            counts["page-line"] += 1
        elif DASH.match(line):
            counts["dash"] += 1
    return counts


def detect_convention(counts: dict[str, int]) -> str:
    """Pick the page convention from marker counts (the rule in the module docstring)."""
    best, best_count = "none", 0
    for name in ("page-line", "bracket", "dash", "formfeed"):
        needed = 1 if name == "formfeed" else 2
        if counts[name] >= needed and counts[name] > best_count:
            best, best_count = name, counts[name]
    return best


def split_lines(text: str, convention: str) -> list[Line]:
    """Split normalised text into stripped lines, turning page markers into marker lines."""
    lines: list[Line] = []
    for index, raw in enumerate(text.split("\n"), start=1):
        if convention == "formfeed" and "\f" in raw:
            parts = raw.split("\f")
            for k, part in enumerate(parts):
                if k:
                    lines.append(Line("", index, marker=""))
                lines.append(Line(part.strip(), index))
            continue
        line = raw.strip()
        if convention == "page-line" and len(line) <= 12 and (m := PAGE_LINE.match(line)):
            lines.append(Line("", index, marker=m.group(1)))
        elif convention == "dash" and len(line) <= 12 and (m := DASH.match(line)):
            lines.append(Line("", index, marker=m.group(1)))
        elif convention == "bracket" and "[" in line:
            lines.extend(_split_brackets(line, index))
        else:
            lines.append(Line(line, index))
    return lines


def _split_brackets(line: str, index: int) -> list[Line]:
    matches = list(BRACKET.finditer(line))
    if not matches:
        return [Line(line, index)]
    out: list[Line] = []
    pos = 0
    for m in matches:
        before = line[pos : m.start()]
        if before.strip():
            rest = line[m.end() :]
            # Keep the whitespace at the break: the text around an inline marker is kept as written.
            glue = bool(rest.strip())
            text = before if pos else before.lstrip()
            out.append(Line(text if glue else text.rstrip(), index, glue=glue))
        out.append(Line("", index, marker=m.group(1)))
        pos = m.end()
    after = line[pos:]
    if after.strip():
        glued = bool(out) and len(out) >= 2 and out[-2].glue
        out.append(Line(after.rstrip() if glued else after.strip(), index))
    return out


def is_chrome(text: str) -> int:
    """Return 2 for a line with a strong sign of website chrome, 1 for a menu-like line, else 0."""
    if _STRONG_CHROME.search(text):
        return 2
    if len(text) <= 60 and not _SENTENCE_END.search(text):
        return 1
    return 0


def _chrome_suffix(lines: list[Line]) -> int:
    """Return the index where the trailing run of chrome lines starts (len when there is none)."""
    start, strong = len(lines), False
    for i in range(len(lines) - 1, -1, -1):
        if not lines[i].text:
            continue
        kind = is_chrome(lines[i].text)
        if not kind:
            break
        strong = strong or kind == 2
        start = i
    return start if strong else len(lines)


def _first_number(lines: list[Line]) -> int | None:
    for line in lines:
        if line.marker:
            return int(line.marker)
    return None


def split_pages(
    lines: list[Line], convention: str, drop_boilerplate: bool
) -> tuple[list[Page], list[Line], list[str]]:
    """Group lines into pages; return ``(pages, dropped boilerplate lines, warnings)``."""
    warnings: list[str] = []
    dropped: list[Line] = []
    pages: list[Page] = []
    if convention == "page-line":
        current = Page(None)
        for line in lines:
            if line.marker is None:
                current.lines.append(line)
                continue
            current.n = line.marker
            pages.append(current)
            current = Page(None)
        tail = current.lines
        if drop_boilerplate and any(line.text for line in tail):
            content = [line for line in tail if line.text]
            cut = 0 if all(is_chrome(line.text) for line in content) else _chrome_suffix(tail)
            dropped, tail = tail[cut:], tail[:cut]
        if any(line.text for line in tail):
            last = int(pages[-1].n) if pages and pages[-1].n else 0
            pages.append(Page(str(last + 1), tail))
            warnings.append(
                f"text after the last page marker (line {tail[0].lineno} on) is not website "
                f"boilerplate; it was kept as an unmarked page {last + 1}"
            )
    elif convention == "none":
        pages.append(Page(None, list(lines)))
    else:
        first = _first_number(lines)
        number = 0
        if convention == "formfeed":
            current = Page("1")
            number = 1
        elif first is not None and first > 1:
            current = Page(str(first - 1))
        else:
            current = Page(None)
        for line in lines:
            if line.marker is None:
                current.lines.append(line)
                continue
            pages.append(current)
            if convention == "formfeed":
                number += 1
                current = Page(str(number))
            else:
                current = Page(line.marker)
        pages.append(current)
        if convention == "formfeed" and not any(line.text for line in pages[-1].lines):
            pages.pop()  # a form feed at the very end ends the last page, it starts none
        if drop_boilerplate and pages:
            last_lines = pages[-1].lines
            cut = _chrome_suffix(last_lines)
            dropped, pages[-1].lines = last_lines[cut:], last_lines[:cut]
        if pages and pages[0].n is None and not any(line.text for line in pages[0].lines):
            pages.pop(0)
    warnings.extend(_numbering_warnings(pages, convention))
    return pages, [line for line in dropped if line.text], warnings


def _numbering_warnings(pages: list[Page], convention: str) -> list[str]:
    if convention in ("none", "formfeed"):
        return []
    out: list[str] = []
    previous: int | None = None
    for page in pages:
        if page.n is None:
            continue
        n = int(page.n)
        if previous is not None and n != previous + 1:
            out.append(f"page numbers jump from {previous} to {n}")
        previous = n
    return out
