"""Answer latency on the seed article, warm, on this machine.

Standalone questions (the answerable and unanswerable ones of
``bench/seed_questions.jsonl``): p50/p95 full answer and first-token p50 for the
embedded backend (goal: p50 <= 1.5 s) and the extractive backend (goal: <= 150 ms).

Follow-ups (the scripted conversations of the same file): each follow-up turn is
asked with its history, then the same question in standalone form, back to back;
the ratio of their p50s is the cost of a turn with history (goal: <= 1.5x).

Quality against the baseline and the extractive picker lives in ``bench/compare.py``.

Usage:
    python bench/answer_latency.py
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED_QUESTIONS = ROOT / "bench" / "seed_questions.jsonl"
OUT = ROOT / "bench" / "out"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(bot: Any, question: str, history: list[dict[str, str]]) -> tuple[float, float, Any]:
    """Total and first-piece milliseconds, and the answer."""
    start = time.perf_counter()
    stream = bot.stream(question, history)
    first = None
    for _ in stream:
        first = first if first is not None else time.perf_counter() - start
    return (time.perf_counter() - start) * 1000, (first or 0.0) * 1000, stream.answer


def main() -> None:
    from qa.chain import ArticleQA
    from qa.evaluation.dataset import load_eval
    from qa.llm.warmup import warm_up
    from qa.settings import Settings

    items = load_eval(SEED_QUESTIONS).items
    standalone = [i.question for i in items if i.script is None]
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        # No answer cache: the follow-ups' standalone twins were asked before.
        settings = Settings(index_dir=Path(tmp) / "index", answer_cache=0)
        for backend in ("embedded", "extractive"):
            bot = ArticleQA(settings=settings, backend=backend)
            warm_up(bot)  # as the chat window does: embedded, the article prefix in every slot
            totals, firsts = [], []
            for q in standalone:
                total, first, _ = timed(bot, q, [])
                totals.append(total)
                firsts.append(first)
            row = {
                "p50_ms": statistics.median(totals),
                "p95_ms": pct(totals, 0.95),
                "first_token_p50_ms": statistics.median(firsts),
            }
            report[backend] = row
            print(
                f"{backend:<11} p50 {row['p50_ms']:7.0f} ms   p95 {row['p95_ms']:7.0f} ms   "
                f"first piece p50 {row['first_token_p50_ms']:6.0f} ms   ({len(standalone)} questions)"
            )
            if backend != "embedded":
                continue
            with_history, alone = [], []
            history: list[dict[str, str]] = []
            script = None
            for item in (i for i in items if i.script is not None):
                if item.script != script:
                    history, script = [], item.script
                total, _, answer = timed(bot, item.question, history)
                if item.standalone:
                    with_history.append(total)
                    alone.append(timed(bot, item.standalone, [])[0])
                history += [
                    {"role": "user", "content": item.question},
                    {"role": "assistant", "content": answer.text},
                ]
            ratio = statistics.median(with_history) / statistics.median(alone)
            report["follow_up"] = {
                "with_history_p50_ms": statistics.median(with_history),
                "standalone_p50_ms": statistics.median(alone),
                "ratio": ratio,
            }
            print(
                f"follow-ups  with history p50 {statistics.median(with_history):7.0f} ms, "
                f"same questions standalone p50 {statistics.median(alone):7.0f} ms, "
                f"ratio {ratio:.2f} ({len(alone)} turns)"
            )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "answer_latency.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
