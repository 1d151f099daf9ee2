"""The corrections quota: at most N corrections per client in any moving window of time.

Counted by the `limits` package's moving window. With REDIS_URL the counts live in Redis, so
the quota holds across every worker and machine that shares it; without, each worker process
keeps its own counts in memory, and with W workers a client may get up to W times the quota
through. When Redis does not answer, corrections are let through (fail open: a person's
correction matters more than the brake), the worker logs one line, and it tries Redis again
after RETRY_SECONDS. Clients are told apart by their address (which ProxyFix corrects behind a
proxy); addresses are kept for one window, in memory or in Redis, and are never stored.
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request
from limits import RateLimitItemPerSecond
from limits.errors import ConfigurationError, StorageError
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from webapp.errors import ApiError

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
RATE = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*(second|minute|hour|day)s?\s*")
REDIS_SCHEMES = ("redis", "rediss", "redis+unix")
# A Redis that takes longer than this to connect or answer counts as down: a correction
# waits at most about this long for its quota.
REDIS_TIMEOUT_SECONDS = 0.5
# After Redis failed, corrections pass unchecked this long before the next try.
RETRY_SECONDS = 10.0


def parse_rate(text: object) -> tuple[int, int]:
    """'30/minute', '5/10 seconds', '1000/day' -> (requests, window in seconds)."""
    match = RATE.fullmatch(str(text))
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"A rate limit looks like '30/minute' or '5/10 seconds', not {text!r}.")
    return int(match.group(1)), int(match.group(2) or 1) * PERIODS[match.group(3)]


def seconds_until(moment: float, now: float) -> int:
    """Whole seconds from now until moment, rounded up, at least 1 (Retry-After's value)."""
    return max(1, math.ceil(moment - now))


@dataclass(frozen=True)
class Usage:
    """One client's quota after a request: allowed or not, and the RateLimit headers' values."""

    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the oldest counted request leaves the window
    window: int

    def headers(self) -> dict[str, str]:
        """The IETF draft's RateLimit-* headers, and Retry-After when refused."""
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
            "RateLimit-Policy": f"{self.limit};w={self.window}",
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.reset)
        return headers


class CorrectionQuota:
    """At most `rate` (e.g. '30/minute') corrections per client, in Redis or in memory."""

    def __init__(
        self, rate: object, redis_url: str | None = None, logger: logging.Logger | None = None
    ) -> None:
        requests, window = parse_rate(rate)
        self.item = RateLimitItemPerSecond(requests, window)
        self.window = window
        self.storage_url = redis_url or "memory://"
        self.logger = logger or logging.getLogger(__name__)
        if redis_url:
            self._open_storage()  # a bad URL stops the app now; nothing connects yet
        # Opened in each worker on first use: the in-memory storage runs a thread, and neither
        # it nor a Redis connection may be shared across gunicorn's fork.
        self._limiter: MovingWindowRateLimiter | None = None
        self._pid = 0
        self._lock = threading.Lock()
        self._down_until = 0.0  # time.monotonic() before which Redis is not asked
        self.retry_seconds = RETRY_SECONDS

    def check(self, client: str) -> Usage | None:
        """Count one request of client (a refused one is not counted); None when the storage
        is down and the request passes unchecked."""
        if time.monotonic() < self._down_until:
            return None
        try:
            limiter = self._current_limiter()
            allowed = limiter.hit(self.item, "corrections", client)
            reset_at, remaining = limiter.get_window_stats(self.item, "corrections", client)
        except StorageError as error:
            self._down_until = time.monotonic() + self.retry_seconds
            self.logger.warning(
                "The rate limit storage %s does not answer (%s): corrections pass unchecked "
                "for %g s, then it is tried again.",
                self.where(),
                error.storage_error,
                self.retry_seconds,
            )
            return None
        return Usage(
            allowed=allowed,
            limit=self.item.amount,
            remaining=max(0, remaining),
            reset=seconds_until(reset_at, time.time()),
            window=self.window,
        )

    def where(self) -> str:
        """The storage's scheme, host and port, without a password (for the logs)."""
        parts = urlsplit(self.storage_url)
        return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"

    def _current_limiter(self) -> MovingWindowRateLimiter:
        with self._lock:
            if self._limiter is None or self._pid != os.getpid():
                self._limiter = MovingWindowRateLimiter(self._open_storage())
                self._pid = os.getpid()
            return self._limiter

    def _open_storage(self) -> Storage:
        if urlsplit(self.storage_url).scheme not in (*REDIS_SCHEMES, "memory"):
            raise ValueError(
                f"REDIS_URL must look like redis://host:6379/0 (or rediss://, redis+unix://), "
                f"not {self.where()!r}."
            )
        try:
            storage = storage_from_string(
                self.storage_url,
                wrap_exceptions=True,  # every Redis failure arrives as StorageError
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
            )
        except (ConfigurationError, ValueError) as error:
            raise ValueError(f"REDIS_URL {self.where()!r} cannot be used: {error}") from None
        assert isinstance(storage, Storage)  # the schemes above are the synchronous ones
        return storage


def enforce_correction_quota() -> None:
    """Count this correction against its client's quota; 429 rate_limited when over it."""
    usage = current_app.extensions["correction_quota"].check(request.remote_addr or "unknown")
    g.correction_quota = usage
    if usage is not None and not usage.allowed:
        raise ApiError(
            429,
            "rate_limited",
            "Too many corrections from you in a short time. Thank you! "
            f"Please wait {usage.reset} seconds and try again.",
        )


def add_quota_headers(response: Response) -> Response:
    """The RateLimit headers on every answer to a request that was counted (and Retry-After
    on a 429)."""
    usage = g.get("correction_quota")
    if usage is not None:
        response.headers.update(usage.headers())
    return response


def init_app(app: Flask) -> None:
    """The corrections quota from FEEDBACK_RATE and REDIS_URL; a bad value stops the app."""
    app.extensions["correction_quota"] = CorrectionQuota(
        app.config["FEEDBACK_RATE"], app.config.get("REDIS_URL"), app.logger
    )
    app.after_request(add_quota_headers)
