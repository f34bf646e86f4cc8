"""Filtering: a searchable list of one dimension's values with their totals, and removable chips."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, SelectionList
from textual.worker import get_current_worker

from ...core.dimensions import label
from ...core.models import Cell, Filter
from ...core.render import display_text, measure_value
from ...core.text import shown

MAX_CHIP_VALUES = 2


def chip_label(flt: Filter) -> str:
    shown = ", ".join(flt.values[:MAX_CHIP_VALUES])
    if len(flt.values) > MAX_CHIP_VALUES:
        shown += f" +{len(flt.values) - MAX_CHIP_VALUES}"
    op = "≠" if flt.exclude else "="
    return f"{label(flt.dim)} {op} {shown} ✕"


class ValueList(SelectionList[str]):
    """Space toggles a value; Enter applies the filter (instead of toggling)."""

    BINDINGS = [Binding("enter", "screen.apply", "Apply", id="filter-apply", tooltip="Apply the filter")]


class ExcludeBox(Checkbox):
    """Space ticks; Enter applies the filter as shown (a plain Checkbox would flip on Enter too)."""

    BINDINGS = [Binding("enter", "screen.apply", "Apply", id="filter-exclude-apply",
                        tooltip="Apply the filter as shown")]


class FilterModal(ModalScreen[Filter | None]):
    """Choose values of one dimension to keep (or exclude). Returns a Filter (no values: remove the
    filter) or None when cancelled."""

    BINDINGS = [
        Binding(
            "escape", "cancel", "Cancel", id="filter-cancel", tooltip="Close without changing the filter"
        ),
        Binding(
            "down", "focus_list", "Values", show=False, id="filter-to-list", tooltip="Move to the values"
        ),
    ]

    @dataclass
    class Loaded(Message, bubble=False):
        values: list[tuple[str, Cell]]

    def __init__(
        self, dim: str, loader: Callable[[], list[tuple[str, Cell]]], current: Filter | None
    ) -> None:
        super().__init__()
        self.dim = dim
        self.loader = loader
        self.values: list[tuple[str, Cell]] = []
        self.chosen: set[str] = set(current.values) if current else set()
        self.exclude = bool(current and current.exclude)

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker filter-box"):
            yield Label(f"Filter by {label(self.dim)}", classes="dialog-title")
            yield Input(placeholder="type to search; Enter applies", id="filter-search")
            yield ValueList(id="filter-values")
            yield ExcludeBox(
                "Exclude the chosen values (instead of keeping only them)",
                self.exclude,
                id="filter-exclude",
                compact=True,
            )
            yield Label("↓ to the list · Space toggles · Enter applies · Esc cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#filter-values", ValueList).loading = True
        self.query_one(Input).focus()
        self._load()

    @work(thread=True, exclusive=True, group="filter-values", exit_on_error=False, description="Values")
    def _load(self) -> None:
        values = self.loader()
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(values))

    def on_filter_modal_loaded(self, message: Loaded) -> None:
        self.values = message.values
        known = {v for v, _ in self.values}
        self.values += [(v, Cell()) for v in sorted(self.chosen - known)]  # kept even with no cost now
        values = self.query_one("#filter-values", ValueList)
        values.loading = False
        self._show(self.query_one(Input).value)

    def _visible(self, search: str) -> list[tuple[str, Cell]]:
        needle = search.strip().lower()
        return [(v, c) for v, c in self.values if needle in v.lower()]

    def _show(self, search: str) -> None:
        values = self.query_one("#filter-values", ValueList)
        width = max((len(v) for v, _ in self.values), default=10)
        width = min(max(width, 12), 40)
        values.clear_options()
        values.add_options(
            [
                (
                    Text(f"{shown(v)[:width]:<{width}} {display_text(measure_value(c, 'cost'), 'cost'):>12}"),
                    v,
                    v in self.chosen,
                )
                for v, c in self._visible(search)
            ]
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.values:
            self._show(event.value)

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled) -> None:
        value = event.selection.value
        self.chosen ^= {value}

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.chosen:
            visible = self._visible(event.value)
            values = self.query_one("#filter-values", ValueList)
            if visible:
                index = values.highlighted if values.highlighted is not None else 0
                self.chosen = {visible[min(index, len(visible) - 1)][0]}
        self.action_apply()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.exclude = event.value

    def action_focus_list(self) -> None:
        values = self.query_one("#filter-values", ValueList)
        if values.option_count and values.highlighted is None:
            values.highlighted = 0
        values.focus()

    def action_apply(self) -> None:
        values = self.query_one("#filter-values", ValueList)
        if not self.chosen and values.has_focus and values.highlighted is not None:
            self.chosen = {values.get_option_at_index(values.highlighted).value}
        ordered = tuple(v for v, _ in self.values if v in self.chosen)
        self.dismiss(Filter(self.dim, ordered, self.exclude))

    def action_cancel(self) -> None:
        self.dismiss(None)
