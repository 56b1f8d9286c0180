"""Check, sentence by sentence, that cited passages support what the answer says.

Support score of a sentence against evidence text (lexical, documented so it can
be reasoned about):

* *claim terms* are the sentence's stemmed content words that are not already
  in the question; a sentence that only restates the question has none and
  gets support 0 (it answers nothing);
* support = share of claim terms present in the passage (another form of a
  term counts 0.9: "their invasion" for "invaded", see :func:`derived`), and 0 when the
  sentence or the question has a number the passage lacks (numbers are where
  small models invent most, and a question about a date the passage does not
  mention is not answered by it), or when the sentence names someone or
  something (a capitalised word) the passage does not mention (near-misses
  forgiven as below: "Germany" for "German"), or joins two names with a
  particle ("Richard de Lusignan", "Rollo of Denmark") that the passage and
  the text around it do not join so: a small model recombines the names it read;
* and 0 when the sentence copies the passage with one of its names replaced by
  a name of the question ("When did Richard flee?" answered "Richard fled to
  Normandy in 1013." from "Because of this, Ethelred fled to Normandy in 1013."):
  the passage is about someone else;
* and 0 when the question asks "When ...?" or "How many ...?" and the sentence
  names no time or quantity, when "What did X say?" is answered by a sentence
  that reports no speech, or when "How many people ...?" is answered by a number
  the passage has only before a unit of measure ("the river rose 11 feet"), as a
  share ("75%") or as a year, or before another noun where another number counts
  what is asked ("29 points and 17 rebounds"); and 0 when a percentage ("34%") is
  no percentage in the passage ("34 points");
* and 0 when the evidence negates a claim term that the sentence states
  plainly: a "not", "no", "never" or "won't" up to three words before each of
  its occurrences ("Putin [does not want to stop the war" does not support
  "Putin wants to stop the war"; small models drop negations when they copy),
  unless the question itself negates ("What won't the US expand?");
* and 0 when a name the *question* takes for granted ("Who was Robert's son?")
  is in neither the passage, the passage just before it in the article (where
  a "he" in the passage may have been introduced) nor the rest of its
  paragraph: small models answer a question about the wrong person from a
  right-looking passage. Near-misses count as present, so a typo in the
  question ("Scotish", "Raouliii") does not block the answer: names of five
  letters or more one edit away, or, from six letters, sharing all but the
  last letter of the shorter name (which also lets "Robertson" match "Roberts").

Claims are checked against single sentences of the article or two adjacent
ones (:mod:`qa.answer.verifier` decides which sentence a claim keeps as its
citation); names and numbers the question takes for granted may sit in the
surrounding passage, the one before it or the rest of its paragraph.

Example:
    >>> round(support("Rollo led the Norse [1].", "Who led them?", "The Norse leader was Rollo."), 2)
    1.0
    >>> support("Putin wants to stop the war.", "What does Putin want?",
    ...         "Putin does not want to stop the war.")
    0.0
"""

from __future__ import annotations

import difflib
import functools
import itertools
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from qa.ingest.split import LIST_ITEM, ends_in_abbreviation, sentence_spans
from qa.store.lexical import (
    NUMBER_WORDS,
    ORDINAL_WORDS,
    QUESTION_WORDS,
    STOPWORDS,
    content_terms,
    numbers,
    same_root,
    stem,
    terms,
    words,
)

_CITE = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_UNCLOSED = re.compile(r"\s*\[[\d,;\s]*$")
# What a model writes when it has nothing to say.
_NO_ANSWER = re.compile(
    r"not in (?:the )?article|\b(?:does|do|did) not (?:say|state|mention|specify|provide|contain|"
    r"include|indicate|give|tell|explain|discuss)|\bnot (?:mentioned|stated|specified|provided|"
    r"given|discussed|included)|\bno (?:information|mention|details?)\b|cannot be (?:determined|"
    r"answered|found)|\bis unknown\b|\bunclear from\b|\bI (?:don't|do not|cannot) know\b",
    re.IGNORECASE,
)
# Lead-ins that carry no claim: "Answer:", "According to the article,", list bullets,
# and the "Yes," of a yes/no answer.
_PREFIX = re.compile(
    r"^\s*(?:(?:[-*\u2022]|\d{1,2}[.)])\s+)?(?:answer\s*:\s*)?"
    r"(?:according to (?:the )?(?:article|passages?)[^,]*,\s*)?(?:(?:yes|no)[,.!:]\s*)?"
    r"(?:(?:this|the) (?:article|story|piece|text|author|writer)\s+(?:is about|discusses|"
    r"describes|reports(?: on)?|says|argues|explains|covers|highlights|focuses on|examines)"
    r"(?:\s+that)?\s*)?",
    re.I,
)


# A list item's number alone ("1." of "1. 71% of ...").
_LIST_NUMBER = re.compile(r"\s*\d{1,2}[.)]")
_CUT = re.compile(r"(?<=[.!?])((?:\s*\[[\d,;\s]+\])+\s+|\s+(?![\u2014\u2013a-z]|-\S))|\n+")


# The list prompt's example ("1. first item [3]"), which a small model may copy before
# the item itself.
_PLACEHOLDER = re.compile(
    r"^(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|next) item\b\s*",
    re.I,
)


def split_cited(answer: str) -> list[tuple[str, list[int]]]:
    """Split an answer into ``(sentence, cited numbers)``; markers bind leftwards.

    >>> split_cited("1. first item [19] surrender his passport")
    [('surrender his passport', [19])]
    """
    out: list[tuple[str, list[int]]] = []
    # A marker cut off at the end ("... [3") is no claim: the model ran out of tokens,
    # or the rest of the marker has not streamed in yet.
    answer = _UNCLOSED.sub("", answer)
    # Cut after sentence punctuation (and any markers that follow it), or after markers
    # that end a line; not before a dash or a lowercase word ("RIVERTON, Ore. — The ..."),
    # nor after an abbreviation ("Mr. Smith"); before a bullet ("... burnout. - Sick days").
    pieces = _CUT.split(answer.strip())
    buf = ""
    for i, piece in enumerate(pieces):
        if (
            i % 2 == 1
            and piece is not None
            and "[" not in piece
            and (ends_in_abbreviation(buf) or _LIST_NUMBER.fullmatch(buf))
        ):
            buf += " "
            continue
        buf += piece or ""
        if i % 2 == 1 or i == len(pieces) - 1:  # a separator group or the tail
            text = buf.strip()
            buf = ""
            if not text:
                continue
            cited = [
                int(n) for group in _CITE.findall(text) for n in re.split(r"[,;\s]+", group) if n
            ]
            body = _CITE.sub("", text)
            body = body[item.end() :] if (item := LIST_ITEM.match(body)) else body
            body = _PLACEHOLDER.sub("", body.strip())
            if body or cited:
                if not body and out:  # lone markers: attach to the previous sentence
                    out[-1][1].extend(cited)
                else:
                    out.append((body, cited))
    return out


def is_no_answer(text: str) -> bool:
    """Whether ``text`` says the article does not answer."""
    return bool(_NO_ANSWER.search(text))


