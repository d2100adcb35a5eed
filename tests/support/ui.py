"""Helpers for the UI tests: launch a QAApp on a free loopback port, close it afterwards."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from typing import Any

# A document no other test knows, for "upload, then ask about it".
NEW_DOC = """---
title: Zorblax Mining buys the Quillon smelter
publisher: Test Wire
published: 2026-02-01
---

Zorblax Mining agreed to buy the Quillon smelter for 42 million dollars. The deal closes in March.
"""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def served(app: Any, **launch: Any) -> Iterator[str]:
    """Launch ``app`` (a QAApp) in this process on 127.0.0.1; yields its URL."""
    launch.setdefault("quiet", True)
    app.launch("127.0.0.1", free_port(), prevent_thread_lock=True, **launch)
    try:
        yield app.demo.local_url
    finally:
        app.demo.close()
