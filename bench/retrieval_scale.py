"""Retrieval at scale: lexical engines, dense search, fusion and process start.

The corpus is the synthetic one of ``bench/index_throughput.py`` (article i:
three SQuAD/seed paragraphs tagged with its number), grown to the number of
passages asked for. Indexes are built once under ``bench/out/scale/`` (one per
index format) and reused. Up to ``--real-max`` passages they hold real MiniLM
vectors; larger ones hold deterministic random unit vectors (``HashEmbeddings``),
which time HNSW the same way but mean nothing: the output says which.

For each size, in one process (same-run baselines):

* lexical engines over the same passage texts: the hand-written BM25 as it
  was (``bench/legacy_lexical.py``), ``qa.store.lexical.BM25`` (same tokenizer and
  scores, per-term postings), ``bm25s`` with PyStemmer, and ``bm25s`` fed
  ``qa.store.lexical.terms``: build seconds, memory held (tracemalloc), query
  p50/p95 (top 40);
* dense search (Chroma HNSW, 40 neighbours): the old filter on every
  version, ``PassageStore.search_ids`` and an unfiltered search as the floor;
* ``ArticleQA(ids, backend="extractive").retriever.retrieve`` over all
  articles and over smaller selections: p50/p95, and where the time goes;
* with ``--baseline-src``, retrieval over all articles by the old and this
  code, each in a fresh interpreter, on the same index;
* process start to first retrieval in a fresh interpreter, with and without
  the BM25 index saved on disk (and, with ``--baseline-src``, the old code):
  wall seconds and CPU seconds (on a shared machine the CPU time is what an
  idle one would take, give or take the second core).

Timings on a machine shared with other work swing widely; compare rows of
one run, and see the "no-embed" columns and the breakdown for the part of a
retrieval that is not the embedding model.

``--recall`` instead measures recall@5 of each lexical engine inside the
hybrid retriever on the dev sets (SQuAD 2.0 Normans and the seed questions).

Usage:
    python bench/retrieval_scale.py [--sizes 25000 100000] [--baseline-src DIR]
    python bench/retrieval_scale.py --recall

``--baseline-src DIR``: a folder holding the old ``qa`` package (for example
``git archive f7076a1 qa | tar -x -C DIR``) run against the same index.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

ROOT = Path(__file__).resolve().parent.parent
# Last, not first: a baseline run imports the old qa package from PYTHONPATH.
sys.path.insert(0, str(ROOT / "bench"))
sys.path.append(str(ROOT))

from index_throughput import make_articles  # noqa: E402

OUT = ROOT / "bench" / "out"
SQUAD = ROOT.parent / "shared" / "eval" / "squad2_normans.json"
SEED_QUESTIONS = ROOT / "bench" / "seed_questions.jsonl"


class HashEmbeddings(Embeddings):
    """Random unit vectors seeded by the text: HNSW-shaped, meaningless, instant."""

    def __init__(self, dim: int = 384) -> None:
        self.dim = dim

    def _vector(self, text: str) -> list[float]:
        seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
        v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        return (v / np.linalg.norm(v)).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn: Callable[[Any], Any], items: Sequence[Any]) -> tuple[float, float]:
    """p50 and p95 in ms of ``fn(item)`` over ``items``."""
    out = []
    for item in items:
        t = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - t) * 1000)
    return pct(out, 0.5), pct(out, 0.95)


def dev_questions() -> list[str]:
    data = json.loads(SQUAD.read_text())["data"]
    squad = [q["question"] for a in data for p in a["paragraphs"] for q in p["qas"]]
    rows = [json.loads(line) for line in SEED_QUESTIONS.read_text().splitlines() if line.strip()]
    seed = [r["question"] for r in rows if "question" in r]  # single questions, not dialogues
    return seed + squad


# --------------------------------------------------------------------- corpus
def corpus(passages: int) -> tuple[list[Any], int]:
    """Synthetic articles with at least ``passages`` passages, and that count."""
    from qa.ingest.loader import parse_article
    from qa.ingest.split import split_article
    from qa.settings import Settings

    size = Settings().ingest.chunk_size
    articles, total = [], 0
    batch = math.ceil(passages / 6)  # ~6 passages per synthetic article
    while total < passages:
        start = len(articles)
        for aid, text in make_articles(start + batch)[start:]:
            article = parse_article(text, f"{aid}.txt", aid)
            articles.append(article)
            total += len(split_article(article, size, 0))
            if total >= passages:
                break
        batch = max(1, math.ceil((passages - total) / 6))
    return articles, total


def open_index(passages: int, real_max: int) -> tuple[Any, str, float | None]:
    """The store for ``passages`` (built if absent), the embedder's name, build seconds."""
    from qa.settings import Settings
    from qa.store.embeddings import load_embeddings
    from qa.store.folder import FORMAT
    from qa.store.passages import PassageStore

    kind = "minilm" if passages <= real_max else "hash"
    folder = OUT / "scale" / f"{passages}-{kind}-format{FORMAT}"  # a new layout: a new index
    settings = Settings(index_dir=folder / "index", backend="extractive")
    embeddings = load_embeddings(settings) if kind == "minilm" else HashEmbeddings()
    done = folder / "complete.json"
    if done.exists():
        return PassageStore(settings, embeddings), kind, None
    shutil.rmtree(folder, ignore_errors=True)
    articles, _ = corpus(passages)
    store = PassageStore(settings, embeddings)
    t = time.perf_counter()
    store.index(articles)
    build = time.perf_counter() - t
    done.write_text(json.dumps({"articles": len(articles), "build_s": build}))
    return store, kind, build


