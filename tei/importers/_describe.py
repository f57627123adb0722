"""The editorialDecl texts of the plain-text importer: what was detected, normalised, dropped."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DescribeState:
    """The texts collected for the header's editorialDecl, and the report's warnings."""

    warnings: list[str] = field(default_factory=list)
    normalization: list[str] = field(default_factory=list)
    segmentation: list[str] = field(default_factory=list)
    interpretation: list[str] = field(default_factory=list)


def page_range(pages: list[str]) -> str:
    """Return ``74–82`` for consecutive page numbers, else the numbers joined by commas."""
    if all(p.isdigit() for p in pages) and [int(p) for p in pages] == list(
        range(int(pages[0]), int(pages[0]) + len(pages))
    ):
        return pages[0] if len(pages) == 1 else f"{pages[0]}\u2013{pages[-1]}"
    return ", ".join(pages)


def describe_pages(
    st: DescribeState, asked: str, convention: str, counts: dict, pages: list, dropped: list
) -> None:
    """Say in editorialDecl which page convention was used, the pages and what was dropped."""
    how = "detected by counting markers" if asked == "auto" else "chosen by the user"
    rules = {
        "page-line": "a line 'page N' ends page N (the first page has no marker before it)",
        "bracket": "'[p. N]' starts page N",
        "dash": "a line '- N -' starts page N",
        "formfeed": "a form feed starts the next page; pages numbered from 1",
        "none": "no page markers; the text has no page breaks",
    }
    found = ", ".join(f"{k}: {v}" for k, v in counts.items() if v)
    replaced = " The markers were replaced by pb elements." if convention != "none" else ""
    st.interpretation.append(
        f"Page convention {convention} ({how}; markers counted: {found or 'none'}): "
        f"{rules[convention]}.{replaced}"
    )
    numbered = [p.n for p in pages if p.n is not None]
    if numbered:
        st.interpretation.append(f"Pages: {len(numbered)} ({page_range(numbered)}).")
    if dropped:
        quoted = " | ".join(f"\u201c{line.text}\u201d" for line in dropped)
        st.normalization.append(
            f"{len(dropped)} line(s) at the end (lines {dropped[0].lineno}\u2013"
            f"{dropped[-1].lineno}) dropped as website boilerplate, not part of the source: "
            f"{quoted}"
        )


def describe_blocks(st: DescribeState, mode: str, asked: str, joins: list, units: list) -> None:
    """Say in editorialDecl how paragraphs, headings and page-crossing paragraphs were made."""
    how = "detected" if asked == "auto" else "chosen by the user"
    st.segmentation.append(
        "One paragraph per line."
        if mode == "lines"
        else "Paragraphs separated by blank lines; the line breaks inside a paragraph are kept."
    )
    st.segmentation[-1] += f" (Paragraph convention {mode}, {how}.)"
    if any(u.kind == "head" for page in units for u in page):
        st.segmentation.append(
            "Markdown-like headings ('#' marks, '===' or '---' underlines) encoded as head in "
            "nested div elements; the marks removed."
        )
    joined = [j for j in joins if j is not None]
    if joined:
        reasons = ", ".join(sorted({j.reason for j in joined}))
        st.segmentation.append(
            f"{len(joined)} paragraph(s) cut by a page break encoded as one p with a pb inside "
            f"(detected by: {reasons}); a line break before the pb stands for the page break, "
            'except after a hyphen (pb break="no", nothing added).'
        )


def describe_notes(st: DescribeState, found: int, anchored: int, missing: list[int]) -> None:
    """Say in editorialDecl what became of the footnotes."""
    if not found:
        st.interpretation.append("No footnotes found.")
        return
    text = (
        f"Footnotes: {found} numbered lines at the page ends encoded as note "
        f'place="foot" with the citation as bibl; {anchored} placed at their '
        "reference in the text (bare numbers found in sequence and scored by context; the digits "
        "of the reference replaced by the note, its number kept in @n)."
    )
    if missing:
        numbers = ", ".join(str(n) for n in missing)
        text += (
            f" No reference placed for {numbers} (none found, or several places fitted "
            'equally): kept outside the running text with type="unanchored", in back/div '
            '(type="notes") under a div type="page" with the page\'s number.'
        )
    st.interpretation.append(text)
