"""Ingest: load a document (text, HTML, PDF, web address), clean it, split it into passages.

load (``loader``, ``pdf``, ``fetch``) -> clean (``clean``) -> split (``split``).
"""
