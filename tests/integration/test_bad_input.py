"""Bad input across the Python API and the UI's upload: a clear message, nothing changed.

(The CLI's cases are in test_cli.py; the loader's in tests/unit/test_loader.py.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qa.chain import ArticleQA
from qa.errors import InputError
from qa.settings import Settings
from qa.store.passages import PassageStore
from tests.conftest import SEED
from ui.chat import ChatService


@pytest.fixture
def bot(settings: Settings, embeddings: Any) -> ArticleQA:
    return ArticleQA(SEED, settings=settings, store=PassageStore(settings, embeddings))


def _snapshot(store: PassageStore) -> str:
    return json.dumps([(i.article_id, i.version, i.passages) for i in store.articles()])


@pytest.mark.parametrize(
    "question",
    ["", " ", "\n\t  \n", "\x00\x01\x02\x7f", "\u200b\u200b", "x" * 2001, "why? " * 200_000],
    ids=["empty", "space", "whitespace", "control-only", "zero-width", "2001-chars", "1MB"],
)
def test_unusable_questions_raise_one_line_value_error(bot: ArticleQA, question: str) -> None:
    before = _snapshot(bot.store)
    with pytest.raises(ValueError, match=r"^The question is") as err:
        bot.ask(question)
    assert "\n" not in str(err.value)
    assert _snapshot(bot.store) == before


@pytest.mark.parametrize(
    "question",
    [
        "Who is\x00 Pete\x07 Hegseth?",  # control characters inside text
        "Who is Пит Hegseth, 国防部长?",  # mixed scripts
        "¿Quién es Pete Hegseth?",  # another language
        "🙂🙂🙂",  # emoji only
        "<script>alert(1)</script> What does the peace plan request?",  # markup
        "' OR 1=1; DROP TABLE passages; --",  # SQL-looking
        "{question} {passages} {{}}",  # template braces
    ],
    ids=["control-chars", "mixed-scripts", "spanish", "emoji", "markup", "sql", "braces"],
)
def test_odd_questions_get_a_normal_answer_or_abstention(bot: ArticleQA, question: str) -> None:
    before = _snapshot(bot.store)
    answer = bot.ask(question)
    assert answer.text
    original = SEED.read_text(encoding="utf-8")
    assert all(original[c.start : c.end] == c.quote for c in answer.citations)
    assert _snapshot(bot.store) == before


def test_control_characters_are_removed_before_answering(bot: ArticleQA) -> None:
    answer = bot.ask("Who is\x00 the US Secretary\x07 of Defense?")
    assert answer.question == "Who is the US Secretary of Defense?"
    assert not answer.abstained and "Hegseth" in answer.text


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.txt", "No such article"),
        (lambda d: d, "is a directory"),
        (lambda d: _write(d / "empty.txt", b""), "is empty"),
        (lambda d: _write(d / "bin.txt", b"\x00\x01\x02"), "binary"),
        (lambda d: _write(d / "latin.txt", "ol\u00e9".encode("latin-1")), "not UTF-8"),
        (lambda d: _write(d / "big.txt", b"a " * 1_100_000), "limit"),
        (
            lambda d: _write(d / "nothing.html", b"<html><head><title>T</title></head></html>"),
            "no readable",
        ),
    ],
    ids=["missing", "directory", "empty", "binary", "non-utf8", "huge", "zero-paragraphs"],
)
def test_bad_article_paths_in_api(
    settings: Settings, embeddings: Any, tmp_path: Path, make: Any, message: str
) -> None:
    store = PassageStore(settings, embeddings)
    ArticleQA(SEED, settings=settings, store=store)
    before = _snapshot(store)
    target = make(tmp_path)
    with pytest.raises(InputError, match=message):
        ArticleQA(target, settings=settings, store=store)
    assert _snapshot(store) == before


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.fixture
def service(settings: Settings, embeddings: Any, monkeypatch: pytest.MonkeyPatch) -> ChatService:
    monkeypatch.setattr("ui.chat.PassageStore", lambda s: PassageStore(s, embeddings))
    monkeypatch.setattr("qa.chain.PassageStore", lambda s: PassageStore(s, embeddings))
    return ChatService(settings.updated(seeds_dir=SEED.parent))


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "is empty"),
        ("binary.md", b"\x89PNG\x00\x00", "binary"),
        ("cp1252.txt", "na\u00efve caf\u00e9".encode("cp1252"), "not UTF-8"),
        ("slides.pdf", b"%PDF-1.7", "not a readable PDF"),
        ("no-name", b"text", "unsupported file type"),
        ("scripts.html", b"<script>steal()</script><style>x{}</style>", "no readable text"),
        ("huge.txt", b"word " * 500_000, "limit"),
    ],
)
def test_bad_uploads_are_refused(
    service: ChatService, tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    before = _snapshot(service.store)
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    with pytest.raises(InputError, match=message):
        service.upload(path, name)
    assert _snapshot(service.store) == before
    assert not service.settings.ingest.upload_dir.exists() or not any(
        service.settings.ingest.upload_dir.iterdir()
    )


def test_truncated_html_upload_is_accepted(service: ChatService, tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_bytes(
        b"<html><body><p>The bridge opened in 1932 after six years of work.</p><p>Traffic was hea"
    )
    article_id = service.upload(path, "bridge.html")
    answer = service.bot(article_id).ask("When did the bridge open?")
    assert "1932" in answer.text


def test_upload_names_cannot_escape_the_upload_folder(service: ChatService, tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_text("A perfectly normal article about gardens and roses.")
    for name in ["../../../../tmp/evil.txt", "..\\..\\evil.txt", "/etc/passwd.txt", "....//x.md"]:
        article_id = service.upload(path, name)
        stored = list(service.settings.ingest.upload_dir.resolve().iterdir())
        assert all(p.parent == service.settings.ingest.upload_dir.resolve() for p in stored)
        assert "/" not in article_id and ".." not in article_id
    assert not Path("/tmp/evil.txt").exists()
