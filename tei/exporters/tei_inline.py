"""Inline TEI: the annotations merged into (a copy of) the text as ``<seg>`` + ``<note>``.

For TEI tools that do not read standoff markup (TEI Publisher, EVT). Each passage becomes
``<seg ana="#category" xml:id="…">``; a passage that crosses element boundaries or overlaps
another one is split into parts chained with ``@next``/``@prev``. The annotation body goes into
``<note type="annotation" target="#seg…">`` in a ``<div type="annotations">`` of the ``<back>``.
The document itself is never modified.
"""

from __future__ import annotations

import copy
from typing import Any

from lxml import etree

from .. import ns
from ..textmodel import NOTE
from . import ExportReport, write_bytes
from ._edition import Edition, Note
from ._seg_model import SEG_CONTENT, SEG_HOSTS

_T = "{" + ns.TEI + "}"
SEG = _T + "seg"
ANCHOR = _T + "anchor"
#: Elements in which a ``<seg>`` may wrap text, and elements a ``<seg>`` may wrap (from tei_all).
HOSTS = frozenset(_T + t for t in SEG_HOSTS)
IN_SEG = frozenset(_T + t for t in SEG_CONTENT)
_NOT_TEXT = (etree._Comment, etree._ProcessingInstruction, etree._Entity)
Item = str | etree._Element


