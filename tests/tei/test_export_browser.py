"""The HTML edition in a real browser: headless Chromium, no network, a fresh profile.

An in-page test script (added to a copy of the export) clicks toggles and references, measures
overflow, note placement and contrast, and writes its findings into the DOM, which Chromium
dumps (``--dump-dom``). Screenshots are taken too; set ``GLOSSATOR_SCREENSHOTS=DIR`` to keep them.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest

from tei.exporters.html import render_html
from tests.tei.export_helpers import build_sample, fix_time, nth_id

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed "
                       "(Debian: apt-get install chromium)"),  # fmt: skip
]

PROBE = r"""
<script>
window.addEventListener("load", function () { setTimeout(function () {
  var R = {}, q = function (s) { return document.querySelector(s); };
  function lum(c) {
    var m = c.match(/[\d.]+/g).map(Number), a = m.length > 3 ? m[3] : 1;
    return [m[0], m[1], m[2], a];
  }
  function blend(fg, bg) { return [0, 1, 2].map(function (i) { return fg[i] * fg[3] + bg[i] * (1 - fg[3]); }); }
  function rel(rgb) {
    var v = rgb.map(function (x) { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  }
  function ratio(a, b) { var x = rel(a), y = rel(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); }
  var paper = lum(getComputedStyle(document.body).backgroundColor);
  R.ready = document.body.getAttribute("data-ready") === "1";
  R.width = window.innerWidth;
  R.overflow = document.documentElement.scrollWidth - window.innerWidth;
  R.textContrast = ratio(lum(getComputedStyle(q("main p")).color), paper);
  R.minPassageContrast = 99;
  document.querySelectorAll(".a").forEach(function (s) {
    var bg = blend(lum(getComputedStyle(s).backgroundColor), paper);
    R.minPassageContrast = Math.min(R.minPassageContrast, ratio(lum(getComputedStyle(s).color), bg));
  });
  R.linkContrast = ratio(lum(getComputedStyle(q("sup.fr a")).color), paper);
  /* the smallest, greyest texts: note metadata, page numbers in the margin, legend counts */
  R.mutedContrast = Math.min.apply(null, [".enote .meta", ".pbn", ".legend .count", ".nh .npg"].map(
    function (s) { return ratio(lum(getComputedStyle(q(s)).color), paper); }));
  var notes = Array.prototype.filter.call(document.querySelectorAll(".mn"), function (n) { return n.offsetParent !== null; });
  R.marginNotes = notes.length;
  R.overlaps = 0; R.misplaced = 0;
  var prev = null;
  notes.forEach(function (n) {
    var r = n.getBoundingClientRect();
    if (prev && r.top < prev.bottom - 1) R.overlaps++;
    var span = n.parentNode.parentNode.querySelector('.a[data-n="' + n.getAttribute("data-n") + '"]');
    if (span && r.top < span.getBoundingClientRect().top - 6) R.misplaced++;
    if (r.right > window.innerWidth + 1) R.overflow = Math.max(R.overflow, r.right - window.innerWidth);
    prev = r;
  });
  R.refsFocusable = Array.prototype.every.call(document.querySelectorAll("a.aref"), function (a) { return a.tabIndex >= 0 && a.href; });
  /* toggles */
  var cb = q("input.toggle"), k = cb.getAttribute("data-k"), span = q(".a." + k);
  R.before = getComputedStyle(span).borderBottomColor;
  cb.click();
  R.hiddenBorder = getComputedStyle(span).borderBottomColor;
  R.hiddenBg = getComputedStyle(span).backgroundColor;
  R.hiddenRef = getComputedStyle(q("a.aref." + k)).display;
  cb.click();
  R.shownAgain = getComputedStyle(span).borderBottomColor === R.before && getComputedStyle(q("a.aref." + k)).display !== "none";
  /* a reference: margin note flash (wide) or popover (narrow) */
  var ref = q("a.aref");
  ref.click();
  var pop = document.getElementById("pop");
  R.popOpen = !pop.hidden;
  R.popText = pop.textContent;
  R.flashed = !!document.querySelector(".mn.flash");
  R.popInView = pop.hidden || pop.getBoundingClientRect().bottom <= window.innerHeight + 1;
  document.dispatchEvent(new KeyboardEvent("keydown", {key: "Escape"}));
  R.popClosed = pop.hidden;
  R.focusBack = document.activeElement === ref || !R.popOpen;
  var pre = document.createElement("pre"); pre.id = "test-results";
  pre.textContent = JSON.stringify(R); document.body.appendChild(pre);
}, 300); });
</script>
"""


FRAME = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" style="width:400px;height:900px;border:0" srcdoc="%s"></iframe>
<script>
var t = setInterval(function () {
  var d = document.getElementById("f").contentDocument, r = d && d.getElementById("test-results");
  if (!r) return;
  clearInterval(t);
  var pre = document.createElement("pre"); pre.id = "test-results"; pre.textContent = r.textContent;
  document.body.appendChild(pre);
}, 100);
</script></body></html>"""


def chromium(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run headless Chromium, isolated from the network, with a fresh profile."""
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--no-first-run", "--disable-default-apps", "--hide-scrollbars",
           f"--user-data-dir={profile}", "--virtual-time-budget=5000", *args, url]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, timeout=120, check=True)


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    fix_time(mp)
    try:
        doc = build_sample()
        # unbreakable strings must wrap on a 400 px phone, not widen the page
        long_token = "https://example.org/" + "x" * 150
        doc.annotations()[4].note = [*doc.annotations()[4].note, long_token]
        doc.annotations()[13].note = [long_token]
        fig = doc.annotation(nth_id(doc, 2))
        f = fig.figure
        f.alternatives[0].value = "$250 million </td><script>alert(5)</script>"
        f.alternatives[1].source = doc.add_source(author="Lüthi, Lorenz",
                                                  title="Split </li><script>alert(2)</script>.")
        fig.figure = f
        text, _ = render_html(doc, source_name="sample.xml")
    finally:
        mp.undo()
    folder = tmp_path_factory.mktemp("browser")
    page = folder / "edition.html"
    page.write_text(text, encoding="utf-8")
    probe = folder / "probe.html"
    probed = text.replace("</body>", PROBE + "</body>")
    probe.write_text(probed, encoding="utf-8")
    # headless Chromium's window is at least 500 px wide: a phone is emulated by a 400 px frame
    # (a srcdoc frame has the page's origin, so the host can read the results out of it)
    phone = folder / "phone.html"
    phone.write_text(FRAME % html.escape(probed, quote=True), encoding="utf-8")
    return folder, page, probe, phone


def probe(tmp_path: Path, page: Path, size: str) -> dict:
    out = chromium(tmp_path, page.as_uri(), f"--window-size={size}", "--dump-dom")
    dom = lxml.html.document_fromstring(out.stdout.decode("utf-8"))
    found = dom.xpath("//pre[@id='test-results']/text()")
    assert found, "the in-page test script did not run"
    return json.loads(found[0])


def keep(path: Path) -> None:
    target = os.environ.get("GLOSSATOR_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)


def test_wide_screen(edition, tmp_path) -> None:
    page = edition[2]
    r = probe(tmp_path, page, "1400,1000")
    assert r["ready"] and r["width"] == 1400
    assert r["overflow"] <= 0, "the page is wider than the window"
    assert r["marginNotes"] == 13 and r["overlaps"] == 0 and r["misplaced"] == 0
    assert r["textContrast"] >= 7 and r["linkContrast"] >= 4.5 and r["minPassageContrast"] >= 4.5
    assert r["mutedContrast"] >= 4.5  # WCAG AA for small text
    assert r["refsFocusable"]
    assert r["hiddenBorder"] in ("rgba(0, 0, 0, 0)", "transparent")
    assert r["hiddenBg"] == "rgba(0, 0, 0, 0)" and r["hiddenRef"] == "none" and r["shownAgain"]
    assert r["flashed"] and not r["popOpen"]


def test_narrow_screen(edition, tmp_path) -> None:
    page = edition[3]
    r = probe(tmp_path, page, "600,1000")
    assert r["width"] <= 400 and r["overflow"] <= 0
    assert r["marginNotes"] == 0  # no margin: notes come as a popover and as endnotes
    assert r["popOpen"] and "Comment" in r["popText"] and "Crosses <emph>." in r["popText"]
    assert r["popInView"] and r["popClosed"] and r["focusBack"]


def test_screenshots(edition, tmp_path) -> None:
    page = edition[1]
    for name, size in (("edition-wide.png", "1400,1800"), ("edition-narrow.png", "400,1800")):
        shot = tmp_path / name
        chromium(tmp_path, page.as_uri(), f"--window-size={size}", f"--screenshot={shot}")
        assert shot.stat().st_size > 10_000
        keep(shot)
    pdf = tmp_path / "edition-print.pdf"
    chromium(tmp_path, page.as_uri(), "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    assert pdf.read_bytes().startswith(b"%PDF")
    keep(pdf)
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                             check=True, timeout=60).stdout.decode("utf-8")  # fmt: skip
        pages = out.split("\f")
        # paper: a title page, no margin notes or toggles, the notes as endnotes, page folios
        assert "Soviet Aid to" in pages[0] and "Great October" not in pages[0]
        assert "Show annotations" in out and "Critical notes" in out
        assert "Party jargon presented as fact." in out and "Index of contested figures" in out
        assert "Values given by other sources" in out and "Bibliography" in out
        assert re.search(r"^\s+2\s*$", pages[1], re.M), "no page number at the foot of page 2"


RTL_PROBE = r"""
<script>
window.addEventListener("load", function () { setTimeout(function () {
  var R = {};
  function edges(el) {
    /* x of the text's first and last characters, and the block's own edges */
    var t = document.createTreeWalker(el, NodeFilter.SHOW_TEXT), first = null, last = null, n;
    while ((n = t.nextNode())) { if (n.data.trim()) { if (!first) first = n; last = n; } }
    var r = document.createRange(), box = el.getBoundingClientRect();
    r.setStart(first, 0); r.setEnd(first, 1);
    var a = r.getBoundingClientRect();
    r.setStart(last, last.data.length - 1); r.setEnd(last, last.data.length);
    var z = r.getBoundingClientRect();
    return {left: box.left, right: box.right, firstLeft: a.left, firstRight: a.right,
            lastLeft: z.left, top: a.top, lastTop: z.top, dir: getComputedStyle(el).direction};
  }
  R.syriac = edges(document.querySelector('main [lang="syc"].text'));
  R.arabic = edges(document.querySelector('main [lang="ar"].text'));
  R.english = edges(document.querySelector("main p.text:not([lang])"));
  var pre = document.createElement("pre"); pre.id = "test-results";
  pre.textContent = JSON.stringify(R); document.body.appendChild(pre);
}, 300); });
</script>
"""


def test_right_to_left_paragraphs(tmp_path) -> None:
    """A Syriac paragraph starts at the right edge of its column; an English one at the left."""
    import tei
    from tests.conftest import DATA

    text, _ = render_html(tei.load(str(DATA / "tei" / "syriac.xml")))
    page = tmp_path / "syriac.html"
    page.write_text(text.replace("</body>", RTL_PROBE + "</body>"), encoding="utf-8")
    found = probe(tmp_path, page, "1200,1400")
    syc, eng = found["syriac"], found["english"]
    assert syc["dir"] == "rtl" and eng["dir"] == "ltr"
    # the first letter is at the right edge (less the paragraph indent), the text runs leftwards
    middle = (syc["left"] + syc["right"]) / 2
    assert syc["firstLeft"] > middle and syc["right"] - syc["firstRight"] < 40, syc
    assert syc["lastTop"] > syc["top"] or syc["lastLeft"] < syc["firstLeft"], syc
    # a short (last) line is flush right too, not left as in Latin script
    ar = found["arabic"]
    assert ar["dir"] == "rtl" and ar["right"] - ar["firstRight"] < 40 and ar["lastLeft"] - ar["left"] > 40, ar
    assert eng["firstLeft"] - eng["left"] < 40 and eng["firstRight"] < middle, eng
    shot = tmp_path / "syriac.png"
    plain = tmp_path / "plain.html"
    plain.write_text(text, encoding="utf-8")
    chromium(tmp_path, plain.as_uri(), "--window-size=1200,1400", f"--screenshot={shot}")
    assert shot.stat().st_size > 10_000
    keep(shot)
