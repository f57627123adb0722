"""Footnotes of the plain-text importer: the notes at the end of each page and their references.

Footnote lines: a page's footnotes are the run of lines ``N citation`` (also ``N. citation``) that
ends the page (blank lines between them are ignored). The numbers must rise by one; the first must
continue the numbering of the previous pages (a gap of up to five is accepted, with a warning) or
restart at 1 (footnotes numbered per page). Lines before that run stay text. The run is taken as
footnotes when it continues numbering begun on earlier pages, or when at least one of its
references is found in the page's text (as a strong candidate, below), or when it starts the
numbering (at 1) or restarts it and at least half of its lines look like citations (a year
1000-2099, ``p.``/``pp.``/``S.``/``с.`` and a number, ``Ibid``, ``op. cit.``, ``vol.``, ``cf.``,
``see``). Otherwise the lines stay text and the report says so (a numbered list ending a text,
``3 divisions crossed the river.`` ending a page).

Footnote lines copied from a web page (Wikipedia, a CMS) are written ``[N] citation`` or
``^N citation``; their references ``[N]``, ``word [N]`` or ``^N`` are always strong (the mark and
the spaces before it are replaced by the note). The heading above such a list (``References``,
``Notes``…, :data:`NOTES_HEADING`) is dropped once its notes have moved to their references.

References are bare numbers in the page's paragraphs, often glued to a word, a year or punctuation.
Every digit run that equals an expected footnote number (or is a four-digit year 1000-2099 followed
by it, as ``193310`` = 1933 + note 10) is a candidate, and its context is scored:

* refused outright: a letter right after (``8th``), a decimal or thousands part (``1.5``,
  ``3,665``; ``.5``/``,17`` glued to a year such as ``1927.5`` are accepted), ``%``/``°`` after,
  a currency or number sign before (``$ 500``, ``N 3``, ``p. 12``), a range or code (``1899-1901``,
  ``ZIS-5``, ``1.5 - 2``), an opening bracket before;
* before: glued to a letter (``recover14``) or to closing punctuation (``oppressors .7``,
  ``1924.3``) +3 (+1 for a capital letter, ``B52``); the suffix of a glued year +2; after a space
  following a closing quote (``." 1``) +2, following other punctuation or a word +1;
* after: end of paragraph or punctuation (``autonomy 2 .``, ``recover14,``) +3, but only +1 when
  the number stands alone with the punctuation glued after it (``lost 3.``, ``pilots 2,``: prose);
  a space and a capitalised word (a new sentence) +1; a lower-case word (``20 days``) 0.

Candidates scoring 3 or more are *strong*. Among them the importer picks, page by page, the set of
positions that keeps the footnote order (each reference after the previous one) with the highest
total score; a real number cannot take a note's place unless it out-scores the true reference.
When another strong candidate for the same note, scoring as high, also fits between the
neighbouring references, the place is *ambiguous*: the note is not placed (nor guessed on weak
evidence) and the import report names both places.
A *weak* candidate (a number between two words, ``delivered 26 military``) is used only when it
is the only one between the anchored references of the previous and the next footnote and the word
before it is not a determiner, preposition or auxiliary (``the 3 divisions``, ``had 12 stations``);
it is reported as a warning. Superscript digits (``word¹²``) are always strong.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass

FOOTNOTE_LINE = re.compile(r"^(?:\[(\d{1,5})\]\s*|\^(\d{1,5})\s*|(\d{1,5})\.?\s+)(\S.*)$")
#: A reference marked as on the web: ``[12]`` or ``^12`` (spaces before it belong to the mark).
_MARKED = re.compile(r"[ \t]*(?:\[(\d{1,5})\]|\^(\d{1,5}))")
#: The heading of a web page's note list (left empty once the notes move to their references).
NOTES_HEADING = re.compile(
    r"(?i)^(?:#{1,6}\s*)?(?:references|notes|footnotes|endnotes|citations|sources|notes and "
    r"references|references and notes|примечания|сноски|ссылки|anmerkungen|einzelnachweise|"
    r"fußnoten|références|notes et références)\s*:?$"
)
_DIGITS = re.compile(r"\d+|[\u2070\u00b9\u00b2\u00b3\u2074-\u2079]+")
_SUPERSCRIPT = str.maketrans(
    "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079", "0123456789"
)
_REFUSE_BEFORE = re.compile(
    r"(?:[$\u20ac\u00a3\u00a5\u20bd\u2116#\u00a7]\s?"
    r"|\b(?:pp?|vols?|[Nn]o|N|[Nn]r|ch|[Ff]ig|[Aa]rt|pt|sec)\.?\s?"
    r"|\d\s?[-\u2013\u2014/:]\s?|[-\u2013\u2014/]|[(\[{])$"
)
_DECIMAL_AFTER = re.compile(r"[.,:]\d")
_YEAR_PUNCT = re.compile(r"(\d+)[.,]$")
_CLOSING = ".,;:!?)]\"'\u201d\u2019\u00bb\u2026"
_QUOTES = "\"'\u201d\u2019\u00bb"
STOPWORDS = frozenset(
    "a an the of to in on at by for from with about over under than some only nearly almost "
    "approximately around up had has have was were is are be been and or all these those its "
    "their his her our my your each every per between another first last next total numbered "
    "some any no".split()
)
_CITATION = re.compile(
    r"(?i)\b1\d{3}\b|\b20\d{2}\b|\b(?:pp?|s|с|vol|vols|t|т)\.\s*\d|\bibid\b|\bop\.\s*cit\b"
    r"|\bcf\.|\bsee\b|там же"
)
GAP = 5
STRONG = 3


@dataclass
class Footnote:
    """A footnote found at the end of a page."""

    n: int
    text: str
    seq: int  # 1, 2, 3... over the whole document (makes the xml:id)
    lineno: int
    page: int  # index of the page it belongs to


@dataclass
class Anchor:
    """Where a footnote's reference was found: digits ``start:end`` of paragraph ``unit``."""

    unit: int
    start: int
    end: int
    score: int

    @property
    def key(self) -> tuple[int, int]:
        """Return the sort key (paragraph, offset)."""
        return (self.unit, self.start)


