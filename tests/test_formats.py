"""Saved web pages (.mhtml), e-mails (.eml), OpenDocument (.odt) and RTF files: read as a
person reads them, cited by exact spans, and refused in one line when they are not what their
name says. Every file is written here as the program that makes it would write it."""

from __future__ import annotations

import quopri
import shutil
from email.message import EmailMessage
from pathlib import Path

import pytest

from qa.documents import SUPPORTED_SUFFIXES, load_documents, load_file

_PAGE = """<!DOCTYPE html><html><head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<title>Ferry fares to Lindholm rise in spring | Kystposten</title>
<meta name="author" content="Maren Lie"></head><body>
<div class="cookie-banner">We use cookies. Cookies last 365 days. <button>Accept</button></div>
<nav><a href="/">Home</a> <a href="/local">Local</a> <a href="/sport">Sport</a></nav>
<article><h1>Ferry fares to Lindholm rise in spring</h1>
<p>The adult single fare on the ferry to Lindholm will rise from 7 to 9 euros on 1 April, the
harbour board decided on Thursday.</p>
<p>Children under 12 will still travel free, and a car ticket stays at 31 euros. The board said
the increase would pay for a new gangway at Lindholm pier, which is to cost 1.4 million euros.</p>
<p>Ferry operator Fjordlinjen carried 412,000 passengers last year. Its chief executive, Tor
Åsen, said the café on board would reopen in May.</p>
</article>
<aside><h3>Most read</h3><ul><li>Bus fare to Ekvik jumps to 12 euros</li></ul></aside>
<footer>© Kystposten. A timetable subscription costs 4 euros a month.</footer>
</body></html>"""


def _mhtml(path: Path, *, start: bool = True) -> Path:
    """A page saved by Chrome ("Save as... Webpage, Single File"): the HTML part quoted-
    printable with no charset, then a style sheet and an image; CRLF line ends."""
    page = quopri.encodestring(_PAGE.encode("utf-8")).decode("ascii")
    boundary = "----MultipartBoundary--Xq2v8ZJ1mW----"
    start_param = '\tstart="<frame-4B1A@mhtml.blink>";\n' if start else ""
    text = (
        "From: <Saved by Blink>\n"
        "Snapshot-Content-Location: https://kystposten.example/local/ferry-fares\n"
        "Subject: Ferry fares to Lindholm rise in spring | Kystposten\n"
        "Date: Tue, 17 Feb 2026 09:12:44 -0000\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/related;\n"
        '\ttype="text/html";\n'
        f"{start_param}"
        f'\tboundary="{boundary}"\n\n\n'
        f"--{boundary}\n"
        "Content-Type: text/css\n"
        "Content-Location: https://kystposten.example/style.css\n\n"
        "body { font-family: serif; }\n"
        f"--{boundary}\n"
        "Content-Type: text/html\n"
        "Content-ID: <frame-4B1A@mhtml.blink>\n"
        "Content-Transfer-Encoding: quoted-printable\n"
        "Content-Location: https://kystposten.example/local/ferry-fares\n\n"
        f"{page}\n"
        f"--{boundary}\n"
        "Content-Type: image/png\n"
        "Content-Transfer-Encoding: base64\n\n"
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\n"
        f"--{boundary}--\n"
    )
    path.write_bytes(text.replace("\n", "\r\n").encode("ascii"))
    return path


def _newsletter(path: Path) -> Path:
    """A newsletter as a mail program sends it: a Latin-1 plain-text body (quoted-printable,
    hard-wrapped), the same text in a layout table as HTML, and a PDF attached."""
    message = EmailMessage()
    message["Subject"] = "Nyhetsbrev: Bäckby school gets a new roof"
    message["From"] = "Kystposten Nyhetsbrev <news@kystposten.example>"
    message["To"] = "reader@example.org"
    message["Date"] = "Mon, 02 Mar 2026 07:30:00 +0100"
    plain = (
        "Bäckby school gets a new roof\n\n"
        "The council will spend 2.3 million euros on a new roof\n"
        "for Bäckby school this summer, the head teacher,\n"
        "Annika Roos, told parents on Friday.\n\n"
        "Work starts on 22 June and should end before the pupils\n"
        "return in August.\n"
    )
    message.set_content(plain, charset="iso-8859-1", cte="quoted-printable")
    html = (
        "<html><body><table width='600'><tr><td><h1>Bäckby school gets a new roof</h1>"
        "<p>The council will spend 2.3 million euros on a new roof for Bäckby school this "
        "summer, the head teacher, Annika Roos, told parents on Friday.</p>"
        "<p>Work starts on 22 June and should end before the pupils return in August.</p>"
        "</td></tr><tr><td><small>Unsubscribe.</small></td></tr></table></body></html>"
    )
    message.add_alternative(html, subtype="html")
    message.add_attachment(
        b"%PDF-1.4 a timetable", maintype="application", subtype="pdf", filename="times.pdf"
    )
    path.write_bytes(bytes(message))
    return path


