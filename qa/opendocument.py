"""OpenDocument text (``.odt``: LibreOffice, OpenOffice, Google Docs' export) as the text a
person reads, in the shape qa reads Markdown and Word files (``qa.word``).

odfpy opens the package and parses its XML; the body is walked here, in document order,
because odfpy's own ``teletype.extractText`` reads everything under an element, footnote
bodies, comments and the deleted text that tracked changes keep included:

- a heading (``text:h``) is a ``#`` line of its outline level; a paragraph (``text:p``) is a
  paragraph, with its spaces (``text:s``), tabs and line breaks as written;
- a list item is a ``-`` item; sections and other containers are read through;
- a table is ``|`` rows, a cell merged down repeated in each row it covers, one merged across
  followed by empty cells, so every row reads whole under its header. A rule marks the header
  rows when the table has them (``table:table-header-rows``, LibreOffice's "Heading" option);
  else, as for Word tables, a table of three or more columns whose first row has no figures
  is headed by it;
- footnotes and endnotes follow the body as ``[n] text``, as in Word files; comments
  (``office:annotation``) and the deleted text of tracked changes are not read.

Metadata: ``title`` (the document's title property, else its first heading) and ``author``
(the initial creator, else the last editor).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.parsers.expat import ExpatError

from qa.word import unmarked_header

__all__ = ["load_odt"]

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_H, _P, _LIST, _ITEM, _HEADER_ITEM = (
    (_TEXT, n) for n in ("h", "p", "list", "list-item", "list-header")
)
_SPACE, _TAB, _BREAK = ((_TEXT, n) for n in ("s", "tab", "line-break"))
_NOTE, _NOTE_CITATION, _NOTE_BODY = ((_TEXT, n) for n in ("note", "note-citation", "note-body"))
_TRACKED = (_TEXT, "tracked-changes")
_ANNOTATION = (_OFFICE, "annotation")
_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_SVG = "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
_FRAME, _TEXT_BOX = (_DRAW, "frame"), (_DRAW, "text-box")
_SECTION, _NUMBER = (_TEXT, "section"), (_TEXT, "number")
_HIDDEN_PARAGRAPH = (_TEXT, "hidden-paragraph")
# generated lists (a table of contents repeats the headings) and conditional text: not read
_INDEXES = {
    (_TEXT, n)
    for n in (
        "table-of-content",
        "illustration-index",
        "alphabetical-index",
        "user-index",
        "object-index",
        "table-index",
        "bibliography",
        "sequence-decls",
        "hidden-text",
    )
}
# ODF's white space: a run of spaces, tabs and line ends in text is one space (text:s,
# text:tab and text:line-break write the others); pandoc wraps its XML at 72 columns
_WHITE = re.compile(r"[ \t\r\n]+")
_SOFT_HYPHEN = "\u00ad"
_TBL, _ROW, _CELL, _HEADER_ROWS = (
    (_TABLE, n) for n in ("table", "table-row", "table-cell", "table-header-rows")
)
_COVERED = (_TABLE, "covered-table-cell")
_ROW_GROUPS = {(_TABLE, n) for n in ("table-rows", "table-row-group")}
_SKIPPED = {
    _TRACKED,
    _ANNOTATION,
    (_OFFICE, "annotation-end"),
    (_TABLE, "table-columns"),
    (_SVG, "title"),
    (_SVG, "desc"),
    *_INDEXES,
}


def load_odt(path: Path) -> tuple[str, dict[str, Any]]:
    """The text of an ``.odt`` file (module doc) and its metadata. Raises ValueError with a
    reason a person can act on for a file that is no OpenDocument text."""
    from odf import opendocument

    with path.open("rb") as f:
        head = f.read(4)
    if not head:
        raise ValueError("no text (an empty file)")
    try:
        document = opendocument.load(str(path))
    except (zipfile.BadZipFile, KeyError, ExpatError, ValueError) as exc:
        raise ValueError(
            "not an OpenDocument text (damaged, password-protected, or another format named "
            f".odt: {type(exc).__name__})"
        ) from None
    if not str(document.mimetype).endswith("opendocument.text"):
        raise ValueError(f"not an OpenDocument text but {document.mimetype or 'unknown'}")
    notes: list[str] = []
    blocks = list(_blocks(document.text, notes))
    metadata: dict[str, Any] = {}
    title = _meta(document, "title")
    headings = [b.lstrip("#").strip() for b in blocks if b.startswith("#")]
    if title or headings:
        metadata["title"] = title or headings[0]
    if author := _meta(document, "initial-creator") or _meta(document, "creator"):
        metadata["author"] = author
    return "\n\n".join(blocks + notes) + "\n", metadata


def _meta(document: Any, name: str) -> str:
    """One property of the document's ``meta.xml`` (``title``, ``creator``...), or ""."""
    for element in document.meta.childNodes:
        if element.qname[1] == name:
            return " ".join(str(element).split())
    return ""


