"""Bibliographies in: BibTeX/BibLaTeX, RIS, CSL-JSON and Zotero's local API, stored as ``<biblStruct>``.

Every importer turns its input into CSL-JSON items (plain dicts, the schema citeproc and Zotero
use); :func:`csl_to_biblstruct` turns one item into a ``<biblStruct>`` shaped like the one
Zotero's own TEI export writes (``analytic``/``monogr``/``imprint``, authors and editors as
``persName`` with ``forename``/``surname``, ``idno type="DOI|ISBN"``, ``ptr`` for the URL, the Zotero item URI in
``@corresp``, the Zotero item type in ``@type``). :func:`plan_import` matches each item with the
document's sources (same DOI, ISBN, Zotero item, or normalised title + year + first author) and
builds everything detached from the tree; :func:`apply_plan` then changes the document in one go,
so a failing entry never leaves half an import behind. A match only fills fields the source
lacks: what is there, imported earlier or typed by the user, is never overwritten.
"""

from __future__ import annotations

import calendar
import copy
import functools
import json
import logging
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lxml import etree

from . import ns
from .annotations import xml_safe_text
from .errors import TeiError

if TYPE_CHECKING:
    from .document import TeiDocument

log = logging.getLogger(__name__)

BIBL_STRUCT = ns.qn("biblStruct")
BIBL = ns.qn("bibl")
#: File name endings and the importer that reads them.
EXTENSIONS = {".bib": "bibtex", ".bibtex": "bibtex", ".biblatex": "bibtex", ".ris": "ris",
              ".json": "csl", ".csljson": "csl", ".csl": "csl"}  # fmt: skip
FORMAT_NAMES = {"bibtex": "BibTeX", "ris": "RIS", "csl": "CSL-JSON", "zotero": "Zotero"}

# -- CSL types -> Zotero item types (Zotero writes its item type in biblStruct/@type) ----------
CSL_TO_ZOTERO = {
    "article": "preprint", "article-journal": "journalArticle", "article-magazine": "magazineArticle",
    "article-newspaper": "newspaperArticle", "bill": "bill", "book": "book", "broadcast": "tvBroadcast",
    "chapter": "bookSection", "dataset": "dataset", "document": "document",
    "entry": "encyclopediaArticle", "entry-dictionary": "dictionaryEntry",
    "entry-encyclopedia": "encyclopediaArticle", "graphic": "artwork", "interview": "interview",
    "legal_case": "case", "legislation": "statute", "letter": "letter", "manuscript": "manuscript",
    "map": "map", "motion_picture": "film", "pamphlet": "document", "paper-conference": "conferencePaper",
    "patent": "patent", "periodical": "document", "personal_communication": "letter",
    "post": "forumPost", "post-weblog": "blogPost", "report": "report", "review": "journalArticle",
    "review-book": "journalArticle", "software": "computerProgram", "song": "audioRecording",
    "speech": "presentation", "standard": "standard", "thesis": "thesis", "webpage": "webpage",
    "collection": "book", "classic": "book", "event": "presentation", "hearing": "hearing",
    "musical_score": "audioRecording", "performance": "presentation", "regulation": "statute",
    "treaty": "statute",
}  # fmt: skip
#: Zotero item types whose title is the part (``analytic``) of a larger whole (``monogr``).
ANALYTIC_TYPES = {"journalArticle", "bookSection", "magazineArticle", "newspaperArticle",
                  "conferencePaper", "encyclopediaArticle", "dictionaryEntry", "webpage"}  # fmt: skip
#: CSL name variables -> Zotero creator types (written in respStmt/resp like Zotero does).
_CREATOR_TYPES = {"container-author": "bookAuthor", "collection-editor": "seriesEditor",
                  "reviewed-author": "reviewedAuthor", "script-writer": "scriptwriter"}  # fmt: skip
_NAME_VARS = ("author", "editor", "collection-editor", "container-author", "translator",
              "contributor", "director", "interviewer", "recipient", "composer", "illustrator",
              "reviewed-author", "original-author", "editorial-director", "curator", "host",
              "narrator", "organizer", "performer", "producer", "script-writer", "guest",
              "compiler", "chair", "executive-producer", "editor-translator")  # fmt: skip
_DATE_VARS = ("issued", "accessed", "original-date", "event-date", "submitted", "available-date")
#: CSL variables the biblStruct has a place for (the others go to ``note type="extra"``, one
#: ``variable: value`` line each, as Zotero keeps CSL variables it has no field for).
_MAPPED = {"id", "type", "title", "title-short", "DOI", "container-title", "event-title", "URL",
           "ISBN", "ISSN", "call-number", "edition", "version", "publisher", "publisher-place",
           "volume", "issue", "section", "page", "number-of-volumes", "number-of-pages",
           "collection-title", "collection-number", "abstract", "note", "language", "issued",
           "accessed", *_NAME_VARS}  # fmt: skip
_TAGS = {t: ns.qn(t) for t in ("analytic monogr series imprint title idno ptr author editor respStmt "
                                "resp persName forename surname name date publisher pubPlace "
                                "biblScope note extent measure edition").split()}  # fmt: skip
_LANG_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*\Z")
_ZOTERO_URI = re.compile(r"https?://zotero\.org/(?:users|groups)/[^/]+/items/[A-Z0-9]+\Z")


# -- report -----------------------------------------------------------------------------------
@dataclass
class Candidate:
    """One entry read from a bibliography: its CSL-JSON item, or why it cannot be imported."""

    file: str
    label: str
    item: dict[str, Any] | None
    reason: str = ""
    warnings: list[str] = field(default_factory=list)
    checked: bool = False  # the item has been through normalize_item


@dataclass
class Outcome:
    """What an import did with one entry: ``added``, ``merged`` or ``skipped`` (with why)."""

    file: str
    label: str
    outcome: str
    reason: str = ""
    source_id: str = ""
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        """Return the entry as one line of the report."""
        where = f"{os.path.basename(self.file)}: " if self.file else ""
        text = f"{self.outcome:<7} {where}{self.label}"
        if self.source_id:
            text += f" -> {self.source_id}"
        if self.reason:
            text += f": {self.reason}"
        for w in self.warnings:
            text += f" (warning: {w})"
        return text


@dataclass
class ImportPlan:
    """Everything an import will change, built without touching the document."""

    outcomes: list[Outcome] = field(default_factory=list)
    added: list[etree._Element] = field(default_factory=list)
    #: (a source already in the document, the same source with the missing fields filled in)
    merged: list[tuple[etree._Element, etree._Element]] = field(default_factory=list)

    @property
    def changes(self) -> bool:
        """Tell whether applying the plan changes the document."""
        return bool(self.added or self.merged)

    def counts(self) -> dict[str, int]:
        """Return how many entries were added, merged and skipped."""
        out = {"added": 0, "merged": 0, "skipped": 0}
        for o in self.outcomes:
            out[o.outcome] = out.get(o.outcome, 0) + 1
        return out

    def summary(self) -> str:
        """Return the one-line totals."""
        c = self.counts()
        return f"{c['added']} added, {c['merged']} merged, {c['skipped']} skipped"

    def format_text(self) -> str:
        """Return the whole report: one line per entry, then the totals."""
        return "\n".join([*(o.line() for o in self.outcomes), self.summary()])


# -- text helpers ---------------------------------------------------------------------------
_MESSY = re.compile("[^\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|  |^ | $")


def _clean(value: object) -> str:
    """Return ``value`` as one line of XML-safe text ('' for None and non-scalars)."""
    if isinstance(value, str):
        if _MESSY.search(value) is None:
            return value
    elif value is None or isinstance(value, dict | list | bool):
        return ""
    return " ".join(xml_safe_text(str(value), " ").split())


_ACCENTS = {"`": "\u0300", "'": "\u0301", "^": "\u0302", '"': "\u0308", "~": "\u0303",
            "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
            "c": "\u0327", "k": "\u0328", "r": "\u030a", "b": "\u0331", "d": "\u0323"}  # fmt: skip
