"""Add an organization: key in a password field, where to keep it, description, workspaces, backfill.

The key is checked with one read request in a thread worker before anything is saved; every
problem is shown inline and the form stays filled so the user can fix it.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from ...core.base_url import DEFAULT_BASE_URL
from ...core.dates import parse_day
from ...core.errors import CostToolError, UsageError
from ...core.models import Connection
from ...core.secret import Secret
from ...core.text import shown
from ...services.context import AppContext
from ...services.onboarding import ConnectionDraft, add_connection


def storage_choices(keyring_problem: str | None) -> tuple[list[tuple[str, str]], str]:
    """Where a key may be kept, for a Select (the keyring only when it keeps keys safely), and the
    first choice."""
    choices = [("an environment variable (only its name is saved)", "env"), ("a file, unencrypted (0600)", "file")]
    if keyring_problem is None:
        choices.insert(0, ("the OS keyring", "keyring"))
    return choices, choices[0][1]


class KeyForm:
    """For a form that takes a key: the ``#storage`` choice and the fields shown for it, and the worker
    that checks the key (group ``worker_group``), whose error is shown inline in ``#error``."""

    worker_group = ""
    submit_button = ""

    def on_select_changed(self, event: Select.Changed) -> None:
        self._show_env_box()

    def _storage(self) -> str:
        value = self.query_one("#storage", Select).value  # type: ignore[attr-defined]
        return value if isinstance(value, str) else "env"

    def _show_env_box(self) -> None:
        env = self._storage() == "env"
        self.query_one("#env-box").display = env  # type: ignore[attr-defined]
        # With a variable the key is never typed here: the field goes.
        self.query_one("#key", Input).display = not env  # type: ignore[attr-defined]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != self.worker_group:
            return
        event.stop()  # handled here, inline; the app need not report it again
        if event.state == WorkerState.SUCCESS:
            self.dismiss(event.worker.result)  # type: ignore[attr-defined]
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            text = error.message if isinstance(error, CostToolError) else f"unexpected {type(error).__name__}"
            self._error(text)
            self.query_one(self.submit_button, Button).disabled = False  # type: ignore[attr-defined]

    def _error(self, text: str, *, kind: str = "error") -> None:
        label = self.query_one("#error", Label)  # type: ignore[attr-defined]
        label.set_classes(kind if text else "")
        label.update(Text(shown(text)))


class AddConnectionModal(KeyForm, ModalScreen[Connection | None]):
    worker_group, submit_button = "add-connection", "#add"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="add-cancel"),
        Binding("ctrl+s", "submit", "Check key and add", id="add-submit", priority=True),
    ]

    def __init__(self, ctx: AppContext, *, keyring_problem: str | None, workspaces: list[str]) -> None:
        """``keyring_problem`` and ``workspaces`` were read in a worker (the keyring may be slow)."""
        super().__init__()
        self.ctx = ctx
        self.keyring_problem = keyring_problem
        self.workspaces = workspaces

    def compose(self) -> ComposeResult:
        default_start = self.ctx.default_backfill_start().isoformat()
        with VerticalScroll(classes="dialog wide-dialog"):
            yield Label("Add an organization", classes="dialog-title")
            yield Static("An organization owner creates an Admin key (sk-admin-...) under "
                         "Settings > Admin keys. It is checked with one read request, then kept safe.",
                         classes="dialog-body")
            yield Label("Admin key", id="key-label")
            yield Input(password=True, placeholder="sk-admin-...", id="key")
            yield Label("Description")
            yield Input(placeholder="e.g. Acme production", id="description", max_length=120)
            yield Label("Keep the key in (Enter opens the choices)")
            choices, first = storage_choices(self.keyring_problem)
            yield Select(choices, value=first, allow_blank=False, id="storage")
            if self.keyring_problem:
                yield Static(Text(f"No OS keyring here: {shown(self.keyring_problem)}. Keep the key in an "
                                  "environment variable (type its name below; start the app with it set), or "
                                  "choose a 0600 file to type the key here, or start/unlock a keyring and "
                                  "reopen this form."), id="keyring-note", classes="note")
            with Vertical(id="env-box"):
                yield Label("Environment variable name")
                yield Input(placeholder="OPENAI_ADMIN_KEY", id="env-var")
            yield Label("Workspaces (comma-separated, optional)")
            names = shown(", ".join(self.workspaces))
            yield Input(placeholder=f"existing: {names}" if names else "e.g. Production, Everything",
                        id="workspaces")
            yield Label(f"Backfill from (UTC day; default {default_start})")
            yield Input(placeholder=default_start, id="since", max_length=10)
            yield Label("API base URL")
            yield Input(value=DEFAULT_BASE_URL, id="base-url")
            yield Label("", id="error", classes="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Check key and add (ctrl+s)", id="add", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self._show_env_box()
        # the first field that takes input: the key, or the variable's name when the key stays there
        self.query_one("#env-var" if self._storage() == "env" else "#key", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.query_one("#error", Label).has_class("error"):
            self._error("")  # a message about what was typed before is stale now

    def _show_env_box(self) -> None:
        super()._show_env_box()
        env = self._storage() == "env"
        self.query_one("#key-label", Label).update(
            "Admin key: read from the environment variable below (it is never typed here)" if env
            else "Admin key"
        )

    def _draft(self) -> ConnectionDraft:
        value = lambda wid: self.query_one(f"#{wid}", Input).value  # noqa: E731
        since_text = value("since").strip()
        source = self._storage()
        return ConnectionDraft(
            description=value("description"),
            key_source=source,
            key=None if source == "env" else Secret(value("key")),
            env_var=value("env-var") if source == "env" else None,
            base_url=value("base-url"),
            workspaces=tuple(w for w in (p.strip() for p in value("workspaces").split(",")) if w),
            since=parse_day(since_text, what="the backfill start") if since_text else None,
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "add":
            self.action_submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        try:
            draft = self._draft()
        except UsageError as exc:
            self._error(exc.message)
            return
        self._error("Checking the key with one read request...", kind="note")
        self.query_one("#add", Button).disabled = True
        self._check(draft)

    @work(thread=True, exclusive=True, group="add-connection", exit_on_error=False)
    def _check(self, draft: ConnectionDraft) -> Connection:
        # The demo answers the default URL from a fake organization; any other URL is real HTTP.
        demo = self.ctx.new_connection_transport if draft.base_url.rstrip("/") == DEFAULT_BASE_URL else None
        conn, _where = add_connection(self.ctx, draft, transport=demo)  # type: ignore[arg-type]
        return conn
