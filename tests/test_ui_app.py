"""QAApp's handlers called directly: chat, follow-ups, sources, corpus upload/remove, eval."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("gradio")

from qa.answer.base import Answerer, Draft
from qa.types import Citation, SentenceSupport
from tests.support.ui import NEW_DOC
from ui.app import EMPTY_STORE, QAApp
from ui.eval_tab import UNAVAILABLE, EvalResult, EvalRunner, metrics_table

WOGEN = "How much working capital did Wogen provide to Magrathea?"


def final(gen):
    """Run a respond() generator to its end; returns (all yields, last yield)."""
    items = list(gen)
    return items, items[-1]


def bubble(history: list[dict]) -> str:
    return history[-1]["content"]


def test_chat_answer_with_citation_sources_and_debug_rows(corpus_qa):
    app = QAApp(corpus_qa)
    items, (history, turns, sources, debug, box) = final(app.respond(WOGEN, [], []))
    assert box == "" and len(items) >= 2
    assert "qa-streaming" in bubble(items[0][0])  # a placeholder shows before the answer
    html = bubble(history)
    assert history[0] == {"role": "user", "content": f'<div class="qa-question">{WOGEN}</div>'}
    assert '<summary class="qa-marker"' in html and "$10 million" in html
    assert '<mark class="qa-span">US emerging magnesium producer Magrathea' in sources
    assert "SMM · 2026-01-15 · corpus/smm-magnesium-industry-2026-01-15.md" in sources
    assert turns == [(WOGEN, corpus_qa.ask(WOGEN).text)]
    assert debug and debug[0][0] == 1 and isinstance(debug[0][1], float)


def test_follow_up_uses_the_history(corpus_qa):
    app = QAApp(corpus_qa)
    _, (history, turns, *_rest) = final(app.respond(WOGEN, [], []))
    _, (history, turns, *_rest) = final(
        app.respond("What technology does it employ?", history, turns)
    )
    assert len(history) == 4 and len(turns) == 2
    assert "Searched for: What technology does Magrathea employ?" in bubble(history)
    assert "electrolysis" in bubble(history)


def test_abstention_and_errors_read_clearly(corpus_qa, make_qa):
    app = QAApp(corpus_qa)
    _, (history, _turns, sources, *_rest) = final(
        app.respond("What is the capital of France?", [], [])
    )
    assert "Not found in the corpus." in bubble(history) and "qa-abstained" in bubble(history)
    assert "Not found in the corpus" in sources
    _, (history, turns, *_rest) = final(app.respond("   ", [], []))
    assert history == [] and turns == []
    _, (history, *_rest) = final(QAApp(make_qa()).respond(WOGEN, [], []))
    assert EMPTY_STORE.split(":")[0] in bubble(history) and "qa-error" in bubble(history)


class ScriptedAnswerer(Answerer):
    """Streams an answer in pieces; its second sentence is flagged as unsupported."""

    mode = "extractive"

    def answer(self, question, passages, query):
        hit = passages[0]
        start = hit.start
        end = hit.text.index(".") + start + 1
        quote = hit.text[: end - start]
        text = "First claim [1]. The Moon is made of cheese."
        return Draft(
            text=text,
            citations=[Citation(1, hit.doc_id, hit.title, hit.path, start, end, quote)],
            sentences=[
                SentenceSupport("First claim [1].", 0, 16, [1], 0.9, True),
                SentenceSupport("The Moon is made of cheese.", 17, 44, [], 0.0, False),
            ],
        )

    def stream(self, question, passages, query):
        draft = self.answer(question, passages, query)
        for i in range(0, len(draft.text), 10):
            yield draft.text[i : i + 10]
        yield draft


def test_streamed_answer_with_an_unsupported_sentence(make_qa, embedder, isolated_home):
    from qa import QA, Settings
    from tests.conftest import CORPUS

    qa = QA(Settings(home=isolated_home), embedder=embedder, answerer=ScriptedAnswerer())
    qa.ingest([CORPUS])
    items, (history, *_rest) = final(QAApp(qa).respond(WOGEN, [], []))
    partials = [bubble(h) for h, *_ in items[1:-1]]
    assert len(partials) == 5 and "First clai" in partials[0]
    assert all("qa-streaming" in p for p in partials)
    html = bubble(history)
    assert "qa-unsupported" in html and "⚠ unsupported" in html
    assert "1 sentence is not supported by the cited sources" in html


def test_blocks_have_analytics_off_and_a_bounded_queue(make_qa):
    demo = QAApp(make_qa(), concurrency=3, max_queue=40).build()
    assert demo.analytics_enabled is False
    assert demo._queue.max_size == 40
    assert demo._queue.default_concurrency_limit == 3


def test_mode_choices_offer_llm_only_when_configured(make_qa):
    assert [v for _, v in QAApp(make_qa()).mode_choices()] == ["extractive"]
    qa = make_qa(llm_base_url="http://127.0.0.1:9/v1", llm_model="m")
    assert [v for _, v in QAApp(qa).mode_choices()] == ["extractive", "llm"]


def test_upload_limits_ask_and_remove(make_qa, tmp_path: Path):
    qa = make_qa()
    app = QAApp(qa, max_upload_bytes=1000)
    files = tmp_path / "in"
    files.mkdir()
    (files / "zorblax deal.md").write_text(NEW_DOC, encoding="utf-8")
    (files / "report.pdf").write_bytes(b"%PDF-1.4")
    (files / "big.txt").write_text("word " * 400, encoding="utf-8")
    (files / "empty.txt").write_text("", encoding="utf-8")
    (files / "latin1.txt").write_bytes("caf\xe9 au lait".encode("latin-1"))
    status = app.upload(sorted(str(p) for p in files.iterdir()))
    lines = dict(line[2:].split(": ", 1) for line in status.splitlines())
    assert lines["report.pdf"].startswith("unsupported file type .pdf")
    assert lines["big.txt"] == "2 KB is over the 1 KB limit per file"
    assert lines["empty.txt"] == "the file is empty"
    assert lines["latin1.txt"].startswith("could not be read (not UTF-8")
    assert lines["zorblax deal.md"].startswith("added (")
    assert status.count("✓") == 1
    assert [p.name for p in app.upload_dir.iterdir()] == ["zorblax-deal.md"]

    rows = app.documents_rows()
    assert [r[:3] for r in rows] == [
        ["Zorblax Mining buys the Quillon smelter", "Test Wire", "2026-02-01"]
    ]
    answer = app.ask("How much did Zorblax Mining pay for the Quillon smelter?")
    assert not answer["abstained"] and "42 million dollars" in answer["answer"]
    assert answer["citations"][0]["title"] == "Zorblax Mining buys the Quillon smelter"

    assert "already ingested, unchanged" in app.upload([str(files / "zorblax deal.md")])
    doc_id = rows[0][5]
    assert app.remove(doc_id) == "✓ removed Zorblax Mining buys the Quillon smelter"
    assert app.documents_rows() == [] and list(app.upload_dir.iterdir()) == []
    assert app.remove(doc_id).startswith("✗ no document with id")
    assert app.remove(None) == "Choose a document to remove."
    assert app.upload([]).startswith("No file selected")


def test_eval_tab_when_qa_eval_is_unavailable(tmp_path: Path):
    runner = EvalRunner(tmp_path, command=[sys.executable, "-c", "import sys; sys.exit(2)"])
    assert list(runner.run()) == [EvalResult(ok=False, message=UNAVAILABLE)]


FAKE_EVAL = """
import json, sys, pathlib
if "--help" in sys.argv:
    sys.exit(0)
