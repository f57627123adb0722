"""The PDF print edition: the HTML edition's print version, printed by headless Chromium.

Chromium shapes every script with HarfBuzz and writes a text layer that holds the words (Qt's
PDF writer, used before, lost the words of Syriac, Arabic, Devanagari and pointed Hebrew, mapped
some Chinese characters to radicals and kept ligatures: see docs/pdf.md). Right-to-left text is
laid out from the right (``dir`` from the language), the notes are endnotes with the source's
page numbers, and the pages are numbered. No Qt is needed: the command line prints PDFs too.
A long edition is printed in pieces by one Chromium and joined with pypdf, the links between
pieces made whole again (time and memory stay proportional to a piece, not to the book: see
docs/pdf.md, "Big files").
Importing this module registers ``pdf``.
"""

from __future__ import annotations

import base64
import ctypes
import gc
import json
import logging
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import tei.exporters
from tei.errors import TeiError
from tei.exporters import ExportReport
from tei.exporters._html_chunks import OTHER_PIECE, Pieces, split_edition
from tei.exporters.html import build_html

log = logging.getLogger(__name__)

#: ``progress(fraction, message)``: fraction in [0, 1], or None while Chromium prints.
Progress = Callable[[float | None, str], None]
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
#: Seconds Chromium may take for one piece: a base plus so much per MB of HTML (measured on
#: 2 cores loaded by other jobs: ~45 s for 1.4 MB).
TIMEOUT_BASE, TIMEOUT_PER_MB = 120.0, 240.0
#: Characters of HTML Chromium prints at a time. Its memory grows with what it prints (about
#: 0.37 GB idle, 0.3 GB more per MB; 4.5 GB for a 13.7 MB corpus in one piece), so a long
#: edition is printed in pieces of this size (cut between sections, or between paragraphs of a
#: long one) and joined (:func:`_join`), its pages numbered on from the last piece's.
#: Smaller pieces cost no more time (one Chromium prints them all) but leave more part-filled
#: pages where a piece ends; at 300,000 the 13.7 MB corpus has 37 pieces in 2,709 pages.
PIECE_CHARS = 300_000
#: Added to every piece's stylesheet. Chromium lays a page out for the screen when it loads it,
#: then again for paper when it prints: hidden on screen, the first layout costs nothing (a
#: quarter less CPU, the same PDF). A table wider than the page (Dingler's) made Chromium shrink
#: the whole print to fit it: its cells may break long words, so it fits the text's width.
PRINT_CSS = ("@media screen{body{display:none}}"
             "table.ttable td,table.ttable th{overflow-wrap:anywhere}")  # fmt: skip


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
    chars = {c for c in set().union(*map(set, texts)) if ord(c) >= 0x80 and not c.isspace()
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


def _flags(browser: str, profile: str) -> list[str]:
    """Return Chromium's command line: headless, isolated (own profile, no network)."""
    cmd = [browser, "--headless", "--disable-gpu", "--no-first-run", "--disable-sync",
           "--disable-background-networking", "--disable-component-update",
           "--disable-default-apps", "--disable-extensions", "--hide-scrollbars",
           "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}"]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
    return cmd


#: Run argv[3:] with the file descriptors argv[1] and argv[2] as 3 and 4 (moved out of the
#: way first: either may be 3 or 4 already). A shell cannot: dash takes one-digit fds only.
_TRAMPOLINE = (
    "import fcntl, os, sys\n"
    "fds = [fcntl.fcntl(int(fd), fcntl.F_DUPFD, 10) for fd in sys.argv[1:3]]\n"
    "os.dup2(fds[0], 3)\nos.dup2(fds[1], 4)\nos.execv(sys.argv[3], sys.argv[3:])\n"
)


class _Chromium:
    """One headless Chromium printing page after page, driven over a pipe with the DevTools
    protocol (a start per page cost a second of CPU each). Each page gets a new tab, closed
    once printed, so the memory stays that of one page. POSIX only (the pipe is handed over
    as file descriptors 3 and 4); :class:`_OneShot` elsewhere."""

    def __init__(self, browser: str, profile: str, report: Progress) -> None:
        self.report = report
        self._errors = tempfile.TemporaryFile()
        to_chrome, self._write = os.pipe()
        self._read, from_chrome = os.pipe()
        cmd = [*_flags(browser, profile), "--remote-debugging-pipe", "about:blank"]
        log.debug("running %s", " ".join(cmd))
        try:  # Chromium reads commands on fd 3 and answers on fd 4: a trampoline puts them there
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _TRAMPOLINE, str(to_chrome), str(from_chrome), *cmd],
                pass_fds=(to_chrome, from_chrome), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=self._errors)  # fmt: skip
        finally:
            os.close(to_chrome)
            os.close(from_chrome)
        self._poll = select.poll()  # not select(): a GUI process may hold fds past FD_SETSIZE
        self._poll.register(self._read, select.POLLIN)
        self._buffer = b""
        self._id = 0
        self._events: set[str] = set()
        self._start, self._label = time.monotonic(), ""

    def __enter__(self) -> _Chromium:
        return self

    def __exit__(self, *_: object) -> None:
        try:
            if self.proc.poll() is None:
                self._call("Browser.close", time.monotonic() + 10)
            self.proc.wait(10)
        except (TeiError, OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        finally:
            os.close(self._read)
            os.close(self._write)
            self._errors.seek(0)
            for line in self._errors.read().decode("utf-8", "replace").splitlines():
                log.debug("chromium: %s", line)  # its D-Bus and GPU chatter stays off the terminal
            self._errors.close()

    def print(self, page: Path, out: Path, *, tagged: bool, timeout: float, label: str = "") -> None:
        """Print the HTML file ``page`` to ``out`` (PDF structure tags if ``tagged``)."""
        self._start, self._label = time.monotonic(), label
        deadline = self._start + timeout
        target = self._call("Target.createTarget", deadline, url="about:blank")["targetId"]
        session = self._call("Target.attachToTarget", deadline, targetId=target,
                             flatten=True)["sessionId"]  # fmt: skip
        self._call("Page.enable", deadline, session)
        self._events.clear()  # the events heard from here on (the page's load)
        loaded = self._call("Page.navigate", deadline, session, url=page.as_uri())
        if loaded.get("errorText"):
            raise TeiError(f"Chromium could not open the edition: {loaded['errorText']}")
        while "Page.loadEventFired" not in self._events:
            self._events.add(self._message(deadline).get("method", ""))
        stream = self._call("Page.printToPDF", deadline, session, preferCSSPageSize=True,
                            printBackground=True, generateTaggedPDF=tagged,
                            transferMode="ReturnAsStream")["stream"]  # fmt: skip
        with open(out, "wb") as fh:  # a MB at a time: the PDF is never whole in memory
            while True:
                chunk = self._call("IO.read", deadline, session, handle=stream, size=1 << 20)
                data = chunk.get("data", "")
                fh.write(base64.b64decode(data) if chunk.get("base64Encoded") else data.encode())
                if chunk.get("eof"):
                    break
        self._call("IO.close", deadline, session, handle=stream)
        self._call("Target.closeTarget", deadline, targetId=target)

    def _call(self, method: str, deadline: float, session: str = "", **params: Any) -> dict:
        """Send a command and return its result (events that come first are skipped)."""
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        try:
            os.write(self._write, json.dumps(message).encode("utf-8") + b"\0")
        except OSError:
            raise TeiError(f"Chromium stopped (exit status {self.proc.poll()})") from None
        while True:
            answer = self._message(deadline)
            self._events.add(answer.get("method", ""))
            if answer.get("id") == self._id:
                if "error" in answer:
                    raise TeiError(f"Chromium failed to print the PDF ({method}: "
                                   f"{answer['error'].get('message', answer['error'])})")  # fmt: skip
                return answer.get("result", {})

    def _message(self, deadline: float) -> dict:
        """Return Chromium's next message, telling ``report`` every second how long it takes."""
        while b"\0" not in self._buffer:
            now = time.monotonic()
            if now > deadline:
                self.proc.kill()
                raise TeiError(f"Chromium did not finish printing in {now - self._start:.0f} s")
            if not self._poll.poll(min(1000, int((deadline - now) * 1000) + 1)):
                self.report(None, f"printing with Chromium{self._label} ({now - self._start + 1:.0f} s)")
                continue
            data = os.read(self._read, 1 << 20)
            if not data:
                raise TeiError(f"Chromium stopped (exit status {self.proc.wait()})")
            self._buffer += data
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)


