"""What the chat window shows, as HTML, and the conversation as Markdown.

Pure functions of an :class:`~qa.answer.types.Answer` (and the article's
original text): no index, no model. All text from articles, questions and
answers is HTML-escaped before it is put into markup.

Example:
    >>> c = Citation(1, "a", 2, 4, 8, "ice!")
    >>> answer = Answer("It is <b>ice</b> [1].", False, [c])
    >>> answer_html(answer.text, answer)
    'It is &lt;b&gt;ice&lt;/b&gt; <a href="#cite-1" class="qa-cite" title="¶2: ice!">[1]</a>.'
    >>> article_html("Not ice! here", "a", answer)
    "<div class='qa-article'>Not <mark id='cite-1' class='qa-hl' data-n='1'>ice!</mark> here</div>"
"""

from __future__ import annotations

import html
import re
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from qa.answer.types import Answer, Citation
from qa.ingest.split import page_label
from qa.llm.admission import Place

#: A question and the answer it got.
Turn = tuple[str, Answer]
_MARK = re.compile(r"\[(\d+)\]")


#: Shown while a reader's question is being answered for another reader who asked it first.
SHARED_ANSWER = (
    "Another reader asked the same question a moment ago: its answer is being written "
    "and will show here."
)


def waiting_html(status: Place | str) -> str:
    """The status line shown in place of the answer while a question waits: its
    place in the model's line, or another status line such as :data:`SHARED_ANSWER`."""
    text = status.text if isinstance(status, Place) else status
    return f"<em class='qa-waiting'>{html.escape(text)}</em>"


def answer_html(text: str, answer: Answer | None = None) -> str:
    """Escaped answer text with ``[n]`` turned into links that show their quote.

    ``text`` may be a partial answer as it streams; ``answer``, once there,
    resolves the markers and adds its notice.
    """
    quotes = {c.n: c for c in (answer.citations if answer else [])}

    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        c = quotes.get(n)
        if c is None:
            return match.group(0)
        tip = html.escape(f"{page_label(c)}: {' '.join(c.quote.split())}", quote=True)
        return f'<a href="#cite-{n}" class="qa-cite" title="{tip}">[{n}]</a>'

    body = _MARK.sub(link, html.escape(text, quote=False))
    if answer and answer.notice:
        body += f"\n\n<em>Note: {html.escape(answer.notice)}</em>"
    return body


def sources_html(answer: Answer | None, show_scores: bool = False) -> str:
    """The cited passages of the latest answer, with page (if known) and paragraph."""
    if answer is None:
        return "<p class='qa-empty'>Sources of the latest answer appear here.</p>"
    if not answer.citations:
        if answer.shape == "chat":
            return "<p class='qa-empty'>No sources: nothing was asked about the article.</p>"
        return "<p class='qa-empty'>No sources: the article does not answer this.</p>"
    items = []
    for c in answer.citations:
        extra = ""
        # A citation quotes a sentence; its retrieval scores are its passage's.
        hit = next(
            (h for h in answer.hits if h.passage.start <= c.start and c.end <= h.passage.end),
            None,
        )
        if show_scores and hit:
            extra = (
                f" <span class='qa-score'>dense {hit.dense:.2f} · bm25 {hit.bm25:.2f} · "
                f"fused {hit.fused:.4f}</span>"
            )
        items.append(
            f"<li id='src-{c.n}'><b>[{c.n}]</b> {page_label(c)}, chars {c.start}–{c.end}{extra}"
            f"<blockquote>{html.escape(c.quote)}</blockquote></li>"
        )
    return "<ol class='qa-sources'>" + "".join(items) + "</ol>"


def article_html(original: str, article_id: str, answer: Answer | None = None) -> str:
    """The article's original text, paragraphs kept, the spans ``answer`` cites highlighted.

    Only citations of ``article_id`` count; a span overlapping one already
    highlighted is skipped.
    """
    spans = sorted(
        {
            (c.start, c.end, c.n)
            for c in (answer.citations if answer else [])
            if c.article_id == article_id
        }
    )
    out, pos = [], 0
    for start, end, n in spans:
        if start < pos:  # overlapping citation: already highlighted
            continue
        out.append(html.escape(original[pos:start]))
        out.append(
            f"<mark id='cite-{n}' class='qa-hl' data-n='{n}'>{html.escape(original[start:end])}</mark>"
        )
        pos = end
    out.append(html.escape(original[pos:]))
    return f"<div class='qa-article'>{''.join(out)}</div>"


def _source_line(c: Citation) -> str:
    quote = " ".join(c.quote.split())
    return f"> [{c.n}] {page_label(c)} (chars {c.start}–{c.end}): {quote}"


def conversation_markdown(title: str, turns: Sequence[Turn], when: float | None = None) -> str:
    """The conversation as Markdown: questions, answers and their quoted sources.

    ``when`` (seconds since the epoch, default now) is the export time shown.
    """
    lines = [
        f"# Conversation about: {title}",
        "",
        f"_Exported {time.strftime('%Y-%m-%d %H:%M', time.localtime(when))}_",
        "",
    ]
    for question, answer in turns:
        lines += [f"**Q:** {question}", "", f"**A:** {answer.text}", ""]
        lines += [_source_line(c) for c in answer.citations]
        lines.append("")
    return "\n".join(lines)


def export_markdown(title: str, turns: Sequence[Turn]) -> Path:
    """Write :func:`conversation_markdown` to a new ``conversation.md`` for download."""
    folder = Path(tempfile.mkdtemp(prefix="qa-export-"))
    path = folder / "conversation.md"
    path.write_text(conversation_markdown(title, turns), encoding="utf-8")
    return path
