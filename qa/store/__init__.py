"""Store: embed passages and keep them in Chroma, with a saved BM25 index beside it.

``embeddings`` (MiniLM), ``lexical`` (BM25), ``passages`` (``PassageStore``, the Chroma-backed
store, built from ``reader``, ``search`` and ``writer`` on ``folder``, ``client`` and ``records``;
``types`` holds what it gives back).
"""
