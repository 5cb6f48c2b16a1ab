"""A clock for the HTTP policy that records sleeps instead of sleeping."""

from __future__ import annotations


class FakeClock:
    """Time moves only when the code under test sleeps; ``random`` is fixed for exact waits."""

    def __init__(self, start: float = 1_700_000_000.0, rand: float = 0.5) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self.rand = rand

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now

    def random(self) -> float:
        return self.rand
