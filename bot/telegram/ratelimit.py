"""Per-founder question limit: a sliding window in memory."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds until the oldest question leaves the window
    warn: bool = False  # tell the founder (once per window, not on every refused message)


@dataclass
class _Window:
    stamps: deque[float] = field(default_factory=deque)
    warned_until: float = 0.0


class SlidingWindowLimiter:
    """At most `limit` questions per `window` seconds per user.

    In memory on purpose: a restart forgives everyone. With several replicas each counts on its own, so a
    founder spread over N of them gets up to N times the limit (docs/deployment.md).
    """

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._users: dict[int, _Window] = {}

    def check(self, user_id: int) -> Verdict:
        """Count a question if allowed; otherwise say when to retry and whether to warn."""
        if self.limit <= 0:
            return Verdict(True)
        now = self.clock()
        entry = self._users.setdefault(user_id, _Window())
        while entry.stamps and now - entry.stamps[0] >= self.window:
            entry.stamps.popleft()
        if len(entry.stamps) < self.limit:
            entry.stamps.append(now)
            return Verdict(True)
        free_at = entry.stamps[0] + self.window
        warn = now >= entry.warned_until
        if warn:
            entry.warned_until = free_at
        return Verdict(False, retry_after=max(1, math.ceil(free_at - now)), warn=warn)

    def forget(self, user_id: int) -> None:
        self._users.pop(user_id, None)

    def prune(self) -> None:
        """Drop users whose window is empty, so memory follows active users only."""
        now = self.clock()
        for user_id in [u for u, e in self._users.items() if not e.stamps or now - e.stamps[-1] >= self.window]:
            del self._users[user_id]
