"""Answers: the JSON contract, exact citation spans, short citations, abstention."""

from __future__ import annotations

import re

from qa.answer.base import ABSTAIN_TEXT
from qa.documents import load_file
from tests.conftest import ARTICLE
from tests.support.folders import docs_qa

WOGEN = "How much working capital did Wogen provide to Magrathea?"


def check_contract(answer, document_text: str) -> None:
    """Invariants of docs/contracts.md (answer object, span rule) every answer must satisfy."""
    data = answer.to_dict()
    assert {"question", "answer", "abstained", "mode", "citations", "timings_ms"} <= set(data)
    assert set(data["timings_ms"]) >= {"retrieve", "answer", "total"}
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", data["answer"])}
    ids = {c["id"] for c in data["citations"]}
    assert markers == ids
    for c in data["citations"]:
        assert set(c) == {"id", "doc_id", "title", "path", "start", "end", "quote"}
        assert document_text[c["start"] : c["end"]] == c["quote"]
    if data["abstained"]:
        assert data["citations"] == []
    for note in data.get("notes", []):
        assert set(note) == {"level", "text"} and note["level"] in ("info", "warning")
        assert isinstance(note["text"], str) and note["text"]


def test_the_wogen_question_is_answered_with_the_sentence_that_says_so(corpus_qa) -> None:
    text = load_file(ARTICLE).text
    answer = corpus_qa.ask(WOGEN)
    check_contract(answer, text)
    assert not answer.abstained and answer.mode == "extractive"
    assert "$10 million" in answer.text
    quote = answer.citations[0].quote
    assert "$10 million in working capital" in quote
    assert quote.startswith("US emerging magnesium producer Magrathea") and quote.endswith(".")


def test_citations_are_sentences_not_chunks(corpus_qa) -> None:
    text = load_file(ARTICLE).text
    for question in (
        WOGEN,
        "How much dolomite does Minago plan to use?",
        "What power density did the 900V coaxial dual e-drive reach?",
    ):
        answer = corpus_qa.ask(question)
        check_contract(answer, text)
        hit_lengths = [h.end - h.start for h in answer.hits]
        for c in answer.citations:
            assert c.end - c.start < max(hit_lengths)
            assert "\n" not in c.quote  # one sentence never spans a paragraph break


def test_unanswerable_question_abstains_without_citations(corpus_qa) -> None:
    # the article names no licence fee and no signing date: a sum / a day is asked for and no
    # retrieved sentence holds one
    for question in (
        "What did the licence from Big Blue Technologies cost Minago?",
        "On what exact date did Magrathea sign with Wogen?",
        "How many jobs will the project in Manitoba create?",  # a number, but not of jobs
        "How much working capital did InfiMotion secure?",  # a sum, but Magrathea's
        "When will the Minago project start production?",  # 2029 is Magrathea's target
    ):
        answer = corpus_qa.ask(question)
        check_contract(answer, load_file(ARTICLE).text)
        assert answer.abstained and answer.text == ABSTAIN_TEXT and answer.citations == []


def test_every_answer_sentence_is_flagged_supported_in_extractive_mode(corpus_qa) -> None:
    answer = corpus_qa.ask(WOGEN)
    assert answer.sentences and all(s.supported for s in answer.sentences)
    for s in answer.sentences:
        assert answer.text[s.start : s.end] == s.text


def test_follow_up_carries_the_previous_subject(corpus_qa) -> None:
    answer = corpus_qa.chat(
        [("What is Minago Development?", "")], "How much dolomite does it have?"
    )
    assert answer.standalone_question == "How much dolomite does Minago Development have?"
    assert "111 million mt of dolomite" in answer.text


def test_streaming_yields_text_then_the_final_answer(corpus_qa) -> None:
    items = list(corpus_qa.ask_stream(WOGEN))
    *deltas, final = items
    assert deltas and all(isinstance(d, str) for d in deltas)
    assert "".join(deltas) == final.text
    assert "$10 million" in final.text


def test_a_swapped_answerer_is_used(make_qa) -> None:
    from qa.answer.base import Answerer, Draft

    class Echo(Answerer):
        mode = "extractive"

        def answer(self, question, passages, query):  # type: ignore[no-untyped-def]
            return Draft(text=f"echo: {question}")

    qa = make_qa(answerer=Echo())
    qa.ingest()
    assert qa.ask("anything at all?").text == "echo: anything at all?"


