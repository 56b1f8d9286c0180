"""Server mode against a real `chroma run` server started by the test."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from qa.chain import ArticleQA
from qa.errors import IndexStoreError
from qa.ingest.loader import load_article
from qa.settings import Settings
from qa.store.client import reset_index
from qa.store.passages import PassageStore
from tests.conftest import SEED


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = _free_port()
    proc = subprocess.Popen(
        [
            exe,
            "run",
            "--path",
            str(tmp_path / "server-data"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:  # pragma: no cover - diagnostic path
        proc.kill()
        pytest.fail("chroma run did not start")
    yield proc, port
    proc.kill()
    proc.wait()


def test_index_and_answer_through_server(
    chroma_server: Any, tmp_path: Path, embeddings: Any
) -> None:
    _, port = chroma_server
    settings = Settings(chroma_host="127.0.0.1", chroma_port=port, index_dir=tmp_path / "unused")
    store = PassageStore(settings, embeddings)
    report = store.index([load_article(SEED)])
    assert report.added == ["article"]
    assert store.index([load_article(SEED)]).unchanged == ["article"]
    assert not (tmp_path / "unused").exists()  # nothing written locally
    bot = ArticleQA(SEED, settings=settings, store=store, backend="extractive")
    answer = bot.ask("What does the US peace plan request that Russia give the US?")
    assert not answer.abstained and "Zaporozhye" in answer.text
    assert (
        SEED.read_text(encoding="utf-8")[answer.citations[0].start : answer.citations[0].end]
        == answer.citations[0].quote
    )


def test_server_down_gives_clear_error(chroma_server: Any, embeddings: Any) -> None:
    proc, port = chroma_server
    proc.kill()
    proc.wait()
    with pytest.raises(
        IndexStoreError, match=f"Cannot reach the Chroma server at 127.0.0.1:{port}"
    ):
        PassageStore(Settings(chroma_host="127.0.0.1", chroma_port=port), embeddings)


def test_reset_on_a_server_clears_ours_and_tolerates_absent_collections(
    chroma_server: Any, embeddings: Any
) -> None:
    _, port = chroma_server
    settings = Settings(chroma_host="127.0.0.1", chroma_port=port)
    reset_index(settings)  # nothing there yet: not an error
    store = PassageStore(settings, embeddings)
    assert store.index([load_article(SEED)]).added == ["article"]
    reset_index(settings)
    assert PassageStore(settings, embeddings).articles() == []


def test_a_server_holding_an_older_qa_layout_is_refused_until_rebuilt(
    chroma_server: Any, embeddings: Any
) -> None:
    import chromadb

    _, port = chroma_server
    settings = Settings(chroma_host="127.0.0.1", chroma_port=port)
    old = chromadb.HttpClient(host="127.0.0.1", port=port)
    # What qa before index format 2 left: passages, and articles in a second collection.
    old.create_collection(settings.store.collection)
    old.create_collection(f"{settings.store.collection}_catalog")
    with pytest.raises(IndexStoreError, match="another version of qa; rebuild it with") as err:
        PassageStore(settings, embeddings)
    assert "\n" not in str(err.value)
    reset_index(settings)
    assert {c.name for c in old.list_collections()} == set()
    store = PassageStore(settings, embeddings)
    assert store.index([load_article(SEED)]).added == ["article"]
