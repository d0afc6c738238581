"""Failed sign-ins, throttled: a token bucket per key (a client address, a user name) in a bounded
table. Each failed attempt spends a token, tokens come back slowly, and a key without one is refused
before any password is hashed: guessing costs the guesser time instead of costing the server scrypt."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable


class Throttle:
    def __init__(self, burst: int = 5, seconds_per_attempt: float = 12.0, size: int = 10_000,
                 clock: Callable[[], float] = time.monotonic):
        """`burst` attempts at once, then one more every `seconds_per_attempt`; at most `size` keys are
        remembered (the least recently used go first; a key with a full bucket needs no entry)."""
        self.burst, self.interval, self.size, self.clock = burst, seconds_per_attempt, size, clock
        self._buckets: OrderedDict[Hashable, tuple[float, float]] = OrderedDict()  # key -> (tokens, when)

    def _tokens(self, key: Hashable, now: float) -> float:
        tokens, when = self._buckets.get(key, (self.burst, now))
        return min(self.burst, tokens + (now - when) / self.interval)

    def take(self, keys: Iterable[Hashable]) -> int:
        """Spend an attempt of every key: 0 when granted, else the whole seconds until every key has
        one again (and nothing is spent)."""
        keys, now = list(keys), self.clock()
        tokens = {key: self._tokens(key, now) for key in keys}
        short = max((1 - t for t in tokens.values()), default=0.0)
        if short > 0:
            return max(1, math.ceil(short * self.interval))
        for key, t in tokens.items():
            self._put(key, t - 1, now)
        return 0

    def give_back(self, keys: Iterable[Hashable]) -> None:
        """Return the attempts of a sign-in that succeeded: only failures count."""
        now = self.clock()
        for key in keys:
            self._put(key, self._tokens(key, now) + 1, now)

    def _put(self, key: Hashable, tokens: float, now: float) -> None:
        if tokens >= self.burst:
            self._buckets.pop(key, None)
            return
        self._buckets[key] = (tokens, now)
        self._buckets.move_to_end(key)
        while len(self._buckets) > self.size:
            self._buckets.popitem(last=False)

    def __len__(self) -> int:
        return len(self._buckets)
