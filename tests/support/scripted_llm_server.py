"""TEST DOUBLE on a real socket: ``tests.support.scripted_llm.ScriptedLLM`` served on
127.0.0.1 (ephemeral port), for what only a connection can show -- a server that stalls, a
stream cut mid-body -- and for a ``qa`` subprocess, which cannot take an in-process transport.
Standard library HTTP server; one request per connection; streams use chunked encoding.
"""

from __future__ import annotations

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from tests.support.scripted_llm import BEHAVIOURS, Reply, ScriptedLLM


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    timeout = 10  # socket timeout: an idle client cannot pin a handler thread forever

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        owner = self.server.owner
        reply = owner.reply(
            self.path, self.rfile.read(int(self.headers.get("Content-Length") or 0))
        )
        if reply.behaviour == "stall" and owner._stopping.wait(owner.stall_seconds):
            self.close_connection = True
            return  # stop() was called: drop the connection without answering
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
            self._send(reply)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Connection", "close")
        for key, value in reply.headers:
            self.send_header(key, value)
        if reply.content_type != "text/event-stream":
            body = b"".join(reply.body)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for event in reply.body:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
            self.wfile.flush()
        if reply.behaviour == "cut_stream":  # no terminating zero-length chunk
            self.close_connection = True
            return
        self.wfile.write(b"0\r\n\r\n")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins handler threads (no leaks)
    block_on_close = True
    owner: ScriptedLLMServer


class ScriptedLLMServer(ScriptedLLM):
    """``ScriptedLLM`` on 127.0.0.1, with the socket-only behaviours ``stall`` (waits
    ``stall_seconds``, then answers like quote) and ``cut_stream``."""

    allowed = BEHAVIOURS

    def __init__(self, behaviour: str = "quote", stall_seconds: float = 30.0) -> None:
        super().__init__(behaviour)
        self.stall_seconds = stall_seconds
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property  # type: ignore[override]
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def start(self) -> Self:
        """Bind 127.0.0.1 on an ephemeral port and serve in a background thread."""
        self._stopping.clear()
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
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
