"""The Document panel: what the ``teiHeader`` says (title, authors, editors, publication, source,
licence, revision history), and "Show TEI source" for the passage at the caret."""

from __future__ import annotations

import html
import logging
import re

from lxml import etree
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QFont, QKeySequence, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

import tei
from tei import ns
from tei.textmodel import text_of

from .display import MS_DESC, MS_FIELDS
from .document_view import ACCENT, MUTED, DocumentView
from .session import Session

log = logging.getLogger(__name__)

_START, _END = "\ue000", "\ue001"  # private-use marks for the selection while serialising
_TEI_DECL = re.compile(r' xmlns="' + re.escape(ns.TEI) + '"')
_NOT_TEXT = (etree._Comment, etree._ProcessingInstruction)


def _clean(el: etree._Element) -> str:
    return " ".join(text_of(el).split())


def _q(el: etree._Element | None, path: str) -> list[etree._Element]:
    return [] if el is None else el.findall(path, {"t": ns.TEI})


def header_fields(doc: tei.TeiDocument) -> list[tuple[str, list[str]]]:
    """Return (field, values) of the ``teiHeader`` as a reader wants it; empty fields left out."""
    header = doc.root.find(ns.qn("teiHeader"))
    if header is None:  # a teiCorpus: the corpus header, else the first text's
        header = next(doc.root.iter(ns.qn("teiHeader")), None)
    fd = header.find(ns.qn("fileDesc")) if header is not None else None
    fields: list[tuple[str, list[str]]] = []

    def add(name: str, values: list[str]) -> None:
        values = [v for v in values if v]
        if values:
            fields.append((name, values))

    titles = []
    for t in _q(fd, "t:titleStmt/t:title"):
        kind = t.get("type")
        titles.append(_clean(t) + (f" ({kind})" if kind and kind != "main" else ""))
    add("Title", titles)
    add("Authors", [_clean(a) for a in _q(fd, "t:titleStmt/t:author")])
    editors = [_clean(e) + (f" ({e.get('role')})" if e.get("role") else "") for e in _q(fd, "t:titleStmt/t:editor")]
    for rs in _q(fd, "t:titleStmt/t:respStmt") + _q(fd, "t:editionStmt/t:respStmt"):
        resp = " ".join(_clean(r) for r in _q(rs, "t:resp"))
        names = ", ".join(_clean(n) for n in rs if n.tag != ns.qn("resp") and isinstance(n.tag, str))
        editors.append(f"{names} ({resp})" if resp else names)
    add("Editors", editors)
    add("Edition", [_clean(e) for e in _q(fd, "t:editionStmt/t:edition")])
    pub = _q(fd, "t:publicationStmt")
    parts = []
    for el in pub[0] if pub else []:
        if not isinstance(el.tag, str) or el.tag == ns.qn("availability"):
            continue
        name = ns.local_name(el.tag)
        value = _clean(el) or el.get("when") or ""
        parts.append(value if name == "p" else f"{name}: {value}")
    add("Publication", parts)
    sources = []
    for src in _q(fd, "t:sourceDesc/*"):
        sources += _ms_fields(src) if src.tag == MS_DESC else [_clean(src)]
    add("Source", sources)
    licences = []
    for av in _q(fd, "t:publicationStmt/t:availability"):
        for lic in _q(av, "t:licence"):
            licences.append(" ".join(filter(None, [_clean(lic), lic.get("target")])))
        licences += [_clean(p) for p in _q(av, "t:p")]
        if av.get("status") and not licences:
            licences.append(av.get("status") or "")
    add("Licence", licences)
    langs = [_clean(x) or x.get("ident", "") for x in _q(header, "t:profileDesc/t:langUsage/t:language")]
    add("Languages", langs)
    changes = []
    for ch in _q(header, "t:revisionDesc/t:change") + _q(header, "t:revisionDesc/t:listChange/t:change"):
        head = " ".join(filter(None, [ch.get("when") or "", (ch.get("who") or "").replace("#", ""),
                                      ch.get("status") or ""]))  # fmt: skip
        changes.append(f"{head}: {_clean(ch)}" if head else _clean(ch))
    add("Revision history", changes)
    return fields


