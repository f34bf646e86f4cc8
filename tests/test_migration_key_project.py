"""Schema 13 -> 14: the rollups by API key (cost_day_key, cost_month_key) keep each key's project, made
again from cost and cost_month, and the quarter cube is made from cost_month, on SQLite (backed up first)
and PostgreSQL; project x key views then read them instead of ``cost``, with the same figures."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import timedelta

import pytest

from openai_cost_tui.core import money
from openai_cost_tui.core.dates import DateRange
from openai_cost_tui.core.errors import StoreError
from openai_cost_tui.core.models import CostRow, PivotSpec
from openai_cost_tui.store import rollup
from openai_cost_tui.store.schema import SCHEMA_VERSION
from openai_cost_tui.store.store import Store
from tests.test_pivot_by_label import _fresh_pg
from tests.test_pivot_property import DAYS, LINE_ITEMS, START
from tests.test_postgres import needs_postgres, pg_url  # noqa: F401  (the fixture: a fresh database)
from tests.test_rollup import rebuilt, rollup_dump
from tests.test_tag_cube import connect
from tests.test_tags_property import TODAY

# (micro-dollars and atto-dollars: the tests' dumps of rollups add both parts within PostgreSQL's bigint)
# keys in one project each, one key in two, costs of a project with no key and of no project
PAIRS = [("p1", "k1"), ("p1", "k2"), ("p2", "k3"), ("p2", None), (None, None), ("p3", "k1")]
ROWS = [CostRow(START + timedelta(days=d), p, li, k, "usd", (d + 1) * (i + 1) * (j + 1) * money.SCALE // 10**6 + j, None, None)
        for d in range(DAYS) for j, (p, k) in enumerate(PAIRS) for i, li in enumerate(LINE_ITEMS[:3])]
# edge days on both sides of a whole month (the store's days: 2026-04-20 .. 2026-06-03)
SPECS = [PivotSpec(rows=("project", "api_key"), cols=None, date_range=DateRange(START + timedelta(days=3),
                                                                                 START + timedelta(days=DAYS - 2)),
                   quantities=False),
         PivotSpec(rows=("api_key",), cols="day", date_range=DateRange(START, START + timedelta(days=DAYS - 1))),
         PivotSpec(rows=("project",), cols="api_key", date_range=DateRange(START, TODAY))]
# what schema 13 kept: the same sums by key alone (no project column)
AS_13 = {"cost_day_key": "day, connection_id, week, month, api_key_id, currency",
         "cost_month_key": "month, connection_id, api_key_id, currency"}


def _as_schema_13(execute) -> None:
    for table, keys in AS_13.items():
        execute(f"CREATE TABLE {table}_13 AS SELECT {keys}, SUM(amount_hi) AS amount_hi, SUM(amount_lo) AS amount_lo, "
                f"SUM(qty_hi) AS qty_hi, SUM(qty_lo) AS qty_lo, MIN(unit_min) AS unit_min, MAX(unit_max) AS unit_max "
                f"FROM {table} GROUP BY {keys}")
        execute(f"DROP TABLE {table}")
        execute(f"ALTER TABLE {table}_13 RENAME TO {table}")
    execute("DROP TABLE cost_quarter")  # (schema 14 added it)
    execute("UPDATE meta SET value = '13' WHERE key = 'schema_version'")


def _filled(url: str) -> list:
    with Store(url) as store:
        ids = connect(store)
        store.replace_window(ids[0], START, START + timedelta(days=DAYS - 1), ROWS)
        store.replace_window(ids[1], START + timedelta(days=10), START + timedelta(days=20),
                             [r for r in ROWS[::3] if 10 <= (r.day - START).days <= 20])
        return [store.run_pivot(spec, today=TODAY, use_rollups=False) for spec in SPECS]


def _check(url: str, before: list) -> None:
    with Store(url) as store:
        for r in (rollup.DAY_KEY, rollup.MONTH_KEY, rollup.QUARTER):
            assert rollup_dump(store, r) == rebuilt(store, r) != [], r.table
        for spec, slow in zip(SPECS, before, strict=True):
            fast = store.run_pivot(spec, today=TODAY)
            assert (fast.row_keys, fast.col_keys, fast.cells, fast.total) == (
                slow.row_keys, slow.col_keys, slow.cells, slow.total) and fast.total.amount


def test_a_schema_13_store_keys_its_rollups_by_key_by_project_too(tmp_path) -> None:
    path = str(tmp_path / "costs.db")
    before = _filled(path)
    with contextlib.closing(sqlite3.connect(path)) as con, con:
        _as_schema_13(con.execute)
        assert "project_id" not in {row[1] for row in con.execute("PRAGMA table_info(cost_day_key)")}
    _check(path, before)
    assert list(tmp_path.glob("costs.db.schema13-*.bak")), "the store was backed up before migrating"


@needs_postgres
def test_a_schema_13_team_store_keys_its_rollups_by_key_by_project_too(pg_url) -> None:  # noqa: F811
    import psycopg2

    _fresh_pg(pg_url)
    before = _filled(pg_url)
    with contextlib.closing(psycopg2.connect(pg_url)) as con, con, con.cursor() as cur:
        _as_schema_13(cur.execute)
    _check(pg_url, before)


def test_a_write_after_a_newer_version_upgraded_the_store_says_so(tmp_path) -> None:
    """A team member's newer openai-cost-tui upgrades the store while this one runs: this one's next write
    fails on tables it no longer knows, and says why and what to do, writing nothing."""
    path = str(tmp_path / "costs.db")
    _filled(path)
    with Store(path) as running:
        ids = [c.id for c in running.connections()]
        total = running.total()
        with contextlib.closing(sqlite3.connect(path)) as con, con:  # what a newer schema might do
            con.execute("ALTER TABLE cost_quarter RENAME TO cost_quarter_newer")
            con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
        with pytest.raises(StoreError, match=rf"upgraded to schema {SCHEMA_VERSION + 1} by a newer openai-cost-tui "
                                             r"while this one .* nothing was written\. Upgrade"):
            running.replace_window(ids[0], START, START, ROWS[:3])
        assert running.total() == total
        with contextlib.closing(sqlite3.connect(path)) as con, con:
            con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
        with pytest.raises(StoreError, match="no such table") as plain:  # the same failure, no upgrade: as before
            running.replace_window(ids[0], START, START, ROWS[:3])
        assert "upgraded" not in str(plain.value)
