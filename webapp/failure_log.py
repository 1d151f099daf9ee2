"""One log line per kind of failure, at most every so often, with a count of the ones held back.

A database that is away fails every request; a line (never a traceback) each would bury the log.
"""

from __future__ import annotations

import logging
import threading
import time

EVERY_SECONDS = 10.0  # at most one line per kind of failure in this long


class FailureLog:
    """Logs a failure's one line unless its kind was logged less than `every` seconds ago."""

    def __init__(self, logger: logging.Logger, every: float = EVERY_SECONDS) -> None:
        self.logger, self.every = logger, every
        self._last: dict[str, float] = {}
        self._held_back: dict[str, int] = {}
        self._lock = threading.Lock()

    def failed(self, kind: str, message: str) -> bool:
        """Log `message` for this kind of failure now, or count it; True when it was logged."""
        now = time.monotonic()
        with self._lock:
            last = self._last.get(kind)
            if last is not None and now - last < self.every:
                self._held_back[kind] = self._held_back.get(kind, 0) + 1
                return False
            held_back = self._held_back.pop(kind, 0)
            self._last[kind] = now
        more = f" ({held_back} more like it since the last line)" if held_back else ""
        self.logger.error("%s%s", message, more)
        return True

    def recovered(self, message: str) -> None:
        """Log `message` once when failures had been logged, and forget them."""
        with self._lock:
            if not self._last:
                return
            held_back = sum(self._held_back.values())
            self._last.clear()
            self._held_back.clear()
        more = f" ({held_back} failures were held back from the log)" if held_back else ""
        self.logger.warning("%s%s", message, more)
