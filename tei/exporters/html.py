"""The HTML edition: one self-contained, accessible, printable file with the critical apparatus.

The text is rendered from the text model (blocks and their reading text, as the app shows it);
annotated passages are tinted by category, with the notes in the margin on wide screens and
as numbered endnotes (and a popover on narrow screens). See :func:`export_html`.
"""

from __future__ import annotations

import os
from typing import Any

from lxml import etree

from .. import ns
from ..direction import direction
from ..interventions import logged
from ..textmodel import CONTAINER_TAGS, PB, SKIPPED_TAGS
from . import ExportReport, write_text
from ._edition import Edition, Note, bcp47, safe_url
from ._html_assets import SCRIPT, category_css, stylesheet
from ._html_matrix import CSS as MATRIX_CSS
from ._html_matrix import matrix_section
from ._html_parts import (
    Classes,
    E,
    about,
    add_text,
    bibliography,
    date_only,
    figures_index,
    legend,
    note_body,
    orphans,
    title_page,
)
from ._render import Mark, Style, runs

_T = "{" + ns.TEI + "}"
_DIVS = {_T + t for t in "div div1 div2 div3 div4 div5 div6 div7".split()}
_SECTIONING = _DIVS | {_T + t for t in "body front back text group".split()}
#: TEI container -> (HTML tag, class)
_CONTAINERS = {
    _T + "lg": ("div", "lg"),
    _T + "list": ("ul", "list"),
    _T + "listBibl": ("ul", "list bibl"),
    _T + "quote": ("blockquote", "quote"),
    _T + "cit": ("blockquote", "quote"),
    _T + "sp": ("div", "sp"),
    _T + "spGrp": ("div", "spgrp"),
    _T + "figure": ("figure", "figure"),
    _T + "titlePage": ("div", "tpage"),
    _T + "castList": ("ul", "list cast"),
    _T + "floatingText": ("div", "floating"),
}
#: TEI block -> (HTML tag, class) for the text cell.
_BLOCKS = {
    "p": ("p", ""), "ab": ("p", ""), "l": ("div", "l"), "item": ("div", "item"),
    "speaker": ("p", "speaker"), "stage": ("p", "stage"), "note": ("p", "inote"),
    "trailer": ("p", "trailer"), "byline": ("p", "byline"), "dateline": ("p", "dateline"),
    "salute": ("p", "salute"), "signed": ("p", "signed"), "docTitle": ("p", "doctitle"),
    "titlePart": ("p", "doctitle"), "docAuthor": ("p", "docauthor"), "docDate": ("p", "docdate"),
    "docImprint": ("p", "docimprint"), "argument": ("p", "argument"), "epigraph": ("p", "epigraph"),
    "figDesc": ("p", "figdesc"), "caption": ("figcaption", ""), "label": ("p", "label"),
    "cell": ("div", "cell"), "fw": ("p", "fw"), "u": ("p", "u"), "line": ("div", "l"),
    "closer": ("p", "closer"), "opener": ("p", "opener"), "postscript": ("p", "postscript"),
    "bibl": ("p", "bibl"), "entry": ("div", "entry"), "castItem": ("div", "item"),
}  # fmt: skip


