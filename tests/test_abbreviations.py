"""A table's abbreviated column names, spelled out as the question spells them."""

from __future__ import annotations

import pytest

from qa.answer.abbreviations import spelled_out


@pytest.mark.parametrize(
    ("name", "question", "spelled"),
    [
        ("Pts", "How many points do Castleton Athletic have?", "points"),
        ("GD", "What is Whitley Bay's goal difference?", "goal difference"),
        ("Rev.", "What was the revenue in Q3?", "revenue"),
        ("Qty", "What quantity of steel was shipped?", "quantity"),
        ("EPS", "What were earnings per share in 2024?", "earnings per share"),
        ("Avg", "What is the Average price?", "Average"),
        ("GA", "How many goals against have they conceded?", "goals against"),
        ("HS", "What was Tom Ashdown's highest score?", "highest score"),  # not "highest"
        ("PTS", "How many points do they have?", "points"),  # capitals, no initials
        ("Min", "What was the minimum temperature?", "minimum"),  # a word, shortened
        ("Avg cost", "What is the average cost of DELH?", "average cost"),
        ("Div Yld", "What is the dividend yield of Alder?", "dividend yield"),
    ],
)
def test_an_abbreviation_is_read_as_the_question_words_it_stands_for(
    name: str, question: str, spelled: str
) -> None:
    assert spelled_out(name, question) == spelled


@pytest.mark.parametrize(
    ("name", "question"),
    [
        ("W", "How many games have they won?"),  # one letter: won, week, weight...
        ("Pts", "How many points and parts?"),  # two words would fit
        ("Staff", "How many staff?"),  # a word, not an abbreviation
        ("Team", "How many points does the team have?"),  # the question's own word
        ("Pts", "Who scored the most goals?"),  # no word of the question
        ("GD", "What is the difference in goals?"),  # initials out of order
        ("GA", "How many goals did Bramley score?"),  # an initialism: "goals" is not GA
        ("Age", "What is the batting average of Jacksby?"),  # a word, not "average" shortened
        ("Lost", "What was the lowest price?"),
        ("No", "What is the number of members?"),
    ],
)
def test_no_expansion_when_it_is_not_one_or_not_only_one(name: str, question: str) -> None:
    assert spelled_out(name, question) is None
