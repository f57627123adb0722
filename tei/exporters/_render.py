"""Cut a block's reading text into runs at every annotation, style and anchor boundary.

The result is format-neutral (:class:`Run`, :class:`Mark`); the HTML edition turns it into
elements, the PDF edition into Qt rich text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from .. import ns
from ..textmodel import NOTE, Anchor, Block
from ._edition import Edition, Note

_T = "{" + ns.TEI + "}"
#: TEI inline element -> (HTML tag, CSS class); ``hi`` is decided by ``@rend``.
STYLE_TAGS: dict[str, tuple[str, str]] = {
    _T + "emph": ("em", ""),
    _T + "title": ("cite", ""),
    _T + "foreign": ("i", "foreign"),
    _T + "term": ("i", "term"),
    _T + "mentioned": ("i", "mentioned"),
    _T + "soCalled": ("q", ""),
    _T + "q": ("q", ""),
    _T + "quote": ("q", ""),
    _T + "said": ("q", ""),
    _T + "del": ("del", ""),
    _T + "add": ("ins", ""),
    _T + "sic": ("span", "sic"),
    _T + "hi": ("em", ""),
    _T + "ref": ("span", "tref"),
    _T + "role": ("span", "role"),
    _T + "roleDesc": ("span", "roledesc"),
}
_REND = (
    ("italic", "i"), ("ital", "i"), ("bold", "b"), ("sup", "sup"), ("superscript", "sup"),
    ("sub", "sub"), ("underline", "u"), ("smallcaps", "small-caps"), ("small-caps", "small-caps"),
    ("sc", "small-caps"), ("spaced", "spaced"), ("letterspace", "spaced"), ("g", "spaced"),
    ("strike", "s"), ("overstrike", "s"),
)  # fmt: skip


@dataclass(frozen=True)
class Style:
    """A formatting span over reading offsets [start, end)."""

    start: int
    end: int
    tag: str
    cls: str = ""
    lang: str = ""
    title: str = ""


@dataclass
class Run:
    """Text with the styles and annotations active over it (outermost first)."""

    text: str
    styles: list[Style]
    notes: list[tuple[Note, int]]  # (annotation, stacking level)


@dataclass
class Mark:
    """A zero-width item: a source anchor (note reference, page break) or an annotation ref."""

    anchor: Anchor | None = None
    note: Note | None = None
    #: annotations whose passage runs on across the anchor (a page break inside a passage)
    within: list[tuple[Note, int]] = field(default_factory=list)


def _hi_style(el: etree._Element) -> tuple[str, str]:
    rend = (el.get("rend") or el.get("rendition") or el.get("style") or "").lower()
    for key, tag in _REND:
        if key in rend:
            if tag in ("small-caps", "spaced"):
                return "span", tag
            return tag, ""
    return "em", ""


#: Editorial interventions shown in the text, with what their hover text says.
EDITORIAL = {_T + "choice", _T + "unclear", _T + "supplied"}


def _editorial(e: etree._Element) -> tuple[str, str] | None:
    """Return (CSS class, hover text) of an editorial intervention: the source's reading of an
    emendation or regularisation, why a passage is unclear or supplied; None for other choices."""
    why = e.get("reason") or ""
    if e.tag == _T + "unclear":
        return "unclear", "Unclear in the source" + (f" ({why})" if why else "")
    if e.tag == _T + "supplied":
        return "supplied", "Supplied by the editor" + (f" ({why})" if why else "")
    for kept, shown, cls, label in (("sic", "corr", "corr", "The source reads"),
                                    ("orig", "reg", "reg", "Original spelling")):  # fmt: skip
        old, new = e.find(_T + kept), e.find(_T + shown)
        if old is not None and new is not None:
            return cls, f"{label}: {etree.tostring(old, method='text', encoding=str, with_tail=False)}"
    return None


def styles_of(block: Block, ed: Edition, lang: str) -> list[Style]:
    """Return the formatting spans of a block (emphasis, titles, foreign words, quotes, …)."""
    el = block.element
    wanted = [e for e in el.iterdescendants() if isinstance(e.tag, str)
              and (e.tag in STYLE_TAGS or e.tag in EDITORIAL or e.get(ns.XML_LANG))]  # fmt: skip
    if not wanted:
        return []
    offsets = ed.text.offsets_within(el)
    out: list[Style] = []
    for e in wanted:
        if any(a.tag == NOTE for a in _ancestors_until(e, el)):
            continue
        if e.tag == NOTE:
            continue
        raw0 = offsets.get(e)
        if raw0 is None:
            continue
        raw1 = raw0 + len(etree.tostring(e, method="text", encoding=str, with_tail=False))
        r0, r1 = block.to_reading(raw0), block.to_reading(raw1)
        if r1 <= r0:
            continue
        title = (e.get("target") or "") if e.tag == _T + "ref" else ""
        if e.tag == _T + "hi":
            tag, cls = _hi_style(e)
        elif e.tag in EDITORIAL:
            found = _editorial(e)
            if found is None:
                continue
            (tag, (cls, title)) = "span", found
        else:
            tag, cls = STYLE_TAGS.get(e.tag, ("span", ""))
        e_lang = e.get(ns.XML_LANG) or ""
        out.append(Style(r0, r1, tag, cls, e_lang if e_lang != lang else "", title))
    return out


def _ancestors_until(e: etree._Element, stop: etree._Element) -> list[etree._Element]:
    out = []
    for a in e.iterancestors():
        if a is stop:
            break
        out.append(a)
    return out


def runs(block_index: int, ed: Edition, lang: str = "") -> list[Run | Mark]:
    """Cut block ``block_index`` into runs and marks, in reading order."""
    block = ed.blocks[block_index]
    text = block.reading
    spans = ed.by_block.get(block_index, [])
    styles = styles_of(block, ed, lang) if len(block.element) else []
    anchors = block.anchors if block.complex or _has_pb(block) else []
    cuts = {0, len(text)}
    for r0, r1, _ in spans:
        cuts.update((r0, r1))
    for s in styles:
        cuts.update((s.start, s.end))
    for a in anchors:
        cuts.add(a.position)
    # annotation refs go after the end of each annotation's last piece
    ends: dict[int, list[Note]] = {}
    for r0, r1, n in spans:
        last = n.pieces[-1]
        if last[0] == block_index and last[1] == r0 and last[2] == r1:
            ends.setdefault(r1, []).append(n)
    at: dict[int, list[Anchor]] = {}
    for a in anchors:
        at.setdefault(a.position, []).append(a)
    ordered_spans = sorted(spans, key=lambda s: (s[0], -s[1], s[2].number))
    styles.sort(key=lambda s: (s.start, -s.end))
    out: list[Run | Mark] = []
    points = sorted(cuts)
    # one sweep over the cuts (not cuts x styles: a paragraph with 500 styled words was
    # quadratic): open at p is what starts at or before p and ends after it, in sorted order
    live_spans: list[tuple[int, int, Note]] = []
    live_styles: list[Style] = []
    next_span = next_style = 0
    for i, p in enumerate(points):
        for n in sorted(ends.get(p, []), key=lambda n: n.number):
            out.append(Mark(note=n))
        for a in at.get(p, []):
            within = [(n, ed.levels.get((n.id, block_index), 0))
                      for r0, r1, n in ordered_spans if r0 < p < r1]  # fmt: skip
            out.append(Mark(anchor=a, within=within))
        if i + 1 == len(points):
            break
        while next_span < len(ordered_spans) and ordered_spans[next_span][0] <= p:
            live_spans.append(ordered_spans[next_span])
            next_span += 1
        while next_style < len(styles) and styles[next_style].start <= p:
            live_styles.append(styles[next_style])
            next_style += 1
        live_spans = [sp for sp in live_spans if sp[1] > p]  # ends are cuts: ends at or after q
        live_styles = [st for st in live_styles if st.end > p]
        active = [(n, ed.levels.get((n.id, block_index), 0)) for _r0, _r1, n in live_spans]
        out.append(Run(text[p : points[i + 1]], list(live_styles), active))
    return out


def _has_pb(block: Block) -> bool:
    return next(block.element.iter(_T + "pb"), None) is not None
