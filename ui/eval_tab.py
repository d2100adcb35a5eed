"""The Eval tab's engine: runs ``qa eval --out DIR`` in a subprocess and reads what it wrote.

Kept apart from the app so it can later call ``qa.evaluation`` directly instead of the CLI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["EvalResult", "EvalRunner", "metrics_table"]

ROOT = Path(__file__).resolve().parents[1]
UNAVAILABLE = (
    "The eval suite is not available in this installation (`qa eval` failed to start); "
    "it ships with the `qa.evaluation` package."
)


@dataclass
class EvalResult:
    """What one eval run left behind."""

    ok: bool
    message: str
    out_dir: Path | None = None
    headers: list[str] = field(default_factory=lambda: ["metric", "value"])
    rows: list[list[Any]] = field(default_factory=list)
    plots: list[str] = field(default_factory=list)
    report: str = ""
    log: str = ""


def metrics_table(results: Any) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of a ``qa eval`` results.json: one row a metric, one column for the
    whole set and one for each split (``summary.overall`` and ``summary.splits``)."""
    summary = results.get("summary", {}) if isinstance(results, dict) else {}
    columns = {"all": summary.get("overall", {}), **summary.get("splits", {})}
    columns = {name: col for name, col in columns.items() if isinstance(col, dict) and col}
    metrics = list(
        dict.fromkeys(
            key
            for col in columns.values()
            for key, value in col.items()
            if isinstance(value, (int, float)) and not isinstance(value, bool)
        )
    )
    rows = [
        [
            m,
            *(
                round(float(col[m]), 3) if isinstance(col.get(m), (int, float)) else ""
                for col in columns.values()
            ),
        ]
        for m in metrics
    ]
    return ["metric", *columns], rows


class EvalRunner:
    """Runs the eval CLI into a fresh folder under ``runs_dir`` and collects its outputs.

    Args:
        runs_dir: where each run gets its own ``run-YYYYmmdd-HHMMSS`` folder.
        command: the eval command without ``--out`` (default ``python -m qa eval``).
        env: extra environment variables for the command.
        timeout: seconds before the run is stopped.
    """

    def __init__(
        self,
        runs_dir: Path,
        *,
        command: Sequence[str] | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 1800.0,
    ) -> None:
        self.runs_dir = Path(runs_dir)
        self.command = list(command or [sys.executable, "-m", "qa", "eval"])
        self.env = dict(env or {})
        self.timeout = timeout

    def _env(self) -> dict[str, str]:
        env = {**os.environ, **self.env}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        env.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
        return env

    def available(self) -> bool:
        """True when the eval command answers ``--help``."""
        try:
            done = subprocess.run(
                [*self.command, "--help"],
                capture_output=True,
                text=True,
                env=self._env(),
                timeout=120,
                cwd=ROOT,
            )
        except (OSError, subprocess.TimeoutExpired):
            return False
        return done.returncode == 0

    def run(self) -> Iterator[str | EvalResult]:
        """Yield the growing log while the eval runs, then the EvalResult."""
        if not self.available():
            yield EvalResult(ok=False, message=UNAVAILABLE)
            return
        out = self.runs_dir / time.strftime("run-%Y%m%d-%H%M%S")
        suffix = 1
        while out.exists():
            suffix += 1
            out = out.with_name(f"{out.name.split('.')[0]}.{suffix}")
        out.mkdir(parents=True)
        log: list[str] = []
        env = self._env()
        if "QA_HOME" not in self.env:  # its own store: an eval must not touch the app's
            env["QA_HOME"] = str(out / "qa-home")
        proc = subprocess.Popen(
            [*self.command, "--out", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=ROOT,
        )
        began = time.monotonic()
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                log.append(line.rstrip("\n"))
                yield "\n".join(log[-40:])
                if time.monotonic() - began > self.timeout:
                    break
            try:
                code = proc.wait(timeout=max(1.0, self.timeout - (time.monotonic() - began)))
            except subprocess.TimeoutExpired:
                code = None
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        text = "\n".join(log)
        if code is None or time.monotonic() - began > self.timeout:
            yield EvalResult(False, f"The eval run took over {self.timeout:.0f}s and was stopped.")
            return
        if code != 0:
            last = next((line for line in reversed(log) if line.strip()), "no output")
            yield EvalResult(False, f"`qa eval` failed (exit {code}): {last}", out, log=text)
            return
        yield self.collect(out, log=text)

    @staticmethod
    def collect(out: Path, log: str = "") -> EvalResult:
        """Read ``results.json``, ``report.md`` and the PNG plots of a finished run."""
        result = EvalResult(
            ok=True, message=f"Eval finished; outputs in {out}", out_dir=out, log=log
        )
        results_file = out / "results.json"
        if results_file.is_file():
            try:
                result.headers, result.rows = metrics_table(
                    json.loads(results_file.read_text(encoding="utf-8"))
                )
            except (OSError, ValueError) as exc:
                result.message += f" (results.json unreadable: {exc})"
        report = out / "report.md"
        if report.is_file():
            result.report = report.read_text(encoding="utf-8", errors="replace")
        result.plots = [str(p) for p in sorted(out.rglob("*.png"))]
        if not (result.rows or result.report or result.plots):
            result.message += " (no results.json, report.md or plots were written)"
        return result
