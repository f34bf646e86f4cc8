"""Retry policy: what retries, how long to wait (Retry-After or jittered backoff), when to give up."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass
class RetryPolicy:
    """Exponential backoff with full jitter, capped waits and a total time budget per request.

    ``retry_after_cap``: the longest Retry-After honoured (60 s). The client gives up at once when the
    API asks for more (retrying sooner than asked is pointless), saying how long it asked for; waits
    up to the cap count against ``budget_seconds`` like the attempts themselves.
    """

    max_attempts: int = 8
    base: float = 0.5
    cap: float = 30.0
    retry_after_cap: float = 60.0
    budget_seconds: float = 300.0
    seed: int | None = None
    rng: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.rng = random.Random(self.seed)

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**(attempt-1))]."""
        ceiling = min(self.cap, self.base * 2 ** min(attempt - 1, 62))
        return self.rng.uniform(0.0, ceiling)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.retry_after_cap)
        return self.backoff(attempt)


def is_retryable_status(status: int) -> bool:
    return status in RETRY_STATUSES


def is_retryable_exception(exc: BaseException) -> bool:
    """Timeouts, connection failures and resets retry; a bad URL or a local bug does not."""
    return isinstance(exc, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After as delta-seconds or an HTTP-date; None when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if seconds == seconds and seconds >= 0 else None  # NaN/negative -> unknown
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
