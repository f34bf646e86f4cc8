"""Edit a connection: description, workspaces, and (optionally) a new key and base URL.

A new key, or a new base URL, is checked with one read request in a thread worker and swapped in
atomically (services/set_key.py): the old key stays until the new one is verified, and no cost is
touched. Every problem is shown inline and the form stays filled.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from ...core.errors import CostToolError, UsageError
from ...core.models import Connection
from ...core.secret import Secret
from ...core.text import shown
from ...services.context import AppContext
from ...services.set_key import KeyChange, set_key
from ...store.validate import clean_name, refuse_taken
from .add_connection import KeyForm, storage_choices


@dataclass(frozen=True)
class ConnectionEdit:
    description: str
    workspaces: tuple[str, ...]
    key_changed: bool = False
    base_url_changed: bool = False
    note: str = ""  # e.g. the old key could not be deleted


class EditConnectionModal(KeyForm, ModalScreen[ConnectionEdit | None]):
    worker_group, submit_button = "edit-connection", "#save"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="edit-cancel"),
        Binding("ctrl+s", "save", "Save", id="edit-save", priority=True),
    ]

    def __init__(self, ctx: AppContext, conn: Connection, taken: set[str], *,
                 keyring_problem: str | None = None) -> None:
        """``conn`` as this member reaches it (KeyStore.mine, read in a worker)."""
        super().__init__()
        self.ctx = ctx
        self.conn = conn
        self.taken = taken - {conn.description}
        self.keyring_problem = keyring_problem

    def compose(self) -> ComposeResult:
        conn = self.conn
        with VerticalScroll(classes="dialog wide-dialog"):
            yield Label(Text(f"Edit {shown(conn.description)}  (ctrl+s saves, esc cancels)"), classes="dialog-title")
            yield Label("Description")
            yield Input(value=conn.description, id="description", max_length=120)
            yield Label("Workspaces (comma-separated)")
            yield Input(value=", ".join(conn.workspaces), id="workspaces")
            now = "none here" if conn.key_source == "none" else f"{conn.key_source_label} {conn.masked_key or ''}"
            yield Label(Text(shown(f"New Admin key (now: {now.strip()}; leave empty to keep it)")), id="key-label")
            yield Input(password=True, placeholder="sk-admin-...", id="key")
            choices, first = storage_choices(self.keyring_problem)
            yield Label("Keep the new key in")
            yield Select(choices, value=first, allow_blank=False, id="storage")
            if self.keyring_problem:
                yield Static(Text(f"No OS keyring offered: {shown(self.keyring_problem)}."),
                             id="keyring-note", classes="note")
            with Vertical(id="env-box"):
                yield Label("Environment variable name (the key is read from it; nothing is typed here)")
                yield Input(placeholder="OPENAI_ADMIN_KEY", id="env-var")
            yield Label("API base URL (a new one is checked with the key)")
            yield Input(value=conn.base_url, id="base-url")
            yield Static("A new key or URL is checked with one read request first; costs are not touched.",
                         classes="dialog-hint")
            yield Label("", id="error", classes="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self._show_env_box()
        self.query_one("#description", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.dismiss(None)

    def action_save(self) -> None:
        value = lambda wid: self.query_one(f"#{wid}", Input).value  # noqa: E731
        try:
            description = clean_name(value("description"), what="description")
            if description.casefold() != self.conn.description.casefold():
                refuse_taken(description, self.taken, kind="connection", hint="; pick another description")
            names = tuple(dict.fromkeys(clean_name(n, what="workspace name")
                                        for n in value("workspaces").split(",") if n.strip()))
        except UsageError as exc:
            self._error(exc.message)
            return
        source, url = self._storage(), value("base-url").strip()
        change = None
        new_key = source == "env" and value("env-var").strip() or source != "env" and value("key").strip()
        if new_key or url.rstrip("/") != self.conn.base_url:
            change = KeyChange(source, Secret(value("key")) if source != "env" else None,
                               value("env-var") if source == "env" else None, url)
            if not new_key:
                self._error("a new base URL is checked with a key: type the key (or the variable) to use with it")
                return
        self._error("Checking the new key with one read request..." if change else "Saving...", kind="note")
        self.query_one("#save", Button).disabled = True
        self._write(ConnectionEdit(description, names), change)

    @work(thread=True, exclusive=True, group="edit-connection", exit_on_error=False)
    def _write(self, edit: ConnectionEdit, change: KeyChange | None) -> ConnectionEdit:
        store, conn, note = self.ctx.store, self.conn, ""
        try:
            done = set_key(self.ctx, conn, change) if change is not None else None  # first: it may be refused
        except CostToolError as exc:
            exc.message = f"{exc.message}. The old key is kept; nothing was changed"
            raise
        if done is not None and done.leftover:
            note = f"the old key is not deleted: {done.leftover}"
        try:
            if edit.description != conn.description:
                store.update_connection(conn.id, description=edit.description)
            if edit.workspaces != conn.workspaces:
                store.set_workspaces(conn.id, edit.workspaces)
        except CostToolError as exc:
            if done is not None:
                exc.message = f"{exc.message} (the new key is set)"
            raise
        return ConnectionEdit(edit.description, edit.workspaces, key_changed=done is not None,
                              base_url_changed=bool(done and done.base_url_changed), note=note)

    def action_cancel(self) -> None:
        self.dismiss(None)
