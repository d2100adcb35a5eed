"""Measure how plain-text reading treats justified prose: is it read back as the paragraph?

Usage (SQuAD v1.1 *train* text only)::

    python eval/justified_prose.py train-v1.1.json [--paragraphs 1500] [--seed 3]

Each paragraph is hard-wrapped at 60, 70 and 80 columns and every line but the last widened
to the full width, the extra spaces spread one to a gap over gaps drawn at random (as a
justifier does: ``even``) or each dropped on any gap (``piled``, a harsher test that makes
gaps of three spaces and more). ``set_tables`` then ``unwrap`` (what a ``.txt`` file goes
through) should give back the paragraph, spaces aside. Printed per width and spacing: how
many paragraphs were taken for a table (``|`` rows) and how many were not read back whole,
for any reason (also counted for ``unwrap`` alone, without ``set_tables``: its line-join
rules).
"""

from __future__ import annotations

import argparse
import random
import textwrap
from pathlib import Path

from squad_train import load_squad_train

from qa.documents import set_tables, unwrap


def justify(line: str, width: int, rng: random.Random, *, even: bool) -> str:
    words = line.split(" ")
    gaps = len(words) - 1
    if gaps < 1:
        return line
    spaces = [1] * gaps
    extra = width - len(line)
    order = rng.sample(range(gaps), gaps)
    for k in range(extra):
        spaces[order[k % gaps] if even else rng.randrange(gaps)] += 1
    return "".join(w + " " * s for w, s in zip(words, [*spaces, 0], strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("squad_train", type=Path)
    parser.add_argument("--paragraphs", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    data = load_squad_train(args.squad_train)["data"]
    rng = random.Random(args.seed)
    paragraphs = [
        " ".join(p["context"].split()) for a in rng.sample(data, len(data)) for p in a["paragraphs"]
    ][: args.paragraphs]
    for even in (True, False):
        for width in (60, 70, 80):
            tables = not_whole = not_whole_before = 0
            for paragraph in paragraphs:
                lines = textwrap.wrap(paragraph, width, break_on_hyphens=False)
                lines = [justify(x, width, rng, even=even) for x in lines[:-1]] + lines[-1:]
                text = "\n".join(lines)
                tabled = set_tables(text)
                tables += "|" in tabled and "|" not in paragraph
                not_whole += " ".join(unwrap(tabled).split()) != paragraph
                not_whole_before += " ".join(unwrap(text).split()) != paragraph
            print(
                f"{'even' if even else 'piled'} width {width}: {len(paragraphs)} paragraphs, "
                f"taken for a table {tables}, not read back whole {not_whole} "
                f"(unwrap alone {not_whole_before})"
            )


if __name__ == "__main__":
    main()
