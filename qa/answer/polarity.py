"""Yes or no: whether the sentence that answers a yes/no question negates it.

A 1.5B model's "Yes," is often a guess: asked "Will the US expand Article 5
guarantees ...?", it answered "Yes, ..." from an article that says "the US
won't expand Article 5 ...". Negation is something the words show: a "not",
"no", "never" or "won't" just before a term of the question, or a question
term with a negating prefix ("unacceptable" for "acceptable"), or one of a
short list of common opposites ("challenging" for "easy"), or another place in
an order ("the second recall" for "the first"). When the sentence of
the article that best covers the question negates it, the answer is "No"
whatever the model wrote, and that sentence is its citation. Where the words
show no negation the model's answer stands, unless it says "Yes" to whether
something happened from a sentence that has it only planned or required
("voters must approve in November"): then "Not yet" and that sentence; or where
the sentence says it is still open ("had not decided whether to appeal"): then
"Not decided" (or "Unclear") and that sentence. A "Yes"
needs a sentence that holds most of what the question is about ("Did revenue
fall?" is no "Yes" from "Sick days fell"); a question term's opposite counts
("revenue rose"), and where nothing else answers, the sentence most about the
question answers "No" when it says the opposite.

Example:
    >>> negates("the US won't expand Article 5 guarantees", "Will the US expand Article 5?")
    True
    >>> negates("Putin finds it unacceptable", "Does Putin find it acceptable?")
    True
    >>> negates("breaking it will be very challenging", "Will breaking it be easy?")
    True
    >>> negates("Kyiv provisionally agreed to do this", "Did Kyiv agree to it?")
    False
    >>> negates("It is the second recall this year.", "Is this the first recall?")
    True
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import replace

from qa.answer.claims import (
    INDEFINITE,
    NEGATION_REACH,
    OPPOSITES,
    covered,
    is_negation,
    names,
    opposites,
)
from qa.answer.evidence import Window, preceding, vocabulary
from qa.answer.verifier import Supported
from qa.store.lexical import ORDINAL_WORDS, STOPWORDS, content_terms, stem, terms, words

_PREFIXES = ("un", "in", "im", "il", "ir", "dis", "non")
# Places in an order: one is not another.
_ORDINALS = (frozenset(ORDINAL_WORDS) - {"zeroth"}) | {"last"}


_OPPOSITE = opposites(str)
# The forms listed together on one side of an opposite: "successful" is "succeed".
_FORMS = {w: frozenset(side.split()) for pair in OPPOSITES for side in pair for w in side.split()}
_UNANIMOUS = frozenset(content_terms("unanimous unanimously"))
# A tally with votes on both sides: "7-4", "9 to 2" (not a year's "2019-20").
_SPLIT_VOTE = re.compile(r"\b\d{1,3}\s*(?:-|\u2013|to)\s*[1-9]\d{0,2}\b(?![-\u2013])")
_META = frozenset(content_terms("article story piece text author writer"))
# Whether it goes on ("Is it still raining?") is asked of what the other words name.
_ASPECT = frozenset(content_terms("still yet already"))
# Words that ask about all of something.
_WHOLE = frozenset(
    "whole entire entirely all every everyone everybody everything completely fully".split()
)
#: The share of the question's terms a sentence must hold to decide its answer.
MIN_COVERAGE = 0.5
#: ... and to say "Yes" to it.
YES_COVERAGE = 0.6


def _negated_form(word: str, terms: set[str]) -> bool:
    """``word`` is a question term, or another form of it, with a negating prefix
    ("unacceptable", "unsuccessful" for "succeed")."""
    for prefix in _PREFIXES:
        rest = word[len(prefix) :]
        if not word.startswith(prefix) or len(rest) < 5:
            continue
        if stem(rest) in terms or any(stem(form) in terms for form in _FORMS.get(rest, ())):
            return True
    return False


def _split_vote(terms: set[str], sentence: str) -> set[str]:
    """ "Unanimous" of a question's ``terms`` where ``sentence`` gives a split vote: it
    says as much about it as the word would (and says no)."""
    return set(terms & _UNANIMOUS) if _SPLIT_VOTE.search(sentence) else set()


def _opposable(question: str) -> list[str]:
    """The words of ``question`` whose opposites say no: a last "over" is "ended" ("Is
    the heat warning over?", not "the dispute over wages").

    >>> _opposable("Is the warning over?")
    ['is', 'the', 'warning', 'ended']
    """
    asked = words(question)
    return [*asked[:-1], "ended"] if asked[-1:] == ["over"] else asked


def negates(sentence: str, question: str) -> bool:
    """Whether ``sentence`` negates one of ``question``'s content terms, or says the
    opposite of one of its words.

    >>> negates("The council voted 7-4 to approve it.", "Was the vote unanimous?")
    True
    >>> negates("The warning remains in effect until Thursday.", "Is the warning over?")
    True
    >>> negates("Its phone sales slumped last year.", "Did its phone sales rise?")
    True
    >>> negates("Berms keep the chemical from reaching the river.", "Did it reach the river?")
    True
    >>> negates("The rain has stopped.", "Is it still raining?")
    True
    >>> negates("A spokeswoman for the bureau declined to comment.", "Did the bureau comment?")
    True
    >>> negates("Some surgeries have stopped at the hospitals.", "Are hospitals still open?")
    False
    """
    terms = set(content_terms(question))
    tokens = words(sentence)
    opposite = frozenset().union(*(_OPPOSITE.get(w, frozenset()) for w in _opposable(question)))
    if opposite & set(tokens):
        return True
    # "Was the vote unanimous?" - "The council voted 7-4 ...": some voted against.
    if _split_vote(terms, sentence):
        return True
    # "Is it still raining?" - "The rain has stopped": what is asked about, then its end.
    if "still" in words(question):
        for i, word in enumerate(tokens):
            if word in _ENDED and covered(terms - {"still"}, " ".join(tokens[max(0, i - 3) : i])):
                return True
    # "Is this the first recall?" - "It is the second recall ...".
    ordinal = _ORDINALS & set(words(question))
    if ordinal and not ordinal & set(tokens) and _ORDINALS & set(tokens):
        return True
    for i, word in enumerate(tokens):
        # The term or a word that says the same ("No deaths" for "Was anyone killed?").
        asked = covered(terms, word, {stem(word)}, ())
        if asked and any(map(is_negation, tokens[max(0, i - NEGATION_REACH) : i])):
            return True
        # "declined to comment": did not.
        if asked and i >= 2 and tokens[i - 1] == "to" and tokens[i - 2] in _DECLINED:
            return True
        # "berms to keep the chemical from reaching the river": it did not, yet.
        if asked and tokens[i - 1 : i] == ["from"] and _PREVENT & set(tokens[max(0, i - 6) : i]):
            return True
        if _negated_form(word, terms):
            return True
    return False


_ENDED = frozenset("stopped ended ceased".split())
_DECLINED = frozenset("declined declines refused refuses".split())
_PREVENT = frozenset("keep keeps kept prevent prevents prevented stop stops stopped".split())
_MODALS = frozenset("will would must may might could should shall".split())
# "plans to approve", "is expected to vote": what is planned has not happened yet.
_PLANNED = frozenset(
    "plan plans planned expect expects expected set aim aims aimed intend intends intended "
    "hope hopes hoped want wants wanted likely going due scheduled".split()
)
# "before construction begins", "until voters approve": not yet, when the verb is present.
_NOT_YET = frozenset("before until".split())
# What is still to come: "still needs", "has yet to", "pending".
_STILL = re.compile(
    r"\b(?:still\s+(?:needs?|requires?|awaits?|lacks?|waiting\s+for)|(?:has|have|is|are)"
    r"\s+yet\s+to|not\s+yet|awaiting|pending)\b",
    re.IGNORECASE,
)
_STILL_REACH = 40  # characters after it where what is awaited is named
# Questions about what has happened ("Did voters approve the bond?").
_PAST = frozenset("did was were has have had".split())


def pending(sentence: str, question: str) -> bool:
    """Whether ``question`` asks if something happened and ``sentence`` has a verb of
    it only as planned or required ("voters must approve in November").

    >>> pending("a bond that voters must approve in November", "Did voters approve the bond?")
    True
    >>> pending("voters approved the bond", "Did voters approve the bond?")
    False
    >>> pending("a review before construction begins", "Has construction begun?")
    True
    >>> pending("he died before the war began", "Did the war begin?")
    False
    >>> pending("The project still needs a dredging permit.", "Has the permit been approved?")
    True
    >>> pending("She is scheduled to be sentenced in January.", "Has she been sentenced?")
    True
    >>> pending("It would choose a repair by April.", "Has it decided which repair to do?")
    True
    """
    asked = words(question)
    if not asked or asked[0] not in _PAST:
        return False
    terms = set(content_terms(question))
    # "still needs a dredging permit", "pending approval from regulators": not yet.
    for still in _STILL.finditer(sentence):
        if set(content_terms(sentence[still.end() :][:_STILL_REACH])) & terms:
            return True
    tokens = words(sentence)
    for i, word in enumerate(tokens):
        # The term or a word that says the same ("would choose" for "decided").
        if i == 0 or not covered(terms, word, {stem(word)}, ()):
            continue
        before = tokens[max(0, i - 2) : i]
        # "before construction begins": a subject between, and the verb in the present.
        later = len(before) > 1 and before[0] in _NOT_YET and before[1] not in STOPWORDS
        # "is scheduled to be sentenced": planned, in the passive.
        passive = i >= 3 and tokens[i - 2 : i] == ["to", "be"] and tokens[i - 3] in _PLANNED
        if (
            set(before) & _MODALS
            or (before[-1] == "to" and len(before) > 1 and before[0] in _PLANNED)
            or passive
            or (later and (stem(word) == word or word.endswith("s")))
        ):
            return True
    return False


# "had not decided whether to appeal", "it's unclear whether Ukraine will be required to":
# the article says the answer is not known.
# ... or is being weighed ("officials are weighing whether to take more fish"), or that
# someone would not say ("would not say whether Kasparian will testify"), or how much is
# not known ("it is not yet clear how much of the decline is caused by pumping").
_OPEN = re.compile(
    r"\b(?:(?:not|n't|never)\s+(?:yet\s+)?(?:been\s+)?(?:decided|determined|said|say|known|"
    r"know|sure|clear)|yet to (?:decide|say)|undecided|unclear|uncertain|unknown|undetermined|"
    r"(?:weighing|considering|debating|deciding|declined to say|refused to say))\b"
    r"\W+(?:\w+\W+){0,3}?(?:whether|if|how much|how many|what|when|why)\b(?P<rest>[^,;]*)",
    re.IGNORECASE,
)


def undecided(sentence: str, question: str) -> str | None:
    """How ``sentence`` says that what ``question`` asks is not known ("Not decided",
    "Unclear"), when it says so of a question term ("had not decided whether to
    appeal"); else ``None``. A question whether something happened ("Did Kyiv agree
    ...?") is not answered by what is still open.

    >>> undecided("It had not decided whether to appeal.", "Will it appeal?")
    'Not decided'
    >>> undecided("It's unclear whether Ukraine will demilitarize.", "Will Ukraine demilitarize?")
    'Unclear'
    >>> undecided("It is unclear whether talks resume, as Kyiv agreed.", "Will Kyiv agree?")
    >>> undecided("It's unclear whether it will, as Kyiv agreed.", "Did Kyiv agree?")
    >>> undecided("Officials are weighing whether to move more fish.", "Will more fish be moved?")
    'Not decided'
    >>> undecided("Hale said he did not know whether Reyes would play.", "Will Reyes play?")
    'Unclear'
    >>> undecided("It is not yet clear how much of the decline is caused by pumping.",
    ...           "Is it known whether the pumping caused the decline?")
    'Unclear'
    """
    found = _OPEN.search(sentence)
    if (
        found is None
        or words(question)[:1] in (["did"], ["was"], ["were"])
        or not set(terms(found.group("rest"))) & set(content_terms(question))
    ):
        return None
    deciding = re.search(r"decid|determin|weigh|consider|debat", found.group(), re.I)
    return "Not decided" if deciding else "Unclear"


# A reply's first clause after its "Yes".
_FIRST_CLAUSE = re.compile(r"^\W*yes\b\W*([^,;:()]*)", re.I)


def denies(text: str) -> bool:
    """Whether ``text`` says "Yes" and then, in its first clause, "not" or "never": a
    small model copies a sentence that says no after writing "Yes".

    >>> denies("Yes, passwords were not taken [5]."), denies("Yes, not only Kyiv.")
    (True, False)
    >>> denies("Yes, two firefighters were hurt, and no deaths were reported.")
    False
    """
    found = _FIRST_CLAUSE.match(text)
    tokens = words(found.group(1)) if found else []
    return any(is_negation(w) and tokens[i + 1 : i + 2] != ["only"] for i, w in enumerate(tokens))


def saying_no(sentence: str) -> str:
    """``sentence`` led by "No:", unless it begins with "No" itself.

    >>> saying_no("It rose."), saying_no("No deaths have been reported.")
    ('No: It rose.', 'No deaths have been reported.')
    """
    return sentence if lead(sentence) == "no" else f"No: {sentence}"


def lead(text: str) -> str | None:
    """``"yes"`` or ``"no"`` when ``text`` starts with one."""
    first = words(text[:12])[:1]
    return first[0] if first and first[0] in ("yes", "no") else None


# "ever", "in history", "on record": a question about all time ...
_ALL_TIME = re.compile(
    r"\b(?:ever|(?:in|of) (?:\w+ ){0,2}history|on record|of all time|all-time)\b", re.I
)
# ... and a sentence about a period of it.
_PERIOD = re.compile(
    r"\b(?:(?:this|last|that) (?:year|season|month|week|decade|century)|so far|"
    r"since (?:\d{4}|the \d{4}s)|in (?:\d+|several|many|two|three|four|five|ten) "
    r"(?:years|decades)|in (?:years|decades))\b",
    re.I,
)


def narrower(sentence: str, question: str) -> bool:
    """Whether ``question`` asks about all time and ``sentence`` speaks of a period.

    >>> narrower("The fire is the largest in Arizona this year.",
    ...          "Is this the largest fire in Arizona history?")
    True
    >>> narrower("It is the largest fire on record.", "Is it the largest fire ever?")
    False
    """
    return (
        bool(_ALL_TIME.search(question))
        and not _ALL_TIME.search(sentence)
        and bool(_PERIOD.search(sentence))
    )


class YesNoCheck:
    """Corrects a "Yes" that the article's own words contradict (see the module docstring).

    A sentence quoted without a "Yes" or "No" (the reader's own claims failed, or
    it wrote none) is led by "No:" when it negates the question, and by "Yes:" when
    it does not and the reader's reply began with "Yes" (``said``): the reader and
    the article's words agree, unless the sentence speaks of a narrower period than
    the question (:func:`narrower`).

    Args:
        sentences: Single sentences of the searched passages, in article order.
        question: The yes/no question (standalone form).
        said: How the reader's reply began, "yes" or "no", when a sentence is quoted
            in its place.
    """

    def __init__(self, sentences: Sequence[Window], question: str, said: str | None = None) -> None:
        self.sentences = sentences
        self.question = question
        self.said = said
        # "the article" in a question is the text itself, not its "Article 5".
        self.terms = set(content_terms(question)) - _META - _ASPECT - INDEFINITE
        self.opposed = {stem(w): _OPPOSITE[w] for w in _opposable(question) if w in _OPPOSITE}
        self.asks_negated = any(map(is_negation, words(question)))

    def best(self) -> Window | None:
        """The sentence holding most of the question's terms; among equals, the one
        most about them (its first term held, then the most of its terms in the same
        words or their opposites, then in its own words, then the largest share of its
        own terms), then the first: "Was there a tsunami?" is answered by "No tsunami waves were
        recorded." rather than by a long sentence that mentions a tsunami warning."""
        return self._best

    @functools.cached_property
    def _best(self) -> Window | None:
        """:meth:`best`, found once: a "Yes" is checked against it more than once."""
        if not self.terms:
            return None
        best, key = None, (MIN_COVERAGE - 1e-9, 0.0, 0.0, 0.0, 0.0)
        # The question's first term is most often what it is about: "Did the board change
        # its decision?" is about the board ("The board took no action ... the closure
        # date had not changed"), not a decision that a grant comes too late to change.
        first = next((t for t in content_terms(self.question) if t in self.terms), None)
        for window in self.sentences:
            found, alike = self._about(window)
            share = (
                len(alike) / len(self.terms),
                float(first in alike),
                len(found) / len(self.terms),
                # The question's own words before their opposites: "Was any evacuation
                # order lifted?" is answered by "A voluntary evacuation order ... was lifted
                # ...", not by "... the mandatory evacuation order ... would remain ...".
                len(self.terms & window.evidence.terms) / len(self.terms),
                len(alike) / len(window.evidence.terms),
            )
            if share > key:
                best, key = window, share
        return best

    def _about(self, window: Window) -> tuple[set[str], set[str]]:
        """The question's terms ``window`` holds, or their opposites ("Did revenue
        fall?": "revenue rose"); and those with the words that say the same ("Did
        anyone die?": "No deaths"), which count after the question's own words."""
        tokens = set(words(window.text)) if self.opposed else set()
        found = (
            (self.terms & window.evidence.terms)
            | {t for t, opposite in self.opposed.items() if opposite & tokens}
            | _split_vote(self.terms, window.text)
        )
        return found, covered(self.terms, window.text, window.evidence.terms, ()) | found

    def contradiction(self, alone: bool = False) -> Supported | None:
        """The sentence most about the question (:meth:`best`) when it negates it.

        ``alone``: nothing else answers the question; then the article must name all
        it asks about somewhere ("Has Putin agreed to a ceasefire?" is not answered
        "No" by "Putin finds it unacceptable" from an article without a ceasefire).
        """
        if alone:
            said = vocabulary(self.sentences)
            split = set().union(*(_split_vote(self.terms, w.text) for w in self.sentences))
            if not self.terms <= covered(self.terms, "", said, ()) | set(self.opposed) | split:
                return None
        best = self.best()
        if best is None or self.asks_negated or not negates(best.text, self.question):
            return None
        # "he did not know whether Reyes would be available" says no answer is known.
        if undecided(best.text, self.question) is not None:
            return None
        return Supported(best.text, best, 1.0, moved=True)

    def still_open(self) -> Supported | None:
        """The sentence most about the question, led by "Not decided:" or "Unclear:", when
        it says the answer is not known (:func:`undecided`)."""
        best = self.best()
        label = None if best is None else undecided(best.text, self.question)
        if best is None or label is None:
            return None
        return Supported(f"{label}: {best.text}", best, 1.0, moved=True)

    def amend(self, text: str, support: Supported) -> tuple[str, Supported] | None:
        """``text`` and its support, or "No: <sentence>" cited to the sentence that says
        no; a quoted sentence gets its "Yes:" or "No:" (see the class docstring)."""
        said = lead(text)
        if self.asks_negated:
            return text, support
        if said == "no":
            # "Is Thale married?" - "No, Marcus Thale is not married." from a sentence that
            # names him and says nothing of marriage: a "No" needs what is asked of him.
            asked = self.terms - set(content_terms(" ".join(names(self.question))))
            return (text, support) if not asked or self._about(support.window)[1] & asked else None
        window = support.window
        # "Will it appeal?" - "Yes" from "... had not decided whether to appeal.": the
        # sentence says it is open, though it writes "not".
        open_question = undecided(window.text, self.question)
        if open_question is not None:
            return f"{open_question}: {window.text}", replace(support, claim=window.text)
        # The sentence that covers the question best, else the one the "Yes" (or the
        # quote) stands on ("Did the stock rise?" answered "Yes, the shares fell 4.2%").
        against = self.contradiction()
        if against is None and negates(window.text, self.question):
            against = Supported(window.text, window, 1.0, moved=True)
        # "Were passwords stolen?" - "Yes, passwords were not taken.": the reply says no.
        if against is None and said == "yes" and denies(text):
            against = Supported(window.text, window, 1.0, moved=True)
        if against is not None:
            if said is None and against.window == window:
                return saying_no(text), support
            return saying_no(against.claim), against
        # ... or from the sentence before or the one most about the question, where that
        # holds more of the question ("Will he play in Game 1?" - "Yes" from "Grant left
        # the game with a sprained ankle" after "Park had not decided whether Grant would
        # be available for Game 1").
        before = preceding(self.sentences, window)
        held = len(covered(self.terms, window.text, window.evidence.terms))
        for other in (before, self.best()):
            if other is None or other == window:
                continue
            if len(covered(self.terms, other.text, other.evidence.terms)) <= held:
                continue
            open_question = undecided(other.text, self.question)
            if open_question is not None:
                return f"{open_question}: {other.text}", Supported(other.text, other, 1.0, True)
        # What is left says "Yes", in words or not ("Were schools closed?" - "Shelters were
        # opened at the high school" is no answer without one either).
        # "Did voters approve the bond?" - "Yes" from "... voters must approve in November."
        if pending(window.text, self.question):
            return f"Not yet: {window.text}", replace(support, claim=window.text)
        # "Did revenue fall?" - "Yes" from "Sick days fell by two-thirds": a sentence that
        # lacks what the question is about (also in the sentence before it, where "this"
        # may be named) says nothing of it. Its words may say the same ("injuries": "hurt").
        # ... or earlier in its paragraph ("The four most common side effects in the trial
        # were ... Most cases caused no symptoms, but two patients ... died ...").
        lead_in = [
            w
            for w in self.sentences
            if w.passage.article_id == window.passage.article_id
            and w.passage.paragraph == window.passage.paragraph
            and w.end <= window.start
        ]
        if before is not None and before not in lead_in:
            lead_in.append(before)
        said_there = window.evidence.terms.union(*(w.evidence.terms for w in lead_in))
        text_there = " ".join(w.text for w in [*lead_in, window])
        if len(covered(self.terms, text_there, said_there)) < YES_COVERAGE * len(self.terms):
            return None
        # "Will the whole hospital close?" is no "Yes" from a sentence about its ward.
        if _WHOLE & set(words(self.question)) and not _WHOLE & set(words(text_there)):
            return None
        if said is None:
            # "Is this the largest fire in Arizona history?": "... the largest in Arizona
            # this year" answers a narrower question: shown without the reader's "Yes",
            # for the person asking to judge.
            agreed = self.said == "yes" and not narrower(window.text, self.question)
            return (f"Yes: {text}" if agreed else text), support
        return text, support
