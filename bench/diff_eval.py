"""Compare two ``qa eval --out`` reports question by question.

A refactor should leave every answer as it was: this prints, for each pair of
reports, how many records differ in what people see (text, abstention, source,
quotes, shape) or in retrieval, the metrics that differ (latencies aside) and
whether the quote-threshold curves match, then the questions that differ.

Usage:
    python bench/diff_eval.py BEFORE.json AFTER.json [BEFORE2.json AFTER2.json ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

FIELDS = ["text", "abstained", "source", "quotes", "answered_shape", "retrieval_hit"]


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, str, Any, Any]]:
    """(question, field, before, after) for every field that differs."""
    if len(before["records"]) != len(after["records"]):
        raise SystemExit("the reports hold different numbers of questions")
    return [
        (a["question"], field, a.get(field), b.get(field))
        for a, b in zip(before["records"], after["records"], strict=True)
        for field in FIELDS
        if a.get(field) != b.get(field)
    ]


def main(paths: list[str]) -> None:
    if len(paths) < 2 or len(paths) % 2:
        raise SystemExit(__doc__)
    for before_path, after_path in zip(paths[::2], paths[1::2], strict=True):
        before = json.loads(Path(before_path).read_text())
        after = json.loads(Path(after_path).read_text())
        changes = diff(before, after)
        questions = sorted({question for question, *_ in changes})
        metrics = {
            name: (value, after["metrics"].get(name))
            for name, value in before["metrics"].items()
            if not name.endswith("_ms") and "latency" not in name
            and after["metrics"].get(name) != value
        }  # fmt: skip
        print(f"{before_path} -> {after_path}")
        print(f"  records: {len(before['records'])}, differing: {len(questions)}")
        print(f"  metrics that differ (latency aside): {metrics or 'none'}")
        print(f"  threshold curve identical: {before.get('curve') == after.get('curve')}")
        for question, field, old, new in changes:
            print(f"  - {question} [{field}]\n      before: {old}\n      after:  {new}")


if __name__ == "__main__":
    main(sys.argv[1:])
