"""The bundled embedding model on ONNX Runtime and ``tokenizers``: no torch at run time.

The model is all-MiniLM-L6-v2 as sentence-transformers runs it: its transformer (exported once
from the verified weights by ``qa.onnx_export``, sha256-pinned), then the mean of the token
vectors over the attention mask, then L2 normalisation; the token vectors themselves, before
pooling, are what the reader's MaxSim matches. Batches are formed by length, so short texts are
not padded to the longest one of a block.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa.config import BUNDLED_MODEL
from qa.embeddings import (
    BUNDLED_NAME,
    Embedder,
    QueryEncoding,
    _unit,
    bundled_model_path,
    configured_max_tokens,
)
from qa.errors import ModelIntegrityError, QAError

__all__ = [
    "INT8_NAME",
    "INT8_SHA256",
    "ONNX_SHA256",
    "OnnxEmbedder",
    "bundled_tokenizer",
    "ensure_export",
    "export_path",
    "make_embedder",
    "onnx_feeds",
    "second_segment",
    "verified_session",
]

# sha256 of the export written by qa.onnx_export with torch 2.13.0, transformers 5.24.0 and
# onnx 1.23.2 from the weights of BUNDLED_SHA256 (opset 17, the TorchScript exporter)
ONNX_SHA256 = "591b4223dfe909d37b60899718abef1c807953e106c5df9475f837e3ce61b3fd"
# sha256 of that export quantised by ONNX Runtime's quantize_dynamic (int8 weights per output
# channel, MatMul only), as qa.onnx_export.quantize_int8 writes it with onnxruntime 1.32.0
INT8_SHA256 = "92e22f8ee8d0a1b6bd3d2af93e41faa65b08332d5f916867ea03e7aa60040776"
# the int8 model's vectors differ (cosine about 0.99): a store built with it records this id
INT8_NAME = f"{BUNDLED_NAME} (int8)"


# a pooled sentence vector less this share of its chunk's mean token state, the part every
# sentence of the chunk shares (chosen on the dev splits: eval/README.md)
SPAN_CENTRE = 0.25


def export_path(folder: Path, *, int8: bool = False) -> Path:
    """Where the export (or its int8 quantisation) lives in ``folder``; named by its hash: a
    new pin, a new file."""
    if int8:
        return folder / f"all-MiniLM-L6-v2-int8-{INT8_SHA256[:16]}.onnx"
    return folder / f"all-MiniLM-L6-v2-{ONNX_SHA256[:16]}.onnx"


def verified_session(
    path: Path, expected: str, what: str, weights: str = "shipped", threads: int | None = None
) -> Any:
    """An ONNX Runtime session (CPU) of the export at ``path``, read once and run from the
    bytes whose sha256 was checked against ``expected``. ``what`` names the model and
    ``weights`` what it is exported from, for the error; ``threads``: intra-op threads (None:
    ONNX Runtime's default, the physical cores).

    Raises:
        ModelIntegrityError: the file does not have ``expected``.
    """
    import hashlib

    import onnxruntime as ort

    data = path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise ModelIntegrityError(
            f"ONNX {what} {path} has sha256 {actual}, expected {expected}; "
            f"delete it and qa exports it again from the {weights} weights"
        )
    options = ort.SessionOptions()
    options.log_severity_level = 3
    # its threads sleep between runs instead of spinning, which on shared cores slowed every
    # pass (figures: README "Measured")
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if threads is not None:
        options.intra_op_num_threads = threads
    return ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])


def onnx_feeds(encodings: Sequence[Any]) -> dict[str, np.ndarray]:
    """The inputs of one run of a BERT export over ``tokenizers`` encodings: ``input_ids``,
    ``token_type_ids`` and ``attention_mask``, int64, shape ``(len(encodings), longest)``, the
    shorter ones padded with 0 and masked."""
    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(encodings), width), dtype=np.int64)
    types, mask = np.zeros_like(ids), np.zeros_like(ids)
    for row, e in enumerate(encodings):
        ids[row, : len(e.ids)] = e.ids
        types[row, : len(e.ids)] = e.type_ids
        mask[row, : len(e.ids)] = 1
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


def second_segment(encoding: Any) -> tuple[list[int], np.ndarray]:
    """The token rows of a pair encoding's second text (after truncation) and their character
    spans ``[start, end)`` in that text, shape ``(m, 2)`` int32."""
    rows = [t for t, sid in enumerate(encoding.sequence_ids) if sid == 1]
    spans = np.asarray([encoding.offsets[t] for t in rows], dtype=np.int32).reshape(-1, 2)
    return rows, spans


def bundled_tokenizer(max_length: int | None = None, strategy: str = "longest_first") -> Any:
    """The bundled model's ``tokenizers`` tokenizer, unpadded, truncating to ``max_length``
    word pieces by ``strategy`` (None: never). Each user configures its own: changing a shared
    one's truncation per call is what fails under concurrent requests ("Already borrowed")."""
    from tokenizers import Tokenizer

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    tokenizer = Tokenizer.from_file(str(bundled_model_path() / "tokenizer.json"))
    if max_length is None:
        tokenizer.no_truncation()
    else:
        tokenizer.enable_truncation(max_length=max_length, strategy=strategy)
    tokenizer.no_padding()
    return tokenizer


def ensure_export(
    folder: Path, *, int8: bool = False, in_process: bool = False, model: str = "embedder"
) -> Path:
    """The verified export (``int8``: its int8 quantisation) of ``model`` (``embedder``: the
    bundled embedding model; ``selector``: the answer selector; ``span_reader``: the span
    reader, which has no int8 variant) in ``folder``, made first if it is missing.

    The export imports torch: unless ``in_process``, it runs in a child process
    (``python -m qa.onnx_export FOLDER --only MODEL``), so this process never loads torch.
    Concurrent callers wait for one export (a file lock).

    Raises:
        ModelIntegrityError: the file there, or a fresh export, does not have its pinned hash.
        QAError: the export failed (e.g. torch missing).
    """
    from qa.answer import selector as answer_selector
    from qa.answer import span_reader

    if model == "selector":
        path, pins = answer_selector.onnx_path, answer_selector.ONNX_PINS
        what = "answer selector"
    elif model == "span_reader":
        path, pins = span_reader.onnx_path, (span_reader.READER_ONNX_SHA256, "")
        what = "span reader"
    else:
        path, pins, what = export_path, (ONNX_SHA256, INT8_SHA256), "embedding model"
    target = path(folder, int8=int8)
    if target.is_file():
        return target
    if not in_process:
        print(f"qa: exporting the {what} to ONNX (once)", file=sys.stderr)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "qa.onnx_export",
                str(folder),
                "--only",
                model,
                *(["--int8"] if int8 else []),
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
        if done.returncode != 0 or not target.is_file():
            lines = (done.stderr or done.stdout or "no output").strip().splitlines() or ["?"]
            message = lines[-1].removeprefix("error: ")
            if "sha256" in message:
                raise ModelIntegrityError(message)
            raise QAError(f"cannot export the {what} to ONNX: {message}")
        return target
    from filelock import FileLock

    from qa.onnx_export import export_bundled, export_selector, export_span_reader, quantize_int8

    exporter = {"selector": export_selector, "span_reader": export_span_reader}.get(
        model, export_bundled
    )
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder / ".export.lock")):
        source = path(folder)
        if not source.is_file():
            exporter(source, pins[0])
        if int8 and not target.is_file():
            quantize_int8(source, pins[0], target, pins[1], what)
    return target