class _OneShot:
    """A Chromium per page, printing from its command line (where the pipe cannot be handed over)."""

    def __init__(self, browser: str, profile: str, report: Progress) -> None:
        self.browser, self.profile, self.report = browser, profile, report

    def __enter__(self) -> _OneShot:
        return self

    def __exit__(self, *_: object) -> None:
        pass

    def print(self, page: Path, out: Path, *, tagged: bool, timeout: float, label: str = "") -> None:
        """Print the HTML file ``page`` to ``out`` (PDF structure tags if ``tagged``)."""
        cmd = [*_flags(self.browser, self.profile), "--no-pdf-header-footer",
               *([] if tagged else ["--disable-pdf-tagging"]), f"--print-to-pdf={out}",
               page.as_uri()]  # fmt: skip
        _print(cmd, timeout, self.report, label)


def export_pdf(doc: Any, dest: str, *, notes: str | bool = "endnotes", page_size: str = "A4",
               style: str = "", progress: Progress | None = None, **_: Any) -> ExportReport:  # fmt: skip
    """Write the PDF print edition of ``doc`` to ``dest`` (``style``: the citation style;
    ``progress`` hears how far it is)."""
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
    html, html_warnings = build_html(doc, source_name=name, notes=bool(notes), paper=page_size,
                                     about_rows=rows, style=style)  # fmt: skip
    warnings += [w.replace("listed in the appendix", "listed at the end") for w in html_warnings]
    pieces = split_edition(html, PIECE_CHARS)
    del html  # the tree of a long edition is a hundred MB and more: not kept while Chromium prints
    _give_back_memory()
    final = Path(dest)
    part = final.with_name(f".{final.name}.part-{os.getpid()}")
    try:
        with tempfile.TemporaryDirectory(prefix="glossator-pdf-") as tmp:
            out = _print_pieces(browser, pieces, Path(tmp), report)
            report(0.95, "writing the PDF")
            if len(out) == 1:
                shutil.copyfile(out[0], part)
            else:
                _join(out, part)
            os.replace(part, final)
    finally:
        if part.exists():  # a failed export leaves no partial file behind
            part.unlink()
    report(1.0, "done")
    return ExportReport(dest, "pdf", warnings, len(annotations))


