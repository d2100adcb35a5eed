"""Loading files: formats, metadata, bad files skipped with warnings, bad paths refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qa.documents import _author, load_documents, load_file
from qa.errors import InvalidPathError, NoDocumentsError, QAError
from qa.types import Document
from tests.conftest import ARTICLE
from tests.support.pdf import make_pdf


def test_markdown_front_matter_becomes_metadata_and_body_is_chunked_text() -> None:
    doc = load_file(ARTICLE)
    assert doc.metadata["publisher"] == "SMM"
    assert doc.metadata["published"] == "2026-01-15"
    assert doc.title.startswith("Technological Innovation Reshapes the Global Magnesium")
    assert doc.text.startswith("---\n")
    assert doc.text[doc.body_start :].lstrip().startswith("# Technological Innovation")


def test_a_path_given_as_a_string_loads_the_same_document() -> None:
    assert load_file(str(ARTICLE)) == load_file(ARTICLE)


def test_corpus_keeps_every_fact_of_the_source_verbatim() -> None:
    source = Path(__file__).resolve().parents[2] / "shared" / "corpus-source"
    raw = next(source.glob("smm-magnesium-*.txt"), None) if source.is_dir() else None
    text = ARTICLE.read_text(encoding="utf-8")
    for needle in (
        "$10 million",
        "111 million mt",
        "5.69 kW/kg",
        "Norway House Cree Nation",
        "lemonzhao@smm.cn",
        "service.en@smm.cn",
        "7,000 mt by 2029",
    ):
        assert needle in text
    if raw is not None:  # beside a checkout with shared/: every source paragraph is kept
        body = raw.read_text(encoding="utf-8").split("\n")
        paragraphs = [p for p in body[4:] if len(p) > 40 and p != "SMM Events & Webinars"]
        assert all(p in text for p in paragraphs)


def test_html_title_meta_and_visible_text(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Zinc &amp; Tin Weekly</title>"
        '<meta name="author" content="Ann Writer"><style>p{}</style>'
        '<meta property="article:published_time" content="2025-02-03"></head>'
        "<body><h1>Zinc &amp; Tin Weekly</h1><p>Zinc rose 4% on Monday.</p>"
        "<script>var x=1;</script><p>Tin fell.</p></body></html>",
        encoding="utf-8",
    )
    doc = load_file(page)
    assert doc.title == "Zinc & Tin Weekly"
    assert doc.metadata["author"] == "Ann Writer"
    assert doc.metadata["published"] == "2025-02-03"
    assert "Zinc rose 4% on Monday." in doc.text and "Tin fell." in doc.text
    assert "var x" not in doc.text and "p{}" not in doc.text


def test_an_html_byline_gives_the_author_without_its_date(tmp_path: Path) -> None:
    # trafilatura 2.3.1 reads "By Priya Raman, October 12, 2025" as "Priya Raman; October"
    page = tmp_path / "race.html"
    page.write_text(
        "<html><head><title>Kenyan runner breaks course record</title></head><body>"
        "<article><h1>Kenyan runner breaks course record</h1>"
        '<p class="byline">By Priya Raman, October 12, 2025</p>'
        "<p>Faith Chepkoech won the Lakeshore Marathon on Sunday in 2 hours 16 minutes.</p>"
        "<p>Chepkoech takes home $100,000 in prize money.</p></article></body></html>",
        encoding="utf-8",
    )
    doc = load_file(page)
    assert doc.metadata["author"] == "Priya Raman"
    assert doc.metadata["published"] == "2025-10-12"
    # a co-author whose name starts like a month is kept (a break-test: "Maya", "Jun")
    assert _author("Mayra Ortiz; Jun") == "Mayra Ortiz; Jun"
    assert _author("Maya Lin; Octavia") == "Maya Lin; Octavia"
    assert _author("Priya Raman; Oct. 12") == "Priya Raman"


def test_html_without_a_closing_head_tag_keeps_its_body(tmp_path: Path) -> None:
    # </head> is optional in HTML: the head ends where the body starts
    page = tmp_path / "page.html"
    page.write_text(
        '<html><head><title>Page A</title><meta charset="utf-8"><link rel="x" href="y">\n'
        "<body><p>The zorblat festival opened on Monday.</p></body></html>",
        encoding="utf-8",
    )
    doc = load_file(page)
    assert doc.title == "Page A"
    assert "The zorblat festival opened on Monday." in doc.text
    # a fragment too small for main-content extraction is read as its visible text
    (tmp_path / "main.html").write_text(
        "<head><title>T</title><main>In main <span>and a span</span></main>", encoding="utf-8"
    )
    assert load_file(tmp_path / "main.html").text.strip() == "In main and a span"


def test_txt_title_falls_back_to_file_name(tmp_path: Path) -> None:
    (tmp_path / "copper-news.txt").write_text("Copper rose.\n", encoding="utf-8")
    docs, skipped = load_documents([tmp_path])
    assert [d.title for d in docs] == ["copper news"] and skipped == []


def test_txt_title_is_its_headline_when_the_first_line_reads_as_one(tmp_path: Path) -> None:
    """Found by a new-user test: a news story saved as .txt was titled by its file name."""
    (tmp_path / "a.txt").write_text(
        "Riverton bakery doubles its bread output\n\nThe bakery employs 14 people.\n",
        encoding="utf-8",
    )
    (tmp_path / "b.txt").write_text(  # a paragraph's first line: no blank line after it
        "Zinc prices rose on Monday\nafter the smelter closed.\n\nMore text.\n",
        encoding="utf-8",
    )
    (tmp_path / "c.txt").write_text("Nickel fell 2 percent.\n\nMore text.\n", encoding="utf-8")
    (tmp_path / "d.txt").write_text('He said it opens "by spring."\n\nMore.\n', encoding="utf-8")
    (tmp_path / "e.txt").write_text("图书馆明年开放。\n\n更多。\n", encoding="utf-8")
    (tmp_path / "f.txt").write_text("# Tin output grows\n\nMore.\n", encoding="utf-8")
    docs, _ = load_documents([tmp_path])
    assert [d.title for d in docs] == [
        "Riverton bakery doubles its bread output",
        "b",
        "c",
        "d",
        "e",
        "Tin output grows",
    ]
    assert docs[0].text.startswith("Riverton bakery")  # the headline stays in the text


def test_a_byline_or_dateline_above_the_headline_is_no_title(tmp_path: Path) -> None:
    """A break-test: a .txt story was titled "By Maria Lopez · 2025-10-21" in the Sources panel."""
    for name, text in [
        ("a.txt", "By Maria Lopez · 2025-10-21\n\nKelby expands recycling\n\nThe council..."),
        ("b.txt", "Tuesday, 8 July 2025\n\nBuses run again\n\nDrivers returned."),
        ("c.txt", "Highland Observer, 9 July 2025. By Ailsa MacBride\n\nFire contained\n\nIt"),
        ("d.txt", "By Ann Lee\n\nThe council met on Monday and closed the pool.\n"),
        ("e.txt", "By March 14, 2025, the council must decide\n\nMore."),  # a headline
    ]:
        (tmp_path / name).write_text(text, encoding="utf-8")
    docs, _ = load_documents([tmp_path])
    assert [d.title for d in docs] == [
        "Kelby expands recycling",
        "Buses run again",
        "Fire contained",
        "d",  # no headline under the byline: the file's name
        "By March 14, 2025, the council must decide",
    ]


def test_pdf_title_comes_from_its_document_information(tmp_path: Path) -> None:
    import io

    from pypdf import PdfReader, PdfWriter

    def with_title(title: str) -> bytes:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([["Tin rose 3 percent."]]))))
        writer.add_metadata({"/Title": title})
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    (tmp_path / "kettle.pdf").write_bytes(with_title("Kettlewise recalls 40,000 kettles"))
    (tmp_path / "word.pdf").write_bytes(with_title("Microsoft Word - draft-3.docx"))
    (tmp_path / "plain.pdf").write_bytes(make_pdf([["Tin rose 3 percent."]]))
    (tmp_path / "scan.pdf").write_bytes(with_title("scan0001.jpg"))
    (tmp_path / "untitled.pdf").write_bytes(with_title("Untitled document"))
    (tmp_path / "long.pdf").write_bytes(with_title("Tin " * 60))
    (tmp_path / "bell.pdf").write_bytes(with_title("Tin\x07 rises"))
    titles = {Path(d.path).name: d.title for d in load_documents([tmp_path])[0]}
    assert titles == {
        "kettle.pdf": "Kettlewise recalls 40,000 kettles",
        "word.pdf": "word",  # a word processor's file name is no title
        "plain.pdf": "plain",
        "scan.pdf": "scan",
        "untitled.pdf": "untitled",
        "long.pdf": "long",  # over 200 characters: no title
        "bell.pdf": "Tin rises",  # control characters dropped
    }


def test_pdf_text_is_extracted(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(make_pdf([["Nickel output grew 7 percent."]]))
    docs, _ = load_documents([tmp_path])
    assert "Nickel output grew 7 percent." in docs[0].text


def test_binary_and_non_utf8_files_are_skipped_with_a_warning_naming_them(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text("# Good\n\nLead rose.\n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02 binary")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    docs, skipped = load_documents([tmp_path])
    assert [Path(d.path).name for d in docs] == ["good.md"]
    joined = "\n".join(f"{p.name}: {why}" for p, why in skipped)
    assert "binary.txt: binary content" in joined
    assert "broken.pdf" in joined


def test_missing_path_and_folder_without_supported_files_raise_qa_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidPathError, match="does not exist"):
        load_documents([tmp_path / "nope"])
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    with pytest.raises(NoDocumentsError, match="no supported files"):
        load_documents([tmp_path])
    with pytest.raises(NoDocumentsError, match="unsupported file type"):
        load_documents([tmp_path / "image.png"])
    assert issubclass(InvalidPathError, QAError) and issubclass(NoDocumentsError, QAError)


def test_hidden_folders_are_not_ingested(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "notes.md").write_text("secret\n", encoding="utf-8")
    (tmp_path / "a.md").write_text("Visible.\n", encoding="utf-8")
    docs, _ = load_documents([tmp_path])
    assert [Path(d.path).name for d in docs] == ["a.md"]


def test_links_and_paths_given_twice_are_read_once(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.md").write_text("# A\n\nAcme employs 2,400 people.\n", encoding="utf-8")
    (tmp_path / "sub" / "a-link.md").symlink_to(tmp_path / "a.md")
    # the folder, the folder again and a file inside it, by relative and absolute path
    docs, skipped = load_documents([tmp_path, tmp_path, tmp_path / "a.md", tmp_path / "sub/.."])
    assert [Path(d.path).name for d in docs] == ["a.md"]
    assert [(p.name, why) for p, why in skipped] == [
        ("a-link.md", f"the same file as {tmp_path / 'a.md'}")
    ]


def test_broken_links_and_non_files_are_skipped_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text("# Good\n\nLead rose.\n", encoding="utf-8")
    (tmp_path / "gone.md").symlink_to(tmp_path / "nowhere.md")
    (tmp_path / "gone-folder").symlink_to(tmp_path / "nowhere", target_is_directory=True)
    os.mkfifo(tmp_path / "pipe.md")
    (tmp_path / "folder.md").mkdir()  # a folder named like a file: searched, not reported
    docs, skipped = load_documents([tmp_path])
    assert [Path(d.path).name for d in docs] == ["good.md"]
    assert sorted((p.name, why) for p, why in skipped) == [
        ("gone-folder", "a broken link"),  # a break-test: it was not said
        ("gone.md", "a broken link"),
        ("pipe.md", "not a regular file"),
    ]
    _, alone = load_documents([tmp_path / "gone.md"])  # named alone: skipped, not "missing"
    assert [(p.name, why) for p, why in alone] == [("gone.md", "a broken link")]
    # a pipe named alone is said to be one, not "no supported files" (a new-user test)
    _, alone = load_documents([tmp_path / "pipe.md"])
    assert [(p.name, why) for p, why in alone] == [("pipe.md", "not a regular file")]


def test_the_link_not_the_file_is_skipped_whatever_their_order(tmp_path: Path) -> None:
    """A link "ferry-link.md" sorts before "ferry.md": the file is still the one read, and the link
    the one skipped as the same file (a new-user test found it the other way round)."""
    (tmp_path / "ferry.md").write_text("# Ferry\n\nThe ferry runs hourly.\n", encoding="utf-8")
    (tmp_path / "ferry-link.md").symlink_to(tmp_path / "ferry.md")
    docs, skipped = load_documents([tmp_path])
    assert [Path(d.path).name for d in docs] == ["ferry.md"]
    assert [(p.name, why) for p, why in skipped] == [
        ("ferry-link.md", f"the same file as {tmp_path / 'ferry.md'}")
    ]
    # and when the link is named first on the command line (a break-test)
    docs, skipped = load_documents([tmp_path / "ferry-link.md", tmp_path / "ferry.md"])
    assert [Path(d.path).name for d in docs] == ["ferry.md"]
    assert [(p.name, why) for p, why in skipped] == [
        ("ferry-link.md", f"the same file as {tmp_path / 'ferry.md'}")
    ]


def test_a_linked_folder_is_read_and_a_loop_ends(tmp_path: Path) -> None:
    """A link to a folder of articles was passed over without a word (a break-test): it is
    read as the folder; a link back up the tree is followed no further than once round."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "tram.md").write_text("# Tram\n\nThe tram opens in 2028.\n", encoding="utf-8")
    docs_dir = tmp_path / "docs"
    docs_dir.mkdir()
    (docs_dir / "bakery.md").write_text("# Bakery\n\nSix staff.\n", encoding="utf-8")
    (docs_dir / "more").symlink_to(outside, target_is_directory=True)
    (outside / "up").symlink_to(docs_dir, target_is_directory=True)  # a loop
    (docs_dir / "home").symlink_to("..", target_is_directory=True)  # the tree above it
    (tmp_path / "private.md").write_text("# Memo\n\nSecret.\n", encoding="utf-8")
    docs, skipped = load_documents([docs_dir])
    assert sorted(Path(d.path).name for d in docs) == ["bakery.md", "tram.md"]
    assert skipped == []  # bakery.md not read again through the loop, nor private.md above


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _word_document(path: Path) -> None:
    """A .docx as Word writes one: a title, a heading, paragraphs, a list and a table."""
    import docx

    document = docx.Document()
    document.core_properties.title = "Harbour budget 2027"
    document.core_properties.author = "Mira Holt"
    document.add_heading("Eskild harbour board sets its budget", level=1)
    document.add_paragraph(
        "The harbour board of Eskild agreed on Tuesday to spend 4.2 million euros on the "
        "northern breakwater, work that will take two winters."
    )
    document.add_paragraph("dredging the inner basin", style="List Bullet")
    table = document.add_table(rows=3, cols=3)
    for row, cells in zip(
        table.rows,
        [("Item", "Amount", "Year"), ("Breakwater", "4.2 million euros", "2027"),
         ("Crane", "900,000 euros", "2028")],
        strict=True,
    ):  # fmt: skip
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    document.add_paragraph("The board meets again in March.")
    document.save(str(path))


