"""Load on the chat window through ``gradio_client``: many sessions at once.

20 concurrent sessions, 3 questions each, against the app's ``/ask`` API.
By default the script starts ``qa ui`` itself, once per slot count in
``--slots`` (``QA_LLM_SLOTS``; 1 is the single-slot server of before) and answer
cache size in ``--cache`` (``QA_ANSWER_CACHE``; 0: every question is answered
afresh by the model, which is the model's own throughput; the six questions
repeat across sessions, as readers of one article do, so with the cache most
are answered from memory), on a
temporary index of ``seeds/``, waits until the model is warm, runs the load and
reads the peak RSS (``VmHWM``) of the app and of its llama.cpp process, summed.
It prints, per slot count and backend: answered (any text), by model (no
fallback notice), failed, p50 / p95 seconds, wall seconds and peak RSS, then
the ratios against the first slot count of the same run.

Goals (embedded, 20 x 3): 60/60 answered by the model, p50 <= 8 s, p95 <= 15 s,
peak RSS <= 3 GB.

Usage:
    python bench/ui_load.py [--slots 1 4] [--cache 0 256] [--backends embedded]
                            [--sessions 20] [--questions 3]
    python bench/ui_load.py --url http://127.0.0.1:7860/   # an app that is already running
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "Who is Pete Hegseth?",
    "Where did Trump and Zelensky meet?",
    "What does the US peace plan request that Russia give the US?",
    "How many disagreements surfaced during the negotiations?",
    "What is the GDP of Ukraine?",
    "Where was the article originally published?",
]
#: Asked once before the load (it waits for the warm-up); not one of QUESTIONS, so
#: that no answer of the load is in the cache before it starts.
WARM_QUESTION = "Who is Zelensky?"


@dataclass
class Result:
    ok: bool
    by_model: bool
    seconds: float
    why: str = ""


@dataclass
class Run:
    slots: str
    backend: str
    results: list[Result]
    wall: float
    peak_rss_mb: float | None

    @property
    def times(self) -> list[float]:
        return [r.seconds for r in self.results if r.ok]


def session(url: str, backend: str, n: int, offset: int) -> list[Result]:
    from gradio_client import Client

    client = Client(url, verbose=False)
    results = []
    for i in range(n):
        question = QUESTIONS[(offset + i) % len(QUESTIONS)]
        start = time.perf_counter()
        try:
            answer: Any = client.predict(question, "", backend, api_name="/ask")
            ok = isinstance(answer, dict) and bool(answer.get("text"))
            by_model = ok and backend != "extractive" and not answer.get("notice")
            why = "" if ok else repr(answer)[:80]
            if ok and not by_model and backend != "extractive":
                why = f"notice: {answer.get('notice')}"
            results.append(Result(ok, by_model, time.perf_counter() - start, why))
        except Exception as exc:  # a failed request is what we count
            why = f"{type(exc).__name__}: {exc}"[:120]
            results.append(Result(False, False, time.perf_counter() - start, why))
    return results


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (the app and its llama.cpp server process)."""
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(c) for c in (task / "children").read_text().split()]
    return [pid] + [p for child in children for p in process_tree(child)]


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (``VmHWM``) of ``pid`` and its descendants, summed, in MB.

    The sum of each process's own peak: an upper bound of their peak together.
    """
    total = 0
    for each in process_tree(pid):
        status = Path(f"/proc/{each}/status").read_text()
        total += int(next(x for x in status.splitlines() if x.startswith("VmHWM:")).split()[1])
    return total / 1024


def load(url: str, backend: str, sessions: int, questions: int) -> tuple[list[Result], float]:
    start = time.perf_counter()
    with ThreadPoolExecutor(sessions) as pool:
        futures = [pool.submit(session, url, backend, questions, i) for i in range(sessions)]
        results = [r for f in futures for r in f.result()]
    return results, time.perf_counter() - start


def spawn(index: Path, slots: int, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    from cold_start import free_port, wait_for_page

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "qa.cli", "--index-dir", str(index), "ui", "--port", str(port),
         "--backend", "embedded", "--slots", str(slots)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    wait_for_page(url, proc)
    return proc, url


def warm(url: str) -> None:
    """One embedded question: it waits for the warm-up, so the load starts warm."""
    from gradio_client import Client

    Client(url, verbose=False).predict(WARM_QUESTION, "", "embedded", api_name="/ask")


def print_run(run: Run) -> None:
    times = run.times
    by_model = sum(r.by_model for r in run.results)
    failed = [
        r.why for r in run.results if not r.ok or (run.backend != "extractive" and not r.by_model)
    ]
    rss = f"{run.peak_rss_mb:>10.0f}" if run.peak_rss_mb else f"{'-':>10}"
    print(
        f"{run.slots:<12}{run.backend:<11}{len(times):>9}{by_model if run.backend != 'extractive' else '-':>9}"
        f"{sum(not r.ok for r in run.results):>8}{statistics.median(times) if times else 0:>8.2f}"
        f"{pct(times, 0.95):>8.2f}{run.wall:>8.1f}{rss}",
        flush=True,
    )
    for why in failed[:3]:
        print("   not by model:", why, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="Load an app that is already running instead.")
    parser.add_argument("--slots", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--cache", type=int, nargs="+", default=[0, 256], help="answer cache sizes")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument("--backends", nargs="+", default=["embedded"])
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))

    header = f"{'slots/cache':<12}{'backend':<11}{'answered':>9}{'by model':>9}{'failed':>8}{'p50 s':>8}{'p95 s':>8}{'wall s':>8}{'peak RSS MB':>12}"
    print(f"{args.sessions} sessions x {args.questions} questions")
    print(header)
    runs: list[Run] = []
    if args.url:
        for backend in args.backends:
            results, wall = load(args.url, backend, args.sessions, args.questions)
            runs.append(Run("?", backend, results, wall, None))
            print_run(runs[-1])
        return

    tmp = Path(tempfile.mkdtemp(prefix="qa-load-"))
    index = tmp / "index"
    env = {**os.environ, "QA_UPLOAD_DIR": str(tmp / "uploads")}
    subprocess.run(
        [sys.executable, "-m", "qa.cli", "--index-dir", str(index), "index", str(ROOT / "seeds")],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        for slots in args.slots:
            for cache in args.cache:
                proc, url = spawn(index, slots, {**env, "QA_ANSWER_CACHE": str(cache)})
                try:
                    warm(url)
                    for backend in args.backends:
                        results, wall = load(url, backend, args.sessions, args.questions)
                        label = f"{slots}/{cache}"
                        runs.append(Run(label, backend, results, wall, peak_rss_mb(proc.pid)))
                        print_run(runs[-1])
                finally:
                    proc.terminate()
                    proc.wait(timeout=60)
    finally:
        from qa.llm.models import forget_prefixes

        forget_prefixes(index)
        shutil.rmtree(tmp, ignore_errors=True)

    for backend in args.backends:
        same = [r for r in runs if r.backend == backend and r.times]
        if len(same) < 2:
            continue
        base = same[0]
        for run in same[1:]:
            print(
                f"{backend}: slots/cache {run.slots} vs {base.slots}: p50 x{statistics.median(run.times) / statistics.median(base.times):.2f}, "
                f"p95 x{pct(run.times, 0.95) / pct(base.times, 0.95):.2f}, wall x{run.wall / base.wall:.2f}"
            )


if __name__ == "__main__":
    main()
