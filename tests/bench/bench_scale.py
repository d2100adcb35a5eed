"""Benchmark at scale: qa on a real ``chroma run`` server at 1 k, 10 k and 100 k chunks.

Run: ``.venv/bin/python tests/bench/bench_scale.py [--sizes 1000 10000 100000]
[--real-up-to 1000] [--out scale.json]``. Not a test (timings vary with the machine's load).

Starts ``chroma run`` on loopback and points qa at it (``QA_CHROMA_URL``). The corpus is
bench_core's generator (editions of the SMM article, its paragraphs shuffled per edition,
each with three edition notes tagged ``Edition NNNNNN``). For each size, smallest first:

- up to ``--real-up-to`` chunks, editions are ingested for real (``QA.ingest``: chunked,
  embedded, written, BM25 rebuilt); ingest time and chunks/s are measured;
- above it, the store is filled through qa's own record layout (``qa.ingest._chunk_metadata``,
  ``qa.ids``, ``ChunkStore.write`` / ``write_text``) with variants of the really ingested
  editions: each a real file whose text is a real edition's with its tag renumbered (same
  width, so every offset holds), loaded by qa's loader, with the real edition's chunk and
  sentence vectors plus Gaussian noise (``--noise``, the norm of the noise before the vector
  is renormalised: 0.1 keeps a cosine of about 0.995 to the real vector; no two vectors are
  equal). Their ingest time is not measured but extrapolated from the real rate, and the
  output says so (``ingest_measured: false``);
- then the BM25 index is rebuilt from the server (read, build, save: what ``qa ingest`` does
  after writing) and a fresh process (``--probe``) loads it (size on disk, load time), asks
  ``--questions`` warm extractive questions and retrieves them (p50 / p95), and reports its
  own peak RSS; the server process's peak RSS (``VmHWM``) is read after it.

``--attach URL --work DIR --server-pid PID --real-editions N`` measures, as for one size, the
store of a run paused before its next size (``kill -STOP``; its ``--work`` folder).

Prints a table and the JSON (also written to ``--out``). The load average is recorded at
each step: on a shared machine the latencies are only comparable with it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_core import ARTICLE, percentile, questions  # noqa: E402
from tests.support.process import serving  # noqa: E402

FIRST_STEP = 20  # editions ingested first, to learn the chunks per edition
FILL_BATCH = 2000  # records per write while filling


# ---- corpus --------------------------------------------------------------------------------
def tag(i: int) -> str:
    """The edition's tag in its notes: fixed width, so renumbering keeps every offset."""
    return f"Edition {i:06d}"


def edition_text(i: int) -> str:
    """bench_core's edition ``i``: the SMM article's paragraphs shuffled (the first kept),
    plus three notes quoting a random paragraph, seeded by ``i`` so editions can be made a
    few at a time."""
    import random

    text = ARTICLE.read_text(encoding="utf-8")
    head, body = text.split("\n# ", 1)
    paragraphs = [p for p in ("# " + body).split("\n\n") if p.strip()]
    rng = random.Random(7_000_000 + i)
    shuffled = paragraphs[:1] + rng.sample(paragraphs[1:], len(paragraphs) - 1)
    extra = [f"{tag(i)} note {j}: " + rng.choice(paragraphs[2:]) for j in range(3)]
    return head + "\n" + "\n\n".join(shuffled + extra) + "\n"


def edition_path(folder: Path, i: int) -> Path:
    return folder / f"edition-{i:06d}.md"


# ---- processes -----------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def memory_mb(pid: int | str = "self") -> dict[str, float]:
    """Peak (VmHWM) and current (VmRSS) resident memory of a process, in MB."""
    out: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out["peak_rss_mb" if key == "VmHWM" else "rss_mb"] = int(value.split()[0]) / 1024
    return out


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (the server should have none)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def dir_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


