"""QAApp's handlers called directly: chat, follow-ups, sources, corpus upload/remove, eval."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("gradio")

from qa.answer.base import Answerer, Draft
from qa.types import Citation, SentenceSupport
from tests.support.ui import NEW_DOC
from ui.app import EMPTY_STORE, QAApp
from ui.eval_tab import EvalRunner, metrics_table

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
    (files / "binary.txt").write_bytes(b"\x00\x01\x02 binary")
    status = app.upload(sorted(str(p) for p in files.iterdir()))
    lines = dict(line[2:].split(": ", 1) for line in status.splitlines())
    assert lines["report.pdf"].startswith("could not be read (")  # a PDF is read, this one fails
    assert lines["big.txt"] == "2 KB is over the 1 KB limit per file"
    assert lines["empty.txt"] == "the file is empty"
    assert lines["binary.txt"].startswith("could not be read (binary content")
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
    other = tmp_path / "other"  # another file of the same name: the status says what it did
    other.mkdir()
    (other / "zorblax deal.md").write_text(NEW_DOC.replace("42 million", "43 million"), "utf-8")
    replaced = app.upload([str(other / "zorblax deal.md")])
    assert replaced.startswith("✓ zorblax deal.md: replaced the earlier upload of that name (")
    doc_id = rows[0][5]
    assert app.remove(doc_id) == "✓ removed Zorblax Mining buys the Quillon smelter"
    assert app.documents_rows() == [] and list(app.upload_dir.iterdir()) == []
    assert app.remove(doc_id).startswith("✗ no document with id")
    assert app.remove(None) == "Choose a document to remove."
    assert app.upload([]).startswith("No file selected")


BOX_DRAWING = set("─━│┃┄┅┆┇┈┉┊┋┌┍┎┏┐┑┒┓└┕┖┗┘┙┚┛├┝┞┟┠┡┢┣┤┥┦┧┨┩┪┫┬┭┮┯┰┱┲┳┴┵┶┷┸┹┺┻┼╭╮╯╰═║╔╗╚╝")


class Recorder:
    """Stands where gr.Progress does: records each call."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, str]] = []

    def __call__(self, value, desc: str = "", unit: str = "") -> None:
        self.calls.append((value, desc))


def test_eval_tab_runs_the_eval_in_process_with_progress(make_qa, tmp_path: Path):
    qa = make_qa()
    app = QAApp(qa)
    progress = Recorder()
    status, table, files, *plots = app.run_eval("quick", progress)
    assert status.startswith("Finished: 20 questions of smm-magnesium (dev split) in "), status
    counts = [v for v, _ in progress.calls if isinstance(v, tuple)]
    assert counts[0] == (0, 20) and counts[-1] == (20, 20) and len(counts) == 21
    assert "20 of 20 questions answered" in progress.calls[-1][1]
    assert "s elapsed" in progress.calls[-1][1]
    assert table["headers"] == ["metric", "dev"]
    rows = {row[0]: row[1] for row in table["value"]}
    assert rows["questions"] == "20" and 0 <= float(rows["answer accuracy"]) <= 1
    assert float(rows["retrieval hit@3"]) >= 0.5
    shown = [p for p in plots if p.get("visible")]
    assert {Path(p["value"]).name for p in shown} == {"categories.png", "latency.png"}
    assert all(Path(p["value"]).is_file() and p["label"] for p in shown)
    assert [Path(f).name for f in files] == ["report.md", "results.json"]
    text = status + repr(table["value"]) + Path(files[0]).read_text(encoding="utf-8")
    assert not BOX_DRAWING & set(text)
    assert qa.documents() == []  # the app's store is untouched: the eval has a home of its own
    assert Path(files[0]).parent.parent == Path(qa.settings.home) / "eval-runs"


def test_eval_tab_reports_a_missing_set_or_choice(make_qa, tmp_path: Path):
    qa = make_qa()
    runner = EvalRunner(qa.settings, tmp_path / "runs", set_path=tmp_path / "none.json")
    status, _table, files, *plots = QAApp(qa, eval_runner=runner).run_eval("quick")
    assert status.startswith("the eval set ") and "is not in this installation" in status
    assert files is None and all(p["visible"] is False for p in plots)
    assert not runner.run("everything").ok