def test_a_word_document_is_read_with_its_headings_lists_and_tables(tmp_path: Path) -> None:
    """.docx was not read at all (a new-user test: "not read in docs: 2 .docx")."""
    _word_document(tmp_path / "budget.docx")
    doc = load_file(tmp_path / "budget.docx")
    assert doc.title == "Harbour budget 2027" and doc.metadata["author"] == "Mira Holt"
    blocks = doc.text.strip().split("\n\n")
    assert blocks[0] == "# Eskild harbour board sets its budget"
    assert blocks[1].startswith("The harbour board of Eskild agreed on Tuesday")
    assert blocks[2] == "- dredging the inner basin"
    assert blocks[3].split("\n") == [
        "| Item | Amount | Year |",
        "|---|---|---|",
        "| Breakwater | 4.2 million euros | 2027 |",
        "| Crane | 900,000 euros | 2028 |",
    ]
    assert blocks[4] == "The board meets again in March."


@pytest.mark.parametrize(
    ("first_row", "header"),
    [
        (["Service", "2025", "2026"], True),  # years name the columns
        (["Service", "2025/26", "2026/27"], True),  # financial years
        (["Service", "FY2026", "FY27"], True),
        (["Crane", "26", "33"], False),
        (["Item", "Amount", "Year"], True),
        (["Breakwater", "4.2 million euros", "2027"], False),  # a row of values
        (["Service", "2025"], False),  # two columns: labels and values
    ],
)
def test_a_first_row_of_names_or_years_heads_its_table(first_row: list[str], header: bool) -> None:
    from qa.word import unmarked_header

    assert unmarked_header(first_row, len(first_row)) is header


