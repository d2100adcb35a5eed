"""Load .md, .txt, .html, .pdf, .docx, .odt, .rtf, .mhtml and .eml files into Documents, as a
person reads them.

Every reader returns the text a person reads, and that text is what is stored: citations index
it exactly (``quote == text[start:end]``). On the way in, each file's text is

- decoded: UTF-8, else the legacy encoding that reads as a language (``qa.decoding``);
- given ``\\n`` line endings (Windows and old Mac ones converted);
- Unicode NFKC-normalised, so ligatures (``ﬁ`` -> ``fi``) and compatibility characters
  (full-width digits, no-break spaces) read and search as the letters they stand for;
- for plain text and PDF, tables set in spaces or tabs written as Markdown ``|`` rows
  (``set_tables``; a PDF's found in pypdf's layout mode, ``pdf_rows``);
- unwrapped (plain text and PDF, and Markdown prose): a soft line wrap inside a paragraph is
  joined with a space, a word hyphenated at the end of a line is joined whole, a compound
  broken at its own hyphen keeps it ("state-owned", ``qa.hyphenation``); paragraph breaks,
  headings, list items, table rows and "Label: value" lines stay on their own lines.

HTML is read by trafilatura (main content only: no cookie banner, navigation, "most read" box
or footer), as Markdown so tables stay rows of cells; its title, date and author are metadata.
A Word ``.docx`` file is read in the same shape (``qa.word``): headings as ``#`` lines, list
paragraphs as items, tables as rows of cells; so are OpenDocument ``.odt`` (``qa.opendocument``)
and ``.rtf`` files (``qa.rtf``). A saved web page (``.mhtml``, ``.mht``) is read as its HTML
page is, an e-mail (``.eml``) from its text body, its subject, sender and date leading it as a
page's title, byline and date do (``qa.mime``).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import Any

from qa.decoding import decode
from qa.errors import InvalidPathError, NoDocumentsError
from qa.hyphenation import WordCounts, english, keeps_hyphen
from qa.pdf_pages import layout_paragraphs, strip_page_furniture
from qa.types import Document

__all__ = [
    "READER_VERSION",
    "SPANS_KEY",
    "SUPPORTED_SUFFIXES",
    "display_path",
    "doc_id_for",
    "iter_documents",
    "load_documents",
    "load_file",
    "normalise_text",
    "other_types",
    "pdf_rows",
    "set_tables",
    "supported_files",
    "unwrap",
    "valid_unicode",
]

_MIME_SUFFIXES = (".mhtml", ".mht", ".eml")
SUPPORTED_SUFFIXES = (
    ".md",
    ".markdown",
    ".txt",
    ".html",
    ".htm",
    ".xhtml",
    ".pdf",
    ".docx",
    ".odt",
    ".rtf",
    *_MIME_SUFFIXES,
)
# part of every document's version: a store built by an older reader re-reads changed text
READER_VERSION = "reader-18"
# the metadata key of the front matter's date and author values: {"published": [[start, end,
# text]], "author": [[...], ...]}, their spans in the document text, so that "When was it
# published?" cites the value when the body has no dateline (the body, not the front matter,
# is chunked); an author list has one span per line
SPANS_KEY = "front_matter_spans"
_FRONT_MATTER = re.compile(r"\A(---|\+\+\+)[ \t]*\n(.*?)\n\1[ \t]*\n", re.DOTALL)
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
# a line that stands alone: heading, list item, table row, quote, rule, fenced code
_BLOCK_LINE = re.compile(r"^\s*(#|[-*+•●▪◦‣■–]\s|\d{1,3}[.)]\s|\||>|```|~~~|---|___|\*\*\*)")
_ENDS_SENTENCE = re.compile(r"[.!?:;…。！？؟।][\"'”’)\]]*$")
_HYPHENATED = re.compile(r"[^\W\d_]-$")
# any word broken at a hyphen: "infor-", "20-" ("20-" / "year"), "CO2-"
_BROKEN = re.compile(r"[^\W_]-$")
# a gap between two cells of a table set in spaces, not after a sentence's stop
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[^\W\d_]")
_YEAR = re.compile(r"\b(1[89]|20)\d\d\b")
_COLUMN_GAP = re.compile(r"(?<=[^\s.!?:;])(?: {2,}|\t+)(?=\S)")
# a line that opens with a short label and a colon: "Saturday: 9:00 to 14:00", "Price: 7 euros"
_LABEL = re.compile(r"^\s*([^\W_])[^:.!?\n]{0,40}:\s+\S")
_LAST_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*$")
_FIRST_LETTERS = re.compile(r"[^\W\d_]+")


def doc_id_for(path: Path) -> str:
    """A stable id for a file: a hash of its absolute path."""
    return hashlib.sha1(str(path.resolve()).encode("utf-8")).hexdigest()[:16]


def display_path(path: Path, *, resolve: bool = True) -> str:
    """The path relative to the working dir when below it, else absolute; with ``resolve``
    false, a link is named as itself, not as the file it points to."""
    resolved = path.resolve() if resolve else path.absolute()
    try:
        return str(resolved.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(resolved)


_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_unicode(text: str) -> str:
    """``text`` with its UTF-16 surrogates made characters: a pair joined into the one it
    stands for (an RTF file's emoji is written as two ``\\uN`` halves), a lone one replaced by
    U+FFFD. A lone surrogate cannot be stored or hashed (UTF-8 refuses it): one such file
    stopped a whole folder's ingest (a break-test)."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


# the full-width marks CJK prose is punctuated with ("！", "（", "）", "，", "：", "；", "？"),
# which NFKC would turn into ASCII ones, so that a Chinese quote no longer read as its source
# does; other full-width forms are folded with the letters and digits they go with
# ("３．５％" is "3.5%": a kept "．" after a folded digit ended a sentence)
_FULL_WIDTH_MARKS = re.compile(r"[！（），：；？]+")


def _nfkc(text: str) -> str:
    """NFKC, except for full-width punctuation (``_FULL_WIDTH_MARKS``), which is kept."""
    if not _FULL_WIDTH_MARKS.search(text):
        return unicodedata.normalize("NFKC", text)
    out, cursor = [], 0
    for mark in _FULL_WIDTH_MARKS.finditer(text):
        out += [unicodedata.normalize("NFKC", text[cursor : mark.start()]), mark.group()]
        cursor = mark.end()
    return "".join([*out, unicodedata.normalize("NFKC", text[cursor:])])


def normalise_text(text: str) -> str:
    """``\\n`` line endings, NFKC (full-width punctuation kept, ``_nfkc``), no soft hyphens
    and no stray control characters (tabs and breaks kept)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _nfkc(text)
    # NFKC maps U+2028/2029 (line/paragraph separators) to themselves: read them as breaks
    text = text.replace("\u2029", "\n\n").replace("\u2028", "\n").replace("\f", "\n\n")
    # a soft hyphen marks where a word may break, and is not read ("kitti\u00adwakes")
    return text.replace("\u00ad", "")


def _joins(
    line: str, following: str, longest: int, latin: Callable[[], str] = lambda: "en"
) -> bool:
    """Whether ``following`` continues ``line``'s sentence (a soft wrap, not a new line);
    ``latin`` gives the document's language (``qa.chunking.document_language``)."""
    first = following.lstrip()[:1]
    if not first or _BLOCK_LINE.match(following) or _BLOCK_LINE.match(line):
        return False
    if _is_byline_line(line) or _is_byline_line(following):
        return False  # "Dam inspection finds cracks" / "By Tomás Ferreira" are two lines
    if _BROKEN.search(line) and first.isalnum():
        return True  # a word broken at a hyphen ("Anglo-" / "Dutch") ends no line of its own
    ends = _ENDS_SENTENCE.search(line)
    if ends and not _ends_abbreviation(line, following, latin):
        return False
    if _aligned(line, following) or (_labelled(line) and _labelled(following)):
        return False  # rows of a table set in spaces, or "Saturday: 9:00 to 14:00" lines
    if ends:
        # a title's or a short word's stop that the splitter runs on ("The lead author,
        # Prof." / "Matthias Huss said"), however short the line: no sentence ends there
        return True
    if first.islower() or first.isdigit() or first in "([“\"'‘€$£":
        return True
    # a capitalised word after a line as long as the paragraph's longest, or one that would not
    # have fitted on it ("The commission's chairwoman, Ottilie" / "Venkataraman, said"): the
    # line was wrapped (a short line without a full stop is a heading or a byline and keeps
    # its break)
    if len(line) < 30:
        return False
    word = following.split(maxsplit=1)[0]
    return len(line) >= 0.7 * longest or len(line) + 1 + len(word) > 0.9 * longest


_BYLINE_LINE = re.compile(
    r"^\s*(?:By|BY)\s+((?:[^\W\d_][\w'’.-]*)(?:\s+(?:[^\W\d_][\w'’.-]*|de|van|von|da|del|"
    r"der|la|le|and|&))*)\s*(?:$|,|·|\||–|—|\(|/)"
)


def _is_byline_line(line: str) -> bool:
    """A short line that opens as a byline: "By" and capitalised names, up to its end or a
    separator ("By Marcus Elling, Business Reporter"); not a sentence ("By Friday, the
    council must decide." opens with a day, and ends as a sentence)."""
    found = _BYLINE_LINE.match(line)
    if found is None or len(line.split()) > 12 or _ENDS_SENTENCE.search(line.rstrip()):
        return False
    from qa.dates import english_calendar_words

    names = found.group(1).split()
    capitalised = [w for w in names if w[:1].isupper()]
    return bool(capitalised) and capitalised[0].lower().strip(".,") not in english_calendar_words()


def _cells_at(line: str) -> list[tuple[int, int]]:
    """Where the cells of ``line`` start and end (columns, tabs set every 8), split at its
    column gaps: runs of two or more spaces or a tab, not after a full stop (two spaces
    after a sentence are a typist's habit, not a column)."""
    body = _expand_tabs(line).rstrip()
    cuts = [(g.start(), g.end()) for g in _COLUMN_GAP.finditer(body)]
    starts = [len(body) - len(body.lstrip())] + [end for _, end in cuts]
    ends = [start for start, _ in cuts] + [len(body)]
    return list(zip(starts, ends, strict=True))


def _expand_tabs(line: str) -> str:
    """``line`` with each tab set to the next stop of every 8 columns, at least two spaces
    (a tab between cells is a column gap however close the stop)."""
    if "\t" not in line:
        return line
    out: list[str] = []
    column = 0
    for char in line:
        if char == "\t":
            width = 8 - column % 8
            width += 8 if width < 2 else 0
            out.append(" " * width)
            column += width
        else:
            out.append(char)
            column += 1
    return "".join(out)


def _aligned(line: str, following: str, slack: int = 0) -> bool:
    """Whether two lines are rows of one table set in spaces or tabs: as many cells, two or
    more, the first of at most ``MAX_LABEL_WORDS`` words (a line of prose cut by a wide space
    is no row), and each cell after the first starts in the same column on both lines or,
    after a gap of three or more with a figure in one of the two, ends in the same column (set
    flush right), within ``slack`` columns; and not two lines of one length widened by single
    spaces. Justified prose, whose widened spaces fall anywhere, seldom lines up so (measured
    in eval/README.md, "Tables set in spaces")."""
    body, body2 = _expand_tabs(line), _expand_tabs(following)
    cells, cells2 = _cells_at(body), _cells_at(body2)
    if len(cells) != len(cells2) or len(cells) < 2:
        return False
    for text, (a, b) in ((body, cells[0]), (body2, cells2[0])):
        if len(text[a:b].split()) > MAX_LABEL_WORDS:
            return False
    gaps = [b[0] - a[1] for a, b in pairwise(cells)]
    gaps2 = [b[0] - a[1] for a, b in pairwise(cells2)]
    if len(body.rstrip()) == len(body2.rstrip()) and all(g == 2 for g in gaps + gaps2):
        return False  # two full lines of justified prose, widened by a space here and there
    # a figure set flush right ends where the one above ends, after a wide gap (a justified
    # line's last word ends where every line does, after a gap of two)
    return all(
        abs(a[0] - b[0]) <= slack
        or (
            abs(a[1] - b[1]) <= slack
            and max(g, g2) >= 3
            and bool(_DIGIT.search(body, *a) or _DIGIT.search(body2, *b))
        )
        for a, b, g, g2 in zip(cells[1:], cells2[1:], gaps, gaps2, strict=True)
    )


def _heads(header: str, rows: list[str]) -> bool:
    """Whether ``header`` is the column names of the table ``rows`` however it is set out
    (centred, or left-aligned over figures set flush right): as many cells, no figure but a
    year, and each cell overlapping its column's span in the rows (or, all set apart by tabs,
    in any column)."""
    cells = _cells_at(header)
    columns = [_cells_at(row) for row in rows]
    if len(cells) != len(columns[0]) or _DIGIT.search(_YEAR.sub("", header)):
        return False
    if "\t" in header.strip() and all("\t" in row.strip() for row in rows):
        return True  # cells apart by tabs: a longer name runs past a tab stop its values don't
    for k, (a, b) in enumerate(cells):
        left, right = min(c[k][0] for c in columns), max(c[k][1] for c in columns)
        if b <= left or a >= right:
            return False
    return True


def _labelled(line: str) -> bool:
    """Whether ``line`` opens with a capitalised label of up to 40 characters and a colon."""
    match = _LABEL.match(line)
    return match is not None and not match.group(1).islower()


def _ends_abbreviation(line: str, following: str, latin: Callable[[], str]) -> bool:
    """Whether ``line`` ends in an abbreviation's full stop that runs on into ``following``
    ("…run by Mr." / "Okonkwo…"; in German "512 Mio." / "Franken"): asked of the sentence
    splitter, by the rules of the document's language (``latin()``, asked only then), only
    for a short last word or one with a stop inside ("U.S."), as a sentence's last word
    seldom is."""
    from qa.chunking import runs_on

    if not line.endswith("."):
        return False
    word = line.rsplit(maxsplit=1)[-1][:-1]
    if not word or not (len(word) <= 4 or "." in word):
        return False
    return runs_on(line, following, latin())


def set_tables(text: str) -> str:
    """Rows of a table set in spaces or tabs, as Markdown ``|`` rows, so a row is read and
    cited as one, against its header, as an HTML or Word table's is.

    A table is two or more lines of one paragraph in a row, each aligned with the next
    (``_aligned``) and split by its gaps into the same number of cells, two or more, and the
    line above when it names the columns however it is set out (``_heads``). A rule row marks
    the first row as the header when the table has three or more columns and that row holds
    no figure but years ("2022 2023"); a two-column table is labels and values, as for Word
    tables (``qa.word``). Other lines are left as they are.
    """
    lines = text.split("\n")
    out: list[str] = []
    done = 0
    for n, end, rows in _table_runs(lines):
        out.extend(lines[done:n])
        out.extend(_markdown_rows(rows))
        done = end
    out.extend(lines[done:])
    return "\n".join(out)


def _table_runs(lines: list[str], slack: int = 0) -> Iterator[tuple[int, int, list[list[str]]]]:
    """``(first, end, rows)`` of each run of two or more lines that are rows of one table
    (``slack`` as for ``_aligned``), with the header line above it when there is one
    (``_heads``); ``rows`` are their cells, "" where a row leaves a column empty."""
    n = 0
    while n < len(lines):
        rows = [_split_cells(lines[n])]
        width = len(rows[0])
        full = [lines[n]]  # the rows with every column filled: the columns' extent
        end = n + 1
        while width >= 2 and end < len(lines):
            cells = _split_cells(lines[end])
            if len(cells) == width and _aligned(full[-1], lines[end], slack):
                rows.append(cells)
                full.append(lines[end])
            elif (placed := _placed(lines[end], lines[n], slack)) is not None:
                rows.append(placed)
            else:
                break
            end += 1
        if len(full) >= 2:  # two full rows at least: a table, not lines that touch by chance
            above = lines[n - 1] if n else ""
            if above.strip() and not _BLOCK_LINE.match(above) and _heads(above, full):
                yield n - 1, end, [_split_cells(above), *rows]
            else:
                yield n, end, rows
        n = end


def _placed(line: str, reference: str, slack: int) -> list[str] | None:
    """The cells of ``line``, a row that leaves some columns of ``reference`` (a full row of
    its table) empty, each in the column it starts in (or, a figure, ends in), "" in the
    others; None when a cell lines up with no column, the label has more than
    ``MAX_LABEL_WORDS`` words, or ``line`` has every cell or fewer than two."""
    cells, columns = _cells_at(line), _cells_at(reference)
    if not 2 <= len(cells) < len(columns) or _labelled(line):
        return None
    body = _expand_tabs(line)
    if len(body[slice(*cells[0])].split()) > MAX_LABEL_WORDS:
        return None
    placed = [""] * len(columns)
    k = 0
    for a, b in cells:
        # a cell starts where its column does, or is a figure that ends where it ends
        while k < len(columns) and not (
            abs(a - columns[k][0]) <= slack
            or (abs(b - columns[k][1]) <= slack and _DIGIT.search(body, a, b))
        ):
            k += 1
        if k == len(columns):
            return None
        placed[k] = body[a:b].strip()
        k += 1
    return placed if placed[0] else None


def _markdown_rows(rows: list[list[str]], *, header: bool = False) -> list[str]:
    """``rows`` of cells as ``|`` lines, with a rule under a header (``set_tables``): the first
    row when ``header`` says so, or when it has three cells or more and no figure but years."""
    lines = ["| " + " | ".join(cells) + " |" for cells in rows]
    width = len(rows[0])
    if header or (width >= 3 and not _DIGIT.search(_YEAR.sub("", " ".join(rows[0])))):
        lines.insert(1, "|" + "---|" * width)  # column names: words, or years ("2022 2023")
    return lines


# the most words a cell of a PDF table found by its layout may have: two columns of prose set
# side by side have lines of five words and more
MAX_PDF_CELL_WORDS = 4
# the most words of a table row's first cell, its label ("Day pass", "London-Leeds"): a line
# of prose with a wide space in it has more before the space
MAX_LABEL_WORDS = 5


def pdf_rows(plain: str, layout: str) -> str:
    """``plain`` (a PDF page's text as pypdf reads it, cells of a table row run together with
    one space: "Day rover 5.00 pounds 2.50 pounds") with the lines that are table rows in
    ``layout`` (the same page in pypdf's layout mode, cells apart in their columns) written as
    ``|`` rows. A table found in the layout counts only if every row below the first holds a
    figure past its first cell, no cell has more than ``MAX_PDF_CELL_WORDS`` words (a page
    of two columns set side by side is no table) and each of its rows is a line of ``plain``,
    in order; else ``plain`` is left as it is. A line of as many cells without figures just
    above is its header, however layout mode indents it."""
    found = [line for line in layout.split("\n") if line.strip()]
    plain_lines = plain.split("\n")
    flat = [" ".join(line.split()) for line in plain_lines]
    for n, _end, rows in _table_runs(found, slack=1):  # layout mode's columns wander by one
        if not all(_DIGIT.search(" ".join(cells[1:])) for cells in rows[1:]):
            continue
        if any(len(cell.split()) > MAX_PDF_CELL_WORDS for cells in rows for cell in cells):
            continue  # lines of prose in two columns, not cells
        above = _split_cells(found[n - 1]) if n else []
        named = False
        if (
            len(above) == len(rows[0])
            and all(len(cell.split()) <= MAX_PDF_CELL_WORDS for cell in above)
            and (not _DIGIT.search(found[n - 1]) or _names_columns(above, rows[0]))
        ):
            rows.insert(0, above)  # a header row layout mode set out of line with the rows
            named = True
        elif len(rows) > 1 and _names_columns(rows[0], rows[1]):
            named = True
        at: list[int] = []
        for cells in rows:
            want = " ".join(" ".join(cells).split())
            start = at[-1] + 1 if at else 0
            where = next((i for i in range(start, len(flat)) if flat[i] == want), None)
            if where is None:
                break
            at.append(where)
        if len(at) < len(rows):
            continue
        marked = _markdown_rows(rows, header=named)
        header = len(marked) > len(rows)
        for k, where in enumerate(at):
            plain_lines[where] = (
                marked[0] + "\n" + marked[1] if k == 0 and header else (marked[k + header])
            )
    return "\n".join(plain_lines)


def _names_columns(cells: list[str], row: list[str]) -> bool:
    """Whether ``cells`` name the columns of ``row``: every one holds a word, where some value
    of ``row`` past its label is a bare figure ("Q2 2025 (NOK m)" over "1,284", a break-test's
    PDF; "Total 2,449" is no header of "Norway 1,284")."""
    return all(_LETTER.search(cell) for cell in cells) and not all(
        _LETTER.search(cell) for cell in row[1:]
    )


def _split_cells(line: str) -> list[str]:
    """``line``'s cells, split at its column gaps (one cell when it has none, or when it is a
    Markdown row, heading or list item already)."""
    if _BLOCK_LINE.match(line):
        return [line]
    return [cell.strip() for cell in _COLUMN_GAP.split(line.strip())]


def unwrap(text: str) -> str:
    """Join soft line wraps and end-of-line hyphenation inside paragraphs (see module doc).

    Fenced code blocks are left as they are. The result has the same paragraphs as ``text``.
    """
    from qa.chunking import document_language

    out: list[str] = []
    fenced = False
    counts = WordCounts(text)
    latin = functools.cache(partial(document_language, text))  # judged once, if asked
    for block in re.split(r"(\n[ \t]*\n+)", text):
        if not block.strip() or block.lstrip().startswith(("```", "~~~")) or fenced:
            if block.count("```") % 2 or block.count("~~~") % 2:
                fenced = not fenced
            out.append(block)
            continue
        lines = block.split("\n")
        longest = max(len(line.rstrip()) for line in lines)
        joined = [lines[0]]
        for physical, line in pairwise(lines):
            previous = joined[-1].rstrip()
            # the line as printed decides, not what earlier joins made of it: a two-line
            # heading joined is as long as a wrapped line
            if not _joins(physical.rstrip(), line, longest, latin):
                joined.append(line)
            elif _HYPHENATED.search(previous) and line.lstrip()[:1].islower():
                # "infor-" / "mation" is joined whole; "state-" / "owned" keeps its hyphen
                head = _LAST_WORD.search(previous[:-1])
                tail = _FIRST_LETTERS.match(line.lstrip())
                keep = bool(
                    head
                    and tail
                    and keeps_hyphen(head.group(0), tail.group(0), counts, partial(english, block))
                )
                joined[-1] = (previous if keep else previous[:-1]) + line.lstrip()
            elif _BROKEN.search(previous):
                # the hyphen stays: "Fitzgerald-" / "Okonkwo", "mid-" / "March", "20-" / "year"
                joined[-1] = previous + line.lstrip()
            else:
                joined[-1] = previous + " " + line.lstrip()
        out.append("\n".join(joined))
    return "".join(out)


def _plain(value: Any) -> Any:
    """Front-matter values as JSON/Chroma-friendly scalars: a list of names as "A, B", a
    nested author map as its ``name``."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, list) and (names := _names(value)):
        return ", ".join(names)
    if isinstance(value, dict) and (names := _names([value])):
        return names[0]
    return str(value)


def _names(items: list[Any]) -> list[str]:
    """The strings of a front-matter list: its scalars, and each map's ``name``."""
    found = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name")
        usable = isinstance(item, (str, int, float)) and not isinstance(item, bool)
        if usable and str(item) and str(item) not in found:  # one author listed twice is one
            found.append(str(item))
    return found


def _parse_front_matter(text: str) -> tuple[dict[str, Any], int]:
    """A leading YAML (``---``) or TOML (``+++``, Hugo's) front matter: its values, and where
    the body starts (0 without one, or when the block does not parse as a map)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, 0
    data = _front_matter_data(match.group(2), toml=match.group(1) == "+++")
    if data is None:
        return {}, 0
    found = {str(k): _plain(v) for k, v in data.items() if v is not None}
    spans = _value_spans(text, match.start(2), match.end(2), data)
    if spans:
        found[SPANS_KEY] = spans
    return found, match.end()


def _front_matter_data(block: str, *, toml: bool) -> dict[str, Any] | None:
    if toml:
        import tomllib

        try:
            return tomllib.loads(block)
        except tomllib.TOMLDecodeError:
            return None
    import yaml

    try:
        data = yaml.safe_load(block) or {}
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


def _value_spans(text: str, start: int, end: int, data: dict[str, Any]) -> dict[str, list[Any]]:
    """Where the date and author values of a front matter (``text[start:end]``) stand:
    {"published": [[start, end, text]], "author": [[...], ...]}, one span per line of a
    list of names ("authors:" then "- A", "- B"), one for names on one line ("[A, B]"), the
    ``name`` of an author map or TOML table; first of each kind wins. A value not found
    after its key (a YAML alias, ``*who``) is looked for in the whole front matter."""
    spans: dict[str, list[Any]] = {}
    for key, value in data.items():
        kind = _LINE_KEYS.get(str(key).lower())
        if kind is None or kind in spans or value is None:
            continue
        # the key's last line (a YAML map keeps a repeated key's last value), quoted or not
        name = re.escape(str(key))
        line = re.compile(rf"^(?:{name}|\"{name}\"|'{name}')[ \t]*[:=][ \t]*", re.MULTILINE)
        lines = list(line.finditer(text, start, end))
        if lines:
            at = lines[-1]
            after = _TOP_LEVEL_KEY.search(text, at.end(), end)
            stop = after.start() if after else end
        else:  # a TOML table: "[author]" then "name = ...", or "[[authors]]" repeated
            table = re.compile(rf"^\[\[?{name}\]\]?[ \t]*$", re.MULTILINE)
            if (header := table.search(text, start, end)) is None:
                continue
            at = header
            other = re.compile(rf"^\[(?!\[?{name}\])", re.MULTILINE).search(text, at.end(), end)
            stop = other.start() if other else end
        found = _located(text, at.end(), stop, value) or _located(text, start, end, value)
        if found:
            spans[kind] = found
    return spans


def _located(text: str, start: int, end: int, value: Any) -> list[list[Any]]:
    """The spans of ``value`` in ``text[start:end]`` (what follows its key): a string's
    first line where it stands, a date's text as written on the key's line (quotes and a
    comment off), a list's or map's names in order (those on one line joined into one span);
    [] when one is not found, or for a number."""
    if isinstance(value, (list, dict)):
        return _names_located(text, start, end, value)
    if isinstance(value, (bool, int, float)):
        return []  # "published: 1720512000" (a timestamp) is no phrase of a day
    if isinstance(value, str):
        # the text as YAML reads it: after an anchor ("&a Jonas Lind"), in a folded or
        # literal block ("author: >" then the name); its first line
        first = value.strip().split("\n")[0].strip()
        found = text.find(first, start, end) if first else -1
        return [[found, found + len(first), first]] if found >= 0 else []
    eol = text.find("\n", start, end)
    value_line = _SCALAR.match(text, start, end if eol < 0 else eol)
    if value_line is None or value_line.end(1) == value_line.start(1):
        return []
    return [[value_line.start(1), value_line.end(1), value_line.group(1)]]


def _names_located(
    text: str, start: int, end: int, value: list[Any] | dict[str, Any]
) -> list[list[Any]]:
    names = _names(value if isinstance(value, list) else [value])
    spans: list[list[Any]] = []
    at = start
    for name in names:
        found = text.find(name, at, end)
        if found < 0:
            return []
        if spans and _JOINER.fullmatch(text, spans[-1][1], found):
            spans[-1][1] = found + len(name)  # "[A, B]", "A and B": one span
            spans[-1][2] = text[spans[-1][0] : spans[-1][1]]
        else:
            spans.append([found, found + len(name), name])
        at = found + len(name)
    return spans


# where a front matter gives the piece's date or author: "date: 2024-03-14", "author: "Dana W.""
_LINE_KEYS = {
    "date": "published", "published": "published", "pubdate": "published",
    "publication_date": "published", "author": "author", "authors": "author", "byline": "author",
}  # fmt: skip
# a scalar value after its key: an anchor or tag, quotes and a comment left out ("&d
# 2024-03-14  # updated")
_SCALAR = re.compile(r"(?:[&!]\S+[ \t]+)?[\"']?([^#\n]*?)[\"']?[ \t]*(?:#.*)?$", re.MULTILINE)
# what stands between two names of one span: "A, B", "A and B" (not '"A", "B"')
_JOINER = re.compile(r"[ \t]*(,|;|&|and)[ \t]*")
# the next key of the front matter's top level (a YAML list's "- " and comments are not keys)
_TOP_LEVEL_KEY = re.compile(r"^[^\s#\-\[][^\n:=]*[:=]", re.MULTILINE)


def _load_html(raw: str) -> tuple[str, dict[str, Any]]:
    """Main content (``_html_content``) and title/date/author of a page. The title leads the
    text, as on the page, when the main content does not hold it."""
    import trafilatura

    text, restored = _html_content(raw)
    meta: dict[str, Any] = {}
    # not extensive: its date would otherwise be guessed from any year in the text ("held
    # since 2009" gave 2009-01-01); markup and a byline's date are still read
    found = trafilatura.extract_metadata(raw, extensive=False)
    if found is not None:
        for key, name in (("title", "title"), ("date", "published"), ("author", "author")):
            value = getattr(found, key, None)
            if value:
                meta[name] = str(value)
        if author := _author(meta.pop("author", "")):
            meta["author"] = author
        if found.sitename:
            meta["publisher"] = str(found.sitename)
    return _with_head(text, meta, restored=restored), meta


def _html_content(raw: str) -> tuple[str, bool]:
    """A page's main content (Markdown, tables as rows of cells), and whether its byline was
    restored at the top (``_restore_byline``).

    trafilatura's precise mode first (it leaves out site headers that its default keeps); a
    page too small for it to judge is read by its default mode, then as all visible text.
    trafilatura writes Markdown, so it escapes the characters Markdown reads ("[sic]" as
    "\\[sic\\]", "quota_cut" as "quota\\_cut"): the escapes are undone, as the page shows
    those characters, except a heading mark's (a line that opens with "# " is no heading)."""
    import trafilatura

    options: dict[str, Any] = {
        "output_format": "markdown",
        "include_tables": True,
        "include_comments": False,
        "include_images": False,
        "include_links": False,
        "deduplicate": False,
    }
    page = _captions_as_paragraphs(raw)
    text = (
        trafilatura.extract(page, favor_precision=True, **options)
        or trafilatura.extract(page, **options)
        or trafilatura.html2txt(page)
        or _visible_text(page)
    )
    lines = [line.rstrip() for line in _MARKDOWN_ESCAPE.sub(r"\1", text).split("\n")]
    # a line end inside a paragraph is a space in HTML, kept by trafilatura from the page's
    # source where a writer wrapped it (Word's "Web Page" files): joined as a text file's
    text = unwrap(re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip())
    return _restore_byline(text, raw)


# trafilatura's Markdown escapes (inline ones anywhere, a list or quote mark's at a line start)
_MARKDOWN_ESCAPE = re.compile(r"\\([*_`~\[\]<>+\-.)])")


def _with_head(text: str, meta: dict[str, Any], *, restored: bool = False) -> str:
    """``text`` led by what a reader sees above it that it lacks: the title as a ``#`` line,
    and above that the byline and date (``meta``'s ``title``, ``author``, ``published``);
    ``restored``: the text's top already holds the page's own byline."""
    title = " ".join(meta.get("title", "").split())
    head = text.split("\n")[:5]
    first_lines = {" ".join(line.strip("# ").split()) for line in head}
    top = " ".join(head)
    # the byline and date a page shows around its headline, which trafilatura keeps as
    # metadata only: a line of their own at the top, so "Who wrote it?" and "When was it
    # published?" cite them as they cite a Markdown byline or dateline. Above the title, not
    # under it: the answer selector reads the sentence before each candidate, and the title
    # is what the article's first sentence was read with
    line = " · ".join(
        part
        for part in (
            # the page's own byline, when it shows one, over its <meta> author ("Newsroom Staff")
            f"By {meta['author']}"
            if meta.get("author") and meta["author"] not in top and not restored
            else "",
            # nor its date, when the page's byline gives one ("Par Claire Dubois, le 2 juin 2025")
            meta["published"]
            if meta.get("published")
            and meta["published"] not in top
            and not (restored and _YEAR.search(top))
            else "",
        )
        if part
    )
    if text and title and title not in first_lines:
        text = f"# {title}\n\n{text}"
    if text and line:
        text = f"{line}\n\n{text}"
    return text + "\n"


_DATE_PART = re.compile(
    r"\d|^(january|february|march|april|may|june|july|august|september|october|november|"
    r"december)$",
    re.IGNORECASE,
)


def _author(found: str) -> str:
    """trafilatura's author (names joined by "; ") without the date parts it takes from a
    byline: "By Priya Raman, October 12, 2025" gives "Priya Raman; October" (trafilatura
    2.3.1), which is "Priya Raman". A part is a date part when it holds a digit or is a whole
    English month name ("Jun" and "Maya" stay: they are names too)."""
    names = [part.strip() for part in found.split(";")]
    return "; ".join(part for part in names if part and not _DATE_PART.search(part))


# an XML declaration opening an XHTML page ('<?xml version="1.0" encoding="utf-8"?>')
_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")


def _html_root(raw: str) -> Any | None:
    """The page ``raw`` parsed by lxml (an ``HtmlElement``), or None when it does not parse.
    An XHTML page's XML declaration is dropped first: lxml refuses a str that declares its
    encoding."""
    import lxml.html

    try:
        return lxml.html.fromstring(_XML_DECLARATION.sub("", raw, count=1))
    except Exception:  # lxml's parser errors
        return None


def _captions_as_paragraphs(raw: str) -> str:
    """``raw`` with each caption as a paragraph of its own, where trafilatura reads it as text.

    A table's ``<caption>`` goes before the table: trafilatura (2.0) makes it the table's first
    row, over the column names, so each row was read against the caption ("Kestrel Foods,
    third quarter 2024") instead of "Segment | Revenue | Operating profit". A figure's
    ``<figcaption>`` goes after its figure when it says something (``_states``):
    trafilatura drops figures with their captions, and a photo's caption states facts the
    text may not ("...in front of an estimated 9,000 people. Photo: Aleksander Hart", a
    break-test). A line break in a caption is a space
    ("Revenue<br>2024"). The page as it was when it has no caption or does not parse
    (trafilatura reads it as it is)."""
    lowered = raw.lower()
    if "<caption" not in lowered and "<figcaption" not in lowered:
        return raw
    root = _html_root(raw)
    if root is None:
        return raw
    captions = root.xpath("//table/caption")
    for caption in captions:
        table = caption.getparent()
        table.addprevious(_paragraph_of(caption))
        table.remove(caption)
    figures = [f for f in root.xpath("//figure[figcaption]") if f.getparent() is not None]
    for figure in figures:
        for caption in list(figure.iterfind("figcaption")):
            paragraph = _paragraph_of(caption)
            if _states(paragraph.text):
                figure.addnext(paragraph)  # after what it captions: a table in a figure too
            caption.drop_tree()  # its tail stays
    if not captions and not figures:
        return raw
    import lxml.html

    return lxml.html.tostring(root, encoding="unicode")


# the fewest words of a figure's caption read as text: fewer is a credit ("Photo: Reuters",
# "By AP | Getty"), which is no part of the article
MIN_CAPTION_WORDS = 5


def _states(caption: str) -> bool:
    """Whether a figure's ``caption`` says something: ``MIN_CAPTION_WORDS`` words or more and
    not a byline (a photographer's credit: "By Ed Li for The Times")."""
    return len(caption.split()) >= MIN_CAPTION_WORDS and not _is_byline_line(caption)


def _paragraph_of(caption: Any) -> Any:
    """A ``<p>`` holding ``caption``'s text on one line (its line breaks as spaces)."""
    import lxml.html

    for line_break in caption.iter("br"):
        line_break.tail = " " + (line_break.tail or "")
    paragraph = lxml.html.Element("p")
    paragraph.text = " ".join(caption.text_content().split())
    return paragraph


def _restore_byline(text: str, raw: str) -> tuple[str, bool]:
    """``text`` with a byline trafilatura cut given back as the page shows it: it takes a
    byline's name and date out as metadata ("By |" is left of "By <span class=author>Fiona
    Marsh</span> | <time>12 October 2019</time>"; "Par Claire Dubois, le" of "... le <time>2
    juin 2025</time>"). The line becomes the shortest element of the headline's article whose
    text opens as a byline and holds the line's words in order ("By Fiona Marsh | 12 October
    2019"). Whether one was restored."""
    from qa.answer.byline import MAX_BYLINE_WORDS, is_emptied_byline, opens_as_byline

    lines = text.split("\n")
    at = next(
        (
            n
            for n, line in enumerate(lines[:8])
            if is_emptied_byline(line) or (opens_as_byline(line) and _MAY_BE_CUT.search(line))
        ),
        None,
    )
    if at is None:
        return text, False
    root = _html_root(raw)
    if root is None:  # the line stays as it is
        return text, False
    cut = lines[at].split()
    # the article's own: under the <article> (or <main>) that holds the headline, outside a
    # figure's credit, an aside's teaser, a comment or a footer ("By AP | Getty", "By Jo Li |
    # 2h", "By Ed | 1 reply" were taken for it)
    headline = next(iter(root.iter("h1")), None)
    scope = next(
        (a for a in (headline.iterancestors() if headline is not None else []) if a.tag in _SCOPES),
        root,
    )
    shown = (
        " ".join(e.text_content().split())
        for e in scope.iter("p", "div", "span", "address")
        if not any(a.tag in _NOT_BYLINE_PLACES for a in e.iterancestors())
        and e.tag not in _NOT_BYLINE_PLACES
    )
    found = min(
        (
            t
            for t in shown
            if opens_as_byline(t)
            and len(t.split()) <= MAX_BYLINE_WORDS
            and len(t) > len(lines[at])
            and _in_order(cut, t.split())
        ),
        key=len,
        default=None,
    )
    if found is None:
        return text, False
    lines[at] = found
    return "\n".join(lines), True


def _in_order(words: list[str], among: list[str]) -> bool:
    """Whether ``words`` stand in ``among`` in their order (others may stand between)."""
    rest = iter(among)
    return all(any(w == other for other in rest) for w in words)


_YEAR = re.compile(r"\b(1\d{3}|20\d\d)\b")
_SCOPES = frozenset({"article", "main"})
_NOT_BYLINE_PLACES = frozenset({"figure", "figcaption", "aside", "footer", "nav"})
# a byline that ends on a word that wants more after it: "Par Claire Dubois, le", "By Jo Lee
# on", "Von Anna Berg, am" (what trafilatura leaves when it takes the date out)
_MAY_BE_CUT = re.compile(r"(?:[,·|–—-]|\b(?:on|le|am|el|il|den|op|the))\s*$", re.IGNORECASE)


def _visible_text(raw: str) -> str:
    """All text of a page outside scripts and styles (for fragments trafilatura reads as
    empty)."""
    root = _html_root(raw)
    if root is None:  # nothing readable
        return ""
    for element in root.xpath("//script|//style|//head/title|//noscript|//template"):
        element.drop_tree()
    return " ".join(root.text_content().split())


def _pdf_title(reader: Any) -> str | None:
    """The title a PDF's document information gives (control characters dropped), unless
    blank, over 200 characters, "Untitled..." or a file name (what word processors put there
    when the author set none: "Microsoft Word - report.docx", "scan0001.jpg")."""
    try:
        raw = str((reader.metadata or {}).get("/Title") or "")
    except Exception:  # a damaged information dictionary: no title
        return None
    title = " ".join("".join(c for c in raw if unicodedata.category(c) != "Cc").split())
    if not title or len(title) > 200 or re.match(r"untitled\b", title, re.I):
        return None
    if re.search(r"\.[A-Za-z][A-Za-z0-9]{1,4}$", title):
        return None
    return title


def _headline(text: str, start: int) -> str | None:
    """The first line of a plain-text document from ``start``, when it reads as a headline:
    a blank line (or the end) follows it, it is at most 200 characters, and it does not end as
    a sentence or a clause does (``. ! : ; ,`` and their CJK forms, before any closing quote or
    bracket); a Markdown heading's ``#`` marks are dropped. A byline or a dateline above it
    ("By Maria Lopez · 2025-10-21", "Tuesday, 8 July 2025") is passed over: a break-test's
    Sources panel titled a story so."""
    from qa.answer.byline import is_byline
    from qa.answer.dateline import stands_above_headline

    body = text[start:].lstrip("\n")
    for _ in range(2):  # a byline, then a dateline, or the other way round
        line, _, below = body.partition("\n")
        line = " ".join(line.split())
        if not (line and below.strip() and (is_byline(line) or stands_above_headline(line))):
            break
        body = below.lstrip("\n")
    first, _, rest = body.partition("\n")
    first = " ".join(first.split()).lstrip("#").strip()
    ending = first.rstrip("\"'”’»)]）」』")
    if not first or len(first) > 200 or ending.endswith(tuple(".!:;,。！：；，．…")):
        return None
    if rest.strip() and rest.split("\n", 1)[0].strip():
        return None  # the next line goes on: a paragraph, not a headline
    return first


def _load_pdf(path: Path) -> tuple[str, str | None]:
    import logging

    from pypdf import PdfReader

    # pypdf logs its repairs ("EOF marker not found") with no handler of its own, so Python
    # printed them as stray stderr lines; a file that fails is reported in qa's one line
    # instead, and an application that configures logging still receives them
    pypdf_log = logging.getLogger("pypdf")
    if not pypdf_log.handlers:
        pypdf_log.addHandler(logging.NullHandler())

    reader = PdfReader(str(path))
    read = [_pdf_page(page) for page in reader.pages]
    plain = strip_page_furniture([p for p, _ in read])
    pages = (_pdf_page_text(p, layout) for p, (_, layout) in zip(plain, read, strict=True))
    text = ""
    for page in (p.strip() for p in pages):
        if page:
            # a sentence that runs on over the page break goes on in the same paragraph
            text += ("\n" if _RUNS_ON.fullmatch(text[-1:]) else "\n\n" if text else "") + page
    return (text + "\n").translate(_PDF_PRIVATE_LIGATURES), _pdf_title(reader)


# the last character of a page that ends inside a sentence: a letter, figure, comma or hyphen
_RUNS_ON = re.compile(r"[^\W_]|[,\-]")


def _pdf_page(page: Any) -> tuple[str, str | None]:
    """A page's plain text and its layout-mode text (``None`` when layout mode fails)."""
    plain = page.extract_text() or ""
    try:
        return plain, page.extract_text(extraction_mode="layout") or ""
    except Exception:  # a page layout mode cannot read keeps its plain text
        return plain, None


def _pdf_page_text(plain: str, layout: str | None) -> str:
    """A page's text, its tables' rows as ``|`` rows where pypdf's layout mode shows their
    columns (``pdf_rows``) and its paragraphs apart where the layout shows their gaps
    (``layout_paragraphs``)."""
    if layout is None:
        return plain
    return layout_paragraphs(pdf_rows(plain, layout), layout)


# fonts that give the fi and fl ligatures Apple's old private-use code points (U+F001, U+F002;
# Unicode's are U+FB01, U+FB02, which NFKC splits): pypdf passes them through, so "ﬁshermen"
# read as "\uf001shermen" (a new-user test, a PDF printed by Chromium)
_PDF_PRIVATE_LIGATURES = str.maketrans({"\uf001": "fi", "\uf002": "fl"})


def _load_mime(path: Path) -> tuple[str, dict[str, Any]]:
    """A saved web page or an e-mail (``qa.mime``): its HTML body read as a page is, its
    plain-text body as a ``.txt`` file is; an e-mail's subject, sender and date lead the text
    as a page's title, byline and date do."""
    from qa.mime import read_mime

    bodies = read_mime(path)
    metas = [{k: normalise_text(v) for k, v in body.meta.items()} for body in bodies]
    if path.suffix.lower() != ".eml":
        # a saved page's own markup names its title, author and date; its Subject header is
        # the page's title, used when the markup has none
        text, metadata = _load_html(normalise_text(bodies[0].html[0]))
        for key, value in metas[0].items():
            metadata.setdefault(key, value)
        return text, metadata
    # a mailbox's messages one after another, each led by its own subject, sender and date
    texts = (_mail_text(body) for body in bodies)
    return "".join(
        _with_head(text, meta) + "\n" for text, meta in zip(texts, metas, strict=True) if text
    ).strip() + "\n", metas[0]


def _mail_text(body: Any) -> str:
    """An e-mail's text: the fuller of its HTML and plain-text readings (``qa.mime``)."""
    html = "\n\n".join(
        _html_content(_layout_as_blocks(normalise_text(part)))[0].strip() for part in body.html
    ).strip()
    plain = "\n\n".join(
        unwrap(set_tables(normalise_text(part))).strip() for part in body.plain
    ).strip()
    # the fuller reading: a plain part may be a stub, an HTML one pruned (qa.mime)
    return html if len(html.split()) > len(plain.split()) else plain


_BLOCKS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote")
_TABLE_PARTS = ("table", "thead", "tbody", "tfoot", "tr", "td", "th")


def _layout_as_blocks(raw: str) -> str:
    """An e-mail's HTML with its layout tables read as blocks: mail programs set a letter in
    tables (a column of one cell holding the headings and paragraphs), which a page reader
    keeps as a table, the whole letter one row. A table is layout when a cell of its own
    holds a paragraph, a heading, a list or a table; a table of data keeps its rows."""
    root = _html_root(raw)
    if root is None:
        return raw
    import lxml.html

    changed = False
    for table in list(root.iter("table")):
        cells = table.xpath("./tr/td|./tr/th|./*/tr/td|./*/tr/th")
        if not any(cell.xpath(" | ".join(f".//{tag}" for tag in _BLOCKS)) for cell in cells):
            continue
        for part in [table, *table.xpath("./*|./*/tr|./tr/*|./*/tr/*")]:
            if part.tag in _TABLE_PARTS:
                part.tag = "div"
        changed = True
    return lxml.html.tostring(root, encoding="unicode") if changed else raw


def _office_reader(suffix: str) -> Callable[[Path], tuple[str, dict[str, Any]]]:
    """The reader of a word processor's file type (``.docx``, ``.odt``, ``.rtf``), imported
    on first use."""
    if suffix == ".docx":
        from qa.word import load_docx

        return load_docx
    if suffix == ".odt":
        from qa.opendocument import load_odt

        return load_odt
    from qa.rtf import load_rtf

    return load_rtf


def load_file(path: Path | str) -> Document:
    """Load one file. Raises ValueError (with a reason) for binary or undecodable content."""
    path = Path(path)
    suffix = path.suffix.lower()
    metadata: dict[str, Any] = {}
    body_start = 0
    if suffix == ".pdf":
        raw_text, pdf_title = _load_pdf(path)
        text = unwrap(set_tables(normalise_text(raw_text)))
        if pdf_title:
            metadata["title"] = normalise_text(pdf_title)
        elif headline := _headline(text, 0):
            metadata["title"] = headline  # the first line, as a .txt file's
    elif suffix in (".docx", ".odt", ".rtf"):
        raw_text, metadata = _office_reader(suffix)(path)
        text = normalise_text(raw_text)
        metadata = {k: normalise_text(v) for k, v in metadata.items()}
        if suffix != ".docx" and "title" not in metadata and (headline := _headline(text, 0)):
            metadata["title"] = headline  # an RTF file's first line, as a .txt file's
    elif suffix in _MIME_SUFFIXES:
        text, metadata = _load_mime(path)
    else:
        raw = normalise_text(decode(path.read_bytes()))
        if suffix in (".html", ".htm", ".xhtml"):
            text, metadata = _load_html(raw)
        else:
            metadata, body_start = _parse_front_matter(raw)
            body = raw[body_start:]
            # a Markdown writer sets tables in "|" rows: only plain text is looked at
            text = raw[:body_start] + unwrap(set_tables(body) if suffix == ".txt" else body)
            if "title" not in metadata and suffix in (".md", ".markdown"):
                heading = _HEADING.search(text, body_start)
                if heading:
                    metadata["title"] = heading.group(1)
            if "title" not in metadata and suffix == ".txt":
                headline = _headline(text, body_start)
                if headline:
                    metadata["title"] = headline
    text = valid_unicode(text)
    metadata = {k: valid_unicode(v) if isinstance(v, str) else v for k, v in metadata.items()}
    if not text[body_start:].strip():
        # a PDF of page images (a scan) has no text layer to read
        raise ValueError(
            "no text (a scanned PDF? it has no text layer)" if suffix == ".pdf" else "no text"
        )
    metadata.setdefault("title", path.stem.replace("-", " ").replace("_", " "))
    return Document(
        doc_id=doc_id_for(path),
        path=display_path(path),
        text=text,
        metadata=metadata,
        body_start=body_start,
        source=str(path.resolve()),
        route=os.path.abspath(path),
    )


def _scan(root: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The regular files with a supported suffix under ``root`` (``root`` itself if a file),
    sorted, and the entries with such a suffix that cannot be read as files (a broken link, a
    pipe or a device), each with the reason. Hidden files and folders are left out."""
    if root.is_file():
        return [root], []
    if not root.is_dir():
        # a pipe or a device named itself: said, not "no supported files"
        return [], [(root, "not a regular file")] if root.exists() else []
    files, odd = [], []
    for p in sorted(_visible(root)):
        if p.suffix.lower() not in SUPPORTED_SUFFIXES:
            if not p.suffix and p.is_symlink() and not p.exists():  # a folder's, likely
                odd.append((p, "a broken link"))
            continue
        if p.is_file():
            files.append(p)
        elif not p.exists():
            odd.append((p, "a broken link"))
        elif not p.is_dir():
            odd.append((p, "not a regular file"))
    return files, odd


def other_types(root: Path) -> Counter[str]:
    """How many regular files of each suffix qa does not read lie under the folder ``root``
    (hidden ones left out, as ``_scan`` leaves them): a ``.docx`` among the articles is said,
    not silently passed over. Empty for a file."""
    if not root.is_dir():
        return Counter()
    files = {  # a file and a link to it are one file
        p.resolve(): p.suffix.lower() or "(no suffix)"
        for p in _visible(root)
        if p.suffix.lower() not in SUPPORTED_SUFFIXES and p.is_file()
    }
    return Counter(files.values())


def _visible(root: Path) -> Iterator[Path]:
    """Every entry under the folder ``root`` but hidden ones and those in hidden folders.
    Linked folders are followed (a link to a folder of articles is read as the folder), each
    real folder once, so a link to a folder above it loops no further."""
    walked: set[str] = set()
    top = os.path.realpath(root)
    for folder, dirs, files in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in walked:
            dirs[:] = []
            continue
        walked.add(real)
        # not a link to the folder itself or to one above it (its whole tree would be read)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and not _above(os.path.realpath(os.path.join(folder, d)), top)
        )
        for name in (*dirs, *files):
            if not name.startswith("."):
                yield Path(folder, name)


def _above(folder: str, top: str) -> bool:
    """Whether the real folder ``folder`` is ``top`` or holds it."""
    return top == folder or top.startswith(folder.rstrip(os.sep) + os.sep)


def supported_files(root: Path) -> list[Path]:
    """The files ``load_documents`` would read under ``root`` (``root`` itself if a file)."""
    return _scan(root)[0]


def _files(paths: Iterable[Path]) -> list[tuple[Path, str | None]]:
    """Every supported file under ``paths``, each once, with None or why it is not read: an
    entry that is not a file (``_scan``), or a link to (another name of) a file already listed
    ("the same file as ..."); a file given twice (a folder and a file in it) is listed once.
    InvalidPathError / NoDocumentsError as in ``iter_documents``."""
    entries: list[tuple[Path, str | None]] = []
    seen: dict[Path, Path] = {}  # real path -> the path it was first listed under
    listed: set[str] = set()  # absolute paths (links not followed) already in ``entries``
    for root in paths:
        if not root.exists() and not root.is_symlink():
            raise InvalidPathError(f"path does not exist: {root}")
        if root.is_file() and root.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise NoDocumentsError(
                f"unsupported file type: {root} (supported: {', '.join(SUPPORTED_SUFFIXES)})"
            )
        found, odd = _scan(root)
        if not root.exists():  # a broken link given by name
            odd = [(root, "a broken link")]
        if not found and not odd:
            raise NoDocumentsError(
                f"no supported files in {root} (supported: {', '.join(SUPPORTED_SUFFIXES)})"
            )
        for path, why in [*odd, *((p, None) for p in found)]:
            named = os.path.abspath(path)  # ".." and "./" folded, links not followed
            if named in listed:
                continue
            listed.add(named)
            entries.append((path, why))
    # of a file and the links to it (in any folder or order named), the file is read and the
    # links are skipped as "the same file"; of links alone, the first
    for path, why in sorted(entries, key=lambda e: _is_link(e[0])):
        if why is None:
            seen.setdefault(path.resolve(), path)
    return [
        (path, why)
        if why is not None or seen[path.resolve()] is path
        else (path, f"the same file as {display_path(seen[path.resolve()], resolve=False)}")
        for path, why in entries
    ]


def _is_link(path: Path) -> bool:
    """Whether ``path`` reaches its file through a link: itself or a folder above it."""
    return path.is_symlink() or os.path.realpath(path.parent) != os.path.abspath(path.parent)


def _read(path: Path) -> Document | str:
    """The document, or the one-line reason it cannot be read."""
    try:
        return load_file(path)
    except (OSError, ValueError) as exc:
        return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    except MemoryError:
        return "too large to read"
    except Exception as exc:  # a malformed PDF raises pypdf's own errors
        if type(exc).__name__ == "FileNotDecryptedError":  # pypdf's, for a locked PDF
            return "password-protected: save an unlocked copy to ingest it"
        said = str(exc).splitlines()[0] if str(exc) else ""
        return f"unreadable ({type(exc).__name__}{': ' + said if said else ''})"


def iter_documents(paths: Iterable[Path]) -> Iterator[tuple[Path, Document | str]]:
    """Each supported file under ``paths`` with its document or the reason it was skipped, one
    file at a time (a folder is never held in memory whole).

    Raises InvalidPathError for a missing path, NoDocumentsError when nothing is supported,
    both before the first file is read.
    """
    for path, unread in _files(paths):
        yield path, unread if unread is not None else _read(path)


def load_documents(paths: Iterable[Path]) -> tuple[list[Document], list[tuple[Path, str]]]:
    """Load every supported file under ``paths``.

    Returns the documents and, per skipped file, its path and the reason.
    Raises InvalidPathError for a missing path, NoDocumentsError when nothing is supported.
    """
    documents: list[Document] = []
    skipped: list[tuple[Path, str]] = []
    for path, got in iter_documents(paths):
        if isinstance(got, Document):
            documents.append(got)
        else:
            skipped.append((path, got))
    return documents, skipped
