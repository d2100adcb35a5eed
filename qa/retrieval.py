"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings fused by reciprocal rank.

Fusion is written here rather than taken from llama-index's ``QueryFusionRetriever``: that one
runs its retrievers through asyncio and node objects, which costs more than the whole warm
query budget, and RRF itself is the five lines of ``fuse`` below.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np

from qa.chunking import all_table_rows, begins_inside_table, table_header_above
from qa.embeddings import Embedder
from qa.errors import StoreError
from qa.ids import chunk_id, content_key, doc_version, first_chunk_id, sentence_id
from qa.lexical import BM25Index
from qa.store import ChunkStore, shown_path
from qa.types import Hit, Sentence, same_words

__all__ = ["HybridRetriever", "complete", "fuse", "hit_from_record", "same_words"]

PREVIOUS_GAP = 4  # characters between a sentence and the one before it (a paragraph break)


def fuse(
    rankings: list[list[str]], k: int = 60, tie: Callable[[str], Any] = str
) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: ``sum(1 / (k + rank))`` over the rankings, best first; equal
    sums (rank 3 in one ranking against rank 3 in the other) in the order of ``tie(item)``."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], tie(kv[0]), kv[0]))


def lexical_search(
    index: BM25Index, question: str, n: int, pending: frozenset[tuple[str, str]]
) -> list[tuple[str, float]]:
    """BM25's ``n`` best (chunk id, score) for ``question``, none of a (doc_id, version) in
    ``pending`` (``ChunkStore.pending``): their chunks may fill the first places, so BM25 is
    read further when there are any."""
    ranked = index.search(question, n * (4 if pending else 1))
    return [(c, score) for c, score in ranked if doc_version(c) not in pending][:n]


def _first_of_each(ranked: list[Any]) -> list[Any]:
    """``ranked`` (tuples led by an id) without the later tuples of an id already seen."""
    seen: set[str] = set()
    out = []
    for item in ranked:
        if item[0] not in seen:
            seen.add(item[0])
            out.append(item)
    return out


def hit_from_record(chunk_id: str, meta: dict, text: str, score: float) -> Hit:
    """A Hit from a chunk's stored metadata and text (sentences without vectors)."""
    doc_id, version = meta["doc_id"], meta.get("version", "")
    return Hit(
        chunk_id=chunk_id,
        doc_id=doc_id,
        title=meta.get("title", ""),
        path=shown_path(meta),
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=text,
        score=score,
        version=version,
        index=int(meta.get("index", -1)),
        sentences=[
            Sentence(sentence_id(doc_id, version, int(a), int(b)), int(a), int(b))
            for a, b in json.loads(meta.get("sentences", "[]"))
        ],
        document=json.loads(meta.get("doc_meta", "{}")),
    )


def complete(store: ChunkStore, hits: list[Hit]) -> list[Hit]:
    """Fill in what answerers read of ``hits``: each sentence's stored vector and the sentence
    before it, and each document's first chunk (two store reads). Returns ``hits``."""
    ids = list(dict.fromkeys(s.id for h in hits for s in h.sentences))
    vectors = store.sentence_vectors(ids)
    texts: dict[str, dict[tuple[int, int], str]] = {}  # every sentence retrieved, per document
    for hit in hits:
        spans = texts.setdefault(hit.doc_id, {})
        for s in hit.sentences:
            spans.setdefault((s.start, s.end), hit.span_text(s.start, s.end))
    for hit in hits:
        for s in hit.sentences:
            s.vector = vectors.get(s.id)
            s.previous = _previous(texts[hit.doc_id], s.start)
    firsts: dict[str, list[Hit]] = {}  # a document's first chunk id -> its other hits
    held = {h.chunk_id: h for h in hits}
    for hit in hits:
        if hit.index != 0:
            firsts.setdefault(first_chunk_id(hit.doc_id, hit.version), []).append(hit)
    # a chunk that begins inside a table: the chunks before it, which hold its header row
    inside = [h for h in hits if h.index > 0 and begins_inside_table(h.text)]
    wanted = {
        *firsts,
        *(c for h in inside for c in _chunk_ids(h, h.index - TABLE_LOOKBACK, h.index)),
    }
    try:
        records = store.get_chunks([cid for cid in wanted if cid not in held])
    except StoreError:  # the answer is still given, without datelines or table headers
        records = {}
    for hit in inside:
        hit.table_header = _header_above(store, hit, held, records)
    for cid, others in firsts.items():
        first = held.get(cid)
        if first is None and cid in records:
            first = hit_from_record(cid, *records[cid], score=0.0)
        for hit in others:
            hit.first_chunk = first
    return hits


