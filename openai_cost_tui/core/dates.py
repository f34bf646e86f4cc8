"""UTC calendar days: parsing, ranges, bins. The API's buckets are UTC days; so are ours."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from .errors import UsageError

EPOCH = date(1970, 1, 1)


def parse_day(text: str, *, what: str = "date") -> date:
    """Parse ``YYYY-MM-DD`` strictly (``2026-02-30`` and ``2026-2-3`` are refused)."""
    raw = (text or "").strip()
    if len(raw) != 10 or raw[4] != "-" or raw[7] != "-":
        raise UsageError(f"{what} must be a date like 2026-05-31, not {text!r}")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise UsageError(f"{what} {text!r} is not a real calendar date") from None


def day_start_unix(day: date) -> int:
    """Unix seconds of 00:00 UTC on ``day``."""
    return (day - EPOCH).days * 86400


def unix_to_day(seconds: int) -> date:
    """The UTC day that contains a Unix timestamp."""
    return EPOCH + timedelta(days=seconds // 86400)


def today_utc(now: datetime | None = None) -> date:
    now = now or datetime.now(UTC)
    return now.astimezone(UTC).date()


def week_id(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def month_id(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def bin_id(dim_id: str, day: date) -> str:
    if dim_id == "day":
        return day.isoformat()
    if dim_id == "week":
        return week_id(day)
    if dim_id == "month":
        return month_id(day)
    raise ValueError(dim_id)


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after (or before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class DateRange:
    """Inclusive range of UTC days."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise UsageError(
                f"the range starts after it ends ({self.start.isoformat()} > {self.end.isoformat()})"
            )

    @classmethod
    def parse(cls, start: str | None, end: str | None, *, today: date) -> DateRange:
        """CLI/TUI input: defaults to month to date."""
        first = parse_day(start, what="--from") if start else first_of_month(today)
        last = parse_day(end, what="--to") if end else today
        if first > last:
            raise UsageError(f"--from {first.isoformat()} is after --to {last.isoformat()}")
        return cls(first, last)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __iter__(self) -> Iterator[date]:
        for offset in range(self.days):
            yield self.start + timedelta(days=offset)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def previous(self) -> DateRange:
        """The period of the same length just before this one."""
        length = timedelta(days=self.days)
        return DateRange(self.start - length, self.end - length)

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def month_to_date(today: date) -> DateRange:
    return DateRange(first_of_month(today), today)


def last_month(today: date) -> DateRange:
    start = add_months(today, -1)
    return DateRange(start, first_of_month(today) - timedelta(days=1))


def last_n_days(today: date, n: int) -> DateRange:
    return DateRange(today - timedelta(days=n - 1), today)


def year_to_date(today: date) -> DateRange:
    return DateRange(date(today.year, 1, 1), today)
