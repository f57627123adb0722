"""Shared helpers for the export tests: the annotated sample document and golden-file checks."""

from __future__ import annotations

import difflib
import itertools
import os
import random
from pathlib import Path
from unittest import mock

import tei
from tei.annotations import Alternative, BiasNote, ContestedFigure, Quantity, SourceLink

EXPORT_DATA = Path(__file__).resolve().parent.parent / "data" / "export"
SAMPLE = EXPORT_DATA / "sample.xml"
FIXED_TIMES = [f"2024-05-0{d}T1{h}:00:00Z" for d in range(1, 10) for h in range(10)]


def fix_time(monkeypatch) -> None:
    """Make ``tei.annotations.now_iso`` return a fixed sequence of times, and new ids fixed too."""
    monkeypatch.setattr("tei.document._randbits", random.Random(1950).getrandbits)
    times = itertools.cycle(FIXED_TIMES)

    def fixed() -> str:
        return next(times)

    # tei.document imports now_iso by name, so both bindings are patched
    monkeypatch.setattr("tei.annotations.now_iso", fixed)


def nth_id(doc: tei.TeiDocument, n: int) -> str:
    """Return the id of the ``n``-th annotation (from 1, in the order they were made)."""
    return doc.annotations()[n - 1].id


def find(doc: tei.TeiDocument, text: str, nth: int = 0) -> tuple[int, int, int]:
    """Return (block, start, end) of the ``nth`` occurrence of ``text`` in the reading text."""
    k = 0
    for i, b in enumerate(doc.text.blocks):
        start = b.reading.find(text)
        while start >= 0:
            if k == nth:
                return i, start, start + len(text)
            k += 1
            start = b.reading.find(text, start + 1)
    raise AssertionError(f"{text!r} not in the reading text")


def annotate(doc: tei.TeiDocument, text: str, category: str, *, to: str | None = None,
             who: str = "", name: str = "") -> tei.Annotation:  # fmt: skip
    """Annotate ``text`` (or from ``text`` to the end of ``to``) in ``category``."""
    b0, r0, r1 = find(doc, text)
    b1 = b0
    if to is not None:
        b1, _, r1 = find(doc, to)
    return doc.add_annotation(doc.target_for(b0, r0, b1, r1), category, annotator=who,
                              annotator_name=name)  # fmt: skip


def build_sample(path: Path = SAMPLE) -> tei.TeiDocument:
    """Load the sample article and add annotations of every kind (call ``fix_time`` first)."""
    doc = tei.load(str(path))
    ana = doc.ensure_annotator("Ada Historian", orcid="0000-0002-1825-0097")
    bob = doc.ensure_annotator("Bob <b>Critic</b>")
    kw = {"who": ana, "name": "Ada Historian"}
    kb = {"who": bob, "name": "Bob <b>Critic</b>"}
    src_a = doc.add_source(author="Borisov, O. B.", title="Soviet-Chinese Relations 1945–1970",
                           date="1975", place="Bloomington", publisher="Indiana UP",
                           url="https://example.org/borisov")  # fmt: skip
    src_b = doc.add_source(author="Lüthi, Lorenz", title="The Sino-Soviet Split", date="2008",
                           url="javascript:alert(1)")  # fmt: skip

    a = annotate(doc, "proletarian", "gl-bias", to="foreign policy", **kw)
    a.bias = BiasNote("gl-bias-loaded-language", "Party jargon presented as fact.")
    a.note = ["The phrase frames aid as ideology.", "Second paragraph of the note."]
    a.certainty = "high"

    f = annotate(doc, "300 million dollars", "gl-figure", **kw)
    f.figure = ContestedFigure(
        stated="300 million dollars",
        normalised=Quantity(value=300_000_000, unit="USD", text="300 million dollars"),
        alternatives=[
            Alternative("$300 million over five years", Quantity(value=300_000_000, unit="USD"),
                        src_a, "p. 55", "high", "Paid in instalments."),
            Alternative("about 1.5 billion roubles", Quantity(value=1.5e9, unit="RUB",
                        approximate=True), src_b, "ch. 2", "medium"),
        ],
        status="disputed",
        preferred=Quantity(value=300_000_000, unit="USD"),
        rationale="Both sources agree on the dollar figure.",
    )  # fmt: skip
    f.certainty = "medium"

    g = annotate(doc, "156 industrial enterprises", "gl-figure", **kb)
    g.figure = ContestedFigure(stated="156", normalised=Quantity(value=156, unit="enterprises"),
                               alternatives=[Alternative("166", Quantity(value=166), src_a)],
                               status="resolved")  # fmt: skip

    s = annotate(doc, "More", "gl-source", to="specialists worked in China.", **kw)
    s.source_link = SourceLink("contradicts", src_a, "pp. 60–61")
    s.note = ["Borisov counts 7,000 <b>specialists</b>."]

    c = annotate(doc, "Soviet Union granted China", "gl-comment", **kb)  # overlaps the figure?
    c.note = ["Overlaps the loan.", "</div><script>alert('x')</script>"]
    c.touch(bob)

    annotate(doc, "granted China a loan", "gl-question", **kw).note = [
        "Was it a loan or a grant? <a href=\"javascript:alert(1)\">link</a>"
    ]
    annotate(doc, "The first country", "gl-comment", to="build", **kw).note = [
        "A passage across two paragraphs and a footnote reference."
    ]
    annotate(doc, "Collected Works", "gl-source", **kw).source_link = SourceLink(
        "context", src_b, ""
    )
    annotate(doc, "brother", "gl-bias-glorification", **kb)
    annotate(doc, "east is red", "gl-comment", to="forth a Mao", **kw).note = ["Verse lines."]
    annotate(doc, "Power stations", "gl-question", **kw)
    annotate(doc, "received the", "gl-comment", **kw).note = ["Across a choice."]
    annotate(doc, "Great October Socialist", "gl-comment", **kw).note = ["Crosses <emph>."]
    orphan = add_orphan(doc, "#no-such-element", "gl-comment", annotator=ana,
                        annotator_name="Ada Historian")  # fmt: skip
    orphan.note = ["This one points nowhere."]
    return doc