class OnnxEmbedder(Embedder):
    """The bundled all-MiniLM-L6-v2 on ONNX Runtime; vectors equal sentence-transformers' to
    about 1e-6 (cosine).

    Args:
        folder: where the ONNX export is kept (made there on first use); default the
            configured ``onnx_dir`` (``<home>/models/onnx``).
        batch_size: texts per forward pass.
        int8: run the int8 quantisation of the export (faster; vectors differ slightly, so
            its ``model_id`` differs and a store built with the other needs a re-ingest).
        threads: ONNX Runtime's intra-op threads; None = its default (the physical cores).

    Raises:
        ModelIntegrityError: the bundled weights or the export do not have their pinned hash.
        QAError: the bundled model is not installed, or the export failed.
    """

    def __init__(
        self,
        folder: Path | None = None,
        *,
        batch_size: int = 32,
        int8: bool = False,
        threads: int | None = None,
    ) -> None:
        if folder is None:
            from qa.config import Settings

            folder = Settings().onnx_models_dir
        self.model_id = INT8_NAME if int8 else BUNDLED_NAME
        self.batch_size = batch_size
        self.max_tokens = configured_max_tokens(BUNDLED_MODEL) or 256
        # two tokenizers, each configured once (bundled_tokenizer)
        self._pieces_tokenizer = bundled_tokenizer()
        self._tokenizer = bundled_tokenizer(self.max_tokens)
        self._session = verified_session(
            ensure_export(folder, int8=int8),
            INT8_SHA256 if int8 else ONNX_SHA256,
            "embedding model",
            "bundled",
            threads,
        )
        self.dimension = int(self._session.get_outputs()[0].shape[-1])

    def tokenize(self, text: str) -> Sequence[object]:
        return self._pieces_tokenizer.encode(text, add_special_tokens=False).ids

    def _hidden(self, texts: Sequence[str]) -> list[tuple[list[int], np.ndarray]]:
        """Each text's ids (with [CLS]/[SEP], truncated) and token vectors ``(len(ids), 384)``,
        in order; texts of similar length are run together."""
        return self._run(self._tokenizer.encode_batch(list(texts)))

    def _run(self, encodings: Sequence[Any]) -> list[tuple[list[int], np.ndarray]]:
        """``_hidden`` of texts already tokenized (``tokenizers`` Encodings)."""
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        out: list[Any] = [None] * len(encodings)
        for start in range(0, len(order), self.batch_size):
            part = order[start : start + self.batch_size]
            hidden = self._session.run(None, onnx_feeds([encodings[i] for i in part]))[0]
            for row, i in enumerate(part):
                n = len(encodings[i].ids)
                out[i] = (encodings[i].ids, hidden[row, :n])
        return out

    @staticmethod
    def _pooled(hidden: np.ndarray) -> np.ndarray:
        return _unit(hidden.mean(axis=0, dtype=np.float32))

    def _pieces(self, ids: list[int], hidden: np.ndarray) -> tuple[list[str], np.ndarray]:
        pieces = [self._tokenizer.id_to_token(i) or "[UNK]" for i in ids[1:-1]]
        return pieces, _unit(hidden[1:-1].astype(np.float32, copy=False))

    def token_vectors(self, texts: Sequence[str]) -> list[tuple[list[str], np.ndarray]]:
        return [self._pieces(ids, hidden) for ids, hidden in self._hidden(texts)]

    def _encode_query(self, text: str) -> QueryEncoding:
        ((ids, hidden),) = self._hidden([text])
        pieces, vectors = self._pieces(ids, hidden)
        return QueryEncoding(self._pooled(hidden), pieces, vectors)

    def _embed(self, batch: list[str]) -> np.ndarray:
        if not batch:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([self._pooled(hidden) for _, hidden in self._hidden(batch)])

    span_pooling = f"tokens-in-span-less-{SPAN_CENTRE}-text-mean"

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[list[np.ndarray | None]]]:
        """One pass per text gives its vector and those of its ``spans`` (sentences): a span's
        vector is the mean of the text's token vectors that start inside it ([CLS] and [SEP]
        left out) less ``SPAN_CENTRE`` times the mean of all its token vectors, L2-normalised.
        None for a span with no token, or one whose end truncation at ``max_tokens`` cut.
        Shapes as ``Embedder.embed_spans``."""
        if isinstance(texts, str):
            raise TypeError("embed_spans() takes a sequence of strings, not a string")
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32), []
        if len(spans) != len(texts):
            raise ValueError(f"{len(texts)} texts but spans for {len(spans)}")
        vectors: list[np.ndarray] = []
        pooled: list[list[np.ndarray | None]] = []
        for first in range(0, len(texts), self.block_size):
            block = list(texts[first : first + self.block_size])
            encodings = self._tokenizer.encode_batch(block)
            for text, encoding, (_, hidden), wanted in zip(
                block,
                encodings,
                self._run(encodings),
                spans[first : first + len(block)],
                strict=True,
            ):
                vectors.append(self._pooled(hidden))
                pooled.append(_span_vectors(text, encoding, hidden, wanted, SPAN_CENTRE))
        return _unit(np.vstack(vectors).astype(np.float32, copy=False)), pooled


