"""Find, for each claim of an answer, the sentence of the article that supports it.

A claim keeps the passage its reader cited when a sentence of that passage
supports it; otherwise the citation moves to the best-supporting sentence
anywhere in the article; a claim no sentence supports is dropped. Support is
:meth:`qa.answer.claims.Claim.support`, thresholded by ``Settings.verification.support_threshold``.

Example:
    >>> from qa.ingest.split import Passage
    >>> text = "Trump met Zelensky at the Vatican. It rained."
    >>> v = SentenceVerifier([Passage("a", "A", 0, 1, 0, len(text), text, text)], 0.6)
    >>> v.check("They met at the Vatican [7].", [], "Where did Trump and Zelensky meet?").quote
    'Trump met Zelensky at the Vatican.'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from qa.answer.claims import Claim
from qa.answer.evidence import Window, windows
from qa.ingest.split import Passage
from qa.store.lexical import content_terms


@dataclass(frozen=True)
class Supported:
    """A claim and the window of the article that supports it."""

    claim: str  # the claim as the reader wrote it, without markers
    window: Window
    score: float
    moved: bool  # the citation moved away from the passage the reader cited

    @property
    def quote(self) -> str:
        """The exact original text of the supporting sentence(s)."""
        return self.window.quote


class Verifier(Protocol):
    """Checks one claim; ``cited`` are the passages its reader cited."""

    def check(self, claim: str, cited: Sequence[Passage], question: str) -> Supported | None:
        """The support for ``claim``, or ``None`` to drop it."""
        ...


class SentenceVerifier:
    """:class:`Verifier` over the sentences of ``passages`` (in article order).

    With ``topic`` (the question, joined with the one it follows up), a window must
    also share at least ``min_overlap`` of the topic's content terms: a sentence
    that supports the claim but has nothing in common with the question answers
    something else (a small model copies the wrong sentence).
    """

    def __init__(
        self,
        passages: Sequence[Passage],
        threshold: float,
        topic: str = "",
        min_overlap: float = 0.0,
    ) -> None:
        self.windows = windows(passages)
        self.threshold = threshold
        self.topic = frozenset(content_terms(topic))
        self.min_overlap = min_overlap if self.topic else 0.0

    def _on_topic(self, window: Window) -> bool:
        if not self.min_overlap:
            return True
        return len(self.topic & window.evidence.terms) / len(self.topic) >= self.min_overlap

    def check(self, claim: str, cited: Sequence[Passage], question: str) -> Supported | None:
        """See :class:`Verifier`; among equal scores a single sentence beats a pair."""
        prepared = Claim.of(claim, question)
        if not prepared.terms:
            return None
        cited_keys = {(p.article_id, p.start) for p in cited}
        best: tuple[float, float, int] | None = None
        chosen: Window | None = None
        for rank, window in enumerate(self.windows):
            score = prepared.support(window.evidence, window.context)
            if score < self.threshold or not self._on_topic(window):
                continue
            in_cited = (window.passage.article_id, window.passage.start) in cited_keys
            # Cited passage first, then higher support, then earlier (single sentences
            # come before pairs in ``self.windows``).
            key = (float(in_cited), score, -rank)
            if best is None or key > best:
                best, chosen = key, window
        if chosen is None or best is None:
            return None
        return Supported(prepared.text, chosen, best[1], moved=not best[0])
