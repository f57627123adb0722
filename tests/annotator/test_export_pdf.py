"""The PDF print edition (the HTML edition printed by headless Chromium): its text layer holds
the words of every script, right-to-left text is laid out from the right, marks read in grey."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unicodedata

import pytest

import tei
from tei import exporters
from tests.conftest import CORPUS, DATA, ROOT
from tests.tei.export_helpers import build_sample, fix_time

pytestmark = pytest.mark.skipif(
    not any(shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome")),
    reason="headless Chromium is not installed (Debian: apt-get install chromium)")  # fmt: skip


@pytest.fixture
def sample(monkeypatch):
    fix_time(monkeypatch)
    return build_sample()


def pdf_text(path, *, layout: bool = True) -> str:
    """Return the text layer of a PDF as pdftotext reads it (skip if it is not installed)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed")
    args = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, capture_output=True, check=True, timeout=60).stdout.decode("utf-8")


def page_count(path) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes()))


def bare(text: str) -> str:
    """Letters only: no combining marks (pdftotext reorders them), no spaces or joiners."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)
                   and unicodedata.category(c)[0] in "LN")  # fmt: skip


def missing_words(paragraphs: list[str], text: str) -> list[str]:
    """Return the words of ``paragraphs`` that the PDF text layer ``text`` does not hold."""
    layer = bare(text)
    words = {w for p in paragraphs for w in p.split() if len(bare(w)) >= 2}
    return sorted(w for w in words if bare(w) not in layer)


def test_registered_on_import() -> None:
    import annotator.pdf  # noqa: F401

    assert "pdf" in exporters.FORMATS


@pytest.fixture
def printed(monkeypatch):
    """Record each page Chromium prints (a piece of the edition): whether it is tagged."""
    import annotator.pdf as pdf

    runs: list[bool] = []
    real = pdf._Chromium.print

    def recording(self, page, out, *, tagged, **kwargs):
        runs.append(tagged)
        return real(self, page, out, tagged=tagged, **kwargs)

    monkeypatch.setattr(pdf._Chromium, "print", recording)
    return runs


@pytest.mark.parametrize("piece_chars", [None, 4_000])
def test_pdf_edition(sample, tmp_path, monkeypatch, printed, piece_chars) -> None:
    """The same edition whole and printed in pieces: notes, figures, bibliography, about."""
    import annotator.pdf as pdf

    if piece_chars:
        monkeypatch.setattr(pdf, "PIECE_CHARS", piece_chars)
    out = tmp_path / "e.pdf"
    report = exporters.export(sample, "pdf", out, notes="endnotes")
    assert out.read_bytes().startswith(b"%PDF") and page_count(out) >= 2
    assert report.count == 14 and not list(tmp_path.glob(".e.pdf.part*"))
    text = " ".join(pdf_text(out).split())
    assert "Soviet Aid to China" in text
    for needle in ("Party jargon presented as fact", "Borisov counts 7,000 <b>specialists",
                   "</div><script>alert('x')</script>", "Bob <b>Critic</b>",
                   "Index of contested figures", "Bibliography", "This one points nowhere",
                   "Lüthi, Lorenz. The Sino-Soviet Split", "Critical notes",
                   "About this edition", "Glossator", "Ada Historian"):  # fmt: skip
        assert needle in text, needle
    first_page = " ".join(pdf_text(out).split("\f")[0].split())
    assert "Party jargon presented as fact" not in first_page  # endnotes, not on page 1
    assert (len(printed) > 2) == bool(piece_chars)
    assert printed == [not piece_chars] * len(printed)  # joined pieces cannot keep tags: none


def test_right_to_left_scripts_in_text_layer(tmp_path) -> None:
    """Syriac and Arabic: every word is in the text layer (Qt's PDF had 0 of them)."""
    import annotator.pdf  # noqa: F401

    doc = tei.load(str(DATA / "tei" / "syriac.xml"))
    out = tmp_path / "syriac.pdf"
    exporters.export(doc, "pdf", out)
    paragraphs = [b.reading for b in doc.text.blocks if b.element.get(tei.ns.XML_LANG)]
    assert len(paragraphs) == 3
    assert missing_words(paragraphs, pdf_text(out, layout=False)) == []
    # laid out from the right: a paragraph's first word is the rightmost of its line, at the
    # right edge of the text (the short Arabic line too: it is not flush left)
    boxes = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]+)</word>',
                       subprocess.run(["pdftotext", "-bbox", str(out), "-"], capture_output=True,
                                      check=True, timeout=60).stdout.decode("utf-8"))  # fmt: skip
    edge = max(float(b[2]) for b in boxes)
    for paragraph in paragraphs:
        first = paragraph.split()[0]
        _, y0, x1, _ = next(b for b in boxes if bare(b[3]) in (bare(first), bare(first)[::-1]))
        line = [float(b[2]) for b in boxes if b[1] == y0]
        assert float(x1) == max(line) and edge - float(x1) < 30, (first, x1, edge)