class _Builder:
    """Walks the TEI tree and builds the HTML body."""

    def __init__(self, ed: Edition, cls: Classes, lang: str, notes: bool = True,
                 margin: bool = True) -> None:  # fmt: skip
        self.with_notes = notes
        self.with_margin = notes and margin
        self.ed = ed
        self.cls = cls
        self.lang = lang
        self.pending_pb: list[str] = []
        self.margin: dict[int, list[Note]] = {}
        for n in ed.notes:
            self.margin.setdefault(n.anchor_block, []).append(n)
        self.rendered: set[int] = set()

    # -- structure ---------------------------------------------------------------------------
    def walk(self, el: etree._Element, parent: etree._Element, lang: str, depth: int) -> None:
        """Render the children of a TEI container ``el`` into ``parent``."""
        in_list = parent.tag == "ul"
        for child in el:
            if not isinstance(child.tag, str) or child.tag in SKIPPED_TAGS:
                continue
            c_lang = child.get(ns.XML_LANG) or lang
            index = self.ed.text.block_index(child)
            if index is not None:
                self.block(index, parent, c_lang, depth, el)
            elif child.tag == PB:
                if child.get("n"):
                    self.pending_pb.append(child.get("n") or "")
            elif child.tag == _T + "table":
                self.table(child, parent, c_lang)
            elif len(child):
                if in_list:
                    holder = E(parent, "li", class_="nested")
                else:
                    holder = parent
                self.container(child, holder, c_lang, depth)

    def container(self, el: etree._Element, parent: etree._Element, lang: str, depth: int) -> None:
        """Render a TEI container element."""
        attrs: dict[str, str] = {}
        if el.get(ns.XML_LANG) and el.get(ns.XML_LANG) != self.lang:
            attrs["lang"] = el.get(ns.XML_LANG) or ""
        if el.tag in _DIVS:
            sec = E(parent, "section", class_="div", **attrs)
            self.walk(el, sec, lang, depth + 1)
        elif el.tag in _CONTAINERS:
            tag, klass = _CONTAINERS[el.tag]
            node = E(parent, tag, class_=klass, **attrs)
            self.walk(el, node, lang, depth)
        elif el.tag in CONTAINER_TAGS or el.tag in _SECTIONING:
            node = E(parent, "div", class_=ns.local_name(el.tag).lower(), **attrs)
            self.walk(el, node, lang, depth)
        else:  # an unknown element holding blocks
            node = E(parent, "div", class_="unknown", **attrs)
            self.walk(el, node, lang, depth)

    def table(self, el: etree._Element, parent: etree._Element, lang: str) -> None:
        """Render a TEI table as one row holding an HTML table."""
        wrap = E(parent, "li" if parent.tag == "ul" else "div", class_="row")
        table = E(wrap, "table", class_="text ttable")
        indices: list[int] = []
        for row in el.iter(_T + "row"):
            tr = E(table, "tr")
            for cell in row.iter(_T + "cell"):
                td = E(tr, "th" if cell.get("role") == "label" else "td")
                index = self.ed.text.block_index(cell)
                if index is not None:
                    self.inline(td, index, lang)
                    self.rendered.add(index)
                    indices.append(index)
        for head in el.iterchildren(_T + "head"):
            index = self.ed.text.block_index(head)
            if index is not None:
                cap = E(table, "caption")
                table.insert(0, cap)
                self.inline(cap, index, lang)
                indices.append(index)
        self.margin_notes(wrap, indices)

    def block(self, index: int, parent: etree._Element, lang: str, depth: int,
              container: etree._Element) -> None:  # fmt: skip
        """Render one block as a row: the text cell and the margin notes."""
        el = self.ed.blocks[index].element
        local = ns.local_name(el.tag)
        if local == "head":
            if container.tag in _SECTIONING:
                tag, klass = f"h{min(max(depth + 1, 2), 6)}", "head"
            else:
                tag, klass = "p", "head"
        else:
            tag, klass = _BLOCKS.get(local, ("div", "unknown"))
        wrap = E(parent, "li" if parent.tag == "ul" else "div", class_="row", id=f"b{index}")
        attrs = {}
        if lang and lang != self.lang:
            attrs["lang"] = lang
        if direction(lang) == "rtl":
            attrs["dir"] = "rtl"
        rend = (el.get("rend") or "").lower()
        extra = " center" if "center" in rend or "centre" in rend else ""
        extra += " indent" if local == "l" and ("indent" in rend or el.get("part") in ("M", "F")) else ""
        cell = E(wrap, tag, class_=("text " + klass + extra).strip(), **attrs)
        if local == "l" and el.get("n") and el.get("n", "").isdigit() and int(el.get("n", "0")) % 5 == 0:
            E(cell, "span", el.get("n"), class_="lnum", aria_hidden="true")
        self.inline(cell, index, lang)
        self.rendered.add(index)
        self.margin_notes(wrap, [index])

    def margin_notes(self, wrap: etree._Element, indices: list[int]) -> None:
        """Add the margin copies of the notes of annotations starting in these blocks."""
        notes = [n for i in indices for n in self.margin.get(i, [])]
        if not notes or not self.with_margin:
            return
        aside = E(wrap, "aside", class_="m", aria_hidden="true")
        for n in notes:
            div = E(aside, "div", class_=f"mn {self.cls.of(n)}", data_n=str(n.number))
            note_body(div, n, self.ed, self.cls, links=False)

    # -- inline ------------------------------------------------------------------------------
    def inline(self, target: etree._Element, index: int, lang: str) -> None:
        """Render the reading text of block ``index`` into ``target``."""
        for label in self.pending_pb:
            self.page_mark(target, label, start=True)
        self.pending_pb = []
        open_: list[tuple[Style, etree._Element]] = []  # style elements continued across runs
        pos = 0
        base = direction(lang)
        for item in runs(index, self.ed, lang):
            if isinstance(item, Mark):
                while open_ and open_[-1][0].end <= pos:
                    open_.pop()
                where = open_[-1][1] if open_ else target
                if item.note is not None:
                    if not self.with_notes:
                        continue
                    n = item.note
                    sup = E(where, "sup", class_="ar")
                    E(sup, "a", str(n.number), href=f"#n-{n.number}", id=f"r-{n.number}",
                      class_="aref " + self.cls.of(n), data_n=str(n.number),
                      aria_describedby=f"n-{n.number}")  # fmt: skip
                elif item.anchor is not None and item.anchor.kind == "pb":
                    if item.anchor.label:
                        self.page_mark(self.passages(where, item.within), item.anchor.label)
                elif item.anchor is not None:
                    idx = self.ed.text.block_index(item.anchor.element)
                    label = self.ed.footnotes.get(idx) if idx is not None else None
                    if label:
                        sup = E(self.passages(where, item.within), "sup", class_="fr")
                        E(sup, "a", label, href=f"#fn-{idx}", id=f"fr-{idx}",
                          aria_label=f"Source note {label}")  # fmt: skip
                continue
            # one element per style, however many runs the annotations cut it into
            # (a quotation cut in three must not get three pairs of quotation marks)
            k = 0
            while k < min(len(open_), len(item.styles)) and open_[k][0] == item.styles[k]:
                k += 1
            del open_[k:]
            for st in item.styles[k:]:
                attrs = {"class_": st.cls, "lang": st.lang}
                if st.lang and direction(st.lang) != base:  # isolated, laid out its own way
                    attrs["dir"] = direction(st.lang)
                if st.title and (st.cls != "tref" or safe_url(st.title)):
                    attrs["title"] = st.title
                open_.append((st, E(open_[-1][1] if open_ else target, st.tag, **attrs)))
            add_text(self.passages(open_[-1][1] if open_ else target, item.notes), item.text)
            pos += len(item.text)

    def passages(self, node: etree._Element, notes: list[tuple[Note, int]]) -> etree._Element:
        """Nest one tinted span per annotated passage in ``node``; return the innermost."""
        for n, level in notes:
            node = E(node, "span", class_=f"a {self.cls.of(n)} l{level}", data_n=str(n.number))
        return node

    def page_mark(self, target: etree._Element, label: str, *, start: bool = False) -> None:
        """Insert a page-break marker with the page number for the margin."""
        span = E(target, "span", class_="pb at0" if start else "pb")
        E(span, "span", label, class_="pbn", title=f"Page {label}")

    # -- notes -------------------------------------------------------------------------------
    def footnotes(self, body: etree._Element) -> None:
        """Render the source's own footnotes as a numbered list."""
        if not self.ed.footnotes:
            return
        sec = E(body, "section", id="footnotes", aria_labelledby="fn-h", class_="notes")
        E(sec, "h2", "Notes of the source", id="fn-h")
        ol = E(sec, "ol", class_="fns")
        for idx, label in self.ed.footnotes.items():
            li = E(ol, "li", class_="row", id=f"fn-{idx}")
            cell = E(li, "div", class_="text", dir="rtl" if direction(self.lang) == "rtl" else None)
            E(cell, "span", label, class_="fnlab")
            add_text(cell, " ")
            self.inline(cell, idx, self.lang)
            add_text(cell, " ")
            E(cell, "a", "↩", href=f"#fr-{idx}", class_="back",
              aria_label=f"Back to the reference of note {label}")  # fmt: skip
            self.rendered.add(idx)
            self.margin_notes(li, [idx])

    def apparatus(self, body: etree._Element) -> None:
        """Render every annotation as a numbered endnote (the critical apparatus)."""
        if not self.ed.notes or not self.with_notes:
            return
        sec = E(body, "section", id="apparatus", aria_labelledby="app-h", class_="notes")
        E(sec, "h2", "Critical notes", id="app-h")
        ol = E(sec, "ol", class_="app")
        for n in self.ed.notes:
            li = E(ol, "li", id=f"n-{n.number}", class_=f"enote {self.cls.of(n)}")
            note_body(li, n, self.ed, self.cls, lemma=True)
            E(li, "a", "↩ back to the text", href=f"#r-{n.number}", class_="back",
              aria_label=f"Back to the passage of note {n.number}")  # fmt: skip


