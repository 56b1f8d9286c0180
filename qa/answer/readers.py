"""Readers: strategies that read passages and write an answer with ``[n]`` markers.

Readers are peers behind one registry, :data:`READERS`; the answer path picks
one by name (``llm`` for the embedded and openai backends, ``extractive`` for
no model, for whole-article summaries and lists the article numbers itself,
and as the fallback that quotes a sentence that plainly answers).
What a reader writes is raw: :class:`qa.answer.compose.Composer` verifies it.

Example:
    >>> from qa.answer.shapes import Shape
    >>> from qa.ingest.split import Passage
    >>> text = "Pete Hegseth is the US Secretary of Defense. It rained."
    >>> p = Passage("a", "A", 0, 1, 0, len(text), text, text)
    >>> reader = READERS["extractive"](ReaderContext(idf={}, min_score=0.5))
    >>> "".join(reader.read(ReadRequest("Who is Hegseth?", Shape.FACTOID, {1: p}, [p])))
    'Pete Hegseth is the US Secretary of Defense. [1]\\n'
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.runnables import Runnable

from qa.answer import summary
from qa.answer.claims import (
    INDEFINITE,
    asked_about,
    covered,
    explained,
    measure_term,
    names_place,
    names_wanted,
)
from qa.answer.evidence import Window, windows
from qa.answer.guard import redact
from qa.answer.shapes import Shape
from qa.answer.summary import Embed
from qa.ingest.split import Passage
from qa.llm.models import first_token_probability
from qa.llm.prompts import answer_prompt
from qa.store.lexical import content_terms

#: Tokens a list or a summary may take (five items of ~30 tokens, with markers).
_LONG_ANSWER_TOKENS = 240
#: Weighted question coverage a sentence needs to be offered by the extractive backend.
MIN_SCORE = 0.5
#: What a sentence scores where it lacks the kind of thing asked for (a time for "When
#: ...?", :func:`~qa.answer.claims.names_wanted`): it answers something else.
_KIND_MISSING = 0.5


@dataclass
class ReadRequest:
    """Everything a reader may use for one question."""

    question: str
    shape: Shape
    #: The passages shown to the reader, by the number its markers use.
    numbered: Mapping[int, Passage]
    #: Retrieved passages, best first (the extractive reader quotes from these).
    ranked: Sequence[Passage]
    #: Earlier turns as ``(role, text)``, when the question follows up on them.
    history: Sequence[tuple[str, str]] = ()
    #: Readers record what evaluation and calibration need here.
    diagnostics: dict[str, Any] = field(default_factory=dict)
    #: The items of a list the article numbers itself, found by the answer path
    #: (:mod:`qa.answer.enumeration`): the extractive reader quotes them.
    listed: Sequence[Window] = ()


class Reader(Protocol):
    """Writes an answer to a :class:`ReadRequest`, streamed as raw text pieces."""

    def read(self, request: ReadRequest) -> Iterator[str]:
        """Raw answer text with ``[n]`` markers, in pieces."""
        ...


@dataclass(frozen=True)
class ReaderContext:
    """What a reader may be built from."""

    llm: BaseChatModel | None = None
    #: Inverse document frequency of terms over the searched passages.
    idf: Mapping[str, float] = field(default_factory=dict)
    #: Below this weighted coverage the extractive reader quotes nothing.
    min_score: float = MIN_SCORE
    #: A sentence encoder, for choosing a summary's sentences (tf-idf without one).
    embed: Embed | None = None
    #: What a sentence that shares only names and times with the question scores, of
    #: its coverage (see :meth:`ExtractiveReader.scored`).
    aside: float = 1.0


def _abstain_probability(metadata: Mapping[str, Any]) -> float | None:
    """Probability mass the model put on starting with the abstention marker."""
    return first_token_probability(metadata, lambda token: token.strip().upper().startswith("NOT"))


class LLMReader:
    """A chat model reads the numbered passages; the instructions follow the shape.

    The system message (rules and passages) is the same for every question about
    an article, so llama.cpp reuses its cached prefix; the shape's instructions and
    the turns a follow-up leans on come after it, as chat messages.
    """

    def __init__(self, llm: BaseChatModel) -> None:
        self.llm = llm

    @classmethod
    def create(cls, context: ReaderContext) -> LLMReader:
        """The registry's constructor."""
        if context.llm is None:
            raise ValueError("the llm reader needs a chat model")
        return cls(context.llm)

    def read(self, request: ReadRequest) -> Iterator[str]:
        """Stream the model's answer; record P("NOT IN ARTICLE") and the raw output."""
        block = "\n".join(f"[{n}] {redact(p.text)}" for n, p in request.numbered.items())
        history = [
            HumanMessage(text) if role == "user" else AIMessage(text)
            for role, text in request.history
        ]
        llm: Runnable[Any, Any] = self.llm
        if request.shape in (Shape.LIST, Shape.SUMMARY):  # several claims need more room
            llm = self.llm.bind(max_completion_tokens=_LONG_ANSWER_TOKENS)
        chain = answer_prompt(request.shape.value) | llm
        stream = chain.stream({"passages": block, "question": request.question, "history": history})
        first = True
        try:
            for chunk in stream:
                if first and chunk.response_metadata.get("logprobs"):
                    first = False
                    request.diagnostics["p_abstain"] = _abstain_probability(chunk.response_metadata)
                yield str(chunk.content)
        finally:
            close = getattr(stream, "close", None)
            if close:
                close()


