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

import dataclasses
import json
import re
import statistics
import string
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.errors import InputError
from qa.ingest.loader import Article, parse_article, slugify
from qa.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from qa.chain import ArticleQA
    from qa.evaluation.baseline import BaselineRAG


@dataclass
class EvalItem:
    """One question with its gold answers (empty for unanswerable).

    A list or summary question names ``items`` (each a list of aliases) instead:
    it is correct when its answer names ``min_items`` of them with at least
    ``min_citations`` citations. ``evidence`` are strings one cited quote must
    contain (default: the answers). Turns of a scripted conversation share a
    ``script`` number and are asked in order, each with the bot's earlier answers
    as history; ``standalone`` is the same question without history (for the
    latency ratio), and ``chat`` marks small talk.
    """

    question: str
    answers: list[str]
    unanswerable: bool
    article_id: str | None = None
    qid: str = ""
    shape: str = ""
    items: list[list[str]] = field(default_factory=list)
    min_items: int = 1
    min_citations: int = 1
    evidence: list[str] = field(default_factory=list)
    script: int | None = None
    standalone: str = ""
    chat: bool = False
    #: The SQuAD paragraph the question was written on.
    context: str = ""


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
                if "turns" in row:
                    items += [_item(t, script=n) for t in row["turns"]]
                else:
                    items.append(_item(row))
            except (ValueError, KeyError, TypeError, AttributeError):
                raise InputError(
                    f"{path.name} line {n}: expected {{question, answers, unanswerable}} "
                    "or {turns: [...]}"
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
                    EvalItem(
                        qa["question"],
                        answers,
                        impossible,
                        article_id,
                        qa["id"],
                        context=paragraph["context"].strip(),
                    )
                )
    return evalset


def _item(row: dict[str, Any], script: int | None = None) -> EvalItem:
    return EvalItem(
        str(row["question"]),
        [str(a) for a in row.get("answers", [])],
        bool(row.get("unanswerable")),
        shape=str(row.get("shape", "")),
        items=[[str(a) for a in group] for group in row.get("items", [])],
        min_items=int(row.get("min_items", 1)),
        min_citations=int(row.get("min_citations", 1)),
        evidence=[str(e) for e in row.get("evidence", [])],
        script=script,
        standalone=str(row.get("standalone", "")),
        chat=bool(row.get("chat")),
    )


def split_articles(evalset: EvalSet, max_chars: int) -> EvalSet:
    """The same questions over articles cut, at paragraph boundaries, to at most
    ``max_chars`` characters each (so each goes to the reader whole)."""
    articles: list[Article] = []
    where: dict[str, str] = {}
    for article in evalset.articles:
        title, _, body = article.original.partition("\n\n")
        chunks: list[list[str]] = [[]]
        for paragraph in body.split("\n\n"):
            if chunks[-1] and sum(len(p) + 2 for p in chunks[-1]) + len(paragraph) > max_chars:
                chunks.append([])
            chunks[-1].append(paragraph)
        for i, chunk in enumerate(chunks, 1):
            aid = f"{article.article_id}-{i}"
            text = "\n\n".join(chunk)
            articles.append(parse_article(f"{title} ({i})\n\n{text}", f"{aid}.txt", aid))
            for paragraph in chunk:
                where[paragraph.strip()] = aid
    items = []
    for item in evalset.items:
        items.append(dataclasses.replace(item, article_id=where.get(item.context, item.article_id)))
    return EvalSet(items, articles)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def is_correct(record: dict[str, Any]) -> bool:
    """Whether an answered record says what its gold data asks for."""
    if record["abstained"]:
        return False
    if record.get("items"):
        named = sum(1 for group in record["items"] if contains_any(record["text"], group))
        return bool(
            named >= record.get("min_items", 1)
            and len(record["quotes"]) >= record.get("min_citations", 1)
        )
    return contains_answer(record["text"], record["answers"])


def is_cited(record: dict[str, Any]) -> bool:
    """Whether a cited quote holds the gold answer (or, for lists, enough citations)."""
    if record.get("items"):
        return len(record["quotes"]) >= record.get("min_citations", 1)
    wanted = record.get("evidence") or record["answers"]
    return any(contains_any(q, wanted) for q in record["quotes"])


def contains_any(text: str, answers: Iterable[str]) -> bool:
    """Like :func:`contains_answer`, also matching word prefixes ("demilitariz")."""
    norm = f" {normalize_answer(text)}"
    return contains_answer(text, answers) or any(
        f" {normalize_answer(a)}" in norm for a in answers if normalize_answer(a)
    )


