"""The passages an LLM reads: the reader's best sentences with their neighbours, not whole chunks.

On a CPU the prompt is the wait: a 1.5B model reads about 25-30 tokens a second on the 2 cores
here, so five 256-word-piece chunks cost most of a minute before the first word. The extractive
reader already ranks every sentence of the retrieved chunks; the model gets the ``count`` best,
each with ``window`` sentences either side, merged where they touch. Each passage is a ``Hit``
narrowed to a span of its chunk (same document offsets), so citations the verifier computes on
it stay exact spans of the document.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from qa.answer.pronouns import opens_with_pronoun
from qa.chunking import begins_inside_table, table_header_above
from qa.types import Hit

__all__ = ["narrow", "select_passages"]


def _sentences(hit: Hit) -> list[tuple[int, int]]:
    return [(x.start, x.end) for x in hit.sentences if hit.start <= x.start < x.end <= hit.end]


def narrow(hit: Hit, start: int, end: int) -> Hit:
    """``hit`` cut to the document span ``[start, end)`` it holds (sentences kept inside it;
    ``table_header`` the header rows of the table the span begins inside, else "")."""
    if not hit.start <= start < end <= hit.end:
        raise ValueError(f"span {start}-{end} is outside the chunk {hit.start}-{hit.end}")
    inside = [x for x in hit.sentences if start <= x.start and x.end <= end]
    text = hit.span_text(start, end)
    header = ""
    if begins_inside_table(text):  # rows whose header row is above the span: keep it at hand
        table, shift = hit.with_table_header()
        header = table_header_above(table[: start - hit.start + shift])
    return replace(hit, start=start, end=end, text=text, sentences=inside, table_header=header)


def select_passages(
    ranked: Iterable[tuple[Hit, int, int]], *, count: int = 4, window: int = 1
) -> list[Hit]:
    """Passages around the ``count`` best sentences, best first.

    Args:
        ranked: ``(hit, start, end)`` of candidate sentences, best first (document offsets of
            a sentence of ``hit``).
        count: how many of the best sentences to take.
        window: sentences of context taken on each side of each, within its chunk; one
            more before when the first of them opens with a pronoun ("She said...").

    Returns:
        Narrowed hits; windows in the same chunk that overlap or touch are merged into one.
    """
    spans: list[tuple[Hit, int, int]] = []  # (hit, first sentence index, last sentence index)
    for hit, start, end in list(ranked)[:count]:
        sentences = _sentences(hit)
        if (start, end) not in sentences:
            continue
        i = sentences.index((start, end))
        lo, hi = max(0, i - window), min(len(sentences) - 1, i + window)
        if lo > 0 and opens_with_pronoun(hit.span_text(*sentences[lo])):
            lo -= 1  # "She said...": the sentence before says who she is
        for k, (other, a, b) in enumerate(spans):
            if other.chunk_id == hit.chunk_id and lo <= b + 1 and a <= hi + 1:
                spans[k] = (other, min(a, lo), max(b, hi))
                break
        else:
            spans.append((hit, lo, hi))
    passages = []
    for hit, lo, hi in spans:
        sentences = _sentences(hit)
        passages.append(narrow(hit, sentences[lo][0], sentences[hi][1]))
    return _without_repeats(passages)


def _without_repeats(passages: Sequence[Hit]) -> list[Hit]:
    """Passages without one that another of the same document contains (chunks overlap)."""
    kept: list[Hit] = []
    for p in passages:
        if not any(q.doc_id == p.doc_id and q.start <= p.start and p.end <= q.end for q in kept):
            kept = [
                q
                for q in kept
                if not (q.doc_id == p.doc_id and p.start <= q.start and q.end <= p.end)
            ]
            kept.append(p)
    return kept
