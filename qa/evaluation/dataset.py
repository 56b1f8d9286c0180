"""Dev sets: SQuAD 2.0 JSON or JSONL question files (see bench/seed_questions.jsonl).

Example:
    >>> item = _item({"question": "Who is Pete Hegseth?", "answers": ["Secretary of Defense"]})
    >>> item.question, item.answers, item.unanswerable
    ('Who is Pete Hegseth?', ['Secretary of Defense'], False)
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa.errors import InputError
from qa.ingest.loader import Article, parse_article, slugify


@dataclass
class EvalItem:
    """One question with its gold answers (empty for unanswerable).

    A list or summary question names ``items`` (each a list of aliases) instead:
    it is correct when its answer names ``min_items`` of them with at least
    ``min_citations`` citations. ``evidence`` are strings one cited quote must
    contain (default: the answers). Turns of a scripted conversation share a
    ``script`` number and are asked in order, each with the bot's earlier answers
    as history; ``standalone`` is the same question without history (for the
    latency ratio), and ``chat`` marks small talk.
    """

    question: str
    answers: list[str]
    unanswerable: bool
    article_id: str | None = None
    qid: str = ""
    shape: str = ""
    items: list[list[str]] = field(default_factory=list)
    min_items: int = 1
    min_citations: int = 1
    evidence: list[str] = field(default_factory=list)
    script: int | None = None
    standalone: str = ""
    chat: bool = False
    #: The SQuAD paragraph the question was written on.
    context: str = ""


@dataclass
class EvalSet:
    """Questions plus the articles they are about (none: the default article)."""

    items: list[EvalItem]
    articles: list[Article] = field(default_factory=list)


def load_eval(path: Path) -> EvalSet:
    """Read SQuAD 2.0 JSON (with its articles) or JSONL questions.

    Raises:
        InputError: The file is missing or in neither format.
    """
    if not path.is_file():
        raise InputError(f"No such eval file: {path}")
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        items = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if "turns" in row:
                    items += [_item(t, script=n) for t in row["turns"]]
                else:
                    items.append(_item(row))
            except (ValueError, KeyError, TypeError, AttributeError):
                raise InputError(
                    f"{path.name} line {n}: expected {{question, answers, unanswerable}} "
                    "or {turns: [...]}"
                ) from None
        return EvalSet(items)
    try:
        data = json.loads(text)["data"]
    except (ValueError, KeyError, TypeError):
        raise InputError(f"{path.name} is neither SQuAD 2.0 JSON nor JSONL") from None
    evalset = EvalSet([])
    for entry in data:
        article_id = slugify("eval-" + entry["title"])  # at most 63 characters
        body = "\n\n".join(p["context"].strip() for p in entry["paragraphs"])
        evalset.articles.append(
            parse_article(f"{entry['title']}\n\n{body}", f"{article_id}.txt", article_id)
        )
        for paragraph in entry["paragraphs"]:
            for qa in paragraph["qas"]:
                impossible = bool(qa.get("is_impossible"))
                answers = [] if impossible else sorted({a["text"] for a in qa["answers"]})
                evalset.items.append(
                    EvalItem(
                        qa["question"],
                        answers,
                        impossible,
                        article_id,
                        qa["id"],
                        context=paragraph["context"].strip(),
                    )
                )
    return evalset


def _item(row: dict[str, Any], script: int | None = None) -> EvalItem:
    return EvalItem(
        str(row["question"]),
        [str(a) for a in row.get("answers", [])],
        bool(row.get("unanswerable")),
        shape=str(row.get("shape", "")),
        items=[[str(a) for a in group] for group in row.get("items", [])],
        min_items=int(row.get("min_items", 1)),
        min_citations=int(row.get("min_citations", 1)),
        evidence=[str(e) for e in row.get("evidence", [])],
        script=script,
        standalone=str(row.get("standalone", "")),
        chat=bool(row.get("chat")),
    )


def split_articles(evalset: EvalSet, max_chars: int) -> EvalSet:
    """The same questions over articles cut, at paragraph boundaries, to at most
    ``max_chars`` characters each (so each goes to the reader whole)."""
    articles: list[Article] = []
    where: dict[str, str] = {}
    for article in evalset.articles:
        title, _, body = article.original.partition("\n\n")
        chunks: list[list[str]] = [[]]
        for paragraph in body.split("\n\n"):
            if chunks[-1] and sum(len(p) + 2 for p in chunks[-1]) + len(paragraph) > max_chars:
                chunks.append([])
            chunks[-1].append(paragraph)
        for i, chunk in enumerate(chunks, 1):
            aid = f"{article.article_id}-{i}"
            text = "\n\n".join(chunk)
            articles.append(parse_article(f"{title} ({i})\n\n{text}", f"{aid}.txt", aid))
            for paragraph in chunk:
                where[paragraph.strip()] = aid
    items = []
    for item in evalset.items:
        items.append(dataclasses.replace(item, article_id=where.get(item.context, item.article_id)))
    return EvalSet(items, articles)
