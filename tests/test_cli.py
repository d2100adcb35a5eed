"""The `qa` command: JSON contract, auto-ingest on an empty store, one-line errors, progress."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qa.documents import load_file
from tests.conftest import ARTICLE, ROOT, run_cli
from tests.test_answer import WOGEN, check_contract


def test_help_imports_no_heavy_library() -> None:
    code = (
        "import sys, runpy; sys.argv = ['qa', '--help']\n"
        "try:\n    runpy.run_module('qa', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "bad = [m for m in ('torch', 'chromadb', 'gradio', 'sentence_transformers', 'openai', "
        "'llama_index.core', 'matplotlib') if m in sys.modules]\n"
        "print('HEAVY', bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert "HEAVY []" in out.stdout, out.stdout[-500:]
    for command in ("ingest", "ask", "info", "remove"):
        assert command in out.stdout


def test_ask_json_on_an_empty_store_ingests_first_and_prints_the_contract() -> None:
    result = run_cli("ask", "--json", WOGEN)
    assert result.returncode == 0, result.stderr
    assert "the store is empty; ingesting" in result.stderr
    data = json.loads(result.stdout)
    assert data["question"] == WOGEN and "$10 million" in data["answer"]

    class FromDict:  # check_contract reads to_dict(); the CLI output must satisfy the same
        def to_dict(self) -> dict:
            return data

    check_contract(FromDict(), load_file(ARTICLE).text)
    again = run_cli("ask", "--json", WOGEN)
    assert "ingesting" not in again.stderr  # the second time the store is there


def test_ask_plain_text_shows_citations_with_locations(tmp_path: Path) -> None:
    result = run_cli("ask", "--top-k", "3", WOGEN)
    assert result.returncode == 0, result.stderr
    assert "$10 million" in result.stdout
    assert "[1] corpus/smm-magnesium-industry-2026-01-15.md:" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", ""], "the question is empty"),
        (["ask", "   "], "the question is empty"),
        (["ask", "x" * 2001], "the limit is 2000"),
        (["ask", "--top-k", "0", "Who?"], "top_k"),
        (["ingest", "/definitely/not/here"], "path does not exist"),
        (["remove", "nope"], "no document with id"),
        # usage errors are one line too, not typer's boxed message
        (["ask", "--top-k", "abc", "Who?"], "Invalid value for '--top-k'"),
        (["ask"], "Missing argument 'question'"),
        (["no-such-command"], "No such command 'no-such-command'"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(args: list[str], message: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_folder_without_supported_files(tmp_path: Path) -> None:
    (tmp_path / "x.png").write_bytes(b"\x89PNG")
    result = run_cli("ingest", str(tmp_path))
    assert result.returncode == 2 and "no supported files" in result.stderr


def test_empty_store_without_corpus_says_run_ingest(tmp_path: Path) -> None:
    result = run_cli("ask", "Who?", env={"QA_CORPUS_DIR": str(tmp_path / "none")})
    assert result.returncode == 1 and "run `qa ingest PATH` first" in result.stderr


def test_ingest_progress_warnings_quiet_and_info(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# A\n\nAluminium output rose 5%.\n", encoding="utf-8")
    (docs / "bad.txt").write_bytes(b"\x00\x00binary")
    result = run_cli("ingest", str(docs))
    assert result.returncode == 0, result.stderr
    assert "ingest" in result.stderr and "chunk" in result.stderr  # the progress bar
    assert "qa: warning: skipped" in result.stderr and "bad.txt" in result.stderr
    assert "1 added" in result.stdout
    quiet = run_cli("ingest", "--quiet", str(docs))
    assert quiet.stdout == "" and "skipped" in quiet.stderr and "chunk/s" not in quiet.stderr
    info = json.loads(run_cli("info", "--json").stdout)
    assert info["documents"] == 1 and info["chunks"] >= 1
    assert info["embed_model"] == "sentence-transformers/all-MiniLM-L6-v2"
    # the folder is renamed: --exclusive drops the old path's copy instead of keeping both
    docs.rename(tmp_path / "docs-2026")
    moved = run_cli("ingest", "--exclusive", str(tmp_path / "docs-2026"))
    assert "1 added" in moved.stdout and "1 removed" in moved.stdout, moved.stderr
    assert json.loads(run_cli("info", "--json").stdout)["documents"] == 1
    assert info["documents_list"][0]["path"].endswith("a.md")
