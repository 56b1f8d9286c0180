"""Split a cleaned article into sentences and passages.

Passages never cross a paragraph and never cut a sentence (a sentence longer
than the passage size is cut at a word boundary). Each passage knows its
paragraph number, its exact span in the original text and, for paged articles
(PDF), the page on which it starts.

Example:
    >>> from qa.ingest.loader import parse_article
    >>> art = parse_article("First one. Second one.\\n\\nNew paragraph.", "a.txt")
    >>> [(p.paragraph, p.quote) for p in split_article(art, chunk_size=100)]
    [(1, 'First one. Second one.'), (2, 'New paragraph.')]
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from qa.ingest.loader import Article

# Abbreviations after which a period does not end a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "no", "vs", "etc", "inc", "ltd",
    "co", "corp", "gen", "col", "lt", "sgt", "capt", "gov", "sen", "rep", "rev", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "e.g", "i.e", "u.s",
    "u.k", "a.m", "p.m", "approx", "fig", "al",
}  # fmt: skip
# A list item's bullet or number.
_MARKER = r"(?:[-*\u2022]|\d{1,2}[.)])"
_BOUNDARY = re.compile(
    r"[.!?\u2026]+[\"'\u201d\u2019)\]]*\s+"
    r"(?=[\"'\u201c\u2018(\[]?[A-Z0-9\u00c0-\u024f]|[-*\u2022]\s)"  # or a bullet: "- Sick days ..."
    # A colon that opens a list ("three obstacles: 1. Funding: ..."; "Key points: - ...").
    rf"|:\s+(?={_MARKER}\s+[\"'\u201c]?[A-Z])"
)
#: What opens a list item: a bullet or a number ("- ", "\u2022 ", "2. ").
LIST_ITEM = re.compile(rf"\s*{_MARKER}\s+")
# A list's number before its period: alone, or after a colon ("Steps: 1. Open it.").
_NUMBERED = re.compile(r"(?:^|:)\s*\d{1,2}$")


# US states as datelines write them ("SAN JOSE, Calif. (Reuters) -"): capitalised, so that
# "fell ill." or "critical mass." still end sentences ("D.C." and "N.Y." often end one).
_STATES = frozenset(
    "Ala Ariz Ark Calif Colo Conn Del Fla Ga Ill Ind Kan Ky La Md Mass Mich Minn Miss Mo Mont "
    "Neb Nev Okla Ore Pa Tenn Tex Va Vt Wash Wis Wyo".split()
)


def ends_in_abbreviation(text: str) -> bool:
    """Whether the period ending ``text`` belongs to an abbreviation or an initial
    ("Mr.", "J.", "Calif."), not to the end of a sentence."""
    word = text.rsplit(None, 1)[-1] if text.strip() else ""
    bare = word.rstrip(".")
    return (
        bare.lower() in _ABBREVIATIONS
        or bare.lstrip("(\"'\u201c") in _STATES
        or bool(re.fullmatch(r"[A-Z]\.?", word))
    )


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence ``(start, end)`` spans of ``text[start:end]``, in ``text`` coordinates."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, end):
        before = text[cursor : match.start()]
        if ends_in_abbreviation(before) or _NUMBERED.search(before):
            continue  # "Mr. Smith", "J. Smith", a list's "2. The second ..."
        stop = match.end() - (len(match.group()) - len(match.group().rstrip()))
        if stop > cursor:
            spans.append((cursor, stop))
        cursor = match.end()
    if cursor < end and text[cursor:end].strip():
        spans.append((cursor, end))
    # A list item is a sentence without its bullet or number.
    items = [(m.end(), b) if (m := LIST_ITEM.match(text, a, b)) else (a, b) for a, b in spans]
    return [(a, b) for a, b in items if a < b]


#: The most words a heading has (a headline, "Background", "Key points:").
HEADING_WORDS = 12
_CLOSERS = "\"'\u201d\u2019)]"


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends as a sentence does, quotes and brackets aside.

    >>> ends_sentence('He said "no."'), ends_sentence("Rover finds ice")
    (True, False)
    """
    return text.rstrip(_CLOSERS).endswith((".", "!", "?", "\u2026"))


def is_heading(text: str) -> bool:
    """Whether ``text`` is a title, a section heading or a byline: short lines that
    end no sentence. They name a topic or a writer and answer nothing.

    >>> is_heading("The Normans"), is_heading("Key points:"), is_heading("It rained.")
    (True, True, False)
    >>> is_heading("By Sarah Klein\\nJune 3, 2025"), is_heading("Cut jobs\\nIt rained.")
    (True, False)
    """
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return bool(lines) and all(
        len(line.split()) <= HEADING_WORDS and not ends_sentence(line) for line in lines
    )


