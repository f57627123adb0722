"""A document's own footnotes become sources: parse each citation, resolve "Ibid." and "op. cit.",
and store the sources as ``<biblStruct>``s in Glossator's ``listBibl`` that point back at their
notes (the notes themselves are never rewritten).

A citation is read by a small grammar, one regular expression per part, tried from the outside
in: a lead-in ("See:", "For more details, see:"; "Cit. by:" marks an indirect citation), "Ibid.",
a trailing remark ("et al."), the locator ("p. 45", "pp. 54-55", "p. 49 sl.", ", 45" after an
English imprint), the authors ("Chuikov V. I.", "Achkasov V. I., Yuryev M. F.", "Smith, J.",
"J. R. Smith,"), "op. cit." / "Uk. soch.", a volume ("vol. 2", "T. 3"), then the rest: a journal
article ("Title // Journal. 1960. No. 3", "Title. - Voprosy istorii, 1983, N 9"), a newspaper or
magazine issue ("Xinjiang Daily, 21. V. 1938", "China at War, April 1940, N 3"), or a book
("Title, Moscow, 1981", "Title. M.: Nauka, 1981", "Title (London: Faber, 1970)", "Title. 1970").
A citation with no place or year is a short title: it is the earlier source by the same authors
whose title (or its bracketed translation) begins with it, else a source of its own.

The result is a :class:`FootnoteTable` (per note: its source or why it could not be parsed, and
its locator); :func:`store_sources` writes it. The XML is documented in
``docs/standoff-format.md`` ("Sources made from the footnotes").
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from . import bibliography, ns
from .annotations import check_xml_text

log = logging.getLogger(__name__)

#: ``relatedItem/@type`` of a source's link back to a note that cites it.
CITED_IN = "cited-in"
_RELATED = ns.qn("relatedItem")
_NOTE = ns.qn("note")
_SKIPPED = {ns.qn("teiHeader"), ns.qn("standOff")}

# -- the grammar: one pattern per part ------------------------------------------------------------
_UP, _LOW = "A-ZА-ЯЁ", "a-zа-яё"
_INITIAL = rf"(?!Op\.\s?cit|Uk\.\s?soch|Ук\.\s?соч)[{_UP}][{_LOW}]?\."  # V.  Yu.  Sh.
_INITIALS = rf"{_INITIAL}(?:\s?-?\s?{_INITIAL}){{0,2}}"  # V. I.  A.M.  J.-P.
_NOT_NAME = r"(?!(?:In|On|At|As|An|And|Or|Of|For|To|By|The|See|Wie|Die|Der|Das|Im|Vgl)\b)"
_SURNAME = rf"{_NOT_NAME}[{_UP}][{_LOW}'’]+(?:-[{_UP}][{_LOW}'’]+)?"  # Chudodeev, Ter-Petrosyan
_RU_AUTHOR = rf"(?:{_SURNAME})\s+(?:{_INITIALS})"  # Chuikov V. I.
_YEAR = r"(?:1[4-9]\d\d|20\d\d)"
_YEAR_G = rf"(?P<year>{_YEAR})(?:\s*gg?\.|\s*гг?\.)?"
_PAGE = r"[\dIVXLCivxlc]+(?:\s*[-–—]\s*[\dIVXLCivxlc]+)?"
_PAGES = rf"{_PAGE}(?:\s*,\s*{_PAGE})*"
_PLACE1 = rf"(?:[{_UP}][A-Za-zА-Яа-яЁё]{{0,2}}\.(?:\s?[{_UP}]\.)*|St\.\s[{_UP}][{_LOW}]+|[{_UP}][{_LOW}]+(?:[\s-][{_UP}][{_LOW}]+)*)"
_PLACE = rf"{_PLACE1}(?:\s*[;–—]\s*{_PLACE1})*"  # M.; L.
_ISSUE = r"(?:N|No\.?|№|Nr\.)\s*(?P<issue>\d+(?:[-–/]\d+)?)"
_MONTHS = ("january february march april may june july august september october november "
           "december").split()  # fmt: skip

LEAD_SEE = re.compile(
    r"^(?:[^:]{0,80}?\b(?:see|cf)\b[^:]{0,40}:\s*|(?:see(?:\s+also)?|cf\.|vgl\.|siehe|см\.|voir)\s+)", re.I
)
LEAD_CIT_BY = re.compile(
    r"^(?:cit(?:ed)?\.?\s*(?:by|from|in|after)|quoted\s+(?:by|in|from)|цит\.\s*по)\s*:?\s*", re.I
)
IBID = re.compile(r"^(?:ibid(?:em)?|ib\.|idem|там\s+же)\.?\s*(?:[,.:]\s*(?P<rest>.*))?$", re.I)
REMARK = re.compile(r"[,;]?\s*(?P<remark>et\s+al\.?|etc\.?|и\s+др\.?)$", re.I)
LOCATOR = re.compile(
    rf"(?:[.,:]\s*|\s+)(?P<loc>(?:pp?|Pp|P|S|С|c|стр|ss)\.\s*(?P<pages>{_PAGES})"
    r"(?:\s*(?:sl|ff?|et\s+seq|сл)\.?)?)$"
)
EN_LOCATOR = re.compile(rf"\)\s*,\s*(?P<loc>(?P<pages>{_PAGES}))$")  # (London: X, 1970), 45
_TITLE_START = rf"[^{_LOW}\s]"  # a title does not start with a small letter: "Only M.G.T. reads …"
AUTHORS_RU = re.compile(
    rf"^(?P<authors>{_RU_AUTHOR}(?:\s*,\s*{_RU_AUTHOR})*)(?:\s*,)?\s+(?P<rest>{_TITLE_START}.*)$"
)
AUTHOR_INVERTED = re.compile(
    rf"^(?P<family>{_SURNAME}),\s+(?P<given>{_INITIALS}|[{_UP}][{_LOW}]+(?:\s{_INITIAL})?)\.?\s+(?P<rest>{_TITLE_START}.*)$"
)
AUTHOR_EN_NOTE = re.compile(  # J. R. Smith, Title (Place: Publisher, 1970)
    rf"^(?P<given>(?:{_INITIAL}\s?)+|[{_UP}][{_LOW}]+(?:\s{_INITIAL})?)\s(?P<family>{_SURNAME}),\s+(?P<rest>.*\(.*\).*)$"
)
AUTHOR_EAST_ASIAN = re.compile(  # Pyn Min. Title  (family name first, no initials)
    rf"^(?P<family>[{_UP}][{_LOW}]{{1,5}})\s(?P<given>[{_UP}][{_LOW}]{{1,7}}(?:-[{_LOW}]+)?)\.\s+(?P<rest>[{_UP}].*)$"
)
OP_CIT = re.compile(r"^(?:op\.?\s*cit|uk\.?\s*soch|ук\.\s*соч|loc\.\s*cit|cit\.\s*op)\.?$", re.I)
VOLUME = re.compile(r"(?:^|[.,]\s*)(?:[Vv]ol|[Tt]|Т|Bd)\.\s*(?P<volume>\d+|[IVXLC]+)(?=$|[.,])")
ARTICLE_SLASH = re.compile(r"^(?P<title>.+?)\s*//\s*(?P<container>.+)$")
ARTICLE_DASH = re.compile(r"^(?P<title>.+?)[.,]?\s+[-–—]\s+(?P<container>[^-–—]+)$")
CONTAINER = re.compile(
    rf"^(?P<container>.+?)[.,]\s+{_YEAR_G}"
    r"(?:[.,]\s*(?:Vol\.|T\.|Т\.)\s*(?P<volume>\d+))?"
    rf"(?:[.,]\s*{_ISSUE})?$"
)
NEWSPAPER = re.compile(
    rf"^(?P<container>.+?),\s*(?P<day>\d{{1,2}})\.\s*(?P<month>[IVX]+)\.\s*(?P<year>{_YEAR})$"
)
MAGAZINE = re.compile(
    rf"^(?P<container>.+?),\s*(?P<month>{'|'.join(_MONTHS)})\s+(?P<year>{_YEAR})"
    rf"(?:,\s*{_ISSUE})?$", re.I,
)  # fmt: skip
BOOK_PAREN = re.compile(
    rf"^(?P<title>.+?)\s*\((?P<place>[^:()]+?):\s*(?P<publisher>[^,()]+),\s*{_YEAR_G}\)$"
)
BOOK = re.compile(
    rf"^(?P<title>.+?)[.,]\s+(?P<place>{_PLACE})(?:\s*:\s*(?P<publisher>[^,]+?))?[.,]?\s+{_YEAR_G}$"
)
BOOK_YEAR = re.compile(rf"^(?P<title>.+?)[.,]\s+{_YEAR_G}$")
TRANSLATION = re.compile(r"^(?P<main>.*?)\s*\[(?P<tr>[^\]]+)\]\s*$")
#: A citation without place or year whose title (its bracketed translation aside) has more words
#: than this is taken for prose ("As mentioned on p. 180 of this volume, …"), not a short title.
_LONGEST_TITLE = 14
#: A note longer than this (characters) is not read as a citation (and no pattern runs long).
LONGEST_CITATION = 600
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9,
          "X": 10, "XI": 11, "XII": 12}  # fmt: skip


@dataclass
class Parsed:
    """What one citation says, before "Ibid." and short titles are resolved."""

    kind: str  # "full" | "short" | "ibid" | "op-cit" | "unparsed"
    item: dict[str, Any] = field(default_factory=dict)  # CSL-JSON-like fields
    locator: str = ""
    indirect: bool = False  # "Cit. by:" — the citation is taken from the source
    remark: str = ""  # "et al."
    reason: str = ""  # why it could not be parsed


@dataclass
class Citation:
    """One footnote: its source (an index into ``FootnoteTable.sources``) or why it has none."""

    note: etree._Element = field(repr=False)
    n: str
    text: str
    source: int | None
    locator: str = ""
    how: str = ""  # "full", "ibid", "op. cit.", "short title", "new (no place or year)"
    indirect: bool = False
    reason: str = ""
    part: int = 0  # 1, 2, … when the note cites several sources ("…; Ibid., p. 3"), else 0

    @property
    def label(self) -> str:
        """Return the note's number, and which of its citations this is when it has several."""
        return f"{self.n}.{self.part}" if self.part else self.n

    @property
    def parsed(self) -> bool:
        """Tell whether the note was given a source."""
        return self.source is not None


