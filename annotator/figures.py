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
_LOWER = r"more than|over|above|upwards of|in excess of|at least|no (?:fewer|less) than|not less than"
_UPPER = r"almost|nearly|less than|fewer than|under|below|up to|at most|not more than|no more than"
_ABOUT = r"about|approx\.?|approximately|around|some|roughly|circa|ca\.|c\.|estimated|an estimated"
#: Bounds that state a limit, not an estimate ("at least 30" is exact about its limit).
_EXACT_BOUNDS = {"at least", "at most", "up to", "no fewer than", "no less than", "not less than",
                 "not more than", "no more than"}  # fmt: skip
_QUALIFIER = re.compile(rf"(?:^|\s)({_LOWER}|{_UPPER}|{_ABOUT})\s*$|[~≈]\s*$", re.I)
_NUM = r"\d{1,3}(?:[,\u202f\u00a0 ]\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?"
_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "half a": 0.5, "a half": 0.5,
}  # fmt: skip
_WORD_NUM = "|".join(sorted((re.escape(w) for w in _WORDS if w not in ("a", "an")), key=len, reverse=True))
_MULT_WORDS = "|".join(sorted((re.escape(w) for w in _MULT if len(w) > 1), key=len, reverse=True))
_RANGE = re.compile(rf"({_NUM})\s*(?:-|–|—|to)\s*({_NUM})")
_ONE = re.compile(rf"{_NUM}|\b(?:{_WORD_NUM}|an?)\b(?=\s+(?:{_MULT_WORDS})\b)|\b(?:{_WORD_NUM})\b", re.I)
#: Words between a number and the counted noun that are not part of the unit.
_SKIP = {"such", "these", "those", "the", "our", "their", "its", "his", "her", "more", "other",
         "additional", "new", "of", "soviet", "chinese", "russian", "american", "japanese",
         "korean", "mongolian", "british", "german", "french", "foreign", "local", "all"}  # fmt: skip
#: Words that end the counted noun phrase.
_STOP = {"of", "to", "from", "in", "into", "for", "and", "or", "were", "was", "had", "have", "has",
         "by", "with", "at", "on", "which", "that", "who", "per", "a", "an", "each", "as", "than",
         "is", "are", "be", "been", "went", "came", "arrived", "would", "could"}  # fmt: skip


def _to_float(text: str) -> float:
    t = text.replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    if t.lower() in _WORDS:
        return float(_WORDS[t.lower()])
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", t):
        t = t.replace(",", "")
    elif re.fullmatch(r"\d+,\d{1,2}", t):  # decimal comma
        t = t.replace(",", ".")
    else:
        t = t.replace(",", "")
    return float(t)


def _counted_noun(words: list[str]) -> str:
    """Return the noun a figure counts: "such specialists" → specialists, "ZIS-5 trucks" kept whole."""
    kept: list[str] = []
    for word in words:
        key = word.lower().rstrip(".")
        if not kept and key in _SKIP:
            continue
        if key in _STOP or len(kept) == 3:
            break
        kept.append(word)
        if word != word.rstrip(".,;:!?)"):  # punctuation closes the phrase
            break
    return " ".join(w.strip(".,;:!?()\"'«»“”") for w in kept).strip()


def parse_figure(text: str) -> Quantity | None:
    """Return the quantity a selected figure states, or None if it holds no number."""
    s = " ".join(text.split())
    if not s:
        return None
    m = _RANGE.search(s)
    low = high = value = None
    if m:
        low, high = _to_float(m.group(1)), _to_float(m.group(2))
    else:
        m = _ONE.search(s)
        if not m:
            return None
        value = _to_float(m.group(0))
    start, end = m.start(), m.end()
    before = s[:start].strip().lower()
    qualifier = _QUALIFIER.search(s[:start])
    phrase = " ".join((qualifier.group(1) or "").lower().split()) if qualifier else ""
    approximate = bool(qualifier) and phrase not in _EXACT_BOUNDS
    words = s[end:].split()
    mult = 1.0
    if words and words[0].lower().rstrip(".,") in _MULT:
        mult = _MULT[words.pop(0).lower().rstrip(".,")]
    unit = ""
    for sym, code in _CURRENCY.items():
        if before.endswith(sym) or before.split()[-1:] == [sym]:
            unit = code
    if not unit:
        noun = _counted_noun(words)
        unit = _CURRENCY.get(noun.lower(), noun)
    if value is not None:
        value *= mult
        if re.fullmatch(_LOWER, phrase):
            low, value = value, None
        elif re.fullmatch(_UPPER, phrase):
            high, value = value, None
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
