"""Inserting many rows at once: many rows per statement, a multi-row ``VALUES``.

psycopg2's ``executemany`` sends one statement and waits for its answer per row: a year of a small
organization (14k cost rows and their rollups) took ~7 s of a team store's 8.5 s sync on loopback.
``execute_values`` sends a page of rows in one statement. SQLite runs in process, but a statement
stepped and reset per row still costs: ~83 rows a statement (999 values, the oldest SQLite's limit)
insert a window's cost rows ~15% faster than one, and ~666 rows (8,000 values, where SQLite allows them:
3.32 and later) ~10% faster again. The rows left over go in ~83 at a time, then one by one: a statement
of another length would be compiled anew.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from itertools import chain, islice

import peewee as pw

PAGE = 1000  # rows per PostgreSQL statement
SQLITE_VALUES = 8000  # values per SQLite statement, where the SQLite library allows as many
SQLITE_OLDEST_VALUES = 999  # SQLITE_MAX_VARIABLE_NUMBER before SQLite 3.32


def insert_rows(db: pw.Database, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """``INSERT INTO table (columns)`` each of ``rows``, in the caller's transaction. The driver's errors
    are raised as Peewee's (``pw.IntegrityError`` for a repeated key), as the ORM's own queries raise them."""
    names = ", ".join(columns)
    cursor = db.cursor()
    with pw.__exception_wrapper__:
        if isinstance(db, pw.PostgresqlDatabase):
            from psycopg2.extras import execute_values  # only a team store has the driver loaded

            execute_values(cursor, f"INSERT INTO {table} ({names}) VALUES %s", rows, page_size=PAGE)
            return
        one = f"({', '.join([db.param] * len(columns))})"
        most = min(SQLITE_VALUES, db.connection().getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
        it, left = iter(rows), len(rows)
        for values in dict.fromkeys((most, SQLITE_OLDEST_VALUES)):  # (once each, where both are 999)
            per = max(1, values // len(columns))
            if count := left // per:
                statements = (list(chain.from_iterable(islice(it, per))) for _ in range(count))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * per)}", statements)
                left -= count * per
        if left:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES {one}", it)
