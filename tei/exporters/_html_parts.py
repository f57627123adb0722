"""Pieces of the HTML edition: element helpers, annotation notes, front and back matter.

Everything is built as lxml elements, so every string a user typed is escaped on serialisation;
URLs pass :func:`safe_url` (http, https, mailto only).
"""

from __future__ import annotations

import html as html_lib
import re

from lxml import etree

from ..annotations import Quantity
from ..direction import direction
from ._edition import Edition, Note, generated_at, safe_url, short

APP = "Glossator 0.1.0"


def E(parent: etree._Element | None, tag: str, text: str | None = None,
      **attrs: str) -> etree._Element:  # fmt: skip
    """Create an element (under ``parent`` if given); ``class_`` sets ``class``."""
    clean = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items() if v not in (None, "")}
    node = etree.Element(tag, clean) if parent is None else etree.SubElement(parent, tag, clean)
    if text:
        node.text = text
    return node


def add_text(parent: etree._Element, text: str) -> None:
    """Append text at the end of ``parent``'s content."""
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


_INLINE = {"i", "b", "u", "sup", "sub", "span"}
_INLINE_STYLES = {"font-variant:small-caps;", "font-style:normal;", "font-weight:normal;"}
_FRAGMENT_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def add_html(parent: etree._Element, fragment: str) -> None:
    """Append a formatted citation (an HTML fragment from :mod:`tei.citations`): its text and
    inline markup (italics, bold, small capitals, super/subscript), nothing else."""
    try:
        wrapper = etree.fromstring(f"<span>{fragment}</span>", _FRAGMENT_PARSER)
    except etree.XMLSyntaxError:
        add_text(parent, html_lib.unescape(re.sub(r"<[^>]+>", "", fragment)))
        return
    add_text(parent, wrapper.text or "")
    for child in list(wrapper):
        if child.tag not in _INLINE or any(c.tag not in _INLINE for c in child.iterdescendants()):
            add_text(parent, "".join(child.itertext()) + (child.tail or ""))
            continue
        for el in child.iter():
            style = el.attrib.pop("style", "")
            el.attrib.clear()
            if el.tag == "span" and style.replace(" ", "") in _INLINE_STYLES:
                el.set("style", style)
        parent.append(child)


def date_only(iso: str) -> str:
    """Return the date part of an ISO timestamp."""
    return iso[:10]


def qty(q: Quantity | None) -> str:
    """Return a quantity's display form ('' if none)."""
    return q.display() if q is not None else ""


class Classes:
    """Stable, safe CSS class names for categories (ids may contain any NCName character)."""

    def __init__(self, ed: Edition) -> None:
        self.names: dict[str, str] = {}
        self.colors: dict[str, str] = {}
        for cid, _label, color, _count, subs in ed.category_counts():
            self._add(cid, color)
            for sid, _sl, _n in subs:
                self._add(sid, ed.taxonomy.color(sid))
        for n in ed.notes + ed.orphans:
            self._add(n.root, n.color)
            self._add(n.category, n.color)

    def _add(self, cid: str, color: str) -> None:
        if cid not in self.names:
            self.names[cid] = f"k{len(self.names)}"
            self.colors[self.names[cid]] = color

    def of(self, n: Note) -> str:
        """Return the classes of an annotation: its top-level category and its own."""
        a, b = self.names[n.root], self.names[n.category]
        return a if a == b else f"{a} {b}"


def source_ref(parent: etree._Element, ed: Edition, sid: str, locator: str, links: bool,
               *, brief: bool = False) -> None:  # fmt: skip
    """Append a citation of source ``sid`` with its locator, in the edition's style (a link to
    the bibliography when ``links``); ``brief``: author and year, then the locator."""
    number = ed.bib_number(sid) if sid else 0
    if links and number:
        node = E(parent, "a", href=f"#bib-{number}", class_="cite")
    else:
        node = E(parent, "span", class_="cite")
    if not sid:
        node.text = "(no source given)"
    elif brief or sid not in ed.sources:
        node.text = ed.short_citation(sid) if brief else sid
    else:
        add_html(node, ed.cite(sid, locator, "html"))
        return
    if locator:
        add_text(parent, f", {locator}")


