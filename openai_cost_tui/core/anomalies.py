"""Days whose cost departs from the series' own recent baseline, and what drove them.

The baseline of day ``d`` looks only at the complete days before it (``window``, 8 weeks), never
at ``d`` itself. All statistics are robust (medians), so one spike in the window changes little:

- weekday factors ``f_w`` = median of weekday ``w``'s values / the mean of the 7 medians, so the
  weekly rhythm (quiet weekends) is expected, not flagged, and scales with the level. A series
  with negative medians (credits) or no positive level uses additive offsets instead;
- level = median of the weekday-normalised values ``v / f_w`` of the last ``LEVEL_DAYS`` (14),
  so a new spending level stops being news after about a week; expected = level * ``f_w(d)``;
- spread = 1.4826 * MAD of leave-one-out residuals (each value minus the median of the *other*
  values of its weekday: a weekday's own median would hide its noise), over weekdays, and for a
  weekend day at least that of weekends (sparser, noisier); floored at 5% of the level.

score = (value - expected) / spread. A day is flagged when ``|score| >= threshold`` (8) and
``|value - expected| >= min_delta`` ($1). Cost noise is right-skewed (a quiet key has ordinary 2x
days), so the threshold is far above a normal-tail 3. Measured on 16 seeds of the small fake
organization: every injected spike scores above 10 on its key; stable series stayed below 8 in
15 seeds (the 16th had a genuine 2.8x day on a one-stream storage series).
Everything is per day over a sliding window of days, never per calendar month, so a 31-day month's
larger total is not a change. Statistics run in ``float``; ``value`` and ``expected`` are ``int``
atto-dollars.
"""

from __future__ import annotations

import statistics
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from .money import SCALE

WINDOW = 56
MIN_HISTORY = 28
THRESHOLD = 8.0
MIN_DELTA = SCALE  # one dollar
REL_FLOOR = 0.05
LEVEL_DAYS = 14  # the level follows the last two weeks, so a new spending level stops being news


@dataclass(frozen=True)
class Baseline:
    expected: int
    spread: float  # robust standard deviation (atto-dollars), floored
    exact: float  # the unrounded expectation
    days: int  # history days used

    def score(self, value: int) -> float:
        return (value - self.exact) / self.spread


@dataclass(frozen=True)
class Anomaly:
    """A flagged day of one series: ``series`` is its row key (e.g. ``("Support Bot",)``)."""

    day: date
    dimension: str
    series: tuple[str, ...]
    value: int
    expected: int
    score: float
    direction: str  # "up" | "down"

    @property
    def delta(self) -> int:
        return self.value - self.expected

    @property
    def label(self) -> str:
        return " / ".join(self.series)


@dataclass(frozen=True)
class Driver:
    """A finer series' move on the anomaly's day; ``share`` of the parent's delta (None if 0)."""

    name: str
    value: int
    expected: int
    delta: int
    share: float | None


def _median_sorted(s: list[float]) -> float:
    """``statistics.median`` of an already sorted list (the same arithmetic, so the same float)."""
    n = len(s)
    i = n // 2
    return s[i] if n % 2 else (s[i - 1] + s[i]) / 2


def _loo_residuals(values: list[float], ordered: list[float]) -> list[float]:
    """Each value minus the median of the *other* values of its weekday (``ordered`` is ``values``
    sorted): removing one element from a sorted list shifts the middle by at most one place, so each
    leave-one-out median is read off ``ordered`` instead of sorting the rest again."""
    n = len(ordered)
    if n < 2:
        return []
    m = n - 1  # the length without one element
    i = m // 2
    out = []
    for v in values:
        j = bisect_left(ordered, v)  # remove this occurrence: equal values leave the same rest
        upper = ordered[i] if i < j else ordered[i + 1]
        if m % 2:
            med = upper
        else:
            lower = ordered[i - 1] if i - 1 < j else ordered[i]
            med = (lower + upper) / 2
        out.append(abs(v - med))
    return out


def _sigma(residuals: list[float]) -> float:
    """Robust sigma: 1.4826 times the median absolute residual."""
    return 1.4826 * statistics.median(residuals) if residuals else 0.0


def baseline(
    series: Mapping[date, int],
    day: date,
    *,
    window: int = WINDOW,
    history_start: date | None = None,
    min_history: int = MIN_HISTORY,
) -> Baseline | None:
    """What ``day`` should cost judging by the ``window`` days before it (None: too little history).

    Days from ``history_start`` (default: the series' first day) that are missing count as 0."""
    if history_start is None:
        history_start = min(series, default=day)
    first = max(day - timedelta(days=window), history_start)
    n = (day - first).days
    if n < max(1, min_history):
        return None
    values = [float(series.get(first + timedelta(days=i), 0)) for i in range(n)]
    return _baseline(values, first.weekday(), day.weekday())


def _baseline(values: list[float], wd0: int, day_wd: int) -> Baseline:
    """The baseline from the window's values in day order; ``wd0`` is the weekday of the first."""
    w = _Window(values, 0, len(values), wd0, day_wd, {})
    return Baseline(round(w.exact), w.spread(), w.exact, len(values))


