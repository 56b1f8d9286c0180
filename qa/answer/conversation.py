"""Conversation turns: follow-ups, small talk, and what retrieval searches for.

No model call rewrites a follow-up: that call used to evict the article's
cached prompt prefix. Instead, a question that leans on an earlier turn (a
pronoun, "what about ...", a bare "why?") is searched for together with the
question it follows, and the reader gets the turn it follows as earlier chat
messages, after the cached prefix. A turn that asks the question before of
another name ("And Putin?" after "What does Trump want?") is answered as that
whole question ("What does Putin want?"), as if asked so.
A turn that asks nothing ("thanks", "hi") gets a short reply, and a question
that does not lean on history is never merged with an older one.

Example:
    >>> follows_up("What did he say about Article 5?"), follows_up("Who is Pete Hegseth?")
    (True, False)
    >>> follows_up("Has the US finalized its peace plan?"), follows_up("What is his role?")
    (False, True)
    >>> follows_up("How does Putin feel about that?"), follows_up("Did he say that it rains?")
    (True, True)
    >>> follows_up("What does the third one say?"), follows_up("Is anyone hurt?")
    (True, False)
    >>> follows_up("Against whom?"), follows_up("For how long?"), follows_up("Who won the war?")
    (True, True, False)
    >>> follows_up("With what equipment?"), follows_up("In which year did the war end?")
    (True, False)
    >>> follows_up("Which one is about territory?"), follows_up("Which plan is about it?")
    (True, True)
    >>> follows_up("Which plan is about territory?")
    False
    >>> follows_up("Does Putin agree?"), follows_up("Does Putin agree to the plan?")
    (True, False)
    >>> small_talk("thanks!") is not None, small_talk("asdfgh qwerty") is None
    (True, True)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa.answer.claims import split_cited
from qa.store.lexical import ORDINAL_WORDS

_CITE = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]")
_PRONOUN = re.compile(
    r"\b(?:he|she|it|they|him|her|them|his|hers|its|their|theirs|the former|the latter)\b"
    r"|\b(?:this|these|those)\b(?!\s+(?:article|story|piece|text|report|post)\b)"
    # "that" as a pronoun ends the question ("How does Putin feel about that?"); elsewhere
    # it is mostly a conjunction ("Did he say that ...").
    r"|\bthat(?=\W*$)"
    # "one" standing for something named before: "the third one", "that one", "the last ones",
    # "which one".
    r"|\bwhich\s+ones?\b"
    r"|\b(?:the|that|this|these|those)\s+(?:(?:"
    + "|".join([*ORDINAL_WORDS, "last", "final", "other", "next", "previous", "same"])
    + r")\s+)?ones?\b",
    re.IGNORECASE,
)
_POSSESSIVES = frozenset({"his", "her", "its", "their"})
_ELLIPSIS = re.compile(
    r"^(?:and|but|also|so|what about|how about|and what about|why|why not|how|when|where|"
    r"who else|anything else|what else|tell me more|more|go on|explain|really|continue|"
    r"keep going|elaborate|expand|any more|then what|what happened next)\b[^a-z]*"
    r"(?:\w+\W*){0,4}$"
    # "Against whom?", "Since when?", "For how long?", "With what equipment?": a
    # preposition and a question word (what or which with a noun or two), nothing else.
    r"|^(?:against|to|with|for|from|by|about|since|until|after|before|in|on|at) (?:whom|who|"
    r"when|where|how (?:long|much|many|often|far)|(?:what|which)(?:\s+\w+){0,2})\W*$"
    # "Does Putin agree?", "Did Russia accept?": a yes/no question of a subject and a verb
    # whose object is what was just said.
    r"|^(?:does|do|did|will|would|can|could|has|have|had)\s+\S+\s+\w+\W*$"
    # "Who?", "Which one?": who or which of what was just said.
    r"|^(?:who|whom|which(?: ones?)?)(?: exactly)?\W*$",
    re.IGNORECASE,
)
# Asking for more of what was just said, and nothing else (each form is a follow-up by
# ``_ELLIPSIS``: only then is there a reply to say more of).
_MORE_OF_IT = re.compile(
    r"^(?:tell me more|more|go on|continue|keep going|elaborate|expand on (?:that|it|this)|"
    r"more details?|any more|what else|anything else|and then|then what|what happened next)"
    r"(?:,?\s+please)?\W*$",
    re.IGNORECASE,
)
# "According to whom?": who said what the answer before said.
_SOURCE_OF_IT = re.compile(
    r"^(?:according to whom|(?:and )?who said (?:that|so|this|it)|says who|who says(?: so)?|"
    r"who (?:is|was) (?:the|your) source|(?:what is|what's) (?:the|your) source|"
    r"who (?:made|gave) (?:that|this) (?:claim|statement|estimate))\W*$",
    re.IGNORECASE,
)
_SOCIAL = [
    (
        re.compile(
            r"^(?:thanks?|thank you|thx|ty|cheers|great|nice|cool|ok(?:ay)?|got it|perfect|"
            r"awesome|good|great thanks|that helps)\b[\s\w!.,]{0,20}$",
            re.I,
        ),
        "You're welcome! Ask me anything else about the article.",
    ),
    (
        re.compile(r"^(?:hi|hello|hey|good (?:morning|afternoon|evening)|howdy)\b[\s!.,]*$", re.I),
        "Hello! Ask me anything about the article, for example \u201cWhat is this article "
        "about?\u201d",
    ),
    (
        re.compile(r"^(?:bye|goodbye|see you|see ya)\b[\s!.,]*$", re.I),
        "Goodbye! Come back with more questions about the article any time.",
    ),
]
_QUESTION = re.compile(
    r"\?|^(?:who|whom|whose|what|when|where|which|why|how|is|are|was|were|do|does|did|can|"
    r"could|will|would|has|have|had|should|list|name|tell|give|explain|describe|summari[sz]e)\b",
    re.IGNORECASE,
)

#: What the bot says to a turn that is not a question about the article.
NOT_A_QUESTION = (
    "I couldn't match that to anything in the article. Ask a question about it, for "
    "example \u201cWhat is this article about?\u201d"
)


# "And Putin?", "What about Zelensky?": the question before, asked of another name.
_AND_NAME = re.compile(
    r"^(?i:and|what about|how about|and what about)\s+((?:the\s+)?[A-Z][\w'\u2019.-]*"
    r"(?:\s+[A-Z][\w'\u2019.-]*){0,3})\s*\?*$"
)
# A name in a question: capitalised words, not the question's first word.
_NAME = re.compile(r"(?<=\s)[A-Z][\w'\u2019.-]*(?:\s+[A-Z][\w'\u2019.-]*)*")


@dataclass(frozen=True)
class Turn:
    """The question as asked, and what it means in the conversation."""

    #: The question to answer: as asked, or the one before asked of another name
    #: ("And Putin?" after "What does Trump want?" is "What does Putin want?").
    question: str
    #: What retrieval searches for: the question, after the one it follows up.
    search: str
    #: The turn(s) it follows, as ``(role, text)`` for the reader (empty when standalone).
    history: tuple[tuple[str, str], ...]
    #: The answer it follows, without citation markers, one line per list item ("" when
    #: standalone).
    reply: str = ""


def small_talk(text: str) -> str | None:
    """A friendly reply when ``text`` is small talk rather than a question."""
    for pattern, reply in _SOCIAL:
        if pattern.match(text.strip()):
            return reply
    return None


def more_of(question: str, reply: str) -> str | None:
    """The last sentence of ``reply`` (an answer, citations stripped) when ``question``
    asks for more of what it said ("Tell me more.", "Go on.", "What else?"); else ``None``.

    >>> more_of("Tell me more.", "- Rain fell.\\n- Wind blew. It was cold.")
    'It was cold.'
    >>> more_of("Tell me more about the wind.", "Wind blew.") is None
    True
    """
    if not _MORE_OF_IT.match(question.strip()):
        return None
    return _last_said(reply)


def source_of(question: str, reply: str) -> str | None:
    """The last sentence of ``reply`` (citations stripped) when ``question`` asks who
    said it ("According to whom?"); else ``None``.

    >>> source_of("According to whom?", "300 [1].")
    '300.'
    >>> source_of("Who said that?", "Sick days fell."), source_of("Who is he?", "Rain.")
    ('Sick days fell.', None)
    """
    if not _SOURCE_OF_IT.match(question.strip()):
        return None
    return _last_said(reply)


def _last_said(reply: str) -> str | None:
    lines = [line.removeprefix("- ").strip() for line in reply.splitlines() if line.strip()]
    said = split_cited(lines[-1]) if lines else []
    return said[-1][0] if said else None


def looks_like_question(text: str) -> bool:
    """Whether ``text`` is worded as a question or a request."""
    return bool(_QUESTION.search(text.strip()))


def follows_up(question: str) -> bool:
    """Whether ``question`` leans on an earlier turn (a pronoun or an elliptic form).

    A possessive after a name of the question itself refers to that name ("Has the
    US finalized its plan?"), not to an earlier turn.
    """
    if _ELLIPSIS.match(question.strip()) or _SOURCE_OF_IT.match(question.strip()):
        return True
    return any(not _owned(question, m) for m in _PRONOUN.finditer(question))


def _owned(question: str, pronoun: re.Match[str]) -> bool:
    """Whether ``pronoun`` is a possessive with a name before it in ``question``."""
    if pronoun.group().lower() not in _POSSESSIVES:
        return False
    before = question[: pronoun.start()].split()[1:]  # the first word is capitalised anyway
    return any(w[:1].isupper() for w in before)


def _plain(content: object, limit: int) -> str:
    text = _CITE.sub("", str(content or "")).replace("\n", " ").strip()
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " ..."


def asked_of(question: str, before: Sequence[str]) -> str | None:
    """``question`` as a whole question when it asks the one before of another name.

    The question before is itself resolved first ("And Zelensky?" after "And Putin?");
    it must name exactly one thing for the swap to be unambiguous.

    Example:
        >>> asked_of("And Putin?", ["What does Trump want?"])
        'What does Putin want?'
        >>> asked_of("What about Zelensky?", ["What does Trump want?", "And Putin?"])
        'What does Zelensky want?'
        >>> asked_of("And the Zaporozhye Plant?", ["Who controls the Kakhovka Dam?"])
        'Who controls the Zaporozhye Plant?'
        >>> asked_of("And Putin?", ["Did Trump meet Zelensky?"]) is None
        True
    """
    other = _AND_NAME.match(question.strip())
    if other is None or not before:
        return None
    earlier = asked_of(before[-1], before[:-1]) or before[-1]
    names = list(_NAME.finditer(earlier))
    if len(names) != 1:
        return None
    name, start = other.group(1), names[0].start()
    if earlier[:start].lower().endswith("the ") and name.lower().startswith("the "):
        name = name[4:]  # "What is the Kakhovka Dam?", then "And the Zaporozhye plant?"
    return earlier[:start] + name + earlier[names[0].end() :]


def resolve(question: str, history: Sequence[dict[str, str]]) -> Turn:
    """The :class:`Turn` for ``question`` after ``history`` (role/content messages)."""
    users = [m for m in history if m.get("role") == "user" and str(m.get("content", "")).strip()]
    if not users or not follows_up(question):
        return Turn(question, question, ())
    whole = asked_of(question, [str(m["content"]).strip() for m in users])
    if whole is not None:  # a question of its own now, answered as if asked so
        return Turn(whole, whole, ())
    # The question it follows, and the one before that if that one followed up too.
    earlier = [str(users[-1]["content"])]
    if len(users) > 1 and follows_up(earlier[0]):
        earlier.insert(0, str(users[-2]["content"]))
    reply = next(
        (m.get("content", "") for m in reversed(history) if m.get("role") == "assistant"), ""
    )
    turns = [("user", f"Question: {_plain(q, 300)}") for q in earlier]
    if reply:
        turns.append(("assistant", _plain(reply, 400)))
    lines = _CITE.sub("", str(reply or "")).strip()  # lines kept: a list's items are lines
    return Turn(question, " ".join([*earlier, question]), tuple(turns), lines)
