"""Sentence-aware chunks with exact character offsets, and sentence spans inside them.

Boundaries come from llama-index's ``SentenceSplitter`` sized in the embedding model's own
word pieces, so no chunk is silently truncated; its sentences come from ``sentence_spans``
(pysbd, per script), not from nltk's English Punkt. The splitter returns strings only (its own
``start_char_idx`` uses the first occurrence of the text, wrong for repeated passages), so the
offsets are recovered here by a forward search that must match exactly.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from qa.currencies import splits_a_sum
from qa.dates import opens_with_month
from qa.documents import READER_VERSION
from qa.ids import chunk_id
from qa.types import Chunk, Document

if TYPE_CHECKING:
    from llama_index.core.node_parser import SentenceSplitter

__all__ = [
    "Chunker",
    "all_table_rows",
    "begins_inside_table",
    "chunk_id",
    "document_language",
    "document_version",
    "in_context",
    "read_in_context",
    "sections",
    "sentence_language",
    "sentence_spans",
    "table_header_above",
]

_LINE = re.compile(r"[^\n]+")
# a line with none of these before its last few characters is one sentence: pysbd is skipped
_TERMINATORS = re.compile(r"[.!?。！？؟।॥…።։;؛]")
_SCRIPTS = (  # (language pysbd knows, first and last code point of the script)
    ("ja", 0x3040, 0x30FF),  # kana: Japanese, even among kanji
    ("zh", 0x4E00, 0x9FFF),
    ("ar", 0x0600, 0x06FF),
    ("hi", 0x0900, 0x097F),
    ("ru", 0x0400, 0x04FF),
    ("el", 0x0370, 0x03FF),
    ("hy", 0x0530, 0x058F),
    ("my", 0x1000, 0x109F),
    ("am", 0x1200, 0x137F),
)
# a long document is split section by section: llama-index's splitter tokenizes the whole text
# it is given before it splits it, which for a 20 MB file took gigabytes (figures: CHANGELOG.md)
SECTION_CHARS = 100_000
MAX_SENTENCE_CHARS = 2000  # a longer run without a boundary is cut at spaces (tables, lists)
LANGUAGE_SAMPLE = 20_000  # characters of a document its language is judged on


# languages pysbd 0.3.4 has rules for (its abbreviations: "Mio.", "z. B.", "Dr." in German),
# besides those found by their script above
_LATIN_LANGUAGES = frozenset({"da", "de", "en", "es", "fr", "it", "nl", "pl", "sk"})


def document_language(text: str) -> str:
    """The pysbd language of a document's Latin-script lines: the language py3langid finds
    for its first ``LANGUAGE_SAMPLE`` characters, when pysbd has rules for it, else 'en'
    (also when the identifier cannot load)."""
    from qa.answer.language import language
    from qa.errors import QAError

    sample = text[:LANGUAGE_SAMPLE]
    if not any(c.isalpha() for c in sample):
        return "en"
    try:
        found = language(sample)
    except (QAError, OSError, ImportError):
        return "en"
    return found if found in _LATIN_LANGUAGES else "en"


def sentence_language(line: str, latin: str = "en") -> str:
    """The pysbd language for a line, from the script most of its letters are in: ``latin``
    (the document's language, ``document_language``) for Latin script and for scripts pysbd
    lacks, such as Hebrew, which end sentences as English does."""
    counts: dict[str, int] = {}
    for char in line:
        code = ord(char)
        if code < 0x0370:
            continue
        for lang, lo, hi in _SCRIPTS:
            if lo <= code <= hi:
                counts[lang] = counts.get(lang, 0) + 1
                break
    if not counts:
        return latin
    if counts.get("ja"):
        return "ja"
    best = max(counts, key=lambda k: counts[k])
    return best if 2 * counts[best] >= sum(1 for c in line if c.isalpha()) else latin


@functools.lru_cache(maxsize=16)
def _segmenter(language: str) -> Any:
    import pysbd

    return pysbd.Segmenter(language=language, clean=False)


def runs_on(line: str, following: str, latin: str = "en") -> bool:
    """Whether a sentence splitter reads ``line``, which ends in a full stop, and
    ``following`` as one sentence where they meet: the stop ends an abbreviation ("by Mr." /
    "Okonkwo, who…", "the U.S." / "Treasury said"), not a sentence. pysbd decides, on the
    last words of the one and the first of the other, by the rules ``sentence_spans`` uses
    (``latin``: the document's language, "512 Mio." / "Franken"): whether no sentence starts
    where ``following`` does (a sentence that ends earlier in those words does not count)."""
    left = " ".join(line.split()[-6:])
    right = " ".join(following.split()[:6])
    if not left or not right:
        return False
    both = f"{left} {right}"
    pieces = _segment(both, sentence_language(left, latin))
    return len(left) + 1 not in _starts(both, pieces)


# marks that close what a sentence's end mark is inside of, a quotation or a bracket
# ("他说：“我们会来。”然后离开了。" ends its first sentence after the ”, as does a German
# „…“): taken only glued to the end mark, where no opening mark stands
_CLOSERS = re.compile(r"[\"'“”‘’»«›‹」』）)\]】〉》〕]+")


def _starts(line: str, pieces: list[str]) -> set[int]:
    """Where each of pysbd's ``pieces`` of ``line`` starts, past closing marks glued to the
    piece before and the spaces after them (English rules give "“ Danach..." where German ones
    give "Danach..."; an opening "« Nous" after a space keeps its mark); pieces pysbd changed
    are left out."""
    starts: set[int] = set()
    cursor = 0
    for piece in pieces:
        at = line.find(piece.strip(), cursor) if piece.strip() else -1
        if at >= 0:
            glued = bool(starts) and at == cursor
            cursor = at + len(piece.strip())
            lead = _CLOSERS.match(line, at) if glued else None
            at = lead.end() if lead else at
            starts.add(at + len(line[at:cursor]) - len(line[at:cursor].lstrip()))
    return starts


def _segment(line: str, language: str) -> list[str]:
    """``line`` cut where pysbd's sentence pieces for ``language`` start (``_starts``: a
    closing mark glued to a sentence's end mark stays with it, "他说：“我们会来。”" |
    "然后离开了。").
    A Latin-script language other than English ends a sentence only where English rules end
    one too: pysbd's lists for some languages lack everyday abbreviations (its Polish and
    Dutch ones end sentences at "dr." and "ok."), and a document judged German may be English
    with a German code block; the language's rules still join what English splits ("48,5
    Mio." | "Euro", "z." | "B.")."""
    starts = _starts(line, _segmenter(language).segment(line))
    if language in _LATIN_LANGUAGES and language != "en":
        starts &= _starts(line, _segmenter("en").segment(line))
    starts = {at for at in starts if not _continues(line, at)}
    cuts = sorted(starts | {0})
    return [line[a:b] for a, b in zip(cuts, [*cuts[1:], len(line)], strict=True)]


