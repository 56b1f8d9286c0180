"""The hand-written BM25 and tokenizer as they were before issue 13: the baseline of the benches.

Kept verbatim (scoring loop, normaliser, suffix stripper) so that
``bench/retrieval_scale.py`` measures today's code against what it replaced in
the same run, and the unit tests can prove that the faster ``qa.store.lexical.terms``
gives identical outputs (with today's stemmer passed in: the stemmer itself has
learned since, e.g. demonyms).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence

from qa.store.lexical import STOPWORDS

_WORD = re.compile(r"[^\W_]+(?:[.,'\u2019][^\W_]+)*", re.UNICODE)


def normalize(text: str) -> str:
    """Lowercase, strip accents and curly quotes."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.replace("\u2019", "'").replace("\u2018", "'").lower()


def stem(word: str) -> str:
    """A small suffix stripper: enough to match 'leaders'/'leader', 'ruled'/'rule'."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, repl in (
        ("ies", "y"), ("sses", "ss"), ("ness", ""), ("ments", "ment"), ("ing", ""),
        ("edly", ""), ("ed", ""), ("ly", ""), ("es", "e"), ("s", ""),
    ):  # fmt: skip
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            return word[: -len(suffix)] + repl
    return word


def words(text: str) -> list[str]:
    """Normalised word tokens (numbers with separators kept whole: '1,200', '3.5')."""
    return [w.strip(".,'") for w in _WORD.findall(normalize(text)) if w.strip(".,'")]


def terms(text: str, stemmer: Callable[[str], str] = stem) -> list[str]:
    """Stemmed tokens without stopwords: the unit of lexical matching."""
    return [stemmer(w) for w in words(text) if w not in STOPWORDS]


class BM25:
    """Okapi BM25 over a fixed list of texts, scored document by document in Python."""

    def __init__(
        self,
        texts: Sequence[str],
        k1: float = 1.5,
        b: float = 0.75,
        tokenize: Callable[[str], list[str]] = terms,
    ) -> None:
        self.tokenize = tokenize
        self.docs = [Counter(tokenize(t)) for t in texts]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.avg = (sum(self.lengths) / len(self.lengths)) if self.lengths else 0.0
        df: Counter[str] = Counter()
        for d in self.docs:
            df.update(d.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.k1, self.b = k1, b

    def scores(self, query: str) -> list[float]:
        """BM25 score of every text for ``query``."""
        q = set(self.tokenize(query))
        out = []
        for doc, length in zip(self.docs, self.lengths, strict=True):
            score = 0.0
            norm = self.k1 * (1 - self.b + self.b * length / (self.avg or 1.0))
            for t in q & doc.keys():
                tf = doc[t]
                score += self.idf[t] * tf * (self.k1 + 1) / (tf + norm)
            out.append(score)
        return out

    def top(self, query: str, k: int) -> list[tuple[int, float]]:
        """The ``k`` best ``(index, score)`` pairs with a positive score."""
        ranked = sorted(enumerate(self.scores(query)), key=lambda x: -x[1])
        return [(i, s) for i, s in ranked[:k] if s > 0]