def _blocks(parent: Any, notes: list[str], *, item: bool = False) -> Iterator[str]:
    """The text blocks under ``parent`` in order; ``item``: they are a list item's."""
    for child in parent.childNodes:
        if child.nodeType != child.ELEMENT_NODE or child.qname in _SKIPPED:
            continue
        if child.qname in (_H, _P):
            if _hides_itself(child):
                continue
            text = _inline(child, notes).strip()
            if text and child.qname == _H and not item:
                level = int(child.getAttribute("outlinelevel") or 1)
                yield f"{'#' * min(max(level, 1), 6)} {' '.join(text.split())}"
            elif text:
                yield f"- {text}" if item else text
            # a text box anchored in the paragraph (a fact box) follows it, its own blocks
            for box in _descendants(child, (_TEXT_BOX,)):
                yield from _blocks(box, notes)
        elif child.qname == _SECTION and child.getAttribute("display") == "none":
            continue  # a hidden section
        elif child.qname == _TBL:
            yield from _table(child, notes)
        elif child.qname in (_ITEM, _HEADER_ITEM):
            yield from _blocks(child, notes, item=True)
        else:  # a list, a section, a frame's text box: read through
            yield from _blocks(child, notes, item=item and child.qname == _LIST)


def _inline(element: Any, notes: list[str]) -> str:
    """The text a reader sees of a paragraph: spaces, tabs and breaks as written; a note's
    citation mark stays in place and its body goes to ``notes`` as ``[n] text``."""
    out: list[str] = []
    for child in element.childNodes:
        if child.nodeType == child.TEXT_NODE:
            out.append(_WHITE.sub(" ", child.data).replace(_SOFT_HYPHEN, ""))
            continue
        if child.nodeType != child.ELEMENT_NODE or child.qname in _SKIPPED:
            continue
        if child.qname == _FRAME:
            continue  # an image's text, or a text box's (read after the paragraph)
        if child.qname == _NUMBER:  # a heading's or item's number: "1." then its text
            out.append(_inline(child, notes).strip() + " ")
        elif child.qname == _SPACE:
            out.append(" " * int(child.getAttribute("c") or 1))
        elif child.qname == _TAB:
            out.append("\t")
        elif child.qname == _BREAK:
            out.append("\n")
        elif child.qname == _NOTE:
            mark, body = "", ""
            for part in child.childNodes:
                if part.qname == _NOTE_CITATION:
                    mark = _inline(part, notes).strip()
                elif part.qname == _NOTE_BODY:
                    body = " ".join(_inline_all(part, notes).split())
            if body:
                notes.append(f"[{mark}] {body}" if mark else body)
        else:  # a span, a link, a bookmark...
            out.append(_inline(child, notes))
    return "".join(out)


def _hides_itself(paragraph: Any) -> bool:
    """Whether a paragraph holds a hidden-paragraph field that hides it."""
    return any(
        str(field.getAttribute("ishidden")).lower() == "true"
        for field in _descendants(paragraph, (_HIDDEN_PARAGRAPH,))
    )


def _inline_all(element: Any, notes: list[str]) -> str:
    """The text of every paragraph under ``element`` (a note's body, a cell), space-joined."""
    return " ".join(_inline(p, notes) for p in _descendants(element, (_H, _P)))


def _descendants(element: Any, names: tuple[Any, ...]) -> Iterator[Any]:
    """The elements named ``names`` under ``element`` in order, not those inside them."""
    for child in element.childNodes:
        if child.nodeType != child.ELEMENT_NODE or child.qname in _SKIPPED:
            continue
        if child.qname in names:
            yield child
        else:
            yield from _descendants(child, names)


def _table(table: Any, notes: list[str]) -> Iterator[str]:
    """A table's rows as one block of ``|`` lines (module doc)."""
    rows: list[list[str]] = []
    header_rows = 0
    down: dict[int, tuple[str, int]] = {}  # column -> a cell merged down: its text, rows left
    for group, row in _rows(table):
        cells: list[str] = []
        for cell in row.childNodes:
            if cell.nodeType != cell.ELEMENT_NODE or cell.qname not in (_CELL, _COVERED):
                continue
            column = len(cells)
            if cell.qname == _COVERED:
                # under a cell merged down, its text again, so the row reads whole under its
                # header ("Betsi Cadwaladr | Ysbyty Gwynedd | 29 | 33"); beside one merged
                # across, an empty cell, so the columns stay in place
                text, left = down.get(column, ("", 0))
                cells.append(text if left > 0 else "")
                if left > 0:
                    down[column] = (text, left - 1)
                continue
            text = " ".join(_inline_all(cell, notes).split()).replace("|", "/")
            repeated = min(int(cell.getAttribute("numbercolumnsrepeated") or 1), 64)
            cells += [text] * repeated
            rows_spanned = int(cell.getAttribute("numberrowsspanned") or 1)
            if rows_spanned > 1:
                down[column] = (text, rows_spanned - 1)
        while cells and not cells[-1]:
            cells.pop()  # a row's trailing empty cells (repeated to the sheet's width)
        if any(cells):
            rows.append(cells)
            header_rows += group == _HEADER_ROWS
    if not rows:
        return
    width = max(len(cells) for cells in rows)
    if not header_rows and unmarked_header(rows[0], width):
        header_rows = 1
    lines = []
    for i, cells in enumerate(rows):
        lines.append("| " + " | ".join(cells) + " |")
        if header_rows and i == header_rows - 1:
            lines.append("|" + "---|" * len(cells))
    yield "\n".join(lines)


def _rows(table: Any) -> Iterator[tuple[Any, Any]]:
    """Each row of ``table`` with the group it is in (header rows or not), in order."""
    for child in table.childNodes:
        if child.nodeType != child.ELEMENT_NODE:
            continue
        if child.qname == _ROW:
            yield None, child
        elif child.qname == _HEADER_ROWS or child.qname in _ROW_GROUPS:
            for row in child.childNodes:
                if row.nodeType == row.ELEMENT_NODE and row.qname == _ROW:
                    yield child.qname, row