def note_body(parent: etree._Element, n: Note, ed: Edition, cls: Classes, *,
              links: bool = True, lemma: bool = False) -> None:  # fmt: skip
    """Append the content of an annotation: category, note, kind data and who/when."""
    ann = n.ann
    head = E(parent, "p", class_="nh")
    E(head, "span", class_=f"sw {cls.of(n)}", aria_hidden="true")
    if n.number:
        E(head, "b", str(n.number), class_="num")
        add_text(head, " ")
    E(head, "span", n.label or "Annotation", class_="cat")
    if n.kind == "bias":
        technique = ann.bias.technique
        if technique and technique != n.category:
            add_text(head, " · " + ed.taxonomy.label(technique))
    if n.page:
        E(head, "span", f"p. {n.page}", class_="npg")
    if lemma and (ann.quote or n.pieces):
        quote = ann.quote or ""
        E(parent, "p", f"‘{short(quote, 120)}’", class_="lemma", dir="auto")
    for para in ann.note:
        E(parent, "p", para)
    if n.kind == "bias" and ann.bias.explanation:
        E(parent, "p", ann.bias.explanation, class_="expl")
    if n.kind == "figure":
        figure_block(parent, n, ed, links)
    if n.kind == "source" or ann.element.find("{http://www.tei-c.org/ns/1.0}note[@type='source']") is not None:
        link = ann.source_link
        if link.source or link.locator:
            p = E(parent, "p", class_="src")
            E(p, "span", link.relation.capitalize(), class_=f"rel rel-{link.relation}")
            add_text(p, ": ")
            source_ref(p, ed, link.source, link.locator, links)
    meta = E(parent, "p", class_="meta")
    bits = []
    if ann.certainty != "unknown":
        bits.append(f"certainty: {ann.certainty}")
    who = ed.annotator_name(n)
    if who:
        bits.append(who)
    if ann.created:
        when = date_only(ann.created)
        if ann.modified and date_only(ann.modified) != when:
            when += f", revised {date_only(ann.modified)}"
        bits.append(when)
    meta.text = " · ".join(bits)


def figure_block(parent: etree._Element, n: Note, ed: Edition, links: bool) -> None:
    """Append a contested figure: stated and normalised value, status, table of alternatives."""
    fig = n.ann.figure
    dl = E(parent, "dl", class_="fig")
    for term, value in (("Stated", fig.stated), ("Normalised", qty(fig.normalised)),
                        ("Status", fig.status), ("Preferred", qty(fig.preferred)),
                        ("Rationale", fig.rationale)):  # fmt: skip
        if value:
            E(dl, "dt", term)
            E(dl, "dd", value)
    if fig.alternatives:
        table = E(parent, "table", class_="alts")
        E(table, "caption", "Values given by other sources")
        tr = E(E(table, "thead"), "tr")
        heads = ("Value", "Source") if not links else ("Value", "Normalised", "Source", "Certainty")
        for h in heads:
            E(tr, "th", h, scope="col")
        body = E(table, "tbody")
        for alt in fig.alternatives:
            tr = E(body, "tr")
            if links:
                E(tr, "td", alt.value)
                E(tr, "td", qty(alt.quantity))
            else:
                td = E(tr, "td", alt.value)
                if alt.quantity is not None and qty(alt.quantity) != alt.value:
                    E(td, "span", f" ({qty(alt.quantity)})", class_="norm")
            td = E(tr, "td")
            if alt.source or alt.locator:
                source_ref(td, ed, alt.source, alt.locator, links, brief=not links)
            if alt.note:
                E(td, "span", " — " + alt.note, class_="anote")
            if links:
                E(tr, "td", alt.certainty)
            elif alt.certainty != "unknown":
                add_text(td, f" ({alt.certainty})")


