"""The Python API: bad input raises QAError subclasses; importing qa is light and pure."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from qa import (
    EmptyStoreError,
    InvalidInputError,
    InvalidPathError,
    InvalidQuestionError,
    NotFoundError,
    QAError,
)
from tests.conftest import ROOT, run_cli


@pytest.mark.parametrize("question", ["", "   ", "\n\t", "x" * 2001])
def test_bad_questions_raise_invalid_question(corpus_qa, question: str) -> None:
    with pytest.raises(InvalidQuestionError) as info:
        corpus_qa.ask(question)
    assert isinstance(info.value, QAError)
    assert "empty" in str(info.value) or "2000" in str(info.value)


@pytest.mark.parametrize("question", [42, None, b"Who owns Minago?"])
def test_a_question_that_is_not_text_says_so(corpus_qa, question: object) -> None:
    with pytest.raises(InvalidQuestionError, match="must be text") as info:
        corpus_qa.ask(question)  # type: ignore[arg-type]
    assert type(question).__name__ in str(info.value)


def test_a_question_with_bytes_that_were_not_utf8_is_invalid(corpus_qa) -> None:
    # what a terminal's undecodable bytes become (surrogateescape): the tokenizer refuses them
    with pytest.raises(InvalidQuestionError, match="not UTF-8"):
        corpus_qa.ask("Who runs the bakery\udcff?")
    result = run_cli("ask", "Who runs the bakery\udcff?")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "not UTF-8" in result.stderr


@pytest.mark.parametrize("paths", [42, [42], [b"/tmp/x"], b"/tmp/x", ["/tmp/a\x00b"], [""], ""])
def test_ingest_refuses_what_is_not_a_path(make_qa, paths: object) -> None:
    qa = make_qa()
    with pytest.raises(InvalidPathError):
        qa.ingest(paths)  # type: ignore[arg-type]
    assert qa.is_empty()


def test_an_empty_list_of_paths_is_refused_and_changes_nothing(make_qa, tmp_path) -> None:
    (tmp_path / "a.md").write_text("Zinc rose 2% in March.\n", encoding="utf-8")
    qa = make_qa()  # its corpus folder holds the article: an empty list must not mean it
    qa.ingest([tmp_path])
    before = [d.path for d in qa.documents()]
    for paths, flags in (([], {}), ((), {}), ([], {"reset": True}), ([], {"exclusive": True})):
        with pytest.raises(InvalidPathError, match="no paths were given") as info:
            qa.ingest(paths, **flags)
        assert info.value.exit_code == 2 and "\n" not in str(info.value)
        assert [d.path for d in qa.documents()] == before
    qa.ingest(None)  # None still means the corpus folder
    assert len(qa.documents()) == len(before) + 1


def test_question_of_exactly_the_limit_is_accepted(corpus_qa) -> None:
    question = "How much working capital did Wogen provide? " * 50
    assert corpus_qa.ask(question[:2000]).question


@pytest.mark.parametrize("top_k", [0, 51, -1])
def test_bad_top_k_is_refused(corpus_qa, top_k: int) -> None:
    with pytest.raises(InvalidInputError, match="top_k") as info:
        corpus_qa.ask("Who owns Minago?", top_k=top_k)
    assert not isinstance(info.value, InvalidQuestionError)  # the question was fine


@pytest.mark.parametrize("history", ["nonsense", [("only the question",)], [42]])
def test_a_malformed_chat_history_is_invalid_input(corpus_qa, history) -> None:
    with pytest.raises(InvalidInputError, match="history"):
        corpus_qa.chat(history, "When?")


def test_ingest_takes_one_path_as_well_as_a_list(make_qa, tmp_path) -> None:
    (tmp_path / "a.md").write_text("Zinc rose 2%.\n", encoding="utf-8")
    qa = make_qa()
    report = qa.ingest(str(tmp_path))  # not read as a sequence of one-letter paths
    assert [p.rsplit("/", 1)[-1] for p in report.added] == ["a.md"]


def test_empty_store_and_unknown_document(make_qa) -> None:
    qa = make_qa()
    with pytest.raises(EmptyStoreError, match="qa ingest"):
        qa.ask("Who owns Minago?")
    with pytest.raises(NotFoundError):
        qa.remove("nope")


def test_import_qa_is_light_and_changes_no_global_state() -> None:
    code = (
        "import os, sys, json; env = dict(os.environ); import qa; from qa import QA, Settings; "
        "heavy = [m for m in ('torch', 'chromadb', 'gradio', 'sentence_transformers', "
        "'llama_index.core') if m in sys.modules]; "
        "print(json.dumps({'heavy': heavy, 'env_changed': env != dict(os.environ)}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert json.loads(out.stdout) == {"heavy": [], "env_changed": False}


def test_llama_index_global_settings_are_never_touched(make_qa) -> None:
    from llama_index.core import Settings as LlamaSettings

    qa = make_qa()
    qa.ingest()
    qa.ask("Who owns the Minago project?")
    assert LlamaSettings._embed_model is None and LlamaSettings._llm is None


def test_warm_up_loads_what_the_first_question_needs(make_qa, isolated_home) -> None:
    """The embedding model, the BM25 index and the answer selector, on a store with documents
    and on an empty one; the first question after it loads nothing more."""
    from qa import QA, Settings

    make_qa().ingest()
    qa = QA(Settings(home=isolated_home))  # nothing injected: all of it loads from disk
    qa.warm_up()
    reader = qa.answerer("extractive")
    assert qa._embedder is not None and qa._lexical is not None
    assert reader.selector is not None and reader.selector._model is not None
    loaded = (qa._embedder, qa._lexical, reader.selector._model)
    assert not qa.ask("Who owns the Minago project?").abstained
    assert (qa._embedder, qa._lexical, reader.selector._model) == loaded

    empty = make_qa(home=isolated_home / "empty")
    empty.warm_up()
    assert empty.answerer("extractive").selector._model is not None
    assert empty._lexical is None  # no chunks, no index to build


def test_the_store_is_reached_through_qa_only(make_qa, tmp_path) -> None:
    from qa.documents import load_file
    from tests.conftest import ARTICLE

    none = make_qa(corpus_dir=tmp_path / "none")
    assert none.is_empty()
    with pytest.raises(EmptyStoreError, match="no corpus folder"):
        none.ensure_ingested()

    qa = make_qa()
    assert qa.is_empty() and str(qa.settings.home) in qa.location
    announced = []
    report = qa.ensure_ingested(announce=announced.append)
    assert report is not None and report.added and announced == [qa.settings.corpus_dir]
    assert not qa.is_empty() and qa.ensure_ingested(announce=announced.append) is None
    assert len(announced) == 1  # a store with documents is not ingested again
    (doc,) = qa.documents()
    assert qa.source_of(doc.doc_id) == ARTICLE.resolve() and qa.source_of("nope") is None
    assert qa.resolve_top_k(None) == qa.settings.top_k and qa.resolve_top_k(7) == 7
    with pytest.raises(InvalidInputError, match="top_k"):
        qa.resolve_top_k(0)
    hits = qa.lexical_search("lemonzhao@smm.cn", top_k=2)
    assert len(hits) == 2 and "lemonzhao@smm.cn" in hits[0].text
    assert hits[0].score >= hits[1].score and hits[0].dense_rank is None
    assert hits[0].text == load_file(ARTICLE).text[hits[0].start : hits[0].end]


@pytest.mark.parametrize("settings", ["foo", {"top_k": 3}, 3])
def test_settings_that_are_not_a_settings_object_are_refused_at_once(settings: object) -> None:
    from qa import QA, SettingsError

    with pytest.raises(SettingsError, match=r"qa\.Settings") as info:
        QA(settings)  # type: ignore[arg-type]
    assert type(settings).__name__ in str(info.value)


@pytest.mark.parametrize("field", ["top_k", "max_question_chars", "llm_timeout"])
def test_a_boolean_for_a_number_setting_is_refused(field: str) -> None:
    from qa import QA, SettingsError

    with pytest.raises(SettingsError, match="must be a number"):
        QA(**{field: True})


@pytest.mark.parametrize("top_k", [True, 1.5, "3"])
def test_top_k_that_is_not_a_whole_number_is_refused(corpus_qa, top_k: object) -> None:
    with pytest.raises(InvalidInputError, match="top_k"):
        corpus_qa.ask("Who owns Minago?", top_k=top_k)  # type: ignore[arg-type]


def test_ingest_flags_must_be_booleans_and_a_refused_one_loses_nothing(make_qa, tmp_path) -> None:
    (tmp_path / "a.md").write_text("Zinc rose 2% on Monday.\n", encoding="utf-8")
    qa = make_qa()
    qa.ingest([tmp_path])
    for flags in ({"reset": "no"}, {"exclusive": 1}):
        with pytest.raises(InvalidInputError, match="True or False"):
            qa.ingest([tmp_path], **flags)  # type: ignore[arg-type]
    assert [d.path.rsplit("/", 1)[-1] for d in qa.documents()] == ["a.md"]
    assert qa.ingest([tmp_path]).unchanged  # nothing was wiped: the next ingest has no work


def test_remove_takes_a_path_as_the_cli_does(make_qa, tmp_path) -> None:
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_text(f"{name} says zinc rose 2%.\n", encoding="utf-8")
    qa = make_qa()
    qa.ingest([tmp_path])
    qa.remove(str(tmp_path / "a.md"))
    assert [d.path.rsplit("/", 1)[-1] for d in qa.documents()] == ["b.md"]
    qa.remove(qa.documents()[0].doc_id)  # and an id, as before
    assert qa.documents() == []
    with pytest.raises(NotFoundError):
        qa.remove(str(tmp_path / "a.md"))
    with pytest.raises(InvalidInputError, match="str"):
        qa.remove(42)  # type: ignore[arg-type]
    for odd in ("a\x00b", "a/\udcff.md"):  # a NUL byte, undecodable bytes: no such document
        with pytest.raises(NotFoundError):
            qa.remove(odd)
    result = run_cli("remove", "a/\udcff.md")
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr


def test_remove_takes_a_path_object(make_qa, tmp_path) -> None:
    from pathlib import Path

    (tmp_path / "a.md").write_text("Zinc rose 2%.\n", encoding="utf-8")
    qa = make_qa()
    qa.ingest([tmp_path])
    qa.remove(Path(tmp_path / "a.md"))
    assert qa.documents() == []


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"question": ""}, InvalidQuestionError),
        ({"question": "Who owns Minago?", "top_k": 0}, InvalidInputError),
        ({"question": "Who owns Minago?", "mode": "bogus"}, InvalidInputError),
        ({"question": "Who owns Minago?", "history": "nonsense"}, InvalidInputError),
    ],
)
def test_ask_stream_checks_its_input_when_called_not_when_first_read(
    corpus_qa, kwargs: dict, error: type
) -> None:
    with pytest.raises(error):
        corpus_qa.ask_stream(**kwargs)  # no iteration: a bad call fails where it is made


@pytest.mark.parametrize("args", [(42, 0, 5), ("DOC", "a", "b"), ("DOC", 0, 5.0), ("DOC", True, 5)])
def test_context_with_arguments_of_the_wrong_type_is_invalid_input(corpus_qa, args) -> None:
    doc_id = corpus_qa.documents()[0].doc_id
    args = tuple(doc_id if a == "DOC" else a for a in args)
    with pytest.raises(InvalidInputError):
        corpus_qa.context(*args)
