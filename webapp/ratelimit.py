"""A per-client sliding-window rate limit, kept in memory.

Each gunicorn worker keeps its own counts, so with N workers a client may get up to N times the
limit through before every worker has seen it: a brake on floods, not an exact quota. Clients
are told apart by their address (which ProxyFix corrects behind a proxy); addresses live only in
this process's memory, for one window, and are never stored.
"""

import re
import threading
import time
from collections import deque
from collections.abc import Callable

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
RATE = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*(second|minute|hour|day)s?\s*")


def parse_rate(text: object) -> tuple[int, int]:
    """'30/minute', '5/10 seconds', '1000/day' -> (requests, window in seconds)."""
    match = RATE.fullmatch(str(text))
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"A rate limit looks like '30/minute' or '5/10 seconds', not {text!r}.")
    return int(match.group(1)), int(match.group(2) or 1) * PERIODS[match.group(3)]


class SlidingWindowLimit:
    """Allow at most `requests` per client in any `window` seconds."""

    def __init__(
        self, requests: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.requests, self.window, self.clock = requests, window, clock
        self._seen: dict[
            str, deque[float]
        ] = {}  # client -> deque of the times of its requests in the window
        self._lock = threading.Lock()  # gthread workers serve several requests at once

    def allow(self, client: str) -> bool:
        """Count one request from client; False when it is over the limit (not counted)."""
        now = self.clock()
        with self._lock:
            times = self._seen.setdefault(client, deque())
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(times) >= self.requests:
                return False
            times.append(now)
            if len(self._seen) > 10_000:
                self._forget_idle(now)
            return True

    def _forget_idle(self, now: float) -> None:
        # Clients with nothing in the window need no entry: memory stays bounded by the active.
        for client in [c for c, t in self._seen.items() if not t or t[-1] <= now - self.window]:
            del self._seen[client]
