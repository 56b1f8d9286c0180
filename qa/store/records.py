"""What the store's Chroma records hold, written and read back in one place.

Layout (one Chroma database, embedded at ``index/`` or on a server):

* ``qa_passages``: one record per passage, id = content hash of
  (article, version, position, text); metadata says which article *version*
  it belongs to. Embeddings are written through ``langchain-chroma``.
* ``qa_catalog``: one record per article: its active version, title,
  passage count and original text; and the record ``#generation``, whose
  token changes with every flip or removal, so a reader checks with one
  lookup per query whether the catalog it cached is current (also for writes
  by other processes). ``#`` is never in an article id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from chromadb.api.types import Where

from qa.ingest.loader import Article
from qa.ingest.split import Passage
from qa.settings import Settings
from qa.store.types import ArticleInfo, StoredPassage

GENERATION = "#generation"  # the catalog record that changes with every write


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


def catalog_metadata(
    article: Article, version: str, passages: int, settings: Settings, indexed_at: float
) -> dict[str, str | int | float]:
    """Metadata of an article's catalog record, pointing at its active ``version``."""
    return {
        "title": article.title,
        "version": version,
        "passages": passages,
        "source": article.source,
        "model": settings.store.embedding_name,
        "chunk_size": settings.ingest.chunk_size,
        "indexed_at": indexed_at,
    }


def article_info(article_id: str, meta: Mapping[str, Any]) -> ArticleInfo:
    """Rebuild a catalog entry from its record's metadata."""
    return ArticleInfo(
        article_id=article_id,
        title=str(meta["title"]),
        version=str(meta["version"]),
        passages=int(meta["passages"]),
        source=str(meta.get("source", "")),
        model=str(meta.get("model", "")),
        chunk_size=int(meta.get("chunk_size", 0)),
        indexed_at=float(meta.get("indexed_at", 0.0)),
    )