class _Inliner:
    """Wraps global raw spans of a copied tree in ``<seg>`` elements."""

    def __init__(self, doc: Any, root: etree._Element) -> None:
        self.doc = doc
        self.root = root
        self.copy_of: dict[etree._Element, etree._Element] = {}
        self.orig_of: dict[etree._Element, etree._Element] = {}
        for o, c in zip(doc.root.iter(), root.iter(), strict=True):
            self.copy_of[o] = c
            self.orig_of[c] = o
        self.lengths: dict[etree._Element, int] = {}
        self.ids = {str(v) for v in root.xpath("//@xml:id")}
        self.unmarked: set[str] = set()  # elements whose text of the last wrap() got no <seg>
        self.keep_blank = False  # wrap whitespace-only runs too (a passage of spaces only)

    def length(self, el: etree._Element) -> int:
        if isinstance(el, _NOT_TEXT):
            return 0
        n = self.lengths.get(el)
        if n is None:
            n = self.lengths[el] = len(etree.tostring(el, method="text", encoding=str,
                                                      with_tail=False))  # fmt: skip
        return n

    def new_id(self, stem: str) -> str:
        xml_id, k = stem, 1
        while xml_id in self.ids:
            k += 1
            xml_id = f"{stem}-{k}"
        self.ids.add(xml_id)
        return xml_id

    def _host(self, el: etree._Element) -> bool:
        """Tell whether a ``<seg>`` may wrap text directly inside ``el``."""
        if el.tag == SEG and el not in self.orig_of:
            return True
        orig = self.orig_of.get(el)
        if orig is None or el.tag not in HOSTS:
            return False
        return self.doc.text.enclosing_block(orig) >= 0

    def _inline(self, el: etree._Element) -> bool:
        """Tell whether ``el`` may go inside a ``<seg>`` as a whole."""
        if isinstance(el, _NOT_TEXT) or el.tag == NOTE:
            return True
        orig = self.orig_of.get(el)
        if orig is None:
            return el.tag == SEG
        return el.tag in IN_SEG and self.doc.text.block_index(orig) is None

    def start_point(self, a: int, b: int) -> tuple[etree._Element, int]:
        """Return the smallest copied element holding [a, b) and its global start offset."""
        text = self.doc.text
        i0, i1 = text.find_block(a), text.find_block(b, end=True)
        if i0 >= 0 and i0 == i1:
            blk = text.blocks[i0]
            return self.copy_of[blk.element], blk.start
        if i0 < 0 or i1 < 0:
            return self.root, 0
        e0, e1 = text.blocks[i0].element, text.blocks[i1].element
        anc1 = {id(x) for x in e1.iterancestors()} | {id(e1)}
        lca = next((x for x in [e0, *e0.iterancestors()] if id(x) in anc1), self.doc.root)
        try:
            return self.copy_of[lca], text.global_start(lca)
        except (ValueError, KeyError):
            return self.root, 0

    def wrap(self, a: int, b: int, ana: str) -> list[etree._Element]:
        """Wrap global [a, b) in one or more ``<seg>``s and return them in text order."""
        el, start = self.start_point(a, b)
        self.unmarked = set()
        parts: list[etree._Element] = []
        self._wrap(el, start, a, b, ana, parts)
        if not parts:  # only whitespace: wrap it rather than lose the passage
            self.keep_blank = True
            self._wrap(el, start, a, b, ana, parts)
            self.keep_blank = False
        return parts

    def _wrap(self, el: etree._Element, start: int, a: int, b: int, ana: str,
              parts: list[etree._Element]) -> None:  # fmt: skip
        items: list[Item] = [el.text or ""]
        for child in el:
            items.append(child)
            items.append(child.tail or "")
        host = self._host(el)
        out: list[Item] = []
        run: list[Item] = []
        changed = False

        def flush() -> None:
            nonlocal changed
            if not run:
                return
            if not self.keep_blank and all(isinstance(x, str) and not x.strip() for x in run):
                out.extend(run)
            else:
                seg = etree.Element(SEG, ana=ana)
                _set_content(seg, run)
                out.append(seg)
                parts.append(seg)
                changed = True
            run.clear()

        pos = start
        for it in items:
            size = len(it) if isinstance(it, str) else self.length(it)
            s, e = pos, pos + size
            pos = e
            if e <= a or s >= b:
                if not (isinstance(it, etree._Element) and s == e and a < s < b):
                    flush()
                    out.append(it)
                    continue
            if isinstance(it, str):
                i0, i1 = max(a, s) - s, min(b, e) - s
                if it[:i0]:
                    flush()
                    out.append(it[:i0])
                if it[i0:i1]:
                    if host:
                        run.append(it[i0:i1])
                    else:
                        out.append(it[i0:i1])
                        if it[i0:i1].strip():
                            self.unmarked.add(ns.local_name(el.tag))
                if it[i1:]:
                    flush()
                    out.append(it[i1:])
            elif a <= s and e <= b and host and self._inline(it):
                run.append(it)
            else:
                flush()
                out.append(it)
                if self.length(it) and not isinstance(it, _NOT_TEXT):
                    self._wrap(it, s, a, b, ana, parts)
        flush()
        if changed or len(out) != len(items):
            _set_content(el, out)

    def anchor(self, a: int) -> etree._Element | None:
        """Insert an ``<anchor>`` at global offset ``a`` (for zero-width passages)."""
        i = self.doc.text.find_block(a)
        if i < 0:
            return None
        blk = self.doc.text.blocks[i]
        return self._anchor(self.copy_of[blk.element], blk.start, a)

    def _anchor(self, el: etree._Element, start: int, a: int) -> etree._Element | None:
        pos = start + len(el.text or "")
        if a <= pos or not len(el):
            split = min(a - start, len(el.text or ""))
            anchor = etree.Element(ANCHOR)
            text = el.text or ""
            el.text, anchor.tail = text[:split], text[split:]
            el.insert(0, anchor)
            return anchor
        for child in el:
            size = self.length(child)
            if pos <= a < pos + size and self._host(child):
                return self._anchor(child, pos, a)
            pos += size
            tail = child.tail or ""
            if pos <= a <= pos + len(tail):
                anchor = etree.Element(ANCHOR)
                split = a - pos
                child.tail, anchor.tail = tail[:split], tail[split:]
                child.addnext(anchor)
                return anchor
            pos += len(tail)
        return None


def _set_content(el: etree._Element, items: list[Item]) -> None:
    """Replace ``el``'s text and children with ``items`` (strings and elements)."""
    for child in list(el):
        el.remove(child)
    el.text = None
    last: etree._Element | None = None
    texts: list[str] = []
    for it in items:
        if isinstance(it, str):
            texts.append(it)
            continue
        joined = "".join(texts) or None
        if last is None:
            el.text = joined
        else:
            last.tail = joined
        texts = []
        it.tail = None
        el.append(it)
        last = it
    joined = "".join(texts) or None
    if last is None:
        el.text = joined
    else:
        last.tail = joined


