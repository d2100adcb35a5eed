"""HTML for answers, citations and sources; every piece of document or answer text is escaped.

Nothing here trusts its input: titles, quotes, answers and metadata all go through
``html.escape`` before they meet the markup, so a document holding ``<script>`` shows it as text.
Citations open without JavaScript (``<details>``), which also survives Gradio's sanitiser.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from qa.answer.base import ABSTAIN_LABEL
from qa.answer.citations import MARKER
from qa.types import Answer, Citation, Hit, ShortAnswer

__all__ = [
    "HIT_HEADERS",
    "NOT_FOUND",
    "Source",
    "answer_html",
    "error_html",
    "hits_rows",
    "plain_preview",
    "size_text",
    "sources_html",
    "streaming_html",
    "user_html",
    "waiting_html",
]

NOT_FOUND = ABSTAIN_LABEL
_MARKER = re.compile(MARKER.pattern + r"([.,;:!?]*)")  # with the punctuation after it
POPOVER_CONTEXT = 280  # characters of context on each side of the span, in the popover
PANEL_CONTEXT = 600  # ... and in the sources panel


@dataclass
class Source:
    """A citation with what the UI shows around it: document metadata and the paragraph."""

    citation: Citation
    metadata: dict[str, Any] = field(default_factory=dict)
    context_start: int = -1  # offset of ``context`` in the document; -1 = unknown
    context: str = ""

    @property
    def before(self) -> str:
        if self.context_start < 0:
            return ""
        return self.context[: max(0, self.citation.start - self.context_start)]

    @property
    def after(self) -> str:
        if self.context_start < 0:
            return ""
        return self.context[self.citation.end - self.context_start :]


def _text(value: Any) -> str:
    """Escaped text, line breaks kept as <br>."""
    return escape(str(value)).replace("\n", "<br>")


def source_meta(source: Source) -> list[str]:
    """Publisher, date and path of a source, in display order (not escaped)."""
    meta = source.metadata
    parts = [str(meta[k]) for k in ("publisher", "author") if meta.get(k)][:1]
    date = meta.get("published") or meta.get("date")
    if date:
        parts.append(str(date))
    parts.append(source.citation.path)
    return parts


def _phrase(source: Source, short: ShortAnswer | None) -> tuple[int, int] | None:
    """Where ``short`` (the answer phrase) lies in ``source``'s quote, if it cites it."""
    c = source.citation
    if short is None or short.citation != c.id or not c.start <= short.start < short.end <= c.end:
        return None
    return short.start - c.start, short.end - c.start


def _quote(source: Source, short: ShortAnswer | None) -> str:
    """The cited span, escaped, with the short answer's phrase in a nested <mark>."""
    quote, where = source.citation.quote, _phrase(source, short)
    if where is None:
        return _text(quote)
    a, b = where
    return (
        f'{_text(quote[:a])}<mark class="qa-short-span">{_text(quote[a:b])}</mark>'
        f"{_text(quote[b:])}"
    )


def _passage(source: Source, limit: int | None = None, short: ShortAnswer | None = None) -> str:
    """The paragraph with the cited span in <mark> (the short answer's phrase in it marked
    again), optionally trimmed around the span."""
    before, after = source.before, source.after
    if limit is not None:
        if len(before) > limit:
            cut = before.find(" ", len(before) - limit)
            before = "… " + before[cut + 1 if cut >= 0 else len(before) - limit :]
        if len(after) > limit:
            cut = after.rfind(" ", 0, limit)
            after = after[: cut if cut > 0 else limit] + " …"
    return (
        f'<span class="qa-before">{_text(before)}</span>'
        f'<mark class="qa-span">{_quote(source, short)}</mark>'
        f'<span class="qa-after">{_text(after)}</span>'
    )


def _marker(source: Source, punctuation: str = "", short: ShortAnswer | None = None) -> str:
    """A clickable ``[n]`` that opens the cited passage in place (and names it on hover).

    Punctuation right after the marker goes inside its summary, so that an open passage does
    not leave a lone full stop on the line below it.
    """
    c = source.citation
    hint = f"[{c.id}] {c.title}: {c.quote}"
    if len(hint) > 300:
        hint = hint[:299] + "…"
    return (
        f'<details class="qa-cite">'
        f'<summary class="qa-marker" title="{escape(hint)}">'
        f'<span class="qa-n">[{c.id}]</span>{_text(punctuation)}</summary>'
        f'<span class="qa-pop">'
        f'<span class="qa-pop-title">[{c.id}] {_text(c.title)}</span>'
        f'<span class="qa-pop-meta">{_text(" · ".join(source_meta(source)))}</span>'
        f'<span class="qa-pop-text">{_passage(source, POPOVER_CONTEXT, short)}</span>'
        f"</span></details>"
    )


def _with_markers(
    text: str, sources: Mapping[int, Source], short: ShortAnswer | None = None
) -> str:
    """Escaped ``text`` with each ``[n]`` of a known citation made clickable."""
    out, pos = [], 0
    for m in _MARKER.finditer(text):
        source = sources.get(int(m.group(1)))
        if source is None:
            continue
        out.append(_text(text[pos : m.start()]))
        out.append(_marker(source, m.group(2), short))
        pos = m.end()
    out.append(_text(text[pos:]))
    return "".join(out)