class _Window:
    """One day's window ``dense[lo : lo + n]`` (``wd0`` the weekday of its first day), judged in two steps:
    the expectation (weekday medians, level), then, only when asked, the spread (leave-one-out residuals).

    Weekday ``r`` of the window (its ``r``-th day's) holds every 7th value from ``lo + r``, so the windows
    of consecutive days share six of their seven weekday lists: ``memo`` (one per series) keeps each
    list's sorted values, median and residuals by (its first index, its length), computed once. Same
    values, same arithmetic: the very floats of computing each window afresh."""

    __slots__ = ("groups", "weekdays", "day_wd", "typical", "level", "exact")

    def __init__(self, dense: list[float], lo: int, n: int, wd0: int, day_wd: int, memo: dict) -> None:
        stop = lo + n
        groups = []
        for start in range(lo, lo + min(7, n)):
            key = (start, (stop - start + 6) // 7)
            g = memo.get(key)
            if g is None:
                vs = dense[start:stop:7]
                ordered = sorted(vs)
                g = memo[key] = [vs, ordered, _median_sorted(ordered), None]
            groups.append(g)
        k = len(groups)
        self.groups, self.weekdays, self.day_wd = groups, [(wd0 + r) % 7 for r in range(k)], day_wd
        medians = [g[2] for g in groups]
        typical = statistics.fmean(medians)
        own = n % 7  # the judged day's weekday is the window's ``own``-th (when it has one)
        recent = range(max(0, n - LEVEL_DAYS), n)
        if typical > 0 and min(medians) >= 0:  # multiplicative: the rhythm scales with the level
            factor = [m / typical for m in medians]
            level = _median_sorted(sorted([dense[lo + i] / factor[i % 7] for i in recent if factor[i % 7] > 0]
                                          or [0.0]))
            expected = level * (factor[own] if own < k else 1.0)
        else:  # additive: credits, negative or empty series
            offset = [m - typical for m in medians]
            level = _median_sorted(sorted([dense[lo + i] - offset[i % 7] for i in recent]))
            expected = level + (offset[own] if own < k else 0.0)
        self.typical, self.level, self.exact = typical, level, expected

    def floor(self) -> float:
        """The least spread this window can have (the spread is never below it)."""
        return max(REL_FLOOR * max(abs(self.typical), abs(self.level)), 1.0)

    def spread(self) -> float:
        weekday, weekend = [], []
        for w, g in zip(self.weekdays, self.groups, strict=True):
            if g[3] is None:
                g[3] = _loo_residuals(g[0], g[1])
            (weekday if w < 5 else weekend).extend(g[3])
        spread = max(_sigma(weekday), self.floor())
        if self.day_wd >= 5:  # weekend usage is sparser and noisier: never judged more strictly
            spread = max(spread, _sigma(weekend))
        return spread


def detect(
    series: Mapping[date, int],
    days: Iterable[date],
    *,
    dimension: str = "",
    key: tuple[str, ...] = (),
    window: int = WINDOW,
    history_start: date | None = None,
    threshold: float = THRESHOLD,
    min_delta: int = MIN_DELTA,
    directions: tuple[str, ...] = ("up", "down"),
) -> list[Anomaly]:
    """Flag the given days of one series (pass complete days only).

    A day whose move is under ``min_delta``, in a direction not asked for, or too small to reach
    ``threshold`` even against the least spread its window allows is let go before its spread is
    computed: the spread only ever lowers a score, so the same days are flagged with the same scores."""
    days = list(days)
    if history_start is None:
        history_start = min(series, default=None)
    if history_start is None or not days:
        return []
    # the series as one list of floats from history_start, read once for every day's window
    dense = [0.0] * max(0, (max(days) - history_start).days)
    for d, v in series.items():
        i = (d - history_start).days
        if 0 <= i < len(dense):
            dense[i] = float(v)
    memo: dict = {}
    out = []
    for day in days:
        first = max(day - timedelta(days=window), history_start)
        n = (day - first).days
        if n < max(1, MIN_HISTORY):
            continue
        w = _Window(dense, (first - history_start).days, n, first.weekday(), day.weekday(), memo)
        value = series.get(day, 0)
        expected = round(w.exact)
        delta = value - expected
        direction = "up" if delta > 0 else "down"
        if abs(delta) < min_delta or direction not in directions:
            continue
        off = value - w.exact
        if abs(off) / w.floor() < threshold:  # the spread is at least the floor: no score could reach it
            continue
        score = off / w.spread()
        if abs(score) >= threshold:
            out.append(Anomaly(day, dimension, key, value, expected, score, direction))
    return out


def detect_all(
    by_series: Mapping[tuple[str, ...], Mapping[date, int]],
    dimension: str,
    days: Iterable[date],
    **options,
) -> list[Anomaly]:
    """:func:`detect` on every series of one dimension, strongest first."""
    days = list(days)
    found = [
        a for key, s in by_series.items() for a in detect(s, days, dimension=dimension, key=key, **options)
    ]
    return sorted(found, key=lambda a: (-abs(a.score), a.day, a.series))


def drivers(
    children: Mapping[str, Mapping[date, int]],
    day: date,
    *,
    direction: str = "up",
    window: int = WINDOW,
    history_start: date | None = None,
    limit: int | None = 5,
) -> list[Driver]:
    """Rank finer series (categories, keys) under a flagged one by how far they moved on ``day``,
    in the anomaly's direction first. A child with no history is expected to cost 0."""
    moves = []
    for name, s in children.items():
        base = baseline(s, day, window=window, history_start=history_start, min_history=1)
        value = s.get(day, 0)
        expected = base.expected if base else 0
        if value != expected:
            moves.append((name, value, expected, value - expected))
    total = sum(m[3] for m in moves)
    sign = 1 if direction == "up" else -1
    moves.sort(key=lambda m: (-sign * m[3], m[0]))
    ranked = [Driver(n, v, e, d, d / total if total else None) for n, v, e, d in moves]
    return ranked if limit is None else ranked[:limit]
