"""One store, several processes: a long-lived QA across another process's ingest, two ingests
at once, an ingest that waits for the lock or gives up in one line, a SIGKILLed ingest. All
with real processes (`python -m qa ...`) on a real embedded Chroma store."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from qa.errors import EmptyStoreError, StoreError
from qa.ids import content_key
from tests.conftest import ROOT

CASES = Path(__file__).resolve().parent / "data" / "cases"


def _qa_process(*args: str, home: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    env = {
        **os.environ,
        "QA_HOME": str(home),
        "PYTHONPATH": str(ROOT),
        "HF_HUB_OFFLINE": "1",
        **(env or {}),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "qa", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )


def _finish(proc: subprocess.Popen, timeout: float = 300) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def _quotes(answer) -> list[str]:
    return [c.quote for c in answer.citations]


def test_two_processes_case(make_qa, isolated_home: Path, tmp_path: Path) -> None:
    news = tmp_path / "news"
    shutil.copytree(CASES / "two-processes" / "news", news)
    qa = make_qa(mode="extractive")  # stays open, as a running `qa ui` does
    qa.ingest([news])
    qa.ask("When did the Varde maritime museum reopen?")  # store, model and BM25 index open

    shutil.copy(CASES / "two-processes" / "second.md", news / "second.md")
    code, out, err = _finish(_qa_process("ingest", str(news), home=isolated_home))
    assert code == 0, err
    assert "1 added" in out

    answer = qa.ask("How much will the Kestrel airport runway be extended?")
    assert any("400 metres" in q for q in _quotes(answer)), answer.text
    assert len(qa.documents()) == 2
    # and the other way round: this process removes, the other process sees it
    second = next(d for d in qa.documents() if d.path.endswith("second.md"))
    qa.remove(second.doc_id)
    code, out, err = _finish(_qa_process("info", "--json", home=isolated_home))
    assert code == 0 and '"documents": 1' in out, out + err


def test_two_qa_objects_on_one_store_keep_working_across_another_process_s_ingest(
    make_qa, isolated_home: Path, tmp_path: Path
) -> None:
    """Two QA objects of one process share chromadb's per-path client: one reopening it after
    another process's ingest must not stop it under the other (found by a new-user test:
    every later call of the first object failed with a StoreError)."""
    news = tmp_path / "news"
    shutil.copytree(CASES / "two-processes" / "news", news)
    first = make_qa(mode="extractive")
    first.ingest([news])
    second = make_qa(mode="extractive", top_k=3)
    question = "When did the Varde maritime museum reopen?"
    first.ask(question)
    second.ask(question)

    shutil.copy(CASES / "two-processes" / "second.md", news / "second.md")
    code, _, err = _finish(_qa_process("ingest", str(news), home=isolated_home))
    assert code == 0, err
    runway = "How much will the Kestrel airport runway be extended?"
    for qa in (first, second, first, second):
        assert any("400 metres" in q for q in _quotes(qa.ask(runway)))
    # and a write by one object is seen by the other, which then keeps working too
    doc = next(d for d in second.documents() if d.path.endswith("second.md"))
    first.remove(doc.doc_id)
    assert len(second.documents()) == 1
    assert not any("400 metres" in q for q in _quotes(second.ask(runway)))
    assert len(first.documents()) == 1


def test_an_ingest_survives_another_qa_object_seeing_another_process_s_write(
    make_qa, isolated_home: Path, tmp_path: Path
) -> None:
    """While one QA object ingests (collection "other"), another process writes collection
    "qa" and a second QA object of this process reads it: the shared client must not be
    reopened under the ingest (found by a new-user test: the ingest failed with a StoreError
    every time), and the reader sees the other process's write once the ingest is done."""
    news, other = tmp_path / "news", tmp_path / "other"
    shutil.copytree(CASES / "two-processes" / "news", news)
    shutil.copytree(CASES / "concurrent-ingest" / "north", other)
    reader = make_qa(mode="extractive")
    reader.ingest([news])
    writer = make_qa(mode="extractive", collection="other")
    shutil.copy(CASES / "two-processes" / "second.md", news / "second.md")
    fired: list[int] = []

    def progress(done: int, total: int) -> None:
        if not fired:
            fired.append(1)
            code, _, err = _finish(_qa_process("ingest", str(news), home=isolated_home))
            assert code == 0, err
            reader.documents()  # sees the new manifest while the ingest is under way

    report = writer.ingest([other], progress=progress)
    assert fired and len(report.added) == len(list(other.iterdir()))
    assert len(writer.documents()) == len(report.added)
    assert len(reader.documents()) == 2  # the other process's write, once the ingest ended
    runway = reader.ask("How much will the Kestrel airport runway be extended?")
    assert any("400 metres" in q for q in _quotes(runway))


