"""Questions about when a piece was published are answered with its dateline."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.answer.dateline import (
    dateline,
    is_publication_question,
    speaks_of_publication,
    wire_dateline,
)
from qa.types import Hit, Sentence


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("When was the report published?", True),
        ("What day did the piece on Magrathea go out?", True),
        ("At what time was this survey released?", True),
        ("When did the story come out?", True),
        ("When was the joint venture set up?", False),  # not about the piece
        ("Which report was published by SMM?", False),  # asks no time
        ("When did Magrathea release its results?", False),  # no piece
        ("When was this model released?", False),
        ("When will Magrathea publish its first output figures, according to the report?", False),
        ("When did the survey say the plant would come out of maintenance?", False),
        ("What day did the report covering Magrathea and Minago go out?", True),
    ],
)
def test_publication_questions(question: str, expected: bool) -> None:
    assert is_publication_question(question) is expected


def _first_chunk(text: str, sentences: list[tuple[int, int]]) -> Hit:
    spans = [Sentence(f"s{a}", a, b) for a, b in sentences]
    return Hit("c", "d", "t", "p", 0, len(text), text, 0.0, index=0, sentences=spans)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The report, released on 3 March, found output fell.", True),
        ("SMM published the survey on Jan 15.", True),
        ("The US seeks to de-China its supply chain by 2029.", False),
        ("Magrathea posted a net loss.", False),  # a publishing word, but no date
    ],
)
def test_sentences_that_speak_of_publication(sentence: str, expected: bool) -> None:
    assert speaks_of_publication(sentence) is expected


@pytest.mark.parametrize(
    ("sentence", "prefix"),
    [
        ("GENEVA, June 12, 2023 - The festival returns.", "GENEVA, June 12, 2023 - "),
        ("NEW YORK (Reuters) — Stocks fell on Monday.", "NEW YORK (Reuters) — "),
        ("Paris, 12 June 2023 -- The mayor said so.", "Paris, 12 June 2023 -- "),
        ("The council said - again - that it would wait.", None),
        ("EU - The Commission said no.", None),
        ("Tornby, Saturday - the bakery opened.", None),
    ],
)
def test_a_wire_dateline_opens_a_sentence(sentence: str, prefix: str | None) -> None:
    end = wire_dateline(sentence)
    assert (sentence[:end] if end is not None else None) == prefix


def test_a_wire_dateline_is_the_dateline_without_its_sentence() -> None:
    text = "Festival returns\n\nGENEVA, June 12, 2023 - The Lakeside festival will return."
    spans = [(0, 16), (18, len(text))]
    assert dateline(_first_chunk(text, spans)) == (18, 39)
    assert text[18:39] == "GENEVA, June 12, 2023"
    # on a line of its own, it is cited without its dash (a break-test)
    text = "Glacier melt record\n\nZURICH, August 3, 2023 -\nThe glaciers lost 4 percent."
    spans = [(0, 19), (21, 45), (46, len(text))]
    start, end = dateline(_first_chunk(text, spans))
    assert text[start:end] == "ZURICH, August 3, 2023"


def test_the_dateline_is_a_short_line_with_a_day_near_the_top() -> None:
    text = "# Title\n\nJan 15, 2026 14:17\n\nMagrathea signed a deal on Jan 3, 2026 with Wogen."
    spans = [(0, 7), (9, 27), (29, len(text))]
    assert dateline(_first_chunk(text, spans)) == (9, 27)
    # a long sentence that holds a day is news, not a dateline
    assert dateline(_first_chunk(text, [(0, 7), (29, len(text))])) is None
    # and so is a short one
    short = "# Title\n\nThe final was played on 7 February 2016.\n\nMore."
    assert dateline(_first_chunk(short, [(0, 7), (9, 49), (51, 56)])) is None
    # a dateline in another language (a new-user test: it led "How many bikes...?" with its day)
    french = "# Lyon va doubler le nombre de vélos\n\n*Lyon, le 22 avril 2025*\n\nLa Métropole."
    at = french.index("*Lyon")
    lines = [(0, at - 2), (at, at + 24), (at + 26, len(french))]
    assert dateline(_first_chunk(french, lines)) == (at, at + 24)
    spanish = "Madrid, 5 de mayo de 2024\n\nEl ayuntamiento aprobó el plan."
    assert dateline(_first_chunk(spanish, [(0, 25), (27, len(spanish))])) == (0, 25)
    # a short line with a number, a word and a year is no dateline unless the word is a month
    # and a short line with a weekday is a headline: "on Monday" dates an event, not the piece
    # and a day without its year or time is a headline's ("Strike to begin on March 3", a
    # break-test: it was taken before the real dateline below it)
    for line in (
        "Top 10 trails 2024",
        "Hall 4 since 2019",
        "Strike begins on Monday",
        "Strike to begin on March 3",
        "Jan 6 panel to release final report",
    ):
        text = f"{line}\n\nMore."
        assert dateline(_first_chunk(text, [(0, len(line)), (len(line) + 2, len(text))])) is None
    german = "München, 19. Juli 2023\n\nMehr."
    assert dateline(_first_chunk(german, [(0, 22), (24, len(german))])) == (0, 22)
    # days written with an ordinal, or in figures (a break-test: none was a dateline)
    for line in ("January 15th, 2026", "15th of January 2026", "01/15/2026", "15.01.2026",
                 "Oslo, 2026/01/15 09:30"):  # fmt: skip
        text = f"{line}\n\nMore."
        assert dateline(_first_chunk(text, [(0, len(line)), (len(line) + 2, len(text))])) == (
            0,
            len(line),
        ), line
    # an outlet and its day as a sentence of their own (a break-test: "Highland Observer, 9 July
    # 2025. By Ailsa MacBride" dated neither of two reports of one fire)
    for line, expected in (("Highland Observer, 9 July 2025.", True),
                           ("Reuters, July 9, 2025.", True),
                           ("The fire began on 9 July 2025.", False)):  # fmt: skip
        text = f"{line}\n\nMore."
        got = dateline(_first_chunk(text, [(0, len(line)), (len(line) + 2, len(text))]))
        assert (got == (0, len(line))) is expected, line
    # figures that are no day: a version, a fraction of a year
    for line in ("Release 1.5.2 of 2026", "Sold 12/2026 units"):
        text = f"{line}\n\nMore."
        assert dateline(_first_chunk(text, [(0, len(line)), (len(line) + 2, len(text))])) is None


def test_the_reader_answers_publication_questions_with_the_dateline(corpus_qa) -> None:
    answer = corpus_qa.ask("On what date was the magnesium survey report published?")
    assert not answer.abstained
    assert answer.citations[0].quote == "Jan 15, 2026 14:17"
    # a sentence holding some other date ("by 2029") does not say when the piece came out
    answer = corpus_qa.ask("When was the magnesium survey report published?")
    assert answer.citations[0].quote == "Jan 15, 2026 14:17"
    # a piece the corpus does not hold gets no dateline of another one
    lithium = corpus_qa.ask("When was the article on lithium batteries published?")
    assert "Jan 15" not in lithium.text
    # an event's date is still looked for in the text, not taken from the dateline
    assert "November 2025" in corpus_qa.ask("When was Arkansas Magnesium set up?").text
    # question words ("what", "did", "out") are not topic terms the piece must contain
    answer = corpus_qa.ask("What day did the piece covering Magrathea and Minago go out?")
    assert answer.citations and answer.citations[0].quote == "Jan 15, 2026 14:17"


@pytest.mark.parametrize(
    ("line", "day"),
    [
        ("January 15th, 2026", "January 15th, 2026"),
        ("15th of January 2026", "15th of January 2026"),
        ("Berlin, 19. Juli 2023", "19. Juli 2023"),
        ("Oslo, 01/15/2026 09:30", "01/15/2026"),
    ],
)
def test_a_publication_answer_leads_with_the_whole_day(
    make_qa, tmp_path: Path, line: str, day: str
) -> None:
    """A break-test: the span reader, which never saw a dateline, cut "January 15th, 2026" to
    "2026" and "19. Juli 2023" to "2023"; the answer's phrase is the dateline's whole day."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "pool.md").write_text(
        f"# Tornby opens its new swimming pool\n\n{line}\n\nThe town of Tornby opened its new "
        "swimming pool on Saturday, two years after building began.\n",
        encoding="utf-8",
    )
    qa = make_qa(corpus_dir=folder)
    qa.ingest([folder])
    answer = qa.ask("When was the article about the swimming pool published?")
    assert answer.citations and answer.citations[0].quote == line
    assert answer.short is not None and answer.short.text == day
    text = (folder / "pool.md").read_text(encoding="utf-8")
    assert text[answer.short.start : answer.short.end] == day
    if ":" in line:  # asked the time, the time
        timed = qa.ask("At what time was the article about the swimming pool published?")
        assert timed.short is not None and timed.short.text == "09:30"


