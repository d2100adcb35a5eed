"""The CLI in LLM mode (issue 4): `qa ask --mode llm --llm-url ...`, streaming to a terminal,
`qa chat`, against the scripted test double. Two tests run `python -m qa` in a subprocess (JSON
answer, and streaming to a pseudo-terminal) against the double on a socket; the rest call the
typer app in-process with the session's embedding model and the double as the LLM client's
``httpx.MockTransport`` (through ``qa.cli.qa_factory``), to keep the suite fast."""

from __future__ import annotations

import json
import os
import pty
import selectors
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from qa.answer.citations import MARKER
from qa.cli import app
from tests.conftest import ARTICLE, CORPUS, ROOT, run_cli

WOGEN = "How much working capital did Wogen provide to Magrathea?"
DOC_TEXT = ARTICLE.read_text(encoding="utf-8")


def store_env(corpus_qa) -> dict[str, str]:
    """Point the subprocess at the session's ingested store (read only)."""
    return {"QA_HOME": str(corpus_qa.settings.home), "QA_CORPUS_DIR": str(CORPUS)}


IN_PROCESS_URL = "http://scripted.invalid/v1"  # never resolved: the transport answers


def llm_args(server=None) -> list[str]:
    url = server.base_url if server is not None else IN_PROCESS_URL
    return ["--mode", "llm", "--llm-url", url, "--llm-model", "scripted"]


@pytest.fixture
def invoke(corpus_qa, embedder, scripted_llm, monkeypatch):
    """``invoke(*args, input=None, env=None)``: run the CLI in-process on the session store, its
    LLM requests answered by the in-process double (``scripted_llm``)."""
    from qa import QA

    for key, value in store_env(corpus_qa).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(
        "qa.cli.qa_factory",
        lambda settings: QA(settings, embedder=embedder, llm_transport=scripted_llm.transport()),
    )

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None):
        return CliRunner().invoke(app, list(args), input=input, env=env)

    return run


def test_ask_json_llm_citations_are_exact_spans_and_unsupported_flagged(
    corpus_qa, scripted_llm_server
):
    scripted_llm_server.behaviour = "unsupported"
    proc = run_cli("ask", "--json", *llm_args(scripted_llm_server), WOGEN, env=store_env(corpus_qa))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["mode"] == "llm" and not data["abstained"]
    ids = [c["id"] for c in data["citations"]]
    assert ids == list(range(1, len(ids) + 1)) and ids
    assert {int(n) for n in MARKER.findall(data["answer"])} == set(ids)
    for c in data["citations"]:
        assert c["quote"] == DOC_TEXT[c["start"] : c["end"]]
        assert len(c["quote"]) < 400
    assert [s["supported"] for s in data["sentences"]] == [True, False]
    assert (
        scripted_llm_server.request_count == 1
        and scripted_llm_server.requests[0]["model"] == "scripted"
    )


def test_ask_text_shows_unsupported_sentences_and_notes(invoke, scripted_llm):
    scripted_llm.behaviour = "bad_citation"
    proc = invoke("ask", *llm_args(), WOGEN)
    assert proc.exit_code == 0, proc.stderr
    assert "! not supported by the sources" in proc.stdout
    assert "This was confirmed by a later report." in proc.stdout
    assert "warning: removed 1 citation marker pointing to no source: [99]" in proc.stderr
    assert "support threshold" not in proc.stderr  # an info note is not printed


def test_ask_mode_extractive_ignores_the_llm(invoke, scripted_llm):
    args = ["--mode", "extractive", "--llm-url", IN_PROCESS_URL, "--llm-model", "x"]
    proc = invoke("ask", "--json", *args, WOGEN)
    assert proc.exit_code == 0, proc.stderr
    assert json.loads(proc.stdout)["mode"] == "extractive"
    assert scripted_llm.request_count == 0


def test_ask_llm_mode_without_a_server_is_a_usage_error(invoke):
    proc = invoke("ask", "--mode", "llm", WOGEN)
    assert proc.exit_code == 2
    assert proc.stderr.startswith("qa: error: LLM mode needs a server")
    assert len(proc.stderr.strip().splitlines()) == 1
    bad = invoke("ask", "--mode", "oracle", WOGEN)
    assert bad.exit_code == 2 and "'oracle' is not one of" in bad.stderr  # a --mode choice


