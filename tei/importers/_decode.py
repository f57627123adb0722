"""Byte decoding for the plain-text importer: BOMs, strict UTF-8, then cp1251 vs cp1252 by letters.

Detection order (when no encoding is given):

1. a byte-order mark: UTF-32 (LE/BE), UTF-8 (``utf-8-sig``), UTF-16 (LE/BE);
2. NUL bytes without a BOM: UTF-16 without a BOM when the length is even, the NULs are all at
   odd offsets (little-endian: ASCII characters, spaces and line breaks have a NUL high byte) or
   all at even offsets (big-endian), and the bytes decode to text without control characters
   (tab, line break and form feed aside); otherwise a binary file, which is refused;
3. strict UTF-8; bytes that are *mostly* UTF-8 (more valid multi-byte sequences than invalid
   bytes) are refused as damaged or mixed UTF-8 rather than read as a single-byte encoding, which
   would turn every non-ASCII character into two wrong ones (``Ð¡Ð¾``); ``encoding`` then
   chooses;
4. the legacy single-byte encodings common for historical sources: the text is decoded as
   cp1251 (Cyrillic) and as cp1252 (Western European) and each reading is scored by its letters.
   A word with non-ASCII letters is *plausible* in cp1251 when all its letters are Cyrillic, and
   in cp1252 when at most half of its letters are non-ASCII Latin letters (``Müller``, ``café``).
   Russian read as cp1252 gives words such as ``Ïðèâåò``, Western text read as cp1251 gives
   mixed words such as ``cafй``: both implausible. The reading with more non-ASCII letters in
   plausible words (minus those in implausible ones; the first 20,000 words with non-ASCII
   letters are scored) wins; a tie goes to cp1252. cp1252 becomes
   latin-1 when the text uses one of the five bytes cp1252 leaves undefined (0x81, 0x8D, 0x8F,
   0x90, 0x9D), or has no byte in 0x80-0x9F at all (both then decode identically).
"""

from __future__ import annotations

import codecs
import itertools
import re

from tei.errors import EncodingError, TextImportError

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)

_DISPLAY_NAMES = {"iso8859-1": "latin-1", "utf_8": "utf-8"}
# A word (letters only) with at least one non-ASCII letter; only the first few thousand are scored.
_NON_ASCII_WORD = re.compile(r"[^\W\d_]*[^\W\d_\x00-\x7f][^\W\d_]*")
_SCORED_WORDS = 20_000
_CP1252_UNDEFINED = re.compile(b"[\x81\x8d\x8f\x90\x9d]")
_C1_BYTE = re.compile(b"[\x80-\x9f]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


class TextDecodeError(TextImportError, EncodingError):
    """Undecodable bytes: both a ``TextImportError`` and an ``EncodingError``."""


def display_name(encoding: str) -> str:
    """Return the name an encoding is reported under (``latin-1`` rather than ``iso8859-1``)."""
    name = codecs.lookup(encoding).name
    return _DISPLAY_NAMES.get(name, name)


def decode_bytes(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data`` with ``encoding`` or a detected one; return ``(text, encoding name)``."""
    if encoding:
        return _decode_explicit(data, encoding)
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), name
            except UnicodeDecodeError as exc:
                raise TextDecodeError(
                    f"the file starts with a {name} byte-order mark but is not valid {name} "
                    f"(byte offset {exc.start})"
                ) from None
    if b"\x00" in data:
        found = _utf16_without_bom(data)
        if found is None:
            raise TextImportError(
                "this looks like a binary file (it contains NUL bytes and no UTF-16 byte-order "
                "mark); only plain-text files can be imported"
            )
        return found
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    text = data.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd")
    valid = len(text) - len(text.encode("ascii", "ignore")) - invalid
    if valid > invalid:
        bad = data[first_bad : first_bad + 1].hex()
        raise TextDecodeError(
            f"the file is mostly UTF-8 ({valid} non-ASCII characters) but has {invalid} invalid "
            f"byte(s), the first 0x{bad} at offset {first_bad}: it may be damaged or mix "
            "encodings; repair it, or choose an encoding explicitly to read it all in that one"
        )
    return _decode_single_byte(data)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """Return ``(text, name)`` when NUL-bearing bytes are UTF-16 without a BOM (rule 2), else None."""
    if len(data) % 2:
        return None
    odd = data[1::2].count(0)
    even = data[0::2].count(0)
    if odd and not even:
        codec = "utf-16-le"
    elif even and not odd:
        codec = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    if _CONTROL.search(text):
        return None
    return text, codec


def _decode_explicit(data: bytes, encoding: str) -> tuple[str, str]:
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise TextImportError(f"unknown encoding {encoding!r}") from None
    name = display_name(info.name)
    if b"\x00" in data and not name.startswith(("utf-16", "utf-32", "utf_16", "utf_32")):
        raise TextImportError(
            f"this looks like a binary file (it contains NUL bytes, impossible in {name} text); "
            "only plain-text files can be imported"
        )
    try:
        text = data.decode(info.name)
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        raise TextDecodeError(
            f"the file cannot be decoded as {name}: invalid byte 0x{bad} at offset {exc.start}"
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, name


def _decode_single_byte(data: bytes) -> tuple[str, str]:
    if not _CP1252_UNDEFINED.search(data):
        western, western_name = data.decode("cp1252"), "cp1252"
        if not _C1_BYTE.search(data):
            # Without bytes 0x80-0x9F cp1252 and latin-1 decode identically: use the stricter name.
            western_name = "latin-1"
    else:
        western, western_name = data.decode("latin-1"), "latin-1"
    try:
        cyrillic = data.decode("cp1251")
    except UnicodeDecodeError:
        return western, western_name
    if _score(cyrillic, cyrillic=True) > _score(western, cyrillic=False):
        return cyrillic, "cp1251"
    return western, western_name


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def _score(text: str, *, cyrillic: bool) -> int:
    score = 0
    for match in itertools.islice(_NON_ASCII_WORD.finditer(text), _SCORED_WORDS):
        word = match.group()
        high = sum(1 for ch in word if not ch.isascii())
        if cyrillic:
            plausible = all(_is_cyrillic(ch) for ch in word)
        else:
            plausible = all(ch <= "\u024f" for ch in word) and high <= max(1, len(word) // 2)
        score += high if plausible else -high
    return score
