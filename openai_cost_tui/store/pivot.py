"""The pivot engine shared by the CLI and the TUI: one GROUP BY in SQL, folded into a PivotResult.

Values are matched and grouped by what the user sees (a project's name, a key's name, "(none)").
Top-N keeps the N largest values of the first row dimension and folds the rest into "(other)",
after the single query, which measured 2.5-3x faster than doing it in SQL.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import peewee as pw

from ..core import money
from ..core.dates import DateRange, add_months, month_id
from ..core.dimensions import NONE_LABEL, TIME_DIMENSIONS, dimension
from ..core.errors import UsageError
from ..core.models import MEASURES, Cell, PivotResult, PivotSpec
from . import rollup
from .store import QTY_SCALE, Store

OTHER_LABEL = "(other)"
_QTY_TO_ATTO = money.SCALE // QTY_SCALE


def validate_spec(spec: PivotSpec) -> None:
    if not spec.rows:
        raise UsageError("choose at least one row dimension")
    if len(spec.rows) > 2:
        raise UsageError("rows take one or two dimensions")
    for dim_id in (*spec.rows, *((spec.cols,) if spec.cols else ())):
        dimension(dim_id)
    if spec.cols and spec.cols in spec.rows:
        raise UsageError(f"{spec.cols!r} is already a row dimension; pick another for the columns")
    if len(set(spec.rows)) != len(spec.rows):
        raise UsageError("the two row dimensions must differ")
    if spec.measure not in MEASURES:
        raise UsageError(f"unknown measure {spec.measure!r}; choose one of: {', '.join(MEASURES)}")
    if spec.top is not None and spec.top < 1:
        raise UsageError("--top must be a whole number of at least 1")
    for f in spec.filters:
        dimension(f.dim)


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
                model_version=Ch.model_version,
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


def run_pivot(store: Store, spec: PivotSpec, *, today: date, use_rollups: bool = True) -> PivotResult:
    """The pivot of ``spec``: whole months from the monthly rollup, the other days from the smallest
    daily table that has every dimension needed. ``use_rollups=False`` reads only the daily rows (the
    tests' reference: both ways must agree to the last digit)."""
    validate_spec(spec)
    date_range = spec.date_range or DateRange(today.replace(day=1), today)
    group_dims = [*spec.rows, *((spec.cols,) if spec.cols else ())]
    needed = set(group_dims) | {f.dim for f in spec.filters}
    members = None
    if spec.workspace:
        W, WC = store.m.Workspace, store.m.WorkspaceConnection
        ws_name = store.require_workspace(spec.workspace)
        members = WC.select(WC.connection).join(W).where(W.name == ws_name)
    months, day_ranges = [], [(date_range.start, date_range.end)]
    if use_rollups and not needed & {"day", "week"}:
        months, day_ranges = split_by_month(date_range, store.last_day())
    daily_table = store.m.Cost
    if use_rollups and (daily := rollup.pick_daily(needed)) is not None:
        daily_table = getattr(store.m, daily.model)
    raw: list[tuple[tuple[str, ...], str, Cell]] = []
    with store.read():
        if months:
            monthly = _query(store, store.m.CostMonth, spec, group_dims, members)
            raw += _collect(store, monthly.where(store.m.CostMonth.month.in_(months)), spec, group_dims)
        if day_ranges:
            daily = _query(store, daily_table, spec, group_dims, members)
            C = daily_table
            span = None
            for lo, hi in day_ranges:
                part = (C.day >= lo) & (C.day <= hi)
                span = part if span is None else (span | part)
            raw += _collect(store, daily.where(span), spec, group_dims)
    return fold(spec, date_range, raw, today=today)


def split_by_month(date_range: DateRange, last_day: date | None) -> tuple[list[str], list[tuple[date, date]]]:
    """Months wholly inside the range (up to the last stored day) and the day ranges left at the edges."""
    if last_day is None:
        return [], [(date_range.start, date_range.end)]
    end = min(date_range.end, last_day)
    months: list[str] = []
    edges: list[tuple[date, date]] = []
    cursor = date_range.start
    while cursor <= end:
        month_end = add_months(cursor, 1) - timedelta(days=1)
        if cursor.day == 1 and (month_end <= end or end == last_day):
            months.append(month_id(cursor))
        else:
            edges.append((cursor, min(month_end, end)))
        cursor = month_end + timedelta(days=1)
    return months, edges


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
    needed = set(group_dims) | {f.dim for f in spec.filters}
    query = ex.query(needed).select(*group_exprs, *measures).where(C.currency == spec.currency)
    for f in spec.filters:
        values = list(f.values)
        query = query.where(ex.expr[f.dim].not_in(values) if f.exclude else ex.expr[f.dim].in_(values))
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


def fold(spec: PivotSpec, date_range: DateRange, raw: list[tuple[tuple[str, ...], str, Cell]], *,
         today: date) -> PivotResult:
    """Shape grouped records into a pivot: top-N with "(other)", ordering, row/column totals."""
    by_outer: dict[str, int] = defaultdict(int)
    for row_key, _, cell in raw:
        by_outer[row_key[0]] += cell.amount
    keep: set[str] | None = None
    if spec.top is not None and len(by_outer) > spec.top:
        ranked = sorted(by_outer, key=lambda k: (-by_outer[k], k))
        keep = set(ranked[: spec.top])

    cells: dict[tuple[tuple[str, ...], str], Cell] = {}
    for row_key, col_key, cell in raw:
        if keep is not None and row_key[0] not in keep:
            row_key = (OTHER_LABEL, *(("",) if len(row_key) > 1 else ()))
        key = (row_key, col_key)
        cells[key] = cells[key] + cell if key in cells else cell

    row_sums: dict[tuple[str, ...], _Sum] = {}
    col_sums: dict[str, _Sum] = {}
    grand = _Sum()
    for (row_key, col_key), cell in cells.items():
        (row_sums.get(row_key) or row_sums.setdefault(row_key, _Sum())).add(cell)
        if spec.cols:
            (col_sums.get(col_key) or col_sums.setdefault(col_key, _Sum())).add(cell)
        grand.add(cell)
    row_totals = {k: v.cell() for k, v in row_sums.items()}
    col_totals = {k: v.cell() for k, v in col_sums.items()}
    total = grand.cell()

    outer_totals: dict[str, int] = defaultdict(int)
    for row_key, cell in row_totals.items():
        outer_totals[row_key[0]] += cell.amount

    def row_order(row_key: tuple[str, ...]) -> tuple:
        parts: list = [1 if row_key[0] == OTHER_LABEL else 0]
        for i, value in enumerate(row_key):
            if spec.rows[i] in TIME_DIMENSIONS:
                parts.append(value)
            else:
                amount = outer_totals[value] if i == 0 else row_totals[row_key].amount
                parts.extend((-amount, value))
        return tuple(parts)

    row_keys = tuple(sorted(row_totals, key=row_order))
    if spec.cols in TIME_DIMENSIONS:
        col_keys = tuple(sorted(col_totals))
    else:
        col_keys = tuple(sorted(col_totals, key=lambda k: (-col_totals[k].amount, k)))
    provisional = today if date_range.start <= today <= date_range.end else None
    if date_range.end > today:
        provisional = max(today, date_range.start)
    return PivotResult(
        spec=spec,
        date_range=date_range,
        row_keys=row_keys,
        col_keys=col_keys if spec.cols else (),
        cells=cells if spec.cols else {},
        row_totals=row_totals,
        col_totals=col_totals,
        total=total,
        provisional_from=provisional,
    )


class _Sum:
    """A running Cell total without a new Cell per addition (thousands of groups fold into totals)."""

    __slots__ = ("amount", "quantity", "units")

    def __init__(self) -> None:
        self.amount = 0
        self.quantity: int | None = None
        self.units: frozenset[str] = frozenset()

    def add(self, cell: Cell) -> None:
        self.amount += cell.amount
        if cell.quantity is not None:
            self.quantity = cell.quantity if self.quantity is None else self.quantity + cell.quantity
        if not cell.units <= self.units:
            self.units = self.units | cell.units

    def cell(self) -> Cell:
        return Cell(self.amount, self.quantity, self.units)


def _text(value: object) -> str:
    if value is None:
        return NONE_LABEL
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
