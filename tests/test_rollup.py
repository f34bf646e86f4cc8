"""The monthly rollup: month pivots read it, and it always equals the daily rows it summarises."""

from __future__ import annotations

import sqlite3
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from openai_cost_tui.core.dates import DateRange
from openai_cost_tui.core.models import PivotSpec
from openai_cost_tui.store.pivot import run_pivot, split_by_month
from openai_cost_tui.store.store import Store
from tests.test_sync import Rig

TODAY = date(2026, 11, 27)


def rollup_dump(store: Store) -> list[tuple]:
    with store.read():
        return sorted(store.db.execute_sql(
            "SELECT connection_id, month, project_id, api_key_id, charge_id, currency, "
            "amount_hi * 1000000000 + amount_lo, qty_hi, qty_lo FROM cost_month").fetchall())


def rebuilt(store: Store) -> list[tuple]:
    with store.read():
        return sorted(store.db.execute_sql(
            "SELECT connection_id, month, project_id, api_key_id, charge_id, currency, "
            "SUM(amount_hi) * 1000000000 + SUM(amount_lo), SUM(qty_hi), SUM(qty_lo) FROM cost "
            "GROUP BY connection_id, month, project_id, api_key_id, charge_id, currency").fetchall())


def test_split_by_month_takes_whole_months_and_leaves_edges() -> None:
    months, edges = split_by_month(DateRange(date(2026, 5, 17), date(2026, 9, 3)), date(2026, 11, 27))
    assert months == ["2026-06", "2026-07", "2026-08"]
    assert edges == [(date(2026, 5, 17), date(2026, 5, 31)), (date(2026, 9, 1), date(2026, 9, 3))]
    # month to date: the current month is whole up to the last stored day
    months, edges = split_by_month(DateRange(date(2026, 11, 1), date(2026, 11, 30)), date(2026, 11, 27))
    assert (months, edges) == (["2026-11"], [])
    months, edges = split_by_month(DateRange(date(2026, 11, 1), date(2026, 11, 20)), date(2026, 11, 27))
    assert (months, edges) == ([], [(date(2026, 11, 1), date(2026, 11, 20))])
    assert split_by_month(DateRange(date(2026, 1, 1), date(2026, 2, 1)), None) == (
        [], [(date(2026, 1, 1), date(2026, 2, 1))])


def test_rollup_follows_syncs_revisions_and_removal(tmp_path) -> None:
    rig = Rig(tmp_path)
    assert rig.sync().ok
    assert rollup_dump(rig.store) == rebuilt(rig.store) != []
    from decimal import Decimal

    rig.org.revise(date(2026, 11, 25), scale=Decimal("3"))
    assert rig.sync().ok
    assert rollup_dump(rig.store) == rebuilt(rig.store)
    rig.store.remove_connection(rig.conn.id)
    assert rollup_dump(rig.store) == []
    rig.store.close()


@settings(max_examples=25, deadline=None)
@given(start=st.integers(0, 390), length=st.integers(0, 200),
       rows=st.sampled_from([("service",), ("project",), ("category", "tier")]),
       cols=st.sampled_from([None, "month", "connection", "day"]))
def test_pivots_through_the_rollup_equal_the_daily_rows(synced, start, length, rows, cols) -> None:
    from datetime import timedelta

    first = date(2025, 11, 1) + timedelta(days=start)
    last = min(TODAY, first + timedelta(days=length))
    if first > last:
        return
    spec = PivotSpec(rows=rows, cols=cols, date_range=DateRange(first, last))
    fast = run_pivot(synced, spec, today=TODAY)
    # the same spec forced through the daily rows: add a harmless day-level filter dimension
    import openai_cost_tui.store.pivot as P

    original = P.split_by_month
    P.split_by_month = lambda r, d: ([], [(r.start, r.end)])
    try:
        slow = run_pivot(synced, spec, today=TODAY)
    finally:
        P.split_by_month = original
    assert (fast.row_keys, fast.cells, fast.row_totals, fast.total) == (
        slow.row_keys, slow.cells, slow.row_totals, slow.total)


def test_a_schema_3_store_gets_its_rollup_filled(tmp_path) -> None:
    rig = Rig(tmp_path)
    assert rig.sync().ok
    expected = rollup_dump(rig.store)
    path = rig.store.url
    rig.store.close()
    con = sqlite3.connect(path)
    con.execute("DROP TABLE cost_month")
    con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with Store(path) as store:
        assert rollup_dump(store) == expected
        spec = PivotSpec(rows=("service",), cols="month", date_range=DateRange(date(2025, 11, 1), TODAY))
        assert run_pivot(store, spec, today=TODAY).total.amount == store.total()
