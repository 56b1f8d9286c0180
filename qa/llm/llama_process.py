"""The embedded llama.cpp server's own process, started by :class:`qa.llm.models.LlamaServer`.

llama.cpp holds Python's GIL for the seconds it takes to load the model; in the
chat window's process that froze the page it had just served (and timed out
clients). Here it freezes nothing, and the chat window's process can load the
embedder at the same time.

Protocol: one JSON line on stdin with the settings below; one JSON line back on
stdout, ``{"address": ...}`` or ``{"error": ...}``; then the server runs until
stdin closes, which happens when the parent exits or dies.

Run as a script (``python path/to/llama_process.py``), not as ``-m qa...``: it
imports nothing from ``qa``, so it starts in a fraction of a second.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def start(config: dict[str, Any]) -> Any:
    """Start llama.cpp's server on a random loopback port; returns the server."""
    import xllamacpp

    slots = int(config["slots"])
    params = xllamacpp.CommonParams()
    params.model.path = config["model_path"]
    # Read, not mapped: llama.cpp repacks the weights for the CPU into memory of
    # its own anyway, and a mapping kept the file's 1.1 GB resident beside them
    # (peak RSS 1.97 GB against 1.37 GB, same speed).
    params.load_mode = xllamacpp.llama_load_mode.LLAMA_LOAD_MODE_NONE
    # Separate per-slot caches of n_ctx each: a unified cache would let one long
    # prompt evict the article prefix that the other slots are answering from.
    params.n_ctx = int(config["n_ctx"]) * slots
    params.kv_unified = False
    params.n_batch = 512
    params.n_parallel = slots
    params.cont_batching = True
    params.cache_prompt = True
    # Host-memory copies of prompts evicted from the slots (llama.cpp's default is
    # 8 GiB): a few articles' prefixes are worth keeping; more only grows memory.
    params.cache_ram_mib = int(config["cache_ram_mib"])
    # Saved on eviction only: saving every idle slot on every new task (the
    # default) copies each slot's ~40 MB prefix per request for nothing.
    params.cache_idle_slots = False
    params.cpuparams.n_threads = int(config["n_threads"])
    params.cpuparams_batch.n_threads = int(config["n_threads"])
    params.hostnames = ["127.0.0.1"]
    params.port = 0
    params.warmup = False
    params.verbosity = -1
    # /slots save and restore copy the article prefix between slots and runs.
    params.endpoint_slots = True
    params.slot_save_path = config["slot_save_path"]
    # Only the parent knows the key: other local users cannot read the slots
    # (other sessions' questions) or use the model through the open port.
    params.api_keys = [config["api_key"]]
    params.ui = False
    return xllamacpp.Server(params)


def main() -> None:
    """Serve until stdin closes."""
    channel = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever llama.cpp prints goes to stderr, never into the channel
    config = json.loads(sys.stdin.readline())
    try:
        server = start(config)
    except Exception as exc:  # the reason goes to the parent, which raises it as ModelError
        channel.write(json.dumps({"error": f"{type(exc).__name__}: {exc}"}) + "\n")
        channel.flush()
        return
    channel.write(json.dumps({"address": str(server.listening_address)}) + "\n")
    channel.flush()
    sys.stdin.read()  # returns at EOF: the parent is gone
    os._exit(0)  # llama.cpp's threads need no orderly shutdown


if __name__ == "__main__":
    main()
