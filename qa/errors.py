"""Exceptions with messages meant for people, one line each."""

from __future__ import annotations


class QAError(Exception):
    """Base class: anything the CLI and UI may show as a one-line error."""


class InputError(QAError, ValueError):
    """The user's input (a file, a question) cannot be used; nothing was changed."""


class ConfigError(QAError):
    """The configuration cannot work: a setting, or a combination of settings and task."""


class PromptError(ConfigError):
    """A prompt template is missing from the installation (``prompts/<name>.txt``)."""


class IndexStoreError(QAError):
    """The vector store is missing, foreign, corrupted or unreachable."""


class ModelError(QAError):
    """The generator could not be assembled, loaded or reached."""
