"""Retry policy: Retry-After parsing, jittered backoff, what retries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from openai_cost_tui.api.retry import (
    RetryPolicy,
    is_retryable_exception,
    is_retryable_status,
    parse_retry_after,
)

NOW = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("3", 3.0),
        (" 1.5 ", 1.5),
        ("0", 0.0),
        (format_datetime(NOW + timedelta(seconds=42), usegmt=True), 42.0),
        (format_datetime(NOW - timedelta(hours=1), usegmt=True), 0.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("nan", None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == expected


def test_retry_after_is_capped_and_backoff_is_full_jitter() -> None:
    policy = RetryPolicy(seed=7)
    assert policy.delay(1, 10_000.0) == 60.0
    assert policy.delay(1, float("inf")) == 60.0
    assert policy.delay(3, 2.0) == 2.0
    for attempt in range(1, 20):
        ceiling = min(30.0, 0.5 * 2 ** (attempt - 1))
        assert 0.0 <= policy.delay(attempt, None) <= ceiling
    assert max(policy.backoff(40) for _ in range(200)) > 15  # jitter spans the capped range


def test_seeded_policies_repeat() -> None:
    first, second = RetryPolicy(seed=3), RetryPolicy(seed=3)
    assert [first.backoff(n) for n in range(1, 8)] == [second.backoff(n) for n in range(1, 8)]


def test_what_retries() -> None:
    assert [s for s in range(400, 600) if is_retryable_status(s)] == [429, 500, 502, 503, 504]
    request = httpx.Request("GET", "https://api.openai.com/v1/organization/costs")
    for exc_type in (
        httpx.ReadTimeout,
        httpx.ConnectTimeout,
        httpx.ConnectError,
        httpx.ReadError,
        httpx.RemoteProtocolError,
    ):
        assert is_retryable_exception(exc_type("x", request=request))
    for exc_type in (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.ProxyError):
        assert not is_retryable_exception(exc_type("x", request=request))
    assert not is_retryable_exception(ValueError("x"))
