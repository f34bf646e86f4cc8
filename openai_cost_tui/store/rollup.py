"""The monthly rollup: ``cost`` summed per (connection, month, project, key, charge, currency).

Rebuilt for the months a replaced window touches, inside the same transaction, so it is never stale
and never half-written. Month-grained pivots read it instead of every daily row.
"""

from __future__ import annotations

from datetime import date, timedelta

import peewee as pw

from ..core.dates import add_months, month_id

COLUMNS = "connection_id, month, project_id, api_key_id, charge_id, currency"
SUMS = "SUM(amount_hi), SUM(amount_lo), SUM(qty_hi), SUM(qty_lo)"
INSERT = (f"INSERT INTO cost_month ({COLUMNS}, amount_hi, amount_lo, qty_hi, qty_lo) "
          f"SELECT {COLUMNS}, {SUMS} FROM cost")


def months_between(start: date, end: date) -> list[str]:
    out, cursor = [], start.replace(day=1)
    while cursor <= end:
        out.append(month_id(cursor))
        cursor = add_months(cursor, 1)
    return out


def refresh(db: pw.Database, connection_id: int, start: date, end: date, *, as_text: bool) -> None:
    """Recompute the rollup of every month that ``start..end`` touches, for one connection."""
    months = months_between(start, end)
    first, last = start.replace(day=1), add_months(end, 1) - timedelta(days=1)
    p = db.param
    db.execute_sql(
        f"DELETE FROM cost_month WHERE connection_id = {p} AND month IN ({', '.join([p] * len(months))})",
        (connection_id, *months),
    )
    lo, hi = (first.isoformat(), last.isoformat()) if as_text else (first, last)
    db.execute_sql(
        f"{INSERT} WHERE connection_id = {p} AND day >= {p} AND day <= {p} GROUP BY {COLUMNS}",
        (connection_id, lo, hi),
    )


def rebuild(db: pw.Database) -> None:
    """Recompute the whole rollup (after a migration that adds it)."""
    db.execute_sql("DELETE FROM cost_month")
    db.execute_sql(f"{INSERT} GROUP BY {COLUMNS}")
