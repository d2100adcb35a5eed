"""Compare two eval runs: metric deltas and the questions that flipped."""

from __future__ import annotations

from typing import Any

from qa.errors import InvalidInputError
from qa.evaluation.metrics import summarise
from qa.evaluation.runner import Run

__all__ = ["compare_runs", "overlap_warning", "print_comparison"]

_HIGHER_IS_WORSE = {
    "false_abstention",
    "latency_p50_ms",
    "latency_p95_ms",
    "cited_chars",
    "evidence_missing",
}
_COUNTS = {"questions", "answerable", "unanswerable", "evidence_missing"}
# what makes two runs comparable: a difference is reported, not refused
_RUN_KEYS = ("set", "split", "mode", "top_k", "limit", "embed_model", "settings")


def _hit3(rank: int | None) -> bool:
    return rank is not None and rank <= 3


def compare_runs(a: Run, b: Run) -> dict[str, Any]:
    """Deltas of every overall metric (b - a; None where either run lacks it), per-question
    flips, and the run settings that differ (``mismatch``).

    A question is in both runs when both hold its id with the same question text (spaces
    aside). It flips when its correctness (accepted answer present, or abstained when
    unanswerable) or its retrieval hit@3 changed. Runs of part of the same questions (another
    ``--limit`` or split) are compared on the questions they share: their metrics are
    computed again over those (``compared`` counts them; ``only_in_a`` and ``only_in_b`` are
    the rest). An id whose question differs between the runs (two sets that number their
    questions alike) is left out too, and listed in ``other_questions``. Runs that share no
    question are an InvalidInputError.
    """
    questions_a = {r.id: " ".join(r.question.split()) for r in a.results}
    questions_b = {r.id: " ".join(r.question.split()) for r in b.results}
    ids_a, ids_b = set(questions_a), set(questions_b)
    same_id = ids_a & ids_b
    other_ids = sorted(i for i in same_id if questions_a[i] != questions_b[i])
    shared = same_id - set(other_ids)
    if not shared:
        other = f"; {len(other_ids)} id(s) are the same with another question" if other_ids else ""
        raise InvalidInputError(
            "the runs share no questions: not runs of the same set (A has "
            f"{len(ids_a)} of set {a.meta.get('set')!r}, B {len(ids_b)} of {b.meta.get('set')!r}"
            f"{other})"
        )
    if shared == ids_a == ids_b:
        sa, sb = a.summary["overall"], b.summary["overall"]
    else:
        sa = summarise([r for r in a.results if r.id in shared])
        sb = summarise([r for r in b.results if r.id in shared])
    deltas = {}
    for key in dict.fromkeys([*sa, *sb]):
        va, vb = sa.get(key), sb.get(key)
        numbers = [v for v in (va, vb) if isinstance(v, (int, float))]
        if not numbers or any(isinstance(v, (dict, list, str)) for v in (va, vb)):
            continue  # the baselines' nested metrics, or text
        deltas[key] = {"a": va, "b": vb, "delta": vb - va if len(numbers) == 2 else None}
    mismatch = {
        key: [a.meta.get(key), b.meta.get(key)]
        for key in _RUN_KEYS
        if a.meta.get(key) != b.meta.get(key)
    }
    by_id = {r.id: r for r in a.results}
    flipped = []
    for rb in b.results:
        if rb.id not in shared:
            continue
        ra = by_id[rb.id]
        changes = {}
        if ra.correct != rb.correct and ra.correct is not None and rb.correct is not None:
            changes["correct"] = [ra.correct, rb.correct]
        if ra.answerable and _hit3(ra.rank) != _hit3(rb.rank):
            changes["hit@3"] = [_hit3(ra.rank), _hit3(rb.rank)]
        if changes:
            better = all(after for _, after in changes.values())
            worse = not any(after for _, after in changes.values())
            flipped.append(
                {
                    "id": rb.id,
                    "question": rb.question,
                    "category": rb.category,
                    "changes": changes,
                    "direction": "better" if better else "worse" if worse else "mixed",
                    "answer_a": ra.answer,
                    "answer_b": rb.answer,
                }
            )
    return {
        "a": a.meta,
        "b": b.meta,
        "compared": len(shared),
        "deltas": deltas,
        "mismatch": mismatch,
        "flipped": flipped,
        "only_in_a": sorted(ids_a - same_id),
        "only_in_b": sorted(ids_b - same_id),
        "other_questions": [
            {"id": i, "question_a": questions_a[i], "question_b": questions_b[i]} for i in other_ids
        ],
    }


