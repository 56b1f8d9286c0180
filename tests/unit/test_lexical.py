"""BM25 scoring, its saved form, the tokenizer and rank fusion, on plain passages (no Chroma)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import legacy_lexical
from qa.answer.retrieve import coverage, reciprocal_rank_fusion
from qa.settings import PROJECT_ROOT
from qa.store.lexical import BM25, normalize, terms, words

PASSAGES = [
    "The Normans were the people who in the 10th and 11th centuries gave their name to Normandy.",
    "They were descended from Norse raiders and pirates from Denmark, Iceland and Norway.",
    "Rollo, their leader, agreed to swear fealty to King Charles III of West Francia.",
    "The Norman dynasty had a major political, cultural and military impact on medieval Europe.",
    "Pete Hegseth, the US Secretary of Defense, met the Ukrainian delegation in Geneva.",
    "Trump and Zelensky met at the Vatican before the funeral of Pope Francis.",
    "The Normans were famed for their martial spirit and eventually for their Christian piety.",
]
QUESTIONS = [
    "Who was the leader of the Normans?",
    "Where did Trump and Zelensky meet?",
    "From which countries did the Norse raiders come?",
    "What impact did the Norman dynasty have on Europe?",
    "Who is the US Secretary of Defense?",
    "What is the boiling point of mercury?",  # no passage term
]


def _texts() -> list[str]:
    """Real text with accents, curly quotes and numbers: the seed article and SQuAD."""
    seed = (PROJECT_ROOT / "seeds" / "article.txt").read_text(encoding="utf-8")
    squad = PROJECT_ROOT.parent / "shared" / "eval" / "squad2_normans.json"
    out = [p for p in seed.split("\n\n") if p.strip()]
    if squad.exists():
        data = json.loads(squad.read_text())["data"]
        out += [p["context"] for a in data for p in a["paragraphs"]]
        out += [q["question"] for a in data for p in a["paragraphs"] for q in p["qas"]]
    return out


def test_tokenizer_matches_the_original_on_real_text() -> None:
    texts = [
        *_texts(),
        "İstanbul café naïve “quoted” it’s Ærø ﬁne ½ Ⅻ Zürich’s façade ＡＢＣ straße",
        "1,200 soldiers, 3.5% of 10th-century Normandy's population",
    ]
    for text in texts:
        assert normalize(text) == legacy_lexical.normalize(text)
        assert words(text) == legacy_lexical.words(text)
        assert terms(text) == legacy_lexical.terms(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80))
def test_tokenizer_matches_the_original_on_any_text(text: str) -> None:
    assert terms(text) == legacy_lexical.terms(text)


def test_bm25_scores_equal_the_textbook_loop() -> None:
    new, old = BM25(PASSAGES), legacy_lexical.BM25(PASSAGES)
    assert new.idf == old.idf
    for question in QUESTIONS:
        assert new.scores(question) == pytest.approx(old.scores(question), abs=1e-12)
        assert [i for i, _ in new.top(question, 3)] == [i for i, _ in old.top(question, 3)]


def test_bm25_score_by_hand() -> None:
    texts = ["the cat sat", "dogs bark loudly", "a cat and a dog"]
    bm = BM25(texts, k1=1.5, b=0.75)
    # "cat" is in 2 of 3 texts; text 0 has 2 terms (cat, sat), text 2 has 2 (cat, dog);
    # the average length is (2 + 3 + 2) / 3.
    idf = math.log(1 + (3 - 2 + 0.5) / (2 + 0.5))
    norm = 1.5 * (1 - 0.75 + 0.75 * 2 / (7 / 3))
    expected = idf * 1 * 2.5 / (1 + norm)
    assert bm.scores("cat") == pytest.approx([expected, 0.0, expected])
    assert bm.idf["cat"] == pytest.approx(idf)


def test_top_ranks_by_score_and_breaks_ties_by_position() -> None:
    texts = ["apple pie", "banana bread", "apple pie", "apple apple apple pie"]
    bm = BM25(texts)
    ranked = bm.top("apple", 10)
    assert [i for i, _ in ranked] == [3, 0, 2]  # 0 and 2 are the same text: lower index first
    assert ranked[1][1] == ranked[2][1] > 0
    assert [i for i, _ in bm.top("apple", 2)] == [3, 0]
    assert bm.top("cherry", 5) == []
    assert bm.top("the of and", 5) == []  # stopwords only


def test_empty_corpus_and_stopword_only_texts() -> None:
    assert BM25([]).top("anything", 5) == []
    assert BM25([]).idf == {}
    only_stop = BM25(["the and of", "it is"])
    assert only_stop.top("the", 3) == [] and only_stop.scores("x") == [0.0, 0.0]


def test_saved_arrays_give_the_same_index() -> None:
    bm = BM25(PASSAGES)
    again = BM25.from_arrays(bm.arrays())
    assert again.idf == bm.idf
    for question in QUESTIONS:
        assert again.top(question, 5) == bm.top(question, 5)


def test_arrays_of_another_format_are_refused() -> None:
    arrays = BM25(PASSAGES).arrays()
    arrays["meta"] = np.frombuffer(b'{"format": 0}', dtype=np.uint8)
    with pytest.raises(ValueError, match="format"):
        BM25.from_arrays(arrays)


def test_fusion_puts_a_passage_found_by_both_first() -> None:
    bm = BM25(PASSAGES)
    lexical = [str(i) for i, _ in bm.top("Who was the leader of the Normans?", 5)]
    dense = ["2", "3", "0"]  # a dense ranking that also puts Rollo's passage first
    fused = reciprocal_rank_fusion([dense, lexical], rrf_k=5)
    ranked = sorted(fused, key=lambda i: -fused[i])
    assert ranked[0] == "2"
    assert fused["2"] == pytest.approx(1 / 6 + 1 / (5 + lexical.index("2") + 1))
    assert set(fused) == set(dense) | set(lexical)


def test_fusion_small_k_lets_a_top_hit_beat_mediocre_agreement() -> None:
    # "x" is first in one ranking only; "y" is eighth in both.
    rankings = [["x", *"abcdefg"[:6], "y"], [*"hijklmn", "y"]]
    fused = reciprocal_rank_fusion(rankings, rrf_k=5)
    assert fused["x"] == pytest.approx(1 / 6) and fused["y"] == pytest.approx(2 / 13)
    assert fused["x"] > fused["y"]
    wide = reciprocal_rank_fusion(rankings, rrf_k=60)  # the web-search default
    assert wide["y"] > wide["x"]


def test_coverage_is_the_share_of_question_terms_in_the_text() -> None:
    q = {"norman", "leader"}
    assert coverage(q, PASSAGES[2]) == 0.5  # "leader", not "norman"
    assert coverage(q, "Norman leaders") == 1.0
    assert coverage(set(), PASSAGES[0]) == 0.0
