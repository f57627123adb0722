"""Critical annotations as small proxy objects over ``<annotation>`` elements.

Nothing is cached outside the tree: every property reads the element, every setter writes it, so
the tree is always what will be saved. Kind-specific data (bias note, contested figure, source
link) is exchanged as plain dataclasses so that the GUI and scripts can edit copies and an undo
step can restore the old value. The XML format is documented in ``docs/standoff-format.md``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from . import history, ns
from .errors import AnnotationError

KINDS = ("bias", "figure", "source", "comment", "question")
CERTAINTIES = ("high", "medium", "low", "unknown")
RELATIONS = ("corroborates", "contradicts", "context")
STATUSES = ("disputed", "undisputed", "resolved")
#: W3C Web Annotation motivations allowed by TEI's ``@motivation``.
MOTIVATIONS = (
    "assessing", "bookmarking", "classifying", "commenting", "describing", "editing",
    "highlighting", "identifying", "linking", "moderating", "questioning", "replying", "tagging",
)  # fmt: skip
DEFAULT_MOTIVATION = {
    "bias": "assessing",
    "figure": "assessing questioning",
    "source": "linking",
    "comment": "commenting",
    "question": "questioning",
}

ANNOTATION = ns.qn("annotation")
NOTE = ns.qn("note")
_P = ns.qn("p")


def now_iso() -> str:
    """Return the current UTC time as an ISO 8601 string with seconds and 'Z'."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class Quantity:
    """A normalised value: a number or a range, a unit, approximate or exact."""

    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str = ""
    approximate: bool = False
    text: str = ""  # how the value reads ("500 million US dollars")

    def display(self) -> str:
        """Return a short human form such as '≈ 500,000,000 USD' or '300–400 USD'."""
        sign = "≈ " if self.approximate else ""
        if self.value is not None:
            num = _fmt_num(self.value)
        elif self.low is not None and self.high is not None:
            num = f"{_fmt_num(self.low)}–{_fmt_num(self.high)}"
        elif self.low is not None:  # a lower bound: "more than 30 million" (>), "at least 12" (≥)
            sign, num = ("> " if self.approximate else "≥ "), _fmt_num(self.low)
        elif self.high is not None:  # an upper bound: "almost one million" (<), "at most 12" (≤)
            sign, num = ("< " if self.approximate else "≤ "), _fmt_num(self.high)
        else:
            return self.text
        return sign + num + (f" {self.unit}" if self.unit else "")


@dataclass
class Alternative:
    """A value for a contested figure given by another source."""

    value: str = ""  # as the other source writes it
    quantity: Quantity | None = None
    source: str = ""  # xml:id of a bibliographic entry
    locator: str = ""  # page or other place in the source
    certainty: str = "unknown"
    note: str = ""


@dataclass
class ContestedFigure:
    """A number the source states, the values others give, and the editor's judgement."""

    stated: str = ""  # the value as written in the text
    normalised: Quantity | None = None
    alternatives: list[Alternative] = field(default_factory=list)
    status: str = "disputed"
    preferred: Quantity | None = None
    rationale: str = ""


@dataclass
class SourceLink:
    """A source that corroborates, contradicts, or gives context to the passage."""

    relation: str = "corroborates"
    source: str = ""  # xml:id of a bibliographic entry
    locator: str = ""


@dataclass
class BiasNote:
    """A bias technique (a sub-category of the bias category) and an explanation."""

    technique: str = ""  # category xml:id, e.g. gl-bias-loaded-language
    explanation: str = ""


#: Characters an XML 1.0 document cannot hold (controls but tab and newlines, U+FFFE/F, surrogates).
#: (Named, not as the complement of what is allowed: that set takes 7 ms to compile, this one 0.6.)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def check_xml_text(*values: str) -> None:
    """Raise ``AnnotationError`` if a value holds a character that XML cannot store."""
    for value in values:
        bad = _NOT_XML.search(value or "")
        if bad:
            raise AnnotationError(
                f"the text contains a character that XML cannot store (U+{ord(bad.group()):04X}) "
                f"at position {bad.start() + 1}"
            )


