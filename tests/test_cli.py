"""The `qa` command: JSON contract, auto-ingest on an empty store, one-line errors, progress.

The commands run in-process (``typer.testing.CliRunner``, or ``qa.cli.main`` for the entry
point's own error handling) with a ``QA`` factory that shares the session's embedding model;
three smoke tests start a real ``python -m qa`` process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from qa.documents import load_file
from tests.conftest import ARTICLE, ROOT, run_cli
from tests.test_answer import WOGEN, check_contract


class Ran:
    """What a CLI run left: exit code, stdout and stderr."""

    def __init__(self, code: int, stdout: str, stderr: str) -> None:
        self.exit_code, self.stdout, self.stderr = code, stdout, stderr


@pytest.fixture
def inject(embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI builds its QA with the session's embedding model (loaded once)."""
    from qa import QA

    monkeypatch.setattr("qa.cli.qa_factory", lambda settings: QA(settings, embedder=embedder))


@pytest.fixture
def invoke(inject) -> Callable[..., Any]:
    """``invoke(*args, input=None, env=None)``: the typer app, in-process."""
    from qa.cli import app

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Any:
        return CliRunner().invoke(app, list(args), input=input, env=env)

    return run


@pytest.fixture
def entry(inject, capsys: pytest.CaptureFixture[str], monkeypatch) -> Callable[..., Ran]:
    """``entry(*args)``: ``qa.cli.main`` (the `qa` command's entry point), in-process."""
    from qa.cli import main

    def run(*args: str) -> Ran:
        monkeypatch.setattr(sys, "argv", ["qa", *args])
        capsys.readouterr()
        with pytest.raises(SystemExit) as done:
            main()
        out = capsys.readouterr()
        return Ran(int(done.value.code or 0), out.out, out.err)

    return run


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


def test_ask_json_in_a_process_on_an_empty_store_ingests_first() -> None:
    result = run_cli("ask", "--json", WOGEN)
    assert result.returncode == 0, result.stderr
    assert "the store is empty; ingesting" in result.stderr
    data = json.loads(result.stdout)
    assert data["question"] == WOGEN and "$10 million" in data["answer"]

    class FromDict:  # check_contract reads to_dict(); the CLI output must satisfy the same
        def to_dict(self) -> dict:
            return data

    check_contract(FromDict(), load_file(ARTICLE).text)