def interventions(body: etree._Element, doc: Any) -> None:
    """List the editorial interventions recorded in Glossator's standOff (who, when, what)."""
    found = logged(doc)
    if not found:
        return
    sec = E(body, "section", id="interventions", aria_labelledby="int-h", class_="notes")
    E(sec, "h2", "Editorial interventions", id="int-h")
    ol = E(sec, "ol", class_="interventions")
    names = doc.annotators()
    for change in found:
        who = names.get((change.get("who") or "").lstrip("#"), "")
        when = date_only(change.get("when") or "")
        tail = ", ".join(x for x in (who, when) if x)
        E(ol, "li", (change.text or "") + (f" — {tail}" if tail else ""))


def render_html(doc: Any, *, title: str = "", source_name: str = "", notes: bool = True,
                paper: str = "", about_rows: tuple[tuple[str, str], ...] = (),
                style: str = "") -> tuple[str, list[str]]:  # fmt: skip
    """Return the HTML edition of ``doc`` as a string, and warnings (see :func:`build_html`)."""
    html, warnings = build_html(doc, title=title, source_name=source_name, notes=notes,
                                paper=paper, about_rows=about_rows, style=style)  # fmt: skip
    text = etree.tostring(html, method="html", encoding="unicode", doctype="<!DOCTYPE html>")
    return text + "\n", warnings


