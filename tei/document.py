"""``TeiDocument``: a loaded TEI file, its text model, its annotations, and lossless saving.

The lxml tree is the single source of truth. Glossator owns one ``<standOff type="glossator">``
(annotators, sources, annotations), one ``taxonomy`` in ``classDecl`` and the ``xml:id``s it adds
to annotated elements; a save splices exactly those into the original text (see
:mod:`tei.source`), plus one ``<change>`` in ``revisionDesc`` when anything changed.
"""

from __future__ import annotations

import copy
import hashlib
import html
import logging
import os
import re
import secrets
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from . import annotations as _annotations
from . import ns, pointers
from . import relations as _relations
from .annotations import ANNOTATION, DEFAULT_MOTIVATION, Annotation
from .errors import AnnotationError, PointerError, TeiError
from .interventions import change_summary, text_edits
from .parser import parse_checking_ids, read_file, sniff_encoding
from .source import Edit, Source, apply_edits, insert_attribute, written_name
from .storage import DiskState, atomic_write, clean_leftovers
from .taxonomy import Taxonomy
from .textmodel import TextModel, text_of

log = logging.getLogger(__name__)

GLOSSATOR = "glossator"
#: Version of the standOff format written (``<listAnnotation subtype="glossator-2">``).
FORMAT_VERSION = "2"
APP_VERSION = "0.1.0"
STANDOFF = ns.qn("standOff")
LIST_ANNOTATION = ns.qn("listAnnotation")
_INDENTED = {
    ns.qn(t)
    for t in "standOff listAnnotation listChange annotation revisionDesc respStmt listPerson person listBibl "
    "taxonomy category classDecl encodingDesc biblStruct analytic monogr series imprint extent "
    "author editor relatedItem persName listRelation".split()
}
_XMLNS_DECL = re.compile(r'\s+xmlns(?::[\w.-]+)?="[^"]*"')
_ID_SAFE = re.compile(r"[^\w.-]")
#: Crockford's base32 alphabet (no i, l, o, u): id suffixes read unambiguously aloud and in diffs.
_BASE32 = "0123456789abcdefghjkmnpqrstvwxyz"
ID_SUFFIX_LENGTH = 10  # 50 bits
_randbits = secrets.randbits  # tests make it deterministic


def id_suffix(seed: str | None = None) -> str:
    """Return 10 base32 characters: random, or derived from ``seed`` (SHA-256) when given."""
    if seed is None:
        n = _randbits(5 * ID_SUFFIX_LENGTH)
    else:
        n = int.from_bytes(hashlib.sha256(seed.encode("utf-8", "surrogatepass")).digest()[:8])
    return "".join(_BASE32[(n >> (5 * i)) & 31] for i in range(ID_SUFFIX_LENGTH))


def _place_of(el: etree._Element) -> str:
    """Return ``el``'s path from the root, e.g. ``{tei}text[0]/{tei}body[0]/{tei}p[4]``."""
    steps = []
    node: etree._Element | None = el
    while node is not None and node.getparent() is not None:
        steps.append(f"{node.tag}[{sum(1 for _ in node.itersiblings(node.tag, preceding=True))}]")
        node = node.getparent()
    return "/".join(reversed(steps))


@dataclass(frozen=True)
class Resolution:
    """Where a pointer lands: global raw offsets [start, end), or why it does not."""

    status: str  # "ok" | "orphan" | "ambiguous" | "unsupported" | "outside"
    start: int | None = None
    end: int | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        """Tell whether the pointer resolved to a span of the displayed text."""
        return self.status == "ok"


@dataclass(frozen=True)
class Removed:
    """What :meth:`TeiDocument.remove_annotation` took out, so that it can be put back."""

    parent: etree._Element
    index: int
    element: etree._Element
    standoff_removed: bool
    relations: _relations.Detached | None = None  # the evidence links it was an end of


@dataclass(frozen=True)
class SourceEntry:
    """A bibliographic entry usable as a source: its id, formatted citation and element."""

    id: str
    citation: str
    element: etree._Element
    editable: bool


