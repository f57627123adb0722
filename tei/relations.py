"""Evidence links between annotations: small proxy objects over ``<relation>`` elements.

An annotation (the *active* end) corroborates, contradicts, qualifies or gives another value for
another annotation or passage (the *passive* end), in the same document or in another TEI file::

    <listRelation>
      <relation xml:id="gl-r-…" name="contradicts" active="#gl-a-…"
                passive="other.xml#gl-a-…" cert="medium" resp="#gl-person-…">
        <desc>The note.</desc>
      </relation>
    </listRelation>

The list is in Glossator's ``<standOff>``, after ``listAnnotation``. The passive end is
``#ID`` (this document), ``FILE#ID`` or ``FILE#POINTER`` (``FILE`` relative to this document's
folder, a URI path); a passage pointer keeps the passage it showed as a ``<quote>`` in the
``desc``, so that a change of the other file is noticed. As in :mod:`tei.annotations`, nothing is
cached outside the tree. :func:`resolve` finds the passive end and reports (never drops) a
missing file, a missing id, or a passage that no longer reads as it did.
"""

from __future__ import annotations

import logging
import os
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

from lxml import etree

from . import ns, pointers
from .annotations import ANNOTATION, CERTAINTIES, Annotation, check_xml_text
from .errors import AnnotationError, TeiError

if TYPE_CHECKING:
    from .document import TeiDocument

log = logging.getLogger(__name__)

#: The kinds of evidence link, as written in ``@name``.
NAMES = ("corroborates", "contradicts", "qualifies", "alternative-value")
LABELS = {"corroborates": "corroborates", "contradicts": "contradicts", "qualifies": "qualifies",
          "alternative-value": "gives another value for"}  # fmt: skip
LIST_RELATION = ns.qn("listRelation")
RELATION = ns.qn("relation")
DESC = ns.qn("desc")
QUOTE = ns.qn("quote")
STANDOFF = ns.qn("standOff")


class Relation:
    """A proxy over one ``<relation>`` element of ``doc``."""

    __slots__ = ("element", "doc")

    def __init__(self, element: etree._Element, doc: TeiDocument) -> None:
        self.element = element
        self.doc = doc

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Relation) and other.element is self.element

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"<Relation {self.id} {self.active} {self.name} {self.passive}>"

    @property
    def id(self) -> str:
        """Return the relation's ``xml:id``."""
        return self.element.get(ns.XML_ID) or ""

    @property
    def name(self) -> str:
        """Return the kind: corroborates, contradicts, qualifies or alternative-value."""
        return self.element.get("name") or ""

    @property
    def active(self) -> str:
        """Return the raw ``@active`` (``#ann-id``)."""
        return self.element.get("active") or ""

    @property
    def active_id(self) -> str:
        """Return the id of the annotation the link is made from ('' if not in this document)."""
        return _local_id(self.active)

    @property
    def passive(self) -> str:
        """Return the raw ``@passive``: ``#id``, ``file.xml#id`` or ``file.xml#pointer``."""
        return self.element.get("passive") or ""

    @property
    def passive_id(self) -> str:
        """Return the id of the passive end when it is in this document ('' otherwise)."""
        return _local_id(self.passive)

    @property
    def other_file(self) -> str:
        """Return the other file's path as written (unescaped), '' for this document."""
        return unquote(self.passive.partition("#")[0])

    @property
    def certainty(self) -> str:
        """Return high, medium, low or unknown."""
        return self.element.get("cert") or "unknown"

    @property
    def annotator(self) -> str:
        """Return the person id of who made the link (``@resp`` without '#')."""
        return (self.element.get("resp") or "").split(" ")[0].lstrip("#")

    @property
    def note(self) -> str:
        """Return the note: the ``desc``'s text outside its ``quote``."""
        desc = self.element.find(DESC)
        if desc is None:
            return ""
        parts = [desc.text or ""]
        for child in desc:
            if child.tag != QUOTE:
                parts.append("".join(child.itertext()))
            parts.append(child.tail or "")
        return "".join(parts).strip()

    @property
    def quote(self) -> str:
        """Return the passage the passive pointer showed when the link was made ('' if none kept)."""
        el = self.element.find(f"{DESC}/{QUOTE}")
        return "".join(el.itertext()) if el is not None else ""

    def _set_desc(self, note: str, quote_text: str) -> None:
        check_xml_text(note, quote_text)
        old = self.element.find(DESC)
        if old is not None:
            self.element.remove(old)
        note = note.strip()
        if not note and not quote_text:
            return
        desc = etree.SubElement(self.element, DESC)
        if quote_text:
            etree.SubElement(desc, QUOTE).text = quote_text
            desc[0].tail = note or None
        else:
            desc.text = note