def corpus_sample() -> tuple[tei.TeiDocument, list[str]]:
    """A document made of the first paragraphs of every corpus file (each in its language),
    and the Arabic of the one Arabic file (it is in its header); return it and the paragraphs."""
    from lxml import etree

    tei_ns = "{http://www.tei-c.org/ns/1.0}"
    body = etree.Element(tei_ns + "body")
    paragraphs: list[str] = []
    for path in sorted(CORPUS.glob("*.xml")) + sorted(CORPUS.glob("*.tei")):
        doc = tei.load(str(path))
        texts = [" ".join(b.reading.split()[:40]) for b in doc.text.blocks if len(b.reading) > 30][:6]
        root_lang = doc.root.get(tei.ns.XML_LANG) or ""
        if not texts:  # a manuscript record: its Arabic is in the header
            texts = [" ".join(e.text.split()) for e in doc.root.iter(tei_ns + "title", tei_ns + "author")
                     if e.get(tei.ns.XML_LANG) == "ar" and e.text and e.text.strip()][:12]
            root_lang = "ar"
        for t in texts:
            p = etree.SubElement(body, tei_ns + "p")
            p.text = t
            if root_lang:
                p.set(tei.ns.XML_LANG, root_lang)
        paragraphs += texts
    src = (f'<TEI xmlns="{tei_ns[1:-1]}"><teiHeader><fileDesc><titleStmt><title>Corpus</title>'
           "</titleStmt></fileDesc></teiHeader><text>" + etree.tostring(body, encoding="unicode")
           + "</text></TEI>")  # fmt: skip
    return tei.TeiDocument.from_bytes(src.encode("utf-8")), paragraphs


@pytest.mark.slow
def test_corpus_scripts_in_text_layer(tmp_path) -> None:
    """The words of every script of the corpus (Latin, Greek, Cyrillic, Chinese, Devanagari,
    Arabic…) are in the PDF's text layer."""
    import annotator.pdf  # noqa: F401

    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is not available")
    doc, paragraphs = corpus_sample()
    out = tmp_path / "corpus.pdf"
    report = exporters.export(doc, "pdf", out)
    text = pdf_text(out, layout=False)
    scripts = {unicodedata.name(c, "?").split()[0] for p in paragraphs for c in p if c.isalpha()}
    assert {"LATIN", "GREEK", "CYRILLIC", "CJK", "DEVANAGARI", "ARABIC"} <= scripts
    missing = [w for w in missing_words(paragraphs, text)
               if not any(s in w for s in report.warnings)]  # fmt: skip
    words = {w for p in paragraphs for w in p.split()}
    assert len(missing) <= len(words) // 200, missing[:20]  # pdftotext splits a few words


def test_ligatures_are_plain_letters(sample, tmp_path) -> None:
    """A search for "figure" finds every note: no ﬁ, ﬂ, ﬃ in the text layer."""
    import annotator.pdf  # noqa: F401

    out = tmp_path / "s.pdf"
    exporters.export(sample, "pdf", out)
    text = pdf_text(out, layout=False)
    assert not re.search("[\ufb00-\ufb06]", text)
    assert text.count("Contested figure") == 3  # the legend and the two notes
    # every word the fonts could join into a ligature is there in plain letters
    words = {w.strip(".,;:()‘’“”") for b in sample.text.blocks for w in b.reading.split()}
    words |= {w.strip(".,;:()") for a in sample.annotations() for p in a.note for w in p.split()}
    joined = {w for w in words if re.search("f[filt]", w)} | {"figures", "standOff"}
    assert len(joined) >= 4 and missing_words(sorted(joined), text) == []


def test_marks_told_apart_in_greyscale(sample, tmp_path) -> None:
    """Annotation marks carry a dagger; the source's own note marks stay plain numbers."""
    import annotator.pdf  # noqa: F401

    out = tmp_path / "s.pdf"
    exporters.export(sample, "pdf", out)
    text = " ".join(pdf_text(out, layout=False).split())
    assert re.search(r"granted China ?† ?5", text) and re.search(r"brother ?† ?10", text)
    # the source's note 1 (Lenin) is referenced by a bare 1, not a dagger
    assert re.search(r"foreign policy ?† ?2 ?\. ?1\b", text), text[:2000]


