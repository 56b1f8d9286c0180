"""Bring an article in from a web address, within limits, and keep a copy.

:func:`fetch` downloads one page with ``httpx``: at most
``settings.ingest.max_file_bytes`` bytes, within ``settings.ingest.fetch_timeout`` seconds
in all, following at most :data:`MAX_REDIRECTS` redirects and only to http(s)
addresses. The page must be HTML (read with ``trafilatura``, like HTML files)
or a PDF (read like PDF files). Anything else is refused with a one-line
:class:`~qa.errors.InputError` before the index is touched.

:func:`save_source` keeps the page under ``<index_dir>/sources/`` (an HTML page
with its address on its first line), so ``qa index <index_dir>/sources/``
rebuilds those articles without the network.

Example (``transport`` stands in for the network: an ``httpx`` transport that
serves one page):
    >>> html = ("<html><head><title>Rover finds ice</title></head><body><article>"
    ...         "<h1>Rover finds ice</h1><p>The Perseverance rover found water ice near "
    ...         "the Jezero crater in March. It was the first such find on Mars, and the "
    ...         "team plans to drill into it in August.</p></article></body></html>")
    >>> site = httpx.MockTransport(lambda request: httpx.Response(200, html=html))
    >>> url = "https://example.com/news/rover.html"
    >>> article, page = fetch_article(url, Settings(), transport=site)
    >>> article.article_id, article.title, page.kind
    ('example.com-rover', 'Rover finds ice', 'html')
    >>> "Jezero crater" in article.original, article.source
    (True, 'https://example.com/news/rover.html')
    >>> json_api = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    >>> fetch(url, 10_000, 5.0, transport=json_api)
    Traceback (most recent call last):
    qa.errors.InputError: https://example.com/news/rover.html is application/json, not a web page (HTML) or PDF
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.parse import urljoin, urlsplit

import httpx

from qa.errors import InputError
from qa.ingest.loader import (
    SOURCE_MARK,
    Article,
    parse_article,
    parse_pdf,
    slugify,
    validate_article_id,
)
from qa.settings import Settings

MAX_REDIRECTS = 5
USER_AGENT = "article-qa/0.1 (offline article Q&A; fetches one page on request)"
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_PDF_TYPES = {"application/pdf", "application/x-pdf"}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


def is_url(text: str) -> bool:
    """Whether ``text`` is written as an address (``scheme://...``) rather than a path."""
    return bool(_SCHEME.match(text))


def _show(url: str) -> str:
    return url if len(url) <= 100 else url[:99] + "\u2026"


def _web_address(url: str, message: str) -> str:
    """``url`` if it is an http(s) address with a host, else :class:`InputError`."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InputError(message)
    try:
        httpx.URL(url)  # what httpx will refuse: a bad port, spaces in the host, ...
    except httpx.InvalidURL as exc:
        raise InputError(f"{_show(url)} is not a valid web address ({exc})") from None
    return url


@dataclass(frozen=True)
class WebPage:
    """A downloaded page: where it was asked for and found, what it is, its bytes."""

    url: str
    final_url: str
    kind: Literal["html", "pdf"]
    data: bytes
    #: The charset the server declared, if any.
    charset: str | None = None

    def text(self) -> str:
        """The page as text: the declared charset, else a ``<meta charset>``, else UTF-8."""
        found = _META_CHARSET.search(self.data[:4096])
        for charset in (self.charset, found.group(1).decode("ascii") if found else None):
            if charset:
                try:
                    return self.data.decode(charset, errors="replace").removeprefix("\ufeff")
                except LookupError:  # a charset Python does not know
                    continue
        return self.data.decode("utf-8", errors="replace").removeprefix("\ufeff")


def _read(
    response: httpx.Response, url: str, max_bytes: int, deadline: float, timeout: float
) -> WebPage:
    """Check the answer's status, type and size, then read its body."""
    shown = _show(url)
    if response.status_code >= 400:
        raise InputError(
            f"{shown}: the server answered {response.status_code} {response.reason_phrase}"
        )
    if not response.is_success:
        raise InputError(f"{shown}: unexpected answer {response.status_code} from the server")
    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
    kind: Literal["html", "pdf"]
    if ctype in _HTML_TYPES:
        kind = "html"
    elif ctype in _PDF_TYPES:
        kind = "pdf"
    else:
        raise InputError(f"{shown} is {ctype or 'of no stated type'}, not a web page (HTML) or PDF")
    too_large = f"{shown} is larger than the {max_bytes / 1e6:.1f} MB limit (QA_MAX_FILE_BYTES)"
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise InputError(too_large)
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise InputError(too_large)
        # httpx's timeout bounds each wait; this bounds a page that trickles in.
        if time.monotonic() > deadline:
            raise InputError(f"{shown} did not arrive within {timeout:g} s")
    if not body.strip():
        raise InputError(f"{shown} is empty")
    return WebPage(url, str(response.url), kind, bytes(body), response.charset_encoding)


def fetch(
    url: str, max_bytes: int, timeout: float, *, transport: httpx.BaseTransport | None = None
) -> WebPage:
    """Download the HTML page or PDF at ``url``; see the module docstring.

    ``transport`` replaces httpx's network transport (tests and examples serve pages
    from memory with :class:`httpx.MockTransport`); by default the network is used.

    Raises:
        InputError: Not an http(s) address; unreachable; an error status; a
            redirect to another scheme or too many redirects; neither HTML nor
            PDF; larger than ``max_bytes``; slower than ``timeout`` seconds.
    """
    shown = _show(url)
    current = _web_address(url, f"{shown} is not a web address (use http:// or https://)")
    deadline = time.monotonic() + timeout
    try:
        with httpx.Client(
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
            transport=transport,
        ) as client:
            for _ in range(MAX_REDIRECTS + 1):
                with client.stream("GET", current) as response:
                    if response.is_redirect:
                        target = urljoin(current, response.headers["location"])
                        current = _web_address(
                            target,
                            f"{shown} redirects to {_show(target)}, which is not an http(s) address",
                        )
                        continue
                    return _read(response, url, max_bytes, deadline, timeout)
    except httpx.TimeoutException:
        raise InputError(f"{shown} did not answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"Cannot fetch {shown}: {reason[:120]}") from None
    raise InputError(f"{shown} redirects more than {MAX_REDIRECTS} times")


def url_article_id(url: str) -> str:
    """An article id for a web address: its host and the last part of its path."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    stem = PurePosixPath(parts.path.rstrip("/")).stem
    return slugify(f"{host}-{stem}" if stem and stem.lower() not in {"index", "default"} else host)


def article_from_page(page: WebPage, article_id: str | None = None) -> Article:
    """Read the article out of a downloaded page (HTML or PDF)."""
    # Named after where the page was found: a short link's target says more than the link.
    aid = validate_article_id(article_id or url_article_id(page.final_url))
    shown = _show(page.url)
    if page.kind == "pdf":
        return parse_pdf(page.data, shown, aid, source=page.final_url)
    return parse_article(page.text(), shown, aid, source=page.final_url, suffix=".html")


def fetch_article(
    url: str,
    settings: Settings,
    article_id: str | None = None,
    *,
    transport: httpx.BaseTransport | None = None,
) -> tuple[Article, WebPage]:
    """Download ``url`` and read its article; nothing is stored yet.

    ``transport``: see :func:`fetch`.

    Raises:
        InputError: See :func:`fetch`; also a page without readable text.
    """
    page = fetch(
        url, settings.ingest.max_file_bytes, settings.ingest.fetch_timeout, transport=transport
    )
    return article_from_page(page, article_id), page


def sources_dir(settings: Settings) -> Path:
    """Where fetched pages are kept: ``sources/`` in the index folder."""
    return settings.store.index_dir / "sources"


def save_source(page: WebPage, article: Article, settings: Settings) -> Path:
    """Keep ``page`` as ``sources/<article_id>.html`` (or ``.pdf``) for offline re-indexing."""
    folder = sources_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{article.article_id}.{page.kind}"
    if page.kind == "pdf":
        data = page.data
    else:  # as text, so the saved file reads the same without the server's charset header
        data = (SOURCE_MARK.format(url=page.final_url) + page.text()).encode("utf-8")
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    # One file per article id: a page that turned from HTML into PDF must not leave both.
    other = target.with_suffix(".pdf" if page.kind == "html" else ".html")
    other.unlink(missing_ok=True)
    return target
