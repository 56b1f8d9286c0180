"""Measure the product: the dev sets, scoring, and the plain-RAG baseline it is compared with."""