_LETTERS = {"ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å",
            "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ"}  # fmt: skip
_ACCENT_RE = re.compile(r"""\\([`'^"~=.])\s*(\{\\?[A-Za-z]\}|\\?[A-Za-z])"""
                        r"""|\\([uvHckrbd])(?:\{(\\?[A-Za-z])\}|\s+(\\?[A-Za-z]))""")  # fmt: skip
_LETTER_RE = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|[oOlLij])(?![A-Za-z])(?:\{\}|\s*)")
_ESCAPED = re.compile(r"\\([&%$#_{}])")


def _accent(m: re.Match[str]) -> str:
    mark, base = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4) or m.group(5))
    base = base.strip("{}")
    if base.startswith("\\"):  # \'{\i}: the accent takes the dot's place
        base = {"i": "i", "j": "j"}.get(base[1:]) or _LETTERS.get(base[1:], base)
    return unicodedata.normalize("NFC", base + _ACCENTS[mark])


@functools.lru_cache(maxsize=4096)
def _slow_latex(text: str) -> str:
    return _decoder().latex_to_text(text)


@functools.cache
def _decoder() -> Any:
    """The LaTeX decoder of ``bibtexparser``'s ``LatexDecodingMiddleware`` (pylatexenc)."""
    from bibtexparser.middlewares import LatexDecodingMiddleware

    return LatexDecodingMiddleware()._decoder  # noqa: SLF001  (its configured pylatexenc decoder)


_PLAIN = re.compile(r"[\\{}~$%]|--|``|''")


def latex_to_text(text: str) -> str:
    """Decode BibTeX's LaTeX (accents, braces, dashes, quotes) to Unicode.

    Gives what ``bibtexparser``'s ``LatexDecodingMiddleware`` gives; the common cases (accented
    letters, protective braces) are decoded here directly, as pylatexenc takes half a millisecond
    a string, the rest by the middleware's own decoder.
    """
    if not _PLAIN.search(text):
        return text
    fast = _LETTER_RE.sub(lambda m: _LETTERS[m.group(1)], _ACCENT_RE.sub(_accent, text))
    fast = _ESCAPED.sub("\0\\1", fast)  # a NUL marks an escaped character until the end
    if "\\" in fast or re.search("(?<!\0)[$%]", fast):
        return _slow_latex(text)
    fast = re.sub("(?<!\0)[{}]", "", fast)
    fast = fast.replace("---", "\u2014").replace("--", "\u2013").replace("``", "\u201c")
    fast = fast.replace("''", "\u201d").replace("~", "\u00a0")
    return fast.replace("\0", "")


# -- names and dates ----------------------------------------------------------------------------
def _name(value: object) -> dict[str, str] | None:
    """Return a CSL name (``family``/``given``/``literal``...) cleaned, or None if unusable."""
    if isinstance(value, str):
        return _split_name(value)
    if not isinstance(value, dict):
        return None
    out = {k: _clean(value.get(k)) for k in ("family", "given", "literal", "non-dropping-particle",
                                              "dropping-particle", "suffix")}  # fmt: skip
    out = {k: v for k, v in out.items() if v}
    return out if out.get("family") or out.get("literal") or out.get("given") else None


def _split_name(text: str) -> dict[str, str] | None:
    """Return the CSL name of "Family, Given" or "Given Family" text (RIS, typed)."""
    text = _clean(text)
    if not text:
        return None
    if "," in text:
        family, _, given = text.partition(",")
        given, _, suffix = given.partition(",")
        out = {"family": family.strip(), "given": given.strip()}
        if suffix.strip():
            out["suffix"] = suffix.strip()
        return {k: v for k, v in out.items() if v}
    return {"literal": text}


def _date(value: object) -> dict[str, Any] | None:
    """Return a CSL date (``date-parts`` and/or ``raw``/``literal``), or None if unusable."""
    if isinstance(value, str | int):
        return parse_date(str(value))
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    out: dict[str, Any] = {}
    if isinstance(parts, list) and parts and all(isinstance(p, list) for p in parts):
        clean = []
        for p in parts[:2]:
            nums = []
            for x in p[:3]:
                try:
                    nums.append(int(str(x).strip()))
                except ValueError:
                    break
            if nums:
                clean.append(nums)
        if clean:
            out["date-parts"] = clean
    for key in ("raw", "literal", "season", "circa"):
        if value.get(key) not in (None, ""):
            out[key] = _clean(value[key]) if key != "circa" else bool(value[key])
    if "date-parts" not in out and out.get("raw"):
        parsed = parse_date(out["raw"])
        if parsed and "date-parts" in parsed:
            out["date-parts"] = parsed["date-parts"]
    return out or None


def parse_date(text: str) -> dict[str, Any] | None:
    """Turn "1981", "1981-03-02", "1981/03/02/", "1981/1983" into a CSL date; else keep it literal."""
    text = _clean(text)
    if not text:
        return None
    ranges = []
    for piece in re.split(r"\s*(?:/(?=\d{3,4}\b)|--|–)\s*", text, maxsplit=1):
        m = re.fullmatch(r"(-?\d{1,4})(?:[-/.](\d{1,2}))?(?:[-/.](\d{1,2}))?(?:[-/.]?.*)?", piece)
        if not m:
            ranges = []
            break
        ranges.append([int(g) for g in m.groups() if g is not None])
    if ranges and all(1 <= p[1] <= 12 for p in ranges if len(p) > 1):
        return {"date-parts": ranges}
    year = re.search(r"\b(\d{4})\b", text)
    out: dict[str, Any] = {"literal": text}
    if year and not re.search(r"\bB\.?C", text):
        out = {"date-parts": [[int(year.group(1))]], "raw": text}
    return out


def _iso(parts: list[int]) -> str:
    """Return a CSL date's parts as an ISO date (``1981``, ``1981-03``, ``1981-03-02``); a month
    or day that does not exist is left out."""
    y = parts[0]
    text = f"-{abs(y):04d}" if y < 0 else f"{y:04d}"
    if len(parts) > 1 and 1 <= parts[1] <= 12:
        text += f"-{parts[1]:02d}"
        if len(parts) > 2 and 1 <= parts[2] <= calendar.monthrange(y if 1 <= y <= 9999 else 2000,
                                                                     parts[1])[1]:  # fmt: skip
            text += f"-{parts[2]:02d}"
    return text


def year_of(item: dict[str, Any]) -> str:
    """Return the year an item was issued ('' if unknown)."""
    issued = item.get("issued") or {}
    parts = issued.get("date-parts") or []
    if parts and parts[0]:
        return str(parts[0][0])
    m = re.search(r"\d{4}", str(issued.get("raw") or issued.get("literal") or ""))
    return m.group() if m else ""


# -- CSL-JSON items -----------------------------------------------------------------------------
def normalize_item(raw: object) -> tuple[dict[str, Any] | None, str, list[str]]:
    """Check one CSL-JSON item; return (clean item or None, why not, warnings)."""
    if not isinstance(raw, dict):
        return None, f"not a CSL-JSON item (a JSON {type(raw).__name__}, not an object)", []
    warnings: list[str] = []
    item: dict[str, Any] = {}
    for key, value in raw.items():
        if not isinstance(key, str):
            continue
        if key in _NAME_VARS:
            if not isinstance(value, list):
                warnings.append(f"{key} is not a list of names: left out")
                continue
            names = [n for n in (_name(v) for v in value) if n]
            if len(names) < len(value):
                warnings.append(f"{len(value) - len(names)} unusable name(s) in {key} left out")
            if names:
                item[key] = names
        elif key in _DATE_VARS:
            d = _date(value)
            if d:
                item[key] = d
            elif value not in (None, ""):
                warnings.append(f"{key} is not a date: left out")
        else:
            text = _clean(value)
            if text:
                item[key] = text
            elif isinstance(value, dict | list) and value and key not in ("custom", "_graph"):
                log.debug("CSL variable %s is not text: left out", key)
    if item.get("DOI"):  # stored bare, as Zotero does ("10.1000/x", not "https://doi.org/10.1000/x")
        item["DOI"] = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", item["DOI"], flags=re.I)
    ctype = item.get("type", "")
    if ctype not in CSL_TO_ZOTERO:
        if ctype:
            warnings.append(f"unknown CSL type {ctype!r}: imported as a generic document")
        item["type"] = "document"
    if not item.get("title"):
        return None, "it has no title", warnings
    return item, "", warnings


