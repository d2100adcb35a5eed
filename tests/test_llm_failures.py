"""LLM failures (issue 4, item 6; issue 16): openai retries HTTP and connection errors, qa retries
an unusable 200 and a cut stream, both bounded, then the extractive answer with a notice (or
LLMError), and never a wait past ``llm_timeout``. Protocol cases run on the in-process test double
(an httpx.MockTransport), deadlines on an injected clock; a real socket only for stalls and cut
streams."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from qa import Answer, LLMError

WOGEN = "How much working capital did Wogen provide to Magrathea?"


def fell_back(answer: Answer) -> bool:
    return answer.mode == "extractive" and any(
        "extractive answer" in n.text for n in answer.warnings
    )


def note_text(answer: Answer) -> str:
    return " ".join(n.text for n in answer.notes)


@pytest.fixture
def fast_retries(scripted_llm):
    """openai waits as the double's retry-after asks (10 ms) instead of its 0.5 s backoff."""
    scripted_llm.retry_after = 0.01
    return scripted_llm


# ---- protocol cases, in process ----------------------------------------------------------------
@pytest.mark.parametrize("behaviour", ["fail_500", "fail_429", "malformed", "empty"])
def test_transient_failure_is_retried(llm_qa, fast_retries, behaviour):
    fast_retries.script([behaviour])
    answer = llm_qa().ask(WOGEN)
    assert answer.mode == "llm" and "$10 million" in answer.text, answer.notes
    assert fast_retries.request_count == 2
    assert any("after 1 retry" in n.text for n in answer.notes)


@pytest.mark.parametrize("behaviour", ["fail_500", "malformed", "empty"])
def test_retries_are_bounded_then_extractive_fallback(llm_qa, fast_retries, behaviour):
    fast_retries.behaviour = behaviour
    answer = llm_qa(llm_retries=2).ask(WOGEN)
    assert fast_retries.request_count == 3  # 1 + 2 retries (openai's or qa's, not both)
    assert fell_back(answer) and "$10 million" in answer.text and answer.citations


def test_fallback_error_raises_llm_error(llm_qa, fast_retries):
    fast_retries.behaviour = "fail_500"
    with pytest.raises(LLMError, match=r"HTTP 500: Scripted fail_500\. \(after 3 attempts\)"):
        llm_qa(llm_fallback="error").ask(WOGEN)
    assert fast_retries.request_count == 3


def test_client_error_is_not_retried(llm_qa, scripted_llm):
    scripted_llm.behaviour = "fail_400"
    answer = llm_qa().ask(WOGEN)
    assert scripted_llm.request_count == 1
    assert fell_back(answer) and "HTTP 400" in note_text(answer)


def test_malformed_stream_is_retried(llm_qa, scripted_llm):
    scripted_llm.script(["malformed"])  # a 200 whose body is not an event stream
    *_, answer = list(llm_qa().ask_stream(WOGEN))
    assert answer.mode == "llm" and scripted_llm.request_count == 2
    assert "malformed stream (Content-Type application/json)" in note_text(answer)


# ---- the deadline, on an injected clock ------------------------------------------------------
class FakeTime:
    """A clock that only ``sleep`` (and the test double, per request) advance."""

    def __init__(self) -> None:
        self.now, self.waits = 0.0, list[float]()

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def answerer(corpus_qa, embedder, transport, fake: FakeTime, **settings):
    from qa.answer.llm import LLMAnswerer

    update = {
        "llm_base_url": "http://scripted-llm.test/v1",
        "llm_model": "scripted",
        "llm_timeout": 3.0,
        "llm_backoff": 0.5,
        "llm_retries": 10,
        "llm_fallback": "error",
        **settings,
    }
    return LLMAnswerer(
        corpus_qa.settings.model_copy(update=update),
        embed=embedder.embed,
        transport=transport,
        sleep=fake.sleep,
        clock=fake.clock,
    ).for_turn()


def test_deadline_on_an_injected_clock_is_exact(corpus_qa, embedder, scripted_llm):
    """qa's own retries (an empty 200) wait on the fake clock: the give-up point is exact."""
    fake = FakeTime()
    scripted_llm.behaviour = "empty"
    llm = answerer(corpus_qa, embedder, scripted_llm.transport(), fake)
    hits = corpus_qa.retrieve(WOGEN)
    with pytest.raises(LLMError, match="empty response; a retry in 2s would pass the 3s timeout"):
        llm.answer(WOGEN, hits, embedder.encode_query(WOGEN))
    assert fake.waits == [0.5, 1.0]  # at t=1.5 the next wait (2 s) would end past t=3
    assert scripted_llm.request_count == 3


