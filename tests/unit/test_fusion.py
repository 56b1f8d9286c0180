"""Reciprocal rank fusion, question coverage, and the hybrid retriever's ranking and
relevance judgement, on plain passages: no Chroma, no embedder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest

from qa.answer.retrieve import HybridRetriever, coverage, reciprocal_rank_fusion
from qa.ingest.split import Passage, sentence_spans
from qa.store.lexical import BM25, content_terms
from tests.documents import PASSAGES


# ------------------------------------------------------------------ fusion
def test_fused_score_is_the_sum_of_reciprocal_ranks() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "a"]], rrf_k=5)
    assert fused == pytest.approx({"a": 1 / 6 + 1 / 7, "b": 1 / 7, "c": 1 / 8 + 1 / 6})
    assert sorted(fused, key=lambda i: -fused[i]) == ["a", "c", "b"]


def test_one_ranking_keeps_its_order() -> None:
    ranking = [f"p{i}" for i in range(10)]
    fused = reciprocal_rank_fusion([ranking], rrf_k=5)
    assert sorted(fused, key=lambda i: -fused[i]) == ranking
    assert list(fused.values()) == sorted(fused.values(), reverse=True)


def test_fusion_ignores_which_ranking_comes_first() -> None:
    dense, lexical = ["a", "b", "c", "d"], ["d", "e", "a"]
    assert reciprocal_rank_fusion([dense, lexical], 5) == pytest.approx(
        reciprocal_rank_fusion([lexical, dense], 5)
    )


def test_found_by_both_beats_found_by_one_at_the_same_rank() -> None:
    fused = reciprocal_rank_fusion([["x", "both"], ["y", "both"]], rrf_k=5)
    assert fused["both"] > fused["x"] == fused["y"]


def test_no_rankings_or_empty_rankings_fuse_to_nothing() -> None:
    assert reciprocal_rank_fusion([], rrf_k=5) == {}
    assert reciprocal_rank_fusion([[], []], rrf_k=5) == {}
    assert reciprocal_rank_fusion([[], ["a"]], rrf_k=5) == pytest.approx({"a": 1 / 6})


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


# ---------------------------------------------------------------- coverage
def test_coverage_is_the_share_of_question_terms_in_the_text() -> None:
    q = {"norman", "leader"}
    assert coverage(q, PASSAGES[2]) == 0.5  # "leader", not "norman"
    assert coverage(q, "Norman leaders") == 1.0
    assert coverage(set(), PASSAGES[0]) == 0.0


def test_coverage_matches_inflections_accents_and_case() -> None:
    q = set(content_terms("Which studies did the Café's LEADERS publish?"))
    assert q == {"study", "cafe", "leader", "publish"}
    assert coverage(q, "The cafe's leader published a study.") == 1.0
    # Stopwords in the text add nothing, and a term counts once however often it occurs.
    assert coverage(q, "It was the leader, the leader and the leader.") == 0.25


# --------------------------------------------------------- hybrid retrieval
@dataclass(frozen=True)
class Stored(Passage):
    id: str = ""


def _stored(texts: Sequence[str]) -> list[Stored]:
    out, offset = [], 0
    for i, text in enumerate(texts):
        out.append(Stored("a", "A", i, i + 1, offset, offset + len(text), text, text, id=f"p{i}"))
        offset += len(text) + 2
    return out


class FakeStore:
    """The calls :class:`HybridRetriever` makes, over plain passages and fixed dense hits."""

    def __init__(self, passages: Sequence[Stored], dense: list[tuple[str, float]]) -> None:
        self.by_id = {p.id: p for p in passages}
        self.index = SimpleNamespace(
            ids=[p.id for p in passages], bm25=BM25([p.text for p in passages])
        )
        self.dense = dense
        self.embeddings = SimpleNamespace(embed_query=lambda text: [1.0, 0.0])
        #: Sentences as close to every question as their vector says (others: orthogonal).
        self.sentences: dict[str, tuple[float, float]] = {}

    def sentence_vector(self, sentence: str) -> tuple[float, float]:
        return self.sentences.get(sentence, (0.0, 1.0))

    def select(self, article_ids: Sequence[str]) -> str:
        return "selection"

    def lexical(self, selection: str) -> SimpleNamespace:
        return self.index

    def search_ids(self, vector: list[float], k: int, selection: str) -> list[tuple[str, float]]:
        return self.dense[:k]

    def fetch(self, ids: Sequence[str]) -> list[Stored]:
        return [self.by_id[i] for i in ids]


def _retriever(dense: list[tuple[str, float]], **kwargs: Any) -> HybridRetriever:
    store: Any = FakeStore(_stored(PASSAGES), dense)  # duck-typed PassageStore
    return HybridRetriever.model_construct(store=store, article_ids=["a"], **kwargs)


def test_retrieve_fuses_dense_and_bm25_and_keeps_both_scores() -> None:
    dense = [("p3", 0.61), ("p2", 0.58), ("p0", 0.40)]
    result = _retriever(dense, top_k=3).retrieve("Who was the leader of the Normans?")
    hits = result.hits
    assert len(hits) == 3 and result.relevant
    # Rollo's passage (p2) is second by meaning and first by words: fused, it leads.
    assert hits[0].passage.id == "p2"
    assert hits[0].dense == 0.58 and hits[0].bm25 > 0
    assert [h.fused for h in hits] == sorted((h.fused for h in hits), reverse=True)
    assert hits[0].coverage == 0.5  # "leader", not "norman"
    by_id = {h.passage.id: h for h in hits}
    assert by_id["p3"].dense == 0.61


def test_a_passage_only_bm25_finds_has_no_dense_score() -> None:
    result = _retriever([("p0", 0.3)], top_k=2).retrieve("Where did Trump and Zelensky meet?")
    vatican = next(h for h in result.hits if h.passage.id == "p5")
    assert vatican.dense == 0.0 and vatican.bm25 > 0
    assert vatican.coverage == 1.0  # trump, zelensky, "met" (stemmed "meet")


def test_off_topic_question_is_judged_irrelevant() -> None:
    # Weak dense matches and no question term in any hit.
    result = _retriever([("p1", 0.12), ("p4", 0.10)]).retrieve(
        "What is the boiling point of mercury?"
    )
    assert result.hits and not result.relevant
    assert all(h.bm25 == 0.0 and h.coverage == 0.0 for h in result.hits)


def test_one_close_sentence_makes_a_diluted_passage_relevant() -> None:
    retriever = _retriever([("p1", 0.12), ("p4", 0.10)])
    store: Any = retriever.store
    start, end = sentence_spans(PASSAGES[1])[0]
    first = PASSAGES[1][start:end]
    store.sentences[first] = (0.41, 0.91)  # the passage as a whole was 0.12 away
    assert retriever.retrieve("What is the boiling point of mercury?").relevant
    store.sentences[first] = (0.25, 0.97)  # off-topic questions came this close
    assert not retriever.retrieve("What is the boiling point of mercury?").relevant


def test_close_dense_match_alone_is_relevant() -> None:
    result = _retriever([("p4", 0.45)], relevance_floor=0.2).retrieve("Who runs the Pentagon?")
    assert [h.passage.id for h in result.hits] == ["p4"] and result.relevant


def test_nothing_found_is_not_relevant() -> None:
    result = _retriever([]).retrieve("What is the boiling point of mercury?")
    assert result.hits == [] and not result.relevant