TABLE_LOOKBACK = 4  # chunks read at a time above one that begins inside a table
MAX_TABLE_LOOKBACK = 64  # and at most, for its header row: a table of some 600 short rows


def _chunk_ids(hit: Hit, first: int, stop: int) -> list[str]:
    """The ids of chunks ``first`` to ``stop - 1`` of ``hit``'s document version."""
    return [chunk_id(hit.doc_id, hit.version, i) for i in range(max(0, first), stop)]


def _header_above(
    store: ChunkStore, hit: Hit, held: dict[str, Hit], records: dict[str, tuple[dict, str]]
) -> str:
    """The header and rule rows of the table ``hit`` begins inside, read from the chunks above
    it (``records`` holds the first ``TABLE_LOOKBACK``; more are read while the text above is
    all table rows, up to ``MAX_TABLE_LOOKBACK``), or "" if not found."""
    top = max(0, hit.index - TABLE_LOOKBACK)
    while True:
        ids = _chunk_ids(hit, top, hit.index)
        text = _text_before(hit, [held.get(c) or records.get(c) for c in ids])
        header = table_header_above(text)
        if header or top == 0 or hit.index - top >= MAX_TABLE_LOOKBACK or not all_table_rows(text):
            return header
        more = _chunk_ids(hit, top - TABLE_LOOKBACK, top)
        try:
            records = {**records, **store.get_chunks(c for c in more if c not in held)}
        except StoreError:
            return ""
        top = max(0, top - TABLE_LOOKBACK)


def _text_before(hit: Hit, before: list[Hit | tuple[dict, str] | None]) -> str:
    """The document text from the earliest of ``before`` (chunks of ``hit``'s document, in
    order; None where one could not be read) up to ``hit``'s start, as far back as the chunks
    run without a gap (chunks that touch may leave out the line break between them: it is
    put back)."""
    spans: list[tuple[int, int, str]] = []
    for got in before:
        if got is None:
            spans = []  # a gap: only the chunks after it join up with the hit
            continue
        if isinstance(got, Hit):
            spans.append((got.start, got.end, got.text))
        else:
            meta, text = got
            spans.append((int(meta["start"]), int(meta["end"]), text))
    text, reached = "", hit.start
    for start, end, chunk in reversed(spans):  # nearest first: prepend what each adds
        if start >= reached:
            continue
        if end < reached:
            if reached - end > PREVIOUS_GAP:
                break  # a gap in the text
            text = "\n" * (reached - end) + text
            reached = end
        text = chunk[: reached - start] + text
        reached = start
    return text


def _previous(spans: dict[tuple[int, int], str], start: int) -> str:
    """The sentence (or heading) just before ``start`` among ``spans``, or ""."""
    before = [(e, s) for s, e in spans if e <= start and start - e <= PREVIOUS_GAP]
    if not before:
        return ""
    end, begin = max(before)
    return spans[(begin, end)]