def test_a_years_column_asked_for_gives_its_value(make_qa, tmp_path: Path) -> None:
    """A break-test: "What is Brightwater's 2026 spending on parks?" got the 2025 figure, the
    Word table's header of years read as a row of values."""
    import docx

    document = docx.Document()
    document.add_paragraph("Brightwater council set its budget on Wednesday.")
    table = document.add_table(rows=3, cols=3)
    rows = [("Service", "2025", "2026"), ("Waste collection", "18.2", "18.9"),
            ("Parks and leisure", "9.6", "8.7")]  # fmt: skip
    for row, cells in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    docs = tmp_path / "docs"
    docs.mkdir()
    document.save(str(docs / "budget.docx"))
    qa = make_qa(mode="extractive")
    qa.ingest([docs])
    for year, value in [("2026", "8.7"), ("2025", "9.6"), ("2026", "18.9")]:
        service = "parks and leisure" if value != "18.9" else "waste collection"
        answer = qa.ask(f"What is Brightwater's {year} spending on {service}?")
        assert answer.short is not None and answer.short.text == value, (year, service)
        assert value in answer.citations[answer.short.citation - 1].quote


def test_word_text_inside_other_elements_is_read(tmp_path: Path) -> None:
    """A break-test: text in tracked insertions, content controls, fields and text boxes, and
    footnotes, was dropped ("The tram extension will cost  according to..."); deleted text
    and field codes are not text; merged cells were repeated; a fact box's first row was made
    a header; a heading style named "Heading 2.1" made the file unreadable."""
    import docx
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml

    document = docx.Document()
    body = document.element.body
    sect = body[-1]  # the section properties stay last
    for xml in (
        # a tracked insertion and a tracked deletion
        f"<w:p {W}><w:r><w:t xml:space='preserve'>The tram extension will cost </w:t></w:r>"
        "<w:ins w:id='1' w:author='x' w:date='2026-01-01T00:00:00Z'><w:r><w:t>48 million "
        "euros</w:t></w:r></w:ins><w:del w:id='2' w:author='x' w:date='2026-01-01T00:00:00Z'>"
        "<w:r><w:delText>40 million euros</w:delText></w:r></w:del><w:r>"
        "<w:t xml:space='preserve'>, according to the council.</w:t></w:r></w:p>",
        # a content control around a paragraph, an inline one, and a field with its code
        f"<w:sdt {W}><w:sdtContent><w:p><w:r><w:t>Tenders close on 3 March.</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt>",
        f"<w:p {W}><w:r><w:t xml:space='preserve'>The mayor is </w:t></w:r><w:sdt><w:sdtContent>"
        "<w:r><w:t>Ada Lind</w:t></w:r></w:sdtContent></w:sdt><w:r><w:t xml:space='preserve'>"
        " (page </w:t></w:r><w:fldSimple w:instr='PAGE'><w:r><w:t>4</w:t></w:r></w:fldSimple>"
        "<w:r><w:instrText>PAGE</w:instrText></w:r><w:r><w:t>).</w:t></w:r></w:p>",
        # a text box anchored in a paragraph
        f"<w:p {W} xmlns:v='urn:schemas-microsoft-com:vml'><w:r><w:t>See the box.</w:t></w:r>"
        "<w:r><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>Fares rise to 3 "
        "euros.</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>",
    ):
        sect.addprevious(parse_xml(xml))
    heading = document.add_paragraph("Costs in detail")
    heading.style = document.styles.add_style("Heading 2.1", 1)
    # a fact box (two columns, no header) with a merged caption row, and a merged cell
    box = document.add_table(rows=4, cols=2)
    box.cell(0, 0).merge(box.cell(0, 1)).text = "Nordhavn shipyard"
    for i, (label, value) in enumerate([("Founded", "1923"), ("Employees", "1,450")], start=1):
        box.cell(i, 0).text, box.cell(i, 1).text = label, value
    box.cell(2, 1).add_paragraph("in 2026")  # a second paragraph in a cell
    box.cell(3, 0).merge(box.cell(3, 1)).text = "Owned by its workers"
    document.add_paragraph("More text.")
    notes = (
        f"<w:footnotes {W}><w:footnote w:type='separator' w:id='-1'><w:p><w:r><w:t>--</w:t>"
        "</w:r></w:p></w:footnote><w:footnote w:id='1'><w:p><w:r><w:t>Figures from the "
        "council's 2026 budget.</w:t></w:r></w:p></w:footnote></w:footnotes>"
    )
    part = Part(
        PackURI("/word/footnotes.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
        notes.encode("utf-8"),
        document.part.package,
    )
    document.part.relate_to(
        part, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
    )
    document.save(str(tmp_path / "tram.docx"))

    blocks = load_file(tmp_path / "tram.docx").text.strip().split("\n\n")
    assert blocks[:7] == [
        "The tram extension will cost 48 million euros, according to the council.",
        "Tenders close on 3 March.",
        "The mayor is Ada Lind (page 4).",
        "See the box.",
        "Fares rise to 3 euros.",
        "## Costs in detail",
        "Nordhavn shipyard",
    ]
    assert blocks[7].split("\n") == ["| Founded | 1923 |", "| Employees | 1,450 in 2026 |"]
    assert blocks[8:] == [
        "Owned by its workers",
        "More text.",
        "[1] Figures from the council's 2026 budget.",
    ]


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"", "no text"),
        (b"PK\x03\x04 not a document", "not a Word document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "password-protected"),
    ],
    ids=["empty", "damaged", "encrypted"],
)
def test_a_file_named_docx_that_is_no_word_document_is_skipped_with_a_reason(
    tmp_path: Path, content: bytes, said: str
) -> None:
    _word_document(tmp_path / "budget.docx")
    (tmp_path / "broken.docx").write_bytes(content)
    docs, skipped = load_documents([tmp_path])
    assert [Path(d.path).name for d in docs] == ["budget.docx"]
    [(path, why)] = skipped
    assert path.name == "broken.docx" and said in why, why


