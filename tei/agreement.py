"""Inter-annotator agreement (``glossator agreement``): how far several people who annotated the
same document agree, per category, and where they disagree.

*Units* are the passages anyone annotated: annotations whose spans overlap (in the reading text)
form one unit. For each pair of annotators and each category, one annotator's annotations are
matched one to one with the other's of that category when their spans overlap (the largest
overlaps first); precision is the share of the second annotator's annotations matched, recall the
share of the first's, F1 their harmonic mean (the first annotator is the reference). Krippendorff's
alpha (nominal) is computed over the units: overall with each annotator's category as the value
(an annotator who did not annotate a unit gives no value there), and per category with "marked
this category" / "did not" as the values on every unit either annotator's work touches.

Alpha is computed here (a few lines of the standard coincidence-matrix formula); the tests check it
against the published example (alpha = 0.743) and the ``krippendorff`` package, which is GPL and so
only a test dependency of this MIT project.
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .anchoring import ReadingIndex
from .annotations import Annotation
from .document import TeiDocument

log = logging.getLogger("glossator.agreement")


def krippendorff_alpha(units: list[list[Any]]) -> float | None:
    """Return nominal Krippendorff's alpha of ``units`` (each the values the annotators gave it;
    ``None`` = no value), or None when it is undefined (fewer than two pairable values, or a
    single value used throughout)."""
    coincidences: Counter[tuple[Any, Any]] = Counter()
    for unit in units:
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        for a, b in itertools.permutations(range(m), 2):
            coincidences[(values[a], values[b])] += 1 / (m - 1)
    totals: Counter[Any] = Counter()
    for (c, _), n in coincidences.items():
        totals[c] += n
    n = sum(totals.values())
    if n <= 1:
        return None
    observed = sum(v for (c, k), v in coincidences.items() if c != k)
    expected = sum(totals[c] * totals[k] for c in totals for k in totals if c != k) / (n - 1)
    if expected == 0:
        return None
    return 1 - observed / expected


@dataclass(frozen=True)
class Span:
    """One annotation as agreement sees it: who, which category, where (reading offsets)."""

    id: str
    annotator: str
    category: str
    start: int
    end: int
    quote: str
    certainty: str
    figure: str

    def overlap(self, other: Span) -> int:
        """Return how many reading characters the two spans share."""
        return max(0, min(self.end, other.end) - max(self.start, other.start))


@dataclass
class CategoryScores:
    """Agreement of two annotators on one category."""

    category: str
    label: str
    reference: int  # the first annotator's annotations in it
    other: int  # the second's
    matched: int
    alpha: float | None

    @property
    def precision(self) -> float | None:
        """Share of the second annotator's annotations that match one of the first's."""
        return self.matched / self.other if self.other else None

    @property
    def recall(self) -> float | None:
        """Share of the first annotator's annotations that the second matched."""
        return self.matched / self.reference if self.reference else None

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        if not p or not r:
            return 0.0 if (p is not None or r is not None) else None
        return 2 * p * r / (p + r)


@dataclass
class Disagreement:
    """A passage two annotators treated differently."""

    start: int
    quote: str
    what: str  # "category", "only one annotated it", "certainty", "figure"
    first: str  # what the first annotator did
    second: str
    ann_id: str = ""  # an annotation of the passage (to go to it)


