"""The status line: which store, how fresh the data is, and a running sync's progress."""

from __future__ import annotations

from textual.widgets import Static


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
        self.update(self.app.status_text())  # type: ignore[attr-defined]
