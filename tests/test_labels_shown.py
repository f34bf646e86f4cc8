"""``Store.labels_shown`` (the labels a tag's dimension shows, read from the month cubes' distinct ids) gives
the keys that grouping by that dimension gives, whatever names the connections give their ids, in every
workspace and currency; it declines specs it cannot answer so (filters, dates that are not whole months)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openai_cost_tui.core.dates import DateRange, add_months
from openai_cost_tui.core.models import Filter, PivotSpec
from tests.test_pivot_by_label import ALIKE, forced
from tests.test_pivot_property import DAYS, START, check_pivots, rows_st, sqlite_store


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=rows_st, naming=st.sampled_from([None, ALIKE]), months=st.integers(1, 3),
       currency=st.sampled_from(["usd", "eur"]), in_workspace=st.booleans())
def test_labels_shown_are_the_keys_of_grouping_by_the_dimension(raw, naming, months, currency,
                                                                in_workspace) -> None:
    with forced(2, naming), sqlite_store() as store:
        check_pivots(store, raw, [])  # fills the store as the pivot property test does
        workspace = None
        if in_workspace:
            workspace = "First"
            store.add_workspace(workspace)
            store.assign(workspace, [store.connections()[0].id])
        first = START.replace(day=1)
        dates = DateRange(first, add_months(first, months) - timedelta(days=1))
        today = START + timedelta(days=DAYS)
        for dim in ("project", "api_key"):
            spec = PivotSpec(rows=(), cols=None, date_range=dates, workspace=workspace, currency=currency,
                             quantities=False)
            grouped = {key[0] for key in store.group_cells(spec, [dim], today=today)}
            assert store.labels_shown(spec, dim) == grouped
            assert store.labels_shown(PivotSpec(rows=(), cols=None, date_range=dates,
                                                filters=(Filter("service", ("Images",)),)), dim) is None
            assert store.labels_shown(PivotSpec(rows=(), cols=None, date_range=DateRange(
                dates.start + timedelta(days=1), dates.end)), dim) is None
        assert store.labels_shown(PivotSpec(rows=(), cols=None, date_range=dates), "service") is None
