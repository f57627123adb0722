"""W3C Web Annotation (JSON-LD) export and import, for Hypothesis, Recogito and scripts.

Export (:func:`to_webanno`) writes an ``AnnotationCollection`` whose ``first`` page embeds every
annotation of the document. Each annotation has ``id`` (document URI + ``#`` + xml:id),
``motivation``, ``creator``, ``created``, ``modified``, bodies and a target:

- bodies: the note as a ``TextualBody`` (purpose ``commenting``), one ``TextualBody`` with purpose
  ``tagging`` per category (``value`` = label, ``id`` = document URI + ``#`` + category id), and
  human-readable ``TextualBody``s (purpose ``describing``/``linking``) for the bias explanation,
  contested figure and source link, each marked with ``"urn:x-glossator:role"``;
- target: ``{"source": document URI, "selector": [TextQuoteSelector, TextPositionSelector,
  FragmentSelector]}``. Quote and positions count code points of the reading text
  (``doc.text.reading_text()``: blocks joined by ``"\\n"``); the ``FragmentSelector`` holds the
  TEI pointer (``conformsTo`` RFC 3023, i.e. XPointer) without its ``#``. One target per pointer.
  An orphan (a pointer that does not resolve) gets only the ``FragmentSelector``.

The Glossator extension property ``"urn:x-glossator:tei"`` (an absolute IRI, so valid JSON-LD
under the standard context) holds what WADM has no place for, so that an import restores it
exactly: ``{"version": 1, "xmlId", "teiTarget", "categories", "kind", "certainty", "note"
(paragraphs), "bias", "figure", "sourceLink" (dataclass fields of :mod:`tei.annotations`),
"sources": {id: bibl fields}, "claim" (the claim's wording, '' for the passage; only when marked
as a claim), "orphan": reason}``. Other tools ignore it.

Import (:func:`import_webanno`) accepts an Annotation, a list, an ``AnnotationPage`` or an
``AnnotationCollection`` (embedded pages, following embedded ``next`` pages) and anchors each
annotation on the reading text by the cascade of :mod:`tei.anchoring`: a ``TextPositionSelector``
is used when no quote contradicts it, else the ``TextQuoteSelector`` is searched
(whitespace-collapsed, prefix/suffix choosing among occurrences approximately), else a TEI
``FragmentSelector`` that resolves (and matches the quote), else the quote is found approximately
(*fuzzy*, with its score, near the position when one is given). An annotation that still cannot be
placed is kept all the same, with its quote and bodies, as an *orphan* for a person to review
(``<note type="anchoring">``): nothing is dropped but items that are not annotations of a target.
"""

from __future__ import annotations

import dataclasses
import html
import os
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from . import ns
from .anchoring import ReadingIndex, Unanchored, anchor_target, collapse_ws, find_again, mark_orphan
from .annotations import (
    CERTAINTIES,
    MOTIVATIONS,
    Alternative,
    Annotation,
    BiasNote,
    ContestedFigure,
    Quantity,
    SourceLink,
)
from .document import TeiDocument, bibl_fields, format_citation
from .errors import AnnotationError, TeiError
from .pointers import parse_target

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
EXT = "urn:x-glossator:tei"
ROLE = "urn:x-glossator:role"
XPOINTER = "http://tools.ietf.org/rfc/rfc3023"
EXT_VERSION = 1
_DERIVED_ROLES = ("explanation", "figure", "source")


@dataclass
class ImportReport:
    """What an import added (annotation ids) and what it could not anchor, with reasons."""

    added: list[str] = field(default_factory=list)  # every annotation added, placed or not
    fuzzy: list[tuple[str, float]] = field(default_factory=list)  # (id, score): placed approximately
    orphaned: list[tuple[str, str]] = field(default_factory=list)  # (id, why): kept unplaced
    failed: list[tuple[str, str]] = field(default_factory=list)  # (label, why): not imported
    warnings: list[str] = field(default_factory=list)

    @property
    def needs_review(self) -> bool:
        """Tell whether some annotation was placed approximately, not at all, or not imported."""
        return bool(self.fuzzy or self.orphaned or self.failed)

    def format_text(self) -> str:
        """Return a readable summary, one annotation to review per line."""
        exact = len(self.added) - len(self.fuzzy) - len(self.orphaned)
        lines = [f"Imported {len(self.added)} annotation(s): {exact} placed exactly, "
                 f"{len(self.fuzzy)} approximately, {len(self.orphaned)} kept unplaced; "
                 f"{len(self.failed)} not imported."]  # fmt: skip
        lines += [f"  fuzzy ({score:.2f}), review it: {ann_id}" for ann_id, score in self.fuzzy]
        lines += [f"  unplaced, review it: {ann_id}: {why}" for ann_id, why in self.orphaned]
        lines += [f"  not imported: {label}: {reason}" for label, reason in self.failed]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


