"""Retrieval baselines run beside qa on the same questions: naive llama-index and BM25 only.

- ``naive-llamaindex``: what a llama-index quick start builds. ``VectorStoreIndex`` over the
  documents with the default ``SentenceSplitter()`` (1024 tokens, overlap 200), dense only,
  ``similarity_top_k=2``, embedded with the same model as qa (our ``Embedder`` behind a
  llama-index ``BaseEmbedding`` adapter, so both sides use identical vectors).
- ``bm25``: qa's own chunks ranked by its BM25 index alone (no dense retrieval, no fusion), so
  the difference to qa is what the dense half and the fusion add.

Each returns the ranked chunk spans of a question, scored by the same evidence rules as qa.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qa.embeddings import Embedder
from qa.evaluation.evidence import Span
from qa.types import Document

__all__ = ["BM25Baseline", "NaiveLlamaIndexBaseline", "make_baselines", "qa_embedding"]


def qa_embedding(embedder: Embedder) -> Any:
    """A llama-index ``BaseEmbedding`` that embeds with ``embedder``."""
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from pydantic import PrivateAttr

    class _QAEmbedding(BaseEmbedding):
        _embedder: Any = PrivateAttr()

        def __init__(self, inner: Embedder) -> None:
            super().__init__(model_name=inner.model_id, embed_batch_size=inner.batch_size)
            self._embedder = inner

        @classmethod
        def class_name(cls) -> str:
            return "QAEmbedding"

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._embedder.embed_one(query).tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._embedder.embed_one(text).tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._embedder.embed(texts).tolist()

    return _QAEmbedding(embedder)


class NaiveLlamaIndexBaseline:
    """``VectorStoreIndex`` + default ``SentenceSplitter``, dense top-2, same embedding model."""

    name = "naive-llamaindex"
    top_k = 2

    def __init__(self, documents: Sequence[Document], embedder: Embedder) -> None:
        from llama_index.core import Document as LlamaDocument
        from llama_index.core import VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter

        docs = [LlamaDocument(text=d.text, id_=d.doc_id) for d in documents]
        self.index = VectorStoreIndex.from_documents(
            docs, embed_model=qa_embedding(embedder), transformations=[SentenceSplitter()]
        )
        self.retriever = self.index.as_retriever(similarity_top_k=self.top_k)

    def ranked(self, question: str) -> list[Span]:
        spans = []
        for scored in self.retriever.retrieve(question):
            node = scored.node
            start = getattr(node, "start_char_idx", None)  # TextNode has offsets, BaseNode not
            end = getattr(node, "end_char_idx", None)
            if start is None or end is None:
                continue
            spans.append(Span(node.ref_doc_id or "", start, end))
        return spans


class BM25Baseline:
    """qa's chunks ranked by BM25 alone."""

    name = "bm25"
    top_k = 5

    def __init__(self, qa: Any) -> None:
        self.qa = qa

    def ranked(self, question: str) -> list[Span]:
        hits = self.qa.lexical_search(question, top_k=self.top_k)
        return [Span(h.doc_id, h.start, h.end) for h in hits]


def make_baselines(qa: Any, documents: Sequence[Document]) -> list[Any]:
    """Both baselines, built over the eval set's documents."""
    return [NaiveLlamaIndexBaseline(documents, qa.embedder), BM25Baseline(qa)]
