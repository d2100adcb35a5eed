"""Word ``.docx`` files as the text a person reads, in the shape qa reads Markdown.

python-docx opens the package and gives the parts; the text is read from the body's XML here,
because python-docx's ``Paragraph.text`` leaves out what Word shows inside other elements:
tracked insertions, content controls, fields, smart tags and text boxes (a break-test found
"The tram extension will cost  according to…", the sum inside a tracked insertion lost). So:

- a paragraph is every ``w:t`` under it in order (deleted text is ``w:delText``, field codes
  ``w:instrText``: neither is read), tabs and breaks as written; a text box's paragraphs follow
  the paragraph that anchors it (Word's fallback copy of the box, ``mc:Fallback``, is skipped);
- headings ("Title", "Heading N" styles) are ``#`` lines, list paragraphs ``-`` items;
- content controls (``w:sdt``) are read through, at body level and inline;
- a table is ``|`` rows, a merged cell once; a row of one cell across the table (a caption)
  is a paragraph; a rule marks the first row as a header only when Word marks it as one
  (``w:tblHeader``), its text is bold throughout, or a table of three or more columns opens
  with a row without figures. A two-column table is read as labels and values, every row a
  row (a fact box's first row is no header: "When was it founded?" was answered "1,450");
- footnotes follow the body as ``[n] text``; page headers and footers, boilerplate, are left
  out.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

__all__ = ["load_docx", "unmarked_header"]

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_T, _TAB, _BR, _CR = (f"{{{_W}}}{n}" for n in ("t", "tab", "br", "cr"))
_P, _TBL, _SDT, _TXBX = (f"{{{_W}}}{n}" for n in ("p", "tbl", "sdt", "txbxContent"))
_FALLBACK = f"{{{_MC}}}Fallback"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # an encrypted .docx (or an old .doc) is an OLE file


def load_docx(path: Path) -> tuple[str, dict[str, Any]]:
    """The text of a ``.docx`` file (module doc) and its metadata (``title``, ``author`` from
    the document's properties; the title else the first heading). Raises ValueError with a
    reason a person can act on for a file that is no Word document."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    with path.open("rb") as f:
        head = f.read(4)
    if not head:
        raise ValueError("no text (an empty file)")
    if head == _OLE_MAGIC:
        raise ValueError(
            "not a .docx package: a password-protected Word file, or an old .doc renamed; "
            "save it as .docx without a password"
        )
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ValueError(
            f"not a Word document (damaged, or another format named .docx: {type(exc).__name__})"
        ) from None
    styles = {s.style_id: s.name or "" for s in document.styles}
    blocks: list[str] = []
    headings: list[str] = []
    for block in _blocks(document.element.body, styles):
        if block.startswith("#"):
            headings.append(block.lstrip("#").strip())
        blocks.append(block)
    blocks += _footnotes(document)
    metadata: dict[str, Any] = {}
    properties = document.core_properties
    if properties.title and properties.title.strip():
        metadata["title"] = properties.title.strip()
    elif headings:
        metadata["title"] = headings[0]
    if properties.author and properties.author.strip():
        metadata["author"] = properties.author.strip()
    return "\n\n".join(blocks) + "\n", metadata


def _blocks(parent: Any, styles: dict[str, str]) -> Iterator[str]:
    """The text blocks of a body (or a content control's content), in order."""
    for child in parent.iterchildren():
        if child.tag == _P:
            yield from _paragraph(child, styles)
        elif child.tag == _TBL:
            yield from _table(child)
        elif child.tag == _SDT:
            content = child.find(f"{{{_W}}}sdtContent")
            if content is not None:
                yield from _blocks(content, styles)


def _paragraph(p: Any, styles: dict[str, str]) -> Iterator[str]:
    """A paragraph's block (a ``#`` line, a ``-`` item or plain), then its text boxes'."""
    text = _text(p).strip()
    if text:
        style = styles.get(p.style or "", p.style or "")  # the style's name, from its id
        if style == "Title" or style.lower().startswith("heading"):
            level = re.search(r"\d+", style)
            marks = "#" * min(max(int(level.group()) if level else 1, 1), 6)
            yield f"{marks} {' '.join(text.split())}"
        elif style.lower().startswith("list") or p.find(f".//{{{_W}}}numPr") is not None:
            yield f"- {text}"
        else:
            yield text
    for box in p.iter(_TXBX):  # a box inside a box is its paragraph's, not this one's
        if not _under(box, _FALLBACK, p) and not _under(box, _TXBX, p):
            for inner in box.iterchildren(_P):
                yield from _paragraph(inner, styles)


def _text(element: Any) -> str:
    """The text Word shows of ``element``: its ``w:t`` in order, tabs and breaks; not what is
    in its text boxes (read as paragraphs of their own) or in Word's fallback copies."""
    out: list[str] = []
    for node in element.iter(_T, _TAB, _BR, _CR):
        if _under(node, _TXBX, element) or _under(node, _FALLBACK, element):
            continue
        if node.tag == _T:
            out.append(node.text or "")
        elif node.tag == _TAB:
            out.append("\t")
        else:
            out.append("\n")
    return "".join(out)


def _under(node: Any, tag: str, top: Any) -> bool:
    """Whether ``node`` lies inside an element ``tag`` below ``top``."""
    parent = node.getparent()
    while parent is not None and parent is not top:
        if parent.tag == tag:
            return True
        parent = parent.getparent()
    return False


def _table(tbl: Any) -> Iterator[str]:
    """A table's rows as ``|`` lines (a merged cell once), captions as paragraphs."""
    from docx.table import Table

    table = Table(tbl, cast(Any, None))  # no parent: only its rows and cells are read
    width = len(table.columns)
    rows: list[tuple[list[str], Any]] = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(_cell_text(cell._tc))
        if any(cells):
            rows.append((cells, row))
    lines: list[str] = []
    header_done = False
    for cells, row in rows:
        if len(cells) == 1 and width > 1:  # one cell across the table: a caption
            if lines:
                yield "\n".join(lines)
                lines = []
            yield cells[0]
            continue
        lines.append("| " + " | ".join(cells) + " |")
        if not header_done:
            header_done = True
            if _is_header(cells, row, width):
                lines.append("|" + "---|" * len(cells))
    if lines:
        yield "\n".join(lines)


def _cell_text(tc: Any) -> str:
    """A cell's text on one line: its paragraphs (and nested tables' and text boxes') joined
    by spaces ("Rails: 40m" and "Stations: 12m" were read "Rails: 40mStations: 12m")."""
    texts = (_text(p) for p in tc.iter(_P) if not _under(p, _FALLBACK, tc))
    return " ".join(" ".join(texts).split()).replace("|", "/")


def _is_header(cells: list[str], row: Any, width: int) -> bool:
    """Whether a table's first row is a header (module doc)."""
    properties = row._tr.trPr
    if properties is not None and properties.find(f"{{{_W}}}tblHeader") is not None:
        return True
    runs = [r for r in row._tr.iter(f"{{{_W}}}r") if (_text(r)).strip()]
    if runs and all(r.find(f"{{{_W}}}rPr/{{{_W}}}b") is not None for r in runs):
        return True
    return unmarked_header(cells, width)


def unmarked_header(first_row: list[str], width: int) -> bool:
    """Whether the first row of a table that does not mark its header heads it: the table has
    three or more columns and the row no figure but years ("| Service | 2025 | 2026 |": column
    names, not a row of values), as for tables set in spaces (``qa.documents.set_tables``).
    Word, OpenDocument and RTF tables alike."""
    return width >= 3 and not any(ch.isdigit() for ch in _YEAR.sub("", " ".join(first_row)))


# a year, a financial year or a season: "2025", "2025/26", "2025-2026", "FY2026", "FY26"
_YEAR = re.compile(r"\b(?:FY ?\d\d(?:\d\d)?|(?:1[89]|20)\d\d(?:[/–-](?:\d\d){1,2})?)\b", re.I)


def _footnotes(document: Any) -> list[str]:
    """Each footnote as ``[n] text`` (Word's separators left out)."""
    for part in document.part.package.iter_parts():
        if str(part.partname) == "/word/footnotes.xml":
            from lxml import etree

            root = etree.fromstring(part.blob)
            notes = []
            for note in root.iterchildren(f"{{{_W}}}footnote"):
                if note.get(f"{{{_W}}}type") in ("separator", "continuationSeparator"):
                    continue
                text = " ".join(_text(note).split())
                if text:
                    notes.append(f"[{note.get(f'{{{_W}}}id')}] {text}")
            return notes
    return []
