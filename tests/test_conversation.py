"""Follow-ups over a whole conversation: the entity tracker of qa/conversation.py, through the
rule itself, the API (``QA.chat``) and the CLI (``qa chat`` with piped stdin)."""

from __future__ import annotations

import json

import pytest

from qa.conversation import EntityTracker, condense_rule, entities_of
from tests.conftest import CORPUS, run_cli

# (question, standalone question the rule must give) for one conversation that switches subject
CONVERSATION = [
    ("Who is Magrathea's partner?", "Who is Magrathea's partner?"),
    ("What technology does it use?", "What technology does Magrathea use?"),
    ("How much dolomite does it have?", "How much dolomite does Magrathea have?"),
    ("What process has the Minago project introduced?", None),
    ("How much dolomite does it have?", "How much dolomite does Minago have?"),
    ("What did Yingfeimai Technology debut at CES?", None),
    ("Where does the company sell its products?", None),
    ("镁合金电驱动产品是什么？", None),
    ("What is the company's goal?", "What is Yingfeimai Technology's goal?"),
]


def rewrites(turns: list[tuple[str, str | None]]) -> list[str]:
    history: list[tuple[str, str]] = []
    out = []
    for question, _ in turns:
        out.append(condense_rule(history, question))
        history.append((question, ""))
    return out


def test_the_rule_follows_the_subject_across_the_turns() -> None:
    got = rewrites(CONVERSATION)
    assert got[:6] == [want or q for q, want in CONVERSATION[:6]]
    # "the company" and "its" both point back at the latest subject; no possessive is left
    assert got[6] == "Where does Yingfeimai Technology sell its products?"
    assert got[7] == CONVERSATION[7][0]  # a Chinese question is left alone
    assert got[8] == CONVERSATION[8][1]  # the subject survives a turn in another language
    assert not any("'s use" in q or "'s have" in q for q in got)


@pytest.mark.parametrize(
    "question",
    [
        "What is the price of magnesium in Europe?",  # stand-alone, no name of its own
        "How much working capital did Wogen provide?",  # names its own subject
        "镁的价格是多少？",
        "Quel est le prix du magnésium ?",
        "¿Cuánto cuesta el magnesio?",
    ],
)
def test_stand_alone_questions_are_left_alone(question: str) -> None:
    assert condense_rule([("What technology does Magrathea use?", "")], question) == question


def test_pronouns_and_determiners_resolve_without_a_possessive_left_behind() -> None:
    history = [("Who is Magrathea's partner?", "Wogen, a global metal trader.")]
    cases = {
        "What technology does it use?": "What technology does Magrathea use?",
        "What are its plans?": "What are Magrathea's plans?",
        "Where is the company based?": "Where is Magrathea based?",
        "What did this company's CEO say?": "What did Magrathea's CEO say?",
        "Who buys from them?": "Who buys from Magrathea?",
        "And the emissions?": "And the emissions? (Magrathea)",
        "How big?": "How big? (Magrathea)",
    }
    for question, want in cases.items():
        assert condense_rule(history, question) == want


def test_the_subject_is_the_entity_the_conversation_dwells_on() -> None:
    tracker = EntityTracker()
    tracker.observe("How much working capital did Wogen provide to Magrathea?", "")
    assert tracker.subject == "Magrathea"  # tie on mentions: the longer name
    tracker.observe("Does Wogen distribute for Magrathea?", "Magrathea sells through Wogen.")
    assert tracker.subject == "Magrathea"  # named in more turns
    assert entities_of("Is the Bank of England's rate up, says Reuters (UK)?") == [
        "Bank of England",
        "Reuters",
        "UK",
    ]


def test_he_and_she_mean_the_person_a_who_question_was_answered_with() -> None:
    """After "Who won the Westmarch mayoralty?" answered "Anna Laski [1] ...", "she" and "her"
    are Anna Laski (they were Westmarch, the only name the question held); "it" and "its"
    still mean the question's subject, and without a "Who" answer "he" keeps the subject."""
    history = [
        (
            "Who won the Westmarch mayoralty?",
            "Anna Laski [1]\n\nAnna Laski of the Civic Party won the Westmarch mayoralty [1].",
        )
    ]
    assert condense_rule(history, "What did she promise?") == "What did Anna Laski promise?"
    assert condense_rule(history, "What is her party?") == "What is Anna Laski's party?"
    assert condense_rule(history, "How many people live in it?") == (
        "How many people live in Westmarch?"
    )
    later = [*history, ("What did Anna Laski promise?", "Free buses [1]\n\n...")]
    assert condense_rule(later, "When will her buses run?") == ("When will Anna Laski's buses run?")
    where = [("Where is Wogen based?", "London [1]\n\nWogen is based in London [1].")]
    assert condense_rule(where, "What does he trade?") == "What does Wogen trade?"


