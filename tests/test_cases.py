"""The failing documents of tests/data/cases (a copy of ../shared/cases), each through the real
pipeline (ingest, then ask with the extractive reader), and other members of each kind.

Each case asserts on what is cited: a citation whose quote holds the right value, and which is
exactly the stored text at its offsets. Wording of answers is the reader's and is not checked.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa.documents import load_file, set_tables, unwrap
from tests.support.pdf import make_pdf

CASES = Path(__file__).resolve().parent / "data" / "cases"


def _ingested(make_qa, tmp_path: Path, *files: Path):
    folder = tmp_path / "docs"
    folder.mkdir(exist_ok=True)
    for f in files:
        shutil.copy(f, folder / f.name)
    qa = make_qa(mode="extractive")
    report = qa.ingest([folder])
    assert report.skipped == []
    return qa, folder


def _quotes(qa, question: str) -> list[str]:
    """The quotes cited for ``question``, each checked against the stored text at its offsets."""
    answer = qa.ask(question)
    for c in answer.citations:
        source = qa.source_of(c.doc_id)
        assert source is not None and load_file(source).text[c.start : c.end] == c.quote
    return [c.quote for c in answer.citations]


def _cites(qa, question: str, value: str) -> str:
    quotes = _quotes(qa, question)
    found = [q for q in quotes if value in q]
    assert found, f"{question!r}: no citation holds {value!r}; cited {quotes}"
    return found[0]


def _row_is_the_unit(qa, question: str, row: str, value: str, *, first: bool = True) -> None:
    """A table question is answered from its row: the row is one sentence of the retrieved
    chunk, of all stored sentences its embedding (read under its header) is nearest the
    question, and the answer cites the row (first, with ``first``: the reader judges a row
    against its header, "215 Staff" is a number of staff); any other citation holding the
    value is that row."""
    import numpy as np

    hit = qa.retrieve(question, top_k=1)[0]
    assert row in [hit.span_text(s.start, s.end) for s in hit.sentences]
    got = qa._store.sentences().get(include=["embeddings", "documents"])
    vectors = np.asarray(got["embeddings"])
    query = qa.embedder.encode_query(question).vector
    best = int(np.argmax(vectors @ query / np.linalg.norm(vectors, axis=1)))
    assert got["documents"][best] == row
    quotes = _quotes(qa, question)
    assert value in row and row in (quotes[:1] if first else quotes), f"{question!r}: {quotes}"
    for quote in quotes:
        assert value not in quote or quote == row


# ---- pdf-ligatures ---------------------------------------------------------------------------
def test_pdf_ligatures_case(make_qa, tmp_path: Path) -> None:
    pdf = CASES / "pdf-ligatures" / "landings.pdf"
    text = load_file(pdf).text
    assert not set(text) & set("ﬀﬁﬂﬃﬄ") and "fifteen trawlers" in text
    qa, _ = _ingested(make_qa, tmp_path, pdf)
    _cites(qa, "How many trawlers are in the fleet?", "fifteen")
    quote = _cites(qa, "How many tonnes of fish were landed at Brisk harbour last year?", "4,300")
    assert "900" not in quote


def test_other_ligatures_in_a_pdf_read_as_their_letters(make_qa, tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    pdf = tmp_path / "src" / "staff.pdf"
    pdf.write_bytes(
        make_pdf(
            [
                [
                    "Port authority staffing",
                    "The port authority employs 82 staﬀ in its harbour oﬃce.",
                    "The baﬄing rules on ﬂag ﬁnes were dropped in May.",
                ]
            ]
        )
    )
    text = load_file(pdf).text
    assert "82 staff in its harbour office." in text
    assert "The baffling rules on flag fines" in text
    qa, _ = _ingested(make_qa, tmp_path, pdf)
    _cites(qa, "How many staff work in the harbour office?", "82 staff")


def test_private_use_fi_and_fl_in_a_pdf_read_as_their_letters(tmp_path: Path) -> None:
    """Some fonts give fi and fl Apple's private-use code points (a PDF printed by Chromium,
    from a new-user test): they read as the letters, not as "\uf001shermen"."""
    pdf = tmp_path / "silt.pdf"
    pdf.write_bytes(make_pdf([["Local \uf001shermen said the \uf002oating barriers failed."]]))
    assert "Local fishermen said the floating barriers failed." in load_file(pdf).text


# ---- pdf-line-wraps --------------------------------------------------------------------------
FUND_SENTENCE = (
    "The council of Dornhal approved on Monday a budget for the new pedestrian bridge of "
    "3.2 million euros, to be paid from the regional infrastructure fund."
)


def test_pdf_line_wraps_case(make_qa, tmp_path: Path) -> None:
    pdf = CASES / "pdf-line-wraps" / "dornhal.pdf"
    assert FUND_SENTENCE in load_file(pdf).text
    qa, _ = _ingested(make_qa, tmp_path, pdf)
    quote = _cites(
        qa, "Which fund will pay for the Dornhal bridge?", "regional infrastructure fund"
    )
    assert FUND_SENTENCE in quote  # the whole sentence, not the line up to "infra-"
    _cites(qa, "How much is the budget for the Dornhal pedestrian bridge?", "3.2 million euros")
    _cites(qa, "Which company will build the bridge?", "Velde")


def test_hard_wrapped_text_with_windows_line_endings_reads_as_sentences(tmp_path: Path) -> None:
    lines = [
        "Harbour news",
        "",
        "The harbour board of Eskild agreed on Friday to spend 7.5 million",
        "euros on a new breakwater, to be paid by the national coastal pro-",
        "tection programme. Work will begin in June.",
        "",
        "- first item",
        "- second item",
    ]
    path = tmp_path / "eskild.txt"
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    doc = load_file(path)
    assert "\r" not in doc.text
    assert (
        "The harbour board of Eskild agreed on Friday to spend 7.5 million euros on a new "
        "breakwater, to be paid by the national coastal protection programme. Work will begin "
        "in June." in doc.text
    )
    assert doc.text.startswith("Harbour news\n\n")  # a heading keeps its line
    assert "\n- first item\n- second item" in doc.text  # list items are not joined


def test_a_wrapped_name_joins_and_a_two_line_heading_stays_apart() -> None:
    """PDF text comes without blank lines (a new-user test): a headline over two lines is not
    glued to the body for being as long, joined, as a wrapped line, and a line whose next word
    would not have fitted on it was wrapped even when it is shorter than most."""
    text = (
        "Brackwater commission\n"
        "backs rail electrification\n"
        "In section 4, the Brackwater regional transportation\n"
        "commission evaluated extraordinarily complicated\n"
        "corridor estimated at 168 million dollars.\n"
        "The commission's chairwoman, Ottilie\n"
        "Venkataraman, said the electrification programme\n"
        "would be completed by September 2029.\n"
    )
    out = unwrap(text)
    assert out.startswith("Brackwater commission backs rail electrification\nIn section 4,")
    assert "The commission's chairwoman, Ottilie Venkataraman, said the" in out


def test_a_wrap_after_an_abbreviation_or_a_hyphenated_name_is_joined() -> None:
    """A break-test: a line ending in "Mr." or "U.S." kept its break ("...run by Mr." cited
    alone), and a name hyphenated at a line's end got a space ("Fitzgerald- Okonkwo"). The
    sentence splitter says where a stop ends an abbreviation; a sentence's own stop still ends
    the line."""
    text = (
        "The new bakery on the market square of Tornby is run by Mr.\n"
        "Okonkwo, who moved here from Lagos in 2019 and trained in Vienna.\n"
        "The loan was approved by the office of the U.S.\n"
        "Treasury on Monday after months of talks with the town council.\n"
        "The report was written by the historian Margaret Fitzgerald-\n"
        "Okonkwo, who has studied the harbour for twenty years by now.\n"
        "Her book on the harbour was published by the town museum in May.\n"
        "It sold out in two weeks, and a second printing is planned.\n"
    )
    lines = unwrap(text).split("\n")
    assert lines[0].endswith(
        "run by Mr. Okonkwo, who moved here from Lagos in 2019 and trained in Vienna."
    )
    assert lines[1] == (
        "The loan was approved by the office of the U.S. Treasury on Monday after months of "
        "talks with the town council."
    )
    assert "Margaret Fitzgerald-Okonkwo, who" in lines[2]
    assert lines[3].startswith("Her book") and lines[3].endswith("in May.")
    assert lines[4].startswith("It sold out")


def test_a_compound_broken_at_its_hyphen_keeps_it_and_a_broken_word_is_joined() -> None:
    """A break-test: "state-" / "owned" read "stateowned", so "state-owned" was never found.
    The document's own spelling decides first, then the bundled word list; a word broken
    anywhere else is joined whole, in English or not."""
    text = (
        "The smelter in Tornby is run by a state-\n"
        "owned company whose co-\n"
        "founder signed a non-\n"
        "binding agreement for the infor-\n"
        "mation office and the Magnesium-\n"
        "produktion of the anti-inflam-\n"
        "matory plant, with an off-\n"
        "take deal. The offtake deal was signed.\n"
    )
    out = unwrap(text)
    for compound in ("state-owned company", "co-founder", "non-binding"):
        assert compound in out
    for word in ("information office", "Magnesiumproduktion", "anti-inflammatory"):
        assert word in out
    # "off" and "take" are both words, but the document spells it "offtake"
    assert "with an offtake deal" in out
    # a second break-test: a figure before the hyphen got a space ("20- year"), a capital after
    # it kept the line break ("mid-\nMarch"), and German "ge-" / "plant" kept its hyphen
    # because both halves are English words
    text = (
        "The shipyard in Vlissingen signed a 20-\n"
        "year contract with the provincial government in mid-\n"
        "March, for two CO2-\n"
        "free ferries to be delivered in the season 2023-\n"
        "24, the company said on Monday.\n\n"
        "Die neue Bürgermeisterin wurde am Sonntag gewählt. Die Amtsübernahme ist für den ersten\n"
        "Juli ge-\n"
        "plant, teilte die Stadt mit. Die Wahlbeteiligung lag bei 48 Prozent.\n"
    )
    out = unwrap(text)
    for joined in (
        "a 20-year contract",
        "in mid-March, for",
        "two CO2-free",
        "2023-24,",
        "geplant,",
    ):
        assert joined in out


def test_pdf_with_windows_line_endings_and_two_pages(tmp_path: Path) -> None:
    pdf = tmp_path / "minutes.pdf"
    pdf.write_bytes(
        make_pdf(
            [
                ["Council minutes", "The council met on Tuesday and agreed to repair the\r\nold"],
                ["library roof before winter."],
            ]
        )
    )
    doc = load_file(pdf)
    assert "\r" not in doc.text
    assert "agreed to repair the old" in doc.text


# ---- html-boilerplate ------------------------------------------------------------------------
BOILERPLATE = ("cookies", "Most read", "12 euros", "timetable subscriptions", "Subscribe")


def test_html_boilerplate_case(make_qa, tmp_path: Path) -> None:
    page = CASES / "html-boilerplate" / "ferry.html"
    doc = load_file(page)
    for junk in BOILERPLATE:  # banner, navigation, "most read" box and footer are not content
        assert junk not in doc.text
    assert doc.metadata["author"] == "Jon Aas" and doc.metadata["published"] == "2025-03-01"
    assert doc.title == "Ferry fare to rise to 9 euros"
    qa, _ = _ingested(make_qa, tmp_path, page)
    quote = _cites(qa, "How much will the adult ferry fare to Lindholm be?", "9 euros")
    assert "12 euros" not in quote
    # the banner is not content: nothing in the store speaks of cookies
    assert qa.ask("How long do the cookies last?").abstained
    # the footer's subscription price is not stored either, and no sentence of the article
    # answers it (the reader's no-answer score): not found, and no citation of boilerplate
    subscription = qa.ask("How much does a ferry timetable subscription cost?")
    assert subscription.abstained and subscription.citations == []


def test_html_table_rows_are_cited_whole(make_qa, tmp_path: Path) -> None:
    page = tmp_path / "src.html"
    page.write_text(
        "<html><head><title>Tornby harbour traffic</title></head><body><article>"
        "<h1>Tornby harbour traffic</h1>"
        "<p>The port of Tornby published its passenger and cargo figures for 2024 on Monday, "
        "and the harbour master said traffic grew in every quarter of the year.</p>"
        "<table><thead><tr><th>Quarter</th><th>Passengers</th><th>Cargo (tonnes)</th></tr>"
        "</thead><tbody><tr><td>Q1 2024</td><td>41,000</td><td>8,100</td></tr>"
        "<tr><td>Q2 2024</td><td>56,500</td><td>9,300</td></tr>"
        "<tr><td>Q3 2024</td><td>77,200</td><td>9,900</td></tr></tbody></table>"
        "<p>The harbour plans a second ferry berth for 2026.</p></article></body></html>",
        encoding="utf-8",
    )
    doc = load_file(page)
    row = "| Q2 2024 | 56,500 | 9,300 |"
    assert row in doc.text.split("\n")
    qa, _ = _ingested(make_qa, tmp_path, page)
    question = "How many passengers did the port of Tornby have in Q2 2024?"
    # cited second: the reader puts the sentence introducing the figures first
    _row_is_the_unit(qa, question, row, "56,500", first=False)


# ---- off-corpus -----------------------------------------------------------------------------
def test_off_corpus_case_answers_what_the_corpus_says(make_qa, tmp_path: Path) -> None:
    """The answerable row of the off-corpus case. (Its other question, on the library's
    opening hours, must be "not found": that is the reader's no-answer score, issue 22.)"""
    qa, _ = _ingested(
        make_qa, tmp_path, CASES / "off-corpus" / "bakery.md", CASES / "off-corpus" / "tram.md"
    )
    _cites(qa, "When will the new tram line between Tornby and Ekvik open?", "2028")
    # a number written as a word is a number of staff (issue 22)
    _cites(qa, "How many staff did the new bakery in Tornby hire?", "six staff")


# ---- markdown-table --------------------------------------------------------------------------
def test_markdown_table_case(make_qa, tmp_path: Path) -> None:
    qa, _ = _ingested(make_qa, tmp_path, CASES / "markdown-table" / "results.md")
    row_q3 = "| Q3 2024 | 14.2                  | 222   |"
    row_q2 = "| Q2 2024 | 12.4                  | 215   |"
    _row_is_the_unit(qa, "What was Solvik Foods' revenue in Q3 2024?", row_q3, "14.2")
    _row_is_the_unit(qa, "How many staff did Solvik Foods have in Q2 2024?", row_q2, "215")
    _cites(qa, "How many people does Solvik Foods expect to hire next year?", "30 more")


def test_a_row_named_by_a_compound_is_answered(make_qa, tmp_path: Path) -> None:
    """A break-test: "How much does a day pass cost?" read "a day" as a rate asked for, so no
    row of the fares table held it and the reader abstained."""
    page = tmp_path / "fares.md"
    page.write_text(
        "# Tornby raises tram fares\n\n"
        "Tornby's transport company will raise its fares on 1 March, the council said.\n\n"
        "| Ticket | Price from March |\n|---|---|\n"
        "| Single ride | 2.40 euros |\n| Day pass | 7.50 euros |\n| Monthly pass | 49 euros |\n\n"
        "Children under six travel free, as before.\n",
        encoding="utf-8",
    )
    qa, _ = _ingested(make_qa, tmp_path, page)
    _row_is_the_unit(qa, "How much does a day pass cost?", "| Day pass | 7.50 euros |", "7.50")


_TEAMS = [
    "Ashby Vale", "Brenton Town", "Corrick United", "Dunmere Rovers", "Elsworth Albion",
    "Farley Athletic", "Garston Park", "Holbeck City", "Ingleby Wanderers", "Jarrow Heath",
    "Kelsey Borough", "Lanford Celtic", "Marwick Town", "Norbury United", "Oakham Rangers",
    "Pelton Villa", "Quarry Bank", "Redcar Saints", "Selby Forge", "Thornaby Star",
    "Ulverston Dale", "Varley Mills",
]  # fmt: skip


def _league_table(tmp_path: Path) -> tuple[Path, list[str]]:
    """A league table longer than a chunk, with abbreviated column names: the page, its rows."""
    rows = []
    for n, team in enumerate(_TEAMS, start=1):
        won, drawn = 20 - n // 2, 4 + n % 3
        lost = 28 - won - drawn
        points = 3 * won + drawn
        rows.append(
            f"| {n} | {team} | 28 | {won} | {drawn} | {lost} | {40 - 3 * n:+d} | {points} |"
        )
    page = tmp_path / "league.md"
    page.write_text(
        "# Northern League table after 28 rounds\n\n"
        "Ashby Vale stay top after a goalless draw, two points clear of Brenton Town. The bottom "
        "three are relegated, and Selby Forge are four points from safety.\n\n"
        "| Pos | Team | P | W | D | L | GD | Pts |\n|---|---|---|---|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n\nThe next round is played on Saturday.\n",
        encoding="utf-8",
    )
    return page, rows


def test_a_long_tables_rows_are_read_against_its_abbreviated_header(
    make_qa, tmp_path: Path
) -> None:
    """A break-test: a league table longer than a chunk. A row in a later chunk was read
    without its header row (in the chunk before), and "Pts" is not "points", so "How many
    points do ... have?" got a number of the prose. The row is read under its header, found in
    the chunks above, with "Pts" read as the question's "points", and leads the answer."""
    page, rows = _league_table(tmp_path)
    qa, _ = _ingested(make_qa, tmp_path, page)
    n = _TEAMS.index("Thornaby Star")
    row = rows[n]
    points = row.strip(" |").split(" | ")[-1]
    hit = next(h for h in qa.retrieve("How many points do Thornaby Star have?") if row in h.text)
    assert hit.table_header.startswith("| Pos | Team |")  # the header is in an earlier chunk
    answer = qa.ask("How many points do Thornaby Star have?")
    assert answer.short is not None and answer.short.text == points
    cited = answer.citations[answer.short.citation - 1]
    assert cited.quote == row
    difference = qa.ask("What is Thornaby Star's goal difference?")
    assert difference.short is not None
    assert difference.short.text == row.strip(" |").split(" | ")[-2]
    position = qa.ask("What position are Thornaby Star in?")  # the first column
    assert position.short is not None and position.short.text == str(n + 1)


def test_a_table_many_chunks_long_without_overlap_keeps_its_header(make_qa, tmp_path: Path) -> None:
    """A break-test: rows longer than the chunks' overlap make chunks that touch without
    overlapping (the line break between them in neither), which read as a gap, so no later
    chunk found its header; and a header more than three chunks up was not looked for."""
    rows = [
        f"| Company {n:02d} Holdings | C{n:02d}H | {100 + n * 1.37:.2f} | {n % 7 - 3:+.1f}% | "
        f"{120 + n * 7},000 | {0.5 + n * 0.11:.2f} | {8 + n % 13}.{n % 10} | {1 + n % 4}.{n % 9}% |"
        for n in range(1, 61)
    ]
    page = tmp_path / "markets.md"
    page.write_text(
        "# Closing prices\n\nShares closed mixed on Friday.\n\n"
        "| Company | Ticker | Close | Chg | Vol | EPS | P/E | Div Yld |\n"
        "|---|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    qa, _ = _ingested(make_qa, tmp_path, page)
    row = rows[57]
    question = "What are the earnings per share of Company 58 Holdings?"
    hit = next(h for h in qa.retrieve(question) if row in h.text)
    assert hit.index >= 5 and hit.table_header.startswith("| Company | Ticker |")
    answer = qa.ask(question)
    assert answer.short is not None and answer.short.text == row.split(" | ")[5]
    assert answer.citations[answer.short.citation - 1].quote == row


def test_an_llm_reads_table_rows_with_their_column_names(make_qa, tmp_path: Path) -> None:
    """The passages an LLM reads are a few sentences around the best ones: rows of a table
    without its header row gave the model figures with no column names. Such a passage's
    source block names its columns, whether the header is in its chunk or in one above."""
    from qa.answer.passages import select_passages
    from qa.answer.prompts import answer_messages

    page, rows = _league_table(tmp_path)
    qa, _ = _ingested(make_qa, tmp_path, page)
    header = "| Pos | Team | P | W | D | L | GD | Pts |"
    for team in ("Corrick United", "Thornaby Star"):  # the first chunk, a later one
        row = rows[_TEAMS.index(team)]
        hit = next(h for h in qa.retrieve(f"How many points do {team} have?") if row in h.text)
        start = hit.start + hit.text.index(row)
        (passage,) = select_passages([(hit, start, start + len(row))], count=1)
        assert header not in passage.text and row in passage.text
        prompt = answer_messages(f"How many points do {team} have?", [passage])[1]["content"]
        assert f'columns="{header}"' in prompt
    prose = next(h for h in qa.retrieve("Who stays top?") if h.index == 0)
    first = prose.sentences[1]
    (passage,) = select_passages([(prose, first.start, first.end)], count=1, window=0)
    assert "columns=" not in answer_messages("Who stays top?", [passage])[1]["content"]


FARES_TXT = """Tornby raises tram fares

Tornby's transport company will raise its fares on 1 March, the council
said on Tuesday. The new prices were approved by a large majority of the
council members after a long debate.

Ticket          Price      Valid
Single ride     2.40 EUR   90 minutes
Day pass        7.50 EUR   until 3 am
Monthly pass    49.00 EUR  one month

Opening hours of the service centre:
Monday to Friday: 8:00 to 18:00
Saturday: 9:00 to 14:00
"""


def test_a_table_set_in_spaces_is_read_as_rows(make_qa, tmp_path: Path) -> None:
    """A break-test: a plain-text table set in spaces was joined into one line, cited whole
    for any fare, and "label: value" lines ran together. Its rows are now Markdown rows under
    a header, each cited alone."""
    page = tmp_path / "fares.txt"
    page.write_text(FARES_TXT, encoding="utf-8")
    lines = load_file(page).text.split("\n")
    assert lines[4:9] == [
        "| Ticket | Price | Valid |",
        "|---|---|---|",
        "| Single ride | 2.40 EUR | 90 minutes |",
        "| Day pass | 7.50 EUR | until 3 am |",
        "| Monthly pass | 49.00 EUR | one month |",
    ]
    assert lines[11:13] == ["Monday to Friday: 8:00 to 18:00", "Saturday: 9:00 to 14:00"]
    assert lines[2].endswith(
        "the council said on Tuesday. The new prices were approved by a "
        "large majority of the council members after a long debate."
    )
    qa, _ = _ingested(make_qa, tmp_path, page)
    _row_is_the_unit(
        qa, "How much does a day pass cost?", "| Day pass | 7.50 EUR | until 3 am |", "7.50"
    )


def test_tab_tables_and_right_aligned_figures_are_rows_and_justified_prose_is_not() -> None:
    tabs = "Quarter\tRevenue\tStaff\nQ1 2024\t11.8\t210\nQ2 2024\t12.4\t215\n"
    assert set_tables(tabs).split("\n")[:4] == [
        "| Quarter | Revenue | Staff |",
        "|---|---|---|",
        "| Q1 2024 | 11.8 | 210 |",
        "| Q2 2024 | 12.4 | 215 |",
    ]
    # two columns, figures right-aligned: rows without a header (a label and its value)
    box = "Founded           1898\nStaff               62\nRevenue   12.4 million\n"
    assert set_tables(box).split("\n")[:3] == [
        "| Founded | 1898 |",
        "| Staff | 62 |",
        "| Revenue | 12.4 million |",
    ]
    justified = (
        "The  council said on Tuesday that the new tram line between\n"
        "Tornby and Ekvik will open in 2028, two  years later than it\n"
        "had planned, because of a shortage of rails.\n"
    )
    assert set_tables(justified) == justified
    assert unwrap(set_tables(justified)).count("\n") == 1


def test_a_rows_value_is_taken_from_the_column_the_question_names(make_qa, tmp_path: Path) -> None:
    """A new-user test: "How many tonnes were recycled in Halden in 2022?" got the 2023 column's
    10,450, and was refused when the unit stood only in the column's name ("Recycled tonnes
    2023"); "under the new fares" got the old price."""
    page = tmp_path / "results.md"
    page.write_text(
        "# Recycling results\n\nThe regional waste agency published its figures on Tuesday.\n\n"
        "| Municipality | Households | Recycled tonnes 2022 | Recycled tonnes 2023 |\n"
        "|---|---|---|---|\n| Halden | 14,200 | 9,800 | 10,450 |\n"
        "| Fredrikstad | 39,800 | 25,600 | 27,900 |\n\n"
        "| Ticket | Old price | New price |\n|---|---|---|\n"
        "| Single ride | 2.80 euros | 3.20 euros |\n| Day pass | 6.90 euros | 7.50 euros |\n",
        encoding="utf-8",
    )
    qa, _ = _ingested(make_qa, tmp_path, page)
    for question, value in [
        ("How many tonnes were recycled in Halden in 2022?", "9,800"),
        ("How many tonnes did Fredrikstad recycle in 2023?", "27,900"),
        ("What does a single ride cost under the new fares?", "3.20"),
    ]:
        answer = qa.ask(question)
        assert answer.short is not None and value in answer.short.text, (question, answer.text)


def test_an_empty_cell_of_the_named_column_gives_no_other_value(make_qa, tmp_path: Path) -> None:
    """A break-test: "How much is a family day ticket for a child?" led with 52.00, the adult
    price, as the child's cell is "n/a". The row is cited; no other column's value leads."""
    page = tmp_path / "zoo.md"
    page.write_text(
        "# Zoo admission prices\n\nRiverside Zoo has published its prices for the summer.\n\n"
        "| Ticket type | Adult | Child | Senior |\n|---|---|---|---|\n"
        "| Standard | 18.00 euros | 9.50 euros | 14.00 euros |\n"
        "| Family day | 52.00 euros | n/a | n/a |\n",
        encoding="utf-8",
    )
    qa, _ = _ingested(make_qa, tmp_path, page)
    answer = qa.ask("How much is a family day ticket for a child?")
    assert "| Family day |" in answer.citations[0].quote
    assert answer.short is None or "52.00" not in answer.short.text
    answer = qa.ask("How much is a family day ticket for an adult?")
    assert answer.short is not None and "52.00" in answer.short.text


def _bus_fares_pdf(path: Path) -> None:
    """A page with a fares table set in cells and, below it, two columns of prose side by side
    (made with fpdf2, as a word processor sets them)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 8, "County bus fares for 2024", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, "TRURO, December 1, 2023 - Cornwall council published its bus fares.")
    rows = [("Ticket", "Adult", "Child"), ("Single", "2.00 pounds", "1.00 pounds")]
    rows += [("Day rover", "5.00 pounds", "2.50 pounds"), ("Weekly", "18.00 pounds", "9.00 pounds")]
    for row in rows:
        for k, cell in enumerate(row):
            last = k == len(row) - 1
            pdf.cell(
                50, 7, cell, new_x="LMARGIN" if last else "RIGHT", new_y="NEXT" if last else "TOP"
            )
    left = ["The harbour handled 12 ships", "in 2023, up from 9 ships in"]
    right = ["Its staff grew to 45 people", "from 38 people, and 2 cranes"]
    for a, b in zip(left, right, strict=True):
        pdf.cell(90, 6, a)
        pdf.cell(90, 6, b, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


@pytest.mark.parametrize(
    ("table", "rows"),
    [
        # an empty cell: the row keeps its columns (a break-test: rows ran together)
        (
            "Ticket        Adult     Child     Senior\n"
            "Day pass      12.00     6.00      8.00\n"
            "Evening       9.00                7.00\n"
            "Annual        60.00     30.00\n",
            ["| Ticket | Adult | Child | Senior |", "|---|---|---|---|",
             "| Day pass | 12.00 | 6.00 | 8.00 |", "| Evening | 9.00 |  | 7.00 |",
             "| Annual | 60.00 | 30.00 |  |"],
        ),
        # years name the columns; figures set flush right under them
        (
            "Material      2021     2022     2023\n"
            "Paper        8,100    8,400    8,950\n"
            "Glass        3,200    3,050    2,980\n",
            ["| Material | 2021 | 2022 | 2023 |", "|---|---|---|---|",
             "| Paper | 8,100 | 8,400 | 8,950 |", "| Glass | 3,200 | 3,050 | 2,980 |"],
        ),
        # a centred header over labels and figures set flush right; "-" for none
        (
            "     Country     Gold    Silver\n"
            "  Norway           16         8\n"
            "  Germany          12         -\n",
            ["| Country | Gold | Silver |", "|---|---|---|", "| Norway | 16 | 8 |",
             "| Germany | 12 | - |"],
        ),
        # tabs: the header's longer names pass the values' tab stops
        (
            "Fuel\tOld price\tNew price\nPetrol\t1.65\t1.72\nDiesel\t1.58\t1.70\n",
            ["| Fuel | Old price | New price |", "|---|---|---|", "| Petrol | 1.65 | 1.72 |",
             "| Diesel | 1.58 | 1.70 |"],
        ),
    ],
)  # fmt: skip
def test_tables_with_empty_cells_year_headers_and_tabs(table: str, rows: list[str]) -> None:
    assert set_tables(table).split("\n")[: len(rows)] == rows


@pytest.mark.parametrize(
    "prose",
    [
        # a line of prose cut by a wide space is no row, whatever lines up
        "The river authority said on Tuesday that  the water level had risen by\n"
        "two metres overnight, and that residents  of the low lying streets near\n",
        "\tThe minister arrived in Brussels on Monday\tfor talks.\n"
        "\tShe met the commissioner and several MEPs\tbefore lunch.\n",
    ],
)
def test_prose_with_wide_spaces_is_no_table(prose: str) -> None:
    assert set_tables(prose) == prose


def test_a_pdf_table_is_read_as_rows(make_qa, tmp_path: Path) -> None:
    """A new-user test: pypdf gives a PDF table's row as one line with single spaces ("Day
    rover 5.00 pounds 2.50 pounds"), so "How much does a child day rover cost?" got both
    prices. Its layout mode shows the columns: the rows are read as ``|`` rows under the
    header; two columns of prose are left as prose."""
    page = tmp_path / "fares.pdf"
    _bus_fares_pdf(page)
    lines = load_file(page).text.split("\n")
    table = lines.index("| Ticket | Adult | Child |")
    assert lines[table + 1 : table + 5] == [
        "|---|---|---|",
        "| Single | 2.00 pounds | 1.00 pounds |",
        "| Day rover | 5.00 pounds | 2.50 pounds |",
        "| Weekly | 18.00 pounds | 9.00 pounds |",
    ]
    assert not any("| The harbour" in line or "people |" in line for line in lines)
    qa, _ = _ingested(make_qa, tmp_path, page)
    answer = qa.ask("How much does a child day rover cost?")
    assert answer.citations[0].quote == "| Day rover | 5.00 pounds | 2.50 pounds |"
    assert answer.short is not None and "2.50" in answer.short.text


def test_a_table_header_row_is_never_cited(make_qa, tmp_path: Path) -> None:
    """A table's header row and rule row state no fact: never cited, never a phrase (a
    new-user test got "Amount [1]" citing "| Item | Amount |" for a question the corpus does
    not answer, and the header as the second citation of the cost question)."""
    (tmp_path / "src").mkdir()
    path = tmp_path / "src" / "bridge.md"
    path.write_text(
        "# Riverton approves $48 million harbor bridge\n\nThe Riverton City Council voted 7 "
        "to 2 on Tuesday to approve a new bridge across the Kessel Harbor. The project is "
        "expected to cost $48 million and will be funded mainly by a state grant.\n\n"
        "| Item | Amount |\n|------|--------|\n| State grant | $35 million |\n"
        "| City bonds | $9 million |\n| Federal funds | $4 million |\n\n"
        "The bridge will be 640 meters long and carry four lanes of traffic.\n",
        encoding="utf-8",
    )
    qa, _ = _ingested(make_qa, tmp_path, path)
    for question in ("What is the population of Riverton?", "How much will the bridge cost?"):
        answer = qa.ask(question)
        for c in answer.citations:
            assert "Item" not in c.quote and "---" not in c.quote, (question, answer.text)
        assert answer.short is None or answer.short.text != "Amount"


def test_a_table_header_row_is_told_from_its_rows() -> None:
    from qa.chunking import is_table_header

    text = "Intro.\n\n| Item | Amount |\n|------|--------|\n| Bonds | $9 million |\n\nEnd."
    header, rule, row = (text.index(t) for t in ("| Item", "|------", "| Bonds"))
    assert is_table_header(text, header + 2, header + 6)
    assert is_table_header(text, rule, rule + 5)
    assert not is_table_header(text, row, row + 7)
    assert not is_table_header(text, 0, 6)
    # a table without a rule row has no header to tell: its first row is a row
    bare = "| Item | Amount |\n| Bonds | $9 million |"
    assert not is_table_header(bare, 0, 5)


# ---- off-corpus ------------------------------------------------------------------------------
def _no_answer_score(answer) -> float:
    import re

    found = [re.search(r"no-answer score ([0-9.]+)", n.text) for n in answer.notes]
    scores = [float(m.group(1)) for m in found if m]
    assert scores, [n.text for n in answer.notes]
    return scores[0]


def test_off_corpus_case(make_qa, tmp_path: Path) -> None:
    """Two short articles about one town. The tram question is answered from the tram article;
    the library question, which neither answers, gets a clearly higher no-answer score. (The
    case asks for "not found": at the threshold chosen on dev, 0.95, the reader still cites the
    tram sentence; eval/README.md, issue 22.)"""
    case = CASES / "off-corpus"
    qa, _ = _ingested(make_qa, tmp_path, case / "bakery.md", case / "tram.md")
    _cites(qa, "When will the new tram line between Tornby and Ekvik open?", "2028")
    tram = qa.ask("When will the new tram line between Tornby and Ekvik open?")
    library = qa.ask("Until what time will the Tornby library stay open on weekdays?")
    assert _no_answer_score(library) > _no_answer_score(tram) + 0.2


# ---- encodings -------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_latin1_and_cp1252_files_are_read(make_qa, tmp_path: Path, encoding: str) -> None:
    text = (
        "Café Brisk\n\nThe café on the pier of Ålvik raised the price of a crème brûlée to "
        "6 euros on Friday, said the owner, Søren Møller.\n"
    )
    if encoding == "cp1252":
        text = text.replace("6 euros", "6 €").replace("said the owner", "said the owner “Søren”")
    (tmp_path / "src").mkdir()
    path = tmp_path / "src" / "cafe.txt"
    path.write_bytes(text.encode(encoding))
    assert load_file(path).text == text
    qa, _ = _ingested(make_qa, tmp_path, path)
    _cites(qa, "How much does a crème brûlée cost at the café in Ålvik?", "6 ")


# ---- one bad file ----------------------------------------------------------------------------
def test_a_file_that_fails_is_reported_and_the_folder_is_ingested(make_qa, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(CASES / "markdown-table" / "results.md", folder / "results.md")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 cut off in the middle")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    qa = make_qa(mode="extractive")
    report = qa.ingest([folder])
    assert [Path(p).name for p in report.added] == ["results.md"]
    assert len(report.skipped) == 2 and all("\n" not in line for line in report.skipped)
    _cites(qa, "How many people does Solvik Foods expect to hire next year?", "30 more")


def test_a_person_is_found_past_table_rows_read_under_the_title(make_qa, tmp_path: Path) -> None:
    """A break-test: a PDF's revenue table, each row read under the article's title "Norvik
    Fresh Foods posts record...", filled the five candidates the rerank reads for "Who is the
    chief executive of Norvik Fresh Foods?", none naming a person, and the answer was "not
    found" although the next sentence names her."""
    page = tmp_path / "norvik.md"
    page.write_text(
        "# Norvik Fresh Foods posts record second-quarter revenue\n\n"
        "Norvik Fresh Foods, the Bergen-based maker of chilled ready meals, reported"
        " second-quarter revenue of NOK 2,449 million on Thursday, up 6.3 per cent.\n\n"
        "Operating profit rose to NOK 187 million from NOK 151 million. Chief executive Ingrid"
        " Solheim-Vass said growth in Denmark had offset a weaker quarter in Sweden.\n\n"
        "The table below shows revenue by market.\n\n"
        "| Market | Q2 2025 (NOK m) | Q2 2024 (NOK m) | Change |\n|---|---|---|---|\n"
        "| Norway | 1,284 | 1,190 | +7.9% |\n| Sweden | 642 | 655 | -2.0% |\n"
        "| Denmark | 318 | 271 | +17.3% |\n| Finland | 205 | 188 | +9.0% |\n"
        "| Total | 2,449 | 2,304 | +6.3% |\n",
        encoding="utf-8",
    )
    qa, _ = _ingested(make_qa, tmp_path, page)
    answer = qa.ask("Who is the chief executive of Norvik Fresh Foods?")
    assert not answer.abstained
    assert any("Solheim-Vass" in c.quote for c in answer.citations), answer.citations