def _give_back_memory() -> None:
    """Hand the memory freed by the HTML tree back to the system (glibc keeps it otherwise,
    ~100 MB for a 13 MB corpus, on top of Chromium's while it prints)."""
    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _print_pieces(browser: str, pieces: Pieces, tmp: Path, report: Progress) -> list[Path]:
    """Print every piece with Chromium, one after the other; return the PDFs in order.

    A piece after the first numbers its pages on from the pages printed before it (its first
    page is numbered too: only the title page is not). Chromium tags the PDF of a single piece
    (structure for screen readers); joined pieces cannot keep them, so pieces are printed untagged.
    """
    outs: list[Path] = []
    pages = done = 0
    total = sum(map(len, pieces.bodies))
    printer = _Chromium if os.name == "posix" else _OneShot
    with printer(browser, str(tmp / "profile"), report) as chromium:
        for k in range(len(pieces)):
            css = PRINT_CSS + ("" if k == 0 else f"html{{counter-reset:page {pages}}}"
                               "@page:first{@bottom-center{content:counter(page)}}")  # fmt: skip
            data = pieces.document(k, css).encode("utf-8")
            label = f" (part {k + 1} of {len(pieces)})" if len(pieces) > 1 else ""
            report(0.3 + 0.65 * done / total,
                   f"printing {len(data) / 1e6:.1f} MB of HTML with Chromium{label}")  # fmt: skip
            page = tmp / f"edition-{k:04d}.html"
            page.write_bytes(data)
            out = tmp / f"edition-{k:04d}.pdf"
            chromium.print(page, out, tagged=len(pieces) == 1, label=label,
                           timeout=TIMEOUT_BASE + TIMEOUT_PER_MB * len(data) / 1e6)  # fmt: skip
            del data
            if not out.is_file() or _head(out) != b"%PDF-":
                raise TeiError("Chromium did not write the PDF (run with --debug to see its messages)")
            page.unlink()
            done += len(pieces.bodies[k])
            outs.append(out)
            if k + 1 < len(pieces):
                pages += _page_count(out)
    return outs


