"""What kind of answer a question asks for, decided from its wording alone.

A regular expression is the cheapest signal that is reliable here: people mark
the shape in the first words ("What are the five ...", "Summarize ...", "Why
...", "Did ..."). ``bench/shape_accuracy.py`` measures how often it is right on
labelled questions.

Example:
    >>> [classify(q).value for q in ("What is this article about?",
    ...     "What are the five disagreements?", "Why is Trump reluctant?",
    ...     "Did Trump meet Zelensky?", "Who is Pete Hegseth?", "How strong was the quake?")]
    ['summary', 'list', 'why_how', 'yes_no', 'factoid', 'factoid']
"""

from __future__ import annotations

import re
from enum import StrEnum


class Shape(StrEnum):
    """Answer shapes: each gets its own instructions and presentation."""

    FACTOID = "factoid"  # one short sentence
    LIST = "list"  # one claim per item, in article order
    SUMMARY = "summary"  # a few sentences, one claim each, in article order
    WHY_HOW = "why_how"  # one or two sentences of explanation
    YES_NO = "yes_no"  # "Yes" / "No" and the sentence that says so


_NUMBER = (
    r"(?:two|three|four|five|six|seven|eight|nine|ten|\d+|several|all|main|key|various|"
    r"different|major|other)"
)
_SUMMARY = re.compile(
    r"\b(?:summar\w*|sum (?:(?:it|this|that|everything|things) )?up|gist|tl;?dr|overview|recap|"
    r"main (?:points?|ideas?|takeaways?|message|argument)|key (?:points?|takeaways?|facts)|"
    r"(?:what|what's|whats)\s+(?:is\s+)?(?:this|the)\s+(?:article|story|piece|text|post|report)"
    r"(?:\s+(?:mainly|mostly|really))?\s+about|"
    r"what (?:does|did) (?:this|the) (?:article|story|piece|author) (?:say|argue|claim)\s*\??$|"
    # "What's this about?", "What is it all about?", "Tell me about this article."
    r"^(?:so\s+)?(?:what(?:'s|\u2019s|s| is)\s+(?:this|it)(?:\s+all)?\s+about\s*[?.!]*$|"
    r"(?:please\s+)?tell me (?:about|what) (?:this|the) (?:article|story|piece|text|post|report)"
    r"(?: is about| says)?\s*[?.!]*$)|"
    r"what (?:happened|is going on)\s*\??$)|"
    # How it ends: "What's the conclusion?", "How does the article end?"
    r"^(?:what(?:'s|\u2019s|s| is| are)\s+(?:the|its|the author's|the article's)\s+"
    r"(?:conclusions?|bottom line|last (?:paragraph|lines?|words))\s*\??$|"
    r"how does (?:it|this|the (?:article|story|piece)) (?:end|conclude|finish|close)\s*\??$|"
    r"what does (?:it|the (?:article|story|piece|author)) conclude\s*\??$)",
    re.IGNORECASE,
)
_LIST = re.compile(
    r"^(?:please\s+)?(?:list|name|enumerate|give me|tell me)\b"
    r"(?! (?:the )?(?:name|date|reason)\b| (?:about|more)\b)"
    # "Tell me about the disagreements", not "... about the dam" or "... the Normans".
    r"|^(?:please\s+)?tell me (?:more )?about (?:the |all )?(?:\w+ )?(?-i:[a-z]\w*s)\W*$"
    rf"|^(?:what|which|who)\s+(?:are|were)\s+(?:the\s+|all\s+)?{_NUMBER}\b"
    r"|^(?:what|which)\s+(?:are|were)\s+(?:the|all)\s+(?:\w+\s+)?\w+s\b"
    r"(?:\s+(?:mentioned|discussed|named|listed|described|given|raised|involved)\b.*)?\s*\??$"
    # "What are the demands in the plan?": a lowercase plural, then what it is about
    # ("What are the odds of ...", "What were the Normans in Sicily ...", "What are the
    # Normans famous for" are no lists).
    r"|^(?:what|which)\s+(?:are|were)\s+the\s+(?-i:(?:[a-z]\w*\s+)?[a-z]\w*[^\Wiosu]s)\s+"
    r"(?:between|about|over|in|within|with|against|facing|for|on|from|to|behind)\b"
    rf"|\b{_NUMBER}\s+\w+(?:s|es)\b.*\b(?:are|were)\s+(?:they|there)\b"
    rf"|^(?:what|which)\s+{_NUMBER}\s+\w+s\b"
    r"|^which\s+(?:\w+s|people)\s+(?:are|were)\s+"
    r"(?:mentioned|named|listed|discussed|involved|quoted|cited)\b"
    # "Who are the people mentioned?", "Who are the leaders?", not "Who are the Kurds?".
    r"|^who\s+(?:are|were)\s+(?:the|all)\s+(?-i:(?:[a-z]\w*\s+)?(?:[a-z]\w*[^\Wiosu]s|people))"
    r"(?:\s+(?:mentioned|discussed|named|listed|described|involved|quoted|cited)\b.*)?\s*\??$"
    r"|^what\s+(?:are|were)\s+\w+['\u2019]s?\s+(?:\w+\s+)?\w+s\s*\??$"
    # "Who is mentioned?", "What companies are named in the story?"
    r"|^who\s+(?:is|are|was|were|gets?)\s+(?:mentioned|named|quoted|cited)\b"
    r"|^(?:what|which)\s+\w+s\s+(?:are|were)\s+(?:mentioned|named|quoted|cited)\b",
    re.IGNORECASE,
)
_YES_NO = re.compile(
    r"^(?:is|are|was|were|does|do|did|can|could|will|would|has|have|had|should|shall|may|might)\b",
    re.IGNORECASE,
)
_WHY_HOW = re.compile(
    r"^(?:why|how come|for what reason|in what way|explain)\b"
    r"|^how\b(?!\s+(?:many|much|long|old|far|often|big|large|soon|early|late)\b)"
    # "How strong was the quake?", "How deep is it?": a measure, not an explanation.
    r"(?!\s+(?!(?:is|are|was|were|did|does|do|will|would|can|could|has|have|had|should)\b)"
    r"\w+\s+(?:is|are|was|were|did|does|do|has|have|had)\b)",
    re.IGNORECASE,
)


_MENTIONED = re.compile(
    r"\b(?:mentioned|named|quoted|cited|listed|involved)\b"
    r"|\bin (?:the|this) (?:article|story|piece|text|report)\b",
    re.IGNORECASE,
)


def asks_mentioned(question: str) -> bool:
    """Whether a list question asks what the article names ("Who are the people
    mentioned?"): about the whole article, whatever its words match.

    >>> asks_mentioned("Which countries are mentioned?"), asks_mentioned("List the demands.")
    (True, False)
    """
    return bool(_MENTIONED.search(question))


def classify(question: str) -> Shape:
    """The :class:`Shape` that ``question`` asks for (``FACTOID`` when unsure)."""
    q = question.strip()
    if _SUMMARY.search(q):
        return Shape.SUMMARY
    if _LIST.search(q):
        return Shape.LIST
    if _WHY_HOW.search(q):
        return Shape.WHY_HOW
    if _YES_NO.search(q):
        return Shape.YES_NO
    return Shape.FACTOID
