"""The question-answering chain and its Python API, :class:`ArticleQA`.

Flow for one question: validate -> condense with history (only when there is
history) -> hybrid retrieval -> abstain early if nothing is relevant ->
generate with numbered passages (LangChain ``prompt | chat_model``, streamed)
-> verify each finished sentence against its cited passages -> stream the
verified sentences with renumbered ``[n]`` markers.

Example:
    >>> from qa import ArticleQA
    >>> bot = ArticleQA(backend="extractive")  # doctest: +SKIP
    >>> ans = bot.ask("Who is the US Secretary of Defense?")  # doctest: +SKIP
    >>> ans.citations[0].quote in bot.original_text("article")  # doctest: +SKIP
    True
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser

from qa.clean import clean
from qa.errors import InputError, QAError
from qa.extractive import Extract, best_sentences
from qa.guard import redact
from qa.loader import Article, find_article_files, load_article
from qa.models import chat_model
from qa.prompts import answer_prompt, condense_prompt
from qa.retrieve import Hit, HybridRetriever, Retrieval
from qa.settings import Settings
from qa.store import PassageStore, StoredPassage
from qa.verify import is_no_answer, split_cited, verify_sentence

log = logging.getLogger(__name__)

#: The one sentence the bot says when the article does not answer.
ABSTENTION = "Sorry, the article doesn't say."
_NOTICE_FALLBACK = (
    "The language model is unavailable ({reason}); showing the best matching sentence instead."
)
_NOTICE_CUT = "The language model stopped mid-answer ({reason}); the answer may be incomplete."
_UNSET: Any = object()


@dataclass(frozen=True)
class Citation:
    """An inline ``[n]`` marker resolved to an exact span of the original article.

    ``quote == original_text[start:end]`` always holds.
    """

    n: int
    article_id: str
    paragraph: int
    start: int
    end: int
    quote: str


@dataclass
class Answer:
    """The result of one question."""

    text: str
    abstained: bool
    citations: list[Citation]
    question: str = ""
    standalone_question: str = ""
    backend: str = ""
    notice: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list, repr=False)
    #: Raw model output and the model's abstention probability, for evaluation.
    diagnostics: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (used by ``qa ask --json`` and ``qa eval``)."""
        return {
            "question": self.question,
            "standalone_question": self.standalone_question,
            "text": self.text,
            "abstained": self.abstained,
            "citations": [asdict(c) for c in self.citations],
            "backend": self.backend,
            "notice": self.notice,
            "timings": {k: round(v, 1) for k, v in self.timings.items()},
        }


class AnswerStream:
    """Iterate for text pieces; :attr:`answer` holds the final :class:`Answer` after."""

    def __init__(self, gen: Generator[str, None, Answer]) -> None:
        self._gen = gen
        self.answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        self.answer = yield from self._gen


def _history_text(history: Sequence[dict[str, str]], turns: int = 3) -> str:
    lines = []
    for msg in list(history)[-2 * turns :]:
        role = "User" if msg.get("role") == "user" else "Assistant"
        content = re.sub(r"\s*\[\d+\]", "", str(msg.get("content", "")))[:600]
        lines.append(f"{role}: {content}")
    return "\n".join(lines)


def _abstain_probability(metadata: dict[str, Any]) -> float | None:
    """Probability mass the model put on starting with the abstention marker."""
    content = (metadata.get("logprobs") or {}).get("content") or []
    if not content:
        return None
    top = content[0].get("top_logprobs") or []
    return sum(math.exp(t["logprob"]) for t in top if t["token"].strip().upper().startswith("NOT"))


