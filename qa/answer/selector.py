"""The answer selector: a cross-encoder that judges whether a sentence answers a question.

It reads the question and the sentence together, so it tells "Magrathea, the American
start-up, expects its plant to open by 2029" from "Magrathea is an American start-up" for
"When will the American start-up's plant open?", which pooled vectors and MaxSim (one side at
a time) cannot. It reads each sentence with its context (``selector_input``: the sentence or
heading before it; training also gave SQuAD's article title, which the reader leaves out), so
"The technology claims to be the most cost-efficient..." can answer a question that names
the technology. It is all-MiniLM-L6-v2,
the bundled embedding model, with its transformer layers fine-tuned on SQuAD v1.1 train
(eval/train_answer_selector.py: sentences alone, then with their context). Its embeddings were
frozen in training, so qa ships only the layers that changed (``qa/models/
answer_selector.safetensors``, fp16, checked by hash) and reads the rest from the bundled
model, itself checked by hash. Nothing is downloaded.

It runs on ONNX Runtime with ``tokenizers`` (``backend="onnx"``, ``QA_ANSWER_SELECTOR_BACKEND``,
the default): an export made once from the verified weights by ``qa.onnx_export``, with its own
pinned sha256, so answering a question imports no torch. ``backend="torch"`` runs it with
sentence-transformers (the training scripts' way; the same numbers to about 1e-5).

With ``quantize`` (``QA_ANSWER_SELECTOR_INT8``) its linear layers run as int8 on the CPU
(weights per output channel; on ONNX Runtime its ``quantize_dynamic`` of the MatMuls, on torch
PyTorch's dynamic quantisation): faster per question, but close calls can flip (figures:
eval/README.md).
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa.errors import ModelIntegrityError, QAError

__all__ = [
    "ONNX_PINS",
    "SELECTOR_INT8_SHA256",
    "SELECTOR_ONNX_SHA256",
    "SELECTOR_SHA256",
    "SELECTOR_WEIGHTS",
    "AnswerSelector",
    "export_weights",
    "onnx_path",
    "selector_input",
]

SELECTOR_WEIGHTS = Path(__file__).resolve().parent.parent / "models" / "answer_selector.safetensors"
SELECTOR_SHA256 = "54c982b9458dab41051d08ccb08c34587bc967319f8f2e19e29b8fc71a72af26"
FEATURES = 384  # the width of the pooled pair representation the classifier reads
MAX_TOKENS = 192  # question, sentence and context together; the context's end is cut first
_FROZEN = "bert.embeddings."  # read from the bundled model, not shipped
# sha256 of the selector's ONNX export as qa.onnx_export.export_selector writes it from the
# weights of SELECTOR_SHA256 and the bundled model (torch 2.13.0, transformers 5.24.0,
# onnx 1.23.2, opset 17, the TorchScript exporter), and of its int8 quantisation by
# onnxruntime 1.32.0's quantize_dynamic (per channel, MatMul only)
SELECTOR_ONNX_SHA256 = "3cade813eee8f4ac0de85593c7a15aabc6cc0f6fce57acb4eb1a7d37475ed136"
SELECTOR_INT8_SHA256 = "2f1f6867bf708225a65224f585b3aace798f38840b6687b96d627d4b88db08dc"
ONNX_PINS = (SELECTOR_ONNX_SHA256, SELECTOR_INT8_SHA256)


def onnx_path(folder: Path, *, int8: bool = False) -> Path:
    """Where the selector's ONNX export (or its int8 quantisation) lives in ``folder``; named
    by its hash: a new pin, a new file."""
    if int8:
        return folder / f"answer-selector-int8-{SELECTOR_INT8_SHA256[:16]}.onnx"
    return folder / f"answer-selector-{SELECTOR_ONNX_SHA256[:16]}.onnx"


def selector_input(sentence: str, title: str = "", previous: str = "") -> str:
    """The text the selector reads for a candidate: the sentence first, then its context.

    The context (a title, given in training only, and the sentence before it) lets the model
    resolve "the company" or "the project". It comes after a separator, so truncation cuts the
    context first; training made the sentence after an answer a negative, so the answer must be
    in the sentence (a very short sentence can still score high from its context: see the
    tests).
    """
    context = " ".join(part.strip().lstrip("#").strip() for part in (title, previous) if part)
    return f"{sentence} [SEP] {context}" if context else sentence


def _to_int8(module: Any) -> None:
    """Run ``module``'s linear layers as int8 in place (dynamic quantisation, per channel).

    Per-channel weight scales keep the probabilities close to fp32 (per-tensor scales lost
    3 points of article dev accuracy). ``torch.ao.quantization`` is deprecated in favour of
    torchao, whose int8 path was half as fast here (1.7x against 3.8x over fp32 on 5 pairs);
    qa pins torch, and this is the call to move when it stops working.
    """
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():  # the deprecation notices, once per process
        warnings.simplefilter("ignore")
        quantize_dynamic(
            module, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8, inplace=True
        )


def export_weights(model_dir: Path, out: Path) -> Path:
    """Write a trained selector's changed tensors (all but the frozen embeddings) as fp16."""
    from safetensors.torch import load_file, save_file

    state = load_file(str(model_dir / "model.safetensors"))
    kept = {
        name: tensor.half().contiguous()
        for name, tensor in state.items()
        if not name.startswith(_FROZEN)
    }
    save_file(kept, str(out))
    return out


