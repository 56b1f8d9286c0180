"""Load articles from ``.txt``, ``.md`` and ``.html`` files, refusing bad input.

Every refusal is an :class:`~qa.errors.InputError` with a one-line message,
raised before anything is written anywhere.

The *original text* of an article, to which every offset and quote refers, is
the file's decoded text for ``.txt`` and ``.md`` files, and the visible text
extracted from the markup (paragraphs separated by blank lines) for HTML.

Example:
    >>> from pathlib import Path
    >>> article = load_article(Path("seeds/article.txt"))  # doctest: +SKIP
    >>> article.article_id
    'article'
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from qa.clean import CleanText, clean
from qa.errors import InputError

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
_HTML_SUFFIXES = (".html", ".htm")
_MD_SUFFIXES = (".md", ".markdown")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")


@dataclass(frozen=True)
class Article:
    """One article: its id, title and original text (offsets refer to it)."""

    article_id: str
    title: str
    original: str
    source: str = ""

    @cached_property
    def cleaned(self) -> CleanText:
        """The cleaned text with its map back to :attr:`original`."""
        return clean(self.original)

    @cached_property
    def content_hash(self) -> str:
        """SHA-256 of the original text."""
        return hashlib.sha256(self.original.encode("utf-8")).hexdigest()


def slugify(name: str) -> str:
    """Turn a file stem into an article id: lowercase letters, digits, ``.-_``."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-._")[:63]
    return slug or "article"


def validate_article_id(article_id: str) -> str:
    """Return ``article_id`` if it is a valid id, else raise :class:`InputError`."""
    if not _ID_RE.match(article_id):
        raise InputError(
            f"Invalid article id {article_id!r}: use 1-63 lowercase letters, digits, '.', '-', '_'."
        )
    return article_id


class _TextExtractor(HTMLParser):
    """Visible text of an HTML page, one paragraph per block element."""

    _SKIP: ClassVar[set[str]] = {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "head",
        "iframe",
        "object",
    }
    _BLOCK: ClassVar[set[str]] = {
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section",
        "article", "blockquote", "pre", "tr", "table", "header", "footer", "main", "aside",
        "figure", "figcaption", "hr", "dd", "dt", "nav", "form",
    }  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self.h1 = ""
        self._skip_depth = 0
        self._in_title = False
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in self._SKIP:
            self._skip_depth += 1
        if tag == "h1":
            self._in_h1 = True
        if tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self._SKIP and self._skip_depth:
            self._skip_depth -= 1
        if tag == "h1":
            self._in_h1 = False
        if tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            return
        if self._skip_depth:
            return
        if self._in_h1:
            self.h1 += data
        self.parts.append(data)

    def text(self) -> str:
        raw = "".join(self.parts)
        # Inline whitespace inside HTML is not meaningful: one paragraph per block.
        blocks = [" ".join(b.split()) for b in re.split(r"\n\s*\n", raw)]
        return "\n\n".join(b for b in blocks if b)


def html_to_text(markup: str) -> tuple[str, str]:
    """Return ``(title, visible_text)`` of an HTML document (possibly truncated)."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    title = " ".join(parser.title.split()) or " ".join(parser.h1.split())
    return title, parser.text()


def _guess_title(original: str, cleaned: CleanText, markdown: bool) -> str:
    if markdown:
        for line in original.splitlines():
            m = re.match(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", line)
            if m:
                return m.group(1).strip()
    if not cleaned.paragraphs:
        return ""
    a, b = cleaned.paragraphs[0]
    first = cleaned.text[a:b]
    # A short first line without final punctuation reads as a headline.
    if len(cleaned.paragraphs) > 1 and len(first) <= 120 and not first.endswith((".", "!", "?")):
        return first
    sentence = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0]
    return sentence if len(sentence) <= 80 else sentence[:77].rsplit(" ", 1)[0] + "\u2026"


def read_text(path: Path, max_bytes: int) -> str:
    """Read ``path`` as UTF-8 text, refusing anything that is not an article file."""
    if not path.exists():
        raise InputError(f"No such file: {path}")
    if path.is_dir():
        raise InputError(f"{path} is a directory, not an article file")
    if path.suffix.lower() not in ARTICLE_SUFFIXES:
        raise InputError(
            f"{path.name}: unsupported file type {path.suffix or '(none)'!r}; "
            f"use one of {', '.join(ARTICLE_SUFFIXES)}"
        )
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"{path.name} is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB "
                "(QA_MAX_FILE_BYTES)"
            )
        data = path.read_bytes()
    except PermissionError:
        raise InputError(f"Cannot read {path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror or exc}") from None
    return decode_text(data, path.name, max_bytes)


def decode_text(data: bytes, name: str, max_bytes: int) -> str:
    """Decode article bytes, refusing binary, non-UTF-8, oversized and blank input."""
    if len(data) > max_bytes:
        raise InputError(
            f"{name} is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB "
            "(QA_MAX_FILE_BYTES)"
        )
    if b"\x00" in data[:8192]:
        raise InputError(f"{name} looks like a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} is not UTF-8 text (bad byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    if not text.strip():
        raise InputError(f"{name} is empty")
    return text


def parse_article(text: str, name: str, article_id: str | None = None, source: str = "") -> Article:
    """Build an :class:`Article` from decoded file text; ``name`` picks the format."""
    suffix = Path(name).suffix.lower()
    title = ""
    if suffix in _HTML_SUFFIXES:
        title, text = html_to_text(text)
    article = Article(
        article_id=validate_article_id(article_id or slugify(Path(name).stem)),
        title=title,
        original=text,
        source=source,
    )
    if not article.cleaned.paragraphs:
        raise InputError(f"{name} has no readable text")
    if not title:
        title = _guess_title(text, article.cleaned, suffix in _MD_SUFFIXES) or article.article_id
        object.__setattr__(article, "title", title)
    return article


def load_article(path: Path, article_id: str | None = None, max_bytes: int = 2_000_000) -> Article:
    """Load and validate one article file.

    Args:
        path: A ``.txt``, ``.md`` or ``.html`` file.
        article_id: The id to store it under; defaults to the slugified file stem.
        max_bytes: Larger files are refused.

    Raises:
        InputError: The file is missing, a directory, binary, not UTF-8, empty,
            too large, of another type, or has no readable text.
    """
    text = read_text(path, max_bytes)
    return parse_article(text, path.name, article_id, source=str(path))


def find_article_files(paths: list[Path]) -> list[Path]:
    """Expand directories into the article files they hold (recursively, sorted).

    Raises:
        InputError: A path is missing, or a directory holds no article files.
    """
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputError(f"No such file or directory: {path}")
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
            )
            if not found:
                raise InputError(f"{path} holds no article files ({', '.join(ARTICLE_SUFFIXES)})")
            files.extend(found)
        else:
            files.append(path)
    return files