# -- export -------------------------------------------------------------------------------------
def document_uri(doc: TeiDocument, base_uri: str | None = None) -> str:
    """Return the IRI that identifies the document in exported annotations: ``base_uri``, else
    the document's own (``@xml:base`` of its root, joined with the file name when it ends in
    ``/``; a ``publicationStmt/idno`` of type URI or URL),
    else its file name as a relative IRI (a local path never leaks), else a URN."""
    name = quote(os.path.basename(doc.path)) if doc.path else ""
    header = f"{ns.qn('teiHeader')}/{ns.qn('fileDesc')}/{ns.qn('publicationStmt')}/{ns.qn('idno')}"
    idnos = [i for i in doc.root.iterfind(header) if (i.get("type") or "").upper() in ("URI", "URL")]
    xml_base = (doc.root.get(f"{{{ns.XML}}}base") or "").strip()
    if xml_base.endswith("/"):  # a folder: the document is the file of that name in it
        xml_base += name
    for uri in (base_uri, xml_base, *(i.text for i in idnos), name):
        if uri and uri.strip():
            return uri.strip().split("#")[0]
    return "urn:x-glossator:document"


def to_webanno(doc: TeiDocument, *, base_uri: str | None = None) -> dict[str, Any]:
    """Return every annotation of ``doc`` as a W3C ``AnnotationCollection`` (JSON-LD dict)."""
    uri = document_uri(doc, base_uri)
    index = ReadingIndex(doc)
    items = [_export_one(doc, a, uri, index, n) for n, a in enumerate(doc.annotations(), 1)]
    title = doc.root.find(f".//{ns.qn('titleStmt')}/{ns.qn('title')}")
    coll: dict[str, Any] = {"@context": ANNO_CONTEXT, "id": uri + "#glossator-annotations",
                            "type": "AnnotationCollection"}  # fmt: skip
    if title is not None and "".join(title.itertext()).strip():
        coll["label"] = collapse_ws("".join(title.itertext()))
    coll["total"] = len(items)
    coll["first"] = {"id": uri + "#glossator-annotations-page-1", "type": "AnnotationPage",
                     "startIndex": 0, "items": items}  # fmt: skip
    return coll


def _export_one(doc: TeiDocument, ann: Annotation, uri: str, index: ReadingIndex,
                n: int) -> dict[str, Any]:  # fmt: skip
    out: dict[str, Any] = {"id": f"{uri}#{ann.id or f'glossator-annotation-{n}'}",
                           "type": "Annotation"}  # fmt: skip
    motivation = ann.motivation
    if motivation:
        out["motivation"] = motivation[0] if len(motivation) == 1 else motivation
    creator = _creator(doc, ann, uri)
    if creator:
        out["creator"] = creator
    if ann.created:
        out["created"] = ann.created
    if ann.modified and ann.modified != ann.created:
        out["modified"] = ann.modified
    ext: dict[str, Any] = {"version": EXT_VERSION, "xmlId": ann.id, "teiTarget": ann.target,
                           "categories": ann.categories, "kind": ann.kind,
                           "certainty": ann.certainty, "note": ann.note}  # fmt: skip
    bodies = []
    if ann.note:
        bodies.append(_text_body("\n\n".join(ann.note), "commenting", "note"))
    for cat in ann.categories:
        tag = _text_body(doc.taxonomy.label(cat), "tagging")
        tag["id"] = f"{uri}#{cat}"
        bodies.append(tag)
    bodies += _kind_bodies(doc, ann, ext)
    if bodies:
        out["body"] = bodies[0] if len(bodies) == 1 else bodies
    targets, orphan = _targets(doc, ann, uri, index)
    if orphan:
        ext["orphan"] = orphan
    out["target"] = targets[0] if len(targets) == 1 else targets
    out[EXT] = ext
    return out


