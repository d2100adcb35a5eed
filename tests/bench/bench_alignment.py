"""How the fuzzy evidence threshold was chosen: scores of true and false locations.

Run: ``python tests/bench/bench_alignment.py [--split dev|test]``. Not a test.

- True locations: every evidence quote of the article set's ``--split`` questions, re-extracted
  (``tests/support/reextract.py``: hard wraps, hyphenation, ligatures, curly quotes, doubled
  spaces) with some word gaps dropped and some letters mistyped, aligned with the article;
  a location is right when it overlaps the quote's true span by 80 % of the span.
- False locations: the same quotes with their words shuffled, and sentences of this
  repository's own docs (README.md, eval/README.md, CHANGELOG.md: prose about the same
  article, not in it), aligned with the article.

Prints, per threshold, how many true quotes are located at the right place and how many
false ones would be located at all, plus the time per alignment.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qa.documents import load_documents  # noqa: E402
from qa.evaluation.align import MIN_FUZZY_CHARS, align, fuzzy_align, normalise  # noqa: E402
from qa.evaluation.evidence import EvidenceMap, Span, overlap  # noqa: E402
from qa.evaluation.sets import load_set  # noqa: E402
from tests.support.reextract import reextract  # noqa: E402

THRESHOLDS = (70, 75, 80, 85, 88, 90, 92, 95)
NOISE = [  # (drop_spaces, typos): clean re-extraction up to a poor OCR
    (0.0, 0.0),
    (0.05, 0.0),
    (0.1, 0.0),
    (0.2, 0.0),
    (0.05, 0.01),
    (0.05, 0.03),
    (0.1, 0.05),
]


def _score(quote: str, hay_text: str) -> tuple[float, tuple[int, int] | None]:
    needle = normalise(quote).text
    if len(needle) < MIN_FUZZY_CHARS:
        return 0.0, None
    found = fuzzy_align(needle, hay_text)
    if found is None:
        return 0.0, None
    return found[2], (found[0], found[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="dev", choices=["dev", "test"])
    args = parser.parse_args()
    documents, _ = load_documents([ROOT / "corpus"])
    doc = documents[0]
    emap = EvidenceMap(documents)
    hay = emap._body(doc)
    eval_set = load_set(ROOT / "qa/evaluation/sets/smm-magnesium.json", work_dir=Path("/tmp"))
    quotes = sorted(
        {e for q in eval_set.questions if q.split == args.split for e in q.evidence},
        key=lambda e: e.quote,
    )
    short = [e for e in quotes if len(normalise(e.quote).text) < MIN_FUZZY_CHARS]
    quotes = [e for e in quotes if e not in short]
    rng = random.Random(7)
    true_scores: dict[tuple[float, float], list[tuple[float, bool]]] = {n: [] for n in NOISE}
    times: list[float] = []
    for n, evidence in enumerate(quotes):
        truth = emap.spans(evidence)
        for noise in NOISE:
            passage = reextract(evidence.quote, seed=n, drop_spaces=noise[0], typos=noise[1])
            began = time.perf_counter()
            score, where = _score(passage, hay.text)
            times.append(time.perf_counter() - began)
            right = False
            if where is not None:
                s, e = hay.source_span(*where)
                right = any(overlap(Span(doc.doc_id, s, e), t) >= 0.8 * len(t) for t in truth)
            true_scores[noise].append((score, right))
    false_scores: list[float] = []
    for evidence in quotes:
        words = evidence.quote.split()
        rng.shuffle(words)
        if words != evidence.quote.split():  # a shuffle that left the order is no negative
            false_scores.append(_score(" ".join(words), hay.text)[0])
    prose = " ".join(
        (ROOT / f).read_text(encoding="utf-8")
        for f in ("README.md", "eval/README.md", "CHANGELOG.md")
    )
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", prose) if 40 <= len(s) <= 400]
    # a sentence that quotes the article (found in the normalised form) is not a false one
    sentences = [s for s in sentences[:300] if not align(s, hay, threshold=101)[0]]
    other = [_score(s, hay.text)[0] for s in sentences]
    print(
        f"split {args.split}: {len(quotes)} evidence quotes (and {len(short)} shorter than "
        f"{MIN_FUZZY_CHARS} normalised characters, never aligned fuzzily), "
        f"{len(other)} sentences of the docs"
    )
    print("true locations (right place) by noise (drop_spaces, typos):")
    for noise, scores in true_scores.items():
        values = [s for s, _ in scores]
        print(
            f"  {noise}: min {min(values):.1f}, median {statistics.median(values):.1f}, "
            f"right place {sum(r for _, r in scores)}/{len(scores)}"
        )
    print(
        f"false: shuffled max {max(false_scores):.1f} median {statistics.median(false_scores):.1f};"
        f" other prose max {max(other):.1f} median {statistics.median(other):.1f}"
    )
    print("threshold | true located at the right place | false located (shuffled, prose)")
    for t in THRESHOLDS:
        right = sum(1 for scores in true_scores.values() for s, r in scores if s >= t and r)
        total = sum(len(scores) for scores in true_scores.values())
        shuffled = sum(s >= t for s in false_scores)
        prose_hits = sum(s >= t for s in other)
        print(f"  {t}: {right}/{total} | {shuffled}/{len(false_scores)}, {prose_hits}/{len(other)}")
    print(
        f"fuzzy alignment time: median {1000 * statistics.median(times):.1f} ms, "
        f"max {1000 * max(times):.1f} ms"
    )
    # a page-level context (4,000 characters) against a long document (the body 20 times)
    body = doc.text[doc.body_start :]
    long_hay = normalise("\n\n".join([body] * 20))
    page = reextract(body[200:4200], width=90, drop_spaces=0.05, seed=1)
    began = time.perf_counter()
    found = fuzzy_align(normalise(page).text, long_hay.text)
    took = time.perf_counter() - began
    print(
        f"a {len(page)}-character context in a {len(long_hay.text)}-character document: "
        f"{1000 * took:.0f} ms, score {found[2] if found else None:.1f}"
    )


if __name__ == "__main__":
    main()
