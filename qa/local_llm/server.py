"""llama.cpp's OpenAI-compatible server (``python -m llama_cpp.server``) as qa's child process.

``LlamaServer(model_path).start()`` picks a free port on 127.0.0.1, starts the server, waits
until ``/v1/models`` answers and returns; ``base_url`` is then what the OpenAI client talks to.
The server never outlives qa:

- ``stop()`` (also at interpreter exit, and on SIGTERM/SIGHUP, which qa turns into a normal
  exit) terminates it, then kills it after a grace period;
- the child asks the kernel for SIGKILL when its parent dies (``prctl(PR_SET_PDEATHSIG)``), which
  covers a crash or SIGKILL of qa. The kernel sends it when the *thread* that forked the child
  ends, so children are forked from one long-lived launcher thread, never from a short-lived
  worker (the UI warms up in one).
- it runs in a session of its own, so a Ctrl-C in the terminal reaches qa, which exits cleanly
  (and stops it), instead of killing the server under a question being answered.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import ctypes
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from qa.errors import LLMError, LocalLLMMissingError
from qa.local_llm.models import SETUP_COMMAND, find_model, model_spec

if TYPE_CHECKING:
    from qa.config import Settings

__all__ = ["LOCAL_DEFAULTS", "LOCAL_LLM_TIMEOUT", "LlamaServer", "runtime_missing", "shared_server"]

LOCAL_LLM_TIMEOUT = 300.0  # seconds per question for the local model, unless QA_LLM_TIMEOUT
# What the local model reads unless QA_LLM_PASSAGES / QA_LLM_PASSAGE_WINDOW say otherwise: the
# reader's 2 best sentences without neighbours, a prompt sized for a CPU (chosen on the article
# dev split, eval/README.md "The local LLM"); a remote server keeps the settings' defaults.
LOCAL_DEFAULTS: dict[str, object] = {
    "llm_timeout": LOCAL_LLM_TIMEOUT,
    "llm_passages": 2,
    "llm_passage_window": 0,
}

_PR_SET_PDEATHSIG = 1
_RUNTIME = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context")
_launcher: concurrent.futures.ThreadPoolExecutor | None = None
_launcher_lock = threading.Lock()
_live: set[LlamaServer] = set()
_handlers_installed = False
_stopping = False


def runtime_missing() -> str | None:
    """The first module of llama-cpp-python's server that is not installed, or None."""
    for name in _RUNTIME:
        if importlib.util.find_spec(name) is None:
            return name
    return None


def _die_with_parent(parent: int) -> Callable[[], None]:
    """A ``preexec_fn``: SIGKILL this child when its parent dies (Linux)."""

    def preexec() -> None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # not Linux: stop() and atexit still apply
            return
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


def _spawn(cmd: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    """``Popen`` from the launcher thread, which lives as long as the process."""
    global _launcher
    with _launcher_lock:
        if _launcher is None:
            _launcher = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="qa-llm")

    def popen() -> subprocess.Popen[bytes]:
        return subprocess.Popen(cmd, **kwargs)

    return _launcher.submit(popen).result()


def _stop_all() -> None:
    global _stopping
    _stopping = True
    for server in list(_live):
        server.stop()


def _exit_on_signal(signum: int, frame: object) -> None:
    global _stopping
    _stopping = True  # no restart of a server while qa winds down
    _stop_all()
    raise SystemExit(128 + signum)


