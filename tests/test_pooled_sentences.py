"""Sentence vectors pooled from their chunk's forward pass (setting ``sentence_vectors``):
close to a sentence's own pass, table rows and truncated sentences embedded by themselves, one
vector per sentence, and a store made the other way re-embedded, never mixed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa.chunking import Chunker, in_context
from qa.documents import load_documents
from qa.ids import sentence_id
from qa.onnx_embedder import _span_vectors
from tests.conftest import ARTICLE, ROOT
from tests.test_ingest import INGEST_SCRIPT, _many_documents, state

TABLE_DOC = """# Solvik quarterly results

Solvik Metals reported its figures for the year. The smelter in Porsgrunn ran at full capacity.

| Quarter | Revenue (million EUR) | Staff |
|---|---|---|
| Q2 2024 | 12.4 | 215 |
| Q3 2024 | 14.2 | 222 |

The company expects demand from car makers to grow next year.
"""


def _sentence_records(qa) -> dict[tuple[str, int, int], np.ndarray]:
    """Every stored sentence vector by (document id, start, end)."""
    got = qa._store.sentences().get(include=["metadatas", "embeddings"])
    return {
        (m["doc_id"], m["start"], m["end"]): np.asarray(v, dtype=np.float32)
        for m, v in zip(got["metadatas"], got["embeddings"], strict=True)
    }


def _article_sentences(embedder):
    """The article's chunks and, per chunk, its sentences that read as they are (no table
    row), in chunk-relative offsets."""
    (doc,), _ = load_documents([ARTICLE])
    chunks = Chunker(embedder.tokenize, 254, 32).chunk(doc, "v")
    spans = [
        [
            (s - c.start, e - c.start)
            for s, e in c.sentences
            if in_context(doc, s, e) == doc.text[s:e]
        ]
        for c in chunks
    ]
    return doc, chunks, spans


def test_a_pooled_sentence_vector_is_near_its_own_pass_and_finds_its_sentence(embedder) -> None:
    _, chunks, spans = _article_sentences(embedder)
    chunk_vectors, pooled = embedder.embed_spans([c.text for c in chunks], spans)
    # the chunk's vector is the one embed() gives: the chunk pass is not changed
    assert float((chunk_vectors * embedder.embed([c.text for c in chunks])).sum(1).min()) > 0.9999
    texts = [c.text[s:e] for c, wanted in zip(chunks, spans, strict=True) for s, e in wanted]
    vectors = [v for found in pooled for v in found]
    assert len(texts) == len(vectors) > 10 and all(v is not None for v in vectors)
    mine = np.vstack(vectors)
    alone = embedder.embed(texts)
    assert np.allclose(np.linalg.norm(mine, axis=1), 1.0, atol=1e-5)
    cosines = (mine * alone).sum(axis=1)
    # a sentence read in its chunk's context is not the sentence read alone, but it is that
    # sentence (measured on this article: median cosine 0.84, 92 % nearest their own)
    assert float(np.median(cosines)) > 0.75
    # most pooled vectors are nearest to their own sentence's vector among all the article's
    nearest = (mine @ alone.T).argmax(axis=1)
    assert float((nearest == np.arange(len(texts))).mean()) >= 0.8
    # taking out part of the chunk's shared state (SPAN_CENTRE) makes sentences of one chunk
    # less alike, nearer to how alike they are alone (measured: 0.62, against 0.76 uncentred
    # and 0.46 alone)
    encodings = embedder._tokenizer.encode_batch([c.text for c in chunks])
    uncentred = np.vstack(
        [
            v
            for c, encoding, (_, hidden), wanted in zip(
                chunks, encodings, embedder._run(encodings), spans, strict=True
            )
            for v in _span_vectors(c.text, encoding, hidden, wanted, 0.0)
        ]
    )
    alike = {"centred": [], "uncentred": [], "alone": []}
    first = 0
    for wanted in spans:
        rows = slice(first, first + len(wanted))
        first += len(wanted)
        if len(wanted) > 1:
            upper = np.triu_indices(len(wanted), 1)
            for name, vecs in (("centred", mine), ("uncentred", uncentred), ("alone", alone)):
                alike[name].append(float((vecs[rows] @ vecs[rows].T)[upper].mean()))
    centred, plain = float(np.mean(alike["centred"])), float(np.mean(alike["uncentred"]))
    assert centred < plain - 0.05 and float(np.mean(alike["alone"])) < plain


def test_a_span_cut_by_truncation_or_without_a_token_is_not_pooled(embedder) -> None:
    sentence = "Magnesium prices rose in January as smelters in Shaanxi cut output. "
    text = sentence * 40  # far past the model's 256 word pieces
    assert len(embedder.tokenize(text)) > embedder.max_tokens
    first = (0, len(sentence) - 1)
    last = (len(text) - len(sentence), len(text) - 1)
    blank = (len(sentence) - 1, len(sentence))  # the space between two sentences
    _, (found,) = embedder.embed_spans([text], [[first, last, blank]])
    assert found[0] is not None and found[1] is None and found[2] is None
    with pytest.raises(ValueError):
        embedder.embed_spans([text, text], [[first]])


def test_pooled_ingest_writes_one_vector_per_sentence_and_table_rows_their_own(
    make_qa, tmp_path: Path, embedder
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "solvik.md").write_text(TABLE_DOC, encoding="utf-8")
    (folder / "article.md").write_text(ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    separate = make_qa(home=tmp_path / "separate", sentence_vectors="separate")
    separate.ingest([folder])
    pooled = make_qa(home=tmp_path / "pooled", sentence_vectors="pooled")
    report = pooled.ingest([folder])
    assert report.chunks_written == report.chunks > 0
    mine, theirs = _sentence_records(pooled), _sentence_records(separate)
    # the same sentences, one vector each, under ids made as ever from their version and span
    assert sorted(mine) == sorted(theirs)
    got = pooled._store.sentences().get(include=["metadatas"])
    assert len(got["ids"]) == len(set(got["ids"])) == len(mine)
    for sid, m in zip(got["ids"], got["metadatas"], strict=True):
        assert sid == sentence_id(m["doc_id"], m["version"], m["start"], m["end"])
    docs = {d.doc_id: d for d in load_documents([folder])[0]}
    rows = plain = 0
    for key, vector in mine.items():
        doc = docs[key[0]]
        read = in_context(doc, key[1], key[2])
        if read != doc.text[key[1] : key[2]]:  # a table row: embedded with its header
            rows += 1
            assert float(vector @ embedder.embed_one(read)) > 0.9999
            assert float(vector @ theirs[key]) > 0.9999
        else:  # pooled from its chunk: not its own pass's vector
            plain += 1
            assert float(vector @ theirs[key]) < 0.999
    assert rows >= 2 and plain > 10  # the data rows (and the header row)
    again = pooled.ingest([folder])
    assert again.chunks_written == 0 and len(again.unchanged) == 2
    assert _sentence_records(pooled).keys() == mine.keys()


def test_a_store_made_the_other_way_is_re_embedded_not_mixed(make_qa) -> None:
    qa = make_qa(sentence_vectors="separate")
    first = qa.ingest()
    separate = _sentence_records(qa)
    versions = {d.doc_id: d.versions for d in qa._store.documents().values()}
    switched = make_qa(sentence_vectors="pooled")
    report = switched.ingest()
    # every document is re-embedded as a new version; the old version's records are gone
    assert len(report.updated) == 1 and report.chunks_written == first.chunks
    stored = switched._store.documents()
    assert all(d.versions != versions[i] and len(d.versions) == 1 for i, d in stored.items())
    pooled = _sentence_records(switched)
    assert len(pooled) == len(separate)
    got = switched._store.sentences().get(include=["metadatas"])
    assert {m["version"] for m in got["metadatas"]} == {
        v for d in stored.values() for v in d.versions
    }
    differing = [k for k in pooled if float(pooled[k] @ separate[k]) < 0.999]
    assert len(differing) > len(pooled) // 2
    # and back: the separate method re-embeds again, to the vectors it made first
    back = make_qa(sentence_vectors="separate").ingest()
    assert len(back.updated) == 1 and back.chunks_written == first.chunks
    restored = _sentence_records(make_qa(sentence_vectors="separate"))
    assert restored.keys() == separate.keys()
    assert min(float(restored[k] @ separate[k]) for k in separate) > 0.9999


def test_only_an_embedder_that_pools_is_asked_to(isolated_home) -> None:
    """The torch embedder pools nothing: with it the setting falls back to separate passes, and
    the documents' versions say so (known without loading either model)."""
    from qa import QA, Settings
    from qa.embeddings import SentenceTransformerEmbedder
    from qa.onnx_embedder import OnnxEmbedder

    assert OnnxEmbedder.span_pooling and not SentenceTransformerEmbedder.span_pooling
    assert QA(Settings(sentence_vectors="pooled"))._pooled() == OnnxEmbedder.span_pooling
    assert not QA(Settings(sentence_vectors="pooled", embed_backend="torch"))._pooled()
    assert not QA(Settings(sentence_vectors="pooled", embed_int8=True, embed_model="x"))._pooled()
    assert not QA(Settings(sentence_vectors="separate"))._pooled()


def test_a_pooled_ingest_killed_half_way_then_rerun_equals_one_clean_run(
    make_qa, tmp_path: Path
) -> None:
    """Pooling keeps ingest's crash safety: a chunk's sentences go in its batch and are written
    before it, so a run killed part way is finished by the next into the clean run's store."""
    corpus = tmp_path / "many"
    _many_documents(corpus, 8)
    killed_home = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QA_SENTENCE_VECTORS": "pooled"}
    proc = subprocess.Popen(
        [sys.executable, "-c", INGEST_SCRIPT, str(killed_home), str(corpus)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        done, total = (int(x) for x in line.split())
        if total and done >= total // 3:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    partial = make_qa(home=killed_home, sentence_vectors="pooled")
    assert 0 < len(partial._store.documents()) < 8  # really half-way
    partial.ingest([corpus])
    clean = make_qa(home=tmp_path / "clean", sentence_vectors="pooled")
    clean.ingest([corpus])
    assert state(partial) == state(clean)
    mine, theirs = _sentence_records(partial), _sentence_records(clean)
    assert mine.keys() == theirs.keys()
    assert min(float(mine[k] @ theirs[k]) for k in mine) > 0.9999
