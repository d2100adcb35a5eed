"""Benchmark of the reader's money rule (``holds("money", sentence)``), per sentence, beside
another checkout.

Run: ``.venv/bin/python tests/bench/bench_money_rule.py [--base /tmp/base] [--rounds 5]
[--xquad ../shared/benchmarks/xquad-en/xquad.en.json]``. The sentences are XQuAD's English
contexts cut at ``.!?``. Each round times this tree and then the base, each in a fresh process
of its own tree: the CPU time (``time.process_time``, so that other work on the machine counts
less) of the best of 15 passes over the sentences; printed is each tree's median over the
rounds, with its rounds, and the first build of the rule (its data loaded and compiled). Not
a test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN = (
    "import json, re, sys, time, timeit\n"
    "from qa.answer.answer_types import holds\n"
    "data = json.load(open(sys.argv[1], encoding='utf-8'))\n"
    "sents = [s for a in data['data'] for p in a['paragraphs']\n"
    "         for s in re.split(r'(?<=[.!?])\\s+', p['context']) if s]\n"
    "start = time.process_time()\n"
    "holds('money', 'warm')\n"
    "build = time.process_time() - start\n"
    "best = min(timeit.repeat(lambda: [holds('money', s) for s in sents], number=1,\n"
    "                         repeat=15, timer=time.process_time))\n"
    "print(json.dumps({'us': best / len(sents) * 1e6, 'build_s': build,\n"
    "                  'sentences': len(sents), 'money': sum(holds('money', s) for s in sents)}))\n"
)


def one_round(root: Path, xquad: Path) -> dict[str, float]:
    """One timing in a fresh process of the tree at ``root``."""
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(xquad)],
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, help="another checkout of qa to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--xquad", type=Path, default=ROOT.parent / "shared/benchmarks/xquad-en/xquad.en.json"
    )
    args = parser.parse_args()
    trees = {"this tree": ROOT, **({"base": args.base.resolve()} if args.base else {})}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, root in trees.items():
            runs[name].append(one_round(root, args.xquad))
    for name, rounds in runs.items():
        us = [r["us"] for r in rounds]
        build = statistics.median(r["build_s"] for r in rounds)
        print(
            f"{name}: {statistics.median(us):.1f} us a sentence (rounds "
            f"{', '.join(f'{u:.1f}' for u in us)}; {rounds[0]['sentences']:.0f} sentences, "
            f"{rounds[0]['money']:.0f} hold money); first build {build:.2f} s"
        )


if __name__ == "__main__":
    main()
