"""Answers already given: a standalone question asked again is answered from memory.

Readers of one article ask the same first questions ("What is this article
about?", "Who is ..."). Decoding is greedy, so the answer to a standalone
question depends only on the question, the articles' version and the settings;
writing it again costs the model a second or more, and under load a place in
its line. Follow-ups (turns that lean on history) are not cached, nor are
answers given with a notice (model unavailable, answer cut off): a later try may
do better. The key holds the store's generation token, so any change to the
index makes older answers unreachable; the least recently used are dropped.

A question asked again while its first answer is still being written (readers
clicking the same example at once) waits for that answer instead of having the
model write it a second time: :meth:`AnswerCache.claim`.

Example:
    >>> cache = AnswerCache(lambda: "gen-1", size=2)
    >>> key = cache.key("Who  is Pete Hegseth?")
    >>> key
    ('gen-1', 'Who is Pete Hegseth?')
    >>> cache.put(key, Answer("He is the US Secretary of Defense [1].", False, []))
    >>> answer, _ = cache.claim(key, wait=0)  # filed: given at once, nothing to write
    >>> answer.diagnostics["cached"], ("gen-2", key[1]) in cache
    (True, False)
    >>> answer, release = cache.claim(("gen-1", "Who is Zelensky?"), wait=1.0)
    >>> answer is None, cache.writing(("gen-1", "Who is Zelensky?"))  # ours to write
    (True, True)
    >>> release()
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable

from qa.answer.types import Answer

#: ``(generation token, question with its whitespace collapsed)``.
Key = tuple[str, str]


class AnswerCache:
    """A thread-safe LRU of final answers to standalone questions.

    Args:
        version: The store's generation token (changes with every index write).
        size: Answers kept (>= 1).
    """

    def __init__(self, version: Callable[[], str], size: int = 256) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.version = version
        self.size = size
        self._answers: OrderedDict[Key, Answer] = OrderedDict()
        self._writing: dict[Key, threading.Event] = {}  # set once the writer is done
        self._lock = threading.Lock()

    def key(self, question: str) -> Key:
        """The key of ``question`` as of the index now: taken once per answer, so an
        answer written while the index changed is filed under the version it read."""
        # Only whitespace is normalised: case and punctuation may change the answer
        # (capitalised words are names to the verifier).
        return self.version(), " ".join(question.split())

    def claim(self, key: Key, wait: float) -> tuple[Answer | None, Callable[[], None]]:
        """The answer filed under ``key``, waiting up to ``wait`` seconds for one that
        another caller is writing; or ``None`` and the caller writes it.

        Returns ``(answer, release)``. With ``None``, the caller should :meth:`put`
        its answer and then call ``release`` (also when it fails), which wakes the
        callers waiting for it; if the writer gave up without an answer, the next
        waiter writes it. After ``wait`` seconds a waiter writes its own.
        """
        with self._lock:
            answer = self._lookup(key)
            done = self._writing.get(key)
            if answer is None and done is None:
                return None, self._owner(key)
        if answer is not None:
            return answer, _nothing
        assert done is not None
        done.wait(wait)
        with self._lock:
            answer = self._lookup(key)
            if answer is None and key not in self._writing:
                return None, self._owner(key)
        return answer, _nothing

    def writing(self, key: Key) -> bool:
        """Whether a caller is writing the answer to ``key`` now."""
        with self._lock:
            return key in self._writing

    def _lookup(self, key: Key) -> Answer | None:
        """A copy of the answer under ``key`` (``diagnostics["cached"]`` set), or None
        (caller holds the lock)."""
        answer = self._answers.get(key)
        if answer is None:
            return None
        self._answers.move_to_end(key)
        return _copy(answer, cached=True)

    def _owner(self, key: Key) -> Callable[[], None]:
        """Mark ``key`` as being written (caller holds the lock); returns its release."""
        done = self._writing[key] = threading.Event()

        def release() -> None:
            with self._lock:
                if self._writing.get(key) is done:
                    del self._writing[key]
            done.set()

        return release

    def put(self, key: Key, answer: Answer) -> None:
        """File ``answer`` under ``key`` (answers with a notice are not kept)."""
        if answer.notice:
            return
        kept = _copy(answer)  # the caller keeps (and may change) its own
        with self._lock:
            self._answers[key] = kept
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._answers

    def __len__(self) -> int:
        with self._lock:
            return len(self._answers)


def _nothing() -> None:
    """The release of a caller that writes nothing."""


def _copy(answer: Answer, cached: bool = False) -> Answer:
    """A copy of ``answer`` that shares nothing mutable with it; without timings when
    ``cached`` (they are the new answer's) and marked ``diagnostics["cached"]``."""
    diagnostics = {**answer.diagnostics, "cached": True} if cached else dict(answer.diagnostics)
    return dataclasses.replace(
        answer,
        citations=list(answer.citations),
        timings={} if cached else dict(answer.timings),
        hits=list(answer.hits),
        diagnostics=diagnostics,
    )
