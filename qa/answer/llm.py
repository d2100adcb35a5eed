"""The LLM answerer: any OpenAI-compatible chat-completions server, with verified citations.

Requests go through the client of ``qa.llm_client``: openai retries connection errors,
timeouts and HTTP 408/409/429/5xx itself (``llm_retries`` times, as ``retry-after`` asks), and
no attempt or wait passes one deadline: ``llm_timeout`` seconds per question, shared by the
condense call, every attempt and every wait. This module retries only what openai does not: a
200 response without usable content (empty, not JSON, not an event stream) and a stream cut
mid-way, ``llm_retries`` times with ``llm_backoff`` doubling, within the same deadline. Other
errors (HTTP 400/401/404...) are not retried. When the LLM fails, the answer is the extractive
reader's with a notice in its notes (``llm_fallback="extractive"``), or an ``LLMError``
(``"error"``).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from qa.answer.base import ABSTAIN_TEXT, Answerer, Draft
from qa.answer.prompts import answer_messages, condense_messages
from qa.answer.verify import Verifier, preview
from qa.config import Settings
from qa.errors import LLMError
from qa.types import Hit, Note

if TYPE_CHECKING:
    import httpx

    from qa.answer.registry import AnswererParts
    from qa.embeddings import QueryEncoding
    from qa.llm_client import Deadline

__all__ = ["LLMAnswerer", "LLMFailure", "make_llm_answerer"]

MAX_BACKOFF = 8.0


class LLMFailure(Exception):
    """An LLM call that failed for good; ``down`` when the server seems down or slow (the rest
    of the question does not wait on it again)."""

    def __init__(self, reason: str, *, down: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.down = down


class _Unusable(Exception):
    """A 200 response without usable content, or a stream cut mid-way: qa retries it."""


def _http_reason(exc: Any) -> str:
    status = exc.status_code
    message = ""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        message = str(err.get("message", "")) if isinstance(err, dict) else str(err)
    message = message or str(getattr(exc, "message", "") or "")
    hint = {
        401: " (check QA_LLM_API_KEY)",
        403: " (check QA_LLM_API_KEY)",
        404: " (check QA_LLM_MODEL and that QA_LLM_BASE_URL ends in /v1)",
    }.get(status, "")
    return f"HTTP {status}: {message[:200]}{hint}".rstrip(": ")


def _failure(exc: Exception, deadline: Deadline, attempts: int) -> LLMFailure:
    """What an error openai gave up on means for the question."""
    import openai

    from qa.llm_client import retried_by_openai

    down = True
    if isinstance(exc, openai.APITimeoutError):
        reason = "timed out"
    elif isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc
        reason = f"cannot connect ({type(cause).__name__}: {cause})"
    elif isinstance(exc, openai.APIStatusError):
        reason, down = _http_reason(exc), retried_by_openai(exc.status_code)
    else:
        reason = f"{type(exc).__name__}: {str(exc)[:200]}"
    if attempts > 1:
        reason += f" (after {attempts} attempts)"
    if deadline.gave_up:
        reason += f"; {deadline.gave_up}"
    return LLMFailure(reason, down=down)


def _content(response: Any) -> str:
    """The assistant text of a non-streamed response; _Unusable when there is none."""
    if isinstance(response, str | bytes):
        raise _Unusable("malformed response (not JSON)")
    choices = getattr(response, "choices", None)
    if not choices:
        raise _Unusable("malformed response (no choices)")
    message = getattr(choices[0], "message", None)
    text = getattr(message, "content", None)
    if not isinstance(text, str) or not text.strip():
        raise _Unusable("empty response")
    return text


class LLMAnswerer(Answerer):
    """Answers from the retrieved chunks with an OpenAI-compatible LLM, then verifies citations.

    Args:
        settings: ``llm_*`` settings (URL, model, key, timeout, retries, backoff, fallback).
        embed: texts -> vectors, for scoring answer sentences against source sentences.
        fallback: returns the extractive answerer, used when the LLM fails.
        client: an ``openai.OpenAI`` client to use instead of one built from ``settings``
            by ``qa.llm_client.make_client``.
        transport: the HTTP transport of the client built from ``settings`` (tests pass an
            ``httpx.MockTransport``).
        sleep: the wait before qa's own retries (tests may pass a recorder).
        clock: seconds of a monotonic clock, for the per-question deadline (tests may pass a
            fake one that ``sleep`` advances, so that deadlines are exact).
        ensure_server: called at the start of each question to (re)start a local server;
            an LLMError from it makes the question fall back as if the server were down.
        passages: ``(question, hits, query) -> passages``, what the model reads instead
            of the whole chunks (``qa.answer.passages``); citations are computed on them.
    """

    mode = "llm"

    def __init__(
        self,
        settings: Settings,
        *,
        embed: Callable[[list[str]], np.ndarray],
        fallback: Callable[[], Answerer] | None = None,
        client: Any = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        ensure_server: Callable[[], object] | None = None,
        passages: Callable[[str, list[Hit], QueryEncoding], list[Hit]] | None = None,
    ) -> None:
        if not settings.llm_configured:
            from qa.errors import LLMNotConfiguredError

            raise LLMNotConfiguredError(
                "LLM mode needs a server: set QA_LLM_BASE_URL and QA_LLM_MODEL "
                "(qa ask and qa chat also take --llm-url and --llm-model)"
            )
        self.settings = settings
        self.url = str(settings.llm_base_url)
        self.model = str(settings.llm_model)
        self.verifier = Verifier(
            embed,
            threshold=settings.llm_support_threshold,
            abstain_text=ABSTAIN_TEXT,
        )
        self._fallback = fallback
        self._sleep = sleep
        self._clock = clock
        self._ensure_server = ensure_server
        self._passages = passages
        if client is None:
            from qa.llm_client import make_client

            client = make_client(settings, transport=transport)
        self.client = client
        self._deadline: Deadline | None = None
        self._in_turn = False
        self._notes: list[Note] = []
        self._down: str | None = None

    # ---- one question: a shared deadline ---------------------------------------------------
    def for_turn(self) -> LLMAnswerer:
        """A copy for one question: its condense and answer calls share one deadline."""
        turn = copy.copy(self)
        turn._deadline, turn._in_turn, turn._notes, turn._down = None, True, [], None
        if self._ensure_server is not None:  # the local server: restarted if it died
            try:
                self._ensure_server()
            except LLMError as exc:
                turn._down = str(exc)
        return turn

    def _start(self) -> Deadline:
        if self._deadline is None or not self._in_turn:
            from qa.llm_client import Deadline

            self._deadline = Deadline(self.settings.llm_timeout, self._clock)
        return self._deadline

    # ---- requests ------------------------------------------------------------------------
    def _generate(
        self, messages: list[dict[str, str]], *, stream: bool
    ) -> Iterator[tuple[int, str]]:
        """``(attempt, text delta)`` pairs; a new attempt (qa's retry of an unusable response)
        starts the text over.

        Raises LLMFailure when the retries or the deadline run out, or on a permanent error.
        """
        import openai

        deadline = self._start()
        first, attempt = len(deadline.failures), 0
        request = {
            "model": self.model,
            "messages": messages,
            "temperature": self.settings.llm_temperature,
            "max_tokens": self.settings.llm_max_tokens,
        }
        while True:
            attempt += 1
            client = self.client.with_options(timeout=max(deadline.remaining(), 0.001))
            try:
                if stream:
                    for delta in self._stream(client, request, deadline):
                        yield attempt, delta
                else:
                    yield attempt, self._complete(client, request, deadline)
            except _Unusable as exc:
                deadline.failures.append(str(exc))
                if attempt > self.settings.llm_retries:
                    raise LLMFailure(f"{exc} (after {attempt} attempts)", down=True) from exc
                wait = min(self.settings.llm_backoff * 2 ** (attempt - 1), MAX_BACKOFF)
                if wait >= deadline.remaining():
                    timeout = self.settings.llm_timeout
                    raise LLMFailure(
                        f"{exc}; a retry in {wait:g}s would pass the {timeout:g}s timeout",
                        down=True,
                    ) from exc
                self._sleep(wait)
                continue
            except _Deadline:
                timeout = self.settings.llm_timeout
                raise LLMFailure(
                    f"no answer within the {timeout:g}s timeout (timed out mid-stream)", down=True
                ) from None
            except openai.OpenAIError as exc:  # openai gave up (or would pass the deadline)
                raise _failure(exc, deadline, len(deadline.failures) - first) from exc
            self._note_retries(deadline.failures[first:])
            return

    @staticmethod
    def _complete(client: Any, request: dict[str, Any], deadline: Deadline) -> str:
        import json

        import openai

        from qa.llm_client import within

        try:
            with within(deadline):
                response = client.chat.completions.create(**request)
        except (json.JSONDecodeError, openai.APIResponseValidationError) as exc:
            raise _Unusable("malformed response (not the expected JSON)") from exc
        return _content(response)

    @staticmethod
    def _stream(client: Any, request: dict[str, Any], deadline: Deadline) -> Iterator[str]:
        """The text deltas of one streamed attempt."""
        import httpx

        from qa.llm_client import within

        got = False
        with within(deadline):
            chunks = client.chat.completions.create(**request, stream=True)
        with chunks:
            ctype = str(chunks.response.headers.get("content-type", ""))
            if ctype and "text/event-stream" not in ctype:
                raise _Unusable(f"malformed stream (Content-Type {ctype})")
            try:
                for chunk in chunks:
                    if isinstance(chunk, str | bytes):
                        raise _Unusable("malformed stream (not JSON events)")
                    choices = getattr(chunk, "choices", None) or []
                    delta = getattr(choices[0].delta, "content", None) if choices else None
                    if delta:
                        got = got or bool(delta.strip())
                        yield delta
                    if deadline.remaining() <= 0:
                        raise _Deadline()
            except httpx.TimeoutException:
                raise _Deadline() from None
            except httpx.TransportError as exc:  # openai does not retry a cut stream
                raise _Unusable(f"connection dropped mid-response ({type(exc).__name__})") from exc
        if not got:
            raise _Unusable("empty response")

    def _note_retries(self, errors: list[str]) -> None:
        if errors:
            plural = "y" if len(errors) == 1 else "ies"
            self._notes.append(
                Note.info(f"LLM answered after {len(errors)} retr{plural} ({'; '.join(errors)})")
            )

    def _failed(self, failure: LLMFailure, what: str) -> str:
        if failure.down:
            self._down = failure.reason  # do not wait on it again in this turn
        return f"the LLM at {self.url} failed to {what}: {failure.reason}"

    # ---- the Answerer protocol -------------------------------------------------------------
    def warm_up(self) -> None:
        """Load the extractive reader now: it picks the passages and is the fallback."""
        if self._fallback is not None:
            self._fallback().warm_up()

    def condense(self, history: list[tuple[str, str]], question: str) -> str:
        """The follow-up rewritten by the LLM (the no-LLM rule when that fails)."""
        from qa.conversation import condense_rule

        self._start()
        if self._down is None:
            try:
                text = "".join(
                    d for _, d in self._generate(condense_messages(history, question), stream=False)
                )
            except LLMFailure as failure:
                message = self._failed(failure, "condense the follow-up")
                if self.settings.llm_fallback == "error":
                    raise LLMError(message) from None
                self._notes.append(Note.warning(f"{message}; used the rule-based rewrite"))
            else:
                standalone = _clean_question(text)
                if (
                    standalone
                    and len(standalone) <= max(3 * len(question), 300)
                    and (_asks(standalone) or not _asks(question))
                ):
                    return standalone
                self._notes.append(
                    Note.info(
                        f"the LLM's condensed question was unusable ({text[:200]!r}); used the rule"
                    )
                )
        return condense_rule(history, question)

    def answer(self, question: str, passages: Sequence[Hit], query: QueryEncoding) -> Draft:
        draft = None
        for item in self._run(question, list(passages), query, stream=False):
            if isinstance(item, Draft):
                draft = item
        assert draft is not None
        return draft

    def stream(
        self, question: str, passages: Sequence[Hit], query: QueryEncoding
    ) -> Iterator[str | Draft]:
        """Text deltas as the model writes them (markers numbered as in the final answer when
        each source supports one span), then the verified Draft, which is authoritative: after a
        retry, a removed marker or a withheld answer, its text differs from the deltas."""
        return self._run(question, list(passages), query, stream=True)

    def _run(
        self, question: str, hits: list[Hit], query: QueryEncoding, *, stream: bool
    ) -> Iterator[str | Draft]:
        # the passages come from the local reader: its time is not the LLM's budget
        began = self._clock()
        sources = (self._passages(question, hits, query) if self._passages and hits else []) or hits
        if self._deadline is not None:
            self._deadline.extend(self._clock() - began)
        self._start()
        if not hits:
            yield Draft.abstain(*self._notes, "no sources were retrieved")
            return
        if self._down is not None:
            yield from self._fall_back(
                question,
                hits,
                query,
                f"the LLM at {self.url} is not answering: {self._down}",
                emitted="",
            )
            return
        raw, emitted, attempt, diverged = "", "", 0, False
        try:
            for n, delta in self._generate(answer_messages(question, sources), stream=stream):
                if n != attempt:  # a retry starts the text over
                    raw, attempt = "", n
                raw += delta
                if not stream or diverged:
                    continue
                shown = preview(raw, len(sources))
                if shown.startswith(emitted):
                    if len(shown) > len(emitted):
                        yield shown[len(emitted) :]
                        emitted = shown
                elif not emitted.startswith(shown):
                    diverged = True  # a retry wrote something else: only the final text counts
        except LLMFailure as failure:
            yield from self._fall_back(
                question, hits, query, self._failed(failure, "answer"), emitted=emitted
            )
            return
        draft = self.verifier.verify(raw, sources)
        draft.notes = [*self._notes, *draft.notes]
        draft.mode = "llm"
        yield draft

    def _fall_back(
        self,
        question: str,
        hits: list[Hit],
        query: QueryEncoding,
        message: str,
        *,
        emitted: str,
    ) -> Iterator[str | Draft]:
        if self.settings.llm_fallback == "error" or self._fallback is None:
            raise LLMError(message)
        draft = self._fallback().answer(question, hits, query)
        warning = Note.warning(f"{message}; this is the extractive answer")
        draft.notes = [*self._notes, warning, *draft.notes]
        draft.mode = self._fallback().mode or "extractive"
        if not emitted:
            yield draft.text
        yield draft


def make_llm_answerer(parts: AnswererParts) -> LLMAnswerer:
    """The registered factory of the ``llm`` mode: falls back to the ``extractive`` one, which
    also picks the passages the model reads. With ``llm="local"`` it starts the local model's
    server (``qa.local_llm``) and talks to it."""
    settings, ensure = parts.settings, None
    if settings.llm == "local":
        from qa.local_llm.server import LOCAL_DEFAULTS, shared_server

        server = shared_server(settings).start()
        update: dict[str, Any] = {"llm_base_url": server.base_url, "llm_model": server.alias}
        for name, value in LOCAL_DEFAULTS.items():
            if name not in settings.model_fields_set:
                update[name] = value
        settings, ensure = settings.model_copy(update=update), server.start

    def passages(question: str, hits: list[Hit], query: QueryEncoding) -> list[Hit]:
        from qa.answer.extractive import ExtractiveReader
        from qa.answer.passages import select_passages

        reader = parts.answerer("extractive")
        if not isinstance(reader, ExtractiveReader):
            return hits
        return select_passages(
            ((s.hit, s.start, s.end) for s in reader.score(question, hits, query)),
            count=settings.llm_passages,
            window=settings.llm_passage_window,
        )

    return LLMAnswerer(
        settings,
        embed=lambda texts: parts.embedder().embed(texts),
        fallback=lambda: parts.answerer("extractive"),
        transport=parts.llm_transport,
        ensure_server=ensure,
        passages=passages if settings.llm_passages else None,
    )


class _Deadline(Exception):
    """The deadline passed while a stream was still coming in."""


def _asks(text: str) -> bool:
    """Whether ``text`` ends as a question does ("?", and its full-width, Arabic and Greek
    forms): a follow-up question condensed into a statement is no rewrite of it."""
    return text.rstrip(" \"'”’").endswith(("?", "？", "؟", "\u037e"))


def _clean_question(text: str) -> str:
    """The first non-empty line of a condense reply, without a label or quotes."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    for label in ("standalone question:", "question:", "follow-up:"):
        if line.lower().startswith(label):
            line = line[len(label) :].strip()
    return line.strip("\"'“”‘’` ").strip()