def test_the_dateline_is_never_a_candidate_sentence(corpus_qa) -> None:
    # it holds a date, so as a candidate it would answer any "when" question
    question = "When will the Minago project start production?"
    reader = corpus_qa.answerer("extractive")
    hits = corpus_qa.retrieve(question)
    scored = reader.score(question, hits, corpus_qa.embedder.encode_query(question))
    assert scored and all(s.text != "Jan 15, 2026 14:17" for s in scored)
    assert corpus_qa.ask(question).abstained


def test_a_piece_without_a_dateline_abstains(make_qa, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "note.md").write_text(
        "# Magnesium note\n\nMagrathea extracts magnesium from brine by electrolysis.\n"
    )
    qa = make_qa(corpus_dir=folder)
    qa.ingest([folder])
    assert qa.ask("When was the note on magnesium published?").abstained


def _cleanup_page_qa(make_qa, tmp_path: Path, byline: str):
    """A QA over one page on a river cleanup, ``byline`` (HTML) under its headline."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "cleanup.html").write_text(
        "<html><head><title>River Cleanup Draws Volunteers</title></head><body><article>"
        f"<h1>River Cleanup Draws Volunteers</h1>{byline}"
        "<p>More than 500 volunteers joined the annual cleanup of the Avon river on Saturday."
        " They collected three tonnes of rubbish from the banks, the organisers said.</p>"
        "<p>The cleanup has been held every autumn since 2009 and is funded by the county"
        " council.</p></article></body></html>"
    )
    qa = make_qa(corpus_dir=folder)
    qa.ingest([folder])
    return qa


def test_a_page_byline_dropped_by_trafilatura_still_dates_the_piece(
    make_qa, tmp_path: Path
) -> None:
    # a break-test: a date of the piece's events answered when it was published ("Saturday");
    # trafilatura leaves the byline out of the text and keeps its author and date as metadata,
    # which now stand in a line of their own above the title
    byline = '<p class="byline">By Priya Raman, October 12, 2025</p>'
    qa = _cleanup_page_qa(make_qa, tmp_path, byline)
    answer = qa.ask("When was the article about the river cleanup published?")
    assert answer.short is not None and answer.short.text == "2025-10-12", answer.text
    assert answer.citations[0].quote == "By Priya Raman · 2025-10-12"
    assert "Saturday" not in answer.text
    wrote = qa.ask("Who wrote the article about the river cleanup?")
    assert wrote.short is not None and wrote.short.text == "Priya Raman", wrote.text
    assert not qa.ask("When did volunteers join the cleanup of the Avon river?").abstained


def test_a_piece_without_a_dateline_gives_no_other_date(make_qa, tmp_path: Path) -> None:
    """A page with no date anywhere (text or metadata): "When was it published?" is refused
    for the missing dateline, not answered with a date of its events ("Saturday")."""
    qa = _cleanup_page_qa(make_qa, tmp_path, "")
    answer = qa.ask("When was the article about the river cleanup published?")
    assert answer.abstained and any("no dateline" in n.text for n in answer.notes)
