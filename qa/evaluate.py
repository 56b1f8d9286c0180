"""Evaluation on SQuAD 2.0 JSON or simple JSONL question files.

Metrics (all in [0, 1] except latencies):

* ``answerable_accuracy``: share of answerable questions whose answer contains a
  normalised gold answer (an abstention counts as wrong);
* ``token_f1``: mean best token F1 against the gold answers over answerable
  questions (abstention = 0); ``squad_f1`` also averages unanswerable ones
  (abstention = 1, anything else = 0), as SQuAD 2.0 does;
* ``false_abstention``: share of answerable questions abstained on;
* ``unanswerable_abstention``: share of unanswerable questions abstained on;
* ``citation_support``: share of answered answerable questions with a cited
  quote containing a gold answer;
* ``recall_at_k``: share of answerable questions with a gold answer inside one
  of the top-k retrieved passages (k = 5);
* latency ``p50_ms``, ``p95_ms`` (full answer) and ``first_token_p50_ms``.

Example:
    >>> normalize_answer("The  Normans!")
    'normans'
"""

from __future__ import annotations

import json
import re
import statistics
import string
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa.errors import InputError
from qa.loader import Article, parse_article, slugify
from qa.settings import Settings


@dataclass
class EvalItem:
    """One question with its gold answers (empty for unanswerable)."""

    question: str
    answers: list[str]
    unanswerable: bool
    article_id: str | None = None
    qid: str = ""


@dataclass
class EvalSet:
    """Questions plus the articles they are about (none: the default article)."""

    items: list[EvalItem]
    articles: list[Article] = field(default_factory=list)


def normalize_answer(text: str) -> str:
    """SQuAD normalisation: lowercase, no punctuation, articles or extra spaces."""
    text = text.lower().replace("\u2019", "'")
    text = "".join(
        ch for ch in text if ch not in set(string.punctuation) | {"\u2018", "\u201c", "\u201d"}
    )
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def token_f1(prediction: str, gold: str) -> float:
    """Token-level F1 between two answers, after :func:`normalize_answer`."""
    pred, ref = normalize_answer(prediction).split(), normalize_answer(gold).split()
    common = Counter(pred) & Counter(ref)
    same = sum(common.values())
    if not pred or not ref:
        return float(pred == ref)
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(ref)
    return 2 * precision * recall / (precision + recall)


def contains_answer(text: str, answers: Iterable[str]) -> bool:
    """Whether normalised ``text`` contains any normalised gold answer."""
    norm = f" {normalize_answer(text)} "
    return any(f" {normalize_answer(a)} " in norm for a in answers if normalize_answer(a))