# marks that close on a full stop before a piece starts ('"Stop." she said')
_CLOSING_ON_STOP = "\"'”’»)]"
_LOWER_WORD = re.compile(r"[^\W\d_][^\W_]*")


def _continues(line: str, at: int) -> bool:
    """Whether the piece pysbd starts at ``at`` carries on the sentence before: it opens
    with a word in lower case after the full stop of a short word or one with a stop inside
    ("48 mln." | "di euro", "m.in." | "inżynierów", "Corynebacteria sp." | "and viridans"),
    as ``qa.documents`` judges a wrapped line's last word, of a number ("lat 70." |
    "ubiegłego wieku"), of a quotation ("„…herstelt.”" | "zei hij") or glued to the word
    ("main/." | "venv"). In the cased scripts a sentence opens with a capital; a word in
    lower case with a capital inside it ("iPhone") may open one, and so may a brand written
    in lower case after a sentence's last word ("...had forecast." | "adidas shares")."""
    word = _LOWER_WORD.match(line, at)
    if word is None or not word.group().islower():
        return False
    spoken = line[:at].rstrip()
    before = spoken.rstrip(_CLOSING_ON_STOP)
    if not before.endswith("."):
        return False
    if before != spoken or spoken == line[:at]:
        return True  # a quotation's end („…herstelt.” | zei hij), or glued (main/.venv)
    # the stop ends an abbreviation-like word (a short one, one with a stop inside) or an
    # ordinal ("od lat 70." | "ubiegłego wieku")
    last = before[:-1].rsplit(maxsplit=1)[-1] if before[:-1].strip() else ""
    letters = last.replace(".", "")
    return last.isdigit() or (letters.isalpha() and (len(letters) <= 4 or "." in last))


_ORDINAL_DAY = re.compile(r"(?<!\d)(0?[1-9]|[12]\d|3[01])\.$")


