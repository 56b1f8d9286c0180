"""The Python API, :class:`ArticleQA`: wiring of the staged answer path.

:class:`ArticleQA` indexes what it is given, then wires the stages of
:mod:`qa.answer` (retriever, readers, verifier, composer) together; the path a
question takes is :class:`qa.answer.pipeline.AnswerPipeline`.

Example:
    >>> from qa import ArticleQA
    >>> bot = ArticleQA(backend="extractive", index_dir=getfixture("tmp_path"))
    >>> ans = bot.ask("Who is the US Secretary of Defense?")
    >>> ans.text
    'Russia fears that the Europeans may change the US into mission creep, despite Pete Hegseth, US Secretary of Defense, now saying the US won\u2019t expand Article 5 common defense guarantees to NATO troops in Ukraine [1].'
    >>> ans.citations[0].quote in bot.original_text("article")
    True
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.runnables.config import run_in_executor

from qa.answer.cache import AnswerCache
from qa.answer.pipeline import AnswerPipeline
from qa.answer.retrieve import HybridRetriever
from qa.answer.types import ABSTENTION, Answer, AnswerStream, Citation
from qa.errors import InputError, QAError
from qa.ingest.clean import clean
from qa.ingest.loader import Article, find_article_files, load_article
from qa.llm.backends import BACKENDS
from qa.llm.models import chat_model
from qa.settings import Settings
from qa.store.passages import PassageStore
from qa.store.types import StoredPassage

__all__ = [
    "ABSTENTION",
    "WARM_UP",
    "Answer",
    "AnswerStream",
    "ArticleQA",
    "Citation",
    "QARunnable",
]

_UNSET: Any = object()
#: Asked once at start-up so that the article's prompt prefix is cached.
WARM_UP = "What is this article about?"

#: A question, or ``{"question": ..., "history": [{"role", "content"}, ...]}``.
QAInput: TypeAlias = str | Mapping[str, Any]


class ArticleQA:
    """Answers questions about indexed articles with verified citations.

    Args:
        article: A path to an article file (indexed if needed), an indexed article
            id, or a list of either. Default: every article in ``settings.ingest.seeds_dir``.
        backend: ``"embedded"``, ``"openai"`` or ``"extractive"``; overrides settings.
        settings: Base settings (default: :class:`Settings` from ``QA_*`` env vars).
        llm: A LangChain chat model to use instead of the backend's (tests pass fakes).
        store: An open :class:`PassageStore` to share.
        **overrides: Any other :class:`Settings` field.

    Example:
        >>> bot = ArticleQA("seeds/article.txt", backend="extractive",
        ...                 index_dir=getfixture("tmp_path"))
        >>> stream = bot.stream("Who is Pete Hegseth?")
        >>> "Secretary of Defense" in "".join(stream), stream.answer.citations[0].paragraph
        (True, 7)
    """

    def __init__(
        self,
        article: str | Path | Sequence[str | Path] | None = None,
        *,
        backend: str | None = None,
        settings: Settings | None = None,
        llm: BaseChatModel | None = _UNSET,
        store: PassageStore | None = None,
        **overrides: Any,
    ) -> None:
        base = settings or Settings()
        if backend is not None:
            overrides["backend"] = backend
        self.settings = base.updated(**overrides)
        self.store = store or PassageStore(self.settings)
        self.article_ids = self._prepare(article)
        self._llm = llm
        self._llm_error: str | None = None
        self.retriever = HybridRetriever(
            store=self.store,
            article_ids=self.article_ids,
            top_k=self.settings.retrieval.top_k,
            candidate_k=self.settings.retrieval.candidate_k,
            rrf_k=self.settings.retrieval.rrf_k,
            relevance_floor=self.settings.retrieval.relevance_floor,
            sentence_floor=self.settings.retrieval.sentence_relevance_floor,
        )
        size = self.settings.generation.answer_cache
        self.pipeline = AnswerPipeline(
            self.settings,
            self.retriever,
            self.passages,
            lambda: self.llm,
            lambda: self.retriever.lexical().idf,
            lambda: self._llm_error,
            self.store.sentence_vector,
            AnswerCache(self.store.generation, size) if size else None,
        )

    # --------------------------------------------------------------- set-up
    def _prepare(self, article: str | Path | Sequence[str | Path] | None) -> list[str]:
        if article is None:
            targets: list[str | Path] = list(find_article_files([self.settings.ingest.seeds_dir]))
        elif isinstance(article, str | Path):
            targets = [article]
        else:
            targets = list(article)
        ids: list[str] = []
        to_index: list[Article] = []
        indexed = {i.article_id for i in self.store.articles()}
        for target in targets:
            path = Path(target)
            if path.exists():
                loaded = load_article(path, max_bytes=self.settings.ingest.max_file_bytes)
                to_index.append(loaded)
                ids.append(loaded.article_id)
            elif isinstance(target, str) and target in indexed:
                ids.append(target)
            else:
                raise InputError(f"No such article file or indexed article id: {target}")
        if to_index:
            self.store.index(to_index)
        return ids

    @property
    def llm(self) -> BaseChatModel | None:
        """The chat model, started on first use; ``None`` when unavailable."""
        if self._llm is _UNSET:
            try:
                self._llm = chat_model(self.settings)
            except QAError as exc:
                self._llm, self._llm_error = None, str(exc)
        return self._llm

    @property
    def model_label(self) -> str:
        """Human-readable name of what answers."""
        if not BACKENDS[self.settings.generation.backend].needs_model:
            return "extractive (no LLM)"
        return f"{self.settings.generation.model_name} ({self.settings.generation.backend})"

    def original_text(self, article_id: str | None = None) -> str:
        """Original text of an article (what citation offsets refer to)."""
        return self.store.original_text(article_id or self.article_ids[0])

    def passages(self) -> list[StoredPassage]:
        """Every passage of the selected articles, in order."""
        return self.store.passages(self.article_ids)

    def warm_up(self) -> None:
        """Start the model and fill its prompt cache with the article prefix."""
        if self.llm is not None and self.pipeline.whole_article():
            self.pipeline.prime(WARM_UP)

    # ------------------------------------------------------------- answering
    def ask(self, question: str, history: Sequence[dict[str, str]] | None = None) -> Answer:
        """Answer ``question`` (see :meth:`stream`)."""
        stream = self.stream(question, history)
        for _ in stream:
            pass
        assert stream.answer is not None
        return stream.answer

    def stream(
        self, question: str, history: Sequence[dict[str, str]] | None = None
    ) -> AnswerStream:
        """Stream the answer to ``question`` as verified text pieces.

        Args:
            question: The question (1-2,000 characters after stripping).
            history: Earlier turns as ``{"role": "user"|"assistant", "content": str}``.

        Raises:
            InputError: (a ``ValueError``) The question is empty, whitespace-only or
                too long.
        """
        question = self._validate(question)
        return AnswerStream(self.pipeline.run(question, list(history or [])))

    def needs_model(self, question: str, history: Sequence[dict[str, str]] | None = None) -> bool:
        """Whether answering ``question`` now would call the language model (no for small
        talk, an answer given before, a summary of the whole article, the extractive
        backend). Raises :class:`InputError` as :meth:`stream` does."""
        return self.pipeline.needs_model(self._validate(question), list(history or []))

    def answer_in_progress(
        self, question: str, history: Sequence[dict[str, str]] | None = None
    ) -> bool:
        """Whether the answer to ``question`` is being written for another caller now
        (asking it waits for that answer). Raises :class:`InputError` as :meth:`stream` does."""
        return self.pipeline.answer_in_progress(self._validate(question), list(history or []))

    def as_runnable(self) -> QARunnable:
        """This bot as a LangChain :class:`Runnable` (see :class:`QARunnable`)."""
        return QARunnable(self)

    def _validate(self, question: str) -> str:
        if not isinstance(question, str):
            raise InputError("The question must be text")
        limit = self.settings.interface.max_question_chars
        if len(question) > limit:  # checked first: cleaning costs
            raise InputError(
                f"The question is {len(question):,} characters long; the limit is {limit:,}"
            )
        cleaned = clean(question).text.replace("\n\n", " ").strip() if question.strip() else ""
        if not cleaned:
            raise InputError("The question is empty; type a question about the article")
        return cleaned


class QARunnable(Runnable[QAInput, Answer]):
    """An :class:`ArticleQA` as a LangChain runnable, to compose in LCEL chains.

    Input: a question, or ``{"question": ..., "history": [...]}``. Output: the
    :class:`Answer`. ``stream`` / ``astream`` yield the answer as it grows (its
    ``text`` so far), then the final :class:`Answer` with its citations.

    Example:
        >>> from langchain_core.runnables import RunnableLambda
        >>> bot = ArticleQA(backend="extractive", index_dir=getfixture("tmp_path"))
        >>> chain = bot.as_runnable() | RunnableLambda(lambda a: a.citations[0].paragraph)
        >>> chain.invoke({"question": "Who is the US Secretary of Defense?", "history": []})
        7
    """

    def __init__(self, bot: ArticleQA) -> None:
        self.bot = bot

    @staticmethod
    def _unpack(value: QAInput) -> tuple[str, list[dict[str, str]]]:
        if isinstance(value, str):
            return value, []
        if "question" not in value:
            raise InputError('Expected a question or {"question": ..., "history": [...]}')
        return str(value["question"]), list(value.get("history") or [])

    def invoke(self, input: QAInput, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        """The answer to ``input``."""
        question, history = self._unpack(input)
        return self._call_with_config(
            lambda q: self.bot.ask(q, history), question, config, run_type="chain"
        )

    def stream(
        self, input: QAInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[Answer]:
        """The answer as it grows, then the final one."""
        question, history = self._unpack(input)
        stream = self.bot.stream(question, history)
        text = ""
        for piece in stream:
            text += piece
            yield Answer(text, False, [], question, backend=self.bot.settings.generation.backend)
        assert stream.answer is not None
        yield stream.answer

    async def ainvoke(
        self, input: QAInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Answer:
        """:meth:`invoke` in a worker thread."""
        return await run_in_executor(config, self.invoke, input, config)

    async def astream(
        self, input: QAInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Answer]:
        """:meth:`stream`, each step in a worker thread (the model call blocks)."""
        steps = self.stream(input, config)
        while (step := await run_in_executor(config, next, steps, None)) is not None:
            yield step
