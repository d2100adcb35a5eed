"""Export the bundled embedding model and the answer selector to ONNX, once, from their
verified weights (needs torch).

Each export is byte-for-byte reproducible with the pinned torch, transformers and onnx, so its
sha256 is pinned (``qa.onnx_embedder.ONNX_SHA256``, ``qa.answer.selector.SELECTOR_ONNX_SHA256``)
and checked before the file is kept and again whenever it is loaded. Run at set-up
(``python -m qa.onnx_export [FOLDER]``) or, if it was not, on first use of the model, in a
child process so that the serving process never imports torch.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from qa.embeddings import _sha256, bundled_model_path, verify_bundled_model
from qa.errors import ModelIntegrityError

__all__ = ["export_bundled", "export_selector", "export_span_reader", "quantize_int8"]

OPSET = 17
_AXES = {0: "batch", 1: "sequence"}


def export_bundled(target: Path, expected: str) -> Path:
    """Write the bundled model's transformer (its ``last_hidden_state``; pooling is done by
    the caller) to ``target`` as ONNX.

    Inputs ``input_ids``, ``attention_mask``, ``token_type_ids``: int64, ``(batch, sequence)``;
    output ``last_hidden_state``: float32, ``(batch, sequence, 384)``.

    Raises:
        ModelIntegrityError: the bundled weights do not have their published hash, or the
            export does not have ``expected`` (another torch, transformers or onnx than the
            pinned ones); nothing is left at ``target`` then.
    """
    folder = bundled_model_path()
    verify_bundled_model(folder)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()

    class Transformer(torch.nn.Module):  # keyword arguments: BertModel's positional order moved
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> torch.Tensor:
            out = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state  # type: ignore[no-any-return]

    model = Transformer(AutoModel.from_pretrained(str(folder)).eval())
    return _export(model, ["last_hidden_state"], target, expected, "the bundled model")


def _export(
    model: Any,
    outputs: list[str],
    target: Path,
    expected: str,
    what: str,
    types: bool = False,
    per_token: tuple[str, ...] = ("last_hidden_state",),
) -> Path:
    """Trace ``model`` (inputs ``input_ids``, ``attention_mask``, ``token_type_ids``, batch and
    sequence dynamic) to ``target``; kept only if its sha256 is ``expected``. ``types``: the
    sample has two segments and padding (a pair model); ``per_token``: the outputs with a
    sequence axis."""
    import warnings

    import torch

    sample = torch.ones((2, 8), dtype=torch.long)
    segments = torch.zeros_like(sample)
    if types:
        sample[1, 6:] = 0  # a padded row
        segments[:, 4:] = 1
    names = ["input_ids", "attention_mask", "token_type_ids"]
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's notes on BERT's indexing
            torch.onnx.export(
                model,
                (sample, sample, segments),
                str(partial),
                input_names=names,
                output_names=outputs,
                dynamic_axes={name: _AXES for name in names}
                | {
                    name: {0: "batch"} | ({1: "sequence"} if name in per_token else {})
                    for name in outputs
                },
                opset_version=OPSET,
                dynamo=False,  # the TorchScript exporter: deterministic, needs no onnxscript
            )
        actual = _sha256(partial)
        if actual != expected:
            raise ModelIntegrityError(
                f"the ONNX export of {what} has sha256 {actual}, expected {expected}"
                f" (torch {torch.__version__}; qa pins the versions that reproduce it)"
            )
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def export_selector(target: Path, expected: str) -> Path:
    """Write the answer selector (the bundled model's embeddings with the shipped fine-tuned
    layers, ``qa.answer.selector``) to ``target`` as ONNX.

    Inputs ``input_ids``, ``attention_mask``, ``token_type_ids``: int64, ``(batch, sequence)``
    (question then reader input, as its tokenizer pairs them). Outputs ``logits``: float32,
    ``(batch, 1)`` (the probability is their sigmoid); ``pooled``: ``(batch, 384)``, what the
    classifier reads (BERT's pooler: tanh of a dense layer over [CLS]).

    Raises:
        ModelIntegrityError: the shipped or bundled weights do not have their hash, or the
            export does not have ``expected``; nothing is left at ``target`` then.
    """
    import torch

    from qa.answer.selector import AnswerSelector

    classifier = AnswerSelector(backend="torch")._load().model  # verifies both weights files

    class PairModel(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> tuple[torch.Tensor, torch.Tensor]:
            out = self.model.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            pooled = out.pooler_output
            logits = self.model.classifier(self.model.dropout(pooled))
            return logits, pooled

    return _export(
        PairModel(classifier.eval()),
        ["logits", "pooled"],
        target,
        expected,
        "the answer selector",
        types=True,
    )


def export_span_reader(target: Path, expected: str) -> Path:
    """Write the span reader (``qa.answer.span_reader``: the bundled model's embeddings, the
    selector's layers, the span reader's fine-tuned layers and start/end layer) to ``target``.

    Inputs as ``export_selector``'s. Output ``logits``: float32, ``(batch, sequence, 2)``, each
    token's start and end score.

    Raises:
        ModelIntegrityError: a weights file does not have its hash, or does not fit, or the
            export does not have ``expected``; nothing is left at ``target`` then.
    """
    import torch
    from safetensors.torch import load_file
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    from qa.answer import selector, span_reader
    from qa.embeddings import verify_weights

    verify_weights(
        span_reader.READER_WEIGHTS, span_reader.READER_SHA256, "span reader", "reinstall qa"
    )
    verify_weights(
        selector.SELECTOR_WEIGHTS, selector.SELECTOR_SHA256, "answer selector", "reinstall qa"
    )
    folder = bundled_model_path()
    verify_bundled_model(folder)
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    bert = AutoModel.from_pretrained(str(folder), add_pooling_layer=False).eval()
    tensors = {
        name.removeprefix("bert."): t.float()
        for name, t in load_file(str(selector.SELECTOR_WEIGHTS)).items()
        if name.startswith("bert.encoder.")
    }
    reader = load_file(str(span_reader.READER_WEIGHTS))
    tensors |= {
        name.removeprefix("bert."): t.float()
        for name, t in reader.items()
        if name.startswith("bert.encoder.")
    }
    _, unexpected = bert.load_state_dict(tensors, strict=False)
    if unexpected or "qa_outputs.weight" not in reader:
        raise ModelIntegrityError(f"span reader weights {span_reader.READER_WEIGHTS} do not fit")
    head = torch.nn.Linear(bert.config.hidden_size, 2)
    head.load_state_dict(
        {"weight": reader["qa_outputs.weight"].float(), "bias": reader["qa_outputs.bias"].float()}
    )

    class Reader(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert, self.head = bert, head

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> torch.Tensor:
            out = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return self.head(out.last_hidden_state)  # type: ignore[no-any-return]

    return _export(
        Reader().eval(), ["logits"], target, expected, "the span reader", True, ("logits",)
    )


def quantize_int8(
    source: Path, source_sha256: str, target: Path, expected: str, what: str = "embedding model"
) -> Path:
    """Write ``source`` (the verified export) with int8 weights to ``target``: ONNX Runtime's
    dynamic quantisation, weights per output channel, MatMul nodes only (no torch needed).

    Raises:
        ModelIntegrityError: ``source`` or the result does not have its expected sha256.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from qa.embeddings import verify_weights

    verify_weights(source, source_sha256, f"ONNX {what}", "delete it to export again")
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial.onnx")
    try:
        import logging

        logging.getLogger().setLevel(logging.ERROR)  # its advice to pre-process first
        quantize_dynamic(
            source,
            partial,
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
        )
        actual = _sha256(partial)
        if actual != expected:
            raise ModelIntegrityError(
                f"the int8 ONNX {what} has sha256 {actual}, expected {expected}"
            )
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def main() -> int:
    """``python -m qa.onnx_export [FOLDER] [--int8] [--only embedder|selector|span_reader]``:
    export the embedding model, the answer selector and the span reader (or only one) into
    FOLDER (default: the configured one); ``--int8`` also quantises the first two."""
    import argparse

    from qa.config import Settings
    from qa.onnx_embedder import ensure_export

    parser = argparse.ArgumentParser(prog="python -m qa.onnx_export", description=main.__doc__)
    parser.add_argument("folder", nargs="?", type=Path)
    parser.add_argument("--int8", action="store_true")
    parser.add_argument("--only", choices=["embedder", "selector", "span_reader"])
    args = parser.parse_args()
    folder = args.folder or Settings().onnx_models_dir
    try:
        for model in [args.only] if args.only else ["embedder", "selector", "span_reader"]:
            # the span reader has no int8 variant
            int8 = args.int8 and model != "span_reader"
            print(ensure_export(folder, int8=int8, in_process=True, model=model))
    except ModelIntegrityError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
