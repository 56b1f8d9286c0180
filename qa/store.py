"""The passage index in Chroma, written so that a failed build never damages it.

Layout (one Chroma database, embedded at ``index/`` or on a server):

* ``qa_passages``: one record per passage, id = content hash of
  (article, version, position, text); metadata says which article *version*
  it belongs to. Embeddings are written through ``langchain-chroma``.
* ``qa_catalog``: one record per article: its active version, title,
  passage count and original text.

A build writes the new version's passages first and only then flips the
article's catalog record to that version (one upsert), so readers, which only
look at catalog versions, see either the old complete version or the new
complete one. Passages of other versions are deleted afterwards; leftovers of
a killed build are reused (same ids) or cleaned up by the next build.

Example:
    >>> store = PassageStore(Settings())  # doctest: +SKIP
    >>> store.index([load_article(Path("seeds/article.txt"))])  # doctest: +SKIP
    IndexReport(added=['article'], updated=[], unchanged=[], embedded=16, reused=0)
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

import chromadb
from chromadb.api import ClientAPI
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from qa.embeddings import ReusingEmbeddings, load_embeddings
from qa.errors import IndexStoreError, InputError, QAError
from qa.loader import Article
from qa.settings import Settings
from qa.split import Passage, split_article

log = logging.getLogger(__name__)
T = TypeVar("T")

MARKER = "qa-index.json"
FORMAT = 1
# Files that may sit in the index folder without making it "foreign".
_OWN_FILES = {MARKER, ".lock", ".gitkeep", "uploads", "README.md"}


@dataclass(frozen=True)
class ArticleInfo:
    """What the catalog knows about one indexed article."""

    article_id: str
    title: str
    version: str
    passages: int
    source: str
    model: str
    chunk_size: int
    indexed_at: float


@dataclass(frozen=True, kw_only=True)
class StoredPassage(Passage):
    """A passage as read back from the store, with its id there."""

    id: str


@dataclass
class IndexReport:
    """What one :meth:`PassageStore.index` call did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    embedded: int = 0
    reused: int = 0


def version_of(article: Article, settings: Settings) -> str:
    """Version key: changes when the text, the splitting or the embedder changes."""
    key = json.dumps(
        [article.content_hash, article.title, settings.chunk_size, settings.chunk_overlap,
         settings.embedding_name, FORMAT]
    )  # fmt: skip
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _check_index_dir(path: Path) -> None:
    """Refuse a folder that holds something other than our index."""
    if not path.exists():
        path.mkdir(parents=True)
    if not path.is_dir():
        raise IndexStoreError(f"Index path {path} is not a directory")
    marker = path / MARKER
    others = [p.name for p in path.iterdir() if p.name not in _OWN_FILES]
    if marker.exists():
        try:
            data = json.loads(marker.read_text())
        except (OSError, ValueError):
            data = {}
        if data.get("format") != FORMAT:
            raise IndexStoreError(
                f"{path} was written by another version of qa or is damaged; "
                f"rebuild it with: qa index --rebuild PATH..."
            )
        return
    if others:
        raise IndexStoreError(
            f"{path} holds data that is not a qa index ({', '.join(sorted(others)[:3])}); "
            "move it away or choose another folder with --index-dir / QA_INDEX_DIR"
        )
    marker.write_text(json.dumps({"format": FORMAT, "created": time.time()}))


def _client(settings: Settings) -> ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        try:
            client = chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
            client.heartbeat()
        except Exception as exc:
            raise IndexStoreError(
                f"Cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port} "
                f"({type(exc).__name__})"
            ) from None
        return client
    _check_index_dir(settings.index_dir)
    try:
        return chromadb.PersistentClient(path=str(settings.index_dir), settings=chroma_settings)
    except Exception as exc:
        raise IndexStoreError(
            f"The index at {settings.index_dir} cannot be opened ({type(exc).__name__}: "
            f"{str(exc)[:120]}); rebuild it with: qa index --rebuild PATH..."
        ) from None


