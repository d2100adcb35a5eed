"""The eval suite (issue 3): evidence as spans, metrics, baselines, reports, interop, CI gate.

Real components only: the bundled embedding model and real Chroma stores. One full run of
the article's set (all splits, with baselines) is shared by the module.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from qa.evaluation import Run, eval_collection, load_set, run_eval
from qa.evaluation.compare import compare_runs
from qa.evaluation.evidence import EvidenceMap, Span, contains, covers, locate
from qa.evaluation.interop import export_labelled_rag
from qa.evaluation.metrics import accepted_in, normalise, summarise, token_f1
from qa.evaluation.report import write_report
from qa.evaluation.sets import EvalSetError, Evidence
from tests.conftest import ROOT, run_cli

SET = ROOT / "qa" / "evaluation" / "sets" / "smm-magnesium.json"
THRESHOLDS = json.loads((ROOT / "eval" / "thresholds.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def full_run(embedder, tmp_path_factory) -> Run:
    """The whole set, every split, with the baselines: the run the CI gate judges."""
    from qa import Settings

    home = tmp_path_factory.mktemp("eval-home")
    return run_eval(SET, settings=Settings(home=home), embedder=embedder, baselines=True)


# ---- 2. gold evidence is a quote, mapped to whatever chunks hold it ----------------------
def test_locate_finds_every_occurrence_and_tolerates_whitespace():
    text = "front\n---\nAlpha beta.  Gamma\ndelta. Alpha beta."
    assert locate("Alpha beta.", text) == [(10, 21), (36, 47)]
    assert locate("Gamma delta.", text) == [(23, 35)]
    assert locate("missing", text) == []


def test_span_rules():
    quote = Span("d", 100, 140)
    assert contains(Span("d", 0, 125), quote)  # holds 25 of 40 chars
    assert not contains(Span("d", 0, 115), quote)  # holds 15 of 40
    assert not contains(Span("other", 0, 500), quote)
    passage = Span("d", 0, 2000)  # a reference passage longer than the chunk
    assert contains(Span("d", 900, 1100), passage)
    assert covers(Span("d", 90, 150), quote) and not covers(Span("d", 120, 150), quote)
    assert covers(Span("d", 500, 600), passage)


@pytest.mark.parametrize("chunk_size", [64, 256])
def test_evidence_found_in_chunks_whatever_the_chunking(make_qa, chunk_size):
    qa = make_qa(chunk_size=chunk_size, chunk_overlap=8)
    eval_set = load_set(SET, work_dir=qa.settings.home)
    qa.ingest(eval_set.documents)
    from qa.documents import load_documents

    docs, _ = load_documents(eval_set.documents)
    evidence = EvidenceMap(docs)
    chunks = [
        Span(m["doc_id"], int(m["start"]), int(m["end"]))
        for d in docs
        for m, _ in qa._store.get_document_chunks(d.doc_id)
    ]
    for q in eval_set.questions:
        for item in evidence.for_question(q):
            assert item, q.id
            assert any(contains(c, e) for c in chunks for e in item), (chunk_size, q.id)


# ---- 3. metrics ----------------------------------------------------------------------------
def test_answer_normalisation_and_matching():
    assert normalise("Magrathea secured $10 million [1].") == [
        "magrathea",
        "secured",
        "10",
        "million",
    ]
    assert accepted_in("It secured $10 million [1].", ["10 million"])
    assert not accepted_in("In 1998 it grew.", ["98%"])
    # every currency sign goes as "$" does; a number's point and separators stay inside it
    assert accepted_in("It invested €275 million.", ["275 million"])
    assert accepted_in("The prize is £250,000 [2].", ["250,000"])
    assert not accepted_in("Sales grew 48.5 percent.", ["5 percent"])
    assert not accepted_in("It cost 1,500 dollars.", ["500 dollars"])
    assert token_f1("€275 million", "275 million") == 1.0
    assert accepted_in("Arkansas and Manitoba.", ["Arkansas", "Manitoba"], "all")
    assert not accepted_in("Arkansas only.", ["Arkansas", "Manitoba"], "all")
    assert token_f1("the 10 million dollars", "$10 million") == pytest.approx(0.8)
    assert token_f1("", "x") == 0.0


def test_metrics_on_hand_made_results():
    from qa.evaluation.metrics import QuestionResult

    def row(**kw):
        base = dict(
            id="x",
            question="?",
            category="c",
            split="test",
            answerable=True,
            answer="a",
            abstained=False,
            evidence_found=True,
            rank=1,
            correct=True,
            f1=1.0,
            citations=[{"doc_id": "d", "start": 0, "end": 10}],
            citations_on_evidence=1,
            citation_covers=True,
            latency_ms=10.0,
        )
        return QuestionResult(**{**base, **kw})

    results = [
        row(),
        row(rank=4, correct=False, f1=0.0, citation_covers=False, citations_on_evidence=0),
        row(
            abstained=True,
            correct=False,
            f1=0.0,
            citations=[],
            citations_on_evidence=0,
            citation_covers=False,
            rank=None,
            latency_ms=30.0,
        ),
        row(
            answerable=False,
            abstained=True,
            correct=True,
            f1=None,
            citations=[],
            citations_on_evidence=0,
            citation_covers=None,
            rank=None,
            evidence_found=False,
        ),
        row(
            answerable=False,
            abstained=False,
            correct=False,
            f1=None,
            citation_covers=None,
            citations_on_evidence=0,
            rank=None,
            evidence_found=False,
        ),
    ]
    s = summarise(results)
    assert s["hit@1"] == pytest.approx(1 / 3) and s["hit@5"] == pytest.approx(2 / 3)
    assert s["mrr"] == pytest.approx((1 + 0.25 + 0) / 3)
    assert s["accuracy"] == pytest.approx(1 / 3)
    assert s["citation_precision"] == pytest.approx(1 / 3)  # 3 citations, 1 on evidence
    assert s["citation_recall"] == pytest.approx(1 / 3)
    assert s["cited_chars"] == 10
    assert s["abstention_precision"] == pytest.approx(1 / 2)
    assert s["abstention_recall"] == pytest.approx(1 / 2)
    assert s["false_abstention"] == pytest.approx(1 / 3)
    assert s["latency_p50_ms"] == 10.0 and s["latency_p95_ms"] == pytest.approx(26.0)


def test_run_reports_every_metric_overall_per_split_and_category(full_run):
    keys = {
        "hit@1",
        "hit@3",
        "hit@5",
        "mrr",
        "accuracy",
        "f1",
        "citation_precision",
        "citation_recall",
        "cited_chars",
        "abstention_precision",
        "abstention_recall",
        "false_abstention",
        "latency_p50_ms",
        "latency_p95_ms",
    }
    summary = full_run.summary
    assert keys <= set(summary["overall"])
    assert set(summary["splits"]) == {"dev", "test"}
    assert {"company", "amount", "multi_hop", "unanswerable"} <= set(summary["categories"])
    assert summary["overall"]["questions"] == len(load_set(SET, work_dir=ROOT).questions)
    assert all(r.evidence_found for r in full_run.results if r.answerable)
    assert full_run.meta["collection"].startswith("eval-smm-magnesium-")


# ---- 4. baselines side by side -------------------------------------------------------------
def test_baselines_run_beside_qa(full_run):
    baselines = full_run.summary["overall"]["baselines"]
    assert set(baselines) == {"naive-llamaindex", "bm25"}
    for metrics in baselines.values():
        assert 0 < metrics["hit@1"] <= metrics["hit@3"] <= metrics["hit@5"] <= 1
    naive = full_run.results[0].baseline_retrieved["naive-llamaindex"]
    assert len(naive) == 2  # top-k 2
    assert full_run.summary["overall"]["hit@3"] >= baselines["bm25"]["hit@3"]


# ---- 5. reports and compare ----------------------------------------------------------------
def test_report_files(full_run, tmp_path):
    report = write_report(full_run, tmp_path)
    data = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert len(data["questions"]) == len(full_run.results)
    first = data["questions"][0]
    for key in ("retrieved", "answer", "citations", "rank", "correct", "f1", "latency_ms"):
        assert key in first
    text = report.read_text(encoding="utf-8")
    assert "hit@3" in text and "baselines.png" in text
    for png in ("categories.png", "latency.png", "baselines.png"):
        assert (tmp_path / png).read_bytes()[:4] == b"\x89PNG"
    assert Run.load(tmp_path).summary == full_run.summary


def test_compare_lists_flipped_questions(full_run):
    import copy

    other = copy.deepcopy(full_run)
    target = next(r for r in other.results if r.answerable and r.correct)
    target.correct = False
    other.summary["overall"]["accuracy"] -= 0.01
    diff = compare_runs(full_run, other)
    assert [f["id"] for f in diff["flipped"]] == [target.id]
    assert diff["flipped"][0]["direction"] == "worse"
    assert diff["deltas"]["accuracy"]["delta"] == pytest.approx(-0.01)


def test_cli_eval_and_compare(tmp_path):
    out = tmp_path / "run"
    done = run_cli("eval", "--limit", "4", "--split", "test", "--out", str(out), "-q")
    assert done.returncode == 0, done.stderr
    assert (out / "results.json").is_file() and (out / "report.md").is_file()
    done = run_cli("eval", "compare", str(out), str(out / "results.json"), "--json")
    assert done.returncode == 0, done.stderr
    diff = json.loads(done.stdout)
    assert diff["flipped"] == [] and diff["deltas"]["accuracy"]["delta"] == 0
    bad = run_cli("eval", "--split", "nope")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    judge = run_cli("eval", "--judge", "--limit", "1")
    assert judge.returncode == 2 and "LLM" in judge.stderr and judge.stderr.count("\n") == 1
    afile = tmp_path / "afile"
    afile.write_text("keep me", encoding="utf-8")
    for target in (afile, afile / "sub"):  # refused before the run, not after it
        bad_out = run_cli("eval", "--limit", "1", "--out", str(target), "-q")
        assert bad_out.returncode == 2 and bad_out.stderr.count("\n") == 1
        assert "is a file" in bad_out.stderr
    assert afile.read_text(encoding="utf-8") == "keep me"
    broken = tmp_path / "broken.json"
    for text in ('{"meta": {}, "summary": {}, "questions": []}', "[]", '{"meta": 1}'):
        broken.write_text(text, encoding="utf-8")
        done = run_cli("eval", "compare", str(out), str(broken))
        assert done.returncode == 2 and done.stderr.startswith("qa: error: not an eval run")
        assert done.stderr.count("\n") == 1


def test_a_split_without_questions_is_refused_before_the_ingest(tmp_path):
    data = json.loads(SET.read_text(encoding="utf-8"))
    for group in (data["facts"], data["multi_hop"], data["unanswerable"]):
        for item in group:
            for q in item.get("questions", [item]):
                q["split"] = "dev"
    only_dev = tmp_path / "eval" / "sets" / "dev-only.json"
    only_dev.parent.mkdir(parents=True)
    only_dev.write_text(json.dumps(data), encoding="utf-8")
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    with pytest.raises(EvalSetError, match="no questions in split 'test'"):
        run_eval(only_dev, split="test")
    assert not (tmp_path / "home" / "chroma").exists()  # nothing was ingested


def _tiny_set(folder: Path, **changes: object) -> Path:
    """Our format, one document and one fact, ``changes`` applied to the fact's question."""
    (folder / "corpus").mkdir(parents=True, exist_ok=True)
    (folder / "corpus" / "doc.md").write_text(
        "# Zinc\n\nThe Tornby zinc smelter employs 240 people.\n", encoding="utf-8"
    )
    question = {"id": "q1", "question": "How many people does the smelter employ?", **changes}
    fact = {
        "id": "F1", "category": "count", "evidence": ["The Tornby zinc smelter employs 240"],
        "answers": ["240"], "questions": [question],
    }  # fmt: skip
    path = folder / "set.json"
    path.write_text(json.dumps({"corpus": "corpus", "facts": [fact]}), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": -1}, "limit"),
        ({"limit": True}, "limit"),
        ({"mode": "bogus"}, "'extractive' or 'llm'"),
    ],
)
def test_run_eval_refuses_bad_arguments_before_the_ingest(tmp_path, kwargs, needle):
    from qa.config import Settings
    from qa.errors import InvalidInputError

    path = _tiny_set(tmp_path)
    with pytest.raises(InvalidInputError, match=needle):
        run_eval(path, settings=Settings(home=tmp_path / "home"), **kwargs)
    for bad in (None, 5):
        with pytest.raises(InvalidInputError, match="must be a path"):
            run_eval(bad, settings=Settings(home=tmp_path / "home"))  # type: ignore[arg-type]
    assert not (tmp_path / "home" / "chroma").exists()  # nothing was ingested


