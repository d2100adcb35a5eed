"""Ingest time and peak RSS of one large plain-text file (a benchmark, not a test).

Write a file: ``python tests/bench/big_file.py write OUT.txt --mb 20``. The text is the
corpus article's paragraphs, hard-wrapped at 72 columns as old plain-text newswires are, each
copy with its own numbers so no two paragraphs are the same.

Measure: ``python tests/bench/big_file.py measure --mb 1 5 20 [--timeout S] [--out F.jsonl]``
writes each size to a folder of its own and runs, in a fresh ``QA_HOME`` each time,
``nice -n 10 /usr/bin/time -v python -m qa ingest FOLDER`` with ``OMP_NUM_THREADS=1``. Per size
it prints (and appends to ``--out``) one JSON line: wall and CPU seconds, peak RSS (MB), the
ingest's last output line, the chunks and sentences then in the store (``qa info``), the load
average before and after, and whether it was stopped at ``--timeout`` (then the figures are
those of the part done).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = ROOT / "corpus" / "smm-magnesium-industry-2026-01-15.md"


def write(out: Path, mb: float) -> int:
    """Write about ``mb`` MB of hard-wrapped text to ``out``; returns the bytes written."""
    body = ARTICLE.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
    paragraphs = [p for p in body.split("\n\n") if len(p) > 80 and not p.startswith("#")]
    rng = random.Random(17)
    limit = int(mb * 1024 * 1024)
    written = 0
    with out.open("w", encoding="utf-8") as f:
        n = 0
        while written < limit:
            n += 1
            para = rng.choice(paragraphs)
            para = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 97)), para)
            block = f"Section {n}\n\n" + "\n".join(textwrap.wrap(para, 72)) + "\n\n"
            f.write(block)
            written += len(block.encode("utf-8"))
    return written


_TIME_FIELDS = {
    "User time (seconds)": "user_s",
    "System time (seconds)": "system_s",
    "Maximum resident set size (kbytes)": "peak_rss_kb",
    "Elapsed (wall clock) time (h:mm:ss or m:ss)": "wall",
}


def _seconds(clock: str) -> float:
    parts = [float(p) for p in clock.split(":")]
    return sum(p * 60**i for i, p in enumerate(reversed(parts)))


def measure(mb: float, timeout: float | None, work: Path) -> dict:
    """One ingest of a fresh ``mb`` MB file into a fresh store; see the module doc."""
    folder = work / f"text-{mb:g}mb"
    folder.mkdir()
    size = write(folder / "big.txt", mb)
    env = {
        **os.environ,
        "QA_HOME": str(work / f"home-{mb:g}mb"),
        "PYTHONPATH": str(ROOT),
        "OMP_NUM_THREADS": "1",
        "HF_HUB_OFFLINE": "1",
    }
    command = ["nice", "-n", "10", "/usr/bin/time", "-v"]
    command += [sys.executable, "-m", "qa", "ingest", str(folder)]
    load_before = os.getloadavg()
    began = time.monotonic()
    proc = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    stopped = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stopped = True
        # /usr/bin/time passes the signal on and still reports its child's figures
        subprocess.run(["pkill", "-TERM", "-P", str(proc.pid)], check=False)
        out, err = proc.communicate()
    fields: dict[str, str] = {}
    for line in err.splitlines():
        key, _, value = line.strip().rpartition(": ")
        if key in _TIME_FIELDS:
            fields[_TIME_FIELDS[key]] = value
    lines = [line for line in out.splitlines() if line.strip()]
    info = subprocess.run(  # what is in the store (of a stopped run: what it wrote)
        [sys.executable, "-m", "qa", "info", "--json"], env=env, cwd=ROOT, capture_output=True
    )
    stored = json.loads(info.stdout) if info.returncode == 0 else {}
    return {
        "mb": mb,
        "bytes": size,
        "command": " ".join([*command[:-1], "FOLDER"]),
        "wall_s": round(_seconds(fields["wall"]), 1) if "wall" in fields else None,
        "cpu_s": round(float(fields.get("user_s", 0)) + float(fields.get("system_s", 0)), 1),
        "peak_rss_mb": round(int(fields.get("peak_rss_kb", 0)) / 1024),
        "exit": proc.returncode,
        "stopped_at_timeout": stopped,
        "elapsed_s": round(time.monotonic() - began, 1),
        "last_output": lines[-1] if lines else "",
        "stored": {k: stored.get(k) for k in ("documents", "chunks", "sentences")},
        "stderr_tail": [line for line in err.splitlines() if ": " not in line.strip()][-3:],
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    w = sub.add_parser("write")
    w.add_argument("out", type=Path)
    w.add_argument("--mb", type=float, default=20.0)
    m = sub.add_parser("measure")
    m.add_argument("--mb", type=float, nargs="+", default=[1.0, 5.0, 20.0])
    m.add_argument("--timeout", type=float, default=None, help="stop each ingest after S s")
    m.add_argument("--out", type=Path, default=None, help="append the JSON lines here")
    args = parser.parse_args()
    if args.what == "write":
        print(f"{args.out}: {write(args.out, args.mb) / 1024 / 1024:.1f} MB")
        return
    with tempfile.TemporaryDirectory(prefix="qa-big-file-") as tmp:
        for mb in args.mb:
            row = json.dumps(measure(mb, args.timeout, Path(tmp)))
            print(row, flush=True)
            if args.out:
                with args.out.open("a", encoding="utf-8") as f:
                    f.write(row + "\n")


if __name__ == "__main__":
    main()
