"""Benchmark of a cold ``qa ask --json``: wall time of a fresh process, side by side.

Run: ``.venv/bin/python tests/bench/bench_cold_start.py [--base /tmp/base] [--runs 5]
[--question "Who ...?"]`` (a question that asks for a person also loads the people recogniser).
Ingests the corpus once per side, then times, in turns so that every variant sees the same
machine load: this tree, this tree without the answer selector (``QA_ANSWER_SELECTOR=false``:
what a cold ask costs without torch), and with ``--base`` another checkout of qa (e.g.
``git worktree add /tmp/base 0a635ff``). Prints each variant's median and its ratio to the
base, and whether the process imported torch. Not a test.
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
QUESTION = "How much working capital did Wogen provide to Magrathea?"
PROBE = (
    "import runpy, sys\n"
    "sys.argv = ['qa', 'ask', '--json', {question!r}]\n"
    "try:\n"
    "    runpy.run_module('qa', run_name='__main__')\n"
    "finally:\n"
    "    print('TORCH', 'torch' in sys.modules, file=sys.stderr)\n"
)


def env_for(root: Path, home: Path, onnx_dir: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(root),
        "QA_HOME": str(home),
        "QA_CORPUS_DIR": str(ROOT / "corpus"),
        "QA_ONNX_DIR": str(onnx_dir),
        "HF_HUB_OFFLINE": "1",
        **extra,
    }


def cold_ask(root: Path, env: dict[str, str], question: str = QUESTION) -> tuple[float, bool]:
    """Seconds of one ``qa ask --json`` in a fresh process, and whether it imported torch."""
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(question=question)],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - began
    json.loads(done.stdout)  # a real answer came back
    return seconds, "TORCH True" in done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", type=Path, help="Another qa checkout to measure beside this.")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--question", default=QUESTION, help="The question asked.")
    parser.add_argument("--onnx-dir", type=Path, default=ROOT / ".pytest_cache" / "qa-onnx")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        variants: dict[str, tuple[Path, dict[str, str]]] = {}
        sides = {"this": ROOT} | ({"base": args.base.resolve()} if args.base else {})
        for name, root in sides.items():
            env = env_for(root, Path(tmp) / name, args.onnx_dir)
            subprocess.run(
                [sys.executable, "-m", "qa", "ingest", "-q"],
                env=env,
                cwd=root,
                check=True,
                capture_output=True,
            )
            variants[name] = (root, env)
            if name == "this":
                variants["this_no_selector"] = (root, {**env, "QA_ANSWER_SELECTOR": "false"})
        for root, env in variants.values():  # file caches warm for every variant alike
            cold_ask(root, env, args.question)
        times: dict[str, list[float]] = {name: [] for name in variants}
        torch: dict[str, bool] = {}
        for n in range(args.runs):
            for name, (root, env) in variants.items():
                seconds, torch[name] = cold_ask(root, env, args.question)
                times[name].append(seconds)
                print(f"run {n + 1} {name}: {seconds:.2f} s", file=sys.stderr)
    out: dict[str, object] = {
        "runs": args.runs,
        "median_s": {name: statistics.median(t) for name, t in times.items()},
        "imports_torch": torch,
    }
    if "base" in times:
        base = statistics.median(times["base"])
        out["ratio_to_base"] = {n: statistics.median(t) / base for n, t in times.items()}
    print(json.dumps(out, indent=2, default=lambda v: round(v, 3)))


if __name__ == "__main__":
    main()
