"""LLM failures (issue 4, item 6): bounded retries with backoff for transient errors, then the
extractive answer with a notice (or LLMError), and never a wait past ``llm_timeout``."""

from __future__ import annotations

import socket
import time

import openai  # noqa: F401 - imported before any clock starts (about 1 s cold)
import pytest

from qa import Answer, LLMError

WOGEN = "How much working capital did Wogen provide to Magrathea?"


def fell_back(answer: Answer) -> bool:
    return answer.mode == "extractive" and any(
        "extractive answer" in n.text for n in answer.warnings
    )


def timed(fn, *args, **kwargs):
    began = time.monotonic()
    result = fn(*args, **kwargs)
    return result, time.monotonic() - began


@pytest.mark.parametrize("behaviour", ["fail_500", "fail_429", "malformed", "empty"])
def test_transient_failure_is_retried(llm_qa, scripted_llm, behaviour):
    scripted_llm.script([behaviour])
    answer = llm_qa().ask(WOGEN)
    assert answer.mode == "llm" and "$10 million" in answer.text, answer.notes
    assert scripted_llm.request_count == 2
    assert any("after 1 retry" in n.text for n in answer.notes)


@pytest.mark.parametrize("behaviour", ["fail_500", "malformed", "empty"])
def test_retries_are_bounded_then_extractive_fallback(llm_qa, scripted_llm, behaviour):
    scripted_llm.behaviour = behaviour
    answer = llm_qa(llm_retries=2).ask(WOGEN)
    assert scripted_llm.request_count == 3  # 1 + 2 retries, no hidden client retries
    assert fell_back(answer) and "$10 million" in answer.text and answer.citations


def test_backoff_grows_between_retries(llm_qa, scripted_llm):
    scripted_llm.behaviour = "fail_500"
    _, elapsed = timed(llm_qa(llm_backoff=0.2, llm_retries=2).ask, WOGEN)
    assert elapsed >= 0.2 + 0.4  # waited 0.2 s, then 0.4 s


def test_fallback_error_raises_llm_error(llm_qa, scripted_llm):
    scripted_llm.behaviour = "fail_500"
    with pytest.raises(LLMError, match="HTTP 500"):
        llm_qa(llm_fallback="error").ask(WOGEN)
    assert scripted_llm.request_count == 3


def test_client_error_is_not_retried(llm_qa, scripted_llm):
    scripted_llm.behaviour = "fail_400"
    answer = llm_qa().ask(WOGEN)
    assert scripted_llm.request_count == 1
    assert fell_back(answer) and any("HTTP 400" in n.text for n in answer.notes)


def test_retry_after_is_honoured(llm_qa, scripted_llm):
    scripted_llm.retry_after = 0.5
    scripted_llm.script(["fail_429"])
    answer, elapsed = timed(llm_qa().ask, WOGEN)
    assert answer.mode == "llm" and elapsed >= 0.5


def test_retry_after_past_the_timeout_gives_up_at_once(llm_qa, scripted_llm):
    scripted_llm.retry_after = 30
    scripted_llm.behaviour = "fail_429"
    qa = llm_qa(llm_timeout=3)
    qa.ask(WOGEN, mode="extractive")  # models loaded before the clock starts
    answer, elapsed = timed(qa.ask, WOGEN)
    assert fell_back(answer) and elapsed < 2.5
    assert scripted_llm.request_count == 1


@pytest.mark.parametrize("stream", [False, True])
def test_stalled_server_never_waits_past_the_timeout(llm_qa, scripted_llm, stream):
    scripted_llm.behaviour = "stall"
    qa = llm_qa(llm_timeout=1.0)
    qa.ask(WOGEN, mode="extractive")  # warm up retrieval so only the LLM is timed
    began = time.monotonic()
    *_, answer = list(qa.ask_stream(WOGEN, stream=stream))
    elapsed = time.monotonic() - began
    assert fell_back(answer) and "timed out" in " ".join(n.text for n in answer.notes)
    # the LLM waits no longer than the timeout; the rest is local retrieval and the extractive
    # fallback. Without the deadline, 3 attempts and 2 backoffs would take 4.5 s or more.
    assert 1.0 <= elapsed < 1.0 + 1.5


def test_stalled_server_in_chat_shares_one_deadline(llm_qa, scripted_llm):
    scripted_llm.behaviour = "stall"
    qa = llm_qa(llm_timeout=1.0)
    qa.ask(WOGEN, mode="extractive")
    answer, elapsed = timed(qa.chat, [("What is Minago Development?", "")], "How big is it?")
    assert elapsed < 1.0 + 1.5  # condense took the budget (local work aside)
    assert scripted_llm.request_count == 1
    assert answer.standalone_question == "How big is Minago Development?"  # the rule
    assert fell_back(answer)


def test_cut_stream_is_retried_without_repeating_text(llm_qa, scripted_llm):
    scripted_llm.script(["cut_stream"])
    *deltas, answer = list(llm_qa().ask_stream(WOGEN))
    assert answer.mode == "llm" and scripted_llm.request_count == 2
    assert "".join(deltas) == answer.text  # the retry resumed after what was shown
    assert any("RemoteProtocolError" in n.text for n in answer.notes)


def test_cut_stream_every_time_falls_back(llm_qa, scripted_llm):
    scripted_llm.behaviour = "cut_stream"
    *deltas, answer = list(llm_qa().ask_stream(WOGEN))
    assert fell_back(answer) and scripted_llm.request_count == 3
    assert deltas  # the partial text was shown; the final Answer replaces it


def test_malformed_stream_is_retried(llm_qa, scripted_llm):
    scripted_llm.script(["malformed"])
    *_, answer = list(llm_qa().ask_stream(WOGEN))
    assert answer.mode == "llm" and scripted_llm.request_count == 2
    assert any("malformed" in n.text for n in answer.notes)


def test_connection_refused(llm_qa):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        url = f"http://127.0.0.1:{s.getsockname()[1]}/v1"
        qa = llm_qa(llm_base_url=url)
        qa.ask(WOGEN, mode="extractive")  # models loaded before the clock starts
        answer, elapsed = timed(qa.ask, WOGEN)
        assert fell_back(answer) and "cannot connect" in " ".join(n.text for n in answer.notes)
        assert elapsed < 3
        with pytest.raises(LLMError, match="cannot connect"):
            llm_qa(llm_base_url=url, llm_fallback="error").ask(WOGEN)


def test_deadline_on_an_injected_clock_is_exact(corpus_qa, embedder, scripted_llm):
    """Backoff waits advance a fake clock: the give-up point is exact, whatever the load."""
    from qa.answer.llm import LLMAnswerer

    now, waits = [0.0], []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    scripted_llm.script(["fail_500"] * 10)
    update = {
        "llm_base_url": scripted_llm.base_url,
        "llm_model": "scripted",
        "llm_timeout": 3.0,
        "llm_backoff": 0.5,
        "llm_retries": 10,
        "llm_fallback": "error",
    }
    answerer = LLMAnswerer(
        corpus_qa.settings.model_copy(update=update),
        embed=embedder.embed,
        sleep=sleep,
        clock=lambda: now[0],
    ).for_turn()
    hits = corpus_qa.retrieve(WOGEN)
    with pytest.raises(LLMError, match="a retry in 2s would pass the 3s timeout"):
        answerer.answer(WOGEN, hits, embedder.encode_query(WOGEN))
    assert waits == [0.5, 1.0]  # at t=1.5 the next wait (2 s) would end past t=3
    assert scripted_llm.request_count == 3