def _note_for(n: Note, ed: Edition, targets: list[str], note_id: str) -> etree._Element:
    ann = n.ann
    attrib = {ns.XML_ID: note_id, "type": "annotation", "subtype": n.kind}
    if targets:
        attrib["target"] = " ".join("#" + t for t in targets)
    if ann.categories:
        attrib["ana"] = " ".join("#" + c for c in ann.categories)
    if ann.annotator:
        attrib["resp"] = "#" + ann.annotator
    if ann.certainty != "unknown":
        attrib["cert"] = ann.certainty
    if n.number:
        attrib["n"] = str(n.number)
    note = etree.Element(_T + "note", attrib)
    for child in ann.element:
        if child.tag == NOTE:
            note.append(copy.deepcopy(child))
    if ann.created:
        etree.SubElement(note, _T + "date", type="created", when=ann.created)
    if ann.modified and ann.modified != ann.created:
        etree.SubElement(note, _T + "date", type="modified", when=ann.modified)
    return note


def _split_report(split: list[tuple[Note, int]], note_ids: dict[str, str],
                  xml_id: str) -> etree._Element:  # fmt: skip
    """Return the ``<p>`` telling which annotations were split into parts (and how many)."""
    p = etree.Element(_T + "p", {ns.XML_ID: xml_id})
    p.text = ("Passages that overlap or cross element boundaries are split into parts joined by "
              "@next and @prev: ")  # fmt: skip
    for k, (n, parts) in enumerate(split):
        ref = etree.SubElement(p, _T + "ref", target="#" + note_ids[n.id])
        ref.text = f"annotation {n.number}"
        ref.tail = f" ({parts} parts)" + ("; " if k + 1 < len(split) else ".")
    return p


def _back_div(tree_root: etree._Element, seg: etree._Element | None) -> etree._Element:
    """Return (creating it) the ``div type="annotations"`` in the back of the seg's text."""
    text = None
    if seg is not None:
        texts = [a for a in seg.iterancestors(_T + "text")]
        text = texts[-1] if texts else None
    if text is None:
        text = next(tree_root.iter(_T + "text"), None)
    if text is None:  # e.g. only a sourceDoc: add a text whose body holds the notes
        text = etree.Element(_T + "text")
        so = tree_root.find(_T + "standOff")
        if so is not None:
            so.addprevious(text)
        else:
            tree_root.append(text)
        div = etree.SubElement(etree.SubElement(text, _T + "body"), _T + "div", type="annotations")
        etree.SubElement(div, _T + "head").text = "Annotations"
        return div
    back = text.find(_T + "back")
    if back is None:
        back = etree.SubElement(text, _T + "back")
    for div in back.iterchildren(_T + "div"):
        if div.get("type") == "annotations":
            return div
    div = etree.SubElement(back, _T + "div", type="annotations")
    etree.SubElement(div, _T + "head").text = "Annotations"
    return div


def _ensure_taxonomy(doc: Any, root: etree._Element) -> None:
    """Put the taxonomy (categories the ``@ana``s point to) into the copy's header."""
    if doc.taxonomy.element() is not None:
        return
    header = root.find(_T + "teiHeader")
    if header is None:
        return
    enc = header.find(_T + "encodingDesc")
    if enc is None:
        enc = etree.Element(_T + "encodingDesc")
        fd = header.find(_T + "fileDesc")
        header.insert(header.index(fd) + 1 if fd is not None else 0, enc)
    cd = enc.find(_T + "classDecl")
    if cd is None:
        cd = etree.SubElement(enc, _T + "classDecl")
    tax = copy.deepcopy(doc.taxonomy.effective())
    for c in list(tax.iter(etree.Comment)):
        c.getparent().remove(c)  # type: ignore[union-attr]
    cd.append(tax)