class ExtractiveReader:
    """Quotes the sentences that best cover the question's content terms.

    A sentence's score is the idf-weighted share of the question's content terms
    it contains, plus a tiny bonus for better-retrieved passages. Lists the article
    numbers itself ("The second ...", "Finally, ...") quote the items the answer
    path found (:attr:`ReadRequest.listed`). Summaries quote
    the opening sentence and the sentences most central to the article, or its
    last sentences when asked how it ends (:mod:`qa.answer.summary`).
    """

    def __init__(
        self,
        idf: Mapping[str, float],
        min_score: float = MIN_SCORE,
        embed: Embed | None = None,
        aside: float = 1.0,
    ) -> None:
        self.idf = idf
        self.min_score = min_score
        self.embed = embed
        self.aside = aside

    @classmethod
    def create(cls, context: ReaderContext) -> ExtractiveReader:
        """The registry's constructor."""
        return cls(context.idf, context.min_score, context.embed, context.aside)

    def read(self, request: ReadRequest) -> Iterator[str]:
        """Quoted sentences with markers; ``diagnostics["quote_score"]`` is the best score."""
        number = {(p.article_id, p.start): n for n, p in request.numbered.items()}
        if request.shape is Shape.SUMMARY:
            sentences = windows(list(request.numbered.values()), pairs=False)
            count = summary.size(request.question)
            if summary.asks_ending(request.question):
                chosen = summary.closing(sentences, count)
            else:
                chosen = summary.central(sentences, self.embed, count)
        elif request.listed:  # the article numbers the items itself
            chosen = list(request.listed)
        else:
            scored = self.scored(request.question, request.ranked)
            if scored:  # what a lower threshold would have quoted: for calibration
                request.diagnostics["quote_score"] = scored[0][0]
                request.diagnostics["quote_candidate"] = scored[0][1].text
            limit = 3 if request.shape is Shape.LIST else 1
            chosen = [w for s, w in scored[:limit] if s >= self.min_score]
        for window in sorted(chosen, key=lambda w: w.start):
            n = number.get((window.passage.article_id, window.passage.start))
            marker = f" [{n}]" if n else ""
            yield f"{window.text}{marker}\n"

    def scored(self, question: str, ranked: Sequence[Passage]) -> list[tuple[float, Window]]:
        """Sentences of ``ranked`` with their scores, best first."""
        # "Has anyone died?" is answered by a sentence about who died.
        q_terms = set(content_terms(question)) - INDEFINITE
        if not q_terms:
            return []
        default = max(self.idf.values(), default=1.0)
        weight = {t: self.idf.get(t, default) for t in q_terms}
        total = sum(weight.values())
        # Other forms count for what "Why ...?" asks to be explained ("retaliated" is
        # explained by a sentence about the "retaliation"), not for every question term:
        # a question built to share words with a sentence would find more of them.
        forms = explained(question, self.idf.keys())
        # "15 years" says what "How long" asks.
        measure = measure_term(question)
        # What the question asks about beyond its names and times: a sentence that shares
        # only those ("How much did Dana Okafor earn last year?": "... one or two robots
        # last year ..., Dana Okafor said") may be about something else; it scores
        # ``aside`` of its coverage.
        core = asked_about(question)
        out = []
        for rank, p in enumerate(ranked):
            for window in windows([p], pairs=False):
                found = covered(q_terms, window.quote, forms=forms)
                has_kind = names_wanted(question, window.quote)
                if measure in q_terms and has_kind:
                    found.add(measure)
                score = sum(weight[t] for t in found) / total
                if core and not found & core:
                    score *= self.aside
                # "When will the deal close?" is not answered by "... no stores would close",
                # nor "Where is the outbreak?" likely by a sentence that names no place.
                if not has_kind or not names_place(question, window.quote):
                    score *= _KIND_MISSING
                out.append((score + 0.01 / (rank + 1), window))
        out.sort(key=lambda x: -x[0])
        return out


#: Every reading strategy, by name.
READERS: dict[str, Callable[[ReaderContext], Reader]] = {
    "llm": LLMReader.create,
    "extractive": ExtractiveReader.create,
}
