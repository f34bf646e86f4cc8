"""Schema 9 -> 10: ``cost`` loses its rowid (PostgreSQL: its id) and its two indexes and is keyed by
schema.COST_KEY instead, every row kept, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import peewee as pw
import pytest

from openai_cost_tui.core.dates import DateRange
from openai_cost_tui.core.models import Filter, PivotSpec
from openai_cost_tui.store.schema import SCHEMA_VERSION
from openai_cost_tui.store.store import Store
from tests.test_migration_rowless import _ddl
from tests.test_postgres import add_acme, engine_for, needs_postgres, pg_url  # noqa: F401  (pg_url: the fixture)
from tests.test_sync import START, TODAY, Rig

COLUMNS = ("connection_id", "day", "week", "month", "project_id", "api_key_id", "charge_id", "currency",
           "amount_hi", "amount_lo", "qty_hi", "qty_lo")
_MEASURES = '"amount_hi" {big} NOT NULL, "amount_lo" {big} NOT NULL, "qty_hi" {big}, "qty_lo" {big}'
_FKS = ('FOREIGN KEY ("connection_id") REFERENCES "connection" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("charge_id") REFERENCES "charge" ("id")')
# cost as schema 9 created it (copied from a schema-9 store's sqlite_master; PostgreSQL's as peewee makes it)
SCHEMA9 = (
    '("id" {serial} NOT NULL PRIMARY KEY, "connection_id" INTEGER NOT NULL, "day" DATE NOT NULL, "week" TEXT NOT '
    'NULL, "month" TEXT NOT NULL, "project_id" TEXT NOT NULL, "api_key_id" TEXT NOT NULL, "charge_id" INTEGER NOT '
    f'NULL, "currency" TEXT NOT NULL, {_MEASURES}, {_FKS})'
)
SCHEMA9_INDEXES = (
    'CREATE UNIQUE INDEX "cost_connection_id_day_project_id_api_key_id_charge_id_currency" ON "cost" '
    '("connection_id", "day", "project_id", "api_key_id", "charge_id", "currency")',
    'CREATE INDEX "cost_day_connection_id" ON "cost" ("day", "connection_id")',
)
SPECS = (
    PivotSpec(rows=("project",), cols="day", date_range=DateRange(date(2026, 8, 1), TODAY)),
    PivotSpec(rows=("api_key",), cols="day", date_range=DateRange(date(2026, 10, 1), TODAY),
              filters=(Filter("service", ("Chat completions",)),)),
    PivotSpec(rows=("line_item",), cols="month", date_range=DateRange(START, TODAY)),
)


def _as_schema9(execute, *, serial: str, big: str) -> None:
    """Rewrite an open store's ``cost`` as schema 9 made it (ids given in the rows' old order), rows kept."""
    columns = ", ".join(f'"{c}"' for c in COLUMNS)
    execute('ALTER TABLE "cost" RENAME TO "cost_10"')
    execute(f'CREATE TABLE "cost" {SCHEMA9.format(serial=serial, big=big)}')
    for ddl in SCHEMA9_INDEXES:
        execute(ddl)
    execute(f'INSERT INTO "cost" ({columns}) SELECT {columns} FROM "cost_10" ORDER BY connection_id, day')
    execute('DROP TABLE "cost_10"')
    execute("UPDATE meta SET value = '9' WHERE key = 'schema_version'")


def _rows(execute) -> list[tuple]:
    return sorted(execute(f"SELECT {', '.join(COLUMNS)} FROM cost"), key=repr)


def _pivots(store: Store) -> list[tuple]:
    out = []
    for spec in SPECS:
        fast, slow = store.run_pivot(spec, today=TODAY), store.run_pivot(spec, today=TODAY, use_rollups=False)
        assert (fast.cells, fast.total) == (slow.cells, slow.total)
        out.append((fast.row_keys, fast.col_keys, fast.cells, fast.total))
    return out


def test_a_schema_9_store_keeps_every_row_and_pivot_with_cost_keyed_by_day(tmp_path) -> None:
    rig = Rig(tmp_path)
    assert rig.sync().ok
    path = rig.store.url
    before_pivots = _pivots(rig.store)
    rig.store.close()
    fresh = _ddl(path)
    assert "WITHOUT ROWID" in fresh["cost"] and not any(n.startswith("cost_connection") for n in fresh)
    con = sqlite3.connect(path)
    with con:
        _as_schema9(lambda sql: con.execute(sql).fetchall(), serial="INTEGER", big="INTEGER")
    before = _rows(lambda sql: con.execute(sql).fetchall())
    con.close()
    assert len(before) > 1000 and "cost_day_connection_id" in _ddl(path)
    with Store(path) as store:
        assert _pivots(store) == before_pivots
        plan = store.db.execute_sql("EXPLAIN QUERY PLAN SELECT SUM(amount_hi) FROM cost WHERE day >= '2026-10-01' "
                                    "AND day <= '2026-10-31'").fetchall()
        assert any("PRIMARY KEY (day>? AND day<?)" in row[-1] for row in plan), plan
        assert rig.engine.sync(store.connection(rig.conn.id)).ok, "a sync after the migration"
        assert _pivots(store) == before_pivots, "the resync replaced its windows: no row twice"
        with pytest.raises(pw.IntegrityError), store.db.atomic():  # one row per store key, as before
            store.db.execute_sql(f"INSERT INTO cost ({', '.join(COLUMNS)}) SELECT {', '.join(COLUMNS)} FROM cost "
                                 "LIMIT 1")
    con = sqlite3.connect(path)
    after = _rows(lambda sql: con.execute(sql).fetchall())
    (version,) = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    con.close()
    assert after == before and version == str(SCHEMA_VERSION)
    assert _ddl(path) == fresh, "the migrated store's tables and indexes are those a new store makes"
    assert list(Path(path).parent.glob("*.schema9-*.bak")), "the store was backed up before migrating"


@needs_postgres
def test_a_schema_9_postgresql_store_is_keyed_in_place(pg_url, tmp_path) -> None:  # noqa: F811
    from openai_cost_tui.fake.org import FakeOrg

    org = FakeOrg(3, start=START, end=TODAY, size="small")
    with Store(pg_url) as store:
        conn = add_acme(store, org)
        assert engine_for(store, org, tmp_path).sync(store.connection(conn.id)).ok
        before_pivots = _pivots(store)
        with store.db.atomic():
            _as_schema9(lambda sql: store.db.execute_sql(sql), serial="SERIAL", big="BIGINT")
        before = _rows(lambda sql: store.db.execute_sql(sql).fetchall())
        assert {i.name for i in store.db.get_indexes("cost")} >= {"cost_day_connection_id"}
    with Store(pg_url) as store:
        assert store.db.execute_sql("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            str(SCHEMA_VERSION),)
        assert _rows(lambda sql: store.db.execute_sql(sql).fetchall()) == before
        assert "id" not in {c.name for c in store.db.get_columns("cost")}
        assert [i.name for i in store.db.get_indexes("cost")] == ["cost_pkey"]
        assert store.db.get_primary_keys("cost") == ["day", "connection_id", "project_id", "api_key_id",
                                                     "charge_id", "currency"]
        assert _pivots(store) == before_pivots
        assert engine_for(store, org, tmp_path).sync(store.connection(conn.id)).ok
        assert _pivots(store) == before_pivots
