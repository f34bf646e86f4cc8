"""A dialog that asks for one line and checks it inline: a bad answer is explained under the field and
the dialog stays open. Subclasses say how to read the line (``read``, raising UsageError)."""

from __future__ import annotations

from typing import Generic, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from ...core.errors import UsageError

T = TypeVar("T")


class LineModal(ModalScreen[T | None], Generic[T]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="line-cancel", tooltip="Close without saving")]
    FIELD_ID = "line"

    def __init__(self, title: str, *, value: str = "", placeholder: str = "", ok: str = "OK") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.ok = ok

    def read(self, text: str) -> T:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(value=self.value, placeholder=self.placeholder, id=self.FIELD_ID)
            yield Label("", id="error", classes="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.ok, id="ok", variant="primary")
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
            answer = self.read(self.query_one(Input).value)
        except UsageError as exc:
            self.query_one("#error", Label).update(exc.message)
            return
        self.dismiss(answer)

    def action_cancel(self) -> None:
        self.dismiss(None)
