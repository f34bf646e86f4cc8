"""The frame every main screen shares: header, body, status line, footer; store reads in jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header

from ...services.context import AppContext
from ..jobs import Jobs, cost_app
from ..messages import DataChanged, FactsChanged
from ..widgets.status import StatusLine

if TYPE_CHECKING:
    from ..app import CostApp


class AppScreen(Jobs, Screen[None]):
    """Subclasses yield their body from ``compose_body`` and re-read data in ``reload``."""

    @property
    def cost_app(self) -> CostApp:
        return cost_app(self)

    @property
    def ctx(self) -> AppContext:
        return self.cost_app.ctx

    def compose(self) -> ComposeResult:
        yield Header(icon="$")
        yield from self.compose_body()
        yield StatusLine()
        yield Footer(compact=True)

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
