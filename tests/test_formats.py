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
