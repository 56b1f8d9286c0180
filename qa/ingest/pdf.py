"""Text of a PDF article, page by page, cleaned of what the page layout adds.

A PDF's text layer is read with ``pypdf``'s layout mode, which keeps the
vertical gaps that separate paragraphs. Then:

* header and footer lines that repeat at the top or bottom of the pages
  (digits ignored, so "Page 1 of 9" and "Page 2 of 9" match), and lone page
  numbers, are removed;
* the lines of a paragraph are joined with spaces, and a word hyphenated at a
  line end ("measure-" + "ments") is joined back;
* a paragraph cut by a page break is joined with its continuation.

The result is the article's *original text*: paragraphs separated by blank
lines, plus the offset at which each page starts, so every passage knows its
page. Multi-column layouts are read line by line across the columns.

Example (the tests' two-page report, written with fpdf2: a running header, a
"Page n of 2" footer, "measure-"/"ments" split at a line end, and a sentence
that goes on across the page break):
    >>> from tests.documents import make_pdf
    >>> path = make_pdf(getfixture("tmp_path") / "report.pdf")
    >>> doc = pdf_text(path.read_bytes(), "report.pdf")
    >>> doc.title, doc.page_starts
    ('Rover Report', (0, 382))
    >>> doc.text[doc.page_starts[1] :].split(",")[0]
    'surface of the crater floor'
    >>> "measurements" in doc.text, "Journal" in doc.text, "Page 1" in doc.text
    (True, False, False)
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass

from qa.errors import InputError

log = logging.getLogger(__name__)

#: Lines at each end of a page that may be a running header or footer.
_EDGE_LINES = 3
_PAGE_NUMBER = re.compile(
    r"^[-\u2013\u2014 ]*(?:page\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?[-\u2013\u2014 ]*$", re.I
)
# A line end that ends a sentence (or a heading's quote): the next page starts anew.
_FINAL = re.compile(r"[.!?:;\"'\u201d\u2019)\]]$")
# A filename or placeholder that PDF writers put into the title field.
_JUNK_TITLE = re.compile(r"(?i)^(untitled|title|document\d*|microsoft word\b.*|.*\.[a-z]{2,4})$")


@dataclass(frozen=True)
class PdfText:
    """The cleaned text of a PDF and where each page starts in it."""

    text: str
    #: ``page_starts[i]`` is the offset in :attr:`text` where page ``i + 1`` starts.
    page_starts: tuple[int, ...]
    #: The document's metadata title ("" when missing or a placeholder).
    title: str


def _read_pages(data: bytes, name: str) -> tuple[list[str], str]:
    """Layout-mode text of every page, and the metadata title."""
    from pypdf import PasswordType, PdfReader

    if b"%PDF-" not in data[:1024]:  # the header may follow a little junk
        raise InputError(f"{name} is not a PDF file")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise InputError(f"{name} is password-protected; save an unprotected copy first")
        pages = list(reader.pages)
        meta = reader.metadata
        title = " ".join(str(meta.title or "").split()) if meta else ""
    except InputError:
        raise
    except Exception as exc:  # pypdf raises many kinds on damaged files
        log.info("%s: pypdf cannot read it", name, exc_info=True)
        raise InputError(
            f"{name} is not a readable PDF ({type(exc).__name__}: {str(exc)[:80]})"
        ) from None
    texts = []
    for number, page in enumerate(pages, start=1):
        try:
            texts.append(page.extract_text(extraction_mode="layout"))
        except Exception as exc:
            # Layout mode is the newer code path; the plain one still gets the words.
            log.info("page %d of %s: layout extraction failed (%s)", number, name, exc)
            try:
                texts.append(page.extract_text())
            except Exception as again:
                log.warning("page %d of %s has unreadable text (%s)", number, name, again)
                texts.append("")
    return texts, "" if _JUNK_TITLE.match(title) else title


def _key(line: str) -> str:
    """What a running header/footer line has in common from page to page."""
    return re.sub(r"\d+", "#", " ".join(line.split()).lower())


def _strip_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Drop repeated header/footer lines and lone page numbers at page edges."""
    edges: list[set[int]] = []
    counts: Counter[str] = Counter()
    for lines in pages:
        filled = [i for i, line in enumerate(lines) if line.strip()]
        edge = set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:])
        edges.append(edge)
        counts.update({_key(lines[i]) for i in edge})
    with_text = sum(1 for e in edges if e)
    needed = max(2, (with_text + 1) // 2)
    out = []
    for lines, edge in zip(pages, edges, strict=True):
        drop = {i for i in edge if counts[_key(lines[i])] >= needed or _PAGE_NUMBER.match(lines[i])}
        out.append(["" if i in drop else line for i, line in enumerate(lines)])
    return out


def _join(left: str, right: str) -> str:
    """Join two lines of one paragraph, undoing a hyphenation at the line end."""
    if left.endswith("\u00ad") or (re.fullmatch(r"[^\W\d_]-", left[-2:]) and right[:1].islower()):
        return left[:-1] + right
    return f"{left} {right}"


def _paragraphs(lines: list[str], gap: int, margin: int) -> list[str]:
    """Group one page's lines into paragraphs (joined, whitespace collapsed).

    A paragraph ends at a vertical gap wider than the usual line gap ``gap``,
    or before a line indented past the usual left ``margin``.
    """
    paragraphs: list[str] = []
    current = ""
    blank = 0
    for line in lines:
        if not line.strip():
            blank += 1
            continue
        indent = len(line) - len(line.lstrip())
        words = " ".join(line.split())
        if current and (blank > gap or indent > margin + 1):
            paragraphs.append(current)
            current = ""
        current = _join(current, words) if current else words
        blank = 0
    if current:
        paragraphs.append(current)
    return paragraphs


def _usual(values: list[int]) -> int:
    """The smallest value that is about as common as the commonest one.

    Ties go low: in a short document with two-line paragraphs, line gaps (0) and
    paragraph gaps (1) are equally common, and the line gap is the smaller.
    """
    counts = Counter(values)
    top = max(counts.values(), default=0)
    return min((v for v, n in counts.items() if 2 * n >= top), default=0)


def pdf_text(data: bytes, name: str) -> PdfText:
    """Extract the cleaned text of a PDF; see the module docstring.

    Raises:
        InputError: Not a PDF, damaged, password-protected, or without a text
            layer (a scan: it would need OCR).
    """
    raw, title = _read_pages(data, name)
    pages = _strip_running_lines([text.splitlines() for text in raw])
    # The usual gap between lines and the usual left margin, over the whole document.
    gaps: list[int] = []
    indents: list[int] = []
    for lines in pages:
        blank = None
        for line in lines:
            if not line.strip():
                blank = None if blank is None else blank + 1
                continue
            if blank is not None:
                gaps.append(blank)
            blank = 0
            indents.append(len(line) - len(line.lstrip()))
    gap, margin = _usual(gaps), _usual(indents)

    text = ""
    starts: list[int | None] = []
    for lines in pages:
        paragraphs = _paragraphs(lines, gap, margin)
        if not paragraphs:
            starts.append(None)
            continue
        first = paragraphs[0]
        if text and not _FINAL.search(text) and first[:1].islower():
            # The sentence goes on across the page break.
            joined = _join(text, first)
            starts.append(len(joined) - len(first))
            text = joined
            paragraphs = paragraphs[1:]
        else:
            starts.append(len(text) + 2 if text else 0)
        for paragraph in paragraphs:
            text = f"{text}\n\n{paragraph}" if text else paragraph
    if not text.strip():
        raise InputError(
            f"{name} has no text layer (a scanned PDF?); it needs OCR, which qa does not do"
        )
    # A page without text starts where the next page with text does.
    filled: list[int] = []
    following = len(text)
    for start in reversed(starts):
        following = following if start is None else start
        filled.append(following)
    return PdfText(text, tuple(reversed(filled)), title)
