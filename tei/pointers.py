"""TEI pointers (Guidelines §SATS): parse, serialise and resolve ``@target`` values.

Supported forms, each a URI fragment (``#…``) with no literal spaces (spaces separate targets):

- ``#ID``: the whole element;
- ``#string-range(NODE,OFFSET,LENGTH)``: LENGTH characters starting after the OFFSET-th (the third
  argument is a length, not an end);
- ``#string-index(NODE,OFFSET)``: the point before character OFFSET;
- ``#range(P1,P2)``: from the start of P1 to the end of P2; ``left(P)`` / ``right(P)``: the point
  just before / after P;
- ``#xpath(EXPR)`` and ``#match(NODE,'REGEX'[,INDEX])``: preserved, resolved where possible;
- Recogito's ``PATH::START PATH::END`` pair (also with ``#xpath(PATH)::N``): a range between two
  character offsets, each into the text of the element an XPath selects.

NODE is an IDREF or an XPath expression. Anything else (another scheme, another document) parses
to :class:`Unknown` or :class:`External` and is kept verbatim, never dropped.
Resolution yields global raw offsets of the document (see :mod:`tei.textmodel`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from .errors import PointerError

_NCNAME = re.compile(r"^[A-Za-z_][\w.\-]*$")
_CALL = re.compile(r"^([a-z][a-z\-]*)\((.*)\)$", re.S)


@dataclass(frozen=True, slots=True)
class IdRef:
    """A bare ``#ID``: the whole element."""

    id: str

    def __str__(self) -> str:
        return "#" + self.id


@dataclass(frozen=True, slots=True)
class XPath:
    """An ``xpath(EXPR)`` pointer, or an XPath used as a NODE argument."""

    expr: str
    scheme: bool = True  # False when used as a bare NODE argument

    def __str__(self) -> str:
        return f"#xpath({_esc(self.expr)})" if self.scheme else _esc(self.expr)


Node = IdRef | XPath


@dataclass(frozen=True, slots=True)
class StringIndex:
    """``string-index(NODE,OFFSET)``: a point."""

    node: Node
    offset: int

    def __str__(self) -> str:
        return f"#{self.inner()}"

    def inner(self) -> str:
        """Return the call without the leading '#'."""
        return f"string-index({_node_arg(self.node)},{self.offset})"


@dataclass(frozen=True, slots=True)
class StringRange:
    """``string-range(NODE,OFFSET,LENGTH)``: a span inside one node's string value."""

    node: Node
    offset: int
    length: int

    def __str__(self) -> str:
        return f"#{self.inner()}"

    def inner(self) -> str:
        """Return the call without the leading '#'."""
        return f"string-range({_node_arg(self.node)},{self.offset},{self.length})"


@dataclass(frozen=True, slots=True)
class Side:
    """``left(P)`` or ``right(P)``: the point before or after P."""

    side: str  # "left" | "right"
    inner_pointer: Pointer

    def __str__(self) -> str:
        return f"#{self.inner()}"

    def inner(self) -> str:
        """Return the call without the leading '#'."""
        return f"{self.side}({_inner(self.inner_pointer)})"


@dataclass(frozen=True, slots=True)
class Range:
    """``range(P1,P2)``: from the start of P1 to the end of P2."""

    start: Pointer
    end: Pointer

    def __str__(self) -> str:
        return f"#{self.inner()}"

    def inner(self) -> str:
        """Return the call without the leading '#'."""
        return f"range({_inner(self.start)},{_inner(self.end)})"


@dataclass(frozen=True, slots=True)
class Match:
    """``match(NODE,'REGEX'[,INDEX])``: the INDEX-th (1-based) match of REGEX in NODE."""

    node: Node
    pattern: str
    index: int | None = None

    def __str__(self) -> str:
        return f"#{self.inner()}"

    def inner(self) -> str:
        """Return the call without the leading '#'."""
        pat = "'" + _esc(self.pattern).replace("'", "%27") + "'"
        tail = f",{self.index}" if self.index is not None else ""
        return f"match({_node_arg(self.node)},{pat}{tail})"


@dataclass(frozen=True, slots=True)
class Unknown:
    """A pointer in a scheme this library does not know; kept verbatim."""

    text: str
    reason: str = "unknown pointer scheme"

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class External:
    """A pointer into another document (``other.xml#p1``) or a non-fragment URI; kept verbatim."""

    uri: str

    def __str__(self) -> str:
        return self.uri


Pointer = IdRef | XPath | StringIndex | StringRange | Side | Range | Match | Unknown | External


@dataclass(frozen=True, slots=True)
class PathOffsets(Range):
    """Recogito's selector: two tokens ``PATH::START PATH::END`` (or ``#xpath(PATH)::N``), each
    an XPath and a character offset into that element's text; kept verbatim as ``text``."""

    text: str = ""

    def __str__(self) -> str:
        return self.text

    def inner(self) -> str:
        """Return the selector as written."""
        return self.text


#: One end of a Recogito selector: ``/TEI[1]/text[1]/body[1]/p[3]::12`` or ``#xpath(…)::12``.
_PATH_OFFSET = re.compile(r"^(?:#xpath\((?P<x>.+)\)|(?P<p>/.*?))::(?P<n>\d+)$", re.S)


