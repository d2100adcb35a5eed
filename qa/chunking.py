"""Sentence-aware chunks with exact character offsets, and sentence spans inside them.

Boundaries come from llama-index's ``SentenceSplitter`` sized in the embedding model's own
word pieces, so no chunk is silently truncated. The splitter returns strings only (its own
``start_char_idx`` uses the first occurrence of the text, wrong for repeated passages), so the
offsets are recovered here by a forward search that must match exactly.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from qa.ids import chunk_id
from qa.types import Chunk, Document

if TYPE_CHECKING:
    from llama_index.core.node_parser import SentenceSplitter

__all__ = ["Chunker", "chunk_id", "document_version", "sentence_spans"]

_LINE_BREAKS = re.compile(r"\n+")


@functools.lru_cache(maxsize=1)
def _punkt():
    """NLTK's Punkt English model, from the copy llama-index ships (no download)."""
    import llama_index.core
    import nltk
    from nltk.tokenize.punkt import PunktTokenizer

    cache = os.path.join(os.path.dirname(llama_index.core.__file__), "_static", "nltk_cache")
    if cache not in nltk.data.path:
        nltk.data.path.append(cache)
    return PunktTokenizer("english")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans (absolute offsets) of ``text[start:end]``; a line break ends a sentence."""
    end = len(text) if end is None else end
    region = text[start:end]
    spans: list[tuple[int, int]] = []
    for s, e in _punkt().span_tokenize(region):
        piece = region[s:e]
        cursor = 0
        for brk in [*_LINE_BREAKS.finditer(piece), None]:
            stop = brk.start() if brk else len(piece)
            seg = piece[cursor:stop]
            lead = len(seg) - len(seg.lstrip())
            seg = seg.strip()
            if seg:
                abs_start = start + s + cursor + lead
                spans.append((abs_start, abs_start + len(seg)))
            if brk:
                cursor = brk.end()
    return spans


def document_version(doc: Document, config: str) -> str:
    """Content hash of a document under a chunking config: changes when either changes."""
    digest = hashlib.sha256()
    digest.update(config.encode("utf-8"))
    digest.update(b"\0")
    digest.update(doc.text.encode("utf-8"))
    return digest.hexdigest()[:16]


class Chunker:
    """Splits documents into chunks of at most ``chunk_size`` word pieces."""

    def __init__(
        self,
        tokenize: Callable[[str], Sequence[object]],
        chunk_size: int,
        chunk_overlap: int,
    ) -> None:
        self.chunk_size = chunk_size
        self.chunk_overlap = min(chunk_overlap, chunk_size // 4)
        self._tokenize = tokenize

    @functools.cached_property
    def _splitter(self) -> SentenceSplitter:
        """llama-index's splitter, made on the first chunk: a re-ingest of unchanged files
        chunks nothing, and need not import llama-index (about 1 s) or load the tokenizer."""
        from llama_index.core.node_parser import SentenceSplitter

        return SentenceSplitter(
            chunk_size=self.chunk_size,
            chunk_overlap=self.chunk_overlap,
            tokenizer=self._tokenize,
            paragraph_separator="\n\n",
            include_metadata=False,
            include_prev_next_rel=False,
        )

    @property
    def config(self) -> str:
        """A string that names this chunking; part of every document's version."""
        return f"sentence-splitter:{self.chunk_size}:{self.chunk_overlap}"

    def chunk(self, doc: Document, version: str) -> list[Chunk]:
        """Chunks of ``doc`` whose text is exactly ``doc.text[start:end]``."""
        text = doc.text
        pieces = self._splitter.split_text(text[doc.body_start :])
        sentences = sentence_spans(text, doc.body_start)
        chunks: list[Chunk] = []
        cursor = doc.body_start
        for piece in pieces:
            piece = piece.strip()
            if not piece:
                continue
            start = text.find(piece, cursor)
            if start < 0:
                raise RuntimeError(f"chunk text not found verbatim in {doc.path}")
            end = start + len(piece)
            inside = [(max(s, start), min(e, end)) for s, e in sentences if s < end and e > start]
            inside = [(s, e) for s, e in inside if text[s:e].strip()]
            index = len(chunks)
            chunks.append(
                Chunk(
                    chunk_id=chunk_id(doc.doc_id, version, index),
                    doc_id=doc.doc_id,
                    index=index,
                    start=start,
                    end=end,
                    text=piece,
                    sentences=inside,
                )
            )
            cursor = start + 1
        return chunks