def load_eval(path: Path) -> EvalSet:
    """Read SQuAD 2.0 JSON (with its articles) or JSONL questions.

    Raises:
        InputError: The file is missing or in neither format.
    """
    if not path.is_file():
        raise InputError(f"No such eval file: {path}")
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        items = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                items.append(
                    EvalItem(
                        row["question"], list(row.get("answers", [])), bool(row.get("unanswerable"))
                    )
                )
            except (ValueError, KeyError, TypeError):
                raise InputError(
                    f"{path.name} line {n}: expected {{question, answers, unanswerable}}"
                ) from None
        return EvalSet(items)
    try:
        data = json.loads(text)["data"]
    except (ValueError, KeyError, TypeError):
        raise InputError(f"{path.name} is neither SQuAD 2.0 JSON nor JSONL") from None
    evalset = EvalSet([])
    for entry in data:
        article_id = "eval-" + slugify(entry["title"])
        body = "\n\n".join(p["context"].strip() for p in entry["paragraphs"])
        evalset.articles.append(
            parse_article(f"{entry['title']}\n\n{body}", f"{article_id}.txt", article_id)
        )
        for paragraph in entry["paragraphs"]:
            for qa in paragraph["qas"]:
                impossible = bool(qa.get("is_impossible"))
                answers = [] if impossible else sorted({a["text"] for a in qa["answers"]})
                evalset.items.append(
                    EvalItem(qa["question"], answers, impossible, article_id, qa["id"])
                )
    return evalset


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def score(records: list[dict[str, Any]]) -> dict[str, float]:
    """Aggregate per-question records (see :func:`run_eval`) into the metrics."""
    ans = [r for r in records if not r["unanswerable"]]
    una = [r for r in records if r["unanswerable"]]
    answered = [r for r in ans if not r["abstained"]]
    f1s = [
        0.0 if r["abstained"] else max(token_f1(r["text"], a) for a in r["answers"]) for r in ans
    ]
    squad = f1s + [1.0 if r["abstained"] else 0.0 for r in una]

    def share(rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], bool]) -> float:
        return sum(1 for r in rows if key(r)) / len(rows) if rows else 0.0

    return {
        "questions": len(records),
        "answerable": len(ans),
        "unanswerable": len(una),
        "answerable_accuracy": share(
            ans, lambda r: not r["abstained"] and contains_answer(r["text"], r["answers"])
        ),
        "token_f1": statistics.fmean(f1s) if f1s else 0.0,
        "squad_f1": statistics.fmean(squad) if squad else 0.0,
        "false_abstention": share(ans, lambda r: r["abstained"]),
        "unanswerable_abstention": share(una, lambda r: r["abstained"]),
        "citation_support": share(
            answered, lambda r: any(contains_answer(q, r["answers"]) for q in r["quotes"])
        ),
        "recall_at_k": share(ans, lambda r: r["retrieval_hit"]),
        "p50_ms": _pct([r["total_ms"] for r in records], 0.5),
        "p95_ms": _pct([r["total_ms"] for r in records], 0.95),
        "first_token_p50_ms": _pct([r["first_token_ms"] for r in records], 0.5),
    }


def format_report(metrics: dict[str, float]) -> str:
    """Metrics as aligned text lines."""
    lines = []
    for key, value in metrics.items():
        shown = f"{value:.0f}" if key.endswith("_ms") or isinstance(value, int) else f"{value:.3f}"
        lines.append(f"{key:<26}{shown:>10}")
    return "\n".join(lines)


def run_eval(
    evalset: EvalSet,
    settings: Settings,
    *,
    pipeline: str = "qa",
    limit: int | None = None,
    k: int = 5,
    progress: Callable[[int], None] | None = None,
    llm: Any = None,
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
    from qa.baseline import BaselineRAG
    from qa.chain import ArticleQA
    from qa.store import PassageStore

    items = evalset.items[:limit] if limit else evalset.items
    if evalset.articles:
        settings = settings.updated(collection="qa_eval")
    store = PassageStore(settings)
    if evalset.articles:
        store.index(evalset.articles)
    bots: dict[str | None, Any] = {}
    records = []
    for item in items:
        key = item.article_id
        if key not in bots:
            target = key if key else None
            extra = {} if llm is None else {"llm": llm}
            bot = ArticleQA(target, settings=settings, store=store, **extra)
            bots[key] = BaselineRAG(bot) if pipeline == "baseline" else bot
        bot = bots[key]
        answer = bot.ask(item.question)
        top = bot.retriever.retrieve(item.question, k=k).hits if pipeline == "qa" else answer.hits
        records.append(
            {
                "id": item.qid,
                "question": item.question,
                "answers": item.answers,
                "unanswerable": item.unanswerable,
                "text": answer.text,
                "abstained": answer.abstained,
                "quotes": [c.quote for c in answer.citations],
                "retrieval_hit": any(
                    contains_answer(h.passage.text, item.answers) for h in top[:k]
                ),
                "total_ms": answer.timings.get("total_ms", 0.0),
                "first_token_ms": answer.timings.get("first_token_ms", 0.0),
                "notice": answer.notice,
                **answer.diagnostics,
            }
        )
        if progress:
            progress(1)
    return score(records), records
