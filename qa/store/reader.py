"""Reading the store: the catalog, selections of articles, and their passages.

Readers only look at the versions the catalog names, so a write in progress is
never seen. The catalog is cached as of one generation token (one lookup per
query tells whether a writer, in any process, changed it); what is derived from
passages is cached by selection key (content-addressed, so never stale).

Reading scales with the number of articles: selections and passages are read
in ``FILTER_BATCH`` filters and ``READ_PAGE`` records (see :mod:`qa.store.client`).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from chromadb.api.types import Document, GetResult, Include, Metadata, Where

from qa.errors import IndexStoreError, InputError
from qa.settings import Settings
from qa.store.client import (
    FILTER_BATCH,
    chunks,
    guarded,
    open_client,
    pages,
    records_of,
    rows,
    store_error,
    where_is,
)
from qa.store.folder import FORMAT, REBUILD_HINT
from qa.store.records import (
    ARTICLES,
    GENERATION,
    article_info,
    article_record_id,
    passage_from_record,
    version_where,
)
from qa.store.types import ArticleInfo, Selection, StoredPassage

T = TypeVar("T")


class StoreReader:
    """Reads of the store at ``settings``, cached (see the module docstring).

    Raises:
        IndexStoreError: The store cannot be reached, is not ours, or is damaged.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = open_client(settings)
        try:
            self._raw = self.client.get_or_create_collection(
                settings.store.collection,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"qa_format": FORMAT},  # only set when the collection is created
            )
        except Exception as exc:  # any Chroma failure: a one-line error
            raise store_error(settings, exc, "cannot be read") from None
        if (self._raw.metadata or {}).get("qa_format") != FORMAT:  # e.g. an older qa's server
            raise IndexStoreError(
                f"The collection {settings.store.collection!r} of {where_is(settings)} was "
                f"written by another version of qa; {REBUILD_HINT}"
            )
        self._lock = threading.RLock()  # cache dictionaries (held briefly)
        self._loading = threading.RLock()  # slow reads and builds (one at a time)
        self._generation: str | None = None
        self._catalog: dict[str, tuple[str, int]] = {}  # article id -> (version, passages)
        self._articles: list[ArticleInfo] | None = None
        self._selections: dict[tuple[str, ...], Selection] = {}
        self._count: int | None = None  # passages in the collection, as of this generation
        self._passages: OrderedDict[str, list[StoredPassage]] = OrderedDict()

    def _pages(self, selection: Selection, include: Include) -> Iterator[GetResult]:
        """Chroma pages of the selection's passages, ``FILTER_BATCH`` versions per filter."""
        for versions in chunks(sorted(set(selection.versions)), FILTER_BATCH):
            yield from pages(self._raw, include, version_where(versions))

    def _records(
        self, selection: Selection, include: Include
    ) -> Iterator[tuple[str, Document, Metadata]]:
        """``(id, document, metadata)`` of the selection's passages (see :meth:`_pages`)."""
        for got in self._pages(selection, include):
            yield from records_of(got)

    @guarded
    def generation(self) -> str:
        """A token that changes whenever an article is added, replaced or removed."""
        got = self._raw.get(ids=[GENERATION], include=["metadatas"])
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

    @guarded
    def articles(self) -> list[ArticleInfo]:
        """Every indexed article, sorted by id."""
        self._current()
        with self._lock:
            articles, catalog = self._articles, self._catalog
        if articles is None:
            infos = [article_info(meta) for _, _, meta in rows(self._raw, ["metadatas"], ARTICLES)]
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

    @guarded
    def original_text(self, article_id: str) -> str:
        """The original text of an indexed article (what quotes are cut from)."""
        got = self._raw.get(ids=[article_record_id(article_id)], include=["documents"])
        if not got["ids"]:
            raise InputError(f"No indexed article {article_id!r}")
        return str((got["documents"] or [""])[0])

    @guarded
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
        for batch in chunks(missing, FILTER_BATCH):
            got = self._raw.get(ids=[article_record_id(a) for a in batch], include=["metadatas"])
            metas: list[Mapping[str, Any]] = got["metadatas"] or []
            for m in metas:
                catalog[str(m["article_id"])] = (str(m["active"]), int(m["passages"]))
        for aid in wanted:
            if aid not in catalog:
                self.info(aid)  # raises the "No indexed article" error
        pairs = [(aid, catalog[aid][0]) for aid in wanted]
        key = hashlib.sha256(
            json.dumps([FORMAT, self.settings.store.collection, sorted(pairs)]).encode()
        )
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

    def version_filter(self, article_ids: Sequence[str]) -> Where:
        """Chroma ``where`` filter selecting the active versions of ``article_ids``.

        One filter for all of them: fine for a few articles; :meth:`search` and
        :meth:`passages` batch large selections themselves.
        """
        return version_where(self.select(article_ids).versions)

    def _cached(self, cache: OrderedDict[str, T], key: str) -> T | None:
        with self._lock:
            value = cache.get(key)
            if value is not None:
                cache.move_to_end(key)
            return value

    def _load_once(
        self, cache: OrderedDict[str, T], key: str, keep: int, load: Callable[[], T]
    ) -> T:
        """``cache[key]``, or ``load()`` it: one slow read at a time, and a thread that
        waited for another's read reuses it. The ``keep`` most recent values stay."""
        cached = self._cached(cache, key)
        if cached is not None:
            return cached
        with self._loading:
            cached = self._cached(cache, key)  # loaded while we waited?
            if cached is not None:
                return cached
            value = load()
            with self._lock:
                cache[key] = value
                cache.move_to_end(key)
                while len(cache) > keep:
                    cache.popitem(last=False)
            return value

    @guarded
    def passages(self, article_ids: Sequence[str]) -> list[StoredPassage]:
        """All passages of the active versions of ``article_ids``, in order."""
        selection = self.select(article_ids)

        def load() -> list[StoredPassage]:
            position = {aid: i for i, aid in enumerate(selection.article_ids)}
            stored = [
                passage_from_record(pid, doc, meta)
                for pid, doc, meta in self._records(selection, ["documents", "metadatas"])
            ]
            stored.sort(key=lambda p: (position[p.article_id], p.index))
            return stored

        return self._load_once(self._passages, selection.key, 16, load)

    @guarded
    def fetch(self, ids: Sequence[str]) -> list[StoredPassage]:
        """Passages by id, in the order given (ids no longer stored are left out)."""
        found: dict[str, StoredPassage] = {}
        for batch in chunks(list(dict.fromkeys(ids)), FILTER_BATCH):
            got = self._raw.get(ids=list(batch), include=["documents", "metadatas"])
            for pid, doc, meta in zip(
                got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True
            ):
                found[pid] = passage_from_record(pid, doc, meta)
        return [found[i] for i in ids if i in found]

    def _total(self) -> int:
        """Records in the collection: passages of all versions, and the article records,
        which an unfiltered search may meet too (counted once per generation)."""
        with self._lock:
            total = self._count
        if total is None:  # a count costs ~10 ms at 100,000 passages
            total = self._raw.count()
            with self._lock:
                self._count = total
        return total
