"""The Chroma store: chunk and sentence collections, and the manifest of the model that built them.

chromadb is called directly rather than through llama-index's ``ChromaVectorStore``: qa needs
content-hash ids it chooses, deletes by document and version, exact offsets in flat metadata,
and a per-collection record of the embedding model; ``ChromaVectorStore`` serialises whole
nodes into metadata and hides the collection, which makes all four harder, not easier.
Everything qa knows about what is ingested is derived from these collections, so an ingest
killed half-way is repaired by running it again.

Several processes may share a store. Writers (ingest, remove, reset) hold an inter-process lock
(``writing()``) and, after each document they commit, replace a small manifest file; a reader
whose manifest stamp differs from the one it opened the store with reopens its embedded client
before its next read (an embedded Chroma client caches the vector index in memory and does not
see another process's writes: it fails with "Error finding id" instead).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from qa.config import Settings
from qa.errors import EmptyStoreError, ModelMismatchError, StoreError
from qa.ids import content_key

__all__ = ["MODEL_KEY", "ChunkStore", "StoredDocument", "summarise"]

MODEL_KEY = "qa_embed_model"
CHUNKER_KEY = "qa_chunker"
READ_RETRY_DELAYS = (0.1, 0.3, 1.0, 2.0, 4.0)  # seconds before each retry of a failed read
# a document text longer than this is stored in parts (see ChunkStore.write_text)
TEXT_PART_CHARS = 100_000
READ_PAGE = 5000  # records per read when reading a whole collection
_CLIENTS_LOCK = threading.RLock()  # guards _EMBEDDED (chromadb caches one system per path)
_WRITES_DONE = threading.Condition(_CLIENTS_LOCK)  # notified when a write in this process ends
_THIS_THREAD = threading.local()  # .locks: write lock file -> store location, held by the thread


@dataclass
class _Embedded:
    """This process's one client of an embedded store, shared by every ChunkStore on its path:
    chromadb keeps one system per path for the whole process, so reopening it for one
    ChunkStore stops it under every other. ``stamps`` holds, per manifest (one per
    collection), the manifest the client has seen; ``opened_ns`` when it was opened. While
    ``writers`` (writes in progress in this process) is above 0 it is not reopened: reads may
    see another process's latest writes only once those writes end."""

    client: Any
    opened_ns: int
    stamps: dict[Path, tuple[int, ...]] = field(default_factory=dict)
    opens: int = 1  # counts reopenings, so a failed read knows whether another reopened
    writers: int = 0


_EMBEDDED: dict[str, _Embedded] = {}


@dataclass
class StoredDocument:
    """What the store holds of one document, summed over its chunks."""

    doc_id: str
    title: str
    path: str
    source: str
    metadata: dict[str, Any]
    route: str = ""  # the path it was found under (``Document.route``); "" before reader-5
    versions: dict[str, int] = field(default_factory=dict)  # version -> chunks present
    expected: dict[str, int] = field(default_factory=dict)  # version -> chunks it should have

    def complete(self, version: str) -> bool:
        """True when exactly this version is stored, with all of its chunks."""
        return set(self.versions) == {version} and self.versions[version] == self.expected[version]

    def complete_chunks(self, version: str) -> bool:
        """True when all of ``version``'s chunks are stored (other versions may be too)."""
        return self.versions.get(version, -1) == self.expected.get(version)

    @property
    def current_version(self) -> str | None:
        """A version stored with all of its chunks (what an interrupted ingest leaves aside)."""
        return next((v for v in self.versions if self.complete_chunks(v)), None)


def shown_path(meta: dict) -> str:
    """Where a stored chunk's file is, as typed from the working directory now: relative to it
    when the file is below it, else absolute (the ``source`` recorded at ingest); the path as
    shown at ingest when no source was recorded. So a citation's ``path`` opens from wherever
    qa runs, not only from where the ingest ran."""
    source = meta.get("source") or ""
    if not source:
        return str(meta.get("path", ""))
    try:
        return str(Path(source).relative_to(Path.cwd()))
    except (ValueError, OSError):  # not below it, or the working directory is gone
        return source


