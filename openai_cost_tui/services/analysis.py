"""Forecasts, anomalies and cache/tier economics of a Store: pivots in, core statistics out.

Thin glue for the CLI and the TUI: each function pulls daily series with ``run_pivot`` and hands
them to ``core.forecast`` / ``core.anomalies`` / ``core.economics``. The store is imported inside
the functions, so importing this module loads no database driver.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ..core import anomalies as A
from ..core import economics as E
from ..core.dates import DateRange, first_of_month
from ..core.dimensions import TIME_DIMENSIONS
from ..core.forecast import Forecast, forecast_month
from ..core.models import Filter, PivotSpec
from ..core.pivot import OTHER_LABEL

if TYPE_CHECKING:
    from ..store.store import Store

CREDITS = "Credits"
NO_CREDITS = Filter("service", (CREDITS,), exclude=True)
# the pivot rows of each anomaly dimension (key names repeat across projects, so keys go by project)
ANOMALY_ROWS = {"service": ("service",), "project": ("project",), "api_key": ("project", "api_key")}
DRIVER_DIM = {"service": "category", "project": "api_key", "api_key": "category"}

Series = dict[date, int]


@dataclass(frozen=True)
class ForecastView:
    rows: dict[tuple[str, ...], Forecast]  # by the view's row keys ("(other)" folded like the view)
    total: Forecast


def _pivot(store: Store, spec: PivotSpec, today: date):
    from .tags import run_pivot  # a filter or row may name a virtual tag (a tag budget, a tag view)

    return run_pivot(store, spec, today=today)


def coverage_start(store: Store, workspace: str | None = None) -> date | None:
    """The first day the store covers for these connections (None: nothing synced yet)."""
    starts = [
        c.covered_from
        for c in store.connections()
        if c.covered_from and (workspace is None or workspace in c.workspaces)
    ]
    return min(starts, default=None)


def daily_series(
    store: Store,
    rows: tuple[str, ...],
    date_range: DateRange,
    *,
    today: date,
    workspace: str | None = None,
    filters: Sequence[Filter] = (),
    currency: str = "usd",
) -> dict[tuple[str, ...], Series]:
    """Cost per UTC day for each value of ``rows`` (exact atto-dollars; absent days are 0)."""
    spec = PivotSpec(rows, "day", date_range, tuple(filters), workspace, currency=currency, quantities=False)
    out: dict[tuple[str, ...], Series] = {}
    for (row_key, col), cell in _pivot(store, spec, today).cells.items():
        out.setdefault(row_key, {})[date.fromisoformat(col)] = cell.amount
    return out


def daily_totals(
    store: Store,
    date_range: DateRange,
    *,
    today: date,
    workspace: str | None = None,
    filters: Sequence[Filter] = (),
    currency: str = "usd",
) -> Series:
    spec = PivotSpec(("day",), None, date_range, tuple(filters), workspace, currency=currency, quantities=False)
    result = _pivot(store, spec, today)
    return {date.fromisoformat(k[0]): cell.amount for k, cell in result.row_totals.items()}


def _history(today: date, weeks: int) -> DateRange:
    return DateRange(min(first_of_month(today), today - timedelta(weeks=weeks)), today)


def month_forecast(
    store: Store,
    today: date,
    *,
    workspace: str | None = None,
    filters: Sequence[Filter] = (),
    currency: str = "usd",
    weeks: int = 6,
) -> Forecast:
    """The one month-end forecast of a scope's spend (credits left out): Insights' summary, its
    total row and every budget read it from here, so they never disagree. Its ``month_to_date``
    includes today's partial day, as the report's "This month" does."""
    filters = tuple(filters) if NO_CREDITS in filters else (*filters, NO_CREDITS)
    series = daily_totals(store, _history(today, weeks), today=today, workspace=workspace, filters=filters,
                          currency=currency)
    return forecast_month(series, today, history_start=coverage_start(store, workspace), weeks=weeks)


def forecast_view(store: Store, spec: PivotSpec, today: date, *, weeks: int = 6) -> ForecastView:
    """Month-end forecasts of ``today``'s month for each row of ``spec`` and for its total.

    Rows are the view's own (its filters, workspace and top-N, with "(other)" folded the same way);
    a view whose rows are time bins gets only the total. Spend is usage: credits are left out, as
    budgets leave them out, so the total is exactly :func:`month_forecast` of the same scope.
    """
    filters = (*spec.filters, NO_CREDITS)
    spec = replace(spec, filters=filters)
    total = month_forecast(store, today, workspace=spec.workspace, filters=filters, currency=spec.currency,
                           weeks=weeks)
    if set(spec.rows) & set(TIME_DIMENSIONS):
        return ForecastView({}, total)
    covered = coverage_start(store, spec.workspace)
    series = daily_series(store, spec.rows, _history(today, weeks), today=today, workspace=spec.workspace,
                          filters=filters, currency=spec.currency)
    if spec.top is not None:
        keep = set(_pivot(store, replace(spec, cols=None), today).row_keys)
        series = _fold(series, keep, len(spec.rows))
    rows = {k: forecast_month(s, today, history_start=covered, weeks=weeks) for k, s in series.items()}
    return ForecastView(rows, total)


def _fold(
    series: dict[tuple[str, ...], Series], keep: set[tuple[str, ...]], width: int
) -> dict[tuple[str, ...], Series]:
    other_key = (OTHER_LABEL, *([""] * (width - 1)))
    out: dict[tuple[str, ...], Series] = {}
    for key, s in series.items():
        target = out.setdefault(key if key in keep else other_key, {})
        for d, v in s.items():
            target[d] = target.get(d, 0) + v
    return out


def anomaly_days(today: date, lookback_days: int, *, window: int = A.WINDOW) -> tuple[list[date], DateRange | None]:
    """The days :func:`find_anomalies` judges (the last ``lookback_days`` complete days, today excluded)
    and the history their baselines read (None: no day to judge)."""
    last = today - timedelta(days=1)
    days = [last - timedelta(days=i) for i in range(lookback_days)][::-1]
    if not days:
        return [], None
    return days, DateRange(days[0] - timedelta(days=window), last)


def find_anomalies(
    store: Store,
    today: date,
    *,
    lookback_days: int = 14,
    dims: Sequence[str] = ("service", "project", "api_key"),
    workspace: str | None = None,
    filters: Sequence[Filter] = (),
    window: int = A.WINDOW,
    **options,
) -> list[A.Anomaly]:
    """Anomalies on the last ``lookback_days`` complete days (today excluded), strongest first.

    Credits are left out (a monthly credit is not a cost anomaly). ``options`` go to
    :func:`core.anomalies.detect` (``threshold``, ``min_delta``, ``directions``).
    """
    days, history = anomaly_days(today, lookback_days, window=window)
    if history is None:
        return []
    covered = coverage_start(store, workspace)
    found: list[A.Anomaly] = []
    for dim in dims:
        series = daily_series(
            store, ANOMALY_ROWS[dim], history, today=today, workspace=workspace,
            filters=(*filters, NO_CREDITS),
        )  # fmt: skip
        found += A.detect_all(series, dim, days, window=window, history_start=covered, **options)
    return sorted(found, key=lambda a: (-abs(a.score), a.day, a.dimension, a.series))


def anomaly_drivers(
    store: Store,
    anomaly: A.Anomaly,
    today: date,
    *,
    by: str | None = None,
    workspace: str | None = None,
    filters: Sequence[Filter] = (),
    window: int = A.WINDOW,
    limit: int | None = 5,
) -> list[A.Driver]:
    """Which finer series (categories of a service or key, keys of a project) moved on that day."""
    by = by or DRIVER_DIM.get(anomaly.dimension, "category")
    dims = ANOMALY_ROWS.get(anomaly.dimension, (anomaly.dimension,))
    scope = [Filter(d, (v,)) for d, v in zip(dims, anomaly.series, strict=False)]
    history = DateRange(anomaly.day - timedelta(days=window), anomaly.day)
    series = daily_series(
        store, (by,), history, today=today, workspace=workspace,
        filters=(*filters, *scope, NO_CREDITS),
    )  # fmt: skip
    children = {k[0]: s for k, s in series.items()}
    return A.drivers(
        children,
        anomaly.day,
        direction=anomaly.direction,
        window=window,
        history_start=coverage_start(store, workspace),
        limit=limit,
    )


def charge_rows(
    store: Store,
    date_range: DateRange,
    *,
    today: date | None = None,
    workspace: str | None = None,
    filters: Sequence[Filter] = (),
    currency: str = "usd",
) -> list[E.ChargeRow]:
    """(category, subcategory, tier, context) sums with quantities, credits left out."""
    today = today or date_range.end
    base = PivotSpec(("context",), None, date_range, (*filters, NO_CREDITS), workspace, currency=currency)
    rows = []
    for (ctx,) in _pivot(store, base, today).row_keys:
        spec = replace(
            base,
            rows=("category", "subcategory"),
            cols="tier",
            filters=(*base.filters, Filter("context", (ctx,))),
        )
        for ((cat, sub), tier), cell in _pivot(store, spec, today).cells.items():
            unit = next(iter(cell.units)) if len(cell.units) == 1 else None
            rows.append(E.ChargeRow(cat, sub, tier, ctx, cell.amount, cell.quantity, unit))
    return rows


def cache_economics(store: Store, date_range: DateRange, **scope) -> list[E.CacheEconomics]:
    """Per model: cached share of input tokens and what caching saved (see core.economics)."""
    return E.cache_economics(charge_rows(store, date_range, **scope))


def caching_line(store: Store, spec: PivotSpec, today: date) -> str:
    """What prompt caching saved in a view that splits models by subcategory ("" for any other view,
    or when nothing was cached): one line for under the report, in the TUI and the CLI's table."""
    if "subcategory" not in (*spec.rows, spec.cols) or spec.date_range is None:
        return ""
    found = cache_economics(store, spec.date_range, today=today, workspace=spec.workspace, filters=spec.filters)
    return E.describe_caching(found)


def tier_spend(store: Store, date_range: DateRange, **scope) -> E.TierSpend:
    """Usage spend by tier and by context (credits left out)."""
    return E.tier_spend(charge_rows(store, date_range, **scope))