def _text_body(value: str, purpose: str, role: str = "") -> dict[str, Any]:
    body = {"type": "TextualBody", "purpose": purpose, "value": value, "format": "text/plain"}
    if role:
        body[ROLE] = role
    return body


def _kind_bodies(doc: TeiDocument, ann: Annotation, ext: dict[str, Any]) -> list[dict[str, Any]]:
    bodies = []
    bias, fig, link = ann.bias, ann.figure, ann.source_link
    if ann.kind == "bias" or bias.explanation:
        ext["bias"] = dataclasses.asdict(bias)
        if bias.explanation:
            bodies.append(_text_body(bias.explanation, "describing", "explanation"))
    if ann.kind == "figure" or fig != ContestedFigure():
        ext["figure"] = dataclasses.asdict(fig)
        bodies.append(_text_body(_figure_text(doc, fig), "describing", "figure"))
    if ann.kind == "source" or link != SourceLink():
        ext["sourceLink"] = dataclasses.asdict(link)
        cite = _citation(doc, link.source)
        text = f"{link.relation}: {cite}" + (f", {link.locator}" if link.locator else "")
        bodies.append(_text_body(text, "linking", "source"))
    if ann.claim is not None:  # a row of the evidence matrix ('' : the passage is the claim)
        ext["claim"] = ann.claim
    sources = {}
    for sid in ann.cited_sources():
        el = doc.element_by_id(sid)
        if el is not None:
            sources[sid] = {**bibl_fields(el), "citation": format_citation(el)}
    if sources:
        ext["sources"] = sources
    return bodies


def _citation(doc: TeiDocument, sid: str) -> str:
    el = doc.element_by_id(sid) if sid else None
    return format_citation(el) if el is not None else (sid or "(no source)")


def _figure_text(doc: TeiDocument, fig: ContestedFigure) -> str:
    parts = [f"Stated: {fig.stated}" if fig.stated else "Stated: (none)"]
    if fig.normalised is not None:
        parts.append(f"normalised: {fig.normalised.display()}")
    for alt in fig.alternatives:
        where = ", ".join(
            p for p in (_citation(doc, alt.source) if alt.source else "", alt.locator) if p
        )
        parts.append(f"alternative: {alt.value}" + (f" ({where})" if where else ""))
    parts.append(f"status: {fig.status}")
    if fig.preferred is not None:
        parts.append(f"preferred: {fig.preferred.display()}")
    if fig.rationale:
        parts.append(f"rationale: {fig.rationale}")
    return "; ".join(parts)


def _creator(doc: TeiDocument, ann: Annotation, uri: str) -> dict[str, Any] | None:
    pid = ann.annotator
    name = doc.annotators().get(pid) or ann.annotator_name if pid else ann.annotator_name
    if not pid and not name:
        return None
    creator: dict[str, Any] = {"type": "Person", "name": name or pid}
    person = doc.element_by_id(pid) if pid else None
    orcid = None
    if person is not None:
        orcid = next((i for i in person.iter(ns.qn("idno")) if i.get("type") == "ORCID"), None)
    if orcid is not None and (orcid.text or "").strip():
        value = orcid.text.strip()
        creator["id"] = value if value.startswith("http") else f"https://orcid.org/{value}"
    elif pid:
        creator["id"] = f"{uri}#{pid}"
    return {"id": creator.pop("id"), **creator} if "id" in creator else creator


