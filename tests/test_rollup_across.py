"""The daily rollups across connections (cost_day_charge_all, cost_day_project_all) always equal every
connection's cost summed by day and charge or project, through windows replaced in any order and connections
removed; a day-binned view over every connection reads them (by project: where each id shows one name), one
over a workspace does not, and both give the daily rows' figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openai_cost_tui.core.dates import DateRange
from openai_cost_tui.core.models import CostRow, Filter, PivotSpec, Project
from openai_cost_tui.store import rollup
from openai_cost_tui.store.schema import SCHEMA_VERSION
from openai_cost_tui.store.store import NewConnection, Store
from tests.test_pivot_by_label import _fresh_pg
from tests.test_pivot_property import sqlite_store
from tests.test_postgres import needs_postgres, pg_url  # noqa: F401  (the fixture: a fresh database)
from tests.test_rollup import rebuilt, rollup_dump

START = date(2026, 4, 28)
ITEMS = ("gpt-4o-2024-08-06, input", "gpt-4o-2024-08-06, output", "dall-e-3, images", "vector store")
rows_st = st.lists(st.tuples(st.integers(0, 9), st.sampled_from(ITEMS), st.integers(-10**15, 10**15),
                             st.sampled_from(["p1", "p2", ""])), max_size=25)
# (connection 0-2, first day offset, days, rows) replaced in turn; then which connection to remove, if any
steps_st = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 6), st.integers(1, 4), rows_st), min_size=1,
                    max_size=6)


def _connections(store: Store) -> list[int]:
    return [store.add_connection(NewConnection(f"C{i}", "https://api.openai.com/v1", "env", "K", START)).id
            for i in range(3)]


def _window(conn: int, first: int, days: int, rows) -> tuple[date, date, list[CostRow]]:
    lo, hi = START + timedelta(days=first), START + timedelta(days=first + days - 1)
    kept = {}
    for d, item, amount, project in rows:
        day = lo + timedelta(days=d % days)
        kept[(day, item, project)] = CostRow(day, project, item, None, "usd", amount + conn)
    return lo, hi, list(kept.values())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=steps_st, removed=st.one_of(st.none(), st.integers(0, 2)))
def test_the_rollup_across_connections_equals_their_costs_summed(steps, removed) -> None:
    with sqlite_store() as store:
        _check(store, steps, removed)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(steps=steps_st, removed=st.one_of(st.none(), st.integers(0, 2)))
@needs_postgres
def test_the_rollup_across_connections_equals_their_costs_summed_on_postgresql(pg_url, steps,  # noqa: F811
                                                                                removed) -> None:
    _fresh_pg(pg_url)
    with Store(pg_url) as store:
        _check(store, steps, removed)


def _check(store: Store, steps, removed) -> None:
    ids = _connections(store)
    for conn, first, days, rows in steps:
        store.replace_window(ids[conn], *_window(conn, first, days, rows))
        assert all(rollup_dump(store, r) == rebuilt(store, r) for r in rollup.ACROSS)
    if removed is not None:
        store.remove_connection(ids[removed])
        assert all(rollup_dump(store, r) == rebuilt(store, r) for r in rollup.ACROSS)


def _tables_read(store: Store, spec: PivotSpec, today: date) -> list[str]:
    sent: list[str] = []
    store.db.connection().set_trace_callback(sent.append)
    try:
        store.run_pivot(spec, today=today)
    finally:
        store.db.connection().set_trace_callback(None)
    tables = ("cost_day_charge_all", "cost_day_charge", "cost_day_project_all", "cost_day_project")
    return [t for sql in sent if "SELECT" in sql and "INSERT" not in sql for t in tables if f'"{t}"' in sql]


def test_a_view_over_every_connection_reads_across_them_and_a_workspace_does_not(tmp_path) -> None:
    with Store(str(tmp_path / "costs.db")) as store:
        ids = _connections(store)
        for n, conn in enumerate(ids):
            store.replace_window(conn, *_window(n, 0, 10, [(d, item, 10**9 * (d + 1), "p1")
                                                          for d in range(10) for item in ITEMS]))
        store.add_workspace("Two")
        store.assign("Two", ids[:2])
        today = START + timedelta(days=10)
        spec = PivotSpec(rows=("service",), cols="day", date_range=DateRange(START, START + timedelta(days=9)))
        assert _tables_read(store, spec, today) == ["cost_day_charge_all"]
        every = store.run_pivot(spec, today=today)
        assert every.cells == store.run_pivot(spec, today=today, use_rollups=False).cells
        two = PivotSpec(rows=spec.rows, cols=spec.cols, date_range=spec.date_range, workspace="Two")
        assert _tables_read(store, two, today) == ["cost_day_charge"]
        assert store.run_pivot(two, today=today).cells == store.run_pivot(two, today=today, use_rollups=False).cells
        assert every.total.amount == 3 * sum(4 * 10**9 * (d + 1) for d in range(10)) + 4 * 10 * (0 + 1 + 2)
        by_org = PivotSpec(rows=("organization",), cols="day", date_range=spec.date_range)
        assert _tables_read(store, by_org, today) == ["cost_day_charge"]  # no connection across them


def test_a_view_by_project_reads_across_connections_where_each_id_shows_one_name(tmp_path) -> None:
    with Store(str(tmp_path / "costs.db")) as store:
        ids = _connections(store)
        for n, conn in enumerate(ids):
            store.replace_window(conn, *_window(n, 0, 10, [(d, item, 10**9 * (d + 1), project)
                                                          for d in range(10) for item in ITEMS
                                                          for project in ("p1", "p2", "")]))
        today = START + timedelta(days=10)
        spec = PivotSpec(rows=("project",), cols="day", date_range=DateRange(START, START + timedelta(days=9)),
                         quantities=False)

        def read_and_checked(view: PivotSpec) -> list[str]:
            tables = _tables_read(store, view, today)
            assert store.run_pivot(view, today=today) == store.run_pivot(view, today=today, use_rollups=False)
            return tables

        assert read_and_checked(spec) == ["cost_day_project"]  # no names: grouped by (connection, id)
        for conn in ids:  # each id one name in every connection: grouped by the id alone, across them
            store.save_names(conn, [Project("p1", "Search"), Project("p2", "Ads")], [])
        assert read_and_checked(spec) == ["cost_day_project_all"]
        with_qty = PivotSpec(rows=spec.rows, cols=spec.cols, date_range=spec.date_range)
        assert read_and_checked(with_qty) == ["cost_day_project_all"]
        store.add_workspace("Two")
        store.assign("Two", ids[:2])
        assert read_and_checked(replace(spec, workspace="Two")) == ["cost_day_project"]
        assert read_and_checked(replace(spec, filters=(Filter("project", ("Ads",)),))) == ["cost_day_project"]
        assert read_and_checked(replace(spec, rows=("project", "organization"))) == ["cost_day_project"]
        store.save_names(ids[2], [Project("p1", "Other")], [])  # p1 now shows two names: pairs again
        assert read_and_checked(spec) == ["cost_day_project"]


def test_a_schema_10_store_gains_the_rollup_across_connections(tmp_path) -> None:
    import sqlite3

    path = str(tmp_path / "costs.db")
    with Store(path) as store:
        ids = _connections(store)
        for n, conn in enumerate(ids):
            store.replace_window(conn, *_window(n, 0, 5, [(d, item, 7 * (d + 1), "p2") for d in range(5)
                                                         for item in ITEMS]))
    con = sqlite3.connect(path)
    with con:  # as schema 10 left a store: no such tables
        con.execute("DROP TABLE cost_day_charge_all")
        con.execute("DROP TABLE cost_day_project_all")
        con.execute("UPDATE meta SET value = '10' WHERE key = 'schema_version'")
    con.close()
    with Store(path) as store:
        assert all(rollup_dump(store, r) == rebuilt(store, r) != [] for r in rollup.ACROSS)
        assert store.db.execute_sql("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(SCHEMA_VERSION),)
