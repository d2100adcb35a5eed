"""Short answers: the extractive reader leads with the answer phrase the span reader finds in the
sentence it cites ("$10 million [1]", then the sentence), in the API, the JSON of ``qa ask``
and the UI. What is asserted: the phrase is exact text of the cited span at its offsets, it is
shorter than the sentence, and it holds the fact's value (the value the shared cases give)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from qa.answer.span import best_span, whole_words
from qa.documents import load_file

CASES = Path(__file__).resolve().parent / "data" / "cases"


def _checked(qa, question: str):
    """Ask ``question``; check the short answer (if any) against the stored text."""
    answer = qa.ask(question)
    short = answer.short
    if short is not None:
        cited = answer.citations[short.citation - 1]
        text = load_file(qa.source_of(cited.doc_id)).text
        assert text[short.start : short.end] == short.text
        assert cited.start <= short.start < short.end <= cited.end
        assert len(short.text) < len(cited.quote)
        assert answer.text.startswith(f"{short.text} [{short.citation}]")
    return answer


def test_best_span_keeps_order_and_length() -> None:
    logits = np.array([[0.0, 0.0], [1.0, 9.0], [5.0, 0.5], [0.2, 2.0]], dtype=np.float32)
    (i, j), score = best_span(logits)  # end 1 scores 9 but lies before start 2
    assert (i, j) == (1, 1) and score == pytest.approx(10.0)
    (i, j), _ = best_span(np.array([[0, 0], [0, 0], [9, 0], [0, 0], [0, 9]], np.float32), 2)
    assert j - i < 2  # 2..4 would score 18 but is 3 tokens long
    assert best_span(np.zeros((1, 2), np.float32))[0] == (0, 0)


TEXT = "Set up in Ark November 2025, 4,300 tonnes, $10 million and Big Blue Technologies (BBT) ran."


@pytest.mark.parametrize(
    ("piece", "expected"),
    [
        ("November 202", "November 2025"),  # ends on a word piece
        ("vember 2025", "November 2025"),  # starts inside a word
        ("November 2025", "November 2025"),  # whole already
        ("300", "4,300"),  # a digit group
        ("4,3", "4,300"),
        ("10 million", "$10 million"),  # its currency sign
        ("Blue Technologies (BBT", "Blue Technologies (BBT)"),  # an opened bracket is closed
        ("Set", "Set"),
    ],
)
def test_a_span_is_widened_to_whole_words(piece: str, expected: str) -> None:
    start = TEXT.index(piece)
    first, last = whole_words(TEXT, start, start + len(piece))
    assert TEXT[first:last] == expected


MARKDOWN = "The nucleus is **4 kilometres** wide, seen from [Europe](https://x.example/eu)."


@pytest.mark.parametrize(
    ("piece", "expected"),
    [
        ("**4 kilometres", "4 kilometres"),
        ("4 kilometres**", "4 kilometres"),
        ("[Europe", "Europe"),
        ("Europe]", "Europe"),
        ("nucleus is **4", "nucleus is **4"),  # inside the phrase: its text as written
    ],
)
def test_markdown_marks_at_a_phrase_edge_are_left_out(piece: str, expected: str) -> None:
    start = MARKDOWN.index(piece)
    first, last = whole_words(MARKDOWN, start, start + len(piece))
    assert MARKDOWN[first:last] == expected


def test_a_bracket_that_does_not_close_in_the_sentence_is_dropped() -> None:
    text = "The plant (the largest in the region, by far the most modern of its kind anywhere. It"
    start = text.index("plant")
    first, last = whole_words(text, start, text.index("largest") + 7)
    assert text[first:last] == "plant"


def test_the_article_amount_is_led_by_its_phrase(corpus_qa) -> None:
    answer = _checked(corpus_qa, "How much working capital did Wogen provide?")
    assert answer.short is not None, [n.text for n in answer.notes]
    assert "10 million" in answer.short.text
    assert answer.to_dict()["short"]["text"] == answer.short.text


def _written_qa(make_qa, tmp_path: Path, name: str, text: str):
    """A default QA over one document ``name`` written with ``text``."""
    (tmp_path / name).write_text(text, encoding="utf-8")
    qa = make_qa()
    qa.ingest([tmp_path])
    return qa


def _case_qa(make_qa, tmp_path: Path, *files: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for f in files:
        shutil.copy(f, folder / f.name)
    qa = make_qa(mode="extractive")
    qa.ingest([folder])
    return qa


@pytest.mark.parametrize(
    ("files", "question", "value"),
    [
        (["pdf-ligatures/landings.pdf"], "How many trawlers are in the fleet?", "fifteen"),
        (
            ["pdf-line-wraps/dornhal.pdf"],
            "How much is the budget for the Dornhal pedestrian bridge?",
            "3.2 million euros",
        ),
        (["pdf-line-wraps/dornhal.pdf"], "Which company will build the bridge?", "Velde"),
        (
            ["off-corpus/bakery.md", "off-corpus/tram.md"],
            "When will the new tram line between Tornby and Ekvik open?",
            "2028",
        ),
        (
            ["markdown-table/results.md"],
            "What was Solvik Foods' revenue in Q3 2024?",
            "14.2",
        ),
        (["markdown-table/results.md"], "How many staff did Solvik Foods have in Q2 2024?", "215"),
        (
            ["html-boilerplate/ferry.html"],
            "How much will the adult ferry fare to Lindholm be?",
            "9 euros",
        ),
    ],
)
def test_case_values_lead_the_answer(
    make_qa, tmp_path: Path, files: list[str], question: str, value: str
) -> None:
    qa = _case_qa(make_qa, tmp_path, *(CASES / f for f in files))
    answer = _checked(qa, question)
    assert answer.short is not None and value in answer.short.text, (answer.text, answer.notes)


def test_short_answer_in_json_and_ui(corpus_qa, capsys) -> None:
    from ui.app import QAApp
    from ui.render import answer_html, sources_html

    answer = _checked(corpus_qa, "How much working capital did Wogen provide?")
    assert answer.short is not None
    app = QAApp(corpus_qa)
    sources = app.sources(answer)
    bubble, panel = answer_html(answer, sources), sources_html(answer, sources)
    # the phrase is a line of its own, and no blank line stands between it and the sentence
    assert '<div class="qa-sentence qa-short">' in bubble
    assert '</div><span class="qa-sentence">' in bubble
    assert f'<mark class="qa-short-span">{answer.short.text}</mark>' in panel
    data = json.loads(json.dumps(answer.to_dict()))
    assert set(data["short"]) == {"text", "citation", "start", "end", "margin"}


def test_a_count_leads_with_the_number_of_what_was_asked(make_qa, tmp_path: Path) -> None:
    """The phrase must count the unit the question names: not the loaves of the sentence
    when asked about jobs (a new-user test got "3,000"), and "900 permanent jobs" counts."""
    qa = _written_qa(
        make_qa,
        tmp_path,
        "plant.md",
        "# Bakery expands\n\nThe Hollin bakery bakes about 3,000 loaves a week, and its "
        "expansion would create about 900 permanent jobs in the town.\n",
    )
    answer = _checked(qa, "How many jobs will the bakery's expansion create?")
    assert not answer.abstained
    assert "900 permanent jobs" in answer.citations[0].quote
    assert answer.short is None or "3,000" not in answer.short.text


def test_a_person_is_recognised_in_the_sentence_not_in_the_phrase_alone(
    make_qa, tmp_path: Path
) -> None:
    """A one-word name is a person in its sentence ("is Okafor, a former radio presenter") but
    not alone: the phrase is the name, not a longer span around it (a break-test got "is
    Okafor" when the phrase was judged without its sentence)."""
    qa = _written_qa(
        make_qa,
        tmp_path,
        "festival.md",
        "# Harbour festival\n\nThe festival director is Okafor, a former radio presenter who "
        "uses only one name.\n",
    )
    answer = _checked(qa, "Who is the director of the harbour festival?")
    assert not answer.abstained
    assert answer.short is not None and answer.short.text == "Okafor"


UNIVERSITY = (
    "# Northbridge raises tuition\n\n"
    "NORTHBRIDGE, April 3, 2024 - Northbridge University will charge international students "
    "18,500 pounds for a year of tuition from September, up from 16,000 pounds. The board "
    "approved the plan after Baltic Forge Capital submitted a bid on February 28 to fund a "
    "new campus.\n"
)


def test_no_phrase_from_a_wire_dateline_or_a_day_as_a_count(make_qa, tmp_path: Path) -> None:
    """A new-user test: "When will the new tuition fees take effect?" got "April 3" from the
    wire dateline opening the sentence, and "How many bids...?" got the 28 of "February 28".
    The publication question gets the dateline, cited without the sentence."""
    qa = _written_qa(make_qa, tmp_path, "university.md", UNIVERSITY)
    prefix_end = UNIVERSITY.index(" - Northbridge University")
    answer = _checked(qa, "When will the new tuition fees take effect?")
    assert not answer.abstained
    if answer.short is not None:
        text = load_file(qa.source_of(answer.citations[0].doc_id)).text
        assert answer.short.start > text.index(" - Northbridge University")
    answer = _checked(qa, "How many bids did Baltic Forge Capital submit?")
    assert answer.short is None or "28" not in answer.short.text
    answer = _checked(qa, "When was the article about Northbridge University published?")
    assert not answer.abstained
    quote = answer.citations[0].quote
    assert "April 3, 2024" in quote and "Northbridge University will" not in quote
    assert len(quote) <= prefix_end


def test_a_wire_datelines_place_still_answers_where(make_qa, tmp_path: Path) -> None:
    """A break-test of the rule above: "In which city is the lakeside jazz festival?" had
    been answered "GENEVA" from the dateline, and lost it: only the dateline's day is kept
    out of phrases."""
    qa = _written_qa(
        make_qa,
        tmp_path,
        "festival.txt",
        "Jazz festival returns\n\nGENEVA, June 12, 2023 - The lakeside jazz festival will "
        "return for its 40th edition next month with 120 concerts across 9 stages, organisers "
        "said on Monday.\n",
    )
    answer = _checked(qa, "In which city is the lakeside jazz festival?")
    assert answer.short is not None and "GENEVA" in answer.short.text


def test_an_open_question_is_led_by_a_phrase_unless_switched_off(make_qa, tmp_path: Path) -> None:
    """A "What...?" question asks for no kind of thing (``answer_type`` is None); by default
    (``short_answer_open``) it is led by the span reader's phrase too, exact text inside the
    sentence it cites; switched off, the same answer comes without one."""
    from qa.answer.answer_types import answer_type

    question = "What will the Danish firm dredge?"
    assert answer_type(question) is None
    qa = _written_qa(
        make_qa,
        tmp_path,
        "harbour.md",
        "# Harbour works\n\nThe harbour authority of Brisk has hired a Danish firm to dredge the "
        "old fishing channel before the autumn storms.\n",
    )
    led = _checked(qa, question)
    assert not led.abstained and led.short is not None, (led.text, led.notes)
    plain = make_qa(short_answer_open=False).ask(question)
    assert plain.short is None and not plain.abstained
    assert [c.quote for c in plain.citations] == [c.quote for c in led.citations]


def test_a_german_answer_comes_without_a_phrase(make_qa, tmp_path: Path) -> None:
    """The span reader was trained on English only (its German and Spanish phrases were mostly
    wrong on XQuAD dev): a German question about a German article is answered with its
    sentence, led by no phrase; the same fact in English is led by one."""
    (tmp_path / "de").mkdir()
    (tmp_path / "de" / "molkerei.md").write_text(
        "# Neue Molkerei in Rodez\n\nDie Molkerei Belmont wird in ihrem neuen Werk in Rodez "
        "ab dem Frühjahr fünfundachtzig Mitarbeiter beschäftigen und 14 Millionen Euro "
        "investieren.\n",
        encoding="utf-8",
    )
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "dairy.md").write_text(
        "# New dairy in Rodez\n\nThe Belmont dairy will invest 14 million euros in its new "
        "plant in Rodez, which will employ eighty-five people from the spring.\n",
        encoding="utf-8",
    )
    german = make_qa()
    german.ingest([tmp_path / "de"])
    answer = _checked(german, "Wie viel investiert die Molkerei Belmont in Rodez?")
    assert not answer.abstained and "14 Millionen Euro" in answer.citations[0].quote
    assert answer.short is None
    english = make_qa(collection="english")
    english.ingest([tmp_path / "en"])
    answer = _checked(english, "How much will the Belmont dairy invest in Rodez?")
    assert answer.short is not None and "14 million euros" in answer.short.text


