"""Currencies as text writes them, from CLDR (babel) and Unicode: their English names, ISO 4217
codes, own symbols and the scale words between a number and its currency, and the alternation
that matches a list of words fast (``trie``). The reader's money rule is built from them
(qa.answer.answer_types); the sentence splitter keeps a sum whole ("48 mil. Kč").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Currencies", "currencies", "splits_a_sum", "sum_marks", "trie"]

# the last word of a currency's English name in CLDR that is a common word, or no currency's
# unit ("Special Drawing Rights", "Testing Currency Code", "Brazilian real", "Korean won")
_NOT_CURRENCY_TEXT = (
    "account code convertible currency day financial funds gold offshore palladium platinum "
    "rights silver unit units value mark marks real reals won sol som soms kip kips lek dram "
    "drams inti intis cupon talonas talonases plz uf mvdol mvdols xbc xbd sucre sucres tala "
    "loti kina soles austral australs lats lati"
)
_NOT_CURRENCY_WORDS = frozenset(_NOT_CURRENCY_TEXT.split())
# what English news calls a currency or its hundredth that CLDR does not name so ("310 million
# crowns": Reuters' word for Nordic kronor and Czech koruny; "4.5 pence", "99 cents")
# ("cent" is not one: "per cent"; nor "crown": "the crown jewels"; "reais" is "reals" in CLDR)
_NEWS_CURRENCY_WORDS = ("crowns", "pence", "penny", "pennies", "cents", "sterling", "reais")


# ISO 4217 codes of currencies in use that are also English words in capitals or other common
# terms: a code counts as money next to a number, and "TOP 10", "ALL 3 PLANTS", "TRY 2",
# "PHP 8" (the language), "AMD 7950X" (the chipmaker) and "CVE 2024-3094" (a vulnerability) are
# none (Tongan pa'anga, Albanian lek, Turkish lira, Philippine peso, Armenian dram, Cape Verdean
# escudo)
_NOT_CURRENCY_CODES = frozenset(
    ["ALL", "BOB", "CUP", "GEL", "MAD", "MOP", "PEN", "SOS", "TOP", "TRY", "AMD", "PHP", "CVE"]
)
# a currency's own symbol in CLDR that is an English word or a common abbreviation, so that
# next to a number it names no sum: "den" (Macedonian denar; a word, and the Danish and
# Swedish article), "Le" (Sierra Leonean leone; the French article: "Le 24 Heures"), "UM"
# (Mauritanian ouguiya; "um"), "Br" (Belarusian rouble, birr; "Br." for British, bromine), "CF"
# (Comorian franc; "cf."), "FC" (Congolese franc; a football club: "1. FC Köln"), "VT"
# (Vanuatu vatu; Vermont), "SR" (Seychellois rupee; senior), "FG" (Guinean franc; field goals)
_NOT_CURRENCY_SYMBOLS = frozenset(["den", "Le", "UM", "Br", "CF", "FC", "VT", "SR", "FG"])
# English scale words between a number and its currency ("12 million crowns", "5bn kronor");
# CLDR's compact forms of the currencies' own languages add theirs ("48 mil. Kč", "48 mln zł")
_SCALE_WORDS = ("million", "billion", "trillion", "thousand", "bn", "mn", "m")


@dataclass(frozen=True)
class Currencies:
    """What marks a sum of money in text, from CLDR (babel) and Unicode."""

    names: list[str]  # English names, lower case: "zlotys", "forint", "crowns"
    codes: list[str]  # ISO 4217 codes of currencies in use: "PLN", "CZK"
    symbols: list[str]  # the currencies' own symbols in letters: "Kč", "zł", "kr", "Rp"
    signed: list[str]  # symbols with a currency sign: "R$", "HK$", "GH₵"
    signs: str  # the characters Unicode classes as currency signs (Sc), escaped for a [class]
    scales: list[str]  # scale words: "million", "mln", "mil."


@lru_cache(maxsize=1)
def currencies() -> Currencies:
    """The currencies' English names, the codes of the currencies some territory uses as
    tender today (CLDR's territory currencies), and each one's symbol in its own country's
    main official language (CLDR: CZK "Kč" in cs_CZ, PLN "zł" in pl_PL, SEK "kr" in sv_SE; the
    country is the code's first two letters, or for a union's currency, the first country that
    uses it), with the scale words of those languages' compact numbers ("mil.", "mln").

    A symbol in letters is left out when it is a single letter ("R", "K", "L", "P": units,
    grades, initials), an English unit abbreviation in CLDR in any case ("Ft": feet, "KM":
    km, "DA": dalton), or in ``_NOT_CURRENCY_SYMBOLS``. Loading their ~150 locales takes ~0.3 s,
    once per process."""
    from babel import Locale, localedata
    from babel.core import get_global

    english = Locale("en")._data
    names = set(_NEWS_CURRENCY_WORDS) | {"renminbi"}
    forms = [*english["currency_names"].values()]
    forms += [f for plural in english["currency_names_plural"].values() for f in plural.values()]
    for form in forms:
        word = form.split()[-1].lower()
        if word.isalpha() and word not in _NOT_CURRENCY_WORDS:
            names.add(word)
    units = {
        pattern.replace("{0}", "").strip().lower()
        for forms_ in english["unit_patterns"].values()
        for length in ("short", "narrow")
        for pattern in dict(forms_.get(length, {})).values()
        if isinstance(pattern, str)
    }
    used: dict[str, list[str]] = {}  # code -> the territories using it as tender today
    for territory, items in get_global("territory_currencies").items():
        for code, _start, end, tender in items:
            if tender and end is None:
                used.setdefault(code, []).append(territory)
    languages = get_global("territory_languages")
    symbols, signed = set(), set()
    scales = set(_SCALE_WORDS)
    for code, territories in sorted(used.items()):
        territory = code[:2] if code[:2] in territories else sorted(territories)[0]
        official = [
            (info.get("population_percent") or 0, language)
            for language, info in languages.get(territory, {}).items()
            if info.get("official_status") and localedata.exists(f"{language}_{territory}")
        ]
        if not official:
            continue
        locale = Locale.parse(f"{max(official)[1]}_{territory}")
        symbol = "".join(
            " " if c.isspace() else c
            for c in locale.currency_symbols.get(code, code)
            if unicodedata.category(c) != "Cf"
        ).strip()
        if any(unicodedata.category(c) == "Sc" for c in symbol):
            signed.add(symbol)
        elif (
            symbol != code
            and len(symbol.rstrip(".")) > 1
            and symbol.rstrip(".").lower() not in units
            and symbol not in _NOT_CURRENCY_SYMBOLS
        ):
            symbols.add(symbol)
        for forms_ in locale._data["compact_decimal_formats"].values():
            for plurals in forms_.values():
                for pattern in plurals.values():
                    word = pattern.suffix[0].replace("'", "").strip().rstrip(".")
                    if word.isalpha():
                        scales.add(word)
    codes = sorted(set(used) - _NOT_CURRENCY_CODES)
    signs = "".join(c for c in map(chr, range(0x10000)) if unicodedata.category(c) == "Sc")
    return Currencies(
        sorted(names), codes, sorted(symbols), sorted(signed), re.escape(signs), sorted(scales)
    )


def trie(words: list[str]) -> str:
    """An alternation of ``words`` nested by common prefix ("dinars?|dirhams?" as
    "di(?:nar(?:s)?|rham(?:s)?)"): Python's ``re`` tries a flat alternation's 200 names at
    every position of a sentence, three times slower than this."""
    optional = "" in words
    groups: dict[str, list[str]] = {}
    for word in words:
        if word:
            groups.setdefault(word[0], []).append(word[1:])
    if not groups:
        return ""
    parts = [re.escape(head) + trie(rest) for head, rest in sorted(groups.items())]
    if len(parts) == 1 and not optional:
        return parts[0]
    return "(?:" + "|".join(parts) + ")" + ("?" if optional else "")


@lru_cache(maxsize=1)
def sum_marks() -> str:
    """An alternation (``trie``) of every code and symbol a sum may be written with, in
    letters or with a sign: "PLN", "Kč", "zł", "R$", "HK$"."""
    cur = currencies()
    return trie(sorted({*cur.codes, *cur.symbols, *cur.signed}))


@lru_cache(maxsize=1)
def _sum_cut() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A number and a scale word's stop at a text's end ("48 mil."), and a currency at a
    text's start ("Kč", "zł", "PLN", "crowns", "€"; a name in lower case: a capitalised one
    opens a sentence, "Rand Paul...", "Yuan Wang...")."""
    cur = currencies()
    marks = sum_marks()
    return (
        re.compile(rf"\d[\d.,]*\s*(?i:{trie(cur.scales)})\.$"),
        # a name in lower case only: "300 m. Lei Wang designed it" is a length, then a name
        re.compile(rf"(?:(?:{marks})(?!\w)|[{cur.signs}]|{trie(cur.names)}\b)"),
    )


_NUMBER_STOP = re.compile(r"\d\s*[^\W\d_]{1,12}\.$")


def splits_a_sum(before: str, after: str) -> bool:
    """Whether a cut between ``before`` and ``after`` falls inside a sum: ``before`` ends in
    a number and a scale word's stop and ``after`` opens with its currency ("... for 48 mil."
    / "Kč.", "48 mln." / "zł", where pysbd ends a sentence)."""
    if not _NUMBER_STOP.search(before):  # cheap: most cuts end otherwise
        return False
    scale_stop, currency = _sum_cut()
    return scale_stop.search(before) is not None and currency.match(after) is not None
