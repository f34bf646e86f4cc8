"""A view's filters on the calendar (day, week, month) as a test of one day.

A report's anomaly flags judge the days such filters keep, against baselines read without them: a view
of one month would otherwise judge each of its days against weeks of zero before it, and flag every row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from .dates import month_id, week_id
from .dimensions import TIME_DIMENSIONS
from .models import Filter

_BIN = {"day": date.isoformat, "week": week_id, "month": month_id}  # as the store labels a day


def split(filters: Iterable[Filter]) -> tuple[tuple[Filter, ...], tuple[Filter, ...]]:
    """(the calendar's filters, every other one), each in its order."""
    filters = tuple(filters)
    return (tuple(f for f in filters if f.dim in TIME_DIMENSIONS),
            tuple(f for f in filters if f.dim not in TIME_DIMENSIONS))


def keeps(time_filters: Sequence[Filter], day: date) -> bool:
    """Whether ``day`` passes every one of ``time_filters`` (values OR-ed, filters AND-ed, as a pivot's)."""
    return all((_BIN[f.dim](day) in f.values) != f.exclude for f in time_filters)