def _targets(doc: TeiDocument, ann: Annotation, uri: str,
             index: ReadingIndex) -> tuple[list[dict[str, Any]], str]:  # fmt: skip
    targets: list[dict[str, Any]] = []
    reasons = []
    for pointer in parse_target(ann.target) or []:
        frag = {
            "type": "FragmentSelector",
            "conformsTo": XPOINTER,
            "value": str(pointer).lstrip("#"),
        }
        res = doc.resolve_pointer(pointer)
        span = index.span_of(res.start or 0, res.end or 0) if res.ok else None
        if span is None:
            reasons.append(res.message or "the passage is not in the reading text")
            targets.append({"source": uri, "selector": frag})
            continue
        exact, prefix, suffix = index.context(*span)
        tqs = {"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix}
        tps = {"type": "TextPositionSelector", "start": span[0], "end": span[1]}
        targets.append({"source": uri, "selector": [tqs, tps, frag]})
    if not targets:
        targets.append({"source": uri})
        reasons.append("the annotation has no target")
    return targets, "; ".join(reasons)


# -- import -------------------------------------------------------------------------------------
def iter_annotations(data: Any) -> list[dict[str, Any]]:
    """Return the annotations in a Web Annotation container, list or single annotation."""
    if isinstance(data, list):
        return [a for item in data for a in iter_annotations(item)]
    if not isinstance(data, dict):
        raise AnnotationError("not a W3C Web Annotation: expected a JSON object or list")
    types = _types(data)
    if "@graph" in data and not types:
        return iter_annotations(data["@graph"])
    if "AnnotationCollection" in types:
        out, page, seen = [], data.get("first"), 0
        if isinstance(page, str) or (page is None and data.get("total")):
            raise AnnotationError("the AnnotationCollection's pages are not embedded "
                                  "(only a link is given); download them first")  # fmt: skip
        while isinstance(page, dict) and seen < 10000:
            out += iter_annotations(page)
            page, seen = page.get("next"), seen + 1
        return out
    if "AnnotationPage" in types or ("items" in data and "Annotation" not in types):
        return [a for item in data.get("items") or [] for a in iter_annotations(item)]
    if "Annotation" in types or "target" in data:
        return [data]
    raise AnnotationError("not a W3C Web Annotation: no Annotation, AnnotationPage or "
                          "AnnotationCollection found")  # fmt: skip


def import_webanno(doc: TeiDocument, data: dict[str, Any] | list[Any], *,
                   annotator_name: str | None = None, threshold: float = 0.8) -> ImportReport:  # fmt: skip
    """Anchor W3C annotations on ``doc`` and add them (those that cannot be placed as orphans,
    those placed approximately as fuzzy when they score ``threshold``); report what happened."""
    report = ImportReport()
    index = ReadingIndex(doc)
    source_map: dict[str, str] = {}
    for n, item in enumerate(iter_annotations(data), 1):
        label = str(item.get("id") or f"annotation {n}")
        try:
            ann_id = _import_one(doc, item, index, source_map, annotator_name, report, threshold)
        except Unanchored as exc:
            orphan = (
                (item.get(EXT) or {}).get("orphan") if isinstance(item.get(EXT), dict) else None
            )
            extra = f" (it was already an orphan where it was exported: {orphan})" if orphan else ""
            report.failed.append((label, f"{exc}{extra}"))
            continue
        except (TeiError, ValueError, TypeError, KeyError, AttributeError) as exc:
            report.failed.append((label, f"invalid annotation data: {exc}"))
            continue
        report.added.append(ann_id)
    return report


def _types(obj: dict[str, Any]) -> set[str]:
    raw = obj.get("type", obj.get("@type", []))
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).rpartition(":")[2].rpartition("#")[2] for v in values}


def _import_one(doc: TeiDocument, item: dict[str, Any], index: ReadingIndex,
                source_map: dict[str, str], annotator_name: str | None,
                report: ImportReport, threshold: float) -> str:  # fmt: skip
    ext = item.get(EXT) if isinstance(item.get(EXT), dict) else {}
    targets = _as_list(item.get("target"))
    if not targets:
        raise Unanchored("no target: the annotation does not say what it annotates")
    unplaced = ""
    try:
        target = " ".join(anchor_target(doc, index, t) for t in targets)
    except Unanchored as exc:  # kept all the same, on the resource it was made on
        unplaced = str(exc)
        if ext.get("orphan"):
            unplaced += f" (it was already an orphan where it was exported: {ext['orphan']})"
        kept = ext.get("teiTarget")  # an orphan exported by Glossator keeps its TEI pointer
        target = (kept if isinstance(kept, str) and kept.strip() else "") or _resource_of(targets[0]) \
            or document_uri(doc)
    bodies = [b for b in _as_list(item.get("body")) if b is not None]
    if "bodyValue" in item:
        bodies.append({"type": "TextualBody", "value": str(item["bodyValue"])})
    categories, tags, notes = _read_bodies(doc, bodies, ext)
    motivations = [
        m.rpartition(":")[2] for m in _as_list(item.get("motivation")) if isinstance(m, str)
    ]
    if not categories:
        categories = [_default_category(doc, motivations)]
        if tags:
            notes.append("Tags: " + ", ".join(tags))
    name, orcid = _creator_of(item.get("creator"))
    name = name or annotator_name or ""
    pid = doc.ensure_annotator(name, orcid) if name else ""
    created = item.get("created") if isinstance(item.get("created"), str) else None
    before = doc.added_ids()
    ann = doc.add_annotation(target, categories[0], annotator=pid, annotator_name=name,
                             when=created, placed=not unplaced)  # fmt: skip
    try:
        if unplaced:
            _find_again(doc, ann, targets[0], unplaced, index, threshold, report)
        ann.element.set("ana", " ".join("#" + c for c in categories))
        known = [m for m in motivations if m in MOTIVATIONS]
        if known:
            ann.motivation = known
        note = ext.get("note")
        if isinstance(note, list) and "\n\n".join(note) == "\n\n".join(notes):
            ann.note = [str(p) for p in note]
        else:
            ann.note = [p for text in notes for p in re.split(r"\n[ \t]*\n", text)]
        if ext.get("certainty") in CERTAINTIES:
            ann.certainty = ext["certainty"]
        _restore_kind_data(doc, ann, ext, source_map)
        modified = item.get("modified")
        if isinstance(modified, str) and modified != created:
            ann.touch(pid, modified)
    except Exception:
        doc.remove_annotation(ann.id)
        for el in doc.added_ids():
            if el not in before:
                doc.drop_added_id(el)
        raise
    return ann.id


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _resource_of(target: Any) -> str:
    """Return the IRI of the resource a W3C target is on ('' when it names none)."""
    if isinstance(target, str):
        return target.strip()
    source = target.get("source") if isinstance(target, dict) else None
    return source.strip() if isinstance(source, str) else ""