def test_an_over_long_question_in_a_set_is_refused_at_load_naming_it(tmp_path):
    path = _tiny_set(tmp_path, question="How many " + "very " * 500 + "people?")
    result = run_cli("eval", "--set", str(path), "-q")
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert str(path) in result.stderr and "'q1'" in result.stderr and "2000" in result.stderr
    assert not (tmp_path / "qa-home" / "chroma").exists()  # refused before the ingest


def test_a_question_that_is_not_valid_text_is_refused_at_load_naming_it(tmp_path):
    from qa.config import Settings

    path = _tiny_set(tmp_path, question="How many people\udcff?")
    with pytest.raises(EvalSetError, match="'q1' is not valid text"):
        run_eval(path, settings=Settings(home=tmp_path / "home"))
    assert not (tmp_path / "home" / "chroma").exists()


def test_a_gold_quote_not_in_the_documents_is_warned_of_even_when_quiet(tmp_path):
    path = _tiny_set(tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["facts"][0]["evidence"] = ["The Tornby lead smelter has 240 staff"]  # a typo'd quote
    path.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "run"
    result = run_cli("eval", "--set", str(path), "-q", "--out", str(out))
    assert result.returncode == 0, result.stderr
    warning = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warning) == 1 and "1 answerable question(s)" in warning[0] and "q1" in warning[0]
    assert (out / "results.json").is_file()
    fixed = _tiny_set(tmp_path / "fixed")
    result = run_cli("eval", "--set", str(fixed), "-q", "--out", str(out / "2"))
    assert result.returncode == 0 and "warning" not in result.stderr, result.stderr


