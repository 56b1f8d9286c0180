"""Searching a selection of articles: dense (cosine) and lexical (BM25).

Dense search over a large selection asks HNSW for more neighbours without a
filter and keeps the selection's, instead of filtering on thousands of
versions. The BM25 index of a selection is built once and, for large
selections, saved beside the index (``lexical/``), keyed by the selection's
article versions.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import PyEmbeddings, Where
from numpy.typing import NDArray

from qa.settings import Settings
from qa.store.client import FILTER_BATCH, chunks, guarded
from qa.store.lexical import BM25, BM25_FORMAT
from qa.store.reader import StoreReader
from qa.store.records import version_where
from qa.store.types import LexicalIndex, Selection, StoredPassage

log = logging.getLogger(__name__)

#: Selections with at most this many passages are searched exactly, vector by vector.
EXACT_LIMIT = 10_000
#: Largest number of unfiltered nearest neighbours asked for before a dense search
#: over a selection falls back to filtered searches, ``FILTER_BATCH`` versions each.
OVERFETCH_LIMIT = 2_000
#: Selections with at least this many passages keep their BM25 index on disk.
PERSIST_MIN_PASSAGES = 2_000
#: Saved BM25 indexes kept (least recently used ones go).
PERSIST_KEEP = 8


class StoreSearch(StoreReader):
    """A :class:`~qa.store.reader.StoreReader` that also searches selections."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        # By selection key, like the passages: content-addressed, so never stale.
        self._ids: OrderedDict[str, frozenset[str]] = OrderedDict()
        self._lexical: OrderedDict[str, LexicalIndex] = OrderedDict()
        self._matrices: OrderedDict[str, tuple[list[str], NDArray[np.float32]]] = OrderedDict()

    # ------------------------------------------------------------------- dense
    def _passage_ids(self, selection: Selection) -> frozenset[str]:
        def load() -> frozenset[str]:
            lexical = self._cached(self._lexical, selection.key)
            return frozenset(
                lexical.ids if lexical else (r[0] for r in self._records(selection, []))
            )

        return self._load_once(self._ids, selection.key, 8, load)

    def _nearest(self, vector: list[float], n: int, where: Where | None) -> list[tuple[str, float]]:
        query: PyEmbeddings = [vector]
        got = self._raw.query(
            query_embeddings=query, n_results=n, where=where, include=["distances"]
        )
        distances = (got["distances"] or [[]])[0]
        # Chroma returns the cosine *distance*; callers want similarity.
        return [(pid, 1.0 - float(d)) for pid, d in zip(got["ids"][0], distances, strict=True)]

    def _vectors(self, selection: Selection) -> tuple[list[str], NDArray[np.float32]]:
        """Ids and unit-length vectors of the selection's passages (read once, cached)."""

        def load() -> tuple[list[str], NDArray[np.float32]]:
            ids: list[str] = []
            parts = [np.zeros((0, 0), dtype=np.float32)]
            for got in self._pages(selection, ["embeddings"]):
                if got["ids"]:
                    ids += got["ids"]
                    parts.append(np.asarray(got["embeddings"], dtype=np.float32))
            matrix = np.concatenate(parts[1:]) if ids else parts[0]
            if ids:
                matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
            return ids, matrix

        return self._load_once(self._matrices, selection.key, 4, load)

    @guarded
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
        for versions in chunks(sorted(set(selection.versions)), FILTER_BATCH):
            merged += self._nearest(vector, k, version_where(versions))
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
        if self.settings.store.chroma_host:
            server = f"{self.settings.store.chroma_host}:{self.settings.store.chroma_port}"
            name = hashlib.sha256(server.encode()).hexdigest()[:16]
            return self.settings.generation.cache_dir / "lexical" / name
        return self.settings.store.index_dir / "lexical"

    @guarded
    def lexical(self, selection: Selection) -> LexicalIndex:
        """The BM25 index of ``selection``: from memory, from disk, or built now."""

        def load() -> LexicalIndex:
            path = self.lexical_dir / f"{selection.key}-{BM25_FORMAT}.npz"
            persist = selection.passages >= PERSIST_MIN_PASSAGES
            index = _load_lexical(path) if persist else None
            if index is None:
                index = self._build_lexical(selection)
                if persist:
                    _save_lexical(path, index)
            return index

        return self._load_once(self._lexical, selection.key, 8, load)

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


def _save_lexical(path: Path, index: LexicalIndex) -> None:
    """Write atomically (readers in other processes never see half a file); best effort."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as handle:
            ids = np.frombuffer("\n".join(index.ids).encode(), dtype=np.uint8)
            # Any: numpy's stub would take an array here for its allow_pickle flag.
            arrays: dict[str, Any] = {"ids": ids, **index.bm25.arrays()}
            np.savez(handle, **arrays)
        tmp.replace(path)
        saved = sorted(path.parent.glob("*.npz"), key=lambda p: p.stat().st_mtime)
        for old in saved[:-PERSIST_KEEP]:
            old.unlink(missing_ok=True)
    except OSError as exc:  # a read-only or full disk costs a rebuild next start, no more
        log.warning("Could not save the BM25 index to %s (%s)", path, exc)
