"""Store: embed passages and keep them in Chroma, with a saved BM25 index beside it.

``embeddings`` (MiniLM), ``lexical`` (BM25), ``passages`` (the Chroma-backed store).
"""
