"""The passage index in Chroma, written so that a failed build never damages it.

Layout (one Chroma database, embedded at ``index/`` or on a server):

* ``qa_passages``: one record per passage, id = content hash of
  (article, version, position, text); metadata says which article *version*
  it belongs to. Embeddings are written through ``langchain-chroma``.
* ``qa_catalog``: one record per article: its active version, title,
  passage count and original text; and the record ``#generation``, whose
  token changes with every flip or removal, so a reader checks with one
  lookup per query whether the catalog it cached is current (also for writes
  by other processes). ``#`` is never in an article id.

A build writes the new version's passages first and only then flips the
article's catalog record to that version (one upsert), so readers, which only
look at catalog versions, see either the old complete version or the new
complete one. Passages of other versions are deleted afterwards; leftovers of
a killed build are reused (same ids) or cleaned up by the next build.


Reading scales with the number of articles: every Chroma call takes at most
``FILTER_BATCH`` filter values or ids and reads at most ``READ_PAGE`` records
(SQLite refuses statements with more than 32,766 variables, and Chroma reads
the metadata of all matched records in one statement). Dense search over a
large selection asks HNSW for more neighbours without a filter and keeps the
selection's, instead of filtering on thousands of versions. The BM25 index of
a selection is built once and, for large selections, saved beside the index
(``lexical/``), keyed by the selection's article versions.

Example:
    >>> from qa.ingest.loader import load_article
    >>> store = PassageStore(Settings(index_dir=getfixture("tmp_path")))
    >>> store.index([load_article(Path("seeds/article.txt"))])
    IndexReport(added=['article'], updated=[], unchanged=[], embedded=16, reused=0)
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import logging
import math
import os
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings
from numpy.typing import NDArray

from qa.errors import IndexStoreError, InputError, QAError
from qa.ingest.loader import Article
from qa.ingest.split import Passage, split_article
from qa.settings import Settings
from qa.store.embeddings import ReusingEmbeddings, load_embeddings
from qa.store.lexical import BM25, BM25_FORMAT

log = logging.getLogger(__name__)
T = TypeVar("T")

MARKER = "qa-index.json"
FORMAT = 1
# Files that may sit in the index folder without making it "foreign".
# "sources": web pages saved by qa.ingest.fetch, so re-indexing them needs no network.
_OWN_FILES = {MARKER, ".lock", ".gitkeep", "uploads", "sources", "README.md"}

#: Filter values or ids per Chroma call (SQLite allows 32,766 variables per statement).
FILTER_BATCH = 500
#: Records per read: Chroma reads the metadata of all of them in one statement.
READ_PAGE = 5_000
#: Selections with at most this many passages are searched exactly, vector by vector.
EXACT_LIMIT = 10_000
#: Largest number of unfiltered nearest neighbours asked for before a dense search
#: over a selection falls back to filtered searches, ``FILTER_BATCH`` versions each.
OVERFETCH_LIMIT = 2_000
#: Selections with at least this many passages keep their BM25 index on disk.
PERSIST_MIN_PASSAGES = 2_000
#: Saved BM25 indexes kept (least recently used ones go).
PERSIST_KEEP = 8

REBUILD_HINT = "rebuild it with: qa index --rebuild PATH..."
# What Chroma says when its files are damaged (SQLite codes 11 and 26: corrupt, not a
# database); nothing else suggests a rebuild, which would throw an intact index away.
_DAMAGED = re.compile(
    r"not a database|malformed|corrupt|\(code: (?:11|26)\)|no such table|loading hnsw",
    re.IGNORECASE,
)
_GENERATION = "#generation"  # the catalog record that changes with every write
_UNREACHABLE = re.compile(r"connect|timed? ?out|refused|unreachable|reset by peer", re.IGNORECASE)


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


@dataclass(frozen=True)
class Selection:
    """Articles to search, resolved against the catalog at one moment.

    ``key`` is a content hash of the (article id, version) pairs: it names the
    same passages for as long as those versions are active, across processes.
    """

    article_ids: tuple[str, ...]
    versions: tuple[str, ...]
    passages: int
    key: str


@dataclass(frozen=True)
class LexicalIndex:
    """The BM25 index of a selection; row ``i`` is the passage with id ``ids[i]``."""

    ids: list[str]
    bm25: BM25


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _version_where(versions: Sequence[str]) -> dict[str, Any]:
    if len(versions) == 1:
        return {"version": versions[0]}
    return {"version": {"$in": list(versions)}}


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
                f"{path} was written by another version of qa or is damaged; {REBUILD_HINT}"
            )
        return
    if others:
        raise IndexStoreError(
            f"{path} holds data that is not a qa index ({', '.join(sorted(others)[:3])}); "
            "move it away or choose another folder with --index-dir / QA_INDEX_DIR"
        )
    marker.write_text(json.dumps({"format": FORMAT, "created": time.time()}))


def _where(settings: Settings) -> str:
    if settings.chroma_host:
        return f"the Chroma server at {settings.chroma_host}:{settings.chroma_port}"
    return f"the index at {settings.index_dir}"


def store_error(settings: Settings, exc: BaseException, doing: str = "failed") -> IndexStoreError:
    """A one-line error for a store failure that says what it is.

    Only damage (unreadable database or vector files) suggests a rebuild; a server
    that went away says so; anything else is reported as the store's own error.
    """
    where = _where(settings)
    text = " ".join(str(exc).split())
    detail = f"{type(exc).__name__}: {text[:160]}" if text else type(exc).__name__
    if _DAMAGED.search(text):
        return IndexStoreError(f"{where.capitalize()} is damaged ({detail}); {REBUILD_HINT}")
    if settings.chroma_host and (
        isinstance(exc, ConnectionError) or _UNREACHABLE.search(f"{type(exc).__name__} {text}")
    ):
        return IndexStoreError(f"Lost {where} ({detail}); check that it is running")
    return IndexStoreError(f"{where.capitalize()} {doing} ({detail})")


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
        raise store_error(settings, exc, "cannot be opened") from None


def _guarded(method: Callable[..., T]) -> Callable[..., T]:
    """Report a store that fails mid-session (server gone, files damaged) in one line."""

    @functools.wraps(method)
    def wrapper(self: PassageStore, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except QAError:
            raise
        except Exception as exc:
            raise store_error(self.settings, exc) from None

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
        # Chroma metadata cannot hold None: unpaged passages have no "page" key.
        **({"page": p.page} if p.page is not None else {}),
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
        page=int(meta["page"]) if meta.get("page") is not None else None,  # absent: unpaged
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
            raise store_error(settings, exc, "cannot be read") from None
        # Caches: the catalog as of one generation token; everything derived from
        # passages by selection key (content-addressed, so never stale).
        self._lock = threading.RLock()  # cache dictionaries (held briefly)
        self._loading = threading.RLock()  # slow reads and builds (one at a time)
        self._generation: str | None = None
        self._catalog: dict[str, tuple[str, int]] = {}  # article id -> (version, passages)
        self._articles: list[ArticleInfo] | None = None
        self._selections: dict[tuple[str, ...], Selection] = {}
        self._passages: OrderedDict[str, list[StoredPassage]] = OrderedDict()
        self._ids: OrderedDict[str, frozenset[str]] = OrderedDict()
        self._lexical: OrderedDict[str, LexicalIndex] = OrderedDict()
        self._matrices: OrderedDict[str, tuple[list[str], NDArray[np.float32]]] = OrderedDict()
        self._count: int | None = None  # passages in the collection, as of this generation
        self._writing = threading.Lock()
        self._writer: Chroma | None = None
        self._reusing: ReusingEmbeddings | None = None

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
        """Serialise writers: this store's threads, and processes on an embedded store."""
        with self._writing:
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
    @staticmethod
    def _pages(
        collection: Any, include: list[str], where: dict[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Chroma ``get`` results for every matching record, ``READ_PAGE`` records each."""
        offset = 0
        while True:
            got = collection.get(where=where, include=include, limit=READ_PAGE, offset=offset)
            yield got
            if len(got["ids"]) < READ_PAGE:
                return
            offset += READ_PAGE

    def _rows(
        self, collection: Any, include: list[str], where: dict[str, Any] | None = None
    ) -> Iterator[tuple[str, Any, Any]]:
        """``(id, document, metadata)`` of every matching record (``None`` if not included)."""
        for got in self._pages(collection, include, where):
            ids = got["ids"]
            docs = got["documents"] if got.get("documents") is not None else [None] * len(ids)
            metas = got["metadatas"] if got.get("metadatas") is not None else [None] * len(ids)
            yield from zip(ids, docs, metas, strict=True)

    def _records(self, selection: Selection, include: list[str]) -> Iterator[tuple[str, Any, Any]]:
        """Records of the selection's passages, ``FILTER_BATCH`` versions per filter."""
        for versions in _chunks(sorted(set(selection.versions)), FILTER_BATCH):
            yield from self._rows(self._raw, include, _version_where(versions))

    @_guarded
    def generation(self) -> str:
        """A token that changes whenever an article is added, replaced or removed."""
        got = self.catalog.get(ids=[_GENERATION], include=["metadatas"])
        metas = got["metadatas"] or []
        return str(metas[0].get("token", "")) if metas else ""

    def _current(self) -> None:
        """Drop the cached catalog if any writer changed it since it was read."""
        token = self.generation()
        with self._lock:
            if token != self._generation:
                self._generation = token
                self._catalog, self._articles, self._selections = {}, None, {}
                self._count = None

    @_guarded
    def articles(self) -> list[ArticleInfo]:
        """Every indexed article, sorted by id."""
        self._current()
        with self._lock:
            articles, catalog = self._articles, self._catalog
        if articles is None:
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
                for aid, _, m in self._rows(self.catalog, ["metadatas"])
                if aid != _GENERATION
            ]
            articles = sorted(infos, key=lambda i: i.article_id)
            with self._lock:
                if self._catalog is catalog:  # else a writer came by: cache nothing
                    self._articles = articles
                    catalog.update({i.article_id: (i.version, i.passages) for i in infos})
        return articles

    def info(self, article_id: str) -> ArticleInfo:
        """Catalog entry of one article.

        Raises:
            InputError: No such article is indexed.
        """
        infos = self.articles()
        for info in infos:
            if info.article_id == article_id:
                return info
        known = ", ".join(i.article_id for i in infos[:5]) or "none"
        more = f" and {len(infos) - 5:,} more" if len(infos) > 5 else ""
        raise InputError(f"No indexed article {article_id!r} (indexed: {known}{more})")

    @_guarded
    def original_text(self, article_id: str) -> str:
        """The original text of an indexed article (what quotes are cut from)."""
        got = self.catalog.get(ids=[article_id], include=["documents"])
        if not got["ids"]:
            raise InputError(f"No indexed article {article_id!r}")
        return str((got["documents"] or [""])[0])

    @_guarded
    def select(self, article_ids: Sequence[str]) -> Selection:
        """Resolve ``article_ids`` to their active versions (one lookup per query).

        Raises:
            InputError: One of them is not indexed.
        """
        self._current()
        wanted = tuple(dict.fromkeys(article_ids))
        with self._lock:  # this generation's catalog, even if a writer starts a new one
            catalog, selections = self._catalog, self._selections
            cached = selections.get(wanted)
        if cached is not None:
            return cached
        missing = [a for a in wanted if a not in catalog]
        for batch in _chunks(missing, FILTER_BATCH):
            got = self.catalog.get(ids=list(batch), include=["metadatas"])
            for aid, m in zip(got["ids"], got["metadatas"] or [], strict=True):
                catalog[aid] = (str(m["version"]), int(cast(Any, m["passages"])))
        for aid in wanted:
            if aid not in catalog:
                self.info(aid)  # raises the "No indexed article" error
        pairs = [(aid, catalog[aid][0]) for aid in wanted]
        key = hashlib.sha256(json.dumps([FORMAT, self.settings.collection, sorted(pairs)]).encode())
        selection = Selection(
            article_ids=wanted,
            versions=tuple(v for _, v in pairs),
            passages=sum(catalog[aid][1] for aid in wanted),
            key=key.hexdigest()[:32],
        )
        with self._lock:
            if len(selections) >= 64:  # a handful are in use at a time
                selections.clear()
            selections[wanted] = selection
        return selection

    def passage_count(self, article_ids: Sequence[str]) -> int:
        """How many passages the active versions of ``article_ids`` have (no passage read)."""
        return self.select(article_ids).passages

    def version_filter(self, article_ids: Sequence[str]) -> dict[str, Any]:
        """Chroma ``where`` filter selecting the active versions of ``article_ids``.

        One filter for all of them: fine for a few articles; :meth:`search` and
        :meth:`passages` batch large selections themselves.
        """
        return _version_where(self.select(article_ids).versions)

    def _cached(self, cache: OrderedDict[str, T], key: str) -> T | None:
        with self._lock:
            value = cache.get(key)
            if value is not None:
                cache.move_to_end(key)
            return value

    def _remember(self, cache: OrderedDict[str, T], key: str, value: T, keep: int) -> T:
        with self._lock:
            cache[key] = value
            cache.move_to_end(key)
            while len(cache) > keep:
                cache.popitem(last=False)
            return value

    @_guarded
    def passages(self, article_ids: Sequence[str]) -> list[StoredPassage]:
        """All passages of the active versions of ``article_ids``, in order."""
        selection = self.select(article_ids)
        cached = self._cached(self._passages, selection.key)
        if cached is not None:
            return cached
        with self._loading:
            cached = self._cached(self._passages, selection.key)  # loaded while we waited?
            if cached is not None:
                return cached
            position = {aid: i for i, aid in enumerate(selection.article_ids)}
            stored = [
                passage_from_record(pid, doc, dict(meta))
                for pid, doc, meta in self._records(selection, ["documents", "metadatas"])
            ]
            stored.sort(key=lambda p: (position[p.article_id], p.index))
            return self._remember(self._passages, selection.key, stored, 16)

    @_guarded
    def fetch(self, ids: Sequence[str]) -> list[StoredPassage]:
        """Passages by id, in the order given (ids no longer stored are left out)."""
        found: dict[str, StoredPassage] = {}
        for batch in _chunks(list(dict.fromkeys(ids)), FILTER_BATCH):
            got = self._raw.get(ids=list(batch), include=["documents", "metadatas"])
            for pid, doc, meta in zip(
                got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True
            ):
                found[pid] = passage_from_record(pid, doc, dict(meta))
        return [found[i] for i in ids if i in found]

    def _passage_ids(self, selection: Selection) -> frozenset[str]:
        cached = self._cached(self._ids, selection.key)
        if cached is not None:
            return cached
        with self._loading:
            lexical = self._cached(self._lexical, selection.key)
            ids = lexical.ids if lexical else [r[0] for r in self._records(selection, [])]
            return self._remember(self._ids, selection.key, frozenset(ids), 8)

    def _nearest(
        self, vector: list[float], n: int, where: dict[str, Any] | None
    ) -> list[tuple[str, float]]:
        got = self._raw.query(
            query_embeddings=cast(Any, [vector]), n_results=n, where=where, include=["distances"]
        )
        distances = (got["distances"] or [[]])[0]
        # Chroma returns the cosine *distance*; callers want similarity.
        return [(pid, 1.0 - float(d)) for pid, d in zip(got["ids"][0], distances, strict=True)]

    def _vectors(self, selection: Selection) -> tuple[list[str], NDArray[np.float32]]:
        """Ids and unit-length vectors of the selection's passages (read once, cached)."""
        cached = self._cached(self._matrices, selection.key)
        if cached is not None:
            return cached
        with self._loading:
            cached = self._cached(self._matrices, selection.key)  # read while we waited?
            if cached is not None:
                return cached
            ids: list[str] = []
            parts = [np.zeros((0, 0), dtype=np.float32)]
            for versions in _chunks(sorted(set(selection.versions)), FILTER_BATCH):
                for got in self._pages(self._raw, ["embeddings"], _version_where(versions)):
                    if got["ids"]:
                        ids += got["ids"]
                        parts.append(np.asarray(got["embeddings"], dtype=np.float32))
            matrix = np.concatenate(parts[1:]) if ids else parts[0]
            if ids:
                matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
            return self._remember(self._matrices, selection.key, (ids, matrix), 4)

    def _total(self) -> int:
        with self._lock:
            total = self._count
        if total is None:  # a count costs ~10 ms at 100,000 passages: once per generation
            total = self._raw.count()
            with self._lock:
                self._count = total
        return total

    @_guarded
    def search_ids(
        self, vector: list[float], k: int, selection: Selection
    ) -> list[tuple[str, float]]:
        """Dense search: ids of the ``k`` passages of ``selection`` nearest to ``vector``,
        with cosine similarity, best first.

        Up to ``EXACT_LIMIT`` passages, the selection's vectors are read once and
        compared with all of them (exact, and far cheaper than a filtered HNSW
        search in a large index). A larger selection asks HNSW for the nearest
        passages of the whole collection and keeps the selection's; only when
        that would take more than ``OVERFETCH_LIMIT`` neighbours is it searched
        with filters of ``FILTER_BATCH`` versions, merging the results.
        """
        if selection.passages == 0 or k <= 0:
            return []
        if selection.passages <= EXACT_LIMIT:
            ids, matrix = self._vectors(selection)
            if not ids:
                return []
            query = np.asarray(vector, dtype=np.float32)
            sims = matrix @ (query / max(float(np.linalg.norm(query)), 1e-12))
            best = np.argsort(-sims, kind="stable")[:k]
            return [(ids[i], float(sims[i])) for i in best]
        total = self._total()
        # Enough neighbours to hold k of the selection if they are spread evenly, with slack.
        n = math.ceil(2 * k * total / selection.passages)
        if n <= OVERFETCH_LIMIT:
            allowed = self._passage_ids(selection)
            while True:
                near = self._nearest(vector, n, None)
                hits = [(pid, s) for pid, s in near if pid in allowed]
                if len(hits) >= min(k, len(allowed)) or len(near) < n:  # enough, or all seen
                    return hits[:k]
                n *= 4  # the selection is not spread evenly: look further
        merged: list[tuple[str, float]] = []
        for versions in _chunks(sorted(set(selection.versions)), FILTER_BATCH):
            merged += self._nearest(vector, k, _version_where(versions))
        return sorted(merged, key=lambda h: -h[1])[:k]

    def search(
        self, vector: list[float], k: int, article_ids: Sequence[str]
    ) -> list[tuple[StoredPassage, float]]:
        """Dense search: the ``k`` passages nearest to ``vector`` with cosine similarity."""
        hits = self.search_ids(vector, k, self.select(article_ids))
        by_id = {p.id: p for p in self.fetch([pid for pid, _ in hits])}
        return [(by_id[pid], s) for pid, s in hits if pid in by_id]

    # ----------------------------------------------------------------- lexical
    @property
    def lexical_dir(self) -> Path:
        """Where BM25 indexes of large selections are kept between processes."""
        if self.settings.chroma_host:
            server = f"{self.settings.chroma_host}:{self.settings.chroma_port}"
            name = hashlib.sha256(server.encode()).hexdigest()[:16]
            return self.settings.cache_dir / "lexical" / name
        return self.settings.index_dir / "lexical"

    @_guarded
    def lexical(self, selection: Selection) -> LexicalIndex:
        """The BM25 index of ``selection``: from memory, from disk, or built now."""
        cached = self._cached(self._lexical, selection.key)
        if cached is not None:
            return cached
        with self._loading:
            cached = self._cached(self._lexical, selection.key)  # built while we waited?
            if cached is not None:
                return cached
            path = self.lexical_dir / f"{selection.key}-{BM25_FORMAT}.npz"
            persist = selection.passages >= PERSIST_MIN_PASSAGES
            index = self._load_lexical(path) if persist else None
            if index is None:
                index = self._build_lexical(selection)
                if persist:
                    self._save_lexical(path, index)
            return self._remember(self._lexical, selection.key, index, 8)

    def _build_lexical(self, selection: Selection) -> LexicalIndex:
        cached = self._cached(self._passages, selection.key)
        if cached is not None:
            pairs: Iterable[tuple[str, str]] = ((p.id, p.text) for p in cached)
        else:  # documents only: reading metadata costs as much again
            pairs = ((pid, doc) for pid, doc, _ in self._records(selection, ["documents"]))
        ids, texts = [], []
        for pid, text in pairs:
            ids.append(pid)
            texts.append(text)
        return LexicalIndex(ids, BM25(texts))

    @staticmethod
    def _load_lexical(path: Path) -> LexicalIndex | None:
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {name: data[name] for name in data.files}
            ids = arrays.pop("ids").tobytes().decode()
            index = LexicalIndex(ids.split("\n") if ids else [], BM25.from_arrays(arrays))
            if len(index.ids) != index.bm25.n:
                raise ValueError("ids do not match the index")
            os.utime(path)  # recently used: kept by _save_lexical's clean-up
            return index
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError) as exc:  # damaged or foreign: rebuilt and replaced
            log.warning("Ignoring the saved BM25 index %s (%s)", path, exc)
            return None

    @staticmethod
    def _save_lexical(path: Path, index: LexicalIndex) -> None:
        """Write atomically (readers in other processes never see half a file); best effort."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            with open(tmp, "wb") as handle:
                ids = np.frombuffer("\n".join(index.ids).encode(), dtype=np.uint8)
                arrays: dict[str, Any] = {"ids": ids, **index.bm25.arrays()}
                np.savez(handle, **arrays)
            tmp.replace(path)
            saved = sorted(path.parent.glob("*.npz"), key=lambda p: p.stat().st_mtime)
            for old in saved[:-PERSIST_KEEP]:
                old.unlink(missing_ok=True)
        except OSError as exc:  # a read-only or full disk costs a rebuild next start, no more
            log.warning("Could not save the BM25 index to %s (%s)", path, exc)

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
            for batch in _chunks(ids, FILTER_BATCH):
                current = self.catalog.get(ids=list(batch), include=["metadatas"])
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
        others = False  # passages of versions not being written (old or half-built ones)
        wanted = {p.passage_id(v) for _, v, ps in work for p in ps}
        article_ids = [a.article_id for a, _, _ in work]
        for group in _chunks(article_ids, FILTER_BATCH):
            where = {"article_id": {"$in": list(group)}}
            for got in self._pages(self._raw, ["documents", "embeddings"], where):
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

        if self._writer is None:  # kept: opening a langchain store costs a Chroma lookup
            self._reusing = ReusingEmbeddings(self.embeddings)
            self._writer = self.vectorstore(self._reusing)
        assert self._reusing is not None
        self._reusing.known, self._reusing.on_embedded = known, count  # under _write_lock
        store = self._writer
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
                self._flip(ready, purge)
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

    def _flip(self, ready: list[tuple[Article, str, list[Passage]]], purge: set[str]) -> None:
        """Point catalog records at new versions (and change the generation token in
        the same upsert), then drop other versions' passages of the ``purge`` articles."""
        now = time.time()
        metadatas: list[dict[str, Any]] = [
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
        ]
        self.catalog.upsert(
            ids=[a.article_id for a, _, _ in ready] + [_GENERATION],
            # The catalog is looked up by id only.
            embeddings=cast(Any, [[1.0]] * (len(ready) + 1)),
            documents=[a.original for a, _, _ in ready] + [""],
            metadatas=cast(Any, [*metadatas, {"token": uuid.uuid4().hex}]),
        )
        for article, version, _ in ready:
            if article.article_id in purge:
                self._raw.delete(
                    where=cast(
                        Any,
                        {
                            "$and": [
                                {"article_id": article.article_id},
                                {"version": {"$ne": version}},
                            ]
                        },
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
            self.catalog.upsert(
                ids=[_GENERATION],
                embeddings=cast(Any, [[1.0]]),
                documents=[""],
                metadatas=[{"token": uuid.uuid4().hex}],
            )
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
