"""A PDF's pages read as printed: running headers and footers dropped, paragraphs kept, a
sentence carried over a page break read whole (qa.pdf_pages). PDFs are made with fpdf2 as a
newsroom's tools set them; questions go through the real pipeline (ingest, extractive ask)."""

from __future__ import annotations

from pathlib import Path

from qa.documents import load_file
from qa.pdf_pages import layout_paragraphs, strip_page_furniture

MASTHEAD = "VALLEY GAZETTE | Transport | Tuesday 11 March 2025"
CARRIED = (
    "The government will contribute 250 million pounds, with the remainder funded by the "
    "combined authority through long-term borrowing repaid from a levy on business rates."
)


def _gazette_pdf(path: Path) -> None:
    """Three pages with a running header and a "Page n of 3" footer; the CARRIED sentence runs
    over the break between pages 1 and 2; a headline, a byline and paragraphs apart."""
    from fpdf import FPDF

    class Gazette(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", size=8)
            self.cell(0, 6, MASTHEAD, align="C", new_x="LMARGIN", new_y="NEXT")

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", size=8)
            self.cell(0, 8, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = Gazette(format="A5")
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(
        0,
        8,
        new_x="LMARGIN",
        new_y="NEXT",
        text="Harbour tram extension to cost 412 million pounds",
    )
    pdf.ln(4)
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, new_x="LMARGIN", new_y="NEXT", text="By Miriam Achterberg")
    pdf.ln(4)
    pdf.multi_cell(
        0,
        6,
        new_x="LMARGIN",
        new_y="NEXT",
        text="The extension of the Harbour Line will add nine stops between the quayside and "
        "the hospital campus, a district that has had no rail link since 1966.",
    )
    pdf.ln(4)
    # push the carried sentence to the foot of page 1 so that it breaks over the page
    stops = iter(["Quayside", "Marrow Street", "Fenmoor", "Station Road", "Hill Top", "Ashby"] * 9)
    while pdf.get_y() < pdf.h - 34:
        stop = next(stops)
        pdf.multi_cell(0, 6, new_x="LMARGIN", new_y="NEXT", text=f"A stop at {stop} is planned.")
    pdf.multi_cell(0, 6, new_x="LMARGIN", new_y="NEXT", text=CARRIED)
    pdf.ln(4)
    pdf.multi_cell(
        0,
        6,
        new_x="LMARGIN",
        new_y="NEXT",
        text="Construction will begin in January at the Fenmoor end, where a depot for the "
        "line's eleven new trams will be built on the site of a former bus garage.",
    )
    pdf.add_page()
    pdf.multi_cell(
        0,
        6,
        new_x="LMARGIN",
        new_y="NEXT",
        text="Fares on the extension will be capped at 2.40 pounds for a year.",
    )
    pdf.output(str(path))


def test_running_headers_and_footers_are_not_read(tmp_path: Path) -> None:
    pdf = tmp_path / "tram.pdf"
    _gazette_pdf(pdf)
    text = load_file(pdf).text
    assert "VALLEY GAZETTE" not in text
    assert "Page 1 of" not in text and "Page 2 of" not in text
    assert " ".join(CARRIED.split()) in " ".join(text.split())


def test_headline_and_byline_stay_paragraphs_of_their_own(tmp_path: Path) -> None:
    pdf = tmp_path / "tram.pdf"
    _gazette_pdf(pdf)
    doc = load_file(pdf)
    assert doc.text.startswith("Harbour tram extension to cost 412 million pounds\n\nBy Miriam")
    assert doc.metadata["title"] == "Harbour tram extension to cost 412 million pounds"


def test_a_sentence_over_a_page_break_is_cited_whole(make_qa, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    _gazette_pdf(folder / "tram.pdf")
    qa = make_qa(mode="extractive")
    assert qa.ingest([folder]).skipped == []
    answer = qa.ask("How will the rest of the tram extension be funded?")
    quotes = [c.quote for c in answer.citations]
    assert any("long-term borrowing" in q and "combined authority" in q for q in quotes), quotes
    text = load_file(folder / "tram.pdf").text
    for c in answer.citations:
        assert text[c.start : c.end] == c.quote
        assert "GAZETTE" not in c.quote and "Page " not in c.quote


def test_furniture_only_at_page_edges_and_only_when_shared() -> None:
    pages = [
        "Masthead 2025\nRevenue by market\nNorway 1,284\nThe text goes on.\nPage 1",
        "Masthead 2025\nRevenue by market\nSweden 642\nMore text here.\nPage 2",
        "Masthead 2025\nA closing paragraph that says Revenue by market.\nEnd.\nPage 3",
    ]
    out = strip_page_furniture(pages)
    assert all("Masthead" not in p and "Page " not in p for p in out)
    # a table's header repeated at the top of pages 1 and 2 is shared by 2 of 3 pages: dropped
    # there; text that merely holds the same words elsewhere stays
    assert "Norway 1,284" in out[0] and "Sweden 642" in out[1]
    assert "A closing paragraph that says Revenue by market." in out[2]
    # one page: nothing can be told from content
    assert strip_page_furniture(pages[:1]) == pages[:1]
    # nothing shared: the pages come back as they are
    assert strip_page_furniture(["a\nb", "c\nd"]) == ["a\nb", "c\nd"]


def test_a_line_repeated_inside_the_pages_is_kept() -> None:
    pages = [
        "Title one\nbody one\nfirst\nThe committee met.\nas it does\nin the spring\nend one",
        "Title two\nbody two\nsecond\nThe committee met.\nonce more\nin the autumn\nend two",
    ]
    assert strip_page_furniture(pages) == pages


def test_layout_gaps_become_paragraph_breaks() -> None:
    plain = (
        "Plant wins approval\nCoastal Courier, 2 June\nThe plant will\nproduce water.\nNext one."
    )
    layout = (
        "Plant wins approval\n\n\nCoastal Courier, 2 June\n\n"
        "The  plant  will\nproduce water.\n\nNext one."
    )
    assert layout_paragraphs(plain, layout) == (
        "Plant wins approval\n\nCoastal Courier, 2 June\n\n"
        "The plant will\nproduce water.\n\nNext one."
    )
    # two columns set side by side in the layout: no twin, no break
    side = "left a      right a\n\nleft b      right b"
    assert layout_paragraphs("left a\nleft b\nright a\nright b", side) == (
        "left a\nleft b\nright a\nright b"
    )


def test_justified_spaces_answer_as_single_spaces(make_qa, tmp_path: Path) -> None:
    """A break-test: a PDF set justified read "could  take  as  many  as  4,000  cars  a  day",
    and "How many cars a day...?" was refused as if no sentence stated a number per day."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "park.txt").write_text(
        "Park and ride\n\nThe new park-and-ride site at Redmoor could  take  as  many  as  4,000  "
        "cars  a  day  once  the  line  opens,  the  authority  said.\n",
        encoding="utf-8",
    )
    qa = make_qa(mode="extractive")
    assert qa.ingest([folder]).skipped == []
    answer = qa.ask("How many cars a day could the Redmoor park-and-ride site take?")
    assert not answer.abstained
    assert answer.short is not None and "4,000" in answer.short.text


def _revenue_pdf(path: Path) -> None:
    """A table whose column names hold figures ("Q2 2025 (NOK m)"), rows set apart, prose
    paragraphs before and after it."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    text = {"new_x": "LMARGIN", "new_y": "NEXT"}
    pdf.multi_cell(0, 6, **text, text="Norvik Fresh Foods reported record revenue on Thursday.")
    pdf.ln(4)
    pdf.multi_cell(0, 6, **text, text="The table below shows revenue by market.")
    pdf.ln(4)
    rows = [("Market", "Q2 2025 (NOK m)", "Q2 2024 (NOK m)", "Change")]
    rows += [("Norway", "1,284", "1,190", "+7.9%"), ("Sweden", "642", "655", "-2.0%")]
    rows += [("Denmark", "318", "271", "+17.3%"), ("Finland", "205", "188", "+9.0%")]
    rows += [("Total", "2,449", "2,304", "+6.3%")]
    for row in rows:
        for k, cell in enumerate(row):
            last = k == len(row) - 1
            pdf.cell(
                45, 7, cell, new_x="LMARGIN" if last else "RIGHT", new_y="NEXT" if last else "TOP"
            )
        pdf.ln(3)
    pdf.ln(4)
    pdf.multi_cell(0, 6, **text, text="Norvik employs 3,450 people across four countries.")
    pdf.ln(4)
    pdf.multi_cell(0, 6, **text, text="Shares in Norvik rose 4.1 per cent in Oslo trading.")
    pdf.output(str(path))


def test_a_header_with_figures_names_the_columns(make_qa, tmp_path: Path) -> None:
    """A break-test: "Market  Q2 2025 (NOK m)  ..." stayed a line of text over the rows, so
    no row could be read against its columns' names."""
    folder = tmp_path / "docs"
    folder.mkdir()
    _revenue_pdf(folder / "norvik.pdf")
    text = load_file(folder / "norvik.pdf").text
    assert "| Market | Q2 2025 (NOK m) | Q2 2024 (NOK m) | Change |\n|---|---|---|---|\n" in text
    # the paragraphs after a table of more rows than a short line's look-ahead stay apart
    assert "\n\nShares in Norvik rose" in text
    qa = make_qa(mode="extractive")
    assert qa.ingest([folder]).skipped == []
    answer = qa.ask("What was Norvik's revenue in Denmark in the second quarter of 2024?")
    assert any(c.quote == "| Denmark | 318 | 271 | +17.3% |" for c in answer.citations)


def test_a_locked_or_textless_pdf_is_skipped_with_a_reason_a_user_can_act_on(
    tmp_path: Path,
) -> None:
    """A break-test: a password-protected PDF was skipped as "unreadable
    (FileNotDecryptedError: File has not been decrypted)" and a scan as "no text"."""
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    from qa.documents import load_documents

    folder = tmp_path / "docs"
    folder.mkdir()
    _revenue_pdf(folder / "open.pdf")
    writer = PdfWriter(clone_from=PdfReader(folder / "open.pdf"))
    writer.encrypt(user_password="secret", owner_password="owner")
    writer.write(folder / "locked.pdf")
    scan = FPDF()
    scan.add_page()
    scan.rect(20, 20, 100, 60, style="F")  # a page of graphics, no text layer
    scan.output(str(folder / "scan.pdf"))
    docs, skipped = load_documents([folder])
    assert [Path(d.path).name for d in docs] == ["open.pdf"]
    why = {path.name: reason for path, reason in skipped}
    assert why["locked.pdf"].startswith("password-protected"), why
    assert "scanned PDF" in why["scan.pdf"], why
