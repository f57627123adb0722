"""The displayed text of a document and exact maps between Qt positions and reading offsets.

Each ``tei`` block becomes one ``QTextBlock``; a few empty *spacer* blocks separate paragraphs.
Display-only characters (page markers such as ``[75]``, footnote reference numbers, a note's own
label) are inserted into a block's reading text; each block keeps the sorted list of these
inserted runs, so a Qt position (UTF-16 code units, counting non-BMP characters twice) maps to a
reading offset, and back, with ``bisect``. Pure Python (no Qt): it can be built off the GUI thread.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lxml import etree

from tei import ns, pointers
from tei.annotations import Annotation
from tei.document import TeiDocument
from tei.textmodel import Block, is_inline_note, paused_gc, spaceless, text_of, visible_in

PB = ns.qn("pb")
LB = ns.qn("lb")
NOTE = ns.qn("note")
ROLE_DESC = ns.qn("roleDesc")
Q = ns.qn("q")
ITEM = ns.qn("item")
#: Punctuation after which a role description needs no comma before it.
_PUNCT = tuple(",;:.(—–-")
_TIGHT = {ns.qn(t) for t in ("l", "item", "cell", "label", "speaker", "castItem", "entry", "stage",
                              "line", "titlePart")}  # fmt: skip
#: What the parts of a manuscript description are called when shown as lines of their own.
MS_FIELDS = {ns.qn(k): v for k, v in (
    ("msIdentifier", "Identifier"), ("msName", "Name"), ("locus", "Folios"), ("title", "Title"),
    ("author", "Author"), ("rubric", "Rubric"), ("incipit", "Incipit"), ("explicit", "Explicit"),
    ("finalRubric", "Final rubric"), ("colophon", "Colophon"), ("textLang", "Language"),
    ("filiation", "Filiation"), ("summary", "Summary"), ("support", "Support"), ("extent", "Extent"),
    ("foliation", "Foliation"), ("collation", "Collation"), ("condition", "Condition"),
    ("layout", "Layout"), ("handNote", "Hand"), ("decoNote", "Decoration"), ("binding", "Binding"),
    ("origin", "Origin"), ("provenance", "Provenance"), ("acquisition", "Acquisition"),
    ("custodialHist", "Custodial history"), ("availability", "Availability"), ("source", "Source"),
)}  # fmt: skip
MS_DESC = ns.qn("msDesc")
XINCLUDE = "{http://www.w3.org/2001/XInclude}include"
HEADS = {ns.qn(t) for t in ("head", "docTitle", "titlePart")}
SPEAKER = ns.qn("speaker")
#: Block elements that get an inserted run without any markup inside them.
_MAY_RUN = frozenset(MS_FIELDS) | {ITEM}
#: Block elements that may follow another without a spacer (see DisplayMap._spacer_before).
_GROUPED = frozenset(MS_FIELDS) | _TIGHT


@dataclass(slots=True)
class Run:
    """A display-only piece of text inserted at reading offset ``reading``."""

    reading: int
    start: int  # code-point offset in the display text
    text: str
    kind: str  # "pb" | "noteref" | "notelabel" | "unref" (a note without a callout) | "field" (a
    # manuscript description's field name) | "sep" (a space or comma the markup implies)
    element: etree._Element | None = None
    note_block: int = -1  # for a note reference: index of the note's block


class DisplayBlock:
    """One Qt block: a tei block (``index`` >= 0) or an empty spacer (``index`` = -1)."""

    # Most blocks insert nothing and hold no non-BMP character: they share these (read-only) tables.
    runs: Sequence[Run] = ()
    run_starts: Sequence[int] = ()
    run_readings: Sequence[int] = ()
    cum: Sequence[int] = (0,)  # cum[j] = inserted length of runs[:j]
    astral: list[int] | None = None  # code-point offsets of non-BMP characters
    astral_q: Sequence[int] = ()  # their UTF-16 offsets

    def __init__(self, index: int, text: str = "", runs: list[Run] | None = None) -> None:
        """Make a block of display text ``text`` holding the inserted ``runs`` (sorted)."""
        self.index = index
        self.text = text
        self.qlen = len(text)  # length in UTF-16 units
        if not text.isascii():
            self.qlen = len(text.encode("utf-16-le")) // 2
            if self.qlen != len(text):
                self.astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
                self.astral_q = [a + k for k, a in enumerate(self.astral)]
        if runs:
            self.runs = runs
            self.run_starts = [r.start for r in runs]
            self.run_readings = [r.reading for r in runs]
            cum = [0]
            for r in runs:
                cum.append(cum[-1] + len(r.text))
            self.cum = cum

    @classmethod
    def plain(cls, index: int, text: str) -> DisplayBlock:
        """Make the block of a text that inserts nothing and has no non-BMP character (cheaper)."""
        db = cls.__new__(cls)
        db.index, db.text, db.qlen = index, text, len(text)
        return db

    # UTF-16 <-> code points
    def q_to_cp(self, u: int) -> int:
        """Map a UTF-16 offset in the block to a code-point offset (mid-pair: the character)."""
        if not self.astral:
            return u
        return u - bisect_left(self.astral_q, u)

    def cp_to_q(self, cp: int) -> int:
        """Map a code-point offset in the block to a UTF-16 offset."""
        if not self.astral:
            return cp
        return cp + bisect_left(self.astral, cp)

    # display <-> reading
    def to_reading(self, d: int) -> int:
        """Map a display code-point offset to a reading offset (inside a run: the run's place)."""
        if not self.runs:
            return d
        j = bisect_right(self.run_starts, d) - 1
        if j < 0:
            return d
        r = self.runs[j]
        if d < r.start + len(r.text):
            return r.reading
        return d - self.cum[j + 1]

    def to_display(self, reading: int, *, end: bool = False) -> int:
        """Map a reading offset to a display code-point offset (after runs, or before if ``end``)."""
        if not self.runs:
            return reading
        j = bisect_left(self.run_readings, reading) if end else bisect_right(self.run_readings, reading)
        return reading + self.cum[j]


#: One object for every spacer block: display blocks are never changed.
_SPACER = DisplayBlock(-1)


class DisplayMap:
    """All display blocks of a document, with Qt block starts for ``bisect``."""

    def __init__(self, doc: TeiDocument, *, notes_inline: bool = True,
                 first_chars: int | None = None) -> None:  # fmt: skip
        """Build the map; with ``first_chars``, only the leading blocks holding about that many
        characters (a first screenful: ``complete`` is then False, until :meth:`complete_all`)."""
        self.doc = doc
        self.blocks: list[DisplayBlock] = []
        self.qt_block_of: list[int] = [0] * len(doc.text.blocks)  # tei index -> display block number
        self.notes_inline = notes_inline
        self.starts: list[int] = []
        self.length = 0
        self.complete = False
        self._next = 0  # the first tei block not shown yet
        self._note_labels: dict[int, str] = {}
        self._unnumbered = 0  # notes without @n so far
        with paused_gc():
            self._between = self._pages_between(doc)
            self._extend(first_chars if first_chars is not None else -1)

    def complete_all(self) -> None:
        """Add the blocks that a first-screenful map left out (nothing if it is complete)."""
        if not self.complete:
            with paused_gc():
                self._extend(-1)

    def _extend(self, limit: int) -> None:
        """Add display blocks from the first tei block not shown yet, until ``limit`` more
        characters are shown (-1: to the end)."""
        blocks = self.doc.text.blocks
        spacer = _SPACER
        out, qt_block_of, build, spacer_before = self.blocks, self.qt_block_of, self._build, self._spacer_before
        between, note_labels, starts = self._between, self._note_labels, self.starts
        pos = self.length + 1 if out else 0
        shown = 0
        texts = self.doc.text.readings() if limit < 0 else None  # all at once: faster than one by one
        plain: Callable[[int, str], DisplayBlock] = DisplayBlock
        if texts is not None:
            every = "".join(texts)  # without a non-BMP character, a plain block's qlen is its len
            if every.isascii() or len(every.encode("utf-16-le")) == 2 * len(every):
                plain = DisplayBlock.plain
        prev: Block | None = blocks[self._next - 1] if self._next else None
        ptag = prev.element.tag if prev is not None else ""
        for i in range(self._next, len(blocks)):
            b = blocks[i]
            if limit >= 0 and shown >= limit and not b.is_note:
                self._next = i
                break
            el = b.element
            tag = el.tag
            if prev is not None and (spacer_before(prev, ptag, b, tag) if b.is_note or prev.is_note or tag in _GROUPED
                                     or ptag == SPEAKER else True):  # (two blocks of prose: a spacer)  # fmt: skip
                out.append(spacer)
                starts.append(pos)
                pos += 1
            qt_block_of[i] = len(out)
            reading = texts[i] if texts is not None else b.reading
            pbs = between.get(i)
            if pbs is None and not (b.is_note or b.complex or len(el)) and tag not in _MAY_RUN:
                db = plain(i, reading)  # no markup inside: nothing is inserted
            else:
                db = build(i, b, reading, pbs or (), note_labels)
            out.append(db)
            starts.append(pos)
            pos += db.qlen + 1
            shown += len(db.text)
            prev, ptag = b, tag
        else:
            self._next = len(blocks)
            self.complete = True
        self.length = pos - 1 if out else 0

    # -- building -------------------------------------------------------------------------
    @staticmethod
    def _spacer_before(prev: Block, ptag: str, b: Block, tag: str) -> bool:
        if b.is_note and b.parent >= 0:
            return False
        if prev.is_note and prev.parent >= 0:
            return True
        if tag in MS_FIELDS and ptag in MS_FIELDS and _ms_desc(b.element) is not None:
            return _ms_desc(b.element) is not _ms_desc(prev.element)  # one record, one group
        if tag in _TIGHT and ptag in _TIGHT and b.element.getparent() is prev.element.getparent():
            return False
        if ptag == SPEAKER:
            return False
        return not (tag in _TIGHT and ptag in _TIGHT
                    and b.element.getparent().getparent() is prev.element.getparent().getparent()
                    and tag != ITEM)  # fmt: skip

    @staticmethod
    def _pages_between(doc: TeiDocument) -> dict[int, list[etree._Element]]:
        """Return page breaks that stand between blocks, keyed by the block they precede."""
        text = doc.text
        starts = [b.start for b in text.blocks]
        found: dict[int, list[etree._Element]] = {}
        for pb in text.between_blocks(PB):  # (not in a block, nor in the header)
            g = text.start_outside_blocks(pb)
            if g is None:  # (none: these are outside blocks and the header)
                continue
            i = bisect_left(starts, g)
            while i < len(text.blocks) and text.blocks[i].parent >= 0:
                i += 1
            if i < len(text.blocks):
                found.setdefault(i, []).append(pb)
        return found

    def _build(self, i: int, b: Block, reading: str, pbs_before: Sequence[etree._Element],
               note_labels: dict[int, str]) -> DisplayBlock:  # fmt: skip
        runs: list[tuple[int, str, str, etree._Element | None, int]] = []
        for pb in pbs_before:
            label = pb.get("n")
            if label:
                runs.append((0, f"[{label}] ", "pb", pb, -1))
        if b.is_note and unreferenced(b.element):
            label = b.element.get("n") or ""
            if label:
                runs.append((0, f"{label}\u2002", "notelabel", b.element, -1))
            runs.append((0, f"[{unreferenced_label(b.element)}]\u2002", "unref", b.element, -1))
        elif b.is_note and b.parent >= 0:
            label = note_labels.get(i) or b.element.get("n") or "*"
            runs.append((0, f"{label}\u2002", "notelabel", b.element, -1))
        if not b.complex and len(b.element) and next(b.element.iter(PB), None) is not None:
            for a in b.anchors:
                if a.label:
                    runs.append((a.position, self._pb_text(reading, a.position, a.label, a.element),
                                 "pb", a.element, -1))  # fmt: skip
        elif b.complex:
            note_index = i + 1
            for a in b.anchors:
                if a.kind == "pb":
                    if a.label:
                        text = self._pb_text(reading, a.position, a.label, a.element)
                        runs.append((a.position, text, "pb", a.element, -1))
                elif not unreferenced(a.element):  # a note the source gives no callout has none
                    nb = self.doc.text.block_index(a.element)
                    if not a.label:  # numbered through the document, as print numbers them
                        self._unnumbered += 1
                    label = a.label or str(self._unnumbered)
                    if nb is not None:
                        note_labels[nb] = label
                        note_index = nb
                    runs.append((a.position, label, "noteref", a.element,
                                 nb if nb is not None else note_index))  # fmt: skip
        field_name = MS_FIELDS.get(b.element.tag)
        if field_name and _ms_desc(b.element) is not None:
            runs.append((0, f"{field_name}: ", "field", None, -1))
        runs.extend((pos, text, "sep", None, -1) for pos, text in self._separators(b))
        if b.element.tag == ITEM and not b.is_note:
            runs.insert(0, (0, self._item_mark(b.element), "sep", None, -1))
        if not runs:
            return DisplayBlock(i, reading)
        runs.sort(key=lambda r: r[0])  # stable: keeps document order at equal positions
        parts: list[str] = []
        made: list[Run] = []
        last = 0
        dpos = 0
        for rpos, text, kind, el, nb in runs:
            parts.append(reading[last:rpos])
            dpos += rpos - last
            made.append(Run(rpos, dpos, text, kind, el, nb))
            parts.append(text)
            dpos += len(text)
            last = rpos
        parts.append(reading[last:])
        return DisplayBlock(i, "".join(parts), made)

    def _separators(self, b: Block) -> list[tuple[int, str]]:
        """Return (reading offset, text) of separators that the markup implies but the text
        lacks: a space at a line break between two words (``Herausgegeben<lb/>von``), a comma
        before a role description (``<role>Claudius</role><roleDesc>king</roleDesc>``),
        quotation marks around ``<q>``."""
        el = b.element
        if not len(el):
            return []
        marks = [x for x in el.iter(LB, ROLE_DESC, Q) if x.tag != LB or x.get("break") != "no"]
        if not marks:
            return []
        raw = etree.tostring(el, method="text", encoding=str, with_tail=False)
        offsets = self.doc.text.offsets_within(el)
        reading = b.to_reading  # the block's map: O(log n) per mark

        out = []
        for x in marks:
            if _in_note(x, el) or (b.complex and not visible_in(x, el)):
                continue  # shown in the note's own block, or in an unchosen reading
            o = offsets.get(x)
            if o is None or (x.tag != Q and not 0 < o < len(raw)):
                continue
            if x.tag == Q:
                end = o + len(etree.tostring(x, method="text", encoding=str, with_tail=False))
                out += [(reading(o), "“"), (reading(end), "”")]
            elif x.tag == LB:
                if not (raw[o - 1].isspace() or raw[o].isspace()
                        or (spaceless(raw[o - 1]) and spaceless(raw[o]))):  # fmt: skip
                    out.append((reading(o), " "))
            else:
                before = raw[:o].rstrip()
                if before and not before.endswith(_PUNCT):  # the comma goes right after the role
                    spaced = len(before) < o
                    out.append((reading(len(before)), "," if spaced else ", "))
        return out

    @staticmethod
    def _item_mark(item: etree._Element) -> str:
        """Return the mark shown before a list item: its number in an ordered list, else a bullet."""
        parent = item.getparent()
        kind = f"{parent.get('type', '')} {parent.get('rend', '')}".lower() if parent is not None else ""
        if any(w in kind for w in ("ordered", "numbered", "decimal")):
            n = item.get("n") or str(1 + sum(1 for _ in item.itersiblings(ITEM, preceding=True)))
            return f"{n.rstrip('.')}. "
        return "• "

    @staticmethod
    def _pb_text(reading: str, pos: int, label: str, pb: etree._Element) -> str:
        text = f"[{label}]"
        if pb.get("break") == "no":  # the page turns inside a word: the marker adds no space
            return text
        if pos > 0 and reading[pos - 1 : pos] != " ":
            text = " " + text
        if pos < len(reading) and reading[pos] != " ":
            text += " "
        return text

    def refresh_blocks(self, indexes: Sequence[int]) -> bool:
        """Make the display blocks of tei blocks whose text changed again (an intervention) and
        shift the Qt positions after them; False (nothing changed) when a block holds notes,
        whose numbering runs through the document: build a new map then."""
        text = self.doc.text
        for i in indexes:
            old = self.blocks[self.qt_block_of[i]]
            if text.blocks[i].is_note or any(r.kind in ("noteref", "notelabel", "unref") for r in old.runs):
                return False
        for i in indexes:
            n = self.qt_block_of[i]
            old = self.blocks[n]
            b = text.blocks[i]
            pbs = [r.element for r in old.runs
                   if r.kind == "pb" and r.element is not None and text.enclosing_block(r.element) != i]  # fmt: skip
            db = self._build(i, b, b.reading, pbs, {})
            delta = db.qlen - old.qlen
            self.blocks[n] = db
            if delta:
                starts = self.starts
                for k in range(n + 1, len(starts)):
                    starts[k] += delta
                self.length += delta
        return True

    # -- queries --------------------------------------------------------------------------
    def text(self) -> str:
        """Return the whole display text (blocks joined by newlines) for ``setPlainText``."""
        return "\n".join(db.text for db in self.blocks)

    def display_block_at(self, pos: int) -> int:
        """Return the display block number holding Qt position ``pos``."""
        return max(0, bisect_right(self.starts, pos) - 1)

    def qt_to_reading(self, pos: int, *, end: bool = False) -> tuple[int, int]:
        """Map a Qt position to (tei block index, reading offset), snapping out of spacers."""
        n = self.display_block_at(pos)
        db = self.blocks[n]
        if db.index < 0:
            if end:
                while n > 0 and self.blocks[n].index < 0:
                    n -= 1
                prev = self.blocks[n]
                return prev.index, len(self.doc.text.blocks[prev.index].reading)
            while n < len(self.blocks) - 1 and self.blocks[n].index < 0:
                n += 1
            return self.blocks[n].index, 0
        cp = db.q_to_cp(pos - self.starts[n])
        return db.index, db.to_reading(cp)

    def reading_to_qt(self, index: int, reading: int, *, end: bool = False) -> int:
        """Map (tei block index, reading offset) to a Qt position."""
        n = self.qt_block_of[index]
        db = self.blocks[n]
        return self.starts[n] + db.cp_to_q(db.to_display(reading, end=end))

    def run_at(self, pos: int) -> Run | None:
        """Return the inserted run under Qt position ``pos``, if any."""
        n = self.display_block_at(pos)
        db = self.blocks[n]
        if not db.runs:
            return None
        cp = db.q_to_cp(pos - self.starts[n])
        j = bisect_right(db.run_starts, cp) - 1
        if j >= 0 and cp < db.runs[j].start + len(db.runs[j].text):
            return db.runs[j]
        return None

    def pages(self) -> list[tuple[str, int, int]]:
        """Return (label, tei block index, reading offset) of every page marker, in order."""
        out = []
        for db in self.blocks:
            for r in db.runs:
                if r.kind == "pb" and r.element is not None:
                    out.append((r.element.get("n") or "", db.index, r.reading))
        return out


#: Elements whose alternatives are listed on hover and in the notes pane.
VARIANTS = (ns.qn("choice"), ns.qn("app"), ns.qn("ruby"))
_READING_TAGS = {ns.qn(t) for t in ("lem", "rdg", "rdgGrp", "rb", "rt", "note", "witDetail")}


def readings(el: etree._Element) -> list[tuple[str, str]]:
    """Return (label, text) of every alternative of a ``choice``, ``app`` or ``ruby``: its
    readings with their witnesses (``rdg (B, C)``), the apparatus notes, a ruby's gloss."""
    out: list[tuple[str, str]] = []
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if child.tag == ns.qn("rdgGrp"):
            out.extend(readings(child))
            continue
        name = ns.local_name(child.tag)
        wits = [w.lstrip("#") for w in (child.get("wit") or "").split()]
        wits += [" ".join(text_of(w).split()) for w in child.iter(ns.qn("wit"))]
        if wits:
            name += f" ({', '.join(wits)})"
        text = " ".join(text_of(child).split())
        for w in child.iter(ns.qn("wit")):
            text = text.replace(" ".join(text_of(w).split()), "", 1).strip()
        out.append((name, text or "(omitted)" if child.tag in _READING_TAGS else text))
    return out



def passage_text(doc: TeiDocument, ann: Annotation) -> str:
    """Return an annotation's passage: the quote it recorded, else (another tool's annotation)
    the text its target points to now."""
    if ann.quote:
        return ann.quote
    for res in doc.resolve(ann.target):
        if res.ok and res.start is not None and res.end is not None:
            return doc.quote_for(res.start, res.end)[0]
    for p in pointers.parse_target(ann.target):
        if isinstance(p, pointers.PathOffsets) and p.start.node == p.end.node:  # in the header
            try:
                found = doc.root.xpath(_STEP.sub(r"t:\1", p.start.node.expr), namespaces={"t": ns.TEI})
            except etree.XPathError:
                continue
            if isinstance(found, list) and found and isinstance(found[0], etree._Element):
                return " ".join(text_of(found[0])[p.start.offset : p.end.offset].split())
    return ""


_STEP = re.compile(r"(?<=/)([A-Za-z_][\w.-]*)(?=\[|/|$)")  # an unprefixed step of a simple path


def category_text(doc: TeiDocument, ann: Annotation) -> str:
    """Return how an annotation's category reads, with another tool's tags (``tag: Name``)."""
    label = doc.taxonomy.label(ann.category) if ann.category in doc.taxonomy.categories else ""
    tags = ann.tags
    return " · ".join(filter(None, [label, "tag: " + ", ".join(tags) if tags else ""]))


def empty_text_message(doc: TeiDocument) -> str:
    """Return why a document shows no text, in terms of what it is ('' when it has text)."""
    if any(b.reading for b in doc.text.blocks):
        return ""
    root = doc.root
    includes = [x.get("href") or "?" for x in root.iter(XINCLUDE)]
    if includes:
        where = "a <sourceDoc> (a transcription page by page)" if next(
            root.iter(ns.qn("sourceDoc")), None) is not None else "this file"  # fmt: skip
        shown = ", ".join(includes[:3]) + (f" and {len(includes) - 3} more" if len(includes) > 3 else "")
        return (f"This document has no text of its own: {where} brings its {len(includes)} part(s) "
                f"in from other files with XInclude ({shown}), which Glossator does not follow. "
                "Open those files, or a copy with the XIncludes resolved (xmllint --xinclude).")
    if next(root.iter(ns.qn("sourceDoc")), None) is not None:
        return ("This document has no text to read: it is a <sourceDoc> (a transcription of the "
                "physical pages) without any transcribed lines.")
    return ("This document has no text to read: its <text> is empty (a catalogue record or "
            "manuscript description keeps its content in the teiHeader, which Glossator does not "
            "annotate; View ▸ Document shows it).")


def unreferenced(note: etree._Element) -> bool:
    """Tell whether a note has no reference (callout) in the source's text (the importer's
    ``type="unanchored"``): it is shown apart, never as a superscript number."""
    return note.get("type") == "unanchored"


def unreferenced_label(note: etree._Element) -> str:
    """Return how a note without a reference is introduced, with its page when known."""
    page = note.getparent()
    n = page.get("n") if page is not None and page.get("type") == "page" else None
    return "note without a reference in the source" + (f", page {n}" if n else "")


def _ms_desc(el: etree._Element) -> etree._Element | None:
    """Return the manuscript description ``el`` is part of, if any."""
    return next(el.iterancestors(MS_DESC), None)


def _in_note(el: etree._Element, block: etree._Element) -> bool:
    """Tell whether ``el`` is inside a note nested in ``block``."""
    for a in el.iterancestors():
        if a is block:
            return False
        if a.tag == NOTE and not is_inline_note(a):
            return True
    return False