def _line_sentences(line: str, latin: str = "en") -> list[tuple[int, int]]:
    """Sentence spans of one line (no line breaks), offsets into ``line``, stripped, split by
    pysbd for the line's language (``sentence_language``; ``latin``: the document's). A table
    row is one sentence; a line without a letter or digit (a rule, a table's |---|) is none."""
    if not any(c.isalnum() for c in line):
        return []
    if line.lstrip().startswith("|") or not _TERMINATORS.search(
        line, 0, max(0, len(line.rstrip()) - 3)
    ):
        pieces = [line]
    else:
        pieces = _segment(line, sentence_language(line, latin))
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        start = line.find(piece, cursor)  # found: the pieces are cut from ``line``
        if (
            spans
            and _ORDINAL_DAY.search(line, 0, spans[-1][1])
            and opens_with_month(piece, english=latin == "en")
        ):
            # "Berlin, 19." / "Juli 2023": a day's ordinal stop, not a sentence's end
            spans[-1] = (spans[-1][0], start + len(piece))
        elif spans and splits_a_sum(line[spans[-1][0] : spans[-1][1]], piece):
            # "for 48 mil." / "Kč.": a scale word's stop inside a sum, not a sentence's end
            spans[-1] = (spans[-1][0], start + len(piece))
        else:
            spans.append((start, start + len(piece)))
        cursor = start + len(piece)
    return [cut for s, e in spans for cut in _bounded(line, s, e)]


def _bounded(line: str, start: int, end: int) -> list[tuple[int, int]]:
    """``line[start:end]`` in pieces of at most MAX_SENTENCE_CHARS, cut at a space."""
    out: list[tuple[int, int]] = []
    while end - start > MAX_SENTENCE_CHARS:
        cut = line.rfind(" ", start + 1, start + MAX_SENTENCE_CHARS)
        cut = start + MAX_SENTENCE_CHARS if cut <= start else cut
        out.append((start, len(line[:cut].rstrip())))
        start = cut + len(line[cut:end]) - len(line[cut:end].lstrip())
    out.append((start, end))
    return out


def sentence_spans(
    text: str, start: int = 0, end: int | None = None, latin: str = "en"
) -> list[tuple[int, int]]:
    """Sentence spans (absolute offsets) of ``text[start:end]``; a line break ends a sentence
    (a heading, a list item or a table row is one sentence). Sentences end at the marks of
    their script (``.?!``, ``。！？``, ``؟``, ``।``), found by pysbd for that script, and for
    Latin script for ``latin`` (``document_language``: German knows "Mio." and "z. B.")."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text, start, end):
        base = line.start()
        spans += [(base + s, base + e) for s, e in _line_sentences(line.group(), latin)]
    return spans


# a cell of the rule row under a Markdown table's header: hyphens with a colon either side
# for alignment, as GitHub's tables allow ("---", ":--", "--:"); a lone "-" is a data cell's
# "none" more often than a rule
_RULE_CELL = re.compile(r"^(?=.{2}):?-+:?$")


def _is_row(line: str) -> bool:
    return line.lstrip().startswith("|")


_FIGURE_CELL = re.compile(r"^[+-]?\d[\d.,]*\.?$")  # "19", "3.", "1,250"
_CELL_BORDER = re.compile(r"(?<!\\)\|")  # a pipe, not an escaped one ("Fee \| term")


def _cells(row: str) -> list[str]:
    """A Markdown row's cells, split at its pipes (not at escaped ones, ``\\|``)."""
    inner = row.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [cell.strip().replace("\\|", "|") for cell in _CELL_BORDER.split(inner)]


def _is_rule_row(line: str) -> bool:
    """``|---|:--:|``: the line under a Markdown table's header row."""
    return _is_row(line) and all(_RULE_CELL.match(c) for c in _cells(line))


def in_context(doc: Document, start: int, end: int) -> str:
    """What is embedded for the sentence ``doc.text[start:end]``: the sentence itself, or for
    a table row the row read against its table's first (header) row, under the document's
    title: "Solvik results: Quarter: Q3 2024; Revenue (million EUR): 14.2; Staff: 222" for
    "| Q3 2024 | 14.2 | 222 |", so that "revenue in Q3" finds the row. The stored and cited
    text stays the row alone."""
    return read_in_context(doc.text, start, end, doc.title)


