"""Ingest: load files, chunk, embed, write to the store; incremental and safe to re-run.

Per document the order is: each chunk's sentence embeddings, then the chunk, and after the last
chunk the deletion of the document's older versions. A document counts as ingested only when
all chunks of its current version are stored and no other version is, so a run killed at any
point is finished by the next run. Files are read one at a time; a file is split a section
(``qa.chunking.SECTION_CHARS``) at a time, and its sections' sentences and chunks are embedded
and written in batches of ``EMBED_GROUP`` texts as they are made: besides the file's text, what
is held is a section and a batch, not the file's chunks nor the folder's. A long document's
chunk count is known only at its end, so only its last section's chunks carry it
(``n_chunks``; 0 in the others): until they are in, the document is not complete.

A document whose version is stored complete under another doc_id (the same text and config:
a moved or renamed folder, a copy of a file) is not embedded again: its records' vectors are
copied from that donor's records (the same ids but for the doc_id), and only what the donor
lacks is embedded. Ids and metadata are the document's own, and records are written in the
same order as when embedded, so the guarantees above hold as they are.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from qa.chunking import Chunker, document_version, in_context
from qa.documents import (
    SUPPORTED_SUFFIXES,
    display_path,
    iter_documents,
    other_types,
    supported_files,
)
from qa.embeddings import Embedder
from qa.errors import NoDocumentsError, UnreadableFilesError
from qa.ids import sentence_id
from qa.store import ChunkStore, StoredDocument
from qa.types import Chunk, Document, IngestReport

__all__ = ["Ingestor", "Progress"]

Progress = Callable[[int, int], None]  # (done, total) in chunks
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
        "route": doc.route,
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
    With ``pooled`` (the embedder's ``span_pooling``, "" = off), a sentence's vector is pooled
    from its chunk's forward pass (``Embedder.embed_spans``) instead of a pass of its own;
    a table row, and a sentence that cannot be pooled, still get their own.
    """

    def __init__(
        self,
        store: ChunkStore,
        model_id: str,
        embedder: Callable[[], Embedder],
        chunker: Chunker,
        *,
        pooled: str = "",
    ) -> None:
        self.store = store
        self.model_id = model_id
        self.embedder = embedder
        self.chunker = chunker
        self.pooled = pooled

    @property
    def config(self) -> str:
        """Names the chunking, the model and how sentence vectors are made; part of every
        document's version, so a change of any re-embeds each document (never mixed in one)."""
        sentences = f"|sentences:{self.pooled}" if self.pooled else ""
        return f"{self.chunker.config}|{self.model_id}{sentences}"

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
        store is emptied first, but only once ``paths`` have yielded a readable document: a
        mistyped path or a folder with nothing readable leaves the store as it was.

        Files are read, split, embedded and written one at a time, a section of a file at a
        time, in batches of about ``EMBED_GROUP`` texts (see the module doc). A file that
        cannot be read or split is skipped with its reason in the report (what of it was
        written is deleted; a complete older version stays). The whole run
        holds the store's write lock (another process's ingest waits for it). ``progress`` gets
        (chunks written, chunks of the files split so far).
        """
        with self.store.writing():
            return self._run(paths, progress, exclusive=exclusive, reset=reset)

    def _run(
        self, paths: Sequence[Path], progress: Progress | None, *, exclusive: bool, reset: bool
    ) -> IngestReport:
        began = time.perf_counter()
        # a folder that held stored documents and now holds none (emptied, or deleted) is not
        # an error: its documents vanished with their files. A mistyped path still is one.
        gone = [p for p in paths if _emptied(p) and self._holds_documents_from(p)]
        readable = [p for p in paths if p not in gone]
        report = IngestReport()
        report.warnings += [
            f"{display_path(p)} holds no supported file any more: its documents are removed"
            for p in gone
        ]
        for root in readable:
            if others := other_types(root):
                kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(others.items()))
                report.warnings.append(
                    f"not read in {display_path(root)}: {kinds} (qa reads "
                    f"{', '.join(SUPPORTED_SUFFIXES)})"
                )
        skipped: list[tuple[Path, str]] = []
        present: set[str] = set()
        stored: dict[str, StoredDocument] | None = None
        batch = _Batch(self, report, progress)
        for path, doc in iter_documents(readable) if readable else iter(()):
            if not isinstance(doc, Document):
                skipped.append((path, doc))
                continue
            if stored is None:  # the first readable document: now the store may be reset
                if reset:
                    self.store.reset()
                chunks_col, sentences_col = self.store.open_for_writing(
                    self.model_id, self.chunker.config
                )
                batch.collections = (sentences_col, chunks_col)
                stored = self.store.documents()
                batch.donors_from(stored)
            try:
                version = document_version(doc, self.config)
            except (UnicodeError, ValueError) as unhashable:
                # text no reader should give (load_file makes it valid Unicode): this file
                # is skipped, the folder's other files are ingested
                why = f"{type(unhashable).__name__}: {unhashable}"
                skipped.append((path, f"unreadable ({why})"))
                continue
            present.add(doc.doc_id)
            known = stored.get(doc.doc_id)
            if known is not None and known.complete(version):
                report.unchanged.append(doc.path)
                continue
            if known is not None and known.complete_chunks(version):
                # stored whole beside what an interrupted run left (part of an update since
                # reverted, or older versions whose deletion was cut short): those go, and
                # nothing is embedded again
                self.store.supersede(doc.doc_id, version, known.versions)
                report.unchanged.append(doc.path)
                continue
            try:
                batch.add(doc, version, _split(self.chunker, doc, version), known)
            except _SplitError as failed:
                batch.drop(doc.doc_id, version)
                exc = failed.__cause__
                skipped.append((path, f"cannot be split ({type(exc).__name__}: {exc})"))
                continue
            (report.updated if known is not None and known.versions else report.added).append(
                doc.path
            )
        batch.flush()
        shown = [(display_path(p, resolve=False), why) for p, why in skipped]
        report.skipped = [f"{path}: {why}" for path, why in shown]
        if stored is None and skipped:
            # files were found and none could be read: a run that read nothing changes nothing
            # (not even --exclusive's removals), and says why in one line
            n = len(skipped)
            which = "the one file could not" if n == 1 else f"none of the {n} files could"
            more = f"; and {n - 3} more" if n > 3 else ""
            raise UnreadableFilesError(
                f"{which} be read ({'; '.join(report.skipped[:3])}{more}); "
                "the store was not changed",
                shown,
            )
        if stored is None:
            if reset:
                raise NoDocumentsError(
                    "no readable document under "
                    + ", ".join(display_path(p) for p in paths)
                    + ": the store was not reset"
                )
            self.store.open_for_writing(self.model_id, self.chunker.config)
            stored = self.store.documents()

        roots = [p.resolve() for p in paths]
        routes = [Path(os.path.abspath(p)) for p in paths]  # links not followed
        skipped_sources = {str(p.resolve()) for p, _ in skipped}
        # with --exclusive, a stored document named like a file skipped now may be that file's
        # only readable copy (moved, then broken): it is kept, and the report says so
        skipped_names = {p.name for p, _ in skipped}
        for doc_id, known in stored.items():
            if doc_id in present:
                continue
            if known.source in skipped_sources:
                # its file is there but unreadable now (emptied, damaged): the stored copy
                # stays, as after any failed read, and the report says so
                report.warnings.append(
                    f"kept the stored copy of {known.path}: its file was skipped "
                    f"(qa remove {known.path} deletes it)"
                )
                continue
            # under the folders by its real path, or by the path it was found under (a file
            # in a linked folder: gone when the link or the file is)
            if not _under(known.source, roots) and not (
                known.route and _under(known.route, routes)
            ):
                if not exclusive:
                    continue  # another folder's document
                if Path(known.source).name in skipped_names:
                    report.warnings.append(
                        f"kept {known.path}: a file of that name was skipped, it may be its copy"
                    )
                    continue
            self.store.delete_document(doc_id)
            report.removed.append(known.path)

        listed = self.store.documents()
        # what an ingest killed before a document's first chunk left (its text and some
        # sentences) lists as no document, so the loop above cannot see it, whichever folder
        # it came from (a moved folder's break-test). Nothing reads it, and in an embedded
        # store this run holds the only writer's lock, so no other ingest is midway: it goes.
        # A Chroma server may have writers on other machines, which the lock does not cover:
        # there only --exclusive, which claims the whole collection, removes it
        if exclusive or not self.store.settings.chroma_url:
            for doc_id in sorted(self.store.unlisted_documents(listed) - present):
                self.store.delete_document(doc_id)

        report.documents = len(listed)
        report.chunks = self.store.count()[0]
        report.seconds = time.perf_counter() - began
        return report

    def _holds_documents_from(self, root: Path) -> bool:
        """Whether the store holds a document read from ``root`` or from under it."""
        resolved = [root.resolve()]
        return any(_under(d.source, resolved) for d in self.store.documents().values())


def _replaces_complete(stored: StoredDocument, version: str) -> bool:
    """Whether writing ``version`` of a document replaces a complete other version of it (an
    update), rather than finishing its only one or one already complete."""
    if stored.complete_chunks(version):
        return False  # nothing of it to hide
    return any(v != version and stored.complete_chunks(v) for v in stored.versions)


class _SplitError(Exception):
    """Splitting a document failed (its cause is the splitter's error)."""


def _split(chunker: Chunker, doc: Document, version: str) -> Iterator[list[Chunk]]:
    """``chunker.chunk_sections``, with the splitter's errors (and only those: not the
    embedder's or the store's, raised while its sections are written) as ``_SplitError``."""
    sections = chunker.chunk_sections(doc, version)
    while True:
        try:
            section = next(sections)
        except StopIteration:
            return
        except (ValueError, RuntimeError, MemoryError) as exc:
            raise _SplitError from exc
        yield section


class _Record(NamedTuple):
    """One text to embed and write: a sentence or a chunk of a document."""

    collection: int  # 0 = sentences, 1 = chunks
    id: str
    metadata: dict
    text: str  # stored
    embed: str  # embedded (a table row is embedded with its header row)
    # a sentence whose vector may be pooled from its chunk's pass: its span in the chunk's
    # text (the chunk is the next chunk record); None = embedded by itself
    span: tuple[int, int] | None = None


def _records(
    doc: Document,
    version: str,
    chunks: list[Chunk],
    n_chunks: int,
    *,
    pooled: bool = False,
    present: frozenset[str] = frozenset(),
) -> Iterator[_Record]:
    """A section's chunks in order, each after those of its sentences not yet given, made as
    they are consumed (a big file's progress moves chunk by chunk). ``n_chunks`` goes in each
    chunk's metadata: the document's chunk count in its last section, 0 (not known yet) in the
    others (``qa.store.summarise`` takes the largest). With ``pooled``, a sentence embedded as
    it reads (not a table row) carries its span in the chunk that follows it. A chunk in
    ``present`` (stored by an interrupted run, its sentences before it) is not given again."""
    given: set[tuple[int, int]] = set()  # no chunk spans a section's end: no sentence either
    for c in chunks:
        if c.chunk_id in present:
            given.update(c.sentences)
            continue
        for s, e in c.sentences:
            if (s, e) in given:
                continue
            given.add((s, e))
            meta = {"doc_id": doc.doc_id, "version": version, "start": s, "end": e}
            sid = sentence_id(doc.doc_id, version, s, e)
            text, embed = doc.text[s:e], in_context(doc, s, e)
            span = (s - c.start, e - c.start) if pooled and embed == text else None
            yield _Record(0, sid, meta, text, embed, span)
        yield _Record(1, c.chunk_id, _chunk_metadata(doc, c, version, n_chunks), c.text, c.text)


class _Batch:
    """Records of one or more documents, embedded and written ``EMBED_GROUP`` at a time.

    A chunk's sentences are written before the chunk, a document's older versions are deleted
    after its last chunk (see the module doc); readers are told after each document. A record
    whose document's version another document holds complete (its donor) takes the donor's
    stored vector instead of being embedded."""

    def __init__(self, ingestor: Ingestor, report: IngestReport, progress: Progress | None):
        self.ingestor = ingestor
        self.report = report
        self.progress = progress
        self.collections: tuple[Any, Any] | None = None  # (sentences, chunks)
        self.records: list[_Record] = []
        # (doc_id, version, its older versions) whose last record is in
        self.finished: list[tuple[str, str, list[str]]] = []
        self.total = 0
        self.done = 0
        # version -> (doc_id, title) of a document that holds it complete: a donor of vectors
        self.donors: dict[str, tuple[str, str]] = {}
        self.titles: dict[str, str] = {}  # doc_id -> title, of the documents being written

    def donors_from(self, stored: dict[str, StoredDocument]) -> None:
        """Know the stored documents that hold exactly one version, complete, as donors of
        that version's vectors (the first by doc_id, so a run is repeatable)."""
        for doc_id in sorted(stored):
            known = stored[doc_id]
            if len(known.versions) == 1:
                [version] = known.versions
                if known.complete(version):
                    self.donors.setdefault(version, (doc_id, known.title))

    def add(
        self,
        doc: Document,
        version: str,
        sections: Iterator[list[Chunk]],
        stored: StoredDocument | None = None,
    ) -> None:
        """Embed and write a document's chunks (and their sentences) as its ``sections`` are
        made: what is held at a time is a section and a batch, not the document's chunks. The
        document counts as stored (``finished``) only after its last chunk's batch. Beside a
        complete other version of it (``stored``), the new one is marked pending first, so
        readers keep answering from the complete one until the update is finished."""
        if stored is not None and _replaces_complete(stored, version):
            self.ingestor.store.mark_pending(doc.doc_id, version)
        self.titles[doc.doc_id] = doc.title
        older = sorted(v for v in (stored.versions if stored else ()) if v != version)
        # chunks of this version an interrupted run stored: not embedded again
        present = (
            self.ingestor.store.chunk_ids(doc.doc_id, version)
            if stored is not None and stored.versions.get(version)
            else frozenset()
        )
        # the text first: a version whose chunks are all stored always has its text
        self.ingestor.store.write_text(doc.doc_id, version, doc.text)
        section = next(sections, None)
        while section is not None:
            following = next(sections, None)  # one section ahead: is this one the last?
            self.total += len(section)
            if self.progress:
                self.progress(self.done, self.total)
            n_chunks = section[-1].index + 1 if following is None and section else 0
            pooled = bool(self.ingestor.pooled)
            self.done += sum(c.chunk_id in present for c in section)
            for record in _records(doc, version, section, n_chunks, pooled=pooled, present=present):
                self.records.append(record)
                # a batch ends at a chunk: its sentences, pooled from its pass, go with it
                if record.collection == 1 and len(self.records) >= EMBED_GROUP:
                    self.flush()
            section = following
        self.finished.append((doc.doc_id, version, older))

    def drop(self, doc_id: str, version: str) -> None:
        """Forget a document whose splitting failed part way: its records not yet written, and
        those of ``version`` already in the store (an older complete version stays)."""
        self.records = [r for r in self.records if r.metadata["doc_id"] != doc_id]
        self.titles.pop(doc_id, None)
        self.ingestor.store.delete_version(doc_id, version)

    def flush(self) -> None:
        store = self.ingestor.store
        if self.records:
            assert self.collections is not None
            vectors = self._all_vectors()
            for collection in (0, 1):  # a chunk's sentences are stored before the chunk
                picked = [i for i, r in enumerate(self.records) if r.collection == collection]
                if picked:
                    self._write(picked, vectors)
            chunks = sum(r.collection for r in self.records)
            self.done += chunks
            self.report.chunks_written += chunks
            self.records = []
        for doc_id, version, older in self.finished:
            store.supersede(doc_id, version, older)
            # complete now, its older versions gone: a donor for the rest of the run
            for old in older:
                if self.donors.get(old, ("",))[0] == doc_id:
                    del self.donors[old]
            self.donors.setdefault(version, (doc_id, self.titles.pop(doc_id, "")))
        self.finished = []
        if self.progress and self.total:
            self.progress(self.done, self.total)

    def _all_vectors(self) -> np.ndarray:
        """The vector of each record, ``(len(records), dimension)`` float32: copied from its
        donor's record where the donor holds it (``_copied``), else embedded (``_vectors``).
        The model is asked for only when something is embedded. Chunks copied are counted in
        the report's ``reused``."""
        records = self.records
        found = self._copied()
        if self.ingestor.pooled:
            # a sentence pooled from its chunk's pass needs that pass: a sentence the donor
            # lacks has its chunk embedded too (the chunk follows its sentences in the batch)
            chunk_after: int | None = None
            for i in range(len(records) - 1, -1, -1):
                if records[i].collection == 1:
                    chunk_after = i
                elif records[i].span is not None and i not in found and chunk_after is not None:
                    found.pop(chunk_after, None)
        rows = [i for i in range(len(records)) if i not in found]
        fresh = (
            self._vectors(self.ingestor.embedder(), [records[i] for i in rows]) if rows else None
        )
        dimension = fresh.shape[1] if fresh is not None else len(next(iter(found.values())))
        out = np.zeros((len(records), dimension), dtype=np.float32)
        for i, vector in found.items():
            out[i] = vector
        if fresh is not None:
            out[rows] = fresh
        self.report.reused += sum(records[i].collection for i in found)
        return out

    def _copied(self) -> dict[int, np.ndarray]:
        """Row -> vector, for the records whose donor's record (the same id with the donor's
        doc_id) is stored: read from the store, not embedded. A record read with its document's
        title (a table row, ``in_context``) is copied only when the donor's title is the same
        (a title may come from the file's name, which the version does not hold)."""
        wanted: dict[int, list[tuple[int, str]]] = {0: [], 1: []}
        for i, r in enumerate(self.records):
            doc_id = r.metadata["doc_id"]
            donor, title = self.donors.get(r.metadata["version"], (doc_id, ""))
            if donor == doc_id or (r.embed != r.text and title != self.titles.get(doc_id)):
                continue
            assert r.id.startswith(f"{doc_id}-")
            wanted[r.collection].append((i, donor + r.id[len(doc_id) :]))
        found: dict[int, np.ndarray] = {}
        for collection, pairs in wanted.items():
            if pairs:
                store = self.ingestor.store
                name = (store.sentence_name, store.chunk_name)[collection]
                got = store.vectors(name, [donor_id for _, donor_id in pairs])
                found.update((i, got[donor_id]) for i, donor_id in pairs if donor_id in got)
        return found

    def _vectors(self, embedder: Embedder, records: list[_Record]) -> np.ndarray:
        """The vector of each of ``records``, ``(len(records), dimension)``: every text
        embedded by itself, or (``Ingestor.pooled``) a sentence's vector pooled from its
        chunk's pass (the next chunk among ``records``), and embedded by itself only where it
        cannot be (a table row, a sentence truncation cut or one without a word piece)."""
        if not self.ingestor.pooled:
            return embedder.embed([r.embed for r in records])
        chunk_rows: list[int] = []
        owned: list[list[int]] = []  # per chunk row: its sentences' rows to pool
        alone: list[int] = []
        pending: list[int] = []
        for i, r in enumerate(records):
            if r.collection == 1:
                chunk_rows.append(i)
                owned.append(pending)
                pending = []
            elif r.span is not None:
                pending.append(i)
            else:
                alone.append(i)
        alone += pending  # no chunk after them in this batch (not made by ``add``)
        out = np.zeros((len(records), embedder.dimension), dtype=np.float32)
        if chunk_rows:
            vectors, pooled = embedder.embed_spans(
                [records[i].embed for i in chunk_rows],
                [[records[j].span or (0, 0) for j in rows] for rows in owned],
            )
            out[chunk_rows] = vectors
            for rows, found in zip(owned, pooled, strict=True):
                for j, vector in zip(rows, found, strict=True):
                    if vector is None:
                        alone.append(j)
                    else:
                        out[j] = vector
        if alone:
            out[alone] = embedder.embed([records[j].embed for j in alone])
        return out

    def _write(self, run: list[int], vectors: np.ndarray) -> None:
        assert self.collections is not None
        picked = [self.records[i] for i in run]
        self.ingestor.store.write(
            [r.id for r in picked],
            np.asarray(vectors)[run],
            [r.metadata for r in picked],
            [r.text for r in picked],
            self.collections[picked[0].collection],
        )
