"""Measure qa.hyphenation on text broken at line ends: which hyphens stay.

Usage (SQuAD v1.1 *train* text only; pyphen, a hyphenation dictionary, breaks the words)::

    pip install pyphen
    python eval/hyphenation.py train-v1.1.json [--articles 120] [--seed 7]

From ``--articles`` articles drawn at random, every paragraph gives two kinds of breaks:

- *compounds*: each lower-case ``x-y`` in it, broken at its hyphen ("state-" / "owned"): the
  hyphen should stay;
- *words*: up to 5 lower-case words of 6 letters or more, each broken at one of its
  hyphenation points drawn at random ("infor-" / "mation"): the hyphen should go.

The document a break is decided in is the rest of the article (the paragraph left out, so the
broken spelling is not counted). Printed: the share of each kind that keeps its hyphen, for
always joining (qa before qa.hyphenation), the document alone, the word list alone and both
(as shipped), and the commonest wrong decisions.
"""

from __future__ import annotations

import argparse
import random
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from squad_train import load_squad_train

from qa.hyphenation import WordCounts, keeps_hyphen, vocabulary

Decision = Callable[[str, str, WordCounts], bool]


def _document_only(head: str, tail: str, counts: WordCounts) -> bool:
    return counts[f"{head}-{tail}"] > counts[head + tail]


def _word_list_only(head: str, tail: str, counts: WordCounts) -> bool:
    words = vocabulary()
    return (head + tail) not in words and head in words and tail in words


DECISIONS: dict[str, Decision] = {
    "always join": lambda head, tail, counts: False,
    "document": _document_only,
    "word list": _word_list_only,
    "both (shipped)": keeps_hyphen,
}


def breaks(articles: list[dict], seed: int) -> list[tuple[str, str, str, WordCounts]]:
    """(kind, head, tail, counts of the rest of the article) for every break made."""
    import pyphen

    dictionary = pyphen.Pyphen(lang="en_US")
    rng = random.Random(seed)
    out: list[tuple[str, str, str, WordCounts]] = []
    for article in articles:
        paragraphs = [p["context"] for p in article["paragraphs"]]
        for i, paragraph in enumerate(paragraphs):
            counts = WordCounts(" ".join(paragraphs[:i] + paragraphs[i + 1 :]))
            for m in re.finditer(r"\b([a-z]+)-([a-z]+)\b", paragraph):
                out.append(("compound", m.group(1), m.group(2), counts))
            words = [
                m.group(0)
                for m in re.finditer(r"\b[a-z]{6,}\b", paragraph)
                if "-" not in paragraph[max(0, m.start() - 1) : m.end() + 1]
            ]
            for word in rng.sample(words, min(len(words), 5)):
                points = dictionary.positions(word)
                if points:
                    k = rng.choice(points)
                    out.append(("word", word[:k], word[k:], counts))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("squad_train", type=Path)
    parser.add_argument("--articles", type=int, default=120)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    data = load_squad_train(args.squad_train)["data"]
    articles = random.Random(args.seed).sample(data, args.articles)
    made = breaks(articles, args.seed)
    for kind, right in (("compound", "kept"), ("word", "joined")):
        rows = [(h, t, c) for k, h, t, c in made if k == kind]
        print(f"{kind}s ({len(rows)}), share whose hyphen is kept (right: {right}):")
        for name, decide in DECISIONS.items():
            kept = sum(decide(h, t, c) for h, t, c in rows)
            print(f"  {name:16s} {kept / len(rows):.3f}")
        wrong = Counter(
            f"{h}-{t}" for h, t, c in rows if keeps_hyphen(h, t, c) != (kind == "compound")
        )
        print("  wrong as shipped:", ", ".join(w for w, _ in wrong.most_common(12)))


if __name__ == "__main__":
    main()
