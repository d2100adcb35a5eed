"""Benchmark of a warm extractive ``ask``, side by side with another checkout and variants.

Run: ``.venv/bin/python tests/bench/bench_warm_ask.py [--base /tmp/base] [--rounds 3]``.
Each round runs ``bench_core.bench_warm_ask`` (60 eval questions after 5 warm-up ones, in a
warm process) once per variant, in turns, each in a fresh process of its own tree, so that
every variant sees the same machine load: this tree (answer selector on ONNX Runtime), this
tree with the int8 selector (``QA_ANSWER_SELECTOR_INT8=true``), this tree with the selector on
torch (``QA_ANSWER_SELECTOR_BACKEND=torch``), and with ``--base`` another checkout of qa (e.g.
``git worktree add /tmp/base 1b13fb7``). Prints each variant's median over the rounds of its
p50 (and of its retrieve and answer p50s) and the ratio to the base (of the medians, and per
round: the same round's base, robust to load drifting between rounds), with the load average.
Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN = (
    "import json, sys\n"
    "from pathlib import Path\n"
    "from tests.bench.bench_core import bench_warm_ask\n"
    "print(json.dumps(bench_warm_ask(Path(sys.argv[1]), int(sys.argv[2]))))\n"
)


def warm_ask(root: Path, home: Path, questions: int, env: dict[str, str]) -> dict[str, float]:
    """One round of ``bench_warm_ask`` in a fresh process of the tree at ``root``."""
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(home), str(questions)],
        env={**env, "PYTHONPATH": str(root)},
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
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--onnx-dir", type=Path, default=ROOT / ".pytest_cache" / "qa-onnx")
    parser.add_argument("--no-torch", action="store_true", help="Leave out the torch variant.")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env |= {"QA_ONNX_DIR": str(args.onnx_dir), "HF_HUB_OFFLINE": "1"}
    variants: dict[str, tuple[Path, dict[str, str]]] = {
        "this": (ROOT, env),
        "this_int8": (ROOT, {**env, "QA_ANSWER_SELECTOR_INT8": "true"}),
    }
    if not args.no_torch:
        variants["this_torch"] = (ROOT, {**env, "QA_ANSWER_SELECTOR_BACKEND": "torch"})
    if args.base:
        variants["base"] = (args.base.resolve(), env)
    rows: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
    loads: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.rounds):
            for name, (root, variant_env) in variants.items():
                loads.append(os.getloadavg()[0])
                row = warm_ask(root, Path(tmp) / name, args.questions, variant_env)
                rows[name].append(row)
                print(f"round {n + 1} {name}: p50 {row['p50_ms']:.1f} ms", file=sys.stderr)
    keys = ("p50_ms", "p95_ms", "retrieve_p50_ms", "answer_p50_ms")
    out: dict[str, object] = {
        "rounds": args.rounds,
        "load_average_1min": {"min": min(loads), "max": max(loads)},
        "median_of_rounds": {
            name: {k: statistics.median(r[k] for r in got) for k in keys}
            for name, got in rows.items()
        },
    }
    if "base" in rows:
        base = statistics.median(r["p50_ms"] for r in rows["base"])
        out["p50_ratio_to_base"] = {
            name: statistics.median(r["p50_ms"] for r in got) / base for name, got in rows.items()
        }
        # the same round's base: robust to the load drifting between rounds
        out["p50_ratio_to_base_per_round"] = {
            name: [r["p50_ms"] / b["p50_ms"] for r, b in zip(got, rows["base"], strict=True)]
            for name, got in rows.items()
        }
    print(json.dumps(out, indent=2, default=lambda v: round(v, 3)))


if __name__ == "__main__":
    main()
