"""Pointer syntax (TEI SATS): parsing, serialising, and odd forms found in real files."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tei
from tei import pointers as P
from tei.ns import TEI

HEAD = "<teiHeader><fileDesc><titleStmt><title>t</title></titleStmt></fileDesc></teiHeader>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#p1", P.IdRef("p1")),
        ("#string-range(p1,26,6)", P.StringRange(P.IdRef("p1"), 26, 6)),
        ("#string-index(p1,4)", P.StringIndex(P.IdRef("p1"), 4)),
        (
            "#range(string-index(p1,4),string-index(p2,0))",
            P.Range(P.StringIndex(P.IdRef("p1"), 4), P.StringIndex(P.IdRef("p2"), 0)),
        ),
        ("#range(left(p1),right(p2))", P.Range(P.Side("left", P.IdRef("p1")), P.Side("right", P.IdRef("p2")))),
        ("#xpath(//p[1])", P.XPath("//p[1]")),
        ("#string-range(//lb[@n='5'],0,3)", P.StringRange(P.XPath("//lb[@n='5']", scheme=False), 0, 3)),
        ("#match(p1,'according\\sto')", P.Match(P.IdRef("p1"), "according\\sto")),
        ("#match(p1,'a%27b',2)", P.Match(P.IdRef("p1"), "a'b", 2)),
    ],
)
def test_parse_known_forms(text: str, expected: P.Pointer) -> None:
    assert P.parse_pointer(text) == expected
    assert P.parse_pointer(str(expected)) == expected


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("#frobnicate(p1)", P.Unknown),
        ("#string-range(p1,abc)", P.Unknown),
        ("#string-range(p1,1,2", P.Unknown),
        ("other.xml#p1", P.External),
        ("https://example.org/x", P.External),
        ("/TEI[1]/text[1]::0", P.Unknown),
    ],
)
def test_unparseable_pointers_are_kept_verbatim(text: str, kind: type) -> None:
    parsed = P.parse_pointer(text)
    assert isinstance(parsed, kind)
    assert str(parsed) == text


def test_target_with_several_pointers() -> None:
    value = "#p1 #string-range(p2,0,5) other.xml#x"
    parsed = P.parse_target(value)
    assert len(parsed) == 3
    assert P.format_target(parsed) == value


def test_span_pointer_forms() -> None:
    assert str(P.span_pointer("p1", 3, "p1", 9)) == "#string-range(p1,3,6)"
    assert str(P.span_pointer("p1", 3, "p2", 9)) == "#range(string-index(p1,3),string-index(p2,9))"


ids = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.\-]{0,8}", fullmatch=True)
offsets = st.integers(0, 10**6)
leaves = st.one_of(
    st.builds(P.IdRef, ids),
    st.builds(P.StringRange, st.builds(P.IdRef, ids), offsets, offsets),
    st.builds(P.StringIndex, st.builds(P.IdRef, ids), offsets),
)
pointer_trees = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(P.Range, inner, inner), st.builds(P.Side, st.sampled_from(["left", "right"]), inner)
    ),
    max_leaves=4,
)


@given(pointer_trees)
def test_serialise_then_parse_is_identity(p: P.Pointer) -> None:
    text = str(p)
    assert " " not in text
    assert P.parse_pointer(text) == p


# -- xpath() and match(): arbitrary literals survive serialisation ---------------------------
literal = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="'"), max_size=8)
step = st.tuples(
    st.sampled_from(["/", "//"]),
    st.sampled_from(["p", "div", "tei:l", "*", "hi", "text()"]),
    st.none() | st.integers(1, 9) | literal.map(lambda s: f"@n='{s}'"),
).map(lambda t: t[0] + t[1] + (f"[{t[2]}]" if t[2] is not None else ""))
xpaths = st.lists(step, min_size=1, max_size=4).map("".join)
node_args = st.builds(P.IdRef, ids) | st.builds(P.XPath, xpaths, st.just(False))
patterns = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)
scheme_pointers = st.one_of(
    st.builds(P.XPath, xpaths),
    st.builds(P.Match, node_args, patterns, st.none() | st.integers(1, 99)),
    st.builds(P.StringRange, node_args, offsets, offsets),
    st.builds(P.StringIndex, node_args, offsets),
)


@settings(max_examples=400)
@given(st.lists(scheme_pointers, min_size=1, max_size=3))
def test_xpath_and_match_pointers_round_trip(ps: list[P.Pointer]) -> None:
    value = P.format_target(ps)
    assert all(" " not in str(p) and "\n" not in str(p) for p in ps)
    assert P.parse_target(value) == ps


# -- resolution against an independent oracle -------------------------------------------------
CHARS = st.sampled_from(list("ab xyzА文") + ["e\u0301", "\U0001d504", "\n  ", "&amp;"])
runs = st.lists(CHARS, min_size=0, max_size=6).map("".join)


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, int]:
    """A body of 1-4 paragraphs with ids, each mixed content with an inline element and a note."""
    paras = []
    for i in range(draw(st.integers(1, 4))):
        a, b, c = draw(runs), draw(runs), draw(runs)
        note = f"<note>{draw(runs)}</note>" if draw(st.booleans()) else ""
        paras.append(f'<p xml:id="p{i}">{a}<hi>{b}</hi>{note}{c}</p>')
    return "".join(paras), len(paras)


def _oracle(doc) -> str:
    """The global raw text: the string value of the document without header and standOff."""
    from copy import deepcopy

    from tei import ns
    from tei.textmodel import text_of

    root = deepcopy(doc.root)
    for el in list(root.iter(ns.qn("teiHeader"), ns.qn("standOff"))):
        el.getparent().remove(el)
    return text_of(root)


@settings(max_examples=200, deadline=None)
@given(documents(), st.data())
def test_pointers_resolve_to_the_characters_the_guidelines_define(body: tuple[str, int], data) -> None:
    from tei.textmodel import text_of

    xml, n = body
    doc = tei.TeiDocument.from_bytes(f'<TEI xmlns="{TEI}">{HEAD}<text><body>{xml}</body></text></TEI>'.encode())
    glob = _oracle(doc)
    i, j = sorted(data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2)))
    pi, pj = doc.element_by_id(f"p{i}"), doc.element_by_id(f"p{j}")
    ti, tj = text_of(pi), text_of(pj)
    off = data.draw(st.integers(0, len(ti)))
    length = data.draw(st.integers(0, len(ti) - off))
    end = data.draw(st.integers(0, len(tj)))

    def span(pointer: P.Pointer) -> str:
        (res,) = doc.resolve(str(pointer))
        assert res.ok, (pointer, res)
        return glob[res.start : res.end]

    assert span(P.IdRef(f"p{i}")) == ti
    assert span(P.XPath(f"//p[{i + 1}]")) == ti
    assert span(P.StringRange(P.IdRef(f"p{i}"), off, length)) == ti[off : off + length]
    (point,) = doc.resolve(str(P.StringIndex(P.IdRef(f"p{i}"), off)))
    assert point.start == point.end and glob[: point.start].endswith(ti[:off])
    assert glob[point.start :].startswith(ti[off:])
    across = P.Range(P.StringIndex(P.IdRef(f"p{i}"), off), P.StringIndex(P.IdRef(f"p{j}"), end))
    if i == j and end < off:
        assert doc.resolve(str(across))[0].status == "orphan"  # ends before it starts
    elif i == j:
        assert span(across) == ti[off:end]
    else:
        assert span(across).startswith(ti[off:]) and span(across).endswith(tj[:end])
    assert span(P.Range(P.Side("left", P.IdRef(f"p{i}")), P.Side("right", P.IdRef(f"p{j}")))) == (
        span(P.Range(P.IdRef(f"p{i}"), P.IdRef(f"p{j}")))
    )
    assert span(P.Side("left", P.IdRef(f"p{i}"))) == "" == span(P.Side("right", P.IdRef(f"p{j}")))
    if length and ti[off : off + length].strip():
        literal = ti[off : off + length]
        found = span(P.Match(P.IdRef(f"p{i}"), re.escape(literal)))
        assert found == literal
    (past,) = doc.resolve(str(P.StringRange(P.IdRef(f"p{i}"), off, len(ti) - off + 1)))
    assert past.status == "orphan"
