"""What the passage store gives back: catalog entries, stored passages, reports, selections."""

from __future__ import annotations

from dataclasses import dataclass, field

from qa.ingest.split import Passage
from qa.store.lexical import BM25


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
    """What one :meth:`~qa.store.passages.PassageStore.index` call did."""

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
