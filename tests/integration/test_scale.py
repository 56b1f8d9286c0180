"""Selections of any size against a real embedded Chroma, and store errors that say what they are.

Vectors are hashed bags of words (64 numbers per text), so an index of many
articles builds in seconds and texts sharing words are near; the batch sizes of :mod:`qa.store`
are lowered where a test needs more batches than its articles would otherwise make (in each
module that reads them).
"""

from __future__ import annotations

import hashlib
import logging
import math
from typing import Any

import pytest
from langchain_core.embeddings import Embeddings

from qa.answer.retrieve import HybridRetriever
from qa.errors import IndexStoreError, InputError
from qa.ingest.loader import Article, parse_article
from qa.settings import Settings
from qa.store import client as store_client
from qa.store import reader as store_reader
from qa.store import search as store_search
from qa.store import writer as store_writer
from qa.store.client import store_error
from qa.store.lexical import terms
from qa.store.passages import PassageStore


class TinyEmbeddings(Embeddings):
    """Each word adds 1 to one of 64 numbers picked by its hash: no model, and texts
    that share words get near vectors (equal texts, equal vectors)."""

    def _vector(self, text: str) -> list[float]:
        raw = [0.0] * 64
        for word in terms(text):
            raw[hashlib.blake2b(word.encode(), digest_size=2).digest()[0] % 64] += 1.0
        norm = math.sqrt(sum(x * x for x in raw)) or 1.0
        return [x / norm for x in raw]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


def _article(i: int, tag: str = "") -> Article:
    aid = f"a{i:03d}"
    body = "\n\n".join(
        [
            f"Report {i} describes the harbour of town {i}{tag}, where the keyword q{i}x appears.",
            f"The second paragraph of report {i} lists {i} ships and their cargo{tag}.",
        ]
    )
    return parse_article(f"Report {i}\n\n{body}", f"{aid}.txt", aid)