# A preposition before "how": "By how many votes did she win?" asks how many, too.
_LEADING = r"(?:(?:by|of|for|in|to|with) )?"
# What some questions ask for: a claim answering "When ...?" names a time, one answering
# "How many ...?" a quantity and "How long ...?" either; a sentence without one answers
# something else.
_WANTS = {
    "time": re.compile(
        r"^\s*(?:when\b|(?:in |during |by |since )?(?:what|which) (?:year|month|day|date|time|"
        r"century|decade|season|period|era)\b|how long ago\b)",
        re.I,
    ),
    # "For how long were they followed?": a time or a quantity ("until March", "six years").
    "duration": re.compile(r"^\s*(?:for )?how long\b(?! ago)", re.I),
    "quantity": re.compile(
        rf"^\s*{_LEADING}how (?:many|much|old|far|high|tall|deep|wide|big|large|heavy|hot|"
        r"cold|warm)\b"
        r"|\b(?:what|which) (?:number|percentage|share|amount)\b"
        # "What is the population of ...?", "What was the vote count?"
        r"|^\s*what(?:'s|\u2019s| is| was| are| were) (?:the |its |their )?(?:\w+ )?(?:population|"
        r"cost|price|count|tally|total|budget|death toll|toll|percentage|margin|age|height|"
        r"length|distance|speed|temperature)\b",
        re.I,
    ),
    # "What did Boric say?": his words, not another sentence that names him (what a
    # thing "says", "the fourth one", is what it is about).
    "speech": re.compile(
        r"^\s*what (?:did|does|do|has|have|had|will|would) "
        r"(?!(?:the|this|that|these|those|it|its|a|an|each|every)\b)\w[\w'\u2019.-]*"
        r"(?: \w[\w'\u2019.-]*){0,2} "
        r"(?:say|tell|write|post|tweet|claim|announce|warn|add)\b",
        re.I,
    ),
}
_HAS = {
    "time": re.compile(
        # Years, decades, ordinals ("the 10th", "June 1st"), clock times ("11:42 p.m.",
        # "9am", "noon"), then words that name times.
        r"\b\d{3,4}s?\b|\b\d{1,2}(?:st|nd|rd|th)\b|(?-i:\bMay\b)|"
        r"\b\d{1,2}:\d{2}\b|\d\s*[ap]\.?m\b|\bnoon\b|\bmidnight\b|"
        r"\b(?:jan(?:uary)?|feb(?:ruary)?|march|apr(?:il)?|june?|july?|aug(?:ust)?|"
        r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|spring|summer|autumn|fall|"
        r"winter|monday|tuesday|wednesday|thursday|friday|saturday|sunday|years?|months?|"
        r"weeks?|days?|hours?|centur(?:y|ies)|decades?|yesterday|today|tomorrow|tonight|ago|"
        r"recently|earlier|later|morning|evening|night|"
        r"(?:\w+teenth|first|second|third|\w+th) century)\b",
        re.I,
    ),
    "quantity": re.compile(
        r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
        r"thirty|forty|fifty|hundreds?|thousands?|millions?|billions?|dozens?|several|few|many|"
        r"no|none|half|all|both|single|couple)\b",
        re.I,
    ),
    # Speech verbs in forms that are rarely nouns ("a state of catastrophe", "a post").
    "speech": re.compile(
        r"[\"\u201c\u201d:]|\baccording to\b|\b(?:say|says|said|saying|tell|tells|told|"
        r"writes|wrote|posted|tweeted|claimed|announced|warned|warns|added|adds|stated|noted|"
        r"argued|argues|insisted|insists|explained|reiterated|called|described)\b",
        re.I,
    ),
}


_HAS["duration"] = re.compile(f"{_HAS['time'].pattern}|{_HAS['quantity'].pattern}", re.I)


def reports_speech(text: str) -> bool:
    """Whether ``text`` reports what someone said (a quotation, "said", "according to")."""
    return bool(_HAS["speech"].search(text))


def wanted_kind(question: str) -> str | None:
    """``"time"``, ``"duration"``, ``"quantity"`` or ``"speech"`` when ``question`` asks
    for one, else ``None``.

    >>> wanted_kind("For how long were they followed?"), wanted_kind("How long ago?")
    ('duration', 'time')
    """
    return next((kind for kind, pattern in _WANTS.items() if pattern.search(question)), None)


_MEASURE = re.compile(r"^\s*(?:for )?how (\w+)", re.I)


def measure_term(question: str) -> str | None:
    """The term that names what "How long/old/big ...?" measures: a sentence that
    names a duration or a quantity says it, though not in that word.

    >>> measure_term("How long did she teach?"), measure_term("How did she die?")
    ('long', None)
    """
    found = _MEASURE.search(question)
    if found is None or wanted_kind(question) not in ("duration", "quantity"):
        return None
    term = next(iter(terms(found.group(1))), None)
    # "How cold ...?" asks for a temperature, which :data:`SAME` says it is.
    return None if term in _ALIKE else term


def asks_age(question: str) -> bool:
    """Whether ``question`` asks how old someone or something is."""
    return bool(_HOW_OLD.match(question))


def gives_age(text: str, given: AbstractSet[str]) -> bool:
    """Whether ``text`` gives one of the numbers ``given`` as an age.

    >>> gives_age("She is 52.", {"52"}), gives_age("It took five years. She is 52.", {"5"})
    (True, False)
    >>> gives_age("a Bronze Age village about 3,400 years old", {"3400"})
    True
    """
    return any(numbers(m.group(), with_words=True) & given for m in _AGE.finditer(text))


def names_wanted(question: str, text: str) -> bool:
    """Whether ``text`` names what ``question`` asks for (see :func:`wanted_kind`);
    true when it asks for none of them. "How old ...?" asks for an age, not any number.

    >>> ask = "How old were the teenagers who sued?"
    >>> names_wanted(ask, "The suit was filed by two teenagers."), names_wanted(ask, "Jo, 16, sued.")
    (False, True)
    >>> spent = "How much money did Espinoza spend on her campaign?"
    >>> names_wanted(spent, "4,212 votes, or 41.3 percent"), names_wanted(spent, "$12,000")
    (False, True)
    >>> names_wanted("By how much did her method cut costs?", "70 percent")
    True
    """
    kind = wanted_kind(question)
    if asks_age(question):  # a bare number is an age given
        return bool(_AGE.search(text) or re.fullmatch(r"\W*\d{1,3}\W*", text))
    # "How much money did she spend?" is not answered by "4,212 votes".
    if _ASKS_MONEY.search(question):
        return bool(_MONEY.search(text))
    return kind is None or bool(_HAS[kind].search(text))


_ASKS_MONEY = re.compile(
    r"(?<!\bby )\bhow much (?:money\b|(?:[\w'\u2019]+\s+){0,6}?(?:spend|spent|pay|paid|cost|costs|earn|"
    r"earned|earns|charge|charged|worth)\b)",
    re.IGNORECASE,
)
# An amount of money, in figures or words.
_MONEY = re.compile(r"[$\u20ac\u00a3\u00a5]|\b(?:dollars?|euros?|pounds?|cents?|yen|free)\b", re.I)


_HOW_OLD = re.compile(r"^\W*how\s+old\b", re.IGNORECASE)
# An age: "67-year-old", "81 years old", "aged 55", "Tom Reyes, 67,", "at 81", "died at the age of".
_AGE = re.compile(
    r"\b\d[\d,]*(?:-year-old|\s+years?\s+old)|\baged?\s+\d{1,3}\b|,\s*\d{1,3}\s*,"
    r"|\bage\s+of\s+\d{1,3}\b|\bat\s+\d{1,3}\b(?![:.]\d)|\b(?:he|she)\s+(?:is|was)\s+\d{1,3}\b|\b(?:teen|twent|thirt|fort|fift|sixt|sevent|eight|ninet)\w*-year-old",
    re.IGNORECASE,
)


_WHERE = re.compile(r"^\s*(?:from |to )?where\b", re.I)
# A place by its name after a preposition ("in Gaines County", "near the Moon's south pole",
# "in northern Syria").
_PLACE = re.compile(
    r"\b(?:in|at|near|from|to|into|outside|inside|across|along|on|off|of)\s+(?:the\s+)?"
    r"(?:[a-z]+\s+)?[A-Z]"
)


def asks_where(question: str) -> bool:
    """Whether ``question`` asks where ("Where ...?", "From where ...?")."""
    return bool(_WHERE.match(question))


def names_place(question: str, text: str) -> bool:
    """Whether ``text`` names a place by its name, where ``question`` asks "Where ...?"
    (true for any other question): what a quote answering it most likely holds.

    >>> names_place("Where is the outbreak?", "Most cases are in Gaines County.")
    True
    >>> names_place("Where is the outbreak?", "Officials said the outbreaks are linked.")
    False
    """
    return not asks_where(question) or bool(_PLACE.search(text))


#: "Was anyone hurt?" asks whether someone was; a sentence that answers names who.
INDEFINITE = frozenset(
    content_terms("anyone anybody someone somebody everyone everybody anything something")
)


NEGATIONS = frozenset(
    "not no never none neither nor cannot without nobody nothing nowhere hardly".split()
)
#: How many words before a term a negation may stand ("not likely to accept").
NEGATION_REACH = 3


def is_negation(word: str) -> bool:
    """Whether the (normalised) word negates what follows it ("not", "won't")."""
    return word in NEGATIONS or word.endswith("n't")


def negated_terms(text: str) -> frozenset[str]:
    """Terms of ``text`` negated wherever they occur: a negation up to
    :data:`NEGATION_REACH` words before each occurrence ("not only" aside)."""
    tokens = words(text)
    negated: dict[str, bool] = {}
    for i, word in enumerate(tokens):
        if word in STOPWORDS:
            continue
        before = tokens[max(0, i - NEGATION_REACH) : i]
        hit = any(
            is_negation(w) and (j + 1 >= len(before) or before[j + 1] not in ("only", "just"))
            for j, w in enumerate(before)
        )
        term = stem(word)
        negated[term] = negated.get(term, True) and hit
    return frozenset(t for t, always in negated.items() if always)


