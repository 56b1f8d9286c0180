"""PDF files and web addresses, end to end: real Chroma, the real embedder, a loopback site.

Every bad web address gets a one-line message and leaves the index (and the
saved pages) exactly as they were.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from qa.chain import Answer, ArticleQA
from qa.cli import cli
from qa.errors import InputError
from qa.settings import Settings
from qa.store.passages import PassageStore
from tests.conftest import SEED
from tests.documents import NEWS_HTML, make_pdf
from tests.local_site import Route, html_route, local_site
from ui.chat import ChatService

LIMIT = 200_000  # bytes; the "too large" pages are bigger
TIMEOUT = 1.0  # seconds; the slow pages take 3
BIG = b"<html><body>" + b"<p>Filler sentence for a large page.</p>" * 8000 + b"</body></html>"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pdf = make_pdf(tmp_path_factory.mktemp("site") / "report.pdf").read_bytes()
    html = {"Content-Type": "text/html"}
    routes = {
        "/news/bridge-reopens.html": html_route(NEWS_HTML),
        "/go": Route(status=302, headers={"Location": "/news/bridge-reopens.html"}),
        "/papers/rover-report.pdf": Route(pdf, headers={"Content-Type": "application/pdf"}),
        "/picture.png": Route(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, headers={"Content-Type": "image/png"}),
        "/big.html": Route(BIG, headers=html),
        "/big-undeclared.html": Route(BIG, headers=html, length=False),
        "/slow.html": Route(NEWS_HTML.encode(), headers=html, delay=3.0),
        "/trickle.html": Route(NEWS_HTML.encode(), headers=html, pieces=10, pause=0.3),
        "/to-ftp": Route(status=302, headers={"Location": "ftp://127.0.0.1/bridge.html"}),
        "/to-file": Route(status=301, headers={"Location": "file:///etc/passwd"}),
        "/loop": Route(status=302, headers={"Location": "/loop"}),
        "/broken": Route(b"oops", 500, headers={"Content-Type": "text/plain"}),
        "/scripts-only.html": html_route("<html><head><style>p {}</style></head>"
                                         "<body><script>track()</script></body></html>"),
    }  # fmt: skip
    with local_site(routes) as base:
        yield base


@pytest.fixture
def run(settings: Settings) -> Any:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, ["--index-dir", str(settings.store.index_dir), *args])

    return invoke


@pytest.fixture
def limited(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small size and time limits for the CLI (it reads QA_* variables)."""
    monkeypatch.setenv("QA_MAX_FILE_BYTES", str(LIMIT))
    monkeypatch.setenv("QA_FETCH_TIMEOUT", str(TIMEOUT))


def _state(store: PassageStore) -> str:
    return json.dumps([(i.article_id, i.version, i.passages) for i in store.articles()])


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def _check_quotes(answer: Answer, store: PassageStore) -> None:
    assert answer.citations
    for c in answer.citations:
        assert c.quote == store.original_text(c.article_id)[c.start : c.end]


def test_web_page_indexed_answered_and_kept_for_offline_reindexing(
    site: str, run: Any, settings: Settings, embeddings: Any, limited: None, tmp_path: Path
) -> None:
    result = run("index", f"{site}/go")  # a redirect to the article, followed
    assert result.exit_code == 0, result.output
    aid = "127.0.0.1-bridge-reopens"
    listing = run("list").output
    assert aid in listing and "Bridge reopens after repairs" in listing

    store = PassageStore(settings, embeddings)
    info = store.info(aid)
    assert info.source == f"{site}/news/bridge-reopens.html"
    original = store.original_text(aid)
    assert "cookies" not in original and "Privacy" not in original
    bot = ArticleQA(aid, settings=settings, store=store)
    answer = bot.ask("How much did the bridge repairs cost?")
    assert "42 million euros" in answer.text
    _check_quotes(answer, store)

    saved = settings.store.index_dir / "sources" / f"{aid}.html"
    assert saved.read_text(encoding="utf-8").startswith(f"<!-- qa-source: {info.source} -->\n")
    # Rebuilt elsewhere from the saved page alone: the same article.
    other = settings.updated(index_dir=tmp_path / "offline")
    offline = PassageStore(other, embeddings)
    rebuilt = CliRunner().invoke(
        cli, ["--index-dir", str(other.store.index_dir), "index", str(saved)]
    )
    assert rebuilt.exit_code == 0, rebuilt.output
    again = offline.info(aid)
    assert (again.title, again.source, again.version) == (info.title, info.source, info.version)
    assert offline.original_text(aid) == original