def test_ask_llm_failure_falls_back_with_a_notice(invoke, scripted_llm):
    scripted_llm.behaviour = "fail_500"
    env = {"QA_LLM_BACKOFF": "0.01"}
    proc = invoke("ask", "--json", *llm_args(), WOGEN, env=env)
    assert proc.exit_code == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["mode"] == "extractive" and "$10 million" in data["answer"]
    assert any(
        n["level"] == "warning" and "HTTP 500" in n["text"] and "extractive answer" in n["text"]
        for n in data["notes"]
    )
    err = invoke("ask", *llm_args(), WOGEN, env={**env, "QA_LLM_FALLBACK": "error"})
    assert err.exit_code == 1 and "HTTP 500" in err.stderr and err.stdout == ""


def read_pty(fd: int, proc: subprocess.Popen, timeout: float = 120) -> bytes:
    out, deadline = b"", time.monotonic() + timeout
    watch = selectors.DefaultSelector()  # epoll: select() fails on a descriptor past 1023
    watch.register(fd, selectors.EVENT_READ)
    while time.monotonic() < deadline:
        if watch.select(0.2):
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    return out


def test_ask_streams_to_a_terminal(corpus_qa, scripted_llm_server):
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "qa", "ask", *llm_args(scripted_llm_server), WOGEN],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.PIPE,
        env={**os.environ, **store_env(corpus_qa)},
        cwd=ROOT,
    )
    os.close(slave)
    try:
        out = read_pty(master, proc).decode("utf-8", "replace").replace("\r\n", "\n")
        proc.wait(timeout=30)
    finally:
        os.close(master)
    assert proc.returncode == 0, proc.stderr.read().decode() if proc.stderr else ""
    assert scripted_llm_server.requests[-1]["stream"] is True  # a terminal gets the streamed answer
    assert "$10 million in working capital" in out
    assert "verified answer:" not in out  # what streamed is what was verified
    citation = next(line for line in out.splitlines() if line.startswith("  [1] "))
    assert "smm-magnesium-industry-2026-01-15.md:" in citation


def test_chat_repl_follow_up_retrieves_the_right_document(invoke, scripted_llm):
    lines = "What is Minago Development?\nHow much dolomite does it have?\nexit\nnot asked\n"
    proc = invoke("chat", "--json", *llm_args(), input=lines)
    assert proc.exit_code == 0, proc.stderr
    first, second = (json.loads(line) for line in proc.stdout.splitlines())
    assert first["standalone_question"] is None
    assert "Minago" in second["standalone_question"]
    assert "111 million" in second["answer"] and second["mode"] == "llm"
    for c in second["citations"]:
        assert c["quote"] == DOC_TEXT[c["start"] : c["end"]]
    assert any("CONDENSE" in r["messages"][0]["content"] for r in scripted_llm.requests)
    assert scripted_llm.request_count == 3  # answer, condense, answer; "not asked" never sent


def test_chat_repl_without_llm_uses_the_rule_and_ends_on_eof(invoke):
    lines = "What is Minago Development?\n\nHow much dolomite does it have?\n"
    proc = invoke("chat", input=lines)
    assert proc.exit_code == 0, proc.stderr
    assert "(searched for: How much dolomite does Minago Development have?)" in proc.stderr
    assert "111 million" in proc.stdout


def test_chat_repl_reports_a_failed_turn_and_goes_on(invoke, scripted_llm):
    scripted_llm.script(["fail_400"])
    env = {"QA_LLM_FALLBACK": "error"}
    lines = f"{WOGEN}\n{WOGEN}\n"
    proc = invoke("chat", "--json", *llm_args(), input=lines, env=env)
    assert "qa: error: the LLM at" in proc.stderr and "HTTP 400" in proc.stderr
    (answer,) = (json.loads(line) for line in proc.stdout.splitlines())
    assert answer["mode"] == "llm"
    assert proc.exit_code == 1  # a turn failed: scripts can tell


def test_cli_help_does_not_import_heavy_libraries():
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from qa.cli import app\n"
        "assert CliRunner().invoke(app, ['ask', '--help']).exit_code == 0\n"
        "assert CliRunner().invoke(app, ['chat', '--help']).exit_code == 0\n"
        "heavy = ('openai', 'torch', 'chromadb', 'llama_index')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
