"""The Gradio chat window: a thin layer over :class:`ui.chat.ChatService` and :mod:`ui.render`.

Run with ``qa ui`` or ``make run``, then open http://127.0.0.1:7860.
"""

from __future__ import annotations

import html
import ipaddress
import threading
from collections.abc import Iterator
from typing import Any

import gradio as gr

from qa.chain import Answer, ArticleQA
from qa.errors import ConfigError, QAError
from qa.llm.backends import BACKENDS
from qa.settings import Settings
from ui.chat import ChatService, plain_history
from ui.render import (
    SHARED_ANSWER,
    Turn,
    answer_html,
    article_html,
    export_markdown,
    sources_html,
    waiting_html,
)
from ui.uploads import UPLOAD_TYPES

EXAMPLES = [
    "What is this article about?",
    "What are the five disagreements?",
    "Who is Pete Hegseth?",
    "What does the US peace plan ask Russia to give the US?",
    "Where did Trump and Zelensky meet?",
]
CSS = """
.qa-article {white-space: pre-wrap; line-height: 1.5; max-height: 420px; overflow-y: auto;}
.qa-hl {background: #ffe58a; padding: 0 2px; border-radius: 3px;}
.qa-hl:target, .qa-hl.qa-active {outline: 3px solid #d97706; background: #ffd24d;}
.qa-sources blockquote {margin: 4px 0 10px 0; padding-left: 8px; border-left: 3px solid #ccc;}
.qa-score {color: #777; font-size: 0.85em;}
.qa-empty {color: #777;}
"""
# Clicking an inline [n] opens the Article tab and scrolls its highlighted quote into view.
HEAD = """<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a.qa-cite");
  if (!link) return;
  event.preventDefault();
  const id = link.getAttribute("href").slice(1);
  const tab = [...document.querySelectorAll("button[role=tab]")].find((b) => b.textContent.trim() === "Article");
  if (tab) tab.click();
  setTimeout(() => {
    document.querySelectorAll(".qa-hl.qa-active").forEach((m) => m.classList.remove("qa-active"));
    const mark = document.getElementById(id);
    if (mark) { mark.classList.add("qa-active"); mark.scrollIntoView({block: "center"}); }
  }, 200);
});
</script>"""
#: A chat message as Gradio's chatbot holds it (role, content, and Gradio's own keys).
Message = dict[str, Any]
#: What ``gr.update(...)`` and ``gr.skip()`` return: a change to an output component.
Update = dict[str, Any]
#: What an answer changes: question box, chat, turns, sources, article view, footer.
AskOutputs = tuple[
    str | Update, list[Message], list[Turn], str | Update, str | Update, str | Update
]
#: Events handled at once (answers beyond llm_slots wait in the service's line).
WORKERS = 32
# Gradio injects a tracker into a function whose parameter defaults to a Progress object.
PROGRESS = gr.Progress()


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_app(service: ChatService) -> gr.Blocks:
    """Lay out the page and wire its events to ``service``."""
    settings = service.settings

    def current_bot(article: str, backend: str, top_k: float, model: str) -> ArticleQA:
        return service.bot(article, backend or None, int(top_k), (model or "").strip() or None)

    def show_article(article: str, answer: Answer | None = None) -> str:
        return article_html(service.original_text(article), article, answer)

    def respond(
        question: str, chat: list[Message], turns: list[Turn], article: str,
        backend: str, top_k: float, model: str, show_scores: bool,
    ) -> Iterator[AskOutputs]:  # fmt: skip
        try:
            bot = current_bot(article, backend, top_k, model)
            history = plain_history(turns)
            stream = bot.stream(question, history)
        except (QAError, ValueError) as exc:
            gr.Warning(str(exc))
            yield gr.skip(), chat, turns, gr.skip(), gr.skip(), gr.skip()
            return
        # Escaped: the chatbot renders Markdown/HTML, and a question must show as typed.
        shown = html.escape(question)
        chat = [*chat, {"role": "user", "content": shown}, {"role": "assistant", "content": ""}]
        text = ""
        with service.admission(bot, question, history) as waiting:
            # While the model is busy or warming up, say where the question stands.
            for place in waiting:
                chat[-1] = {"role": "assistant", "content": waiting_html(place)}
                yield "", chat, turns, gr.skip(), gr.skip(), gr.skip()
            if bot.answer_in_progress(question, history):  # not a silent empty bubble
                chat[-1] = {"role": "assistant", "content": waiting_html(SHARED_ANSWER)}
                yield "", chat, turns, gr.skip(), gr.skip(), gr.skip()
            try:
                for piece in stream:
                    text += piece
                    chat[-1] = {"role": "assistant", "content": answer_html(text)}
                    yield "", chat, turns, gr.skip(), gr.skip(), gr.skip()
            except QAError as exc:
                gr.Warning(str(exc))
                return
        answer = stream.answer
        assert answer is not None
        chat[-1] = {"role": "assistant", "content": answer_html(answer.text, answer)}
        turns = [*turns, (question, answer)]
        yield (
            "", chat, turns,
            sources_html(answer, show_scores),
            show_article(article, answer),
            service.info_line(article, bot),
        )  # fmt: skip

    def undo(
        chat: list[Message], turns: list[Turn], article: str
    ) -> tuple[list[Message], list[Turn], str, str]:
        turns = turns[:-1]
        last = turns[-1][1] if turns else None
        return chat[:-2], turns, sources_html(last), show_article(article, last)

    def clear(article: str) -> tuple[list[Message], list[Turn], str, str]:
        return [], [], sources_html(None), show_article(article)

    def retry(turns: list[Turn]) -> tuple[str, list[Turn]]:
        return (turns[-1][0] if turns else ""), turns

    def select_article(
        article: str, backend: str, top_k: float, model: str
    ) -> tuple[list[Message], list[Turn], str, str, str]:
        bot = current_bot(article, backend, top_k, model)
        return (
            [],
            [],
            sources_html(None),
            show_article(article),
            service.info_line(article, bot),
        )

    def upload(
        file: str | None, chunk_size: float, progress: gr.Progress = PROGRESS
    ) -> tuple[Update, str | Update]:
        if file is None:
            return gr.skip(), gr.skip()
        # Gradio keeps an upload under the name it was uploaded with (the path's last part).
        path = getattr(file, "name", file)
        name = getattr(file, "orig_name", None)
        progress(0, desc="Indexing…")
        try:
            article_id = service.upload(path, name, int(chunk_size))
        except (QAError, ValueError) as exc:
            gr.Warning(str(exc))
            return gr.skip(), f"Upload refused: {exc}"
        gr.Info(f"Indexed {article_id}")
        return gr.update(choices=service.articles(), value=article_id), f"Indexed **{article_id}**."

    def add_url(
        url: str, chunk_size: float, progress: gr.Progress = PROGRESS
    ) -> tuple[Update, str, str | Update]:
        progress(0, desc="Fetching…")
        try:
            article_id = service.add_url(url, int(chunk_size))
        except (QAError, ValueError) as exc:
            gr.Warning(str(exc))
            return gr.skip(), f"Address refused: {exc}", gr.skip()
        gr.Info(f"Indexed {article_id}")
        return (
            gr.update(choices=service.articles(), value=article_id),
            f"Indexed **{article_id}**.",
            "",
        )

    def export(turns: list[Turn], article: str) -> Update:
        if not turns:
            gr.Warning("Nothing to export yet.")
            return gr.skip()
        path = export_markdown(service.store.info(article).title, turns)
        return gr.update(value=str(path), visible=True)

    with gr.Blocks(title="Article Q&A") as demo:
        gr.Markdown(
            "## Article Q&A\nAsk about the article; every claim links to the exact passage."
        )
        turns = gr.State([])
        with gr.Row():
            with gr.Column(scale=3):
                article = gr.Dropdown(
                    service.articles(),
                    value=service.default_article,
                    label="Article",
                    elem_id="article-select",
                )
                chatbot = gr.Chatbot(
                    label="Chat", height=460, elem_id="chat", buttons=["copy", "copy_all"],
                    sanitize_html=True, feedback_options=None,
                )  # fmt: skip
                with gr.Row():
                    box = gr.Textbox(
                        placeholder="Ask a question about the article…", show_label=False, scale=5,
                        elem_id="question", max_lines=4,
                    )  # fmt: skip
                    send = gr.Button("Send", variant="primary", scale=1, elem_id="send")
                with gr.Row():
                    retry_btn = gr.Button("Retry", size="sm", elem_id="retry")
                    undo_btn = gr.Button("Undo", size="sm", elem_id="undo")
                    clear_btn = gr.Button("Clear", size="sm", elem_id="clear")
                    export_btn = gr.Button("Export Markdown", size="sm", elem_id="export")
                export_file = gr.File(
                    label="Conversation (Markdown)",
                    visible=False,
                    interactive=False,
                    elem_id="export-file",
                )
                gr.Examples(EXAMPLES, inputs=box, label="Try")
            with gr.Column(scale=2):
                with gr.Tab("Sources"):
                    sources = gr.HTML(sources_html(None), elem_id="sources")
                with gr.Tab("Article"):
                    article_view = gr.HTML(
                        show_article(service.default_article), elem_id="article-view"
                    )
                with gr.Accordion("Upload another article", open=False):
                    upload_box = gr.File(
                        label=", ".join(UPLOAD_TYPES), file_types=UPLOAD_TYPES,
                        elem_id="upload",
                    )  # fmt: skip
                    with gr.Row():
                        url_box = gr.Textbox(
                            placeholder="…or a web address: https://…", show_label=False,
                            scale=4, elem_id="url", max_lines=1,
                        )  # fmt: skip
                        fetch_btn = gr.Button("Fetch", size="sm", scale=1, elem_id="fetch")
                    upload_status = gr.Markdown(elem_id="upload-status")
                with gr.Accordion("Settings", open=False):
                    backend = gr.Radio(
                        list(BACKENDS), value=settings.generation.backend, label="Backend",
                        elem_id="backend",
                    )  # fmt: skip
                    model = gr.Textbox(
                        settings.generation.model_name,
                        label="Model (for OpenAI-compatible servers)",
                    )
                    top_k = gr.Slider(
                        1,
                        10,
                        value=settings.retrieval.top_k,
                        step=1,
                        label="Passages per answer (top-k)",
                    )
                    chunk = gr.Slider(
                        200,
                        2000,
                        value=settings.ingest.chunk_size,
                        step=50,
                        label="Passage size for the next upload",
                    )
                    show_scores = gr.Checkbox(
                        settings.interface.show_scores, label="Show retrieval scores"
                    )
        info = gr.Markdown(
            service.info_line(service.default_article, service.bot(service.default_article)),
            elem_id="info",
        )

        ask_inputs = [box, chatbot, turns, article, backend, top_k, model, show_scores]
        ask_outputs = [box, chatbot, turns, sources, article_view, info]
        box.submit(respond, ask_inputs, ask_outputs)
        send.click(respond, ask_inputs, ask_outputs)
        retry_btn.click(retry, [turns], [box, turns]).then(
            undo, [chatbot, turns, article], [chatbot, turns, sources, article_view]
        ).then(respond, ask_inputs, ask_outputs)
        undo_btn.click(undo, [chatbot, turns, article], [chatbot, turns, sources, article_view])
        clear_btn.click(clear, [article], [chatbot, turns, sources, article_view])
        export_btn.click(export, [turns, article], [export_file])
        article.change(
            select_article,
            [article, backend, top_k, model],
            [chatbot, turns, sources, article_view, info],
        )
        upload_box.upload(upload, [upload_box, chunk], [article, upload_status])
        url_box.submit(add_url, [url_box, chunk], [article, upload_status, url_box])
        fetch_btn.click(add_url, [url_box, chunk], [article, upload_status, url_box])

        def ask_api(question: str, article_id: str = "", backend: str = "") -> dict[str, Any]:
            """Answer one question; returns the answer as JSON (text, abstained, citations)."""
            bot = service.bot(article_id or service.default_article, backend or None)
            stream = bot.stream(question)  # a bad question fails here, before queueing
            with service.admission(bot, question) as waiting:
                for _ in waiting:
                    pass
                for _ in stream:
                    pass
            assert stream.answer is not None
            return stream.answer.to_dict()

        gr.api(ask_api, api_name="ask")
    return demo


