"""Chunks: exact offsets into the document, never longer than the model reads, sentence-aware."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from qa.chunking import (
    Chunker,
    document_language,
    document_version,
    read_in_context,
    runs_on,
    sentence_spans,
)
from qa.documents import load_file
from tests.conftest import ARTICLE


def test_every_stored_chunk_of_the_corpus_is_an_exact_span_of_its_document(corpus_qa) -> None:
    text = load_file(ARTICLE).text
    docs = corpus_qa.documents()
    assert len(docs) == 1
    chunks = corpus_qa._store.get_document_chunks(docs[0].doc_id)
    assert len(chunks) >= 5
    for meta, chunk_text in chunks:
        assert text[meta["start"] : meta["end"]] == chunk_text
        assert meta["path"] == "corpus/smm-magnesium-industry-2026-01-15.md" or meta[
            "path"
        ].endswith("corpus/smm-magnesium-industry-2026-01-15.md")
        assert meta["title"].startswith("Technological Innovation")
        assert meta["doc_id"] == docs[0].doc_id


def test_chunks_cover_the_whole_body_in_order(corpus_qa) -> None:
    doc = load_file(ARTICLE)
    chunks = corpus_qa._store.get_document_chunks(corpus_qa.documents()[0].doc_id)
    starts = [m["start"] for m, _ in chunks]
    assert starts == sorted(starts)
    assert doc.text[doc.body_start : chunks[0][0]["start"]].strip() == ""
    assert doc.text[chunks[-1][0]["end"] :].strip() == ""
    for (a, _), (b, _) in itertools.pairwise(chunks):
        assert b["start"] <= a["end"] + 2  # overlap or adjacency: nothing is left out


def test_no_chunk_exceeds_what_the_embedding_model_reads(embedder, corpus_qa) -> None:
    limit = embedder.max_tokens  # 256 word pieces for all-MiniLM-L6-v2
    for _, chunk_text in corpus_qa._store.get_document_chunks(corpus_qa.documents()[0].doc_id):
        assert len(embedder.tokenize(chunk_text)) + 2 <= limit  # + [CLS] and [SEP]


def test_long_sentences_and_repeated_passages_keep_exact_offsets(embedder, tmp_path: Path) -> None:
    para = "Cobalt prices rose sharply in March. " * 3
    long_sentence = "Output " + ", ".join(f"plant {i} made {i} mt" for i in range(200)) + "."
    path = tmp_path / "repeat.md"
    path.write_text(f"# Repeat\n\n{para}\n\n{long_sentence}\n\n{para}\n", encoding="utf-8")
    doc = load_file(path)
    chunker = Chunker(embedder.tokenize, 64, 8)
    chunks = chunker.chunk(doc, document_version(doc, chunker.config))
    assert len(chunks) > 5
    for chunk in chunks:
        assert doc.text[chunk.start : chunk.end] == chunk.text
        assert len(embedder.tokenize(chunk.text)) <= 64
        for s, e in chunk.sentences:
            assert chunk.start <= s < e <= chunk.end
    assert chunks[-1].start > len(doc.text) // 2  # the repeated paragraph maps to its 2nd copy


def test_sentence_spans_split_sentences_and_lines() -> None:
    text = "Title line\nMagrathea raised $10 million. It sells to U.S. automakers.\n\nNext para."
    spans = [text[s:e] for s, e in sentence_spans(text)]
    assert spans == [
        "Title line",
        "Magrathea raised $10 million.",
        "It sells to U.S. automakers.",
        "Next para.",
    ]


def test_a_day_written_with_an_ordinal_stop_is_not_a_sentence_end() -> None:
    """ "19. Juli 2023" (German, Nordic, Czech... write the day's ordinal with a stop): the
    splitter cut "Berlin, 19." from "Juli 2023", so the dateline was never one and a body
    sentence was cut in two (a break-test). A sentence that ends in a number stays one."""
    text = (
        "Berlin, 19. Juli 2023\n"
        "Am 19. Juli 2023 eröffnete die Stadt den Park. Er ist groß.\n"
        "Oslo, 5. mai 2024 - Byen åpnet parken.\n"
        "He was 19. July was hot.\n"
    )
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Berlin, 19. Juli 2023",
        "Am 19. Juli 2023 eröffnete die Stadt den Park.",
        "Er ist groß.",
        "Oslo, 5. mai 2024 - Byen åpnet parken.",
        "He was 19.",
        "July was hot.",
    ]


def test_a_scale_word_s_stop_inside_a_sum_is_not_a_sentence_end() -> None:
    """ "48 mil. Kč" (Czech "mil." for million, the koruna's symbol after it): pysbd cut the
    sentence after "mil.", so its sum had no currency (a new-user test). A stop after a scale
    word with no currency after it still ends a sentence."""
    text = (
        "The hall will cost 48 mil. Kč. It opens in May.\n"
        "The plant will cost 48 mln. zł in all. Work starts soon.\n"
        "He paid 3 mil. The rest came later.\n"
    )
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "The hall will cost 48 mil. Kč.",
        "It opens in May.",
        "The plant will cost 48 mln. zł in all.",
        "Work starts soon.",
        "He paid 3 mil.",
        "The rest came later.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The tower is 300 m. Lei Wang designed it.",
        "The race was 40 m. Rand Paul watched it.",
        "Sales reached 7 bn. Dollar General reported it.",
    ],
)
def test_a_capitalised_currency_name_after_a_scale_stop_opens_a_sentence(text: str) -> None:
    """A break-test: "300 m. Lei Wang designed it." was one sentence ("lei" is the Romanian
    leu's plural), and "How much did the tower cost?" was answered "300 m. Yuan"."""
    assert len(sentence_spans(text)) == 2


def test_version_changes_with_text_and_with_chunking_config(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("Alpha.\n", encoding="utf-8")
    v1 = document_version(load_file(path), "cfg1")
    assert v1 == document_version(load_file(path), "cfg1")
    assert v1 != document_version(load_file(path), "cfg2")
    path.write_text("Beta.\n", encoding="utf-8")
    assert v1 != document_version(load_file(path), "cfg1")


def _sentences(text: str) -> list[str]:
    spans = sentence_spans(text)
    assert all(text[s:e] == text[s:e].strip() and text[s:e] for s, e in spans)
    return [text[s:e] for s, e in spans]


def test_sentences_of_other_scripts_end_at_their_own_marks() -> None:
    chinese = "北京今天下雨。明天会晴天！你去吗？我不去。好的。"
    assert _sentences(chinese) == [
        "北京今天下雨。",
        "明天会晴天！",
        "你去吗？",
        "我不去。",
        "好的。",
    ]
    japanese = "今日は雨です。明日は晴れるでしょう！行きますか？"
    assert _sentences(japanese) == ["今日は雨です。", "明日は晴れるでしょう！", "行きますか？"]
    hindi = "राम घर गया। सीता स्कूल गई। क्या तुम आओगे?"
    assert _sentences(hindi) == ["राम घर गया।", "सीता स्कूल गई।", "क्या तुम आओगे?"]
    arabic = "افتتح المتحف يوم السبت. هل زرت المتحف؟ سيفتح الجسر في الربيع."
    assert _sentences(arabic) == [
        "افتتح المتحف يوم السبت.",
        "هل زرت المتحف؟",
        "سيفتح الجسر في الربيع.",
    ]
    hebrew = "המוזיאון נפתח מחדש בשבת. הגשר ייפתח באביב."
    assert _sentences(hebrew) == ["המוזיאון נפתח מחדש בשבת.", "הגשר ייפתח באביב."]


def test_several_languages_in_one_text_and_table_rows() -> None:
    text = (
        "Dr. Lund paid 3.2 million euros. 北京今天下雨。明天会晴天！\n"
        "| Q3 2024 | 14.2 | 222 |\n|---|---|---|\nهل زرت المتحف؟ نعم."
    )
    assert _sentences(text) == [
        "Dr. Lund paid 3.2 million euros.",
        "北京今天下雨。",
        "明天会晴天！",
        "| Q3 2024 | 14.2 | 222 |",  # a row is one sentence; a rule line is none
        "هل زرت المتحف؟",
        "نعم.",
    ]


def test_a_chinese_document_is_stored_sentence_by_sentence(embedder, tmp_path: Path) -> None:
    path = tmp_path / "zh.md"
    sentences = ["港口今年卸货四千三百吨。", "渔船队有十五艘拖网渔船。", "新码头将于明年开放。"]
    path.write_text("# 港口新闻\n\n" + "".join(sentences) + "\n", encoding="utf-8")
    doc = load_file(path)
    chunker = Chunker(embedder.tokenize, 128, 16)
    chunks = chunker.chunk(doc, document_version(doc, chunker.config))
    stored = [doc.text[s:e] for c in chunks for s, e in c.sentences]
    assert stored == ["# 港口新闻", *sentences]


def test_a_long_document_is_split_section_by_section(embedder, tmp_path: Path, monkeypatch) -> None:
    """A document longer than a section is given to the splitter a section at a time (it
    tokenizes all it is given: a whole 20 MB file took gigabytes); chunks stay exact spans that
    cover the body in order, end at or before a section's end, and stay within the model's
    window; the version names the sectioning, so a store chunked before is re-chunked."""
    import qa.chunking

    paragraphs = [
        f"Section {n}\n\nThe harbour board of Eskild met on day {n} and agreed to spend {n * 7} "
        f"thousand euros on the breakwater. Work on part {n} begins in week {n % 52 + 1}."
        for n in range(400)
    ]
    path = tmp_path / "long.txt"
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    doc = load_file(path)
    before = document_version(doc, "c")
    monkeypatch.setattr(qa.chunking, "SECTION_CHARS", 5_000)
    spans = qa.chunking.sections(doc.text, doc.body_start)
    assert len(spans) > 10 and spans[0][0] == doc.body_start and spans[-1][1] == len(doc.text)
    assert all(b - a <= 5_000 and doc.text.startswith("\n\n", b) for a, b in spans[:-1])
    assert all(b == a2 for (_, b), (a2, _) in itertools.pairwise(spans))
    assert document_version(doc, "c") != before
    chunks = Chunker(embedder.tokenize, 128, 16).chunk(doc, "v")
    ends = [b for _, b in spans]
    for chunk, following in itertools.pairwise(chunks):
        assert doc.text[chunk.start : chunk.end] == chunk.text
        assert chunk.start < following.start
        assert any(chunk.end <= end for end in ends)
        assert not any(chunk.start < end < chunk.end for end in ends)  # within one section
        assert len(embedder.tokenize(chunk.text)) <= 128
    covered = "".join(doc.text[c.start : c.end] for c in chunks)
    assert all(p.split("\n\n")[1][:40] in covered for p in paragraphs)


def test_a_table_row_is_read_against_its_header_as_the_reader_judges_it() -> None:
    table = (
        "| Quarter | Revenue (million EUR) | Staff |\n"
        "|---------|-----------------------|-------|\n"
        "| Q1 2024 | 11.8 | 210 |\n"
        "| Q2 2024 | 12.4 | 215 |\n"
    )
    text = "Solvik Foods published its figures.\n\n" + table
    start = text.index("| Q2")
    end = text.index("\n", start)
    read = read_in_context(text, start, end, "Solvik", values_first=True)
    assert read == "Solvik: Q2 2024: 12.4 Revenue (million EUR); 215 Staff"
    assert read_in_context(text, 0, 10, "Solvik", values_first=True) == text[:10]  # prose
    # a chunk that begins inside the table has no header: its first row is data
    inside = text[text.index("| Q1") :]
    start = inside.index("| Q2")
    end = inside.index("\n", start)
    assert read_in_context(inside, start, end, "Solvik", values_first=True) == (
        "Solvik: Q2 2024; 12.4; 215"
    )


def test_the_header_of_a_table_a_chunk_begins_inside_is_found_above_it() -> None:
    from qa.chunking import begins_inside_table, table_header_above

    above = (
        "The table after 28 rounds.\n\n| Pos | Team | Pts |\n|---|---|---|\n"
        "| 1 | Vale | 60 |\n| 2 | Marske | 58 |\n"
    )
    assert table_header_above(above) == "| Pos | Team | Pts |\n|---|---|---|"
    assert table_header_above(above + "\nNext round: Vale v Marske.\n") == ""  # not inside
    assert table_header_above("| 1 | Vale | 60 |\n| 2 | Marske | 58 |\n") == ""  # top not here
    assert begins_inside_table("| 3 | Whitby | 53 |\n| 4 | Rovers | 49 |\n\nRovers won.")
    assert not begins_inside_table("| Pos | Team | Pts |\n|---|---|---|\n| 1 | Vale | 60 |")
    assert not begins_inside_table("Rovers won.\n\n| 3 | Whitby | 53 |")


def _row_read(table: str, row: str) -> str:
    """``row`` of ``table`` as the reader reads it (values first, title "T")."""
    from qa.chunking import read_in_context

    start = table.index(row)
    return read_in_context(table, start, start + len(row), "T", values_first=True)


def test_rule_rows_with_alignment_colons_and_escaped_pipes_in_cells() -> None:
    table = "| Station | Max | Min |\n|:--|--:|--:|\n| Tiree | 14.5 | 6 |\n"
    assert _row_read(table, "| Tiree | 14.5 | 6 |") == "T: Tiree: 14.5 Max; 6 Min"
    piped = "| Rule | Pattern | Hits |\n|---|---|---|\n| Rule 4 | `a \\| b` | 90 |\n"
    assert _row_read(piped, "| Rule 4 | `a \\| b` | 90 |") == "T: Rule 4: `a | b` Pattern; 90 Hits"
    # a first cell that is a figure (a position) is a value of its column, not a label
    ranked = "| Pos | Team | Pts |\n|---|---|---|\n| 19 | Tolworth Heath | 31 |\n"
    assert _row_read(ranked, "| 19 | Tolworth Heath | 31 |") == (
        "T: 19 Pos; Tolworth Heath Team; 31 Pts"
    )
    # a lone "-" is a data cell's "none", not a rule
    assert _row_read("| a | b |\n| - | - |\n| 1 | 2 |\n", "| 1 | 2 |") == "T: 1; 2"


GERMAN = (
    "Die Stadtwerke Freiburg investieren 48,5 Mio. Euro in eine Großwärmepumpe, die z. B. "
    "Schulen versorgt. Die Arbeiten beginnen am 2. April, sagte Dr. Anna Keller. Sie sagte: "
    "„Wir sind bereit.“ Danach folgt der Bau."
)


def test_a_german_document_is_split_by_german_rules() -> None:
    """pysbd splits Latin-script text by the document's language (py3langid's): German
    abbreviations ("Mio.", "z. B.", "Dr.") and a day's ordinal stop before a month English
    names too ("am 2. April") end no sentence; a closing quote stays with its sentence."""
    assert document_language(GERMAN) == "de"
    spans = [GERMAN[s:e] for s, e in sentence_spans(GERMAN, latin=document_language(GERMAN))]
    assert spans == [
        "Die Stadtwerke Freiburg investieren 48,5 Mio. Euro in eine Großwärmepumpe, die z. B. "
        "Schulen versorgt.",
        "Die Arbeiten beginnen am 2. April, sagte Dr. Anna Keller.",
        "Sie sagte: „Wir sind bereit.“",
        "Danach folgt der Bau.",
    ]
    # read by English rules (as every document was), "Mio." and "z." ended sentences
    assert len(sentence_spans(GERMAN)) > len(spans)


def test_the_chunker_splits_by_the_documents_language(embedder, tmp_path: Path) -> None:
    path = tmp_path / "waermepumpe.md"
    path.write_text(f"# Großwärmepumpe\n\n{GERMAN}\n", encoding="utf-8")
    doc = load_file(path)
    chunks = Chunker(embedder.tokenize, 128, 16).chunk(doc, "v1")
    sentences = [doc.text[s:e] for c in chunks for s, e in c.sentences]
    assert "Die Arbeiten beginnen am 2. April, sagte Dr. Anna Keller." in sentences
    assert not any(s.startswith(("Euro", "B. ", "April")) for s in sentences), sentences


def test_another_language_splits_only_where_english_rules_split_too() -> None:
    """pysbd's Polish and Dutch lists lack everyday abbreviations ("dr.", "ok."), and an
    English document may be judged German for a German code block: a language's rules end
    a sentence only where English rules end one too."""
    polish = "Według prezesa, dr. Jana Kowalskiego, prace potrwają ok. 2 lat. Potem koniec."
    assert [polish[s:e] for s, e in sentence_spans(polish, latin="pl")] == [
        "Według prezesa, dr. Jana Kowalskiego, prace potrwają ok. 2 lat.",
        "Potem koniec.",
    ]
    dutch = "Volgens wethouder dr. Jansen kost het bijv. 3 mln. euro. Dat is veel."
    assert len(sentence_spans(dutch, latin="nl")) == 2
    # a closing mark glued to the end mark stays with its sentence; an opening one after a
    # space begins the next (French « and the English-style “ in a German text)
    french = "Il est parti hier soir. « Nous viendrons demain », dit-elle. Puis elle est partie."
    assert [french[s:e] for s, e in sentence_spans(french, latin="fr")] == [
        "Il est parti hier soir.",
        "« Nous viendrons demain », dit-elle.",
        "Puis elle est partie.",
    ]
    german = "Er ging nach Hause. “Wir kommen morgen”, sagte sie. Sie sagte: „Gut.“ Dann ging sie."
    assert [german[s:e] for s, e in sentence_spans(german, latin="de")] == [
        "Er ging nach Hause.",
        "“Wir kommen morgen”, sagte sie.",
        "Sie sagte: „Gut.“",
        "Dann ging sie.",
    ]
    english = "The U.S. team at Acme Inc. shipped v2.1 on Monday. It hosted Mr. Scholz."
    assert [english[s:e] for s, e in sentence_spans(english, latin="de")] == [
        "The U.S. team at Acme Inc. shipped v2.1 on Monday.",
        "It hosted Mr. Scholz.",
    ]


def test_a_word_in_lower_case_after_an_abbreviations_stop_carries_the_sentence_on() -> None:
    """pysbd ends a sentence at any stop it has no abbreviation for, also before a word in
    lower case ("48 mln." | "di euro"). A word in lower case carries the sentence on after
    the stop of a short word or one with a stop inside, of a number or of a quotation; after
    a sentence's last word a brand in lower case may open one ("adidas"), as may a word with
    a capital inside it ("iPhone")."""
    italian = "Il gruppo investe 48 mln. di euro a Brescia. La produzione inizia a maggio."
    assert [italian[s:e] for s, e in sentence_spans(italian, latin="it")] == [
        "Il gruppo investe 48 mln. di euro a Brescia.",
        "La produzione inizia a maggio.",
    ]
    english = (
        "Bacteria such as Corynebacteria sp. and viridans streptococci live there. "
        "iPhone sales fell, as economists had forecast. adidas shares lost 2.3% after the "
        "report. Sales rose."
    )
    assert [english[s:e] for s, e in sentence_spans(english)] == [
        "Bacteria such as Corynebacteria sp. and viridans streptococci live there.",
        "iPhone sales fell, as economists had forecast.",
        "adidas shares lost 2.3% after the report.",
        "Sales rose.",
    ]
    dutch = (
        "„We verwachten herstel dit jaar.” zei hij. De haven groeit sinds de jaren 70. nog steeds."
    )
    assert [dutch[s:e] for s, e in sentence_spans(dutch, latin="nl")] == [
        "„We verwachten herstel dit jaar.” zei hij.",
        "De haven groeit sinds de jaren 70. nog steeds.",
    ]
    # a hard-wrapped line that ends at such a stop runs on into the next
    assert runs_on("Il gruppo investe 48 mln.", "di euro a Brescia.", "it")


def test_english_keeps_its_rules_and_short_texts_count_as_english() -> None:
    text = "He was 19. July was hot. She said: “Fine.” Then she left."
    assert document_language(text) == "en"
    assert [text[s:e] for s, e in sentence_spans(text, latin="en")] == [
        "He was 19.",
        "July was hot.",
        "She said: “Fine.”",
        "Then she left.",
    ]
    assert document_language("12 345") == "en"  # no letter: nothing to judge
    assert document_language("") == "en"


def test_a_closing_quote_after_a_chinese_full_stop_ends_that_sentence() -> None:
    text = "他说：“我们会来。”然后离开了。该跑道长4000米。"
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "他说：“我们会来。”",
        "然后离开了。",
        "该跑道长4000米。",
    ]
