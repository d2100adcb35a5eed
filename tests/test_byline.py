"""Questions about who wrote a piece are answered with its byline (a new-user test: "Who wrote
the article about the tram extension?" was answered "The city council")."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.answer.byline import byline, byline_name, is_authorship_question, speaks_of_writing
from qa.types import Hit, Sentence
from tests.support.folders import docs_qa


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who wrote the article about the tram extension?", True),
        ("Which reporter wrote this story?", True),
        ("Who is the author of the piece on Magrathea?", True),
        ("Who was the story on the harbour written by?", True),
        ("Who wrote the bridge article?", True),  # its topic before the piece
        ("Who wrote the solar farm story?", True),
        ("Who was the medical report written for?", False),  # for whom, not by whom
        ("Who wrote the Federalist Papers?", False),  # not the piece
        ("Who wrote to the council about the tram?", False),
        ("Who leads the council?", False),
    ],
)
def test_authorship_questions(question: str, expected: bool) -> None:
    assert is_authorship_question(question) is expected


def test_sentences_that_speak_of_writing() -> None:
    assert speaks_of_writing("The report, written by the IEA, warns of shortages.")
    assert not speaks_of_writing("The council approved the tram extension.")


def _first_chunk(text: str, sentences: list[tuple[int, int]]) -> Hit:
    spans = [Sentence(f"s{a}", a, b) for a, b in sentences]
    return Hit("c", "d", "t", "p", 0, len(text), text, 0.0, index=0, sentences=spans)


def test_the_byline_is_a_short_by_line_that_names_someone() -> None:
    text = "# Tram line extended\n\nBy Mira Holt\n\nThe council approved the extension."
    spans = [(0, 20), (22, 34), (36, len(text))]
    assert byline(_first_chunk(text, spans)) == (22, 34)
    for line in ("By 2030", "By the end of the year, prices rose.", "Bypass opens"):
        other = f"{line}\n\nMore."
        got = _first_chunk(other, [(0, len(line)), (len(line) + 2, len(other))])
        assert byline(got) is None, line
    german = "Von Anna Schmidt\n\nMehr."
    assert byline(_first_chunk(german, [(0, 16), (18, len(german))])) == (0, 16)


def _tram_qa(make_qa, tmp_path: Path, byline_line: str):
    text = (
        f"# Tram line to Ekvik extended\n\n{byline_line}"
        "The city council approved the extension of the tram line to Ekvik on Tuesday. "
        "Construction will start in March and the line will open in 2028.\n\n"
        "The extension will cost 48 million euros.\n"
    )
    return docs_qa(make_qa, tmp_path, {"tram.md": text})[0]


def test_the_reader_answers_who_wrote_the_piece_with_its_byline(make_qa, tmp_path: Path) -> None:
    qa = _tram_qa(make_qa, tmp_path, "By Mira Holt\n\n")
    answer = qa.ask("Who wrote the article about the tram extension?")
    assert not answer.abstained, answer.text
    assert [c.quote for c in answer.citations] == ["By Mira Holt"]
    # the byline is no candidate for other questions
    other = qa.ask("Who approved the extension of the tram line?")
    assert all("Mira Holt" not in c.quote for c in other.citations), other.text


def test_a_piece_without_a_byline_names_no_author(make_qa, tmp_path: Path) -> None:
    qa = _tram_qa(make_qa, tmp_path, "")
    answer = qa.ask("Who wrote the article about the tram extension?")
    assert answer.abstained and any("no byline" in n.text for n in answer.notes), answer.text


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("By Priya Raman · 2025-10-12", "Priya Raman"),
        ("By Jean-Luc O'Brien and Ana Núñez, Reuters", "Jean-Luc O'Brien and Ana Núñez"),
        ("BY MIRA HOLT", "MIRA HOLT"),
        ("By Jo Lee (AP)", "Jo Lee"),
        ("Von Anna Schmidt", "Anna Schmidt"),
        # a break-test's PDF: the outlet and day first, on the same line
        ("Nordic Business Daily • 14 August 2025 • By Sindre Haugland", "Sindre Haugland"),
        ("Reuters | March 3, 2025 | By Jo Lee", "Jo Lee"),
    ],
)
def test_the_names_of_a_byline(line: str, names: str) -> None:
    span = byline_name(line)
    assert span is not None and line[span[0] : span[1]] == names


@pytest.mark.parametrize(
    ("line", "is_one"),
    [
        ("By Maris Tamm, Baltic Freight Journal, 9 January 2025", True),
        ("By Ursula von der Leyen", True),
        ("BY MIRA HOLT", True),
        # a break-test: headlines that open with "By" (16 words are allowed since then)
        ("By Friday the Council Must Decide on the Depot Sale", False),
        ("By March 14, 2025, the council must choose a buyer", False),
        ("By Friday", False),
        ("By 2030", False),
        ("Prices rose | by the end of May", False),
        ("The plan • by 2030 • will", False),
    ],
)
def test_a_byline_names_someone(line: str, is_one: bool) -> None:
    from qa.answer.byline import is_byline

    assert is_byline(line) is is_one


def test_a_front_matter_author_and_a_page_byline_answer_who_wrote_it(
    make_qa, tmp_path: Path
) -> None:
    """A new-user test: "Who wrote the bridge article?" was refused although the Markdown front
    matter says "author: Dana Whitcombe", and an HTML page's author (its <meta>, which
    trafilatura keeps as metadata only) was lost too. The answer cites the front matter's value
    and the page's byline line, each an exact span of the stored text."""
    from qa.documents import load_file

    bridge = (
        "---\ntitle: Port Ellery approves new harbor bridge\ndate: 2024-03-14\n"
        'author: "Dana Whitcombe"\n---\n# Port Ellery approves new harbor bridge\n\n'
        "The Port Ellery city council voted seven to two on Tuesday to approve a new bridge"
        " across the inner harbor. The project will cost $48.5 million.\n"
    )
    solar = (
        "<html><head><title>Kestrel Energy opens solar farm</title>"
        '<meta name="author" content="Priya Nandakumar"><meta name="date" content="2024-08-21">'
        "</head><body><article><h1>Kestrel Energy opens solar farm</h1><p>Kestrel Energy"
        " switched on its Dunmore Valley solar farm on Wednesday. The farm has a capacity of 310"
        " megawatts.</p></article></body></html>"
    )
    qa, folder = docs_qa(make_qa, tmp_path, {"bridge.md": bridge, "solar.html": solar})
    for question, name, doc in [
        ("Who wrote the bridge article?", "Dana Whitcombe", "bridge.md"),
        ("Who wrote the solar farm story?", "Priya Nandakumar", "solar.html"),
    ]:
        answer = qa.ask(question)
        assert not answer.abstained, answer.text
        assert answer.text.startswith(name), answer.text
        assert answer.short is not None and answer.short.text == name, answer.text
        (cited,) = answer.citations
        assert cited.path.endswith(doc) and name in cited.quote
        text = load_file(folder / doc).text
        assert text[cited.start : cited.end] == cited.quote
    when = qa.ask("When was the bridge article published?")
    assert when.short is not None and when.short.text == "2024-03-14", when.text
    assert when.citations[0].quote == "2024-03-14"


