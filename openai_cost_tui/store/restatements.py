"""Restatements: what a sync changed in days already stored, per (connection, day, service), kept.

The sync engine snapshots the window's per-service day totals before replacing it and records the
differences after, inside the same transaction (see ``sync/engine.py``), so a restatement exists
exactly when the revised rows do. Amounts are exact decimal strings in the table, ``int``
atto-dollars here.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import TYPE_CHECKING

import peewee as pw

from ..core import money
from ..core.restatements import Restatement, StoredRestatement, diff
from .convert import as_date

if TYPE_CHECKING:
    pass

DIMENSION = "service"
Totals = dict[str, dict[tuple[date, str], int]]  # currency -> (day, service) -> atto


def _stored(row) -> StoredRestatement:
    change = Restatement(as_date(row.day), row.dimension, row.value, money.parse_exact(row.old_total),
                         money.parse_exact(row.new_total))
    detected = row.detected_at if isinstance(row.detected_at, datetime) else datetime.fromisoformat(
        str(row.detected_at))
    return StoredRestatement(row.connection_id, row.description, row.currency, detected, change)


def _ts(moment: datetime) -> float:
    return moment.timestamp() if moment.tzinfo else (moment - datetime(1970, 1, 1)).total_seconds()


class RestatementQueries:
    """Restatements (mixed into Store)."""

    def day_totals(self, connection_id: int, start: date, end: date) -> Totals:
        """The connection's stored cost per (day, service) and currency over ``start..end``."""
        C, Ch = self.m.Cost, self.m.Charge
        query = (
            C.select(C.day, C.currency, Ch.service, pw.fn.SUM(C.amount_hi), pw.fn.SUM(C.amount_lo))
            .join(Ch, on=(C.charge == Ch.id))
            .where((C.connection == connection_id) & (C.day >= start) & (C.day <= end))
            .group_by(C.day, C.currency, Ch.service)
            .tuples()
        )
        out: Totals = defaultdict(dict)
        with self.read():
            for day, currency, service, hi, lo in query:
                out[currency][(as_date(day), service)] = money.join(int(hi or 0), int(lo or 0))
        return dict(out)

    def record_changes(self, connection_id: int, before: Totals, start: date, end: date, *,
                       detected_at: datetime, tolerance: int = 0) -> list[Restatement]:
        """Compare ``before`` with what is stored now for ``start..end`` and keep every difference.

        Call it inside the transaction that replaced the window, with ``before`` taken in it too, and
        with ``start..end`` limited to days that were stored (and complete) before.
        """
        if end < start:
            return []
        after = self.day_totals(connection_id, start, end)
        R = self.m.Restatement
        found: list[Restatement] = []
        rows = []
        for currency in sorted(set(before) | set(after)):
            old = {k: v for k, v in before.get(currency, {}).items() if start <= k[0] <= end}
            changes = diff(old, after.get(currency, {}), dimension=DIMENSION, tolerance=tolerance)
            found.extend(changes)
            rows.extend(
                {
                    "connection": connection_id,
                    "day": c.day,
                    "dimension": c.dimension,
                    "value": c.value,
                    "currency": currency,
                    "old_total": money.format_exact(c.old),
                    "new_total": money.format_exact(c.new),
                    "detected_at": detected_at,
                }
                for c in changes
            )
        if rows:
            with self.write():
                R.insert_many(rows).execute()
        return found

    def restatements(self, *, since: datetime | None = None, connection_id: int | None = None,
                     limit: int | None = 500) -> list[StoredRestatement]:
        """Recorded revisions, newest detection first (then by day and the largest move);
        ``since`` is naive UTC (detections at or after it)."""
        R, C = self.m.Restatement, self.m.Connection
        query = R.select(R, C.description).join(C, on=(R.connection == C.id))
        if since is not None:
            query = query.where(R.detected_at >= since)
        if connection_id is not None:
            query = query.where(R.connection == connection_id)
        query = query.order_by(R.detected_at.desc(), R.day.desc(), R.id)
        if limit is not None:
            query = query.limit(limit)
        with self.read():
            rows = list(query.objects())
        out = [_stored(r) for r in rows]
        # within one detection: latest day first, then the largest move
        return sorted(out, key=lambda s: (-_ts(s.detected_at), -s.change.day.toordinal(), -abs(s.change.delta),
                                          s.connection, s.change.value))