out = pathlib.Path(sys.argv[sys.argv.index("--out") + 1])
print("evaluating 3 questions", flush=True)
(out / "results.json").write_text(json.dumps({"meta": {"set": "x"}, "summary": {
    "overall": {"hit@3": 0.9, "accuracy": 0.8},
    "splits": {"dev": {"hit@3": 1.0, "accuracy": 0.75}, "test": {"hit@3": 0.7, "accuracy": 0.5}},
    "categories": {"amount": {"hit@3": 1.0}}}, "questions": [{"id": 1}]}))
(out / "report.md").write_text("# Eval report\\n\\n| metric | value |\\n|---|---|\\n| r | 1 |\\n")
(out / "plots").mkdir()
(out / "plots" / "recall.png").write_bytes(b"\\x89PNG\\r\\n\\x1a\\n")
"""


def test_eval_tab_runs_the_cli_and_reads_its_outputs(tmp_path: Path, make_qa):
    script = tmp_path / "fake_eval.py"
    script.write_text(FAKE_EVAL, encoding="utf-8")
    runner = EvalRunner(tmp_path / "runs", command=[sys.executable, str(script)])
    app = QAApp(make_qa(), eval_runner=runner)
    steps = list(app.run_eval())
    status, table, plots, report = steps[-1]
    assert any("evaluating 3 questions" in s[0] for s in steps[:-1])
    assert status.startswith("Eval finished; outputs in ")
    assert table["headers"] == ["metric", "all", "dev", "test"]
    assert table["value"] == [["hit@3", 0.9, 1.0, 0.7], ["accuracy", 0.8, 0.75, 0.5]]
    assert [Path(p).name for p in plots] == ["recall.png"]
    assert report.startswith("# Eval report")
    out = Path(status.split("outputs in ")[1].split("\n")[0])
    assert (out / "results.json").is_file()


def test_eval_failure_is_reported(tmp_path: Path):
    script = tmp_path / "failing.py"
    script.write_text(
        "import sys\nif '--help' in sys.argv: sys.exit(0)\nprint('boom: no eval set')\n"
        "sys.exit(3)\n",
        encoding="utf-8",
    )
    result = list(EvalRunner(tmp_path, command=[sys.executable, str(script)]).run())[-1]
    assert not result.ok and result.message == "`qa eval` failed (exit 3): boom: no eval set"


def test_metrics_table_ignores_what_is_not_a_metric():
    results = {"summary": {"overall": {"n": 3, "ok": True, "name": "x"}, "splits": {}}}
    assert metrics_table(results) == (["metric", "all"], [["n", 3.0]])
    assert metrics_table({"questions": [1]}) == (["metric"], [])


def test_eval_tab_runs_the_real_qa_eval(tmp_path: Path, make_qa):
    runner = EvalRunner(
        tmp_path / "runs",
        command=[sys.executable, "-m", "qa", "eval", "--split", "test"],
        env={"QA_HOME": str(tmp_path / "eval-home")},
    )
    status, table, plots, report = list(QAApp(make_qa(), eval_runner=runner).run_eval())[-1]
    assert status.startswith("Eval finished"), status
    assert table["headers"] == ["metric", "all", "test"]
    rows = {row[0]: row[1] for row in table["value"]}
    assert rows["hit@3"] >= 0.9 and 0 <= rows["accuracy"] <= 1
    assert {Path(p).name for p in plots} >= {"categories.png", "latency.png"}
    assert report.lstrip().startswith("#")