# "SAN JOSE, Calif. (Reuters) - ", "RIVERTON, Ore. \u2014 ": the place a wire story was filed.
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'\u2019-]{2,}(?: [A-Z][A-Z.'\u2019-]+)*(?:,(?: [A-Z][\w.]*){1,2})?"
    r"(?: \([^)]{1,40}\))? *[-\u2013\u2014]+ +"
)


# An initial, a space, and another initial: "U. S." as a small model may write "U.S.".
_SPACED_INITIAL = re.compile(r"\b([A-Z])\.\s+(?=[A-Z]\.)")


def joined_initials(text: str) -> str:
    """``text`` with initials written apart joined, as an abbreviation is written.

    >>> joined_initials("approval of U. S. regulators in Washington, D. C.")
    'approval of U.S. regulators in Washington, D.C.'
    """
    return _SPACED_INITIAL.sub(r"\1.", text)


def without_dateline(text: str) -> str:
    """``text`` without a leading dateline.

    >>> without_dateline("SANTIAGO, Chile (AP) \u2014 A quake struck.")
    'A quake struck.'
    >>> without_dateline("No: EASTBRIDGE \u2014 The council voted 7-4.")
    'No: The council voted 7-4.'
    """
    lead, colon, rest = text.partition(": ")
    if colon and len(lead.split()) <= 2 and _DATELINE.match(rest):  # "No: <dateline> ..."
        return f"{lead}: {_DATELINE.sub('', rest, count=1)}"
    return _DATELINE.sub("", text, count=1)


# A place a sentence names for what it reports ("close two factories in Malaysia"), not
# a time ("in March").
_PLACE_NAMED = re.compile(
    r"\b(?:in|at|near|outside)\s+(?:the\s+)?(?!(?:January|February|March|April|May|June|"
    r"July|August|September|October|November|December|Monday|Tuesday|Wednesday|Thursday|"
    r"Friday|Saturday|Sunday)\b)[A-Z][a-z]"
)


def filed_here(text: str) -> bool:
    """Whether ``text`` opens with a dateline and names no other place for what it
    reports: the dateline may be where it happened ("HALDEN, Ore. - A train derailed on
    the east side of this small river town"), not only where the story was filed
    ("SAN JOSE, Calif. - Novatek will close two factories in Malaysia").

    >>> filed_here("SAN JOSE, Calif. - Novatek will close two factories in Malaysia.")
    False
    >>> filed_here("HALDEN, Ore. \u2014 A train derailed on the east side of this town in May.")
    True
    """
    rest = without_dateline(text)
    return rest != text and not _PLACE_NAMED.search(rest)


# A month and its day: "April 2", "Sept. 26", "Oct 28th".
_MONTH_DAY = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b",
    re.IGNORECASE,
)


def dates(text: str) -> set[tuple[str, str]]:
    """The days of months ``text`` names, as (month, day).

    >>> sorted(dates("On April 2 and Sept. 26th; not May"))
    [('apr', '2'), ('sep', '26')]
    """
    return {(m[1].lower(), m[2]) for m in _MONTH_DAY.finditer(text)}


@dataclass(frozen=True)
class Evidence:
    """Text that may support a claim, with its terms computed once."""

    text: str
    terms: frozenset[str]
    numbers: frozenset[str]
    negated: frozenset[str] = frozenset()
    #: The normalised words, space-separated and padded: where joined names are looked up.
    phrase: str = ""

    @functools.cached_property
    def spelled(self) -> frozenset[str]:
        """Initials of its lowercase words in a row (:func:`spelled_out`): "suv" for
        "sport utility vehicles". Found when first asked: only a question that writes
        an acronym asks."""
        return spelled_out(self.text)

    @classmethod
    def of(cls, text: str, dateline: bool = False) -> Evidence:
        """Evidence from ``text`` (terms also split at apostrophes, numbers normalised),
        a leading dateline aside unless ``dateline``: where a story was filed answers no
        "Where will Novatek close factories?" (see :func:`filed_here`)."""
        text = joined_initials(text if dateline else without_dateline(text))
        # "Fourth Street" names a street: its "fourth" is no 4 ("4 minutes").
        nums = frozenset(numbers(_NAMED_ORDINAL.sub(" ", text), with_words=True))
        # "75%" is "75 percent": a share, which counts nothing ("How many owls are left?").
        phrase = f" {' '.join(words(text.replace('%', ' percent')))} "
        return cls(text, frozenset(_terms_of(text)) | nums, nums, negated_terms(text), phrase)


# An ordinal word capitalised after a sentence's first word: part of a name.
_NAMED_ORDINAL = re.compile(
    r"(?<=[a-z,;:)\"']\s)(?:" + "|".join(w.capitalize() for w in ORDINAL_WORDS) + r")\b"
)


@dataclass(frozen=True)
class Claim:
    """One sentence of an answer, prepared for checking against many evidence texts."""

    text: str
    terms: frozenset[str]  # claim terms: the sentence's terms not already in the question
    numbers: frozenset[str]  # of the sentence and the question
    names: frozenset[str]  # names the sentence adds
    premise: frozenset[str]  # names the question takes for granted
    has_kind: bool = True  # the sentence names what the question asks for (a time, ...)
    #: Terms the sentence negates; ``None`` when the question negates something
    #: itself ("What won't the US expand?"), which the answer need not repeat.
    negated: frozenset[str] | None = frozenset()
    joined: frozenset[str] = frozenset()  # names the sentence joins ("Guy de Lusignan")
    #: What "How many ...?" counts ("people"), when it is no unit of measure.
    counted: str | None = None
    #: Numbers the sentence gives as percentages ("34%"): the evidence must too.
    percents: frozenset[str] = frozenset()
    #: The question's terms, among them what those counted do ("voted"): a count of
    #: that ("28,400 ballots") counts them.
    doing: frozenset[str] = frozenset()
    #: Names the question writes as an acronym ("SUVs"): the evidence may spell them out.
    acronyms: frozenset[str] = frozenset()
    #: The days of months the sentence names (:func:`dates`): the evidence must too.
    days: frozenset[tuple[str, str]] = frozenset()
    #: The units a bare number of the sentence may stand for: those the question or the
    #: sentence names ("9%"), any where the question asks for a time, a duration or an age
    #: ("How long?": "7" for "7 weeks").
    units: frozenset[str] = frozenset()

    @classmethod
    def of(cls, sentence: str, question: str) -> Claim:
        """Prepare ``sentence`` (an answer to ``question``) for :meth:`support`."""
        sentence = joined_initials(_PREFIX.sub("", _CITE.sub("", sentence)).strip())
        claim = set(_number_terms(sentence)) - set(_number_terms(question))
        return cls(
            sentence,
            frozenset(claim),
            frozenset(numbers(sentence) | numbers(question)),
            frozenset(names(sentence)),
            frozenset(premise_names(question)),
            names_wanted(question, sentence),
            None if any(map(is_negation, words(question))) else negated_terms(sentence),
            joined_names(sentence) - joined_names(question),
            _counted(question),
            percentages(sentence),
            frozenset(terms(question)),
            frozenset(acronyms(question)),
            frozenset(dates(sentence)),
            _UNITS
            if wanted_kind(question) in ("time", "duration") or asks_age(question)
            else frozenset(terms(f"{question} {sentence.replace('%', ' percent')}")) & _UNITS,
        )

    def support(
        self,
        evidence: Evidence,
        context: Evidence | None = None,
        partners: Callable[[], FullNames] | None = None,
    ) -> float:
        """Support by ``evidence`` (see the module docstring), in [0, 1].

        ``context`` is the passage around the evidence and the text before it: the
        question's numbers and names may sit there ("he" introduced a sentence
        earlier); it defaults to the evidence itself. ``partners`` gives the article's
        :func:`full_names` (asked only when a name is missing): a name the article writes
        in full elsewhere stands for its short form here ("Brightline Appliances" for
        "Brightline").
        """
        context = context or evidence
        # A sentence that only restates the question answers nothing; one without a time
        # answers "When ...?" with something else.
        if not self.terms or not self.has_kind:
            return 0.0
        # Invented numbers, or a number of the question that the context does not have
        # (a question about "the 1000s" is not answered by a text about "the 10th century").
        if self.numbers - (evidence.numbers | context.numbers):
            return 0.0
        # "April 2" is not said by "the April 9 meeting" and "a second firm".
        if self.days and self.days - dates(f"{evidence.text} {context.text}"):
            return 0.0
        # "34%" is not said by "34 points".
        if self.percents and self.percents - percentages(f"{evidence.text} {context.text}"):
            return 0.0
        # A name the evidence does not contain ("Macron said ...") is an invented attribution.
        # ... and so is a name the question takes for granted, but for the rest of a full
        # name the text writes in part ("Margaret Okafor" in a sentence about "Dr. Okafor").
        held = evidence.terms | context.terms
        # "Why are SUVs recalled?" takes for granted what the article calls "sport utility
        # vehicles".
        premise = self.premise
        if self.acronyms:
            premise -= self.acronyms & (evidence.spelled | context.spelled)
        missing = _missing(set(self.names), set(held)), _missing(set(premise), set(held))
        if any(missing):
            if partners is None:
                return 0.0
            written = partners()
            for names_missing, rest in zip(missing, (written.beside, written.then), strict=True):
                if any(not rest.get(n, frozenset()) & held for n in names_missing):
                    return 0.0
        if any(f" {j} " not in evidence.phrase + context.phrase for j in self.joined):
            return 0.0
        found = self.terms & evidence.terms
        # "invaded" is said by "their invasion", "decided" by "the decision"; a little
        # less than by the word itself, so that a sentence that has it comes first.
        formed = {t for t in self.terms - found if any(derived(t, e) for e in evidence.terms)}
        # "How many people died?" is not answered by "the river rose 11 feet", nor "How
        # many students attend?" by "4,912 votes in favor" where no student is counted,
        # nor "By how many votes did she win?" by a share ("51.2%").
        given = {t for t in self.terms if numbers(t)}
        if self.counted and given and given <= self.percents:
            return 0.0
        # A bare "3" is not "three weeks": a number given only with a unit the question
        # does not ask for measures something else ("What was the vote in the Senate?").
        if given and self.terms <= given and _measured(given, evidence.phrase, self.units):
            return 0.0
        # "the 68-car train" is not how many cars derailed where "Twenty-three cars" are,
        # and "$15 million" counts no students.
        if self.counted and given and _describes(given, evidence, self.counted):
            return 0.0
        if self.counted and given and _as_money(given, evidence.text):
            return 0.0
        if self.counted and _counts_else(
            self.terms & evidence.numbers,
            evidence.phrase,
            self.counted,
            evidence.terms,
            self.doing,
        ):
            return 0.0
        # The evidence says "not" where the sentence does not: it says the opposite.
        if self.negated is not None and (found & evidence.negated) - self.negated:
            return 0.0
        score = (len(found) + _FORMED * len(formed)) / len(self.terms)
        # A copy of the evidence about someone else, with the question's name put in.
        copied = score >= _CHECK_SWAP and self.names & self.premise
        sentences = sentence_spans(evidence.text) if copied else []
        # ... unless the article writes both names as one (asked only for a swap found).
        beside = (lambda: partners().beside) if partners is not None else None
        if any(swapped(self.text, evidence.text[a:b], self.premise, beside) for a, b in sentences):
            return 0.0
        return score


