"""ui/render.py: answers, citations and sources as HTML, with every piece of text escaped."""

from __future__ import annotations

import pytest

pytest.importorskip("gradio")

from qa.types import Answer, Citation, Hit, Note, SentenceSupport
from ui.render import (
    Source,
    answer_html,
    error_html,
    hits_rows,
    sources_html,
    streaming_html,
    user_html,
)

DOC = "Intro line.\n\nAcme <b>bought</b> Beta for $5 million. It closed in May.\n\nOther text."
XSS = "<script>alert(1)</script> <img src=x onerror=alert(1)>"
S1 = (DOC.index("Acme"), DOC.index(" It closed"))  # "Acme <b>bought</b> Beta for $5 million."
S2 = (DOC.index("It closed"), DOC.index("\n\nOther"))  # "It closed in May."


def source(start: int, end: int, cid: int = 1, title: str = "Acme & Beta", **meta) -> Source:
    quote = DOC[start:end]
    c = Citation(cid, "d1", title, "corpus/a.md", start, end, quote)
    lo = DOC.rfind("\n\n", 0, start) + 2
    hi = DOC.find("\n\n", end)
    return Source(c, meta, lo, DOC[lo:hi])


def answer(text: str, sources: list[Source], sentences=None, **kw) -> Answer:
    return Answer(
        question="q?",
        text=text,
        citations=[s.citation for s in sources],
        abstained=False,
        mode="extractive",
        sentences=sentences or [],
        **kw,
    )


def test_markers_become_popovers_with_the_highlighted_span():
    s = source(*S1, publisher="Wire", published="2026-01-15")
    html = answer_html(answer("Acme bought Beta [1].", [s]), [s])
    assert '<summary class="qa-marker"' in html
    assert '<span class="qa-n">[1]</span>.</summary>' in html  # the full stop stays with [1]
    assert (
        '<mark class="qa-span">Acme &lt;b&gt;bought&lt;/b&gt; Beta for $5 million.</mark>' in html
    )
    assert "It closed in May." in html  # the rest of the paragraph, after the span
    assert "Wire · 2026-01-15 · corpus/a.md" in html
    assert "Acme &amp; Beta" in html and "<b>" not in html


def test_unknown_markers_stay_text():
    s = source(*S1)
    html = answer_html(answer("Claim [1] and [7].", [s]), [s])
    assert html.count('class="qa-marker"') == 1
    assert "[7]" in html


def test_unsupported_sentences_are_marked():
    s = source(*S1)
    text = "Acme bought Beta [1]. The Moon is cheese."
    sentences = [
        SentenceSupport("Acme bought Beta [1].", 0, 21, [1], 0.9, True),
        SentenceSupport("The Moon is cheese.", 22, 41, [], 0.0, False),
    ]
    html = answer_html(answer(text, [s], sentences), [s])
    assert html.count("qa-unsupported") == 1
    assert 'The Moon is cheese.<span class="qa-flag">⚠ unsupported</span>' in html
    assert "1 sentence is not supported" in html


def test_abstention_reads_not_found_in_the_corpus():
    a = Answer("q?", "Not found in the corpus: the documents do not say.", [], True, "extractive")
    html = answer_html(a, [])
    assert "qa-abstained" in html and "Not found in the corpus." in html
    panel = sources_html(a, [])
    assert "Not found in the corpus" in panel


def test_everything_is_escaped():
    s = source(*S1, title=XSS, publisher=XSS)
    a = answer(f"{XSS} [1]", [s], standalone_question=XSS)
    for html in (
        answer_html(a, [s]),
        sources_html(a, [s]),
        streaming_html(XSS),
        error_html(XSS),
        user_html(XSS),
    ):
        assert "<script" not in html and "<img" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_sources_panel_lists_every_citation():
    s1, s2 = source(*S1, 1), source(*S2, 2)
    panel = sources_html(answer("A [1]. B [2].", [s1, s2]), [s1, s2])
    assert panel.count('class="qa-source"') == 2
    assert f"characters {S2[0]}–{S2[1]}" in panel
    assert '<mark class="qa-span">It closed in May.</mark>' in panel


def test_hits_rows_show_scores():
    hit = Hit("c1", "d1", "T", "p", 0, 10, "text", 0.0328, 1, None, 0.41234)
    assert hits_rows([hit]) == [[1, 0.0328, 1, 0.4123, "", "T", "0–10", "text"]]


def test_warning_notes_are_shown_and_info_notes_are_not():
    s = source(*S1)
    notes = [
        Note.info("support threshold 0.5"),
        Note.warning("the LLM at <x> failed to answer: HTTP 500; this is the extractive answer"),
    ]
    html = answer_html(answer("Acme bought Beta [1].", [s], notes=notes), [s])
    assert '<div class="qa-warning qa-note">⚠ the LLM at &lt;x&gt; failed to answer' in html
    assert "support threshold" not in html
    abstained = Answer("q?", "Not found in the corpus.", [], True, "llm", notes=notes)
    html = answer_html(abstained, [])
    assert html.count("qa-note") == 1 and "support threshold" not in html
    quiet = answer_html(answer("Acme bought Beta [1].", [s], notes=notes[:1]), [s])
    assert "qa-note" not in quiet