def take_footnotes(
    texts: list[str], expected: int
) -> tuple[int, list[tuple[int, str]], str | None]:
    """Find the footnote run ending a page's lines; return (first index, [(n, text)], warning)."""
    run: list[tuple[int, int, str]] = []  # (line index, n, text), last line first
    for i in range(len(texts) - 1, -1, -1):
        if not texts[i]:
            continue
        m = FOOTNOTE_LINE.match(texts[i])
        if not m:
            break
        run.append((i, int(m.group(1) or m.group(2) or m.group(3)), m.group(4)))
    run.reverse()
    if not run:
        return len(texts), [], None
    start = len(run) - 1  # the longest rising-by-one tail of the run
    while start > 0 and run[start - 1][1] == run[start][1] - 1:
        start -= 1
    for k in range(start, len(run)):
        first = run[k][1]
        if first == expected or first == 1 or expected < first <= expected + GAP:
            warning = None
            if first != expected:
                warning = (
                    f"footnote numbering restarts at 1 (expected {expected})"
                    if first == 1
                    else f"footnote numbering jumps from {expected - 1} to {first}"
                )
            return run[k][0], [(n, text) for _, n, text in run[k:]], warning
    return len(texts), [], None


def looks_like_citation(text: str) -> bool:
    """Tell whether a footnote line's text looks like a citation (a year, a page, Ibid...)."""
    return bool(_CITATION.search(text))


