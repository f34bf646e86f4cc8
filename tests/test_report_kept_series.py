"""``kept_series`` answers a view's trend and flags only from what is kept (the screen then paints the
figures, the trend and the marks in one go): None, reading no cost, until ``with_series`` has read
them; after that exactly ``with_series``'s answer, for every view of the merged-series test."""

from __future__ import annotations

from openai_cost_tui.services.report_query import kept_series, load_report, with_series
from tests.test_report_series_merged import STATES, Counting


def test_kept_series_reads_nothing_and_answers_as_with_series_once_kept(demo_copy, monkeypatch) -> None:
    store, today = demo_copy.store, demo_copy.today
    pivots = Counting(store, monkeypatch)
    for state in STATES:
        data = load_report(store, state, today)
        before = pivots.since(lambda d=data: kept_series(store, d, today))
        assert before == 0, state  # a miss reads no cost either
        full = with_series(store, data, today)
        found = []
        assert pivots.since(lambda d=data, out=found: out.append(kept_series(store, d, today))) == 0, state
        assert found[0] is not None, state
        assert (found[0].grid.series, found[0].grid.flags, found[0].days) \
            == (full.grid.series, full.grid.flags, full.days), state


def test_kept_series_misses_rows_not_read_yet(demo_copy) -> None:
    store, today = demo_copy.store, demo_copy.today
    few, every = STATES[1], STATES[2]  # top 3 of the projects, then all of them
    with_series(store, load_report(store, few, today), today)
    assert kept_series(store, load_report(store, few, today), today) is not None
    assert kept_series(store, load_report(store, every, today), today) is None
