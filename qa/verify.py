"""Check, sentence by sentence, that cited passages support what the answer says.

Support score of a sentence against a passage (lexical, documented so it can
be reasoned about):

* *claim terms* are the sentence's stemmed content words that are not already
  in the question; a sentence that only restates the question has none and
  gets support 0 (it answers nothing);
* support = share of claim terms present in the passage, and 0 when the
  sentence or the question has a number the passage lacks (numbers are where
  small models invent most, and a question about a date the passage does not
  mention is not answered by it), or when the sentence names someone or
  something (a capitalised word) the passage does not mention;
* and 0 when a name the *question* takes for granted ("Who was Robert's son?")
  is in neither the passage nor the passage just before it in the article
  (where a "he" in the passage may have been introduced): small models answer
  a question about the wrong person from a right-looking passage. Near-misses
  count as present, so a typo in the question ("Scotish", "Raouliii") does not
  block the answer: names of five letters or more one edit away, or, from six
  letters, sharing all but the last letter of the shorter name (which also
  lets "Robertson" match "Roberts").

A citation is kept when its passage's support reaches the threshold
(``Settings.support_threshold``, 0.6 by default); otherwise it moves to the
passage with the best support if that one reaches the threshold, and the
sentence is dropped when none does. Sentences in which the model says the
article does not tell are dropped too; an answer with no sentence left is an
abstention.

Example:
    >>> v = verify_sentence("Rollo led the Norse [1].", "Who led them?",
    ...                     {1: "The Norse leader was Rollo."}, 0.6)
    >>> v.citations
    [1]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from qa.lexical import QUESTION_WORDS, STOPWORDS, content_terms, numbers, terms

_CITE = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
# What a model writes when it has nothing to say.
_NO_ANSWER = re.compile(
    r"not in (?:the )?article|\b(?:does|do|did) not (?:say|state|mention|specify|provide|contain|"
    r"include|indicate|give|tell|explain|discuss)|\bnot (?:mentioned|stated|specified|provided|"
    r"given|discussed|included)|\bno (?:information|mention|details?)\b|cannot be (?:determined|"
    r"answered|found)|\bis unknown\b|\bunclear from\b|\bI (?:don't|do not|cannot) know\b",
    re.IGNORECASE,
)
_PREFIX = re.compile(
    r"^\s*(?:answer\s*:|according to (?:the )?(?:article|passages?)[^,]*,)\s*", re.I
)


@dataclass(frozen=True)
class VerifiedSentence:
    """A sentence that survived verification, with the passages that support it."""

    text: str  # without citation markers
    citations: list[int]  # passage numbers as given to the model
    support: float


def split_cited(answer: str) -> list[tuple[str, list[int]]]:
    """Split an answer into ``(sentence, cited numbers)``; markers bind leftwards."""
    out: list[tuple[str, list[int]]] = []
    # Cut after sentence punctuation (and any markers that follow it), or after markers
    # that end a line.
    pieces = re.split(r"(?<=[.!?])((?:\s*\[[\d,;\s]+\])*)\s+|\n+", answer.strip())
    buf = ""
    for i, piece in enumerate(pieces):
        buf += piece or ""
        if i % 2 == 1 or i == len(pieces) - 1:  # a separator group or the tail
            text = buf.strip()
            buf = ""
            if not text:
                continue
            cited = [
                int(n) for group in _CITE.findall(text) for n in re.split(r"[,;\s]+", group) if n
            ]
            body = _CITE.sub("", text).strip()
            if body or cited:
                if not body and out:  # lone markers: attach to the previous sentence
                    out[-1][1].extend(cited)
                else:
                    out.append((body, cited))
    return out


def is_no_answer(text: str) -> bool:
    """Whether ``text`` says the article does not answer."""
    return bool(_NO_ANSWER.search(text))


def support(sentence: str, question: str, passage: str, before: str = "") -> float:
    """Support of ``sentence`` by ``passage`` (see the module docstring), in [0, 1].

    ``before`` is the text that precedes ``passage`` in the article.
    """
    sent_terms = set(_number_terms(sentence))
    claim = sent_terms - set(_number_terms(question))
    if not claim:  # the sentence only restates the question: it answers nothing
        return 0.0
    passage_numbers = numbers(passage, with_words=True)
    # Invented numbers, or a number of the question that the passage does not have
    # (a question about "the 1000s" is not answered by a passage about "the 10th century").
    if (numbers(sentence) | numbers(question)) - passage_numbers:
        return 0.0
    passage_terms = _terms_of(passage) | passage_numbers
    # A name the passage does not contain ("Macron said ...") is an invented attribution.
    if names(sentence) - passage_terms:
        return 0.0
    if _missing(premise_names(question), passage_terms | _terms_of(before)):
        return 0.0
    return len(claim & passage_terms) / len(claim)


def names(text: str) -> set[str]:
    """Stemmed capitalised words (names, places) of ``text``, stopwords aside."""
    found = set()
    for word in re.findall(r"\b[A-Z][\w'\u2019-]*", text):
        term = terms(word)
        if term and word.lower() not in STOPWORDS:
            found.update(term)
    return found


def premise_names(question: str) -> set[str]:
    """Names a question takes for granted: its capitalised words, question words aside."""
    return {n for n in names(question) if n not in STOPWORDS and n not in QUESTION_WORDS}


def _missing(wanted: set[str], vocabulary: set[str]) -> set[str]:
    """Terms of ``wanted`` absent from ``vocabulary``, forgiving near-misses
    (see the module docstring)."""
    return {
        w
        for w in wanted - vocabulary
        if len(w) < 5 or not any(_one_edit(w, v) or _shares_stem(w, v) for v in vocabulary)
    }


def _shares_stem(a: str, b: str) -> bool:
    # "raouliii" vs "raoulii": a long common start is the same name misspelt.
    n = min(len(a), len(b))
    return n >= 6 and a[: n - 1] == b[: n - 1]


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by at most one insertion, deletion or substitution."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return a == b
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :] or (len(a) == len(b) and a[i + 1 :] == b[i + 1 :])


def _terms_of(text: str) -> set[str]:
    """Terms of ``text``, also split at apostrophes, so "d'Aulps" yields "aulp" as
    :func:`names` does."""
    return set(terms(text)) | set(terms(re.sub(r"['\u2019]", " ", text)))


def _number_terms(text: str) -> list[str]:
    """Terms with numbers normalised like :func:`numbers` ('10th' -> '10')."""
    return [next(iter(numbers(t))) if numbers(t) else t for t in terms(text)]


def verify_sentence(
    sentence: str,
    question: str,
    passages: Mapping[int, str],
    threshold: float,
    cited: list[int] | None = None,
    before: Mapping[int, str] | None = None,
) -> VerifiedSentence:
    """Keep, move or drop the citations of one sentence.

    ``cited`` defaults to the ``[n]`` markers found in ``sentence``; ``before``
    maps a passage number to the article text just before that passage.
    """
    if cited is None:
        parsed = split_cited(sentence)
        sentence = " ".join(s for s, _ in parsed)
        cited = [n for _, c in parsed for n in c]
    sentence = _PREFIX.sub("", sentence).strip()
    before = before or {}
    scores = {
        n: support(sentence, question, text, before.get(n, "")) for n, text in passages.items()
    }
    kept = [n for n in dict.fromkeys(cited) if n in scores and scores[n] >= threshold]
    if not kept and scores:
        best = max(scores, key=lambda n: (scores[n], -n))
        if scores[best] >= threshold:
            kept = [best]
    best_support = max((scores[n] for n in kept), default=0.0)
    return VerifiedSentence(sentence, kept, best_support)


def verify_answer(
    answer: str,
    question: str,
    passages: Mapping[int, str],
    threshold: float,
    before: Mapping[int, str] | None = None,
) -> list[VerifiedSentence]:
    """Verified sentences of ``answer``; an empty list means abstain."""
    out = []
    for sentence, cited in split_cited(answer):
        if is_no_answer(sentence):
            continue
        verified = verify_sentence(sentence, question, passages, threshold, cited, before)
        if verified.citations and verified.text:
            out.append(verified)
    return out


def question_coverage(question: str, passage: str) -> float:
    """Share of the question's content terms that appear in ``passage``."""
    q = set(content_terms(question))
    return len(q & set(terms(passage))) / len(q) if q else 1.0
