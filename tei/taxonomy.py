"""Annotation categories: the document's ``classDecl/taxonomy``, or Glossator's default one.

A category's *kind* (bias, figure, source, comment, question) is the id of its top-level ancestor
without the ``gl-`` prefix; categories under other roots are comments. Colour is kept in
``@style`` (``background-color:#rrggbb``), the keyboard shortcut in ``@n``, the underline that tells
categories apart without colour in ``@rend`` (``underline-wavy``…; see :data:`UNDERLINES`). A document's other
taxonomies (text-critical, genre, edition status…) describe the document, not annotations: only
their categories that ``<annotation @ana>`` uses (another tool's tags, say) are offered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from . import ns
from .annotations import check_xml_text
from .errors import AnnotationError, TeiError
from .parser import make_parser
from .resources import DEFAULT_TAXONOMY

TAXONOMY_ID = "glossator-taxonomy"
DEFAULT_TAXONOMY_PATH = DEFAULT_TAXONOMY
CATEGORY = ns.qn("category")
ANNOTATION = ns.qn("annotation")
_COLOR = re.compile(r"background-color:\s*(#[0-9a-fA-F]{6})")
_PALETTE = ("#f6c343", "#f28b82", "#81c995", "#8ab4f8", "#c58af9", "#fdcfe8", "#a7ffeb", "#e6c9a8")


@dataclass(frozen=True)
class Category:
    """One taxonomy category as the GUI and exporters need it."""

    id: str
    label: str
    color: str
    shortcut: str
    parent: str
    kind: str
    depth: int
    underline: str = "solid"


def load_default_taxonomy() -> etree._Element:
    """Parse and return a fresh copy of the default taxonomy element."""
    try:
        data = DEFAULT_TAXONOMY_PATH.read_bytes()
    except OSError as exc:
        raise TeiError(f"Glossator's default taxonomy cannot be read ({exc.strerror or exc}); "
                       "reinstall Glossator", path=str(DEFAULT_TAXONOMY_PATH)) from None  # fmt: skip
    root = etree.fromstring(data, make_parser())
    for el in root.iter():  # new content for any document: no line numbers of another file
        el.sourceline = 0
    return root


class Taxonomy:
    """Read access to the categories in effect for a document, plus category edits."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self._cache: dict[str, Category] | None = None
        self._default: etree._Element | None = None

    def element(self) -> etree._Element | None:
        """Return the document's Glossator taxonomy element, if it has one."""
        header = self.root.find(ns.qn("teiHeader"))
        if header is None:
            return None
        for tax in header.iter(ns.qn("taxonomy")):
            if tax.get(ns.XML_ID) == TAXONOMY_ID:
                return tax
        return None

    def effective(self) -> etree._Element:
        """Return the document's taxonomy element, or the default one (not in the tree)."""
        el = self.element()
        if el is not None:
            return el
        if self._default is None:
            self._default = load_default_taxonomy()
        return self._default

    def invalidate(self) -> None:
        """Forget cached categories (call after changing the taxonomy element)."""
        self._cache = None

    @property
    def categories(self) -> dict[str, Category]:
        """Return the annotation categories by id, in document order: all of Glossator's, and of
        the document's other taxonomies (text-critical, genre…) only those annotations use."""
        if self._cache is None:
            cats: dict[str, Category] = {}
            _collect(self.effective(), cats, "", "", 0)
            header = self.root.find(ns.qn("teiHeader"))
            used = self._used_ids() if header is not None else set()
            for tax in header.iter(ns.qn("taxonomy")) if used else []:
                if tax.get(ns.XML_ID) != TAXONOMY_ID:
                    found: dict[str, Category] = {}
                    _collect(tax, found, "", "", 0)
                    _keep_used(found, used, cats)
            self._cache = cats
        return self._cache

    def _used_ids(self) -> set[str]:
        """Return the category ids that ``<annotation>`` elements point to with ``@ana``."""
        used: set[str] = set()
        for ann in self.root.iter(ANNOTATION):
            for token in (ann.get("ana") or "").split():
                used.add(token.rpartition("#")[2])
        return used

    def top_level(self) -> list[Category]:
        """Return the categories without a parent."""
        return [c for c in self.categories.values() if not c.parent]

    def kind_of(self, cat_id: str) -> str:
        """Return the kind of a category ('comment' for unknown ids)."""
        cat = self.categories.get(cat_id)
        return cat.kind if cat else "comment"

    def parent_of(self, cat_id: str) -> str:
        """Return the parent category id ('' for top-level or unknown)."""
        cat = self.categories.get(cat_id)
        return cat.parent if cat else ""

    def root_of(self, cat_id: str) -> str:
        """Return the top-level ancestor of a category (itself if top-level)."""
        while self.parent_of(cat_id):
            cat_id = self.parent_of(cat_id)
        return cat_id

    def label(self, cat_id: str) -> str:
        """Return the category's label, or its id if unknown."""
        cat = self.categories.get(cat_id)
        return cat.label if cat else cat_id

    def color(self, cat_id: str) -> str:
        """Return the category's highlight colour (#rrggbb)."""
        cat = self.categories.get(cat_id)
        return cat.color if cat else "#cccccc"

    def underline(self, cat_id: str) -> str:
        """Return the category's underline style (one of :data:`UNDERLINES`)."""
        cat = self.categories.get(cat_id)
        return cat.underline if cat else "solid"

    def subcategories(self, cat_id: str) -> list[Category]:
        """Return the direct children of a category."""
        return [c for c in self.categories.values() if c.parent == cat_id]

    # -- edits (on the element in the tree; see TeiDocument.materialize_taxonomy) -------------
    def find(self, cat_id: str) -> etree._Element:
        """Return the ``<category>`` element of our taxonomy with this id."""
        tax = self.element()
        if tax is None:
            raise AnnotationError("the taxonomy is not in the document yet")
        for el in tax.iter(CATEGORY):
            if el.get(ns.XML_ID) == cat_id:
                return el
        raise AnnotationError(f"no category {cat_id!r}")

    def new_category_element(self, cat_id: str, label: str, color: str = "",
                             shortcut: str = "") -> etree._Element:  # fmt: skip
        """Build a ``<category>`` element (not yet inserted)."""
        check_xml_text(cat_id, label, color, shortcut)
        el = etree.Element(CATEGORY, {ns.XML_ID: cat_id})
        if shortcut:
            el.set("n", shortcut)
        el.set("style", f"background-color:{color or self.next_color()}")
        etree.SubElement(el, ns.qn("catDesc")).text = label
        return el

    def next_color(self) -> str:
        """Return a palette colour not used yet (cycling when all are)."""
        used = {c.color.lower() for c in self.categories.values()}
        for c in _PALETTE:
            if c not in used:
                return c
        return _PALETTE[len(self.categories) % len(_PALETTE)]


