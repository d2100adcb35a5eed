"""Hybrid retrieval: dense and BM25 both contribute, fused by reciprocal rank."""

from __future__ import annotations

from qa.retrieval import fuse


def test_rrf_rewards_items_both_rankings_agree_on() -> None:
    fused = fuse([["a", "b", "c"], ["c", "a", "d"]], k=60)
    order = [item for item, _ in fused]
    assert order[0] == "a"  # ranks 1 and 2
    assert order.index("c") < order.index("b")  # ranks 3 and 1 beat rank 2 alone
    assert set(order) == {"a", "b", "c", "d"}
    assert abs(dict(fused)["a"] - (1 / 61 + 1 / 62)) < 1e-12


def test_top_k_is_respected_and_hits_carry_exact_spans(corpus_qa) -> None:
    from qa.documents import load_file
    from tests.conftest import ARTICLE

    text = load_file(ARTICLE).text
    for k in (1, 3):
        hits = corpus_qa.retrieve("Who owns the Minago project?", top_k=k)
        assert len(hits) == k
        for hit in hits:
            assert text[hit.start : hit.end] == hit.text
    top2 = corpus_qa.retrieve("Who owns the Minago project?", top_k=2)
    assert any("Norway House Cree Nation" in h.text for h in top2)


def test_both_retrievers_contribute(corpus_qa) -> None:
    hits = corpus_qa.retrieve("lemonzhao@smm.cn", top_k=5)
    assert "lemonzhao@smm.cn" in hits[0].text
    assert hits[0].lexical_rank == 1  # an exact token only BM25 is sure about
    hits = corpus_qa.retrieve("lightweight electric motors for cars", top_k=5)
    assert any(h.dense_rank is not None for h in hits)
    assert all(h.score > 0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_lexical_index_is_persisted_and_reloaded(make_qa, isolated_home) -> None:
    qa = make_qa()
    qa.ingest()
    fp = qa.lexical_index().fingerprint
    fresh = make_qa()
    assert fresh.lexical_index().fingerprint == fp
    assert fresh.lexical_index().search("dolomite", 3)


def test_a_store_whose_chunks_hold_no_search_term_still_answers(make_qa, tmp_path) -> None:
    (tmp_path / "a.txt").write_text("The\n", encoding="utf-8")  # only a stop word
    qa = make_qa()
    qa.ingest([tmp_path])
    assert qa.lexical_index().search("the", 3) == []
    assert make_qa().lexical_index().fingerprint == qa.lexical_index().fingerprint  # reloaded
    assert qa.ask("What is the bakery called?").abstained
    (tmp_path / "b.md").write_text("Tin output rose 3% in May.\n", encoding="utf-8")
    qa.ingest([tmp_path])
    assert [i for i, _ in qa.lexical_index().search("tin output", 3)]


def test_an_article_saved_twice_fills_no_slot_twice(make_qa, tmp_path) -> None:
    import shutil

    from tests.conftest import ARTICLE

    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(ARTICLE, copy / "saved-again.md")
    shutil.copy(ARTICLE, copy / "and-again.md")
    qa = make_qa()
    qa.ingest([ARTICLE.parent, copy])
    assert len(qa.documents()) == 3
    hits = qa.retrieve("How much working capital did Wogen provide to Magrathea?", top_k=5)
    texts = [" ".join(h.text.split()) for h in hits]
    assert len(hits) == 5 and len(set(texts)) == 5
    answer = qa.ask("Who owns the Minago project, and what does BBT's ATR technology claim?")
    quotes = [" ".join(c.quote.split()) for c in answer.citations]
    assert len(quotes) == len(set(quotes))


def test_the_reader_takes_the_same_words_in_two_documents_for_one_sentence() -> None:
    from qa.answer.extractive import ScoredSentence, _overlap
    from qa.types import Hit

    text = "Wogen provided $10 million."

    def sentence(doc_id: str, start: int) -> ScoredSentence:
        hit = Hit(f"{doc_id}-c", doc_id, "t", "p", start, start + len(text) + 1, text + " ", 0.0)
        return ScoredSentence(hit, start, start + len(text), text, 0, 0, frozenset(), 0)

    assert _overlap(sentence("a", 0), sentence("b", 40))  # a copy, elsewhere
    other = sentence("b", 40)
    other.text = "Wogen provided $12 million."
    assert not _overlap(sentence("a", 0), other)


def test_rrf_ties_are_broken_by_the_tie_key_not_the_id() -> None:
    # "d1-v9" is 2nd in one ranking only, "d2-v1" 2nd in the other only: equal sums
    tied = fuse([["x", "d1-v9"], ["y", "d2-v1"]], k=60, tie=lambda i: i.split("-")[-1])
    assert [item for item, _ in tied][2:] == ["d2-v1", "d1-v9"]
    by_id = fuse([["x", "d1-v9"], ["y", "d2-v1"]], k=60)
    assert [item for item, _ in by_id][2:] == ["d1-v9", "d2-v1"]


def test_one_corpus_ranks_the_same_wherever_its_files_are(embedder, tmp_path) -> None:
    """Chunk ids hold a hash of the file's path, so breaking ties by id made the same corpus
    rank differently from another folder (eval runs from two QA_HOMEs answered differently)."""
    from qa import QA, Settings

    towns = ["Tornby", "Varde", "Kestrel", "Solvik", "Riverton", "Maple", "Osterby", "Lund"]
    things = ["library", "tram line", "harbour", "school", "bakery", "museum", "bridge", "park"]
    questions = [f"When will the {t} {x} open?" for t in towns[:4] for x in things[:5]]
    rankings = []
    for name in ("first", "second/deeper"):
        folder = tmp_path / name / "news"
        folder.mkdir(parents=True)
        for i, town in enumerate(towns):
            for j, thing in enumerate(things):
                (folder / f"{town}-{thing}.md").write_text(
                    f"# {town} {thing}\n\nThe {town} {thing} will open in {2026 + (i + j) % 4}."
                    f" It cost {3 + i * j} million euros, the {town} council said.\n",
                    encoding="utf-8",
                )
        for original in ("Tornby-library", "Varde-museum"):  # one text in two files
            text = (folder / f"{original}.md").read_text(encoding="utf-8")
            (folder / f"{original}-copy.md").write_text(text, encoding="utf-8")
        qa = QA(Settings(home=tmp_path / name / "home"), embedder=embedder)
        qa.ingest([folder])
        rankings.append(
            [
                [(h.path.split("news/")[-1], h.start) for h in qa.retrieve(q, top_k=8)]
                for q in questions
            ]
        )
    assert rankings[0] == rankings[1]
    first = [name for name, _ in rankings[0][0]]  # "When will the Tornby library open?"
    assert first[0] == "Tornby-library-copy.md"  # the copy whose file name sorts first
    assert "Tornby-library.md" not in first  # and the other copy takes no rank


def test_bm25_finds_a_chinese_word_inside_a_clause() -> None:
    """Chinese is written without spaces: BM25 indexes its text as character pairs (as
    Lucene's CJK analyzer does), so "跑道" in a question matches "该跑道长4000米" in a clause;
    as whole clauses, no question term matched any chunk."""
    from qa.lexical import BM25Index, terms

    assert "跑道" in terms(["第三跑道有多长？"])[0]
    index = BM25Index.build(
        ["runway", "funding"],
        [
            "成都天府机场第三跑道于2025年3月12日投入使用，该跑道长4000米。",
            "根据公告，项目一期投资31亿元。",
        ],
    )
    assert [i for i, _ in index.search("第三跑道有多长？", 2)][:1] == ["runway"]
    assert [i for i, _ in index.search("项目一期投资多少？", 2)][:1] == ["funding"]
