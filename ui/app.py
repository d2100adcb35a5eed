"""The Gradio app: a thin class over ``QA`` whose handlers the tests call directly."""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported

import json
import re
import shutil
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import gradio as gr

from qa.documents import SUPPORTED_SUFFIXES, display_path
from qa.errors import EmptyStoreError, QAError, UnreadableFilesError
from qa.types import Answer
from ui.eval_tab import EvalRunner
from ui.render import (
    Source,
    answer_html,
    error_html,
    hits_rows,
    size_text,
    sources_html,
    streaming_html,
    user_html,
    waiting_html,
)

__all__ = ["UPLOAD_SUFFIXES", "QAApp"]

UPLOAD_SUFFIXES = SUPPORTED_SUFFIXES  # what `qa ingest` reads (qa.documents)
EMPTY_STORE = "The store is empty: upload articles in the Corpus tab, or run `qa ingest corpus/`."
Turns = list[tuple[str, str]]  # (question, plain answer text) per chat turn
TICK_SECONDS = 1.0  # how often the wait for the first word is shown


def with_ticks(items: Iterator[Any], every: float) -> Iterator[Any]:
    """``items`` (produced in a worker thread), with ``None`` every ``every`` seconds while
    the first one is awaited: a local model reads its prompt for seconds before it writes."""
    import queue

    box: queue.Queue[tuple[str, Any]] = queue.Queue()

    def produce() -> None:
        try:
            for item in items:
                box.put(("item", item))
        except BaseException as exc:  # re-raised in the caller's thread
            box.put(("error", exc))
        box.put(("done", None))

    threading.Thread(target=produce, daemon=True, name="qa-answer").start()
    first = True
    while True:
        try:
            kind, value = box.get(timeout=every if first else None)
        except queue.Empty:
            yield None
            continue
        if kind == "done":
            return
        if kind == "error":
            raise value
        first = False
        yield value