def _odt(path: Path) -> Path:
    """A LibreOffice-style text: title and author properties, a heading, a footnote, a
    comment, a deleted tracked change, a list and a table with heading rows."""
    from odf import dc, meta, office, table, text
    from odf.opendocument import OpenDocumentText

    doc = OpenDocumentText()
    doc.meta.addElement(dc.Title(text="Brisk harbour results"))
    doc.meta.addElement(meta.InitialCreator(text="Ingrid Holm"))
    changes = text.TrackedChanges()
    region = text.ChangedRegion(check_grammar=False)
    deletion = text.Deletion(check_grammar=False)
    deletion.addElement(text.P(text="The harbour closes in 2030."))
    region.addElement(deletion)
    changes.addElement(region)
    doc.text.addElement(changes)
    doc.text.addElement(text.H(outlinelevel=1, text="Brisk harbour lands more cod"))
    p = text.P(text="Fishing boats landed 4,300 tonnes of cod at Brisk harbour last year,")
    p.addElement(text.S(c=1))
    p.addText("the harbour master, Jens Vik, said on Monday.")
    note = text.Note(id="ftn1", noteclass="footnote")
    note.addElement(text.NoteCitation(text="1"))
    body = text.NoteBody()
    body.addElement(text.P(text="Figures from the county fishery office."))
    note.addElement(body)
    p.addElement(note)
    doc.text.addElement(p)
    p2 = text.P(text="The fleet has fifteen trawlers.")
    comment = office.Annotation()
    comment.addElement(text.P(text="Check: was it sixteen?"))
    p2.addElement(comment)
    doc.text.addElement(p2)
    items = text.List()
    for line in ("Cod: 4,300 tonnes", "Crab: 900 tonnes"):
        item = text.ListItem()
        item.addElement(text.P(text=line))
        items.addElement(item)
    doc.text.addElement(items)
    grid = table.Table(name="Landings")
    grid.addElement(table.TableColumn(numbercolumnsrepeated=3))
    head = table.TableHeaderRows()
    rows = [["Species", "2024", "2025"], ["Cod", "3,900 t", "4,300 t"], ["Crab", "850 t", "900 t"]]
    for i, values in enumerate(rows):
        row = table.TableRow()
        for value in values:
            cell = table.TableCell()
            cell.addElement(text.P(text=value))
            row.addElement(cell)
        (head if i == 0 else grid).addElement(row)
        if i == 0:
            grid.addElement(head)
    doc.text.addElement(grid)
    doc.save(str(path))
    return path


# as WordPad writes it: a code page, escaped accents, a Unicode euro, a comment, a table
_RTF = r"""{\rtf1\ansi\ansicpg1252\deff0\nouicompat{\fonttbl{\f0\fnil\fcharset0 Calibri;}}
{\info{\title Tram line to Ekvik delayed}{\author Ren\'e9e M\'f6ller}}
{\*\generator Riched20 10.0.19041}\viewkind4\uc1
\pard\sa200\sl276\slmult1\b\f0\fs28\lang9 Tram line to Ekvik delayed\b0\fs22\par
The new tram line between Tornby and Ekvik will open in 2028, two years later than planned,
 because of a shortage of rails. The city\rquote s transport chief, Ren\'e9e M\'f6ller, said the
 line would cost \'80 212 million.\par
{\*\annotation Check the cost}
\trowd\trgaph108\cellx3000\cellx6000\cellx9000
\pard\intbl Stop\cell District\cell Opens\cell\row
\trowd\trgaph108\cellx3000\cellx6000\cellx9000
\pard\intbl Tornby Centre\cell Old town\cell 2028\cell\row
\trowd\trgaph108\cellx3000\cellx6000\cellx9000
\pard\intbl Ekvik Harbour\cell Docks\cell 2029\cell\row
\pard\par
A ride will cost \u8364?2.50.\par
}"""