def test_the_language_identifier_is_checked_by_its_pinned_hash(monkeypatch) -> None:
    from qa.answer import language
    from qa.errors import ModelIntegrityError

    assert language.is_english("How much will the Belmont dairy invest in its new plant?")
    assert language.language("Wie viel investiert die Molkerei in ihr neues Werk?") == "de"
    monkeypatch.setattr(language, "_identifier", None)
    monkeypatch.setattr(language, "MODEL_SHA256", "0" * 64)
    with pytest.raises(ModelIntegrityError, match="language identifier"):
        language.load()


def test_the_phrase_comes_from_the_cited_sentence_that_holds_it(make_qa, tmp_path: Path) -> None:
    """Both sentences are cited and the first ranked names the other opponent: the answer is
    led by the second's phrase, cited [2] and highlighted inside it (each cited sentence is
    read; the phrase that clears its sentence's "no span" score by most leads)."""
    qa = _written_qa(
        make_qa,
        tmp_path,
        "broncos.md",
        "# Broncos reach the Super Bowl\n\nThe Broncos defeated the Pittsburgh Steelers in the "
        "divisional round, 23–16, by scoring 11 points in the final three minutes of the game. "
        "They then beat the defending Super Bowl XLIX champion New England Patriots in the AFC "
        "Championship Game, 20–18, by intercepting a pass on a 2-point conversion attempt with "
        "17 seconds left.\n",
    )
    answer = _checked(qa, "Who did the Broncos beat to become the AFC champions?")
    assert len(answer.citations) == 2, answer.text
    assert answer.short is not None and "New England Patriots" in answer.short.text
    assert answer.short.citation == 2
    assert answer.to_dict()["short"]["citation"] == 2
    from ui.app import QAApp
    from ui.render import sources_html

    panel = sources_html(answer, QAApp(qa).sources(answer))
    marked = f'<mark class="qa-short-span">{answer.short.text}</mark>'
    assert panel.count(marked) == 1
    # highlighted in the second source's quote, after the first source's
    assert panel.index(marked) > panel.index("Pittsburgh Steelers")