def _local_id(uri: str) -> str:
    token = uri.split()[0] if uri.split() else ""
    return token[1:] if token.startswith("#") and pointers.parse_pointer(token) == pointers.IdRef(token[1:]) else ""


# -- listing --------------------------------------------------------------------------------------
def _list(doc: TeiDocument, create: bool = False) -> etree._Element | None:
    so = doc.ensure_standoff() if create else doc.standoff()
    if so is None:
        return None
    lst = so.find(LIST_RELATION)
    if lst is None and create:
        lst = etree.SubElement(so, LIST_RELATION)  # last: after the annotations it links
    return lst


def relations(doc: TeiDocument, ann_id: str = "") -> list[Relation]:
    """Return the relations in Glossator's standOff; with ``ann_id``, those that have that
    annotation at either end (in this document), in document order."""
    lst = _list(doc)
    if lst is None:
        return []
    out = [Relation(el, doc) for el in lst.iter(RELATION)]
    if ann_id:
        out = [r for r in out if ann_id in (r.active_id, r.passive_id)]
    return out


def relation(doc: TeiDocument, rel_id: str) -> Relation:
    """Return the relation with this id or raise ``AnnotationError``."""
    el = doc.element_by_id(rel_id)
    if el is None or el.tag != RELATION:
        raise AnnotationError(f"no evidence link {rel_id!r}")
    return Relation(el, doc)


# -- changing -------------------------------------------------------------------------------------
def _check(name: str | None, certainty: str | None) -> None:
    if name is not None and name not in NAMES:
        raise AnnotationError(f"an evidence link is one of {', '.join(NAMES)}, not {name!r}")
    if certainty is not None and certainty not in CERTAINTIES:
        raise AnnotationError(f"certainty must be one of {', '.join(CERTAINTIES)}")


def add_relation(doc: TeiDocument, active_id: str, passive: str, name: str, *,
                 certainty: str = "unknown", note: str = "", resp: str = "",
                 quote_text: str = "") -> Relation:  # fmt: skip
    """Link annotation ``active_id`` to ``passive`` (``#id``, ``file.xml#id`` or
    ``file.xml#pointer``); ``resp`` is the person id of who links, ``quote_text`` the passage a
    pointer into another file shows now (kept to notice later changes)."""
    _check(name, certainty)
    doc.annotation(active_id)  # AnnotationError if there is no such annotation
    passive = passive.strip()
    if not passive or any(c.isspace() for c in passive) or "#" not in passive:
        raise AnnotationError(f"the other end of a link must be '#id' or 'file.xml#id', not {passive!r}")
    local = _local_id(passive)
    if passive.startswith("#"):
        if not local or doc.element_by_id(local) is None:
            raise AnnotationError(f"this document has no {passive!r} to link to")
        if local == active_id:
            raise AnnotationError("an annotation cannot be evidence for itself")
    check_xml_text(passive, resp)
    rel_id = doc.new_id("gl-r")
    attrib = {ns.XML_ID: rel_id, "name": name, "active": "#" + active_id, "passive": passive,
              "cert": certainty}  # fmt: skip
    if resp:
        attrib["resp"] = "#" + resp
    el = etree.Element(RELATION, attrib)
    rel = Relation(el, doc)
    rel._set_desc(note, quote_text)  # noqa: SLF001 - checks the text before anything is added
    lst = _list(doc, create=True)
    assert lst is not None
    lst.append(el)
    doc.register_ids(el)
    return rel