#: Common opposites, each side with its usual forms: "Will it be easy?" is answered
#: "no" by "it will be very challenging" though nothing is negated (see
#: :mod:`qa.answer.polarity`), and a side's words say the same ("How hard ...?" is
#: answered by "very challenging").
OPPOSITES = [
    ("easy easier easily", "hard harder difficult challenging tough"),
    ("safe safer", "dangerous risky"),
    ("true", "false"),
    ("succeed succeeded success successful", "fail failed failure"),
    ("win wins won", "lose loses lost"),
    (
        "accept accepts accepted acceptable agree agrees agreed",
        "reject rejects rejected refuse refuses refused unacceptable disagree disagrees disagreed",
    ),
    ("allow allows allowed permit permitted", "ban banned forbid forbidden prohibit prohibited"),
    ("support supports supported backed backing backers", "oppose opposes opposed against"),
    (
        "increase increases increased rise rises rose risen grow grows grew raise raises raised",
        "decrease decreases decreased fall falls fell fallen falling drop dropped shrink shrank "
        "cut cuts reduce reduces reduced lower lowers lowered decline declines declined slump "
        "slumps slumped",
    ),
    ("alive", "dead"),
    ("good", "bad"),
    ("free", "cost costs fee fees"),
    ("uphold upholds upheld", "block blocks blocked overturn overturns overturned"),
    # "Close" alone is also "near" and what a deal does: only "closed" is shut.
    ("open reopen reopened reopens", "closed shut shuttered"),
    # "Is the warning over?" asks whether it ended (see qa.answer.polarity).
    ("ended expired lifted", "remain remains"),
    ("spare spares spared exempt exempted", "cut cuts"),
    ("pass passes passed", "fail fails failed"),
]


#: Words that say the same, beyond one side of an opposite: news reports deaths and
#: injuries in other words than the questions about them ("Was anyone killed?": "No
#: deaths have been reported.") and who pays for something ("Who paid for the study?":
#: "The research was funded by ..."), names children, homes and roads by their kind ("Does she
#: have children?": "survived by a son"; "Is any road closed?": "Highway 89 was
#: closed"), calls a company's stock its shares and cold a temperature, and abbreviates
#: titles ("What did the governor do?": "Gov. Gavin Newsom declared ...").
SAME = [
    "kill kills killed killing die dies died dying death deaths dead fatal fatalities",
    "hurt injure injures injured injury injuries wound wounded sprain sprained fracture fractured "
    "hospital hospitalized",
    "child children kid kids son sons daughter daughters",
    "house houses home homes",
    "road roads highway highways street streets freeway interstate",
    "vote votes voted ballot ballots",
    "stock stocks share shares",
    "temperature temperatures hot cold warm",
    "pay pays paid paying fund funds funded funding finance finances financed sponsor sponsored",
    # Abbreviated titles.
    "gov governor",
    "sen senator",
    "rep representative",
    "gen general",
    "lt lieutenant",
    "sgt sergeant",
    "supt superintendent",
    "atty attorney",
    "prof professor",
    "percent percentage percentages",
    # Courts, break-ins and games as news tells them ("Is anyone suing?": "filed a
    # lawsuit"; "the attackers"; "in front of 71,842 fans").
    "sue sues sued suing lawsuit lawsuits",
    "hacker hackers attacker attackers intruder intruders",
    "game games match matches",
    "fan fans spectator spectators crowd crowds attendance people",
    "people resident residents",
    # Finds, pay and decisions as news words them ("Where was it found?": "uncovered the
    # remains"; "Did the club announce his salary?": "did not disclose his wages").
    "find finds found discover discovers discovered discovery uncover uncovers uncovered "
    "unearth unearthed",
    "salary salaries wage wages earnings",
    "ask asks asked request requests requested",
    "help aid assistance",
    "announce announces announced disclose discloses disclosed reveal reveals revealed",
    "decide decides decided decision choose chooses chose chosen select selects selected",
    "finish finishes finished end ends ended complete completes completed conclude concludes "
    "concluded",
    "surprise surprised surprising shock shocked shocking stun stunned",
]


def _alike() -> dict[str, frozenset[str]]:
    """The stems of each side's words (and of each group of :data:`SAME`), by stem:
    what a question term may be said with."""
    alike: dict[str, frozenset[str]] = {}
    for group in [side for pair in OPPOSITES for side in pair] + SAME:
        stems = frozenset(stem(w) for w in group.split())
        for word in stems:
            alike[word] = alike.get(word, frozenset()) | stems
    return alike


_ALIKE = _alike()


def opposites(form: Callable[[str], str]) -> dict[str, frozenset[str]]:
    """Each word of :data:`OPPOSITES` with its opposites, of every pair it is in ("cut":
    "raised", "spared"), all in ``form``: as written (``str``) or as stems.

    >>> sorted(opposites(str)["spared"]), sorted(opposites(stem)["spare"])
    (['cut', 'cuts'], ['cut'])
    """
    found: dict[str, frozenset[str]] = {}
    for pair in OPPOSITES:
        for one, other in (pair, pair[::-1]):
            for word in one.split():
                found[form(word)] = found.get(form(word), frozenset()) | {
                    form(w) for w in other.split()
                }
    return found


_OPPOSED = opposites(stem)


