"""The NumPy question encoder computes what sentence-transformers computes, with the real model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from qa.settings import PROJECT_ROOT, Settings
from qa.store.embeddings import BertQueryEncoder, MiniLMEmbeddings

SQUAD = PROJECT_ROOT.parent / "shared" / "eval" / "squad2_normans.json"


def _texts() -> list[str]:
    texts = [
        "Who is Pete Hegseth?",
        "Where did Trump and Zelensky meet?",
        "İstanbul café naïve “quoted” it’s Ærø ﬁne ½ Ⅻ 東京 العربية",
        "?",
        " ".join(["longer than the model's 256 tokens"] * 120),  # truncated the same way
    ]
    if SQUAD.exists():
        data = json.loads(SQUAD.read_text())["data"][0]["paragraphs"]
        texts += [q["question"] for p in data[:10] for q in p["qas"]]
        texts.append(data[0]["context"])
    return texts


def test_numpy_encoder_matches_sentence_transformers(embeddings: Any) -> None:
    encoder = BertQueryEncoder(Path(Settings().store.embedding_model))
    texts = _texts()
    reference = np.array(embeddings.documents.embed_documents(texts))
    ours = np.array([encoder(t) for t in texts])
    assert ours.shape == reference.shape == (len(texts), 384)
    assert np.abs(ours - reference).max() < 1e-5
    assert (ours * reference).sum(axis=1).min() > 0.99999  # cosine of unit vectors
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-6)


def test_questions_use_the_numpy_encoder_and_documents_sentence_transformers() -> None:
    emb = MiniLMEmbeddings(Settings().store.embedding_model, 8)
    vector = emb.embed_query("Who leads the Normans?")
    assert isinstance(emb._queries, BertQueryEncoder) and emb._documents is None
    assert np.dot(vector, emb.embed_documents(["Who leads the Normans?"])[0]) > 0.99999


def test_other_models_are_left_to_sentence_transformers(tmp_path: Path) -> None:
    model = Path(Settings().store.embedding_model)
    assert BertQueryEncoder.supports(model)
    copy = tmp_path / "model"
    shutil.copytree(model, copy, ignore=shutil.ignore_patterns("*.safetensors"))
    (copy / "model.safetensors").touch()
    pooling = copy / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    pooling.write_text(json.dumps(config))
    assert not BertQueryEncoder.supports(copy)  # CLS pooling: not what the encoder computes
    assert not BertQueryEncoder.supports(tmp_path / "missing")