def test_a_squad_answer_not_in_its_context_is_warned_of_even_when_quiet(tmp_path):
    context = "Harbour Town was founded in 1821 by fishermen. Its lighthouse is 42 metres tall."
    qas = [
        ("h1", "When was Harbour Town founded?", "1821", 28),
        ("h2", "How tall is the lighthouse?", "42 meters", 67),  # not in the context
        ("h3", "Who founded Harbour Town?", "sailors", 3),  # nor this
    ]
    squad = {
        "version": "1.1",
        "data": [
            {
                "title": "Harbour",
                "paragraphs": [
                    {
                        "context": context,
                        "qas": [
                            {"id": i, "question": q, "answers": [{"text": t, "answer_start": s}]}
                            for i, q, t, s in qas
                        ],
                    }
                ],
            }
        ],
    }
    path = tmp_path / "squad.json"
    path.write_text(json.dumps(squad), encoding="utf-8")
    out = tmp_path / "run"
    result = run_cli("eval", "--set", str(path), "-q", "--out", str(out))
    assert result.returncode == 0, result.stderr
    warning = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warning) == 1 and warning[0].startswith("qa eval: warning: ")
    assert "2 question(s) is in its context (h2, h3)" in warning[0] and str(path) in warning[0]
    run = Run.load(out)
    assert [r.id for r in run.results] == ["h1", "h2", "h3"]  # the set is still evaluated
    assert run.meta["set_warnings"] == [warning[0].removeprefix("qa eval: warning: ")]


