"""How often the model itself reads the right answer, before any abstention.

Answerable accuracy can never exceed the share of answerable questions for which
the model's raw output (what it generated, before the abstention gate and the
citation check) already contains a gold answer: verification and abstention only
ever remove answers (the quote fallback can add some back). This script measures that ceiling on the answerable SQuAD
2.0 questions, for this product's prompt and passages and for the
plain LangChain RAG baseline (vector top-4, stuff prompt), with the same model
in the same run.

Usage:
    python bench/reader_ceiling.py [--limit N] [--data PATH]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SQUAD = ROOT.parent / "shared" / "eval" / "squad2_normans.json"
OUT = ROOT / "bench" / "out"


def share(records: list[dict[str, Any]], key: str) -> float:
    from qa.evaluation.scoring import contains_answer

    hits = [contains_answer(str(r.get(key) or ""), r["answers"]) for r in records]
    return sum(hits) / len(hits) if hits else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SQUAD)
    parser.add_argument("--limit", type=int, default=None, help="First N answerable questions.")
    args = parser.parse_args()

    from qa.evaluation.dataset import EvalSet, load_eval
    from qa.evaluation.run import run_eval
    from qa.llm.models import chat_model
    from qa.settings import Settings

    data = load_eval(args.data)
    answerable = [i for i in data.items if not i.unanswerable][: args.limit]
    subset = EvalSet(answerable, data.articles)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        # attempt_answer (the default): the model always writes an answer to check.
        settings = Settings(index_dir=Path(tmp) / "index", attempt_answer=True)
        llm = chat_model(settings)
        report: dict[str, dict[str, float]] = {}
        for pipeline in ("qa", "baseline"):
            metrics, records = run_eval(subset, settings, pipeline=pipeline, llm=llm)
            raw_key = "raw" if pipeline == "qa" else "text"
            report[pipeline] = {
                "raw_output_contains_gold": share(records, raw_key),
                "accuracy_after_checks": metrics["answerable_accuracy"],
                "p50_ms": metrics["p50_ms"],
            }
    print(f"== Reader ceiling: {len(answerable)} answerable questions of {args.data.name}")
    print(f"{'':<28}{'qa':>14}{'baseline':>10}")
    for key in ("raw_output_contains_gold", "accuracy_after_checks", "p50_ms"):
        a, b = report["qa"][key], report["baseline"][key]
        fmt = "{:>14.0f}{:>10.0f}" if key.endswith("_ms") else "{:>14.3f}{:>10.3f}"
        print(f"{key:<28}" + fmt.format(a, b))
    (OUT / "reader_ceiling.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
