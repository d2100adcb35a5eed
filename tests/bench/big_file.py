"""Writes a large plain-text article for the ingest memory/time benchmark (not a test).

Run: ``python tests/bench/big_file.py OUT.txt --mb 20``, then measure the ingest of its folder:
``/usr/bin/time -v python -m qa ingest FOLDER`` (wall time and "Maximum resident set size").
The text is the corpus article's paragraphs, hard-wrapped at 72 columns as old plain-text
newswires are, each copy with its own numbers so no two paragraphs are the same.
"""

from __future__ import annotations

import argparse
import random
import re
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = ROOT / "corpus" / "smm-magnesium-industry-2026-01-15.md"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--mb", type=float, default=20.0)
    args = parser.parse_args()
    body = ARTICLE.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
    paragraphs = [p for p in body.split("\n\n") if len(p) > 80 and not p.startswith("#")]
    rng = random.Random(17)
    limit = int(args.mb * 1024 * 1024)
    written = 0
    with args.out.open("w", encoding="utf-8") as out:
        n = 0
        while written < limit:
            n += 1
            para = rng.choice(paragraphs)
            para = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 97)), para)
            block = f"Section {n}\n\n" + "\n".join(textwrap.wrap(para, 72)) + "\n\n"
            out.write(block)
            written += len(block.encode("utf-8"))
    print(f"{args.out}: {written / 1024 / 1024:.1f} MB, {n} paragraphs")


if __name__ == "__main__":
    main()