@dataclass
class DerivedSource:
    """A source made from the footnotes: CSL-JSON-like fields and the citations of it."""

    item: dict[str, Any]
    citations: list[Citation] = field(default_factory=list)


@dataclass
class FootnoteTable:
    """Every footnote with its source or why it could not be parsed."""

    citations: list[Citation]
    sources: list[DerivedSource]

    @property
    def unparsed(self) -> list[Citation]:
        """Return the notes that could not be parsed (for the user to complete)."""
        return [c for c in self.citations if not c.parsed]

    def rows(self) -> list[tuple[str, str, str]]:
        """Return (note n, source or 'could not parse: …', locator) per note, for printing."""
        out = []
        for c in self.citations:
            if c.source is None:
                out.append((c.label, f"could not parse: {c.reason}", ""))
            else:
                via = "" if c.how == "full" else f"  ({c.how})"
                text = format_item(self.sources[c.source].item) + via
                out.append((c.label, text, c.locator + (" [cited by]" if c.indirect else "")))
        return out

    def format_text(self) -> str:
        """Return the table as lines of text, then a summary line."""
        rows = self.rows()
        width = max((len(n) for n, _, _ in rows), default=1)
        lines = [f"{n:>{width}}  {src}" + (f"  — {loc}" if loc else "") for n, src, loc in rows]
        lines.append(f"{len(self.citations) - len(self.unparsed)} of {len(self.citations)} "
                     f"footnotes parsed into {len(self.sources)} sources; "
                     f"{len(self.unparsed)} could not be parsed")  # fmt: skip
        return "\n".join(lines)