def _label(item: dict[str, Any], fallback: str) -> str:
    title = _clean(item.get("title")) if isinstance(item, dict) else ""
    if not title:
        return fallback
    return f"“{title if len(title) <= 50 else title[:49] + '…'}”"


# -- reading files ------------------------------------------------------------------------------
def read_bibliography(path: str | os.PathLike[str], fmt: str | None = None) -> list[Candidate]:
    """Read a bibliography file (format from ``fmt``, its extension or its content)."""
    from .importers._decode import decode_bytes
    from .parser import read_file

    name = os.fspath(path)
    try:
        data = read_file(name)
    except TeiError as exc:
        return [Candidate(name, "(the file)", None, exc.message)]
    if not data.strip():
        return [Candidate(name, "(the file)", None, "the file is empty")]
    try:
        text, encoding = decode_bytes(data)
    except TeiError as exc:
        return [Candidate(name, "(the file)", None, f"cannot read the file: {exc.message}")]
    fmt = fmt or EXTENSIONS.get(os.path.splitext(name)[1].lower()) or sniff_format(text)
    if fmt is None:
        return [Candidate(name, "(the file)", None, "not a bibliography: expected BibTeX (.bib), "
                          "RIS (.ris) or CSL-JSON (.json)")]  # fmt: skip
    found = {"bibtex": parse_bibtex, "ris": parse_ris, "csl": parse_csl_json}[fmt](text, name)
    if encoding not in ("utf-8", "utf-8-sig", "ascii") and found:
        found[0].warnings.append(f"the file is not UTF-8; it was read as {encoding}")
    return found


def sniff_format(text: str) -> str | None:
    """Guess the format of a bibliography from its text ('bibtex', 'ris', 'csl' or None)."""
    head = text.lstrip("\ufeff \t\r\n")
    if head[:1] in "[{":
        return "csl"
    if re.match(r"TY  - ", head):
        return "ris"
    if re.search(r"(?m)^\s*@\w+\s*[{(]", text):
        return "bibtex"
    return None


