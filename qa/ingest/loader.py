"""Load articles from ``.txt``, ``.md``, ``.html`` and ``.pdf`` files, refusing bad input.

Every refusal is an :class:`~qa.errors.InputError` with a one-line message,
raised before anything is written anywhere.

The *original text* of an article, to which every offset and quote refers, is
the file's decoded text for ``.txt`` and ``.md`` files; for HTML, the article
text that ``trafilatura`` extracts from the page (menus, cookie banners and
footers left out), one paragraph per block; for PDF, the text layer with
running headers/footers removed and hyphenated line breaks joined (see
:mod:`qa.ingest.pdf`), with the offset at which each page starts.

Example:
    >>> from pathlib import Path
    >>> article = load_article(Path("seeds/article.txt"))
    >>> article.article_id, article.title[:22]
    ('article', 'On social media, US Pr')
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from qa.errors import InputError
from qa.ingest.clean import CleanText, clean

#: Every file type an article may come in (the CLI, the API and the UI's upload use this).
ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")
_HTML_SUFFIXES = (".html", ".htm")
_MD_SUFFIXES = (".md", ".markdown")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
#: First line of a web page saved by :mod:`qa.ingest.fetch`: where the page came from.
SOURCE_MARK = "<!-- qa-source: {url} -->\n"
_SOURCE_RE = re.compile(r"\A<!-- qa-source: (https?://\S+) -->\n")


@dataclass(frozen=True)
class Article:
    """One article: its id, title and original text (offsets refer to it)."""

    article_id: str
    title: str
    original: str
    source: str = ""
    #: Offset in :attr:`original` where each page starts (PDF); empty when unpaged.
    page_starts: tuple[int, ...] = ()
    #: Author line and publication date, where the page names them (web pages).
    byline: str = ""
    date: str = ""

    @cached_property
    def cleaned(self) -> CleanText:
        """The cleaned text with its map back to :attr:`original`."""
        return clean(self.original)

    @cached_property
    def content_hash(self) -> str:
        """SHA-256 of the original text (and of the page starts, when paged)."""
        key = self.original
        if self.page_starts:
            key += "\x1f" + ",".join(map(str, self.page_starts))
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    def page_at(self, offset: int) -> int | None:
        """The 1-based page on which ``offset`` of the original text lies, if paged."""
        if not self.page_starts:
            return None
        return max(1, bisect.bisect_right(self.page_starts, offset))


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


def shorten(text: str, width: int) -> str:
    """``text`` on one line, cut at a word boundary to at most ``width`` characters."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0] if " " in text[: width - 1] else text[: width - 1]
    return cut.rstrip(" ,;:-\u2013\u2014") + "\u2026"


@dataclass(frozen=True)
class HtmlText:
    """What :func:`html_to_text` finds in a page."""

    title: str
    text: str
    byline: str = ""
    date: str = ""


def html_to_text(markup: str, url: str | None = None) -> HtmlText:
    """The article in an HTML page (possibly truncated), with its metadata.

    ``trafilatura`` finds the main text and drops navigation, cookie banners,
    comments and footers; each block becomes a paragraph, separated by blank lines.
    """
    import trafilatura  # ~0.15 s to import: only when there is HTML to read

    if "html" not in markup[:50].lower():
        # trafilatura takes a page without "html" near its start for something else;
        # a fragment ("<p>...</p>") saved as .html is still a page to read.
        markup = f"<html><body>{markup}</body></html>"
    doc = trafilatura.bare_extraction(
        markup, url=url, with_metadata=True, include_comments=False, include_tables=True
    )
    if doc is None or isinstance(doc, dict):  # dict only with as_dict=True
        return HtmlText("", "")
    lines = (" ".join(line.split()) for line in (doc.text or "").splitlines())
    return HtmlText(
        title=" ".join((doc.title or "").split()),
        text="\n\n".join(line for line in lines if line),
        byline=" ".join((doc.author or "").split()),
        date=doc.date or "",
    )


def _guess_title(original: str, cleaned: CleanText, markdown: bool) -> str:
    """A title from the text: a Markdown heading, a headline-like first line,
    or the first sentence, shortened at a word boundary."""
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
    return shorten(sentence, 80)


def check_size(name: str, size: int, max_bytes: int) -> None:
    """Refuse an article file of ``size`` bytes over ``max_bytes``: the one size check."""
    if size > max_bytes:
        raise InputError(
            f"{name} is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB "
            "(QA_MAX_FILE_BYTES)"
        )


