"""A query's result as one list per selected column, read from SQLite in a single row.

The sqlite3 module makes a tuple and a Python object for every value of every row it steps, which costs
more than SQLite's own grouping on a view of many cells: 2M rows, project x day over 90 days sends 27k rows
of 5 values, 19 ms to fetch and 3 ms more to turn into columns, against 3 ms for SQLite to read them. Here
SQLite gathers each column into one JSON array (``json_group_array``; the arrays stay aligned, since each
row steps every aggregate of the query in turn) and ``json`` parses them, both in C: ~14 ms.
JSON keeps what a column holds exactly (text, integers of any size, NULL as None).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import peewee as pw

if TYPE_CHECKING:
    from .store import Store

# SQLite built without its JSON functions (before 3.38 they were optional), a result past its string limit,
# a value JSON cannot hold (a BLOB another program wrote into a text column) or text that is not UTF-8: the
# driver's rows read what they can, and name only the value that failed
_NOT_AS_JSON = ("no such function: json_group_array", "too big", "JSON cannot hold BLOB values",
                "Could not decode to UTF-8")


def columns(store: Store, query: pw.SelectBase) -> list[list]:
    """The rows of ``query`` (a SELECT, or a UNION of them) as columns, in its order of selection (empty
    lists where it has no row). PostgreSQL, a SQLite without JSON functions and a result too big for one
    SQLite string read the driver's rows instead, transposed."""
    width = len(query.lhs.selected_columns if isinstance(query, pw.CompoundSelectQuery) else query.selected_columns)
    if not store.is_postgres:
        sql, params = query.sql()
        names = ", ".join(f"c{i}" for i in range(width))
        arrays = ", ".join(f"json_group_array(c{i})" for i in range(width))
        try:
            row = store.db.execute_sql(f"WITH t({names}) AS ({sql}) SELECT {arrays} FROM t", params).fetchone()
        except (pw.OperationalError, pw.DataError) as exc:
            if not any(text in str(exc) for text in _NOT_AS_JSON):
                raise
        else:
            return [json.loads(array) for array in row]
    rows = store.db.execute(query).fetchall()  # the driver's tuples: no conversion to models per row
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]
