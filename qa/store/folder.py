"""The index folder of an embedded store: whose it is, its format, its write lock.

A folder becomes a qa index when the marker file ``qa-index.json`` is written
into it, and only a folder with the marker (or an empty one) is written to or
deleted: an ``--index-dir`` pointed at someone's documents is refused, not wiped.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from chromadb.api.shared_system_client import SharedSystemClient

from qa.errors import IndexStoreError

MARKER = "qa-index.json"
#: Layout of the index (2: article records beside the passages, in one collection): a
#: folder or collection marked with another one is refused, and it is part of every
#: version key.
FORMAT = 2
# Files that may sit in the index folder without making it "foreign".
# "sources": web pages saved by qa.ingest.fetch, so re-indexing them needs no network.
OWN_FILES = {MARKER, ".lock", ".gitkeep", "uploads", "sources", "README.md"}

#: What every error about a damaged index tells people to do.
REBUILD_HINT = "rebuild it with: qa index --rebuild PATH..."


def check_index_dir(path: Path) -> None:
    """Refuse a folder that holds something other than our index; mark a new one as ours."""
    if not path.exists():
        path.mkdir(parents=True)
    if not path.is_dir():
        raise IndexStoreError(f"Index path {path} is not a directory")
    marker = path / MARKER
    others = [p.name for p in path.iterdir() if p.name not in OWN_FILES]
    if marker.exists():
        try:
            data = json.loads(marker.read_text())
        except (OSError, ValueError):
            data = {}
        if data.get("format") != FORMAT:
            raise IndexStoreError(
                f"{path} was written by another version of qa or is damaged; {REBUILD_HINT}"
            )
        return
    if others:
        raise IndexStoreError(
            f"{path} holds data that is not a qa index ({', '.join(sorted(others)[:3])}); "
            "move it away or choose another folder with --index-dir / QA_INDEX_DIR"
        )
    marker.write_text(json.dumps({"format": FORMAT, "created": time.time()}))


@contextlib.contextmanager
def index_lock(path: Path) -> Iterator[None]:
    """Hold the folder's write lock: other processes writing to it wait."""
    with open(path / ".lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def clear_index_dir(path: Path) -> None:
    """Delete the index in ``path`` (marker included); the files in ``OWN_FILES`` stay.

    Raises:
        IndexStoreError: The folder holds data without the qa marker.
    """
    if not path.exists():
        return
    entries = [p for p in path.iterdir() if p.name not in OWN_FILES]
    if entries and not (path / MARKER).exists():
        raise IndexStoreError(f"{path} holds data that is not a qa index; refusing to delete it")
    # chromadb caches one client per path in-process; a stale one would see the deleted files.
    SharedSystemClient.clear_system_cache()
    for entry in [*entries, path / MARKER]:
        if entry.is_dir():
            shutil.rmtree(entry)
        elif entry.exists():
            entry.unlink()
