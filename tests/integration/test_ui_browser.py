"""The chat window in a real Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qa.settings import Settings
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser
SHOTS = ARTIFACTS / "ui"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from ui.app import serve

    folder = tmp_path_factory.mktemp("ui")
    port = _free_port()
    settings = Settings(
        index_dir=folder / "index",
        upload_dir=folder / "uploads",
        backend="extractive",
        ui_port=port,
    )
    demo = serve(settings, block=False)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.fixture
def page(browser: Any, app_url: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.goto(app_url, wait_until="load")
    pg.wait_for_selector("#question textarea", timeout=60_000)
    pg.dialogs = dialogs
    yield pg
    context.close()


def _ask(page: Any, question: str) -> None:
    before = page.locator("#chat .message-row, #chat [data-testid='bot']").count()
    page.fill("#question textarea", question)
    page.click("#send")
    page.wait_for_function(
        "n => document.querySelectorAll(\"#chat .message-row, #chat [data-testid='bot']\").length > n",
        arg=before,
        timeout=60_000,
    )


def _upload(page: Any, path: Path, expect: str) -> str:
    """Upload ``path`` and wait until the status line mentions ``expect``."""
    page.click("text=Upload another article")
    page.locator("#upload input[type=file]").set_input_files(str(path))
    page.wait_for_function(
        "t => (document.querySelector('#upload-status')?.innerText || '').includes(t)",
        arg=expect,
        timeout=60_000,
    )
    return str(page.inner_text("#upload-status"))


def test_ask_open_citation_see_highlight(page: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "01-start.png"), full_page=True)
    _ask(page, "What does the US peace plan request that Russia give the US?")
    link = page.locator("#chat a.qa-cite").first
    link.wait_for(timeout=60_000)
    assert "Zaporozhye" in page.inner_text("#chat")
    tip = link.get_attribute("title")
    assert tip and "Zaporozhye" in tip
    page.screenshot(path=str(SHOTS / "02-answer.png"), full_page=True)
    link.click()
    mark = page.locator("#article-view mark#cite-1")
    mark.wait_for(state="visible", timeout=10_000)
    assert "Zaporozhye Nuclear Power Plant" in mark.inner_text()
    page.wait_for_function(
        "() => document.querySelector('#cite-1').classList.contains('qa-active')"
    )
    sources = page.locator("#sources")
    assert "¶12" in sources.inner_text()
    page.screenshot(path=str(SHOTS / "03-citation-highlighted.png"), full_page=True)


def test_upload_and_ask_about_it(page: Any, tmp_path: Path) -> None:
    article = tmp_path / "Mars Rover News.md"
    article.write_text(
        "# Rover finds ice\n\nThe Perseverance rover found water ice near the Jezero crater in March.\n\n"
        "Scientists at NASA called the discovery a turning point for the mission.\n",
        encoding="utf-8",
    )
    assert "mars-rover-news" in _upload(page, article, "Indexed")
    _ask(page, "Where did the Perseverance rover find water ice?")
    page.locator("#chat a.qa-cite").first.wait_for(timeout=60_000)
    assert "Jezero crater" in page.inner_text("#chat")
    page.screenshot(path=str(SHOTS / "04-uploaded-article.png"), full_page=True)


def test_invalid_upload_is_refused(page: Any, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert "is empty" in _upload(page, empty, "refused")
    page.screenshot(path=str(SHOTS / "05-invalid-upload.png"), full_page=True)


def test_html_in_question_is_inert(page: Any) -> None:
    payload = "<img src=x onerror=alert(1)>"
    _ask(page, payload)
    page.wait_for_timeout(1500)
    assert page.dialogs == []
    assert page.locator("#chat img[src='x']").count() == 0
    assert payload in page.inner_text("#chat")
    page.screenshot(path=str(SHOTS / "06-xss-inert.png"), full_page=True)


def test_markup_in_article_answers_and_quotes_is_inert(page: Any, tmp_path: Path) -> None:
    article = tmp_path / "museum.txt"
    article.write_text(
        "The museum reopened in May <img src=x onerror=alert('article')> after repairs.\n\n"
        "Visitors praised the new wing <script>alert('script')</script> built by local firms.\n",
        encoding="utf-8",
    )
    _upload(page, article, "museum")
    _ask(page, "When did the museum reopen after repairs?")
    link = page.locator("#chat a.qa-cite").first
    link.wait_for(timeout=60_000)
    link.hover()
    link.click()
    page.locator("#article-view mark#cite-1").wait_for(state="visible", timeout=10_000)
    page.get_by_role("tab", name="Sources").click()
    page.wait_for_timeout(1000)
    assert page.dialogs == []
    assert page.locator("img[src='x']").count() == 0
    assert "<img src=x onerror=alert('article')>" in page.inner_text("#sources")
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    page.screenshot(path=str(SHOTS / "07-markup-in-article-inert.png"), full_page=True)


def _bot_messages(page: Any) -> int:
    return int(page.locator("#chat a.qa-cite").count())


def test_retry_undo_clear_and_export(page: Any) -> None:
    _ask(page, "Who is Pete Hegseth?")
    page.locator("#chat a.qa-cite").first.wait_for(timeout=60_000)
    _ask(page, "What does the US peace plan request that Russia give the US?")
    page.wait_for_function(
        "() => document.querySelectorAll('#chat a.qa-cite').length >= 2", timeout=60_000
    )

    with page.expect_download(timeout=30_000) as download_info:
        page.click("#export")
        page.locator("#export-file a").first.wait_for(timeout=30_000)
        page.locator("#export-file a").first.click()
    exported = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert "**Q:** Who is Pete Hegseth?" in exported
    assert "> [1]" in exported and "Zaporozhye" in exported

    page.click("#undo")
    page.wait_for_function(
        "() => !document.querySelector('#chat').innerText.includes('Zaporozhye')", timeout=30_000
    )
    assert "Hegseth" in page.inner_text("#chat")

    page.click("#retry")
    page.wait_for_timeout(2500)
    assert page.inner_text("#chat").count("Who is Pete Hegseth?") == 1
    assert _bot_messages(page) >= 1

    page.click("#clear")
    page.wait_for_function(
        "() => !document.querySelector('#chat').innerText.includes('Hegseth')", timeout=30_000
    )
    assert "Sources of the latest answer appear here" in page.inner_text("#sources")
    page.screenshot(path=str(SHOTS / "08-after-clear.png"), full_page=True)