def add_orphan(doc: tei.TeiDocument, target: str, category: str, **kw: str) -> tei.Annotation:
    """Add an annotation whose target points nowhere, as files from other tools may hold (the
    library refuses to make one, so its pointer check is skipped here)."""
    with mock.patch.object(doc, "resolve", return_value=[]):
        return doc.add_annotation(target, category, **kw)


def check_golden(name: str, actual: str) -> None:
    """Compare ``actual`` with ``tests/data/export/NAME``; print a unified diff on mismatch.

    Set ``GLOSSATOR_UPDATE_GOLDEN=1`` to (re)write the golden file instead.
    """
    path = EXPORT_DATA / name
    if os.environ.get("GLOSSATOR_UPDATE_GOLDEN") == "1" or not path.exists():
        path.write_text(actual, encoding="utf-8", newline="")
        if os.environ.get("GLOSSATOR_UPDATE_GOLDEN") != "1":
            raise AssertionError(f"golden file {name} was missing and has been written; rerun")
        return
    expected = path.read_bytes().decode("utf-8")
    if expected != actual:
        diff = "".join(itertools.islice(difflib.unified_diff(
            expected.splitlines(True), actual.splitlines(True), f"golden/{name}", "actual"), 200))
        print(diff)
        raise AssertionError(f"{name} differs from the golden file (diff above; "
                             "GLOSSATOR_UPDATE_GOLDEN=1 regenerates it)")  # fmt: skip


#: A small document with inline markup and verse, for property-based tests of offsets.
SMALL = ('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>S'
         "</title></titleStmt><publicationStmt><p>x</p></publicationStmt><sourceDesc><p>x</p>"
         "</sourceDesc></fileDesc></teiHeader><text><body><div>"
         '<p xml:id="a">One <hi rend="italic">two three</hi> four <emph>five</emph> six.</p>'
         '<p xml:id="b">Seven <foreign xml:lang="la">octo novem</foreign> decem.</p>'
         "<lg><l xml:id=\"c\">Eleven twelve,</l><l>thirteen <hi>fourteen</hi>.</l></lg>"
         "</div></body></text></TEI>")  # fmt: skip


#: A paragraph with a quotation holding emphasis (styles cut into runs by annotations).
QUOTED = ('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>Q'
          '</title></titleStmt></fileDesc></teiHeader><text><body><p xml:id="p">He said '
          "<q>one <emph>two</emph> three</q> and left.</p></body></text></TEI>")  # fmt: skip


CATEGORIES = ("gl-comment", "gl-bias", "gl-figure", "gl-source", "gl-question")


def annotate_some(doc: tei.TeiDocument, count: int = 6) -> int:
    """Add ``count`` annotations spread over the text (one spans two blocks); return how many.

    A document without displayed text (a manuscript record with an empty body) gets one
    annotation on an element of its header instead, which every export lists without a passage.
    """
    blocks = [i for i, b in enumerate(doc.text.blocks) if len(b.reading) > 12]
    if not blocks:
        some_id = next(iter(doc.root.xpath("//@xml:id")), "") or "nowhere"
        add_orphan(doc, f"#{some_id}", "gl-comment", annotator="").note = ["Outside the text."]
        return 0
    step = max(1, len(blocks) // count)
    made = 0
    for k, i in enumerate(blocks[::step][:count]):
        reading = doc.text.blocks[i].reading
        j = blocks[blocks.index(i) + 1] if k == 0 and blocks.index(i) + 1 < len(blocks) else i
        end = 6 if j != i else min(len(reading), 10 + k * 7)
        try:
            target = doc.target_for(i, 2, j, end)
        except tei.AnnotationError:
            continue
        ann = doc.add_annotation(target, CATEGORIES[k % len(CATEGORIES)], annotator="")
        ann.note = [f"Note {k} with <markup> & \"quotes\""]
        made += 1
    return made
