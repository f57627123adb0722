"""Readable differences between two versions of an annotated TEI file, and the line-oriented
rendering git's diff ``textconv`` shows (``glossator diff``, ``glossator git textconv``).

Annotations are matched by ``xml:id`` and described by their quote, category label and fields
(category, certainty, annotator, note, bias explanation, contested-figure fields, alternatives,
source link, passage); taxonomy categories and sources by their ids. Everything comes out in the
reading order of the passages, so the same two files always give the same text.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass, field

from .annotations import Annotation, Quantity, SourceLink
from .document import TeiDocument, format_citation

log = logging.getLogger("glossator.diff")

QUOTE_WIDTH = 60
#: Values longer than this are shown before and after on lines of their own.
INLINE_WIDTH = 50
_UNPLACED = 1 << 62  # sorts annotations whose passage is not found after all the others


@dataclass
class AnnotationView:
    """What a reader needs of one annotation: where it is, its quote, label and fields."""

    id: str
    position: int
    quote: str
    label: str
    fields: dict[str, str] = field(default_factory=dict)

    def heading(self) -> str:
        """Return ``ID · LABEL · "QUOTE"``."""
        return f'{self.id} · {self.label} · "{self.quote}"'


@dataclass
class Changes:
    """The differences between two documents (empty lists: none)."""

    added: list[AnnotationView] = field(default_factory=list)
    removed: list[AnnotationView] = field(default_factory=list)
    changed: list[tuple[AnnotationView, AnnotationView]] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)  # lines, already formatted
    sources: list[str] = field(default_factory=list)
    text: str = ""  # a summary line when the reading text differs

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.categories
                    or self.sources or self.text)  # fmt: skip


def shorten(text: str, width: int = QUOTE_WIDTH) -> str:
    """Collapse whitespace and cut ``text`` to ``width`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _quantity(q: Quantity | None) -> str:
    return q.display() if q is not None else ""


def _source_name(doc: TeiDocument, sid: str, labels: bool = True) -> str:
    el = doc.element_by_id(sid) if sid and labels else None
    if el is None:
        return sid
    return f"{sid} ({shorten(format_citation(el), 80)})"


def view(doc: TeiDocument, ann: Annotation, *, labels: bool = True,
         names: dict[str, str] | None = None) -> AnnotationView:  # fmt: skip
    """Describe one annotation of ``doc`` as an :class:`AnnotationView`; without ``labels``,
    categories and sources are named by id only (what the annotation itself holds); ``names``
    are the annotators' (``doc.annotators()``, read once for many annotations)."""
    tax = doc.taxonomy
    names = doc.annotators() if names is None else names
    res = doc.resolve(ann.target) if ann.target.strip() else []
    placed = bool(res) and all(r.ok for r in res)
    position = (res[0].start or 0) if placed else _UNPLACED
    quote = ann.quote
    if not quote and placed:
        quote = doc.quote_for(res[0].start or 0, res[-1].end or 0)[0]
    quote = shorten(quote)
    where = ann.target if placed else f"{ann.target or '(no target)'}, not found in the text"
    fields = {"passage": f'"{quote}" at {where}'}
    fields["category"] = " + ".join(f"{tax.label(c)} ({c})" if labels else c
                                    for c in ann.categories)  # fmt: skip
    fields["certainty"] = ann.certainty
    if labels:
        fields["annotator"] = ann.annotator_name or names.get(ann.annotator) or ann.annotator
    else:  # a person renamed in the list of annotators is not a change of their annotations
        fields["annotator"] = ann.annotator or ann.annotator_name
    fields["note"] = "\n".join(" ".join(p.split()) for p in ann.note)  # one line a paragraph
    kind = ann.kind
    if kind == "bias" or ann.bias.explanation:
        fields["explanation"] = " ".join(ann.bias.explanation.split())
    fig = ann.figure
    if kind == "figure" or fig.stated or fig.alternatives:
        fields["stated"] = fig.stated
        fields["normalised"] = _quantity(fig.normalised)
        fields["status"] = fig.status
        fields["preferred"] = _quantity(fig.preferred)
        fields["rationale"] = " ".join(fig.rationale.split())
        for i, alt in enumerate(fig.alternatives, 1):
            parts = [alt.value or _quantity(alt.quantity)]
            if alt.source:
                parts.append("source " + _source_name(doc, alt.source, labels))
            if alt.locator:
                parts.append(alt.locator)
            parts.append(f"certainty {alt.certainty}")
            if alt.note:
                parts.append(" ".join(alt.note.split()))
            fields[f"alternative {i}"] = ", ".join(p for p in parts if p)
    link = ann.source_link
    if kind == "source" or link != SourceLink():
        parts = [link.relation, _source_name(doc, link.source, labels), link.locator]
        fields["source link"] = ", ".join(p for p in parts if p)
    if ann.claim is not None:  # marked as a claim (a row of the evidence matrix)
        fields["claim"] = ann.claim or "the passage"
    label = tax.label(ann.category) if ann.category else "(no category)"
    return AnnotationView(ann.id, position, quote, label,
                          {k: v for k, v in fields.items() if v})  # fmt: skip


def views(doc: TeiDocument, *, labels: bool = True) -> list[AnnotationView]:
    """Return the annotations of ``doc`` described, in reading order (then by id)."""
    names = doc.annotators()
    found = (view(doc, a, labels=labels, names=names) for a in doc.annotations())
    return sorted(found, key=lambda v: (v.position, v.id))


def _by_id(found: list[AnnotationView]) -> dict[str, AnnotationView]:
    """Key views by id; a repeated (or missing) id gets its rank: ``ID (2)``."""
    out: dict[str, AnnotationView] = {}
    for v in sorted(found, key=lambda v: v.id):  # the same rank in both files, whatever moved
        key, n = v.id or "(no id)", 1
        while key in out:
            n += 1
            key = f"{v.id or '(no id)'} ({n})"
        out[key] = v
    return out


def _categories(doc: TeiDocument) -> dict[str, str]:
    out = {}
    for cat in doc.taxonomy.categories.values():
        extra = [f"under {cat.parent}"] if cat.parent else []
        extra += [f"kind {cat.kind}"] if cat.kind and not cat.parent else []
        extra += [f"colour {cat.color}"] if cat.color else []
        extra += [f"key {cat.shortcut}"] if cat.shortcut else []
        out[cat.id] = f"{cat.label} ({', '.join(extra)})" if extra else cat.label
    return out


def _sources(doc: TeiDocument) -> dict[str, str]:
    return {s.id: " ".join(s.citation.split()) for s in doc.sources()}


def _keyed(old: dict[str, str], new: dict[str, str]) -> list[str]:
    lines = [f"+ {k}  {v}" for k, v in new.items() if k not in old]
    lines += [f"- {k}  {v}" for k, v in old.items() if k not in new]
    lines += [f"~ {k}  {old[k]} → {new[k]}" for k in new if k in old and old[k] != new[k]]
    return lines


def _paragraphs(doc: TeiDocument) -> list[str]:
    return [b.reading for b in doc.text.blocks]


def compare(old: TeiDocument, new: TeiDocument) -> Changes:
    """Return what changed from ``old`` to ``new``."""
    a, b = _by_id(views(old)), _by_id(views(new))
    changes = Changes()
    changes.added = [v for k, v in b.items() if k not in a]
    changes.removed = [v for k, v in a.items() if k not in b]
    # a category relabelled or a source re-cited is listed once, not with every annotation
    raw_a, raw_b = _by_id(views(old, labels=False)), _by_id(views(new, labels=False))
    changes.changed = [(a[k], v) for k, v in b.items()
                       if k in a and raw_a[k].fields != raw_b[k].fields]  # fmt: skip
    changes.categories = _keyed(_categories(old), _categories(new))
    changes.sources = _keyed(_sources(old), _sources(new))
    before, after = _paragraphs(old), _paragraphs(new)
    if before != after:
        ops = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
        n = sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")
        changes.text = f"{n} paragraph{'' if n == 1 else 's'} of the text changed"
    return changes


def _field_lines(name: str, before: str, after: str) -> list[str]:
    before, after = (v.replace("\n", " ¶ ") or "(none)" for v in (before, after))
    if len(before) <= INLINE_WIDTH and len(after) <= INLINE_WIDTH:
        return [f"    {name}: {before} → {after}"]
    return [f"    {name}:", f"      before: {before}", f"      after:  {after}"]


def format_changes(changes: Changes, old_name: str, new_name: str) -> str:
    """Return the differences as plain text (``no differences`` when there are none)."""
    if not changes:
        return f"{old_name} → {new_name}: no differences"
    n_add, n_rem, n_chg = len(changes.added), len(changes.removed), len(changes.changed)
    lines = [f"{old_name} → {new_name}",
             f"annotations: {n_add} added, {n_rem} removed, {n_chg} changed"]  # fmt: skip
    entries: list[tuple[int, str, list[str]]] = []
    for v in changes.added:
        body = [f"    {k}: {val.replace(chr(10), ' ¶ ')}" for k, val in v.fields.items()
                if k != "passage"]  # fmt: skip
        entries.append((v.position, v.id, [f"+ added {v.heading()}", *body]))
    for v in changes.removed:
        entries.append((v.position, v.id, [f"- removed {v.heading()}"]))
    for old, new in changes.changed:
        body = []
        for key in list(old.fields) + [k for k in new.fields if k not in old.fields]:
            if old.fields.get(key, "") != new.fields.get(key, ""):
                body += _field_lines(key, old.fields.get(key, ""), new.fields.get(key, ""))
        entries.append((new.position, new.id, [f"~ changed {new.heading()}", *body]))
    for _, _, block in sorted(entries, key=lambda e: (e[0], e[1])):
        lines += block
    if changes.categories:
        lines += ["categories:", *(f"  {line}" for line in changes.categories)]
    if changes.sources:
        lines += ["sources:", *(f"  {line}" for line in changes.sources)]
    if changes.text:
        lines.append(f"text: {changes.text}")
    return "\n".join(lines)


def render(doc: TeiDocument) -> str:
    """Return the line-oriented rendering of a document's annotations (one block each, in
    reading order), its categories, sources and text: what ``git diff`` compares."""
    lines = ["Glossator annotations (git diff --no-textconv shows the XML)", ""]
    for v in views(doc):
        lines.append(f"annotation {v.heading()}")
        for key, value in v.fields.items():
            if key == "note":
                paragraphs = value.split("\n")
                lines.append(f"  note: {paragraphs[0]}")
                lines += [f"        {p}" for p in paragraphs[1:]]
            else:
                lines.append(f"  {key}: {value}")
        lines.append("")
    lines.append("categories")
    lines += [f"  {k}  {v}" for k, v in _categories(doc).items()]
    lines += ["", "sources"]
    lines += [f"  {k}  {v}" for k, v in _sources(doc).items()]
    lines += ["", "text"]
    lines += [f"  ¶ {p}" for p in _paragraphs(doc)]
    return "\n".join(lines) + "\n"


def textconv(data: bytes, path: str = "") -> bytes:
    """Return what git's diff shows for one version of a file: :func:`render` for a TEI file
    (annotated or not yet: the first annotations then read as added), the bytes unchanged for
    anything else (other XML, broken or binary files)."""
    from .errors import TeiError

    try:
        return render(TeiDocument.from_bytes(data, path or None)).encode("utf-8")
    except TeiError as exc:
        log.info("not rendered: %s", exc)
        return data