def parse_csl_json(text: str, file: str = "") -> list[Candidate]:
    """Read CSL-JSON (a list of items, one item, or ``{"items": [...]}``)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [Candidate(file, "(the file)", None,
                          f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")]  # fmt: skip
    except RecursionError:
        return [Candidate(file, "(the file)", None, "invalid JSON: nested too deeply")]
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        return [Candidate(file, "(the file)", None, "not CSL-JSON: expected a list of items")]
    out = []
    for i, raw in enumerate(data, 1):
        item, reason, warnings = normalize_item(raw)
        label = _label(raw, f"item {i}") if isinstance(raw, dict) else f"item {i}"
        if isinstance(raw, dict) and raw.get("id") and not reason:
            label = f"{_clean(raw['id'])} {label}"
        out.append(Candidate(file, label, item, reason, warnings, checked=True))
    return out


# BibTeX / BibLaTeX ------------------------------------------------------------------------------
BIBTEX_TYPES = {
    "article": "article-journal", "book": "book", "mvbook": "book", "inbook": "chapter",
    "bookinbook": "chapter", "suppbook": "chapter", "incollection": "chapter",
    "suppcollection": "chapter", "inproceedings": "paper-conference", "conference": "paper-conference",
    "proceedings": "book", "mvproceedings": "book", "collection": "book", "mvcollection": "book",
    "reference": "book", "mvreference": "book", "inreference": "entry-encyclopedia",
    "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis", "techreport": "report",
    "report": "report", "manual": "report", "misc": "document", "unpublished": "manuscript",
    "online": "webpage", "www": "webpage", "electronic": "webpage", "booklet": "pamphlet",
    "patent": "patent", "periodical": "periodical", "suppperiodical": "article-journal",
    "dataset": "dataset", "software": "software", "letter": "letter", "review": "review",
    "artwork": "graphic", "audio": "song", "video": "motion_picture", "movie": "motion_picture",
    "music": "song", "image": "graphic", "legislation": "legislation", "jurisdiction": "legal_case",
    "standard": "standard", "set": "document",
}  # fmt: skip
_BIBTEX_TEXT = {
    "title": "title", "shorttitle": "title-short", "journaltitle": "container-title",
    "journal": "container-title", "booktitle": "container-title", "series": "collection-title",
    "volume": "volume", "issue": "issue", "pages": "page", "edition": "edition",
    "publisher": "publisher", "address": "publisher-place", "location": "publisher-place",
    "isbn": "ISBN", "issn": "ISSN", "doi": "DOI", "url": "URL", "abstract": "abstract",
    "note": "note", "langid": "language", "language": "language", "chapter": "chapter-number",
    "pagetotal": "number-of-pages", "volumes": "number-of-volumes", "eventtitle": "event-title",
    "venue": "event-place", "howpublished": "medium", "type": "genre", "version": "version",
    "shortjournal": "container-title-short",
}  # fmt: skip
_BIBTEX_NAMES = {"author": "author", "editor": "editor", "translator": "translator",
                 "bookauthor": "container-author"}  # fmt: skip
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}


def parse_bibtex(text: str, file: str = "") -> list[Candidate]:
    """Read BibTeX or BibLaTeX with ``bibtexparser`` 2 (names split, LaTeX decoded)."""
    import bibtexparser
    from bibtexparser import middlewares as mw
    from bibtexparser import model

    quiet = logging.getLogger("bibtexparser")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # each problem is reported per entry below
    try:
        library = bibtexparser.parse_string(text, append_middleware=[mw.SeparateCoAuthors(),
                                                                    mw.SplitNameParts()])  # fmt: skip
    except Exception as exc:  # the parser gives up on the whole file (a bug of its own)
        log.debug("bibtexparser failed", exc_info=True)
        return [Candidate(file, "(the file)", None, f"the BibTeX parser failed: {exc}")]
    finally:
        quiet.setLevel(level)
    out = []
    for block in sorted(library.blocks, key=lambda b: b.start_line or 0):
        line = (block.start_line or 0) + 1
        inner = getattr(block, "ignore_error_block", None)
        if isinstance(block, model.Entry):
            out.append(_bibtex_entry(block, file, line))
        elif isinstance(block, model.DuplicateBlockKeyBlock) and isinstance(inner, model.Entry):
            found = _bibtex_entry(inner, file, line)
            found.warnings.append(f"the key {inner.key!r} is used twice in the file")
            out.append(found)
        elif isinstance(block, model.DuplicateFieldKeyBlock) and isinstance(inner, model.Entry):
            found = _bibtex_entry(inner, file, line)
            found.warnings.append(f"field(s) given twice: {', '.join(sorted(block.duplicate_keys))}; "
                                  "the last value was kept")  # fmt: skip
            out.append(found)
        elif isinstance(block, model.MiddlewareErrorBlock) and isinstance(inner, model.Entry):
            out.append(Candidate(file, f"@{inner.entry_type}{{{inner.key}}} (line {line})", None,
                                 f"cannot read its names: {_bibtex_error(block)}"))  # fmt: skip
        elif isinstance(block, model.ParsingFailedBlock):
            head = " ".join((block.raw or "").strip().split("\n", 1)[0].split())[:60]
            out.append(Candidate(file, f"{head or 'entry'} (line {line})", None,
                                 f"malformed BibTeX: {_bibtex_error(block)}"))  # fmt: skip
    return out


def _bibtex_error(block: Any) -> str:
    error = getattr(block, "error", None)
    msg = getattr(error, "abort_reason", "") or str(error or "") or "syntax error"
    return " ".join(msg.split()).rstrip(".")


def _bibtex_entry(entry: Any, file: str, line: int) -> Candidate:
    from bibtexparser.middlewares.names import (
        parse_single_name_into_parts,
        split_multiple_persons_names,
    )

    etype = entry.entry_type.lower()
    label = f"@{etype}{{{entry.key}}}"
    warnings = []
    ctype = BIBTEX_TYPES.get(etype)
    if ctype is None:
        warnings.append(f"unknown entry type @{etype}: imported as a generic document")
        ctype = "document"
    item: dict[str, Any] = {"type": ctype, "id": entry.key}
    fields = {f.key.lower(): f.value for f in entry.fields}
    for key, value in fields.items():
        if key in _BIBTEX_NAMES:
            if isinstance(value, str):  # an entry the name middlewares did not see
                value = [parse_single_name_into_parts(n, strict=False)
                         for n in split_multiple_persons_names(value)]  # fmt: skip
            names = [_bibtex_name(n) for n in value] if isinstance(value, list) else []
            names = [n for n in names if n]
            if names:
                item[_BIBTEX_NAMES[key]] = names
            continue
        if not isinstance(value, str):
            continue
        target = _BIBTEX_TEXT.get(key)
        if key == "number":
            target = "issue" if ctype == "article-journal" else "collection-number" if "series" in fields \
                else "number"
        if key in ("school", "institution", "organization") and "publisher" not in fields:
            target = "publisher"
        if key == "urldate":
            d = parse_date(latex_to_text(value))
            if d:
                item["accessed"] = d
            continue
        if target:
            decoded = _clean(value if key in ("url", "doi") else latex_to_text(value))
            if target == "page":
                decoded = decoded.replace("\u2013", "-")
            if decoded:
                item.setdefault(target, decoded)
    if fields.get("subtitle") and item.get("title"):
        item["title"] = f"{item['title']}: {_clean(latex_to_text(fields['subtitle']))}"
    issued = _bibtex_date(fields)
    if issued:
        item["issued"] = issued
    item, reason, more = normalize_item(item)
    return Candidate(file, f"{label} (line {line})" if reason else label, item, reason,
                     warnings + more, checked=True)  # fmt: skip


def _bibtex_name(parts: Any) -> dict[str, str] | None:
    first = " ".join(latex_to_text(p) for p in parts.first)
    von = " ".join(latex_to_text(p) for p in parts.von)
    last = " ".join(latex_to_text(p) for p in parts.last)
    jr = " ".join(latex_to_text(p) for p in parts.jr)
    if not first and not von and len(parts.last) == 1 and parts.last[0].startswith("{"):
        return {"literal": _clean(last)} if _clean(last) else None  # {World Bank}: an institution
    name = {"family": _clean(last), "given": _clean(first), "non-dropping-particle": _clean(von),
            "suffix": _clean(jr)}  # fmt: skip
    name = {k: v for k, v in name.items() if v}
    return name if name.get("family") or name.get("given") else None


def _bibtex_date(fields: dict[str, Any]) -> dict[str, Any] | None:
    date = fields.get("date")
    if isinstance(date, str) and date.strip():
        return parse_date(latex_to_text(date))
    year = fields.get("year")
    if not isinstance(year, str) or not year.strip():
        return None
    parsed = parse_date(latex_to_text(year))
    month = str(fields.get("month") or "").strip().lower()[:3]
    num = _MONTHS.get(month) or (int(month) if month.isdigit() and 1 <= int(month) <= 12 else None)
    if parsed and num and parsed.get("date-parts") and len(parsed["date-parts"][0]) == 1:
        parsed["date-parts"][0].append(num)
    return parsed


# RIS ------------------------------------------------------------------------------------------
RIS_TYPES = {
    "ABST": "article-journal", "ADVS": "motion_picture", "AGGR": "dataset", "ANCIENT": "book",
    "ART": "graphic", "BILL": "bill", "BLOG": "post-weblog", "BOOK": "book", "CASE": "legal_case",
    "CHAP": "chapter", "CHART": "graphic", "CLSWK": "book", "COMP": "software",
    "CONF": "paper-conference", "CPAPER": "paper-conference", "CTLG": "book", "DATA": "dataset",
    "DBASE": "dataset", "DICT": "entry-dictionary", "EBOOK": "book", "ECHAP": "chapter",
    "EDBOOK": "book", "EJOUR": "article-journal", "ELEC": "webpage", "ENCYC": "entry-encyclopedia",
    "EQUA": "document", "FIGURE": "graphic", "GEN": "document", "GOVDOC": "report",
    "GRANT": "document", "HEAR": "hearing", "ICOMM": "personal_communication", "INPR": "article",
    "JFULL": "periodical", "JOUR": "article-journal", "LEGAL": "legislation", "MANSCPT": "manuscript",
    "MAP": "map", "MGZN": "article-magazine", "MPCT": "motion_picture", "MULTI": "webpage",
    "MUSIC": "musical_score", "NEWS": "article-newspaper", "PAMP": "pamphlet", "PAT": "patent",
    "PCOMM": "personal_communication", "RPRT": "report", "SER": "periodical", "SLIDE": "graphic",
    "SOUND": "song", "STAND": "standard", "STAT": "legislation", "THES": "thesis",
    "UNPB": "manuscript", "VIDEO": "motion_picture",
}  # fmt: skip
_RIS_TEXT = {"title": "title", "primary_title": "title", "short_title": "title-short",
             "journal_name": "container-title", "alternate_title3": "container-title",
             "alternate_title1": "container-title-short", "tertiary_title": "collection-title",
             "volume": "volume", "number": "issue", "publisher": "publisher",
             "place_published": "publisher-place", "doi": "DOI", "language": "language",
             "edition": "edition", "abstract": "abstract", "call_number": "call-number",
             "number_of_volumes": "number-of-volumes", "section": "section", "id": "id",
             "type_of_work": "genre"}  # fmt: skip
_CONTAINER_TYPES = {"article-journal", "article-magazine", "article-newspaper", "chapter",
                    "paper-conference", "entry-encyclopedia", "entry-dictionary", "webpage",
                    "post-weblog", "review", "article"}  # fmt: skip
_RIS_RECORD = re.compile(r"(?m)^ER  -.*$")


def parse_ris(text: str, file: str = "") -> list[Candidate]:
    """Read RIS with ``rispy``, record by record (one bad record does not lose the others)."""
    import rispy

    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    out = []
    pos = 0
    for m in [*_RIS_RECORD.finditer(text), None]:
        end = m.start() if m else len(text)
        record = text[pos:end]
        line = text.count("\n", 0, pos + len(record) - len(record.lstrip())) + 1
        pos = m.end() if m else len(text)
        if not record.strip():
            continue
        if m is None:
            out.append(Candidate(file, f"record at line {line}", None,
                                 "the record has no end (no ER line)"))  # fmt: skip
            continue
        if not re.match(r"\s*TY  - ", record):
            out.append(Candidate(file, f"record at line {line}", None,
                                 "malformed RIS: a record must start with a TY line"))  # fmt: skip
            continue
        try:
            found = rispy.loads(record.strip("\n") + "\nER  - \n")
        except Exception as exc:  # rispy raises KeyError/ValueError... on bad records
            out.append(Candidate(file, f"record at line {line}", None, f"malformed RIS: {exc!r}"))
            continue
        if len(found) != 1:
            out.append(Candidate(file, f"record at line {line}", None, "malformed RIS record"))
            continue
        out.append(_ris_entry(found[0], file, line))
    return out


def _ris_entry(rec: dict[str, Any], file: str, line: int) -> Candidate:
    warnings = []
    rtype = str(rec.get("type_of_reference") or "").strip().upper()
    ctype = RIS_TYPES.get(rtype)
    if ctype is None:
        warnings.append(f"unknown RIS type {rtype!r}: imported as a generic document")
        ctype = "document"
    item: dict[str, Any] = {"type": ctype}
    for key, target in _RIS_TEXT.items():
        value = rec.get(key)
        if isinstance(value, list):
            value = value[0] if value else ""
        if _clean(value):
            item.setdefault(target, _clean(value))
    t2 = _clean(rec.get("secondary_title"))
    if t2:
        item.setdefault("container-title" if ctype in _CONTAINER_TYPES else "collection-title", t2)
    authors = [*(rec.get("first_authors") or []), *(rec.get("authors") or [])]
    for var, names in (("author", authors), ("editor", rec.get("secondary_authors") or []),
                       ("collection-editor", rec.get("tertiary_authors") or []),
                       ("translator", rec.get("subsidiary_authors") or [])):  # fmt: skip
        parsed = [n for n in (_split_name(a) for a in names if isinstance(a, str)) if n]
        if parsed:
            item[var] = parsed
    sp, ep = _clean(rec.get("start_page")), _clean(rec.get("end_page"))
    if sp or ep:
        item["page"] = f"{sp}-{ep}" if sp and ep and sp != ep else sp or ep
    for key in ("date", "year", "publication_year"):
        d = parse_date(_clean(rec.get(key))) if _clean(rec.get(key)) else None
        if d:
            item["issued"] = d
            break
    accessed = parse_date(_clean(rec.get("access_date"))) if _clean(rec.get("access_date")) else None
    if accessed:
        item["accessed"] = accessed
    urls = rec.get("urls") or []
    if urls and _clean(urls[0]):
        item["URL"] = _clean(urls[0])
    sn = _clean(rec.get("issn"))
    if sn:
        item["ISBN" if len(re.sub(r"[^0-9Xx]", "", sn)) in (10, 13) else "ISSN"] = sn
    notes = [_clean(n) for n in rec.get("notes") or [] if _clean(n)]
    if notes:
        item["note"] = "\n".join(notes)
    if rec.get("unknown_tag"):
        n = sum(len(v) for v in rec["unknown_tag"].values())
        warnings.append(f"{n} unrecognised line(s) left out")
    item, reason, more = normalize_item(item)
    label = _label(item or {}, f"record at line {line}")
    if reason:
        label = f"record at line {line}"
    return Candidate(file, label, item, reason, warnings + more, checked=True)


# -- CSL-JSON -> <biblStruct> ----------------------------------------------------------------------
def _sub(parent: etree._Element, tag: str, text: str = "", **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, _TAGS.get(tag) or ns.qn(tag), {k: v for k, v in attrs.items() if v}
                          if attrs else None)  # fmt: skip
    if text:
        el.text = text
    return el


def _persname(parent: etree._Element, name: dict[str, str]) -> None:
    """Write a creator's name parts as Zotero does: forename, surname (or one ``name``)."""
    given = name.get("given", "")
    if name.get("dropping-particle"):
        given = f"{given} {name['dropping-particle']}".strip()
    if name.get("suffix"):
        given = f"{given}, {name['suffix']}" if given else name["suffix"]
    family = " ".join(p for p in (name.get("non-dropping-particle"), name.get("family")) if p)
    if given:
        _sub(parent, "forename", given)
    if family and given:
        _sub(parent, "surname", family)
    elif family:
        _sub(parent, "name", family)
    if name.get("literal"):
        _sub(parent, "name", name["literal"])


