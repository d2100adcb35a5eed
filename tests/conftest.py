"""Shared fixtures: an isolated QA_HOME per test, the real bundled model, real Chroma stores."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.process import serving
from tests.support.ui import free_port

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
ARTICLE = CORPUS / "smm-magnesium-industry-2026-01-15.md"
# the bundled model's ONNX export, made once and kept across sessions (it is verified by its
# pinned sha256 whenever it is loaded, so sharing it is safe)
ONNX_DIR = ROOT / ".pytest_cache" / "qa-onnx"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own QA_HOME and no QA_* settings from the outside."""
    for key in list(os.environ):
        if key.startswith("QA_"):
            monkeypatch.delenv(key)
    home = tmp_path / "qa-home"
    monkeypatch.setenv("QA_HOME", str(home))
    monkeypatch.setenv("QA_CORPUS_DIR", str(CORPUS))
    monkeypatch.setenv("QA_ONNX_DIR", str(ONNX_DIR))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return home


@pytest.fixture(scope="session")
def embedder():
    """The bundled all-MiniLM-L6-v2 on ONNX Runtime (as qa runs it), loaded once per session."""
    from qa.onnx_embedder import OnnxEmbedder

    return OnnxEmbedder(ONNX_DIR)


@pytest.fixture
def make_qa(embedder, isolated_home: Path) -> Callable[..., object]:
    """Build a QA on the test's home with the shared embedder: ``make_qa(top_k=3)``."""
    from qa import QA, Settings

    def build(*, answerer=None, **overrides):
        overrides.setdefault("home", isolated_home)
        overrides.setdefault("corpus_dir", CORPUS)
        return QA(Settings(**overrides), embedder=embedder, answerer=answerer)

    return build


@pytest.fixture(scope="session")
def corpus_qa(embedder, tmp_path_factory: pytest.TempPathFactory):
    """A QA with the corpus ingested once per session; tests must not change it."""
    from qa import QA, Settings

    qa = QA(
        Settings(home=tmp_path_factory.mktemp("corpus-home"), corpus_dir=CORPUS), embedder=embedder
    )
    qa.ingest([CORPUS])
    return qa


@pytest.fixture
def scripted_llm() -> object:
    """The scripted OpenAI-compatible test double, in process (an ``httpx.MockTransport``)."""
    from tests.support.scripted_llm import ScriptedLLM

    return ScriptedLLM()


@pytest.fixture
def scripted_llm_server() -> Iterator[object]:
    """The scripted test double on 127.0.0.1, for stalls, cut streams and subprocesses."""
    from tests.support.scripted_llm_server import ScriptedLLMServer

    server = ScriptedLLMServer(stall_seconds=10.0).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def llm_qa(corpus_qa, embedder, scripted_llm) -> Callable[..., object]:
    """``llm_qa(double=scripted_llm, **settings)``: a QA over the session's ingested corpus whose
    LLM is the in-process test double, or the server at ``double.base_url`` (the socket double),
    or at ``llm_base_url`` (``double=None``); short timeout and backoff so failure tests stay
    fast."""
    from qa import QA

    def build(double=scripted_llm, **overrides):
        values = {
            "llm_base_url": getattr(double, "base_url", None),
            "llm_model": "scripted",
            "llm_timeout": 5.0,
            "llm_backoff": 0.01,
            "llm_retries": 2,
            **overrides,
        }
        transport = scripted_llm.transport() if double is scripted_llm else None
        settings = corpus_qa.settings.model_copy(update=values)
        return QA(settings, embedder=embedder, llm_transport=transport)

    return build


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` server on loopback; yields its URL."""
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    assert chroma, "the chroma CLI (from the chromadb wheel) is not installed"
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    argv = [chroma, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)]
    with serving(
        argv,
        f"http://127.0.0.1:{port}",
        probe="/api/v2/heartbeat",
        log=data.parent / "chroma-server.log",
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        timeout=60,
    ) as server:
        yield server.url


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m qa ARGS` in a subprocess with the test's environment."""
    return subprocess.run(
        [sys.executable, "-m", "qa", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        cwd=ROOT,
        input=input,
    )