def read_file(path: Path, max_bytes: int, name: str | None = None) -> bytes:
    """Read the bytes of ``path``, refusing anything that is not an article file.

    ``name`` (default: the path's) is the file's name as people know it, such
    as an upload's original name: its suffix is the file's type.
    """
    shown = name or str(path)
    if not path.exists():
        raise InputError(f"No such file: {shown}")
    if path.is_dir():
        raise InputError(f"{shown} is a directory, not an article file")
    named = Path(name or path.name)
    if named.suffix.lower() not in ARTICLE_SUFFIXES:
        raise InputError(
            f"{named.name}: unsupported file type {named.suffix or '(none)'!r}; "
            f"use one of {', '.join(ARTICLE_SUFFIXES)}"
        )
    try:
        check_size(named.name, path.stat().st_size, max_bytes)  # before reading it
        return path.read_bytes()
    except PermissionError:
        raise InputError(f"Cannot read {shown}: permission denied") from None
    except OSError as exc:
        raise InputError(f"Cannot read {shown}: {exc.strerror or exc}") from None


def decode_text(data: bytes, name: str) -> str:
    """Decode article bytes, refusing binary, non-UTF-8 and blank input."""
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


def _finish(article: Article, name: str, title: str, markdown: bool = False) -> Article:
    """Refuse an article without text; give it a title if it has none."""
    if not article.cleaned.paragraphs:
        raise InputError(f"{name} has no readable text")
    title = title or _guess_title(article.original, article.cleaned, markdown)
    object.__setattr__(article, "title", title or article.article_id)
    return article


def parse_article(
    text: str,
    name: str,
    article_id: str | None = None,
    source: str = "",
    suffix: str | None = None,
) -> Article:
    """Build an :class:`Article` from decoded ``.txt``/``.md``/``.html`` text.

    ``suffix`` (default: ``name``'s) picks the format; ``name`` names the input
    in messages. A page saved by :mod:`qa.ingest.fetch` names its web address on its
    first line; that address becomes the article's source.
    """
    suffix = (suffix or Path(name).suffix).lower()
    aid = validate_article_id(article_id or slugify(Path(name).stem))
    if suffix in _HTML_SUFFIXES:
        if not source.startswith("http") and (m := _SOURCE_RE.match(text)):
            # A saved page: read exactly what was read when it was fetched.
            text, source = text[m.end() :], m.group(1)
        page = html_to_text(text, url=source if source.startswith("http") else None)
        article = Article(aid, "", page.text, source, byline=page.byline, date=page.date)
        return _finish(article, name, page.title)
    return _finish(Article(aid, "", text, source), name, "", suffix in _MD_SUFFIXES)


def parse_pdf(data: bytes, name: str, article_id: str | None = None, source: str = "") -> Article:
    """Build an :class:`Article` from the bytes of a PDF (see :mod:`qa.ingest.pdf`)."""
    from qa.ingest.pdf import pdf_text

    aid = validate_article_id(article_id or slugify(Path(name).stem))
    doc = pdf_text(data, name)
    return _finish(Article(aid, "", doc.text, source, page_starts=doc.page_starts), name, doc.title)


def article_from_bytes(
    data: bytes, name: str, article_id: str | None = None, source: str = ""
) -> Article:
    """Build an :class:`Article` from a file's bytes; ``name``'s suffix picks the format.

    The size was checked before the bytes were read (:func:`read_file`).

    Raises:
        InputError: Empty, binary, not UTF-8, not a readable PDF, a PDF
            without a text layer, or no readable text.
    """
    if Path(name).suffix.lower() == ".pdf":
        if not data.strip():
            raise InputError(f"{name} is empty")
        return parse_pdf(data, name, article_id, source)
    return parse_article(decode_text(data, name), name, article_id, source)


def load_article(
    path: Path,
    article_id: str | None = None,
    max_bytes: int = 2_000_000,
    *,
    name: str | None = None,
    source: str | None = None,
) -> Article:
    """Load and validate one article file (a file given to ``qa index``, an upload).

    Args:
        path: A ``.txt``, ``.md``, ``.html`` or ``.pdf`` file.
        article_id: The id to store it under; defaults to the slugified file stem.
        max_bytes: Larger files are refused.
        name: The file's name as people know it (an upload's original name),
            if not the path's: it names the file in messages and its suffix
            picks the format.
        source: Where the article came from (default: ``path``).

    Raises:
        InputError: The file is missing, a directory, binary, not UTF-8, empty,
            too large, of another type, a PDF without a text layer, or has no
            readable text.
    """
    data = read_file(path, max_bytes, name)
    shown = Path(name).name if name else path.name
    return article_from_bytes(data, shown, article_id, str(path) if source is None else source)


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
