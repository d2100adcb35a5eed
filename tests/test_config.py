"""Settings: QA_* env vars, overridden by constructor arguments and by CLI flags."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa import QA, Settings, SettingsError
from tests.conftest import run_cli


def test_env_then_constructor_override(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("QA_TOP_K", "7")
    monkeypatch.setenv("QA_COLLECTION", "from-env")
    assert Settings().top_k == 7 and Settings().collection == "from-env"
    assert Settings(top_k=2).top_k == 2
    qa = QA(top_k=3)
    assert qa.settings.top_k == 3 and qa.settings.collection == "from-env"
    assert QA(Settings(top_k=4)).settings.top_k == 4


def test_two_instances_do_not_share_config(tmp_path: Path) -> None:
    a, b = QA(home=tmp_path / "a", top_k=1), QA(home=tmp_path / "b", top_k=9)
    assert (a.settings.top_k, b.settings.top_k) == (1, 9)
    assert a.location != b.location


def test_cli_flag_beats_env(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("QA_COLLECTION", "envcoll")
    result = run_cli(
        "--home", str(tmp_path / "flag-home"), "--collection", "flagcoll", "info", "--json"
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["collection"] == "flagcoll"
    assert data["home"] == str(tmp_path / "flag-home")


@pytest.mark.parametrize("name", ["bad name!", "", "-leading-dash", "x" * 500])
def test_a_collection_name_chroma_would_refuse_is_a_bad_setting(name: str) -> None:
    with pytest.raises(SettingsError, match="not a collection name"):
        QA(collection=name)
    result = run_cli("--collection", name, "info")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "Value error" not in result.stderr and "Traceback" not in result.stderr


def test_an_empty_home_is_a_bad_setting_not_the_current_folder(tmp_path: Path) -> None:
    result = run_cli("--home", "", "info")
    assert result.returncode == 2 and "bad setting home: is empty" in result.stderr
    with pytest.raises(SettingsError, match="corpus_dir"):
        QA(corpus_dir="  ")


def test_a_home_that_is_a_file_is_a_bad_setting(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder\n", encoding="utf-8")
    result = run_cli("--home", str(tmp_path / "afile"), "info")
    assert result.returncode == 2
    assert (
        result.stderr
        == f"qa: error: bad setting home: {tmp_path / 'afile'} is a file, not a folder\n"
    )
    with pytest.raises(SettingsError, match="is a file, not a folder"):
        QA(home=tmp_path / "afile")
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "not a folder\n"


def test_bad_setting_is_a_one_line_error(monkeypatch) -> None:
    monkeypatch.setenv("QA_TOP_K", "lots")
    result = run_cli("info")
    assert result.returncode == 2  # bad input
    assert result.stderr.startswith("qa: error: bad setting QA_TOP_K")  # what the user set
    assert result.stderr.count("\n") == 1


def test_constructor_overrides_are_validated_like_env_settings(monkeypatch, tmp_path: Path) -> None:
    qa = QA(home=str(tmp_path / "h"), top_k="3")  # coerced as the env's strings are
    assert qa.settings.home == tmp_path / "h" and qa.settings.top_k == 3
    assert qa.location  # a str home used to break every path join
    with pytest.raises(SettingsError, match="abstain_threshold"):
        QA(abstain_threshold="high")
    with pytest.raises(SettingsError, match="unknown setting 'bogus'"):
        QA(bogus=1)
    # a phrase's log-probability is at most 0: a positive threshold would hide every phrase
    with pytest.raises(SettingsError, match="short_answer_margin"):
        QA(short_answer_margin=0.5)
    assert QA(short_answer_margin=-1).settings.short_answer_margin == -1
    monkeypatch.setenv("QA_TOP_K", "lots")
    with pytest.raises(SettingsError, match="bad setting QA_TOP_K"):  # named as the user set it
        QA()


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("QA_CHROMA_URL", "garbage", "bad setting QA_CHROMA_URL: 'garbage' is not a server URL"),
        ("QA_ONNX_DIR", "FILE", "bad setting QA_ONNX_DIR: FILE is a file, not a folder"),
        (
            "QA_LLM_MODELS_DIR",
            "FILE",
            "bad setting QA_LLM_MODELS_DIR: FILE is a file, not a folder",
        ),
        ("QA_ABSTAIN_THRESHOLD", "nan", "bad setting QA_ABSTAIN_THRESHOLD"),
        ("QA_LLM_TIMEOUT", "inf", "bad setting QA_LLM_TIMEOUT"),
        ("QA_CHUNK_OVERLAP", "300", "bad settings: chunk_overlap (300) must be below chunk_size"),
        # a second break-test: exit 1 with a library's error, or a write to the current folder
        (
            "QA_CHROMA_URL",
            "http://localhost:99999",
            "bad setting QA_CHROMA_URL: 'http://localhost:9",
        ),
        ("QA_CHROMA_URL", "http://localhost:abc", "bad setting QA_CHROMA_URL"),
        ("QA_CHROMA_URL", "http://localhost:8000 ", "bad setting QA_CHROMA_URL"),
        ("QA_ONNX_DIR", "", "bad setting QA_ONNX_DIR: is empty"),
        ("QA_LLM_MODELS_DIR", " ", "bad setting QA_LLM_MODELS_DIR: is empty"),
        ("QA_ONNX_DIR", "FILE/sub", "bad setting QA_ONNX_DIR: FILE/sub is below FILE, a file"),
        ("QA_COLLECTION", "c" * 250, "bad setting QA_COLLECTION: 'cccc"),
    ],
)
def test_settings_a_new_user_got_wrong_are_bad_input(
    name: str, value: str, said: str, tmp_path: Path, monkeypatch
) -> None:
    """Each was an exit 1 with a library's error, or taken without a word (a new-user test)."""
    afile = tmp_path / "afile"
    afile.write_text("kept\n", encoding="utf-8")
    monkeypatch.setenv(name, value.replace("FILE", str(afile)))
    result = run_cli("--home", str(tmp_path / "home"), "info")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("qa: error: " + said.replace("FILE", str(afile)))
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    with pytest.raises(SettingsError):
        QA()
    assert afile.read_text(encoding="utf-8") == "kept\n"
