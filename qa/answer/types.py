"""What the answer path hands between its stages and back to the caller.

Example:
    >>> c = Citation(1, "article", 7, 10, 20, "0123456789")
    >>> Answer("Yes [1].", False, [c], shape="yes_no").to_dict()["citations"][0]["quote"]
    '0123456789'
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from qa.answer.retrieve import Hit

#: The one sentence the bot says when the article does not answer.
ABSTENTION = "Sorry, the article doesn't say."


@dataclass(frozen=True)
class Citation:
    """An inline ``[n]`` marker resolved to an exact span of the original article.

    ``quote == original_text[start:end]`` always holds; the span is the sentence
    (or two adjacent sentences) that supports the claim.
    """

    n: int
    article_id: str
    paragraph: int
    start: int
    end: int
    quote: str
    #: PDF page of the quote, when the article has pages.
    page: int | None = None


@dataclass
class Answer:
    """The result of one question."""

    text: str
    abstained: bool
    citations: list[Citation]
    question: str = ""
    #: What retrieval searched for (the question, joined with the one it follows up).
    standalone_question: str = ""
    backend: str = ""
    notice: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list, repr=False)
    #: factoid, list, summary, why_how, yes_no, or chat (a turn that asks nothing).
    shape: str = "factoid"
    #: "reader" (the reader's verified claims), "quote" (a sentence that plainly
    #: answers, quoted), "judged" (the sentence a reader's answer in other words rests
    #: on, quoted: :mod:`qa.answer.judge`), "abstain" or "chat".
    source: str = "reader"
    #: Raw model output, the model's abstention probability and the fallback's
    #: score, for evaluation and calibration.
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
            "shape": self.shape,
            "source": self.source,
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
