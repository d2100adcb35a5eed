"""Launch a server as its own process and wait until a URL of it answers."""

from __future__ import annotations

import contextlib
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Served:
    """A launched server: its process, base URL and the file its output goes to."""

    proc: subprocess.Popen
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextlib.contextmanager
def serving(
    argv: Sequence[str],
    url: str,
    *,
    probe: str,
    log: Path,
    env: Mapping[str, str],
    cwd: Path | None = None,
    status: int = 200,
    timeout: float = 180.0,
) -> Iterator[Served]:
    """Start ``argv`` (stdout and stderr to ``log``), wait until ``url + probe`` answers with
    HTTP ``status`` (e.g. 401 behind auth), yield it; terminate it (kill after 20 s) on exit.

    Fails (AssertionError with the log) if the process exits first, if the URL answers with
    another status, or if nothing answers within ``timeout`` seconds."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            list(argv), cwd=cwd, env=dict(env), stdout=out, stderr=subprocess.STDOUT, text=True
        )
        served = Served(proc, url, log)
        try:
            _wait_for(served, probe, status, time.monotonic() + timeout)
            yield served
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_for(served: Served, probe: str, status: int, deadline: float) -> None:
    while True:
        try:
            with urllib.request.urlopen(served.url + probe, timeout=2) as response:
                code = response.status
        except urllib.error.HTTPError as exc:
            code = exc.code
        except OSError:
            assert served.proc.poll() is None, f"{served.url} exited:\n{served.output()}"
            assert time.monotonic() < deadline, f"{served.url} did not start:\n{served.output()}"
            time.sleep(0.3)
            continue
        assert code == status, f"{served.url}{probe} answered {code}, not {status}"
        return