def _ms_fields(ms: etree._Element, limit: int = 60) -> list[str]:
    """Return a manuscript description as 'Field: text' lines (outermost fields, in order)."""
    out = []
    for el in ms.iter(*MS_FIELDS):
        if any(a.tag in MS_FIELDS for a in el.iterancestors()) or not _clean(el):
            continue
        text = _clean(el)
        out.append(f"{MS_FIELDS[el.tag]}: {text[:300]}{'…' if len(text) > 300 else ''}")
        if len(out) >= limit:
            out.append("…")
            break
    return out


def marked_source(el: etree._Element, start: int, end: int) -> tuple[str, int, int]:
    """Return the XML of ``el`` and the character span in it of raw offsets [start, end) of the
    element's string value (start == end: the caret's place)."""
    copy = etree.fromstring(etree.tostring(el))  # a detached copy: the document stays untouched
    copy.tail = None
    slots: list[tuple[etree._Element, str, int]] = []  # (owner, "text"|"tail", raw start)
    pos = 0

    def walk(node: etree._Element) -> None:
        nonlocal pos
        if node.text and not isinstance(node, _NOT_TEXT):
            slots.append((node, "text", pos))
            pos += len(node.text)
        for child in node:
            walk(child)
            if child.tail:
                slots.append((child, "tail", pos))
                pos += len(child.tail)

    walk(copy)
    inserts: list[tuple[etree._Element, str, int, str]] = []
    for offset, mark, is_end in ((end, _END, True), (start, _START, False)):
        for owner, attr, s in slots:
            n = len(getattr(owner, attr))
            if (s < offset <= s + n) if is_end else (s <= offset < s + n):
                inserts.append((owner, attr, offset - s, mark))
                break
        else:  # no text there (an empty element, or the very end): mark the element's edge
            inserts.append((copy, "text" if not is_end or not len(copy) else "tail!", 0, mark))
    for owner, attr, k, mark in inserts:  # the end first: the start's index stays valid
        if attr == "tail!":
            last = copy[-1]
            last.tail = (last.tail or "") + mark
            continue
        value = getattr(owner, attr) or ""
        setattr(owner, attr, value[:k] + mark + value[k:])
    xml = _TEI_DECL.sub("", etree.tostring(copy, encoding=str), count=1)
    ia, ib = xml.index(_START), xml.index(_END)
    a, b = ia - (ib < ia), ib - (ia < ib)
    return xml.replace(_START, "", 1).replace(_END, "", 1), a, a if end <= start else max(a, b)


class SourceDialog(QDialog):
    """The XML of the element around the passage, read-only, the passage marked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("source_dialog")
        self.setWindowTitle("TEI source")
        self.resize(760, 460)
        lay = QVBoxLayout(self)
        self.where = QLabel()
        self.where.setObjectName("source_where")
        self.where.setWordWrap(True)
        lay.addWidget(self.where)
        self.edit = QPlainTextEdit()
        self.edit.setObjectName("source_text")
        self.edit.setAccessibleName("TEI source")
        self.edit.setReadOnly(True)
        self.edit.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)  # fmt: skip
        self.edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        font = QFont("DejaVu Sans Mono")
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.edit.setFont(font)
        lay.addWidget(self.edit, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.marked: tuple[int, int] = (0, 0)

    def show_source(self, el: etree._Element, start: int, end: int) -> None:
        """Show ``el``'s XML with raw offsets [start, end) of its string value marked."""
        xml, a, b = marked_source(el, start, end)
        self.marked = (a, b)
        line = f", line {el.sourceline}" if el.sourceline else ""
        xml_id = el.get(ns.XML_ID)
        self.where.setText(f"<b>&lt;{ns.local_name(el.tag)}&gt;</b>"
                           + (f" xml:id={html.escape(xml_id)}" if xml_id else "")
                           + f"{line} <span style='color:{MUTED}'>(read-only; the passage is marked)</span>")  # fmt: skip
        self.edit.setPlainText(xml)
        cur = QTextCursor(self.edit.document())
        cur.setPosition(a)
        cur.setPosition(b, QTextCursor.MoveMode.KeepAnchor)
        sel = QTextEdit.ExtraSelection()
        sel.cursor = cur  # type: ignore[attr-defined]
        fmt = QTextCharFormat()
        fmt.setBackground(QColor("#f6d98b"))
        fmt.setForeground(QColor("#2f2b25"))
        sel.format = fmt  # type: ignore[attr-defined]
        self.edit.setExtraSelections([sel])
        caret = QTextCursor(self.edit.document())
        caret.setPosition(a)
        self.edit.setTextCursor(caret)
        self.edit.ensureCursorVisible()

    def marked_text(self) -> str:
        """Return the XML marked as the passage."""
        return self.edit.toPlainText()[self.marked[0] : self.marked[1]]