def summarise(metadatas: Iterable[dict]) -> dict[str, StoredDocument]:
    """Documents, with their versions and chunk counts, from chunk metadata."""
    docs: dict[str, StoredDocument] = {}
    for meta in metadatas:
        doc = docs.get(meta["doc_id"])
        if doc is None:
            doc = docs[meta["doc_id"]] = StoredDocument(
                doc_id=meta["doc_id"],
                title=meta.get("title", ""),
                path=shown_path(meta),
                source=meta.get("source", ""),
                metadata=json.loads(meta.get("doc_meta", "{}")),
                route=meta.get("route", ""),
            )
        version = meta["version"]
        doc.versions[version] = doc.versions.get(version, 0) + 1
        # a document's count is on its last chunk (a long document's earlier chunks, written
        # before the count was known, hold 0): complete when that many chunks are present
        doc.expected[version] = max(doc.expected.get(version, 0), int(meta["n_chunks"]))
    return docs


def _stamp_of(path: Path) -> tuple[int, ...]:
    """Identity of a manifest file (inode, mtime, size); ``()`` when there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return ()
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _held() -> dict[str, str]:
    """The write locks this thread holds: lock file -> the store's location."""
    held: dict[str, str] = _THIS_THREAD.__dict__.setdefault("locks", {})
    return held


def _client_error(exc: Exception, where: str) -> StoreError:
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return StoreError(f"cannot open the store at {where}: {first}")