class ArticleQA:
    """Answers questions about indexed articles with verified citations.

    Args:
        article: A path to an article file (indexed if needed), an indexed article
            id, or a list of either. Default: every article in ``settings.seeds_dir``.
        backend: ``"embedded"``, ``"openai"`` or ``"extractive"``; overrides settings.
        settings: Base settings (default: :class:`Settings` from ``QA_*`` env vars).
        llm: A LangChain chat model to use instead of the backend's (tests pass fakes).
        store: An open :class:`PassageStore` to share.
        **overrides: Any other :class:`Settings` field.

    Example:
        >>> bot = ArticleQA("seeds/article.txt", backend="extractive")  # doctest: +SKIP
        >>> for piece in (stream := bot.stream("Where did they meet?")):  # doctest: +SKIP
        ...     print(piece, end="")
        >>> stream.answer.citations  # doctest: +SKIP
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
            top_k=self.settings.top_k,
            candidate_k=self.settings.candidate_k,
            rrf_k=self.settings.rrf_k,
            relevance_floor=self.settings.relevance_floor,
        )

    # --------------------------------------------------------------- set-up
    def _prepare(self, article: str | Path | Sequence[str | Path] | None) -> list[str]:
        if article is None:
            targets: list[str | Path] = list(find_article_files([self.settings.seeds_dir]))
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
                loaded = load_article(path, max_bytes=self.settings.max_file_bytes)
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
        if self.settings.backend == "extractive":
            return "extractive (no LLM)"
        return f"{self.settings.model_name} ({self.settings.backend})"

    def original_text(self, article_id: str | None = None) -> str:
        """Original text of an article (what citation offsets refer to)."""
        return self.store.original_text(article_id or self.article_ids[0])

    def passages(self) -> list[StoredPassage]:
        """Every passage of the selected articles, in order."""
        return self.store.passages(self.article_ids)

    def warm_up(self) -> None:
        """Start the model and fill its prompt cache with the article prefix."""
        if self.llm is not None and self._full_article():
            with contextlib.suppress(QAError):  # warming is best effort
                self.ask("What is this article about?")

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
            ValueError: The question is empty, whitespace-only or too long.
        """
        question = self._validate(question)
        return AnswerStream(self._run(question, list(history or [])))

    def _validate(self, question: str) -> str:
        if not isinstance(question, str):
            raise InputError("The question must be text")
        if len(question) > self.settings.max_question_chars:  # checked first: cleaning costs
            raise InputError(
                f"The question is {len(question):,} characters long; "
                f"the limit is {self.settings.max_question_chars:,}"
            )
        cleaned = clean(question).text.replace("\n\n", " ").strip() if question.strip() else ""
        if not cleaned:
            raise InputError("The question is empty; type a question about the article")
        return cleaned

    def _full_article(self) -> bool:
        total = sum(len(p.text) for p in self.passages())
        return total <= self.settings.full_article_chars

    def _condense(
        self, question: str, history: list[dict[str, str]], timings: dict[str, float]
    ) -> str:
        llm = self.llm
        if not history or llm is None:
            return question
        start = time.perf_counter()
        try:
            chain = condense_prompt() | llm | StrOutputParser()
            text = chain.invoke({"history": _history_text(history), "question": question})
            standalone = text.strip().splitlines()[0].strip().strip('"') if text.strip() else ""
        except Exception as exc:  # the model being down must not stop the answer
            log.warning("condense failed: %s", exc)
            standalone = ""
        timings["condense_ms"] = (time.perf_counter() - start) * 1000
        return standalone if 3 <= len(standalone) <= 500 else question

    def _run(self, question: str, history: list[dict[str, str]]) -> Generator[str, None, Answer]:
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        answer = Answer("", True, [], question, question, self.settings.backend, timings=timings)
        answer.standalone_question = standalone = self._condense(question, history, timings)
        t1 = time.perf_counter()
        retrieval = self.retriever.retrieve(standalone)
        timings["retrieval_ms"] = (time.perf_counter() - t1) * 1000
        answer.hits = retrieval.hits
        pieces: list[str] = []
        numbering: dict[str, int] = {}

        def emit(text: str, passages: list[StoredPassage], span: Extract | None = None) -> str:
            marks = []
            for p in passages:
                if p.id not in numbering:
                    numbering[p.id] = len(numbering) + 1
                    start, end, quote = (
                        (span.start, span.end, span.quote) if span else (p.start, p.end, p.quote)
                    )
                    answer.citations.append(
                        Citation(numbering[p.id], p.article_id, p.paragraph, start, end, quote)
                    )
                marks.append(f"[{numbering[p.id]}]")
            piece = ("" if not pieces else " ") + text.rstrip() + " " + "".join(marks)
            pieces.append(piece)
            timings.setdefault("first_token_ms", (time.perf_counter() - t0) * 1000)
            return piece

        if retrieval.relevant:
            llm = self.llm
            if llm is None:
                if self.settings.backend != "extractive":
                    answer.notice = _NOTICE_FALLBACK.format(
                        reason=self._llm_error or "not configured"
                    )
                for extract in self._extract(standalone, retrieval):
                    yield emit(clean(extract.quote).text, [extract.hit.passage], extract)
            else:
                try:
                    yield from self._generate(llm, standalone, retrieval, emit, answer.diagnostics)
                except Exception as exc:
                    reason = type(exc).__name__
                    log.warning("generation failed: %s", exc)
                    if pieces:
                        answer.notice = _NOTICE_CUT.format(reason=reason)
                    else:
                        answer.notice = _NOTICE_FALLBACK.format(reason=reason)
                        for extract in self._extract(standalone, retrieval):
                            yield emit(clean(extract.quote).text, [extract.hit.passage], extract)
        if not pieces:
            answer.citations = []
            pieces.append(ABSTENTION)
            timings.setdefault("first_token_ms", (time.perf_counter() - t0) * 1000)
            yield ABSTENTION
        else:
            answer.abstained = False
        answer.text = "".join(pieces)
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        return answer

    def _extract(self, question: str, retrieval: Retrieval) -> list[Extract]:
        _, bm25 = self.retriever.lexical_index()
        return best_sentences(question, retrieval.hits, bm25.idf, limit=1)

    def numbered_passages(self, retrieval: Retrieval) -> list[StoredPassage]:
        """The passages shown to the model, in the order they are numbered."""
        if self._full_article():
            return list(self.passages())
        return [h.passage for h in retrieval.hits]

    def _generate(
        self,
        llm: BaseChatModel,
        question: str,
        retrieval: Retrieval,
        emit: Any,
        diagnostics: dict[str, Any],
    ) -> Iterator[str]:
        numbered = self.numbered_passages(retrieval)
        by_number = {i + 1: p for i, p in enumerate(numbered)}
        # Planted instructions are hidden from the model and cannot support a claim.
        texts = {n: redact(p.text) for n, p in by_number.items()}
        before = self._preceding(by_number)
        block = "\n".join(f"[{n}] {t}" for n, t in texts.items())
        chain = answer_prompt() | llm
        buffer, done, first = "", 0, True
        logprobs: list[float] = []
        start = time.perf_counter()
        stream = chain.stream({"passages": block, "question": question})
        try:
            for chunk in stream:
                if first and chunk.response_metadata.get("logprobs"):
                    first = False
                    p_abstain = _abstain_probability(chunk.response_metadata)
                    diagnostics["p_abstain"] = p_abstain
                    if p_abstain is not None and p_abstain >= self.settings.abstain_prob:
                        return
                for token in (chunk.response_metadata.get("logprobs") or {}).get("content") or []:
                    logprobs.append(float(token["logprob"]))
                buffer += str(chunk.content)
                parts = split_cited(buffer)
                tail = buffer.rstrip()
                # A sentence is final once the next one has begun (its markers are in).
                pending = not parts or tail.endswith("]") or parts[-1][0].startswith("[")
                complete = 0 if pending else len(parts) - 1
                while done < complete:
                    yield from self._verified(parts[done], question, texts, before, by_number, emit)
                    done += 1
        except Exception:
            # Keep what the model finished saying before it failed; then report the failure.
            parts = [p for p in split_cited(buffer) if p[0].endswith((".", "!", "?"))]
            for part in parts[done:]:
                yield from self._verified(part, question, texts, before, by_number, emit)
            raise
        else:
            parts = split_cited(buffer)
            while done < len(parts):
                yield from self._verified(parts[done], question, texts, before, by_number, emit)
                done += 1
        finally:
            close = getattr(stream, "close", None)
            if close:
                close()
            diagnostics["raw"] = buffer
            if logprobs:
                diagnostics["mean_logprob"] = sum(logprobs) / len(logprobs)
                diagnostics["min_logprob"] = min(logprobs)
            diagnostics["llm_ms"] = (time.perf_counter() - start) * 1000

    def _preceding(self, by_number: dict[int, StoredPassage]) -> dict[int, str]:
        """Text of the passage before each numbered one in its article (for names
        the question takes for granted, introduced just before a "he")."""
        ordered = self.passages()
        index = {p.id: i for i, p in enumerate(ordered)}
        out = {}
        for n, p in by_number.items():
            i = index.get(p.id, 0)
            prev = ordered[i - 1] if i > 0 else None
            out[n] = redact(prev.text) if prev and prev.article_id == p.article_id else ""
        return out

    def _verified(
        self,
        part: tuple[str, list[int]],
        question: str,
        texts: dict[int, str],
        before: dict[int, str],
        by_number: dict[int, StoredPassage],
        emit: Any,
    ) -> Iterator[str]:
        sentence, cited = part
        if not sentence or is_no_answer(sentence):
            return
        threshold = self.settings.support_threshold
        checked = verify_sentence(sentence, question, texts, threshold, cited, before)
        if checked.citations and checked.text:
            yield emit(checked.text, [by_number[n] for n in checked.citations])