def _score(text: str, start: int, end: int, year_suffix: bool) -> int:
    """Score how much the digits ``text[start:end]`` look like a reference (0 = refused)."""
    before, after = text[max(0, start - 16) : start], text[end : end + 16]
    at_end = end + 16 >= len(text)
    nxt = after[:1]
    if nxt.isalpha() or (nxt and nxt in "%\u00b0\u2030") or _DECIMAL_AFTER.match(after):
        return 0
    if year_suffix:
        score = 2
    else:
        if _REFUSE_BEFORE.search(before):
            return 0
        prev = before[-1:]
        if not prev:
            score = 0
        elif prev.isalpha():
            score = 1 if prev.isupper() else 3
        elif prev in _CLOSING:
            m = _YEAR_PUNCT.search(before)
            if m and not (len(m.group(1)) == 4 and 1000 <= int(m.group(1)) <= 2099):
                return 0  # 1.5, 3,665: a decimal or thousands part
            score = 3
        elif prev.isspace():
            core = before.rstrip()
            score = 2 if core[-1:] in _QUOTES else (1 if core or start > 16 else 0)
        else:
            return 0
    stripped = after.lstrip()
    if not stripped and at_end:
        score += 3
    elif stripped and stripped[0] in _CLOSING:
        # ``lost 3.``, ``pilots 2,``: a number standing alone with punctuation glued after it is
        # ordinary prose; ``autonomy 2 .``, ``recover14,`` and ``1924.3`` are references.
        score += 1 if after[:1] == stripped[:1] and before[-1:].isspace() else 3
    elif stripped and after[:1].isspace() and stripped[0].isupper():
        score += 1
    return score


def _is_weak_shape(text: str, start: int, end: int) -> bool:
    """Tell whether the digits stand between two words or open a sentence after a full stop.

    ``delivered 26 military`` (not after a determiner, preposition or auxiliary) and
    ``bribery. 11 In addition`` are such shapes; so is ``people. 200 Soviet pilots``, which is why
    weak candidates are only used between anchored neighbours.
    """
    before, after = text[max(0, start - 40) : start], text[end : end + 3]
    if re.search(r"[.!?\u2026] $", before) and re.match(r" [^\W\d_]", after):
        return after[1].isupper()
    m = re.search(r"(\w+) $", before)
    if not m or not re.match(r" [^\W\d_]", after):
        return False
    return m.group(1).lower() not in STOPWORDS and not m.group(1).isdigit()


def candidates(
    texts: list[str], wanted: dict[str, int]
) -> Iterator[tuple[int, int, int, int, int]]:
    """Yield candidates ``(unit, start, end, note index, score)`` for the wanted numbers.

    Refused digits (score 0) are not candidates. A reference marked as on the web (``[12]``,
    ``text [12]``, ``^12``) is always strong; its mark and the spaces before it are its span.
    """
    for u, text in enumerate(texts):
        marked = set()
        for m in _MARKED.finditer(text):
            note = wanted.get(m.group(1) or m.group(2))
            if note is not None:
                marked.add(m.span(1) if m.group(1) else m.span(2))
                yield (u, m.start(), m.end(), note, 6)
        for m in _DIGITS.finditer(text):
            if m.span() in marked:
                continue
            digits = m.group()
            start, end = m.span()
            if not digits.isdigit() or not digits.isascii():
                note = wanted.get(digits.translate(_SUPERSCRIPT))
                if note is not None:
                    yield (u, start, end, note, 6)
                continue
            note = wanted.get(digits)
            if note is not None and (score := _score(text, start, end, False)):
                yield (u, start, end, note, score)
            if len(digits) > 4 and 1000 <= int(digits[:4]) <= 2099:
                note = wanted.get(digits[4:])
                if note is not None and digits[4] != "0":
                    if score := _score(text, start + 4, end, True):
                        yield (u, start + 4, end, note, score)


def has_strong_candidate(texts: list[str], numbers: list[int]) -> bool:
    """Tell whether any of the footnote ``numbers`` has a strong candidate in ``texts``."""
    wanted = {str(n): i for i, n in enumerate(numbers)}
    return any(c[4] >= STRONG for c in candidates(texts, wanted))


