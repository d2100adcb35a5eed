"""The answer selector: the shipped cross-encoder, its integrity checks, its use by the reader."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from qa.answer.selector import (
    SELECTOR_SHA256,
    SELECTOR_WEIGHTS,
    AnswerSelector,
    export_weights,
    selector_input,
)
from qa.errors import ModelIntegrityError, QAError
from tests.conftest import ONNX_DIR


@pytest.fixture(scope="module")
def selector() -> AnswerSelector:
    return AnswerSelector(onnx_dir=ONNX_DIR)


def test_the_shipped_weights_have_the_recorded_hash(selector: AnswerSelector) -> None:
    import hashlib

    assert SELECTOR_WEIGHTS.is_file()
    assert hashlib.sha256(SELECTOR_WEIGHTS.read_bytes()).hexdigest() == SELECTOR_SHA256
    assert SELECTOR_WEIGHTS.stat().st_size < 30_000_000  # the frozen embeddings are not shipped


@pytest.mark.parametrize(
    ("question", "answer", "other"),
    [
        (
            "When did the bakery open its first shop?",
            "The bakery opened its first shop in Leeds in 1998.",
            "The bakery is known for its rye bread and has loyal customers.",
        ),
        (
            "Who leads the harbour authority?",
            "Maria Olsen has led the harbour authority since March.",
            "The harbour authority manages three ports on the west coast.",
        ),
        (
            "How much did the new bridge cost?",
            "The new bridge cost 40 million euros, paid by the regional government.",
            "The new bridge links the old town with the railway station.",
        ),
    ],
)
def test_a_sentence_that_answers_outscores_one_on_the_same_subject_that_does_not(
    selector: AnswerSelector, question: str, answer: str, other: str
) -> None:
    p_answer, p_other = selector.probabilities(question, [answer, other])
    assert 0.0 <= p_other < p_answer <= 1.0
    assert p_answer > 0.9 and p_answer - p_other > 0.3


def test_no_sentences_is_an_empty_array(selector: AnswerSelector) -> None:
    assert selector.probabilities("Who?", []).shape == (0,)


def test_tampered_weights_are_refused_before_loading(tmp_path: Path) -> None:
    copy = tmp_path / "answer_selector.safetensors"
    shutil.copyfile(SELECTOR_WEIGHTS, copy)
    with copy.open("r+b") as fh:
        fh.seek(-8, 2)
        fh.write(b"\x00" * 8)
    with pytest.raises(ModelIntegrityError, match="sha256"):
        AnswerSelector(copy).probabilities("Who?", ["Someone."])


def test_missing_weights_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelIntegrityError, match="missing"):
        AnswerSelector(tmp_path / "nothing.safetensors").probabilities("Who?", ["Someone."])


def test_weights_of_another_shape_are_refused(tmp_path: Path) -> None:
    import torch
    from safetensors.torch import save_file

    odd = tmp_path / "odd.safetensors"
    save_file({"not.a.layer": torch.zeros(2)}, str(odd))
    with pytest.raises(QAError, match="do not fit"):
        AnswerSelector(odd, expected_sha256=None, backend="torch").probabilities(
            "Who?", ["Someone."]
        )


def test_export_keeps_the_trained_layers_in_fp16_and_drops_the_frozen_embeddings(
    tmp_path: Path,
) -> None:
    import torch
    from safetensors.torch import load_file, save_file

    trained = tmp_path / "model"
    trained.mkdir()
    save_file(
        {
            "bert.embeddings.word_embeddings.weight": torch.ones(4, 2),
            "bert.encoder.layer.0.output.dense.weight": torch.full((2, 2), 0.5),
            "classifier.weight": torch.ones(1, 2),
        },
        str(trained / "model.safetensors"),
    )
    out = export_weights(trained, tmp_path / "delta.safetensors")
    kept = load_file(str(out))
    assert set(kept) == {"bert.encoder.layer.0.output.dense.weight", "classifier.weight"}
    assert all(t.dtype == torch.float16 for t in kept.values())
    layer = kept["bert.encoder.layer.0.output.dense.weight"]
    assert torch.equal(layer.float(), torch.full((2, 2), 0.5))


def test_the_reader_records_the_selector_and_can_do_without_it(make_qa) -> None:
    from tests.conftest import CORPUS

    question = "Which company is building the magnesium plant in Utah?"
    with_selector = make_qa()
    with_selector.ingest([CORPUS])
    reader = with_selector.answerer("extractive")
    vector = with_selector.embedder.encode_query(question)
    hits = with_selector.retrieve(question)
    reranked = [s for s in reader.score(question, hits, vector) if s.tokens is not None]
    assert reranked and all(s.answers is not None and 0 <= s.answers <= 1 for s in reranked)

    without = make_qa(answer_selector=False)
    plain = without.answerer("extractive")
    assert plain.selector is None
    rescored = [s for s in plain.score(question, hits, vector) if s.tokens is not None]
    assert rescored and all(s.answers is None for s in rescored)
    assert np.isclose(
        max(s.first_pass for s in rescored), max(s.first_pass for s in reranked)
    )  # the selector changes the second pass only: abstention's first pass is unchanged


def test_the_selector_reads_the_sentence_first_and_its_context_after_a_separator() -> None:
    assert selector_input("It opened in 1998.") == "It opened in 1998."
    text = selector_input("It opened in 1998.", "Bakeries of Leeds", "## The Rye House")
    assert text == "It opened in 1998. [SEP] Bakeries of Leeds The Rye House"
    assert text.startswith("It opened in 1998.")  # truncation cuts the context, not the sentence


def test_the_context_of_a_candidate_is_the_retrieved_sentence_just_before_it() -> None:
    from qa.retrieval import _previous

    spans = {(0, 20): "## Rye House", (22, 60): "Rye House is a bakery.", (61, 90): "It opened."}
    assert _previous(spans, 61) == "Rye House is a bakery."
    assert _previous(spans, 22) == "## Rye House"  # a heading is context too
    assert _previous(spans, 0) == ""
    assert _previous(spans, 200) == ""  # the sentence before was not retrieved: no context


def test_the_context_tells_which_entity_a_pronoun_means(selector: AnswerSelector) -> None:
    question = "When did the Leeds bakery open its first shop?"
    leeds = selector_input(
        "It opened its first shop in 1998.", "", "Rye House is a bakery in Leeds."
    )
    york = selector_input(
        "It opened its first shop in 2005.", "", "Crumb & Co is a bakery in York."
    )
    p_leeds, p_york = selector.probabilities(question, [leeds, york])
    assert p_leeds > p_york


def test_an_answer_in_the_context_alone_does_not_make_the_sentence_an_answer(
    selector: AnswerSelector,
) -> None:
    # Known limit: a very short sentence ("The shop is on Briggate.") after the answer still
    # scores ~0.98 from its context; news sentences are rarely that short.
    question = "When did Rye House open its first shop?"
    holds = selector_input("Rye House opened its first shop in 1998.", "Bakeries", "")
    after = selector_input(
        "It sells rye bread and cakes to cafes across the north of England.",
        "Bakeries",
        "Rye House opened its first shop in 1998.",
    )
    p_holds, p_after = selector.probabilities(question, [holds, after])
    assert p_holds > 0.5 > p_after


def test_the_torch_int8_selector_quantises_every_linear_layer_and_stays_close_to_fp32(
    selector: AnswerSelector,
) -> None:
    import torch
    from torch.ao.nn.quantized.dynamic import Linear as Int8Linear

    question = "Which trader did the producer partner with?"
    sentences = [
        selector_input(
            "The producer entered into a partnership with metal trader Wogen (UK), securing "
            "$10 million in working capital.",
            "Magnesium supply",
            "",
        ),
        selector_input("The plant will use brine from the lake.", "Magnesium supply", ""),
        selector_input(
            "It expects to open the plant by 2029.", "Magnesium supply", "A new plant is planned."
        ),
    ]
    quantised = AnswerSelector(quantize=True, backend="torch")
    int8 = quantised.probabilities(question, sentences)
    fp32 = selector.probabilities(question, sentences)
    layers = list(quantised._model.model.modules())
    assert any(isinstance(m, Int8Linear) for m in layers)
    assert not any(type(m) is torch.nn.Linear for m in layers)  # every linear layer is int8
    assert np.abs(int8 - fp32).max() < 0.1
    assert int(np.argmax(int8)) == int(np.argmax(fp32)) == 0


def test_int8_is_opt_in_and_the_setting_reaches_the_reader(make_qa) -> None:
    assert make_qa().answerer("extractive").selector.quantize is False
    assert make_qa(answer_selector_int8=True).answerer("extractive").selector.quantize is True
    assert not AnswerSelector(quantize=True, device="cuda").quantize  # int8 kernels: CPU only


def test_the_reader_gives_the_selector_the_previous_sentence_and_no_title(corpus_qa) -> None:
    # reading the document's title too was measured and lowered accuracy (eval/README.md)
    reader = corpus_qa.answerer("extractive")
    question = "Whose smelting process has the Canadian developer obtained sole rights to use?"
    hits = corpus_qa.retrieve(question)
    read: list[str] = []
    real = reader.selector.read_pairs

    def recording(pairs: list[tuple[str, str]]):
        read.extend(text for _, text in pairs)
        return real(pairs)

    reader.selector.read_pairs = recording
    try:
        reader.score(question, hits, corpus_qa.embedder.encode_query(question))
    finally:
        del reader.selector.read_pairs
    title = hits[0].title
    assert title and read
    assert not any(title in text for text in read)
    with_context = [text for text in read if " [SEP] " in text]
    assert with_context  # most candidates have a retrieved sentence before them
    for text in with_context:
        sentence, previous = text.split(" [SEP] ", 1)
        assert previous and previous != sentence
