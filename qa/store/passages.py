"""The passage index in Chroma, written so that a failed build never damages it.

:class:`PassageStore` is the one class callers use. Its parts:

* :mod:`qa.store.folder`: the index folder (marker, format, write lock);
* :mod:`qa.store.client`: the Chroma client, its limits, its errors in one line;
* :mod:`qa.store.records`: what each Chroma record holds (the layout);
* :mod:`qa.store.reader`: the catalog, selections and passages, cached;
* :mod:`qa.store.search`: dense and BM25 search over a selection;
* :mod:`qa.store.writer`: an article's new passages and its record, in one write;
* :mod:`qa.store.types`: what the store gives back.

Example:
    >>> from pathlib import Path
    >>> from qa.ingest.loader import load_article
    >>> from qa.settings import Settings
    >>> store = PassageStore(Settings(index_dir=getfixture("tmp_path")))
    >>> store.index([load_article(Path("seeds/article.txt"))])
    IndexReport(added=['article'], updated=[], unchanged=[], embedded=16, reused=0)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from qa.ingest.loader import Article
from qa.settings import Settings
from qa.store.client import vector_store
from qa.store.embeddings import load_embeddings
from qa.store.search import StoreSearch
from qa.store.types import IndexReport
from qa.store.writer import VersionedWriter


class PassageStore(StoreSearch):
    """Articles' passages and embeddings in Chroma: reads and searches (see
    :class:`~qa.store.search.StoreSearch`), and writes through a
    :class:`~qa.store.writer.VersionedWriter`.

    Args:
        settings: Where the store lives and how passages are made.
        embeddings: The embedder; defaults to the packaged MiniLM model.

    Raises:
        IndexStoreError: The store cannot be reached, is not ours, or is damaged.
    """

    def __init__(self, settings: Settings, embeddings: Embeddings | None = None) -> None:
        self._embeddings = embeddings
        super().__init__(settings)
        self._writer = VersionedWriter(settings, self.client, self._raw, lambda: self.embeddings)
        #: The embedding of one sentence, cached per store: every summary of an article
        #: asks for the same ones, and the warm-up asks first.
        self.sentence_vector = functools.lru_cache(maxsize=4096)(self._sentence_vector)

    @property
    def embeddings(self) -> Embeddings:
        """The embedder, loaded on first use."""
        if self._embeddings is None:
            self._embeddings = load_embeddings(self.settings)
        return self._embeddings

    def _sentence_vector(self, sentence: str) -> tuple[float, ...]:
        return tuple(self.embeddings.embed_query(sentence))

    def vectorstore(self, embeddings: Embeddings) -> Chroma:
        """The store's collection as a ``langchain-chroma`` vector store.

        The collection also holds article records: search it with
        ``filter=self.version_filter(article_ids)``, which selects active passages only.
        """
        return vector_store(self.client, self.settings, embeddings)

    def index(
        self,
        articles: Sequence[Article],
        progress: Callable[[int], None] | None = None,
        batch_size: int = 512,
    ) -> IndexReport:
        """Index ``articles``; unchanged ones are skipped, changed ones replaced.

        See :meth:`~qa.store.writer.VersionedWriter.index` for the arguments.
        """
        return self._writer.index(articles, progress, batch_size)

    def remove(self, article_id: str) -> int:
        """Remove an article and its passages; returns how many passages went.

        Raises:
            InputError: No such article is indexed.
        """
        info = self.info(article_id)
        self._writer.remove(article_id)
        return info.passages
