"""The Chroma index: idempotent, per-article replacement, and never damaged by a failed build."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qa.errors import IndexStoreError, InputError
from qa.ingest.loader import Article, load_article, parse_article
from qa.settings import Settings
from qa.store.client import reset_index
from qa.store.folder import FORMAT, MARKER
from qa.store.passages import PassageStore
from qa.store.records import article_record_id
from tests.conftest import SEED


def _article(aid: str, text: str) -> Article:
    return parse_article(text, f"{aid}.txt", aid)


def test_index_is_idempotent_and_queryable(store: PassageStore) -> None:
    seed = load_article(SEED)
    first = store.index([seed])
    assert first.added == ["article"] and first.embedded == 16
    again = store.index([load_article(SEED)])
    assert again.unchanged == ["article"] and again.embedded == 0
    info = store.info("article")
    assert info.passages == 16 and info.model == "all-MiniLM-L6-v2"
    vector = store.embeddings.embed_query("Who is the US Secretary of Defense?")
    hits = store.search(vector, 3, ["article"])
    assert any("Hegseth" in p.text for p, _ in hits)
    original = store.original_text("article")
    for p in store.passages(["article"]):
        assert original[p.start : p.end] == p.quote


def test_changed_article_replaces_only_its_passages(store: PassageStore) -> None:
    a = _article("alpha", "Alpha one is here.\n\nAlpha two is here.\n\nAlpha three is here.")
    b = _article("beta", "Beta only paragraph.")
    store.index([a, b])
    changed = _article(
        "alpha", "Alpha one is here.\n\nAlpha two is CHANGED.\n\nAlpha three is here."
    )
    report = store.index([changed])
    assert report.updated == ["alpha"]
    assert report.embedded == 1 and report.reused == 2  # only the changed passage re-embedded
    texts = [p.text for p in store.passages(["alpha"])]
    assert texts == ["Alpha one is here.", "Alpha two is CHANGED.", "Alpha three is here."]
    assert [p.text for p in store.passages(["beta"])] == ["Beta only paragraph."]
    got = store._raw.get(where={"article_id": "alpha"})
    kept = [article_record_id("alpha"), *(p.id for p in store.passages(["alpha"]))]
    assert sorted(got["ids"]) == sorted(kept)  # the old version's passage is gone


def test_a_heading_is_not_retrieved_in_place_of_a_passage_that_answers(
    store: PassageStore,
) -> None:
    from qa.answer.retrieve import HybridRetriever

    paragraphs = [
        "The Normans",
        "The Normans gave their name to Normandy, a region in France.",
        "Their first ruler, Rollo, was a Viking who settled there.",
        "Norman castles were built of stone after the conquest.",
        "The Normans spoke a dialect later called Norman French.",
    ]
    store.index([_article("normans", "\n\n".join(paragraphs))])
    hits = (
        HybridRetriever(store=store, article_ids=["normans"], top_k=3)
        .retrieve("Who were the Normans?")
        .hits
    )
    assert len(hits) == 3 and "The Normans" not in [h.passage.text for h in hits]


def test_remove(store: PassageStore) -> None:
    store.index([_article("alpha", "Alpha."), _article("beta", "Beta.")])
    assert store.remove("alpha") == 1
    assert [i.article_id for i in store.articles()] == ["beta"]
    assert store._raw.get(where={"article_id": "alpha"})["ids"] == []
    with pytest.raises(InputError, match="No indexed article"):
        store.remove("alpha")


class _FailingEmbeddings:
    """Embeds the first ``ok`` texts, then fails, like a crash mid-build."""

    def __init__(self, base: Any, ok: int) -> None:
        self.base, self.ok = base, ok

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if len(texts) > self.ok:
            raise RuntimeError("disk full")
        self.ok -= len(texts)
        return self.base.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.base.embed_query(text)


def test_failed_build_keeps_previous_index_and_next_run_finishes(
    settings: Settings, embeddings: Any
) -> None:
    good = PassageStore(settings, embeddings)
    old = _article("alpha", "\n\n".join(f"Old paragraph number {i}." for i in range(6)))
    good.index([old])
    new = _article("alpha", "\n\n".join(f"New paragraph number {i}." for i in range(6)))
    failing = PassageStore(settings, _FailingEmbeddings(embeddings, ok=3))  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        failing.index([new], batch_size=3)
    # The old version is still complete and is what queries see.
    reader = PassageStore(settings, embeddings)
    assert [p.text for p in reader.passages(["alpha"])] == [
        f"Old paragraph number {i}." for i in range(6)
    ]
    assert reader.info("alpha").passages == 6
    # The next run reuses the half-built passages and completes the job.
    report = reader.index([new], batch_size=3)
    assert report.reused == 3 and report.embedded == 3
    assert [p.text for p in reader.passages(["alpha"])] == [
        f"New paragraph number {i}." for i in range(6)
    ]


def test_many_articles_in_one_build(store: PassageStore) -> None:
    articles = [_article(f"a{i}", f"Article {i} talks about topic {i}.") for i in range(30)]
    report = store.index(articles, batch_size=7)
    assert len(report.added) == 30 and report.embedded == 30
    assert len(store.articles()) == 30


def test_duplicate_ids_refused(store: PassageStore) -> None:
    with pytest.raises(InputError, match="share the id"):
        store.index([_article("x", "One."), _article("x", "Two.")])
    assert store.articles() == []


def test_foreign_folder_is_refused_and_kept(tmp_path: Path, embeddings: Any) -> None:
    folder = tmp_path / "somebody-elses"
    folder.mkdir()
    (folder / "thesis.docx").write_text("precious")
    settings = Settings(index_dir=folder)
    with pytest.raises(IndexStoreError, match="not a qa index"):
        PassageStore(settings, embeddings)
    with pytest.raises(IndexStoreError, match="refusing"):
        reset_index(settings)
    assert (folder / "thesis.docx").read_text() == "precious"


def test_corrupted_index_is_detected_and_rebuildable(settings: Settings, embeddings: Any) -> None:
    PassageStore(settings, embeddings).index([_article("alpha", "Alpha.")])
    for db in settings.store.index_dir.glob("*.sqlite3"):
        db.write_bytes(b"this is not a database" * 100)
    with pytest.raises(IndexStoreError, match="rebuild"):
        PassageStore(settings, embeddings).articles()
    reset_index(settings)
    fresh = PassageStore(settings, embeddings)
    assert fresh.articles() == []
    fresh.index([_article("alpha", "Alpha.")])
    assert [i.article_id for i in fresh.articles()] == ["alpha"]


def test_an_index_of_an_older_format_is_refused_and_rebuildable(
    settings: Settings, embeddings: Any
) -> None:
    PassageStore(settings, embeddings).index([_article("alpha", "Alpha.")])
    marker = settings.store.index_dir / MARKER
    marker.write_text(json.dumps({"format": FORMAT - 1}))
    with pytest.raises(IndexStoreError, match="another version of qa") as err:
        PassageStore(settings, embeddings)
    assert "qa index --rebuild" in str(err.value) and "\n" not in str(err.value)
    reset_index(settings)
    fresh = PassageStore(settings, embeddings)
    fresh.index([_article("beta", "Beta.")])
    assert [i.article_id for i in fresh.articles()] == ["beta"]
