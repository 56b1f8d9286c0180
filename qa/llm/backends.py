"""Who writes the answers: the one list of backends.

The CLI's ``--backend`` choice, the UI's backend radio and the validation of
``Settings.generation.backend`` (``QA_BACKEND``) all read :data:`BACKENDS`; a backend is
added here or nowhere.

Example:
    >>> list(BACKENDS)
    ['embedded', 'openai', 'extractive']
    >>> BACKENDS["extractive"].needs_model
    False
    >>> check_backend("gpt-9")
    Traceback (most recent call last):
    ...
    ValueError: unknown backend 'gpt-9'; use one of: embedded, openai, extractive
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Backend:
    """One way of writing answers."""

    #: What ``--backend``, ``QA_BACKEND`` and the UI call it.
    name: str
    #: One line for people: what writes the answers.
    description: str
    #: Whether answers need a language model (warm-up, a place in the model's line);
    #: without one, the best matching sentences are quoted.
    needs_model: bool


BACKENDS: dict[str, Backend] = {
    b.name: b
    for b in (
        Backend("embedded", "the packaged model, run by llama.cpp on this machine", True),
        Backend("openai", "any OpenAI-compatible server (QA_OPENAI_BASE_URL)", True),
        Backend("extractive", "no language model: quotes the best matching sentences", False),
    )
}


def check_backend(name: str) -> str:
    """``name`` if it names a backend, else :class:`ValueError` with a one-line message."""
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}; use one of: {', '.join(BACKENDS)}")
    return name