def test_pdf_file_indexed_with_pages_and_answered(
    run: Any, settings: Settings, embeddings: Any, tmp_path: Path
) -> None:
    pdf = make_pdf(tmp_path / "rover-report.pdf")
    result = run("index", str(pdf))
    assert result.exit_code == 0, result.output
    assert "Rover Report" in run("list").output

    store = PassageStore(settings, embeddings)
    passages = store.passages(["rover-report"])
    assert [p.page for p in passages] == [1, 1, 1, 1, 2]  # read back from Chroma
    bot = ArticleQA("rover-report", settings=settings, store=store)
    answer = bot.ask("When will the rover drill into the ice?")
    assert "August" in answer.text
    assert answer.hits[0].passage.page == 2
    _check_quotes(answer, store)

    shown = run("ask", "When will the rover drill into the ice?", "--backend", "extractive",
                "-a", "rover-report")  # fmt: skip
    assert shown.exit_code == 0, shown.output
    assert "rover-report p. 2, ¶2" in shown.output


def test_pdf_from_a_web_address(
    site: str, settings: Settings, embeddings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ui.chat.PassageStore", lambda s: PassageStore(s, embeddings))
    monkeypatch.setattr("qa.chain.PassageStore", lambda s: PassageStore(s, embeddings))
    service = ChatService(settings.updated(seeds_dir=SEED.parent))
    aid = service.add_url(f"{site}/papers/rover-report.pdf")
    assert aid == "127.0.0.1-rover-report"
    assert (settings.store.index_dir / "sources" / f"{aid}.pdf").read_bytes().startswith(b"%PDF-")
    assert ("Rover Report (127.0.0.1-rover-report)", aid) in service.articles()
    assert {p.page for p in service.store.passages([aid])} == {1, 2}


BAD_ADDRESSES = [
    ("/missing", "answered 404 Not Found"),
    ("/broken", "answered 500"),
    ("/picture.png", "is image/png, not a web page (HTML) or PDF"),
    ("/big.html", "larger than the 0.2 MB limit"),
    ("/big-undeclared.html", "larger than the 0.2 MB limit"),
    ("/slow.html", "did not answer within 1 s"),
    ("/trickle.html", "did not arrive within 1 s"),
    ("/to-ftp", "redirects to ftp://127.0.0.1/bridge.html, which is not an http(s) address"),
    ("/to-file", "redirects to file:///etc/passwd, which is not an http(s) address"),
    ("/loop", "redirects more than 5 times"),
    ("/scripts-only.html", "has no readable text"),
    ("ftp://127.0.0.1/bridge.html", "is not a web address"),
    ("http://127.0.0.1:9/closed", "Cannot fetch"),
]


@pytest.mark.parametrize(("path", "message"), BAD_ADDRESSES, ids=[b[0] for b in BAD_ADDRESSES])
def test_bad_web_addresses_exit_2_and_change_nothing(
    site: str,
    run: Any,
    settings: Settings,
    embeddings: Any,
    limited: None,
    path: str,
    message: str,
) -> None:
    store = PassageStore(settings, embeddings)
    store.index([])  # an empty but existing index
    run("index", str(SEED))
    before, files = _state(store), _files(settings.store.index_dir / "sources")
    url = path if "://" in path else site + path
    result = run("index", url)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert message in result.output
    assert _state(store) == before
    assert _files(settings.store.index_dir / "sources") == files == []


def test_service_refuses_bad_addresses_too(
    site: str, settings: Settings, embeddings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ui.chat.PassageStore", lambda s: PassageStore(s, embeddings))
    monkeypatch.setattr("qa.chain.PassageStore", lambda s: PassageStore(s, embeddings))
    service = ChatService(settings.updated(seeds_dir=SEED.parent, fetch_timeout=TIMEOUT))
    before = _state(service.store)
    for url, message in [
        ("", "Enter a web address"),
        (f"{site}/missing", "404"),
        ("javascript:alert(1)", "not a valid web address"),  # "https://" is put before it
    ]:
        with pytest.raises(InputError, match=message):
            service.add_url(url)
    assert _state(service.store) == before
    assert not (settings.store.index_dir / "sources").exists()