def opposed(held: Iterable[str]) -> set[str]:
    """The terms of the opposites (:data:`OPPOSITES`) of the terms ``held``.

    >>> sorted(opposed(["bad", "news"]))
    ['good']
    """
    return {t for term in held for t in _OPPOSED.get(term, ())}


_PERCENT = frozenset(terms("percent percentage"))

# "What caused the impasse?" asks for a cause, which a sentence gives in its own words.
_ASKS_CAUSE = frozenset(terms("cause caused reason reasons"))
# "How much does it cost?": an amount of money says what something costs ("will start
# at $749").
_ASKS_PRICE = frozenset(terms("cost costs price priced"))
_GIVES_PRICE = re.compile(r"[$\u20ac\u00a3]\s?\d|\b\d[\d,.]*\s+(?:dollars|euros|pounds)\b", re.I)
_GIVES_CAUSE = re.compile(
    r"\b(?:because|due to|as a result|results? of|caused|contribut\w*|led to|blam\w*|"
    r"attribut\w*|owing to|driven by|sparked|prompted|triggered|stemm\w* from|fuel\w*)\b",
    re.IGNORECASE,
)


def covered(
    question: set[str],
    text: str,
    held: AbstractSet[str] | None = None,
    forms: Collection[str] | None = None,
) -> set[str]:
    """The terms of ``question`` that ``text`` holds: the same term, a form of it the
    stemmer keeps apart (:func:`same_root`: "retaliated" and "retaliation"; only for
    the terms in ``forms``, where given), a word that says the same (:data:`OPPOSITES`:
    "challenging" for "hard"; :data:`SAME`: "deaths" for "killed"; "%" for "percent"),
    or, for "cause" or "reason", words that give one ("contributed to", "because"), and
    for "cost" or "price", an amount of money, where ``text`` holds the other terms.
    ``held`` are the terms of ``text``, where known.

    >>> sorted(covered({"trump", "retaliat"}, "Trump's retaliation is a result of it."))
    ['retaliat', 'trump']
    >>> sorted(covered({"caus", "impasse"}, "Five disagreements contributed to the impasse."))
    ['caus', 'impasse']
    >>> sorted(covered({"survive", "kill"}, "She is survived by a son. No deaths were reported."))
    ['kill', 'survive']
    >>> covered({"cost"}, "The Nova 7 will start at $749.")
    {'cost'}
    """
    held = set(terms(text)) if held is None else held
    if "%" in text:  # "38%" says "percent" and "percentage"
        held = set(held) | _PERCENT
    cause = bool(_GIVES_CAUSE.search(text))
    # ... where the text holds what else the question asks about ("How much will
    # rebuilding cost?" is not answered by any amount).
    price = not question - held - _ASKS_PRICE and bool(_GIVES_PRICE.search(text))
    return (question & held) | {
        term
        for term in question - held
        if (cause and term in _ASKS_CAUSE)
        or (price and term in _ASKS_PRICE)
        or _ALIKE.get(term, frozenset()) & held
        or _without_e(term) in held
        or ((forms is None or term in forms) and any(same_root(term, t) for t in held))
        or _compound_of(term).search(text)
    }


#: Words that end many others without naming what those are ("leadership" is no ship,
#: "network" no work, "something" no thing).
_NOT_HEADS = frozenset(
    "body hood less like ment ness self ship side thing ward ware where wise work".split()
)
_NO_MATCH = re.compile(r"(?!)")


@functools.lru_cache(maxsize=4096)
def _compound_of(term: str) -> re.Pattern[str]:
    """A lowercase word made of another word and ``term``: "wildfire" is a fire, and
    says "fire" ("How big is the fire?"); not a name ("Scotland" for "land"), and
    only where both parts have four letters or more.

    >>> bool(_compound_of("fire").search("a wildfire burned")), bool(_compound_of("land").search("Scotland"))
    (True, False)
    """
    if len(term) < 4 or term in _NOT_HEADS or not term.isalpha():
        return _NO_MATCH
    return re.compile(rf"(?<![\w-])[a-z]{{4,}}{term}")


_FORMED = 0.9  # what a claim term counts where the evidence has another form of it

# A noun made from a verb, by the ending that stands for the verb's: "invasion" is
# "invad(e)" and "decision" "decid(e)" (as the stemmer writes "invaded", "decided").
_NOUN_ENDINGS = (
    ("asion", "ad"),
    ("ision", "id"),
    ("usion", "ud"),
    ("osion", "od"),
    ("ission", "it"),
    ("uction", "uc"),
    ("ension", "end"),
)


def _verb_of(term: str) -> str:
    for ending, verb in _NOUN_ENDINGS:
        if term.endswith(ending) and len(term) > len(ending) + 2:
            return term[: -len(ending)] + verb
    return _without_e(term)


def derived(a: str, b: str) -> bool:
    """Whether terms ``a`` and ``b`` are forms of one word that the stemmer keeps
    apart: :func:`same_root` ("approv"/"approval"), or a verb and the noun made from
    it ("invad"/"invasion", "decide"/"decision", "admit"/"admission").

    >>> derived("invad", "invasion"), derived("decide", "decision"), derived("invad", "evasion")
    (True, True, False)
    """
    if a[:3] != b[:3]:
        return False
    return same_root(a, b) or _verb_of(a) == _verb_of(b)


def _without_e(term: str) -> str:
    """``term`` as :func:`stem` writes its forms with an ending: "survive" (from
    "survives") is "surviv" in "survived", "receive" is "receiv" in "received"."""
    return term[:-1] if len(term) > 4 and term.endswith("e") else term


_WHY = re.compile(r"^\W*why\b", re.IGNORECASE)


def explained(question: str, vocabulary: AbstractSet[str]) -> frozenset[str]:
    """What "Why ...?" asks to be explained: the question's terms other than its names,
    among those ``vocabulary`` (the article's terms) has a form of; empty for any other
    question. A sentence that holds none of them explains something else ("Why has Trump
    retaliated?" is not answered by "Trump is reluctant to back this because ...").

    >>> sorted(explained("Why has Trump retaliated against Putin?", {"trump", "retaliation"}))
    ['retaliat']
    >>> explained("Why did this happen?", {"trump"}), explained("Who is Putin?", {"putin"})
    (frozenset(), frozenset())
    """
    if not _WHY.match(question):
        return frozenset()
    named = {stem(w) for n in names(question) for w in words(n)}
    return frozenset(
        t for t in set(content_terms(question)) - named if covered({t}, "", vocabulary)
    )


# Units of measure: a number before one measures something, it counts nothing.
_UNITS = frozenset(
    terms(
        "feet foot ft inches inch miles mile kilometers kilometres km meters metres m cm mm "
        "yards pounds lbs kilograms kg grams tons tonnes ounces liters litres gallons degrees "
        "percent dollars euros cents acres hectares mph knots years months weeks days "
        "hours minutes seconds"
    )
)
# What "How many" counts: the word after it, or the second of two before a verb ("How
# many flight attendants does it employ?" counts attendants).
_AUXILIARY = r"(?:are|were|is|was|do|does|did|have|has|had|will|would|can|could|should|may|might)"
_HOW_MANY = re.compile(
    rf"^\s*{_LEADING}how many\s+(?!{_AUXILIARY}\b)([a-z][\w'-]*)(?:\s+(?!{_AUXILIARY}\b)([a-z][\w'-]*)(?=\s+{_AUXILIARY}\b))?",
    re.I,
)
_YEAR = re.compile(r"1[0-9]{3}|20[0-9]{2}")
# "How many people ...?" is answered by a count of any of these ("160,000 adults", "a
# crowd of 19,200").
_PEOPLE = frozenset(terms("people person persons"))
_PERSONS = frozenset(
    terms(
        "adults children kids residents participants patients students workers employees staff "
        "voters men women members users customers fans soldiers troops officers firefighters "
        "migrants refugees passengers survivors victims inmates prisoners citizens volunteers "
        "teachers doctors nurses athletes players visitors tourists spectators attendees "
        "homeowners families individuals respondents crowd protesters demonstrators civilians "
        "evacuees pilgrims guests viewers subscribers"
    )
)


_PERCENTAGE = re.compile(r"(\d[\d,.]*)\s*(?:%|percent\b|per cent\b)", re.IGNORECASE)


def percentages(text: str) -> frozenset[str]:
    """The numbers ``text`` gives as percentages, normalised as :func:`numbers` does.

    >>> sorted(percentages("Shares fell 4.2%, or 12 percent of 34 points."))
    ['12', '4.2']
    """
    return frozenset(n for found in _PERCENTAGE.finditer(text) for n in numbers(found.group(1)))