def _rtf(path: Path) -> Path:
    # the source's line breaks are not part of the text (a writer breaks a long line before a space)
    path.write_bytes(_RTF.replace("\n", "\r\n").encode("ascii"))
    return path


def test_the_new_formats_are_supported() -> None:
    for suffix in (".mhtml", ".mht", ".eml", ".odt", ".rtf"):
        assert suffix in SUPPORTED_SUFFIXES


@pytest.mark.parametrize("start", [True, False])
def test_a_saved_page_is_read_as_its_html_is(tmp_path: Path, start: bool) -> None:
    """The root part (named by ``start``, else the first HTML part; a style sheet comes
    first here) is the page; its main content only, as for an .html file."""
    doc = load_file(_mhtml(tmp_path / "ferry.mhtml", start=start))
    (tmp_path / "ferry.html").write_text(_PAGE, encoding="utf-8")
    assert doc.text == load_file(tmp_path / "ferry.html").text
    assert "from 7 to 9 euros" in doc.text and "Tor Åsen" in doc.text
    for boilerplate in ("cookies", "12 euros", "subscription", "font-family", "Saved by"):
        assert boilerplate not in doc.text
    assert doc.metadata["author"] == "Maren Lie"
    assert doc.metadata["title"] == "Ferry fares to Lindholm rise in spring"


def test_an_email_is_read_from_its_text_body_with_its_headers(tmp_path: Path) -> None:
    doc = load_file(_newsletter(tmp_path / "roof.eml"))
    assert doc.metadata == {
        "title": "Nyhetsbrev: Bäckby school gets a new roof",
        "author": "Kystposten Nyhetsbrev",
        "published": "2026-03-02",
    }
    # the sender and date lead, as a page's byline does; the hard wraps are joined; the
    # layout table and the attachment are not read
    assert doc.text.startswith(
        "By Kystposten Nyhetsbrev · 2026-03-02\n\n# Nyhetsbrev: Bäckby school gets a new roof\n"
    )
    assert (
        "The council will spend 2.3 million euros on a new roof for Bäckby school this summer,"
        " the head teacher, Annika Roos, told parents on Friday." in doc.text
    )
    assert "|" not in doc.text and "Unsubscribe" not in doc.text and "PDF" not in doc.text


def test_an_email_with_only_html_is_read_as_a_page(tmp_path: Path) -> None:
    message = EmailMessage()
    message["Subject"] = "Crane"
    message["From"] = "port@brisk.example"
    message.set_content(
        "<html><body><article><p>The new harbour crane at Brisk can lift 64 tonnes, twice as "
        "much as the old one, the port said on Tuesday.</p></article></body></html>",
        subtype="html",
    )
    path = tmp_path / "crane.eml"
    path.write_bytes(bytes(message))
    doc = load_file(path)
    assert "can lift 64 tonnes" in doc.text and "<p>" not in doc.text
    assert doc.metadata["author"] == "port@brisk.example"
    assert "published" not in doc.metadata  # no Date header


def test_an_odt_file_is_read_in_the_shape_of_a_word_file(tmp_path: Path) -> None:
    doc = load_file(_odt(tmp_path / "harbour.odt"))
    assert doc.metadata == {"title": "Brisk harbour results", "author": "Ingrid Holm"}
    assert doc.text == (
        "# Brisk harbour lands more cod\n\n"
        "Fishing boats landed 4,300 tonnes of cod at Brisk harbour last year, the harbour "
        "master, Jens Vik, said on Monday.\n\n"
        "The fleet has fifteen trawlers.\n\n"
        "- Cod: 4,300 tonnes\n\n- Crab: 900 tonnes\n\n"
        "| Species | 2024 | 2025 |\n|---|---|---|\n| Cod | 3,900 t | 4,300 t |\n"
        "| Crab | 850 t | 900 t |\n\n"
        "[1] Figures from the county fishery office.\n"
    )
    # neither the comment nor the deleted text is read
    assert "sixteen" not in doc.text and "2030" not in doc.text


