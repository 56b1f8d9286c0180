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

With ``--judge`` the judge's calls (:mod:`qa.answer.judge`) go to the embedded
model, live, and two curves are printed: what it would add at each threshold where
the answer path abstains (with ``--judge-threshold 0`` every question it is asked
about is answered, so the curve counts them all), and what its veto would drop at
each threshold (with ``--judge-veto 0`` it drops none, so the curve counts every
answer it vetted). Without ``--judge`` each judge call fails, which leaves every
answer as the path without a judge gives it.

With ``--thresholds`` it replays once per quote threshold (``Settings.
quote_threshold_*``, both modes) and prints the exact curve of accuracy, false and
unanswerable abstention: what ``qa eval``'s curve estimates from each question's
best quote candidate, measured through verification of the quote.

Usage:
    python bench/replay_eval.py REPORT.json DATA [--split-chars 6000]
                                [--full-article-chars N] [--out NEW.json]
    python bench/replay_eval.py REPORT.json DATA ... --thresholds 0.5 0.6 0.75 0.9
    python bench/replay_eval.py REPORT.json DATA ... --judge --judge-threshold 0 --judge-veto 0
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

# A veto threshold no P("Yes") read from log-probabilities falls under.
_ASK_ONLY = 1e-9


class RecordedModel(BaseChatModel):
    """Answers each question with the raw output recorded for it (by question text; a
    question asked of several articles, "Who wrote the article?", gets the output whose
    names, then words, the prompt holds the largest share of)."""

    outputs: dict[str, list[str]]
    #: Answers the judge's prompts (:mod:`qa.answer.judge`), which no report records;
    #: without it a judge call fails and the answer path is the one without a judge.
    judge: BaseChatModel | None = None

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
        if _judging(messages):
            raise RuntimeError("no judge in this replay (see --judge)")
        return ChatResult(generations=[ChatGeneration(message=AIMessage(self._reply(messages)))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:  # fmt: skip
        if _judging(messages):
            if self.judge is None:
                raise RuntimeError("no judge in this replay (see --judge)")
            for chunk in self.judge.stream(messages, stop=stop, **kwargs):
                yield ChatGenerationChunk(message=AIMessageChunk(
                    content=chunk.content, response_metadata=chunk.response_metadata))  # fmt: skip
            return
        for word in self._reply(messages).split(" "):
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))


def judge_curve(records: list[dict[str, Any]]) -> str:
    """What the judge would add at each threshold: of the questions it was asked about,
    how many it would answer right (C), wrong (W) or though the article does not say (U).
    Run with ``--judge --judge-threshold 0`` to see every one it was asked about."""
    kinds = _kinds(records, "judge")
    lines = [f"judge: {len(kinds)} questions judged; answered at each threshold (if quoted)"]
    lines.append("judge_threshold   C   W   U")
    for t in (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95):
        n = {k: sum(1 for kind, p in kinds if kind == k and p >= t) for k in "CWU"}
        lines.append(f"{t:>15.2f} {n['C']:>3} {n['W']:>3} {n['U']:>3}")
    return "\n".join(lines)


def veto_curve(records: list[dict[str, Any]]) -> str:
    """What the judge's veto would drop at each threshold: of the answers it vetted,
    how many right (C), wrong (W) or to questions the article does not answer (U).
    Run with ``--judge --judge-veto 0`` to see every one it vetted."""
    kinds = _kinds(records, "vetted")
    lines = [f"veto: {len(kinds)} answers vetted; dropped at each threshold (if answered)"]
    lines.append("veto_threshold    C   W   U")
    for t in (0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
        n = {k: sum(1 for kind, p in kinds if kind == k and p < t) for k in "CWU"}
        lines.append(f"{t:>14.2f} {n['C']:>4} {n['W']:>3} {n['U']:>3}")
    return "\n".join(lines)


def _kinds(records: list[dict[str, Any]], key: str) -> list[tuple[str, float]]:
    """Each record with the judge's P("Yes") under ``key``: right and cited (C), wrong
    (W) or of an unanswerable question (U), with that P."""
    from qa.evaluation.scoring import is_cited, is_correct

    return [
        ("U" if r["unanswerable"] else "C" if is_correct(r) and is_cited(r) else "W", r[key])
        for r in records
        if r.get(key) is not None and not r.get("chat")
    ]


def _judging(messages: list[BaseMessage]) -> bool:
    """Whether ``messages`` are the judge's prompt (its rules are the system message)."""
    from qa.llm.prompts import load_template

    return str(messages[0].content) == load_template("judge")


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
    parser.add_argument(
        "--judge",
        action="store_true",
        help="the judge's calls go to the embedded model (live); otherwise they fail",
    )
    parser.add_argument(
        "--judge-threshold", type=float, help="both modes' judge threshold (default: settings)"
    )
    parser.add_argument(
        "--judge-veto", type=float, help="both modes' veto threshold (default: settings)"
    )
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
    judge = None
    if args.judge:
        from qa.llm.models import chat_model

        judge = chat_model(Settings())
    model = RecordedModel(outputs=outputs, judge=judge)
    with tempfile.TemporaryDirectory() as tmp:
        overrides: dict[str, Any] = {"index_dir": Path(tmp) / "index", "backend": "embedded"}
        if args.full_article_chars is not None:
            overrides["full_article_chars"] = args.full_article_chars
        if args.judge_threshold is not None:
            overrides["judge_threshold_whole"] = args.judge_threshold
            overrides["judge_threshold_topk"] = args.judge_threshold
        if args.judge_veto is not None:
            # 0 turns the veto off in the product; here it asks every time and drops none.
            veto = args.judge_veto or _ASK_ONLY
            overrides["judge_veto_whole"] = overrides["judge_veto_topk"] = veto
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
    if args.judge:
        print(judge_curve(new))
        print(veto_curve(new))
    if args.out:
        args.out.write_text(json.dumps({"metrics": metrics, "records": new}, indent=2))


if __name__ == "__main__":
    main()
