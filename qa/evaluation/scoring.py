"""Scoring answers against gold data: per-question checks and the metrics.

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

import re
import statistics
import string
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from qa.answer.polarity import lead


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
    # A yes/no answer that says the opposite is wrong, whatever else it contains
    # ("Yes, breaking the deadlock will be very challenging").
    polarity = next((a for a in record["answers"] if a.lower() in ("yes", "no")), None)
    if polarity and lead(record["text"]) not in (None, polarity.lower()):
        return False
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
