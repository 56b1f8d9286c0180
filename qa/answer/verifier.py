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

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from qa.answer.claims import (
    Claim,
    Evidence,
    FullNames,
    asks_age,
    asks_where,
    asks_who,
    counts_asked,
    covered,
    explained,
    filed_here,
    full_names,
    gives_age,
    measure_term,
    names,
    names_no_one,
    names_wanted,
    rate_asked,
    role_asked,
    says_rate,
    split_cited,
    wanted_kind,
)
from qa.answer.evidence import Window, vocabulary, windows
from qa.ingest.split import Passage
from qa.store.lexical import content_terms, terms

# The share of an answer's sentence's terms that an article sentence saying it holds.
_REPEATED = 0.7
# The share of a sentence's terms that a claim copying it holds.
_COPY = 0.8
# The share of the topic's terms of a sentence that is about the question.
_ABOUT = 0.75
# Words of "Where is it located?" that ask only where.
_LOCATED = frozenset(content_terms("located situated"))
# A sentence whose subject is a pronoun, after an opening phrase or not: it goes on
# about what the sentence before named.
_REFERS_BACK = re.compile(
    r"\s*(?:[^,.;]{1,40},\s+)?(?:it|its|they|their|he|his|she|her|this|these)\b", re.I
)


# A sentence about the person the sentence before names.
_PERSON_BACK = re.compile(r"\s*(?:he|she)\b", re.I)


