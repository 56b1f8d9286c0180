"""Cleaning and splitting: artifacts go, offsets always map back exactly."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.ingest.clean import clean
from qa.ingest.loader import Article, parse_article
from qa.ingest.split import sentence_spans, split_article
from tests.conftest import SEED


def test_seed_article_artifacts_are_cleaned() -> None:
    original = SEED.read_text(encoding="utf-8")
    cleaned = clean(original)
    assert "andnbsp" in original
    assert "andnbsp" not in cleaned.text
    assert len(cleaned.paragraphs) == 16  # one paragraph per line in the seed


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a&nbsp;b", "a b"),
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("it&#8217;s", "it\u2019s"),
        ("the andnbsp, nascent", "the, nascent"),
        ("x\u00a0\u00a0y", "x y"),
        ("zero\u200bwidth", "zerowidth"),
        ("  lots   of\tspace  ", "lots of space"),
        ("&notanentity; stays", "&notanentity; stays"),
        ("line one\r\nline two", "line one\n\nline two"),
    ],
)
def test_clean_cases(raw: str, expected: str) -> None:
    assert clean(raw).text == expected


def test_blank_line_paragraphs_join_wrapped_lines() -> None:
    cleaned = clean("Title\n\nFirst line\nwrapped here.\n\nSecond para.")
    assert cleaned.text == "Title\n\nFirst line wrapped here.\n\nSecond para."
    assert len(cleaned.paragraphs) == 3


def test_span_maps_to_original() -> None:
    original = "Hello andnbsp, world &amp; friends"
    cleaned = clean(original)
    i = cleaned.text.index("&")
    start, end = cleaned.span(i, len(cleaned.text))
    assert original[start:end] == "&amp; friends"


def test_sentences_respect_abbreviations() -> None:
    text = "Mr. Smith met Dr. Jones in the U.S. capital. They talked. J. Doe left!"
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    assert sentences == [
        "Mr. Smith met Dr. Jones in the U.S. capital.",
        "They talked.",
        "J. Doe left!",
    ]
    dateline = (
        "SAN JOSE, Calif. (Reuters) - Novatek cut jobs. He fell ill. She went to D.C. Then home."
    )
    assert [dateline[a:b] for a, b in sentence_spans(dateline)] == [
        "SAN JOSE, Calif. (Reuters) - Novatek cut jobs.",
        "He fell ill.",
        "She went to D.C.",
        "Then home.",
    ]


def test_list_items_are_sentences_without_their_bullets() -> None:
    text = "Key points: - 71% reported less burnout. - Sick days fell. 1. First. 2. Second."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Key points: - 71% reported less burnout.",
        "Sick days fell.",
        "First.",
        "Second.",
    ]
    text = "He won 2. Then he lost."  # a number that ends a sentence is no list number
    assert [text[a:b] for a, b in sentence_spans(text)] == ["He won 2.", "Then he lost."]


def test_passages_respect_size_paragraphs_and_sentences() -> None:
    body = " ".join(f"Sentence number {i} is here." for i in range(40))
    article = parse_article(f"{body}\n\nShort last paragraph.", "x.txt")
    passages = split_article(article, chunk_size=200)
    assert all(len(p.text) <= 200 for p in passages)
    assert all(p.text.endswith(".") for p in passages)
    assert passages[-1].paragraph == 2 and passages[-1].text == "Short last paragraph."
    assert [p.index for p in passages] == list(range(len(passages)))


def test_overlap_repeats_trailing_sentences() -> None:
    body = " ".join(f"Sentence number {i} is here." for i in range(12))
    article = parse_article(body, "x.txt")
    plain = split_article(article, chunk_size=120, chunk_overlap=0)
    overlapped = split_article(article, chunk_size=120, chunk_overlap=60)
    assert len(overlapped) > len(plain)
    assert overlapped[1].text.split(". ")[0] in overlapped[0].text


def test_long_sentence_is_cut_at_word_boundaries() -> None:
    article = parse_article("word " * 300, "x.txt")
    passages = split_article(article, chunk_size=150)
    assert all(0 < len(p.text) <= 150 for p in passages)
    assert all(not p.text.startswith(" ") and not p.text.endswith(" ") for p in passages)


def test_seed_passages_quote_original_exactly() -> None:
    original = SEED.read_text(encoding="utf-8")
    article = Article("article", "t", original)
    for p in split_article(article, 500):
        assert original[p.start : p.end] == p.quote
        assert " ".join(clean(p.quote).text.split()) == " ".join(p.text.split())


_alphabet = st.sampled_from(
    [
        *"abcXYZ019 .,!?;\n\t\r&#;\u00a0\u200b\u2019\"'",
        "andnbsp",
        "&amp;",
        "&nbsp;",
        "&#39;",
        ". A",
        "\n\n",
        "Mr. ",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_alphabet, max_size=80).map("".join), st.integers(20, 200), st.integers(0, 80))
def test_offsets_always_map_back(text: str, size: int, overlap: int) -> None:
    cleaned = clean(text)
    assert len(cleaned.starts) == len(cleaned.ends) == len(cleaned.text)
    for i, ch in enumerate(cleaned.text):
        s, e = cleaned.starts[i], cleaned.ends[i]
        assert 0 <= s <= e <= len(text)
        if e - s == 1 and not ch.isspace():  # copied verbatim
            assert text[s] == ch
    if not cleaned.paragraphs:
        return
    article = Article("x", "t", text)
    for p in split_article(article, size, overlap):
        assert 0 <= p.start < p.end <= len(text)
        assert p.quote == text[p.start : p.end]
        assert p.text and p.text == p.text.strip()
        assert len(p.text) <= size
        # Every non-space character of the passage comes from inside its quote.
        c0 = p.clean_start
        assert cleaned.text[c0 : c0 + len(p.text)] == p.text
        assert cleaned.starts[c0] == p.start and cleaned.ends[c0 + len(p.text) - 1] == p.end


def test_a_colon_that_opens_a_list_ends_a_sentence() -> None:
    # The cleaner joins a list's lines: "obstacles: 1. Funding: ... 2. Staff: ..."
    text = "It faces two obstacles: 1. Funding: it is not secured. 2. Staff: clinics lack them."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "It faces two obstacles:",
        "Funding: it is not secured.",
        "Staff: clinics lack them.",
    ]
