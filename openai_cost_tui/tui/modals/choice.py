"""Small typed pickers: choose one option from a list (dimensions, measure, workspace, format, view),
or type a name. Each returns its answer through ``dismiss`` (None when cancelled)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from ...core.dimensions import Kind, all_dimensions
from ...core.report_state import MEASURE_LABELS
from ...core.text import shown
from ..jobs import Jobs
from .narrowing import move_highlight, narrowed, show_options

NONE_CHOICE = "__none__"


def dimension_options(*, none_label: str | None = None, exclude: Sequence[str] = ()) -> list[tuple[str, str]]:
    """Every dimension of TAXONOMY.md as (id, "Label  id"), then the store's virtual tags ("team  tag"),
    optionally with a "none" choice first."""
    options = [(NONE_CHOICE, none_label)] if none_label else []
    options += [(d.id, f"{d.label:<14} {'tag' if d.kind is Kind.TAG else d.id}")
                for d in all_dimensions() if d.id not in exclude]
    return options


def measure_options() -> list[tuple[str, str]]:
    details = {
        "cost": "USD",
        "quantity": "tokens, images, seconds ...",
        "unit_cost": "USD per 1M tokens, per image ...",
    }
    return [(key, f"{name} ({details[key]})") for key, name in MEASURE_LABELS.items()]


class ChoiceModal(Jobs, ModalScreen[str | None]):
    """Pick one option: type to narrow the list, arrows move, Enter picks, Escape cancels.

    With ``load`` instead of options, the dialog opens at once (so keys typed straight after the one
    that opened it land in its search field) and fills its list from ``load()``, run in a worker.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="choice-cancel", tooltip="Close without choosing"),
        Binding("down", "move(1)", "Next", show=False, id="choice-next", tooltip="Highlight the next option"),
        Binding(
            "up",
            "move(-1)",
            "Previous",
            show=False,
            id="choice-previous",
            tooltip="Highlight the previous option",
        ),
    ]

    def __init__(
        self,
        title: str,
        options: Sequence[tuple[str, str]] = (),
        *,
        current: str | None = None,
        hint: str = "Type to narrow · ↑↓ move · Enter picks · Esc cancels",
        load: Callable[[], Sequence[tuple[str, str]]] | None = None,
        empty: str = "Nothing to choose from.",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.options = list(options)
        self.current = current
        self.hint = hint
        self.load = load
        self.empty = empty

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Input(placeholder="type to narrow the list", id="choice-search", compact=True)
            choices = OptionList(id="choices")
            choices.can_focus = False  # the search field keeps the focus; arrows move the highlight
            yield choices
            yield Label(self.hint, classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        if self.load is None:
            self._show("")
            return
        load = self.load
        self.query_one(OptionList).loading = True
        self.background(lambda: list(load()), self._loaded, group="choice-options", exclusive=True)

    def _loaded(self, options: list[tuple[str, str]]) -> None:
        self.options = options
        choices = self.query_one(OptionList)
        choices.loading = False
        if not options:
            self.query_one(".dialog-hint", Label).update(Text(self.empty + " Esc closes."))
        self._show(self.query_one(Input).value)

    def _show(self, search: str) -> None:
        found = narrowed(self.options, search)
        show_options(self.query_one(OptionList), [Option(Text(shown(text)), id=key) for key, text in found],
                     current=None if search.strip() else self.current)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._show(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        choices = self.query_one(OptionList)
        if choices.highlighted is None:
            return
        self.dismiss(choices.get_option_at_index(choices.highlighted).id)

    def action_move(self, step: int) -> None:
        move_highlight(self.query_one(OptionList), step)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