class HybridRetriever:
    """Dense ∪ BM25, fused by RRF; returns the top-k chunks as Hits."""

    def __init__(
        self,
        store: ChunkStore,
        embedder: Embedder,
        lexical: Callable[[], BM25Index],
        *,
        candidates: int = 20,
        rrf_k: int = 60,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self._lexical = lexical
        self.candidates = candidates
        self.rrf_k = rrf_k

    def retrieve(
        self, question: str, top_k: int, query_vector: np.ndarray | None = None
    ) -> list[Hit]:
        """The ``top_k`` best chunks for ``question``, one of each passage (an article saved
        twice fills one slot); fewer only when the store holds fewer distinct passages."""
        vector = query_vector
        if vector is None:
            vector = self.embedder.encode_query(question).vector
        # equal similarities (the same text in two files) in content order, not Chroma's
        # not the versions of an update under way (or killed): their complete ones answer
        pending = self.store.pending()
        dense = sorted(
            self.store.query(vector, self.candidates, leave_out=pending),
            key=lambda d: (-d[1], content_key(d[0]), d[0]),
        )
        lexical = lexical_search(self._lexical(), question, self.candidates, pending)
        records = {cid: (meta, text) for cid, _, meta, text in dense}
        # a chunk stored twice (one text in two files) is ranked once, as the copy in the file
        # named first, so the copies neither take two ranks nor depend on where the files are
        chosen = self._one_copy_each([d[0] for d in dense] + [c for c, _ in lexical], records)
        if chosen:
            dense = _first_of_each([(chosen.get(d[0], d[0]), *d[1:]) for d in dense])
            lexical = _first_of_each([(chosen.get(c, c), sc) for c, sc in lexical])
        dense_rank = {d[0]: (r, d[1]) for r, d in enumerate(dense, start=1)}
        # equal sums (rank 2 in one ranking and 3 in the other, against 3 and 2) in the dense
        # order, the finer of the two; not by id, whose version hash moved answers when only
        # the reader's version string changed (eval/README.md)
        unranked = len(dense) + 1

        def tie(cid: str) -> tuple[int, str]:
            return dense_rank.get(cid, (unranked, 0.0))[0], content_key(cid)

        fused = fuse([[d[0] for d in dense], [c for c, _ in lexical]], self.rrf_k, tie)
        lexical_rank = {c: r for r, (c, _) in enumerate(lexical, start=1)}
        hits: list[Hit] = []
        seen: set[str] = set()
        for begin in range(0, len(fused), top_k):  # usually one round: copies are rare
            if len(hits) == top_k:
                break
            window = fused[begin : begin + top_k]
            records.update(self.store.get_chunks([c for c, _ in window if c not in records]))
            for cid, score in window:
                if len(hits) == top_k:
                    break
                if cid not in records:  # deleted between the two reads
                    continue
                hit = hit_from_record(cid, *records[cid], score=score)
                passage = same_words(hit.text)
                if passage in seen:  # the same article saved twice, or syndicated verbatim
                    continue
                seen.add(passage)
                rank, similarity = dense_rank.get(cid, (None, None))
                hit.dense_rank, hit.dense_score = rank, similarity
                hit.lexical_rank = lexical_rank.get(cid)
                hits.append(hit)
        return complete(self.store, hits)

    def _one_copy_each(
        self, ids: list[str], records: dict[str, tuple[dict, str]]
    ) -> dict[str, str]:
        """For chunk ids holding the same text (one ``content_key``): each id mapped to the
        copy kept, the one whose file name (then path, then id) sorts first; ids without a
        copy are not in the map. ``records`` gains the copies' metadata it lacked."""
        groups: dict[str, set[str]] = {}
        for cid in ids:
            groups.setdefault(content_key(cid), set()).add(cid)
        copies = [g for g in groups.values() if len(g) > 1]
        if not copies:
            return {}
        records.update(self.store.get_chunks([c for g in copies for c in g if c not in records]))

        def place(cid: str) -> tuple[str, str, str]:
            path = str(records[cid][0].get("path", "")) if cid in records else ""
            return (path.rsplit("/", 1)[-1], path, cid)

        return {cid: min(g, key=place) for g in copies for cid in g}
