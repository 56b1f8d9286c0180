"""Warm-up: start the model and put the article prefix into every llama.cpp slot.

Reading the article (the fixed prompt prefix, ~1,200 tokens for the seed) is
most of a cold answer's time on 2 cores, and each llama.cpp slot keeps its own
copy. So the prefix is computed once, in slot 0, through the chain's own
prompt (one output token), saved to the cache folder and loaded into the
other slots; the next start loads the saved prefix into every slot before
anything is computed, and only the question's tokens are left to read.

Any other backend warms through the chain itself: one question, whose answer
is thrown away. With a fake chat model standing in for an OpenAI-compatible
server:

Example:
    >>> from langchain_core.language_models import FakeListChatModel
    >>> llm = FakeListChatModel(responses=["It is about peace talks.", "unused"])
    >>> bot = ArticleQA(backend="openai", llm=llm, index_dir=getfixture("tmp_path"))
    >>> warm_up(bot)
    >>> llm.i  # the model read the article once: its first answer was used
    1
"""

from __future__ import annotations

import logging
import threading
import time

from qa.chain import WARM_UP, ArticleQA
from qa.llm.models import LlamaServer, chat_model, prefix_name

log = logging.getLogger(__name__)


def warm_up(bot: ArticleQA) -> None:
    """Start ``bot``'s model and cache its article prefix (in every slot when embedded).

    Raises:
        ModelError: The embedded model cannot be assembled or started.
    """
    settings = bot.settings
    if settings.generation.backend != "embedded":
        bot.warm_up()
        return
    start = time.perf_counter()
    started: list[LlamaServer] = []
    failed: list[Exception] = []

    def start_server() -> None:
        try:
            started.append(LlamaServer.get(settings))
        except Exception as exc:  # not handled here: re-raised below, in the caller's thread
            failed.append(exc)

    loading = threading.Thread(target=start_server, name="qa-llama-start", daemon=True)
    loading.start()
    # The model loads in its own process; the embedder and the index load meanwhile.
    extractive = settings.updated(backend="extractive")
    ArticleQA(bot.article_ids, settings=extractive, store=bot.store).ask(WARM_UP)
    loading.join()
    if failed:
        raise failed[0]
    server = started[0]
    name = prefix_name(settings, bot.article_ids)
    restored = server.restore_prefix(name)
    loaded = time.perf_counter()
    # The chain's own prompt, pinned to slot 0, one token out: the prefix is what counts.
    reader_settings = settings.updated(max_tokens=1)
    reader = ArticleQA(
        bot.article_ids,
        settings=reader_settings,
        store=bot.store,
        llm=chat_model(reader_settings, slot=0),
    )
    reader.warm_up()
    read = time.perf_counter()
    if server.save_prefix(name, slot=0) and server.slots > 1:
        server.restore_prefix(name, range(1, server.slots))
    log.info(
        "warm-up: model and embedder %.1f s (saved prefix in %d slot(s)), article %.1f s, "
        "copies %.1f s",
        loaded - start, restored, read - loaded, time.perf_counter() - read,
    )  # fmt: skip