# -- parsing one citation --------------------------------------------------------------------------
def _clean(text: str) -> str:
    text = " ".join(text.replace("\u00a0", " ").split())
    text = re.sub(r"\s+([,.;:])", r"\1", text)  # "[History] , pp." -> "[History], pp."
    return text.strip().rstrip(".").strip()


def _person(family: str, given: str) -> dict[str, str]:
    given = re.sub(r"\.(?=[A-ZА-ЯЁ])", ". ", given.strip())  # A.M. -> A. M.
    return {"family": family.strip(), "given": given}


def _split_ru_authors(text: str) -> list[dict[str, str]]:
    out = []
    for m in re.finditer(rf"(?P<family>{_SURNAME})\s+(?P<given>{_INITIALS})", text):
        out.append(_person(m["family"], m["given"]))
    return out


def parse_citation(text: str) -> Parsed:
    """Parse one citation (a footnote's text) into fields, locator and kind; see the module doc."""
    rest = _clean(text)
    if not rest:
        return Parsed("unparsed", reason="the note is empty")
    if len(rest) > LONGEST_CITATION:
        return Parsed("unparsed", reason=f"too long for a citation ({len(rest)} characters)")
    indirect = False
    m = LEAD_CIT_BY.match(rest)
    if m:
        indirect, rest = True, rest[m.end():]
    else:
        m = LEAD_SEE.match(rest)
        if m and rest[m.end():]:
            rest = rest[m.end():]
    remark = ""
    m = REMARK.search(rest)
    if m and m.start() > 0:
        remark, rest = m["remark"], rest[: m.start()].rstrip(" ,.")
    m = IBID.match(rest)
    if m:
        locator = (m["rest"] or "").strip(" ,.")
        locator += "." if re.search(r"\b(?:sl|ff?|сл|seq)$", locator) else ""
        return Parsed("ibid", locator=locator, indirect=indirect, remark=remark)
    locator = ""
    m = LOCATOR.search(rest) or EN_LOCATOR.search(rest)
    if m:
        locator = re.sub(r"\s*([-–—])\s*", r"\1", m["loc"].strip())
        locator += "." if re.search(r"\b(?:sl|ff?|сл|seq)$", locator) else ""
        rest = rest[: m.start()] + (")" if m.re is EN_LOCATOR else "")
        rest = rest.rstrip(" ,.")
    authors, rest = _authors(rest)
    if authors and OP_CIT.match(rest):
        return Parsed("op-cit", {"author": authors}, locator, indirect, remark)
    if not rest:
        return Parsed("unparsed", reason="no title after the author")
    item: dict[str, Any] = {"author": authors} if authors else {}
    volume = ""
    m = VOLUME.search(rest)
    if m and m.start() > 0:
        volume = m["volume"]
        rest = (rest[: m.start()] + rest[m.end():]).strip(" ,.")
    kind = _body(rest, item)
    if not item.get("title") and not item.get("container-title"):
        return Parsed("unparsed", reason="no title: only a place, publisher or year")
    if volume:
        item["volume"] = volume
    if kind == "short" and not (authors or locator or volume):
        return Parsed("unparsed", reason="no author, place, year or page: it does not read as a citation")
    if kind == "short" and len(TRANSLATION.sub(r"\g<main>", item["title"]).split()) > _LONGEST_TITLE:
        return Parsed("unparsed", reason="no place or year, and too long for a short title: it reads as prose")
    return Parsed(kind, item, locator, indirect, remark)


