"""Cut the HTML edition into pages of bounded size, printed one by one and joined into one PDF.

Chromium's time and memory for printing grow faster than the size of the page it prints (a
13.7 MB corpus took minutes and gigabytes in one piece). :func:`split_edition` cuts the body at
the highest structural level that fits: whole sections (``section.div``, the notes, the back
matter) where they fit, and only inside a section too big for one piece, between its rows. A
row (a paragraph, verse line, list item), a note of the apparatus, a table, a heading is never
cut. The containers a cut passes through are opened again in the next piece with the same
classes, language and direction (not the ``id``, which stays with the first piece). A link to
an ``id`` in another piece is written as a link to :data:`OTHER_PIECE` + the id, which the PDF
joiner turns back into a link inside the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

from lxml import etree

#: Where a link to another piece points while the pieces are printed (never in a finished PDF).
OTHER_PIECE = "https://glossator.invalid/piece#"
_ID = re.compile(r'\sid="([^"]*)"')
_HREF = re.compile(r'(\shref=")#([^"]*)"')

#: HTML containers a cut may pass through; everything else is kept whole.
_SPLITTABLE = frozenset({"body", "div", "section", "main", "ol", "ul", "blockquote", "figure"})
#: Classes of containers that stay whole although their tag could be cut (a row, an endnote).
_WHOLE = frozenset({"row", "enote", "titlepage", "tscroll", "legend", "mn", "about"})


def _splittable(el: etree._Element) -> bool:
    classes = set((el.get("class") or "").split())
    if el.tag == "li":  # a list item holding a nested list may be cut between its rows
        return "nested" in classes
    return el.tag in _SPLITTABLE and not classes & _WHOLE


def _open_tag(el: etree._Element, *, again: bool) -> str:
    """Return ``el``'s start tag (without its ``id`` when it is opened again in a later piece)."""
    attrs = "".join(f' {k}="{escape(str(v), quote=True)}"' for k, v in el.attrib.items()
                    if not (again and k == "id"))  # fmt: skip
    return f"<{el.tag}{attrs}>"


def _text(s: str | None) -> str:
    return escape(s, quote=False) if s else ""


class _Packer:
    """Fill pieces of at most ``limit`` characters with whole elements, in document order."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.pieces: list[str] = []
        self.parts: list[str] = []
        self.size = 0
        self.path: list[etree._Element] = []  # the containers open at this point
        self.content = False  # the current piece holds something besides re-opened tags

    def add(self, part: str, *, content: bool = True) -> None:
        self.parts.append(part)
        self.size += len(part)
        self.content = self.content or content

    def cut(self) -> None:
        """Close the open containers, end the piece, open them again in a new piece."""
        for el in reversed(self.path):
            self.parts.append(f"</{el.tag}>")
        self.pieces.append("".join(self.parts))
        self.parts, self.size, self.content = [], 0, False
        for el in self.path:
            self.add(_open_tag(el, again=True), content=False)

    def walk(self, el: etree._Element) -> None:
        """Pack the children of ``el`` (which is open in the current piece)."""
        self.add(_text(el.text), content=False)
        for child in el:
            if isinstance(child.tag, str):
                # a wrapper of the whole text is not serialised only to learn it is too long
                long = _splittable(child) and child.xpath("string-length(.)") > self.limit
                html = "" if long else etree.tostring(child, method="html", encoding="unicode",
                                                      with_tail=False)  # fmt: skip
                if long or (len(html) > self.limit and _splittable(child)):
                    self.descend(child)
                else:
                    if self.content and self.size + len(html) > self.limit:
                        self.cut()
                    self.add(html)
            self.add(_text(child.tail), content=False)

    def descend(self, el: etree._Element) -> None:
        self.add(_open_tag(el, again=False), content=False)
        self.path.append(el)
        self.walk(el)
        self.path.pop()
        self.add(f"</{el.tag}>", content=False)

    def finish(self) -> list[str]:
        if self.content or not self.pieces:
            self.pieces.append("".join(self.parts))
        return self.pieces


def split_body(body: etree._Element, limit: int) -> list[str]:
    """Return the contents of ``body`` cut into pieces of about ``limit`` characters at most.

    Each piece is well-formed HTML (the containers it lies in are re-opened and closed); a
    piece is longer than ``limit`` only when one element that cannot be cut is.
    """
    packer = _Packer(limit)
    packer.walk(body)
    return packer.finish()


@dataclass
class Pieces:
    """The HTML edition cut into pieces; :meth:`document` makes piece ``k`` a whole HTML page."""

    start: str  # doctype, <html …> and the head's contents
    body: tuple[str, str]  # the body's start tag in the first piece, and in the others
    bodies: list[str]
    #: per piece, its ids that links in other pieces point at
    _wanted: list[list[str]] = field(init=False, repr=False, default_factory=list)

    def __len__(self) -> int:
        return len(self.bodies)

    def document(self, k: int, css: str = "") -> str:
        """Return piece ``k`` as an HTML document, with ``css`` as its last stylesheet.

        Links to other pieces point at :data:`OTHER_PIECE`; the ids other pieces link to are
        linked from a hidden list too, as Chromium writes a named destination (which the joiner
        points those links at) only for an id that a link in the same page targets."""
        style = f"<style>{css}</style>" if css else ""
        body = self.bodies[k]
        if len(self.bodies) > 1:
            if not self._wanted:
                self._wanted = self._linked_from_elsewhere()
            here = set(_ID.findall(body))
            body = _HREF.sub(lambda m: m.group(0) if m.group(2) in here else
                             f'{m.group(1)}{OTHER_PIECE}{m.group(2)}"', body)  # fmt: skip
            if self._wanted[k]:
                body += "<div hidden>" + "".join(f'<a href="#{x}"></a>' for x in self._wanted[k]) + "</div>"
        return f"{self.start}{style}</head>{self.body[k > 0]}{body}</body></html>\n"

    def _linked_from_elsewhere(self) -> list[list[str]]:
        owner: dict[str, int] = {}
        for k, body in enumerate(self.bodies):
            for x in _ID.findall(body):
                owner.setdefault(x, k)
        wanted: list[set[str]] = [set() for _ in self.bodies]
        for j, body in enumerate(self.bodies):
            for _, x in _HREF.findall(body):
                k = owner.get(x)
                if k is not None and k != j:
                    wanted[k].add(x)
        return [sorted(w) for w in wanted]


def split_edition(html: etree._Element, limit: int) -> Pieces:
    """Cut the HTML edition ``html`` (an ``<html>`` element) into pieces of about ``limit``
    characters: whole sections where they fit, never inside a row or note."""
    head = html.find("head")
    body = html.find("body")
    if head is None or body is None:
        raise ValueError("the edition has no head or body")
    head_html = etree.tostring(head, method="html", encoding="unicode", with_tail=False)
    start = "<!DOCTYPE html>\n" + _open_tag(html, again=False) + head_html.removesuffix("</head>")
    return Pieces(start, (_open_tag(body, again=False), _open_tag(body, again=True)),
                  split_body(body, limit))  # fmt: skip