def test_he_means_the_phrase_a_who_question_was_answered_with_when_it_names_no_one() -> None:
    """A break-test: "Who found the Roman coin hoard?" answered "metal detectorist [1]" left
    "How old is he?" as "How old is Roman?" (the question's only capitalised word), and after
    an earlier "Who...?" answered with a name, as that unrelated person."""
    found = ("Who found the Roman coin hoard?", "metal detectorist [1]\n\nA metal detectorist...")
    assert condense_rule([found], "How old is he?") == "How old is the metal detectorist?"
    earlier = ("Who discovered the comet?", "Dr Ilona Varga [1]\n\n...")
    assert condense_rule([earlier, found], "How old is he?") == (
        "How old is the metal detectorist?"
    )
    farmer = ("Who found the hoard at Hesketh Moor?", "A local farmer [1]\n\n...")
    assert condense_rule([farmer], "Where does she live?") == "Where does the local farmer live?"


def test_a_short_who_follow_up_is_about_the_thing_not_the_person() -> None:
    """A break-test: "Who came third?" after the winner and "What was her time?" got the
    winner's name added, and was answered from another article."""
    turns = [
        (
            "Who won the women's race at the Brackenford Marathon?",
            "Tsigereda Alemu [1]\n\n...",
        ),
        ("What was her time?", "2:31:07 [1]\n\n..."),
    ]
    assert condense_rule(turns, "Who came third?") == "Who came third? (Brackenford Marathon)"
    assert condense_rule(turns, "How fast?") == "How fast? (Tsigereda Alemu)"


def test_it_means_the_company_an_answer_named_not_the_person_before() -> None:
    """A break-test: after "Which company won the bridge contract?" answered "Hallstrom
    Engineering [1]", "it" was still the person of the turn before; and after "When will he
    take office?", "its" was the man, not the town."""
    turns = [
        ("Who leads the engineering department of Linmouth?", "Maria Okafor [1]\n\n..."),
        ("What did she say about the cost?", "42 million euros [1]\n\n..."),
        ("Which company won the bridge contract?", "Hallstrom Engineering [1]\n\n..."),
    ]
    assert condense_rule(turns, "How many workers will it hire?") == (
        "How many workers will Hallstrom Engineering hire?"
    )
    town = [
        ("Who won the Westmarch election?", "Henrik Solberg [1]\n\n..."),
        ("When will he take office?", "In May [1]\n\n..."),
    ]
    assert condense_rule(town[:1], "When will he take office?") == (
        "When will Henrik Solberg take office?"
    )
    assert condense_rule(town, "What was its turnout?") == "What was Westmarch's turnout?"


def test_a_question_about_the_piece_keeps_the_piece() -> None:
    """ "When was it published?" asks about the article, not the museum it is about (it was
    rewritten "When was Rosvik Maritime Museum published?"); "Who wrote the article?" names
    which article."""
    history = [("When did the Rosvik Maritime Museum reopen?", "In May [1]\n\n...")]
    assert condense_rule(history, "Who wrote the article?") == (
        "Who wrote the article about Rosvik Maritime Museum?"
    )
    assert condense_rule(history, "When was it published?") == (
        "When was the article about Rosvik Maritime Museum published?"
    )
    assert condense_rule(history, "Who wrote the article about the pier?") == (
        "Who wrote the article about the pier?"
    )


def test_a_role_content_history_is_read_as_turns() -> None:
    history = [
        {"role": "user", "content": "What did Yingfeimai Technology debut at CES?"},
        {"role": "assistant", "content": "Magnesium alloy electric drive products."},
        {"role": "user", "content": "Where did it show them?"},
        {"role": "assistant", "content": "At CES."},
    ]
    assert condense_rule(history, "Who makes its alloys?") == (
        "Who makes Yingfeimai Technology's alloys?"
    )


def test_qa_chat_follows_a_conversation_that_switches_subject(corpus_qa) -> None:
    history: list[tuple[str, str]] = []
    answers = []
    turns = [
        "What technology does Magrathea employ?",
        "What does it extract magnesium from?",
        "What process has the Minago project introduced?",
        "How much dolomite does it have?",
    ]
    for question in turns:
        answer = corpus_qa.chat(history, question)
        answers.append(answer)
        history.append((question, answer.text))
    assert answers[1].standalone_question == "What does Magrathea extract magnesium from?"
    assert "brine" in answers[1].text
    assert answers[2].standalone_question in (None, turns[2])
    assert answers[3].standalone_question == "How much dolomite does Minago have?"
    assert "111 million" in answers[3].text
    for answer in answers:
        assert answer.citations and not answer.abstained


def test_qa_chat_with_piped_stdin_greets_keeps_history_and_switches_subject(corpus_qa) -> None:
    lines = "\n".join(
        [
            "What technology does Magrathea employ?",
            "What does it extract magnesium from?",
            "What process has the Minago project introduced?",
            "How much dolomite does it have?",
            "exit",
            "never asked",
        ]
    )
    env = {"QA_HOME": str(corpus_qa.settings.home), "QA_CORPUS_DIR": str(CORPUS)}
    proc = run_cli("chat", "--json", env=env, input=lines + "\n", timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "qa chat:" in proc.stderr and "Ctrl-D" in proc.stderr and "exit" in proc.stderr
    answers = [json.loads(line) for line in proc.stdout.splitlines()]
    assert answers[0]["question"] == "What technology does Magrathea employ?"
    assert len(answers) == 4  # "exit" ended it: the line after was never asked
    assert answers[1]["standalone_question"] == "What does Magrathea extract magnesium from?"
    assert answers[3]["standalone_question"] == "How much dolomite does Minago have?"
    assert "111 million" in answers[3]["answer"]