def test_progress_and_quiet_terminal(tmp_path) -> None:
    """In a fresh interpreter without Qt: progress is reported and nothing reaches stderr."""
    out = tmp_path / "p.pdf"
    code = ("import sys; sys.modules['PySide6'] = None\n"
            "import tei, annotator.pdf\nfrom tei.exporters import export\n"
            "seen = []\n"
            f"export(tei.load({str(DATA / 'tei' / 'syriac.xml')!r}), 'pdf', {str(out)!r}, "
            "progress=lambda f, m: seen.append((f, m)))\n"
            "print(seen)\n")  # fmt: skip
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=300, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    assert res.returncode == 0, res.stderr.decode()
    assert res.stderr == b""  # no Chromium D-Bus chatter, no Qt log lines
    seen = eval(res.stdout.decode())  # noqa: S307 - our own repr of a list of tuples
    fractions = [f for f, _ in seen if f is not None]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0 and fractions == sorted(fractions)
    assert all(isinstance(m, str) and m for _, m in seen)
    assert out.read_bytes().startswith(b"%PDF")


def test_failed_export_leaves_no_file(sample, tmp_path, monkeypatch) -> None:
    import annotator.pdf as pdf

    def boom(*_a, **_k):
        raise tei.TeiError("Chromium failed to print the PDF (exit status 1)")

    monkeypatch.setattr(pdf._Chromium, "print", boom)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(tei.TeiError):
        exporters.export(sample, "pdf", out / "x.pdf")
    assert list(out.iterdir()) == []


def test_no_browser_is_a_clear_error(sample, tmp_path, monkeypatch) -> None:
    import annotator.pdf  # noqa: F401

    monkeypatch.setenv("GLOSSATOR_CHROMIUM", str(tmp_path / "no-such-browser"))
    with pytest.raises(tei.TeiError, match="needs Chromium"):
        exporters.export(sample, "pdf", tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_bad_options(sample, tmp_path) -> None:
    import annotator.pdf  # noqa: F401

    with pytest.raises(tei.TeiError):
        exporters.export(sample, "pdf", tmp_path / "x.pdf", notes="sidenotes")
    with pytest.raises(tei.TeiError):
        exporters.export(sample, "pdf", tmp_path / "x.pdf", page_size="A5")


def test_uncovered_script_reported(monkeypatch) -> None:
    """What no installed font covers (by fontconfig's charsets) is reported per script."""
    import annotator.pdf as pdf

    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig's fc-list is not installed")
    monkeypatch.setattr(pdf, "_coverage", lambda _fc: ([0x20, 0x370], [0x24F, 0x3FF]))
    found = pdf.uncovered_scripts(["Latin and Ελληνικά", "देवनागरी", "中文"])
    assert "Greek" not in found and "Latin" not in found
    assert found["Devanagari"] and found["CJK (Chinese, Japanese, Korean)"] == ["中", "文"]
    monkeypatch.undo()
    assert pdf.uncovered_scripts(["Latin and Ελληνικά"]) == {}  # DejaVu/Noto are installed


def long_document(tmp_path, paragraphs: int = 40) -> tei.TeiDocument:
    """Chapters of long numbered paragraphs, about every third one annotated."""
    paras = [f"<p>Paragraph {i} " + "word " * 120 + "</p>" for i in range(paragraphs)]
    chapters = "".join(f"<div><head>Chapter {k}</head>{''.join(paras[k:k + 7])}</div>"
                       for k in range(0, paragraphs, 7))  # fmt: skip
    src = tmp_path / "long.xml"
    src.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt>'
                   f"<title>Long</title></titleStmt></fileDesc></teiHeader><text><body>{chapters}"
                   "</body></text></TEI>", encoding="utf-8")  # fmt: skip
    doc = tei.load(str(src))
    for i in range(1, len(doc.text.blocks), 3):
        if len(doc.text.blocks[i].reading) < 40:  # a chapter's heading
            continue
        ann = doc.add_annotation(doc.target_for(i, 20, i, 30), "gl-comment")
        ann.note = [f"Note for block {i}."]
    return doc


def page_numbers(pages: list[str]) -> list[str]:
    """Return the last line of each page (where the page number is printed)."""
    return [([ln.strip() for ln in p.splitlines() if ln.strip()] or [""])[-1] for p in pages]


