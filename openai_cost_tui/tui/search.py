"""`/` search in any table: a one-line bar under the table, n and N for the next and previous match.

The bar reports what is typed; the screen decides what a search does (the report narrows its rows as
you type, the other tables move the cursor to the first match). Matching is by text shown, ignoring
case, over every cell of a row.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Input


class SearchBar(Input):
    """Hidden until `/`; Enter keeps the search, Esc drops it."""

    BINDINGS = [
        Binding("escape", "drop", "Drop search", id="search-drop", tooltip="Close the search and drop it"),
    ]

    @dataclass
    class Dropped(Message):
        bar: SearchBar

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder="search: type to find, Enter keeps, Esc drops", **kwargs)

    def action_drop(self) -> None:
        self.post_message(self.Dropped(self))


def row_text(table: DataTable, index: int) -> str:
    return " ".join(str(cell) for cell in table.get_row_at(index)).casefold()


def find_row(table: DataTable, needle: str, *, start: int, step: int = 1) -> int | None:
    """The index of the first row from ``start`` (wrapping, in ``step``'s direction) holding ``needle``."""
    count = table.row_count
    needle = needle.casefold()
    if not needle or not count:
        return None
    for offset in range(count):
        index = (start + offset * step) % count
        if needle in row_text(table, index):
            return index
    return None
