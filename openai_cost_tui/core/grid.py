"""A pivot (or a period comparison) shaped for display: columns, nested rows with subtotals, sorting.

Pure Python: the TUI's table only paints what ``display_rows`` returns, and tests check the shaping
without a terminal. Cells stay exact :class:`Cell` sums until the moment they are turned into text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .dates import bin_id
from .dimensions import TIME_DIMENSIONS, label
from .models import Cell, PivotResult
from .pivot import OTHER_LABEL as OTHER
from .render import display_text, measure_value

MAX_DIM_COLS = 12  # columns by a dimension: the 12 largest and one "(other)"
MAX_TIME_COLS = 120  # columns by day over a long range: the latest 120 (totals still count every day)
LABEL_KEY = "label"


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    provisional: bool = False
    derive: str | None = None  # "delta" | "pct": computed from the "prev" and "cur" columns


@dataclass(frozen=True)
class Grid:
    dims: tuple[str, ...]
    measure: str
    columns: tuple[Column, ...]
    cells: dict[tuple[str, ...], tuple[Cell | None, ...]]
    order: tuple[tuple[str, ...], ...]
    total: tuple[Cell | None, ...]
    notes: tuple[str, ...] = ()
    series: dict[tuple[str, ...], tuple[int, ...]] = field(default_factory=dict)
    flags: dict[tuple[str, ...], str] = field(default_factory=dict)  # row key -> anomaly note
    # (level, bin): rows by a time dimension at that level whose bin is this or later are still filling
    provisional_rows: tuple[int, str] | None = None

    def provisional_row(self, level: int, value: str) -> bool:
        """Is the row whose key holds ``value`` at ``level`` a period still filling (marked * as a column is)?"""
        found = self.provisional_rows
        return found is not None and found[0] == level and value != OTHER and value >= found[1]

    @property
    def label_title(self) -> str:
        return " › ".join(label(d) for d in self.dims)


@dataclass(frozen=True)
class DisplayRow:
    kind: str  # "group" | "leaf" | "total"
    key: tuple[str, ...]
    label: str
    cells: tuple[Cell | None, ...]
    collapsed: bool = False
    children: int = 0
    series: tuple[int, ...] = ()
    provisional: bool = False  # a period still filling (its label ends in *, shown in italic)

    @property
    def id(self) -> str:
        return f"{self.kind}:" + "\x1f".join(self.key)


# -- building grids ------------------------------------------------------------------------------


def grid_from_pivot(result: PivotResult) -> Grid:
    spec = result.spec
    notes: list[str] = []
    col_keys = list(result.col_keys)
    folded: list[str] = []
    if spec.cols in TIME_DIMENSIONS and len(col_keys) > MAX_TIME_COLS:
        notes.append(f"showing the latest {MAX_TIME_COLS} of {len(col_keys)} columns; totals count all")
        col_keys = col_keys[-MAX_TIME_COLS:]
    elif spec.cols and spec.cols not in TIME_DIMENSIONS and len(col_keys) > MAX_DIM_COLS + 1:
        folded = col_keys[MAX_DIM_COLS:]
        col_keys = col_keys[:MAX_DIM_COLS]
        notes.append(f"{len(folded)} smaller {label(spec.cols).lower()} columns folded into {OTHER}")
    provisional_bin = None
    if result.provisional_from is not None and spec.cols in TIME_DIMENSIONS:
        provisional_bin = bin_id(spec.cols, result.provisional_from)
    columns = [
        Column(
            c,
            c + ("*" if provisional_bin and c >= provisional_bin else ""),
            provisional=bool(provisional_bin and c >= provisional_bin),
        )
        for c in col_keys
    ]
    if folded:
        columns.append(Column("\x00other", OTHER))
    columns.append(Column("\x00total", "Total"))

    def row_cells(get) -> tuple[Cell | None, ...]:
        values = [get(c) for c in col_keys]
        if folded:
            values.append(_sum(get(c) for c in folded))
        return tuple(values)

    cells = {
        rk: row_cells(lambda c, rk=rk: result.cells.get((rk, c))) + (result.row_totals[rk],)
        for rk in result.row_keys
    }
    total = row_cells(lambda c: result.col_totals.get(c)) + (result.total,)
    filling = None
    if result.provisional_from is not None:
        filling = next(((level, bin_id(dim, result.provisional_from)) for level, dim in enumerate(spec.rows)
                        if dim in TIME_DIMENSIONS), None)
    return Grid(spec.rows, spec.measure, tuple(columns), cells, result.row_keys, total, tuple(notes),
                provisional_rows=filling)


def grid_from_compare(current: PivotResult, previous: PivotResult, *, top: int | None,
                      stored_from: date | None = None) -> Grid:
    """Current against previous period, row by row: previous, current, change and % change. With
    ``stored_from`` (the first stored day), a previous period that starts before it is said to be partial."""
    spec = current.spec
    pairs: dict[tuple[str, ...], list[Cell | None]] = defaultdict(lambda: [None, None])
    for rk, cell in previous.row_totals.items():
        pairs[rk][0] = cell
    for rk, cell in current.row_totals.items():
        pairs[rk][1] = cell
    outer: dict[str, int] = defaultdict(int)
    for rk, (prev, cur) in pairs.items():
        outer[rk[0]] += max(abs(prev.amount) if prev else 0, abs(cur.amount) if cur else 0)
    if top is not None and len(outer) > top:
        keep = set(sorted(outer, key=lambda k: (-outer[k], k))[:top])
        folded: dict[tuple[str, ...], list[Cell | None]] = defaultdict(lambda: [None, None])
        for rk, (prev, cur) in pairs.items():
            key = rk if rk[0] in keep else (OTHER, *([""] * (len(rk) - 1)))
            folded[key] = [_sum((folded[key][0], prev)), _sum((folded[key][1], cur))]
        pairs = folded
    cur_outer: dict[str, int] = defaultdict(int)
    for rk, (_, cur) in pairs.items():
        cur_outer[rk[0]] += cur.amount if cur else 0

    def order(rk: tuple[str, ...]) -> tuple:
        prev, cur = pairs[rk]
        return (rk[0] == OTHER, -cur_outer[rk[0]], rk[0], -(cur.amount if cur else 0), rk)

    keys = tuple(sorted(pairs, key=order))
    cells = {rk: (pairs[rk][0], pairs[rk][1], None, None) for rk in keys}
    total = (
        previous.total if previous.row_keys else None,
        current.total if current.row_keys else None,
        None,
        None,
    )
    cur_title = "Current" + ("*" if current.provisional_from else "")
    columns = (
        Column("prev", "Previous"),
        Column("cur", cur_title, provisional=bool(current.provisional_from)),
        Column("delta", "Change", derive="delta"),
        Column("pct", "Change %", derive="pct"),
    )
    notes = [f"previous {previous.date_range} · current {current.date_range}"]
    if stored_from is not None and previous.date_range is not None and previous.date_range.start < stored_from:
        notes.append(f"costs are stored from {stored_from} only: the previous period is partial, and the "
                     "change overstated")
    return Grid(spec.rows, spec.measure, columns, cells, keys, total, tuple(notes))


def _sum(cells) -> Cell | None:
    out: Cell | None = None
    for c in cells:
        if c is not None:
            out = c if out is None else out + c
    return out


# -- values and text --------------------------------------------------------------------------------


def value(grid: Grid, index: int, cells: Sequence[Cell | None]) -> Decimal | None:
    """The number a column shows for one row (derived columns from the previous/current pair)."""
    col = grid.columns[index]
    if col.derive is None:
        return measure_value(cells[index], grid.measure)
    prev = measure_value(cells[0], grid.measure)
    cur = measure_value(cells[1], grid.measure)
    if grid.measure == "unit_cost" and (prev is None or cur is None):
        return None
    prev = prev or Decimal(0)
    cur = cur or Decimal(0)
    if col.derive == "delta":
        return None if cells[0] is None and cells[1] is None else cur - prev
    if not prev:
        return None
    return (cur - prev) * 100 / abs(prev)


def text(grid: Grid, index: int, cells: Sequence[Cell | None]) -> str:
    col = grid.columns[index]
    number = value(grid, index, cells)
    if col.derive == "pct":
        if number is None:
            return "new" if cells[0] is None and cells[1] is not None else ""
        return f"{number:+,.1f}%"
    if col.derive == "delta" and number is not None:
        # the change between the figures as shown (each rounded), so what is read adds up
        prev, cur = (_shown_number(cells[i], grid.measure) for i in (0, 1))
        number = cur - prev
    shown = display_text(number, grid.measure)
    if col.derive == "delta" and number is not None and number > 0:
        return "+" + shown
    return shown


def _shown_number(cell: Cell | None, measure: str) -> Decimal:
    """A cell's value rounded as display_text shows it (0 for an empty cell)."""
    text = display_text(measure_value(cell, measure), measure).replace(",", "")
    return Decimal(text) if text else Decimal(0)


