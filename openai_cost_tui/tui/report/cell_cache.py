"""Rendered cells kept across a DataTable's rebuilds, by what they show.

Textual's DataTable keys its cell cache by a counter that every ``add_row`` and ``clear`` bumps, so a
table filled afresh renders every visible cell through Rich again (~50 us a cell). The pivot is filled
afresh for each answer, and most of its cells are the same as a moment before: the trend and the ⚠ marks
arrive after the figures, another top N keeps the rows it shares, a swap back shows what was shown.
This cache keys a rendered cell by everything that rendering reads (the cell's text and styles, its
place, width, row height, the styles around it, cursor and hover), so an equal key is an equal render.

It reads DataTable internals (``_render_cell``, ``_update_dimensions``, the row and column locations),
as they are in the Textual the project pins (constraints.txt). A Textual whose internals differ (the
package allows ``textual>=8.2,<9``) gets the plain DataTable: slower, never wrong (``COMPATIBLE``).
"""

from __future__ import annotations

import inspect

from rich.style import Style
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.widgets import DataTable

MAX_CELLS = 20_000  # rendered cells kept (a screenful is ~40 rows x ~16 columns)
_RENDER_CELL = ["self", "row_index", "column_index", "base_style", "width", "cursor", "hover"]
_INTERNALS = ("_column_locations", "_row_locations", "_data", "_show_hover_cursor", "_pseudo_class_state",
              "header_height", "rows", "columns", "cell_padding", "fixed_rows", "fixed_columns")


def _compatible() -> bool:
    """Whether DataTable's internals are the ones this cache was written against."""
    try:
        render = list(inspect.signature(DataTable._render_cell).parameters)
        dims = list(inspect.signature(DataTable._update_dimensions).parameters)
    except (AttributeError, TypeError, ValueError):
        return False
    return render == _RENDER_CELL and dims == ["self", "new_rows"]


COMPATIBLE = _compatible()


def text_key(cell: object) -> tuple | None:
    """What a Rich Text cell renders from (None: not a Text, not cached)."""
    if type(cell) is not Text:
        return None
    return (cell.plain, cell.style, tuple(cell.spans), cell.justify, cell.overflow, cell.no_wrap, cell.end,
            cell.tab_size)


class CellCacheTable(DataTable):
    """A DataTable whose rendered cells survive ``clear`` and ``add_row`` while they stay the same."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._rendered: LRUCache[tuple, list] = LRUCache(MAX_CELLS)
        self._caching = COMPATIBLE and all(hasattr(type(self), name) or name in vars(self) for name in _INTERNALS)

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
        super().notify_style_update()

    def on_resize(self, event: events.Resize) -> None:
        self._rendered.clear()