class TeiDocument:
    """A TEI document opened for annotation."""

    def __init__(self, tree: etree._ElementTree, source: Source, path: str | None = None,
                 disk: DiskState | None = None, *, ids_unique: bool = False) -> None:  # fmt: skip
        self.tree = tree
        self.root: etree._Element = tree.getroot()
        self.source = source
        self.path = path
        self.disk = disk
        self.warnings: list[str] = []
        self.text = TextModel(self.root)
        self.taxonomy = Taxonomy(self.root)
        self._ids: dict[str, list[etree._Element]] | None = None
        self._new_ids: dict[etree._Element, str] = {}
        self._minted: set[str] = set()  # ids given out since loading (never given out again)
        self._orig: dict[str, tuple[etree._Element, tuple[int, int], bytes]] = {}
        #: Original text nodes changed by interventions (see :mod:`tei.interventions`).
        self.text_slots: dict[tuple[etree._Element, etree._Element | None], object] = {}
        self._record_owned()
        if not ids_unique:  # (the parser may have checked them already: parse_checking_ids)
            self._check_ids()

    # -- loading ------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> TeiDocument:
        """Open a TEI file; raise a ``TeiError`` subclass with a clear message on bad input."""
        name = os.fspath(path)
        data = read_file(name)
        doc = cls.from_bytes(data, name)
        doc.disk = DiskState.of_bytes(name, data)
        doc.warnings.extend(clean_leftovers(name))  # of saves that were killed
        return doc

    @classmethod
    def from_bytes(cls, data: bytes, path: str | None = None) -> TeiDocument:
        """Parse TEI from bytes (``path`` is only used in messages and for saving)."""
        tree, unique = parse_checking_ids(data, path)
        encoding, bom = sniff_encoding(data)
        return cls(tree, Source.from_bytes(data, encoding, bom), path, ids_unique=unique)

    def _record_owned(self) -> None:
        for kind, el in (("standoff", self.standoff()), ("taxonomy", self.taxonomy.element())):
            if el is not None:
                span = self.source.element_span(self.root, el)
                self._orig[kind] = (el, span, etree.tostring(el))

    def _check_ids(self) -> None:
        dups = sorted(k for k, n in self.id_counts().items() if n > 1)
        if dups:
            shown = ", ".join(dups[:10]) + (f" and {len(dups) - 10} more" if len(dups) > 10 else "")
            self.warnings.append(
                f"{len(dups)} xml:id value(s) are used more than once ({shown}); "
                "pointers to them are ambiguous"
            )

    # -- ids ----------------------------------------------------------------------------------
    def id_counts(self) -> Counter[str]:
        """Return how many elements carry each xml:id, without indexing the elements (cheap)."""
        if self._ids is not None:
            return Counter({k: len(els) for k, els in self._ids.items()})
        return Counter(self.root.xpath("//@xml:id", smart_strings=False))

    def ids(self) -> dict[str, list[etree._Element]]:
        """Return every xml:id with the element(s) carrying it (more than one = duplicate)."""
        if self._ids is None:
            index: dict[str, list[etree._Element]] = {}
            for v in self.root.xpath("//@xml:id"):
                index.setdefault(str(v), []).append(v.getparent())
            self._ids = index
        return self._ids

    def element_by_id(self, xml_id: str) -> etree._Element | None:
        """Return the (first) element with this xml:id, or None."""
        found = self.ids().get(xml_id)
        return found[0] if found else None

    def _register_id(self, el: etree._Element, xml_id: str) -> None:
        if self._ids is not None and xml_id:
            found = self._ids.setdefault(xml_id, [])
            if not any(e is el for e in found):
                found.append(el)

    def _forget_id(self, el: etree._Element, xml_id: str) -> None:
        """Drop ``el`` (and only it) from the index entry of ``xml_id``."""
        if self._ids is None or xml_id not in self._ids:
            return
        self._ids[xml_id] = [e for e in self._ids[xml_id] if e is not el]
        if not self._ids[xml_id]:
            del self._ids[xml_id]

    def register_ids(self, el: etree._Element) -> None:
        """Index the xml:ids of ``el`` and its descendants (after putting a subtree back)."""
        for sub in el.iter():
            if isinstance(sub.tag, str) and sub.get(ns.XML_ID):
                self._register_id(sub, sub.get(ns.XML_ID) or "")

    def unregister_ids(self, el: etree._Element) -> None:
        """Forget the xml:ids of ``el`` and its descendants (after taking a subtree out)."""
        self._unregister_ids(el)

    def restore_added_id(self, el: etree._Element, xml_id: str) -> None:
        """Put back an xml:id that :meth:`ensure_id` had added and :meth:`drop_added_id` removed."""
        el.set(ns.XML_ID, xml_id)
        self._register_id(el, xml_id)
        self._new_ids[el] = xml_id

    def _unregister_ids(self, el: etree._Element) -> None:
        if self._ids is None:
            return
        for sub in el.iter():
            v = sub.get(ns.XML_ID) if isinstance(sub.tag, str) else None
            if v:
                self._forget_id(sub, v)

    def new_id(self, stem: str, seed: str | None = None) -> str:
        """Return a new xml:id ``<stem>-<10 base32 characters>`` (see ``docs/ids.md``).

        The suffix is random, so copies of a file never mint the same id and a removed id is
        not handed out again; with a ``seed`` it is derived from the seed instead (the same
        thing gets the same id in every copy). Never an id an element has, and never one this
        document gave out before.
        """
        stem = _ID_SAFE.sub("-", stem).rstrip("-") or "id"
        if not re.match(r"[A-Za-z_]", stem):
            stem = "id-" + stem
        ids = self.ids()
        if seed is not None:
            xml_id = f"{stem}-{id_suffix(seed)}"
            if xml_id not in ids:
                self._minted.add(xml_id)
                return xml_id
        while True:
            xml_id = f"{stem}-{id_suffix()}"
            if xml_id not in ids and xml_id not in self._minted:
                self._minted.add(xml_id)
                return xml_id

    def ensure_id(self, el: etree._Element) -> str:
        """Return ``el``'s xml:id, adding a new unique one (and only that) if it has none.

        The id is derived from the element's place and text, so copies of one file that anchor
        annotations on the same element add the same id (their merge agrees).
        """
        existing = el.get(ns.XML_ID)
        if existing:
            return existing
        xml_id = self.new_id("gl-" + ns.local_name(el.tag), seed=_place_of(el) + "\0" + text_of(el))
        el.set(ns.XML_ID, xml_id)
        self._register_id(el, xml_id)
        self._new_ids[el] = xml_id
        return xml_id

    def drop_added_id(self, el: etree._Element) -> None:
        """Remove an xml:id that :meth:`ensure_id` added (used to undo an annotation).

        Only ``el``'s own id is dropped: ids inside it (a note's, a word's) stay indexed.
        """
        xml_id = self._new_ids.pop(el, None)
        if xml_id and el.get(ns.XML_ID) == xml_id:
            del el.attrib[ns.XML_ID]
            self._forget_id(el, xml_id)

    def added_ids(self) -> dict[etree._Element, str]:
        """Return the elements that got an xml:id from Glossator since loading."""
        return dict(self._new_ids)

    # -- pointers -----------------------------------------------------------------------------
    def target_for(self, b0: int, r0: int, b1: int, r1: int) -> str:
        """Return the ``@target`` for a reading selection from (block b0, r0) to (block b1, r1).

        Adds xml:ids to the blocks' elements if they have none.
        """
        blocks = self.text.blocks
        for b, r in ((b0, r0), (b1, r1)):
            if not 0 <= b < len(blocks):
                raise PointerError(f"there is no block {b}: the text has {len(blocks)} "
                                   f"(numbered 0 to {len(blocks) - 1})")  # fmt: skip
            if not 0 <= r <= len(blocks[b].reading):
                raise PointerError(f"offset {r} is outside block {b}, whose text has "
                                   f"{len(blocks[b].reading)} characters")  # fmt: skip
        if (b1, r1) < (b0, r0):
            b0, r0, b1, r1 = b1, r1, b0, r0
        s0 = blocks[b0].to_raw(r0)
        s1 = s0 if (b0, r0) == (b1, r1) else blocks[b1].to_raw(r1, end=True)
        if blocks[b1].start + s1 < blocks[b0].start + s0:  # e.g. from a paragraph into its note
            raise AnnotationError("a passage must run forward in the text")
        id0, shift0 = self.anchor_id(blocks[b0].element)
        id1, shift1 = (id0, shift0) if b1 == b0 else self.anchor_id(blocks[b1].element)
        return str(pointers.span_pointer(id0, s0 + shift0, id1, s1 + shift1))

    def find(self, quote: str, *, prefix: str = "", suffix: str = "") -> str:
        """Return the ``@target`` of the passage of the reading text that reads ``quote``.

        Runs of whitespace match any whitespace; ``prefix``/``suffix`` (text just before/after)
        choose among several occurrences. Raise ``PointerError`` when the text has the quote
        nowhere, or more than once and the context does not tell which.
        """
        from .anchoring import ReadingIndex, Unanchored, anchor_target

        selector = {"type": "TextQuoteSelector", "exact": quote, "prefix": prefix,
                    "suffix": suffix}  # fmt: skip
        try:
            return anchor_target(self, ReadingIndex(self), {"selector": selector})
        except Unanchored as exc:
            raise PointerError(f"{quote!r}: {exc}") from None

    def anchor_id(self, el: etree._Element) -> tuple[str, int]:
        """Return an xml:id naming ``el`` unambiguously and the raw offset of ``el`` inside it.

        That is ``el``'s own id (added if it has none) unless another element carries the same
        one; then the nearest ancestor whose id is unique (or that has none, and gets one).
        """
        node, shift = el, 0
        while True:
            xml_id = node.get(ns.XML_ID)
            if not xml_id or len(self.ids().get(xml_id, ())) == 1:
                return self.ensure_id(node), shift
            parent = node.getparent()
            if parent is None:
                raise AnnotationError(f"xml:id {xml_id!r} is used more than once and no ancestor "
                                      "can be pointed at instead")  # fmt: skip
            shift += self.text.offsets_within(parent)[node]
            node = parent

    def resolve(self, target: str) -> list[Resolution]:
        """Resolve every pointer of a ``@target`` value."""
        return [self.resolve_pointer(p) for p in pointers.parse_target(target)]

    def resolve_pointer(self, p: pointers.Pointer) -> Resolution:
        """Resolve one pointer to global raw offsets."""
        try:
            start, end = self._span(p)
        except _Unresolved as exc:
            return Resolution(exc.status, message=exc.message)
        return Resolution("ok", start, end)

    def _node(self, node: pointers.Node) -> etree._Element:
        if isinstance(node, pointers.IdRef):
            found = self.ids().get(node.id)
            if not found:
                raise _Unresolved("orphan", f"no element has xml:id {node.id!r}")
            if len(found) > 1:
                raise _Unresolved("ambiguous", f"xml:id {node.id!r} is used {len(found)} times")
            return found[0]
        result = self._xpath(node.expr)
        elements = [r for r in result if isinstance(r, etree._Element)]
        if not elements:
            raise _Unresolved("orphan", f"XPath {node.expr!r} selects nothing")
        return elements[0]

    def _xpath(self, expr: str) -> list[object]:
        for candidate in (expr, _prefix_tei(expr)):
            try:
                result = self.root.xpath(candidate, namespaces={"tei": ns.TEI})
            except etree.XPathError:
                continue
            if isinstance(result, list) and result:
                return result
        return []

    def _start_of(self, el: etree._Element) -> int:
        if el.tag in _SKIPPED or any(a.tag in _SKIPPED for a in el.iterancestors()):
            raise _Unresolved("outside", "the target is outside the text (header or standOff)")
        try:
            return self.text.global_start(el)
        except (ValueError, KeyError):
            raise _Unresolved("outside", "the target is outside the displayed text") from None

    def _span(self, p: pointers.Pointer) -> tuple[int, int]:
        if isinstance(p, pointers.IdRef | pointers.XPath):
            el = self._node(p)
            start = self._start_of(el)
            return start, start + len(text_of(el))
        if isinstance(p, pointers.StringRange):
            el = self._node(p.node)
            length = len(text_of(el))
            if p.offset + p.length > length:
                raise _Unresolved(
                    "orphan", f"offset {p.offset}+{p.length} is past the end ({length} characters)"
                )
            start = self._start_of(el) + p.offset
            return start, start + p.length
        if isinstance(p, pointers.StringIndex):
            el = self._node(p.node)
            if p.offset > len(text_of(el)):
                raise _Unresolved("orphan", f"offset {p.offset} is past the end of the element")
            pos = self._start_of(el) + p.offset
            return pos, pos
        if isinstance(p, pointers.Side):
            a, b = self._span(p.inner_pointer)
            return (a, a) if p.side == "left" else (b, b)
        if isinstance(p, pointers.Range):
            a, _ = self._span(p.start)
            _, b = self._span(p.end)
            if b < a:
                raise _Unresolved("orphan", "the range ends before it starts")
            return a, b
        if isinstance(p, pointers.Match):
            el = self._node(p.node)
            try:
                found = list(re.finditer(p.pattern.replace("\\s", r"\s"), text_of(el)))
            except re.error as exc:
                raise _Unresolved("unsupported", f"bad regular expression: {exc}") from None
            idx = (p.index or 1) - 1
            if idx >= len(found):
                raise _Unresolved("orphan", f"no match for {p.pattern!r}")
            start = self._start_of(el)
            return start + found[idx].start(), start + found[idx].end()
        if isinstance(p, pointers.External):
            raise _Unresolved("unsupported", f"points into another document: {p.uri}")
        assert isinstance(p, pointers.Unknown)
        raise _Unresolved("unsupported", p.reason)

    # -- reading text helpers -----------------------------------------------------------------
    def quote_for(self, start: int, end: int, context: int = 32) -> tuple[str, str, str]:
        """Return (exact, prefix, suffix) reading text for global raw [start, end)."""
        pieces = self.text.blocks_between(start, end)
        if not pieces:
            return "", "", ""
        exact = "\n".join(self.text.blocks[i].reading[r0:r1] for i, r0, r1 in pieces)
        b0, r0, _ = pieces[0]
        b1, _, r1 = pieces[-1]
        prefix = self.text.blocks[b0].reading[max(0, r0 - context) : r0]
        suffix = self.text.blocks[b1].reading[r1 : r1 + context]
        return exact, prefix, suffix

    # -- annotations --------------------------------------------------------------------------
    def standoff(self) -> etree._Element | None:
        """Return Glossator's own ``<standOff>``, if the document has one."""
        for so in self.root.iterchildren(STANDOFF):
            if so.get("type") == GLOSSATOR:
                return so
        return None

    def annotations(self) -> list[Annotation]:
        """Return every ``<annotation>`` in every ``<standOff>`` (ours and other tools')."""
        return [Annotation(el, self) for el in self._annotation_elements()]

    def _annotation_elements(self) -> Iterator[etree._Element]:
        for so in self._standoffs(self.root):
            yield from so.iter(ANNOTATION)

    def _standoffs(self, el: etree._Element) -> Iterator[etree._Element]:
        """Yield every ``<standOff>``: children of ``TEI``/``teiCorpus``, at any nesting."""
        for child in el.iterchildren(STANDOFF, ns.qn("TEI"), ns.qn("teiCorpus")):
            if child.tag == STANDOFF:
                yield child
            else:
                yield from self._standoffs(child)

    def annotation(self, ann_id: str) -> Annotation:
        """Return the annotation with this id or raise ``AnnotationError``."""
        el = self.element_by_id(ann_id)
        if el is None or el.tag != ANNOTATION:
            raise AnnotationError(f"no annotation {ann_id!r}")
        return Annotation(el, self)

    def add_annotation(self, target: str, category: str, *, annotator: str = "",
                       annotator_name: str = "", when: str | None = None,
                       placed: bool = True) -> Annotation:  # fmt: skip
        """Create an annotation on ``target`` in ``category`` and return it.

        Records the quote with prefix and suffix, creator and creation time. With
        ``placed=False`` the target need not resolve (an annotation kept for review, whose
        caller records its quote and why it is not placed).
        """
        if not target.strip():
            raise AnnotationError("an annotation needs a target")
        if category not in self.taxonomy.categories:
            known = ", ".join(self.taxonomy.categories)
            raise AnnotationError(f"unknown category {category!r}; the document has: {known}")
        res = self.resolve(target) if placed else []
        for r in res:
            if not r.ok:
                raise PointerError(f"the target {target!r} does not point into the text: "
                                   f"{r.message or r.status}")  # fmt: skip
        kind = self.taxonomy.kind_of(category)
        ann_id = self.new_id("gl-a")
        attrib = {ns.XML_ID: ann_id, "target": target, "motivation": DEFAULT_MOTIVATION[kind]}
        attrib["ana"] = "#" + category
        if annotator:
            attrib["resp"] = "#" + annotator
        el = etree.Element(ANNOTATION, attrib)
        if annotator:
            resp = etree.SubElement(el, ns.qn("respStmt"))
            etree.SubElement(resp, ns.qn("resp")).text = "creator"
            etree.SubElement(resp, ns.qn("persName"), ref="#" + annotator).text = (
                annotator_name or self.annotators().get(annotator) or annotator
            )
        rev = etree.SubElement(el, ns.qn("revisionDesc"))
        change = etree.SubElement(rev, ns.qn("change"), status="created", when=when or _annotations.now_iso())
        if annotator:
            change.set("who", "#" + annotator)
        self._list_annotation().append(el)
        self._register_id(el, ann_id)
        ann = Annotation(el, self)
        if res:
            exact, prefix, suffix = self.quote_for(res[0].start or 0, res[0].end or 0)
            ann.set_quote(exact, prefix, suffix)
        return ann

    def retarget_annotation(self, ann_id: str, target: str) -> Annotation:
        """Point an annotation at a new passage and record the new quote."""
        ann = self.annotation(ann_id)
        ann.target = target
        res = self.resolve(target)
        if res and res[0].ok:
            ann.set_quote(*self.quote_for(res[0].start or 0, res[0].end or 0))
        return ann

    def _list_annotation(self) -> etree._Element:
        so = self.ensure_standoff()
        lst = so.find(LIST_ANNOTATION)
        if lst is None:
            lst = etree.SubElement(so, LIST_ANNOTATION, type=GLOSSATOR)
            lst.set("subtype", f"glossator-{FORMAT_VERSION}")
        return lst

    def ensure_standoff(self) -> etree._Element:
        """Return Glossator's ``<standOff>``, creating it if needed."""
        so = self.standoff()
        if so is None:
            so = etree.Element(STANDOFF, type=GLOSSATOR)
            so.tail = "\n"
            self.root.insert(self._standoff_index(), so)
        return so

    def _standoff_index(self) -> int:
        children = [c for c in self.root if isinstance(c.tag, str)]
        nested = [i for i, c in enumerate(self.root) if c.tag in (ns.qn("TEI"), ns.qn("teiCorpus"))]
        if not nested:
            return len(self.root)
        if ns.is_tei(self.root.tag, "teiCorpus"):
            header = self.root.find(ns.qn("teiHeader"))
            return self.root.index(header) + 1 if header is not None else 0
        del children
        return nested[0]

    def remove_annotation(self, ann_id: str) -> Removed:
        """Remove an annotation (ours only) and return what is needed to put it back."""
        ann = self.annotation(ann_id)
        if not ann.editable:
            raise AnnotationError("this annotation belongs to another tool's standOff")
        links = _relations.detach_relations_of(self, ann_id)  # no link left pointing at nothing
        el = ann.element
        parent = el.getparent()
        assert parent is not None
        index = parent.index(el)
        parent.remove(el)
        self._unregister_ids(el)
        so = self.standoff()
        standoff_removed = False
        if parent.tag == LIST_ANNOTATION and not len(parent):
            so_parent = parent.getparent()
            assert so_parent is not None
            so_parent.remove(parent)
            if so is not None and not len(so):
                self.root.remove(so)
                standoff_removed = True
        return Removed(parent, index, el, standoff_removed, links if links.items else None)

    def restore_annotation(self, removed: Removed) -> Annotation:
        """Put back an annotation taken out by :meth:`remove_annotation`.

        If another element has taken its xml:id meanwhile, the annotation gets a fresh id (never
        a duplicate): compare the returned annotation's id with the one removed to tell the user.
        """
        parent = removed.parent
        if parent.getparent() is None and parent.tag == LIST_ANNOTATION:
            so = self.ensure_standoff() if removed.standoff_removed else self.standoff()
            if so is None:
                so = self.ensure_standoff()
            after = so.find(_relations.LIST_RELATION)  # the annotations stay before their links
            so.insert(so.index(after) if after is not None else len(so), parent)
        el = removed.element
        xml_id = original = el.get(ns.XML_ID) or ""
        if any(e is not el for e in self.ids().get(xml_id, ())):
            fresh = self.new_id("gl-a")
            log.warning("annotation %s restored as %s: another element has that id now", xml_id, fresh)
            el.set(ns.XML_ID, fresh)
            xml_id = fresh
        parent.insert(removed.index, el)
        self._register_id(el, xml_id)
        if removed.relations is not None:
            removed.relations.restore(self, (original, xml_id) if xml_id != original else ("", ""))
        return Annotation(el, self)

    def delete_new_annotation(self, ann_id: str) -> None:
        """Undo :meth:`add_annotation`: remove it and any empty containers it created."""
        self.remove_annotation(ann_id)

    def replace_annotation_element(self, ann_id: str, new: etree._Element) -> Annotation:
        """Swap an annotation's element for ``new`` (a snapshot), keeping its place."""
        old = self.annotation(ann_id).element
        parent = old.getparent()
        assert parent is not None
        parent.replace(old, new)
        self._unregister_ids(old)
        self._register_id(new, new.get(ns.XML_ID) or "")
        return Annotation(new, self)

    # -- annotators and sources ---------------------------------------------------------------
    def ensure_annotator(self, name: str, orcid: str = "") -> str:
        """Return the person id for this annotator, adding them to our ``listPerson`` if new."""
        _annotations.check_xml_text(name, orcid)
        lst = self._standoff_list("listPerson")
        for person in lst.iter(ns.qn("person")):
            pname = person.find(ns.qn("persName"))
            if pname is not None and "".join(pname.itertext()).strip() == name.strip():
                if orcid:
                    _set_idno(person, orcid)
                return person.get(ns.XML_ID) or ""
        pid = self.new_id("gl-person", seed="person\0" + name.strip())  # one name, one id
        person = etree.SubElement(lst, ns.qn("person"), {ns.XML_ID: pid})
        etree.SubElement(person, ns.qn("persName")).text = name.strip() or pid
        if orcid:
            _set_idno(person, orcid)
        self._register_id(person, pid)
        return pid

    def annotators(self) -> dict[str, str]:
        """Return person id -> name for the annotators recorded in our standOff."""
        so = self.standoff()
        out: dict[str, str] = {}
        lists = so.iterchildren(ns.qn("listPerson")) if so is not None else []  # not the annotations
        for person in (p for lst in lists for p in lst.iter(ns.qn("person"))):
            pname = person.find(ns.qn("persName"))
            out[person.get(ns.XML_ID) or ""] = (
                "".join(pname.itertext()).strip() if pname is not None else ""
            )
        return out

    def _standoff_list(self, tag: str) -> etree._Element:
        so = self.ensure_standoff()
        lst = so.find(ns.qn(tag))
        if lst is None:
            lst = etree.Element(ns.qn(tag))
            # listPerson, listBibl first, listAnnotation last (readers see who and what first)
            anchor = so.find(LIST_ANNOTATION)
            so.insert(so.index(anchor) if anchor is not None else len(so), lst)
        return lst

    def sources(self) -> list[SourceEntry]:
        """Return every bibliographic entry with an xml:id (ours are editable)."""
        out = []
        for tag in ("bibl", "biblStruct"):
            for el in self.root.iter(ns.qn(tag)):
                sid = el.get(ns.XML_ID)
                if sid:
                    so = next(el.iterancestors(STANDOFF), None)
                    ours = so is not None and so.get("type") == GLOSSATOR
                    out.append(SourceEntry(sid, format_citation(el), el, ours))
        return out

    def add_source(self, *, author: str = "", title: str = "", date: str = "", place: str = "",
                   publisher: str = "", url: str = "", note: str = "") -> str:  # fmt: skip
        """Add a ``<bibl>`` to our ``listBibl`` and return its id."""
        _annotations.check_xml_text(author, title, date, place, publisher, url, note)
        lst = self._standoff_list("listBibl")
        stem = re.sub(r"\W+", "-", (author.split(",")[0] or title or "source").strip().lower())
        sid = self.new_id(f"src-{stem[:24]}")
        bibl = etree.SubElement(lst, ns.qn("bibl"), {ns.XML_ID: sid})
        fill_bibl(bibl, author=author, title=title, date=date, place=place, publisher=publisher,
                  url=url, note=note)  # fmt: skip
        self._register_id(bibl, sid)
        return sid

    def remove_source(self, sid: str) -> tuple[etree._Element, int, etree._Element]:
        """Remove one of our sources; return (parent, index, element) for undo."""
        el = self.element_by_id(sid)
        if el is None:
            raise AnnotationError(f"no source {sid!r}")
        parent = el.getparent()
        assert parent is not None
        index = parent.index(el)
        parent.remove(el)
        self._unregister_ids(el)
        return parent, index, el

    def citing_annotations(self, sid: str) -> list[Annotation]:
        """Return the annotations that point to source ``sid``."""
        return [a for a in self.annotations() if sid in a.cited_sources()]

    # -- taxonomy -----------------------------------------------------------------------------
    def materialize_taxonomy(self) -> tuple[etree._Element, bool]:
        """Make sure our taxonomy is in the header (to edit it); return (element, was added)."""
        el = self.taxonomy.element()
        if el is not None:
            return el, False
        tax = self.taxonomy.effective()
        for node in list(tax.iter(etree.Comment)):
            node.getparent().remove(node)  # type: ignore[union-attr]
        class_decl = self._header_child_path(["encodingDesc", "classDecl"])
        class_decl.append(tax)
        self.register_ids(tax)
        self.taxonomy._default = None
        self.taxonomy.invalidate()
        return tax, True

    def _header_child_path(self, path: list[str]) -> etree._Element:
        header = self.root.find(ns.qn("teiHeader"))
        if header is None:
            raise AnnotationError("the document has no teiHeader")
        node = header
        for tag in path:
            child = node.find(ns.qn(tag))
            if child is None:
                child = etree.Element(ns.qn(tag))
                if tag == "encodingDesc":
                    file_desc = node.find(ns.qn("fileDesc"))
                    node.insert(node.index(file_desc) + 1 if file_desc is not None else 0, child)
                else:
                    node.append(child)
            node = child
        return node

    # -- saving -------------------------------------------------------------------------------
    def to_bytes(self, *, who: str = "", when: str | None = None) -> bytes:
        """Return the document as it would be saved (only owned parts differ from the original)."""
        edits = self._edits()
        if not edits:
            return self.source.data
        header = self.root.find(ns.qn("teiHeader"))  # none or <teiHeader/>: no taxonomy stored
        has_header = header is not None and (len(header) > 0 or header.text is not None)
        if self._has_annotations() and self.taxonomy.element() is None and has_header:
            edits.append(self._taxonomy_insertion(self.taxonomy.effective()))
        change = self._change_edit(who, when)
        if change is not None:
            edits.append(change)
        if self.source.newline != "\n":
            edits = [Edit(e.start, e.end, e.new.replace("\n", self.source.newline)) for e in edits]
        return self.source.encode(apply_edits(self.source.text, _merge_inserts(edits)))

    def save(self, path: str | os.PathLike[str] | None = None, *, force: bool = False,
             who: str = "", backup: bool = True) -> str:  # fmt: skip
        """Save atomically (keeping a ``.bak``); refuse if the file changed on disk unless ``force``.

        Returns the path written.
        """
        target = os.fspath(path) if path is not None else self.path
        if not target:
            raise TeiError("no file name to save to")
        data = self.to_bytes(who=who)
        same_file = self.path is not None and os.path.abspath(target) == os.path.abspath(self.path)
        expected = self.disk if same_file else None
        self.disk = atomic_write(target, data, expected=expected, force=force, backup=backup)
        self.path = target
        return target

    def _has_annotations(self) -> bool:
        so = self.standoff()
        return so is not None and next(so.iter(ANNOTATION), None) is not None

    def sync_source(self) -> None:
        """Tell the source what the tree added since loading (ids, owned parts), so that it can
        find original start tags."""
        self.source.added_ids = self._new_ids
        self.source.owned_spans = [span for _, span, _ in self._orig.values()]
        self.source.owned_elements = [
            el for el in (self.standoff(), self.taxonomy.element()) if el is not None
        ]

    def _edits(self) -> list[Edit]:
        self.sync_source()
        edits: list[Edit] = text_edits(self)
        targeted = [el for el, xml_id in self._new_ids.items()
                    if el.get(ns.XML_ID) == xml_id and el.getroottree().getroot() is self.root]  # fmt: skip
        for el, span in self.source.start_tags(self.root, targeted).items():
            edits.append(insert_attribute(self.source, span, "xml:id", self._new_ids[el]))
        edits.extend(self._owned_edit("standoff", self.standoff()))
        edits.extend(self._owned_edit("taxonomy", self.taxonomy.element()))
        return edits

    def _owned_edit(self, kind: str, current: etree._Element | None) -> list[Edit]:
        orig = self._orig.get(kind)
        if orig is not None:
            el, (start, end), xml = orig
            if current is el and etree.tostring(el) == xml:
                return []
            if current is None:
                return [Edit(*_with_line(self.source.text, start, end), "")]
            return [Edit(start, end, self._serialize(current, self.source.line_indent(start)))]
        if current is None:
            return []
        if kind == "standoff":
            return [self._standoff_insertion(current)]
        return [self._taxonomy_insertion(current)]

    def _standoff_insertion(self, so: etree._Element) -> Edit:
        """Insert a new standOff after its previous sibling (the last resource, or the header)."""
        first = next((c for c in self.root if isinstance(c.tag, str) and c.sourceline), None)
        indent = (
            self.source.line_indent(self.source.start_tag(self.root, first)[0])
            if first is not None else "  "
        )  # fmt: skip
        nxt = so.getnext()
        if nxt is None or not nxt.sourceline:
            pos = self.source.root_end_tag(self.root)
            while pos > 0 and self.source.text[pos - 1] in " \t\r\n":
                pos -= 1
        else:
            prev = so.getprevious()
            while prev is not None and not (isinstance(prev.tag, str) and prev.sourceline):
                prev = prev.getprevious()
            if prev is None:
                raise TeiError("cannot place the standOff in this document")
            _, pos = self.source.element_span(self.root, prev)
        return Edit(pos, pos, "\n" + indent + self._serialize(so, indent))

    def _taxonomy_insertion(self, tax: etree._Element) -> Edit:
        """Insert our taxonomy into the header of the original text, creating parents as needed."""
        header = self.root.find(ns.qn("teiHeader"))
        if header is None:
            raise TeiError("cannot store the taxonomy: the document has no teiHeader")
        chain = [("encodingDesc", header), ("classDecl", None)]
        node, missing = header, []
        for tag, _ in chain:
            child = next((c for c in node.iterchildren(ns.qn(tag)) if c.sourceline), None)
            if child is None:
                missing.append(tag)
                continue
            node = child
        indent_unit = "  "
        if missing == ["encodingDesc", "classDecl"] or missing == ["encodingDesc"]:
            anchor = header.find(ns.qn("fileDesc"))
            if anchor is not None and anchor.sourceline:
                _, pos = self.source.element_span(self.root, anchor)
                indent = self.source.line_indent(self.source.start_tag(self.root, anchor)[0])
            else:  # no fileDesc (invalid TEI, but it happens): first in the header
                if self.source.text[self.source.element_span(self.root, header)[1] - 2] == "/":
                    raise TeiError("cannot store the taxonomy: the teiHeader is empty")
                _, pos = self.source.start_tag(self.root, header)
                indent = self.source.line_indent(self.source.start_tag(self.root, header)[0]) + "  "
            inner = self._serialize(tax, indent + indent_unit * 2)
            text = (f"\n{indent}<encodingDesc>\n{indent}{indent_unit}<classDecl>\n"
                    f"{indent}{indent_unit * 2}{inner}\n{indent}{indent_unit}</classDecl>\n"
                    f"{indent}</encodingDesc>")  # fmt: skip
            return Edit(pos, pos, text)
        # append as the last child of ``node`` (classDecl, or encodingDesc when classDecl is missing)
        indent = self.source.line_indent(self.source.start_tag(self.root, node)[0]) + indent_unit
        body = self._serialize(tax, indent + (indent_unit if missing else ""))
        if missing:
            body = (f"<classDecl>\n{indent}{indent_unit}{body}\n{indent}</classDecl>")
        return self._append_child(node, body, indent)

    def _append_child(self, node: etree._Element, body: str, indent: str) -> Edit:
        """Insert ``body`` as the last child of original element ``node`` (opening ``<node/>``)."""
        text = self.source.text
        start, end = self.source.element_span(self.root, node)
        if text[end - 2] == "/":  # <node/> must become <node>body</node>: the only bytes replaced
            close = f"\n{self.source.line_indent(start)}</{written_name(node)}>"
            return Edit(end - 2, end, f">\n{indent}{body}{close}")
        close = text.rfind("</", start, end)
        ws_start = close
        while ws_start > start and text[ws_start - 1] in " \t":
            ws_start -= 1
        if text[ws_start - 1] == "\n":  # the end tag stands on a line of its own
            return Edit(ws_start, ws_start, f"{indent}{body}\n")
        return Edit(close, close, f"\n{indent}{body}\n{self.source.line_indent(start)}")

    def _change_edit(self, who: str, when: str | None) -> Edit | None:
        header = self.root.find(ns.qn("teiHeader"))
        if header is None:
            return None
        when = when or _annotations.now_iso()
        attrs = f'when="{when}"' + (f' who="#{who}"' if who else "")
        n = sum(1 for _ in self._annotation_elements())
        text = f"Glossator {APP_VERSION}: annotations updated ({n} in the document)."
        text += html.escape(change_summary(self), quote=False)
        rev = header.find(ns.qn("revisionDesc"))
        if rev is None or not rev.sourceline:
            last = next((c for c in reversed(header) if isinstance(c.tag, str) and c.sourceline),
                        None)  # fmt: skip
            if last is None:
                return None
            _, pos = self.source.element_span(self.root, last)
            indent = self.source.line_indent(self.source.start_tag(self.root, last)[0])
            return Edit(pos, pos, f"\n{indent}<revisionDesc>\n{indent}  <change {attrs}>{text}"
                                  f"</change>\n{indent}</revisionDesc>")  # fmt: skip
        container = rev.find(ns.qn("listChange"))
        container = container if container is not None else rev
        first = next((c for c in container if c.tag == ns.qn("change")), None)
        if first is None:
            if container is rev and len(rev):
                log.info("revisionDesc holds a list, not changes: no change recorded")
                return None
            indent = self.source.line_indent(self.source.start_tag(self.root, container)[0]) + "  "
            return self._append_child(container, f"<change {attrs}>{text}</change>", indent)
        start, _ = self.source.start_tag(self.root, first)
        indent = self.source.line_indent(start)
        return Edit(start, start, f"<change {attrs}>{text}</change>\n{indent}")

    def _serialize(self, el: etree._Element, indent: str) -> str:
        """Return ``el`` as indented XML text; the live tree is never touched (indents a copy)."""
        el = copy.deepcopy(el)
        _pretty(el, indent, "  ", _grown(el))
        text = etree.tostring(el, encoding=str, with_tail=False)
        head_end = text.index(">")
        return _XMLNS_DECL.sub("", text[:head_end]) + text[head_end:]


