"""The article's sentences, each with its exact span in the original text.

Verification looks for a claim's support in single sentences and in pairs of
adjacent sentences of one passage (a claim may join two), so that the quote a
citation shows is the sentence that says it, not a whole passage.

Example:
    >>> from qa.ingest.split import Passage
    >>> p = Passage("a", "A", 0, 1, 0, 23, "Rollo led. He ruled it.", "Rollo led. He ruled it.")
    >>> [(w.start, w.end, w.quote) for w in windows([p])]
    [(0, 10, 'Rollo led.'), (11, 23, 'He ruled it.'), (0, 23, 'Rollo led. He ruled it.')]
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qa.answer.claims import Evidence
from qa.answer.guard import redact
from qa.ingest.clean import clean
from qa.ingest.split import LIST_ITEM, Passage, sentence_spans


@dataclass(frozen=True)
class Window:
    """One sentence, or two adjacent ones, of a passage."""

    passage: Passage
    start: int  # span in the original text
    end: int
    quote: str  # == original_text[start:end]
    #: Cleaned text with planted instructions redacted: what support is computed on.
    evidence: Evidence
    #: The passage, the one before it (where a "he" may have been introduced) and the
    #: one after it in the same paragraph.
    context: Evidence
    #: Two adjacent sentences rather than one.
    pair: bool = False

    @property
    def text(self) -> str:
        """The cleaned text of the window (for showing a quote inline)."""
        return clean(self.quote).text


def sentence_quotes(passage: Passage) -> list[tuple[int, int, str]]:
    """Sentences of ``passage`` as ``(start, end, exact original text)``."""
    cleaned = clean(passage.quote)
    out = []
    for a, b in sentence_spans(cleaned.text):
        s, e = cleaned.span(a, b)
        out.append((passage.start + s, passage.start + e, passage.quote[s:e]))
    return out


def windows(passages: Sequence[Passage], pairs: bool = True) -> list[Window]:
    """Single sentences, then adjacent pairs within a passage, of ``passages`` in order.

    ``passages`` are in article order; the context of each passage includes the
    one before it when that one is of the same article, and the one after it when
    that one continues its paragraph.
    """
    out: list[Window] = []
    doubles: list[Window] = []
    previous: Passage | None = None
    for i, p in enumerate(passages):
        before = redact(previous.text) if previous and previous.article_id == p.article_id else ""
        # The rest of its paragraph too: "Who led Richard's troops when Cyprus was
        # conquered?" is answered by "... his troops being led by Guy de Lusignan." in a
        # paragraph that names Cyprus in its last sentence, a passage later.
        nxt = passages[i + 1] if i + 1 < len(passages) else None
        same = nxt is not None and (nxt.article_id, nxt.paragraph) == (p.article_id, p.paragraph)
        after = redact(nxt.text) if nxt is not None and same else ""
        context = Evidence.of(f"{before} {redact(p.text)} {after}")
        sentences = sentence_quotes(p)
        for start, end, quote in sentences:
            out.append(
                Window(p, start, end, quote, Evidence.of(redact(clean(quote).text)), context)
            )
        if pairs:
            for (s1, _, _), (_, e2, _) in itertools.pairwise(sentences):
                quote = p.quote[s1 - p.start : e2 - p.start]
                ev = Evidence.of(redact(clean(quote).text))
                doubles.append(Window(p, s1, e2, quote, ev, context, pair=True))
        previous = p
    return out + doubles


# A bullet or number just before a sentence: at the start of its line, or after a colon
# or the item before it where the cleaner joined the lines.
_ITEM_MARK = re.compile(rf"(?:^|[\n:.!?]){LIST_ITEM.pattern}$")


def is_list_item(window: Window) -> bool:
    """Whether ``window`` is an item of a bulleted or numbered list of the article
    ("Tell me more about the second one" then shows that item, not the next one).

    >>> text = "Two obstacles:\\n1. Funding is short.\\n2. Staff are few. It is hard."
    >>> p = Passage("a", "A", 0, 1, 0, len(text), text, text)
    >>> [is_list_item(w) for w in windows([p], pairs=False)]
    [False, True, True, False]
    """
    p = window.passage
    return bool(
        _ITEM_MARK.search(p.quote[max(0, window.start - p.start - 12) : window.start - p.start])
    )


def vocabulary(windows: Iterable[Window]) -> set[str]:
    """Every term of ``windows``: what an article says in any words."""
    return {t for w in windows for t in w.evidence.terms}


def preceding(sentences: Sequence[Window], window: Window) -> Window | None:
    """The sentence of ``sentences`` (single sentences in article order) right before
    the one ``window`` starts with, in its article, if any."""
    article = window.passage.article_id
    for before, sentence in itertools.pairwise(sentences):
        if before.passage.article_id == sentence.passage.article_id == article and (
            sentence.start <= window.start < sentence.end
        ):
            return before
    return None


def following(sentences: Sequence[Window], window: Window) -> Window | None:
    """The sentence of ``sentences`` (single sentences in article order) right after
    ``window`` in its article, if any."""
    for i, sentence in enumerate(sentences[:-1]):
        same = sentence.passage.article_id == window.passage.article_id
        if same and sentence.end == window.end:
            after = sentences[i + 1]
            return after if after.passage.article_id == window.passage.article_id else None
    return None
