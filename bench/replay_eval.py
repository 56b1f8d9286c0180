"""Replay a ``qa eval`` report: the answer path again, on the model outputs it recorded.

Decoding is greedy and the prompt does not depend on what comes after the model
(verification, quoting, abstention), so a change to those stages can be measured
without the model: each question's recorded raw output (``raw``) is streamed
back by a stand-in chat model, and everything else runs as in ``qa eval``. A
run takes about a minute where the model takes 15-25; prompts, readers and
retrieval changes still need the real ``qa eval``.

The replay is exact where the model was asked once per question; the standalone
twin of a follow-up gets the output recorded for that question asked on its own
(empty if it never was). A factoid's recorded output may stop early (the answer
path stops the model once a claim verifies); verification that accepts more can
only stop it earlier, so the recorded text holds everything the new path reads.

With ``--thresholds`` it replays once per quote threshold (``Settings.
quote_threshold_*``, both modes) and prints the exact curve of accuracy, false and
unanswerable abstention: what ``qa eval``'s curve estimates from each question's
best quote candidate, measured through verification of the quote.

Usage:
    python bench/replay_eval.py REPORT.json DATA [--split-chars 6000]
                                [--full-article-chars N] [--out NEW.json]
    python bench/replay_eval.py REPORT.json DATA ... --thresholds 0.5 0.6 0.75 0.9
    python bench/diff_eval.py REPORT.json NEW.json   # what changed
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult


class RecordedModel(BaseChatModel):
    """Answers each question with the raw output recorded for it (by question text; a
    question asked of several articles, "Who wrote the article?", gets the output whose
    names, then words, the prompt holds the largest share of)."""

    outputs: dict[str, list[str]]

    @property
    def _llm_type(self) -> str:
        return "recorded"

    def _reply(self, messages: list[BaseMessage]) -> str:
        asked = _plain(str(messages[-1].content))
        # The longest recorded question in the last message: the one asked.
        found = [q for q in self.outputs if q in asked]
        if not found:
            return ""
        prompt = " ".join(str(m.content) for m in messages)
        said = set(re.findall(r"\w+", prompt))
        # Names first (the prompt's rules hold common words too), as a share of the
        # output's: a longer output holds more of a prompt's words by count alone.
        return max(
            self.outputs[max(found, key=len)],
            key=lambda raw: (_share(r"\b[A-Z]\w+", raw, said), _share(r"\w+", raw, said)),
        )

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:  # fmt: skip
        return ChatResult(generations=[ChatGeneration(message=AIMessage(self._reply(messages)))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:  # fmt: skip
        for word in self._reply(messages).split(" "):
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))


def _share(pattern: str, raw: str, said: set[str]) -> float:
    """The share of ``raw``'s words matching ``pattern`` that ``said`` holds (1 for none)."""
    found = re.findall(pattern, raw)
    return sum(w in said for w in found) / len(found) if found else 1.0


def _plain(text: str) -> str:
    """``text`` with its whitespace collapsed, as the answer path cleans a question."""
    return " ".join(text.split())


def main() -> None:
    from qa.evaluation.dataset import load_eval, split_articles
    from qa.evaluation.run import run_eval
    from qa.evaluation.scoring import format_report
    from qa.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("data", type=Path)
    parser.add_argument("--split-chars", type=int)
    parser.add_argument("--full-article-chars", type=int)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--thresholds", type=float, nargs="+", help="quote thresholds to sweep")
    args = parser.parse_args()

    records = json.loads(args.report.read_text())["records"]
    outputs: dict[str, list[str]] = {}
    for r in records:
        if r.get("raw") and not r["history_turns"]:
            outputs.setdefault(_plain(r["question"]), []).append(r["raw"])
    # Follow-ups: their own output, found by their (longer) text with the history.
    for r in records:
        if r.get("raw") and r["history_turns"]:
            outputs[_plain(r["question"])] = [r["raw"]]
    evalset = load_eval(args.data)
    if args.split_chars:
        evalset = split_articles(evalset, args.split_chars)
    model = RecordedModel(outputs=outputs)
    with tempfile.TemporaryDirectory() as tmp:
        overrides: dict[str, Any] = {"index_dir": Path(tmp) / "index", "backend": "embedded"}
        if args.full_article_chars is not None:
            overrides["full_article_chars"] = args.full_article_chars
        if args.thresholds:
            print(f"{args.data.name}, replayed from {args.report.name}")
            print("quote_threshold  accuracy  correct_and_cited  false_abst  unans_abst")
            for t in args.thresholds:
                both = {"quote_threshold_whole": t, "quote_threshold_topk": t}
                m, _ = run_eval(evalset, Settings(**overrides, **both), llm=model)
                print(
                    f"{t:>15.2f}  {m['answerable_accuracy']:>8.3f}  {m['correct_and_cited']:>17.3f}"
                    f"  {m['false_abstention']:>10.3f}  {m['unanswerable_abstention']:>10.3f}",
                    flush=True,
                )
            return
        metrics, new = run_eval(evalset, Settings(**overrides), llm=model)
    print(f"{args.data.name}, replayed from {args.report.name}")
    print(format_report(metrics))
    if args.out:
        args.out.write_text(json.dumps({"metrics": metrics, "records": new}, indent=2))


if __name__ == "__main__":
    main()
