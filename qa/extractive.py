"""The no-LLM answer: the best supporting sentence of the retrieved passages, quoted.

Sentences are scored by the idf-weighted share of the question's content
terms they contain (idf over the article's passages), with the passage's
retrieval rank as tie-breaker. Below ``MIN_SCORE`` the article is judged not
to answer.

Example:
    >>> spans = sentence_quotes("One. Two three.", 10)
    >>> spans
    [(10, 14, 'One.'), (15, 25, 'Two three.')]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from qa.clean import clean
from qa.lexical import content_terms, terms
from qa.retrieve import Hit
from qa.split import sentence_spans

#: Weighted question coverage a sentence needs to be offered as an answer.
MIN_SCORE = 0.5


@dataclass(frozen=True)
class Extract:
    """A sentence quoted from a passage, with its exact span in the original text."""

    hit: Hit
    start: int
    end: int
    quote: str
    score: float


def sentence_quotes(quote: str, offset: int) -> list[tuple[int, int, str]]:
    """Sentences of an original-text ``quote`` starting at ``offset``, as
    ``(start, end, exact_original_text)``."""
    cleaned = clean(quote)
    out = []
    for a, b in sentence_spans(cleaned.text):
        s, e = cleaned.span(a, b)
        out.append((offset + s, offset + e, quote[s:e]))
    return out


def best_sentences(
    question: str, hits: list[Hit], idf: dict[str, float], limit: int = 1
) -> list[Extract]:
    """The ``limit`` best answering sentences among ``hits`` (best first)."""
    q_terms = set(content_terms(question))
    if not q_terms:
        return []
    default_idf = max(idf.values(), default=1.0)
    weight = {t: idf.get(t, default_idf) for t in q_terms}
    total = sum(weight.values())
    scored: list[Extract] = []
    for rank, hit in enumerate(hits):
        for start, end, quote in sentence_quotes(hit.passage.quote, hit.passage.start):
            found = q_terms & set(terms(quote))
            score = sum(weight[t] for t in found) / total
            # Tiny rank bonus breaks ties in favour of better-retrieved passages.
            scored.append(Extract(hit, start, end, quote, score + 0.01 / (rank + 1)))
    scored.sort(key=lambda e: -e.score)
    return [e for e in scored[:limit] if e.score >= MIN_SCORE]


def idf_table(texts: list[str]) -> dict[str, float]:
    """Inverse document frequency of every term over ``texts``."""
    df: dict[str, int] = {}
    for text in texts:
        for t in set(terms(text)):
            df[t] = df.get(t, 0) + 1
    n = len(texts)
    return {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