def test_a_report_that_cannot_be_written_leaves_the_results_elsewhere(full_run, tmp_path):
    from qa.errors import QAError

    blocker = tmp_path / "blocker"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(QAError, match="the results are in") as caught:
        write_report(full_run, blocker / "run")
    rescued = Run.load(Path(str(caught.value).rsplit(" ", 1)[-1]))
    assert [r.id for r in rescued.results] == [r.id for r in full_run.results]


def test_compare_says_how_the_runs_differ_and_keeps_metrics_one_run_lacks(full_run, capsys):
    import copy

    from qa.evaluation.compare import print_comparison

    run, other = copy.deepcopy(full_run), copy.deepcopy(full_run)
    other.meta["split"] = "dev"
    other.summary["overall"]["hit@1"] = None
    for r in (run.results[0], other.results[0]):  # the same question in both: it is shared
        r.question = "Why is [citation needed] shown, and what is [/]?"
    other.results[0].correct = not full_run.results[0].correct
    diff = compare_runs(run, other)
    assert diff["mismatch"] == {"split": [full_run.meta["split"], "dev"]}
    assert diff["deltas"]["hit@1"]["b"] is None and diff["deltas"]["hit@1"]["delta"] is None
    print_comparison(diff)  # markup-like text is shown as written, not parsed
    shown = capsys.readouterr().out
    assert "the runs differ in split" in shown and "[citation needed]" in shown


