"""Where a question goes: the staged answer path.

    question -> small talk? -> turn (follow-up search + history) -> asked before?
             -> shape -> retrieve -> read -> compose (split, verify, vet, number, emit)
             -> answer, or quote a sentence that plainly answers, or quote the
                sentence the reader's answer rests on if the model judges it answers,
                or abstain

The model reads, except where the answer is the article's own sentences: a
summary of the whole article (:mod:`qa.answer.summary`) and a list the article
numbers itself (:mod:`qa.answer.enumeration`) are chosen, not written, and so
are the names it writes (:mod:`qa.answer.entities`: the people or countries
it mentions, who wrote it, a person's title, the name of a thing). A
yes/no answer's "Yes" is checked against the article's words
(:mod:`qa.answer.polarity`).

Abstention is decided here, outside the model's first token: the reader always
gets to answer; its claims count only if verification finds a sentence of the
article that supports them; when none survives (or the model says the article
does not tell), a sentence that plainly answers is quoted instead if its
question coverage reaches the calibrated threshold of the mode (whole article
or top-k passages, ``Settings.quote_threshold_*``). Where none does but a
sentence supports what the reader answered in words other than the question's,
the model is asked whether that sentence answers the question (:mod:`qa.answer.judge`,
one token, ``Settings.judge_threshold_*``); otherwise the answer is
:data:`ABSTENTION`. The same judge vets a factoid or why/how claim of a question asked
on its own whose sentence leaves out some of what the question asks about: under the
mode's ``Settings.judge_veto_*`` the claim is dropped, as one the article does not
bear out. Summaries never abstain: a failed summary falls back to
quoting the article's central sentences.

Example:
    >>> from qa.ingest.split import Passage
    >>> text = "Pete Hegseth is the US Secretary of Defense."
    >>> p = Passage("a", "A", 0, 1, 0, len(text), text, text)
    >>> class Lookup:  # any Retriever: here, every passage is a hit
    ...     def retrieve(self, question, k=None):
    ...         from qa.answer.retrieve import Hit, Retrieval
    ...         return Retrieval(question, [Hit(p, 0.9, 1.0, 1.0, 1.0)], True)
    >>> path = AnswerPipeline(Settings(backend="extractive"), Lookup(), lambda: [p],
    ...                       lambda: None, lambda: {})
    >>> stream = AnswerStream(path.run("Who is Pete Hegseth?", []))
    >>> "".join(stream)
    'Pete Hegseth is the US Secretary of Defense [1].'
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from langchain_core.language_models import BaseChatModel

from qa.answer import entities, enumeration, reasons, summary
from qa.answer.cache import AnswerCache, Key
from qa.answer.claims import is_no_answer, reports_speech, split_cited, wanted_kind
from qa.answer.compose import Amend, Composer
from qa.answer.conversation import (
    NOT_A_QUESTION,
    Turn,
    looks_like_question,
    more_of,
    resolve,
    small_talk,
    source_of,
)
from qa.answer.evidence import Window, following, is_list_item, windows
from qa.answer.judge import Judge, leaves_out
from qa.answer.polarity import YesNoCheck, lead, saying_no
from qa.answer.readers import MIN_SCORE, READERS, Reader, ReaderContext, ReadRequest
from qa.answer.retrieve import Retrieval
from qa.answer.shapes import Shape, asks_mentioned, classify
from qa.answer.summary import Embed
from qa.answer.types import ABSTENTION, Answer, AnswerStream
from qa.answer.verifier import SentenceVerifier, Supported, Verifier
from qa.ingest.split import Passage
from qa.llm.backends import BACKENDS
from qa.settings import Settings
from qa.store.lexical import content_terms, words

log = logging.getLogger(__name__)

__all__ = ["AnswerPipeline", "AnswerStream", "Retriever"]

_NOTICE_FALLBACK = (
    "The language model is unavailable ({reason}); showing the best matching sentence instead."
)
_NOTICE_CUT = "The language model stopped mid-answer ({reason}); the answer may be incomplete."
# Relocating a claim searches every sentence of the selected articles up to this
# many passages; past it, the passages the reader saw and the retrieved ones.
_SEARCH_ALL_UP_TO = 400
# Claims an answer of each shape may make (lists: as many as verify).
_CLAIMS = {Shape.FACTOID: 1, Shape.YES_NO: 1, Shape.WHY_HOW: 2}
# The shapes whose claims the judge vets (:func:`qa.answer.judge.leaves_out`); a yes/no
# answer's "No" is no answer to the judge's question, though right.
_VETTED = (Shape.FACTOID, Shape.WHY_HOW)
# The quote threshold where the reader said "Yes" and a sentence is to say why.
_AGREED = 0.5
# A quote in place of the model's failed answer must be about what is asked: a sentence
# sharing only names and times with the question scores half ("How much did Dana Okafor
# earn last year?" is not "... last year ..., Dana Okafor said"). As the only reader (the
# extractive backend), names count in full: on SQuAD, where questions reword what a
# sentence says ("Who kicked Ethelred out?"), halving them cost 0.07 correct and cited.
_QUOTE_ASIDE = 0.5
# The share of a topic's terms that is any one of them (see ``bare`` in ``_answer``).
_ANY_WORD = 1e-9
# Asking for more about an item: "Tell me more about the second one."
_MORE = re.compile(r"\b(?:more|elaborate|expand|details?)\b", re.IGNORECASE)


class Retriever(Protocol):
    """Ranks passages for a question and judges whether any is relevant."""

    def retrieve(self, question: str, k: int | None = None) -> Retrieval:
        """The ranked hits for ``question``."""
        ...


class AnswerPipeline:
    """Answers one question at a time from the passages of the selected articles.

    Args:
        settings: Backend, thresholds and the whole-article size limit.
        retriever: Ranks passages.
        passages: Every passage of the selected articles, in article order.
        llm: The chat model, started on first call; ``None`` when unavailable.
        idf: Inverse document frequency of terms over the searched passages.
        llm_error: Why the chat model is unavailable, for the notice.
        embed: A sentence encoder for choosing summary sentences (tf-idf without one).
        cache: Answers to standalone questions already given (:mod:`qa.answer.cache`).
    """

    def __init__(
        self,
        settings: Settings,
        retriever: Retriever,
        passages: Callable[[], Sequence[Passage]],
        llm: Callable[[], BaseChatModel | None],
        idf: Callable[[], Mapping[str, float]],
        llm_error: Callable[[], str | None] = lambda: None,
        embed: Embed | None = None,
        cache: AnswerCache | None = None,
    ) -> None:
        self.settings = settings
        self.retriever = retriever
        self.passages = passages
        self.llm = llm
        self.idf = idf
        self.llm_error = llm_error
        self.embed = embed
        self.cache = cache

    def whole_article(self, passages: Sequence[Passage] | None = None) -> bool:
        """Whether ``passages`` (default: the selected articles') are short enough to go
        to the reader whole."""
        passages = self.passages() if passages is None else passages
        return sum(len(p.text) for p in passages) <= self.settings.retrieval.full_article_chars

    def numbered(
        self, shape: Shape, retrieval: Retrieval, everything: Sequence[Passage], whole: bool
    ) -> list[Passage]:
        """The passages shown to the reader, in the order they are numbered."""
        if whole:
            return list(everything)
        if shape is Shape.SUMMARY:  # news puts the gist first: the opening passages
            return list(everything[: self.settings.retrieval.top_k + 1])
        return [h.passage for h in retrieval.hits]

    def prime(self, question: str) -> None:
        """Have the model read the selected articles once for ``question``, answer
        discarded: the prompt's prefix (rules and passages) is then cached for the
        questions to come. Best effort: a failure is logged."""
        llm = self.llm()
        if llm is None:
            return
        everything = self.passages()
        numbered = {i + 1: p for i, p in enumerate(everything)}
        request = ReadRequest(question, Shape.FACTOID, numbered, everything)
        try:
            for _ in READERS["llm"](ReaderContext(llm=llm)).read(request):
                pass
        except Exception as exc:  # warming must not fail the start; the first answer says why
            log.warning("warm-up read failed: %s: %s", type(exc).__name__, exc)

    def needs_model(self, question: str, history: Sequence[dict[str, str]]) -> bool:
        """Whether answering ``question`` now would call the language model.

        Small talk, an answer already in the cache or being written for another
        caller, a summary of the whole article, the names it mentions (or the one
        name a question asks for: :func:`entities.one_name`) and backends without a
        model do not: the chat window lets those skip the model's line.
        """
        if not BACKENDS[self.settings.generation.backend].needs_model:
            return False
        if small_talk(question) is not None:
            return False
        turn = resolve(question, history)
        shape = classify(turn.question)
        if _general_summary(shape, turn) or _names_asked(shape, turn.question) is not None:
            return False
        if shape is Shape.FACTOID and entities.asks_one_name(turn.question):
            # Only where the selection is small enough to split into sentences at once:
            # past that, the question waits in the model's line (its answer may still
            # need no model).
            everything = self.passages()
            if len(everything) <= _SEARCH_ALL_UP_TO and entities.one_name(
                turn.question, windows(everything, pairs=False)
            ):
                return False
        key = self._cache_key(turn)
        if key is None or self.cache is None:
            return True
        # Answered before, or being answered for someone else now (it waits for that).
        return key not in self.cache and not self.cache.writing(key)

    def answer_in_progress(self, question: str, history: Sequence[dict[str, str]]) -> bool:
        """Whether the answer to ``question`` is being written for another caller now:
        asking it now waits for that answer (see :meth:`run`)."""
        key = self._cache_key(resolve(question, history))
        return key is not None and self.cache is not None and self.cache.writing(key)

    def _cache_key(self, turn: Turn) -> Key | None:
        """The answer cache's key for ``turn``; ``None`` without a cache or for a
        follow-up (answered afresh: its meaning depends on the turns before)."""
        if self.cache is None or turn.history:
            return None
        return self.cache.key(turn.question)

    def run(self, question: str, history: Sequence[dict[str, str]]) -> Generator[str, None, Answer]:
        """Stream the answer to ``question``; return the final :class:`Answer`."""
        t0 = time.perf_counter()
        reply = small_talk(question)
        if reply is not None:
            answer = Answer(reply, False, [], question, question, self.settings.generation.backend)
            answer.shape = answer.source = "chat"
            answer.timings["first_token_ms"] = answer.timings["total_ms"] = (
                time.perf_counter() - t0
            ) * 1000
            yield reply
            return answer
        turn = resolve(question, history)
        key = self._cache_key(turn)
        if key is None or self.cache is None:
            return (yield from self._answer(question, turn, t0))
        # The same question being answered for someone else now: wait for that answer.
        cached, release = self.cache.claim(key, self.settings.generation.request_timeout)
        if cached is not None:
            cached.question = question
            cached.timings["first_token_ms"] = cached.timings["total_ms"] = (
                time.perf_counter() - t0
            ) * 1000
            yield cached.text
            return cached
        try:
            answer = yield from self._answer(question, turn, t0)
            self.cache.put(key, answer)
        finally:
            release()
        return answer

    def _answer(self, question: str, turn: Turn, t0: float) -> Generator[str, None, Answer]:
        """Retrieve, read, verify and stream the answer to ``question`` (resolved as
        ``turn``), timed from ``t0``."""
        timings: dict[str, float] = {}
        answer = Answer(
            "", True, [], question, question, self.settings.generation.backend, timings=timings
        )
        question = turn.question  # "And Putin?" is answered as the whole question it asks
        shape = classify(question)
        answer.standalone_question, answer.shape = turn.search, shape.value
        t1 = time.perf_counter()
        retrieval = self.retriever.retrieve(turn.search)
        timings["retrieval_ms"] = (time.perf_counter() - t1) * 1000
        answer.hits = retrieval.hits
        composer: Composer | None = None
        # "What about the second point?" after a list answer: about its second line,
        # whatever retrieval finds for the words.
        line = enumeration.in_reply(question, turn.reply) if turn.reply else None
        # "Tell me more." / "What else?": about the last thing the answer before said.
        more = more_of(question, turn.reply) if turn.reply and line is None else None
        # "According to whom?": the sentence that said it, where it names who said it.
        source = source_of(question, turn.reply) if turn.reply else None
        # "Which countries are mentioned?" is about the whole article, as a summary is, and
        # so is who wrote it.
        whole_question = (
            shape is Shape.SUMMARY
            or (shape is Shape.LIST and asks_mentioned(question))
            or entities.asks_author(question)
        )
        asked_back = line or more or source
        if retrieval.relevant or whole_question or asked_back is not None:
            # Read the selection once per question: sizing, numbering and relocation use it.
            everything = self.passages()
            whole = self.whole_article(everything)
            numbered = self.numbered(shape, retrieval, everything, whole)
            searched = everything if len(everything) <= _SEARCH_ALL_UP_TO else numbered
            # Lists and summaries name things the question does not: no topic check there.
            on_topic = shape not in (Shape.LIST, Shape.SUMMARY)

            made: dict[str, SentenceVerifier] = {}
            # "How much?", "When?", "Why not?": a follow-up that names nothing of its own
            # asks about what the answer before said, wherever the article goes on about
            # it. Where it asks for a time or a number, which the claim must name, a
            # supporting sentence need only share a word with that answer or the questions.
            bare = bool(turn.reply) and not content_terms(question)
            loose = bare and wanted_kind(question) in ("time", "duration", "quantity")
            overlap = _ANY_WORD if loose else self.settings.verification.min_question_overlap

            def verify(topic: str) -> SentenceVerifier:
                """A verifier of claims about ``searched``; ``topic`` ("" for none) is what
                a supporting sentence must share words with. Made once per topic: each
                splits every searched passage into sentences."""
                if topic not in made:
                    made[topic] = SentenceVerifier(
                        searched,
                        self.settings.verification.support_threshold,
                        topic,
                        overlap,
                        turn.reply,
                        question if topic else "",
                    )
                return made[topic]

            topic = f"{turn.search} {turn.reply}" if loose else turn.search
            verifier = verify(topic if on_topic else "")
            # The searched passages' single sentences, as the verifier split them.
            sentences = [w for w in verifier.windows if not w.pair]
            # "Why?" after an answer: the reason given where that answer's sentences are.
            reason = reasons.asks(question) if bare else None
            # The sentences that answer says (the verifier finds them for a bare follow-up).
            told = verifier.repeated
            # "Who are the people mentioned?": the names the article writes, not a
            # model's guesses at which of them are people.
            kind = _names_asked(shape, question)
            # "What is the name of the dam?": the one name the article gives a dam; "Who
            # wrote the article?": the name its byline gives; "Who is Ann Aiken?": her
            # title and name.
            name = entities.one_name(question, sentences) if shape is Shape.FACTOID else None
            if kind is not None or name is not None:
                composer = Composer(verifier, {}, question, ordered=True)
                found = entities.find(sentences, kind) if kind else [name] if name else []
                for text, window in found:
                    yield from composer.add(text, Supported(text, window, 1.0, moved=False))
                yield from composer.finish()
                answer.diagnostics["reader"] = "names"
            else:
                # A list the article numbers itself is quoted, not written, and so is one of
                # its items asked for. (A whole article is both searched and numbered: its
                # sentences are split once.)
                listed = None
                if shape in (Shape.LIST, Shape.FACTOID):
                    shown = sentences if whole else windows(numbered, pairs=False)
                    if shape is Shape.LIST:
                        listed = enumeration.find(shown, question)
                    # After a list, "Tell me more about the second point." is about the line
                    # shown; "What is the fifth disagreement?" about the article's numbering.
                    item = (
                        None if listed else _item(question, asked_back, turn.search, shown, verify)
                    )
                    if source and item is not None and not reports_speech(item.text):
                        item = None  # it names no one who said it: answered as asked
                    if item is not None:
                        listed = [item]
                        asks_more = more is not None or _MORE.search(question)
                        after = following(shown, item) if asks_more else None
                        if after is not None and is_list_item(item) and is_list_item(after):
                            after = None  # the next item of the article's list: another point
                        if after is not None:  # "tell me more": and the sentence after it
                            # ... only that, when the answer before showed the sentence whole.
                            listed = [after] if more and _said(item, turn.reply) else [item, after]
                        # The item need not repeat the question's words ("Finally, ..." is
                        # "the fifth"): no topic check, as for a list.
                        verifier = verify("")
                ranked: list[Passage] = [h.passage for h in retrieval.hits]
                if whole:  # the rest of the article after them: retrieval may miss a word
                    # said otherwise ("in the hospital": "hospitalized")
                    ranked += [p for p in numbered if p not in ranked]
                request = ReadRequest(
                    question,
                    shape,
                    {i + 1: p for i, p in enumerate(numbered)},
                    ranked,
                    turn.history,
                    answer.diagnostics,
                    listed or (),
                )
                ordered = shape in (Shape.LIST, Shape.SUMMARY)
                # A summary has as many sentences as asked for ("in two sentences").
                limit = summary.size(question) if shape is Shape.SUMMARY else _CLAIMS.get(shape)
                if shape is Shape.LIST:  # "What are the five findings?": five at most
                    asked = enumeration.asked_count(question)
                    limit = asked if asked is not None and 2 <= asked <= summary.MOST else None
                if listed:
                    limit = None  # every sentence chosen is shown
                # The question as asked: a follow-up's search joins the earlier question.
                yes_no = YesNoCheck(sentences, question) if shape is Shape.YES_NO else None
                # So is a summary of the whole article: both are the extractive reader's.
                chosen = listed is not None or _general_summary(shape, turn)
                amend: Amend | None = yes_no.amend if yes_no else None
                veto = self._veto(whole)
                # Made only where the model reads: a quoted answer never starts the model.
                vetting = veto and shape in _VETTED and not chosen and not turn.history
                judge = self._judge() if vetting else None
                if judge is not None:
                    amend = self._vet(judge, question, veto, answer)
                checks: Verifier = verifier
                if reason and told:  # not whatever sentence the model copies next
                    checks = reasons.Confined(
                        verifier, reasons.sources(sentences, told, reason, turn.reply)
                    )
                composer = Composer(checks, request.numbered, question, ordered, limit, amend)
                yield from self._read(request, composer, answer, chosen)
                because = None
                if reason and told and not composer.pieces:
                    because = reasons.given(sentences, told, reason, turn.reply)
                if because is not None:
                    text, window = because
                    composer = Composer(verifier, request.numbered, question, ordered, limit)
                    yield from composer.add(text, Supported(text, window, 1.0, moved=False))
                    yield from composer.finish()
                    answer.source = "quote"
                elif not composer.pieces and answer.diagnostics.get("reader") == "llm":
                    # The reader said nothing the article supports: quote a sentence that
                    # plainly answers, if one does.
                    reply = lead(composer.raw) if shape is Shape.YES_NO else None
                    if shape is Shape.YES_NO:  # led by the reader's "Yes" where the words agree
                        amend = YesNoCheck(sentences, question, reply).amend
                    composer = Composer(verifier, request.numbered, question, ordered, limit, amend)
                    # "What did she say?" after "Who is Laura Chen?": what she said, found by
                    # the question it follows up as well.
                    said = bool(turn.history) and wanted_kind(question) == "speech"
                    quoted = replace(request, question=turn.search) if said else request
                    if bare:  # "When?" after "Who launched the probe?": when it was launched
                        quoted = replace(request, question=f"{question} {turn.search}")
                    yield from self._quote(quoted, composer, answer, whole, reply == "yes")
                    named = reasons.who(sentences, told, question, turn.search) if bare else None
                    if named is not None and not composer.pieces:
                        # "Who?" after "Why are environmental groups worried?": the one the
                        # answer's sentence names ("The Eastbridge Bay Alliance argued ...").
                        yield from composer.add(
                            named.text, Supported(named.text, named, 1.0, False)
                        )
                        yield from composer.finish()
                        answer.source = "quote"
                    if yes_no is not None and not composer.pieces:
                        # No sentence plainly answers, but the one most about the question
                        # says no answer is known ("he did not know whether Reyes would be
                        # available"), or the opposite ("Did revenue fall?": "Company
                        # revenue rose").
                        decided = yes_no.still_open()
                        against = None if decided else yes_no.contradiction(alone=True)
                        if against is not None:
                            decided = replace(against, claim=saying_no(against.claim))
                        if decided is not None:
                            yield from composer.add(decided.claim, decided)
                            yield from composer.finish()
                            answer.source = "quote"
                    # The reader may have answered in other words than the question's
                    # ("Who is the airline's boss?": "Dolores Pretorius ... is the chief
                    # executive"): the model judges the sentence its answer rests on (the
                    # judge that vetted, if one did: it asks nothing twice).
                    if not composer.pieces and shape in _CLAIMS:
                        judge = judge or self._judge()
                        if judge is not None:
                            yield from self._judged(
                                judge, turn.search, request, verify(""), composer, answer, whole
                            )
        if composer is None or not composer.pieces:
            answer.citations, answer.source = [], "abstain"
            answer.text = (
                ABSTENTION if looks_like_question(question) or turn.history else NOT_A_QUESTION
            )
            timings.setdefault("first_token_ms", (time.perf_counter() - t0) * 1000)
            yield answer.text
        else:
            answer.abstained = False
            answer.text, answer.citations = composer.text, composer.citations
            if composer.first_emit is not None:
                timings.setdefault("first_token_ms", (composer.first_emit - t0) * 1000)
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        return answer

    def _judge(self) -> Judge | None:
        """A judge for one answer (:mod:`qa.answer.judge`), where it is on and there is a
        chat model."""
        if not self.settings.verification.judge:
            return None
        llm = self.llm()
        return Judge(llm) if llm is not None else None

    def _veto(self, whole: bool) -> float:
        """The mode's veto threshold (``Settings.judge_veto_*``; 0: no veto)."""
        verification = self.settings.verification
        return verification.judge_veto_whole if whole else verification.judge_veto_topk

    def _vet(self, judge: Judge, question: str, threshold: float, answer: Answer) -> Amend:
        """A claim's check by ``judge``: a claim whose sentence leaves out some of what
        ``question`` asks about stays only if the model judges that the sentence answers
        it, at P("Yes") >= ``threshold``. The first P("Yes") asked goes to the
        diagnostics ("vetted")."""

        def vet(claim: str, support: Supported) -> tuple[str, Supported] | None:
            sentence = support.window.text
            if not leaves_out(question, sentence):
                return claim, support
            p_yes = _p_yes(judge, question, sentence)
            if p_yes is None:
                return claim, support
            answer.diagnostics.setdefault("vetted", p_yes)
            return (claim, support) if p_yes >= threshold else None

        return vet

    def _judged(
        self,
        judge: Judge,
        question: str,
        request: ReadRequest,
        anywhere: SentenceVerifier,
        composer: Composer,
        answer: Answer,
        whole: bool,
    ) -> Iterator[str]:
        """Quote the sentence that supports the reader's first claim the article bears
        out (found by ``anywhere``, which asks no words of the question), if ``judge``
        judges that it answers ``question`` (one call)."""
        verification = self.settings.verification
        threshold = (
            verification.judge_threshold_whole if whole else verification.judge_threshold_topk
        )
        for claim, numbers in split_cited(str(answer.diagnostics.get("raw", ""))):
            if is_no_answer(claim):
                continue
            cited = [request.numbered[n] for n in numbers if n in request.numbered]
            found = anywhere.check(claim, cited, question)
            if found is None:
                continue
            sentence = found.window.text
            p_yes = _p_yes(judge, question, sentence)
            if p_yes is None:
                return
            answer.diagnostics["judge"], answer.diagnostics["judged"] = p_yes, sentence
            if p_yes >= threshold:
                yield from composer.add(sentence, replace(found, claim=sentence, restated=True))
                yield from composer.finish()
                if composer.pieces:
                    answer.source = "judged"
            return

    def _extractive(self, min_score: float = MIN_SCORE, aside: float = 1.0) -> Reader:
        return READERS["extractive"](
            ReaderContext(idf=self.idf(), min_score=min_score, embed=self.embed, aside=aside)
        )

    def _reader(self, answer: Answer, extractive: bool) -> tuple[Reader, bool]:
        """The primary reader, and whether it is the language model."""
        if not extractive and BACKENDS[self.settings.generation.backend].needs_model:
            llm = self.llm()
            if llm is not None:
                return READERS["llm"](ReaderContext(llm=llm)), True
            answer.notice = _NOTICE_FALLBACK.format(reason=self.llm_error() or "not configured")
        return self._extractive(), False

    def _read(
        self, request: ReadRequest, composer: Composer, answer: Answer, extractive: bool
    ) -> Iterator[str]:
        reader, is_llm = self._reader(answer, extractive)
        answer.diagnostics["reader"] = "llm" if is_llm else "extractive"
        start = time.perf_counter()
        try:
            chunks = reader.read(request)
            try:
                for chunk in chunks:
                    yield from composer.feed(chunk)
                    if composer.full:  # all its claims, or looping: stop the model
                        break
            finally:
                close = getattr(chunks, "close", None)
                if close is not None:  # ends the model's request too
                    close()
            yield from composer.finish()
        except Exception as exc:  # the model failing must not lose the answer
            reason = type(exc).__name__
            log.warning("reading failed: %s: %s", reason, exc)
            yield from composer.finish(complete_only=True)
            if composer.pieces:
                answer.notice = _NOTICE_CUT.format(reason=reason)
            else:
                answer.notice = _NOTICE_FALLBACK.format(reason=reason)
                answer.source = "fallback"
                for chunk in self._extractive().read(request):
                    yield from composer.feed(chunk)
                yield from composer.finish()
        finally:
            answer.diagnostics["raw"] = composer.raw
            answer.diagnostics["reader_ms"] = (time.perf_counter() - start) * 1000

    def _quote(
        self, request: ReadRequest, composer: Composer, answer: Answer, whole: bool, yes: bool
    ) -> Iterator[str]:
        """Quote the sentence that best covers the question, if it covers enough: as much
        as the mode's threshold, or, where the reader answered a yes/no question "Yes"
        (``yes``), :data:`_AGREED`: its "Yes" then stands on that sentence only if the
        sentence holds most of the question's terms (:class:`YesNoCheck`)."""
        if request.shape is Shape.SUMMARY:
            threshold = 0.0
        elif whole:
            threshold = self.settings.verification.quote_threshold_whole
        else:
            threshold = self.settings.verification.quote_threshold_topk
        if yes:
            threshold = min(threshold, _AGREED)
        for chunk in self._extractive(threshold, _QUOTE_ASIDE).read(request):
            yield from composer.feed(chunk)
        yield from composer.finish()
        answer.diagnostics["quote_text"] = composer.raw
        if composer.pieces:
            answer.source = "quote"


def _p_yes(judge: Judge, question: str, sentence: str) -> float | None:
    """``judge``'s P("Yes") that ``sentence`` answers ``question``; ``None`` where the
    model fails, which keeps the answer the path would give without a judge."""
    try:
        return judge.p_yes(question, sentence)
    except Exception as exc:
        log.warning("judging failed: %s: %s", type(exc).__name__, exc)
        return None


def _item(
    question: str,
    line: str | None,
    about: str,
    shown: Sequence[Window],
    verify: Callable[[str], SentenceVerifier],
) -> Window | None:
    """The sentence a question asks for by its number: ``line``, the line of the list
    answer it follows that it asks for, as found in the article, or an item the
    article numbers itself (``about``: see :func:`enumeration.nth`); ``None`` for
    neither. ``verify`` gives the verifier for a topic ("" for none)."""
    found = verify("").check(line, [], "") if line else None
    if found is not None:
        return found.window
    return enumeration.nth(shown, question, about)


def _said(window: Window, reply: str) -> bool:
    """Whether ``reply`` showed the sentence of ``window`` whole."""
    return " ".join(words(window.text)) in " ".join(words(reply))


def _names_asked(shape: Shape, question: str) -> str | None:
    """The kind of names a question asks the article for ("Which countries are
    mentioned?"; see :mod:`qa.answer.entities`), or ``None``."""
    return entities.asked(question) if shape is Shape.LIST and asks_mentioned(question) else None


def _general_summary(shape: Shape, turn: Turn) -> bool:
    """Whether the question asks for a summary of the whole article (chosen, not written)."""
    return shape is Shape.SUMMARY and summary.is_general(turn.search)
