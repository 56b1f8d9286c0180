"""Saved article prefixes: one name per index, article set and model; bounded on disk."""

from __future__ import annotations

import os
from pathlib import Path

from qa.llm.models import KEEP_PREFIXES, _trim, forget_prefixes, prefix_dir, prefix_name
from qa.settings import Settings


def _settings(tmp_path: Path, index: str = "index", **extra: object) -> Settings:
    return Settings(index_dir=tmp_path / index, cache_dir=tmp_path / "cache", **extra)


def test_names_differ_by_index_articles_model_and_context(tmp_path: Path) -> None:
    base = _settings(tmp_path)
    names = {
        prefix_name(base, ["article"]),
        prefix_name(base, ["other"]),
        prefix_name(base, ["article", "other"]),
        prefix_name(_settings(tmp_path, "index2"), ["article"]),
        prefix_name(base.updated(model_name="another-model"), ["article"]),
        prefix_name(base.updated(n_ctx=2048), ["article"]),
    }
    assert len(names) == 6
    assert prefix_name(base, ["article"]) == prefix_name(_settings(tmp_path), ["article"])
    assert all("/" not in n and n.endswith(".bin") for n in names)


def test_forget_removes_only_that_index(tmp_path: Path) -> None:
    mine, theirs = _settings(tmp_path, "mine"), _settings(tmp_path, "theirs")
    folder = prefix_dir(mine)
    folder.mkdir(parents=True)
    for settings, article in ((mine, "a"), (mine, "b"), (theirs, "a")):
        (folder / prefix_name(settings, [article])).write_bytes(b"state")
    assert forget_prefixes(mine.store.index_dir, mine) == 2
    assert [p.name for p in folder.iterdir()] == [prefix_name(theirs, ["a"])]


def test_trim_keeps_the_most_recent(tmp_path: Path) -> None:
    for i in range(KEEP_PREFIXES + 3):
        path = tmp_path / f"p{i}.bin"
        path.write_bytes(b"x")
        os.utime(path, (1000 + i, 1000 + i))
    _trim(tmp_path)
    kept = sorted(int(p.stem[1:]) for p in tmp_path.glob("*.bin"))
    assert kept == list(range(3, KEEP_PREFIXES + 3))
