"""The PDF print edition, made with Qt's own rich text and PDF writer (works offscreen).

The text is laid out once as a continuous ``QTextDocument`` and cut into pages between lines,
leaving room at the foot of each page for the annotations referenced on it (``notes="footnotes"``)
or collecting them after the text (``notes="endnotes"``). The back matter (source notes,
contested figures, bibliography) is paginated by Qt. Importing this module registers ``pdf``.
"""

from __future__ import annotations

import html
import os
import unicodedata
from typing import Any

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QFont,
    QFontDatabase,
    QFontMetrics,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

import tei.exporters
from tei.exporters import ExportReport
from tei.exporters._edition import Edition, Note, generated_at, short
from tei.exporters._render import Mark, runs

SERIF = ("DejaVu Serif", "Liberation Serif", "Noto Serif", "Times New Roman", "serif")
SANS = ("DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "sans-serif")
_QT_TAGS = {"em": "i", "i": "i", "cite": "i", "b": "b", "sup": "sup", "sub": "sub",
            "u": "u", "ins": "u", "del": "s", "s": "s"}  # fmt: skip
_CSS = """
body { font-family: '%(serif)s'; }
h1 { font-size: 20pt; font-weight: normal; text-align: center; }
h2 { font-size: 14pt; font-weight: normal; margin-top: 14px; }
h3 { font-size: 12pt; font-style: italic; font-weight: normal; }
p { margin-top: 0; margin-bottom: 4px; }
.meta { color: #555555; font-family: '%(sans)s'; font-size: 7.5pt; }
.pg { color: #666666; font-family: '%(sans)s'; font-size: 7pt; }
.ref { font-family: '%(sans)s'; font-weight: bold; color: #7b2d0f; }
.note { font-family: '%(sans)s'; font-size: 8pt; margin-bottom: 3px; }
.small { font-size: 8.5pt; }
th { text-align: left; font-family: '%(sans)s'; font-size: 8pt; }
td { font-size: 8.5pt; }
"""
_app: QGuiApplication | None = None
_FOLIO = int(Qt.AlignmentFlag.AlignHCenter.value | Qt.AlignmentFlag.AlignBottom.value)


def _ensure_app() -> None:
    global _app
    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _app = QGuiApplication([])


def _family(candidates: tuple[str, ...]) -> str:
    have = set(QFontDatabase.families())
    return next((f for f in candidates if f in have), candidates[-1])


def _tint(color: str, alpha: float = 0.3) -> str:
    """Blend a #rrggbb colour with white (Qt rich text has no transparency)."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * alpha):02x}" for c in rgb)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


class _Html:
    """Builds the Qt rich-text HTML of the body, the notes and the back matter."""

    def __init__(self, ed: Edition, notes: str) -> None:
        self.ed = ed
        self.notes = notes
        self.pages: dict[int, int] = {}  # note number -> page of this PDF holding its reference

    def here(self, n: Note) -> str:
        """Return ' [page N]': where in this PDF the passage of an annotation is ('' if unknown)."""
        page = self.pages.get(n.number)
        return f' <span class="pg">[page {page}]</span>' if page else ""

    def block(self, index: int) -> str:
        """Return one block's inline HTML."""
        out = []
        pos = 0
        for item in runs(index, self.ed):
            if isinstance(item, Mark):
                if item.note is not None and self.notes:
                    n = item.note
                    out.append(f'<a name="r{n.number}"><sup class="ref">{n.number}</sup></a>')
                elif item.anchor is not None and item.anchor.kind == "pb" and item.anchor.label:
                    out.append(f'<span class="pg"> [p. {_e(item.anchor.label)}] </span>')
                elif item.anchor is not None:
                    idx = self.ed.text.block_index(item.anchor.element)
                    label = self.ed.footnotes.get(idx) if idx is not None else None
                    if label:
                        out.append(f"<sup>{_e(label)}</sup>")
                continue
            text = _e(item.text)
            end = pos + len(item.text)
            for s in reversed(item.styles):
                tag = _QT_TAGS.get(s.tag)
                if tag:
                    text = f"<{tag}>{text}</{tag}>"
                elif s.tag == "q":  # marks at the quotation's own ends, not at every cut
                    text = ("“" if s.start == pos else "") + text + ("”" if s.end == end else "")
                elif s.cls == "roledesc" and s.start == pos and pos and not self.ed.blocks[
                        index].reading[pos - 1].isspace():  # fmt: skip
                    text = " " + text  # cast lists often run role and description together
            pos = end
            if item.notes:
                n, level = item.notes[-1]
                deco = "text-decoration: underline; " if len(item.notes) > 1 or level else ""
                text = f'<span style="{deco}background-color:{_tint(n.color)}">{text}</span>'
            out.append(text)
        return "".join(out)

    def body(self) -> str:
        """Return the title page and the text."""
        h = self.ed.header
        parts = [f"<h1>{_e(h.title or 'Untitled document')}</h1>"]
        for sub in h.subtitles:
            parts.append(f'<p align="center"><i>{_e(sub)}</i></p>')
        if h.authors:
            parts.append(f'<p align="center">{_e(", ".join(h.authors))}</p>')
        count = len(self.ed.notes) + len(self.ed.orphans)
        parts.append(f'<p align="center" class="meta">A critical edition with {count} '
                     f"annotations · {_e(', '.join(h.source[:1]))}</p><hr/>")  # fmt: skip
        last_page = ""
        for i, b in enumerate(self.ed.blocks):
            if b.parent >= 0 or not b.reading:
                continue
            local = b.element.tag.rpartition("}")[2]
            inner = self.block(i)
            page = self.ed.page_at(i, 0)
            if page and page != last_page:
                inner = f'<span class="pg">[p. {_e(page)}] </span>' + inner
            last_page = self.ed.page_at(i, len(b.reading))
            if local == "head":
                parts.append(f"<h3>{inner}</h3>")
            elif local in ("l", "item"):
                prefix = "– " if local == "item" else ""
                parts.append(f'<p style="margin-left:18px; margin-bottom:0px">{prefix}{inner}</p>')
            else:
                parts.append(f'<p align="justify" style="margin-top:0px; margin-bottom:4px; '
                             f'text-indent:14px">{inner}</p>')
        return "".join(parts)

    def note(self, n: Note) -> str:
        """Return an annotation as a note paragraph."""
        ann = n.ann
        bits = [f"<b>{n.number or '–'}</b> <b>{_e(n.label or 'Annotation')}</b>"]
        if n.kind == "bias" and ann.bias.technique and ann.bias.technique != n.category:
            bits.append(_e(" · " + self.ed.taxonomy.label(ann.bias.technique)))
        if n.page:
            bits.append(f' <span class="pg">(p. {_e(n.page)})</span>')
        if ann.quote:
            bits.append(f" <i>‘{_e(short(ann.quote, 90))}’</i>")
        text = "".join(bits)
        paras = list(ann.note)
        if n.kind == "bias" and ann.bias.explanation:
            paras.append(ann.bias.explanation)
        if paras:
            text += " — " + " ".join(_e(p) for p in paras)
        if n.kind == "figure":
            fig = ann.figure
            text += f" Stated: {_e(fig.stated)}"
            if fig.normalised is not None:
                text += f" ({_e(fig.normalised.display())})"
            text += f"; {_e(fig.status)}."
            for alt in fig.alternatives:
                src = self.ed.short_citation(alt.source) if alt.source else "no source"
                text += (f" Alternative: {_e(alt.value)}"
                         + (f" ({_e(alt.quantity.display())})" if alt.quantity else "")
                         + f" — {_e(src)}" + (f", {_e(alt.locator)}" if alt.locator else "")
                         + (f" [{_e(alt.certainty)}]" if alt.certainty != "unknown" else "") + ".")  # fmt: skip
        link = ann.source_link
        if link.source:
            text += (f" <i>{_e(link.relation.capitalize())}:</i> {_e(self.ed.citation(link.source))}"
                     + (f", {_e(link.locator)}" if link.locator else "") + ".")  # fmt: skip
        meta = [x for x in (ann.certainty if ann.certainty != "unknown" else "",
                            self.ed.annotator_name(n), ann.created[:10]) if x]  # fmt: skip
        if meta:
            text += f' <span class="meta">({_e(", ".join(meta))})</span>'
        return f'<p class="note">{text}</p>'

    def back(self, placed: set[int] | None = None) -> str:
        """Return the back matter: endnotes, source notes, figures, bibliography, orphans.

        ``placed``: the notes already printed as footnotes (the others become endnotes).
        """
        ed = self.ed
        parts = []
        rest = [n for n in ed.notes if placed is None or n.number not in placed]
        if self.notes and rest:
            parts.append("<h2>Critical notes</h2>" if placed is None else
                         "<h2>Notes on the notes of the source</h2>")  # fmt: skip
            parts.extend(self.note(n).replace("</p>", self.here(n) + "</p>") for n in rest)
        if ed.footnotes:
            parts.append("<h2>Notes of the source</h2>")
            for idx, label in ed.footnotes.items():
                parts.append(f'<p class="small"><sup>{_e(label)}</sup> {self.block(idx)}</p>')
        figs = ed.figures()
        if figs:
            parts.append("<h2>Index of contested figures</h2>")
            parts.append('<table border="1" cellspacing="0" cellpadding="3" width="100%" '
                         'style="border-collapse: collapse; border-color: #999999">'
                         "<tr><th>Passage</th><th>Stated value</th><th>Alternatives</th>"
                         "<th>Sources</th><th>Status</th></tr>")  # fmt: skip
            for n in figs:
                fig = n.ann.figure
                alts = "<br/>".join(_e(a.value + (f" ({a.quantity.display()})" if a.quantity else ""))
                                    for a in fig.alternatives)  # fmt: skip
                srcs = "<br/>".join(_e(", ".join(x for x in (
                    ed.short_citation(a.source) if a.source else "no source", a.locator,
                    a.certainty if a.certainty != "unknown" else "") if x))
                    for a in fig.alternatives)  # fmt: skip
                page = (f" (p. {_e(n.page)})" if n.page else "") + self.here(n)
                stated = _e(fig.stated) + (f" ({_e(fig.normalised.display())})" if fig.normalised else "")
                status = _e(fig.status) + (f"; preferred {_e(fig.preferred.display())}"
                                           if fig.preferred else "")  # fmt: skip
                parts.append(f"<tr><td>{n.number or ''} ‘{_e(short(n.ann.quote, 60))}’{page}</td>"
                             f"<td>{stated}</td><td>{alts}</td><td>{srcs}</td>"
                             f"<td>{status}</td></tr>")  # fmt: skip
            parts.append("</table>")
        ids = ed.cited_sources()
        if ids:
            parts.append("<h2>Bibliography</h2>")
            parts.extend(f'<p class="small">{_e(ed.citation(s))}</p>' for s in ids)
        if ed.orphans:
            parts.append("<h2>Annotations without a passage</h2>")
            parts.extend(self.note(n) for n in ed.orphans)
        return "".join(parts)

    def about(self, fonts: list[str], scripts: dict[str, list[str]]) -> str:
        """Return 'About this edition': annotators, dates, tool, notes, fonts and missing scripts."""
        ed = self.ed
        names = sorted({ed.annotator_name(n) for n in ed.notes + ed.orphans if ed.annotator_name(n)}
                       | {v for v in ed.annotators.values() if v})  # fmt: skip
        first, last = ed.dates()
        placement = {"footnotes": "as numbered footnotes on the page of their passage",
                     "endnotes": "as numbered endnotes after the text",
                     "": "marked in the text only (notes left out)"}[self.notes]  # fmt: skip
        if scripts:
            drawn = "; ".join(f"{_e(s)} ({len(c)} characters, e.g. {_e(''.join(c[:5]))})"
                              for s, c in sorted(scripts.items()))  # fmt: skip
            cover = (f"<b>Not drawn:</b> no installed font covers {drawn}; these characters are "
                     "missing from this PDF (install a font for them and export again).")  # fmt: skip
        else:
            cover = "Every character of the text could be drawn with the installed fonts."
        rows = [("Annotators", _e(", ".join(names)) or "—"),
                ("Annotations", f"{len(ed.notes)} in the text, {placement}"
                 + (f"; {len(ed.orphans)} without a passage" if ed.orphans else "")),
                ("Annotated", f"{_e(first[:10])} to {_e(last[:10])}" if first else "—"),
                ("Page numbers", "[p. N] gives the page of the source; [page N] the page of this PDF"),
                ("Generated", f"{_e(generated_at()[:10])} by Glossator 0.1.0 from TEI P5 "
                 "(annotations in a Glossator standOff)"),
                ("Fonts", _e(", ".join(fonts)) + ". " + cover)]  # fmt: skip
        body = "".join(f'<tr><td class="meta">{t}</td><td class="small">{v}</td></tr>' for t, v in rows)
        return f'<h2>About this edition</h2><table cellpadding="2">{body}</table>'


def _doc(html_text: str, width: float, serif: str, sans: str, size: float,
         device: Any) -> QTextDocument:  # fmt: skip
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(device)
    doc.setDefaultFont(QFont(serif, size))
    doc.setDefaultStyleSheet(_CSS % {"serif": serif, "sans": sans})
    doc.setDocumentMargin(0)
    doc.setHtml(html_text)
    doc.setTextWidth(width)
    return doc


def _layout_top(doc: QTextDocument, block: Any) -> float:
    """Return the y of a block's text layout (forcing Qt's lazy layout up to that block)."""
    doc.documentLayout().blockBoundingRect(block)
    return float(block.layout().position().y())


def _ref_positions(doc: QTextDocument) -> dict[int, float]:
    """Return note number -> y of the line holding its reference."""
    out: dict[int, float] = {}
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            for name in frag.charFormat().anchorNames():
                if name.startswith("r") and name[1:].isdigit():
                    line = block.layout().lineForTextPosition(frag.position() - block.position())
                    top = _layout_top(doc, block)
                    out[int(name[1:])] = top + (line.y() + line.height() if line.isValid() else 0)
            it += 1
        block = block.next()
    return out


def _line_bottoms(doc: QTextDocument) -> list[float]:
    """Return the bottom y of every line of the document, in order."""
    ys: list[float] = []
    block = doc.begin()
    while block.isValid():
        lay = block.layout()
        top = _layout_top(doc, block)
        for k in range(lay.lineCount()):
            line = lay.lineAt(k)
            ys.append(top + line.y() + line.height())
        block = block.next()
    return sorted(ys)


def paginate(bottoms: list[float], refs: dict[int, float], heights: dict[int, float],
             height: float, total: float) -> list[tuple[float, float, list[int]]]:
    """Cut a continuous layout into pages between lines: [(top, bottom, footnote numbers)].

    A page takes lines while they and the footnotes referenced in them fit in ``height``.
    """
    pages: list[tuple[float, float, list[int]]] = []
    marks = sorted((y, k) for k, y in refs.items() if k in heights)
    i = j = 0
    y0 = 0.0
    while y0 < total - 0.5:
        y1, fn_h, on_page = y0, 0.0, []
        while i < len(bottoms):
            bottom = bottoms[i]
            if bottom <= y0 + 0.5:
                i += 1
                continue
            k = j
            new = []
            while k < len(marks) and marks[k][0] <= bottom + 0.5:
                new.append(marks[k][1])
                k += 1
            extra = sum(heights[n] for n in new)
            rule = 10 if (new or on_page) else 0
            if bottom - y0 + fn_h + extra + rule > height and y1 > y0:
                break
            y1, fn_h, j = bottom, fn_h + extra, k
            on_page.extend(new)
            i += 1
        if y1 <= y0:  # nothing fits (a line taller than the page): cut anyway
            y1 = min(y0 + height, total)
        pages.append((y0, y1, on_page))
        y0 = y1
    return pages


def _script(c: str) -> str:
    """Return a readable script name for a character ('Greek', 'Devanagari', 'CJK …')."""
    script = unicodedata.name(c, "UNKNOWN").split()[0].capitalize()
    return "CJK (Chinese, Japanese, Korean)" if script in ("Cjk", "Kangxi") else script


_WS = QFontDatabase.WritingSystem
_CJK = {_WS.SimplifiedChinese, _WS.TraditionalChinese, _WS.Japanese, _WS.Korean}


def _writing_systems(script: str) -> set[Any]:
    """Return Qt's writing systems for a script name (empty: unknown to Qt, try every font)."""
    if script.startswith("CJK") or script in ("Hiragana", "Katakana", "Hangul", "Bopomofo"):
        return set(_CJK)
    found = getattr(_WS, script, None)
    return {found} if isinstance(found, _WS) else set()


def uncovered_scripts(texts: list[str], families: list[str]) -> dict[str, list[str]]:
    """Return script name -> characters that none of the available fonts can draw.

    Characters the edition's fonts lack are grouped by script; the installed fonts that cover
    one of a script's first characters are the candidates for the rest (Qt falls back to them).
    """
    chars = {c for t in texts for c in t if not c.isspace() and unicodedata.category(c)[0] != "C"}
    main = [QFontMetrics(QFont(f)) for f in families]
    missing: dict[str, list[str]] = {}
    for c in sorted(chars):
        if not any(m.inFontUcs4(ord(c)) for m in main):
            missing.setdefault(_script(c), []).append(c)
    if not missing:
        return {}
    others = [f for f in QFontDatabase.families() if f not in families]
    out: dict[str, list[str]] = {}
    for script, cs in missing.items():
        systems = _writing_systems(script)
        candidates = [f for f in others if not systems
                      or systems & set(QFontDatabase.writingSystems(f))]  # fmt: skip
        metrics = [QFontMetrics(QFont(f)) for f in candidates]  # loading a font costs ~10 ms
        helpers = [m for m in metrics if any(m.inFontUcs4(ord(c)) for c in cs[:3])]
        left = [c for c in cs if not any(m.inFontUcs4(ord(c)) for m in helpers)]
        if left:
            out[script] = left
    return out


def export_pdf(doc: Any, dest: str, *, notes: str | bool = "footnotes",
               page_size: str = "A4", **_: Any) -> ExportReport:  # fmt: skip
    """Write the PDF print edition of ``doc`` to ``dest``."""
    _ensure_app()
    mode = "footnotes" if notes is True else (notes or "")
    if mode not in ("footnotes", "endnotes", ""):
        raise tei.TeiError(f"notes must be 'footnotes' or 'endnotes', not {notes!r}")
    ed = Edition(doc)
    serif, sans = _family(SERIF), _family(SANS)
    warnings = [f"annotation {n.id} has no passage in the text; listed at the end"
                for n in ed.orphans]  # fmt: skip
    scripts = uncovered_scripts([b.reading for b in ed.blocks]
                                + [p for n in ed.notes for p in n.ann.note], [serif, sans])  # fmt: skip
    for script, chars in sorted(scripts.items()):
        warnings.append(f"no available font covers {script} ({len(chars)} distinct characters, "
                        f"e.g. {''.join(chars[:5])}); they are missing from the PDF")  # fmt: skip
    tmp = dest + ".part"
    try:
        writer = QPdfWriter(tmp)
        writer.setResolution(72)
        writer.setTitle(ed.header.title or "Edition")
        writer.setCreator("Glossator 0.1.0")
        size = QPageSize.PageSizeId.Letter if page_size.lower() == "letter" else QPageSize.PageSizeId.A4
        writer.setPageLayout(QPageLayout(QPageSize(size), QPageLayout.Orientation.Portrait,
                                         QMarginsF(62, 56, 56, 62), QPageLayout.Unit.Point))  # fmt: skip
        rect = writer.pageLayout().paintRectPixels(72)
        width, height = float(rect.width()), float(rect.height()) - 18  # room for the folio
        builder = _Html(ed, mode)
        body = _doc(builder.body(), width, serif, sans, 10.5, writer)
        notes_docs = {n.number: _doc(builder.note(n), width, serif, sans, 10.5, writer)
                      for n in ed.notes} if mode == "footnotes" else {}  # fmt: skip
        refs = _ref_positions(body) if mode else {}
        bottoms = _line_bottoms(body)
        painter = QPainter()
        if not painter.begin(writer):
            raise tei.TeiError(f"cannot write the PDF file {dest}")
        try:
            page = 0
            total = body.size().height()
            folio = QFont(sans, 8)
            heights = {k: d.size().height() + 2 for k, d in notes_docs.items()}
            for y0, y1, on_page in paginate(bottoms, refs, heights, height, total):
                builder.pages.update((k, page + 1) for k, y in refs.items() if y0 < y <= y1 + 0.5)
                fn_h = sum(heights[k] for k in on_page)
                if page:
                    writer.newPage()
                painter.save()
                painter.setClipRect(QRectF(0, 0, width, y1 - y0 + 0.5))
                painter.translate(0, -y0)
                body.drawContents(painter, QRectF(0, y0, width, y1 - y0 + 0.5))
                painter.restore()
                if on_page:
                    y = height - fn_h
                    painter.drawLine(0, int(y - 6), int(width / 3), int(y - 6))
                    for k in sorted(on_page):
                        painter.save()
                        painter.translate(0, y)
                        notes_docs[k].drawContents(painter)
                        painter.restore()
                        y += notes_docs[k].size().height() + 2
                page += 1
                painter.setFont(folio)
                painter.drawText(QRectF(0, height + 4, width, 14), _FOLIO, str(page))
            back_html = builder.back(set(refs) if mode == "footnotes" else None)
            back = _doc(back_html + builder.about([serif, sans], scripts), width, serif, sans, 10.5, writer)
            back.setPageSize(QSizeF(width, height))
            for p in range(back.pageCount()):
                writer.newPage()
                painter.save()
                painter.translate(0, -p * height)
                back.drawContents(painter, QRectF(0, p * height, width, height))
                painter.restore()
                page += 1
                painter.setFont(folio)
                painter.drawText(QRectF(0, height + 4, width, 14), _FOLIO, str(page))
        finally:
            painter.end()
        del writer
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):  # a failed export leaves no partial file behind
            os.remove(tmp)
    return ExportReport(dest, "pdf", warnings, len(ed.notes) + len(ed.orphans))


tei.exporters.register("pdf", export_pdf, "PDF print edition")