def _renamed(run: Run, prefix: str) -> Run:
    """A copy of ``run`` whose questions have other ids: a run of another set."""
    import copy

    other = copy.deepcopy(run)
    for r in other.results:
        r.id = prefix + r.id
    return other


def test_compare_of_runs_sharing_part_of_their_questions_is_on_the_shared_ones(full_run):
    import copy

    from qa.evaluation.compare import overlap_warning

    n = len(full_run.results)
    a, b = copy.deepcopy(full_run), copy.deepcopy(full_run)
    a.results = a.results[: n - 3]  # as another --limit or split would leave
    b.results = [*b.results[2:], *_renamed(full_run, "x-").results[:1]]
    flipped = next(r for r in b.results[: n - 5] if r.answerable and r.correct)  # a shared one
    flipped.correct = False
    diff = compare_runs(a, b)
    shared = [r.id for r in a.results[2:]]
    assert diff["compared"] == len(shared) == n - 5
    assert diff["only_in_a"] == sorted(r.id for r in a.results[:2])
    new_ones = [r.id for r in full_run.results[n - 3 :]] + [f"x-{full_run.results[0].id}"]
    assert diff["only_in_b"] == sorted(new_ones)
    assert diff["deltas"]["questions"] == {"a": n - 5, "b": n - 5, "delta": 0}
    answerable = [r for r in a.results[2:] if r.answerable and r.correct is not None]
    assert diff["deltas"]["accuracy"]["delta"] == pytest.approx(-1 / len(answerable))
    assert [f["id"] for f in diff["flipped"]] == [flipped.id]
    assert overlap_warning(diff) == (
        f"compared on the {n - 5} question(s) both runs have; left out: 2 of A's {n - 3} and "
        f"4 of B's {n - 1}"
    )
    assert overlap_warning(compare_runs(full_run, full_run)) == ""


def test_compare_refuses_runs_that_share_no_question(full_run, tmp_path):
    import copy

    from qa.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="share no questions: not runs of the same set"):
        compare_runs(full_run, _renamed(full_run, "other-"))
    full_run.save(tmp_path / "a")
    _renamed(full_run, "other-").save(tmp_path / "b")
    part = copy.deepcopy(full_run)
    part.results = part.results[1:]
    part.save(tmp_path / "part")
    done = run_cli("eval", "compare", str(tmp_path / "a"), str(tmp_path / "b"))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "share no questions" in done.stderr
    done = run_cli("eval", "compare", str(tmp_path / "a"), str(tmp_path / "part"), "--json")
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("qa eval compare: warning: ")
    assert "left out: 1 of A's" in done.stderr and "0 of B's" in done.stderr
    assert json.loads(done.stdout)["compared"] == len(full_run.results) - 1


def _other_questions(run: Run, count: int) -> Run:
    """A copy of ``run`` whose first ``count`` questions are other questions under the same
    ids (a run of another set that numbers its questions alike), the first with the other
    correctness."""
    import copy

    other = copy.deepcopy(run)
    for n, r in enumerate(other.results[:count]):
        r.question = f"How many ferries did the other set's port {n} run in 2019?"
    other.results[0].correct = not run.results[0].correct
    return other


def test_compare_leaves_out_ids_that_name_another_question_in_each_run(full_run, tmp_path):
    """A new-user test: two runs of different sets whose ids coincide were compared as if
    they shared those questions (matched by id alone). A question is shared when its id and
    its text are the same; the others are named in the warning and left out."""
    n = len(full_run.results)
    full_run.save(tmp_path / "a")
    _other_questions(full_run, 3).save(tmp_path / "b")
    done = run_cli("eval", "compare", str(tmp_path / "a"), str(tmp_path / "b"), "--json")
    assert done.returncode == 0, done.stderr
    diff = json.loads(done.stdout)
    ids = sorted(r.id for r in full_run.results[:3])
    assert diff["compared"] == n - 3 and diff["only_in_a"] == diff["only_in_b"] == []
    assert [q["id"] for q in diff["other_questions"]] == ids
    assert full_run.results[0].id not in [f["id"] for f in diff["flipped"]]
    assert diff["deltas"]["questions"] == {"a": n - 3, "b": n - 3, "delta": 0}
    assert done.stderr == (
        f"qa eval compare: warning: compared on the {n - 3} question(s) both runs have; left "
        f"out: 3 of A's {n} and 3 of B's {n}, of them 3 with the same id and another question: "
        f"{', '.join(ids)}\n"
    )
    # no question in common, only ids: refused as runs of other sets are
    _other_questions(full_run, n).save(tmp_path / "c")
    done = run_cli("eval", "compare", str(tmp_path / "a"), str(tmp_path / "c"))
    assert done.returncode == 2 and done.stdout == "" and done.stderr.count("\n") == 1
    assert "share no questions" in done.stderr
    assert f"{n} id(s) are the same with another question" in done.stderr


