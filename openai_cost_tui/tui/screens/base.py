"""The frame every main screen shares: header, body, search bar, status line, footer; store reads in jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input

from ...core.text import shown
from ...services.context import AppContext
from ..jobs import Jobs, cost_app
from ..messages import DataChanged, FactsChanged
from ..search import SearchBar, find_row
from ..widgets.footer import FittedFooter
from ..widgets.status import StatusLine

if TYPE_CHECKING:
    from ..app import CostApp


class AppScreen(Jobs, Screen[None]):
    """Subclasses yield their body from ``compose_body`` and re-read data in ``reload``."""

    BINDINGS = [
        Binding("slash", "search", "Search", id="search", key_display="/",
                tooltip="Find rows in the table by any text they show (n, N: next, previous)"),
        Binding("n", "search_next", "Next match", id="search-next", show=False,
                tooltip="The next row that matches the search"),
        Binding("N", "search_previous", "Previous match", id="search-previous", show=False,
                tooltip="The previous row that matches the search"),
    ]
    FOOTER_ORDER: ClassVar[tuple[str, ...]] = ()  # binding ids, most used first (the footer keeps these)

    search_text = ""

    @property
    def cost_app(self) -> CostApp:
        return cost_app(self)

    @property
    def ctx(self) -> AppContext:
        return self.cost_app.ctx

    def compose(self) -> ComposeResult:
        yield Header(icon="$")
        yield from self.compose_body()
        yield SearchBar(id="search-bar")
        yield StatusLine()
        yield FittedFooter(compact=True)

    def compose_body(self) -> ComposeResult:
        yield from ()

    def reload(self) -> None:
        """Re-read what the screen shows from the store (in a worker)."""

    def on_data_changed(self, message: DataChanged) -> None:
        self.reload()

    def on_facts_changed(self, message: FactsChanged) -> None:
        for line in self.query(StatusLine):
            line.refresh_status()

    def on_screen_resume(self) -> None:
        self.reload()
        for line in self.query(StatusLine):
            line.refresh_status()
        self._footer_follows_top()

    def on_screen_suspend(self) -> None:
        self._footer_follows_top()  # a dialog opened over this screen: the footer shows its keys

    def _footer_follows_top(self) -> None:
        for footer in self.query(FittedFooter):
            footer.follow_top()

    # -- search -------------------------------------------------------------------------------------

    def search_table(self) -> DataTable | None:
        """The table a search walks: the focused one, else the first shown."""
        if isinstance(self.focused, DataTable):
            return self.focused
        return next((t for t in self.query(DataTable) if t.display), None)

    def action_search(self) -> None:
        self._table_before_search = self.search_table()
        bar = self.query_one(SearchBar)
        bar.display = True
        bar.value = self.search_text
        bar.focus()

    def search_changed(self, text: str) -> None:
        """Each key typed in the bar: by default the cursor goes to the first row from it that matches."""
        table = getattr(self, "_table_before_search", None) or self.search_table()
        if table is not None and text:
            found = find_row(table, text, start=table.cursor_coordinate.row)
            if found is not None:
                table.move_cursor(row=found, animate=False)

    @on(Input.Changed, "#search-bar")
    def _search_typed(self, event: Input.Changed) -> None:
        event.stop()
        self.search_text = event.value
        self.search_changed(event.value)

    @on(Input.Submitted, "#search-bar")
    def _search_kept(self, event: Input.Submitted) -> None:
        event.stop()
        self._close_search()
        if self.search_text:
            table = self.search_table()
            if table is not None and find_row(table, self.search_text, start=0) is None:
                self.notify(f"No row shows {shown(self.search_text)!r}.", timeout=3, markup=False)

    @on(SearchBar.Dropped)
    def _search_dropped(self) -> None:
        self.search_text = ""
        self.search_changed("")
        self._close_search()

    def _close_search(self) -> None:
        bar = self.query_one(SearchBar)
        bar.display = False
        table = getattr(self, "_table_before_search", None) or self.search_table()
        if table is not None:
            table.focus()

    def action_search_next(self, step: int = 1) -> None:
        table = self.search_table()
        if not self.search_text:
            self.notify("Press / and type what to find first.", timeout=3)
            return
        if table is None:
            return
        found = find_row(table, self.search_text, start=table.cursor_coordinate.row + step, step=step)
        if found is None:
            self.notify(f"No row shows {shown(self.search_text)!r}.", timeout=3, markup=False)
        else:
            table.move_cursor(row=found, animate=False)

    def action_search_previous(self) -> None:
        self.action_search_next(-1)
