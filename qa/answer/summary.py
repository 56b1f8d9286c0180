"""Which sentences sum up an article: its opening, then its most central sentences.

A general summary ("What is this article about?", "Summarize the article") is
chosen, not written: a 1.5B model asked to pick sentences copies the first
three, and one asked to paraphrase writes claims no sentence supports. Here
the opening sentence comes first (news puts the gist there), then the
sentences closest to the article's mean sentence vector, each penalised by its
likeness to the sentences already chosen (maximal marginal relevance), so the
summary covers the article instead of repeating its most common point; one that
leans on the sentence before it ("She said ...", a quotation) comes last, and a
short one gives way to one that says more. A headline that ends no sentence is
passed over for the lede. Shown in article order. Asked how the article ends
("What's the conclusion?"), the last sentences are quoted instead, a republishing
or subscription note aside.

Vectors are sentence embeddings when an encoder is given; otherwise tf-idf
term vectors over the article's own sentences.

Example:
    >>> from qa.answer.evidence import windows
    >>> from qa.ingest.split import Passage
    >>> text = ("Talks on the peace plan stalled. It rained in Rome. "
    ...         "Russia rejects the peace plan over the dam. The dam is old.")
    >>> p = Passage("a", "A", 0, 1, 0, len(text), text, text)
    >>> for sentence in central(windows([p], pairs=False), count=3):  # not the rain
    ...     print(sentence.text)
    Talks on the peace plan stalled.
    Russia rejects the peace plan over the dam.
    The dam is old.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from qa.answer.evidence import Window
from qa.ingest.split import ends_sentence, is_heading
from qa.store.lexical import NUMBER_WORDS, content_terms, terms

#: Weight of redundancy against centrality when choosing the next sentence.
REDUNDANCY = 0.5
#: A sentence with fewer content terms than this loses up to :data:`BREVITY` of its
#: centrality, in proportion to how many it lacks.
FULL_TERMS = 15
BREVITY = 0.2
# Words that ask for a summary without narrowing what it is about.
_GENERAL = frozenset(
    content_terms(
        "article story piece text post report author writer summary summarize summarise sum "
        "gist overview recap main key points ideas takeaways message argument facts mainly "
        "mostly really happened going give tell please briefly short quick few sentences "
        "brief general whole say says argue claim bullet bullets line lines paragraph tl dr "
        "end ends conclusion conclude concludes final last closing finish bottom word thought"
    )
)
# How the article ends: its conclusion, its last lines.
_ENDING = re.compile(
    r"\bconclu\w*|\bbottom line\b"
    r"|\b(?:it|this|article|story|piece|text|author)\s+(?:ends?|finish(?:es)?|closes?)\W*$"
    r"|\b(?:last|final|closing)\s+(?:paragraph|part|lines?|sentences?|section|words|thoughts?)\b",
    re.IGNORECASE,
)
# What a republished article ends with that is no part of it.
_BOILERPLATE = re.compile(
    r"\b(?:originally (?:published|appeared)|republished|subscribe|newsletter|sign up|"
    r"all rights reserved|copyright|follow (?:us|me)|click here|read more)\b",
    re.IGNORECASE,
)
_POINTS = re.compile(r"\b(?:points|takeaways|ideas|facts|highlights)\b", re.IGNORECASE)
#: The most sentences a summary gets, however many are asked for.
MOST = 10
_COUNTS = {"a": 1, "single": 1} | {
    word: int(n) for word, n in NUMBER_WORDS.items() if 1 <= int(n) <= MOST
}
# "in two sentences", "a one-sentence summary", "the 3 key points": how many it asks for.
_COUNT = re.compile(
    rf"\b({'|'.join(_COUNTS)}|\d{{1,2}})[\s-]+(?:(?:short|key|main|bullet|big)\s+)?"
    r"(?:sentences?|points?|bullets?|lines?|takeaways?|ideas?|facts?|highlights?|paragraph)\b",
    re.IGNORECASE,
)

# Opens with a pronoun or a quotation mark.
_LEANS = re.compile(
    r"\s*(?:[\"\u201c\u2018']|(?:he|she|they|it|this|these|those|his|her|their|its)\b)",
    re.IGNORECASE,
)

Embed = Callable[[str], Sequence[float]]


def is_general(question: str) -> bool:
    """Whether a summary question asks about the whole article, not one topic of it.

    >>> is_general("What is this article about?"), is_general("Summarize what Putin wants.")
    (True, False)
    """
    return not (set(content_terms(_COUNT.sub(" sentences ", question))) - _GENERAL)


def asks_ending(question: str) -> bool:
    """Whether ``question`` asks how the article ends.

    >>> asks_ending("How does the article end?"), asks_ending("What's the conclusion?")
    (True, True)
    >>> asks_ending("When did the war end in 1945?"), asks_ending("What is the last dam?")
    (False, False)
    """
    return bool(_ENDING.search(question))


def closing(sentences: Sequence[Window], count: int = 3) -> list[Window]:
    """The article's last ``count`` sentences, a republishing or subscription note and
    headings aside, in article order."""
    kept = [w for w in sentences if not is_heading(w.text) and not _BOILERPLATE.search(w.text)]
    return kept[-count:] if count > 0 else []


def size(question: str) -> int:
    """How many sentences a summary gets: as many as asked for ("in two sentences",
    up to :data:`MOST`), else five when points are asked for, else three.

    >>> size("What are the main points?"), size("What is this article about?")
    (5, 3)
    >>> size("Give me a one-sentence summary."), size("Summarize it in 2 bullet points.")
    (1, 2)
    """
    asked = _COUNT.search(question)
    if asked:
        word = asked.group(1).lower()
        return max(1, min(MOST, _COUNTS[word] if word in _COUNTS else int(word)))
    return 5 if _POINTS.search(question) else 3


def _term_vectors(sentences: Sequence[Window]) -> NDArray[np.float64]:
    bags = [Counter(terms(w.quote)) for w in sentences]
    frequency = Counter(t for bag in bags for t in bag)
    vocabulary = {t: i for i, t in enumerate(frequency)}
    vectors = np.zeros((len(bags), max(len(vocabulary), 1)))
    for row, bag in enumerate(bags):
        for t, count in bag.items():
            vectors[row, vocabulary[t]] = count * math.log(1 + len(bags) / frequency[t])
    return vectors


def central(
    sentences: Sequence[Window], embed: Embed | None = None, count: int = 3
) -> list[Window]:
    """The opening sentence and the ``count - 1`` most central, least redundant others,
    in article order (see the module docstring). Headings are no sentences: the title
    line is not the opening."""
    sentences = [w for w in sentences if not is_heading(w.text)]
    # A headline too long to pass for one opens the article: its lede says it in full.
    if len(sentences) > 1 and not ends_sentence(sentences[0].text):
        sentences = sentences[1:]
    if not sentences:
        return []
    if embed is None:
        vectors = _term_vectors(sentences)
    else:
        vectors = np.array([embed(w.text) for w in sentences], dtype=np.float64)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    centroid = vectors.mean(axis=0)
    centrality = vectors @ (centroid / max(float(np.linalg.norm(centroid)), 1e-12))
    # A sentence that leans on the one before ("She said ...", a quotation) says little
    # on its own: it comes last.
    centrality[[bool(_LEANS.match(w.text)) for w in sentences]] -= 1.0
    # A short sentence may be central and still say little ("Not everyone supported
    # the plan."): it gives way to one that says more.
    sizes = np.array([min(len(w.evidence.terms), FULL_TERMS) for w in sentences])
    centrality -= BREVITY * (1 - sizes / FULL_TERMS)
    chosen = [0]
    while len(chosen) < min(count, len(sentences)):
        likeness = (vectors @ vectors[chosen].T).max(axis=1)
        score = centrality - REDUNDANCY * likeness
        score[chosen] = -np.inf
        chosen.append(int(np.argmax(score)))
    return [sentences[i] for i in sorted(chosen)]