def edit_relation(doc: TeiDocument, rel_id: str, *, name: str | None = None,
                  certainty: str | None = None, note: str | None = None) -> Relation:  # fmt: skip
    """Change a relation's kind, certainty or note (``None`` leaves a field as it is)."""
    _check(name, certainty)
    rel = relation(doc, rel_id)
    if note is not None:
        rel._set_desc(note, rel.quote)  # noqa: SLF001
    if name is not None:
        rel.element.set("name", name)
    if certainty is not None:
        rel.element.set("cert", certainty)
    return rel


@dataclass
class Detached:
    """Elements taken out of the tree, as (element, parent, index), in the order taken."""

    items: list[tuple[etree._Element, etree._Element, int]] = field(default_factory=list)

    def take(self, doc: TeiDocument, el: etree._Element) -> None:
        """Take ``el`` out, and its list (and the standOff) when that becomes empty."""
        while el is not None:
            parent = el.getparent()
            if parent is None:
                return
            self.items.append((el, parent, parent.index(el)))
            parent.remove(el)
            doc.unregister_ids(el)
            if parent.tag not in (LIST_RELATION, STANDOFF) or len(parent):
                return
            el = parent

    def restore(self, doc: TeiDocument, renamed: tuple[str, str] = ("", "")) -> None:
        """Put everything back where it was (a standOff removed meanwhile is made again);
        ``renamed`` = (old id, new id) of an annotation restored under a fresh id."""
        old, new = renamed
        for el, parent, index in reversed(self.items):
            for end in ("active", "passive") if old and el.tag == RELATION else ():
                if el.get(end) == "#" + old:
                    el.set(end, "#" + new)
            if el.getparent() is not None:
                continue
            if parent.tag == STANDOFF and parent.getparent() is None and el.tag == LIST_RELATION:
                parent = doc.ensure_standoff()  # the annotation's restore made a new one
            parent.insert(min(index, len(parent)), el)
            doc.register_ids(el)


def remove_relation(doc: TeiDocument, rel_id: str) -> Detached:
    """Remove a relation (and its list when it becomes empty); return what undo puts back."""
    out = Detached()
    out.take(doc, relation(doc, rel_id).element)
    return out


def detach_relations_of(doc: TeiDocument, ann_id: str) -> Detached:
    """Remove every relation with annotation ``ann_id`` at either end in this document (the
    annotation is being deleted): no link is left pointing at nothing."""
    out = Detached()
    for rel in reversed(relations(doc, ann_id)):
        out.take(doc, rel.element)
    return out


# -- pointers into other files ---------------------------------------------------------------------
def relative_uri(from_doc_path: str, other_path: str) -> str:
    """Return ``other_path`` relative to the folder of ``from_doc_path``, as a URI path."""
    rel = os.path.relpath(os.path.abspath(other_path), os.path.dirname(os.path.abspath(from_doc_path)))
    return quote(rel.replace(os.sep, "/"), safe="/-_.~!$&'()*+,;=:@")


def passive_uri(from_doc_path: str, other_path: str, fragment: str) -> str:
    """Return ``other.xml#fragment`` for a passive end in another file (``fragment`` without
    '#': an xml:id or a pointer such as ``string-range(p3,0,12)``)."""
    return f"{relative_uri(from_doc_path, other_path)}#{fragment.lstrip('#')}"


@dataclass(frozen=True)
class Resolved:
    """Where the passive end of a link is, or why it cannot be found."""

    status: str  # ok | missing-file | unreadable | missing-id | unresolved | changed | unsupported
    file: str = ""  # the other file as written ('' for this document)
    path: str = ""  # its absolute path
    doc: Any = None  # the document it is in (when it could be read)
    annotation: Annotation | None = None  # the annotation it names, if it names one
    quote: str = ""  # what the link expects to read there (the annotation's or the link's quote)
    found: str = ""  # what the passage reads now
    message: str = ""  # a short sentence for the user when not ok

    @property
    def ok(self) -> bool:
        """Tell whether the other end was found and reads as expected."""
        return self.status == "ok"


_cache: dict[str, tuple[tuple[int, int], Any, Any]] = {}  # realpath -> (stamp, doc, reading index)
#: A document's reading text never changes (annotating adds ids, never text): one index each.
_indexes: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def _index(doc: Any) -> Any:
    from .anchoring import ReadingIndex

    found = _indexes.get(doc)
    if found is None:
        found = _indexes[doc] = ReadingIndex(doc)
    return found


