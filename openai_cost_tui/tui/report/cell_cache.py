"""Rendered cells kept across a DataTable's rebuilds, by what they show.

Textual's DataTable keys its cell cache by a counter that every ``add_row`` and ``clear`` bumps, so a
table filled afresh renders every visible cell through Rich again (~50 us a cell). The pivot is filled
afresh for each answer, and most of its cells are the same as a moment before: the trend and the ⚠ marks
arrive after the figures, another top N keeps the rows it shares, a swap back shows what was shown.
This cache keys a rendered cell by everything that rendering reads (the cell's text and styles, its
place, width, row height, the styles around it, cursor and hover), so an equal key is an equal render.
A row's rendered line is kept the same way (its place and every cell's key, the widths, styles, cursor
and hover), and while one frame renders each component style is looked up once, not once a line.

It reads DataTable internals (``_render_cell``, ``_render_line_in_row``, ``_update_dimensions``, the row
and column locations), as they are in the Textual the project pins (constraints.txt). A Textual whose
internals differ (the package allows ``textual>=8.2,<9``) gets the plain DataTable: slower, never wrong
(``COMPATIBLE``).
"""

from __future__ import annotations

import inspect

from rich.style import Style
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.widgets import DataTable

MAX_CELLS = 20_000  # rendered cells kept (a screenful is ~40 rows x ~16 columns)
MAX_LINES = 2_000  # rendered lines kept
_RENDER_CELL = ["self", "row_index", "column_index", "base_style", "width", "cursor", "hover"]
_RENDER_LINE = ["self", "row_key", "line_no", "base_style", "cursor_location", "hover_location"]
_INTERNALS = ("_column_locations", "_row_locations", "_data", "_show_hover_cursor", "_pseudo_class_state",
              "header_height", "rows", "columns", "cell_padding", "fixed_rows", "fixed_columns", "_update_count",
              "_labelled_row_exists", "_header_row_key")


def _compatible() -> bool:
    """Whether DataTable's internals are the ones this cache was written against."""
    try:
        render = list(inspect.signature(DataTable._render_cell).parameters)
        line = list(inspect.signature(DataTable._render_line_in_row).parameters)
        dims = list(inspect.signature(DataTable._update_dimensions).parameters)
    except (AttributeError, TypeError, ValueError):
        return False
    return render == _RENDER_CELL and line == _RENDER_LINE and dims == ["self", "new_rows"]


COMPATIBLE = _compatible()


def text_key(cell: object) -> tuple | None:
    """What a Rich Text cell renders from (None: not a Text, not cached)."""
    if type(cell) is not Text:
        return None
    return (cell.plain, cell.style, tuple(cell.spans), cell.justify, cell.overflow, cell.no_wrap, cell.end,
            cell.tab_size)


class _FrameStyles:
    """A component's styles with its Rich style worked out once for the frame being rendered (DataTable
    asks for it again on every line, and each time Textual walks the ancestors' backgrounds)."""

    __slots__ = ("_styles", "rich_style")

    def __init__(self, styles) -> None:
        self._styles = styles
        self.rich_style = styles.rich_style

    def __getattr__(self, name: str):
        return getattr(self._styles, name)