def _selectors(target: Any) -> dict[str, dict[str, Any]]:
    """Return the target's selectors by type (the first of each)."""
    found: dict[str, dict[str, Any]] = {}
    if isinstance(target, dict):
        for sel in _as_list(target.get("selector")):
            if isinstance(sel, dict):
                raw = sel.get("type", sel.get("@type", ""))
                found.setdefault(str(raw).rpartition(":")[2], sel)
    return found


def _find_again(doc: TeiDocument, ann: Annotation, target: Any, why: str, index: ReadingIndex,
                threshold: float, report: ImportReport) -> None:  # fmt: skip
    """Place ``ann`` (just added, not placed: ``why``) approximately by its quote near its
    position, or keep it as an orphan; record which in ``report``."""
    sels = _selectors(target)
    quote_sel, pos = sels.get("TextQuoteSelector"), sels.get("TextPositionSelector")
    exact = str(quote_sel.get("exact", "")) if quote_sel else ""
    if exact.strip():
        ann.set_quote(exact, str(quote_sel.get("prefix", "")), str(quote_sel.get("suffix", "")))  # type: ignore[union-attr]
    if not exact.strip() or why.startswith("ambiguous"):  # several places fit: a person chooses
        mark_orphan(ann, why)
        report.orphaned.append((ann.id, why))
        return
    near = None
    if pos and isinstance(pos.get("start"), int) and isinstance(pos.get("end"), int):
        near = (min(pos["start"], len(index.text)), min(pos["end"], len(index.text)))
    placed = find_again(doc, ann, near, threshold, index)
    if placed.outcome == "fuzzy":
        report.fuzzy.append((ann.id, placed.score))
    elif placed.outcome == "orphan":
        report.orphaned.append((ann.id, f"{why}; {placed.reason}"))


