"""QA.context: the paragraph around a citation is a slice of the document text stored at
ingest (one record per document version), not a stitch of chunks, and not the file as it is now."""

from __future__ import annotations

import shutil
from pathlib import Path

from qa.documents import load_file
from qa.pipeline import stitched_context
from tests.conftest import ARTICLE

QUESTIONS = (
    "How much working capital did Wogen provide to Magrathea?",
    "How much dolomite does Minago plan to use?",
    "What did China's magnesium exports do in 2025?",
    "Who is the CEO of Magrathea?",
)


def _stitched(qa, doc_id: str, start: int, end: int, max_chars: int) -> tuple[int, str]:
    pieces = qa._store.get_document_chunks(doc_id)
    version = pieces[0][0]["version"]
    return stitched_context(pieces, version, doc_id, start, end, max_chars)


def test_context_equals_the_old_stitching_on_the_article_citations(corpus_qa) -> None:
    text = load_file(ARTICLE).text
    doc_id = next(d.doc_id for d in corpus_qa.documents() if d.path.endswith(ARTICLE.name))
    version = corpus_qa._store.get_document_chunks(doc_id)[0][0]["version"]
    assert corpus_qa._store.document_text(doc_id, version) == text  # stored, so sliced
    spans = set()
    for question in QUESTIONS:
        answer = corpus_qa.ask(question)
        spans |= {(c.start, c.end) for c in answer.citations if c.doc_id == doc_id}
        for hit in corpus_qa.retrieve(question):
            spans |= {(s.start, s.end) for s in hit.sentences if hit.doc_id == doc_id}
    assert len(spans) >= 10
    for start, end in sorted(spans):
        for max_chars in (280, 600, 700):
            offset, paragraph = corpus_qa.context(doc_id, start, end, max_chars=max_chars)
            assert (offset, paragraph) == _stitched(corpus_qa, doc_id, start, end, max_chars)
            assert paragraph[start - offset : end - offset] == text[start:end]


def test_context_comes_from_the_stored_text_after_the_file_changed(make_qa, tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    path = folder / ARTICLE.name
    shutil.copy(ARTICLE, path)
    qa = make_qa(corpus_dir=folder)
    qa.ingest([folder])
    answer = qa.ask(QUESTIONS[0])
    cited = answer.citations[0]
    before = qa.context(cited.doc_id, cited.start, cited.end)
    old_version = qa._store.get_document_chunks(cited.doc_id)[0][0]["version"]

    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("Magrathea", "Zaphod"), encoding="utf-8")  # not ingested
    offset, paragraph = qa.context(cited.doc_id, cited.start, cited.end)
    assert (offset, paragraph) == before
    assert paragraph[cited.start - offset : cited.end - offset] == cited.quote
    assert "Magrathea" in paragraph and "Zaphod" not in paragraph

    qa.ingest([folder])  # the new version's text replaces the old one's
    new_version = qa._store.get_document_chunks(cited.doc_id)[0][0]["version"]
    assert new_version != old_version
    assert qa._store.document_text(cited.doc_id, old_version) is None
    assert qa._store.document_text(cited.doc_id, new_version) == load_file(path).text
    offset, paragraph = qa.context(cited.doc_id, cited.start, cited.end)
    assert "Zaphod" in paragraph

    qa.remove(cited.doc_id)
    assert qa._store.document_text(cited.doc_id, new_version) is None


def test_a_long_text_is_stored_in_parts_and_read_back_whole(make_qa, tmp_path, monkeypatch):
    """A text over ``TEXT_PART_CHARS`` is stored as parts (Chroma holds memory in proportion to
    a record): read back whole, sliced for context, gone with its document, and not read back
    when a part is missing (an ingest stopped part way through the text)."""
    import qa.store

    monkeypatch.setattr(qa.store, "TEXT_PART_CHARS", 1000)
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(ARTICLE, folder / ARTICLE.name)
    text = load_file(folder / ARTICLE.name).text
    qa_ = make_qa(corpus_dir=folder)
    qa_.ingest([folder])
    cited = qa_.ask(QUESTIONS[0]).citations[0]
    version = qa_._store.get_document_chunks(cited.doc_id)[0][0]["version"]
    records = qa_._store._get(qa_._store.text_name).get(include=["metadatas"])
    assert len(records["ids"]) == -(-len(text) // 1000) > 3
    assert qa_._store.document_text(cited.doc_id, version) == text
    offset, paragraph = qa_.context(cited.doc_id, cited.start, cited.end)
    assert paragraph[cited.start - offset : cited.end - offset] == cited.quote

    qa_._store._get(qa_._store.text_name).delete(ids=[records["ids"][1]])
    assert qa_._store.document_text(cited.doc_id, version) is None
    qa_.remove(cited.doc_id)
    assert qa_._store._get(qa_._store.text_name).get()["ids"] == []
