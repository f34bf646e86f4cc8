"""Rows inserted many to a statement (store/bulk.py) arrive whole, once each, at every count around the
statement sizes, and where SQLite allows only the oldest limit of 999 values a statement."""

from __future__ import annotations

import sqlite3

import peewee as pw
import pytest

from openai_cost_tui.store import bulk
from openai_cost_tui.store.store import Store

COLUMNS = ("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l")  # as many as a cost row
BIG, SMALL = bulk.SQLITE_VALUES // len(COLUMNS), bulk.SQLITE_OLDEST_VALUES // len(COLUMNS)
COUNTS = sorted({0, 1, SMALL - 1, SMALL, SMALL + 1, BIG - 1, BIG, BIG + 1, BIG + SMALL, BIG + SMALL + 1,
                 2 * BIG + 2 * SMALL - 1, 3 * BIG})


def _rows(n: int) -> list[tuple]:
    return [(i, f"p{i}", None if i % 7 == 0 else -i, *(f"{c}{i}" for c in COLUMNS[3:])) for i in range(n)]


@pytest.fixture
def store(tmp_path):
    with Store(str(tmp_path / "costs.db")) as s:
        s.db.execute_sql(f"CREATE TABLE scratch ({', '.join(COLUMNS)}, PRIMARY KEY (a))")
        yield s


@pytest.mark.parametrize("oldest", [False, True], ids=["sqlite limit", "999 values"])
def test_every_row_is_inserted_once_at_each_count(store, oldest) -> None:
    if oldest:
        store.db.connection().setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, bulk.SQLITE_OLDEST_VALUES)
    for n in COUNTS:
        rows = _rows(n)
        with store.write():
            store.db.execute_sql("DELETE FROM scratch")
            bulk.insert_rows(store.db, "scratch", COLUMNS, rows)
        with store.read():
            assert store.db.execute_sql("SELECT * FROM scratch ORDER BY a").fetchall() == rows, n


def test_a_repeated_key_is_refused_as_peewee_refuses_it_and_its_savepoint_keeps_nothing(store) -> None:
    rows = _rows(BIG + SMALL + 3)
    rows.append(rows[BIG + 1])  # among the rows left over after the statements of many rows
    with store.write(), pytest.raises(pw.IntegrityError), store.db.savepoint():  # as Store.replace_window
        bulk.insert_rows(store.db, "scratch", COLUMNS, rows)
    with store.read():
        assert store.db.execute_sql("SELECT COUNT(*) FROM scratch").fetchone() == (0,)
