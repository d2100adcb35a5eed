"""Two-part questions: split into their parts, and answered with a phrase per part."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.answer.question_parts import question_parts
from tests.support.folders import docs_qa


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "When and where was the crane contract signed?",
            ["When was the crane contract signed?", "Where was the crane contract signed?"],
        ),
        (
            "How much do the cranes cost and when will they arrive?",
            ["How much do the cranes cost?", "When will they arrive?"],
        ),
        (
            "Who is Nordvik's chief executive, and who is its chief financial officer?",
            ["Who is Nordvik's chief executive?", "Who is its chief financial officer?"],
        ),
        # one question: a verb pair, a short tail, names joined by "and", no question at all
        ("Who designed and built the bridge?", ["Who designed and built the bridge?"]),
        (
            "How many cranes did Rosvik order and from whom?",
            ["How many cranes did Rosvik order and from whom?"],
        ),
        ("What did Magrathea and Wogen sign?", ["What did Magrathea and Wogen sign?"]),
        ("When and when?", ["When and when?"]),
        # a break-test's wrong splits: a free relative, a title, an uninverted clause, a list
        (
            "What is the relationship between wages and what dock workers can buy?",
            ["What is the relationship between wages and what dock workers can buy?"],
        ),
        (
            'Who directed "Love and Where It Leads Us"?',
            ['Who directed "Love and Where It Leads Us"?'],
        ),
        (
            "Who decides how much the fare is and when it changes?",
            ["Who decides how much the fare is and when it changes?"],
        ),
        (
            "How many ships and how many cranes did the port buy?",
            ["How many ships and how many cranes did the port buy?"],
        ),
        (
            "Which firm licensed its technology to Minago, and which UK trader partnered with it?",
            [
                "Which firm licensed its technology to Minago?",
                "Which UK trader partnered with it?",
            ],
        ),
        (
            "Tell me who founded it and when it was founded",
            ["Tell me who founded it and when it was founded"],
        ),
    ],
)
def test_the_parts_of_a_question(question: str, parts: list[str]) -> None:
    assert question_parts(question) == parts


def test_a_two_part_question_leads_with_a_phrase_per_part(make_qa, tmp_path: Path) -> None:
    """A break-test: "How much ... and when ...?" led with the amount only (the phrase of the
    whole question answers one part); it leads with both, each inside its citation."""
    text = (
        "# Rosvik orders new cranes\n\nThe port of Rosvik signed a contract for two new cranes"
        " with Liebherr on Tuesday. The cranes cost 12 million euros and will arrive in March"
        " 2025. Port director Anna Berg said the cranes would double the port's capacity.\n"
    )
    qa, _ = docs_qa(make_qa, tmp_path, {"cranes.md": text})
    answer = qa.ask("How much do the cranes cost and when will they arrive?")
    lead = answer.text.split("\n\n")[0]
    assert "12 million euros" in lead and "March 2025" in lead, answer.text
    assert answer.short is not None and answer.short.text in lead
    cited = {c.id: c for c in answer.citations}
    for phrase in ("12 million euros", "March 2025"):
        marker = int(lead.split(phrase, 1)[1].split("[", 1)[1].split("]", 1)[0])
        assert phrase in cited[marker].quote
    for c in answer.citations:
        assert text[c.start : c.end] == c.quote
    one = qa.ask("How much do the cranes cost?")
    assert "March 2025" not in one.text.split("\n\n")[0]


def test_a_part_answered_by_another_sentence_cites_that_one(make_qa, tmp_path: Path) -> None:
    """A break-test: when the two facts stand in two sentences, only the first part was
    answered and the other sentence not even cited; the part is looked for on its own."""
    text = (
        "# Rosvik orders new cranes\n\nThe port of Rosvik signed a contract for two new cranes"
        " with Liebherr on Tuesday. The cranes cost 12 million euros. They will arrive in March"
        " 2025, the port said.\n"
    )
    qa, _ = docs_qa(make_qa, tmp_path, {"cranes.md": text})
    answer = qa.ask("How much do the cranes cost and when will they arrive?")
    lead = answer.text.split("\n\n")[0]
    assert "12 million euros" in lead and "March 2025" in lead, answer.text
    quotes = [c.quote for c in answer.citations]
    assert any("12 million euros" in q for q in quotes)
    assert any("March 2025" in q for q in quotes)
    for c in answer.citations:
        assert text[c.start : c.end] == c.quote
