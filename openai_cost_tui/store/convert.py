"""Values as the store keeps them: scaled quantities, dates and naive UTC times."""

from __future__ import annotations

from datetime import UTC, date, datetime

QTY_SCALE = 10**9  # quantities are kept to 10**-9 of a unit


def as_date(value: object) -> date:
    """A date as the driver gives it back (SQLite: text; PostgreSQL: a date)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def now_naive() -> datetime:
    """Now, as naive UTC (the store's time columns)."""
    return datetime.now(UTC).replace(tzinfo=None)
