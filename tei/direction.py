"""Writing direction from a language tag: one table for every export that lays out text.

``direction("syc")`` is ``"rtl"``; ``direction("ar-Latn")`` (Arabic in Latin transcription) is
``"ltr"``; an explicit script subtag wins over the language's usual script.
"""

from __future__ import annotations

#: Scripts written from right to left (ISO 15924 codes, lower case).
RTL_SCRIPTS = frozenset(
    "arab aran hebr syrc syre syrj syrn thaa nkoo samr mand mani adlm rohg yezi chrs sogd sogo "
    "phnx armi prti phli phlp avst nbat palm hatr sarb narb khar lydi mend ougr elym".split()
)
#: Languages (ISO 639 codes) whose usual script is written from right to left.
RTL_LANGUAGES = frozenset(
    "ar arb arc ary arz apc acm ajp afb ayl aeb arq abv shu "  # Arabic and its varieties
    "he hbo yi ydd yih jrb jpr lad "  # Hebrew, Yiddish, Judeo-Arabic, Judeo-Persian, Ladino
    "syc syr aii cld tru "  # Syriac, Assyrian and Chaldean Neo-Aramaic, Turoyo
    "fa pes prs per fas ps pbu pst ur urd sd snd ug uig ckb bal glk mzn lrc luz "
    "ota ks kas khw bgn brh haz sdh "  # Persian, Pashto, Urdu, Sindhi, Uyghur, Kurdish…
    "dv div nqo sam smp mid myz "  # Thaana (Dhivehi), N'Ko, Samaritan, Mandaic
    "phn xpu xaa".split()  # Phoenician, Punic, Andalusian Arabic
)


def direction(lang: str) -> str:
    """Return ``"rtl"`` or ``"ltr"`` for a BCP 47 / ``xml:lang`` value (``"ltr"`` if unknown)."""
    parts = lang.replace("_", "-").lower().split("-")
    for sub in parts[1:]:
        if len(sub) == 4 and sub.isalpha():  # a script subtag decides
            return "rtl" if sub in RTL_SCRIPTS else "ltr"
        if len(sub) == 1:  # private use or extension: no script after it
            break
    return "rtl" if parts[0] in RTL_LANGUAGES else "ltr"
