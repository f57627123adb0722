"""Annotation categories: the document's ``classDecl/taxonomy``, or Glossator's default one.

A category's *kind* (bias, figure, source, comment, question) is the id of its top-level ancestor
without the ``gl-`` prefix; categories under other roots are comments. Colour is kept in
``@style`` (``background-color:#rrggbb``), the keyboard shortcut in ``@n``, the underline that tells
categories apart without colour in ``@rend`` (``underline-wavy``…; see :data:`UNDERLINES`). A document's other
taxonomies (text-critical, genre, edition status…) describe the document, not annotations: only
their categories that ``<annotation @ana>`` uses (another tool's tags, say) are offered.
"""

from __future__ import annotations

import os
import re
from collections.abc import Container
from dataclasses import dataclass, field

from lxml import etree

from . import ns
from .annotations import check_xml_text
from .colours import next_colour
from .errors import AnnotationError, TaxonomyError, TeiError
from .parser import make_parser, parse_bytes, read_file
from .resources import DEFAULT_TAXONOMY
from .storage import atomic_write

TAXONOMY_ID = "glossator-taxonomy"
DEFAULT_TAXONOMY_PATH = DEFAULT_TAXONOMY
CATEGORY = ns.qn("category")
ANNOTATION = ns.qn("annotation")
_COLOR = re.compile(r"background-color:\s*(#[0-9a-fA-F]{6})")


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

    def use_default(self, tax: etree._Element) -> None:
        """Start from ``tax`` (e.g. the user's own taxonomy) while the document has none of its own."""
        if self.element() is None:
            self._default = tax
            self.invalidate()

    def next_color(self) -> str:
        """Return a palette colour not used yet (see :func:`tei.colours.next_colour`)."""
        return next_colour([c.color for c in self.categories.values()])


def set_category_fields(el: etree._Element, *, label: str | None = None, color: str | None = None,
                        shortcut: str | None = None, underline: str | None = None) -> None:  # fmt: skip
    """Change a ``<category>``'s label, colour, shortcut or underline (one of :data:`UNDERLINES`,
    kept in ``@rend`` beside its other tokens; '' to inherit again) in place."""
    check_xml_text(label or "", shortcut or "")
    if underline is not None:
        if underline and underline not in UNDERLINES:
            raise AnnotationError(f"underline must be one of {', '.join(UNDERLINES)}, not {underline!r}")
        tokens = [t for t in (el.get("rend") or "").split() if not t.startswith("underline-")]
        tokens += [f"underline-{underline}"] if underline else []
        if tokens:
            el.set("rend", " ".join(tokens))
        else:
            el.attrib.pop("rend", None)
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


# -- structural edits on a taxonomy element (deleting, moving, merging) ------------------------
def category_elements(tax: etree._Element) -> dict[str, etree._Element]:
    """Return the ``<category>`` elements under ``tax`` by xml:id, in document order."""
    return {el.get(ns.XML_ID) or "": el for el in tax.iter(CATEGORY) if el.get(ns.XML_ID)}


def _category(tax: etree._Element, cat_id: str) -> etree._Element:
    el = category_elements(tax).get(cat_id)
    if el is None:
        raise TaxonomyError(f"there is no category {cat_id!r} in the document's taxonomy")
    return el


def _detach(el: etree._Element) -> None:
    """Take ``el`` out of its parent, keeping the indentation of what stays."""
    parent = el.getparent()
    assert parent is not None
    prev = el.getprevious()
    if el.getnext() is None:  # the closing tag's indentation was el's tail
        if prev is not None:
            prev.tail = el.tail
        elif not (parent.text or "").strip():
            parent.text = el.tail
    parent.remove(el)


def _forget_layout(el: etree._Element) -> None:
    """Mark a moved subtree as new, so that saving indents it for its new place."""
    for node in el.iter():
        node.sourceline = 0


def _insert_category(parent: etree._Element, el: etree._Element, index: int = -1) -> None:
    """Insert ``el`` as the ``index``-th category child of ``parent`` (last if out of range)."""
    cats = parent.findall(CATEGORY)
    if 0 <= index < len(cats):
        parent.insert(parent.index(cats[index]), el)
    else:
        parent.append(el)
    _forget_layout(el)


