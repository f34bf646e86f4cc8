"""The rollups of ``cost``: the same money summed over fewer rows, so a pivot reads fewer rows.

- ``cost_month``: per (connection, month, project, key, charge, currency): whole months of any view.
- ``cost_day_charge``: per (day, connection, charge, currency): day-binned views that need neither
  project nor key (service, category, tier, organization ... by day), ~27x fewer rows on a large org.
- ``cost_day_project``: per (day, connection, project, currency): day-binned views by project or
  organization with no charge dimension, ~15x fewer rows.
- ``cost_day_key``: per (day, connection, API key, project, currency): day-binned views by key, or by
  project and key, with no charge dimension, ~5x fewer rows (2M rows, API key x day over 31 days: ~140k
  rows read -> ~31k). A key belongs to one project, so the project adds few rows (~20%: each project's
  costs without a key) and spares project x key views from reading ``cost``.
- the month cubes, summed from ``cost_month`` (not from ``cost``) for the months it was just rebuilt:
  ``cost_month_charge`` per (month, connection, charge, currency), ``cost_month_project`` per (month,
  connection, project, currency) and ``cost_month_key`` per (month, connection, key, project, currency). A year by
  service reads ~2k rows instead of ~66k (2M store), by project ~4k, by key ~13k (issue #14).
- ``cost_day_charge_all``: ``cost_day_charge`` summed across connections, per (day, charge, currency),
  for the days a replaced window (or a removed connection) touches: day-binned views by charge dimensions
  over every connection read one row per day and charge (10 connections, service x day over 90 days:
  76k rows -> 7.6k).
- ``cost_day_project_all``: ``cost_day_project`` summed across connections, per (day, project, currency),
  refreshed as ``cost_day_charge_all``: read by day-binned views by project over every connection where
  each project id shows one name wherever it is (the pivot groups by the id alone then).
- the quarter cube ``cost_quarter``: ``cost_month`` per calendar quarter (``2026-Q1``), summed from it for
  the quarters of the months just rebuilt: a view by charge dimensions and projects or keys with no time
  dimension reads its whole quarters from it (project x service over a year at 2M rows: 69k rows of
  ``cost_month`` -> ~38k, three quarters and four months).
- the week cube ``cost_week_charge``: per (ISO week, connection, charge, currency), summed from
  ``cost_day_charge`` for the whole weeks a replaced window touches; week views by charge dimensions
  read whole weeks from it and only the edge days from the daily rollup.
- the part cube ``cost_part_key``: ``cost_day_key`` per part of a week within a month (the days an ISO
  week and a month share: a week across two months has two parts), summed from it for the parts a
  replaced window touches. A month view by key (or by project and key) reads the whole parts among its
  edge days from it and only the days left from ``cost_day_key``: each part is one row per key instead of
  one per key and day (10M rows, project x API key over 31 days: 30k rows sorted -> one part of 5k rows).

Each is recomputed for the span a replaced window touches, inside the same transaction, so it is never
stale and never half-written. ``pick`` chooses the smallest table that holds every dimension a pivot
groups or filters by; ``cost`` itself answers the rest. Sums of ``amount_lo`` may exceed 10**9: still
exact, because readers add both parts again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from operator import itemgetter

import peewee as pw

from ..core.dates import add_months, month_id, week_id
from .bulk import insert_rows
from .schema import ROLLUP_KEYS

SUMS = "SUM(c.amount_hi), SUM(c.amount_lo), SUM(c.qty_hi), SUM(c.qty_lo)"
MEASURES = "amount_hi, amount_lo, qty_hi, qty_lo"
CHARGE_DIMS = frozenset({"service", "category", "subcategory", "tier", "context", "model_version", "line_item",
                         "unit"})
CONNECTION_DIMS = frozenset({"organization", "connection"})
DAY_DIMS = frozenset({"day", "week", "month"})


@dataclass(frozen=True)
class Rollup:
    table: str
    model: str  # its Peewee model's name in schema.Models
    keys: tuple[str, ...]  # the columns it groups ``cost`` by
    dims: frozenset[str]  # the pivot dimensions it can answer (group or filter by)
    by_day: bool  # True: refreshed per day range; False: per whole months
    units: bool = False  # True: keeps unit_min/unit_max (it has no charge to join)
    source: str = "cost"  # the table it sums: ``cost``, or ``cost_month`` for the month cubes
    by_week: bool = False  # True: refreshed per whole ISO week, from ``source`` (a daily rollup)
    by_part: bool = False  # True: refreshed per whole part of a week within a month, from ``source``
    source_units: bool = False  # True: ``source`` keeps unit_min/unit_max (no charge to join): their MIN/MAX
    derived: tuple[tuple[str, str], ...] = ()  # (key, its SQL over ``source``) for a key the source lacks

    def _exprs(self) -> list[str]:
        made = dict(self.derived)
        return [made.get(k, f"c.{k}") for k in self.keys]

    def insert_sql(self) -> str:
        keys = ", ".join(self._exprs())
        extra, source = "", f"{self.source} c"
        if self.units and self.source_units:  # the least and greatest of the source's own
            extra = ", MIN(c.unit_min), MAX(c.unit_max)"
        elif self.units:
            extra, source = ", MIN(ch.unit), MAX(ch.unit)", f"{self.source} c JOIN charge ch ON ch.id = c.charge_id"
        return (f"INSERT INTO {self.table} ({', '.join(self.keys)}, {MEASURES}"
                f"{', unit_min, unit_max' if self.units else ''}) SELECT {keys}, {SUMS}{extra} FROM {source}")

    def group_sql(self) -> str:
        return "GROUP BY " + ", ".join(self._exprs())


MONTH = Rollup("cost_month", "CostMonth", ("connection_id", "month", "project_id", "api_key_id", "charge_id", "currency"),
               CHARGE_DIMS | CONNECTION_DIMS | {"month", "project", "api_key"}, by_day=False)
DAY_CHARGE = Rollup("cost_day_charge", "CostDayCharge", ("day", "connection_id", "week", "month", "charge_id", "currency"),
                    CHARGE_DIMS | CONNECTION_DIMS | DAY_DIMS, by_day=True)
DAY_PROJECT = Rollup("cost_day_project", "CostDayProject", ("day", "connection_id", "week", "month", "project_id", "currency"),
                     CONNECTION_DIMS | DAY_DIMS | {"project"}, by_day=True, units=True)
DAY_KEY = Rollup("cost_day_key", "CostDayKey",
                 ("day", "connection_id", "week", "month", "project_id", "api_key_id", "currency"),
                 CONNECTION_DIMS | DAY_DIMS | {"project", "api_key"}, by_day=True, units=True)
MONTH_CHARGE = Rollup("cost_month_charge", "CostMonthCharge", ("month", "connection_id", "charge_id", "currency"),
                      CHARGE_DIMS | CONNECTION_DIMS | {"month"}, by_day=False, source=MONTH.table)
MONTH_PROJECT = Rollup("cost_month_project", "CostMonthProject", ("month", "connection_id", "project_id", "currency"),
                       CONNECTION_DIMS | {"month", "project"}, by_day=False, units=True, source=MONTH.table)
MONTH_KEY = Rollup("cost_month_key", "CostMonthKey", ("month", "connection_id", "project_id", "api_key_id", "currency"),
                   CONNECTION_DIMS | {"month", "project", "api_key"}, by_day=False, units=True, source=MONTH.table)
# the quarter of a month id, the same text in SQLite and PostgreSQL: 2026-05 -> 2026-Q2
QUARTER_SQL = "SUBSTR(c.month, 1, 4) || '-Q' || ((CAST(SUBSTR(c.month, 6, 2) AS INTEGER) + 2) / 3)"
QUARTER = Rollup("cost_quarter", "CostQuarter", ("quarter", "connection_id", "project_id", "api_key_id", "charge_id",
                                                 "currency"),
                 CHARGE_DIMS | CONNECTION_DIMS | {"project", "api_key"}, by_day=False, source=MONTH.table,
                 derived=(("quarter", QUARTER_SQL),))
WEEK_CHARGE = Rollup("cost_week_charge", "CostWeekCharge", ("week", "connection_id", "charge_id", "currency"),
                     CHARGE_DIMS | CONNECTION_DIMS | {"week"}, by_day=False, source=DAY_CHARGE.table, by_week=True)
PART_KEY = Rollup("cost_part_key", "CostPartKey", ("month", "week", "connection_id", "project_id", "api_key_id",
                                                  "currency"),
                  CONNECTION_DIMS | {"month", "project", "api_key"}, by_day=False, units=True, source=DAY_KEY.table,
                  source_units=True, by_part=True)
# across connections: not among ROLLUPS (each of those is refreshed per connection); read only by views over
# every connection (no workspace), by neither organization nor connection
DAY_CHARGE_ALL = Rollup("cost_day_charge_all", "CostDayChargeAll", ("day", "week", "month", "charge_id", "currency"),
                        CHARGE_DIMS | DAY_DIMS, by_day=True, source=DAY_CHARGE.table)
# read only where each project id shows one label in every connection holding it (store/pivot.py)
DAY_PROJECT_ALL = Rollup("cost_day_project_all", "CostDayProjectAll", ("day", "week", "month", "project_id", "currency"),
                         DAY_DIMS | {"project"}, by_day=True, units=True, source=DAY_PROJECT.table,
                         source_units=True)
ACROSS = (DAY_CHARGE_ALL, DAY_PROJECT_ALL)  # summed across connections, each from its daily rollup
MONTH_CUBES = (MONTH_CHARGE, MONTH_PROJECT, MONTH_KEY)  # smallest first; each is summed from MONTH
WEEK_CUBES = (WEEK_CHARGE,)  # summed from DAY_CHARGE
PART_CUBES = (PART_KEY,)  # summed from DAY_KEY
ROLLUPS = (MONTH, *MONTH_CUBES, QUARTER, DAY_CHARGE, DAY_PROJECT, DAY_KEY, *WEEK_CUBES, *PART_CUBES)  # each after what it reads
DAILY = (DAY_CHARGE, DAY_PROJECT, DAY_KEY)  # smallest first


def pick_daily(dims: set[str], *, every_connection: bool = False) -> Rollup | None:
    """The smallest daily rollup that can answer a pivot over ``dims``, or None (read ``cost``);
    ``every_connection``: the pivot reads every connection (no workspace), so the rollup across them may."""
    if every_connection and dims <= DAY_CHARGE_ALL.dims:
        return DAY_CHARGE_ALL
    return next((r for r in DAILY if dims <= r.dims), None)


def pick_weekly(dims: set[str]) -> Rollup | None:
    """The week cube that can answer a pivot over ``dims``, or None."""
    return next((r for r in WEEK_CUBES if dims <= r.dims), None)


def pick_part(daily: Rollup | None) -> Rollup | None:
    """The part cube that answers the edge days a month view would read from the daily rollup ``daily``,
    or None (no part cube holds that rollup's dimensions)."""
    return next((r for r in PART_CUBES if r.source == (daily and daily.table)), None)


def pick_monthly(dims: set[str]) -> Rollup:
    """The smallest month table that can answer a pivot over ``dims`` (``cost_month`` answers any)."""
    return next((r for r in MONTH_CUBES if dims <= r.dims), MONTH)


def quarter_of(month: str) -> str:
    """``2026-05`` -> ``2026-Q2`` (as QUARTER_SQL)."""
    return f"{month[:4]}-Q{(int(month[5:7]) + 2) // 3}"


def quarter_months(quarter: str) -> list[str]:
    """``2026-Q2`` -> its three months."""
    year, n = quarter.split("-Q")
    return [f"{year}-{3 * (int(n) - 1) + i:02d}" for i in (1, 2, 3)]


def whole_quarters(months: list[str]) -> tuple[list[str], list[str]]:
    """The quarters all of whose months are among ``months``, and the months left."""
    quarters = sorted({q for q in map(quarter_of, months) if set(quarter_months(q)) <= set(months)})
    inside = {m for q in quarters for m in quarter_months(q)}
    return quarters, [m for m in months if m not in inside]


def months_between(start: date, end: date) -> list[str]:
    out, cursor = [], start.replace(day=1)
    while cursor <= end:
        out.append(month_id(cursor))
        cursor = add_months(cursor, 1)
    return out


def refresh(db: pw.Database, connection_id: int, start: date, end: date, *, as_text: bool,
            rows: list[tuple] | None = None, units: dict[int, str | None] | None = None,
            was_empty: bool = False) -> None:
    """Recompute every rollup over ``start..end`` (whole months for the monthly one) for one connection.

    ``rows``: the window's cost rows just written, as ``COST_COLUMNS`` tuples, with ``units`` (charge id
    to unit): the daily rollups, which lie inside the window, are then summed from them in Python
    instead of read back from ``cost`` (the same sums: SUM skips NULL quantities, MIN/MAX NULL units).
    ``was_empty``: the window held no rows of the connection before them (a first sync's), so the
    rollups' rows of its months are those of their days outside it."""
    def day(value: date) -> object:
        return value.isoformat() if as_text else value

    by_key = None
    if rows is not None and units is not None:
        by_key = _refresh_in_hand(db, connection_id, start, end, rows, units, day, was_empty)
    else:
        _refresh_from_cost(db, connection_id, start, end, day)
    # the cubes summed from those just refreshed, and the rollups across connections
    _refresh_quarters(db, connection_id, months_between(start, end))
    _refresh_weeks(db, connection_id, start, end, day)
    _refresh_parts(db, connection_id, start, end, day, by_key)
    refresh_across(db, start, end, as_text=as_text)


def _refresh_from_cost(db: pw.Database, connection_id: int, start: date, end: date, day) -> None:
    """``refresh``'s rollups read back from ``cost`` (and the month cubes from ``cost_month``), each after
    the table it reads; the quarter and week cubes come after."""
    p = db.param
    for r in ROLLUPS:
        if r.by_week or r.by_part or r is QUARTER:
            continue
        lo, hi = (start, end) if r.by_day else (start.replace(day=1), add_months(end, 1) - timedelta(days=1))
        if r.by_day:
            db.execute_sql(f"DELETE FROM {r.table} WHERE day >= {p} AND day <= {p} AND connection_id = {p}",
                           (day(lo), day(hi), connection_id))
        else:
            months = months_between(start, end)
            in_months = f"month IN ({', '.join([p] * len(months))})"
            db.execute_sql(f"DELETE FROM {r.table} WHERE connection_id = {p} AND {in_months}",
                           (connection_id, *months))
            if r.source != "cost":  # a cube: from the months of cost_month just rebuilt
                _insert_cube(db, r, connection_id, months)
                continue
        db.execute_sql(
            f"{r.insert_sql()} WHERE c.connection_id = {p} AND c.day >= {p} AND c.day <= {p} {r.group_sql()}",
            (connection_id, day(lo), day(hi)),
        )


def _refresh_quarters(db: pw.Database, connection_id: int, months: list[str]) -> None:
    """The quarter cube's quarters that ``months`` touch, whole, from ``cost_month`` just rebuilt."""
    p = db.param
    quarters = sorted({quarter_of(m) for m in months})
    within = [m for q in quarters for m in quarter_months(q)]
    db.execute_sql(f"DELETE FROM {QUARTER.table} WHERE connection_id = {p} AND quarter IN ({', '.join([p] * len(quarters))})",
                   (connection_id, *quarters))
    db.execute_sql(f"{QUARTER.insert_sql()} WHERE c.connection_id = {p} AND c.month IN ({', '.join([p] * len(within))}) "
                   f"{QUARTER.group_sql()}", (connection_id, *within))


def refresh_across(db: pw.Database, start: date, end: date, *, as_text: bool) -> None:
    """The rollups across connections over ``start..end``, summed again from every connection's daily
    rollup (a few thousand rows a month: the window's days of each connection). On PostgreSQL a removal
    and a sync may refresh the same days at once: the later sums win instead of a duplicate key."""
    p = db.param
    lo, hi = (start.isoformat(), end.isoformat()) if as_text else (start, end)
    for r in ACROSS:
        measures = [*MEASURES.split(", "), *(("unit_min", "unit_max") if r.units else ())]
        latest = ", ".join(f"{m} = excluded.{m}" for m in measures)
        key = ", ".join(k for k in r.keys if k not in ("week", "month"))  # the day gives both
        db.execute_sql(f"DELETE FROM {r.table} WHERE day >= {p} AND day <= {p}", (lo, hi))
        db.execute_sql(f"{r.insert_sql()} WHERE c.day >= {p} AND c.day <= {p} {r.group_sql()} "
                       f"ON CONFLICT ({key}) DO UPDATE SET {latest}", (lo, hi))


def _refresh_weeks(db: pw.Database, connection_id: int, start: date, end: date, day) -> None:
    """The week cubes of the ISO weeks ``start..end`` touches, whole, from the daily rollup just
    refreshed (their days outside the window are there from earlier windows)."""
    p = db.param
    lo, hi = start - timedelta(days=start.weekday()), end + timedelta(days=6 - end.weekday())
    weeks = sorted({week_id(lo + timedelta(days=i)) for i in range(0, (hi - lo).days + 1, 7)})
    for r in WEEK_CUBES:
        db.execute_sql(f"DELETE FROM {r.table} WHERE connection_id = {p} AND week IN ({', '.join([p] * len(weeks))})",
                       (connection_id, *weeks))
        db.execute_sql(
            f"{r.insert_sql()} WHERE c.connection_id = {p} AND c.day >= {p} AND c.day <= {p} {r.group_sql()}",
            (connection_id, day(lo), day(hi)),
        )


def part_span(start: date, end: date) -> tuple[date, date]:
    """The first day of the part (of a week within a month) holding ``start`` and the last of the one
    holding ``end``."""
    return (max(start - timedelta(days=start.weekday()), start.replace(day=1)),
            min(end + timedelta(days=6 - end.weekday()), add_months(end.replace(day=1), 1) - timedelta(days=1)))


def part_ids(lo: date, hi: date) -> tuple[list[str], list[str]]:
    """The months and the ISO weeks of the days ``lo..hi``: where the span starts and ends where parts do
    (``part_span``), the parts (month, week) inside it are exactly those whose month and week are among them."""
    return months_between(lo, hi), sorted({week_id(lo + timedelta(days=i)) for i in range((hi - lo).days + 1)})


def _refresh_parts(db: pw.Database, connection_id: int, start: date, end: date, day,
                   by_key: list[tuple] | None = None) -> None:
    """The part cube's parts that ``start..end`` touches, whole, from the daily rollup just refreshed (their
    days outside the window are there from earlier windows). A part (month, week) whose month and week
    both touch the span lies inside it: the span starts and ends where parts do. ``by_key``: the window's
    rows of that rollup, in hand: summed here, and only the parts' days outside the window read (a year
    of the large organization: ~0.9 -> ~0.4 s)."""
    p = db.param
    lo, hi = part_span(start, end)
    months, weeks = part_ids(lo, hi)
    r = PART_KEY
    db.execute_sql(f"DELETE FROM {r.table} WHERE connection_id = {p} AND month IN ({', '.join([p] * len(months))}) "
                   f"AND week IN ({', '.join([p] * len(weeks))})", (connection_id, *months, *weeks))
    read = f"WHERE c.connection_id = {p} AND c.day >= {p} AND c.day <= {p} {r.group_sql()}"
    if by_key is None:
        db.execute_sql(f"{r.insert_sql()} {read}", (connection_id, day(lo), day(hi)))
        return
    parts: dict[tuple, list] = {}
    get = parts.get
    keys = ", ".join(r._exprs())
    for a, b in ((lo, start - timedelta(days=1)), (end + timedelta(days=1), hi)):
        if a <= b:
            for *key, s_hi, s_lo, q_hi, q_lo, least, greatest in db.execute_sql(
                    f"SELECT {keys}, {SUMS}, MIN(c.unit_min), MAX(c.unit_max) FROM {r.source} c {read}",
                    (connection_id, day(a), day(b))):
                sums = get(k := tuple(key))
                if sums is None:
                    sums = parts[k] = [0, 0, None, None, None, None]
                _add_with_units(sums, int(s_hi), int(s_lo), None if q_hi is None else int(q_hi),
                                None if q_lo is None else int(q_lo), least, greatest)
    # (day, connection, week, month, project, key, currency) -> (month, week, connection, project, key, currency)
    _add_rekeyed(parts, ((row[:7], row[7:]) for row in by_key), itemgetter(3, 2, 1, 4, 5, 6))
    _insert_many(db, r, [k + tuple(v) for k, v in parts.items()])


def _insert_cube(db: pw.Database, r: Rollup, connection_id: int, months: list[str]) -> None:
    p = db.param
    in_months = f"month IN ({', '.join([p] * len(months))})"
    db.execute_sql(f"{r.insert_sql()} WHERE c.connection_id = {p} AND c.{in_months} {r.group_sql()}",
                   (connection_id, *months))


def _refresh_in_hand(db: pw.Database, connection_id: int, start: date, end: date, rows: list[tuple],
                     units: dict[int, str | None], day, was_empty: bool) -> list[tuple]:
    """``refresh`` with the window's rows in hand: the daily rollups and the window's share of
    ``cost_month`` are summed from them; the touched months' days outside the window are read from
    ``cost`` (or, when the window was empty, are the months' rows of ``cost_month``, ~4x fewer); the
    month cubes are summed from ``cost_month`` as before. Returns the window's rows of the daily rollup
    by key (the part cube sums them)."""
    p = db.param
    months = months_between(start, end)
    in_months = f"month IN ({', '.join([p] * len(months))})"
    first, last = start.replace(day=1), add_months(end, 1) - timedelta(days=1)
    monthly: dict[tuple, list] = {}
    keys = ", ".join(f"c.{k}" for k in MONTH.keys)
    outside = [(lo, hi) for lo, hi in ((first, start - timedelta(days=1)), (end + timedelta(days=1), last))
               if lo <= hi]
    if was_empty and outside:
        reads = [(f"SELECT {keys}, {MEASURES} FROM {MONTH.table} c WHERE c.connection_id = {p} AND c.{in_months}",
                  (connection_id, *months))]
    else:
        reads = [(f"SELECT {keys}, {SUMS} FROM cost c WHERE c.connection_id = {p} AND c.day >= {p} "
                  f"AND c.day <= {p} {MONTH.group_sql()}", (connection_id, day(lo), day(hi))) for lo, hi in outside]
    for sql, params in reads:
        for *key, s_hi, s_lo, q_hi, q_lo in db.execute_sql(sql, params):
            sums = monthly.get(k := tuple(key))
            if sums is None:
                sums = monthly[k] = [0, 0, None, None]
            _add(sums, int(s_hi), int(s_lo), None if q_hi is None else int(q_hi), None if q_lo is None else int(q_lo))
    daily = daily_from_rows(rows, units, monthly)
    for r in (MONTH, *MONTH_CUBES):
        db.execute_sql(f"DELETE FROM {r.table} WHERE connection_id = {p} AND {in_months}", (connection_id, *months))
    _insert_many(db, MONTH, [k + tuple(v) for k, v in monthly.items()])
    for r in MONTH_CUBES:
        _insert_cube(db, r, connection_id, months)
    for r in DAILY:
        db.execute_sql(f"DELETE FROM {r.table} WHERE day >= {p} AND day <= {p} AND connection_id = {p}",
                       (day(start), day(end), connection_id))
    for r, found in daily.items():
        _insert_many(db, r, found)
    return daily[DAY_KEY]


COST_COLUMNS = ("connection_id", "day", "week", "month", "project_id", "api_key_id", "charge_id", "currency",
                "amount_hi", "amount_lo", "qty_hi", "qty_lo")


def _add(sums: list, hi: int, lo: int, qhi: int | None, qlo: int | None) -> None:
    sums[0] += hi
    sums[1] += lo
    if qhi is not None:  # as SQL's SUM: NULL only while every quantity is NULL
        sums[2] = qhi if sums[2] is None else sums[2] + qhi
        sums[3] = qlo if sums[3] is None else sums[3] + qlo


def daily_from_rows(rows: list[tuple], units: dict[int, str | None],
                    monthly: dict[tuple, list] | None = None) -> dict[Rollup, list[tuple]]:
    """The daily rollups' rows for ``rows`` (``COST_COLUMNS`` tuples), in no order;
    with ``monthly``, the rows are also summed into it by ``cost_month``'s key (one pass for all three).
    A row's two quantity parts are both NULL or both set, so they are summed together.

    Each row is added into the rollup by charge, the one by key (which keeps the project) and the month's;
    the rollup by project is then summed from the one by key, ~4.5x fewer rows than the window's. The
    loop is written out for each table, since a loop over the tables or a call per row costs more than
    the sums (a year of the large organization, 1.6M rows: ~3.6 -> ~2.8 s)."""
    by_charge: dict[tuple, list] = {}
    by_key: dict[tuple, list] = {}
    month_sums = {} if monthly is None else monthly
    charge_get, month_get, key_get = by_charge.get, month_sums.get, by_key.get
    for conn, day, week, month, project, api_key, charge, currency, hi, lo, qhi, qlo in rows:
        k = (day, conn, week, month, charge, currency)
        sums = charge_get(k)
        if sums is None:
            by_charge[k] = [hi, lo, qhi, qlo]
        else:
            sums[0] += hi
            sums[1] += lo
            if qhi is not None:  # as SQL's SUM: NULL only while every quantity is NULL
                if sums[2] is None:
                    sums[2], sums[3] = qhi, qlo
                else:
                    sums[2] += qhi
                    sums[3] += qlo
        k = (conn, month, project, api_key, charge, currency)
        sums = month_get(k)
        if sums is None:
            month_sums[k] = [hi, lo, qhi, qlo]
        else:
            sums[0] += hi
            sums[1] += lo
            if qhi is not None:
                if sums[2] is None:
                    sums[2], sums[3] = qhi, qlo
                else:
                    sums[2] += qhi
                    sums[3] += qlo
        unit = units[charge]
        k = (day, conn, week, month, project, api_key, currency)
        sums = key_get(k)
        if sums is None:
            by_key[k] = [hi, lo, qhi, qlo, unit, unit]
        else:
            sums[0] += hi
            sums[1] += lo
            if qhi is not None:
                if sums[2] is None:
                    sums[2], sums[3] = qhi, qlo
                else:
                    sums[2] += qhi
                    sums[3] += qlo
            if unit is not None:  # as SQL's MIN and MAX: NULL units left out
                if sums[4] is None or unit < sums[4]:
                    sums[4] = unit
                if sums[5] is None or unit > sums[5]:
                    sums[5] = unit
    by_project: dict[tuple, list] = {}
    _add_rekeyed(by_project, by_key.items(), itemgetter(0, 1, 2, 3, 4, 6))  # the key's key without the key
    return {DAY_CHARGE: [k + tuple(v) for k, v in by_charge.items()],
            DAY_PROJECT: [k + tuple(v) for k, v in by_project.items()],
            DAY_KEY: [k + tuple(v) for k, v in by_key.items()]}


def _add_rekeyed(into: dict[tuple, list], pairs: Iterable[tuple[tuple, Sequence]],
                 rekey: Callable[[tuple], tuple]) -> None:
    """Each (key, [amount hi, lo, quantity hi, lo, least unit, greatest unit]) of ``pairs`` added into
    ``into`` under ``rekey(key)``, a coarser key (another rollup's)."""
    get = into.get
    for key, (hi, lo, qhi, qlo, least, greatest) in pairs:
        k = rekey(key)
        sums = get(k)
        if sums is None:
            into[k] = [hi, lo, qhi, qlo, least, greatest]
        else:
            _add_with_units(sums, hi, lo, qhi, qlo, least, greatest)


def _add_with_units(sums: list, hi: int, lo: int, qhi: int | None, qlo: int | None, least: str | None,
                    greatest: str | None) -> None:
    """Figures added into ``sums`` ([amount hi, lo, quantity hi, lo, least unit, greatest unit]), the units
    as SQL's MIN and MAX (NULL units left out)."""
    sums[0] += hi
    sums[1] += lo
    if qhi is not None:
        if sums[2] is None:
            sums[2], sums[3] = qhi, qlo
        else:
            sums[2] += qhi
            sums[3] += qlo
    if least is not None:
        if sums[4] is None or least < sums[4]:
            sums[4] = least
        if sums[5] is None or greatest > sums[5]:
            sums[5] = greatest


def _insert_many(db: pw.Database, r: Rollup, found: list[tuple]) -> None:
    """``found`` (rows in ``r.keys``' order, then the measures) inserted into ``r``'s table, sorted first
    by its primary key: each row then lands after the one before it in the b-tree, in pages filled in turn,
    instead of among pages split half-full (a year of the large organization: ~10% off these inserts)."""
    found.sort(key=_primary_key(r))
    insert_rows(db, r.table, (*r.keys, *MEASURES.split(", "), *(("unit_min", "unit_max") if r.units else ())), found)


@cache
def _primary_key(r: Rollup) -> Callable[[tuple], tuple]:
    """A row's primary key, in the order the table is keyed by (schema.ROLLUP_KEYS: model fields)."""
    column = {"charge": "charge_id", "connection": "connection_id"}
    return itemgetter(*(r.keys.index(column.get(f, f)) for f in ROLLUP_KEYS[r.table]))


# the rollups each schema version added or changed (the schema's history: store/schema.py)
MADE_AT = {4: (MONTH,), 5: (DAY_CHARGE, DAY_PROJECT), 7: MONTH_CUBES, 8: WEEK_CUBES, 11: (DAY_CHARGE_ALL,),
           12: (DAY_PROJECT_ALL, DAY_KEY), 14: (MONTH_KEY, DAY_KEY, QUARTER), 15: (PART_KEY,)}


def made_after(version: int) -> tuple[Rollup, ...]:
    """The rollups a store of schema ``version`` lacks or holds in an older layout, each after the table
    it reads (a migration fills them again: seconds on 2M rows)."""
    stale = {r for made, rollups in MADE_AT.items() if version < made for r in rollups}
    return tuple(r for r in (*ROLLUPS, *ACROSS) if r in stale)


def rebuild(db: pw.Database, rollups: tuple[Rollup, ...] = (*ROLLUPS, *ACROSS)) -> None:
    """Recompute rollups whole (after a migration that adds them), each after the table it reads."""
    for r in rollups:
        db.execute_sql(f"DELETE FROM {r.table}")
        db.execute_sql(f"{r.insert_sql()} {r.group_sql()}")
