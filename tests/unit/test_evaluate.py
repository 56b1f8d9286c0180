"""Evaluation metrics and data loading."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.errors import InputError
from qa.evaluation.dataset import load_eval
from qa.evaluation.scoring import contains_answer, is_correct, normalize_answer, score, token_f1
from qa.settings import PROJECT_ROOT

SQUAD = PROJECT_ROOT.parent / "shared" / "eval" / "squad2_normans.json"


def test_normalisation_and_f1() -> None:
    assert normalize_answer("The  Normans!") == "normans"
    assert token_f1("the 10th century", "10th century") == 1.0
    assert token_f1("in the 10th century", "10th century") == pytest.approx(0.8)
    assert token_f1("Rollo", "Richard") == 0.0
    assert contains_answer(
        "They came from Denmark, Iceland and Norway [1].", ["Denmark, Iceland and Norway"]
    )
    assert not contains_answer("Norwayan", ["Norway"])


def _rec(unanswerable: bool, abstained: bool, text: str = "", answers: list[str] | None = None,
         quotes: list[str] | None = None, hit: bool = True) -> dict:  # fmt: skip
    return {
        "unanswerable": unanswerable, "abstained": abstained, "text": text, "answers": answers or [],
        "quotes": quotes or [], "retrieval_hit": hit, "total_ms": 100.0, "first_token_ms": 50.0,
    }  # fmt: skip


def test_score() -> None:
    records = [
        _rec(False, False, "Rollo led them", ["Rollo"], ["The leader was Rollo."]),
        _rec(False, False, "Richard", ["Rollo"], ["Richard came."], hit=False),
        _rec(False, True, answers=["France"]),
        _rec(True, True),
        _rec(True, False, "made up"),
    ]
    m = score(records)
    assert m["answerable_accuracy"] == pytest.approx(1 / 3)
    assert m["false_abstention"] == pytest.approx(1 / 3)
    assert m["unanswerable_abstention"] == pytest.approx(0.5)
    assert m["citation_support"] == pytest.approx(0.5)
    assert m["recall_at_k"] == pytest.approx(2 / 3)


def test_a_yes_no_answer_of_the_wrong_polarity_is_wrong() -> None:
    answers = ["no", "very challenging"]
    assert not is_correct(_rec(False, False, "Yes, it will be very challenging [1].", answers))
    assert is_correct(_rec(False, False, "No, it will be very challenging [1].", answers))
    # No "Yes"/"No" at all: judged on the content, as any answer.
    assert is_correct(_rec(False, False, "It will be very challenging [1].", answers))


@pytest.mark.skipif(not SQUAD.exists(), reason="shared eval data not present")
def test_load_squad() -> None:
    data = load_eval(SQUAD)
    assert len(data.items) == 208
    assert sum(i.unanswerable for i in data.items) == 112
    assert data.articles[0].article_id == "eval-normans"
    # Headlines longer than an article id allows are cut to fit (they used to fail).
    news = load_eval(PROJECT_ROOT / "bench" / "news_questions.json")
    assert all(len(a.article_id) <= 63 for a in news.articles) and len(news.articles) == 47
    assert sum(i.unanswerable for i in news.items) == 212


def test_load_jsonl_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(
        json.dumps({"question": "Who?", "answers": ["X"], "unanswerable": False}) + "\n"
    )
    assert load_eval(path).items[0].answers == ["X"]
    path.write_text("{not json\n")
    with pytest.raises(InputError, match="line 1"):
        load_eval(path)
    with pytest.raises(InputError, match="No such"):
        load_eval(tmp_path / "missing.json")
