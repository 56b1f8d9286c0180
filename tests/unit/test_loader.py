"""Loading articles: good formats load, every kind of bad input is refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.errors import InputError
from qa.ingest.loader import (
    ARTICLE_SUFFIXES,
    find_article_files,
    html_to_text,
    load_article,
    slugify,
)
from ui.uploads import UPLOAD_TYPES, load_upload


def test_txt_md_html(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Headline here\n\nBody sentence one. Two.", encoding="utf-8")
    (tmp_path / "b.md").write_text("# The Title\n\nSome *text* here.\n", encoding="utf-8")
    (tmp_path / "c.html").write_text(
        "<html><head><title>Page &amp; Title</title><script>alert(1)</script></head>"
        "<body><h1>Big</h1><p>First &amp; para.</p><style>p{}</style><p>Second<br>line</p></body></html>",
        encoding="utf-8",
    )
    a = load_article(tmp_path / "a.txt")
    assert (a.article_id, a.title) == ("a", "Headline here")
    b = load_article(tmp_path / "b.md")
    assert b.title == "The Title"
    c = load_article(tmp_path / "c.html")
    assert c.title == "Big"  # the page's own heading
    assert "alert" not in c.original and "p{}" not in c.original
    assert c.original.split("\n\n") == ["Big", "First & para.", "Second", "line"]


def test_truncated_html_still_loads() -> None:
    text = html_to_text("<html><body><p>Complete paragraph.</p><p>Cut off in the mid").text
    assert text.startswith("Complete paragraph.") and "Cut off" in text


BAD = [
    ("empty.txt", b"", "is empty"),
    ("blank.txt", b"   \n\t\n  ", "is empty"),
    ("binary.txt", b"\x00\x01\x02PNG\x00", "binary"),
    ("latin1.txt", "caf\u00e9 cr\u00e8me".encode("latin-1"), "not UTF-8"),
    ("script-only.html", b"<html><script>var a = 1;</script></html>", "no readable text"),
    ("tags-only.html", b"<html><body><div></div></body></html>", "no readable text"),
    ("image.png", b"\x89PNG\r\n", "unsupported file type"),
    ("empty.pdf", b"", "is empty"),
    ("notes.pdf", b"plain words, not a PDF", "not a PDF file"),
    ("cut.pdf", b"%PDF-1.7\n1 0 obj <<", "not a readable PDF"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_files_are_refused(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError, match=message) as err:
        load_article(path)
    assert "\n" not in str(err.value)


def test_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("word " * 1000)
    with pytest.raises(InputError, match="limit"):
        load_article(path, max_bytes=1000)


def test_uploads_take_the_same_checks_under_their_own_name(tmp_path: Path) -> None:
    assert list(ARTICLE_SUFFIXES) == UPLOAD_TYPES  # the upload widget offers what loads
    path = tmp_path / "gradio-temp"
    path.write_text("# Roses\n\nRoses need sun.", encoding="utf-8")
    article = load_upload(path, "../My Roses.md", 1000)
    assert (article.article_id, article.title, article.source) == (
        "my-roses",
        "Roses",
        "upload:My Roses.md",
    )
    with pytest.raises(InputError, match=r"^My Roses.md is 0\.0 MB; the limit is 0\.0 MB"):
        load_upload(path, "My Roses.md", 10)
    with pytest.raises(InputError, match=r"^roses: unsupported file type '\(none\)'"):
        load_upload(path, "roses", 1000)


def test_missing_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="No such file"):
        load_article(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="directory"):
        load_article(tmp_path)
    with pytest.raises(InputError, match="holds no article files"):
        find_article_files([tmp_path])


def test_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root, for whom chmod 0 blocks nothing: make the read itself fail.
    path = tmp_path / "secret.txt"
    path.write_text("text")

    def deny(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(InputError, match="permission denied"):
        load_article(path)


def test_slugify_is_safe() -> None:
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("Ünïcode Name!") == "n-code-name"
    assert slugify("...") == "article"
