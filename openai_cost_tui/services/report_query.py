"""The report's queries, run in a worker thread: the pivot, the previous period, daily series.

No Textual here: the screen's worker calls ``load_report`` and posts the result as a message.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ..core import money
from ..core.dates import DateRange
from ..core.grid import Grid, grid_from_compare, grid_from_pivot
from ..core.models import Cell, PivotResult
from ..core.report_state import ReportState
from . import analysis

if TYPE_CHECKING:
    from ..store.store import Store


@dataclass(frozen=True)
class ReportData:
    state: ReportState
    result: PivotResult  # the current period, as exported
    grid: Grid
    days: tuple[date, ...] = ()  # the days of ``grid.series``
    caching: str = ""  # what prompt caching saved in this view, when it splits models by subcategory
    has_data: bool = True  # False when the store holds no cost at all (the empty view says how to start)


def load_report(store: Store, state: ReportState, today: date) -> ReportData:
    """The pivot (and its previous period when comparing), without the daily series: see with_series."""
    spec = state.spec(today)
    if state.compare:
        spec = replace(spec, cols=None, top=None)
        current = store.run_pivot(spec, today=today)
        previous_range = state.spec(today, previous=True).date_range
        previous = store.run_pivot(replace(spec, date_range=previous_range), today=today)
        grid = grid_from_compare(current, previous, top=state.top)
        result = store.run_pivot(state.spec(today), today=today)
    else:
        result = store.run_pivot(spec, today=today)
        grid = grid_from_pivot(result)
    caching = "" if state.compare else analysis.caching_line(store, state.spec(today), today)
    has_data = bool(grid.order) or store.last_day() is not None
    return ReportData(state, result, grid, caching=caching, has_data=has_data)


def with_series(store: Store, data: ReportData, today: date) -> ReportData:
    """``data`` with each row's daily series over its date range (for the trend column and chart),
    and anomaly flags on service or project rows."""
    rng = data.result.date_range
    series = daily_series(store, data.state, rng, today)
    flags = anomaly_flags(store, data.state, rng, today)
    return replace(data, grid=replace(data.grid, series=series, flags=flags), days=tuple(rng))


FLAGGED_DIMS = ("service", "project")


def anomaly_flags(store: Store, state: ReportState, rng: DateRange, today: date) -> dict[tuple[str, ...], str]:
    """Rows (by service or project) with an anomalous day in the range: "⚠ 2026-11-18 +$241.11"."""
    dim = state.rows[0]
    if len(state.rows) != 1 or dim not in FLAGGED_DIMS:
        return {}
    lookback = min((min(rng.end, today - timedelta(days=1)) - rng.start).days + 1, 92)
    if lookback < 1:
        return {}
    spec = state.spec(today)
    found = analysis.find_anomalies(store, min(rng.end + timedelta(days=1), today), lookback_days=lookback,
                                    dims=(dim,), workspace=spec.workspace, filters=spec.filters)
    flags: dict[tuple[str, ...], str] = {}
    for a in found:  # strongest first: keep each row's strongest
        sign = "+" if a.delta >= 0 else "-"
        flags.setdefault(a.series, f"⚠ {a.day} {sign}{money.usd(abs(a.delta))}")
    return flags


def daily_series(
    store: Store, state: ReportState, rng: DateRange, today: date
) -> dict[tuple[str, ...], tuple[int, ...]]:
    """Each row's cost per day over ``rng`` (exact atto-units), folded like the pivot's rows."""
    spec = replace(state.spec(today), cols="day", measure="cost", date_range=rng)
    result = store.run_pivot(spec, today=today)
    index = {(rng.start + timedelta(days=i)).isoformat(): i for i in range(rng.days)}
    out: dict[tuple[str, ...], list[int]] = {}
    for (row_key, day), cell in result.cells.items():
        values = out.setdefault(row_key, [0] * rng.days)
        values[index[day]] += cell.amount
    return {k: tuple(v) for k, v in out.items()}


def value_totals(store: Store, state: ReportState, dim: str, today: date) -> list[tuple[str, Cell]]:
    """Every value of ``dim`` in the current dates and other filters, largest first."""
    others = tuple(f for f in state.filters if f.dim != dim)
    spec = replace(state.spec(today), rows=(dim,), cols=None, filters=others, top=None, measure="cost")
    result = store.run_pivot(spec, today=today)
    return [(rk[0], result.row_totals[rk]) for rk in result.row_keys]
