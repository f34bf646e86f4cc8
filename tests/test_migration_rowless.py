"""Schema 8 -> 9: the rollups become WITHOUT ROWID tables keyed as schema.ROLLUP_KEYS says, every row kept."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from openai_cost_tui.core.dates import DateRange
from openai_cost_tui.core.models import Filter, PivotSpec
from openai_cost_tui.store import rollup
from openai_cost_tui.store.schema import ROLLUP_KEYS, SCHEMA_VERSION
from openai_cost_tui.store.store import Store
from tests.test_postgres import add_acme, engine_for, needs_postgres, pg_url  # noqa: F401  (pg_url: the fixture)
from tests.test_sync import START, Rig

TODAY = date(2026, 11, 27)
_FK_CONN = 'FOREIGN KEY ("connection_id") REFERENCES "connection" ("id") ON DELETE CASCADE'
_FK_CHARGE = 'FOREIGN KEY ("charge_id") REFERENCES "charge" ("id")'
_MEASURES = ('"amount_hi" INTEGER NOT NULL, "amount_lo" INTEGER NOT NULL, "qty_hi" INTEGER, "qty_lo" INTEGER')
_UNITS = ', "unit_min" TEXT, "unit_max" TEXT'
# the rollups as schema 8 created them (copied from a schema-8 store's sqlite_master): rowid tables
SCHEMA8 = {
    "cost_month": f'("connection_id" INTEGER NOT NULL, "month" TEXT NOT NULL, "project_id" TEXT NOT NULL, '
                  f'"api_key_id" TEXT NOT NULL, "charge_id" INTEGER NOT NULL, "currency" TEXT NOT NULL, {_MEASURES}, '
                  f'PRIMARY KEY ("connection_id", "month", "project_id", "api_key_id", "charge_id", "currency"), '
                  f"{_FK_CONN}, {_FK_CHARGE})",
    "cost_day_charge": f'("day" DATE NOT NULL, "connection_id" INTEGER NOT NULL, "week" TEXT NOT NULL, "month" TEXT '
                       f'NOT NULL, "charge_id" INTEGER NOT NULL, "currency" TEXT NOT NULL, {_MEASURES}, PRIMARY KEY '
                       f'("day", "connection_id", "charge_id", "currency"), {_FK_CONN}, {_FK_CHARGE})',
    "cost_day_project": f'("day" DATE NOT NULL, "connection_id" INTEGER NOT NULL, "week" TEXT NOT NULL, "month" TEXT '
                        f'NOT NULL, "project_id" TEXT NOT NULL, "currency" TEXT NOT NULL, {_MEASURES}{_UNITS}, '
                        f'PRIMARY KEY ("day", "connection_id", "project_id", "currency"), {_FK_CONN})',
    "cost_month_charge": f'("month" TEXT NOT NULL, "connection_id" INTEGER NOT NULL, "charge_id" INTEGER NOT NULL, '
                         f'"currency" TEXT NOT NULL, {_MEASURES}, PRIMARY KEY ("month", "connection_id", "charge_id", '
                         f'"currency"), {_FK_CONN}, {_FK_CHARGE})',
    "cost_month_key": f'("month" TEXT NOT NULL, "connection_id" INTEGER NOT NULL, "api_key_id" TEXT NOT NULL, '
                      f'"currency" TEXT NOT NULL, {_MEASURES}{_UNITS}, PRIMARY KEY ("month", "connection_id", '
                      f'"api_key_id", "currency"), {_FK_CONN})',
    "cost_month_project": f'("month" TEXT NOT NULL, "connection_id" INTEGER NOT NULL, "project_id" TEXT NOT NULL, '
                          f'"currency" TEXT NOT NULL, {_MEASURES}{_UNITS}, PRIMARY KEY ("month", "connection_id", '
                          f'"project_id", "currency"), {_FK_CONN})',
    "cost_week_charge": f'("week" TEXT NOT NULL, "connection_id" INTEGER NOT NULL, "charge_id" INTEGER NOT NULL, '
                        f'"currency" TEXT NOT NULL, {_MEASURES}, PRIMARY KEY ("week", "connection_id", "charge_id", '
                        f'"currency"), {_FK_CONN}, {_FK_CHARGE})',
}


# cost_month_key's rows as schema 8 kept them: by key, before schema 14 kept each key's project too
_BY_KEY = ("SELECT month, connection_id, api_key_id, currency, SUM(amount_hi), SUM(amount_lo), SUM(qty_hi), "
           "SUM(qty_lo), MIN(unit_min), MAX(unit_max) FROM cost_month_key GROUP BY month, connection_id, api_key_id, "
           "currency")


def _rows(table: str) -> str:
    return _BY_KEY if table == "cost_month_key" else f'SELECT * FROM "{table}"'


def _dump(con: sqlite3.Connection) -> dict[str, list[tuple]]:
    """Every row of every rollup (as schema 8 kept it) and of ``cost``, sorted (the same rows whatever
    order a table keeps)."""
    return {t: sorted(con.execute(_rows(t)).fetchall(), key=repr) for t in (*SCHEMA8, "cost")}


def _as_schema8(path: str) -> None:
    """Rewrite a store's rollups as schema 8 made them (rowid tables, schema 8's key order), rows kept."""
    con = sqlite3.connect(path)
    with con:
        for table, ddl in SCHEMA8.items():
            con.execute(f'ALTER TABLE "{table}" RENAME TO "{table}_9"')
            con.execute(f'CREATE TABLE "{table}" {ddl}')
            con.execute(f'INSERT INTO "{table}" {_rows(table).replace(table, table + "_9")}')
            con.execute(f'DROP TABLE "{table}_9"')
        con.execute("UPDATE meta SET value = '8' WHERE key = 'schema_version'")
    con.close()


def _ddl(path: str) -> dict[str, str]:
    con = sqlite3.connect(path)
    try:
        return dict(con.execute("SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall())
    finally:
        con.close()


def test_a_schema_8_store_keeps_every_row_and_total_as_rowless_rollups(tmp_path) -> None:
    rig = Rig(tmp_path)
    assert rig.sync().ok
    path = rig.store.url
    rig.store.close()
    fresh = _ddl(path)
    assert all("WITHOUT ROWID" in fresh[t] for t in SCHEMA8), "a new store makes rowless rollups"
    _as_schema8(path)
    old = _ddl(path)
    assert not any("WITHOUT ROWID" in old[t] for t in SCHEMA8)
    con = sqlite3.connect(path)
    before = _dump(con)
    con.close()
    assert all(before[t] for t in before)
    with Store(path) as store:
        total = store.total()
        specs = [PivotSpec(rows=("project",), cols="day", date_range=DateRange(date(2026, 8, 1), TODAY)),
                 PivotSpec(rows=("api_key",), cols="month", date_range=DateRange(date(2025, 11, 1), TODAY),
                           filters=(Filter("service", ("Chat completions",)),)),
                 PivotSpec(rows=("service",), cols="week", date_range=DateRange(date(2025, 11, 1), TODAY))]
        for spec in specs:
            fast, slow = store.run_pivot(spec, today=TODAY), store.run_pivot(spec, today=TODAY, use_rollups=False)
            assert (fast.row_keys, fast.col_keys, fast.cells, fast.total) == (slow.row_keys, slow.col_keys,
                                                                             slow.cells, slow.total)
        every_day = PivotSpec(rows=("project",), cols="month", date_range=DateRange(date(2020, 1, 1), TODAY))
        assert store.run_pivot(every_day, today=TODAY).total.amount == total != 0
    con = sqlite3.connect(path)
    after = _dump(con)
    (version,) = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    con.close()
    assert after == before and version == str(SCHEMA_VERSION)
    assert _ddl(path) == fresh, "the migrated store's tables are those a new store makes"
    assert list(Path(path).parent.glob("*.schema8-*.bak")), "the store was backed up before migrating"


def test_each_rollup_is_keyed_as_its_rollup_groups_and_a_view_streams(tmp_path) -> None:
    """Every rollup's key holds exactly the columns store/rollup.py groups by (currency last), and the
    project x day query of the id-alone mode needs no temporary b-tree."""
    for r in rollup.ROLLUPS:
        key = [f"{k}_id" if k in ("connection", "charge") else k for k in ROLLUP_KEYS[r.table]]
        assert set(key) == set(r.keys) - {"week", "month"} if r.by_day else set(key) == set(r.keys), r.table
        assert key[-1] == "currency"
    with Store(str(tmp_path / "costs.db")) as store:
        plan = store.db.execute_sql(
            "EXPLAIN QUERY PLAN SELECT day, project_id, SUM(amount_hi) FROM cost_day_project "
            "WHERE currency = 'usd' AND day >= '2026-01-01' GROUP BY day, project_id").fetchall()
    assert not any("TEMP B-TREE" in row[-1] for row in plan), plan


@needs_postgres
def test_a_schema_8_postgresql_store_keeps_its_rollups_as_they_are(pg_url, tmp_path) -> None:  # noqa: F811
    """PostgreSQL keeps its plain tables (peewee would emit WITHOUT ROWID there too: schema.py leaves it out
    on PostgreSQL); a schema-8 store keeps them (its cost table is keyed anew: tests/test_migration_cost_key.py),
    and its rows and pivots stay as they were."""
    from openai_cost_tui.fake.org import FakeOrg
    from tests.test_sync import TODAY as SYNC_TODAY

    org = FakeOrg(3, start=START, end=SYNC_TODAY, size="small")
    with Store(pg_url) as store:
        conn = add_acme(store, org)
        assert engine_for(store, org, tmp_path).sync(store.connection(conn.id)).ok
        with store.db.atomic():
            store.db.execute_sql("UPDATE meta SET value = '8' WHERE key = 'schema_version'")
        assert store.db.execute_sql("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("8",)
        tables = {r.table: sorted(store.db.execute_sql(f"SELECT * FROM {r.table}").fetchall(), key=repr)
                  for r in rollup.ROLLUPS}
        spec = PivotSpec(rows=("project",), cols="day", date_range=DateRange(START, SYNC_TODAY))
        before = store.run_pivot(spec, today=SYNC_TODAY)
    with Store(pg_url) as store:
        (version,) = store.db.execute_sql("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        assert version == str(SCHEMA_VERSION)
        assert tables == {r.table: sorted(store.db.execute_sql(f"SELECT * FROM {r.table}").fetchall(), key=repr)
                          for r in rollup.ROLLUPS}
        after = store.run_pivot(spec, today=SYNC_TODAY)
        assert (after.cells, after.total) == (before.cells, before.total) and after.total.amount != 0
        assert after.cells == store.run_pivot(spec, today=SYNC_TODAY, use_rollups=False).cells
