"""The scale benchmark's store filler writes the store qa itself would have written.

``tests/bench/bench_scale.py`` ingests a few editions for real and fills the rest through
qa's record layout with reused vectors; its figures mean something only if qa reads that
store as its own: offsets that cut the files' text, versions a re-ingest accepts, an index
that finds the filled editions. Real ``chroma run`` server, real bundled model.
"""

from __future__ import annotations

from pathlib import Path

from qa.documents import load_file
from tests.bench.bench_scale import Grower, edition_path, tag


def test_filled_editions_are_what_qa_ingest_would_store(
    make_qa, chroma_server: str, tmp_path: Path
) -> None:
    qa = make_qa(chroma_url=chroma_server, collection="scale")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    grower = Grower(qa, corpus, noise=0.1, first_step=2)
    grower.ingest_to(1)
    assert grower.real == 2
    real_chunks = qa.info()["chunks"]
    grower.fill_to(real_chunks * 3)
    assert grower.editions > grower.real
    info = qa.info()
    assert info["chunks"] >= real_chunks * 3
    assert info["documents"] == grower.editions

    # every stored chunk of a filled edition cuts its file's text at its offsets
    docs = {load_file(edition_path(corpus, i)).doc_id: i for i in range(grower.editions)}
    texts = {i: load_file(edition_path(corpus, i)).text for i in range(grower.editions)}
    got = qa._store.chunks().get(include=["metadatas", "documents"])
    filled = 0
    for meta, text in zip(got["metadatas"], got["documents"], strict=True):
        i = docs[meta["doc_id"]]
        assert texts[i][meta["start"] : meta["end"]] == text
        filled += i >= grower.real
    assert filled == info["chunks"] - real_chunks

    # qa's own ingest finds every filled edition already complete: nothing is re-written
    report = qa.ingest([corpus])
    assert report.chunks_written == 0
    assert len(report.unchanged) == grower.editions

    # a filled edition is found and cited from the store
    last = grower.editions - 1
    hits = qa.lexical_search(f"{tag(last)} note 1", top_k=1)
    assert docs[hits[0].doc_id] == last
    assert texts[last][hits[0].start : hits[0].end] == hits[0].text
    answer = qa.ask("How much working capital did Wogen provide to Magrathea?")
    assert not answer.abstained
    for c in answer.citations:
        assert texts[docs[c.doc_id]][c.start : c.end] == c.quote
