"""What XML cannot store is found exactly: every code point checked against XML 1.0's Char."""

from __future__ import annotations

from lxml import etree

from tei.annotations import xml_safe_text


def test_exactly_the_characters_xml_cannot_hold_are_dropped() -> None:
    every = "".join(map(chr, range(0x110000)))
    kept = xml_safe_text(every, paragraph="")
    replaced = every.replace("\f", "").replace("\v", "\n")  # (a form feed: a paragraph, a vertical tab: a line)
    allowed = [c for c in replaced if c in "\t\n\r" or 0x20 <= ord(c) <= 0xD7FF or 0xE000 <= ord(c) <= 0xFFFD
               or ord(c) >= 0x10000]  # XML 1.0, production [2] Char  # fmt: skip
    assert kept == "".join(allowed)
    el = etree.Element("p")
    el.text = kept  # lxml takes all of it
    assert len(el.text) == len(kept)
