"""The HTML edition's evidence matrix: claims down, sources across (see :mod:`tei.matrix`)."""

from __future__ import annotations

from lxml import etree

from ..matrix import SILENT, build_matrix
from ._edition import Edition
from ._html_parts import E, add_text

CSS = """
table.matrix th[scope=row] { font-weight: normal; min-width: 12rem; }
table.matrix td.silent { color: var(--muted); }
table.matrix .v { display: block; }
table.matrix .v-corroborates { color: #1d5e2c; } table.matrix .v-contradicts { color: #8a1c0c; }
table.matrix .v-other-value { color: #7a4a00; }
"""


def matrix_section(body: etree._Element, ed: Edition) -> None:
    """Append the claim × source matrix (nothing when the document has no claims)."""
    m = build_matrix(ed.doc)
    if not m.claims:
        return
    numbers = {n.id: n.number for n in ed.notes}
    sec = E(body, "section", id="matrix", aria_labelledby="matrix-h", class_="back")
    E(sec, "h2", "Evidence matrix", id="matrix-h")
    E(sec, "p", "What each source says about each claim (the contested figures and the passages "
      "marked as claims): corroborates, contradicts, gives another value, qualifies, or is silent. "
      "The links lead to the note that records the evidence.", class_="hint")  # fmt: skip
    wrap = E(sec, "div", class_="tscroll", role="region", tabindex="0", aria_labelledby="matrix-h")
    table = E(wrap, "table", class_="figidx matrix")
    tr = E(E(table, "thead"), "tr")
    E(tr, "th", "Claim", scope="col")
    for source, head in zip(m.sources, m.headers(), strict=True):
        number = ed.bib_number(source.id) if source.kind == "bibl" else 0
        th = E(tr, "th", scope="col", title=source.citation)
        if number:
            E(th, "a", head, href=f"#bib-{number}")
        else:
            th.text = head
    tb = E(table, "tbody")
    for claim in m.claims:
        tr = E(tb, "tr", id=f"claim-{claim.id}")
        th = E(tr, "th", scope="row")
        if numbers.get(claim.id):
            E(th, "a", str(numbers[claim.id]), href=f"#n-{numbers[claim.id]}", class_="num")
            add_text(th, " ")
        add_text(th, m.claim_label(claim))
        for source in m.sources:
            evidence = m.cell(claim, source.id)
            td = E(tr, "td", class_=None if evidence else "silent")
            if not evidence:
                td.text = SILENT
            for ev in evidence:
                span = E(td, "span", class_="v v-" + ev.verdict.replace(" ", "-"))
                number = numbers.get(ev.annotation)
                if number:
                    E(span, "a", ev.label(), href=f"#n-{number}")
                else:
                    span.text = ev.label()
