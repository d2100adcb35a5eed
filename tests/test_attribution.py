"""Citations computed, not trusted (issue 20): each sentence of an LLM answer is attributed to
the retrieved sentence spans that support it, whether or not the model wrote markers.

Unit tests of qa.answer.verify.Verifier over real retrieved passages of the corpus article (the
bundled embedding model, a real store); the answers are the shapes a real small model wrote,
not model output.
"""

from __future__ import annotations

import pytest

from qa.answer.passages import select_passages
from qa.answer.verify import Verifier
from tests.conftest import ARTICLE

DOC = ARTICLE.read_text(encoding="utf-8")
WOGEN_Q = "Which British metals trading house teamed up with Magrathea?"
COAX_Q = "What power density does the 900-volt coaxial unit reach?"


@pytest.fixture(scope="module")
def verifier(embedder):
    return Verifier(embedder.embed, threshold=0.5)


def exact(draft) -> None:
    for c in draft.citations:
        assert c.quote == DOC[c.start : c.end]
    for s in draft.sentences:
        assert draft.text[s.start : s.end] == s.text


def test_sentence_without_marker_is_attributed(corpus_qa, verifier):
    hits = corpus_qa.retrieve(WOGEN_Q)
    draft = verifier.verify(
        "The British metals trading house Wogen teamed up with Magrathea.", hits
    )
    assert not draft.abstained
    (c,) = draft.citations
    assert "Wogen" in c.quote and "Magrathea" in c.quote
    assert draft.text == "The British metals trading house Wogen teamed up with Magrathea [1]."
    assert draft.sentences[0].supported and draft.sentences[0].citations == [1]
    assert any("attributed" in n.text for n in draft.notes)
    exact(draft)


def test_marker_after_the_final_stop_counts_for_its_sentence(corpus_qa, verifier):
    hits = corpus_qa.retrieve(COAX_Q)
    raw = (
        "The 900-volt coaxial unit achieves a power density of 5.69 kW/kg, with its deep "
        "oil-cooling technology ensuring sustained high-performance output. [2]"
    )
    draft = verifier.verify(raw, hits)
    assert not draft.abstained
    assert len(draft.sentences) == 1 and draft.sentences[0].supported
    (c,) = draft.citations
    assert "5.69 kW/kg" in c.quote
    assert "[1]" in draft.text and "[2]" not in draft.text
    exact(draft)


def test_wrong_marker_is_a_hint_the_supporting_source_wins(corpus_qa, verifier):
    hits = corpus_qa.retrieve(WOGEN_Q)
    wogen = next(i for i, h in enumerate(hits, 1) if "Wogen" in h.text)
    other = next(i for i, h in enumerate(hits, 1) if "Wogen" not in h.text)
    draft = verifier.verify(f"Magrathea partnered with Wogen [{other}].", hits)
    assert draft.sentences[0].supported
    assert "Wogen" in draft.citations[0].quote
    assert wogen != other
    exact(draft)


def test_a_sentence_nothing_supports_is_flagged(corpus_qa, verifier):
    hits = corpus_qa.retrieve(WOGEN_Q)
    raw = "Wogen teamed up with Magrathea. Wogen also owns 40 gold mines on the Moon."
    draft = verifier.verify(raw, hits)
    assert [s.supported for s in draft.sentences] == [True, False]
    assert draft.sentences[1].citations == []
    exact(draft)


def test_attribution_works_on_narrowed_passages(corpus_qa, verifier):
    hits = corpus_qa.retrieve(COAX_Q)
    ranked = corpus_qa.answerer("extractive").score(
        COAX_Q, hits, corpus_qa.embedder.encode_query(COAX_Q)
    )
    passages = select_passages(((s.hit, s.start, s.end) for s in ranked), count=3, window=1)
    draft = verifier.verify("The 900V coaxial dual e-drive reaches 5.69 kW/kg.", passages)
    assert draft.sentences[0].supported and "5.69" in draft.citations[0].quote
    exact(draft)