def test_an_rtf_file_is_read_as_paragraphs_and_rows(tmp_path: Path) -> None:
    doc = load_file(_rtf(tmp_path / "tram.rtf"))
    assert doc.metadata == {"title": "Tram line to Ekvik delayed", "author": "Renée Möller"}
    assert doc.text == (
        "Tram line to Ekvik delayed\n\n"
        "The new tram line between Tornby and Ekvik will open in 2028, two years later than "
        "planned, because of a shortage of rails. The city’s transport chief, Renée Möller, "
        "said the line would cost € 212 million.\n\n"
        "| Stop | District | Opens |\n|---|---|---|\n| Tornby Centre | Old town | 2028 |\n"
        "| Ekvik Harbour | Docks | 2029 |\n\n"
        "A ride will cost €2.50.\n"
    )


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("a.odt", b"plain words, no package", "not an OpenDocument text"),
        ("b.rtf", b"plain words, no markup", "not an RTF document"),
        ("c.eml", b"plain words, no headers at all", "not a MIME message"),
        ("d.mhtml", b"Subject: x\nContent-Type: image/png\n\nabc", "no HTML page"),
        ("e.odt", b"", "empty"),
    ],
)
def test_a_file_that_is_not_its_format_is_skipped_with_a_reason(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    (tmp_path / name).write_bytes(content)
    (tmp_path / "ok.md").write_text("# Ok\n\nA line of text.\n", encoding="utf-8")
    docs, skipped = load_documents([tmp_path])
    assert [d.path.rsplit("/", 1)[-1] for d in docs] == ["ok.md"]
    assert [p.name for p, _ in skipped] == [name]
    assert reason in skipped[0][1] and "\n" not in skipped[0][1]


def test_a_spreadsheet_named_odt_is_refused(tmp_path: Path) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet

    OpenDocumentSpreadsheet().save(str(tmp_path / "sheet.odt"))
    with pytest.raises(ValueError, match="not an OpenDocument text"):
        load_file(tmp_path / "sheet.odt")


def _cited(qa, question: str, value: str) -> None:
    answer = qa.ask(question)
    assert not answer.abstained, (question, answer.text)
    for c in answer.citations:
        source = qa.source_of(c.doc_id)
        assert source is not None and load_file(source).text[c.start : c.end] == c.quote
    assert any(value in c.quote for c in answer.citations), (question, answer.citations)


def test_questions_are_answered_from_each_format(make_qa, tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    _mhtml(folder / "ferry.mhtml")
    _newsletter(folder / "roof.eml")
    _odt(folder / "harbour.odt")
    _rtf(folder / "tram.rtf")
    qa = make_qa(mode="extractive")
    report = qa.ingest([folder])
    assert report.skipped == [] and len(report.added) == 4
    _cited(qa, "How much will the adult ferry fare to Lindholm be?", "9 euros")
    _cited(qa, "How much will the council spend on the roof of Bäckby school?", "2.3 million")
    _cited(qa, "How many tonnes of cod were landed at Brisk harbour last year?", "4,300")
    _cited(qa, "When will the tram line between Tornby and Ekvik open?", "2028")
    # the boilerplate of the saved page is not content
    assert qa.ask("How much does a timetable subscription cost?").abstained
    # a second ingest of the same folder reads nothing again
    again = qa.ingest([folder])
    assert again.added == [] and again.updated == [] and again.skipped == []
    shutil.rmtree(folder)


def test_an_email_forwarded_as_an_attachment_is_read_when_the_body_is_empty(
    tmp_path: Path,
) -> None:
    article = EmailMessage()
    article["Subject"] = "Harbour crane"
    article["From"] = "Brisk Port <port@brisk.example>"
    article["Date"] = "Wed, 04 Mar 2026 12:00:00 +0000"
    article.set_content("The new harbour crane at Brisk can lift 64 tonnes.\n")
    path = tmp_path / "fwd.eml"
    for body in ("", "See the story below: the crane arrives in May.\n"):
        outer = EmailMessage()
        outer["Subject"] = "Fwd: Harbour crane"
        outer["From"] = "Ola Berg <ola@example.org>"
        outer.set_content(body)
        outer.add_attachment(article)
        path.write_bytes(bytes(outer))
        doc = load_file(path)
        if body:  # a message with a body of its own is read from that body
            assert "arrives in May" in doc.text and "64 tonnes" not in doc.text
            assert doc.metadata["title"] == "Fwd: Harbour crane"
        else:
            assert "can lift 64 tonnes" in doc.text
            assert doc.metadata == {
                "title": "Harbour crane",
                "author": "Brisk Port",
                "published": "2026-03-04",
            }


# ---- faults a break-test found in these readers ---------------------------------------------
def _eml(path: Path, raw: str | bytes) -> Path:
    data = raw.encode("ascii") if isinstance(raw, str) else raw
    path.write_bytes(data.replace(b"\n", b"\r\n"))
    return path


def test_surrogates_are_made_characters_and_do_not_stop_an_ingest(make_qa, tmp_path) -> None:
    """An emoji Word writes as two ``\\uN`` halves, and a From header of raw 8-bit bytes, gave
    lone surrogates, which stopped the whole folder's ingest with a traceback."""
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "tram.rtf").write_bytes(
        rb"{\rtf1\ansi\ansicpg1252\uc1 The tram \u-10179?\u-8571? opens in 2028.\par"
        rb" A lone half \u-10179? stays.\par}"
    )
    raw = (
        "From: Jos\xe9 Mart\xednez <jose@example.org>\nSubject: Se\xf1al de alarma\n"
        "Date: Wed, 14 Aug 2024 08:00:00 +0000\nContent-Type: text/plain; charset=utf-8\n\n"
        "The reservoir is at 11 per cent of its capacity.\n"
    )
    _eml(folder / "latin1.eml", raw.encode("latin-1"))
    _eml(folder / "utf8.eml", raw.encode("utf-8"))
    rtf = load_file(folder / "tram.rtf").text
    assert "The tram \U0001f685 opens in 2028." in rtf and "half \ufffd stays" in rtf
    for name in ("latin1.eml", "utf8.eml"):
        doc = load_file(folder / name)
        assert doc.metadata["author"] == "José Martínez", name
        assert doc.metadata["title"] == "Señal de alarma", name
    report = make_qa(mode="extractive").ingest([folder])
    assert len(report.added) == 3 and report.skipped == []


def test_a_wordpad_file_ending_in_a_nul_byte_is_read(tmp_path: Path) -> None:
    path = tmp_path / "council.rtf"
    path.write_bytes(
        rb"{\rtf1\ansi\deff0 Stockport will raise council tax by 4.99 per cent.\par}" + b"\x00"
    )
    assert load_file(path).text == "Stockport will raise council tax by 4.99 per cent.\n"


_LAYOUT = (
    "<html><body><table width='100%'><tr><td align='center'><table width='600'>"
    "<tr><td><a href='#'>View this email in your browser</a></td></tr>"
    "<tr><td><h1>Ferries</h1><p>The Isles Ferry Company will freeze fares until January "
    "2026, its managing director Fiona MacLeod announced on Tuesday.</p>"
    "<p>A return ticket from Oban to Craignure will stay at £19.40 for foot passengers, and "
    "the company carried 1.2 million passengers last year.</p>"
    "<table><tr><th>Class</th><th>Winner</th></tr><tr><td>Dinghy</td><td>Ewan Campbell</td>"
    "</tr></table></td></tr></table></td></tr></table></body></html>"
)


@pytest.mark.parametrize("plain", [None, "To view this email as a web page, go here.\n"])
def test_a_newsletter_in_layout_tables_is_read_as_paragraphs(tmp_path: Path, plain) -> None:
    """A newsletter set in layout tables was one table row; one whose plain part is a stub
    ("To view this email as a web page...") lost the article."""
    message = EmailMessage()
    message["Subject"] = "The Harbour Brief"
    message["From"] = "The Harbour Brief <brief@example.org>"
    if plain:
        message.set_content(plain)
        message.add_alternative(_LAYOUT, subtype="html")
    else:
        message.set_content(_LAYOUT, subtype="html")
    path = tmp_path / "brief.eml"
    path.write_bytes(bytes(message))
    text = load_file(path).text
    assert (
        "\n\nA return ticket from Oban to Craignure will stay at £19.40 for foot passengers, "
        "and the company carried 1.2 million passengers last year.\n" in text
    )
    assert "| Dinghy | Ewan Campbell |" in text  # a table of data keeps its rows
    assert "web page" not in text and "| A return" not in text


def test_the_parts_around_an_inline_image_are_read_in_order(tmp_path: Path) -> None:
    message = EmailMessage()
    message["Subject"] = "Riverside Quarter approved"
    message["From"] = "Joanna Pike <jo@example.org>"
    message.make_mixed()
    for part in ("The committee approved the scheme by 7 votes to 2.\n", None,
                 "The developer must pay 3.2 million pounds towards a school.\n"):  # fmt: skip
        sub = EmailMessage()
        if part is None:
            sub.set_content(b"\x89PNG", maintype="image", subtype="png", disposition="inline")
        else:
            sub.set_content(part)
        message.attach(sub)
    path = tmp_path / "notes.eml"
    path.write_bytes(bytes(message))
    text = load_file(path).text
    assert text.index("7 votes to 2") < text.index("3.2 million pounds")


def test_a_forwarded_message_is_not_credited_to_the_forwarder(tmp_path: Path) -> None:
    raw = (
        "From: Lena Hoffmann <lena@example.org>\nSubject: Fwd: Dam inspection finds cracks\n"
        "Date: Fri, 07 Jun 2024 08:00:00 +0000\n\n"
        "---------- Forwarded message ---------\nFrom: Valley Gazette\n\n"
        "Dam inspection finds cracks in spillway\nBy Tomás Ferreira\n\n"
        "Engineers found three cracks in the concrete spillway of the Corran Dam.\n"
    )
    doc = load_file(_eml(tmp_path / "fwd.eml", raw.encode("utf-8")))
    assert "author" not in doc.metadata and "published" not in doc.metadata
    assert "Lena" not in doc.text.split("\n\n")[0]
    # a byline is a line of its own, not the end of the headline above it
    assert "\nDam inspection finds cracks in spillway\nBy Tomás Ferreira\n" in doc.text


def test_a_mailbox_saved_as_eml_is_read_message_by_message(tmp_path: Path) -> None:
    messages = [
        ("Library to close on Sundays", "01", "The library will close on Sundays."),
        ("Bus route 7 withdrawn", "02", "Route 7 will stop running on 31 August."),
    ]
    mbox = "".join(
        f"From crier@example.org Mon Jul {day} 09:00:00 2024\nFrom: Town Crier <c@example.org>\n"
        f"Subject: {subject}\nDate: Mon, {day} Jul 2024 09:00:00 +0000\n\n{body}\n\n"
        for subject, day, body in messages
    )
    doc = load_file(_eml(tmp_path / "crier.eml", mbox))
    assert doc.metadata["title"] == "Library to close on Sundays"
    assert doc.text == (
        "By Town Crier · 2024-07-01\n\n# Library to close on Sundays\n\n"
        "The library will close on Sundays.\n\n"
        "By Town Crier · 2024-07-02\n\n# Bus route 7 withdrawn\n\n"
        "Route 7 will stop running on 31 August.\n"
    )


def test_parts_are_decoded_as_browsers_read_their_charset_labels(tmp_path: Path) -> None:
    """An e-mail labelled iso-8859-1 but written in windows-1252 (as browsers and mail
    programs read that label) kept C1 controls for its euro and quotes; a saved page whose
    windows-1250 charset is only in its <meta> was read as another code page."""
    body = "A fine of \u20ac150, \u201cthe new zone\u201d.\n".encode("cp1252")
    raw = b"From: a@example.org\nSubject: Zone\nContent-Type: text/plain; charset=iso-8859-1\n\n"
    doc = load_file(_eml(tmp_path / "zone.eml", raw + body))
    assert "A fine of €150, “the new zone”." in doc.text
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1250">'
        "<title>Praha</title></head><body><article><p>Jízdné se od července zvýší o 20 procent, "
        "oznámil náměstek primátora Jiří Růžička, a roční kupón bude stát 4 800 korun."
        "</p></article></body></html>"
    ).encode("cp1250")
    mhtml = (
        b"Subject: Praha\nMIME-Version: 1.0\nContent-Type: multipart/related; "
        b'type="text/html"; boundary="B"\n\n--B\nContent-Type: text/html\n'
        b"Content-Transfer-Encoding: binary\n\n" + page + b"\n--B--\n"
    )
    assert "Jiří Růžička" in load_file(_eml(tmp_path / "praha.mhtml", mhtml)).text


