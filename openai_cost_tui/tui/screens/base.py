"""The frame every main screen shares: header, body, status line, footer."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header

from ...services.context import AppContext
from ..messages import DataChanged
from ..widgets.status import StatusLine


class AppScreen(Screen[None]):
    """Subclasses yield their body from ``compose_body`` and re-read data in ``reload``."""

    @property
    def ctx(self) -> AppContext:
        return self.app.ctx  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield Header(icon="$")
        yield from self.compose_body()
        yield StatusLine()
        yield Footer(compact=True)

    def compose_body(self) -> ComposeResult:
        yield from ()

    def reload(self) -> None:
        """Re-read what the screen shows from the store."""

    def on_data_changed(self, message: DataChanged) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()
        for line in self.query(StatusLine):
            line.refresh_status()
