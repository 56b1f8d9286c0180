"""Questions asked while the model warms up, or while it is busy, in the real app.

The app is the real Gradio app over real Chroma and the real embedder; only the
chat model is a fake that takes its time (the first call, the warm-up, longest).
"""

from __future__ import annotations

import socket
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from qa.chain import ArticleQA
from qa.settings import Settings
from tests.conftest import ARTIFACTS, ExplodingChatModel
from ui.chat import WARMING, ChatService
from ui.render import SHARED_ANSWER

SHOTS = ARTIFACTS / "ui"
REPLY = "Pete Hegseth is the US Secretary of Defense [7]."
QUESTION = "Who is Pete Hegseth?"


class SlowChatModel(BaseChatModel):
    """Answers ``REPLY`` after ``warm_s`` on its first call and ``answer_s`` on later ones."""

    warm_s: float
    answer_s: float
    calls: int = 0
    finished: list[float] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "slow-fake"

    def _pause(self) -> None:
        first = self.calls == 0
        self.calls += 1
        time.sleep(self.warm_s if first else self.answer_s)

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:  # fmt: skip
        self._pause()
        self.finished.append(time.monotonic())
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=REPLY))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:  # fmt: skip
        self._pause()
        for word in REPLY.split(" "):
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))
        self.finished.append(time.monotonic())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _app(tmp_path: Path, model: SlowChatModel, slots: int = 1) -> tuple[Any, ChatService, str]:
    from ui.app import serve

    port = _free_port()
    settings = Settings(
        index_dir=tmp_path / "index", upload_dir=tmp_path / "uploads", backend="openai",
        ui_port=port, llm_slots=slots,
    )  # fmt: skip
    service = ChatService(settings, llm_factory=lambda _: model)
    demo = serve(settings, block=False, service=service)
    return demo, service, f"http://127.0.0.1:{port}/"


def _ask(url: str, question: str) -> dict[str, Any]:
    """``question`` through the app's ``/ask`` API, as a new client."""
    from gradio_client import Client

    answer: dict[str, Any] = Client(url, verbose=False).predict(question, "", "", api_name="/ask")
    return answer


