"""Articles the chat window brings in: uploaded files and web addresses.

Both are read the way ``qa index`` reads them: an upload through
:func:`qa.ingest.loader.load_article` (file type, size and text checks), an
address through :func:`qa.ingest.fetch.fetch_article`. Nothing is stored
here; :class:`ui.chat.ChatService` indexes the article, then keeps its file.

Example:
    >>> folder = getfixture("tmp_path")
    >>> _ = (folder / "upload").write_text("Roses need sun. They bloom in June.")
    >>> load_upload(folder / "upload", "../My Roses.txt", 1000).article_id
    'my-roses'
    >>> load_upload(folder / "upload", "roses.exe", 1000)
    Traceback (most recent call last):
    ...
    qa.errors.InputError: roses.exe: unsupported file type '.exe'; use one of .txt, .md, .markdown, .html, .htm, .pdf
"""

from __future__ import annotations

import shutil
from pathlib import Path

from qa.errors import InputError
from qa.ingest.fetch import WebPage, fetch_article, is_url
from qa.ingest.loader import ARTICLE_SUFFIXES, Article, load_article
from qa.settings import Settings

#: What the upload widget offers: every type the loader reads.
UPLOAD_TYPES = list(ARTICLE_SUFFIXES)


def upload_name(temp_path: str | Path, original_name: str | None = None) -> str:
    """The upload's file name as people know it, without any directory part."""
    return Path(original_name or Path(temp_path).name).name


def load_upload(temp_path: str | Path, original_name: str | None, max_bytes: int) -> Article:
    """Read and validate an uploaded file; its id is its name's slugified stem.

    Raises:
        InputError: Wrong type, empty, binary, not UTF-8, too large, no text,
            a PDF without a text layer.
    """
    name = upload_name(temp_path, original_name)
    return load_article(Path(temp_path), None, max_bytes, name=name, source=f"upload:{name}")


def keep_upload(temp_path: str | Path, article: Article, name: str, upload_dir: Path) -> Path:
    """Copy an indexed upload to ``upload_dir/<article id><suffix>``; returns the copy.

    The target is named only by the article id (safe characters), so no upload
    name can escape ``upload_dir``; the copy replaces an older one atomically.
    """
    folder = upload_dir.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    target = (folder / f"{article.article_id}{Path(name).suffix.lower()}").resolve()
    if target.parent != folder:  # defence in depth: article ids already forbid this
        raise InputError(f"{name}: invalid file name")
    tmp = target.with_suffix(target.suffix + ".tmp")
    shutil.copyfile(temp_path, tmp)
    tmp.replace(target)
    return target


def fetch_url(url: str, settings: Settings) -> tuple[Article, WebPage]:
    """Download the article at a web address as typed (``https://`` may be left out).

    Raises:
        InputError: Blank, not an http(s) address, unreachable, an error status,
            a redirect elsewhere, not HTML or PDF, too large, too slow, no text.
    """
    url = url.strip()
    if not url:
        raise InputError("Enter a web address (https://...)")
    if not is_url(url):  # "example.com/news" is what people paste
        url = f"https://{url}"
    return fetch_article(url, settings)
