"""A document stored complete under another path (a moved folder, a copy of a file) is not
embedded again: its vectors are copied from that stored copy's records."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ARTICLE

TABLE_DOC = """Solvik Metals reported its figures for the year. The smelter in Porsgrunn ran at full
capacity.

| Quarter | Revenue (million EUR) | Staff |
|---|---|---|
| Q2 2024 | 12.4 | 215 |
| Q3 2024 | 14.2 | 222 |

The company expects demand from car makers to grow next year.
"""  # no heading: its title is its file's name

FERRY = (
    "# Tornby ferry\n\nThe Tornby ferry carried 41,000 people in May. Its new dock opens in June.\n"
)

QUESTIONS = (
    "How much working capital did Wogen provide to Magrathea?",
    "How many people did the Tornby ferry carry?",
    "What revenue did Solvik report in Q3 2024?",
)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """The same vector, as Chroma gives it back: a vector read from a cosine collection and
    written again may come back a float32 unit in the last place apart (chromadb 1.5)."""
    return bool(np.allclose(a, b, rtol=0, atol=1e-6))


def _vectors(qa) -> dict[tuple[int, str], np.ndarray]:
    """Every stored vector by (collection: 0 sentences, 1 chunks; id without its doc_id)."""
    out = {}
    for n, col in enumerate((qa._store.sentences(), qa._store.chunks())):
        got = col.get(include=["embeddings"])
        for i, v in zip(got["ids"], got["embeddings"], strict=True):
            out[(n, i.split("-", 1)[1])] = np.asarray(v, dtype=np.float32)
    return out


def _records_of(qa, doc_id: str) -> dict[tuple[int, str], np.ndarray]:
    return {key: v for key, v in _vectors_by_id(qa).items() if key[1].startswith(f"{doc_id}-")}


def _vectors_by_id(qa) -> dict[tuple[int, str], np.ndarray]:
    out = {}
    for n, col in enumerate((qa._store.sentences(), qa._store.chunks())):
        got = col.get(include=["embeddings"])
        for i, v in zip(got["ids"], got["embeddings"], strict=True):
            out[(n, i)] = np.asarray(v, dtype=np.float32)
    return out


def _cited(qa) -> list[list[tuple]]:
    """Per question, its citations without their path or doc_id."""
    return [[(c.title, c.start, c.end, c.quote) for c in qa.ask(q).citations] for q in QUESTIONS]


@pytest.fixture
def embedded_texts(embedder, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the shared embedder is asked to embed (``embed`` and ``embed_spans``), as
    they come, from the moment the fixture is used."""
    texts: list[str] = []
    embed, embed_spans = embedder.embed, embedder.embed_spans

    def counted(batch, *args, **kwargs):
        texts.extend(batch)
        return embed(batch, *args, **kwargs)

    def counted_spans(batch, spans, *args, **kwargs):
        texts.extend(batch)
        return embed_spans(batch, spans, *args, **kwargs)

    monkeypatch.setattr(embedder, "embed", counted)
    monkeypatch.setattr(embedder, "embed_spans", counted_spans)
    return texts


def _folder(path: Path, files: dict[str, str]) -> Path:
    path.mkdir()
    for name, text in files.items():
        (path / name).write_text(text, encoding="utf-8")
    return path


NEWS = {
    "article.md": ARTICLE.read_text(encoding="utf-8"),
    "ferry.md": FERRY,
    "solvik.md": TABLE_DOC,
}


@pytest.mark.parametrize("sentence_vectors", ["separate", "pooled"])
def test_a_moved_folder_is_not_embedded_again(
    make_qa, tmp_path: Path, sentence_vectors: str, embedded_texts: list[str]
) -> None:
    """The folder renamed, `--exclusive` of its new path: every record is written under the
    new doc_ids with its old vectors (copied before the old copy is deleted in the same run),
    nothing is embedded, and the answers cite the same spans."""
    news = _folder(tmp_path / "news", NEWS)
    qa = make_qa(sentence_vectors=sentence_vectors)
    first = qa.ingest([news])
    before = _vectors(qa)
    cited = _cited(qa)
    assert all(cited)
    news.rename(tmp_path / "news-2026")

    embedded_texts.clear()
    moved = make_qa(sentence_vectors=sentence_vectors)
    report = moved.ingest([tmp_path / "news-2026"], exclusive=True)
    assert embedded_texts == []  # the embedder was asked for nothing
    assert len(report.added) == len(report.removed) == 3
    assert report.reused == report.chunks_written == first.chunks == report.chunks
    assert _vectors(moved).keys() == before.keys()  # the same records, the old ones gone
    for key, vector in _vectors(moved).items():
        assert _same(vector, before[key]), key
    assert {Path(d.path).parent.name for d in moved.documents()} == {"news-2026"}
    assert _cited(moved) == cited
    assert moved.ingest([tmp_path / "news-2026"]).chunks_written == 0  # stored complete


