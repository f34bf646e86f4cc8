"""A dialog that asks for one line and checks it inline: ``read`` turns the line into the answer or
raises UsageError, whose message is shown under the field while the dialog stays open."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from ...core.errors import UsageError

T = TypeVar("T")


class LineModal(ModalScreen[T | None], Generic[T]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="line-cancel", tooltip="Close without saving")]

    def __init__(self, title: str, read: Callable[[str], T], *, value: str = "", placeholder: str = "",
                 ok: str = "OK", field_id: str = "line", hint: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.read = read
        self.value = value
        self.placeholder = placeholder
        self.ok = ok
        self.field_id = field_id
        self.hint = hint
        self._answered = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Input(value=self.value, placeholder=self.placeholder, id=self.field_id)
            yield Label("", id="error", classes="error")
            if self.hint:
                yield Label(Text(self.hint), classes="dialog-hint")
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
            self._answer(None)

    def _submit(self) -> None:
        if self._answered:
            return  # an Enter and a click on OK at once: the dialog answers once
        try:
            answer = self.read(self.query_one(Input).value)
        except UsageError as exc:
            self.query_one("#error", Label).update(Text(exc.message))
            return
        self._answer(answer)

    def action_cancel(self) -> None:
        self._answer(None)

    def _answer(self, answer: T | None) -> None:
        if not self._answered and self.is_current:
            self._answered = True
            self.dismiss(answer)
