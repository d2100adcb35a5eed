"""Add off-topic questions to XQuAD: a check that qa abstains on a corpus of many topics.

XQuAD has no unanswerable questions, and the article set's unanswerable ones are all about its
one article. This writes XQuAD plus the 300 questions of ``eval/sets/squad-off-topic.json``
(SQuAD v1.1 train questions about articles XQuAD lacks, whose answers appear nowhere in it) as
one SQuAD 2.0 file, the off-topic questions marked ``is_impossible``:

    python eval/build_offtopic_set.py ../shared/benchmarks/xquad-en/xquad.en.json OUT.json
    qa eval --set OUT.json

The documents are XQuAD's alone (the questions are attached to its first paragraph, which
changes no document), so answerable figures equal those of XQuAD itself.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

OFF_TOPIC = Path(__file__).parent / "sets" / "squad-off-topic.json"


def with_off_topic(squad: dict, off_topic: dict) -> dict:
    """``squad`` with every off-topic question added as an unanswerable one (SQuAD 2.0)."""
    out = json.loads(json.dumps(squad))
    out["name"] = f"{squad.get('name') or 'xquad'}-off-topic"
    out["version"] = "v2.0"
    first = out["data"][0]["paragraphs"][0]["qas"]
    first += [
        {"id": q["id"], "question": q["question"], "answers": [], "is_impossible": True}
        for q in off_topic["questions"]
    ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("squad", type=Path, help="XQuAD's xquad.en.json (any SQuAD file)")
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    squad = json.loads(args.squad.read_text(encoding="utf-8"))
    off_topic = json.loads(OFF_TOPIC.read_text(encoding="utf-8"))
    args.out.write_text(json.dumps(with_off_topic(squad, off_topic)), encoding="utf-8")
    print(f"wrote {args.out}: {len(off_topic['questions'])} off-topic questions added")


if __name__ == "__main__":
    main()