def _guarded(method: Callable[..., T]) -> Callable[..., T]:
    """Report a store that fails mid-session (server gone, files damaged) in one line."""

    @functools.wraps(method)
    def wrapper(self: PassageStore, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except QAError:
            raise
        except Exception as exc:
            where = (
                f"the Chroma server at {self.settings.chroma_host}:{self.settings.chroma_port}"
                if self.settings.chroma_host
                else f"the index at {self.settings.index_dir}"
            )
            raise IndexStoreError(
                f"Lost {where} ({type(exc).__name__}); check it is running and intact, "
                "or rebuild with: qa index --rebuild PATH..."
            ) from None

    return wrapper


def _passage_metadata(p: Passage, version: str) -> dict[str, Any]:
    return {
        "article_id": p.article_id,
        "version": version,
        "title": p.title,
        "index": p.index,
        "paragraph": p.paragraph,
        "start": p.start,
        "end": p.end,
        "quote": p.quote,
        "text_hash": p.text_hash,
    }


def passage_from_record(pid: str, text: str, meta: dict[str, Any]) -> StoredPassage:
    """Rebuild a passage from a Chroma record (id, document, metadata)."""
    return StoredPassage(
        id=pid,
        article_id=str(meta["article_id"]),
        title=str(meta.get("title", "")),
        index=int(meta["index"]),
        paragraph=int(meta["paragraph"]),
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=text,
        quote=str(meta["quote"]),
    )


class PassageStore:
    """Articles' passages and embeddings in Chroma; see the module docstring.

    Args:
        settings: Where the store lives and how passages are made.
        embeddings: The embedder; defaults to the packaged MiniLM model.
    """

    def __init__(self, settings: Settings, embeddings: Embeddings | None = None) -> None:
        self.settings = settings
        self._embeddings = embeddings
        self.client = _client(settings)
        try:
            self.catalog = self.client.get_or_create_collection(
                f"{settings.collection}_catalog",
                embedding_function=None,
                metadata={"qa": "catalog"},
            )
            self._raw = self.client.get_or_create_collection(
                settings.collection,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
            )
        except Exception as exc:
            raise IndexStoreError(
                f"The index cannot be read ({type(exc).__name__}: {str(exc)[:120]}); "
                "rebuild it with: qa index --rebuild PATH..."
            ) from None
        self._cache: dict[str, list[StoredPassage]] = {}
        self._vs: Chroma | None = None

    @property
    def embeddings(self) -> Embeddings:
        """The embedder, loaded on first use."""
        if self._embeddings is None:
            self._embeddings = load_embeddings(self.settings)
        return self._embeddings

    def vectorstore(self, embeddings: Embeddings) -> Chroma:
        """The passages collection as a ``langchain-chroma`` vector store."""
        return Chroma(
            client=self.client,
            collection_name=self.settings.collection,
            embedding_function=embeddings,
            collection_configuration={"hnsw": {"space": "cosine"}},
        )

    @contextlib.contextmanager
    def _write_lock(self) -> Iterator[None]:
        """Serialise writers of an embedded store across processes."""
        if self.settings.chroma_host:
            yield
            return
        with open(self.settings.index_dir / ".lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # ----------------------------------------------------------------- reading
    @_guarded
    def articles(self) -> list[ArticleInfo]:
        """Every indexed article, sorted by id."""
        got = self.catalog.get(include=["metadatas"])
        metas = cast(list[dict[str, Any]], got["metadatas"] or [])
        infos = [
            ArticleInfo(
                article_id=aid,
                title=str(m["title"]),
                version=str(m["version"]),
                passages=int(m["passages"]),
                source=str(m.get("source", "")),
                model=str(m.get("model", "")),
                chunk_size=int(m.get("chunk_size", 0)),
                indexed_at=float(m.get("indexed_at", 0.0)),
            )
            for aid, m in zip(got["ids"], metas, strict=True)
        ]
        return sorted(infos, key=lambda i: i.article_id)

    def info(self, article_id: str) -> ArticleInfo:
        """Catalog entry of one article.

        Raises:
            InputError: No such article is indexed.
        """
        for info in self.articles():
            if info.article_id == article_id:
                return info
        known = ", ".join(i.article_id for i in self.articles()) or "none"
        raise InputError(f"No indexed article {article_id!r} (indexed: {known})")

    @_guarded
    def original_text(self, article_id: str) -> str:
        """The original text of an indexed article (what quotes are cut from)."""
        got = self.catalog.get(ids=[article_id], include=["documents"])
        if not got["ids"]:
            raise InputError(f"No indexed article {article_id!r}")
        return str((got["documents"] or [""])[0])

    def version_filter(self, article_ids: Sequence[str]) -> dict[str, Any]:
        """Chroma ``where`` filter selecting the active versions of ``article_ids``."""
        # One lookup by id: this runs on every query (dense search and BM25 corpus).
        got = self.catalog.get(ids=list(dict.fromkeys(article_ids)), include=["metadatas"])
        found = {
            aid: str(m["version"])
            for aid, m in zip(got["ids"], got["metadatas"] or [], strict=True)
        }
        for aid in article_ids:
            if aid not in found:
                self.info(aid)  # raises the "No indexed article" error
        versions = [found[a] for a in article_ids]
        if len(versions) == 1:
            return {"version": versions[0]}
        return {"version": {"$in": versions}}

    @_guarded
    def passages(self, article_ids: Sequence[str]) -> list[StoredPassage]:
        """All passages of the active versions of ``article_ids``, in order."""
        flt = self.version_filter(article_ids)
        key = json.dumps(flt, sort_keys=True)
        if key not in self._cache:
            got = self._raw.get(where=flt, include=["documents", "metadatas"])
            stored = [
                passage_from_record(pid, doc, dict(meta))
                for pid, doc, meta in zip(
                    got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True
                )
            ]
            stored.sort(key=lambda p: (article_ids.index(p.article_id), p.index))
            if len(self._cache) >= 16:  # a few articles are in use at a time
                self._cache.clear()
            self._cache[key] = stored
        return self._cache[key]

    @_guarded
    def search(
        self, vector: list[float], k: int, article_ids: Sequence[str]
    ) -> list[tuple[StoredPassage, float]]:
        """Dense search: the ``k`` passages nearest to ``vector`` with cosine similarity."""
        if self._vs is None:
            self._vs = self.vectorstore(self.embeddings)
        hits = self._vs.similarity_search_by_vector_with_relevance_scores(
            vector, k=k, filter=self.version_filter(article_ids)
        )
        # langchain-chroma returns the cosine *distance* here; callers want similarity.
        return [
            (
                passage_from_record(str(doc.id), doc.page_content, dict(doc.metadata)),
                1.0 - float(distance),
            )
            for doc, distance in hits
        ]

    # ----------------------------------------------------------------- writing
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
        with self._write_lock():
            active: dict[str, str] = {}
            if ids:
                current = self.catalog.get(ids=ids, include=["metadatas"])
                for aid, m in zip(current["ids"], current["metadatas"] or [], strict=True):
                    active[aid] = str(m["version"])
            work: list[tuple[Article, str, list[Passage]]] = []
            for article in articles:
                version = version_of(article, self.settings)
                if active.get(article.article_id) == version:
                    report.unchanged.append(article.article_id)
                    continue
                passages = split_article(
                    article, self.settings.chunk_size, self.settings.chunk_overlap
                )
                work.append((article, version, passages))
                (report.updated if article.article_id in active else report.added).append(
                    article.article_id
                )
            if work:
                self._write(work, report, progress, batch_size)
        self._cache.clear()
        return report

    def _write(
        self,
        work: list[tuple[Article, str, list[Passage]]],
        report: IndexReport,
        progress: Callable[[int], None] | None,
        batch_size: int,
    ) -> None:
        # Vectors we already have: passages of earlier (or half-built) versions.
        known: dict[str, list[float]] = {}
        present: set[str] = set()
        wanted = {p.passage_id(v) for _, v, ps in work for p in ps}
        article_ids = [a.article_id for a, _, _ in work]
        for chunk_start in range(0, len(article_ids), 500):
            got = self._raw.get(
                where=cast(
                    Any, {"article_id": {"$in": article_ids[chunk_start : chunk_start + 500]}}
                ),
                include=["documents", "embeddings"],
            )
            docs = got["documents"] or []
            vectors = got["embeddings"] if got["embeddings"] is not None else []
            for pid, doc, vec in zip(got["ids"], docs, vectors, strict=True):
                known[doc] = [float(x) for x in vec]
                if pid in wanted:
                    present.add(pid)

        def count(n: int) -> None:
            report.embedded += n

        reusing = ReusingEmbeddings(self.embeddings, known, on_embedded=count)
        store = self.vectorstore(reusing)
        pending: list[tuple[str, str, dict[str, Any]]] = []
        remaining = {a.article_id: 0 for a, _, _ in work}
        owner: dict[str, str] = {}
        for article, version, passages in work:
            for p in passages:
                pid = p.passage_id(version)
                if pid in present:
                    continue
                pending.append((pid, p.text, _passage_metadata(p, version)))
                remaining[article.article_id] += 1
                owner[pid] = article.article_id
        done: set[str] = set()

        def flip_ready() -> None:
            ready = [(a, v, ps) for a, v, ps in work if remaining[a.article_id] == 0]
            ready = [item for item in ready if item[0].article_id not in done]
            if ready:
                self._flip(ready)
                done.update(a.article_id for a, _, _ in ready)

        flip_ready()
        step = min(batch_size, self.client.get_max_batch_size())
        for i in range(0, len(pending), step):
            batch = pending[i : i + step]
            store.add_texts(
                [t for _, t, _ in batch],
                metadatas=[m for _, _, m in batch],
                ids=[b[0] for b in batch],
            )
            for pid, _, _ in batch:
                remaining[owner[pid]] -= 1
            flip_ready()
            if progress:
                progress(len(batch))
        # Everything not embedded now had its vector already (earlier or half-built version).
        report.reused = sum(len(ps) for _, _, ps in work) - report.embedded

    def _flip(self, ready: list[tuple[Article, str, list[Passage]]]) -> None:
        """Point catalog records at new versions, then drop other versions' passages."""
        now = time.time()
        self.catalog.upsert(
            ids=[a.article_id for a, _, _ in ready],
            embeddings=cast(Any, [[1.0]] * len(ready)),  # the catalog is looked up by id only
            documents=[a.original for a, _, _ in ready],
            metadatas=[
                {
                    "title": a.title,
                    "version": v,
                    "passages": len(ps),
                    "source": a.source,
                    "model": self.settings.embedding_name,
                    "chunk_size": self.settings.chunk_size,
                    "indexed_at": now,
                }
                for a, v, ps in ready
            ],
        )
        for article, version, _ in ready:
            self._raw.delete(
                where=cast(
                    Any,
                    {"$and": [{"article_id": article.article_id}, {"version": {"$ne": version}}]},
                )
            )

    def remove(self, article_id: str) -> int:
        """Remove an article and its passages; returns how many passages went.

        Raises:
            InputError: No such article is indexed.
        """
        info = self.info(article_id)
        with self._write_lock():
            self.catalog.delete(ids=[article_id])
            self._raw.delete(where={"article_id": article_id})
        self._cache.clear()
        return info.passages


def reset_index(settings: Settings) -> None:
    """Delete a qa index so it can be rebuilt; refuses folders that are not ours.

    Raises:
        IndexStoreError: The folder holds data without the qa marker.
    """
    if settings.chroma_host:
        client = _client(settings)
        for name in (settings.collection, f"{settings.collection}_catalog"):
            with contextlib.suppress(Exception):
                client.delete_collection(name)
        return
    path = settings.index_dir
    if not path.exists():
        return
    entries = [p for p in path.iterdir() if p.name not in _OWN_FILES]
    if entries and not (path / MARKER).exists():
        raise IndexStoreError(f"{path} holds data that is not a qa index; refusing to delete it")
    import shutil

    # chromadb caches one client per path in-process; a stale one would see the deleted files.
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    for entry in [*entries, path / MARKER]:
        if entry.is_dir():
            shutil.rmtree(entry)
        elif entry.exists():
            entry.unlink()
