"""The status line: which store, how fresh the data is, and a running sync's progress."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ..jobs import cost_app


class StatusLine(Static):
    """Reads the app's ``status_text()``; the app calls ``refresh_status`` when anything changes."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    """

    def on_mount(self) -> None:
        self.refresh_status()

    def refresh_status(self) -> None:
        self.update(Text(cost_app(self).status_text(), no_wrap=True, overflow="ellipsis"))