def _read_bodies(doc: TeiDocument, bodies: list[Any],
                 ext: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:  # fmt: skip
    """Return (category ids, unmatched tags, note texts) from W3C bodies."""
    cats = doc.taxonomy.categories
    by_label = {c.label.casefold(): c.id for c in cats.values()}
    categories = [c for c in ext.get("categories") or [] if isinstance(c, str) and c in cats]
    from_ext = bool(categories)
    tags: list[str] = []
    notes: list[str] = []
    for body in bodies:
        if isinstance(body, str):
            notes.append(body)
            continue
        if not isinstance(body, dict):
            continue
        purpose = {str(p).rpartition(":")[2] for p in _as_list(body.get("purpose"))}
        value = _body_text(body)
        if purpose & {"tagging", "classifying", "identifying"} and not body.get(ROLE):
            cat = str(body.get("id") or "").rpartition("#")[2]
            found = cat if cat in cats else by_label.get(collapse_ws(value).casefold())
            if found and found not in categories and not from_ext:
                categories.append(found)
            elif not found and (value or body.get("id")):
                tags.append(value or str(body.get("id")))
            continue
        if body.get(ROLE) in _DERIVED_ROLES and ext:
            continue
        if value:
            notes.append(value)
    return categories, tags, notes


def _body_text(body: dict[str, Any]) -> str:
    value = body.get("value", body.get("rdf:value", body.get("chars", "")))
    if isinstance(value, dict):
        value = value.get("@value", "")
    text = str(value or "")
    if "html" in str(body.get("format", "")):
        text = html.unescape(re.sub(r"<[^>]*>", "", text))
    return text.strip()


def _default_category(doc: TeiDocument, motivations: list[str]) -> str:
    cats = doc.taxonomy.categories
    wanted = "gl-question" if "questioning" in motivations else "gl-comment"
    if wanted in cats:
        return wanted
    fallback = next((c.id for c in cats.values() if c.kind == "comment"), None)
    return fallback or "gl-comment"


def _creator_of(creator: Any) -> tuple[str, str]:
    """Return (name, ORCID) of a W3C creator (string, object or list: the first one)."""
    if isinstance(creator, list):
        creator = creator[0] if creator else None
    if isinstance(creator, str):
        return creator.rpartition("/")[2] or creator, ""
    if not isinstance(creator, dict):
        return "", ""
    ident = str(creator.get("id", ""))
    orcid = ident.rpartition("/")[2] if "orcid.org/" in ident else ""
    name = creator.get("name") or creator.get("nickname") or ident.rpartition("/")[2]
    return str(name or "").strip(), orcid


def _restore_kind_data(doc: TeiDocument, ann: Annotation, ext: dict[str, Any],
                       source_map: dict[str, str]) -> None:  # fmt: skip
    sources = ext.get("sources") if isinstance(ext.get("sources"), dict) else {}

    def source(sid: str) -> str:
        return _map_source(doc, sid, sources.get(sid), source_map) if sid else ""

    if isinstance(ext.get("bias"), dict) and ann.kind == "bias":
        b = ext["bias"]
        technique = b.get("technique", "")
        ann.bias = BiasNote(technique if technique in doc.taxonomy.categories else "",
                            str(b.get("explanation", "")))  # fmt: skip
    if isinstance(ext.get("figure"), dict):
        f = ext["figure"]
        alts = [Alternative(value=str(a.get("value", "")), quantity=_quantity(a.get("quantity")),
                            source=source(str(a.get("source", ""))), locator=str(a.get("locator", "")),
                            certainty=str(a.get("certainty", "unknown")), note=str(a.get("note", "")))
                for a in f.get("alternatives") or [] if isinstance(a, dict)]  # fmt: skip
        ann.figure = ContestedFigure(stated=str(f.get("stated", "")),
                                     normalised=_quantity(f.get("normalised")), alternatives=alts,
                                     status=str(f.get("status", "disputed")),
                                     preferred=_quantity(f.get("preferred")),
                                     rationale=str(f.get("rationale", "")))  # fmt: skip
    if isinstance(ext.get("sourceLink"), dict):
        s = ext["sourceLink"]
        ann.source_link = SourceLink(relation=str(s.get("relation", "corroborates")),
                                     source=source(str(s.get("source", ""))),
                                     locator=str(s.get("locator", "")))  # fmt: skip
    if isinstance(ext.get("claim"), str):
        ann.claim = ext["claim"]


def _quantity(d: Any) -> Quantity | None:
    if not isinstance(d, dict):
        return None
    names = {f.name for f in dataclasses.fields(Quantity)}
    return Quantity(**{k: v for k, v in d.items() if k in names})


def _map_source(doc: TeiDocument, sid: str, fields: Any, source_map: dict[str, str]) -> str:
    """Return the id of the source ``sid`` in ``doc``, adding it from the exported fields."""
    if sid in source_map:
        return source_map[sid]
    el = doc.element_by_id(sid)
    if el is not None and (
        not isinstance(fields, dict)
        or format_citation(el) == fields.get("citation", format_citation(el))
    ):
        source_map[sid] = sid
        return sid
    if not isinstance(fields, dict):
        return sid  # keep the reference; validate will list it as missing
    keys = ("author", "title", "date", "place", "publisher", "url", "note")
    new = doc.add_source(**{k: str(fields.get(k, "")) for k in keys})
    source_map[sid] = new
    return new
