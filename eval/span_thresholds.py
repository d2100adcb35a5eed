"""Choose the short-answer threshold from eval runs made with it off (dev splits only).

Every answer the span reader gives a phrase carries its log-probability (``short`` and
``short_margin`` in results.json). This prints, per split, for each candidate threshold:

- short answers: SQuAD exact match and token F1 of what the answer leads with (the phrase if
  its log-probability clears the threshold, else the whole answer), the share led by a
  phrase, and the mean token F1 of the phrases given (how often a phrase shown is right);
- abstention by span margin: for runs made before the span reader, whose span head noted the
  best span margin over the reranked candidates (``span margin`` notes), a question abstains
  (besides what it did already) when that margin is below the threshold; abstention recall on
  unanswerable questions and false abstention on answerable ones (later runs: unchanged).

    python eval/span_thresholds.py eval/runs/X/results.json [--split dev] [--set SET]

With ``--open`` the threshold applies only to the questions that ask for no kind of thing;
typed questions keep what the run gave them. An open question left without a phrase is
scored on the run's whole answer, which then also holds the phrase (so those rows read
slightly low).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.answer.answer_types import answer_type
from qa.evaluation.metrics import exact_match, token_f1

_MARGIN = re.compile(r"span margin (-?[0-9.]+)")


def _margin(notes: list[str]) -> float | None:
    for note in notes:
        found = _MARGIN.search(note)
        if found:
            return float(found.group(1))
    return None


def _abstains(q: dict, threshold: float) -> bool:
    m = _margin(q["notes"])
    return bool(q["abstained"]) or (m is not None and m < threshold)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--set", type=Path, help="the eval set (for the accepted answers)")
    parser.add_argument("--open", action="store_true", help="threshold open questions only")
    args = parser.parse_args()
    run = json.loads(args.results.read_text())
    questions = [q for q in run["questions"] if q["split"] == args.split]
    gold: dict[str, list[str]] = {}
    if args.set:
        import tempfile

        from qa.evaluation.sets import load_set

        work = Path(tempfile.mkdtemp())
        gold = {q.id: list(q.answers) for q in load_set(args.set, work_dir=work).questions}
    answerable = [q for q in questions if q["answerable"]]
    # with --open, typed questions keep the run's phrase whatever the threshold
    typed = {q["id"] for q in answerable if answer_type(q["question"])} if args.open else set()
    unanswerable = [q for q in questions if not q["answerable"]]
    print(f"{args.split}: {len(answerable)} answerable, {len(unanswerable)} unanswerable")
    print(
        "threshold | short EM | short F1 | led by phrase | F1 of the phrases given"
        " | abst. recall | false abst."
    )
    for t in (-1000.0, *np.arange(-10.0, 6.5, 1.0), 1000.0):
        ems, f1s, led, given = [], [], [], []
        for q in answerable:
            answers = gold.get(q["id"], [])
            if q["abstained"] or not answers:
                if answers:
                    ems.append(0.0)
                    f1s.append(0.0)
                continue
            margin = q.get("short_margin")
            if q["id"] in typed:
                use = q["short"] or None
            else:
                use = q["short"] if q["short"] and margin is not None and margin >= t else None
            lead = use or q["answer"]
            led.append(use is not None)
            ems.append(max(exact_match(lead, a) for a in answers))
            f1s.append(max(token_f1(lead, a) for a in answers))
            if use is not None:
                given.append(f1s[-1])

        recall = sum(_abstains(q, t) for q in unanswerable) / max(1, len(unanswerable))
        false = sum(_abstains(q, t) for q in answerable) / max(1, len(answerable))
        print(
            f"{t:9.1f} | {sum(ems) / max(1, len(ems)):.3f} | {sum(f1s) / max(1, len(f1s)):.3f}"
            f" | {sum(led) / max(1, len(led)):.3f} | {sum(given) / max(1, len(given)):.3f}"
            f" | {recall:.3f} | {false:.3f}"
        )


if __name__ == "__main__":
    main()
