"""The scripted test double itself (tests/support/scripted_llm*.py): its socket server replies
as the in-process one does, and stopping it never leaves a stalled handler or the port behind.
What openai and httpx do with its replies is their business, not tested here."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import openai
import pytest

from tests.support.scripted_llm import ScriptedLLM, condense
from tests.support.scripted_llm_server import ScriptedLLMServer

SYSTEM = "Answer only from the sources. Cite [n] after each claim.\nABSTAIN: Not found."
SOURCES = """<source id="1" title="Acme opens plant" date="2024-01-10">
Acme Corp opened a new plant in Ohio on Monday. The plant will employ 300 people.
</source>
<source id="2" title="Globex cuts" date="2024-02-02">
Globex announced it will cut 200 jobs in March. Shares fell 4% after the news.
</source>"""


def ask(client: openai.OpenAI, question: str, *, stream: bool = False) -> str:
    messages = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"{SOURCES}\n\nQuestion: {question}"},
    ]
    if not stream:
        reply = client.chat.completions.create(model="scripted", messages=messages)
        return reply.choices[0].message.content or ""
    chunks = client.chat.completions.create(model="scripted", messages=messages, stream=True)
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


@pytest.mark.parametrize("behaviour", ["quote", "abstain", "bad_citation", "no_citation"])
def test_socket_and_in_process_doubles_reply_alike(behaviour: str) -> None:
    in_process = ScriptedLLM(behaviour)
    http = httpx.Client(transport=in_process.transport())
    mock = openai.OpenAI(base_url=in_process.base_url, api_key="t", http_client=http)
    with ScriptedLLMServer(behaviour) as server:
        real = openai.OpenAI(base_url=server.base_url, api_key="t", max_retries=0)
        for question in ("How many jobs will Globex cut?", "Who won the football match?"):
            for stream in (False, True):
                assert ask(mock, question, stream=stream) == ask(real, question, stream=stream)
    assert ask(mock, "How many people will the plant employ?").startswith(
        "Not found." if behaviour == "abstain" else "The plant will employ 300 people"
    )


def test_condense_replaces_the_pronoun_by_the_last_user_name() -> None:
    history = "History:\nUser: What did Acme Corp announce in January?\nAssistant: A plant [1].\n"
    assert condense(history + "Follow-up: How many people will it employ?") == (
        "How many people will Acme Corp employ?"
    )
    assert condense("History:\nUser: what happened?\nFollow-up: Did it grow?") == "Did it grow?"


def test_socket_only_behaviours_are_refused_in_process() -> None:
    with pytest.raises(ValueError, match="unknown behaviour 'stall'"):
        ScriptedLLM("stall")


def test_stop_cancels_a_stall_and_releases_port_and_threads() -> None:
    before = threading.active_count()
    server = ScriptedLLMServer(behaviour="stall", stall_seconds=30).start()
    port = int(server.base_url.rsplit(":", 1)[1].split("/")[0])
    client = openai.OpenAI(base_url=server.base_url, api_key="t", max_retries=0, timeout=0.3)
    with pytest.raises(openai.APITimeoutError):
        ask(client, "How many jobs will Globex cut?")
    began = time.monotonic()
    server.stop()  # its handler is still inside the 30 s stall
    server.stop()  # idempotent
    assert time.monotonic() - began < 5
    assert threading.active_count() == before
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
