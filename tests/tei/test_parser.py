"""Hostile, broken and unusual input: every failure is a TeiError with a clear message."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import tei
from tei import parser
from tei.errors import (
    EncodingError,
    HostileXmlError,
    MalformedXmlError,
    NotTeiError,
    NotXmlError,
    TeiError,
    TooLargeError,
)

HEAD = '<teiHeader><fileDesc><titleStmt><title>t</title></titleStmt></fileDesc></teiHeader>'
TEI_OK = f'<TEI xmlns="http://www.tei-c.org/ns/1.0">{HEAD}<text><body><p>x</p></body></text></TEI>'


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        (b"", NotXmlError, "empty"),
        (b"   \n\t", NotXmlError, "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", NotXmlError, "binary"),
        (b"Just some prose.", NotXmlError, "not XML"),
        (TEI_OK.encode()[:-20], MalformedXmlError, "truncated"),
        (b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><p></q></TEI>', MalformedXmlError, "malformed"),
        (b"<html><body/></html>", NotTeiError, "<html>"),
        (b"<TEI><text/></TEI>", NotTeiError, "namespace"),
        (b'<?xml version="1.0" encoding="klingon"?><TEI/>', EncodingError, "klingon"),
        (
            b'<?xml version="1.0" encoding="utf-8"?><TEI xmlns="http://www.tei-c.org/ns/1.0">\xff</TEI>',
            EncodingError,
            "decode",
        ),
    ],
)
def test_bad_input_raises_clear_tei_error(data: bytes, error: type, words: str) -> None:
    with pytest.raises(error) as info:
        parser.parse_bytes(data, "in.xml")
    assert words in str(info.value)
    assert str(info.value).startswith("in.xml")


def test_malformed_error_has_line_and_column() -> None:
    data = b'<TEI xmlns="http://www.tei-c.org/ns/1.0">\n<text>\n<p>a</q>\n</text></TEI>'
    with pytest.raises(MalformedXmlError) as info:
        parser.parse_bytes(data, "m.xml")
    assert info.value.line == 3
    assert info.value.column is not None


def test_entity_bomb_is_refused_quickly() -> None:
    decls = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    data = f'<!DOCTYPE TEI [{decls}]><TEI xmlns="http://www.tei-c.org/ns/1.0"><p>{"&i;" * 20}</p></TEI>'
    start = time.monotonic()
    with pytest.raises(HostileXmlError):
        parser.parse_bytes(data.encode())
    assert time.monotonic() - start < 10  # generous: the point is "no hang", not speed


def test_external_entities_and_dtds_are_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY leak "LEAKED-FROM-DTD">')
    data = (
        f'<!DOCTYPE TEI SYSTEM "{dtd.as_uri()}" [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
        f'<TEI xmlns="http://www.tei-c.org/ns/1.0">{HEAD}<text><body><p>a &x; b</p></body></text></TEI>'
    )
    path = tmp_path / "doc.xml"
    path.write_text(data)
    try:
        doc = tei.load(str(path))
    except TeiError:
        return  # refusing is fine too
    text = "".join(b.reading for b in doc.text.blocks)
    assert "TOP-SECRET" not in text and "LEAKED" not in text


def test_size_limit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(parser, "MAX_BYTES", 100)
    path = tmp_path / "big.xml"
    path.write_text(TEI_OK)
    with pytest.raises(TooLargeError):
        tei.load(str(path))


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(TeiError, match="no such file"):
        tei.load(str(tmp_path / "nope.xml"))
    with pytest.raises(TeiError, match="folder"):
        tei.load(str(tmp_path))


def test_utf16_and_no_declaration_load() -> None:
    doc = tei.TeiDocument.from_bytes(TEI_OK.encode("utf-16"))
    assert doc.text.blocks[0].reading == "x"
    assert doc.to_bytes() == TEI_OK.encode("utf-16")


def _serve_once() -> tuple[object, list[str]]:
    """Start a local HTTP server that records every request (there should be none)."""
    import http.server
    import socketserver
    import threading

    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY leak "LEAKED-FROM-NETWORK">')

        def log_message(self, *args: object) -> None:
            pass

    server = socketserver.TCPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, hits


def test_documents_naming_a_network_dtd_open_without_fetching_it() -> None:
    server, hits = _serve_once()
    port = server.server_address[1]  # type: ignore[attr-defined]
    try:
        for doctype in (
            f'<!DOCTYPE TEI SYSTEM "http://127.0.0.1:{port}/tei_all.dtd">',
            f'<!DOCTYPE TEI PUBLIC "-//TEI//DTD TEI P5//EN" "http://127.0.0.1:{port}/p5.dtd">',
            f'<!DOCTYPE TEI SYSTEM "http://127.0.0.1:{port}/x.dtd" [<!ENTITY ed "editor">]>',
        ):
            body = "<p>the &ed;</p>" if "ENTITY ed" in doctype else "<p>the editor</p>"
            data = f'{doctype}<TEI xmlns="http://www.tei-c.org/ns/1.0">{HEAD}<text><body>{body}'
            doc = tei.TeiDocument.from_bytes((data + "</body></text></TEI>").encode())
            assert doc.text.blocks[0].reading == "the editor"
            assert doc.to_bytes() == (data + "</body></text></TEI>").encode()
        for entity in ("h", "p"):
            decl = (f'<!ENTITY h SYSTEM "http://127.0.0.1:{port}/e">' if entity == "h"
                    else f'<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/pe"> %p;')  # fmt: skip
            ref = "&h;" if entity == "h" else ""
            data = f'<!DOCTYPE TEI [{decl}]><TEI xmlns="http://www.tei-c.org/ns/1.0"><p>{ref}</p></TEI>'
            with pytest.raises(HostileXmlError, match=f"entity &{entity};.*outside the document.*never reads"):
                parser.parse_bytes(data.encode())
    finally:
        server.shutdown()
    assert hits == []


def test_local_dtds_and_external_entities_are_never_opened(tmp_path: Path) -> None:
    """A FIFO blocks whoever opens it for reading: the parse must finish without touching it."""
    import os
    import subprocess
    import sys

    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    fifo_dtd, fifo_ent = tmp_path / "tei.dtd", tmp_path / "secret.txt"
    os.mkfifo(fifo_dtd)
    os.mkfifo(fifo_ent)
    doc = tmp_path / "doc.xml"
    doc.write_text(
        f'<!DOCTYPE TEI SYSTEM "{fifo_dtd.as_uri()}" [<!ENTITY x SYSTEM "{fifo_ent.as_uri()}">]>'
        f'<TEI xmlns="http://www.tei-c.org/ns/1.0">{HEAD}<text><body><p>a</p></body></text></TEI>'
    )
    relative = tmp_path / "rel.xml"
    relative.write_text(f'<!DOCTYPE TEI SYSTEM "tei.dtd">{TEI_OK}')
    code = (
        "import sys, tei\n"
        "for p in sys.argv[1:]:\n"
        "    print(tei.load(p).text.blocks[0].reading)\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code, str(doc), str(relative)], cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True,
                         text=True, timeout=60)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["a", "x"]


def test_unsafe_depth_is_refused_with_a_clear_message() -> None:
    deep = "<hi>" * 300 + "x" + "</hi>" * 300
    data = f'<TEI xmlns="http://www.tei-c.org/ns/1.0">{HEAD}<text><body><p>{deep}</p></body></text></TEI>'
    with pytest.raises(TooLargeError, match="nested more than 256 levels") as info:
        parser.parse_bytes(data.encode(), "deep.xml")
    assert info.value.line == 1 and info.value.column
    ok = "<hi>" * 200 + "x" + "</hi>" * 200
    doc = tei.TeiDocument.from_bytes(TEI_OK.replace("<p>x</p>", f"<p>{ok}</p>").encode())
    assert doc.text.blocks[0].reading == "x"