def zotero_type(item: dict[str, Any]) -> str:
    """Return the Zotero item type of a CSL item."""
    return CSL_TO_ZOTERO.get(str(item.get("type", "")), "document")


def csl_to_biblstruct(item: dict[str, Any]) -> etree._Element:
    """Return the ``<biblStruct>`` of a CSL-JSON item, in the shape of Zotero's TEI export."""
    checked, reason, _ = normalize_item(item)
    if checked is None:
        raise TeiError(f"cannot store this item: {reason}")
    return _biblstruct(checked)


def _biblstruct(item: dict[str, Any]) -> etree._Element:
    itype = zotero_type(item)
    analytic_type = itype in ANALYTIC_TYPES
    bibl = etree.Element(BIBL_STRUCT, type=itype)
    uri = str(item.get("id", ""))
    if _ZOTERO_URI.match(uri):
        bibl.set("corresp", uri)
    analytic = _sub(bibl, "analytic") if analytic_type else None
    monogr = _sub(bibl, "monogr")
    main = analytic if analytic is not None else monogr
    series = None
    if item.get("collection-title"):
        series = _sub(bibl, "series")
        _sub(series, "title", item["collection-title"], level="s")
    lang = item.get("language", "")
    if lang and _LANG_TAG.match(lang):
        main.set(ns.XML_LANG, lang)
    for var in _NAME_VARS:
        for name in item.get(var, []):
            if var == "reviewed-author":
                continue
            if var in ("author", "editor", "container-author", "collection-editor"):
                child = etree.Element(ns.qn("editor" if "editor" in var else "author"))
                pers = _sub(child, "persName")  # the name's parts in a persName, as TEI's own examples
            else:
                child = etree.Element(ns.qn("respStmt"))
                _sub(child, "resp", _CREATOR_TYPES.get(var, var))
                pers = _sub(child, "persName")
            _persname(pers, name)
            if var == "collection-editor" and series is not None:
                series.append(child)
            elif analytic is not None and var not in ("editor", "container-author", "collection-editor"):
                analytic.append(child)
            else:
                monogr.append(child)
    _sub(main, "title", item["title"], level="a" if analytic is not None else "m")
    if item.get("title-short"):
        _sub(main, "title", item["title-short"], type="short")
    if item.get("DOI"):
        _sub(main, "idno", item["DOI"], type="DOI")
    if item.get("event-title"):
        _sub(monogr, "title", item["event-title"], type="conferenceName")
    if item.get("container-title"):
        _sub(monogr, "title", item["container-title"], level="j" if itype == "journalArticle" else "m")
    if item.get("URL"):
        _sub(monogr, "ptr", target=item["URL"].replace(" ", "%20"))
    if item.get("ISBN"):
        _sub(monogr, "idno", item["ISBN"], type="ISBN")
    if item.get("ISSN"):
        _sub(monogr, "idno", item["ISSN"], type="ISSN")
    if item.get("call-number"):
        _sub(main, "idno", item["call-number"], type="callNumber")
    if item.get("edition"):
        _sub(monogr, "edition", item["edition"], n=item.get("version", "") if " " not in
             item.get("version", "") else "")  # fmt: skip
    elif item.get("version"):
        _sub(monogr, "edition", item["version"])
    imprint = _sub(monogr, "imprint")
    _date_el(imprint, item.get("issued"))
    for var, tag, unit in (("publisher", "publisher", ""), ("publisher-place", "pubPlace", ""),
                           ("volume", "biblScope", "volume"), ("issue", "biblScope", "issue"),
                           ("section", "biblScope", "chapter"), ("page", "biblScope", "page")):  # fmt: skip
        if item.get(var):
            _sub(imprint, tag, item[var], unit=unit)
    if item.get("accessed"):
        _date_el(imprint, item["accessed"], "accessed")
    measures = [(u, item.get(v, "")) for u, v in (("volume", "number-of-volumes"),
                                                 ("page", "number-of-pages")) if item.get(v)]  # fmt: skip
    if measures:
        extent = _sub(monogr, "extent")
        for unit, value in measures:
            if re.fullmatch(r"\d+(\.\d+)?", value):
                _sub(extent, "measure", unit=unit, quantity=value)
            else:
                _sub(extent, "measure", value, unit=unit)
    if series is not None and item.get("collection-number"):
        _sub(series, "biblScope", item["collection-number"], unit="volume")
    if series is not None:  # TEI: series after monogr (its children were collected above)
        bibl.append(series)
    if item.get("abstract"):
        _sub(bibl, "note", item["abstract"], type="abstract")
    reviewed = item.get("reviewed-author")
    if reviewed:
        rel = _sub(bibl, "relatedItem", type="reviewed")
        inner = _sub(rel, "bibl")
        for name in reviewed:
            _persname(_sub(inner, "author"), name)
    extra = [item["note"]] if item.get("note") else []
    for k, v in item.items():
        if k in _MAPPED:
            continue
        if isinstance(v, dict):  # another date: its ISO form, or its text
            parts = v.get("date-parts") or []
            v = v.get("raw") or v.get("literal") or "/".join(_iso(p) for p in parts if p)
        if isinstance(v, str) and v:
            extra.append(f"{k}: {v}")
    if lang and not _LANG_TAG.match(lang):
        extra.append(f"language: {lang}")
    if extra:
        _sub(bibl, "note", "\n".join(extra), type="extra")
    return bibl


