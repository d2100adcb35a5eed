"""Two-part questions are split into their parts; other questions stay whole."""

from __future__ import annotations

import pytest

from qa.answer.question_parts import question_parts


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "Who owns the Minago project, and who is Magrathea's partner?",
            ["Who owns the Minago project?", "Who is Magrathea's partner?"],
        ),
        ("Who owns it; what does it cost?", ["Who owns it?", "What does it cost?"]),
        ("Who owns it; and what does it cost?", ["Who owns it?", "What does it cost?"]),
        (
            "In which province is Minago based, and what does it mine?",
            ["In which province is Minago based?", "What does it mine?"],
        ),
        # a list that ends in a question word, not a second question
        ("They are large, spread-out, and what other characteristic?", None),
        ("How and when did the plague enter Europe?", None),  # one question, two wh-words
        ("Which US state and which Canadian province are named?", None),  # one predicate
        ("Who owns the Minago project?", None),
        ("Who owns the Minago project, and why?", None),  # "Why?" is no question alone
    ],
)
def test_question_parts(question: str, parts: list[str] | None) -> None:
    assert question_parts(question) == (parts or [question])
