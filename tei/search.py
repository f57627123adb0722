"""Search as browsers do: case, diacritics, ё/е, long s, ligatures and width variants folded.

The text is never rewritten: the query becomes a regular expression whose character classes hold
every character *of the text* that folds to the query's character ("και" finds "καὶ", "еще" finds
"ещё", "first" finds "ﬁrst", "Sachsen" finds "Sachſen"). Whitespace in the query matches any run of
whitespace. Offsets of hits are offsets in the searched string.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

__all__ = ["Query", "fold", "fold_char"]

#: Latin letters NFKD leaves alone that readers still expect to fold.
_EXTRA = {"ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ħ": "h", "ı": "i"}


@lru_cache(maxsize=65536)
def fold_char(ch: str, match_case: bool = False, match_diacritics: bool = False) -> str:
    """Return what one character folds to ('' for a combining mark that is ignored)."""
    if match_diacritics:
        out = unicodedata.normalize("NFKC", ch)
    else:
        out = "".join(c for c in unicodedata.normalize("NFKD", _EXTRA.get(ch, ch))
                      if not unicodedata.combining(c))  # fmt: skip
        if not out and unicodedata.combining(ch):
            return ""
        out = out or ch
    return out if match_case else out.casefold()


def fold(text: str, match_case: bool = False, match_diacritics: bool = False) -> str:
    """Fold a whole string (for comparing a query with what it should find)."""
    return "".join(fold_char(c, match_case, match_diacritics) for c in text)


class Query:
    """A compiled search over texts whose characters are among ``alphabet``."""

    def __init__(self, query: str, alphabet: Iterable[str], *, match_case: bool = False,
                 match_diacritics: bool = False, whole_words: bool = False) -> None:  # fmt: skip
        self.text = query
        self.options = (match_case, match_diacritics)
        self.pattern = self._compile(query, set(alphabet), whole_words)

    def _compile(self, query: str, alphabet: set[str], whole_words: bool) -> re.Pattern[str] | None:
        opts = self.options
        by_fold: dict[str, set[str]] = {}
        marks: set[str] = set()
        for ch in alphabet:
            f = fold_char(ch, *opts)
            if f:
                by_fold.setdefault(f, set()).add(ch)
            elif unicodedata.combining(ch):
                marks.add(ch)
        words = fold(query, *opts).split()
        if not words:
            return None
        longer = sorted((f for f in by_fold if len(f) > 1), key=len, reverse=True)
        mark = f"[{''.join(re.escape(m) for m in sorted(marks))}]*" if marks else ""
        parts = [self._word(w, by_fold, longer, mark) for w in words]
        pattern = r"\s+".join(parts)
        if whole_words:
            pattern = rf"(?<!\w){pattern}(?!\w)"
        return re.compile(pattern)

    @staticmethod
    def _chars(f: str, by_fold: dict[str, set[str]]) -> str:
        members = {f, *by_fold.get(f, ())} if len(f) == 1 else set(by_fold.get(f, ()))
        return "[" + "".join(re.escape(c) for c in sorted(members)) + "]"

    def _word(self, word: str, by_fold: dict[str, set[str]], longer: list[str], mark: str) -> str:
        out, i = [], 0
        while i < len(word):
            lig = next((f for f in longer if word.startswith(f, i)), None)
            single = "".join(self._chars(c, by_fold) + mark for c in word[i:i + len(lig)]) if lig else ""
            if lig:  # "fi" is "f" "i" or the ligature "ﬁ"; "ss" is "s" "s" or "ß"
                out.append(f"(?:{self._chars(lig, by_fold)}{mark}|{single})")
                i += len(lig)
            else:
                out.append(self._chars(word[i], by_fold) + mark)
                i += 1
        return "".join(out)

    def finditer(self, text: str, limit: int = 100_000) -> Iterator[tuple[int, int]]:
        """Yield (start, end) of each hit in ``text`` (at most ``limit``)."""
        if self.pattern is None:
            return
        for n, m in enumerate(self.pattern.finditer(text)):
            if n >= limit:
                return
            yield m.start(), m.end()
