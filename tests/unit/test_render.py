"""What the chat window shows: answers, sources, the article with highlights, Markdown.

Built from hand-made :class:`Answer` and :class:`Citation` objects: no index, no model.
"""

from __future__ import annotations

import re
import time

from qa.answer.retrieve import Hit
from qa.answer.types import Answer, Citation
from qa.ingest.split import Passage
from qa.llm.admission import Place
from ui.chat import plain_history
from ui.render import (
    answer_html,
    article_html,
    conversation_markdown,
    export_markdown,
    sources_html,
    waiting_html,
)

ORIGINAL = "Rovers <b>roam</b>.\n\nThe rover found ice on Mars. It will drill in August.\n"
ICE = ORIGINAL.index("The rover")
DRILL = ORIGINAL.index("It will")


def _cite(
    n: int, start: int, end: int, page: int | None = None, article_id: str = "mars"
) -> Citation:
    return Citation(n, article_id, 2, start, end, ORIGINAL[start:end], page=page)


def _answer(text: str, *citations: Citation, **extra: object) -> Answer:
    return Answer(text, False, list(citations), **extra)  # type: ignore[arg-type]


ANSWER = _answer(
    "It found ice [1] and drills in August [2].",
    _cite(1, ICE, DRILL - 1),
    _cite(2, DRILL, len(ORIGINAL) - 1),
)


def test_markers_link_to_their_sources_with_the_quote_as_tip() -> None:
    shown = answer_html(ANSWER.text, ANSWER)
    assert shown == (
        'It found ice <a href="#cite-1" class="qa-cite" title="¶2: The rover found ice on Mars.">'
        '[1]</a> and drills in August <a href="#cite-2" class="qa-cite" '
        'title="¶2: It will drill in August.">[2]</a>.'
    )


def test_unknown_markers_and_streamed_text_stay_plain() -> None:
    assert answer_html("So far [1] and [7]") == "So far [1] and [7]"
    assert answer_html("See [7].", ANSWER) == "See [7]."


def test_answer_text_quotes_and_notice_are_escaped() -> None:
    quote = '<script>alert("q")</script> it said.'
    c = Citation(1, "x", 1, 0, len(quote), quote)
    answer = _answer("<script>alert(1)</script> [1]", c, notice="<img src=x onerror=1>")
    shown = answer_html(answer.text, answer)
    assert "<script>" not in shown and "<img" not in shown
    assert shown.startswith("&lt;script&gt;alert(1)&lt;/script&gt; <a ")
    assert 'title="¶1: &lt;script&gt;alert(&quot;q&quot;)&lt;/script&gt; it said."' in shown
    assert shown.endswith("<em>Note: &lt;img src=x onerror=1&gt;</em>")
    sources = sources_html(answer)
    assert "<script>" not in sources
    assert (
        "<blockquote>&lt;script&gt;alert(&quot;q&quot;)&lt;/script&gt; it said.</blockquote>"
        in sources
    )


def test_pdf_citations_show_their_page() -> None:
    paged = _answer("It is ice [1].", _cite(1, 5, 9, page=3))
    unpaged = _answer("It is ice [1].", _cite(1, 5, 9))
    assert "<b>[1]</b> p. 3, ¶2, chars 5–9" in sources_html(paged)
    assert "<b>[1]</b> ¶2, chars 5–9" in sources_html(unpaged)
    assert "p. " not in sources_html(unpaged)
    assert 'title="p. 3, ¶2: ' in answer_html(paged.text, paged)


def test_sources_list_each_citation_in_order() -> None:
    shown = sources_html(ANSWER)
    assert shown.startswith("<ol class='qa-sources'><li id='src-1'>")
    assert shown.index("id='src-1'") < shown.index("id='src-2'")
    assert "<blockquote>The rover found ice on Mars.</blockquote>" in shown
    assert "qa-score" not in shown


def test_scores_come_from_the_passage_that_holds_the_quote() -> None:
    passage = Passage("mars", "Mars", 1, 2, ICE, len(ORIGINAL) - 1, "", "")
    answer = _answer(ANSWER.text, *ANSWER.citations, hits=[Hit(passage, 0.81, 3.5, 0.0333, 1.0)])
    assert "dense 0.81 · bm25 3.50 · fused 0.0333" in sources_html(answer, show_scores=True)
    assert "qa-score" not in sources_html(answer)