def _cut_long(text: str, start: int, end: int, size: int) -> list[tuple[int, int]]:
    """Cut one over-long sentence at word boundaries into pieces of at most ``size``."""
    pieces: list[tuple[int, int]] = []
    while end - start > size:
        cut = text.rfind(" ", start + 1, start + size)
        if cut <= start:
            cut = start + size
        pieces.append((start, cut))
        start = cut + 1 if text[cut : cut + 1] == " " else cut
    if start < end:
        pieces.append((start, end))
    return pieces


@dataclass(frozen=True)
class Passage:
    """A retrievable unit of an article, quotable exactly from the original text."""

    article_id: str
    title: str
    index: int
    #: 1-based paragraph number: on :attr:`page` when the article is paged (a paragraph
    #: continued from the page before is that page's first), else in the whole article.
    paragraph: int
    start: int
    end: int
    text: str
    quote: str
    #: Start of :attr:`text` in the article's cleaned text.
    clean_start: int = 0
    #: The 1-based page on which the passage starts (PDF articles); ``None`` when unpaged.
    page: int | None = None

    @property
    def text_hash(self) -> str:
        """SHA-256 of :attr:`text`, recorded in each stored passage's metadata.

        Not what embeddings are reused by: the store looks stored vectors up by the
        text itself (:class:`qa.store.embeddings.ReusingEmbeddings`).
        """
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def passage_id(self, version: str) -> str:
        """Content-hash id, unique within a version of an article."""
        key = f"{self.article_id}\x1f{version}\x1f{self.index}\x1f{self.start}\x1f{self.text}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]


def page_label(item: Any) -> str:
    """Where a passage or citation is, for people: ``"p. 3, ¶12"``, or ``"¶12"`` unpaged.

    ``item`` has a ``paragraph`` number (see :attr:`Passage.paragraph`) and may
    have a ``page``.
    """
    page = getattr(item, "page", None)
    return f"p. {page}, ¶{item.paragraph}" if page else f"¶{item.paragraph}"


def split_article(article: Article, chunk_size: int = 500, chunk_overlap: int = 0) -> list[Passage]:
    """Split ``article`` into passages of about ``chunk_size`` characters.

    Args:
        article: The article to split.
        chunk_size: Target passage length in cleaned characters.
        chunk_overlap: Up to this many characters of whole trailing sentences of a
            passage are repeated at the start of the next one in the same paragraph.

    Returns:
        Passages in document order.
    """
    cleaned = article.cleaned
    text = cleaned.text
    # Where each paragraph ends in the original, to number paragraphs per page.
    ends = [cleaned.span(a, b)[1] for a, b in cleaned.paragraphs] if article.page_starts else []
    passages: list[Passage] = []
    for number, (p_start, p_end) in enumerate(cleaned.paragraphs, start=1):
        units: list[tuple[int, int]] = []
        for s, e in sentence_spans(text, p_start, p_end):
            units.extend(_cut_long(text, s, e, chunk_size))
        groups: list[list[tuple[int, int]]] = []
        current: list[tuple[int, int]] = []
        for unit in units:
            if current and unit[1] - current[0][0] > chunk_size:
                groups.append(current)
                carry: list[tuple[int, int]] = []
                for prev in reversed(current):
                    if current[-1][1] - prev[0] > chunk_overlap or len(carry) + 1 >= len(current):
                        break
                    carry.insert(0, prev)
                while carry and unit[1] - carry[0][0] > chunk_size:  # overlap must not overflow
                    carry.pop(0)
                current = carry
            current.append(unit)
        if current:
            groups.append(current)
        for group in groups:
            c_start, c_end = group[0][0], group[-1][1]
            o_start, o_end = cleaned.span(c_start, c_end)
            page = article.page_at(o_start)
            on_page = number
            if page is not None:  # minus the paragraphs that ended before the page began
                on_page -= bisect.bisect_right(ends, article.page_starts[page - 1])
            passages.append(
                Passage(
                    article_id=article.article_id,
                    title=article.title,
                    index=len(passages),
                    paragraph=on_page,
                    start=o_start,
                    end=o_end,
                    text=text[c_start:c_end],
                    quote=article.original[o_start:o_end],
                    clean_start=c_start,
                    page=page,
                )
            )
    return passages