def _date_el(parent: etree._Element, date: dict[str, Any] | None, kind: str = "") -> None:
    """Write a CSL date as ``<date when="ISO">text</date>`` (Zotero's shape; from/to for a range)."""
    el = _sub(parent, "date", type=kind)
    if not date:
        return
    parts = date.get("date-parts") or []
    if parts and parts[0] and -9999 <= parts[0][0] <= 9999:
        if len(parts) > 1 and parts[1]:
            el.set("from", _iso(parts[0]))
            el.set("to", _iso(parts[1]))
            el.text = f"{_iso(parts[0])}/{_iso(parts[1])}"
        else:
            el.set("when", _iso(parts[0]))
            el.text = _iso(parts[0])
    text = date.get("raw") or date.get("literal")
    if text:
        el.text = text


# -- reading a stored source ------------------------------------------------------------------------
def _text(el: etree._Element | None) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def _main(el: etree._Element) -> etree._Element | None:
    analytic = el.find(ns.qn("analytic"))
    return analytic if analytic is not None else el.find(ns.qn("monogr"))


def _person_text(p: etree._Element) -> str:
    """Return "Surname, Forename" of an author/editor written like Zotero does."""
    sur = _text(p.find(f".//{ns.qn('surname')}"))
    fore = _text(p.find(f".//{ns.qn('forename')}"))
    if sur or fore:
        return ", ".join(x for x in (sur, fore) if x)
    return _text(p)


def _main_title(el: etree._Element) -> etree._Element | None:
    for part in (el.find(ns.qn("analytic")), el.find(ns.qn("monogr"))):
        if part is None:
            continue
        for t in part.iterchildren(ns.qn("title")):
            if not t.get("type"):
                return t
    return None


def biblstruct_fields(el: etree._Element) -> dict[str, str]:
    """Return author, title, date, place, publisher, url and note of a ``<biblStruct>``."""
    main = _main(el)
    people = [] if main is None else list(main.iterchildren(ns.qn("author")))
    if not people:
        monogr = el.find(ns.qn("monogr"))
        people = [] if monogr is None else list(monogr.iterchildren(ns.qn("author"), ns.qn("editor")))
    imprint = el.find(f"{ns.qn('monogr')}/{ns.qn('imprint')}")

    def imp(tag: str) -> str:
        if imprint is None:
            return ""
        found = next((c for c in imprint.iterchildren(ns.qn(tag)) if not c.get("type")), None)
        return _text(found)

    ptr = el.find(f"{ns.qn('monogr')}/{ns.qn('ptr')}")
    note = next((n for n in el.iterchildren(ns.qn("note")) if not n.get("type")), None)
    return {"author": "; ".join(_person_text(p) for p in people), "title": _text(_main_title(el)),
            "date": imp("date"), "place": imp("pubPlace"), "publisher": imp("publisher"),
            "url": ptr.get("target", "") if ptr is not None else "", "note": _text(note)}  # fmt: skip


def edit_biblstruct(el: etree._Element, fields: dict[str, str]) -> None:
    """Change the given fields of a ``<biblStruct>`` in place; fields left as they were are not
    touched (nor is anything the form does not show)."""
    from .annotations import check_xml_text

    check_xml_text(*fields.values())
    now = biblstruct_fields(el)
    changed = {k: " ".join(v.split()) for k, v in fields.items() if k in now and " ".join(v.split()) != now[k]}
    monogr = el.find(ns.qn("monogr"))
    if monogr is None:
        monogr = etree.Element(ns.qn("monogr"))
        el.insert(1 if el.find(ns.qn("analytic")) is not None else 0, monogr)
    imprint = monogr.find(ns.qn("imprint"))
    if imprint is None:
        imprint = _sub(monogr, "imprint")
    if "title" in changed:
        title = _main_title(el)
        if title is None:
            title = etree.Element(ns.qn("title"), level="m")
            main = _main(el)
            assert main is not None
            main.insert(sum(1 for c in main if c.tag in (ns.qn("author"), ns.qn("editor"),
                                                        ns.qn("respStmt"))), title)  # fmt: skip
        for child in list(title):
            title.remove(child)
        title.text = changed["title"] or None
    if "author" in changed:
        main = _main(el)
        assert main is not None
        old = list(main.iterchildren(ns.qn("author")))
        index = main.index(old[0]) if old else 0
        for p in old:
            main.remove(p)
        for i, text in enumerate(t for t in changed["author"].split(";") if t.strip()):
            author = etree.Element(ns.qn("author"))
            _persname(author, _split_name(text) or {})
            main.insert(index + i, author)
    for key, tag in (("date", "date"), ("place", "pubPlace"), ("publisher", "publisher")):
        if key not in changed:
            continue
        found = next((c for c in imprint.iterchildren(ns.qn(tag)) if not c.get("type")), None)
        if found is None:
            found = etree.Element(ns.qn(tag))
            imprint.insert(0 if tag == "date" else len(imprint), found)
        for child in list(found):
            found.remove(child)
        found.text = changed[key] or None
        if tag == "date":
            for attr in ("when", "from", "to"):
                found.attrib.pop(attr, None)
            parsed = parse_date(changed[key]) if changed[key] else None
            parts = (parsed or {}).get("date-parts") or []
            if len(parts) == 1 and (parsed or {}).get("raw") is None:
                found.set("when", _iso(parts[0]))
        elif not changed[key]:
            imprint.remove(found)
    if "url" in changed:
        ptr = monogr.find(ns.qn("ptr"))
        if not changed["url"]:
            if ptr is not None:
                monogr.remove(ptr)
        else:
            if ptr is None:
                ptr = etree.Element(ns.qn("ptr"))
                imprint.addprevious(ptr)
            ptr.set("target", changed["url"].replace(" ", "%20"))
    if "note" in changed:
        note = next((n for n in el.iterchildren(ns.qn("note")) if not n.get("type")), None)
        if note is None and changed["note"]:
            note = _sub(el, "note")
        if note is not None:
            for child in list(note):
                note.remove(child)
            note.text = changed["note"] or None
            if not changed["note"]:
                el.remove(note)


# -- matching and merging ---------------------------------------------------------------------------
_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_NOT_WORD = re.compile(r"[\W_]+")


@functools.lru_cache(maxsize=65536)
def _norm(text: str) -> str:
    """Fold case, accents, punctuation and spacing away (for matching titles and names)."""
    folded = _MARKS.sub("", unicodedata.normalize("NFKD", text.casefold()))
    return _NOT_WORD.sub(" ", folded).strip()


def norm_doi(text: str) -> str:
    """Return a DOI without resolver prefix, lower-cased ('' if none)."""
    m = re.search(r"10\.\d{4,9}/\S+", text or "")
    return m.group().rstrip(".,;").lower() if m else ""


def norm_isbn(text: str) -> str:
    """Return the ISBN-13 of the first ISBN in ``text`` ('' if none)."""
    for m in re.finditer(r"(?:97[89][- ]?)?(?:\d[- ]?){9}[\dXx]", text or ""):
        digits = re.sub(r"[^0-9Xx]", "", m.group()).upper()
        if len(digits) == 13:
            return digits
        if len(digits) == 10:
            core = "978" + digits[:9]
            check = (10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(core)) % 10) % 10
            return core + str(check)
    return ""