@pytest.mark.parametrize("piece_chars", [None, 6_000])
def test_long_document_paginates(tmp_path, monkeypatch, printed, piece_chars) -> None:
    """Whole or in pieces: every page after the title page numbered, 2, 3, 4… without a gap,
    every paragraph and note there once, in order."""
    import annotator.pdf as pdf

    if piece_chars:
        monkeypatch.setattr(pdf, "PIECE_CHARS", piece_chars)
    doc = long_document(tmp_path)
    out = tmp_path / "long.pdf"
    exporters.export(doc, "pdf", out, page_size="Letter")
    pages = pdf_text(out).split("\f")[:-1]  # pdftotext ends every page with a form feed
    assert len(pages) > 5 and len(pages) == page_count(out)
    assert (len(printed) >= 4) == bool(piece_chars)
    assert page_numbers(pages)[1:] == [str(n) for n in range(2, len(pages) + 1)]
    assert not re.fullmatch(r"\d+", page_numbers(pages)[0])  # the title page has none
    text = " ".join(" ".join(pages).split())
    for what, count in (("Paragraph", 40), ("Note for block", len(doc.annotations()))):
        found = [int(n) for n in re.findall(what + r" (\d+)\b", text)]
        assert found == sorted(found) and len(found) == count, (what, found)


def test_command_line_printer_numbers_pieces_too(tmp_path, monkeypatch) -> None:
    """Where the DevTools pipe cannot be handed over, a Chromium per piece prints from its
    command line: the pages are numbered on all the same."""
    import annotator.pdf as pdf

    monkeypatch.setattr(pdf, "_Chromium", pdf._OneShot)
    monkeypatch.setattr(pdf, "PIECE_CHARS", 8_000)
    runs: list[list[str]] = []
    real = pdf._print
    monkeypatch.setattr(pdf, "_print", lambda cmd, *a, **k: (runs.append(cmd), real(cmd, *a, **k)))
    out = tmp_path / "long.pdf"
    exporters.export(long_document(tmp_path, 20), "pdf", out)
    pages = pdf_text(out).split("\f")[:-1]
    assert len(runs) >= 2 and all("--disable-pdf-tagging" in cmd for cmd in runs)
    assert page_numbers(pages)[1:] == [str(n) for n in range(2, len(pages) + 1)]


def links(path) -> tuple[list[str], set[str], list[str]]:
    """Return a PDF's internal links' destination names, its named destinations, and the URIs
    its other links go to."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    named = set(reader.named_destinations)
    dests, uris = [], []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            if annot.get("/Dest") is not None:
                dests.append(str(annot["/Dest"]))
            else:
                uris.append(str(annot["/A"].get_object().get("/URI")))
    return dests, named, uris


def test_links_work_across_the_pieces_of_a_long_edition(sample, tmp_path, monkeypatch) -> None:
    """Note calls on the first pages lead to endnotes printed in another piece, and back: the
    joined PDF links what the edition printed whole links, and nothing points outside it."""
    import annotator.pdf as pdf

    whole, cut = tmp_path / "whole.pdf", tmp_path / "cut.pdf"
    exporters.export(sample, "pdf", whole, notes="endnotes")
    monkeypatch.setattr(pdf, "PIECE_CHARS", 4_000)
    printed: list[int] = []
    real = pdf._join
    monkeypatch.setattr(pdf, "_join", lambda pieces, out: (printed.append(len(pieces)), real(pieces, out)))
    exporters.export(sample, "pdf", cut, notes="endnotes")
    assert printed and printed[0] > 2
    (one, _, one_uris), (joined, named, uris) = links(whole), links(cut)
    assert one and set(joined) == set(one)  # every target the whole edition links to
    assert all(d in named for d in joined)  # and every link leads somewhere in the document
    assert not any("glossator.invalid" in u for u in uris) and set(uris) == set(one_uris)
    assert "/n-1" in joined  # the first note's call, in the first piece, to its endnote in the last


@pytest.mark.parametrize(("fmt", "visible", "options"), [
    ("html", "export_html_notes", {"style": "chicago-notes-bibliography"}),
    ("pdf", "export_pdf_notes", {"notes": "endnotes", "page_size": "A4", "style": "chicago-notes-bibliography"}),
    ("csv", "export_csv_bom", {"bom": True, "delimiter": ",", "style": "chicago-notes-bibliography"}),
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
    assert dialog.options() == {"notes": "endnotes", "page_size": "Letter", "style": "chicago-notes-bibliography"}
    assert dialog.dest_edit.text() == str(tmp_path / "doc.pdf")
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("csv"))
    dialog.bom_check.setChecked(False)
    dialog.delimiter.setCurrentIndex(dialog.delimiter.findData(";"))
    assert dialog.options() == {"bom": False, "delimiter": ";", "style": "chicago-notes-bibliography"}
    assert dialog.dest_edit.text() == str(tmp_path / "doc.csv")
    dialog.dest_edit.setText(str(tmp_path / "out" / "mine.csv"))
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("html"))
    assert dialog.dest_edit.text() == str(tmp_path / "out" / "mine.html")  # only the extension
    dialog.dest_edit.setText("  ")
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()


def test_window_exports_pdf_off_the_gui_thread(window, tmp_path, qtbot) -> None:
    """File ▸ Export runs the PDF export in a worker thread: the file is complete and readable."""
    from annotator import errors
    from annotator.export_dialog import export_function, run_export

    dest = tmp_path / "edition.pdf"
    run_export(window, export_function(), "pdf", str(dest), {"notes": "endnotes"}, False)
    qtbot.waitUntil(lambda: dest.exists() or bool(errors.history), timeout=60000)
    assert not errors.history, errors.history
    assert dest.read_bytes().startswith(b"%PDF")
    text = pdf_text(dest)
    assert "About this edition" in text and "Great October Socialist Revolution" in text


def saturated_pixels(pdf_path, page: int, top: float, height: float) -> int:
    """Count the strongly coloured pixels in a band of a page (pdftoppm at 72 dpi: 1 px a pt)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian poppler-utils) is not installed")
    ppm = subprocess.run(["pdftoppm", "-r", "72", "-f", str(page), "-l", str(page), "-y", str(int(top)),
                          "-H", str(int(height)), "-W", "1000", str(pdf_path)],
                         capture_output=True, check=True, timeout=60).stdout  # fmt: skip
    _magic, _w, _h, _max, pixels = ppm.split(maxsplit=4)
    return sum(max(pixels[i : i + 3]) - min(pixels[i : i + 3]) > 100 for i in range(0, len(pixels), 3))


