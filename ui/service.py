"""The chat service behind the UI: bots per article, uploads, rendering, export.

Everything the Gradio app shows is computed here, so the app stays a thin
wiring layer. All text from articles, questions and answers is HTML-escaped
before it is put into markup.

Example:
    >>> folder = getfixture("tmp_path")
    >>> svc = ChatService(Settings(backend="extractive", index_dir=folder / "index"))
    >>> answer = svc.bot("article").ask("Who is Pete Hegseth?")
    >>> "<mark" in svc.article_html("article", answer)
    True
"""

from __future__ import annotations

import html
import logging
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel

from qa.chain import Answer, ArticleQA
from qa.errors import InputError
from qa.ingest.fetch import fetch_article, is_url, save_source
from qa.ingest.loader import ARTICLE_SUFFIXES, Article, article_from_bytes, shorten, slugify
from qa.ingest.split import page_label
from qa.llm.admission import AnswerQueue, Place
from qa.settings import Settings
from qa.store.passages import PassageStore

_MARK = re.compile(r"\[(\d+)\]")
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
    ``settings.llm_slots`` of them run at once and tells the others where they
    stand (see :meth:`admission`).
    """

    def __init__(
        self,
        settings: Settings,
        llm_factory: Callable[[Settings], BaseChatModel | None] | None = None,
    ) -> None:
        self.settings = settings
        self.store = PassageStore(settings)
        self.queue = AnswerQueue(settings.llm_slots)
        self._llm_factory = llm_factory
        self._bots: dict[tuple[str, str, int, str], ArticleQA] = {}
        self._lock = threading.Lock()
        default = self._new_bot(None, settings)
        self.default_article = default.article_ids[0]
        self._bots[self._key(self.default_article, settings)] = default

    @staticmethod
    def _key(article_id: str, settings: Settings) -> tuple[str, str, int, str]:
        return (article_id, settings.backend, settings.top_k, settings.model_name)

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
        """Warm the default article's model in the background (not for extractive).

        The line is held at once, so a question asked meanwhile waits with a
        visible notice instead of racing the warm-up for the CPU. The work
        starts when ``after`` is set: llama.cpp holds Python's GIL while it
        loads the model, which would stall a page being served.
        """
        if self.settings.backend == "extractive":
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
    def admission(self, bot: ArticleQA) -> Iterator[Iterator[Place]]:
        """Hold a place in :attr:`queue` for one answer of ``bot``.

        Yields an iterator of :class:`~qa.llm.admission.Place` updates that ends
        when the answer may start (at once when there is room); the place is
        freed when the block exits. Extractive answers need no model and skip
        the line.
        """
        if bot.settings.backend == "extractive":
            yield iter(())
            return
        with self.queue.turn() as ticket:
            yield self.queue.wait(ticket)

    def upload(
        self,
        temp_path: str | Path,
        original_name: str | None = None,
        chunk_size: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> str:
        """Validate, store and index an uploaded article; returns its id.

        The file is copied into ``settings.upload_dir`` under a name made only
        of safe characters, so no upload name can escape that folder.

        Raises:
            InputError: Wrong type, empty, binary, not UTF-8, too large, no text,
                a PDF without a text layer.
        """
        source = Path(temp_path)
        name = Path(original_name or source.name).name  # drop any directory part
        suffix = Path(name).suffix.lower()
        if suffix not in ARTICLE_SUFFIXES:
            raise InputError(f"{name}: unsupported file type; upload {', '.join(ARTICLE_SUFFIXES)}")
        limit = self.settings.max_file_bytes
        try:
            size = source.stat().st_size
            if size > limit:
                raise InputError(
                    f"{name} is {size / 1e6:.1f} MB; the limit is {limit / 1e6:.1f} MB"
                )
            data = source.read_bytes()
        except OSError as exc:
            raise InputError(f"Cannot read the upload: {exc.strerror or exc}") from None
        article_id = slugify(Path(name).stem)
        article = article_from_bytes(data, name, article_id, limit, source=f"upload:{name}")
        self._index(article, chunk_size, progress)
        upload_dir = self.settings.upload_dir.resolve()
        upload_dir.mkdir(parents=True, exist_ok=True)
        target = (upload_dir / f"{article_id}{suffix}").resolve()
        if target.parent != upload_dir:  # defence in depth: slugify already forbids this
            raise InputError(f"{name}: invalid file name")
        tmp = target.with_suffix(target.suffix + ".tmp")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
        return article_id

    def add_url(
        self,
        url: str,
        chunk_size: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> str:
        """Fetch, index and keep the article at a web address; returns its id.

        Raises:
            InputError: Not an http(s) address, unreachable, an error status, a
                redirect elsewhere, not HTML or PDF, too large, too slow, no text.
        """
        url = url.strip()
        if not url:
            raise InputError("Enter a web address (https://...)")
        if not is_url(url):  # "example.com/news" is what people paste
            url = f"https://{url}"
        article, page = fetch_article(url, self.settings)
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
        total = sum(i.passages for i in self.store.articles())
        return (
            f"Answers by **{html.escape(bot.model_label)}** · this article: {info.passages} passages · "
            f"index: {total} passages in {len(self.store.articles())} article(s) · "
            f"embeddings: {html.escape(info.model)} · everything runs on this machine"
        )

    # ---------------------------------------------------------------- rendering
    @staticmethod
    def waiting_html(place: Place) -> str:
        """The status line shown in place of the answer while a question waits."""
        return f"<em class='qa-waiting'>{html.escape(place.text)}</em>"

    @staticmethod
    def answer_html(text: str, answer: Answer | None = None) -> str:
        """Escaped answer text with ``[n]`` turned into links that show their quote."""
        quotes = {c.n: c for c in (answer.citations if answer else [])}

        def link(match: re.Match[str]) -> str:
            n = int(match.group(1))
            c = quotes.get(n)
            if c is None:
                return match.group(0)
            tip = html.escape(f"{page_label(c)}: {' '.join(c.quote.split())}", quote=True)
            return f'<a href="#cite-{n}" class="qa-cite" title="{tip}">[{n}]</a>'

        body = _MARK.sub(link, html.escape(text, quote=False))
        if answer and answer.notice:
            body += f"\n\n<em>Note: {html.escape(answer.notice)}</em>"
        return body

    @staticmethod
    def sources_html(answer: Answer | None, show_scores: bool = False) -> str:
        """The cited passages of the latest answer, with page (if known) and paragraph."""
        if answer is None:
            return "<p class='qa-empty'>Sources of the latest answer appear here.</p>"
        if not answer.citations:
            if answer.shape == "chat":
                return "<p class='qa-empty'>No sources: nothing was asked about the article.</p>"
            return "<p class='qa-empty'>No sources: the article does not answer this.</p>"
        items = []
        for c in answer.citations:
            extra = ""
            # A citation quotes a sentence; its retrieval scores are its passage's.
            hit = next(
                (h for h in answer.hits if h.passage.start <= c.start and c.end <= h.passage.end),
                None,
            )
            if show_scores and hit:
                extra = (
                    f" <span class='qa-score'>dense {hit.dense:.2f} · bm25 {hit.bm25:.2f} · "
                    f"fused {hit.fused:.4f}</span>"
                )
            items.append(
                f"<li id='src-{c.n}'><b>[{c.n}]</b> {page_label(c)}, chars {c.start}–{c.end}{extra}"
                f"<blockquote>{html.escape(c.quote)}</blockquote></li>"
            )
        return "<ol class='qa-sources'>" + "".join(items) + "</ol>"

    def article_html(self, article_id: str, answer: Answer | None = None) -> str:
        """The article's original text, paragraphs kept, cited spans highlighted."""
        original = self.store.original_text(article_id)
        spans = sorted(
            {
                (c.start, c.end, c.n)
                for c in (answer.citations if answer else [])
                if c.article_id == article_id
            }
        )
        out, pos = [], 0
        for start, end, n in spans:
            if start < pos:  # overlapping citation: already highlighted
                continue
            out.append(html.escape(original[pos:start]))
            out.append(
                f"<mark id='cite-{n}' class='qa-hl' data-n='{n}'>{html.escape(original[start:end])}</mark>"
            )
            pos = end
        out.append(html.escape(original[pos:]))
        return f"<div class='qa-article'>{''.join(out)}</div>"

    @staticmethod
    def export_markdown(title: str, turns: Sequence[tuple[str, Answer]]) -> Path:
        """Write the conversation (questions, answers, quoted sources) to a .md file."""
        lines = [
            f"# Conversation about: {title}",
            "",
            f"_Exported {time.strftime('%Y-%m-%d %H:%M')}_",
            "",
        ]
        for question, answer in turns:
            lines += [f"**Q:** {question}", "", f"**A:** {answer.text}", ""]
            for c in answer.citations:
                quote = " ".join(c.quote.split())
                lines.append(f"> [{c.n}] {page_label(c)} (chars {c.start}–{c.end}): {quote}")
            lines.append("")
        folder = Path(tempfile.mkdtemp(prefix="qa-export-"))
        path = folder / "conversation.md"
        path.write_text("\n".join(lines), encoding="utf-8")
        return path


def plain_history(turns: Sequence[tuple[str, Answer]]) -> list[dict[str, Any]]:
    """Conversation turns as role/content messages for the chain's history."""
    history: list[dict[str, Any]] = []
    for question, answer in turns:
        history += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer.text},
        ]
    return history
