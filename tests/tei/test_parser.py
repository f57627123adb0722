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