def test_a_saved_xhtml_page_is_read(tmp_path: Path) -> None:
    page = (
        '<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
        "<head><title>Telescope</title></head><body><article><p>The Armagh Observatory "
        "installed a 1.2-metre telescope on Friday, its director said.</p></article></body>"
        "</html>"
    )
    mhtml = (
        "Subject: Telescope\nMIME-Version: 1.0\nContent-Type: multipart/related; "
        'type="application/xhtml+xml"; boundary="B"\n\n--B\n'
        f"Content-Type: application/xhtml+xml\n\n{page}\n--B--\n"
    )
    assert "1.2-metre telescope" in load_file(_eml(tmp_path / "t.mhtml", mhtml)).text


def test_markdown_escapes_of_the_page_reader_are_undone(tmp_path: Path) -> None:
    """trafilatura's Markdown output escaped "[the ministry]" and "quota_cut_2025"."""
    path = tmp_path / "quota.html"
    path.write_text(
        "<html><body><article><p>“They [the ministry] never asked a single skipper,” said Tam "
        "McLeod, after the mackerel quota was cut by 21 per cent [sic] under file "
        "quota_cut_2025, and 38 boats* would be tied up.</p></article></body></html>",
        encoding="utf-8",
    )
    text = load_file(path).text
    assert "They [the ministry] never" in text and "[sic] under file quota_cut_2025" in text
    assert "38 boats* would" in text and "\\" not in text


