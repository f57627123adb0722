"""Reading a selected figure: number, bounds, approximation and the counted noun (no Qt needed)."""

from __future__ import annotations

import pytest

from annotator.figures import parse_figure


@pytest.mark.parametrize(("text", "value", "low", "high", "unit", "approximate", "shown"), [
    ("$ 500 million", 5e8, None, None, "USD", False, "500,000,000 USD"),
    ("140 motor vehicles", 140, None, None, "motor vehicles", False, "140 motor vehicles"),
    ("200 Soviet pilots", 200, None, None, "pilots", False, "200 pilots"),
    ("5.2 thousand ZIS-5 trucks", 5200, None, None, "ZIS-5 trucks", False, "5,200 ZIS-5 trucks"),
    ("3,665 such specialists", 3665, None, None, "specialists", False, "3,665 specialists"),
    ("more than 30 million", None, 3e7, None, "", True, "> 30,000,000"),
    ("almost one million", None, None, 1e6, "", True, "< 1,000,000"),
    ("at least 12 advisers.", None, 12, None, "advisers", False, "≥ 12 advisers"),
    ("about 1 thousand", 1000, None, None, "", True, "≈ 1,000"),
    ("300-400 tanks", None, 300, 400, "tanks", False, "300–400 tanks"),
    ("some 40 thousand tons of steel", 40000, None, None, "tons", True, "≈ 40,000 tons"),
])  # fmt: skip
def test_a_selected_figure_is_read_as_a_historian_reads_it(text, value, low, high, unit, approximate, shown) -> None:  # noqa: ANN001
    """Units are the counted noun; "more than" is a lower bound, "almost" an upper one."""
    q = parse_figure(text)
    assert q is not None
    assert (q.value, q.low, q.high, q.unit, q.approximate) == (value, low, high, unit, approximate)
    assert q.display() == shown


def test_text_without_a_number_is_no_figure() -> None:
    """A selection without any number (digits or words) gives nothing to pre-fill."""
    assert parse_figure("the Soviet specialists") is None
    assert parse_figure("   ") is None
