"""The launched app through gradio_client: /ask, upload, remove, auth and 20 users at once.

gradio_client is created with its default options, as a user would: /ask returns the answer
object as a JSON string, which the client does not mistake for files to download.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("gradio")
gradio_client = pytest.importorskip("gradio_client")

from tests.conftest import CORPUS, run_cli  # noqa: E402
from tests.support.ui import NEW_DOC, served  # noqa: E402
from ui.app import QAApp  # noqa: E402

pytestmark = pytest.mark.slow

WOGEN = "How much working capital did Wogen provide to Magrathea?"
QUESTIONS = [
    WOGEN,
    "What technology does Magrathea employ?",
    "How much dolomite does Minago plan to process?",
    "What did Yingfeimai Technology debut at CES?",
    "What is the capital of France?",
]


def client(url: str, **kwargs):
    return gradio_client.Client(url, verbose=False, **kwargs)


def ask(c, *args):
    """``/ask`` through a default client: the JSON string, read."""
    return json.loads(c.predict(*args, api_name="/ask"))


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ui-server-home")


@pytest.fixture(scope="module")
def app(embedder, home: Path) -> QAApp:
    from qa import QA, Settings

    qa = QA(Settings(home=home, corpus_dir=CORPUS), embedder=embedder)
    qa.ingest([CORPUS])
    return QAApp(qa, max_upload_bytes=100_000)


@pytest.fixture(scope="module")
def url(app: QAApp) -> Iterator[str]:
    with served(app) as address:
        yield address


def without_timings(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k != "timings_ms"}


def test_ask_returns_the_object_of_qa_ask_json(url: str, home: Path):
    raw = gradio_client.Client(url).predict(WOGEN, api_name="/ask")  # all defaults
    assert isinstance(raw, str)
    got = json.loads(raw)
    cli = run_cli("ask", "--json", WOGEN, env={"QA_HOME": str(home)}, timeout=180)
    assert cli.returncode == 0, cli.stderr
    expected = json.loads(cli.stdout)
    assert list(got) == list(expected)
    assert without_timings(got) == without_timings(expected)
    assert "$10 million" in got["answer"] and got["citations"][0]["id"] == 1
    assert set(got["timings_ms"]) == set(expected["timings_ms"])


def test_ask_options_and_errors(url: str):
    c = client(url)
    answer = ask(c, WOGEN, 2, "extractive")
    assert not answer["abstained"] and answer["mode"] == "extractive"
    assert ask(c, "What is the capital of France?")["abstained"] is True
    with pytest.raises(gradio_client.exceptions.AppError, match="the question is empty"):
        c.predict("  ", api_name="/ask")
    for bad in (99, 0):  # 0 is not "the default"
        with pytest.raises(gradio_client.exceptions.AppError, match="top_k must be between"):
            c.predict(WOGEN, bad, api_name="/ask")


def test_upload_then_ask_then_remove(url: str, tmp_path: Path):
    c = client(url)
    doc = tmp_path / "zorblax.md"
    doc.write_text(NEW_DOC, encoding="utf-8")
    bad = tmp_path / "notes.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    pdf = Path(__file__).parent / "data" / "ui" / "vantor.pdf"
    status = c.predict(
        [gradio_client.handle_file(str(p)) for p in (doc, bad, pdf)],
        api_name="/upload",
    )
    assert "✓ zorblax.md: added (1 chunks)" in status
    assert "✗ notes.pdf: could not be read (" in status  # read as a PDF, and refused
    assert "✓ vantor.pdf: added (1 chunks)" in status
    ferry = ask(c, "How many passengers did the Vantor Bay ferry carry in June?")
    assert "8,150 passengers" in ferry["answer"] and ferry["citations"][0]["path"].endswith(".pdf")

    question = "How much did Zorblax Mining pay for the Quillon smelter?"
    answer = ask(c, question)
    assert not answer["abstained"] and "42 million dollars" in answer["answer"]
    cited = answer["citations"][0]
    assert cited["title"] == "Zorblax Mining buys the Quillon smelter"

    docs = {d["title"]: d for d in json.loads(c.predict(api_name="/documents"))}
    assert docs["Zorblax Mining buys the Quillon smelter"]["doc_id"] == cited["doc_id"]
    assert docs["Zorblax Mining buys the Quillon smelter"]["metadata"]["publisher"] == "Test Wire"
    assert len(docs) == 3

    removed = c.predict(cited["doc_id"], api_name="/remove")
    assert removed == "✓ removed Zorblax Mining buys the Quillon smelter"
    assert len(json.loads(c.predict(api_name="/documents"))) == 2
    after = ask(c, question)
    assert all(x["doc_id"] != cited["doc_id"] for x in after["citations"])
    with pytest.raises(gradio_client.exceptions.AppError, match="no document with id"):
        c.predict(cited["doc_id"], api_name="/remove")
    # by the path /documents shows, as `qa remove` takes it
    vantor = next(d for d in json.loads(c.predict(api_name="/documents")) if "vantor" in d["path"])
    assert c.predict(vantor["path"], api_name="/remove").startswith("✓ removed")
    assert len(json.loads(c.predict(api_name="/documents"))) == 1


def test_twenty_simultaneous_users_all_get_answers(url: str):
    clients = [client(url) for _ in range(20)]
    jobs = [c.submit(QUESTIONS[i % len(QUESTIONS)], api_name="/ask") for i, c in enumerate(clients)]
    began = time.monotonic()
    with ThreadPoolExecutor(20) as pool:
        answers = [json.loads(a) for a in pool.map(lambda job: job.result(timeout=120), jobs)]
    assert len(answers) == 20
    for i, answer in enumerate(answers):
        assert answer["question"] == QUESTIONS[i % len(QUESTIONS)]
        assert answer["abstained"] == (QUESTIONS[i % len(QUESTIONS)].endswith("France?"))
    assert time.monotonic() - began < 120


def test_auth_rejects_wrong_or_missing_credentials(app: QAApp):
    guarded = QAApp(app.qa)
    with served(guarded, auth=("ann", "s3cret")) as address:
        with pytest.raises(Exception):  # noqa: B017 - the client raises ValueError or HTTP errors
            client(address)
        with pytest.raises(ValueError, match="Could not login"):
            client(address, auth=("ann", "wrong"))
        ok = client(address, auth=("ann", "s3cret"))
        assert ask(ok, WOGEN)["citations"]


def test_launch_warms_the_models_in_the_background(embedder, tmp_path: Path) -> None:
    """The page is served at once; the selector is loaded before anyone asks."""
    from qa import QA, Settings

    qa = QA(Settings(home=tmp_path / "home", corpus_dir=CORPUS), embedder=embedder)
    qa.ingest([CORPUS])
    app = QAApp(qa)
    with served(app):
        assert app.warm_up_thread is not None
        app.warm_up_thread.join(timeout=120)
        assert not app.warm_up_thread.is_alive()
        assert qa.answerer("extractive").selector._model is not None
    cold = QAApp(QA(Settings(home=tmp_path / "cold"), embedder=embedder))
    with served(cold, warm=False):
        assert cold.warm_up_thread is None
        assert cold.qa.answerer("extractive").selector._model is None
