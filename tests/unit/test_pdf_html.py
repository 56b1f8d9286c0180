"""PDF and HTML articles: the text people read, page numbers, titles, refusals."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from qa.errors import InputError
from qa.ingest.loader import Article, load_article, parse_article, shorten
from qa.ingest.split import Passage, page_label, split_article
from qa.store.records import passage_from_record
from tests.documents import HEADER, NEWS_HTML, ROVER_PAGES, make_pdf, make_scanned_pdf


@pytest.fixture
def rover(tmp_path: Path) -> Article:
    return load_article(make_pdf(tmp_path / "rover.pdf"))


def test_pdf_text_is_cleaned_of_layout(rover: Article) -> None:
    text = rover.original
    # The running header and the "Page n of 2" footers are gone from both pages.
    assert HEADER not in text and "Journal" not in text and "Page 1" not in text
    # "measure-" + "ments" at a line end is one word again; other line ends are spaces.
    assert "The measurements were taken" in text and "measure-" not in text
    assert "It was the first such find" in text
    # The sentence cut by the page break is one sentence in one paragraph.
    assert "two metres below the surface of the crater floor" in text
    assert text.split("\n\n") == [
        "Rover finds ice near the crater",
        " ".join(ROVER_PAGES[0][1]),
        "Scientists called the discovery a turning point for the whole mission. The "
        "measurements were taken by the onboard spectrometer on a cold morning.",
        ROVER_PAGES[0][3][0] + " " + ROVER_PAGES[1][0][0],
        " ".join(ROVER_PAGES[1][1]),
    ]
    assert rover.title == "Rover Report"  # the PDF's metadata title


def test_pdf_pages_start_where_their_text_does(rover: Article) -> None:
    assert rover.page_starts[0] == 0
    assert rover.original[rover.page_starts[1] :].startswith("surface of the crater floor")
    assert rover.page_at(0) == 1
    assert rover.page_at(rover.page_starts[1] - 1) == 1
    assert rover.page_at(rover.page_starts[1]) == 2


def test_pdf_passages_carry_page_and_paragraph_on_that_page(rover: Article) -> None:
    passages = split_article(rover, chunk_size=200)
    assert all(p.quote == rover.original[p.start : p.end] for p in passages)
    labels = [(page_label(p), p.quote[:20]) for p in passages]
    assert labels == [
        ("p. 1, ¶1", "Rover finds ice near"),
        ("p. 1, ¶2", "The Perseverance rov"),
        ("p. 1, ¶3", "Scientists called th"),
        ("p. 1, ¶4", "According to the tea"),
        # The paragraph continued from page 1 is page 2's first.
        ("p. 2, ¶2", "The rover will drill"),
    ]


def test_pdf_without_metadata_title_uses_its_heading(tmp_path: Path) -> None:
    article = load_article(make_pdf(tmp_path / "x.pdf", title=""))
    assert article.title == "Rover finds ice near the crater"


def test_single_page_keeps_its_lines_but_not_its_page_number(tmp_path: Path) -> None:
    pages = [[["A lone page about gardens", "and roses."], ["Roses need sun", "and water."]]]
    article = load_article(make_pdf(tmp_path / "one.pdf", pages, running="Garden Notes"))
    # A header on one page is not known to repeat: it stays. "Page 1 of 1" goes.
    assert article.original.split("\n\n") == [
        "Garden Notes",
        "A lone page about gardens and roses.",
        "Roses need sun and water.",
    ]


def test_scanned_pdf_is_refused_in_one_line(tmp_path: Path) -> None:
    scan = make_scanned_pdf(tmp_path / "scan.pdf", tmp_path / "scan.png")
    with pytest.raises(InputError, match="no text layer") as err:
        load_article(scan)
    assert "\n" not in str(err.value)


def test_pdf_pagination_is_part_of_the_content_hash() -> None:
    a = Article("a", "t", "One.\n\nTwo.", page_starts=(0, 6))
    b = Article("a", "t", "One.\n\nTwo.", page_starts=(0, 0))
    c = Article("a", "t", "One.\n\nTwo.")
    assert len({a.content_hash, b.content_hash, c.content_hash}) == 3


def test_html_keeps_the_article_and_drops_the_page_around_it() -> None:
    article = parse_article(NEWS_HTML, "bridge.html")
    text = article.original
    assert text.startswith("Bridge reopens after repairs\n\nThe Old Town bridge reopened")
    assert "Halden & Sons" in text  # entities decoded
    for boilerplate in ("cookies", "Privacy", "Home", "Copyright", "Weather", "By Maria"):
        assert boilerplate not in text
    assert (article.title, article.byline, article.date) == (
        "Bridge reopens after repairs",
        "Maria Lopez",
        "2024-05-14",
    )
    passages = split_article(article)
    assert all(p.quote == text[p.start : p.end] and p.page is None for p in passages)


def test_html_fragment_is_still_read() -> None:
    # trafilatura alone takes a page without "html" near its start for something else.
    article = parse_article("<p>The bridge opened in 1932.</p>", "b.html")
    assert article.original == "The bridge opened in 1932."


def test_saved_page_names_its_address() -> None:
    saved = "<!-- qa-source: https://news.example/bridge -->\n" + NEWS_HTML
    assert parse_article(saved, "bridge.html").source == "https://news.example/bridge"
    assert parse_article(NEWS_HTML, "bridge.html", source="x/bridge.html").source == (
        "x/bridge.html"
    )


def test_page_label() -> None:
    passage = Passage("a", "t", 0, 3, 0, 4, "text", "text", page=7)
    assert page_label(passage) == "p. 7, ¶3"
    assert page_label(Passage("a", "t", 0, 3, 0, 4, "text", "text")) == "¶3"
    assert page_label(SimpleNamespace(paragraph=2)) == "¶2"  # a citation without pages


def test_page_is_read_back_and_old_records_have_none() -> None:
    meta = {"article_id": "a", "index": 0, "paragraph": 2, "start": 0, "end": 4, "quote": "text"}
    assert passage_from_record("id", "text", meta).page is None  # written before pages existed
    assert passage_from_record("id", "text", {**meta, "page": 3}).page == 3


def test_titles_are_shortened_at_a_word_boundary() -> None:
    assert shorten("A short title", 60) == "A short title"
    long = "The council said on Monday that the bridge would reopen after eighteen months"
    cut = shorten(long, 40)
    assert len(cut) <= 40 and cut.endswith("\u2026") and long.startswith(cut[:-1])
    assert long[len(cut) - 1] == " "  # cut before a space, not inside a word
    body = (
        "The council said on Monday that the old bridge over the river would reopen next "
        "week after eighteen months of repairs to its cables. More text follows here."
    )
    title = parse_article(body, "x.txt").title
    assert len(title) <= 80 and title.endswith("\u2026") and body.startswith(title[:-1])
