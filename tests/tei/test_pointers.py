"""Pointer syntax (TEI SATS): parsing, serialising, and odd forms found in real files."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tei import pointers as P


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