# ---- growing the store ---------------------------------------------------------------------
class Grower:
    """Grows the store on the server to a number of chunks, real ingest first, then fill."""

    def __init__(
        self, qa: Any, corpus: Path, noise: float, *, first_step: int = FIRST_STEP
    ) -> None:
        self.qa = qa
        self.first_step = first_step
        self.corpus = corpus
        self.noise = noise
        self.editions = 0  # editions in the store (real and filled)
        self.real = 0  # of them really ingested (the fill's templates)
        self.ingest_seconds = 0.0
        self.ingested_chunks = 0
        self.ingested_texts = 0
        self.fill_seconds = 0.0
        self.templates: list[dict[str, Any]] = []
        self.rng: Any = None

    def chunks(self) -> int:
        return int(self.qa.info()["chunks"])

    def ingest_to(self, size: int) -> None:
        """Real ``QA.ingest`` of new editions until the store holds ``size`` chunks."""
        while (have := self.chunks()) < size:
            per = have / self.editions if self.editions else 0.0
            step = self.first_step if not per else max(1, math.ceil((size - have) / per))
            for i in range(self.editions, self.editions + step):
                edition_path(self.corpus, i).write_text(edition_text(i), encoding="utf-8")
            before = self.qa.info()
            began = time.perf_counter()
            report = self.qa.ingest([self.corpus])
            self.ingest_seconds += time.perf_counter() - began
            after = self.qa.info()
            self.ingested_chunks += report.chunks_written
            self.ingested_texts += (
                after["chunks"] - before["chunks"] + after["sentences"] - before["sentences"]
            )
            self.editions += step
            self.real = self.editions

    def fill_to(self, size: int) -> None:
        """Variants of the real editions (see the module doc) until ``size`` chunks."""
        import numpy as np

        from qa.chunking import Chunker, document_version
        from qa.documents import load_file
        from qa.ids import chunk_id, sentence_id
        from qa.ingest import _chunk_metadata
        from qa.types import Chunk

        store = self.qa._store
        if not self.templates:
            self._load_templates()
            self.rng = np.random.default_rng(19)
        chunker = Chunker(
            lambda text: self.qa.embedder.tokenize(text),
            min(self.qa.settings.chunk_size, self.qa._max_tokens() - 2),
            self.qa.settings.chunk_overlap,
        )
        config = f"{chunker.config}|{self.qa.model_id}"
        chunks_col, sentences_col = store.open_for_writing(self.qa.model_id, chunker.config)
        have = self.chunks()
        pending: dict[int, list[tuple[str, Any, dict, str]]] = {0: [], 1: []}
        began = time.perf_counter()

        def flush() -> None:
            for kind, col in ((0, sentences_col), (1, chunks_col)):  # sentences first
                rows = pending[kind]
                if rows:
                    vectors = np.stack([r[1] for r in rows])
                    store.write(
                        [r[0] for r in rows],
                        vectors,
                        [r[2] for r in rows],
                        [r[3] for r in rows],
                        col,
                    )
                pending[kind] = []

        with store.writing():
            while have < size:
                i = self.editions
                template = self.templates[i % len(self.templates)]
                path = edition_path(self.corpus, i)
                path.write_text(
                    template["file"].replace(tag(template["i"]), tag(i)), encoding="utf-8"
                )
                doc = load_file(path)
                expected = template["text"].replace(tag(template["i"]), tag(i))
                if doc.text != expected:
                    raise RuntimeError(f"{path.name}: renumbering moved the text's offsets")
                version = document_version(doc, config)
                store.write_text(doc.doc_id, version, doc.text)
                for s, e, vector in template["sentences"]:
                    meta = {"doc_id": doc.doc_id, "version": version, "start": s, "end": e}
                    sid = sentence_id(doc.doc_id, version, s, e)
                    pending[0].append((sid, self._vary(vector), meta, doc.text[s:e]))
                n_chunks = len(template["chunks"])
                for meta, vector in template["chunks"]:
                    chunk = Chunk(
                        chunk_id=chunk_id(doc.doc_id, version, meta["index"]),
                        doc_id=doc.doc_id,
                        index=meta["index"],
                        start=meta["start"],
                        end=meta["end"],
                        text=doc.text[meta["start"] : meta["end"]],
                        sentences=[tuple(p) for p in json.loads(meta["sentences"])],
                    )
                    record = _chunk_metadata(doc, chunk, version, n_chunks)
                    pending[1].append((chunk.chunk_id, self._vary(vector), record, chunk.text))
                have += n_chunks
                self.editions += 1
                if len(pending[0]) + len(pending[1]) >= FILL_BATCH:
                    flush()
            flush()
        self.fill_seconds += time.perf_counter() - began

    def _vary(self, vector: Any) -> Any:
        import numpy as np

        noise = self.rng.standard_normal(vector.shape[0]).astype(np.float32)
        varied = vector + noise * (self.noise / math.sqrt(vector.shape[0]))
        return varied / np.linalg.norm(varied)

    def _load_templates(self) -> None:
        """The really ingested editions: file text, stored text, chunk and sentence vectors."""
        import numpy as np

        from qa.documents import doc_id_for

        store = self.qa._store
        docs = store.documents()
        for i in range(self.real):
            path = edition_path(self.corpus, i)
            known = docs[doc_id_for(path)]
            version = known.current_version
            assert version is not None, f"{path.name} is not completely ingested"
            where = {"$and": [{"doc_id": known.doc_id}, {"version": version}]}
            got = store.chunks().get(where=where, include=["metadatas", "embeddings"])
            chunks = sorted(
                zip(got["metadatas"], got["embeddings"], strict=True), key=lambda p: p[0]["index"]
            )
            got = store.sentences().get(where=where, include=["metadatas", "embeddings"])
            sentences = [
                (int(m["start"]), int(m["end"]), np.asarray(v, dtype=np.float32))
                for m, v in zip(got["metadatas"], got["embeddings"], strict=True)
            ]
            self.templates.append(
                {
                    "i": i,
                    "file": path.read_text(encoding="utf-8"),
                    "text": store.document_text(known.doc_id, version),
                    "chunks": [(m, np.asarray(v, dtype=np.float32)) for m, v in chunks],
                    "sentences": sentences,
                }
            )