def test_a_word_document_answers_with_exact_spans(make_qa, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    _word_document(folder / "budget.docx")
    qa = make_qa(mode="extractive")
    assert qa.ingest([folder]).documents == 1
    answer = qa.ask("How much will the crane cost?")
    assert answer.citations
    text = load_file(folder / "budget.docx").text
    for c in answer.citations:
        assert text[c.start : c.end] == c.quote
    assert "Crane" in answer.citations[0].quote  # the table's row, not another sentence


def _front_matter(tmp_path: Path, text: str) -> tuple[Document, dict[str, list[str]]]:
    """The document of a Markdown file ``text`` and the text each of its front-matter spans
    (``SPANS_KEY``) indexes, by kind; each span's recorded text is the text it indexes."""
    from qa.documents import SPANS_KEY

    path = tmp_path / "bridge.md"
    path.write_text(text, encoding="utf-8")
    doc = load_file(path)
    spans = doc.metadata.get(SPANS_KEY, {})
    assert all(doc.text[s:e] == t for v in spans.values() for s, e, t in v)
    return doc, {kind: [doc.text[s:e] for s, e, _ in v] for kind, v in spans.items()}


def test_front_matter_date_and_author_spans_index_the_text(tmp_path: Path) -> None:
    _, spans = _front_matter(
        tmp_path,
        "---\ntitle: Bridge\ndate: 2024-03-14  # updated later\nauthor: 'Dana Whitcombe'\n---\n"
        "# Bridge\n\nText.\n",
    )
    assert spans == {"published": ["2024-03-14"], "author": ["Dana Whitcombe"]}


@pytest.mark.parametrize(
    ("front_matter", "author", "spans"),
    [
        # a break-test: each of these gave no author, or the list's Python form
        ("authors:\n  - Dana Whitfield\n  - Lee Kim\n", "Dana Whitfield, Lee Kim",
         ["Dana Whitfield", "Lee Kim"]),
        ("authors:\n- Dana Whitfield\n- Lee Kim\n", "Dana Whitfield, Lee Kim",
         ["Dana Whitfield", "Lee Kim"]),
        ("author: [Maria Okafor, Tom Berg]\n", "Maria Okafor, Tom Berg",
         ["Maria Okafor, Tom Berg"]),
        ('author: ["Maria Okafor", "Tom Berg"]\n', "Maria Okafor, Tom Berg",
         ["Maria Okafor", "Tom Berg"]),
        ("author:\n  name: Priya Raman\n  email: priya@example.org\n", "Priya Raman",
         ["Priya Raman"]),
        ("authors:\n  - name: Priya Raman\n    twitter: '@pr'\n", "Priya Raman", ["Priya Raman"]),
    ],
)  # fmt: skip
def test_a_front_matter_list_or_map_of_authors(
    tmp_path: Path, front_matter: str, author: str, spans: list[str]
) -> None:
    doc, found = _front_matter(
        tmp_path, f"---\ntitle: Cranes\n{front_matter}date: 2024-03-14T09:30:00+01:00\n---\nText.\n"
    )
    assert doc.metadata[front_matter.split(":")[0]] == author  # "authors" kept as written
    assert found["author"] == spans
    assert found["published"] == ["2024-03-14T09:30:00+01:00"]
    assert doc.text[doc.body_start :] == "Text.\n"


@pytest.mark.parametrize(
    ("front_matter", "author", "published"),
    [
        # a second break-test: each cited junk ("> ", "&a Jonas Lind") or nothing
        ("---\nauthor: >\n  Jonas Lind\ndate: &d 2024-07-09\n---\n", ["Jonas Lind"],
         ["2024-07-09"]),
        ("---\nwho: &w\n  name: Jonas Lind\nauthor: *w\n---\n", ["Jonas Lind"], None),
        ("---\nauthor: &a Jonas Lind\npublished: 1720512000\n---\n", ["Jonas Lind"], None),
        ('---\n"author": Jonas Lind\ndate: 2023-01-01\ndate: 2024-07-09\n---\n', ["Jonas Lind"],
         ["2024-07-09"]),
        ("---\nauthors:\n  - Jonas Lind\n  - Mia Berg\n  - Jonas Lind\n---\n",
         ["Jonas Lind", "Mia Berg"], None),
        ('+++\ndate = 2024-07-09\n[author]\nname = "Jonas Lind"\n+++\n', ["Jonas Lind"],
         ["2024-07-09"]),
        ('+++\n[[authors]]\nname = "Jonas Lind"\n[[authors]]\nname = "Mia Berg"\n+++\n',
         ["Jonas Lind", "Mia Berg"], None),
    ],
)  # fmt: skip
def test_front_matter_values_are_cited_as_yaml_and_toml_read_them(
    tmp_path: Path, front_matter: str, author: list[str], published: list[str] | None
) -> None:
    _, spans = _front_matter(tmp_path, front_matter + "The Elm Street bridge reopened on Friday.\n")
    assert spans["author"] == author
    assert spans.get("published", []) == (published or [])


def test_a_toml_front_matter_is_read_like_yaml(tmp_path: Path) -> None:
    """Hugo's "+++" front matter: title, date and author, and the body after it."""
    doc, spans = _front_matter(
        tmp_path,
        '+++\ntitle = "Bridge reopens"\ndate = 2024-07-09T08:00:00Z\nauthor = "Jonas Lind"'
        '  # staff\ntags = ["roads"]\n+++\nThe Elm Street bridge reopened on Monday.\n',
    )
    assert doc.metadata["title"] == "Bridge reopens"
    assert doc.metadata["author"] == "Jonas Lind"
    assert doc.text[doc.body_start :].startswith("The Elm Street bridge")
    assert spans == {"published": ["2024-07-09T08:00:00Z"], "author": ["Jonas Lind"]}
    broken = tmp_path / "broken.md"
    broken.write_text('+++\ntitle = "unclosed\n+++\nBody.\n', encoding="utf-8")
    assert load_file(broken).body_start == 0  # not a front matter: kept as text


@pytest.mark.parametrize("declaration", ["", '<?xml version="1.0" encoding="utf-8"?>\n'])
def test_a_restored_byline_is_the_articles_not_a_teasers_or_a_credits(
    tmp_path: Path, declaration: str
) -> None:
    """A break-test: the shortest "By ..." anywhere on the page replaced an emptied byline,
    so a photo credit ("By AP | Getty"), a most-read teaser ("By Jo Li | 2h") or a comment
    ("By Ed | 1 reply") answered who wrote the article. An XHTML page's XML declaration
    (which lxml refuses in a str) does not keep the byline from being restored."""
    page = tmp_path / "stadium.html"
    page.write_text(
        declaration
        + '<html><head><title>Stadium plan rejected</title><meta name="author" content="Staff">'
        "</head><body><article><h1>Stadium plan rejected</h1><figure><img src='a.jpg'>"
        "<figcaption><span>By AP | Getty</span></figcaption></figure><p>By <span class="
        '"author">Fiona Marsh</span> | <time datetime="2019-10-12">12 October 2019</time></p>'
        "<p>The planning board of Eastvale rejected a new 30,000-seat stadium on Thursday.</p>"
        "<p>Chairman Rui Costa said the club would appeal the decision.</p></article><aside>"
        "<span>By Jo Li | 2h</span></aside><footer><div>By Ed | 1 reply</div></footer>"
        "</body></html>",
        encoding="utf-8",
    )
    text = load_file(page).text
    assert "\nBy Fiona Marsh | 12 October 2019\n" in text, text
    assert not any(other in text for other in ("By AP", "By Jo Li", "By Ed"))


def test_a_table_caption_is_a_line_before_the_table_not_its_first_row(tmp_path: Path) -> None:
    """A break-test: trafilatura made a <caption> the table's first row, over the column
    names, so "What operating profit did the bakery segment make?" read the rows against the
    caption and answered with the revenue column."""
    page = tmp_path / "results.html"
    page.write_text(
        "<html><head><title>Kestrel results</title></head><body><article><h1>Kestrel results"
        "</h1><p>Kestrel Foods reported third-quarter revenue of £412 million on Thursday, up"
        " 6 percent from a year earlier, helped by strong demand for its crisps.</p><table>"
        "<caption>Kestrel Foods, third quarter 2024</caption><tr><th>Segment</th><th>Revenue"
        "</th><th>Operating profit</th></tr><tr><td>Bakery</td><td>£38 million</td><td>£2.2"
        " million</td></tr></table><p>The shares closed 3.1 percent higher at 684 pence.</p>"
        "</article></body></html>",
        encoding="utf-8",
    )
    text = load_file(page).text
    assert (
        "\nKestrel Foods, third quarter 2024\n\n| Segment | Revenue | Operating profit |\n"
        "|---|---|---|\n| Bakery | £38 million | £2.2 million |\n"
    ) in text, text


_KESTREL_BODY = (
    "<body><article><h1>Kestrel results</h1><p>Kestrel Foods reported third-quarter revenue of"
    " £412 million on Thursday, up 6 percent from a year earlier, helped by strong demand for"
    " its crisps.</p><table><caption>{caption}</caption><tr><th>Segment</th><th>Revenue</th>"
    "<th>Operating profit</th></tr><tr><td>Bakery</td><td>£38 million</td><td>£2.2 million"
    "</td></tr></table><p>The shares closed 3.1 percent higher at 684 pence.</p></article>"
    "</body></html>"
)
# an XHTML page: an XML declaration, a doctype, the XHTML namespace
_XHTML_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0'
    ' Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns='
    '"http://www.w3.org/1999/xhtml"><head><title>Kestrel results</title></head>'
)
_TABLE = "| Segment | Revenue | Operating profit |\n|---|---|---|\n| Bakery | £38 million |"