def _authors(text: str) -> tuple[list[dict[str, str]], str]:
    """Return the authors at the start of ``text`` and what follows them."""
    m = AUTHORS_RU.match(text)
    if m:
        return _split_ru_authors(m["authors"]), m["rest"]
    m = AUTHOR_EN_NOTE.match(text)
    if m:
        return [_person(m["family"], m["given"])], m["rest"]
    m = AUTHOR_INVERTED.match(text)
    if m:
        return [_person(m["family"], m["given"])], m["rest"]
    m = AUTHOR_EAST_ASIAN.match(text)
    if m and (re.search(_YEAR, m["rest"]) or OP_CIT.match(m["rest"])):
        return [_person(m["family"], m["given"])], m["rest"]
    return [], text


def _issued(year: str, month: int = 0, day: int = 0) -> dict[str, list[list[int]]]:
    parts = [int(year)] + ([month] if month else []) + ([day] if month and day else [])
    return {"date-parts": [parts]}


def _body(text: str, item: dict[str, Any]) -> str:
    """Fill ``item`` from a citation without its authors and locator; return 'full' or 'short'."""
    for pattern in (ARTICLE_SLASH, ARTICLE_DASH):
        m = pattern.match(text)
        c = CONTAINER.match(m["container"].strip(" .")) if m else None
        if m and c and (pattern is ARTICLE_SLASH or c["issue"]):
            item.update(type="article-journal", title=m["title"].strip(" ,."),
                        **{"container-title": c["container"].strip()}, issued=_issued(c["year"]))  # fmt: skip
            item.update({k: c[k] for k in ("volume", "issue") if c[k]})
            return "full"
    m = NEWSPAPER.match(text)
    if m and m["month"] in _ROMAN:
        item.update(type="periodical", title=m["container"],
                    issued=_issued(m["year"], _ROMAN[m["month"]], int(m["day"])))  # fmt: skip
        return "full"
    m = MAGAZINE.match(text)
    if m:
        month = _MONTHS.index(m["month"].lower()) + 1
        item.update(type="periodical", title=m["container"], issued=_issued(m["year"], month))
        if m["issue"]:
            item["issue"] = m["issue"]
        return "full"
    for pattern in (BOOK_PAREN, BOOK, BOOK_YEAR):
        m = pattern.match(text)
        if m:
            item.update(type="book", title=m["title"].strip(" ,."), issued=_issued(m["year"]))
            groups = m.groupdict()
            if groups.get("place"):
                item["publisher-place"] = groups["place"].strip()
            if groups.get("publisher"):
                item["publisher"] = groups["publisher"].strip()
            return "full"
    item.update(type="book", title=text.strip(" ,."))
    return "short"


