"""A plain LangChain RAG pipeline, the yardstick for benchmarks.

Vector top-4 from the same Chroma index, the classic "stuff" prompt, the same
chat model, no verification. Its four retrieved passages are reported as its
sources (as PrivateGPT-style tools list them), which is generous to it.

Example (a fake chat model stands in for the LLM):
    >>> from langchain_core.language_models import FakeListChatModel
    >>> from qa.chain import ArticleQA
    >>> llm = FakeListChatModel(responses=["Pete Hegseth is the US Secretary of Defense."])
    >>> bot = ArticleQA(backend="openai", llm=llm, index_dir=getfixture("tmp_path"))
    >>> answer = BaselineRAG(bot).ask("Who is Pete Hegseth?")
    >>> answer.text, answer.backend, answer.abstained
    ('Pete Hegseth is the US Secretary of Defense.', 'baseline', False)
    >>> len(answer.citations), answer.citations[0].quote in bot.original_text()
    (4, True)
    >>> BaselineRAG(ArticleQA(backend="extractive", store=bot.store)).ask("Who is Pete Hegseth?")
    Traceback (most recent call last):
    qa.errors.ConfigError: the baseline needs an LLM backend
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from langchain_core.documents import Document
from langchain_core.output_parsers import StrOutputParser

from qa.answer.claims import is_no_answer
from qa.answer.retrieve import Hit
from qa.errors import ConfigError
from qa.llm.prompts import baseline_prompt
from qa.store.records import passage_from_record

if TYPE_CHECKING:
    from qa.chain import Answer, ArticleQA

_DONT_KNOW = re.compile(r"\b(?:don't|do not) know\b", re.I)


class BaselineRAG:
    """Vector top-4 + stuff prompt + LLM, answering like :class:`ArticleQA`."""

    def __init__(self, bot: ArticleQA, k: int = 4) -> None:
        self.bot = bot
        self.k = k
        store = bot.store
        self.retriever = store.vectorstore(store.embeddings).as_retriever(
            search_kwargs={"k": k, "filter": store.version_filter(bot.article_ids)}
        )

    def ask(self, question: str) -> Answer:
        """Answer ``question`` the plain way; its retrieved passages are its citations.

        Raises:
            ConfigError: The bot has no chat model (the extractive backend).
        """
        from qa.chain import Answer, Citation

        t0 = time.perf_counter()
        docs: list[Document] = self.retriever.invoke(question)
        context = "\n\n".join(d.page_content for d in docs)
        llm = self.bot.llm
        if llm is None:
            raise ConfigError("the baseline needs an LLM backend")
        chain = baseline_prompt() | llm | StrOutputParser()
        text, first = "", 0.0
        for piece in chain.stream({"context": context, "question": question}):
            if piece and not first:
                first = (time.perf_counter() - t0) * 1000
            text += piece
        text = text.strip()
        abstained = not text or bool(_DONT_KNOW.search(text)) or is_no_answer(text)
        passages = [passage_from_record(str(d.id), d.page_content, d.metadata) for d in docs]
        citations = [
            Citation(i + 1, p.article_id, p.paragraph, p.start, p.end, p.quote)
            for i, p in enumerate(passages)
        ]
        total = (time.perf_counter() - t0) * 1000
        return Answer(
            text=text,
            abstained=abstained,
            citations=[] if abstained else citations,
            question=question,
            standalone_question=question,
            backend="baseline",
            timings={"first_token_ms": first or total, "total_ms": total},
            hits=[Hit(p, 0.0, 0.0, 0.0, 0.0) for p in passages],
        )
