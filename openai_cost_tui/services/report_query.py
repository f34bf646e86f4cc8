"""The report's queries, run in a worker thread: the pivot, the previous period, daily series.

No Textual here: the screen's worker calls ``load_report`` and posts the result as a message.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ..core import anomalies as A
from ..core import money
from ..core import time_filters as T
from ..core.dates import DateRange, add_months
from ..core.grid import Grid, grid_from_compare, grid_from_pivot
from ..core.models import Cell, Filter, PivotResult, PivotSpec
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
        grid = grid_from_compare(current, previous, top=state.top, stored_from=store.first_day())
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
    and anomaly flags on service or project rows (see ``_series``)."""
    found = _series(store, data, today, kept_only=False)
    assert found is not None  # (only a kept_only call answers None)
    return found


def kept_series(store: Store, data: ReportData, today: date) -> ReportData | None:
    """``with_series`` when what is kept answers it without reading any cost (None: it would read),
    so the screen can paint the figures, the trend and the marks in one go."""
    return _series(store, data, today, kept_only=True)


def _series(store: Store, data: ReportData, today: date, *, kept_only: bool) -> ReportData | None:
    """The series and flags of ``with_series``; ``kept_only``: None unless they are kept.

    A view by service or project (no tags) reads its shown rows by day once over both its range and
    the flags' history (``_Shown``) and keeps it: swapping back, or another top N of the same rows,
    reads only what it has not read yet. Every other view is answered by ``daily_series`` and
    ``anomaly_flags``, and that answer is kept too. Nothing is kept across a change of the store's
    data (``_version``)."""
    rng = data.result.date_range
    keys = data.result.row_keys
    shown = tuple(k[0] for k in keys if k[0] != OTHER_LABEL)
    kept = _kept(store)
    state = data.state
    spec = state.spec(today)
    if len(state.rows) == 1 and state.rows[0] in FLAGGED_DIMS and not tags.tags_in(spec):
        view_key = ("shown", today, state.rows[0], spec.filters, spec.workspace, rng)
        view = kept.get(view_key) if kept else None
        other = any(k[0] == OTHER_LABEL for k in keys)
        if kept_only and (view is None or not view.holds(shown, other)):
            return None
        if view is None:
            view = _Shown(store, state.rows[0], spec, rng, today)
            if kept:
                kept.put(view_key, view)
        series, flags = view.answer(store, shown, other)
    else:
        key = ("separate", today, data.splits, state.rows, spec.filters, spec.workspace, spec.top, rng, shown)
        found = kept.get(key) if kept else None
        if found is None and kept_only:
            return None
        if found is None:
            found = (daily_series(store, state, rng, today, splits=data.splits),
                     anomaly_flags(store, state, rng, today, rows=shown))
            if kept:
                kept.put(key, found)
        series, flags = found
    return replace(data, grid=replace(data.grid, series=series, flags=flags), days=tuple(rng))


FLAGGED_DIMS = ("service", "project")


def _flag_days(rng: DateRange, today: date) -> tuple[list[date], DateRange | None]:
    """The days a view's flags judge (its range's complete days, the last 92 at most) and the history
    their baselines read (None: no day to judge)."""
    lookback = min((min(rng.end, today - timedelta(days=1)) - rng.start).days + 1, 92)
    if lookback < 1:
        return [], None
    return analysis.anomaly_days(min(rng.end + timedelta(days=1), today), lookback)


def _flag(a: A.Anomaly) -> str:
    sign = "+" if a.delta >= 0 else "-"
    return f"⚠ {a.day} {sign}{money.usd(abs(a.delta))}"


def anomaly_flags(store: Store, state: ReportState, rng: DateRange, today: date,
                  rows: Sequence[str] | None = None) -> dict[tuple[str, ...], str]:
    """Rows (by service or project) with an anomalous day in the range: "⚠ 2026-11-18 +$241.11".
    ``rows``: only these values are judged (the rows the view shows: a top 50 of 300 projects judges 50;
    each series is judged on its own, so their flags are the same)."""
    dim = state.rows[0]
    if len(state.rows) != 1 or dim not in FLAGGED_DIMS or (rows is not None and not rows):
        return {}
    days, history = _flag_days(rng, today)
    if history is None:
        return {}
    spec = state.spec(today)
    calendar, others = T.split(spec.filters)  # baselines read without the view's days, its days judged
    only = () if rows is None else (Filter(dim, tuple(rows)),)
    found = analysis.find_anomalies(store, days[-1] + timedelta(days=1), lookback_days=len(days),
                                    dims=(dim,), workspace=spec.workspace, filters=(*others, *only))
    flags: dict[tuple[str, ...], str] = {}
    for a in found:  # strongest first: keep each row's strongest
        if T.keeps(calendar, a.day):
            flags.setdefault(a.series, _flag(a))
    return flags


