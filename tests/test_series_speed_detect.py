"""detect lets a day go before its spread when the day could not be flagged (a move under min_delta, a
direction not asked for, or too small for the threshold even at the least spread), and reads each
weekday list's statistics once per series: it flags exactly what the baseline's definition flags, with
the same scores, whatever the threshold, min_delta, directions, window and history."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from openai_cost_tui.core import anomalies as A
from tests.test_anomalies import END, START, _reference_baseline, days, rhythm


def by_definition(series, check, *, window, history_start, threshold, min_delta, directions):
    out = []
    for day in check:
        base = _reference_baseline(series, day, window=window, history_start=history_start)
        if base is None:
            continue
        value = series.get(day, 0)
        delta, score = value - base.expected, base.score(value)
        direction = "up" if delta > 0 else "down"
        if abs(score) >= threshold and abs(delta) >= min_delta and direction in directions:
            out.append(A.Anomaly(day, "project", ("P",), value, base.expected, score, direction))
    return out


@pytest.mark.parametrize("seed", range(10))
def test_detect_with_any_options_flags_what_the_definition_flags(seed: int) -> None:
    rng = random.Random(300 + seed)
    kind = seed % 3
    series = {}
    for d in days():
        if kind == 0:  # a weekly rhythm with noise and spikes
            series[d] = rhythm(d) * rng.randrange(70, 130) // 100
        elif kind == 1:  # sparse, with credits
            if rng.random() < 0.4:
                series[d] = rng.randrange(-200, 400) * A.MIN_DELTA // 3
        else:  # tiny amounts: most moves are under a dollar
            series[d] = rng.randrange(0, 3 * A.MIN_DELTA)
    for d in rng.sample(days(START + timedelta(days=40), END), 8):
        series[d] = rng.choice([0, 7 * rhythm(d), -2 * A.MIN_DELTA, 3 * A.MIN_DELTA])
    check = days(START + timedelta(days=rng.randrange(1, 30)), END)
    found_any = 0
    for options in ({"threshold": 8.0, "min_delta": A.MIN_DELTA, "directions": ("up", "down")},
                    {"threshold": 2.0, "min_delta": 0, "directions": ("up", "down")},
                    {"threshold": 0.5, "min_delta": A.MIN_DELTA // 10, "directions": ("down",)},
                    {"threshold": 4.0, "min_delta": 5 * A.MIN_DELTA, "directions": ("up",)}):
        for window in (A.WINDOW, 30):
            for history_start in (None, START + timedelta(days=rng.randrange(0, 20))):
                got = A.detect(series, check, dimension="project", key=("P",), window=window,
                               history_start=history_start, **options)
                want = by_definition(series, check, window=window, history_start=history_start, **options)
                assert got == want, (options, window, history_start)
                found_any += len(got)
    assert found_any