def trend(grid: Grid, index: int, cells: Sequence[Cell | None]) -> int:
    """-1, 0 or 1: whether a change column went down, stayed or went up."""
    if grid.columns[index].derive is None:
        return 0
    number = value(grid, index, cells)
    if number is None:
        return 1 if cells[0] is None and cells[1] is not None else 0
    return (number > 0) - (number < 0)


# -- rows for display -----------------------------------------------------------------------------


def display_rows(
    grid: Grid, *, collapsed: frozenset[str] = frozenset(), sort: tuple[str, bool] | None = None
) -> list[DisplayRow]:
    """Flat rows, or groups with subtotals and their children (unless collapsed), then the total.

    "Largest first" (no sort chosen) means largest in the measure shown: the pivot comes ordered by
    cost, so a quantity or unit-cost view is ordered by its own total column.
    """
    if sort is None and grid.measure != "cost" and grid.columns:
        sort = ("\x00total", True)  # the total column (the current period when comparing)
    sort_index = _sort_index(grid, sort)

    def sort_rows(rows: list[DisplayRow], name: Callable[[DisplayRow], str]) -> list[DisplayRow]:
        if sort is None:
            return rows
        descending = sort[1]
        others = [r for r in rows if r.key[0] == OTHER or r.key[-1] == OTHER]
        body = [r for r in rows if r not in others]
        if sort_index is None:
            body.sort(key=lambda r: name(r).lower(), reverse=descending)
        else:
            with_value = [r for r in body if value(grid, sort_index, r.cells) is not None]
            without = [r for r in body if value(grid, sort_index, r.cells) is None]
            with_value.sort(key=lambda r: value(grid, sort_index, r.cells), reverse=descending)
            body = with_value + without
        return body + others

    if len(grid.dims) == 1:
        rows = [
            _leaf(grid, rk, 0, rk[0]) for rk in grid.order
        ]
        out = sort_rows(rows, lambda r: r.key[0])
    else:
        children: dict[str, list[tuple[str, ...]]] = {}
        for rk in grid.order:
            children.setdefault(rk[0], []).append(rk)
        groups = []
        for outer, kids in children.items():
            cells = tuple(_sum(grid.cells[k][i] for k in kids) for i in range(len(grid.columns)))
            series = _sum_series([grid.series.get(k, ()) for k in kids])
            folded = outer in collapsed
            mark = "▸" if folded else "▾"
            filling = grid.provisional_row(0, outer)
            groups.append(DisplayRow("group", (outer,), f"{mark} {outer}" + "*" * filling, cells, folded, len(kids),
                                     series, filling))
        out = []
        for group in sort_rows(groups, lambda r: r.key[0]):
            out.append(group)
            if group.collapsed:
                continue
            leaves = [
                _leaf(grid, k, 1, "  " + (k[1] or "·")) for k in children[group.key[0]]
            ]
            out.extend(sort_rows(leaves, lambda r: r.key[1]))
    series = _sum_series([grid.series.get(k, ()) for k in grid.order])
    out.append(DisplayRow("total", (), "Total", grid.total, series=series))
    return out


def _leaf(grid: Grid, key: tuple[str, ...], level: int, label: str) -> DisplayRow:
    filling = grid.provisional_row(level, key[level])
    return DisplayRow("leaf", key, label + "*" * filling, grid.cells[key], series=grid.series.get(key, ()),
                      provisional=filling)


def _sort_index(grid: Grid, sort: tuple[str, bool] | None) -> int | None:
    if sort is None or sort[0] == LABEL_KEY:
        return None
    for i, col in enumerate(grid.columns):
        if col.key == sort[0]:
            return i
    return len(grid.columns) - 1 if grid.columns[-1].key == "\x00total" else 1


def _sum_series(series: list[Sequence[int]]) -> tuple[int, ...]:
    series = [s for s in series if s]
    if not series:
        return ()
    return tuple(sum(values) for values in zip(*series, strict=True))


def sort_description(grid: Grid, sort: tuple[str, bool] | None) -> str:
    if sort is None:
        return "largest first"
    arrow = "↓" if sort[1] else "↑"
    if sort[0] == LABEL_KEY:
        return f"by {grid.label_title} {arrow}"
    index = _sort_index(grid, sort)
    title = grid.columns[index].title if index is not None else sort[0]
    return f"by {title} {arrow}"
