"""What each rule of the extractive reader earns: the eval with each gate switched off in turn.

The reader's rules besides its learned scores (``qa.answer.extractive.GATES``: the first-pass
threshold, the answer-type checks, the dateline, two-part questions...) can each be switched
off (``QA_READER_GATES_OFF``). This runs an eval set once per configuration, all on, each gate
off alone, and all off, in one process over one ingest: the retrieved passages and the answer
selector's reading of a (question, sentence) pair do not depend on the gates, so both are
computed once and reused. Every configuration's answers are scored as ``qa eval`` scores them.

    python eval/gate_ablation.py qa/evaluation/sets/smm-magnesium.json --split test
    python eval/gate_ablation.py XQUAD_OFF_TOPIC.json --split test --out runs/gates-xq.json
    python eval/gate_ablation.py qa/evaluation/sets/smm-magnesium.json \
        --unanswerable eval/probes/article-quantity-unanswerable.txt

It prints, per configuration, accuracy, abstention recall, false abstention and the change
against all gates on in questions (answered right or abstained right); ``--out`` writes the
same as JSON. The issue behind it (22) reads the test splits: a gate stays only if switching it
off costs more than one question on held-out data.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _memoised_reading(selector: Any) -> None:
    """Cache the selector's reading per (question, sentence) pair on the instance."""
    import numpy as np

    read = selector.read_pairs
    cache: dict[tuple[str, str], tuple[Any, Any]] = {}

    def read_pairs(pairs: Sequence[tuple[str, str]]) -> tuple[Any, Any]:
        missing = [p for p in dict.fromkeys(pairs) if p not in cache]
        if missing:
            probabilities, features = read(missing)
            for n, p in enumerate(missing):
                cache[p] = (probabilities[n], features[n])
        parts = [cache[p] for p in pairs]
        return (
            np.array([c[0] for c in parts]),
            np.stack([c[1] for c in parts]) if parts else np.zeros((0, 384)),
        )

    selector.read_pairs = read_pairs


def configurations(gates: Sequence[str]) -> list[tuple[str, str]]:
    """(name, QA_READER_GATES_OFF value): all on, each gate off alone, all off."""
    return [("all on", ""), *((f"{g} off", g) for g in gates), ("all off", ",".join(gates))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set", type=Path)
    parser.add_argument("--split", default="test")
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--unanswerable",
        type=Path,
        help="instead of the set's questions: a file of questions (one a line) that the set's "
        "documents do not answer; each configuration reports how many it answers anyway",
    )
    args = parser.parse_args()
    os.environ.setdefault("QA_HOME", tempfile.mkdtemp(prefix="qa-gates-"))

    from qa.answer.extractive import GATES, ExtractiveReader, gates_on
    from qa.config import Settings
    from qa.documents import load_documents
    from qa.evaluation.evidence import EvidenceMap, Span
    from qa.evaluation.metrics import summarise
    from qa.evaluation.runner import eval_collection, score_question
    from qa.evaluation.sets import load_set
    from qa.pipeline import QA

    settings = Settings()
    eval_set = load_set(args.set, work_dir=settings.home / "eval-docs")
    qa = QA(settings.model_copy(update={"collection": eval_collection(eval_set)}))
    qa.ingest(eval_set.documents, exclusive=True)
    reader = qa.answerer("extractive")
    assert isinstance(reader, ExtractiveReader)
    if reader.selector is not None:
        _memoised_reading(reader.selector)
    table: dict[str, Any] = {}
    if args.unanswerable:
        probes = [q.strip() for q in args.unanswerable.read_text("utf-8").splitlines() if q.strip()]
        for name, off in configurations(GATES):
            reader.gates = gates_on(off)
            answered = [n for n, q in enumerate(probes) if not qa.ask(q).abstained]
            table[name] = {"answered": answered, "questions": len(probes)}
            print(f"{name:>20}: {len(answered)} of {len(probes)} answered {answered}", flush=True)
        _write(args, table)
        return
    questions = eval_set.select(args.split)
    documents, _ = load_documents(eval_set.documents)
    evidence_map = EvidenceMap(documents)
    located = [evidence_map.locate_question(q) for q in questions]
    right: dict[str, list[bool]] = {}
    for name, off in configurations(GATES):
        reader.gates = gates_on(off)
        results = []
        for q, loc in zip(questions, located, strict=True):
            answer = qa.ask(q.question)
            ranked = [Span(h.doc_id, h.start, h.end) for h in answer.hits]
            results.append(
                score_question(
                    q, answer, [i.spans for i in loc], ranked, [h.chunk_id for h in answer.hits]
                )
            )
        s = summarise(results)
        right[name] = [
            (r.answerable and r.correct) or (not r.answerable and r.abstained) for r in results
        ]
        table[name] = {
            "accuracy": s.get("accuracy"),
            "abstention_recall": s.get("abstention_recall"),
            "false_abstention": s.get("false_abstention"),
            "right": sum(right[name]),
            "questions": len(results),
        }
        delta = sum(right[name]) - sum(right["all on"])
        table[name]["delta"] = delta
        print(
            f"{name:>20}: accuracy {s.get('accuracy')}, abstention recall "
            f"{s.get('abstention_recall')}, false abstention {s.get('false_abstention')}, "
            f"right {sum(right[name])}/{len(results)} ({delta:+d})",
            flush=True,
        )
    _write(args, table)


def _write(args: argparse.Namespace, table: dict[str, Any]) -> None:
    """The table as JSON at ``--out``, if given."""
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps({"set": str(args.set), "split": args.split, "table": table}, indent=1)
        )


if __name__ == "__main__":
    main()