class ChunkStore:
    """Chunks (with embeddings and offsets) and sentence embeddings in Chroma."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._server: Any = None  # the client of a Chroma server (QA_CHROMA_URL)

    # ---- connection -------------------------------------------------------------------
    @property
    def location(self) -> str:
        """Where the store is: the server URL or the embedded path."""
        return self.settings.chroma_url or str(self.path)

    @property
    def path(self) -> Path:
        return self.settings.home / "chroma"

    @property
    def chunk_name(self) -> str:
        return f"{self.settings.collection}-chunks"

    @property
    def sentence_name(self) -> str:
        return f"{self.settings.collection}-sentences"

    @property
    def text_name(self) -> str:
        """The collection of document texts: one record per document version."""
        return f"{self.settings.collection}-texts"

    @property
    def client(self) -> Any:
        """The Chroma client; an embedded one is reopened first when another process
        committed writes to this collection since it was opened."""
        if self.settings.chroma_url:
            if self._server is None:
                self._server = self._connect()
            return self._server
        return self._embedded().client

    def _embedded(self) -> _Embedded:
        """This process's shared client of the embedded store, fresh for this collection."""
        with _CLIENTS_LOCK:
            entry = _EMBEDDED.get(str(self.path))
            stamp = self._manifest_stamp()
            if entry is None:
                return self._open_embedded()
            seen = entry.stamps.get(self._manifest)
            written_ns = stamp[1] if stamp else 0  # the manifest's mtime
            if seen is None and written_ns < entry.opened_ns:
                entry.stamps[self._manifest] = seen = stamp  # opened after that write
            if seen != stamp and not entry.writers:
                return self._open_embedded()
            return entry  # fresh, or stale until this process's writes end

    def _open_embedded(self) -> _Embedded:
        """(Re)open the embedded client for every ChunkStore of this process on the path."""
        with _CLIENTS_LOCK:
            old = _EMBEDDED.pop(str(self.path), None)
            manifests = {*(old.stamps if old else ()), self._manifest}
            stamps = {m: _stamp_of(m) for m in manifests}  # before opening: never newer
            opened_ns = time.time_ns()
            self._forget_cached_client()
            entry = _Embedded(self._connect(), opened_ns, stamps, (old.opens + 1) if old else 1)
            _EMBEDDED[str(self.path)] = entry
            return entry

    # ---- sharing between processes ------------------------------------------------------
    @property
    def _state_dir(self) -> Path:
        return self.settings.home / "store-state"

    @property
    def _state_name(self) -> str:
        where = self.settings.chroma_url or "embedded"
        return "".join(c if c.isalnum() else "_" for c in where) + "__" + self.settings.collection

    @property
    def _manifest(self) -> Path:
        return self._state_dir / f"{self._state_name}.manifest"

    def _manifest_stamp(self) -> tuple[int, ...]:
        """Identity of the manifest file: it changes with every committed write."""
        return _stamp_of(self._manifest)

    @property
    def generation(self) -> tuple[int, ...]:
        """Changes whenever any process commits a write to the store (for caches over it)."""
        if self.settings.chroma_url:
            return self._manifest_stamp()
        return self._embedded().stamps.get(self._manifest, ())

    def committed(self) -> None:
        """Tell readers in other processes that writes were committed (replace the manifest)."""
        self._state_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".manifest-", dir=self._state_dir)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(json.dumps({"generation": uuid.uuid4().hex, "pid": os.getpid()}))
        os.replace(tmp, self._manifest)
        with _CLIENTS_LOCK:
            entry = _EMBEDDED.get(str(self.path))
            if entry is not None and not self.settings.chroma_url:
                entry.stamps[self._manifest] = self._manifest_stamp()  # our own write: seen

    def _forget_cached_client(self) -> None:
        """Drop chromadb's process-wide cached client of this embedded store (stopping it)."""
        try:
            from chromadb.api.shared_system_client import SharedSystemClient

            system = SharedSystemClient._identifier_to_system.pop(str(self.path), None)
            if system is not None:
                system.stop()
        except Exception:  # an internal of chromadb: without it, reopen as it allows
            pass

    def _reopen(self, unless_since: int | None = None) -> None:
        """Open the embedded store again for this process (every ChunkStore on the path),
        unless it was reopened since the count ``unless_since`` of ``_Embedded.opens``."""
        with _CLIENTS_LOCK:
            entry = _EMBEDDED.get(str(self.path))
            if entry is not None and unless_since is not None and entry.opens != unless_since:
                return
            if entry is not None and entry.writers:
                return  # it would stop the client under a write in progress
            self._open_embedded()

    @contextmanager
    def writing(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the store's inter-process write lock; another writer waits for it (saying so
        on stderr) and raises StoreError after ``timeout`` seconds (default: the
        ``lock_timeout`` setting). The store is reopened
        when another process wrote to it meanwhile, and readers are told on exit."""
        lock = self._acquire(timeout)
        entry = None
        try:
            if self.settings.chroma_url:
                self.client  # noqa: B018
            else:
                entry = self._enter_write()
            yield
        finally:
            try:
                self.committed()
            finally:
                if entry is not None:
                    with _WRITES_DONE:
                        entry.writers -= 1
                        _WRITES_DONE.notify_all()
                self._release(lock)

    def _enter_write(self) -> _Embedded:
        """The shared client, fresh for this collection, counted as written through. When
        another process wrote this collection since the client was opened, it is reopened
        first, after any write in progress in this process ends (writing through a stale
        client could overwrite what the other process wrote)."""
        # this thread writing another collection of this store: that write counts in
        # ``writers`` too, so waiting for them to end would wait for ourselves
        nested = any(
            where == self.location and lock != self._lock_path for lock, where in _held().items()
        )
        with _WRITES_DONE:
            while True:
                entry = self._embedded()
                if entry.stamps.get(self._manifest) == self._manifest_stamp():
                    break
                if nested:
                    raise StoreError(
                        f"another process wrote to the store at {self.location} during this "
                        "write; try again when it is done"
                    )
                _WRITES_DONE.wait(timeout=1.0)
            entry.writers += 1
            return entry

    def _acquire(self, timeout: float | None) -> Any:
        """The store's write lock, acquired (waiting for another writer, saying so on stderr);
        StoreError after ``timeout`` seconds (default: the ``lock_timeout`` setting)."""
        from filelock import FileLock, Timeout

        timeout = self.settings.lock_timeout if timeout is None else timeout
        self._state_dir.mkdir(parents=True, exist_ok=True)
        where = self._lock_path
        if where in _held():
            raise StoreError(
                f"this thread is already writing to collection {self.settings.collection!r} "
                f"of the store at {self.location}: a write from inside that write (an ingest "
                "progress callback, say) would wait for itself"
            )
        lock = FileLock(where)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            print(
                f"qa: waiting for another writer (a process or thread) to the store at "
                f"{self.location}",
                file=sys.stderr,
                flush=True,
            )
            try:
                lock.acquire(timeout=timeout)
            except Timeout:
                raise StoreError(
                    f"the store at {self.location} was still being written by another writer "
                    f"after {timeout:.0f} s; try again when it is done"
                ) from None
        _held()[where] = self.location
        return lock

    # ---- updates under way ---------------------------------------------------------------
    @property
    def _pending_dir(self) -> Path:
        return self._state_dir / f"{self._state_name}.pending"

    def mark_pending(self, doc_id: str, version: str) -> None:
        """Leave ``version`` of a document out of answers until ``clear_pending``: marked before
        a new version's first record is written beside a complete older one (so an update
        killed midway answers from the older), and on the older ones before they are deleted
        (so a deletion killed midway answers from the new). An empty file per version, named
        by the two ids: another document holding the same text (the same version) is not
        hidden with it."""
        self._pending_dir.mkdir(parents=True, exist_ok=True)
        (self._pending_dir / f"{doc_id}-{version}").touch()

    def clear_pending(self, doc_id: str, version: str | None = None) -> None:
        """Answer from a document's marked versions again (all of them, or ``version``)."""
        try:
            names = [e.name for e in os.scandir(self._pending_dir)]
        except FileNotFoundError:
            return
        for name in names:
            if name == f"{doc_id}-{version}" or (version is None and name.startswith(f"{doc_id}-")):
                (self._pending_dir / name).unlink(missing_ok=True)

    def pending(self) -> frozenset[tuple[str, str]]:
        """The (doc_id, version) pairs not to answer from (``mark_pending``). Empty in the usual
        case, at the cost of one directory read."""
        try:
            names = [e.name for e in os.scandir(self._pending_dir)]
        except FileNotFoundError:
            return frozenset()
        return frozenset(
            (doc_id, version) for doc_id, _, version in (n.partition("-") for n in names) if version
        )

    @property
    def _lock_path(self) -> str:
        """The file of this collection's inter-process write lock."""
        return str(self._state_dir / f"{self._state_name}.lock")

    @staticmethod
    def _release(lock: Any) -> None:
        _held().pop(str(lock.lock_file), None)
        lock.release()

    def wait_for_writers(self, timeout: float | None = None) -> None:
        """Return once no other process is writing to the store (waiting as a writer would,
        without writing). Raises StoreError after ``timeout`` seconds."""
        if self._lock_path not in _held():  # not this thread's own write
            self._release(self._acquire(timeout))
        self.client  # noqa: B018 - reopened if the writer committed while we waited

    def _connect(self) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        try:
            if self.settings.chroma_url:
                url = urlparse(self.settings.chroma_url)
                if not url.hostname:
                    raise StoreError(f"not a server URL: {self.settings.chroma_url}")
                client = chromadb.HttpClient(
                    host=url.hostname,
                    port=url.port or (443 if url.scheme == "https" else 8000),
                    ssl=url.scheme == "https",
                    settings=chroma_settings,
                )
                client.heartbeat()
                return client
            if self.path.exists() and not self.path.is_dir():
                raise StoreError(f"the store path is not a directory: {self.path}")
            self.path.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(self.path), settings=chroma_settings)
            client.list_collections()  # touches the database: fails now if it is corrupt
            return client
        except StoreError:
            raise
        except Exception as exc:
            if not self.settings.chroma_url:
                # chromadb caches the half-made client: the next call would fail differently
                # ("'RustBindingsAPI' object has no attribute 'bindings'") instead of again
                self._forget_cached_client()
            raise _client_error(exc, self.location) from exc

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a chromadb call; its failures become StoreError."""
        try:
            return fn(*args, **kwargs)
        except (StoreError, EmptyStoreError, ModelMismatchError):
            raise
        except Exception as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise StoreError(f"store {what} failed at {self.location}: {first}") from exc

    def _read(self, what: str, name: str, method: str, **kwargs: Any) -> Any:
        """``collection(name).method(**kwargs)``, for reads. On an embedded store, a read that
        fails while another process writes (Chroma's "Error finding id", "Nothing found on
        disk": the files changed under this process's cached index) is retried after
        reopening the client, for up to about 7 s; then StoreError."""
        delays = () if self.settings.chroma_url else READ_RETRY_DELAYS
        for delay in (*delays, None):
            col = self._existing(name)
            opens = None if self.settings.chroma_url else self._embedded().opens
            try:
                return getattr(col, method)(**kwargs)
            except (StoreError, EmptyStoreError, ModelMismatchError):
                raise
            except Exception as exc:
                if delay is None:
                    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                    raise StoreError(f"store {what} failed at {self.location}: {first}") from exc
            time.sleep(delay)
            self._reopen(unless_since=opens)  # another ChunkStore may have reopened it
        raise AssertionError("unreachable")  # pragma: no cover

    # ---- collections ------------------------------------------------------------------
    def _get(self, name: str) -> Any | None:
        from chromadb.errors import NotFoundError

        client = self.client  # a store that cannot be opened raises its own StoreError
        try:
            return client.get_collection(name)
        except NotFoundError:
            return None
        except Exception as exc:
            raise _client_error(exc, self.location) from exc

    def chunks(self) -> Any:
        """The chunk collection; EmptyStoreError when nothing was ingested."""
        col = self._get(self.chunk_name)
        if col is None or self._read("count", self.chunk_name, "count") == 0:
            raise EmptyStoreError(
                f"the store at {self.location} holds no documents; run `qa ingest PATH` first"
            )
        return col

    def sentences(self) -> Any:
        return self._existing(self.sentence_name)

    def _existing(self, name: str) -> Any:
        """A collection that must exist (no count: the cheap handle for reads)."""
        col = self._get(name)
        if col is None:
            raise EmptyStoreError(f"the store at {self.location} holds no documents")
        return col

    def built_with(self) -> str | None:
        """The embedding model id that built the store, or None for an empty store."""
        col = self._get(self.chunk_name)
        return None if col is None else (col.metadata or {}).get(MODEL_KEY)

    def check_model(self, model_id: str) -> None:
        """Raise ModelMismatchError when the store was built with another model."""
        built = self.built_with()
        if built and built != model_id:
            raise ModelMismatchError(
                f"the store was built with embedding model {built!r} but {model_id!r} is "
                "configured; re-ingest with `qa ingest --reset` (or set QA_EMBED_MODEL and "
                "QA_EMBED_INT8 back to what built it)"
            )

    def open_for_writing(self, model_id: str, chunker: str) -> tuple[Any, Any]:
        """Both collections, created if missing and stamped with the model that fills them."""
        self.check_model(model_id)
        meta = {MODEL_KEY: model_id, CHUNKER_KEY: chunker}
        config = {"hnsw": {"space": "cosine"}}
        chunks = self._call(
            "create",
            self.client.get_or_create_collection,
            self.chunk_name,
            configuration=config,
            metadata=meta,
            embedding_function=None,
        )
        sentences = self._call(
            "create",
            self.client.get_or_create_collection,
            self.sentence_name,
            configuration=config,
            metadata=meta,
            embedding_function=None,
        )
        if (chunks.metadata or {}).get(CHUNKER_KEY) != chunker:
            self._call("update", chunks.modify, metadata=meta)
        return chunks, sentences

    def reset(self) -> None:
        """Delete the collections (and the marks of updates under way)."""
        for name in (self.chunk_name, self.sentence_name, self.text_name):
            if self._get(name) is not None:
                self._call("reset", self.client.delete_collection, name)
        shutil.rmtree(self._pending_dir, ignore_errors=True)

    # ---- documents --------------------------------------------------------------------
    def documents(self) -> dict[str, StoredDocument]:
        """Every stored document, from the chunk metadata."""
        if self._get(self.chunk_name) is None:
            return {}
        return summarise(self._read_all(self.chunk_name, "metadatas")[1])

    def write(
        self,
        ids: Sequence[str],
        embeddings: np.ndarray,
        metadatas: Sequence[dict],
        texts: Sequence[str],
        collection: Any,
    ) -> None:
        """Upsert records in batches Chroma accepts (ids are content hashes: idempotent)."""
        step = max(1, min(1000, self._call("limits", self.client.get_max_batch_size)))
        for i in range(0, len(ids), step):
            self._call(
                "write",
                collection.upsert,
                ids=list(ids[i : i + step]),
                embeddings=embeddings[i : i + step],
                metadatas=list(metadatas[i : i + step]),
                documents=list(texts[i : i + step]),
            )

    def write_text(self, doc_id: str, version: str, text: str) -> None:
        """Store the whole text of a document version (upsert: idempotent). Written before the
        version's chunks, deleted with its other records by ``delete_document``. A text longer
        than ``TEXT_PART_CHARS`` is stored as parts of that size, one record a write: Chroma
        keeps memory in proportion to the records it is given (figures: CHANGELOG.md)."""
        from qa.ids import text_id

        col = self._call(
            "create", self.client.get_or_create_collection, self.text_name, embedding_function=None
        )
        parts = range(0, len(text), TEXT_PART_CHARS) if len(text) > TEXT_PART_CHARS else [0]
        for n, start in enumerate(parts):
            meta: dict[str, Any] = {"doc_id": doc_id, "version": version}
            if len(parts) > 1:
                meta.update(part=n, parts=len(parts))
            # found by id or metadata, never by similarity: a constant one-dimensional vector
            self._call(
                "write",
                col.upsert,
                ids=[text_id(doc_id, version) + (f":{n}" if len(parts) > 1 else "")],
                embeddings=[[1.0]],
                metadatas=[meta],
                documents=[text[start : start + TEXT_PART_CHARS] if len(parts) > 1 else text],
            )

    def document_text(self, doc_id: str, version: str) -> str | None:
        """The stored text of a document version, joined from its parts if it has them; None
        when it was not stored (a store ingested before texts were stored) or not all of its
        parts are (an interrupted ingest)."""
        from qa.ids import text_id

        if self._get(self.text_name) is None:
            return None
        got = self._read(
            "read", self.text_name, "get", ids=[text_id(doc_id, version)], include=["documents"]
        )
        texts = got["documents"] or []
        if texts and texts[0] is not None:
            return texts[0]
        where = {"$and": [{"doc_id": doc_id}, {"version": version}]}
        got = self._read(
            "read", self.text_name, "get", where=where, include=["documents", "metadatas"]
        )
        parts = sorted(
            (int(m["part"]), int(m["parts"]), t)
            for m, t in zip(got["metadatas"] or [], got["documents"] or [], strict=True)
            if m and "part" in m and t is not None
        )
        if not parts or [p for p, _, _ in parts] != list(range(parts[0][1])):
            return None
        return "".join(t for _, _, t in parts)

    def delete_document(self, doc_id: str, keep_version: str | None = None) -> None:
        """Delete a document's records, all of them or all but ``keep_version``'s."""
        where: dict[str, Any] = {"doc_id": doc_id}
        if keep_version is not None:
            where = {"$and": [{"doc_id": doc_id}, {"version": {"$ne": keep_version}}]}
        # chunks last: they mark completeness
        for name in (self.text_name, self.sentence_name, self.chunk_name):
            col = self._get(name)
            if col is not None:
                self._call("delete", col.delete, where=where)
        # the version kept is now the document's only one, complete or not
        self.clear_pending(doc_id)

    def supersede(self, doc_id: str, version: str, older: Iterable[str]) -> None:
        """Make the complete ``version`` a document's only one: it is shown, its ``older``
        versions hidden before their records are deleted (a deletion killed midway leaves
        ``version`` answering, not an older one without its sentences; between the two steps
        both answer), and readers told."""
        self.clear_pending(doc_id, version)
        for old in older:
            if old != version:
                self.mark_pending(doc_id, old)
        self.delete_document(doc_id, keep_version=version)
        self.committed()

    def delete_version(self, doc_id: str, version: str) -> None:
        """Delete the records of one version of a document (chunks last)."""
        where = {"$and": [{"doc_id": doc_id}, {"version": version}]}
        for name in (self.text_name, self.sentence_name, self.chunk_name):
            col = self._get(name)
            if col is not None:
                self._call("delete", col.delete, where=where)
        self.clear_pending(doc_id, version)

    # ---- reads --------------------------------------------------------------------------
    def _read_all(self, name: str, field: str | None) -> tuple[list[str], list[Any]]:
        """Ids and ``field`` ("metadatas" or "documents"; None: ids only) of every record of a
        collection, read ``READ_PAGE`` records at a time: one unpaged read of more than about
        32 k records fails on a Chroma server ("too many SQL variables", SQLite's limit)."""
        ids: list[str] = []
        values: list[Any] = []
        include = [field] if field else []
        while True:
            got = self._read("read", name, "get", include=include, limit=READ_PAGE, offset=len(ids))
            ids += got["ids"]
            values += (got[field] or []) if field else []
            if len(got["ids"]) < READ_PAGE:
                return ids, values

    def unlisted_documents(self, listed: Iterable[str] | None = None) -> set[str]:
        """The doc_ids with records but no chunk: what an ingest killed before a document's
        first chunk left (its text, and maybe sentences). Not documents (``documents`` lists
        chunks), so nothing else finds them; read from the text records, one a version (every
        version's text is written before its sentences and chunks). ``listed``: the doc_ids of
        ``documents()`` when the caller has just read them (saves reading them again)."""
        if self._get(self.text_name) is None:
            return set()
        texts = {m["doc_id"] for m in self._read_all(self.text_name, "metadatas")[1] if m}
        return texts - set(self.documents() if listed is None else listed)

    def all_chunk_ids(self) -> list[str]:
        """The id of every chunk, sorted: what the BM25 index is checked against, without
        reading the texts (on a server store the texts are most of that read's bytes)."""
        if self._get(self.chunk_name) is None:
            return []
        return sorted(self._read_all(self.chunk_name, None)[0])

    def all_chunk_texts(self) -> tuple[list[str], list[str]]:
        """Ids and texts of every chunk, in the order of their content (``content_key``, then
        the id): the input of the BM25 index, whose equal scores keep this order, so one
        corpus ranks the same wherever its files are."""
        if self._get(self.chunk_name) is None:
            return [], []
        pairs = sorted(
            zip(*self._read_all(self.chunk_name, "documents"), strict=True),
            key=lambda pair: (content_key(pair[0]), pair[0]),
        )
        return [p[0] for p in pairs], [p[1] for p in pairs]

    def query(
        self, vector: np.ndarray, n: int, leave_out: Iterable[tuple[str, str]] = ()
    ) -> list[tuple[str, float, dict, str]]:
        """Nearest chunks: (id, cosine similarity, metadata, text), best first, none of a
        (doc_id, version) in ``leave_out``. A record read without its metadata or text
        (written by another process as it was read) is left out, as if not yet written."""
        # for each pair left out: another document, or another version
        each = [
            {"$or": [{"doc_id": {"$ne": doc_id}}, {"version": {"$ne": version}}]}
            for doc_id, version in sorted(leave_out)
        ]
        where = None if not each else each[0] if len(each) == 1 else {"$and": each}
        got = self._read(
            "query",
            self.chunk_name,
            "query",
            query_embeddings=[vector],
            n_results=n,
            where=where,
            include=["distances", "metadatas", "documents"],
        )
        return [
            (i, 1.0 - float(d), m, t)
            for i, d, m, t in zip(
                got["ids"][0],
                got["distances"][0],
                got["metadatas"][0],
                got["documents"][0],
                strict=True,
            )
            if m is not None and t is not None
        ]

    def get_chunks(self, ids: Iterable[str]) -> dict[str, tuple[dict, str]]:
        """Metadata and text of the given chunk ids that are there (a record read without its
        metadata or text, being written by another process, is left out as if not there)."""
        ids = list(ids)
        if not ids:
            return {}
        got = self._read(
            "read", self.chunk_name, "get", ids=ids, include=["metadatas", "documents"]
        )
        return {
            i: (m, t)
            for i, m, t in zip(got["ids"], got["metadatas"], got["documents"], strict=True)
            if m is not None and t is not None
        }

    def chunk_ids(self, doc_id: str, version: str) -> frozenset[str]:
        """The ids of the stored chunks of one version of a document."""
        if self._get(self.chunk_name) is None:
            return frozenset()
        where = {"$and": [{"doc_id": doc_id}, {"version": version}]}
        got = self._read("read", self.chunk_name, "get", where=where, include=[])
        return frozenset(got["ids"])

    def get_document_chunks(self, doc_id: str) -> list[tuple[dict, str]]:
        """A document's chunks (metadata, text) in order."""
        self.chunks()  # EmptyStoreError when nothing was ingested
        got = self._read(
            "read",
            self.chunk_name,
            "get",
            where={"doc_id": doc_id},
            include=["metadatas", "documents"],
        )
        pairs = list(zip(got["metadatas"], got["documents"], strict=True))
        return sorted(pairs, key=lambda p: p[0]["start"])

    def sentence_vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Embeddings of the given sentence ids (``vectors`` of the sentence collection)."""
        return self.vectors(self.sentence_name, ids)

    def vectors(self, name: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored embeddings of those of ``ids`` that the collection ``name`` (chunks or
        sentences) holds: id -> float32 vector of the model's dimension, read ``READ_PAGE`` ids
        at a time. An id not stored is left out; a failed read is a StoreError."""
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(ids), READ_PAGE):
            got = self._read(
                "read", name, "get", ids=list(ids[i : i + READ_PAGE]), include=["embeddings"]
            )
            vectors = got.get("embeddings")
            if vectors is None:
                continue
            for rid, vector in zip(got["ids"], vectors, strict=True):
                if vector is not None:
                    out[rid] = np.asarray(vector, dtype=np.float32)
        return out

    def chunk_count(self) -> int:
        """Chunks stored (0 when nothing was ingested)."""
        col = self._get(self.chunk_name)
        return 0 if col is None else int(self._read("count", self.chunk_name, "count"))

    def count(self) -> tuple[int, int]:
        """(chunks, sentences) stored."""
        counts = []
        for name in (self.chunk_name, self.sentence_name):
            col = self._get(name)
            counts.append(0 if col is None else int(self._read("count", name, "count")))
        return counts[0], counts[1]