@pytest.mark.parametrize(
    ("retry_after", "requests", "wait"),
    [(None, 2, "1s"), (30, 1, "30s")],  # openai's backoff (0.5 s, then 1 s), or retry-after
)
def test_openai_retries_stop_before_a_wait_past_the_deadline(
    corpus_qa, embedder, scripted_llm, retry_after, requests, wait
):
    """Each request takes 1 s on the fake clock: openai's next wait must end by t=3."""
    fake = FakeTime()
    scripted_llm.behaviour, scripted_llm.retry_after = "fail_500", retry_after

    def slow_server(request: httpx.Request) -> httpx.Response:
        fake.now += 1.0
        return scripted_llm.handle(request)

    llm = answerer(corpus_qa, embedder, httpx.MockTransport(slow_server), fake)
    hits = corpus_qa.retrieve(WOGEN)
    with pytest.raises(LLMError, match=f"a retry in {wait} would pass the 3s timeout"):
        llm.answer(WOGEN, hits, embedder.encode_query(WOGEN))
    assert scripted_llm.request_count == requests
    assert fake.waits == []  # openai waited (really) at most once, qa never


def test_condense_and_answer_share_one_deadline(corpus_qa, embedder, scripted_llm):
    """The condense call takes the whole budget: the answer falls back without a request."""
    fake = FakeTime()

    def slow_server(request: httpx.Request) -> httpx.Response:
        fake.now += 3.0
        return scripted_llm.handle(request)

    llm = answerer(
        corpus_qa, embedder, httpx.MockTransport(slow_server), fake, llm_fallback="extractive"
    )
    scripted_llm.behaviour = "fail_500"
    assert llm.condense([("What is Minago Development?", "")], "How big is it?") == (
        "How big is Minago Development?"  # the rule
    )
    assert scripted_llm.request_count == 1
    assert any("a retry in 0.5s would pass the 3s timeout" in n.text for n in llm._notes)


def test_connection_refused(llm_qa):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        url = f"http://127.0.0.1:{s.getsockname()[1]}/v1"
        answer = llm_qa(None, llm_base_url=url, llm_retries=1).ask(WOGEN)
        assert fell_back(answer) and "cannot connect" in note_text(answer)
        with pytest.raises(LLMError, match="cannot connect"):
            llm_qa(None, llm_base_url=url, llm_retries=0, llm_fallback="error").ask(WOGEN)


# ---- a real socket: stalls and cut streams -----------------------------------------------------
@pytest.mark.parametrize("stream", [False, True])
def test_stalled_server_never_waits_past_the_timeout(llm_qa, scripted_llm_server, stream):
    scripted_llm_server.behaviour = "stall"
    qa = llm_qa(scripted_llm_server, llm_timeout=1.0)
    qa.ask(WOGEN, mode="extractive")  # warm up retrieval so only the LLM is timed
    began = time.monotonic()
    *_, answer = list(qa.ask_stream(WOGEN, stream=stream))
    elapsed = time.monotonic() - began
    assert fell_back(answer) and "timed out" in note_text(answer)
    assert scripted_llm_server.request_count == 1  # no retry started after the deadline
    # generous: without the deadline, 3 attempts of 1 s and 2 waits would take 4.5 s or more
    assert 1.0 <= elapsed < 4.0


def test_stalled_server_in_chat_shares_one_deadline(llm_qa, scripted_llm_server):
    scripted_llm_server.behaviour = "stall"
    qa = llm_qa(scripted_llm_server, llm_timeout=1.0)
    answer = qa.chat([("What is Minago Development?", "")], "How big is it?")
    assert scripted_llm_server.request_count == 1  # condense took the budget
    assert answer.standalone_question == "How big is Minago Development?"  # the rule
    assert fell_back(answer)


def test_cut_stream_is_retried_without_repeating_text(llm_qa, scripted_llm_server):
    scripted_llm_server.script(["cut_stream"])
    *deltas, answer = list(llm_qa(scripted_llm_server).ask_stream(WOGEN))
    assert answer.mode == "llm" and scripted_llm_server.request_count == 2
    assert "".join(deltas) == answer.text  # the retry resumed after what was shown
    assert "RemoteProtocolError" in note_text(answer)


def test_cut_stream_every_time_falls_back(llm_qa, scripted_llm_server):
    scripted_llm_server.behaviour = "cut_stream"
    *deltas, answer = list(llm_qa(scripted_llm_server).ask_stream(WOGEN))
    assert fell_back(answer) and scripted_llm_server.request_count == 3
    assert deltas  # the partial text was shown; the final Answer replaces it
