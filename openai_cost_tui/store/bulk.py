"""Inserting many rows at once: many rows per statement, a multi-row ``VALUES``.

psycopg2's ``executemany`` sends one statement and waits for its answer per row: a year of a small
organization (14k cost rows and their rollups) took ~7 s of a team store's 8.5 s sync on loopback.
``execute_values`` sends a page of rows in one statement. SQLite runs in process, but a statement
stepped and reset per row still costs: ~83 rows a statement (at most 999 values, the oldest SQLite's
limit) insert a window's cost rows ~15% faster than one.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain, islice

import peewee as pw

PAGE = 1000  # rows per PostgreSQL statement
SQLITE_VALUES = 999  # values per SQLite statement: SQLITE_MAX_VARIABLE_NUMBER before SQLite 3.32


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
        per = max(1, SQLITE_VALUES // len(columns))
        whole = len(rows) - len(rows) % per
        if whole:
            it = iter(rows)
            statements = (list(chain.from_iterable(islice(it, per))) for _ in range(whole // per))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * per)}", statements)
        if whole < len(rows):
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES {one}", rows[whole:])
