"""This product against a plain LangChain RAG baseline and an extractive sentence picker.

All three answer the same questions in the same run, with the same model where one is
used: ``qa`` (the staged answer path, embedded backend), ``baseline`` (vector top-4,
the classic "stuff" prompt, no verification; its four passages count as its
citations, which is generous to it) and ``extractive`` (this product's BM25-weighted
sentence picker, no model). Prints the metrics of each and saves a chart of
correct-and-cited, false abstention and unanswerable abstention.

Data sets, each run in the mode named:
    seed        bench/seed_questions.jsonl (whole-article mode: the seed is short)
    news        bench/news_questions.json, the news dev stories (whole-article mode)
    squad-topk  SQuAD 2.0 Normans, one long article (top-k passages)
    squad-whole SQuAD 2.0 Normans cut into articles of <= 6,000 characters (whole article)

Usage:
    python bench/compare.py seed news squad-whole squad-topk [--squad-limit N] [--chart docs/answer_comparison.png]
    python bench/compare.py squad-topk --pipelines baseline extractive   # merge into an earlier run
    python bench/compare.py --chart docs/answer_comparison.png           # chart what was run
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED_QUESTIONS = ROOT / "bench" / "seed_questions.jsonl"
NEWS_QUESTIONS = ROOT / "bench" / "news_questions.json"
DATASETS = ("seed", "news", "squad-whole", "squad-topk")
SQUAD = ROOT.parent / "shared" / "eval" / "squad2_normans.json"
OUT = ROOT / "bench" / "out"
METRICS = [
    "correct_and_cited",
    "answerable_accuracy",
    "false_abstention",
    "unanswerable_abstention",
]
PIPELINES = ["qa", "baseline", "extractive"]


def run(
    dataset: str, limit: int | None, index_dir: Path, pipelines: list[str]
) -> dict[str, dict[str, Any]]:
    from qa.evaluation.dataset import load_eval, split_articles
    from qa.evaluation.run import run_eval
    from qa.llm.models import chat_model
    from qa.settings import Settings

    if dataset == "seed":
        evalset = load_eval(SEED_QUESTIONS)
    elif dataset == "news":
        evalset = load_eval(NEWS_QUESTIONS)
    else:
        evalset = load_eval(SQUAD)
        if dataset == "squad-whole":
            evalset = split_articles(evalset, 6000)
    settings = Settings(index_dir=index_dir, backend="embedded")
    if dataset == "squad-topk":
        settings = settings.updated(full_article_chars=0)
    llm = chat_model(settings)
    out: dict[str, dict[str, Any]] = {}
    for pipeline in pipelines:
        if pipeline == "extractive":
            metrics, records = run_eval(
                evalset, settings.updated(backend="extractive"), limit=limit
            )
        else:
            metrics, records = run_eval(evalset, settings, pipeline=pipeline, limit=limit, llm=llm)
        out[pipeline] = {"metrics": metrics, "records": records}
        print(f"{dataset:12} {pipeline:10} " + "  ".join(f"{k} {metrics[k]:.3f}" for k in METRICS))
        print(f"{'':12} {'':10} p50 {metrics['p50_ms']:.0f} ms, p95 {metrics['p95_ms']:.0f} ms")
    return out


def chart(results: dict[str, dict[str, dict[str, Any]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = ["correct and\ncited", "false\nabstention", "unanswerable\nabstention"]
    keys = ["correct_and_cited", "false_abstention", "unanswerable_abstention"]
    cols = min(2, len(results))
    rows = -(-len(results) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.5 * cols, 3.8 * rows + 0.4), squeeze=False)
    for ax in axes.flat[len(results) :]:
        ax.set_visible(False)
    width = 0.27
    for ax, (dataset, by_pipe) in zip(axes.flat, results.items(), strict=False):
        for i, (pipe, result) in enumerate(by_pipe.items()):
            values = [result["metrics"][k] for k in keys]
            xs = [x + (i - 1) * width for x in range(len(keys))]
            bars = ax.bar(xs, values, width, label=pipe)
            ax.bar_label(bars, fmt="%.2f", fontsize=7)
        ax.set_xticks(range(len(keys)))
        ax.set_xticklabels(labels)
        ax.set_ylim(0, 1.1)
        ax.set_title(dataset)
        ax.legend(fontsize=8)
    fig.suptitle(
        "qa vs plain LangChain RAG vs extractive picker: same questions, same model", fontsize=10
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # No ``choices``: argparse rejects an empty list against them (charting only).
    parser.add_argument("datasets", nargs="*", help=", ".join(DATASETS))
    parser.add_argument("--squad-limit", type=int, help="Only the first N SQuAD questions.")
    parser.add_argument(
        "--pipelines",
        nargs="+",
        choices=PIPELINES,
        default=PIPELINES,
        help="Run only these (results merge into bench/out/compare_<set>.json, so one set "
        "can be completed in two processes).",
    )
    parser.add_argument("--chart", type=Path, default=OUT / "answer_comparison.png")
    args = parser.parse_args()
    unknown = set(args.datasets) - set(DATASETS)
    if unknown:
        parser.error(f"unknown data set(s): {', '.join(sorted(unknown))}")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for dataset in args.datasets:
            limit = args.squad_limit if dataset.startswith("squad") else None
            result = run(dataset, limit, Path(tmp) / dataset, args.pipelines)
            path = OUT / f"compare_{dataset}.json"
            merged = json.loads(path.read_text()) if path.exists() else {}
            merged.update(result)
            path.write_text(json.dumps(merged, indent=1, default=str))
    results = {}
    for dataset in DATASETS:
        path = OUT / f"compare_{dataset}.json"
        if path.exists():
            by_pipe = json.loads(path.read_text())
            results[dataset] = {p: by_pipe[p] for p in PIPELINES if p in by_pipe}
    chart(results, args.chart)
    print(f"chart: {args.chart}")


if __name__ == "__main__":
    main()
