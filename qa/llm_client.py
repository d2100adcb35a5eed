"""The one OpenAI-compatible client of qa: answers, follow-up condensing and ``qa eval --judge``.

``openai.OpenAI`` does the retries (``max_retries=llm_retries``: connection errors, timeouts,
HTTP 408/409/429/5xx, waiting as the server's ``retry-after`` asks). What it lacks is a
deadline over all attempts and waits: a question's LLM calls share ``llm_timeout`` seconds.
Requests made inside ``within(deadline)`` go through ``DeadlineHTTPClient``, which

- caps the timeouts of each attempt to the time left;
- fails an attempt that would start after the deadline with ``openai.APITimeoutError``;
- stops openai's retries when its wait before the next attempt would end past the deadline:
  it raises an ``openai`` error for a failed connection (openai re-raises those as they are)
  and marks an HTTP error response ``x-should-retry: false`` (openai obeys that header).
"""

from __future__ import annotations

import contextlib
import email.utils
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    import openai

    from qa.config import Settings

__all__ = [
    "Deadline",
    "DeadlineHTTPClient",
    "make_client",
    "openai_wait",
    "retried_by_openai",
    "within",
]

RETRY_AFTER_MAX = 60.0  # openai honours a server's retry-after up to this many seconds
FIRST_WAIT, LONGEST_WAIT = 0.5, 8.0  # openai's backoff: 0.5 s doubling up to 8 s, minus jitter


class Deadline:
    """The time a question's LLM calls must end by.

    Args:
        seconds: the budget (``llm_timeout``), from now.
        clock: seconds of a monotonic clock (tests pass a fake one).
    """

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self.end = clock() + seconds
        self.failures: list[str] = []  # each failed HTTP attempt, in order ("HTTP 500", ...)
        self.gave_up: str | None = None  # why the last retry was not made

    def remaining(self) -> float:
        """Seconds left (negative once passed)."""
        return self.end - self.clock()

    def extend(self, seconds: float) -> None:
        """Move the end ``seconds`` later (local work that is not the LLM's budget)."""
        self.end += seconds


_current: ContextVar[Deadline | None] = ContextVar("qa_llm_deadline", default=None)


@contextlib.contextmanager
def within(deadline: Deadline) -> Iterator[Deadline]:
    """Requests made by this thread inside the block (retries included) keep to ``deadline``."""
    token = _current.set(deadline)
    try:
        yield deadline
    finally:
        _current.reset(token)


def _retry_after(headers: httpx.Headers) -> float | None:
    """Seconds a response asks to wait, read as openai reads them; None when it does not ask."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        with contextlib.suppress(TypeError, ValueError):
            return float(headers.get(name)) * scale
    date = email.utils.parsedate_tz(headers.get("retry-after") or "")
    return None if date is None else float(email.utils.mktime_tz(date) - time.time())


def openai_wait(retries_taken: int, headers: httpx.Headers | None = None) -> float:
    """The longest openai waits after attempt ``retries_taken + 1`` failed, in seconds: the
    server's ``retry-after(-ms)`` when it asks for 0-60 s, else its backoff (0.5 s doubling per
    retry, at most 8 s; its jitter only shortens the wait)."""
    asked = _retry_after(headers) if headers is not None else None
    if asked is not None and 0 < asked <= RETRY_AFTER_MAX:
        return asked
    return min(FIRST_WAIT * 2.0 ** min(retries_taken, 32), LONGEST_WAIT)


def retried_by_openai(status: int) -> bool:
    """Whether openai retries a response of HTTP ``status`` (without ``x-should-retry``)."""
    return status in (408, 409, 429) or status >= 500


class DeadlineHTTPClient(httpx.Client):
    """An ``httpx.Client`` whose requests made inside ``within(deadline)`` keep to it."""

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        import openai

        deadline = _current.get()
        if deadline is None:
            return super().send(request, **kwargs)
        left = deadline.remaining()
        if left <= 0:
            raise openai.APITimeoutError(request=request)  # an OpenAIError: not retried
        timeouts = request.extensions.get("timeout") or {}
        request.extensions["timeout"] = {
            key: left if timeouts.get(key) is None else min(timeouts[key], left)
            for key in ("connect", "read", "write", "pool")
        }
        retries_taken = int(request.headers.get("x-stainless-retry-count") or 0)
        try:
            response = super().send(request, **kwargs)
        except httpx.TransportError as exc:
            timed_out = isinstance(exc, httpx.TimeoutException)
            deadline.failures.append(
                "timed out" if timed_out else f"cannot connect ({type(exc).__name__}: {exc})"
            )
            wait = openai_wait(retries_taken)
            if wait < deadline.remaining():
                raise  # openai retries it
            deadline.gave_up = self._no_time(wait, deadline)
            if timed_out:
                raise openai.APITimeoutError(request=request) from exc
            raise openai.APIConnectionError(request=request) from exc
        if response.status_code >= 400:
            deadline.failures.append(f"HTTP {response.status_code}")
            wait = openai_wait(retries_taken, response.headers)
            if retried_by_openai(response.status_code) and wait >= deadline.remaining():
                deadline.gave_up = self._no_time(wait, deadline)
                response.headers["x-should-retry"] = "false"
        return response

    @staticmethod
    def _no_time(wait: float, deadline: Deadline) -> str:
        return f"a retry in {wait:g}s would pass the {deadline.seconds:g}s timeout"


def make_client(
    settings: Settings, *, transport: httpx.BaseTransport | None = None
) -> openai.OpenAI:
    """The ``openai.OpenAI`` client of ``settings``' LLM (``llm_base_url``, ``llm_api_key``,
    ``llm_timeout`` seconds per request, ``llm_retries`` retries by openai).

    Args:
        transport: the HTTP transport under the client (tests pass an ``httpx.MockTransport``);
            None = httpx's own, with the environment's proxy settings.
    """
    import openai

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    http = DeadlineHTTPClient(
        transport=transport, timeout=settings.llm_timeout, follow_redirects=True
    )
    return openai.OpenAI(
        base_url=settings.llm_base_url,
        api_key=key or "unused",  # local servers ignore it; the client needs one
        max_retries=settings.llm_retries,
        timeout=settings.llm_timeout,
        http_client=http,
    )
