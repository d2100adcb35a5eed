"""A list and the line that introduces it, cited as one span.

"The new money will be used to:" says nothing on its own: what it was used for is in the
bulleted or numbered items under it. A sentence that ends with a colon and is followed by list
items is the lead-in of that list, and the claim needs both (the break-test of the session of
2026-12-03, eval/README.md "Lists").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.types import Hit

__all__ = ["cut_at_passage_end", "list_end", "list_extent"]

# a list item's line: a bullet ("-", "*", "+", "•", "●", "▪", "–"...) or a number ("1.",
# "2)", "a)", "B.", "iv.") followed by a space; Markdown, docx, OpenDocument and HTML lists
# are all stored with "-" or a number, text pasted from Word or a PDF keeps its own bullets
_ITEM = re.compile(
    r"[ \t]*(?:[-*+•●▪◦‣■–]|\d{1,3}[.)]|[a-zA-Z][.)]|[ivxlc]{1,6}[.)]|[IVXLC]{1,6}[.)])"
    r"[ \t]+\S"
)


def list_end(hit: Hit, end: int) -> int | None:
    """Where the list introduced by the sentence ending at ``end`` (a document offset inside
    ``hit``) ends: the offset after its last item's text, or None when that sentence is no
    lead-in (it does not end with a colon, or its next line is no list item). Items may be
    separated by blank lines and wrap onto indented lines; the list ends at the first line
    that is neither, or at the end of the passage (a list the chunk cuts is cited as far as
    the passage holds it)."""
    text = hit.text
    at = end - hit.start
    if not text[:at].rstrip().endswith(":"):
        return None
    last: int | None = None
    pos = at
    while pos < len(text):
        stop = text.find("\n", pos)
        line_end = len(text) if stop < 0 else stop
        line = text[pos:line_end]
        if pos == at and line.strip():
            return None  # the sentence goes on after its colon on the same line
        if line.strip():
            item = _ITEM.match(line) is not None
            wrapped = last is not None and line[:1] in (" ", "\t")
            if not (item or wrapped):
                break
            last = pos + len(line.rstrip())
        pos = line_end + 1
    return None if last is None else hit.start + last


def list_extent(hits: Sequence[Hit], doc_id: str, start: int, end: int) -> tuple[Hit, int] | None:
    """Of ``hits``, the passage of document ``doc_id`` holding the sentence ``[start, end)``
    that holds most of the list it introduces, with where the list ends there
    (``list_end``); None when no passage holds items after it. Chunks overlap, so the
    passage that holds the sentence at its end (the items cut off) may not be the only one."""
    found: tuple[Hit, int] | None = None
    for hit in hits:
        if hit.doc_id == doc_id and hit.start <= start and end <= hit.end:
            last = list_end(hit, end)
            if last is not None and (found is None or last > found[1]):
                found = hit, last
    return found


def cut_at_passage_end(hit: Hit, end: int) -> bool:
    """Whether a list ending at ``end`` reaches the end of its passage ``hit`` (so the list
    may go on in the next passage)."""
    return end >= hit.start + len(hit.text.rstrip())
