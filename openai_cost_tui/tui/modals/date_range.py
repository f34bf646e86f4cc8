"""The date range: a preset (month to date, last month, last 7/30/90 days, ...) or two typed days."""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from ...core.dates import parse_day
from ...core.errors import UsageError
from ...core.report_state import PRESETS, DateChoice


class DateRangeModal(ModalScreen[DateChoice | None]):
    """Enter on a preset picks it; "Custom range" moves to the From/To fields (checked as you submit)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dates-cancel", tooltip="Keep the current dates")]

    def __init__(self, current: DateChoice, today: date) -> None:
        super().__init__()
        self.current = current
        self.today = today

    def compose(self) -> ComposeResult:
        rng = self.current.resolve(self.today)
        with Vertical(classes="picker"):
            yield Label("Date range (UTC days)", classes="dialog-title")
            options = []
            for key, name in PRESETS.items():
                shown = name if key == "custom" else f"{name:<30} {DateChoice(key).resolve(self.today)}"
                options.append(Option(shown, id=key))
            yield OptionList(*options, id="date-presets")
            with Horizontal(id="date-custom"):
                yield Label("From", classes="field-label")
                yield Input(rng.start.isoformat(), placeholder="YYYY-MM-DD", id="date-from")
                yield Label("To", classes="field-label")
                yield Input(rng.end.isoformat(), placeholder="YYYY-MM-DD", id="date-to")
            yield Label("", id="date-error", classes="error")
            yield Label("Enter picks · Tab to the custom days · Esc cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        presets = self.query_one("#date-presets", OptionList)
        presets.highlighted = list(PRESETS).index(self.current.preset)
        presets.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id == "custom":
            self.query_one("#date-from", Input).focus()
            return
        self.dismiss(DateChoice(event.option.id or "mtd"))

    @on(Input.Changed, "#date-from, #date-to")
    def _custom_edited(self, event: Input.Changed) -> None:
        """An error is about the days as they were submitted: editing either one clears it (Enter checks again)."""
        event.stop()
        self.query_one("#date-error", Label).update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        error = self.query_one("#date-error", Label)
        try:
            start = parse_day(self.query_one("#date-from", Input).value, what="From")
            if event.input.id == "date-from":  # Enter in From moves on to To
                error.update("")
                self.query_one("#date-to", Input).focus()
                return
            end = parse_day(self.query_one("#date-to", Input).value, what="To")
            if start > end:
                raise UsageError(f"From {start} is after To {end}")
            if end > self.today:
                raise UsageError(f"To {end} is in the future (today is {self.today}, UTC)")
            choice = DateChoice("custom", start, end)
        except UsageError as exc:
            error.update(exc.message)
            return
        self.dismiss(choice)

    def action_cancel(self) -> None:
        self.dismiss(None)