def _load(path: str) -> tuple[Any, Any]:
    """Load another document (cached while the file's size and time stay the same)."""
    from .document import TeiDocument

    st = os.stat(path)
    stamp = (st.st_mtime_ns, st.st_size)
    key = os.path.realpath(path)
    hit = _cache.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1], hit[2]
    doc = TeiDocument.load(path)
    index = _index(doc)
    if len(_cache) > 16:
        _cache.clear()
    _cache[key] = (stamp, doc, index)
    return doc, index


def resolve(rel: Relation, open_docs: dict[str, TeiDocument] | None = None) -> Resolved:
    """Find the passive end of ``rel``. Another file is looked for relative to the folder of
    ``rel.doc``; ``open_docs`` (real path → document) are used instead of the files on disk
    (documents open with unsaved changes)."""
    from .anchoring import quote_problem

    uri = rel.passive
    file_part, _, frag = uri.partition("#")
    if not frag:
        return Resolved("unsupported", message=f"the link points at {uri!r}, not at a passage")
    target_doc, index, written, path = rel.doc, None, unquote(file_part), ""
    if file_part:
        if urlsplit(file_part).scheme not in ("", "file"):
            return Resolved("unsupported", written, message=f"{written} is not a local file")
        base = os.path.dirname(os.path.abspath(rel.doc.path)) if rel.doc.path else os.getcwd()
        path = os.path.normpath(os.path.join(base, unquote(urlsplit(file_part).path)))
        name = os.path.basename(path)
        live = (open_docs or {}).get(os.path.realpath(path))
        if live is not None:
            target_doc = live
        else:
            try:
                target_doc, index = _load(path)
            except FileNotFoundError:
                return Resolved("missing-file", written, path, message=f"{name} not found")
            except (OSError, TeiError) as exc:
                return Resolved("unreadable", written, path, message=f"{name} cannot be read: {exc}")
    name = os.path.basename(path) if path else "this document"
    index = index or _index(target_doc)
    pointer = pointers.parse_pointer("#" + frag)
    if isinstance(pointer, pointers.Unknown):
        return Resolved("unsupported", written, path, target_doc, message=pointer.reason)
    if isinstance(pointer, pointers.IdRef):
        el = target_doc.element_by_id(pointer.id)
        if el is None:
            return Resolved("missing-id", written, path, target_doc, message=f"{name} has no {pointer.id}")
        if el.tag == ANNOTATION:
            ann = Annotation(el, target_doc)
            problem, found = quote_problem(target_doc, index, ann.target, ann.quote) if ann.quote else ("", "")
            if not ann.quote:
                res = target_doc.resolve(ann.target)
                if res and res[0].ok:
                    found = target_doc.quote_for(res[0].start or 0, res[-1].end or 0)[0]
                else:
                    problem = "unresolved"
            return _verdict(problem, written, path, target_doc, ann, ann.quote, found, name)
    target = "#" + frag
    problem, found = quote_problem(target_doc, index, target, rel.quote or "\0")
    if problem == "unresolved":
        res = target_doc.resolve(target)
        why = res[0].message if res and not res[0].ok else "it points at nothing shown"
        status = "missing-id" if "no element has xml:id" in why else "unresolved"
        return Resolved(status, written, path, target_doc, None, rel.quote, "",
                        f"the passage is not in {name}: {why}")  # fmt: skip
    if not rel.quote:
        problem = ""
    return _verdict(problem, written, path, target_doc, None, rel.quote or found, found, name)


def _verdict(problem: str, written: str, path: str, doc: Any, ann: Annotation | None, expected: str,
             found: str, name: str) -> Resolved:  # fmt: skip
    if problem == "unresolved":
        return Resolved("unresolved", written, path, doc, ann, expected, found,
                        f"the passage is no longer in {name}")  # fmt: skip
    if problem == "changed":
        return Resolved("changed", written, path, doc, ann, expected, found, "passage changed")
    return Resolved("ok", written, path, doc, ann, expected, found)
