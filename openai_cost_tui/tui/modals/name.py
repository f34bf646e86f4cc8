"""Ask for one name (a new workspace, a rename), validated inline."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from ...core.errors import UsageError
from ...store.validate import clean_name


class NameModal(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="name-cancel")]

    def __init__(self, title: str, *, value: str = "", taken: set[str] | None = None, what: str = "name") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.taken = taken or set()
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(value=self.value, placeholder=self.what, id="name")
            yield Label("", id="error", classes="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        try:
            name = clean_name(self.query_one("#name", Input).value, what=self.what)
            if name in self.taken and name != self.value:
                raise UsageError(f"a {self.what.split()[0]} named {name!r} exists already")
        except UsageError as exc:
            self.query_one("#error", Label).update(exc.message)
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)