def serve(settings: Settings, block: bool = True, service: ChatService | None = None) -> gr.Blocks:
    """Start the app on ``settings.interface.ui_host:ui_port``; the model warms up meanwhile.

    ``service`` replaces the one built from ``settings`` (tests pass one with a
    fake model).

    Raises:
        ConfigError: A non-loopback address without ``--auth user:password``.
    """
    auth = None
    if settings.interface.ui_auth:
        user, sep, password = settings.interface.ui_auth.get_secret_value().partition(":")
        if not sep or not user or not password:
            raise ConfigError("--auth must look like user:password")
        auth = (user, password)
    if not is_loopback(settings.interface.ui_host) and auth is None:
        raise ConfigError(
            f"Refusing to listen on {settings.interface.ui_host} without authentication: "
            "pass --auth user:password (or set QA_UI_AUTH)"
        )
    service = service or ChatService(settings)
    # The model and the article prefix load in the background once the page is served.
    page_served = threading.Event()
    service.start_warm_up(after=page_served)
    demo = build_app(service)
    # Enough workers that a question waiting for the model sits in the service's
    # line, where it is told its place, rather than silently in Gradio's.
    demo.queue(default_concurrency_limit=WORKERS, max_size=512)
    demo.launch(
        server_name=settings.interface.ui_host,
        server_port=settings.interface.ui_port,
        auth=auth,
        share=False,
        show_error=False,
        max_file_size=settings.ingest.max_file_bytes,
        prevent_thread_lock=True,
        quiet=True,
        css=CSS,
        head=HEAD,
        enable_monitoring=False,
        max_threads=WORKERS + 8,
        mcp_server=False,
        ssr_mode=False,
    )
    page_served.set()
    if block:
        demo.block_thread()
    return demo
