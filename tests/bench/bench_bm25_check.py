"""The BM25 index's check against a store on a ``chroma run`` server (a benchmark, not a test).

In a fresh process, qa's first use of its saved BM25 index checks that the index covers
exactly the store's chunks. That check read every chunk's id and text from the server (14 s at
77 k chunks in bench_scale); it now reads the ids only, and the texts only to rebuild. This
starts ``chroma run`` on loopback, writes ``--chunks`` chunk records through qa's own store
code (news-like texts of about 1,200 characters, random unit vectors: the check never reads
vectors), saves the BM25 index as ``qa ingest`` does, then measures, ``--rounds`` times each,
side by side in one process:

- ``read_texts_s``: the old check's read (``ChunkStore.all_chunk_texts``);
- ``read_ids_s``: the new check's read (``ChunkStore.all_chunk_ids``);

and, in fresh processes, ``first_use_s``: ``QA().lexical_index()`` on the saved index (the new
code). Prints one JSON object with the medians and the ratio new/old::

    OMP_NUM_THREADS=1 python tests/bench/bench_bm25_check.py --chunks 20000 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_scale import free_port, load_average, memory_mb  # noqa: E402
from tests.support.process import serving  # noqa: E402

_WORDS = [
    "council",
    "budget",
    "harbour",
    "ferry",
    "fare",
    "tonnes",
    "metal",
    "output",
    "plant",
    "quarter",
    "revenue",
    "staff",
    "minister",
    "said",
    "tuesday",
    "company",
    "shares",
    "market",
    "supply",
    "demand",
    "report",
    "price",
    "rose",
    "fell",
    "percent",
    "million",
    "euros",
    "dollars",
    "project",
    "bridge",
    "rail",
    "line",
    "opened",
    "delayed",
    "region",
]


def chunk_text(rng: random.Random) -> str:
    """About 1,200 characters of news-like words in sentences."""
    sentences = []
    while sum(len(s) for s in sentences) < 1200:
        words = [rng.choice(_WORDS) for _ in range(rng.randint(12, 24))]
        sentences.append(" ".join(words).capitalize() + f" {rng.randint(2, 9999)}.")
    return " ".join(sentences)


def fill(url: str, home: Path, n: int) -> None:
    """Write ``n`` chunk records (100 documents' worth of metadata each 10 chunks) and save the
    BM25 index over them, as ``qa ingest`` leaves a store."""
    import numpy as np

    from qa import QA, Settings

    qa = QA(Settings(home=home, chroma_url=url))
    store = qa._store
    chunks, _ = store.open_for_writing("bench-model", "bench-chunker")
    rng = random.Random(19)
    vectors_rng = np.random.default_rng(19)
    for first in range(0, n, 1000):
        ids = [f"doc{i // 10:06d}-v-{i % 10:04d}" for i in range(first, min(n, first + 1000))]
        metas = [
            {"doc_id": i.split("-")[0], "version": "v", "n_chunks": 10, "start": 0, "end": 1}
            for i in ids
        ]
        vectors = vectors_rng.standard_normal((len(ids), 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        store.write(ids, vectors, metas, [chunk_text(rng) for _ in ids], chunks)
    store.committed()
    qa.lexical_index(refresh=True)  # builds and saves it


def first_use(env: dict[str, str]) -> float:
    """Seconds of ``QA().lexical_index()`` in a fresh process (imports not counted)."""
    code = (
        "import time\nfrom qa import QA\nqa = QA()\nqa._store.chunks()\n"
        "t = time.perf_counter()\nqa.lexical_index()\nprint(time.perf_counter() - t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def measure(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from qa import QA, Settings

    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    assert chroma, "the chroma CLI (from the chromadb wheel) is not installed"
    port = free_port()
    data, home = work / "chroma-server", work / "home"
    data.mkdir()
    url = f"http://127.0.0.1:{port}"
    argv = [chroma, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)]
    server_env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    with serving(
        argv, url, probe="/api/v2/heartbeat", log=work / "chroma.log", env=server_env, timeout=90
    ) as server:
        began = time.perf_counter()
        fill(url, home, args.chunks)
        filled = time.perf_counter() - began
        store = QA(Settings(home=home, chroma_url=url))._store
        texts, ids = [], []
        for _ in range(args.rounds):
            t = time.perf_counter()
            got_ids, _texts = store.all_chunk_texts()
            texts.append(time.perf_counter() - t)
            t = time.perf_counter()
            assert store.all_chunk_ids() == got_ids
            ids.append(time.perf_counter() - t)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "QA_HOME": str(home),
            "QA_CHROMA_URL": url,
        }
        fresh = [first_use(env) for _ in range(args.rounds)]
        return {
            "chunks": args.chunks,
            "rounds": args.rounds,
            "fill_s": round(filled, 1),
            "read_texts_s": round(statistics.median(texts), 3),
            "read_ids_s": round(statistics.median(ids), 3),
            "ratio_ids_to_texts": round(statistics.median(ids) / statistics.median(texts), 3),
            "first_use_s": round(statistics.median(fresh), 3),
            "server_peak_rss_mb": memory_mb(server.proc.pid).get("peak_rss_mb"),
            "load_average": load_average(),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qa-bm25-check-") as tmp:
        print(json.dumps(measure(args, Path(tmp))), flush=True)


if __name__ == "__main__":
    main()
