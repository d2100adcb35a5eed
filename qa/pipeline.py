"""class QA: ingest, retrieve and ask; the one entry point of the CLI, the UI and the eval."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.answer import registry
from qa.answer.base import Answerer, Draft
from qa.config import BUNDLED_MODEL, Settings, settings_error
from qa.conversation import History, normalise_history
from qa.embeddings import BUNDLED_NAME, Embedder, QueryEncoding
from qa.errors import (
    EmptyStoreError,
    InvalidInputError,
    InvalidPathError,
    InvalidQuestionError,
    NotFoundError,
    QAError,
    SettingsError,
)
from qa.lexical import BM25Index, fingerprint
from qa.store import ChunkStore, StoredDocument, summarise
from qa.types import Answer, DocumentInfo, Hit, IngestReport

if TYPE_CHECKING:
    import httpx

    from qa.ingest import Progress
    from qa.local_llm.server import LlamaServer

__all__ = ["QA"]


def _ms(seconds: float) -> float:
    return seconds * 1000.0


class QA:
    """Question answering over a folder of documents, with cited spans.

    Args:
        settings: configuration; defaults to ``Settings()`` (``QA_*`` env vars).
        embedder: the embedding model; defaults to the configured one (the bundled model on
            ONNX Runtime).
        answerer: the extractive answerer to use instead of the default reader.
        llm_transport: the HTTP transport of LLM requests (``qa.llm_client.make_client``);
            None = httpx's own. Tests pass an ``httpx.MockTransport``.
        **overrides: settings fields to override, e.g. ``QA(top_k=3)``.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        answerer: Answerer | None = None,
        llm_transport: httpx.BaseTransport | None = None,
        **overrides: Any,
    ) -> None:
        self.settings = _settings(settings, overrides)
        self._llm_transport = llm_transport
        self._store = ChunkStore(self.settings)
        self._embedder = embedder
        self._answerers: dict[str, Answerer] = {}
        if answerer is not None:
            self._answerers[answerer.mode or "extractive"] = answerer
        self._lexical: BM25Index | None = None
        self._lexical_generation: tuple[int, ...] = ()
        self._lock = threading.RLock()  # lazy parts and the BM25 index, for threaded servers
        self._server: LlamaServer | None = None

    # ---- parts, built on first use --------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        """The embedding model (loaded on first use)."""
        with self._lock:
            return self._load_embedder()

    def _load_embedder(self) -> Embedder:
        if self._embedder is None:
            from qa.onnx_embedder import make_embedder

            self._embedder = make_embedder(
                self.settings.embed_model,
                self.settings.onnx_models_dir,
                batch_size=self.settings.embed_batch_size,
                backend=self.settings.embed_backend,
                int8=self.settings.embed_int8,
            )
        return self._embedder

    @property
    def model_id(self) -> str:
        """Id of the configured embedding model, known without loading it."""
        if self._embedder is not None:
            return self._embedder.model_id
        model, settings = self.settings.embed_model, self.settings
        if model != BUNDLED_MODEL:
            return model
        if settings.embed_int8 and settings.embed_backend == "onnx":
            from qa.onnx_embedder import INT8_NAME

            return INT8_NAME
        return BUNDLED_NAME

    def _pooled(self) -> str:
        """How ingest pools sentence vectors from their chunk's pass (setting
        ``sentence_vectors``; the embedder's ``span_pooling``), "" for a pass of their own:
        known without loading the model. Only an embedder that can pools."""
        if self.settings.sentence_vectors != "pooled":
            return ""
        if self._embedder is not None:
            return self._embedder.span_pooling
        settings = self.settings
        if settings.embed_model == BUNDLED_MODEL and settings.embed_backend == "onnx":
            from qa.onnx_embedder import OnnxEmbedder

            return OnnxEmbedder.span_pooling
        return ""

    def _max_tokens(self) -> int:
        """The word pieces the embedding model reads, from its config file when it is not
        loaded yet (the same number the loaded model reports)."""
        if self._embedder is None:
            from qa.embeddings import configured_max_tokens

            if (known := configured_max_tokens(self.settings.embed_model)) is not None:
                return known
        return self.embedder.max_tokens

    @property
    def _lexical_dir(self) -> Path:
        if self.settings.chroma_url:
            safe = "".join(c if c.isalnum() else "_" for c in self.settings.chroma_url)
            return self.settings.home / "bm25" / f"{safe}__{self.settings.collection}"
        return self.settings.home / "bm25" / self.settings.collection

    def lexical_index(self, *, refresh: bool = False) -> BM25Index:
        """The BM25 index, rebuilt from the store whenever it does not cover exactly its chunks
        (checked again whenever any process committed a write to the store)."""
        current = self._lexical
        generation = self._store.generation
        if current is not None and not refresh and generation == self._lexical_generation:
            return current
        with self._lock:
            # the chunks' ids say whether an index covers the store; their texts are read only
            # to build one
            wanted = fingerprint(self._store.all_chunk_ids())
            index = current if current is not None and current.fingerprint == wanted else None
            if index is None:  # the saved one, unless another process saved an older one
                index = BM25Index.load(self._lexical_dir)
                if index is None or index.fingerprint != wanted:
                    ids, texts = self._store.all_chunk_texts()
                    index = BM25Index.build(ids, texts)
                    index.save(self._lexical_dir)
            self._lexical, self._lexical_generation = index, generation
            return index

    def answerer(self, mode: str | None = None) -> Answerer:
        """The answerer for ``mode`` (a registered mode; None = the configured mode)."""
        mode = self.resolve_mode(mode)
        with self._lock:
            made = self._answerers.get(mode)
            if made is None:
                parts = registry.AnswererParts(
                    settings=self.settings,
                    embedder=lambda: self.embedder,
                    corpus=self.lexical_index,
                    answerer=self.answerer,
                    llm_transport=self._llm_transport,
                )
                made = self._answerers[mode] = registry.create(mode, parts)
            return made

    def resolve_mode(self, mode: str | None) -> str:
        """The registered mode for a requested one (None or 'auto' = the configured default:
        'llm' when an LLM is configured, else 'extractive')."""
        mode = mode or self.settings.mode
        if mode == "auto":
            return "llm" if self.settings.llm_configured else "extractive"
        known = registry.modes()
        if mode not in known:
            choices = " or ".join(repr(m) for m in ("auto", *known))
            raise InvalidInputError(f"unknown mode {mode!r}: use {choices}")
        return mode

    def local_llm(self) -> LlamaServer:
        """The local model's server (``QA_LLM=local``; one per process, shared by every QA with
        the same model and threads), started on first use and stopped by ``close()`` or at
        exit. Raises LocalLLMMissingError when the runtime or the model is not set up,
        ModelIntegrityError when the model file is not the published one."""
        from qa.local_llm.server import shared_server

        with self._lock:
            self._server = shared_server(self.settings)
            return self._server.start()

    def close(self) -> None:
        """Stop the local model's server, if this QA started one."""
        with self._lock:
            if self._server is not None:
                self._server.stop()
                self._server = None

    def __enter__(self) -> QA:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def warm_up(self, mode: str | None = None) -> None:
        """Load the embedding model, the BM25 index and the answerer's models now, so that the
        first question is as quick as the rest (figures: CHANGELOG.md); servers call it at
        start."""
        self.embedder.embed(["warm up"])  # the first forward pass sets up torch's kernels
        if self._store.chunk_count():
            self.lexical_index()
        self.answerer(mode).warm_up()

    # ---- ingest -----------------------------------------------------------------------------
    def ingest(
        self,
        paths: Sequence[str | Path] | str | Path | None = None,
        *,
        reset: bool = False,
        exclusive: bool = False,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Bring the store in line with the files under ``paths`` (None: the corpus dir; an
        empty list is an InvalidPathError).

        Unchanged files are skipped, changed ones replaced, vanished ones deleted. Documents
        stored from other folders are kept, unless ``exclusive``: then ``paths`` are the whole
        collection.
        """
        from qa.chunking import Chunker
        from qa.ingest import Ingestor

        for name, flag in (("reset", reset), ("exclusive", exclusive)):
            if not isinstance(flag, bool):
                raise InvalidInputError(f"{name} must be True or False, not {flag!r}")
        roots = _roots(paths, self.settings.corpus_dir)
        if not reset:  # a reset store takes any model; it is emptied once the paths are read
            self._store.check_model(self.model_id)
        # the model is loaded only if a document needs chunking or embedding: re-ingesting
        # unchanged files imports and loads no model (figures: CHANGELOG.md)
        chunk_size = min(self.settings.chunk_size, self._max_tokens() - 2)
        chunker = Chunker(
            lambda text: self.embedder.tokenize(text), chunk_size, self.settings.chunk_overlap
        )
        report = Ingestor(
            self._store, self.model_id, lambda: self.embedder, chunker, pooled=self._pooled()
        ).run(roots, progress, exclusive=exclusive, reset=reset)
        self.lexical_index(refresh=True)
        return report

    def is_empty(self) -> bool:
        """True when the store holds no document (nothing was ingested, or all was removed)."""
        return self._store.chunk_count() == 0

    def ensure_ingested(
        self,
        *,
        announce: Callable[[Path], None] | None = None,
        progress: Progress | None = None,
    ) -> IngestReport | None:
        """Ingest the corpus folder (``settings.corpus_dir``) if the store is empty.

        ``announce(corpus_dir)`` is called just before that ingest. Returns its report, or None
        when the store held documents already. Raises EmptyStoreError when the store is empty
        and there is no corpus folder.
        """
        if not self.is_empty():
            return None
        self._store.wait_for_writers()  # an ingest under way elsewhere: its documents count
        if not self.is_empty():
            return None
        corpus = self.settings.corpus_dir
        if not corpus.is_dir():
            raise EmptyStoreError(
                f"the store is empty and there is no corpus folder at {corpus}; "
                "run `qa ingest PATH` first"
            )
        if announce is not None:
            announce(corpus)
        return self.ingest([corpus], progress=progress)

    @property
    def location(self) -> str:
        """Where the store is: the Chroma server URL or the embedded store's folder."""
        return self._store.location

    def source_of(self, doc_id: str) -> Path | None:
        """The file a stored document was read from (absolute), or None for an unknown id."""
        doc = self._store.documents().get(doc_id)
        return Path(doc.source) if doc is not None and doc.source else None

    def document_id(self, document: str) -> str:
        """The id of a stored document given its id or a path it was ingested from (relative
        to the working directory, or absolute; the file need not exist any more).
        NotFoundError when neither names a stored document."""
        from qa.documents import doc_id_for

        stored = {d.doc_id: d for d in self.documents()}
        if document in stored:
            return document
        try:
            by_path = doc_id_for(Path(document).expanduser())
        except (ValueError, OSError, UnicodeError):  # a NUL byte, undecodable bytes...
            by_path = None
        if by_path in stored:
            return by_path
        matches = [d.doc_id for d in stored.values() if d.path == document]
        if len(matches) == 1:
            return matches[0]
        raise NotFoundError(f"no document with id or path {document!r} (see `qa info`)")

    def remove(self, document: str) -> str:
        """Delete a document from the store and the BM25 index, given its id or a path it was
        ingested from (as ``document_id`` reads it); returns its id. NotFoundError when neither
        names one."""
        if not isinstance(document, (str, os.PathLike)):
            raise InvalidInputError(
                f"the document must be its id or path (str), not {type(document).__name__}"
            )
        document = os.fspath(document)
        if not isinstance(document, str):
            raise InvalidInputError("the document must be its id or path as text, not bytes")
        with self._store.writing():
            doc_id = self.document_id(document)
            self._store.delete_document(doc_id)
        self.lexical_index(refresh=True)
        return doc_id

    # ---- ask --------------------------------------------------------------------------------
    def check_question(self, question: str) -> str:
        """The question stripped; InvalidQuestionError when not text, empty or too long."""
        if not isinstance(question, str):
            raise InvalidQuestionError(
                f"the question must be text (str), not {type(question).__name__}"
            )
        try:
            question.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: bytes that were not UTF-8 (a terminal's)
            raise InvalidQuestionError(
                "the question is not valid text: it holds bytes that are not UTF-8"
            ) from None
        if not question.strip():
            raise InvalidQuestionError("the question is empty")
        question = question.strip()
        if len(question) > self.settings.max_question_chars:
            raise InvalidQuestionError(
                f"the question is {len(question)} characters long; the limit is "
                f"{self.settings.max_question_chars}"
            )
        return question

    def resolve_top_k(self, top_k: int | None) -> int:
        """The passages to answer from: ``top_k``, or the configured one when None.

        Raises InvalidInputError unless it is an int from 1 to 50.
        """
        k = self.settings.top_k if top_k is None else top_k
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 50:
            raise InvalidInputError(f"top_k must be between 1 and 50, not {k!r}")
        return k

    def retrieve(self, question: str, *, top_k: int | None = None) -> list[Hit]:
        """The ``top_k`` chunks that best match ``question`` (hybrid dense + BM25)."""
        question = self.check_question(question)
        return self._retrieve(question, self.resolve_top_k(top_k))[0]

    def lexical_search(self, question: str, *, top_k: int | None = None) -> list[Hit]:
        """The ``top_k`` chunks BM25 alone ranks best for ``question`` (no dense retrieval, no
        fusion: the BM25 baseline); ``Hit.score`` is the BM25 score."""
        from qa.retrieval import hit_from_record, lexical_search

        question = self.check_question(question)
        # an update under way (or killed) answers from the version it replaces
        ranked = lexical_search(
            self.lexical_index(), question, self.resolve_top_k(top_k), self._store.pending()
        )
        records = self._store.get_chunks([cid for cid, _ in ranked])
        return [
            hit_from_record(cid, *records[cid], score=score)
            for cid, score in ranked
            if cid in records
        ]

    def _retrieve(self, question: str, top_k: int) -> tuple[list[Hit], QueryEncoding]:
        from qa.retrieval import HybridRetriever

        self._store.check_model(self.model_id)
        self._store.chunks()  # EmptyStoreError before any model is loaded
        query = self.embedder.encode_query(question)  # the reader reuses its tokens
        retriever = HybridRetriever(
            self._store,
            self.embedder,
            self.lexical_index,
            candidates=max(self.settings.candidates, top_k),
            rrf_k=self.settings.rrf_k,
        )
        return retriever.retrieve(question, top_k, query.vector), query

    def ask(self, question: str, *, top_k: int | None = None, mode: str | None = None) -> Answer:
        """Answer ``question`` from the corpus, with citations, or abstain."""
        return self._final(self.ask_stream(question, top_k=top_k, mode=mode, stream=False))

    def chat(
        self,
        history: History | None,
        question: str,
        *,
        top_k: int | None = None,
        mode: str | None = None,
    ) -> Answer:
        """Answer a follow-up: condensed with ``history`` into a standalone question first."""
        stream = self.ask_stream(question, top_k=top_k, mode=mode, history=history, stream=False)
        return self._final(stream)

    @staticmethod
    def _final(items: Iterator[str | Answer]) -> Answer:
        answer = None
        for item in items:
            if isinstance(item, Answer):
                answer = item
        if answer is None:  # pragma: no cover - ask_stream always ends with an Answer
            raise QAError("the answerer returned no answer")
        return answer

    def ask_stream(
        self,
        question: str,
        *,
        top_k: int | None = None,
        mode: str | None = None,
        history: History | None = None,
        stream: bool = True,
    ) -> Iterator[str | Answer]:
        """Yield the answer's text deltas, then the final ``Answer``.

        With ``history`` (earlier turns as (user, assistant) pairs or role/content dicts), the
        question is first condensed into a standalone one (``Answer.standalone_question``),
        which is what retrieval sees. A bad question, ``top_k``, ``mode`` or ``history``
        raises here, before the first item is asked for.
        """
        began = time.perf_counter()
        question = self.check_question(question)
        k = self.resolve_top_k(top_k)
        answerer = self.answerer(mode).for_turn()
        pairs = normalise_history(history)
        return self._answer_stream(question, k, answerer, pairs, stream, began)

    def _answer_stream(
        self,
        question: str,
        k: int,
        answerer: Answerer,
        pairs: list[tuple[str, str]],
        stream: bool,
        began: float,
    ) -> Iterator[str | Answer]:
        standalone = question
        if pairs:
            standalone = self.check_question(answerer.condense(pairs, question))
        condensed = time.perf_counter()
        hits, query = self._retrieve(standalone, k)
        retrieved = time.perf_counter()
        draft: Draft | None = None
        first: float | None = None
        if stream:
            for item in answerer.stream(standalone, hits, query):
                if isinstance(item, Draft):
                    draft = item
                elif item:
                    first = first or time.perf_counter()
                    yield item
        else:
            draft = answerer.answer(standalone, hits, query)
        if draft is None:  # pragma: no cover - an answerer's stream ends with its Draft
            raise QAError("the answerer returned no answer")
        done = time.perf_counter()
        timings = {
            "retrieve": _ms(retrieved - condensed),
            "answer": _ms(done - retrieved),
            "total": _ms(done - began),
        }
        if pairs:
            timings["condense"] = _ms(condensed - began)
        if first is not None:  # the wait a user feels: question to first word shown
            timings["first_token"] = _ms(first - began)
        yield Answer(
            question=question,
            text=draft.text,
            citations=draft.citations,
            abstained=draft.abstained,
            mode=draft.mode or answerer.mode,
            notes=draft.notes,
            sentences=draft.sentences,
            short=draft.short,
            hits=hits,
            timings_ms=timings,
            standalone_question=standalone if pairs else None,
        )

    # ---- what is stored ---------------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        """The stored documents, by path."""
        docs = [
            DocumentInfo(
                doc_id=d.doc_id,
                title=d.title,
                path=d.path,
                chunks=_answering_chunks(d),
                metadata=d.metadata,
            )
            for d in self._store.documents().values()
        ]
        return sorted(docs, key=lambda d: d.path)

    def context(
        self, doc_id: str, start: int, end: int, *, max_chars: int = 700
    ) -> tuple[int, str]:
        """The paragraph around the span ``start:end`` of a stored document.

        Returns ``(offset, text)``: ``text`` stands at ``offset`` in the document, so the span is
        ``text[start - offset : end - offset]``. The text is a slice of the document version's
        text stored at ingest (not the file as it is now); for a store ingested before texts
        were stored, of its chunks stitched together. At most ``max_chars`` are kept on each
        side of the span. Raises NotFoundError for an unknown document or a span outside it,
        InvalidInputError for arguments of the wrong type.
        """
        if not isinstance(doc_id, str):
            raise InvalidInputError(f"doc_id must be a str, not {type(doc_id).__name__}")
        for name, value in (("start", start), ("end", end), ("max_chars", max_chars)):
            if not isinstance(value, int) or isinstance(value, bool):
                raise InvalidInputError(f"{name} must be an int, not {value!r}")
        if max_chars < 0:
            raise InvalidInputError(f"max_chars must be 0 or more, not {max_chars}")
        pieces = self._store.get_document_chunks(doc_id)
        if not pieces:
            raise NotFoundError(f"no document with id {doc_id!r}")
        stored = summarise(meta for meta, _ in pieces)[doc_id]
        version = stored.current_version or pieces[-1][0]["version"]
        text = self._store.document_text(doc_id, version)
        if text is None:  # a store ingested before texts were stored
            return stitched_context(pieces, version, doc_id, start, end, max_chars)
        if not 0 <= start <= end <= len(text):
            raise NotFoundError(f"no stored text covers {start}-{end} of document {doc_id}")
        # the chunked body: the title block before it and the whitespace after it are no
        # paragraph of the document
        first = min(m["start"] for m, _ in pieces if m["version"] == version)
        last = max(m["end"] for m, _ in pieces if m["version"] == version)
        lo = text.rfind("\n\n", first, start)
        lo = first if lo < 0 else lo + 2
        hi = text.find("\n\n", end, last)
        hi = last if hi < 0 else hi
        lo = max(lo, start - max_chars)
        hi = min(hi, end + max_chars)
        return lo, text[lo:hi]

    def info(self) -> dict[str, Any]:
        """Counts, model and location of the store. ``chunks`` counts the chunks that answer
        (each document's complete version); ``interrupted_chunks``, those an interrupted ingest
        left beside them, which the next ingest of their files finishes or removes."""
        stored, sentences = self._store.count()
        documents = self._store.documents()
        chunks = sum(_answering_chunks(d) for d in documents.values())
        return {
            "documents": len(documents),
            "chunks": chunks,
            "interrupted_chunks": stored - chunks,
            "sentences": sentences,
            "embed_model": self._store.built_with() or self.model_id,
            "store": self._store.location,
            "collection": self.settings.collection,
            "home": str(self.settings.home),
        }


def _answering_chunks(doc: StoredDocument) -> int:
    """The chunks of the version of ``doc`` that answers: its complete one (an update killed
    midway leaves part of the next beside it), else all there are."""
    current = doc.current_version
    return doc.versions[current] if current is not None else sum(doc.versions.values())


def _settings(settings: Settings | None, overrides: dict[str, Any]) -> Settings:
    """``settings`` (default: from the ``QA_*`` env) with ``overrides`` validated and applied."""
    from pydantic import ValidationError

    if settings is not None and not isinstance(settings, Settings):
        raise SettingsError(
            f"settings must be a qa.Settings, not {type(settings).__name__} "
            "(pass single settings as keywords: QA(top_k=3))"
        )
    try:
        chosen = settings or Settings()
        if not overrides:
            return chosen
        chosen = chosen.model_copy()  # validate_assignment: each field is checked as it is set
        for name, value in overrides.items():
            if name not in Settings.model_fields:
                raise SettingsError(f"unknown setting {name!r}")
            setattr(chosen, name, value)
        return chosen
    except ValidationError as exc:
        raise settings_error(exc) from None


def stitched_context(
    pieces: list[tuple[dict, str]], version: str, doc_id: str, start: int, end: int, max_chars: int
) -> tuple[int, str]:
    """``QA.context`` from the chunks alone, for a store that holds no document texts: the
    (overlapping) chunks stitched into one text; the whitespace between two chunks, which they
    do not store, reads as a space (one character) or as line breaks (more)."""
    # Stitch the (overlapping) chunks into one text; between chunks there is only whitespace.
    region_start, cursor = -1, -1
    parts: list[str] = []
    for meta, text in pieces:
        if meta["version"] != version or meta["end"] <= cursor:
            continue
        if cursor < 0:
            region_start = cursor = meta["start"]
        elif meta["start"] > cursor:
            gap = meta["start"] - cursor
            parts.append(" " if gap == 1 else "\n" * gap)
            cursor = meta["start"]
        parts.append(text[cursor - meta["start"] :])
        cursor = meta["end"]
    region = "".join(parts)
    if not region_start <= start <= end <= cursor:
        raise NotFoundError(f"no stored text covers {start}-{end} of document {doc_id}")
    lo = region.rfind("\n\n", 0, start - region_start)
    lo = 0 if lo < 0 else lo + 2
    hi = region.find("\n\n", end - region_start)
    hi = len(region) if hi < 0 else hi
    lo = max(lo, start - region_start - max_chars)
    hi = min(hi, end - region_start + max_chars)
    return region_start + lo, region[lo:hi]


def _roots(paths: object, default: Path) -> list[Path]:
    """The paths ``QA.ingest`` was given, as Paths (None: ``[default]``); InvalidPathError for
    anything that is not a path or a list of paths, an empty list (no paths is not the corpus
    folder), an empty path ("" would be the current folder) or one with a NUL character."""
    if paths is None:
        return [default]
    if isinstance(paths, (str, os.PathLike)):  # one path, not a sequence of its characters
        paths = [paths]
    if isinstance(paths, (bytes, bytearray)) or not isinstance(paths, Iterable):
        raise InvalidPathError(
            f"paths must be a path or a list of paths (str or Path), not {type(paths).__name__}"
        )
    roots = []
    for p in paths:
        if not isinstance(p, (str, os.PathLike)) or isinstance(p, bytes):
            raise InvalidPathError(f"a path must be a str or Path, not {type(p).__name__}")
        text = os.fspath(p)
        if not isinstance(text, str):  # a PathLike of bytes
            raise InvalidPathError(f"a path must be text, not {type(text).__name__}")
        if not text.strip():
            raise InvalidPathError("a path is empty (for the current folder, say '.')")
        if "\0" in text:
            raise InvalidPathError(f"a path holds a NUL character: {text!r}")
        roots.append(Path(text))
    if not roots:
        raise InvalidPathError(
            "no paths were given: name files or folders to ingest (None means the corpus folder)"
        )
    return roots
