"""The versioned writer: a failed build never damages what readers see.

A build writes the new version's passages, and its article record, which makes
that version the active one, goes in the same upsert as the last of them (see
:mod:`qa.store.records`): readers, which only look at active versions, see
either the old complete version or the new complete one, and one article is
one write. Passages of other versions are deleted afterwards; leftovers of a
killed build are reused (same ids) or cleaned up by the next build.
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
from langchain_core.embeddings import Embeddings

from qa.errors import InputError
from qa.ingest.loader import Article
from qa.ingest.split import Passage, split_article
from qa.settings import Settings
from qa.store.client import FILTER_BATCH, chunks, records_of, rows
from qa.store.embeddings import ReusingEmbeddings
from qa.store.folder import FORMAT, index_lock
from qa.store.records import (
    GENERATION,
    article_metadata,
    article_record_id,
    is_passage_id,
    passage_metadata,
    placeholder_vector,
)
from qa.store.types import IndexReport

#: One Chroma record to write: id, document, metadata, vector.
Record = tuple[str, str, Metadata, list[float]]


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
    """Adds, replaces and removes articles in the store's collection.

    Args:
        settings: Where the store lives and how passages are made.
        client: The Chroma client of ``collection``.
        collection: The store's collection (passages, article records, generation).
        embeddings: Gives the embedder; called on the first write that embeds.
    """

    def __init__(
        self,
        settings: Settings,
        client: ClientAPI,
        collection: Collection,
        embeddings: Callable[[], Embeddings],
    ) -> None:
        self.settings = settings
        self._client = client
        self._collection = collection
        self._embeddings = embeddings
        self._writing = threading.Lock()
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
        embedder is the bottleneck), and each article's record flips to its new
        version in the write of its last passages.

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
            # One read says what is stored of these articles: their records (active
            # versions) and the ids of their passages, of any version.
            active: dict[str, str] = {}
            stored: dict[str, list[str]] = {}
            for batch in chunks(ids, FILTER_BATCH):
                # cast: mypy does not read "$in" as the Literal key that Chroma's type names.
                where = cast(Where, {"article_id": {"$in": list(batch)}})
                for rid, _, meta in rows(self._collection, ["metadatas"], where):
                    aid = str(meta["article_id"])
                    if is_passage_id(rid):
                        stored.setdefault(aid, []).append(rid)
                    else:
                        active[aid] = str(meta["active"])
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
                self._write(work, stored, report, progress, batch_size)
        return report

    def _write(
        self,
        work: list[PendingArticle],
        stored: dict[str, list[str]],
        report: IndexReport,
        progress: Callable[[int], None] | None,
        batch_size: int,
    ) -> None:
        """Write ``work``; ``stored`` holds the ids of the passages, of any version,
        that the store has of each article."""
        wanted = {p.passage_id(item.version) for item in work for p in item.passages}
        # Vectors we already have (passages of earlier or half-built versions), and the
        # passages of other versions, deleted once their article flips.
        known: dict[str, list[float]] = {}
        present: set[str] = set()
        stale = {
            i.article_id: [p for p in stored.get(i.article_id, []) if p not in wanted] for i in work
        }
        for group in chunks(
            [pid for i in work for pid in stored.get(i.article_id, [])], FILTER_BATCH
        ):
            got = self._collection.get(ids=list(group), include=["documents", "embeddings"])
            vectors = got["embeddings"] if got["embeddings"] is not None else []
            for (pid, doc, _), vec in zip(records_of(got), vectors, strict=True):
                known[doc] = [float(x) for x in vec]
                if pid in wanted:
                    present.add(pid)

        def count(n: int) -> None:
            report.embedded += n

        if self._reusing is None:
            self._reusing = ReusingEmbeddings(self._embeddings())
        reusing = self._reusing
        reusing.known, reusing.on_embedded = known, count  # under _lock
        pending: list[tuple[str, str, Metadata]] = []  # (id, text, metadata)
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
        flipped: set[str] = set()

        def write(batch: list[tuple[str, str, Metadata]], vectors: list[list[float]]) -> None:
            """Store ``batch`` with the records of the articles it completes, then drop
            those articles' stale passages."""
            for pid, _, _ in batch:
                remaining[owner[pid]] -= 1
            ready = [
                i for i in work if remaining[i.article_id] == 0 and i.article_id not in flipped
            ]
            records = [
                (pid, text, meta, vec)
                for (pid, text, meta), vec in zip(batch, vectors, strict=True)
            ]
            if ready:
                like = vectors[0] if vectors else next(iter(known.values()), None)
                records += self._article_records(ready, like)
            self._upsert(records)
            flipped.update(item.article_id for item in ready)
            gone = [pid for item in ready for pid in stale[item.article_id]]
            for ids in chunks(gone, FILTER_BATCH):
                self._collection.delete(ids=list(ids))

        write([], [])  # articles whose passages are all stored already
        step = min(batch_size, self._client.get_max_batch_size())
        for i in range(0, len(pending), step):
            batch = pending[i : i + step]
            write(batch, reusing.embed_documents([text for _, text, _ in batch]))
            if progress:
                progress(len(batch))
        # Everything not embedded now had its vector already (earlier or half-built version).
        report.reused = sum(len(item.passages) for item in work) - report.embedded

    def _article_records(
        self, ready: list[PendingArticle], like: list[float] | None
    ) -> list[Record]:
        """The records of ``ready`` articles, pointing at their new versions, and a new
        generation token; their vectors have the dimension of the passage vector ``like``."""
        # Only an article without passages, alone in an empty store, has no vector to go by.
        dimension = len(like) if like else len(self._embeddings().embed_query(""))
        now = time.time()
        records: list[Record] = []
        for item in ready:
            rid = article_record_id(item.article_id)
            meta = article_metadata(
                item.article, item.version, len(item.passages), self.settings, now
            )
            records.append((rid, item.article.original, meta, placeholder_vector(rid, dimension)))
        token: Metadata = {"token": uuid.uuid4().hex}
        return [*records, (GENERATION, "", token, placeholder_vector(GENERATION, dimension))]

    def _upsert(self, records: list[Record]) -> None:
        """Upsert ``records`` in order, in as few calls as Chroma takes (one, mostly):
        an article record never lands before its passages."""
        for part in chunks(records, self._client.get_max_batch_size()):
            vectors: PyEmbeddings = [r[3] for r in part]
            self._collection.upsert(
                ids=[r[0] for r in part],
                documents=[r[1] for r in part],
                metadatas=[r[2] for r in part],
                embeddings=vectors,
            )

    def remove(self, article_id: str) -> None:
        """Delete an article's record and passages (one call), and change the generation."""
        with self._lock():
            self._collection.delete(where={"article_id": article_id})
            # The generation record exists (every index write makes it): only its token changes.
            self._collection.update(ids=[GENERATION], metadatas=[{"token": uuid.uuid4().hex}])