def _counted(question: str) -> str | None:
    """The stem of what "How many ...?" counts, unless that is a unit of measure.

    >>> _counted("How many flight attendants does it employ?"), _counted("How many died?")
    ('attendant', 'die')
    >>> _counted("How many homes would have been lost?"), _counted("How many acres burned?")
    ('home', None)
    >>> _counted("How many did he score?") is None, _counted("By how many votes did she win?")
    (True, 'vote')
    """
    found = _HOW_MANY.search(question)
    counted = stem((found.group(2) or found.group(1)).lower()) if found else None
    return counted if counted and counted not in _UNITS else None


_RANK = re.compile(r"\d(?:st|nd|rd|th)$")
_MULTIPLIERS = frozenset("hundred thousand million billion trillion".split())


def counts_asked(question: str, phrase: str) -> bool:
    """Whether ``phrase`` (normalised words) gives a number right before what "How many
    ...?" counts.

    >>> counts_asked("How many people have been hospitalized?", " twenty people have been ")
    True
    >>> counts_asked("How many doses does a child get?", " in 15 african countries ")
    False
    >>> counts_asked("How many doses does a child get?", " after the first doses arrived ")
    False
    """
    counted = _counted(question)
    tokens = phrase.split()
    # A count, not a rank: "the first doses" counts nothing.
    return counted is not None and any(
        (token in NUMBER_WORDS or (numbers(token) and not _RANK.search(token)))
        and stem(after) == counted
        for token, after in itertools.pairwise(tokens)
    )


def _measured(wanted: AbstractSet[str], phrase: str, units: AbstractSet[str]) -> bool:
    """Whether every number of ``wanted`` that ``phrase`` (normalised words) gives is
    followed by a unit of measure other than ``units``.

    >>> _measured({"3"}, " three weeks after the house approved it ", frozenset())
    True
    >>> _measured({"3"}, " three weeks later ", {"week"}), _measured({"3"}, " 3 to 1 ", set())
    (False, False)
    """
    tokens = phrase.split()
    after = [
        stem(tokens[i + 1]) if i + 1 < len(tokens) else ""
        for i, token in enumerate(tokens)
        if numbers(token, with_words=True) & wanted
    ]
    return bool(after) and all(a in _UNITS and a not in units for a in after)


# A number joined to the word after it: "a 68-car train", "a 30-year lease".
_NUMBER = re.compile(r"\d[\d,.]*(?P<joined>-[a-z]+)?")


def _digits(given: AbstractSet[str], text: str) -> list[re.Match[str]]:
    """Where ``text`` writes a number of ``given`` in digits (with any word joined to it
    by a hyphen)."""
    return [m for m in _NUMBER.finditer(text) if numbers(m.group().split("-")[0]) & given]


def _as_money(given: AbstractSet[str], text: str) -> bool:
    """Whether ``text`` writes every number of ``given`` it writes in digits as an
    amount of money.

    >>> _as_money({"15"}, "It sets aside $15 million in grants."), _as_money({"15"}, "15 schools")
    (True, False)
    >>> _as_money({"4"}, "It costs $4 a dose and is given in four doses.")
    False
    """
    found = _digits(given, text)
    # ... and not in words either ("$4 a dose and is given in four doses").
    spelled = any(
        numbers(w, with_words=True) & given for w in words(text) if not any(map(str.isdigit, w))
    )
    return (
        bool(found)
        and not spelled
        and all(text[: m.start()].rstrip()[-1:] in ("$", "\u20ac", "\u00a3") for m in found)
    )


def _describes(given: AbstractSet[str], evidence: Evidence, counted: str) -> bool:
    """Whether every number of ``given`` that ``evidence`` writes in digits is joined to
    a word by a hyphen, describing a thing ("the 68-car train"), while another number
    counts ``counted`` ("Twenty-three cars"): the thing is not what is counted.

    >>> ev = Evidence.of("Twenty-three cars of the 68-car train left the tracks.")
    >>> _describes({"68"}, ev, "car"), _describes({"42"}, Evidence.of("A 42-page ruling."), "page")
    (True, False)
    """
    found = _digits(given, evidence.text)
    if not found or not all(m.group("joined") for m in found):
        return False
    tokens = evidence.phrase.split()
    return any(
        numbers(token, with_words=True) - given and stem(after) == counted
        for token, after in itertools.pairwise(tokens)
    )


def _counts_else(
    wanted: frozenset[str],
    phrase: str,
    counted: str,
    held: AbstractSet[str],
    doing: AbstractSet[str] = frozenset(),
) -> bool:
    """Whether the numbers ``wanted`` count something other than ``counted`` in
    ``phrase`` (normalised words; ``held`` its terms): every occurrence is followed by a
    unit of measure ("11 feet", "75 percent") or is a year ("in 1990"), or another
    number counts ``counted`` and none of them does ("29 points and 17 rebounds" for "How
    many rebounds ...?"), or, where ``phrase`` holds no word for ``counted``, one is
    followed by another noun ("4,912 votes" for "How many students ...?") that does not
    say what the question's other terms (``doing``) say ("28,400 ballots" counts "How
    many people voted?").

    >>> _counts_else(frozenset({"4912"}), " 4912 votes in favor ", "student", {"vote"})
    True
    >>> _counts_else(frozenset({"12"}), " killing at least 12 ", "people", {"kill"})
    False
    >>> _counts_else(frozenset({"160000"}), " 160000 adults in 12 ", "people", {"adult"})
    False
    >>> _counts_else(frozenset({"29"}), " 29 points and 17 rebounds ", "rebound", {"rebound"})
    True
    >>> _counts_else(frozenset({"41"}), " the 41st film festival ", "film", {"film"})
    True
    >>> _counts_else(frozenset({"41"}), " 41 million phones ", "phone", {"phone"})
    False
    >>> _counts_else(frozenset({"28400"}), " 28400 ballots were cast ", "people", {"ballot"},
    ...              {"people", "vote"})
    False
    """
    tokens = phrase.split()
    # Each number of the phrase: whether it is one of ``wanted``, it, and the word after it.
    # The word after each number, past "million": "41 million smartphones" counts phones.
    found = [
        (bool(n & wanted), token, next((w for w in tokens[i + 1 :] if w not in _MULTIPLIERS), ""))
        for i, token in enumerate(tokens)
        if (n := numbers(token, with_words=True))
    ]
    followers = [
        "year" if _YEAR.fullmatch(token) else stem(after) if after else ""
        for asked, token, after in found
        if asked
    ]
    if not followers:
        return False
    # A rank counts nothing: "the 41st festival" says not how many films competed.
    if all(_RANK.search(token) or token in ORDINAL_WORDS for asked, token, _ in found if asked):
        return True
    if all(f in _UNITS for f in followers):
        return True
    # "29 points and 17 rebounds": another number counts what is asked, and these count
    # things (a plural noun; "Of the 61 companies, 56 said" counts companies too).
    counting = {stem(after) for asked, _, after in found if not asked and after}
    plural = any(after.endswith("s") for asked, _, after in found if asked)
    if counted in counting and plural and counted not in followers:
        return True
    if covered({counted}, "", held) or (counted in _PEOPLE and held & _PERSONS):
        return False
    if any(covered(set(doing), f) for f in followers if f):
        return False
    return any(f and f != counted and f not in STOPWORDS and not numbers(f) for f in followers)


def support(sentence: str, question: str, passage: str, before: str = "") -> float:
    """Support of ``sentence`` by ``passage`` (see the module docstring), in [0, 1].

    ``before`` is the text that precedes ``passage`` in the article.
    """
    return Claim.of(sentence, question).support(
        Evidence.of(passage), Evidence.of(f"{before} {passage}")
    )