class QAApp:
    """The chat UI over a ``QA``.

    Args:
        qa: the QA to serve; default ``QA()`` from the ``QA_*`` environment.
        upload_dir: where uploaded files are kept (default ``<home>/uploads``); they are
            ingested from there, so their ids stay stable across uploads of the same name.
        max_upload_bytes: size limit of one uploaded file.
        max_upload_files: files accepted in one upload.
        concurrency: events (questions, uploads) processed at the same time.
        max_queue: events waiting beyond those; more are refused with "queue full".
        eval_runner: what the Eval tab runs; default the bundled eval set, in this process,
            in a store of its own under ``<home>/eval-runs``.
    """

    def __init__(
        self,
        qa: Any = None,
        *,
        upload_dir: str | Path | None = None,
        max_upload_bytes: int = 2_000_000,
        max_upload_files: int = 20,
        concurrency: int = 4,
        max_queue: int = 128,
        eval_runner: EvalRunner | None = None,
    ) -> None:
        if qa is None:
            from qa.pipeline import QA

            qa = QA()
        self.qa = qa
        home = Path(qa.settings.home)
        self.upload_dir = Path(upload_dir) if upload_dir else home / "uploads"
        self.max_upload_bytes = max_upload_bytes
        self.max_upload_files = max_upload_files
        self.concurrency = concurrency
        self.max_queue = max_queue
        self.eval_runner = eval_runner or EvalRunner(
            qa.settings,
            home / "eval-runs",
            embedder=lambda: qa.embedder,  # shares the app's model
        )
        self._write_lock = threading.Lock()  # one ingest or removal at a time
        self.demo: gr.Blocks | None = None
        self.warm_up_thread: threading.Thread | None = None  # set by launch(warm=True)

    # ---- answers --------------------------------------------------------------------------
    def mode_choices(self) -> list[tuple[str, str]]:
        """The answer modes on offer: LLM only when one is configured."""
        choices = [("Extractive (offline reader)", "extractive")]
        if self.qa.settings.llm_configured:
            choices.append((f"LLM ({self.qa.settings.llm_model})", "llm"))
        return choices

    def ask(self, question: str, top_k: int | None = None, mode: str | None = None) -> dict:
        """Answer a question: the same JSON object as ``qa ask --json``.

        Args:
            question: the question.
            top_k: chunks to answer from (default: the configured top-k).
            mode: 'extractive' or 'llm' (default: the configured mode).
        """
        try:
            return self.qa.ask(question, top_k=top_k, mode=mode or None).to_dict()
        except EmptyStoreError:
            raise gr.Error(EMPTY_STORE, print_exception=False) from None
        except QAError as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    def ask_api(self, question: str, top_k: int | None = None, mode: str | None = None) -> str:
        """The ``/ask`` endpoint: the object of ``qa ask --json`` as a JSON string.

        A string, not a JSON component: gradio_client takes any dict with a ``"path"`` key (as
        every citation has) for a file to download, so the default ``Client(url).predict``
        would fail on it. ``json.loads`` of the result is the answer object.
        """
        return json.dumps(self.ask(question, top_k, mode), ensure_ascii=False)

    def sources(self, answer: Answer) -> list[Source]:
        """The answer's citations with document metadata and the paragraph around each span."""
        meta = {h.doc_id: h.document for h in answer.hits}
        missing = {c.doc_id for c in answer.citations if c.doc_id not in meta}
        if missing:
            meta.update({d.doc_id: d.metadata for d in self.qa.documents() if d.doc_id in missing})
        out = []
        for c in answer.citations:
            try:
                start, context = self.qa.context(c.doc_id, c.start, c.end)
            except QAError:
                start, context = -1, ""
            out.append(Source(c, dict(meta.get(c.doc_id, {})), start, context))
        return out

    def respond(
        self,
        message: str,
        history: list[dict] | None,
        turns: Turns | None,
        top_k: float | None = None,
        mode: str | None = None,
    ) -> Iterator[tuple[list[dict], Turns, str, list[list[Any]], str]]:
        """The chat handler: streams the answer, then shows it with citations and sources.

        Yields (chat messages, turns, sources panel HTML, debug rows, question box value).
        ``turns`` holds the plain (question, answer) pairs that follow-ups are condensed with.
        """
        history = list(history or [])
        turns = list(turns or [])
        message = (message or "").strip()
        if not message:
            yield history, turns, gr.skip(), gr.skip(), ""
            return
        try:  # an over-long question: the CLI's one-line message, and the box keeps the text
            self.qa.check_question(message)
        except QAError as exc:
            history.append({"role": "assistant", "content": error_html(str(exc))})
            yield history, turns, gr.skip(), gr.skip(), message
            return
        history.append({"role": "user", "content": user_html(message)})

        def shown(html: str) -> list[dict]:  # a new list per yield: callers may keep them all
            return [*history, {"role": "assistant", "content": html}]

        yield shown(streaming_html("…")), turns, gr.skip(), gr.skip(), ""
        k = int(top_k) if top_k else None
        answer: Answer | None = None
        partial = ""
        began = time.monotonic()
        stream = self.qa.ask_stream(message, top_k=k, mode=mode or None, history=turns)
        try:
            for item in with_ticks(stream, TICK_SECONDS):
                if item is None:  # still waiting for the first word: the model reads the prompt
                    waited = time.monotonic() - began
                    yield shown(waiting_html(waited)), turns, gr.skip(), gr.skip(), ""
                elif isinstance(item, Answer):
                    answer = item
                else:
                    partial += item
                    yield shown(streaming_html(partial)), turns, gr.skip(), gr.skip(), ""
        except EmptyStoreError:
            yield shown(error_html(EMPTY_STORE)), turns, sources_html(None, []), [], ""
            return
        except QAError as exc:
            yield shown(error_html(str(exc))), turns, gr.skip(), gr.skip(), ""
            return
        assert answer is not None
        sources = self.sources(answer)
        turns.append((message, answer.text))
        yield (
            shown(answer_html(answer, sources)),
            turns,
            sources_html(answer, sources),
            hits_rows(answer.hits),
            "",
        )

    def retrieve(self, question: str, top_k: float | None = None) -> list[list[Any]]:
        """The debug view: retrieved chunks for ``question`` with their scores."""
        try:
            return hits_rows(self.qa.retrieve(question, top_k=int(top_k) if top_k else None))
        except EmptyStoreError:
            raise gr.Error(EMPTY_STORE, print_exception=False) from None
        except QAError as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    # ---- corpus ---------------------------------------------------------------------------
    def documents_rows(self) -> list[list[Any]]:
        """Rows of the document table: title, publisher, date, chunks, path, id."""
        rows = []
        for d in self.qa.documents():
            meta = d.metadata or {}
            date = meta.get("published") or meta.get("date") or ""
            publisher = next(  # the site or publisher, never the author (a byline)
                (meta[k] for k in ("publisher", "site_name", "sitename") if meta.get(k)), ""
            )
            rows.append([d.title, str(publisher), str(date), d.chunks, d.path, d.doc_id])
        return rows

    def document_choices(self) -> list[tuple[str, str]]:
        """(label, doc id) pairs for the remove selector."""
        return [(f"{d.title} — {d.path}", d.doc_id) for d in self.qa.documents()]

    def corpus_view(self) -> tuple[list[list[Any]], Any]:
        """The document table and the remove selector, refreshed."""
        return self.documents_rows(), gr.update(choices=self.document_choices(), value=None)

    @staticmethod
    def upload_types() -> list[str]:
        """The file types an upload takes: those ``qa ingest`` reads."""
        return list(UPLOAD_SUFFIXES)

    def check_upload(self, path: Path, name: str) -> str | None:
        """Why an uploaded file is refused, or None when it is acceptable."""
        suffix = Path(name).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            return f"unsupported file type {suffix or '(none)'}: upload {UPLOAD_TYPES} files"
        size = path.stat().st_size
        if size > self.max_upload_bytes:
            return (
                f"{size_text(size)} is over the {size_text(self.max_upload_bytes)} limit per file"
            )
        if size == 0:
            return "the file is empty"
        return None

    @staticmethod
    def _safe_name(name: str) -> str:
        stem, suffix = os.path.splitext(os.path.basename(name))
        stem = re.sub(r"[^\w.-]+", "-", stem).strip(".-") or "upload"
        return f"{stem[:80]}{suffix.lower()}"

    def upload(self, files: Sequence[Any] | None, progress: Any = None) -> str:
        """Ingest uploaded files (paths); returns one status line per file.

        Files of another type or over the size limit are refused with the reason; the rest
        are copied to the upload folder and ingested (an upload with the same name replaces
        the earlier one).
        """
        paths = [Path(getattr(f, "name", f)) for f in files or []]
        if not paths:
            return f"No file selected: choose {UPLOAD_TYPES} files to upload."
        lines: list[str] = []
        if len(paths) > self.max_upload_files:
            lines.append(f"Only the first {self.max_upload_files} files of {len(paths)} are taken.")
            paths = paths[: self.max_upload_files]
        accepted: list[tuple[Path, str]] = []
        for path in paths:
            name = path.name
            reason = self.check_upload(path, name)
            if reason:
                lines.append(f"✗ {name}: {reason}")
            else:
                accepted.append((path, name))
        if not accepted:
            return "\n".join(lines)
        with self._write_lock:
            self.upload_dir.mkdir(parents=True, exist_ok=True)
            targets = []
            for path, name in accepted:
                target = self.upload_dir / self._safe_name(name)
                shutil.copyfile(path, target)
                targets.append((target, name))

            def report_progress(done: int, total: int) -> None:
                if progress is not None and total:
                    progress((done, total), desc="Embedding chunks", unit="chunks")

            for target, name in targets:
                try:
                    report = self.qa.ingest([target], progress=report_progress)
                except UnreadableFilesError as exc:
                    target.unlink(missing_ok=True)
                    lines.append(f"✗ {name}: could not be read ({exc.skipped[0][1]})")
                    continue
                except QAError as exc:
                    target.unlink(missing_ok=True)
                    lines.append(f"✗ {name}: {exc}")
                    continue
                if report.skipped:
                    target.unlink(missing_ok=True)
                    # "path: reason", and the reason may hold ": " itself ("cannot be split
                    # (RuntimeError: ...)")
                    reason = report.skipped[0].removeprefix(
                        f"{display_path(target, resolve=False)}: "
                    )
                    lines.append(f"✗ {name}: could not be read ({reason})")
                elif report.added or report.updated:
                    verb = "added" if report.added else "replaced the earlier upload of that name"
                    lines.append(f"✓ {name}: {verb} ({report.chunks_written} chunks)")
                else:
                    lines.append(f"✓ {name}: already ingested, unchanged")
        return "\n".join(lines)

    def remove(self, doc_id: str | None) -> str:
        """Remove a document from the store (and its file, when it was uploaded here)."""
        if not doc_id:
            return "Choose a document to remove."
        with self._write_lock:
            docs = {d.doc_id: d for d in self.qa.documents()}
            doc = docs.get(doc_id)
            source = self._source_of(doc_id)
            try:
                self.qa.remove(doc_id)
            except QAError as exc:
                return f"✗ {exc}"
            if source is not None:
                source.unlink(missing_ok=True)
        title = doc.title if doc else doc_id
        return f"✓ removed {title}"

    def remove_api(self, doc_id: str) -> str:
        """Remove a document by id (as /documents lists it) or by the path it was ingested
        from (as ``qa remove`` takes it); returns what was done."""
        try:
            doc_id = self.qa.document_id(doc_id)
        except QAError as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        status = self.remove(doc_id)
        if status.startswith("✗"):
            raise gr.Error(status[2:], print_exception=False)
        return status

    def _source_of(self, doc_id: str) -> Path | None:
        """The uploaded file a document id came from, if any (a file elsewhere is not ours)."""
        source = self.qa.source_of(doc_id)
        uploads = self.upload_dir.resolve()
        return source if source is not None and uploads in source.parents else None

    # ---- eval -----------------------------------------------------------------------------
    def run_eval(self, choice: str | None = None, progress: Any = None) -> tuple[Any, ...]:
        """Run the eval on the questions of ``choice`` (a key of EVAL_CHOICES, default 'quick').

        ``progress`` (a ``gr.Progress``) hears questions done / total and the seconds elapsed.
        Returns (status line, metrics table, report files, *one image per plot slot*).
        """

        def report(done: int, total: int, elapsed: float) -> None:
            if progress is not None and total:
                progress(
                    (done, total),
                    desc=f"{done} of {total} questions answered, {elapsed:.0f} s elapsed",
                    unit="questions",
                )

        if progress is not None:
            progress(0.0, desc="Ingesting the eval documents and loading the models")
        result = self.eval_runner.run(choice or "quick", report)
        if not result.ok:
            empty = [gr.update(value=None, visible=False)] * EVAL_PLOT_SLOTS
            return (result.message, gr.skip(), None, *empty)
        images = [
            gr.update(value=path, label=caption, visible=True)
            for caption, path in result.plots[:EVAL_PLOT_SLOTS]
        ]
        images += [gr.update(value=None, visible=False)] * (EVAL_PLOT_SLOTS - len(images))
        table = gr.update(value=result.rows, headers=result.headers)
        return (result.message, table, result.files, *images)

    # ---- the Blocks -------------------------------------------------------------------------
    def build(self) -> gr.Blocks:
        """The Blocks: Chat, Corpus, Settings and Eval tabs, and the named API endpoints."""
        from ui.layout import build_blocks

        self.demo = build_blocks(self)
        return self.demo

    def documents_api(self) -> str:
        """The ``/documents`` endpoint: a JSON string of the stored documents (id, title, path,
        chunks and metadata of each), as ``qa info --json`` lists them. A string for the reason
        ``ask_api`` gives: each has a ``"path"``."""
        return json.dumps([d.to_dict() for d in self.qa.documents()], ensure_ascii=False)

    def warm_up(self) -> None:
        """Load the models the first question needs (``QA.warm_up``); a failure is one line on
        stderr here, and the first question reports it again."""
        try:
            self.qa.warm_up()
        except QAError as exc:
            print(f"qa: warm-up failed: {exc}", file=sys.stderr)

    def launch(
        self,
        host: str = "127.0.0.1",
        port: int | None = 7860,
        *,
        share: bool = False,
        auth: tuple[str, str] | None = None,
        warm: bool = True,
        **kwargs: Any,
    ) -> Any:
        """Build and start the app (blocking unless ``prevent_thread_lock=True``).

        With ``warm``, the models load in the background while the page is served, so the
        first question is not the one that waits for them (``warm_up_thread`` is that thread).
        """
        demo = self.demo or self.build()
        if warm:
            self.warm_up_thread = threading.Thread(
                target=self.warm_up, name="qa-warm-up", daemon=True
            )
            self.warm_up_thread.start()
        options: dict[str, Any] = {
            "server_name": host,
            "server_port": port,
            "share": share,
            "auth": auth,
            "auth_message": "qa: sign in to ask questions about the corpus.",
            "max_file_size": self.max_upload_bytes * 4,  # hard cap; the handler says why
            "footer_links": ["api"],
            "enable_monitoring": False,
            "ssr_mode": False,
            "mcp_server": False,
            "run_history": False,
            "show_error": True,
            "css": CSS,
            "theme": theme(),
        }
        options.update(kwargs)
        return demo.launch(**options)


UPLOAD_TYPES = ", ".join(UPLOAD_SUFFIXES)
EVAL_PLOT_SLOTS = 3  # image components of the Eval tab: one per plot the report draws


def theme() -> gr.themes.Base:
    """Gradio's default theme with its bundled Source Sans Pro at 400 and 700: the 600 face
    Gradio 6 ships holds only 'A', 'B' and some Cyrillic, so semibold titles mixed two fonts.
    The rest of the font stack (CJK and other scripts) is in style.css."""
    return gr.themes.Default(
        font=(
            gr.themes.LocalFont("Source Sans Pro", weights=(400, 700)),
            "ui-sans-serif",
            "system-ui",
            "sans-serif",
        )
    )


CSS = resources.files("ui").joinpath("style.css").read_text(encoding="utf-8")
