"""What a report shows, as one immutable value: dimensions, measure, filters, dates, options.

The TUI keeps one ``ReportState`` and swaps it for a new one on every key; a saved view is its JSON;
the CLI's ``report --view`` turns it back into a :class:`PivotSpec`. No Textual, no I/O.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date

from .dates import DateRange, add_months, last_month, last_n_days, month_to_date, parse_day, year_to_date
from .dimensions import TIME_DIMENSIONS, dimension, label
from .errors import UsageError
from .models import Filter, PivotSpec
from .pivot import check_shape

PRESETS: dict[str, str] = {
    "mtd": "Month to date",
    "last_month": "Last month",
    "3m": "This and the 2 months before",
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "90d": "Last 90 days",
    "ytd": "Year to date",
    "custom": "Custom range",
}
MEASURE_LABELS = {"cost": "Cost", "quantity": "Quantity", "unit_cost": "Unit cost"}
TOP_CHOICES: tuple[int | None, ...] = (10, 25, 50, 100, None)
DEFAULT_TOP = 25


@dataclass(frozen=True)
class DateChoice:
    """A preset, resolved against today each time (a saved "last month" stays relative), or fixed days."""

    preset: str = "3m"
    start: date | None = None
    end: date | None = None

    def __post_init__(self) -> None:
        if self.preset not in PRESETS:
            raise UsageError(f"unknown date preset {self.preset!r}; choose one of: {', '.join(PRESETS)}")
        if self.preset == "custom":
            if self.start is None or self.end is None:
                raise UsageError("a custom date range needs both a first and a last day")
            DateRange(self.start, self.end)

    def resolve(self, today: date) -> DateRange:
        match self.preset:
            case "mtd":
                return month_to_date(today)
            case "last_month":
                return last_month(today)
            case "3m":
                return DateRange(add_months(today, -2), today)
            case "7d":
                return last_n_days(today, 7)
            case "30d":
                return last_n_days(today, 30)
            case "90d":
                return last_n_days(today, 90)
            case "ytd":
                return year_to_date(today)
        assert self.start is not None and self.end is not None
        return DateRange(self.start, self.end)

    def label(self, today: date) -> str:
        rng = self.resolve(today)
        if self.preset == "custom":
            return str(rng)
        return f"{PRESETS[self.preset]} ({rng})"


def previous_range(rng: DateRange) -> DateRange:
    """The period to compare with: whole months shift by whole months (Oct 1..27 before Nov 1..27;
    October before November), any other range by its own length."""
    if rng.start.day != 1:
        return rng.previous()
    months = (rng.end.year - rng.start.year) * 12 + rng.end.month - rng.start.month + 1
    start = add_months(rng.start, -months)
    end_first = add_months(rng.end, -months)
    last_day = calendar.monthrange(end_first.year, end_first.month)[1]
    end_is_month_end = rng.end.day == calendar.monthrange(rng.end.year, rng.end.month)[1]
    end = end_first.replace(day=last_day if end_is_month_end else min(rng.end.day, last_day))
    return DateRange(start, end)


@dataclass(frozen=True)
class ReportState:
    rows: tuple[str, ...] = ("service",)
    cols: str | None = "month"
    measure: str = "cost"
    filters: tuple[Filter, ...] = ()
    workspace: str | None = None
    dates: DateChoice = field(default_factory=DateChoice)
    top: int | None = DEFAULT_TOP
    compare: bool = False
    sort: tuple[str, bool] | None = None  # (column key, descending); None: largest first
    crumbs: tuple[tuple[str, str], ...] = ()  # the drill path, for the breadcrumb
    hidden: tuple[str, ...] = ()  # column keys left out of the table (the query still has them)
    collapsed: tuple[str, ...] = ()  # outer row values folded (two row dimensions)

    def __post_init__(self) -> None:
        check_shape(self.rows, self.cols, self.measure, self.top)

    # -- to a query -----------------------------------------------------------------------------

    def date_range(self, today: date) -> DateRange:
        return self.dates.resolve(today)

    def spec(self, today: date, *, previous: bool = False) -> PivotSpec:
        rng = self.date_range(today)
        return PivotSpec(
            rows=self.rows,
            cols=self.cols,
            date_range=previous_range(rng) if previous else rng,
            filters=self.filters,
            workspace=self.workspace,
            measure=self.measure,
            top=self.top,
            quantities=self.measure != "cost",
        )

    # -- changes (each returns a new state) -------------------------------------------------------

    def with_rows(self, first: str, second: str | None = None) -> ReportState:
        rows = (first,) if not second or second == first else (first, second)
        cols = self.cols
        if cols in rows:  # the new row dimension was the columns: they trade places
            cols = self.rows[0] if self.rows[0] not in rows else None
        return replace(self, rows=rows, cols=cols, sort=None)

    def with_second_row(self, second: str | None) -> ReportState:
        return self.with_rows(self.rows[0], second)

    def with_cols(self, cols: str | None) -> ReportState:
        rows = self.rows
        if cols in rows:  # asking for a row dimension as columns swaps it out of the rows
            rows = tuple(r for r in rows if r != cols) or ((self.cols,) if self.cols else ("service",))
            if cols in rows:
                rows = ("service",) if cols != "service" else ("category",)
        return replace(self, rows=rows, cols=cols, sort=None)

    def swapped(self) -> ReportState:
        """Rows and columns trade places (the second row dimension, if any, stays nested)."""
        if self.cols is None:
            return replace(self, rows=self.rows[1:] or _other_row(self.rows[0]), cols=self.rows[0], sort=None)
        rows = (self.cols, *self.rows[1:])
        return replace(self, rows=rows, cols=self.rows[0], sort=None)

    def hiding(self, column: str) -> ReportState:
        return replace(self, hidden=(*self.hidden, column)) if column not in self.hidden else self

    def toggled_fold(self, outer: str) -> ReportState:
        folded = tuple(v for v in self.collapsed if v != outer)
        return replace(self, collapsed=folded if outer in self.collapsed else (*folded, outer))

    def sorted_as(self, column: str, descending: bool) -> ReportState:
        return replace(self, sort=(column, descending))

    def with_measure(self, measure: str) -> ReportState:
        return replace(self, measure=measure)

    def with_filter(self, flt: Filter | None, dim: str) -> ReportState:
        """Replace the filter on ``dim`` (None removes it)."""
        rest = tuple(f for f in self.filters if f.dim != dim)
        return replace(self, filters=rest + ((flt,) if flt and flt.values else ()))

    def without_filter(self, index: int) -> ReportState:
        filters = tuple(f for i, f in enumerate(self.filters) if i != index)
        return replace(self, filters=filters)

    def filter_for(self, dim: str) -> Filter | None:
        return next((f for f in self.filters if f.dim == dim), None)

    def next_top(self) -> ReportState:
        i = TOP_CHOICES.index(self.top) if self.top in TOP_CHOICES else 0
        return replace(self, top=TOP_CHOICES[(i + 1) % len(TOP_CHOICES)])

    def toggled_compare(self) -> ReportState:
        return replace(self, compare=not self.compare, sort=("delta", True) if not self.compare else None)

    def sorted_by(self, column: str) -> ReportState:
        """Sort by a column; the same column again flips the direction (numbers start largest first)."""
        if self.sort and self.sort[0] == column:
            return replace(self, sort=(column, not self.sort[1]))
        return replace(self, sort=(column, column != "label"))

    # -- text -------------------------------------------------------------------------------------

    def describe(self, today: date) -> str:
        rows = " › ".join(label(r) for r in self.rows)
        cols = "previous period" if self.compare else (label(self.cols) if self.cols else "none")
        ws = self.workspace or "all connections"
        top = f"top {self.top}" if self.top else "all rows"
        return (
            f"Rows {rows} · Cols {cols} · {MEASURE_LABELS[self.measure]} · "
            f"{self.dates.label(today)} · {ws} · {top}"
        )

    # -- saved views ------------------------------------------------------------------------------

    def to_dict(self) -> dict:
        return {
            "rows": list(self.rows),
            "cols": self.cols,
            "measure": self.measure,
            "filters": [{"dim": f.dim, "values": list(f.values), "exclude": f.exclude} for f in self.filters],
            "workspace": self.workspace,
            "dates": {
                "preset": self.dates.preset,
                "from": self.dates.start.isoformat() if self.dates.start else None,
                "to": self.dates.end.isoformat() if self.dates.end else None,
            },
            "top": self.top,
            "compare": self.compare,
            "sort": list(self.sort) if self.sort else None,
            "crumbs": [list(c) for c in self.crumbs],
            "hidden": list(self.hidden),
            "collapsed": list(self.collapsed),
        }

    @classmethod
    def from_dict(cls, data: dict) -> ReportState:
        try:
            d = data.get("dates") or {}
            dates = DateChoice(
                d.get("preset", "3m"),
                parse_day(d["from"]) if d.get("from") else None,
                parse_day(d["to"]) if d.get("to") else None,
            )
            filters = tuple(
                Filter(dimension(f["dim"]).id, tuple(str(v) for v in f["values"]), bool(f.get("exclude")))
                for f in data.get("filters") or ()
            )
            sort = data.get("sort")
            return cls(
                rows=tuple(data.get("rows") or ("service",)),
                cols=data.get("cols"),
                measure=data.get("measure", "cost"),
                filters=filters,
                workspace=data.get("workspace"),
                dates=dates,
                top=data.get("top"),
                compare=bool(data.get("compare")),
                sort=(str(sort[0]), bool(sort[1])) if sort else None,
                crumbs=tuple((str(d), str(v)) for d, v in data.get("crumbs") or ()),
                hidden=tuple(str(c) for c in data.get("hidden") or ()),
                collapsed=tuple(str(v) for v in data.get("collapsed") or ()),
            )
        except (KeyError, TypeError, AttributeError, IndexError, ValueError) as exc:
            raise UsageError(f"the saved view is malformed ({type(exc).__name__}: {exc})") from None


def _other_row(dim: str) -> tuple[str, ...]:
    for candidate in ("service", "project", *TIME_DIMENSIONS):
        if candidate != dim:
            return (candidate,)
    return ("service",)  # pragma: no cover