def test_a_copy_is_reused_and_an_edited_copy_embedded(
    make_qa, tmp_path: Path, embedded_texts: list[str]
) -> None:
    qa = make_qa()
    qa.ingest([_folder(tmp_path / "a", NEWS)])
    donor = next(d for d in qa._store.documents().values() if d.path.endswith("article.md"))
    edited = NEWS["article.md"].replace("Jan 15, 2026", "Jan 16, 2026")
    assert edited != NEWS["article.md"]
    embedded_texts.clear()
    b = _folder(tmp_path / "b", {"article.md": NEWS["article.md"], "edited.md": edited})
    report = qa.ingest([b])
    assert len(report.added) == 2 and report.removed == []
    stored = {Path(d.path).name: d for d in qa._store.documents().values() if "/b/" in d.source}
    copy, fresh = stored["article.md"], stored["edited.md"]
    [(version, n_copy)] = copy.versions.items()
    assert donor.versions == {version: n_copy}  # the same version: the copy's donor
    [n_edited] = fresh.versions.values()
    assert report.reused == n_copy and report.chunks_written == n_copy + n_edited
    # only the edited copy's records were embedded: its chunks and sentences
    own = _records_of(qa, fresh.doc_id)
    assert len(embedded_texts) == len(own)
    mine, theirs = _records_of(qa, copy.doc_id), _records_of(qa, donor.doc_id)
    assert len(mine) == len(theirs) > n_copy
    for (n, rid), vector in mine.items():
        donor_id = donor.doc_id + rid[len(copy.doc_id) :]
        assert _same(vector, theirs[(n, donor_id)])


def test_a_table_copied_under_another_name_reads_its_rows_under_its_own_title(
    make_qa, tmp_path: Path, embedded_texts: list[str]
) -> None:
    """A title made from the file name is not part of the version, and a table row is
    embedded under its document's title: the rows of a copy with another name are embedded
    again, its other records copied."""
    qa = make_qa()
    qa.ingest([_folder(tmp_path / "a", {"solvik.md": TABLE_DOC})])
    embedded_texts.clear()
    report = qa.ingest([_folder(tmp_path / "b", {"solvik-copy.md": TABLE_DOC})])
    assert report.reused == report.chunks_written > 0
    assert embedded_texts and all(t.startswith("solvik copy: ") for t in embedded_texts)
    assert len(embedded_texts) == 3  # the header row and two data rows
    donor, copy = sorted(qa._store.documents().values(), key=lambda d: d.title)
    assert (donor.title, copy.title) == ("solvik", "solvik copy")
    mine, theirs = _records_of(qa, copy.doc_id), _records_of(qa, donor.doc_id)
    rows = [
        k
        for k in mine
        if k[0] == 0 and not _same(mine[k], theirs[(0, donor.doc_id + k[1][len(copy.doc_id) :])])
    ]
    assert len(rows) == 3 and len(mine) > 3  # the rows differ, the rest is the donor's


def test_an_interrupted_donor_is_not_used(
    make_qa, tmp_path: Path, embedded_texts: list[str]
) -> None:
    """A version stored without all its chunks (an ingest killed before its last one) gives
    no vectors: its copy is embedded whole."""
    qa = make_qa()
    qa.ingest([_folder(tmp_path / "a", {"article.md": NEWS["article.md"]})])
    [donor] = qa._store.documents().values()
    [(version, n)] = donor.versions.items()
    last = qa._store.chunks().get(where={"index": n - 1}, include=[])["ids"]
    qa._store.chunks().delete(ids=last)  # the last chunk never written
    assert not qa._store.documents()[donor.doc_id].complete(version)
    embedded_texts.clear()
    report = qa.ingest([_folder(tmp_path / "b", {"article.md": NEWS["article.md"]})])
    assert report.reused == 0 and report.chunks_written == n
    copy = next(d for d in qa._store.documents().values() if "/b/" in d.source)
    assert {t for _, t in qa._store.get_document_chunks(copy.doc_id)} <= set(embedded_texts)
    assert copy.complete(version) and len(_records_of(qa, copy.doc_id)) == len(embedded_texts)


def test_a_copy_later_in_the_same_run_takes_the_first_ones_vectors(
    make_qa, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two copies ingested in one run: once the first is written, the second copies it (the
    records batched with the first's are embedded as ever)."""
    import qa.ingest

    monkeypatch.setattr(qa.ingest, "EMBED_GROUP", 1)  # a batch a chunk
    a = _folder(tmp_path / "a", {"article.md": NEWS["article.md"]})
    b = _folder(tmp_path / "b", {"article.md": NEWS["article.md"]})
    qa_ = make_qa()
    report = qa_.ingest([a, b])
    assert len(report.added) == 2 and report.chunks_written == report.chunks
    assert 0 < report.reused < report.chunks // 2
    first, second = sorted(qa_._store.documents().values(), key=lambda d: d.source)
    mine, theirs = _records_of(qa_, second.doc_id), _records_of(qa_, first.doc_id)
    same = [
        key
        for key, vector in mine.items()
        if _same(vector, theirs[(key[0], first.doc_id + key[1][len(second.doc_id) :])])
    ]
    assert len(same) >= report.reused


def test_a_moved_folder_on_a_server_store_is_not_embedded_again(
    make_qa, tmp_path: Path, chroma_server: str, embedded_texts: list[str]
) -> None:
    news = _folder(tmp_path / "news", {"article.md": NEWS["article.md"], "ferry.md": FERRY})
    qa = make_qa(chroma_url=chroma_server, collection="reuse-test")
    first = qa.ingest([news])
    before = _vectors(qa)
    news.rename(tmp_path / "news-2026")
    embedded_texts.clear()
    report = qa.ingest([tmp_path / "news-2026"])  # not exclusive: both copies stay
    assert len(report.added) == 2 and report.removed == []
    assert report.reused == report.chunks_written == first.chunks and embedded_texts == []
    after = _vectors(qa)
    assert after.keys() == before.keys()  # the same content keys, under two doc_ids each
    assert qa._store.count()[0] == 2 * first.chunks
    for (n, rid), vector in _vectors_by_id(qa).items():
        assert _same(vector, before[(n, rid.split("-", 1)[1])])