class _Unresolved(Exception):
    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


_SKIPPED = {ns.qn("teiHeader"), STANDOFF}


def _prefix_tei(expr: str) -> str:
    """Add ``tei:`` to unprefixed element name tests so ``//p[1]`` finds TEI paragraphs."""
    return re.sub(
        r"(^|/|::|\(|\[|\|)\s*([A-Za-z_][\w.-]*)(?=\s*(?:$|[/\[\]|)]))",
        lambda m: m.group(1) + ("tei:" + m.group(2) if m.group(2) not in _XPATH_WORDS else m.group(2)),
        expr,
    )


_XPATH_WORDS = {"and", "or", "mod"}  # operators; element names (text, div) are prefixed


def _grown(root: etree._Element) -> set[etree._Element]:
    """Return the containers under ``root`` (the elements :func:`_pretty` may indent) that are
    new (not read from the file) or hold a new child, directly or in a container below. What is
    inside other elements (a note's paragraphs, a change's fields) never changes their layout."""
    grown: set[etree._Element] = set()

    def visit(el: etree._Element) -> bool:
        new = el.sourceline is None
        for c in el:
            if not isinstance(c.tag, str):
                continue
            if c.tag == _REVISION:  # a change log keeps its own layout (see _laid_out)
                if c.sourceline is None or (not _laid_out(c) and any(
                        x.sourceline is None for x in c if isinstance(x.tag, str))):  # fmt: skip
                    grown.add(c)
                    new = True
            elif c.tag in _INDENTED:
                new = visit(c) or new
            elif c.sourceline is None:
                new = True
        if new:
            grown.add(el)
        return new

    visit(root)
    return grown


