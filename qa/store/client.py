"""The Chroma client: opening it, reading within its limits, and its errors in one line.

Chroma runs embedded in the index folder, or as a server (``chroma_host``).
Every Chroma call takes at most ``FILTER_BATCH`` filter values or ids and reads
at most ``READ_PAGE`` records: SQLite refuses statements with more than 32,766
variables, and Chroma reads the metadata of all matched records in one statement.

A failure is translated into an :class:`~qa.errors.IndexStoreError` that says
what it is; only damage suggests a rebuild, which would throw an intact index away.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Concatenate, ParamSpec, Protocol, TypeVar

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Document, GetResult, Include, Metadata, Where
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from qa.errors import IndexStoreError, QAError
from qa.settings import Settings
from qa.store.folder import REBUILD_HINT, check_index_dir, clear_index_dir

T = TypeVar("T")
P = ParamSpec("P")

#: Filter values or ids per Chroma call (SQLite allows 32,766 variables per statement).
FILTER_BATCH = 500
#: Records per read: Chroma reads the metadata of all of them in one statement.
READ_PAGE = 5_000

# What Chroma says when its files are damaged (SQLite codes 11 and 26: corrupt, not a
# database); nothing else suggests a rebuild, which would throw an intact index away.
_DAMAGED = re.compile(
    r"not a database|malformed|corrupt|\(code: (?:11|26)\)|no such table|loading hnsw",
    re.IGNORECASE,
)
_UNREACHABLE = re.compile(r"connect|timed? ?out|refused|unreachable|reset by peer", re.IGNORECASE)


def where_is(settings: Settings) -> str:
    """Which store ``settings`` name, in words: a server or an index folder."""
    if settings.store.chroma_host:
        return f"the Chroma server at {settings.store.chroma_host}:{settings.store.chroma_port}"
    return f"the index at {settings.store.index_dir}"


def store_error(settings: Settings, exc: BaseException, doing: str = "failed") -> IndexStoreError:
    """A one-line error for a store failure that says what it is.

    Only damage (unreadable database or vector files) suggests a rebuild; a server
    that went away says so; anything else is reported as the store's own error.
    """
    where = where_is(settings)
    text = " ".join(str(exc).split())
    detail = f"{type(exc).__name__}: {text[:160]}" if text else type(exc).__name__
    if _DAMAGED.search(text):
        return IndexStoreError(f"{where.capitalize()} is damaged ({detail}); {REBUILD_HINT}")
    if settings.store.chroma_host and (
        isinstance(exc, ConnectionError) or _UNREACHABLE.search(f"{type(exc).__name__} {text}")
    ):
        return IndexStoreError(f"Lost {where} ({detail}); check that it is running")
    return IndexStoreError(f"{where.capitalize()} {doing} ({detail})")


class _OnStore(Protocol):
    """What :func:`guarded` needs of a store: its settings, to say which store failed."""

    settings: Settings


S = TypeVar("S", bound=_OnStore)


def guarded(method: Callable[Concatenate[S, P], T]) -> Callable[Concatenate[S, P], T]:
    """Report a store that fails mid-session (server gone, files damaged) in one line."""

    @functools.wraps(method)
    def wrapper(self: S, /, *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return method(self, *args, **kwargs)
        except QAError:
            raise
        except Exception as exc:  # any Chroma failure: shown to people as a one-line error
            raise store_error(self.settings, exc) from None

    return wrapper


def open_client(settings: Settings) -> ClientAPI:
    """A client of the server at ``chroma_host``, or of the index folder (checked first).

    Raises:
        IndexStoreError: The server cannot be reached, or the folder is not ours or damaged.
    """
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.store.chroma_host:
        try:
            client = chromadb.HttpClient(
                host=settings.store.chroma_host,
                port=settings.store.chroma_port,
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:  # any failure to connect: shown as "Cannot reach"
            raise IndexStoreError(
                f"Cannot reach the Chroma server at {settings.store.chroma_host}:{settings.store.chroma_port} "
                f"({type(exc).__name__})"
            ) from None
        return client
    check_index_dir(settings.store.index_dir)
    try:
        return chromadb.PersistentClient(
            path=str(settings.store.index_dir), settings=chroma_settings
        )
    except Exception as exc:  # damaged files or anything else: a one-line error
        raise store_error(settings, exc, "cannot be opened") from None


def vector_store(client: ClientAPI, settings: Settings, embeddings: Embeddings) -> Chroma:
    """The store's collection as a ``langchain-chroma`` vector store."""
    return Chroma(
        client=client,
        # The client's own settings: without them langchain-chroma builds a default
        # chromadb Settings (~12 ms), unused when a client is given.
        client_settings=client.get_settings(),
        collection_name=settings.store.collection,
        embedding_function=embeddings,
        collection_configuration={"hnsw": {"space": "cosine"}},
    )


def reset_index(settings: Settings) -> None:
    """Delete a qa index so it can be rebuilt; refuses folders that are not ours.

    Raises:
        IndexStoreError: The folder holds data without the qa marker.
    """
    if not settings.store.chroma_host:
        clear_index_dir(settings.store.index_dir)
        return
    client = open_client(settings)
    # "<collection>_catalog": where qa before index format 2 kept its article records.
    for name in (settings.store.collection, f"{settings.store.collection}_catalog"):
        try:
            client.delete_collection(name)
        except NotFoundError:  # absent already: nothing to delete
            continue
        except Exception as exc:  # the server failing mid-way: a one-line error
            raise store_error(settings, exc, "could not be cleared") from None


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """``items`` in slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def pages(
    collection: Collection, include: Include, where: Where | None = None
) -> Iterator[GetResult]:
    """Chroma ``get`` results for every matching record, ``READ_PAGE`` records each."""
    offset = 0
    while True:
        got = collection.get(where=where, include=include, limit=READ_PAGE, offset=offset)
        yield got
        if len(got["ids"]) < READ_PAGE:
            return
        offset += READ_PAGE


def rows(
    collection: Collection, include: Include, where: Where | None = None
) -> Iterator[tuple[str, Document, Metadata]]:
    """``(id, document, metadata)`` of every matching record (empty if not included)."""
    for got in pages(collection, include, where):
        yield from records_of(got)


def records_of(got: GetResult) -> Iterator[tuple[str, Document, Metadata]]:
    """``(id, document, metadata)`` of one ``get`` result (empty if not included)."""
    ids = got["ids"]
    documents, metadatas = got.get("documents"), got.get("metadatas")
    docs = documents if documents is not None else [""] * len(ids)
    empty: Metadata = {}
    metas = metadatas if metadatas is not None else [empty] * len(ids)
    yield from zip(ids, docs, metas, strict=True)