def overlap_warning(diff: dict[str, Any]) -> str:
    """A line saying the runs were compared on part of their questions, or '' (all of them).
    Ids that name another question in each run are counted as left out and named."""
    others = [q["id"] for q in diff.get("other_questions", [])]
    left_a, left_b = len(diff["only_in_a"]) + len(others), len(diff["only_in_b"]) + len(others)
    if not (left_a or left_b):
        return ""
    n = diff["compared"]
    line = (
        f"compared on the {n} question(s) both runs have; left out: {left_a} of A's "
        f"{n + left_a} and {left_b} of B's {n + left_b}"
    )
    if others:
        named = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
        line += f", of them {len(others)} with the same id and another question: {named}"
    return line


def print_comparison(diff: dict[str, Any], console: Any | None = None) -> None:
    """The comparison as rich tables."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from qa.evaluation.report import METRICS, fmt

    console = console or Console()
    for key, (va, vb) in diff.get("mismatch", {}).items():
        console.print(f"[yellow]the runs differ in {key}: {escape(str(va))} → {escape(str(vb))}[/]")
    kinds = {k: kind for k, _, kind in METRICS}
    others = diff.get("other_questions", [])
    partial = diff["only_in_a"] or diff["only_in_b"] or others
    shared = f" ({diff['compared']} shared)" if partial else ""
    table = Table(title=f"metrics{shared}: A → B", title_justify="left")
    for col in ("metric", "A", "B", "delta"):
        table.add_column(col, justify="left" if col == "metric" else "right")
    for key, d in diff["deltas"].items():
        kind = kinds.get(key, "count" if key in _COUNTS else "rate")
        delta = d["delta"]
        a, b = fmt(d["a"], kind), fmt(d["b"], kind)
        if delta is None:  # one run lacks it
            table.add_row(key, a, b, "-")
            continue
        good = delta < 0 if key in _HIGHER_IS_WORSE else delta > 0
        style = "" if abs(delta) < 1e-9 or kind == "count" else ("green" if good else "red")
        shown = (
            f"{delta:+.0f}"
            if kind == "count"
            else f"{delta:+.3f}"
            if kind == "rate"
            else f"{delta:+.1f}"
        )
        table.add_row(key, a, b, f"[{style}]{shown}[/]" if style else shown)
    console.print(table)
    flips = diff["flipped"]
    if not flips:
        console.print("no question flipped")
    else:
        noun = "question" if len(flips) == 1 else "questions"
        ft = Table(title=f"{len(flips)} {noun} flipped", title_justify="left")
        for col in ("id", "category", "change", "question"):
            ft.add_column(col)
        for f in flips:
            change = ", ".join(f"{k} {a}→{b}" for k, (a, b) in f["changes"].items())
            colour = {"better": "green", "worse": "red"}.get(f["direction"], "yellow")
            ft.add_row(
                escape(f["id"]),
                escape(f["category"]),
                f"[{colour}]{change}[/]",
                escape(f["question"]),
            )
        console.print(ft)
    for key in ("only_in_a", "only_in_b"):
        if diff[key]:
            console.print(f"{key.replace('_', ' ')}: {escape(', '.join(diff[key]))}")
    for other in others:
        console.print(
            f"same id, another question: {escape(other['id'])}: A "
            f"“{escape(other['question_a'])}”, B “{escape(other['question_b'])}”"
        )