def swapped(
    sentence: str,
    evidence: str,
    premise: frozenset[str],
    beside: Callable[[], Mapping[str, frozenset[str]]] | None = None,
) -> bool:
    """Whether ``sentence`` copies ``evidence`` with one of its names replaced by a
    name of the question (``premise``) that ``evidence`` lacks: the evidence is about
    someone else, unless the article writes both in one name (``beside`` gives
    :attr:`FullNames.beside`, asked only for such a name: "Harbor City" for "the Gulls"
    of "the Harbor City Gulls").

    >>> swapped("Richard fled to Normandy in 1013.",
    ...         "Because of this, Ethelred fled to Normandy in 1013.", frozenset({"richard"}))
    True
    >>> swapped("Rollo fled to Normandy in 1013.",
    ...         "Because of this, he fled to Normandy in 1013.", frozenset({"rollo"}))
    False
    """
    claim, source = _TOKEN.findall(sentence), _TOKEN.findall(evidence)
    said = set(terms(evidence))
    match = difflib.SequenceMatcher(
        None, [w.lower() for w in source], [w.lower() for w in claim], autojunk=False
    )
    if sum(b.size for b in match.get_matching_blocks()) < _COPIED * len(claim):
        return False
    for op, i1, i2, j1, j2 in match.get_opcodes():
        if op != "replace":
            continue
        old, new = names(" ".join(source[i1:i2])), names(" ".join(claim[j1:j2]))
        if old and new and not old & (new | premise) and new <= premise and not new & said:
            written = beside() if beside is not None else {}
            if not all(written.get(n, frozenset()) & old for n in new):
                return True
    return False


#: Share of a sentence's words, in order, that make it a copy of the evidence.
_COPIED = 0.6
#: Support below which no threshold is met anyway: the copy check (slower) is skipped.
_CHECK_SWAP = 0.5
_TOKEN = re.compile(r"[\w'\u2019-]+")

# Two names joined by a particle: "Guy de Lusignan", "Rollo of Denmark".
_JOINED = re.compile(
    r"\b[A-Z][\w'\u2019-]*\s+(?:of|de|von|van|du|da|di|del|la|le)\s+[A-Z][\w'\u2019-]*"
)


def joined_names(text: str) -> frozenset[str]:
    """Names of ``text`` joined by a particle, as normalised words.

    >>> sorted(joined_names("Richard de Lusignan led the Duke of Normandy's men."))
    ["duke of normandy's", 'richard de lusignan']
    """
    return frozenset(" ".join(words(m.group())) for m in _JOINED.finditer(text))


# A capitalised word; a period inside it stays ("U.S.", "D.C."), a final one does not.
_NAME_WORD = re.compile(r"\b[A-Z](?:[\w'\u2019-]|\.(?=\w))*")


def names(text: str) -> set[str]:
    """Stemmed capitalised words (names, places) of ``text``, stopwords aside; an
    abbreviation with inner periods is one word, as :func:`~qa.store.lexical.terms`
    reads it.

    >>> sorted(names("The U.S. Geological Survey said so."))
    ['geological', 'survey', 'u.s']
    """
    found = set()
    for word in _NAME_WORD.findall(text):
        term = terms(word)
        if term and word.lower() not in STOPWORDS:
            found.update(term)
    return found


# Requests open with a capitalised verb that is no name ("Summarize the article").
_REQUESTS = frozenset(
    terms(
        "summarize summarise list name describe explain tell give show define compare identify "
        "outline state please recap enumerate go continue keep elaborate expand"
    )
)


# Capitalised words in a row: one name ("Brightline Appliances").
_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w'\u2019.-]*(?:\s+[A-Z][\w'\u2019.-]*)*")


@dataclass(frozen=True)
class FullNames:
    """How the names of a text are written in full, as :func:`names` reads their words."""

    #: The other words of the names each word is written in ("harbor": "city",
    #: "gull" from "Harbor City Gulls"): a claim's "Harbor City" is the sentence's "Gulls".
    beside: Mapping[str, frozenset[str]]
    #: The word after each word that is never written without one ("margaret":
    #: "okafor"): a first name and its surname.
    then: Mapping[str, frozenset[str]]


_ASKS_WHO = re.compile(r"^\s*who(?:m|se)?\b", re.I)
_ASKS_WHO_IS = re.compile(r"^\s*who\s+(?:is|was|are|were)\b", re.I)
# Days and months: capitalised, no names of anyone.
_CALENDAR = frozenset(
    terms(
        "monday tuesday wednesday thursday friday saturday sunday january february march "
        "april may june july august september october november december"
    )
)


def asks_who(question: str) -> bool:
    """Whether ``question`` asks who ("Who ...?", "Whom ...?", "Whose ...?")."""
    return bool(_ASKS_WHO.match(question))


def names_no_one(claim: str, question: str) -> bool:
    """Whether ``claim`` answers "Who ...?" with no one: with a subject whose name ends
    in a word of a question that names no one (the thing asked about: "Who started
    the fire?" - "The Juniper Ridge Fire started Tuesday"), or with no name but the
    question's own, one of them its subject ("Who is X?" aside).

    >>> fire = "Who started the fire?"
    >>> names_no_one("The Juniper Ridge Fire started.", fire), names_no_one("Dan Lee did.", fire)
    (True, False)
    >>> [names_no_one(claim, "Who endorsed Whitcomb?") for claim in (
    ...     "Whitcomb conceded on Wednesday.", "Mayor Ann Lee endorsed Whitcomb.")]
    [True, False]
    >>> names_no_one("Mark Obi is the finance director.", "Who is Mark Obi?")
    False
    >>> names_no_one("A 74-year-old man died in Talca.", "Who died in Talca?")
    False
    """
    subject = _CAPITALISED_RUN.match(claim.strip())
    if not asks_who(question) or subject is None:
        return False
    if _CAPITALISED_RUN.search(question, 1):
        # "Who endorsed Whitcomb?": "Whitcomb conceded on Wednesday" names no one else
        # ("Who is Mark Obi?" asks about him: "Mark Obi is the finance director").
        asked = premise_names(question)
        return (
            not _ASKS_WHO_IS.match(question)
            and bool(names(subject.group()) & asked)
            and names(claim) - _CALENDAR <= asked
        )
    run = subject.group().split()
    run = run[1:] if run[0] in ("The", "A", "An") else run
    return bool(run) and stem(run[-1].lower().rstrip(".")) in set(terms(question))


# "Who is the union's president?", "Who was Vireo's chief executive?": a role, nothing else.
_WHO_IS_ROLE = re.compile(
    r"^\s*who\s+(?:is|was|are|were)\s+(?:the\s+)?((?:[\w'\u2019.-]+\s*){1,5})\??\s*$", re.I
)
_DOING = re.compile(r"^\s*who\s+(?:is|was|are|were)\s+[a-z]+ing\b", re.I)
_KIN = frozenset(
    terms(
        "brother sister husband wife spouse son daughter father mother parent child uncle "
        "aunt nephew niece cousin grandson granddaughter grandfather grandmother heir widow"
    )
)
_CLAUSE_WORDS = frozenset(
    "when where while that which who whom whose after before during since until because if "
    "and or but with by for to from at on in of".split()
)


# A rate: "a year", "per hour", "each month", "annually".
_RATE = re.compile(
    r"\b(?:(?:a|an|per|each|every)\s+(?:year|month|week|day|hour|night|season|quarter)"
    r"|annual(?:ly)?|yearly|monthly|weekly|daily|hourly|an?\s+hour)\b",
    re.IGNORECASE,
)


def rate_asked(question: str) -> bool:
    """Whether ``question`` asks how much of something per unit of time; the sentence
    that answers it gives a rate too ("How much will Corvane pay each year?" is not
    answered by "$82 million from Corvane ... under a 30-year lease").

    >>> rate_asked("How much will Corvane pay each year?"), rate_asked("How much will it cost?")
    (True, False)
    >>> says_rate("The list price is $24,500 a year."), says_rate("It costs $82 million.")
    (True, False)
    """
    return bool(_HOW_MUCH.match(question)) and says_rate(question)


def says_rate(text: str) -> bool:
    """Whether ``text`` gives an amount per unit of time (see :func:`rate_asked`)."""
    return bool(_RATE.search(text))


_HOW_MUCH = re.compile(
    r"^\W*(?:how\s+(?:much|many)|what\b.*\b(?:salary|wage|rate|fee|price))\b", re.I
)


