"""Month-end forecast on synthetic series with hand-computed answers (amounts in whole dollars * D)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from openai_cost_tui.core.forecast import forecast_month, median

D = 10**18  # one dollar in atto-dollars
TODAY = date(2026, 3, 15)  # a Sunday; March 2026 has 31 days and starts on a Sunday


def days(start: date, end: date):
    """start..end inclusive."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def series(start: date, end: date, value) -> dict[date, int]:
    return {d: (value(d) if callable(value) else value) * D for d in days(start, end)}


def flat(value: int, end: date = TODAY - timedelta(days=1)) -> dict[date, int]:
    return series(date(2026, 1, 1), end, value)


def test_flat_series_forecasts_the_month_exactly() -> None:
    f = forecast_month(flat(100), TODAY)
    assert (f.month_start, f.month_end, f.as_of) == (date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 14))
    assert f.actual == 14 * 100 * D  # March 1..14
    assert f.remaining == 17 * 100 * D  # March 15 (today) .. 31
    assert f.total == f.low == f.high == 3100 * D
    assert (f.basis_days, f.trend_per_day, f.days_left) == (42, 0, 17)
    assert all(isinstance(x, int) for x in (f.actual, f.remaining, f.total, f.low, f.high))


@pytest.mark.parametrize(
    ("today", "month_days"),
    [(date(2026, 2, 10), 28), (date(2028, 2, 10), 29), (date(2026, 4, 10), 30), (date(2026, 3, 10), 31)],
)
def test_month_length_is_respected(today: date, month_days: int) -> None:
    f = forecast_month(series(date(2025, 12, 1), today - timedelta(days=1), 10), today)
    assert f.total == month_days * 10 * D
    assert f.actual == (today.day - 1) * 10 * D


def test_today_is_partial_and_excluded() -> None:
    data = flat(100)
    data[TODAY] = 35 * D  # the bucket still filling
    data[TODAY + timedelta(days=1)] = 999 * D  # nothing after today counts either
    f = forecast_month(data, TODAY)
    assert f.actual == 1400 * D
    assert f.total == 3100 * D


def test_weekly_rhythm_weekends_lower() -> None:
    # weekdays $100, weekends $40: March 2026 has 22 weekdays and 9 weekend days
    f = forecast_month(flat(lambda d: 40 if d.weekday() >= 5 else 100), TODAY)
    assert f.total == (22 * 100 + 9 * 40) * D
    assert f.actual == (10 * 100 + 4 * 40) * D  # March 1..14: 10 weekdays, 4 weekend days
    assert f.low == f.high == f.total and f.trend_per_day == 0


def test_spike_in_history_does_not_dominate() -> None:
    data = flat(100)
    data[date(2026, 2, 18)] = 5000 * D  # a Wednesday inside the 6-week window
    f = forecast_month(data, TODAY)
    assert f.total == 3100 * D
    assert f.trend_per_day == 0


def test_spike_this_month_counts_once_in_actual_only() -> None:
    data = flat(100)
    data[date(2026, 3, 4)] = 5000 * D
    f = forecast_month(data, TODAY)
    assert f.actual == (13 * 100 + 5000) * D
    assert f.remaining == 17 * 100 * D
    assert f.low <= f.total <= f.high


def test_linear_trend_is_extrapolated() -> None:
    # $100 + $1 per day since Jan 1: March 1 is day 59, March 31 day 89
    data = flat(lambda d: 100 + (d - date(2026, 1, 1)).days)
    f = forecast_month(data, TODAY)
    assert f.trend_per_day == 1 * D
    assert f.total == (31 * 100 + sum(range(59, 90))) * D  # 3100 + 2294
    assert f.total == 5394 * D


def test_falling_trend_is_floored_at_zero() -> None:
    # 90 - 2k dollars on day k since Feb 1: Mar 14 (k=41) costs 8; then 6, 4, 2, 0, and never below
    data = series(date(2026, 2, 1), date(2026, 3, 14), lambda d: 90 - 2 * (d - date(2026, 2, 1)).days)
    f = forecast_month(data, TODAY)
    assert f.trend_per_day == -2 * D
    assert f.actual == (1260 - 966) * D  # k = 28..41
    assert f.remaining == (6 + 4 + 2) * D