def read_in_context(
    text: str,
    start: int,
    end: int,
    title: str,
    *,
    values_first: bool = False,
    column: Callable[[str], str] | None = None,
) -> str:
    """``in_context`` for the span ``text[start:end]`` of any text that holds it (a document,
    or a retrieved chunk, whose table rows are read against the header the chunk holds).

    With ``values_first`` a row reads as a sentence states its figures, the first cell as the
    row's label and each other cell before its column's name: "Solvik results: Q2 2024: 12.4
    Revenue (million EUR); 215 Staff" (what the reader judges: "215 staff" is a number of
    staff, "Staff: 215" is not phrased as one). A chunk may begin inside a table: then its
    first row is a header only if a rule row (``|---|``) follows it. ``column``, if given,
    rewrites each column name as read ("Pts" as "points (Pts)" for a question about points:
    ``qa.answer.abbreviations``)."""
    line_start = text.rfind("\n", 0, start) + 1
    if not _is_row(text[line_start:end]):
        return text[start:end]
    header = None
    pos = line_start
    for _ in range(500):  # a table's first row is rarely further up; a huge one goes without
        if pos == 0:
            break
        above = text.rfind("\n", 0, pos - 1) + 1
        if not _is_row(text[above : pos - 1]):
            break
        header, pos = text[above : pos - 1], above
    if values_first and header is not None:
        below = text[pos + len(header) + 1 :].split("\n", 1)[0]
        if not _is_rule_row(below):
            header = None
    cells = _cells(text[start:end])
    if header is None:
        read = "; ".join(cells)
    else:
        names = _cells(header)
        if column is not None:
            names = [column(n) if n else n for n in names]
        if values_first and len(cells) > 1:
            # a first cell that is a figure (a position, a rank) is a value of its column too,
            # and the row has no label of its own
            first = 0 if _FIGURE_CELL.match(cells[0]) and names and names[0] else 1
            figures = "; ".join(
                f"{cell} {names[i]}" if i < len(names) and names[i] else cell
                for i, cell in enumerate(cells[first:], start=first)
            )
            return f"{title}: {cells[0]}: {figures}" if first else f"{title}: {figures}"
        read = "; ".join(
            f"{names[i]}: {cell}" if i < len(names) and names[i] else cell
            for i, cell in enumerate(cells)
        )
    return f"{title}: {read}"


def table_header_above(text: str) -> str:
    """The header and rule rows ("| Pos | Team | Pts |\n|---|---|---|") of the Markdown table
    that ``text`` ends inside (its last line is a table row), or "" when it does not end in a
    table or the table's top is not in it. What a chunk that begins inside a table is read
    against: ``text`` is the document text before the chunk."""
    lines = text.rstrip("\n").split("\n")
    if not lines or not _is_row(lines[-1]):
        return ""
    n = len(lines) - 1
    while n > 0 and _is_row(lines[n - 1]):
        n -= 1
    if n + 1 < len(lines) and _is_rule_row(lines[n + 1]):
        return f"{lines[n]}\n{lines[n + 1]}"
    return ""


def all_table_rows(text: str) -> bool:
    """Whether every line of ``text`` that is not empty is a table row (and one is): a table
    that goes on above it."""
    lines = [line for line in text.split("\n") if line.strip()]
    return bool(lines) and all(map(_is_row, lines))


def begins_inside_table(text: str) -> bool:
    """Whether ``text`` (a chunk) begins with a table row that is not its table's header row:
    the header is in an earlier chunk."""
    first, _, rest = text.lstrip("\n").partition("\n")
    return _is_row(first) and not _is_rule_row(rest.split("\n", 1)[0]) and not _is_rule_row(first)