# -- reading a document's notes and resolving references -----------------------------------------
def footnotes(doc: Any) -> list[etree._Element]:
    """Return the document's foot- and endnotes in their numbered order (document order else)."""
    found = []
    for text in doc.root.iter(ns.qn("text")):
        for note in text.iter(_NOTE):
            if any(a.tag in _SKIPPED or a.tag == _NOTE for a in note.iterancestors()):
                continue
            if note.get("place") in ("foot", "end", "bottom") or note.get("n"):
                found.append(note)
    numbers = [_number(n.get("n")) for n in found]
    # an unanchored note kept at the end reads in its place; numbering that restarts (per
    # chapter) keeps the document's order
    if all(x is not None for x in numbers) and len(set(numbers)) == len(numbers):
        return [n for _, n in sorted(zip(numbers, found, strict=True), key=lambda p: p[0])]
    return found


def _number(n: str | None) -> int | None:
    return int(n) if n and n.isdigit() else None


def note_text(note: etree._Element) -> str:
    """Return a note's text, whitespace collapsed."""
    return " ".join("".join(note.itertext()).split())


def split_citations(text: str) -> list[str]:
    """Split a note citing several sources at its semicolons ("Ibid., p. 3; Smith J. …").

    A semicolon splits only where what follows starts a citation of its own (an author, "Ibid.",
    "See", or a title of two words or more with a year or page), so "M.; L., 1950" stays whole.
    """
    if len(text) > 2 * LONGEST_CITATION:
        return [text]
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == ";" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts = [p.strip() for p in [*parts, text[start:]]]
    if len(parts) < 2 or not all(_starts_citation(p) for p in parts):
        return [text]
    return parts


def _starts_citation(text: str) -> bool:
    if IBID.match(text) or LEAD_SEE.match(text) or LEAD_CIT_BY.match(text) or _authors(text)[0]:
        return True
    p = parse_citation(text)
    title = p.item.get("title") or p.item.get("container-title", "")
    return (p.kind == "full" or (p.kind == "short" and bool(p.locator))) and len(title.split()) > 1