def _odt_with(path: Path, build) -> Path:
    from odf.opendocument import OpenDocumentText

    doc = OpenDocumentText()
    build(doc)
    doc.save(str(path))
    return path


def test_an_odt_layout_is_read_as_the_page_shows_it(tmp_path: Path) -> None:
    """A text box was glued into its paragraph ("FACT BOXSpan: 312 metres..."), an image's
    title and description were read, and so were a hidden section, the table of contents
    and the line ends of the XML source (pandoc wraps it)."""
    from odf import draw, text

    def build(doc) -> None:
        toc = text.TableOfContent(name="Contents")
        body = text.IndexBody()
        body.addElement(text.P(text="1. The new bridge\t1"))
        toc.addElement(body)
        doc.text.addElement(toc)
        heading = text.H(outlinelevel=1)
        heading.addElement(text.Number(text="1."))
        heading.addText("The new bridge")
        doc.text.addElement(heading)
        p = text.P()
        frame = draw.Frame(name="Box", anchortype="paragraph")
        box = draw.TextBox()
        box.addElement(text.P(text="Span: 312 metres"))
        frame.addElement(box)
        p.addElement(frame)
        p.addText("The bridge will be cable-stayed,\n  designed by a Danish firm.")
        doc.text.addElement(p)
        photo = text.P()
        image = draw.Frame(name="Photo", anchortype="as-char")
        image.addElement(draw.Image(href="Pictures/1.png"))
        photo.addElement(image)
        photo.addText("It will carry 45,000 vehi\u00adcles a day.")
        doc.text.addElement(photo)
        hidden = text.Section(name="Draft", display="none")
        hidden.addElement(text.P(text="It will cost 900 million pounds, a memo says."))
        doc.text.addElement(hidden)

    doc = load_file(_odt_with(tmp_path / "bridge.odt", build))
    assert doc.text == (
        "# 1. The new bridge\n\n"
        "The bridge will be cable-stayed, designed by a Danish firm.\n\n"
        "Span: 312 metres\n\n"
        "It will carry 45,000 vehicles a day.\n"
    )