def test_no_phrase_from_an_english_second_sentence_when_the_first_is_not_english(
    make_qa, tmp_path: Path
) -> None:
    """The span reader reads the cited sentences from the first up to one that is not
    English: a German best sentence must not let an English sentence of another article lead
    the answer with its phrase (tests/data/mixed-language/README.md)."""
    folder = Path(__file__).resolve().parent / "data" / "mixed-language"
    docs = sorted(p for p in folder.iterdir() if p.name != "README.md")
    qa = _case_qa(make_qa, tmp_path, *docs)
    answer = _checked(qa, "Who warned of forest fires in the Upper Palatinate?")
    assert "Waldbränden" in answer.citations[0].quote, answer.text
    assert answer.short is None, answer.text
    # an English question about an English article of the same store still gets its phrase
    bridge = _checked(qa, "How much will the harbor bridge cost?")
    assert bridge.short is not None and "48 million" in bridge.short.text
    # a .txt headline ("Teenager wins national chess championship in Oslo") names the topic
    # as a Markdown heading does: it is not cited, and "Teenager" did not lead the answer
    chess = _checked(qa, "Who won the national chess championship in Oslo?")
    assert all(not c.quote.startswith("Teenager wins") for c in chess.citations), chess.text
    assert chess.short is not None and "Solberg" in chess.short.text, chess.text