def test_a_line_break_in_a_table_caption_is_a_space(tmp_path: Path) -> None:
    """A new-user test: the caption's words on both sides of a <br> were glued
    ("Segment results2024")."""
    page = tmp_path / "results.html"
    caption = "Segment results<br>2024<br/>in pounds"
    page.write_text(
        "<html><head><title>Kestrel results</title></head>" + _KESTREL_BODY.format(caption=caption),
        encoding="utf-8",
    )
    assert f"\nSegment results 2024 in pounds\n\n{_TABLE}" in load_file(page).text


def test_an_xhtml_page_s_table_caption_is_a_line_before_the_table(tmp_path: Path) -> None:
    """A new-user test: an XHTML page opening with an XML declaration kept its caption as the
    table's first row (lxml refused the page), as a plain HTML page no longer does."""
    page = tmp_path / "results.html"
    page.write_text(
        _XHTML_HEAD + _KESTREL_BODY.format(caption="Kestrel Foods, third quarter 2024"),
        encoding="utf-8",
    )
    text = load_file(page).text
    assert f"\nKestrel Foods, third quarter 2024\n\n{_TABLE}" in text, text


@pytest.mark.parametrize("suffix", [".html", ".xhtml"])
def test_an_xhtml_page_s_table_rows_answer_against_their_column_names(
    make_qa, tmp_path: Path, suffix: str
) -> None:
    """Through ask: with its caption for first row, the XHTML table's rows were read against
    the caption, and the bakery's operating profit was answered with its revenue. A folder's
    ``.xhtml`` file is read as HTML (a break-test: it was left out, "not read: 1 .xhtml")."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / f"results{suffix}").write_text(
        _XHTML_HEAD + _KESTREL_BODY.format(caption="Kestrel Foods, third quarter 2024"),
        encoding="utf-8",
    )
    qa = make_qa(corpus_dir=folder)
    report = qa.ingest([folder])
    assert report.added and not report.warnings, report.warnings
    answer = qa.ask("What operating profit did the bakery segment make?")
    assert answer.short is not None and answer.short.text == "£2.2 million", answer.text


def test_a_byline_cut_by_the_extractor_is_restored_as_the_page_shows_it(tmp_path: Path) -> None:
    """A break-test: trafilatura took the <time> out of "Par Claire Dubois, le <time>2 juin
    2025</time>", leaving "Par Claire Dubois, le", and put the date on a line of its own; the
    byline stands whole, and the date is not said twice."""
    page = tmp_path / "tram.html"
    page.write_text(
        "<html><head><title>Lyon : la ligne T10</title></head><body><article>"
        "<h1>Lyon : la ligne de tramway T10 mise en service le 15 juin</h1>"
        '<p class="auteur">Par Claire Dubois, le <time datetime="2025-06-02">2 juin 2025</time>'
        "</p><p>La nouvelle ligne de tramway T10 reliera Vénissieux à Saint-Fons à partir du 15"
        " juin, a annoncé lundi le syndicat des transports Sytral Mobilités.</p>"
        "<p>Longue de 6,7 kilomètres, la ligne compte 14 stations.</p></article></body></html>",
        encoding="utf-8",
    )
    text = load_file(page).text
    assert "\nPar Claire Dubois, le 2 juin 2025\n" in text, text
    assert "2025-06-02" not in text


def test_a_page_keeps_its_byline_and_date_and_guesses_no_date(tmp_path: Path) -> None:
    """The author and date trafilatura keeps as metadata stand in a line above the title; a
    page that gives no date in its markup gets none from a year in its text ("since 2009")."""
    page = tmp_path / "solar.html"
    page.write_text(
        "<html><head><title>Solar farm opens</title><meta name='author' content='Priya Nandakumar'>"
        "<meta name='date' content='2024-08-21'></head><body><article><h1>Solar farm opens</h1>"
        "<p>Kestrel Energy switched on its solar farm on Wednesday, its first since 2009.</p>"
        "</article></body></html>",
        encoding="utf-8",
    )
    text = load_file(page).text
    assert text.startswith("By Priya Nandakumar · 2024-08-21\n\n# Solar farm opens\n\n"), text
    bare = tmp_path / "bare.html"
    bare.write_text(page.read_text().replace("<meta name='date' content='2024-08-21'>", ""))
    doc = load_file(bare)
    assert "published" not in doc.metadata and doc.text.startswith("By Priya Nandakumar\n\n")


def test_full_width_punctuation_is_kept_and_full_width_letters_are_folded(tmp_path: Path) -> None:
    """NFKC would turn CJK text's own marks ("，", "：", "（", "！") into ASCII ones, so a
    Chinese quote would no longer read as its source; they are kept, while ligatures and
    full-width letters and digits are still folded (searchable as their ASCII forms)."""
    path = tmp_path / "zh.md"
    path.write_text("根据公告，项目一期（第一阶段）投资３１亿元：ﬁsh Ａ！\n", encoding="utf-8")
    assert load_file(path).text.strip() == "根据公告，项目一期（第一阶段）投资31亿元：fish A！"
    # a full-width point and percent sign go with their folded digits: "3．5" ended a sentence
    path.write_text("売上高は前年比３．５％増だった。利益は減った。\n", encoding="utf-8")
    assert load_file(path).text.strip() == "売上高は前年比3.5%増だった。利益は減った。"


def test_a_wrapped_german_line_ending_in_an_abbreviation_runs_on() -> None:
    """Whether a wrapped line that ends in a full stop runs on is asked of the sentence
    splitter by the rules of the document's language: by English rules "512 Mio." and
    "ca." ended sentences, so the line breaks stayed and split the sentences there."""
    from qa.documents import unwrap

    text = (
        "Die Stadtwerke Zürich investieren in den kommenden Jahren rund 512 Mio.\n"
        "Franken in das Fernwärmenetz, wie der Stadtrat am Dienstag mitteilte. Es sollen ca.\n"
        "300 neue Anschlüsse entstehen, die bis zum Jahr 2030 fertig sein sollen, hieß es.\n"
    )
    assert "512 Mio. Franken" in unwrap(text)
    assert "ca. 300 neue" in unwrap(text)
    english = (
        "The company said it would invest about 512 million dollars. It was run by Mr.\n"
        "Okonkwo of the U.S. Treasury until he left the company in the spring of 2019.\n"
    )
    assert "by Mr. Okonkwo" in unwrap(english)  # as before: English rules


def test_a_short_wrapped_line_ending_in_a_title_runs_on() -> None:
    """A line that ends in a title's stop the splitter runs on ("Prof." / "Matthias Huss")
    is joined however short it is: the length test, for a capitalised next line, took it
    for a heading's or a paragraph's end, and the answer to "Who is the lead author?" was
    "Prof". A short line ending in a stop the splitter ends a sentence at keeps its break."""
    from qa.documents import unwrap

    text = (
        "Swiss glaciers lost 4.4% of their remaining volume in 2023, according to a study\n"
        "published on Wednesday by researchers at ETH Zurich and the University of\n"
        "Fribourg. The lead author, Prof.\n"
        "Matthias Huss, said the two years erased as much ice as the years 1960 to 1990.\n"
    )
    assert "The lead author, Prof. Matthias Huss, said" in unwrap(text)
    headed = "Acme Inc.\nThe company said on Monday that its profits rose by a tenth.\n"
    assert unwrap(headed).startswith("Acme Inc.\nThe company")


def test_a_figure_caption_is_read_as_a_paragraph_after_the_figure(tmp_path: Path) -> None:
    """A break-test: trafilatura dropped <figure> with its <figcaption>, so "How many people
    watched Rosa Mbeki?" (said only in the photo's caption) got another figure of the page."""
    page = tmp_path / "festival.html"
    page.write_text(
        "<html><head><title>Festival</title></head><body><nav><a href='/'>Home</a></nav>"
        "<article><h1>Larkfield festival draws record crowds</h1><p>The Larkfield Folk Festival"
        " attracted a record 58,000 visitors over its three days this weekend, organisers said"
        " on Monday.</p><figure><img src='mbeki.jpg' alt='Singer on stage'><figcaption>Singer"
        " Rosa Mbeki performs on the Meadow Stage<br>in front of an estimated 9,000 people."
        " Photo: Aleksander Hart</figcaption></figure><p>Festival director Neil Castellano said"
        " a fourth stage by the river had eased crowding at the weekend.</p></article>"
        "</body></html>",
        encoding="utf-8",
    )
    text = load_file(page).text
    caption = (
        "Singer Rosa Mbeki performs on the Meadow Stage in front of an estimated 9,000 people."
        " Photo: Aleksander Hart"
    )
    assert f"on Monday.\n\n{caption}\n\nFestival director" in text, text
    assert "Home" not in text


def test_a_table_in_a_figure_is_kept_with_its_caption_and_a_credit_is_not(tmp_path: Path) -> None:
    page = tmp_path / "festival.html"
    page.write_text(
        "<html><head><title>Festival</title></head><body><article><h1>Festival crowds</h1>"
        "<p>The Larkfield Folk Festival attracted a record 58,000 visitors over its three days"
        " this weekend, organisers said on Monday.</p><figure><table><tr><th>Day</th><th>"
        "Visitors</th></tr><tr><td>Friday</td><td>14,500</td></tr><tr><td>Saturday</td><td>"
        "22,300</td></tr></table><figcaption>Visitors on each day of the 2025 festival"
        "</figcaption></figure><figure><img src='a.jpg'><figcaption>Photo: Reuters"
        "</figcaption></figure><p>Police said there had been four arrests over the weekend,"
        " all of them for minor offences.</p></article></body></html>",
        encoding="utf-8",
    )
    text = load_file(page).text
    assert "| Saturday | 22,300 |" in text, text
    assert "Visitors on each day of the 2025 festival" in text
    assert "Reuters" not in text