def strong_anchors(
    texts: list[str], numbers: list[int]
) -> tuple[dict[int, Anchor], dict[int, list[Anchor]]]:
    """Anchor a page's footnotes (numbers in order) on strong candidates in its paragraph texts.

    Return the anchors by note index, and the notes left out because two or more places fit
    equally well (each with those places).
    """
    wanted = {str(n): i for i, n in enumerate(numbers)}
    strong = [c for c in candidates(texts, wanted) if c[4] >= STRONG]
    strong.sort(key=lambda c: (c[0], c[1], c[3]))
    chain = _best_chain(strong, len(numbers))
    anchors = {c[3]: Anchor(c[0], c[1], c[2], c[4]) for c in chain}
    by_note: dict[int, list[tuple[int, int, int, int, int]]] = {}
    for c in strong:
        by_note.setdefault(c[3], []).append(c)
    ambiguous: dict[int, list[Anchor]] = {}
    for k, chosen in enumerate(chain):
        low = chain[k - 1][:2] if k else (-1, -1)
        high = chain[k + 1][:2] if k + 1 < len(chain) else (len(texts), 0)
        rivals = [
            Anchor(c[0], c[1], c[2], c[4])
            for c in by_note[chosen[3]]
            if c[4] >= chosen[4] and c[:2] != chosen[:2] and low < c[:2] < high
        ]
        if rivals:
            ambiguous[chosen[3]] = sorted([anchors.pop(chosen[3]), *rivals], key=lambda a: a.key)
    return anchors, ambiguous


def weak_anchors(
    texts: list[str],
    numbers: list[int],
    anchors: dict[int, Anchor],
    outer: tuple[bool, bool],
    exclude: Collection[int] = (),
) -> list[int]:
    """Add weak anchors to ``anchors`` where the rule allows it; return the note indexes added.

    ``outer`` tells whether the footnotes just before and just after this page's are anchored
    (on other pages); they then bound the search at the page's start or end. Notes in
    ``exclude`` (those with an ambiguous strong place) are left alone.
    """
    wanted = {str(n): i for i, n in enumerate(numbers)}
    weak: dict[int, list[tuple[int, int, int, int, int]]] = {}
    for c in candidates(texts, wanted):
        if c[3] in anchors or c[3] in exclude or c[4] >= STRONG:
            continue
        if _is_weak_shape(texts[c[0]], c[1], c[2]):
            weak.setdefault(c[3], []).append(c)
    added: list[int] = []
    for i in sorted(weak):
        low_ok = i - 1 in anchors if i > 0 else outer[0]
        high_ok = i + 1 in anchors if i + 1 < len(numbers) else outer[1]
        if not (low_ok and high_ok):
            continue
        low = anchors[i - 1].key if i > 0 else (-1, -1)
        high = anchors[i + 1].key if i + 1 < len(numbers) else (len(texts), 0)
        between = [c for c in weak[i] if low < (c[0], c[1]) < high]
        if len(between) == 1:
            c = between[0]
            anchors[i] = Anchor(c[0], c[1], c[2], c[4])
            added.append(i)
    return added


def _best_chain(
    cands: list[tuple[int, int, int, int, int]], size: int
) -> list[tuple[int, int, int, int, int]]:
    """Pick candidates with rising note index and rising position maximising the total score."""
    if not cands:
        return []
    # tree[i] holds the best (total, candidate id) among chains ending with a note index <= i.
    tree: list[tuple[int, int]] = [(0, -1)] * (size + 1)
    best_total = [0] * len(cands)
    parent = [-1] * len(cands)

    def query(i: int) -> tuple[int, int]:
        res = (0, -1)
        while i > 0:
            if tree[i][0] > res[0]:
                res = tree[i]
            i -= i & -i
        return res

    def update(i: int, value: tuple[int, int]) -> None:
        while i <= size:
            if value[0] > tree[i][0]:
                tree[i] = value
            i += i & -i

    k = 0
    while k < len(cands):
        group_end = k
        while group_end < len(cands) and cands[group_end][:2] == cands[k][:2]:
            group_end += 1
        for j in range(k, group_end):  # same position: none may extend another
            total, prev = query(cands[j][3])  # chains ending with a smaller note index
            best_total[j], parent[j] = total + cands[j][4], prev
        for j in range(k, group_end):
            update(cands[j][3] + 1, (best_total[j], j))
        k = group_end
    end = max(range(len(cands)), key=lambda j: (best_total[j], -j))
    chain = []
    while end != -1:
        chain.append(cands[end])
        end = parent[end]
    return chain[::-1]