def _until(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    """Wait until ``condition`` holds; fail saying ``what`` did not happen."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert condition(), what


def test_api_question_during_warm_up_waits_and_gets_the_models_answer(tmp_path: Path) -> None:
    from gradio_client import Client

    model = SlowChatModel(warm_s=6.0, answer_s=0.1)
    demo, service, url = _app(tmp_path, model)
    try:
        client = Client(url, verbose=False)
        assert service.queue.warming == WARMING, "the question must be asked during warm-up"
        answer = client.predict(QUESTION, "", "", api_name="/ask")
        answered = time.monotonic()
        assert service.queue.warming is None
        assert answer["text"].startswith("Pete Hegseth is the US Secretary of Defense")
        assert answer["notice"] is None and not answer["abstained"]
        assert answer["citations"] and "Hegseth" in answer["citations"][0]["quote"]
        # Warm-up first, then this question: the model answered it after warming.
        assert model.calls >= 2 and model.finished[0] < model.finished[-1] <= answered
    finally:
        demo.close()


def test_a_question_answered_before_skips_the_line_while_the_model_is_busy(
    tmp_path: Path,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    model = SlowChatModel(warm_s=0.1, answer_s=4.0)
    demo, service, url = _app(tmp_path, model, slots=1)
    try:
        first = _ask(url, QUESTION)
        calls = model.calls
        with ThreadPoolExecutor(2) as pool:
            busy = pool.submit(_ask, url, "Who is the US Secretary of Defense?")
            _until(lambda: service.queue.snapshot()[0] >= 1, "the model must be busy")
            assert service.queue.snapshot()[0] == 1, "the model must be busy"
            again = _ask(url, QUESTION)
            # Answered from the cache while the other question still held the only slot.
            assert not busy.done() and service.queue.snapshot()[0] == 1
            assert busy.result(timeout=60)["text"]
        assert (again["text"], again["citations"]) == (first["text"], first["citations"])
        assert model.calls == calls + 1  # only the other question reached the model
    finally:
        demo.close()


def test_the_same_question_asked_by_many_readers_at_once_is_written_once(
    tmp_path: Path,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    model = SlowChatModel(warm_s=0.1, answer_s=4.0)
    demo, service, url = _app(tmp_path, model, slots=1)
    try:
        _until(lambda: service.queue.warming is None and model.calls >= 1, "warm-up")
        calls = model.calls
        with ThreadPoolExecutor(4) as pool:
            other = pool.submit(_ask, url, "Who is the US Secretary of Defense?")
            _until(lambda: service.queue.snapshot() == (1, 0), "the model busy")
            first = pool.submit(_ask, url, QUESTION)
            _until(lambda: service.queue.snapshot() == (1, 1), "one reader in line")
            second = pool.submit(_ask, url, QUESTION)
            _until(lambda: service.queue.snapshot() == (1, 2), "two readers in line")
            # The other answer ends, the first reader's is written: the second reader,
            # whose answer that is too, leaves the line instead of waiting for the model.
            _until(lambda: other.done() and service.queue.snapshot() == (1, 0), "left the line")
            assert not first.done()
            # A third reader asking it now skips the line, and waits for the same answer.
            third = pool.submit(_ask, url, QUESTION)
            time.sleep(0.5)
            assert service.queue.snapshot() == (1, 0) and not first.done()
            answers = [f.result(timeout=60) for f in (first, second, third)]
        assert model.calls == calls + 2  # the other question and this one, once
        assert {(a["text"], str(a["citations"])) for a in answers} == {
            (answers[0]["text"], str(answers[0]["citations"]))
        }
        assert answers[0]["text"].startswith("Pete Hegseth") and answers[0]["citations"]
    finally:
        demo.close()


def test_a_question_admitted_while_another_reader_starts_writing_it_frees_its_slot(
    tmp_path: Path,
) -> None:
    settings = Settings(index_dir=tmp_path / "index", upload_dir=tmp_path / "up", backend="openai")
    service = ChatService(settings, llm_factory=lambda _: ExplodingChatModel(messages=iter([])))
    service.queue.open()  # no warm-up here: the line is open

    class Bot:
        """Needs the model until another reader starts writing the same answer."""

        writing = False

        def needs_model(self, question: str, history: Any) -> bool:
            return not self.writing

    bot = Bot()
    with service.admission(cast(ArticleQA, bot), QUESTION) as waiting:
        assert service.queue.snapshot() == (0, 1)  # in line, about to be admitted
        bot.writing = True
        assert list(waiting) == []  # admitted at once, then the slot is given back
        assert service.queue.snapshot() == (0, 0)
    assert service.queue.snapshot() == (0, 0)
    assert service.queue._durations == deque()  # no answer's time: the estimate is unchanged


def _open(browser: Any, url: str) -> Any:
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(url, wait_until="load")
    page.wait_for_selector("#question textarea", timeout=60_000)
    return page


def _send(page: Any, question: str) -> None:
    page.fill("#question textarea", question)
    page.click("#send")


def _chat_shows(page: Any, text: str, timeout: float = 60_000) -> None:
    page.wait_for_function(
        "t => (document.querySelector('#chat')?.innerText || '').includes(t)",
        arg=text,
        timeout=timeout,
    )


@pytest.mark.browser
def test_browser_question_during_warm_up_shows_progress_then_the_answer(
    tmp_path: Path, browser: Any
) -> None:
    model = SlowChatModel(warm_s=8.0, answer_s=0.1)
    demo, service, url = _app(tmp_path, model)
    try:
        page = _open(browser, url)
        assert service.queue.warming == WARMING, "the question must be asked during warm-up"
        _send(page, QUESTION)
        _chat_shows(page, WARMING, timeout=10_000)
        assert "next" in page.inner_text("#chat")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "warm-up-1-question-waits.png"), full_page=True)
        page.locator("#chat a.qa-cite").first.wait_for(timeout=60_000)
        text = page.inner_text("#chat")
        assert "US Secretary of Defense" in text and WARMING not in text
        page.screenshot(path=str(SHOTS / "warm-up-2-answer.png"), full_page=True)
    finally:
        demo.close()


@contextmanager
def _second_reader_while_first_is_answered(
    tmp_path: Path, browser: Any
) -> Iterator[tuple[ChatService, SlowChatModel, Any, Any]]:
    """Two readers of a one-slot app; the first has asked ``QUESTION``, and its answer is
    being written (for 5 s) when this yields."""
    model = SlowChatModel(warm_s=0.1, answer_s=5.0)
    demo, service, url = _app(tmp_path, model, slots=1)
    try:
        first, second = _open(browser, url), _open(browser, url)
        _until(lambda: service.queue.warming is None, "warm-up", seconds=60)
        _send(first, QUESTION)
        _until(lambda: service.queue.snapshot()[0] >= 1, "the first answer being written")
        time.sleep(0.3)  # its stream has claimed the answer (right after admission)
        yield service, model, first, second
    finally:
        demo.close()


@pytest.mark.browser
def test_browser_second_user_sees_their_place_while_the_model_is_busy(
    tmp_path: Path, browser: Any
) -> None:
    with _second_reader_while_first_is_answered(tmp_path, browser) as (_, _, first, second):
        # Another question: the same one would wait for the first reader's answer instead.
        _send(second, "Who is the US Secretary of Defense?")
        _chat_shows(second, "Waiting for the model", timeout=10_000)
        assert "1 being answered now" in second.inner_text("#chat")
        second.screenshot(path=str(SHOTS / "queue-waiting-for-a-free-slot.png"), full_page=True)
        for page in (first, second):
            page.locator("#chat a.qa-cite").first.wait_for(timeout=60_000)
            assert "Waiting for the model" not in page.inner_text("#chat")


@pytest.mark.browser
def test_browser_reader_asking_a_question_being_answered_for_another_is_told_so(
    tmp_path: Path, browser: Any
) -> None:
    with _second_reader_while_first_is_answered(tmp_path, browser) as (service, model, *pages):
        calls = model.calls  # the first reader's answer is one of them
        _send(pages[1], QUESTION)
        # Not an empty bubble, and not a place in the line: the answer being written.
        _chat_shows(pages[1], SHARED_ANSWER, timeout=10_000)
        assert service.queue.snapshot() == (1, 0)
        pages[1].screenshot(path=str(SHOTS / "queue-same-question-shared.png"), full_page=True)
        for page in pages:
            page.locator("#chat a.qa-cite").first.wait_for(timeout=60_000)
            text = page.inner_text("#chat")
            assert "US Secretary of Defense" in text and SHARED_ANSWER not in text
        assert model.calls == calls  # written once, for both


def test_a_failed_warm_up_still_opens_the_line_and_questions_get_the_fallback(
    tmp_path: Path,
) -> None:
    settings = Settings(index_dir=tmp_path / "index", upload_dir=tmp_path / "up", backend="openai")
    broken = ExplodingChatModel(messages=iter([]))
    service = ChatService(settings, llm_factory=lambda _: broken)
    thread = service.start_warm_up()
    assert thread is not None
    thread.join(60)
    assert service.queue.warming is None and broken.calls >= 1
    bot = service.bot(service.default_article)
    stream = bot.stream(QUESTION)
    with service.admission(bot, QUESTION) as waiting:
        assert list(waiting) == []
        text = "".join(stream)
    assert stream.answer is not None and stream.answer.notice
    assert "Hegseth" in text
