"""TEST DOUBLE of the OpenAI chat-completions HTTP protocol -- NOT a language model.

``ScriptedLLMServer`` listens on 127.0.0.1 (ephemeral port) and answers
``POST /v1/chat/completions`` and ``GET /v1/models`` with fixed, deterministic
rules applied to the prompt it receives. It understands nothing: it copies the
source sentence with the largest word overlap with the question and appends a
``[n]`` citation, or replays a scripted misbehaviour (bad citation, HTTP 500,
stalled or truncated stream, ...) so the product's LLM path can be tested
without model weights. Standard library only.

Behaviours (``server.behaviour = ...`` or queued with ``server.script([...])``):
quote (default), abstain, bad_citation ([99]), unsupported (Moon claim),
no_citation, obey_injection, fail_500/fail_429/fail_400 (OpenAI JSON error),
malformed (200, invalid JSON), empty (content ""), stall (waits ``stall_seconds``
then answers like quote; ``stop()`` cancels), cut_stream (streams 3 deltas, then
closes mid chunked body; non-stream requests answer like quote). A system
message containing ``CONDENSE`` gets the ``condense()`` rewrite instead of an answer
(transport behaviours such as fail_500 and stall still apply).
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

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
        "fail_500",
        "fail_429",
        "fail_400",
        "malformed",
        "empty",
        "stall",
        "cut_stream",
    }
)
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


# ----------------------------------------------------------------- HTTP layer
class _Handler(BaseHTTPRequestHandler):
    """One request per connection (``Connection: close``); streams use chunked encoding."""

    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    timeout = 10  # socket timeout: an idle client cannot pin a handler thread forever

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(
        self,
        status: int,
        body: bytes,
        ctype: str = "application/json",
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for key, value in headers:
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _error(
        self,
        status: int,
        etype: str,
        code: str | None,
        message: str,
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        err = {"error": {"message": message, "type": etype, "param": None, "code": code}}
        self._send(status, json.dumps(err).encode(), headers=headers)

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/v1/models":
            model = {"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "test-double"}
            self._send(200, json.dumps({"object": "list", "data": [model]}).encode())
        else:
            self._error(404, "invalid_request_error", "not_found", f"No route {self.path}")

    def do_POST(self) -> None:
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._error(404, "invalid_request_error", "not_found", f"No route {self.path}")
            return
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw)
            messages = list(body["messages"])
        except (ValueError, KeyError, TypeError):
            self._error(400, "invalid_request_error", None, "Body must be JSON with 'messages'.")
            return
        owner = self.server.owner
        behaviour = owner._record(body)
        # the client may give up (e.g. time out during "stall")
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._respond(owner, behaviour, body, messages)

    def _respond(
        self,
        owner: ScriptedLLMServer,
        behaviour: str,
        body: dict[str, Any],
        messages: list[dict[str, Any]],
    ) -> None:
        if behaviour in _ERRORS:
            status, etype, code = _ERRORS[behaviour]
            extra = []
            if status in (429, 500) and owner.retry_after is not None:
                extra = [
                    ("retry-after", str(owner.retry_after)),
                    ("retry-after-ms", str(int(owner.retry_after * 1000))),
                ]
            self._error(status, etype, code, f"Scripted {behaviour}.", headers=extra)
            return
        if behaviour == "malformed":
            self._send(200, b"<html>this is not JSON", ctype="application/json")
            return
        if behaviour == "stall" and owner._stopping.wait(owner.stall_seconds):
            self.close_connection = True
            return  # stop() was called: drop the connection without answering
        text = "" if behaviour == "empty" else compose_reply(behaviour, messages)
        cid, created = f"chatcmpl-{uuid.uuid4().hex[:12]}", int(time.time())
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            self._stream(cid, created, text, behaviour == "cut_stream", include_usage)
            return
        prompt_tokens = sum(len(_text(m.get("content")).split()) for m in messages)
        completion = {
            "id": cid,
            "object": "chat.completion",
            "created": created,
            "model": MODEL_ID,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "logprobs": None,
                    "message": {"role": "assistant", "content": text},
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": len(text.split()),
                "total_tokens": prompt_tokens + len(text.split()),
            },
        }
        self._send(200, json.dumps(completion).encode())

    def _stream(self, cid: str, created: int, text: str, cut: bool, usage: bool) -> None:
        """Send ``text`` as SSE chat.completion.chunk events (chunked transfer encoding)."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()

        def event(payload: str) -> None:
            data = f"data: {payload}\n\n".encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        def envelope(**fields: Any) -> None:
            head = {"id": cid, "object": "chat.completion.chunk", "created": created}
            event(json.dumps({**head, "model": MODEL_ID, **fields}))

        def chunk(delta: dict[str, Any], finish: str | None = None) -> None:
            envelope(choices=[{"index": 0, "delta": delta, "finish_reason": finish}])

        chunk({"role": "assistant", "content": ""})
        pieces = re.findall(r"\S+\s*", text)
        for piece in pieces[:3] if cut else pieces:
            chunk({"content": piece})
        if cut:  # no finish_reason, no [DONE], no terminating zero-length chunk
            self.close_connection = True
            return
        chunk({}, finish="stop")
        if usage:
            n = len(text.split())
            usage_counts = {"prompt_tokens": 0, "completion_tokens": n, "total_tokens": n}
            envelope(choices=[], usage=usage_counts)
        event("[DONE]")
        self.wfile.write(b"0\r\n\r\n")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins handler threads (no leaks)
    block_on_close = True
    owner: ScriptedLLMServer


