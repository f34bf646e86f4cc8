"""The pivot engine shared by the CLI and the TUI: one GROUP BY in SQL, folded by core.pivot.

Values are matched and grouped by what the user sees (a project's name, a key's name, "(none)").
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import peewee as pw

from ..core import money
from ..core.dates import DateRange
from ..core.dimensions import NONE_LABEL
from ..core.models import Cell, PivotResult, PivotSpec
from ..core.pivot import fold, split_by_month, validate_spec
from . import filters, rollup
from .convert import QTY_SCALE

if TYPE_CHECKING:
    from .store import Store

_QTY_TO_ATTO = money.SCALE // QTY_SCALE


class _Exprs:
    """SQL expressions for each dimension's displayed value over one fact table, and the joins they need.

    The fact table is the daily ``cost`` table or one of its rollups (store/rollup.py), which keep some
    of its columns; a dimension reads the same way from every table that has its column.
    """

    def __init__(self, store: Store, table: type[pw.Model]) -> None:
        m = store.m
        self.m = m
        self.C = C = table
        self.Conn = m.Connection.alias("conn")
        self.P = m.Project.alias("p")
        self.K = m.ApiKey.alias("k")
        fields = table._meta.fields
        self.has_charge = "charge" in fields
        Ch = m.Charge
        none = pw.Value(NONE_LABEL)
        self.expr = {
            "organization": pw.fn.COALESCE(
                self.Conn.organization_name, self.Conn.organization_id, self.Conn.description
            ),
            "connection": self.Conn.description,
            "month": C.month,
        }
        if self.has_charge:
            self.expr.update(
                service=Ch.service,
                category=Ch.category,
                subcategory=Ch.subcategory,
                tier=Ch.tier,
                context=Ch.context,
                model_version=pw.fn.COALESCE(pw.fn.NULLIF(Ch.model_version, ""), none),  # as a project
                line_item=pw.fn.COALESCE(Ch.line_item, none),
                unit=pw.fn.COALESCE(Ch.unit, none),
            )
            self.units = (pw.fn.MIN(Ch.unit), pw.fn.MAX(Ch.unit))
        else:
            self.units = (pw.fn.MIN(C.unit_min), pw.fn.MAX(C.unit_max))
        if "project_id" in fields:
            self.expr["project"] = pw.fn.COALESCE(pw.fn.NULLIF(self.P.name, ""), pw.fn.NULLIF(C.project_id, ""), none)
        if "api_key_id" in fields:
            self.expr["api_key"] = pw.fn.COALESCE(pw.fn.NULLIF(self.K.name, ""), pw.fn.NULLIF(C.api_key_id, ""), none)
        if "day" in fields:
            self.expr.update(day=C.day, week=C.week)

    def query(self, dims: set[str]) -> pw.ModelSelect:
        C = self.C
        q = C.select()
        if self.has_charge:
            Ch = self.m.Charge
            q = q.join(Ch, on=(C.charge == Ch.id))
        if dims & {"organization", "connection"}:
            q = q.switch(C).join(self.Conn, on=(C.connection == self.Conn.id))
        if "project" in dims:
            q = q.switch(C).join(
                self.P, pw.JOIN.LEFT_OUTER, on=((self.P.connection == C.connection) & (self.P.project_id == C.project_id))
            )
        if "api_key" in dims:
            q = q.switch(C).join(
                self.K, pw.JOIN.LEFT_OUTER, on=((self.K.connection == C.connection) & (self.K.key_id == C.api_key_id))
            )
        return q


def _query(store: Store, table: type[pw.Model], spec: PivotSpec, group_dims: list[str], members) -> pw.ModelSelect:
    ex = _Exprs(store, table)
    C = table
    group_exprs = [ex.expr[d] for d in group_dims]
    measures = [
        pw.fn.SUM(C.amount_hi),
        pw.fn.SUM(C.amount_lo),
        pw.fn.SUM(C.qty_hi),
        pw.fn.SUM(C.qty_lo),
        *ex.units,
    ]
    conditions, by_value = [], set()
    for f in spec.filters:
        cond = filters.resolve(store, table, f)
        if cond is None:
            values = list(f.values)
            cond = ex.expr[f.dim].not_in(values) if f.exclude else ex.expr[f.dim].in_(values)
            by_value.add(f.dim)
        conditions.append(cond)
    query = ex.query(set(group_dims) | by_value).select(*group_exprs, *measures).where(C.currency == spec.currency)
    for cond in conditions:
        query = query.where(cond)
    if members is not None:
        query = query.where(C.connection.in_(members))
    if group_exprs:
        query = query.group_by(*group_exprs)
    return query


def _collect(store: Store, query: pw.ModelSelect, spec: PivotSpec,
             group_dims: list[str]) -> list[tuple[tuple[str, ...], str, Cell]]:
    out = []
    n = len(group_dims)
    dates = store.is_postgres  # SQLite gives every dimension as text already; PostgreSQL gives dates
    for rec in store.db.execute(query):  # the driver's tuples: no per-row model conversion
        keys = rec[:n]
        if dates or None in keys:
            keys = tuple(_text(v) for v in keys)
        hi, lo, qhi, qlo, umin, umax = rec[n:]
        if hi is None and lo is None:
            continue  # an aggregate over no rows
        amount = money.join(int(hi or 0), int(lo or 0))
        qty = None if qhi is None else (int(qhi) * QTY_SCALE + int(qlo or 0)) * _QTY_TO_ATTO
        units = frozenset(u for u in (umin, umax) if u is not None)
        out.append((keys[: len(spec.rows)], keys[len(spec.rows)] if spec.cols else "", Cell(amount, qty, units)))
    return out


def _text(value: object) -> str:
    if value is None:
        return NONE_LABEL
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class PivotQueries:
    """The pivot (mixed into Store)."""

    def run_pivot(self, spec: PivotSpec, *, today: date, use_rollups: bool = True) -> PivotResult:
        """The pivot of ``spec``: whole months from the monthly rollup, the other days from the smallest
        daily table that has every dimension needed. ``use_rollups=False`` reads only the daily rows (the
        tests' reference: both ways must agree to the last digit)."""
        validate_spec(spec)
        date_range = spec.date_range or DateRange(today.replace(day=1), today)
        group_dims = [*spec.rows, *((spec.cols,) if spec.cols else ())]
        needed = set(group_dims) | {f.dim for f in spec.filters}
        members = None
        if spec.workspace:
            W, WC = self.m.Workspace, self.m.WorkspaceConnection
            ws_name = self.require_workspace(spec.workspace)
            members = WC.select(WC.connection).join(W).where(W.name == ws_name)
        months, day_ranges = [], [(date_range.start, date_range.end)]
        if use_rollups and not needed & {"day", "week"}:
            months, day_ranges = split_by_month(date_range, self.last_day())
        daily_table = self.m.Cost
        if use_rollups and (daily := rollup.pick_daily(needed)) is not None:
            daily_table = getattr(self.m, daily.model)
        raw: list[tuple[tuple[str, ...], str, Cell]] = []
        with self.read():
            if months:
                monthly = _query(self, self.m.CostMonth, spec, group_dims, members)
                raw += _collect(self, monthly.where(self.m.CostMonth.month.in_(months)), spec, group_dims)
            if day_ranges:
                daily = _query(self, daily_table, spec, group_dims, members)
                C = daily_table
                span = None
                for lo, hi in day_ranges:
                    part = (C.day >= lo) & (C.day <= hi)
                    span = part if span is None else (span | part)
                raw += _collect(self, daily.where(span), spec, group_dims)
        return fold(spec, date_range, raw, today=today)
