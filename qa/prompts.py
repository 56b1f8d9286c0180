"""Prompt templates, kept as text files in ``prompts/`` (shipped in the wheel).

Example:
    >>> "{passages}" in load_template("answer")
    True
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate, PromptTemplate

_HERE = Path(__file__).resolve().parent
# Installed wheel: qa/prompts; source checkout: <root>/prompts.
_DIRS = (_HERE / "prompts", _HERE.parent / "prompts")


@cache
def load_template(name: str) -> str:
    """The text of ``prompts/<name>.txt``."""
    for folder in _DIRS:
        path = folder / f"{name}.txt"
        if path.exists():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError(f"prompt template {name!r} not found in {_DIRS}")


def answer_prompt() -> ChatPromptTemplate:
    """System (rules + numbered passages) then the question: the system part is a
    fixed prefix for a given article, so llama.cpp can reuse its cache."""
    return ChatPromptTemplate.from_messages(
        [("system", load_template("answer")), ("human", load_template("question"))]
    )


def condense_prompt() -> ChatPromptTemplate:
    """Turns a follow-up plus history into a standalone question."""
    return ChatPromptTemplate.from_messages([("human", load_template("condense"))])


def baseline_prompt() -> PromptTemplate:
    """The classic LangChain "stuff" QA prompt, used by the baseline benchmark."""
    return PromptTemplate.from_template(load_template("baseline"))
