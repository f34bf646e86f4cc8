"""The rollups: pivots read them, and each always equals the daily rows it summarises."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openai_cost_tui.core.dates import DateRange
from openai_cost_tui.core.models import Filter, PivotSpec
from openai_cost_tui.core.pivot import split_by_month, split_by_part
from openai_cost_tui.store import rollup
from openai_cost_tui.store.store import Store
from tests.test_sync import Rig

TODAY = date(2026, 11, 27)


def _exact(rows: list[tuple], n: int) -> list[tuple]:
    """Rows of ``n`` keys then the two parts of an amount: the amount added up exactly here (SQL's
    ``hi * 10**9 + lo`` turns to a float past 64 bits)."""
    return sorted((*row[:n], int(row[n]) * 10**9 + int(row[n + 1]), *row[n + 2:]) for row in rows)


def rollup_dump(store: Store, r: rollup.Rollup = rollup.MONTH) -> list[tuple]:
    extra = ", unit_min, unit_max" if r.units else ""
    with store.read():
        return _exact(store.db.execute_sql(
            f"SELECT {', '.join(r.keys)}, amount_hi, amount_lo, qty_hi, qty_lo{extra} FROM {r.table}").fetchall(),
            len(r.keys))


def rebuilt(store: Store, r: rollup.Rollup = rollup.MONTH) -> list[tuple]:
    """The rollup recomputed here from ``cost``, written independently of store/rollup.py (a quarter
    from the month: its rows by month added up here by quarter)."""
    by_quarter = r.keys[0] == "quarter"
    keys = ", ".join(f"c.{k}" for k in (("month", *r.keys[1:]) if by_quarter else r.keys))
    extra = ", MIN(ch.unit), MAX(ch.unit)" if r.units else ""
    with store.read():
        rows = _exact(store.db.execute_sql(
            f"SELECT {keys}, SUM(c.amount_hi), SUM(c.amount_lo), SUM(c.qty_hi), SUM(c.qty_lo)"
            f"{extra} FROM cost c JOIN charge ch ON ch.id = c.charge_id GROUP BY {keys}").fetchall(), len(r.keys))
    if not by_quarter:
        return rows
    sums: dict[tuple, list] = {}
    n = len(r.keys)
    for month, *rest in rows:
        key = (f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}", *rest[:n - 1])
        amount, q_hi, q_lo = rest[n - 1:]
        found = sums.setdefault(key, [0, None, None])
        found[0] += amount
        if q_hi is not None:
            found[1], found[2] = (found[1] or 0) + q_hi, (found[2] or 0) + q_lo
    return sorted((*k, *v) for k, v in sums.items())


def all_rollups_match(store: Store) -> bool:
    return all(rollup_dump(store, r) == rebuilt(store, r) != [] for r in (*rollup.ROLLUPS, *rollup.ACROSS))


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


def test_split_by_part_takes_whole_parts_of_weeks_within_a_month() -> None:
    """A part is the days an ISO week and a month share: 2026-10-26 is a Monday, so October's last six
    days are one part; a week across two months is two parts."""
    last = date(2026, 11, 25)
    assert split_by_part(date(2026, 10, 26), date(2026, 10, 31), last) == ([("2026-10", "2026-W44")], [])
    assert split_by_part(date(2026, 10, 27), date(2026, 10, 31), last) == ([], [(date(2026, 10, 27), date(2026, 10, 31))])
    # the 1st starts a part (Sunday 2026-11-01 is one alone); a part the range's end cuts is left as days
    assert split_by_part(date(2026, 11, 1), date(2026, 11, 18), last) == (
        [("2026-11", "2026-W44"), ("2026-11", "2026-W45"), ("2026-11", "2026-W46")],
        [(date(2026, 11, 16), date(2026, 11, 18))])
    assert split_by_part(date(2026, 9, 2), date(2026, 9, 30), last) == (
        [("2026-09", "2026-W37"), ("2026-09", "2026-W38"), ("2026-09", "2026-W39"), ("2026-09", "2026-W40")],
        [(date(2026, 9, 2), date(2026, 9, 6))])
    # up to the last stored day, the part holding it is whole; past it, nothing is read
    assert split_by_part(date(2026, 11, 23), date(2026, 11, 30), last) == ([("2026-11", "2026-W48")], [])
    assert split_by_part(date(2026, 11, 23), date(2026, 11, 24), last) == ([], [(date(2026, 11, 23), date(2026, 11, 24))])
    assert split_by_part(date(2026, 1, 5), date(2026, 1, 11), None) == ([], [(date(2026, 1, 5), date(2026, 1, 11))])


@pytest.mark.parametrize("rows", [("project", "api_key"), ("api_key",), ("organization", "project")])
def test_month_views_by_key_read_the_whole_parts_of_their_edge_days(synced, rows, monkeypatch) -> None:
    """A view by key (or by project and key) whose dates cut months reads the whole parts of weeks among its
    edge days from ``cost_part_key`` and the days left from ``cost_day_key``, and equals the daily rows;
    a view with no key keeps its smaller daily rollup."""
    from datetime import timedelta

    from openai_cost_tui.store import pivot

    read: list[list[tuple[str, str]]] = []
    parts_of = pivot._parts
    monkeypatch.setattr(pivot, "_parts", lambda P, parts: read.append(parts) or parts_of(P, parts))
    for first in (date(2026, 3, 30), date(2026, 3, 31), date(2026, 6, 1)):
        for length in (6, 17, 45):
            spec = PivotSpec(rows=rows, cols=None, date_range=DateRange(first, first + timedelta(days=length)),
                             measure="cost")
            fast = synced.run_pivot(spec, today=TODAY)
            slow = synced.run_pivot(spec, today=TODAY, use_rollups=False)
            assert (fast.row_keys, fast.cells, fast.row_totals, fast.total) == (
                slow.row_keys, slow.cells, slow.row_totals, slow.total) and fast.total.amount
    if rows == ("organization", "project"):
        assert read == []
    else:  # March 30-31 is a part (a Monday to the 31st); April 1-5 is one, and so on
        assert {("2026-03", "2026-W14"), ("2026-04", "2026-W14")} <= {part for parts in read for part in parts}


def test_rollup_follows_syncs_revisions_and_removal(tmp_path) -> None:
    rig = Rig(tmp_path)
    assert rig.sync().ok
    assert all_rollups_match(rig.store)
    from decimal import Decimal

    rig.org.revise(date(2026, 11, 25), scale=Decimal("3"))
    assert rig.sync().ok
    assert all_rollups_match(rig.store)
    rig.store.remove_connection(rig.conn.id)
    assert all(rollup_dump(rig.store, r) == [] for r in (*rollup.ROLLUPS, *rollup.ACROSS))
    rig.store.close()


def test_each_pivot_reads_the_smallest_table_holding_its_dimensions() -> None:
    assert rollup.pick_daily({"service", "day"}) is rollup.DAY_CHARGE
    assert rollup.pick_daily({"organization", "tier", "week"}) is rollup.DAY_CHARGE
    assert rollup.pick_daily({"project", "day"}) is rollup.DAY_PROJECT
    assert rollup.pick_daily({"project", "category", "day"}) is None  # both: only cost has them
    assert rollup.pick_daily({"api_key", "organization", "day"}) is rollup.DAY_KEY
    assert rollup.pick_daily({"api_key", "project", "day"}) is rollup.DAY_KEY  # (a key's project: schema 14)
    assert rollup.pick_monthly({"api_key", "project"}) is rollup.MONTH_KEY
    assert rollup.pick_monthly({"project"}) is rollup.MONTH_PROJECT
    assert rollup.pick_daily({"api_key", "service", "day"}) is None


FILTERS = [(), (Filter("category", ("gpt-4o",)),), (Filter("service", ("Chats and Completions",),
                                                           exclude=True),)]


@settings(max_examples=40, deadline=None)
@given(start=st.integers(0, 390), length=st.integers(0, 200),
       rows=st.sampled_from([("service",), ("project",), ("category", "tier"), ("organization",),
                             ("project", "unit"), ("api_key",)]),
       cols=st.sampled_from([None, "month", "connection", "day", "week"]),
       filters=st.sampled_from(FILTERS), measure=st.sampled_from(["cost", "quantity"]))
def test_pivots_through_the_rollups_equal_the_daily_rows(synced, start, length, rows, cols, filters,
                                                          measure) -> None:
    from datetime import timedelta

    first = date(2025, 11, 1) + timedelta(days=start)
    last = min(TODAY, first + timedelta(days=length))
    if first > last:
        return
    spec = PivotSpec(rows=rows, cols=cols, date_range=DateRange(first, last), filters=filters, measure=measure)
    fast = synced.run_pivot(spec, today=TODAY)
    slow = synced.run_pivot(spec, today=TODAY, use_rollups=False)
    assert (fast.row_keys, fast.col_keys, fast.cells, fast.row_totals, fast.total) == (
        slow.row_keys, slow.col_keys, slow.cells, slow.row_totals, slow.total)


CUBES = [r.table for r in (*rollup.MONTH_CUBES, *rollup.WEEK_CUBES)]
WEEKS = [r.table for r in rollup.WEEK_CUBES]


@pytest.mark.parametrize(("version", "added"), [(3, ["cost_month", "cost_day_charge", "cost_day_project", *CUBES]),
                                                (4, ["cost_day_charge", "cost_day_project", *CUBES]),
                                                (6, CUBES), (7, WEEKS), (14, ["cost_part_key"])])
def test_an_older_store_gets_its_rollups_filled(tmp_path, version, added) -> None:
    rig = Rig(tmp_path)
    assert rig.sync().ok
    expected = {r.table: rollup_dump(rig.store, r) for r in rollup.ROLLUPS}
    path = rig.store.url
    rig.store.close()
    con = sqlite3.connect(path)
    for table in added:
        con.execute(f"DROP TABLE {table}")
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    con.commit()
    con.close()
    with Store(path) as store:
        assert {r.table: rollup_dump(store, r) for r in rollup.ROLLUPS} == expected
        spec = PivotSpec(rows=("service",), cols="day", date_range=DateRange(date(2025, 11, 1), TODAY))
        assert store.run_pivot(spec, today=TODAY).total.amount == store.total()
        year = PivotSpec(rows=("project",), cols="month", date_range=DateRange(date(2025, 11, 1), TODAY))
        assert store.run_pivot(year, today=TODAY).total.amount == store.total()  # read from a cube
        weeks = PivotSpec(rows=("service",), cols="week", date_range=DateRange(date(2025, 11, 1), TODAY))
        assert store.run_pivot(weeks, today=TODAY).cells == store.run_pivot(weeks, today=TODAY,
                                                                            use_rollups=False).cells
    assert list(Path(path).parent.glob(f"*.schema{version}-*.bak")), "the store was backed up before migrating"


def test_daily_rollups_summed_from_the_rows_in_hand_equal_sql_over_cost(tmp_path) -> None:
    """replace_window sums the daily rollups in Python from the rows it wrote: missing quantities and
    units, credits, several units per project and a window replaced over the old one give what SQL's
    SUM, MIN and MAX over ``cost`` give."""
    from openai_cost_tui.core.models import CostRow
    from openai_cost_tui.store.store import NewConnection

    def r(day: int, amount: int, line: str | None, unit: str | None, qty: int | None, project: str = "proj_a"):
        return CostRow(date(2026, 10, day), project, line, "key_1", "usd", amount, qty, unit)

    rows = [r(1, 5 * 10**17, "gpt-4o, input", "tokens", 10**18), r(1, 7, "gpt-4o, input", "tokens", None),
            r(1, -3 * 10**18, "credit", None, None), r(1, 2 * 10**27, "web search", "calls", 3 * 10**27),
            r(2, 1, None, None, None, project=""), r(2, 4, "files", "gb_days", 10**18, project="proj_b"),
            r(2, 9, "files", None, None, project="proj_b")]
    with Store(str(tmp_path / "costs.db")) as store:
        conn = store.add_connection(NewConnection("a", "https://api.openai.com/v1", "env", "K", date(2026, 1, 1)))
        store.replace_window(conn.id, date(2026, 9, 28), date(2026, 10, 2), rows)
        assert all(rollup_dump(store, t) == rebuilt(store, t) != [] for t in rollup.DAILY)
        store.replace_window(conn.id, date(2026, 10, 2), date(2026, 10, 3), rows[4:6])  # day 2 again, less
        assert all(rollup_dump(store, t) == rebuilt(store, t) != [] for t in rollup.ROLLUPS)
        assert rollup_dump(store, rollup.DAY_PROJECT)[-1][-2:] == ("gb_days", "gb_days")


@pytest.mark.parametrize("rows", [("project",), ("category", "api_key"), ("service",)])
def test_a_year_by_charge_and_project_or_key_reads_whole_quarters_from_their_cube(synced, rows, monkeypatch) -> None:
    """The whole quarters of a view over many months come from ``cost_quarter``, its other months from
    ``cost_month`` (or the smaller month cube, which needs no quarters), and it equals the daily rows."""
    read: list[list[str]] = []
    split = rollup.whole_quarters
    monkeypatch.setattr(rollup, "whole_quarters", lambda months: read.append(split(months)[0]) or split(months))
    spec = PivotSpec(rows=rows, cols="service" if rows != ("service",) else None,
                     date_range=DateRange(date(2025, 11, 1), TODAY), measure="cost")
    fast = synced.run_pivot(spec, today=TODAY)
    slow = synced.run_pivot(spec, today=TODAY, use_rollups=False)
    assert (fast.row_keys, fast.col_keys, fast.cells, fast.row_totals, fast.total) == (
        slow.row_keys, slow.col_keys, slow.cells, slow.row_totals, slow.total) and fast.total.amount
    assert read == ([] if rows == ("service",) else [["2026-Q1", "2026-Q2", "2026-Q3"]])