def test_qa_eval_runs_from_any_folder(tmp_path: Path) -> None:
    # the default eval set and its article are package data, not files of the checkout
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "run"
    done = subprocess.run(
        [sys.executable, "-m", "qa", "eval", "--limit", "2", "--out", str(out), "-q"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["meta"]["set"] == "smm-magnesium" and len(results["questions"]) == 2


def test_the_packaged_article_is_the_corpus_one() -> None:
    packaged = ROOT / "qa" / "evaluation" / "sets" / "corpus" / ARTICLE.name
    assert packaged.read_bytes() == ARTICLE.read_bytes()


def test_ask_json_on_an_empty_store_ingests_first_and_prints_the_contract(invoke) -> None:
    result = invoke("ask", "--json", WOGEN)
    assert result.exit_code == 0, result.stderr
    assert "the store is empty; ingesting" in result.stderr
    data = json.loads(result.stdout)
    assert data["question"] == WOGEN and "$10 million" in data["answer"]

    class FromDict:
        def to_dict(self) -> dict:
            return data

    check_contract(FromDict(), load_file(ARTICLE).text)
    again = invoke("ask", "--json", WOGEN)
    assert "ingesting" not in again.stderr  # the second time the store is there


def test_ask_plain_text_shows_citations_with_locations(invoke) -> None:
    result = invoke("ask", "--top-k", "3", WOGEN)
    assert result.exit_code == 0, result.stderr
    assert "$10 million" in result.stdout
    assert "[1] corpus/smm-magnesium-industry-2026-01-15.md:" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", ""], "the question is empty"),
        (["ask", "   "], "the question is empty"),
        (["ask", "x" * 2001], "the limit is 2000"),
        (["ask", "--top-k", "0", "Who?"], "top_k"),
        (["chat", "--top-k", "0"], "top_k"),
        (["ingest", "/definitely/not/here"], "path does not exist"),
        (["remove", "nope"], "no document with id"),
        # usage errors are one line too, not typer's boxed message
        (["ask", "--top-k", "abc", "Who?"], "Invalid value for '--top-k'"),
        (["ask", "--mode", "oracle", "Who?"], "'oracle' is not one of"),
        (["eval", "--split", "nope"], "'nope' is not one of 'dev', 'test', 'all'"),
        (["ask"], "Missing argument 'question'"),
        (["no-such-command"], "No such command 'no-such-command'"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(entry, args: list[str], message: str) -> None:
    result = entry(*args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_input_fills_no_empty_store(invoke, make_qa) -> None:
    assert invoke("ask", "--top-k", "0", WOGEN).exit_code == 2
    assert make_qa().is_empty()  # the question was refused before the corpus was ingested


def test_folder_without_supported_files(invoke, tmp_path: Path) -> None:
    (tmp_path / "x.png").write_bytes(b"\x89PNG")
    result = invoke("ingest", str(tmp_path))
    assert result.exit_code == 2 and "no supported files" in result.stderr


def test_empty_store_without_corpus_says_run_ingest(invoke, tmp_path: Path) -> None:
    result = invoke("ask", "Who?", env={"QA_CORPUS_DIR": str(tmp_path / "none")})
    assert result.exit_code == 1 and "run `qa ingest PATH` first" in result.stderr


def test_a_folder_of_only_unreadable_files_fails_and_changes_nothing(
    isolated_home: Path, tmp_path: Path
) -> None:
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir()
    bad.mkdir()
    (good / "a.md").write_text("# A\n\nAluminium output rose 5%.\n", encoding="utf-8")
    (bad / "bad.txt").write_bytes(b"\x00\x00binary")
    (bad / "broken.pdf").write_bytes(b"%PDF-1.4 cut short")
    assert run_cli("ingest", str(good)).returncode == 0
    # a real process: what a user's terminal shows (pypdf's own log lines included)
    for args in (["ingest", str(bad)], ["ingest", "--exclusive", str(bad)]):
        result = run_cli(*args)
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1, result.stderr
        assert result.stderr.startswith("qa: error: none of the 2 files could be read (")
        assert "broken.pdf: unreadable (" in result.stderr and "bad.txt" in result.stderr
        assert "the store was not changed" in result.stderr
    # --exclusive read nothing, so it removed nothing
    assert json.loads(run_cli("info", "--json").stdout)["documents"] == 1
    one = run_cli("ingest", str(bad / "broken.pdf"))
    assert one.returncode == 2 and "the one file could not be read" in one.stderr


def test_ingest_progress_warnings_quiet_and_info(invoke, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# A\n\nAluminium output rose 5%.\n", encoding="utf-8")
    (docs / "bad.txt").write_bytes(b"\x00\x00binary")
    result = invoke("ingest", str(docs))
    assert result.exit_code == 0, result.stderr
    assert "ingest" in result.stderr and "chunks" in result.stderr  # the progress bar
    assert "qa: warning: skipped" in result.stderr and "bad.txt" in result.stderr
    assert "1 added" in result.stdout
    quiet = invoke("ingest", "--quiet", str(docs))
    assert quiet.stdout == "" and "skipped" in quiet.stderr and "chunks" not in quiet.stderr
    info = json.loads(invoke("info", "--json").stdout)
    assert info["documents"] == 1 and info["chunks"] >= 1
    assert info["embed_model"] == "sentence-transformers/all-MiniLM-L6-v2"
    # the folder is renamed: --exclusive drops the old path's copy instead of keeping both
    docs.rename(tmp_path / "docs-2026")
    moved = invoke("ingest", "--exclusive", str(tmp_path / "docs-2026"))
    assert "1 added" in moved.stdout and "1 removed" in moved.stdout, moved.stderr
    assert "vectors of 1 chunk reused" in moved.stdout  # copied from the old path's copy
    assert json.loads(invoke("info", "--json").stdout)["documents"] == 1
    assert info["documents_list"][0]["path"].endswith("a.md")


def test_plain_info_names_a_document_by_its_own_title(invoke, tmp_path: Path) -> None:
    """A document's heading is its title and plain ``qa info`` shows it; a document titled
    only by its file name is not named twice."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "harbour.md").write_text("# Harbour works begin\n\nDredging starts.\n", "utf-8")
    (docs / "tram_line.txt").write_text("The tram line opens in 2028.\n", encoding="utf-8")
    assert invoke("ingest", "-q", str(docs)).exit_code == 0
    lines = invoke("info").stdout.splitlines()
    (harbour,) = [line for line in lines if "harbour.md" in line]
    (tram,) = [line for line in lines if "tram_line.txt" in line]
    assert harbour.endswith('"Harbour works begin"')
    assert tram.endswith("tram_line.txt")


def test_remove_then_info(invoke, make_qa) -> None:
    assert invoke("ingest", "-q").exit_code == 0
    (doc,) = make_qa().documents()
    done = invoke("remove", doc.doc_id)
    assert done.exit_code == 0 and doc.doc_id in done.stdout
    assert json.loads(invoke("info", "--json").stdout)["documents"] == 0
