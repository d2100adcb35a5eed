"""Rich Text Format (``.rtf``: WordPad, TextEdit, Word's "Save as RTF") as the text a person
reads, in the shape qa reads Markdown and Word files.

striprtf turns the markup into text: control words and groups a reader does not see (font
and colour tables, pictures, comments, hidden fields) are dropped, ``\\'xx`` and ``\\uN``
characters decoded in the file's code page (``\\ansicpg``). What it gives is reshaped here:

- every paragraph (``\\par``; a ``\\line`` break too, which striprtf writes the same way) is a
  paragraph of its own;
- a table row (striprtf ends each cell with ``|``) is a ``|`` row; a rule marks the first row
  as a header, as for Word tables (``qa.word``), when the table has three or more columns
  and its first row no figures.

Metadata: ``title`` and ``author`` from the ``\\info`` group, when the file has one.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from qa.decoding import decode
from qa.word import unmarked_header

__all__ = ["load_rtf"]

_CODEPAGE = re.compile(r"\\ansicpg(\d+)")
_INFO = re.compile(r"\{\\(title|author)\s+((?:[^{}\\]|\\[^{}])*)\}")


def load_rtf(path: Path) -> tuple[str, dict[str, Any]]:
    """The text of an ``.rtf`` file (module doc) and its metadata. Raises ValueError with a
    reason a person can act on for a file that is no RTF document."""
    from striprtf.striprtf import rtf_to_text

    # WordPad ends its files with a NUL byte, which is no text
    data = path.read_bytes().rstrip(b"\x00")
    if not data.strip():
        raise ValueError("no text (an empty file)")
    if not data.lstrip().startswith(b"{\\rtf"):
        raise ValueError("not an RTF document (it does not open with {\\rtf)")
    raw = decode(data)
    text = rtf_to_text(raw, errors="ignore")
    metadata: dict[str, Any] = {}
    codepage = _CODEPAGE.search(raw[:4096])
    header = f"\\ansicpg{codepage.group(1)}" if codepage else ""
    for key, value in _INFO.findall(raw):
        # read in the document's code page (the value alone would be read as cp1252), and
        # inside a group, which makes striprtf write out its last escaped characters
        value = " ".join(
            rtf_to_text(f"{{\\rtf1\\ansi{header} {{{value}}}}}", errors="ignore").split()
        )
        if value and key not in metadata:
            metadata[key] = value
    return "\n\n".join(_blocks(text.split("\n"))) + "\n", metadata


def _blocks(lines: list[str]) -> list[str]:
    """Paragraphs, and each run of table rows as one block of ``|`` lines."""
    blocks: list[str] = []
    rows: list[list[str]] = []
    for line in [*lines, ""]:
        if line.endswith("|") and line.strip() != "|":
            rows.append([" ".join(c.split()) for c in line[:-1].split("|")])
            continue
        if rows:
            blocks.append(_table(rows))
            rows = []
        if line.strip():
            blocks.append(line.strip())
    return blocks


def _table(rows: list[list[str]]) -> str:
    """Rows of cells as ``|`` lines, with a header rule when the first row heads (module doc)."""
    lines = ["| " + " | ".join(cells) + " |" for cells in rows]
    width = max(len(cells) for cells in rows)
    if len(rows) > 1 and unmarked_header(rows[0], width):
        lines.insert(1, "|" + "---|" * len(rows[0]))
    return "\n".join(lines)
