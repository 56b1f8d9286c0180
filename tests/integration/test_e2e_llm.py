"""End to end with the real embedded model (Qwen2.5-Coder-1.5B via llama.cpp) and real index."""

from __future__ import annotations

import re
from typing import Any

import pytest

from qa.chain import ABSTENTION, WARM_UP, ArticleQA
from qa.settings import PROJECT_ROOT, Settings
from qa.store.passages import PassageStore
from tests.conftest import SEED

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> ArticleQA:
    from qa.store.embeddings import load_embeddings

    folder = tmp_path_factory.mktemp("e2e")
    settings = Settings(index_dir=folder / "index", backend="embedded")
    return ArticleQA(
        SEED, settings=settings, store=PassageStore(settings, load_embeddings(settings))
    )


def test_answers_with_checked_citation(bot: ArticleQA) -> None:
    stream = bot.stream("What does the US peace plan request that Russia give the US?")
    pieces = list(stream)
    answer = stream.answer
    assert answer is not None and not answer.abstained, answer
    assert "".join(pieces) == answer.text
    assert "Zaporozhye" in answer.text
    original = SEED.read_text(encoding="utf-8")
    assert answer.citations and all(original[c.start : c.end] == c.quote for c in answer.citations)
    assert any("Zaporozhye" in c.quote for c in answer.citations)


def test_abstains_on_what_the_article_does_not_say(bot: ArticleQA) -> None:
    answer = bot.ask("What is the GDP of Ukraine in US dollars?")
    assert answer.abstained and answer.text == ABSTENTION and answer.citations == []


def test_follow_up_uses_history(bot: ArticleQA) -> None:
    history: list[dict[str, Any]] = [
        {"role": "user", "content": "Who is the US Secretary of Defense?"},
        {"role": "assistant", "content": "Pete Hegseth is the US Secretary of Defense [1]."},
    ]
    answer = bot.ask("What did he say about Article 5?", history=history)
    assert "Secretary of Defense" in answer.standalone_question
    assert not answer.abstained and any("Article 5" in c.quote for c in answer.citations)


def _shown_examples() -> list[str]:
    """Every example question the product shows: the UI's buttons and warm-up, and the
    questions of the README's and the docstrings' examples."""
    from ui.app import EXAMPLES

    found = [*EXAMPLES, WARM_UP]
    # Questions asked without history (a follow-up example only makes sense after its turn).
    pattern = re.compile(r'(?:qa ask |\.ask\(|\.stream\(|"question": )"([^"]+\?)"(?!,\s*history)')
    for path in [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "qa").rglob("*.py"))]:
        found += pattern.findall(path.read_text(encoding="utf-8"))
    return list(dict.fromkeys(found))


def test_every_example_question_the_product_shows_is_answered(bot: ArticleQA) -> None:
    examples = _shown_examples()
    assert len(examples) >= 6, examples
    original = SEED.read_text(encoding="utf-8")
    failed = []
    for question in examples:
        answer = bot.ask(question)
        quotes_exact = all(original[c.start : c.end] == c.quote for c in answer.citations)
        if answer.abstained or not answer.citations or not quotes_exact:
            failed.append((question, answer.text))
    assert failed == []
