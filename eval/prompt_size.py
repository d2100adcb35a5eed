"""What the LLM reads, against how much: prompt tokens and answer-in-prompt per passage count.

For every answerable question of an eval split, the prompt is built as qa builds it
(``qa.answer.prompts.answer_messages``) from the extractive reader's best N sentences with
their neighbours (``qa.answer.passages``), or from the whole top-k chunks; it is counted in
the local model's own tokens (its tokenizer only: ``vocab_only``, nothing is generated) and
checked for whether an accepted answer appears in it, the ceiling of what a model can cite.
On this CPU the prompt tokens are the time to first token (about 25-30 tokens/s unloaded).

Run: ``python eval/prompt_size.py --split dev [--model qwen2.5-coder-1.5b] [--counts 1 2 4]
[--windows 0 1]`` (window: neighbour sentences each side of a passage).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--set", default=str(ROOT / "qa" / "evaluation" / "sets" / "smm-magnesium.json")
    )
    parser.add_argument("--split", default="dev")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 2, 4, 6, 8])
    parser.add_argument("--windows", type=int, nargs="+", default=[0, 1])
    args = parser.parse_args()

    from llama_cpp import Llama

    from qa import QA
    from qa.answer.passages import select_passages
    from qa.answer.prompts import answer_messages
    from qa.evaluation.sets import load_set
    from qa.local_llm.models import find_model

    home = Path(tempfile.mkdtemp(prefix="qa-prompt-size-"))
    qa = QA(home=home)
    eval_set = load_set(args.set, work_dir=home / "eval-docs")
    qa.ingest(eval_set.documents, exclusive=True)
    vocab = Llama(
        str(find_model(args.model, qa.settings.models_dir)), vocab_only=True, verbose=False
    )

    def tokens(messages: list[dict[str, str]]) -> int:
        text = "\n".join(m["content"] for m in messages)
        return len(vocab.tokenize(text.encode("utf-8"), add_bos=False))

    def has_answer(messages: list[dict[str, str]], answers: list[str]) -> bool:
        text = " ".join(messages[-1]["content"].lower().split())
        return any(" ".join(a.lower().split()) in text for a in answers)

    rows: dict[str, list[tuple[int, bool]]] = {}
    questions = [
        q for q in eval_set.questions if q.split == args.split and q.answerable and q.answers
    ]
    for q in questions:
        hits = qa.retrieve(q.question)
        vector = qa.embedder.encode_query(q.question)
        ranked = [
            (s.hit, s.start, s.end)
            for s in qa.answerer("extractive").score(q.question, hits, vector)
        ]
        whole = answer_messages(q.question, hits)
        rows.setdefault("whole top-5 chunks", []).append(
            (tokens(whole), has_answer(whole, q.answers))
        )
        for n in args.counts:
            for w in args.windows:
                m = answer_messages(q.question, select_passages(ranked, count=n, window=w))
                rows.setdefault(f"{n} passages, window {w}", []).append(
                    (tokens(m), has_answer(m, q.answers))
                )
    print(f"{len(questions)} answerable questions with answers, {args.split} split")
    for name, values in rows.items():
        report = {
            "prompt": name,
            "tokens_mean": round(statistics.mean(t for t, _ in values)),
            "tokens_p95": sorted(t for t, _ in values)[int(0.95 * (len(values) - 1))],
            "answer_in_prompt": round(sum(ok for _, ok in values) / len(values), 3),
        }
        print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
