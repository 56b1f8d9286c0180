"""Hybrid retrieval: dense (Chroma) plus BM25, fused by reciprocal rank.

Example:
    >>> retriever = HybridRetriever(store=store, article_ids=["article"])  # doctest: +SKIP
    >>> [d.metadata["paragraph"] for d in retriever.invoke("Who is Hegseth?")]  # doctest: +SKIP
    [7, 3, 10, 9]
"""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from qa.lexical import BM25, content_terms, terms
from qa.store import PassageStore, StoredPassage


@dataclass(frozen=True)
class Hit:
    """One retrieved passage with the scores that ranked it."""

    passage: StoredPassage
    dense: float  # cosine similarity, 0 if dense search did not return it
    bm25: float
    fused: float
    coverage: float  # share of the question's content terms found in the passage


@dataclass(frozen=True)
class Retrieval:
    """Ranked hits for one question, and whether any of them looks relevant."""

    question: str
    hits: list[Hit]
    query_vector: list[float]
    relevant: bool


class HybridRetriever(BaseRetriever):
    """LangChain retriever over one or more indexed articles.

    Args:
        store: The passage store.
        article_ids: Articles to search.
        top_k: Passages returned.
        candidate_k: Candidates taken from each retriever before fusion.
        rrf_k: Reciprocal-rank-fusion constant.
        relevance_floor: Below this best cosine similarity, and with no question
            term in any hit, the question is judged off-topic.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: PassageStore
    article_ids: list[str]
    top_k: int = 4
    candidate_k: int = 40
    rrf_k: int = 5
    relevance_floor: float = 0.2

    def lexical_index(self) -> tuple[list[StoredPassage], BM25]:
        """The passages searched and their BM25 index (rebuilt when they change)."""
        passages = self.store.passages(self.article_ids)
        key = tuple(p.id for p in passages)
        cached = getattr(self, "_bm25_cache", None)
        if cached is None or cached[0] != key:
            cached = (key, passages, BM25([p.text for p in passages]))
            object.__setattr__(self, "_bm25_cache", cached)
        return cached[1], cached[2]

    def retrieve(self, question: str, k: int | None = None) -> Retrieval:
        """Rank passages for ``question`` and judge whether anything is relevant."""
        k = k or self.top_k
        vector = self.store.embeddings.embed_query(question)
        dense = self.store.search(vector, self.candidate_k, self.article_ids)
        passages, bm25 = self.lexical_index()
        by_id = {p.id: p for p in passages}
        lexical = [(passages[i], s) for i, s in bm25.top(question, self.candidate_k)]

        fused: dict[str, float] = {}
        dense_score = {p.id: s for p, s in dense}
        bm25_score = {p.id: s for p, s in lexical}
        for ranking in (dense, lexical):
            for rank, (p, _) in enumerate(ranking):
                fused[p.id] = fused.get(p.id, 0.0) + 1.0 / (self.rrf_k + rank + 1)
                by_id.setdefault(p.id, p)
        q_terms = set(content_terms(question))
        hits = []
        for pid in sorted(fused, key=lambda i: -fused[i])[:k]:
            p_terms = set(terms(by_id[pid].text))
            coverage = len(q_terms & p_terms) / len(q_terms) if q_terms else 0.0
            hits.append(
                Hit(
                    by_id[pid],
                    dense_score.get(pid, 0.0),
                    bm25_score.get(pid, 0.0),
                    fused[pid],
                    coverage,
                )
            )
        best_dense = max((s for _, s in dense), default=0.0)
        best_cov = max((h.coverage for h in hits), default=0.0)
        relevant = bool(hits) and (best_dense >= self.relevance_floor or best_cov >= 0.5)
        return Retrieval(question, hits, vector, relevant)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [
            Document(
                page_content=h.passage.text,
                id=h.passage.id,
                metadata={
                    "article_id": h.passage.article_id,
                    "paragraph": h.passage.paragraph,
                    "start": h.passage.start,
                    "end": h.passage.end,
                    "dense": h.dense,
                    "bm25": h.bm25,
                    "score": h.fused,
                },
            )
            for h in self.retrieve(query).hits
        ]