class DocumentPanel(QWidget):
    """The header of the open document, and the action that shows the source of a passage."""

    def __init__(self, session: Session, view: DocumentView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("document_panel")
        self.session = session
        self.view = view
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.browser = QTextBrowser()
        self.browser.setObjectName("document_header")
        self.browser.setAccessibleName("Document header")
        self.browser.setOpenExternalLinks(False)
        lay.addWidget(self.browser, 1)
        self.source_action = QAction("Show TEI &Source", self)
        self.source_action.setObjectName("action_show_source")
        self.source_action.setShortcut(QKeySequence("Ctrl+U"))
        self.source_action.setToolTip("Show the XML of the element around the passage at the caret (Ctrl+U)")
        self.source_action.triggered.connect(lambda _=False: self.show_source())
        button = QPushButton("Show TEI source of the passage at the caret")
        button.setObjectName("show_source_button")
        button.clicked.connect(lambda _=False: self.show_source())
        lay.addWidget(button)
        self.dialog: SourceDialog | None = None
        session.document_replaced.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Show the current document's header."""
        fields = header_fields(self.session.doc)
        if not fields:
            self.browser.setHtml(f"<p style='color:{MUTED}'>The document has no header to show.</p>")
            return
        out = []
        for name, values in fields:
            out.append(f"<p style='margin:6px 0 2px 0; color:{ACCENT}'><b>{html.escape(name)}</b></p>")
            if name == "Revision history" or len(values) > 1:
                out.append("<ul style='margin:0'>" + "".join(f"<li>{html.escape(v)}</li>" for v in values) + "</ul>")
            else:
                out.append(f"<p style='margin:0 0 0 8px'>{html.escape(values[0])}</p>")
        self.browser.setHtml("".join(out))

    def show_source(self) -> bool:
        """Show the XML of the element enclosing the selection (or the caret); False if none."""
        doc, m = self.session.doc, self.view.map
        if m is None or not doc.text.blocks:
            return False
        sel = self.view.reading_selection()
        if sel is None:
            b, r = m.qt_to_reading(self.view.textCursor().position())
            sel = (b, r, b, r)
        b0, r0, b1, r1 = sel
        g0 = doc.text.reading_to_global(b0, r0)
        g1 = doc.text.reading_to_global(b1, r1, end=True) if (b1, r1) != (b0, r0) else g0
        el = doc.text.blocks[b0].element
        while el is not None:
            try:
                start = doc.text.global_start(el)
            except (ValueError, KeyError):
                return False
            if start + len(text_of(el)) >= g1:
                break
            el = el.getparent()
        if el is None:
            return False
        if self.dialog is None:
            self.dialog = SourceDialog(self.window())
        self.dialog.show_source(el, g0 - start, g1 - start)
        self.dialog.show()
        self.dialog.raise_()
        return True
