"""A pivot reads SQLite's result as columns gathered in JSON arrays: what it reads is what the driver's
rows hold, value for value (text of any kind, integers at SQLite's limits, NULL), and a result past
SQLite's string limit is read row by row, with the same pivot."""

from __future__ import annotations

import sqlite3
from datetime import date

import peewee as pw

from openai_cost_tui.core.dates import DateRange
from openai_cost_tui.core.models import ApiKeyInfo, CostRow, PivotSpec, Project
from openai_cost_tui.store.columns import columns
from openai_cost_tui.store.store import NewConnection

DAY = date(2026, 5, 12)
AWKWARD = ['plain', '"quoted" \\ back\\slash', "[1, 2]", "{\"a\": 1}", "null", "tab\there\nnewline\x1b[31m",
           "\x00nul inside", "日本語 ✓ 🚀", "\ud7ff", "", " ", "1e309", "-0"]


def _cost_store(store, n_projects: int = 40) -> int:
    conn = store.add_connection(NewConnection("Acme", "https://api.openai.com/v1", "env", "K", DAY))
    ids = [f"proj_{i}_{AWKWARD[i % len(AWKWARD)]}" for i in range(n_projects)]
    store.save_names(conn.id, [Project(pid, AWKWARD[i % len(AWKWARD)] or None) for i, pid in enumerate(ids)],
                     [ApiKeyInfo(f"key_{i}", AWKWARD[-i % len(AWKWARD)], pid) for i, pid in enumerate(ids)])
    store.replace_window(conn.id, DAY, DAY, [
        CostRow(DAY, pid, "gpt-4o-2024-08-06, input", f"key_{i}", "usd", (i + 1) * 10**17 + i, 10**18, "tokens")
        for i, pid in enumerate(ids)])
    return conn.id


def test_columns_hold_what_the_driver_rows_hold(store) -> None:
    values = [(text, big, None if i % 3 else i, i * 0.5) for i, (text, big) in
              enumerate(zip(AWKWARD, [2**63 - 1, -(2**63), 0, 1, -1] * 3, strict=False))]
    store.db.execute_sql("CREATE TABLE awkward (t TEXT, big INTEGER, maybe INTEGER, half REAL)")
    store.db.connection().executemany("INSERT INTO awkward VALUES (?, ?, ?, ?)", values)

    class Awkward(pw.Model):
        t = pw.TextField()
        big = pw.IntegerField()
        maybe = pw.IntegerField(null=True)
        half = pw.FloatField()

        class Meta:
            database = store.db
            table_name = "awkward"
            primary_key = False

    query = Awkward.select(Awkward.t, Awkward.big, Awkward.maybe, Awkward.half)
    got = columns(store, query)
    assert got == [list(col) for col in zip(*values, strict=True)]
    assert [type(v) for v in got[1]] == [int] * len(values)  # integers stay integers, exactly
    assert columns(store, query.where(Awkward.big == 12345)) == [[], [], [], []]


def test_a_result_past_sqlites_string_limit_is_read_row_by_row_with_the_same_pivot(store) -> None:
    _cost_store(store)
    spec = PivotSpec(rows=("project",), cols="api_key", date_range=DateRange(DAY, DAY), quantities=False)
    as_json = store.run_pivot(spec, today=DAY)
    with_qty = store.run_pivot(PivotSpec(rows=("project",), cols="api_key", date_range=DateRange(DAY, DAY)),
                               today=DAY)
    assert len(as_json.row_keys) > 10
    connection = store.db.connection()
    limit = connection.getlimit(sqlite3.SQLITE_LIMIT_LENGTH)
    connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 200)  # the id column's JSON array is longer than this
    try:
        assert store.run_pivot(spec, today=DAY) == as_json
        assert store.run_pivot(PivotSpec(rows=("project",), cols="api_key", date_range=DateRange(DAY, DAY)),
                               today=DAY) == with_qty
    finally:
        connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limit)
    assert store.run_pivot(spec, today=DAY, use_rollups=False) == as_json


def test_a_blob_another_program_wrote_into_a_text_column_is_read_row_by_row(store) -> None:
    _cost_store(store, n_projects=3)
    spec = PivotSpec(rows=("line_item",), cols=None, date_range=DateRange(DAY, DAY), quantities=False)
    assert store.run_pivot(spec, today=DAY).row_keys == (("gpt-4o-2024-08-06, input",),)
    store.db.execute_sql("UPDATE charge SET line_item = CAST(line_item AS BLOB)")  # JSON cannot hold a BLOB
    result = store.run_pivot(spec, today=DAY)
    assert result.total.amount == sum((i + 1) * 10**17 + i for i in range(3))
    assert len(result.row_keys) == 1