def test_a_write_from_inside_a_write_of_the_same_collection_fails_at_once(
    make_qa, tmp_path: Path
) -> None:
    """An ingest started from another ingest's progress callback, on the same collection,
    waited for itself until the lock timeout (found by a new-user test); it is now a one-line
    StoreError at once, and the outer ingest completes."""
    outer, inner = tmp_path / "outer", tmp_path / "inner"
    shutil.copytree(CASES / "concurrent-ingest" / "north", outer)
    shutil.copytree(CASES / "concurrent-ingest" / "south", inner)
    writer = make_qa(mode="extractive", lock_timeout=300)
    nested = make_qa(mode="extractive", lock_timeout=300)
    failures: list[str] = []

    def progress(done: int, total: int) -> None:
        if not failures:
            began = time.monotonic()
            try:
                nested.ingest([inner])
            except StoreError as exc:
                failures.append(str(exc))
                assert time.monotonic() - began < 5  # at once, not after the lock timeout

    report = writer.ingest([outer], progress=progress)
    assert failures and "already writing" in failures[0] and "\n" not in failures[0]
    assert len(report.added) == len(list(outer.iterdir()))
    assert len(writer.ingest([inner]).added) == len(list(inner.iterdir()))  # and after it


def test_a_long_lived_qa_on_a_chroma_server_across_another_process_s_ingest(
    make_qa, chroma_server: str, isolated_home: Path, tmp_path: Path
) -> None:
    """The two-processes case against a real `chroma run` server (QA_CHROMA_URL): the open QA
    answers from the document another process added, without an error."""
    news = tmp_path / "news"
    shutil.copytree(CASES / "two-processes" / "news", news)
    collection = f"shared-{tmp_path.name}"[:60]
    qa = make_qa(mode="extractive", chroma_url=chroma_server, collection=collection)
    qa.ingest([news])
    qa.ask("When did the Varde maritime museum reopen?")  # store, model and BM25 index open

    shutil.copy(CASES / "two-processes" / "second.md", news / "second.md")
    env = {"QA_CHROMA_URL": chroma_server, "QA_COLLECTION": collection}
    code, out, err = _finish(_qa_process("ingest", str(news), home=isolated_home, env=env))
    assert code == 0, err
    assert "1 added" in out

    answer = qa.ask("How much will the Kestrel airport runway be extended?")
    assert any("400 metres" in q for q in _quotes(answer)), answer.text
    assert len(qa.documents()) == 2
    assert qa.info()["store"] == chroma_server


