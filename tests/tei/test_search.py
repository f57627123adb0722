"""Find as browsers do: folded case, diacritics, ё/е, long s, ligatures and width variants."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tei
from tei.search import Query, fold
from tests.conftest import CORPUS


def hits(text: str, query: str, **options: bool) -> list[str]:
    """Return the matched substrings of ``text``."""
    return [text[a:b] for a, b in Query(query, set(text), **options).finditer(text)]


@pytest.mark.parametrize(("text", "query", "found"), [
    ("ὁ δὲ καὶ ὁ", "και", ["καὶ"]),
    ("Он еще не знал, ещё нет", "ещё", ["еще", "ещё"]),
    ("Он еще не знал, ещё нет", "ЕЩЕ", ["еще", "ещё"]),
    ("the ﬁrst oﬃcial ﬁgure", "first", ["ﬁrst"]),
    ("the ﬁrst oﬃcial ﬁgure", "official figure", ["oﬃcial ﬁgure"]),
    ("Churfürſtl. Sachſen", "sachsen", ["Sachſen"]),
    ("ＡＢＣ corporation", "abc", ["ＡＢＣ"]),
    ("Straße und Strasse", "strasse", ["Straße", "Strasse"]),
    ("Е\u0308ще decomposed", "еще", ["Е\u0308ще"]),
    ("along their border a\n  chain", "border a chain", ["border a\n  chain"]),
    ("naïve Naive", "naive", ["naïve", "Naive"]),
])  # fmt: skip
def test_folded_search_finds_every_spelling(text: str, query: str, found: list[str]) -> None:
    assert hits(text, query) == found


def test_options_narrow_the_search() -> None:
    text = "Καὶ και καί Και"
    assert hits(text, "και", match_diacritics=True) == ["και", "Και"]
    assert hits(text, "Και", match_case=True) == ["Καὶ", "Και"]
    assert hits(text, "Και", match_case=True, match_diacritics=True) == ["Και"]
    assert hits("chain chains enchain", "chain", whole_words=True) == ["chain"]
    assert hits("a (b) [c]", "(b)") == ["(b)"]
    assert hits("anything", "   ") == []


def _corpus_text(name: str) -> tuple[str, frozenset[str], list[tuple[str, int]]]:
    """Return a corpus file's reading text, its alphabet and its words with their offsets."""
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"{name} is not in the shared corpus")
    return _load(str(path))


@cache
def _load(path: str) -> tuple[str, frozenset[str], list[tuple[str, int]]]:
    doc = tei.load(path)
    text = "\n".join(b.reading for b in doc.text.blocks)
    return text, frozenset(text), [(m.group(0), m.start()) for m in re.finditer(r"\w{3,}", text)]


def _strip(word: str) -> str:
    return unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFKD", word)
                                                if not unicodedata.combining(c)))  # fmt: skip


@pytest.mark.parametrize("name", ["dracor-greek__aristophanes-frogs.xml", "eltec-rus__015_anna-karenina.xml",
                                  "pta__pta0022.pta002.pta-MsH.xml"])  # fmt: skip
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_word_is_found_from_its_plain_spelling(name: str, data: st.DataObject) -> None:
    """Pick a word of a real text; its diacritic-free, lower-case spelling finds it where it is."""
    text, alphabet, words = _corpus_text(name)
    word, at = words[data.draw(st.integers(0, len(words) - 1))]
    plain = _strip(word).lower()
    window = text[max(0, at - 50):at + len(word) + 50]
    start = at - max(0, at - 50)
    found = list(Query(plain, alphabet).finditer(window))
    assert any(a <= start and start + len(word) <= b + 1 for a, b in found), (word, plain)
    assert fold(word) == fold(plain)