def set_category_fields(el: etree._Element, *, label: str | None = None,
                        color: str | None = None, shortcut: str | None = None) -> None:  # fmt: skip
    """Change a ``<category>``'s label, colour or shortcut in place."""
    check_xml_text(label or "", shortcut or "")
    if label is not None:
        desc = el.find(ns.qn("catDesc"))
        if desc is None:
            desc = etree.Element(ns.qn("catDesc"))
            el.insert(0, desc)
        for child in list(desc):
            desc.remove(child)
        desc.text = label
    if color is not None:
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", color):
            raise AnnotationError(f"colour must look like #rrggbb, not {color!r}")
        style = _COLOR.sub("", el.get("style") or "").strip(" ;")
        el.set("style", f"background-color:{color}" + (f";{style}" if style else ""))
    if shortcut is not None:
        if shortcut:
            el.set("n", shortcut)
        elif "n" in el.attrib:
            del el.attrib["n"]


def _collect(el: etree._Element, out: dict[str, Category], parent: str, kind: str,
             depth: int) -> None:  # fmt: skip
    for cat in el.findall(CATEGORY):
        cid = cat.get(ns.XML_ID)
        if not cid:
            continue
        k = kind or (cid[3:] if cid.startswith("gl-") and cid[3:] in _KINDS else "comment")
        desc = cat.find(ns.qn("catDesc"))
        if desc is None:
            desc = cat.find(ns.qn("gloss")) or cat.find(ns.qn("desc"))
        label = " ".join("".join(desc.itertext()).split()) if desc is not None else cid
        m = _COLOR.search(cat.get("style") or "")
        color = m.group(1) if m else (out[parent].color if parent in out else "#cccccc")
        underline = _underline(cat) or (out[parent].underline if parent in out else DEFAULT_UNDERLINES[k])
        out[cid] = Category(cid, label, color, cat.get("n") or "", parent, k, depth, underline)
        _collect(cat, out, cid, k, depth + 1)


def _keep_used(found: dict[str, Category], used: set[str], out: dict[str, Category]) -> None:
    """Copy the used categories of ``found`` into ``out``, under their nearest used ancestor."""
    for cid, cat in found.items():
        if cid not in used or cid in out:
            continue
        parent = cat.parent
        while parent and parent not in used:
            parent = found[parent].parent
        depth = out[parent].depth + 1 if parent in out else 0
        out[cid] = Category(cid, cat.label, cat.color, cat.shortcut, parent if parent in out else "",
                            cat.kind, depth, cat.underline)  # fmt: skip


_KINDS = ("bias", "figure", "source", "comment", "question")
#: Underline styles a category's ``@rend`` may name (``rend="underline-dotted"``).
UNDERLINES = ("solid", "dotted", "dashed", "dash-dot", "dash-dot-dot", "wavy", "none")
#: The underline of a category whose ``@rend`` (and its ancestors') names none, by kind.
DEFAULT_UNDERLINES = {"bias": "wavy", "figure": "dashed", "source": "dotted", "comment": "solid",
                      "question": "dash-dot"}  # fmt: skip


def _underline(cat: etree._Element) -> str:
    """Return the underline style named in a category's ``@rend`` ('' if none)."""
    for token in (cat.get("rend") or "").split():
        if token.startswith("underline-") and token[10:] in UNDERLINES:
            return token[10:]
    return ""
