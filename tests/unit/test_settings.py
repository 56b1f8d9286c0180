"""Settings: defaults, QA_* overrides, validation; the library sets offline variables."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from qa.cli import BACKEND_CHOICE, cli
from qa.llm.backends import BACKENDS
from qa.settings import GROUP_OF, GROUPS, Settings


def test_env_overrides_and_explicit_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_TOP_K", "7")
    monkeypatch.setenv("QA_BACKEND", "extractive")
    s = Settings()
    assert s.retrieval.top_k == 7 and s.generation.backend == "extractive"
    assert Settings(top_k=3).retrieval.top_k == 3
    assert s.updated(top_k=2, backend=None).retrieval.top_k == 2
    assert s.updated() is s


def test_knobs_are_grouped_by_stage_and_set_by_their_plain_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every knob lives in exactly one group; plain names (what users already set in
    # QA_* variables and keywords) reach it, and so does QA_<GROUP>__<NAME>.
    assert set(GROUPS) == {
        "ingest",
        "store",
        "retrieval",
        "generation",
        "verification",
        "interface",
    }
    assert len(GROUP_OF) == sum(len(cls.model_fields) for cls in GROUPS.values())
    monkeypatch.setenv("QA_CHROMA_HOST", "db.local")
    monkeypatch.setenv("QA_RETRIEVAL__RRF_K", "9")
    monkeypatch.setenv("QA_RRF_K", "4")  # the grouped name wins over the plain one
    s = Settings(chunk_size=800)
    assert (s.store.chroma_host, s.retrieval.rrf_k, s.ingest.chunk_size) == ("db.local", 9, 800)
    # A keyword beats the environment, and a copy keeps what it does not change.
    copy = s.updated(chroma_host="other", top_k=5)
    assert (copy.store.chroma_host, copy.retrieval.top_k, copy.ingest.chunk_size) == (
        "other",
        5,
        800,
    )
    assert copy.store.chroma_port == s.store.chroma_port


def test_a_bad_value_is_named_as_users_set_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_TOP_K", "0")
    result = CliRunner().invoke(cli, ["list"])
    assert result.exit_code == 2
    assert result.output.startswith("Error: invalid setting top_k (QA_TOP_K): Input should be")


def test_invalid_values_are_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(backend="gpt-9")
    with pytest.raises(ValidationError):
        Settings(top_k=0)
    with pytest.raises(ValidationError):
        Settings(no_such_setting=1)  # type: ignore[call-arg]


def test_backends_are_listed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    assert list(BACKENDS) == ["embedded", "openai", "extractive"]
    assert list(BACKEND_CHOICE.choices) == list(BACKENDS)
    assert [Settings(backend=name).generation.backend for name in BACKENDS] == list(BACKENDS)
    with pytest.raises(ValidationError, match="unknown backend 'gpt-9'; use one of: embedded, "):
        Settings(backend="gpt-9")
    monkeypatch.setenv("QA_BACKEND", "gpt-9")
    result = CliRunner().invoke(cli, ["list"])
    assert result.exit_code == 2
    assert result.output == (
        "Error: invalid setting backend (QA_BACKEND): unknown backend 'gpt-9'; "
        "use one of: embedded, openai, extractive\n"
    )


def test_embedding_model_is_the_packaged_one() -> None:
    s = Settings()
    assert os.path.isdir(s.store.embedding_model)
    assert s.store.embedding_name == "all-MiniLM-L6-v2"


def test_importing_qa_sets_offline_variables() -> None:
    code = "import os, qa; print(os.environ['HF_HUB_OFFLINE'], os.environ['GRADIO_ANALYTICS_ENABLED'], os.environ['ANONYMIZED_TELEMETRY'], os.environ['TRANSFORMERS_OFFLINE'], os.environ['ORT_DISABLE_TELEMETRY'])"
    env = {
        k: v for k, v in os.environ.items() if not k.endswith(("OFFLINE", "TELEMETRY", "ENABLED"))
    }
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.split() == ["1", "False", "False", "1", "1"]


def test_secrets_are_never_printed() -> None:
    s = Settings(ui_auth="ann:hunter2", openai_api_key="sk-live-123")
    shown = f"{s.model_dump_json()} {s!r} {s}"
    assert "hunter2" not in shown and "sk-live-123" not in shown
    # They still reach the code that needs them, also through a copy.
    copy = s.updated(top_k=4)
    assert copy.interface.ui_auth is not None
    assert copy.interface.ui_auth.get_secret_value() == "ann:hunter2"
    assert copy.generation.openai_api_key.get_secret_value() == "sk-live-123"
