"""Ingest: load files, chunk, embed, write to the store; incremental and safe to re-run.

Per document the order is: sentence embeddings, then chunks, then deletion of the document's
older versions. A document counts as ingested only when all chunks of its current version are
stored and no other version is, so a run killed at any point is finished by the next run.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from qa.chunking import Chunker, document_version
from qa.documents import display_path, load_documents, supported_files
from qa.embeddings import Embedder
from qa.errors import NoDocumentsError
from qa.ids import sentence_id
from qa.store import ChunkStore
from qa.types import Chunk, Document, IngestReport

__all__ = ["Ingestor", "Progress"]

Progress = Callable[[int, int], None]  # (done, total) in chunks
_Todo = tuple[Document, str, list[Chunk]]
EMBED_GROUP = 512  # texts embedded per call, across documents


def _chunk_metadata(doc: Document, chunk: Chunk, version: str, n_chunks: int) -> dict:
    return {
        "doc_id": doc.doc_id,
        "version": version,
        "index": chunk.index,
        "n_chunks": n_chunks,
        "start": chunk.start,
        "end": chunk.end,
        "title": doc.title,
        "path": doc.path,
        "source": doc.source,
        "sentences": json.dumps(chunk.sentences),
        "doc_meta": json.dumps(doc.metadata, ensure_ascii=False),
    }


def _emptied(root: Path) -> bool:
    """``root`` is gone, or a folder that can be read and holds no supported file. A folder
    that cannot be read (permissions, a share that is down) is not: its documents stay."""
    if not root.exists():
        return True
    if not root.is_dir():
        return False
    try:
        os.listdir(root)
    except OSError:
        return False
    return not supported_files(root)


def _under(source: str, roots: Sequence[Path]) -> bool:
    path = Path(source)
    return any(path == root or root in path.parents for root in roots)


class Ingestor:
    """Brings the store in line with the files under some paths.

    ``embedder`` is called for the model only when a document needs embedding: a re-ingest of
    unchanged files never loads it (torch and sentence-transformers take seconds to import).
    """

    def __init__(
        self,
        store: ChunkStore,
        model_id: str,
        embedder: Callable[[], Embedder],
        chunker: Chunker,
    ) -> None:
        self.store = store
        self.model_id = model_id
        self.embedder = embedder
        self.chunker = chunker

    @property
    def config(self) -> str:
        return f"{self.chunker.config}|{self.model_id}"

    def run(
        self,
        paths: Sequence[Path],
        progress: Progress | None = None,
        *,
        exclusive: bool = False,
        reset: bool = False,
    ) -> IngestReport:
        """Ingest ``paths`` (files or folders); documents gone from them are deleted.

        With ``exclusive``, ``paths`` are the whole collection: documents stored from anywhere
        else (a folder since moved, an older checkout) are deleted too. With ``reset``, the
        store is emptied first, but only once ``paths`` have been read: a mistyped path or a
        folder with nothing readable leaves the store as it was.
        """
        began = time.perf_counter()
        # a folder that held stored documents and now holds none (emptied, or deleted) is not
        # an error: its documents vanished with their files. A mistyped path still is one.
        gone = [p for p in paths if _emptied(p) and self._holds_documents_from(p)]
        readable = [p for p in paths if p not in gone]
        documents, skipped = load_documents(readable) if readable else ([], [])
        if reset:
            if not documents:
                raise NoDocumentsError(
                    "no readable document under "
                    + ", ".join(display_path(p) for p in paths)
                    + ": the store was not reset"
                )
            self.store.reset()
        report = IngestReport(skipped=[f"{display_path(p)}: {why}" for p, why in skipped])
        report.warnings += [
            f"{display_path(p)} holds no supported file any more: its documents are removed"
            for p in gone
        ]
        chunks_col, sentences_col = self.store.open_for_writing(self.model_id, self.chunker.config)
        stored = self.store.documents()

        todo: list[_Todo] = []
        for doc in documents:
            version = document_version(doc, self.config)
            known = stored.get(doc.doc_id)
            if known is not None and known.complete(version):
                report.unchanged.append(doc.path)
                continue
            todo.append((doc, version, self.chunker.chunk(doc, version)))
            (report.updated if known is not None and known.versions else report.added).append(
                doc.path
            )

        total = sum(len(chunks) for _, _, chunks in todo)
        done = 0
        if progress:
            progress(0, total)
        for group in _groups(todo, EMBED_GROUP):
            # one embedding call for several documents: the model batches texts of like length
            texts = [t for doc, _, chunks in group for t in _texts(doc, chunks)]
            vectors = iter(self.embedder().embed(texts))
            for doc, version, chunks in group:  # written one document at a time, in order
                doc_vectors = np.array([next(vectors) for _ in _texts(doc, chunks)])
                self._write(doc, version, chunks, doc_vectors, chunks_col, sentences_col)
                done += len(chunks)
                report.chunks_written += len(chunks)
                if progress:
                    progress(done, total)

        roots = [p.resolve() for p in paths]
        present = {doc.doc_id for doc in documents}
        skipped_sources = {str(p.resolve()) for p, _ in skipped}
        # with --exclusive, a stored document named like a file skipped now may be that file's
        # only readable copy (moved, then broken): it is kept, and the report says so
        skipped_names = {p.name for p, _ in skipped}
        for doc_id, known in stored.items():
            if doc_id in present or known.source in skipped_sources:
                continue
            if not _under(known.source, roots):
                if not exclusive:
                    continue  # another folder's document
                if Path(known.source).name in skipped_names:
                    report.warnings.append(
                        f"kept {known.path}: a file of that name was skipped, it may be its copy"
                    )
                    continue
            self.store.delete_document(doc_id)
            report.removed.append(known.path)

        report.documents = len(self.store.documents())
        report.chunks = self.store.count()[0]
        report.seconds = time.perf_counter() - began
        return report

    def _holds_documents_from(self, root: Path) -> bool:
        """Whether the store holds a document read from ``root`` or from under it."""
        resolved = [root.resolve()]
        return any(_under(d.source, resolved) for d in self.store.documents().values())

    def _write(
        self,
        doc: Document,
        version: str,
        chunks: list[Chunk],
        vectors: np.ndarray,
        chunks_col: object,
        sentences_col: object,
    ) -> None:
        """Sentences, then chunks, then the deletion of older versions (see the module doc)."""
        spans = _sentence_spans(chunks)
        if spans:
            self.store.write(
                [sentence_id(doc.doc_id, version, s, e) for s, e in spans],
                vectors[: len(spans)],
                [
                    {"doc_id": doc.doc_id, "version": version, "start": s, "end": e}
                    for s, e in spans
                ],
                [doc.text[s:e] for s, e in spans],
                sentences_col,
            )
        self.store.write(
            [c.chunk_id for c in chunks],
            vectors[len(spans) :],
            [_chunk_metadata(doc, c, version, len(chunks)) for c in chunks],
            [c.text for c in chunks],
            chunks_col,
        )
        self.store.delete_document(doc.doc_id, keep_version=version)


def _sentence_spans(chunks: list[Chunk]) -> list[tuple[int, int]]:
    """The distinct sentence spans of a document's chunks, in order."""
    return sorted({span for chunk in chunks for span in chunk.sentences})


def _texts(doc: Document, chunks: list[Chunk]) -> list[str]:
    """What is embedded for a document: its sentences, then its chunks."""
    return [doc.text[s:e] for s, e in _sentence_spans(chunks)] + [c.text for c in chunks]


def _groups(todo: list[_Todo], size: int) -> Iterator[list[_Todo]]:
    """Consecutive documents, about ``size`` texts to embed per group."""
    group: list[_Todo] = []
    count = 0
    for item in todo:
        group.append(item)
        count += len(item[2]) + len(_sentence_spans(item[2]))
        if count >= size:
            yield group
            group, count = [], 0
    if group:
        yield group
