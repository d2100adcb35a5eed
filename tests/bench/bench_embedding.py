"""Benchmark of the embedding model: warm query encoding and ingest texts/s, side by side.

Run: ``.venv/bin/python tests/bench/bench_embedding.py [--base /tmp/base] [--rounds 3]``.
Each round runs, in fresh processes on fresh QA_HOMEs, this tree and (with ``--base``) another
checkout of qa (e.g. ``git worktree add /tmp/base 0a635ff``), alternately, so both see the same
machine load; prints each side's medians over the rounds and their ratio. Not a test.

Measured per process: the embedder's load time; a question's encoding (pooled and token
vectors, one model pass, not cached) over ``--queries`` questions after a warm-up; and
``qa.ingest`` of ``--editions`` generated articles (bench_core's corpus), as texts embedded per
second (chunks + sentences) and chunks per second.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def child(corpus: Path, queries: int) -> dict[str, float]:
    """One side's figures, in this process (its ``qa`` is whichever is first on the path)."""
    from qa import QA

    qa = QA()
    began = time.perf_counter()
    embedder = qa.embedder
    load_s = time.perf_counter() - began
    data = json.loads(
        (ROOT / "qa" / "evaluation" / "sets" / "smm-magnesium.json").read_text(encoding="utf-8")
    )
    pool = [q["question"] for fact in data["facts"] for q in fact["questions"]]
    for question in pool[-5:]:
        embedder.encode_query(question)
    times = []
    for question in pool[:queries]:
        embedder.forget_queries()
        began = time.perf_counter()
        embedder.encode_query(question)
        times.append((time.perf_counter() - began) * 1000)
    began = time.perf_counter()
    report = qa.ingest([corpus])
    seconds = time.perf_counter() - began
    texts = report.chunks + int(qa.info()["sentences"])
    return {
        "load_s": load_s,
        "query_p50_ms": statistics.median(times),
        "ingest_s": seconds,
        "ingest_texts": texts,
        "ingest_texts_per_s": texts / seconds,
        "ingest_chunks_per_s": report.chunks / seconds,
        "heavy": sorted(m for m in ("torch", "sentence_transformers") if m in sys.modules),
    }


def run_side(root: Path, corpus: Path, queries: int, onnx_dir: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "PYTHONPATH": str(root),
            "QA_HOME": home,
            "QA_ONNX_DIR": str(onnx_dir),
            "HF_HUB_OFFLINE": "1",
        }
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(corpus)]
        done = subprocess.run(
            [*cmd, "--queries", str(queries)],
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", type=Path, help="Another qa checkout to measure beside this.")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--editions", type=int, default=400)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--onnx-dir", type=Path, default=ROOT / ".pytest_cache" / "qa-onnx")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.queries)))
        return
    sys.path.insert(0, str(ROOT))
    from tests.bench.bench_core import make_corpus

    sides = {"this": ROOT} | ({"base": args.base.resolve()} if args.base else {})
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        make_corpus(corpus, args.editions)
        for n in range(args.rounds):
            for name, root in sides.items():
                runs[name].append(run_side(root, corpus, args.queries, args.onnx_dir))
                print(f"round {n + 1} {name}: {json.dumps(runs[name][-1])}", file=sys.stderr)
    keys = ["load_s", "query_p50_ms", "ingest_s", "ingest_texts_per_s", "ingest_chunks_per_s"]
    medians = {
        name: {k: statistics.median(r[k] for r in results) for k in keys}
        | {"ingest_texts": results[0]["ingest_texts"], "heavy": results[0]["heavy"]}
        for name, results in runs.items()
    }
    out: dict[str, object] = {"rounds": args.rounds, "editions": args.editions, **medians}
    if "base" in medians:
        out["ratio_this_over_base"] = {
            k: medians["this"][k] / medians["base"][k] for k in keys if medians["base"][k]
        }
    print(json.dumps(out, indent=2, default=lambda v: round(v, 3)))


if __name__ == "__main__":
    main()
