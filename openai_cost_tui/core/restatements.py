"""What a re-sync changed in days already stored: (day, dimension value) old -> new, and a sentence.

A value present on one side only counts as 0 on the other, so a new line item or a dropped one is
a restatement too. Amounts are ``int`` atto-dollars.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from . import money


@dataclass(frozen=True)
class Restatement:
    day: date
    dimension: str  # e.g. "service"
    value: str  # e.g. "Chats and Completions"
    old: int
    new: int

    @property
    def delta(self) -> int:
        return self.new - self.old


def diff(
    old: Mapping[tuple[date, str], int],
    new: Mapping[tuple[date, str], int],
    *,
    dimension: str,
    tolerance: int = 0,
) -> list[Restatement]:
    """Every (day, value) whose total moved by more than ``tolerance``, by day then largest move."""
    out = [
        Restatement(day, dimension, value, old.get((day, value), 0), new.get((day, value), 0))
        for day, value in set(old) | set(new)
    ]
    out = [r for r in out if abs(r.delta) > tolerance]
    return sorted(out, key=lambda r: (r.day, -abs(r.delta), r.value))


def by_day(changes: Iterable[Restatement]) -> dict[date, int]:
    """The net revision of each day."""
    net: dict[date, int] = defaultdict(int)
    for r in changes:
        net[r.day] += r.delta
    return dict(net)


signed_dollars = money.signed_usd  # a restatement's move, as every change is shown


def describe(change: Restatement, *, today: date | None = None) -> str:
    """``2026-11-26: Chats and Completions revised +$12.40`` (``yesterday (2026-11-26): ...``
    when ``today`` is given and the day was yesterday)."""
    day = change.day.isoformat()
    if today is not None and change.day == today - timedelta(days=1):
        day = f"yesterday ({day})"
    return f"{day}: {change.value} revised {signed_dollars(change.delta)}"


@dataclass(frozen=True)
class StoredRestatement:
    """A recorded revision: ``change`` is the core value (``describe`` turns it into a sentence)."""

    connection_id: int
    connection: str
    currency: str
    detected_at: datetime  # naive UTC
    change: Restatement


def net_by_day(items: Iterable[StoredRestatement]) -> dict[date, int]:
    """The net revision of each day (one currency's items)."""
    out: dict[date, int] = defaultdict(int)
    for item in items:
        out[item.change.day] += item.change.delta
    return dict(out)
