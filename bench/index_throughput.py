"""Index throughput: 1, 10, 100 and 1,000 articles against raw encode speed.

Articles are built from the SQuAD Normans paragraphs and the seed article
paragraphs: article i takes three of them in rotation, each tagged with a
sentence naming the article, so every article (and passage) is distinct.

Each size runs in a fresh subprocess with a fresh index, so peak RSS is per
size. In the same subprocess, after the build, ``SentenceTransformer.encode``
embeds the very same passage texts: the ratio pipeline/raw says how close
indexing comes to the embedder's physical limit (goal >= 0.85). For 1,000
articles the unchanged corpus is then indexed again (goal < 5% of the build).

Small builds take well under a second, so sizes up to 10 articles are built
``--repeats`` times, each into a fresh index and each followed by its raw
encode (so both see the same load on a shared machine); the medians are
compared. ``overhead ms`` is what a build spends outside the embedder (median
over the runs): the fixed cost that holds small builds below raw speed, and
on a busy machine a steadier number than the ratio. For those sizes the same
articles are also added to an index that already holds another article, as
the chat window's "add an article" and ``qa index new.txt`` do (``ratio +1``,
``ovh +1 ms``): a fresh index also pays for creating Chroma's files.

Usage:
    python bench/index_throughput.py [--sizes 1 10 100 1000] [--repeats 7]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from langchain_core.embeddings import Embeddings

ROOT = Path(__file__).resolve().parent.parent
SQUAD = ROOT.parent / "shared" / "eval" / "squad2_normans.json"


def base_paragraphs() -> list[str]:
    paragraphs = [
        p["context"] for a in json.loads(SQUAD.read_text())["data"] for p in a["paragraphs"]
    ]
    seed = (ROOT / "seeds" / "article.txt").read_text(encoding="utf-8")
    return paragraphs + [line for line in seed.splitlines() if line.strip()]


def make_articles(n: int) -> list[tuple[str, str]]:
    paras = base_paragraphs()
    out = []
    for i in range(n):
        chosen = [paras[(i * 3 + j) % len(paras)] for j in range(3)]
        body = "\n\n".join(f"{p} (Filed in report {i}, part {j}.)" for j, p in enumerate(chosen))
        out.append((f"bench-{i:04d}", f"Report {i}\n\n{body}"))
    return out


class TimedEmbeddings(Embeddings):
    """The product's embedder, counting the seconds a build spends inside it."""

    def __init__(self, base: Embeddings) -> None:
        self.base, self.spent = base, 0.0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        t = time.perf_counter()
        try:
            return self.base.embed_documents(texts)
        finally:
            self.spent += time.perf_counter() - t

    def embed_query(self, text: str) -> list[float]:
        return self.base.embed_query(text)


def run_one(n: int, repeats: int) -> dict[str, float | None]:
    from sentence_transformers import SentenceTransformer

    from qa.ingest.loader import parse_article
    from qa.settings import Settings
    from qa.store.embeddings import load_embeddings
    from qa.store.passages import PassageStore

    raw = make_articles(n)
    other = make_articles(n + 1)[-1]  # what an existing index already holds
    settings = Settings()
    embeddings = TimedEmbeddings(load_embeddings(settings))
    embeddings.embed_documents(["warm up"])
    model = SentenceTransformer(settings.store.embedding_model, device="cpu", local_files_only=True)
    model.encode(["warm up"])

    def build(store: PassageStore) -> tuple[float, float, int]:
        """Seconds to index the articles, seconds outside the embedder, passages."""
        embeddings.spent = 0.0
        t0 = time.perf_counter()
        articles = [parse_article(text, f"{aid}.txt", aid) for aid, text in raw]
        report = store.index(articles)
        took = time.perf_counter() - t0
        return took, took - embeddings.spent, report.embedded

    builds, encodes, overheads, existing, existing_overheads = [], [], [], [], []
    for _ in range(repeats if n <= 10 else 1):
        with tempfile.TemporaryDirectory() as tmp:
            store = PassageStore(settings.updated(index_dir=Path(tmp) / "index"), embeddings)
            took, overhead, passages = build(store)
            builds.append(took)
            overheads.append(overhead)

            t1 = time.perf_counter()
            again = store.index([parse_article(text, f"{aid}.txt", aid) for aid, text in raw])
            reindex = time.perf_counter() - t1
            assert again.embedded == 0 and len(again.unchanged) == n

            texts = [p.text for p in store.passages([aid for aid, _ in raw])]
        if n <= 10:  # adding to an index that holds an article already (the UI's "add")
            with tempfile.TemporaryDirectory() as tmp:
                store = PassageStore(settings.updated(index_dir=Path(tmp) / "index"), embeddings)
                store.index([parse_article(other[1], f"{other[0]}.txt", other[0])])
                took, overhead, _ = build(store)
                existing.append(took)
                existing_overheads.append(overhead)
        t2 = time.perf_counter()
        model.encode(texts, batch_size=settings.store.embed_batch_size, normalize_embeddings=True)
        encodes.append(time.perf_counter() - t2)
    build_s, encode = statistics.median(builds), statistics.median(encodes)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "articles": n,
        "passages": passages,
        "runs": len(builds),
        "build_s": build_s,
        "pipeline_pps": passages / build_s,
        "raw_encode_pps": len(texts) / encode,
        # Passages embedded per second against raw encode speed over every passage text
        # (the corpus repeats some passages, which a build embeds once: no credit for it).
        "ratio": (passages / build_s) / (len(texts) / encode),
        "overhead_ms": statistics.median(overheads) * 1000,
        "ratio_existing": (
            (passages / statistics.median(existing)) / (len(texts) / encode) if existing else None
        ),
        "overhead_existing_ms": (
            statistics.median(existing_overheads) * 1000 if existing_overheads else None
        ),
        "reindex_s": reindex,
        "reindex_share": reindex / build_s,
        "peak_rss_mb": rss_mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100, 1000])
    parser.add_argument("--repeats", type=int, default=7, help="builds per size up to 10")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.repeats)))
        return
    rows = []
    for n in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--repeats", str(args.repeats)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    header = f"{'articles':>8} {'passages':>8} {'runs':>4} {'build s':>8} {'pipe p/s':>9} {'raw p/s':>8} {'ratio':>6} {'overhead ms':>11} {'ratio +1':>8} {'ovh +1 ms':>9} {'re-index s':>10} {'re/build':>8} {'peak RSS MB':>11}"
    print(header)
    for r in rows:
        plus = (
            f"{r['ratio_existing']:>8.2f} {r['overhead_existing_ms']:>9.0f}"
            if r["ratio_existing"] is not None
            else f"{'-':>8} {'-':>9}"
        )
        print(
            f"{r['articles']:>8} {r['passages']:>8} {r['runs']:>4} {r['build_s']:>8.2f} "
            f"{r['pipeline_pps']:>9.1f} {r['raw_encode_pps']:>8.1f} {r['ratio']:>6.2f} "
            f"{r['overhead_ms']:>11.0f} {plus} {r['reindex_s']:>10.3f} "
            f"{r['reindex_share']:>8.3f} {r['peak_rss_mb']:>11.0f}"
        )
    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "index_throughput.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