def score(records: list[dict[str, Any]]) -> dict[str, float]:
    """Aggregate per-question records (see :func:`run_eval`) into the metrics."""
    chat = [r for r in records if r.get("chat")]
    records = [r for r in records if not r.get("chat")]
    ans = [r for r in records if not r["unanswerable"]]
    una = [r for r in records if r["unanswerable"]]
    answered = [r for r in ans if not r["abstained"]]
    f1s = [
        0.0
        if r["abstained"] or not r["answers"]
        else max(token_f1(r["text"], a) for a in r["answers"])
        for r in ans
    ]
    squad = f1s + [1.0 if r["abstained"] else 0.0 for r in una]

    def share(rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], bool]) -> float:
        return sum(1 for r in rows if key(r)) / len(rows) if rows else 0.0

    metrics: dict[str, float] = {
        "questions": len(records),
        "answerable": len(ans),
        "unanswerable": len(una),
        "answerable_accuracy": share(ans, is_correct),
        "correct_and_cited": share(ans, lambda r: is_correct(r) and is_cited(r)),
        "token_f1": statistics.fmean(f1s) if f1s else 0.0,
        "squad_f1": statistics.fmean(squad) if squad else 0.0,
        "false_abstention": share(ans, lambda r: r["abstained"]),
        "unanswerable_abstention": share(una, lambda r: r["abstained"]),
        "citation_support": share(answered, is_cited),
        "recall_at_k": share(ans, lambda r: r["retrieval_hit"]),
        "p50_ms": _pct([r["total_ms"] for r in records], 0.5),
        "p95_ms": _pct([r["total_ms"] for r in records], 0.95),
        "first_token_p50_ms": _pct([r["first_token_ms"] for r in records], 0.5),
    }
    lists = [r for r in ans if r.get("shape") == "list" and r.get("min_items", 1) >= 4]
    if lists:
        metrics["five_item_lists_ok"] = share(lists, is_correct)
    if chat:
        metrics["small_talk_replied"] = share(chat, lambda r: r.get("source") == "chat")
    follow = [r for r in records if r.get("standalone_ms")]
    if follow:
        metrics["follow_up_p50_ms"] = _pct([r["total_ms"] for r in follow], 0.5)
        metrics["same_standalone_p50_ms"] = _pct([r["standalone_ms"] for r in follow], 0.5)
        metrics["follow_up_latency_ratio"] = metrics["follow_up_p50_ms"] / max(
            metrics["same_standalone_p50_ms"], 1.0
        )
        metrics["follow_up_accuracy"] = share(
            [r for r in follow if not r["unanswerable"]], is_correct
        )
        metrics["same_standalone_accuracy"] = share(
            [r for r in follow if not r["unanswerable"]],
            lambda r: bool(r.get("standalone_correct")),
        )
    return metrics


def abstention_curve(
    records: list[dict[str, Any]],
    thresholds: Iterable[float] = (0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1.01),
) -> list[dict[str, float]]:
    """False vs unanswerable abstention for each quote threshold, from one run.

    Answers the reader got verified stand at every threshold; where the reader's
    claims all failed, the run recorded the best sentence and its score, so each
    threshold's outcome follows without asking again (lists quote up to three
    sentences; the curve counts only the best one).
    """
    rows = []
    plain = [r for r in records if not r.get("chat")]
    for t in thresholds:
        outcomes = []
        for r in plain:
            if r.get("source") in ("reader", "fallback") or r.get("shape") == "summary":
                outcomes.append((r["abstained"], is_correct(r)))
                continue
            quoted = r.get("quote_score") is not None and r["quote_score"] >= t
            text = r.get("quote_candidate", "") if quoted else ""
            outcomes.append((not quoted, quoted and contains_answer(text, r["answers"])))
        ans = [o for o, r in zip(outcomes, plain, strict=True) if not r["unanswerable"]]
        una = [o for o, r in zip(outcomes, plain, strict=True) if r["unanswerable"]]
        rows.append(
            {
                "quote_threshold": t,
                "answerable_accuracy": sum(c for _, c in ans) / len(ans) if ans else 0.0,
                "false_abstention": sum(a for a, _ in ans) / len(ans) if ans else 0.0,
                "unanswerable_abstention": sum(a for a, _ in una) / len(una) if una else 0.0,
            }
        )
    return rows


def format_curve(rows: list[dict[str, float]]) -> str:
    """The curve as a text table."""
    lines = ["quote_threshold  accuracy  false_abst  unans_abst"]
    for r in rows:
        lines.append(
            f"{r['quote_threshold']:>15.2f}  {r['answerable_accuracy']:>8.3f}  "
            f"{r['false_abstention']:>10.3f}  {r['unanswerable_abstention']:>10.3f}"
        )
    return "\n".join(lines)


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
