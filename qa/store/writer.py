"""The versioned writer: a failed build never damages what readers see.

A build writes the new version's passages first and only then flips the
article's catalog record to that version (one upsert), so readers, which only
look at catalog versions, see either the old complete version or the new
complete one. Passages of other versions are deleted afterwards; leftovers of
a killed build are reused (same ids) or cleaned up by the next build.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import cast

from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Metadata, PyEmbeddings, Where
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from qa.errors import InputError
from qa.ingest.loader import Article
from qa.ingest.split import Passage, split_article
from qa.settings import Settings
from qa.store.client import FILTER_BATCH, chunks, pages, vector_store
from qa.store.embeddings import ReusingEmbeddings
from qa.store.folder import FORMAT, index_lock
from qa.store.records import GENERATION, catalog_metadata, passage_metadata
from qa.store.types import IndexReport


def version_of(article: Article, settings: Settings) -> str:
    """Version key: changes when the text, the splitting or the embedder changes."""
    key = json.dumps(
        [article.content_hash, article.title, settings.ingest.chunk_size, settings.ingest.chunk_overlap,
         settings.store.embedding_name, FORMAT]
    )  # fmt: skip
    return hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class PendingArticle:
    """An article whose new version is being written, with that version's passages."""

    article: Article
    version: str
    passages: tuple[Passage, ...]

    @property
    def article_id(self) -> str:
        return self.article.article_id


