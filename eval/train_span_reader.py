"""Train the span reader: the answer phrase in the sentence the extractive reader cites.

The reader's span head reads the answer selector's frozen token states, which were trained
to judge whole sentences and find answer boundaries poorly (held-out token F1 about 0.42,
eval/README.md). This script fine-tunes the top ``--layers`` transformer layers of a copy of
the selector (its lower layers and the bundled embeddings frozen) with a start/end layer on
top (BERT's SQuAD head, Devlin et al. 2019, section 4.3), on SQuAD v1.1 **train** questions
against the sentence that holds their answer, read as the reader reads it
(``selector_input``: the sentence, then the sentence before it). It runs on the sentences
the reader has chosen, so it learns where the answer is; with ``--negatives`` it also learns
which of them holds none ([CLS] as the target for a near-miss sentence of the same paragraph,
as SQuAD 2.0 readers learn no-answer), which is what picks the sentence the phrase comes from.
Abstention stays with the selector, the no-answer head and the gates.

    OMP_NUM_THREADS=2 python eval/train_span_reader.py SQUAD_TRAIN_JSON out/ --minutes 60
    OMP_NUM_THREADS=2 python eval/train_span_reader.py SQUAD_TRAIN_JSON out2/ --minutes 40 \
        --init out/span_reader.safetensors --negatives 0.5 --lr 3e-5 --head-lr 2e-4

Articles are shuffled (seed 13) and the last 10 % held out: their pairs give the token F1
and exact match printed at the end (over the pairs with an answer; the best span of at most
``qa.answer.span.MAX_ANSWER_TOKENS`` word pieces against the answer's characters). SQuAD 2.0
dev, XQuAD and the article set are never read. Output: ``out/span_reader.safetensors``, the
changed tensors only (fp16).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from squad_train import load_squad_train

SEED = 13
MAX_TOKENS = 160


def pairs(
    squad: dict, articles: list[int], negatives: float = 0.0, rng: random.Random | None = None
) -> list[tuple[str, str, int, int]]:
    """(question, reader input, answer start, answer end) for every question of ``articles``
    whose first answer lies inside one sentence; the span is in reader-input characters.

    With ``negatives`` (a share, 0 to 1), that share of the questions also gets a no-answer
    pair, start and end -1: the question against the sentence of its paragraph that shares
    the most words with it and holds none of its answers (the reader's likeliest wrong
    sentence), which teaches [CLS] as "this sentence does not answer"."""
    from qa.answer.selector import selector_input
    from qa.chunking import sentence_spans

    out = []
    for ai in articles:
        for p in squad["data"][ai]["paragraphs"]:
            text = p["context"]
            spans = sentence_spans(text)
            for q in p["qas"]:
                a = q["answers"][0]
                start, end = a["answer_start"], a["answer_start"] + len(a["text"])
                for n, (s, e) in enumerate(spans):
                    if s <= start and end <= e:
                        previous = text[spans[n - 1][0] : spans[n - 1][1]] if n else ""
                        read = selector_input(text[s:e], previous=previous)
                        out.append((q["question"], read, start - s, end - s))
                        break
                else:
                    continue
                if negatives and rng is not None and rng.random() < negatives:
                    wrong = _near_miss(q, text, spans)
                    if wrong is not None:
                        n, (s, e) = wrong
                        previous = text[spans[n - 1][0] : spans[n - 1][1]] if n else ""
                        out.append((q["question"], selector_input(text[s:e], previous), -1, -1))
    return out


def _near_miss(
    q: dict, text: str, spans: list[tuple[int, int]]
) -> tuple[int, tuple[int, int]] | None:
    """The sentence of the paragraph sharing the most words with the question that holds
    none of its answers (index and span), or None."""
    import re

    words = set(re.findall(r"\w+", q["question"].lower()))
    answers = {a["text"] for a in q["answers"]}
    best, best_n = None, -1
    for n, (s, e) in enumerate(spans):
        sentence = text[s:e]
        if any(a in sentence for a in answers) or len(sentence.split()) < 4:
            continue
        shared = len(words & set(re.findall(r"\w+", sentence.lower())))
        if shared > best_n:
            best, best_n = (n, (s, e)), shared
    return best


def encode(tokenizer: Any, rows: list[tuple[str, str, int, int]]) -> list[dict[str, Any]]:
    """Token ids and the (start, end) token rows of each answer; rows whose answer was cut
    by truncation are dropped."""
    out = []
    for question, read, a, b in rows:
        enc = tokenizer(
            question,
            read,
            truncation="only_second",
            max_length=MAX_TOKENS,
            return_offsets_mapping=True,
            return_token_type_ids=True,
        )
        seq = enc.sequence_ids()
        if a < 0:  # a no-answer pair: [CLS] is the target
            inside = [0]
        else:
            inside = [
                t
                for t, (s, e) in enumerate(enc["offset_mapping"])
                if seq[t] == 1 and e > a and s < b
            ]
        if not inside:
            continue
        out.append(
            {
                "ids": enc["input_ids"],
                "types": enc["token_type_ids"],
                "start": inside[0],
                "end": inside[-1],
                "offsets": enc["offset_mapping"],
                "seq": seq,
                "read": read,
                "gold": read[a:b] if a >= 0 else None,
            }
        )
    return out


def batches(rows: list[dict[str, Any]], size: int, rng: random.Random) -> list[list[int]]:
    """Batches of similar length (less padding), in random order."""
    order = sorted(range(len(rows)), key=lambda i: (len(rows[i]["ids"]), rng.random()))
    out = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(out)
    return out


def tensors(rows: list[dict[str, Any]], idx: list[int]) -> dict[str, Any]:
    import torch

    n = max(len(rows[i]["ids"]) for i in idx)
    ids = torch.zeros((len(idx), n), dtype=torch.long)
    types = torch.zeros_like(ids)
    mask = torch.zeros_like(ids)
    for k, i in enumerate(idx):
        m = len(rows[i]["ids"])
        ids[k, :m] = torch.tensor(rows[i]["ids"])
        types[k, :m] = torch.tensor(rows[i]["types"])
        mask[k, :m] = 1
    return {"input_ids": ids, "token_type_ids": types, "attention_mask": mask}


class SpanReaderModel:
    """The selector's BERT with a start/end layer; the top ``layers`` layers train."""

    def __init__(self, layers: int) -> None:
        import torch
        from safetensors.torch import load_file
        from transformers import AutoModel

        from qa.answer.selector import SELECTOR_WEIGHTS
        from qa.embeddings import bundled_model_path

        self.bert = AutoModel.from_pretrained(str(bundled_model_path()), add_pooling_layer=False)
        trained = {
            k.removeprefix("bert."): t.float()
            for k, t in load_file(str(SELECTOR_WEIGHTS)).items()
            if k.startswith("bert.") and not k.startswith("bert.pooler")
        }
        missing, unexpected = self.bert.load_state_dict(trained, strict=False)
        assert not unexpected, unexpected
        assert all(k.startswith("embeddings.") for k in missing), missing
        self.head = torch.nn.Linear(self.bert.config.hidden_size, 2)
        total = self.bert.config.num_hidden_layers
        self.trained = [f"encoder.layer.{i}." for i in range(total - layers, total)]
        for name, p in self.bert.named_parameters():
            p.requires_grad = any(name.startswith(t) for t in self.trained)

    def load(self, path: Path) -> None:
        """Take the trained tensors of a previous run (``state``'s file)."""
        from safetensors.torch import load_file

        state = load_file(str(path))
        self.bert.load_state_dict(
            {k.removeprefix("bert."): v.float() for k, v in state.items() if k.startswith("bert.")},
            strict=False,
        )
        self.head.weight.data = state["qa_outputs.weight"].float()
        self.head.bias.data = state["qa_outputs.bias"].float()

    def parameters(self) -> list[Any]:
        return [p for p in self.bert.parameters() if p.requires_grad]

    def logits(self, batch: dict[str, Any]) -> Any:
        states = self.bert(**batch).last_hidden_state
        return self.head(states)  # (b, t, 2)

    def state(self) -> dict[str, Any]:
        kept = {
            f"bert.{k}": v.half().contiguous()
            for k, v in self.bert.state_dict().items()
            if any(k.startswith(t) for t in self.trained)
        }
        kept["qa_outputs.weight"] = self.head.weight.detach().half().contiguous()
        kept["qa_outputs.bias"] = self.head.bias.detach().half().contiguous()
        return kept


