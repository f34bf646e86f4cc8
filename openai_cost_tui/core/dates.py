"""UTC calendar days: parsing, ranges, bins. The API's buckets are UTC days; so are ours."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from .errors import UsageError

EPOCH = date(1970, 1, 1)

# Every date a user gives (report --from/--to, sync --since, the backfill start) lies in this range:
# the Admin API has no costs before 2020, and a year like 0001 or 9999 overflows day arithmetic later.
MIN_DAY = date(2020, 1, 1)
MAX_DAY = date(2100, 12, 31)
RELATIVE_FORMS = "today, yesterday, -7d, -2w, 2026-11, this-month or last-month"
_AGO = re.compile(r"^-(\d{1,6})([dw])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_day(text: str, *, what: str = "date") -> date:
    """Parse ``YYYY-MM-DD`` strictly (``2026-02-30`` and ``2026-2-3`` are refused)."""
    raw = (text or "").strip()
    if len(raw) != 10 or raw[4] != "-" or raw[7] != "-":
        raise UsageError(f"{what} must be a date like 2026-05-31, not {text!r}")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise UsageError(f"{what} {text!r} is not a real calendar date") from None


def last_of_month(day: date) -> date:
    return add_months(day, 1) - timedelta(days=1)


def check_day_range(day: date, *, what: str = "date", shown_as: str | None = None) -> date:
    """``day`` when it lies in MIN_DAY..MAX_DAY; else a UsageError naming the option and the range."""
    if not MIN_DAY <= day <= MAX_DAY:
        given = f"{shown_as!r} ({day.isoformat()})" if shown_as and shown_as.strip() != day.isoformat() else day.isoformat()
        raise UsageError(
            f"{what} {given} is outside the supported range {MIN_DAY.isoformat()}..{MAX_DAY.isoformat()}"
        )
    return day


def resolve_day(text: str | None, *, today: date, what: str = "date", end: bool = False) -> tuple[date, bool]:
    """A day the user typed: ``YYYY-MM-DD``, or a relative form (``today``, ``yesterday``, ``-7d`` (days
    before today), ``-2w`` (weeks), ``2026-11`` (a month), ``this-month``, ``last-month``). A month is its
    first day, or its last day when ``end`` (a ``--to``). Returns the day and whether it was written in
    a relative form (the caller says on stderr what it resolved to). Refused: empty text, anything else,
    and days outside MIN_DAY..MAX_DAY (exit 2)."""
    raw = (text or "").strip()
    if not raw:
        raise UsageError(f"{what} is empty; give a date like 2026-05-31 or one of {RELATIVE_FORMS}")
    word = raw.lower()
    relative = True
    if word == "today":
        day = today
    elif word == "yesterday":
        day = today - timedelta(days=1)
    elif (ago := _AGO.match(word)) is not None:
        n = int(ago.group(1)) * (7 if ago.group(2) == "w" else 1)
        if n > (today - MIN_DAY).days:
            raise UsageError(f"{what} {raw!r} reaches back before {MIN_DAY.isoformat()}, the earliest supported day")
        day = today - timedelta(days=n)
    elif word in ("this-month", "last-month"):
        first = first_of_month(today) if word == "this-month" else add_months(today, -1)
        day = last_of_month(first) if end else first
    elif (month := _MONTH.match(word)) is not None:
        year, number = int(month.group(1)), int(month.group(2))
        if not 1 <= number <= 12:
            raise UsageError(f"{what} {raw!r} is not a month (01..12)")
        if not MIN_DAY.year <= year <= MAX_DAY.year:
            raise UsageError(f"{what} {raw!r} is outside the supported range "
                             f"{MIN_DAY.isoformat()}..{MAX_DAY.isoformat()}")
        first = date(year, number, 1)
        day = last_of_month(first) if end else first
    else:
        relative = False
        if len(raw) != 10 or raw[4] != "-" or raw[7] != "-":
            raise UsageError(f"{what} must be a date like 2026-05-31 or one of {RELATIVE_FORMS}, not {text!r}")
        day = parse_day(raw, what=what)
    return check_day_range(day, what=what, shown_as=raw), relative


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
        return cls.resolve(start, end, today=today)[0]

    @classmethod
    def resolve(cls, start: str | None, end: str | None, *, today: date) -> tuple[DateRange, list[str]]:
        """``parse`` with relative forms (see ``resolve_day``), and one note per relative input saying
        what it resolved to (``--from last-month = 2026-10-01``). ``None`` takes the default (month to
        date); an empty string is refused."""
        notes = []
        first, last = first_of_month(today), today
        if start is not None:
            first, relative = resolve_day(start, today=today, what="--from")
            if relative:
                notes.append(f"--from {start.strip()} = {first.isoformat()}")
        if end is not None:
            last, relative = resolve_day(end, today=today, what="--to", end=True)
            if relative:
                notes.append(f"--to {end.strip()} = {last.isoformat()}")
        if first > last:
            raise UsageError(f"--from {first.isoformat()} is after --to {last.isoformat()}")
        return cls(first, last), notes

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
