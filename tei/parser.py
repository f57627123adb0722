"""The one hardened XML parser of the library, and the mapping of its failures to ``TeiError``s.

Safety: no network, no DTD loading, no external entities (``resolve_entities="internal"`` expands
only entities declared in the document itself), libxml2's entity-amplification limit stays on
(``huge_tree`` is off), so an entity-expansion bomb is refused in milliseconds. A resolver that
answers every external load (DTD, entity, whatever the URL) with an empty string makes sure
libxml2 never opens a file or a socket, whatever the other options make it want to load. Comments, PIs,
CDATA and whitespace are kept exactly, so the tree can be mapped back onto the original bytes.
"""

from __future__ import annotations

import codecs
import logging
import os
import re

from lxml import etree

from . import ns
from .errors import (
    EncodingError,
    HostileXmlError,
    MalformedXmlError,
    NotTeiError,
    NotXmlError,
    TeiError,
    TooLargeError,
)

log = logging.getLogger(__name__)

#: Files larger than this are refused before parsing (the tree takes ~5x the file in memory).
MAX_BYTES = 512 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECL = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


class _NothingExternal(etree.Resolver):
    """Answer every external load (DTD, entity) with nothing, so no file or URL is ever read."""

    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        """Return an empty document instead of whatever ``system_url`` names."""
        log.info("not reading external resource %s", system_url)
        return self.resolve_string("", context)


def make_parser(*, collect_ids: bool = False) -> etree.XMLParser:
    """Return a new hardened, lossless XMLParser (parsers are not thread-safe: one per parse).

    Use it on bytes (``etree.fromstring``): given a file name, it would refuse to read the file
    itself, as it refuses every external resource. With ``collect_ids`` libxml2 indexes the
    xml:ids as it parses, and refuses a document in which one is repeated (or is not a name).
    """
    parser = etree.XMLParser(
        resolve_entities="internal",
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        collect_ids=collect_ids,
        remove_blank_text=False,
        remove_comments=False,
        remove_pis=False,
        strip_cdata=False,
    )
    # collect_ids=False (needed for duplicate xml:ids) makes libxml2 open external DTDs
    parser.resolvers.add(_NothingExternal())
    return parser


