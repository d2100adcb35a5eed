"""How often the answer to a two-part question leads with both parts' answers (XQuAD).

No eval set asks two things at once, so this one builds them: two answerable questions of one
XQuAD paragraph (of one split), the second opening with a question word, joined by "and"
("How many ... intercept and who was ... MVP?"). Each question is asked of the reader over
XQuAD's articles, and its lead (the text before the first blank line, when it has a short
answer) is checked for each part's answer (any annotator's, compared lower-case without
punctuation, as SQuAD's exact match normalises). Run it twice, with the reader's "parts" gate
on and off, in one ``QA_HOME`` (the articles are ingested once)::

    python eval/two_part_questions.py ../shared/benchmarks/xquad-en/xquad.en.json --split dev
    QA_READER_GATES_OFF=parts python eval/two_part_questions.py ... --split dev

Figures: eval/README.md, "Two-part questions".
"""

from __future__ import annotations

import argparse
import json
import re
import string
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa import QA
from qa.evaluation.interop import load_squad
from qa.evaluation.sets import hash_split

_WH = re.compile(r"^(who|whom|whose|what|which|where|when|why|how)\b", re.IGNORECASE)


def _normal(text: str) -> str:
    text = "".join(c for c in text.lower() if c not in string.punctuation)
    return " ".join(w for w in text.split() if w not in ("a", "an", "the"))


def two_part_questions(data: dict, split: str) -> list[tuple[str, list[str], list[str]]]:
    """(two-part question, first part's answers, second part's answers) of ``split``."""
    found = []
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            asked = [q for q in paragraph["qas"] if hash_split(q["id"]) == split]
            for first, second in zip(asked[::2], asked[1::2], strict=False):
                if not _WH.match(second["question"].strip()):
                    continue
                one = first["question"].strip().rstrip("?").rstrip()
                two = second["question"].strip()
                question = f"{one} and {two[0].lower()}{two[1:]}"
                found.append(
                    (
                        question,
                        [a["text"] for a in first["answers"]],
                        [a["text"] for a in second["answers"]],
                    )
                )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("squad", type=Path, help="XQuAD (SQuAD v1.1 format) JSON")
    parser.add_argument("--split", default="dev", choices=["dev", "test"])
    parser.add_argument("--out", type=Path, help="write each question's lead here (JSON)")
    args = parser.parse_args()
    data = json.loads(args.squad.read_text(encoding="utf-8"))
    questions = two_part_questions(data, args.split)
    work = Path(tempfile.mkdtemp(prefix="qa-two-part-"))
    eval_set = load_squad(args.squad, data, work)
    qa = QA(collection="two-part-questions")
    qa.ingest(eval_set.documents, exclusive=True)
    both = one = 0
    rows = []
    for question, first, second in questions:
        answer = qa.ask(question)
        lead = _normal(answer.text.split("\n\n")[0]) if answer.short is not None else ""
        hits = [any(_normal(a) in lead for a in part) for part in (first, second)]
        both += all(hits)
        one += any(hits) and not all(hits)
        rows.append({"question": question, "lead": lead, "parts": hits})
    n = len(questions)
    print(f"{n} two-part questions ({args.split}): both parts in the lead {both} ({both / n:.3f}),")
    print(f"one part {one} ({one / n:.3f}), neither {n - both - one} ({(n - both - one) / n:.3f})")
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
