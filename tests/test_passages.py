"""What the LLM reads (qa/answer/passages.py): the reader's best sentences with neighbours, as
exact sub-spans of the retrieved chunks, on real retrieved hits of the corpus article."""

from __future__ import annotations

import pytest

from qa.answer.passages import narrow, select_passages
from qa.answer.prompts import answer_messages
from tests.conftest import ARTICLE

DOC = ARTICLE.read_text(encoding="utf-8")
QUESTION = "How much working capital did Wogen provide to Magrathea?"


@pytest.fixture(scope="module")
def ranked(corpus_qa):
    hits = corpus_qa.retrieve(QUESTION)
    vector = corpus_qa.embedder.encode_query(QUESTION)
    scored = corpus_qa.answerer("extractive").score(QUESTION, hits, vector)
    return hits, [(s.hit, s.start, s.end) for s in scored]


def test_passages_are_exact_sub_spans_around_the_best_sentences(ranked):
    hits, order = ranked
    passages = select_passages(order, count=3, window=1)
    assert 1 <= len(passages) <= 3
    for p in passages:
        assert p.text == DOC[p.start : p.end]
        assert any(h.chunk_id == p.chunk_id and h.start <= p.start < p.end <= h.end for h in hits)
        for s, e in [(x.start, x.end) for x in p.sentences]:
            assert p.start <= s < e <= p.end
    _, s, e = order[0]
    assert DOC[s:e] in passages[0].text  # the best sentence leads
    assert "$10 million" in passages[0].text


def test_windows_in_one_chunk_merge_and_the_prompt_shrinks(ranked):
    hits, order = ranked
    one = select_passages(order[:1], count=1, window=1)
    assert len(one) == 1 and len(one[0].sentences) in (2, 3)
    wide = select_passages(order[:1], count=1, window=50)  # the window stops at the chunk
    assert wide[0].start >= order[0][0].start and wide[0].end <= order[0][0].end
    small = answer_messages(QUESTION, select_passages(order, count=4, window=1))
    whole = answer_messages(QUESTION, hits)
    assert len(small[1]["content"]) < len(whole[1]["content"]) / 2


def test_narrow_refuses_a_span_outside_the_chunk(ranked):
    hits, _ = ranked
    with pytest.raises(ValueError):
        narrow(hits[0], hits[0].start, hits[0].end + 1)


def test_a_sentence_opening_with_a_pronoun_brings_the_one_before(make_qa, tmp_path):
    """With no window (the local model's), a best sentence that opens with "She" comes with the
    sentence before it, which says who she is; one that does not comes alone."""
    doc = (
        "# Harbour plan approved\n\nThe council of Lindvik approved a harbour plan on Tuesday."
        " Maria Okafor, the harbour director, presented the plan to the council. She said the"
        " work would cost 42 million euros. The plan adds two new piers for ferries.\n"
    )
    (tmp_path / "harbour.md").write_text(doc, encoding="utf-8")
    qa = make_qa()
    qa.ingest([tmp_path])

    def passage(question: str) -> str:
        hits = qa.retrieve(question)
        scored = qa.answerer("extractive").score(question, hits, qa.embedder.encode_query(question))
        (best,) = select_passages([(s.hit, s.start, s.end) for s in scored], count=1, window=0)
        assert best.text == doc[best.start : best.end]
        return best.text

    cost = passage("Who said the work would cost 42 million euros?")
    assert cost.startswith("Maria Okafor") and cost.endswith("42 million euros."), cost
    piers = passage("How many new piers does the plan add?")
    assert piers == "The plan adds two new piers for ferries.", piers
