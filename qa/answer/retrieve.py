"""Hybrid retrieval: dense (Chroma) plus BM25, fused by reciprocal rank.

Example:
    >>> from qa.chain import ArticleQA
    >>> store = ArticleQA(backend="extractive", index_dir=getfixture("tmp_path")).store
    >>> retriever = HybridRetriever(store=store, article_ids=["article"], top_k=3)
    >>> [d.metadata["paragraph"] for d in retriever.invoke("Who is Hegseth?")][0]
    7
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from qa.answer.claims import covered
from qa.ingest.split import is_heading, sentence_spans
from qa.store.lexical import BM25, content_terms
from qa.store.passages import PassageStore
from qa.store.types import StoredPassage

#: Extra passages read past the top ``k``, to stand in for headings left out.
_HEADINGS_SKIPPED = 2


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
    relevant: bool


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], rrf_k: int) -> dict[str, float]:
    """Fused score of every id: the sum of ``1 / (rrf_k + rank)`` over the rankings
    that hold it (rank 1 is the best).

    Example:
        >>> reciprocal_rank_fusion([["a", "b"], ["b", "c"]], rrf_k=5)
        {'a': 0.16666666666666666, 'b': 0.30952380952380953, 'c': 0.14285714285714285}
    """
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, pid in enumerate(ranking, start=1):
            fused[pid] = fused.get(pid, 0.0) + 1.0 / (rrf_k + rank)
    return fused


def coverage(question_terms: set[str], text: str) -> float:
    """Share of ``question_terms`` found in ``text``, in a word that says the same
    (:func:`~qa.answer.claims.covered`: "Has anyone been hurt?" is about "injuries").

    >>> coverage({"anyone", "hurt"}, "Two minor injuries were reported.")
    0.5
    """
    if not question_terms:
        return 0.0
    return len(covered(question_terms, text)) / len(question_terms)


class HybridRetriever(BaseRetriever):
    """LangChain retriever over one or more indexed articles.

    Args:
        store: The passage store.
        article_ids: Articles to search.
        top_k: Passages returned.
        candidate_k: Candidates taken from each retriever before fusion.
        rrf_k: Reciprocal-rank-fusion constant.
        relevance_floor: Below this best cosine similarity, and with no question
            term in any hit, the question is judged off-topic...
        sentence_floor: ... unless one sentence of a hit is at least this close to it.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: PassageStore
    article_ids: list[str]
    top_k: int = 4
    candidate_k: int = 40
    rrf_k: int = 5
    relevance_floor: float = 0.2
    sentence_floor: float = 0.3

    def lexical(self) -> BM25:
        """The BM25 index of the searched passages (cached, or kept on disk, by the store).

        Its ``idf`` maps every term of those passages to its inverse document frequency.
        """
        return self.store.lexical(self.store.select(self.article_ids)).bm25

    def lexical_index(self) -> tuple[list[StoredPassage], BM25]:
        """Every searched passage and their BM25 index; row ``i`` scores ``passages[i]``.

        This reads all passages of the selection; :meth:`lexical` does not.
        """
        selection = self.store.select(self.article_ids)
        index = self.store.lexical(selection)
        by_id = {p.id: p for p in self.store.passages(selection.article_ids)}
        return [by_id[pid] for pid in index.ids], index.bm25

    def warm_up(self) -> None:
        """Load what the first question needs: the BM25 index (from disk when saved),
        the embedding model and Chroma's vector index."""
        selection = self.store.select(self.article_ids)
        self.store.lexical(selection)
        self.store.search_ids(self.store.embeddings.embed_query("warm up"), 1, selection)

    def retrieve(self, question: str, k: int | None = None) -> Retrieval:
        """Rank passages for ``question`` and judge whether anything is relevant.

        Both rankings are of passage ids; only the ``k`` fused best are read back.
        """
        k = k or self.top_k
        selection = self.store.select(self.article_ids)
        index = self.store.lexical(selection)
        vector = self.store.embeddings.embed_query(question)
        dense = self.store.search_ids(vector, self.candidate_k, selection)
        lexical = [(index.ids[i], s) for i, s in index.bm25.top(question, self.candidate_k)]

        fused = reciprocal_rank_fusion([[p for p, _ in dense], [p for p, _ in lexical]], self.rrf_k)
        dense_score, bm25_score = dict(dense), dict(lexical)
        ranked = sorted(fused, key=lambda i: -fused[i])
        # A heading ("The Normans") shares the words of many questions and answers
        # none: it would take the place of a passage that does. Read a few more.
        found = [
            p for p in self.store.fetch(ranked[: k + _HEADINGS_SKIPPED]) if not is_heading(p.text)
        ]
        q_terms = set(content_terms(question))
        hits = [
            Hit(
                p,
                dense_score.get(p.id, 0.0),
                bm25_score.get(p.id, 0.0),
                fused[p.id],
                coverage(q_terms, p.text),
            )
            for p in found[:k]
        ]
        best_dense = max((s for _, s in dense), default=0.0)
        best_cov = max((h.coverage for h in hits), default=0.0)
        relevant = bool(hits) and (
            best_dense >= self.relevance_floor
            or best_cov >= 0.5
            or self._close_sentence(vector, hits)
        )
        return Retrieval(question, hits, relevant)

    def _close_sentence(self, vector: Sequence[float], hits: Sequence[Hit]) -> bool:
        """Whether a sentence of ``hits`` is within ``sentence_floor`` of the question.

        A short question matches one sentence, and a passage about several things
        dilutes it: "Was anyone killed?" is 0.19 from the passage that says "No deaths
        have been reported." and 0.41 from that sentence. Asked only when the passages
        alone judge the question off-topic (their sentences' vectors are cached).
        """
        for hit in hits:
            text = hit.passage.text
            for start, end in sentence_spans(text):
                sentence = self.store.sentence_vector(text[start:end])
                if sum(a * b for a, b in zip(vector, sentence, strict=True)) >= self.sentence_floor:
                    return True
        return False

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
