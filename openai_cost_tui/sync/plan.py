"""Which day windows a sync fetches, newest first, so the first data lands within seconds."""

from __future__ import annotations

from datetime import date, timedelta

from ..core.dates import add_months

Window = tuple[date, date]  # inclusive UTC days

FIRST_CHUNK_DAYS = 31  # the newest window is small: the current month shows up first
CHUNK_DAYS = 180  # then the API's largest page (limit=180 buckets) per window
WINDOW_ROWS = 150_000  # a window of a large organization is cut to about this many rows (memory)
MIN_WINDOW_DAYS = 7
LONGEST_MONTH = 31


def chunk_newest_first(start: date, end: date, *, first: int = FIRST_CHUNK_DAYS,
                       size: int = CHUNK_DAYS) -> list[Window]:
    windows: list[Window] = []
    cursor = end
    span = first
    while cursor >= start:
        lo = max(start, cursor - timedelta(days=span - 1))
        windows.append((lo, cursor))
        cursor = lo - timedelta(days=1)
        span = size
    return windows


def plan_windows(*, today: date, backfill_start: date, covered_from: date | None, covered_to: date | None,
                 since: date | None = None, trailing_days: int = 3) -> list[Window]:
    """Windows to (re)fetch: the trailing refresh through today, then any backfill still missing.

    - first sync (nothing covered): everything from the backfill start through today;
    - ``since``: everything from that day through today, whatever is stored;
    - otherwise: from ``trailing_days`` before the last complete stored day through today, then the
      days between the backfill start and the oldest stored day.
    The stored days stay one contiguous range, so a later sync knows exactly what is missing.
    """
    if since is not None:
        return chunk_newest_first(min(since, today), today)
    if covered_from is None or covered_to is None:
        return chunk_newest_first(min(backfill_start, today), today)
    last_complete = min(covered_to, today - timedelta(days=1))
    refresh_from = max(covered_from, last_complete - timedelta(days=trailing_days))
    windows = chunk_newest_first(refresh_from, today)
    if backfill_start < covered_from:
        windows += chunk_newest_first(backfill_start, covered_from - timedelta(days=1), first=CHUNK_DAYS)
    return windows


def window_days(window: Window) -> int:
    return (window[1] - window[0]).days + 1


def rechunk(windows: list[Window], *, rows_per_day: float, target_rows: int = WINDOW_ROWS) -> list[Window]:
    """Cut the remaining windows (newest first) to hold about ``target_rows`` rows each.

    Small organizations keep the 180-day windows (the fewest requests); a large one gets shorter
    windows so a sync's memory stays bounded. Never longer than 180 days, never shorter than a week.
    The days are cut again as one span wherever windows meet, so windows cut short for a busy month
    grow back when the days after it are quieter.
    """
    if rows_per_day <= 0:
        return windows
    size = int(max(MIN_WINDOW_DAYS, min(CHUNK_DAYS, target_rows // rows_per_day)))
    out: list[Window] = []
    for start, end in _joined(windows):
        if window_days((start, end)) <= size:
            out.append((start, end))
        else:
            out += _cut(start, end, size)
    return out


def _cut(start: date, end: date, size: int) -> list[Window]:
    """``start..end`` in windows of at most ``size`` days, newest first. Below 180 days (a large
    organization), at month starts where that costs at most one window in ten more than cuts at the size
    (``by_months``: sizes near a month's length), since each window is one more request."""
    plain = chunk_newest_first(start, end, first=size, size=size)
    if not LONGEST_MONTH <= size < CHUNK_DAYS:
        return plain
    months = by_months(start, end, size)
    return months if len(months) <= len(plain) + max(1, len(plain) // 10) else plain


def _joined(windows: list[Window]) -> list[Window]:
    """Windows (newest first) with each that ends the day before the one above it starts joined to it."""
    out: list[Window] = []
    for start, end in windows:
        if out and end + timedelta(days=1) == out[-1][0]:
            out[-1] = (start, out[-1][1])
        else:
            out.append((start, end))
    return out


def by_months(start: date, end: date, size: int) -> list[Window]:
    """``start..end`` cut newest first into windows of whole months, as many as ``size`` days hold (at
    least one: ``size`` is at least 31), and the part months at either end. A month's rollups are then
    summed once, from the rows in hand, instead of in two windows that each read the other's days back
    (a year of a large organization: ~4% of its writes)."""
    windows: list[Window] = []
    cursor = end
    while cursor >= start:
        earliest = max(start, cursor - timedelta(days=size - 1))
        month = earliest if earliest.day == 1 or earliest == start else add_months(earliest, 1)
        lo = month if month <= cursor else earliest
        windows.append((lo, cursor))
        cursor = lo - timedelta(days=1)
    return windows