def rebuild_bm25(qa: Any) -> dict[str, float]:
    """What ``qa ingest`` does after writing: read every chunk's text from the server, build
    the BM25 index and save it where qa loads it from."""
    from qa.lexical import BM25Index

    began = time.perf_counter()
    ids, texts = qa._store.all_chunk_texts()
    read = time.perf_counter()
    index = BM25Index.build(ids, texts)
    built = time.perf_counter()
    index.save(qa._lexical_dir)
    saved = time.perf_counter()
    current = qa._lexical_dir / (qa._lexical_dir / "CURRENT").read_text().strip()
    return {
        "bm25_read_texts_s": read - began,
        "bm25_build_s": built - read,
        "bm25_save_s": saved - built,
        "bm25_disk_mb": dir_mb(current),
    }


# ---- the probe: a fresh qa process ----------------------------------------------------------
def probe(n: int, real_editions: int) -> dict[str, Any]:
    """In a fresh process (env: QA_HOME, QA_CHROMA_URL): load the BM25 index, then warm
    extractive asks and retrievals. Returns figures and this process's memory."""
    from qa import QA
    from qa.lexical import BM25Index

    qa = QA()
    began = time.perf_counter()
    loaded = BM25Index.load(qa._lexical_dir)
    load_s = time.perf_counter() - began
    assert loaded is not None, "no BM25 index saved"
    began = time.perf_counter()
    qa.lexical_index()  # qa's own first use: reads the server's chunk ids, then loads it
    first_use_s = time.perf_counter() - began
    pool = questions(n + 5)
    asked, warm = pool[:n], pool[n:] or pool[:5]
    qa.warm_up()
    for q in warm:
        qa.ask(q)
    qa.embedder.forget_queries()
    total, retrieve, answer, retrieval = [], [], [], []
    answered, cited_docs = 0, set()
    for q in asked:
        began = time.perf_counter()
        result = qa.ask(q)
        total.append((time.perf_counter() - began) * 1000)
        retrieve.append(result.timings_ms["retrieve"])
        answer.append(result.timings_ms["answer"])
        if not result.abstained:
            answered += 1
        cited_docs.update(c.path for c in result.citations)
    qa.embedder.forget_queries()
    dense, lexical = [], []
    index = qa.lexical_index()
    for q in asked:
        began = time.perf_counter()
        qa.retrieve(q)
        retrieval.append((time.perf_counter() - began) * 1000)
        vector = qa.embedder.encode_query(q).vector  # cached now: the parts that grow
        began = time.perf_counter()
        qa._store.query(vector, qa.settings.candidates)
        dense.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        index.search(q, qa.settings.candidates)
        lexical.append((time.perf_counter() - began) * 1000)
    return {
        "questions": len(asked),
        "answered": answered,
        "documents_cited": len(cited_docs),
        "filled_editions_cited": sum(  # a filled edition's number is past every real one
            int(Path(p).stem.split("-")[-1]) >= real_editions for p in cited_docs
        ),
        "ask_p50_ms": statistics.median(total),
        "ask_p95_ms": percentile(total, 0.95),
        "ask_retrieve_p50_ms": statistics.median(retrieve),
        "ask_answer_p50_ms": statistics.median(answer),
        "retrieve_p50_ms": statistics.median(retrieval),
        "retrieve_p95_ms": percentile(retrieval, 0.95),
        "server_query_p50_ms": statistics.median(dense),
        "server_query_p95_ms": percentile(dense, 0.95),
        "bm25_search_p50_ms": statistics.median(lexical),
        "bm25_search_p95_ms": percentile(lexical, 0.95),
        "bm25_load_s": load_s,
        "bm25_first_use_s": first_use_s,
        "qa": memory_mb(),
    }


