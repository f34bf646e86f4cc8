"""The report's queries, run in a worker thread: the pivot, the previous period, daily series.

No Textual here: the screen's worker calls ``load_report`` and posts the result as a message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ..core import money
from ..core.dates import DateRange
from ..core.grid import Grid, grid_from_compare, grid_from_pivot
from ..core.models import Cell, Filter, PivotResult
from ..core.pivot import OTHER_LABEL
from ..core.report_state import ReportState
from . import analysis, tags

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
    allocation: str = ""  # what a tag's split shared out in this view ("" when nothing was split)
    splits: bool = True  # False: tag values that split are shown as themselves
    allocated: dict[tuple[str, ...], int] = field(default_factory=dict)  # row key -> the amount a split shared into it


def load_report(store: Store, state: ReportState, today: date, *, splits: bool = True) -> ReportData:
    """The pivot (and its previous period when comparing), without the daily series: see with_series.
    A view may name the store's virtual tags (read afresh here: an edited rule shows at once)."""
    tags.load(store)
    spec = state.spec(today)

    def pivot(s):
        return tags.evaluate(store, s, today=today, splits=splits)

    if state.compare:
        spec = replace(spec, cols=None, top=None)
        current = pivot(spec).result
        previous_range = state.spec(today, previous=True).date_range
        previous = pivot(replace(spec, date_range=previous_range)).result
        grid = grid_from_compare(current, previous, top=state.top)
        found = pivot(state.spec(today))
    else:
        found = pivot(spec)
        grid = grid_from_pivot(found.result)
    caching = "" if state.compare else analysis.caching_line(store, state.spec(today), today)
    has_data = bool(grid.order) or store.last_day() is not None
    return ReportData(state, found.result, grid, caching=caching, has_data=has_data,
                      allocation=tags.allocation_line(found), splits=splits, allocated=found.allocated)


def with_series(store: Store, data: ReportData, today: date) -> ReportData:
    """``data`` with each row's daily series over its date range (for the trend column and chart),
    and anomaly flags on service or project rows."""
    rng = data.result.date_range
    series = daily_series(store, data.state, rng, today, splits=data.splits)
    shown = [k[0] for k in data.result.row_keys if k[0] != OTHER_LABEL]
    flags = anomaly_flags(store, data.state, rng, today, rows=shown)
    return replace(data, grid=replace(data.grid, series=series, flags=flags), days=tuple(rng))


FLAGGED_DIMS = ("service", "project")


def anomaly_flags(store: Store, state: ReportState, rng: DateRange, today: date,
                  rows: Sequence[str] | None = None) -> dict[tuple[str, ...], str]:
    """Rows (by service or project) with an anomalous day in the range: "⚠ 2026-11-18 +$241.11".
    ``rows``: only these values are judged (the rows the view shows: a top 50 of 300 projects judges 50;
    each series is judged on its own, so their flags are the same)."""
    dim = state.rows[0]
    if len(state.rows) != 1 or dim not in FLAGGED_DIMS or (rows is not None and not rows):
        return {}
    lookback = min((min(rng.end, today - timedelta(days=1)) - rng.start).days + 1, 92)
    if lookback < 1:
        return {}
    spec = state.spec(today)
    only = () if rows is None else (Filter(dim, tuple(rows)),)
    found = analysis.find_anomalies(store, min(rng.end + timedelta(days=1), today), lookback_days=lookback,
                                    dims=(dim,), workspace=spec.workspace, filters=(*spec.filters, *only))
    flags: dict[tuple[str, ...], str] = {}
    for a in found:  # strongest first: keep each row's strongest
        sign = "+" if a.delta >= 0 else "-"
        flags.setdefault(a.series, f"⚠ {a.day} {sign}{money.usd(abs(a.delta))}")
    return flags


def daily_series(
    store: Store, state: ReportState, rng: DateRange, today: date, *, splits: bool = True
) -> dict[tuple[str, ...], tuple[int, ...]]:
    """Each row's cost per day over ``rng`` (exact atto-units), folded like the pivot's rows."""
    spec = replace(state.spec(today), cols="day", measure="cost", date_range=rng)
    result = tags.run_pivot(store, spec, today=today, splits=splits)
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
    result = tags.run_pivot(store, spec, today=today)
    return [(rk[0], result.row_totals[rk]) for rk in result.row_keys]
