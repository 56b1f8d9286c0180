"""Soak: many questions from concurrent clients; no failures, no lost answers, flat memory.

Phases (each prints questions / answered / failed / lost / p50, and RSS at the start,
half-way and at the end of the phase, with the growth over its second half; RSS is
that of the answering process and its descendants, the llama.cpp server included):

1. Python API, extractive backend: 1,000 questions from 10 threads sharing one ArticleQA.
2. The chat window (a ``qa ui`` subprocess), extractive backend: 1,000 questions from 10
   ``gradio_client`` sessions; RSS is the server process's.
3. Python API, embedded backend: 100 questions from 10 threads.

The defaults are twice the first version's (500 / 500 / 50). Goal: growth over
the second half of each phase under 2% (memory flat once warm).
A *lost* answer is a request that returned without an exception but without an answer text.

Usage:
    python bench/soak.py [--api 1000] [--ui 1000] [--embedded 100] [--clients 10]
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from ui_load import QUESTIONS, process_tree  # noqa: E402


def rss_mb(pid: int | None = None) -> float:
    """Resident memory of ``pid`` (default: this process) and its descendants (the
    llama.cpp server process), in MB."""
    total = 0
    for each in process_tree(pid or os.getpid()):
        status = Path(f"/proc/{each}/status").read_text()
        total += int(next(x for x in status.splitlines() if x.startswith("VmRSS:")).split()[1])
    return total / 1024


Outcome = tuple[int, int, int, list[float], list[float]]


def hammer(ask: Callable[[str], Any], total: int, clients: int, pid: int | None = None) -> Outcome:
    """Ask ``total`` questions from ``clients`` threads; RSS of ``pid`` is read after
    every answer, so the phase's RSS curve is indexed by questions done."""
    done = 0
    lock = threading.Lock()
    errors: list[str] = []
    rss = [rss_mb(pid)] + [0.0] * total

    def one(i: int) -> tuple[str, float]:
        nonlocal done
        start = time.perf_counter()
        try:
            text = ask(QUESTIONS[i % len(QUESTIONS)])
            outcome = "ok" if text else "lost"
        except Exception as exc:
            outcome = "failed"
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}"[:160])
        elapsed = time.perf_counter() - start
        with lock:
            done += 1
            rss[done] = rss_mb(pid)
        return outcome, elapsed

    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(one, range(total)))
    times = [t for r, t in results if r == "ok"]
    for error in errors[:3]:
        print("   failure:", error, flush=True)
    return (
        len(times),
        sum(r == "failed" for r, _ in results),
        sum(r == "lost" for r, _ in results),
        times,
        rss,
    )


def report(name: str, total: int, result: Outcome) -> None:
    ok, failed, lost, times, rss = result
    p50 = statistics.median(times) if times else 0.0
    # The second half: from the RSS after half the questions to the RSS after all.
    half, end = rss[len(rss) // 2], rss[-1]
    growth = (end - half) / half * 100
    print(
        f"{name:<26}{total:>6}{ok:>9}{failed:>7}{lost:>6}{p50 * 1000:>9.0f}"
        f"{rss[0]:>8.0f}{half:>8.0f}{end:>8.0f}{growth:>+9.2f}%",
        flush=True,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", type=int, default=1000)
    parser.add_argument("--ui", type=int, default=1000)
    parser.add_argument("--embedded", type=int, default=100)
    parser.add_argument("--clients", type=int, default=10)
    args = parser.parse_args()

    from qa.chain import ArticleQA
    from qa.settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="qa-soak-"))
    atexit.register(shutil.rmtree, tmp, True)
    # No answer cache: the six questions repeat, and the soak is of the answer path.
    settings = Settings(index_dir=tmp / "index", upload_dir=tmp / "uploads", answer_cache=0)
    print(
        f"{'phase':<26}{'asked':>6}{'answered':>9}{'failed':>7}{'lost':>6}{'p50 ms':>9}"
        f"{'RSS MB':>8}{'half':>8}{'end':>8}{'2nd half':>10}"
    )

    if args.api:
        bot = ArticleQA(settings=settings, backend="extractive")
        bot.ask(QUESTIONS[0])
        result = hammer(lambda q: bot.ask(q).text, args.api, args.clients)
        report("API, extractive", args.api, result)

    if args.ui:
        from gradio_client import Client

        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "qa.cli", "--index-dir", str(tmp / "index"), "ui",
             "--port", str(port), "--backend", "extractive"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
            env={**os.environ, "QA_ANSWER_CACHE": "0"},
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}/"
            deadline = time.time() + 120
            while True:
                try:
                    warm = Client(url, verbose=False)
                    warm.predict(QUESTIONS[0], "", "extractive", api_name="/ask")
                    break
                except Exception:
                    if time.time() > deadline:
                        raise
                    time.sleep(1)
            # One client (session) per thread: a Client shared by threads at once
            # occasionally cancels one of their jobs (CancelledError, a client-side flake).
            local = threading.local()

            def ask_ui(q: str) -> str:
                if not hasattr(local, "client"):
                    local.client = Client(url, verbose=False)
                return str(local.client.predict(q, "", "extractive", api_name="/ask")["text"])

            result = hammer(ask_ui, args.ui, args.clients, server.pid)
            report("UI (gradio_client), extr.", args.ui, result)
        finally:
            server.terminate()
            server.wait(timeout=30)

    if args.embedded:
        bot = ArticleQA(settings=settings, backend="embedded")
        from qa.llm.models import forget_prefixes
        from qa.llm.warmup import warm_up

        warm_up(bot)  # the model, and the article prefix in every slot
        try:
            result = hammer(lambda q: bot.ask(q).text, args.embedded, args.clients)
        finally:
            forget_prefixes(settings.store.index_dir, settings)
        report("API, embedded", args.embedded, result)


if __name__ == "__main__":
    main()
