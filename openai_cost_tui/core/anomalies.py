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


def _loo_sigma(by_wd: dict[int, list[float]], keep) -> float:
    """Robust sigma (1.4826 MAD) of leave-one-out residuals: each value minus the median of the
    other values of its weekday, so a weekday's own median does not hide its noise."""
    res = [
        abs(v - statistics.median(vs[:i] + vs[i + 1 :]))
        for w, vs in by_wd.items()
        if keep(w) and len(vs) > 1
        for i, v in enumerate(vs)
    ]
    return 1.4826 * statistics.median(res) if res else 0.0


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
    days = [first + timedelta(days=i) for i in range((day - first).days)]
    if len(days) < max(1, min_history):
        return None
    by_wd: dict[int, list[float]] = {}
    for d in days:
        by_wd.setdefault(d.weekday(), []).append(float(series.get(d, 0)))
    medians = {w: statistics.median(vs) for w, vs in by_wd.items()}
    typical = statistics.fmean(medians.values())
    recent = [(d.weekday(), float(series.get(d, 0))) for d in days[-LEVEL_DAYS:]]
    if typical > 0 and min(medians.values()) >= 0:  # multiplicative: the rhythm scales with the level
        factor = {w: m / typical for w, m in medians.items()}
        level = statistics.median([v / factor[w] for w, v in recent if factor[w] > 0] or [0.0])
        expected = level * factor.get(day.weekday(), 1.0)
    else:  # additive: credits, negative or empty series
        offset = {w: m - typical for w, m in medians.items()}
        level = statistics.median(v - offset[w] for w, v in recent)
        expected = level + offset.get(day.weekday(), 0.0)
    spread = max(_loo_sigma(by_wd, lambda w: w < 5), REL_FLOOR * max(abs(typical), abs(level)), 1.0)
    if day.weekday() >= 5:  # weekend usage is sparser and noisier: never judged more strictly
        spread = max(spread, _loo_sigma(by_wd, lambda w: w >= 5))
    return Baseline(round(expected), spread, expected, len(days))


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
    """Flag the given days of one series (pass complete days only)."""
    out = []
    for day in days:
        base = baseline(series, day, window=window, history_start=history_start)
        if base is None:
            continue
        value = series.get(day, 0)
        delta = value - base.expected
        score = base.score(value)
        direction = "up" if delta > 0 else "down"
        if abs(score) >= threshold and abs(delta) >= min_delta and direction in directions:
            out.append(Anomaly(day, dimension, key, value, base.expected, score, direction))
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