def _pretty(el: etree._Element, indent: str, step: str, grown: set[etree._Element]) -> None:
    """Indent element-only containers under ``el`` (never touches mixed content).

    Subtrees read from the file that gained no new element (not in ``grown``) keep their
    layout: an annotation Glossator did not change is written back as it was.
    """
    if el.tag not in _INDENTED or not len(el) or (el.text and el.text.strip()) or el not in grown:
        return
    inner = indent + step
    if el.tag == _REVISION and _laid_out(el, "\n" + inner, "\n" + indent):
        return
    children = list(el)
    if any(c.tail and c.tail.strip() for c in children):
        return
    el.text = "\n" + inner
    for c in children:
        c.tail = "\n" + inner
        if c.tag in _INDENTED:
            _pretty(c, inner, step, grown)
    children[-1].tail = "\n" + indent


_REVISION = ns.qn("revisionDesc")
_GAPS = etree.XPath("text()", smart_strings=False)


def _laid_out(el: etree._Element, inner: str | None = None, close: str | None = None) -> bool:
    """Tell whether every child of ``el`` stands on a line of its own, indented alike (``inner``
    before each, ``close`` before the end tag, when given): read in one XPath call, so that a
    change log of thousands of entries is not walked in Python on every save."""
    gaps = _GAPS(el)
    if len(gaps) != len(el) + 1 or el.text is None:
        return False
    first, last = gaps[0], gaps[-1]
    if inner is not None and (first != inner or last != close):
        return False
    return (first.startswith("\n") and last.startswith("\n") and not first.strip() and not last.strip()
            and len(set(gaps[:-1])) == 1)  # fmt: skip


