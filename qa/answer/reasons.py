"""A bare "Why?" or "How?" after an answer: the reason or the means the article gives
for what that answer said.

Given "Why?" after "4,300 nurses are on strike", a small model copies whichever
sentence comes next in the article ("The nurses ... work at Riverside Medical
Center ..."). News gives the reason for a statement in the statement itself
("... went on strike Tuesday morning after months of talks over pay and staffing
broke down") or in the sentence after it in its paragraph ("... said it opposed the
deal." then "'Every merger like this ends with closed stores and fewer jobs,' said
..."). So such a follow-up is answered from those sentences only: the reader's claims
where they come from there, else the clause that gives the reason or the sentence
after.

Example:
    >>> asks("Why not?"), asks("How?"), asks("How come?"), asks("How many?"), asks("Why so much?")
    ('why', 'how', 'why', None, 'why')
    >>> clause("The nurses went on strike after talks over pay broke down, the union said.", "why")
    'After talks over pay broke down'
    >>> clause("It expects to save $150 million, mainly from shared warehouses.", "how")
    'Mainly from shared warehouses'
    >>> clause("It hired 1,500 nurses through a staffing agency.", "why") is None
    True
    >>> clause("He was sent off for pulling down a striker.", "why")
    'For pulling down a striker'
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from qa.answer.claims import asks_who, names
from qa.answer.evidence import Window, following
from qa.answer.verifier import Supported, Verifier
from qa.ingest.split import Passage
from qa.store.lexical import content_terms, terms

Spot = tuple[str, int]  # (article id, start) of a single sentence

_BARE = re.compile(
    r"^\W*(?:(?P<why>why(?:\s+not|\s+so\s+\w+)?|how\s+(?:so|come)|for\s+what\s+reason)"
    r"|(?P<how>how|in\s+what\s+way|by\s+what\s+means))\W*$",
    re.IGNORECASE,
)
# Where a sentence starts to give the reason for what it says, or the means.
_OPENS = {
    "why": re.compile(
        r"\b(?:because|after|due\s+to|owing\s+to|as\s+a\s+result\s+of|amid|in\s+order\s+to"
        r"|so\s+that|in\s+protest\s+(?:of|at|against)|for(?=\s+\w+ing\b))\s",
        re.IGNORECASE,
    ),
    "how": re.compile(
        r"\b(?:(?:mainly|mostly|largely|partly|chiefly|primarily)\s+(?:from|through|by)"
        r"|by(?=\s+\w+ing\b)|through|via|using)\s",
        re.IGNORECASE,
    ),
}
# Where the clause ends: a comma, a semicolon, a dash or the sentence's end.
_CLOSES = re.compile(r",\s|;|\s[\u2014\u2013-]\s|[.!?](?:\W*$)")
_SHORTEST = 3  # words: "after talks broke down", not "after Tuesday"
_SUBSTANCE = 2  # content terms
# Any word that may begin a reason or a condition.
_MAY_EXPLAIN = re.compile(
    r"\b(?:because|after|due|owing|result|amid|order|so|since|as|if|unless|citing|over|for"
    r"|to|by|from|with|given|when|while|but|although|though|through|via|using)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"\u201c\u201d]")


def asks(question: str) -> str | None:
    """``"why"`` or ``"how"`` where ``question`` is that word alone (or "Why not?",
    "How come?"), else ``None``."""
    found = _BARE.match(question.strip())
    if found is None:
        return None
    return "why" if found.group("why") else "how"


def clause(sentence: str, kind: str, about: str = "") -> str | None:
    """The clause of ``sentence`` that gives the reason (``kind`` "why") or the means
    ("how") for what it says, capitalised; ``None`` where it gives none.

    With ``about`` (what the answer before said), only a clause after the first word
    of it that ``sentence`` holds: one before explains something else.

    >>> text = "They met because of the war, while Kyiv would struggle after aid is cut."
    >>> clause(text, "why", "Kyiv would struggle")
    'After aid is cut'
    """
    said = set(content_terms(about))
    start = next(
        (m.start() for m in re.finditer(r"[\w$%,.']+", sentence) if set(terms(m.group())) & said),
        0,
    )
    opens = _OPENS[kind].search(sentence, start)
    if opens is None:
        return None
    rest = sentence[opens.start() :]
    closes = _CLOSES.search(rest)
    part = (rest[: closes.start()] if closes else rest).strip()
    # Two words of substance after the opening one: not "because of how advantageous
    # the" where a comma of a garbled sentence cut it.
    if len(part.split()) < _SHORTEST or len(content_terms(part)) < _SUBSTANCE:
        return None
    return part[0].upper() + part[1:]


def _spot(window: Window) -> Spot:
    return window.passage.article_id, window.start


def _next_in_paragraph(sentences: Sequence[Window], window: Window) -> Window | None:
    """The sentence after ``window`` where it goes on in the same paragraph."""
    after = following(sentences, window)
    if after is None or after.passage.paragraph != window.passage.paragraph:
        return None
    return after


def sources(
    sentences: Sequence[Window], said: Collection[Spot], kind: str, about: str = ""
) -> list[Window]:
    """The sentences an answer's reason may come from: those ``said`` (the answer
    before repeats them, ``about``) and the one after each in its paragraph, unless
    the sentence gives a reason itself (:func:`clause`: "... was shown a red card ...
    for pulling down Ostrander", not "Six minutes later, ...")."""
    out: list[Window] = []
    for window in sentences:
        if _spot(window) not in said:
            continue
        out.append(window)
        if clause(window.text, kind, about) is not None:
            continue
        after = _next_in_paragraph(sentences, window)
        if after is not None:
            out.append(after)
    return out


def given(
    sentences: Sequence[Window], said: Collection[Spot], kind: str, about: str = ""
) -> tuple[str, Window] | None:
    """The reason (or means) the article gives for the sentences ``said`` (which say
    ``about``, the answer before): a clause of one of them (:func:`clause`), else the
    sentence after the first in its paragraph; ``None`` if neither."""
    told = [w for w in sentences if _spot(w) in said]
    for window in told:
        part = clause(window.text, kind, about)
        if part is not None:
            return part, window
    for window in told:
        after = _next_in_paragraph(sentences, window)
        # Someone's words on it, or a sentence that may give a reason: not "Breaking this
        # deadlock will still be very challenging."
        if after is not None and (_QUOTED.search(after.text) or _MAY_EXPLAIN.search(after.text)):
            return after.text, after
    return None


def who(
    sentences: Sequence[Window], said: Collection[Spot], question: str, asked: str
) -> Window | None:
    """For ``question`` a bare "Who?", the first of the sentences ``said`` that names
    someone the questions so far (``asked``) do not; else ``None``."""
    if not asks_who(question):
        return None
    known = names(asked)
    for window in sentences:
        if _spot(window) in said and names(window.text) - known:
            return window
    return None


class Confined:
    """A :class:`~qa.answer.verifier.Verifier` that keeps only the claims ``inner``
    finds supported by one of ``windows`` (the reason's :func:`sources`)."""

    def __init__(self, inner: Verifier, windows: Sequence[Window]) -> None:
        self.inner = inner
        self.spots = set(map(_spot, windows))

    def check(self, claim: str, cited: Sequence[Passage], question: str) -> Supported | None:
        """See :class:`~qa.answer.verifier.Verifier`."""
        found = self.inner.check(claim, cited, question)
        if found is None or found.window.pair:
            return None
        return found if _spot(found.window) in self.spots else None