def parse_target(value: str) -> list[Pointer]:
    """Parse a ``@target`` value (whitespace-separated URIs) into pointers; never raises."""
    tokens = value.split()
    out: list[Pointer] = []
    k = 0
    while k < len(tokens):
        ends = [_PATH_OFFSET.match(t) for t in tokens[k : k + 2]]
        if len(ends) == 2 and ends[0] and ends[1]:
            a, b = (StringIndex(XPath(unquote(m["x"] or m["p"]), scheme=False), int(m["n"])) for m in ends)
            out.append(PathOffsets(a, b, f"{tokens[k]} {tokens[k + 1]}"))
            k += 2
        else:
            out.append(parse_pointer(tokens[k]))
            k += 1
    return out


def format_target(pointers: list[Pointer]) -> str:
    """Serialise pointers back into a ``@target`` value."""
    return " ".join(str(p) for p in pointers)


def parse_pointer(token: str) -> Pointer:
    """Parse one URI token; an unparseable fragment becomes :class:`Unknown`, never an error."""
    doc, hash_, frag = token.partition("#")
    if not hash_ and (token.startswith("/") or "::" in token):
        return Unknown(token, "unsupported pointer syntax (an XPath with '::offset', as Recogito writes)")
    if not hash_ or doc:
        return External(token)
    try:
        return _parse_fragment(frag, top=True)
    except PointerError as exc:
        return Unknown(token, exc.message)


def _parse_fragment(frag: str, *, top: bool) -> Pointer:
    if frag.startswith("#"):
        frag = frag[1:]
    if _NCNAME.match(frag):
        return IdRef(frag)
    m = _CALL.match(frag)
    if not m:
        if not top:
            return XPath(unquote(frag), scheme=False)
        raise PointerError(f"cannot parse pointer {frag!r}")
    name, body = m.group(1), m.group(2)
    args = _split_args(body)
    if name == "string-range":
        _arity(name, args, 3)
        return StringRange(_node(args[0]), _int(args[1]), _int(args[2]))
    if name == "string-index":
        _arity(name, args, 2)
        return StringIndex(_node(args[0]), _int(args[1]))
    if name == "range":
        _arity(name, args, 2)
        return Range(_parse_fragment(args[0], top=False), _parse_fragment(args[1], top=False))
    if name in ("left", "right"):
        _arity(name, args, 1)
        return Side(name, _parse_fragment(args[0], top=False))
    if name == "xpath":
        return XPath(unquote(body))
    if name == "match":
        if len(args) not in (2, 3):
            raise PointerError("match() takes 2 or 3 arguments")
        pat = unquote(args[1])
        if len(pat) >= 2 and pat[0] == pat[-1] and pat[0] in "'\"":
            pat = pat[1:-1]
        return Match(_node(args[0]), pat, _int(args[2]) if len(args) == 3 else None)
    raise PointerError(f"unknown pointer scheme {name}()")


def _split_args(body: str) -> list[str]:
    """Split a call's arguments on top-level commas, respecting brackets and quotes."""
    args, depth, quote_char, cur = [], 0, "", []
    for ch in body:
        if quote_char:
            if ch == quote_char:
                quote_char = ""
        elif ch in "'\"":
            quote_char = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
            if depth < 0:
                raise PointerError("unbalanced parentheses")
        elif ch == "," and depth == 0:
            args.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    if depth or quote_char:
        raise PointerError("unbalanced parentheses or quotes")
    args.append("".join(cur).strip())
    return args


def _arity(name: str, args: list[str], n: int) -> None:
    if len(args) != n:
        raise PointerError(f"{name}() takes {n} argument(s), got {len(args)}")


def _int(text: str) -> int:
    if not re.fullmatch(r"\d+", text):
        raise PointerError(f"expected a non-negative whole number, got {text!r}")
    return int(text)


def _node(arg: str) -> Node:
    arg = arg[1:] if arg.startswith("#") else arg
    if _NCNAME.match(arg):
        return IdRef(arg)
    if not arg:
        raise PointerError("empty node argument")
    return XPath(unquote(arg), scheme=False)


def _node_arg(node: Node) -> str:
    return node.id if isinstance(node, IdRef) else _esc(node.expr)


def _inner(p: Pointer) -> str:
    if isinstance(p, IdRef):
        return p.id
    if isinstance(p, XPath):
        return _esc(p.expr) if not p.scheme else f"xpath({_esc(p.expr)})"
    if isinstance(p, StringIndex | StringRange | Side | Range | Match):
        return p.inner()
    return str(p).lstrip("#")


def _esc(text: str) -> str:
    """Percent-escape what may not appear literally in a pointer (spaces, '%', non-ASCII ok)."""
    return quote(text, safe="/[]@=:'\"*().,-_|!$&+;~<>?^{}\\ ").replace(" ", "%20")


def string_range(node_id: str, offset: int, length: int) -> StringRange:
    """Build a ``string-range`` pointer on an element id."""
    return StringRange(IdRef(node_id), offset, length)


def span_pointer(start_id: str, start: int, end_id: str, end: int) -> Pointer:
    """Build the canonical pointer for a span: ``string-range`` inside one element, else
    ``range(string-index(…),string-index(…))``."""
    if start_id == end_id:
        return StringRange(IdRef(start_id), start, end - start)
    return Range(StringIndex(IdRef(start_id), start), StringIndex(IdRef(end_id), end))