@pytest.fixture
def big(settings: Settings) -> tuple[PassageStore, list[str]]:
    """60 articles indexed with tiny vectors."""
    store = PassageStore(settings, TinyEmbeddings())
    store.index([_article(i) for i in range(60)])
    return store, [f"a{i:03d}" for i in range(60)]


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Several filter batches and read pages even for 60 articles."""
    for module in (store_reader, store_search, store_writer):
        monkeypatch.setattr(module, "FILTER_BATCH", 7)
    monkeypatch.setattr(store_client, "READ_PAGE", 10)


def test_reads_of_a_large_selection_are_batched_and_complete(
    big: tuple[PassageStore, list[str]], small_batches: None
) -> None:
    store, ids = big
    everything = store.passages(ids)
    one_by_one = [p for aid in ids for p in store.passages([aid])]
    assert everything == one_by_one  # same passages, in article order
    assert len(everything) == sum(i.passages for i in store.articles()) == store.passage_count(ids)
    assert len({p.id for p in everything}) == len(everything)


# Three ways to search: exactly over the selection's vectors; HNSW over everything,
# keeping the selection's; HNSW with filters of FILTER_BATCH versions.
PATHS = {
    "exact": {},
    "overfetch": {"EXACT_LIMIT": 0},
    "filters": {"EXACT_LIMIT": 0, "OVERFETCH_LIMIT": 0},
}


@pytest.mark.parametrize("path", PATHS)
def test_dense_search_finds_the_nearest_passage_of_any_selection(
    big: tuple[PassageStore, list[str]],
    small_batches: None,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
) -> None:
    for name, value in PATHS[path].items():
        monkeypatch.setattr(store_search, name, value)
    store, ids = big
    target = store.passages(["a041"])[1]
    vector = store.embeddings.embed_query(target.text)  # equal text, equal vector
    for chosen in (ids, ids[1::2], ids[41:42]):  # all, half (30 versions), one
        hits = store.search(vector, 5, chosen)
        assert hits[0][0].id == target.id and hits[0][1] == pytest.approx(1.0, abs=1e-5)
        assert {p.article_id for p, _ in hits} <= set(chosen)
        assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    others = store.search(vector, 5, ids[:40])  # a selection without the target
    assert len(others) == 5 and all(p.article_id in ids[:40] for p, _ in others)


def test_hybrid_retrieval_over_every_article(
    big: tuple[PassageStore, list[str]], small_batches: None
) -> None:
    store, ids = big
    retriever = HybridRetriever(store=store, article_ids=ids, top_k=3)
    retriever.warm_up()
    result = retriever.retrieve("Where does the keyword q37x appear?")
    assert result.hits[0].passage.article_id == "a037"
    assert result.hits[0].bm25 > 0 and result.relevant
    passages, bm25 = retriever.lexical_index()
    assert len(passages) == store.passage_count(ids)
    assert passages[bm25.top("q37x", 1)[0][0]].article_id == "a037"  # row i scores passages[i]
    assert "q37x" in retriever.lexical().idf


class FailingEmbeddings(TinyEmbeddings):
    """Embeds ``ok`` texts, then fails: a build killed halfway."""

    def __init__(self, ok: int) -> None:
        self.ok = ok

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if len(texts) > self.ok:
            raise RuntimeError("killed")
        self.ok -= len(texts)
        return super().embed_documents(texts)


@pytest.mark.parametrize("path", PATHS)
def test_only_active_versions_are_searched_and_other_writers_are_seen(
    big: tuple[PassageStore, list[str]], monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    for name, value in PATHS[path].items():
        monkeypatch.setattr(store_search, name, value)
    reader, ids = big
    retriever = HybridRetriever(store=reader, article_ids=ids, top_k=3)
    assert retriever.retrieve("q7x harbour").hits[0].passage.article_id == "a007"
    new = _article(7, tag=" and the lighthouse zephyrine")
    half = PassageStore(reader.settings, FailingEmbeddings(ok=1))  # as another process would
    with pytest.raises(RuntimeError, match="killed"):
        half.index([new], batch_size=1)
    stray = half._raw.get(where={"article_id": "a007"}, include=["documents"])["documents"]
    assert stray and any("zephyrine" in t for t in stray)
    # A passage of the unfinished version is stored and is the nearest one to its own
    # text; readers must still see only the active version.
    for text in [t for t in new.original.split("\n\n") if "zephyrine" in t]:
        hits = reader.search(reader.embeddings.embed_query(text), 10, ids)
        assert hits and all("zephyrine" not in p.text for p, _ in hits)
    assert all("zephyrine" not in h.passage.text for h in retriever.retrieve("zephyrine").hits)

    PassageStore(reader.settings, TinyEmbeddings()).index([new])  # the next run finishes it
    assert any("zephyrine" in p.text for p in reader.passages(["a007"]))
    top = retriever.retrieve("zephyrine lighthouse").hits[0]
    assert top.passage.article_id == "a007" and "zephyrine" in top.passage.text
    PassageStore(reader.settings, TinyEmbeddings()).remove("a008")
    with pytest.raises(InputError, match="No indexed article 'a008'"):
        retriever.retrieve("q8x")


def test_large_bm25_index_is_saved_and_loaded_by_the_next_process(
    big: tuple[PassageStore, list[str]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(store_search, "PERSIST_MIN_PASSAGES", 50)
    first, ids = big
    index = first.lexical(first.select(ids))
    saved = list(first.lexical_dir.glob("*.npz"))
    assert len(saved) == 1

    def no_build(*_: Any) -> Any:
        raise AssertionError("rebuilt although a saved index exists")

    second = PassageStore(first.settings, TinyEmbeddings())
    monkeypatch.setattr(second, "_build_lexical", no_build)
    loaded = second.lexical(second.select(ids))
    assert loaded.ids == index.ids
    assert loaded.bm25.top("q12x ships", 5) == index.bm25.top("q12x ships", 5)
    assert loaded.bm25.idf == index.bm25.idf

    saved[0].write_bytes(b"not an npz file")  # damaged: ignored, rebuilt, replaced
    third = PassageStore(first.settings, TinyEmbeddings())
    with caplog.at_level(logging.WARNING, logger="qa.store.search"):
        rebuilt = third.lexical(third.select(ids))
    assert "Ignoring the saved BM25 index" in caplog.text
    assert rebuilt.bm25.top("q12x", 1) == index.bm25.top("q12x", 1)
    assert saved[0].read_bytes()[:2] == b"PK"  # a valid .npz (zip) again

    monkeypatch.setattr(store_search, "PERSIST_KEEP", 1)
    first.index([_article(3, tag=" renamed")])  # new version: a new key, a new file
    first.lexical(first.select(ids))
    assert [p.name for p in first.lexical_dir.glob("*.npz")] != [saved[0].name]
    assert len(list(first.lexical_dir.glob("*.npz"))) == 1


def test_store_error_without_damage_does_not_suggest_a_rebuild(
    big: tuple[PassageStore, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _ = big
    unknown = [f"missing-{i}" for i in range(33_000)]  # more ids than SQLite has variables
    with pytest.raises(InputError, match="No indexed article 'missing-0'"):
        store.select(unknown)  # batched lookups: a clear answer
    monkeypatch.setattr(store_reader, "FILTER_BATCH", 40_000)  # one lookup: Chroma fails
    with pytest.raises(IndexStoreError) as err:
        store.select(unknown)
    message = str(err.value)
    assert "too many SQL variables" in message and str(store.settings.store.index_dir) in message
    assert "rebuild" not in message
    # The index is intact: it still reads.
    assert [p.article_id for p in store.passages(["a001"])] == ["a001"] * store.info(
        "a001"
    ).passages


def test_damaged_index_suggests_a_rebuild(big: tuple[PassageStore, list[str]]) -> None:
    store, _ = big
    for db in store.settings.store.index_dir.glob("*.sqlite3"):
        db.write_bytes(b"this is not a database" * 100)
    with pytest.raises(IndexStoreError) as err:
        store.articles()
    assert "is damaged" in str(err.value)
    assert "rebuild it with: qa index --rebuild" in str(err.value)


def test_server_that_went_away_is_reported_as_such() -> None:
    settings = Settings(chroma_host="127.0.0.1", chroma_port=9)
    message = str(store_error(settings, ConnectionError("Connection refused")))
    assert message.startswith("Lost the Chroma server at 127.0.0.1:9")
    assert "check that it is running" in message and "rebuild" not in message
    odd = str(store_error(settings, ValueError("Collection dimension mismatch")))
    assert "failed (ValueError: Collection dimension mismatch)" in odd and "rebuild" not in odd