class CellCacheTable(DataTable):
    """A DataTable whose rendered cells survive ``clear`` and ``add_row`` while they stay the same."""

    _frame: dict | None = None  # while a frame renders: the styles asked for, by component names

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._rendered: LRUCache[tuple, list] = LRUCache(MAX_CELLS)
        self._lines: LRUCache[tuple, tuple] = LRUCache(MAX_LINES)
        self._contents: dict = {}  # row key -> _row_content, for the refill counted by _contents_at
        self._contents_at = -1
        self._caching = COMPATIBLE and all(hasattr(type(self), name) or name in vars(self) for name in _INTERNALS)

    def render_lines(self, crop):
        # nothing a style reads changes while one frame's lines render: each style is looked up once
        if not self._caching:
            return super().render_lines(crop)
        self._frame = {}
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def get_component_styles(self, *names: str):
        frame = self._frame
        if frame is None:
            return super().get_component_styles(*names)
        found = frame.get(names)
        if found is None:
            found = frame[names] = _FrameStyles(super().get_component_styles(*names))
        return found

    @property
    def rich_style(self) -> Style:
        frame = self._frame
        if frame is None:
            return super().rich_style
        found = frame.get("")
        if found is None:
            found = frame[""] = super().rich_style
        return found

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                     cursor: bool = False, hover: bool = False):
        content = self._content_key(row_index, column_index) if self._caching else None
        if content is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        key = ("cell", content, row_index, column_index, base_style, width, cursor, hover, *self._settings())
        found = self._rendered.get(key)
        if found is None:
            found = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
            self._rendered[key] = found
        return found

    def _render_line_in_row(self, row_key, line_no: int, base_style: Style, cursor_location, hover_location):
        # A line of a row is kept like a cell, by what it shows: the same cells at the same place, widths,
        # styles and cursor draw the same line (DataTable keys its own by the refill counter).
        content = self._row_content(row_key) if self._caching and not self._labelled_row_exists else None
        if content is None:
            return super()._render_line_in_row(row_key, line_no, base_style, cursor_location, hover_location)
        key = ("line", content, line_no, base_style, cursor_location, hover_location, self.cursor_type,
               self.size.width, tuple(c.get_render_width(self) for c in self.ordered_columns), self.zebra_stripes,
               *self._settings())
        found = self._lines.get(key)
        if found is None:
            found = super()._render_line_in_row(row_key, line_no, base_style, cursor_location, hover_location)
            self._lines[key] = found
        return found

    def _row_content(self, row_key) -> tuple | None:
        """A row's place and every cell's content key (None: a cell that is not kept), once a refill."""
        if self._contents_at != self._update_count:
            self._contents, self._contents_at = {}, self._update_count
        if row_key in self._contents:
            return self._contents[row_key]
        row_index = self._row_locations.get(row_key) if row_key in self._row_locations else -1
        if row_index == -1 and row_key is not self._header_row_key:
            found = None
        else:
            cells = tuple(self._content_key(row_index, i) for i in range(len(self.columns)))
            found = None if None in cells else (row_index, cells)
        self._contents[row_key] = found
        return found

    def _settings(self) -> tuple:
        return (self._show_hover_cursor, self._pseudo_class_state, self.fixed_rows, self.fixed_columns,
                self.cell_padding, self.show_cursor, self.cursor_foreground_priority,
                self.cursor_background_priority)

    def _content_key(self, row_index: int, column_index: int) -> tuple | None:
        column_key = self._column_locations.get_key(column_index)
        if column_key is None or column_index < 0:
            return None
        if row_index == -1:
            column = self.columns.get(column_key)
            label = None if column is None else text_key(column.label)
            return None if label is None else ("header", self.header_height, label)
        row_key = self._row_locations.get_key(row_index)
        row = self.rows.get(row_key) if row_key is not None else None
        if row is None or row.auto_height:
            return None
        cell = self._data[row_key].get(column_key)
        found = ("empty",) if cell is None else text_key(cell)
        return None if found is None else (row.height, found)

    def _update_dimensions(self, new_rows) -> None:
        # The new rows' cells are measured only to widen columns sized to their content: with every
        # column given a width (and no row labels or auto-height rows) the measures change nothing.
        if not self._caching:
            super()._update_dimensions(new_rows)
            return
        rows = [self.rows[k] for k in new_rows if k in self.rows]
        if any(c.auto_width for c in self.columns.values()) or any(r.label is not None or r.auto_height
                                                                    for r in rows):
            super()._update_dimensions(new_rows)
        else:
            super()._update_dimensions(())

    def notify_style_update(self) -> None:
        self._rendered.clear()
        self._lines.clear()
        super().notify_style_update()

    def on_resize(self, event: events.Resize) -> None:
        self._rendered.clear()
        self._lines.clear()
