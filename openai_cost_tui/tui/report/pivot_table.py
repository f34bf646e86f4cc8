"""The pivot as a DataTable: one label column, right-aligned numbers, totals, an optional trend."""

from __future__ import annotations

from functools import lru_cache

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widgets.data_table import CellDoesNotExist, ColumnDoesNotExist, RowDoesNotExist

from ...core.grid import LABEL_KEY, DisplayRow, Grid, text, trend
from ...core.render import fit_columns
from ...core.sparkline import spark
from ...core.text import shown
from .cell_cache import CellCacheTable

TREND_KEY = "trend"
TREND_WIDTH = 14
MAX_LABEL_WIDTH = 40  # the labels' width when the figures need the rest of the line
ALLOCATED_MARK = "≈"  # after a label: the row includes a share a tag's split allocated to it (a: unsplit)
FLAG_MARK = "⚠"
UP_STYLE = "red"  # spending more
DOWN_STYLE = "green"
_spark = lru_cache(maxsize=4096)(spark)  # a row's trend is drawn again at each rebuild that shows it


class PivotTable(CellCacheTable):
    """Enter (or a double click) drills into the row under the cursor; Space folds a group; Home and End
    jump to the first and last column; a click on a header sorts by that column."""

    BINDINGS = [
        Binding(
            "enter",
            "screen.drill",
            "Drill",
            id="report-drill",
            tooltip="Keep only this row's value and group by the next dimension",
        ),
        Binding(
            "space",
            "screen.toggle_group",
            "Fold",
            id="report-fold",
            show=False,
            tooltip="Collapse or expand the group under the cursor (two row dimensions)",
        ),
        Binding("home", "scroll_home", "First column", id="report-first-column", show=False,
                tooltip="Jump to the first column (the row labels)"),
        Binding("end", "scroll_end", "Last column", id="report-last-column", show=False,
                tooltip="Jump to the last column (the Total, or the trend)"),
        Binding("ctrl+home", "scroll_top", "First row", id="report-first-row", show=False,
                tooltip="Jump to the first row"),
        Binding("ctrl+end", "scroll_bottom", "Last row", id="report-last-row", show=False,
                tooltip="Jump to the last row (the Total)"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="cell", zebra_stripes=True, **kwargs)
        self.fixed_columns = 1  # the row labels stay while the figures scroll sideways
        self.display_rows: list[DisplayRow] = []
        self.exact_texts: list[list[str]] = []  # every figure as the grid says it, before abbreviation
        self.shown_titles: list[str] = []
        self.short_columns: set[int] = set()  # figure columns (0 = the first after the labels) abbreviated
        self.allocated_rows: list[int] = []  # per display row: the amount a split allocated into it (0: none)

    def show(self, grid: Grid, rows: list[DisplayRow], *, with_trend: bool, home: bool = False,
             hidden: tuple[str, ...] = (), allocated: dict[tuple[str, ...], int] | None = None) -> None:
        """Repaint, keeping the cursor on the same row (by key) and column when they still exist
        (``home``: the rows changed meaning, start at the top; ``hidden``: column keys left out;
        ``allocated``: row key -> the amount a tag's split shared into it, those rows marked ≈)."""
        row_id, column = self.current_ids()
        if home or self.row_count <= 1:  # (a lone Total row was an empty store: start at the top)
            row_id = None
        old_row = self.cursor_coordinate.row
        self.clear(columns=True)
        self.display_rows = rows
        shown_cols = [i for i, col in enumerate(grid.columns) if col.key not in hidden]
        exact = [[text(grid, i, row.cells) for i in shown_cols] for row in rows]
        self.allocated_rows = [_allocated_into(row, allocated or {}) for row in rows]
        marks = [_marks(amount, grid.flags.get(row.key)) for row, amount in zip(rows, self.allocated_rows,
                                                                                  strict=True)]
        label_width = max([len(grid.label_title), *(len(r.label) + len(m) for r, m in zip(rows, marks,
                                                                                             strict=True))])
        # a figure is never cut: the widest columns are abbreviated (10.0B) when they cannot all fit,
        # and the cursor line gives the exact figure (cursor_exact)
        width = self.size.width or self.app.size.width
        room = width - min(label_width, MAX_LABEL_WIDTH) - 4 - (TREND_WIDTH + 2) * with_trend
        titles = [grid.columns[i].title for i in shown_cols]
        texts, widths, self.short_columns = fit_columns(exact, titles, room)
        self.exact_texts, self.shown_titles = exact, titles
        # a long label takes what the figures leave of the line (it is cut only when they need it)
        spare = max(0, room - sum(w + 2 for w in widths))
        label_width = min(label_width, min(label_width, MAX_LABEL_WIDTH) + spare)
        self.add_column(grid.label_title, key=LABEL_KEY, width=label_width)
        for col, width in zip((grid.columns[i] for i in shown_cols), widths, strict=True):
            style = "italic" if col.provisional else ""
            # padded here: numbers line up on the right whatever the cell renderer does with justify
            self.add_column(Text(shown(col.title).rjust(width), style=style), key=col.key, width=width)
        if with_trend:
            self.add_column("Daily trend", key=TREND_KEY, width=TREND_WIDTH)
        for row, row_texts, mark in zip(rows, texts, marks, strict=True):
            cells: list = [self._label(row, mark, label_width)]
            for n, i in enumerate(shown_cols):
                style = "bold" if row.kind != "leaf" else ""
                if grid.columns[i].provisional or row.provisional:
                    style += " italic"
                direction = trend(grid, i, row.cells)
                if direction:
                    style += f" {UP_STYLE if direction > 0 else DOWN_STYLE}"
                cells.append(Text(row_texts[n].rjust(widths[n]), style=style.strip()))
            if with_trend:
                cells.append(Text(_spark(tuple(row.series), TREND_WIDTH - 2), style="cyan"))
            self.add_row(*cells, key=row.id)
        self._restore(row_id, column, old_row)

    @staticmethod
    def _label(row: DisplayRow, marks: str, width: int) -> Text:
        """The row's label (cut with an ellipsis when it must be) followed by its marks, never cut."""
        style = {"group": "bold", "total": "bold"}.get(row.kind, "") + " italic" * row.provisional
        label = Text(shown(row.label), style=style, no_wrap=True, overflow="ellipsis")
        label.truncate(max(width - len(marks), 1), overflow="ellipsis")
        for mark in marks.split():
            label.append(f" {mark}", style="bold yellow" if mark == FLAG_MARK else "bold cyan")
        return label

    def cursor_allocated(self) -> tuple[str, int] | None:
        """(the label, the amount a split allocated into it) when the cursor's row is marked ≈."""
        row = self.cursor_coordinate.row
        if not 0 <= row < len(self.allocated_rows) or not self.allocated_rows[row]:
            return None
        return self.display_rows[row].label, self.allocated_rows[row]

    def cursor_exact(self) -> str | None:
        """``Chats and Completions · 2026-10: 27,006,194,900`` when the cursor's figure is abbreviated."""
        row, col = self.cursor_coordinate.row, self.cursor_coordinate.column - 1
        if col not in self.short_columns or not 0 <= row < len(self.exact_texts):
            return None
        figure = self.exact_texts[row][col]
        return f"{self.display_rows[row].label} · {self.shown_titles[col]}: {figure}" if figure else None

    def current_ids(self) -> tuple[str | None, str | None]:
        if not self.row_count:
            return None, None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate)
        except CellDoesNotExist:
            return None, None
        return key.row_key.value, key.column_key.value

    def current_row(self) -> DisplayRow | None:
        if not self.display_rows:
            return None
        return self.display_rows[min(self.cursor_coordinate.row, len(self.display_rows) - 1)]

    def _restore(self, row_id: str | None, column: str | None, old_row: int) -> None:
        if not self.row_count:
            return
        try:
            row = self.get_row_index(row_id) if row_id else 0
        except RowDoesNotExist:  # the row is gone (filtered or folded away): stay near where it was
            row = min(old_row, self.row_count - 1)
        try:
            col = self.get_column_index(column) if column else 0
        except ColumnDoesNotExist:
            col = min(1, len(self.columns) - 1)
        self.move_cursor(row=row, column=col, animate=False)

    async def on_click(self, event: events.Click) -> None:
        """A double click on a row drills into it (one click selects, a click on a header sorts)."""
        if event.chain == 2 and event.style.meta.get("row", -1) >= 0:
            await self.run_action("screen.drill")

    def select_row(self, row_id: str) -> None:
        try:
            self.move_cursor(row=self.get_row_index(row_id), animate=False)
        except RowDoesNotExist:
            return  # the row is not shown: leave the cursor


def _allocated_into(row: DisplayRow, allocated: dict[tuple[str, ...], int]) -> int:
    """What a split shared into a row: a leaf's own amount, a group's over its leaves (the Total row,
    where the shares cancel out against what was split, is never marked)."""
    if row.kind == "total" or not allocated:
        return 0
    if row.kind == "leaf":
        return allocated.get(row.key, 0)
    n = len(row.key)
    return sum(amount for key, amount in allocated.items() if key[:n] == row.key)


def _marks(allocated: int, flag: str | None) -> str:
    """The marks after a label, each after a space: `` ≈`` (an allocated share), `` ⚠`` (a flag)."""
    return (f" {ALLOCATED_MARK}" if allocated else "") + (f" {FLAG_MARK}" if flag else "")