def _span_vectors(
    text: str,
    encoding: Any,
    hidden: np.ndarray,
    spans: Sequence[tuple[int, int]],
    centre: float = 0.0,
) -> list[np.ndarray | None]:
    """The pooled vector of each character span ``[start, end)`` of ``text``, from its token
    vectors ``hidden`` (one row per token of ``encoding``, [CLS]/[SEP] included and left out
    of every span): the mean of the span's rows less ``centre`` times the mean of all rows
    (the text's own pooled state, which every span of it shares), L2-normalised. None where
    no token starts inside the span or truncation cut its end."""
    shared = centre * hidden.mean(axis=0, dtype=np.float32)
    offsets = np.asarray(encoding.offsets, dtype=np.int64).reshape(-1, 2)
    real = np.asarray(encoding.special_tokens_mask, dtype=bool) == 0
    starts = offsets[:, 0]
    kept_end = int(offsets[real, 1].max()) if real.any() else 0
    out: list[np.ndarray | None] = []
    for start, end in spans:
        if text[kept_end:end].strip():  # the span runs on past the last token kept
            out.append(None)
            continue
        inside = real & (starts >= start) & (starts < end)
        if not inside.any():
            out.append(None)
            continue
        out.append(_unit(hidden[inside].mean(axis=0, dtype=np.float32) - shared))
    return out


def make_embedder(
    model: str, folder: Path, *, batch_size: int, backend: str, int8: bool = False
) -> Embedder:
    """The embedder for setting ``embed_model``: the bundled model on ONNX Runtime (backend
    ``onnx``; ``int8``: quantised), else sentence-transformers."""
    if model == BUNDLED_MODEL and backend == "onnx":
        return OnnxEmbedder(folder, batch_size=batch_size, int8=int8)
    from qa.embeddings import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(model, batch_size=batch_size)
