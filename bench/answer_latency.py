"""Answer latency and a side-by-side against a plain LangChain RAG baseline.

Part 1, latency (seed article, warm, 2 CPU cores): p50/p95 full answer and
first-token p50 for the embedded backend (goals: <= 4 s, <= 1.5 s) and p50
for the extractive backend (goal: <= 150 ms).

Part 2, quality and latency against the baseline (vector top-4, stuff
prompt, same model, no verification) in the same run: on the seed-article
questions in ``bench/seed_questions.jsonl`` and on the first ``--squad-limit``
SQuAD 2.0 Normans questions. Prints a table and saves
``bench/out/baseline_comparison.png``.

Usage:
    python bench/answer_latency.py [--squad-limit 40] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED_QUESTIONS = ROOT / "bench" / "seed_questions.jsonl"
SQUAD = ROOT.parent / "shared" / "eval" / "squad2_normans.json"
OUT = ROOT / "bench" / "out"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latency(settings: Any, backend: str, questions: list[str]) -> dict[str, float]:
    from qa.chain import ArticleQA

    bot = ArticleQA(settings=settings, backend=backend)
    bot.warm_up()
    bot.ask(questions[0])  # warm: model loaded, article prefix cached
    totals, firsts = [], []
    for q in questions:
        start = time.perf_counter()
        stream = bot.stream(q)
        first = None
        for _ in stream:
            first = first if first is not None else time.perf_counter() - start
        totals.append((time.perf_counter() - start) * 1000)
        firsts.append((first or 0.0) * 1000)
    return {
        "p50_ms": statistics.median(totals),
        "p95_ms": pct(totals, 0.95),
        "first_token_p50_ms": statistics.median(firsts),
    }


def chart(rows: dict[str, dict[str, dict[str, float]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = ["answerable_accuracy", "citation_support", "unanswerable_abstention"]
    fig, axes = plt.subplots(1, len(rows) + 1, figsize=(5 * (len(rows) + 1), 4))
    for ax, (dataset, by_pipe) in zip(axes, rows.items(), strict=False):
        width = 0.38
        for i, (pipe, m) in enumerate(by_pipe.items()):
            xs = [x + i * width for x in range(len(metrics))]
            ax.bar(xs, [m[k] for k in metrics], width, label=pipe)
        ax.set_xticks([x + width / 2 for x in range(len(metrics))])
        ax.set_xticklabels(["accuracy", "citation\nsupport", "abstention\n(unanswerable)"])
        ax.set_ylim(0, 1)
        ax.set_title(dataset)
        ax.legend()
    ax = axes[-1]
    names = list(rows)
    for i, pipe in enumerate(["qa", "baseline"]):
        ax.bar(
            [x + i * 0.38 for x in range(len(names))],
            [rows[n][pipe]["p50_ms"] / 1000 for n in names],
            0.38,
            label=pipe,
        )
    ax.set_xticks([x + 0.19 for x in range(len(names))])
    ax.set_xticklabels(names)
    ax.set_ylabel("p50 answer latency (s)")
    ax.set_title("latency")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad-limit", type=int, default=40)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()

    from qa.evaluate import load_eval, run_eval
    from qa.settings import Settings

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(index_dir=Path(tmp) / "index")
        seed = load_eval(SEED_QUESTIONS)
        questions = [i.question for i in seed.items]
        print("== Latency: seed article, warm, this machine")
        result = {}
        for backend in ("embedded", "extractive"):
            result[backend] = latency(settings, backend, questions)
            r = result[backend]
            print(
                f"{backend:<11} p50 {r['p50_ms']:7.0f} ms   p95 {r['p95_ms']:7.0f} ms   "
                f"first token p50 {r['first_token_p50_ms']:6.0f} ms   ({len(questions)} questions)"
            )
        report: dict[str, Any] = {"latency": result}
        if not args.skip_baseline:
            rows: dict[str, dict[str, dict[str, float]]] = {}
            sets = {
                "seed article": seed,
                f"SQuAD Normans (first {args.squad_limit})": load_eval(SQUAD),
            }
            for name, data in sets.items():
                limit = args.squad_limit if data.articles else None
                rows[name] = {}
                for pipeline in ("qa", "baseline"):
                    metrics, _ = run_eval(data, settings, pipeline=pipeline, limit=limit)
                    rows[name][pipeline] = metrics
            keys = ["answerable_accuracy", "citation_support", "unanswerable_abstention",
                    "false_abstention", "token_f1", "p50_ms", "first_token_p50_ms"]  # fmt: skip
            print("\n== This product (qa) vs plain LangChain RAG (baseline), same model, same run")
            for name, by_pipe in rows.items():
                print(f"\n-- {name}")
                print(f"{'metric':<26}{'qa':>10}{'baseline':>10}")
                for k in keys:
                    a, b = by_pipe["qa"][k], by_pipe["baseline"][k]
                    fmt = "{:>10.0f}" if k.endswith("_ms") else "{:>10.3f}"
                    print(f"{k:<26}" + fmt.format(a) + fmt.format(b))
                ratio = by_pipe["qa"]["p50_ms"] / max(by_pipe["baseline"]["p50_ms"], 1e-9)
                print(f"{'latency ratio qa/baseline':<26}{ratio:>10.2f}")
            chart(rows, OUT / "baseline_comparison.png")
            print(f"\nChart: {OUT / 'baseline_comparison.png'}")
            report["comparison"] = rows
        (OUT / "answer_latency.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