def role_asked(question: str) -> frozenset[str]:
    """The terms of the role "Who is the <role>?" asks who holds, where it writes them in
    lowercase ("Who is the union's president?": the union's president; "Who is the US
    Secretary of Defense?" names its role); empty for any other question. The sentence
    that names who holds it names the role too: "Thomas Weir, Northstar's chief
    executive" is no answer.

    >>> sorted(role_asked("Who is the union's president?")), role_asked("Who is Ann Lee?")
    (['president', 'union'], frozenset())
    >>> sorted(role_asked("Who is Vireo's chief executive?")), role_asked("Who was Emma's son?")
    (['chief', 'executive'], frozenset())
    >>> role_asked("Who was the leader when the Franks entered the valley?")
    frozenset()
    >>> role_asked("Who is offering it?"), sorted(role_asked("Who is the reigning champion?"))
    (frozenset(), ['champion', 'reign'])
    >>> sorted(role_asked("Who is the chairman of the hospital board?"))
    ['chairman']
    """
    found = _WHO_IS_ROLE.match(question)
    # "Who is offering it?" asks who does something, not who holds a role.
    if found is None or _DOING.match(question):
        return frozenset()
    said = found.group(1).split()
    # "the chairman of the hospital board": the role is what comes before "of".
    if "of" in said[1:]:
        said = said[: said.index("of")]
    # A name ("Who is Ann Lee?") or a clause is no role; whose role it is may be named.
    owner = [w for w in said if w[:1].isupper() and w.lower().endswith(("'s", "\u2019s"))]
    role = [w for w in said if w not in owner]
    if any(w.lower() in _CLAUSE_WORDS or w[:1].isupper() for w in role):
        return frozenset()
    asked = frozenset(content_terms(" ".join(role)))
    # A relative is named by the other side of the tie ("Emma, sister of Duke Richard II"
    # says who Emma's brother was).
    return frozenset() if asked & _KIN else asked


def full_names(texts: Iterable[str]) -> FullNames:
    """The names of two words or more in ``texts``: a claim may write a name in full
    where a sentence writes part of it ("Brightline Appliances" for "Brightline"), and a
    question a person's full name where a sentence has the surname ("Margaret Okafor"
    for "Dr. Okafor"), not a word the text also writes alone ("French" in "Norman
    French" and "the French").

    >>> written = full_names(["Brightline Appliances hired Margaret Okafor, who is French."])
    >>> written.beside["appliance"], written.then["margaret"], "okafor" in written.then
    (frozenset({'brightline'}), frozenset({'okafor'}), False)
    """
    beside: dict[str, frozenset[str]] = {}
    then: dict[str, frozenset[str]] = {}
    alone: set[str] = set()
    for text in texts:
        for run in _CAPITALISED_RUN.findall(text):
            order = [t for word in run.split() for t in sorted(names(word))]
            alone.update(order[-1:])
            for word in order:
                beside[word] = beside.get(word, frozenset()) | (set(order) - {word})
            for left, right in itertools.pairwise(order):
                then[left] = then.get(left, frozenset()) | {right}
    return FullNames(beside, {w: after for w, after in then.items() if w not in alone})


_TIMES = _CALENDAR | frozenset(
    terms("year years month months week weeks day days today yesterday tomorrow last next ago")
)


def asked_about(question: str) -> set[str]:
    """The question's content terms other than its names, its times and a leading
    request verb: what a sentence about it holds some of ("How much did Dana Okafor
    earn last year?" is about earning).

    >>> sorted(asked_about("How much did Dana Okafor earn last year?"))
    ['earn']
    >>> asked_about("Tell me about the Kakhovka Dam.")
    set()
    """
    first = terms(question.split(maxsplit=1)[0]) if question.strip() else []
    opening = set(first) & _REQUESTS
    return set(content_terms(question)) - premise_names(question) - _TIMES - opening


def premise_names(question: str) -> set[str]:
    """Names a question takes for granted: its capitalised words, question words and a
    leading request verb aside."""
    first = terms(question.split(maxsplit=1)[0]) if question.strip() else []
    opening = set(first) & _REQUESTS
    return {
        n
        for n in names(question)
        if n not in STOPWORDS and n not in QUESTION_WORDS and n not in opening
    }


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
    :func:`names` does, and the initials of its names ("Chief Executive Officer"
    yields "ceo")."""
    return (
        set(terms(text))
        | set(terms(re.sub(r"['\u2019]", " ", text)))
        | initialisms(text)
        | byline_terms(text)
    )


# A byline ("By Sarah Klein") and a line that is only a date ("June 3, 2025", "Updated:
# Tuesday, 3 June 2025"): who wrote the article and when, though neither says "wrote".
_BYLINE = re.compile(
    r"^\s*(?:[Ww]ritten |[Rr]eported )?[Bb][Yy]\s+[A-Z][\w.'\u2019-]+"
    r"(?:\s+(?:[A-Z][\w.'\u2019-]+|and|de|van|von))*(?:\s*,\s*[A-Z][\w .'\u2019-]*)?\s*$",
    re.MULTILINE,
)
_DATE_LINE = re.compile(
    r"^\s*(?:(?:published|updated|posted)\b:?\s*)?(?:[A-Z][a-z]+day,?\s*)?"
    r"(?:\d{1,2}\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
    r"(?:\s+\d{1,2})?,?\s+\d{4}\b[^.!?\n]{0,30}$",
    re.MULTILINE | re.IGNORECASE,
)
_WROTE = frozenset(terms("wrote written write writes writer author authored byline"))
_DATED = frozenset(terms("published publish posted post dated date written wrote"))


def byline_terms(text: str) -> frozenset[str]:
    """What a byline or a date line of ``text`` says without the words: that someone
    wrote it, or when it was published.

    >>> sorted(byline_terms("By Sarah Klein"))[:3], "publish" in byline_terms("June 3, 2025")
    (['author', 'byline', 'write'], True)
    >>> byline_terms("By Tuesday, the council had voted.")
    frozenset()
    """
    wrote = _WROTE if _BYLINE.search(text) else frozenset()
    return (wrote | _DATED) if _DATE_LINE.search(text) else wrote


def byline(text: str) -> str | None:
    """Who a byline in ``text`` names ("By David Chen" -> "David Chen"), or ``None``.

    >>> byline("By David Chen\\nMarch 3, 2025"), byline("By Tuesday, it had voted.")
    ('David Chen', None)
    >>> byline("By Maria Gonzalez\\nAssociated Press\\nMarch 12, 2026")
    'Maria Gonzalez, Associated Press'
    """
    found = _BYLINE.search(text)
    if found is None:
        return None
    named = re.sub(r"^\s*(?:[Ww]ritten |[Rr]eported )?[Bb][Yy]\s+", "", found.group())
    # "By Maria Gonzalez" and "Associated Press" on the next line: "Maria Gonzalez, ...".
    return ", ".join(line.strip() for line in named.splitlines() if line.strip())


# Capitalised words in a row, "of"/"for"/"and" between them allowed ("Army Corps of
# Engineers").
_NAME_RUN = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:(?:of|for|and)\s+)?[A-Z][a-z]+)+")


def initialisms(text: str) -> set[str]:
    """Initials of two to five capitalised words in a row: what an acronym stands for.

    >>> sorted(initialisms("Chief Executive Officer Mark Delaney"))[:4]
    ['ce', 'ceo', 'ceom', 'ceomd']
    >>> "ace" in initialisms("the Army Corps of Engineers will review it")
    True
    """
    out: set[str] = set()
    for run in _NAME_RUN.finditer(text):
        out |= _spans("".join(w[0] for w in run.group().split() if w[0].isupper()).lower())
    return out


def _spans(initials: str) -> set[str]:
    """The runs of two to five letters of ``initials``: the acronyms its words make."""
    return {
        initials[i:j]
        for i in range(len(initials) - 1)
        for j in range(i + 2, min(len(initials), i + 5) + 1)
    }


_ACRONYM = re.compile(r"\b[A-Z]{2,5}(?=s?\b)")


def acronyms(question: str) -> set[str]:
    """The words ``question`` writes in capitals, two to five letters (a plural "s"
    aside), as :func:`names` reads them.

    >>> sorted(acronyms("Why are SUVs and the NHTSA in the news? I ask."))
    ['nhtsa', 'suv']
    """
    return {t for word in _ACRONYM.findall(question) for t in terms(word)}


def spelled_out(text: str) -> frozenset[str]:
    """Initials of two to five lowercase words in a row (no stopwords, no names): what
    an acronym of a thing stands for ("sport utility vehicles" is "suv").

    >>> sorted(spelled_out("It recalls sport utility vehicles."))
    ['rs', 'rsu', 'rsuv', 'su', 'suv', 'uv']
    """
    out: set[str] = set()
    run = ""
    for word in [*re.findall(r"[\w'\u2019-]+", text), ""]:
        if word.isalpha() and word.islower() and word not in STOPWORDS:
            run += word[0]
            continue
        out |= _spans(run)
        run = ""
    return frozenset(out)


def _number_terms(text: str) -> list[str]:
    """Terms with numbers normalised like :func:`numbers` ('10th' -> '10')."""
    return [next(iter(numbers(t))) if numbers(t) else t for t in terms(text)]