def evaluate(model: SpanReaderModel, rows: list[dict[str, Any]]) -> tuple[float, float]:
    """SQuAD token F1 and exact match (``qa.evaluation.metrics``, as ``qa eval`` scores) of the
    best span of the reader input's tokens (``qa.answer.span.best_span``: at most
    MAX_ANSWER_TOKENS word pieces, as the reader picks) against the gold text."""
    import torch

    from qa.answer.span import best_span
    from qa.evaluation.metrics import exact_match, token_f1

    f1s, ems, nulls = [], [], []
    model.bert.eval()
    with torch.no_grad():
        for first in range(0, len(rows), 64):
            idx = list(range(first, min(first + 64, len(rows))))
            out = model.logits(tensors(rows, idx)).numpy()
            for k, i in enumerate(idx):
                r = rows[i]
                ok = [t for t, s in enumerate(r["seq"]) if s == 1]
                # no-answer score: [CLS] start + end minus the best span's (as the reader reads)
                (a, b), top = best_span(np.concatenate([out[k, :1], out[k, ok]]))
                nulls.append((r["gold"] is None, float(out[k, 0].sum()) - float(top)))
                if r["gold"] is None:
                    continue
                # best_span read row 0 as [CLS] and rows 1.. as the candidate tokens
                pred = r["read"][r["offsets"][ok[a - 1]][0] : r["offsets"][ok[b - 1]][1]]
                f1s.append(token_f1(pred, r["gold"]))
                ems.append(exact_match(pred, r["gold"]))
    model.bert.train()
    pos = [v for unanswered, v in nulls if unanswered]
    neg = [v for unanswered, v in nulls if not unanswered]
    if pos and neg:
        wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
        print(f"no-answer score AUC on held-out near misses: {wins / len(pos) / len(neg):.3f}")
    return float(np.mean(f1s)), float(np.mean(ems))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("squad_train", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--layers", type=int, default=6, help="top layers trained")
    parser.add_argument("--minutes", type=float, default=60.0, help="training time budget")
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=2, help="at most (the time budget rules)")
    parser.add_argument("--held-out", type=int, default=1500, help="held-out pairs scored")
    parser.add_argument("--articles", type=int, default=None, help="only this many (a smoke run)")
    parser.add_argument(
        "--score", type=Path, help="score these weights on the held-out pairs, no training"
    )
    parser.add_argument("--init", type=Path, help="start from these weights (a previous run's)")
    parser.add_argument(
        "--order-seed",
        type=int,
        default=None,
        help="seed of the training pairs' negatives and batch order (a continued run's new pass);"
        " the held-out articles stay those of the fixed seed",
    )
    parser.add_argument(
        "--negatives",
        type=float,
        default=0.0,
        help="share of questions that also get a no-answer pair (a near-miss sentence)",
    )
    args = parser.parse_args()
    squad = load_squad_train(args.squad_train)
    import torch
    from transformers import AutoTokenizer

    from qa.embeddings import bundled_model_path

    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    order = list(range(len(squad["data"])))
    rng.shuffle(order)
    order = order[: args.articles]
    cut = len(order) * 9 // 10
    if args.order_seed is not None:
        rng = random.Random(args.order_seed)
    tokenizer = AutoTokenizer.from_pretrained(str(bundled_model_path()))
    t0 = time.time()
    train = encode(tokenizer, pairs(squad, order[:cut], args.negatives, rng))
    held = encode(tokenizer, pairs(squad, order[cut:], args.negatives, random.Random(SEED)))
    rng.shuffle(held)
    held = held[: args.held_out]
    took = time.time() - t0
    print(f"{len(train)} training pairs, {len(held)} held out ({took:.0f} s)", flush=True)

    model = SpanReaderModel(args.layers)
    if args.score or args.init:
        model.load(args.score or args.init)
    if args.score:
        f1, em = evaluate(model, held)
        print(f"{args.score}; held out: token F1 {f1:.3f}, EM {em:.3f}")
        return
    optimiser = torch.optim.AdamW(
        [
            {"params": model.parameters(), "lr": args.lr},
            {"params": model.head.parameters(), "lr": args.head_lr},
        ],
        weight_decay=0.01,
    )
    plan = [b for _ in range(args.epochs) for b in batches(train, args.batch, rng)]
    # time-boxed: the schedule is planned from the first steps' speed
    budget = args.minutes * 60
    started = time.time()
    steps_planned = len(plan)
    lrs = [g["lr"] for g in optimiser.param_groups]
    loss_fn = torch.nn.CrossEntropyLoss()
    done = 0
    for step, idx in enumerate(plan):
        if step == 20:
            per_step = (time.time() - started) / 20
            steps_planned = min(len(plan), int(budget / per_step))
            print(f"{per_step:.2f} s a step: {steps_planned} of {len(plan)} steps", flush=True)
        if step >= steps_planned:
            break
        warm = max(1, steps_planned // 20)
        # linear warm-up over the first 5 % of the steps, then linear decay to 0
        left = (steps_planned - step) / max(1, steps_planned - warm)
        scale = (step + 1) / warm if step < warm else max(0.0, left)
        for g, lr in zip(optimiser.param_groups, lrs, strict=True):
            g["lr"] = lr * scale
        batch = tensors(train, idx)
        out = model.logits(batch)
        mask = batch["attention_mask"] == 0
        out = out.masked_fill(mask[..., None], -1e4)
        start = torch.tensor([train[i]["start"] for i in idx])
        end = torch.tensor([train[i]["end"] for i in idx])
        loss = (loss_fn(out[..., 0], start) + loss_fn(out[..., 1], end)) / 2
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters() + list(model.head.parameters()), 1.0)
        optimiser.step()
        optimiser.zero_grad()
        done = step + 1
        if done % 100 == 0:
            took = time.time() - started
            print(f"step {done}: loss {loss.item():.3f} ({took:.0f} s)", flush=True)
    f1, em = evaluate(model, held)
    print(f"{done} steps ({done * args.batch} pairs); held out: token F1 {f1:.3f}, EM {em:.3f}")
    from safetensors.torch import save_file

    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "span_reader.safetensors"
    save_file(model.state(), str(path))
    print(f"wrote {path} (sha256 {hashlib.sha256(path.read_bytes()).hexdigest()})")


if __name__ == "__main__":
    main()
