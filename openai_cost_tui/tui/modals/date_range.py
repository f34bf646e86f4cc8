"""The date range: a preset (month to date, last month, last 7/30/90 days, ...) or two typed days."""

from __future__ import annotations

import re
from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from ...core.dates import last_of_month, parse_day
from ...core.errors import UsageError
from ...core.report_state import PRESETS, DateChoice
from ...core.text import shown
from .narrowing import move_highlight, narrowed, show_options

WHOLE_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")  # typed in the search, Enter starts a custom range there
WHOLE_MONTH = re.compile(r"\d{4}-\d{2}")  # typed in the search, every preset over that month is kept
HINT = ("Type to narrow (names, days) · ↑↓ move · Enter picks · a day typed as YYYY-MM-DD goes to From · "
        "Tab to the custom days · Esc cancels")


class DateRangeModal(ModalScreen[DateChoice | None]):
    """Type to narrow the presets (their names and days), arrows move, Enter picks; "Custom range", or a
    whole day typed in the search, moves to the From/To fields (checked as you submit)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dates-cancel", tooltip="Keep the current dates"),
        Binding("down", "move(1)", "Next", show=False, id="dates-next", tooltip="Highlight the next preset"),
        Binding("up", "move(-1)", "Previous", show=False, id="dates-previous", tooltip="Highlight the previous preset"),
        # The search field's own Home/End move its cursor (Ctrl+A/Ctrl+E still do): here they move the list.
        Binding("home", "first", "First", show=False, priority=True, id="dates-first", tooltip="Highlight the first preset"),
        Binding("end", "last", "Last", show=False, priority=True, id="dates-last", tooltip="Highlight the last preset"),
    ]

    def __init__(self, current: DateChoice, today: date) -> None:
        super().__init__()
        self.current = current
        self.today = today
        self.ranges = {key: DateChoice(key).resolve(today) for key in PRESETS if key != "custom"}
        self.dates = {key: str(self.ranges[key]) if key in self.ranges else "" for key in PRESETS}

    def compose(self) -> ComposeResult:
        rng = self.current.resolve(self.today)
        with Vertical(classes="picker", id="date-picker"):
            yield Label("Date range (UTC days)", classes="dialog-title")
            yield Input(placeholder="type to narrow: a name, days (2026-11) or a From day", id="date-search",
                        compact=True)
            presets = OptionList(id="date-presets")
            presets.can_focus = False  # the search field keeps the focus; arrows move the highlight
            yield presets
            yield Label("", id="date-nothing")
            with Horizontal(id="date-custom"):
                yield Label("From", classes="field-label")
                yield Input(rng.start.isoformat(), placeholder="YYYY-MM-DD", id="date-from")
                yield Label("To", classes="field-label")
                yield Input(rng.end.isoformat(), placeholder="YYYY-MM-DD", id="date-to")
            yield Label("", id="date-error", classes="error")
            yield Label(HINT, classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#date-search", Input).focus()
        self._show("")

    def _show(self, search: str) -> None:
        """The presets the search names (their names and the days beside them); a whole day typed puts
        "Custom range from" that day first. Nothing matching says so in a line of its own."""
        typed = search.strip()
        day, why = None, ""
        if WHOLE_DAY.fullmatch(typed):
            try:
                day = parse_day(typed, what="That day").isoformat()
            except UsageError as exc:  # 2026-13-01: said at once, not after it went to From
                why = exc.message
        found = [key for key, _ in narrowed(((k, f"{n} {self.dates[k]}") for k, n in PRESETS.items()), typed)]
        found += [key for key in self._covering(typed) if key not in found]  # 2026-11: every preset over it
        if day:
            found = ["custom", *(key for key in found if key != "custom")]
        elif why:
            found = []
        show_options(self.query_one("#date-presets", OptionList), [Option(self._prompt(k, day), id=k) for k in found],
                     current=None if typed else self.current.preset)
        self.query_one("#date-picker").set_class(not found, "-nothing")
        if not found:
            self.query_one("#date-nothing", Label).update(Text(
                f"{why} · Backspace edits" if why else
                f"No preset matches \"{shown(typed)}\" · Backspace widens · Tab to the custom days"))

    def _covering(self, typed: str) -> list[str]:
        """The presets whose days hold the month (YYYY-MM) or the day (YYYY-MM-DD) typed, in their order."""
        try:
            if WHOLE_MONTH.fullmatch(typed):
                start = date.fromisoformat(f"{typed}-01")
                span = (start, last_of_month(start))
            elif WHOLE_DAY.fullmatch(typed):
                span = (date.fromisoformat(typed),) * 2
            else:
                return []
        except ValueError:
            return []
        return [key for key, rng in self.ranges.items() if rng.start <= span[1] and span[0] <= rng.end]

    def _prompt(self, key: str, day: str | None) -> str:
        if key == "custom":
            return f"Custom range from {day}" if day else PRESETS[key]
        return f"{PRESETS[key]:<30} {self.dates[key]}"

    @on(Input.Changed, "#date-search")
    def _narrow(self, event: Input.Changed) -> None:
        event.stop()
        self._show(event.value)

    @on(Input.Submitted, "#date-search")
    def _pick_highlighted(self, event: Input.Submitted) -> None:
        event.stop()
        presets = self.query_one("#date-presets", OptionList)
        if presets.option_count and presets.highlighted is not None:
            self._pick(presets.get_option_at_index(presets.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(event.option.id)

    def _pick(self, key: str | None) -> None:
        if key != "custom":
            self.dismiss(DateChoice(key or "mtd"))
            return
        from_input = self.query_one("#date-from", Input)
        typed = self.query_one("#date-search", Input).value.strip()
        if WHOLE_DAY.fullmatch(typed):
            from_input.value = typed
        from_input.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The list's keys work from the search field; in From and To they are the field's own."""
        if action in ("move", "first", "last"):
            return isinstance(self.focused, Input) and self.focused.id == "date-search"
        return True

    def action_move(self, step: int) -> None:
        move_highlight(self.query_one("#date-presets", OptionList), step)

    def action_first(self) -> None:
        self.query_one("#date-presets", OptionList).action_first()

    def action_last(self) -> None:
        self.query_one("#date-presets", OptionList).action_last()

    @on(Input.Changed, "#date-from, #date-to")
    def _custom_edited(self, event: Input.Changed) -> None:
        """An error is about the days as they were submitted: editing either one clears it (Enter checks again)."""
        event.stop()
        self.query_one("#date-error", Label).update("")

    @on(Input.Submitted, "#date-from, #date-to")
    def _custom_submitted(self, event: Input.Submitted) -> None:
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
