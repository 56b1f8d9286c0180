"""A first-come, first-served line in front of the language model.

The embedded llama.cpp server writes ``capacity`` answers at once (its slots).
Questions beyond that wait here instead of inside llama.cpp, so each waiting
user can be told where they stand ("2 questions ahead of you") rather than
watching a silent spinner. While the model warms up nobody is admitted, and
the line says what is happening.

Example:
    >>> line = AnswerQueue(capacity=1)
    >>> with line.turn() as ticket:
    ...     places = list(line.wait(ticket))  # admitted at once: nothing to report
    >>> places
    []
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

#: How many recent answer durations the wait estimate averages.
_RECENT = 20


@dataclass(eq=False)
class Ticket:
    """One question's place in the line (compared by identity)."""

    joined: float
    admitted: float | None = field(default=None)


@dataclass(frozen=True)
class Place:
    """Where a waiting question stands."""

    ahead: int
    running: int
    waited_s: float
    warming: str | None = None
    estimate_s: float | None = None

    @property
    def text(self) -> str:
        """One line for the user, e.g. "Waiting for the model: 2 questions ahead of you"."""
        queued = (
            "your question is next"
            if self.ahead == 0
            else f"{self.ahead} question{'s' if self.ahead != 1 else ''} ahead of you"
        )
        if self.warming:
            waited = f" ({self.waited_s:.0f} s so far)" if self.waited_s >= 1 else ""
            return f"{self.warming}{waited}; {queued}."
        busy = f"{self.running} being answered now"
        about = f", about {self.estimate_s:.0f} s" if self.estimate_s else ""
        return f"Waiting for the model: {queued} ({busy}{about})."


class AnswerQueue:
    """Admits at most ``capacity`` answers at once, in arrival order.

    Thread-safe. Use :meth:`turn` around an answer and iterate :meth:`wait`
    before starting it; the iterator yields a :class:`Place` at once and then
    every ``poll`` seconds while the question waits, and ends when it is
    admitted.

    Args:
        capacity: Answers allowed to run at once (>= 1).
        clock: Seconds, monotonic (tests pass a fake).
    """

    def __init__(self, capacity: int, clock: Callable[[], float] = time.monotonic) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._clock = clock
        self._cond = threading.Condition()
        self._line: list[Ticket] = []
        self._running = 0
        self._warming: str | None = None
        self._durations: deque[float] = deque(maxlen=_RECENT)

    # ------------------------------------------------------------- warm-up
    def hold(self, reason: str) -> None:
        """Admit nobody until :meth:`open`; waiting users see ``reason``."""
        with self._cond:
            self._warming = reason

    def open(self) -> None:
        """Start admitting (the end of :meth:`hold`)."""
        with self._cond:
            self._warming = None
            self._cond.notify_all()

    @property
    def warming(self) -> str | None:
        """The reason given to :meth:`hold`, while held."""
        return self._warming

    # ---------------------------------------------------------------- line
    @contextmanager
    def turn(self) -> Iterator[Ticket]:
        """Join the line; leave it (or free the admitted place) on exit."""
        ticket = self.enter()
        try:
            yield ticket
        finally:
            self.leave(ticket)

    def enter(self) -> Ticket:
        """Join the end of the line."""
        with self._cond:
            ticket = Ticket(joined=self._clock())
            self._line.append(ticket)
            return ticket

    def leave(self, ticket: Ticket, answered: bool = True) -> None:
        """Give up a place in line, or free the capacity an admitted ticket held
        (its time counts toward the wait estimate if it ``answered``)."""
        with self._cond:
            if ticket.admitted is not None:
                self._running -= 1
                if answered:
                    self._durations.append(self._clock() - ticket.admitted)
                ticket.admitted = None
            elif ticket in self._line:
                self._line.remove(ticket)
            self._cond.notify_all()

    def wait(self, ticket: Ticket, poll: float = 1.0) -> Iterator[Place]:
        """Yield ``ticket``'s place until it is admitted (nothing if admitted at once)."""
        timeout = 0.0
        while (place := self._step(ticket, timeout)) is not None:
            yield place
            timeout = poll

    def wait_quietly(self, ticket: Ticket) -> None:
        """Block until ``ticket`` is admitted."""
        for _ in self.wait(ticket, poll=60.0):
            pass

    def snapshot(self) -> tuple[int, int]:
        """``(running, waiting)`` right now."""
        with self._cond:
            return self._running, len(self._line)

    def _step(self, ticket: Ticket, timeout: float) -> Place | None:
        """Admit ``ticket`` if it may go (waiting up to ``timeout`` for that), else its place."""
        with self._cond:
            if self._admit(ticket):
                return None
            if timeout > 0:
                self._cond.wait(timeout)
                if self._admit(ticket):
                    return None
            return self._place(ticket)

    def _admit(self, ticket: Ticket) -> bool:
        if ticket.admitted is not None:
            return True
        if self._warming is not None or ticket not in self._line:
            return False
        if self._line.index(ticket) >= self.capacity - self._running:
            return False
        self._line.remove(ticket)
        self._running += 1
        ticket.admitted = self._clock()
        return True

    def _place(self, ticket: Ticket) -> Place:
        ahead = self._line.index(ticket) if ticket in self._line else 0
        estimate = None
        if self._durations and self._warming is None:
            mean = sum(self._durations) / len(self._durations)
            # Each round of `capacity` answers ahead takes about one answer's time.
            estimate = mean * (math.floor(ahead / self.capacity) + 1)
        return Place(
            ahead=ahead,
            running=self._running,
            waited_s=self._clock() - ticket.joined,
            warming=self._warming,
            estimate_s=estimate,
        )