def test_off_topic_questions_abstain_although_some_sentence_always_matches_best(corpus_qa) -> None:
    # the second pass (MaxSim) ranks sentences for any question; abstention is judged on the
    # first pass, which an off-topic question does not pass
    for question in ("Who won the 2018 World Cup?", "How do I bake sourdough bread?", "???"):
        assert corpus_qa.ask(question).abstained


def test_the_best_candidates_are_rescored_at_token_level(corpus_qa) -> None:
    from qa.answer.extractive import RERANK_DEPTH, ExtractiveReader

    question = "Whose smelting process has the Canadian developer obtained sole rights to use?"
    full = corpus_qa.answerer("extractive")
    # MaxSim alone, without the answer selector (which, before it read each sentence's
    # context, preferred the article's summary sentence here)
    reader = ExtractiveReader(full.matcher, corpus_qa.lexical_index, full.threshold)
    hits = corpus_qa.retrieve(question)
    vector = corpus_qa.embedder.encode_query(question)
    scored = reader.score(question, hits, vector)
    assert all(s.tokens is not None for s in scored[:RERANK_DEPTH])
    assert all(s.tokens is None for s in scored[RERANK_DEPTH:])
    # the pooled first pass prefers a sentence about the project's owners; MaxSim the licence
    assert "Big Blue Technologies" not in max(scored, key=lambda s: s.first_pass).text
    assert "Big Blue Technologies" in scored[0].text
    assert "Big Blue Technologies" in reader.answer(question, hits, vector).citations[0].quote
    assert "Big Blue Technologies" in full.answer(question, hits, vector).citations[0].quote


def test_which_entity_questions_abstain_when_the_passage_names_none(corpus_qa) -> None:
    # the Galaxy M9 sentence names no carmaker; the sentences that name companies are about
    # other things, so answering with them would be answering another question
    for question in (
        "Which carmaker builds the Galaxy M9?",
        "Which specific Detroit automakers signed purchase intentions with Magrathea?",
    ):
        assert corpus_qa.ask(question).abstained, question
    answer = corpus_qa.ask("Which global metal trader did Magrathea partner with?")
    assert not answer.abstained and "Wogen" in answer.citations[0].quote


def test_a_unit_asked_for_is_not_a_rate_of_it(corpus_qa) -> None:
    # the article gives power densities in kW/kg, never a power in kW
    assert corpus_qa.ask("What is the peak power output in kW of the 900V e-drive?").abstained
    answer = corpus_qa.ask("What power density in kW/kg does the 900V e-drive reach?")
    assert not answer.abstained and "5.69 kW/kg" in answer.text


def test_footnote_marks_of_the_source_never_read_as_citation_markers(make_qa, tmp_path) -> None:
    # Wikipedia-style text carries its own [n]: the quote keeps them, the answer text does not
    folder = tmp_path / "wiki"
    folder.mkdir()
    text = (
        "The Zint river is 80 km long [3] and flows north into the Varn sea.[12] "
        "Its delta floods every spring.\n\n"
        "The Zint bridge was built in 1850 by the engineer Tomas Reel [2].\n"
    )
    (folder / "zint.txt").write_text(text, encoding="utf-8")
    qa = make_qa()
    qa.ingest([folder])
    answer = qa.ask("How long is the Zint river?")
    check_contract(answer, text)
    assert not answer.abstained and "80 km long" in answer.text
    assert "[3]" not in answer.text and "[12]" not in answer.text
    assert any("[3]" in c.quote for c in answer.citations)


def test_an_index_in_brackets_is_not_taken_for_a_footnote_mark() -> None:
    from qa.answer.citations import with_marker

    assert with_marker("It reads data2[3] and f()[1] first.", 1) == (
        "It reads data2[3] and f()[1] first [1]."
    )
    assert with_marker("The river is long [3].[12]", 2) == "The river is long [2]."
    # not inside a quotation the stop closes: the marker is not part of the quoted words
    assert with_marker('Waller said it was "a cooling, not a collapse."', 1) == (
        'Waller said it was "a cooling, not a collapse." [1]'
    )
    assert with_marker('He called it "a tax on families".', 2) == (
        'He called it "a tax on families" [2].'
    )


