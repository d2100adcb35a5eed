"""TEST DOUBLE of the OpenAI chat-completions HTTP protocol -- NOT a language model.

``ScriptedLLM`` answers ``POST /v1/chat/completions`` with fixed, deterministic rules applied to
the prompt it receives. It understands nothing: it copies the source sentence with the largest
word overlap with the question and appends a ``[n]`` citation, or replays a scripted
misbehaviour (bad citation, HTTP 500, malformed JSON, ...) so that qa's LLM path can be tested
without model weights. In process it is an ``httpx.MockTransport`` (``transport()``, given to
``QA(llm_transport=...)``); ``tests.support.scripted_llm_server`` serves the same replies on a
real socket, for stalls and cut streams and for a ``qa`` subprocess.

Behaviours (``double.behaviour = ...`` or queued with ``double.script([...])``):
quote (default), abstain, bad_citation ([99]), unsupported (Moon claim), no_citation,
obey_injection, fail_500/fail_429/fail_400 (OpenAI JSON error, with ``retry-after`` when
``retry_after`` is set), malformed (200, invalid JSON), empty (content ""); on the socket server
only: stall (waits, then answers like quote) and cut_stream (streams 3 deltas, then closes the
connection mid-body; non-stream requests answer like quote). A system message containing
``CONDENSE`` gets the ``condense()`` rewrite instead of an answer.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

MODEL_ID = "scripted"
DEFAULT_ABSTAIN = "The sources do not contain the answer."
MOON_CLAIM = "The company also plans to open a factory on the Moon"
BEHAVIOURS = frozenset(
    {
        "quote",
        "abstain",
        "bad_citation",
        "unsupported",
        "no_citation",
        "obey_injection",
        "condense_statement",
        "fail_500",
        "fail_429",
        "fail_400",
        "malformed",
        "empty",
        "stall",
        "cut_stream",
    }
)
SOCKET_ONLY = frozenset({"stall", "cut_stream"})  # faults only a real connection can show
_ERRORS = {  # behaviour -> (HTTP status, OpenAI error type, error code)
    "fail_500": (500, "server_error", None),
    "fail_429": (429, "rate_limit_error", "rate_limit_exceeded"),
    "fail_400": (400, "invalid_request_error", "invalid_request"),
}
STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "about",
        "after",
        "before",
        "also",
        "said",
        "says",
        "say",
        "according",
    }
)
_SOURCE_RE = re.compile(r'<source\s+id="([^"]+)"[^>]*>(.*?)</source>', re.DOTALL)
_INJECTION_RE = re.compile(
    r"ignore all previous instructions.*?answer\s*:?\s*['\"\u2018\u201c](.+?)['\"\u2019\u201d]",
    re.IGNORECASE | re.DOTALL,
)
_PRONOUN_RE = re.compile(r"\b(?:(?:this|that) company|its|it|their|they)\b", re.IGNORECASE)
_PROPER_RE = re.compile(r"\b[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)*")
_NOT_NAMES = STOP_WORDS | {"tell", "show", "give", "list", "explain", "describe", "please"}


# ----------------------------------------------------------------- prompt parsing
def parse_sources(text: str) -> list[tuple[str, str]]:
    """Return ``[(id, text), ...]`` for each ``<source id="n" ...>...</source>`` block."""
    return [(sid, " ".join(body.split())) for sid, body in _SOURCE_RE.findall(text)]


def parse_question(text: str) -> str:
    """Return the text after the last ``Question:`` (or the whole non-source text)."""
    _, sep, tail = text.rpartition("Question:")
    return tail.strip() if sep else _SOURCE_RE.sub(" ", text).strip()


def content_words(text: str) -> set[str]:
    """Lower-cased words of ``text`` minus stop words."""
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP_WORDS}


def split_sentences(text: str) -> list[str]:
    """Naive sentence split on ``.``/``!``/``?`` followed by whitespace, and on line breaks."""
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def cite(sentence: str, source_id: str) -> str:
    """``"Acme grew."`` -> ``"Acme grew [1]."`` (marker before the final punctuation)."""
    body = sentence.rstrip()
    end = body[-1] if body and body[-1] in ".!?" else "."
    return f"{body.rstrip('.!?').rstrip()} [{source_id}]{end}"


def best_sentence(sources: list[tuple[str, str]], question: str) -> tuple[str, str] | None:
    """(sentence, source id) sharing the most question content words; ``None`` if none shares any.

    Shared words count more the fewer sentences hold them (1 / sentences holding the word), so
    a rare word of the question decides over a common one. Ties go to the earliest source, then
    the earliest sentence.
    """
    wanted = content_words(question)
    sentences = [(sid, sentence) for sid, body in sources for sentence in split_sentences(body)]
    holders = Counter(w for _, sentence in sentences for w in wanted & content_words(sentence))
    best: tuple[float, str, str] | None = None
    for sid, sentence in sentences:
        score = sum(1 / holders[w] for w in wanted & content_words(sentence))
        if score and (best is None or score > best[0]):
            best = (score, sentence, sid)
    return (best[1], best[2]) if best else None


def abstain_sentence(system: str) -> str:
    """The sentence after ``ABSTAIN:`` in the system prompt, else ``DEFAULT_ABSTAIN``."""
    match = re.search(r"^\s*ABSTAIN:\s*(.+?)\s*$", system, re.MULTILINE)
    return match.group(1) if match else DEFAULT_ABSTAIN


def condense(user: str) -> str:
    """Rewrite ``Follow-up: ...`` replacing it/its/they/their/this|that company by the
    first proper noun (capitalised run, question words skipped) of the last user line
    under ``History:``. Returns the follow-up unchanged if no proper noun is found."""
    history, _, follow = user.rpartition("Follow-up:")
    follow = follow.strip()
    lines = [ln.strip().removeprefix("History:").strip() for ln in history.splitlines()]
    lines = [ln for ln in lines if ln]
    users = [ln.split(":", 1)[1] for ln in lines if ln.lower().startswith(("user:", "human:"))]
    last = users[-1] if users else (lines[-1] if lines else "")
    names = [
        " ".join(w for w in m.split() if w.lower() not in _NOT_NAMES).strip(".-&")
        for m in _PROPER_RE.findall(last)
    ]
    names = [n for n in names if n]
    if not names:
        return follow
    name = names[0]
    return _PRONOUN_RE.sub(
        lambda m: f"{name}'s" if m.group(0).lower() in ("its", "their") else name, follow
    )


def _text(content: Any) -> str:
    """Message content as text (plain string or list of ``{"type": "text"}`` parts)."""
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content or ""


def compose_reply(behaviour: str, messages: list[dict[str, Any]]) -> str:
    """The assistant text for a (non-transport) ``behaviour`` given the chat ``messages``."""
    system = "\n".join(
        _text(m.get("content")) for m in messages if m.get("role") in ("system", "developer")
    )
    users = [_text(m.get("content")) for m in messages if m.get("role") == "user"]
    user = users[-1] if users else ""
    if "CONDENSE" in system:
        if behaviour == "condense_statement":  # a small model's rewrite that answers instead
            return condense(user).rstrip("?") + " is reported in the article."
        return condense(user)
    abstain = abstain_sentence(system)
    sources = parse_sources(user)
    if behaviour == "abstain":
        return abstain
    if behaviour == "obey_injection":
        for _, body in sources:
            if match := _INJECTION_RE.search(body):
                return match.group(1)
    hit = best_sentence(sources, parse_question(user))
    if hit is None and behaviour in ("quote", "obey_injection"):
        return abstain
    if hit is None:  # misbehaviours still want some sentence to misuse
        first = split_sentences(sources[0][1]) if sources else []
        hit = (first[0], sources[0][0]) if first else ("Nothing was reported.", "1")
    sentence, sid = hit
    if behaviour == "bad_citation":
        ids = {s for s, _ in sources}
        bad = next(str(n) for n in range(99, 10_000) if str(n) not in ids)
        return f"{cite(sentence, sid)} {cite('This was confirmed by a later report.', bad)}"
    if behaviour == "unsupported":
        return f"{cite(sentence, sid)} {cite(MOON_CLAIM + '.', sid)}"
    if behaviour == "no_citation":
        return sentence
    return cite(sentence, sid)  # quote / obey_injection without an injection


@dataclass
class Reply:
    """One HTTP reply: ``body`` pieces (one JSON document, or the SSE events of a stream)."""

    status: int
    content_type: str
    body: list[bytes]
    headers: list[tuple[str, str]] = field(default_factory=list)
    behaviour: str = "quote"


def _error(status: int, etype: str, code: str | None, message: str, headers=()) -> Reply:
    err = {"error": {"message": message, "type": etype, "param": None, "code": code}}
    return Reply(status, "application/json", [json.dumps(err).encode()], list(headers))


def _events(text: str, cut: bool) -> list[bytes]:
    """``text`` as SSE chat.completion.chunk events (only a role and 3 deltas when ``cut``)."""
    cid, created = f"chatcmpl-{uuid.uuid4().hex[:12]}", int(time.time())
    head = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID}

    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return f"data: {json.dumps({**head, 'choices': [choice]})}\n\n".encode()

    pieces = re.findall(r"\S+\s*", text)
    events = [chunk({"role": "assistant", "content": ""})]
    events += [chunk({"content": piece}) for piece in (pieces[:3] if cut else pieces)]
    if not cut:  # a cut stream has no finish_reason and no [DONE]
        events += [chunk({}, finish="stop"), b"data: [DONE]\n\n"]
    return events


def _completion(text: str) -> bytes:
    return json.dumps(
        {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": MODEL_ID,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "logprobs": None,
                    "message": {"role": "assistant", "content": text},
                }
            ],
        }
    ).encode()


class ScriptedLLM:
    """The scripted OpenAI-compatible LLM (test double).

    Attributes: ``base_url``, ``requests`` (JSON bodies of chat-completion requests),
    ``request_count``, ``behaviour`` (default for unscripted requests), ``retry_after`` (seconds
    sent as ``retry-after``/``retry-after-ms`` on 429/500; ``None`` = no header).
    """

    base_url = "http://scripted-llm.test/v1"
    allowed = BEHAVIOURS - SOCKET_ONLY

    def __init__(self, behaviour: str = "quote") -> None:
        self.behaviour = behaviour
        self.retry_after: float | None = None
        self.requests: list[dict[str, Any]] = []
        self._queue: deque[str] = deque()
        self._lock = threading.Lock()

    @property
    def behaviour(self) -> str:
        """Behaviour used when the ``script()`` queue is empty."""
        return self._behaviour

    @behaviour.setter
    def behaviour(self, value: str) -> None:
        self._behaviour = self._check(value)

    def _check(self, value: str) -> str:
        if value not in self.allowed:
            raise ValueError(f"unknown behaviour {value!r}; expected one of {sorted(self.allowed)}")
        return value

    def script(self, behaviours: Iterable[str]) -> None:
        """Use ``behaviours`` for the next chat-completion requests, in order, then revert."""
        items = [self._check(b) for b in behaviours]
        with self._lock:
            self._queue.extend(items)

    @property
    def request_count(self) -> int:
        """Number of chat-completion requests received."""
        with self._lock:
            return len(self.requests)

    def reply(self, path: str, raw: bytes) -> Reply:
        """The reply to a POST of ``raw`` to ``path``."""
        if path.rstrip("/") != "/v1/chat/completions":
            return _error(404, "invalid_request_error", "not_found", f"No route {path}")
        try:
            body = json.loads(raw)
            messages = list(body["messages"])
        except (ValueError, KeyError, TypeError):
            return _error(400, "invalid_request_error", None, "Body must be JSON with 'messages'.")
        with self._lock:
            self.requests.append(body)
            behaviour = self._queue.popleft() if self._queue else self._behaviour
        if behaviour in _ERRORS:
            status, etype, code = _ERRORS[behaviour]
            extra = []
            if status in (429, 500) and self.retry_after is not None:
                extra = [
                    ("retry-after", str(self.retry_after)),
                    ("retry-after-ms", str(int(self.retry_after * 1000))),
                ]
            return _error(status, etype, code, f"Scripted {behaviour}.", extra)
        if behaviour == "malformed":
            return Reply(200, "application/json", [b"<html>this is not JSON"])
        text = "" if behaviour == "empty" else compose_reply(behaviour, messages)
        if body.get("stream"):
            cut = behaviour == "cut_stream"
            return Reply(200, "text/event-stream", _events(text, cut), behaviour=behaviour)
        return Reply(200, "application/json", [_completion(text)], behaviour=behaviour)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """The ``httpx.MockTransport`` handler."""
        reply = self.reply(request.url.path, request.read())
        headers = [("content-type", reply.content_type), *reply.headers]
        return httpx.Response(reply.status, headers=headers, content=b"".join(reply.body))

    def transport(self) -> httpx.MockTransport:
        """This double as the HTTP transport of qa's LLM client."""
        return httpx.MockTransport(self.handle)
