"""tei.colours: CIEDE2000 against published values, colour-blindness simulation, next_colour."""

from __future__ import annotations

import pytest
from lxml import etree

from tei import colours
from tei.taxonomy import Taxonomy, load_default_taxonomy


@pytest.mark.parametrize(("lab1", "lab2", "expected"), [  # Sharma, Wu and Dalal (2005), table 1
    ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
    ((50, 2.5, 0), (73, 25, -18), 27.1492),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((22.7233, 20.0904, -46.694), (23.0331, 14.973, -42.5619), 2.0373),
])  # fmt: skip
def test_ciede2000_matches_the_published_test_data(lab1, lab2, expected) -> None:  # noqa: ANN001
    assert colours.delta_e_lab(lab1, lab2) == pytest.approx(expected, abs=1e-4)


def test_simulation_keeps_greys_and_merges_red_and_green_for_deuteranopes() -> None:
    for kind in colours.SIMULATIONS:
        assert colours.simulate("#ffffff", kind) == "#ffffff"
        assert colours.delta_e(colours.simulate("#808080", kind), "#808080") < 1.5
    # a classic confusion pair: red and green differ hugely, but much less for a deuteranope
    assert colours.delta_e("#cc4444", "#888800") > 30
    assert colours.delta_e(colours.simulate("#cc4444", "deuteranopia"),
                           colours.simulate("#888800", "deuteranopia")) < 12  # fmt: skip


def test_next_colour_skips_used_colours_and_reuses_the_least_used() -> None:
    first, second = colours.PALETTE[:2]
    assert colours.next_colour([]) == first
    assert colours.next_colour([first.upper()]) == second
    used = list(colours.PALETTE) + list(colours.PALETTE[1:])
    assert colours.next_colour(used) == first
    with pytest.raises(ValueError):
        colours.parse("red")


def test_the_default_taxonomy_uses_the_palette_and_new_colours_come_from_it() -> None:
    tax = Taxonomy(etree.Element("TEI"))
    assert tax.effective().tag == load_default_taxonomy().tag
    top = [c.color for c in tax.top_level()]
    assert top == list(colours.PALETTE[:5])
    assert colours.next_colour(top) == colours.PALETTE[5]


def test_a_selected_or_deep_fill_stays_light_enough_to_read() -> None:
    """A dark category colour, selected or overlapped, is not drawn darker than text can bear."""
    for colour in ("#4400ff", "#000000", "#880044"):
        for depth, selected in ((1, True), (4, False)):
            fill = colours.highlight_fill(colour, depth, selected)
            assert colours.lab(fill)[0] >= colours.MIN_FILL_LIGHTNESS
    light = "#f6c343"  # a pale colour keeps its old, deeper selected fill
    assert colours.highlight_fill(light, 1, True) == colours.tint(light, 0.25)
    assert colours.lab(colours.highlight_fill(light, 1, True))[0] < colours.lab(colours.highlight_fill(light, 1, False))[0]


def test_colours_for_new_categories_stay_visible_and_apart() -> None:
    """The palette's colours after the defaults (for new categories) fill passages visibly on the
    page, unlike the selection, and apart from every other palette colour with any vision."""
    views = (None, *colours.SIMULATIONS)

    def least(colour: str, others: list[str]) -> float:
        fill = colours.highlight_fill(colour, 1, False)
        return min(colours.delta_e(*(c if v is None else colours.simulate(c, v)
                                     for c in (fill, other)))  # fmt: skip
                   for other in others for v in views)

    fills = {c: colours.highlight_fill(c, 1, False) for c in colours.PALETTE}
    for colour in colours.PALETTE[5:]:
        assert least(colour, ["#fbfaf6"]) >= 12
        assert least(colour, ["#3d6fb6", "#d7e3f1"]) >= 10
        assert least(colour, [f for c, f in fills.items() if c != colour]) >= 6
    tax = Taxonomy(etree.Element("TEI"))
    assert tax.next_color() == colours.PALETTE[5]
