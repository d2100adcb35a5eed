"""Eval-set formats: schema errors as one line, splits, unique ids, SQuAD answers, export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qa.evaluation.interop import export_labelled_rag
from qa.evaluation.sets import EvalQuestion, EvalSet, EvalSetError, hash_split, load_set
from tests.conftest import ROOT, run_cli

SET = ROOT / "qa" / "evaluation" / "sets" / "smm-magnesium.json"


def _fact(**changes: Any) -> dict[str, Any]:
    fact = {
        "id": "F01",
        "category": "company",
        "statement": "Wogen trades magnesium.",
        "evidence": ["Wogen trades magnesium"],
        "answers": ["Wogen"],
        "questions": [{"id": "F01-q1", "question": "Who trades magnesium?", "split": "dev"}],
    }
    return {**fact, **changes}


def _ours(tmp_path: Path, **data: Any) -> Path:
    """Our format with a corpus folder beside it."""
    (tmp_path / "corpus").mkdir(exist_ok=True)
    (tmp_path / "corpus" / "doc.md").write_text("Wogen trades magnesium.\n", encoding="utf-8")
    return _write(tmp_path / "set.json", {"corpus": "corpus", "facts": [_fact()], **data})


def _labelled(tmp_path: Path, *examples: dict[str, Any]) -> Path:
    (tmp_path / "source_files").mkdir(parents=True, exist_ok=True)
    (tmp_path / "source_files" / "doc.txt").write_text("Wogen trades magnesium.\n")
    return _write(tmp_path / "rag_dataset.json", {"examples": list(examples)})


def _example(**changes: Any) -> dict[str, Any]:
    return {"query": "Who trades magnesium?", "reference_answer": "Wogen", **changes}


def _squad_qa(qid: Any = "s1", **changes: Any) -> dict[str, Any]:
    qa = {
        "id": qid,
        "question": "Who trades magnesium?",
        "answers": [{"text": "Wogen", "answer_start": 0}],
    }
    return {**qa, **changes}


def _squad(tmp_path: Path, *qas: dict[str, Any], context: str = "Wogen trades magnesium.") -> Path:
    article = {"title": "Trade", "paragraphs": [{"context": context, "qas": list(qas)}]}
    return _write(tmp_path / "squad.json", {"version": "2.0", "data": [article]})


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _load(path: Path) -> EvalSet:
    return load_set(path, work_dir=path.parent / "work")


def _fails(path: Path, *needles: str) -> str:
    """The one-line EvalSetError that loading ``path`` raises; it names the file and ``needles``."""
    with pytest.raises(EvalSetError) as info:
        _load(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{path}: ")
    for needle in needles:
        assert needle in message
    return message


# ---- 1, 2. malformed sets are one-line errors naming the place ----------------------------
MALFORMED = {
    "multi_hop-not-object": ({"multi_hop": ["oops"]}, "multi_hop[0]: Input should be"),
    "facts-not-list": ({"facts": {"id": "F"}}, "facts: Input should be a valid list"),
    "answers-string": ({"facts": [_fact(answers="Wogen")]}, "facts[0].answers: "),
    "evidence-string": ({"facts": [_fact(evidence="Wogen")]}, "facts[0].evidence: "),
    "answers-empty": ({"facts": [_fact(answers=[])]}, "facts[0].answers: "),
    "evidence-blank": ({"facts": [_fact(evidence=["  "])]}, "facts[0].evidence[0]: "),
    "answer-number": ({"facts": [_fact(answers=[5])]}, "facts[0].answers[0]: "),
    "question-missing": (
        {"facts": [_fact(questions=[{"id": "q"}])]},
        "facts[0].questions[0].question: Field required",
    ),
    "category-missing": ({"facts": [_fact(category=None)]}, "facts[0].category: "),
    "multi_hop-no-answers": (
        {"multi_hop": [{"id": "M", "question": "?", "evidence": ["Wogen"]}]},
        "multi_hop[0]: needs 'answers' or 'answers_all'",
    ),
    "multi_hop-evidence-string": (
        {"multi_hop": [{"id": "M", "question": "?", "evidence": "Wogen", "answers": ["W"]}]},
        "multi_hop[0].evidence: ",
    ),
    "unanswerable-id-number": (
        {"unanswerable": [{"id": 3, "question": "?"}]},
        "unanswerable[0].id: ",
    ),
    # found by a new-user test: these were silently accepted
    "fact-without-questions": ({"facts": [_fact(questions=[])]}, "facts[0].questions: "),
    "duplicate-fact-id": (
        {"facts": [_fact(), _fact(questions=[{"id": "F01-q2", "question": "Who?"}])]},
        "duplicate fact id 'F01'",
    ),
    "unanswerable-with-evidence": (
        {"unanswerable": [{"id": "U", "question": "?", "evidence": ["Wogen trades"]}]},
        "unanswerable[0]: an unanswerable question has no evidence",
    ),
    "unanswerable-with-answers": (
        {"unanswerable": [{"id": "U", "question": "?", "answers": ["Wogen"]}]},
        "unanswerable[0]: an unanswerable question has no answers",
    ),
}


@pytest.mark.parametrize("data, place", MALFORMED.values(), ids=list(MALFORMED))
def test_malformed_ours_is_one_line_error(tmp_path, data, place):
    _fails(_ours(tmp_path, **data), place)


def test_malformed_set_needs_no_corpus_to_be_reported(tmp_path):
    path = _write(tmp_path / "set.json", {"corpus": "nowhere", "facts": [], "multi_hop": ["x"]})
    _fails(path, "multi_hop[0]")


@pytest.mark.parametrize(
    "data, place",
    [
        ({"data": ["oops"]}, "data[0]: Input should be a JSON object"),
        ({"data": [{"paragraphs": "oops"}]}, "data[0].paragraphs: "),
        ({"data": [{"title": "T", "paragraphs": [{"qas": []}]}]}, "data[0].paragraphs[0].context"),
    ],
)
def test_malformed_squad_is_one_line_error(tmp_path, data, place):
    _fails(_write(tmp_path / "squad.json", data), place)


@pytest.mark.parametrize(
    "qa, place",
    [
        (_squad_qa(question=5), "qas[0].question: Input should be a valid string"),
        (_squad_qa(answers="Wogen"), "qas[0].answers: "),
        (_squad_qa(answers=[{"text": "Wogen"}]), "qas[0].answers[0].answer_start: "),
        (_squad_qa(answers=[{"text": "W", "answer_start": "x"}]), "qas[0].answers[0].answer_start"),
        (_squad_qa(qid=None), "qas[0].id: "),
    ],
)
def test_malformed_squad_question_is_one_line_error(tmp_path, qa, place):
    _fails(_squad(tmp_path, qa), "data[0].paragraphs[0]." + place)


def test_squad_integer_ids_are_read_as_strings(tmp_path):
    assert [q.id for q in _load(_squad(tmp_path, _squad_qa(qid=7))).questions] == ["7"]


@pytest.mark.parametrize(
    "example, place",
    [
        (_example(qa_answers="Wogen"), "examples[0].qa_answers: "),
        (_example(reference_contexts="Wogen"), "examples[0].reference_contexts: "),
        (_example(query=None), "examples[0].query: "),
        (_example(qa_evidence=[{"doc": "doc.txt"}]), "examples[0].qa_evidence[0].quote: "),
    ],
)
def test_malformed_labelled_rag_is_one_line_error(tmp_path, example, place):
    _fails(_labelled(tmp_path, example), place)


def test_labelled_rag_examples_must_be_a_list(tmp_path):
    path = _labelled(tmp_path)
    _write(path, {"examples": "oops"})
    _fails(path, "examples: Input should be a valid list")


def test_a_card_beside_the_set_gives_its_published_baselines(tmp_path):
    path = _labelled(tmp_path, _example())
    assert _load(path).published_baselines == []  # no card: no baselines
    card = ROOT / "tests" / "data" / "llama-card.json"
    (tmp_path / "card.json").write_text(card.read_text("utf-8"), encoding="utf-8")
    (baseline,) = _load(path).published_baselines
    assert baseline["name"] == "llamaindex"
    assert baseline["config"]["similarityTopK"] == 2
    assert baseline["metrics"] == {
        "contextSimilarity": 0.934,
        "correctness": 4.239,
        "faithfulness": 0.977,
        "relevancy": 0.977,
    }


@pytest.mark.parametrize(
    "card, needle",
    [
        ("{not json", "cannot read"),
        ('{"baselines": [{"metrics": {}}]}', "baselines[0].name: "),
        ('{"baselines": [{"name": "x", "metrics": {"correctness": "high"}}]}', "correctness"),
    ],
)
def test_a_malformed_card_is_one_line_error(tmp_path, card, needle):
    path = _labelled(tmp_path, _example())
    (tmp_path / "card.json").write_text(card, encoding="utf-8")
    with pytest.raises(EvalSetError) as info:
        _load(path)
    message = str(info.value)
    assert "\n" not in message and needle in message
    assert message.startswith(f"{tmp_path / 'card.json'}: ") or message.startswith(
        f"cannot read {tmp_path / 'card.json'}: "
    )


# ---- 3. splits ---------------------------------------------------------------------------
def test_unknown_split_is_an_error_naming_the_allowed_ones(tmp_path):
    fact = _fact(questions=[{"id": "q", "question": "?", "split": "validation"}])
    _fails(_ours(tmp_path, facts=[fact]), "facts[0].questions[0].split: ", "'dev'", "'test'")
    multi = {"id": "M", "question": "?", "evidence": ["W"], "answers": ["W"], "split": "train"}
    _fails(_ours(tmp_path, multi_hop=[multi]), "multi_hop[0].split: ", "'dev'", "'test'")
    labelled = _labelled(tmp_path / "l", _example(qa_split="validation"))
    _fails(labelled, "examples[0].qa_split: ", "'dev'", "'test'")


def test_questions_without_a_split_get_the_hash_split(tmp_path):
    ids = [f"Q{n:02d}" for n in range(12)]
    fact = _fact(questions=[{"id": i, "question": "?"} for i in ids])
    loaded = _load(_ours(tmp_path, facts=[fact], unanswerable=[{"id": "U1", "question": "?"}]))
    assert [q.split for q in loaded.questions] == [hash_split(i) for i in [*ids, "U1"]]
    assert {q.split for q in loaded.questions} == {"dev", "test"}


# ---- 4. unique question ids ----------------------------------------------------------------
def test_duplicate_ids_are_an_error_in_every_format(tmp_path):
    twice = [{"id": "q1", "question": "?"}, {"id": "q1", "question": "Again?"}]
    _fails(_ours(tmp_path, facts=[_fact(questions=twice)]), "duplicate question id 'q1'")
    unans = [{"id": "F01-q1", "question": "?"}]
    _fails(_ours(tmp_path, unanswerable=unans), "duplicate question id 'F01-q1'")
    labelled = _labelled(tmp_path / "l", _example(qa_id="x"), _example(qa_id="x"))
    _fails(labelled, "duplicate question id 'x'")
    _fails(_squad(tmp_path, _squad_qa("s1"), _squad_qa("s1")), "duplicate question id 's1'")


# ---- 5. SQuAD answers ----------------------------------------------------------------------
def test_squad_keeps_answers_whose_evidence_cannot_be_located(tmp_path):
    lost = _squad_qa("s2", answers=[{"text": "Wogen AG", "answer_start": 0}])
    mixed = _squad_qa(
        "s3", answers=[{"text": "Wogen AG", "answer_start": 0}, *_squad_qa()["answers"]]
    )
    s1, s2, s3 = _load(_squad(tmp_path, _squad_qa("s1"), lost, mixed)).questions
    assert (s1.answers, [(e.quote, e.start) for e in s1.evidence]) == (["Wogen"], [("Wogen", 0)])
    assert (s2.answers, s2.evidence, s2.answerable) == (["Wogen AG"], [], True)
    assert s3.answers == ["Wogen AG", "Wogen"] and [e.quote for e in s3.evidence] == ["Wogen"]


def test_squad_answers_not_in_their_context_are_one_warning_naming_the_questions(tmp_path):
    lost = _squad_qa("s2", answers=[{"text": "Wogen AG", "answer_start": 0}])
    mixed = _squad_qa(
        "s3", answers=[{"text": "Wogen AG", "answer_start": 0}, *_squad_qa()["answers"]]
    )
    moved = _squad_qa("s4", answers=[{"text": "magnesium", "answer_start": 2}])  # found elsewhere
    impossible = _squad_qa("s5", answers=[], is_impossible=True)
    path = _squad(tmp_path, _squad_qa("s1"), lost, mixed, moved, impossible)
    eval_set = _load(path)
    assert [q.id for q in eval_set.questions] == ["s1", "s2", "s3", "s4", "s5"]  # all kept
    [warning] = eval_set.warnings
    assert warning.startswith(f"{path}: no answer of 1 question(s) is in its context (s2);")
    assert "no gold evidence" in warning and "\n" not in warning
    assert _load(_squad(tmp_path, _squad_qa("s1"), moved)).warnings == []


def test_squad_2_impossible_questions_are_unanswerable(tmp_path):
    impossible = _squad_qa("s2", question="Who mines gold?", answers=[], is_impossible=True)
    plausible = _squad_qa("s3", is_impossible=True, plausible_answers=[{"text": "Wogen"}])
    path = _squad(tmp_path, _squad_qa("s1", is_impossible=False), impossible, plausible)
    s1, s2, s3 = _load(path).questions
    assert s1.answerable and not s2.answerable and not s3.answerable
    assert (s2.answers, s2.evidence, s3.answers, s3.evidence) == ([], [], [], [])


# ---- 6. export round trip ----------------------------------------------------------------
def _fields(q: EvalQuestion) -> tuple[Any, ...]:
    return (
        q.id,
        q.question,
        q.category,
        q.split,
        q.answers,
        q.answers_mode,
        q.evidence,
        q.evidence_mode,
        q.statement,
        q.style,
        q.answerable,
    )


def _round_trip(path: Path, out: Path) -> tuple[EvalSet, EvalSet]:
    first = load_set(path, work_dir=out.parent / "work")
    back = load_set(export_labelled_rag(first, out), work_dir=out.parent / "work2")
    return first, back


def test_export_round_trip_of_our_set(tmp_path):
    ours, back = _round_trip(SET, tmp_path / "llama")
    assert back.format == "labelled-rag"
    assert [_fields(q) for q in back.questions] == [_fields(q) for q in ours.questions]


def test_export_round_trip_of_squad_keeps_pinned_evidence(tmp_path):
    context = "Room 308 is on floor 3. The lab in room 308 opened in 1999."
    qas = [
        _squad_qa("r1", question="Which room?", answers=[{"text": "308", "answer_start": 40}]),
        _squad_qa("r2", question="When?", answers=[{"text": "in 1999", "answer_start": 51}]),
        _squad_qa("r3", question="Lost?", answers=[{"text": "room 309", "answer_start": 0}]),
        _squad_qa("r4", question="Why?", answers=[], is_impossible=True),
    ]
    squad, back = _round_trip(_squad(tmp_path, *qas, context=context), tmp_path / "llama")
    r1 = squad.questions[0].evidence
    assert [(e.quote, e.doc, e.start) for e in r1] == [("308", "001-trade.txt", 40)]
    assert [_fields(q) for q in back.questions] == [_fields(q) for q in squad.questions]
    example = json.loads((tmp_path / "llama" / "rag_dataset.json").read_text())["examples"][0]
    assert example["reference_contexts"] == ["308"]
    assert example["qa_evidence"] == [{"quote": "308", "doc": "001-trade.txt", "start": 40}]


def test_labelled_rag_prefers_qa_evidence_over_reference_contexts(tmp_path):
    pinned = {"quote": "magnesium", "doc": "doc.txt", "start": 13}
    path = _labelled(tmp_path, _example(reference_contexts=["Wogen"], qa_evidence=[pinned]))
    (q,) = _load(path).questions
    assert [(e.quote, e.doc, e.start) for e in q.evidence] == [("magnesium", "doc.txt", 13)]
    (plain,) = _load(_labelled(tmp_path, _example(reference_contexts=["Wogen"]))).questions
    assert [(e.quote, e.doc, e.start) for e in plain.evidence] == [("Wogen", None, None)]


# ---- 7. where an export may be written -----------------------------------------------------
def test_re_export_in_place_and_again(tmp_path):
    out = tmp_path / "llama"
    path = export_labelled_rag(load_set(SET, work_dir=tmp_path), out)
    before = path.read_text(encoding="utf-8")
    again = export_labelled_rag(load_set(SET, work_dir=tmp_path), out)  # same set, same folder
    in_place = export_labelled_rag(load_set(path, work_dir=tmp_path), out)  # its own documents
    assert again == in_place == path
    assert sorted(p.name for p in (out / "source_files").iterdir()) == sorted(
        p.name for p in (ROOT / "corpus").iterdir() if not p.name.startswith(".")
    )
    assert [_fields(q) for q in load_set(path, work_dir=tmp_path).questions] == [
        _fields(q) for q in load_set(SET, work_dir=tmp_path).questions
    ]
    assert json.loads(before)["examples"][0]["qa_id"] == "F01-q1"


def test_export_to_a_file_is_an_error(tmp_path):
    out = tmp_path / "taken.json"
    out.write_text("mine")
    with pytest.raises(EvalSetError, match="is a file"):
        export_labelled_rag(load_set(SET, work_dir=tmp_path), out)
    assert out.read_text() == "mine"


def test_export_refuses_a_folder_with_other_files_and_writes_nothing(tmp_path):
    out = tmp_path / "llama"
    (out / "source_files").mkdir(parents=True)
    (out / "source_files" / "notes.txt").write_text("mine")
    with pytest.raises(EvalSetError, match=r"notes\.txt"):
        export_labelled_rag(load_set(SET, work_dir=tmp_path), out)
    assert [p.name for p in (out / "source_files").iterdir()] == ["notes.txt"]
    assert not (out / "rag_dataset.json").exists()


def test_cli_re_export_in_place_and_malformed_set(tmp_path):
    out = tmp_path / "llama"
    first = run_cli("eval", "export", str(out), "--set", str(SET))
    assert first.returncode == 0, first.stderr
    again = run_cli("eval", "export", str(out), "--set", str(out / "rag_dataset.json"))
    assert again.returncode == 0, again.stderr
    bad = _write(tmp_path / "bad.json", {"corpus": "corpus", "facts": [], "multi_hop": ["oops"]})
    failed = run_cli("eval", "export", str(tmp_path / "x"), "--set", str(bad))
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
    assert "multi_hop[0]" in failed.stderr


def test_the_off_topic_builder_adds_its_questions_as_unanswerable(tmp_path: Path) -> None:
    import subprocess
    import sys

    squad = {
        "data": [
            {
                "title": "Rail",
                "paragraphs": [
                    {
                        "context": "The Shinkansen opened in 1964.",
                        "qas": [
                            {
                                "id": "r1",
                                "question": "When did the Shinkansen open?",
                                "answers": [{"text": "1964", "answer_start": 25}],
                            }
                        ],
                    }
                ],
            }
        ]
    }
    source, out = tmp_path / "small.json", tmp_path / "with-off-topic.json"
    source.write_text(json.dumps(squad), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(ROOT / "eval" / "build_offtopic_set.py"), str(source), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    off_topic = json.loads((ROOT / "eval" / "sets" / "squad-off-topic.json").read_text("utf-8"))
    loaded = load_set(out, work_dir=tmp_path / "docs")
    unanswerable = [q for q in loaded.questions if not q.answerable]
    assert len(unanswerable) == len(off_topic["questions"]) == 300
    assert [q.id for q in loaded.questions if q.answerable] == ["r1"]
    texts = [p.read_text("utf-8") for p in (tmp_path / "docs").rglob("*.txt")]
    assert texts == ["The Shinkansen opened in 1964.\n"]  # the documents are unchanged


def test_a_limit_samples_evenly_across_the_split(tmp_path: Path) -> None:
    packaged = ROOT / "qa" / "evaluation" / "sets" / "smm-magnesium.json"
    eval_set = load_set(packaged, work_dir=tmp_path)
    dev = eval_set.select("dev")
    sample = eval_set.select("dev", 10)
    assert len(sample) == 10 and len({q.id for q in sample}) == 10
    assert sample == eval_set.select("dev", 10)  # the same on every run
    positions = [dev.index(q) for q in sample]
    assert positions[0] == 0 and positions == sorted(positions)
    assert positions[-1] >= len(dev) * 0.85  # reaches the end of the split, not its first tenth
    assert not all(q.answerable for q in sample)  # the unanswerable questions at the end are in
    assert eval_set.select("dev", len(dev) + 5) == dev


def test_documents_are_refused_for_a_set_that_names_its_own(tmp_path):
    path = _ours(tmp_path)
    with pytest.raises(EvalSetError, match="only for a LabelledRagDataset"):
        load_set(path, documents=tmp_path / "corpus", work_dir=tmp_path / "work")
    from qa.errors import InvalidPathError

    with pytest.raises(InvalidPathError, match="documents folder not found"):
        load_set(_labelled(tmp_path, _example()), documents=tmp_path / "nowhere")
    result = run_cli("eval", "--set", str(path), "--docs", str(tmp_path / "corpus"), "-q")
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "LabelledRagDataset" in result.stderr


def test_load_set_needs_no_work_dir_and_refuses_what_is_not_a_path(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_HOME", str(tmp_path / "home"))
    squad = _squad(tmp_path, _squad_qa())
    assert [q.id for q in load_set(squad).questions] == ["s1"]
    assert (tmp_path / "home" / "eval-docs").is_dir()  # SQuAD contexts written under QA_HOME
    from qa.errors import InvalidInputError

    for bad in (None, 5):
        with pytest.raises(InvalidInputError, match="must be a path"):
            load_set(bad)  # type: ignore[arg-type]
