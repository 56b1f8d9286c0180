"""ArticleQA as a LangChain Runnable, composed in LCEL (real index and embedder, fake model)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langchain_core.runnables import RunnableLambda

from qa.chain import Answer, ArticleQA, QARunnable
from qa.errors import InputError
from qa.settings import Settings
from qa.store.passages import PassageStore
from tests.conftest import SEED, fake_llm

HEGSETH = "Pete Hegseth is the US Secretary of Defense [{n}]."


@pytest.fixture
def runnable(settings: Settings, embeddings: Any) -> QARunnable:
    store = PassageStore(settings, embeddings)
    probe = ArticleQA(SEED, settings=settings, store=store, backend="extractive")
    n = next(i + 1 for i, p in enumerate(probe.passages()) if "Hegseth" in p.text)
    llm = fake_llm(*[HEGSETH.format(n=n)] * 8)
    return ArticleQA(
        SEED, settings=settings, store=store, llm=llm, backend="embedded"
    ).as_runnable()


def test_invoke_takes_a_question_or_a_dict_with_history(runnable: QARunnable) -> None:
    answer = runnable.invoke("Who is Pete Hegseth?")
    assert (
        isinstance(answer, Answer)
        and answer.text == "Pete Hegseth is the US Secretary of Defense [1]."
    )
    history = [
        {"role": "user", "content": "Who said the US won't expand Article 5?"},
        {"role": "assistant", "content": "Pete Hegseth [1]."},
    ]
    follow = runnable.invoke({"question": "What is his job?", "history": history})
    assert "Article 5" in follow.standalone_question and not follow.abstained
    with pytest.raises(InputError):
        runnable.invoke({"history": []})


def test_batch_and_stream(runnable: QARunnable) -> None:
    answers = runnable.batch(["Who is Pete Hegseth?", "What is the capital of Canada?"])
    assert [a.abstained for a in answers] == [False, True]
    steps = list(runnable.stream("Who is Pete Hegseth?"))
    assert len(steps) >= 2 and steps[-1].citations and not steps[0].citations
    assert steps[-2].text == steps[-1].text


def test_async_invoke_and_stream(runnable: QARunnable) -> None:
    async def run() -> tuple[Answer, list[Answer]]:
        one = await runnable.ainvoke("Who is Pete Hegseth?")
        steps = [step async for step in runnable.astream("Who is Pete Hegseth?")]
        return one, steps

    one, steps = asyncio.run(run())
    assert one.citations and steps[-1].text == one.text


def test_composes_in_an_lcel_chain(runnable: QARunnable) -> None:
    quotes = runnable | RunnableLambda(lambda a: [c.quote for c in a.citations])
    (quote,) = quotes.invoke("Who is Pete Hegseth?")
    assert "Pete Hegseth, US Secretary of Defense" in quote
    assert SEED.read_text(encoding="utf-8").count(quote) == 1
