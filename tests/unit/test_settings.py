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
from qa.settings import Settings


def test_env_overrides_and_explicit_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_TOP_K", "7")
    monkeypatch.setenv("QA_BACKEND", "extractive")
    s = Settings()
    assert s.top_k == 7 and s.backend == "extractive"
    assert Settings(top_k=3).top_k == 3
    assert s.updated(top_k=2, backend=None).top_k == 2
    assert s.updated() is s


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
    assert [Settings(backend=name).backend for name in BACKENDS] == list(BACKENDS)
    with pytest.raises(ValidationError, match="unknown backend 'gpt-9'; use one of: embedded, "):
        Settings(backend="gpt-9")
    monkeypatch.setenv("QA_BACKEND", "gpt-9")
    result = CliRunner().invoke(cli, ["list"])
    assert result.exit_code == 2
    assert result.output == (
        "Error: invalid setting backend: unknown backend 'gpt-9'; "
        "use one of: embedded, openai, extractive\n"
    )


def test_embedding_model_is_the_packaged_one() -> None:
    s = Settings()
    assert os.path.isdir(s.embedding_model)
    assert s.embedding_name == "all-MiniLM-L6-v2"


def test_importing_qa_sets_offline_variables() -> None:
    code = "import os, qa; print(os.environ['HF_HUB_OFFLINE'], os.environ['GRADIO_ANALYTICS_ENABLED'], os.environ['ANONYMIZED_TELEMETRY'], os.environ['TRANSFORMERS_OFFLINE'], os.environ['ORT_DISABLE_TELEMETRY'])"
    env = {
        k: v for k, v in os.environ.items() if not k.endswith(("OFFLINE", "TELEMETRY", "ENABLED"))
    }
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.split() == ["1", "False", "False", "1", "1"]
