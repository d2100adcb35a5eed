"""Train the span head: the answer phrase inside a sentence, or "no answer" (qa/answer/span.py).

The head reads the answer selector's final token states (one forward pass of the shipped
selector, which the reader runs anyway; the selector itself is not changed) and gives each
token of the sentence a start and an end score, and the [CLS] token the no-answer score, as
SQuAD 2.0 readers do (BERT's span head: Devlin et al. 2019, section 4.3). Run once by a
developer, not at run time; its output ships as qa/models/span_head.safetensors (pinned by
sha256 in qa/answer/span.py):

    pip install -e ".[train]"
    OMP_NUM_THREADS=2 python eval/train_span_head.py SQUAD_TRAIN_JSON out/ --questions 6000 \
        --rows 13312 --hidden 256 --epochs 4

The pairs are those of eval/train_no_answer.py (same seed and sampling): SQuAD v1.1 train
questions against the sentence that holds their answer (target: the answer's tokens) and
against three kinds of sentence that do not answer them (target: [CLS]). SQuAD 2.0 dev,
XQuAD and the article set are never read. The hidden width and the number of epochs are chosen
on the pairs of the last 10 % of the sampled articles, held out of the fit; the head is then
refit on all pairs with that choice.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_no_answer import SQUAD_TRAIN_SHA256, Row, build_pairs

SEED = 13


def sentence_length(reader_input: str) -> int:
    """Characters of the sentence at the head of a reader input (``selector_input``)."""
    cut = reader_input.find(" [SEP] ")
    return len(reader_input) if cut < 0 else cut


def token_targets(offsets: np.ndarray, span: tuple[int, int] | None) -> tuple[int, int] | None:
    """The (start, end) token rows (1-based: row 0 is [CLS]) of ``span``; (0, 0) for none;
    None when the answer was cut by truncation."""
    if span is None:
        return (0, 0)
    a, b = span
    inside = [t for t, (s, e) in enumerate(offsets) if e > a and s < b]
    if not inside:
        return None
    return inside[0] + 1, inside[-1] + 1


SHARD = 1024  # rows per cached file: an interrupted run resumes, a partial one can be read


def extract(
    rows: list[Row], cache: Path, limit: int | None = None
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Per row: the states of [CLS] and the sentence's tokens (fp16), the (start, end) target
    and whether the answer survived truncation; cached in ``cache/span_states_K.npz``, one
    file per ``SHARD`` rows. With ``limit``, only the first ``limit`` rows (rounded up to a
    whole shard)."""
    states: list[np.ndarray] = []
    targets = np.zeros((len(rows), 2), dtype=np.int32)
    keep = np.ones(len(rows), dtype=bool)
    selector = None
    for first in range(0, len(rows), SHARD):
        if limit is not None and first >= limit:
            break
        path = cache / f"span_states_{first // SHARD}.npz"
        if not path.is_file():
            if selector is None:
                from qa.answer.selector import AnswerSelector

                selector = AnswerSelector()
            _extract_shard(selector, rows[first : first + SHARD], path)
        z = np.load(path, allow_pickle=True)
        states.extend(z["states"])
        targets[first : first + len(z["states"])] = z["targets"]
        keep[first : first + len(z["states"])] = z["keep"]
        print(f"states: {len(states)}/{len(rows)}", flush=True)
    return states, targets[: len(states)], keep[: len(states)]


def _extract_shard(selector: Any, rows: list[Row], path: Path) -> None:
    states: list[np.ndarray] = []
    targets = np.zeros((len(rows), 2), dtype=np.int32)
    keep = np.ones(len(rows), dtype=bool)
    for n in range(0, len(rows), 64):
        batch = rows[n : n + 64]
        reading = selector.read_tokens([(r[0], r[1]) for r in batch])
        for k, r in enumerate(batch):
            length = sentence_length(r[1])
            offsets = reading.offsets[k]
            m = int(np.sum(offsets[:, 1] <= length))
            states.append(reading.states[k][: 1 + m].astype(np.float16))
            t = token_targets(offsets[:m], r[5])
            if t is None:
                keep[n + k] = False
            else:
                targets[n + k] = t
    obj = np.empty(len(states), dtype=object)
    obj[:] = states
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, states=obj, targets=targets, keep=keep)
    tmp.replace(path)


