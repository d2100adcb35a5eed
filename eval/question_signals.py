"""How well two question-side signals tell unanswerable questions from answerable ones (dev).

The no-answer score reads a question and one sentence together; these read the question
against the corpus. Each is scored by its ROC AUC (unanswerable against answerable) on the
questions of a run made with the no-answer score off (``QA_NO_ANSWER_THRESHOLD=1``), beside
the no-answer score's own AUC (from each answer's ``no-answer score`` note):

- ``unknown terms``: the share of the question's terms (``qa.lexical.terms``: stop words
  out, stemmed) that no chunk of the corpus holds (the BM25 index's vocabulary);
- ``weakest piece``: one minus the lowest, over the question's content word pieces, of the
  piece's best cosine similarity to any word piece of the retrieved chunks (the embedding
  model's contextual token vectors, as ``qa.answer.token_match`` uses them): a question
  word with no counterpart in what was retrieved ("library" against a text about trams).

Run with the ``QA_HOME`` the eval ran in (the set's own collection is read from the run)::

    QA_NO_ANSWER_THRESHOLD=1 qa eval --out runs/art-off
    python eval/question_signals.py runs/art-off/results.json [--split dev]

Figures: eval/README.md, "Two question-side signals".
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa import QA
from qa.answer.token_match import _content
from qa.lexical import terms

_NO_ANSWER = re.compile(r"no-answer score ([0-9.]+)")


def roc_auc(positive: list[float], negative: list[float]) -> float:
    """P(a positive scores above a negative), ties counted half; nan without both."""
    if not positive or not negative:
        return float("nan")
    pos, neg = np.asarray(positive)[:, None], np.asarray(negative)[None, :]
    return float(((pos > neg) + 0.5 * (pos == neg)).mean())


def signals(results: Path, split: str) -> list[tuple[bool, float, float, float]]:
    """Per question of ``split``: (answerable, no-answer score, unknown terms, weakest piece)."""
    run = json.loads(results.read_text(encoding="utf-8"))
    qa = QA(collection=run["meta"]["collection"])
    index, embedder = qa.lexical_index(), qa.embedder
    pieces: dict[str, np.ndarray] = {}
    rows = []
    for q in run["questions"]:
        if split != "all" and q["split"] != split:
            continue
        ids = [r["chunk_id"] for r in q["retrieved"]]
        missing = [i for i in ids if i not in pieces]
        if missing:
            texts = [t for _, t in (qa._store.get_chunks(missing)[i] for i in missing)]
            for i, (names, vectors) in zip(missing, embedder.token_vectors(texts), strict=True):
                pieces[i] = vectors[_content(names, continuations=True)]
        found = [float(m.group(1)) for n in q["notes"] if (m := _NO_ANSWER.search(n))]
        words = terms([q["question"]])[0]
        unknown = sum(not index.knows(t) for t in words) / len(words) if words else 0.0
        encoded = embedder.encode_query(q["question"])
        keep = _content(encoded.pieces, continuations=False)
        weakest = 0.0
        if keep and ids:
            retrieved = np.concatenate([pieces[i] for i in ids])
            weakest = 1.0 - float((encoded.token_vectors[keep] @ retrieved.T).max(axis=1).min())
        rows.append((bool(q["answerable"]), found[0] if found else 0.0, unknown, weakest))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="results.json of a run with the score off")
    parser.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    args = parser.parse_args()
    rows = signals(args.results, args.split)
    answerable = [r for r in rows if r[0]]
    unanswerable = [r for r in rows if not r[0]]
    print(f"{len(answerable)} answerable, {len(unanswerable)} unanswerable ({args.split})")
    for column, name in ((1, "no-answer score"), (2, "unknown terms"), (3, "weakest piece")):
        auc = roc_auc([r[column] for r in unanswerable], [r[column] for r in answerable])
        print(f"{name:>16}: ROC AUC {auc:.3f}")


if __name__ == "__main__":
    main()
