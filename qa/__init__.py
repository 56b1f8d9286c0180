"""Ask questions about a news article and get answers with verified citations.

Example:
    >>> from qa import ArticleQA
    >>> bot = ArticleQA(backend="extractive", index_dir=getfixture("tmp_path"))
    >>> bot.ask("Who is Pete Hegseth?").citations[0].paragraph
    7
"""

from qa import offline as _offline  # noqa: F401  (sets offline env vars first)
from qa.settings import Settings

__all__ = ["Answer", "ArticleQA", "Citation", "Settings"]


def __getattr__(name: str) -> object:
    # The chain pulls in torch and langchain: import it only when asked for.
    if name in {"Answer", "ArticleQA", "Citation"}:
        from qa import chain

        return getattr(chain, name)
    raise AttributeError(name)
