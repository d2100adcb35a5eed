"""A PDF's pages as a reader sees them: running headers and footers dropped, paragraphs kept.

pypdf's plain text of a page (``page.extract_text()``) gives each printed line as a line and
nothing more: the masthead printed at the top of every page and the "Page 2 of 3" at its foot
sit inside the article's sentences once the page's lines are joined ("...funded by the combined
authority Page 1 of 3 KESTREL VALLEY GAZETTE | Transport through long-term borrowing"), and a
headline runs into the dateline below it, since no blank line separates paragraphs. Two
things pypdf does not do are done here:

- ``strip_page_furniture``: a line in the same place among the first or last ``EDGE_LINES``
  lines of at least half the pages (and of two at least), read with its figures as ``#``
  ("Page # of #"), is a running header or footer, and is dropped from those places (the same
  line inside a page's text is kept). A one-page PDF has none that can be told from content.
- ``layout_paragraphs``: pypdf's layout mode (``extraction_mode="layout"``) sets the page out
  as printed, a paragraph's gap as a blank line; where the plain text's next line follows such
  a gap in the layout, a blank line is put before it.
"""

from __future__ import annotations

import re
from collections import Counter

# how far from a page's top or bottom a running header or footer is looked for, in lines
# (a header of a publication name, a section and a date takes up to three: a masthead, a rule
# of text, a date line)
EDGE_LINES = 3
_FIGURES = re.compile(r"\d+")


def _key(line: str) -> str:
    """``line`` as compared across pages: spaces collapsed, figures as ``#``, case folded."""
    return _FIGURES.sub("#", " ".join(line.split())).casefold()


def _edges(lines: list[str]) -> list[tuple[int, str]]:
    """The first and last ``EDGE_LINES`` non-blank lines of a page, each as (index, place):
    ``"top 0"`` is the first line, ``"bottom 0"`` the last (a line of a short page may be in
    both); a line is furniture only where it sits in the same place on the other pages."""
    filled = [n for n, line in enumerate(lines) if line.strip()]
    top = [(n, f"top {k}") for k, n in enumerate(filled[:EDGE_LINES])]
    return top + [(n, f"bottom {k}") for k, n in enumerate(reversed(filled[-EDGE_LINES:]))]


def strip_page_furniture(pages: list[str]) -> list[str]:
    """``pages`` (each a page's plain text) without the running headers and footers they share.

    A line counts when its key (``_key``) is in the same edge place (``_edges``) on at least
    ``max(2, ceil(len(pages) / 2))`` pages; it is dropped from the edges of every page, its
    line break with it. One page, or pages with no such line, come back as they are."""
    if len(pages) < 2:
        return pages
    split = [page.split("\n") for page in pages]
    seen: Counter[tuple[str, str]] = Counter()
    for lines in split:
        seen.update({(place, _key(lines[n])) for n, place in _edges(lines)})
    need = max(2, -(-len(pages) // 2))
    furniture = {key for key, count in seen.items() if count >= need and key[1]}
    if not furniture:
        return pages
    out = []
    for lines in split:
        drop = {n for n, place in _edges(lines) if (place, _key(lines[n])) in furniture}
        out.append("\n".join(line for n, line in enumerate(lines) if n not in drop))
    return out


def _flat(line: str) -> str:
    return "".join(line.split())


# how many layout lines ahead a short plain line's twin is looked for (layout mode may set a
# line the plain text lacks, such as a figure's label, between two it has); a line of at least
# _DISTINCT characters (without spaces) is looked for on the whole page, past a table's rows
_LOOKAHEAD = 4
_DISTINCT = 20


def layout_paragraphs(plain: str, layout: str) -> str:
    """``plain`` with a blank line before each line that follows a paragraph's gap in
    ``layout`` (the same page in pypdf's layout mode).

    Lines are paired in order by their characters without spaces (layout mode widens spaces);
    a plain line with no twin (within ``_LOOKAHEAD`` layout lines when it is shorter than
    ``_DISTINCT``; a page of two columns, which layout mode sets side by side on one line)
    gets no break, so such a page comes back as it was. ``|`` rows (``pdf_rows``) have no
    twin and are left as they are."""
    rows = [_flat(row) for row in layout.split("\n")]  # "" for a blank line
    lines = plain.split("\n")
    out: list[str] = []
    at = 0  # the next layout line to look at
    for n, line in enumerate(lines):
        want = _flat(line)
        found = None
        if want:
            ahead = 0
            for k in range(at, len(rows)):
                if not rows[k]:
                    continue
                if rows[k] == want:
                    found = k
                    break
                ahead += 1
                if ahead > _LOOKAHEAD and len(want) < _DISTINCT:
                    break
        if found is not None:
            gap = found > 0 and not rows[found - 1]
            if gap and n > 0 and out and out[-1].strip():
                out.append("")
            at = found + 1
        out.append(line)
    return "\n".join(out)
