"""The CLI as a new user meets it: help that reads naturally, `qa remove` by id or path,
`qa eval` progress lines in a log. In-process (typer's CliRunner) with the session's model."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qa.cli import app


@pytest.fixture
def invoke(embedder, monkeypatch, isolated_home: Path):
    """``invoke(*args, input=None)``: the CLI in-process on the test's own home."""
    monkeypatch.setattr("qa.onnx_embedder.make_embedder", lambda *a, **k: embedder)

    def run(*args: str, input: str | None = None):
        return CliRunner().invoke(app, list(args), input=input)

    return run


@pytest.mark.parametrize(
    "command", [[], ["ingest"], ["ask"], ["chat"], ["remove"], ["eval"], ["ui"], ["info"]]
)
def test_help_labels_read_naturally(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output and "╭" not in result.output
    assert "--help" in result.output and "Show this message and exit." in result.output
    if command == ["ingest"]:
        assert re.search(r"--reset / --no-reset\s+Empty the store first", result.output)
        assert "-q, --quiet" in result.output and "[PATH]..." in result.output
    if command == ["remove"]:
        assert "ID_OR_PATH" in result.output and "the file's path" in result.output


def test_ingest_help_names_every_type_ingest_reads() -> None:
    """A new-user test: the help listed ".md .txt .html .pdf", not the .docx it read too."""
    from qa.cli import INGEST_SUFFIXES
    from qa.documents import SUPPORTED_SUFFIXES

    assert INGEST_SUFFIXES.split() == list(SUPPORTED_SUFFIXES)
    result = CliRunner().invoke(app, ["ingest", "--help"], env={"COLUMNS": "200"})
    assert ".docx .odt .rtf .mhtml .mht .eml" in " ".join(result.output.split())


def test_remove_takes_an_id_or_a_path(invoke, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    a, b, c = (docs / name for name in ("a.md", "b.md", "c.md"))
    a.write_text("# A\n\nAluminium output rose 5%.\n", encoding="utf-8")
    b.write_text("# B\n\nBauxite prices fell 3%.\n", encoding="utf-8")
    c.write_text("# C\n\nCobalt stocks were flat.\n", encoding="utf-8")
    assert invoke("ingest", "--quiet", str(docs)).exit_code == 0

    def stored() -> dict[str, str]:
        info = json.loads(invoke("info", "--json").output)
        return {Path(d["path"]).name: d["doc_id"] for d in info["documents_list"]}

    ids = stored()
    assert set(ids) == {"a.md", "b.md", "c.md"}
    by_path = invoke("remove", str(a))
    assert by_path.exit_code == 0, by_path.output
    assert ids["a.md"] in by_path.output
    assert set(stored()) == {"b.md", "c.md"}
    by_id = invoke("remove", ids["b.md"])
    assert by_id.exit_code == 0 and set(stored()) == {"c.md"}
    c.unlink()  # the file is gone; its path still names the stored document
    assert invoke("remove", str(c)).exit_code == 0 and stored() == {}
    missing = invoke("remove", str(a))
    assert missing.exit_code == 2
    assert "no document with id or path" in missing.stderr


def test_eval_in_a_log_prints_progress_lines(invoke, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = invoke("eval", "--split", "dev", "--limit", "12", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("qa eval:")]
    assert lines[0] == "qa eval: ingesting the set's documents and loading the models"
    assert re.fullmatch(r"qa eval: 10/12 questions, \d+ s elapsed", lines[1])
    assert re.fullmatch(r"qa eval: 12/12 questions, \d+ s elapsed", lines[2])
    assert (out / "results.json").is_file()


def test_eval_of_a_missing_set_says_so_without_a_progress_line(invoke, tmp_path: Path) -> None:
    result = invoke("eval", "--set", str(tmp_path / "nope.json"), "--out", str(tmp_path / "r"))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"qa: error: eval set not found: {tmp_path / 'nope.json'}"
    ]


def test_eval_refuses_a_folder_and_a_bad_top_k_before_any_work(invoke, tmp_path: Path) -> None:
    """A folder given as --set is said to be one (it was "not found"), and --top-k 0 is refused
    before the set's documents are ingested and the models loaded (it was refused after)."""
    folder = invoke("eval", "--set", str(tmp_path), "--out", str(tmp_path / "r"))
    assert folder.exit_code == 2
    assert folder.stderr.strip().splitlines() == [
        f"qa: error: {tmp_path} is a folder: give the eval set's JSON file"
    ]
    top_k = invoke("eval", "--top-k", "0", "--out", str(tmp_path / "r2"))
    assert top_k.exit_code == 2
    assert top_k.stderr.strip().splitlines() == ["qa: error: top_k must be between 1 and 50, not 0"]
    assert not (tmp_path / "r2").exists()