def test_a_list_of_authors_and_an_iso_datetime_answer_who_and_when(make_qa, tmp_path: Path) -> None:
    """A break-test: "authors:" as a YAML list, an author map and a TOML front matter gave no
    author, and an ISO datetime was given whole. Each author's line is cited; the day (or
    the time, when asked) leads the datetime's citation."""
    from qa.documents import load_file

    crane = (
        "---\ntitle: Harbour crane contract signed\ndate: 2024-03-14T09:30:00+01:00\n"
        "authors:\n  - Dana Whitfield\n  - Lee Kim\n---\nThe port of Rosvik signed a contract"
        " for two new cranes on Tuesday. The cranes cost 12 million euros.\n"
    )
    roof = (
        "---\ntitle: School roof repaired\nauthor:\n  name: Priya Raman\n  email: p@example.org"
        "\n---\nThe roof of Northside School was repaired over the summer.\n"
    )
    bridge = (
        '+++\ntitle = "Bridge reopens"\ndate = 2024-07-09T08:00:00Z\nauthor = "Jonas Lind"\n'
        "+++\nThe Elm Street bridge reopened on Monday after eight months of repairs.\n"
    )
    qa, folder = docs_qa(
        make_qa, tmp_path, {"crane.md": crane, "roof.md": roof, "bridge.md": bridge}
    )
    texts = {name: load_file(folder / name).text for name in ("crane.md", "roof.md", "bridge.md")}

    def cited(answer) -> list[str]:
        for c in answer.citations:
            assert texts[Path(c.path).name][c.start : c.end] == c.quote
        return [c.quote for c in answer.citations]

    both = qa.ask("Who wrote the crane article?")
    assert cited(both) == ["Dana Whitfield", "Lee Kim"], both.text
    assert "Dana Whitfield [1]" in both.text and "Lee Kim [2]" in both.text
    roof_author = qa.ask("Who wrote the school roof article?")
    assert roof_author.short is not None and roof_author.short.text == "Priya Raman"
    assert cited(roof_author) == ["Priya Raman"]
    bridge_author = qa.ask("Who wrote the bridge article?")
    assert bridge_author.short is not None and bridge_author.short.text == "Jonas Lind"
    for question, phrase, quote in [
        ("When was the crane article published?", "2024-03-14", "2024-03-14T09:30:00+01:00"),
        ("At what time was the crane article published?", "09:30", "2024-03-14T09:30:00+01:00"),
        ("When was the bridge article published?", "2024-07-09", "2024-07-09T08:00:00Z"),
    ]:
        answer = qa.ask(question)
        assert answer.short is not None and answer.short.text == phrase, answer.text
        assert cited(answer) == [quote]


