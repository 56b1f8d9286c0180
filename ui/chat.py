"""The chat service behind the UI: bots per article, warm-up, the model's line, uploads.

The state the Gradio app shares between sessions lives here; what it shows is
rendered by :mod:`ui.render`, and uploads and web addresses are read by
:mod:`ui.uploads`, so the app stays a thin wiring layer.

Example:
    >>> folder = getfixture("tmp_path")
    >>> svc = ChatService(Settings(backend="extractive", index_dir=folder / "index"))
    >>> answer = svc.bot("article").ask("Who is Pete Hegseth?")
    >>> answer.citations[0].quote in svc.original_text("article")
    True
"""

from __future__ import annotations

import html
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from qa.chain import ArticleQA
from qa.ingest.fetch import save_source
from qa.ingest.loader import Article, shorten
from qa.llm.admission import AnswerQueue, Place, Ticket
from qa.llm.backends import BACKENDS
from qa.settings import Settings
from qa.store.passages import PassageStore
from ui.render import Turn
from ui.uploads import fetch_url, keep_upload, load_upload, upload_name

log = logging.getLogger(__name__)
#: What a question asked during warm-up is told while it waits.
WARMING = "Starting the language model and reading the article"


class ChatService:
    """Shared state of the chat window; safe to use from many sessions at once.

    Args:
        settings: Settings at start-up; the UI may change backend, top-k and
            chunk size per request through :meth:`bot` and :meth:`upload`.
        llm_factory: Builds each bot's chat model from its settings instead of
            the backend's own (tests pass fakes).

    Answers that need the language model go through :attr:`queue`, which lets
    ``settings.generation.llm_slots`` of them run at once and tells the others where they
    stand (see :meth:`admission`).
    """

    def __init__(
        self,
        settings: Settings,
        llm_factory: Callable[[Settings], BaseChatModel | None] | None = None,
    ) -> None:
        self.settings = settings
        self.store = PassageStore(settings)
        self.queue = AnswerQueue(settings.generation.llm_slots)
        self._llm_factory = llm_factory
        self._bots: dict[tuple[str, str, int, str], ArticleQA] = {}
        self._lock = threading.Lock()
        default = self._new_bot(None, settings)
        self.default_article = default.article_ids[0]
        self._bots[self._key(self.default_article, settings)] = default

    @staticmethod
    def _key(article_id: str, settings: Settings) -> tuple[str, str, int, str]:
        return (
            article_id,
            settings.generation.backend,
            settings.retrieval.top_k,
            settings.generation.model_name,
        )

    def articles(self) -> list[tuple[str, str]]:
        """``(label, article_id)`` choices for the selector."""
        return [
            (f"{shorten(i.title, 70)} ({i.article_id})", i.article_id)
            for i in self.store.articles()
        ]

    def bot(
        self,
        article_id: str,
        backend: str | None = None,
        top_k: int | None = None,
        model: str | None = None,
    ) -> ArticleQA:
        """A (cached) bot for an indexed article and the chosen options."""
        settings = self.settings.updated(
            backend=backend or None, top_k=top_k, model_name=model or None
        )
        key = self._key(article_id, settings)
        with self._lock:
            if key not in self._bots:
                self._bots[key] = self._new_bot(article_id, settings)
            return self._bots[key]

    def _new_bot(self, article_id: str | None, settings: Settings) -> ArticleQA:
        if self._llm_factory is None:  # the bot starts its backend's model on first use
            return ArticleQA(article_id, settings=settings, store=self.store)
        llm = self._llm_factory(settings)
        return ArticleQA(article_id, settings=settings, store=self.store, llm=llm)

    # ------------------------------------------------------ warm-up and the line
    def start_warm_up(self, after: threading.Event | None = None) -> threading.Thread | None:
        """Warm the default article's model in the background (if its backend has one).

        The line is held at once, so a question asked meanwhile waits with a
        visible notice instead of racing the warm-up for the CPU. The work
        starts when ``after`` is set: llama.cpp holds Python's GIL while it
        loads the model, which would stall a page being served.
        """
        if not BACKENDS[self.settings.generation.backend].needs_model:
            return None
        self.queue.hold(WARMING)

        def run() -> None:
            if after is not None:
                after.wait()
            self.warm_up()

        thread = threading.Thread(target=run, name="qa-warm-up", daemon=True)
        thread.start()
        return thread

    def warm_up(self) -> None:
        """Start the model and cache the default article's prefix, then open the line.

        A failure is logged, not raised: questions then get the chain's own
        fallback (the best matching sentence, with a notice).
        """
        from qa.llm.warmup import warm_up

        start = time.perf_counter()
        try:
            bot = self.bot(self.default_article)
            if self._llm_factory:  # not llama.cpp's model: the chain's own warm-up suits it
                bot.warm_up()
            else:
                warm_up(bot)
        except Exception as exc:  # the model being unavailable must not stop the UI
            log.warning("warm-up failed: %s", exc)
        finally:
            self.queue.open()
        log.info("warm-up done in %.1f s", time.perf_counter() - start)

    @contextmanager
    def admission(
        self, bot: ArticleQA, question: str, history: Sequence[dict[str, str]] = ()
    ) -> Iterator[Iterator[Place]]:
        """Hold a place in :attr:`queue` for ``bot``'s answer to ``question``.

        Yields an iterator of :class:`~qa.llm.admission.Place` updates that ends
        when the answer may start (at once when there is room); the place is
        freed when the block exits. Answers that need no model (the extractive
        backend, small talk, a summary of the whole article, a question answered
        before or being answered for someone else) skip the line, and a question
        waiting in line leaves it once its answer is being written for someone else.
        """

        def needed() -> bool:
            return bot.needs_model(question, history)

        if not needed():
            yield iter(())
            return
        with self.queue.turn() as ticket:
            yield self._places(ticket, needed)

    def _places(self, ticket: Ticket, needed: Callable[[], bool]) -> Iterator[Place]:
        """:meth:`AnswerQueue.wait` for ``ticket``, ending early (out of the line) once
        the answer no longer ``needed`` the model. The line wakes its waiters whenever
        an answer ends, which is when one is filed in the answer cache."""
        for place in self.queue.wait(ticket):
            if not needed():
                self.queue.leave(ticket)
                return
            yield place
        if not needed():  # admitted while it started being written: wait without the slot
            self.queue.leave(ticket, answered=False)

    def upload(
        self,
        temp_path: str | Path,
        original_name: str | None = None,
        chunk_size: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> str:
        """Validate, store and index an uploaded article; returns its id.

        The file is copied into ``settings.ingest.upload_dir`` under a name made only
        of safe characters, so no upload name can escape that folder.

        Raises:
            InputError: Wrong type, empty, binary, not UTF-8, too large, no text,
                a PDF without a text layer.
        """
        name = upload_name(temp_path, original_name)
        article = load_upload(temp_path, name, self.settings.ingest.max_file_bytes)
        self._index(article, chunk_size, progress)
        keep_upload(temp_path, article, name, self.settings.ingest.upload_dir)
        return article.article_id

    def add_url(
        self,
        url: str,
        chunk_size: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> str:
        """Fetch, index and keep the article at a web address; returns its id.

        Raises:
            InputError: Blank, not an http(s) address, unreachable, an error status, a
                redirect elsewhere, not HTML or PDF, too large, too slow, no text.
        """
        article, page = fetch_url(url, self.settings)
        self._index(article, chunk_size, progress)
        save_source(page, article, self.settings)
        return article.article_id

    def _index(
        self, article: Article, chunk_size: int | None, progress: Callable[[int], None] | None
    ) -> None:
        """Index one article with the chosen passage size; drop bots that cached it."""
        settings = self.settings.updated(chunk_size=chunk_size)
        store = PassageStore(settings) if settings is not self.settings else self.store
        store.index([article], progress=progress)
        with self._lock:  # bots hold cached passages of the old version
            self._bots = {k: v for k, v in self._bots.items() if k[0] != article.article_id}

    def info_line(self, article_id: str, bot: ArticleQA) -> str:
        """Footer text: who answers and how much is indexed."""
        info = self.store.info(article_id)
        articles = self.store.articles()
        total = sum(i.passages for i in articles)
        return (
            f"Answers by **{html.escape(bot.model_label)}** · this article: {info.passages} passages · "
            f"index: {total} passages in {len(articles)} article(s) · "
            f"embeddings: {html.escape(info.model)} · everything runs on this machine"
        )

    def original_text(self, article_id: str) -> str:
        """An indexed article's original text (what citation offsets refer to)."""
        return self.store.original_text(article_id)


def plain_history(turns: Sequence[Turn]) -> list[dict[str, str]]:
    """Conversation turns as role/content messages for the chain's history."""
    history: list[dict[str, str]] = []
    for question, answer in turns:
        history += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer.text},
        ]
    return history
