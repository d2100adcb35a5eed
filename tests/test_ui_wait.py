"""The chat's wait for the first word (issue 20): a local model reads its prompt for seconds;
the UI shows the wait (ui.app.with_ticks, ui.render.waiting_html) instead of a frozen bubble."""

from __future__ import annotations

import threading

import pytest

from qa.errors import LLMError
from ui.app import with_ticks
from ui.render import waiting_html


def test_ticks_while_the_first_item_is_awaited_then_items_only():
    gate = threading.Event()

    def items():
        assert gate.wait(10)
        yield "Wogen "
        yield "provided $10 million."

    out = []
    for item in with_ticks(items(), 0.01):
        out.append(item)
        if item is None:
            gate.set()  # the first tick has been shown: let the answer come
    first = next(i for i, x in enumerate(out) if x is not None)
    assert first >= 1 and all(x is None for x in out[:first])
    assert out[first:] == ["Wogen ", "provided $10 million."]


def test_an_error_of_the_answerer_reaches_the_handler():
    def items():
        yield "partial"
        raise LLMError("the LLM at http://127.0.0.1:1/v1 failed")

    got = []
    with pytest.raises(LLMError, match="failed"):
        for item in with_ticks(items(), 0.01):
            got.append(item)
    assert got == ["partial"]


def test_waiting_bubble_says_what_happens_and_for_how_long():
    html = waiting_html(7.4)
    assert "Reading the sources" in html and "7 s" in html and "qa-streaming" in html
