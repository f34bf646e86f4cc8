"""A report filtered to some days (a month, a week, days left out) flags only anomalies of those days,
judged against the history before them, not against the zeros the filter leaves around them: a view of
one month had every service flagged (a newcomer's finding)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from openai_cost_tui.core.dates import add_months, first_of_month, week_id
from openai_cost_tui.core.models import Filter
from openai_cost_tui.core.report_state import DateChoice, ReportState
from openai_cost_tui.services import report_query as rq
from openai_cost_tui.services.report_query import load_report, with_series
from tests.test_report_series_merged import merged, separate


def flags(store, state, today):
    rq.forget(store)
    return with_series(store, load_report(store, state, today), today).grid.flags


@pytest.mark.parametrize("rows", ["service", "project"])
def test_a_month_filter_flags_what_a_view_of_that_month_flags(demo_copy, rows) -> None:
    store, today = demo_copy.store, demo_copy.today
    last = add_months(first_of_month(today), -1)
    month = Filter("month", (last.isoformat()[:7],))
    view = ReportState(rows=(rows,), cols="month", dates=DateChoice("3m"), filters=(month,), top=None)
    shown = flags(store, view, today)
    alone = flags(store, ReportState(rows=(rows,), cols="month", dates=DateChoice("last_month"), top=None), today)
    assert shown == alone
    assert all(f.split()[1].startswith(last.isoformat()[:7]) for f in shown.values()), shown
    everything = load_report(store, view, today).result.row_keys
    assert len(shown) < len(everything)  # not every row, as before


def test_calendar_filters_keep_the_two_paths_equal(demo_copy) -> None:
    store, today = demo_copy.store, demo_copy.today
    last = add_months(first_of_month(today), -1)
    days = [(last + timedelta(days=i)).isoformat() for i in range(0, 28, 3)]
    base = ReportState(rows=("service",), cols="month", dates=DateChoice("90d"))
    for calendar in (Filter("month", (last.isoformat()[:7],)), Filter("day", tuple(days), exclude=True),
                     Filter("week", (week_id(last + timedelta(days=10)), week_id(today - timedelta(days=3))))):
        for state in (replace(base, filters=(calendar,)), replace(base, rows=("project",), filters=(calendar,), top=3)):
            rq.forget(store)
            data = load_report(store, state, today)
            assert merged(store, state, today) == separate(store, data, today), state


def test_a_month_with_no_complete_day_flags_nothing(demo_copy) -> None:
    store, today = demo_copy.store, demo_copy.today
    future = Filter("month", (add_months(first_of_month(today), 1).isoformat()[:7],))
    state = ReportState(rows=("service",), cols="month", dates=DateChoice("3m"), filters=(future,))
    assert flags(store, state, today) == {}
