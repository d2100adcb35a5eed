"""The Eval tab's engine: runs ``qa.evaluation`` in this process on a store of its own.

``EvalRunner.run`` calls ``qa.evaluation.runner.run_eval`` directly (no subprocess), reports
progress per question, writes the report with ``qa.evaluation.report.write_report`` and hands
back the metrics as table rows and the plots and report as files.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import qa

__all__ = ["EVAL_CHOICES", "EvalChoice", "EvalResult", "EvalRunner", "metrics_table"]

DEFAULT_SET = Path(qa.__file__).resolve().parent / "evaluation" / "sets" / "smm-magnesium.json"
"""The bundled article eval set, package data of ``qa.evaluation`` (as ``qa eval`` uses)."""


@dataclass(frozen=True)
class EvalChoice:
    """One choice of questions: a split of the set, at most ``limit`` of them."""

    label: str
    split: str
    limit: int | None = None


# Durations: the quick check measured (README.md), the others scaled from its per-question time.
EVAL_CHOICES = {
    "quick": EvalChoice("Quick check: the first 20 dev questions (about 1 minute)", "dev", 20),
    "dev": EvalChoice("The dev split: 149 questions (about 3 minutes)", "dev"),
    "all": EvalChoice("The whole set: 222 questions, dev and test (about 5 minutes)", "all"),
}


@dataclass
class EvalResult:
    """What one eval run left behind: metric rows, plot files, report files, a status line."""

    ok: bool
    message: str
    out_dir: Path | None = None
    headers: list[str] = field(default_factory=lambda: ["metric", "value"])
    rows: list[list[Any]] = field(default_factory=list)
    plots: list[tuple[str, str]] = field(default_factory=list)  # (caption, png path)
    files: list[str] = field(default_factory=list)  # report.md, results.json


def metrics_table(run: Any) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of a finished run's metrics: one row a metric (the report's labels),
    one column for the run's questions and one per split when it has several. Values are the
    report's formatting ('-' where a metric does not apply)."""
    from qa.evaluation.report import METRICS, fmt

    summary = run.summary
    columns = [("all" if run.meta["split"] == "all" else run.meta["split"], summary["overall"])]
    if len(summary["splits"]) > 1:
        columns += list(summary["splits"].items())
    rows: list[list[Any]] = [["questions", *[str(col.get("questions", "")) for _, col in columns]]]
    rows += [
        [label, *[fmt(col.get(key), kind) for _, col in columns]] for key, label, kind in METRICS
    ]
    return ["metric", *[name for name, _ in columns]], rows


Progress = Callable[[int, int, float], None]  # (questions done, total, seconds elapsed)


class EvalRunner:
    """Runs an eval set through ``qa.evaluation`` into a fresh folder under ``runs_dir``.

    Args:
        settings: the app's settings; the eval gets its own home (``runs_dir/home``), so its
            store never touches the app's.
        runs_dir: where each run gets its own ``run-YYYYmmdd-HHMMSS`` folder.
        embedder: gives the embedding model to share, called when a run starts (default:
            the eval loads its own).
        set_path: the eval set (default: the bundled article set).
    """

    def __init__(
        self,
        settings: Any,
        runs_dir: Path,
        *,
        embedder: Callable[[], Any] | None = None,
        set_path: Path = DEFAULT_SET,
    ) -> None:
        self.settings = settings
        self.runs_dir = Path(runs_dir)
        self.embedder = embedder
        self.set_path = Path(set_path)

    def _folder(self) -> Path:
        out = self.runs_dir / time.strftime("run-%Y%m%d-%H%M%S")
        n = 1
        while out.exists():
            n += 1
            out = self.runs_dir / f"{time.strftime('run-%Y%m%d-%H%M%S')}.{n}"
        return out

    def run(self, choice: str, progress: Progress | None = None) -> EvalResult:
        """Run the questions of ``choice`` (a key of EVAL_CHOICES); never raises a QAError,
        the result says what failed."""
        from qa.errors import QAError

        picked = EVAL_CHOICES.get(choice)
        if picked is None:
            return EvalResult(False, f"unknown choice {choice!r}: use {', '.join(EVAL_CHOICES)}")
        if not self.set_path.is_file():
            return EvalResult(False, f"the eval set {self.set_path} is not in this installation")
        began = time.monotonic()

        def tick(done: int, total: int) -> None:
            if progress is not None:
                progress(done, total, time.monotonic() - began)

        try:
            from qa.evaluation.report import write_report
            from qa.evaluation.runner import run_eval

            settings = self.settings.model_copy(update={"home": self.runs_dir / "home"})
            run = run_eval(
                self.set_path,
                settings=settings,
                embedder=self.embedder() if self.embedder else None,
                split=picked.split,
                limit=picked.limit,
                progress=tick,
            )
            out = self._folder()
            run.meta["wall_seconds"] = round(time.monotonic() - began, 2)
            report = write_report(run, out)
        except QAError as exc:
            return EvalResult(False, f"The eval failed: {exc}")
        headers, rows = metrics_table(run)
        plots = [(caption, str(out / name)) for caption, name in _plot_files(out)]
        n = run.summary["overall"]["questions"]
        return EvalResult(
            ok=True,
            message=(
                f"Finished: {n} questions of {run.meta['set']} ({picked.split} split) in "
                f"{time.monotonic() - began:.0f} s. Report and results: {out}"
            ),
            out_dir=out,
            headers=headers,
            rows=rows,
            plots=plots,
            files=[str(report), str(out / "results.json")],
        )


PLOTS = [
    ("Metrics per category", "categories.png"),
    ("Latency per question", "latency.png"),
    ("Retrieval: qa against the baselines", "baselines.png"),
]


def _plot_files(out: Path) -> list[tuple[str, str]]:
    """(caption, file name) of the plots ``write_report`` made in ``out``, in report order."""
    known = [(c, n) for c, n in PLOTS if (out / n).is_file()]
    names = {n for _, n in known}
    extra = [(p.stem.replace("_", " "), p.name) for p in sorted(out.glob("*.png"))]
    return known + [(c, n) for c, n in extra if n not in names]
