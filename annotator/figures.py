"""Read a number as a historian selects it ("$ 500 million", "3,665", "about 1 thousand")."""

from __future__ import annotations

import re

from tei.annotations import Quantity

_MULT = {
    "thousand": 1e3, "thousands": 1e3, "k": 1e3, "thous": 1e3, "tys": 1e3,
    "million": 1e6, "millions": 1e6, "mln": 1e6, "mio": 1e6, "m": 1e6,
    "billion": 1e9, "billions": 1e9, "bn": 1e9, "bln": 1e9, "milliard": 1e9,
    "hundred": 1e2, "trillion": 1e12,
}  # fmt: skip
_CURRENCY = {
    "$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD",
    "£": "GBP", "gbp": "GBP", "pounds": "GBP", "€": "EUR", "eur": "EUR", "euros": "EUR",
    "₽": "RUB", "rub": "RUB", "rubles": "RUB", "roubles": "RUB", "ruble": "RUB",
    "yuan": "CNY", "cny": "CNY", "¥": "CNY", "rmb": "CNY", "yen": "JPY",
}  # fmt: skip
_APPROX = re.compile(
    r"\b(about|approx\.?|approximately|around|some|nearly|almost|roughly|circa|ca\.|c\.|over|"
    r"more than|less than|up to|at least|estimated)\s*|~|≈", re.I
)
_NUM = r"\d{1,3}(?:[,\u202f\u00a0 ]\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?"
_RANGE = re.compile(rf"({_NUM})\s*(?:-|–|—|to)\s*({_NUM})")
_ONE = re.compile(_NUM)


def _to_float(text: str) -> float:
    t = text.replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", t):
        t = t.replace(",", "")
    elif re.fullmatch(r"\d+,\d{1,2}", t):  # decimal comma
        t = t.replace(",", ".")
    else:
        t = t.replace(",", "")
    return float(t)


def parse_figure(text: str) -> Quantity | None:
    """Return the quantity a selected figure states, or None if it holds no number."""
    s = " ".join(text.split())
    if not s:
        return None
    approximate = bool(_APPROX.search(s))
    m = _RANGE.search(s)
    low = high = value = None
    if m:
        low, high = _to_float(m.group(1)), _to_float(m.group(2))
        end = m.end()
        start = m.start()
    else:
        m = _ONE.search(s)
        if not m:
            return None
        value = _to_float(m.group(0))
        start, end = m.start(), m.end()
    after = s[end:].strip()
    before = s[:start].strip().lower()
    mult = 1.0
    words = re.findall(r"[^\W\d_]+\.?|[$£€₽¥]", after, re.UNICODE)
    unit_words: list[str] = []
    for i, w in enumerate(words):
        key = w.lower().rstrip(".")
        if i == 0 and key in _MULT:
            mult = _MULT[key]
            continue
        unit_words.append(w)
    unit = ""
    for sym, code in _CURRENCY.items():
        if before.endswith(sym) or before.split()[-1:] == [sym]:
            unit = code
    if not unit and unit_words:
        key = unit_words[0].lower().rstrip(".")
        unit = _CURRENCY.get(key, unit_words[0])
    if value is not None:
        value *= mult
    else:
        low = low * mult if low is not None else None
        high = high * mult if high is not None else None
    return Quantity(value=_clean(value), low=_clean(low), high=_clean(high), unit=unit,
                    approximate=approximate, text=s)  # fmt: skip


def _clean(x: float | None) -> float | None:
    if x is None:
        return None
    return float(round(x)) if abs(x - round(x)) < 1e-6 else x


def parse_value(text: str) -> Quantity | None:
    """Parse a value typed in the editor: a number, a range '300-400', optionally with a unit."""
    return parse_figure(text)