def test_merged_odt_cells_keep_each_row_under_its_header(tmp_path: Path) -> None:
    from odf import table, text

    def cell(value: str, **spans) -> table.TableCell:
        c = table.TableCell(**spans)
        c.addElement(text.P(text=value))
        return c

    def build(doc) -> None:
        grid = table.Table(name="Waits")
        grid.addElement(table.TableColumn(numbercolumnsrepeated=4))
        rows = [
            [cell("Health board"), cell("Hospital"), cell("2023"), cell("2024")],
            [cell("Betsi Cadwaladr", numberrowsspanned=2), cell("Glan Clwyd"), cell("31"),
             cell("27")],
            [table.CoveredTableCell(), cell("Ysbyty Gwynedd"), cell("29"), cell("33")],
            [cell("All Wales", numbercolumnsspanned=2), table.CoveredTableCell(), cell("28"),
             cell("26")],
        ]  # fmt: skip
        for values in rows:
            row = table.TableRow()
            for value in values:
                row.addElement(value)
            grid.addElement(row)
        doc.text.addElement(grid)

    doc = load_file(_odt_with(tmp_path / "waits.odt", build))
    assert doc.text == (
        "| Health board | Hospital | 2023 | 2024 |\n"
        "|---|---|---|---|\n"  # column names and years: the header
        "| Betsi Cadwaladr | Glan Clwyd | 31 | 27 |\n"
        "| Betsi Cadwaladr | Ysbyty Gwynedd | 29 | 33 |\n"
        "| All Wales |  | 28 | 26 |\n"
    )


