"""Lists the article numbers itself: "The second concern ...", "Third, ...", "Finally, ...".

When an article walks through its points with ordinals, those sentences are
the answer to "What are the five disagreements?", in the article's own words
and order, and one of them the answer to "What is the fifth disagreement?"
(:func:`nth`), even where the article says "Finally" and not "fifth". A 1.5B
model asked for the list drops an item or repeats one; the ordinals do not. The
run is used only when it answers the question: what the question lists (its
first plural word, "disagreements") is named by the sentence before the first
item or by the first item, and a count the question asks for ("the five ...")
is the run's length.

Example:
    >>> from qa.answer.evidence import windows
    >>> from qa.ingest.split import Passage
    >>> text = ("There are three risks. The first is rain. The second risk is wind. "
    ...         "Finally, there is snow. Tea was served.")
    >>> p = Passage("a", "A", 0, 1, 0, len(text), text, text)
    >>> [w.text for w in find(windows([p], pairs=False), "What are the three risks?")]
    ['The first is rain.', 'The second risk is wind.', 'Finally, there is snow.']
    >>> find(windows([p], pairs=False), "What are the two risks?") is None
    True
    >>> nth(windows([p], pairs=False), "What is the third risk?").text
    'Finally, there is snow.'
    >>> nth(windows([p], pairs=False), "What is the fourth risk?") is None
    True
    >>> nth(windows([p], pairs=False), "And the second one?", "What are the risks?").text
    'The second risk is wind.'
"""

from __future__ import annotations

from collections.abc import Sequence

from qa.answer.evidence import Window
from qa.store.lexical import NUMBER_WORDS, ORDINAL_WORDS, STOPWORDS, stem, words

_LAST = frozenset({"finally", "lastly", "last"})
_LAST_ASKED = _LAST | {"final"}  # "the final concern" (an item rarely opens with "Final,")
#: How far into a sentence its ordinal may stand ("The fourth issue is ...").
_LEAD_WORDS = 3
#: Sentences an item may sit after the previous one (an item may take a few sentences).
_GAP = 4
# Words that count items of any list: "the second one", "the third point".
_ANY_ITEM = frozenset(stem(w) for w in "one ones point item bullet thing sentence line".split())


def _rank(sentence: Window) -> int | None:
    """1 for "The first ...", 2 for "Second, ...", ..., 0 for "Finally, ..."."""
    for word in words(sentence.text)[:_LEAD_WORDS]:
        if word in _LAST:
            return 0
        rank = int(ORDINAL_WORDS.get(word, "0"))  # "zeroth" is no item
        if rank:
            return rank
    return None


def asked_count(question: str) -> int | None:
    """How many items ``question`` asks for ("What are the five findings?": 5), if it
    names a number.

    >>> asked_count("What are the five main findings?"), asked_count("Who won?")
    (5, None)
    """
    found = [w for w in words(question) if w in NUMBER_WORDS or w.isdigit()]
    return int(NUMBER_WORDS.get(found[0], found[0])) if found else None


def _run(sentences: Sequence[Window]) -> tuple[list[Window], int] | None:
    """The article's first ordinal run of at least three items, and the position of
    its first item in ``sentences``; ``None`` when there is none."""
    items: list[Window] = []
    positions: list[int] = []
    for i, sentence in enumerate(sentences):
        rank = _rank(sentence)
        if rank is None:
            continue
        if items and i - positions[-1] > _GAP:  # too far from the last item: that run ended
            if len(items) >= 3:
                break
            items, positions = [], []
        if rank == 1:
            if len(items) >= 3:
                break
            items, positions = [sentence], [i]
        elif items and (rank == len(items) + 1 or (rank == 0 and len(items) >= 2)):
            items.append(sentence)
            positions.append(i)
            if rank == 0:
                break
        elif rank == 2 and not items:
            # The first item may carry no ordinal up front ("Trump made two references to
            # the first ..."): take the nearest sentence before that names "the first".
            first = next(
                (j for j in range(i - 1, max(-1, i - 1 - _GAP), -1)
                 if "first" in words(sentences[j].text)),
                None,
            )  # fmt: skip
            if first is not None:
                items, positions = [sentences[first], sentence], [first, i]
    return (items, positions[0]) if len(items) >= 3 else None