def _with_line(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) to swallow the indentation before and the newline after, if alone."""
    ls = text.rfind("\n", 0, start) + 1
    if text[ls:start].strip() == "" and text[end : end + 1] == "\n":
        return ls, end + 1
    return start, end


def _merge_inserts(edits: list[Edit]) -> list[Edit]:
    """Join insertions at the same offset so that ``apply_edits`` sees no overlap."""
    merged: dict[tuple[int, int], Edit] = {}
    for e in edits:
        key = (e.start, e.end)
        if key in merged and e.start == e.end:
            merged[key] = Edit(e.start, e.end, merged[key].new + e.new)
        else:
            merged[key] = e
    return list(merged.values())


def _set_idno(person: etree._Element, orcid: str) -> None:
    idno = next((i for i in person.iter(ns.qn("idno")) if i.get("type") == "ORCID"), None)
    if idno is None:
        idno = etree.SubElement(person, ns.qn("idno"), type="ORCID")
    idno.text = orcid


def fill_bibl(bibl: etree._Element, **fields: str) -> None:
    """Replace a ``<bibl>``'s content with author, title, date, place, publisher, url, note
    (a ``<biblStruct>`` has just the changed fields changed, keeping its structure)."""
    _annotations.check_xml_text(*fields.values())
    if bibl.tag == ns.qn("biblStruct"):
        from .bibliography import edit_biblstruct

        edit_biblstruct(bibl, fields)
        return
    for child in list(bibl):
        bibl.remove(child)
    bibl.text = None
    order = [("author", "author"), ("title", "title"), ("place", "pubPlace"),
             ("publisher", "publisher"), ("date", "date"), ("url", "ref"), ("note", "note")]  # fmt: skip
    for key, tag in order:
        value = (fields.get(key) or "").strip()
        if not value:
            continue
        child = etree.SubElement(bibl, ns.qn(tag))
        child.text = value
        if tag == "ref":
            child.set("target", value)
        child.tail = " "
    if len(bibl):
        bibl[-1].tail = None


def bibl_fields(bibl: etree._Element) -> dict[str, str]:
    """Read back the fields written by :func:`fill_bibl` (best effort for foreign entries)."""
    if bibl.tag == ns.qn("biblStruct"):
        from .bibliography import biblstruct_fields

        return biblstruct_fields(bibl)
    tags = {"author": "author", "title": "title", "pubPlace": "place", "publisher": "publisher",
            "date": "date", "ref": "url", "note": "note"}  # fmt: skip
    out = {v: "" for v in tags.values()}
    for child in bibl:
        key = tags.get(ns.local_name(child.tag))
        if key and not out[key]:
            out[key] = " ".join("".join(child.itertext()).split())
    return out


def format_citation(el: etree._Element) -> str:
    """Return a one-line human citation of a ``<bibl>``/``<biblStruct>``."""
    f = bibl_fields(el)
    if not any(f.values()):
        for tag in ("author", "title", "date", "pubPlace", "publisher"):
            found = el.find(f".//{ns.qn(tag)}")
            if found is not None:
                f[{"pubPlace": "place"}.get(tag, tag)] = " ".join("".join(found.itertext()).split())
    parts = [f["author"], f["title"], ", ".join(p for p in (f["place"], f["publisher"]) if p),
             f["date"]]  # fmt: skip
    text = ". ".join(p.rstrip(".") for p in parts if p)
    return text or " ".join("".join(el.itertext()).split())


def short_citation(el: etree._Element) -> str:
    """Return an author–year form of a ``<bibl>``/``<biblStruct>`` ('Garver 1988'), else its
    citation shortened to 40 characters."""
    f = bibl_fields(el)

    def first(tag: str) -> str:
        found = el.find(f".//{ns.qn(tag)}")
        return " ".join("".join(found.itertext()).split()) if found is not None else ""

    author = (f["author"] or first("surname") or first("author")).split(",")[0].split(";")[0].strip()
    year = re.search(r"\d{4}", f["date"] or first("date"))
    if author:
        return author + (f" {year.group()}" if year else "")
    citation = format_citation(el)
    return citation if len(citation) <= 40 else citation[:39].rstrip() + "…"