def test_the_ui_process_answers_from_another_process_s_ingest(
    make_qa, isolated_home: Path, tmp_path: Path
) -> None:
    """`qa ui` as its own process, asked through gradio_client with default options, before
    and after another process's `qa ingest` into its store."""
    import json

    from gradio_client import Client

    from tests.support.process import serving
    from tests.support.ui import free_port

    news = tmp_path / "news"
    shutil.copytree(CASES / "two-processes" / "news", news)
    make_qa().ingest([news])
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADIO_")}
    env.update({"QA_HOME": str(isolated_home), "PYTHONPATH": str(ROOT), "QA_MODE": "extractive"})
    argv = [sys.executable, "-m", "qa", "ui", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    with serving(argv, url, probe="/config", log=tmp_path / "ui.log", env=env, cwd=ROOT):
        client = Client(url, verbose=False)
        before = json.loads(
            client.predict("When did the Varde maritime museum reopen?", api_name="/ask")
        )
        # (whether it answers is the reader's: "on Saturday" is no date to it) served, no error
        assert before["question"] == "When did the Varde maritime museum reopen?", before

        shutil.copy(CASES / "two-processes" / "second.md", news / "second.md")
        code, out, err = _finish(_qa_process("ingest", str(news), home=isolated_home))
        assert code == 0 and "1 added" in out, err

        question = "How much will the Kestrel airport runway be extended?"
        after = json.loads(client.predict(question, api_name="/ask"))
        assert any("400 metres" in c["quote"] for c in after["citations"]), after
        assert Path(after["citations"][0]["path"]).name == "second.md"
    assert "Traceback" not in (tmp_path / "ui.log").read_text()


def test_concurrent_ingest_case(make_qa, isolated_home: Path, tmp_path: Path) -> None:
    north, south = tmp_path / "north", tmp_path / "south"
    shutil.copytree(CASES / "concurrent-ingest" / "north", north)
    shutil.copytree(CASES / "concurrent-ingest" / "south", south)
    qa = make_qa(mode="extractive")
    procs = [_qa_process("ingest", str(p), home=isolated_home) for p in (north, south)]
    while any(p.poll() is None for p in procs):  # questions while they run: no store error
        try:  # (the answer comes from what is committed so far: which garden is the reader's)
            qa.ask("How many plots does community garden number 2 have?")
        except EmptyStoreError:
            time.sleep(0.2)
    results = [_finish(p) for p in procs]
    for code, _, err in results:
        assert code == 0, err
        assert "Traceback" not in err
    assert len(qa.documents()) == 6  # nothing lost
    chunks, _ = qa._store.count()
    assert chunks == 6  # nothing duplicated: one chunk per small document
    ids = qa.lexical_index().ids  # one of each chunk, in content order
    assert ids == sorted(ids, key=lambda i: (content_key(i), i)) and len(ids) == len(set(ids))
    garden = qa.ask("How many plots does community garden number 2 have?")
    assert any("number 2 with 21 plots" in q for q in _quotes(garden))
    lamps = qa.ask("How many street lamps did the southern district repair in week 3?")
    assert any("307 street lamps in week 3" in q for q in _quotes(lamps))
    # the BM25 index was swapped in, not left half-written: a fresh process reads it
    code, out, err = _finish(
        _qa_process(
            "ask", "--json", "How many plots does garden number 3 have?", home=isolated_home
        )
    )
    assert code == 0 and "31 plots" in out, err
    assert not list((isolated_home / "bm25").rglob("*.tmp"))


def test_an_ingest_waits_for_another_and_gives_up_in_one_line(
    make_qa, isolated_home: Path, tmp_path: Path
) -> None:
    north = tmp_path / "north"
    shutil.copytree(CASES / "concurrent-ingest" / "north", north)
    qa = make_qa()
    env = {**os.environ, "QA_HOME": str(isolated_home), "PYTHONPATH": str(ROOT)}
    log = tmp_path / "stderr.txt"
    with qa._store.writing(), log.open("w") as stderr:  # another writer holds the store
        proc = subprocess.Popen(
            [sys.executable, "-m", "qa", "ingest", str(north)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            cwd=ROOT,
            env=env,
        )
        deadline = time.time() + 120
        while "waiting" not in log.read_text() and time.time() < deadline:
            time.sleep(0.2)
        assert "waiting for another writer (a process or thread) to the store" in log.read_text()
        time.sleep(1)
        assert proc.poll() is None  # it waits
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, log.read_text()
    assert "3 added" in out and "Traceback" not in log.read_text()

    with qa._store.writing():
        impatient = subprocess.run(
            [sys.executable, "-m", "qa", "ingest", str(north)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**env, "QA_LOCK_TIMEOUT": "2"},
            timeout=300,
        )
    assert impatient.returncode != 0
    lines = [ln for ln in impatient.stderr.splitlines() if not ln.startswith("qa: waiting")]
    assert len(lines) == 1 and "still being written by another writer" in lines[0], lines


def test_a_killed_ingest_releases_the_store_and_the_next_run_completes_it(
    make_qa, isolated_home: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    text = (ROOT / "corpus" / "smm-magnesium-industry-2026-01-15.md").read_text(encoding="utf-8")
    for i in range(24):
        (folder / f"edition-{i}.md").write_text(text.replace("2026", str(3000 + i)), "utf-8")
    proc = _qa_process("ingest", str(folder), home=isolated_home)
    deadline = time.time() + 300
    qa = make_qa()
    while time.time() < deadline and proc.poll() is None:  # kill it once something is stored
        time.sleep(0.5)
        if qa._store.chunk_count() > 0:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    stored = len(qa._store.documents())
    assert stored < 24  # really mid-way
    began = time.time()
    code, _, err = _finish(_qa_process("ingest", str(folder), home=isolated_home))
    assert code == 0, err
    assert "waiting" not in err  # the kernel released the dead process's lock
    assert time.time() - began < 300
    assert len(qa.documents()) == 24  # nothing lost
    stored_docs = qa._store.documents().values()
    assert all(d.complete(d.current_version or "") for d in stored_docs)
    chunks, _ = qa._store.count()  # nothing duplicated: each chunk of each document once
    assert chunks == sum(d.expected[d.current_version or ""] for d in stored_docs)
    ids = qa.lexical_index().ids
    assert len(ids) == len(set(ids)) == chunks


def test_an_ask_during_another_process_s_ingest_does_not_ingest_the_corpus(
    make_qa, isolated_home: Path, tmp_path: Path
) -> None:
    """`qa ask` on a store another process is filling waits for it instead of taking the store
    for empty and ingesting the corpus folder into it."""
    from filelock import FileLock, Timeout

    north = tmp_path / "north"
    shutil.copytree(CASES / "concurrent-ingest" / "north", north)
    qa = make_qa()
    lock = FileLock(str(qa._store._state_dir / f"{qa._store._state_name}.lock"))
    ingest = _qa_process("ingest", str(north), home=isolated_home)
    deadline = time.time() + 120
    while time.time() < deadline:  # until the ingest holds the write lock
        try:
            lock.acquire(timeout=0)
        except Timeout:
            break
        lock.release()
        time.sleep(0.05)
    else:
        raise AssertionError("the ingest never took the write lock")
    assert ingest.poll() is None and qa.is_empty()
    ask = _qa_process(
        "ask", "How many plots does community garden number 2 have?", home=isolated_home
    )
    assert _finish(ingest)[0] == 0
    code, _, err = _finish(ask)
    assert code == 0 and "ingesting" not in err, err
    paths = {Path(d.path).name for d in make_qa().documents()}
    assert paths == {p.name for p in north.iterdir()}  # nothing of the corpus folder
