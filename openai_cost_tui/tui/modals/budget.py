"""Type a monthly budget in US dollars; a bad amount is explained inline and the dialog stays open."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from ...core.errors import UsageError
from ...store.budgets import parse_amount


class BudgetAmountModal(ModalScreen[int | None]):
    """Answers the amount in atto-dollars, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="budget-cancel", tooltip="Close without saving")]

    def __init__(self, title: str, *, value: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(value=self.value, placeholder="US dollars a month, like 12000 or 1200.50", id="amount")
            yield Label("", id="error", classes="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        try:
            amount = parse_amount(self.query_one("#amount", Input).value)
        except UsageError as exc:
            self.query_one("#error", Label).update(exc.message)
            return
        self.dismiss(amount)

    def action_cancel(self) -> None:
        self.dismiss(None)
