"""Word-level tools shared by BM25 retrieval and citation verification.

Example:
    >>> content_terms("Who were the Normans' leaders in 911?")
    ['norman', 'leader', '911']
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

_WORD = re.compile(r"[^\W_]+(?:[.,'\u2019][^\W_]+)*", re.UNICODE)

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in into
    is it its itself just let me more most my myself no nor not now of off on once only or other
    our ours ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up upon very was we
    were what when where which while who whom whose why will with would you your yours yourself
    yourselves s t d ll m re ve y said says say one ones many much may might must shall us get
    got did does done use used using within without yet also ever every like according""".split()
)

# Question words carry no content: "which year" asks for a year, not for "which".
QUESTION_WORDS = frozenset(
    ["what", "when", "where", "which", "who", "whom", "whose", "why", "how", "name", "kind", "type"]
)


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


def terms(text: str) -> list[str]:
    """Stemmed tokens without stopwords: the unit of lexical matching."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def content_terms(text: str) -> list[str]:
    """Like :func:`terms`, also without question words."""
    return [t for t in terms(text) if t not in QUESTION_WORDS]


_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_ORDINALS = {
    w: str(i)
    for i, w in enumerate(
        "zeroth first second third fourth fifth sixth seventh eighth ninth tenth".split()
    )
}


def numbers(text: str, *, with_words: bool = False) -> set[str]:
    """Numeric tokens, normalised ('1,200' -> '1200', '10th' -> '10').

    With ``with_words``, number words count too ('five' -> '5', 'third' -> '3').
    """
    out = set()
    for w in words(text):
        if any(c.isdigit() for c in w):
            out.add(re.sub(r"(?<=\d)(st|nd|rd|th|s)$", "", w.replace(",", "")))
        elif with_words and (w in _NUMBER_WORDS or w in _ORDINALS):
            out.add(_NUMBER_WORDS.get(w) or _ORDINALS[w])
    return out


class BM25:
    """Okapi BM25 over a fixed list of texts.

    Example:
        >>> bm = BM25(["the cat sat", "dogs bark loudly", "a cat and a dog"])
        >>> [i for i, _ in bm.top("cat", 2)]
        [0, 2]
    """

    def __init__(self, texts: Sequence[str], k1: float = 1.5, b: float = 0.75) -> None:
        self.docs = [Counter(terms(t)) for t in texts]
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
        q = set(terms(query))
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
