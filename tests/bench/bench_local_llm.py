"""Benchmark of the local model server: time to first token and generation speed per thread
count, and the prompt sizes of passages against whole chunks.

Run: ``.venv/bin/python tests/bench/bench_local_llm.py [--model qwen2.5-coder-1.5b]
[--threads 1 2] [--questions 4]`` with the model set up (scripts/setup-local-llm.sh). Each
thread count gets a fresh server; the same questions are asked with passages (the default)
and, with ``--whole``, with the whole retrieved chunks. Not a test (timings vary with load).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
QUESTIONS = [
    "How much working capital did Wogen provide to Magrathea?",
    "What power density does the 900-volt coaxial unit reach?",
    "Which British metals trading house teamed up with Magrathea?",
    "Who owns the Minago project?",
    "How much dolomite does Minago plan to process?",
    "What emission cut does Minago's process target?",
]


def ask(client, model: str, messages: list[dict[str, str]]) -> dict[str, float]:
    began = time.perf_counter()
    first = None
    pieces = 0
    usage = None
    stream = client.chat.completions.create(
        model=model,
        messages=messages,
        temperature=0,
        max_tokens=128,
        stream=True,
        stream_options={"include_usage": True},
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            first = first or time.perf_counter()
            pieces += 1
        if getattr(chunk, "usage", None):
            usage = chunk.usage
    done = time.perf_counter()
    first = first or done
    out = {"ttft_s": first - began, "total_s": done - began, "pieces": pieces}
    if usage is not None:
        out["prompt_tokens"] = usage.prompt_tokens
        out["completion_tokens"] = usage.completion_tokens
        out["gen_tok_s"] = usage.completion_tokens / max(done - first, 1e-6)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--questions", type=int, default=4)
    parser.add_argument("--whole", action="store_true", help="also ask with whole chunks")
    args = parser.parse_args()

    import openai

    from qa import QA
    from qa.answer.passages import select_passages
    from qa.answer.prompts import answer_messages
    from qa.local_llm.models import find_model, model_spec
    from qa.local_llm.server import LlamaServer

    home = Path(tempfile.mkdtemp(prefix="qa-bench-llm-"))
    qa = QA(home=home, corpus_dir=ROOT / "corpus")
    qa.ingest([ROOT / "corpus"])
    spec = model_spec(args.model)
    path = find_model(spec.name, qa.settings.models_dir)
    prompts: dict[str, list[list[dict[str, str]]]] = {"passages": [], "whole": []}
    for q in QUESTIONS[: args.questions]:
        hits = qa.retrieve(q)
        vector = qa.embedder.encode_query(q)
        ranked = qa.answerer("extractive").score(q, hits, vector)
        chosen = select_passages(((s.hit, s.start, s.end) for s in ranked), count=4, window=1)
        prompts["passages"].append(answer_messages(q, chosen))
        prompts["whole"].append(answer_messages(q, hits))
    kinds = ["passages", "whole"] if args.whole else ["passages"]
    report = []
    for threads in args.threads:
        with LlamaServer(path, alias=spec.name, threads=threads, ctx=spec.ctx) as server:
            client = openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0)
            ask(client, spec.name, prompts["passages"][0])  # load and system-prompt warm-up
            for kind in kinds:
                runs = [ask(client, spec.name, m) for m in prompts[kind]]
                row = {
                    "threads": threads,
                    "prompt": kind,
                    "ttft_p50_s": round(statistics.median(r["ttft_s"] for r in runs), 2),
                    "total_p50_s": round(statistics.median(r["total_s"] for r in runs), 2),
                    "prompt_tokens_mean": round(
                        statistics.mean(r.get("prompt_tokens", 0) for r in runs)
                    ),
                    "gen_tok_s_p50": round(
                        statistics.median(r.get("gen_tok_s", 0) for r in runs), 1
                    ),
                }
                report.append(row)
                print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