# -------------------------------------------------------------------- lexical
class Bm25sIndex:
    """``bm25s`` behind the ``top(query, k)`` / ``idf`` interface of ``qa.store.lexical.BM25``."""

    def __init__(self, texts: Sequence[str], hand_terms: bool = False) -> None:
        import bm25s
        import Stemmer

        self.bm25s = bm25s
        self.hand_terms = hand_terms
        self.stemmer = None if hand_terms else Stemmer.Stemmer("english")
        self.model = bm25s.BM25()  # Lucene variant: the same idf as qa.store.lexical.BM25
        self.model.index(self._tokens(texts), show_progress=False)
        self.n = len(texts)

    def _tokens(self, texts: Sequence[str]) -> list[list[str]]:
        if self.hand_terms:
            from qa.store.lexical import terms

            return [terms(t) for t in texts]
        return list(
            self.bm25s.tokenize(
                list(texts),
                stopwords="en",
                stemmer=self.stemmer,
                return_ids=False,
                show_progress=False,
            )
        )

    @property
    def idf(self) -> dict[str, float]:
        return {}

    def top(self, query: str, k: int) -> list[tuple[int, float]]:
        tokens = [t for t in self._tokens([query])[0] if t in self.model.vocab_dict]
        if not tokens or not self.n:
            return []
        docs, scores = self.model.retrieve(
            [tokens], k=min(k, self.n), show_progress=False, n_threads=1
        )
        return [(int(d), float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]


def engines() -> dict[str, Callable[[Sequence[str]], Any]]:
    import legacy_lexical

    from qa.store.lexical import BM25

    return {
        "legacy hand BM25": legacy_lexical.BM25,
        "qa.store.lexical.BM25": BM25,
        "bm25s + PyStemmer": Bm25sIndex,
        "bm25s + qa terms": lambda texts: Bm25sIndex(texts, hand_terms=True),
    }


def lexical_rows(texts: list[str], questions: list[str]) -> list[dict[str, Any]]:
    rows = []
    for name, make in engines().items():
        if name.startswith("legacy") and len(texts) > 30_000:
            # Minutes per query batch at this size; measured on a third of the questions.
            qs = questions[: len(questions) // 3]
        else:
            qs = questions
        gc.collect()
        t = time.perf_counter()
        index = make(texts)
        build = time.perf_counter() - t
        p50, p95 = timed(lambda q, ix=index: ix.top(q, 40), qs)
        del index
        gc.collect()
        tracemalloc.start()
        index = make(texts)
        held, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del index
        rows.append(
            {"engine": name, "build_s": build, "held_mb": held / 2**20, "peak_mb": peak / 2**20,
             "query_p50_ms": p50, "query_p95_ms": p95}
        )  # fmt: skip
    return rows


# ---------------------------------------------------------------------- dense
def dense_rows(store: Any, questions: list[str]) -> list[dict[str, Any]]:
    ids = [i.article_id for i in store.articles()]
    selection = store.select(ids)
    vectors = [store.embeddings.embed_query(q) for q in questions]
    rows = []

    where = {"version": {"$in": sorted(set(selection.versions))}}
    cases: list[tuple[str, Callable[[list[float]], Any]]] = [
        (
            "old: one filter on every version (+ documents)",
            lambda v: store._raw.query(
                query_embeddings=[v], n_results=40, where=where,
                include=["documents", "metadatas", "distances"],
            ),
        ),
        ("PassageStore.search_ids (all articles)", lambda v: store.search_ids(v, 40, selection)),
        (
            "floor: unfiltered HNSW, ids + distances",
            lambda v: store._raw.query(query_embeddings=[v], n_results=40, include=["distances"]),
        ),
    ]  # fmt: skip
    for name, fn in cases:
        try:
            fn(vectors[0])  # the first search loads the HNSW segment
            p50, p95 = timed(fn, vectors)
            rows.append({"dense": name, "p50_ms": p50, "p95_ms": p95})
        except Exception as exc:
            rows.append({"dense": name, "error": f"{type(exc).__name__}: {str(exc)[:90]}"})
    return rows


# ---------------------------------------------------------------- retrieval
def retrieval_rows(store: Any, questions: list[str]) -> list[dict[str, Any]]:
    from qa.chain import ArticleQA

    ids = [i.article_id for i in store.articles()]
    vectors = {q: store.embeddings.embed_query(q) for q in questions}
    rows = []
    for label, chosen in (
        ("all articles", ids),
        ("half of them", ids[::2]),
        ("1 in 20", ids[::20]),
        ("1 in 100", ids[::100]),
        ("one article", ids[:1]),
    ):
        bot = ArticleQA(chosen, backend="extractive", settings=store.settings, store=store)
        retriever = bot.retriever
        retriever.retrieve(questions[0])  # builds or loads the BM25 index
        p50, p95 = timed(retriever.retrieve, questions)
        embedder, store._embeddings = store._embeddings, KnownVectors(vectors)
        try:  # the same retrievals with the question vectors known: all but the model
            rest50, rest95 = timed(retriever.retrieve, questions)
        finally:
            store._embeddings = embedder
        row: dict[str, Any] = {
            "selection": label,
            "articles": len(chosen),
            "passages": store.passage_count(chosen),
            "p50_ms": p50,
            "p95_ms": p95,
            "no-embed p50": rest50,
            "no-embed p95": rest95,
        }
        if label == "all articles":
            row["parts_p50_ms"] = retrieval_parts(store, chosen, questions)
        rows.append(row)
    return rows


class KnownVectors(Embeddings):
    """Question vectors computed beforehand: times retrieval without the model."""

    def __init__(self, vectors: dict[str, list[float]]) -> None:
        self.vectors = vectors

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.vectors[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.vectors[text]


def retrieval_parts(store: Any, chosen: list[str], questions: list[str]) -> dict[str, float]:
    """p50 ms of each step of a retrieval, timed on its own."""
    selection = store.select(chosen)
    index = store.lexical(selection)
    vectors = [store.embeddings.embed_query(q) for q in questions]
    embed = store.embeddings.embed_query
    parts: list[tuple[str, Callable[[Any], Any], Sequence[Any]]] = [
        ("select", lambda _: store.select(chosen), questions),
        ("embed query", embed, questions),
        ("dense ids", lambda v: store.search_ids(v, 40, selection), vectors),
        ("bm25 top 40", lambda q: index.bm25.top(q, 40), questions),
        ("fetch top 3", lambda i: store.fetch(index.ids[i : i + 3]), range(len(questions))),
    ]
    return {name: timed(fn, items)[0] for name, fn, items in parts}


# -------------------------------------------------------------------- start
def start_child(index_dir: str, kind: str) -> None:
    """Runs in a fresh interpreter: open, select every article, answer one retrieval."""
    t0 = time.perf_counter()
    marks: dict[str, float] = {}
    from qa.chain import ArticleQA
    from qa.settings import Settings
    from qa.store.passages import PassageStore

    marks["imports"] = time.perf_counter() - t0
    settings = Settings(index_dir=Path(index_dir), backend="extractive")
    store = PassageStore(settings, HashEmbeddings() if kind == "hash" else None)
    ids = [i.article_id for i in store.articles()]
    bot = ArticleQA(ids, backend="extractive", settings=settings, store=store)
    marks["open + catalog"] = time.perf_counter() - t0 - sum(marks.values())
    if hasattr(store, "select"):  # the old code builds everything inside retrieve()
        store.lexical(store.select(ids))
        marks["bm25 index"] = time.perf_counter() - t0 - sum(marks.values())
    store.embeddings.embed_query("warm")
    marks["embedder"] = time.perf_counter() - t0 - sum(marks.values())
    hits = bot.retriever.retrieve("Who was the duke of Normandy?").hits
    marks["first retrieve"] = time.perf_counter() - t0 - sum(marks.values())
    assert hits, "no hits"
    print(json.dumps({"marks": marks, "hits": len(hits)}))


def retrieval_child(index_dir: str, kind: str, queries: str) -> None:
    """Runs in a fresh interpreter (old or new code): retrieval p50/p95 over all articles."""
    from qa.chain import ArticleQA
    from qa.settings import Settings
    from qa.store.passages import PassageStore

    questions = dev_questions()[: int(queries)]
    settings = Settings(index_dir=Path(index_dir), backend="extractive")
    store = PassageStore(settings, HashEmbeddings() if kind == "hash" else None)
    ids = [i.article_id for i in store.articles()]
    retriever = ArticleQA(ids, backend="extractive", settings=settings, store=store).retriever
    retriever.retrieve(questions[0])
    p50, p95 = timed(retriever.retrieve, questions)
    store._embeddings = KnownVectors({q: store.embeddings.embed_query(q) for q in questions})
    rest50, rest95 = timed(retriever.retrieve, questions)
    print(json.dumps([p50, p95, rest50, rest95]))


def code_rows(store: Any, kind: str, queries: int, baseline_src: str) -> list[dict[str, Any]]:
    """Retrieval over all articles by the old and the new code, each in a fresh process."""
    rows = []
    for label, path in (("old code (baseline)", baseline_src), ("this code", str(ROOT))):
        out = subprocess.run(
            [sys.executable, __file__, "--retrieval-child", str(store.settings.store.index_dir), kind,
             str(queries)],
            capture_output=True, text=True, cwd=tempfile.gettempdir(),
            env={**os.environ, "PYTHONPATH": path},
        )  # fmt: skip
        if out.returncode:
            last = (out.stderr.strip().splitlines() or ["?"])[-1]
            rows.append({"code": label, "error": last[:160]})
            continue
        p50, p95, rest50, rest95 = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(
            {"code": label, "questions": queries, "p50_ms": p50, "p95_ms": p95,
             "no-embed p50": rest50, "no-embed p95": rest95}
        )  # fmt: skip
    return rows


def start_rows(store: Any, kind: str, baseline_src: str | None) -> list[dict[str, Any]]:
    lexical_dir = store.lexical_dir
    runs: list[tuple[str, dict[str, str]]] = []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs.append(("no saved BM25 index", env))
    runs.append(("BM25 index saved by the run before", env))
    if baseline_src:
        runs.append(("old code (baseline)", {**os.environ, "PYTHONPATH": baseline_src}))
    rows = []
    for label, run_env in runs:
        if label.startswith("no saved"):
            shutil.rmtree(lexical_dir, ignore_errors=True)
        cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        out = subprocess.run(
            [sys.executable, __file__, "--start-child", str(store.settings.store.index_dir), kind],
            capture_output=True, text=True, env=run_env, cwd=tempfile.gettempdir(),
        )  # fmt: skip
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_s = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
        if out.returncode:
            last = (out.stderr.strip().splitlines() or ["?"])[-1]
            rows.append({"start": label, "error": last[:160]})
            continue
        data = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append({"start": label, "wall_s": wall, "cpu_s": cpu_s, **data["marks"]})
    return rows


# ------------------------------------------------------------------- recall
def recall() -> None:
    from qa.chain import ArticleQA
    from qa.evaluation.dataset import load_eval
    from qa.evaluation.scoring import contains_answer
    from qa.settings import Settings
    from qa.store.passages import PassageStore
    from qa.store.types import LexicalIndex, Selection

    class EngineStore(PassageStore):
        engine: Callable[[Sequence[str]], Any] | None = None

        def lexical(self, selection: Selection) -> LexicalIndex:
            base = super().lexical(selection)
            if self.engine is None:
                return base
            texts = {p.id: p.text for p in self.passages(selection.article_ids)}
            return LexicalIndex(base.ids, self.engine([texts[i] for i in base.ids]))

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(index_dir=Path(tmp) / "index", backend="extractive")
        store = EngineStore(settings)
        squad = load_eval(SQUAD)
        seed = load_eval(SEED_QUESTIONS)
        store.index(squad.articles)
        print(f"{'engine':<22} {'SQuAD recall@5':>15} {'seed recall@5':>14}")
        for name, make in engines().items():
            store.engine = (
                None if name == "qa.store.lexical.BM25" else make
            )  # the product's own path
            shares = []
            for evalset, target in ((squad, squad.articles[0].article_id), (seed, None)):
                bot = ArticleQA(target, backend="extractive", settings=settings, store=store)
                # Answerable single questions (dialogue turns need their history).
                items = [i for i in evalset.items if not i.unanswerable and i.script is None]
                found = sum(
                    any(contains_answer(h.passage.text, i.answers) for h in bot.retriever.retrieve(i.question, k=5).hits)
                    for i in items
                )  # fmt: skip
                shares.append(f"{found / len(items):.3f} ({found}/{len(items)})")
            print(f"{name:<22} {shares[0]:>15} {shares[1]:>14}")


# --------------------------------------------------------------------- main
def table(rows: list[dict[str, Any]]) -> str:
    keys = list(dict.fromkeys(k for r in rows for k in r))
    cells = [
        [f"{r[k]:.2f}" if isinstance(r.get(k), float) else str(r.get(k, "")) for k in keys]
        for r in rows
    ]
    widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
    lines = ["  ".join(k.rjust(w) for k, w in zip(keys, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25_000, 100_000])
    parser.add_argument("--real-max", type=int, default=30_000, help="largest MiniLM-built index")
    parser.add_argument("--queries", type=int, default=100, help="dev questions timed per case")
    parser.add_argument("--baseline-src", help="folder with the old qa package")
    parser.add_argument("--recall", action="store_true", help="recall@5 of each lexical engine")
    parser.add_argument("--start-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--retrieval-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.start_child:
        start_child(*args.start_child)
        return
    if args.retrieval_child:
        retrieval_child(*args.retrieval_child)
        return
    if args.recall:
        recall()
        return
    questions = dev_questions()[: args.queries]
    report: dict[str, Any] = {}
    for size in args.sizes:
        store, kind, build = open_index(size, args.real_max)
        passages = store.passages([i.article_id for i in store.articles()])
        texts = [p.text for p in passages]
        vectors = "real MiniLM vectors" if kind == "minilm" else "RANDOM vectors (HashEmbeddings)"
        print(
            f"\n=== {len(texts):,} passages, {len(store.articles()):,} articles, {vectors}"
            + (f", index built in {build:.0f} s" if build else ", index reused")
        )
        result = {
            "passages": len(texts),
            "vectors": kind,
            "lexical": lexical_rows(texts, questions),
            "dense": dense_rows(store, questions),
            "retrieval": retrieval_rows(store, questions),
            "start": start_rows(store, kind, args.baseline_src),
        }
        if args.baseline_src:  # the old code takes seconds per question at scale: fewer
            result["code"] = code_rows(store, kind, min(args.queries, 30), args.baseline_src)
        for part in ("lexical", "dense", "retrieval", "start", "code"):
            if part not in result:
                continue
            rows = [{k: v for k, v in r.items() if k != "parts_p50_ms"} for r in result[part]]
            print(f"\n{part}:\n{table(rows)}")
        parts = result["retrieval"][0]["parts_p50_ms"]
        print("\nwhere a retrieval over all articles spends its time (p50 ms): "
              + ", ".join(f"{k} {v:.1f}" for k, v in parts.items()))  # fmt: skip
        report[str(size)] = result
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of this process: {rss:.0f} MB")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "retrieval_scale.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