def test_a_page_byline_emptied_by_the_extractor_is_shown_as_on_the_page(
    make_qa, tmp_path: Path
) -> None:
    """A break-test: trafilatura took a page's byline name and date out as metadata, leaving
    "By |", and the page's generic <meta> author ("Newsroom Staff") answered who wrote it. The
    byline stands in the text as the page shows it and answers; the <meta> author does not."""
    from qa.documents import load_file

    page = (
        '<html><head><title>Stadium plan rejected</title><meta name="author" content="Newsroom'
        ' Staff"></head><body><article><h1>Stadium plan rejected</h1><p>By <span class="author">'
        'Fiona Marsh</span> | <time datetime="2019-10-12">12 October 2019</time></p><p>The'
        " planning board of Eastvale rejected a new 30,000-seat stadium on Thursday.</p>"
        "<p>Chairman Rui Costa said the club would appeal the decision.</p></article></body></html>"
    )
    qa, folder = docs_qa(make_qa, tmp_path, {"stadium.html": page})
    text = load_file(folder / "stadium.html").text
    assert "By Fiona Marsh | 12 October 2019\n" in text and "By |" not in text
    assert "Newsroom Staff" not in text
    answer = qa.ask("Who wrote the stadium article?")
    assert answer.short is not None and answer.short.text == "Fiona Marsh", answer.text
    (cited,) = answer.citations
    assert text[cited.start : cited.end] == cited.quote


def test_a_byline_with_its_outlet_and_day_answers_who_and_when(make_qa, tmp_path: Path) -> None:
    """A break-test (a PDF): "By Maris Tamm, Baltic Freight Journal, 9 January 2025" was no
    byline at nine words (the dateline's limit), so who wrote it and when were both refused.
    It answers both, the day read out of the line."""
    port = (
        "Port of Kesk Bay handles record container volumes in 2024\n\n"
        "By Maris Tamm, Baltic Freight Journal, 9 January 2025\n\n"
        "The Port of Kesk Bay in Estonia handled 412,000 containers in 2024, a record for the"
        " harbour, the port authority said on Thursday.\n"
    )
    qa, _ = docs_qa(make_qa, tmp_path, {"port.txt": port})
    line = "By Maris Tamm, Baltic Freight Journal, 9 January 2025"
    author = qa.ask("Who wrote the article about the Port of Kesk Bay?")
    assert author.short is not None and author.short.text == "Maris Tamm", author.text
    when = qa.ask("When was the article about the Port of Kesk Bay published?")
    assert when.short is not None and when.short.text == "9 January 2025", when.text
    assert [c.quote for c in author.citations] == [c.quote for c in when.citations] == [line]


def test_a_sentence_about_writing_another_piece_does_not_hide_the_byline(
    make_qa, tmp_path: Path
) -> None:
    """A break-test: "Who wrote the pier article?" was answered with the engineer who wrote a
    safety report the article cites (that sentence speaks of writing); the article's byline
    answers it, and the report's author still answers who wrote the report."""
    pier = (
        "Cracks found in the Linmouth pier\n\nBy Karen Holt\n\n"
        "A safety report written by engineer Paul Dressler found deep cracks in three of the"
        " pier's supports. The council closed the pier on Monday and will decide on repairs"
        " next month.\n"
    )
    qa, _ = docs_qa(make_qa, tmp_path, {"pier.txt": pier})
    article = qa.ask("Who wrote the pier article?")
    assert article.short is not None and article.short.text == "Karen Holt", article.text
    report = qa.ask("Who wrote the safety report on the pier?")
    assert report.short is not None and "Paul Dressler" in report.short.text, report.text
