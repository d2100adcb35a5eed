"""Citations as exact spans of the source, and the markers that point at them."""

from __future__ import annotations

import re

from qa.types import Citation, Hit

__all__ = ["MARKER", "cite", "with_marker"]

MARKER = re.compile(r"\[(\d+)\]")  # a citation marker as qa writes it; group 1 is its id
_TRAILING_PUNCT = re.compile(r"[.!?;:]+[\"'”’)]*$")
# a footnote mark the source itself carries ("...80 km long [3]", Wikipedia's "sea.[12]"):
# kept in the quote, dropped from the answer text, where it would read as one of ours; not
# after a digit, "_", ")" or "]" ("data2[3]", "f()[1]", "a[1][2]"), which index something
_SOURCE_MARK = re.compile(r"(?<![\d_\)\]])[ \t]*" + MARKER.pattern)


def cite(citation_id: int, hit: Hit, start: int, end: int) -> Citation:
    """A citation of ``document_text[start:end]``, a span inside ``hit``'s chunk."""
    if not hit.start <= start < end <= hit.end:
        raise ValueError(f"span {start}:{end} is outside chunk {hit.start}:{hit.end}")
    return Citation(
        id=citation_id,
        doc_id=hit.doc_id,
        title=hit.title,
        path=hit.path,
        start=start,
        end=end,
        quote=hit.span_text(start, end),
    )


def with_marker(sentence: str, citation_id: int) -> str:
    """``sentence`` with `` [n]`` before its final punctuation (or at its end, after a
    quotation or bracket the punctuation closes inside: ``said "not a collapse." [1]``, not
    inside the quoted words), and without the ``[n]`` footnote marks of its source, so that
    every ``[n]`` in an answer is a citation."""
    sentence = _SOURCE_MARK.sub("", sentence).strip()
    match = _TRAILING_PUNCT.search(sentence)
    if match and match.group()[-1] not in ".!?;:":
        return f"{sentence} [{citation_id}]"
    if match:
        return f"{sentence[: match.start()]} [{citation_id}]{sentence[match.start() :]}"
    return f"{sentence} [{citation_id}]"