@dataclass
class Agreement:
    """Agreement between two annotators of a document."""

    first: str  # names
    second: str
    units: int
    alpha: float | None
    categories: list[CategoryScores] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the figures as plain data (for JSON)."""
        return {"annotators": [self.first, self.second], "units": self.units, "alpha": self.alpha,
                "categories": [{"category": c.category, "label": c.label, "first": c.reference,
                                "second": c.other, "matched": c.matched, "precision": c.precision,
                                "recall": c.recall, "f1": c.f1, "alpha": c.alpha}
                               for c in self.categories],
                "disagreements": [vars(d) for d in self.disagreements]}  # fmt: skip

    def format_text(self) -> str:
        """Return the scores as a table and the disagreements as lines."""
        def num(x: float | None) -> str:
            return "—" if x is None else f"{x:.2f}"

        lines = [f"{self.first} (reference) and {self.second}: {self.units} passage(s) annotated; "
                 f"Krippendorff's alpha (categories) {num(self.alpha)}", "",
                 f"{'category':<28}{'first':>6}{'second':>7}{'matched':>8}{'prec.':>7}{'recall':>7}"
                 f"{'F1':>6}{'alpha':>7}"]  # fmt: skip
        for c in self.categories:
            lines.append(f"{c.label[:27]:<28}{c.reference:>6}{c.other:>7}{c.matched:>8}"
                         f"{num(c.precision):>7}{num(c.recall):>7}{num(c.f1):>6}{num(c.alpha):>7}")  # fmt: skip
        if self.disagreements:
            lines += ["", f"{len(self.disagreements)} disagreement(s):"]
            for d in self.disagreements:
                lines.append(f"  “{d.quote}” — {d.what}: {self.first}: {d.first}; {self.second}: {d.second}")
        return "\n".join(lines)


def spans(doc: TeiDocument) -> list[Span]:
    """Return every placed annotation of ``doc`` as a :class:`Span` (in reading order)."""
    index = ReadingIndex(doc)
    names = doc.annotators()
    out = []
    for ann in doc.annotations():
        res = doc.resolve(ann.target) if ann.target.strip() else []
        if not res or not all(r.ok for r in res):
            continue
        span = index.span_of(res[0].start or 0, res[-1].end or 0)
        if span is None:
            continue
        who = names.get(ann.annotator, "") or ann.annotator_name or "(anonymous)"
        out.append(Span(ann.id, who, ann.category, span[0], span[1], _short(ann.quote),
                        ann.certainty, _figure(ann)))  # fmt: skip
    return sorted(out, key=lambda s: (s.start, s.end))


def _figure(ann: Annotation) -> str:
    """Return what a contested figure says (the value read, and the value preferred), or ''."""
    fig = ann.figure
    read = fig.normalised.display() if fig.normalised is not None else fig.stated
    preferred = fig.preferred.display() if fig.preferred is not None else ""
    return read + (f", preferred {preferred}" if preferred else "")


def _short(text: str, n: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def annotators(doc: TeiDocument) -> list[str]:
    """Return the names of the people who annotated ``doc``, most annotations first."""
    return [name for name, _ in Counter(s.annotator for s in spans(doc)).most_common()]


def _units(items: list[Span]) -> list[list[Span]]:
    """Group overlapping spans (any annotator) into units, in reading order."""
    units: list[list[Span]] = []
    end = -1
    for s in sorted(items, key=lambda s: (s.start, s.end)):
        if units and s.start < end:
            units[-1].append(s)
            end = max(end, s.end)
        else:
            units.append([s])
            end = s.end
    return units


def _match(first: list[Span], second: list[Span]) -> list[tuple[Span, Span]]:
    """Match spans one to one when they overlap, the largest overlaps first."""
    pairs = sorted(((a.overlap(b), i, j) for i, a in enumerate(first) for j, b in enumerate(second)
                    if a.overlap(b) > 0), reverse=True)  # fmt: skip
    used_a: set[int] = set()
    used_b: set[int] = set()
    out = []
    for _, i, j in pairs:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            out.append((first[i], second[j]))
    return out


def compare(doc: TeiDocument, first: str, second: str) -> Agreement:
    """Return the agreement of annotators ``first`` (the reference) and ``second`` on ``doc``."""
    mine = [s for s in spans(doc) if s.annotator == first]
    theirs = [s for s in spans(doc) if s.annotator == second]
    units = _units(mine + theirs)
    tax = doc.taxonomy

    def value(unit: list[Span], who: str) -> str | None:
        cats = sorted({s.category for s in unit if s.annotator == who})
        return "+".join(cats) if cats else None

    overall = krippendorff_alpha([[value(u, first), value(u, second)] for u in units])
    result = Agreement(first, second, len(units), overall)
    for cat in sorted({s.category for s in mine + theirs}, key=lambda c: (tax.label(c) if c in tax.categories else c)):
        a = [s for s in mine if s.category == cat]
        b = [s for s in theirs if s.category == cat]
        matched = _match(a, b)
        binary = [[any(s.category == cat for s in u if s.annotator == who) for who in (first, second)]
                  for u in units]  # fmt: skip
        label = tax.label(cat) if cat in tax.categories else cat
        result.categories.append(CategoryScores(cat, label, len(a), len(b), len(matched),
                                                krippendorff_alpha(binary)))  # fmt: skip
    result.disagreements = _disagreements(units, first, second, tax)
    return result


def _disagreements(units: list[list[Span]], first: str, second: str, tax: Any) -> list[Disagreement]:
    def label(cat: str) -> str:
        return tax.label(cat) if cat in tax.categories else cat

    out = []
    for unit in units:
        a = [s for s in unit if s.annotator == first]
        b = [s for s in unit if s.annotator == second]
        quote = unit[0].quote
        if not a or not b:
            did = ", ".join(sorted({label(s.category) for s in a or b}))
            out.append(Disagreement(unit[0].start, quote, "only one annotated it",
                                    did if a else "nothing", did if b else "nothing", unit[0].id))  # fmt: skip
            continue
        cats_a, cats_b = {s.category for s in a}, {s.category for s in b}
        if cats_a != cats_b:
            out.append(Disagreement(unit[0].start, quote, "category", ", ".join(sorted(map(label, cats_a))),
                                    ", ".join(sorted(map(label, cats_b))), a[0].id))  # fmt: skip
        for x, y in _match([s for s in a if s.category in cats_b], [s for s in b if s.category in cats_a]):
            if x.category != y.category:
                continue
            if x.figure != y.figure:
                out.append(Disagreement(x.start, x.quote, "figure", x.figure or "—", y.figure or "—", x.id))
            if x.certainty != y.certainty:
                out.append(Disagreement(x.start, x.quote, "certainty", x.certainty, y.certainty, x.id))
    return out
