"""Which windows a sync fetches: newest first, the whole backfill, nothing missed, nothing repeated."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from openai_cost_tui.sync.plan import plan_windows

TODAY = date(2026, 11, 27)


def days(windows) -> list[date]:
    out = []
    for start, end in windows:
        out += [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return out


def test_first_sync_backfills_everything_newest_first() -> None:
    windows = plan_windows(today=TODAY, backfill_start=date(2025, 11, 1), covered_from=None, covered_to=None)
    assert windows[0] == (date(2026, 10, 28), TODAY)  # the current month lands first
    assert sorted(days(windows)) == [date(2025, 11, 1) + timedelta(days=i) for i in range(392)]
    assert len(windows) == 4  # 31 + 180 + 180 + 1 days: a page (180 buckets) each, plus the quick first one
    assert all((e - s).days < 180 for s, e in windows)


def test_incremental_sync_rereads_the_trailing_window() -> None:
    windows = plan_windows(today=TODAY, backfill_start=date(2025, 11, 1), covered_from=date(2025, 11, 1),
                           covered_to=TODAY)
    assert windows == [(date(2026, 11, 23), TODAY)]


def test_after_a_pause_the_gap_is_refetched() -> None:
    windows = plan_windows(today=TODAY, backfill_start=date(2025, 11, 1), covered_from=date(2025, 11, 1),
                           covered_to=date(2026, 11, 10))
    assert windows == [(date(2026, 11, 7), TODAY)]  # 3 days before the last stored day, then the gap


def test_an_interrupted_backfill_resumes_below_what_is_stored() -> None:
    windows = plan_windows(today=TODAY, backfill_start=date(2025, 11, 1), covered_from=date(2026, 10, 28),
                           covered_to=TODAY)
    assert windows[0] == (date(2026, 11, 23), TODAY)
    assert min(days(windows)) == date(2025, 11, 1)
    assert max(days(windows[1:])) == date(2026, 10, 27)


def test_since_rereads_from_that_day() -> None:
    windows = plan_windows(today=TODAY, backfill_start=date(2025, 11, 1), covered_from=date(2025, 11, 1),
                           covered_to=TODAY, since=date(2026, 9, 1))
    assert sorted(days(windows)) == [date(2026, 9, 1) + timedelta(days=i) for i in range(88)]


@given(
    back=st.integers(0, 800),
    cov_from=st.one_of(st.none(), st.integers(0, 800)),
    cov_len=st.integers(0, 800),
    trailing=st.integers(0, 10),
)
def test_plan_covers_backfill_through_today_without_overlap(back, cov_from, cov_len, trailing) -> None:
    backfill = TODAY - timedelta(days=back)
    covered_from = covered_to = None
    if cov_from is not None:
        covered_from = TODAY - timedelta(days=cov_from)
        covered_to = min(TODAY, covered_from + timedelta(days=cov_len))
    windows = plan_windows(today=TODAY, backfill_start=backfill, covered_from=covered_from, covered_to=covered_to,
                           trailing_days=trailing)
    got = days(windows)
    assert len(got) == len(set(got)), "a day fetched twice"
    want_from = min(backfill, covered_from) if covered_from and backfill >= covered_from else backfill
    stored = set()
    if covered_from is not None:
        stored = {covered_from + timedelta(days=i) for i in range((covered_to - covered_from).days + 1)}
    everything = {want_from + timedelta(days=i) for i in range((TODAY - want_from).days + 1)}
    assert everything - stored <= set(got)  # every missing day is fetched
    assert TODAY in got  # today is always refreshed
    assert [w[1] for w in windows] == sorted((w[1] for w in windows), reverse=True) or covered_from is not None


def test_rechunk_keeps_small_orgs_and_cuts_large_ones() -> None:
    from openai_cost_tui.sync.plan import rechunk, window_days

    windows = plan_windows(today=TODAY, backfill_start=date(2025, 11, 1), covered_from=None, covered_to=None)
    rest = windows[1:]
    assert rechunk(rest, rows_per_day=300) == rest  # a demo-sized org: 180-day windows, fewest requests
    cut = rechunk(rest, rows_per_day=5000)  # 150k rows / 5k a day = 30-day windows
    assert all(window_days(w) <= 30 for w in cut)
    assert sorted(days(cut)) == sorted(days(rest))  # the same days, none twice
    assert [w[1] for w in cut] == sorted((w[1] for w in cut), reverse=True)  # still newest first
    tiny = rechunk(rest, rows_per_day=10**9)  # never below a week, but for each window's oldest remainder
    assert all(window_days(w) == 7 for w in tiny if w[0] not in {r[0] for r in rest})
    assert rechunk(rest, rows_per_day=0) == rest


def test_rechunk_cuts_a_large_org_at_month_starts_where_a_window_holds_a_month() -> None:
    from openai_cost_tui.sync.plan import rechunk, window_days

    windows = plan_windows(today=TODAY, backfill_start=date(2025, 11, 1), covered_from=None, covered_to=None)
    rest = windows[1:]  # below the first 31 days: from 2025-11-01 through 2026-10-27
    cut = rechunk(rest, rows_per_day=4500)  # 150k rows / 4.5k a day = 33-day windows: a month each
    assert cut[0] == (date(2026, 10, 1), date(2026, 10, 27))  # the rest of the month the first window cut
    assert cut[1:4] == [(date(2026, 9, 1), date(2026, 9, 30)), (date(2026, 8, 1), date(2026, 8, 31)),
                        (date(2026, 7, 1), date(2026, 7, 31))]
    assert cut[-1] == (date(2025, 11, 1), date(2025, 11, 30))
    assert all(window_days(w) <= 33 for w in cut)
    assert sorted(days(cut)) == sorted(days(rest))


@given(start=st.integers(0, 900), span=st.integers(0, 900), size=st.integers(31, 180))
def test_month_windows_cover_each_day_once_newest_first_within_the_size(start, span, size) -> None:
    from openai_cost_tui.sync.plan import by_months, window_days

    first = date(2024, 1, 1) + timedelta(days=start)
    last = first + timedelta(days=span)
    windows = by_months(first, last, size)
    assert days(sorted(windows)) == [first + timedelta(days=i) for i in range(span + 1)]
    assert [w[1] for w in windows] == sorted((w[1] for w in windows), reverse=True)
    assert all(window_days(w) <= size for w in windows)
    assert all(s.day == 1 or s == first for s, _ in windows)  # each begins on the 1st, but the oldest
    assert all((e + timedelta(days=1)).day == 1 or e == last for _, e in windows)  # ends on a month's end
    assert len(windows) <= span // 28 + 2  # a window holds a month at least


def test_rechunk_never_joins_windows_across_days_already_stored() -> None:
    from openai_cost_tui.sync.plan import rechunk

    windows = plan_windows(today=TODAY, backfill_start=date(2025, 11, 1), covered_from=date(2026, 10, 28),
                           covered_to=TODAY)  # an interrupted backfill: the trailing days, then below the 28th
    cut = rechunk(windows, rows_per_day=4500)
    assert cut[0] == windows[0] == (date(2026, 11, 23), TODAY)
    assert cut[1] == (date(2026, 10, 1), date(2026, 10, 27))
    assert not {date(2026, 10, 28) + timedelta(days=i) for i in range(26)} & set(days(cut))
    assert sorted(days(cut)) == sorted(days(windows))


@given(
    back=st.integers(0, 800),
    cov_from=st.one_of(st.none(), st.integers(0, 800)),
    cov_len=st.integers(0, 800),
    rows_per_day=st.one_of(st.just(0), st.integers(1, 200_000)),
)
def test_rechunked_plans_fetch_the_same_days_once_within_the_size(back, cov_from, cov_len, rows_per_day) -> None:
    from openai_cost_tui.sync.plan import CHUNK_DAYS, MIN_WINDOW_DAYS, WINDOW_ROWS, rechunk, window_days

    covered_from = covered_to = None
    if cov_from is not None:
        covered_from = TODAY - timedelta(days=cov_from)
        covered_to = min(TODAY, covered_from + timedelta(days=cov_len))
    planned = plan_windows(today=TODAY, backfill_start=TODAY - timedelta(days=back), covered_from=covered_from,
                           covered_to=covered_to)
    first, rest = planned[0], planned[1:]  # as the engine: the windows still to come, after the first
    cut = rechunk(rest, rows_per_day=rows_per_day)
    again = rechunk(cut, rows_per_day=rows_per_day)  # the engine cuts what is left again after each window
    for windows in (cut, again):
        got = days([first, *windows])
        assert len(got) == len(set(got)) and set(got) == set(days(planned))
        size = max(MIN_WINDOW_DAYS, min(CHUNK_DAYS, WINDOW_ROWS // rows_per_day)) if rows_per_day else CHUNK_DAYS
        assert all(window_days(w) <= size for w in windows)
        assert [w[1] for w in windows] == sorted((w[1] for w in windows), reverse=True)
    if not rows_per_day or WINDOW_ROWS // rows_per_day >= CHUNK_DAYS:
        assert len(cut) <= len(rest)  # a small organization: no more requests than planned


def test_rechunk_keeps_a_single_stored_day_between_windows_unfetched() -> None:
    from openai_cost_tui.sync.plan import rechunk

    windows = plan_windows(today=TODAY, backfill_start=date(2025, 11, 1), covered_from=date(2026, 9, 1),
                           covered_to=date(2026, 9, 5))  # re-read from 2 September, then below the 1st
    rest = windows[1:]
    assert date(2026, 9, 1) not in days(windows)
    for rows_per_day in (4500, 6000, 20_000):  # month windows, then windows of 25 and 7 days
        cut = rechunk(rest, rows_per_day=rows_per_day)
        assert sorted(days(cut)) == sorted(days(rest)), rows_per_day


def test_month_cuts_cost_at_most_a_window_more_than_cuts_at_the_size() -> None:
    from openai_cost_tui.sync.plan import rechunk, window_days

    rest = plan_windows(today=TODAY, backfill_start=date(2025, 11, 1), covered_from=None, covered_to=None)[1:]
    span = sum(map(window_days, rest))
    for rows_per_day in (2600, 3000, 3500, 4500, 4800):  # 57, 50, 42, 33 and 31 days a window
        size = 150_000 // rows_per_day
        cut = rechunk(rest, rows_per_day=rows_per_day)
        at_size = -(-span // size)
        assert len(cut) <= at_size + 1, (rows_per_day, len(cut), at_size)  # at 57 days: not a month each
        assert all(window_days(w) <= size for w in cut)


def test_windows_cut_short_for_a_busy_month_grow_back_when_the_days_after_are_quiet() -> None:
    from openai_cost_tui.sync.plan import rechunk, window_days

    rest = plan_windows(today=TODAY, backfill_start=date(2025, 11, 1), covered_from=None, covered_to=None)[1:]
    busy = rechunk(rest, rows_per_day=30_000)  # a week a window
    assert len(busy) > 40
    quiet = rechunk(busy[1:], rows_per_day=300)  # after one of them, a small organization's days
    assert len(quiet) <= len(rest) and all(window_days(w) <= 180 for w in quiet)
    assert sorted(days(quiet)) == sorted(days(busy[1:]))