def sniff_encoding(data: bytes) -> tuple[str, bytes]:
    """Return (encoding, BOM bytes) of an XML byte string, from its BOM or declaration."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, bom
    if data[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        return ("utf-16-le" if data[0] == 0x3C else "utf-16-be"), b""
    m = _DECL.match(data[:200])
    return (m.group(1).decode("ascii").lower() if m else "utf-8"), b""


def check_bytes(data: bytes, path: str | None = None) -> str:
    """Refuse empty, binary and undecodable input early; return the encoding to use."""
    if len(data) > MAX_BYTES:
        raise TooLargeError(
            f"file is {len(data) / 1e6:.0f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB", path=path
        )
    encoding, bom = sniff_encoding(data)
    if not data[len(bom) :].strip():
        raise NotXmlError("the file is empty", path=path)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise EncodingError(f"unknown encoding {encoding!r} in the XML declaration", path=path) from None
    if not encoding.startswith(("utf-16", "utf-32")) and b"\x00" in data[:4096]:
        raise NotXmlError("this is a binary file, not XML", path=path)
    start = data[len(bom) : len(bom) + 200].decode(encoding, errors="replace").lstrip()
    if not start.startswith("<"):
        if data[len(bom) :].startswith(b"<?xml"):
            raise EncodingError(
                f"the XML declaration says the file is in {encoding!r}, but it is not",
                path=path, line=1,
            )  # fmt: skip
        raise NotXmlError("this is not XML: it does not start with '<'", path=path, line=1)
    return encoding


def parse_bytes(data: bytes, path: str | None = None) -> etree._ElementTree:
    """Parse XML bytes with the hardened parser and check that the root is TEI."""
    return parse_checking_ids(data, path)[0]


def parse_checking_ids(data: bytes, path: str | None = None) -> tuple[etree._ElementTree, bool]:
    """Parse like :func:`parse_bytes`; also return True if every xml:id is known to be unique.

    libxml2 checks that while it parses (a large text's ids then need no walk of their own); a
    document it refuses for its ids (a repeated one, one that is not a name) or for anything else
    is parsed again as before, without the check (False), so that its ids are counted, or its
    own error is reported.
    """
    check_bytes(data, path)
    unique = True
    try:
        try:
            root = etree.fromstring(data, make_parser(collect_ids=True), base_url=None)
        except etree.XMLSyntaxError:
            unique = False
            root = etree.fromstring(data, make_parser(), base_url=None)
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, path, data) from None
    except ValueError as exc:  # e.g. unicode strings with declarations, lxml's own checks
        raise MalformedXmlError(str(exc), path=path) from None
    tree = root.getroottree()
    check_tei_root(root, path)
    return tree, unique


def read_file(path: str | os.PathLike[str]) -> bytes:
    """Read a whole file, turning OS errors into ``TeiError``s with a plain message."""
    name = os.fspath(path)
    try:
        size = os.path.getsize(name)
        if size > MAX_BYTES:
            raise TooLargeError(
                f"file is {size / 1e6:.0f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB", path=name
            )
        with open(name, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise TeiError("no such file", path=name) from None
    except IsADirectoryError:
        raise TeiError("this is a folder, not a file", path=name) from None
    except PermissionError:
        raise TeiError("permission denied: the file cannot be read", path=name) from None
    except OSError as exc:
        raise TeiError(f"cannot read the file: {exc.strerror or exc}", path=name) from None


def check_tei_root(root: etree._Element, path: str | None = None) -> None:
    """Raise ``NotTeiError`` unless the root is ``TEI`` or ``teiCorpus`` in the TEI namespace."""
    tag = root.tag
    if ns.is_tei(tag, "TEI") or ns.is_tei(tag, "teiCorpus"):
        return
    local = ns.local_name(tag)
    if local in ("TEI", "teiCorpus"):
        uri = etree.QName(root).namespace
        hint = f"it is in namespace {uri!r}" if uri else "it has no namespace"
        raise NotTeiError(
            f"root element <{local}> is not in the TEI namespace ({hint}); "
            f"TEI P5 needs xmlns=\"{ns.TEI}\"",
            path=path,
            line=root.sourceline,
        )
    raise NotTeiError(
        f"this XML is not TEI: its root element is <{local}>, not <TEI> or <teiCorpus>",
        path=path,
        line=root.sourceline,
    )


def _syntax_error(exc: etree.XMLSyntaxError, path: str | None, data: bytes = b"") -> TeiError:
    """Translate libxml2's message into the right ``TeiError`` subclass with line/column."""
    msg = (exc.msg or str(exc)).split(", line ")[0].strip()
    line, col = exc.position if exc.position else (None, None)
    low = msg.lower()
    if "amplification" in low or "entity loop" in low or "detected an entity reference loop" in low:
        return HostileXmlError(
            "refused: the document defines an entity-expansion bomb", path=path, line=line
        )
    undeclared = re.match(r"entity '([^']+)' not defined", low)
    if undeclared:
        name = msg.split(chr(39))[1]
        if re.search(rb"<!ENTITY\s+(?:%\s+)?" + re.escape(name.encode()) + rb"\s+(?:SYSTEM|PUBLIC)\b", data):
            return HostileXmlError(
                f"refused: entity &{name}; would be read from outside the document "
                "(Glossator never reads external DTDs or external entities)",
                path=path, line=line, column=col,
            )  # fmt: skip
        return MalformedXmlError(
            f"entity &{msg.split(chr(39))[1]}; is not defined by the document itself "
            "(Glossator never reads external DTDs or external entities)",
            path=path, line=line, column=col,
        )  # fmt: skip
    if "excessive depth" in low:
        return TooLargeError(
            "elements are nested more than 256 levels deep, the limit for safe parsing",
            path=path, line=line, column=col,
        )  # fmt: skip
    if "document is empty" in low or "start tag expected" in low:
        return NotXmlError("this is not XML: no root element found", path=path, line=line, column=col)
    if "encoding" in low or "not proper utf-8" in low or "bytes:" in low:
        return EncodingError(f"cannot decode the file: {msg}", path=path, line=line, column=col)
    if "premature end" in low or "end of data" in low or "eof" in low:
        return MalformedXmlError(
            f"the file is truncated or incomplete: {msg}", path=path, line=line, column=col
        )
    return MalformedXmlError(f"malformed XML: {msg}", path=path, line=line, column=col)
