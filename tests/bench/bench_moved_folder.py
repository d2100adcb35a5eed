"""Benchmark: re-ingesting a folder after it was moved (``qa ingest --exclusive NEW_PATH``).

Run: ``.venv/bin/python tests/bench/bench_moved_folder.py [--articles 20] [--runs 3]
[--sentence-vectors separate]``. Not a test (timings vary with the machine's load).

The folder holds ``--articles`` articles, each one XQuAD article (its title as a heading,
its paragraphs), read from ``--xquad`` (default /work/shared/benchmarks/xquad-en/
xquad.en.json). Per run, in a new store: the folder is ingested, renamed, and its new path
ingested with ``exclusive=True`` in the same process (the model loaded already); that second
ingest is timed. Prints each run and the median as JSON; ``reused`` is the report's count of
chunks whose vectors were copied (absent from a qa that has no such count).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
XQUAD = Path("/work/shared/benchmarks/xquad-en/xquad.en.json")


def write_articles(folder: Path, xquad: Path, n: int) -> None:
    """``n`` XQuAD articles as Markdown files: a heading, then the paragraphs."""
    data = json.loads(xquad.read_text(encoding="utf-8"))["data"]
    folder.mkdir(parents=True)
    for i, article in enumerate(data[:n]):
        title = article["title"].replace("_", " ")
        body = "\n\n".join(p["context"] for p in article["paragraphs"])
        (folder / f"article-{i:02d}.md").write_text(f"# {title}\n\n{body}\n", encoding="utf-8")


def one_run(work: Path, xquad: Path, n: int, sentence_vectors: str) -> dict[str, float]:
    from qa import QA, Settings

    old, new = work / "news", work / "news-moved"
    write_articles(old, xquad, n)
    qa = QA(Settings(home=work / "home", corpus_dir=old, sentence_vectors=sentence_vectors))
    began = time.perf_counter()
    qa.ingest([old])
    first_s = time.perf_counter() - began
    old.rename(new)
    began, cpu = time.perf_counter(), time.process_time()
    moved = qa.ingest([new], exclusive=True)
    moved_s, moved_cpu = time.perf_counter() - began, time.process_time() - cpu
    assert len(moved.added) == len(moved.removed) == n, moved
    return {
        "first_ingest_s": first_s,
        "moved_ingest_s": moved_s,
        "moved_ingest_cpu_s": moved_cpu,
        "chunks": moved.chunks,
        "chunks_written": moved.chunks_written,
        "reused": getattr(moved, "reused", None),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--xquad", type=Path, default=XQUAD)
    parser.add_argument("--sentence-vectors", default="separate")
    args = parser.parse_args()
    runs = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="qa-bench-moved-") as tmp:
            runs.append(one_run(Path(tmp), args.xquad, args.articles, args.sentence_vectors))
        print(json.dumps(runs[-1]), flush=True)
    print(
        json.dumps(
            {
                "root": str(ROOT),
                "articles": args.articles,
                "sentence_vectors": args.sentence_vectors,
                "runs": len(runs),
                "median_first_ingest_s": statistics.median(r["first_ingest_s"] for r in runs),
                "median_moved_ingest_s": statistics.median(r["moved_ingest_s"] for r in runs),
                "median_moved_ingest_cpu_s": statistics.median(
                    r["moved_ingest_cpu_s"] for r in runs
                ),
                "load_average": os.getloadavg(),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