def answer_html(answer: Answer, sources: Sequence[Source]) -> str:
    """The chat bubble of an answer: abstention, flagged sentences and clickable citations."""
    if answer.abstained:
        text = answer.text
        if text.lower().startswith(NOT_FOUND.lower()):
            text = text[len(NOT_FOUND) :].lstrip(":. ")
            text = text[:1].upper() + text[1:]
        return (
            '<div class="qa-answer qa-abstained">'
            f'<span class="qa-abstain-label">{NOT_FOUND}.</span> '
            f"<span>{_text(text)}</span>{_warnings(answer)}</div>"
        )
    by_id = {s.citation.id: s for s in sources}
    short = answer.short
    body, pos, after_block = [], 0, False
    for sentence in sorted(answer.sentences, key=lambda s: s.start):
        if sentence.start < pos or sentence.end > len(answer.text):
            continue  # overlapping or out of range: render the rest as plain text
        between = answer.text[pos : sentence.start]
        if not (after_block and not between.strip()):  # a block needs no blank line after it
            body.append(_with_markers(between, by_id, short))
        inner = _with_markers(answer.text[sentence.start : sentence.end], by_id, short)
        after_block = False
        if short is not None and sentence.start == 0 and sentence.text.startswith(short.text):
            # the phrase on a line of its own above the sentences that hold it
            body.append(f'<div class="qa-sentence qa-short">{inner}</div>')
            after_block = True
        elif sentence.supported:
            body.append(f'<span class="qa-sentence">{inner}</span>')
        else:
            body.append(
                '<span class="qa-sentence qa-unsupported" '
                'title="Not supported by the cited sources">'
                f'{inner}<span class="qa-flag">⚠ unsupported</span></span>'
            )
        pos = sentence.end
    body.append(_with_markers(answer.text[pos:], by_id, short))
    parts = [f'<div class="qa-answer"><div class="qa-text">{"".join(body)}</div>']
    flagged = len(answer.unsupported)
    if flagged:
        noun = "sentence is" if flagged == 1 else "sentences are"
        parts.append(
            f'<div class="qa-warning">⚠ {flagged} {noun} not supported by the cited sources '
            "(marked above); check them before relying on them.</div>"
        )
    parts.append(_warnings(answer))
    if answer.standalone_question and answer.standalone_question != answer.question:
        parts.append(
            f'<div class="qa-standalone">Searched for: {_text(answer.standalone_question)}</div>'
        )
    parts.append("</div>")
    return "".join(parts)


def _warnings(answer: Answer) -> str:
    """The answer's warning notes (a fallback answered, markers removed...); info notes are
    not shown."""
    return "".join(
        f'<div class="qa-warning qa-note">⚠ {_text(n.text)}</div>' for n in answer.warnings
    )


def user_html(question: str) -> str:
    """The user's own message, escaped like everything else."""
    return f'<div class="qa-question">{_text(question)}</div>'


def error_html(message: str) -> str:
    """A chat bubble for an error (bad question, empty store, unreachable LLM)."""
    return f'<div class="qa-answer qa-error">⚠ {_text(message)}</div>'


def streaming_html(text: str) -> str:
    """The partial answer while it streams in (plain, escaped)."""
    return f'<div class="qa-answer qa-streaming"><div class="qa-text">{_text(text)}</div></div>'


def waiting_html(seconds: float) -> str:
    """The bubble while the answerer has not written its first word (an LLM reading the
    sources), with the seconds waited so far."""
    return (
        '<div class="qa-answer qa-streaming qa-waiting"><div class="qa-text">'
        f"Reading the sources… {seconds:.0f} s</div></div>"
    )


def sources_html(answer: Answer | None, sources: Sequence[Source]) -> str:
    """The sources panel: every citation of the answer with its highlighted paragraph."""
    if answer is None:
        return (
            '<div class="qa-sources qa-empty">Sources of the latest answer appear here: '
            "title, publisher, date and the paragraph with the cited span highlighted.</div>"
        )
    if answer.abstained or not sources:
        return (
            f'<div class="qa-sources qa-empty"><strong>{NOT_FOUND}.</strong> '
            "No passage of the ingested documents answers this question.</div>"
        )
    cards = []
    for s in sources:
        c = s.citation
        where = f"characters {c.start}–{c.end}"
        cards.append(
            f'<div class="qa-source" id="qa-source-{c.id}">'
            f'<div class="qa-source-head"><span class="qa-num">[{c.id}]</span> '
            f'<span class="qa-source-title">{_text(c.title)}</span></div>'
            f'<div class="qa-source-meta">{_text(" · ".join(source_meta(s)))} · {where}</div>'
            f'<div class="qa-context">{_passage(s, PANEL_CONTEXT, answer.short)}</div></div>'
        )
    return (
        f'<div class="qa-sources"><div class="qa-sources-title">Sources</div>{"".join(cards)}</div>'
    )


def size_text(size: float) -> str:
    """A byte count for people: 900 bytes, 12 KB, 2.5 MB."""
    if size < 1000:
        return f"{size:.0f} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.0f} KB"
    return f"{size / 1_000_000:.1f} MB"


def hits_rows(hits: Sequence[Hit]) -> list[list[Any]]:
    """Rows of the debug table of retrieved chunks (plain values; the table escapes them)."""

    def num(value: float | None, digits: int = 4) -> Any:
        return "" if value is None else round(float(value), digits)

    return [
        [
            rank,
            num(h.score),
            "" if h.dense_rank is None else h.dense_rank,
            num(h.dense_score),
            "" if h.lexical_rank is None else h.lexical_rank,
            h.title,
            f"{h.start}–{h.end}",
            plain_preview(h.text),
        ]
        for rank, h in enumerate(hits, 1)
    ]


_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")


def plain_preview(text: str, limit: int = 400) -> str:
    """A chunk's text for a table cell: Markdown heading marks and bold marks dropped, lines
    joined, at most ``limit`` characters (an ellipsis when cut)."""
    text = _MD_EMPHASIS.sub(r"\2", _MD_HEADING.sub("", text))
    text = re.sub(r"\s*\n\s*", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


HIT_HEADERS = ["#", "fused score", "dense rank", "cosine", "BM25 rank", "title", "span", "text"]
