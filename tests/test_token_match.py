"""Token-level matching (MaxSim) of questions against sentences, with the bundled model."""

from __future__ import annotations

import numpy as np

from qa.answer.token_match import TokenMatcher

ANSWER = (
    "Magrathea employs next-generation electrolysis technology to extract magnesium from brine "
    "and has obtained non-binding purchase intentions for nearly 200,000 mt, including from "
    "Detroit automakers."
)
SUMMARY = (
    "This series of collaborations highlights that, against the backdrop of the US designating "
    'magnesium as a critical mineral and seeking to "de-China" its supply chain, private capital '
    "is driving local alternative capacity from the laboratory to commercialization through "
    "technology alliances and pre-sales models, with an expected annual supply capability of "
    "7,000 mt by 2029."
)
QUESTION = "Which Motor City companies are among the US producer's prospective customers?"


def test_maxsim_prefers_the_answer_where_pooled_similarity_prefers_the_summary(embedder) -> None:
    pooled = embedder.embed([ANSWER, SUMMARY]) @ embedder.embed_one(QUESTION)
    assert pooled[1] > pooled[0]  # the summary shares the question's subject: it wins pooled
    answer, summary = TokenMatcher(embedder).scores(QUESTION, [("a", ANSWER), ("s", SUMMARY)])
    assert answer > summary
    assert 0.0 < summary < answer <= 1.0


def test_cached_vectors_give_the_same_scores_and_the_cache_is_bounded(embedder) -> None:
    matcher = TokenMatcher(embedder, cache_size=1)
    pairs = [("a", ANSWER), ("s", SUMMARY)]
    first = matcher.scores(QUESTION, pairs)
    assert len(matcher._cache) == 1
    assert np.allclose(matcher.scores(QUESTION, pairs), first, atol=1e-3)
    assert matcher.scores(QUESTION, []) == []


def test_token_vectors_are_normalised_and_skip_special_tokens(embedder) -> None:
    ((pieces, vectors),) = embedder.token_vectors(["Magrathea extracts magnesium from brine."])
    assert "[CLS]" not in pieces and "[SEP]" not in pieces and "magnesium" in pieces
    assert vectors.shape == (len(pieces), embedder.dimension)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
