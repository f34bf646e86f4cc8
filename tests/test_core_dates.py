"""UTC calendar days (core/dates.py): strict parsing, ranges, presets, bins, and TZ independence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_cost_tui.core import dates
from openai_cost_tui.core.dates import DateRange
from openai_cost_tui.core.errors import UsageError

TODAY = date(2026, 5, 17)

# ---------------------------------------------------------------------------------------------
# parse_day


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-01-01", date(2026, 1, 1)),
        (" 2026-01-01 ", date(2026, 1, 1)),
        ("\t2026-01-01\n", date(2026, 1, 1)),
        ("2024-02-29", date(2024, 2, 29)),
        ("2026-12-31", date(2026, 12, 31)),
        ("0001-01-01", date(1, 1, 1)),
    ],
)
def test_parse_day_accepts(text: str, day: date) -> None:
    assert dates.parse_day(text) == day


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-30",
        "2025-02-29",
        "2026-13-01",
        "2026-00-10",
        "2026-01-00",
        "2026-01-32",
        "2026-2-3",
        "2026-02-3",
        "2026-2-03",
        "26-02-03",
        "",
        " ",
        "20260101",
        "2026/01/01",
        "2026.01.01",
        "01-01-2026",
        "2026-01-01T00:00",
        "2026-01-01 00:00:00",
        "2026-W01-1",
        "2026-001",
        "2026-01-0a",
        "yyyy-mm-dd",
        "today",
        "２０２６-01-01",
        "2026-01-01" * 1000,
    ],
    ids=repr,
)
def test_parse_day_refuses(text: str) -> None:
    with pytest.raises(UsageError) as info:
        dates.parse_day(text, what="--from")
    assert info.value.exit_code == 2
    assert "--from" in str(info.value)


def test_parse_day_none_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        dates.parse_day(None)  # type: ignore[arg-type]


def test_parse_day_impossible_date_message() -> None:
    with pytest.raises(UsageError, match="not a real calendar date"):
        dates.parse_day("2026-02-30")
    with pytest.raises(UsageError, match="like 2026-05-31"):
        dates.parse_day("2026-2-3")


# ---------------------------------------------------------------------------------------------
# DateRange


def test_date_range_validation() -> None:
    DateRange(TODAY, TODAY)
    with pytest.raises(UsageError, match="starts after it ends"):
        DateRange(date(2026, 5, 2), date(2026, 5, 1))


def test_date_range_basics() -> None:
    r = DateRange(date(2026, 2, 27), date(2026, 3, 2))
    assert r.days == 4
    assert list(r) == [date(2026, 2, 27), date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 2)]
    assert date(2026, 2, 27) in r
    assert date(2026, 3, 2) in r
    assert date(2026, 3, 3) not in r
    assert date(2026, 2, 26) not in r
    assert "2026-02-28" not in r
    assert None not in r
    assert str(r) == "2026-02-27..2026-03-02"
    assert DateRange(TODAY, TODAY).days == 1


def test_date_range_is_frozen_and_hashable() -> None:
    r = DateRange(TODAY, TODAY)
    with pytest.raises(AttributeError):
        r.start = date(2020, 1, 1)  # type: ignore[misc]
    assert {r, DateRange(TODAY, TODAY)} == {r}


def test_parse_defaults_to_month_to_date() -> None:
    assert DateRange.parse(None, None, today=TODAY) == DateRange(date(2026, 5, 1), TODAY)
    assert DateRange.parse(None, None, today=date(2026, 5, 1)) == DateRange(
        date(2026, 5, 1), date(2026, 5, 1)
    )


def test_parse_with_one_end_given() -> None:
    assert DateRange.parse("2026-04-10", None, today=TODAY) == DateRange(date(2026, 4, 10), TODAY)
    assert DateRange.parse(None, "2026-05-10", today=TODAY) == DateRange(date(2026, 5, 1), date(2026, 5, 10))


def test_parse_explicit_range() -> None:
    r = DateRange.parse(" 2025-12-01", "2026-01-31 ", today=TODAY)
    assert r == DateRange(date(2025, 12, 1), date(2026, 1, 31))
    # a range entirely in the future is not this module's business
    assert DateRange.parse("2030-01-01", "2030-01-02", today=TODAY).days == 2


def test_parse_from_after_to() -> None:
    with pytest.raises(UsageError, match="--from 2026-05-10 is after --to 2026-05-01"):
        DateRange.parse("2026-05-10", "2026-05-01", today=TODAY)
    # --to defaults to today: a --from in the future is after it
    with pytest.raises(UsageError, match="after --to"):
        DateRange.parse("2026-06-01", None, today=TODAY)
    # --from defaults to the first of the month: a --to before it is refused
    with pytest.raises(UsageError, match="after --to"):
        DateRange.parse(None, "2026-04-30", today=TODAY)


@pytest.mark.parametrize(("start", "end"), [("2026-02-30", None), (None, "2026-2-3"), ("x", "y")])
def test_parse_names_the_bad_option(start: str | None, end: str | None) -> None:
    with pytest.raises(UsageError) as info:
        DateRange.parse(start, end, today=TODAY)
    assert ("--from" if start else "--to") in str(info.value)
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    ("current", "before"),
    [
        (("2026-05-01", "2026-05-31"), ("2026-03-31", "2026-04-30")),
        (("2026-05-10", "2026-05-10"), ("2026-05-09", "2026-05-09")),
        (("2026-03-01", "2026-03-07"), ("2026-02-22", "2026-02-28")),
        (("2026-01-01", "2026-01-14"), ("2025-12-18", "2025-12-31")),
        (("2024-03-01", "2024-03-31"), ("2024-01-30", "2024-02-29")),
    ],
)
def test_previous(current: tuple[str, str], before: tuple[str, str]) -> None:
    r = DateRange(dates.parse_day(current[0]), dates.parse_day(current[1]))
    p = r.previous()
    assert p == DateRange(dates.parse_day(before[0]), dates.parse_day(before[1]))
    assert p.days == r.days
    assert p.end + timedelta(days=1) == r.start


# ---------------------------------------------------------------------------------------------
# presets


def test_month_to_date() -> None:
    assert dates.month_to_date(TODAY) == DateRange(date(2026, 5, 1), TODAY)
    assert dates.month_to_date(date(2026, 5, 1)).days == 1


@pytest.mark.parametrize(
    ("today", "start", "end"),
    [
        (date(2026, 5, 17), date(2026, 4, 1), date(2026, 4, 30)),
        (date(2026, 1, 1), date(2025, 12, 1), date(2025, 12, 31)),
        (date(2026, 3, 31), date(2026, 2, 1), date(2026, 2, 28)),
        (date(2024, 3, 15), date(2024, 2, 1), date(2024, 2, 29)),
        (date(2026, 12, 31), date(2026, 11, 1), date(2026, 11, 30)),
    ],
)
def test_last_month(today: date, start: date, end: date) -> None:
    assert dates.last_month(today) == DateRange(start, end)


def test_last_n_days() -> None:
    assert dates.last_n_days(TODAY, 1) == DateRange(TODAY, TODAY)
    r = dates.last_n_days(date(2026, 3, 1), 7)
    assert r == DateRange(date(2026, 2, 23), date(2026, 3, 1))
    assert r.days == 7
    assert dates.last_n_days(TODAY, 30).days == 30


def test_year_to_date() -> None:
    assert dates.year_to_date(TODAY) == DateRange(date(2026, 1, 1), TODAY)
    assert dates.year_to_date(date(2026, 1, 1)).days == 1


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 5, 17), 0, date(2026, 5, 1)),
        (date(2026, 5, 17), -1, date(2026, 4, 1)),
        (date(2026, 1, 31), -1, date(2025, 12, 1)),
        (date(2026, 12, 31), 1, date(2027, 1, 1)),
        (date(2026, 5, 17), -17, date(2024, 12, 1)),
        (date(2026, 5, 17), 24, date(2028, 5, 1)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert dates.add_months(day, months) == expected


# ---------------------------------------------------------------------------------------------
# bins


@pytest.mark.parametrize(
    ("day", "week"),
    [
        (date(2026, 1, 1), "2026-W01"),
        (date(2027, 1, 1), "2026-W53"),
        (date(2024, 12, 30), "2025-W01"),
        (date(2021, 1, 3), "2020-W53"),
        (date(2021, 1, 4), "2021-W01"),
        (date(2026, 5, 17), "2026-W20"),
        (date(2026, 12, 28), "2026-W53"),
        (date(2025, 12, 29), "2026-W01"),
    ],
)
def test_week_id_iso(day: date, week: str) -> None:
    assert dates.week_id(day) == week
    assert dates.bin_id("week", day) == week


def test_bin_ids() -> None:
    d = date(2026, 3, 5)
    assert dates.bin_id("day", d) == "2026-03-05"
    assert dates.bin_id("month", d) == "2026-03"
    assert dates.month_id(date(987, 1, 9)) == "0987-01"
    with pytest.raises(ValueError):
        dates.bin_id("service", d)


# ---------------------------------------------------------------------------------------------
# unix seconds <-> UTC days


def test_unix_examples() -> None:
    assert dates.day_start_unix(date(1970, 1, 1)) == 0
    assert dates.day_start_unix(date(2026, 5, 1)) == int(datetime(2026, 5, 1, tzinfo=UTC).timestamp())
    assert dates.unix_to_day(0) == date(1970, 1, 1)
    assert dates.unix_to_day(86399) == date(1970, 1, 1)
    assert dates.unix_to_day(86400) == date(1970, 1, 2)
    assert dates.unix_to_day(-1) == date(1969, 12, 31)
    start = dates.day_start_unix(date(2026, 5, 17))
    assert dates.unix_to_day(start - 1) == date(2026, 5, 16)
    assert dates.unix_to_day(start + 86399) == date(2026, 5, 17)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), st.integers(0, 86399))
def test_unix_round_trip(day: date, second: int) -> None:
    start = dates.day_start_unix(day)
    assert start % 86400 == 0
    assert dates.unix_to_day(start) == day
    assert dates.unix_to_day(start + second) == day
    assert datetime.fromtimestamp(start, UTC).date() == day


def test_today_utc() -> None:
    assert dates.today_utc(datetime(2026, 5, 17, 23, 59, tzinfo=UTC)) == date(2026, 5, 17)
    kiritimati = timezone(timedelta(hours=14))
    assert dates.today_utc(datetime(2026, 1, 1, 10, 0, tzinfo=kiritimati)) == date(2025, 12, 31)
    la = timezone(timedelta(hours=-8))
    assert dates.today_utc(datetime(2025, 12, 31, 20, 0, tzinfo=la)) == date(2026, 1, 1)
    assert isinstance(dates.today_utc(), date)


# ---------------------------------------------------------------------------------------------
# Days are UTC (RELIABILITY.md): the same answers whatever the local time zone

_PROBE = r"""
import json, time
from datetime import UTC, date, datetime, timedelta, timezone
from openai_cost_tui.core import dates