def xml_safe_text(text: str, paragraph: str = "\n\n") -> str:
    """Replace what XML cannot store: a form feed by ``paragraph``, a vertical tab by a newline,
    and drop the rest (NUL and other controls, lone surrogates, U+FFFE/U+FFFF)."""
    text = text.replace("\f", paragraph).replace("\v", "\n")
    return _NOT_XML.sub("", text)


def _fmt_num(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,}"


def _e(tag: str, attrib: dict[str, str] | None = None, text: str | None = None) -> etree._Element:
    attrib = {k: v for k, v in (attrib or {}).items() if v}
    check_xml_text(text or "", *attrib.values())
    el = etree.Element(ns.qn(tag), attrib)
    if text:
        el.text = text
    return el


def _sub(parent: etree._Element, tag: str, attrib: dict[str, str] | None = None,
         text: str | None = None) -> etree._Element:  # fmt: skip
    el = _e(tag, attrib, text)
    parent.append(el)
    return el


def _num_attr(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def quantity_element(q: Quantity, type_: str) -> etree._Element:
    """Serialise a quantity as ``<measure>`` (``@quantity`` or ``@atLeast``/``@atMost``)."""
    attrib = {
        "type": type_,
        "quantity": _num_attr(q.value),
        "atLeast": _num_attr(q.low) if q.value is None else "",
        "atMost": _num_attr(q.high) if q.value is None else "",
        "unit": re.sub(r"\s+", "_", q.unit.strip()),
        "subtype": "approximate" if q.approximate else "exact",
    }
    return _e("measure", attrib, q.text or q.display())


def read_quantity(el: etree._Element | None) -> Quantity | None:
    """Read a ``<measure>`` written by :func:`quantity_element` (or a similar ``<num>``)."""
    if el is None:
        return None
    value = _float(el.get("quantity") or el.get("value"))
    q = Quantity(
        value=value,
        low=_float(el.get("atLeast") or el.get("min")),
        high=_float(el.get("atMost") or el.get("max")),
        unit=(el.get("unit") or "").replace("_", " "),
        approximate=el.get("subtype") == "approximate",
    )
    text = "".join(el.itertext())
    q.text = "" if text == q.display() else text  # the display form is written when text is ''
    return q



@dataclass(frozen=True)
class Anchoring:
    """How re-anchoring placed an annotation that a person should review (its
    ``<note type="anchoring">``): approximately (*fuzzy*) or not at all (*orphan*)."""

    outcome: str  # "fuzzy" or "orphan"
    score: float | None  # the match's score 0..1 (fuzzy), None when not recorded
    previous: str  # the quote it had before (fuzzy); the stored quote (orphan)
    previous_prefix: str
    previous_suffix: str
    reason: str  # why an orphan was not placed

class Annotation:
    """A proxy over one ``<annotation>`` element; ``doc`` supplies the taxonomy."""

    __slots__ = ("element", "doc")

    def __init__(self, element: etree._Element, doc: object) -> None:
        self.element = element
        self.doc = doc

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Annotation) and other.element is self.element

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"<Annotation {self.id} {self.category} {self.target!r}>"

    # -- plain attributes ---------------------------------------------------------------------
    @property
    def id(self) -> str:
        """Return the annotation's ``xml:id`` ('' if it has none)."""
        return self.element.get(ns.XML_ID) or ""

    @property
    def target(self) -> str:
        """Return the raw ``@target`` value."""
        return self.element.get("target") or ""

    @target.setter
    def target(self, value: str) -> None:
        if not value.strip():
            raise AnnotationError("an annotation needs a target")
        check_xml_text(value)
        self.element.set("target", value)

    @property
    def categories(self) -> list[str]:
        """Return the category ids in ``@ana`` (without '#')."""
        return [t.lstrip("#") for t in (self.element.get("ana") or "").split()]

    @property
    def tags(self) -> list[str]:
        """Return the tags another tool gave the annotation: Recogito's ``<rs ana="Name"/>``, and
        ``@ana`` tokens that name no category of the document."""
        out = [t.lstrip("#") for rs in self.element.iter(ns.qn("rs")) for t in (rs.get("ana") or "").split()]
        known = self.doc.taxonomy.categories  # type: ignore[attr-defined]
        out += [c for c in self.categories if c not in known]
        return list(dict.fromkeys(t for t in out if t))

    @property
    def category(self) -> str:
        """Return the main category id: the first ``@ana`` token ('' if none)."""
        cats = self.categories
        return cats[0] if cats else ""

    @category.setter
    def category(self, value: str) -> None:
        rest = [c for c in self.categories[1:] if self.doc.taxonomy.kind_of(c) == "bias"]  # type: ignore[attr-defined]
        if self.doc.taxonomy.kind_of(value) != "bias":  # type: ignore[attr-defined]
            rest = []
        check_xml_text(value)
        self.element.set("ana", " ".join("#" + c for c in [value, *rest]))

    @property
    def kind(self) -> str:
        """Return the kind (bias, figure, source, comment, question) of the main category."""
        return self.doc.taxonomy.kind_of(self.category)  # type: ignore[attr-defined]

    @property
    def motivation(self) -> list[str]:
        """Return the W3C motivations."""
        return (self.element.get("motivation") or "").split()

    @motivation.setter
    def motivation(self, values: list[str]) -> None:
        bad = [v for v in values if v not in MOTIVATIONS]
        if bad:
            raise AnnotationError(f"unknown motivation(s): {', '.join(bad)}")
        _set(self.element, "motivation", " ".join(values))

    @property
    def certainty(self) -> str:
        """Return ``high``, ``medium``, ``low`` or ``unknown``."""
        return self.element.get("cert") or "unknown"

    @certainty.setter
    def certainty(self, value: str) -> None:
        if value not in CERTAINTIES:
            raise AnnotationError(f"certainty must be one of {', '.join(CERTAINTIES)}")
        _set(self.element, "cert", "" if value == "unknown" else value)

    @property
    def annotator(self) -> str:
        """Return the annotator's person id (from ``@resp``, without '#')."""
        return (self.element.get("resp") or "").split(" ")[0].lstrip("#")

    @property
    def annotator_name(self) -> str:
        """Return the annotator's name as recorded in the annotation's ``respStmt``."""
        name = self.element.find(f"{ns.qn('respStmt')}/{ns.qn('persName')}")
        if name is not None:
            return "".join(name.itertext()).strip()
        name = self.element.find(f"{ns.qn('respStmt')}/{ns.qn('name')}")
        return "".join(name.itertext()).strip() if name is not None else self.annotator

    @property
    def created(self) -> str:
        """Return the creation time (ISO 8601) or ''."""
        return self._change_when("created")

    @property
    def modified(self) -> str:
        """Return the last modification time, or the creation time if never modified."""
        return self._change_when("modified") or self.created

    def _change_when(self, status: str) -> str:
        changes = self.element.findall(f"{ns.qn('revisionDesc')}/{ns.qn('change')}")
        whens = [c.get("when", "") for c in changes if history.status(c) == status]
        return max(whens) if whens else ""

    @property
    def editable(self) -> bool:
        """Tell whether the annotation lives in Glossator's own ``<standOff>``."""
        so = next(self.element.iterancestors(ns.qn("standOff")), None)
        return so is not None and so.get("type") == "glossator"

    # -- note, quote -------------------------------------------------------------------------
    @property
    def note(self) -> list[str]:
        """Return the annotation's note as a list of paragraphs."""
        body = self._typed_note("body")
        if body is None:
            untyped = [n for n in self.element.findall(NOTE) if not n.get("type")]
            return ["".join(n.itertext()).strip() for n in untyped if "".join(n.itertext()).strip()]
        paras = body.findall(_P)
        if not paras:
            text = "".join(body.itertext()).strip()
            return [text] if text else []
        return ["".join(p.itertext()) for p in paras]

    @note.setter
    def note(self, paragraphs: list[str]) -> None:
        paragraphs = [p for p in paragraphs if p.strip()]
        el = self._typed_note("body")
        if not paragraphs:
            if el is not None:
                self.element.remove(el)
            return
        new = _e("note", {"type": "body"})
        for p in paragraphs:
            _sub(new, "p", text=p)
        self._put_note("body", new)

    @property
    def note_text(self) -> str:
        """Return the note as plain text, paragraphs separated by blank lines."""
        return "\n\n".join(self.note)

    @property
    def quote(self) -> str:
        """Return the exact quoted text recorded when the annotation was made."""
        q = self._typed_note("quote")
        el = q.find(ns.qn("quote")) if q is not None else None
        return "".join(el.itertext()) if el is not None else ""

    @property
    def prefix(self) -> str:
        """Return the recorded text just before the quote."""
        return self._quote_part("prefix")

    @property
    def suffix(self) -> str:
        """Return the recorded text just after the quote."""
        return self._quote_part("suffix")

    def _quote_part(self, kind: str) -> str:
        q = self._typed_note("quote")
        if q is None:
            return ""
        for seg in q.findall(ns.qn("seg")):
            if seg.get("type") == kind:
                return "".join(seg.itertext())
        return ""

    def set_quote(self, exact: str, prefix: str = "", suffix: str = "") -> None:
        """Record the quoted text with some context around it."""
        new = _e("note", {"type": "quote"})
        if prefix:
            _sub(new, "seg", {"type": "prefix"}, prefix)
        _sub(new, "quote", text=exact)
        if suffix:
            _sub(new, "seg", {"type": "suffix"}, suffix)
        self._put_note("quote", new)

    @property
    def anchoring(self) -> Anchoring | None:
        """Return what re-anchoring left for review (fuzzy or orphan), or None."""
        note = self._typed_note("anchoring")
        if note is None:
            return None
        outcome = note.get("subtype") or "orphan"
        try:
            score: float | None = float(note.get("cert") or "")
        except ValueError:
            score = None
        parts = {
            (c.get("type") or ""): "".join(c.itertext()) for c in note if isinstance(c.tag, str)
        }
        if outcome == "fuzzy":
            return Anchoring(outcome, score, parts.get("previous", ""), parts.get("prefix", ""),
                             parts.get("suffix", ""), "")  # fmt: skip
        return Anchoring(outcome, score, self.quote, self.prefix, self.suffix,
                         (note.text or "").strip())  # fmt: skip

    def clear_anchoring(self) -> None:
        """Mark the annotation reviewed: drop its ``<note type="anchoring">``."""
        self._drop_note("anchoring")

    # -- kind-specific data ------------------------------------------------------------------
    @property
    def bias(self) -> BiasNote:
        """Return the bias technique and explanation."""
        technique = next(
            (c for c in self.categories[1:] if self.doc.taxonomy.kind_of(c) == "bias"),  # type: ignore[attr-defined]
            "",
        )
        if not technique and self.doc.taxonomy.parent_of(self.category):  # type: ignore[attr-defined]
            technique = self.category
        expl = self._typed_note("explanation")
        return BiasNote(technique, "".join(expl.itertext()) if expl is not None else "")

    @bias.setter
    def bias(self, value: BiasNote) -> None:
        main = self.category
        if self.doc.taxonomy.parent_of(main):  # type: ignore[attr-defined]
            main = self.doc.taxonomy.root_of(main)  # type: ignore[attr-defined]
        tokens = [main] + ([value.technique] if value.technique and value.technique != main else [])
        check_xml_text(value.technique)
        expl = _e("note", {"type": "explanation"}, value.explanation) if value.explanation.strip() else None
        self.element.set("ana", " ".join("#" + t for t in tokens))
        if expl is not None:
            self._put_note("explanation", expl)
        else:
            self._drop_note("explanation")

    @property
    def figure(self) -> ContestedFigure:
        """Return the contested-figure data (empty if the annotation has none)."""
        el = self._typed_note("figure")
        if el is None:
            return ContestedFigure()
        stated = el.find(ns.qn("num"))
        fig = ContestedFigure(
            stated="".join(stated.itertext()) if stated is not None else "",
            status=el.get("subtype") or "disputed",
        )
        for m in el.findall(ns.qn("measure")):
            if m.get("type") == "normalised":
                fig.normalised = read_quantity(m)
        alts = el.find(ns.qn("list"))
        for item in alts.findall(ns.qn("item")) if alts is not None else []:
            fig.alternatives.append(_read_alternative(item))
        pref = _typed_child(el, "note", "preferred")
        if pref is not None:
            fig.preferred = read_quantity(pref.find(ns.qn("measure")))
            rat = pref.find(_P)
            fig.rationale = "".join(rat.itertext()) if rat is not None else ""
        return fig

    @figure.setter
    def figure(self, fig: ContestedFigure) -> None:
        if fig.status not in STATUSES:
            raise AnnotationError(f"status must be one of {', '.join(STATUSES)}")
        el = _e("note", {"type": "figure", "subtype": fig.status})
        _sub(el, "num", {"type": "stated"}, fig.stated)
        if fig.normalised is not None:
            el.append(quantity_element(fig.normalised, "normalised"))
        if fig.alternatives:
            lst = _sub(el, "list", {"type": "alternatives"})
            for alt in fig.alternatives:
                lst.append(_alternative_element(alt))
        if fig.preferred is not None or fig.rationale:
            pref = _sub(el, "note", {"type": "preferred"})
            if fig.preferred is not None:
                pref.append(quantity_element(fig.preferred, "preferred"))
            if fig.rationale:
                _sub(pref, "p", text=fig.rationale)
        self._put_note("figure", el)

    @property
    def source_link(self) -> SourceLink:
        """Return the source-link data (relation, source id, locator)."""
        el = self._typed_note("source")
        if el is None:
            return SourceLink()
        ptr = el.find(f"{ns.qn('bibl')}/{ns.qn('ptr')}")
        loc = el.find(f"{ns.qn('bibl')}/{ns.qn('citedRange')}")
        return SourceLink(
            relation=el.get("subtype") or "corroborates",
            source=(ptr.get("target") or "").lstrip("#") if ptr is not None else "",
            locator="".join(loc.itertext()) if loc is not None else "",
        )

    @source_link.setter
    def source_link(self, link: SourceLink) -> None:
        if link.relation not in RELATIONS:
            raise AnnotationError(f"relation must be one of {', '.join(RELATIONS)}")
        el = _e("note", {"type": "source", "subtype": link.relation})
        bibl = _sub(el, "bibl")
        if link.source:
            _sub(bibl, "ptr", {"target": "#" + link.source})
        if link.locator:
            _sub(bibl, "citedRange", text=link.locator)
        self._put_note("source", el)

    @property
    def claim(self) -> str | None:
        """Return the claim as the editor words it ('' when the passage itself is the claim), or
        ``None`` when the annotation is not marked as a claim (``<note type="claim">``)."""
        el = self._typed_note("claim")
        return None if el is None else " ".join("".join(el.itertext()).split())

    @claim.setter
    def claim(self, value: str | None) -> None:
        if value is None:
            self._drop_note("claim")
            return
        self._put_note("claim", _e("note", {"type": "claim"}, " ".join(value.split()) or None))

    def cited_sources(self) -> list[str]:
        """Return the ids of every bibliographic entry this annotation points to."""
        ids = []
        for ptr in self.element.iter(ns.qn("ptr")):
            t = (ptr.get("target") or "").lstrip("#")
            if t and t not in ids:
                ids.append(t)
        return ids

    # -- bookkeeping -------------------------------------------------------------------------
    def touch(self, who: str, when: str | None = None) -> None:
        """Record a modification by person id ``who`` whose fields are not known (one
        ``change status="modified"`` without fields, replacing an earlier such one; the history's
        changes are kept)."""
        change = _e("change", {"status": "modified", "when": when or now_iso(), "who": "#" + who if who else ""})
        rev = self._revision_desc()
        for c in rev.findall(ns.qn("change")):
            if c.get("status") == "modified" and len(c) == 0:
                history.remove_change(rev, c)
        history.append_change(rev, change)

    def set_creator(self, who: str, name: str) -> None:
        """Record person ``who`` (named ``name``) as the creator of an annotation made without
        one (an anonymous annotation signed later): ``@resp``, the ``respStmt`` and the
        ``who`` of its unsigned changes. An annotation that has a creator keeps it."""
        if self.annotator or not who:
            return
        self.element.set("resp", "#" + who)
        resp = _e("respStmt")
        _sub(resp, "resp", text="creator")
        _sub(resp, "persName", {"ref": "#" + who}, text=name or who)
        self.element.insert(0, resp)
        for change in self.element.iter(ns.qn("change")):
            if not change.get("who"):
                change.set("who", "#" + who)

    def _revision_desc(self) -> etree._Element:
        rev = self.element.find(ns.qn("revisionDesc"))
        if rev is None:
            rev = _e("revisionDesc")
            resp = self.element.findall(ns.qn("respStmt"))
            self.element.insert(len(resp), rev)
        return rev

    def _typed_note(self, type_: str) -> etree._Element | None:
        return _typed_child(self.element, "note", type_)

    def _drop_note(self, type_: str) -> None:
        el = self._typed_note(type_)
        if el is not None:
            self.element.remove(el)

    _NOTE_ORDER = ("quote", "body", "explanation", "figure", "source", "claim")

    def _put_note(self, type_: str, new: etree._Element) -> None:
        """Replace the note of this type, or insert it in the canonical order."""
        old = self._typed_note(type_)
        if old is not None:
            self.element.replace(old, new)
            return
        rank = self._NOTE_ORDER.index(type_)
        for i, child in enumerate(self.element):
            if child.tag in (ns.qn("ptr"), ns.qn("ref")) or (
                child.tag == NOTE and child.get("type") in self._NOTE_ORDER
                and self._NOTE_ORDER.index(child.get("type")) > rank  # type: ignore[arg-type]
            ):  # fmt: skip
                self.element.insert(i, new)
                return
        self.element.append(new)

    def snapshot(self) -> etree._Element:
        """Return a deep copy of the element (for undo)."""
        return copy.deepcopy(self.element)


