"""The Blocks of the app: which components, in which tabs, wired to which QAApp handlers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import gradio as gr

from ui.render import HIT_HEADERS, size_text, sources_html

if TYPE_CHECKING:
    from ui.app import QAApp

__all__ = ["DOC_HEADERS", "build_blocks"]

DOC_HEADERS = ["title", "publisher", "date", "chunks", "path", "id"]
HEADER = (
    '<div class="qa-header"><span class="qa-logo">qa</span> answers from your articles, '
    "citing the exact passages. Click a [n] marker to see its source.</div>"
)


def _chat_tab(app: QAApp) -> dict[str, Any]:
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                elem_id="qa-chat",
                label="Chat",
                show_label=False,
                height=560,
                render_markdown=False,  # answers arrive as escaped HTML, see ui/render.py
                sanitize_html=True,
                feedback_options=None,
                # no copy buttons: gradio copies a message's source, which for an answer is
                # its HTML; selecting the text copies what is shown
                buttons=[],
                placeholder="Ask a question about the ingested articles.",
            )
            with gr.Row():
                question = gr.Textbox(
                    elem_id="qa-question",
                    show_label=False,
                    placeholder="e.g. How much working capital did Wogen provide to Magrathea?",
                    # no max_length: the browser would cut a long question silently; the
                    # handler refuses it with the CLI's message instead
                    scale=8,
                    max_lines=6,  # a long paste scrolls inside the box
                    autofocus=True,
                    container=False,
                )
                send = gr.Button("Ask", variant="primary", scale=1, min_width=110, elem_id="qa-ask")
                clear = gr.Button("Clear", scale=1, min_width=110, elem_id="qa-clear")
        with gr.Column(scale=2):
            sources = gr.HTML(sources_html(None, []), elem_id="qa-sources")
    return {
        "chatbot": chatbot,
        "question": question,
        "send": send,
        "clear": clear,
        "sources": sources,
    }


def _corpus_tab(app: QAApp) -> dict[str, Any]:
    docs = gr.Dataframe(
        headers=DOC_HEADERS,
        datatype=["str", "str", "str", "number", "str", "str"],
        interactive=False,
        label="Documents",
        elem_id="qa-docs",
        wrap=True,
        column_widths=["38%", "11%", "10%", "7%", "22%", "12%"],
    )
    with gr.Row():
        files = gr.File(
            file_count="multiple",
            label=(
                f"Upload {', '.join(app.upload_types())} files, up to "
                f"{size_text(app.max_upload_bytes)} each and {app.max_upload_files} at a time"
            ),
            elem_id="qa-upload",
        )
        with gr.Column():
            choice = gr.Dropdown(label="Document to remove", elem_id="qa-remove-choice")
            remove = gr.Button("Remove", variant="stop", elem_id="qa-remove")
    status = gr.Textbox(label="Status", interactive=False, lines=3, elem_id="qa-corpus-status")
    return {"docs": docs, "files": files, "choice": choice, "remove": remove, "status": status}


def _settings_tab(app: QAApp) -> dict[str, Any]:
    settings = app.qa.settings
    with gr.Row():
        top_k = gr.Slider(
            1,
            50,
            value=settings.top_k,
            step=1,
            label="top-k",
            info="Chunks retrieved and handed to the answerer.",
            elem_id="qa-top-k",
        )
        mode = gr.Radio(
            app.mode_choices(),
            value=app.qa.resolve_mode(None),
            label="Answer mode",
            info="LLM is offered when QA_LLM_BASE_URL and QA_LLM_MODEL are set.",
            elem_id="qa-mode",
        )
    with gr.Row():
        probe = gr.Textbox(
            label="Try retrieval only",
            placeholder="A question; shows the chunks it retrieves.",
            scale=5,
            elem_id="qa-probe",
        )
        probe_btn = gr.Button("Retrieve", scale=1)
    debug = gr.Dataframe(
        headers=HIT_HEADERS,
        interactive=False,
        wrap=True,
        label="Retrieved chunks of the latest question, with their scores",
        elem_id="qa-debug",
        column_widths=["4%", "8%", "7%", "7%", "7%", "20%", "8%", "39%"],
    )
    return {"top_k": top_k, "mode": mode, "probe": probe, "probe_btn": probe_btn, "debug": debug}


def _eval_tab() -> dict[str, Any]:
    from ui.app import EVAL_PLOT_SLOTS
    from ui.eval_tab import EVAL_CHOICES

    gr.Markdown(
        "Runs the bundled article eval set (`smm-magnesium`, 222 questions) through qa in this "
        "process, in a store of its own (your documents are not touched), then shows the "
        "metrics, the plots and the report. The progress bar counts the questions answered."
    )
    with gr.Row():
        choice = gr.Radio(
            [(c.label, key) for key, c in EVAL_CHOICES.items()],
            value="quick",
            label="Questions to run",
            elem_id="qa-eval-choice",
            scale=4,
        )
        run = gr.Button("Run the eval", variant="primary", elem_id="qa-eval-run", scale=1)
    status = gr.Textbox(label="Status", lines=2, interactive=False, elem_id="qa-eval-status")
    table = gr.Dataframe(
        headers=["metric", "value"],
        interactive=False,
        label="Metrics",
        elem_id="qa-eval-table",
        wrap=True,
        max_height=900,  # every metric row without a scroll bar
    )
    files = gr.File(label="Report (report.md) and results (results.json)", elem_id="qa-eval-files")
    plots = [
        gr.Image(
            visible=False,
            interactive=False,
            show_label=True,
            type="filepath",
            elem_classes=["qa-plot"],
            elem_id=f"qa-eval-plot-{n}",
            buttons=["download", "fullscreen"],
        )
        for n in range(EVAL_PLOT_SLOTS)
    ]
    return {
        "choice": choice,
        "run": run,
        "status": status,
        "table": table,
        "files": files,
        "plots": plots,
    }


def build_blocks(app: QAApp) -> gr.Blocks:
    """Lay out the tabs, wire the events to ``app``'s handlers and set up the queue."""
    with gr.Blocks(title="qa — answers with citations", analytics_enabled=False) as demo:
        gr.HTML(HEADER)
        turns = gr.State([])
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                chat = _chat_tab(app)
            with gr.Tab("Corpus", id="corpus"):
                corpus = _corpus_tab(app)
            with gr.Tab("Settings", id="settings"):
                opts = _settings_tab(app)
            with gr.Tab("Eval", id="eval"):
                ev = _eval_tab()

        chat_io: dict[str, Any] = {
            "fn": app.respond,
            "inputs": [chat["question"], chat["chatbot"], turns, opts["top_k"], opts["mode"]],
            "outputs": [chat["chatbot"], turns, chat["sources"], opts["debug"], chat["question"]],
        }
        chat["question"].submit(**chat_io, api_name="chat", api_visibility="undocumented")
        chat["send"].click(**chat_io, api_name="ui_chat", api_visibility="private")
        chat["clear"].click(
            lambda: ([], [], sources_html(None, []), ""),
            outputs=[chat["chatbot"], turns, chat["sources"], chat["question"]],
            api_visibility="private",
            queue=False,
        )

        def upload(files: list[str] | None, progress: Any = gr.Progress()) -> str:  # noqa: B008
            return app.upload(files, progress)

        refresh = {"fn": app.corpus_view, "outputs": [corpus["docs"], corpus["choice"]]}
        writes = {"concurrency_limit": 1, "concurrency_id": "write"}
        corpus["files"].upload(
            upload, corpus["files"], corpus["status"], api_name="upload", **writes
        ).then(
            # emptied once ingested: the next upload reports its own files only
            lambda: None,
            outputs=corpus["files"],
            api_visibility="private",
            queue=False,
        ).then(**refresh, api_visibility="private")
        corpus["remove"].click(
            app.remove,
            corpus["choice"],
            corpus["status"],
            api_name="ui_remove",
            api_visibility="private",
            **writes,
        ).then(**refresh, api_visibility="private")
        demo.load(**refresh, api_visibility="private")

        probe_io = {
            "fn": app.retrieve,
            "inputs": [opts["probe"], opts["top_k"]],
            "outputs": opts["debug"],
        }
        opts["probe"].submit(**probe_io, api_name="retrieve")
        opts["probe_btn"].click(**probe_io, api_name="ui_retrieve", api_visibility="private")

        def run_eval(choice: str, progress: Any = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
            return app.run_eval(choice, progress)

        ev["run"].click(
            run_eval,
            inputs=ev["choice"],
            outputs=[ev["status"], ev["table"], ev["files"], *ev["plots"]],
            show_progress_on=[ev["status"]],
            api_visibility="private",
            concurrency_limit=1,
            concurrency_id="eval",
        )
        gr.api(app.ask_api, api_name="ask")
        gr.api(app.documents_api, api_name="documents")
        gr.api(app.remove_api, api_name="remove", **writes)
    demo.queue(default_concurrency_limit=app.concurrency, max_size=app.max_queue)
    return demo