def _page_count(pdf: Path) -> int:
    """Return the number of pages of ``pdf``."""
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def _join(pdfs: list[Path], out: Path) -> None:
    """Join the printed pieces into ``out``, whose links work across pieces: the pieces' named
    destinations (an ``id`` of the HTML each) go into the document's one ``/Dests``, and a link
    to another piece (printed as a link to ``OTHER_PIECE`` + id) becomes a link to its
    destination; one whose target is nowhere is dropped rather than left pointing outside."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    writer = PdfWriter()
    dests = DictionaryObject()
    try:
        for pdf in pdfs:
            reader = PdfReader(pdf)
            first = len(writer.pages)
            page_of = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
            named = reader.trailer["/Root"].get("/Dests")
            writer.append(reader, import_outline=False)
            for name, dest in (named.get_object().items() if named is not None else ()):
                target = dest.get_object()
                target = target["/D"] if isinstance(target, DictionaryObject) else target
                k = page_of.get(getattr(target[0], "idnum", None))
                if k is not None:
                    where = writer.pages[first + k].indirect_reference
                    dests[NameObject(name)] = ArrayObject([where, *target[1:]])
        for page in writer.pages:
            links = page.get("/Annots")
            if links is None:
                continue
            links = links.get_object()
            for link in list(links):
                annot = link.get_object()
                action = annot.get("/A")
                uri = str(action.get_object().get("/URI", "")) if action is not None else ""
                if not uri.startswith(OTHER_PIECE):
                    continue
                name = "/" + unquote(uri[len(OTHER_PIECE):])
                if name in dests:
                    del annot["/A"]
                    annot[NameObject("/Dest")] = NameObject(name)
                else:
                    links.remove(link)
        root = writer.root_object
        names = root.get("/Names")
        if names is not None:
            names.get_object().pop("/Dests", None)  # the writer's copy, pointing as the pieces did
        root[NameObject("/Dests")] = dests
        writer.write(out)
    except (PyPdfError, OSError, KeyError, ValueError) as exc:
        raise TeiError(f"could not join the printed pieces into one PDF: {exc}") from None


def _head(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(5)


def _print(cmd: list[str], timeout: float, report: Progress, part: str = "") -> None:
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
                report(None, f"printing with Chromium{part} ({took:.0f} s)")
        errors.seek(0)
        for line in errors.read().decode("utf-8", "replace").splitlines():
            log.debug("chromium: %s", line)  # its D-Bus and GPU chatter stays off the terminal
    if proc.returncode:
        raise TeiError(f"Chromium failed to print the PDF (exit status {proc.returncode})")


tei.exporters.register("pdf", export_pdf, "PDF print edition (printed by Chromium)")