@dataclass(frozen=True)
class Keys:
    """What tells two entries are the same work."""

    doi: str = ""
    isbn: str = ""
    uri: str = ""
    title: str = ""
    year: str = ""
    families: frozenset[str] = frozenset()
    analytic: bool | None = None  # a part (article, chapter) or a whole; None: not known


def item_keys(item: dict[str, Any]) -> Keys:
    """Return the matching keys of a CSL item."""
    people = item.get("author") or item.get("editor") or []
    first = people[0] if people else {}
    family = first.get("family") or first.get("literal") or ""
    full = " ".join(p for p in (first.get("non-dropping-particle"), family) if p)
    uri = str(item.get("id", ""))
    return Keys(norm_doi(item.get("DOI", "")), norm_isbn(item.get("ISBN", "")),
                uri if _ZOTERO_URI.match(uri) else "", _norm(item.get("title", "")), year_of(item),
                frozenset(_norm(f) for f in (family, full) if f), zotero_type(item) in ANALYTIC_TYPES)  # fmt: skip


_IDNO, _SURNAME, _NAME, _DATE = (ns.qn(t) for t in ("idno", "surname", "name", "date"))


def element_keys(el: etree._Element) -> Keys:
    """Return the matching keys of a stored ``<bibl>`` or ``<biblStruct>``."""
    from .document import bibl_fields

    ids = {i.get("type", "").upper(): _text(i) for i in reversed(list(el.iter(_IDNO)))}
    if el.tag == BIBL_STRUCT:
        title = _text(_main_title(el))
        main = _main(el)
        first = None if main is None else next(main.iterchildren(_TAGS["author"]), None)
        if first is None:
            monogr = el.find(_TAGS["monogr"])
            first = None if monogr is None else next(monogr.iterchildren(_TAGS["author"], _TAGS["editor"]), None)
        surname = None if first is None else next(first.iter(_SURNAME, _NAME), None)
        families = {_norm(_text(surname))} if surname is not None else set()
        families |= {f.split()[-1] for f in families if f}  # "de la Fontaine" is also "Fontaine"
        date = el.find(f"{_TAGS['monogr']}/{_TAGS['imprint']}/{_DATE}")
        when = "" if date is None else date.get("when") or date.get("from") or _text(date)
        m = re.search(r"-?\d{4}", when)
    else:
        f = bibl_fields(el)
        title = f["title"]
        author = f["author"].split(";")[0]
        words = author.split(",")[0].split() if author else []
        families = {_norm(w) for w in (words[:1] + words[-1:])}
        m = re.search(r"\d{4}", f["date"])
    corresp = el.get("corresp", "")
    return Keys(norm_doi(ids.get("DOI", "")), norm_isbn(ids.get("ISBN", "")),
                corresp if _ZOTERO_URI.match(corresp) else "", _norm(title), m.group() if m else "",
                frozenset(x for x in families if x),
                None if el.tag != BIBL_STRUCT else el.find(_TAGS["analytic"]) is not None)  # fmt: skip


class _Index:
    """Find the source an item is the same work as."""

    def __init__(self) -> None:
        self.by: dict[tuple[str, str], list[etree._Element]] = {}
        self.keys: dict[int, Keys] = {}

    def add(self, el: etree._Element, keys: Keys) -> None:
        for kind in ("doi", "isbn", "uri"):
            if getattr(keys, kind):
                self.by.setdefault((kind, getattr(keys, kind)), []).append(el)
        if keys.title:
            self.by.setdefault(("title", f"{keys.title}\0{keys.year}"), []).append(el)
            self.keys[id(el)] = keys

    def find(self, keys: Keys) -> tuple[etree._Element | None, str]:
        for kind, why in (("doi", "same DOI"), ("isbn", "same ISBN"), ("uri", "same Zotero item")):
            value = getattr(keys, kind)
            if value and self.by.get((kind, value)):
                return self.by[(kind, value)][0], why
        for el in self.by.get(("title", f"{keys.title}\0{keys.year}"), []):
            theirs = self.keys[id(el)]
            if None not in (keys.analytic, theirs.analytic) and keys.analytic != theirs.analytic:
                continue  # an article and a book of the same title are two works
            if keys.families == theirs.families or keys.families & theirs.families:
                return el, "same title, year and first author"
        return None, ""


_CREATORS = {ns.qn("author"), ns.qn("editor"), ns.qn("respStmt")}


def _slot(el: etree._Element) -> tuple[str, ...]:
    """Return what makes a child of a biblStruct part one field (tag and kind attributes)."""
    if el.tag in _CREATORS:
        return (el.tag,)
    return (el.tag, el.get("type", ""), el.get("level", ""), el.get("unit", ""))


_CONTAINERS = {ns.qn(t) for t in ("analytic", "monogr", "imprint", "series", "extent")}


#: Where a child goes among its siblings (TEI's order, as Zotero writes it).
_RANK = {ns.qn(t): r for t, r in (("analytic", 0), ("monogr", 1), ("series", 2), ("note", 3),
                                  ("relatedItem", 3), ("author", 0), ("editor", 0), ("respStmt", 0),
                                  ("meeting", 0), ("title", 1), ("idno", 2), ("ptr", 2),
                                  ("textLang", 2), ("edition", 3), ("imprint", 4), ("extent", 5),
                                  ("biblScope", 5))}  # fmt: skip


def _insert_in_order(parent: etree._Element, child: etree._Element) -> None:
    """Insert ``child`` after the last sibling that comes before or with it in TEI's order."""
    rank = _RANK.get(child.tag, 9)
    after = [c for c in parent if isinstance(c.tag, str) and _RANK.get(c.tag, 9) <= rank]
    if after:
        after[-1].addnext(child)
    else:
        parent.insert(0, child)


def fill_missing(old: etree._Element, new: etree._Element, *, apply: bool = True) -> bool:
    """Copy into ``old`` the fields of ``new`` it lacks (never changing one it has); return
    whether anything was added (with ``apply=False``: would be, changing nothing). Creators are
    one field: a source that has authors keeps them."""
    if old.tag == BIBL_STRUCT and (old.find(ns.qn("analytic")) is None) != (
            new.find(ns.qn("analytic")) is None):  # fmt: skip
        new = _identifiers_only(new)  # a book and a chapter of it: share numbers, not titles
    changed = False
    had: dict[tuple[str, ...], etree._Element] = {}
    for c in old:
        if isinstance(c.tag, str):
            had.setdefault(_slot(c), c)
    for child in new:
        if not isinstance(child.tag, str):
            continue
        slot = _slot(child)
        if slot not in had:
            if not apply:
                return True
            added = copy.deepcopy(child)
            added.tail = None
            _insert_in_order(old, added)
            changed = True
            continue
        if slot[0] in _CREATORS:
            continue
        match = had[slot]
        if child.tag in _CONTAINERS:
            changed |= fill_missing(match, child, apply=apply)
            if changed and not apply:
                return True
        elif not len(match) and not (match.text or "").strip() and (child.text or len(child)):
            if not apply:
                return True
            match.text = child.text  # e.g. the empty <date/> of an undated source
            for sub in child:
                match.append(copy.deepcopy(sub))
            for k, v in child.attrib.items():
                match.attrib.setdefault(k, v)
            changed = True
    for k, v in new.attrib.items():
        if k not in old.attrib and k != ns.XML_ID:
            if not apply:
                return True
            old.set(k, v)
            changed = True
    return changed


def _identifiers_only(bibl: etree._Element) -> etree._Element:
    """Return a copy of a biblStruct with only its identifiers, imprint, series and notes."""
    out = copy.deepcopy(bibl)
    analytic = out.find(ns.qn("analytic"))
    monogr = out.find(ns.qn("monogr"))
    if analytic is not None:
        if monogr is not None:
            for idno in analytic.iterchildren(ns.qn("idno")):
                monogr.insert(0, idno)
        out.remove(analytic)
    for el in [] if monogr is None else list(monogr):
        if el.tag in (ns.qn("title"), ns.qn("author"), ns.qn("editor"), ns.qn("respStmt")):
            monogr.remove(el)
    for k in list(out.attrib):
        del out.attrib[k]
    return out


