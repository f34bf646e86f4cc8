"""Edit a connection's description and workspaces (the key stays where it is)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from ...core.errors import UsageError
from ...core.models import Connection
from ...store.validate import clean_name


@dataclass(frozen=True)
class ConnectionEdit:
    description: str
    workspaces: tuple[str, ...]


class EditConnectionModal(ModalScreen[ConnectionEdit | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="edit-cancel")]

    def __init__(self, conn: Connection, taken: set[str]) -> None:
        super().__init__()
        self.conn = conn
        self.taken = taken - {conn.description}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Edit {self.conn.description}", classes="dialog-title")
            yield Label("Description")
            yield Input(value=self.conn.description, id="description", max_length=120)
            yield Label("Workspaces (comma-separated)")
            yield Input(value=", ".join(self.conn.workspaces), id="workspaces")
            yield Label("", id="error", classes="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self._save()
        else:
            self.dismiss(None)

    def _save(self) -> None:
        try:
            description = clean_name(self.query_one("#description", Input).value, what="description")
            if description in self.taken:
                raise UsageError(f"a connection named {description!r} exists already")
            raw = self.query_one("#workspaces", Input).value.split(",")
            names = tuple(dict.fromkeys(clean_name(n, what="workspace name") for n in raw if n.strip()))
        except UsageError as exc:
            self.query_one("#error", Label).update(exc.message)
            return
        self.dismiss(ConnectionEdit(description, names))

    def action_cancel(self) -> None:
        self.dismiss(None)