def test_the_question_word_decides_what_is_asked(make_qa, tmp_path: Path) -> None:
    """Money words do not override who/when/how many, a weekday dates an event and a name in
    other Latin letters is a person (tests/data/question-words/README.md)."""
    folder = Path(__file__).resolve().parent / "data" / "question-words"
    docs = sorted(p for p in folder.iterdir() if p.name != "README.md")
    qa = _case_qa(make_qa, tmp_path, *docs)
    who = _checked(qa, "Who proposed the budget?")
    assert who.short is not None and "Angela Pruitt" in who.short.text, who.text
    votes = _checked(qa, "How many council members voted against the budget?")
    assert "five votes to two" in votes.citations[0].quote, votes.text
    when = _checked(qa, "When did the council vote to close the library?")
    assert not when.abstained and "Tuesday" in when.citations[0].quote, when.text
    ceo = _checked(qa, "Who is the CEO of Pagofácil?")
    assert ceo.short is not None and "Núñez" in ceo.short.text, ceo.text


def test_a_pronoun_is_answered_by_the_name_in_the_sentence_before(make_qa, tmp_path: Path) -> None:
    """A sentence whose best phrase is a pronoun ("He said the plant would start...") is cited
    together with the sentence before it, which names whom it means, and the answer leads with
    that name; within a paragraph and across one. A heading before the sentence is not read as
    its subject, and a phrase that is no name ("The plant") does not stand in for the pronoun.
    A company asked for is found through "It" too (the type rule reads the sentence before).
    The sentence's other phrases still lead their questions, from the sentence alone."""
    qa = _written_qa(
        make_qa,
        tmp_path,
        "visit.md",
        "# Mayor visits new battery plant\n\n"
        "Mayor John Smith toured the new battery plant in Riverton on Monday. He said the plant"
        " would start production in May and hire 300 workers.\n\n"
        "Jonas Berg, who leads the local fishermen's union, criticised the plant.\n\n"
        "He warned that its cooling water would warm the river in summer.\n\n"
        "The plant cost $120 million to build. It will draw its power from solar panels on the"
        " roof.\n\n"
        "Nordvolt, which is headquartered in Gothenburg, said it would keep all 410 employees."
        " It also plans to open eight new service centres by the end of 2024.\n\n"
        "## Greta Holm\n\n"
        "She will chair the plant's safety board from August.\n",
    )
    said = _checked(qa, "Who said the plant would start production in May?")
    assert said.short is not None and "John Smith" in said.short.text, said.text
    quote = said.citations[said.short.citation - 1].quote
    assert quote.startswith("Mayor John Smith toured") and "He said the plant" in quote, quote
    warned = _checked(qa, "Who warned that the cooling water would warm the river?")
    assert warned.short is not None and "Jonas Berg" in warned.short.text, warned.text
    assert len(warned.citations) == len({c.quote for c in warned.citations})  # none cited twice
    # the type rule (a company asked for) reads the sentence before too: "It" is Nordvolt
    centres = _checked(qa, "Which company plans to open eight new service centres?")
    assert centres.short is not None and centres.short.text == "Nordvolt", centres.text
    assert "It also plans" in centres.citations[0].quote, centres.text
    power = _checked(qa, "What will draw its power from solar panels?")
    assert power.short is None or power.short.text.lower() not in {"it", "its"}, power.text
    assert all(not c.quote.startswith("The plant cost") for c in power.citations), power.text
    chair = _checked(qa, "Who will chair the plant's safety board?")
    assert all("#" not in c.quote for c in chair.citations), chair.text
    assert chair.short is None or chair.short.text.lower() != "she", chair.text
    workers = _checked(qa, "How many workers will the plant hire?")
    assert workers.short is not None and "300" in workers.short.text, workers.text
    assert workers.citations[0].quote.startswith("He said"), workers.text


