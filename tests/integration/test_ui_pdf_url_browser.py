"""PDF uploads and web addresses in the chat window, in Debian's Chromium via Playwright.

The app runs as in test_ui_browser.py (extractive backend, a private index); the
web page comes from a site on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qa.settings import Settings
from tests.documents import NEWS_HTML, make_pdf
from tests.integration.test_ui_browser import SHOTS, _ask, _free_port, _upload
from tests.local_site import html_route, local_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from ui.app import serve

    folder = tmp_path_factory.mktemp("ui-pdf-url")
    port = _free_port()
    settings = Settings(
        index_dir=folder / "index", upload_dir=folder / "uploads", backend="extractive",
        ui_port=port,
    )  # fmt: skip
    demo = serve(settings, block=False)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with local_site({"/city/bridge-reopens.html": html_route(NEWS_HTML)}) as base:
        yield base


@pytest.fixture
def page(browser: Any, app_url: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.goto(app_url, wait_until="load")
    pg.wait_for_selector("#question textarea", timeout=60_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield pg
    context.close()


def _fetch(page: Any, url: str, expect: str) -> str:
    """Enter ``url`` in the address box and wait until the status line mentions ``expect``."""
    page.click("text=Upload another article")
    page.fill("#url input, #url textarea", url)
    page.click("#fetch")
    page.wait_for_function(
        "t => (document.querySelector('#upload-status')?.innerText || '').includes(t)",
        arg=expect,
        timeout=60_000,
    )
    return str(page.inner_text("#upload-status"))


def test_pdf_upload_cites_page_and_paragraph(page: Any, tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "Rover Report.pdf")
    assert "rover-report" in _upload(page, pdf, "Indexed")
    page.wait_for_function(  # the selector shows the new article under its title
        "() => document.querySelector('#article-select input').value.includes('Rover Report')"
    )
    _ask(page, "When will the rover drill into the ice?")
    link = page.locator("#chat a.qa-cite").first
    link.wait_for(timeout=60_000)
    assert "August" in page.inner_text("#chat")
    assert (link.get_attribute("title") or "").startswith("p. 2, ¶2: ")
    assert "p. 2, ¶2" in page.inner_text("#sources")
    page.screenshot(path=str(SHOTS / "09-pdf-citation.png"), full_page=True)
    link.click()
    mark = page.locator("#article-view mark#cite-1")
    mark.wait_for(state="visible", timeout=10_000)
    assert "drill into the ice in August" in mark.inner_text()
    # The article view shows the extracted text: no running header, no page footers.
    assert "Journal of Planetary Tests" not in page.inner_text("#article-view")


def test_web_address_is_fetched_and_answered(page: Any, site: str) -> None:
    status = _fetch(page, f"{site}/city/bridge-reopens.html", "Indexed")
    assert "127.0.0.1-bridge-reopens" in status
    page.wait_for_function(
        "() => document.querySelector('#article-select input').value"
        ".includes('Bridge reopens after repairs')"
    )
    _ask(page, "How much did the bridge repairs cost?")
    page.locator("#chat a.qa-cite").first.wait_for(timeout=60_000)
    assert "42 million euros" in page.inner_text("#chat")
    page.get_by_role("tab", name="Article").click()
    article = page.inner_text("#article-view")
    assert "Halden & Sons" in article and "cookies" not in article
    page.get_by_role("tab", name="Sources").click()
    page.screenshot(path=str(SHOTS / "10-url-article.png"), full_page=True)


def test_bad_web_address_is_refused(page: Any, site: str) -> None:
    status = _fetch(page, f"{site}/city/no-such-page.html", "refused")
    assert "answered 404" in status
    page.screenshot(path=str(SHOTS / "11-bad-url.png"), full_page=True)
