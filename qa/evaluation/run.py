"""Run a dev set through the product (or the plain-RAG baseline) and record each answer.

See :func:`run_eval`; ``qa eval`` is its command line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from qa.evaluation.dataset import EvalSet
from qa.evaluation.scoring import contains_any, is_correct, score
from qa.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from qa.chain import ArticleQA
    from qa.evaluation.baseline import BaselineRAG


def run_eval(
    evalset: EvalSet,
    settings: Settings,
    *,
    pipeline: str = "qa",
    limit: int | None = None,
    k: int = 5,
    progress: Callable[[int], None] | None = None,
    llm: BaseChatModel | None = None,
) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """Answer every question and score the answers.

    SQuAD articles go to the ``qa_eval`` collection, never into the default index.

    Args:
        evalset: From :func:`load_eval`.
        settings: Backend, retrieval and store settings.
        pipeline: ``"qa"`` (this product) or ``"baseline"`` (plain LangChain RAG).
        limit: Only the first ``limit`` questions.
        k: ``k`` of retrieval recall@k.
        progress: Called with 1 after each question.
        llm: A chat model to share between pipelines (default: the backend's).
    """
    from qa.chain import ArticleQA
    from qa.evaluation.baseline import BaselineRAG
    from qa.store.passages import PassageStore

    items = evalset.items[:limit] if limit else evalset.items
    # Every question answered afresh: a repeated one must not come from the answer cache.
    settings = settings.updated(answer_cache=0)
    if evalset.articles:
        settings = settings.updated(collection="qa_eval")
    store = PassageStore(settings)
    if evalset.articles:
        store.index(evalset.articles)
    bots: dict[str | None, ArticleQA | BaselineRAG] = {}
    records: list[dict[str, Any]] = []
    history: list[dict[str, str]] = []
    script: int | None = None
    for item in items:
        key = item.article_id
        if key not in bots:
            target = key if key else None
            if llm is None:  # the backend's own model
                made = ArticleQA(target, settings=settings, store=store)
            else:
                made = ArticleQA(target, settings=settings, store=store, llm=llm)
            bots[key] = BaselineRAG(made) if pipeline == "baseline" else made
        bot = bots[key]
        if item.script != script or item.script is None:
            history, script = [], item.script
        if isinstance(bot, BaselineRAG):
            answer = bot.ask(item.question)
            top = answer.hits
        else:
            answer = bot.ask(item.question, history)
            top = bot.retriever.retrieve(item.question, k=k).hits
        record = {
            "id": item.qid,
            "question": item.question,
            "answers": item.answers,
            "unanswerable": item.unanswerable,
            "shape": item.shape or answer.shape,
            "answered_shape": answer.shape,
            "items": item.items,
            "min_items": item.min_items,
            "min_citations": item.min_citations,
            "evidence": item.evidence,
            "chat": item.chat,
            "script": item.script,
            "history_turns": len(history) // 2,
            "text": answer.text,
            "abstained": answer.abstained,
            "source": answer.source,
            "quotes": [c.quote for c in answer.citations],
            "retrieval_hit": any(
                contains_any(h.passage.text, item.answers or [a for g in item.items for a in g])
                for h in top[:k]
            ),
            "total_ms": answer.timings.get("total_ms", 0.0),
            "first_token_ms": answer.timings.get("first_token_ms", 0.0),
            "notice": answer.notice,
            **answer.diagnostics,
        }
        if item.standalone and pipeline == "qa":
            # The same question asked without history, right after: the latency and
            # accuracy a follow-up is compared with.
            alone = bot.ask(item.standalone)
            record["standalone_ms"] = alone.timings.get("total_ms", 0.0)
            record["standalone_correct"] = is_correct(
                {**record, "text": alone.text, "abstained": alone.abstained,
                 "quotes": [c.quote for c in alone.citations]}
            )  # fmt: skip
        records.append(record)
        history += [
            {"role": "user", "content": item.question},
            {"role": "assistant", "content": answer.text},
        ]
        if progress:
            progress(1)
    return score(records), records
