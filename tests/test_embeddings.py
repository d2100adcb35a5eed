"""The bundled embedding model: verified by hash, offline, swappable, recorded in the store."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from qa import ModelIntegrityError, ModelMismatchError, QAError
from qa.embeddings import (
    BUNDLED_SHA256,
    Embedder,
    SentenceTransformerEmbedder,
    bundled_model_path,
    verify_bundled_model,
)
from tests.conftest import CORPUS
from tests.support.tamper import flip_byte


def test_bundled_model_has_the_published_hash_and_loads_offline(embedder) -> None:
    verify_bundled_model(bundled_model_path())  # raises on mismatch
    assert BUNDLED_SHA256.startswith("53aa5117")
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    assert embedder.model_id == "sentence-transformers/all-MiniLM-L6-v2"
    vectors = embedder.embed(["Magrathea secured $10 million", "Wogen provided working capital"])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    related = float(vectors[0] @ vectors[1])
    unrelated = float(vectors[0] @ embedder.embed_one("The cat sat on the mat"))
    assert related > unrelated


def test_tampered_weights_are_refused_before_loading(tmp_path: Path, monkeypatch) -> None:
    copy = tmp_path / "model"
    shutil.copytree(bundled_model_path(), copy)
    flip_byte(copy / "model.safetensors", 4096)
    with pytest.raises(ModelIntegrityError, match="expected 53aa5117"):
        verify_bundled_model(copy)
    monkeypatch.setattr("qa.embeddings.bundled_model_path", lambda: copy)
    with pytest.raises(ModelIntegrityError):
        SentenceTransformerEmbedder("bundled")


def test_another_model_by_path_is_selectable_and_a_mismatch_says_reingest(
    tmp_path: Path, make_qa, embedder
) -> None:
    other_path = tmp_path / "other-model"
    shutil.copytree(bundled_model_path(), other_path)
    other = SentenceTransformerEmbedder(str(other_path))
    assert other.model_id == str(other_path)
    from qa import QA, Settings

    settings = Settings(home=tmp_path / "home", corpus_dir=CORPUS, embed_model=str(other_path))
    qa_other = QA(settings, embedder=other)
    qa_other.ingest()
    assert qa_other.info()["embed_model"] == str(other_path)
    hits = qa_other.retrieve("How much working capital did Wogen provide to Magrathea?")
    assert "$10 million" in hits[0].text

    qa_bundled = make_qa(home=tmp_path / "home")
    with pytest.raises(ModelMismatchError, match="re-ingest"):
        qa_bundled.ask("How much working capital did Wogen provide?")
    with pytest.raises(ModelMismatchError):
        qa_bundled.ingest()
    qa_bundled.ingest(reset=True)
    assert qa_bundled.info()["embed_model"] == "sentence-transformers/all-MiniLM-L6-v2"


def test_unknown_model_name_is_a_clear_error_not_a_download() -> None:
    with pytest.raises(QAError, match="cannot load embedding model"):
        SentenceTransformerEmbedder("no-such-org/no-such-model-xyz")


def test_a_query_encoding_is_the_pooled_vector_and_the_token_vectors_of_one_pass(
    embedder,
) -> None:
    question = "What power density does the magnesium-aluminum dual-motor system reach?"
    encoded = embedder.encode_query(question)
    assert np.allclose(encoded.vector, embedder.embed_one(question), atol=1e-5)
    pieces, vectors = embedder.token_vectors([question])[0]
    assert encoded.pieces == pieces
    assert np.allclose(encoded.token_vectors, vectors, atol=1e-5)
    assert embedder.encode_query(question) is encoded  # remembered
    assert not encoded.vector.flags.writeable  # shared by every caller: nobody may change it


def test_an_embedder_without_token_vectors_still_encodes_queries(embedder, monkeypatch) -> None:
    def none(texts):
        raise NotImplementedError

    monkeypatch.setattr(embedder, "token_vectors", none)
    encoded = Embedder._encode_query(embedder, "Who owns Minago?")  # the base class's way
    assert encoded.pieces == [] and encoded.token_vectors.shape == (0, 384)
    assert np.allclose(encoded.vector, embedder.embed_one("Who owns Minago?"), atol=1e-5)


def test_an_ask_runs_the_question_through_the_model_once(corpus_qa, embedder, monkeypatch) -> None:
    passes: list[str] = []
    hidden = embedder._hidden  # every forward pass of the ONNX embedder goes through it

    def count(texts):
        passes.extend(texts)
        return hidden(texts)

    embedder.forget_queries()  # an earlier test may have asked the same
    monkeypatch.setattr(embedder, "_hidden", count)
    question = "Which global metal trader did the US magnesium producer Magrathea partner with?"
    answer = corpus_qa.ask(question)
    assert "Wogen" in answer.text
    assert passes.count(question) == 1  # retrieval and the reader's MaxSim share the pass


def test_configured_max_tokens_is_what_the_loaded_model_reads(embedder, tmp_path) -> None:
    """Read from the model folder without loading it; None where the folder cannot say."""
    from qa.embeddings import configured_max_tokens

    assert configured_max_tokens("bundled") == embedder.max_tokens == 256
    assert configured_max_tokens(str(tmp_path)) is None  # no sentence_bert_config.json
    (tmp_path / "sentence_bert_config.json").write_text("{not json", encoding="utf-8")
    assert configured_max_tokens(str(tmp_path)) is None
    (tmp_path / "sentence_bert_config.json").write_text('{"max_seq_length": 128}', "utf-8")
    assert configured_max_tokens(str(tmp_path)) == 128
    assert configured_max_tokens("some-org/some-hub-model") is None
