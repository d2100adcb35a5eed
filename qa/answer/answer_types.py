"""What kind of answer a question asks for, and whether a sentence holds one.

A question that asks for a sum of money, a percentage, a day, a date or time, a person, a number
or a name ("which carmaker...?") is answered only by a sentence that holds one: "How much did
Minago pay for the licence?" is not answered by a sentence without a currency amount, however
similar it is.
Rules are tried in order; the first that matches names the type.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from qa.answer.people import person_spans
from qa.currencies import currencies, sum_marks, trie

__all__ = [
    "CALENDAR_DAY",
    "AnswerType",
    "answer_type",
    "holds",
    "holds_calendar_day",
    "in_calendar_day",
    "new_names",
    "new_people",
]

AnswerType = str  # "person" | "money" | "percent" | "day" | "date" | "number" | "name"

_I = re.IGNORECASE
_QUESTION_RULES: list[tuple[AnswerType, re.Pattern[str]]] = [
    (
        "person",
        re.compile(
            r"\b(who (is|was|are|were) (the )?(ceo|chief|founder|co-founder|president|chair\w*|"
            r"director|head|manager|spokes\w+)|name of the (person|contact|ceo|founder)|"
            r"which (person|executive))\b",
            _I,
        ),
    ),
    (
        "money",
        re.compile(
            r"\b(price|prices|cost|costs|revenue|revenues|valuation|salary|budget|turnover|"
            r"profits?|paid|pay|spend|spent|how much money|what sum)\b",
            _I,
        ),
    ),
    (
        # "share of" as in "a share of sales", not "earnings per share of Kestrel"
        "percent",
        re.compile(r"\b(percent|percentage|stake|proportion|(?<!per )share of|in percent)\b|%", _I),
    ),
    (
        "day",
        re.compile(r"\b(on what (date|day)|what (date|day)|which (date|day)|exact date)\b", _I),
    ),
    (
        # before "date": "How many seconds were left when..." asks for a number, not a time
        "number",
        re.compile(
            r"\b(how (much|many|large|big|heavy|high|far|old|strong|powerful|dense)|by how much|"
            r"what (amount|number|quantity|volume|voltage|power density|capacity|weight|size|"
            r"tonnage|age)|in (metric )?(tonnes|tons|kilograms|kg|kw|kilowatts|mw|megawatts|"
            r"watts|volts|kilomet(re|er)s|km|met(re|er)s|miles|hours))\b",
            _I,
        ),
    ),
    (
        # "when" opens the question ("What does he do when...?" asks for no time)
        "date",
        re.compile(
            r"^\W*((and|so|but) )?when\b|\b((since|until|till) when|(what|which|in what|in which) "
            r"(year|month|decade|century)|(what|at what) (time|hour))\b",
            _I,
        ),
    ),
    (
        # which company, country, carmaker...: a proper name, checked last ("which year" asks
        # for a date, "how many countries" for a number). Not "who": "Who oversees a pharmacy
        # technician?" is answered by "senior pharmacy technicians"
        "name",
        re.compile(
            # up to two words between, not a verb: "What does the company produce?" asks no name
            r"\b(which|what)(?! (type|kind|sort)s? of)(?: (?!(?:do|does|did|is|are|was|were|"
            r"has|have|had|will|would|can|could|should|may|might)\b)[\w-]+){0,2}? "
            r"(compan(y|ies)|firms?|carmakers?|automakers?|manufacturers?|makers?|suppliers?|"
            r"traders?|producers?|brands?|countr(y|ies)|nations?|provinces?|states?|cit(y|ies)|"
            r"towns?|teams?|universit(y|ies)|organi[sz]ations?|agenc(y|ies)|banks?|investors?|"
            r"partners?|players?|newspapers?|rivers?|islands?|continents?|regions?|counties|"
            r"languages?|dynast(y|ies)|empires?|tribes?|models?)\b",
            _I,
        ),
    ),
]
_MONTH = (
    r"(January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
)
_ON_WEEKDAY = (
    r"\b(on|last|next|this|by|until|till|since|from|before|after|early|late)\s+"
    r"(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b"
)
# a day of the calendar: "Jan 15", "January 15th", "15 January", "15th of January",
# "2026-01-15", "01/15/2026", "15.01.2026", "2026/01/15" (not "on Monday", not "1.5.2")
CALENDAR_DAY = (
    rf"{_MONTH}\s+\d{{1,2}}(st|nd|rd|th)?\b|\b\d{{1,2}}(st|nd|rd|th)?\s+(of\s+)?{_MONTH}|"
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/(1\d|20)\d\d\b|\b\d{1,2}\.\d{1,2}\.(1\d|20)\d\d\b|"
    r"\b(1\d|20)\d\d/\d{1,2}/\d{1,2}\b"
)
_CALENDAR_DAY_RE = re.compile(CALENDAR_DAY)
# one to ninety-nine in words: "fifteen" trawlers and "six" staff are numbers
_CARDINAL = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"(?:thir|four|fif|six|seven|eigh|nine)teen|(?:twen|thir|for|fif|six|seven|eigh|nine)ty"
)
_SENTENCE_RULES: dict[AnswerType, re.Pattern[str]] = {
    "percent": re.compile(
        r"\d\s?%|\bper ?cent\b|\b(half|quarter|third|majority)\b|"
        # a fraction in words is a share of something: "a fifth of sales", not "a fifth time"
        rf"\b(a|{_CARDINAL})[ -](third|quarter|fifth|sixth|seventh|eighth|ninth|tenth)s?\s+of\b",
        _I,
    ),
    "day": re.compile(rf"{CALENDAR_DAY}|(?i:{_ON_WEEKDAY})"),
    "date": re.compile(
        rf"\b(1\d{{3}}|20\d\d)s?\b|\b\d{{1,4}}\s?(BC|BCE|AD|CE|BP)\b|\b{_MONTH}(?=\s+\d)|"
        rf"\b(January|February|March|April|June|July|August|September|October|November|"
        rf"December)\b|\b\d{{1,2}}:\d{{2}}\b|\b\d{{1,2}}(st|nd|rd|th)[- ]centur(y|ies)\b|"
        rf"\b(centur(y|ies)|decades?|years? ago|(spring|summer|autumn|fall|winter) of)\b|"
        # news dates an event by its weekday: "voted on Tuesday" (not "The Sunday Times")
        rf"{_ON_WEEKDAY}",
        _I,
    ),
    "number": re.compile(
        rf"\d|\b({_CARDINAL}|hundreds?|thousands?|millions?|"
        r"billions?|dozens?|several|many|few|none|half|once|twice|single|couple)\b",
        _I,
    ),
}


# a question whose first question word is who, when, where, why or how many asks for that,
# whatever money words it holds ("Who proposed the budget?", "How many days did she spend...?")
_FIRST_ASKS = re.compile(
    r"\b(who|whom|whose|when|where|why|what|which|how (?:much|many|long|often))\b", _I
)
_BY_HOW_MUCH = re.compile(r"\bby how much\b", _I)
# "What pay rise did they accept?" asks for a change of an amount, often a percentage
_CHANGE_OF_AMOUNT = re.compile(
    r"\b(price|cost|revenue|salary|budget|turnover|profit|pay|wage|spending)s?\s+"
    r"(rise|increase|raise|hike|cut|growth|fall|drop|decline|reduction)s?\b",
    _I,
)
_NOT_AMOUNT = {"who", "whom", "whose", "when", "where", "why", "how many", "how long", "how often"}


@lru_cache(maxsize=256)
def answer_type(question: str) -> AnswerType | None:
    """The kind of answer ``question`` asks for, or None when it asks for no particular kind.

    Remembered: the reader's scoring, its choice and ``quantity_asked`` all ask it of one
    question."""
    first = _FIRST_ASKS.search(question)
    other = first is not None and first.group(1).lower() in _NOT_AMOUNT
    # "By how much did costs rise?" asks for a change, often a percentage, not for a sum
    other = other or _BY_HOW_MUCH.search(question) is not None
    other = other or _CHANGE_OF_AMOUNT.search(question) is not None
    for kind, rule in _QUESTION_RULES:
        if kind == "money" and other:
            continue
        if rule.search(question):
            return kind
    return None


@lru_cache(maxsize=1)
def _money() -> re.Pattern[str]:
    """A sum of money: a currency sign (Unicode's), an ISO 4217 code of the most traded
    currencies, a currency's English name as CLDR gives it (babel: "zloty"/"zlotys",
    "forint", "dirham", "hryvnia", ...) or news writes it ("crowns", "pence"), or, next
    to a number, the code or own symbol of any currency in use ("USD12m", "PLN 48 million",
    "48 mil. Kč", "12,50 zł", "450 kr"; ``qa.currencies``)."""
    cur = currencies()
    words = trie(cur.names)
    marks = sorted({*cur.codes, *cur.symbols})
    scales = trie(cur.scales)
    # before a number: "USD12m", "PLN 48 million", "Rp 5.000"; a lookbehind per length of
    # mark, with a space or without (Python's lookbehinds are of fixed width). The number must
    # read as a sum, with a scale word, a decimal part, thousands marks or five digits: a code
    # before a small number is most often something else ("COP 28", "RON 95", "AED 5 units")
    shaped = (
        rf"(?=\d{{1,3}}(?:[.,]\d{{3}})+(?!\d)|\d+[.,]\d+|\d{{5}}|"
        rf"\d[\d.,]*\s?(?i:{scales})\.?(?!\w))"
    )
    lengths = sorted({len(m) for m in marks})
    before = "|".join(
        rf"(?<=(?<!\w){trie([m for m in marks if len(m) == n])}{space})"
        for n in lengths
        for space in ("", r"\s")
    )
    # after a number, a name in any case ("12 million Euros", "310 MILLION CROWNS"), a code or
    # symbol as written ("120 Kč", "48 mln zł", "5 PLN")
    after = (
        rf"(?i:\d[\d.,]*+\s*(?:(?:{scales})\.?\s+)?"
        rf"(?:(?:{words})\b|(?-i:{trie(marks)})(?!\w)))"
    )
    # both tried at a number's first digit only (as fast as the English names alone were)
    return re.compile(
        rf"[{cur.signs}]|\b(USD|EUR|GBP|JPY|CNY|RMB|CHF|INR|CAD|AUD|HKD|SGD|SEK|NOK|DKK|"
        rf"RUB|BRL|MXN|ZAR|KRW)\b|\b({words})\b|(?=\d)(?<!\d)(?:(?:{before}){shaped}\d|{after})"
    )


@lru_cache(maxsize=1)
def _sum() -> re.Pattern[str]:
    """A whole sum as written: its currency (sign, symbol, code or name), number and scale
    word ("R$80 million", "EUR 5bn", "48 mil. Kč", "310 million crowns")."""
    cur = currencies()
    marks = sum_marks()
    scales = trie(cur.scales)
    number = r"\d(?:[\d.,]*\d)?"
    scale = rf"(?:\s?(?i:{scales})\.?(?!\w))?"
    return re.compile(
        rf"(?:(?<!\w)(?:{marks})|[{cur.signs}])\s?{number}{scale}|"
        rf"{number}{scale}\s?(?:(?:{marks})(?!\w)|[{cur.signs}]|"
        rf"(?i:{trie(cur.names)})\b)"
    )


def load_money_rule() -> None:
    """Build the money rule now (CLDR's ~150 locales: ~0.3 s) rather than on the first
    question that asks for a sum."""
    _money()
    _sum()


def money_extent(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` of ``text`` widened to each whole sum it overlaps: "EUR 5bn" for "5bn",
    "48 mil. Kč" for "48 mil", "R$80 million" for "$80 million"."""
    for match in _sum().finditer(text):
        if match.start() < end and start < match.end():
            start, end = min(start, match.start()), max(end, match.end())
    return start, end


def _sentence_rule(kind: AnswerType) -> re.Pattern[str] | None:
    return _money() if kind == "money" else _SENTENCE_RULES.get(kind)


def holds(kind: AnswerType | None, sentence: str, question: str = "") -> bool:
    """True when ``sentence`` holds an answer of ``kind`` (a person not named in the question)."""
    if kind is None:
        return True
    if kind == "person":
        return bool(new_people(sentence, question))
    if kind == "name":
        return bool(new_names(sentence, question))
    rule = _sentence_rule(kind)
    return rule is not None and rule.search(sentence) is not None


def holds_calendar_day(text: str) -> bool:
    """True when ``text`` names a day of the calendar ("Jan 15", "15 January", "2026-01-15"),
    not only a weekday ("on Monday", which holds("day") also accepts)."""
    return _CALENDAR_DAY_RE.search(text) is not None


def in_calendar_day(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` overlaps a calendar day of ``text`` ("28" or "on February
    28" of "on February 28")."""
    return any(m.start() < end and start < m.end() for m in _CALENDAR_DAY_RE.finditer(text))


# sentence-initial words that are capitalised for being first, not for being names
_STARTERS = frozenset(
    [
        "a", "an", "the", "this", "that", "these", "those", "it", "its", "in", "on", "at",
        "of", "to", "by", "for", "from", "with", "as", "among", "after", "before", "during",
        "while", "when", "where", "although", "though", "since", "despite", "according",
        "however", "meanwhile", "moreover", "furthermore", "additionally", "also", "then",
        "thus", "therefore", "finally", "overall", "today", "yesterday", "there", "here",
        "they", "he", "she", "we", "i", "you", "our", "their", "his", "her", "one", "two",
        "three", "first", "last", "other", "another", "some", "many", "most", "all", "both",
        "each", "such", "if", "but", "and", "or", "so", "not", "no", "yes",
    ]
)  # fmt: skip
_WORD = re.compile(r"(?<![\w'’-])[A-Za-z][\w'’-]*")  # not "V" of "900V"


def new_names(sentence: str, question: str) -> list[str]:
    """Capitalised words of ``sentence`` the question does not contain: the candidates for a
    name it asks for. The first word counts unless it is a common opening word ("Among",
    "The")."""
    asked = {_bare(w).lower() for w in _WORD.findall(question)}
    found = []
    for n, match in enumerate(_WORD.finditer(sentence.lstrip(" \t[(\"'“"))):
        word = _bare(match.group(0))
        if not word[0].isupper() or word.lower() in asked:
            continue
        if n == 0 and word.lower() in _STARTERS:
            continue
        found.append(word)
    return found


def new_people(sentence: str, question: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each person ``sentence`` names whom ``question`` does not (as whole
    words, any case, less a possessive: "Johnson Matthey's" is named by "...of Johnson
    Matthey?", "Li" is not by "Lianhua")."""
    found = []
    for start, end in person_spans(sentence):
        name = re.escape(_bare(sentence[start:end]))
        if not re.search(rf"(?<!\w){name}(?!\w)", question, _I):
            found.append((start, end))
    return found


def _bare(word: str) -> str:
    """``word`` without a possessive "'s"."""
    return word.removesuffix("'s").removesuffix("’s")


# ---- quantities: "how many tonnes", "in kilograms", "per year" --------------------------------
_UNIT_GROUPS: dict[str, str] = {
    "tonne": r"(giga|mega|kilo)?(tonnes?|tons?)\b|mt\b|t\b",
    "kilogram": r"(kilo(gram)?s?|kg)\b",
    "gram": r"(grams?|g)\b",
    "kilowatt": r"(kilowatts?|kw)\b",
    "megawatt": r"(megawatts?|mw)\b",
    "watt": r"(watts?|w)\b",
    "volt": r"(volts?|v)\b",
    "kilometre": r"(kilomet(re|er)s?|km2?)\b",
    "metre": r"(met(re|er)s?|m)\b",
    "mile": r"(miles?|mi2?)\b",
    "hour": r"(hours?|hrs?|h)\b",
    "year": r"(years?|yrs?)\b",
    "employee": r"(employees?|workers?|staff|people|jobs?|employment)\b",
    "job": r"(jobs?|positions?|employment)\b",
}
_UNIT_ALIASES = {
    "ton": "tonne", "tons": "tonne", "tonnes": "tonne", "mt": "tonne",
    "kilograms": "kilogram", "kg": "kilogram", "kilos": "kilogram",
    "grams": "gram", "kilowatts": "kilowatt", "kw": "kilowatt", "megawatts": "megawatt",
    "mw": "megawatt", "watts": "watt", "volts": "volt", "kilometres": "kilometre",
    "kilometers": "kilometre", "km": "kilometre", "metres": "metre", "meters": "metre",
    "miles": "mile", "hours": "hour", "years": "year", "employees": "employee",
    "workers": "employee", "staff": "employee", "jobs": "job",
}  # fmt: skip
# a number in figures or in words ("six staff" states a number of employees as "6 staff" does)
_NUMBER_WORD = (
    rf"\b(?:(?:{_CARDINAL})(?:-(?:one|two|three|four|five|six|seven|eight|nine))?|"
    r"a dozen|dozens of|hundreds of)\b"
)
# a whole number only (no match from inside one: linear on long digit runs)
_NUMBER = (
    rf"(?:(?<![\d.,])\d[\d,.]*+|{_NUMBER_WORD})(\s*(hundred|thousand|million|billion|bn|m|k))?"
)
_HOW_MANY = re.compile(
    r"\bhow many ((?:[\w-]+ ){0,3}?[\w-]+?)(?= (?:of|do|does|did|is|are|was|"
    r"were|has|have|had|will|would|can|could|should|in|at|per|for|on)\b|\?|$)",
    _I,
)
_IN_UNIT = re.compile(r"\bin ([a-z]+)\b(?!\s*\d)", _I)  # "in kilograms", not "in year 2023"
_PER = re.compile(
    r"(?:\b(?:per|a|each|every) |(?<=\w)/)(year|annum|month|day|tonne|ton|kilogram|kg|hour)\b", _I
)  # "per year", "a tonne", "kW/kg"
# "a" after an auxiliary or "of"/"for" opens a noun phrase: "How much does a day pass cost?" and
# "the price of a day pass" ask for no rate ("eat in a day", "passengers a year" do)
_ARTICLE_OF_A_NOUN = re.compile(
    r"\b(do|does|did|is|are|was|were|will|would|can|could|should|has|have|had|of|for) a $", _I
)
_RATE_WORDS = {
    "year": r"per (year|annum)|a year|each year|every year|annual(ly)?|yearly|/\s?(year|yr|a)\b|"
    r"\btpa\b|\bmtpa\b|per-year",
    "annum": r"per (year|annum)|a year|annual(ly)?|yearly|/\s?(year|yr|a)\b|\btpa\b",
    "month": r"per month|a month|monthly|/\s?month",
    "day": r"per day|a day|daily|/\s?day|\btpd\b",
    "tonne": r"per (tonne|ton|mt|t)\b|/\s?(tonne|ton|mt|t)\b",
    "kilogram": r"per (kilogram|kg)\b|/\s?kg\b",
    "hour": r"per hour|an hour|/\s?h\b|hourly",
}


@dataclass(frozen=True)
class QuantityAsked:
    """What a question asks a quantity to be: per which units (rates), in which units."""

    rates: tuple[str, ...] = ()  # keys of _RATE_WORDS
    units: tuple[str, ...] = ()  # keys of _UNIT_GROUPS


def quantity_asked(question: str) -> QuantityAsked:
    """The rates and units ``question`` asks for. Only questions that ask for a quantity ask
    for any ("Who became CEO a year later?" asks for none)."""
    if answer_type(question) not in ("money", "number", "percent"):
        return QuantityAsked()
    rates = tuple(
        _UNIT_ALIASES.get(m.group(1).lower(), m.group(1).lower())
        for m in _PER.finditer(question)
        if not _ARTICLE_OF_A_NOUN.search(question, 0, m.start() + 2)
    )
    counted = _HOW_MANY.search(question)
    # "how many passengers a year": "a year" is one of the rates, not the counted unit
    words = re.sub(r"\b(a|per|each|every) \w+", "", counted.group(1)).split() if counted else []
    wanted = [_UNIT_ALIASES.get(w.lower(), w.lower()) for w in _IN_UNIT.findall(question) + words]
    return QuantityAsked(rates, tuple(w for w in wanted if w in _UNIT_GROUPS))


def quantity_fits(asked: QuantityAsked, sentence: str, *, row: bool = False) -> bool:
    """False when the sentence does not state the quantity ``asked`` for, in its unit or per
    its unit: "How many jobs...?" against "111 million mt of dolomite", "How much per year...?"
    against a total."""
    for rate in asked.rates:
        if not re.search(_RATE_WORDS[rate], sentence, _I):
            return False
    return states_unit(asked, sentence, row=row)


def states_unit(
    asked: QuantityAsked, text: str, *, leading: bool = False, row: bool = False
) -> bool:
    """True when ``text`` states a number in one of the units ``asked`` for (or none is asked):
    "900 permanent jobs" for "How many jobs...?"; a rate such as "3.1 kW/kg" only when the
    question asks a rate. With ``leading``, that number must be the first of ``text`` (within
    its first three words: "about 900 jobs"), as an answer phrase's is. With ``row``, ``text``
    is a table row read against its header, so the unit may be in the column's name."""
    if asked.units:
        # "in kW" is not answered by "3.1 kW/kg", a rate, unless the question asks a rate
        # ("30,000 t/year" is still a number of tonnes)
        rate = (
            "" if asked.rates else r"(?!\s*/\s*(?!(?:year|yr|a|annum|month|day|d|h|hour)\b)[a-z])"
        )
        # up to two lower-case words may stand between: "900 permanent jobs", "six new staff";
        # in a table ``row`` read with its column's name after each value, any words: "27,900
        # Recycled tonnes 2023"
        between = r"(?:[\w-]+\s+){0,2}?" if row else r"(?-i:(?:[a-z][a-z-]*\s+){0,2}?)"
        start = r"^\W*(?:[^\W\d]+\s+){0,2}?" if leading else ""
        return any(
            re.search(
                rf"{start}{_NUMBER}\s*{between}((square|sq\.?|cubic)\s*)?({_UNIT_GROUPS[u]}){rate}",
                text,
                _I,
            )
            for u in asked.units
        )
    return True


# ---- the subject: "What was InfiMotion's revenue?" is not answered by Magrathea's $10 million ----
_NAME = re.compile(r"\b[A-Z][\w-]*[A-Za-z0-9]")
QUANTITY_TYPES = frozenset(["money", "number", "percent", "date", "day"])


def named_subjects(question: str, texts: list[str]) -> list[str]:
    """Names in ``question`` that the corpus knows: capitalised words (not the first, not a
    short acronym such as "EU", which texts often spell out) that appear, capitalised, in one
    of ``texts``."""
    names = []
    for match in _NAME.finditer(question):
        name = match.group(0)  # no possessive: _NAME stops before an apostrophe
        if match.start() == 0 or (name.isupper() and len(name) <= 4):
            continue
        if any(re.search(rf"\b{re.escape(name)}\b", text) for text in texts):
            names.append(name)
    return names


def subject_fits(names: list[str], passage: str) -> bool:
    """True when ``passage`` (the chunk around a candidate sentence) mentions one of the
    question's ``names``, or the question names none."""
    return not names or any(re.search(rf"\b{re.escape(n)}\b", passage, _I) for n in names)


# a sum, number, percentage or date further than this many words from every word the question
# shares with its sentence answers something else in that sentence (on XQuAD's 238 typed
# questions the answer is at most 14 words from one, on the article's dev questions 10)
ANSWER_GAP = 20
_TOKEN = re.compile(r"\S+")


def answer_near(
    kind: AnswerType | None,
    sentence: str,
    question_terms: set[str],
    tokenize: Callable[[list[str]], list[list[str]]],
    gap: int = ANSWER_GAP,
) -> bool:
    """True unless every answer of ``kind`` (a quantity or a date) in ``sentence`` lies more than
    ``gap`` words from every word of the sentence that the question uses.

    "When did the US designate magnesium as a critical mineral?" is not answered by a 50-word
    sentence that names the designation first and a supply target "by 2029" at its end. Words
    are compared as ``tokenize`` (the lexical index's stemmer) gives them; a sentence that shares
    no word with the question, a paraphrase, is not judged.
    """
    rule = _sentence_rule(kind) if kind in QUANTITY_TYPES else None
    if rule is None or not question_terms:
        return True
    words = list(_TOKEN.finditer(sentence))
    shared = [
        n
        for n, stems in enumerate(tokenize([w.group() for w in words]))
        if question_terms & set(stems)
    ]
    if not shared:
        return True
    starts = [w.start() for w in words]
    for match in rule.finditer(sentence):
        at = max(0, bisect_right(starts, match.start()) - 1)
        if any(abs(at - n) <= gap for n in shared):
            return True
    return False


_QUESTION_WORD = re.compile(r"(?<![\w'’-])[^\W\d_][\w'’-]*")
# capitalised for starting a clause ("So, when...?", "Question: What...?"), not for being names
_CLAUSE_WORDS = frozenset(
    _WORD.findall(
        "what which who whom whose when where why how is are was were do does did can could will "
        "would should shall may might has have had in on at for of by from to and or but so "
        "please question name list give tell"
    )
)


def question_names(question: str) -> list[str]:
    """Capitalised words of ``question`` past its first word, without a possessive "'s" and
    other than question and clause words: the names it asks about ("Beyoncé", "Xbox", "CEO")."""
    words = list(_QUESTION_WORD.finditer(question))
    return [
        _bare(w.group())
        for w in words[1:]
        if w.group()[0].isupper() and len(w.group()) > 1 and w.group().lower() not in _CLAUSE_WORDS
    ]
