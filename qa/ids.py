"""Store ids of chunks and sentences: content-hash versions make them stable and idempotent.

A document's ``version`` is a hash of its text and the chunking config
(``qa.chunking.document_version``); every record of that version carries it in its id, so a
re-ingest of the same text writes the same ids and a changed text writes new ones.
"""

from __future__ import annotations

__all__ = ["chunk_id", "doc_version", "first_chunk_id", "sentence_id", "text_id"]


def chunk_id(doc_id: str, version: str, index: int) -> str:
    """The store id of a document version's ``index``-th chunk (0 = the first)."""
    return f"{doc_id}-{version}-{index:05d}"


def content_key(chunk_id: str) -> str:
    """A chunk id without its document id (a hash of the path): the version (a hash of the
    text) and the index, so an order over chunks is the same wherever a corpus's files are."""
    return chunk_id.split("-", 1)[-1]


def doc_version(chunk_id: str) -> tuple[str, str]:
    """The (doc_id, version) a chunk id names (ids and versions hold no "-" of their own)."""
    doc_id, version, _ = chunk_id.split("-", 2)
    return doc_id, version


def first_chunk_id(doc_id: str, version: str) -> str:
    """The store id of a document version's first chunk (the one that holds its dateline)."""
    return chunk_id(doc_id, version, 0)


def sentence_id(doc_id: str, version: str, start: int, end: int) -> str:
    """The store id of the embedding of the sentence ``text[start:end]`` of a document version."""
    return f"{doc_id}-{version}-{start}-{end}"


def text_id(doc_id: str, version: str) -> str:
    """The store id of a document version's whole text (what a citation's paragraph is cut from)."""
    return f"{doc_id}-{version}"