def test_questions_whose_evidence_is_not_in_the_documents_are_left_out_and_counted():
    from qa.evaluation.metrics import QuestionResult

    def row(qid: str, found: bool, on: int) -> QuestionResult:
        return QuestionResult(
            id=qid, question="?", category="c", split="dev", answerable=True, answer="a",
            abstained=False, evidence_found=found, rank=1 if found else None, correct=True,
            f1=1.0, citations=[{"doc_id": "d", "start": 0, "end": 5}], citations_on_evidence=on,
            citation_covers=found or None,
        )  # fmt: skip

    summary = summarise([row("a", True, 1), row("b", False, 0)])
    assert summary["evidence_missing"] == 1
    assert summary["citation_precision"] == 1.0  # b's citation cannot be judged: not counted
    assert summary["hit@1"] == 1.0 and summary["citation_recall"] == 1.0


def test_evidence_is_located_in_the_body_not_the_front_matter():
    from qa.documents import load_file

    doc = load_file(ROOT / "corpus" / next(p.name for p in (ROOT / "corpus").glob("*.md")))
    spans = EvidenceMap([doc]).spans(Evidence("Lemon Zhao"))
    assert spans and all(s.start >= doc.body_start for s in spans)
    assert doc.text.find("Lemon Zhao") < doc.body_start  # it is in the front matter too


def test_a_moved_checkout_is_evaluated_on_its_own_documents_only(embedder, tmp_path):
    """The eval collection mirrors the set: an older checkout's copy of the corpus is removed,
    not left to compete with the real one for the top ranks."""
    from qa import QA, Settings

    first, moved = tmp_path / "checkout", tmp_path / "checkout-moved"
    (first / "eval").mkdir(parents=True)
    shutil.copy(SET, first / "eval" / SET.name)
    shutil.copytree(ROOT / "corpus", first / "corpus")
    settings = Settings(home=tmp_path / "home")
    before = run_eval(first / "eval" / SET.name, settings=settings, embedder=embedder, limit=4)
    first.rename(moved)
    after = run_eval(moved / "eval" / SET.name, settings=settings, embedder=embedder, limit=4)
    collection = eval_collection(load_set(moved / "eval" / SET.name, work_dir=tmp_path / "w"))
    qa = QA(settings.model_copy(update={"collection": collection}), embedder=embedder)
    sources = [d.source for d in qa._store.documents().values()]
    assert len(sources) == 1 and "checkout-moved" in sources[0]
    assert [r.answer for r in after.results] == [r.answer for r in before.results]