class ScriptedLLMServer:
    """Scripted OpenAI-compatible chat-completions server on 127.0.0.1 (test double).

    Attributes: ``base_url`` ("http://127.0.0.1:PORT/v1", after start), ``requests``
    (JSON bodies of chat-completion requests), ``request_count``, ``behaviour``
    (default for unscripted requests), ``stall_seconds`` (for "stall"), ``retry_after``
    (seconds sent as ``retry-after``/``retry-after-ms`` on 429/500; ``None`` = no header).
    """

    def __init__(self, behaviour: str = "quote", stall_seconds: float = 30.0) -> None:
        self.behaviour = behaviour
        self.stall_seconds = stall_seconds
        self.retry_after: float | None = None
        self.requests: list[dict[str, Any]] = []
        self._queue: deque[str] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def behaviour(self) -> str:
        """Behaviour used when the ``script()`` queue is empty."""
        return self._behaviour

    @behaviour.setter
    def behaviour(self, value: str) -> None:
        self._behaviour = self._check(value)

    @staticmethod
    def _check(value: str) -> str:
        if value not in BEHAVIOURS:
            raise ValueError(f"unknown behaviour {value!r}; expected one of {sorted(BEHAVIOURS)}")
        return value

    def script(self, behaviours: Iterable[str]) -> None:
        """Use ``behaviours`` for the next chat-completion requests, in order, then revert."""
        items = [self._check(b) for b in behaviours]
        with self._lock:
            self._queue.extend(items)

    @property
    def request_count(self) -> int:
        """Number of chat-completion requests received (``GET /v1/models`` not counted)."""
        with self._lock:
            return len(self.requests)

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _record(self, body: dict[str, Any]) -> str:
        """Store ``body`` and return the behaviour for this request."""
        with self._lock:
            self.requests.append(body)
            return self._queue.popleft() if self._queue else self._behaviour

    def start(self) -> Self:
        """Bind 127.0.0.1 on an ephemeral port and serve in a background thread."""
        if self._httpd is not None:
            raise RuntimeError("server already started")
        self._stopping.clear()
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"scripted-llm-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Cancel stalls, stop serving, close the socket and join all threads."""
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()  # joins handler threads (daemon_threads = False)
        if self._thread is not None:
            self._thread.join()
        self._httpd = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