class _Shown:
    """The series and flags of one view by service or project (its filters, workspace and range), for
    whichever rows a top N shows, each row read once.

    One pivot of the shown rows by day spans the range (their series) and the flags' history (56 days
    before the judged days): a row's history is its series less credits, which ``find_anomalies``
    leaves out. A service view's credits are a row of their own, never judged; a project with a credit
    row in the history's months (the month rollup says which) has its history read without them.
    "(other)" is a day pivot of every row less the shown rows' series, day by day. Each row is judged
    on its own with the days, window and coverage ``anomaly_flags`` uses: the same figures and flags.
    Filters on the calendar (a month, some days) are not read: the series keep only the days they keep,
    and the flags judge only those days, against the history before them."""

    def __init__(self, store: Store, dim: str, spec: PivotSpec, rng: DateRange, today: date) -> None:
        self.dim, self.rng, self.today = dim, rng, today
        self.calendar, self.filters = T.split(spec.filters)
        self.workspace = spec.workspace
        days, self.history = _flag_days(rng, today)
        self.days = [d for d in days if T.keeps(self.calendar, d)]
        h = self.history
        self.span = rng if h is None else DateRange(min(rng.start, h.start), max(rng.end, h.end))
        self.covered = analysis.coverage_start(store, spec.workspace)
        self.lock = threading.Lock()
        self.read: dict[str, dict[date, int]] = {}  # row -> its cost by day over ``span``
        self.flags: dict[str, str | None] = {}
        self.total: list[int] | None = None  # every row's cost by day over the range

    def _pivot(self, store: Store, rows: tuple[str, ...], cols: str | None, rng: DateRange,
               *filters: Filter) -> PivotResult:
        spec = PivotSpec(rows, cols, rng, (*self.filters, *filters), self.workspace, quantities=False)
        return store.run_pivot(spec, today=self.today)

    def holds(self, shown: tuple[str, ...], other: bool) -> bool:
        """Whether ``answer`` would read nothing for these rows."""
        with self.lock:
            return all(r in self.read for r in shown) and (not other or self.total is not None)

    def answer(self, store: Store, shown: tuple[str, ...], other: bool):
        """The series and flags of the ``shown`` rows (and of "(other)" when the view has one)."""
        with self.lock:
            need = tuple(r for r in shown if r not in self.read)
            need_total = other and self.total is None
        if need:
            self._read(store, need)
        if need_total:
            found = self._pivot(store, ("day",), None, self.rng)
            total = [0] * self.rng.days
            for (day,), cell in found.row_totals.items():
                if T.keeps(self.calendar, d := date.fromisoformat(day)):
                    total[(d - self.rng.start).days] += cell.amount
            with self.lock:
                self.total = total
        with self.lock:
            series = {(r,): s for r in shown if (s := self._by_day(self.read[r])) is not None}
            flags = {(r,): f for r in shown if (f := self.flags.get(r))}
            if other:  # the rows past the top N: every row's cost less the shown rows', day by day
                rest = list(self.total or ())
                for s in series.values():
                    rest = [a - b for a, b in zip(rest, s, strict=True)]
                series[(OTHER_LABEL,)] = tuple(rest)
        return series, flags

    def _by_day(self, amounts: dict[date, int]) -> tuple[int, ...] | None:
        """A row's series over the range (None: no cost in it, so no series, as ``daily_series``)."""
        rng, values = self.rng, None
        for d, amount in amounts.items():
            if rng.start <= d <= rng.end and T.keeps(self.calendar, d):
                values = values or [0] * rng.days
                values[(d - rng.start).days] += amount
        return None if values is None else tuple(values)

    def _read(self, store: Store, need: tuple[str, ...]) -> None:
        read: dict[str, dict[date, int]] = {r: {} for r in need}
        found = self._pivot(store, (self.dim,), "day", self.span, Filter(self.dim, need))
        for (row, day), cell in found.cells.items():
            read[row[0]][date.fromisoformat(day)] = cell.amount
        flags: dict[str, str | None] = {}
        h = self.history
        if h is not None and self.days:
            judged = [r for r in need if not (self.dim == "service" and r == analysis.CREDITS)]
            history = {r: {d: v for d, v in read[r].items() if h.start <= d <= h.end} for r in judged}
            if self.dim == "project":
                history.update(self._without_credits(store, judged))
            for r in judged:
                flags[r] = self._judge(r, history[r])
        with self.lock:
            self.read.update(read)
            self.flags.update(flags)

    def _without_credits(self, store: Store, rows: list[str]) -> dict[str, dict[date, int]]:
        """The history of those of ``rows`` that had credits in its months, read without them."""
        h = self.history
        if h is None or not rows:
            return {}
        months = DateRange(h.start.replace(day=1), add_months(h.end.replace(day=1), 1) - timedelta(days=1))
        credited = self._pivot(store, (self.dim,), None, months, Filter(self.dim, tuple(rows)),
                               Filter("service", (analysis.CREDITS,))).row_keys
        if not credited:
            return {}
        out: dict[str, dict[date, int]] = {k[0]: {} for k in credited}
        found = self._pivot(store, (self.dim,), "day", h, Filter(self.dim, tuple(out)), analysis.NO_CREDITS)
        for (row, day), cell in found.cells.items():
            out[row[0]][date.fromisoformat(day)] = cell.amount
        return out

    def _judge(self, row: str, history: dict[date, int]) -> str | None:
        if not history:
            return None
        found = A.detect(history, self.days, dimension=self.dim, key=(row,), history_start=self.covered)
        return _flag(min(found, key=lambda a: (-abs(a.score), a.day))) if found else None