def read_footnotes(doc: Any) -> FootnoteTable:
    """Parse every footnote of ``doc`` and resolve "Ibid.", "op. cit." and short titles."""
    citations: list[Citation] = []
    sources: list[DerivedSource] = []
    by_key: dict[tuple, int] = {}
    for note, part, text in _note_citations(doc):
        p = parse_citation(text)
        c = Citation(note, note.get("n") or "", text, None, p.locator, indirect=p.indirect, part=part)
        if p.kind == "unparsed":
            c.reason = p.reason
        elif p.kind == "ibid":
            prev = citations[-1] if citations else None
            if prev is None or prev.source is None:
                c.reason = ("“Ibid.” but the previous note has no source" if prev
                            else "“Ibid.” in the first note")  # fmt: skip
            else:
                c.source, c.how = prev.source, "ibid"
        elif p.kind == "op-cit":
            found = _latest_by_author(citations, sources, p.item["author"])
            if found is None:
                names = ", ".join(a["family"] for a in p.item["author"])
                c.reason = f"“op. cit.” but no earlier note cites a source by {names}"
            else:
                c.source, c.how = found, "op. cit."
        else:
            found = _short_title_match(citations, sources, p.item) if p.kind == "short" else None
            if found is not None:
                c.source, c.how = found, "short title"
            else:
                key = item_key(p.item)
                if key not in by_key:
                    by_key[key] = len(sources)
                    sources.append(DerivedSource(p.item))
                c.source = by_key[key]
                c.how = "full" if p.kind == "full" else "new (no place or year)"
        if c.source is not None:
            sources[c.source].citations.append(c)
        citations.append(c)
    return FootnoteTable(citations, sources)


def _note_citations(doc: Any) -> list[tuple[etree._Element, int, str]]:
    """Return (note, part, text) per citation: part 0 for a note citing one source."""
    out = []
    for note in footnotes(doc):
        parts = split_citations(note_text(note))
        out += [(note, i if len(parts) > 1 else 0, t) for i, t in enumerate(parts, 1)]
    return out


def _fold(text: str) -> str:
    """Lower-case, accents off, punctuation to spaces: how titles and names are compared."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _same_person(a: dict[str, str], b: dict[str, str]) -> bool:
    if _fold(a.get("family", "")) != _fold(b.get("family", "")):
        return False
    ga, gb = _fold(a.get("given", ""))[:1], _fold(b.get("given", ""))[:1]
    return not ga or not gb or ga == gb


def _same_authors(a: list[dict[str, str]], b: list[dict[str, str]]) -> bool:
    return len(a) == len(b) and all(_same_person(x, y) for x, y in zip(a, b, strict=True))


def _latest_by_author(citations: list[Citation], sources: list[DerivedSource],
                      authors: list[dict[str, str]]) -> int | None:  # fmt: skip
    """Return the source of the latest earlier note whose first author is ``authors[0]``."""
    for c in reversed(citations):
        if c.source is not None:
            theirs = sources[c.source].item.get("author") or []
            if theirs and _same_person(theirs[0], authors[0]):
                return c.source
    return None


def _title_forms(title: str) -> list[str]:
    m = TRANSLATION.match(title)
    return [_fold(m["main"]), _fold(m["tr"])] if m else [_fold(title)]


def _short_title_match(citations: list[Citation], sources: list[DerivedSource],
                       item: dict[str, Any]) -> int | None:  # fmt: skip
    """Return the latest earlier source by the same authors whose title begins with ``item``'s."""
    shorts = [s for s in _title_forms(item.get("title", "")) if s]
    for c in reversed(citations):
        if c.source is None:
            continue
        src = sources[c.source].item
        if not _same_authors(src.get("author") or [], item.get("author") or []):
            continue
        if item.get("volume") and src.get("volume") and item["volume"] != src["volume"]:
            continue
        longs = _title_forms(src.get("title", "") or src.get("container-title", ""))
        if any(t == s or t.startswith(s + " ") for s in shorts for t in longs if t):
            return c.source
    return None


