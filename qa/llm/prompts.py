"""Prompt templates, kept as text files in ``prompts/`` (shipped in the wheel).

Example:
    >>> "{passages}" in load_template("answer")
    True
    >>> answer_prompt("list").input_variables
    ['passages', 'question']
    >>> load_template("no_such_prompt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    qa.errors.PromptError: prompt template 'no_such_prompt' not found in ...
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder, PromptTemplate

from qa.errors import PromptError

_QA = Path(__file__).resolve().parent.parent
# Installed wheel: qa/prompts; source checkout: <root>/prompts.
_DIRS = (_QA / "prompts", _QA.parent / "prompts")


@cache
def load_template(name: str) -> str:
    """The text of ``prompts/<name>.txt``.

    Raises:
        PromptError: No such template in the installed or checked-out ``prompts/``.
    """
    for folder in _DIRS:
        path = folder / f"{name}.txt"
        if path.exists():
            return path.read_text(encoding="utf-8")
    raise PromptError(f"prompt template {name!r} not found in {' or '.join(map(str, _DIRS))}")


def answer_prompt(shape: str = "factoid") -> ChatPromptTemplate:
    """System (rules + numbered passages), then the earlier turns a follow-up leans on
    (``history``: chat messages), then the question with the instructions for its
    shape (``prompts/ask_<shape>.txt``). The system part is a fixed prefix for a
    given article, so llama.cpp can reuse its cache whatever the shape or history."""
    return ChatPromptTemplate.from_messages(
        [
            ("system", load_template("answer")),
            MessagesPlaceholder("history", optional=True),
            ("human", load_template(f"ask_{shape}")),
        ]
    )


def judge_prompt() -> ChatPromptTemplate:
    """Whether one sentence answers a question: the judge's rules (``prompts/judge.txt``),
    then the sentence and the question (``prompts/judge_ask.txt``)."""
    return ChatPromptTemplate.from_messages(
        [("system", load_template("judge")), ("human", load_template("judge_ask"))]
    )


def baseline_prompt() -> PromptTemplate:
    """The classic LangChain "stuff" QA prompt, used by the baseline benchmark."""
    return PromptTemplate.from_template(load_template("baseline"))