def test_colours_are_printed(sample, tmp_path) -> None:
    """The legend's colour swatches are printed (backgrounds are part of the print)."""
    import annotator.pdf  # noqa: F401

    out = tmp_path / "s.pdf"
    exporters.export(sample, "pdf", out)
    bbox = subprocess.run(["pdftotext", "-bbox", str(out), "-"], capture_output=True, check=True,
                          timeout=60).stdout.decode("utf-8")  # fmt: skip
    pages = bbox.split("<page ")[1:]
    page = next(i for i, p in enumerate(pages, 1) if ">LEGEND<" in p)
    top = float(re.search(r'yMin="([\d.]+)"[^>]*>LEGEND<', pages[page - 1]).group(1))
    # the band of the legend's entries: no passage (with its coloured underline) is in it
    assert saturated_pixels(out, page, top + 20, 80) > 20


def word_heights(pdf_path, word: str) -> list[float]:
    """Return the heights of ``word`` in a PDF's text layer (its type size)."""
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf_path), "-"], capture_output=True,
                          check=True, timeout=60).stdout.decode("utf-8")  # fmt: skip
    found = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">' + word + "<", bbox)
    return [float(y1) - float(y0) for y0, y1 in found]


def test_wide_table_does_not_shrink_the_print(tmp_path) -> None:
    """A table wider than the page (Dingler has them) fits the text's width: Chromium does not
    shrink the whole print, so the text keeps its type size."""
    import statistics

    import annotator.pdf  # noqa: F401

    def export(table: str):
        src = tmp_path / "t.xml"
        src.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt>'
                       "<title>T</title></titleStmt></fileDesc></teiHeader><text><body>"
                       + "<p>Plain words of the text. </p>" * 30 + table + "</body></text></TEI>",
                       encoding="utf-8")  # fmt: skip
        out = tmp_path / "t.pdf"
        exporters.export(tei.load(str(src)), "pdf", out)
        return statistics.median(word_heights(out, "Plain"))

    cells = "".join(f"<cell>Zugspannungsmittelwerthberechnung{i}</cell>" for i in range(12))
    wide = export(f"<table><row>{cells}</row><row>{cells}</row></table>")
    assert wide == pytest.approx(export(""), rel=0.02)


def test_browser_that_dies_is_a_clear_error(sample, tmp_path, monkeypatch) -> None:
    """A "Chromium" that exits at once: a clear error, no partial file, nothing hangs."""
    import annotator.pdf  # noqa: F401

    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("GLOSSATOR_CHROMIUM", str(fake))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(tei.TeiError, match="Chromium stopped"):
        exporters.export(sample, "pdf", out / "x.pdf")
    assert list(out.iterdir()) == []
