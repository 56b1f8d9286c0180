"""Prompt templates, kept as text files in ``prompts/`` (shipped in the wheel).

Example:
    >>> "{passages}" in load_template("answer")
    True
    >>> answer_prompt("list").input_variables
    ['passages', 'question']
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder, PromptTemplate

_QA = Path(__file__).resolve().parent.parent
# Installed wheel: qa/prompts; source checkout: <root>/prompts.
_DIRS = (_QA / "prompts", _QA.parent / "prompts")


@cache
def load_template(name: str) -> str:
    """The text of ``prompts/<name>.txt``."""
    for folder in _DIRS:
        path = folder / f"{name}.txt"
        if path.exists():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError(f"prompt template {name!r} not found in {_DIRS}")


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


def baseline_prompt() -> PromptTemplate:
    """The classic LangChain "stuff" QA prompt, used by the baseline benchmark."""
    return PromptTemplate.from_template(load_template("baseline"))
