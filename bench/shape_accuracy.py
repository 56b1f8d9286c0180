"""How often the regular-expression shape classifier is right, on labelled questions.

Labelled sets: ``bench/shape_questions.jsonl`` (varied phrasings written for this
check) and the answerable questions of ``bench/seed_questions.jsonl``. Prints the
accuracy per shape, the confusions, and the cost per question.

Usage:
    python bench/shape_accuracy.py
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from qa.answer.shapes import classify

ROOT = Path(__file__).resolve().parent


def labelled() -> list[tuple[str, str]]:
    rows = []
    for name in ("shape_questions.jsonl", "seed_questions.jsonl"):
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            for item in row.get("turns", [row]):
                if item.get("shape"):
                    rows.append((item["question"], item["shape"]))
    return rows


def main() -> None:
    rows = labelled()
    start = time.perf_counter()
    predicted = [classify(q).value for q, _ in rows]
    per_question_us = (time.perf_counter() - start) / len(rows) * 1e6
    right = Counter(gold for (_, gold), p in zip(rows, predicted, strict=True) if p == gold)
    total = Counter(gold for _, gold in rows)
    print(f"{len(rows)} labelled questions, {per_question_us:.0f} µs each")
    for shape in sorted(total):
        print(f"  {shape:8} {right[shape]:>3}/{total[shape]:<3} {right[shape] / total[shape]:.3f}")
    print(
        f"  {'all':8} {sum(right.values()):>3}/{len(rows):<3} {sum(right.values()) / len(rows):.3f}"
    )
    for (question, gold), p in zip(rows, predicted, strict=True):
        if p != gold:
            print(f"  wrong: {question!r}: {p} (labelled {gold})")


if __name__ == "__main__":
    main()
