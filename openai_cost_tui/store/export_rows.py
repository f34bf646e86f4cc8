"""Every stored cost row of a date range, with the names and charge dimensions an export needs.

Mixed into ``Store`` (``ExportRowQueries``). One row per ``cost`` row: the store keeps one per
(connection, UTC day, project, API key, charge, currency), so an export never sums anything and its
totals are the store's to the last digit. Rows come from one SELECT, so a sync landing while an export
reads cannot mix old and new rows (SQLite's WAL gives the statement one snapshot).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import peewee as pw

from ..core import money
from .convert import QTY_SCALE, as_date

if TYPE_CHECKING:
    from .store import Store

_QTY_TO_ATTO = money.SCALE // QTY_SCALE


@dataclass(frozen=True)
class ExportRow:
    """One stored cost row. ``amount`` and ``quantity`` are exact atto-units (10**-18), as everywhere;
    ``quantity`` is None when the API sent none. Names are None when unknown (never ``""``)."""

    day: date
    currency: str
    amount: int
    quantity: int | None
    connection_id: int
    connection: str  # the connection's description (unique in the store)
    organization_id: str | None
    organization_name: str | None
    project_id: str | None  # None: the cost has no project
    project_name: str | None
    api_key_id: str | None  # None: not attributed to a key
    api_key_name: str | None
    line_item: str | None
    unit: str | None
    credit: bool
    service: str
    category: str
    subcategory: str
    tier: str
    context: str
    model_version: str


class ExportRowQueries:
    """Rows for exports (mixed into Store)."""

    def export_rows(self: Store, start: date, end: date) -> Iterator[ExportRow]:
        """Every cost row from ``start`` to ``end`` (inclusive UTC days), in every currency, in a stable
        order (day, connection, project, key, line item, unit, credit, currency). A generator: rows are
        read as they are consumed, never all held at once (on SQLite)."""
        m = self.m
        C, Ch, Conn = m.Cost, m.Charge, m.Connection
        P, K = m.Project.alias("p"), m.ApiKey.alias("k")
        query = (
            C.select(
                C.day, C.currency, C.amount_hi, C.amount_lo, C.qty_hi, C.qty_lo,
                C.connection, Conn.description, Conn.organization_id, Conn.organization_name,
                C.project_id, P.name, C.api_key_id, K.name,
                Ch.line_item, Ch.unit, Ch.credit, Ch.service, Ch.category, Ch.subcategory, Ch.tier, Ch.context,
                Ch.model_version,
            )
            .join(Ch, on=(C.charge == Ch.id))
            .switch(C).join(Conn, on=(C.connection == Conn.id))
            .switch(C).join(P, pw.JOIN.LEFT_OUTER, on=((P.connection == C.connection) & (P.project_id == C.project_id)))
            .switch(C).join(K, pw.JOIN.LEFT_OUTER, on=((K.connection == C.connection) & (K.key_id == C.api_key_id)))
            .where((C.day >= start) & (C.day <= end))
            .order_by(C.day, C.connection, C.project_id, C.api_key_id, Ch.line_item, Ch.unit, Ch.credit, C.currency)
        )
        with self.read():
            for (day, currency, hi, lo, qhi, qlo, conn_id, description, org_id, org_name, project_id, project_name,
                 key_id, key_name, line_item, unit, credit, service, category, subcategory, tier, context,
                 model_version) in self.db.execute(query):
                quantity = None if qhi is None else (int(qhi) * QTY_SCALE + int(qlo or 0)) * _QTY_TO_ATTO
                yield ExportRow(
                    day=as_date(day),
                    currency=currency,
                    amount=money.join(int(hi), int(lo)),
                    quantity=quantity,
                    connection_id=int(conn_id),
                    connection=description,
                    organization_id=org_id or None,
                    organization_name=org_name or None,
                    project_id=project_id or None,
                    project_name=project_name or None,
                    api_key_id=key_id or None,
                    api_key_name=key_name or None,
                    line_item=line_item,
                    unit=unit,
                    credit=bool(credit),
                    service=service,
                    category=category,
                    subcategory=subcategory,
                    tier=tier,
                    context=context,
                    model_version=model_version,
                )
