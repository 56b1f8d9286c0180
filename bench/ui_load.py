"""Load on the running chat window through ``gradio_client``.

20 concurrent sessions, 3 questions each, against the app's ``/ask`` API, for
the extractive and the embedded backend. Prints answered / failed / p50 / p95.
Goal: 60 of 60 answered, 0 failed, for both.

Usage (the app must be running, e.g. ``make run`` or ``qa ui``):
    python bench/ui_load.py [--url http://127.0.0.1:7860/] [--sessions 20] [--questions 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

QUESTIONS = [
    "Who is Pete Hegseth?",
    "Where did Trump and Zelensky meet?",
    "What does the US peace plan request that Russia give the US?",
    "How many disagreements surfaced during the negotiations?",
    "What is the GDP of Ukraine?",
    "Where was the article originally published?",
]


def session(url: str, backend: str, n: int, offset: int) -> list[tuple[bool, float, str]]:
    from gradio_client import Client

    client = Client(url, verbose=False)
    results = []
    for i in range(n):
        question = QUESTIONS[(offset + i) % len(QUESTIONS)]
        start = time.perf_counter()
        try:
            answer: Any = client.predict(question, "", backend, api_name="/ask")
            ok = isinstance(answer, dict) and bool(answer.get("text"))
            results.append((ok, time.perf_counter() - start, "" if ok else repr(answer)[:80]))
        except Exception as exc:  # a failed request is what we count
            results.append(
                (False, time.perf_counter() - start, f"{type(exc).__name__}: {exc}"[:120])
            )
    return results


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:7860/")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument("--backends", nargs="+", default=["extractive", "embedded"])
    args = parser.parse_args()
    print(f"{'backend':<11}{'answered':>9}{'failed':>8}{'p50 s':>8}{'p95 s':>8}{'wall s':>8}")
    for backend in args.backends:
        start = time.perf_counter()
        with ThreadPoolExecutor(args.sessions) as pool:
            futures = [
                pool.submit(session, args.url, backend, args.questions, i)
                for i in range(args.sessions)
            ]
            results = [r for f in futures for r in f.result()]
        wall = time.perf_counter() - start
        times = [t for ok, t, _ in results if ok]
        failed = [why for ok, _, why in results if not ok]
        print(
            f"{backend:<11}{len(times):>9}{len(failed):>8}{statistics.median(times) if times else 0:>8.2f}"
            f"{pct(times, 0.95):>8.2f}{wall:>8.1f}"
        )
        for why in failed[:3]:
            print("   failure:", why)


if __name__ == "__main__":
    main()