def render_tei_inline(doc: Any) -> tuple[bytes, list[str]]:
    """Return the inline-TEI bytes of ``doc`` and a report of what had to be split."""
    ed = Edition(doc)
    tree = copy.deepcopy(doc.tree)
    root = tree.getroot()
    inl = _Inliner(doc, root)
    warnings: list[str] = []
    placed: list[tuple[Note, list[str], etree._Element | None]] = []
    spans = []
    for n in ed.notes:
        res = [r for r in doc.resolve(n.ann.target) if r.ok]
        for r in res:
            spans.append((r.start, -(r.end or 0), n, r.end))
    spans.sort(key=lambda s: (s[0], s[1], s[2].number))
    segs: dict[str, list[etree._Element]] = {}
    for a, _, n, b in spans:
        ana = " ".join("#" + c for c in n.ann.categories) or "#" + n.category
        if b <= a:
            anchor = inl.anchor(a)
            if anchor is not None:
                segs.setdefault(n.id, []).append(anchor)
            continue
        segs.setdefault(n.id, []).extend(inl.wrap(a, b, ana))
        if inl.unmarked:
            tags = ", ".join(f"<{t}>" for t in sorted(inl.unmarked))
            warnings.append(f"annotation {n.number} ({n.id}): the part of its passage inside {tags} "
                            "is not marked (TEI allows no <seg> there)")  # fmt: skip
    for so in root.iterchildren(_T + "standOff"):
        if so.get("type") != "glossator":
            continue
        for lst in so.findall(_T + "listAnnotation"):
            inl.ids.difference_update(str(v) for v in lst.xpath(".//@xml:id"))
            so.remove(lst)
        if not len(so):
            root.remove(so)
    note_ids = {n.id: inl.new_id(n.id) for n in ed.notes + ed.orphans}
    for n in ed.notes:
        parts = segs.get(n.id, [])
        base = inl.new_id(f"seg-{n.id}")
        ids = [base] + [inl.new_id(f"{base}.{k}") for k in range(2, len(parts) + 1)]
        for k, (seg, xml_id) in enumerate(zip(parts, ids, strict=False)):
            seg.set(ns.XML_ID, xml_id)
            if seg.tag == SEG:
                seg.set("corresp", f"#{note_ids[n.id]}")
                if k:
                    seg.set("prev", "#" + ids[k - 1])
                if k + 1 < len(parts):
                    seg.set("next", "#" + ids[k + 1])
        if len(parts) > 1:
            warnings.append(f"annotation {n.number} ({n.id}) was split into {len(parts)} parts "
                            f"(it crosses element boundaries or overlaps another passage)")  # fmt: skip
        if not parts:
            warnings.append(f"annotation {n.number} ({n.id}) could not be placed in the text")
        placed.append((n, ids[: len(parts)], parts[0] if parts else None))
    for n in ed.orphans:
        warnings.append(f"annotation {n.id} has no passage ({n.message or n.status}); "
                        "its note is kept without a target")  # fmt: skip
        placed.append((n, [], None))
    if placed:
        _ensure_taxonomy(doc, root)
    divs = []
    for n, ids, first in placed:
        div = _back_div(root, first)
        div.append(_note_for(n, ed, ids, note_ids[n.id]))
        divs.append(div)
    split = [(n, len(ids)) for n, ids, _ in placed if len(ids) > 1]
    if split:
        divs[0].insert(1, _split_report(split, note_ids, inl.new_id("split-report")))
    for div in root.iter(_T + "div"):
        if div.get("type") == "annotations" and div.getparent().tag == _T + "back":
            etree.indent(div, space="  ", level=3)
    data = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    return data + b"\n", warnings


def export_tei_inline(doc: Any, dest: str, **_: Any) -> ExportReport:
    """Write the inline-TEI version of ``doc`` to ``dest``."""
    data, warnings = render_tei_inline(doc)
    write_bytes(dest, data)
    return ExportReport(dest, "tei-inline", warnings, len(doc.annotations()))
