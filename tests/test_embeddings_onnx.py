"""The bundled model on ONNX Runtime: the same vectors as sentence-transformers, no torch on
the query and ingest path, an export that is reproducible and verified before it is loaded."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa import ModelIntegrityError
from qa.onnx_embedder import ONNX_SHA256, OnnxEmbedder, export_path
from tests.conftest import ARTICLE, CORPUS, ONNX_DIR, ROOT
from tests.support.tamper import flip_byte


@pytest.fixture(scope="module")
def torch_embedder():
    from qa.embeddings import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


def sample_texts() -> list[str]:
    """Corpus paragraphs of every length, a one-word text, a question, and a text far past
    the model's 256 word pieces (truncated the same way by both)."""
    paragraphs = [
        p.strip()
        for path in sorted(CORPUS.glob("*.md"))
        for p in path.read_text(encoding="utf-8").split("\n\n")
        if p.strip()
    ]
    long = " ".join(paragraphs[:12])
    return [*paragraphs[:60], "magnesium", "Who owns Minago?", long]


def test_onnx_vectors_equal_sentence_transformers(embedder, torch_embedder) -> None:
    texts = sample_texts()
    onnx, torch = embedder.embed(texts), torch_embedder.embed(texts)
    assert onnx.shape == torch.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)
    assert float((onnx * torch).sum(axis=1).min()) >= 0.9999


def test_onnx_token_vectors_and_pieces_equal_sentence_transformers(
    embedder, torch_embedder
) -> None:
    texts = sample_texts()
    for (pieces, vectors), (want_pieces, want) in zip(
        embedder.token_vectors(texts), torch_embedder.token_vectors(texts), strict=True
    ):
        assert pieces == want_pieces
        assert vectors.shape == want.shape
        assert float((vectors * want).sum(axis=1).min()) >= 0.9999
    question = "What power density does the magnesium-aluminum dual-motor system reach?"
    encoded, want_query = embedder.encode_query(question), torch_embedder.encode_query(question)
    assert encoded.pieces == want_query.pieces
    assert float(encoded.vector @ want_query.vector) >= 0.9999


def test_onnx_tokenize_equals_the_transformers_tokenizer(embedder, torch_embedder) -> None:
    """The chunker counts word pieces with ``tokenize``: whole files, no truncation."""
    for path in sorted(CORPUS.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        pieces = list(embedder.tokenize(text))
        assert pieces == list(torch_embedder.tokenize(text))
        assert len(pieces) > embedder.max_tokens  # not cut at the model's window


def test_ingest_retrieval_and_ask_never_import_torch(tmp_path: Path) -> None:
    """A fresh process ingests, retrieves and answers on ONNX Runtime alone."""
    code = (
        "import sys, json\n"
        "from qa import QA\n"
        "qa = QA()\n"
        "report = qa.ingest()\n"
        "hits = qa.retrieve('How much working capital did Wogen provide to Magrathea?')\n"
        # a question that asks for a person runs the people recogniser (spaCy) too
        "who = qa.ask('What is the name of the person listed as the contact?')\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'transformers') "
        "if m in sys.modules]\n"
        "print(json.dumps({'chunks': report.chunks, 'top': hits[0].text, 'heavy': heavy, "
        "'spacy': 'spacy' in sys.modules}))\n"
    )
    env = {**os.environ, "QA_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["chunks"] > 0
    assert "$10 million" in result["top"]
    assert result["heavy"] == []
    assert result["spacy"]


def test_a_tampered_export_is_refused_before_loading(embedder, tmp_path: Path) -> None:
    folder = tmp_path / "onnx"
    folder.mkdir()
    copy = export_path(folder)
    shutil.copyfile(export_path(ONNX_DIR), copy)
    flip_byte(copy, 1 << 20)
    with pytest.raises(ModelIntegrityError, match=f"expected {ONNX_SHA256[:8]}"):
        OnnxEmbedder(folder)


@pytest.mark.slow
def test_the_export_is_made_on_first_use_and_is_byte_reproducible(tmp_path: Path) -> None:
    """A fresh folder: the export is made in a child process (torch stays out of this one's
    path) and has exactly the pinned sha256, i.e. the pinned torch reproduces it."""
    folder = tmp_path / "fresh"
    made = OnnxEmbedder(folder)
    assert hashlib.sha256(export_path(folder).read_bytes()).hexdigest() == ONNX_SHA256
    assert made.embed_one(ARTICLE.read_text(encoding="utf-8")[:200]).shape == (384,)


def test_the_int8_model_is_close_verified_and_recorded_as_another_model(
    embedder, tmp_path: Path
) -> None:
    """Opt-in int8: made from the verified export (pinned sha256), vectors near the fp32 ones,
    and a store built with one refuses the other until a re-ingest."""
    from qa import QA, ModelMismatchError, Settings
    from qa.onnx_embedder import INT8_NAME, INT8_SHA256

    int8 = OnnxEmbedder(ONNX_DIR, int8=True)
    digest = hashlib.sha256(export_path(ONNX_DIR, int8=True).read_bytes()).hexdigest()
    assert digest == INT8_SHA256
    texts = sample_texts()
    cosines = (int8.embed(texts) * embedder.embed(texts)).sum(axis=1)
    assert float(cosines.mean()) >= 0.98 and float(cosines.min()) >= 0.9
    assert int8.model_id == INT8_NAME != embedder.model_id

    settings = Settings(home=tmp_path / "home", corpus_dir=CORPUS, embed_int8=True)
    assert QA(settings).model_id == INT8_NAME  # known before the model is loaded
    QA(settings, embedder=int8).ingest()
    fp32 = QA(Settings(home=tmp_path / "home", corpus_dir=CORPUS), embedder=embedder)
    # the message names the setting that differs (it named only QA_EMBED_MODEL)
    with pytest.raises(ModelMismatchError, match=r"re-ingest.*QA_EMBED_INT8"):
        fp32.retrieve("Who owns Minago?")


def test_concurrent_callers_get_the_vectors_of_their_own_texts(embedder) -> None:
    """The UI asks from several threads at once: no lock, no shared tokenizer state."""
    from concurrent.futures import ThreadPoolExecutor

    texts = sample_texts()[:24]
    alone = [embedder.token_vectors([t])[0][1] for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda t: embedder.token_vectors([t])[0][1], texts))
    for one, other in zip(alone, together, strict=True):
        assert np.allclose(one, other, atol=1e-4)
