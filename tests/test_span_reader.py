"""The span reader on ONNX Runtime: an export verified by its pinned hash, and spans that lie in
the sentence, are at most MAX_ANSWER_TOKENS word pieces and come best first."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from qa.answer.selector import selector_input
from qa.answer.span import MAX_ANSWER_TOKENS
from qa.answer.span_reader import READER_ONNX_SHA256, SpanReader, onnx_path
from qa.errors import ModelIntegrityError
from tests.conftest import ONNX_DIR
from tests.support.tamper import flip_byte

SENTENCE = (
    "Wogen will provide Magrathea with $10 million of working capital, the companies said on "
    "Tuesday, and the plant in Utah is expected to open in 2029."
)


@pytest.fixture(scope="module")
def reader() -> SpanReader:
    return SpanReader(ONNX_DIR)


def test_the_export_has_its_pinned_hash_and_a_tampered_one_is_refused(
    reader: SpanReader, tmp_path: Path
) -> None:
    reader.load()
    shipped = onnx_path(ONNX_DIR)
    assert hashlib.sha256(shipped.read_bytes()).hexdigest() == READER_ONNX_SHA256
    folder = tmp_path / "onnx"
    folder.mkdir()
    copy = onnx_path(folder)
    shutil.copyfile(shipped, copy)
    flip_byte(copy, 1 << 20)
    with pytest.raises(ModelIntegrityError, match=f"expected {READER_ONNX_SHA256[:8]}"):
        SpanReader(folder).load()


def test_there_is_no_int8_export() -> None:
    with pytest.raises(ValueError, match="int8"):
        onnx_path(ONNX_DIR, int8=True)


def test_spans_lie_in_the_sentence_never_in_its_context(reader: SpanReader) -> None:
    """The context after [SEP] holds a money amount too; no span may come from it."""
    sentence = "The plant is expected to open in 2029."
    read = selector_input(sentence, previous="Wogen provided $10 million of working capital.")
    spans = reader.find("How much working capital did Wogen provide?", read, len(sentence))
    assert spans
    assert all(0 <= s.start < s.end <= len(sentence) for s in spans)


def test_spans_are_best_first_short_and_distinct(reader: SpanReader) -> None:
    question = "How much working capital will Wogen provide?"
    spans = reader.find(question, SENTENCE, len(SENTENCE), k=20)
    assert len(spans) == 20
    scores = [s.score for s in spans]
    assert scores == sorted(scores, reverse=True)
    assert len({(s.start, s.end) for s in spans}) == 20
    logits, offsets = reader.logits("How much working capital will Wogen provide?", SENTENCE)
    assert logits.shape == (1 + len(offsets), 2) and np.isfinite(logits).all()
    ends = {int(e): t for t, (_, e) in enumerate(offsets)}
    starts = {int(s): t for t, (s, _) in enumerate(offsets)}
    for s in spans:
        assert ends[s.end] - starts[s.start] < MAX_ANSWER_TOKENS
    # margins are log-probabilities of distinct spans: each at most 0, together at most 1
    assert all(s.margin <= 0 for s in spans)
    assert sum(np.exp(s.margin) for s in spans) <= 1 + 1e-6


def test_the_question_moves_the_best_span(reader: SpanReader) -> None:
    """The same sentence read for two questions: the best spans differ, each within it (what
    the spans are is left to the model; that they depend on the question is not)."""
    money = reader.find("How much working capital will Wogen provide?", SENTENCE, len(SENTENCE))
    year = reader.find("When is the plant in Utah expected to open?", SENTENCE, len(SENTENCE))
    assert (money[0].start, money[0].end) != (year[0].start, year[0].end)


def test_a_sentence_without_tokens_gives_no_span(reader: SpanReader) -> None:
    assert reader.find("What?", "", 0) == []


def test_a_question_too_long_to_leave_room_for_the_sentence_gives_no_span(
    reader: SpanReader,
) -> None:
    """A question of 81 word pieces or more (of the reader's 160) is not read: the tokenizer
    could not cut the sentence alone to fit (it raised), and what was left would be little."""
    long = "Which " + "very " * 100 + "big plant opens in 2029?"
    assert reader.find(long, SENTENCE, len(SENTENCE)) == []
    fits = "Which " + "very " * 60 + "big plant opens in 2029?"
    assert reader.find(fits, SENTENCE, len(SENTENCE))


def test_a_sentence_that_answers_beats_no_span_by_more_than_one_that_does_not(
    reader: SpanReader,
) -> None:
    """The reading's ``null_score`` ([CLS], trained on near-miss sentences of the same
    paragraph) is what a span is weighed against across sentences: the sentence holding the
    amount must clear it by more than a sentence about the same company without one."""
    question = "How much working capital will Wogen provide?"
    near_miss = "Wogen is a global metal trader based in London, and Magrathea is based in Utah."
    holds = reader.read(question, SENTENCE, len(SENTENCE))
    lacks = reader.read(question, near_miss, len(near_miss))
    assert holds.null_score is not None and lacks.null_score is not None
    assert holds.spans[0].score - holds.null_score > lacks.spans[0].score - lacks.null_score
    assert reader.read("What?", "", 0).null_score is None


def test_reading_two_sentences_in_one_batch_gives_each_its_own_reading(
    reader: SpanReader,
) -> None:
    """Padded and masked in one run, each sentence reads as it does alone (same spans, scores
    within float rounding)."""
    question = "How much working capital will Wogen provide?"
    short = "Wogen is a metal trader."
    together = reader.read_all(question, [(SENTENCE, len(SENTENCE)), (short, len(short))])
    for text, got in zip([SENTENCE, short], together, strict=True):
        alone = reader.read(question, text, len(text))
        assert [(s.start, s.end) for s in got.spans] == [(s.start, s.end) for s in alone.spans]
        assert got.null_score == pytest.approx(alone.null_score, abs=1e-3)
        assert [s.score for s in got.spans] == pytest.approx(
            [s.score for s in alone.spans], abs=1e-3
        )
    assert reader.read_all(question, []) == []