def _fill_bibl(old: etree._Element, new: etree._Element, *, apply: bool = True) -> bool:
    """Add to a plain ``<bibl>`` the fields of a biblStruct it lacks; return whether any was."""
    from .document import bibl_fields

    have = bibl_fields(old)
    given = biblstruct_fields(new)
    changed = False
    for key, tag in (("author", "author"), ("title", "title"), ("place", "pubPlace"),
                     ("publisher", "publisher"), ("date", "date"), ("url", "ref")):  # fmt: skip
        if have.get(key) or not given.get(key):
            continue
        if not apply:
            return True
        if len(old):
            old[-1].tail = (old[-1].tail or "") + " " if not (old[-1].tail or "").endswith(" ") else old[-1].tail
        elif old.text and not old.text.endswith(" "):
            old.text += " "
        child = _sub(old, tag, given[key])
        if tag == "ref":
            child.set("target", given[key])
        changed = True
    return changed


def _id_stem(item: dict[str, Any]) -> str:
    people = item.get("author") or item.get("editor") or []
    who = (people[0].get("family") or people[0].get("literal") or "") if people else ""
    base = _norm(who or item.get("title", "") or "source").replace(" ", "-")
    return f"src-{base[:24].strip('-') or 'source'}"


def existing_sources(doc: TeiDocument) -> list[etree._Element]:
    """Return our own ``<bibl>``/``<biblStruct>`` sources (the ones an import may merge into)."""
    so = doc.standoff()
    if so is None:
        return []
    return [el for lst in so.iterchildren(ns.qn("listBibl"))
            for el in lst.iter(BIBL, BIBL_STRUCT) if el.get(ns.XML_ID)]  # fmt: skip


def plan_import(doc: TeiDocument, candidates: Iterable[Candidate]) -> ImportPlan:
    """Decide what to do with each entry; build new and merged sources detached from the tree."""
    plan = ImportPlan()
    index = _Index()
    for el in existing_sources(doc):
        index.add(el, element_keys(el))
    merged_copies: dict[int, etree._Element] = {}
    for cand in candidates:
        if cand.item is None:
            plan.outcomes.append(Outcome(cand.file, cand.label, "skipped", cand.reason, "", cand.warnings))
            continue
        item, reason, _ = (cand.item, "", []) if cand.checked else normalize_item(cand.item)
        if item is None:
            plan.outcomes.append(Outcome(cand.file, cand.label, "skipped", reason, "", cand.warnings))
            continue
        new = _biblstruct(item)
        keys = item_keys(item)
        match, why = index.find(keys)
        if match is None:
            sid = doc.new_id(_id_stem(item))
            new.set(ns.XML_ID, sid)
            plan.added.append(new)
            index.add(new, keys)
            plan.outcomes.append(Outcome(cand.file, cand.label, "added", "", sid, cand.warnings))
            continue
        sid = match.get(ns.XML_ID, "")
        fill = fill_missing if match.tag == BIBL_STRUCT else _fill_bibl
        if any(match is a for a in plan.added):  # twice in this import: fill the new one
            target = match
        else:
            target = merged_copies.get(id(match))
            if target is None and fill(match, new, apply=False):
                target = copy.deepcopy(match)
        filled = target is not None and fill(target, new)
        if filled and target is not None and target is not match and id(match) not in merged_copies:
            merged_copies[id(match)] = target
            plan.merged.append((match, target))
        detail = why + ("" if filled else "; nothing new to add")
        plan.outcomes.append(Outcome(cand.file, cand.label, "merged", detail, sid, cand.warnings))
    return plan


def apply_plan(doc: TeiDocument, plan: ImportPlan) -> None:
    """Make the planned changes to the document (all of them; nothing else)."""
    for old, new in plan.merged:
        tail = old.tail
        old.clear()
        old.tail = tail
        for k, v in new.attrib.items():
            old.set(k, v)
        old.text = new.text
        for child in new:
            old.append(copy.deepcopy(child))
    if plan.added:
        lst = doc._standoff_list("listBibl")  # noqa: SLF001  (our listBibl, created if needed)
        for el in plan.added:
            lst.append(el)
            doc.register_ids(el)


def import_files(doc: TeiDocument, paths: Iterable[str]) -> ImportPlan:
    """Read bibliography files and plan their import into ``doc`` (call :func:`apply_plan`)."""
    candidates: list[Candidate] = []
    for path in paths:
        candidates.extend(read_bibliography(path))
    return plan_import(doc, candidates)


# -- Zotero desktop (local API) ------------------------------------------------------------------
class ZoteroUnavailable(TeiError):
    """Zotero desktop is not running, or its local API is switched off."""


@dataclass
class ZoteroItem:
    """One item of the Zotero library: key, a readable label and its CSL-JSON."""

    key: str
    label: str
    csl: dict[str, Any]


@dataclass
class ZoteroCollection:
    """One Zotero collection: key, name, parent key and how many items it holds."""

    key: str
    name: str
    parent: str
    count: int


NOT_RUNNING = ("Zotero is not running, or its local API is off. Start Zotero desktop and tick "
               "Settings ▸ Advanced ▸ “Allow other applications on this computer to communicate "
               "with Zotero”, then try again.")  # fmt: skip


class ZoteroLocal:
    """Read collections and items from Zotero desktop's local API (``pyzotero``, local mode)."""

    def __init__(self, client: Any = None) -> None:
        if client is None:
            from pyzotero import zotero

            client = zotero.Zotero(0, "user", local=True)
        self.zot = client

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        import httpx
        from pyzotero import zotero_errors

        try:
            return self.zot.everything(fn(*args, **kwargs))
        except httpx.TransportError as exc:
            log.info("Zotero local API unreachable: %s", exc)
            raise ZoteroUnavailable(NOT_RUNNING) from None
        except zotero_errors.UserNotAuthorisedError:
            raise ZoteroUnavailable(NOT_RUNNING) from None
        except (zotero_errors.PyZoteroError, httpx.HTTPError, ValueError) as exc:
            first = str(exc).strip().splitlines()
            raise TeiError(f"Zotero answered with an error: {first[0] if first else exc}") from None

    def collections(self) -> list[ZoteroCollection]:
        """Return every collection of the library."""
        out = []
        for c in self._call(self.zot.collections):
            data = c.get("data", {})
            out.append(ZoteroCollection(data.get("key", c.get("key", "")), _clean(data.get("name")),
                                        data.get("parentCollection") or "",
                                        int(c.get("meta", {}).get("numItems", 0))))  # fmt: skip
        return out

    def items(self, collection: str | None = None) -> list[ZoteroItem]:
        """Return the items of the whole library, or of one collection (notes and files left out)."""
        if collection:
            raw = self._call(self.zot.collection_items, collection, include="data,csljson")
        else:
            raw = self._call(self.zot.items, include="data,csljson")
        out = []
        for r in raw:
            data = r.get("data", {})
            if data.get("itemType") in ("attachment", "note", "annotation"):
                continue
            csl = dict(r.get("csljson") or {})
            key = r.get("key") or data.get("key", "")
            lib = r.get("library") or {}
            if key and lib.get("id") is not None:
                csl["id"] = f"http://zotero.org/{lib.get('type', 'user')}s/{lib['id']}/items/{key}"
            people = [*(csl.get("author") or []), *(csl.get("editor") or [])]
            who = (people[0].get("family") or people[0].get("literal") or "") if people else ""
            label = " · ".join(x for x in (who, year_of(csl), _clean(csl.get("title")) or "(no title)") if x)
            out.append(ZoteroItem(key, label, csl))
        return out

    @staticmethod
    def candidates(items: Iterable[ZoteroItem]) -> list[Candidate]:
        """Turn picked Zotero items into import candidates."""
        out = []
        for z in items:
            item, reason, warnings = normalize_item(z.csl)
            out.append(Candidate("Zotero", _label(z.csl, z.key), item, reason, warnings, checked=True))
        return out