def _names(head: str, sentences: Sequence[Window], run: tuple[list[Window], int]) -> bool:
    """Whether the run lists ``head`` things: the sentence before its first item, or
    that item, names them."""
    items, at = run
    opening = sentences[at - 1] if at > 0 else items[0]
    return head in opening.evidence.terms | items[0].evidence.terms


def find(sentences: Sequence[Window], question: str) -> list[Window] | None:
    """The sentences of the article's ordinal run that answers ``question``, in order;
    ``None`` when there is none."""
    run = _run(sentences)
    if run is None:
        return None
    wanted = asked_count(question)
    if wanted is not None and wanted != len(run[0]):
        return None
    head = _head(question)
    if head is None or not _names(head, sentences, run):
        return None
    return run[0]


def _ordinal(question: str) -> tuple[int, str] | None:
    """The item ``question`` asks for by its number, 1 for "first", ..., 0 for "last",
    and the word after the ordinal ("disagreement", "one", or "")."""
    asked = words(question)
    # -1 for other words ("zeroth" too: no item).
    ranks = [0 if w in _LAST_ASKED else int(ORDINAL_WORDS.get(w, "0")) or -1 for w in asked]
    at = next((i for i, rank in enumerate(ranks) if rank >= 0), None)
    if at is None:
        return None
    return ranks[at], asked[at + 1] if at + 1 < len(asked) else ""


def in_reply(question: str, reply: str) -> str | None:
    """The line of ``reply``, an answer shown as a list ("- ..." lines), that
    ``question`` asks for by its number ("Tell me more about the second point.",
    "And the last one?"); ``None`` when it asks for none.

    >>> in_reply("What about the second point?", "- Rain fell.\\n- Wind blew.")
    'Wind blew.'
    """
    lines = [line[2:].strip() for line in reply.splitlines() if line.startswith("- ")]
    asked = _ordinal(question)
    if len(lines) < 2 or asked is None:
        return None
    rank, after = asked
    if (after and stem(after) not in _ANY_ITEM) or rank > len(lines):
        return None
    return lines[rank - 1]  # rank 0, "the last": the last line


def nth(sentences: Sequence[Window], question: str, about: str = "") -> Window | None:
    """The item of the article's ordinal run that a question about one of them asks
    for ("What is the fifth disagreement?", "... the last concern?"); ``None`` when
    the question names no item of a run the article has (see the module's example).

    ``about`` is what a follow-up is about (the questions it follows and itself): it
    names what "the second one" counts ("What are the five disagreements?").
    """
    asked = _ordinal(question)
    if asked is None:
        return None
    rank, after = asked
    # What the question counts: the word after the ordinal ("fifth disagreement"), or
    # for "the second one", what the question or the turns it follows list.
    head = stem(after) if after and after not in STOPWORDS else _head(about or question)
    run = _run(sentences)
    if head is None or run is None or rank > len(run[0]):
        return None
    item = run[0][rank - 1]  # rank 0, "the last": the last item
    if rank == 1 and _rank(item) != 1:
        return None  # a first item found only by its mention of "the first" says little
    if not (_names(head, sentences, run) or head in item.evidence.terms):
        return None
    return item


def _head(question: str) -> str | None:
    """What a list question lists: its first plural word ("disagreements"), stemmed."""
    for word in words(question)[1:]:
        plural = word.endswith("s") and not word.endswith(("ss", "us", "'s"))
        if plural and len(word) > 3 and word not in STOPWORDS:
            return stem(word)
    return None
