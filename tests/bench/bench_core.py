"""Benchmark of the core: warm ask latency, cold `qa ask` wall time, ingest throughput.

Run: ``make bench`` or ``.venv/bin/python tests/bench/bench_core.py [--editions 400]``.
Prints medians and percentiles; not a test (timings vary with the machine's load).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
ARTICLE = ROOT / "corpus" / "smm-magnesium-industry-2026-01-15.md"
EVAL_SET = ROOT / "qa" / "evaluation" / "sets" / "smm-magnesium.json"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def questions(limit: int) -> list[str]:
    data = json.loads(EVAL_SET.read_text(encoding="utf-8"))
    out = [q["question"] for fact in data["facts"] for q in fact["questions"]]
    out += [q["question"] for q in data["unanswerable"]]
    return out[:limit]


def bench_warm_ask(home: Path, n: int, *, token_cache: bool = True) -> dict[str, float]:
    """Asks in a warm process; without ``token_cache``, every ask recomputes the candidate
    sentences' token vectors (as for sentences never seen before)."""
    from qa import QA, Settings

    qa = QA(Settings(home=home, corpus_dir=ROOT / "corpus"))
    qa.ingest()
    pool = questions(n + 5)
    asked, warm = pool[:n], pool[n:] or pool[:5]
    for q in warm:  # warm-up on other questions: model, store handles, BM25 index
        qa.ask(q)
    total, retrieve, answer = [], [], []
    matcher = qa.answerer("extractive").matcher  # type: ignore[attr-defined]
    qa.embedder.forget_queries()  # every timed question is encoded as if asked first
    for q in asked:
        if not token_cache:
            matcher.forget()
        began = time.perf_counter()
        result = qa.ask(q)
        total.append((time.perf_counter() - began) * 1000)
        retrieve.append(result.timings_ms["retrieve"])
        answer.append(result.timings_ms["answer"])
    return {
        "questions": len(asked),
        "p50_ms": statistics.median(total),
        "p95_ms": percentile(total, 0.95),
        "retrieve_p50_ms": statistics.median(retrieve),
        "answer_p50_ms": statistics.median(answer),
    }


def bench_cold_cli(home: Path, runs: int) -> dict[str, float]:
    env = {**os.environ, "QA_HOME": str(home), "QA_CORPUS_DIR": str(ROOT / "corpus")}
    cmd = [
        sys.executable,
        "-m",
        "qa",
        "ask",
        "--json",
        "How much working capital did Wogen provide to Magrathea?",
    ]
    walls, helps = [], []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True)
        walls.append(time.perf_counter() - began)
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "qa", "--help"], cwd=ROOT, check=True, capture_output=True
        )
        helps.append(time.perf_counter() - began)
    return {
        "runs": runs,
        "cold_ask_median_s": statistics.median(walls),
        "help_median_s": statistics.median(helps),
    }


def make_corpus(folder: Path, editions: int) -> None:
    """``editions`` articles made from the SMM article's paragraphs, shuffled per edition."""
    text = ARTICLE.read_text(encoding="utf-8")
    head, body = text.split("\n# ", 1)
    paragraphs = [p for p in ("# " + body).split("\n\n") if p.strip()]
    rng = random.Random(7)
    folder.mkdir(parents=True)
    for i in range(editions):
        shuffled = paragraphs[:1] + rng.sample(paragraphs[1:], len(paragraphs) - 1)
        extra = [f"Edition {i} note {j}: " + rng.choice(paragraphs[2:]) for j in range(3)]
        (folder / f"edition-{i:04d}.md").write_text(
            head + "\n" + "\n\n".join(shuffled + extra) + "\n", encoding="utf-8"
        )


def bench_ingest(home: Path, corpus: Path) -> dict[str, float]:
    from qa import QA, Settings

    qa = QA(Settings(home=home))
    _ = qa.embedder  # loading the model is not ingest work
    began = time.perf_counter()
    report = qa.ingest([corpus])
    seconds = time.perf_counter() - began
    began = time.perf_counter()
    again = qa.ingest([corpus])
    rerun = time.perf_counter() - began
    sentences = qa.info()["sentences"]
    return {
        "documents": report.documents,
        "chunks": report.chunks,
        "sentences": sentences,
        "seconds": seconds,
        "chunks_per_s": report.chunks / seconds,
        "unchanged_rerun_s": rerun,
        "rerun_chunks_written": again.chunks_written,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--editions", type=int, default=400)
    parser.add_argument("--skip-ingest", action="store_true")
    args = parser.parse_args()
    import torch

    results: dict[str, object] = {
        "machine": f"{os.cpu_count()} cores, torch threads {torch.get_num_threads()}"
    }
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        results["warm_ask"] = bench_warm_ask(tmp_path / "warm", args.questions)
        results["warm_ask_no_token_cache"] = bench_warm_ask(
            tmp_path / "warm", args.questions, token_cache=False
        )
        results["cold_cli"] = bench_cold_cli(tmp_path / "warm", args.cold_runs)
        if not args.skip_ingest:
            make_corpus(tmp_path / "corpus", args.editions)
            results["ingest"] = bench_ingest(tmp_path / "ingest", tmp_path / "corpus")
    print(json.dumps(results, indent=2, default=lambda v: round(v, 2)))


if __name__ == "__main__":
    main()
