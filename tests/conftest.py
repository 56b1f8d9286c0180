"""Shared fixtures: isolated index folders, the real embedder, fake chat models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult

from qa.settings import PROJECT_ROOT, Settings

SEED = PROJECT_ROOT / "seeds" / "article.txt"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a private index and upload folder."""
    return Settings(
        index_dir=tmp_path / "index", upload_dir=tmp_path / "uploads", backend="extractive"
    )


@pytest.fixture(scope="session")
def embeddings() -> Any:
    from qa.store.embeddings import load_embeddings

    return load_embeddings(Settings())


@pytest.fixture
def store(settings: Settings, embeddings: Any) -> Any:
    from qa.store.passages import PassageStore

    return PassageStore(settings, embeddings)


def fake_llm(*responses: str) -> GenericFakeChatModel:
    """A chat model that answers with ``responses`` in turn (streamed word by word)."""
    return GenericFakeChatModel(messages=iter([AIMessage(content=r) for r in responses]))


class ExplodingChatModel(GenericFakeChatModel):
    """Fails: before the first token, or after ``after`` streamed words."""

    after: int = 0
    calls: int = 0

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        self.calls += 1
        words = [
            "Pete",
            "Hegseth",
            "is",
            "the",
            "US",
            "Secretary",
            "of",
            "Defense",
            "[7].",
            "And",
            "more",
        ]
        for word in words[: self.after]:
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))
        raise ConnectionError("backend went away")

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:  # fmt: skip
        self.calls += 1
        raise ConnectionError("backend went away")