def title_page(body: etree._Element, ed: Edition) -> None:
    """Append the title page (from the teiHeader)."""
    h = ed.header
    header = E(body, "header", class_="titlepage")
    E(header, "p", "A critical edition", class_="kicker")
    title = h.title or "Untitled document"
    E(header, "h1", title, id="title", class_="long" if len(title) > 60 else None,
      lang=h.title_lang if h.title_lang != "en" else None,
      dir="rtl" if direction(h.title_lang) == "rtl" else None)  # fmt: skip
    for sub in h.subtitles:
        E(header, "p", sub, class_="subtitle")
    if h.authors:
        E(header, "p", ", ".join(h.authors), class_="authors")
    if h.editors:
        E(header, "p", "Edited by " + ", ".join(h.editors), class_="editors")
    names = sorted({ed.annotator_name(n) for n in ed.notes + ed.orphans if ed.annotator_name(n)})
    count = len(ed.notes) + len(ed.orphans)
    line = f"With {count} critical annotation{'s' if count != 1 else ''}"
    E(header, "p", line + (" by " + ", ".join(names) if names else ""), class_="annotators")
    pub = ", ".join(x for x in (h.publisher, h.pub_place, h.pub_date) if x)
    if pub:
        E(header, "p", pub, class_="pub")
    for s in h.source[:3]:
        E(header, "p", "Source: " + short(s, 300), class_="srcdesc")


def legend(body: etree._Element, ed: Edition, cls: Classes) -> None:
    """Append the legend: categories with counts and show/hide toggles."""
    sec = E(body, "section", id="legend", aria_labelledby="legend-h", class_="legend")
    E(sec, "h2", "Legend", id="legend-h")
    counts = ed.category_counts()
    if not counts:
        E(sec, "p", "This document has no annotations.")
        return
    fs = E(sec, "fieldset")
    E(fs, "legend", "Show annotations of these categories")
    ul = E(fs, "ul", class_="cats")
    for cid, label, _color, count, subs in counts:
        k = cls.names[cid]
        li = E(ul, "li")
        lab = E(li, "label")
        E(lab, "input", type="checkbox", checked="checked", id=f"t-{k}", data_k=k,
          class_="toggle")  # fmt: skip
        E(lab, "span", class_=f"sw {k}", aria_hidden="true")
        add_text(lab, f" {label} ")
        E(lab, "span", f"({count})", class_="count")
        if subs:
            sub_ul = E(li, "ul")
            for _sid, slabel, scount in subs:
                E(sub_ul, "li", f"{slabel} ({scount})")
    E(sec, "p", "Annotated passages are tinted and underlined in the colour of their category; "
      "overlapping passages show one underline each. The superscript numbers lead to the notes.",
      class_="hint")  # fmt: skip


def figures_index(body: etree._Element, ed: Edition, cls: Classes) -> None:
    """Append the index of contested figures (a table)."""
    figs = ed.figures()
    if not figs:
        return
    sec = E(body, "section", id="figures", aria_labelledby="figures-h", class_="back")
    E(sec, "h2", "Index of contested figures", id="figures-h")
    wrap = E(sec, "div", class_="tscroll", role="region", tabindex="0",
             aria_labelledby="figures-h")  # fmt: skip
    table = E(wrap, "table", class_="figidx")
    tr = E(E(table, "thead"), "tr")
    for h in ("Passage", "Stated value", "Alternatives", "Sources", "Status"):
        E(tr, "th", h, scope="col")
    tb = E(table, "tbody")
    for n in figs:
        fig = n.ann.figure
        tr = E(tb, "tr")
        td = E(tr, "td")
        if n.number:
            E(td, "a", str(n.number), href=f"#n-{n.number}", class_="num")
            add_text(td, " ")
        add_text(td, f"‘{short(n.ann.quote, 90)}’" if n.ann.quote else "")
        if n.page:
            E(td, "span", f" (p. {n.page})", class_="npg")
        td = E(tr, "td", fig.stated)
        if fig.normalised is not None:
            E(td, "span", f" ({qty(fig.normalised)})", class_="norm")
        ul = E(E(tr, "td"), "ul")
        for alt in fig.alternatives:
            E(ul, "li", alt.value + (f" ({qty(alt.quantity)})" if alt.quantity else ""))
        ul = E(E(tr, "td"), "ul")
        for alt in fig.alternatives:
            li = E(ul, "li")
            source_ref(li, ed, alt.source, alt.locator, True) if alt.source else add_text(li, "—")
        td = E(tr, "td", fig.status, class_=f"st st-{fig.status}")
        if fig.preferred is not None:
            E(td, "span", f"; preferred {qty(fig.preferred)}", class_="pref")