def test_empty_sources_say_why() -> None:
    assert "appear here" in sources_html(None)
    assert "does not answer" in sources_html(Answer("Sorry, the article doesn't say.", True, []))
    assert "nothing was asked" in sources_html(_answer("Hello!", shape="chat"))


def test_article_highlights_the_cited_spans_and_escapes_the_rest() -> None:
    shown = article_html(ORIGINAL, "mars", ANSWER)
    assert shown == (
        "<div class='qa-article'>Rovers &lt;b&gt;roam&lt;/b&gt;.\n\n"
        "<mark id='cite-1' class='qa-hl' data-n='1'>The rover found ice on Mars.</mark> "
        "<mark id='cite-2' class='qa-hl' data-n='2'>It will drill in August.</mark>\n</div>"
    )
    # Every highlight is exactly the quote it stands for.
    marks = re.findall(r"<mark id='cite-(\d)'[^>]*>(.*?)</mark>", shown)
    assert marks == [(str(c.n), c.quote) for c in ANSWER.citations]


def test_article_highlights_only_its_own_citations_once() -> None:
    other = _answer("[1] [2] [3]", _cite(1, ICE, ICE + 9), _cite(2, ICE, ICE + 15),
                    _cite(3, 0, 6, article_id="venus"))  # fmt: skip
    shown = article_html(ORIGINAL, "mars", other)
    assert shown.count("<mark") == 1 and "<mark id='cite-1'" in shown
    assert article_html(ORIGINAL, "mars") == (
        "<div class='qa-article'>" + ORIGINAL.replace("<b>", "&lt;b&gt;").replace("</b>", "&lt;/b&gt;")
        + "</div>"
    )  # fmt: skip


def test_a_quote_with_markup_is_escaped_inside_its_highlight() -> None:
    text = "Intro. <script>x()</script> said the rover."
    c = Citation(1, "a", 1, 7, len(text), text[7:])
    shown = article_html(text, "a", _answer("[1]", c))
    assert "<script>" not in shown
    assert "data-n='1'>&lt;script&gt;x()&lt;/script&gt; said the rover.</mark>" in shown


def test_waiting_notice() -> None:
    place = Place(ahead=2, running=1, waited_s=3.0, warming="Starting <the> model")
    assert waiting_html(place) == (
        "<em class='qa-waiting'>Starting &lt;the&gt; model (3 s so far); 2 questions ahead of you.</em>"
    )
    assert waiting_html(Place(0, 1, 0.0)).startswith("<em class='qa-waiting'>Waiting for the model")
    assert waiting_html("a <b> status") == "<em class='qa-waiting'>a &lt;b&gt; status</em>"


def test_markdown_export() -> None:
    paged = _answer("It is ice [1].", _cite(1, ICE, DRILL - 1, page=3))
    turns = [("What did it find?", paged), ("Hi <there>", _answer("Hello!", shape="chat"))]
    when = time.mktime((2025, 3, 4, 5, 6, 0, 0, 0, -1))
    assert conversation_markdown("Mars <news>", turns, when) == "\n".join([
        "# Conversation about: Mars <news>",
        "",
        "_Exported 2025-03-04 05:06_",
        "",
        "**Q:** What did it find?",
        "",
        "**A:** It is ice [1].",
        "",
        f"> [1] p. 3, ¶2 (chars {ICE}–{DRILL - 1}): The rover found ice on Mars.",
        "",
        "**Q:** Hi <there>",
        "",
        "**A:** Hello!",
        "",
        "",
    ])  # fmt: skip
    path = export_markdown("Mars", turns)
    assert path.name == "conversation.md"
    assert path.read_text(encoding="utf-8").startswith("# Conversation about: Mars\n")


def test_multiline_quotes_export_on_one_line() -> None:
    c = Citation(1, "a", 4, 0, 11, "two\n  lines")
    text = conversation_markdown("T", [("Q?", _answer("A [1].", c))])
    assert "> [1] ¶4 (chars 0–11): two lines" in text


def test_plain_history_alternates_user_and_assistant() -> None:
    assert plain_history([("Q1", _answer("A1")), ("Q2", _answer("A2"))]) == [
        {"role": "user", "content": "Q1"},
        {"role": "assistant", "content": "A1"},
        {"role": "user", "content": "Q2"},
        {"role": "assistant", "content": "A2"},
    ]