def remove_category(tax: etree._Element, cat_id: str) -> list[str]:
    """Delete a category; its subcategories move up into its place. Return their ids."""
    el = _category(tax, cat_id)
    parent = el.getparent()
    assert parent is not None
    children = el.findall(CATEGORY)
    for child in children:
        _detach(child)
        parent.insert(parent.index(el), child)
        _forget_layout(child)
    _detach(el)
    return [c.get(ns.XML_ID) or "" for c in children]


def move_category(tax: etree._Element, cat_id: str, parent_id: str = "", index: int = -1) -> None:
    """Put a category (with its subcategories) under ``parent_id`` ('' = top level), as its
    ``index``-th subcategory (-1 = last); refuse to put it under itself or its own subcategory."""
    el = _category(tax, cat_id)
    new_parent = _category(tax, parent_id) if parent_id else tax
    if new_parent is el or any(a is el for a in new_parent.iterancestors()):
        label = _label_of(el)
        raise TaxonomyError(f"“{label}” cannot go under {'itself' if new_parent is el else 'its own subcategory'} "
                            f"“{_label_of(new_parent)}”; choose another parent")  # fmt: skip
    _detach(el)
    _insert_category(new_parent, el, index)


def _label_of(el: etree._Element) -> str:
    desc = el.find(ns.qn("catDesc"))
    text = " ".join("".join(desc.itertext()).split()) if desc is not None else ""
    return text or el.get(ns.XML_ID) or "taxonomy"


def recategorize(ann: etree._Element, old: str, new: str) -> None:
    """Make an ``<annotation>`` that uses category ``old`` use ``new`` instead (in ``@ana``)."""
    check_xml_text(new)
    tokens: list[str] = []
    for token in (ann.get("ana") or "").split():
        token = "#" + new if token.lstrip("#") == old else token
        if token not in tokens:
            tokens.append(token)
    ann.set("ana", " ".join(tokens))


# -- a taxonomy as a file of its own: the historian's method, carried between documents -------
_FILE = """<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0">
  <teiHeader>
    <fileDesc>
      <titleStmt><title>{title}</title></titleStmt>
      <publicationStmt><p>Annotation categories exported by Glossator.</p></publicationStmt>
      <sourceDesc><p>Born digital.</p></sourceDesc>
    </fileDesc>
    <encodingDesc>
      <classDecl>
        {taxonomy}
      </classDecl>
    </encodingDesc>
  </teiHeader>
  <text><body><p/></body></text>
</TEI>
"""


def taxonomy_file_bytes(tax: etree._Element, title: str = "Annotation categories") -> bytes:
    """Return a small TEI file holding a copy of ``tax`` in its ``classDecl``."""
    check_xml_text(title)
    copy_ = etree.fromstring(etree.tostring(tax))
    for node in list(copy_.iter(etree.Comment)):
        node.getparent().remove(node)  # type: ignore[union-attr]
    copy_.set(ns.XML_ID, TAXONOMY_ID)
    _indent(copy_, "        ")
    text = etree.tostring(copy_, encoding=str, with_tail=False)
    text = text.replace(f' xmlns="{ns.TEI}"', "", 1)
    title = title.replace("&", "&amp;").replace("<", "&lt;")
    return _FILE.format(title=title, taxonomy=text).encode("utf-8")


def _indent(el: etree._Element, indent: str) -> None:
    cats = el.findall(CATEGORY)
    if not cats:
        return
    inner = indent + "  "
    el.text = "\n" + inner
    for child in el:
        child.tail = "\n" + inner
        _indent(child, inner)
    el[-1].tail = "\n" + indent


def export_taxonomy(tax: etree._Element, path: str | os.PathLike[str],
                    title: str = "Annotation categories") -> str:  # fmt: skip
    """Write ``tax`` as a small TEI file (atomically) and return the path written."""
    target = os.fspath(path)
    atomic_write(target, taxonomy_file_bytes(tax, title), backup=False)
    return target


