"""A list and the line that introduces it, cited as one span.

"The new money will be used to:" says nothing on its own: what it was used for is in the
bulleted or numbered items under it. A sentence that ends with a colon and is followed by list
items is the lead-in of that list, and the claim needs both (the break-test of the session of
2026-12-03, eval/README.md "Lists").
"""

from __future__ import annotations

import re

from qa.types import Hit

__all__ = ["list_end"]

# a list item's line: a bullet ("-", "*", "+", "•", "–") or a number ("1.", "2)", "a)")
# followed by a space; Markdown, docx, OpenDocument and HTML lists are all stored so
_ITEM = re.compile(r"[ \t]*(?:[-*+•–]|\d{1,3}[.)]|[a-z][.)])[ \t]+\S")


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
