"""Paragraphs, headings and paragraphs continued across page breaks, for the plain-text importer.

Paragraphs (``TextImportOptions.paragraphs``): ``lines`` makes every non-blank line a paragraph;
``blank`` makes every run of non-blank lines one paragraph (its line breaks are kept). ``auto``
chooses ``blank`` when the text has blank lines between text, at least half of its blocks have two
or more lines, and those lines are short (median under 120 characters: hard-wrapped prose);
otherwise ``lines`` (a blank line then simply separates paragraphs).

Headings: ``# Title``, ``## Section``... (up to six ``#``) and a line underlined with ``===``
(level 1) or ``---`` (level 2), three characters or more. They become ``<head>`` in nested
``<div>``s; the marks are removed.

Continuation: the last paragraph of a page and the first of the next are one paragraph when the
page ended inside a line (inline page marker), or the first page's part ends with a hyphen glued to
a letter (``bo-``, word split: ``pb break="no"``), or the next part starts with a lower-case letter
(after opening quotes or brackets), or the first part lacks sentence-final punctuation (``.``,
``!``, ``?``, ``…``, possibly followed by closing quotes or brackets), a footnote reference at its
end not counting.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from tei.importers._notes import Anchor, Footnote
from tei.importers._pages import Line

ATX = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?$")
SETEXT = re.compile(r"^(?:={3,}|-{3,})$")
_CLOSED = re.compile(r"[.!?\u2026][\"'\u201d\u2019\u00bb)\]]*$")
_HYPHEN = re.compile(r"(?:[^\W\d_]-|\u00ad|\u00ac)$")
_OPENERS = "\"'\u201c\u2018\u00ab\u201e([ "


@dataclass
class Unit:
    """A paragraph or heading of one page, with the footnote references anchored in it."""

    kind: str  # "p" or "head"
    text: str
    lineno: int
    level: int = 0
    glue: bool = False
    anchors: list[tuple[Anchor, Footnote]] = field(default_factory=list)


@dataclass
class Join:
    """How the last paragraph of a page continues on the next page."""

    separator: str  # text put before the <pb/>: "\n" for a line break, "" for a hyphen or inline
    no_break: bool = False  # the break splits a word: pb break="no"
    reason: str = ""


def choose_mode(pages: list[list[Line]]) -> str:
    """Choose ``lines`` or ``blank`` paragraphs for the text (rule in the module docstring)."""
    blocks: list[list[str]] = []
    current: list[str] = []
    blank_between = pending_blank = False
    for lines in pages:
        for line in lines:
            text = line.text
            if not text or ATX.match(text) or SETEXT.match(text):
                if SETEXT.match(text) and current:
                    current.pop()  # the heading's text line
                if current:
                    blocks.append(current)
                    current = []
                pending_blank = pending_blank or (not text and bool(blocks))
                continue
            blank_between = blank_between or pending_blank
            current.append(text)
    if current:
        blocks.append(current)
    multi = [b for b in blocks if len(b) > 1]
    if not blank_between or not multi or 2 * len(multi) < len(blocks):
        return "lines"
    median = statistics.median(len(t) for b in multi for t in b)
    return "blank" if median < 120 else "lines"


def make_units(lines: list[Line], mode: str) -> list[Unit]:
    """Turn one page's lines (footnotes removed) into paragraphs and headings."""
    units: list[Unit] = []
    block: list[Line] = []

    def flush() -> None:
        if block:
            text = "\n".join(line.text for line in block)
            units.append(Unit("p", text, block[0].lineno, glue=block[-1].glue))
            block.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        text = line.text
        if not text:
            flush()
            i += 1
            continue
        if m := ATX.match(text):
            flush()
            units.append(Unit("head", m.group(2), line.lineno, level=len(m.group(1))))
            i += 1
            continue
        following = lines[i + 1].text if i + 1 < len(lines) else ""
        if SETEXT.match(following) and not SETEXT.match(text) and (mode == "lines" or not block):
            flush()
            level = 1 if following.startswith("=") else 2
            units.append(Unit("head", text, line.lineno, level=level))
            i += 2
            continue
        if mode == "lines":
            units.append(Unit("p", text, line.lineno, glue=line.glue))
        else:
            block.append(line)
        i += 1
    flush()
    for unit in units:
        if not unit.glue:
            continue
        if unit.kind == "head" or unit is not units[-1]:
            unit.glue = False
            unit.text = unit.text.strip()
    return units


def text_without_references(unit: Unit) -> str:
    """Return the paragraph text with its anchored reference digits removed, right-stripped."""
    parts, pos = [], 0
    for anchor, _ in sorted(unit.anchors, key=lambda a: a[0].start):
        parts.append(unit.text[pos : anchor.start])
        pos = anchor.end
    parts.append(unit.text[pos:])
    return "".join(parts).rstrip()


def continuation(prev: Unit, nxt: Unit) -> Join | None:
    """Tell whether paragraph ``prev`` (ending a page) continues in ``nxt`` (starting the next)."""
    if prev.kind != "p" or nxt.kind != "p":
        return None
    if prev.glue:
        return Join("", reason="page marker inside a line")
    body = text_without_references(prev)
    if _HYPHEN.search(body):
        return Join("", no_break=True, reason="hyphen")
    first = nxt.text.lstrip(_OPENERS)[:1]
    if first.islower():
        return Join("\n", reason="lower-case start")
    if not _CLOSED.search(body):
        return Join("\n", reason="no closing punctuation")
    return None