def _length_batches(lengths: Sequence[int], size: int = 32, slack: float = 1.25) -> list[list[int]]:
    """Indices of ``lengths`` in batches of at most ``size``, shortest first, a batch ending
    where the next pair is more than ``slack`` times as long as its first, so that padding
    costs at most a quarter more work (the reader's five candidates mostly run alone)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    for i in order:
        if batches and len(batches[-1]) < size and lengths[i] <= slack * lengths[batches[-1][0]]:
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches


class _OnnxPairModel:
    """The selector's ONNX export on ONNX Runtime, with the bundled model's tokenizer."""

    def __init__(self, path: Path, expected: str) -> None:
        from qa.onnx_embedder import bundled_tokenizer, verified_session

        self.session = verified_session(path, expected, "answer selector")
        # as transformers' tokenizer(..., truncation=True, max_length=MAX_TOKENS) pairs them
        self.tokenizer = bundled_tokenizer(MAX_TOKENS, "longest_first")


class AnswerSelector:
    """Scores (question, sentence) pairs: the probability that the sentence answers.

    Args:
        weights: the fine-tuned layers (safetensors); the ONNX backend runs only the shipped
            ones (its export is pinned by hash).
        expected_sha256: their sha256, checked before loading; None: unchecked (torch only).
        device: torch's device (the ONNX backend runs on the CPU).
        quantize: int8 linear layers (CPU).
        backend: ``onnx`` (ONNX Runtime, no torch) or ``torch`` (sentence-transformers).
        onnx_dir: where the ONNX export is kept (made there on first use, in a child
            process); default the configured ``onnx_dir`` (``<home>/models/onnx``).

    Raises (on first use, or ``load``):
        ModelIntegrityError: weights missing, or not of their pinned hash, or not fitting.
        QAError: the model cannot be loaded or exported.
    """

    def __init__(
        self,
        weights: Path = SELECTOR_WEIGHTS,
        expected_sha256: str | None = SELECTOR_SHA256,
        device: str = "cpu",
        quantize: bool = False,
        backend: str = "onnx",
        onnx_dir: Path | None = None,
    ) -> None:
        if backend not in ("onnx", "torch"):
            raise ValueError(f"backend must be 'onnx' or 'torch', not {backend!r}")
        self.weights = weights
        self.expected_sha256 = expected_sha256
        self.device = device
        self.quantize = quantize and device == "cpu"  # int8 kernels are CPU kernels
        self.backend = backend
        self.onnx_dir = onnx_dir
        # a sentence-transformers CrossEncoder (torch) or an _OnnxPairModel, loaded on first use
        self._model: Any = None
        self._lock = threading.Lock()  # one forward pass at a time (shared tokenizer state)

    def _load(self) -> Any:
        from qa.embeddings import bundled_model_path, verify_bundled_model, verify_weights

        if not self.weights.is_file():
            raise ModelIntegrityError(f"answer selector weights are missing: {self.weights}")
        if self.backend == "onnx" and self._shipped():
            # the export's own pinned hash covers these weights and the bundled model's
            # (checked when it was made): hashing them again would only slow a cold start
            return self._load_onnx()
        if self.expected_sha256 is not None:
            verify_weights(self.weights, self.expected_sha256, "answer selector", "reinstall qa")
        if self.backend == "onnx":
            return self._load_onnx()
        base = bundled_model_path()
        verify_bundled_model(base)
        from safetensors.torch import load_file
        from sentence_transformers.cross_encoder import CrossEncoder
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        import torch

        # "Converting SentenceTransformer model ... to CrossEncoder": expected, it is the base
        quiet = logging.getLogger("sentence_transformers")
        level = quiet.level
        quiet.setLevel(logging.ERROR)
        try:
            model = CrossEncoder(
                str(base),
                num_labels=1,
                max_length=MAX_TOKENS,
                device=self.device,
                activation_fn=torch.nn.Sigmoid(),
            )
        except Exception as exc:  # OSError, ValueError, HF errors: all mean "cannot load"
            raise QAError(f"cannot load the answer selector: {exc}".splitlines()[0]) from exc
        finally:
            quiet.setLevel(level)
        trained = {name: t.float() for name, t in load_file(str(self.weights)).items()}
        missing, unexpected = model.model.load_state_dict(trained, strict=False)
        left = [name for name in missing if not name.startswith(_FROZEN)]
        if left or unexpected:
            raise ModelIntegrityError(
                f"answer selector weights {self.weights} do not fit the bundled model "
                f"(missing {left[:3]}, unexpected {list(unexpected)[:3]})"
            )
        model.model.eval()
        if self.quantize:
            _to_int8(model.model)
        return model

    def _shipped(self) -> bool:
        """Whether the weights are the shipped file, checked against its shipped hash."""
        return self.expected_sha256 == SELECTOR_SHA256 and self.weights == SELECTOR_WEIGHTS

    def _load_onnx(self) -> _OnnxPairModel:
        from qa.embeddings import _sha256

        if not self._shipped() and _sha256(self.weights) != SELECTOR_SHA256:
            raise ModelIntegrityError(
                f"answer selector weights {self.weights} are not the shipped ones: the ONNX "
                "backend runs only those (its export is pinned by hash); use backend='torch'"
            )
        from qa.onnx_embedder import ensure_export

        folder = self.onnx_dir
        if folder is None:
            from qa.config import Settings

            folder = Settings().onnx_models_dir
        path = ensure_export(folder, int8=self.quantize, model="selector")
        return _OnnxPairModel(path, ONNX_PINS[1] if self.quantize else ONNX_PINS[0])

    def load(self) -> None:
        """Load (and verify) the model now rather than on the first question."""
        with self._lock:
            if self._model is None:
                self._model = self._load()

    def probabilities(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        """For each sentence, the probability (0..1) that it answers ``question``."""
        return self.read(question, sentences)[0]

    def read(self, question: str, sentences: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The probabilities (shape ``(n,)``) and what the classifier read to give them: the
        pooled pair representation, shape ``(n, 384)`` (float32), which the no-answer head
        (qa.answer.no_answer) scores. One forward pass gives both."""
        return self.read_pairs([(question, s) for s in sentences])

    def read_pairs(self, pairs: Sequence[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
        """``read`` for (question, reader input) pairs of any questions, in one forward pass:
        the probabilities, shape ``(n,)``, and the pooled features, shape ``(n, 384)``
        (float32). Pairs run in batches of 32, shortest first (on ONNX Runtime, batches of
        similar length), and come back in the given order. Raises
        ``ModelIntegrityError``/``QAError`` if the model cannot load."""
        n = len(pairs)
        probabilities = np.zeros(n, dtype=np.float32)
        features = np.zeros((n, FEATURES), dtype=np.float32)
        if not pairs:
            return probabilities, features
        self.load()
        if self.backend == "onnx":
            return self._read_onnx(pairs, probabilities, features)
        import torch

        model, tokenizer = self._model.model, self._model.tokenizer
        order = sorted(range(n), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
        pooled: list[Any] = []

        def keep(_module: Any, inputs: tuple[Any, ...], _output: Any) -> None:
            pooled.append(inputs[0].detach().float())

        with self._lock, torch.inference_mode():
            hook = model.classifier.register_forward_hook(keep)
            try:
                for b in range(0, n, 32):
                    batch = order[b : b + 32]
                    encoded = tokenizer(
                        [pairs[i][0] for i in batch],
                        [pairs[i][1] for i in batch],
                        padding=True,
                        truncation=True,
                        max_length=MAX_TOKENS,
                        return_tensors="pt",
                    )
                    out = model(**encoded)
                    probabilities[batch] = torch.sigmoid(out.logits.float()).reshape(-1)
                    features[batch] = pooled.pop().numpy()
            finally:
                hook.remove()
        return probabilities, features

    def _read_onnx(
        self,
        pairs: Sequence[tuple[str, str]],
        probabilities: np.ndarray,
        features: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        from qa.onnx_embedder import onnx_feeds

        model: _OnnxPairModel = self._model
        with self._lock:
            encodings = model.tokenizer.encode_batch([(q, s) for q, s in pairs])
        for batch in _length_batches([len(e.ids) for e in encodings]):
            logits, pooled = model.session.run(
                ["logits", "pooled"], onnx_feeds([encodings[i] for i in batch])
            )
            probabilities[batch] = 1.0 / (1.0 + np.exp(-logits.reshape(-1).astype(np.float64)))
            features[batch] = pooled
        return probabilities, features
