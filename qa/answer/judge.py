"""A second look by the model at an answer the lexical checks could not tie to the question.

Verification is lexical: a sentence answers a question when it holds the question's
words or words that say the same. Readers ask in their own words ("Who is the
airline's boss?" of "Chief executive Dolores Pretorius, 57, told reporters ..."), so a
right answer can fail that check. Where the answer path would say "the article doesn't
say" although the model answered and one sentence of the article supports what it
answered, :class:`Judge` asks the model, in one token, whether that sentence answers
the question as asked. The answer is then that sentence, quoted, when P("Yes") reaches
the mode's threshold (``Settings.verification.judge_threshold_*``).

The same call vets an answer the checks accepted on part of the question's words
(:func:`leaves_out`): "How much does a pilot at Lakeland make?" is not answered by
"$150 travel credit" from a sentence about refunds to Lakeland's passengers, nor "Which
agency is investigating what started the fire?" by the agency a sentence cites for the
fire's size.
Where the sentence an answer rests on leaves out some of what the question asks
about, a P("Yes") under the mode's veto threshold (``judge_veto_*``) drops the claim.

The prompt holds the judge's rules, the sentence and the question, not the article:
with the article before them the model said "Yes" to most sentences it was shown.
The first token's P("Yes") against P("No") is read from its log-probabilities; a
backend that gives none is taken at its word ("Yes" 1.0, anything else 0.0).
``bench/replay_eval.py --judge`` prints what each threshold would add on a dev set.

Example:
    >>> from langchain_core.language_models.fake_chat_models import FakeListChatModel
    >>> sentence = "Chief executive Dolores Pretorius, 57, spoke."
    >>> Judge(FakeListChatModel(responses=["Yes"])).p_yes("Who is the boss?", sentence)
    1.0
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.language_models import BaseChatModel

from qa.answer.claims import asked_about, covered, measure_term
from qa.llm.models import first_token_probability
from qa.llm.prompts import judge_prompt


class Judge:
    """Asks a chat model whether a sentence answers a question (see the module docstring).

    One judge serves one answer: a sentence it was asked about is not asked again.
    """

    def __init__(self, llm: BaseChatModel) -> None:
        self.llm = llm
        self._asked: dict[tuple[str, str], float] = {}

    def p_yes(self, question: str, sentence: str) -> float:
        """P("Yes") / (P("Yes") + P("No")) of the model's first token, in [0, 1]."""
        key = (question, sentence)
        if key not in self._asked:
            self._asked[key] = self._ask(question, sentence)
        return self._asked[key]

    def _ask(self, question: str, sentence: str) -> float:
        chain = judge_prompt() | self.llm.bind(max_completion_tokens=1)
        inputs = {"question": question, "sentence": sentence}
        text = ""
        for chunk in chain.stream(inputs):
            found = _from_logprobs(chunk.response_metadata)
            if found is not None:
                return found
            text += str(chunk.content)
        return 1.0 if text.strip().lower().startswith("yes") else 0.0


def leaves_out(question: str, sentence: str) -> bool:
    """Whether ``sentence`` leaves out some of what ``question`` asks about: its terms
    beyond names, times and a measure (:func:`qa.answer.claims.asked_about`), or words
    that say the same.

    >>> ask = "How much does a pilot at Lakeland make?"
    >>> leaves_out(ask, "Lakeland customers will receive a $150 travel credit.")
    True
    >>> leaves_out(ask, "A first-year pilot at Lakeland makes $52,000.")
    False
    """
    asked = asked_about(question) - {measure_term(question)}
    return bool(asked) and not asked <= covered(set(asked), sentence)


def _from_logprobs(metadata: Mapping[str, Any]) -> float | None:
    yes = first_token_probability(metadata, lambda token: token.strip().lower() == "yes")
    no = first_token_probability(metadata, lambda token: token.strip().lower() == "no")
    if yes is None or no is None or not yes + no:
        return None
    return yes / (yes + no)
