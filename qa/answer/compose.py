"""Turn a reader's raw text into the answer a person sees, claim by claim.

:class:`Composer` owns the last steps of one answer: buffer the streamed text
-> split it into claims at sentence ends and list items -> verify each claim
-> number its citation -> emit it. Factoid answers stream each claim as soon
as it is verified; list and summary answers are held until the reader is done
and then shown in article order, one claim per line.

Example:
    >>> from qa.answer.verifier import SentenceVerifier
    >>> from qa.ingest.split import Passage
    >>> text = "Trump met Zelensky at the Vatican. It rained."
    >>> p = Passage("a", "A", 0, 1, 0, len(text), text, text)
    >>> c = Composer(SentenceVerifier([p], 0.6), {1: p}, "Where did they meet?")
    >>> list(c.feed("They met at the Vatican [1]. Cats fly [1].")) + list(c.finish())
    ['They met at the Vatican [1].']
    >>> c.citations[0].quote
    'Trump met Zelensky at the Vatican.'
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from qa.answer.claims import covered, is_no_answer, opposed, split_cited, without_dateline
from qa.answer.types import Citation
from qa.answer.verifier import Supported, Verifier
from qa.ingest.split import LIST_ITEM, Passage, ends_in_abbreviation
from qa.store.lexical import content_terms, terms, words

# Two claims that share this much of their terms and their supporting sentence say
# the same thing ("Third, it's unclear ..." after "It's unclear ..."): the second is
# dropped. Distinct list items drawn from one sentence share few terms.
_SAME_CLAIM = 0.8
# A sentence that ends in an ellipsis ("... during the ultimately ..."): cut short.
_CUT = re.compile(r"(?:\.{2,}|\u2026)\W*$")
# List bullets the reader writes; the composer adds its own.
_BULLET = re.compile(rf"(?m)^{LIST_ITEM.pattern}")


Amend = Callable[[str, Supported], tuple[str, Supported] | None]


@dataclass(frozen=True)
class _Piece:
    text: str
    support: Supported


class Composer:
    """Builds one answer from a reader's text (see the module docstring).

    Args:
        verifier: Finds the sentence that supports each claim.
        numbered: The passages as numbered for the reader (``[n]`` markers).
        question: What the claims answer (claim terms exclude its words).
        ordered: Hold all claims and emit them in article order, one per line.
        limit: At most this many claims (a factoid is one sentence, not three).
        amend: Rewrites a verified claim and its support (a yes/no answer's polarity).
    """

    def __init__(
        self,
        verifier: Verifier,
        numbered: Mapping[int, Passage],
        question: str,
        ordered: bool = False,
        limit: int | None = None,
        amend: Amend | None = None,
    ) -> None:
        self.verifier = verifier
        self.numbered = numbered
        self.question = question
        self.ordered = ordered
        self.limit = limit
        self.amend = amend
        self.raw = ""
        self.citations: list[Citation] = []
        self.pieces: list[str] = []
        self.first_emit: float | None = None
        self._done = 0
        self._held: list[_Piece] = []
        self._numbers: dict[tuple[str, int, int], int] = {}
        self._seen: set[str] = set()
        self._written: set[str] = set()  # claims as the reader wrote them
        self._looping = False
        self._kept: list[tuple[frozenset[str], Supported]] = []

    # ----------------------------------------------------------------- input
    def feed(self, chunk: str) -> Iterator[str]:
        """Add streamed text; yield the pieces of claims that are now final."""
        self.raw += chunk
        parts = self._parts()
        tail = self.raw.rstrip()
        # A claim is final once the next one has begun (its markers are in).
        pending = not parts or tail.endswith("]") or parts[-1][0].startswith("[")
        complete = 0 if pending else len(parts) - 1
        while self._done < complete:
            yield from self._claim(*parts[self._done])
            self._done += 1

    def finish(self, complete_only: bool = False) -> Iterator[str]:
        """The reader is done: verify what is left and emit held claims.

        With ``complete_only`` (the reader failed mid-answer), a last claim that
        does not end a sentence is dropped.
        """
        parts = self._parts()
        for sentence, cited in parts[self._done :]:
            if complete_only and not sentence.endswith((".", "!", "?")):
                continue
            yield from self._claim(sentence, cited)
        self._done = len(parts)
        if self.ordered:
            held = sorted(self._held, key=lambda p: (p.support.window.start, p.support.window.end))
            self._held = []
            # One sentence is no list ("a one-sentence summary"): no bullet.
            bullets = bool(self.pieces) or len(held) > 1
            for piece in held:
                yield self._emit(piece, bullets)

    def add(self, text: str, support: Supported) -> Iterator[str]:
        """Add an already verified claim (a quote found without a reader)."""
        yield from self._accept(text, support)

    # -------------------------------------------------------------- internals
    def _parts(self) -> list[tuple[str, list[int]]]:
        # List bullets go first: "1." would otherwise end a sentence of its own.
        return split_cited(_BULLET.sub("", self.raw))

    def _claim(self, sentence: str, cited_numbers: list[int]) -> Iterator[str]:
        sentence = sentence.strip()
        if self._looping or not sentence or is_no_answer(sentence):
            return
        # A reader that writes a claim again has run out of them: a small model's list
        # then loops ("Zelensky [14]. Putin [15]. Zelensky [14]. ...") to its token limit.
        written = _key(sentence)
        if written in self._written:
            self._looping = True
            return
        self._written.add(written)
        if self.ordered and _echoes(sentence, self.question):
            return
        cited = [self.numbered[n] for n in cited_numbers if n in self.numbered]
        support = self.verifier.check(sentence, cited, self.question)
        if support is not None:
            if support.restated:
                sentence = support.claim
            elif _CUT.search(sentence) or _stutters(sentence):
                # A copy of a line cut short in the chat history, or one garbled by a
                # small model ('X said "...," said X'): the sentence it copies.
                sentence = support.window.text
            if self.amend is not None:
                amended = self.amend(sentence, support)
                if amended is None:  # the article's words do not bear it out
                    return
                sentence, support = amended
            yield from self._accept(sentence, support)

    def _accept(self, text: str, support: Supported) -> Iterator[str]:
        key = _key(text)
        if key in self._seen:  # the same claim twice (small models repeat themselves)
            return
        self._seen.add(key)
        if self.limit is not None and len(self._seen) > self.limit:
            return
        words = frozenset(terms(text))
        if any(_restates(words, support, *kept) for kept in self._kept):
            return
        self._kept.append((words, support))
        piece = _Piece(text, support)
        if self.ordered:
            self._held.append(piece)
        else:
            yield self._emit(piece)

    def _emit(self, piece: _Piece, bullet: bool = True) -> str:
        window = piece.support.window
        key = (window.passage.article_id, window.start, window.end)
        if key not in self._numbers:
            self._numbers[key] = n = len(self._numbers) + 1
            p = window.passage
            self.citations.append(
                Citation(
                    n, p.article_id, p.paragraph, window.start, window.end, window.quote,
                    p.page,
                )
            )  # fmt: skip
        # Where a story was filed is no part of a claim (the quote keeps it).
        # A claim cut off at a comma ("November 1," where the reader stopped) ends there.
        text = without_dateline(piece.text.rstrip()).rstrip(" ,;:")
        if not text.endswith((".", "!", "?", "\u201d", '"')):
            text += "."
        text = balanced(text)
        n = self._numbers[key]
        # A marker goes before the final punctuation, as people write it, but after a
        # closing quotation mark or an abbreviation's point ("Halden, Ore. [1]").
        after = text[-1] in '\u201d"' or ends_in_abbreviation(text)
        marked = f"{text} [{n}]" if after else f"{text[:-1]} [{n}]{text[-1]}"
        if self.ordered and bullet:
            out = ("\n" if self.pieces else "") + "- " + marked
        else:
            out = (" " if self.pieces else "") + marked
        self.pieces.append(out)
        if self.first_emit is None:
            self.first_emit = time.perf_counter()
        return out

    @property
    def full(self) -> bool:
        """Whether reading can stop: the answer has all the claims it may have, or the
        reader repeats a claim it wrote (it loops)."""
        return self._looping or (self.limit is not None and len(self._seen) >= self.limit)

    @property
    def text(self) -> str:
        """Everything emitted so far."""
        return "".join(self.pieces)


def balanced(sentence: str) -> str:
    """``sentence`` with its quotation marks in pairs: a sentence from within a quotation
    of several sentences opens it and leaves it open, or closes one it did not open.

    >>> balanced('"The rain has stopped, but the danger has not.')
    '"The rain has stopped, but the danger has not."'
    >>> balanced('No: "The rain has stopped.')
    'No: "The rain has stopped."'
    >>> balanced('Stay away from the river," she said.'), balanced('"Go," he said.')
    ('"Stay away from the river," she said.', '"Go," he said.')
    """
    for opening, closing in (('"', '"'), ("\u201c", "\u201d")):
        opened, closed = sentence.count(opening), sentence.count(closing)
        if opening == closing:
            if opened != 1:
                continue
            # The mark left unpaired is the last; after a space it opens.
            last = sentence.rfind(opening)
            opens = last == 0 or sentence[last - 1].isspace()
            return sentence + closing if opens else opening + sentence
        # One mark alone (an article may write its quotation marks unpaired).
        if (opened, closed) == (1, 0):
            return sentence + closing
        if (opened, closed) == (0, 1):
            return opening + sentence
    return sentence


def _echoes(sentence: str, question: str) -> bool:
    """Whether ``sentence`` says nothing the question does not: no item of a list
    ("What are the two pieces of bad news?": "Not all the news was good.").

    >>> _echoes("Not all the news was good.", "What are the two pieces of bad news?")
    True
    >>> _echoes("Gross margin slipped.", "What are the two pieces of bad news?")
    False
    """
    said = set(content_terms(sentence))
    return bool(said) and said - covered(said, question) <= opposed(terms(question))


def _stutters(sentence: str, run: int = 4) -> bool:
    """Whether ``sentence`` says the same ``run`` words twice.

    >>> _stutters('Alonso, a former head, said "No," said Alonso, a former head.')
    True
    >>> _stutters("The barrier will take four years and cost four million.")
    False
    """
    tokens = words(sentence)
    grams = [tuple(tokens[i : i + run]) for i in range(len(tokens) - run + 1)]
    return len(set(grams)) < len(grams)


def _key(text: str) -> str:
    """``text`` compared as words only (case, punctuation and spacing aside)."""
    return re.sub(r"\W+", " ", text.lower()).strip()


def _restates(
    words: frozenset[str], support: Supported, kept: frozenset[str], kept_support: Supported
) -> bool:
    """Whether a claim (its terms and support) says again what a kept claim says."""
    a, b = support.window, kept_support.window
    nested = (a.start <= b.start and b.end <= a.end) or (b.start <= a.start and a.end <= b.end)
    if a.passage.article_id != b.passage.article_id or not nested or not words | kept:
        return False
    return len(words & kept) / len(words | kept) >= _SAME_CLAIM