def item_key(item: dict[str, Any]) -> tuple:
    """Return what makes two parsed items the same source: first author, title, year, volume."""
    authors = item.get("author") or [{}]
    year = (item.get("issued") or {}).get("date-parts", [[None]])[0]
    return (_fold(authors[0].get("family", "")), _fold(item.get("title", "")),
            _fold(item.get("container-title", "")), tuple(year), str(item.get("volume", "")),
            str(item.get("issue", "")))  # fmt: skip


def format_item(item: dict[str, Any]) -> str:
    """Return a short one-line reading of a CSL-JSON-like item."""
    names = ", ".join(f"{a.get('family', '')} {a.get('given', '')}".strip() for a in item.get("author") or [])
    year = (item.get("issued") or {}).get("date-parts", [[""]])[0]
    parts = [names, item.get("title", "")]
    if item.get("container-title"):
        parts = [names, " // ".join(p for p in (item.get("title", ""), item["container-title"]) if p)]
    if item.get("volume"):
        parts.append(f"vol. {item['volume']}")
    if item.get("issue"):
        parts.append(f"No. {item['issue']}")
    imprint = ": ".join(p for p in (item.get("publisher-place", ""), item.get("publisher", "")) if p)
    date = "-".join(f"{x:02d}" if i else str(x) for i, x in enumerate(year) if x)
    parts.append(", ".join(p for p in (imprint, date) if p))
    return ". ".join(p.strip().rstrip(".") for p in parts if p and p.strip())


# -- storing ----------------------------------------------------------------------------------------
def cited_in(note_id: str, locator: str, indirect: bool = False, part: int = 0) -> etree._Element:
    """Return a source's link back to a note citing it: ``relatedItem`` > ``bibl`` > ``ptr`` +
    ``citedRange`` (the note's locator); ``@n`` says which of the note's citations it is when the
    note cites several sources."""
    check_xml_text(note_id, locator)
    rel = etree.Element(_RELATED, type=CITED_IN)
    if indirect:
        rel.set("subtype", "indirect")
    if part:
        rel.set("n", str(part))
    bibl = etree.SubElement(rel, ns.qn("bibl"))
    etree.SubElement(bibl, ns.qn("ptr"), target="#" + note_id)
    if locator:
        rng = etree.SubElement(bibl, ns.qn("citedRange"))
        if re.match(r"(?:pp?|S|С|c|стр|Pp|P)?\.?\s*\d", locator):
            rng.set("unit", "page")
        m = re.fullmatch(r"(?:pp?|S|С|c|стр|Pp)?\.?\s*(\d+)(?:\s*[-–—]\s*(\d+))?(?:\s*(?:sl|ff?|сл)\.?)?",
                         locator)  # fmt: skip
        if m:
            rng.set("from", m[1])
            if m[2]:
                rng.set("to", m[2])
        rng.text = locator
    return rel


def citing_notes(el: etree._Element) -> dict[str, str]:
    """Return note id -> locator for the notes a stored source points back at."""
    return {note_id: locator for (note_id, _), locator in _links(el).items()}


def _links(el: etree._Element) -> dict[tuple[str, int], str]:
    """Return (note id, part) -> locator for a stored source's links back to its notes."""
    out = {}
    for rel in el.iterchildren(_RELATED):
        if rel.get("type") != CITED_IN:
            continue
        ptr = rel.find(f"{ns.qn('bibl')}/{ns.qn('ptr')}")
        rng = rel.find(f"{ns.qn('bibl')}/{ns.qn('citedRange')}")
        part = int(rel.get("n")) if (rel.get("n") or "").isdigit() else 0
        if ptr is not None and (ptr.get("target") or "").startswith("#"):
            out[ptr.get("target")[1:], part] = "".join(rng.itertext()) if rng is not None else ""
    return out


@dataclass
class StoreReport:
    """What :func:`store_sources` did."""

    added: list[str] = field(default_factory=list)  # ids of new sources
    merged: list[str] = field(default_factory=list)  # ids of existing sources that got new notes
    links: int = 0  # note links added
    note_ids: dict[int, str] = field(default_factory=dict)  # citation index -> its note's id

    def summary(self) -> str:
        """Return one line: sources added and merged, notes linked."""
        return (f"{len(self.added)} sources added, {len(self.merged)} merged with existing ones, "
                f"{self.links} notes linked")  # fmt: skip


