"""Faults: SIGKILL mid-build, two processes at once, a backend or store that goes away."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from qa.chain import ArticleQA
from qa.errors import IndexStoreError
from qa.ingest.loader import parse_article
from qa.settings import PROJECT_ROOT, Settings
from qa.store.passages import PassageStore
from tests.conftest import SEED
from tests.integration.test_server_mode import chroma_server  # noqa: F401  (fixture)

BUILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from qa.ingest.loader import parse_article
    from qa.settings import Settings
    from qa.store.passages import PassageStore

    index, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = PassageStore(Settings(index_dir=Path(index)))
    articles = [
        parse_article(
            "\\n\\n".join(f"{tag} article {i} paragraph {j} about topic {i * j}." for j in range(4)),
            f"a{i}.txt", f"a{i:03d}",
        )
        for i in range(count)
    ]
    def progress(n):
        print("batch", n, flush=True)
    report = store.index(articles, progress=progress, batch_size=16)
    print("done", report.embedded, report.reused, len(report.unchanged), flush=True)
    """
)


def _build(index: Path, tag: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", BUILD, str(index), tag, str(count)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=PROJECT_ROOT,
    )


def test_sigkill_mid_build_keeps_previous_index_and_next_run_finishes(tmp_path: Path) -> None:
    index = tmp_path / "index"
    first = _build(index, "Old", 40)
    assert first.wait(timeout=300) == 0
    victim = _build(index, "New", 40)
    assert victim.stdout is not None
    batches = 0
    for line in victim.stdout:
        batches += line.startswith("batch")
        if batches == 3:
            victim.send_signal(signal.SIGKILL)
            break
    victim.wait(timeout=60)
    assert victim.returncode == -signal.SIGKILL

    store = PassageStore(Settings(index_dir=index))
    infos = store.articles()
    assert len(infos) == 40
    for info in infos:
        passages = store.passages([info.article_id])
        assert len(passages) == info.passages == 4
        # Each article is entirely old or entirely new, never a mix.
        assert len({p.text.split()[0] for p in passages}) == 1
    vector = store.embeddings.embed_query("article 7 paragraph 2")
    assert store.search(vector, 3, ["a007"])

    resumed = _build(index, "New", 40)
    out, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0
    done = next(line for line in out.splitlines() if line.startswith("done")).split()
    embedded, unchanged = int(done[1]), int(done[3])
    # Articles the killed run completed are kept; only the rest is embedded again.
    assert unchanged >= 8 and embedded + 4 * unchanged == 160
    store = PassageStore(Settings(index_dir=index))
    assert all(
        p.text.startswith("New") for i in store.articles() for p in store.passages([i.article_id])
    )


QUERY = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from qa.chain import ArticleQA
    from qa.settings import Settings
    settings = Settings(index_dir=Path(sys.argv[1]), backend="extractive")
    bot = ArticleQA(sys.argv[2], settings=settings)
    for _ in range(int(sys.argv[3])):
        answer = bot.ask("What does the US peace plan request that Russia give the US?")
        assert "Zaporozhye" in answer.text, answer.text
    print("ok", flush=True)
    """
)


def test_two_processes_index_and_query_at_once(tmp_path: Path) -> None:
    index = tmp_path / "index"
    store = PassageStore(Settings(index_dir=index))
    store.index([parse_article(SEED.read_text(encoding="utf-8"), "article.txt", "article")])
    writers = [_build(index, tag, 30) for tag in ("Alpha", "Beta")]
    reader = subprocess.Popen(
        [sys.executable, "-c", QUERY, str(index), "article", "40"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=PROJECT_ROOT,
    )  # fmt: skip
    out, err = reader.communicate(timeout=300)
    assert reader.returncode == 0, err[-2000:]
    assert out.strip() == "ok"
    for w in writers:
        assert w.wait(timeout=300) == 0
    store = PassageStore(Settings(index_dir=index))
    for info in store.articles():
        passages = store.passages([info.article_id])
        assert len(passages) == info.passages
        if info.article_id != "article":
            assert len({p.text.split()[0] for p in passages}) == 1


def test_unreachable_llm_falls_back_with_notice(settings: Settings, embeddings: Any) -> None:
    bot = ArticleQA(
        SEED,
        settings=settings.updated(
            backend="openai", openai_base_url="http://127.0.0.1:9/v1", request_timeout=5
        ),
        store=PassageStore(settings, embeddings),
    )
    answer = bot.ask("What does the US peace plan request that Russia give the US?")
    assert not answer.abstained and "Zaporozhye" in answer.text
    assert answer.notice and "unavailable" in answer.notice and "Traceback" not in answer.notice


def test_chroma_server_stopping_mid_session(chroma_server: Any, embeddings: Any) -> None:  # noqa: F811
    proc, port = chroma_server
    settings = Settings(chroma_host="127.0.0.1", chroma_port=port, backend="extractive")
    store = PassageStore(settings, embeddings)
    bot = ArticleQA(SEED, settings=settings, store=store)
    assert not bot.ask("Who is Pete Hegseth?").abstained
    proc.kill()
    proc.wait()
    with pytest.raises(IndexStoreError, match=f"Lost the Chroma server at 127.0.0.1:{port}"):
        bot.ask("Where did Trump and Zelensky meet?")


def test_model_file_with_wrong_hash_is_refused(tmp_path: Path) -> None:
    from qa.errors import ModelError
    from qa.llm.models import ensure_model

    parts = []
    for i in range(2):
        part = tmp_path / f"p{i}"
        part.write_bytes(os.urandom(1000))
        parts.append(part)
    settings = Settings(cache_dir=tmp_path / "cache")
    with pytest.raises(ModelError, match="refusing"):
        ensure_model(settings, parts=parts, expected_sha256="0" * 64, show_progress=False)
    assert not settings.generation.model_path.exists()
    assert not list(settings.generation.model_path.parent.glob("*.part*"))
    import hashlib

    good = hashlib.sha256(b"".join(p.read_bytes() for p in parts)).hexdigest()
    path = ensure_model(settings, parts=parts, expected_sha256=good, show_progress=False)
    assert path.read_bytes() == b"".join(p.read_bytes() for p in parts)
    assert json.dumps(str(path))