# -- what is kept between queries ------------------------------------------------------------------

MAX_VIEWS = 16


class _Kept:
    """One store's kept answers by view, valid while its data stays as ``version`` says."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version: tuple | None = None
        self.views: OrderedDict[tuple, object] = OrderedDict()

    def get(self, key: tuple):
        with self.lock:
            found = self.views.get(key)
            if found is not None:
                self.views.move_to_end(key)
            return found

    def put(self, key: tuple, value: object) -> None:
        with self.lock:
            self.views[key] = value
            while len(self.views) > MAX_VIEWS:
                self.views.popitem(last=False)


_KEPT: weakref.WeakKeyDictionary[Store, _Kept] = weakref.WeakKeyDictionary()
_KEPT_LOCK = threading.Lock()


def _version(store: Store) -> tuple | None:
    """What a store's answers depend on besides the view: its connections (each sync's start and end
    change their status or time, coverage and names come with them), tags, workspaces and last day.
    None while a sync runs: its windows land one by one without changing these, so nothing is kept
    then and every answer is read afresh. A write to costs outside a sync (the app makes none) would
    not show here: ``forget`` drops what is kept. (A counter the store bumps on every write would.)"""
    connections = tuple(store.connections())
    if any(c.status == "syncing" for c in connections) or store.sync_running():
        return None
    return connections, store.tags(), tuple(store.workspaces()), store.last_day()


def _kept(store: Store) -> _Kept | None:
    """The store's kept answers, emptied when its version changed (None: keep nothing now)."""
    version = _version(store)
    with _KEPT_LOCK:
        if version is None:
            _KEPT.pop(store, None)
            return None
        kept = _KEPT.get(store)
        if kept is None:
            kept = _KEPT[store] = _Kept()
    with kept.lock:
        if kept.version != version:
            kept.version = version
            kept.views.clear()
    return kept


def forget(store: Store) -> None:
    """Drop every answer kept for ``store`` (for a change its version would not show)."""
    with _KEPT_LOCK:
        _KEPT.pop(store, None)


def daily_series(
    store: Store, state: ReportState, rng: DateRange, today: date, *, splits: bool = True
) -> dict[tuple[str, ...], tuple[int, ...]]:
    """Each row's cost per day over ``rng`` (exact atto-units), folded like the pivot's rows."""
    spec = replace(state.spec(today), cols="day", measure="cost", date_range=rng, quantities=False)
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
    spec = replace(state.spec(today), rows=(dim,), cols=None, filters=others, top=None, measure="cost",
                   quantities=False)
    result = tags.run_pivot(store, spec, today=today)
    return [(rk[0], result.row_totals[rk]) for rk in result.row_keys]