def train(
    states: list[np.ndarray], targets: np.ndarray, hidden: int, epochs: int, seed: int = SEED
) -> dict[str, np.ndarray]:
    """Fit the head (384 -> hidden -> 2, tanh GELU) by the summed cross-entropy of start and end
    over [CLS] and the sentence's tokens; Adam, batches of 64 pairs."""
    import torch

    torch.manual_seed(seed)
    head = torch.nn.Sequential(
        torch.nn.Linear(384, hidden), torch.nn.GELU(approximate="tanh"), torch.nn.Linear(hidden, 2)
    )
    opt = torch.optim.AdamW(head.parameters(), lr=1e-3, weight_decay=0.01)
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        order = rng.permutation(len(states))
        total = 0.0
        for b in range(0, len(order), 64):
            idx = order[b : b + 64]
            width = max(len(states[i]) for i in idx)
            x = np.zeros((len(idx), width, 384), dtype=np.float32)
            mask = np.zeros((len(idx), width), dtype=bool)
            for r, i in enumerate(idx):
                x[r, : len(states[i])] = states[i]
                mask[r, : len(states[i])] = True
            logits = head(torch.from_numpy(x)).masked_fill(~torch.from_numpy(mask)[..., None], -1e4)
            y = torch.from_numpy(targets[idx].astype(np.int64))
            loss = torch.nn.functional.cross_entropy(
                logits[..., 0], y[:, 0]
            ) + torch.nn.functional.cross_entropy(logits[..., 1], y[:, 1])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        print(f"  epoch {epoch + 1}: loss {total / len(order):.3f}", flush=True)
    return {k: v.detach().numpy().astype(np.float32) for k, v in head.state_dict().items()}


def evaluate(
    weights: dict[str, np.ndarray],
    states: list[np.ndarray],
    targets: np.ndarray,
    kinds: np.ndarray,
) -> dict[str, float]:
    """Token F1 and exact match of the best span on the answer rows (in tokens), and the AUC
    of the no-answer margin (null score minus best span score) against each negative kind."""
    from sklearn.metrics import roc_auc_score

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from qa.answer.span import best_span, span_logits

    margins, f1s, ems = [], [], []
    for s, t in zip(states, targets, strict=True):
        logits = span_logits(weights, s.astype(np.float32))
        (i, j), score = best_span(logits)  # the reader's limit, span.MAX_ANSWER_TOKENS
        margins.append(float(logits[0, 0] + logits[0, 1]) - score)
        if t[0] > 0:
            gold = set(range(int(t[0]), int(t[1]) + 1))
            got = set(range(i, j + 1))
            common = len(gold & got)
            f1s.append(0.0 if not common else 2 * common / (len(gold) + len(got)))
            ems.append(float(gold == got))
    margin = np.array(margins)
    y = (targets[:, 0] > 0).astype(int)
    out = {"token_f1": float(np.mean(f1s)), "token_em": float(np.mean(ems))}
    out["auc"] = float(roc_auc_score(y, -margin))
    for k in ("swap", "article", "off_topic", "squad2"):
        m = (kinds == k) | (y == 1)
        if (kinds == k).any():
            out[f"auc_{k}"] = float(roc_auc_score(y[m], -margin[m]))
    return {k: round(v, 3) for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("squad_train", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--questions", type=int, default=6000)
    parser.add_argument("--articles", type=int, default=120)
    parser.add_argument("--hidden", type=int, nargs="+", default=[128, 256])
    parser.add_argument("--epochs", type=int, nargs="+", default=[3, 6])
    parser.add_argument("--rows", type=int, help="use only the first ROWS pairs")
    args = parser.parse_args()
    raw = args.squad_train.read_bytes()
    if hashlib.sha256(raw).hexdigest() != SQUAD_TRAIN_SHA256:
        raise SystemExit(f"{args.squad_train} is not SQuAD v1.1 train (sha256 differs)")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    cached = args.out_dir / f"pairs-{args.questions}-{args.articles}.json"
    if cached.is_file():
        rows = [(*r[:5], tuple(r[5]) if r[5] else None) for r in json.loads(cached.read_text())]
    else:
        rows = build_pairs(json.loads(raw), args.questions, None, args.articles)
        cached.write_text(json.dumps(rows))
    print(f"{len(rows)} pairs", flush=True)
    states, targets, keep = extract(rows, args.out_dir, args.rows)
    rows = rows[: len(states)]
    kinds = np.array([r[3] for r in rows])
    arts = np.array([r[4] for r in rows])
    held = arts > np.quantile(np.unique(arts), 0.9)
    fit_rows = [i for i in range(len(rows)) if keep[i] and not held[i]]
    test_rows = [i for i in range(len(rows)) if keep[i] and held[i]]
    best: tuple[float, int, int] = (-1.0, 0, 0)
    for hidden in args.hidden:
        for epochs in args.epochs:
            w = train([states[i] for i in fit_rows], targets[fit_rows], hidden, epochs)
            m = evaluate(w, [states[i] for i in test_rows], targets[test_rows], kinds[test_rows])
            print(f"hidden {hidden}, epochs {epochs}: held out {m}", flush=True)
            best = max(best, (m["token_f1"] + m["auc"], hidden, epochs))
    _, hidden, epochs = best
    every = [i for i in range(len(rows)) if keep[i]]
    w = train([states[i] for i in every], targets[every], hidden, epochs)
    from safetensors.numpy import save_file

    out = args.out_dir / "span_head.safetensors"
    save_file({k: v.astype(np.float16) for k, v in w.items()}, str(out))
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    print(f"hidden {hidden}, epochs {epochs}; wrote {out} (sha256 {digest})")


if __name__ == "__main__":
    main()
