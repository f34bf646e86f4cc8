"""Month-end forecast of one daily cost series, from complete UTC days only.

Model (robust, weekday-aware):

- History is the last ``weeks`` (6) weeks of *complete* days before ``today``; today's bucket is
  still filling, so it is not history: it is forecast like the days after it, but never below what
  it already holds.
- **Month to date** is the 1st through today, today's partial day included (as the report's "This
  month" shows it): on the 1st it is today's costs so far, never last month's. This is the one
  forecast: Insights' summary, its service table and every budget read it from here.
- Each weekday's level is the **median** of that weekday's values, so one spike moves it by at most
  one rank. A weekday seen fewer than 3 times falls back to its day class (Mon-Fri or Sat-Sun), then
  to all history (the first days of a new series).
- A trend is added only when clearly present: the Theil-Sen slope (median of same-weekday pairwise
  slopes) is applied when at least 75% of those pairs agree on its sign (needs 3 weeks of history).
  A level measured at time ``t0`` predicts ``level + slope * (t - t0)``, floored at the history's
  minimum when that is below zero, else at zero.
- The range is an approximate 80% interval from the residuals' MAD: per-day noise (``sqrt(n)``)
  plus the median's own error, shared by every remaining day (``n / sqrt(weeks)``).

Money stays exact where it can: amounts are ``int`` atto-dollars in and out; the point forecast is
computed with :class:`fractions.Fraction` and rounded half-even once; only the range uses ``float``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from .dates import add_months, first_of_month

Z_80 = 1.2816  # two-sided 80% normal quantile
MIN_POOL = 3  # observations a weekday (or class) needs to have a level of its own
TREND_AGREEMENT = 0.5  # (pairs up - pairs down) / pairs needed to apply a trend


@dataclass(frozen=True)
class Forecast:
    """A month-end forecast in atto-dollars; ``total = actual + remaining``, ``low <= total <= high``."""

    month_start: date
    month_end: date
    as_of: date  # the last complete day (today - 1): the model's history ends here
    actual: int  # complete days of the month so far (0 on the 1st)
    remaining: int  # forecast for today .. month end (today at least what it already holds)
    total: int
    low: int
    high: int
    basis_days: int  # complete days of history the model saw
    trend_per_day: int  # daily change applied (atto-dollars per day), 0 when none
    today: date | None = None  # the day still filling
    today_so_far: int = 0  # what today's partial bucket holds already

    @property
    def days_left(self) -> int:
        return (self.month_end - self.as_of).days

    @property
    def month_to_date(self) -> int:
        """The 1st through today, today's partial day included (what the report shows for the month)."""
        return self.actual + self.today_so_far


def median(values: Sequence) -> Fraction:
    """Exact median of ints/Fractions (the mean of the two middle values for an even count)."""
    s = sorted(values)
    mid = len(s) // 2
    return Fraction(s[mid]) if len(s) % 2 else (Fraction(s[mid - 1]) + Fraction(s[mid])) / 2


def _pool_level(points: list[tuple[int, int]]) -> tuple[Fraction, Fraction]:
    """(median value, median time) of (t, value) points."""
    return median([v for _, v in points]), median([t for t, _ in points])


def _theil_sen(by_weekday: dict[int, list[tuple[int, int]]]) -> Fraction:
    """Median same-weekday pairwise slope, or 0 when the pairs do not clearly agree on a direction."""
    slopes = [
        Fraction(vb - va, tb - ta)
        for pts in by_weekday.values()
        for i, (ta, va) in enumerate(pts)
        for tb, vb in pts[i + 1 :]
    ]
    if not slopes:
        return Fraction(0)
    agreement = (sum(s > 0 for s in slopes) - sum(s < 0 for s in slopes)) / len(slopes)
    return median(slopes) if abs(agreement) >= TREND_AGREEMENT else Fraction(0)


def _levels(history: list[tuple[int, int, int]]) -> dict[int, tuple[Fraction, Fraction]]:
    """Per weekday (0=Monday): (level, time of level), with the class/all fallbacks."""
    everything = [(t, v) for t, _, v in history]
    out = {}
    for wd in range(7):
        same = [(t, v) for t, w, v in history if w == wd]
        klass = [(t, v) for t, w, v in history if (w >= 5) == (wd >= 5)]
        pool = same if len(same) >= MIN_POOL else klass if len(klass) >= MIN_POOL else everything
        out[wd] = _pool_level(pool)
    return out


def forecast_month(
    daily: Mapping[date, int], today: date, *, history_start: date | None = None, weeks: int = 6
) -> Forecast:
    """Forecast ``today``'s month. ``daily`` maps UTC days to atto-dollars (a missing day is 0);
    ``history_start`` is the first day the data covers (default: the earliest day in ``daily``)."""
    month_start = first_of_month(today)
    month_end = add_months(today, 1) - timedelta(days=1)
    as_of = today - timedelta(days=1)
    actual = sum(v for d, v in daily.items() if month_start <= d <= as_of)
    so_far = daily.get(today, 0)
    if history_start is None:
        history_start = min(daily, default=today)
    first = max(history_start, today - timedelta(weeks=weeks))
    history = [
        ((d - today).days, d.weekday(), daily.get(d, 0))
        for d in (first + timedelta(days=i) for i in range((today - first).days))
    ]
    n_left = (month_end - today).days + 1
    if not history:
        mtd = actual + so_far
        return Forecast(month_start, month_end, as_of, actual, so_far, mtd, mtd, mtd, 0, 0, today, so_far)

    levels = _levels(history)
    by_wd: dict[int, list[tuple[int, int]]] = {}
    for t, w, v in history:
        by_wd.setdefault(w, []).append((t, v))
    enough = len(by_wd) == 7 and all(len(p) >= MIN_POOL for p in by_wd.values())
    slope = _theil_sen(by_wd) if enough else Fraction(0)
    floor = min(0, min(v for _, _, v in history))

    def predict(t: int, wd: int) -> Fraction:
        level, t0 = levels[wd]
        return max(Fraction(floor), level + slope * (t - t0))

    days = [predict(i, (today.weekday() + i) % 7) for i in range(n_left)]
    days[0] = max(days[0], Fraction(so_far))  # today ends at least where it already is
    remaining = round(sum(days, Fraction(0)))
    residuals = sorted(abs(float(v - predict(t, w))) for t, w, v in history)
    sigma = 1.4826 * residuals[len(residuals) // 2]
    k = max(1.0, len(history) / 7)
    spread = Z_80 * sigma * math.sqrt(n_left + n_left**2 * (math.pi / 2) / k)
    total = actual + remaining
    low, high = total - round(spread), total + round(spread)
    if floor == 0:
        low, high = max(low, actual + so_far), max(high, actual + so_far)
    return Forecast(
        month_start, month_end, as_of, actual, remaining, total, low, high, len(history), round(slope),
        today, so_far,
    )