def store_sources(doc: Any, table: FootnoteTable) -> StoreReport:
    """Write the table's sources into ``doc``'s ``listBibl``, merging with those already there.

    A source already there is the one that points back at one of the same citations (note, and
    which of its citations), or one with the same first author, title and year; it keeps its
    fields (a user's edits stay) and gains links to the notes it did not point at yet. Notes
    without an ``xml:id`` get one. Running it again adds nothing.
    """
    report = StoreReport()
    index = bibliography._Index()  # noqa: SLF001  (the import's matching: DOI, ISBN, title+year+author)
    by_link: dict[tuple[str, int], etree._Element] = {}
    for el in bibliography.existing_sources(doc):
        index.add(el, bibliography.element_keys(el))
        for link in _links(el):
            by_link.setdefault(link, el)
    for src in table.sources:
        links = [(doc.ensure_id(c.note), c.part) for c in src.citations]
        built = bibliography.csl_to_biblstruct(src.item)
        keys = bibliography.item_keys(src.item)
        el = next((by_link[k] for k in links if k in by_link), None)
        if el is None:
            el = index.find(keys)[0]
        new = el is None
        if el is None:
            el = built
            sid = doc.new_id(bibliography._id_stem(src.item))  # noqa: SLF001
            el.set(ns.XML_ID, sid)
            doc._standoff_list("listBibl").append(el)  # noqa: SLF001  (our listBibl, made if needed)
            doc.register_ids(el)
            index.add(el, keys)
            report.added.append(sid)
        elif el.tag == bibliography.BIBL_STRUCT:
            filled = bibliography.fill_missing(el, built)  # the user's fields stay as they are
            if filled:
                report.merged.append(el.get(ns.XML_ID) or "")
        added_here = 0
        for c, link in zip(src.citations, links, strict=True):
            if link in by_link:
                continue
            el.append(cited_in(link[0], c.locator, c.indirect, c.part))
            by_link[link] = el
            added_here += 1
        report.links += added_here
        if added_here and not new and (el.get(ns.XML_ID) or "") not in report.merged:
            report.merged.append(el.get(ns.XML_ID) or "")
    log.info("sources from footnotes: %s", report.summary())
    for i, c in enumerate(table.citations):
        if c.note.get(ns.XML_ID):
            report.note_ids[i] = c.note.get(ns.XML_ID) or ""
    return report


def item_from_fields(fields: dict[str, str]) -> dict[str, Any]:
    """Return a CSL-JSON-like item from a source form's fields (author, title, date, place)."""
    item: dict[str, Any] = {"type": "book", "title": fields.get("title", "").strip()}
    author = fields.get("author", "").strip()
    if author:
        family, comma, given = author.partition(",")
        m = None if comma else re.match(rf"^({_SURNAME})\s+({_INITIALS})$", author)
        item["author"] = [_person(m[1], m[2]) if m else _person(family, given)]
    year = re.search(_YEAR, fields.get("date", ""))
    if year:
        item["issued"] = _issued(year.group())
    if fields.get("place", "").strip():
        item["publisher-place"] = fields["place"].strip()
    return item


def complete(table: FootnoteTable, citation: Citation, fields: dict[str, str]) -> None:
    """Give a note that could not be parsed the source the user typed (before storing)."""
    if citation.source is not None:
        table.sources[citation.source].citations.remove(citation)
    item = item_from_fields(fields)
    key = item_key(item)
    found = next((i for i, s in enumerate(table.sources) if item_key(s.item) == key), None)
    if found is None:
        found = len(table.sources)
        table.sources.append(DerivedSource(item))
    table.sources[found].citations.append(citation)
    citation.source, citation.how, citation.reason = found, "completed by hand", ""


def from_notes(doc: Any) -> tuple[FootnoteTable, StoreReport]:
    """Parse ``doc``'s footnotes and store the sources (merging); return the table and report."""
    table = read_footnotes(doc)
    return table, store_sources(doc, table)
