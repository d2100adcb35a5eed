"""What kind of answer a question asks for, and whether a sentence holds one.

A question that asks for a sum of money, a percentage, a day, a date or time, a person or a
number is answered only by a sentence that holds one: "How much did Minago pay for the
licence?" is not answered by a sentence without a currency amount, however similar it is.
Rules are tried in order; the first that matches names the type.
"""

from __future__ import annotations

import re

__all__ = ["AnswerType", "answer_type", "holds"]

AnswerType = str  # "person" | "money" | "percent" | "day" | "date" | "number"

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
    ("percent", re.compile(r"\b(percent|percentage|stake|proportion|share of|in percent)\b|%", _I)),
    (
        "day",
        re.compile(r"\b(on what (date|day)|what (date|day)|which (date|day)|exact date)\b", _I),
    ),
    (
        "date",
        re.compile(
            r"\b(when|what year|which year|what month|which month|what time|at what (time|hour))\b",
            _I,
        ),
    ),
    (
        "number",
        re.compile(
            r"\b(how (much|many|large|big|heavy|high|far|long|strong|powerful|dense)|by how much|"
            r"what (amount|number|quantity|volume|voltage|power density|capacity|weight|size|"
            r"tonnage))\b",
            _I,
        ),
    ),
]
_MONTH = (
    r"(January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
)
# words that make a two-word capitalised run an organisation or a place, not a person's name
_NOT_PEOPLE = frozenset(
    [
        "Technologies",
        "Technology",
        "Nation",
        "House",
        "Development",
        "Magnesium",
        "Show",
        "Electronics",
        "Consumer",
        "Industry",
        "Survey",
        "Statement",
        "Events",
        "Group",
        "Company",
        "Corporation",
        "Inc",
        "Ltd",
        "Bank",
        "Market",
        "Metals",
        "Mining",
        "University",
        "Institute",
        "Association",
        "North",
        "South",
        "East",
        "West",
        "America",
        "Canada",
        "China",
        "United",
        "States",
        "Kingdom",
        "Union",
    ]
)
_CAPITALISED_RUN = re.compile(r"\b[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)+\b")
_SENTENCE_RULES: dict[AnswerType, re.Pattern[str]] = {
    "money": re.compile(
        r"(\$|US\$|\bUSD\b|€|£|¥|\bEUR\b|\byuan\b|\bRMB\b|\bdollars?\b|"
        r"\beuros?\b|\bpounds sterling\b)"
    ),
    "percent": re.compile(r"\d\s?%|\bper ?cent\b", _I),
    "day": re.compile(
        rf"{_MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}\s+{_MONTH}|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
    ),
    "date": re.compile(rf"\b(1[89]\d\d|20\d\d)\b|\b{_MONTH}\b|\b\d{{1,2}}:\d{{2}}\b"),
    "number": re.compile(r"\d"),
}


def answer_type(question: str) -> AnswerType | None:
    """The kind of answer ``question`` asks for, or None when it asks for no particular kind."""
    for kind, rule in _QUESTION_RULES:
        if rule.search(question):
            return kind
    return None


def holds(kind: AnswerType | None, sentence: str, question: str = "") -> bool:
    """True when ``sentence`` holds an answer of ``kind`` (a person not named in the question)."""
    if kind is None:
        return True
    if kind == "person":
        return any(name not in question for name in _names(sentence))
    return _SENTENCE_RULES[kind].search(sentence) is not None


def _names(sentence: str) -> list[str]:
    """Runs of exactly two capitalised words with no organisation or place word: "Lemon Zhao"."""
    runs = (m.group(0).split() for m in _CAPITALISED_RUN.finditer(sentence))
    return [" ".join(r) for r in runs if len(r) == 2 and not _NOT_PEOPLE.intersection(r)]
