"""Anomalies and drivers on synthetic series with hand-computed answers (amounts in dollars * D)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from openai_cost_tui.core import anomalies as A

D = 10**18
START = date(2026, 1, 1)  # a Thursday
END = date(2026, 4, 30)


def days(start: date = START, end: date = END) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def rhythm(d: date) -> int:
    """Weekdays $100, weekends $40."""
    return (40 if d.weekday() >= 5 else 100) * D


def make(value=rhythm) -> dict[date, int]:
    return {d: value(d) for d in days()}


CHECK = days(START + timedelta(days=A.MIN_HISTORY), END)  # every day with enough history
TYPICAL = 580 / 7  # mean of the weekday medians: (5 * 100 + 2 * 40) / 7 dollars


def test_weekly_rhythm_is_expected_not_flagged() -> None:
    s = make()
    assert A.detect(s, CHECK) == []
    monday, saturday = date(2026, 3, 2), date(2026, 3, 7)
    assert A.baseline(s, monday).expected == pytest.approx(100 * D, rel=1e-12)
    assert A.baseline(s, saturday).expected == pytest.approx(40 * D, rel=1e-12)
    assert A.baseline(s, monday).days == A.WINDOW


def test_a_weekday_spike_is_flagged_with_a_hand_computed_score() -> None:
    s = make()
    spike = date(2026, 3, 4)  # a Wednesday
    s[spike] = 500 * D
    [a] = A.detect(s, CHECK, dimension="project", key=("Support Bot",))
    assert (a.day, a.dimension, a.series, a.value, a.direction) == (
        spike,
        "project",
        ("Support Bot",),
        500 * D,
        "up",
    )
    assert a.expected == pytest.approx(100 * D, rel=1e-12)
    # no noise, so the spread is its floor: 5% of the level (580/7 dollars)
    assert a.score == pytest.approx(400 / (0.05 * TYPICAL))  # 96.55...
    assert a.delta == a.value - a.expected and a.label == "Support Bot"


def test_a_weekend_spike_is_judged_against_weekends() -> None:
    s = make()
    s[date(2026, 3, 7)] = 120 * D  # a Saturday at 3x the weekend level, still only 1.2x a weekday
    [a] = A.detect(s, CHECK)
    assert a.day == date(2026, 3, 7)
    assert a.expected == pytest.approx(40 * D, rel=1e-12)
    assert a.score == pytest.approx(80 / (0.05 * TYPICAL))


def test_noisy_rhythm_is_quiet_and_a_5x_spike_still_stands_out() -> None:
    rng = random.Random(11)
    s = {d: round(rhythm(d) * rng.lognormvariate(0, 0.2)) for d in days()}
    assert A.detect(s, CHECK) == []
    spike = date(2026, 3, 18)
    s[spike] = 5 * rhythm(spike)
    assert [a.day for a in A.detect(s, CHECK)] == [spike]


def test_month_lengths_do_not_fake_a_change() -> None:
    s = make(lambda d: 10 * D)  # February totals $280, March $310: the same daily cost
    assert sum(v for d, v in s.items() if d.month == 2) == 280 * D
    assert sum(v for d, v in s.items() if d.month == 3) == 310 * D
    assert A.detect(s, days(date(2026, 2, 1), END)) == []


def test_a_drop_is_flagged_down_and_can_be_ignored() -> None:
    s = make()
    s[date(2026, 3, 10)] = 0
    [a] = A.detect(s, CHECK)
    assert (a.direction, a.value) == ("down", 0)
    assert a.score == pytest.approx(-100 / (0.05 * TYPICAL))
    assert A.detect(s, CHECK, directions=("up",)) == []


def test_moves_under_min_delta_are_not_news() -> None:
    s = make(lambda d: 10**16)  # one cent a day
    s[date(2026, 3, 4)] = 10 * 10**16  # ten cents: 10x, but 9 cents is not worth a flag
    assert A.detect(s, CHECK) == []
    assert len(A.detect(s, CHECK, min_delta=5 * 10**16)) == 1


def test_too_little_history_flags_nothing() -> None:
    s = make()
    early = START + timedelta(days=A.MIN_HISTORY - 1)
    s[early] = 1000 * D
    assert A.baseline(s, early) is None
    assert A.detect(s, [early]) == []
    assert A.baseline(s, early, history_start=START - timedelta(days=30)) is not None  # covered zeros


def test_a_new_spending_level_is_news_for_about_a_week() -> None:
    step = date(2026, 3, 2)
    s = make(lambda d: rhythm(d) * (3 if d >= step else 1))
    flagged = [a.day for a in A.detect(s, CHECK)]
    assert flagged[0] == step
    assert all(step <= d < step + timedelta(days=A.LEVEL_DAYS // 2 + 1) for d in flagged)


def test_detect_all_sorts_strongest_first() -> None:
    a, b = make(), make()
    a[date(2026, 3, 4)] = 300 * D
    b[date(2026, 3, 5)] = 900 * D
    found = A.detect_all({("a",): a, ("b",): b}, "service", CHECK)
    assert [(x.series, x.day) for x in found] == [(("b",), date(2026, 3, 5)), (("a",), date(2026, 3, 4))]


def test_drivers_rank_the_children_that_moved() -> None:
    day = date(2026, 3, 4)
    children = {
        "gpt-4o": {d: 50 * D for d in days()},
        "o3": {d: 30 * D for d in days()},
        "embeddings": {d: 20 * D for d in days()},
        "new-key": {day: 10 * D},  # no history: expected 0
    }
    children["o3"][day] = 230 * D
    children["gpt-4o"][day] = 45 * D
    ranked = A.drivers(children, day, direction="up", history_start=START)
    assert [r.name for r in ranked] == ["o3", "new-key", "gpt-4o"]  # "embeddings" did not move
    o3 = ranked[0]
    assert (o3.value, o3.expected, o3.delta) == (230 * D, 30 * D, 200 * D)
    assert o3.share == pytest.approx(200 / 205)  # of the parent's net move (+200 +10 -5)
    assert ranked[1].expected == 0 and ranked[2].delta == -5 * D
    assert [r.name for r in A.drivers(children, day, direction="down")][0] == "gpt-4o"
    assert len(A.drivers(children, day, limit=1)) == 1


def test_negative_series_use_additive_offsets() -> None:
    s = make(lambda d: -rhythm(d))  # e.g. a refund stream: -$100 weekdays, -$40 weekends
    assert A.detect(s, CHECK) == []
    assert A.baseline(s, date(2026, 3, 7)).expected == pytest.approx(-40 * D, rel=1e-12)
    s[date(2026, 3, 4)] = -600 * D
    [a] = A.detect(s, CHECK)
    assert (a.day, a.direction) == (date(2026, 3, 4), "down")


def _reference_baseline(series, day, *, window=A.WINDOW, history_start=None, min_history=A.MIN_HISTORY):
    """The baseline as first written, straight from its definition (medians re-sorted every time)."""
    import statistics

    def loo_sigma(by_wd, keep):
        res = [abs(v - statistics.median(vs[:i] + vs[i + 1:])) for w, vs in by_wd.items()
               if keep(w) and len(vs) > 1 for i, v in enumerate(vs)]
        return 1.4826 * statistics.median(res) if res else 0.0

    if history_start is None:
        history_start = min(series, default=day)
    first = max(day - timedelta(days=window), history_start)
    span = [first + timedelta(days=i) for i in range((day - first).days)]
    if len(span) < max(1, min_history):
        return None
    by_wd: dict[int, list[float]] = {}
    for d in span:
        by_wd.setdefault(d.weekday(), []).append(float(series.get(d, 0)))
    medians = {w: statistics.median(vs) for w, vs in by_wd.items()}
    typical = statistics.fmean(medians.values())
    recent = [(d.weekday(), float(series.get(d, 0))) for d in span[-A.LEVEL_DAYS:]]
    if typical > 0 and min(medians.values()) >= 0:
        factor = {w: m / typical for w, m in medians.items()}
        level = statistics.median([v / factor[w] for w, v in recent if factor[w] > 0] or [0.0])
        expected = level * factor.get(day.weekday(), 1.0)
    else:
        offset = {w: m - typical for w, m in medians.items()}
        level = statistics.median(v - offset[w] for w, v in recent)
        expected = level + offset.get(day.weekday(), 0.0)
    spread = max(loo_sigma(by_wd, lambda w: w < 5), A.REL_FLOOR * max(abs(typical), abs(level)), 1.0)
    if day.weekday() >= 5:
        spread = max(spread, loo_sigma(by_wd, lambda w: w >= 5))
    return A.Baseline(round(expected), spread, expected, len(span))


@pytest.mark.parametrize("seed", range(12))
def test_fast_baseline_equals_its_definition_to_the_last_bit(seed: int) -> None:
    """The leave-one-out medians read off one sorted list give the very floats of re-sorting each time,
    on noisy, tied (many equal days), sparse, negative (credits) and short series."""
    rng = random.Random(seed)
    kind = seed % 4
    series = {}
    for d in days():
        if kind == 0:
            series[d] = rng.randrange(0, 500) * D // 7
        elif kind == 1:  # ties: few distinct values
            series[d] = rng.choice([0, 0, 40, 100]) * D
        elif kind == 2:  # sparse, some credits
            if rng.random() < 0.3:
                series[d] = rng.randrange(-300, 300) * D
        else:
            series[d] = rng.randrange(1, 10**6)
    for day in days(START + timedelta(days=1), END):
        for history_start in (None, START - timedelta(days=10)):
            for min_history in (A.MIN_HISTORY, 1):
                kw = {"history_start": history_start, "min_history": min_history}
                assert A.baseline(series, day, **kw) == _reference_baseline(series, day, **kw), (day, kw)


@pytest.mark.parametrize("seed", range(8))
def test_detect_flags_what_the_definition_flags(seed: int) -> None:
    """detect reads each day's window from one dense list; it flags exactly the days (with the same
    expectation and score) that the baseline's definition flags, spikes and dips included."""
    rng = random.Random(100 + seed)
    series = {d: rhythm(d) * rng.randrange(80, 120) // 100 for d in days() if rng.random() < 0.9}
    history_start = rng.choice([None, START, START + timedelta(days=20)])
    check = days(START + timedelta(days=rng.randrange(1, 40)), END)
    for d in rng.sample(days(START + timedelta(days=60), END), 6):
        series[d] = rng.choice([0, 9 * rhythm(d), -3 * D])
    series[END - timedelta(days=3)] = 9 * rhythm(END - timedelta(days=3))
    want = []
    for day in check:
        base = _reference_baseline(series, day, history_start=history_start)
        if base is None:
            continue
        value = series.get(day, 0)
        delta, score = value - base.expected, base.score(value)
        if abs(score) >= A.THRESHOLD and abs(delta) >= A.MIN_DELTA:
            want.append(A.Anomaly(day, "service", ("S",), value, base.expected, score, "up" if delta > 0 else "down"))
    got = A.detect(series, check, dimension="service", key=("S",), history_start=history_start)
    assert got == want
    assert any(a.direction == "up" for a in got)