class VersionedWriter:
    """Adds, replaces and removes articles in the store's two collections.

    Args:
        settings: Where the store lives and how passages are made.
        client: The Chroma client of ``catalog`` and ``passages``.
        catalog: The catalog collection (one record per article, and the generation).
        passages: The passages collection.
        embeddings: Gives the embedder; called on the first write that embeds.
    """

    def __init__(
        self,
        settings: Settings,
        client: ClientAPI,
        catalog: Collection,
        passages: Collection,
        embeddings: Callable[[], Embeddings],
    ) -> None:
        self.settings = settings
        self._client = client
        self._catalog = catalog
        self._passages = passages
        self._embeddings = embeddings
        self._writing = threading.Lock()
        self._store: Chroma | None = None
        self._reusing: ReusingEmbeddings | None = None

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Serialise writers: this store's threads, and processes on an embedded store."""
        folder = (
            contextlib.nullcontext()
            if self.settings.store.chroma_host
            else index_lock(self.settings.store.index_dir)
        )
        with self._writing, folder:
            yield

    def index(
        self,
        articles: Sequence[Article],
        progress: Callable[[int], None] | None = None,
        batch_size: int = 512,
    ) -> IndexReport:
        """Index ``articles``; unchanged ones are skipped, changed ones replaced.

        Passages of all changed articles are embedded together in batches (the
        embedder is the bottleneck), and each article's catalog record flips to
        its new version only once all of its passages are stored.

        Args:
            articles: Articles to add or refresh (distinct ids).
            progress: Called with the number of passages written after each batch.
            batch_size: Passages per embedding/write batch.
        """
        ids = [a.article_id for a in articles]
        if len(set(ids)) != len(ids):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            raise InputError(f"Two articles share the id {dupes[0]!r}; give them distinct ids")
        report = IndexReport()
        with self._lock():
            active: dict[str, str] = {}
            for batch in chunks(ids, FILTER_BATCH):
                current = self._catalog.get(ids=list(batch), include=["metadatas"])
                for aid, m in zip(current["ids"], current["metadatas"] or [], strict=True):
                    active[aid] = str(m["version"])
            work: list[PendingArticle] = []
            for article in articles:
                version = version_of(article, self.settings)
                if active.get(article.article_id) == version:
                    report.unchanged.append(article.article_id)
                    continue
                passages = split_article(
                    article, self.settings.ingest.chunk_size, self.settings.ingest.chunk_overlap
                )
                work.append(PendingArticle(article, version, tuple(passages)))
                (report.updated if article.article_id in active else report.added).append(
                    article.article_id
                )
            if work:
                self._write(work, report, progress, batch_size)
        return report

    def _write(
        self,
        work: list[PendingArticle],
        report: IndexReport,
        progress: Callable[[int], None] | None,
        batch_size: int,
    ) -> None:
        # Vectors we already have: passages of earlier (or half-built) versions.
        known: dict[str, list[float]] = {}
        present: set[str] = set()
        others = False  # passages of versions not being written (old or half-built ones)
        wanted = {p.passage_id(item.version) for item in work for p in item.passages}
        article_ids = [item.article_id for item in work]
        for group in chunks(article_ids, FILTER_BATCH):
            # cast: mypy does not read "$in" as the Literal key that Chroma's type names.
            where = cast(Where, {"article_id": {"$in": list(group)}})
            for got in pages(self._passages, ["documents", "embeddings"], where):
                docs = got["documents"] or []
                vectors = got["embeddings"] if got["embeddings"] is not None else []
                for pid, doc, vec in zip(got["ids"], docs, vectors, strict=True):
                    known[doc] = [float(x) for x in vec]
                    if pid in wanted:
                        present.add(pid)
                    else:
                        others = True
        # New articles with nothing else stored need no clean-up (one delete call each).
        purge = set(report.updated) | (set(article_ids) if others else set())

        def count(n: int) -> None:
            report.embedded += n

        if self._store is None:  # kept: opening a langchain store costs a Chroma lookup
            self._reusing = ReusingEmbeddings(self._embeddings())
            self._store = vector_store(self._client, self.settings, self._reusing)
        assert self._reusing is not None
        self._reusing.known, self._reusing.on_embedded = known, count  # under _lock
        store = self._store
        pending: list[tuple[str, str, dict[str, str | int]]] = []  # (id, text, metadata)
        remaining = {item.article_id: 0 for item in work}
        owner: dict[str, str] = {}
        for item in work:
            for p in item.passages:
                pid = p.passage_id(item.version)
                if pid in present:
                    continue
                pending.append((pid, p.text, passage_metadata(p, item.version)))
                remaining[item.article_id] += 1
                owner[pid] = item.article_id
        done: set[str] = set()

        def flip_ready() -> None:
            ready = [
                item
                for item in work
                if remaining[item.article_id] == 0 and item.article_id not in done
            ]
            if ready:
                self._flip(ready, purge)
                done.update(item.article_id for item in ready)

        flip_ready()
        step = min(batch_size, self._client.get_max_batch_size())
        for i in range(0, len(pending), step):
            batch = pending[i : i + step]
            store.add_texts(
                [text for _, text, _ in batch],
                metadatas=[meta for _, _, meta in batch],
                ids=[pid for pid, _, _ in batch],
            )
            for pid, _, _ in batch:
                remaining[owner[pid]] -= 1
            flip_ready()
            if progress:
                progress(len(batch))
        # Everything not embedded now had its vector already (earlier or half-built version).
        report.reused = sum(len(item.passages) for item in work) - report.embedded

    def _flip(self, ready: list[PendingArticle], purge: set[str]) -> None:
        """Point catalog records at new versions (and change the generation token in
        the same upsert), then drop other versions' passages of the ``purge`` articles."""
        now = time.time()
        metadatas: list[Metadata] = [
            catalog_metadata(item.article, item.version, len(item.passages), self.settings, now)
            for item in ready
        ]
        # A placeholder vector each: the catalog is looked up by id only.
        placeholders: PyEmbeddings = [[1.0]] * (len(ready) + 1)
        self._catalog.upsert(
            ids=[item.article_id for item in ready] + [GENERATION],
            embeddings=placeholders,
            documents=[item.article.original for item in ready] + [""],
            metadatas=[*metadatas, {"token": uuid.uuid4().hex}],
        )
        for item in ready:
            if item.article_id in purge:
                stale = {
                    "$and": [{"article_id": item.article_id}, {"version": {"$ne": item.version}}]
                }
                self._passages.delete(where=cast(Where, stale))  # cast: as for "$in" above

    def remove(self, article_id: str) -> None:
        """Delete an article's catalog record and passages, and change the generation."""
        with self._lock():
            self._catalog.delete(ids=[article_id])
            self._passages.delete(where={"article_id": article_id})
            placeholder: PyEmbeddings = [[1.0]]  # the catalog is looked up by id only
            self._catalog.upsert(
                ids=[GENERATION],
                embeddings=placeholder,
                documents=[""],
                metadatas=[{"token": uuid.uuid4().hex}],
            )