def test_a_question_about_something_the_corpus_never_names_abstains(make_qa, tmp_path) -> None:
    # a corpus of several topics: some sentence always shares words with an off-topic
    # question; the name it asks about, found nowhere, and a selector that finds no answer,
    # tell it is not covered
    folder = tmp_path / "news"
    folder.mkdir()
    articles = {
        "cities.md": "# Cities of Europe\n\nWarsaw is the capital of Poland and lies on the "
        "Vistula river. In 2011, about 1.7 million people lived in Warsaw. The city was "
        "rebuilt after 1945.\n\nKrakow was the royal capital until 1596.\n",
        "music.md": "# Awards season\n\nAdele won six Grammy awards in 2012, a record for a "
        "female artist in one night. Her album 21 sold more than 30 million copies.\n",
        "rail.md": "# High-speed rail\n\nThe Shinkansen opened in 1964 between Tokyo and Osaka. "
        "Its trains now run at up to 320 km/h.\n\nFrance opened its first TGV line in 1981.\n",
    }
    for name, text in articles.items():
        (folder / name).write_text(text, encoding="utf-8")
    qa = make_qa()
    qa.ingest([folder])
    for question, unknown in (
        ("What is the population of Kathmandu?", "Kathmandu"),
        ("What did critics at Billboard say about Adele's album?", "Billboard"),
        ("Why was Eurostar slower than the TGV?", "Eurostar"),
    ):
        answer = qa.ask(question)
        assert answer.abstained and answer.citations == []
        assert any(f"never mentions {unknown}" in note.text for note in answer.notes)
    for question, expected in (
        ("When did the Shinkansen open?", "1964"),
        ("How many Grammy awards did Adele win in 2012?", "six Grammy awards"),
        # a misspelt name is unknown too, but the selector finds the answer: it stands
        ("How many people lived in Warsav in 2011?", "1.7 million"),
    ):
        answer = qa.ask(question)
        assert not answer.abstained and expected in answer.text


def _each_warehouse_answered_with_its_own_sum(make_qa, tmp_path, sums: dict[str, str]) -> None:
    """One one-sentence article per company of ``sums`` (company -> the sum as written) and
    Glenrock's in dollars: "How much will X's new warehouse cost?" leads with X's sum, cited
    from X's article."""
    files = {
        f"{company}.txt": f"{company} Holdings said on Friday it would build a new warehouse"
        f" near the port for {amount}.\n\nThe warehouse should open in 2026, a"
        " spokesperson said.\n"
        for company, amount in {**sums, "Glenrock": "310 million dollars"}.items()
    }
    qa, _ = docs_qa(make_qa, tmp_path, files)
    for company, amount in sums.items():
        answer = qa.ask(f"How much will {company} Holdings' new warehouse cost?")
        assert answer.short is not None and answer.short.text == amount, answer.text
        assert answer.citations[0].path.endswith(f"{company}.txt"), answer.text


def test_a_sum_in_crowns_zlotys_or_pence_answers_for_its_own_company(make_qa, tmp_path) -> None:
    """A break-test: eight one-sentence articles, one company each, the same sum in another
    currency; "crowns", "zlotys" and "pence" were no money, so Glenrock's "310 million dollars"
    answered for Alderbrook, Dunmore and Hollins."""
    currencies = {"Alderbrook": "crowns", "Dunmore": "zlotys", "Hollins": "pence"}
    _each_warehouse_answered_with_its_own_sum(
        make_qa, tmp_path, {company: f"310 million {c}" for company, c in currencies.items()}
    )


def test_a_sum_by_code_or_local_symbol_answers_for_its_own_company(make_qa, tmp_path) -> None:
    """A new-user test: a sum given only as a code glued to or before a number ("USD12m",
    "PLN 48 million") or with a currency's own symbol ("48 mil. Kč", "12,50 zł", "450 kr",
    "120 Kč") was no money, so Glenrock's "310 million dollars" answered for each company."""
    sums = {
        "Alderbrook": "USD12m",
        "Calloway": "PLN 48 million",
        "Dunmore": "48 mil. Kč",
        "Eastfield": "120 Kč",
        "Fernhill": "12,50 zł",
        "Kingsley": "450 kr",
    }
    _each_warehouse_answered_with_its_own_sum(make_qa, tmp_path, sums)
