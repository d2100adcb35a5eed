"""Re-ingest is idempotent and incremental; an ingest killed half-way is finished by the next."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from qa.lexical import fingerprint
from tests.conftest import ARTICLE, ROOT


def state(qa) -> dict:
    """Everything ingest writes: chunk and sentence records, documents, the BM25 index."""
    chunks = qa._store.chunks().get(include=["metadatas", "documents"])
    sentences = qa._store.sentences().get(include=["metadatas"])
    index = qa.lexical_index()
    return {
        "chunks": sorted(zip(chunks["ids"], chunks["documents"], strict=True)),
        "chunk_meta": sorted(
            (i, tuple(sorted((k, v) for k, v in m.items() if k not in ("path", "source"))))
            for i, m in zip(chunks["ids"], chunks["metadatas"], strict=True)
        ),
        "sentences": sorted(sentences["ids"]),
        "bm25": (sorted(index.ids), index.fingerprint),
    }


def test_ingesting_twice_changes_nothing(make_qa) -> None:
    qa = make_qa()
    first = qa.ingest()
    assert len(first.added) == 1 and first.chunks_written == first.chunks > 0
    before = state(qa)
    second = qa.ingest()
    assert second.added == [] and second.updated == [] and second.removed == []
    assert len(second.unchanged) == 1 and second.chunks_written == 0
    assert second.chunks == first.chunks and second.documents == first.documents == 1
    assert state(qa) == before
    assert qa._store.count() == (len(before["chunks"]), len(before["sentences"]))


def test_changed_document_replaces_its_chunks_and_vanished_one_is_deleted(
    make_qa, tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(ARTICLE, folder / "article.md")
    (folder / "zinc.md").write_text("# Zinc\n\nZinc output rose 4% in Peru.\n", encoding="utf-8")
    qa = make_qa()
    qa.ingest([folder])
    zinc_id = next(d.doc_id for d in qa.documents() if d.path.endswith("zinc.md"))
    old_zinc = {m["version"] for m, _ in qa._store.get_document_chunks(zinc_id)}

    (folder / "zinc.md").write_text("# Zinc\n\nZinc output fell 9% in Bolivia.\n", "utf-8")
    report = qa.ingest([folder])
    assert [Path(p).name for p in report.updated] == ["zinc.md"] and len(report.unchanged) == 1
    chunks = qa._store.get_document_chunks(zinc_id)
    assert {m["version"] for m, _ in chunks}.isdisjoint(old_zinc)
    assert all("Bolivia" in t for _, t in chunks) and not any("Peru" in t for _, t in chunks)
    hits = qa.retrieve("Where did zinc output rise 4%?", top_k=3)
    assert not any("Peru" in h.text for h in hits)

    (folder / "zinc.md").unlink()
    report = qa.ingest([folder])
    assert [Path(p).name for p in report.removed] == ["zinc.md"]
    assert [Path(d.path).name for d in qa.documents()] == ["article.md"]
    index = qa.lexical_index()
    stored_ids, _ = qa._store.all_chunk_texts()
    assert index.fingerprint == fingerprint(stored_ids)
    assert not any(i.startswith(zinc_id) for i in index.ids)
    assert qa.lexical_index().search("Bolivia zinc", 5) == []


def test_ingesting_another_folder_keeps_the_first(make_qa, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "one.md").write_text("Nickel rose.\n", encoding="utf-8")
    (b / "two.md").write_text("Cobalt fell.\n", encoding="utf-8")
    qa = make_qa()
    qa.ingest([a])
    qa.ingest([b])
    assert sorted(Path(d.path).name for d in qa.documents()) == ["one.md", "two.md"]


def _ingest_then_move(make_qa, tmp_path: Path, files: dict[str, str]):
    """A QA that ingested ``files`` from news/, after which news/ became news-2026/."""
    old, moved = tmp_path / "news", tmp_path / "news-2026"
    old.mkdir()
    for name, text in files.items():
        (old / name).write_text(text, encoding="utf-8")
    qa = make_qa()
    qa.ingest([old])
    old.rename(moved)
    return qa, moved


def test_an_exclusive_ingest_of_a_moved_folder_leaves_no_copy_behind(
    make_qa, tmp_path: Path
) -> None:
    qa, moved = _ingest_then_move(make_qa, tmp_path, {"one.md": "Nickel rose.\n"})
    before = qa._store.count()
    qa.ingest([moved])  # another folder: the first one's documents are kept
    assert len(qa.documents()) == 2
    report = qa.ingest([moved], exclusive=True)
    assert [Path(p).name for p in report.removed] == ["one.md"]
    assert [Path(d.path).parent.name for d in qa.documents()] == ["news-2026"]
    assert qa._store.count() == before
    assert len(qa.lexical_index().ids) == before[0]


def test_an_exclusive_ingest_keeps_the_stored_copy_of_a_file_it_skipped(
    make_qa, tmp_path: Path
) -> None:
    files = {"a.md": "Nickel rose.\n", "b.md": "Cobalt fell.\n"}
    qa, moved = _ingest_then_move(make_qa, tmp_path, files)
    (moved / "a.md").write_bytes(b"\xff\xfe\x00broken")  # unreadable after the move
    report = qa.ingest([moved], exclusive=True)
    assert any("a.md" in line for line in report.skipped)
    assert [Path(p).name for p in report.removed] == ["b.md"]  # the old b.md: b.md moved
    assert "a.md" in report.warnings[0]  # a.md's only readable copy is kept, and said so
    assert sorted(Path(d.path).name for d in qa.documents()) == ["a.md", "b.md"]


def test_a_file_that_becomes_unreadable_keeps_its_chunks(make_qa, tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text("Tin rose 3%.\n", encoding="utf-8")
    qa = make_qa()
    qa.ingest([tmp_path])
    (tmp_path / "good.md").write_bytes(b"\xff\xfe broken \x00")
    (tmp_path / "other.md").write_text("Lead fell.\n", encoding="utf-8")
    report = qa.ingest([tmp_path])
    assert any("good.md" in s for s in report.skipped) and report.removed == []
    assert sorted(Path(d.path).name for d in qa.documents()) == ["good.md", "other.md"]


def test_remove_deletes_a_document_everywhere(make_qa, tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("Antimony prices doubled.\n", encoding="utf-8")
    qa = make_qa()
    qa.ingest([tmp_path])
    doc_id = qa.documents()[0].doc_id
    qa.remove(doc_id)
    assert qa.documents() == [] and qa._store.count() == (0, 0)
    assert qa.lexical_index().search("antimony", 3) == []


INGEST_SCRIPT = textwrap.dedent(
    """
    import sys
    import qa.ingest
    from qa import QA, Settings
    qa.ingest.EMBED_GROUP = 40  # small groups: embedding and writing alternate, as on big corpora
    if len(sys.argv) > 3:  # small sections: one document is chunked and written in many
        import qa.chunking
        qa.chunking.SECTION_CHARS = int(sys.argv[3])
    qa = QA(Settings(home=sys.argv[1]))
    qa.ingest([sys.argv[2]], progress=lambda done, total: print(done, total, flush=True))
    print("finished", flush=True)
    """
)


def _many_documents(folder: Path, n: int) -> None:
    folder.mkdir()
    text = ARTICLE.read_text(encoding="utf-8")
    for i in range(n):
        (folder / f"edition-{i:03d}.md").write_text(
            text.replace("Jan 15, 2026 14:17", f"Edition {i}, Jan 15, 2026 14:17"), "utf-8"
        )


def _ingest_killed(
    home: Path, corpus: Path, kill: Callable[[int, int], bool], *args: str, **env: str
) -> list[tuple[int, int]]:
    """Run ``INGEST_SCRIPT`` (extra ``args`` and env vars given) and SIGKILL it at the first
    progress report (chunks done, total) that ``kill`` accepts; the reports up to that one."""
    proc = subprocess.Popen(
        [sys.executable, "-c", INGEST_SCRIPT, str(home), str(corpus), *args],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
    )
    assert proc.stdout is not None
    progress = []
    for line in proc.stdout:
        done, total = (int(x) for x in line.split())
        progress.append((done, total))
        if kill(done, total):
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    return progress


def test_ingest_killed_half_way_then_rerun_equals_one_clean_run(make_qa, tmp_path: Path) -> None:
    corpus = tmp_path / "many"
    _many_documents(corpus, 12)
    killed_home = tmp_path / "killed"
    _ingest_killed(killed_home, corpus, lambda done, total: bool(total and done >= total // 3))

    partial = make_qa(home=killed_home)
    stored = partial._store.documents()
    assert 0 < len(stored) < 12  # really half-way

    rerun = partial.ingest([corpus])
    assert len(rerun.unchanged) + len(rerun.added) + len(rerun.updated) == 12
    clean = make_qa(home=tmp_path / "clean")
    clean.ingest([corpus])
    assert state(partial) == state(clean)
    assert partial._store.count() == clean._store.count()


def test_info_counts_the_chunks_that_answer_after_an_update_is_killed(
    make_qa, tmp_path: Path
) -> None:
    """An update killed midway leaves part of a document's next version beside its complete
    one: `qa info` counted both (a new-user test: 923 chunks where 906 answer). It counts the
    complete version and says how many are left over; the next ingest removes them."""
    corpus = tmp_path / "many"
    _many_documents(corpus, 6)
    home = tmp_path / "home"
    make_qa(home=home).ingest([corpus])
    clean = {d.path: d.chunks for d in make_qa(home=home).documents()}
    for f in corpus.iterdir():  # the same number of chunks, other text
        f.write_text(f.read_text(encoding="utf-8").replace("magnesium", "Magnesium"), "utf-8")
    # killed inside a group of a document
    _ingest_killed(
        home, corpus, lambda done, total: bool(total and done >= total // 2 and done % 40)
    )
    qa = make_qa(home=home)
    assert {d.path: d.chunks for d in qa.documents()} == clean
    info = qa.info()
    assert info["chunks"] == sum(clean.values())
    assert info["interrupted_chunks"] == qa._store.count()[0] - info["chunks"]
    qa.ingest([corpus])
    assert qa.info()["interrupted_chunks"] == 0 and qa.info()["chunks"] == sum(clean.values())


def _harbour(n: int = 40) -> str:
    return (
        "\n\n".join(
            f"The harbour board of Eskild met on day {i} and agreed to spend {i * 7} thousand "
            f"euros on the breakwater. Work on part {i} begins in week {i % 52 + 1}."
            for i in range(n)
        )
        + "\n"
    )


HARBOUR_QUESTION = "How much did the harbour board agree to spend on day 12?"


@pytest.mark.parametrize("exclusive", [True, False], ids=["exclusive", "adding"])
def test_an_ingest_removes_what_a_killed_ingest_left_of_a_moved_folder(
    make_qa, tmp_path: Path, exclusive: bool
) -> None:
    """A break-test: an ingest killed before its first chunk was written left the documents'
    texts (and sentences) under their old paths; they list as no document, so after the folder
    was moved, ``--exclusive`` kept them for good (sentence vectors stored twice), and an
    ingest without it too."""
    corpus = tmp_path / "many"
    _many_documents(corpus, 6)
    home = tmp_path / "home"
    _ingest_killed(home, corpus, lambda done, total: bool(total))  # at the first report
    qa = make_qa(home=home)
    left = qa._store.unlisted_documents()
    assert left and not qa._store.documents()  # texts written, no chunk yet
    moved = tmp_path / "moved"
    corpus.rename(moved)
    qa.ingest([moved], exclusive=exclusive)
    assert qa._store.unlisted_documents() == set()
    stored = qa._store.documents()
    assert len(stored) == 6 and not (left & set(stored))
    for name in (qa._store.text_name, qa._store.sentence_name):
        metas = qa._store._read_all(name, "metadatas")[1]
        assert {m["doc_id"] for m in metas} == set(stored)


@pytest.mark.parametrize("revert", [False, True], ids=["finished", "reverted"])
def test_an_update_killed_midway_answers_from_the_complete_version(
    make_qa, tmp_path: Path, revert: bool
) -> None:
    """An update killed midway leaves part of the document's next version beside its complete
    one; until the next ingest finishes it, answers come from the complete version only (a
    break-test found both answering, the partial one's chunks beside the ones they replace).
    Another file holding the new text already (the same version) still answers (a second
    break-test: the mark hid it too). The next ingest embeds only what is missing."""
    corpus = tmp_path / "one"
    corpus.mkdir()
    article = corpus / "harbour.txt"
    article.write_text(_harbour(), encoding="utf-8")
    # every chunk changes, so whatever part of the update is written differs from the old
    changed = _harbour().replace("breakwater", "outer breakwater")
    (corpus / "copy.txt").write_text(changed, encoding="utf-8")
    home = tmp_path / "home"
    make_qa(home=home).ingest([corpus])
    article.write_text(changed, "utf-8")
    _ingest_killed(home, corpus, lambda done, total: bool(total and 0 < done < total))

    qa = make_qa(home=home)
    docs = qa._store.documents()
    stored = next(d for d in docs.values() if d.path.endswith("harbour.txt"))
    copy = next(d for d in docs.values() if d.path.endswith("copy.txt"))
    old = stored.current_version
    assert old is not None and len(stored.versions) == 2  # a partial update beside the old
    new = next(v for v in stored.versions if v != old)
    assert set(copy.versions) == {new}  # the copy's complete version is the same text's
    assert qa._store.pending() == {(stored.doc_id, new)}
    answering = {(stored.doc_id, old), (copy.doc_id, new)}
    retrieved = {(h.doc_id, h.version) for h in qa.retrieve(HARBOUR_QUESTION, top_k=8)}
    assert retrieved <= answering and (copy.doc_id, new) in retrieved
    lexical = {(h.doc_id, h.version) for h in qa.lexical_search(HARBOUR_QUESTION, top_k=8)}
    assert lexical and lexical <= answering
    assert qa.ask(HARBOUR_QUESTION).citations  # still answered

    written_before = stored.versions[new]
    if revert:  # the file put back as it was: the old version stays, the partial one goes
        article.write_text(_harbour(), "utf-8")
    report = qa.ingest([corpus])  # finishes the update, or drops it: nothing is pending
    assert qa._store.pending() == frozenset()
    after = qa._store.documents()[stored.doc_id]
    assert set(after.versions) == {old if revert else new}
    retrieved = {(h.doc_id, h.version) for h in qa.retrieve(HARBOUR_QUESTION, top_k=8)}
    # (once finished, harbour.txt's passages are copy.txt's: one copy of each is retrieved)
    assert retrieved and retrieved <= {(stored.doc_id, old if revert else new), (copy.doc_id, new)}
    # only the chunks the killed run had not stored are embedded (none to revert)
    missing = 0 if revert else after.versions[new] - written_before
    assert report.chunks_written == missing
    assert len(report.unchanged) == (2 if revert else 1)


def test_a_deletion_of_older_versions_cut_short_answers_from_the_new_one(
    make_qa, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An update killed while deleting the older version's records (its sentences gone, its
    chunks not yet) left a document answering nothing until the next ingest re-embedded it
    all (a break-test). The older version is hidden before its deletion starts: the complete
    new one answers, and the next ingest only deletes what is left."""
    from qa.store import ChunkStore

    corpus = tmp_path / "one"
    corpus.mkdir()
    article = corpus / "harbour.txt"
    article.write_text(_harbour(), encoding="utf-8")
    qa = make_qa(home=tmp_path / "home")
    qa.ingest([corpus])
    old = next(iter(qa._store.documents().values())).current_version
    article.write_text(_harbour().replace("breakwater", "outer breakwater"), "utf-8")

    class Killed(BaseException):
        pass

    def cut_short(self: ChunkStore, doc_id: str, keep_version: str | None = None) -> None:
        where = {"$and": [{"doc_id": doc_id}, {"version": {"$ne": keep_version}}]}
        for name in (self.text_name, self.sentence_name):  # the chunks' turn never comes
            self._call("delete", self._get(name).delete, where=where)
        raise Killed

    with monkeypatch.context() as patched:
        patched.setattr(ChunkStore, "delete_document", cut_short)
        with pytest.raises(Killed):
            qa.ingest([corpus])

    fresh = make_qa(home=tmp_path / "home")
    [stored] = fresh._store.documents().values()
    new = next(v for v in stored.versions if v != old)
    assert stored.complete_chunks(new) and stored.versions[old]  # old chunks still there
    assert {h.version for h in fresh.retrieve(HARBOUR_QUESTION, top_k=8)} == {new}
    assert fresh.ask(HARBOUR_QUESTION).citations
    report = fresh.ingest([corpus])
    assert report.chunks_written == 0 and len(report.unchanged) == 1
    assert set(fresh._store.documents()[stored.doc_id].versions) == {new}
    assert fresh._store.pending() == frozenset()


def test_a_long_document_killed_while_streamed_is_not_stored_then_rerun_is_clean(
    make_qa, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document longer than a section is chunked, embedded and written a section at a time;
    killed part way, it is not counted as stored (its earlier chunks do not know the count), a
    re-run completes it, and the store then equals one clean run."""
    import qa.chunking

    corpus = tmp_path / "long"
    corpus.mkdir()
    paragraphs = [
        f"Section {n}\n\nThe harbour board of Eskild met on day {n} and agreed to spend {n * 7} "
        f"thousand euros on the breakwater. Work on part {n} begins in week {n % 52 + 1}."
        for n in range(150)
    ]
    (corpus / "long.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    killed_home = tmp_path / "killed"
    progress = _ingest_killed(
        killed_home, corpus, lambda done, _: done >= 30, "2000", QA_CHUNK_SIZE="64"
    )
    assert len({total for _, total in progress}) > 2  # sections came one after another

    monkeypatch.setattr(qa.chunking, "SECTION_CHARS", 2000)
    partial = make_qa(home=killed_home, chunk_size=64)
    assert partial._store.count()[0] >= 30  # chunks were written ...
    [doc] = partial._store.documents().values()
    assert not any(doc.complete(v) for v in doc.versions)  # ... but the document is not stored
    rerun = partial.ingest([corpus])
    assert len(rerun.updated) == 1 and rerun.added == []  # (its chunks so far: "updated")
    clean = make_qa(home=tmp_path / "clean", chunk_size=64)
    clean.ingest([corpus])
    assert state(partial) == state(clean)
    assert partial._store.count() == clean._store.count()
    [doc] = clean._store.documents().values()
    [(version, n)] = doc.versions.items()
    assert doc.complete(version) and n > 30


def test_a_reset_with_a_wrong_path_leaves_the_store_as_it_was(make_qa, tmp_path: Path) -> None:
    from qa.errors import InvalidPathError, NoDocumentsError, UnreadableFilesError

    (tmp_path / "a.md").write_text("Zinc rose 2%.\n", encoding="utf-8")
    qa = make_qa()
    qa.ingest([tmp_path])
    before = state(qa)
    empty = tmp_path / "empty"
    empty.mkdir()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "b.md").write_bytes(b"\xff\xfe broken \x00")
    for path, error in (
        (tmp_path / "no-such-folder", InvalidPathError),  # a typo
        (empty, NoDocumentsError),  # nothing supported
        (tmp_path / "broken", NoDocumentsError),  # nothing readable
    ):
        with pytest.raises(error):
            qa.ingest([path], reset=True)
        assert state(qa) == before
    # nothing readable: not even --exclusive's removals happen, and the error says why
    for kwargs in ({"exclusive": True}, {}):
        with pytest.raises(UnreadableFilesError, match=r"the one file could not be read \(.*b\.md"):
            qa.ingest([tmp_path / "broken"], **kwargs)
        assert state(qa) == before
    qa.ingest([tmp_path / "broken", tmp_path / "a.md"], reset=True)  # readable: reset goes on
    assert [Path(d.path).name for d in qa.documents()] == ["a.md"]


def test_an_emptied_or_deleted_folder_takes_its_documents_with_it(make_qa, tmp_path: Path) -> None:
    from qa.errors import InvalidPathError

    keep, empty, gone = tmp_path / "keep", tmp_path / "empty", tmp_path / "gone"
    for folder, name in ((keep, "k.md"), (empty, "e.md"), (gone, "g.md")):
        folder.mkdir()
        (folder / name).write_text(f"{name} says zinc rose.\n", encoding="utf-8")
    qa = make_qa()
    qa.ingest([keep, empty, gone])
    (empty / "e.md").unlink()
    shutil.rmtree(gone)
    report = qa.ingest([keep, empty, gone])
    assert sorted(Path(p).name for p in report.removed) == ["e.md", "g.md"]
    assert len(report.warnings) == 2 and all("no supported file" in w for w in report.warnings)
    assert [Path(d.path).name for d in qa.documents()] == ["k.md"]
    with pytest.raises(InvalidPathError):  # a path that never held anything is still a typo
        qa.ingest([tmp_path / "never-there"])


def test_reingest_of_unchanged_files_never_loads_the_model(make_qa, isolated_home) -> None:
    """A fresh process re-ingesting unchanged files imports neither torch nor the model, and
    sees the same document versions as the process that loaded it (the same chunk size cap)."""
    from qa import QA, Settings

    make_qa().ingest()  # the model loaded: its own max_tokens caps the chunk size
    before = state(make_qa())
    fresh = QA(Settings(home=isolated_home, corpus_dir=ARTICLE.parent))
    report = fresh.ingest()
    assert len(report.unchanged) == 1 and report.chunks_written == 0
    assert fresh._embedder is None  # never asked for
    assert state(fresh) == before
    code = (
        "import sys; from qa import QA; r = QA().ingest(); "
        "print(len(r.unchanged), 'torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    env = {**os.environ, "QA_HOME": str(isolated_home), "QA_CORPUS_DIR": str(ARTICLE.parent)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["1", "False", "False"]


def test_a_changed_file_loads_the_model_when_it_is_needed(make_qa, tmp_path, isolated_home):
    from qa import QA, Settings

    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(ARTICLE, folder / "article.md")
    make_qa().ingest([folder])
    with (folder / "article.md").open("a", encoding="utf-8") as fh:
        fh.write("\nWogen also opened an office in Rotterdam.\n")
    fresh = QA(Settings(home=isolated_home))
    report = fresh.ingest([folder])
    assert len(report.updated) == 1 and report.chunks_written > 0
    assert fresh._embedder is not None
    assert "Rotterdam" in fresh.ask("Where did Wogen open an office?").text


def test_a_document_whose_split_fails_part_way_is_skipped_and_loses_nothing(
    make_qa, tmp_path: Path, monkeypatch
) -> None:
    """Splitting fails in a later section, after the first sections' chunks were written: the
    file is reported in one line, nothing of the failed version stays, its older complete
    version is still served, and the rest of the folder is ingested."""
    import qa.chunking
    import qa.ingest
    from qa.chunking import Chunker

    monkeypatch.setattr(qa.chunking, "SECTION_CHARS", 1000)  # the article in 6 sections
    monkeypatch.setattr(qa.ingest, "EMBED_GROUP", 8)  # the first sections are written first
    body = ARTICLE.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "long.md").write_text(body, encoding="utf-8")
    (folder / "short.md").write_text("The Tornby ferry carried 41,000 people.\n", encoding="utf-8")
    qa_ = make_qa(chunk_size=64)
    qa_.ingest([folder])
    [old] = [d for d in qa_._store.documents().values() if d.path.endswith("long.md")]

    def records_of_long() -> tuple[list[str], list[str]]:
        got = [c.get(include=["metadatas"]) for c in (qa_._store.chunks(), qa_._store.sentences())]
        return tuple(  # type: ignore[return-value]
            sorted(
                i
                for i, m in zip(g["ids"], g["metadatas"], strict=True)
                if m["doc_id"] == old.doc_id
            )
            for g in got
        )

    before = records_of_long()
    assert len(before[0]) > 10  # several sections' chunks

    real = Chunker.chunk_sections

    def failing(self, doc, version):
        for n, section in enumerate(real(self, doc, version)):
            if n == 4 and doc.path.endswith("long.md"):
                raise RuntimeError("the splitter gave up")
            yield section

    monkeypatch.setattr(Chunker, "chunk_sections", failing)
    (folder / "long.md").write_text(body.replace("Magrathea", "Magrathea Metals"), "utf-8")
    (folder / "new.md").write_text("The Ekvik tram carried 9,000 people.\n", encoding="utf-8")
    report = qa_.ingest([folder])
    assert len(report.skipped) == 1 and "long.md" in report.skipped[0]
    assert "cannot be split (RuntimeError: the splitter gave up)" in report.skipped[0]
    assert [Path(p).name for p in report.added] == ["new.md"]
    [doc] = [d for d in qa_._store.documents().values() if d.path.endswith("long.md")]
    assert doc.versions == old.versions  # the failed version left nothing behind ...
    assert records_of_long() == before  # ... and the complete one is whole
    quotes = [c.quote for c in qa_.ask("How many people did the Ekvik tram carry?").citations]
    assert any("9,000" in q for q in quotes)
    old_text = [c.quote for c in qa_.ask("Which British firm teamed up with Magrathea?").citations]
    assert old_text and not any("Magrathea Metals" in q for q in old_text)


def test_a_link_to_a_file_of_the_folder_is_ingested_once(make_qa, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "acme.md").write_text("# Acme\n\nAcme employs 2,400 people.\n", encoding="utf-8")
    (folder / "sub" / "acme-link.md").symlink_to(folder / "acme.md")
    qa = make_qa()
    report = qa.ingest([folder, folder / "acme.md"])  # the file named twice, and linked
    assert len(report.added) == 1 and report.documents == 1
    assert [s.split(": ", 1)[1] for s in report.skipped] == [
        f"the same file as {folder / 'acme.md'}"
    ]
    assert not qa.ask("How many people does Acme employ?").abstained


def test_files_of_other_types_in_a_folder_are_said_not_read(make_qa, tmp_path: Path) -> None:
    """A .docx among the articles was passed over without a word (a new-user test; .docx is
    read now, and .odt too, so an old .doc stands for it): the report says what it did not
    read, in one line, and still ingests the rest."""
    folder = tmp_path / "docs"
    (folder / ".git").mkdir(parents=True)
    (folder / ".git" / "config").write_text("hidden\n", encoding="utf-8")
    (folder / "acme.md").write_text("# Acme\n\nAcme employs 2,400 people.\n", encoding="utf-8")
    (folder / "minutes.doc").write_bytes(b"\xd0\xcf\x11\xe0 not read")
    (folder / "plan.DOC").write_bytes(b"\xd0\xcf\x11\xe0 not read")
    (folder / "logo.png").write_bytes(b"\x89PNG")
    report = make_qa().ingest([folder])
    assert report.documents == 1
    said = [w for w in report.warnings if w.startswith("not read in")]
    assert len(said) == 1 and "2 .doc" in said[0] and "1 .png" in said[0], report.warnings
    assert "config" not in said[0] and "no suffix" not in said[0]  # hidden files are not said
    assert not any("not read" in w for w in make_qa().ingest([folder / "acme.md"]).warnings)
    # a link to a .doc is the same .doc, not a second one (a break-test)
    (folder / "plan-link.doc").symlink_to(folder / "plan.DOC")
    said = [w for w in make_qa().ingest([folder]).warnings if w.startswith("not read in")]
    assert "2 .doc" in said[0], said


def test_a_document_read_through_a_linked_folder_goes_when_the_link_goes(
    make_qa, tmp_path: Path
) -> None:
    """A break-test: a document read through a linked folder stayed, answering, after the link
    (or its file) was removed, as its real path is outside the folder ingested."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "panda.md").write_text("# Zoo\n\nThe panda cub is called Fu Bao.\n", "utf-8")
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "tram.md").write_text("# Tram\n\nThe tram opens in 2028.\n", "utf-8")
    (folder / "linked").symlink_to(outside, target_is_directory=True)
    qa = make_qa()
    assert qa.ingest([folder]).documents == 2
    (folder / "linked").unlink()
    report = qa.ingest([folder])
    assert [Path(p).name for p in report.removed] == ["panda.md"]
    assert [Path(d.path).name for d in qa.documents()] == ["tram.md"]


def test_an_emptied_file_keeps_its_stored_copy_and_the_report_says_so(
    make_qa, tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "nest.md").write_text("The falcon nest is on tower 9.\n", encoding="utf-8")
    (folder / "other.md").write_text("The ferry leaves at noon.\n", encoding="utf-8")
    qa = make_qa()
    qa.ingest([folder])
    (folder / "nest.md").write_text("", encoding="utf-8")
    report = qa.ingest([folder])
    assert any(s.endswith("nest.md: no text") for s in report.skipped)
    assert report.removed == [] and report.documents == 2
    assert [w for w in report.warnings if w.startswith("kept the stored copy of")]
    assert "nest.md" in report.warnings[-1] and "qa remove" in report.warnings[-1]


def test_citation_paths_open_from_another_working_directory(
    make_qa, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "work" / "docs"
    folder.mkdir(parents=True)
    (folder / "bridge.md").write_text("The Blue River Bridge is 410 metres long.\n", "utf-8")
    monkeypatch.chdir(tmp_path / "work")
    qa = make_qa()
    qa.ingest([Path("docs")])
    for cwd, expected in [(tmp_path / "work", "docs/bridge.md"), (tmp_path, "work/docs/bridge.md")]:
        monkeypatch.chdir(cwd)
        answer = qa.ask("How long is the Blue River Bridge?")
        assert [c.path for c in answer.citations] == [expected]
        assert (cwd / expected).is_file()
        assert [d.path for d in qa.documents()] == [expected]
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")  # not above the file: its absolute path
    assert qa.ask("How long is the Blue River Bridge?").citations[0].path == str(
        folder.resolve() / "bridge.md"
    )