@dataclass(frozen=True)
class Supported:
    """A claim and the window of the article that supports it."""

    claim: str  # the claim as the reader wrote it, without markers
    window: Window
    score: float
    moved: bool  # the citation moved away from the passage the reader cited
    #: ``claim`` stands in for what the reader wrote: the supporting sentence itself, or
    #: the reader's sentence cut to its main clause.
    restated: bool = False

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
    something else (a small model copies the wrong sentence). A follow-up may
    also be answered next to what the answer it follows (``reply``) said: the
    sentences that answer repeats and the ones just before and after them are
    on topic ("What did he threaten?" after a quote of Trump's post: "He then
    reiterated his earlier danger to impose ...").

    With ``asked``, a question "Why ...?", a window must also hold what it asks to
    be explained (:func:`qa.answer.claims.explained`); a follow-up that names nothing
    of its own ("How much?") is answered by a sentence after the ones ``reply`` says,
    though those hold more of the topic (no wrong copy).
    """

    def __init__(
        self,
        passages: Sequence[Passage],
        threshold: float,
        topic: str = "",
        min_overlap: float = 0.0,
        reply: str = "",
        asked: str = "",
    ) -> None:
        self.windows = windows(passages)
        self.threshold = threshold
        self.topic = frozenset(content_terms(topic))
        # The topic's terms that are words of its names.
        self._named = frozenset(
            t for name in names(topic) for t in content_terms(name) if t in self.topic
        )
        self.min_overlap = min_overlap if self.topic else 0.0
        self.near: frozenset[tuple[str, int]] = frozenset()
        #: The sentences the answer followed up says, where the follow-up names nothing
        #: of its own ("How much?"): its answer is no wrong copy for holding fewer of the
        #: topic's words than those.
        self.repeated: frozenset[tuple[str, int]] = frozenset()
        #: A follow-up that names nothing of its own ("Who?"): its claims must.
        self._bare = bool(asked and reply and self.topic) and not content_terms(asked)
        if reply and self.min_overlap:
            self.near, repeated = self._near(reply)
            if self._bare:
                self.repeated = repeated
        # A follow-up's own words ("How long is the delay?" after "Will the houses still be
        # built?"): a sentence holding all of them is on topic, though it holds little of
        # the question followed up ("construction ... would be delayed by about eight
        # months"). "How long" measures; its "long" is not written.
        own = set(content_terms(asked)) - {measure_term(asked)} if reply else set()
        self._own = own if own and own < self.topic else set()
        self.explain: set[str] = set()
        self.role: set[str] = set()
        self.rate = False
        if asked:
            self.explain = set(explained(asked, vocabulary(self.windows)))
            self.role = set(role_asked(asked))
            self.rate = rate_asked(asked)
        # The topic terms each single sentence holds, found the first time they are asked.
        self._held: list[tuple[Window, set[str]]] | None = None
        self._names: FullNames | None = None

    def _near(self, reply: str) -> tuple[frozenset[tuple[str, int]], frozenset[tuple[str, int]]]:
        """``(article, start)`` of the sentences that say what ``reply`` says (most of
        the terms of one of its sentences) and of their neighbours; and of the former."""
        said = [Evidence.of(sentence).terms for sentence, _ in split_cited(reply)]
        said = [terms for terms in said if terms]
        singles = [w for w in self.windows if not w.pair]
        near: set[tuple[str, int]] = set()
        repeated: set[tuple[str, int]] = set()
        for i, window in enumerate(singles):
            terms = window.evidence.terms
            if not any(len(claim & terms) / len(claim) >= _REPEATED for claim in said):
                continue
            repeated.add((window.passage.article_id, window.start))
            for other in singles[max(0, i - 1) : i + 2]:
                if other.passage.article_id == window.passage.article_id:
                    near.add((other.passage.article_id, other.start))
        return frozenset(near), frozenset(repeated)

    def _new(self) -> list[tuple[Window, set[str]]]:
        """:meth:`_topic_held` without the sentences the answer followed up says."""
        return [
            (w, there)
            for w, there in self._topic_held()
            if (w.passage.article_id, w.start) not in self.repeated
        ]

    def _full_names(self) -> FullNames:
        """The names the searched sentences write in full (:func:`full_names`), found
        the first time a claim lacks a name."""
        if self._names is None:
            self._names = full_names(w.text for w in self.windows if not w.pair)
        return self._names

    def _topic_held(self) -> list[tuple[Window, set[str]]]:
        """Each single sentence with the topic terms it holds (:func:`covered`)."""
        if self._held is None:
            self._held = [
                (w, covered(set(self.topic), w.text, w.evidence.terms))
                for w in self.windows
                if not w.pair
            ]
        return self._held

    def _on_topic(self, window: Window) -> bool:
        if not self.min_overlap or (window.passage.article_id, window.start) in self.near:
            return True
        held = len(self.topic & window.evidence.terms)
        if held < self.min_overlap * len(self.topic):  # or a word that says the same
            found = covered(set(self.topic), window.text, window.evidence.terms)
            if self._own and self._own <= found:
                return True
            held = len(found)
        return held / len(self.topic) >= self.min_overlap

    def check(self, claim: str, cited: Sequence[Passage], question: str) -> Supported | None:
        """See :class:`Verifier`; among equal scores a single sentence beats a pair.

        A claim that leaves out what the question asks for ("When was the duchy
        founded?" answered "It was founded by the treaty of ...") while the sentence
        that supports it says it ("... began in 911 ...") is answered by that
        sentence: its :attr:`Supported.claim` is the sentence, ``restated`` set.
        A claim that fails as a whole may hold up without its first subordinate
        clause, where a small model adds details of its own ("Harold II died at the
        Battle of Hastings, which took place on 14 September 1066."), or without the
        year it gave a date ("April 14, 2021"): then that shorter sentence is the
        claim, ``restated`` set. A sentence beginning "He" or "She" that answers "Who
        ...?" comes with the sentence before, which says who (:meth:`_named_before`).
        """
        if names_no_one(claim, question):
            return None
        # "Who?" after "Why are environmental groups worried?": "Environmental groups"
        # says only what was asked; "How much?" after "The study was funded by a $6.3
        # million grant ..." is answered by the amount that answer gave.
        asks_value = wanted_kind(question) in ("time", "duration", "quantity")
        bare = self._bare and set(content_terms(claim)) <= self.topic
        if bare and not (asks_value and names_wanted(question, claim)):
            return None
        found = self._check(claim, cited, question)
        if found is not None:
            # A time or a number asked for is no copy of a sentence ("81" from "She was 81.")
            # but may be taken from the wrong one: a value alone, or with the question's
            # words and one more ("4,174 votes, or 40.9 percent" for "How many votes did
            # Marcus Obi get?").
            said = set(terms(claim))
            other = {t for t in said if not any(map(str.isdigit, t))} - self.topic
            given = asks_value and (len(said) <= 2 or len(other) <= 1)
            if given:
                return None if self._value_elsewhere(claim, found.window, question) else found
            if self._copied_wrong(claim, found.window):
                return None
            return self._named_before(found, question)
        for short in dict.fromkeys((main_clause(claim), without_year(claim))):
            found = None if short == claim else self._check(short, cited, question)
            if found is not None:
                found = found if found.restated else replace(found, claim=short, restated=True)
                return self._named_before(found, question)
        return None

    def _copied_wrong(self, claim: str, window: Window) -> bool:
        """Whether ``claim`` copies a sentence of ``window`` (most of its terms) though
        that sentence holds under half of the topic's terms and another sentence holds
        three quarters of them, two more: a small model copied the wrong sentence ("What
        does Putin find unacceptable?" answered with a sentence about mission creep), or
        another sentence holds all of three or more that it lacks one of. Of a pair, the
        sentence copied is judged, not the pair ("What problems does the school have?"
        answered with the vote count before the sentence about them); a sentence that
        follows one that only names the question's topic goes on about it ("Which of
        her designs was not built?": "Not all her designs were built. A plan for a
        floating school ... was rejected ...")."""
        if len(self.topic) < 2:
            return False
        singles = [w for w in self.windows if not w.pair]
        said = set(terms(claim))
        # The sentences of the window the claim copies: a pair's other sentence may be
        # about the question while the one copied is not.
        copied = [
            w
            for w in singles
            if w.passage == window.passage
            and window.start <= w.start
            and w.end <= window.end
            and len(w.evidence.terms & said) >= _COPY * len(w.evidence.terms)
        ]
        if not copied:
            return False
        text = " ".join(w.text for w in copied)
        held = covered(set(self.topic), text, set().union(*(w.evidence.terms for w in copied)))
        held = self._referred(copied[0], held)
        most = max((len(there) for _, there in self._new()), default=0)
        if self._follows(copied[0], most):
            return False
        if len(self.topic) >= 3 and most == len(self.topic) > len(held):
            return True
        # Of a name and a thing ("What did Northstar say about ratios?"), a sentence that
        # holds only the name is about something else where another holds both.
        if len(self.topic) == 2 == most and held and held <= self._named < self.topic:
            return True
        if 2 * len(held) >= len(self.topic):
            return False
        return most >= _ABOUT * len(self.topic) and most >= len(held) + 2

    def _before(self, window: Window) -> tuple[Window, set[str]] | None:
        """The sentence right before ``window`` in its passage, with the topic terms it
        holds (:meth:`_topic_held`); ``None`` for the first."""
        before = [
            (w, there)
            for w, there in self._topic_held()
            if w.passage == window.passage and w.end <= window.start
        ]
        return before[-1] if before else None

    def _referred(self, window: Window, held: set[str]) -> set[str]:
        """``held``, the topic terms ``window`` holds, with the rest of each name it
        holds part of ("Lindgren" is Sophie Lindgren) and, where it begins with "he",
        or "she", the names the sentence before holds ("... Lindgren testified
        in October. She is scheduled to be sentenced in January.")."""
        before = self._before(window) if _PERSON_BACK.match(window.text) else None
        if before is not None:
            held = held | (before[1] & self._named)
        beside = self._full_names().beside if held & self._named else {}
        return held | {n for t in held & self._named for n in beside.get(t, ()) if n in self._named}

    def _follows(self, window: Window, most: int) -> bool:
        """Whether the sentence right before ``window`` holds ``most`` topic terms, the
        most any sentence holds, at least three quarters of them, and either announces
        what ``window`` says (it holds at most one other term) or is what ``window``
        refers back to, the two holding every topic term ("When was the Hammarby Quay
        redevelopment finished?": "... the Hammarby Quay redevelopment, took nearly 20
        years. Finished in 1998, it replaced ...")."""
        before = self._before(window)
        if before is None:
            return False
        w, there = before
        if not len(there) == most >= _ABOUT * len(self.topic):
            return False
        if len(w.evidence.terms) <= len(there) + 1:
            return True
        # ... and the two hold every topic term: one that neither says may be what
        # the question got wrong ("the oldest work" of an article's "most famous").
        both = covered(set(self.topic), f"{w.text} {window.text}")
        return bool(_REFERS_BACK.match(window.text)) and len(both) == len(self.topic)

    def _value_elsewhere(self, claim: str, window: Window, question: str) -> bool:
        """Whether the bare time or number ``claim`` was taken from ``window`` though
        another sentence holds every topic term it holds and more, three quarters of
        them, and another value of the kind asked ("What percentage lower was the risk
        of dementia?" answered "47%" from the sentence about early death, while "... a
        38% lower risk of dementia ..." is another). Of a pair, the sentence that writes
        the value is judged."""
        if len(self.topic) < 2:
            return False
        given = Evidence.of(claim).numbers
        # Of two sentences, the one that writes the value is where it was taken from.
        if window.pair:
            inside = [
                w
                for w, _ in self._topic_held()
                if w.passage == window.passage
                and window.start <= w.start
                and w.end <= window.end
                and given & w.evidence.numbers
            ]
            window = inside[0] if len(inside) == 1 else window
        held = covered(set(self.topic), window.text, window.evidence.terms)
        # Of two terms, a count taken from a sentence that counts what is asked but does
        # not say the rest ("How many people have been hospitalized?" answered "146" from
        # "Of the 146 people infected"), where another counts it and says so ("Twenty
        # people have been hospitalized").
        two = len(self.topic) == 2
        if two and not counts_asked(question, window.evidence.phrase):
            return False
        return any(
            more > held
            and len(more) >= _ABOUT * len(self.topic)
            and not given & w.evidence.numbers
            and names_wanted(question, w.text)
            and (not two or counts_asked(question, w.evidence.phrase))
            for w, more in self._new()
        )

    def _with_dateline(self, window: Window) -> Evidence:
        """The evidence of ``window`` for a "Where ...?" question, with its dateline where
        that says where what the question asks about happened: "Where did the derailment
        happen?" of "HALDEN, Ore. - A ... freight train derailed ..." (:func:`filed_here`),
        the sentence holding every topic term ("Where is Lumenfield headquartered?" is not
        answered by the dateline of a sentence about its founder's trial) other than
        "located" ("Where is it located?")."""
        # "Where is it located?" names nothing of its own to hold.
        named = set(self.topic) - _LOCATED
        if not (
            filed_here(window.text) and covered(named, window.text, window.evidence.terms) == named
        ):
            return window.evidence
        return Evidence.of(window.text, dateline=True)

    def _check(self, claim: str, cited: Sequence[Passage], question: str) -> Supported | None:
        prepared = Claim.of(claim, question)
        if prepared.has_kind:
            return self._best(prepared, cited, question)
        if prepared.terms <= prepared.numbers:
            # A bare number that is not what is asked ("When was she born?" - "1") finds
            # "one" in any sentence: nothing to restate.
            return None
        found = self._best(replace(prepared, has_kind=True), cited, question, answers_kind=True)
        if found is None:
            return None
        return replace(found, claim=found.window.text, restated=True)

    def _named_before(self, found: Supported, question: str) -> Supported:
        """``found``, or, where it answers "Who ...?" with a sentence that begins with
        "he" or "she", that sentence with the one before, which names who ("Who made
        Ralph earl?": "... the attitudes of Edward. He appointed Robert ... and made Ralph
        the Timid earl of Hereford.")."""
        window = found.window
        if window.pair or not asks_who(question) or not _PERSON_BACK.match(found.claim):
            return found
        pair = next(
            (
                w
                for w in self.windows
                if w.pair and w.passage == window.passage and w.end == window.end
            ),
            None,
        )
        if pair is None:
            return found
        return replace(found, window=pair, claim=pair.text, restated=True)

    def _best(
        self, prepared: Claim, cited: Sequence[Passage], question: str, answers_kind: bool = False
    ) -> Supported | None:
        """The best-supporting window of ``prepared``; with ``answers_kind``, only among
        windows that name what ``question`` asks for (a time, a quantity)."""
        if not prepared.terms:
            return None
        cited_keys = {(p.article_id, p.start) for p in cited}
        best: tuple[float, float, float, int, int] | None = None
        chosen: Window | None = None
        # The sentence that says the claim names the time or number, not its neighbour
        # ("How much did tickets cost?": "Tickets ... sold out" after "a crowd of 19,200");
        # words said may follow the sentence that says who spoke.
        singles_only = answers_kind and wanted_kind(question) != "speech"
        where, age = asks_where(question), asks_age(question)
        for rank, window in enumerate(self.windows):
            evidence = self._with_dateline(window) if where else window.evidence
            score = prepared.support(evidence, window.context, self._full_names)
            # A dateline that says where is on topic (see _with_dateline).
            dated = evidence is not window.evidence
            if score < self.threshold or not (dated or self._on_topic(window)):
                continue
            if answers_kind and not names_wanted(question, window.evidence.text):
                continue
            if singles_only and window.pair:
                continue
            if self.explain and not covered(self.explain, window.text, window.evidence.terms):
                continue
            # "How much ... each year?" is answered by an amount a year.
            if self.rate and not says_rate(window.text):
                continue
            # "How old is she?" by an age ("5 years old" is not said by "in five years").
            if age and not gives_age(window.evidence.text, prepared.numbers):
                continue
            # Who holds a role is named with it, in one sentence.
            if self.role and (
                window.pair or covered(self.role, window.text, window.evidence.terms) != self.role
            ):
                continue
            in_cited = (window.passage.article_id, window.passage.start) in cited_keys
            # Cited passage first, then higher support, a single sentence before a pair,
            # then the sentence more about the question: "Russia" of "Who controls the
            # disputed areas?" is said by the lead's "Russia's new attack of human areas"
            # and by "... the disputed areas that are still under Kyiv's control", and the
            # quote shown is the second. Then earlier.
            about = len(self.topic & window.evidence.terms)
            key = (float(in_cited), score, float(not window.pair), about, -rank)
            if best is None or key > best:
                best, chosen = key, window
        if chosen is None or best is None:
            return None
        return Supported(prepared.text, chosen, best[1], moved=not best[0])


# Where a sentence's first subordinate clause (or aside) begins.
_CLAUSE = re.compile(
    r",\s+(?:which|who|whom|whose|when|where|while|as|after|before|because|since|although|"
    r"though|including|especially|and|but|according\s+to)\b|;|\s+\("
)


# A year after a month (and day): a small model adds one the article does not give.
_DATED = re.compile(
    r"\b((?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December)(?:\s+\d{1,2}(?:st|nd|rd|th)?,?)?)\s+\d{4}\b"
)


def without_year(sentence: str) -> str:
    """``sentence`` without the year of a date ("April 14, 2021": "April 14").

    >>> without_year("Shipping begins April 14, 2021."), without_year("February 2026")
    ('Shipping begins April 14.', 'February')
    """
    return _DATED.sub(lambda m: m[1].rstrip(","), sentence)


def main_clause(sentence: str) -> str:
    """``sentence`` up to its first subordinate clause, when three words or more are
    left; otherwise ``sentence`` itself.

    >>> main_clause("Harold died at Hastings, which took place in 1066.")
    'Harold died at Hastings.'
    >>> main_clause("Vance had led Meridian since 2017, according to a proxy statement.")
    'Vance had led Meridian since 2017.'
    >>> main_clause("Rollo, who led them.")
    'Rollo, who led them.'
    >>> main_clause("They used Islamic, Lombard, and Byzantine techniques.")
    'They used Islamic, Lombard, and Byzantine techniques.'
    """
    found = _CLAUSE.search(sentence)
    if found is None:
        return sentence
    head = sentence[: found.start()].rstrip(" ,")
    if "," in head and found.group().lstrip(", ").startswith(("and", "but")):
        return sentence  # ", and" ends a list ("Islamic, Lombard, and Byzantine"), no clause
    return f"{head}." if len(head.split()) >= 3 else sentence
