"""The PDF print edition (Qt, offscreen): pages, footnotes or endnotes, script coverage."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata

import pytest

import tei
from tei import exporters
from tests.tei.export_helpers import build_sample, fix_time


@pytest.fixture
def sample(monkeypatch):
    fix_time(monkeypatch)
    return build_sample()


def pdf_text(path) -> str:
    """Return the text of a PDF (pdftotext if installed, else skip)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         check=True, timeout=60)  # fmt: skip
    return unicodedata.normalize("NFKC", out.stdout.decode("utf-8"))  # ligatures: ﬁ -> fi


def page_count(path) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes()))


def test_registered_on_import() -> None:
    import annotator.pdf  # noqa: F401

    assert "pdf" in exporters.FORMATS


@pytest.mark.parametrize("mode", ["footnotes", "endnotes"])
def test_pdf_edition(sample, tmp_path, mode) -> None:
    import annotator.pdf  # noqa: F401

    out = tmp_path / f"{mode}.pdf"
    report = exporters.export(sample, "pdf", out, notes=mode)
    assert out.read_bytes().startswith(b"%PDF") and page_count(out) >= 2
    assert report.count == 14 and not (tmp_path / f"{mode}.pdf.part").exists()
    text = " ".join(pdf_text(out).split())
    assert "Soviet Aid to China" in text and "[p. 75]" in text
    for needle in ("Party jargon presented as fact", "Borisov counts 7,000",
                   "Index of contested figures", "Bibliography", "This one points nowhere",
                   "Lüthi, Lorenz. The Sino-Soviet Split"):  # fmt: skip
        assert needle in text, needle
    first_page = " ".join(pdf_text(out).split("\f")[0].split())
    if mode == "footnotes":
        assert "Party jargon presented as fact" in first_page  # at the foot of page 1
        assert "Notes on the notes of the source" in text  # the note inside a footnote
    else:
        assert "Party jargon presented as fact" not in first_page
        assert "Critical notes" in text
    assert any("CJK" in w for w in report.warnings)  # 老大哥: no CJK font on the test machine


def test_bad_notes_option(sample, tmp_path) -> None:
    import annotator.pdf  # noqa: F401

    with pytest.raises(tei.TeiError):
        exporters.export(sample, "pdf", tmp_path / "x.pdf", notes="sidenotes")


def test_uncovered_script_reported(tmp_path) -> None:
    from annotator.pdf import SANS, SERIF, _family, uncovered_scripts

    found = uncovered_scripts(["Latin and Ελληνικά", "देवनागरी"], [_family(SERIF), _family(SANS)])
    assert "Greek" not in found  # DejaVu covers Greek
    from PySide6.QtGui import QFontDatabase

    if not any("Devanagari" in f or "Noto Sans Deva" in f for f in QFontDatabase.families()):
        assert "Devanagari" in found


def test_long_document_paginates(tmp_path) -> None:
    import annotator.pdf  # noqa: F401

    paras = "".join(f"<p>Paragraph {i} " + "word " * 120 + "</p>" for i in range(40))
    src = tmp_path / "long.xml"
    src.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt>'
                   f"<title>Long</title></titleStmt></fileDesc></teiHeader><text><body>{paras}"
                   "</body></text></TEI>", encoding="utf-8")  # fmt: skip
    doc = tei.load(str(src))
    for i in range(1, 40, 3):
        ann = doc.add_annotation(doc.target_for(i, 0, i, 30), "gl-comment")
        ann.note = [f"Footnote for paragraph {i}. " * 8]
    out = tmp_path / "long.pdf"
    exporters.export(doc, "pdf", out)
    text = pdf_text(out)
    pages = text.split("\f")
    assert len(pages) > 5
    # every footnote lands on the page of its reference
    for i in range(1, 40, 3):
        page = next(p for p in pages if f"Paragraph {i} word" in p)
        assert f"Footnote for paragraph {i}." in page or f"Paragraph {i + 1} word" not in page
