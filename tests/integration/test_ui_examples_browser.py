"""Every example button of the chat window, clicked in a real Chromium, answered by the
real embedded model with a citation: the examples are the first thing people try."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from qa.chain import ABSTENTION
from qa.settings import Settings
from tests.conftest import ARTIFACTS
from tests.integration.test_ui_browser import _free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = ARTIFACTS / "ui"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from ui.app import serve

    folder = tmp_path_factory.mktemp("ui-examples")
    port = _free_port()
    settings = Settings(
        index_dir=folder / "index",
        upload_dir=folder / "uploads",
        backend="embedded",
        ui_port=port,
    )
    demo = serve(settings, block=False)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.fixture(scope="module")
def page(browser: Any, app_url: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.goto(app_url, wait_until="load")
    pg.wait_for_selector("#question textarea", timeout=60_000)
    yield pg
    context.close()


def _example_buttons(page: Any) -> list[str]:
    from ui.app import EXAMPLES

    # The buttons render after the text box: on a busy machine, a moment later.
    page.get_by_text(EXAMPLES[-1], exact=True).first.wait_for(timeout=60_000)
    shown = [q for q in EXAMPLES if page.get_by_text(q, exact=True).count()]
    assert shown == EXAMPLES, f"example buttons missing: {set(EXAMPLES) - set(shown)}"
    return shown


def _settled(page: Any, message: Any, timeout_s: float = 180) -> str:
    """The message's text once it has stopped changing (the answer is done streaming)."""
    text, still, waited = "", 0, 0.0
    while still < 3 and waited < timeout_s:
        page.wait_for_timeout(1000)
        waited += 1
        now = message.inner_text()
        waiting = message.locator(".qa-waiting").count() > 0  # queued or warming up
        still = still + 1 if now == text and now.strip() and not waiting else 0
        text = now
    return text


def test_every_example_button_gets_a_cited_answer(page: Any) -> None:
    failed = []
    for i, question in enumerate(_example_buttons(page)):
        bots = page.locator("#chat [data-testid='bot']")
        before = bots.count()
        page.get_by_text(question, exact=True).first.click()
        page.wait_for_function(
            "q => document.querySelector('#question textarea').value === q", arg=question
        )
        page.click("#send")
        page.wait_for_function(
            "n => document.querySelectorAll(\"#chat [data-testid='bot']\").length > n",
            arg=before,
            timeout=180_000,
        )
        last = bots.last
        text = _settled(page, last)
        if ABSTENTION in text or last.locator("a.qa-cite").count() == 0:
            failed.append((question, text))
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"20-example-{i + 1}.png"), full_page=True)
    assert failed == []
