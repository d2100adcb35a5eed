"""Eval reports: rich tables in the terminal, and a Markdown report with matplotlib plots."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from qa.errors import InvalidPathError, QAError
from qa.evaluation.runner import RETRIEVAL_DEPTH, Run

__all__ = [
    "METRICS",
    "check_report_folder",
    "located_line",
    "print_summary",
    "published_rows",
    "write_report",
]

# (key, label, kind): kind "rate" prints as 0.000, "ms"/"chars" as a whole number.
METRICS = [
    ("hit@1", "retrieval hit@1", "rate"),
    ("hit@3", "retrieval hit@3", "rate"),
    ("hit@5", "retrieval hit@5", "rate"),
    ("mrr", "retrieval MRR", "rate"),
    ("accuracy", "answer accuracy", "rate"),
    ("f1", "answer token F1", "rate"),
    ("short_em", "short answer exact match", "rate"),
    ("short_f1", "short answer token F1", "rate"),
    ("short_given", "answers led by a short answer", "rate"),
    ("answer_similarity", "answer embedding similarity", "rate"),
    ("context_similarity", "context embedding similarity", "rate"),
    ("citation_precision", "citation precision", "rate"),
    ("citation_recall", "citation recall", "rate"),
    ("cited_chars", "mean cited span (chars)", "chars"),
    ("abstention_precision", "abstention precision", "rate"),
    ("abstention_recall", "abstention recall", "rate"),
    ("false_abstention", "false abstention rate", "rate"),
    ("latency_p50_ms", "latency p50 (ms)", "ms"),
    ("latency_p95_ms", "latency p95 (ms)", "ms"),
    ("first_token_p50_ms", "time to first token p50 (ms)", "ms"),
    ("first_token_p95_ms", "time to first token p95 (ms)", "ms"),
]
CATEGORY_METRICS = ["hit@3", "accuracy", "citation_recall", "abstention_recall", "false_abstention"]
RETRIEVAL = ["hit@1", "hit@3", "hit@5", "mrr"]
BASELINE_COLUMNS = [*RETRIEVAL, "retrieved_chars"]
# a published baseline's metric (llama datasets' card.json), qa's figure beside it, and how
# far the two can be compared
CARD_METRICS = [  # (card key, qa's key, short note, how comparable)
    (
        "contextSimilarity",
        "context_similarity",
        "indicative: other embedding model and depth",
        "same kind of measure (cosine of the retrieved passages to the reference contexts), "
        "but another embedding model and retriever depth: indicative, not equal in scale",
    ),
    (
        "correctness",
        "judge_correctness",
        "same evaluator; with --judge, same LLM",
        "same evaluator (llama-index CorrectnessEvaluator, 1-5): comparable when qa is run with "
        "--judge and the same judge LLM",
    ),
    (
        "faithfulness",
        "judge_faithfulness",
        "same evaluator; with --judge, same LLM",
        "same evaluator (FaithfulnessEvaluator, 0-1), qa's judged against its cited spans: "
        "comparable with --judge and the same judge LLM",
    ),
    (
        "relevancy",
        "judge_relevancy",
        "same evaluator; with --judge, same LLM",
        "same evaluator (RelevancyEvaluator, 0-1): comparable with --judge and the same judge LLM",
    ),
]


def fmt(value: Any, kind: str = "rate") -> str:
    """A metric for display: '-' when it does not apply."""
    if value is None:
        return "-"
    if kind == "rate":
        return f"{value:.3f}"
    return f"{value:.0f}" if kind in ("chars", "count") else f"{value:.1f}"  # ms, score


def _kind(key: str) -> str:
    return "chars" if key.endswith("_chars") else "rate"


def _judge_rows(summary: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(k, k.replace("_", " "), "rate") for k in summary if k.startswith("judge_")]


def _columns(run: Run) -> list[tuple[str, dict[str, Any]]]:
    cols = [("all" if run.meta["split"] == "all" else run.meta["split"], run.summary["overall"])]
    if len(run.summary["splits"]) > 1:
        cols += list(run.summary["splits"].items())
    return cols


def baseline_rows(run: Run) -> list[tuple[str, dict[str, Any]]]:
    """(name, retrieval metrics) for qa and each baseline, over the whole run."""
    overall = run.summary["overall"]
    depth = max(int(run.meta.get("top_k") or RETRIEVAL_DEPTH), RETRIEVAL_DEPTH)
    rows = [(f"qa (hybrid, top {depth})", {k: overall.get(k) for k in BASELINE_COLUMNS})]
    rows += list(overall.get("baselines", {}).items())
    return rows


def print_summary(run: Run, console: Any | None = None) -> None:
    """The run's metrics as rich tables: overall (and per split), per category, baselines."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = console or Console()
    meta = run.meta
    title = (
        f"{escape(str(meta['set']))} · {meta['mode']} · split {meta['split']} · "
        f"top-k {meta['top_k']} · "
        f"{run.summary['overall']['questions']} questions · {meta['seconds']:.0f}s"
    )
    table = Table(title=title, title_justify="left")
    table.add_column("metric")
    cols = _columns(run)
    for name, _ in cols:
        table.add_column(name, justify="right")
    for key, label, kind in METRICS + _judge_rows(run.summary["overall"]):
        table.add_row(label, *[fmt(s.get(key), kind) for _, s in cols])
    console.print(table)

    cats = Table(title="per category", title_justify="left")
    cats.add_column("category")
    cats.add_column("n", justify="right")
    for key in CATEGORY_METRICS:
        cats.add_column(key.replace("_", " "), justify="right")
    for cat, s in run.summary["categories"].items():
        cats.add_row(escape(cat), str(s["questions"]), *[fmt(s.get(k)) for k in CATEGORY_METRICS])
    console.print(cats)
    if located := located_line(run):
        console.print(escape(located))
    if missing := _missing_evidence_line(run):
        console.print(f"[yellow]{escape(missing)}[/]")
    if rows := published_rows(run, short=True):
        pub = Table(title="against the dataset's published baseline", title_justify="left")
        for col in ("metric", "baseline", "published", "qa", "comparable?"):
            pub.add_column(col, justify="right" if col in ("published", "qa") else "left")
        for row in rows:
            pub.add_row(*[escape(c) for c in row])
        console.print(pub)

    if run.summary["overall"].get("baselines"):
        base = Table(title="retrieval: qa against the baselines", title_justify="left")
        base.add_column("pipeline")
        for key in BASELINE_COLUMNS:
            base.add_column(key.replace("_", " "), justify="right")
        for name, s in baseline_rows(run):
            base.add_row(name, *[fmt(s.get(k), _kind(k)) for k in BASELINE_COLUMNS])
        console.print(base)


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _plots(run: Run, folder: Path) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    made: list[tuple[str, str]] = []
    cats = run.summary["categories"]
    keys = ["hit@3", "accuracy", "citation_recall", "abstention_recall"]
    names = list(cats)
    x = np.arange(len(names))
    width = 0.8 / len(keys)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.7 * len(names) + 2), 4))
    for i, key in enumerate(keys):
        values = [cats[c].get(key) or 0.0 for c in names]
        ax.bar(x + i * width - 0.4 + width / 2, values, width, label=key.replace("_", " "))
    ax.set_xticks(x, names, rotation=45, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_title("metrics per category")
    ax.legend(fontsize="small", ncols=len(keys), loc="lower left")
    fig.tight_layout()
    fig.savefig(folder / "categories.png", dpi=100)
    plt.close(fig)
    made.append(("Metrics per category", "categories.png"))

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist([r.latency_ms for r in run.results], bins=30, color="tab:blue")
    for q, style in ((50, "--"), (95, ":")):
        value = run.summary["overall"][f"latency_p{q}_ms"]
        if value is not None:
            ax.axvline(value, color="black", linestyle=style, label=f"p{q} {value:.0f} ms")
    ax.set_xlabel("latency per question (ms)")
    ax.set_ylabel("questions")
    ax.legend()
    fig.tight_layout()
    fig.savefig(folder / "latency.png", dpi=100)
    plt.close(fig)
    made.append(("Latency per question", "latency.png"))

    rows = baseline_rows(run)
    if len(rows) > 1:
        x = np.arange(len(RETRIEVAL))
        width = 0.8 / len(rows)
        fig, ax = plt.subplots(figsize=(6, 3.5))
        for i, (name, s) in enumerate(rows):
            ax.bar(
                x + i * width - 0.4 + width / 2,
                [s.get(k) or 0.0 for k in RETRIEVAL],
                width,
                label=name,
            )
        ax.set_xticks(x, RETRIEVAL)
        ax.set_ylim(0, 1.05)
        ax.set_title("retrieval: qa against the baselines")
        ax.legend(fontsize="small", loc="lower right")
        fig.tight_layout()
        fig.savefig(folder / "baselines.png", dpi=100)
        plt.close(fig)
        made.append(("Retrieval: qa against the baselines", "baselines.png"))
    return made


def located_line(run: Run) -> str:
    """How the answerable questions' evidence was located, as one line ('' when none had any)."""
    counts = run.summary["overall"].get("located_by") or {}
    total = sum(v for k, v in counts.items() if k != "min_fuzzy_score" and v)
    if not total:
        return ""
    fuzzy = f"{counts.get('fuzzy', 0)} fuzzy"
    threshold = run.meta.get("fuzzy_threshold")
    if counts.get("min_fuzzy_score") is not None:
        fuzzy += f" (lowest score {counts['min_fuzzy_score']:.1f}"
        fuzzy += f", threshold {threshold:.0f})" if threshold is not None else ")"
    return (
        f"evidence located for {total} answerable question(s): {counts.get('exact', 0)} exact, "
        f"{counts.get('normalised', 0)} normalised, {fuzzy}, "
        f"{counts.get('not found', 0)} not found"
    )


def published_rows(run: Run, short: bool = False) -> list[list[str]]:
    """[metric, baseline, published value, qa's value, how comparable] for each metric of
    each published baseline of the set (llama datasets' card.json); [] when it ships none.
    ``short``: the baseline without its config and a short note (for the terminal)."""
    overall = run.summary["overall"]
    rows: list[list[str]] = []
    known = {card for card, *_ in CARD_METRICS}
    for baseline in run.meta.get("published_baselines") or []:
        config = ", ".join(f"{k}={v}" for k, v in (baseline.get("config") or {}).items())
        name = str(baseline.get("name") or "baseline")
        if config and not short:
            name += f" ({config})"
        metrics = baseline.get("metrics") or {}
        for card, ours, brief, how in CARD_METRICS:
            if card in metrics:
                value = overall.get(ours)
                note = brief if short else how
                if value is None and ours.startswith("judge_"):
                    note = "needs --judge (an LLM)" if short else "needs --judge (an LLM): " + how
                rows.append([card, name, fmt(metrics[card]), fmt(value), note])
        for key, value in metrics.items():
            if key not in known:
                rows.append([key, name, fmt(value), "-", "qa has no such measure"])
    return rows


def _missing_evidence_line(run: Run) -> str:
    """A warning when some answerable questions' evidence is not in the documents, or ''."""
    n = run.summary["overall"].get("evidence_missing") or 0
    if not n:
        return ""
    return (
        f"{n} answerable question(s) have no evidence located in the documents: they are left "
        "out of the retrieval and citation metrics (results.json notes say why)"
    )


def _located_rows(run: Run) -> list[list[str]]:
    """[id, how, score, evidence] for each question whose evidence was not found verbatim."""
    rows = []
    for r in run.results:
        if r.located_by in (None, "exact"):
            continue
        scores = [e.get("score") or e.get("best_score") for e in r.evidence_located]
        best = max((s for s in scores if s is not None), default=None)
        shown = "; ".join(n for n in r.notes if "threshold" in n)[:120] or (
            f"{len(r.evidence_located)} item(s)"
        )
        rows.append([r.id, r.located_by, fmt(best, "score"), shown.replace("|", "\\|")])
    return rows


def check_report_folder(folder: Path) -> None:
    """Raise InvalidPathError unless ``folder`` is, or can be made, a writable folder: checked
    before a run, so that a long run is not lost to a bad ``--out``."""
    if folder.exists() and not folder.is_dir():
        raise InvalidPathError(f"--out {folder} is a file, not a folder")
    existing = next((p for p in (folder, *folder.parents) if p.exists()), Path("."))
    if not existing.is_dir():
        raise InvalidPathError(f"--out {folder}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InvalidPathError(f"--out {folder}: {existing} is not writable")


def write_report(run: Run, folder: Path) -> Path:
    """Write results.json, report.md and its PNG plots into ``folder``; returns report.md.

    If ``folder`` cannot be written, results.json goes to a new temporary folder instead and
    the QAError raised says where: a finished run is never lost.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        run.save(folder)
    except OSError as exc:
        rescue = Path(tempfile.mkdtemp(prefix="qa-eval-"))
        run.save(rescue)
        raise QAError(
            f"cannot write the report to {folder} ({exc.strerror or exc}); "
            f"the results are in {rescue / 'results.json'}"
        ) from None
    meta = run.meta
    cols = _columns(run)
    parts = [
        f"# Eval: {meta['set']}",
        "",
        f"Mode **{meta['mode']}**, split **{meta['split']}**, top-k {meta['top_k']}, "
        f"{run.summary['overall']['questions']} questions, {meta['documents']} documents in "
        f"{meta['chunks']} chunks (collection `{meta['collection']}`), model "
        f"`{meta['embed_model']}`, run {meta['started']} in {meta['seconds']:.1f}s.",
        "",
        "Settings: " + ", ".join(f"{k}={v}" for k, v in meta["settings"].items()) + ".",
        "",
        *([f"{m[:1].upper()}{m[1:]}.", ""] if (m := located_line(run)) else []),
        *([f"**Note:** {m}.", ""] if (m := _missing_evidence_line(run)) else []),
        "## Metrics",
        "",
        _md_table(
            ["metric", *[c for c, _ in cols]],
            [
                [label, *[fmt(s.get(key), kind) for _, s in cols]]
                for key, label, kind in METRICS + _judge_rows(run.summary["overall"])
            ],
        ),
        "",
        "## Per category",
        "",
        _md_table(
            ["category", "n", *CATEGORY_METRICS],
            [
                [c, str(s["questions"]), *[fmt(s.get(k)) for k in CATEGORY_METRICS]]
                for c, s in run.summary["categories"].items()
            ],
        ),
        "",
    ]
    if rows := published_rows(run):
        parts += [
            "## Against the dataset's published baseline",
            "",
            _md_table(["metric", "baseline", "published", "qa", "comparable?"], rows),
            "",
            "qa's answer embedding similarity and token F1 have no counterpart in the card; "
            "neither is the card's correctness (an LLM's 1-5 grade).",
            "",
        ]
    if located_rows := _located_rows(run):
        parts += [
            "## Evidence located other than verbatim",
            "",
            _md_table(["id", "located by", "score", "evidence"], located_rows),
            "",
        ]
    if run.summary["overall"].get("baselines"):
        parts += [
            "## Retrieval against the baselines",
            "",
            _md_table(
                ["pipeline", *BASELINE_COLUMNS],
                [
                    [n, *[fmt(s.get(k), _kind(k)) for k in BASELINE_COLUMNS]]
                    for n, s in baseline_rows(run)
                ],
            ),
            "",
            "`naive-llamaindex` retrieves 2 chunks of up to 1024 tokens (its hit@3 and hit@5 are "
            "its hit@2); `bm25` ranks qa's own top 5 chunks by BM25 alone. `retrieved_chars` is "
            "the text handed on per question: big chunks buy hit rate with reading.",
            "",
        ]
    for title, name in _plots(run, folder):
        parts += [f"## {title}", "", f"![{title}]({name})", ""]
    wrong = [r for r in run.results if r.correct is False or (r.answerable and r.rank is None)]
    if wrong:
        parts += [
            "## Questions answered wrongly",
            "",
            _md_table(
                ["id", "category", "question", "rank", "answer"],
                [
                    [
                        r.id,
                        r.category,
                        r.question.replace("|", "\\|"),
                        str(r.rank or "-"),
                        r.answer[:120].replace("|", "\\|").replace("\n", " "),
                    ]
                    for r in wrong
                ],
            ),
            "",
        ]
    path = folder / "report.md"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
