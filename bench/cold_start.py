"""Cold start of the chat window: from ``qa ui`` to a page, and to the first model answer.

Builds an index of ``seeds/`` in a temporary folder (not timed), then starts
``qa ui`` as a subprocess on a free loopback port ``--runs`` times. Each run
measures, from the moment the process is started:

* **page**: the first ``GET /`` that returns HTTP 200 (goal: <= 5 s);
* **answer**: a question sent through ``gradio_client`` as soon as the page is
  up, answered by the model (no fallback notice) (goal: <= 25 s).

Run 1 is a first start (no saved article prefix for this index); later runs
restore the prefix that run 1 saved. The saved prefixes of the temporary index
are deleted at the end.

Usage:
    python bench/cold_start.py [--backend embedded] [--runs 2] [--slots N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "Who is Pete Hegseth?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_ui(index: Path, backend: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``qa ui`` on a free port; returns the process and its URL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "qa.cli", "--index-dir", str(index), "ui",
         "--port", str(port), "--backend", backend],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=env,
    )  # fmt: skip
    return proc, f"http://127.0.0.1:{port}/"


def wait_for_page(url: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"qa ui exited with status {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"no page at {url} within {timeout:.0f} s")


def one_run(index: Path, backend: str, env: dict[str, str]) -> dict[str, Any]:
    from gradio_client import Client

    start = time.monotonic()
    proc, url = start_ui(index, backend, env)
    try:
        wait_for_page(url, proc)
        page = time.monotonic() - start
        client = Client(url, verbose=False)
        answer: dict[str, Any] = client.predict(QUESTION, "", backend, api_name="/ask")
        total = time.monotonic() - start
        return {
            "page_s": page,
            "answer_s": total,
            "notice": answer.get("notice"),
            "abstained": answer.get("abstained"),
            "text": str(answer.get("text", ""))[:70],
        }
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="embedded", choices=["embedded", "extractive"])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--slots", type=int, help="QA_LLM_SLOTS for the app (default: its own)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="qa-cold-"))
    index = tmp / "index"
    env = {**os.environ, "QA_UPLOAD_DIR": str(tmp / "uploads")}
    if args.slots:
        env["QA_LLM_SLOTS"] = str(args.slots)
    subprocess.run(
        [sys.executable, "-m", "qa.cli", "--index-dir", str(index), "index", str(ROOT / "seeds")],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=env,
    )  # fmt: skip
    print(f"backend {args.backend}; goals: page <= 5 s, first model answer <= 25 s")
    print(f"{'run':<14}{'page s':>8}{'answer s':>10}  model answer")
    try:
        for i in range(args.runs):
            result = one_run(index, args.backend, env)
            label = "first start" if i == 0 else "repeat start"
            by_model = args.backend == "embedded" and not result["notice"]
            print(
                f"{label:<14}{result['page_s']:>8.1f}{result['answer_s']:>10.1f}  "
                f"{'yes' if by_model else 'no'}: {result['text']!r}"
                + (f" (notice: {result['notice']})" if result["notice"] else "")
            )
    finally:
        from qa.llm.models import forget_prefixes

        forget_prefixes(index)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
