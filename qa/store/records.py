"""What the store's Chroma records hold, written and read back in one place.

Layout: one Chroma collection, ``qa_passages`` (embedded at ``index/`` or on a
server), with three kinds of records:

* passages: id = content hash of (article, version, position, text); metadata
  says which article *version* each belongs to;
* one article record per article (id ``#article:<id>``): its active version,
  title, passage count and original text;
* ``#generation``, whose token changes with every write or removal, so a
  reader checks with one lookup per query whether the catalog (the article
  records) it cached is current, also for writes by other processes.

An article's new passages and its article record (and the generation) are
written in one upsert, which Chroma applies whole: a build is one write for
one article, and a killed build is never seen. ``#`` is never in an article id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, cast

import numpy as np
from chromadb.api.types import Where

from qa.ingest.loader import Article
from qa.ingest.split import Passage
from qa.settings import Settings
from qa.store.types import ArticleInfo, StoredPassage

GENERATION = "#generation"  # the record whose token changes with every write
#: Metadata filter for the article records (passages have no ``kind``).
ARTICLES: Where = {"kind": "article"}
_ARTICLE = "#article:"


def article_record_id(article_id: str) -> str:
    """Id of the article record of ``article_id``."""
    return f"{_ARTICLE}{article_id}"


def is_passage_id(record_id: str) -> bool:
    """Whether ``record_id`` names a passage (not an article or the generation record)."""
    return not record_id.startswith("#")


def placeholder_vector(record_id: str, dimension: int) -> list[float]:
    """A unit vector for a record that is never searched (article records, the generation).

    Chroma stores a vector with every record. A random direction, seeded by the id,
    is nearly orthogonal to every passage, so these records do not crowd the
    neighbours of an unfiltered search, and no two of them coincide in HNSW.
    """
    seed = int.from_bytes(hashlib.sha256(record_id.encode()).digest()[:8], "big")
    vector = np.random.default_rng(seed).standard_normal(dimension)
    return [float(x) for x in vector / np.linalg.norm(vector)]


def version_where(versions: Sequence[str]) -> Where:
    """Chroma ``where`` filter for the passages of ``versions``."""
    if len(versions) == 1:
        return {"version": versions[0]}
    # cast: mypy does not read "$in" as the Literal key that Chroma's type names.
    return cast(Where, {"version": {"$in": list(versions)}})


def passage_metadata(p: Passage, version: str) -> dict[str, str | int]:
    """Metadata of the record of passage ``p`` of an article's ``version``."""
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


def passage_from_record(pid: str, text: str, meta: Mapping[str, Any]) -> StoredPassage:
    """Rebuild a passage from a Chroma record (id, document, metadata).

    ``meta`` is Chroma's (or a ``langchain`` document's): each value is converted here.
    """
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


def article_metadata(
    article: Article, version: str, passages: int, settings: Settings, indexed_at: float
) -> dict[str, str | int | float]:
    """Metadata of an article's record, pointing at its active ``version``.

    The version is kept as ``active``: passages are selected by ``version``, and an
    article record must never match such a filter.
    """
    return {
        "kind": "article",
        "article_id": article.article_id,
        "title": article.title,
        "active": version,
        "passages": passages,
        "source": article.source,
        "model": settings.store.embedding_name,
        "chunk_size": settings.ingest.chunk_size,
        "indexed_at": indexed_at,
    }


def article_info(meta: Mapping[str, Any]) -> ArticleInfo:
    """Rebuild a catalog entry from the metadata of an article record."""
    return ArticleInfo(
        article_id=str(meta["article_id"]),
        title=str(meta["title"]),
        version=str(meta["active"]),
        passages=int(meta["passages"]),
        source=str(meta.get("source", "")),
        model=str(meta.get("model", "")),
        chunk_size=int(meta.get("chunk_size", 0)),
        indexed_at=float(meta.get("indexed_at", 0.0)),
    )