def test_help_does_not_import_heavy_libraries():
    import subprocess

    code = (
        "import sys; from qa.cli import app; "
        "print([m for m in ('torch','chromadb','matplotlib','llama_index') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


# ---- 6. interop: LabelledRagDataset and SQuAD ----------------------------------------------
def test_labelled_rag_round_trip_and_run(embedder, tmp_path):
    from qa import QA, Settings

    ours = load_set(SET, work_dir=tmp_path)
    path = export_labelled_rag(ours, tmp_path / "llama")
    data = json.loads(path.read_text(encoding="utf-8"))
    ex = data["examples"][0]
    assert {"query", "query_by", "reference_contexts", "reference_answer"} <= set(ex)
    assert (tmp_path / "llama" / "source_files").is_dir()

    back = load_set(path, work_dir=tmp_path)
    assert back.format == "labelled-rag"
    assert [q.id for q in back.questions] == [q.id for q in ours.questions]
    for a, b in zip(ours.questions, back.questions, strict=True):
        assert (a.question, a.category, a.split, a.answers, a.evidence, a.answerable) == (
            b.question,
            b.category,
            b.split,
            b.answers,
            b.evidence,
            b.answerable,
        )
    settings = Settings(home=tmp_path / "home")
    run = run_eval(path, settings=settings, embedder=embedder, limit=6)
    assert run.meta["collection"] == eval_collection(back) != settings.collection
    assert run.summary["overall"]["hit@5"] is not None
    assert run.summary["overall"]["f1"] is not None
    assert QA(settings, embedder=embedder)._store.count() == (0, 0)  # default store untouched


def test_labelled_rag_needs_its_documents(tmp_path):
    path = tmp_path / "rag_dataset.json"
    path.write_text(json.dumps({"examples": [{"query": "q?", "reference_answer": "a"}]}))
    with pytest.raises(EvalSetError, match="source documents"):
        load_set(path, work_dir=tmp_path)


def test_squad_loader_and_runner_on_a_two_article_slice(embedder, tmp_path):
    from qa import Settings

    squad = {
        "version": "1.1",
        "data": [
            {
                "title": "Harbour_Town",
                "paragraphs": [
                    {
                        "context": "Harbour Town was founded in 1821 by fishermen. "
                        "Its lighthouse is 42 metres tall.",
                        "qas": [
                            {
                                "id": "h1",
                                "question": "When was Harbour Town founded?",
                                "answers": [{"text": "1821", "answer_start": 28}],
                            },
                            {
                                "id": "h2",
                                "question": "How tall is the lighthouse?",
                                "answers": [{"text": "42 metres", "answer_start": 67}],
                            },
                        ],
                    },
                    {
                        "context": "The town hosts a herring festival every June.",
                        "qas": [
                            {
                                "id": "h3",
                                "question": "What festival does the town host?",
                                "answers": [{"text": "a herring festival", "answer_start": 15}],
                            }
                        ],
                    },
                ],
            },
            {
                "title": "Glass Mountain",
                "paragraphs": [
                    {
                        "context": "Glass Mountain is a volcano made of obsidian. "
                        "It last erupted about 950 years ago.",
                        "qas": [
                            {
                                "id": "g1",
                                "question": "What rock is Glass Mountain made of?",
                                "answers": [{"text": "obsidian", "answer_start": 36}],
                            }
                        ],
                    }
                ],
            },
        ],
    }
    path = tmp_path / "tiny-squad.json"
    path.write_text(json.dumps(squad), encoding="utf-8")
    settings = Settings(home=tmp_path / "home")
    eval_set = load_set(path, work_dir=settings.home / "eval-docs")
    assert eval_set.format == "squad" and len(eval_set.questions) == 4
    files = sorted(p.name for p in eval_set.documents[0].iterdir())
    assert files == ["001-harbour-town.txt", "002-glass-mountain.txt"]
    second = (eval_set.documents[0] / files[0]).read_text(encoding="utf-8")
    h3 = next(q for q in eval_set.questions if q.id == "h3").evidence[0]
    assert second[h3.start : h3.start + len(h3.quote)] == "a herring festival"

    run = run_eval(path, settings=settings, embedder=embedder)
    assert run.meta["documents"] == 2
    assert all(r.evidence_found for r in run.results)
    assert run.summary["overall"]["hit@5"] == 1.0
    assert run.summary["overall"]["accuracy"] >= 0.75


# ---- 7. the CI gate --------------------------------------------------------------------------
@pytest.mark.parametrize("split", ["dev", "test"])
def test_ci_gate(full_run, split):
    measured = full_run.summary["splits"][split]
    assert full_run.meta["set"] == json.loads(SET.read_text(encoding="utf-8"))["name"]
    assert (
        THRESHOLDS["set"] == "qa/evaluation/sets/smm-magnesium.json"
        and THRESHOLDS["mode"] == "extractive"
    )
    assert full_run.meta["mode"] == THRESHOLDS["mode"]

    def shown(value: float | None) -> str:  # a metric with no questions to apply to is a failure
        return "none" if value is None else f"{value:.3f}"

    failures = [
        f"{key} {shown(measured.get(key))} < {floor}"
        for key, floor in THRESHOLDS["min"][split].items()
        if measured.get(key) is None or measured[key] < floor
    ]
    failures += [
        f"{key} {shown(measured.get(key))} > {ceiling}"
        for key, ceiling in THRESHOLDS["max"][split].items()
        if measured.get(key) is None or measured[key] > ceiling
    ]
    assert not failures, f"{split}: below the thresholds in eval/thresholds.json: {failures}"
