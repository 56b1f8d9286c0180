"""Several llama.cpp slots: the article prefix computed once reaches every slot."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from qa.llm.models import LlamaServer, prefix_name
from qa.settings import Settings
from tests.conftest import SEED

pytestmark = pytest.mark.slow


def _ask(server: LlamaServer, question: str, slot: int) -> dict[str, float]:
    """One request pinned to ``slot``; returns llama.cpp's timings (cache_n: tokens reused)."""
    prefix = "Answer from this text.\n" + SEED.read_text(encoding="utf-8")[:1000]
    body = {
        "messages": [
            {"role": "system", "content": prefix},
            {"role": "user", "content": question},
        ],
        "max_tokens": 2,
        "temperature": 0,
        "id_slot": slot,
    }
    reply = httpx.post(
        f"{server.base_url}/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {server.api_key}"},
        timeout=300,
    )
    reply.raise_for_status()
    return dict(reply.json()["timings"])


def test_prefix_saved_from_one_slot_is_reused_by_the_others_and_the_next_server(
    tmp_path: Path,
) -> None:
    settings = Settings(index_dir=tmp_path / "index", llm_slots=2, n_ctx=1024)
    server = LlamaServer(settings.generation.model_path, settings)
    servers = [server]
    name = prefix_name(settings, ["slots-test"])
    try:
        first = _ask(server, "Who is Pete Hegseth?", slot=0)
        assert first["cache_n"] == 0
        assert server.save_prefix(name, slot=0)
        assert server.restore_prefix(name, [1]) == 1
        other = _ask(server, "Where did they meet?", slot=1)
        # Slot 1 read only the new question: the shared prefix came from slot 0.
        assert other["cache_n"] > 150 and other["prompt_n"] < 30

        # The server refuses callers without its key (other local users).
        anonymous = httpx.post(f"{server.base_url}/chat/completions", json={}, timeout=30)
        assert anonymous.status_code == 401

        # A new server (a restart) starts with the saved prefix in every slot.
        fresh = LlamaServer(settings.generation.model_path, settings)
        servers.append(fresh)
        assert fresh.restore_prefix(name) == 2
        again = _ask(fresh, "What did the plan ask for?", slot=1)
        assert again["cache_n"] > 150 and again["prompt_n"] < 30
    finally:
        (server.prefix_dir / name).unlink(missing_ok=True)
        for each in servers:
            each.close()
    assert all(each._process.poll() is not None for each in servers)
