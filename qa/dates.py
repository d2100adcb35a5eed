"""Calendar days written with a month's name, in the languages news is written in.

Month names come from CLDR (babel), not from a list of our own, for English and the languages
whose datelines write day, month name, year ("22 avril 2025", "19. Juli 2023", "5 de mayo de
2024"); the reader's answer types keep English's own forms ("Jan 15", "January 15th").
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "MONTH_LOCALES",
    "day_month_year",
    "english_calendar_words",
    "month_names",
    "opens_with_month",
]

MONTH_LOCALES = (
    "en", "fr", "de", "es", "it", "pt", "nl", "sv", "da", "nb", "fi", "pl", "cs", "ro", "hu",
    "tr", "ru", "uk", "el",
)  # fmt: skip


@lru_cache(maxsize=1)
def month_names() -> frozenset[str]:
    """Every wide month name of ``MONTH_LOCALES``, lower-cased ("juli", "avril", "мая"...)."""
    from babel.dates import get_month_names

    return frozenset(
        name.lower()
        for locale in MONTH_LOCALES
        for context in ("format", "stand-alone")
        for name in get_month_names("wide", context=context, locale=locale).values()
    )


@lru_cache(maxsize=1)
def day_month_year() -> re.Pattern[str]:
    """Day, month name, year: "19. Juli 2023", "22 avril 2025", "5 de mayo de 2024"."""
    months = "|".join(sorted(map(re.escape, month_names()), key=len, reverse=True))
    return re.compile(
        rf"\b(0?[1-9]|[12]\d|3[01])(\.|er)?\s+(de\s+)?({months}),?\s+(de\s+)?(1\d{{3}}|20\d\d)\b",
        re.IGNORECASE,
    )


def opens_with_month(text: str, english: bool = True) -> bool:
    """Whether ``text`` starts with a month's name ("Juli 2023 eröffnete...", "mai 2024"):
    what follows the "19." of a day written with an ordinal stop, which a sentence splitter
    takes for a sentence's end. In English text (``english``) a month that English names too
    needs its year after it, as English writes no such stop ("He was 19. July was hot." is two
    sentences); in a German one "am 2. April" is a day."""
    word = re.match(r"(\w+)(\s+(1\d|20)\d\d\b)?", text)
    if word is None or word.group(1).lower() not in month_names():
        return False
    return (
        not english or word.group(2) is not None or word.group(1).lower() not in _english_months()
    )


@lru_cache(maxsize=1)
def _english_months() -> frozenset[str]:
    from babel.dates import get_month_names

    return frozenset(n.lower() for n in get_month_names("wide", locale="en").values())


@lru_cache(maxsize=1)
def english_calendar_words() -> frozenset[str]:
    """English month and weekday names, whole and abbreviated, lower case, without a stop
    ("march", "mar", "friday", "fri"; babel's CLDR data)."""
    from babel.dates import get_day_names, get_month_names

    names: set[str] = set()
    for width in ("wide", "abbreviated"):
        names |= {n.lower().strip(".") for n in get_month_names(width, locale="en").values()}
        names |= {n.lower().strip(".") for n in get_day_names(width, locale="en").values()}
    return frozenset(names)