def _set(el: etree._Element, name: str, value: str) -> None:
    check_xml_text(value)
    if value:
        el.set(name, value)
    elif name in el.attrib:
        del el.attrib[name]


def _typed_child(parent: etree._Element, tag: str, type_: str) -> etree._Element | None:
    for child in parent.findall(ns.qn(tag)):
        if child.get("type") == type_:
            return child
    return None


def _alternative_element(alt: Alternative) -> etree._Element:
    cert = alt.certainty if alt.certainty in CERTAINTIES and alt.certainty != "unknown" else ""
    item = _e("item", {"cert": cert})
    _sub(item, "num", {"type": "stated"}, alt.value)
    if alt.quantity is not None:
        item.append(quantity_element(alt.quantity, "normalised"))
    if alt.source or alt.locator:
        bibl = _sub(item, "bibl")
        if alt.source:
            _sub(bibl, "ptr", {"target": "#" + alt.source})
        if alt.locator:
            _sub(bibl, "citedRange", text=alt.locator)
    if alt.note:
        _sub(item, "note", text=alt.note)
    return item


def _read_alternative(item: etree._Element) -> Alternative:
    num = item.find(ns.qn("num"))
    ptr = item.find(f"{ns.qn('bibl')}/{ns.qn('ptr')}")
    loc = item.find(f"{ns.qn('bibl')}/{ns.qn('citedRange')}")
    note = item.find(NOTE)
    return Alternative(
        value="".join(num.itertext()) if num is not None else "",
        quantity=read_quantity(item.find(ns.qn("measure"))),
        source=(ptr.get("target") or "").lstrip("#") if ptr is not None else "",
        locator="".join(loc.itertext()) if loc is not None else "",
        certainty=item.get("cert") or "unknown",
        note="".join(note.itertext()) if note is not None else "",
    )
