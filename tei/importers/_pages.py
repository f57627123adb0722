"""Lines, page markers, pages and website boilerplate for the plain-text importer.

Page-marker conventions (``TextImportOptions.page_markers``):

``page-line``  a line ``page N`` (also ``Page N``, ``pg. N``) **ends** page N; the first page has
               no marker before it. Text after the last marker belongs to no page: it is website
               boilerplate when it looks like it (see below), otherwise an unmarked last page N+1.
``bracket``    ``[p. 12]``, ``[page 12]``, ``[pg. 12]``, ``[S. 12]`` **starts** page 12, on its own
               line or inside a line (the paragraph then continues across the page break).
``dash``       a line ``- 12 -`` (hyphen, en or em dash) **starts** page 12, as in typescripts.
``formfeed``   a form feed (U+000C) starts the next page; pages are numbered 1, 2, 3... Form feeds
               before any text, and at the very end, start no page (they separate nothing).
``none``       no pages.

With start markers, text before the first marker ``N`` is page N-1 (when N > 1).

``auto`` counts the markers of each convention: own-line ``page N`` lines, bracket markers anywhere,
own-line dash markers, form feeds. A numbered convention needs at least two markers whose numbers
rise by one from marker to marker at least half the time (``[p. 45]`` citations scattered through
a text do not; the refusal is reported), form feeds at least one; the convention with most
markers wins (ties in the order page-line, bracket, dash, formfeed); if none qualifies the text
has no pages.

Boilerplate (``drop_boilerplate``): a line is *chrome* when it has a copyright sign or word, ``All
rights reserved``, a Markdown image ``![...](...)``, a menu separator (`` | `` at either end, ``·``)
or a bare domain name (strong signs); a line of at most 60 characters without sentence-final
punctuation is weakly chrome (a menu item); a line of 80 characters or more that ends a sentence is
never chrome (``...the copyright of the translation belongs to the author.``). After the last ``page N`` marker, the trailing lines are
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


def marker_numbers(text: str) -> dict[str, list[int]]:
    """Return the page numbers of each convention's markers in the (line-normalised) text.

    Form feeds carry no number: each counts as 0.
    """
    found: dict[str, list[int]] = {"page-line": [], "bracket": [], "dash": []}
    found["bracket"] = [int(n) for n in BRACKET.findall(text)]
    for raw in text.split("\n"):
        line = raw.strip()
        if len(line) > 12:
            continue
        if m := PAGE_LINE.match(line):
            found["page-line"].append(int(m.group(1)))
        elif m := DASH.match(line):
            found["dash"].append(int(m.group(1)))
    found["formfeed"] = [0] * text.count("\f")
    return found


def rising(numbers: list[int]) -> bool:
    """Tell whether page numbers rise by one from marker to marker at least half the time."""
    steps = list(zip(numbers, numbers[1:], strict=False))
    return 2 * sum(1 for a, b in steps if b == a + 1) >= len(steps)


def detect_convention(found: dict[str, list[int]]) -> tuple[str, list[str]]:
    """Pick the page convention from the markers found (the rule in the module docstring).

    Return it, and a warning for each numbered convention refused because its numbers do not rise.
    """
    best, best_count, warnings = "none", 0, []
    for name in ("page-line", "bracket", "dash", "formfeed"):
        count = len(found[name])
        if count < (1 if name == "formfeed" else 2):
            continue
        if name != "formfeed" and not rising(found[name]):
            shown = ", ".join(map(str, found[name][:6])) + (", \u2026" if count > 6 else "")
            warnings.append(
                f"{count} {name} page markers found, but their numbers do not rise page by page "
                f"({shown}); not read as pages (choose the page-marker convention {name} to "
                "force it)"
            )
            continue
        if count > best_count:
            best, best_count = name, count
    return best, warnings


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
    if len(text) >= 80 and _SENTENCE_END.search(text):
        return 0  # a long sentence, even one saying "copyright": prose, not chrome
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
            if convention == "formfeed" and not pages and not any(x.text for x in current.lines):
                continue  # a form feed before any text: page 1 has not begun yet
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