@pytest.mark.parametrize(
    ("pronoun", "phrase", "text", "expected"),
    [
        ("she", "Maria Okafor", "Maria Okafor presented the plan.", True),
        ("he", "Mayor John Smith", "Mayor John Smith toured the plant.", True),
        ("he", "Solberg", "Solberg defeated the champion.", True),  # a name no word list has
        # a break-test: the man was named two sentences back
        ("he", "Local officials", "Local officials praised the investment.", False),
        ("she", "Officials", "Officials in the regional government welcomed it.", False),
        ("he", "Tomas Brandt and Greta Lindqvist", "Tomas Brandt and Greta Lindqvist met.", False),
        ("they", "Rosa Delgado and Mark Chen", "Rosa Delgado and Mark Chen objected.", True),
        ("they", "Local officials", "Local officials praised the investment.", True),
        ("it", "Hallstrom Engineering", "Hallstrom Engineering won the contract.", True),
        ("it", "The plant", "The plant cost $120 million.", False),
    ],
)
def test_what_a_pronoun_may_stand_for(pronoun: str, phrase: str, text: str, expected: bool) -> None:
    from qa.answer.extractive import _stands_for

    assert _stands_for(pronoun, phrase, text, text.index(phrase)) is expected


def test_an_english_question_about_a_german_passage_gets_no_phrase(make_qa, tmp_path: Path) -> None:
    """Whether the span reader may read a sentence is judged on its passage with the question,
    not on the sentence: a long English question outweighed a short German sentence, and
    "How much does the federal government contribute...?" was led by "14.000" (households)."""
    (tmp_path / "de").mkdir()
    (tmp_path / "de" / "waermepumpe.md").write_text(
        "# Großwärmepumpe für Haslach\n\nFreiburg im Breisgau, 12. März 2025 – Der Aufsichtsrat "
        "der Stadtwerke Freiburg hat am Mittwoch den Bau einer Großwärmepumpe im Stadtteil "
        "Haslach beschlossen. Die Anlage soll ab dem Winter 2027 rund 14.000 Haushalte mit "
        "Fernwärme versorgen. Die Gesamtkosten beziffert das Unternehmen auf 48,5 Mio. Euro, "
        "davon trägt der Bund ca. 19 Mio. Euro über die Bundesförderung für effiziente "
        "Wärmenetze.\n",
        encoding="utf-8",
    )
    qa = make_qa()
    qa.ingest([tmp_path / "de"])
    for question in (
        "How much does the federal government contribute to the Freiburg heat pump?",
        "How many households will the heat pump in Haslach supply from the winter of 2027?",
    ):
        answer = _checked(qa, question)
        assert answer.short is None, answer.text
    # an English sentence keeps its phrase when its passage also holds German (a code block)
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "release.md").write_text(
        "# Release notes\n\nThe Acme team shipped version 2.1 of the billing tool on Monday. "
        "Version 2.1 fixes fourteen bugs in the invoice module.\n\n"
        "```\n# Konfiguration der Rechnungsstellung für die deutsche Niederlassung\n"
        "rechnung.waehrung = Euro  # Die Währung aller Rechnungen und Gutschriften\n```\n",
        encoding="utf-8",
    )
    english = make_qa(collection="release")
    english.ingest([tmp_path / "en"])
    answer = _checked(english, "How many bugs does version 2.1 fix?")
    assert answer.short is not None and "fourteen" in answer.short.text, answer.text
