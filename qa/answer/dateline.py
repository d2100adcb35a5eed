"""When was the article published? Its dateline says so.

News articles open with a dateline ("Jan 15, 2026 14:17") that no question about the
publication resembles, so the similarity-ranked reader misses it. A question about when the
piece itself came out is answered with the dateline of the document the question retrieves
best, unless the sentence the reader found itself speaks of the publication ("The report,
released on 3 March, ..."): a sentence that merely holds some date ("by 2029") does not.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from qa.answer.answer_types import CALENDAR_DAY, holds, holds_calendar_day
from qa.dates import day_month_year
from qa.lexical import terms
from qa.types import Hit

__all__ = [
    "PIECE_WORDS",
    "about_document",
    "dateline",
    "dateline_day",
    "is_publication_question",
    "speaks_of_publication",
    "top_line",
    "wire_dateline",
]

_I = re.IGNORECASE
_ASKS_WHEN = re.compile(r"^\W*when\b|\b(what|which|at what|on what) (date|day|time|hour)\b", _I)
_PUBLISHED_WORDS = (
    r"(published|released|posted|issued|dated|datelined|(came|come|go|went|put|gone) out|"
    r"appear(ed)?)"
)
_PUBLISHED = re.compile(rf"\b{_PUBLISHED_WORDS}\b", _I)
PIECE_WORDS = r"(article|report|piece|survey|story|column|feature|analysis|post)"
# any text up to the "?" that opens no clause of its own ("did the survey say the plant would
# come out...")
_NO_CLAUSE = (
    r"(?:(?!\b(say|says|said|expect|expects|expected|will|would|plan|plans|according)\b)[^?])*"
)
# the piece is what came out: "was the report ... published", "did the piece ... go out"
_PIECE_CAME_OUT = re.compile(
    rf"\b(was|were|is|did|does|has|had)\s+(the|this|that|its|\w+'s|\w+s')\s"
    rf"{_NO_CLAUSE}\b{PIECE_WORDS}\b{_NO_CLAUSE}\b{_PUBLISHED_WORDS}\b",
    _I,
)
# the words of a publication question that say nothing about which piece it is
_ABOUT_PUBLICATION = (
    "when what which on at was were is did does has had this that its out "
    "date day time hour minute published released posted issued dated datelined came come "
    "go went put gone appear appeared article report piece survey story column feature analysis "
    # and of an authorship question ("Who wrote the article about the tram?", qa.answer.byline)
    "who whom about by wrote written authored penned author writer reporter journalist "
    "correspondent"
)
_DAY_PHRASE = re.compile(rf"(?:{CALENDAR_DAY})(?:,?\s+(?:1\d{{3}}|20\d\d)\b)?")
# "14:17", "2:17 PM", and the time of an ISO datetime ("2024-03-14T09:30:00+01:00")
_TIME = re.compile(r"(?:\b|(?<=\dT))\d{1,2}:\d{2}(?:\s?[AaPp]\.?[Mm]\b\.?)?")
# the day of an ISO date or datetime, a front matter's "date: 2024-03-14T09:30:00+01:00"
_ISO_DAY = re.compile(r"\b(?:1\d{3}|20\d\d)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?=\b|T)")
_ASKS_TIME = re.compile(r"\b((what|which|at what) (time|hour)|hour and minute)\b", _I)
_DASHES = " -–—"  # what a wire dateline's end is stripped of: "ZURICH, August 3, 2023 -"
_YEAR_OR_TIME = re.compile(r"\b(1\d{3}|20\d\d)\b|\b\d{1,2}:\d{2}\b")
MIN_TOPIC_COVERAGE = 0.5  # share of the question's other terms the piece must contain
MAX_DATELINE_CHARS = 60
MAX_DATELINE_WORDS = 8  # "Published: Monday, January 15, 2026, 2:17 PM"
DATELINE_SENTENCES = 4  # the dateline is among the first sentences of the body


def is_publication_question(question: str) -> bool:
    """True for "When was the report published?", "What day did the piece go out?"; not for
    "When did the survey say the plant would come out of maintenance?"."""
    return bool(_ASKS_WHEN.search(question) and _PIECE_CAME_OUT.search(question))


def speaks_of_publication(sentence: str) -> bool:
    """True for a sentence that may say when a piece came out: a publishing word and a date."""
    return bool(_PUBLISHED.search(sentence)) and holds("date", sentence)


def about_document(question: str, texts: list[str]) -> bool:
    """True when ``texts`` (the retrieved text of one document) contain at least half of the
    terms the question uses to say which piece it means: "the piece on Magrathea" is about a
    document that names Magrathea, "the article on lithium" is not about a magnesium survey."""
    ignored = set(terms([_ABOUT_PUBLICATION])[0])
    wanted = set(terms([question])[0]) - ignored
    if not wanted:
        return True  # "When was the article published?": the best-retrieved one
    found = set(terms([" ".join(texts)])[0])
    return len(wanted & found) >= MIN_TOPIC_COVERAGE * len(wanted)


def top_line(first_chunk: Hit, is_line: Callable[[str], bool]) -> tuple[int, int] | None:
    """The span of the first of a document's first ``DATELINE_SENTENCES`` sentences (in its
    first chunk; headings left out) whose stripped text ``is_line`` accepts, or None: where a
    dateline or a byline (qa.answer.byline) stands."""
    seen = 0
    for sentence in first_chunk.sentences:
        text = first_chunk.span_text(sentence.start, sentence.end).strip()
        if text.startswith("#"):
            continue
        if is_line(text):
            return sentence.start, sentence.end
        seen += 1
        if seen >= DATELINE_SENTENCES:
            break
    return None


def dateline(first_chunk: Hit) -> tuple[int, int] | None:
    """The span of the dateline among the first sentences of a document's first chunk: a short
    line of a few words that holds a calendar day with its year or time ("Jan 15, 2026 14:17",
    "2026-01-15", "*Lyon, le 22 avril 2025*"), not a heading and not a sentence ("The final was
    played on 7 February 2016." ends as one); else a wire dateline that opens the first
    sentence and holds such a day ("GENEVA, June 12, 2023 - The festival..."), without the
    sentence."""
    # a dateline, or a byline that gives the day ("By Maris Tamm, Baltic Freight Journal, 9
    # January 2025": the day is read out of it, dateline_day)
    found = top_line(first_chunk, lambda text: _is_dateline(text) or _byline_day(text))
    if found is not None:  # less a wire dateline's dash: "ZURICH, August 3, 2023 -"
        text = first_chunk.span_text(*found)
        return found[0], found[0] + len(text.rstrip(_DASHES))
    line = top_line(first_chunk, lambda text: _wire_day(text) is not None)
    if line is None:
        return None
    text = first_chunk.span_text(*line)
    end = _wire_day(text) or 0
    start = len(text) - len(text.lstrip())
    return line[0] + start, line[0] + len(text[:end].rstrip(_DASHES))


def _byline_day(text: str) -> bool:
    """Whether ``text`` is a byline that gives a calendar day with its year."""
    from qa.answer.byline import is_byline  # (byline reads this module's top lines)

    if not is_byline(text):
        return False
    if day_month_year().search(text) is not None:
        return True
    return _DAY_PHRASE.search(text) is not None and _YEAR_OR_TIME.search(text) is not None


def _wire_day(text: str) -> int | None:
    """``wire_dateline`` of ``text`` when that dateline holds a calendar day."""
    end = wire_dateline(text)
    return end if end is not None and _is_dateline(text[:end].strip(_DASHES)) else None


# "GENEVA, June 12, 2023 - ", "NEW YORK (Reuters) — ", "Paris, 12 June 2023 -- ": a place (in
# capitals, or followed by a day) and a dash before the sentence proper, as news agencies
# open a story
_WIRE = re.compile(
    r"^\s*(?:(?P<caps>[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+)*)|[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+)*)"
    r"(?:,? [A-Z][\w.]*)?(?: ?\([^()]{1,30}\))?(?P<day>,? [^-–—\n]{4,40}?)? ?(?:--|[-–—]) "
)


def wire_dateline(text: str) -> int | None:
    """Where a wire dateline that opens ``text`` ends (after its dash), or None: a place in
    capitals ("GENEVA -", "NEW YORK (AP) —"), or any place with a calendar day and its year
    ("Paris, 12 June 2023 --"), at most ``MAX_DATELINE_CHARS`` long."""
    match = _WIRE.match(text)
    if match is None or match.end() > MAX_DATELINE_CHARS:
        return None
    day = match.group("day")
    if match.group("caps") and len(match.group("caps").replace(" ", "")) >= 3:
        return match.end()
    if day and _is_dateline(day.strip(" ,")):
        return match.end()
    return None


def dateline_day(text: str, question: str = "") -> tuple[int, int] | None:
    """The span in a dateline ``text`` of what ``question`` asks of it: the time ("14:17")
    for "At what time...?", else the day with its year ("Jan 15, 2026", "January 15th, 2026",
    "19. Juli 2023"); None when the line gives none."""
    if _ASKS_TIME.search(question) and (time := _TIME.search(text)):
        return time.span()
    found = day_month_year().search(text) or _DAY_PHRASE.search(text) or _ISO_DAY.search(text)
    return found.span() if found else None


def _is_dateline(text: str) -> bool:
    short = len(text) <= MAX_DATELINE_CHARS and len(text.split()) <= MAX_DATELINE_WORDS
    # a calendar day with its year or time: "Strike begins on Monday" and "Strike to begin on
    # March 3" are headlines, not datelines
    day = (holds_calendar_day(text) and _YEAR_OR_TIME.search(text) is not None) or (
        day_month_year().search(text) is not None
    )
    return short and day and (not text.endswith((".", "!", "?")) or _names_a_day(text))


def _names_a_day(text: str) -> bool:
    """Whether ``text``, a short line ending with a stop, names an outlet and a day only
    ("Highland Observer, 9 July 2025."): no word of it outside the day is in lower case, as a
    sentence's are ("The final was played on 7 February 2016.")."""
    return text.endswith(".") and names_only(text)


def names_only(text: str) -> bool:
    """Whether no word of ``text`` outside its days is in lower case ("Highland Observer, 9
    July 2025. By Ailsa MacBride"; not "By March 14, 2025, the council must decide")."""
    rest = day_month_year().sub(" ", text)
    return re.search(r"(?<![\w'’-])[a-z]", rest) is None


def stands_above_headline(text: str) -> bool:
    """Whether ``text``, a plain-text file's first line, is a dateline of names and a day
    ("Tuesday, 8 July 2025", "Highland Observer, 9 July 2025. By Ailsa MacBride") rather than
    its headline."""
    return _is_dateline(text.rstrip(".")) and names_only(text)