def test_metrics_table_has_a_row_per_metric_and_a_column_per_split():
    from qa.evaluation.runner import Run

    summary = {"questions": 3, "hit@3": 0.91234, "accuracy": None}
    run = Run(
        meta={"split": "all"},
        summary={
            "overall": summary,
            "splits": {"dev": {**summary, "questions": 2}, "test": {**summary, "questions": 1}},
            "categories": {},
        },
    )
    headers, rows = metrics_table(run)
    assert headers == ["metric", "all", "dev", "test"]
    by_label = {r[0]: r[1:] for r in rows}
    assert by_label["questions"] == ["3", "2", "1"]
    assert by_label["retrieval hit@3"] == ["0.912"] * 3
    assert by_label["answer accuracy"] == ["-"] * 3


DATA = Path(__file__).parent / "data" / "ui"
HTML_WITH_AUTHOR = """<!doctype html><html><head><title>Port fees rise</title>
<meta name="author" content="Jane Byline"><meta property="og:site_name" content="Harbour News">
</head><body><article><p>The port of Brisk raised its fees by 4 percent.</p></article></body></html>
"""


def test_pdf_upload_then_ask_and_the_publisher_column(make_qa, tmp_path: Path):
    app = QAApp(make_qa())
    page = tmp_path / "port.html"
    page.write_text(HTML_WITH_AUTHOR, encoding="utf-8")
    status = app.upload([str(DATA / "vantor.pdf"), str(page)])
    assert "✓ vantor.pdf: added (" in status and "✓ port.html: added (" in status, status
    assert ".pdf" in app.upload_types()
    answer = app.ask("How many passengers did the Vantor Bay ferry carry in June?")
    assert not answer["abstained"] and "8,150 passengers" in answer["answer"]
    assert answer["citations"][0]["path"].endswith("vantor.pdf")
    rows = {r[0]: r for r in app.documents_rows()}
    assert rows["Port fees rise"][1] in ("", "Harbour News")  # the site if known, never
    assert "Jane Byline" not in repr(app.documents_rows())  # the author


def test_an_over_long_question_gets_the_cli_message(corpus_qa):
    from qa.errors import InvalidQuestionError

    app = QAApp(corpus_qa)
    question = "How much working capital did Wogen provide? " * 50  # 2,199 characters
    with pytest.raises(InvalidQuestionError) as cli_side:
        corpus_qa.check_question(question)
    items, (history, turns, _s, _d, box) = final(app.respond(question, [], []))
    assert len(items) == 1 and turns == []
    assert str(cli_side.value) in bubble(history) and "qa-error" in bubble(history)
    assert "the limit is 2000" in bubble(history)
    assert box == question.strip()  # kept in the box to shorten, never cut silently


def test_a_three_turn_conversation_that_switches_subject(corpus_qa):
    app = QAApp(corpus_qa)
    history: list = []
    turns: list = []
    searched = []
    for question in (
        "What technology does Magrathea employ?",
        "What does it extract magnesium from?",
        "What process has the Minago project introduced?",
        "How much dolomite does it have?",
    ):
        _, (history, turns, *_rest) = final(app.respond(question, history, turns))
        searched.append(bubble(history))
    assert len(turns) == 4 and len(history) == 8
    assert "Searched for: What does Magrathea extract magnesium from?" in searched[1]
    assert "Searched for" not in searched[2]
    assert "Searched for: How much dolomite does Minago have?" in searched[3]
    assert "111 million" in searched[3] and "brine" in searched[1]


def test_the_retrieval_table_shows_no_markdown_marks(corpus_qa):
    rows = QAApp(corpus_qa).retrieve("What is the Minago project?", 5)
    texts = [row[-1] for row in rows]
    assert texts and not any("## " in t or t.startswith("#") or "**" in t for t in texts)


def test_the_ask_endpoint_returns_the_cli_object_as_a_json_string(corpus_qa):
    import json

    got = QAApp(corpus_qa).ask_api(WOGEN)
    assert isinstance(got, str)
    data = json.loads(got)
    assert data["question"] == WOGEN and data["citations"][0]["path"].endswith(".md")


def test_answers_have_no_copy_button_that_would_copy_their_html(make_qa) -> None:
    import gradio as gr

    from ui.layout import build_blocks

    demo = build_blocks(QAApp(make_qa()))
    chat = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "qa-chat")
    assert isinstance(chat, gr.Chatbot)
    assert not {"copy", "copy_all"} & set(chat.buttons or [])
