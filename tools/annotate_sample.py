"""Write a copy of the sample article with a dozen illustrative annotations of every kind.

Used for the README screenshots and as a demonstration file; the annotations show what the tool
records, they are not research findings (check every value against the sources before citing).

Run: ``.venv/bin/python tools/annotate_sample.py OUT.xml``
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import tei  # noqa: E402
from tei.annotations import Alternative, BiasNote, ContestedFigure, Quantity, SourceLink  # noqa: E402

SAMPLE = ROOT / "resources" / "samples" / "soviet-aid-to-china.xml"


def find(doc: tei.TeiDocument, text: str) -> tuple[int, int, int]:
    """Return (block, start, end) of the first occurrence of ``text`` in the reading text."""
    for i, b in enumerate(doc.text.blocks):
        start = b.reading.find(text)
        if start >= 0:
            return i, start, start + len(text)
    raise SystemExit(f"{text!r} is not in the sample any more: update tools/annotate_sample.py")


def mark(doc: tei.TeiDocument, text: str, category: str, who: str, name: str) -> tei.Annotation:
    """Annotate the first occurrence of ``text``."""
    b, r0, r1 = find(doc, text)
    return doc.add_annotation(doc.target_for(b, r0, b, r1), category, annotator=who,
                              annotator_name=name)  # fmt: skip


def annotate(doc: tei.TeiDocument) -> None:
    """Add the illustrative annotations to ``doc``."""
    name = "Anna Historian"
    who = doc.ensure_annotator(name, orcid="0000-0002-1825-0097")
    garver = doc.add_source(author="Garver, John W.", title="Chinese-Soviet Relations, 1937–1945",
                            date="1988", place="New York", publisher="Oxford University Press")
    whiting = doc.add_source(author="Whiting, Allen S.; Sheng Shih-ts'ai",
                             title="Sinkiang: Pawn or Pivot?", date="1958", place="East Lansing",
                             publisher="Michigan State University Press")  # fmt: skip
    kapitsa = doc.add_source(author="Kapitsa, M. S.", title="Sovetsko-kitaiskie otnosheniia",
                             date="1958", place="Moscow")  # fmt: skip

    def bias(text: str, technique: str, why: str) -> None:
        a = mark(doc, text, "gl-bias", who, name)
        a.bias = BiasNote(technique, why)
        a.certainty = "medium"

    bias("proletarian internationalism", "gl-bias-loaded-language",
         "Party vocabulary: aid is presented as a principle, not as state interest.")
    bias("friendly socialist power", "gl-bias-glorification",
         "Typing the Soviet state as 'friendly' is the article's thesis, stated as fact.")
    bias("Soviet Russia applied this principle", "gl-bias-omission",
         "Silent on the Chinese Eastern Railway, which Soviet Russia kept.")
    bias("As the Chinese historian Peng Ming emphasized", "gl-bias-appeal-to-authority",
         "A Chinese voice is quoted to confirm the Soviet account.")

    def figure(text: str, stated: Quantity, alts: list[Alternative], status: str,
               note: str) -> None:  # fmt: skip
        a = mark(doc, text, "gl-figure", who, name)
        a.figure = ContestedFigure(stated=text, normalised=stated, alternatives=alts, status=status)
        a.note = [note]

    figure("$ 500 million", Quantity(value=500e6, unit="USD"),
           [Alternative("$ 250 million (three credits, 1938–1939)", Quantity(value=250e6, unit="USD"),
                        garver, "ch. 2", "medium", "The article itself gives $ 250 million below."),
            Alternative("$ 100 million (1938)", Quantity(value=100e6, unit="USD"), kapitsa, "",
                        "low")],
           "disputed", "The sentence conflates the 1937 promise with the credits actually granted.")
    figure("about 1 thousand fighters and bombers", Quantity(value=1000, unit="aircraft",
                                                            approximate=True),
           [Alternative("904 aircraft", Quantity(value=904, unit="aircraft"), garver, "ch. 2",
                        "medium")],
           "disputed", "Deliveries of 1937–1941; counts differ by what is included.")
    figure("1,140 guns", Quantity(value=1140, unit="guns"), [], "undisputed",
           "No other figure found so far.")
    figure("700 people", Quantity(value=700, unit="volunteers"),
           [Alternative("over 2,000 pilots and ground crew", Quantity(low=2000, unit="volunteers"),
                        garver, "ch. 2", "medium", "Counts rotations, not a single contingent.")],
           "disputed", "The figure seems to count one rotation only.")

    def link(text: str, relation: str, source: str, locator: str, note: str, claim: str) -> None:
        a = mark(doc, text, "gl-source", who, name)
        a.source_link = SourceLink(relation, source, locator)
        a.note = [note]
        a.claim = claim  # a row of the evidence matrix

    link("highway length of 2925 km", "corroborates", whiting, "",
         "The route Sary-Ozek – Lanzhou is described there too.",
         "The Sary-Ozek – Lanzhou highway was 2,925 km long.")
    link("A total of 135 advisers", "context", kapitsa, "",
         "Soviet official history; the number is not given by independent sources.", "")

    c = mark(doc, "bo-more than 30 million rubles", "gl-comment", who, name)
    c.note = ["Machine-translation artefact: “bo-” is the start of Russian “более” (more than)."]
    q = mark(doc, "Tuchangunsy", "gl-question", who, name)
    q.note = ["Which company is this? The transliteration looks like Dutu gongsi (督辦公司)?"]
    n = mark(doc, "Ibid., pp. 43-44.", "gl-comment", who, name)
    n.note = ["The footnote repeats the 1959 collection: the only source for the paragraph."]


def main(argv: list[str]) -> int:
    """Copy the sample to ``argv[0]`` and annotate it."""
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    out = Path(argv[0])
    shutil.copy(SAMPLE, out)
    doc = tei.load(str(out))
    annotate(doc)
    doc.save()
    print(f"{out}: {len(doc.annotations())} annotations")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
