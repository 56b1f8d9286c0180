"""Clean scraped text while remembering where every character came from.

Scraped articles carry HTML entities (``&amp;``), entities mangled by
scrapers (``andnbsp``), odd Unicode spaces, zero-width and control characters
and ragged whitespace. :func:`clean` removes them and returns, for every
character of the cleaned text, the span of the original text it came from, so
a passage found in the cleaned text can be quoted exactly from the original.

Example:
    >>> c = clean("Hello andnbsp, world &amp; friends")
    >>> c.text
    'Hello, world & friends'
    >>> start, end = c.span(13, 22)
    >>> "Hello andnbsp, world &amp; friends"[start:end]
    '&amp; friends'
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.entities import html5

# Entities that scrapers turned from "&name;" into "andname".
_BROKEN_ENTITIES = {
    "nbsp": " ",
    "amp": "&",
    "quot": '"',
    "apos": "'",
    "rsquo": "\u2019",
    "lsquo": "\u2018",
    "rdquo": "\u201d",
    "ldquo": "\u201c",
    "mdash": "\u2014",
    "ndash": "\u2013",
    "hellip": "\u2026",
}

_ARTIFACT = re.compile(
    r"(?P<newline>\r\n?|[\u2028\u2029\x85])"
    r"|(?P<entity>&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?)"
    r"|(?P<broken>\band(?:" + "|".join(_BROKEN_ENTITIES) + r")\b;?)"
    r"|(?P<space>[\t\x0b\x0c\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000])"
    r"|(?P<drop>[\x00-\x08\x0e-\x1f\x7f\u00ad\u200b-\u200d\u2060\ufeff])"
)

# Whitespace before these is an artifact ("word , word").
_NO_SPACE_BEFORE = set(",.;:!?)]}")


@dataclass
class CleanText:
    """Cleaned text plus, per character, the ``[start, end)`` it came from."""

    text: str
    starts: list[int] = field(repr=False)
    ends: list[int] = field(repr=False)
    #: ``(start, end)`` of each paragraph in :attr:`text`.
    paragraphs: list[tuple[int, int]] = field(default_factory=list)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a non-empty ``[start, end)`` range of the clean text to the original."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"bad clean range {start}:{end}")
        return self.starts[start], self.ends[end - 1]


def _replace(original: str) -> tuple[list[str], list[int], list[int]]:
    """First pass: decode entities and drop invisible junk, one unit per output char."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []

    def copy(a: int, b: int) -> None:
        chars.extend(original[a:b])
        starts.extend(range(a, b))
        ends.extend(range(a + 1, b + 1))

    pos = 0
    for match in _ARTIFACT.finditer(original):
        copy(pos, match.start())
        pos = match.end()
        kind = match.lastgroup
        token = match.group()
        if kind == "newline":
            out = "\n"
        elif kind == "entity":
            known = token[1] == "#" or token[1:] in html5
            out = html.unescape(token) if known else token
            if out == token:  # not a real entity: keep it verbatim
                copy(match.start(), match.end())
                continue
            out = out.replace("\u00a0", " ")
        elif kind == "broken":
            out = _BROKEN_ENTITIES[token[3:].rstrip(";").lower()]
        elif kind == "space":
            out = " "
        else:
            out = ""
        chars.extend(out)
        starts.extend([match.start()] * len(out))
        ends.extend([match.end()] * len(out))
    copy(pos, len(original))
    return chars, starts, ends


def _tidy_line(units: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Collapse runs of spaces, strip the ends, drop spaces before punctuation."""
    out: list[tuple[str, int, int]] = []
    for unit in units:
        ch = unit[0]
        if ch.isspace():
            if out and not out[-1][0].isspace():
                out.append((" ", unit[1], unit[2]))
            continue
        if ch in _NO_SPACE_BEFORE and out and out[-1][0] == " ":
            out.pop()
        out.append(unit)
    while out and out[-1][0] == " ":
        out.pop()
    return out


def clean(original: str) -> CleanText:
    """Clean ``original`` and split it into paragraphs.

    Paragraphs are blocks separated by blank lines; a text with no blank lines
    at all (one paragraph per line, as many scrapers write) gets one paragraph
    per non-empty line. Paragraphs are joined with ``"\\n\\n"`` in the result.

    Args:
        original: The article text exactly as loaded.

    Returns:
        The cleaned text with its offset map and paragraph spans.
    """
    chars, starts, ends = _replace(original)
    lines: list[list[tuple[str, int, int]]] = [[]]
    for unit in zip(chars, starts, ends, strict=True):
        if unit[0] == "\n":
            lines.append([])
        else:
            lines[-1].append(unit)
    tidy = [_tidy_line(line) for line in lines]

    blocks: list[list[tuple[str, int, int]]] = []
    has_blank = any(not line for line in tidy[1:-1]) and sum(1 for t in tidy if t) > 1
    current: list[tuple[str, int, int]] = []
    for line in tidy:
        if not line:
            if current:
                blocks.append(current)
                current = []
            continue
        if not has_blank:
            blocks.append(line)
            continue
        if current:  # a wrapped line inside a paragraph: join with a space
            current.append((" ", current[-1][2], line[0][1]))
        current.extend(line)
    if current:
        blocks.append(current)

    text_parts: list[str] = []
    out_starts: list[int] = []
    out_ends: list[int] = []
    paragraphs: list[tuple[int, int]] = []
    length = 0
    for i, block in enumerate(blocks):
        if i:
            gap = (blocks[i - 1][-1][2], block[0][1])
            text_parts.append("\n\n")
            out_starts.extend([gap[0], gap[0]])
            out_ends.extend([gap[1], gap[1]])
            length += 2
        text_parts.append("".join(u[0] for u in block))
        out_starts.extend(u[1] for u in block)
        out_ends.extend(u[2] for u in block)
        paragraphs.append((length, length + len(block)))
        length += len(block)
    return CleanText("".join(text_parts), out_starts, out_ends, paragraphs)