out = {"offset": time.strftime("%z", time.localtime(1767268800))}
stamps = [0, 1767225599, 1767225600, 1767268800, 1767311999, 1798761599, 1798761600, 1735516800]
out["days"] = [dates.unix_to_day(s).isoformat() for s in stamps]
out["starts"] = [dates.day_start_unix(date(2026, 1, 1)), dates.day_start_unix(date(2026, 12, 31))]
out["bins"] = [
    [dates.bin_id(b, dates.unix_to_day(s)) for b in ("day", "week", "month")] for s in stamps
]
moments = [
    datetime(2026, 1, 1, 0, 30, tzinfo=UTC),
    datetime(2025, 12, 31, 23, 30, tzinfo=UTC),
    datetime(2026, 1, 1, 10, 0, tzinfo=timezone(timedelta(hours=14))),
    datetime(2025, 12, 31, 20, 0, tzinfo=timezone(timedelta(hours=-8))),
]
out["today"] = [dates.today_utc(m).isoformat() for m in moments]
out["now"] = dates.today_utc().isoformat() == datetime.now(UTC).date().isoformat()
r = dates.DateRange.parse(None, None, today=dates.unix_to_day(1767268800))
out["range"] = [str(r), str(r.previous()), str(dates.last_month(r.end))]
print(json.dumps(out))
"""


def _probe(tz: str) -> dict:
    env = dict(os.environ, TZ=tz)
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(proc.stdout)


def test_days_are_utc_under_any_local_time_zone() -> None:
    utc = _probe("UTC")
    kiritimati = _probe("Pacific/Kiritimati")
    los_angeles = _probe("America/Los_Angeles")
    # the probes really ran in different zones (otherwise the comparison proves nothing)
    assert utc["offset"] == "+0000"
    assert kiritimati["offset"] == "+1400"
    assert los_angeles["offset"] == "-0800"
    for key in ("days", "starts", "bins", "today", "now", "range"):
        assert kiritimati[key] == utc[key], key
        assert los_angeles[key] == utc[key], key
    assert utc["days"][:4] == ["1970-01-01", "2025-12-31", "2026-01-01", "2026-01-01"]
    assert utc["today"] == ["2026-01-01", "2025-12-31", "2025-12-31", "2026-01-01"]
    assert utc["now"] is True
