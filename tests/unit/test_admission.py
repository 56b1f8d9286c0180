"""The line in front of the model: capacity, first come first served, places, warm-up."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from qa.llm.admission import AnswerQueue, Place


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _admitted_at_once(line: AnswerQueue) -> object:
    ticket = line.enter()
    assert list(line.wait(ticket)) == []
    return ticket


def test_capacity_answers_run_at_once_and_the_next_waits_with_its_place() -> None:
    line = AnswerQueue(capacity=2)
    first, second = line.enter(), line.enter()
    assert list(line.wait(first)) == [] and list(line.wait(second)) == []
    third = line.enter()
    places = line.wait(third, poll=0.01)
    place = next(places)
    assert (place.ahead, place.running) == (0, 2)
    assert line.snapshot() == (2, 1)
    line.leave(first)
    assert list(places) == []  # admitted once a place is free
    assert line.snapshot() == (2, 0)


def test_places_count_the_questions_ahead_and_move_up_when_one_gives_up() -> None:
    line = AnswerQueue(capacity=1)
    running = line.enter()
    assert list(line.wait(running)) == []
    b, c, d = line.enter(), line.enter(), line.enter()
    assert [next(line.wait(t)).ahead for t in (b, c, d)] == [0, 1, 2]
    line.leave(b)  # gave up (closed the tab) before being admitted
    assert [next(line.wait(t)).ahead for t in (c, d)] == [0, 1]
    line.leave(running)
    assert list(line.wait(c)) == []
    assert next(line.wait(d)).ahead == 0


def test_nobody_is_admitted_while_warming_and_the_place_says_why() -> None:
    line = AnswerQueue(capacity=3)
    line.hold("Starting the language model")
    ticket = line.enter()
    place = next(line.wait(ticket))
    assert place.warming == "Starting the language model"
    assert place.running == 0
    assert "Starting the language model" in place.text and "next" in place.text
    line.open()
    assert list(line.wait(ticket)) == []


def test_a_waiter_blocked_in_wait_is_woken_when_warm_up_ends() -> None:
    line = AnswerQueue(capacity=1)
    line.hold("warming")
    ticket = line.enter()
    seen: list[Place] = []
    done = threading.Event()

    def waiter() -> None:
        seen.extend(line.wait(ticket, poll=30.0))  # a long poll: only a notify can wake it
        done.set()

    thread = threading.Thread(target=waiter)
    thread.start()
    time.sleep(0.2)
    assert not done.is_set()
    line.open()
    assert done.wait(5), "open() did not wake the waiting question"
    thread.join()
    assert len(seen) == 1 and seen[0].warming == "warming"


def test_estimate_uses_recent_answer_times() -> None:
    clock = FakeClock()
    line = AnswerQueue(capacity=2, clock=clock)
    for seconds in (4.0, 6.0):
        ticket = line.enter()
        assert list(line.wait(ticket)) == []
        clock.now += seconds
        line.leave(ticket)
    busy = [line.enter(), line.enter()]
    for ticket in busy:
        assert list(line.wait(ticket)) == []
    waiting = [line.enter() for _ in range(3)]
    estimates = [next(line.wait(t)).estimate_s for t in waiting]
    # Mean answer 5 s; two answer at once: places 0-1 wait one round, place 2 two.
    assert estimates == [5.0, 5.0, 10.0]
    clock.now += 3
    assert next(line.wait(waiting[0])).waited_s == 3.0


def test_text_reads_naturally() -> None:
    assert Place(ahead=1, running=2, waited_s=3).text == (
        "Waiting for the model: 1 question ahead of you (2 being answered now)."
    )
    assert "3 questions ahead of you" in Place(ahead=3, running=1, waited_s=0).text
    assert "about 8 s" in Place(ahead=0, running=1, waited_s=0, estimate_s=8.2).text
    assert Place(ahead=0, running=0, waited_s=12.4, warming="Starting").text == (
        "Starting (12 s so far); your question is next."
    )
    assert Place(ahead=2, running=0, waited_s=0.3, warming="Starting").text == (
        "Starting; 2 questions ahead of you."
    )


def test_never_more_than_capacity_at_once_and_first_come_first_served() -> None:
    ticks = itertools.count()
    line = AnswerQueue(capacity=2, clock=lambda: float(next(ticks)))
    lock = threading.Lock()
    running, peak = 0, 0
    admitted_at: dict[int, float] = {}
    # Join the line in a known order, then let every thread wait at once.
    tickets = [line.enter() for _ in range(12)]

    def answer(i: int) -> None:
        nonlocal running, peak
        try:
            line.wait_quietly(tickets[i])
            admitted = tickets[i].admitted
            assert admitted is not None
            with lock:
                admitted_at[i] = admitted
                running += 1
                peak = max(peak, running)
            time.sleep(0.02)
            with lock:
                running -= 1
        finally:
            line.leave(tickets[i])

    threads = [threading.Thread(target=answer, args=(i,)) for i in range(12)]
    for thread in reversed(threads):  # started out of order on purpose
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(admitted_at) == 12
    assert peak <= 2
    # Two free places may go to either of the first two in line, but no question
    # overtakes one that joined two places before it.
    assert all(admitted_at[i] < admitted_at[i + 2] for i in range(10))
    assert line.snapshot() == (0, 0)


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError):
        AnswerQueue(capacity=0)