def run_probe(env: dict[str, str], n: int, real_editions: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--probe", str(real_editions), "--questions", str(n)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"the probe failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---- the run -------------------------------------------------------------------------------
def measure(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from qa import QA, Settings

    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    assert chroma, "the chroma CLI (from the chromadb wheel) is not installed"
    port = free_port()
    data, home, corpus = work / "chroma-server", work / "home", work / "corpus"
    for folder in (data, home, corpus):
        folder.mkdir(parents=True)
    argv = [chroma, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)]
    server_env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    results: dict[str, Any] = {
        "machine": f"{os.cpu_count()} cores",
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS", ""),
        "real_up_to": args.real_up_to,
        "noise": args.noise,
        "sizes": [],
    }
    url = f"http://127.0.0.1:{port}"
    with serving(
        argv, url, probe="/api/v2/heartbeat", log=work / "chroma.log", env=server_env, timeout=90
    ) as server:
        results["server_idle"] = memory_mb(server.proc.pid)
        settings = Settings(home=home, chroma_url=url, onnx_dir=args.onnx_dir)
        qa = QA(settings)
        grower = Grower(qa, corpus, args.noise)
        _ = qa.embedder  # loading the model is not ingest work
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "QA_HOME": str(home),
            "QA_CHROMA_URL": url,
            "QA_ONNX_DIR": str(args.onnx_dir),
            "HF_HUB_OFFLINE": "1",
        }
        for size in sorted(args.sizes):
            row: dict[str, Any] = {"target": size, "load_before": load_average()}
            if size <= args.real_up_to or grower.real == 0:
                grower.ingest_to(min(size, args.real_up_to))
            if size > args.real_up_to:
                grower.fill_to(size)
            info = qa.info()
            real_rate = grower.ingested_chunks / grower.ingest_seconds
            row.update(
                chunks=info["chunks"],
                sentences=info["sentences"],
                editions=grower.editions,
                real_editions=grower.real,
                ingest_measured=grower.real == grower.editions,
                ingest_chunks_per_s=real_rate,
                ingest_texts_per_s=grower.ingested_texts / grower.ingest_seconds,
                ingest_s=(
                    grower.ingest_seconds
                    if grower.real == grower.editions
                    else info["chunks"] / real_rate
                ),
                fill_s=grower.fill_seconds,
                load_after_growing=load_average(),
            )
            row.update(rebuild_bm25(qa))
            row["probe"] = run_probe(env, args.questions, grower.real)
            row["load_after_probe"] = load_average()
            row["server"] = memory_mb(server.proc.pid)
            row["server_children"] = len(children(server.proc.pid))
            row["server_data_mb"] = dir_mb(data)
            row["bench"] = memory_mb()
            results["sizes"].append(row)
            print(json.dumps(row, default=lambda v: round(v, 3)), file=sys.stderr, flush=True)
            if args.out:
                args.out.write_text(json.dumps(results, indent=2, default=lambda v: round(v, 3)))
    return results