def bibliography(body: etree._Element, ed: Edition) -> None:
    """Append the bibliography of cited sources, formatted in the edition's style."""
    entries = ed.entries("html")
    ids = ed.cited_sources()
    if not ids:
        return
    sec = E(body, "section", id="bibliography", aria_labelledby="bib-h", class_="back")
    E(sec, "h2", "Bibliography", id="bib-h")
    ul = E(sec, "ul", class_="bib")
    for i, sid in enumerate(ids, 1):
        li = E(ul, "li", id=f"bib-{i}")
        add_html(li, entries[sid])
        url = ed.source_url(sid)
        if url not in link_urls(li) and url:
            add_text(li, " ")
            E(li, "a", url, href=url, rel="noreferrer noopener")
        cited = [n for n in ed.notes if sid in n.ann.cited_sources()]
        if cited:
            span = E(li, "span", " — cited in note ", class_="citedin")
            for j, n in enumerate(cited):
                if j:
                    add_text(span, ", ")
                E(span, "a", str(n.number), href=f"#n-{n.number}")


_URL = re.compile(r"https?://[^\s<>\"'`]+[^\s<>\"'`.,;:)]")


def link_urls(parent: etree._Element) -> list[str]:
    """Make the safe URLs in ``parent``'s own text and its children's tails links; return them."""
    found = []
    for node, attr in [(parent, "text"), *((c, "tail") for c in list(parent))]:
        text = getattr(node, attr) or ""
        pieces = [(m.start(), m.end()) for m in _URL.finditer(text) if safe_url(m.group())]
        if not pieces:
            continue
        setattr(node, attr, text[: pieces[0][0]])
        anchor = node
        for k, (start, end) in enumerate(pieces):
            url = text[start:end]
            found.append(url)
            a = etree.Element("a", href=url, rel="noreferrer noopener")
            a.text = url
            a.tail = text[end : pieces[k + 1][0] if k + 1 < len(pieces) else len(text)]
            if anchor is parent:
                parent.insert(0, a)
            else:
                anchor.addnext(a)
            anchor = a
    return found


def orphans(body: etree._Element, ed: Edition, cls: Classes) -> None:
    """Append the appendix of annotations whose passage could not be found."""
    if not ed.orphans:
        return
    sec = E(body, "section", id="orphans", aria_labelledby="orphans-h", class_="back")
    E(sec, "h2", "Appendix: annotations without a passage", id="orphans-h")
    E(sec, "p", "These annotations point to text that is no longer in the document "
      "(or cannot be located); they are kept here with the passage as it was recorded.")  # fmt: skip
    ul = E(sec, "ul", class_="orph")
    for n in ed.orphans:
        li = E(ul, "li", class_=f"enote {cls.of(n)}", id=f"o-{n.id}")
        note_body(li, n, ed, cls, lemma=True)
        E(li, "p", f"Target {n.ann.target!s} — {n.message or n.status}", class_="why")


def about(body: etree._Element, ed: Edition, source_name: str, *, printed: bool = False,
          extra: tuple[tuple[str, str], ...] = ()) -> None:  # fmt: skip
    """Append 'About this edition': annotators, dates, tool and format (and ``extra`` rows)."""
    foot = E(body, "footer", id="about", aria_labelledby="about-h", class_="back about")
    E(foot, "h2", "About this edition", id="about-h")
    dl = E(foot, "dl")
    names = sorted({ed.annotator_name(n) for n in ed.notes + ed.orphans if ed.annotator_name(n)}
                   | {v for v in ed.annotators.values() if v})  # fmt: skip
    first, last = ed.dates()
    rows = [
        ("Annotators", ", ".join(names) or "—"),
        ("Annotations", f"{len(ed.notes)} in the text" + (f", {len(ed.orphans)} without a passage"
                                                           if ed.orphans else "")),  # fmt: skip
        ("Annotated", f"{date_only(first)} to {date_only(last)}" if first else "—"),
        ("Source file", source_name or "—"),
        ("Generated", f"{date_only(generated_at())} by {APP}"),
        ("Format", "A PDF printed from the HTML edition, generated from TEI P5 with the annotations "
                   "in a standOff (Glossator standOff format 1)." if printed else
                   "A self-contained HTML file generated from TEI P5 with the annotations in a "
                   "standOff (Glossator standOff format 1); no network access is needed to read it."),
        *extra,
    ]  # fmt: skip
    if ed.header.availability:
        rows.append(("Licence of the text", short(ed.header.availability, 400)))
    for term, value in rows:
        E(dl, "dt", term)
        E(dl, "dd", value)
