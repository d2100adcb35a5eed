"""The span reader: the answer phrase inside a sentence the extractive reader cites.

A copy of the answer selector (the bundled model's embeddings, the selector's transformer
layers) fine-tuned for spans, with a start/end layer over its final token states (BERT's
SQuAD head, Devlin et al. 2019, section 4.3). It reads the question and a cited sentence as
the selector does (``selector_input``: the sentence, then the sentence before it) and gives
[CLS] and each token of the sentence a start and an end score; [CLS] learnt "no span" on
near-miss sentences, so a span's score less [CLS]'s compares phrases of different sentences.
It runs on each cited sentence (one or two) after the reader has chosen them, and only says
where the phrase is: whether there is an answer at all stays with the selector, the no-answer
head and the reader's gates (its no-span score was measured for that and not used).

Trained by eval/train_span_reader.py on SQuAD v1.1 train only (figures: eval/README.md); the
changed tensors ship as ``qa/models/span_reader.safetensors`` (fp16, checked by hash). It runs
on ONNX Runtime from an export made once from the verified weights (``qa.onnx_export``, its
own pinned sha256), so answering imports no torch.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.answer.span import Span, best_spans
from qa.errors import ModelIntegrityError

__all__ = [
    "READER_ONNX_SHA256",
    "READER_SHA256",
    "READER_WEIGHTS",
    "Reading",
    "SpanReader",
    "onnx_path",
]

READER_WEIGHTS = Path(__file__).resolve().parent.parent / "models" / "span_reader.safetensors"
READER_SHA256 = "b0a071ce65ad5fa63d8d9ff4c5a9c13a073a051d4ae8766310a9819c4c822f4f"
# sha256 of the ONNX export qa.onnx_export.export_span_reader writes from the weights of
# READER_SHA256, the selector's and the bundled model's (the versions pinned for the
# selector's export)
READER_ONNX_SHA256 = "efd2f05b88cfcb7b2a2b694b6164a887eb5b99e1fc0bb509b9a1d497dd57622b"
MAX_TOKENS = 160  # question and reader input together, as in training; the context is cut first


def onnx_path(folder: Path, *, int8: bool = False) -> Path:
    """Where the span reader's ONNX export lives in ``folder`` (named by its hash); there is
    no int8 variant (``int8`` is refused)."""
    if int8:
        raise ValueError("the span reader has no int8 export")
    return folder / f"span-reader-{READER_ONNX_SHA256[:16]}.onnx"


class SpanReader:
    """Finds the answer phrase of a question in one sentence.

    Args:
        onnx_dir: where the ONNX export is kept (made there on first use, in a child
            process); default the configured ``onnx_dir``.

    Raises (on first use, or ``load``):
        ModelIntegrityError: the weights or the export are missing or not of their pinned hash.
        QAError: the export cannot be made (e.g. torch missing).
    """

    def __init__(self, onnx_dir: Path | None = None) -> None:
        self.onnx_dir = onnx_dir
        self._session: Any = None
        self._tokenizer: Any = None
        self._plain: Any = None
        self._lock = threading.Lock()

    def load(self) -> None:
        """Load (and verify) the export now rather than on the first answer."""
        with self._lock:
            if self._session is None:
                self._load()

    def _load(self) -> None:
        from qa.onnx_embedder import bundled_tokenizer, ensure_export, verified_session

        if not READER_WEIGHTS.is_file():
            raise ModelIntegrityError(f"span reader weights are missing: {READER_WEIGHTS}")
        folder = self.onnx_dir
        if folder is None:
            from qa.config import Settings

            folder = Settings().onnx_models_dir
        path = ensure_export(folder, model="span_reader")
        self._session = verified_session(path, READER_ONNX_SHA256, "span reader")
        self._tokenizer = bundled_tokenizer(MAX_TOKENS, "only_second")
        # the question's own length, uncut: a question of more than half the word pieces
        # leaves too little of the sentence to read
        self._plain = bundled_tokenizer()

    def logits(self, question: str, reader_input: str) -> tuple[np.ndarray, np.ndarray]:
        """Start and end scores, shape ``(1 + m, 2)`` ([CLS], then the ``m`` tokens of the
        reader input after truncation), and those tokens' character spans ``(m, 2)`` in the
        reader input; ``m`` is 0 for a question of more than half of ``MAX_TOKENS`` word
        pieces (it would leave too little of the sentence)."""
        return self.logits_all(question, [reader_input])[0]

    def logits_all(
        self, question: str, reader_inputs: Sequence[str]
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """``logits`` of each reader input, in one batch (padded, masked) of one model run."""
        self.load()
        with self._lock:
            if len(self._plain.encode(question, add_special_tokens=False).ids) > MAX_TOKENS // 2:
                empty = np.zeros((1, 2), dtype=np.float32), np.zeros((0, 2), dtype=np.int32)
                return [empty for _ in reader_inputs]
            encoded = [self._tokenizer.encode(question, r) for r in reader_inputs]
        if not encoded:
            return []
        from qa.onnx_embedder import onnx_feeds, second_segment

        out = self._session.run(["logits"], onnx_feeds(encoded))[0]
        found = []
        for b, e in enumerate(encoded):
            second, offsets = second_segment(e)
            found.append((np.concatenate([out[b, :1], out[b, second]]).astype(np.float32), offsets))
        return found

    def find(
        self, question: str, reader_input: str, sentence_length: int, k: int = 20
    ) -> list[Span]:
        """``read``'s spans alone."""
        return self.read(question, reader_input, sentence_length, k).spans

    def read(self, question: str, reader_input: str, sentence_length: int, k: int = 20) -> Reading:
        """The ``k`` best spans (at most ``qa.answer.span.MAX_ANSWER_TOKENS`` word pieces)
        among the tokens that lie in the sentence (the first ``sentence_length`` characters of
        ``reader_input``), best first; empty if none does.

        A span's ``score`` is its start plus end logit and its ``null_score`` the log of the
        two softmax normalisers over the sentence's tokens, so its ``margin`` is the span's
        log-probability (start and end independent, as Hugging Face's question-answering
        pipeline scores spans): at most 0, and near 0 when the reader is sure. The reading's
        ``null_score`` is the [CLS] start plus end logit (the SQuAD 2.0 no-answer score), what
        a span's ``score`` is compared with across sentences; None without tokens."""
        return self.read_all(question, [(reader_input, sentence_length)], k)[0]

    def read_all(
        self, question: str, sentences: Sequence[tuple[str, int]], k: int = 20
    ) -> list[Reading]:
        """``read`` of each ``(reader input, sentence length)``, in one model run."""
        readings = []
        inputs = [r for r, _ in sentences]
        for (logits, offsets), (_, length) in zip(
            self.logits_all(question, inputs), sentences, strict=True
        ):
            readings.append(_reading(logits, offsets, length, k))
        return readings


def _reading(logits: np.ndarray, offsets: np.ndarray, sentence_length: int, k: int) -> Reading:
    """``SpanReader.read`` from one input's logits and token offsets."""
    m = int(np.sum(offsets[:, 1] <= sentence_length))
    if m == 0:
        return Reading([], None)
    logits = logits[: 1 + m]
    tokens = logits[1:].astype(np.float64)
    top = tokens.max(axis=0)
    null = float((top + np.log(np.exp(tokens - top).sum(axis=0))).sum())
    spans = [
        Span(int(offsets[i - 1, 0]), int(offsets[j - 1, 1]), score, null)
        for (i, j), score in best_spans(logits, k=k)
    ]
    return Reading(spans, float(logits[0].sum()))


@dataclass(frozen=True)
class Reading:
    """The span reader's reading of one sentence: its best spans, best first, and the
    [CLS] start plus end logit (``null_score``: the score of "no span", None without tokens)."""

    spans: list[Span]
    null_score: float | None
