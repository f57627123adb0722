"""The PDF print edition (Qt, offscreen): pages, footnotes or endnotes, script coverage."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata

import pytest

import tei
from tei import exporters
from tests.conftest import corpus_files
from tests.tei.export_helpers import annotate_some, build_sample, check_golden, fix_time


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
    for needle in ("Party jargon presented as fact", "Borisov counts 7,000 <b>specialists",
                   "</div><script>alert('x')</script>", "Bob <b>Critic</b>",
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
    assert "About this edition" in text and "Glossator" in text and "Ada Historian" in text
    from PySide6.QtGui import QFontDatabase

    if not any(QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(f)
               for f in QFontDatabase.families()):  # fmt: skip
        # 老大哥 and no CJK font: said in the report and in the PDF itself
        assert any("CJK" in w for w in report.warnings)
        assert "Not drawn: no installed font covers CJK" in text


def test_page_references(sample, tmp_path) -> None:
    """Endnotes and the index of contested figures give the PDF page of each passage."""
    import annotator.pdf  # noqa: F401

    out = tmp_path / "e.pdf"
    exporters.export(sample, "pdf", out, notes="endnotes", page_size="Letter")
    pages = [" ".join(p.split()) for p in pdf_text(out).split("\f")]
    where = next(i for i, p in enumerate(pages, 1) if "300 million dollars" in p)
    notes = next(p for p in pages if "Critical notes" in p)
    found = re.search(r"Stated: 300 million dollars.*?\[page (\d+)\]", notes)
    assert found and int(found.group(1)) == where
    index = next(p for p in pages if "Index of contested figures" in p)
    assert f"[page {where}]" in index.split("Index of contested figures")[1]


def test_failed_export_leaves_no_file(sample, tmp_path, monkeypatch) -> None:
    import annotator.pdf as pdf

    def boom(*_a, **_k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pdf, "paginate", boom)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(RuntimeError):
        exporters.export(sample, "pdf", out / "x.pdf")
    assert list(out.iterdir()) == []


def test_bad_notes_option(sample, tmp_path) -> None:
    import annotator.pdf  # noqa: F401

    with pytest.raises(tei.TeiError):
        exporters.export(sample, "pdf", tmp_path / "x.pdf", notes="sidenotes")


def test_uncovered_script_reported(tmp_path) -> None:
    from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics

    from annotator.pdf import SANS, SERIF, _ensure_app, _family, uncovered_scripts

    _ensure_app()
    found = uncovered_scripts(["Latin and Ελληνικά", "देवनागरी", "中文"], [_family(SERIF), _family(SANS)])
    assert "Greek" not in found  # DejaVu covers Greek
    # what is reported is exactly what no installed font has
    for script, sample in (("Devanagari", "द"), ("CJK (Chinese, Japanese, Korean)", "中")):
        drawable = any(QFontMetrics(QFont(f)).inFontUcs4(ord(sample)) for f in QFontDatabase.families())
        assert (script in found) == (not drawable), script


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


@pytest.mark.parametrize(("fmt", "visible", "options"), [
    ("html", "export_html_notes", {}),
    ("pdf", "export_pdf_notes", {"notes": "footnotes", "page_size": "A4"}),
    ("csv", "export_csv_bom", {"bom": True, "delimiter": ","}),
    ("tei-inline", "", {}),
    ("webanno", "export_base_uri", {}),
])  # fmt: skip
def test_export_dialog_options_per_format(qtbot, tmp_path, fmt, visible, options) -> None:
    from PySide6.QtWidgets import QWidget

    from annotator.export_dialog import EXTENSIONS, ExportDialog, available_formats

    dialog = ExportDialog(str(tmp_path / "doc.xml"), available_formats(), fmt)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.fmt() == fmt and dialog.dest_edit.text() == str(tmp_path / "doc") + EXTENSIONS[fmt]
    shown = {w.objectName() for w in dialog.findChildren(QWidget)
             if w.objectName().startswith("export_") and w.isVisible()}  # fmt: skip
    options_widgets = {"export_html_notes", "export_pdf_notes", "export_page_size", "export_csv_bom",
                       "export_csv_delimiter", "export_base_uri"}  # fmt: skip
    assert shown & options_widgets == ({visible} if visible else set()) | (
        {"export_page_size"} if fmt == "pdf" else {"export_csv_delimiter"} if fmt == "csv" else set())
    assert dialog.options() == options


def test_export_dialog_pdf_endnotes_and_csv_without_bom(qtbot, tmp_path) -> None:
    from annotator.export_dialog import ExportDialog, available_formats

    dialog = ExportDialog(str(tmp_path / "doc.xml"), available_formats(), "pdf")
    qtbot.addWidget(dialog)
    dialog.pdf_notes.setCurrentIndex(dialog.pdf_notes.findData("endnotes"))
    dialog.page_size.setCurrentIndex(dialog.page_size.findData("Letter"))
    assert dialog.options() == {"notes": "endnotes", "page_size": "Letter"}
    assert dialog.dest_edit.text() == str(tmp_path / "doc.pdf")
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("csv"))
    dialog.bom_check.setChecked(False)
    dialog.delimiter.setCurrentIndex(dialog.delimiter.findData(";"))
    assert dialog.options() == {"bom": False, "delimiter": ";"}
    assert dialog.dest_edit.text() == str(tmp_path / "doc.csv")
    dialog.dest_edit.setText(str(tmp_path / "out" / "mine.csv"))
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("html"))
    assert dialog.dest_edit.text() == str(tmp_path / "out" / "mine.html")  # only the extension
    dialog.dest_edit.setText("  ")
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()


@pytest.mark.slow
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_pdf(path, tmp_path) -> None:
    """Every corpus file prints with its annotations; what no font covers is reported."""
    import annotator.pdf  # noqa: F401

    doc = tei.load(str(path))
    annotate_some(doc)
    out = tmp_path / "c.pdf"
    report = exporters.export(doc, "pdf", out)
    assert report.count == len(doc.annotations()) >= 1 and page_count(out) >= 1
    text = pdf_text(out)
    assert "About this edition" in text
    for ann in doc.annotations():
        assert ann.note[0] in " ".join(text.split()).replace("\u00ad", ""), ann.note[0]
    missing = [w for w in report.warnings if w.startswith("no available font covers")]
    assert bool(missing) == ("Not drawn:" in text)


def test_golden_print_content(sample) -> None:
    """The rich text the PDF is laid out from (text, endnotes, back matter) as a golden file.

    The page layout itself depends on the installed fonts, so the golden file holds what is
    printed, not where; the about section (which names the fonts) is left out.
    """
    from annotator.pdf import _Html
    from tei.exporters._edition import Edition

    builder = _Html(Edition(sample), "endnotes")
    text = (builder.body() + builder.back(None)).replace("</p>", "</p>\n").replace("</tr>", "</tr>\n")
    check_golden("sample.pdf.html", text)


def test_quotation_marks_once_per_quotation() -> None:
    from annotator.pdf import _Html
    from tei.exporters._edition import Edition
    from tests.tei.export_helpers import QUOTED

    doc = tei.TeiDocument.from_bytes(QUOTED.encode())
    doc.add_annotation("#string-range(p,12,3)", "gl-comment")
    html = _Html(Edition(doc), "endnotes").block(0)
    assert html.count("“") == 1 and html.count("”") == 1
    assert html.index("“") < html.index("one") and html.index("three") < html.index("”")


def test_window_exports_pdf_off_the_gui_thread(window, tmp_path, qtbot) -> None:
    """File ▸ Export runs the PDF export in a worker thread: the file is complete and readable."""
    from annotator import errors
    from annotator.export_dialog import export_function

    dest = tmp_path / "edition.pdf"
    window.run_export(export_function(), "pdf", str(dest), {"notes": "endnotes"}, False)
    qtbot.waitUntil(lambda: dest.exists() or bool(errors.history), timeout=60000)
    assert not errors.history, errors.history
    assert dest.read_bytes().startswith(b"%PDF")
    text = pdf_text(dest)
    assert "About this edition" in text and "Great October Socialist Revolution" in text