def read_taxonomy(path: str | os.PathLike[str]) -> etree._Element:
    """Read the categories of a TEI file: its Glossator taxonomy, or else its first taxonomy
    with categories (an exported taxonomy or any annotated document). Return a fresh copy."""
    name = os.fspath(path)
    root = parse_bytes(read_file(name), name).getroot()
    found = [t for t in root.iter(ns.qn("taxonomy")) if t.find(CATEGORY) is not None]
    if not found:
        raise TaxonomyError("this file has no taxonomy with categories "
                            "(classDecl/taxonomy/category)", path=name)  # fmt: skip
    tax = next((t for t in found if t.get(ns.XML_ID) == TAXONOMY_ID), found[0])
    tax = etree.fromstring(etree.tostring(tax, with_tail=False), make_parser())
    for node in list(tax.iter(etree.Comment, etree.ProcessingInstruction)):
        node.getparent().remove(node)  # type: ignore[union-attr]
    seen: set[str] = set()
    for el in tax.iter(CATEGORY):
        cid = el.get(ns.XML_ID) or ""
        if not cid:
            raise TaxonomyError(f"a category has no xml:id (line {el.sourceline}); every category needs "
                                "one to be used by annotations", path=name)  # fmt: skip
        if cid in seen:
            raise TaxonomyError(f"the category id {cid!r} is used twice", path=name, line=el.sourceline)
        seen.add(cid)
    tax.set(ns.XML_ID, TAXONOMY_ID)
    for el in tax.iter():
        el.sourceline = 0
    return tax


@dataclass
class MergeReport:
    """What :func:`merge_taxonomy` did: ids added, ids that differ (kept as they were), ids
    skipped because the document uses them for something else, keys dropped as already taken."""

    added: list[str] = field(default_factory=list)
    differing: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    keys_dropped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Return a one-paragraph account for the user."""
        parts = [f"{len(self.added)} categor{'y' if len(self.added) == 1 else 'ies'} added"]
        if self.differing:
            parts.append(f"{len(self.differing)} already here with other labels, colours or keys "
                         f"(kept as they are: {', '.join(self.differing[:5])}"
                         f"{'…' if len(self.differing) > 5 else ''})")  # fmt: skip
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped: their ids name other things in the document "
                         f"({', '.join(self.skipped[:5])})")  # fmt: skip
        if self.keys_dropped:
            parts.append(f"{len(self.keys_dropped)} new categories came without their keys, which are "
                         "already taken")  # fmt: skip
        return "; ".join(parts) + "."


def _fields(el: etree._Element) -> tuple[str, str, str]:
    m = _COLOR.search(el.get("style") or "")
    return _label_of(el), (m.group(1).lower() if m else ""), (el.get("n") or "").upper()


def merge_taxonomy(tax: etree._Element, incoming: etree._Element, taken: Container[str] = ()) -> MergeReport:
    """Add the categories of ``incoming`` that ``tax`` lacks (by xml:id, under the same parent
    when it exists); existing ones are left alone and reported when they differ. ``taken`` are
    ids the document uses for other elements."""
    report = MergeReport()
    have = category_elements(tax)
    keys = {(el.get("n") or "").upper() for el in have.values()} - {""}
    for el in incoming.iter(CATEGORY):
        cid = el.get(ns.XML_ID) or ""
        if cid in have:
            if _fields(have[cid]) != _fields(el):
                report.differing.append(cid)
            continue
        if cid in taken:
            report.skipped.append(cid)
            continue
        new = etree.Element(CATEGORY, dict(el.attrib))
        for child in el:
            if child.tag != CATEGORY and isinstance(child.tag, str):
                new.append(etree.fromstring(etree.tostring(child, with_tail=False)))
        key = (new.get("n") or "").upper()
        if key and key in keys:
            del new.attrib["n"]
            report.keys_dropped.append(cid)
        elif key:
            keys.add(key)
        parent = el.getparent()
        parent_id = parent.get(ns.XML_ID) if parent is not None and parent.tag == CATEGORY else ""
        _insert_category(have.get(parent_id or "", tax), new)
        have[cid] = new
        report.added.append(cid)
    return report


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