def test_rtf_title_and_author_are_read_in_the_files_code_page(tmp_path: Path) -> None:
    path = tmp_path / "fire.rtf"
    path.write_bytes(
        rb"{\rtf1\ansi\ansicpg1251{\info{\title \'cf\'ee\'e6\'e0\'f0 \'ed\'e0 \'f1\'ea\'eb\'e0"
        rb"\'e4\'e5}{\author Jos\'e9}}\'c2 \'f1\'f3\'e1\'e1\'ee\'f2\'f3 \'f1\'e3\'ee\'f0\'e5"
        rb"\'eb \'f1\'ea\'eb\'e0\'e4.\par}"
    )
    doc = load_file(path)
    assert doc.metadata == {"title": "Пожар на складе", "author": "Josй"}
    assert doc.text == "В субботу сгорел склад.\n"


def test_a_byline_keeps_its_line_and_a_wrapped_html_paragraph_is_joined(tmp_path: Path) -> None:
    """A .txt byline and the dateline under it were joined into one line ("By Marcus Elling,
    Business Reporter LEEDS, 12 March 2025"); a page written by Word, its source wrapped
    inside paragraphs, kept those line ends ("rose to 3.7 million" / "tonnes in April")."""
    txt = tmp_path / "leeds.txt"
    txt.write_text(
        "Leeds firm hires 200\n\nBy Marcus Elling, Business Reporter\nLEEDS, 12 March 2025\n\n"
        "A Leeds engineering firm will hire 200 people this year, its owner said.\n",
        encoding="utf-8",
    )
    assert "\nBy Marcus Elling, Business Reporter\nLEEDS, 12 March 2025\n" in load_file(txt).text
    page = tmp_path / "grain.htm"
    page.write_text(
        "<html><body><div class=WordSection1><h1>Odessa grain exports rebound<o:p></o:p></h1>"
        "<p class=MsoNormal>Grain shipments from the port of Odessa rose to 3.7 million\ntonnes "
        "in April, the highest monthly figure since 2021, the port authority said.<o:p></o:p>"
        "</p></div></body></html>",
        encoding="utf-8",
    )
    assert "rose to 3.7 million tonnes in April" in load_file(page).text


def test_a_document_that_cannot_be_hashed_is_skipped_not_the_folder(
    make_qa, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a reader ever give text that UTF-8 refuses (before ``valid_unicode`` an RTF
    emoji's halves did), that file is skipped in one line and the rest is ingested."""
    import qa.documents

    monkeypatch.setattr(qa.documents, "valid_unicode", lambda text: text)
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "tram.rtf").write_bytes(rb"{\rtf1\ansi\uc1 A lone half \u-10179? here.\par}")
    (folder / "bakery.md").write_text("# Bakery\n\nKornhus hired six staff.\n", encoding="utf-8")
    report = make_qa(mode="extractive").ingest([folder])
    assert [Path(p).name for p in report.added] == ["bakery.md"]
    assert len(report.skipped) == 1 and "tram.rtf" in report.skipped[0]
    assert "UnicodeEncodeError" in report.skipped[0] and "\n" not in report.skipped[0]
