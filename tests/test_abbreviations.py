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
    ],
)
def test_no_expansion_when_it_is_not_one_or_not_only_one(name: str, question: str) -> None:
    assert spelled_out(name, question) is None