def build_html(doc: Any, *, title: str = "", source_name: str = "", notes: bool = True,
               paper: str = "", about_rows: tuple[tuple[str, str], ...] = (),
               style: str = "") -> tuple[etree._Element, list[str]]:  # fmt: skip
    """Return the HTML edition of ``doc`` as an ``<html>`` element, and warnings.

    ``paper`` ("A4" or "Letter") makes the version printed to PDF: that page size, no script,
    no margin copies of the notes, no popover; ``about_rows`` are added to "About this edition";
    ``style`` is the CSL style of citations and bibliography (see :mod:`tei.citations`).
    """
    ed = Edition(doc, style)
    cls = Classes(ed)
    lang = ed.header.lang
    html = etree.Element("html", lang="en")
    head = E(html, "head")
    E(head, "meta", charset="utf-8")
    E(head, "meta", name="viewport", content="width=device-width, initial-scale=1")
    E(head, "meta", name="generator", content="Glossator 0.1.0")
    E(head, "title", title or ed.header.title or "Edition")
    css = stylesheet() + category_css(cls.colors) + MATRIX_CSS
    if paper:
        css += "@media print { @page { size: %s; } }\n" % ("letter" if paper.lower() == "letter" else "A4")
    E(head, "style", css)
    body = E(html, "body")
    E(body, "a", "Skip to the text", href="#text", class_="skip")
    page = E(body, "div", class_="page")
    title_page(page, ed)
    nav = E(page, "nav", aria_label="Contents", class_="toc")
    ul = E(nav, "ul")
    links = [("legend", "Legend"), ("text", "Text"), ("footnotes", "Notes of the source"),
             ("apparatus", "Critical notes"), ("interventions", "Editorial interventions"),
             ("figures", "Contested figures"), ("matrix", "Evidence matrix"),
             ("bibliography", "Bibliography"), ("orphans", "Appendix"),
             ("about", "About this edition")]  # fmt: skip
    legend(page, ed, cls)
    main = E(page, "main", id="text", tabindex="-1")
    main.set("lang", lang)  # lang="" says "unknown" rather than inheriting the page's English
    b = _Builder(ed, cls, lang, notes, margin=not paper)
    for child in doc.root:
        if isinstance(child.tag, str) and child.tag not in SKIPPED_TAGS:
            index = ed.text.block_index(child)
            if index is not None:
                b.block(index, main, child.get(ns.XML_LANG) or lang, 0, doc.root)
            elif len(child):
                b.container(child, main, child.get(ns.XML_LANG) or lang, 0)
    back = E(page, "div", class_="backmatter")
    back.set("lang", lang)
    b.footnotes(back)
    b.apparatus(page)
    interventions(page, doc)
    figures_index(page, ed, cls)
    matrix_section(page, ed)
    bibliography(page, ed)
    orphans(page, ed, cls)
    about(page, ed, source_name, printed=bool(paper), extra=about_rows)
    present = {str(x) for x in page.xpath(".//@id")}
    for target, label in links:
        if target in present:
            E(E(ul, "li"), "a", label, href=f"#{target}")
    if not len(back):
        page.remove(back)
    if not paper:  # the script lays out margin notes: minutes of work for a long printed book
        pop = E(body, "div", id="pop", role="dialog", aria_modal="false", aria_label="Note",
                hidden="hidden", tabindex="-1", class_="pop")  # fmt: skip
        E(pop, "button", "×", type="button", class_="close", aria_label="Close the note")
        E(pop, "div", class_="pc")
        E(body, "script", SCRIPT)
    warnings = [f"annotation {n.id} has no passage in the text ({n.message or n.status}); "
                "listed in the appendix" for n in ed.orphans]  # fmt: skip
    missing = [i for i, blk in enumerate(ed.blocks) if i not in b.rendered and blk.reading]
    if missing:
        warnings.append(f"{len(missing)} block(s) outside the main text were not rendered")
    for el in html.iter("*"):
        if el.get("lang"):
            el.set("lang", bcp47(el.get("lang") or ""))
    return html, warnings


def export_html(doc: Any, dest: str, *, title: str = "", notes: bool | str = True,
                style: str = "", **_: Any) -> ExportReport:  # fmt: skip
    """Write the HTML edition of ``doc`` to ``dest`` (``notes=False``: passages marked only;
    ``style``: the citation style)."""
    name = os.path.basename(doc.path) if getattr(doc, "path", None) else ""
    text, warnings = render_html(doc, title=title, source_name=name, notes=bool(notes),
                                 style=style)  # fmt: skip
    write_text(dest, text)
    ed_count = len(doc.annotations())
    return ExportReport(dest, "html", warnings, ed_count)