def attach(args: argparse.Namespace) -> dict[str, Any]:
    """Measure a store another run grew (``--attach URL --work DIR --server-pid PID``), e.g.
    one whose run was paused (``kill -STOP``) before it reached its next size: the BM25
    rebuild, the probe and the server's memory, as for one size of ``measure``."""
    from qa import QA, Settings

    home = args.work / "home"
    qa = QA(Settings(home=home, chroma_url=args.attach, onnx_dir=args.onnx_dir))
    info = qa.info()
    real = args.real_editions
    row: dict[str, Any] = {
        "chunks": info["chunks"],
        "sentences": info["sentences"],
        "editions": info["documents"],
        "real_editions": real,
        "ingest_measured": False,
        "load_before": load_average(),
    }
    row.update(rebuild_bm25(qa))
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "QA_HOME": str(home),
        "QA_CHROMA_URL": args.attach,
        "QA_ONNX_DIR": str(args.onnx_dir),
        "HF_HUB_OFFLINE": "1",
    }
    row["probe"] = run_probe(env, args.questions, real)
    row["load_after_probe"] = load_average()
    row["server"] = memory_mb(args.server_pid)
    row["server_data_mb"] = dir_mb(next(args.work.glob("chroma-server")))
    return row


def table(results: dict[str, Any]) -> str:
    head = (
        "| chunks | sentences | ingest | ingest chunks/s | ask p50 / p95 ms | retrieve p50 / p95 ms"
        " | Chroma query p50 / p95 ms | BM25 search p50 / p95 ms"
        " | server peak RSS MB | qa peak RSS MB | BM25 MB on disk | BM25 load s | load avg |"
    )
    lines = [head, "|" + "---|" * 13]
    for r in results["sizes"]:
        p = r["probe"]
        ingest = f"{r['ingest_s']:.0f} s" + ("" if r["ingest_measured"] else " (extrapolated)")
        lines.append(
            f"| {r['chunks']:,} | {r['sentences']:,} | {ingest} | {r['ingest_chunks_per_s']:.1f}"
            f" | {p['ask_p50_ms']:.0f} / {p['ask_p95_ms']:.0f}"
            f" | {p['retrieve_p50_ms']:.0f} / {p['retrieve_p95_ms']:.0f}"
            f" | {p['server_query_p50_ms']:.1f} / {p['server_query_p95_ms']:.1f}"
            f" | {p['bm25_search_p50_ms']:.1f} / {p['bm25_search_p95_ms']:.1f}"
            f" | {r['server']['peak_rss_mb']:.0f} | {p['qa']['peak_rss_mb']:.0f}"
            f" | {r['bm25_disk_mb']:.1f} | {p['bm25_load_s']:.2f}"
            f" | {r['load_before']}-{r['load_after_probe']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument(
        "--real-up-to",
        type=int,
        default=10_000,
        help="chunks ingested for real (QA.ingest); larger sizes are filled (see the doc)",
    )
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--noise", type=float, default=0.1)
    parser.add_argument("--onnx-dir", type=Path, default=ROOT / ".pytest_cache" / "qa-onnx")
    parser.add_argument("--work", type=Path, help="keep the server's data and corpus here")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--probe", type=int, help=argparse.SUPPRESS)  # real editions
    parser.add_argument("--attach", help="measure the store of a paused run at this URL")
    parser.add_argument("--server-pid", type=int, help="with --attach: the server's pid")
    parser.add_argument(
        "--real-editions", type=int, default=0, help="with --attach: editions ingested for real"
    )
    args = parser.parse_args()
    # stopped (e.g. by `timeout`): unwind, so that the server is stopped and the data removed
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.probe is not None:
        print(json.dumps(probe(args.questions, args.probe)))
        return
    if args.attach:
        row = attach(args)
        print(json.dumps(row, indent=2, default=lambda v: round(v, 3)))
        if args.out:
            args.out.write_text(json.dumps(row, indent=2, default=lambda v: round(v, 3)))
        return
    if args.work:
        results = measure(args, args.work)
    else:
        with tempfile.TemporaryDirectory(prefix="qa-scale-") as tmp:
            results = measure(args, Path(tmp))
    print(table(results))
    print(json.dumps(results, indent=2, default=lambda v: round(v, 3)))


if __name__ == "__main__":
    main()