def _install_handlers() -> None:
    """Stop servers at exit, and turn SIGTERM/SIGHUP into a normal exit (which runs atexit)
    where nobody else handles them. Only the main thread may set signal handlers."""
    global _handlers_installed
    if _handlers_installed:
        return
    _handlers_installed = True
    atexit.register(_stop_all)
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) in (signal.SIG_DFL, None):
            signal.signal(sig, _exit_on_signal)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LlamaServer:
    """One ``llama_cpp.server`` child process serving one GGUF model on 127.0.0.1.

    Args:
        model_path: the verified GGUF file.
        alias: the model name the server answers to (``QA_LLM_MODEL`` of the client).
        threads: CPU threads for generation and for reading the prompt.
        ctx: context window in tokens.
        startup_timeout: seconds to wait for ``/v1/models``; LLMError after that.
        python: the interpreter that runs the server (default: this one).
    """

    def __init__(
        self,
        model_path: Path,
        *,
        alias: str = "local",
        threads: int = 2,
        ctx: int = 4096,
        startup_timeout: float = 180.0,
        python: str = sys.executable,
    ) -> None:
        self.model_path = Path(model_path)
        self.alias = alias
        self.threads = threads
        self.ctx = ctx
        self.startup_timeout = startup_timeout
        self.python = python
        self.port: int | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``, once started."""
        if self.port is None:
            raise LLMError("the local LLM server is not started")
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def command(self, port: int) -> list[str]:
        return [
            self.python,
            "-m",
            "llama_cpp.server",
            "--model",
            str(self.model_path),
            "--model_alias",
            self.alias,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            str(self.ctx),
            "--n_threads",
            str(self.threads),
            "--n_threads_batch",
            str(self.threads),
        ]

    def start(self) -> LlamaServer:
        """Start the server and wait until it answers; a no-op while it runs.

        Raises LocalLLMMissingError when llama-cpp-python's server is not installed, LLMError
        when the server exits or does not answer within ``startup_timeout`` (with its last log
        line).
        """
        with self._lock:
            if self.running:
                return self
            if _stopping:
                raise LLMError("qa is stopping: the local LLM server is not restarted")
            missing = runtime_missing()
            if missing is not None:
                raise LocalLLMMissingError(
                    f"the local LLM runtime is not installed (no module {missing!r}): "
                    f"run {SETUP_COMMAND}"
                )
            _install_handlers()
            if self.port is None:  # a restart keeps the port: clients hold the base URL
                self.port = free_port()
            env = {
                **os.environ,
                "OMP_NUM_THREADS": str(self.threads),
                "OMP_WAIT_POLICY": "PASSIVE",  # idle threads sleep instead of spinning
            }
            self._log = tempfile.TemporaryFile(prefix="qa-llama-server-")  # noqa: SIM115
            self.process = _spawn(
                self.command(self.port),
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
                preexec_fn=_die_with_parent(os.getpid()),
            )
            _live.add(self)
            try:
                self._wait_ready()
            except BaseException:
                self._stop()
                raise
            return self

    def _wait_ready(self) -> None:
        import httpx

        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout
        url = f"{self.base_url}/models"
        while True:
            code = self.process.poll()
            if code is not None:
                raise LLMError(
                    f"the local LLM server exited with code {code} while starting: "
                    f"{self.log_tail() or 'no output'}"
                )
            try:
                if httpx.get(url, timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise LLMError(
                    f"the local LLM server did not answer within {self.startup_timeout:g}s: "
                    f"{self.log_tail() or 'no output'}"
                )
            time.sleep(0.2)

    def log_tail(self, lines: int = 1) -> str:
        """The last ``lines`` non-empty lines the server printed."""
        if self._log is None:
            return ""
        try:
            self._log.seek(0)
            text = self._log.read()[-8192:].decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""
        kept = [ln.strip() for ln in text.splitlines() if ln.strip()]
        return " | ".join(kept[-lines:])

    def stop(self, grace: float = 5.0) -> None:
        """Terminate the server (SIGKILL after ``grace`` seconds); safe to call twice."""
        with self._lock:
            self._stop(grace)

    def _stop(self, grace: float = 5.0) -> None:
        process, self.process = self.process, None
        _live.discard(self)
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> LlamaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


_shared: dict[tuple[str, int, int], LlamaServer] = {}
_shared_lock = threading.Lock()


def shared_server(settings: Settings) -> LlamaServer:
    """The process's server of the local model ``settings`` name (``llm_local_model``, found
    and verified in ``settings.models_dir``), made on first use, not started.

    Raises LocalLLMMissingError when the model is not installed, ModelIntegrityError when its
    file is not the published one.
    """
    spec = model_spec(settings.llm_local_model)
    path = find_model(spec.name, settings.models_dir)
    key = (str(path), settings.llm_threads, spec.ctx)
    with _shared_lock:
        if key not in _shared:
            _shared[key] = LlamaServer(
                path, alias=spec.name, threads=settings.llm_threads, ctx=spec.ctx
            )
        return _shared[key]
