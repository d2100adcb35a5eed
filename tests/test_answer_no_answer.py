"""The no-answer head: its shipped weights, integrity checks, and what it tells apart."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from qa.answer.extractive import GATES, gates_on
from qa.answer.no_answer import NO_ANSWER_SHA256, NO_ANSWER_WEIGHTS, NoAnswerHead
from qa.answer.selector import FEATURES, AnswerSelector
from qa.errors import ModelIntegrityError
from tests.conftest import ONNX_DIR


@pytest.fixture(scope="module")
def selector() -> AnswerSelector:
    return AnswerSelector(onnx_dir=ONNX_DIR)


def test_the_shipped_head_has_the_recorded_hash_and_is_small() -> None:
    assert hashlib.sha256(NO_ANSWER_WEIGHTS.read_bytes()).hexdigest() == NO_ANSWER_SHA256
    assert NO_ANSWER_WEIGHTS.stat().st_size < 4_000


def test_one_forward_pass_gives_the_probabilities_and_what_the_classifier_read(
    selector: AnswerSelector,
) -> None:
    sentences = ["The tram line will open in 2028.", "The bakery hired six staff."]
    question = "When will the tram line open?"
    probabilities, pooled = selector.read(question, sentences)
    assert pooled.shape == (2, FEATURES) and pooled.dtype == np.float32
    np.testing.assert_allclose(probabilities, selector.probabilities(question, sentences))


@pytest.mark.parametrize(
    ("question", "answers", "swapped"),
    [
        (
            "When will the new tram line between Tornby and Ekvik open?",
            "The new tram line between Tornby and Ekvik will open in 2028.",
            "When will the new library between Tornby and Ekvik open?",
        ),
        (
            "How much did the new bridge in Leeds cost?",
            "The new bridge in Leeds cost 40 million euros, paid by the regional government.",
            "How much did the new stadium in Leeds cost?",
        ),
    ],
)
def test_a_question_the_sentence_answers_scores_below_one_about_something_it_does_not_name(
    selector: AnswerSelector, question: str, answers: str, swapped: str
) -> None:
    head = NoAnswerHead()
    _, pooled = selector.read_pairs([(question, answers), (swapped, answers)])
    fits, swap = head.answers(pooled)
    assert fits > 0.8 and fits - swap > 0.1  # the selector alone gives both about 0.98


def test_tampered_head_weights_are_refused(tmp_path: Path) -> None:
    copy = tmp_path / "no_answer_head.safetensors"
    shutil.copyfile(NO_ANSWER_WEIGHTS, copy)
    with copy.open("r+b") as fh:
        fh.seek(-4, 2)
        fh.write(b"\x00" * 4)
    with pytest.raises(ModelIntegrityError, match="sha256"):
        NoAnswerHead(copy).answers(np.zeros((1, FEATURES), dtype=np.float32))


def test_head_weights_of_another_shape_are_refused(tmp_path: Path) -> None:
    from safetensors.numpy import save_file

    wrong = tmp_path / "wrong.safetensors"
    save_file({"weight": np.zeros(10, dtype=np.float32)}, str(wrong))
    with pytest.raises(ModelIntegrityError, match="shape"):
        NoAnswerHead(wrong, expected_sha256=None).load()


def test_each_gate_can_be_switched_off_by_name() -> None:
    assert gates_on("") == frozenset(GATES)
    assert gates_on(" type, near ,") == frozenset(GATES) - {"type", "near"}


def test_the_reader_notes_its_no_answer_score_and_abstains_above_the_threshold(
    make_qa, tmp_path: Path
) -> None:
    qa = make_qa(mode="extractive", no_answer_threshold=1.0)
    folder = Path(__file__).resolve().parent / "data" / "cases" / "off-corpus"
    qa.ingest([folder])
    question = "Until what time will the Tornby library stay open on weekdays?"
    free = qa.ask(question)
    score = [n.text for n in free.notes if "no-answer score" in n.text]
    assert score and not free.abstained
    strict = make_qa(mode="extractive", no_answer_threshold=0.0, home=tmp_path / "strict")
    strict.ingest([folder])
    assert strict.ask(question).abstained
