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


def test_concurrent_asks_share_one_small_cache(embedder) -> None:
    # the UI serves several questions at once from one reader; eviction must not break them
    from concurrent.futures import ThreadPoolExecutor

    matcher = TokenMatcher(embedder, cache_size=1)
    pairs = [("a", ANSWER), ("s", SUMMARY)]
    expected = TokenMatcher(embedder).scores(QUESTION, pairs)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: matcher.scores(QUESTION, pairs), range(12)))
    assert all(np.allclose(r, expected, atol=1e-3) for r in results)
    assert len(matcher._cache) == 1


def test_token_vectors_of_a_long_text_line_up_with_its_pieces(embedder) -> None:
    ((pieces, vectors),) = embedder.token_vectors(["magnesium " * 400])
    assert len(pieces) == len(vectors) == embedder.max_tokens - 2  # truncated, no [CLS]/[SEP]
    assert set(pieces) == {"magnesium"}
