"""Answer types: what a question asks for, and whether a sentence holds it."""

from __future__ import annotations

import pytest

from qa.answer.answer_types import answer_type, holds


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who is the CEO of Magrathea?", "person"),
        ("What did the licence cost Minago?", "money"),
        ("How much did Minago pay for the licence?", "money"),
        ("What ownership stake does TETRA hold?", "percent"),
        ("On what date was the deal signed?", "day"),
        ("When was the joint venture set up?", "date"),
        ("How many tonnes of dolomite are there?", "number"),
        ("Which company did InfiMotion partner with?", None),
        ("How much working capital did Wogen provide?", "number"),  # not "money": no fee word
        ("Can readers treat the figures as investment advice?", None),
    ],
)
def test_question_types(question: str, kind: str | None) -> None:
    assert answer_type(question) == kind


@pytest.mark.parametrize(
    ("kind", "sentence", "expected"),
    [
        ("money", "Magrathea secured $10 million in working capital.", True),
        ("money", "Minago plans to process 111 million mt of dolomite.", False),
        ("percent", "It cut carbon emissions by up to 98% compared to others.", True),
        ("percent", "The project is wholly owned by the Norway House Cree Nation.", False),
        ("day", "Jan 15, 2026 14:17", True),
        ("day", "The joint venture was set up in November 2025.", False),
        ("date", "The joint venture was set up in November 2025.", True),
        ("number", "It has a power density of 5.69 kW/kg.", True),
        ("person", "For queries, please contact Lemon Zhao at lemonzhao@smm.cn", True),
        ("person", "It signed with Big Blue Technologies (BBT).", False),
        (None, "Anything at all.", True),
    ],
)
def test_sentence_holds_the_kind_asked_for(kind: str | None, sentence: str, expected: bool) -> None:
    assert holds(kind, sentence) is expected


def test_a_person_named_in_the_question_is_not_the_answer() -> None:
    assert not holds("person", "Lemon Zhao wrote it.", "Who is the editor working with Lemon Zhao?")