def is_table_header(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` lies in a Markdown table's header row (a row followed by a
    rule row, ``|---|---|``) or in a rule row: column names and rules state no fact."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    if not _is_row(line):
        return False
    below = "" if line_end < 0 else text[line_end + 1 :].split("\n", 1)[0]
    return _is_rule_row(line) or _is_rule_row(below)


def _sentence_pieces(text: str) -> list[str]:
    """``text`` cut at its sentence starts: the pieces join back to ``text`` (what llama-index's
    splitter expects of its sentence tokenizer)."""
    starts = [s for s, _ in sentence_spans(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    return [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True) if a < b]


def document_version(doc: Document, config: str) -> str:
    """Content hash of a document under a chunking config: changes when either changes (a
    document longer than one section, split section by section, names its section size)."""
    digest = hashlib.sha256()
    digest.update(config.encode("utf-8"))
    digest.update(b"\0")
    digest.update(doc.text.encode("utf-8"))
    if len(doc.text) - doc.body_start > SECTION_CHARS:  # (read at call time: tests lower it)
        digest.update(f"\0sections:{SECTION_CHARS}".encode())
    return digest.hexdigest()[:16]


def sections(text: str, start: int, limit: int | None = None) -> list[tuple[int, int]]:
    """``text[start:]`` cut into spans of at most ``limit`` (default ``SECTION_CHARS``)
    characters, each ending at a paragraph break if one is in reach, else at a line break,
    else at a space."""
    limit = SECTION_CHARS if limit is None else limit
    spans = []
    while len(text) - start > limit:
        cut = text.rfind("\n\n", start + 1, start + limit)
        if cut <= start:
            cut = text.rfind("\n", start + 1, start + limit)
        if cut <= start:
            cut = text.rfind(" ", start + 1, start + limit)
        if cut <= start:
            cut = start + limit
        spans.append((start, cut))
        start = cut
    spans.append((start, len(text)))
    return spans


class Chunker:
    """Splits documents into chunks of at most ``chunk_size`` word pieces."""

    def __init__(
        self,
        tokenize: Callable[[str], Sequence[object]],
        chunk_size: int,
        chunk_overlap: int,
    ) -> None:
        self.chunk_size = chunk_size
        self.chunk_overlap = min(chunk_overlap, chunk_size // 4)
        self._tokenize = tokenize
        # while a section is split: (text, its sentence starts, where the last piece began)
        self._known: tuple[str, list[int], int] | None = None

    @functools.cached_property
    def _splitter(self) -> SentenceSplitter:
        """llama-index's splitter, made on the first chunk: a re-ingest of unchanged files
        chunks nothing, and need not import llama-index or load the tokenizer."""
        from llama_index.core.node_parser import SentenceSplitter

        return SentenceSplitter(
            chunk_size=self.chunk_size,
            chunk_overlap=self.chunk_overlap,
            tokenizer=self._tokenize,
            paragraph_separator="\n\n",
            chunking_tokenizer_fn=self._pieces,
            include_metadata=False,
            include_prev_next_rel=False,
        )

    @property
    def config(self) -> str:
        """A string that names this chunking; part of every document's version."""
        return f"sentence-splitter:{self.chunk_size}:{self.chunk_overlap}:pysbd:{READER_VERSION}"

    def chunk(self, doc: Document, version: str) -> list[Chunk]:
        """Chunks of ``doc`` whose text is exactly ``doc.text[start:end]``, in order (all of
        ``chunk_sections``)."""
        return [c for section in self.chunk_sections(doc, version) for c in section]

    def chunk_sections(self, doc: Document, version: str) -> Iterator[list[Chunk]]:
        """The chunks of ``doc``, one section at a time (``sections``), made as they are
        consumed: memory is bounded by a section, not the document; no chunk spans a section's
        end (a paragraph break). Each chunk's text is exactly ``doc.text[start:end]``; chunk
        indexes run on across sections. Raises RuntimeError if a chunk is not found verbatim."""
        text = doc.text
        index = 0
        latin = document_language(text[doc.body_start :])
        for a, b in sections(text, doc.body_start):
            # pysbd runs once per section: the splitter's sentence pieces are cut from these
            sentences = sentence_spans(text, a, b, latin)
            self._known = (text, [s for s, _ in sentences], a)
            try:
                pieces = self._splitter.split_text(text[a:b])
            finally:
                self._known = None
            ends = [e for _, e in sentences]  # sorted: the sentences are in order, disjoint
            out: list[Chunk] = []
            cursor = a
            for piece in pieces:
                piece = piece.strip()
                if not piece:
                    continue
                start = text.find(piece, cursor, b)
                if start < 0:
                    raise RuntimeError(f"chunk text not found verbatim in {doc.path}")
                end = start + len(piece)
                first = bisect.bisect_right(ends, start)
                inside = []
                for s, e in sentences[first:]:
                    if s >= end:
                        break
                    inside.append((max(s, start), min(e, end)))
                inside = [(s, e) for s, e in inside if text[s:e].strip()]
                out.append(
                    Chunk(
                        chunk_id=chunk_id(doc.doc_id, version, index),
                        doc_id=doc.doc_id,
                        index=index,
                        start=start,
                        end=end,
                        text=piece,
                        sentences=inside,
                    )
                )
                index += 1
                cursor = start + 1
            yield out

    def _pieces(self, piece: str) -> list[str]:
        """The splitter's sentence tokenizer: ``piece`` (a part of the section being split) cut
        at the sentence starts already found for that section, so pysbd does not run again; a
        text not found in the section is split by ``sentence_spans`` itself."""
        if self._known is None:
            return _sentence_pieces(piece)
        text, starts, cursor = self._known
        at = text.find(piece, cursor)
        if at < 0:
            return _sentence_pieces(piece)
        # the splitter hands over its parts in order, each at or after the one before
        self._known = (text, starts, at)
        end = at + len(piece)
        cuts = [at, *starts[bisect.bisect_right(starts, at) : bisect.bisect_left(starts, end)]]
        return [text[x:y] for x, y in zip(cuts, [*cuts[1:], end], strict=True) if x < y]