def test_first_day_of_month_uses_last_month() -> None:
    today = date(2026, 3, 1)
    f = forecast_month(flat(100, end=date(2026, 2, 28)), today)
    assert (f.actual, f.total, f.as_of) == (0, 3100 * D, date(2026, 2, 28))


def test_few_days_of_data_fall_back_to_all_history() -> None:
    # a new series: Thu 90, Fri 100, Sat 110 -> every weekday's level is their median, 100
    data = {date(2026, 3, 12): 90 * D, date(2026, 3, 13): 100 * D, date(2026, 3, 14): 110 * D}
    f = forecast_month(data, TODAY)
    assert f.basis_days == 3
    assert f.actual == 300 * D
    assert f.total == (300 + 17 * 100) * D
    assert f.low < f.total < f.high  # few days, noisy: a real range
    assert f.low >= f.actual  # never below what is already spent


def test_history_start_limits_what_counts_as_zero() -> None:
    data = {date(2026, 3, 14): 50 * D}
    unknown = forecast_month(data, TODAY)  # history starts at the only day
    covered = forecast_month(data, TODAY, history_start=date(2026, 1, 1))  # 41 empty days before
    assert unknown.total == (50 + 17 * 50) * D
    assert covered.total == 50 * D


def test_empty_series() -> None:
    f = forecast_month({}, TODAY)
    assert (f.actual, f.remaining, f.total, f.low, f.high, f.basis_days) == (0, 0, 0, 0, 0, 0)


def test_all_zero_series() -> None:
    f = forecast_month(flat(0), TODAY)
    assert (f.actual, f.total, f.low, f.high) == (0, 0, 0, 0)


def test_credits_negative_days() -> None:
    data = flat(100)
    data[date(2026, 3, 3)] = -30 * D  # a promotional credit this month
    data[date(2026, 2, 10)] = -500 * D  # and one last month, inside the window
    f = forecast_month(data, TODAY)
    assert f.actual == (13 * 100 - 30) * D
    assert f.total == (13 * 100 - 30 + 17 * 100) * D


def test_credits_only_series_stays_at_actual() -> None:
    data = {date(2026, 2, 10): -500 * D, date(2026, 3, 3): -30 * D}
    f = forecast_month(data, TODAY, history_start=date(2026, 1, 1))
    assert f.total == f.actual == -30 * D


def test_noisy_series_has_an_ordered_range() -> None:
    rng = random.Random(5)
    data = {d: round(100 * D * rng.lognormvariate(0, 0.2)) for d in days(date(2026, 1, 1), date(2026, 3, 14))}
    f = forecast_month(data, TODAY)
    assert f.actual <= f.low < f.total < f.high
    assert 2600 * D < f.total < 3600 * D


def test_odd_amounts_round_half_even_once() -> None:
    data = {d: 1 for d in days(date(2026, 2, 1), date(2026, 3, 14))}  # one atto-dollar a day
    data[date(2026, 3, 2)] = 2  # a Monday
    assert forecast_month(data, TODAY).total == 31 + 1
    assert median([1, 2]) * 2 == 3


def test_median_is_exact() -> None:
    assert median([3, 1, 2]) == 2
    assert median([1, 2, 3, 10**40]) == 2.5


def test_month_to_date_includes_todays_partial_day_also_on_the_first() -> None:
    today = date(2026, 3, 1)
    data = flat(100, end=date(2026, 2, 28)) | {today: 40 * D}  # the 1st, 40 spent so far
    f = forecast_month(data, today)
    assert (f.actual, f.today_so_far, f.month_to_date) == (0, 40 * D, 40 * D)  # not "0.00 so far"
    assert f.total == 3100 * D  # today's 40 so far is below its usual 100: the model's day stands


def test_a_day_already_above_its_forecast_lifts_the_month() -> None:
    data = flat(100) | {TODAY: 700 * D}  # today already spent 7 usual days
    f = forecast_month(data, TODAY)
    assert f.month_to_date == (14 * 100 + 700) * D
    assert f.total == (14 * 100 + 700 + 16 * 100) * D  # today ends at least at 700, the rest as usual
    assert f.low >= f.month_to_date
