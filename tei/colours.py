"""Colour arithmetic for highlight colours, without Qt: tints, colour-blindness simulation and ΔE.

Simulation uses the matrices of Machado, Oliveira and Fernandes (2009, severity 1.0) on linear
sRGB; colour difference is CIEDE2000 (Sharma, Wu and Dalal 2005) in CIELAB under D65. A ΔE00
around 2 is just noticeable side by side; highlights that must be told apart at a glance, spread
across a page, need much more (the test suite asks for 10 between categories).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

RGB = tuple[float, float, float]
Matrix = tuple[RGB, RGB, RGB]

#: Machado et al. (2009), severity 1.0, for linear sRGB.
SIMULATIONS: dict[str, Matrix] = {
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}

#: Highlight colours for categories. The first five are the default taxonomy's top-level
#: categories, in its order (bias, figure, source, comment, question): found by a search over an
#: sRGB grid, within a hue range each (ochre, wine, green, blue-violet, lavender), for the set whose
#: pale fills (62 % white, as the reading view draws them) differ most — at least 9 ΔE00 — for
#: normal, protanopic, deuteranopic and tritanopic vision alike, while staying 12 from a cream page
#: and 10 from a blue selection. The other three, for new categories, were then added one at a
#: time, each the farthest (at least 6.5 ΔE00 with every kind of vision) from those before it.
PALETTE = ("#ccaa00", "#880044", "#006600", "#4400ff", "#8844cc", "#002200", "#440088", "#884444")

_HEX = re.compile(r"#?([0-9a-fA-F]{6})")


def parse(colour: str) -> RGB:
    """Return the 0–1 sRGB components of ``#rrggbb`` (ValueError for anything else)."""
    m = _HEX.fullmatch(colour.strip())
    if not m:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    v = int(m.group(1), 16)
    return ((v >> 16) / 255, ((v >> 8) & 255) / 255, (v & 255) / 255)


def to_hex(rgb: RGB) -> str:
    """Return ``#rrggbb`` for 0–1 sRGB components (clamped)."""
    return "#" + "".join(f"{round(min(1.0, max(0.0, c)) * 255):02x}" for c in rgb)


def tint(colour: str, amount: float) -> str:
    """Mix a colour with white (amount 0 = the colour, 1 = white), as highlights are drawn."""
    return to_hex(tuple(c + (1 - c) * amount for c in parse(colour)))  # type: ignore[arg-type]


#: The least CIELAB lightness of a highlight, so that dark text stays readable on deep fills.
MIN_FILL_LIGHTNESS = 60.0


@lru_cache(maxsize=512)
def highlight_fill(colour: str, depth: int, selected: bool) -> str:
    """Return the background of a passage whose innermost annotation has ``colour``: pale, deeper
    where ``depth`` annotations overlap, deepest when selected, but never darker than
    :data:`MIN_FILL_LIGHTNESS`."""
    amount = 0.25 if selected else 0.62 - 0.14 * min(depth - 1, 3)
    while amount < 0.62 and lab(tint(colour, amount))[0] < MIN_FILL_LIGHTNESS:
        amount += 0.02
    return tint(colour, amount)


def _to_linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _from_linear(c: float) -> float:
    c = min(1.0, max(0.0, c))
    return c * 12.92 if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def simulate(colour: str, kind: str) -> str:
    """Return how ``colour`` looks under ``kind`` ('protanopia', 'deuteranopia', 'tritanopia')."""
    return to_hex(simulate_rgb(parse(colour), kind))


def simulate_rgb(rgb: RGB, kind: str) -> RGB:
    """Like :func:`simulate`, on 0–1 sRGB components (for whole images)."""
    lin = [_to_linear(c) for c in rgb]
    m = SIMULATIONS[kind]
    return tuple(_from_linear(sum(row[i] * lin[i] for i in range(3))) for row in m)  # type: ignore[return-value]


def lab(colour: str) -> RGB:
    """Return the CIELAB (D65) coordinates of an sRGB colour."""
    r, g, b = (_to_linear(c) for c in parse(colour))
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = f(x), f(y), f(z)
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def delta_e(a: str, b: str) -> float:
    """Return the CIEDE2000 colour difference between two sRGB colours."""
    return delta_e_lab(lab(a), lab(b))


def delta_e_lab(lab1: RGB, lab2: RGB) -> float:
    """Return the CIEDE2000 difference between two CIELAB colours."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = a1 * (1 + g), a2 * (1 + g)
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = l2 - l1, c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    else:
        dh = h2p - h1p - 360 if h2p > h1p else h2p - h1p + 360
    dhh = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_bar, cp_bar = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_bar - 30)) + 0.24 * math.cos(math.radians(2 * h_bar))
         + 0.32 * math.cos(math.radians(3 * h_bar + 6)) - 0.20 * math.cos(math.radians(4 * h_bar - 63)))  # fmt: skip
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * cp_bar
    s_h = 1 + 0.015 * cp_bar * t
    r_t = (-2 * math.sqrt(cp_bar**7 / (cp_bar**7 + 25**7))
           * math.sin(math.radians(60 * math.exp(-(((h_bar - 275) / 25) ** 2)))))  # fmt: skip
    return math.sqrt((dl / s_l) ** 2 + (dc / s_c) ** 2 + (dhh / s_h) ** 2 + r_t * (dc / s_c) * (dhh / s_h))


def next_colour(used: list[str]) -> str:
    """Return the first :data:`PALETTE` colour not in ``used`` (the least used one when all are)."""
    taken = [u.lower() for u in used]
    return min(PALETTE, key=taken.count)
