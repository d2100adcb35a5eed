"""When a document was published, so that of two reports that answer a question the newer is
cited first (a fire's 3 July report says 1,200 hectares have burned, its 9 July report 4,850).

A document's day comes from its metadata (an HTML page's published date, a front matter's
``date:``) or else from its dateline ("Highland Observer, 9 July 2025", "GENEVA, June 12, 2023
-"), read by dateparser, which knows the month names of 200 locales ("19. Juli 2023").
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from qa.answer.dateline import dateline, dateline_day
from qa.types import Hit

__all__ = ["document_day", "parse_day"]

_FIGURES_ONLY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}")


def document_day(hit: Hit) -> date | None:
    """The day ``hit``'s document was published, or None when neither its metadata nor a
    dateline of its first chunk (``hit`` itself, or ``hit.first_chunk``) gives a whole day."""
    for key in ("published", "date"):
        value = hit.document.get(key)
        if isinstance(value, str) and (day := parse_day(value)) is not None:
            return day
    first = hit if hit.index == 0 else hit.first_chunk
    if first is None:
        return None
    span = dateline(first)
    if span is None:
        return None
    line = first.span_text(*span)
    found = dateline_day(line)
    return parse_day(line[found[0] : found[1]]) if found else None


@lru_cache(maxsize=1024)
def parse_day(text: str) -> date | None:
    """The calendar day ``text`` names ("9 July 2025", "2025-07-09", "July 9th, 2025"), or
    None unless it gives the day, month and year; a day written in figures alone is read
    day first ("13/07/2025" is 13 July) unless the year leads (ISO 8601), and is no day when
    it reads either way ("03/07/2025": 3 July or 7 March)."""
    import dateparser

    stripped = text.strip()
    both = _FIGURES_ONLY.fullmatch(stripped)
    if both and both[1] != both[2] and int(both[1]) <= 12 and int(both[2]) <= 12:
        return None  # "03/07/2025": 3 July in London, 7 March in Houston
    settings = {"REQUIRE_PARTS": ["day", "month", "year"], "DATE_ORDER": "DMY"}
    if stripped[:4].isdigit():
        settings["DATE_ORDER"] = "YMD"
    found = dateparser.parse(stripped, settings=settings)  # type: ignore[arg-type]
    return found.date() if found is not None else None
