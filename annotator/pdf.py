"""The PDF print edition: the HTML edition's print version, printed by headless Chromium.

Chromium shapes every script with HarfBuzz and writes a text layer that holds the words (Qt's
PDF writer, used before, lost the words of Syriac, Arabic, Devanagari and pointed Hebrew, mapped
some Chinese characters to radicals and kept ligatures: see docs/pdf.md). Right-to-left text is
laid out from the right (``dir`` from the language), the notes are endnotes with the source's
page numbers, and the pages are numbered. No Qt is needed: the command line prints PDFs too.
Importing this module registers ``pdf``.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import time
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tei.exporters
from tei.errors import TeiError
from tei.exporters import ExportReport
from tei.exporters.html import render_html

log = logging.getLogger(__name__)

#: ``progress(fraction, message)``: fraction in [0, 1], or None while Chromium prints.
Progress = Callable[[float | None, str], None]
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
#: Seconds Chromium may take: a base plus so much per MB of HTML (measured: ~45 s for 1.4 MB).
TIMEOUT_BASE, TIMEOUT_PER_MB = 120.0, 240.0


def find_browser() -> str | None:
    """Return the Chromium executable (``$GLOSSATOR_CHROMIUM`` or on the PATH), or None."""
    env = os.environ.get("GLOSSATOR_CHROMIUM")
    if env:
        return shutil.which(env) or (env if os.access(env, os.X_OK) else None)
    return next((p for p in map(shutil.which, BROWSERS) if p), None)


def _script(c: str) -> str:
    """Return a readable script name for a character ('Greek', 'Devanagari', 'CJK …')."""
    script = unicodedata.name(c, "UNKNOWN").split()[0].capitalize()
    return "CJK (Chinese, Japanese, Korean)" if script in ("Cjk", "Kangxi") else script


def uncovered_scripts(texts: list[str]) -> dict[str, list[str]]:
    """Return script name -> characters no installed font can draw (asks fontconfig).

    Empty when ``fc-list`` is not available (then nothing is known to be missing).
    """
    chars = {c for t in texts for c in t if ord(c) >= 0x80 and not c.isspace()
             and unicodedata.category(c)[0] not in "CZ"}  # fmt: skip
    fc = shutil.which("fc-list")
    if fc is None or not chars:
        return {}
    starts, ends = _coverage(fc)
    out: dict[str, list[str]] = {}
    for c in sorted(chars):
        k = bisect_right(starts, ord(c)) - 1
        if k < 0 or ord(c) > ends[k]:
            out.setdefault(_script(c), []).append(c)
    return out


def _coverage(fc: str) -> tuple[list[int], list[int]]:
    """Return the code point ranges (sorted starts, ends) of all installed fonts together."""
    res = subprocess.run([fc, "--format=%{charset}\n"], capture_output=True, timeout=60)
    ranges = []
    for tok in res.stdout.decode("ascii", "replace").split():
        lo, _, hi = tok.partition("-")
        try:
            ranges.append((int(lo, 16), int(hi or lo, 16)))
        except ValueError:
            continue
    starts: list[int] = []
    ends: list[int] = []
    for lo, hi in sorted(ranges):
        if starts and lo <= ends[-1] + 1:
            ends[-1] = max(ends[-1], hi)
        else:
            starts.append(lo)
            ends.append(hi)
    return starts, ends


def _command(browser: str, profile: str, page: Path, out: Path) -> list[str]:
    """Return the Chromium command line: headless, isolated (own profile, no network)."""
    cmd = [browser, "--headless", "--disable-gpu", "--no-first-run", "--disable-sync",
           "--disable-background-networking", "--disable-component-update",
           "--disable-default-apps", "--disable-extensions", "--hide-scrollbars",
           "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}",
           "--no-pdf-header-footer", f"--print-to-pdf={out}", page.as_uri()]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
    return cmd


def export_pdf(doc: Any, dest: str, *, notes: str | bool = "endnotes", page_size: str = "A4",
               progress: Progress | None = None, **_: Any) -> ExportReport:  # fmt: skip
    """Write the PDF print edition of ``doc`` to ``dest`` (``progress`` hears how far it is)."""
    if notes not in (True, False, "", "footnotes", "endnotes"):
        raise TeiError(f"notes must be 'endnotes' or '' (none), not {notes!r}")
    if page_size.lower() not in ("a4", "letter"):
        raise TeiError(f"page_size must be 'A4' or 'Letter', not {page_size!r}")
    browser = find_browser()
    if browser is None:
        raise TeiError("the PDF export needs Chromium, which is not installed "
                       "(Debian/Ubuntu: apt-get install chromium; or set GLOSSATOR_CHROMIUM "
                       "to a Chrome or Chromium executable)")  # fmt: skip
    report = progress or (lambda _f, _m: None)
    report(0.0, "laying out the edition")
    warnings = []
    if notes == "footnotes":
        warnings.append("the PDF gives the notes as endnotes (footnotes are not supported)")
    annotations = doc.annotations()
    scripts = uncovered_scripts([b.reading for b in doc.text.blocks]
                                + [p for a in annotations for p in a.note])  # fmt: skip
    rows: tuple[tuple[str, str], ...] = ()
    for script, chars in sorted(scripts.items()):
        warnings.append(f"no available font covers {script} ({len(chars)} distinct characters, "
                        f"e.g. {''.join(chars[:5])}); they are missing from the PDF")  # fmt: skip
    if scripts:
        drawn = "; ".join(f"{s} ({len(c)} characters, e.g. {''.join(c[:5])})"
                          for s, c in sorted(scripts.items()))  # fmt: skip
        rows = (("Not drawn", f"no installed font covers {drawn}; these characters are missing "
                              "from this PDF (install a font for them and export again)."),)  # fmt: skip
    name = os.path.basename(doc.path) if getattr(doc, "path", None) else ""
    html, html_warnings = render_html(doc, source_name=name, notes=bool(notes), paper=page_size,
                                      about_rows=rows)  # fmt: skip
    warnings += [w.replace("listed in the appendix", "listed at the end") for w in html_warnings]
    data = html.encode("utf-8")
    report(0.3, f"printing {len(data) / 1e6:.1f} MB of HTML with Chromium")
    final = Path(dest)
    part = final.with_name(f".{final.name}.part-{os.getpid()}")
    with tempfile.TemporaryDirectory(prefix="glossator-pdf-") as tmp:
        page = Path(tmp) / "edition.html"
        page.write_bytes(data)
        out = Path(tmp) / "edition.pdf"
        _print(_command(browser, str(Path(tmp) / "profile"), page, out),
               TIMEOUT_BASE + TIMEOUT_PER_MB * len(data) / 1e6, report)  # fmt: skip
        if not out.is_file() or _head(out) != b"%PDF-":
            raise TeiError("Chromium did not write the PDF (run with --debug to see its messages)")
        report(0.95, "writing the PDF")
        try:
            shutil.copyfile(out, part)
            os.replace(part, final)
        finally:
            if part.exists():  # a failed export leaves no partial file behind
                part.unlink()
    report(1.0, "done")
    return ExportReport(dest, "pdf", warnings, len(annotations))


def _head(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(5)


def _print(cmd: list[str], timeout: float, report: Progress) -> None:
    """Run Chromium, telling ``report`` every second how long it has been printing."""
    log.debug("running %s", " ".join(cmd))
    start = time.monotonic()
    with tempfile.TemporaryFile() as errors, subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors) as proc:  # fmt: skip
        while True:
            try:
                proc.wait(timeout=1.0)
                break
            except subprocess.TimeoutExpired:
                took = time.monotonic() - start
                if took > timeout:
                    proc.kill()
                    proc.wait()
                    raise TeiError(f"Chromium did not finish printing in {took:.0f} s") from None
                report(None, f"printing with Chromium ({took:.0f} s)")
        errors.seek(0)
        for line in errors.read().decode("utf-8", "replace").splitlines():
            log.debug("chromium: %s", line)  # its D-Bus and GPU chatter stays off the terminal
    if proc.returncode:
        raise TeiError(f"Chromium failed to print the PDF (exit status {proc.returncode})")


tei.exporters.register("pdf", export_pdf, "PDF print edition (printed by Chromium)")
